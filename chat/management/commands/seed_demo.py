from django.core.management.base import BaseCommand, CommandParser

from chat.models import Conversation
from chat.services import demo_seed


class Command(BaseCommand):
    help = "Load the deterministic demo corpus (120 conversations, 5,400 messages); safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--conversations", type=int, default=120)
        parser.add_argument("--messages-per-conversation", type=int, default=45)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any conversation exists")

    def handle(
        self, *args, conversations: int, messages_per_conversation: int, if_empty: bool, **options
    ) -> None:
        if if_empty and Conversation.objects.exists():
            self.stdout.write("demo data: conversations exist already, not seeding")
            return
        created, messages = demo_seed(
            conversations=conversations, messages_per_conversation=messages_per_conversation
        )
        self.stdout.write(
            f"demo data: {created} conversations and {messages} messages created; their embedding is queued"
        )
