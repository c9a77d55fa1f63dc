"""SQL kept by area (sql/schema: numbered, frozen structure; sql/logic: the
current form of every function, view, trigger and right, re-applied by
script/migrate). Nothing is defined twice; a database built from the
baseline and one upgraded from a database the old dated migrations built
(001_foundation to 031_erasure) have the same schema; applying the logic
again changes nothing.

data/before_squash.sql.gz is what pg_dump wrote of a database the 30 dated
migrations of commit f029adf built (its schema, its reference rows and the
30 rows recording them): the demo cluster of anyone who ran script/server
before the squash. It stands in for git history, which a shallow clone
lacks."""
import difflib
import gzip
import os
import re
import subprocess

import psycopg2
import pytest

from conftest import ROOT

BEFORE_SQUASH = os.path.join(os.path.dirname(__file__), "data", "before_squash.sql.gz")
# The only functions sql/schema may define: CHECK constraints call them.
SCHEMA_HELPERS = {"tl.is_time_zone", "tl.mail_address_ok"}
DEFINITION = re.compile(r"^[ \t]*CREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|VIEW|MATERIALIZED\s+VIEW)\s+([\w.\"]+)",
                        re.I | re.M)


def sql_files():
    for folder, _, names in os.walk(os.path.join(ROOT, "sql")):
        for name in sorted(names):
            if name.endswith(".sql"):
                yield os.path.relpath(os.path.join(folder, name), ROOT)


def definitions():
    """(kind, name, file) of every function and view defined in sql/."""
    found = []
    for rel in sql_files():
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            for kind, name in DEFINITION.findall(f.read()):
                found.append((re.sub(r"\s+", " ", kind.upper()), name.lower(), rel))
    return found


def test_no_function_or_view_is_defined_twice():
    seen = {}
    for kind, name, rel in definitions():
        seen.setdefault(name, []).append(rel)
    twice = {name: files for name, files in seen.items() if len(files) > 1}
    assert twice == {}
    assert len(seen) > 200      # the parser finds the definitions


def test_schema_files_define_only_the_constraint_helpers():
    in_schema = {name for kind, name, rel in definitions()
                 if rel.startswith("sql/schema/") and kind == "FUNCTION"}
    assert in_schema == SCHEMA_HELPERS


def test_every_function_and_view_of_the_database_is_in_one_file(servers):
    """What script/migrate left in the database is exactly what sql/ declares:
    nothing lingers from elsewhere, nothing declared is missing."""
    declared = {name for _, name, _ in definitions() if name.startswith("tl.")}
    present = {n for (n,) in servers.sql("""
        SELECT 'tl.' || proname FROM pg_proc WHERE pronamespace = 'tl'::regnamespace
        UNION ALL
        SELECT 'tl.' || relname FROM pg_class WHERE relnamespace = 'tl'::regnamespace AND relkind IN ('v', 'm')""")}
    assert present == declared


def test_the_logic_order_names_every_area_file_once():
    logic = os.path.join(ROOT, "sql", "logic")
    with open(os.path.join(logic, "ORDER"), encoding="utf-8") as f:
        order = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    assert len(order) == len(set(order))
    assert sorted(order) == sorted(n[:-4] for n in os.listdir(logic) if n.endswith(".sql"))


# ---- databases built three ways ------------------------------------------------

def admin(servers):
    conn = psycopg2.connect(host=os.path.realpath(servers.pg), port=servers.pg_port, user="postgres",
                            dbname="postgres")
    conn.autocommit = True
    return conn


def conn_args(servers, dbname):
    return ["-h", os.path.realpath(servers.pg), "-p", str(servers.pg_port), "-U", "tierslieux", "-d", dbname]


def migrate(servers, dbname, check=True):
    return subprocess.run([os.path.join(ROOT, "script", "migrate"), *conn_args(servers, dbname)],
                          capture_output=True, text=True, check=check)


def recorded(servers, dbname):
    conn = psycopg2.connect(host=os.path.realpath(servers.pg), port=servers.pg_port, user="tierslieux", dbname=dbname)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT version FROM public.tierslieux_migration ORDER BY version")
            return [v for (v,) in cur.fetchall()]
    finally:
        conn.close()


def schema_dump(servers, dbname):
    out = subprocess.run(["pg_dump", "--schema-only", "-h", os.path.realpath(servers.pg), "-p", str(servers.pg_port),
                          "-U", "postgres", "-d", dbname], capture_output=True, text=True, check=True).stdout
    # The dump's date and versions, and the random key of its \restrict
    # guard, differ from one run to the next.
    return [line for line in out.splitlines()
            if not line.startswith(("-- Dumped ", "\\restrict ", "\\unrestrict "))]


def assert_same(a, b, what):
    diff = list(difflib.unified_diff(a, b, lineterm="", n=2))
    assert not diff, what + ":\n" + "\n".join(diff[:80])


def restore_before_squash(servers, dbname, keep_versions=None):
    """A database as the dated migrations left it; keep_versions, when
    given, keeps only that many of the rows recording them (a cluster
    whose history stopped part way)."""
    with gzip.open(BEFORE_SQUASH, "rt", encoding="utf-8") as f:
        dump = f.read()
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-h",
                    os.path.realpath(servers.pg), "-p", str(servers.pg_port), "-U", "postgres", "-d", dbname],
                   input=dump, capture_output=True, text=True, check=True)
    if keep_versions is not None:
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *conn_args(servers, dbname), "-c",
                        "DELETE FROM public.tierslieux_migration WHERE version NOT IN "
                        f"(SELECT version FROM public.tierslieux_migration ORDER BY version LIMIT {keep_versions})"],
                       capture_output=True, text=True, check=True)


@pytest.fixture(scope="module")
def databases(servers):
    names = ["tl_layout_fresh", "tl_layout_upgraded", "tl_layout_partial"]
    conn = admin(servers)
    with conn.cursor() as cur:
        for name in names:
            cur.execute(f"DROP DATABASE IF EXISTS {name}")
            cur.execute(f"CREATE DATABASE {name} OWNER tierslieux")
    yield names
    with conn.cursor() as cur:
        for name in names:
            cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    conn.close()


def test_a_fresh_and_an_upgraded_database_have_the_same_schema_and_logic_applies_twice_alike(servers, databases):
    fresh, upgraded = databases[:2]
    migrate(servers, fresh)
    restore_before_squash(servers, upgraded)
    assert len(recorded(servers, upgraded)) == 30
    out = migrate(servers, upgraded)
    assert "001_baseline" in out.stdout
    numbered = sorted(n[:-4] for n in os.listdir(os.path.join(ROOT, "sql", "schema")) if n.endswith(".sql"))
    assert numbered[0] == "001_baseline"
    assert recorded(servers, fresh) == numbered
    assert recorded(servers, upgraded)[0] == "001_baseline" and len(recorded(servers, upgraded)) == 30 + len(numbered)
    assert set(numbered) <= set(recorded(servers, upgraded))
    first = schema_dump(servers, fresh)
    assert len(first) > 5000
    assert_same(first, schema_dump(servers, upgraded), "fresh (baseline + logic) and upgraded (001..031 + logic) differ")
    out = migrate(servers, fresh)
    assert out.stdout == "" and out.stderr == ""
    assert_same(first, schema_dump(servers, fresh), "applying the logic a second time changed the schema")
    out = migrate(servers, upgraded)
    assert out.stdout == "" and out.stderr == ""
    assert_same(first, schema_dump(servers, upgraded), "migrating the upgraded database again changed it")


def test_a_database_with_part_of_the_old_history_is_refused_and_left_alone(servers, databases):
    partial = databases[2]
    restore_before_squash(servers, partial, keep_versions=17)
    before = schema_dump(servers, partial)
    out = migrate(servers, partial, check=False)
    assert out.returncode == 3
    assert "018_member_accounts" in out.stderr and "refaites-la" in out.stderr
    assert_same(before, schema_dump(servers, partial), "a refused upgrade changed the database")
