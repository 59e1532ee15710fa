"""Vectors as base64 of little-endian float32: the wire format between worker and web, and OpenAI's."""

from __future__ import annotations

import base64

import numpy as np


def vectors_to_base64(vectors: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(vectors, dtype="<f4").tobytes()).decode("ascii")


def vectors_from_base64(encoded: str, dimensions: int) -> np.ndarray:
    flat = np.frombuffer(base64.b64decode(encoded), dtype="<f4")
    return flat.reshape(-1, dimensions).astype(np.float32)
