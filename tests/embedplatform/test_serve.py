"""embedplatform/serve.py: each process's command line, defined once (the web server's settings:
test_web_server.py)."""

import os
import sys

import pytest
from django.conf import settings

from embeddings.wire import tasks
from embedplatform.celery import app
from embedplatform.serve import command_line, main, worker_command


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


def test_supervisors_start_the_module_and_unknown_roles_are_refused(capsys):
    assert command_line("worker") == [sys.executable, "-m", "embedplatform.serve", "worker"]
    with pytest.raises(ValueError, match="unknown role 'cron'"):
        command_line("cron")
    assert main(["cron"]) == 2
    assert "usage: python -m embedplatform.serve {web|worker|prepare}" in capsys.readouterr().err


class Execed(Exception):
    pass


def exec_recorder(calls: list):
    def execv(path, command):
        calls.append(command)
        raise Execed

    return execv


@pytest.mark.parametrize("set_before", [None, "2"])
def test_the_worker_leaves_malloc_arenas_to_glibc_unless_the_environment_caps_them(monkeypatch, set_before):
    calls: list = []
    monkeypatch.setattr("embedplatform.serve.os.execv", exec_recorder(calls))
    if set_before is None:
        monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    else:
        monkeypatch.setenv("MALLOC_ARENA_MAX", set_before)

    with pytest.raises(Execed):
        main(["worker"])

    assert calls and calls[0][:3] == [sys.executable, "-m", "celery"]
    assert os.environ.get("MALLOC_ARENA_MAX") == set_before
