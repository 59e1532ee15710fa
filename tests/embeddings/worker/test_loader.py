"""The loader thread's stop: no load starts once stopping, and a load under way does not hold the worker's
shutdown (a worker stopped during a model load took ten more seconds to exit)."""

from __future__ import annotations

import threading

import pytest

from embeddings.worker import loader


@pytest.fixture
def loads(monkeypatch) -> list[int]:
    """Two configs wanted; what the loader loads is recorded instead of loading a model."""
    started: list[int] = []
    monkeypatch.setattr(loader, "config_ids_wanted_by_workers", lambda: [101, 102])
    monkeypatch.setattr(loader.ModelLoader, "_advance_activations", lambda self: None)
    monkeypatch.setattr(loader.ModelLoader, "_changed", lambda self: None)
    return started


def test_a_loader_told_to_stop_during_a_load_starts_no_other(loads, monkeypatch):
    model_loader = loader.ModelLoader()

    def load(config_id, keep):
        loads.append(config_id)
        model_loader._stop.set()  # the worker's shutdown arrives during this load

    monkeypatch.setattr(loader, "ensure_config_loaded", load)
    model_loader.converge()

    assert loads == [101]


def test_stop_does_not_wait_for_a_load_under_way(loads, monkeypatch):
    release = threading.Event()
    loading = threading.Event()

    def slow_load(config_id, keep):
        loads.append(config_id)
        loading.set()
        release.wait(60)

    monkeypatch.setattr(loader, "ensure_config_loaded", slow_load)
    model_loader = loader.ModelLoader()
    model_loader.start()
    stopped = threading.Event()
    try:
        assert loading.wait(10)
        threading.Thread(target=lambda: (model_loader.stop(), stopped.set()), daemon=True).start()

        assert stopped.wait(5)  # the load would go on for a minute
        assert model_loader.loading is not None
    finally:
        release.set()
        model_loader._thread.join(10)
    assert loads == [101] and not model_loader._thread.is_alive()
