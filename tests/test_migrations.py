"""The models and their migrations agree: moving models between modules changed no table."""

from io import StringIO

from django.core.management import call_command


def test_the_models_need_no_new_migration(db):
    output = StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=output)

    assert "No changes detected" in output.getvalue()
