import base64
import os

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from customers.models import Customer
from documents import services
from eventstore.context import system_actor

DEMO_CUSTOMERS = [
    (Customer.Kind.INDIVIDUAL, "Ada Lovelace", "ada@example.com"),
    (Customer.Kind.INDIVIDUAL, "José Álvarez", "jose.alvarez@example.com"),
    (Customer.Kind.COMPANY, "Northwind Traders Ltd", "kyc@northwind.example"),
    (Customer.Kind.COMPANY, "Acme Holdings SA", "compliance@acme.example"),
]

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

# name, content type, bytes, what happens to it after the upload
DEMO_DOCUMENTS = [
    ("Passport scan.pdf", "application/pdf", PDF, None),
    (
        "Account statement 2026-11.csv",
        "text/csv",
        b"date,amount\n2026-11-30,1250\n",
        None,
    ),
    ("Proof of address.png", "image/png", PNG, "archive"),
    ("Old notes.txt", "text/plain", b"Superseded notes.\n", "delete"),
]


class Command(BaseCommand):
    help = (
        "Create the demo administrator and a few demo customers with documents of "
        "several types and states, for a first look at the admin. Running it again "
        "resets the administrator's password and adds nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_ADMIN_PASSWORD"),
            help="Defaults to $DEMO_ADMIN_PASSWORD, which 'make run' generates.",
        )

    def handle(self, *args, username, password, **options):
        if not password:
            raise CommandError("Give --password or set DEMO_ADMIN_PASSWORD.")

        admin = self._ensure_administrator(username, password)
        with system_actor("load_demo_data"):
            created = sum(
                self._ensure_customer(admin, *customer) for customer in DEMO_CUSTOMERS
            )

        self.stdout.write(
            f"Demo administrator {admin.username!r} ready; {created} demo customers "
            f"created with their documents, {Customer.objects.count()} customers "
            "in all."
        )

    def _ensure_administrator(self, username: str, password: str):
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        return user

    def _ensure_customer(self, admin, kind, name, email) -> bool:
        customer, created = Customer.objects.get_or_create(
            name=name, defaults={"kind": kind, "email": email}
        )
        if created:
            for filename, content_type, content, then in DEMO_DOCUMENTS:
                file = SimpleUploadedFile(filename, content, content_type)
                document = services.attach_document(admin, customer.id, file)
                if then == "archive":
                    services.archive_document(admin, document.id)
                elif then == "delete":
                    services.delete_document(admin, document.id)
        return created
