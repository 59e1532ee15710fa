"""Configs say the backend and precision that run: defaults from the catalog, clear refusals."""

import pytest
from django.core.management import CommandError, call_command

from embeddings.configs.services import config_build, config_create, config_ensure_active
from embeddings.errors import ConfigError
from embeddings.models import EmbeddingConfig


@pytest.mark.parametrize(
    ("fields", "backend", "precision"),
    [
        ({"model": "all-MiniLM-L6-v2"}, "torch", "float32"),
        ({"model": "all-MiniLM-L6-v2", "backend": "onnx"}, "onnx", "float32"),
        ({"model": "all-MiniLM-L6-v2", "precision": "int8"}, "onnx", "int8"),
        ({"model": "all-MiniLM-L6-v2", "precision": "float16"}, "torch", "float16"),
        ({"model": "all-MiniLM-L6-v2-int8-onnx"}, "onnx", "int8"),
        ({"model": "all-minilm-l6-v2-onnx-int8"}, "onnx", "int8"),
        ({"model": "paraphrase-MiniLM-L3-v2-onnx"}, "onnx", "float32"),
        ({"model": "/srv/models/mine", "dimensions": 512}, "torch", "float32"),
        ({"model": "/srv/models/mine", "dimensions": 512, "precision": "int8"}, "onnx", "int8"),
    ],
)
def test_backend_and_precision_default_to_what_the_model_runs(fields, backend, precision):
    config = config_build(**fields)

    assert (config.backend, config.precision) == (backend, precision)


def test_a_quantized_catalog_model_is_created_as_int8(db):
    config = config_create(model="all-MiniLM-L6-v2-int8-onnx")

    config.refresh_from_db()
    assert (config.backend, config.precision) == ("onnx", "int8")


def test_a_torch_catalog_model_may_run_as_onnx_int8(db):
    config = config_create(model="all-MiniLM-L6-v2", backend="onnx", precision="int8")

    assert (config.model, config.backend, config.precision) == ("all-MiniLM-L6-v2", "onnx", "int8")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"model": "all-MiniLM-L6-v2-int8-onnx", "precision": "float32"},
            "precision: catalog model 'all-MiniLM-L6-v2-int8-onnx' is quantized: its precision is 'int8', "
            "not 'float32'",
        ),
        (
            {"model": "all-MiniLM-L6-v2", "backend": "torch", "precision": "int8"},
            "precision: the 'torch' backend runs precision 'float32' or 'float16', not 'int8'",
        ),
        (
            {"model": "all-MiniLM-L6-v2", "backend": "onnx", "precision": "float16"},
            "precision: the 'onnx' backend runs precision 'float32' or 'int8', not 'float16'",
        ),
        (
            {"model": "all-MiniLM-L6-v2-int8-onnx", "backend": "torch"},
            "backend: catalog model 'all-MiniLM-L6-v2-int8-onnx' runs on the 'onnx' backend, not 'torch'",
        ),
        (
            {"model": "all-MiniLM-L6-v2", "precision": "bfloat16"},
            "precision: Value 'bfloat16' is not a valid choice.",
        ),
    ],
)
def test_an_unsupported_combination_is_a_clear_error(db, fields, message):
    with pytest.raises(ConfigError) as raised:
        config_create(**fields)

    assert message in raised.value.message
    assert not EmbeddingConfig.objects.exists()


def test_the_first_config_of_a_quantized_model_is_int8_without_a_precision_setting(db, settings):
    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "MODEL": "all-MiniLM-L6-v2-int8-onnx"}
    settings.EMBEDDINGS.pop("PRECISION", None)

    config = config_ensure_active()

    assert (config.model, config.backend, config.precision) == ("all-MiniLM-L6-v2-int8-onnx", "onnx", "int8")


def test_the_precision_setting_chooses_the_first_configs_precision(db, settings):
    settings.EMBEDDINGS = {**settings.EMBEDDINGS, "MODEL": "all-MiniLM-L6-v2", "PRECISION": "int8"}

    config = config_ensure_active()

    assert (config.backend, config.precision) == ("onnx", "int8")


def test_the_config_command_creates_int8_configs_and_refuses_wrong_precisions(db, capsys):
    call_command("embedding_config", "create", "all-MiniLM-L6-v2-int8-onnx")
    call_command("embedding_config", "create", "all-MiniLM-L6-v2", "--backend", "onnx", "--precision", "int8")

    output = capsys.readouterr().out
    assert "all-MiniLM-L6-v2-int8-onnx onnx/int8 384d" in output
    assert "all-MiniLM-L6-v2 onnx/int8 384d" in output
    with pytest.raises(
        CommandError, match="the 'torch' backend runs precision 'float32' or 'float16', not 'int8'"
    ):
        call_command(
            "embedding_config", "create", "all-MiniLM-L6-v2", "--backend", "torch", "--precision", "int8"
        )
