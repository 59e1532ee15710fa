"""Several web processes, one /metrics: prometheus-client's multiprocess mode sums what each one wrote,
and the web server's shutdown hook leaves no shared directory behind."""

from __future__ import annotations

import os
import subprocess
import sys

from django.db import connection

from embedplatform import web_server
from tests.conftest import ROOT, _database_url_for
from tests.embedplatform.test_metrics import LATENCY_COUNT, sample_value, scrape

WEB_PROCESS = """
import sys
import django
django.setup()
from django.test import Client
for _ in range(int(sys.argv[1])):
    assert Client().get("/api/health").status_code == 200
"""


def test_a_scrape_sums_the_requests_of_every_web_process(db, tmp_path, monkeypatch):
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DATABASE_URL": _database_url_for(connection.settings_dict["NAME"]),
        "DJANGO_SETTINGS_MODULE": "embedplatform.settings.test",
    }
    for requests in (3, 2):
        subprocess.run([sys.executable, "-c", WEB_PROCESS, str(requests)], env=env, cwd=ROOT, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    text = scrape()

    assert len(list(tmp_path.glob("histogram_*.db"))) == 2  # one file per process
    assert sample_value(text, LATENCY_COUNT, route="/api/health", method="GET", status="200") == 5


def test_a_stopping_server_empties_its_metrics_directory_and_removes_it_when_nothing_else_is_there(
    tmp_path, monkeypatch
):
    shared, kept = tmp_path / "shared", tmp_path / "kept"
    for directory in (shared, kept):
        directory.mkdir()
        (directory / "counter_4242.db").write_bytes(b"")
    (kept / "notes.txt").write_text("not ours")

    for directory in (shared, kept):
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
        web_server.remove_metrics_directory()

    assert not shared.exists()
    assert sorted(path.name for path in kept.iterdir()) == ["notes.txt"]
