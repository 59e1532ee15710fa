"""Docker cannot run here: check the compose file's structure and wiring instead."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_and_images():
    services = compose()["services"]

    assert set(services) == {"db", "redis", "migrate", "web", "worker"}
    assert services["db"]["image"].startswith("pgvector/pgvector:")
    assert services["redis"]["image"].startswith("redis:")
    assert all(services[name]["build"] == "." for name in ("migrate", "web", "worker"))


def test_every_app_service_starts_the_same_process_definition_as_make_run():
    """web, worker and migrate run `python -m embedplatform.serve <role>`, the command make run starts too
    (embedplatform/serve.py holds each command line once)."""
    services = compose()["services"]

    for service, role in (("web", "web"), ("worker", "worker"), ("migrate", "prepare")):
        assert services[service]["command"] == ["python", "-m", "embedplatform.serve", role]


def test_environment_wiring_points_every_app_service_at_db_and_redis():
    services = compose()["services"]

    for name in ("migrate", "web", "worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"] == "postgres://postgres:postgres@db:5432/embedplatform"
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["EMBEDDING_MODEL"] == "${EMBEDDING_MODEL:-all-MiniLM-L6-v2}"
        assert env["HF_HOME"] == "/models"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["worker"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_the_worker_keeps_models_in_a_shared_cache_volume():
    document = compose()

    assert "model-cache:/models" in document["services"]["worker"]["volumes"]
    assert "model-cache" in document["volumes"]


def test_env_example_names_the_first_config_variables():
    example = (ROOT / ".env.example").read_text()

    for name in ("EMBEDDING_PROVIDER", "EMBEDDING_MODEL", "EMBEDDING_PRECISION", "EMBEDDING_DIMENSIONS"):
        assert f"{name}=" in example
