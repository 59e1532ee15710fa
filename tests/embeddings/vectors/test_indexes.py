"""A config's HNSW index is built with INDEX_BUILD_MEMORY as maintenance_work_mem, for that build only."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from embeddings.configs.services import config_create
from embeddings.vectors.indexes import (
    vector_index_build,
    vector_index_drop,
    vector_index_ensure,
    vector_index_exists,
)


def maintenance_memory() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW maintenance_work_mem")
        return cursor.fetchone()[0]


def build_statements(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if "maintenance_work_mem" in query["sql"] or "CREATE INDEX" in query["sql"]
    ]


@pytest.fixture
def config(transactional_db):
    built = config_create(model="all-MiniLM-L6-v2", activate=True)
    vector_index_drop(built.pk)
    return built


def test_the_build_runs_with_the_configured_memory_and_the_session_gets_the_servers_back(config, settings):
    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "INDEX_BUILD_MEMORY": "96MB"}
    server_default = maintenance_memory()
    assert server_default != "96MB"

    with CaptureQueriesContext(connection) as queries:
        assert vector_index_build(config)

    statements = build_statements(queries)
    assert "set_config('maintenance_work_mem', '96MB', false)" in statements[0]
    assert statements[1].startswith("CREATE INDEX CONCURRENTLY")
    assert statements[2] == "RESET maintenance_work_mem"
    assert vector_index_exists(config.pk)
    assert maintenance_memory() == server_default


def test_inside_a_transaction_the_memory_lasts_as_long_as_it(config, settings):
    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "INDEX_BUILD_MEMORY": "96MB"}
    server_default = maintenance_memory()

    with transaction.atomic():
        assert vector_index_ensure(config)
        assert maintenance_memory() == "96MB"
    assert vector_index_exists(config.pk)
    assert maintenance_memory() == server_default


def test_an_empty_setting_keeps_the_servers_memory(config, settings):
    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "INDEX_BUILD_MEMORY": ""}

    with CaptureQueriesContext(connection) as queries:
        assert vector_index_build(config)

    assert [sql for sql in build_statements(queries) if "maintenance_work_mem" in sql] == []
    assert vector_index_exists(config.pk)
