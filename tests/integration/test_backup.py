"""Backups that restore: tools/tierslieux-sauvegarde backs up the demo (the
database, its roles, the secret file, a templates folder, the town hall's
layout and the configuration naming them); the demo is then destroyed, and
tools/tierslieux-restauration brings it back "on another machine", a
brand-new PostgreSQL cluster with no role of ours, where an httpd started on
the restored files logs a volunteer in, lends and reads a report. And what
the restore refuses: a database that is not empty, a corrupt archive.

The commands run from the checkout, as script/test does until the Debian
package installs them in /usr/sbin."""
import csv
import io
import os
import re
import secrets
import shutil
import stat
import subprocess
import tarfile
import time

import psycopg2
import requests
from bs4 import BeautifulSoup

from conftest import LOG_LEVEL, ROOT, RUN, Servers, cluster, free_port
from test_desk_access import login
from test_desk_lending import free_item, member_without_late_items, post, token

BACKUP = os.path.join(ROOT, "tools", "tierslieux-sauvegarde")
RESTORE = os.path.join(ROOT, "tools", "tierslieux-restauration")
REPORT = "/tierslieux/gestion/ressourcerie/bilan.csv"
LATE_MEMBER = "T-APRES-SAUVEGARDE"
LAYOUT_MARK = "Ville de Saint-Aubin-sur-Loire (gabarit sauvegardé)"
OVERRIDE_MARK = "Libre tout de suite !"


def run(*args, check=False, env=None):
    return subprocess.run([*args], capture_output=True, text=True, check=check, timeout=300, env=env)


def lib(*commands):
    """script/lib.sh's functions, for what script/cluster does not offer."""
    return run("bash", "-c", f'source "{ROOT}/script/lib.sh" && ' + " && ".join(commands))


def owner_conn(servers):
    return ["-h", os.path.realpath(servers.pg), "-p", str(servers.pg_port), "-U", "tierslieux", "-d", "tierslieux"]


def admin_conn(machine):
    return ["-h", os.path.realpath(machine.pg), "-p", str(machine.pg_port), "-U", "postgres"]


def as_postgres(machine, query, dbname="postgres"):
    conn = psycopg2.connect(host=os.path.realpath(machine.pg), port=machine.pg_port, user="postgres", dbname=dbname)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(query)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def report(machine, month):
    """The ressourcerie's report of the month, as a référent downloads it."""
    s, _ = login(machine, "referente.fabrique")
    r = s.get(machine.url(REPORT), params={"lieu": "la-fabrique", "periode": "mois", "date": month}, timeout=30)
    assert r.status_code == 200, r.text[:300]
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))


def manifest(archive):
    with tarfile.open(archive) as tar:
        return tar.extractfile("./MANIFESTE").read().decode("utf-8")


class Machine(Servers):
    """Another machine: its own empty cluster and its own httpd."""

    def __init__(self, where):
        self.pg = os.path.join(where, "pg")
        self.web = os.path.join(where, "httpd")
        self.pg_port = free_port()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.error_log = os.path.join(self.web, "logs", "error.log")

    def start_httpd(self, conf_text):
        cluster("httpd-conf", self.web, str(self.port), self.pg)
        real = os.path.realpath(self.web)
        with open(os.path.join(real, "tierslieux.conf"), encoding="utf-8") as f:
            dbd = re.search(r"^DBDParams .*$", f.read(), re.M).group(0)
        with open(os.path.join(real, "tierslieux.conf"), "w", encoding="utf-8") as f:
            f.write(re.sub(r"^DBDParams .*$", lambda _: dbd, conf_text, flags=re.M))
        cluster("httpd-start", self.web)

    def stop(self):
        cluster("httpd-stop", self.web, check=False)
        cluster("pg-stop", self.pg, check=False)
        lib(f'tl_remove "{self.web}"', f'tl_remove "{self.pg}"')


def machine_a(servers, where):
    """The files the demo's httpd reads, as a site keeps them: the secret, the
    town hall's layout, a templates folder, and the configuration naming
    them (the demo's own, its paths moved here)."""
    real_web = os.path.realpath(servers.web)
    os.makedirs(os.path.join(where, "etc"))
    os.makedirs(os.path.join(where, "site", "gabarits", "partials"))
    shutil.copyfile(os.path.join(real_web, "secret"), os.path.join(where, "etc", "tierslieux.secret"))
    os.chmod(os.path.join(where, "etc", "tierslieux.secret"), 0o600)
    with open(os.path.join(real_web, "tierslieux.conf"), encoding="utf-8") as f:
        conf = f.read()
    layout = re.search(r'^\s*TiersLieuxLayout "([^"]+)"', conf, re.M).group(1)
    with open(layout, encoding="utf-8") as f:
        page = f.read().replace("Ville de Saint-Aubin-sur-Loire —", LAYOUT_MARK + " —", 1)
    assert LAYOUT_MARK in page
    with open(os.path.join(where, "site", "gabarit-mairie.html"), "w", encoding="utf-8") as f:
        f.write(page)
    with open(os.path.join(where, "site", "gabarits", "partials", "disponibilite.html"), "w", encoding="utf-8") as f:
        f.write(f'<p class="tl-state" data-tl-if="available">{OVERRIDE_MARK}</p>'
                '<p class="tl-state" data-tl-unless="available">Pas maintenant</p>')
    conf = re.sub(r"^TiersLieuxSecretFile .*$",
                  lambda _: f'TiersLieuxSecretFile "{where}/etc/tierslieux.secret"', conf, flags=re.M)
    conf = conf.replace(f'TiersLieuxLayout "{layout}"', f'TiersLieuxLayout "{where}/site/gabarit-mairie.html"')
    conf += (f'\n<Location "/quartier">\n    SetHandler tierslieux\n'
             f'    TiersLieuxTemplateDir "{where}/site/gabarits"\n</Location>\n')
    path = os.path.join(where, "etc", "tierslieux.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(conf)
    return path


def errors_in(log):
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            return [line for line in f if LOG_LEVEL.match(line)]
    except FileNotFoundError:
        return []


PHOTO_ALT = "Une scie égoïne sur l'établi"


def add_photo(servers):
    """A référent's photo of one of their items: its id and a variant's URL."""
    from test_photos import REFERENT, item_of, png_bytes, upload
    code, _ = item_of(servers, "la-fabrique")
    s, r = login(servers, REFERENT)
    r = upload(s, servers, code, png_bytes(700, 500), name="scie.png", alt=PHOTO_ALT)
    assert r.status_code == 303, r.text[:300]
    photo_id = servers.sql("SELECT max(id) FROM tl.photo")[0][0]
    return photo_id, f"/tierslieux/photos/{photo_id}-640.webp"


def test_back_up_destroy_restore_elsewhere_and_work(servers):
    where = os.path.join(RUN, "sauvegarde")
    shutil.rmtree(where, ignore_errors=True)
    a, b_files, archives = (os.path.join(where, d) for d in ("machine-a", "machine-b", "archives"))
    os.makedirs(archives)
    b = Machine(os.path.join(where, "serveurs-b"))
    month = servers.sql("SELECT to_char(now() AT TIME ZONE 'Europe/Paris', 'YYYY-MM')")[0][0]
    try:
        conf_a = machine_a(servers, a)
        with open(os.path.join(a, "etc", "tierslieux.secret"), "rb") as f:
            secret = f.read()
        # Before the backup: a volunteer's session, the month's report, the members.
        desk_before, r = login(servers, "benevole.mediatheque")
        assert r.status_code == 302
        cookie = desk_before.cookies.get("tierslieux_session")
        report_before = report(servers, month)
        assert any(row[:2] == ["entrees", "total"] and row[3] not in ("", "0,000") for row in report_before)
        members = servers.sql("SELECT member_number FROM tl.member ORDER BY 1")
        # A photo (issue 16): its variants live in the database.
        photo_id, photo_url = add_photo(servers)
        photo_before = servers.get(photo_url)
        assert photo_before.status_code == 200 and photo_before.content[:4] == b"RIFF"

        r = run(BACKUP, "--conf", conf_a, "-o", archives, *owner_conn(servers))
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("sauvegarde écrite : ") and r.stderr == ""
        (archive,) = [os.path.join(archives, f) for f in os.listdir(archives)]
        assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600
        lines = manifest(archive).splitlines()
        assert "format\ttierslieux-sauvegarde 1" in lines
        for kind, path in (("secret", f"{a}/etc/tierslieux.secret"), ("habillage", f"{a}/site/gabarit-mairie.html"),
                           ("gabarits", f"{a}/site/gabarits"), ("configuration", conf_a)):
            assert any(line.startswith(f"contenu\t{kind}\t") and line.endswith("\t" + path) for line in lines), kind
        for role in ("tierslieux_lecture", "tierslieux_guichet", "tierslieux_courriels", "tierslieux_web"):
            assert any(line.startswith(f"role\t{role}\t") for line in lines), role

        # After the backup: a change that must not come back, then the disaster.
        servers.sql("INSERT INTO tl.member (member_number, family_name, given_name, email) "
                    "VALUES (%s, 'Tardif', 'Paul', 'paul.tardif@example.org')", (LATE_MEMBER,))
        servers.stop_httpd()
        as_postgres(servers, "DROP DATABASE tierslieux WITH (FORCE)")
        shutil.rmtree(a)

        # Another machine: a cluster with nothing of ours, not even a role.
        cluster("pg-create", b.pg, str(b.pg_port))
        assert as_postgres(b, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'tierslieux%'") == [(0,)]
        started = time.monotonic()
        # As root naming no role, as on a Debian machine: the PostgreSQL
        # commands run as the system account postgres over the socket.
        r = run(RESTORE, "--prefixe", b_files, archive,
                env={**os.environ, "PGHOST": os.path.realpath(b.pg), "PGPORT": str(b.pg_port)})
        elapsed = time.monotonic() - started
        print(f"\nrestauration de la démo (base et fichiers) : {elapsed:.2f} s")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "il reste à faire" in r.stdout and "\\password tierslieux_web" in r.stdout

        # What the restore says is left: the web role's password, the paths.
        password = secrets.token_urlsafe(18)
        with open(os.path.join(os.path.realpath(b.pg), "web-password"), "w", encoding="utf-8") as f:
            f.write(password + "\n")
        as_postgres(b, f"ALTER ROLE tierslieux_web PASSWORD '{password}'")
        with open(b_files + conf_a, encoding="utf-8") as f:
            conf_b = f.read().replace(f'"{a}/', f'"{b_files}{a}/')
        assert stat.S_IMODE(os.stat(b_files + f"{a}/etc/tierslieux.secret").st_mode) == 0o600
        with open(b_files + f"{a}/etc/tierslieux.secret", "rb") as f:
            assert f.read() == secret
        b.start_httpd(conf_b)

        # The data as it was at the backup, the later change gone.
        assert b.sql("SELECT member_number FROM tl.member ORDER BY 1") == members
        assert b.sql("SELECT count(*) FROM tl.member WHERE member_number = %s", (LATE_MEMBER,)) == [(0,)]
        # The layout, the templates folder and the secret are the saved ones.
        page = b.get("/mairie/partage/")
        assert page.status_code == 200 and LAYOUT_MARK in page.text
        states = {p.get_text() for p in BeautifulSoup(b.get("/quartier/outils?dispo=1").text,
                                                      "html.parser").select(".tl-state")}
        assert states == {OVERRIDE_MARK}
        # The session opened before the backup still opens the desk.
        r = requests.get(b.url("/tierslieux/guichet"), cookies={"tierslieux_session": cookie},
                         allow_redirects=False, timeout=10)
        assert r.status_code == 200
        # A volunteer logs in and lends.
        s, r = login(b, "benevole.mediatheque")
        assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/guichet")
        t = token(s, b, "/tierslieux/guichet/pret")
        item, member = free_item(b), member_without_late_items(b)
        r = post(s, b, "/tierslieux/guichet/pret/confirmer", {"jeton": t, "adherent": member, "objet": item})
        assert r.status_code == 303 and f"fait={item}" in r.headers["Location"]
        assert b.sql("SELECT a.login FROM tl.booking k JOIN tl.item i ON i.id = k.item_id "
                     "JOIN tl.account a ON a.id = k.lent_by WHERE i.code = %s AND k.kind = 'pret' "
                     "AND k.returned_at IS NULL", (item,)) == [("benevole.mediatheque",)]
        # The photo came back, byte for byte, with its ETag.
        photo_after = b.get(photo_url)
        assert photo_after.status_code == 200 and photo_after.content == photo_before.content
        assert photo_after.headers["ETag"] == photo_before.headers["ETag"]
        assert b.sql("SELECT alt FROM tl.photo WHERE id = %s", (photo_id,)) == [(PHOTO_ALT,)]
        # A référent reads the month's report: the demo's figures.
        assert report(b, month) == report_before
        # The schema's history came back: migrating again changes nothing.
        r = run(os.path.join(ROOT, "script", "migrate"), *admin_conn(b)[:4], "-U", "tierslieux", "-d", "tierslieux")
        assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr
        assert errors_in(b.error_log) == []
    finally:
        b.stop()
        shutil.rmtree(where, ignore_errors=True)
        servers.reset()


def quick_backup(servers, archives):
    """A backup of the demo's database and secret (no configuration read)."""
    os.makedirs(archives, exist_ok=True)
    archive = os.path.join(archives, "demo.tar")
    r = run(BACKUP, "--sans-conf", "--secret", os.path.join(os.path.realpath(servers.web), "secret"),
            "-q", "-o", archive, *owner_conn(servers))
    assert r.returncode == 0 and r.stdout == "", r.stderr
    return archive


def databases(servers):
    return {d for (d,) in as_postgres(servers, "SELECT datname FROM pg_database")}


def test_a_database_that_is_not_empty_is_never_overwritten_unasked(servers):
    where = os.path.join(RUN, "sauvegarde-refus")
    shutil.rmtree(where, ignore_errors=True)
    copy = "tierslieux_copie"
    try:
        archive = quick_backup(servers, where)
        # The demo's own database: refused, in French, and nothing changed.
        before, roles = servers.refusals.digest(), as_postgres(servers, "SELECT rolname FROM pg_roles ORDER BY 1")
        r = run(RESTORE, *admin_conn(servers), "--prefixe", os.path.join(where, "fichiers"), archive)
        assert r.returncode == 4, r.stdout + r.stderr
        assert "la base tierslieux existe et n'est pas vide" in r.stderr and "rien n'a été changé" in r.stderr
        assert r.stdout == ""
        assert servers.refusals.digest() == before
        assert as_postgres(servers, "SELECT rolname FROM pg_roles ORDER BY 1") == roles
        assert not os.path.exists(os.path.join(where, "fichiers"))
        # Under another name it restores; a second time it is refused; with
        # --ecraser it replaces the copy, whose later change is gone.
        r = run(RESTORE, *admin_conn(servers), "-d", copy, "--sans-fichiers", "-q", archive)
        assert r.returncode == 0, r.stdout + r.stderr
        as_postgres(servers, f"INSERT INTO tl.member (member_number, family_name, given_name, email) "
                             f"VALUES ('{LATE_MEMBER}', 'Tardif', 'Paul', 'paul.tardif@example.org')", copy)
        r = run(RESTORE, *admin_conn(servers), "-d", copy, "--sans-fichiers", archive)
        assert r.returncode == 4 and f"la base {copy} existe et n'est pas vide" in r.stderr
        assert as_postgres(servers, f"SELECT count(*) FROM tl.member WHERE member_number = '{LATE_MEMBER}'",
                           copy) == [(1,)]
        r = run(RESTORE, *admin_conn(servers), "-d", copy, "--sans-fichiers", "--ecraser", archive)
        assert r.returncode == 0, r.stdout + r.stderr
        assert as_postgres(servers, f"SELECT count(*) FROM tl.member WHERE member_number = '{LATE_MEMBER}'",
                           copy) == [(0,)]
        assert servers.refusals.digest() == before
    finally:
        as_postgres(servers, f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)")
        shutil.rmtree(where, ignore_errors=True)


def test_a_corrupt_or_truncated_archive_is_refused(servers):
    where = os.path.join(RUN, "sauvegarde-corrompue")
    shutil.rmtree(where, ignore_errors=True)
    target = "tierslieux_corrompue"
    try:
        archive = quick_backup(servers, where)
        # One byte of the dump changed, the archive written again around it.
        corrupt = os.path.join(where, "corrompue.tar")
        with tarfile.open(archive) as src, tarfile.open(corrupt, "w") as dst:
            for member in src.getmembers():
                data = src.extractfile(member).read() if member.isfile() else None
                if member.name == "./base.dump":
                    data = data[:2000] + bytes([data[2000] ^ 0x5A]) + data[2001:]
                dst.addfile(member, io.BytesIO(data) if data is not None else None)
        # Cut short, as a copy that stopped halfway.
        truncated = os.path.join(where, "tronquee.tar")
        with open(archive, "rb") as src, open(truncated, "wb") as dst:
            dst.write(src.read()[: os.path.getsize(archive) // 2])
        for bad, words in ((corrupt, "archive corrompue, sommes SHA-256 fausses"),
                           (truncated, "archive illisible ou tronquée")):
            for args in (["--verifier"], [*admin_conn(servers), "-d", target, "--prefixe", os.path.join(where, "f")]):
                r = run(RESTORE, *args, bad)
                assert r.returncode == 3, (bad, args, r.stdout + r.stderr)
                assert words in r.stderr, r.stderr
            assert target not in databases(servers)
            assert not os.path.exists(os.path.join(where, "f"))
        r = run(RESTORE, "--verifier", archive)
        assert r.returncode == 0 and "archive vérifiée" in r.stdout, r.stderr
    finally:
        as_postgres(servers, f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")
        shutil.rmtree(where, ignore_errors=True)


def test_usage_and_a_missing_configuration_in_french(servers):
    for command in (BACKUP, RESTORE):
        r = run(command, "--help")
        assert r.returncode == 0 and r.stdout.startswith("usage : ")
        r = run(command, "--inconnue")
        assert r.returncode == 2 and "option inconnue" in r.stderr
    r = run(BACKUP, "--conf", os.path.join(RUN, "pas-de-conf.conf"), "-o", RUN, *owner_conn(servers))
    assert r.returncode == 3 and "configuration introuvable" in r.stderr
    r = run(RESTORE, os.path.join(RUN, "pas-d-archive.tar"))
    assert r.returncode == 3 and "archive introuvable" in r.stderr
