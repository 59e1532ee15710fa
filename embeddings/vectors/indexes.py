"""One partial HNSW expression index per config over the shared, untyped vector column.

    CREATE INDEX ... ON embeddings_storedvector
        USING hnsw ((embedding::vector(N)) vector_cosine_ops) WHERE config_id = K

A new model of another dimension only adds an index: no table rewrite, no manual SQL.
The search selector orders by exactly `embedding::vector(N) <=> query` under
`config_id = K`, which is what lets PostgreSQL pick this index.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models.functions import Cast
from pgvector.django import VectorField

from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig, StoredVector

logger = logging.getLogger(__name__)

# pgvector's HNSW indexes `vector` up to this many dimensions.
HNSW_MAX_DIMENSIONS = 2000


def vector_index_name(config_id: int) -> str:
    return f"embeddings_vector_hnsw_config_{config_id}"


def typed_embedding(dimensions: int) -> Cast:
    """`embedding::vector(N)`: the expression the index is built on and every search orders by."""
    return Cast("embedding", VectorField(dimensions=dimensions))


def vector_index_sql(config_id: int, dimensions: int, *, concurrently: bool = False) -> str:
    """The statement that builds a config's index (bench/index_build.py times this very statement)."""
    table = StoredVector._meta.db_table
    create = "CREATE INDEX CONCURRENTLY" if concurrently else "CREATE INDEX"
    return (
        f"{create} IF NOT EXISTS {vector_index_name(config_id)} ON {table} "
        f"USING hnsw ((embedding::vector({int(dimensions)})) vector_cosine_ops) "
        f"WHERE config_id = {int(config_id)}"
    )


def vector_index_ensure(config: EmbeddingConfig) -> bool:
    """Create the config's ANN index if it is missing (idempotent). False when the dimension is too large."""
    if config.dimensions > HNSW_MAX_DIMENSIONS:
        logger.warning(
            "config %s has %s dimensions; HNSW indexes at most %s, searches will be exact",
            config.pk,
            config.dimensions,
            HNSW_MAX_DIMENSIONS,
        )
        return False
    with connection.cursor() as cursor, _build_memory(cursor):
        if connection.in_atomic_block:  # this transaction's deferred checks would forbid the index
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(vector_index_sql(config.pk, config.dimensions))
    return True


@contextmanager
def _build_memory(cursor) -> Iterator[None]:
    """maintenance_work_mem = INDEX_BUILD_MEMORY for this build only. pgvector builds the HNSW graph in
    that memory and goes much slower once the graph outgrows it (PostgreSQL's 64 MB default holds a
    fraction of 100,000 384-dimension vectors). Inside a transaction the setting ends with it."""
    memory = embedding_setting("INDEX_BUILD_MEMORY")
    if not memory:
        yield
        return
    local = connection.in_atomic_block
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, %s)", [str(memory), local])
    try:
        yield
    finally:
        if not local:
            cursor.execute("RESET maintenance_work_mem")


def vector_index_exists(config_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [vector_index_name(config_id)])
        return cursor.fetchone() is not None


def vector_index_drop(config_id: int) -> None:
    """Drop a config's ANN index before a bulk load: with it, every stored vector pays an HNSW insert."""
    concurrently = "" if connection.in_atomic_block else "CONCURRENTLY "
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {concurrently}IF EXISTS {vector_index_name(config_id)}")


def vector_index_build(config: EmbeddingConfig) -> bool:
    """Build the config's ANN index after a bulk load, without blocking writes (CREATE INDEX CONCURRENTLY,
    outside a transaction; inside one, a plain CREATE INDEX). A build that failed halfway leaves an invalid
    index: it is dropped and built again."""
    if connection.in_atomic_block:
        return vector_index_ensure(config)
    if config.dimensions > HNSW_MAX_DIMENSIONS:
        return vector_index_ensure(config)  # says why there is none
    with connection.cursor() as cursor, _build_memory(cursor):
        cursor.execute(
            "SELECT index.indisvalid FROM pg_index AS index JOIN pg_class AS class "
            "ON class.oid = index.indexrelid WHERE class.relname = %s",
            [vector_index_name(config.pk)],
        )
        found = cursor.fetchone()
        if found is not None and not found[0]:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {vector_index_name(config.pk)}")
        cursor.execute(vector_index_sql(config.pk, config.dimensions, concurrently=True))
    return True
