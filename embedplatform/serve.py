"""The platform's processes, defined once: `python -m embedplatform.serve web | worker | prepare`.

`make run`, the test fixtures, the Dockerfile and docker-compose.yml all start these, so each command line
is written here and nowhere else. Each role reads its knobs from the environment (see .env.example). The
worker replaces this process with Celery (exec) and the web runs its server in this process, so signals
reach the server directly.

- web: granian serving the Django app over WSGI, run in this process (embedplatform/web_server.py holds its
  settings, the access log and the shared metrics directory); never loads a model.
- worker: a Celery worker that owns the models. Threads pool, not prefork: forking after torch has started
  its thread pools hangs on CPU (huggingface/transformers#7516, sentence-transformers#1318); one process
  holding one copy of each model, with a micro-batcher in front, serves concurrent requests in shared
  forward passes. No -Q: it consumes every queue the settings declare (CELERY_TASK_QUEUES).
- prepare: migrate the database and make sure an embedding config is active.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

ROLES = ("web", "worker", "prepare")


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
        from embedplatform.web_server import serve  # granian: only the web role needs it

        serve(os.environ)
        return 0
    # The worker leaves glibc's malloc arenas at its default: up to 8 per core, a thread taking a new one when
    # the others are busy. Until 2026-12-04 it capped them (MALLOC_ARENA_MAX=2) to hold RSS down; side by side
    # (bench/ab.py) more arenas served torch bulk faster, 8 against 2 by 3 to 8% and 16 (the default on 2
    # cores) against 8 by 4.5%, with worker RSS within 15 MB either way, and int8 under 32 clients the same
    # (README, Benchmarks). MALLOC_ARENA_MAX in the environment still caps them.
    command = worker_command(os.environ)
    os.execv(command[0], command)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
