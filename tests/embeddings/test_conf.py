"""The EMBEDDINGS settings: defaults in embeddings/conf.py only, overridden by the environment."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from embeddings.conf import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]


def setting_in_a_fresh_process(name: str, environ: dict[str, str]) -> str:
    probe = (
        "import django; django.setup(); from embeddings.conf import embedding_setting; "
        f"print(repr(embedding_setting({name!r})))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("EMBEDDING_")}
    env.update({"DJANGO_SETTINGS_MODULE": "embedplatform.settings", "DJANGO_SECRET_KEY": "x" * 50, **environ})
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_every_setting_has_one_default_and_one_environment_variable():
    assert set(settings.EMBEDDING_ENVIRONMENT) == set(DEFAULTS)
    variables = [variable for variable, _ in settings.EMBEDDING_ENVIRONMENT.values()]
    assert len(set(variables)) == len(variables)


def test_env_example_documents_every_variable():
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*(EMBEDDING_[A-Z_]+)=", example, re.M))

    assert {variable for variable, _ in settings.EMBEDDING_ENVIRONMENT.values()} <= documented


def test_the_environment_overrides_a_default_with_the_right_type():
    assert setting_in_a_fresh_process("BATCH_MAX_TEXTS", {}) == repr(DEFAULTS["BATCH_MAX_TEXTS"])
    assert setting_in_a_fresh_process("BATCH_MAX_TEXTS", {"EMBEDDING_BATCH_MAX_TEXTS": "7"}) == "7"
    assert (
        setting_in_a_fresh_process("REQUEST_TIMEOUT_SECONDS", {"EMBEDDING_REQUEST_TIMEOUT_SECONDS": "2.5"})
        == "2.5"
    )
