"""Re-embedding progress in /metrics: open jobs' counts, rate and ETA; stored vectors per config and state."""

from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from chat.models import Message
from embeddings.configs.services import config_create
from embeddings.models import JobState, ReembedJob
from embeddings.vectors.jobs import reembed_job_plan, reembed_job_start
from embeddings.vectors.registry import registry
from tests.chat.factories import MessageFactory


def samples(name: str) -> dict[tuple, float]:
    text = Client().get("/metrics").content.decode()
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


def test_an_open_jobs_progress_and_the_stored_vectors_are_in_metrics(db, sent, planned, commit):
    active = config_create(model="all-MiniLM-L6-v2", activate=True)
    building = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    with commit():
        MessageFactory(content="one")
        MessageFactory(content="two")
        job = reembed_job_plan(reembed_job_start(building, registry.for_model(Message)).pk)
    ReembedJob.objects.filter(pk=job.pk).update(done=1, pending=1, rate=2.0)

    labels = (("config_id", str(building.pk)), ("job_id", str(job.pk)), ("source", "chat.message"))
    labels += (("state", JobState.RUNNING),)
    assert samples("embedplatform_reembed_job_total") == {tuple(sorted(labels)): 2}
    assert samples("embedplatform_reembed_job_done") == {tuple(sorted(labels)): 1}
    assert samples("embedplatform_reembed_job_eta_seconds") == {tuple(sorted(labels)): 0.5}
    assert samples("embedplatform_stored_vectors") == {
        (("config_id", str(active.pk)), ("state", "pending")): 2,
        (("config_id", str(building.pk)), ("state", "pending")): 2,
    }

    ReembedJob.objects.filter(pk=job.pk).update(state=JobState.COMPLETED)
    assert samples("embedplatform_reembed_job_total") == {}  # ended jobs leave the metrics
