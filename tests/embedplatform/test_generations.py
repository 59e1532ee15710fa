"""Process-local caches kept exact by a generation counter in Redis (embedplatform/generations.py)."""

import pytest
import redis

from embedplatform import generations
from embedplatform.generations import GenerationCache
from embedplatform.redis_connection import client_options


class Loader:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"row v{self.calls}"


@pytest.fixture
def name(request) -> str:
    return f"test-{request.node.name}"


def test_a_row_is_loaded_once_while_nothing_changes(name):
    cache, load = GenerationCache(name), Loader()

    assert [cache.get("k", load) for _ in range(3)] == ["row v1"] * 3
    assert load.calls == 1


def test_a_write_in_any_process_makes_every_process_reload(name, db):
    here, elsewhere = GenerationCache(name), GenerationCache(name)  # two processes' caches, one counter
    load_here, load_elsewhere = Loader(), Loader()
    here.get("k", load_here)
    elsewhere.get("k", load_elsewhere)

    elsewhere.bump()

    assert here.get("k", load_here) == "row v2"
    assert elsewhere.get("k", load_elsewhere) == "row v2"


def test_with_redis_unreachable_every_lookup_goes_to_the_database(name, monkeypatch):
    cache, load = GenerationCache(name), Loader()
    cache.get("k", load)
    unreachable = redis.Redis(host="127.0.0.1", port=1, **client_options())  # the platform's retry policy
    monkeypatch.setattr(generations, "get_redis", lambda: unreachable)

    assert [cache.get("k", load) for _ in range(2)] == ["row v2", "row v3"]


def test_an_entry_older_than_the_maximum_age_is_reloaded(name, monkeypatch):
    cache, load = GenerationCache(name), Loader()
    cache.get("k", load)
    monkeypatch.setattr(generations, "MAX_AGE_SECONDS", 0.0)

    assert cache.get("k", load) == "row v2"


def test_within_a_request_every_counter_is_read_once(name, monkeypatch):
    first, second = GenerationCache(name + "-a"), GenerationCache(name + "-b")
    reads = []
    real = generations.get_redis()

    class CountingRedis:
        def get(self, key):
            reads.append(("get", key))
            return real.get(key)

        def mget(self, keys):
            reads.append(("mget", tuple(keys)))
            return real.mget(keys)

    monkeypatch.setattr(generations, "get_redis", CountingRedis)
    middleware = generations.GenerationSnapshotMiddleware(
        lambda request: (first.get("k", Loader()), second.get("k", Loader()), first.get("j", Loader()))
    )

    middleware(object())

    assert [kind for kind, _ in reads] == ["mget"]
    assert {first.key, second.key} <= set(reads[0][1])


def _counter_reads(monkeypatch) -> list[str]:
    """The generation counters read from Redis from now on."""
    reads: list[str] = []
    real = generations.get_redis()

    class CountingRedis:
        def get(self, key):
            reads.append(key)
            return real.get(key)

        def mget(self, keys):
            reads.extend(keys)
            return real.mget(keys)

    monkeypatch.setattr(generations, "get_redis", CountingRedis)
    return reads


def _still_same(counters: list[str], assumed: list[bytes]) -> bool:
    """What a script that acts on the assumption checks first (SAME_GENERATIONS_LUA)."""
    check = generations.get_redis().register_script(
        generations.SAME_GENERATIONS_LUA + "return same_generations(1, 1, #KEYS) and 1 or 0"
    )
    return check(keys=counters, args=assumed) == 1


def test_assuming_reuses_a_cached_entry_without_reading_its_counter_and_records_the_assumption(
    name, monkeypatch
):
    cache, load = GenerationCache(name), Loader()
    cache.get("k", load)
    reads = _counter_reads(monkeypatch)

    with generations.assuming_cached_generations():
        value = cache.get("k", load)
        counters, assumed = generations.assumed_generation_terms()

    assert (value, load.calls, reads) == ("row v1", 1, [])
    assert counters == [cache.key]
    monkeypatch.undo()
    assert _still_same(counters, assumed)


def test_a_counter_moved_since_the_assumption_fails_the_scripts_check(name, db):
    here, elsewhere = GenerationCache(name), GenerationCache(name)
    here.get("k", Loader())
    with generations.assuming_cached_generations():
        here.get("k", Loader())
        counters, assumed = generations.assumed_generation_terms()

    elsewhere.bump()

    assert not _still_same(counters, assumed)


def test_an_entry_not_cached_or_too_old_is_read_as_usual_even_when_assuming(name, monkeypatch):
    cache, load = GenerationCache(name), Loader()
    reads = _counter_reads(monkeypatch)

    with generations.assuming_cached_generations():
        cache.get("k", load)  # nothing cached yet
        monkeypatch.setattr(generations, "MAX_AGE_SECONDS", 0.0)
        cache.get("k", load)  # cached, but too old to be trusted
        counters, _ = generations.assumed_generation_terms()

    assert reads == [cache.key, cache.key]
    assert load.calls == 2
    assert counters == []


def test_outside_the_assuming_context_nothing_is_assumed(name, monkeypatch):
    cache = GenerationCache(name)
    cache.get("k", Loader())
    reads = _counter_reads(monkeypatch)

    cache.get("k", Loader())

    assert reads == [cache.key]
    assert generations.assumed_generation_terms() == ([], [])
