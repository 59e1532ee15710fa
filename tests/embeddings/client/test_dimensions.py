"""The `dimensions` option: Matryoshka truncation (pure) and which models accept it."""

import numpy as np
import pytest

from embeddings import catalog
from embeddings.client.dimensions import resolve_dimensions, truncate_dimensions
from embeddings.models import EmbeddingConfig
from embedplatform.api.errors import InvalidInput


def test_truncation_keeps_the_prefix_and_renormalizes():
    vectors = np.array([[3.0, 4.0, 12.0], [0.0, 2.0, 5.0]], dtype=np.float32)

    cut = truncate_dimensions(vectors, 2)

    np.testing.assert_allclose(cut, [[0.6, 0.8], [0.0, 1.0]], rtol=1e-6)
    assert cut.dtype == np.float32


def test_truncating_a_zero_prefix_gives_zeros_not_nan():
    cut = truncate_dimensions(np.array([[0.0, 0.0, 1.0]], dtype=np.float32), 2)

    np.testing.assert_array_equal(cut, [[0.0, 0.0]])


def _config(model="all-MiniLM-L6-v2", dimensions=384) -> EmbeddingConfig:
    return EmbeddingConfig(model=model, dimensions=dimensions, max_seq_length=256)


def test_native_size_or_none_keeps_vectors_whole():
    assert resolve_dimensions(_config(), None) is None
    assert resolve_dimensions(_config(), 384) is None


def test_models_not_trained_as_matryoshka_refuse_other_sizes():
    with pytest.raises(
        InvalidInput,
        match="model 'all-MiniLM-L6-v2' does not support dimensions: its vectors always have 384 dimensions",
    ) as caught:
        resolve_dimensions(_config(), 128)

    assert (caught.value.param, caught.value.code) == ("dimensions", "dimensions_not_supported")


def test_matryoshka_models_accept_smaller_sizes_only(monkeypatch):
    entry = catalog.find("all-MiniLM-L6-v2")
    monkeypatch.setattr(
        catalog.entries, "ENTRIES", (entry.__class__(**{**entry.__dict__, "matryoshka": True}),)
    )

    assert resolve_dimensions(_config(), 64) == 64
    with pytest.raises(
        InvalidInput, match="dimensions must be at most 384 for model 'all-MiniLM-L6-v2', got 512"
    ):
        resolve_dimensions(_config(), 512)


def test_no_shipped_model_is_marked_matryoshka():
    assert [entry.name for entry in catalog.ENTRIES if entry.matryoshka] == []
