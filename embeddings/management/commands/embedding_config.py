import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from embeddings.configs.activation import activation_advance, activation_start
from embeddings.configs.selectors import config_list
from embeddings.configs.services import config_create, config_ensure_active
from embeddings.models import ActivationState, ConfigActivation, EmbeddingConfig
from embeddings.vectors.selectors import config_coverage
from embedplatform.api.errors import ApiError


class Command(BaseCommand):
    help = "Show, create and activate embedding configs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("ensure", help="make sure a config is active (from EMBEDDING_* when none exists)")
        sub.add_parser("list", help="list all configs, newest first")
        create = sub.add_parser("create", help="create a new config")
        create.add_argument("model")
        create.add_argument("--backend", help="torch or onnx (default: the catalog model's own, else torch)")
        create.add_argument("--dimensions", type=int)
        create.add_argument(
            "--precision",
            help="torch: float32 or float16; onnx: float32 or int8 (default: the model's own, "
            "int8 for a quantized catalog model, else float32)",
        )
        create.add_argument("--max-seq-length", type=int)
        create.add_argument(
            "--input-overflow",
            choices=["truncate", "reject"],
            default="truncate",
            help="inputs over max-seq-length tokens: truncate them, or answer 400",
        )
        create.add_argument("--activate", action="store_true", help="start activating it (see `activate`)")
        create.add_argument("--wait", action="store_true", help="with --activate: follow it until it ends")
        create.add_argument("--now", action="store_true", help="with --activate: see `activate --now`")
        activate = sub.add_parser(
            "activate",
            help="activate a config by id: every live worker loads it, then it becomes active (the current "
            "config serves until then)",
        )
        activate.add_argument("config_id", type=int)
        activate.add_argument("--wait", action="store_true", help="follow it to its end (a progress line)")
        activate.add_argument(
            "--now",
            action="store_true",
            help="flip once the workers hold the model, without first building its missing and stale vectors "
            "(the default builds them first when stored texts lack a fresh vector of the config)",
        )

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
        wait,
        now,
        **options,
    ) -> None:
        config = config_create(
            model=model,
            backend=backend,
            dimensions=dimensions,
            precision=precision,
            max_seq_length=max_seq_length,
            input_overflow=input_overflow,
        )
        self.stdout.write(f"created {config}")
        if activate:
            self._start_activation(config, wait, now)

    def _activate(self, *, config_id: int, wait: bool, now: bool, **options) -> None:
        try:
            config = EmbeddingConfig.objects.get(pk=config_id)
        except EmbeddingConfig.DoesNotExist as error:
            raise CommandError(f"no embedding config with id {config_id}") from error
        self._start_activation(config, wait, now)

    def _start_activation(self, config: EmbeddingConfig, wait: bool, now: bool) -> None:
        activation = activation_start(
            config, requested_via="manage.py embedding_config", when_built=False if now else None
        )
        if now:
            self._warn_coverage(config)
        if wait:
            activation = self._follow(activation)
        if activation.state == ActivationState.ACTIVE:
            config.refresh_from_db()
            self.stdout.write(f"activated {config}")
        elif activation.state == ActivationState.FAILED:
            raise CommandError(f"activation #{activation.pk} failed: {activation.error}")
        else:
            self.stdout.write(
                f"activation #{activation.pk} of {config} {activation.state}: every live worker loads it, "
                "then it becomes active; follow it with --wait, in the admin, or GET "
                f"/api/admin/embedding/activations/{activation.pk}"
            )

    def _warn_coverage(self, config: EmbeddingConfig) -> None:
        for label, counts in config_coverage(config).items():
            if counts.stale or counts.missing:
                self.stdout.write(
                    f"{label}: {counts.fresh} of {counts.total} texts have a fresh vector of this config "
                    f"({counts.stale} stale, {counts.missing} missing); search finds only those until "
                    f"`manage.py reembed --config {config.pk}` builds the rest"
                )

    def _follow(self, activation: ConfigActivation) -> ConfigActivation:
        """Until the activation ends; a line each time its progress changes."""
        last = ""
        while True:
            activation = activation_advance(activation)
            line = progress_line(activation)
            if line != last:
                self.stdout.write(line)
                last = line
            if not activation.is_pending:
                return activation
            time.sleep(0.5)
            activation.refresh_from_db()


def progress_line(activation: ConfigActivation) -> str:
    workers = ", ".join(
        f"{name}: {state['state']}" + (f" {state['seconds']} s" if state.get("seconds") is not None else "")
        for name, state in sorted(activation.workers.items())
    )
    line = f"activation #{activation.pk}: {activation.state}" + (f" ({workers})" if workers else "")
    if activation.state == ActivationState.BUILDING:
        jobs = ", ".join(
            f"job #{job.pk} {job.source_type} {job.done}/{job.total}" for job in activation.jobs.all()
        )
        line += f" ({jobs})"
    return line
