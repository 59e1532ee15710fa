import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from embeddings.models import EmbeddingConfig, JobState, ReembedJob
from embeddings.vectors.jobs import reembed_job_advance, reembed_job_start
from embeddings.vectors.registry import NotRegistered, registry


class Command(BaseCommand):
    help = (
        "Build a config's vectors for every stored text (missing, failed or stale ones), beside the active "
        "config's: a re-embedding job per source. Workers do the embedding; --wait shows a progress bar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--config", type=int, required=True, help="the config to build vectors for")
        parser.add_argument("--source", help="one source label, e.g. chat.message (default: all registered)")
        parser.add_argument("--wait", action="store_true", help="follow the jobs to their end")

    def handle(self, *args, config: int, source: str | None, wait: bool, **options) -> None:
        target = EmbeddingConfig.objects.filter(pk=config).first()
        if target is None:
            raise CommandError(f"no embedding config with id {config}")
        try:
            sources = [registry.get(source)] if source else registry.all()
        except NotRegistered as error:
            raise CommandError(str(error)) from error
        jobs = [reembed_job_start(target, item, requested_via="manage.py reembed") for item in sources]
        for job in jobs:
            self.stdout.write(f"{job}: {job.pending} to embed")
        if wait:
            for job in jobs:
                self._follow(job)

    def _follow(self, job: ReembedJob) -> None:
        with tqdm(
            total=job.total, initial=job.done, desc=f"job #{job.pk} {job.source_type}", unit="text"
        ) as bar:
            while job.state == JobState.RUNNING:
                time.sleep(0.5)
                job.refresh_from_db()
                job = reembed_job_advance(job)
                bar.total = job.total
                bar.update(job.done - bar.n)
                bar.set_postfix(failed=job.failed, rate=job.rate)
        self.stdout.write(f"{job}: {job.state}, {job.failed} failed")
        if job.failed:
            self.stdout.write(f"last errors: {'; '.join(job.errors)}")
