"""Privileges for a database role the app can run under in production.

The migrations run as the tables' owner; the app itself needs no more than to
read and append to the logs, move the chain heads, and keep its read models.
"""

from django.apps import apps
from django.db import connection

APPEND_ONLY_TABLES = ("eventstore_event", "eventstore_auditentry")
CHAIN_HEAD_TABLE = "eventstore_chainhead"


def app_role_grants(role: str) -> list[str]:
    """Return the GRANT statements for an app role named ``role``."""
    quote = connection.ops.quote_name
    role = quote(role)
    other_tables = sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table not in (*APPEND_ONLY_TABLES, CHAIN_HEAD_TABLE)
        and model._meta.managed
    )
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        *[f"GRANT SELECT, INSERT ON {quote(t)} TO {role}" for t in APPEND_ONLY_TABLES],
        f"GRANT SELECT, UPDATE ON {quote(CHAIN_HEAD_TABLE)} TO {role}",
        *[
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {quote(table)} TO {role}"
            for table in other_tables
        ],
        # Startup checks look for unapplied migrations.
        f"GRANT SELECT ON {quote('django_migrations')} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]
