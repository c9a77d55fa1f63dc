"""Logging in to « Mon compte » with the médiathèque's card (issue 18,
point 4): the card number and PIN are checked by the library system — Koha's
REST API or a SIP2 server, here our own doubles speaking each protocol
(sigb_doubles.py) over TLS with a certificate authority made for the run.
The first login creates the member with only their names, the next ones find
them; a wrong PIN, a blocked card, a system that is down or slow each get
their French answer within seconds, the system is then left alone for a
while, and the PIN is written in no log."""
import os
import re
import subprocess
import time

import pytest
import requests
from bs4 import BeautifulSoup

import sigb_doubles as sd

PLACE = "mediatheque-jules-verne"
GOOD, BLOCKED = "29000111", "29000222"
PIN = sd.PATRONS[GOOD]["pin"]


@pytest.fixture(scope="module")
def certs(servers):
    # httpd's children read the CA at each login: under the run folder, by
    # its own path (script/lib.sh, tl_httpd_conf).
    return sd.make_certificates(os.path.realpath(os.path.join(servers.web, "extra", "sigb")))


@pytest.fixture(scope="module")
def doubles(certs):
    _, cert, key = certs
    d = {"sip2": sd.SIP2Double(cert, key), "koha": sd.KohaDouble(cert, key)}
    yield d
    for x in d.values():
        x.stop()


def configure(servers, certs, driver, port, timeout="2", pause="30"):
    ca = certs[0]
    folder = os.path.dirname(ca)
    cred = os.path.join(folder, f"{driver}.cred")
    with open(cred, "w", encoding="utf-8") as f:
        if driver == "sip2":
            f.write(f"# SIP2 login\nuser = {sd.SIP2_USER}\npassword = {sd.SIP2_PASSWORD}\n"
                    f"institution = {sd.INSTITUTION}\n")
        else:
            f.write(f"user = {sd.KOHA_USER}\npassword = {sd.KOHA_PASSWORD}\n")
    os.chmod(cred, 0o600)
    where = f"sip2 127.0.0.1:{port}" if driver == "sip2" else f"koha https://127.0.0.1:{port}/api/v1"
    with open(os.path.join(servers.web, "extra", "carte.conf"), "w", encoding="utf-8") as f:
        f.write('<Location "/tierslieux/compte">\n'
                f"    TiersLieuxLibraryAuth {where}\n"
                f'    TiersLieuxLibraryAuthCredentials "{cred}"\n'
                f'    TiersLieuxLibraryAuthCA "{ca}"\n'
                f"    TiersLieuxLibraryAuthPlace {PLACE}\n"
                f"    TiersLieuxLibraryAuthTimeout {timeout} {pause}\n"
                # mod_auth_form names the user of a refused login: here a
                # card number (docs/admin.md).
                "    LogLevel auth_form:crit\n"
                "</Location>\n")
    servers.restart_httpd()


@pytest.fixture(params=["sip2", "koha"])
def driver(request, servers, certs, doubles):
    name = request.param
    doubles[name].mode = "ok"
    configure(servers, certs, name, doubles[name].port)
    yield name
    doubles[name].release.set()
    doubles[name].mode = "ok"
    doubles[name].release.clear()


@pytest.fixture(scope="module", autouse=True)
def restore(servers):
    yield
    os.remove(os.path.join(servers.web, "extra", "carte.conf"))
    servers.restart_httpd()


def card_login(servers, card, pin):
    s = requests.Session()
    t = time.monotonic()
    r = s.post(servers.url("/tierslieux/compte/connexion/verifier"), allow_redirects=False, timeout=15,
               data={"httpd_username": card, "httpd_password": pin, "httpd_location": "/tierslieux/compte"})
    return s, r, time.monotonic() - t


def members(servers):
    return servers.sql("SELECT count(*) FROM tl.member")[0][0]


def test_the_form_asks_for_the_card_and_its_pin(servers, driver):
    r = servers.get("/tierslieux/compte/connexion")
    soup = BeautifulSoup(r.text, "html.parser")
    assert r.status_code == 200
    assert "carte de la médiathèque" in soup.find("label", attrs={"for": "carte"}).get_text()
    assert "Code PIN" in soup.find("label", attrs={"for": "code-pin"}).get_text()
    assert not soup.find("label", attrs={"for": "numero"})
    assert "jamais le code PIN" in soup.select_one("form .tl-hint").get_text()


def test_the_first_login_creates_the_member_with_their_names_only(servers, driver, doubles):
    # The card's member from another test, if any, is erased: its link goes
    # with it, and the card is new again.
    servers.sql("SELECT tl.forget_members(array_agg(member_id)) FROM tl.member_card WHERE card_number = %s",
                (GOOD,))
    assert not servers.sql("SELECT 1 FROM tl.member_card WHERE card_number = %s", (GOOD,))
    before = members(servers)
    s, r, _ = card_login(servers, f" {GOOD} ", PIN)
    assert r.status_code == 302 and r.headers["Location"] == "/tierslieux/compte"
    assert PIN not in r.headers["Set-Cookie"]
    page = s.get(servers.url("/tierslieux/compte"), allow_redirects=False, timeout=10)
    assert page.status_code == 200
    assert "Maëlle Lefebvre" in BeautifulSoup(page.text, "html.parser").h1.get_text()
    assert members(servers) == before + 1
    row = servers.sql("""SELECT m.family_name, m.given_name, m.email, m.phone, m.birth_year, p.slug, c.card_number,
                                m.password_hash, m.charter_accepted_at
                           FROM tl.member m JOIN tl.member_card c ON c.member_id = m.id
                           JOIN tl.place p ON p.id = m.place_id WHERE c.card_number = %s""", (GOOD,))
    # What the library holds beyond the names (birth date, address, e-mail,
    # phone) is not kept: the CNIL notice allows the names.
    assert row == [("Lefebvre", "Maëlle", None, None, None, PLACE, GOOD, None, None)]
    # The member sees the card among their data.
    data = s.get(servers.url("/tierslieux/compte/donnees"), timeout=10)
    assert "carte de la médiathèque" in data.text and GOOD in data.text
    # The library system was asked as its protocol says.
    got = b"".join(doubles[driver].received)
    if driver == "sip2":
        login = sd.sip2_answer(f"9300CN{sd.SIP2_USER}|CO{sd.SIP2_PASSWORD}|", "0").decode()
        assert login.encode() in doubles["sip2"].received
        status = [m for m in doubles["sip2"].received if m.startswith(b"23")][-1].decode()
        assert re.fullmatch(r"23002\d{8} {4}\d{6}AOMEDJV\|AA29000111\|AC\|AD90417358\|AY1AZ[0-9A-F]{4}\r", status)
        assert sd.checksum(status[:-5].encode()) == status[-5:-1]
    else:
        assert b"POST /api/v1/auth/password/validation HTTP/1.0" in got
        assert b'{"identifier":"29000111","password":"90417358"}' in got
        assert b"GET /api/v1/patrons/100 HTTP/1.0" in got


def test_the_next_login_finds_the_same_member(servers, driver):
    s, r, _ = card_login(servers, GOOD, PIN)
    assert r.status_code == 302
    first = servers.sql("SELECT member_id FROM tl.member_card WHERE card_number = %s", (GOOD,))
    before = members(servers)
    s2, r, _ = card_login(servers, GOOD.lower(), PIN)
    assert r.status_code == 302 and r.headers["Location"] == "/tierslieux/compte"
    assert members(servers) == before
    assert servers.sql("SELECT member_id FROM tl.member_card WHERE card_number = %s", (GOOD,)) == first
    # Both sessions are that member's; a session is not the PIN.
    for session in (s, s2):
        page = session.get(servers.url("/tierslieux/compte"), allow_redirects=False, timeout=10)
        assert page.status_code == 200 and "Maëlle Lefebvre" in page.text


def test_a_wrong_pin_or_an_unknown_card_is_refused_as_a_wrong_password(servers, driver, expect_log):
    expect_log += ["AH01807", "AH01808"]           # mod_auth_form: refused, unknown
    before = members(servers)
    for card, pin in ((GOOD, "00000000"), ("29000999", "12345678"), ("not a card!", PIN), (GOOD, "")):
        _, r, elapsed = card_login(servers, card, pin)
        assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/compte/connexion?erreur=1")
    form = servers.get("/tierslieux/compte/connexion?erreur=1")
    assert "Numéro de carte ou code PIN incorrect" in form.text
    assert members(servers) == before


def test_a_blocked_card_is_sent_to_the_desk(servers, driver, expect_log):
    expect_log += ["AH01807"]
    before = members(servers)
    _, r, _ = card_login(servers, BLOCKED, sd.PATRONS[BLOCKED]["pin"])
    assert r.status_code == 403
    text = BeautifulSoup(r.text, "html.parser").get_text()
    assert "carte bloquée" in text and "accueil de la médiathèque" in text
    assert members(servers) == before
    assert not servers.sql("SELECT 1 FROM tl.member_card WHERE card_number = %s", (BLOCKED,))


def test_a_card_without_a_full_name_is_sent_to_the_desk(servers, driver, expect_log):
    """Our members have a family and a given name: a card the library system
    knows by one name only creates nobody, and the member is told why."""
    expect_log += ["AH01807"]
    before = members(servers)
    _, r, _ = card_login(servers, "29000333", sd.PATRONS["29000333"]["pin"])
    assert r.status_code == 403
    text = BeautifulSoup(r.text, "html.parser").get_text()
    assert "ne donne pas votre nom et votre prénom" in text and "accueil de la médiathèque" in text
    assert members(servers) == before


def test_a_slow_library_gets_a_french_answer_in_seconds_and_is_left_alone(servers, driver, doubles, expect_log):
    expect_log += ["TLX1806", "AH01807"]
    double = doubles[driver]
    double.mode = "slow"
    seen = double.connections
    _, r, elapsed = card_login(servers, GOOD, PIN)
    assert r.status_code == 503 and elapsed < 4, elapsed          # TiersLieuxLibraryAuthTimeout 2
    assert "médiathèque ne répond pas" in r.text and r.headers.get("Retry-After")
    assert double.connections == seen + 1
    # Right after: answered at once, and the library system is not asked.
    _, r, elapsed = card_login(servers, GOOD, PIN)
    assert r.status_code == 503 and elapsed < 1 and "médiathèque ne répond pas" in r.text
    assert double.connections == seen + 1


def test_a_library_that_is_down_gets_a_french_answer_at_once(servers, certs, driver, expect_log):
    expect_log += ["TLX1806", "AH01807"]
    configure(servers, certs, driver, sd.closed_port())
    for _ in range(2):
        _, r, elapsed = card_login(servers, GOOD, PIN)
        assert r.status_code == 503 and elapsed < 2 and "médiathèque ne répond pas" in r.text


def test_a_pause_of_zero_asks_again(servers, certs, driver, doubles, expect_log):
    """The pause is the directive's: with 0, the next login asks again (and
    logs in, once the system is back)."""
    expect_log += ["TLX1806", "AH01807"]
    double = doubles[driver]
    configure(servers, certs, driver, double.port, timeout="500ms", pause="0")
    double.mode = "slow"
    _, r, elapsed = card_login(servers, GOOD, PIN)
    assert r.status_code == 503 and elapsed < 2
    double.release.set()
    double.mode = "ok"
    _, r, _ = card_login(servers, GOOD, PIN)
    assert r.status_code == 302 and r.headers["Location"] == "/tierslieux/compte"


def test_the_pin_is_in_no_log(servers, driver):
    card_login(servers, GOOD, PIN)
    card_login(servers, GOOD, "31415926")
    logs = [os.path.join(servers.web, "logs", n) for n in ("error.log", "access.log")]
    logs.append(os.path.join(os.path.realpath(servers.pg), "postgresql.log"))
    for path in logs:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        assert PIN not in text and "31415926" not in text, path
        if "postgresql" not in path:
            assert GOOD not in text, path


def test_bad_directives_stop_the_server_with_a_clear_message(servers, certs):
    folder = os.path.dirname(certs[0])
    bad = os.path.join(folder, "bad.cred")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("user = x\n")
    conf = os.path.join(servers.web, "extra", "carte.conf")
    for line, message in ((f"TiersLieuxLibraryAuth koha http://127.0.0.1:1/api/v1", "https://"),
                          (f"TiersLieuxLibraryAuth sip2 127.0.0.1", "host:port"),
                          (f'TiersLieuxLibraryAuthCredentials "{bad}"', "must give user and password"),
                          ("TiersLieuxLibraryAuthTimeout 90", "between 100ms and 30")):
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f'<Location "/tierslieux/compte">\n    {line}\n</Location>\n')
        servers.stop_httpd()
        with pytest.raises(subprocess.CalledProcessError) as e:
            servers.start_httpd()
        assert message in e.value.stderr + e.value.stdout
    configure(servers, certs, "sip2", sd.closed_port())
