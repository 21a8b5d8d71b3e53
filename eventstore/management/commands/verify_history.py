import json

from django.core.management.base import BaseCommand
from tqdm import tqdm

from eventstore.verification import CHAINS, verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the hash chains of the event log and the audit log and report "
        "the first broken link of each. Exits with status 1 unless both verify."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chain",
            choices=sorted(CHAINS),
            action="append",
            help="Verify only this chain (may be given twice). Default: both.",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON."
        )
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, chain, as_json: bool, batch_size: int, **options):
        reports = [
            self._verify(name, batch_size, show_progress=not as_json)
            for name in chain or sorted(CHAINS)
        ]

        if as_json:
            self.stdout.write(_as_json(reports))
        else:
            for report in reports:
                self._print(report)

        if not all(report.intact for report in reports):
            raise SystemExit(1)

    def _verify(self, name: str, batch_size: int, show_progress: bool):
        total = CHAINS[name]._default_manager.count()
        with tqdm(
            total=total, desc=name, unit="row", disable=not show_progress or not total
        ) as progress:
            return verify_chain(name, batch_size, on_batch=progress.update)

    def _print(self, report) -> None:
        if report.intact:
            self.stdout.write(
                self.style.SUCCESS(f"{report.chain}: {report.rows} rows verified")
            )
        else:
            self.stdout.write(
                self.style.ERROR(
                    f"{report.chain}: broken at position {report.broken_at}: "
                    f"{report.problem} ({report.rows} rows verified before it)"
                )
            )


def _as_json(reports) -> str:
    return json.dumps(
        [
            {
                "chain": report.chain,
                "intact": report.intact,
                "rows_verified": report.rows,
                "broken_at": report.broken_at,
                "problem": report.problem,
            }
            for report in reports
        ],
        indent=2,
    )
