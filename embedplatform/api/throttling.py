"""Per-key rate limiting: a sliding window of request times per key in Redis, one round trip per request.

The semantics are DRF's SimpleRateThrottle (at most N requests in any window; refused requests are not
counted; Retry-After says when the oldest counted request leaves the window), but the log is a sorted
set updated by one Lua call, instead of a list read and written back through Django's cache.
"""

from __future__ import annotations

import time
import uuid
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

# KEYS: the key's log. ARGV: now, window seconds, limit, a unique member. Returns {allowed, retry after}.
_SLIDING_WINDOW = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
  return {0, tostring(tonumber(oldest) + window - now)}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return {1, '0'}
"""


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' -> (600, 60). embedplatform.api.checks refuses malformed rates at startup."""
    count, _, unit = rate.partition("/")
    return int(count), SECONDS[unit]


@cache
def _script() -> Any:
    return get_redis().register_script(_SLIDING_WINDOW)


def api_key_identity(api_key: ApiKey) -> str:
    return f"key:{api_key.prefix}"


def rate_limit_check(identity: str) -> float | None:
    """Counts one more request by `identity` against API_RATE_LIMIT (read on each call; empty turns limiting
    off): None when it may go ahead, else the seconds until it may retry (a refused request is not counted).
    With Redis unreachable, API_RATE_LIMIT_FAIL_OPEN decides: go ahead, or ServiceUnavailable (a 503)."""
    rate = getattr(settings, "API_RATE_LIMIT", None)
    if not rate:
        return None
    limit, window = parse_rate(rate)
    key = f"embedplatform:throttle:{identity}"
    try:
        allowed, retry_after = _script()(keys=[key], args=[time.time(), window, limit, uuid.uuid4().hex])
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
