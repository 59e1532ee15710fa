"""A worker killed with SIGKILL in the middle of a re-embedding job: the job still completes, with exact
counts and one vector per text (its lost tasks are queued again once the job stalls)."""

import os
import signal
import time

import pytest
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from chat.models import Message
from embeddings.models import JobState, StoredVector, VectorState
from embeddings.vectors.jobs import reembed_job_advance, reembed_job_start
from embeddings.vectors.registry import registry
from embeddings.wire.keys import WORKERS, worker_metrics_key
from embedplatform.redis_connection import get_redis
from tests.chat.factories import ConversationFactory
from tests.conftest import _database_url_for
from tests.processes import start_worker_process, stop_process, wait_until_live

pytestmark = pytest.mark.worker

CORPUS = 1200


def forward_passes(worker_prefix: str, config_id: int) -> float:
    """Forward passes the worker has reported for the config (its metrics snapshot in Redis)."""
    client = get_redis()
    names = [raw.decode() for raw in client.smembers(WORKERS) if raw.decode().startswith(worker_prefix)]
    snapshots = [(client.get(worker_metrics_key(name)) or b"").decode() for name in names]
    samples = [
        sample
        for snapshot in snapshots
        for family in text_string_to_metric_families(snapshot)
        for sample in family.samples
        if sample.name == "embedplatform_worker_batch_texts_count"
    ]
    return sum(sample.value for sample in samples if sample.labels.get("config_id") == str(config_id))


def doomed_serves(config_id: int) -> bool:
    from embeddings.client.fleet import worker_list

    return any(w["name"].startswith("killed@") and config_id in w["loaded_config_ids"] for w in worker_list())


def test_a_job_completes_exactly_after_a_worker_is_killed_mid_job(served_config, settings):
    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "JOB_STALL_SECONDS": 3}
    doomed = start_worker_process("killed@%h", _database_url_for(connection.settings_dict["NAME"]))
    try:
        wait_until_live(doomed, "killed@")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "killed@" not in str(
            get_redis().smembers("embedplatform:workers")
        ):
            time.sleep(0.2)
        conversation = ConversationFactory()
        Message.objects.bulk_create(
            Message(conversation=conversation, role="user", content=f"text {n} to embed again")
            for n in range(CORPUS)
        )
        job = reembed_job_start(served_config, registry.for_model(Message))
        deadline = time.monotonic() + 60
        while forward_passes("killed@", served_config.pk) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(doomed.pid, signal.SIGKILL)  # mid-job: its chunk and its reserved tasks are lost with it
        doomed.wait()
    finally:
        stop_process(doomed)

    deadline = time.monotonic() + 180
    while job.state in JobState.moving() and time.monotonic() < deadline:
        time.sleep(0.5)
        job.refresh_from_db()
        job = reembed_job_advance(job)

    assert (job.state, job.total, job.done, job.failed, job.pending) == (
        JobState.COMPLETED,
        CORPUS,
        CORPUS,
        0,
        0,
    )
    rows = StoredVector.objects.filter(config=served_config, source_type="chat.message")
    assert rows.count() == CORPUS and rows.filter(state=VectorState.EMBEDDED).count() == CORPUS
