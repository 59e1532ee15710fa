from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys.services import user_get_or_create
from chat.models import Conversation
from chat.services import demo_seed


class Command(BaseCommand):
    help = "Load the deterministic demo corpus (120 conversations, 5,400 messages); safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--conversations", type=int, default=120)
        parser.add_argument("--messages-per-conversation", type=int, default=45)
        parser.add_argument(
            "--owner",
            default="admin",
            help="user name of the conversations' owner (default: the demo admin of `make run`); "
            "an ordinary user of that name is created if there is none",
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any conversation exists")

    def handle(
        self, *args, conversations: int, messages_per_conversation: int, owner: str, if_empty: bool, **options
    ) -> None:
        if if_empty and Conversation.objects.exists():
            self.stdout.write("demo data: conversations exist already, not seeding")
            return
        try:
            user = user_get_or_create(owner)
        except ValueError as error:
            raise CommandError(str(error)) from error
        created, messages = demo_seed(
            owner=user, conversations=conversations, messages_per_conversation=messages_per_conversation
        )
        self.stdout.write(
            f"demo data: {created} conversations and {messages} messages created for "
            f"'{user.get_username()}'; their embedding is queued"
        )
