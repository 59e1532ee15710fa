"""Cutting a pass into sub-batches: texts sorted by length, then cut where padding costs more than a run.

Each sub-batch is padded to its longest text, so a batch of mixed lengths computes tokens nobody asked
for: a pass of one-text requests of mixed lengths, cut only by the token budget, spends much of its run on
padding. Each run also has a fixed cost, worth some tokens of compute.
So the sorted texts are cut into the groups with the least total cost, each group costing RUN_COST_TOKENS
plus its count x its longest, and no group over `budget` padded tokens unless it is one text (dynamic
programming over the cut points, as long as a group can be: linear in the texts for a fixed budget).
Side by side (bench/ab.py, README) this served int8 MiniLM faster under 32 clients and in bulk, and torch
MiniLM the same as before.
"""

from __future__ import annotations

from collections.abc import Sequence

TOKEN_BUDGET = 512
RUN_COST_TOKENS = 16


def length_batches(
    lengths: Sequence[int], budget: int = TOKEN_BUDGET, run_cost: int = RUN_COST_TOKENS
) -> list[list[int]]:
    """Indices into `lengths`, grouped: ascending length, each group's count x its longest <= budget
    (a single text longer than the budget forms a group of its own), the cuts placed where the padded
    tokens they save outweigh `run_cost` tokens per extra run."""
    order = sorted(range(len(lengths)), key=lambda index: lengths[index])
    ordered = [lengths[index] for index in order]
    best = [0.0] + [float("inf")] * len(ordered)  # best[end]: least cost of the first `end` texts
    start_of = [0] * (len(ordered) + 1)  # where the last group of that best grouping starts
    for end in range(1, len(ordered) + 1):
        longest = ordered[end - 1]
        for start in range(end - 1, -1, -1):
            size = end - start
            if size > 1 and size * longest > budget:
                break
            cost = best[start] + run_cost + size * longest
            if cost < best[end]:
                best[end], start_of[end] = cost, start
    batches: list[list[int]] = []
    end = len(ordered)
    while end > 0:
        start = start_of[end]
        batches.append(order[start:end])
        end = start
    return batches[::-1]
