"""The embedded PostgreSQL starts as root and as a normal user, wherever the project lies."""

import os
import shutil

import pytest

from embedplatform.devstack import postgres as postgres_module
from embedplatform.devstack.postgres import PostgresServer
from embedplatform.devstack.processes import free_port


def stop_and_remove(server: PostgresServer) -> None:
    server.stop()
    shutil.rmtree(server.data_dir, ignore_errors=True)


@pytest.fixture
def root_only_parents(monkeypatch):
    """As if the project lay under a directory only root may enter (a `mktemp -d` clone, /root)."""
    monkeypatch.setattr(postgres_module, "world_can_traverse", lambda path: False)


def test_a_server_starts_with_pgvector_when_its_files_lie_behind_root_only_directories(
    root_only_parents, tmp_path
):
    server = PostgresServer(tmp_path / "pg", free_port())
    try:
        server.start()
        version = server.psql("SELECT extversion FROM pg_extension WHERE extname = 'vector'", "embedplatform")
    finally:
        stop_and_remove(server)

    assert version.startswith("0.8.")
    if os.geteuid() == 0:  # as `nobody`, from a world-readable copy, data outside the root-only tree
        assert str(server.install).startswith("/tmp/embedplatform-pg-")
        assert str(server.data_dir).startswith("/var/tmp/embedplatform-")
    else:  # a normal user runs PostgreSQL from where it is installed
        assert server.install == postgres_module._bundled_install()
        assert server.data_dir == (tmp_path / "pg").resolve()


def test_a_busy_port_is_a_clear_error(tmp_path):
    first = PostgresServer(tmp_path / "one", free_port())
    first.start()
    try:
        with pytest.raises(RuntimeError, match=f"port {first.port} is already in use"):
            PostgresServer(tmp_path / "two", first.port).start()
    finally:
        stop_and_remove(first)
