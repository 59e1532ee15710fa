from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys.models import ApiKeyScope
from apikeys.services import api_key_create, user_get_or_create


class Command(BaseCommand):
    help = (
        "Create an API key for a user (an ordinary user of that name is created if missing) and print it "
        "once (only its hash is stored). Repeat --scope for several: --scope embed --scope chat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--user", required=True, help="user name of the key's owner")
        parser.add_argument(
            "--scope", dest="scopes", action="append", required=True, choices=ApiKeyScope.values
        )

    def handle(self, *args, name: str, user: str, scopes: list[str], **options) -> None:
        try:
            api_key, plain_key = api_key_create(name=name, user=user_get_or_create(user), scopes=scopes)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(
            f"created API key '{api_key.name}' for user '{api_key.user.get_username()}' (prefix "
            f"{api_key.prefix}, scopes {', '.join(api_key.scopes)}); copy it now, it is not shown again:"
        )
        self.stdout.write(plain_key)
