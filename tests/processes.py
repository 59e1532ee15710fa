"""The platform's real processes for tests, started the way `make run` starts them (embedplatform.serve),
on the test database: Celery workers and the web server."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from embedplatform.devstack.processes import free_port
from embedplatform.serve import command_line

ROOT = Path(__file__).resolve().parent.parent


def _log(name: str, log_file: Path | None = None):  # noqa: ANN202 - a file, or DEVNULL
    if log_file is not None:
        return open(log_file, "ab")  # noqa: SIM115 - the child keeps it
    cache = ROOT / ".pytest_cache"
    safe = name.replace("@", "-").replace("%", "")
    return open(cache / f"{safe}.log", "wb") if cache.exists() else subprocess.DEVNULL


def _environment(database_url: str, extra: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "embedplatform.settings.test",
        **extra,
    }


def start_worker_process(
    name: str, database_url: str, log_file: Path | None = None, **extra_env: str
) -> subprocess.Popen[bytes]:
    """A worker named `name` (heartbeat every 0.5 s), its log in `log_file` or .pytest_cache/<name>.log."""
    env = _environment(
        database_url,
        {
            "EMBEDDING_WORKER_HEARTBEAT_SECONDS": "0.5",
            "WORKER_NAME": name,
            "WORKER_CONCURRENCY": "4",
            **extra_env,
        },
    )
    return subprocess.Popen(
        command_line("worker"),
        env=env,
        cwd=ROOT,
        stdout=_log(name, log_file),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_live(process: subprocess.Popen[bytes], name_prefix: str, timeout: float = 60) -> None:
    """Until a worker whose name starts with `name_prefix` publishes a heartbeat."""
    from embeddings.client.fleet import worker_list

    deadline = time.monotonic() + timeout
    while not any(worker["name"].startswith(name_prefix) for worker in worker_list()):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            raise RuntimeError(f"the worker {name_prefix}... did not start (see its log in .pytest_cache)")
        time.sleep(0.2)


def start_web_process(
    database_url: str, ready_path: str = "/api/health", log_file: Path | None = None, **extra_env: str
) -> tuple[subprocess.Popen[bytes], str]:
    """The web on a free port, once it answers `ready_path`: (process, base URL); its log in `log_file` or
    .pytest_cache/web.log."""
    port = free_port()
    env = _environment(database_url, {"PORT": str(port), "WEB_WORKERS": "2", **extra_env})
    process = subprocess.Popen(
        command_line("web"), env=env, cwd=ROOT, stdout=_log("web", log_file), stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base_url + ready_path, timeout=5):
                return process, base_url
        except OSError:  # refused, reset, or a first answer slower than 5 s (a busy machine): ask again
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                raise RuntimeError("the web server did not start (see .pytest_cache/web.log)") from None
            time.sleep(0.2)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        if _own_group(process):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait()


def _own_group(process: subprocess.Popen[bytes]) -> bool:
    try:
        return os.getpgid(process.pid) == process.pid
    except ProcessLookupError:
        return False
