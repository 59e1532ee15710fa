from django.core.management.base import BaseCommand, CommandError, CommandParser

from embeddings.configs.selectors import config_get_active
from embeddings.models import EmbeddingConfig
from embeddings.vectors.registry import NotRegistered, registry
from embeddings.vectors.services import vectors_backfill


class Command(BaseCommand):
    help = (
        "Queue embedding of every registered source without a vector for a config (default: the active "
        "one), in chunks; e.g. after activating a new model. Workers do the embedding."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--config", type=int, help="config id (default: the active config)")
        parser.add_argument("--source", help="one source label, e.g. chat.message (default: all registered)")
        parser.add_argument("--retry-failed", action="store_true", help="queue failed ones again too")

    def handle(self, *args, config: int | None, source: str | None, retry_failed: bool, **options) -> None:
        target = EmbeddingConfig.objects.filter(pk=config).first() if config else config_get_active()
        if target is None:
            raise CommandError(f"no embedding config with id {config}" if config else "no config is active")
        try:
            sources = [registry.get(source)] if source else registry.all()
        except NotRegistered as error:
            raise CommandError(str(error)) from error
        for item in sources:
            queued = vectors_backfill(item, target, include_failed=retry_failed)
            self.stdout.write(f"{item.label}: {queued} queued for embedding with config {target.pk}")
