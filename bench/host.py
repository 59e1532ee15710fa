"""What the host took from this machine while a benchmark ran: the share of CPU time the hypervisor gave to
other machines (steal, /proc/stat) and the share left idle, over a stretch of time.

A virtual machine's vCPUs wait while steal runs, whatever runs on them. On the 2-core VMs behind these
benchmarks steal reached tens of percent during a load (vmstat, 2026-12-03), in what looked like the slow
phases of the host. A ratio between rounds taken under very different steal compares the host as much as the
code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import psutil

Result = TypeVar("Result")

# Linux counts guest time inside user time: adding it again would count it twice.
_NOT_IN_TOTAL = ("guest", "guest_nice")


def _totals() -> tuple[float, float, float]:
    times = psutil.cpu_times()
    fields = times._asdict()
    total = sum(value for name, value in fields.items() if name not in _NOT_IN_TOTAL)
    return total, fields.get("steal", 0.0), fields.get("idle", 0.0) + fields.get("iowait", 0.0)


def shares(before: tuple[float, float, float], after: tuple[float, float, float]) -> dict[str, float]:
    """Steal and idle as percentages of all CPU time between two readings of _totals()."""
    total = after[0] - before[0]
    if total <= 0:
        return {"steal_percent": 0.0, "idle_percent": 0.0}
    return {
        "steal_percent": round(100 * (after[1] - before[1]) / total, 1),
        "idle_percent": round(100 * (after[2] - before[2]) / total, 1),
    }


def measured(work: Callable[[], Result]) -> tuple[Result, dict[str, float]]:
    """work()'s result, and the host's steal and idle shares while it ran."""
    before = _totals()
    result = work()
    return result, shares(before, _totals())
