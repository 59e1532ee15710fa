"""A throwaway platform for benchmarks: embedded PostgreSQL+pgvector and Redis in a scratch folder, then the
same processes `make run` starts (embedplatform.serve: prepare, worker(s), web), an admin API key, and helpers
to activate configs and read health. Everything stops when the `with` block ends."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedplatform.devstack.postgres import PostgresServer  # noqa: E402
from embedplatform.devstack.processes import free_port  # noqa: E402
from embedplatform.devstack.redis_server import RedisServer  # noqa: E402
from embedplatform.devstack.supervisor import Supervisor  # noqa: E402
from embedplatform.serve import command_line  # noqa: E402


@dataclass
class Stack:
    base_url: str
    api_key: str
    env: dict[str, str]
    scratch: Path
    supervisor: Supervisor
    logs: dict[str, Path] = field(default_factory=dict)

    def keep_logs(self, destination: Path) -> Path:
        """Copies the logs of the stack's processes (web, workers) out of its scratch folder, which goes when
        the stack stops: a benchmark that saw failed requests keeps them to find out why."""
        return copy_logs(self.logs, destination)

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], env=self.env, cwd=ROOT, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout.strip()

    def health(self) -> dict:
        request = urllib.request.Request(  # workers and configs: details for an admin key only
            f"{self.base_url}/api/health", headers={"Authorization": f"Bearer {self.api_key}"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)

    def worker_pids(self) -> list[int]:
        return [
            process.pid for name, process in self.supervisor.children.items() if name.startswith("worker")
        ]

    def wait_until_serving(self, config_id: int | None = None, timeout: float = 180) -> dict:
        """Until every worker has the active config (or `config_id`) loaded."""
        deadline, report = time.monotonic() + timeout, {}
        while time.monotonic() < deadline:
            try:
                report = self.health()
            except OSError:
                time.sleep(0.5)
                continue
            wanted = config_id or report.get("config_id")
            workers = report.get("workers", [])
            if wanted and workers and all(wanted in worker["loaded_config_ids"] for worker in workers):
                return report
            time.sleep(0.3)
        raise TimeoutError(f"config {config_id} not served within {timeout} s: {report}")

    def activate(self, model: str) -> int:
        """Create a config for a catalog model, activate it, wait until every worker serves it."""
        output = self.manage("embedding_config", "create", model, "--activate", "--wait")
        config_id = int(output.split("#", 1)[1].split()[0])  # "created #K ...", then the activation's lines
        self.wait_until_serving(config_id)
        return config_id


def heartbeat_seconds(env: dict[str, str]) -> float:
    """How often a stack's workers report to health (their RSS there is at most this old): the stack's
    EMBEDDING_WORKER_HEARTBEAT_SECONDS, else the workers' default."""
    from embeddings.conf import DEFAULTS

    return float(env.get("EMBEDDING_WORKER_HEARTBEAT_SECONDS", DEFAULTS["WORKER_HEARTBEAT_SECONDS"]))


def copy_logs(logs: dict[str, Path], destination: Path) -> Path:
    """Each process's log that exists, copied to `destination` as <name>.log."""
    destination.mkdir(parents=True, exist_ok=True)
    for name, log in logs.items():
        if log.exists():
            shutil.copy(log, destination / f"{name}.log")
    return destination


def _start_services(scratch: Path, env: dict[str, str], started: list) -> None:
    postgres = PostgresServer(scratch / "postgres", free_port())
    postgres.start()
    started.append(postgres)
    redis_server = RedisServer(scratch / "redis", free_port())
    redis_server.start()
    started.append(redis_server)
    env["DATABASE_URL"], env["REDIS_URL"] = postgres.url, redis_server.url


@contextmanager
def platform_stack(*, workers: int = 1, environ: dict[str, str] | None = None) -> Iterator[Stack]:
    scratch = Path(tempfile.mkdtemp(prefix="embedplatform-bench-"))
    scratch.chmod(0o755)  # PostgreSQL runs as an unprivileged user under root
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "embedplatform.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "HF_HUB_OFFLINE": "1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "API_RATE_LIMIT": "100000000/min",  # counted on every request, as in production, never reached
        "LOG_LEVEL": "WARNING",
        **(environ or {}),
    }
    started: list = []
    supervisor = Supervisor()
    try:
        _start_services(scratch, env, started)
        subprocess.run(command_line("prepare"), env=env, cwd=ROOT, check=True, capture_output=True)
        stack = Stack(f"http://127.0.0.1:{port}", "", env, scratch, supervisor)
        stack.api_key = stack.manage(
            "create_api_key",
            "--name",
            "bench",
            "--user",
            "bench",
            "--scope",
            "embed",
            "--scope",
            "chat",
            "--scope",
            "admin",
        )
        for number in range(1, workers + 1):
            worker_env = {**env, "WORKER_NAME": f"bench{number}@%h"}
            log = scratch / f"worker{number}.log"
            stack.logs[f"worker{number}"] = log
            supervisor.start(f"worker{number}", command_line("worker"), worker_env, cwd=str(ROOT), log=log)
        stack.logs["web"] = scratch / "web.log"
        supervisor.start("web", command_line("web"), env, cwd=str(ROOT), log=stack.logs["web"])
        stack.wait_until_serving()
        yield stack
    finally:
        supervisor.stop_all()
        for service in reversed(started):
            service.stop()
        shutil.rmtree(scratch, ignore_errors=True)
