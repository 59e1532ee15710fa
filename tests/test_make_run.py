"""`make run`'s orchestrator end to end: real servers, worker and web server; Ctrl-C leaves nothing behind."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import psutil
import pytest
from openai import OpenAI

from embedplatform.devstack.processes import free_port

ROOT = Path(__file__).resolve().parent.parent


def _read_until(process: subprocess.Popen[str], pattern: str, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    os.set_blocking(process.stdout.fileno(), False)
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line:
            lines.append(line.rstrip())
            if re.search(pattern, line):
                return lines
        elif process.poll() is not None:
            break
        else:
            time.sleep(0.1)
    pytest.fail(f"'{pattern}' not printed within {timeout} s:\n" + "\n".join(lines))


def _post_json(url: str, body: dict, api_key: str) -> dict:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {api_key}"}
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _admin_login(base_url: str, username: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base_url}/admin/login/", timeout=10).read()
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"}
    ).encode()
    request = urllib.request.Request(
        f"{base_url}/admin/login/?next=/admin/", form, {"Referer": f"{base_url}/admin/login/"}
    )
    with opener.open(request, timeout=10) as response:
        return response.read().decode()


def _alive(pid: int) -> bool:
    """A zombie has exited; only its parent (here PID 1, which may reap late) has yet to collect it."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def run_stack(tmp_path):
    data = tmp_path / "data"
    tmp_path.chmod(0o755)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        {
            "PORT": str(port),
            "POSTGRES_PORT": str(free_port()),
            "REDIS_PORT": str(free_port()),
            "EMBEDPLATFORM_DATA_DIR": str(data),
            "DJANGO_SETTINGS_MODULE": "embedplatform.settings",
            "WORKER_CONCURRENCY": "2",
            "WEB_WORKERS": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    process = subprocess.Popen(
        [sys.executable, "scripts/run.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    yield process, f"http://127.0.0.1:{port}", data
    if process.poll() is None:  # the test failed midway: let run.py stop its servers, as Ctrl-C would
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_run_serves_the_platform_and_ctrl_c_stops_every_process(run_stack, reference_model):
    process, base_url, data = run_stack
    lines = _read_until(process, r"Press Ctrl-C", timeout=180)
    output = "\n".join(lines)
    assert f"embedplatform is healthy at {base_url}" in output
    username, password = re.search(r"username '(\w+)', password '([^']+)'", output).groups()
    api_key = re.search(r"API key \(admin scope, kept in [^)]+\): (ep-\S+)", output).group(1)
    started = psutil.Process(process.pid).children(recursive=True)
    postmaster = (
        int(next(data.rglob("postmaster.pid")).read_text().split()[0])
        if list(data.rglob("postmaster.pid"))
        else None
    )

    with urllib.request.urlopen(f"{base_url}/api/health", timeout=10) as response:
        assert json.load(response)["status"] == "healthy"
    body = _post_json(f"{base_url}/api/embedding/generate", {"text": "Hello from make run"}, api_key)
    vector = np.asarray(body["embedding"])
    assert vector.shape == (384,) and abs(np.linalg.norm(vector) - 1) < 1e-4
    assert float(vector @ reference_model.encode("Hello from make run")) >= 0.9999
    client = OpenAI(base_url=f"{base_url}/v1", api_key=api_key, max_retries=0)
    sdk_vector = client.embeddings.create(model="all-MiniLM-L6-v2", input=["Hello from make run"]).data[0]
    assert float(np.asarray(sdk_vector.embedding) @ vector) >= 0.9999
    assert "Site administration" in _admin_login(base_url, username, password)

    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground process group
    assert process.wait(timeout=60) == 0
    leftovers = [child for child in started if _alive(child.pid)]
    assert leftovers == []
    if postmaster is not None:
        assert not _alive(postmaster)
    assert "stopped." in process.stdout.read()
