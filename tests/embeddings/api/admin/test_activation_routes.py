"""The admin API for switching models: staff or an `admin` key; an `embed` key gets 403.

The fleet is faked (heartbeats as the web side reads them); tests/embeddings/api/test_model_switch.py switches
with real workers."""

import pytest
from rest_framework.test import APIClient

from embeddings.configs.services import config_create
from embeddings.models import ActivationState, ConfigActivation, EmbeddingConfig
from tests.fleet import FakeFleet, heartbeat

ROUTES = [
    ("put", "/api/admin/embedding/config", {"model": "paraphrase-MiniLM-L3-v2-onnx"}),
    ("post", "/api/admin/embedding/configs/1/activate", {}),
    ("get", "/api/admin/embedding/activations/1", None),
    ("get", "/api/admin/embedding/workers", None),
]


@pytest.fixture
def workers(monkeypatch) -> FakeFleet:
    return FakeFleet(monkeypatch, readers=["embeddings.api.admin.views"])


def worker(name: str, loaded: list[int]) -> dict:
    last_load = {"config_id": loaded[-1], "seconds": 1.2, "rss_before_mb": 300, "rss_after_mb": 512}
    return heartbeat(name, loaded=loaded, rss_mb=512.0, last_load=last_load)


@pytest.fixture
def admin_client(make_api_key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_api_key('admin')}")
    return client


@pytest.fixture
def old(db):
    return config_create(model="all-MiniLM-L6-v2", activate=True)


@pytest.mark.parametrize(("method", "url", "body"), ROUTES)
def test_an_embed_key_may_not_use_the_admin_routes(key_client, old, method, url, body):
    response = getattr(key_client, method)(url, body, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["type"] == "permission_error"


def test_put_creates_the_config_and_starts_activating_it_while_the_old_one_serves(admin_client, old, workers):
    workers.workers["w1"] = worker("w1", [old.pk])

    response = admin_client.put(
        "/api/admin/embedding/config", {"model": "paraphrase-MiniLM-L3-v2"}, format="json"
    )

    assert response.status_code == 202
    body = response.json()
    new = EmbeddingConfig.objects.get(pk=body["config_id"])
    assert (new.model, new.backend, new.dimensions, new.is_active) == (
        "paraphrase-MiniLM-L3-v2-onnx",
        "onnx",
        384,
        False,
    )
    assert body["status"] == "requested"
    assert (body["old_model"], body["new_model"], body["old_config_id"]) == (
        "all-MiniLM-L6-v2",
        "paraphrase-MiniLM-L3-v2-onnx",
        old.pk,
    )
    assert body["workers"] == {"w1": {"state": "waiting"}}
    assert body["estimated_time_seconds"] is None  # never activated before
    assert response["Location"] == f"/api/admin/embedding/activations/{body['activation_id']}"
    activation = ConfigActivation.objects.get()
    assert activation.requested_by is None and activation.requested_via.startswith("api-key:")

    workers.workers["w1"] = worker("w1", [old.pk, new.pk])
    followed = admin_client.get(response["Location"]).json()
    assert followed["status"] == "active"
    assert followed["workers"] == {"w1": {"state": "ready"}}
    assert EmbeddingConfig.objects.active().pk == new.pk


def test_put_with_a_bad_config_is_a_400_and_starts_nothing(admin_client, old):
    body = {"model": "all-MiniLM-L6-v2", "dimensions": 7}
    response = admin_client.put("/api/admin/embedding/config", body, format="json")

    assert response.status_code == 400
    assert "produces 384-dimensional vectors, not 7" in response.json()["error"]["message"]
    assert not ConfigActivation.objects.exists()


def test_put_refuses_unknown_fields(admin_client, old):
    response = admin_client.put("/api/admin/embedding/config", {"model": "x", "color": "red"}, format="json")

    assert response.status_code == 400


def test_reactivating_a_config_still_loaded_everywhere_flips_at_once(api_client, old, workers):
    new = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    workers.workers["w1"] = worker("w1", [old.pk, new.pk])

    response = api_client.post(f"/api/admin/embedding/configs/{new.pk}/activate", {}, format="json")

    assert response.status_code == 202
    assert response.json()["status"] == ActivationState.ACTIVE
    activation = ConfigActivation.objects.get()
    assert (activation.requested_by.username, activation.requested_via) == ("staff", "user staff")


def test_unknown_config_or_activation_is_a_404(admin_client, old):
    assert admin_client.post("/api/admin/embedding/configs/999/activate", format="json").status_code == 404
    assert admin_client.get("/api/admin/embedding/activations/999").status_code == 404


def test_the_worker_panel_lists_live_workers(admin_client, old, workers):
    workers.workers["w1"] = worker("w1", [old.pk])

    [panel] = admin_client.get("/api/admin/embedding/workers").json()

    assert panel["name"] == "w1"
    assert panel["state"] == "serving"
    assert panel["loaded_config_ids"] == [old.pk]
    assert panel["last_load"]["seconds"] == 1.2


def test_activate_takes_a_post_without_a_body(admin_client, old, workers):
    new = config_create(model="paraphrase-MiniLM-L3-v2-onnx")

    response = admin_client.generic("POST", f"/api/admin/embedding/configs/{new.pk}/activate")

    assert response.status_code == 202
