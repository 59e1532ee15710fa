import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from embeddings.models import EmbeddingConfig


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
