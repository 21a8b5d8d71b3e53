"""The database itself refuses to change or remove a stored event or audit entry."""

import pytest
from django.db import DatabaseError, connection, transaction

from eventstore import store
from eventstore.audit import Attempt, Outcome, record
from eventstore.roles import app_role_grants
from tests.ledger.domain import Ledger

APPEND_ONLY_TABLES = ["eventstore_event", "eventstore_auditentry"]


@pytest.fixture
def filled_logs(db):
    with store.unit_of_work():
        Ledger.open("ada").save()
    record(Attempt("open_ledger"), Outcome.SUCCEEDED)


def refused(sql: str) -> str:
    with (
        pytest.raises(DatabaseError) as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    return str(error.value)


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_update_is_refused(filled_logs, table):
    message = refused(f"UPDATE {table} SET hash = 'forged'")

    assert f"{table} is append-only: UPDATE refused" in message


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_delete_is_refused(filled_logs, table):
    message = refused(f"DELETE FROM {table}")

    assert f"{table} is append-only: DELETE refused" in message


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_truncate_is_refused(filled_logs, table):
    message = refused(f"TRUNCATE {table} CASCADE")

    assert f"{table} is append-only: TRUNCATE refused" in message


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_an_update_matching_no_row_is_refused_too(filled_logs, table):
    message = refused(f"UPDATE {table} SET hash = 'x' WHERE position = -1")

    assert "append-only" in message


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_app_role_cannot_change_a_row_even_with_triggers_off(filled_logs, table):
    """Privileges hold on their own: the app role may only read and append."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE documents_app_test NOLOGIN")
        for statement in app_role_grants("documents_app_test"):
            cursor.execute(statement)
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute("SET ROLE documents_app_test")

    try:
        update = refused(f"UPDATE {table} SET hash = 'forged'")
        delete = refused(f"DELETE FROM {table}")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")

    assert f"permission denied for table {table}" in update
    assert f"permission denied for table {table}" in delete


def test_the_app_role_can_append_and_read(filled_logs):
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE documents_app_test NOLOGIN")
        for statement in app_role_grants("documents_app_test"):
            cursor.execute(statement)
        cursor.execute("SET ROLE documents_app_test")
    try:
        with store.unit_of_work():
            Ledger.open("grace").save()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM eventstore_event")
        assert cursor.fetchone()[0] == 2
