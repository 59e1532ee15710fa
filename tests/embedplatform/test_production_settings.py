"""Production settings: no start with DEBUG off and a published SECRET_KEY, `check --deploy` clean with the
HTTPS variables set, Django's four password validators, and admin logins throttled by django-axes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k7Hq2vX9pLm4Rt8wZc3Nb6Yd1Fg5Js0Ua7Ke2Qo9Wi4Tr6Ey3Pl8Mn1Bv5Cx0Gh7",
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "embeddings.example.com",
    "DJANGO_BEHIND_HTTPS_PROXY": "true",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
    "DJANGO_SECURE_COOKIES": "true",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_HSTS_PRELOAD": "true",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """manage.py under the base settings, with only the given variables (plus a database URL) set."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment = {**base, "DJANGO_SETTINGS_MODULE": "embedplatform.settings", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_check_deploy_is_clean_under_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize("key", [None, "dev-insecure-change-me", "change-me-in-production", "change-me"])
def test_no_process_starts_with_debug_off_and_a_missing_or_published_secret_key(key):
    env = {name: value for name, value in PRODUCTION_ENV.items() if name != "DJANGO_SECRET_KEY"}
    if key is not None:
        env["DJANGO_SECRET_KEY"] = key

    result = _manage("check", **env)

    assert result.returncode == 1
    assert (
        "django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY is missing or a published default, "
        "and DEBUG is off: set DJANGO_SECRET_KEY to a long random value" in result.stderr
    )


def test_with_debug_on_the_development_key_is_allowed():
    result = _manage("check", DJANGO_DEBUG="true")

    assert result.returncode == 0, result.stderr


def test_the_four_standard_password_validators_are_on(db, django_user_model):
    user = django_user_model(username="zephyrine", email="zephyrine@example.com")

    with pytest.raises(ValidationError) as caught:
        validate_password("12345678", user)
    with pytest.raises(ValidationError) as similar:
        validate_password("zephyrine77", user)

    assert caught.value.messages == [
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert similar.value.messages == ["The password is too similar to the username."]
    with pytest.raises(ValidationError, match="This password is too short"):
        validate_password("x7#q", user)
    validate_password("a long unusual passphrase 7391", user)


@pytest.fixture
def admin_login(client):
    def login(username: str, password: str):  # noqa: ANN202
        return client.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password},
            REMOTE_ADDR="203.0.113.7",
        )

    return login


def test_failed_admin_logins_lock_out_that_username_from_that_address(
    db, django_user_model, admin_login, settings
):
    django_user_model.objects.create_user("boss", password="right-horse-battery-42", is_staff=True)
    django_user_model.objects.create_user("other", password="other-horse-battery-42", is_staff=True)
    limit = settings.AXES_FAILURE_LIMIT

    before_the_limit = [admin_login("boss", f"wrong-{attempt}").status_code for attempt in range(limit - 1)]
    at_the_limit = admin_login("boss", "wrong-again")
    with_the_right_password = admin_login("boss", "right-horse-battery-42")
    another_user = admin_login("other", "other-horse-battery-42")

    assert limit == 5
    assert before_the_limit == [200] * (limit - 1)  # the login form again, with its error
    assert at_the_limit.status_code == 429
    assert with_the_right_password.status_code == 429
    assert with_the_right_password.content.decode() == (
        "Account locked: too many login attempts. Please try again later."
    )
    assert another_user.status_code == 302 and another_user["Location"] == "/admin/"


def test_a_successful_login_resets_the_count(db, django_user_model, admin_login):
    django_user_model.objects.create_user("boss", password="right-horse-battery-42", is_staff=True)

    for attempt in range(4):
        admin_login("boss", f"wrong-{attempt}")
    assert admin_login("boss", "right-horse-battery-42").status_code == 302
    after_reset = [admin_login("boss", f"wrong-{attempt}").status_code for attempt in range(4)]

    assert after_reset == [200] * 4
