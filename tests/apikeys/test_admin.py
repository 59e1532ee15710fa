"""The admin: create a key (secret shown once), list it, revoke it."""

import re

import pytest
from django.contrib.auth import get_user_model

from apikeys.models import ApiKey
from apikeys.selectors import api_key_get_by_plain_key


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw-root-123")
    client.force_login(user)
    return client


def test_adding_a_key_shows_its_secret_once_and_stores_only_the_hash(admin_client):
    response = admin_client.post(
        "/admin/apikeys/apikey/add/", {"name": "from admin", "scope": "embed"}, follow=True
    )

    page = response.content.decode()
    plain = re.search(r"The new API key is (ep-[0-9a-f]{12}-[A-Za-z0-9_\-]+) ", page).group(1)
    api_key = api_key_get_by_plain_key(plain)
    assert (api_key.name, api_key.scope) == ("from admin", "embed")
    assert plain.split("-", 2)[2] not in api_key.hashed_secret
    listing = admin_client.get("/admin/apikeys/apikey/").content.decode()
    assert api_key.prefix in listing
    assert plain not in listing


def test_revoke_action_revokes_the_selected_keys(admin_client, make_api_key):
    plain = make_api_key()
    api_key = api_key_get_by_plain_key(plain)

    response = admin_client.post(
        "/admin/apikeys/apikey/", {"action": "revoke_selected", "_selected_action": [api_key.pk]}, follow=True
    )

    assert "Revoked 1 API key(s)." in response.content.decode()
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None
