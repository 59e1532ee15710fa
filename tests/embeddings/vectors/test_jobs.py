"""Re-embedding jobs: planned by a worker, counts read from the stored vectors, dual writes while a config is
built, one open job per (config, source), pause / resume / cancel. Workers are not needed here (tasks are
captured, the plan is run in-process as a worker would); test_jobs_on_the_worker.py runs them for real."""

import pytest
from rest_framework.test import APIClient

from chat.models import Message
from embeddings.configs.selectors import config_ids_wanted_by_workers
from embeddings.configs.services import config_create
from embeddings.errors import JobStateError
from embeddings.models import EmbeddingConfig, JobState, ReembedJob, StoredVector, VectorState, hash_text
from embeddings.vectors.indexes import vector_index_exists
from embeddings.vectors.jobs import (
    reembed_job_advance,
    reembed_job_cancel,
    reembed_job_pause,
    reembed_job_plan,
    reembed_job_resume,
    reembed_job_start,
)
from embeddings.vectors.registry import registry
from tests.chat.factories import MessageFactory
from tests.fleet import FakeFleet


@pytest.fixture
def configs(db):
    active = config_create(model="all-MiniLM-L6-v2", activate=True)
    building = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    return active, building


def embed(message, config):
    StoredVector.objects.filter(source_id=message.pk, config=config).update(
        state=VectorState.EMBEDDED, embedding=[0.5] * 384, text_hash=hash_text(message.content)
    )


def started(config) -> ReembedJob:
    """A job started and planned, as a worker would plan it."""
    job = reembed_job_start(config, registry.for_model(Message), requested_via="test")
    return reembed_job_plan(job.pk)


def test_a_job_is_queued_and_a_worker_plans_it_queuing_every_text_without_a_fresh_vector(
    configs, sent, planned, commit
):
    active, building = configs
    with commit():
        messages = [MessageFactory(content=f"text {n}") for n in range(3)]
    sent.clear()

    with commit():
        job = reembed_job_start(building, registry.for_model(Message), requested_via="test")
    assert (job.state, planned, sent) == (JobState.QUEUED, [job.pk], [])  # no text read in the request
    assert building.pk in config_ids_wanted_by_workers()  # workers load the config while it is planned

    with commit():
        job = reembed_job_plan(job.pk)

    assert (job.state, job.total, job.done, job.pending, job.failed) == (JobState.RUNNING, 3, 0, 3, 0)
    assert sent == [("chat.message", [m.pk for m in messages], building.pk, False, job.pk)]
    assert building.pk in config_ids_wanted_by_workers()
    assert EmbeddingConfig.objects.active().pk == active.pk  # the active config serves meanwhile


def test_counts_come_from_the_rows_and_the_job_completes_when_nothing_is_pending(configs, sent, planned):
    _, building = configs
    messages = [MessageFactory(content=f"text {n}") for n in range(2)]
    job = started(building)

    embed(messages[0], building)
    job = reembed_job_advance(job)
    assert (job.done, job.pending, job.state, job.percent) == (1, 1, JobState.RUNNING, 50.0)

    StoredVector.objects.filter(source_id=messages[1].pk, config=building).update(
        state=VectorState.FAILED, error="ValueError: bad input"
    )
    job = reembed_job_advance(job)
    assert (job.done, job.failed, job.pending, job.state) == (1, 1, 0, JobState.COMPLETED)
    assert job.errors == ["ValueError: bad input"]
    assert building.pk not in config_ids_wanted_by_workers()


def test_a_text_written_during_the_build_is_requested_for_both_configs(configs, sent, planned, commit):
    active, building = configs
    with commit():  # (a job with nothing to build completes at once: give it a text)
        MessageFactory(content="already there")
        assert started(building).state == JobState.RUNNING
    sent.clear()

    with commit():
        message = MessageFactory(content="written mid-build")

    rows = dict(StoredVector.objects.filter(source_id=message.pk).values_list("config_id", "state"))
    assert rows == {active.pk: VectorState.PENDING, building.pk: VectorState.PENDING}
    assert sorted(sent) == sorted(
        [("chat.message", [message.pk], active.pk, True), ("chat.message", [message.pk], building.pk, True)]
    )


def test_starting_twice_gives_the_open_job_and_starting_a_paused_one_resumes_it(configs, sent, planned):
    _, building = configs
    MessageFactory()
    first = started(building)

    assert reembed_job_start(building, registry.for_model(Message)).pk == first.pk
    reembed_job_pause(first)
    again = reembed_job_start(building, registry.for_model(Message))
    assert (again.pk, again.state) == (first.pk, JobState.QUEUED)  # planned again, then it runs
    assert ReembedJob.objects.count() == 1


def test_pause_resume_and_cancel_move_the_job_and_refuse_what_its_state_does_not_allow(
    configs, sent, planned, commit
):
    _, building = configs
    with commit():  # (texts saved outside one would leave their commit buffer unsent)
        MessageFactory(content="one")
        MessageFactory(content="two")
        job = started(building)

    job = reembed_job_pause(job)
    assert job.state == JobState.PAUSED
    assert reembed_job_advance(job).state == JobState.PAUSED  # counted, never completed while paused
    assert building.pk not in config_ids_wanted_by_workers()  # nothing to embed for it meanwhile
    with pytest.raises(JobStateError, match=r"job \d+ is paused: only a running job can be paused"):
        reembed_job_pause(job)

    sent.clear()
    with commit():
        job = reembed_job_resume(job)
    assert (job.state, planned[-1]) == (JobState.QUEUED, job.pk)
    with commit():
        job = reembed_job_plan(job.pk)  # the worker requests what is still pending, for this job
    assert job.state == JobState.RUNNING
    assert [call[-1] for call in sent] == [job.pk]
    with pytest.raises(JobStateError, match=r"job \d+ is running: only a paused job can be resumed"):
        reembed_job_resume(job)

    job = reembed_job_cancel(job, reason="cancelled by test")
    assert (job.state, job.error, job.finished_at is not None) == (
        JobState.CANCELLED,
        "cancelled by test",
        True,
    )
    with pytest.raises(JobStateError, match=r"job \d+ is cancelled: the job has already ended"):
        reembed_job_cancel(job)
    assert reembed_job_start(building, registry.for_model(Message)).pk != job.pk  # a new job may start


def test_a_chunk_of_a_paused_job_leaves_its_rows_pending(configs, sent, planned):
    from embeddings.worker.source_embedding import embed_pending_sources

    _, building = configs
    message = MessageFactory(content="left for later")
    job = started(building)
    reembed_job_pause(job)

    assert embed_pending_sources("chat.message", [message.pk], building.pk, job.pk) == 0
    row = StoredVector.objects.get(source_id=message.pk, config=building)
    assert row.state == VectorState.PENDING


def test_a_job_fails_when_every_live_worker_failed_to_load_its_model(configs, sent, planned, monkeypatch):
    _, building = configs
    fleet = FakeFleet(monkeypatch)
    MessageFactory()
    job = started(building)
    fleet.worker("a", errors={building.pk: "no .onnx file under /nowhere"})
    fleet.worker("b", loaded=[building.pk])
    assert reembed_job_advance(job).state == JobState.RUNNING  # b can still do it

    fleet.worker("b", errors={building.pk: "out of memory"})
    job = reembed_job_advance(job)
    assert job.state == JobState.FAILED
    assert job.error == "no worker could load the model (a: no .onnx file under /nowhere; b: out of memory)"


def test_the_admin_api_starts_follows_pauses_resumes_and_cancels_jobs(
    configs, sent, planned, make_api_key, key_client
):
    _, building = configs
    MessageFactory()
    admin = APIClient()
    admin.credentials(HTTP_AUTHORIZATION=f"Bearer {make_api_key('admin')}")

    assert (
        key_client.post("/api/admin/embedding/reembed", {"config_id": building.pk}, format="json").status_code
        == 403
    )
    response = admin.post("/api/admin/embedding/reembed", {"config_id": building.pk}, format="json")
    assert response.status_code == 202
    [job] = response.json()
    assert (job["source"], job["status"]) == ("chat.message", "queued")
    reembed_job_plan(job["job_id"])
    followed = admin.get(f"/api/admin/embedding/reembed/{job['job_id']}").json()
    assert (followed["status"], followed["total"], followed["pending"]) == ("running", 1, 1)

    url = f"/api/admin/embedding/reembed/{job['job_id']}"
    assert admin.post(f"{url}/pause").json()["status"] == "paused"
    conflict = admin.post(f"{url}/pause")
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "job_state_conflict"
    assert admin.post(f"{url}/resume").json()["status"] == "queued"
    assert admin.post(f"{url}/cancel").json()["status"] == "cancelled"
    assert admin.post("/api/admin/embedding/reembed/999/cancel").status_code == 404
    bad = admin.post(
        "/api/admin/embedding/reembed", {"config_id": building.pk, "source": "nope.x"}, format="json"
    )
    assert bad.status_code == 400
    assert admin.post("/api/admin/embedding/reembed", {"config_id": 999}, format="json").status_code == 404


def test_a_built_configs_index_is_dropped_for_the_load_and_built_once_its_vectors_are_in(
    configs, sent, planned
):
    active, building = configs
    message = MessageFactory(content="to index")
    assert vector_index_exists(building.pk)

    job = started(building)
    assert not vector_index_exists(building.pk)  # no HNSW insert per stored row during the load
    assert vector_index_exists(active.pk)  # the active config's search keeps its index

    embed(message, building)
    assert reembed_job_advance(job).state == JobState.COMPLETED
    assert vector_index_exists(building.pk)


def test_while_the_index_builds_the_job_says_every_vector_is_in_and_it_completes_after(
    configs, sent, planned, monkeypatch
):
    _, building = configs
    message = MessageFactory(content="to index")
    job = started(building)
    embed(message, building)
    seen = []

    def build(config):
        seen.append(ReembedJob.objects.values_list("state", "done", "pending").get(pk=job.pk))
        return True

    monkeypatch.setattr("embeddings.vectors.jobs.vector_index_build", build)
    job = reembed_job_advance(job)

    assert seen == [(JobState.RUNNING, 1, 0)]  # readers see the load done during a long build
    assert (job.state, job.finished_at is not None) == (JobState.COMPLETED, True)
    assert ReembedJob.objects.get(pk=job.pk).state == JobState.COMPLETED


def test_a_job_paused_while_its_index_builds_stays_paused(configs, sent, planned, monkeypatch):
    _, building = configs
    message = MessageFactory(content="to index")
    job = started(building)
    embed(message, building)

    def build(config):
        reembed_job_pause(ReembedJob.objects.get(pk=job.pk))
        return True

    monkeypatch.setattr("embeddings.vectors.jobs.vector_index_build", build)
    job = reembed_job_advance(job)

    assert (job.state, job.pending) == (JobState.PAUSED, 0)
