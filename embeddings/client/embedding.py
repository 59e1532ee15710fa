"""Embedding on the web side: hand texts to a worker that has the model, wait a bounded time.

The web process never loads a model; this is the only way it gets vectors. A request goes onto its
config's Redis list with one Lua call that first checks that a live worker serves that config, so no
worker means an immediate 503. Whichever worker is free takes it (more workers, on any machine, means
more takers) and answers on a key of the request's own. The wait is cut in slices (shorter than the Redis
client's socket timeout): a request answered within the first slice costs no further Redis command; after
each slice one Lua call checks progress. A request taken by a worker that has since died (its "alive" key,
refreshed by its heartbeat, expired), or one that no live worker serves any more, ends with a 503 instead of
waiting out the timeout: once the check has said so for CONFIRM_HEARTBEATS heartbeat intervals in a row.
A live worker renews its key within one interval, so a worker that has not is gone; but a lapsed key alone
is not proof. When the whole host pauses (a virtual machine snapshotted, the stack's processes stopped),
every key expires while nothing runs, and the workers renew them only once they run again: judged at once,
their requests would fail although their answers were a moment away (tests/faults/test_host_paused.py).

The same script takes the request's rate-limit share and, for a request that reused cached rows without
reading their generation counters (embedplatform.generations.assuming_cached_generations), checks those
counters: a request whose key or config changed since is refused there (StaleGenerations), before anything
is submitted or counted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import redis

from embeddings.conf import embedding_setting
from embeddings.errors import ModelNotFound, ModelNotReady, WorkerFailed
from embeddings.models import EmbeddingConfig
from embeddings.wire.keys import reply_key, request_queue_key, serving_key, taken_key, worker_alive_key
from embeddings.wire.replies import ReplyErrorCode
from embeddings.wire.requests import EmbedReply, EmbedRequest
from embedplatform.api.errors import ApiError, InvalidInput
from embedplatform.api.throttling import SLIDING_WINDOW_LUA, RateLimited, RateLimitShare
from embedplatform.generations import SAME_GENERATIONS_LUA, StaleGenerations, assumed_generation_terms
from embedplatform.redis_connection import get_redis

WAIT_SLICE_SECONDS = 0.5
CONFIRM_HEARTBEATS = 1.5  # how long a request's worker must stay dead or missing before the request fails

_ERRORS_BY_CODE: dict[ReplyErrorCode, type[ApiError]] = {
    ReplyErrorCode.CONFIG_NOT_FOUND: ModelNotFound,
    ReplyErrorCode.MODEL_NOT_LOADED: ModelNotReady,
    ReplyErrorCode.INVALID_INPUT: InvalidInput,
    ReplyErrorCode.WORKER_ERROR: WorkerFailed,
}

# KEYS: the config's serving set, its request list, n assumed generation counters[, a rate-limit log]. ARGV:
# oldest live heartbeat time, the request, n, the n values assumed[, take_share's arguments]. Returns
# {SUBMITTED or UNSERVED or RATE_LIMITED or STALE, seconds to retry after}.
SUBMITTED, UNSERVED, RATE_LIMITED, STALE = 1, 0, 2, 3
_SUBMIT = (
    SLIDING_WINDOW_LUA
    + SAME_GENERATIONS_LUA
    + """
local n = tonumber(ARGV[3])
if not same_generations(3, 4, n) then return {3, '0'} end
if KEYS[3 + n] then
  local share = take_share(KEYS[3 + n], ARGV[4 + n], ARGV[5 + n], ARGV[6 + n], ARGV[7 + n])
  if share[1] == 0 then return {2, share[2]} end
end
if redis.call('ZCOUNT', KEYS[1], ARGV[1], '+inf') == 0 then
  return {0, '0'}
end
redis.call('LPUSH', KEYS[2], ARGV[2])
return {1, '0'}
"""
)

# KEYS: the request's taken key, its config's serving set. ARGV: oldest live heartbeat time, the alive-key
# prefix. Where a waiting request stands: taken by a live worker, taken by a dead one, queued with a live
# worker serving its config, or queued with none.
_PROGRESS = """
local taker = redis.call('GET', KEYS[1])
if taker then
  if redis.call('EXISTS', ARGV[2] .. taker) == 1 then return 'working' end
  return 'taker_died'
end
for _, name in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], '+inf')) do
  if redis.call('EXISTS', ARGV[2] .. name) == 1 then return 'queued' end
end
return 'unserved'
"""


@dataclass(frozen=True)
class EmbeddingBatch:
    vectors: np.ndarray
    config_id: int
    token_counts: list[int] | None = None
    timings: dict[str, float] = field(
        default_factory=dict
    )  # milliseconds: the worker's stages, the round trip


def embed_texts(
    config: EmbeddingConfig,
    texts: Sequence[str],
    *,
    count_tokens: bool = False,
    rate_limit_share: RateLimitShare | None = None,
) -> EmbeddingBatch:
    """Vectors for texts; with count_tokens, each text's token count before truncation. A rate-limit share
    is taken in the same script that submits the request (RateLimited: refused, and nothing submitted)."""
    return _embed(config, list(texts), count_tokens, False, rate_limit_share)


def embed_token_ids(
    config: EmbeddingConfig,
    token_id_lists: Sequence[Sequence[int]],
    *,
    count_tokens: bool = False,
    rate_limit_share: RateLimitShare | None = None,
) -> EmbeddingBatch:
    """Vectors for inputs given as token ids of the model's own tokenizer (the worker decodes them)."""
    return _embed(config, [list(ids) for ids in token_id_lists], count_tokens, True, rate_limit_share)


@cache
def _submit_script() -> redis.commands.core.Script:
    return get_redis().register_script(_SUBMIT)


@cache
def _progress_script() -> redis.commands.core.Script:
    return get_redis().register_script(_PROGRESS)


def _embed(
    config: EmbeddingConfig,
    inputs: list,
    count_tokens: bool,
    inputs_are_token_ids: bool,
    rate_limit_share: RateLimitShare | None,
) -> EmbeddingBatch:
    timeout = embedding_setting("REQUEST_TIMEOUT_SECONDS")
    request = EmbedRequest(
        config_id=config.pk,
        inputs=inputs,
        deadline=time.time() + timeout,
        inputs_are_token_ids=inputs_are_token_ids,
        count_tokens=count_tokens,
        input_overflow=config.input_overflow,
    )
    started = time.perf_counter()
    try:
        reply = _submit_and_wait(config, request, timeout, rate_limit_share)
    except redis.RedisError as error:
        raise ModelNotReady("the embedding queue (Redis) is unreachable; retry shortly") from error
    if reply.error_code is not None:
        raise _ERRORS_BY_CODE[reply.error_code](reply.error_message, param=reply.error_param)
    timings = {**reply.timings, "worker": (time.perf_counter() - started) * 1000}
    return EmbeddingBatch(reply.vectors, reply.config_id, reply.token_counts, timings)


def _live_since() -> float:
    return time.time() - embedding_setting("WORKER_STALE_SECONDS")


def _submit_and_wait(
    config: EmbeddingConfig, request: EmbedRequest, timeout: float, rate_limit_share: RateLimitShare | None
) -> EmbedReply:
    client = get_redis()
    payload = request.to_bytes()
    counters, assumed = assumed_generation_terms()
    keys = [serving_key(config.pk), request_queue_key(config.pk), *counters]
    arguments = [_live_since(), payload, len(counters), *assumed]
    share_terms = rate_limit_share.terms() if rate_limit_share is not None else None
    if share_terms is not None:
        keys.append(share_terms[0])
        arguments += share_terms[1]
    outcome, retry_after = _submit_script()(keys=keys, args=arguments)
    if outcome == STALE:
        raise StaleGenerations
    if outcome == RATE_LIMITED:
        raise RateLimited(float(retry_after))
    if rate_limit_share is not None:
        rate_limit_share.taken = True
    if outcome == UNSERVED:
        raise _not_served(config)
    deadline = time.monotonic() + timeout
    doubted_since: float | None = None  # since when every check has found no live worker for it
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            answer = client.blpop([reply_key(request.id)], timeout=min(WAIT_SLICE_SECONDS, remaining))
        except redis.TimeoutError:
            # Redis hung (the progress check then times out too, ending the request), or this process was
            # stopped past the read's deadline while Redis was fine (a paused host): no answer this slice.
            answer = None
        if answer is not None:
            return EmbedReply.from_bytes(answer[1])
        state = _progress(config, request)
        if state not in (b"taker_died", b"unserved"):
            doubted_since = None
            continue
        now = time.monotonic()
        doubted_since = now if doubted_since is None else doubted_since
        if now - doubted_since >= CONFIRM_HEARTBEATS * embedding_setting("WORKER_HEARTBEAT_SECONDS"):
            if state == b"taker_died":
                raise WorkerFailed("the embedding worker handling this request stopped; retry")
            client.lrem(request_queue_key(config.pk), 1, payload)
            raise _not_served(config)
    client.lrem(request_queue_key(config.pk), 1, payload)  # nobody will wait for it any more
    raise ModelNotReady(f"no embedding worker answered within {timeout:.0f} s; retry shortly")


def _progress(config: EmbeddingConfig, request: EmbedRequest) -> bytes:
    """Where the request stands (_PROGRESS): its taker died, or no live worker serves its config (a killed
    worker stays in the serving set until its heartbeat goes stale; its alive key expires sooner)."""
    return _progress_script()(
        keys=[taken_key(request.id), serving_key(config.pk)], args=[_live_since(), worker_alive_key("")]
    )


def _not_served(config: EmbeddingConfig) -> ModelNotReady:
    return ModelNotReady(
        f"no embedding worker has model '{config.model}' (config {config.pk}) loaded yet; "
        "start a worker or retry shortly"
    )
