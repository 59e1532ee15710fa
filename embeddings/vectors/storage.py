"""The worker's writes to stored vectors: claim pending rows, store their vectors, or mark them failed.

Rows are claimed with SKIP LOCKED, so two tasks for overlapping ids never embed the same
row twice, and a task that runs again finds nothing pending and does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.utils import timezone

from embeddings.models import EmbeddingConfig, StoredVector, VectorState, hash_text

MAX_ERROR_CHARS = 2000


def vectors_claim(config_id: int, source_type: str, ids: Sequence[int], limit: int) -> list[StoredVector]:
    """Lock up to `limit` pending rows among `ids`, skipping rows another task holds. Needs a transaction."""
    return list(
        StoredVector.objects.select_for_update(skip_locked=True)
        .filter(
            config_id=config_id, source_type=source_type, source_id__in=list(ids), state=VectorState.PENDING
        )
        .only("id", "source_id", "text_hash")
        .order_by("id")[:limit]
    )


def vectors_store(
    rows: Sequence[StoredVector], texts: Sequence[str], vectors: np.ndarray, config: EmbeddingConfig
) -> None:
    """Save the vectors of claimed rows with their provenance."""
    now = timezone.now()
    for row, text, vector in zip(rows, texts, vectors, strict=True):
        StoredVector.objects.filter(pk=row.pk).update(
            embedding=vector,
            state=VectorState.EMBEDDED,
            error="",
            text_hash=hash_text(text),
            model=config.model,
            revision=config.revision,
            backend=config.backend,
            embedded_at=now,
            updated_at=now,
        )


def vectors_fail(rows: Sequence[StoredVector], message: str) -> None:
    StoredVector.objects.filter(pk__in=[row.pk for row in rows]).update(
        state=VectorState.FAILED, error=message[:MAX_ERROR_CHARS], updated_at=timezone.now()
    )
