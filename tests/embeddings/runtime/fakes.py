"""A deterministic fake encoder (like Infinity's debug engine) for fast tests of logic."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

import numpy as np


class FakeEncoder:
    def __init__(self, name: str = "fake", dimensions: int = 8, delay: float = 0.0) -> None:
        self.name = name
        self.dimensions = dimensions
        self.max_seq_length = 16
        self.calls: list[list[str]] = []
        self.threads: set[int] = set()  # every thread that called encode or count_tokens
        self._delay = delay
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.threads.add(threading.get_ident())
        if self._delay:
            threading.Event().wait(self._delay)
        with self._lock:
            self.calls.append(list(texts))
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
            vector = np.random.default_rng(seed).standard_normal(self.dimensions).astype(np.float32)
            rows.append(vector / np.linalg.norm(vector))
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dimensions)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        self.threads.add(threading.get_ident())
        return [len(text.split()) + 2 for text in texts]

    def decode(self, token_ids: Sequence[int]) -> str:
        return " ".join(str(token) for token in token_ids)


class FakeSource:
    """A WorkSource fed by the test: take() hands out what was put, up to max_texts texts, and records
    how long each call was allowed to wait."""

    def __init__(self) -> None:
        self._works: list = []
        self._ready = threading.Condition()
        self.waits: list[float] = []
        self.settled = 0
        self.closed = False
        self.woken = 0

    def put(self, *works) -> None:
        with self._ready:
            self._works.extend(works)
            self._ready.notify()

    def take(self, max_texts: int, wait: float) -> list:
        self.waits.append(wait)
        with self._ready:
            if not self._works and wait:
                self._ready.wait(wait)
            taken, size = [], 0
            while self._works and (not taken or size + self._works[0].size <= max_texts):
                work = self._works.pop(0)
                taken.append(work)
                size += work.size
            return taken

    def settle(self) -> None:
        self.settled += 1

    def wake(self) -> None:
        with self._ready:
            self.woken += 1
            self._ready.notify()

    def close(self) -> None:
        self.closed = True


class CountingWork:
    """A source's request: counts its tokens on the runner thread, like the worker's requests do."""

    def __init__(self, texts: Sequence[str], fail_with: Exception | None = None) -> None:
        self._texts = list(texts)
        self.size = len(self._texts)
        self._fail_with = fail_with
        self.result: np.ndarray | None = None
        self.error: Exception | None = None
        self.finished = threading.Event()

    def texts(self, encoder) -> list[str]:
        encoder.count_tokens(self._texts)
        if self._fail_with:
            raise self._fail_with
        return self._texts

    def done(self, vectors: np.ndarray) -> None:
        self.result = vectors
        self.finished.set()

    def failed(self, error: Exception) -> None:
        self.error = error
        self.finished.set()
