from django.core.management.base import BaseCommand

from eventstore.roles import app_role_grants


class Command(BaseCommand):
    help = (
        "Print the GRANT statements for a database role that the app can run "
        "under: it may read and append to the event and audit logs but never "
        "change or delete a row there. Pipe the output to psql as the owner."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="Name of an existing database role.")

    def handle(self, *args, role: str, **options):
        for statement in app_role_grants(role):
            self.stdout.write(statement + ";")
