"""Activate when built: an activation first builds the config's missing and stale vectors (a re-embedding
job per source) while the old config serves, then flips as usual. The fleet is faked and the job's plan runs
in-process, as a worker would run it; test_model_switch.py and test_jobs_on_the_worker.py use real workers."""

from chat.models import Message
from embeddings.configs.activation import activation_advance, activation_start
from embeddings.configs.services import config_create
from embeddings.models import ActivationState, EmbeddingConfig, JobState, StoredVector, VectorState, hash_text
from embeddings.vectors.jobs import reembed_job_cancel, reembed_job_plan
from tests.chat.factories import MessageFactory


def embed_all(config):
    for message in Message.objects.all():
        StoredVector.objects.update_or_create(
            source_type="chat.message",
            source_id=message.pk,
            config=config,
            defaults={
                "state": VectorState.EMBEDDED,
                "embedding": [0.5] * 384,
                "text_hash": hash_text(message.content),
            },
        )


def test_with_stored_texts_the_activation_builds_first_then_loads_then_flips(
    fake_fleet, old, new, sent, planned, commit
):
    MessageFactory(content="one")
    MessageFactory(content="two")
    fake_fleet.worker("a", loaded=[old.pk, new.pk])  # already loaded: without a build it would flip at once

    with commit():
        activation = activation_start(new)
    assert (activation.state, activation.build_first) == (ActivationState.BUILDING, True)
    [job] = activation.jobs.all()
    assert (job.source_type, job.state, planned) == ("chat.message", JobState.QUEUED, [job.pk])
    reembed_job_plan(job.pk)
    assert activation_advance(activation).state == ActivationState.BUILDING
    assert EmbeddingConfig.objects.active().pk == old.pk  # the old config serves during the build

    embed_all(new)
    activation = activation_advance(activation)
    assert activation.state == ActivationState.ACTIVE
    assert activation.built_at is not None
    assert EmbeddingConfig.objects.active().pk == new.pk


def test_activate_now_flips_without_building(fake_fleet, old, new, sent, planned):
    MessageFactory(content="one")
    fake_fleet.worker("a", loaded=[old.pk, new.pk])

    activation = activation_start(new, when_built=False)

    assert (activation.state, activation.build_first, list(activation.jobs.all())) == (
        ActivationState.ACTIVE,
        False,
        [],
    )


def test_with_every_text_already_built_nothing_is_built(fake_fleet, old, new, sent, planned):
    MessageFactory(content="one")
    embed_all(new)
    fake_fleet.worker("a", loaded=[old.pk, new.pk])

    activation = activation_start(new)

    assert activation.state == ActivationState.ACTIVE
    assert planned == []


def test_reactivating_an_older_config_rebuilds_its_stale_vectors_first(fake_fleet, old, new, sent, planned):
    message = MessageFactory(content="first words")
    embed_all(old)
    embed_all(new)
    old.is_active = False
    old.save()
    new.is_active = True
    new.save()
    message.content = "edited while the new config was active"
    message.save()  # the old config's vector of it is now stale
    assert StoredVector.objects.get(config=old, source_id=message.pk).state == VectorState.STALE
    fake_fleet.worker("a", loaded=[old.pk, new.pk])

    activation = activation_start(old)

    assert activation.state == ActivationState.BUILDING
    job = reembed_job_plan(activation.jobs.get().pk)
    assert (job.total, job.pending) == (1, 1)
    assert StoredVector.objects.get(config=old, source_id=message.pk).state == VectorState.PENDING


def test_a_cancelled_build_fails_the_activation_and_the_old_config_stays_active(
    fake_fleet, old, new, sent, planned
):
    MessageFactory(content="one")
    fake_fleet.worker("a", loaded=[old.pk])
    activation = activation_start(new)
    job = reembed_job_plan(activation.jobs.get().pk)

    reembed_job_cancel(job, reason="cancelled by an admin")
    activation = activation_advance(activation)

    assert activation.state == ActivationState.FAILED
    assert activation.error == (
        f"the vector build ended (job #{job.pk} (chat.message) cancelled: cancelled by an admin)"
    )
    assert EmbeddingConfig.objects.active().pk == old.pk


def test_the_loading_timeout_counts_from_the_end_of_the_build(fake_fleet, old, new, sent, planned):
    MessageFactory(content="one")
    fake_fleet.worker("a", loaded=[old.pk], loading=new.pk)
    activation = activation_start(new, timeout_seconds=1)
    reembed_job_plan(activation.jobs.get().pk)
    activation.requested_at = activation.requested_at.replace(year=2000)  # long ago: the build took long
    activation.save(update_fields=["requested_at"])

    embed_all(new)
    activation = activation_advance(activation)

    assert activation.state == ActivationState.LOADING  # not failed: its timeout starts now


def test_the_api_activates_when_built_by_default_and_now_on_request(
    fake_fleet, old, new, sent, planned, make_api_key
):
    from rest_framework.test import APIClient

    MessageFactory(content="one")
    fake_fleet.worker("a", loaded=[old.pk])
    admin = APIClient()
    admin.credentials(HTTP_AUTHORIZATION=f"Bearer {make_api_key('admin')}")

    body = admin.post(f"/api/admin/embedding/configs/{new.pk}/activate", {}, format="json").json()
    assert (body["status"], body["build_first"], len(body["build_job_ids"])) == ("building", True, 1)
    assert body["coverage"] == {"chat.message": {"total": 1, "fresh": 0, "stale": 0, "missing": 1}}

    other = config_create(model="paraphrase-MiniLM-L3-v2-onnx", max_seq_length=64)
    now = admin.post(
        f"/api/admin/embedding/configs/{other.pk}/activate", {"when_built": False}, format="json"
    ).json()
    assert (now["status"], now["build_first"], now["build_job_ids"]) == ("requested", False, [])
