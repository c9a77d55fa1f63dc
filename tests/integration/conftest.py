"""Integration tests: a real PostgreSQL cluster and a real httpd loading the
freshly built module, both started by script/cluster in an ignored folder.

Every test fails when the httpd error log gains a warning or an error it did
not announce with the `expect_log` fixture (by tag: TLX…, AH…)."""
import os
import re
import shutil
import socket
import subprocess
import time

import psycopg2
import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUN = os.path.join(ROOT, ".run", "pytest")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cluster(*args, check=True):
    return subprocess.run([os.path.join(ROOT, "script", "cluster"), *args], check=check,
                          capture_output=True, text=True)


class Servers:
    def __init__(self):
        self.pg = os.path.join(RUN, "pg")
        self.web = os.path.join(RUN, "httpd")
        self.pg_port = free_port()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.error_log = os.path.join(self.web, "logs", "error.log")

    def url(self, path):
        return self.base + path

    def get(self, path, **kw):
        kw.setdefault("timeout", 10)
        kw.setdefault("allow_redirects", False)
        return requests.get(self.url(path), **kw)

    def raw_get(self, path):
        """GET with the path sent byte for byte (requests would repair a
        broken % escape before sending it)."""
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def db(self):
        """A connection as the owner role, over the cluster's private socket."""
        conn = psycopg2.connect(host=os.path.realpath(self.pg), port=self.pg_port,
                                user="tierslieux", dbname="tierslieux")
        conn.autocommit = True
        return conn

    def sql(self, query, params=None):
        with self.db() as conn, conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else None

    def start_httpd(self):
        cluster("httpd-conf", self.web, str(self.port), self.pg)
        cluster("httpd-start", self.web)

    def stop_httpd(self):
        cluster("httpd-stop", self.web)

    def restart_httpd(self):
        self.stop_httpd()
        self.start_httpd()

    def log_size(self):
        try:
            return os.path.getsize(self.error_log)
        except OSError:
            return 0

    def log_since(self, offset):
        with open(self.error_log, encoding="utf-8", errors="replace") as f:
            f.seek(offset)
            return f.read()


@pytest.fixture(scope="session")
def servers():
    shutil.rmtree(RUN, ignore_errors=True)
    os.makedirs(RUN)
    s = Servers()
    os.environ["TL_PG_FSYNC"] = "off"
    cluster("pg-init", s.pg, str(s.pg_port))
    cluster("pg-demo", s.pg)
    s.start_httpd()
    yield s
    s.stop_httpd()
    cluster("pg-stop", s.pg, check=False)


# Lines httpd writes at notice level and below are not problems; anything
# at warn or above must be expected by the test that causes it.
LOG_LEVEL = re.compile(r"^\[[^\]]+\] \[[^:\]]+:(warn|error|crit|alert|emerg)\]")


@pytest.fixture
def expect_log():
    expected = []
    return expected


@pytest.fixture(autouse=True)
def clean_error_log(request, servers, expect_log):
    start = servers.log_size()
    yield
    unexpected = []
    for line in servers.log_since(start).splitlines():
        if LOG_LEVEL.match(line) and not any(tag in line for tag in expect_log):
            unexpected.append(line)
    assert not unexpected, "unexpected lines in the error log:\n" + "\n".join(unexpected)


@pytest.fixture
def db(servers):
    conn = servers.db()
    yield conn
    conn.close()


def wait_for(predicate, timeout=15.0, step=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False
