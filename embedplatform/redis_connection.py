"""One Redis client (and connection pool) per process, for everything the platform keeps in Redis besides
Celery's broker: embed requests and replies, worker heartbeats, cache generations, rate-limit counters.

Timeouts are short so that a stopped or hung Redis turns into a fast error, never a hung request."""

from functools import cache

import redis
from django.conf import settings


@cache
def get_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
