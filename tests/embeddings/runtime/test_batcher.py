import threading

import numpy as np
import pytest

from embeddings.runtime.batcher import MicroBatcher
from tests.embeddings.runtime.fakes import FakeEncoder


def test_concurrent_small_requests_share_forward_passes_and_get_their_own_rows():
    encoder = FakeEncoder(delay=0.02)
    batcher = MicroBatcher(encoder.encode, max_texts=64, max_wait=0.05)
    results: dict[int, np.ndarray] = {}

    def call(index: int) -> None:
        results[index] = batcher.encode([f"text {index}"], timeout=10)

    threads = [threading.Thread(target=call, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    batcher.stop()

    assert batcher.forward_passes < 20
    assert sum(len(call) for call in encoder.calls) == 20
    for index in range(20):
        np.testing.assert_array_equal(results[index], encoder.encode([f"text {index}"]))


def test_a_batch_never_grows_past_max_texts_unless_one_request_is_larger():
    encoder = FakeEncoder(delay=0.05)
    batcher = MicroBatcher(encoder.encode, max_texts=4, max_wait=0.2)
    futures = [batcher.submit(["a", "b", "c"]) for _ in range(3)] + [batcher.submit(list("abcdefgh"))]
    for future in futures:
        future.result(timeout=10)
    batcher.stop()

    assert sorted(len(call) for call in encoder.calls) == [3, 3, 3, 8]


def test_an_encoder_error_reaches_every_caller_of_that_batch():
    def failing(texts):
        raise ValueError("model exploded")

    batcher = MicroBatcher(failing, max_texts=8, max_wait=0.01)

    with pytest.raises(ValueError, match="model exploded"):
        batcher.encode(["x"], timeout=10)
    batcher.stop()


def test_submit_after_stop_is_refused():
    batcher = MicroBatcher(FakeEncoder().encode)
    batcher.stop()

    with pytest.raises(RuntimeError, match="the batcher is stopped"):
        batcher.submit(["x"])


def test_bulk_work_is_cut_into_pieces_and_an_interactive_request_jumps_the_queue():
    encoder = FakeEncoder(delay=0.05)
    batcher = MicroBatcher(encoder.encode, max_texts=4, max_wait=0.001)
    bulk_texts = [f"bulk {index}" for index in range(40)]
    bulk_result: dict[str, np.ndarray] = {}
    bulk = threading.Thread(target=lambda: bulk_result.update(vectors=batcher.encode_bulk(bulk_texts, 30)))
    bulk.start()
    while not encoder.calls:  # the first bulk piece is being encoded; nine more are queued
        threading.Event().wait(0.001)

    interactive = batcher.encode(["a question"], timeout=30)
    bulk.join()
    batcher.stop()

    position = next(index for index, call in enumerate(encoder.calls) if "a question" in call)
    assert position <= 2  # behind at most the bulk pass in flight, not behind all ten
    assert max(len(call) for call in encoder.calls) <= 4
    np.testing.assert_array_equal(interactive, encoder.encode(["a question"]))
    np.testing.assert_array_equal(bulk_result["vectors"], encoder.encode(bulk_texts))


def test_stop_finishes_the_work_already_queued():
    encoder = FakeEncoder(delay=0.01)
    batcher = MicroBatcher(encoder.encode, max_texts=2, max_wait=0.001)
    futures = [batcher.submit([f"text {index}"]) for index in range(6)]

    batcher.stop()

    assert all(future.done() for future in futures)
