"""Process-local caches of small rows read on every request (an API key, the active config), kept exact by
a generation counter in Redis.

A write that could change a cached row bumps the counter (at once, and again when its transaction
commits, so no process can re-cache the old row in between); a lookup reuses its cached value only while
the counter is unchanged. A request then costs one Redis GET instead of a database query. With Redis
unreachable, lookups go to the database every time; and since a bump made while Redis was away is lost,
an entry is also never kept longer than MAX_AGE_SECONDS.

Within a request (GenerationSnapshotMiddleware), every counter is read once, by one MGET, the first time
a lookup needs one: an API key and the active config then cost one Redis round trip together.

A request that ends in a Redis script of its own can save even that round trip
(assuming_cached_generations): a cached entry is reused on the assumption that its counter has not moved,
and the script checks every assumed counter (SAME_GENERATIONS_LUA) before it acts. A counter that did move
makes the script refuse, and the request starts over with counters read as above, so nothing acts on a
stale row. The fast lane of POST /v1/embeddings does this: the script is the one that submits the request
to a worker (issue 8).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
_assumed: ContextVar[dict[str, bytes | None] | None] = ContextVar("generations_assumed", default=None)
_MISSING = object()

# A Lua function for scripts that act on what cached entries said: whether the `count` counters named by
# KEYS[first_key...] still hold the values in ARGV[first_arg...] ('' for a counter that does not exist).
SAME_GENERATIONS_LUA = """
local function same_generations(first_key, first_arg, count)
  for i = 0, count - 1 do
    if (redis.call('GET', KEYS[first_key + i]) or '') ~= ARGV[first_arg + i] then return false end
  end
  return true
end
"""


class StaleGenerations(Exception):
    """A counter assumed by this request has moved: what it read from a cache may be stale."""


@contextmanager
def assuming_cached_generations() -> Iterator[None]:
    """Within it, a lookup whose entry is cached (and younger than MAX_AGE_SECONDS) reuses the entry without
    reading its counter, and records the value it assumed. Whatever acts on the result must check the
    assumed values atomically with acting (assumed_generation_terms, SAME_GENERATIONS_LUA) and, when they
    moved, raise StaleGenerations and act on nothing."""
    token = _assumed.set({})
    try:
        yield
    finally:
        _assumed.reset(token)


def assumed_generation_terms() -> tuple[list[str], list[bytes]]:
    """The counters assumed so far in this context and the values assumed, as a script's keys and args."""
    assumed = _assumed.get() or {}
    return list(assumed), [value or b"" for value in assumed.values()]


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
        assumed = self._assumed_entry(key)
        if assumed is not _MISSING:
            return assumed  # type: ignore[return-value]
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

    def _assumed_entry(self, key: str) -> T | object:
        """The cached value, when generations may be assumed and this entry's agrees with what this context
        assumed before; else _MISSING (its counter is read)."""
        assumed, snapshot = _assumed.get(), _snapshot.get()
        if assumed is None or (snapshot is not None and self.key in snapshot):
            return _MISSING
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[1] >= MAX_AGE_SECONDS:
            return _MISSING
        if assumed.setdefault(self.key, entry[0]) != entry[0]:
            return _MISSING
        return entry[2]

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
