"""embedplatform/web_server.py: the web's server settings, its metrics directory, and the web role's start."""

import os
from pathlib import Path

from granian.constants import HTTPModes, Interfaces

from embedplatform import web_server
from embedplatform.serve import main
from embedplatform.web_server import metrics_directory


def test_the_server_binds_and_sizes_itself_where_the_environment_says():
    server = web_server.web_server(
        {"HOST": "0.0.0.0", "PORT": "9000", "WEB_WORKERS": "3", "WEB_THREADS": "16", "LOG_LEVEL": "WARNING"}
    )

    assert (server.bind_addr, server.bind_port) == ("0.0.0.0", 9000)
    assert (server.workers, server.blocking_threads) == (3, 16)
    assert (server.interface, server.http, server.websockets) == (Interfaces.WSGI, HTTPModes.http1, False)
    assert server.target == "embedplatform.wsgi:application"
    assert server.respawn_failed_workers
    assert server.hooks_shutdown == [web_server.remove_metrics_directory]


def test_by_default_it_serves_127_0_0_1_8000_with_2_processes_of_32_threads_and_logs_each_request():
    server = web_server.web_server({})

    assert (server.bind_addr, server.bind_port, server.workers, server.blocking_threads) == (
        "127.0.0.1",
        8000,
        2,
        32,
    )
    assert server.log_access
    assert "%(path)s" in server.log_access_format and "query_string" not in server.log_access_format
    assert not web_server.web_server({"WEB_ACCESS_LOG": "false"}).log_access


def test_the_web_metrics_directory_is_emptied_of_an_earlier_servers_values(tmp_path):
    configured = tmp_path / "web-metrics"
    configured.mkdir()
    (configured / "histogram_4242.db").write_bytes(b"old")
    (configured / "README").write_text("not ours")

    assert metrics_directory({"WEB_METRICS_DIR": str(configured)}) == str(configured)
    assert sorted(path.name for path in configured.iterdir()) == ["README"]
    assert Path(metrics_directory({"WEB_METRICS_DIR": str(tmp_path / "new" / "dir")})).is_dir()


def test_without_a_configured_directory_each_web_server_gets_a_new_empty_one():
    first, second = Path(metrics_directory({})), Path(metrics_directory({}))
    try:
        assert first != second
        assert first.is_dir() and not any(first.iterdir())
    finally:
        first.rmdir()
        second.rmdir()


def test_the_web_role_shares_metrics_between_its_processes_before_they_start(tmp_path, monkeypatch):
    served = []

    class Server:
        def serve(self):
            served.append(os.environ["PROMETHEUS_MULTIPROC_DIR"])

    monkeypatch.setenv("WEB_METRICS_DIR", str(tmp_path))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setattr(web_server, "web_server", lambda environ: Server())

    assert main(["web"]) == 0

    assert served == [str(tmp_path)]
