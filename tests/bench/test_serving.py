"""The serving benchmark's arithmetic: which round is reported, what each ratio divides by, and the order of
server and raw rounds."""

from collections import Counter

from bench import serving
from bench.load import LoadResult
from bench.serving import alternating, median_round, ratios


def bulk_round(texts_per_second: float, errors: dict[str, int] | None = None) -> LoadResult:
    return LoadResult(requests=32, texts=2048, seconds=2048 / texts_per_second, errors=Counter(errors or {}))


def test_the_median_round_is_reported_with_every_rounds_errors():
    rounds = [bulk_round(300.0), bulk_round(200.0, {"503 x": 1}), bulk_round(250.0, {"503 x": 2})]

    summary = median_round(rounds)

    assert summary["texts_per_second"] == 250.0
    assert summary["errors"] == {"503 x": 3}


def test_bulk_and_concurrency_each_compare_with_their_own_alternating_raw_rounds_not_the_first_raw_run():
    raw = {"single_p50_ms": 10.0, "bulk_texts_per_second": 400.0, "rss_mb": 600.0}
    server = {
        "single": {"p50_ms": 14.0},
        "raw_interleaved_single_p50_ms": 11.0,
        "bulk": {"texts_per_second": 220.0},
        "raw_alternating_bulk_texts_per_second": 200.0,
        "concurrent": {"requests_per_second": 120.0},
        "raw_alternating_concurrent_texts_per_second": 240.0,
        "worker_rss_mb": 700.0,
    }

    result = ratios(raw, server)

    assert result["bulk_vs_raw"] == 1.1
    assert result["concurrent_vs_raw_bulk"] == 0.5
    assert result["single_overhead_ms"] == 4.0
    assert result["single_overhead_interleaved_ms"] == 3.0
    assert result["worker_rss_over_raw_mb"] == 100.0


def test_server_and_raw_rounds_alternate_and_swap_who_goes_first(monkeypatch):
    monkeypatch.setattr(serving.time, "sleep", lambda seconds: None)
    calls: list[str] = []

    def raw_round() -> float:
        calls.append("raw")
        return 100.0 + len(calls)

    def server_round(number: int) -> LoadResult:
        calls.append(f"server {number}")
        return bulk_round(200.0)

    server_rounds, raw_rounds, steal = alternating(raw_round, server_round, rounds=3)

    assert calls == ["raw", "server 0", "server 1", "raw", "raw", "server 2"]
    assert len(server_rounds) == 3
    assert raw_rounds == [101.0, 104.0, 105.0]
    assert len(steal["server"]) == len(steal["raw"]) == 3


def test_failed_requests_add_up_every_phase():
    server = {
        "single": {"errors": {"503 worker_error": 1}},
        "bulk": {"errors": {}},
        "concurrent": {"errors": {"503 worker_error": 6, "503 model_not_loaded": 6}},
    }

    assert serving.failed_requests(server) == 13
    assert serving.failed_requests({phase: {"errors": {}} for phase in server}) == 0


def goal_row(**ratio_values: float) -> dict:
    met = {
        "single_overhead_ms": 5.0,
        "single_overhead_interleaved_ms": -1.0,
        "bulk_vs_raw": 1.0,
        "concurrent_vs_raw_bulk": 0.6,
        "worker_rss_over_raw_mb": 150.0,
    }
    errors = {"single": {"errors": {}}, "bulk": {"errors": {}}, "concurrent": {"errors": {}}}
    return {"model": "m", "ratios": {**met, **ratio_values}, "server": errors}


def test_a_row_at_every_goals_bound_meets_them_all():
    assert serving.goals_missed(goal_row()) == []


def test_each_missed_goal_is_named_with_its_figure_and_bound():
    row = goal_row(bulk_vs_raw=0.99, single_overhead_interleaved_ms=5.5, worker_rss_over_raw_mb=151.0)
    row["server"]["concurrent"]["errors"] = {"503 worker_error": 2}

    assert serving.goals_missed(row) == [
        "one-text overhead interleaved 5.5 ms (goal <= 5 ms)",
        "bulk vs raw 0.99x (goal >= 1x)",
        "memory over raw 151 MB (goal <= 150 MB)",
        "2 failed requests (goal 0)",
    ]
    summary = serving.goals_summary([goal_row(), {**row, "peer": "infinity"}])
    assert "m                              every goal met" in summary
    assert "infinity: m                    missed: one-text overhead interleaved 5.5 ms" in summary
