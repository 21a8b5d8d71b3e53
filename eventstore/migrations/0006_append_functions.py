"""Append rows to a chain from their canonical bodies, in one database call.

``eventstore_append_events(bodies)`` and ``eventstore_append_audit(bodies)``
take the canonical JSON of each new row (the bytes its hash covers) and:

1. read the row's columns out of its body, before any lock is taken;
2. lock the chain, read its head, number and hash the rows after it;
3. insert them and move the head.

The chain stays locked until commit, so positions follow commit order with no
holes. Only steps 2 and 3 and the commit itself happen under that lock, and
the client sends the commit in the same message as the call, so no other
appender ever waits on a round trip to us. eventstore.canonical.chain_hash
computes the same hash in Python, to verify the chain.

The lock is a transaction-level advisory lock keyed by the head table and the
chain, rather than a row lock on the head: its waiters queue and are woken one
at a time, where every commit would wake all the waiters on a row lock to
fight over it again.
"""

import importlib

from django.db import migrations

# The numbering that these functions take over; kept for migrating backwards.
NEXT_LINKS = importlib.import_module("eventstore.migrations.0003_chain_links").NEXT_LINKS

APPEND = """
CREATE FUNCTION {function}(p_bodies text[])
RETURNS TABLE (appended_position bigint, appended_hash text)
LANGUAGE plpgsql AS $$
DECLARE
    v_rows {table}[];
    v_row {table};
    v_position bigint;
    v_hash text;
BEGIN
    FOR i IN 1 .. cardinality(p_bodies) LOOP
        v_rows[i] := jsonb_populate_record(NULL::{table}, p_bodies[i]::jsonb);
    END LOOP;

    PERFORM pg_advisory_xact_lock('eventstore_chainhead'::regclass::oid::int, {lock});
    SELECT last_position, last_hash INTO v_position, v_hash
        FROM eventstore_chainhead WHERE chain = '{chain}';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'The {chain} chain has no head row; run manage.py migrate';
    END IF;

    FOR i IN 1 .. cardinality(p_bodies) LOOP
        v_position := v_position + 1;
        v_hash := encode(
            sha256(convert_to(v_hash || ':' || v_position || ':' || p_bodies[i], 'UTF8')),
            'hex'
        );
        v_row := v_rows[i];
        v_row.position := v_position;
        v_row.hash := v_hash;
        v_rows[i] := v_row;
        appended_position := v_position;
        appended_hash := v_hash;
        RETURN NEXT;
    END LOOP;

    INSERT INTO {table} SELECT * FROM unnest(v_rows);
    UPDATE eventstore_chainhead
        SET last_position = v_position, last_hash = v_hash
        WHERE chain = '{chain}';
END
$$;
"""

CHAINS = [
    ("eventstore_append_events", "eventstore_event", "events", 1),
    ("eventstore_append_audit", "eventstore_auditentry", "audit", 2),
]


class Migration(migrations.Migration):
    dependencies = [("eventstore", "0005_fewer_event_indexes")]

    operations = [
        *[
            migrations.RunSQL(
                APPEND.format(function=function, table=table, chain=chain, lock=lock),
                f"DROP FUNCTION {function}(text[]);",
            )
            for function, table, chain, lock in CHAINS
        ],
        migrations.RunSQL(
            "DROP FUNCTION eventstore_next_links(text, text[]);", NEXT_LINKS
        ),
    ]
