"""What the database keeps so that pages never go over a whole network per
request (sql/schema/003_network_scale.sql): the items and available items
per place and category, the impact of each repair and its tally per
session, the packets left in each seed lot, the year's figures of each
place and month (sql/schema/015). Each is checked against the
rows it comes from (conftest.KEPT) after every kind of write, and while two
desks write at once; conftest checks them again after every test file."""
import re
import threading

import psycopg2
import pytest

from conftest import kept_disagreements, wait_for
from test_desk_lending import free_item, member_without_late_items

PLACE = "mediatheque-jules-verne"
DESK = "benevole.mediatheque"


def counts(servers, place=PLACE):
    return servers.sql("""SELECT coalesce(sum(n.items), 0), coalesce(sum(n.available), 0)
                            FROM tl.item_count n JOIN tl.place p ON p.id = n.place_id WHERE p.slug = %s""",
                       (place,))[0]


def home_counts(servers):
    text = re.sub(r"\s+", " ", servers.get("/tierslieux/").text)
    m = re.search(r"(\d+) objets au catalogue, dont (\d+) disponibles", text)
    return int(m.group(1)), int(m.group(2))


def test_every_kind_of_change_keeps_the_item_counts(servers):
    items, available = counts(servers)
    total = home_counts(servers)
    member = member_without_late_items(servers)
    code = free_item(servers)
    steps = [
        ("a loan", "SELECT tl.check_out(%s, %s, %s, false)", (DESK, member, code), (0, -1)),
        ("its return", "SELECT tl.check_in(%s, %s, 'bon', NULL)", (DESK, code), (0, +1)),
        ("a maintenance", "SELECT tl.start_maintenance(%s, %s, 'Lame à changer')", (DESK, code), (0, -1)),
        ("its end", "SELECT tl.end_maintenance(%s, %s, 'Lame changée', true)", (DESK, code), (0, +1)),
        ("an item retired", "UPDATE tl.item SET retired_at = now() WHERE code = %s", (code,), (-1, -1)),
        ("an item back", "UPDATE tl.item SET retired_at = NULL WHERE code = %s", (code,), (+1, +1)),
    ]
    for what, query, params, (d_items, d_available) in steps:
        servers.sql(query, params)
        items, available = items + d_items, available + d_available
        assert counts(servers) == (items, available), what
        assert kept_disagreements(servers) == {}, what
    # The home page reads the counts (its cache knows the change).
    assert home_counts(servers) == total


def test_moves_between_places_and_categories_and_new_items(servers):
    code = free_item(servers)
    other = "la-fabrique"
    before_here, before_there = counts(servers), counts(servers, other)
    servers.sql("UPDATE tl.item SET place_id = (SELECT id FROM tl.place WHERE slug = %s) WHERE code = %s",
                (other, code))
    assert counts(servers) == (before_here[0] - 1, before_here[1] - 1)
    assert counts(servers, other) == (before_there[0] + 1, before_there[1] + 1)
    servers.sql("UPDATE tl.item SET category_id = (SELECT max(id) FROM tl.category) WHERE code = %s", (code,))
    servers.sql("""INSERT INTO tl.item (code, title, category_id, collection_id, place_id)
                   SELECT 'KEPT-' || g, 'Ponceuse ' || g, i.category_id, i.collection_id, i.place_id
                     FROM tl.item i, generate_series(1, 3) g WHERE i.code = %s""", (code,))
    assert counts(servers, other) == (before_there[0] + 4, before_there[1] + 4)
    assert servers.sql("SELECT sort_title FROM tl.item WHERE code = 'KEPT-1'")[0][0] == "ponceuse 1"
    servers.sql("UPDATE tl.item SET title = 'Échelle' WHERE code = 'KEPT-1'")
    assert servers.sql("SELECT sort_title FROM tl.item WHERE code = 'KEPT-1'")[0][0] == "echelle"
    assert kept_disagreements(servers) == {}


def year_figures(servers, place):
    """The kept loans and borrowers of the place's current year, and the
    network's borrowers."""
    return servers.sql("""
        SELECT coalesce(sum(t.value) FILTER (WHERE t.figure = 'prets' AND p.slug = %(p)s), 0),
               coalesce(sum(t.value) FILTER (WHERE t.figure = 'emprunteurs' AND p.slug = %(p)s), 0),
               coalesce(sum(t.value) FILTER (WHERE t.figure = 'emprunteurs_reseau'), 0)
          FROM tl.impact_tally t JOIN tl.place p ON p.id = t.place_id
         WHERE t.year = extract(year FROM now() AT TIME ZONE p.time_zone)""", {"p": place})[0]


def test_every_kind_of_change_keeps_the_years_figures(servers):
    """A person's first loan of the year makes them a borrower of the place
    and of the network; a second loan elsewhere only of that place; a
    cancelled or forgotten (anonymised) loan passes its mark on; a moved
    item leaves its loans where they were lent; a time zone moves years'
    bounds. The tally follows each, and its figures equal the records."""
    other = "la-fabrique"
    member = "K-2026-0001"                     # no loan yet: a borrower of no year
    servers.sql("INSERT INTO tl.member (member_number, family_name, given_name, email) "
                "VALUES (%s, 'Tally', 'Kept', 'kept.tally@example.org')", (member,))
    here_code, there_code = free_item(servers), free_item(servers, other)
    here, there = year_figures(servers, PLACE), year_figures(servers, other)

    def step(what, query, params, d_here, d_there):
        servers.sql(query, params)
        if d_here:                     # a year's bounds moved: which loans are this year's depends on the day
            now_here, now_there = year_figures(servers, PLACE), year_figures(servers, other)
            assert tuple(now_here) == tuple(a + b for a, b in zip(here, d_here)), what
            assert tuple(now_there[:2]) == tuple(a + b for a, b in zip(there[:2], d_there)), what
        assert kept_disagreements(servers) == {}, what

    loan = "SELECT tl.check_out(%s, %s, %s, false)"
    step("a first loan of the year", loan, (DESK, member, here_code), (1, 1, 1), (0, 0))
    step("a second loan, elsewhere", loan, ("referente.fabrique", member, there_code), (1, 1, 1), (1, 1))
    first = "(SELECT id FROM tl.booking WHERE item_id = (SELECT id FROM tl.item WHERE code = %s) " \
            "AND kind = 'pret' AND returned_at IS NULL)"
    step("the first one cancelled: the second makes the network's borrower",
         f"UPDATE tl.booking SET cancelled_at = now() WHERE id = {first}", (here_code,), (0, 0, 1), (1, 1))
    step("the second one forgets its borrower", f"UPDATE tl.booking SET member_id = NULL WHERE id = {first}",
         (there_code,), (0, 0, 0), (1, 0))
    step("its item moves to the other place", "UPDATE tl.item SET place_id = (SELECT id FROM tl.place "
         "WHERE slug = %s) WHERE code = %s", (PLACE, there_code), (0, 0, 0), (1, 0))
    zone = servers.sql("SELECT time_zone FROM tl.place WHERE slug = %s", (other,))[0][0]
    step("a time zone changed", "UPDATE tl.place SET time_zone = 'Pacific/Kiritimati' WHERE slug = %s", (other,),
         None, None)
    step("and back", "UPDATE tl.place SET time_zone = %s WHERE slug = %s", (zone, other), (0, 0, 0), (1, 0))


def run_in_turn(servers, first, second):
    """first runs and holds its transaction open; second starts meanwhile
    (in a thread, so it may wait for first's locks); then first commits
    and second finishes. Returns second's error, if any."""
    a, b = servers.db(), servers.db()
    a.autocommit = b.autocommit = False
    outcome = {}

    def other():
        try:
            with b.cursor() as cur:
                second(cur)
            b.commit()
        except psycopg2.Error as e:
            b.rollback()
            outcome["error"] = e

    watch, second_pid = servers.db(), b.get_backend_pid()

    def second_waits():
        with watch.cursor() as cur:
            cur.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (second_pid,))
            return cur.fetchone()[0] == "Lock"

    try:
        with a.cursor() as cur:
            first(cur)
        t = threading.Thread(target=other, daemon=True)
        t.start()
        # Polled, never a timed join: under libfaketime a thread's timed wait
        # is measured against the real clock and would last a year.
        assert wait_for(lambda: not t.is_alive() or second_waits(), step=0.05)
        a.commit()
        assert wait_for(lambda: not t.is_alive(), step=0.05)
    finally:
        a.close()
        b.close()
        watch.close()
    return outcome.get("error")


def test_two_desks_lending_at_the_same_place_at_once(servers):
    # Two members, so that nothing but the counts makes one desk wait.
    members = [m for (m,) in servers.sql("""
        SELECT m.member_number FROM tl.member m
         WHERE NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.member_id = m.id AND b.kind = 'pret'
                           AND b.returned_at IS NULL AND b.due_on < current_date)
         ORDER BY m.member_number LIMIT 2""")]
    codes = [c for (c,) in servers.sql("""
        SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id
          JOIN tl.item_availability a ON a.item_id = i.id
         WHERE p.slug = %s AND a.state = 'disponible' AND i.retired_at IS NULL AND i.safety_check_days IS NULL
           AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.cancelled_at IS NULL
                           AND b.kind = 'reservation')
         ORDER BY i.code LIMIT 2""", (PLACE,))]
    items, available = counts(servers)
    error = run_in_turn(servers,
                        lambda cur: cur.execute("SELECT tl.check_out(%s, %s, %s, false)", (DESK, members[0], codes[0])),
                        lambda cur: cur.execute("SELECT tl.check_out(%s, %s, %s, false)", (DESK, members[1], codes[1])))
    assert error is None
    assert counts(servers) == (items, available - 2)
    assert kept_disagreements(servers) == {}


def test_two_desks_taking_the_last_seed_packets_at_once(servers):
    lot, left = servers.sql("SELECT l.id, l.packets FROM tl.seed_lot l JOIN tl.place p ON p.id = l.place_id "
                            "WHERE p.slug = %s AND l.packets >= 2 ORDER BY l.id LIMIT 1", (PLACE,))[0]
    take = left // 2 + 1            # both together take more than the lot holds
    error = run_in_turn(servers,
                        lambda cur: cur.execute("SELECT tl.seed_withdraw(%s, %s, %s)", (DESK, lot, take)),
                        lambda cur: cur.execute("SELECT tl.seed_withdraw(%s, %s, %s)", (DESK, lot, take)))
    assert error is not None and error.diag.constraint_name == "seed_lot_stock_not_negative"
    assert f"il ne reste que {left - take} sachet(s)" in error.diag.message_primary
    assert servers.sql("SELECT packets FROM tl.seed_lot WHERE id = %s", (lot,))[0][0] == left - take
    servers.sql("SELECT tl.seed_deposit(%s, %s, v.id, l.harvest_year, 3, l.grower) "
                "FROM tl.seed_lot l JOIN tl.seed_variety v ON v.id = l.variety_id WHERE l.id = %s",
                (DESK, PLACE, lot))
    assert kept_disagreements(servers) == {}


def test_a_changed_factor_computes_the_repairs_it_applies_to_again(servers):
    place = servers.sql("SELECT p.slug FROM tl.repair_record r JOIN tl.place p ON p.id = r.place_id "
                        "WHERE r.status = 'repare' GROUP BY p.slug ORDER BY count(*) DESC LIMIT 1")
    if not place:
        pytest.fail("the demo has no repaired object")
    place = place[0][0]
    before = servers.sql("SELECT co2_kg FROM tl.repair_results(%s, NULL)", (place,))[0][0]
    # A factor from long ago applies to every record of the place.
    servers.sql("""INSERT INTO tl.impact_factor (key, place_id, value, source, valid_from)
                   SELECT 'reparation_deplacement', p.id, 1, 'essai', DATE '2000-01-01'
                     FROM tl.place p WHERE p.slug = %s""", (place,))
    after = servers.sql("SELECT co2_kg FROM tl.repair_results(%s, NULL)", (place,))[0][0]
    assert after != before
    servers.sql("DELETE FROM tl.impact_factor WHERE source = 'essai'")
    assert servers.sql("SELECT co2_kg FROM tl.repair_results(%s, NULL)", (place,))[0][0] == before
    servers.sql("UPDATE tl.repair_category SET powered = NOT powered")
    servers.sql("UPDATE tl.repair_record SET weight_kg = 2.5, status = 'repare' "
                "WHERE id = (SELECT min(id) FROM tl.repair_record)")
    assert kept_disagreements(servers) == {}
