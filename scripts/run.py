"""`make run`: the whole platform on 127.0.0.1, in the foreground; Ctrl-C or SIGTERM stops it all.

Starts embedded PostgreSQL+pgvector and Redis (data kept in .data/, or EMBEDPLATFORM_DATA_DIR)
unless DATABASE_URL / REDIS_URL point at servers of yours, migrates, makes sure an embedding config is active,
starts one Celery worker and the web (the worker loads its model meanwhile), then creates a demo superuser
and a demo API key of theirs with every scope and loads the demo chat corpus (owned by the demo superuser, so
the key can search it) on first run (unless SEED_DEMO=0).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from embedplatform.devstack.postgres import PostgresServer  # noqa: E402
from embedplatform.devstack.redis_server import RedisServer  # noqa: E402
from embedplatform.devstack.secret_key import local_secret_key  # noqa: E402
from embedplatform.devstack.supervisor import Supervisor, die_with_parent  # noqa: E402
from embedplatform.serve import command_line  # noqa: E402


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(env: dict[str, str], command: list[str]) -> str:
    result = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return result.stdout.strip()


def manage(env: dict[str, str], *args: str) -> str:
    return run(env, [str(BIN / "python"), "manage.py", *args])


def wait_healthy(base_url: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    report: dict = {}
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/api/health", timeout=2) as response:
                report = json.load(response)
            if report.get("status") == "healthy":
                return report
        except OSError:
            pass
        time.sleep(0.5)
    return report


def start_services(env: dict[str, str], started: list, data: Path) -> None:
    if not env.get("DATABASE_URL"):
        postgres = PostgresServer(data / "postgres", int(env.get("POSTGRES_PORT", "54329")))
        postgres.start()
        started.append(postgres)
        env["DATABASE_URL"] = postgres.url
        print(f"PostgreSQL+pgvector on 127.0.0.1:{postgres.port} (data: {postgres.data_dir})", flush=True)
    if not env.get("REDIS_URL"):
        redis_server = RedisServer(data / "redis", int(env.get("REDIS_PORT", "63790")))
        redis_server.start()
        started.append(redis_server)
        env["REDIS_URL"] = redis_server.url
        print(f"Redis on 127.0.0.1:{redis_server.port}", flush=True)


def main() -> int:
    die_with_parent()  # if `make` is killed, we hear of it and clean up
    # Installed explicitly: a shell that starts us in the background hands SIGINT down as ignored.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "embedplatform.settings"),
    }
    env.setdefault("HOST", "127.0.0.1")
    env.setdefault("PORT", "8000")
    host, port = env["HOST"], env["PORT"]
    started: list = []
    began = time.monotonic()
    supervisor = Supervisor()
    try:
        data = Path(env.get("EMBEDPLATFORM_DATA_DIR", ROOT / ".data"))
        env.setdefault("DJANGO_SECRET_KEY", local_secret_key(data))  # a published key is refused
        start_services(env, started, data)
        print(run(env, command_line("prepare")), flush=True)  # migrate, ensure an active config
        # The worker and the web start now: loading the model (mostly importing torch) takes as long as
        # the steps below, which need only the database.
        worker_env = {"WORKER_NAME": "worker1@%h", **env}
        supervisor.start("worker", command_line("worker"), worker_env, cwd=str(ROOT))
        supervisor.start("web", command_line("web"), env, cwd=str(ROOT))
        demo_user = "admin"
        login = manage(
            env,
            "create_demo_superuser",
            "--username",
            demo_user,
            "--password-file",
            str(data / "admin-password"),
        )
        api_key = manage(
            env, "create_demo_api_key", "--user", demo_user, "--key-file", str(data / "demo-api-key")
        )
        # Queued embedding tasks do not outlive the embedded Redis: queue again whatever is still pending
        # (before the demo corpus, which queues its own).
        print(manage(env, "embed_pending"), flush=True)
        if env.get("SEED_DEMO", "1") != "0":  # first run: a demo corpus to search (SEED_DEMO=0 skips it)
            print(manage(env, "seed_demo", "--if-empty", "--owner", demo_user), flush=True)
        base_url = f"http://{host}:{port}"
        report = wait_healthy(base_url, float(env.get("RUN_READY_TIMEOUT", "120")))
        print("\n" + "=" * 72)
        status, seconds = report.get("status", "starting"), time.monotonic() - began
        print(f"embedplatform is {status} at {base_url} ({seconds:.1f} s after start)")
        print(f"  admin:  {base_url}/admin/   ({login})")
        print(f"  docs:   {base_url}/api/docs/   (after logging in to the admin)")
        print(f"  API key (admin scope, kept in {data / 'demo-api-key'}): {api_key}")
        print(f"           also embed and chat: it acts for '{demo_user}', who owns the demo conversations")
        print(
            f'  OpenAI SDK: OpenAI(base_url="{base_url}/v1", api_key="{api_key}")'
            f'.embeddings.create(model="{report.get("model") or "<model>"}", input=["hello"])'
        )
        print(f"  health: curl {base_url}/api/health")
        print("Press Ctrl-C to stop everything.")
        print("=" * 72, flush=True)
        while (exited := supervisor.first_exited()) is None:
            time.sleep(0.5)
        print(f"{exited} exited; stopping", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    except subprocess.CalledProcessError as error:
        print(
            f"setup step failed: {' '.join(error.cmd[1:])}\n{error.stdout}\n{error.stderr}", file=sys.stderr
        )
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        supervisor.stop_all()
        for service in reversed(started):
            service.stop()
        print("stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
