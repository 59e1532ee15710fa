"""A re-embedding job on the real worker: it builds an inactive config's vectors while the active config
serves, a message written mid-build gets vectors from both, and the counts come out exact; a paused job
stops storing and, resumed, completes with exact counts."""

import time

import numpy as np
import pytest

from chat.models import Message
from embeddings.configs.services import config_create
from embeddings.models import EmbeddingConfig, JobState, StoredVector, VectorState
from embeddings.runtime.loader import load_encoder
from embeddings.vectors.jobs import (
    reembed_job_advance,
    reembed_job_pause,
    reembed_job_resume,
    reembed_job_start,
)
from embeddings.vectors.registry import registry
from embeddings.vectors.services import vectors_backfill
from embeddings.worker.model_specs import spec_for_config
from tests.chat.factories import ConversationFactory

pytestmark = pytest.mark.worker

CORPUS = 200


def wait_until(predicate, timeout=120, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} not reached within {timeout} s")


def followed_to_its_end(job, what: str):
    """The job, advanced (as readers do) until it is no longer queued or running."""

    def ended():
        job.refresh_from_db()
        return reembed_job_advance(job).state not in JobState.moving()

    wait_until(ended, what=what)
    return job  # advanced in place


def test_a_job_builds_another_configs_vectors_while_the_active_one_serves(served_config, api_client):
    conversation = ConversationFactory()
    corpus = Message.objects.bulk_create(
        Message(conversation=conversation, role="user", content=f"message {n} about proofing dough")
        for n in range(CORPUS)
    )
    vectors_backfill(registry.for_model(Message), served_config)
    embedded = StoredVector.objects.filter(config=served_config, state=VectorState.EMBEDDED)
    wait_until(lambda: embedded.count() == CORPUS, what="the active config's vectors")
    paraphrase = config_create(model="paraphrase-MiniLM-L3-v2-onnx")

    job = reembed_job_start(paraphrase, registry.for_model(Message), requested_via="test")
    mid_build = Message.objects.create(conversation=conversation, role="user", content="written mid-build")
    search = api_client.post("/api/chat/search", {"query": "dough", "k": 3}, format="json").json()
    assert search["config_id"] == served_config.pk  # the active config answers while the other is built

    job = followed_to_its_end(job, what="the job's end")
    assert (job.state, job.total, job.done, job.failed, job.pending) == (
        JobState.COMPLETED,
        CORPUS + 1,
        CORPUS + 1,
        0,
        0,
    )
    assert EmbeddingConfig.objects.active().pk == served_config.pk
    wait_until(
        lambda: StoredVector.objects.filter(source_id=mid_build.pk, state=VectorState.EMBEDDED).count() == 2,
        what="the mid-build message's two vectors",
    )
    reference = load_encoder(spec_for_config(paraphrase), threads=1)
    for message in [corpus[0], corpus[-1], mid_build]:
        row = StoredVector.objects.get(source_id=message.pk, config=paraphrase)
        expected = reference.encode([message.content])[0]
        vector = np.asarray(row.embedding.to_list() if hasattr(row.embedding, "to_list") else row.embedding)
        cosine = float(vector @ expected / (np.linalg.norm(vector) * np.linalg.norm(expected)))
        assert cosine >= 0.9999


def test_a_paused_job_stops_embedding_and_resumes_to_exact_counts(served_config):
    conversation = ConversationFactory()
    Message.objects.bulk_create(
        Message(conversation=conversation, role="user", content=f"text {n} built in two goes")
        for n in range(1500)
    )
    paraphrase = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    job = reembed_job_start(paraphrase, registry.for_model(Message), requested_via="test")
    stored = StoredVector.objects.filter(config=paraphrase, state=VectorState.EMBEDDED)
    wait_until(lambda: stored.count() > 0, what="the first stored vectors")

    job = reembed_job_pause(job)
    settled = []  # chunks already in a forward pass finish; then nothing more is stored

    def settles():
        settled.append(stored.count())
        return len(settled) > 4 and settled[-1] == settled[-5]

    wait_until(settles, what="a paused job to stop storing")
    job.refresh_from_db()
    job = reembed_job_advance(job)
    assert job.state == JobState.PAUSED
    assert 0 < job.done < 1500 and job.pending == 1500 - job.done

    job = reembed_job_resume(job)

    job = followed_to_its_end(job, what="the resumed job's end")
    assert (job.state, job.total, job.done, job.failed, job.pending) == (JobState.COMPLETED, 1500, 1500, 0, 0)
    assert StoredVector.objects.filter(config=paraphrase).count() == 1500
