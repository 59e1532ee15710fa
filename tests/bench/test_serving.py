"""The serving benchmark's arithmetic: which bulk round is reported, and what each ratio divides by."""

from collections import Counter

from bench.load import LoadResult
from bench.serving import median_round, ratios


def bulk_round(texts_per_second: float, errors: dict[str, int] | None = None) -> LoadResult:
    return LoadResult(requests=32, texts=2048, seconds=2048 / texts_per_second, errors=Counter(errors or {}))


def test_the_median_round_is_reported_with_every_rounds_errors():
    rounds = [bulk_round(300.0), bulk_round(200.0, {"503 x": 1}), bulk_round(250.0, {"503 x": 2})]

    summary = median_round(rounds)

    assert summary["texts_per_second"] == 250.0
    assert summary["errors"] == {"503 x": 3}


def test_bulk_and_concurrency_compare_with_the_alternating_raw_rounds_not_the_first_raw_run():
    raw = {"single_p50_ms": 10.0, "bulk_texts_per_second": 400.0, "rss_mb": 600.0}
    server = {
        "single": {"p50_ms": 14.0},
        "raw_interleaved_single_p50_ms": 11.0,
        "bulk": {"texts_per_second": 220.0},
        "raw_alternating_bulk_texts_per_second": 200.0,
        "concurrent": {"requests_per_second": 120.0},
        "worker_rss_mb": 700.0,
    }

    result = ratios(raw, server)

    assert result["bulk_vs_raw"] == 1.1
    assert result["concurrent_vs_raw_bulk"] == 0.6
    assert result["single_overhead_ms"] == 4.0
    assert result["single_overhead_interleaved_ms"] == 3.0
    assert result["worker_rss_over_raw_mb"] == 100.0
