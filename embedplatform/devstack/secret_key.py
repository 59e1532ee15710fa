"""`make run`'s SECRET_KEY when none is given: a random one, kept with the local data (sessions survive
restarts)."""

from __future__ import annotations

import secrets
from pathlib import Path


def local_secret_key(data_dir: Path) -> str:
    path = data_dir / "secret-key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.touch(mode=0o600)
    path.write_text(key + "\n")
    return key
