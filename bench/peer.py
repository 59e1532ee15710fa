"""A peer server for `make bench`: Infinity (infinity-emb), serving the same model files on this machine.

Infinity is what the issue's figures were measured against (its torch engine, batches of 32). It pins
libraries the platform does not use (numpy < 2, sentence-transformers < 4), so it lives in a virtual
environment of its own, which `make install-infinity` creates (not part of `make install`: a tool, not a
dependency). When that environment exists, bench/serving.py serves each torch model of the run from Infinity
too, with the same loads, alternating with the same raw rounds, and reports it beside the platform.

Infinity gets the model's local files (from the catalog's PyPI package, no hub), answers the OpenAI
embeddings route under /v1 (its `--url-prefix`), and runs with its own defaults otherwise, BetterTransformer
off (it needs optimum, which is not installed). Its ONNX engine is not compared: it needs optimum too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.stack import copy_logs

ROOT = Path(__file__).resolve().parent.parent
INFINITY = ROOT / ".venv-infinity" / "bin" / "infinity_emb"
INFINITY_BATCH_SIZE = 32
START_TIMEOUT_SECONDS = 180


def infinity_installed() -> bool:
    return INFINITY.exists()


def infinity_command(model_path: str, served_name: str, port: int) -> list[str]:
    return [
        str(INFINITY),
        "v2",
        "--model-id",
        model_path,
        "--served-model-name",
        served_name,
        "--engine",
        "torch",
        "--device",
        "cpu",
        "--batch-size",
        str(INFINITY_BATCH_SIZE),
        "--no-bettertransformer",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--url-prefix",
        "/v1",
        "--log-level",
        "warning",
    ]


@dataclass
class PeerServer:
    """What bench/serving.py's measure_server() reads of a server: its URL and key (Infinity: none)."""

    name: str
    base_url: str
    process: subprocess.Popen
    log: Path
    api_key: str = "unused"
    env: dict[str, str] = field(default_factory=dict)

    def rss(self) -> dict[str, float]:
        """The server's resident memory, its child processes included, in MB."""
        try:
            root = psutil.Process(self.process.pid)
            processes = [root, *root.children(recursive=True)]
            total = sum(process.memory_info().rss for process in processes)
        except psutil.NoSuchProcess:
            return {}
        return {self.name: round(total / 2**20, 1)}

    def keep_logs(self, destination: Path) -> Path:
        return copy_logs({self.name: self.log}, destination)


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/v1/models", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def infinity_server(model_path: str, served_name: str) -> Iterator[PeerServer]:
    """Infinity serving the model at `model_path` as `served_name` on a free local port until the block
    ends."""
    from embedplatform.devstack.processes import free_port

    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="embedplatform-peer-"))
    log = scratch / "infinity.log"
    environment = {"HF_HUB_OFFLINE": "1", "INFINITY_ANONYMOUS_USAGE_STATS": "0", "DO_NOT_TRACK": "1"}
    with log.open("wb") as output:
        process = subprocess.Popen(
            infinity_command(model_path, served_name, port),
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**_inherited(), **environment},
        )
    server = PeerServer("infinity", f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _healthy(server.base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Infinity did not start; its log:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(scratch, ignore_errors=True)


def _inherited() -> dict[str, str]:
    """This process's environment, less what points Python at the platform's own virtual environment."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in ("VIRTUAL_ENV", "PYTHONPATH", "DJANGO_SETTINGS_MODULE")
    }
