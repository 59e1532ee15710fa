"""Merges concurrent small requests into one forward pass, interactive requests first.

Callers on many threads submit texts; one thread per model drains the queue, waits at
most `max_wait` for more, runs one encode over everything gathered (up to `max_texts`,
unless a single request is larger) and hands each caller its own rows back.

Bulk work (embedding stored sources, re-embedding) is cut into pieces of at most
`max_texts` and queued behind interactive requests, so an API request waits for at most
one bulk forward pass, never for a whole bulk job.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

EncodeFunction = Callable[[Sequence[str]], np.ndarray]


class Priority(IntEnum):
    INTERACTIVE = 0
    BULK = 1
    STOP = 2  # after everything already queued


@dataclass(order=True)
class _Request:
    priority: Priority
    sequence: int
    texts: Sequence[str] = field(compare=False)
    future: Future[np.ndarray] = field(default_factory=Future, compare=False)


class MicroBatcher:
    def __init__(self, encode: EncodeFunction, max_texts: int = 64, max_wait: float = 0.005) -> None:
        self._encode = encode
        self._max_texts = max_texts
        self._max_wait = max_wait
        self._queue: queue.PriorityQueue[_Request] = queue.PriorityQueue()
        self._sequence = itertools.count()
        self._thread = threading.Thread(target=self._loop, name="embedding-batcher", daemon=True)
        self._stopped = False
        self.forward_passes = 0
        self._thread.start()

    def submit(self, texts: Sequence[str], priority: Priority = Priority.INTERACTIVE) -> Future[np.ndarray]:
        if self._stopped:
            raise RuntimeError("the batcher is stopped")
        request = _Request(priority, next(self._sequence), texts)
        self._queue.put(request)
        return request.future

    def encode(self, texts: Sequence[str], timeout: float | None = None) -> np.ndarray:
        return self.submit(texts).result(timeout)

    def encode_bulk(self, texts: Sequence[str], timeout: float | None = None) -> np.ndarray:
        """Like encode, in pieces of max_texts that yield to interactive requests."""
        pieces = [
            self.submit(texts[start : start + self._max_texts], Priority.BULK)
            for start in range(0, len(texts), self._max_texts)
        ]
        if not pieces:
            return self.encode(texts, timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        results = [
            piece.result(None if deadline is None else max(0.0, deadline - time.monotonic()))
            for piece in pieces
        ]
        return np.concatenate(results)

    def stop(self) -> None:
        self._stopped = True
        self._queue.put(_Request(Priority.STOP, next(self._sequence), []))
        self._thread.join(timeout=30)

    def _gather(self, first: _Request) -> list[_Request]:
        """`first` plus what arrives within max_wait, up to max_texts; what does not fit goes back."""
        batch, size = [first], len(first.texts)
        deadline = time.monotonic() + self._max_wait
        while size < self._max_texts:
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item.priority == Priority.STOP or size + len(item.texts) > self._max_texts:
                self._queue.put(item)  # keeps its place: same priority and sequence
                break
            batch.append(item)
            size += len(item.texts)
        return batch

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item.priority == Priority.STOP:
                return
            self._run(self._gather(item))

    def _run(self, batch: list[_Request]) -> None:
        texts = [text for request in batch for text in request.texts]
        try:
            vectors = self._encode(texts)
            self.forward_passes += 1
        except Exception as error:
            for request in batch:
                request.future.set_exception(error)
            return
        start = 0
        for request in batch:
            request.future.set_result(vectors[start : start + len(request.texts)])
            start += len(request.texts)
