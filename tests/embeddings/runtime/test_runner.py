import threading

import numpy as np
import pytest

from embeddings.runtime.runner import ModelRunner
from tests.embeddings.runtime.fakes import CountingWork, FakeEncoder, FakeSource


def test_concurrent_small_requests_share_forward_passes_and_get_their_own_rows():
    encoder = FakeEncoder(delay=0.02)
    runner = ModelRunner(encoder, max_texts=64)
    results: dict[int, np.ndarray] = {}

    def call(index: int) -> None:
        results[index] = runner.encode([f"text {index}"], timeout=10)

    threads = [threading.Thread(target=call, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    runner.stop()

    assert runner.forward_passes < 20
    assert sum(len(call) for call in encoder.calls) == 20
    for index in range(20):
        np.testing.assert_array_equal(results[index], FakeEncoder().encode([f"text {index}"]))


def test_a_lone_request_runs_at_once_without_waiting_for_company():
    encoder = FakeEncoder()
    runner = ModelRunner(encoder, max_texts=64, idle_wait=30)

    result = runner.submit(["alone"]).result(timeout=5)  # an idle wait of 30 s would time this out
    runner.stop()

    assert result.shape == (1, 8)


def test_a_batch_never_grows_past_max_texts_unless_one_request_is_larger():
    encoder = FakeEncoder(delay=0.05)
    runner = ModelRunner(encoder, max_texts=4)
    blocker = runner.submit(["first"])  # keeps the thread busy while the rest queue up
    futures = [runner.submit(["a", "b", "c"]) for _ in range(3)] + [runner.submit(list("abcdefgh"))]
    for future in [blocker, *futures]:
        future.result(timeout=10)
    runner.stop()

    assert sum(len(call) for call in encoder.calls) == 1 + 9 + 8
    assert all(len(call) <= 4 or call == list("abcdefgh") for call in encoder.calls)
    assert list("abcdefgh") in encoder.calls


def test_an_encoder_error_reaches_every_request_of_that_pass():
    class Failing(FakeEncoder):
        def encode(self, texts):
            raise ValueError("model exploded")

    runner = ModelRunner(Failing())

    with pytest.raises(ValueError, match="model exploded"):
        runner.encode(["x"], timeout=10)
    runner.stop()


def test_a_request_whose_texts_are_refused_fails_alone_and_the_rest_of_the_pass_succeeds():
    encoder, source = FakeEncoder(), FakeSource()
    good, bad = CountingWork(["fine"]), CountingWork(["bad"], fail_with=ValueError("input[0] too long"))
    source.put(bad, good)
    runner = ModelRunner(encoder, source)
    good.finished.wait(5)
    bad.finished.wait(5)
    runner.stop()

    assert str(bad.error) == "input[0] too long" and bad.result is None
    np.testing.assert_array_equal(good.result, FakeEncoder().encode(["fine"]))
    assert encoder.calls == [["fine"]]


def test_submit_after_stop_is_refused_and_the_source_is_closed():
    source = FakeSource()
    runner = ModelRunner(FakeEncoder(), source, idle_wait=0.05)
    runner.stop()

    with pytest.raises(RuntimeError, match="the model runner is stopped"):
        runner.submit(["x"])
    assert source.closed


def test_bulk_work_is_cut_into_pieces_and_an_interactive_request_jumps_the_queue():
    encoder = FakeEncoder(delay=0.05)
    runner = ModelRunner(encoder, max_texts=4)
    bulk_texts = [f"bulk {index}" for index in range(40)]
    bulk_result: dict[str, np.ndarray] = {}
    bulk = threading.Thread(target=lambda: bulk_result.update(vectors=runner.encode_bulk(bulk_texts, 30)))
    bulk.start()
    while not encoder.calls:  # the first bulk piece is being encoded; nine more are queued
        threading.Event().wait(0.001)

    interactive = runner.encode(["a question"], timeout=30)
    bulk.join()
    runner.stop()

    position = next(index for index, call in enumerate(encoder.calls) if "a question" in call)
    assert position <= 2  # behind at most the bulk pass in flight, not behind all ten
    assert max(len(call) for call in encoder.calls) <= 4
    np.testing.assert_array_equal(interactive, FakeEncoder().encode(["a question"]))
    np.testing.assert_array_equal(bulk_result["vectors"], FakeEncoder().encode(bulk_texts))


def test_a_source_request_goes_before_waiting_bulk_work():
    encoder, source = FakeEncoder(delay=0.05), FakeSource()
    runner = ModelRunner(encoder, source, max_texts=4, idle_wait=0.05)
    bulk = [runner.submit([f"bulk {index}"], bulk=True) for index in range(5)]
    while not encoder.calls:
        threading.Event().wait(0.001)
    request = CountingWork(["from the queue"])
    source.put(request)

    request.finished.wait(10)
    for future in bulk:
        future.result(timeout=10)
    runner.stop()

    position = next(index for index, call in enumerate(encoder.calls) if "from the queue" in call)
    assert position <= 2
    assert source.settled >= len(encoder.calls)


def test_the_source_is_asked_to_block_only_when_the_runner_has_nothing_to_do():
    encoder, source = FakeEncoder(delay=0.02), FakeSource()
    runner = ModelRunner(encoder, source, idle_wait=0.05)
    for _ in range(3):
        runner.submit(["local"], bulk=True)
    threading.Event().wait(0.3)
    runner.stop()

    busy_takes = source.waits[: source.waits.index(0.05)] if 0.05 in source.waits else source.waits
    assert busy_takes and all(wait == 0 for wait in busy_takes)
    assert 0.05 in source.waits  # idle: it waits on the source, not on a timer


def test_only_the_runner_thread_touches_the_encoder():
    encoder, source = FakeEncoder(delay=0.01), FakeSource()
    runner = ModelRunner(encoder, source, idle_wait=0.05)
    works = [CountingWork([f"text {index}"]) for index in range(10)]
    callers = [threading.Thread(target=runner.encode, args=([f"local {index}"], 10)) for index in range(10)]
    for caller in callers:
        caller.start()
    source.put(*works)
    for caller in callers:
        caller.join()
    for work in works:
        work.finished.wait(10)
    runner.stop()

    assert len(encoder.threads) == 1
    assert encoder.threads != {threading.get_ident()}


def test_stop_finishes_the_work_already_submitted():
    encoder = FakeEncoder(delay=0.01)
    runner = ModelRunner(encoder, max_texts=2)
    futures = [runner.submit([f"text {index}"]) for index in range(6)]

    runner.stop()

    assert all(future.done() for future in futures)


def test_bulk_pieces_group_texts_of_similar_length_and_vectors_come_back_in_input_order():
    encoder = FakeEncoder()
    runner = ModelRunner(encoder, max_texts=2)
    texts = ["a" * 40, "b", "c" * 30, "d" * 2]

    vectors = runner.encode_bulk(texts, timeout=10)
    runner.stop()

    assert encoder.calls == [["b", "dd"], ["c" * 30, "a" * 40]]  # shortest first, two per piece
    np.testing.assert_array_equal(vectors, FakeEncoder().encode(texts))


def test_bulk_work_submitted_while_the_runner_waits_on_its_source_wakes_it_at_once():
    source = FakeSource()
    runner = ModelRunner(FakeEncoder(), source, max_texts=4, idle_wait=30)
    while not source.waits:  # the runner is idle, blocked in take() for up to 30 s
        threading.Event().wait(0.01)

    vectors = runner.encode_bulk(["a stored text"], timeout=5)  # would time out without the wake
    runner.stop()

    assert vectors.shape == (1, 8) and source.woken >= 1


def test_stop_ends_a_wait_on_the_source_at_once():
    source = FakeSource()
    runner = ModelRunner(FakeEncoder(), source, max_texts=4, idle_wait=30)
    while not source.waits:  # blocked in take() for up to 30 s
        threading.Event().wait(0.01)

    stopper = threading.Thread(target=runner.stop)
    stopper.start()
    stopper.join(timeout=5)

    assert not stopper.is_alive() and source.closed and source.woken >= 1
