import pytest


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs the on-commit callbacks of the block (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sent(monkeypatch):
    """The embedding tasks that would reach the broker: (source type, ids, config id, live)."""
    calls = []

    def send(*args, live=False):
        calls.append((*args, live))

    monkeypatch.setattr("embeddings.vectors.services.send_embed_sources", send)
    return calls
