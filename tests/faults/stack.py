"""A whole platform of its own for fault tests: PostgreSQL, Redis, the web and Celery workers, each on free
ports and none shared with the rest of the suite, so a test may stop, restart or kill any of them.

The test process talks to it only from outside, as a client would: HTTP, a Redis client, psql.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from embedplatform.devstack.postgres import PostgresServer
from embedplatform.devstack.processes import free_port
from embedplatform.devstack.redis_server import RedisServer
from tests.processes import ROOT, start_web_process, start_worker_process, stop_process


@dataclass
class Response:
    status: int
    body: dict[str, Any]
    seconds: float
    finished_at: float  # time.monotonic()


@dataclass
class FaultStack:
    scratch: Path
    postgres: PostgresServer = field(init=False)
    redis_server: RedisServer = field(init=False)
    web: subprocess.Popen[bytes] | None = field(default=None, init=False)
    base_url: str = field(default="", init=False)
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict, init=False)
    api_key: str = field(default="", init=False)

    def __post_init__(self) -> None:
        self.postgres = PostgresServer(self.scratch / "postgres", free_port(), database="faults")
        self.redis_server = RedisServer(self.scratch / "redis", free_port())
        self.log_dir = self.scratch / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)

    # -- the environment every process of this stack gets -------------------------------------------------

    def environment(self, **extra: str) -> dict[str, str]:
        return {
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis_server.url,
            "CELERY_BROKER_URL": self.redis_server.url,
            "CELERY_RESULT_BACKEND": self.redis_server.url,
            # On, so that the Redis outage test sees it fail open, but far above what a test sends: 12 clients
            # looping for a few seconds (test_host_paused) sent more than 600 once torch ran in parallel runs,
            # and every later test on the stack's one key was throttled for the rest of the minute.
            "API_RATE_LIMIT": "100000/min",
            # A task a killed worker held comes back after this long (900 s in production).
            "CELERY_VISIBILITY_TIMEOUT_SECONDS": "4",
            **extra,
        }

    def manage(self, *args: str) -> str:
        env = {**os.environ, **self.environment(), "DJANGO_SETTINGS_MODULE": "embedplatform.settings.test"}
        command = [sys.executable, "-m", "django", args[0], "--skip-checks", *args[1:]]
        result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout.strip()

    # -- lifecycle ----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Servers, schema and an active config: what the web process and the workers need to start."""
        self.postgres.start()
        self.redis_server.start()
        self.manage("migrate", "--noinput")
        self.manage("embedding_config", "ensure")

    def create_client(self) -> None:
        """The user and the API key the tests call with (while a worker loads its model)."""
        self.manage("createsuperuser", "--noinput", "--username", "faults", "--email", "f@example.invalid")
        scopes = ["--scope", "embed", "--scope", "chat", "--scope", "admin"]
        self.api_key = self.manage("create_api_key", "--name", "faults", "--user", "faults", *scopes)

    def start_web(self) -> None:
        log = self.log_dir / "web.log"
        self.web, self.base_url = start_web_process(self.postgres.url, log_file=log, **self.environment())

    def start_worker(self, name: str, **extra: str) -> subprocess.Popen[bytes]:
        process = start_worker_process(
            f"{name}@faults",
            self.postgres.url,
            log_file=self.log_dir / f"{name}.log",
            **self.environment(**extra),
        )
        self.workers[name] = process
        return process

    def stop(self) -> None:
        for process in self.workers.values():
            stop_process(process)
        if self.web is not None:
            stop_process(self.web, timeout=30)
        self.redis_server.stop()
        self.postgres.stop()

    # -- what a client sees --------------------------------------------------------------------------------

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_server.url, socket_connect_timeout=1, socket_timeout=5)

    def request(self, method: str, path: str, body: Any = None, timeout: float = 60) -> Response:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"},
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        finished = time.monotonic()
        return Response(status, json.loads(raw) if raw else {}, finished - started, finished)

    def message_create(self, content: str) -> dict[str, Any]:
        """A chat message in a new conversation (its save sends the live-embedding task)."""
        conversation = self.request("POST", "/api/chat/conversations/", {"title": "faults"})
        assert conversation.status == 201, conversation.body
        path = f"/api/chat/conversations/{conversation.body['id']}/messages/"
        message = self.request("POST", path, {"role": "user", "content": content})
        assert message.status == 201, message.body
        return message.body

    def embedding_state(self, message_id: int, timeout: float = 30) -> str:
        """The message's embedding state once it is no longer pending (or 'pending' after `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.request("GET", f"/api/chat/messages/{message_id}/").body["embedding"]["state"]
            if state != "pending" or time.monotonic() > deadline:
                return state
            time.sleep(0.2)

    def stored_vectors(self, message_id: int) -> list[tuple[str, ...]]:
        """(state, config id) of each stored vector row of a message, read with psql."""
        rows = self.postgres.psql(
            "SELECT state, config_id FROM embeddings_storedvector "
            f"WHERE source_type = 'chat.message' AND source_id = {int(message_id)} ORDER BY id",
            database=self.postgres.database,
        )
        return [tuple(row.split("|")) for row in rows.splitlines()]

    def wait_for_worker(self, name: str, timeout: float = 90) -> None:
        """Until the worker serves the active config (its health entry says loaded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.workers[name]
            if process.poll() is not None:
                raise RuntimeError(f"worker {name} exited; see {self.log_dir / name}.log")
            try:
                health = self.request("GET", "/api/health", timeout=5).body
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                health = {}
            if any(w["name"] == f"{name}@faults" and w["loaded"] for w in health.get("workers", [])):
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker {name} did not load the active config within {timeout} s")
