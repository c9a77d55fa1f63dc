"""Retention: a loan loses its borrower at the end of the fourth month after
its return; a member with no loan for a year is deleted unless something is
still out. Tested with a fixed clock, inside a transaction rolled back."""
import datetime
import os
import subprocess

import psycopg2

from conftest import ROOT


def test_retention_with_a_fixed_clock(servers):
    conn = psycopg2.connect(host=os.path.realpath(servers.pg), port=servers.pg_port,
                            user="tierslieux", dbname="tierslieux")
    try:
        cur = conn.cursor()
        cur.execute("SET TIME ZONE 'UTC'")
        # Items of the test's own, so that no demo loan meets these dates.
        cur.execute("INSERT INTO tl.item (code, title, category_id, collection_id, place_id, condition) "
                    "SELECT c, 'Objet de la rétention', category_id, collection_id, place_id, condition "
                    "FROM tl.item, (VALUES ('R-0001'), ('R-0002')) v(c) WHERE code = 'OT-0014'")
        item = "(SELECT id FROM tl.item WHERE code = 'R-0001')"
        cur.execute("""
            INSERT INTO tl.member (member_number, family_name, given_name, created_at) VALUES
              ('R-1', 'Retour', 'Ancien', '2024-01-01'),
              ('R-2', 'Emprunt', 'Encours', '2024-01-01'),
              ('R-3', 'Inactif', 'Parti', '2024-01-01'),
              ('R-4', 'Printemps', 'Rendu', '2024-01-01')""")
        cur.execute(f"""
            INSERT INTO tl.booking (kind, item_id, member_id, starts_at, due_on, returned_at)
            SELECT 'pret', {item}, m.id, v.starts::timestamptz, v.due::date, v.returned::timestamptz
              FROM (VALUES ('R-1', '2026-01-03 10:00+00', '2026-01-10', '2026-01-10 10:00+00'),
                           ('R-3', '2025-03-01 10:00+00', '2025-03-08', '2025-03-08 10:00+00'),
                           ('R-4', '2026-04-10 10:00+00', '2026-04-17', '2026-04-15 10:00+00')) AS v(m, starts, due, returned)
              JOIN tl.member m ON m.member_number = v.m""")
        cur.execute("INSERT INTO tl.booking (kind, item_id, member_id, starts_at, due_on) "
                    "SELECT 'pret', (SELECT id FROM tl.item WHERE code = 'R-0002'), id, '2025-01-05 10:00+00', "
                    "'2025-01-20' FROM tl.member WHERE member_number = 'R-2'")

        def linked(number):
            cur.execute("SELECT count(*) FROM tl.booking b JOIN tl.member m ON m.id = b.member_id "
                        "WHERE m.member_number = %s", (number,))
            return cur.fetchone()[0]

        def exists(number):
            cur.execute("SELECT count(*) FROM tl.member WHERE member_number = %s", (number,))
            return cur.fetchone()[0] == 1

        cur.execute("SELECT * FROM tl.apply_retention('2026-05-31 23:59:59+00')")
        assert linked("R-1") == 1                  # returned 10 January: kept until the end of May
        cur.execute("SELECT * FROM tl.apply_retention('2026-06-01 00:00:00+00')")
        assert linked("R-1") == 0
        assert exists("R-1")                       # no loan for a year yet: the member stays
        assert not exists("R-3")                   # last loan in March 2025: deleted
        assert exists("R-2") and linked("R-2") == 1    # something still out: kept, linked
        cur.execute("SELECT count(*) FROM tl.booking b JOIN tl.item i ON i.id = b.item_id "
                    "WHERE i.code = 'R-0001' AND b.starts_at = '2025-03-01 10:00+00' AND b.member_id IS NULL")
        assert cur.fetchone()[0] == 1              # its loan stays, as anonymous statistics
        assert linked("R-4") == 1                  # returned 15 April: kept until the end of August
        # With a delay of one month, loans returned before May lose their
        # borrower on 1 June: R-4's, and whichever demo loans were, no other.
        cur.execute("UPDATE tl.retention SET loan_months = 1")
        cur.execute("SELECT id, returned_at FROM tl.booking WHERE member_id IS NOT NULL")
        linked_before = dict(cur.fetchall())
        cur.execute("SELECT bookings_anonymised FROM tl.apply_retention('2026-06-01 00:00:00+00')")
        count = cur.fetchone()[0]
        cur.execute("SELECT id FROM tl.booking WHERE member_id IS NOT NULL")
        gone = set(linked_before) - {i for (i,) in cur.fetchall()}
        assert linked("R-4") == 0 and count == len(gone) >= 1
        assert all(linked_before[i] is not None and linked_before[i] < datetime.datetime(
            2026, 5, 1, tzinfo=datetime.timezone.utc) for i in gone)
    finally:
        conn.rollback()
        conn.close()


def test_the_cron_command_runs(servers):
    out = subprocess.run([os.path.join(ROOT, "script", "retention"), "-h", os.path.realpath(servers.pg),
                          "-p", str(servers.pg_port), "-U", "tierslieux", "-d", "tierslieux"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.startswith("anonymised bookings:") and "deleted members:" in out.stdout


def test_seed_takers_are_forgotten_after_a_year(servers):
    conn = psycopg2.connect(host=os.path.realpath(servers.pg), port=servers.pg_port,
                            user="tierslieux", dbname="tierslieux")
    try:
        cur = conn.cursor()
        cur.execute("SELECT lot_id FROM tl.seed_lot_stock WHERE packets > 0 LIMIT 1")
        lot = cur.fetchone()[0]
        cur.execute("INSERT INTO tl.seed_movement (lot_id, kind, packets, at, member_id) "
                    "SELECT %s, 'retrait', 1, '2026-01-10 10:00+00', id FROM tl.member LIMIT 1 RETURNING id", (lot,))
        movement = cur.fetchone()[0]
        cur.execute("SELECT tl.apply_seed_retention('2026-12-01 00:00+00')")
        cur.execute("SELECT member_id IS NOT NULL FROM tl.seed_movement WHERE id = %s", (movement,))
        assert cur.fetchone()[0]                        # less than a year: kept
        cur.execute("SELECT tl.apply_seed_retention('2027-01-11 00:00+00')")
        cur.execute("SELECT member_id FROM tl.seed_movement WHERE id = %s", (movement,))
        assert cur.fetchone()[0] is None
    finally:
        conn.rollback()
        conn.close()
