"""Ressourcerie, intake: a drop-off with its source and commune (never who
brought it), weighed by category with the container's tare off, exact
decimals, plausible weights, corrections as new entries that say who and
why."""
from decimal import Decimal

from bs4 import BeautifulSoup

from test_desk_access import login


def start(servers, s, source="apport_volontaire", commune="Saint-Aubin-sur-Loire"):
    soup = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/ressourcerie"), timeout=10).text, "html.parser")
    token = soup.find("input", attrs={"name": "jeton"})["value"]
    r = s.post(servers.url("/tierslieux/guichet/ressourcerie"), allow_redirects=False, timeout=10,
               data={"jeton": token, "lieu": "la-fabrique", "provenance": source, "commune": commune})
    assert r.status_code == 303, r.text[:300]
    return r.headers["Location"].split("n=")[1], token


def weigh(servers, s, token, intake, **fields):
    data = {"jeton": token, "arrivage": intake, "categorie": "", "poids": "", "contenant": "", "corrige": "",
            "raison": ""}
    data.update(fields)
    return s.post(servers.url("/tierslieux/guichet/ressourcerie/pesee"), data=data, allow_redirects=False, timeout=10)


def test_an_intake_weighed_with_tares_and_corrections(servers):
    s, _ = login(servers, "referente.fabrique")
    intake, token = start(servers, s)
    bac = servers.sql("SELECT id FROM tl.reuse_container WHERE name = 'Bac gris'")[0][0]
    # A letter, a weight, Enter: the tare comes off; exact to the gram.
    r = weigh(servers, s, token, intake, categorie="t", poids="20,125", contenant=str(bac))
    assert r.status_code == 303 and r.headers["Location"].endswith(f"n={intake}&fait=1")
    r = weigh(servers, s, token, intake, categorie="mobilier", poids="35")
    assert r.status_code == 303
    assert servers.sql("SELECT category, gross_kg, tare_kg, net_kg FROM tl.reuse_weighing WHERE intake_id = %s "
                       "ORDER BY id", (int(intake),)) == [("textile", Decimal("20.125"), Decimal("12.500"),
                                                          Decimal("7.625")),
                                                         ("mobilier", Decimal("35.000"), Decimal("0.000"),
                                                          Decimal("35.000"))]
    page = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/ressourcerie/arrivage"), params={"n": intake},
                               timeout=10).text, "html.parser")
    assert "Total : 42,625 kg" in page.get_text() and page.find(id="categorie").has_attr("autofocus")
    # Bad input: French messages under the fields, nothing recorded.
    before = servers.sql("SELECT count(*) FROM tl.reuse_weighing")[0][0]
    for fields, field, words in (({"categorie": "z", "poids": "3"}, "categorie", "lettre"),
                                 ({"categorie": "m", "poids": "-3"}, "poids", "kilos"),
                                 ({"categorie": "m", "poids": "5000"}, "poids", "c'est trop"),
                                 ({"categorie": "v", "poids": "10", "contenant": str(bac)}, "poids",
                                  "pas plus lourd que le contenant"),
                                 ({"categorie": "v", "poids": "abc"}, "poids", "kilos")):
        r = weigh(servers, s, token, intake, **fields)
        assert r.status_code == 422, fields
        soup = BeautifulSoup(r.text, "html.parser")
        assert words in soup.find(id="erreur-" + field).get_text(), (fields, soup.find(id="erreur-" + field))
        assert soup.find(id=field)["aria-invalid"] == "true"
    assert servers.sql("SELECT count(*) FROM tl.reuse_weighing")[0][0] == before
    # A correction is a new entry, with its reason; the old one stays, struck.
    wrong = servers.sql("SELECT id FROM tl.reuse_weighing WHERE intake_id = %s AND category = 'mobilier'",
                        (int(intake),))[0][0]
    r = weigh(servers, s, token, intake, categorie="m", poids="53", corrige=str(wrong))
    assert r.status_code == 422 and "pourquoi" in r.text
    r = weigh(servers, s, token, intake, categorie="m", poids="53", corrige=str(wrong), raison="Mal lu : 53 kg")
    assert r.status_code == 303
    assert servers.sql("SELECT sum(net_kg) FROM tl.reuse_weighing_current WHERE intake_id = %s",
                       (int(intake),)) == [(Decimal("60.625"),)]
    assert servers.sql("SELECT count(*) FROM tl.reuse_weighing WHERE intake_id = %s", (int(intake),)) == [(3,)]
    page = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/ressourcerie/arrivage"), params={"n": intake},
                               timeout=10).text, "html.parser")
    text = page.get_text()
    assert "Total : 60,625 kg" in text and "corrigée par Nadia (référente)" in text and "Mal lu : 53 kg" in text
    assert page.find("del")
    # Corrected twice: refused.
    r = weigh(servers, s, token, intake, categorie="m", poids="54", corrige=str(wrong), raison="encore")
    assert r.status_code == 422 and "déjà corrigée" in r.text
    # Who brought it is never asked.
    cols = {c[0] for c in servers.sql("SELECT column_name FROM information_schema.columns WHERE table_schema = 'tl' "
                                      "AND table_name = 'reuse_intake'")}
    assert not cols & {"name", "contact", "email", "phone", "member_id"}


def test_only_the_places_team_weighs(servers):
    s, _ = login(servers, "referente.fabrique")
    intake, _ = start(servers, s)
    other, _ = login(servers, "benevole.mediatheque")
    r = other.get(servers.url("/tierslieux/guichet/ressourcerie/arrivage"), params={"n": intake}, timeout=10)
    assert r.status_code == 403
    soup = BeautifulSoup(other.get(servers.url("/tierslieux/guichet/ressourcerie"), timeout=10).text, "html.parser")
    token = soup.find("input", attrs={"name": "jeton"})["value"]
    r = weigh(servers, other, token, intake, categorie="t", poids="3")
    assert r.status_code == 403
    r = other.post(servers.url("/tierslieux/guichet/ressourcerie"), allow_redirects=False, timeout=10,
                   data={"jeton": token, "lieu": "la-fabrique", "provenance": "entreprise", "commune": ""})
    assert r.status_code == 403


def test_a_referent_configures_containers(servers, expect_log):
    expect_log.append("AH01631")
    s, _ = login(servers, "referente.fabrique")
    soup = BeautifulSoup(s.get(servers.url("/tierslieux/gestion/ressourcerie"), params={"lieu": "la-fabrique"},
                               timeout=10).text, "html.parser")
    assert "Bac gris" in soup.get_text()
    token = soup.find("form", method="post").find("input", attrs={"name": "jeton"})["value"]
    post = lambda **f: s.post(servers.url("/tierslieux/gestion/ressourcerie"), allow_redirects=False, timeout=10,
                              data={"jeton": token, "lieu": "la-fabrique", "contenant": "", **f})
    r = post(nom="Bac gris", tare="10")
    assert r.status_code == 422 and "déjà ce nom" in BeautifulSoup(r.text, "html.parser").find(id="erreur-nom").get_text()
    r = post(nom="Grand bac", tare="-1")
    assert r.status_code == 422 and "kilos" in BeautifulSoup(r.text, "html.parser").find(id="erreur-tare").get_text()
    assert post(nom="Grand bac", tare="31,25").status_code == 303
    assert servers.sql("SELECT tare_kg FROM tl.reuse_container WHERE name = 'Grand bac'") == [(Decimal("31.250"),)]
    # The new tare comes off the next weighing; past weighings keep theirs.
    intake, wtoken = start(servers, s)
    big = servers.sql("SELECT id FROM tl.reuse_container WHERE name = 'Grand bac'")[0][0]
    assert weigh(servers, s, wtoken, intake, categorie="l", poids="51,25", contenant=str(big)).status_code == 303
    assert post(contenant=str(big), nom="Grand bac", tare="30").status_code == 303
    assert servers.sql("SELECT tare_kg, net_kg FROM tl.reuse_weighing WHERE intake_id = %s", (int(intake),)) == [
        (Decimal("31.250"), Decimal("20.000"))]
    # A bénévole has no back office; the journal says who changed what.
    volunteer, _ = login(servers, "benevole.mediatheque")
    assert volunteer.get(servers.url("/tierslieux/gestion/ressourcerie"), allow_redirects=False,
                         timeout=10).status_code == 403
    journal = s.get(servers.url("/tierslieux/gestion/journal"), params={"lieu": "la-fabrique"}, timeout=10).text
    assert "ressourcerie.contenant" in journal
