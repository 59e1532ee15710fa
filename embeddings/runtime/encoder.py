from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    """One loaded embedding model. Every backend implements this and runs the same contract tests."""

    name: str
    dimensions: int
    max_seq_length: int
    vocabulary_size: int  # token ids are 0 .. vocabulary_size - 1

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dimensions)."""
        ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens per text with the model's own tokenizer, special tokens included, before truncation."""
        ...

    def decode(self, token_ids: Sequence[int]) -> str:
        """The text that the model's tokenizer reads as these token ids."""
        ...
