"""Make the event and audit tables append-only in the database itself.

Statement-level triggers refuse every UPDATE and DELETE, whoever runs them, and
refuse TRUNCATE of a table that holds rows. (Emptying an already empty table
destroys nothing; test runs rely on that to reset the database.)
"""

from django.db import migrations

TABLES = ["eventstore_event", "eventstore_auditentry"]

FUNCTIONS = """
CREATE FUNCTION eventstore_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE FUNCTION eventstore_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    has_rows boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME)
        INTO has_rows;
    IF has_rows THEN
        RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END
$$;
"""

TRIGGERS = """
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION eventstore_refuse_change();
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION eventstore_refuse_truncate();
"""

DROP_TRIGGERS = """
DROP TRIGGER {table}_append_only ON {table};
DROP TRIGGER {table}_no_truncate ON {table};
"""

DROP_FUNCTIONS = """
DROP FUNCTION eventstore_refuse_change();
DROP FUNCTION eventstore_refuse_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("eventstore", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        *[
            migrations.RunSQL(
                TRIGGERS.format(table=table), DROP_TRIGGERS.format(table=table)
            )
            for table in TABLES
        ],
    ]
