"""Reminders by e-mail (sql/logic/mail.sql, tools/tierslieux-courriels): messages queued
in the transaction that causes them, the time-based reminders queued once,
sent through a fake sendmail that writes files, kept and tried again when
sendmail fails, previewed by a référent, deleted by retention and erasure."""
import datetime
import email
import email.policy
import os
import stat
import subprocess

import psycopg2
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT
from test_desk_access import login

COMMAND = os.path.join(ROOT, "tools", "tierslieux-courriels")
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
FABRIQUE, MEDIATHEQUE = "la-fabrique", "mediatheque-jules-verne"


def date_fr(d):
    return f"{d.day}{'er' if d.day == 1 else ''} {MONTHS[d.month - 1]} {d.year}"


def free_items(cur, place, n=1):
    """Items of a place that are in, with no booking to come, nobody waiting
    and no safety check due."""
    cur.execute("""
        SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id
          JOIN tl.item_availability a ON a.item_id = i.id
         WHERE p.slug = %s AND a.state = 'disponible' AND i.retired_at IS NULL AND i.safety_check_days IS NULL
           AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.cancelled_at IS NULL
                            AND b.ends_at > now() - interval '30 days')
           AND NOT EXISTS (SELECT 1 FROM tl.waiting_list w WHERE w.item_id = i.id
                            AND w.served_at IS NULL AND w.removed_at IS NULL)
         ORDER BY i.id DESC LIMIT %s""", (place, n))
    codes = [c for (c,) in cur.fetchall()]
    assert len(codes) == n
    return codes


def add_member(cur, number, email_address):
    cur.execute("INSERT INTO tl.member (member_number, family_name, given_name, email, phone) "
                "VALUES (%s, 'Rappel', 'Zoé', %s, '06 00 00 00 00') RETURNING id", (number, email_address))
    return cur.fetchone()[0]


def ago(days=0):
    return datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)


def lend(cur, member, code, starts, due):
    cur.execute("INSERT INTO tl.booking (kind, item_id, member_id, starts_at, due_on) "
                "SELECT 'pret', id, %s, %s, %s FROM tl.item WHERE code = %s RETURNING id", (member, starts, due, code))
    return cur.fetchone()[0]


def messages(cur, member, kind=None):
    cur.execute("SELECT kind, subject, body FROM tl.mail_message WHERE member_id = %s AND (%s IS NULL OR kind = %s) "
                "ORDER BY id", (member, kind, kind))
    return cur.fetchall()


@pytest.fixture
def tx(servers):
    """A connection as the owner whose work is rolled back at the end: the
    reminders can be run at any date without leaving anything behind."""
    conn = psycopg2.connect(host=os.path.realpath(servers.pg), port=servers.pg_port,
                            user="tierslieux", dbname="tierslieux")
    yield conn.cursor()
    conn.rollback()
    conn.close()


def test_due_in_two_days_is_queued_once_and_overdue_weekly_three_times(tx):
    cur = tx
    code, = free_items(cur, MEDIATHEQUE)
    member = add_member(cur, "T-RAPPEL1", "zoe.rappel@example.org")
    silent = add_member(cur, "T-RAPPEL2", None)            # no address: the desk phones
    odd = add_member(cur, "T-RAPPEL4", "zoé@exemple.fr")   # an address sendmail -t could not take
    other, third = free_items(cur, FABRIQUE, 2)
    booking = lend(cur, member, code, "2030-03-01 10:00+01", "2030-03-10")
    lend(cur, silent, other, "2030-03-01 10:00+01", "2030-03-10")
    lend(cur, odd, third, "2030-03-01 10:00+01", "2030-03-10")

    def run(at):
        cur.execute("SELECT tl.queue_reminders(%s)", (at,))
        return cur.fetchone()[0]

    run("2030-03-07 09:00+01")                              # three days before: nothing yet
    assert messages(cur, member) == []
    run("2030-03-08 09:00+01")
    due = messages(cur, member)
    assert [(k, s) for k, s, _ in due] == [
        ("retour_proche", f"Rappel : {servers_title(cur, code)} à rendre le 10 mars 2030")]
    assert "au plus tard le 10 mars 2030" in due[0][2] and "Bonjour Zoé," in due[0][2]
    run("2030-03-08 09:00+01")                              # twice the same day: nothing twice
    run("2030-03-09 09:00+01")                              # the day before: already reminded
    assert len(messages(cur, member)) == 1
    assert messages(cur, silent) == []

    # Overdue: the day after the due date, then every 7 days, 3 times at most.
    for day, expected in (("2030-03-10", 0), ("2030-03-11", 1), ("2030-03-11", 1), ("2030-03-17", 1),
                          ("2030-03-18", 2), ("2030-03-24", 2), ("2030-03-25", 3), ("2030-04-01", 3),
                          ("2030-06-01", 3)):
        run(f"{day} 09:00+01")
        assert len(messages(cur, member, "retard")) == expected, day
    late = messages(cur, member, "retard")
    assert late[0][1] == f"Retard : {servers_title(cur, code)} était à rendre le 10 mars 2030"
    assert messages(cur, silent) == [] and messages(cur, odd) == []
    cur.execute("SELECT kind, rank, queued_on FROM tl.booking_reminder WHERE booking_id = %s ORDER BY kind, rank",
                (booking,))
    assert cur.fetchall() == [("retard", 1, datetime.date(2030, 3, 11)), ("retard", 2, datetime.date(2030, 3, 18)),
                              ("retard", 3, datetime.date(2030, 3, 25)),
                              ("retour_proche", 1, datetime.date(2030, 3, 8))]
    # Every message is signed with the place's name, address and hours.
    body = late[0][2]
    assert "\n-- \nMédiathèque Jules-Verne\n2 place de la Mairie, 49250 Saint-Aubin-sur-Loire\nHoraires :\n" in body
    assert "samedi : 10 h – 17 h" in body


def test_a_renewed_loan_is_reminded_again_and_a_missed_week_sends_one(tx):
    cur = tx
    code, = free_items(cur, MEDIATHEQUE)
    member = add_member(cur, "T-RAPPEL3", "renouvele@example.org")
    booking = lend(cur, member, code, "2030-03-01 10:00+01", "2030-03-10")
    cur.execute("SELECT tl.queue_reminders('2030-03-08 09:00+01')")
    cur.execute("UPDATE tl.booking SET due_on = '2030-03-24', renewals = 1 WHERE id = %s", (booking,))
    cur.execute("SELECT tl.queue_reminders('2030-03-22 09:00+01')")
    assert [s for _, s, _ in messages(cur, member)][-1].endswith("à rendre le 24 mars 2030")
    # The command did not run for weeks: one overdue message, not three at once.
    cur.execute("SELECT tl.queue_reminders('2030-04-20 09:00+02')")
    cur.execute("SELECT tl.queue_reminders('2030-04-21 09:00+02')")
    assert len(messages(cur, member, "retard")) == 1


def servers_title(cur, code):
    cur.execute("SELECT title FROM tl.item WHERE code = %s", (code,))
    return cur.fetchone()[0]


def test_a_check_in_queues_the_waiting_list_turn_only_when_it_commits(servers, db):
    with db.cursor() as cur:
        code, = free_items(cur, MEDIATHEQUE)
        borrower = add_member(cur, "T-ATTENTE1", "emprunteur@example.org")
        waiting = add_member(cur, "T-ATTENTE2", "attente@example.org")
        second = add_member(cur, "T-ATTENTE3", "second@example.org")
        booking = lend(cur, borrower, code, ago(), datetime.date.today() + datetime.timedelta(days=7))
        cur.execute("SELECT tl.join_waiting_list('benevole.mediatheque', 'T-ATTENTE2', %s)", (code,))
        cur.execute("SELECT tl.join_waiting_list('benevole.mediatheque', 'T-ATTENTE3', %s)", (code,))
    try:
        # The desk takes the item back, but the transaction rolls back: nothing queued.
        conn = psycopg2.connect(host=os.path.realpath(servers.pg), port=servers.pg_port,
                                user="tierslieux", dbname="tierslieux")
        with conn.cursor() as cur:
            cur.execute("SELECT tl.check_in('benevole.mediatheque', %s, NULL, NULL)", (code,))
            assert len(messages(cur, waiting, "liste_attente")) == 1    # inside the transaction, it is there
            conn.rollback()
        conn.close()
        with db.cursor() as cur:
            assert messages(cur, waiting) == []
            # Sent to maintenance at the return: the item is not there to borrow, nobody is told.
            cur.execute("BEGIN")
            cur.execute("SELECT tl.check_in('benevole.mediatheque', %s, NULL, 'Lame émoussée')", (code,))
            assert messages(cur, waiting) == []
            cur.execute("ROLLBACK")
            cur.execute("SELECT tl.check_in('benevole.mediatheque', %s, 'bon', NULL)", (code,))
            turn = messages(cur, waiting)
            assert [(k, s) for k, s, _ in turn] == [
                ("liste_attente", f"C'est votre tour : {servers_title(cur, code)} est disponible")]
            assert "Vous êtes en tête de la liste d'attente" in turn[0][2]
            assert messages(cur, second) == [] and messages(cur, borrower) == []
    finally:
        with db.cursor() as cur:
            cur.execute("DELETE FROM tl.waiting_list WHERE member_id IN (%s, %s)", (waiting, second))
            cur.execute("DELETE FROM tl.booking WHERE id = %s", (booking,))
            cur.execute("DELETE FROM tl.member WHERE id IN (%s, %s, %s)", (borrower, waiting, second))


def test_the_waiting_list_is_told_when_the_item_comes_back_from_maintenance(tx):
    cur = tx
    code, = free_items(cur, MEDIATHEQUE)
    borrower = add_member(cur, "T-ATTENTE4", "casse@example.org")
    waiting = add_member(cur, "T-ATTENTE5", "patient@example.org")
    lend(cur, borrower, code, ago(3), datetime.date.today() + datetime.timedelta(days=7))
    cur.execute("SELECT tl.join_waiting_list('benevole.mediatheque', 'T-ATTENTE5', %s)", (code,))
    cur.execute("SELECT tl.check_in('benevole.mediatheque', %s, NULL, 'Poignée fendue')", (code,))
    assert messages(cur, waiting) == []
    cur.execute("SELECT tl.end_maintenance('benevole.mediatheque', %s, 'Poignée changée', false)", (code,))
    assert [k for k, _, _ in messages(cur, waiting)] == ["liste_attente"]


def test_a_reservation_ready_to_collect(tx):
    cur = tx
    code, = free_items(cur, FABRIQUE)
    borrower = add_member(cur, "T-RESA1", "avant@example.org")
    reserver = add_member(cur, "T-RESA2", "resa@example.org")
    cur.execute("SELECT (now() AT TIME ZONE 'Europe/Paris')::date")
    today = cur.fetchone()[0]
    lend(cur, borrower, code, ago(), today + datetime.timedelta(days=1))
    cur.execute("INSERT INTO tl.booking (kind, item_id, member_id, starts_at, ends_at) "
                "SELECT 'reservation', id, %s, (%s::date + 2)::timestamp AT TIME ZONE 'Europe/Paris', "
                "(%s::date + 5)::timestamp AT TIME ZONE 'Europe/Paris' FROM tl.item WHERE code = %s",
                (reserver, today, today, code))
    # Taken back two days before the reservation: not ready yet.
    cur.execute("SELECT tl.check_in('referente.fabrique', %s, NULL, NULL)", (code,))
    assert messages(cur, reserver) == []
    # The day before its first day, the item being in: ready, once.
    for _ in range(2):
        cur.execute("SELECT tl.queue_reminders(now() + interval '1 day')")
    ready = messages(cur, reserver)
    assert [k for k, _, _ in ready] == ["reservation_prete"]
    assert ready[0][1] == f"Votre réservation est prête : {servers_title(cur, code)}"
    first, last = today + datetime.timedelta(days=2), today + datetime.timedelta(days=4)
    assert f"que vous avez réservé du {date_fr(first)} au {date_fr(last)}, vous attend à La Fabrique" in ready[0][2]


def test_a_reservation_is_ready_when_its_item_comes_back(tx):
    cur = tx
    code, = free_items(cur, FABRIQUE)
    borrower = add_member(cur, "T-RESA3", "retour@example.org")
    reserver = add_member(cur, "T-RESA4", "attend@example.org")
    waiting = add_member(cur, "T-RESA5", "file@example.org")
    cur.execute("SELECT (now() AT TIME ZONE 'Europe/Paris')::date")
    today = cur.fetchone()[0]
    lend(cur, borrower, code, ago(10), today - datetime.timedelta(days=3))
    cur.execute("INSERT INTO tl.booking (kind, item_id, member_id, starts_at, ends_at) "
                "SELECT 'reservation', id, %s, (%s::date)::timestamp AT TIME ZONE 'Europe/Paris', "
                "(%s::date + 3)::timestamp AT TIME ZONE 'Europe/Paris' FROM tl.item WHERE code = %s",
                (reserver, today + datetime.timedelta(days=1), today + datetime.timedelta(days=1), code))
    cur.execute("SELECT tl.join_waiting_list('referente.fabrique', 'T-RESA5', %s)", (code,))
    cur.execute("SELECT tl.check_in('referente.fabrique', %s, NULL, NULL)", (code,))
    assert [k for k, _, _ in messages(cur, reserver)] == ["reservation_prete"]
    assert messages(cur, waiting) == []          # the reservation holds the item: the line waits
    cur.execute("SELECT tl.queue_reminders(now())")
    assert len(messages(cur, reserver)) == 1


# ---- sending --------------------------------------------------------------

def fake_sendmail(tmp_path, status=0):
    """A sendmail that writes its arguments and each message to files, and
    exits with status (75, EX_TEMPFAIL, to fail)."""
    out = tmp_path / f"courrier-{status}"
    out.mkdir(exist_ok=True)
    script = tmp_path / f"sendmail-{status}"
    script.write_text(f"""#!/bin/sh
n=$(date +%s%N)-$$
printf '%s\\n' "$@" > "{out}/args-$n"
cat > "{out}/message-$n.eml"
exit {status}
""")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), out


def command_role(servers):
    servers.sql("""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'courriels_test') THEN
                CREATE ROLE courriels_test LOGIN IN ROLE tierslieux_courriels;
            END IF;
        END $$""")
    return (f"host={os.path.realpath(servers.pg)} port={servers.pg_port} dbname=tierslieux "
            f"user=courriels_test")


def send(servers, sendmail, *extra):
    return subprocess.run([COMMAND, "-d", command_role(servers), "-s", sendmail,
                           "-f", "rappels@saint-aubin.example.fr", *extra],
                          capture_output=True, text=True, timeout=60)


def delivered(out, recipient):
    found = []
    for name in sorted(os.listdir(out)):
        if name.startswith("message-"):
            with open(os.path.join(out, name), "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            if msg["To"] == recipient:
                found.append((name, msg))
    return found


@pytest.fixture
def due_soon(servers, db):
    """A committed loan due in two days at La Fabrique, to a member with an
    address; removed afterwards with its messages."""
    with db.cursor() as cur:
        code, = free_items(cur, FABRIQUE)
        member = add_member(cur, "T-ENVOI1", "envoi.zoe@example.org")
        cur.execute("SELECT (now() AT TIME ZONE 'Europe/Paris')::date + 2")
        due = cur.fetchone()[0]
        booking = lend(cur, member, code, ago(5), due)
    yield {"member": member, "code": code, "due": due, "booking": booking, "address": "envoi.zoe@example.org"}
    with db.cursor() as cur:
        cur.execute("DELETE FROM tl.booking WHERE id = %s", (booking,))
        cur.execute("DELETE FROM tl.member WHERE id = %s", (member,))


def test_the_command_queues_the_reminders_and_sends_through_sendmail(servers, db, tmp_path, due_soon):
    sendmail, out = fake_sendmail(tmp_path)
    r = send(servers, sendmail)
    assert r.returncode == 0, r.stderr
    sent, failed, _ = (int(x.split()[1]) for x in r.stdout.strip().split(", "))
    assert r.stdout.startswith("sent ") and sent >= 1 and failed == 0
    assert "envoi.zoe" not in r.stdout + r.stderr             # no address in what the command prints
    found = delivered(out, due_soon["address"])
    assert len(found) == 1
    name, msg = found[0]
    with db.cursor() as cur:
        title = servers_title(cur, due_soon["code"])
    assert msg["Subject"] == f"Rappel : {title} à rendre le {date_fr(due_soon['due'])}"
    assert str(msg["From"]) == "La Fabrique <rappels@saint-aubin.example.fr>"
    assert msg["Reply-To"] == "bonjour@lafabriquecommune.example.org"
    assert msg["Auto-Submitted"] == "auto-generated" and msg["MIME-Version"] == "1.0"
    assert msg["Message-ID"].startswith("<tierslieux.") and msg["Message-ID"].endswith("@saint-aubin.example.fr>")
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"
    assert msg["Content-Transfer-Encoding"] == "quoted-printable"
    assert email.utils.parsedate_to_datetime(msg["Date"]).tzinfo is not None
    assert sorted(k.lower() for k in msg.keys()) == sorted(
        ["date", "from", "reply-to", "to", "subject", "message-id", "mime-version", "content-type",
         "content-transfer-encoding", "auto-submitted"])
    body = msg.get_content()
    assert f"Merci de le rapporter au plus tard le {date_fr(due_soon['due'])}." in body
    assert body.startswith("Bonjour Zoé,") and "\n-- \nLa Fabrique\n14 rue des Tonneliers" in body
    raw = open(os.path.join(out, name), "rb").read()
    assert all(len(line) <= 78 for line in raw.split(b"\n"))
    args = open(os.path.join(out, name.replace("message-", "args-").replace(".eml", "")), encoding="utf-8").read()
    assert args.split("\n")[:4] == ["-t", "-i", "-f", "rappels@saint-aubin.example.fr"]
    assert servers.sql("SELECT sent_at IS NOT NULL, attempts FROM tl.mail_message WHERE member_id = %s",
                       (due_soon["member"],)) == [(True, 1)]
    # Run again: nothing queued twice, nothing sent twice.
    r = send(servers, sendmail)
    assert r.returncode == 0 and r.stdout.startswith("sent 0, failed 0, left ")
    assert len(delivered(out, due_soon["address"])) == 1


def test_a_failure_keeps_the_message_and_it_is_tried_again_later(servers, db, tmp_path, due_soon):
    failing, _ = fake_sendmail(tmp_path, 75)
    r = send(servers, failing)
    assert r.returncode == 1
    assert r.stdout.startswith("sent 0, failed ") and "left" in r.stdout
    assert "status 75" in r.stderr and "envoi.zoe" not in r.stderr
    row = servers.sql("SELECT id, sent_at, attempts, last_error, not_before > now() + interval '10 minutes' "
                      "FROM tl.mail_message WHERE member_id = %s", (due_soon["member"],))
    assert len(row) == 1
    message, sent_at, attempts, error, later = row[0]
    assert sent_at is None and attempts == 1 and error == "sendmail exited with status 75" and later
    # Run again at once: the message waits for its back-off.
    working, out = fake_sendmail(tmp_path)
    r = send(servers, working)
    assert r.returncode == 0 and r.stdout.startswith("sent 0, failed 0, left ")
    assert delivered(out, due_soon["address"]) == []
    # A second failure waits twice as long.
    servers.sql("UPDATE tl.mail_message SET not_before = now() - interval '1 second' WHERE id = %s", (message,))
    send(servers, failing)
    wait = servers.sql("SELECT not_before - now() FROM tl.mail_message WHERE id = %s", (message,))[0][0]
    assert datetime.timedelta(minutes=29) < wait <= datetime.timedelta(minutes=30)
    # Once the back-off is over, it goes.
    servers.sql("UPDATE tl.mail_message SET not_before = now() - interval '1 second' WHERE id = %s", (message,))
    r = send(servers, working)
    assert r.returncode == 0, r.stderr
    assert len(delivered(out, due_soon["address"])) == 1
    assert servers.sql("SELECT sent_at IS NOT NULL, attempts, last_error FROM tl.mail_message WHERE id = %s",
                       (message,)) == [(True, 3, None)]


def test_a_dry_run_prints_and_changes_nothing(servers, tmp_path, due_soon):
    sendmail, out = fake_sendmail(tmp_path)
    r = send(servers, sendmail, "-n")
    assert r.returncode == 0, r.stderr
    assert "To: envoi.zoe@example.org" in r.stdout
    assert r.stdout.rstrip().split("\n")[-1].startswith("dry run: would send ")
    assert list(out.iterdir()) == []
    assert servers.sql("SELECT count(*) FROM tl.mail_message WHERE member_id = %s", (due_soon["member"],))[0][0] == 0
    assert servers.sql("SELECT count(*) FROM tl.booking_reminder WHERE booking_id = %s",
                       (due_soon["booking"],))[0][0] == 0


def test_the_sender_comes_from_the_settings_or_the_command_refuses(servers, tmp_path):
    sendmail, _ = fake_sendmail(tmp_path)
    command = [COMMAND, "-d", command_role(servers), "-s", sendmail]
    kept = servers.sql("SELECT sender_address FROM tl.mail_setting")[0][0]
    assert kept == "ne-pas-repondre@saint-aubin.example.fr"            # set by the demo data
    r = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("sent ")
    servers.sql("UPDATE tl.mail_setting SET sender_address = NULL")
    try:
        r = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and "no sender address" in r.stderr and r.stdout == ""
    finally:
        servers.sql("UPDATE tl.mail_setting SET sender_address = %s", (kept,))


def test_header_values_cannot_carry_headers(servers, db):
    with db.cursor() as cur:
        cur.execute("SELECT id FROM tl.place WHERE slug = %s", (FABRIQUE,))
        place = cur.fetchone()[0]
        cur.execute("SELECT subject FROM tl.compose_mail('retard', %s, %s)",
                    (place, '{"objet": "Scie\\r\\nBcc: pirate@example.org", "date": "1er mai"}'))
        subject = cur.fetchone()[0]
        assert "\r" not in subject and "\n" not in subject
        assert subject == "Retard : Scie Bcc: pirate@example.org était à rendre le 1er mai"
        with pytest.raises(psycopg2.errors.CheckViolation) as e:
            cur.execute("INSERT INTO tl.mail_message (kind, place_id, recipient, subject, body) "
                        "VALUES ('retard', %s, 'x@example.org', E'Objet\\r\\nBcc: y@example.org', 'texte')", (place,))
        assert e.value.diag.constraint_name == "mail_message_subject_one_line"
        with pytest.raises(psycopg2.errors.CheckViolation) as e:
            cur.execute("INSERT INTO tl.mail_message (kind, place_id, recipient, subject, body) "
                        "VALUES ('retard', %s, E'x@example.org\\nBcc: y@example.org', 'Objet', 'texte')", (place,))
        assert e.value.diag.constraint_name == "mail_message_recipient_format"


def test_only_the_functions_are_open_to_the_command_and_the_web(servers):
    conninfo = command_role(servers)
    with psycopg2.connect(conninfo) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("SELECT * FROM tl.mail_message")
    with psycopg2.connect(conninfo) as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("SELECT * FROM tl.member")
    password = open(os.path.join(os.path.realpath(servers.pg), "web-password")).read().strip()
    web = psycopg2.connect(host="127.0.0.1", port=servers.pg_port, user="tierslieux_web", password=password,
                           dbname="tierslieux")
    try:
        with web.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("SELECT * FROM tl.mail_message")
        web.rollback()
        with web.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("SELECT * FROM tl.desk_mail('benevole.mediatheque')")
        web.rollback()
        with web.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("SELECT tl.queue_reminders(now())")
    finally:
        web.close()


# ---- the référent's preview -----------------------------------------------

@pytest.fixture
def two_places(servers, db):
    """One waiting message at La Fabrique and one at the médiathèque."""
    with db.cursor() as cur:
        member = add_member(cur, "T-APERCU1", "apercu@example.org")
        ids = []
        for slug, subject in ((FABRIQUE, "Message de test à La Fabrique"),
                              (MEDIATHEQUE, "Message de test à la médiathèque")):
            cur.execute("SELECT tl.enqueue_mail('retard', (SELECT id FROM tl.place WHERE slug = %s), %s, "
                        "'apercu@example.org', %s, now() + interval '1 hour')",
                        (slug, member, f'{{"prenom": "Zoé", "objet": "{subject}", "date": "2 mars 2030"}}'))
            ids.append(cur.fetchone()[0])
    yield ids
    servers.sql("DELETE FROM tl.member WHERE id = %s", (member,))


def subjects(page):
    return [h.get_text(strip=True) for h in BeautifulSoup(page.text, "html.parser").select("article.tl-mail h2")]


def test_a_referent_previews_the_messages_of_their_places_only(servers, two_places):
    s, _ = login(servers, "referente.fabrique")
    page = s.get(servers.url("/tierslieux/guichet/courriels"), timeout=10)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.h1.get_text() == "Courriels aux adhérents"
    titles = subjects(page)
    assert "Retard : Message de test à La Fabrique était à rendre le 2 mars 2030" in titles
    assert not any("médiathèque" in t for t in titles)
    article = soup.find(id=f"courriel-{two_places[0]}").find_parent("article")
    facts = article.get_text(" ", strip=True)
    assert "apercu@example.org" in facts and "en attente" in facts and "Objet en retard" in facts
    text = article.find("details").find("pre").get_text()
    assert text.startswith("Bonjour Zoé,") and "\n-- \nLa Fabrique\n" in text
    assert article.find("details").find("summary").get_text() == "Texte du message"
    # Her desk links to it.
    desk = BeautifulSoup(s.get(servers.url("/tierslieux/guichet"), timeout=10).text, "html.parser")
    assert desk.find("a", href="/tierslieux/guichet/courriels")
    # An administrator of every place sees both.
    s, _ = login(servers, "admin.reseau")
    titles = subjects(s.get(servers.url("/tierslieux/guichet/courriels"), timeout=10))
    assert sum("Message de test" in t for t in titles) == 2


def test_a_volunteer_gets_403(servers, two_places):
    s, _ = login(servers, "benevole.mediatheque")
    page = s.get(servers.url("/tierslieux/guichet/courriels"), timeout=10, allow_redirects=False)
    assert page.status_code == 403
    assert BeautifulSoup(page.text, "html.parser").h1.get_text() == "Accès réservé"
    assert "Message de test" not in page.text
    desk = BeautifulSoup(s.get(servers.url("/tierslieux/guichet"), timeout=10).text, "html.parser")
    assert not desk.find("a", href="/tierslieux/guichet/courriels")


# ---- retention and erasure ------------------------------------------------

def test_sent_messages_are_deleted_after_the_delay_and_unsent_ones_kept(tx):
    cur = tx
    member = add_member(cur, "T-OUBLI1", "oubli@example.org")
    cur.execute("SELECT id FROM tl.place WHERE slug = %s", (FABRIQUE,))
    place = cur.fetchone()[0]
    for sent in ("2030-01-01 10:00+00", "2030-01-20 10:00+00", None):
        cur.execute("INSERT INTO tl.mail_message (kind, place_id, member_id, recipient, subject, body, created_at, "
                    "sent_at) VALUES ('retard', %s, %s, 'oubli@example.org', 'Objet', 'Texte', "
                    "'2030-01-01 09:00+00', %s)", (place, member, sent))
    cur.execute("SELECT tl.apply_mail_retention('2030-02-05 00:00+00')")   # 30 days after the first only
    assert cur.fetchone()[0] >= 1
    cur.execute("SELECT sent_at FROM tl.mail_message WHERE member_id = %s ORDER BY id", (member,))
    assert [r[0] is None for r in cur.fetchall()] == [False, True]
    cur.execute("SELECT tl.apply_mail_retention('2031-01-01 00:00+00')")
    cur.execute("SELECT sent_at FROM tl.mail_message WHERE member_id = %s", (member,))
    assert cur.fetchall() == [(None,)]                  # never sent: never lost


def test_erasing_a_member_erases_their_messages(tx):
    cur = tx
    member = add_member(cur, "T-OUBLI2", "efface@example.org")
    cur.execute("SELECT tl.enqueue_mail('liste_attente', (SELECT id FROM tl.place WHERE slug = %s), %s, "
                "'efface@example.org', '{}')", (FABRIQUE, member))
    cur.execute("SELECT tl.erase_member('referente.fabrique', 'T-OUBLI2')")
    cur.execute("SELECT count(*) FROM tl.mail_message WHERE recipient = 'efface@example.org'")
    assert cur.fetchone()[0] == 0


def test_a_member_s_export_holds_their_messages(tx):
    cur = tx
    member = add_member(cur, "T-EXPORT1", "export@example.org")
    cur.execute("SELECT tl.enqueue_mail('liste_attente', (SELECT id FROM tl.place WHERE slug = %s), %s, "
                "'export@example.org', '{\"prenom\": \"Zoé\", \"objet\": \"Scie sauteuse\"}')", (FABRIQUE, member))
    cur.execute("SELECT tl.member_export('referente.fabrique', 'T-EXPORT1')")
    data = cur.fetchone()[0]
    assert [m["sujet"] for m in data["courriels"]] == ["C'est votre tour : Scie sauteuse est disponible"]
    assert data["courriels"][0]["a"] == "export@example.org" and data["courriels"][0]["envoye_le"] is None
    assert set(data) == {"adherent", "prets", "cautions", "courriels"}
