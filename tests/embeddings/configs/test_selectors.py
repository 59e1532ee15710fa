"""Reads of configs: the active one comes from the process cache, and never outlives a change."""

from embeddings.configs.selectors import ACTIVE_CONFIG, config_get_active
from embeddings.configs.services import config_activate, config_create
from embeddings.models import EmbeddingConfig


def test_the_active_config_is_read_once_and_then_served_from_the_cache(db, django_assert_num_queries):
    config = config_create(model="all-MiniLM-L6-v2", activate=True)
    assert config_get_active() == config

    with django_assert_num_queries(0):
        assert config_get_active() == config


def test_activating_another_config_is_seen_by_the_next_read_in_every_process(db):
    first = config_create(model="all-MiniLM-L6-v2", activate=True)
    second = config_create(model="paraphrase-MiniLM-L3-v2-onnx")
    another_process = type(ACTIVE_CONFIG)(ACTIVE_CONFIG.key.rsplit(":", 1)[1])
    assert config_get_active() == first
    assert another_process.get("active", EmbeddingConfig.objects.active) == first

    config_activate(second)

    assert config_get_active() == second
    assert another_process.get("active", EmbeddingConfig.objects.active) == second
