"""The database goes away and comes back; configuration mistakes are caught
at startup with a clear message."""
import os
import subprocess

from bs4 import BeautifulSoup

from conftest import ROOT, RUN, cluster, wait_for


def test_database_down_is_a_503_page_then_the_site_comes_back(servers, expect_log):
    # mod_dbd reports the lost connections in its own words ([dbd:error]).
    expect_log += ["TLX0201", "TLX0203", "TLX0204", "[dbd:"]
    assert servers.get("/tierslieux/outils").status_code == 200
    cluster("pg-stop", servers.pg)
    try:
        for path in ("/tierslieux/outils", "/tierslieux/outils/1", "/tierslieux/graines", "/tierslieux/"):
            r = servers.get(path)
            assert r.status_code == 503, path
            soup = BeautifulSoup(r.text, "html.parser")
            assert soup.h1.get_text() == "Service momentanément indisponible"
            assert "base de données" in soup.get_text()
            assert r.headers["Retry-After"] == "30"
        css = servers.get("/tierslieux/static/tierslieux.css?v=1")
        assert css.status_code == 200                     # needs no database
    finally:
        cluster("pg-start", servers.pg)
    # Pooled connections were cut by the restart: the module reconnects.
    assert wait_for(lambda: servers.get("/tierslieux/outils").status_code == 200)
    for _ in range(20):
        assert servers.get("/tierslieux/outils/1").status_code == 200


def httpd_refuses(servers, name, conf_lines, expected):
    """Starts a second httpd with the demo configuration plus conf_lines
    and checks it refuses to start, saying expected."""
    run = os.path.join(RUN, name)
    os.makedirs(os.path.join(run, "logs"), exist_ok=True)
    cluster("httpd-conf", run, "1", servers.pg)
    with open(os.path.join(run, "tierslieux.conf"), encoding="utf-8") as f:
        conf = f.read()
    for old, new in conf_lines:
        conf = conf.replace(old, new)
    with open(os.path.join(run, "tierslieux.conf"), "w", encoding="utf-8") as f:
        f.write(conf)
    p = subprocess.run(["/usr/sbin/apache2", "-d", run, "-f", os.path.join(run, "httpd.conf"), "-t"],
                       capture_output=True, text=True)
    out = p.stdout + p.stderr
    if p.returncode == 0:                 # caught at startup, after the syntax check
        p = subprocess.run(["/usr/sbin/apache2", "-d", run, "-f", os.path.join(run, "httpd.conf"),
                            "-D", "FOREGROUND"], capture_output=True, text=True, timeout=30)
        out = p.stdout + p.stderr
        log = os.path.join(run, "logs", "error.log")
        if os.path.exists(log):
            out += open(log, encoding="utf-8").read()
    assert p.returncode != 0, out
    assert expected in out, out


def test_startup_errors_are_clear(servers):
    httpd_refuses(servers, "sans-gabarits", [("TiersLieuxSiteName", 'TiersLieuxTemplateDir "/nulle/part"\nTiersLieuxSiteName')],
                  'TiersLieuxTemplateDir: directory "/nulle/part" does not exist')
    httpd_refuses(servers, "sans-dbd", [("LoadModule dbd_module", "#LoadModule dbd_module"),
                                        ("DBD", "#DBD")],
                  "mod_tierslieux needs mod_dbd")
    httpd_refuses(servers, "sans-repere", [("gabarit-mairie.html", "index.html")],
                  "has no element marked data-tierslieux-contenu")
    httpd_refuses(servers, "mauvais-gabarit", [("/templates\"", "/tests/integration/broken-templates\"")],
                  'layout.html:6: attribute "onclick" refused')
