"""An in-worker LRU of vectors, keyed by config id and a SHA-256 of the text (never the text itself).

A config id is part of every key, so a config switch can never answer with another config's vector.
Shared by the runner threads of one process, hence the lock. Hits and misses are counted per config in the
worker's metrics (embeddings.worker.metrics).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from embeddings.worker import metrics


class VectorCache:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[int, bytes], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(config_id: int, text: str) -> tuple[int, bytes]:
        return config_id, hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()

    def get_many(self, config_id: int, texts: Sequence[str]) -> list[np.ndarray | None]:
        if not self.max_entries:
            return [None] * len(texts)
        keys = [self._key(config_id, text) for text in texts]
        with self._lock:
            found = [self._entries.get(key) for key in keys]
            for key, vector in zip(keys, found, strict=True):
                if vector is not None:
                    self._entries.move_to_end(key)
        hits = sum(vector is not None for vector in found)
        metrics.CACHE_HITS.labels(str(config_id)).inc(hits)
        metrics.CACHE_MISSES.labels(str(config_id)).inc(len(found) - hits)
        return found

    def put_many(self, config_id: int, texts: Sequence[str], vectors: np.ndarray) -> None:
        if not self.max_entries:
            return
        with self._lock:
            for text, vector in zip(texts, vectors, strict=True):
                key = self._key(config_id, text)
                row = np.array(vector, dtype=np.float32)
                row.setflags(write=False)
                self._entries[key] = row
                self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
