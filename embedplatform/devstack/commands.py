"""The command lines of the platform's processes, shared by `make run` and the test fixtures."""

from __future__ import annotations

from pathlib import Path

WORKER_QUEUES = "embeddings,default"


def celery_worker_command(bin_dir: Path, hostname: str, concurrency: int | str) -> list[str]:
    """A worker that owns models: threads pool, not prefork.

    Forking after torch has started its thread pools hangs on CPU; one process holding one copy of
    the model, with a micro-batcher in front, serves concurrent tasks in shared forward passes.
    """
    return [str(bin_dir / "celery"), "-A", "embedplatform", "worker", "-Q", WORKER_QUEUES,
            "--pool", "threads", "--concurrency", str(concurrency), "--hostname", hostname,
            "--loglevel", "INFO", "--without-gossip", "--without-mingle"]  # fmt: skip


def gunicorn_command(bin_dir: Path, bind: str, workers: int | str, threads: int | str) -> list[str]:
    return [str(bin_dir / "gunicorn"), "embedplatform.wsgi:application", "--bind", bind,
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--timeout", "120", "--graceful-timeout", "10"]  # fmt: skip
