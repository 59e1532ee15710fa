import time

from embeddings.configs.services import config_create


def test_config_describes_the_active_config(active_config, api_client):
    response = api_client.get("/api/embedding/config")

    assert response.status_code == 200
    assert response.json() == {
        "provider": "local",
        "model": "all-MiniLM-L6-v2",
        "revision": "",
        "backend": "torch",
        "dimensions": 384,
        "precision": "float32",
        "max_seq_length": 256,
        "normalize": True,
        "config_id": active_config.pk,
        "supports_browser": True,
        "browser_model": "Xenova/all-MiniLM-L6-v2",
        "runtimes": [
            {"backend": "torch", "precision": "float32"},
            {"backend": "torch", "precision": "float16"},
            {"backend": "onnx", "precision": "float32"},
            {"backend": "onnx", "precision": "int8"},
        ],
        "quantized_variants": [
            {
                "name": "all-MiniLM-L6-v2-int8-onnx",
                "quantization": "int8",
                "backend": "onnx",
                "precision": "int8",
                "installed": True,
            }
        ],
    }


def test_config_of_the_int8_model_says_int8(db, api_client):
    config = config_create(model="all-MiniLM-L6-v2-int8-onnx", activate=True)

    body = api_client.get("/api/embedding/config").json()

    assert (body["config_id"], body["backend"], body["precision"]) == (config.pk, "onnx", "int8")
    assert body["runtimes"] == [{"backend": "onnx", "precision": "int8"}]


def test_config_without_an_active_config_is_a_503(db, api_client):
    response = api_client.get("/api/embedding/config")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_active_config"


def test_health_is_healthy_when_a_worker_has_the_active_model(served_config, api_client):
    response = api_client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["embedding_model_loaded"] is True
    assert (body["provider"], body["model"], body["config_id"]) == (
        "local",
        "all-MiniLM-L6-v2",
        served_config.pk,
    )
    worker = next(w for w in body["workers"] if w["name"].startswith("test-worker@"))
    assert worker["loaded"] is True and worker["config_id"] == served_config.pk
    assert 50 < worker["rss_mb"] < 4000


def test_while_no_worker_has_the_model_health_is_degraded_and_generate_a_fast_503(
    celery_worker_process, transactional_db, api_client
):
    broken = config_create(model="/nonexistent/model-dir", dimensions=384, activate=True)

    health = api_client.get("/api/health").json()
    started = time.monotonic()
    response = api_client.post("/api/embedding/generate", {"text": "hello"}, format="json")

    assert health["status"] == "degraded" and health["embedding_model_loaded"] is False
    assert health["config_id"] == broken.pk
    assert response.status_code == 503
    assert time.monotonic() - started < 5
    assert response.json()["error"] == {
        "message": f"no embedding worker has model '/nonexistent/model-dir' (config {broken.pk}) loaded yet; "
        "start a worker or retry shortly",
        "type": "service_unavailable",
        "param": None,
        "code": "model_not_loaded",
    }


def test_a_worker_reports_why_it_cannot_load_a_config(celery_worker_process, transactional_db, api_client):
    broken = config_create(model="/nonexistent/other-dir", dimensions=384, activate=True)

    deadline = time.monotonic() + 20
    errors: dict = {}
    while time.monotonic() < deadline and str(broken.pk) not in errors:
        workers = api_client.get("/api/health").json()["workers"]
        errors = next(w for w in workers if w["name"].startswith("test-worker@"))["errors"]
        time.sleep(0.3)

    assert errors[str(broken.pk)] == "model '/nonexistent/other-dir': no files at /nonexistent/other-dir"


def test_health_tells_anyone_only_its_status_and_readiness(active_config, anonymous_client, make_api_key):
    """Model names, worker host names, memory and load errors are not for load balancers or every key."""
    embed_key = make_api_key("embed")

    anonymous = anonymous_client.get("/api/health")
    with_an_embed_key = anonymous_client.get("/api/health", HTTP_AUTHORIZATION=f"Bearer {embed_key}")

    assert anonymous.status_code == 200
    assert anonymous.json() == {"status": "degraded", "embedding_model_loaded": False}
    assert with_an_embed_key.json() == {"status": "degraded", "embedding_model_loaded": False}


def test_health_details_are_for_admin_keys_and_staff(
    active_config, anonymous_client, api_client, make_api_key
):
    admin_key = make_api_key("admin")
    details = {
        "status": "degraded",
        "embedding_model_loaded": False,
        "provider": "local",
        "model": "all-MiniLM-L6-v2",
        "config_id": active_config.pk,
    }

    with_an_admin_key = anonymous_client.get("/api/health", HTTP_AUTHORIZATION=f"Bearer {admin_key}").json()
    as_staff = api_client.get("/api/health").json()

    for body in (with_an_admin_key, as_staff):
        assert {key: body[key] for key in details} == details
        assert isinstance(body["workers"], list)
