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


def test_with_parallel_runs_the_calls_of_n_go_to_the_workers_encoder_and_one_call_to_the_raw_one(monkeypatch):
    calls: list[tuple[bool, int]] = []

    def load_encode(model, parallel_runs=False):
        return lambda texts: calls.append((parallel_runs, len(texts)))

    monkeypatch.setattr(raw, "load_encode", load_encode)

    result = raw.compare_request_sizes("any-model", count=150, size=64, rounds=1, parallel_runs=True)

    assert calls == [(False, 64), (True, 64), (False, 150), (True, 64), (True, 64), (True, 22)]
    assert result["calls_with_parallel_runs"] is True


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
