"""Giving a freed model's memory back to the operating system."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _libc_malloc_trim():  # noqa: ANN202 - the C function, or None
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None


def release_memory() -> bool:
    """Collect unreachable objects (a model's tensors often sit in reference cycles), then ask glibc to
    return free heap pages (without it, freed arenas stay in the process's RSS). True if trimmed."""
    gc.collect()
    trim = _libc_malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
