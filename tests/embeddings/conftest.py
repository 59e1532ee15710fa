import pytest


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs the on-commit callbacks of the block (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sent(monkeypatch):
    """The embedding tasks that would reach the broker: (source type, ids, config id, live), and for a job's
    chunks the job id last."""
    calls = []

    def send(*args, live=False, job_id=None):
        calls.append((*args, live) if job_id is None else (*args, live, job_id))

    monkeypatch.setattr("embeddings.vectors.services.send_embed_sources", send)
    return calls


@pytest.fixture
def planned(monkeypatch):
    """The job ids whose planning task would reach the broker (a worker runs reembed_job_plan)."""
    calls = []
    monkeypatch.setattr("embeddings.vectors.jobs.send_reembed_job_plan", calls.append)
    return calls
