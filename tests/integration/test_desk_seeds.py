"""The grainothèque at the desk: deposits and withdrawals, and everything
that must change nothing (no token, a forged one, another content type, a
huge field, a place that is not the volunteer's, bad numbers)."""
import re

import requests
from bs4 import BeautifulSoup

from test_desk_access import login

PLACE = "mediatheque-jules-verne"


def desk(servers, user="benevole.mediatheque", place=PLACE):
    s, _ = login(servers, user)
    r = s.get(servers.url("/tierslieux/guichet/graines"), params={"lieu": place}, timeout=10)
    assert r.status_code == 200, r.text[:300]
    soup = BeautifulSoup(r.text, "html.parser")
    tokens = {f["action"].rsplit("/", 1)[1]: f.find("input", attrs={"name": "jeton"})["value"]
              for f in soup.find_all("form", method="post") if f.find("input", attrs={"name": "jeton"})}
    return s, soup, tokens


def movements(servers):
    return servers.sql("SELECT count(*) FROM tl.seed_movement")[0][0]


def post(servers, s, action, data, **kw):
    return s.post(servers.url(f"/tierslieux/guichet/graines/{action}"), data=data, allow_redirects=False,
                  timeout=10, **kw)


def a_variety(servers):
    return servers.sql("SELECT min(id) FROM tl.seed_variety")[0][0]


def test_a_deposit_is_recorded_then_redirected(servers):
    s, soup, tokens = desk(servers)
    assert soup.find("label", attrs={"for": "variete"}) and soup.find("label", attrs={"for": "producteur"})
    variety = a_variety(servers)
    before = movements(servers)
    r = post(servers, s, "depot", {"jeton": tokens["depot"], "lieu": PLACE, "variete": variety,
                                   "annee": "2025", "sachets": "7", "producteur": "Jardin secret des Lilas"})
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"/tierslieux/guichet/graines?lieu={PLACE}&fait=depot")
    assert movements(servers) == before + 1
    who, packets = servers.sql("SELECT a.login, m.packets FROM tl.seed_movement m JOIN tl.account a "
                               "ON a.id = m.account_id ORDER BY m.id DESC LIMIT 1")[0]
    assert (who, packets) == ("benevole.mediatheque", 7)
    page = BeautifulSoup(s.get(r.headers["Location"], timeout=10).text, "html.parser")
    assert "Dépôt enregistré" in page.select_one("[role=status]").get_text()
    assert "Camille (bénévole)" in page.select_one("table").get_text()
    # The grower's name stays private.
    public = servers.get(f"/tierslieux/graines/{variety}").text
    assert "Jardin secret des Lilas" not in public


def test_a_withdrawal_cannot_empty_a_lot_below_zero(servers):
    s, soup, tokens = desk(servers)
    lot, packets = servers.sql("SELECT s.lot_id, s.packets FROM tl.seed_lot_stock s JOIN tl.seed_lot l "
                               "ON l.id = s.lot_id JOIN tl.place p ON p.id = l.place_id "
                               "WHERE p.slug = %s AND s.packets > 0 ORDER BY s.lot_id LIMIT 1", (PLACE,))[0]
    before = movements(servers)
    r = post(servers, s, "retrait", {"jeton": tokens["retrait"], "lieu": PLACE, "lot": lot,
                                     "sachets": str(packets + 1)})
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    message = soup.find(id="erreur-retrait_sachets").get_text()
    assert f"il ne reste que {packets} sachet" in message
    field = soup.find(id="retrait-sachets")
    assert field["aria-invalid"] == "true" and field["aria-describedby"] == "erreur-retrait_sachets"
    assert field["value"] == str(packets + 1)                      # what was typed is kept
    assert movements(servers) == before
    r = post(servers, s, "retrait", {"jeton": tokens["retrait"], "lieu": PLACE, "lot": lot, "sachets": "1"})
    assert r.status_code == 303
    assert servers.sql("SELECT packets FROM tl.seed_lot_stock WHERE lot_id = %s", (lot,))[0][0] == packets - 1


def test_bad_numbers_are_shown_next_to_their_field(servers):
    s, _, tokens = desk(servers)
    before = movements(servers)
    r = post(servers, s, "depot", {"jeton": tokens["depot"], "lieu": PLACE, "variete": "999999",
                                   "annee": "2101", "sachets": "-3"})
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert "entre 1950 et" in soup.find(id="erreur-annee").get_text()
    assert "nombre entier" in soup.find(id="erreur-sachets").get_text()
    assert soup.select_one("[role=alert]")
    # A harvest to come is the database's refusal (the year at the place,
    # in its time zone), shown under the same field.
    next_year = servers.sql("SELECT extract(year FROM now() AT TIME ZONE time_zone)::integer + 1 FROM tl.place "
                            "WHERE slug = %s", (PLACE,))[0][0]
    r = post(servers, s, "depot", {"jeton": tokens["depot"], "lieu": PLACE, "variete": a_variety(servers),
                                   "annee": str(next_year), "sachets": "3"})
    assert r.status_code == 422
    assert "entre 1950 et cette année" in BeautifulSoup(r.text, "html.parser").find(id="erreur-annee").get_text()
    r = post(servers, s, "depot", {"jeton": tokens["depot"], "lieu": PLACE, "variete": "999999",
                                   "annee": "2024", "sachets": "3"})
    assert r.status_code == 422
    assert "Choisissez une variété" in BeautifulSoup(r.text, "html.parser").find(id="erreur-variete").get_text()
    assert movements(servers) == before


def test_requests_without_a_valid_token_change_nothing(servers, expect_log):
    expect_log.append("TLX0501")
    s, _, tokens = desk(servers)
    other, _, other_tokens = desk(servers, "admin.reseau")
    data = {"lieu": PLACE, "variete": a_variety(servers), "annee": "2025", "sachets": "2"}
    before = movements(servers)
    forged = tokens["depot"][:-2] + ("AA" if not tokens["depot"].endswith("AA") else "BB")
    for token in (None, "", "123.abc", forged, tokens["retrait"], other_tokens["depot"]):
        body = dict(data, **({"jeton": token} if token is not None else {}))
        r = post(servers, s, "depot", body)
        assert r.status_code == 403, token
        assert "Rien n'a été enregistré" in r.text
    assert movements(servers) == before


def test_wrong_content_type_and_huge_fields_change_nothing(servers):
    s, _, tokens = desk(servers)
    before = movements(servers)
    r = post(servers, s, "depot", None, json={"jeton": tokens["depot"], "sachets": 2})
    assert r.status_code == 415 and "application/x-www-form-urlencoded" in r.text
    r = post(servers, s, "depot", {"jeton": tokens["depot"], "lieu": PLACE, "variete": a_variety(servers),
                                   "annee": "2025", "sachets": "2", "producteur": "x" * 100_000})
    assert r.status_code == 413 and "trop" in r.text
    # the connection still works after the refused body
    assert s.get(servers.url("/tierslieux/guichet/graines"), timeout=10).status_code == 200
    assert movements(servers) == before


def test_a_volunteer_cannot_record_at_another_place(servers):
    s, _, tokens = desk(servers)                      # bénévole of the médiathèque only
    before = movements(servers)
    r = post(servers, s, "depot", {"jeton": tokens["depot"], "lieu": "la-fabrique",
                                   "variete": a_variety(servers), "annee": "2025", "sachets": "2"})
    assert r.status_code == 403 and "rien n'a été enregistré" in r.text
    lot = servers.sql("SELECT s.lot_id FROM tl.seed_lot_stock s JOIN tl.seed_lot l ON l.id = s.lot_id "
                      "JOIN tl.place p ON p.id = l.place_id WHERE p.slug = 'la-fabrique' AND s.packets > 0 "
                      "LIMIT 1")[0][0]
    r = post(servers, s, "retrait", {"jeton": tokens["retrait"], "lieu": "la-fabrique", "lot": lot, "sachets": "1"})
    assert r.status_code == 403
    assert movements(servers) == before


def test_forms_are_posted_not_fetched(servers):
    s, _, _ = desk(servers)
    r = s.get(servers.url("/tierslieux/guichet/graines/depot"), allow_redirects=False, timeout=10)
    assert r.status_code == 405 and r.headers["Allow"] == "POST"
    anonymous = requests.post(servers.url("/tierslieux/guichet/graines/depot"), data={"sachets": "1"},
                              allow_redirects=False, timeout=10)
    assert anonymous.status_code in (302, 401)


def test_who_took_seeds_is_reminded_until_they_bring_some_back(servers):
    s, soup, tokens = desk(servers)
    lot = servers.sql("SELECT s.lot_id FROM tl.seed_lot_stock s JOIN tl.seed_lot l ON l.id = s.lot_id "
                      "JOIN tl.place p ON p.id = l.place_id WHERE p.slug = %s AND s.packets > 1 LIMIT 1", (PLACE,))[0][0]
    r = post(servers, s, "retrait", {"jeton": tokens["retrait"], "lieu": PLACE, "lot": lot, "sachets": "1",
                                     "adherent": "Z-0"})
    assert r.status_code == 422 and "Aucun adhérent" in BeautifulSoup(r.text, "html.parser").find(
        id="erreur-adherent").get_text()
    r = post(servers, s, "retrait", {"jeton": tokens["retrait"], "lieu": PLACE, "lot": lot, "sachets": "1",
                                     "adherent": "a-000348"})
    assert r.status_code == 303
    page = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/graines"), params={"lieu": PLACE}, timeout=10).text,
                         "html.parser")
    section = page.find(id="rappels-titre").find_parent("section")
    assert "A-000348" in section.get_text()
    r = post(servers, s, "depot", {"jeton": tokens["depot"], "lieu": PLACE, "variete": a_variety(servers),
                                   "annee": "2026", "sachets": "3", "adherent": "A-000348"})
    assert r.status_code == 303
    page = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/graines"), params={"lieu": PLACE}, timeout=10).text,
                         "html.parser")
    assert "A-000348" not in page.find(id="rappels-titre").find_parent("section").get_text()
    # the public pages never show who took or brought seeds
    assert "A-000348" not in servers.get("/tierslieux/graines").text


def test_a_stale_token_changes_nothing(servers):
    """A token signed with the server's own secret but past its expiry (a
    form left open overnight) is refused with a French message."""
    import base64
    import hashlib
    import hmac
    import os
    import time
    with open(os.path.join(servers.web, "secret"), "rb") as f:
        secret = f.read()
    expiry = str(int(time.time()) - 60)
    mac = hmac.new(secret, b"benevole.mediatheque\0graines-depot\0" + expiry.encode(), hashlib.sha256).digest()
    stale = expiry + "." + base64.urlsafe_b64encode(mac).decode().rstrip("=")
    fresh_expiry = str(int(time.time()) + 600)
    fresh_mac = hmac.new(secret, b"benevole.mediatheque\0graines-depot\0" + fresh_expiry.encode(), hashlib.sha256).digest()
    fresh = fresh_expiry + "." + base64.urlsafe_b64encode(fresh_mac).decode().rstrip("=")
    s, _, _ = desk(servers)
    before = movements(servers)
    data = {"lieu": PLACE, "variete": a_variety(servers), "annee": "2025", "sachets": "2"}
    r = post(servers, s, "depot", dict(data, jeton=stale))
    assert r.status_code == 403 and "expiré" in r.text
    assert movements(servers) == before
    # the same computation with a future expiry is accepted: the test signs as the server does
    assert post(servers, s, "depot", dict(data, jeton=fresh)).status_code == 303
