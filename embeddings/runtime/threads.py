"""Thread counts for the CPU math libraries, set once per worker process."""

from __future__ import annotations

import os


def cpu_threads(requested: int | None) -> int:
    return requested or max(1, len(os.sched_getaffinity(0)))


def configure_torch_threads(count: int) -> None:
    import torch

    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
