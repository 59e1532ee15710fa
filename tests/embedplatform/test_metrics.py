"""/metrics: request latency by URL pattern, Prometheus' formats, the optional token, not in the schema."""

from __future__ import annotations

from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from prometheus_client.parser import text_string_to_metric_families

LATENCY_COUNT = "embedplatform_http_request_duration_seconds_count"


def sample_value(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample with exactly these labels in a Prometheus text exposition, or None."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return None


def scrape(client: Client | None = None, **headers: str) -> str:
    response = (client or Client()).get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    return response.content.decode()


def _requests_seen(route: str, method: str = "GET", status: str = "200") -> float:
    return sample_value(scrape(), LATENCY_COUNT, route=route, method=method, status=status) or 0.0


def test_each_request_is_timed_under_the_url_pattern_it_matched(db):
    before = _requests_seen("/api/health")

    Client().get("/api/health")
    Client().get("/api/health")

    assert _requests_seen("/api/health") == before + 2
    bucket = {"route": "/api/health", "method": "GET", "status": "200", "le": "30.0"}
    assert (
        sample_value(scrape(), "embedplatform_http_request_duration_seconds_bucket", **bucket) == before + 2
    )


def test_the_label_is_the_pattern_never_the_raw_path(active_config, api_client):
    before = _requests_seen("/v1/models/<path:model>", status="404")

    response = api_client.get("/v1/models/no-such-model-7f3a")

    assert response.status_code == 404
    assert _requests_seen("/v1/models/<path:model>", status="404") == before + 1
    assert "no-such-model-7f3a" not in scrape()


def test_unknown_urls_and_methods_share_one_label_each(db):
    before = _requests_seen("unmatched", status="404")
    before_other = _requests_seen("/api/health", method="other", status="405")

    Client().get("/api/no-such-route-9c1e")
    Client().generic("BREW", "/api/health")

    assert _requests_seen("unmatched", status="404") == before + 1
    assert _requests_seen("/api/health", method="other", status="405") == before_other + 1
    assert "no-such-route-9c1e" not in scrape()


def test_a_response_made_before_url_resolution_still_gets_its_route(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    before = _requests_seen("/v1/embeddings", method="POST", status="413")

    response = Client().post("/v1/embeddings", b'{"input": "longer than ten bytes"}', "application/json")

    assert response.status_code == 413
    assert _requests_seen("/v1/embeddings", method="POST", status="413") == before + 1


def test_metrics_speak_prometheus_text_and_openmetrics_when_asked(db):
    plain = Client().get("/metrics")
    open_metrics = Client().get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})

    assert plain["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert b"# TYPE embedplatform_http_request_duration_seconds histogram" in plain.content
    assert open_metrics["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert open_metrics.content.endswith(b"# EOF\n")


def test_metrics_are_gzipped_for_scrapers_that_accept_it(db):
    response = Client().get("/metrics", headers={"Accept-Encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"


def test_metrics_only_answer_get_and_head(db):
    assert Client().post("/metrics").status_code == 405
    assert Client().head("/metrics").status_code == 200


def test_without_a_token_metrics_are_open(db, settings):
    settings.METRICS_TOKEN = ""

    assert Client().get("/metrics").status_code == 200


def test_with_a_token_metrics_need_it_as_a_bearer_token(db, settings):
    settings.METRICS_TOKEN = "scrape-secret"

    missing = Client().get("/metrics")
    wrong = Client().get("/metrics", headers={"Authorization": "Bearer guess"})
    right = Client().get("/metrics", headers={"Authorization": "Bearer scrape-secret"})

    assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
    assert missing.json() == {
        "error": {
            "message": "/metrics needs the metrics token: send Authorization: Bearer <METRICS_TOKEN>",
            "type": "permission_error",
            "param": None,
            "code": "invalid_metrics_token",
        }
    }
    assert b"embedplatform_http_request_duration_seconds" in right.content


def test_an_api_key_is_not_a_metrics_token(db, settings, embed_key):
    settings.METRICS_TOKEN = "scrape-secret"

    assert Client().get("/metrics", headers={"Authorization": f"Bearer {embed_key}"}).status_code == 403


def test_metrics_are_not_part_of_the_api_schema(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert "/api/health" in schema["paths"]
    assert not [path for path in schema["paths"] if "metrics" in path]
