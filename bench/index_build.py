"""How long a config's HNSW index takes to build at each maintenance_work_mem (EMBEDDING_INDEX_BUILD_MEMORY).

    .venv/bin/python bench/index_build.py          # 100,000 vectors: 64MB (PostgreSQL's default), then 1GB
    .venv/bin/python bench/index_build.py --vectors 20000 --memory 64MB 256MB 1GB

On a throwaway embedded PostgreSQL+pgvector, a table with the stored vectors' name and the two columns the
index reads (config id, untyped `vector`) gets random unit vectors of 384 dimensions (random vectors are the
hard case for HNSW: no clusters), then the statement a job runs to build a config's index
(embeddings.vectors.indexes.vector_index_sql, concurrently) runs once per memory setting. Prints the seconds
of each.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from embedplatform.devstack.postgres import PostgresServer  # noqa: E402
from embedplatform.devstack.processes import free_port  # noqa: E402

CONFIG_ID = 2


def load(connection, table: str, count: int, dimensions: int) -> None:
    connection.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, config_id int, embedding vector)")
    rng = np.random.default_rng(0)
    for start in range(0, count, 10_000):
        block = rng.standard_normal((min(10_000, count - start), dimensions)).astype(np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        with connection.cursor().copy(f"COPY {table} (config_id, embedding) FROM STDIN") as copy:
            for row in block:
                copy.write_row((CONFIG_ID, "[" + ",".join(f"{value:.6f}" for value in row) + "]"))
    connection.execute(f"VACUUM ANALYZE {table}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vectors", type=int, default=100_000)
    parser.add_argument("--dimensions", type=int, default=384)
    parser.add_argument("--memory", nargs="+", default=["64MB", "1GB"], help="maintenance_work_mem values")
    args = parser.parse_args()
    import django
    import psycopg

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embedplatform.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))  # settings refuse to start without
    django.setup()  # for the platform's own index statement; this script's connection is its own
    from embeddings.models import StoredVector
    from embeddings.vectors.indexes import vector_index_name, vector_index_sql

    table = StoredVector._meta.db_table

    with tempfile.TemporaryDirectory(prefix="embedplatform-index-bench-") as scratch:
        server = PostgresServer(Path(scratch) / "postgres", free_port())
        server.start()
        try:
            with psycopg.connect(server.url, autocommit=True) as connection:
                load(connection, table, args.vectors, args.dimensions)
                for memory in args.memory:
                    connection.execute(f"DROP INDEX IF EXISTS {vector_index_name(CONFIG_ID)}")
                    connection.execute("SELECT set_config('maintenance_work_mem', %s, false)", [memory])
                    started = time.perf_counter()
                    connection.execute(vector_index_sql(CONFIG_ID, args.dimensions, concurrently=True))
                    seconds = time.perf_counter() - started
                    print(f"{args.vectors} vectors of {args.dimensions} dimensions, maintenance_work_mem "
                          f"{memory}: HNSW index built in {seconds:.1f} s", flush=True)  # fmt: skip
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
