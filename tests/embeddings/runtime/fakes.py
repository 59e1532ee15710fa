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
        self._delay = delay
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
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
        return [len(text.split()) + 2 for text in texts]

    def decode(self, token_ids: Sequence[int]) -> str:
        return " ".join(str(token) for token in token_ids)
