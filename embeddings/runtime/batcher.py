"""Merges concurrent small requests into one forward pass.

Callers on many threads submit texts; one thread per model drains the queue, waits at
most `max_wait` for more, runs one encode over everything gathered (up to `max_texts`,
unless a single request is larger) and hands each caller its own rows back.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

EncodeFunction = Callable[[Sequence[str]], np.ndarray]


@dataclass
class _Request:
    texts: Sequence[str]
    future: Future[np.ndarray] = field(default_factory=Future)


class MicroBatcher:
    def __init__(self, encode: EncodeFunction, max_texts: int = 64, max_wait: float = 0.005) -> None:
        self._encode = encode
        self._max_texts = max_texts
        self._max_wait = max_wait
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="embedding-batcher", daemon=True)
        self._stopped = False
        self.forward_passes = 0
        self._thread.start()

    def submit(self, texts: Sequence[str]) -> Future[np.ndarray]:
        if self._stopped:
            raise RuntimeError("the batcher is stopped")
        request = _Request(texts)
        self._queue.put(request)
        return request.future

    def encode(self, texts: Sequence[str], timeout: float | None = None) -> np.ndarray:
        return self.submit(texts).result(timeout)

    def stop(self) -> None:
        self._stopped = True
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _gather(self, first: _Request) -> tuple[list[_Request], _Request | None]:
        batch, size = [first], len(first.texts)
        deadline = time.monotonic() + self._max_wait
        while size < self._max_texts:
            remaining = deadline - time.monotonic()
            try:
                item = (
                    self._queue.get(timeout=max(remaining, 0)) if remaining > 0 else self._queue.get_nowait()
                )
            except queue.Empty:
                break
            if item is None or size + len(item.texts) > self._max_texts:
                return batch, item
            batch.append(item)
            size += len(item.texts)
        return batch, None

    def _loop(self) -> None:
        carried: _Request | None = None
        while True:
            item = carried if carried is not None else self._queue.get()
            carried = None
            if item is None:
                return
            batch, carried = self._gather(item)
            self._run(batch)
            if carried is None and self._stopped and self._queue.empty():
                return

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
