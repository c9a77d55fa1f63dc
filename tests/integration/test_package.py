"""The Debian package, libapache2-mod-tierslieux, as built by script/package:
its files, and those files at work. The .deb is unpacked (dpkg-deb -x), a
private httpd loads the unpacked module with the unpacked configuration
(only the database, the secret and the templates' folder pointed elsewhere)
and serves the catalogue from the test cluster; the unpacked migration
command builds a new database from the unpacked SQL.

script/test builds the package (and runs lintian) before the integration
tests; run alone, this file builds it when it is missing or older than the
sources it is made from, outside any fake clock."""
import base64
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import psycopg2
import pytest
import requests
from bs4 import BeautifulSoup

from conftest import LOG_LEVEL, ROOT, free_port, wait_for

PACKAGE_DIR = os.path.join(ROOT, ".run", "package")
# What the package is made from (debian/rules, script/package).
SOURCES = ["configure.ac", "Makefile.am", "conf", "debian", "man", "mod_tierslieux", "script", "sql",
           "templates", "tools"]
MODULES = "/usr/lib/apache2/modules"
SHARE = "usr/share/mod_tierslieux"


def newest_source():
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *SOURCES],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    times = [os.path.getmtime(os.path.join(ROOT, f)) for f in listed.split("\0")
             if f and os.path.exists(os.path.join(ROOT, f))]
    return max(times)


def built_deb():
    found = glob.glob(os.path.join(PACKAGE_DIR, "libapache2-mod-tierslieux_*.deb"))
    return found[0] if len(found) == 1 else None


@pytest.fixture(scope="module")
def deb():
    path = built_deb()
    if path is None or os.path.getmtime(path) < newest_source():
        # Built on the real clock: the second run of the suite is under
        # libfaketime, which dpkg-buildpackage and lintian need not see.
        env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}
        done = subprocess.run([os.path.join(ROOT, "script", "package")], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        path = built_deb()
    assert path
    return path


@pytest.fixture(scope="module")
def unpacked(deb):
    """The package's files, unpacked where httpd's children (www-data) can read them."""
    top = tempfile.mkdtemp(prefix="tierslieux-paquet-")
    os.chmod(top, 0o755)
    root = os.path.join(top, "root")
    subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    yield root
    shutil.rmtree(top, ignore_errors=True)


def listing(root):
    found = set()
    for folder, _, files in os.walk(root):
        for name in files:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


def read(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return f.read()


def load_file(root):
    """{'depends': [...], 'load': the LoadModule line} of mods-available/tierslieux.load."""
    text = read(root, "etc/apache2/mods-available/tierslieux.load")
    depends = re.search(r"^# Depends:(.*)$", text, flags=re.M)
    load = re.findall(r"^LoadModule .*$", text, flags=re.M)
    return {"depends": depends.group(1).split() if depends else [], "load": load}


# ---- the files -------------------------------------------------------------------

HELPER = "usr/libexec/mod_tierslieux/tierslieux-images"

def test_the_package_holds_the_module_its_configuration_templates_and_sql(unpacked):
    files = listing(unpacked)
    for path in ["usr/lib/apache2/modules/mod_tierslieux.so",
                 "etc/apache2/mods-available/tierslieux.load",
                 "etc/apache2/conf-available/tierslieux.conf",
                 "etc/cron.d/tierslieux",
                 f"{SHARE}/templates/static/tierslieux.css",
                 f"{SHARE}/templates/fr/catalogue.html",
                 f"{SHARE}/sql/logic/ORDER",
                 "usr/share/doc/libapache2-mod-tierslieux/copyright"]:
        assert path in files, path
    # Every template and SQL file of the checkout, and nothing of libtool's.
    for sub in ["templates/fr", "templates/static", "sql/schema", "sql/logic"]:
        ours = {os.path.relpath(os.path.join(d, n), os.path.join(ROOT, sub))
                for d, _, names in os.walk(os.path.join(ROOT, sub)) for n in names}
        theirs = {os.path.relpath(os.path.join(d, n), os.path.join(unpacked, SHARE, sub))
                  for d, _, names in os.walk(os.path.join(unpacked, SHARE, sub)) for n in names}
        assert ours and theirs == ours, sub
    assert not [f for f in files if f.endswith(".la")]
    # The module's default TiersLieuxTemplates is where the package puts them,
    # and its default TiersLieuxImageHelper where the package puts the helper.
    with open(os.path.join(unpacked, "usr/lib/apache2/modules/mod_tierslieux.so"), "rb") as f:
        module = f.read()
    assert b"/usr/share/mod_tierslieux/templates\0" in module
    assert f"/{HELPER}\0".encode() in module
    # The image helper: a program, not a command for people (no manual page).
    assert HELPER in files
    assert os.access(os.path.join(unpacked, HELPER), os.X_OK)
    with open(os.path.join(unpacked, HELPER), "rb") as f:
        assert f.read(4) == b"\x7fELF"


def test_every_command_is_installed_with_its_manual_page(unpacked):
    files = listing(unpacked)
    commands = {"usr/bin/tierslieux-courriels": 1, "usr/sbin/tierslieux-migrer": 8,
                "usr/sbin/tierslieux-retention": 8, "usr/sbin/tierslieux-sauvegarde": 8,
                "usr/sbin/tierslieux-restauration": 8}
    installed = {f for f in files if re.match(r"usr/s?bin/", f)}
    assert installed == set(commands)
    for path, section in commands.items():
        assert os.access(os.path.join(unpacked, path), os.X_OK), path
        name = os.path.basename(path)
        assert f"usr/share/man/man{section}/{name}.{section}.gz" in files, name
    # The reminder sender is the C program; the others are the checkout's scripts.
    with open(os.path.join(unpacked, "usr/bin/tierslieux-courriels"), "rb") as f:
        assert f.read(4) == b"\x7fELF"
    for name, source in [("tierslieux-migrer", "script/migrate"), ("tierslieux-retention", "script/retention"),
                         ("tierslieux-sauvegarde", "tools/tierslieux-sauvegarde"),
                         ("tierslieux-restauration", "tools/tierslieux-restauration")]:
        assert read(unpacked, f"usr/sbin/{name}") == read(ROOT, source), name


def test_the_load_file_and_the_configuration_come_from_conf_tierslieux_conf(unpacked):
    example = read(ROOT, "conf/tierslieux.conf")
    loaded = re.findall(r"^LoadModule (\S+) (\S+)$", example, flags=re.M)
    load = load_file(unpacked)
    # a2enmod tierslieux loads every module the example loads, the module last.
    assert load["load"] == ["LoadModule tierslieux_module /usr/lib/apache2/modules/mod_tierslieux.so"]
    assert sorted(load["depends"]) == sorted(re.sub(r"_module$", "", m) for m, _ in loaded
                                             if m != "tierslieux_module")
    for dep in load["depends"]:
        assert os.path.exists(f"/etc/apache2/mods-available/{dep}.load"), dep
    conf = read(unpacked, "etc/apache2/conf-available/tierslieux.conf")
    assert not re.search(r"^\s*LoadModule", conf, flags=re.M)
    # The rest is the example's, line for line, but its demo layout block,
    # whose file a site does not have, left as comments.
    body = [line for line in example.splitlines() if not line.startswith("LoadModule ")]
    for line in body:
        if line.strip() and not line.startswith("#"):
            assert line in conf.splitlines() or f"# {line}" in conf.splitlines(), line
    assert re.search(r'^# <Location "/mairie/partage">$', conf, flags=re.M)
    assert not re.search(r"^\s*TiersLieuxLayout", conf, flags=re.M)
    assert re.search(r"^TiersLieuxSecretFile /etc/apache2/tierslieux.secret$", conf, flags=re.M)
    assert re.search(r'^TiersLieuxTemplates "/usr/share/mod_tierslieux/templates"$', conf, flags=re.M)


def test_the_cron_file_runs_the_installed_commands_once_uncommented(unpacked):
    cron = read(unpacked, "etc/cron.d/tierslieux")
    # Shipped commented out: the database, the roles and the sender come first.
    assert not [line for line in cron.splitlines() if line.strip() and not line.startswith("#")]
    jobs = [line[2:] for line in cron.splitlines() if re.match(r"^# [0-9*]", line)]
    commands = sorted(job.split()[6] for job in jobs)
    assert commands == ["/usr/bin/tierslieux-courriels", "/usr/sbin/tierslieux-retention",
                        "/usr/sbin/tierslieux-sauvegarde"]
    for command in commands:
        assert os.path.exists(os.path.join(unpacked, command.lstrip("/"))), command
    # The same schedule as the checkout's example.
    example = read(ROOT, "conf/tierslieux-courriels.cron")
    assert sorted(j.split()[:6] for j in jobs) == sorted(
        line.split()[:6] for line in example.splitlines() if line.strip() and not line.startswith("#"))


def test_postinst_makes_the_secret_once_before_enabling_the_module(deb, tmp_path):
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", deb, str(control)], check=True)
    postinst = (control / "postinst").read_text(encoding="utf-8")
    ours, _, helper = postinst.partition("# Automatically added by dh_apache2")
    assert re.search(r"for conf in tierslieux *; do\s+apache2_invoke enmod ", helper)
    assert re.search(r"for conf in tierslieux *; do\s+apache2_invoke enconf ", helper)
    assert "/etc/apache2/tierslieux.secret" in ours
    # Our part alone, with the secret's path in the test's folder.
    secret = tmp_path / "tierslieux.secret"
    script = tmp_path / "postinst-ours"
    script.write_text(ours.replace("/etc/apache2/tierslieux.secret", str(secret)) + "\nexit 0\n")
    subprocess.run(["sh", str(script), "configure"], check=True)
    first = secret.read_bytes()
    assert len(base64.b64decode(first)) == 32
    assert secret.stat().st_mode & 0o777 == 0o600
    subprocess.run(["sh", str(script), "configure"], check=True)      # an upgrade keeps it
    assert secret.read_bytes() == first
    postrm = (control / "postrm").read_text(encoding="utf-8")
    assert re.search(r'purge.*\n.*rm -f /etc/apache2/tierslieux.secret', postrm)


# ---- the files at work ---------------------------------------------------------

def dbd_params(servers):
    with open(os.path.join(os.path.realpath(servers.pg), "web-password"), encoding="utf-8") as f:
        password = f.read().strip()
    return (f"host=127.0.0.1 port={servers.pg_port} dbname=tierslieux user=tierslieux_web "
            f"password={password} connect_timeout=2 gssencmode=disable")


def module_loads(unpacked):
    """The LoadModule lines a2enmod tierslieux would enable, in the order
    httpd reads mods-enabled (by name): the host's own .load files for the
    modules it depends on, dependencies of dependencies included, and
    authz_core, which a stock Debian httpd enables."""
    wanted, todo = {}, ["authz_core", *load_file(unpacked)["depends"]]
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        text = read("/", f"etc/apache2/mods-available/{name}.load")
        wanted[name] = re.findall(r"^LoadModule .*$", text, flags=re.M)
        depends = re.search(r"^# Depends:(.*)$", text, flags=re.M)
        todo += depends.group(1).split() if depends else []
    ours = load_file(unpacked)["load"][0].replace(
        "/usr/lib/apache2/modules/", os.path.join(unpacked, "usr/lib/apache2/modules") + "/")
    wanted["tierslieux"] = [ours]
    return [line for name in sorted(wanted) for line in wanted[name]]


@pytest.fixture(scope="module")
def package_httpd(servers, unpacked):
    run = os.path.join(os.path.dirname(unpacked), "httpd")
    os.makedirs(os.path.join(run, "logs"))
    os.chmod(run, 0o755)
    secret = os.path.join(run, "tierslieux.secret")
    with open(os.open(secret, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(base64.b64encode(os.urandom(32)).decode() + "\n")
    conf = read(unpacked, "etc/apache2/conf-available/tierslieux.conf")
    replaced = {
        r"^DBDParams .*$": f'DBDParams "{dbd_params(servers)}"',
        r"^TiersLieuxSecretFile .*$": f'TiersLieuxSecretFile "{secret}"',
        r'^TiersLieuxTemplates "/usr/share/mod_tierslieux/templates"$':
            f'TiersLieuxTemplates "{os.path.join(unpacked, SHARE, "templates")}"',
    }
    for pattern, line in replaced.items():
        conf, n = re.subn(pattern, lambda _: line, conf, flags=re.M)
        assert n == 1, pattern
    with open(os.path.join(run, "tierslieux.conf"), "w", encoding="utf-8") as f:
        f.write(conf)
    port = free_port()
    loads = "\n".join(module_loads(unpacked))
    user = "User www-data\nGroup www-data\n" if os.getuid() == 0 else ""
    with open(os.path.join(run, "httpd.conf"), "w", encoding="utf-8") as f:
        f.write(f"""ServerRoot "{run}"
Listen 127.0.0.1:{port}
ServerName 127.0.0.1:{port}
PidFile "{run}/httpd.pid"
DefaultRuntimeDir "{run}"
ErrorLog "{run}/logs/error.log"
LogLevel warn
{user}LoadModule mpm_event_module {MODULES}/mod_mpm_event.so
{loads}
Include "{run}/tierslieux.conf"
""")
    httpd = os.environ.get("TL_HTTPD", "/usr/sbin/apache2")
    started = subprocess.run([httpd, "-d", run, "-f", os.path.join(run, "httpd.conf"), "-k", "start"],
                             capture_output=True, text=True)
    log = os.path.join(run, "logs", "error.log")
    assert started.returncode == 0, started.stderr + (open(log).read() if os.path.exists(log) else "")
    pidfile = os.path.join(run, "httpd.pid")
    assert wait_for(lambda: os.path.exists(pidfile) and os.path.getsize(pidfile) > 0, timeout=10)
    with open(pidfile) as f:
        pid = int(f.read())
    yield {"base": f"http://127.0.0.1:{port}", "log": log}
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not os.path.exists(pidfile), timeout=10, step=0.05)


def warnings_in(log):
    with open(log, encoding="utf-8", errors="replace") as f:
        return [line for line in f.read().splitlines() if LOG_LEVEL.match(line)]


def test_the_unpacked_package_serves_the_catalogue(servers, unpacked, package_httpd):
    base = package_httpd["base"]
    home = requests.get(base + "/tierslieux/", timeout=10, allow_redirects=False)
    assert home.status_code == 200, home.text[:500]
    assert home.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Réseau des lieux partagés de Saint-Aubin" in home.text
    places = [name for (name,) in servers.sql("SELECT name FROM tl.place")]
    assert places and all(name in BeautifulSoup(home.text, "html.parser").get_text() for name in places)
    catalogue = requests.get(base + "/tierslieux/outils", timeout=10, allow_redirects=False)
    assert catalogue.status_code == 200, catalogue.text[:500]
    soup = BeautifulSoup(catalogue.text, "html.parser")
    assert soup.h1.get_text() == "Outilthèque : le catalogue"
    total = servers.sql("SELECT count(*) FROM tl.item WHERE retired_at IS NULL")[0][0]
    assert total >= 60 and f"{total} objets trouvés" in soup.get_text()
    shown = [a.get_text() for a in soup.select(".tl-card h3 a")]
    names = {name for (name,) in servers.sql("SELECT title FROM tl.item WHERE retired_at IS NULL")}
    assert len(shown) == 30 and set(shown) <= names
    # The stylesheet is the package's file, byte for byte.
    css = requests.get(base + "/tierslieux/static/tierslieux.css", timeout=10)
    assert css.status_code == 200
    with open(os.path.join(unpacked, SHARE, "templates/static/tierslieux.css"), "rb") as f:
        assert css.content == f.read()
    assert warnings_in(package_httpd["log"]) == []


def test_the_unpacked_migration_command_builds_a_new_database(servers, unpacked):
    pg = os.path.realpath(servers.pg)
    admin = psycopg2.connect(host=pg, port=servers.pg_port, user="postgres", dbname="postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS tierslieux_paquet WITH (FORCE)")
            cur.execute("CREATE DATABASE tierslieux_paquet OWNER tierslieux")
        migrate = [os.path.join(unpacked, "usr/sbin/tierslieux-migrer"), "-h", pg, "-p", str(servers.pg_port),
                   "-U", "tierslieux", "-d", "tierslieux_paquet"]
        first = subprocess.run(migrate, capture_output=True, text=True)
        assert first.returncode == 0, first.stderr
        migrations = sorted(os.path.basename(f)[:-4]
                            for f in glob.glob(os.path.join(unpacked, SHARE, "sql/schema/*.sql")))
        assert re.findall(r"^migration (\S+)$", first.stdout, flags=re.M) == migrations
        again = subprocess.run(migrate, capture_output=True, text=True)
        assert again.returncode == 0 and "migration" not in again.stdout, again.stdout + again.stderr

        def schema(dbname):
            conn = psycopg2.connect(host=pg, port=servers.pg_port, user="tierslieux", dbname=dbname)
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT version FROM public.tierslieux_migration ORDER BY 1")
                    versions = [v for (v,) in cur.fetchall()]
                    cur.execute("SELECT c.relname, c.relkind FROM pg_class c WHERE c.relnamespace = 'tl'::regnamespace "
                                "AND c.relkind IN ('r', 'v', 'p') ORDER BY 1")
                    relations = cur.fetchall()
                    cur.execute("SELECT p.oid::regprocedure::text FROM pg_proc p "
                                "WHERE p.pronamespace = 'tl'::regnamespace ORDER BY 1")
                    routines = [r for (r,) in cur.fetchall()]
                return versions, relations, routines
            finally:
                conn.close()

        # The same schema as the demo's, which script/migrate built from the checkout.
        versions, relations, routines = schema("tierslieux_paquet")
        assert versions == migrations and len(relations) > 40 and len(routines) > 100
        assert (versions, relations, routines) == schema("tierslieux")
        # The retention job, installed, runs on it.
        retention = subprocess.run([os.path.join(unpacked, "usr/sbin/tierslieux-retention"), "-h", pg,
                                    "-p", str(servers.pg_port), "-U", "tierslieux", "-d", "tierslieux_paquet"],
                                   capture_output=True, text=True)
        assert retention.returncode == 0, retention.stderr
        assert retention.stdout.startswith("anonymised bookings: 0 deleted members: 0")
    finally:
        with admin.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS tierslieux_paquet WITH (FORCE)")
        admin.close()


def test_the_unpacked_reminder_sender_reads_the_queue(servers, unpacked):
    pg = os.path.realpath(servers.pg)
    sent = subprocess.run([os.path.join(unpacked, "usr/bin/tierslieux-courriels"), "-n",
                           "-d", f"host={pg} port={servers.pg_port} dbname=tierslieux user=tierslieux"],
                          capture_output=True, text=True)
    assert sent.returncode == 0, sent.stderr
    # A dry run: the messages due, printed, and nothing sent nor queued.
    would = re.search(r"^dry run: would send (\d+)$", sent.stdout, flags=re.M)
    assert would, sent.stdout[-500:]
    assert int(would.group(1)) == len(re.findall(r"^-- message \d+$", sent.stdout, flags=re.M))
