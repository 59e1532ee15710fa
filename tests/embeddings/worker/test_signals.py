"""The worker's shutdown hook: the model threads stop, and the exit skips the final walk over every object."""

from __future__ import annotations

import gc

from embeddings.worker import signals


def test_shutdown_stops_the_model_threads_and_freezes_the_heap_for_the_exit(monkeypatch):
    stopped, registered = [], []

    class Thread:
        def stop(self) -> None:
            stopped.append(self)

    threads = [Thread(), Thread()]
    monkeypatch.setattr(signals, "_threads", list(threads))
    monkeypatch.setattr(signals.atexit, "register", registered.append)

    signals.stop_model_threads()

    assert stopped == threads[::-1] and signals._threads == []
    assert registered == [gc.freeze]
