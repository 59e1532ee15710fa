"""The /metrics view: a plain Django view (outside DRF and the API schema) in Prometheus' text format.

With METRICS_TOKEN set, a scrape must send `Authorization: Bearer <token>`; empty leaves it open, for a
/metrics that a firewall or the reverse proxy keeps private. prometheus-client's own Django view is not
used: it has no access check and takes one fixed registry.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterator, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from embedplatform.api.errors import error_body


class _Scrape:
    """Collectors read one after the other: the extra ones first, so that the scrape errors they count
    appear in the same scrape."""

    def __init__(self, collectors: Sequence[Collector]) -> None:
        self._collectors = collectors

    def collect(self) -> Iterator[Metric]:
        for collector in self._collectors:
            yield from collector.collect()


def web_collector() -> Collector:
    """The web's own metrics: summed over the web's processes in multiprocess mode, else this process's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)
    return registry


def _authorized(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return True
    sent = request.headers.get("Authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def metrics_view(*collectors: Collector) -> Callable[[HttpRequest], HttpResponse]:
    """The view: the web's own metrics and these collectors'."""

    @gzip_page
    @require_safe
    def metrics(request: HttpRequest) -> HttpResponse:
        if not _authorized(request):
            message = "/metrics needs the metrics token: send Authorization: Bearer <METRICS_TOKEN>"
            return JsonResponse(error_body(message, "permission_error", "invalid_metrics_token"), status=403)
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        return HttpResponse(encoder(_Scrape([*collectors, web_collector()])), content_type=content_type)

    return metrics
