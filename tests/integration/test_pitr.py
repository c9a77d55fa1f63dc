"""Point-in-time recovery, as docs/admin.md#point-in-time-recovery says to do
it, on real clusters: a primary holding the demo archives its WAL with the
guide's archive_command; pg_basebackup takes the guide's base backup, and
pg_archivecleanup drops the WAL archived before it. A volunteer lends an
item (change A), the server's clock gives the moment T, and a second loan
follows (change B). The primary is then destroyed, its data folder removed;
the base backup is unpacked into a new, empty one, recovery.signal and the
guide's restore_command, recovery_target_time = T and
recovery_target_action = 'promote' are set, and the server is started. Once
recovery has ended, A is there and B is not; the server is a primary on a
new timeline that archives on, an httpd on it shows A's loan and lends B,
and it restarts as an ordinary primary once the target is removed. The
seconds the recovery took are printed.

The commands run as the guide's, but for Debian's paths: the cluster is one
of script/cluster's, its configuration in its data folder, and the archive
and the base backups in a folder of the test that the postgres account can
reach (tl_reachable_dir), even when the checkout is in a private home."""
import os
import re
import shlex
import subprocess
import time

import requests

from conftest import RUN, Servers, cluster, wait_for
from test_backup import Machine, errors_in, lib
from test_desk_access import login
from test_desk_lending import free_item, member_without_late_items, post, token

PG_BIN = os.environ.get("TL_PG_BIN", "/usr/lib/postgresql/15/bin")
VOLUNTEER = "benevole.mediatheque"


def as_postgres(*args):
    """A command as the postgres account, from / (it may not enter the
    checkout), as the guide runs them."""
    r = subprocess.run(["runuser", "-u", "postgres", "--", *args], cwd="/", capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, (args, r.stdout + r.stderr)
    return r


def private_folder(path):
    """A folder owned by postgres, mode 0700, as the guide makes them."""
    subprocess.run(["install", "-d", "-o", "postgres", "-g", "postgres", "-m", "0700", path], check=True)


def conf_string(value):
    """VALUE as a quoted string of postgresql.conf."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def append(path, text):
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


class Site(Machine):
    """One machine of test_backup's kind (its own cluster and httpd), whose
    httpd runs the demo's configuration."""
    start_httpd = Servers.start_httpd

    def admin(self, query):
        """One statement as the superuser, over the cluster's socket."""
        r = cluster("psql", self.pg, "postgres", "-At", "-c", query)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    def switch_wal(self, archive):
        """The current WAL segment closed (pg_switch_wal) and waited for in
        the archive: what is in it is safe from then on."""
        segment = self.admin("SELECT pg_walfile_name(pg_switch_wal())")
        assert wait_for(lambda: os.path.exists(os.path.join(archive, segment)), timeout=30), \
            (segment, self.admin("SELECT * FROM pg_stat_archiver"))
        return segment

    def open_loans(self, *codes):
        return self.sql("SELECT i.code FROM tl.booking b JOIN tl.item i ON i.id = b.item_id "
                        "WHERE b.kind = 'pret' AND b.returned_at IS NULL AND i.code = ANY(%s) ORDER BY 1",
                        (list(codes),))

    def item_id(self, code):
        return self.sql("SELECT id FROM tl.item WHERE code = %s", (code,))[0][0]


def wal_segments(archive):
    return sorted(f for f in os.listdir(archive) if re.fullmatch(r"[0-9A-F]{24}", f))


def test_recover_to_a_moment_between_two_loans(capsys):
    where = os.path.join(RUN, "pitr")
    site = Site(where)
    try:
        real = lib(f'tl_reachable_dir "{where}" postgres').stdout.strip()
        assert os.path.isdir(real)
        archive, bases = os.path.join(real, "wal-archive"), os.path.join(real, "pg-base")
        private_folder(archive)
        private_folder(bases)

        # The primary: the demo, then WAL archiving as step 1 says, with
        # the archive's path quoted for the shell (a checkout's may hold a
        # space) and for postgresql.conf.
        cluster("pg-init", site.pg, str(site.pg_port))
        cluster("pg-demo", site.pg)
        pg_real = os.path.realpath(site.pg)
        data = os.path.join(pg_real, "data")
        conf = os.path.join(data, "postgresql.conf")
        to = shlex.quote(archive)
        append(conf, "archive_mode = on\n"
                     f"archive_command = {conf_string(f'test ! -f {to}/%f && cp %p {to}/%f')}\n"
                     "archive_timeout = 300\n")
        # Debian's own pg_hba.conf lets postgres in for replication (peer);
        # script/cluster's lets it in for databases only.
        append(os.path.join(data, "pg_hba.conf"), "local replication postgres trust\n")
        cluster("pg-stop", site.pg)
        cluster("pg-start", site.pg)
        assert site.admin("SHOW archive_mode") == "on"
        # Archiving works: a closed segment reaches the archive, no failure.
        before_backup = site.switch_wal(archive)
        assert site.admin("SELECT failed_count FROM pg_stat_archiver") == "0"

        # Step 2: the base backup, as postgres, compressed tar with its WAL.
        base = os.path.join(bases, "base")
        as_postgres(os.path.join(PG_BIN, "pg_basebackup"), "-h", pg_real, "-p", str(site.pg_port),
                    "-D", base, "-Ft", "-z", "-X", "stream", "-c", "fast")
        assert set(os.listdir(base)) == {"base.tar.gz", "pg_wal.tar.gz", "backup_manifest"}
        # The .backup file it archives names the oldest WAL it needs:
        # pg_archivecleanup drops what is older, which the recovery below
        # then proves it did not need.
        assert wait_for(lambda: any(f.endswith(".backup") for f in os.listdir(archive)), timeout=30)
        (label,) = [f for f in os.listdir(archive) if f.endswith(".backup")]
        assert before_backup in wal_segments(archive) and before_backup < label[:24]
        as_postgres(os.path.join(PG_BIN, "pg_archivecleanup"), archive, label)
        assert wal_segments(archive) and all(f >= label[:24] for f in wal_segments(archive))

        # Change A, a volunteer's loan as the desk makes it; T, the
        # server's time once it committed; then change B, a second loan,
        # a moment later. Each is archived with the segment it ends.
        member = member_without_late_items(site)
        item_a = free_item(site)
        site.sql("SELECT tl.check_out(%s, %s, %s, false)", (VOLUNTEER, member, item_a))
        target = site.sql("SELECT now()::text")[0][0]
        site.switch_wal(archive)
        time.sleep(1.0)
        item_b = free_item(site)
        assert item_b != item_a
        (xid_b,) = site.sql("SELECT pg_current_xact_id()::text FROM tl.check_out(%s, %s, %s, false)",
                            (VOLUNTEER, member, item_b))[0]
        site.switch_wal(archive)
        assert site.open_loans(item_a, item_b) == sorted([(item_a,), (item_b,)])
        assert site.admin("SELECT failed_count FROM pg_stat_archiver") == "0"

        # The disaster: the server stops dead and its data folder is lost.
        cluster("pg-stop", site.pg, "immediate")
        subprocess.run(["rm", "-rf", data], check=True)

        # Step 3: the base backup into a new, empty folder, as postgres;
        # the recovery settings; recovery.signal; start.
        private_folder(data)
        as_postgres("tar", "-xzf", os.path.join(base, "base.tar.gz"), "-C", data)
        as_postgres("tar", "-xzf", os.path.join(base, "pg_wal.tar.gz"), "-C", os.path.join(data, "pg_wal"))
        append(conf, f"restore_command = {conf_string(f'cp {to}/%f %p')}\n"
                     f"recovery_target_time = '{target}'\n"
                     "recovery_target_action = 'promote'\n")
        as_postgres("touch", os.path.join(data, "recovery.signal"))
        log = os.path.join(pg_real, "postgresql.log")
        offset = os.path.getsize(log)
        started = time.monotonic()
        cluster("pg-start", site.pg)
        # pg_ctl returns once the server reads; recovery has ended when it
        # is no longer in recovery (promoted at the target).
        assert wait_for(lambda: site.admin("SELECT pg_is_in_recovery()") == "f", timeout=60, step=0.05)
        recovery = time.monotonic() - started
        with open(log, encoding="utf-8", errors="replace") as f:
            f.seek(offset)
            replay = f.read()
        # A segment may be read twice (again at the end, to start the new timeline).
        restored = set(re.findall(r'restored log file "([0-9A-F]{24})" from archive', replay))
        assert f"recovery stopping before commit of transaction {xid_b}," in replay, replay
        assert "archive recovery complete" in replay and "selected new timeline ID: 2" in replay
        assert not os.path.exists(os.path.join(data, "recovery.signal"))
        assert site.admin("SELECT pg_walfile_name(pg_current_wal_lsn())").startswith("00000002")

        # A is there, B is not.
        assert site.open_loans(item_a, item_b) == [(item_a,)]
        # The new timeline is archived too: a later recovery can follow it.
        assert wait_for(lambda: os.path.exists(os.path.join(archive, "00000002.history")), timeout=30)

        # It takes writes: an httpd on it shows A's loan, and the volunteer
        # lends B again at the desk.
        site.start_httpd()
        assert "En prêt" in site.get(f"/tierslieux/outils/{site.item_id(item_a)}").text
        assert "Disponible" in site.get(f"/tierslieux/outils/{site.item_id(item_b)}").text
        s, r = login(site, VOLUNTEER)
        assert r.status_code == 302
        r = post(s, site, "/tierslieux/guichet/pret/confirmer",
                 {"jeton": token(s, site, "/tierslieux/guichet/pret"), "adherent": member, "objet": item_b})
        assert r.status_code == 303 and f"fait={item_b}" in r.headers["Location"], r.text[:300]
        assert site.open_loans(item_a, item_b) == sorted([(item_a,), (item_b,)])
        assert errors_in(site.error_log) == []

        # Afterwards, as the guide says, the target goes: the cluster
        # restarts as an ordinary primary with both loans.
        with open(conf, encoding="utf-8") as f:
            kept = [line for line in f if not line.startswith(("recovery_target_time", "recovery_target_action"))]
        with open(conf, "w", encoding="utf-8") as f:
            f.writelines(kept)
        cluster("pg-stop", site.pg)
        cluster("pg-start", site.pg)
        assert site.admin("SELECT pg_is_in_recovery()") == "f"
        assert site.open_loans(item_a, item_b) == sorted([(item_a,), (item_b,)])

        with capsys.disabled():
            print(f"\nrestauration à un instant donné : récupération terminée {recovery:.2f} s après le "
                  f"démarrage, {len(restored)} segments de WAL rejoués depuis l'archive")
    finally:
        site.stop()
        lib(f'tl_remove "{where}"')
