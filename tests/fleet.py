"""A fake fleet: workers' heartbeats as the web side reads them (embeddings.client.fleet), for tests of logic
that only reads them. Tests with real workers live beside these (test_model_switch.py and others)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from embeddings.client import fleet


def heartbeat(
    name: str,
    loaded: Sequence[int] = (),
    loading: int | None = None,
    errors: dict[int, str] | None = None,
    error_at: float | None = None,
    **extra: object,
) -> dict:
    """One worker's status as its heartbeat publishes it (embeddings.worker.heartbeat.worker_status)."""
    return {
        "name": name,
        "loaded_config_ids": list(loaded),
        "loading": {"config_id": loading, "seconds": 1.5} if loading else None,
        "errors": {str(k): v for k, v in (errors or {}).items()},
        "error_at": {str(k): error_at or time.time() for k in (errors or {})},
        "heartbeat_at": time.time(),
        **extra,
    }


class FakeFleet:
    """Stands in for the live workers; `readers`: other modules that imported worker_list by name."""

    def __init__(self, monkeypatch, readers: Sequence[str] = ()) -> None:
        self.workers: dict[str, dict] = {}
        monkeypatch.setattr(fleet, "worker_list", self.list)
        for reader in readers:
            monkeypatch.setattr(f"{reader}.worker_list", self.list)

    def list(self) -> list[dict]:
        return list(self.workers.values())

    def worker(self, name: str, **status: object) -> None:
        self.workers[name] = heartbeat(name, **status)
