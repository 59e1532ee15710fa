"""The search selector on hand-made vectors: ranking, cross-config isolation, filters, index use."""

import math

import pytest
from django.db import connection, transaction

from chat.models import Message
from embeddings.configs.services import config_create
from embeddings.models import StoredVector, VectorState
from embeddings.vectors.indexes import vector_index_exists, vector_index_name
from embeddings.vectors.selectors import vector_coverage, vector_search, vector_search_queryset
from tests.chat.factories import ConversationFactory, MessageFactory
from tests.vectors import plant, unit

SOURCE = "chat.message"


@pytest.fixture
def config(db):
    return config_create(model="all-MiniLM-L6-v2", activate=True)


@pytest.fixture
def other_config(db):
    return config_create(model="paraphrase-MiniLM-L3-v2")


def test_results_are_ranked_by_cosine_similarity_with_exact_scores(config):
    messages = MessageFactory.create_batch(4)
    for message, angle in zip(messages, [60, 10, 90, 30], strict=True):
        plant(SOURCE, message.pk, config, unit(angle))

    hits = vector_search(config, SOURCE, unit(0), k=3)

    assert [hit.source_id for hit in hits] == [messages[1].pk, messages[3].pk, messages[0].pk]
    assert [round(hit.score, 5) for hit in hits] == [
        round(math.cos(math.radians(a)), 5) for a in (10, 30, 60)
    ]


def test_vectors_of_another_config_never_appear_even_when_closer(config, other_config):
    """Planted vectors of a second config are identical to the query; they must not be returned."""
    mine, theirs = MessageFactory(), MessageFactory()
    plant(SOURCE, mine.pk, config, unit(80))
    plant(SOURCE, theirs.pk, other_config, unit(0))
    plant(SOURCE, mine.pk, other_config, unit(0))

    hits = vector_search(config, SOURCE, unit(0), k=10)

    assert [(hit.source_id, round(hit.score, 5)) for hit in hits] == [
        (mine.pk, round(math.cos(math.radians(80)), 5))
    ]


def test_pending_and_failed_rows_are_not_searched(config):
    embedded, pending = MessageFactory(), MessageFactory()
    plant(SOURCE, embedded.pk, config, unit(45))
    plant(SOURCE, pending.pk, config, unit(0))
    StoredVector.objects.filter(source_id=pending.pk).update(state=VectorState.PENDING)

    assert [hit.source_id for hit in vector_search(config, SOURCE, unit(0), k=5)] == [embedded.pk]


def test_restricting_to_a_queryset_searches_only_those_sources(config):
    first, second = ConversationFactory(), ConversationFactory()
    near_elsewhere = MessageFactory(conversation=second)
    far_here = MessageFactory(conversation=first)
    plant(SOURCE, near_elsewhere.pk, config, unit(1))
    plant(SOURCE, far_here.pk, config, unit(70))

    hits = vector_search(config, SOURCE, unit(0), k=5, restrict_to=Message.objects.filter(conversation=first))

    assert [hit.source_id for hit in hits] == [far_here.pk]


def test_a_query_of_the_wrong_dimension_is_refused(config):
    with pytest.raises(ValueError, match=r"query has 768 dimensions, config \d+ has 384"):
        vector_search(config, SOURCE, unit(0, dimensions=768), k=5)


def test_coverage_counts_embedded_pending_and_failed(config):
    messages = MessageFactory.create_batch(5)
    plant(SOURCE, messages[0].pk, config, unit(0))
    plant(SOURCE, messages[1].pk, config, unit(5))
    StoredVector.objects.filter(source_id=messages[2].pk, config=config).update(
        state=VectorState.FAILED, error="boom"
    )

    coverage = vector_coverage(config, SOURCE, Message.objects.all())

    assert (coverage.embedded, coverage.failed, coverage.pending, coverage.total) == (2, 1, 2, 5)


def test_each_config_gets_its_own_partial_hnsw_index(config, other_config):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [vector_index_name(config.pk)])
        (definition,) = cursor.fetchone()

    assert vector_index_exists(other_config.pk)
    assert "USING hnsw (((embedding)::vector(384)) vector_cosine_ops)" in definition
    assert definition.endswith(f"WHERE (config_id = {config.pk})")


def test_search_uses_the_configs_hnsw_index(config, other_config):
    """EXPLAIN of the selector's own query names the partial index of the searched config."""
    messages = MessageFactory.create_batch(200)
    for number, message in enumerate(messages):
        plant(SOURCE, message.pk, config, unit(number * 0.4))
        plant(SOURCE, message.pk, other_config, unit(number * 0.4))
    queryset = vector_search_queryset(config, SOURCE, unit(0), k=10)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE embeddings_storedvector")
        cursor.execute("SET LOCAL enable_seqscan = off")  # 200 rows: make a scan-and-sort look costly
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = queryset.explain()

    assert f"Index Scan using {vector_index_name(config.pk)}" in plan
    assert "Order By: ((embedding)::vector(384) <=> " in plan
    assert vector_index_name(other_config.pk) not in plan
