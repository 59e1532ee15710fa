import pytest

from embeddings.configs.services import config_activate, config_create, config_ensure_active
from embeddings.errors import ConfigError
from embeddings.models import EmbeddingConfig


def test_catalog_models_fill_in_their_own_facts(db):
    config = config_create(model="sentence-transformers/all-MiniLM-L6-v2")

    assert (config.model, config.backend, config.dimensions, config.max_seq_length, config.normalize) == (
        "all-MiniLM-L6-v2",
        "torch",
        384,
        256,
        True,
    )
    assert not config.is_active


def test_a_dimension_that_contradicts_the_catalog_is_a_clear_error(db):
    with pytest.raises(
        ConfigError, match="dimensions: model 'all-MiniLM-L6-v2' produces 384-dimensional vectors, not 768"
    ):
        config_create(model="all-MiniLM-L6-v2", dimensions=768)
    assert not EmbeddingConfig.objects.exists()


def test_reserved_providers_are_refused(db):
    with pytest.raises(ConfigError, match="provider 'openai' is reserved and not available yet"):
        config_create(model="all-MiniLM-L6-v2", provider="openai")


def test_a_model_outside_the_catalog_needs_its_dimensions(db):
    with pytest.raises(ConfigError, match="is not in the catalog: give its dimensions"):
        config_create(model="/srv/models/mine")

    config = config_create(model="/srv/models/mine", dimensions=512)
    assert (config.backend, config.max_seq_length) == ("torch", 256)


def test_activating_a_config_deactivates_the_previous_one_and_keeps_it(db):
    first = config_create(model="all-MiniLM-L6-v2", activate=True)
    second = config_create(model="all-MiniLM-L6-v2-int8-onnx")

    config_activate(second)

    first.refresh_from_db()
    assert not first.is_active
    assert EmbeddingConfig.objects.get(is_active=True) == second
    assert second.activated_at is not None


def test_the_first_config_comes_from_the_environment_settings(db, settings):
    settings.EMBEDDINGS = {
        **settings.EMBEDDINGS,
        "MODEL": "paraphrase-MiniLM-L3-v2",
        "DIMENSIONS": 384,
        "PRECISION": "float32",
        "PROVIDER": "local",
    }

    config = config_ensure_active()

    assert (config.model, config.backend, config.dimensions, config.normalize, config.is_active) == (
        "paraphrase-MiniLM-L3-v2-onnx",
        "onnx",
        384,
        False,
        True,
    )


def test_a_wrong_dimension_in_the_environment_is_a_clear_error(db, settings):
    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "MODEL": "all-MiniLM-L6-v2", "DIMENSIONS": 1536}

    with pytest.raises(ConfigError, match="produces 384-dimensional vectors, not 1536"):
        config_ensure_active()


def test_ensure_active_keeps_an_existing_active_config(db):
    active = config_create(model="all-MiniLM-L6-v2-int8-onnx", activate=True)

    assert config_ensure_active() == active
    assert EmbeddingConfig.objects.count() == 1
