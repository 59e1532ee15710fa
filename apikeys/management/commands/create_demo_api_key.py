from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys.models import ApiKeyScope
from apikeys.selectors import api_key_get_by_plain_key
from apikeys.services import api_key_create, api_key_update


class Command(BaseCommand):
    help = (
        "Create (once) a demo API key with every scope, belonging to the demo admin, and print it. The plain "
        "key is kept in .data/ so every `make run` can print it again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key-file", default=str(Path(settings.BASE_DIR) / ".data" / "demo-api-key"))
        parser.add_argument("--user", default="admin", help="the key's owner (the demo admin)")

    def handle(self, *args, key_file: str, user: str, **options) -> None:
        User = get_user_model()
        owner = User._default_manager.filter(**{User.USERNAME_FIELD: user}).first()
        if owner is None:
            raise CommandError(f"no user '{user}': run create_demo_superuser first")
        path = Path(key_file)
        kept = path.read_text().strip() if path.exists() else ""
        api_key = api_key_get_by_plain_key(kept) if kept else None
        if api_key is None or api_key.is_revoked:
            api_key, kept = api_key_create(name="demo (make run)", user=owner, scopes=ApiKeyScope.values)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(kept)
            path.chmod(0o600)
        elif api_key.user_id != owner.pk or api_key.scopes != ApiKeyScope.values:
            api_key_update(api_key, name=api_key.name, user=owner, scopes=ApiKeyScope.values)
        self.stdout.write(kept)
