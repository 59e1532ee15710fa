"""The admin: create a key for a user with scopes (secret shown once), edit its user and scopes, revoke it."""

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


@pytest.fixture
def app_user(db):
    return get_user_model().objects.create_user("app")


def test_adding_a_key_shows_its_secret_once_and_stores_only_the_hash(admin_client, app_user):
    response = admin_client.post(
        "/admin/apikeys/apikey/add/",
        {"name": "from admin", "user": app_user.pk, "scopes": ["chat", "embed"]},
        follow=True,
    )

    page = response.content.decode()
    plain = re.search(r"The new API key is (ep-[0-9a-f]{12}-[A-Za-z0-9_\-]+) ", page).group(1)
    api_key = api_key_get_by_plain_key(plain)
    assert (api_key.name, api_key.user, api_key.scopes) == ("from admin", app_user, ["embed", "chat"])
    assert plain.split("-", 2)[2] not in api_key.hashed_secret
    listing = admin_client.get("/admin/apikeys/apikey/").content.decode()
    assert api_key.prefix in listing
    assert plain not in listing
    assert plain not in admin_client.get(f"/admin/apikeys/apikey/{api_key.pk}/change/").content.decode()


def test_a_key_without_scopes_is_refused_by_the_form(admin_client, app_user):
    response = admin_client.post("/admin/apikeys/apikey/add/", {"name": "none", "user": app_user.pk})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"scopes": ["This field is required."]}
    assert ApiKey.objects.count() == 0


def test_a_keys_user_and_scopes_are_edited_and_its_secret_keeps_working(admin_client, app_user, make_api_key):
    plain = make_api_key(["embed"])
    api_key = api_key_get_by_plain_key(plain)

    response = admin_client.post(
        f"/admin/apikeys/apikey/{api_key.pk}/change/",
        {"name": "moved", "user": app_user.pk, "scopes": ["chat", "admin"]},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    moved = api_key_get_by_plain_key(plain)
    assert (moved.name, moved.user, moved.scopes, moved.prefix) == (
        "moved",
        app_user,
        ["chat", "admin"],
        api_key.prefix,
    )


def test_the_list_filters_by_scope(admin_client, make_api_key):
    embed_only = api_key_get_by_plain_key(make_api_key(["embed"], name="embed only"))
    chat_too = api_key_get_by_plain_key(make_api_key(["embed", "chat"], name="chat too"))

    page = admin_client.get("/admin/apikeys/apikey/", {"scope": "chat"})

    assert [key.pk for key in page.context["cl"].result_list] == [chat_too.pk]
    assert embed_only.pk not in [key.pk for key in page.context["cl"].result_list]


def test_revoke_action_revokes_the_selected_keys(admin_client, make_api_key):
    plain = make_api_key()
    api_key = api_key_get_by_plain_key(plain)

    response = admin_client.post(
        "/admin/apikeys/apikey/", {"action": "revoke_selected", "_selected_action": [api_key.pk]}, follow=True
    )

    assert "Revoked 1 API key(s)." in response.content.decode()
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None
