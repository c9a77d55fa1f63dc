"""Who may use the desk: httpd's login form with the module's authn provider,
the tierslieux-role authz provider, and pages nobody may store."""
import os

import requests
from bs4 import BeautifulSoup

from conftest import cluster, wait_for

ACCOUNTS = {
    "benevole.mediatheque": "Grelinette-2026",
    "referente.fabrique": "Perceuse-2026",
    "admin.reseau": "Semis-2026",
    "habitant": "Graine-2026",
}


def login(servers, user, password=None):
    s = requests.Session()
    r = s.post(servers.url("/tierslieux/connexion/verifier"), allow_redirects=False, timeout=10,
               data={"httpd_username": user, "httpd_password": password or ACCOUNTS[user],
                     "httpd_location": "/tierslieux/guichet"})
    return s, r


def test_anonymous_visitors_are_sent_to_the_login_form(servers):
    r = servers.get("/tierslieux/guichet")
    assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/connexion")
    page = servers.get("/tierslieux/connexion")
    assert page.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.h1.get_text() == "Connexion au guichet"
    for field in ("identifiant", "mot-de-passe"):
        assert soup.find("label", attrs={"for": field})
    assert soup.find("input", attrs={"name": "httpd_location"})["value"] == "/tierslieux/guichet"


def test_the_login_form_never_sends_people_elsewhere(servers):
    for evil in ("https://exemple.com/", "//exemple.com/tierslieux/guichet", "/tierslieux/guichetx", "/autre"):
        soup = BeautifulSoup(servers.get("/tierslieux/connexion", params={"retour": evil}).text, "html.parser")
        assert soup.find("input", attrs={"name": "httpd_location"})["value"] == "/tierslieux/guichet", evil
    soup = BeautifulSoup(servers.get("/tierslieux/connexion", params={"retour": "/tierslieux/guichet?x=1"}).text,
                         "html.parser")
    assert soup.find("input", attrs={"name": "httpd_location"})["value"] == "/tierslieux/guichet?x=1"


def test_a_volunteer_logs_in_and_sees_the_desk(servers):
    s, r = login(servers, "benevole.mediatheque")
    assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/guichet")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Grelinette" not in cookie
    desk = s.get(servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10)
    assert desk.status_code == 200
    assert desk.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in desk.headers
    soup = BeautifulSoup(desk.text, "html.parser")
    assert "Bonjour Camille (bénévole)." in soup.get_text()
    assert [td.get_text() for td in soup.select("tbody td")] == ["Médiathèque Jules-Verne", "bénévole"]
    assert soup.find("link", rel="stylesheet")["href"].startswith("/tierslieux/static/")


def test_a_wrong_password_shows_the_form_again_with_a_message(servers, expect_log):
    expect_log += ["AH01807", "AH01808"]               # mod_auth_form: password mismatch, user not found
    s, r = login(servers, "benevole.mediatheque", "mauvais")
    assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/connexion?erreur=1")
    soup = BeautifulSoup(s.get(servers.url(r.headers["Location"]), timeout=10).text, "html.parser")
    assert "Identifiant ou mot de passe incorrect" in soup.select_one("[role=alert]").get_text()
    assert s.get(servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10).status_code == 302
    _, r = login(servers, "personne.inconnue", "x")
    assert r.headers["Location"].endswith("/tierslieux/connexion?erreur=1")


def test_a_resident_without_a_role_gets_403(servers, expect_log):
    expect_log.append("AH01631")                      # authz_core: authorization failure
    s, r = login(servers, "habitant")
    assert r.status_code == 302
    desk = s.get(servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10)
    assert desk.status_code == 403
    soup = BeautifulSoup(desk.text, "html.parser")
    assert soup.h1.get_text() == "Accès réservé"          # a French page, not httpd's own
    assert "rôle de bénévole" in soup.get_text()


def test_roles_nest(servers, expect_log):
    """admin > referent > benevole: a page for référents lets a référente and
    an admin in, not a bénévole."""
    expect_log.append("AH01631")
    extra = os.path.join(servers.web, "extra", "referents.conf")
    with open(extra, "w", encoding="utf-8") as f:
        f.write('<Location "/tierslieux/guichet/reglages">\n  Require tierslieux-role referent\n</Location>\n')
    try:
        servers.restart_httpd()
        for user, status in (("benevole.mediatheque", 403), ("referente.fabrique", 404), ("admin.reseau", 404)):
            s, _ = login(servers, user)
            assert s.get(servers.url("/tierslieux/guichet/reglages"), allow_redirects=False,
                         timeout=10).status_code == status, user
            assert s.get(servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10).status_code == 200
    finally:
        os.remove(extra)
        servers.restart_httpd()


def test_log_in_after_postgresql_restarts(servers, expect_log):
    """mod_authn_dbd loses its prepared statements when PostgreSQL restarts;
    the module's provider uses unnamed statements and reconnects."""
    expect_log += ["TLX0203", "TLX0204", "[dbd:"]
    s, _ = login(servers, "referente.fabrique")
    assert s.get(servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10).status_code == 200
    cluster("pg-stop", servers.pg)
    cluster("pg-start", servers.pg)
    # A login nobody cached yet needs the database.
    assert wait_for(lambda: login(servers, "admin.reseau")[0].get(
        servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10).status_code == 200)
    for _ in range(10):
        s, _ = login(servers, "admin.reseau")
        assert s.get(servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10).status_code == 200


def test_logging_out_ends_the_session(servers):
    s, _ = login(servers, "benevole.mediatheque")
    assert s.get(servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10).status_code == 200
    r = s.post(servers.url("/tierslieux/deconnexion"), allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303, 307) and r.headers["Location"].endswith("/tierslieux/")
    assert s.get(servers.url("/tierslieux/guichet"), allow_redirects=False, timeout=10).status_code == 302


def test_a_require_line_with_an_unknown_role_is_refused_at_startup(servers):
    from test_resilience import httpd_refuses
    httpd_refuses(servers, "role-inconnu", [("Require tierslieux-role benevole", "Require tierslieux-role chef")],
                  "Require tierslieux-role: expects benevole, referent or admin")


def test_the_session_cookie_is_sealed(servers):
    import base64
    s, r = login(servers, "benevole.mediatheque")
    value = s.cookies.get("tierslieux_session")
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    assert b"Grelinette" not in raw and b"benevole" not in raw
    forged = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    r = requests.get(servers.url("/tierslieux/guichet"), cookies={"tierslieux_session": forged},
                     allow_redirects=False, timeout=10)
    assert r.status_code == 302                     # a forged cookie is no session: log in again
