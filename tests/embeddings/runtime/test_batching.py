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
