"""The schema: migrations recorded and idempotent, named constraints, one
identity per object, rules held by the database."""
import os
import subprocess

import psycopg2
import pytest

from conftest import ROOT


def migrate(servers):
    return subprocess.run([os.path.join(ROOT, "script", "migrate"), "-h", os.path.realpath(servers.pg),
                           "-p", str(servers.pg_port), "-U", "tierslieux", "-d", "tierslieux"],
                          capture_output=True, text=True, check=True)


def test_migrations_are_recorded_and_rerunning_is_a_no_op(servers):
    recorded = servers.sql("SELECT version FROM public.tierslieux_migration ORDER BY version")
    files = sorted(f[:-4] for f in os.listdir(os.path.join(ROOT, "sql", "schema")) if f.endswith(".sql"))
    assert [v for (v,) in recorded] == files
    version = servers.sql("SELECT sum(version) FROM tl.data_version")[0][0]
    out = migrate(servers)
    assert out.stdout == "" and out.stderr == ""
    assert servers.sql("SELECT count(*) FROM public.tierslieux_migration")[0][0] == len(files)
    assert servers.sql("SELECT sum(version) FROM tl.data_version")[0][0] == version


def test_every_constraint_is_named(servers):
    """PostgreSQL's own names end in _check, or in a number when they
    collide; ours never do."""
    unnamed = servers.sql("""
        SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = 'tl' AND (conname ~ '_check[0-9]*$' OR conname ~ '_(fkey|key|excl|pkey)[0-9]+$')""")
    assert unnamed == []


def test_every_table_is_commented(servers):
    assert servers.sql("""
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'tl' AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') IS NULL""") == []


def test_each_item_has_its_own_object_identity(servers, db):
    assert servers.sql("SELECT count(*) FROM tl.item i LEFT JOIN tl.object o ON o.id = i.object_id "
                       "WHERE o.id IS NULL")[0][0] == 0
    with db.cursor() as cur, pytest.raises(psycopg2.errors.UniqueViolation) as e:
        cur.execute("UPDATE tl.item SET object_id = (SELECT object_id FROM tl.item WHERE id = 1) WHERE id = 2")
    assert e.value.diag.constraint_name == "item_object_key"


def test_an_item_cannot_be_lent_twice(servers, db):
    item = servers.sql("SELECT item_id FROM tl.booking WHERE kind = 'pret' AND returned_at IS NULL LIMIT 1")[0][0]
    with db.cursor() as cur, pytest.raises(psycopg2.errors.ExclusionViolation) as e:
        cur.execute("INSERT INTO tl.booking (kind, item_id, due_on) VALUES ('pret', %s, current_date + 14)", (item,))
    assert e.value.diag.constraint_name == "booking_no_overlap"


def test_a_reservation_cannot_overlap_a_loan_and_a_late_return_never_collides(servers, db):
    loan, item, due = servers.sql("SELECT id, item_id, due_on FROM tl.booking WHERE kind = 'pret' "
                                  "AND returned_at IS NULL ORDER BY id LIMIT 1")[0]
    with db.cursor() as cur, pytest.raises(psycopg2.errors.ExclusionViolation):
        cur.execute("INSERT INTO tl.booking (kind, item_id, starts_at, ends_at) "
                    "VALUES ('reservation', %s, %s::date - 1, %s::date + 3)", (item, due, due))
    with db.cursor() as cur:
        cur.execute("INSERT INTO tl.booking (kind, item_id, starts_at, ends_at) "
                    "VALUES ('reservation', %s, %s::date + 2, %s::date + 5) RETURNING id", (item, due, due))
        reservation = cur.fetchone()[0]
        try:
            # returned a week late: the loan's period is not stretched into the reservation
            cur.execute("UPDATE tl.booking SET returned_at = %s::date + 7 WHERE id = %s", (due, loan))
        finally:
            cur.execute("UPDATE tl.booking SET returned_at = NULL WHERE id = %s", (loan,))
            cur.execute("DELETE FROM tl.booking WHERE id = %s", (reservation,))


def test_a_seed_lot_never_goes_below_zero(servers, db):
    lot, packets = servers.sql("SELECT lot_id, packets FROM tl.seed_lot_stock WHERE packets > 0 LIMIT 1")[0]
    with db.cursor() as cur, pytest.raises(psycopg2.errors.CheckViolation) as e:
        cur.execute("INSERT INTO tl.seed_movement (lot_id, kind, packets) VALUES (%s, 'retrait', %s)",
                    (lot, packets + 1))
    assert e.value.diag.constraint_name == "seed_lot_stock_not_negative"
    assert servers.sql("SELECT packets FROM tl.seed_lot_stock WHERE lot_id = %s", (lot,))[0][0] == packets


def test_availability_is_derived_not_stored(servers):
    columns = [c for (c,) in servers.sql("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_schema = 'tl' AND table_name = 'item'")]
    assert not any(c in columns for c in ("state", "status", "available", "availability"))
    states = dict(servers.sql("SELECT state, count(*) FROM tl.item_availability GROUP BY state"))
    # The demo shows every state, a transfer on its way included (sql/schema/006).
    assert set(states) == {"disponible", "pret", "maintenance", "transit"}


def test_time_zones_are_checked(servers, db):
    with db.cursor() as cur, pytest.raises(psycopg2.errors.CheckViolation) as e:
        cur.execute("UPDATE tl.place SET time_zone = 'Mars/Olympus' WHERE slug = 'la-fabrique'")
    assert e.value.diag.constraint_name == "place_time_zone_known"
