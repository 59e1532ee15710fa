"""The web process never imports torch, a model library or worker code: only Celery workers own models.

tests/test_layering.py checks the static import graph; this checks what a real web process loads.
"""

import json
import os
import subprocess
import sys

HEAVY = ["torch", "sentence_transformers", "transformers", "onnxruntime", "tokenizers"]
WORKER_SIDE = ["embeddings.worker", "embeddings.runtime", "embeddings.tasks"]

WEB_STACK = """
import json, pkgutil, sys
import django
django.setup()
from django.test import Client
from django.urls import get_resolver
import embedplatform.wsgi, embedplatform.urls
get_resolver().url_patterns  # import every view module the URLconf names
WEB_PACKAGES = ["embeddings.api", "embeddings.client", "embeddings.configs", "embeddings.vectors",
                "embeddings.catalog", "embeddings.models", "embeddings.management", "chat", "apikeys"]
for package in WEB_PACKAGES:
    module = __import__(package, fromlist=["_"])
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        __import__(info.name)
import embeddings.admin, embeddings.conf, embeddings.errors, embeddings.wire.tasks
Client().get("/api/health")
from drf_spectacular.generators import SchemaGenerator
SchemaGenerator().get_schema(request=None, public=True)  # walks every view and serializer
loaded = [name for name in sys.modules
          if name.split(".")[0] in %r or any(name.startswith(side) for side in %r)]
print(json.dumps(sorted(loaded)))
"""


def _loaded_by_the_web_stack(extra: str = "") -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "embedplatform.settings.test"}
    probe = WEB_STACK.replace("loaded = [", extra + "\nloaded = [") % (HEAVY, WORKER_SIDE)
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_web_stack_imports_no_model_library_and_no_worker_code(db):
    assert _loaded_by_the_web_stack() == []


def test_the_check_would_notice_a_heavy_import_or_worker_code(db):
    """Guards the test above: the same probe reports what it looks for once something imports it."""
    loaded = _loaded_by_the_web_stack("import embeddings.worker.serving, onnxruntime")

    assert "onnxruntime" in loaded
    assert "embeddings.worker.serving" in loaded
