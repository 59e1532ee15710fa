"""`make test`: throwaway PostgreSQL+pgvector and Redis, the whole pytest suite, then cleanup.

Servers given in DATABASE_URL / REDIS_URL are used instead. Extra arguments go to pytest.
Exits with pytest's status (no tests collected counts as a failure).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedplatform.devstack.postgres import PostgresServer  # noqa: E402
from embedplatform.devstack.processes import free_port  # noqa: E402
from embedplatform.devstack.redis_server import RedisServer  # noqa: E402


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="embedplatform-test-"))
    scratch.chmod(0o755)  # PostgreSQL runs as an unprivileged user under root
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "embedplatform.settings.test",
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    started: list = []
    try:
        if not env.get("DATABASE_URL"):
            postgres = PostgresServer(scratch / "postgres", free_port())
            postgres.start()
            started.append(postgres)
            env["DATABASE_URL"] = postgres.url
        if not env.get("REDIS_URL"):
            redis_server = RedisServer(scratch / "redis", free_port())
            redis_server.start()
            started.append(redis_server)
            env["REDIS_URL"] = redis_server.url
        return subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env, cwd=ROOT)
    finally:
        for service in reversed(started):
            service.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
