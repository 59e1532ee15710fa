"""One Redis client (and connection pool) per process, for everything the platform keeps in Redis besides
Celery's broker: embed requests and replies, worker heartbeats, cache generations, rate-limit counters.

Redis stopped or hung must turn into a fast error, never a hung request: every call gives up after
SOCKET_TIMEOUT_SECONDS (blocking pops wait in slices shorter than that), and only a dropped connection is
retried, once and at once (Redis restarted: the pool's old connections are dead, a new one works). A timeout
is not retried, since a hung Redis would only make the caller wait twice. (Waiting for a worker's answer, a
slice that timed out is followed by a progress check, which a hung Redis times out in turn: see
embeddings.client.embedding.) A connection idle for longer than
HEALTH_CHECK_SECONDS is checked with a PING before it is used.
"""

from functools import cache

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

CONNECT_TIMEOUT_SECONDS = 1.0
SOCKET_TIMEOUT_SECONDS = 1.0
HEALTH_CHECK_SECONDS = 30


def client_options() -> dict:
    """The options of every platform Redis client (also Django's cache)."""
    return {
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "socket_timeout": SOCKET_TIMEOUT_SECONDS,
        "health_check_interval": HEALTH_CHECK_SECONDS,
        "retry": Retry(NoBackoff(), retries=1, supported_errors=(RedisConnectionError,)),
    }


@cache
def get_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, **client_options())
