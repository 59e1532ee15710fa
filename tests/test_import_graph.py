"""The web process never imports torch or any model library: only Celery workers own models."""

import json
import os
import subprocess
import sys

HEAVY = ["torch", "sentence_transformers", "transformers", "onnxruntime", "tokenizers"]

WEB_STACK = """
import json, sys
import django
django.setup()
from django.test import Client
from django.urls import get_resolver
import embedplatform.wsgi, embedplatform.urls
get_resolver().url_patterns  # import every view module the URLconf names
for module in ["embeddings.api.views", "embeddings.tasks", "embeddings.worker_client", "embeddings.admin",
               "embeddings.catalog", "embeddings.selectors", "embeddings.services"]:
    __import__(module)
Client().get("/api/health")
from drf_spectacular.generators import SchemaGenerator
SchemaGenerator().get_schema(request=None, public=True)  # walks every view and serializer
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in %r)))
"""


def test_the_web_stack_imports_no_model_library(db):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "embedplatform.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", WEB_STACK % (HEAVY,)], env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_the_check_would_notice_a_heavy_import(db):
    """Guards the test above: the same probe reports a model library once something imports one."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "embedplatform.settings.test"}
    probe = WEB_STACK.replace(
        "print(json.dumps", "import embeddings.runtime.onnx_encoder, onnxruntime\nprint(json.dumps"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe % (HEAVY,)], env=env, capture_output=True, text=True, timeout=120
    )

    assert "onnxruntime" in json.loads(result.stdout.strip().splitlines()[-1])
