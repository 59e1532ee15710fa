from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys.models import ApiKeyScope
from apikeys.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key and print it once (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--scope", choices=ApiKeyScope.values, default=ApiKeyScope.EMBED)

    def handle(self, *args, name: str, scope: str, **options) -> None:
        try:
            api_key, plain_key = api_key_create(name=name, scope=scope)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(
            f"created API key '{api_key.name}' (prefix {api_key.prefix}, scope {api_key.scope}); "
            "copy it now, it is not shown again:"
        )
        self.stdout.write(plain_key)
