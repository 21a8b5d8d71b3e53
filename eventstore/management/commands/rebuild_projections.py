from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from eventstore import projections
from eventstore.models import Event


class Command(BaseCommand):
    help = (
        "Empty read-model tables and replay every event into them. With --check, "
        "rebuild inside a transaction that is rolled back, compare with the "
        "current tables, and exit with status 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "projection",
            nargs="?",
            help="Rebuild only this projection. Default: all of them.",
        )
        parser.add_argument("--check", action="store_true")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, projection, check: bool, batch_size: int, **options):
        chosen = self._chosen(projection)
        differing = 0

        for item in chosen:
            total = Event.objects.filter(stream_type__in=item.stream_types).count()
            with tqdm(total=total, desc=item.name, unit="event") as progress:
                options = {"batch_size": batch_size, "on_batch": progress.update}
                if check:
                    differences = projections.differences_after_rebuild(item, **options)
                else:
                    projections.rebuild(item, **options)
            if check:
                differing += self._report(item.name, differences)
            else:
                self.stdout.write(f"{item.name}: rebuilt from {total} events")

        if differing:
            raise SystemExit(1)

    def _chosen(self, name: str | None) -> list:
        registered = projections.registered()
        if name is None:
            return list(registered.values())
        if name not in registered:
            known = ", ".join(sorted(registered))
            raise CommandError(f"No projection named {name!r}; known: {known}")
        return [registered[name]]

    def _report(self, name: str, differences: dict[str, int]) -> int:
        if not differences:
            self.stdout.write(self.style.SUCCESS(f"{name}: matches the events"))
            return 0
        for table, rows in differences.items():
            self.stdout.write(
                self.style.ERROR(f"{name}: {table} has {rows} rows that differ")
            )
        return sum(differences.values())
