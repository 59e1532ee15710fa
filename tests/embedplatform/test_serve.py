"""embedplatform/serve.py: each process's command line, defined once."""

import os
import sys
from pathlib import Path

import pytest
from django.conf import settings

from embeddings.wire import tasks
from embedplatform.celery import app
from embedplatform.serve import command_line, main, metrics_directory, web_command, worker_command


def test_the_worker_runs_the_threads_pool_and_consumes_every_declared_queue():
    command = worker_command({"WORKER_CONCURRENCY": "4", "WORKER_NAME": "w1@%h"})

    assert command[:6] == [sys.executable, "-m", "celery", "-A", "embedplatform", "worker"]
    assert command[command.index("--pool") + 1] == "threads"
    assert command[command.index("--concurrency") + 1] == "4"
    assert command[command.index("--hostname") + 1] == "w1@%h"
    assert "-Q" not in command  # no queue list of its own: it takes CELERY_TASK_QUEUES


def test_embedding_tasks_are_routed_to_a_queue_that_workers_consume():
    declared = {queue.name for queue in settings.CELERY_TASK_QUEUES}

    for name in (tasks.EMBED_SOURCES,):
        assert app.amqp.router.route({}, name)["queue"].name in declared


def test_the_web_binds_where_the_environment_says():
    command = web_command({"HOST": "0.0.0.0", "PORT": "9000", "WEB_WORKERS": "3"})

    assert command[:4] == [sys.executable, "-m", "gunicorn", "embedplatform.wsgi:application"]
    assert command[command.index("--bind") + 1] == "0.0.0.0:9000"
    assert command[command.index("--workers") + 1] == "3"
    assert web_command({})[web_command({}).index("--bind") + 1] == "127.0.0.1:8000"


def test_supervisors_start_the_module_and_unknown_roles_are_refused(capsys):
    assert command_line("worker") == [sys.executable, "-m", "embedplatform.serve", "worker"]
    with pytest.raises(ValueError, match="unknown role 'cron'"):
        command_line("cron")
    assert main(["cron"]) == 2
    assert "usage: python -m embedplatform.serve {web|worker|prepare}" in capsys.readouterr().err


def test_the_web_takes_its_hooks_from_the_gunicorn_config_module():
    command = web_command({})

    assert command[command.index("--config") + 1] == "python:embedplatform.gunicorn_conf"


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


def test_the_web_role_shares_metrics_between_gunicorn_processes(tmp_path, monkeypatch):
    executed = []
    monkeypatch.setenv("WEB_METRICS_DIR", str(tmp_path))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setattr(os, "execv", lambda path, argv: executed.append(argv))

    main(["web"])

    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path)
    assert executed[0][:4] == [sys.executable, "-m", "gunicorn", "embedplatform.wsgi:application"]
