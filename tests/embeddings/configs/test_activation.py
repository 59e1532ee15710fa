"""Activation as a process: the old config serves until every live worker has the new one, then one flip.

The fleet is faked here (the workers' heartbeats as the web side reads them); tests/embeddings/worker and
tests/embeddings/api/test_model_switch.py run the same process with real workers."""

import time

import pytest

from embeddings.configs.activation import activation_advance, activation_start, activations_advance_pending
from embeddings.configs.selectors import (
    config_get_for_model_name,
    config_ids_wanted_by_workers,
    config_list_in_grace,
)
from embeddings.configs.services import config_create
from embeddings.errors import ModelNotFound
from embeddings.models import ActivationState, EmbeddingConfig


def active_id() -> int:
    return EmbeddingConfig.objects.active().pk


def test_the_old_config_stays_active_until_every_live_worker_has_the_new_one(fake_fleet, old, new):
    fake_fleet.worker("a", loaded=[old.pk])
    fake_fleet.worker("b", loaded=[old.pk])

    activation = activation_start(new)
    assert (activation.state, active_id()) == (ActivationState.REQUESTED, old.pk)
    assert activation.workers == {"a": {"state": "waiting"}, "b": {"state": "waiting"}}

    fake_fleet.worker("a", loaded=[old.pk, new.pk])
    fake_fleet.worker("b", loaded=[old.pk], loading=new.pk)
    activation = activation_advance(activation)
    assert (activation.state, active_id()) == (ActivationState.LOADING, old.pk)
    assert activation.workers["a"] == {"state": "ready"}
    assert activation.workers["b"] == {"state": "loading", "seconds": 1.5}

    fake_fleet.worker("b", loaded=[old.pk, new.pk])
    activation = activation_advance(activation)
    assert (activation.state, active_id()) == (ActivationState.ACTIVE, new.pk)
    assert activation.finished_at is not None
    assert EmbeddingConfig.objects.filter(is_active=True).count() == 1


def test_a_worker_that_dies_meanwhile_stops_counting(fake_fleet, old, new):
    fake_fleet.worker("a", loaded=[old.pk, new.pk])
    fake_fleet.worker("b", loaded=[old.pk], loading=new.pk)
    activation = activation_start(new)
    assert activation.state == ActivationState.LOADING

    del fake_fleet.workers["b"]  # its heartbeat expired
    assert activation_advance(activation).state == ActivationState.ACTIVE


def test_a_worker_that_cannot_load_fails_the_activation_and_the_old_config_keeps_serving(
    fake_fleet, old, new
):
    fake_fleet.worker("a", loaded=[old.pk])
    activation = activation_start(new)

    fake_fleet.worker("a", loaded=[old.pk], errors={new.pk: "no .onnx file under /nowhere"})
    activation = activation_advance(activation)

    assert activation.state == ActivationState.FAILED
    assert activation.error == "the model could not be loaded (a: no .onnx file under /nowhere)"
    assert active_id() == old.pk
    assert new.pk not in config_ids_wanted_by_workers()


def test_an_error_from_an_earlier_attempt_does_not_fail_a_new_activation(fake_fleet, old, new):
    fake_fleet.worker("a", loaded=[old.pk], errors={new.pk: "out of memory"}, error_at=time.time() - 600)

    assert activation_start(new).state == ActivationState.REQUESTED


def test_a_worker_that_never_answers_fails_the_activation_at_the_timeout_naming_it(fake_fleet, old, new):
    fake_fleet.worker("slow", loaded=[old.pk], loading=new.pk)
    fake_fleet.worker("quick", loaded=[old.pk, new.pk])
    activation = activation_start(new, timeout_seconds=1)
    time.sleep(1.1)

    activation = activation_advance(activation)

    assert activation.state == ActivationState.FAILED
    assert activation.error == "not every live worker loaded the model within 1 s: slow (loading)"
    assert active_id() == old.pk


def test_with_no_worker_alive_the_activation_fails_at_the_timeout(fake_fleet, old, new):
    activation = activation_start(new, timeout_seconds=1)
    time.sleep(1.1)

    [activation] = activations_advance_pending()

    assert activation.state == ActivationState.FAILED
    assert "no worker is running" in activation.error


def test_with_no_active_config_the_first_activation_flips_at_once(fake_fleet, new):
    assert activation_start(new).state == ActivationState.ACTIVE
    assert active_id() == new.pk


def test_activating_the_active_config_changes_nothing(fake_fleet, old):
    assert activation_start(old).state == ActivationState.ACTIVE
    assert active_id() == old.pk


def test_a_new_request_supersedes_a_pending_one(fake_fleet, old, new):
    fake_fleet.worker("a", loaded=[old.pk])
    first = activation_start(new)
    third = config_create(model="all-MiniLM-L6-v2-int8-onnx")

    second = activation_start(third)
    first.refresh_from_db()

    assert first.state == ActivationState.SUPERSEDED
    assert first.error == f"superseded by a request to activate config {third.pk}"
    assert second.state == ActivationState.REQUESTED
    assert activation_start(third).pk == second.pk  # asking twice does not start twice


def test_workers_want_the_active_the_activating_and_for_a_while_the_previous_config(fake_fleet, old, new):
    fake_fleet.worker("a", loaded=[old.pk])
    activation = activation_start(new)
    assert config_ids_wanted_by_workers() == [old.pk, new.pk]

    fake_fleet.worker("a", loaded=[old.pk, new.pk])
    activation_advance(activation)

    assert config_ids_wanted_by_workers() == [new.pk, old.pk]
    assert [config.pk for config in config_list_in_grace()] == [old.pk]


def test_requests_naming_the_previous_model_are_answered_by_it_during_the_grace_period(
    fake_fleet, old, new, settings
):
    fake_fleet.worker("a", loaded=[old.pk, new.pk])
    activation_start(new)

    assert config_get_for_model_name("all-MiniLM-L6-v2").pk == old.pk
    assert config_get_for_model_name("paraphrase-MiniLM-L3-v2").pk == new.pk

    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "ACTIVATION_GRACE_SECONDS": 0}
    with pytest.raises(ModelNotFound, match="this server serves 'paraphrase-MiniLM-L3-v2-onnx'"):
        config_get_for_model_name("all-MiniLM-L6-v2")
    assert config_ids_wanted_by_workers() == [new.pk]


def test_a_request_that_saw_the_old_active_config_finds_the_one_switched_back_to_meanwhile(
    fake_fleet, old, new, monkeypatch
):
    """A switch to `new` and straight back to `old`: a request whose snapshot of the active config is from
    between the two flips still finds `old` (active again, so no longer in the grace list) by its name."""
    fake_fleet.worker("a", loaded=[old.pk, new.pk])
    activation_start(new)
    activation_start(old)
    assert active_id() == old.pk

    monkeypatch.setattr("embeddings.configs.selectors.config_get_active", lambda: new)  # the stale snapshot

    assert config_get_for_model_name("all-MiniLM-L6-v2").pk == old.pk
