"""Serving embed requests inside the worker: take them from Redis when a model is free, answer in Redis.

Each loaded model's runner (embeddings.runtime.runner) takes requests from a RedisRequestSource: at most a
batch's worth, from the lists of every config that model serves, marking each one with this worker's name
so the web side can tell a dead worker from a slow one. All tokenizer work of a request (decoding token
ids, counting tokens, the reject-overflow check) happens on the runner thread, as does the forward pass;
the replies of a pass leave in one pipeline. A request whose caller has given up is dropped unanswered.
No request text ever reaches a log or an error message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from functools import cached_property

import numpy as np
import redis

from embeddings.models import InputOverflow
from embeddings.runtime.encoder import Encoder
from embeddings.wire.keys import reply_key, request_queue_key, taken_key
from embeddings.wire.replies import ReplyErrorCode
from embeddings.wire.requests import EmbedReply, EmbedRequest
from embeddings.worker import metrics
from embeddings.worker.vector_cache import VectorCache

logger = logging.getLogger(__name__)

REPLY_TTL_SECONDS = 60
MAX_BLOCKING_WAIT_SECONDS = 0.5  # below embedplatform.redis_connection.SOCKET_TIMEOUT_SECONDS
TAKEN_TTL_SECONDS = 300

# KEYS: request lists, in priority order. ARGV: max texts, worker name, taken-key prefix, its expiry.
# Takes whole requests from the tail (oldest first) while they fit; one larger request goes alone.
_TAKE = """
local taken, texts = {}, 0
local max_texts = tonumber(ARGV[1])
for _, key in ipairs(KEYS) do
  while true do
    local item = redis.call('LINDEX', key, -1)
    if not item then break end
    local id, count = string.match(item, '^(%w+) (%d+) ')
    count = tonumber(count)
    if #taken > 0 and texts + count > max_texts then return taken end
    redis.call('RPOP', key)
    redis.call('SET', ARGV[3] .. id, ARGV[2], 'EX', tonumber(ARGV[4]))
    taken[#taken + 1] = item
    texts = texts + count
    if texts >= max_texts then return taken end
  end
end
return taken
"""


class InputRejected(Exception):
    """An input the model cannot take; the message names the input's index and the limit, never its text."""


class RequestExpired(Exception):
    """The caller stopped waiting before the request was taken."""


def texts_from_token_ids(encoder: Encoder, token_id_lists: Sequence[Sequence[int]]) -> list[str]:
    """The text each token-id list stands for in this model's tokenizer; refuses ids outside its vocabulary
    (a 400, not a tokenizer crash)."""
    last_id = encoder.vocabulary_size - 1
    for index, token_ids in enumerate(token_id_lists):
        for token_id in token_ids:
            if not 0 <= token_id <= last_id:
                raise InputRejected(
                    f"input[{index}] has token id {token_id}, outside this model's vocabulary "
                    f"(0 to {last_id})"
                )
    return [encoder.decode(token_ids) for token_ids in token_id_lists]


def check_lengths(token_counts: Sequence[int], max_seq_length: int) -> None:
    """For configs that reject over-long inputs instead of truncating them."""
    for index, count in enumerate(token_counts):
        if count > max_seq_length:
            raise InputRejected(
                f"input[{index}] has {count} tokens, more than this model's limit of "
                f"{max_seq_length} tokens; shorten it (this config rejects longer inputs "
                "instead of truncating them)"
            )


class RequestWork:
    """One embed request on a runner: texts in, a reply out (cached vectors skip the forward pass)."""

    def __init__(self, request: EmbedRequest, source: RedisRequestSource) -> None:
        self.request = request
        self.size = len(request.inputs)
        self._source = source
        self._texts: list[str] = []
        self._cached: list[np.ndarray | None] = []
        self._token_counts: list[int] | None = None
        self._timings: dict[str, float] = {}
        self._prepared_at = 0.0

    def texts(self, encoder: Encoder) -> list[str]:
        request = self.request
        started = time.time()
        self._timings["queue"] = (started - request.sent_at) * 1000
        if started > request.deadline:
            raise RequestExpired
        texts = (
            texts_from_token_ids(encoder, request.inputs) if request.inputs_are_token_ids else request.inputs
        )
        rejecting = request.input_overflow == InputOverflow.REJECT
        if request.count_tokens or rejecting:
            self._token_counts = encoder.count_tokens(texts)
        if rejecting:
            check_lengths(self._token_counts, encoder.max_seq_length)
        self._texts = texts
        self._cached = self._source.cache.get_many(request.config_id, texts)
        self._prepared_at = time.time()
        self._timings["prepare"] = (self._prepared_at - started) * 1000
        return [text for text, vector in zip(texts, self._cached, strict=True) if vector is None]

    def done(self, vectors: np.ndarray) -> None:
        missing = [text for text, vector in zip(self._texts, self._cached, strict=True) if vector is None]
        self._source.cache.put_many(self.request.config_id, missing, vectors)
        fresh = iter(vectors)
        rows = [vector if vector is not None else next(fresh) for vector in self._cached]
        dimensions = vectors.shape[1]
        merged = np.array(rows, dtype=np.float32).reshape(len(rows), dimensions)
        self._timings["model"] = (time.time() - self._prepared_at) * 1000
        reply = EmbedReply(self.request.config_id, merged, self._token_counts, timings=self._timings)
        self._source.reply(self.request, reply)
        self._count("served")

    def failed(self, error: Exception) -> None:
        if isinstance(error, RequestExpired):
            self._count("expired")
            return  # nobody waits for it any more
        if isinstance(error, InputRejected):
            self._count("rejected")
            code, message, param = ReplyErrorCode.INVALID_INPUT, str(error), "input"
        else:  # the message may quote the input: only the type leaves the worker
            self._count("failed")
            logger.error(
                "embed request for config %s failed: %s", self.request.config_id, type(error).__name__
            )
            code, message, param = (
                ReplyErrorCode.WORKER_ERROR,
                f"the embedding worker failed: {type(error).__name__}",
                None,
            )
        reply = EmbedReply(self.request.config_id, error_code=code, error_message=message, error_param=param)
        self._source.reply(self.request, reply)

    def _count(self, outcome: str) -> None:
        metrics.REQUESTS.labels(str(self.request.config_id), outcome).inc()


class RedisRequestSource:
    """The requests of the configs one loaded model serves, taken from Redis for its runner."""

    def __init__(
        self,
        client: redis.Redis,
        worker: str,
        config_ids: Callable[[], Sequence[int]],
        cache: VectorCache,
    ) -> None:
        self._client = client
        self._worker = worker
        self._config_ids = config_ids
        self.cache = cache
        self._replies: list[tuple[str, bytes]] = []
        self._closed = False
        self._pass_config_ids: set[int] = set()  # of the requests taken for the current pass
        self._wake_key = f"embedplatform:wake:{worker}:{id(self)}"  # this source's own: see wake()

    @cached_property
    def _take(self) -> redis.commands.core.Script:
        return self._client.register_script(_TAKE)

    def take(self, max_texts: int, wait: float) -> list[RequestWork]:
        keys = [request_queue_key(config_id) for config_id in self._config_ids()]
        if not keys or self._closed:
            time.sleep(wait)
            return []
        try:
            items = self._take(keys=keys, args=[max_texts, self._worker, taken_key(""), TAKEN_TTL_SECONDS])
            if not items and wait > 0:
                items = self._wait_for_one(keys, wait)
        except redis.RedisError as error:
            logger.warning("cannot take embed requests from Redis: %s", error)
            time.sleep(min(wait, 1.0) or 0.1)
            return []
        works = [work for work in map(self._work, items) if work is not None]
        self._pass_config_ids.update(work.request.config_id for work in works)
        return works

    def _wait_for_one(self, keys: list[str], wait: float) -> list[bytes]:
        """Idle: block until one request arrives (more that arrive meanwhile join the next pass). The wait
        stays under the client's socket timeout, so a quiet Redis is not taken for a hung one."""
        popped = self._client.brpop([*keys, self._wake_key], timeout=min(wait, MAX_BLOCKING_WAIT_SECONDS))
        if popped is None or popped[0].decode() == self._wake_key:
            return []
        request_id = popped[1].split(b" ", 1)[0].decode()
        self._client.set(taken_key(request_id), self._worker, ex=TAKEN_TTL_SECONDS)
        return [popped[1]]

    def _work(self, item: bytes) -> RequestWork | None:
        try:
            return RequestWork(EmbedRequest.from_bytes(item), self)
        except (ValueError, KeyError, TypeError):
            logger.error("dropped a malformed embed request")
            return None

    def reply(self, request: EmbedRequest, reply: EmbedReply) -> None:
        self._replies.append((request.id, reply.to_bytes()))

    def on_pass(self, texts: int, seconds: float) -> None:
        """Called by the runner after each forward pass of its model. A pass is labelled with the config
        of its requests (the lowest one, when configs sharing the model meet in one pass); a pass of bulk
        pieces alone, with the lowest config the model serves."""
        config_ids = self._pass_config_ids or set(self._config_ids())
        if not config_ids:  # evicted: its last passes belong to no config
            return
        config_id = str(min(config_ids))
        metrics.TEXTS_PER_PASS.labels(config_id).observe(texts)
        metrics.ENCODE_SECONDS.labels(config_id).observe(seconds)

    def settle(self) -> None:
        self._pass_config_ids = set()
        replies, self._replies = self._replies, []
        if not replies:
            return
        pipeline = self._client.pipeline(transaction=False)
        for request_id, data in replies:
            pipeline.rpush(reply_key(request_id), data)
            pipeline.expire(reply_key(request_id), REPLY_TTL_SECONDS)
            pipeline.delete(taken_key(request_id))
        try:
            pipeline.execute()
        except redis.RedisError as error:
            logger.warning("could not deliver %s embed replies: %s", len(replies), error)

    def wake(self) -> None:
        """Local work (a bulk piece) arrived while the runner waits here for requests: end the wait now."""
        try:
            self._client.pipeline(transaction=False).lpush(self._wake_key, b"1").expire(
                self._wake_key, 10
            ).execute()
        except redis.RedisError as error:  # the wait ends by itself within its timeout
            logger.warning("cannot wake the model runner: %s", type(error).__name__)

    def close(self) -> None:
        self._closed = True
