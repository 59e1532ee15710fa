"""Re-embedding jobs: counts read from the stored vectors, dual writes while a config is built, one job per
(config, source). Workers are not needed here (tasks are captured); test_jobs_on_the_worker.py runs them."""

import pytest

from chat.models import Message
from embeddings.configs.selectors import config_ids_wanted_by_workers
from embeddings.configs.services import config_create
from embeddings.models import EmbeddingConfig, JobState, ReembedJob, StoredVector, VectorState, hash_text
from embeddings.vectors.jobs import reembed_job_advance, reembed_job_start
from embeddings.vectors.registry import registry
from tests.chat.factories import MessageFactory


@pytest.fixture
def configs(db):
    active = config_create(model="all-MiniLM-L6-v2", activate=True)
    building = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    return active, building


def embed(message, config):
    StoredVector.objects.filter(source_id=message.pk, config=config).update(
        state=VectorState.EMBEDDED, embedding=[0.5] * 384, text_hash=hash_text(message.content)
    )


def test_a_job_queues_every_text_without_a_fresh_vector_as_bulk_work(configs, sent, commit):
    active, building = configs
    with commit():
        messages = [MessageFactory(content=f"text {n}") for n in range(3)]
    sent.clear()

    with commit():
        job = reembed_job_start(building, registry.for_model(Message), requested_via="test")

    assert (job.state, job.total, job.done, job.pending, job.failed) == (JobState.RUNNING, 3, 0, 3, 0)
    assert sent == [("chat.message", [m.pk for m in messages], building.pk, False)]
    assert building.pk in config_ids_wanted_by_workers()  # workers load the config being built
    assert EmbeddingConfig.objects.active().pk == active.pk  # the active config serves meanwhile


def test_counts_come_from_the_rows_and_the_job_completes_when_nothing_is_pending(configs, sent):
    _, building = configs
    messages = [MessageFactory(content=f"text {n}") for n in range(2)]
    job = reembed_job_start(building, registry.for_model(Message))

    embed(messages[0], building)
    job = reembed_job_advance(job)
    assert (job.done, job.pending, job.state) == (1, 1, JobState.RUNNING)

    StoredVector.objects.filter(source_id=messages[1].pk, config=building).update(
        state=VectorState.FAILED, error="ValueError: bad input"
    )
    job = reembed_job_advance(job)
    assert (job.done, job.failed, job.pending, job.state) == (1, 1, 0, JobState.COMPLETED)
    assert job.errors == ["ValueError: bad input"]
    assert building.pk not in config_ids_wanted_by_workers()


def test_a_text_written_during_the_build_is_requested_for_both_configs(configs, sent, commit):
    active, building = configs
    with commit():  # (a job with nothing to build completes at once: give it a text)
        MessageFactory(content="already there")
        assert reembed_job_start(building, registry.for_model(Message)).state == JobState.RUNNING
    sent.clear()

    with commit():
        message = MessageFactory(content="written mid-build")

    rows = dict(StoredVector.objects.filter(source_id=message.pk).values_list("config_id", "state"))
    assert rows == {active.pk: VectorState.PENDING, building.pk: VectorState.PENDING}
    assert sorted(sent) == sorted(
        [("chat.message", [message.pk], active.pk, True), ("chat.message", [message.pk], building.pk, True)]
    )


def test_starting_twice_gives_the_running_job(configs, sent):
    _, building = configs
    MessageFactory()
    first = reembed_job_start(building, registry.for_model(Message))

    assert reembed_job_start(building, registry.for_model(Message)).pk == first.pk
    assert ReembedJob.objects.count() == 1


def test_the_admin_api_starts_and_reports_jobs(configs, sent, make_api_key, key_client):
    from rest_framework.test import APIClient

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
    assert (job["source"], job["status"], job["total"], job["pending"]) == ("chat.message", "running", 1, 1)
    followed = admin.get(f"/api/admin/embedding/reembed/{job['job_id']}").json()
    assert followed["job_id"] == job["job_id"]
    bad = admin.post(
        "/api/admin/embedding/reembed", {"config_id": building.pk, "source": "nope.x"}, format="json"
    )
    assert bad.status_code == 400
    assert admin.post("/api/admin/embedding/reembed", {"config_id": 999}, format="json").status_code == 404


def test_a_built_configs_index_is_dropped_for_the_load_and_built_once_its_vectors_are_in(configs, sent):
    from embeddings.vectors.indexes import vector_index_exists

    active, building = configs
    message = MessageFactory(content="to index")
    assert vector_index_exists(building.pk)

    job = reembed_job_start(building, registry.for_model(Message))
    assert not vector_index_exists(building.pk)  # no HNSW insert per stored row during the load
    assert vector_index_exists(active.pk)  # the active config's search keeps its index

    embed(message, building)
    assert reembed_job_advance(job).state == JobState.COMPLETED
    assert vector_index_exists(building.pk)
