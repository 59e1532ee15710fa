"""Conversations get an owner. Existing ones go to the first active superuser (the operator, who sees them in
the admin anyway), or, with none, to the ordinary user "legacy-keys" that apikeys 0002 gives existing keys.

The column is made NOT NULL in 0003: PostgreSQL will not ALTER a table with the update below still pending
its foreign key check in the same transaction."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations, models

LEGACY_USERNAME = "legacy-keys"


def give_conversations_an_owner(apps, schema_editor):
    conversations = apps.get_model("chat", "Conversation").objects
    if not conversations.filter(owner__isnull=True).exists():
        return
    users = apps.get_model(settings.AUTH_USER_MODEL).objects
    owner = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if owner is None:
        owner, _ = users.get_or_create(username=LEGACY_USERNAME, defaults={"password": make_password(None)})
    conversations.filter(owner__isnull=True).update(owner=owner)


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=models.deletion.CASCADE,
                related_name="conversations",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(give_conversations_an_owner, migrations.RunPython.noop),
    ]
