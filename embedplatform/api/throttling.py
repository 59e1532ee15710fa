"""Per-key rate limiting: a sliding window of request times per key in Redis, one round trip per request.

The semantics are DRF's SimpleRateThrottle (at most N requests in any window; refused requests are not
counted; Retry-After says when the oldest counted request leaves the window), but the log is a sorted
set updated by one Lua call, instead of a list read and written back through Django's cache.

The window's Lua is a function that other scripts include: an embedding request answered by the fast lane
takes its share inside the script that submits it to a worker (RateLimitShare), so the limiter costs that
request no round trip of its own (bench/ab.py, one text: 5.04 against 5.20 ms p50 side by side).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import redis
from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apikeys.models import ApiKey
from embedplatform.api.errors import ServiceUnavailable
from embedplatform.redis_connection import get_redis

SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
SECONDS |= {"d": 86400, "day": 86400}

# take_share(log key, now, window seconds, limit, a unique member) -> {allowed, retry after}
SLIDING_WINDOW_LUA = """
local function take_share(key, now, window, limit, member)
  now, window, limit = tonumber(now), tonumber(window), tonumber(limit)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]
    return {0, tostring(tonumber(oldest) + window - now)}
  end
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return {1, '0'}
end
"""

# KEYS: the key's log. ARGV: now, window seconds, limit, a unique member.
_SLIDING_WINDOW = SLIDING_WINDOW_LUA + "return take_share(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4])"


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' -> (600, 60). embedplatform.api.checks refuses malformed rates at startup."""
    count, _, unit = rate.partition("/")
    return int(count), SECONDS[unit]


@cache
def _script() -> Any:
    return get_redis().register_script(_SLIDING_WINDOW)


def api_key_identity(api_key: ApiKey) -> str:
    return f"key:{api_key.prefix}"


class RateLimited(Exception):
    """A RateLimitShare refused by a script that took it together with other work."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"over the rate limit; retry after {retry_after:.0f} s")
        self.retry_after = retry_after


@dataclass
class RateLimitShare:
    """One request's share of its identity's rate limit, for a script that takes it together with the
    request's own work (SLIDING_WINDOW_LUA's take_share): `terms()` are its key and arguments, and whoever
    runs that script sets `taken` once the share is counted."""

    identity: str
    taken: bool = False

    def terms(self) -> tuple[str, list[Any]] | None:
        """The log's key and take_share's arguments after it; None while limiting is off."""
        return _terms(self.identity)


def _terms(identity: str) -> tuple[str, list[Any]] | None:
    rate = getattr(settings, "API_RATE_LIMIT", None)  # read on each call
    if not rate:
        return None
    limit, window = parse_rate(rate)
    return f"embedplatform:throttle:{identity}", [time.time(), window, limit, uuid.uuid4().hex]


def rate_limit_check(identity: str) -> float | None:
    """Counts one more request by `identity` against API_RATE_LIMIT (read on each call; empty turns limiting
    off): None when it may go ahead, else the seconds until it may retry (a refused request is not counted).
    With Redis unreachable, API_RATE_LIMIT_FAIL_OPEN decides: go ahead, or ServiceUnavailable (a 503)."""
    terms = _terms(identity)
    if terms is None:
        return None
    key, arguments = terms
    try:
        allowed, retry_after = _script()(keys=[key], args=arguments)
    except redis.RedisError as error:
        if settings.API_RATE_LIMIT_FAIL_OPEN:
            return None
        raise ServiceUnavailable(
            "the rate limiter (Redis) is unreachable; retry shortly", code="rate_limiter_unavailable"
        ) from error
    return None if allowed else float(retry_after)


class ApiKeyRateThrottle(BaseThrottle):
    """One budget per API key; staff sessions per user, anything else per client address."""

    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        self._wait = rate_limit_check(self.identity(request))
        return self._wait is None

    def identity(self, request: Request) -> str:
        if isinstance(request.auth, ApiKey):
            return api_key_identity(request.auth)
        if request.user is not None and request.user.is_authenticated and request.user.pk is not None:
            return f"user:{request.user.pk}"
        return f"address:{self.get_ident(request)}"

    def wait(self) -> float | None:
        return self._wait
