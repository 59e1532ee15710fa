"""The benchmark texts: distinct, and alike in every stretch, so that phases taking different stretches (the
serving benchmark's bulk pass and each of its concurrency rounds) compare like with like."""

from statistics import fmean

from tokenizers import Tokenizer

from bench.texts import _sentences, benchmark_texts
from embeddings import catalog


def test_every_text_is_distinct_and_carries_its_pass_number():
    sentences = len(_sentences())
    texts = benchmark_texts(2 * sentences + 10)

    assert len(set(texts)) == len(texts)
    assert all(text.endswith(" (0)") for text in texts[:sentences])
    assert all(text.endswith(" (2)") for text in texts[2 * sentences :])


def test_the_bulk_pass_and_each_concurrency_round_get_texts_of_the_same_token_lengths():
    """bench/serving.py: bulk takes the first 2,048 texts, each of three concurrency rounds its own third of
    8,192. Until 2026-12-04 the rounds after the first ran texts longer in tokens
    than the bulk pass's."""
    tokenizer = Tokenizer.from_file(
        str(catalog.installed_path(catalog.find("all-MiniLM-L6-v2")) / "tokenizer.json")
    )
    tokenizer.no_padding()
    tokenizer.no_truncation()
    texts = benchmark_texts(8192)

    def mean_tokens(stretch: list[str]) -> float:
        return fmean(len(encoding.ids) for encoding in tokenizer.encode_batch(stretch))

    bulk = mean_tokens(texts[:2048])
    rounds = [mean_tokens(texts[start : start + 2730]) for start in range(0, 8190, 2730)]

    assert all(abs(mean / bulk - 1) < 0.03 for mean in rounds), (bulk, rounds)
