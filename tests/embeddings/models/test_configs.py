import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from embeddings.models import EmbeddingConfig, Precision


def make_config(**fields) -> EmbeddingConfig:
    values = {"model": "all-MiniLM-L6-v2", "dimensions": 384, "max_seq_length": 256, **fields}
    return EmbeddingConfig.objects.create(**values)


def test_the_database_refuses_two_active_configs(db):
    make_config(is_active=True)

    with pytest.raises(IntegrityError, match="embeddings_one_active_config"), transaction.atomic():
        make_config(is_active=True)


def test_activating_two_configs_in_one_update_is_refused_by_the_database(db):
    first, second = make_config(), make_config()

    with pytest.raises(IntegrityError, match="embeddings_one_active_config"), transaction.atomic():
        EmbeddingConfig.objects.filter(pk__in=[first.pk, second.pk]).update(is_active=True)


def test_many_inactive_configs_are_history(db):
    for _ in range(3):
        make_config()
    make_config(is_active=True)

    assert EmbeddingConfig.objects.count() == 4
    assert EmbeddingConfig.objects.filter(is_active=True).count() == 1


def test_a_saved_config_cannot_be_edited_in_place(db):
    config = make_config()
    config.dimensions = 768
    config.model = "all-mpnet-base-v2"

    with pytest.raises(ValidationError, match=r"cannot be edited in place \(changed: model, dimensions\)"):
        config.save()


def test_activation_fields_may_change(db):
    config = make_config()
    config.is_active = True
    config.save()

    config.refresh_from_db()
    assert config.is_active


def test_dimensions_must_be_positive(db):
    with pytest.raises(IntegrityError, match="embeddings_config_dimensions_positive"), transaction.atomic():
        make_config(dimensions=0)


def unsaved(**fields) -> EmbeddingConfig:
    values = {"model": "all-MiniLM-L6-v2", "dimensions": 384, "max_seq_length": 256, **fields}
    return EmbeddingConfig(**values)


@pytest.mark.parametrize(
    ("model", "backend", "precision"),
    [
        ("all-MiniLM-L6-v2", "torch", "float32"),
        ("all-MiniLM-L6-v2", "torch", "float16"),
        ("all-MiniLM-L6-v2", "onnx", "float32"),
        ("all-MiniLM-L6-v2", "onnx", "int8"),
        ("all-MiniLM-L6-v2-int8-onnx", "onnx", "int8"),
        ("paraphrase-MiniLM-L3-v2-onnx", "onnx", "float32"),
        ("/srv/models/mine", "onnx", "int8"),
        ("/srv/models/mine", "torch", "float16"),
    ],
)
def test_configs_may_say_what_their_backend_and_model_run(model, backend, precision):
    unsaved(model=model, backend=backend, precision=precision).clean()


@pytest.mark.parametrize(
    ("backend", "precision", "message"),
    [
        ("torch", "int8", "the 'torch' backend runs precision 'float32' or 'float16', not 'int8'"),
        ("onnx", "float16", "the 'onnx' backend runs precision 'float32' or 'int8', not 'float16'"),
    ],
)
def test_each_backend_runs_only_its_precisions(backend, precision, message):
    config = unsaved(model="/srv/models/mine", backend=backend, precision=precision)

    with pytest.raises(ValidationError) as raised:
        config.clean()
    assert raised.value.message_dict == {"precision": [message]}


def test_the_int8_catalog_model_must_say_int8():
    config = unsaved(model="all-MiniLM-L6-v2-int8-onnx", backend="onnx", precision="float32")

    with pytest.raises(ValidationError) as raised:
        config.clean()
    assert raised.value.message_dict == {
        "precision": [
            "catalog model 'all-MiniLM-L6-v2-int8-onnx' is quantized: its precision is 'int8', not 'float32'"
        ]
    }


def test_a_catalog_model_runs_only_on_its_backends():
    int8_on_torch = unsaved(model="all-MiniLM-L6-v2-int8-onnx", backend="torch", precision="float32")
    paraphrase_on_torch = unsaved(model="paraphrase-MiniLM-L3-v2-onnx", backend="torch")

    with pytest.raises(
        ValidationError, match="catalog model 'all-MiniLM-L6-v2-int8-onnx' runs on the 'onnx' backend"
    ):
        int8_on_torch.clean()
    with pytest.raises(ValidationError, match="runs on the 'onnx' backend, not 'torch'"):
        paraphrase_on_torch.clean()


def test_the_int8_precision_is_stored_and_shown(db):
    config = make_config(model="all-MiniLM-L6-v2-int8-onnx", backend="onnx", precision="int8")

    config.refresh_from_db()
    assert config.precision == Precision.INT8
    assert str(config) == f"#{config.pk} all-MiniLM-L6-v2-int8-onnx onnx/int8 384d"
