"""The platform's processes, defined once: `python -m embedplatform.serve web | worker | prepare`.

`make run`, the test fixtures, the Dockerfile and docker-compose.yml all start these, so each command line
is written here and nowhere else. Each role reads its knobs from the environment (see .env.example) and
replaces this process with the real one (exec), so signals reach it directly.

- web: gunicorn (gthread) serving the Django app; never loads a model. Its processes share their metrics
  through files in a directory emptied at each start (PROMETHEUS_MULTIPROC_DIR: WEB_METRICS_DIR, else a new
  temporary directory), which /metrics sums; gunicorn's hooks are in embedplatform/gunicorn_conf.py.
- worker: a Celery worker that owns the models. Threads pool, not prefork: forking after torch has started
  its thread pools hangs on CPU (huggingface/transformers#7516, sentence-transformers#1318); one process
  holding one copy of each model, with a micro-batcher in front, serves concurrent requests in shared
  forward passes. No -Q: it consumes every queue the settings declare (CELERY_TASK_QUEUES).
- prepare: migrate the database and make sure an embedding config is active.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

ROLES = ("web", "worker", "prepare")


def web_command(environ: Mapping[str, str]) -> list[str]:
    bind = f"{environ.get('HOST', '127.0.0.1')}:{environ.get('PORT', '8000')}"
    return [sys.executable, "-m", "gunicorn", "embedplatform.wsgi:application", "--bind", bind,
            "--workers", environ.get("WEB_WORKERS", "2"), "--worker-class", "gthread",
            "--threads", environ.get("WEB_THREADS", "32"),
            "--timeout", "120", "--graceful-timeout", "10",
            "--config", "python:embedplatform.gunicorn_conf"]  # fmt: skip


def metrics_directory(environ: Mapping[str, str]) -> str:
    """Where the web's processes share their metrics: WEB_METRICS_DIR (created if missing) or a new
    temporary directory. Emptied first: values left by an earlier server would add up with the new ones."""
    configured = environ.get("WEB_METRICS_DIR")
    if not configured:
        return tempfile.mkdtemp(prefix="embedplatform-metrics-")
    Path(configured).mkdir(parents=True, exist_ok=True)
    clear_metrics_directory(configured)
    return configured


def clear_metrics_directory(directory: str | Path) -> None:
    """Removes the files prometheus-client writes there (*.db), nothing else."""
    for path in Path(directory).glob("*.db"):
        path.unlink(missing_ok=True)


def worker_command(environ: Mapping[str, str]) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "embedplatform", "worker", "--pool", "threads",
            "--concurrency", environ.get("WORKER_CONCURRENCY", "8"),
            "--hostname", environ.get("WORKER_NAME", "worker@%h"),
            "--loglevel", environ.get("LOG_LEVEL", "INFO"),
            "--without-gossip", "--without-mingle"]  # fmt: skip


def prepare_commands() -> list[list[str]]:
    manage = [sys.executable, "-m", "django"]
    return [[*manage, "migrate", "--noinput"], [*manage, "embedding_config", "ensure"]]


def command_line(role: str) -> list[str]:
    """How a supervisor starts `python -m embedplatform.serve <role>` with this interpreter."""
    if role not in ROLES:
        raise ValueError(f"unknown role '{role}'; expected one of {', '.join(ROLES)}")
    return [sys.executable, "-m", "embedplatform.serve", role]


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1 or argv[0] not in ROLES:
        print(f"usage: python -m embedplatform.serve {{{'|'.join(ROLES)}}}", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embedplatform.settings")
    role = argv[0]
    if role == "prepare":
        import subprocess

        for command in prepare_commands():
            subprocess.run(command, check=True)
        return 0
    if role == "web":
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_directory(os.environ)
    if role == "worker":
        # glibc gives each thread that mallocs its own arena; a threads pool plus torch's pools otherwise
        # holds well over 100 MB of freed memory (issue 8: worker RSS within raw + 150 MB).
        os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    command = web_command(os.environ) if role == "web" else worker_command(os.environ)
    os.execv(command[0], command)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
