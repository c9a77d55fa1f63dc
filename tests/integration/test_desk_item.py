"""An item's maintenance log at the desk: sent to maintenance (never shown
available, never lent), brought back with what was done and the safety
check."""
from bs4 import BeautifulSoup

from test_desk_access import login


def file(servers, s, number):
    r = s.get(servers.url("/tierslieux/guichet/objet"), params={"numero": number}, timeout=10)
    return r, BeautifulSoup(r.text, "html.parser")


def test_maintenance_round_trip(servers):
    s, _ = login(servers, "benevole.mediatheque")
    code, item_id = servers.sql("""
        SELECT i.code, i.id FROM tl.item i JOIN tl.place p ON p.id = i.place_id
          JOIN tl.item_availability a ON a.item_id = i.id
         WHERE p.slug = 'mediatheque-jules-verne' AND a.state = 'disponible' AND i.safety_check_days IS NOT NULL
         ORDER BY i.code LIMIT 1""")[0]
    servers.sql("UPDATE tl.item SET last_safety_check = current_date - 400, safety_check_days = 365 WHERE id = %s",
                (item_id,))
    r, soup = file(servers, s, code.lower())
    assert r.status_code == 200 and "à refaire" in soup.get_text()
    token = soup.find("input", attrs={"name": "jeton"})["value"]
    r = s.post(servers.url("/tierslieux/guichet/objet/maintenance"), allow_redirects=False, timeout=10,
               data={"jeton": token, "numero": code, "action": "debut", "texte": ""})
    assert r.status_code == 422
    r = s.post(servers.url("/tierslieux/guichet/objet/maintenance"), allow_redirects=False, timeout=10,
               data={"jeton": token, "numero": code, "action": "debut", "texte": "Câble abîmé"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"numero={code}&fait=debut")
    assert "En maintenance" in servers.get(f"/tierslieux/outils/{item_id}").text
    r, soup = file(servers, s, code)
    assert "Câble abîmé" in soup.select_one("table").get_text() and "Camille (bénévole)" in soup.select_one("table").get_text()
    r = s.post(servers.url("/tierslieux/guichet/objet/maintenance"), allow_redirects=False, timeout=10,
               data={"jeton": token, "numero": code, "action": "fin", "texte": "Câble remplacé", "controle": "1"})
    assert r.status_code == 303
    state, checked = servers.sql("SELECT a.state, i.last_safety_check = current_date FROM tl.item_availability a "
                                 "JOIN tl.item i ON i.id = a.item_id WHERE i.id = %s", (item_id,))[0]
    assert (state, checked) == ("disponible", True)
    r = s.post(servers.url("/tierslieux/guichet/objet/maintenance"), allow_redirects=False, timeout=10,
               data={"jeton": token, "numero": code, "action": "fin", "texte": "encore"})
    assert r.status_code == 422 and "pas en maintenance" in r.text


def test_unknown_item(servers):
    s, _ = login(servers, "benevole.mediatheque")
    r, soup = file(servers, s, "ZZ-9999")
    assert r.status_code == 422 and "Aucun objet" in soup.find(id="erreur-numero").get_text()
