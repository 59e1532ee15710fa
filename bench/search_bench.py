"""Search benchmark: p50/p99 latency of the search selector and recall@10 against exact search.

    .venv/bin/python bench/search_bench.py                 # 100k vectors, own throwaway PostgreSQL
    .venv/bin/python bench/search_bench.py --size 1000000  # 1M (HNSW build takes long on 2 cores)
    DATABASE_URL=postgres://... .venv/bin/python bench/search_bench.py   # an existing, migrated database

Vectors are clustered random 384-d unit vectors stored under one config in the real table,
loaded with binary COPY; the config's partial HNSW index is built after the load (as
vector_index_ensure builds it). Queries are noisy copies of cluster centres. "Exact" is the
same selector query with index scans disabled, i.e. a full ordering by distance.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOURCE_TYPE = "bench.item"
DIMENSIONS = 384


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000, help="stored vectors (default 100000)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument(
        "--data",
        choices=["lowrank", "clusters"],
        default="lowrank",
        help="lowrank: unit vectors of low intrinsic dimension plus noise, like sentence embeddings "
        "(default); clusters: noisy copies of random centres (near-ties inside a cluster make 'exact "
        "top 10' arbitrary, so recall is pessimistic)",
    )
    parser.add_argument("--intrinsic-dimensions", type=int, default=32)
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--ef-search", default="40,100,200", help="comma-separated hnsw.ef_search values")
    parser.add_argument("--shared-buffers", default="4GB", help="for the throwaway server (default 4GB)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--maintenance-memory", default="6GB", help="maintenance_work_mem for the HNSW build")
    return parser.parse_args()


class VectorSource:
    """Reproducible benchmark vectors: one generator for the stored vectors and the queries."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.rng = np.random.default_rng(args.seed)
        self.kind = args.data
        if self.kind == "clusters":
            centres = self.rng.normal(size=(args.clusters, DIMENSIONS)).astype(np.float32)
            self.centres = centres / np.linalg.norm(centres, axis=1, keepdims=True)
        else:
            basis = self.rng.normal(size=(args.intrinsic_dimensions, DIMENSIONS)).astype(np.float32)
            self.basis = basis / np.sqrt(args.intrinsic_dimensions)

    def sample(self, count: int) -> np.ndarray:
        if self.kind == "clusters":
            return clustered_vectors(self.rng, count, self.centres, 0.05)
        signal = self.rng.normal(size=(count, self.basis.shape[0])).astype(np.float32) @ self.basis
        signal /= np.linalg.norm(signal, axis=1, keepdims=True)
        noise = self.rng.normal(0, 0.3 / np.sqrt(DIMENSIONS), size=signal.shape).astype(np.float32)
        vectors = signal + noise
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def clustered_vectors(rng: np.random.Generator, count: int, centres: np.ndarray, spread: float) -> np.ndarray:
    picks = rng.integers(0, len(centres), size=count)
    vectors = centres[picks] + rng.normal(0, spread, size=(count, centres.shape[1])).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def load_vectors(config, vectors: np.ndarray, first_id: int) -> None:
    from django.db import connection
    from pgvector.psycopg import register_vector

    connection.ensure_connection()
    register_vector(connection.connection)
    columns = (
        "source_type, source_id, config_id, embedding, state, error, text_hash, model, revision, backend, "
        "created_at, updated_at, embedded_at"
    )
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY embeddings_storedvector ({columns}) FROM STDIN WITH (FORMAT BINARY)") as copy,
    ):
        copy.set_types(
            [
                "text",
                "int8",
                "int8",
                "vector",
                "text",
                "text",
                "text",
                "text",
                "text",
                "text",
                "timestamptz",
                "timestamptz",
                "timestamptz",
            ]
        )
        from django.utils import timezone

        now = timezone.now()
        for number, vector in enumerate(vectors):
            copy.write_row(
                [
                    SOURCE_TYPE,
                    first_id + number,
                    config.pk,
                    vector,
                    "embedded",
                    "",
                    "bench",
                    config.model,
                    "",
                    config.backend,
                    now,
                    now,
                    now,
                ]
            )


def drop_index(config) -> None:
    from django.db import connection

    from embeddings.vectors.indexes import vector_index_name

    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {vector_index_name(config.pk)}")


def build_index(config, maintenance_memory: str) -> float:
    from django.db import connection

    from embeddings.vectors.indexes import vector_index_ensure

    with connection.cursor() as cursor:
        # The whole HNSW graph must fit, or the build slows down many times over (~3 GB at 1M x 384-d).
        cursor.execute(f"SET maintenance_work_mem = '{maintenance_memory}'")
        cursor.execute("SET max_parallel_maintenance_workers = 1")
        started = time.perf_counter()
        vector_index_ensure(config)
        cursor.execute("ANALYZE embeddings_storedvector")
    return time.perf_counter() - started


def exact_ids(config, query: np.ndarray, k: int) -> list[int]:
    from django.db import connection, transaction

    from embeddings.vectors.selectors import vector_search

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        return [hit.source_id for hit in vector_search(config, SOURCE_TYPE, query, k)]


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from embeddings.configs.services import config_create
    from embeddings.vectors.indexes import vector_index_name
    from embeddings.vectors.selectors import vector_search_queryset

    call_command("migrate", verbosity=0)
    config = config_create(model="all-MiniLM-L6-v2", revision=f"bench-{time.time():.0f}")
    source = VectorSource(args)

    drop_index(config)  # loading into a live HNSW index is far slower than building it afterwards
    started = time.perf_counter()
    for start in range(0, args.size, 100_000):
        load_vectors(config, source.sample(min(100_000, args.size - start)), first_id=start + 1)
    print(f"loaded {args.size} {args.data} vectors in {time.perf_counter() - started:.1f} s", flush=True)
    build_seconds = build_index(config, args.maintenance_memory)
    print(
        f"built {vector_index_name(config.pk)} (m=16, ef_construction=64) in {build_seconds:.1f} s",
        flush=True,
    )

    queries = source.sample(args.queries)
    plan = vector_search_queryset(config, SOURCE_TYPE, queries[0], args.k).explain()
    print("plan:", " | ".join(line.strip().split(" <=> ")[0] for line in plan.splitlines()[:3]))
    truths = [set(exact_ids(config, query, args.k)) for query in queries]
    print(f"size={args.size} queries={args.queries} k={args.k} server={connection.settings_dict['HOST']}:"
          f"{connection.settings_dict['PORT']}")  # fmt: skip
    for ef_search in (int(value) for value in args.ef_search.split(",")):
        settings.EMBEDDINGS = {**settings.EMBEDDINGS, "HNSW_EF_SEARCH": ef_search}
        latencies, recalls = measure(config, queries, truths, args.k)
        print(
            f"hnsw.ef_search={max(ef_search, args.k):4d}  "
            f"latency p50={np.percentile(latencies, 50):6.2f} ms  "
            f"p99={np.percentile(latencies, 99):6.2f} ms  mean={np.mean(latencies):6.2f} ms  "
            f"recall@{args.k}={np.mean(recalls):.4f} (min {np.min(recalls):.2f})",
            flush=True,
        )


def measure(config, queries: np.ndarray, truths: list[set[int]], k: int) -> tuple[list[float], list[float]]:
    """Latency of the search selector (ORM, transaction, settings included) and recall against exact."""
    from embeddings.vectors.selectors import vector_search

    for query in queries[:5]:  # warm up
        vector_search(config, SOURCE_TYPE, query, k)
    latencies, recalls = [], []
    for query, truth in zip(queries, truths, strict=True):
        began = time.perf_counter()
        hits = vector_search(config, SOURCE_TYPE, query, k)
        latencies.append((time.perf_counter() - began) * 1000)
        recalls.append(len(truth & {hit.source_id for hit in hits}) / k)
    return latencies, recalls


def main() -> int:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "embedplatform.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))  # settings refuse to start without
    if os.environ.get("DATABASE_URL"):
        run(args)
        return 0
    from embedplatform.devstack.postgres import PostgresServer
    from embedplatform.devstack.processes import free_port

    scratch = Path(tempfile.mkdtemp(prefix="embedplatform-bench-"))
    scratch.chmod(0o755)
    server = PostgresServer(
        scratch / "postgres", free_port(), settings={"shared_buffers": args.shared_buffers}
    )
    server.start()
    os.environ["DATABASE_URL"] = server.url
    try:
        run(args)
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
