from embeddings.runtime.batching import length_batches


def test_texts_are_grouped_by_length_within_the_token_budget():
    lengths = [10, 50, 12, 11, 48, 9]

    batches = length_batches(lengths, budget=100)

    assert batches == [[5, 0, 3, 2], [4, 1]]  # 4 x 12 <= 100; 2 x 50 <= 100
    assert all(len(batch) * max(lengths[i] for i in batch) <= 100 for batch in batches)


def test_a_text_longer_than_the_budget_goes_alone_and_nothing_is_lost():
    lengths = [300, 5, 5]

    batches = length_batches(lengths, budget=100)

    assert batches == [[1, 2], [0]]
    assert sorted(index for batch in batches for index in batch) == [0, 1, 2]


def test_no_texts_no_batches():
    assert length_batches([]) == []


def _cost(batches, lengths, run_cost):
    return sum(run_cost + len(batch) * max(lengths[i] for i in batch) for batch in batches)


def _least_cost(sorted_lengths, budget, run_cost):
    """Every way of cutting the sorted lengths into contiguous groups, by brute force."""
    count, best = len(sorted_lengths), float("inf")
    for cuts in range(2 ** max(count - 1, 0)):
        groups, start = [], 0
        for position in range(1, count):
            if cuts >> (position - 1) & 1:
                groups.append(sorted_lengths[start:position])
                start = position
        groups.append(sorted_lengths[start:])
        if all(len(group) == 1 or len(group) * max(group) <= budget for group in groups):
            best = min(best, sum(run_cost + len(group) * max(group) for group in groups))
    return best


def test_a_long_text_is_cut_off_when_its_padding_costs_more_than_a_run():
    lengths = [12, 12, 12, 12, 12, 12, 40]  # 7 x 40 = 280 tokens in one run; 6 x 12 + 40 = 112 in two

    batches = length_batches(lengths, budget=512, run_cost=16)

    assert batches == [[0, 1, 2, 3, 4, 5], [6]]


def test_nearly_equal_lengths_share_a_run_when_a_cut_would_save_less_than_it_costs():
    assert length_batches([12, 13, 12, 13], budget=512, run_cost=16) == [[0, 2, 1, 3]]


def test_the_grouping_costs_no_more_than_the_best_cut_found_by_brute_force():
    import random

    generator = random.Random(8)
    for _ in range(200):
        lengths = [generator.randint(3, 60) for _ in range(generator.randint(1, 9))]
        budget, run_cost = generator.choice([64, 128, 512]), generator.choice([0, 4, 16, 40])

        batches = length_batches(lengths, budget=budget, run_cost=run_cost)

        assert sorted(index for batch in batches for index in batch) == list(range(len(lengths)))
        assert all(
            len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= budget for batch in batches
        )
        assert _cost(batches, lengths, run_cost) == _least_cost(sorted(lengths), budget, run_cost)
