from django.core.management.base import BaseCommand

from embeddings import catalog


class Command(BaseCommand):
    help = "List the offline model catalog and which models are installed on this machine."

    def handle(self, *args, **options) -> None:
        header = f"{'name':32} {'dims':>5} {'tokens':>6} {'backend':8} {'license':11} installed"
        self.stdout.write(header)
        for entry in catalog.ENTRIES:
            path = catalog.installed_path(entry)
            where = f"yes ({path})" if path else f"no: {entry.install_hint}"
            self.stdout.write(
                f"{entry.name:32} {entry.dimensions:>5} {entry.max_tokens:>6} {entry.backend:8} "
                f"{entry.license:11} {where}"
            )
            self.stdout.write(f"{'':32} weights: {entry.weights_source}")
