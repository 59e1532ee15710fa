import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from embeddings.errors import JobStateError
from embeddings.models import EmbeddingConfig, JobState, ReembedJob
from embeddings.vectors.jobs import JOB_ACTIONS, reembed_job_advance, reembed_job_start
from embeddings.vectors.registry import NotRegistered, registry


class Command(BaseCommand):
    help = (
        "Build a config's vectors for every stored text (missing, failed or stale ones), beside the active "
        "config's: a re-embedding job per source. Workers do the embedding; --wait shows a progress bar. "
        "--pause/--resume/--cancel JOB act on a job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--config", type=int, help="the config to build vectors for")
        for action in JOB_ACTIONS:
            target.add_argument(f"--{action}", type=int, metavar="JOB", help=f"{action} a job by id")
        parser.add_argument("--source", help="one source label, e.g. chat.message (default: all registered)")
        parser.add_argument("--wait", action="store_true", help="follow the jobs to their end")

    def handle(self, *args, config: int | None, source: str | None, wait: bool, **options) -> None:
        if config is None:
            action = next(name for name in JOB_ACTIONS if options.get(name) is not None)
            jobs = [self._act(action, options[action])]
        else:
            jobs = self._start(config, source)
        if wait:
            for job in jobs:
                self._follow(job)

    def _start(self, config: int, source: str | None) -> list[ReembedJob]:
        target = EmbeddingConfig.objects.filter(pk=config).first()
        if target is None:
            raise CommandError(f"no embedding config with id {config}")
        try:
            sources = [registry.get(source)] if source else registry.all()
        except NotRegistered as error:
            raise CommandError(str(error)) from error
        jobs = [reembed_job_start(target, item, requested_via="manage.py reembed") for item in sources]
        for job in jobs:
            self.stdout.write(f"{job}: {job.state}")
        return jobs

    def _act(self, action: str, job_id: int) -> ReembedJob:
        job = ReembedJob.objects.filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"no re-embedding job with id {job_id}")
        try:
            job = JOB_ACTIONS[action](job)
        except JobStateError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{job}: {job.state}")
        return job

    def _follow(self, job: ReembedJob) -> None:
        with tqdm(
            total=job.total, initial=job.done, desc=f"job #{job.pk} {job.source_type}", unit="text"
        ) as bar:
            while job.state in JobState.moving():
                time.sleep(0.5)
                job.refresh_from_db()
                job = reembed_job_advance(job)
                bar.total = job.total
                bar.update(job.done - bar.n)
                bar.set_postfix(state=job.state, failed=job.failed, rate=job.rate)
        self.stdout.write(f"{job}: {job.state}, {job.failed} failed")
        if job.error:
            self.stdout.write(f"why: {job.error}")
        if job.errors:
            self.stdout.write(f"last errors: {'; '.join(job.errors)}")
