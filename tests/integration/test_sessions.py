"""Sessions end on the server (sql/logic/members_accounts.sql): a copied desk or member cookie stops
working after logout, after a new password, after deactivation and after
erasure; no cookie and no row of the database holds a password in any form;
over TLS the cookies are Secure."""
import base64
import hashlib
import hmac
import os
import secrets
import socket
import subprocess
import urllib.parse

import pytest
import requests
from bs4 import BeautifulSoup
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import free_port, wait_for

ACCOUNT, ACCOUNT_PASSWORD = "sess.benevole", "Arrosoir-de-Session-2026"
MEMBER, MEMBER_PASSWORD = "A-990001", "Semoir-de-Session-2026"
DESK = "/tierslieux/guichet"
MINE = "/tierslieux/compte"


@pytest.fixture(autouse=True)
def people(servers, expect_log):
    """A volunteer of the médiathèque and a member, each with a password."""
    expect_log.append("AH01807")                    # mod_auth_form: a session that ended
    servers.sql("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    servers.sql("DELETE FROM tl.account_role WHERE account_id IN (SELECT id FROM tl.account WHERE login = %s)",
                (ACCOUNT,))
    servers.sql("DELETE FROM tl.account WHERE login = %s", (ACCOUNT,))
    servers.sql("INSERT INTO tl.account (login, display_name, password_hash) "
                "VALUES (%s, 'Session (bénévole)', public.crypt(%s, public.gen_salt('bf', 4)))",
                (ACCOUNT, ACCOUNT_PASSWORD))
    servers.sql("INSERT INTO tl.account_role (account_id, place_id, role) SELECT a.id, p.id, 'benevole' "
                "FROM tl.account a, tl.place p WHERE a.login = %s AND p.slug = 'mediatheque-jules-verne'", (ACCOUNT,))
    servers.sql("DELETE FROM tl.member WHERE member_number = %s", (MEMBER,))
    servers.sql("INSERT INTO tl.member (member_number, family_name, given_name, email, phone, password_hash) "
                "VALUES (%s, 'Sessionnet', 'Oriane', 'oriane.sessionnet@example.org', '06 12 12 12 12', "
                "public.crypt(%s, public.gen_salt('bf', 4)))", (MEMBER, MEMBER_PASSWORD))


def desk_login(servers, user=ACCOUNT, password=ACCOUNT_PASSWORD, base=None, verify=True):
    s = requests.Session()
    s.verify = verify
    r = s.post((base or servers.base) + "/tierslieux/connexion/verifier", allow_redirects=False, timeout=10,
               verify=verify,
               data={"httpd_username": user, "httpd_password": password, "httpd_location": DESK})
    assert r.status_code == 302 and r.headers["Location"].endswith(DESK), r.status_code
    return s, r


def member_login(servers, number=MEMBER, password=MEMBER_PASSWORD):
    s = requests.Session()
    r = s.post(servers.url("/tierslieux/compte/connexion/verifier"), allow_redirects=False, timeout=10,
               data={"httpd_username": number, "httpd_password": password, "httpd_location": MINE})
    assert r.status_code == 302 and r.headers["Location"] == MINE, r.status_code
    return s


def replay(servers, cookies, path):
    """The request an attacker makes with a copied cookie."""
    return requests.get(servers.url(path), cookies=cookies, allow_redirects=False, timeout=10)


def shut_out(r, login_path):
    """The copied cookie opens nothing: the login form, or a refusal."""
    return (r.status_code == 302 and urllib.parse.urlparse(r.headers["Location"]).path == login_path) \
        or r.status_code in (401, 403)


def copy(s):
    return requests.utils.dict_from_cookiejar(s.cookies)


def set_password_with_a_link(servers, kind, who, password):
    """The desk gives a one-time link (sql/logic/members_accounts.sql); the person chooses a new
    password with it, on the page a resident uses."""
    token = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    digest = hashlib.sha256(token.encode()).hexdigest()
    if kind == "compte":
        servers.sql("SELECT * FROM tl.desk_account_password_link('admin.reseau', %s, %s)", (who, digest))
    else:
        servers.sql("SELECT * FROM tl.desk_member_password_link('benevole.mediatheque', %s, %s)", (who, digest))
    form = BeautifulSoup(requests.get(servers.url("/tierslieux/compte/mot-de-passe?jeton=" + token),
                                      timeout=10).text, "html.parser")
    data = {i["name"]: i.get("value", "") for i in form.select("form input[type=hidden]")}
    r = requests.post(servers.url("/tierslieux/compte/mot-de-passe"), allow_redirects=False, timeout=10,
                      data={**data, "mot_de_passe": password, "confirmation": password})
    assert r.status_code == 303


def test_a_desk_cookie_ends_with_logout(servers):
    s, _ = desk_login(servers)
    stolen = copy(s)
    assert replay(servers, stolen, DESK).status_code == 200
    assert servers.sql("SELECT count(*) FROM tl.web_session WHERE login = %s", (ACCOUNT,)) == [(1,)]
    r = s.post(servers.url("/tierslieux/deconnexion"), allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303, 307)
    assert servers.sql("SELECT count(*) FROM tl.web_session WHERE login = %s", (ACCOUNT,)) == [(0,)]
    assert shut_out(replay(servers, stolen, DESK), "/tierslieux/connexion")
    assert shut_out(replay(servers, stolen, "/tierslieux/guichet/pret"), "/tierslieux/connexion")


def test_a_member_cookie_ends_with_logout(servers):
    s = member_login(servers)
    stolen = copy(s)
    assert replay(servers, stolen, MINE).status_code == 200
    s.get(servers.url("/tierslieux/compte/deconnexion"), allow_redirects=False, timeout=10)
    assert shut_out(replay(servers, stolen, MINE), "/tierslieux/compte/connexion")
    assert shut_out(replay(servers, stolen, "/tierslieux/compte/donnees"), "/tierslieux/compte/connexion")


def test_a_new_password_ends_every_session(servers):
    first, _ = desk_login(servers)
    second, _ = desk_login(servers)                  # another desk, the same volunteer
    stolen = [copy(first), copy(second)]
    set_password_with_a_link(servers, "compte", ACCOUNT, "Nouvel-Arrosoir-2026")
    for cookies in stolen:
        assert shut_out(replay(servers, cookies, DESK), "/tierslieux/connexion")
    desk_login(servers, password="Nouvel-Arrosoir-2026")

    member = copy(member_login(servers))
    set_password_with_a_link(servers, "adherent", MEMBER, "Nouveau-Semoir-2026")
    assert shut_out(replay(servers, member, MINE), "/tierslieux/compte/connexion")


def test_deactivation_ends_the_session(servers):
    stolen = copy(desk_login(servers)[0])
    admin, _ = desk_login(servers, "admin.reseau", "Semis-2026")
    page = BeautifulSoup(admin.get(servers.url("/tierslieux/gestion/equipe?lieu=mediatheque-jules-verne"),
                                   timeout=10).text, "html.parser")
    form = page.find("form", action=lambda a: a and a.endswith("/gestion/equipe"))
    r = admin.post(servers.url("/tierslieux/gestion/equipe"), allow_redirects=False, timeout=10,
                   data={"jeton": form.find("input", attrs={"name": "jeton"})["value"],
                         "lieu": "mediatheque-jules-verne", "action": "desactiver", "identifiant": ACCOUNT})
    assert r.status_code == 303
    assert servers.sql("SELECT count(*) FROM tl.web_session WHERE login = %s", (ACCOUNT,)) == [(0,)]
    assert shut_out(replay(servers, stolen, DESK), "/tierslieux/connexion")


def test_erasure_ends_the_session(servers):
    s = member_login(servers)
    stolen = copy(s)
    page = BeautifulSoup(s.get(servers.url("/tierslieux/compte/donnees"), timeout=10).text, "html.parser")
    form = page.find("form", action=lambda a: a and a.endswith("/compte/effacer"))
    r = s.post(servers.url("/tierslieux/compte/effacer"), allow_redirects=False, timeout=10,
               data={"jeton": form.find("input", attrs={"name": "jeton"})["value"], "confirmation": "1"})
    assert r.status_code == 200
    assert servers.sql("SELECT count(*) FROM tl.web_session WHERE login = %s", (MEMBER,)) == [(0,)]
    assert shut_out(replay(servers, stolen, MINE), "/tierslieux/compte/connexion")


def unseal(servers, sealed):
    """The module's seal (core/tl_seal.c) opened with the server's secret:
    AES-256-GCM under HMAC-SHA256(secret, purpose), base64url(IV | data | tag)."""
    with open(os.path.join(os.path.realpath(servers.web), "secret"), "rb") as f:
        key = hmac.new(f.read(), b"tierslieux session cookie", hashlib.sha256).digest()
    raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
    return AESGCM(key).decrypt(raw[:12], raw[12:], None).decode()


def test_no_cookie_and_no_row_holds_a_password(servers):
    desk, _ = desk_login(servers)
    member = member_login(servers)
    opened = {}
    for s, name in ((desk, "tierslieux_session"), (member, "tierslieux_compte")):
        opened[name] = urllib.parse.unquote_plus(unseal(servers, s.cookies[name]))
    for name, password in (("tierslieux_session", ACCOUNT_PASSWORD), ("tierslieux_compte", MEMBER_PASSWORD)):
        text = opened[name]
        assert "-user=" in text and "-pw=tl." in text, text.replace(password, "***")
        for form in (password, hashlib.sha1(password.encode()).hexdigest(),
                     base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()):
            assert form not in text
    # The database: only the tokens' SHA-256, never a password nor a
    # token itself (a full dump, every table).
    dump = subprocess.run(["pg_dump", "-h", os.path.realpath(servers.pg), "-p", str(servers.pg_port),
                           "-U", "tierslieux", "-d", "tierslieux", "--data-only"],
                          capture_output=True, text=True, check=True).stdout
    for text, password in ((opened["tierslieux_session"], ACCOUNT_PASSWORD),
                           (opened["tierslieux_compte"], MEMBER_PASSWORD)):
        token = text.split("-pw=tl.")[1].split("&")[0]
        assert password not in dump and token not in dump
    assert servers.sql("SELECT kind, login FROM tl.web_session WHERE login IN (%s, %s) ORDER BY kind",
                       (MEMBER, ACCOUNT)) == [("adherent", MEMBER), ("compte", ACCOUNT)]


def test_a_cookie_from_before_with_a_password_opens_nothing(servers):
    """A session sealed with a password in it (as mod_auth_form alone
    would keep it) is no session: the password is never checked again."""
    with open(os.path.join(os.path.realpath(servers.web), "secret"), "rb") as f:
        key = hmac.new(f.read(), b"tierslieux session cookie", hashlib.sha256).digest()
    plain = urllib.parse.urlencode({"Guichet-user": ACCOUNT, "Guichet-pw": ACCOUNT_PASSWORD})
    iv = secrets.token_bytes(12)
    sealed = base64.urlsafe_b64encode(iv + AESGCM(key).encrypt(iv, plain.encode(), None)).rstrip(b"=").decode()
    assert shut_out(replay(servers, {"tierslieux_session": sealed}, DESK), "/tierslieux/connexion")


def test_cookies_are_secure_over_tls(servers, tmp_path, expect_log):
    """The shipped configuration marks the cookies Secure over TLS (an <If>
    on %{HTTPS}), and only there: the plain demo keeps working."""
    expect_log.append("AH01882")        # mod_ssl built against a newer OpenSSL point release than installed
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    run = os.path.realpath(servers.web)
    for f in (cert, key):
        os.replace(f, os.path.join(run, "extra", f.name))
    cert = os.path.join(run, "extra", "cert.pem")
    port = free_port()
    extra = os.path.join(servers.web, "extra", "tls.conf")
    with open(extra, "w", encoding="utf-8") as f:
        f.write(f'LoadModule ssl_module "/usr/lib/apache2/modules/mod_ssl.so"\n'
                f'LoadModule socache_shmcb_module "/usr/lib/apache2/modules/mod_socache_shmcb.so"\n'
                f'Listen 127.0.0.1:{port} https\n'
                f'SSLSessionCache "shmcb:{run}/ssl_cache(51200)"\n'
                f'<VirtualHost 127.0.0.1:{port}>\n'
                f'    ServerName 127.0.0.1\n'
                f'    SSLEngine on\n'
                f'    SSLCertificateFile "{run}/extra/cert.pem"\n'
                f'    SSLCertificateKeyFile "{run}/extra/key.pem"\n'
                f'</VirtualHost>\n')
    try:
        servers.restart_httpd()
        assert wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() is None)
        s, r = desk_login(servers, base=f"https://127.0.0.1:{port}", verify=cert)
        assert "Secure" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]
        assert s.get(f"https://127.0.0.1:{port}{DESK}", allow_redirects=False, timeout=10,
                     verify=cert).status_code == 200
        _, plain = desk_login(servers)
        assert "Secure" not in plain.headers["Set-Cookie"]
    finally:
        for name in ("tls.conf", "cert.pem", "key.pem"):
            os.remove(os.path.join(servers.web, "extra", name))
        servers.restart_httpd()
