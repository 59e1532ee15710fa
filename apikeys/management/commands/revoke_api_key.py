from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys.models import ApiKey
from apikeys.services import api_key_revoke


class Command(BaseCommand):
    help = "Revoke an API key by its prefix (the part after 'ep-')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args, prefix: str, **options) -> None:
        api_key = ApiKey.objects.filter(prefix=prefix).first()
        if api_key is None:
            raise CommandError(f"no API key with prefix '{prefix}'")
        api_key_revoke(api_key)
        self.stdout.write(f"revoked {api_key}")
