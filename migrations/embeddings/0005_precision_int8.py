"""Precision gains int8, and configs of the int8 catalog model say so.

Configs are immutable in save(); this corrects a label, not what runs: the int8 catalog model always ran its
int8 file while its configs said float32.
"""

from django.db import migrations, models
from django.db.models.functions import Lower

# The int8 catalog entry's name and alias (embeddings.catalog), frozen here as a migration must be.
INT8_CATALOG_NAMES = ["all-minilm-l6-v2-int8-onnx", "all-minilm-l6-v2-onnx-int8"]


def label_int8_configs(apps, schema_editor):
    config_model = apps.get_model("embeddings", "EmbeddingConfig")
    config_model.objects.annotate(model_lower=Lower("model")).filter(
        model_lower__in=INT8_CATALOG_NAMES
    ).update(precision="int8")


def unlabel_int8_configs(apps, schema_editor):
    """The older schema has no int8: every int8 config goes back to float32."""
    config_model = apps.get_model("embeddings", "EmbeddingConfig")
    config_model.objects.filter(precision="int8").update(precision="float32")


class Migration(migrations.Migration):
    dependencies = [
        ("embeddings", "0004_config_activation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="embeddingconfig",
            name="precision",
            field=models.CharField(
                choices=[("float32", "float32"), ("float16", "float16"), ("int8", "int8")],
                default="float32",
                help_text="torch runs float32 or float16; onnx runs float32 or int8 (ONNX files are exported "
                "and quantized from the model's weights on first load when it ships none).",
                max_length=16,
            ),
        ),
        migrations.RunPython(label_int8_configs, unlabel_int8_configs),
    ]
