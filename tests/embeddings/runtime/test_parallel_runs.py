import threading

import pytest

from embeddings.runtime.batching import length_batches
from embeddings.runtime.parallel_runs import ParallelRuns, group_cost, lanes, spread


def _indices(groups):
    return sorted(index for group in groups for index in group)


def test_balanced_groups_are_kept_costliest_first():
    lengths = [10] * 4 + [20] * 4 + [40] * 2
    groups = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]  # costs 16 + 40, 16 + 80, 16 + 80: none over 248 / 2

    spread_groups = spread(groups, lengths, threads=2)

    assert spread_groups == [[4, 5, 6, 7], [8, 9], [0, 1, 2, 3]]


def test_a_group_over_a_threads_share_is_cut_in_halves_of_its_ascending_lengths():
    lengths = [12, 10, 11, 13, 5]
    groups = [[0, 1, 2, 3], [4]]  # 16 + 4 x 13 = 68 against 16 + 5 = 21

    spread_groups = spread(groups, lengths, threads=2)

    assert spread_groups is not None
    assert _indices(spread_groups) == [0, 1, 2, 3, 4]
    assert [1, 2] in spread_groups and [0, 3] in spread_groups  # ascending 10, 11 | 12, 13
    share = sum(group_cost(group, lengths) for group in spread_groups) / 2
    assert all(group_cost(group, lengths) <= share for group in spread_groups)
    costs = [group_cost(group, lengths) for group in spread_groups]
    assert costs == sorted(costs, reverse=True)


def test_one_text_or_one_text_costlier_than_the_rest_stays_on_all_threads():
    assert spread([[0]], [7], threads=2) is None
    assert spread([[0, 1], [2]], [5, 5, 200], threads=2) is None
    assert spread([[0, 1], [2]], [5, 5, 7], threads=1) is None


def test_every_text_of_a_real_grouping_is_run_once():
    import random

    generator = random.Random(3)
    for _ in range(200):
        lengths = [generator.randint(3, 128) for _ in range(generator.randint(2, 64))]
        spread_groups = spread(length_batches(lengths), lengths, threads=2)
        if spread_groups is not None:
            assert _indices(spread_groups) == list(range(len(lengths)))


def test_groups_run_on_two_threads_and_come_back_in_order():
    runs = ParallelRuns(threads=2)
    both_running = threading.Barrier(2, timeout=5)
    seen_threads = set()

    def work(group):
        seen_threads.add(threading.current_thread().name)
        if group[0] < 2:
            both_running.wait()  # the first two groups only finish if they run at the same time
        return sum(group)

    assert runs.run(work, [[[0], [2, 3]], [[1], [4]]]) == [0, 5, 1, 4]  # each lane's front runs first
    assert len(seen_threads) == 2


def test_a_thread_done_with_its_lane_takes_the_last_group_of_the_other():
    """The group at the end of lane 0 only runs on the other thread: lane 0's first group waits for it."""
    runs = ParallelRuns(threads=2)
    last_of_lane_0_ran = threading.Event()

    def work(group):
        if group == [0]:
            assert last_of_lane_0_ran.wait(timeout=5), "the other thread never took it"
        if group == [3]:
            last_of_lane_0_ran.set()
        return group[0]

    assert runs.run(work, [[[0], [2], [3]], [[1]]]) == [0, 2, 3, 1]


def test_a_failing_group_fails_the_call():
    runs = ParallelRuns(threads=2)

    def work(group):
        if group == [1]:
            raise ValueError("bad group")
        return group

    with pytest.raises(ValueError, match="bad group"):
        runs.run(work, [[[0], [1]], [[2]]])


def test_run_spread_pairs_each_spread_group_with_its_result_or_declines_a_pass_that_does_not_spread():
    runs = ParallelRuns(threads=2)
    lengths = [5, 5, 7, 7, 30, 30]
    groups = length_batches(lengths)
    spread_groups = spread(groups, lengths, threads=2)
    assert spread_groups  # this pass spreads
    expected = [group for lane in lanes(spread_groups, lengths, threads=2) for group in lane]

    assert runs.run_spread(sum, groups, lengths) == [(group, sum(group)) for group in expected]
    assert runs.run_spread(None, [[0]], [7]) is None  # one text: work is never called


def _lane_costs(dealt, lengths):
    return [sum(group_cost(group, lengths) for group in lane) for lane in dealt]


def test_lanes_cut_one_group_where_dealing_whole_groups_leaves_one_thread_idle():
    lengths = [10] * 8 + [12] * 4 + [12] * 4
    groups = [list(range(8)), list(range(8, 12)), list(range(12, 16))]  # costs 96, 64, 64
    # Whole groups: 96 against 128. Cutting an 8-text group of the costlier lane evens them.

    dealt = lanes(groups, lengths, threads=2)

    assert _indices([group for lane in dealt for group in lane]) == list(range(16))
    costs = _lane_costs(dealt, lengths)
    assert max(costs) < 128 and max(costs) - min(costs) <= 16
    assert sum(len(lane) for lane in dealt) == 4  # one cut: one more run
    for lane in dealt:
        lane_costs = [group_cost(group, lengths) for group in lane]
        assert lane_costs == sorted(lane_costs, reverse=True)  # costliest first: the cheapest is taken last


def test_lanes_leave_even_groups_whole():
    lengths = [10] * 8
    groups = [[0, 1, 2, 3], [4, 5, 6, 7]]

    assert lanes(groups, lengths, threads=2) == [[[0, 1, 2, 3]], [[4, 5, 6, 7]]]


def test_lanes_of_real_groupings_run_every_text_once_and_are_never_less_even_than_whole_groups():
    import random

    generator = random.Random(5)
    for _ in range(200):
        lengths = [generator.randint(3, 128) for _ in range(generator.randint(2, 64))]
        threads = generator.choice([2, 3, 4])
        spread_groups = spread(length_batches(lengths), lengths, threads=threads)
        if spread_groups is None:
            continue
        dealt = lanes(spread_groups, lengths, threads=threads)
        assert len(dealt) == threads
        assert _indices([group for lane in dealt for group in lane]) == list(range(len(lengths)))
        whole = [0] * threads
        for group in sorted(spread_groups, key=lambda group: group_cost(group, lengths), reverse=True):
            whole[whole.index(min(whole))] += group_cost(group, lengths)
        assert max(_lane_costs(dealt, lengths)) <= max(whole)
        for group in (group for lane in dealt for group in lane):
            (whole_group,) = [whole for whole in spread_groups if set(group) <= set(whole)]
            part, rest = [lengths[i] for i in group], [lengths[i] for i in set(whole_group) - set(group)]
            # a cut part is a run of its group's ascending lengths: none of the rest lies inside its range
            assert not [length for length in rest if min(part) < length < max(part)]
