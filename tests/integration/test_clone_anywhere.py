"""The README's commands work from a clone anywhere: here a clone inside a
private folder (mode 700, as root's home on every Debian) whose path holds
spaces and accents. PostgreSQL and httpd's children run under their own
accounts and cannot enter it; script/server must serve the demo all the
same, changing no permission outside the clone.

The clone is built from scratch (a few minutes on two cores): one build,
one test."""
import os
import shutil
import stat
import subprocess

import pytest
import requests
from bs4 import BeautifulSoup

from conftest import LOG_LEVEL, ROOT, free_port


# This file uses none of the suite's shared servers: the conftest's autouse
# fixtures that start, reset or watch them are replaced by no-ops here (the
# test checks its own httpd's log instead).
@pytest.fixture(scope="module", autouse=True)
def fresh_demo():
    yield


@pytest.fixture(autouse=True)
def clean_error_log():
    yield


def git(*args, cwd=ROOT):
    return subprocess.run(["git", "-c", "safe.directory=*", *args], cwd=cwd, check=True,
                          capture_output=True).stdout


def clone_with_working_tree(dest):
    """A clone of the checkout, then its working tree laid over it: what is
    committed, plus what would be with `git add -A`. In CI everything is
    committed and the overlay changes nothing; locally it lets the test see
    uncommitted work. Ignored files (the build, .run) are never copied."""
    git("clone", "--quiet", "--no-hardlinks", ROOT, str(dest))
    for name in git("ls-files", "-z", "--cached", "--others", "--exclude-standard").decode().split("\0"):
        src = os.path.join(ROOT, name)
        if not name or not os.path.lexists(src) or os.path.isdir(src):
            continue
        target = os.path.join(dest, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.lexists(target):
            os.remove(target)
        shutil.copy2(src, target, follow_symlinks=False)
    for name in git("ls-files", "-z", "--deleted").decode().split("\0"):
        if name and os.path.lexists(os.path.join(dest, name)):
            os.remove(os.path.join(dest, name))


def links_out_of(folder):
    """The folders outside `folder` that links inside it point to (the
    servers' folders in /var/tmp)."""
    found = []
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(top, name)
            if os.path.islink(path):
                target = os.path.realpath(path)
                if not target.startswith(os.path.realpath(folder) + os.sep):
                    found.append(target)
    return sorted(found)


def test_script_server_serves_the_demo_from_a_private_folder_with_spaces(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("script/server starts PostgreSQL and httpd under their accounts: root only")
    private = tmp_path / "dossier privé"
    private.mkdir()
    os.chmod(private, 0o700)
    clone = private / "mon clone"
    env = {k: v for k, v in os.environ.items() if k not in ("TL_RUN_DIR", "TL_PYTEST_RUN")}
    port = free_port()
    env.update(TL_PORT=str(port), TL_PG_PORT=str(free_port()), TL_PG_FSYNC="off")
    outside = []

    def server(*args, timeout=60):
        p = subprocess.run(["script/server", *args], cwd=clone, env=env, capture_output=True,
                           text=True, timeout=timeout)
        assert p.returncode == 0, f"script/server {' '.join(args)}:\n{p.stdout}{p.stderr}"
        return p

    def get(path):
        r = requests.get(f"http://127.0.0.1:{port}{path}", timeout=10, allow_redirects=False)
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        return r

    try:
        clone_with_working_tree(clone)
        server("--background", timeout=900)                  # builds, then starts both servers
        outside = links_out_of(clone)
        assert outside and all(t.startswith("/var/tmp/tierslieux-") for t in outside), outside

        # The demo site (DocumentRoot), a static page with a server-side include.
        assert BeautifulSoup(get("/").text, "html.parser").h1.get_text() == "Démonstration de mod_tierslieux"
        soup = BeautifulSoup(get("/exemple-inclusion.shtml").text, "html.parser")
        assert soup.h1.get_text() == "Jardiner à Saint-Aubin"
        assert soup.select(".tl-card")                       # the included fragment, with its tools
        # The module's pages, with its own layout and with the town hall's.
        soup = BeautifulSoup(get("/tierslieux/").text, "html.parser")
        assert soup.select(".tl-card")
        css = soup.select_one('link[rel="stylesheet"]')["href"]
        assert len(BeautifulSoup(get("/tierslieux/outils").text, "html.parser").select(".tl-card")) >= 3
        page = get("/mairie/partage/outils").text
        assert "Ville de Saint-Aubin-sur-Loire" in page and "tl-card" in page
        # A static asset.
        r = get(css)
        assert r.headers["Content-Type"].startswith("text/css") and "@layer tierslieux" in r.text

        # Started again, it reuses its folders outside the clone.
        server("--background")
        assert links_out_of(clone) == outside
        assert "tl-card" in get("/tierslieux/outils").text

        log = clone / ".run" / "demo" / "httpd" / "logs" / "error.log"
        problems = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                    if LOG_LEVEL.match(line)]
        assert not problems, "\n".join(problems)
        # Nothing outside the clone was opened up.
        assert stat.S_IMODE(os.stat(private).st_mode) == 0o700
    finally:
        if (clone / "script" / "server").exists():
            subprocess.run(["script/server", "stop"], cwd=clone, env=env, capture_output=True, timeout=120)
        for target in outside + (links_out_of(clone) if clone.exists() else []):
            shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)
