"""bench/raw.py --in-requests: the same encode over all texts in one call, then in calls of N."""

from bench import raw


def test_each_round_encodes_every_text_once_in_one_call_then_in_calls_of_n(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(raw, "load_encode", lambda model: lambda texts: calls.append(len(texts)))

    result = raw.compare_request_sizes("any-model", count=150, size=64, rounds=2)

    warm_up, *rounds = calls
    assert warm_up == 64
    assert rounds == [150, 64, 64, 22] * 2
    assert len(result["one_call_texts_per_second"]) == len(result["calls_of_64_texts_per_second"]) == 2
    assert result["ratio_of_medians"] > 0


def test_with_the_workers_encoder_the_calls_of_n_go_to_it_and_one_call_to_the_raw_one(monkeypatch):
    """For every backend (until 2026-12-04 a torch model's calls of N ran sentence-transformers' encode)."""
    calls: list[tuple[str, int]] = []

    class WorkerEncoder:
        def encode(self, texts):
            calls.append(("worker", len(texts)))

    monkeypatch.setattr(raw, "load_encode", lambda model: lambda texts: calls.append(("raw", len(texts))))
    monkeypatch.setattr(raw, "load_worker_encoder", lambda model: WorkerEncoder())

    result = raw.compare_request_sizes("any-model", count=150, size=64, rounds=1, worker_encoder=True)

    warm_ups, one_call, calls_of_64 = calls[:2], calls[2], calls[3:]
    assert warm_ups == [("raw", 64), ("worker", 64)]
    assert one_call == ("raw", 150)
    assert calls_of_64 == [("worker", 64), ("worker", 64), ("worker", 22)]
    assert result["calls_on_the_workers_encoder"] is True


def test_count_tokens_times_counting_then_encoding_each_call_on_the_workers_encoder(monkeypatch):
    calls: list[tuple[str, int]] = []

    class Encoder:
        def count_tokens(self, texts):
            calls.append(("count", len(texts)))
            return [1] * len(texts)

        def encode(self, texts):
            calls.append(("encode", len(texts)))

    monkeypatch.setattr(raw, "load_worker_encoder", lambda model: Encoder())

    result = raw.token_counting_share("any-model", count=150, size=64, rounds=2)

    warm_up, *rounds = calls
    assert warm_up == ("encode", 64)
    one_round = [("count", 64), ("encode", 64), ("count", 64), ("encode", 64), ("count", 22), ("encode", 22)]
    assert rounds == one_round * 2
    assert len(result["count_tokens_seconds"]) == len(result["encode_seconds"]) == 2
    assert 0 < result["count_share_of_medians"] < 1
