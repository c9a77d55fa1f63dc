"""Ressourcerie, what goes out: stock items sorted out of an intake, one
identity across the three activities, the till (items, weighed lots, prix
libre, gifts), receipts, append-only sales, the daily closing, an item
sold once whatever the tills do at the same moment, and the public page."""
import threading
from decimal import Decimal

import psycopg2
import pytest
from bs4 import BeautifulSoup

from test_desk_access import login
from test_reuse import start, weigh


def token_of(s, servers, path, **params):
    soup = BeautifulSoup(s.get(servers.url(path), params=params, timeout=10).text, "html.parser")
    return soup.find("input", attrs={"name": "jeton"})["value"]


def new_item(servers, s, token, intake, **fields):
    data = {"jeton": token, "arrivage": intake, "titre": "Chaise bistrot", "description": "Bois courbé",
            "categorie_objet": "m", "poids_objet": "3,75", "prix": "8"}
    data.update(fields)
    return s.post(servers.url("/tierslieux/guichet/ressourcerie/objet"), data=data, allow_redirects=False, timeout=10)


def put_on_sale(servers, s, **fields):
    intake, token = start(servers, s)
    assert weigh(servers, s, token, intake, categorie="m", poids="60").status_code == 303
    r = new_item(servers, s, token, intake, **fields)
    assert r.status_code == 303, r.text[:400]
    return r.headers["Location"].split("n=")[1].split("&")[0], intake


def sell(servers, s, place="la-fabrique", payment="especes", lines=(), token=None):
    token = token or token_of(s, servers, "/tierslieux/guichet/ressourcerie/caisse", lieu=place)
    data = {"jeton": token, "lieu": place, "paiement": payment}
    for n in range(1, 7):
        article, weight, amount = lines[n - 1] if n <= len(lines) else ("", "", "")
        data.update({f"article_{n}": article, f"poids_{n}": weight, f"montant_{n}": amount})
    return s.post(servers.url("/tierslieux/guichet/ressourcerie/caisse"), data=data, allow_redirects=False,
                  timeout=30)


def item_action(servers, s, code, action, token=None, **fields):
    token = token or token_of(s, servers, "/tierslieux/guichet/ressourcerie/objet", n=code)
    return s.post(servers.url("/tierslieux/guichet/ressourcerie/objet/action"), allow_redirects=False, timeout=10,
                  data={"jeton": token, "objet": code, "action": action, **fields})


def test_an_item_is_sorted_out_of_an_intake_with_a_price_or_prix_libre(servers):
    s, _ = login(servers, "referente.fabrique")
    intake, token = start(servers, s)
    r = new_item(servers, s, token, intake)
    assert r.status_code == 303
    code = r.headers["Location"].split("n=")[1].split("&")[0]
    assert servers.sql("SELECT title, category, weight_kg, price, status FROM tl.reuse_item WHERE code = %s",
                       (code,)) == [("Chaise bistrot", "mobilier", Decimal("3.750"), Decimal("8.00"), "en_vente")]
    r = new_item(servers, s, token, intake, titre="Lampe", categorie_objet="d", poids_objet="1,2", prix="")
    assert r.status_code == 303
    assert servers.sql("SELECT price FROM tl.reuse_item WHERE title = 'Lampe' AND intake_id = %s",
                       (int(intake),)) == [(None,)]
    page = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/ressourcerie/arrivage"), params={"n": intake},
                               timeout=10).text, "html.parser")
    assert code in page.get_text() and "prix libre" in page.get_text()
    # Bad input: a French message under the field, nothing created.
    before = servers.sql("SELECT count(*) FROM tl.reuse_item")[0][0]
    for fields, field, words in (({"titre": ""}, "titre", "ce qu'est l'objet"),
                                 ({"poids_objet": "5000"}, "poids_objet", "300 au plus"),
                                 ({"poids_objet": "-2"}, "poids_objet", "kilos"),
                                 ({"prix": "douze"}, "prix", "euros"),
                                 ({"categorie_objet": "z"}, "categorie_objet", "catégorie")):
        r = new_item(servers, s, token, intake, **fields)
        assert r.status_code == 422, fields
        soup = BeautifulSoup(r.text, "html.parser")
        assert words in soup.find(id="erreur-" + field).get_text(), (fields, soup.find(id="erreur-" + field))
        assert soup.find(id=field)["aria-invalid"] == "true"
    assert servers.sql("SELECT count(*) FROM tl.reuse_item")[0][0] == before


def test_a_sale_rings_up_items_and_weighed_lots_and_prints_a_receipt(servers):
    s, _ = login(servers, "referente.fabrique")
    chair, _ = put_on_sale(servers, s, prix="12,5")
    lamp, _ = put_on_sale(servers, s, titre="Lampe", categorie_objet="d", poids_objet="1,2", prix="")
    # Prix libre: the amount paid is required.
    r = sell(servers, s, lines=[(chair, "", ""), (lamp, "", "")])
    assert r.status_code == 422 and "prix libre" in BeautifulSoup(r.text, "html.parser").find(
        id="erreur-lignes").get_text()
    # A weighed lot needs its weight; a line must be readable.
    r = sell(servers, s, lines=[("t", "", "3")])
    assert r.status_code == 422 and "poids" in r.text
    r = sell(servers, s, lines=[("chaise", "", "")])
    assert r.status_code == 422 and "R00012" in r.text
    assert sell(servers, s, lines=[]).status_code == 422
    assert sell(servers, s, payment="troc", lines=[(chair, "", "")]).status_code == 422
    assert servers.sql("SELECT status FROM tl.reuse_item WHERE code IN (%s, %s)", (chair, lamp)) == [
        ("en_vente",), ("en_vente",)]
    # Items at their price or what was paid, a lot of textile by weight.
    r = sell(servers, s, payment="monnaie_locale",
             lines=[(chair.lower(), "", ""), (lamp.lstrip("R0"), "", "2,5"), ("t", "2,35", "4")])
    assert r.status_code == 303, r.text[:500]
    sale = int(r.headers["Location"].split("n=")[1])
    assert servers.sql("SELECT payment, total FROM tl.reuse_sale WHERE id = %s", (sale,)) == [
        ("monnaie_locale", Decimal("19.00"))]
    assert servers.sql("SELECT item_id IS NOT NULL, category, weight_kg, amount FROM tl.reuse_sale_line "
                       "WHERE sale_id = %s ORDER BY line", (sale,)) == [
        (True, "mobilier", Decimal("3.750"), Decimal("12.50")),
        (True, "deco", Decimal("1.200"), Decimal("2.50")),
        (False, "textile", Decimal("2.350"), Decimal("4.00"))]
    receipt = BeautifulSoup(s.get(r.headers["Location"], timeout=10).text, "html.parser")
    text = receipt.get_text(" ")
    assert "Ticket de caisse n°" in receipt.h1.get_text() and "19,00\u00a0€" in text and "monnaie locale" in text
    assert "TVA non applicable" in text and "pas un logiciel de caisse certifié" in text
    assert "Lot textile" in text and chair in text
    # Sold once: the same item again is refused, nothing written.
    count = servers.sql("SELECT count(*) FROM tl.reuse_sale")[0][0]
    r = sell(servers, s, lines=[(chair, "", "")])
    assert r.status_code == 422 and "déjà vendu" in r.text
    assert servers.sql("SELECT count(*) FROM tl.reuse_sale")[0][0] == count
    # Free gifts: every amount 0.
    gift, _ = put_on_sale(servers, s, prix="5")
    r = sell(servers, s, payment="gratuit", lines=[(gift, "", ""), ("l", "1,5", "")])
    assert r.status_code == 303
    assert servers.sql("SELECT total FROM tl.reuse_sale WHERE id = %s",
                       (int(r.headers["Location"].split("n=")[1]),)) == [(Decimal("0.00"),)]


# What the ressourcerie records is never changed nor removed, by anyone.
APPEND_ONLY = {"reuse_weighing", "reuse_sale", "reuse_sale_line", "reuse_closing", "reuse_outflow",
               "reuse_item_event"}


def test_the_ressourcerie_records_are_append_only(servers, db):
    guarded = {t for (t,) in servers.sql(
        "SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
        "WHERE g.tgfoid = 'tl.refuse_change'::regproc AND g.tgenabled = 'O' "
        "AND g.tgtype & 8 <> 0 AND g.tgtype & 16 <> 0")}        # both UPDATE and DELETE
    assert guarded == APPEND_ONLY
    # A closing of a day long past, so that every table holds a row.
    servers.sql("INSERT INTO tl.reuse_closing (place_id, day, sales, total, by_payment, closed_by) "
                "SELECT p.id, date '2020-01-02', 0, 0, '{}', a.id FROM tl.place p, tl.account a "
                "WHERE p.slug = 'la-fabrique' AND a.login = 'referente.fabrique'")
    for table in sorted(APPEND_ONLY):
        column = servers.sql("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                             "AND attidentity = '' AND attgenerated = '' AND NOT attisdropped ORDER BY attnum LIMIT 1",
                             (f"tl.{table}",))[0][0]
        row = servers.sql(f"SELECT ctid::text, x::text FROM tl.{table} x LIMIT 1")
        assert row, f"no row in tl.{table} to try"
        ctid, before = row[0]
        for statement in (f"UPDATE tl.{table} SET {column} = {column} WHERE ctid = %s::tid",
                          f"DELETE FROM tl.{table} WHERE ctid = %s::tid"):
            with db.cursor() as cur, pytest.raises(psycopg2.errors.InsufficientPrivilege) as e:
                cur.execute(statement, (ctid,))
            assert "append-only" in str(e.value), statement
        assert servers.sql(f"SELECT x::text FROM tl.{table} x WHERE ctid = %s::tid", (ctid,)) == [(before,)]


def test_one_item_cannot_be_sold_twice_by_two_tills_at_once(servers):
    s, _ = login(servers, "referente.fabrique")
    code, _ = put_on_sale(servers, s, prix="30")
    tills = [login(servers, "referente.fabrique")[0] for _ in range(8)]
    tokens = [token_of(t, servers, "/tierslieux/guichet/ressourcerie/caisse", lieu="la-fabrique") for t in tills]
    barrier = threading.Barrier(len(tills))
    results = []

    def ring(t, token):
        barrier.wait()
        results.append(sell(servers, t, lines=[(code, "", "")], token=token).status_code)

    threads = [threading.Thread(target=ring, args=pair) for pair in zip(tills, tokens)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == [303] + [422] * 7
    assert servers.sql("SELECT count(*) FROM tl.reuse_sale_line l JOIN tl.reuse_item i ON i.id = l.item_id "
                       "WHERE i.code = %s", (code,)) == [(1,)]
    # Receipt numbers follow each other at the place, whatever the tills do.
    before = servers.sql("SELECT max(number) FROM tl.reuse_sale s JOIN tl.place p ON p.id = s.place_id "
                         "WHERE p.slug = 'la-fabrique'")[0][0]
    others = [put_on_sale(servers, s, prix="2")[0] for _ in range(4)]
    together = threading.Barrier(len(others))

    def ring_one(till, code):
        together.wait()
        results.append(sell(servers, till, lines=[(code, "", "")]).status_code)

    threads = [threading.Thread(target=ring_one, args=(till, c)) for till, c in zip(tills, others)]
    results.clear()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [303] * 4
    numbers = [n for (n,) in servers.sql("SELECT number FROM tl.reuse_sale s JOIN tl.place p ON p.id = s.place_id "
                                         "WHERE p.slug = 'la-fabrique' AND number > %s ORDER BY number", (before,))]
    assert numbers == list(range(before + 1, before + 5))


def test_one_identity_follows_the_object_through_the_three_activities(servers):
    s, _ = login(servers, "referente.fabrique")
    code, _ = put_on_sale(servers, s, titre="Perceuse sans fil", categorie_objet="o", poids_objet="1,6", prix="15")
    session = servers.sql("SELECT s.id FROM tl.repair_session s JOIN tl.place p ON p.id = s.place_id "
                          "WHERE p.slug = 'la-fabrique' AND s.cancelled_at IS NULL AND s.ends_at > now() "
                          "ORDER BY s.starts_at LIMIT 1")[0][0]
    other = servers.sql("SELECT s.id FROM tl.repair_session s JOIN tl.place p ON p.id = s.place_id "
                        "WHERE p.slug <> 'la-fabrique' LIMIT 1")[0][0]
    r = item_action(servers, s, code, "reparation", seance=str(other))
    assert r.status_code == 422 and "séance" in BeautifulSoup(r.text, "html.parser").find(id="erreur-seance").get_text()
    assert item_action(servers, s, code, "reparation", seance=str(session)).status_code == 303
    # The repair café's desk lists it for that session, linked to its page.
    desk = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/reparation"), params={"seance": session},
                               timeout=10).text, "html.parser")
    assert desk.find("a", href=lambda h: h and h.endswith(f"objet?n={code}"))
    assert item_action(servers, s, code, "repare", categorie_ords="outil_electrique", resultat="repare",
                       probleme="Mandrin bloqué", minutes="25").status_code == 303
    obj = servers.sql("SELECT object_id FROM tl.reuse_item WHERE code = %s", (code,))[0][0]
    assert servers.sql("SELECT session_id, status, weight_kg FROM tl.repair_record WHERE object_id = %s", (obj,)) == [
        (session, "repare", Decimal("1.600"))]
    assert servers.sql("SELECT status FROM tl.reuse_item WHERE code = %s", (code,)) == [("en_vente",)]
    # Into the outilthèque: the same object, now a tool to lend.
    token = token_of(s, servers, "/tierslieux/guichet/ressourcerie/objet", n=code)
    r = item_action(servers, s, code, "sortie", destination="outiltheque", categorie_outil="")
    assert r.status_code == 422
    assert item_action(servers, s, code, "sortie", destination="outiltheque",
                       categorie_outil="electroportatif").status_code == 303
    tool = servers.sql("SELECT code, title FROM tl.item WHERE object_id = %s", (obj,))
    assert len(tool) == 1 and tool[0][1] == "Perceuse sans fil"
    page = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/ressourcerie/objet"), params={"n": code},
                               timeout=10).text, "html.parser")
    history = [tuple(td.get_text() for td in tr.find_all("td")[1:]) for tr in page.find("table").tbody.find_all("tr")]
    activities = [a for a, _ in history]
    assert activities[0] == "ressourcerie" and "repair café" in activities and activities[-1] in (
        "outilthèque", "ressourcerie")
    assert any("réparé" in w for _, w in history) and any(tool[0][0] in w for _, w in history)
    assert any(a == "outilthèque" and "prêté 0 fois" in w for a, w in history)
    # Gone: no more changes, and it cannot be sold.
    assert item_action(servers, s, code, "reserver", token=token, note="").status_code == 422
    assert sell(servers, s, lines=[(code, "", "")]).status_code == 422


def test_an_item_weighed_out_counts_as_an_outflow(servers):
    s, _ = login(servers, "referente.fabrique")
    code, _ = put_on_sale(servers, s, titre="Fauteuil déchiré", poids_objet="18,4", prix="")
    assert item_action(servers, s, code, "reserver", note="pour jeudi").status_code == 303
    assert servers.sql("SELECT status FROM tl.reuse_item WHERE code = %s", (code,)) == [("reserve",)]
    assert item_action(servers, s, code, "remettre").status_code == 303
    assert item_action(servers, s, code, "sortie", destination="partout").status_code == 422
    assert item_action(servers, s, code, "sortie", destination="don_reemploi",
                       partenaire="Emmaüs Angers").status_code == 303
    assert servers.sql("SELECT o.destination, o.partner, o.category, o.net_kg FROM tl.reuse_outflow o "
                       "JOIN tl.reuse_item i ON i.id = o.item_id WHERE i.code = %s", (code,)) == [
        ("don_reemploi", "Emmaüs Angers", "mobilier", Decimal("18.400"))]


def test_the_daily_closing_counts_the_day_and_stops_the_till(servers):
    # At another place than the other tests' sales: its till closes today.
    s, _ = login(servers, "admin.reseau")
    intake = servers.sql("SELECT tl.start_intake('admin.reseau', 'tiers-lieu-lakour', 'entreprise', 'Saint-Pierre')")[0][0]
    servers.sql("SELECT tl.weigh('admin.reseau', %s, 'v', 12, NULL, NULL, NULL)", (intake,))
    r = sell(servers, s, place="tiers-lieu-lakour", payment="carte", lines=[("v", "2", "7,5")])
    assert r.status_code == 303
    r = sell(servers, s, place="tiers-lieu-lakour", payment="especes", lines=[("v", "1", "3"), ("v", "0,5", "1,2")])
    assert r.status_code == 303
    page = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/ressourcerie/caisse"),
                               params={"lieu": "tiers-lieu-lakour"}, timeout=10).text, "html.parser")
    totals = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
              for tr in page.find("caption", string="Totaux du jour par mode de paiement").parent.tbody.find_all("tr")}
    assert totals["carte"] == ["1", "7,50\u00a0€"] and totals["espèces"] == ["1", "4,20\u00a0€"]
    assert totals["Total"] == ["2", "11,70\u00a0€"]
    token = page.find("form", action=lambda a: a and a.endswith("/cloture")).find("input", attrs={"name": "jeton"})[
        "value"]
    r = s.post(servers.url("/tierslieux/guichet/ressourcerie/cloture"), allow_redirects=False, timeout=10,
               data={"jeton": token, "lieu": "tiers-lieu-lakour"})
    assert r.status_code == 303
    assert servers.sql("SELECT sales, total, by_payment FROM tl.reuse_closing c JOIN tl.place p ON p.id = c.place_id "
                       "WHERE p.slug = 'tiers-lieu-lakour'") == [(2, Decimal("11.70"), {"carte": 7.5, "especes": 4.2})]
    r = sell(servers, s, place="tiers-lieu-lakour", payment="especes", lines=[("v", "1", "1")], token=token)
    assert r.status_code == 422 and "close" in r.text
    r = s.post(servers.url("/tierslieux/guichet/ressourcerie/cloture"), allow_redirects=False, timeout=10,
               data={"jeton": token, "lieu": "tiers-lieu-lakour"})
    assert r.status_code == 422 and "déjà close" in r.text


def test_only_the_places_team_sees_its_stock_and_sales(servers):
    s, _ = login(servers, "referente.fabrique")
    code, _ = put_on_sale(servers, s, prix="3")
    sale = servers.sql("SELECT s.id FROM tl.reuse_sale s JOIN tl.place p ON p.id = s.place_id "
                       "WHERE p.slug = 'la-fabrique' LIMIT 1")[0][0]
    other, _ = login(servers, "benevole.mediatheque")
    assert other.get(servers.url("/tierslieux/guichet/ressourcerie/objet"), params={"n": code},
                     timeout=10).status_code == 403
    assert other.get(servers.url("/tierslieux/guichet/ressourcerie/ticket"), params={"n": sale},
                     timeout=10).status_code == 403
    assert other.get(servers.url("/tierslieux/guichet/ressourcerie/caisse"), params={"lieu": "la-fabrique"},
                     timeout=10).status_code == 403
    r = sell(servers, other, place="mediatheque-jules-verne", lines=[(code, "", "")])
    assert r.status_code == 422 and "autre lieu" in r.text
    assert s.get(servers.url("/tierslieux/guichet/ressourcerie/objet"), params={"n": "R99999999"},
                 timeout=10).status_code == 404
    assert s.get(servers.url("/tierslieux/guichet/ressourcerie/objet"), params={"n": "<b>"},
                 timeout=10).status_code == 400
    assert s.get(servers.url("/tierslieux/guichet/ressourcerie/ticket"), params={"n": "x"},
                 timeout=10).status_code == 400


def test_residents_see_what_is_on_sale_now_by_category(servers):
    s, _ = login(servers, "referente.fabrique")
    on_sale, _ = put_on_sale(servers, s, titre="Buffet en chêne", poids_objet="45", prix="80")
    sold, _ = put_on_sale(servers, s, titre="Guéridon vendu", poids_objet="6", prix="10")
    assert sell(servers, s, lines=[(sold, "", "")]).status_code == 303
    r = servers.get("/tierslieux/ressourcerie", params={"lieu": "la-fabrique"})
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    section = soup.find("h2", string="Mobilier").find_parent("section")
    titles = [h.get_text() for h in section.find_all("h3")]
    assert "Buffet en chêne" in titles and "Guéridon vendu" not in titles
    assert "80,00\u00a0€" in section.get_text()
    # Nothing of who brought, reserved or bought anything.
    assert "Nadia" not in r.text and "ticket" not in r.text.lower()
    assert servers.get("/tierslieux/ressourcerie", params={"lieu": "Pas un lieu"}).status_code == 400
    empty = BeautifulSoup(servers.get("/tierslieux/ressourcerie", params={"lieu": "mediatheque-jules-verne"}).text,
                          "html.parser")
    assert "Rien n'est en vente" in empty.get_text()


def test_a_sale_is_cancelled_by_a_new_receipt_and_its_items_go_back_on_sale(servers):
    s, _ = login(servers, "referente.fabrique")
    code, _ = put_on_sale(servers, s, titre="Miroir ovale", categorie_objet="d", poids_objet="2,2", prix="9")
    report = ("SELECT key, kg, n, amount FROM tl.reuse_report('referente.fabrique', 'la-fabrique', 'jour', "
              "(now() AT TIME ZONE 'Europe/Paris')::date, NULL) WHERE section = 'ventes'")
    before = servers.sql(report)
    r = sell(servers, s, payment="carte", lines=[(code, "", ""), ("v", "1,5", "2")])
    assert r.status_code == 303
    sale = int(r.headers["Location"].split("n=")[1])
    assert servers.sql(report) == [("total", before[0][1] + Decimal("3.700"), before[0][2] + 1,
                                    before[0][3] + Decimal("11.00"))]
    token = token_of(s, servers, "/tierslieux/guichet/ressourcerie/ticket", n=sale)
    cancel = lambda sale_id, reason: s.post(servers.url("/tierslieux/guichet/ressourcerie/annuler"),
                                            allow_redirects=False, timeout=10,
                                            data={"jeton": token, "vente": str(sale_id), "raison": reason})
    r = cancel(sale, "")
    assert r.status_code == 422 and "pourquoi" in BeautifulSoup(r.text, "html.parser").find(id="erreur-raison").get_text()
    r = cancel(sale, "Erreur de caisse : payé en espèces")
    assert r.status_code == 303
    cancellation = int(r.headers["Location"].split("n=")[1])
    # A receipt of its own, the opposite total; the sale itself untouched.
    assert servers.sql("SELECT cancels, payment, total FROM tl.reuse_sale WHERE id = %s", (cancellation,)) == [
        (sale, "carte", Decimal("-11.00"))]
    assert servers.sql("SELECT total FROM tl.reuse_sale WHERE id = %s", (sale,)) == [(Decimal("11.00"),)]
    text = BeautifulSoup(s.get(r.headers["Location"], timeout=10).text, "html.parser").get_text(" ")
    assert "Annulation de la vente du ticket" in text and "Erreur de caisse" in text and "-11,00\u00a0€" in text
    text = BeautifulSoup(s.get(servers.url("/tierslieux/guichet/ressourcerie/ticket"), params={"n": sale},
                               timeout=10).text, "html.parser").get_text(" ")
    assert "Vente annulée le" in text
    # The item is on sale again, and its history says why; the report leaves
    # the cancelled sale out.
    assert servers.sql("SELECT status FROM tl.reuse_item WHERE code = %s", (code,)) == [("en_vente",)]
    page = s.get(servers.url("/tierslieux/guichet/ressourcerie/objet"), params={"n": code}, timeout=10).text
    assert "vente annulée" in page
    assert servers.sql(report) == before
    # Once only; a cancellation is not cancelled; the item sells again.
    r = cancel(sale, "encore")
    assert r.status_code == 422 and "déjà annulée" in r.text
    r = cancel(cancellation, "encore")
    assert r.status_code == 422 and "est une annulation" in r.text
    assert sell(servers, s, lines=[(code, "", "")]).status_code == 303
    assert sell(servers, s, lines=[(code, "", "")]).status_code == 422
    assert servers.sql("SELECT count(*) FROM tl.reuse_sale_line l JOIN tl.reuse_item i ON i.id = l.item_id "
                       "WHERE i.code = %s", (code,)) == [(2,)]
