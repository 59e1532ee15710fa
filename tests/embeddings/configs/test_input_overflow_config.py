"""The per-config choice between truncating and rejecting over-long inputs, from settings or the command."""

from io import StringIO

import pytest
from django.core.management import call_command

from embeddings.configs.services import config_create, config_ensure_active
from embeddings.errors import ConfigError
from embeddings.models import EmbeddingConfig


def test_first_config_takes_input_overflow_from_settings(db, settings):
    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "INPUT_OVERFLOW": "reject"}

    assert config_ensure_active().input_overflow == "reject"


def test_command_creates_a_rejecting_config(db):
    call_command(
        "embedding_config", "create", "all-MiniLM-L6-v2", "--input-overflow", "reject", stdout=StringIO()
    )

    assert EmbeddingConfig.objects.get().input_overflow == "reject"


def test_unknown_overflow_policy_is_refused(db):
    with pytest.raises(ConfigError, match="input_overflow: Value 'drop' is not a valid choice."):
        config_create(model="all-MiniLM-L6-v2", input_overflow="drop")
