from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from apikeys.models import ApiKeyScope
from apikeys.selectors import api_key_get_by_plain_key
from apikeys.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create (once) a demo API key with the admin scope and print it. The plain key is kept in .data/ "
        "so every `make run` can print it again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key-file", default=str(Path(settings.BASE_DIR) / ".data" / "demo-api-key"))

    def handle(self, *args, key_file: str, **options) -> None:
        path = Path(key_file)
        kept = path.read_text().strip() if path.exists() else ""
        api_key = api_key_get_by_plain_key(kept) if kept else None
        if api_key is None or api_key.is_revoked:
            api_key, kept = api_key_create(name="demo (make run)", scope=ApiKeyScope.ADMIN)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(kept)
            path.chmod(0o600)
        self.stdout.write(kept)
