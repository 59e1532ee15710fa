"""Cutting a pass into sub-batches by token budget: texts sorted by length, each sub-batch as large as
fits `budget` padded tokens. Similar lengths pad together (little wasted compute), short texts go in
large sub-batches and long ones in small, which on CPU beats fixed-size batches of length-sorted texts."""

from __future__ import annotations

from collections.abc import Sequence

TOKEN_BUDGET = 512


def length_batches(lengths: Sequence[int], budget: int = TOKEN_BUDGET) -> list[list[int]]:
    """Indices into `lengths`, grouped: ascending length, each group's count x its longest <= budget
    (a single text longer than the budget forms a group of its own)."""
    order = sorted(range(len(lengths)), key=lambda index: lengths[index])
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        if current and (len(current) + 1) * lengths[index] > budget:
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches
