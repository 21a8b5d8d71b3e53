import datetime
import json

from django.core.management.base import BaseCommand
from tqdm import tqdm

from documents.reconciliation import Kind, reconcile
from eventstore.context import system_actor


class Command(BaseCommand):
    help = (
        "Compare storage with the document records in both directions: orphaned "
        "objects, missing objects, size or checksum mismatches, documents stuck in "
        "New (which the app never leaves behind, but an interrupted older version "
        "or another writer could). Reads listings and HEADs only. With --fix, "
        "removes orphans older than the grace period, and nothing else. Exits "
        "with status 1 while anything is left to look at."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Remove orphans past the grace period."
        )
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=24,
            help="Leave alone what is younger than this (uploads in flight). "
            "Default: 24.",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON."
        )

    def handle(self, *args, fix: bool, grace_hours: float, as_json: bool, **options):
        grace = datetime.timedelta(hours=grace_hours)
        with (
            system_actor("reconcile_storage"),
            tqdm(desc="reconciling", unit="item", disable=as_json) as progress,
        ):
            report = reconcile(grace, fix=fix, on_item=progress.update)

        if as_json:
            self.stdout.write(_as_json(report))
        else:
            self._print(report)
        if report.unresolved:
            raise SystemExit(1)

    def _print(self, report) -> None:
        self.stdout.write(
            f"Checked {report.objects} objects against {report.documents} documents."
        )
        for finding in report.findings:
            state = " (removed)" if finding.fixed else ""
            self.stdout.write(
                f"  {finding.kind}: {finding.key}{state}"
                + (f" - {finding.detail}" if finding.detail else "")
            )
        for kind, count in sorted(report.counts.items()):
            self.stdout.write(f"{count} {Kind.DESCRIPTIONS[kind]}")
        fixed = len(report.findings) - len(report.unresolved)
        if fixed:
            self.stdout.write(self.style.SUCCESS(f"Removed {fixed} orphaned objects."))
        if not report.unresolved:
            self.stdout.write(self.style.SUCCESS("Storage and records agree."))


def _as_json(report) -> str:
    return json.dumps(
        {
            "objects": report.objects,
            "documents": report.documents,
            "counts": dict(report.counts),
            "unresolved": len(report.unresolved),
            "findings": [finding.as_dict() for finding in report.findings],
        },
        indent=2,
    )
