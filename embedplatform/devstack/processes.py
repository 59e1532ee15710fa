"""Small helpers shared by the embedded servers: ports, users, waiting."""

from __future__ import annotations

import os
import pwd
import socket
import stat
import time
from collections.abc import Callable
from pathlib import Path

UNPRIVILEGED_USER = "nobody"


def running_as_root() -> bool:
    return os.geteuid() == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not become ready within {timeout:.0f} s")


def unprivileged_ids() -> tuple[int, int]:
    entry = pwd.getpwnam(UNPRIVILEGED_USER)
    return entry.pw_uid, entry.pw_gid


def world_can_traverse(path: Path) -> bool:
    """True when every directory from / down to `path` lets 'other' users enter it."""
    path = path.resolve()
    for directory in [*reversed(path.parents), path]:
        if not directory.exists():
            break
        if not directory.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)
