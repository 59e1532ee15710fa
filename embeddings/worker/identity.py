"""This worker process's name: Celery's hostname when Celery gives one (worker1@host), else host:pid."""

from __future__ import annotations

import os
import socket

_name: str | None = None


def set_worker_name(name: str | None) -> None:
    global _name
    _name = name


def worker_name() -> str:
    return _name or f"{socket.gethostname()}:{os.getpid()}"
