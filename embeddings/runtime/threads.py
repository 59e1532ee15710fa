"""Thread counts for the CPU math libraries, set once per worker process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


def cpu_threads(requested: int | None) -> int:
    return requested or max(1, len(os.sched_getaffinity(0)))


def configure_torch_threads(count: int) -> None:
    import torch

    if torch.get_num_threads() != count:
        torch.set_num_threads(count)


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """torch's thread count on the calling thread for the block, then as it was (torch keeps one count per
    thread; None leaves it as it is)."""
    if count is None:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    configure_torch_threads(count)
    try:
        yield
    finally:
        configure_torch_threads(previous)
