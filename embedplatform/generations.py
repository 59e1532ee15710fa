"""Process-local caches of small rows read on every request (an API key, the active config), kept exact by
a generation counter in Redis.

A write that could change a cached row bumps the counter (at once, and again when its transaction
commits, so no process can re-cache the old row in between); a lookup reuses its cached value only while
the counter is unchanged. A request then costs one Redis GET instead of a database query. With Redis
unreachable, lookups go to the database every time; and since a bump made while Redis was away is lost,
an entry is also never kept longer than MAX_AGE_SECONDS.

Within a request (GenerationSnapshotMiddleware), every counter is read once, by one MGET, the first time
a lookup needs one: an API key and the active config then cost one Redis round trip together.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Generic, TypeVar

import redis
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from embedplatform.redis_connection import get_redis

T = TypeVar("T")

MAX_AGE_SECONDS = 60.0

_caches: list[GenerationCache] = []
_snapshot: ContextVar[dict[str, bytes | None] | None] = ContextVar("generation_snapshot", default=None)


def _current(key: str) -> bytes | None:
    """The counter's value: from this request's snapshot (read all at once), else straight from Redis."""
    snapshot = _snapshot.get()
    if snapshot is None:
        return get_redis().get(key)
    if key not in snapshot:
        keys = list(dict.fromkeys([key, *(generation_cache.key for generation_cache in _caches)]))
        snapshot.update(zip(keys, get_redis().mget(keys), strict=True))
    return snapshot[key]


class GenerationSnapshotMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _snapshot.set({})
        try:
            return self.get_response(request)
        finally:
            _snapshot.reset(token)


class GenerationCache(Generic[T]):
    def __init__(self, name: str) -> None:
        self.key = f"embedplatform:generation:{name}"
        self._entries: dict[str, tuple[bytes | None, float, T]] = {}
        self._lock = threading.Lock()
        _caches.append(self)

    def get(self, key: str, load: Callable[[], T]) -> T:
        try:
            current = _current(self.key)
        except redis.RedisError:
            self.clear_local()
            return load()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] == current and now - entry[1] < MAX_AGE_SECONDS:
            return entry[2]
        value = load()
        with self._lock:
            self._entries[key] = (current, now, value)
        return value

    def bump(self) -> None:
        """Call on every write that may change a cached row."""
        self._bump()
        transaction.on_commit(self._bump)

    def _bump(self) -> None:
        with self._lock:
            self._entries.clear()
        try:
            get_redis().incr(self.key)
        except redis.RedisError:
            pass  # lookups go to the database while Redis is away; the local entries are gone anyway

    def clear_local(self) -> None:
        with self._lock:
            self._entries.clear()


def clear_local_caches() -> None:
    """Forget every process-local entry (tests: each test's database starts over)."""
    for generation_cache in _caches:
        generation_cache.clear_local()
