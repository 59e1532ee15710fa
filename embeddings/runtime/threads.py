"""Thread counts for the CPU math libraries, set once per worker process."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

Result = TypeVar("Result")


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


def on_own_thread(work: Callable[[], Result], name: str = "embedding-model-load") -> Result:
    """work() on a thread that ends when it returns: its result, or what it raised.

    torch's OpenMP runtime (libgomp) keeps a team of threads for every thread that has run parallel work, for
    as long as that thread lives, and once it counts more such threads than cores it stops spinning between
    parallel regions: each region then waits for its threads to wake. A model loaded and warmed up on the
    long-lived loader thread left a second team beside the runner's, and one-text passes on the runner took
    longer (throwaway probes: with a second team alive, and against the same encoder in-process). Side by side
    (bench/ab.py, torch MiniLM, one-text requests, 2026-12-05): 13.97 -> 12.10 ms p50 over 6 rounds (5 ahead),
    13.91 -> 13.63 over 4 (2 ahead); the runner's team now spins, 4.7 ms more worker CPU per request; 32
    clients 233.6 -> 238.9 requests/s."""
    with ThreadPoolExecutor(1, thread_name_prefix=name) as one:
        return one.submit(work).result()
