"""Keys get a user and a list of scopes. Existing keys keep what they could do and all go to one ordinary
user, "legacy-keys": they shared every conversation before, so one owner keeps an app's ingest and query keys
seeing the same conversations; an operator moves a key to its real user in the admin.

The columns are tightened in 0003: PostgreSQL will not ALTER a table with the updates below still pending
their foreign key checks in the same transaction."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations, models

import apikeys.models

LEGACY_USERNAME = "legacy-keys"
SCOPES_OF_OLD_SCOPE = {"embed": ["embed", "chat"], "admin": ["embed", "chat", "admin"]}


def give_keys_a_user_and_scopes(apps, schema_editor):
    api_keys = apps.get_model("apikeys", "ApiKey").objects
    if not api_keys.exists():
        return
    users = apps.get_model(settings.AUTH_USER_MODEL).objects
    legacy, _ = users.get_or_create(username=LEGACY_USERNAME, defaults={"password": make_password(None)})
    for old_scope, scopes in SCOPES_OF_OLD_SCOPE.items():
        api_keys.filter(scope=old_scope).update(user=legacy, scopes=scopes)


def back_to_one_scope(apps, schema_editor):
    api_keys = apps.get_model("apikeys", "ApiKey").objects
    api_keys.filter(scopes__contains=["admin"]).update(scope="admin")
    api_keys.exclude(scopes__contains=["admin"]).update(scope="embed")


class Migration(migrations.Migration):
    dependencies = [
        ("apikeys", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="user",
            field=models.ForeignKey(
                help_text="Whose conversations the key reads and writes (its chat scope).",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="api_keys",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="apikey",
            name="scopes",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(
                    choices=[
                        ("embed", "Embed: embedding routes (/v1/embeddings, /v1/models, /api/embedding/...)"),
                        ("chat", "Chat: read, write and search the key's user's own conversations"),
                        ("admin", "Admin: configs, activations, re-embed jobs and workers (/api/admin/...)"),
                    ],
                    max_length=16,
                ),
                default=apikeys.models.default_scopes,
                help_text="What the key may call; one or more of: embed, chat, admin.",
                size=None,
            ),
        ),
        migrations.RunPython(give_keys_a_user_and_scopes, back_to_one_scope),
    ]
