"""The outilthèque's public catalogue, as a resident sees it."""
import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup


def folded(text):
    """Lower case without accents, as the catalogue sorts titles."""
    import unicodedata
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


def page(servers, path, status=200):
    r = servers.get(path)
    assert r.status_code == status, (path, r.status_code, r.text[:500])
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    return BeautifulSoup(r.text, "html.parser")


def titles(soup):
    return [a.get_text() for a in soup.select(".tl-card h3 a")]


def item_id(servers, state):
    return servers.sql("SELECT item_id FROM tl.item_availability WHERE state = %s ORDER BY item_id LIMIT 1",
                       (state,))[0][0]


def test_catalogue_lists_the_tools_thirty_a_page(servers):
    total = servers.sql("SELECT count(*) FROM tl.item WHERE retired_at IS NULL")[0][0]
    assert total >= 60
    soup = page(servers, "/tierslieux/outils")
    assert soup.h1.get_text() == "Outilthèque : le catalogue"
    assert len(titles(soup)) == 30
    assert f"{total} objets trouvés" in soup.get_text()
    assert titles(soup) == sorted(titles(soup), key=folded)
    nxt = soup.find("a", rel="next")
    assert nxt and nxt["href"] == "/tierslieux/outils?page=2"
    assert soup.find("a", attrs={"aria-current": "page"}).get_text(" ", strip=True) == "Page 1"


def test_pagination_walks_every_item_once(servers):
    total = servers.sql("SELECT count(*) FROM tl.item WHERE retired_at IS NULL")[0][0]
    seen, path = [], "/tierslieux/outils"
    while path:
        soup = page(servers, path)
        seen += [a["href"] for a in soup.select(".tl-card h3 a")]
        nxt = soup.find("a", rel="next")
        path = nxt["href"] if nxt else None
    assert len(seen) == total == len(set(seen))
    last = page(servers, "/tierslieux/outils?page=3")
    assert last.find("a", rel="prev")["href"] == "/tierslieux/outils?page=2"
    page(servers, "/tierslieux/outils?page=40", status=404)


def test_search_ignores_accents_and_tolerates_typos(servers):
    soup = page(servers, "/tierslieux/outils?q=perseuse")
    assert "Perceuse à percussion" in titles(soup)
    assert all("erceuse" in t for t in titles(soup))
    soup = page(servers, "/tierslieux/outils?q=echenilloir")
    assert titles(soup) == ["Échenilloir-élagueur télescopique"]
    soup = page(servers, "/tierslieux/outils?q=PERCEUSE%20percussion")
    assert titles(soup)[0] == "Perceuse à percussion"


def test_search_keeps_the_words_in_the_form_and_pagination(servers):
    soup = page(servers, "/tierslieux/outils?q=scie&categorie=bricolage")
    assert soup.find("input", id="q")["value"] == "scie"
    assert soup.find("option", selected=True, value="bricolage")


def test_filters_narrow_the_results(servers):
    everything = page(servers, "/tierslieux/outils?page=1")
    soup = page(servers, "/tierslieux/outils?categorie=jardinage")
    cards = soup.select(".tl-card")
    expected = servers.sql("SELECT count(*) FROM tl.item i JOIN tl.category c ON c.id = i.category_id "
                           "WHERE c.slug = 'jardinage' AND i.retired_at IS NULL")[0][0]
    assert 0 < len(cards) == expected < 30
    assert all(c.select_one(".tl-meta").get_text().startswith("Jardinage") for c in cards)
    soup = page(servers, "/tierslieux/outils?lieu=tiers-lieu-lakour")
    assert all("Tiers-lieu Lakour" in c.select_one(".tl-meta").get_text() for c in soup.select(".tl-card"))
    assert len(soup.select(".tl-card")) < len(everything.select(".tl-card"))


def test_available_now_shows_only_available_items(servers):
    available = servers.sql("SELECT count(*) FROM tl.item_availability a JOIN tl.item i ON i.id = a.item_id "
                            "WHERE a.state = 'disponible' AND i.retired_at IS NULL")[0][0]
    soup = page(servers, "/tierslieux/outils?dispo=1")
    assert f"{available} objets trouvés" in soup.get_text()
    states = {p.get_text(strip=True) for p in soup.select(".tl-state")}
    assert states == {"Disponible"}
    assert soup.find("input", id="dispo").has_attr("checked")


def test_sorting(servers):
    recent = titles(page(servers, "/tierslieux/outils?tri=recent"))
    newest = servers.sql("SELECT title FROM tl.item WHERE retired_at IS NULL ORDER BY created_at DESC, id LIMIT 1")
    assert recent[0] == newest[0][0]
    first = page(servers, "/tierslieux/outils?tri=disponibles").select(".tl-state")[0]
    assert first.get_text(strip=True) == "Disponible"


def test_item_page_shows_everything_a_borrower_needs(servers):
    item = item_id(servers, "disponible")
    row = servers.sql("SELECT i.title, i.code, ic.label, p.name, coalesce(i.loan_days, c.loan_days) "
                      "FROM tl.item i JOIN tl.item_condition ic ON ic.code = i.condition "
                      "JOIN tl.place p ON p.id = i.place_id JOIN tl.category c ON c.id = i.category_id "
                      "WHERE i.id = %s", (item,))[0]
    soup = page(servers, f"/tierslieux/outils/{item}")
    text = soup.get_text(" ", strip=True)
    assert soup.h1.get_text() == row[0]
    for value in (row[1], row[2], row[3], f"{row[4]} jours", "Disponible", "Caution"):
        assert value in text


def test_item_states_on_loan_and_in_maintenance(servers):
    on_loan = item_id(servers, "pret")
    due = servers.sql("SELECT tl.date_fr(due_on), due_on::text FROM tl.booking WHERE item_id = %s AND kind = 'pret' AND returned_at IS NULL",
                      (on_loan,))[0]
    soup = page(servers, f"/tierslieux/outils/{on_loan}")
    state = soup.select_one(".tl-state").get_text(" ", strip=True)
    assert state == f"En prêt jusqu'au {due[0]}"
    assert soup.select_one(".tl-state time")["datetime"] == due[1]
    soup = page(servers, f"/tierslieux/outils/{item_id(servers, 'maintenance')}")
    assert soup.select_one(".tl-state").get_text(strip=True) == "En maintenance"


def test_deposit_is_shown_in_euros(servers):
    item = servers.sql("SELECT i.id, tl.euros(coalesce(i.deposit, c.deposit)) FROM tl.item i "
                       "JOIN tl.category c ON c.id = i.category_id WHERE coalesce(i.deposit, c.deposit) > 0 LIMIT 1")[0]
    assert item[1].endswith("\u00a0€")
    assert item[1] in page(servers, f"/tierslieux/outils/{item[0]}").get_text()


def test_unknown_item_is_an_honest_404(servers):
    soup = page(servers, "/tierslieux/outils/999999", status=404)
    assert soup.h1.get_text() == "Page introuvable"
    assert "n'est pas (ou plus) dans le catalogue" in soup.get_text()
    assert page(servers, "/tierslieux/nulle-part", status=404).h1.get_text() == "Page introuvable"


def test_malformed_parameters_are_a_400_in_french(servers):
    cases = {
        "/tierslieux/outils/abc": "numéro d'objet",
        "/tierslieux/outils?page=x": "page",
        "/tierslieux/outils?page=0": "entre 1 et 10000",
        "/tierslieux/outils?categorie=Pas%20un%20slug": "catégorie",
        "/tierslieux/outils?tri=prix": "trier par",
        "/tierslieux/outils?dispo=oui": "disponible maintenant",
        "/tierslieux/outils?q=%E9t%E9": "UTF-8",
        "/tierslieux/outils?q=%": "mal codé",
        "/tierslieux/outils?q=a%00b": "contrôle",
        "/tierslieux/outils?q=" + "a" * 201: "trop long",
        "/tierslieux/graines?espece=tomate": "espèce",
        "/tierslieux/lieux/Pas_Un_Lieu": "lieu",
        "/tierslieux/outils?fragment=2": "fragment",
        "/tierslieux/outils?niveau=9": "niveau",
    }
    for path, words in cases.items():
        status, headers, body = servers.raw_get(path)
        assert status == 400, path
        soup = BeautifulSoup(body, "html.parser")
        assert soup.h1.get_text() == "Demande incorrecte", path
        assert words in soup.select_one(".tl-error-message").get_text(), (path, soup.select_one(".tl-error-message"))
        assert headers["Cache-Control"] == "no-store"


def test_markup_in_item_data_is_rendered_as_text(servers, db):
    with db.cursor() as cur:
        cur.execute("INSERT INTO tl.item (code, title, description, category_id, collection_id, place_id) "
                    "SELECT 'XSS-1', '<script>alert(\"titre\")</script>', "
                    "'<img src=x onerror=alert(1)> & \"guillemets\" ''apostrophes''', category_id, collection_id, place_id "
                    "FROM tl.item WHERE code = 'OT-0001' RETURNING id")
        item = cur.fetchone()[0]
    try:
        r = servers.get(f"/tierslieux/outils/{item}")
        assert r.status_code == 200
        assert "<script>alert" not in r.text and "<img src=x" not in r.text
        assert "&lt;script&gt;alert(\"titre\")&lt;/script&gt;" in r.text
        soup = BeautifulSoup(r.text, "html.parser")
        assert soup.h1.get_text() == '<script>alert("titre")</script>'
        assert "<img src=x onerror=alert(1)> & \"guillemets\"" in soup.get_text()
        listing = servers.get("/tierslieux/outils?q=alert").text
        assert "&lt;script&gt;" in listing and "<script>alert" not in listing
        demo = BeautifulSoup(servers.get("/tierslieux/outils?q=arduino").text, "html.parser")
        assert "Kit d'électronique « Arduino » <débutant>" in [a.get_text() for a in demo.select(".tl-card h3 a")]
    finally:
        with db.cursor() as cur:
            cur.execute("DELETE FROM tl.item WHERE id = %s", (item,))


def test_sql_metacharacters_in_search_are_harmless(servers):
    for q in ["' OR 1=1 --", "perceuse & | ! :* ()", "%", "_", "\\", "'; DROP TABLE tl.item; --",
              "perceuse:*", "!perceuse", "<->", "a" * 200]:
        r = servers.get("/tierslieux/outils", params={"q": q})
        assert r.status_code == 200, q
        soup = BeautifulSoup(r.text, "html.parser")
        assert soup.find("input", id="q")["value"] == q
    assert servers.sql("SELECT count(*) FROM tl.item")[0][0] >= 60


def test_places_list_and_offers(servers):
    soup = page(servers, "/tierslieux/lieux")
    names = [a.get_text() for a in soup.select(".tl-card h3 a")]
    assert len(names) >= 2 and "Médiathèque Jules-Verne" in names
    text = soup.get_text(" ", strip=True)
    assert "Outilthèque" in text and "Grainothèque" in text


def test_place_page_hours_zone_and_json_ld(servers):
    import json
    soup = page(servers, "/tierslieux/lieux/mediatheque-jules-verne")
    rows = {tr.th.get_text(): tr.td.get_text() for tr in soup.select("table.tl-hours tbody tr")}
    assert list(rows) == ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    assert rows["lundi"] == "fermé"
    assert rows["mercredi"] == "10 h – 12 h 30, 14 h – 18 h 30"
    assert "Europe/Paris" in soup.select_one("table.tl-hours caption").get_text()
    assert "Fermé les jours fériés." in soup.get_text()
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "Place" and data["name"] == "Médiathèque Jules-Verne"
    assert data["address"]["postalCode"] and data["openingHours"].startswith("Tu,Th,Fr")
    assert "Les Semeurs du Val" in soup.get_text()      # the hosted grainothèque
    overseas = page(servers, "/tierslieux/lieux/tiers-lieu-lakour")
    assert "Indian/Reunion" in overseas.get_text()
    page(servers, "/tierslieux/lieux/nulle-part", status=404)


def test_home_page(servers):
    soup = page(servers, "/tierslieux/")
    assert len(soup.select(".tl-card")) == servers.sql("SELECT count(*) FROM tl.place")[0][0]
    assert page(servers, "/tierslieux").h1.get_text() == soup.h1.get_text()


def test_public_role_cannot_read_members_or_loans(servers):
    import psycopg2
    real = __import__("os").path.realpath(servers.pg)
    password = open(real + "/web-password").read().strip()
    conn = psycopg2.connect(host="127.0.0.1", port=servers.pg_port, user="tierslieux_web",
                            password=password, dbname="tierslieux")
    try:
        for table in ("tl.member", "tl.booking", "tl.seed_lot", "tl.account"):
            with conn.cursor() as cur:
                try:
                    cur.execute(f"SELECT * FROM {table}")
                    raise AssertionError(f"{table} readable by the web role")
                except psycopg2.errors.InsufficientPrivilege:
                    conn.rollback()
    finally:
        conn.close()


def test_head_and_other_methods(servers):
    import requests
    r = requests.head(servers.url("/tierslieux/outils"), timeout=10)
    assert r.status_code == 200 and r.text == "" and int(r.headers["Content-Length"]) > 1000
    r = requests.post(servers.url("/tierslieux/outils"), data={"q": "x"}, timeout=10)
    assert r.status_code == 405
    assert "GET" in r.headers["Allow"]
    assert "Méthode non permise" in r.text
