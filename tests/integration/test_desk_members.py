"""Registering members at the desk: the CNIL's fields only, the charter,
the number for the card, and mistakes shown next to their field."""
from bs4 import BeautifulSoup

from test_desk_access import login

PLACE = "mediatheque-jules-verne"


def desk(servers, user="benevole.mediatheque"):
    s, _ = login(servers, user)
    soup = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/adherents"), timeout=10).text, "html.parser")
    return s, soup, soup.find("input", attrs={"name": "jeton"})["value"]


def post(servers, s, data):
    return s.post(servers.url("/tierslieux/guichet/adherents"), data=data, allow_redirects=False, timeout=10)


def test_register_a_member(servers):
    s, soup, token = desk(servers)
    for field in ("nom", "prenom", "courriel", "telephone", "naissance", "charte"):
        assert soup.find("label", attrs={"for": field}), field
    assert "effacées un an après le dernier emprunt" in soup.get_text()
    r = post(servers, s, {"jeton": token, "lieu": PLACE, "nom": "Ferrand", "prenom": "Agathe",
                          "courriel": "agathe.ferrand@example.org", "telephone": "", "naissance": "", "charte": "1"})
    assert r.status_code == 303 and "Ferrand" not in r.headers["Location"] and "agathe" not in r.headers["Location"]
    number, place, charter, who = servers.sql(
        "SELECT m.member_number, p.slug, m.charter_accepted_at IS NOT NULL, a.login FROM tl.member m "
        "JOIN tl.place p ON p.id = m.place_id JOIN tl.account a ON a.id = m.registered_by "
        "WHERE m.family_name = 'Ferrand'")[0]
    assert (place, charter, who) == (PLACE, True, "benevole.mediatheque") and number.startswith("A-")
    page = BeautifulSoup(s.get(r.headers["Location"], timeout=10).text, "html.parser")
    assert number in page.select_one("[role=status]").get_text()
    servers.sql("DELETE FROM tl.member WHERE family_name = 'Ferrand'")


def test_mistakes_are_shown_next_to_their_field(servers):
    s, _, token = desk(servers)
    before = servers.sql("SELECT count(*) FROM tl.member")[0][0]
    r = post(servers, s, {"jeton": token, "lieu": PLACE, "nom": "", "prenom": "Léon", "courriel": "pas-un-courriel",
                          "telephone": "", "naissance": "1850"})
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert "nom de famille" in soup.find(id="erreur-nom").get_text()
    assert "@" in soup.find(id="erreur-courriel").get_text()
    assert "1900" in soup.find(id="erreur-naissance").get_text()
    assert "charte" in soup.find(id="erreur-charte").get_text()
    assert soup.find(id="prenom")["value"] == "Léon"                 # what was typed stays
    r = post(servers, s, {"jeton": token, "lieu": PLACE, "nom": "Sans", "prenom": "Contact", "courriel": "",
                          "telephone": "", "charte": "1"})
    assert r.status_code == 422
    assert "courriel ou un téléphone" in BeautifulSoup(r.text, "html.parser").find(id="erreur-courriel").get_text()
    assert servers.sql("SELECT count(*) FROM tl.member")[0][0] == before


def test_only_at_ones_own_place(servers):
    s, _, token = desk(servers)
    before = servers.sql("SELECT count(*) FROM tl.member")[0][0]
    r = post(servers, s, {"jeton": token, "lieu": "la-fabrique", "nom": "Autre", "prenom": "Lieu",
                          "courriel": "autre@example.org", "charte": "1"})
    assert r.status_code == 403
    assert servers.sql("SELECT count(*) FROM tl.member")[0][0] == before
