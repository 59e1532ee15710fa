import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("apikeys", "0002_apikey_user_scopes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(model_name="apikey", name="scope"),
        migrations.AlterField(
            model_name="apikey",
            name="user",
            field=models.ForeignKey(
                help_text="Whose conversations the key reads and writes (its chat scope).",
                on_delete=django.db.models.deletion.CASCADE,
                related_name="api_keys",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="apikey",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("scopes__len__gt", 0), ("scopes__contained_by", ["embed", "chat", "admin"])
                ),
                name="apikeys_apikey_scopes_known_and_not_empty",
                violation_error_message="an API key needs one or more of the scopes embed, chat, admin",
            ),
        ),
    ]
