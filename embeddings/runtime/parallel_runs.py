"""Length groups run side by side, one thread each, instead of one after another on all the threads.

A pass of many length groups (a bulk request, or one-text requests of mixed lengths queued together) spends
much of each multi-threaded run in its threads waiting for each other: the matrices of a small group split
badly, and on a busy host one thread is often preempted while the other waits at the barrier. Run on one
thread each, the groups keep every core busy on its own work (bench/raw.py --in-requests 64 measures both).
A pass that cannot be spread (one text, or one text that costs more than all the rest) runs as before, on
all the threads, which is what keeps a single text fast.

The groups are dealt to one lane per thread before the pass (lanes()): costliest first to the cheapest lane,
then one group of the costliest lane cut so that it and the cheapest lane come out even. Each thread runs
its own lane and then takes what is left at the end of another's, so a thread slowed down (preempted, or
a group that ran longer than its cost said) is helped. Until 2026-12-05 the threads took the groups from
one queue, costliest first: a pass ended with one thread idle while the other ran the last group (a
throwaway probe of the worker's encoder on int8 MiniLM's bulk requests). Side by side
(bench/ab.py, 4 rounds, 2026-12-05): bulk 425.4 -> 438.2 texts/s with int8 MiniLM and 358.5 -> 368.8 with
torch MiniLM, 32 clients 299.6 -> 308.1 requests/s with int8.
"""

from __future__ import annotations

import threading
from collections import deque
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


def lanes(groups: list[list[int]], lengths: Sequence[int], threads: int) -> list[list[list[int]]]:
    """The groups dealt to `threads` lanes of about equal cost, each lane costliest first.

    Each group goes, costliest first, to the lane that costs least so far. Then, as long as it evens them
    out, one group of the costliest lane is cut in two (at a point of its ascending lengths, so neither part
    is padded to more than the whole was) and one part moves to the cheapest lane: a cut costs one more run,
    and is made only where the costliest lane then costs less."""
    dealt: list[list[list[int]]] = [[] for _ in range(threads)]
    loads = [0] * threads
    for group in sorted(groups, key=lambda group: group_cost(group, lengths), reverse=True):
        lane = loads.index(min(loads))
        dealt[lane].append(group)
        loads[lane] += group_cost(group, lengths)
    for _ in range(threads - 1):
        heavy, light = loads.index(max(loads)), loads.index(min(loads))
        cut = _evening_cut(dealt[heavy], loads[heavy], loads[light], lengths)
        if cut is None:
            break
        position, stay, move = cut
        dealt[heavy][position] = stay
        dealt[light].append(move)
        loads = [sum(group_cost(group, lengths) for group in lane) for lane in dealt]
    return [sorted(lane, key=lambda group: group_cost(group, lengths), reverse=True) for lane in dealt]


def _evening_cut(
    heavy_lane: list[list[int]], heavy: int, light: int, lengths: Sequence[int]
) -> tuple[int, list[int], list[int]] | None:
    """(the group's position in the heavy lane, the part that stays, the part that moves) for the cut that
    leaves the costlier of the two lanes cheapest; None when no cut makes it cheaper than `heavy`."""
    best, best_load = None, heavy
    for position, group in enumerate(heavy_lane):
        ascending = sorted(group, key=lambda index: lengths[index])
        size, longest, rest = len(ascending), lengths[ascending[-1]], heavy - group_cost(group, lengths)
        for middle in range(1, size):
            short = RUN_COST_TOKENS + middle * lengths[ascending[middle - 1]]
            long = RUN_COST_TOKENS + (size - middle) * longest
            for stays, moves, moved_cost, kept_cost in (
                (ascending[:middle], ascending[middle:], long, short),
                (ascending[middle:], ascending[:middle], short, long),
            ):
                load = max(rest + kept_cost, light + moved_cost)
                if load < best_load:
                    best, best_load = (position, stays, moves), load
    return best


class ParallelRuns:
    """Runs lanes of groups on `threads` threads, the calling thread one of them: each thread runs its own
    lane from the front, then takes groups from the end of the others' (their cheapest). The helper threads
    end when the object is dropped (ThreadPoolExecutor's own clean-up), as when the model is unloaded."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._helpers = ThreadPoolExecutor(max(threads - 1, 1), thread_name_prefix="parallel-runs")

    def run_spread(
        self, work: Callable[[list[int]], Result], groups: list[list[int]], lengths: Sequence[int]
    ) -> list[tuple[list[int], Result]] | None:
        """The pass's length groups cut to spread over the threads (spread()) and dealt to one lane each
        (lanes()), each with work(group), run side by side; None when the pass does not spread (it then goes
        faster on all the threads)."""
        spread_groups = spread(groups, lengths, self.threads)
        if not spread_groups:
            return None
        dealt = lanes(spread_groups, lengths, self.threads)
        results = self.run(work, dealt)
        return list(zip([group for lane in dealt for group in lane], results, strict=True))

    def run(self, work: Callable[[list[int]], Result], dealt: Sequence[list[list[int]]]) -> list[Result]:
        """work(group) for every group of every lane, in the lanes' order, one after another."""
        groups = [group for lane in dealt for group in lane]
        results: list = [None] * len(groups)
        pending: list[deque[int]] = []
        for lane in dealt:
            start = sum(len(queue) for queue in pending)
            pending.append(deque(range(start, start + len(lane))))
        lock = threading.Lock()

        def take(own: int) -> int | None:
            with lock:
                if own < len(pending) and pending[own]:
                    return pending[own].popleft()
                others = [queue for queue in pending if queue]
                return max(others, key=len).pop() if others else None

        def run_lane(own: int) -> None:
            while (index := take(own)) is not None:
                results[index] = work(groups[index])

        helpers = [self._helpers.submit(run_lane, own) for own in range(1, self.threads)]
        try:
            run_lane(0)
        finally:
            for helper in helpers:
                helper.result()  # waits for it; re-raises what it raised
        return results
