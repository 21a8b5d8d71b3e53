from django.core.management.base import BaseCommand
from django.db import transaction

from documents.roles import set_up_roles


class Command(BaseCommand):
    help = (
        "Create the default groups (document operator, compliance officer, "
        "document administrator) with exactly their permissions. Safe to rerun."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for name, count in set_up_roles().items():
            self.stdout.write(f"{name}: {count} permissions")
