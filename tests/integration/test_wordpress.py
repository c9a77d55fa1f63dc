"""A real oEmbed consumer: Debian's WordPress, bootstrapped from PHP's
command line on a private MariaDB, embeds a catalogue search with its own
wp_oembed_get — it finds our discovery link, asks our endpoint and filters
the answer as it does for any provider it was not told about (a sandboxed
iframe with a secret, the view our script speaks to).

MariaDB runs from a temporary folder on a unix socket, no network, as
nobody when the tests run as root; WordPress reads no /etc/wordpress (the
test defines its configuration). A must-use plugin, written for the test
alone, lets WordPress fetch from the loopback address and our port."""
import json
import os
import shutil
import subprocess
import tempfile
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT

HERE = os.path.join(ROOT, "tests", "integration", "wordpress")
WORDPRESS = "/usr/share/wordpress/wp-settings.php"
MARIADBD = "/usr/sbin/mariadbd"


def need(path, package):
    assert os.path.exists(path), f"{path} is missing: install {package} (script/test does, TL_TEST_PACKAGES)"


@pytest.fixture(scope="module")
def wordpress(servers):
    need(WORDPRESS, "wordpress")
    need(MARIADBD, "mariadb-server-core")
    need("/usr/bin/mariadb-install-db", "mariadb-server-core")
    php = shutil.which("php")
    assert php, "php is missing: install php-cli (script/test does, TL_TEST_PACKAGES)"
    top = tempfile.mkdtemp(prefix="tierslieux-wordpress-")
    os.chmod(top, 0o755)
    data, run, content = (os.path.join(top, d) for d in ("data", "run", "content"))
    os.makedirs(run)
    os.makedirs(os.path.join(content, "mu-plugins"))
    shutil.copy(os.path.join(HERE, "loopback.php"), os.path.join(content, "mu-plugins"))
    as_user = ["--user=nobody"] if os.geteuid() == 0 else []       # mariadbd runs as root only when told
    if as_user:
        shutil.chown(run, "nobody")
    p = subprocess.run(["/usr/bin/mariadb-install-db", "--no-defaults", f"--datadir={data}", *as_user,
                        "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    socket = os.path.join(run, "mysql.sock")
    server = subprocess.Popen([MARIADBD, "--no-defaults", f"--datadir={data}", f"--socket={socket}",
                               "--skip-networking", *as_user, f"--pid-file={run}/mariadb.pid",
                               f"--log-error={run}/mariadb.err", "--innodb-buffer-pool-size=16M",
                               "--skip-log-bin"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not os.path.exists(socket):
            assert server.poll() is None and time.monotonic() < deadline, open(f"{run}/mariadb.err").read()
            time.sleep(0.1)
        p = subprocess.run(["mariadb", "--no-defaults", "-S", socket, "-u", "root", "-e",
                            "CREATE DATABASE wordpress CHARACTER SET utf8mb4"], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr

        def consumer(*args, port=servers.port):
            env = dict(os.environ, TL_TEST_PORT=str(port))
            p = subprocess.run([php, os.path.join(HERE, "consumer.php"), *args[:1], socket, content, *args[1:]],
                               capture_output=True, text=True, timeout=60, env=env, cwd=top)
            assert p.returncode == 0, p.stdout + p.stderr
            return json.loads(p.stdout.strip().splitlines()[-1])

        assert consumer("install") == {"installed": True}
        yield consumer
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(top, ignore_errors=True)


def test_wordpress_embeds_a_catalogue_search(servers, wordpress):
    url = servers.url("/tierslieux/outils?q=perceuse")
    out = wordpress("embed", url)
    assert out["mu_plugin"] is True
    frames = BeautifulSoup(out["html"], "html.parser").find_all("iframe")
    assert len(frames) == 1, out["html"]
    frame = frames[0]
    # WordPress's own treatment of a discovered provider: sandboxed, with
    # the secret its wp-embed.js and our script share.
    assert frame["class"] == ["wp-embedded-content"] and frame.get_attribute_list("sandbox") == ["allow-scripts"]
    secret = frame["data-secret"]
    assert secret.isalnum() and len(secret) == 10
    src = urlsplit(frame["src"])
    assert f"{src.scheme}://{src.netloc}{src.path}" == servers.url("/tierslieux/outils")
    assert parse_qs(src.query) == {"q": ["perceuse"], "vue": ["integree"]}
    assert src.fragment == "?secret=" + secret
    assert frame["title"] == "Recherche « perceuse » — Outilthèque"
    assert int(frame["height"]) == 600 and 0 < int(frame["width"]) <= 640
    # What the frame opens is the embed view of that search.
    r = servers.get(f"{src.path}?{src.query}")
    assert r.status_code == 200 and "integree.js" in r.text and "Perceuse" in r.text


def test_wordpress_embeds_nothing_that_is_not_ours_to_frame(servers, wordpress):
    # A page that is not embeddable names no endpoint: WordPress finds none.
    assert wordpress("embed", servers.url("/tierslieux/lieux"))["html"] is False
    # Without the test's allowance WordPress refuses our port: the fetch
    # above was real.
    assert wordpress("embed", servers.url("/tierslieux/outils?q=scie"), port=1)["html"] is False
