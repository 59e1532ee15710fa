"""/metrics through the real web server (granian via embedplatform.serve, 2 processes): one scrape counts
the requests that every process served."""

from __future__ import annotations

import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from prometheus_client.multiprocess import MultiProcessCollector

from tests.conftest import _database_url_for
from tests.embedplatform.test_metrics import LATENCY_COUNT, sample_value
from tests.processes import start_web_process, stop_process

HEALTH = {"route": "/api/health", "method": "GET", "status": "200"}


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


@pytest.fixture
def web_server(db, tmp_path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    metrics_dir = tmp_path / "web-metrics"
    process, base_url = start_web_process(
        _database_url_for(connection.settings_dict["NAME"]),
        ready_path="/metrics",
        WEB_THREADS="4",
        WEB_METRICS_DIR=str(metrics_dir),
    )
    yield base_url, metrics_dir, process
    stop_process(process, timeout=30)


def _health_requests_per_process(metrics_dir: Path, scratch: Path) -> dict[str, float]:
    """Each web process's own count, read from its file alone."""
    counts = {}
    for path in metrics_dir.glob("histogram_*.db"):
        alone = scratch / path.stem
        alone.mkdir(exist_ok=True)
        shutil.copy(path, alone / path.name)
        counts[path.stem] = sum(
            sample.value
            for family in MultiProcessCollector(None, path=str(alone)).collect()
            for sample in family.samples
            if sample.name == LATENCY_COUNT and sample.labels == HEALTH
        )
    return counts


def test_one_scrape_counts_the_requests_of_both_web_processes(web_server, tmp_path):
    base_url, metrics_dir, process = web_server
    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(20):  # until both processes have served some (the kernel picks who accepts)
            list(pool.map(lambda _: _get(f"{base_url}/api/health"), range(16)))
            sent += 16
            per_process = _health_requests_per_process(metrics_dir, tmp_path)
            if len([count for count in per_process.values() if count]) == 2:
                break

    text = _get(f"{base_url}/metrics").decode()

    assert len([count for count in per_process.values() if count]) == 2, per_process
    assert sum(per_process.values()) == sent
    assert sample_value(text, LATENCY_COUNT, **HEALTH) == sent
    assert not list(metrics_dir.glob("gauge_*.db"))  # no gauges: a respawned process leaves none behind
    process.terminate()
    process.wait(timeout=30)
    assert not metrics_dir.exists()  # emptied and removed by the server's shutdown hook
