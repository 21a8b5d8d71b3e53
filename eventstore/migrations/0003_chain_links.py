"""Number and hash new rows in the database, in the statement that inserts them.

``eventstore_next_links(chain, bodies)`` locks the chain's head row, hands out
the next positions, chains a SHA-256 hash over each body, and moves the head.
The lock is held until commit, so positions follow commit order with no holes;
doing all of it inside one statement keeps that serialized instant as short as
the database can make it. eventstore.canonical.chain_hash computes the same
hash in Python, to verify the chain.
"""

from django.db import migrations

NEXT_LINKS = """
CREATE FUNCTION eventstore_next_links(p_chain text, p_bodies text[])
RETURNS TABLE (link_position bigint, link_hash text)
LANGUAGE plpgsql AS $$
DECLARE
    v_position bigint;
    v_hash text;
    v_body text;
BEGIN
    SELECT last_position, last_hash INTO v_position, v_hash
        FROM eventstore_chainhead WHERE chain = p_chain FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'The % chain has no head row; run manage.py migrate', p_chain;
    END IF;

    FOREACH v_body IN ARRAY p_bodies LOOP
        v_position := v_position + 1;
        v_hash := encode(
            sha256(convert_to(v_hash || ':' || v_position || ':' || v_body, 'UTF8')),
            'hex'
        );
        link_position := v_position;
        link_hash := v_hash;
        RETURN NEXT;
    END LOOP;

    UPDATE eventstore_chainhead
        SET last_position = v_position, last_hash = v_hash
        WHERE chain = p_chain;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("eventstore", "0002_append_only")]

    operations = [
        migrations.RunSQL(
            NEXT_LINKS, "DROP FUNCTION eventstore_next_links(text, text[]);"
        ),
    ]
