"""Reads of stored vectors: nearest-neighbour search, coverage, and per-source embedding state.

Every read names one config and touches only that config's rows: vectors of two configs
are never compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import CharField, Count, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from pgvector.django import CosineDistance

from embeddings.conf import embedding_setting
from embeddings.models import EmbeddingConfig, StoredVector, VectorState
from embeddings.vectors.indexes import typed_embedding
from embeddings.vectors.registry import registry


@dataclass(frozen=True)
class VectorHit:
    source_id: int
    score: float  # cosine similarity, 1 - cosine distance


@dataclass(frozen=True)
class Coverage:
    embedded: int
    pending: int
    failed: int
    stale: int  # made from an older text: not searched until redone
    total: int


def vector_search_queryset(
    config: EmbeddingConfig,
    source_type: str,
    query_vector: Sequence[float],
    k: int,
    restrict_to: QuerySet | None = None,
) -> QuerySet:
    """The k nearest embedded vectors of one config, ordered by the expression its HNSW index is built on."""
    distance = CosineDistance(typed_embedding(config.dimensions), np.asarray(query_vector, dtype=np.float32))
    rows = StoredVector.objects.filter(
        config_id=config.pk, source_type=source_type, state=VectorState.EMBEDDED
    )
    if restrict_to is not None:
        rows = rows.filter(source_id__in=restrict_to.values("pk"))
    return rows.annotate(distance=distance).order_by("distance").values_list("source_id", "distance")[:k]


def vector_search(
    config: EmbeddingConfig,
    source_type: str,
    query_vector: Sequence[float],
    k: int,
    restrict_to: QuerySet | None = None,
) -> list[VectorHit]:
    """Approximate k-NN under `config`; a filter (`restrict_to`) keeps scanning the index until k match."""
    if len(query_vector) != config.dimensions:
        raise ValueError(
            f"query has {len(query_vector)} dimensions, config {config.pk} has {config.dimensions}"
        )
    queryset = vector_search_queryset(config, source_type, query_vector, k, restrict_to)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('hnsw.ef_search', %s, true)",
            [str(max(int(embedding_setting("HNSW_EF_SEARCH")), k))],
        )
        if restrict_to is not None:
            cursor.execute("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)")
        hits = [VectorHit(source_id, 1.0 - float(distance)) for source_id, distance in queryset]
    return sorted(hits, key=lambda hit: -hit.score)  # relaxed_order may return near-ties out of order


def vector_coverage(config: EmbeddingConfig, source_type: str, sources: QuerySet) -> Coverage:
    """How many of `sources` have a vector for `config` (and how many are pending, failed or stale)."""
    states = dict(
        StoredVector.objects.filter(
            config=config, source_type=source_type, source_id__in=sources.values("pk")
        )
        .values("state")
        .annotate(count=Count("*"))
        .values_list("state", "count")
    )
    total = sources.count()
    embedded, failed = states.get(VectorState.EMBEDDED, 0), states.get(VectorState.FAILED, 0)
    stale = states.get(VectorState.STALE, 0)
    pending = total - embedded - failed - stale
    return Coverage(embedded=embedded, failed=failed, pending=pending, total=total, stale=stale)


@dataclass(frozen=True)
class ConfigCoverage:
    """The stored texts of one source, seen from one config."""

    total: int
    fresh: int  # a vector of the current text: searched
    stale: int  # a vector of an older text: not searched until rebuilt
    missing: int  # no vector yet (none, pending or failed)

    def as_dict(self) -> dict[str, int]:
        return {"total": self.total, "fresh": self.fresh, "stale": self.stale, "missing": self.missing}


def config_coverage(config: EmbeddingConfig) -> dict[str, ConfigCoverage]:
    """Per registered source: how many stored texts have a fresh vector of `config`, a stale one, none."""
    coverage = {}
    for source in registry.all():
        states = dict(
            StoredVector.objects.filter(config=config, source_type=source.label)
            .filter(state__in=[VectorState.EMBEDDED, VectorState.STALE])
            .values("state")
            .annotate(count=Count("*"))
            .values_list("state", "count")
        )
        total = source.model._default_manager.count()
        fresh, stale = states.get(VectorState.EMBEDDED, 0), states.get(VectorState.STALE, 0)
        coverage[source.label] = ConfigCoverage(total, fresh, stale, max(0, total - fresh - stale))
    return coverage


def config_texts_to_build(config: EmbeddingConfig) -> dict[str, int]:
    """Per registered source, how many stored texts have no fresh vector of `config`; sources with none
    are left out."""
    return {
        label: counts.stale + counts.missing
        for label, counts in config_coverage(config).items()
        if counts.stale + counts.missing
    }


def with_vector_state(queryset: QuerySet, config: EmbeddingConfig | None, source_type: str) -> QuerySet:
    """Annotate sources with `embedding_state` / `embedding_error` for `config` (no row: pending)."""
    if config is None:
        return queryset.annotate(
            embedding_state=Value(VectorState.PENDING.value, output_field=CharField()),
            embedding_error=Value("", output_field=TextField()),
        )
    rows = StoredVector.objects.filter(config=config, source_type=source_type, source_id=OuterRef("pk"))
    return queryset.annotate(
        embedding_state=Coalesce(
            Subquery(rows.values("state")[:1]), Value(VectorState.PENDING.value), output_field=CharField()
        ),
        embedding_error=Coalesce(Subquery(rows.values("error")[:1]), Value(""), output_field=TextField()),
    )


def vector_counts(config_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Stored vectors per config and state: {config_id: {"embedded": n, "pending": n, "failed": n, ...}}."""
    counts = {config_id: {state: 0 for state in VectorState.values} for config_id in config_ids}
    rows = (
        StoredVector.objects.filter(config_id__in=config_ids)
        .values("config_id", "state")
        .annotate(count=Count("*"))
    )
    for row in rows:
        counts[row["config_id"]][row["state"]] = row["count"]
    return counts


def vector_counts_by_config() -> dict[int, dict[str, int]]:
    """Every config's stored vectors per state (configs with none left out)."""
    counts: dict[int, dict[str, int]] = {}
    for row in StoredVector.objects.values("config_id", "state").annotate(count=Count("*")).order_by():
        counts.setdefault(row["config_id"], {})[row["state"]] = row["count"]
    return counts
