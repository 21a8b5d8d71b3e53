import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from customers.models import Customer

DEMO_CUSTOMERS = [
    (Customer.Kind.INDIVIDUAL, "Ada Lovelace", "ada@example.com"),
    (Customer.Kind.INDIVIDUAL, "José Álvarez", "jose.alvarez@example.com"),
    (Customer.Kind.COMPANY, "Northwind Traders Ltd", "kyc@northwind.example"),
    (Customer.Kind.COMPANY, "Acme Holdings SA", "compliance@acme.example"),
]


class Command(BaseCommand):
    help = (
        "Create the demo administrator and a few demo customers. Running it again "
        "resets the administrator's password and adds nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_ADMIN_PASSWORD"),
            help="Defaults to $DEMO_ADMIN_PASSWORD, which 'make run' generates.",
        )

    @transaction.atomic
    def handle(self, *args, username, password, **options):
        if not password:
            raise CommandError("Give --password or set DEMO_ADMIN_PASSWORD.")

        admin = self._ensure_administrator(username, password)
        created = self._ensure_customers()

        self.stdout.write(
            f"Demo administrator {admin.username!r} ready; "
            f"{created} demo customers created, {Customer.objects.count()} in all."
        )

    def _ensure_administrator(self, username: str, password: str):
        user, _ = get_user_model().objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.com"},
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        return user

    def _ensure_customers(self) -> int:
        created = 0
        for kind, name, email in DEMO_CUSTOMERS:
            _, was_created = Customer.objects.get_or_create(
                name=name, defaults={"kind": kind, "email": email}
            )
            created += was_created
        return created
