"""The models and their migrations agree: moving models between modules changed no table."""

from io import StringIO

from django.core.management import call_command

from tests.migrations import migrate_to, migrate_to_latest

BEFORE_INT8 = ("embeddings", "0004_config_activation")
INT8 = ("embeddings", "0005_precision_int8")


def test_the_models_need_no_new_migration(db):
    output = StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=output)

    assert "No changes detected" in output.getvalue()


def test_configs_of_the_int8_catalog_model_are_labelled_int8_and_back(transactional_db):
    """It always ran its int8 file; configs from before precision int8 said float32."""
    try:
        old_config = migrate_to(BEFORE_INT8).get_model("embeddings", "EmbeddingConfig")
        fields = {"dimensions": 384, "max_seq_length": 256, "backend": "onnx", "precision": "float32"}
        labelled = [
            old_config.objects.create(model="all-MiniLM-L6-v2-int8-onnx", **fields).pk,
            old_config.objects.create(model="ALL-MINILM-L6-V2-ONNX-INT8", **fields).pk,
        ]
        untouched = [
            old_config.objects.create(model="all-MiniLM-L6-v2", **fields).pk,
            old_config.objects.create(model="paraphrase-MiniLM-L3-v2-onnx", **fields).pk,
        ]

        config = migrate_to(INT8).get_model("embeddings", "EmbeddingConfig")
        precisions = dict(config.objects.values_list("pk", "precision"))
        assert [precisions[pk] for pk in labelled] == ["int8", "int8"]
        assert [precisions[pk] for pk in untouched] == ["float32", "float32"]

        config = migrate_to(BEFORE_INT8).get_model("embeddings", "EmbeddingConfig")
        assert set(config.objects.values_list("precision", flat=True)) == {"float32"}
    finally:
        migrate_to_latest()
