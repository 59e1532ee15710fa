from django.core.management.base import BaseCommand, CommandError, CommandParser

from embeddings.configs.selectors import config_list
from embeddings.configs.services import config_activate, config_create, config_ensure_active
from embeddings.models import EmbeddingConfig
from embedplatform.api.errors import ApiError


class Command(BaseCommand):
    help = "Show, create and activate embedding configs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("ensure", help="make sure a config is active (from EMBEDDING_* when none exists)")
        sub.add_parser("list", help="list all configs, newest first")
        create = sub.add_parser("create", help="create a new config")
        create.add_argument("model")
        create.add_argument("--backend")
        create.add_argument("--dimensions", type=int)
        create.add_argument("--precision", default="float32")
        create.add_argument("--max-seq-length", type=int)
        create.add_argument(
            "--input-overflow",
            choices=["truncate", "reject"],
            default="truncate",
            help="inputs over max-seq-length tokens: truncate them, or answer 400",
        )
        create.add_argument("--activate", action="store_true")
        activate = sub.add_parser("activate", help="activate a config by id")
        activate.add_argument("config_id", type=int)

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except ApiError as error:
            raise CommandError(error.message) from error

    def _ensure(self, **options) -> None:
        config = config_ensure_active()
        self.stdout.write(f"active embedding config: {config}")

    def _list(self, **options) -> None:
        for config in config_list():
            self.stdout.write(str(config))

    def _create(
        self,
        *,
        model: str,
        backend,
        dimensions,
        precision,
        max_seq_length,
        input_overflow,
        activate,
        **options,
    ) -> None:
        config = config_create(
            model=model,
            backend=backend,
            dimensions=dimensions,
            precision=precision,
            max_seq_length=max_seq_length,
            input_overflow=input_overflow,
            activate=activate,
        )
        self.stdout.write(f"created {config}")

    def _activate(self, *, config_id: int, **options) -> None:
        try:
            config = EmbeddingConfig.objects.get(pk=config_id)
        except EmbeddingConfig.DoesNotExist as error:
            raise CommandError(f"no embedding config with id {config_id}") from error
        self.stdout.write(f"activated {config_activate(config)}")
