"""Length groups run side by side, one thread each, instead of one after another on all the threads.

A pass of many length groups (a bulk request, or one-text requests of mixed lengths queued together) spends
much of each multi-threaded run in its threads waiting for each other: the matrices of a small group split
badly, and on a busy host one thread is often preempted while the other waits at the barrier. Run on one
thread each, the groups keep every core busy on its own work (bench/raw.py --in-requests 64 measures both).
A pass that cannot be spread (one text, or one text that costs more than all the rest) runs as before, on
all the threads, which is what keeps a single text fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from embeddings.runtime.batching import RUN_COST_TOKENS

Result = TypeVar("Result")


def group_cost(group: Sequence[int], lengths: Sequence[int], run_cost: int = RUN_COST_TOKENS) -> int:
    """What a run of this group costs, in tokens: its padded tokens plus a run's fixed cost."""
    return run_cost + len(group) * max(lengths[index] for index in group)


def spread(groups: list[list[int]], lengths: Sequence[int], threads: int) -> list[list[int]] | None:
    """The groups, costliest first, cut so that none costs more than a thread's share of the pass; None when
    that cannot be done (one text costs more than a share): such a pass goes faster on all the threads.

    A group is cut in halves of its ascending lengths, so each half is padded to no more than the whole was.
    """
    if threads < 2 or len(lengths) < 2:
        return None
    pending = sorted(
        (list(group) for group in groups), key=lambda group: group_cost(group, lengths), reverse=True
    )
    share = sum(group_cost(group, lengths) for group in pending) / threads
    while group_cost(pending[0], lengths) > share:
        costliest = sorted(pending.pop(0), key=lambda index: lengths[index])
        if len(costliest) < 2:
            return None
        middle = len(costliest) // 2
        pending.extend((costliest[:middle], costliest[middle:]))
        pending.sort(key=lambda group: group_cost(group, lengths), reverse=True)
        share = sum(group_cost(group, lengths) for group in pending) / threads
    return pending


class ParallelRuns:
    """Runs a list of groups on `threads` threads, the calling thread one of them: each thread takes the next
    group as it finishes one (costliest first, so the last groups taken are the cheapest). The helper threads
    end when the object is dropped (ThreadPoolExecutor's own clean-up), as when the model is unloaded."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._helpers = ThreadPoolExecutor(max(threads - 1, 1), thread_name_prefix="parallel-runs")

    def run_spread(
        self, work: Callable[[list[int]], Result], groups: list[list[int]], lengths: Sequence[int]
    ) -> list[tuple[list[int], Result]] | None:
        """The pass's length groups cut to spread over the threads (spread()), each with work(group), run side
        by side; None when the pass does not spread (it then goes faster on all the threads)."""
        spread_groups = spread(groups, lengths, self.threads)
        if not spread_groups:
            return None
        return list(zip(spread_groups, self.run(work, spread_groups), strict=True))

    def run(self, work: Callable[[list[int]], Result], groups: Sequence[list[int]]) -> list[Result]:
        """work(group) for every group, in the groups' order."""
        results: list = [None] * len(groups)
        taken = iter(range(len(groups)))
        lock = threading.Lock()

        def take_until_done() -> None:
            while True:
                with lock:
                    index = next(taken, None)
                if index is None:
                    return
                results[index] = work(groups[index])

        helpers = [self._helpers.submit(take_until_done) for _ in range(self.threads - 1)]
        try:
            take_until_done()
        finally:
            for helper in helpers:
                helper.result()  # waits for it; re-raises what it raised
        return results
