"""The back office (/gestion): référents run their place's catalogue,
settings, closures and team from the browser; the network's admins set the
loan rules. Every refusal is a French sentence next to its field, changes
nothing, and the journal says who changed what."""
from bs4 import BeautifulSoup

from test_desk_access import login

FABRIQUE = "la-fabrique"
MEDIATHEQUE = "mediatheque-jules-verne"


def page(servers, s, path, **params):
    r = s.get(servers.url("/tierslieux" + path), params=params, allow_redirects=False, timeout=10)
    return r, BeautifulSoup(r.text, "html.parser")


def token(soup, action=None):
    form = soup.find("form", action=lambda a: a and a.endswith(action)) if action else soup
    return form.find("input", attrs={"name": "jeton"})["value"]


def post(servers, s, path, data):
    return s.post(servers.url("/tierslieux" + path), data=data, allow_redirects=False, timeout=10)


def item_form(servers, s, **fields):
    _, soup = page(servers, s, "/gestion/objet", lieu=FABRIQUE)
    data = {"jeton": token(soup, "/gestion/objet"), "existant": "", "numero": "", "lieu": FABRIQUE,
            "titre": "", "marque": "", "description": "", "categorie": "bricolage", "etat": "bon",
            "code_barres": "", "caution": "", "duree": "", "controle_jours": "", "controle_date": ""}
    data.update(fields)
    return data


def error_of(soup, field):
    box = soup.find(id="erreur-" + field)
    return box.get_text() if box else None


def test_only_referents_open_the_back_office(servers, expect_log):
    expect_log.append("AH01631")            # httpd notes the bénévole's refused authorization
    r = servers.get("/tierslieux/gestion", allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/connexion")
    volunteer, _ = login(servers, "benevole.mediatheque")
    r, soup = page(servers, volunteer, "/gestion")
    assert r.status_code == 403 and soup.h1
    referent, _ = login(servers, "referente.fabrique")
    r, soup = page(servers, referent, "/gestion")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    assert [th.get_text() for th in soup.select("tbody th")] == ["La Fabrique"]
    # A place they do not run: refused, whatever the page.
    for path in ("/gestion/objets", "/gestion/lieu", "/gestion/equipe", "/gestion/journal"):
        r, soup = page(servers, referent, path, lieu=MEDIATHEQUE)
        assert r.status_code == 403, path
        assert "Médiathèque" not in soup.get_text()


def test_a_referent_adds_edits_and_retires_an_item(servers, db):
    s, _ = login(servers, "referente.fabrique")
    r = post(servers, s, "/gestion/objet", item_form(servers, s, titre="Ponceuse à bande du test", marque="Makita",
                                                     description="Avec trois bandes de grain 80.",
                                                     categorie="electroportatif", code_barres="KOHA-778899",
                                                     caution="25,50", duree="21", controle_jours="365",
                                                     controle_date="2026-06-01"))
    assert r.status_code == 303, r.text
    code = r.headers["Location"].split("fait=")[1]
    row = servers.sql("SELECT i.title, i.barcode, i.deposit::text, i.loan_days, p.slug, c.slug FROM tl.item i "
                      "JOIN tl.place p ON p.id = i.place_id JOIN tl.category c ON c.id = i.category_id "
                      "WHERE i.code = %s", (code,))
    assert row == [("Ponceuse à bande du test", "KOHA-778899", "25.50", 21, FABRIQUE, "electroportatif")]
    assert code.startswith("FC-")
    item_id = servers.sql("SELECT id FROM tl.item WHERE code = %s", (code,))[0][0]
    assert "Ponceuse à bande du test" in servers.get(f"/tierslieux/outils/{item_id}").text
    # The old label scans at the desk.
    desk, _ = login(servers, "admin.reseau")
    r, soup = page(servers, desk, "/guichet/objet", numero="KOHA-778899")
    assert r.status_code == 200 and code in soup.h2.get_text()

    # Edit: the form comes filled with the item's values.
    r, soup = page(servers, s, "/gestion/objet", numero=code)
    assert soup.find("input", attrs={"name": "titre"})["value"] == "Ponceuse à bande du test"
    assert soup.find("select", attrs={"name": "categorie"}).find("option", selected=True)["value"] == "electroportatif"
    data = item_form(servers, s, existant=code, numero=code, titre="Ponceuse à bande", categorie="electroportatif",
                     code_barres="KOHA-778899", etat="correct")
    assert post(servers, s, "/gestion/objet", data).status_code == 303
    assert servers.sql("SELECT title, condition FROM tl.item WHERE code = %s", (code,)) == [("Ponceuse à bande",
                                                                                               "correct")]

    # Retiring needs a reason, keeps the row, and takes it off the catalogue.
    _, soup = page(servers, s, "/gestion/objet", numero=code)
    t = token(soup, "/gestion/objet/etat")
    r = post(servers, s, "/gestion/objet/etat", {"jeton": t, "existant": code, "action": "retirer", "raison": ""})
    assert r.status_code == 422
    r = post(servers, s, "/gestion/objet/etat", {"jeton": t, "existant": code, "action": "retirer",
                                                  "raison": "Moteur grillé"})
    assert r.status_code == 303
    assert servers.sql("SELECT retired_at IS NOT NULL FROM tl.item WHERE code = %s", (code,)) == [(True,)]
    assert servers.get(f"/tierslieux/outils/{item_id}").status_code == 404
    r, soup = page(servers, s, "/gestion/objets", lieu=FABRIQUE, retires="1", q=code)
    assert "retiré" in soup.select_one("tbody").get_text()
    # Back in service.
    r = post(servers, s, "/gestion/objet/etat", {"jeton": t, "existant": code, "action": "remettre"})
    assert r.status_code == 303
    assert servers.get(f"/tierslieux/outils/{item_id}").status_code == 200
    # The journal says who did what.
    _, soup = page(servers, s, "/gestion/journal", lieu=FABRIQUE)
    text = soup.select_one("tbody").get_text()
    for action in ("objet.creation", "objet.modification", "objet.retrait", "objet.remise"):
        assert action in text
    assert "Nadia (référente)" in text and "Moteur grillé" in text


def test_mistakes_in_the_item_form_change_nothing(servers, expect_log):
    expect_log.append("TLX0501")            # the missing token is logged, without the form's values
    s, _ = login(servers, "referente.fabrique")
    before = servers.sql("SELECT count(*), max(id) FROM tl.item")
    used = servers.sql("SELECT code FROM tl.item ORDER BY id LIMIT 1")[0][0]
    cases = [
        ({"titre": "Scie", "numero": used}, "numero", "déjà celui d'un autre objet"),
        ({"titre": "Scie", "numero": "pas un numéro !"}, "numero", "lettres, chiffres et tirets"),
        ({"titre": ""}, "titre", "nom de l'objet"),
        ({"titre": "Scie", "duree": "0"}, "duree", "entre 1 et 365"),
        ({"titre": "Scie", "caution": "douze"}, "caution", "montant en euros"),
        ({"titre": "Scie", "categorie": "inconnue"}, "categorie", "catégorie de la liste"),
        ({"titre": "Scie", "controle_date": "2026-13-45"}, "controle_date", "date"),
        ({"titre": "Scie", "controle_date": "2099-01-01"}, "controle_date", "futur"),
    ]
    for fields, field, words in cases:
        r = post(servers, s, "/gestion/objet", item_form(servers, s, **fields))
        assert r.status_code == 422, fields
        soup = BeautifulSoup(r.text, "html.parser")
        assert words in error_of(soup, field), (fields, error_of(soup, field))
        assert soup.find(attrs={"name": field})["aria-invalid"] == "true"
        assert soup.find(attrs={"role": "alert"})
        # What was typed is still there.
        if fields.get("titre"):
            assert soup.find("input", attrs={"name": "titre"})["value"] == fields["titre"]
    assert servers.sql("SELECT count(*), max(id) FROM tl.item") == before
    # No token, no change.
    data = item_form(servers, s, titre="Sans jeton")
    del data["jeton"]
    assert post(servers, s, "/gestion/objet", data).status_code == 403
    assert servers.sql("SELECT count(*), max(id) FROM tl.item") == before


def test_a_referent_cannot_touch_another_place(servers):
    s, _ = login(servers, "referente.fabrique")
    before = servers.sql("SELECT count(*) FROM tl.item")
    r = post(servers, s, "/gestion/objet", item_form(servers, s, titre="Intrus", lieu=MEDIATHEQUE))
    assert r.status_code == 403 and "rien n'a été changé" in r.text.lower()
    other = servers.sql("SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id "
                        "WHERE p.slug = %s AND i.retired_at IS NULL ORDER BY i.code LIMIT 1", (MEDIATHEQUE,))[0][0]
    r, _ = page(servers, s, "/gestion/objet", numero=other)
    assert r.status_code == 403
    r = post(servers, s, "/gestion/objet", item_form(servers, s, existant=other, numero=other, titre="Volé"))
    assert r.status_code == 403
    # Nor move one of theirs there.
    mine = servers.sql("SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id "
                       "WHERE p.slug = %s AND i.retired_at IS NULL ORDER BY i.code LIMIT 1", (FABRIQUE,))[0][0]
    r = post(servers, s, "/gestion/objet", item_form(servers, s, existant=mine, numero=mine, titre="Déménagé",
                                                     lieu=MEDIATHEQUE))
    assert r.status_code == 403
    assert servers.sql("SELECT count(*) FROM tl.item") == before
    assert servers.sql("SELECT title <> 'Volé' FROM tl.item WHERE code = %s", (other,)) == [(True,)]
    # Team and settings of the other place: refused too.
    _, soup = page(servers, s, "/gestion/equipe", lieu=FABRIQUE)
    r = post(servers, s, "/gestion/equipe", {"jeton": token(soup, "/gestion/equipe"), "lieu": MEDIATHEQUE,
                                             "action": "role", "identifiant": "intrus", "nom": "Intrus",
                                             "role": "benevole"})
    assert r.status_code == 403
    assert servers.sql("SELECT count(*) FROM tl.account WHERE login = 'intrus'") == [(0,)]


def test_an_item_on_loan_cannot_be_retired(servers):
    s, _ = login(servers, "referente.fabrique")
    code = servers.sql("SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id "
                       "JOIN tl.item_availability a ON a.item_id = i.id WHERE p.slug = %s AND a.state = 'pret' "
                       "ORDER BY i.code LIMIT 1", (FABRIQUE,))[0][0]
    _, soup = page(servers, s, "/gestion/objet", numero=code)
    r = post(servers, s, "/gestion/objet/etat", {"jeton": token(soup, "/gestion/objet/etat"), "existant": code,
                                                  "action": "retirer", "raison": "Perdu"})
    assert r.status_code == 422
    assert "après son retour" in error_of(BeautifulSoup(r.text, "html.parser"), "raison")
    assert servers.sql("SELECT retired_at FROM tl.item WHERE code = %s", (code,)) == [(None,)]


def test_loan_rules_are_the_admins_and_hold_at_the_desk(servers, db, expect_log):
    expect_log.append("AH01631")
    referent, _ = login(servers, "referente.fabrique")
    _, soup = page(servers, referent, "/gestion/categories")
    assert soup.find("form", action=lambda a: a and a.endswith("/gestion/categorie")) is None
    assert "Seule la coordination du réseau" in soup.get_text()
    admin, _ = login(servers, "admin.reseau")
    _, soup = page(servers, admin, "/gestion/categories")
    t = token(soup, "/gestion/categorie")
    # The référent gets no form (nor its token), and the database refuses
    # them anyway.
    expect_log.append("TLX0501")
    _, rsoup = page(servers, referent, "/gestion/lieu", lieu=FABRIQUE)
    r = post(servers, referent, "/gestion/categorie", {"jeton": token(rsoup, "/gestion/lieu"), "categorie": "jardinage",
                                                       "nom": "Jardinage", "duree": "60"})
    assert r.status_code == 403
    cur = db.cursor()
    try:
        cur.execute("SELECT tl.save_category('referente.fabrique', 'jardinage', 'Jardinage', "
                    "60, 1, NULL, NULL)")
        raise AssertionError("a référent changed a loan rule")
    except Exception as e:                          # noqa: BLE001
        db.rollback()
        assert e.pgcode == "42501" and "coordination du réseau" in str(e)
    volunteer, _ = login(servers, "benevole.mediatheque")
    assert post(servers, volunteer, "/gestion/categorie", {"categorie": "jardinage"}).status_code == 403

    before = servers.sql("SELECT loan_days, max_renewals FROM tl.category WHERE slug = 'jardinage'")
    r = post(servers, admin, "/gestion/categorie", {"jeton": t, "categorie": "jardinage", "nom": "Jardinage",
                                                    "duree": "0", "prolongations": "1"})
    assert r.status_code == 422
    assert "de 1 à 365 jours" in error_of(BeautifulSoup(r.text, "html.parser"), "duree")
    assert servers.sql("SELECT loan_days, max_renewals FROM tl.category WHERE slug = 'jardinage'") == before

    # One item of a category per member: the second loan is refused.
    r = post(servers, admin, "/gestion/categorie", {"jeton": t, "categorie": "jardinage", "nom": "Jardinage",
                                                    "duree": before[0][0], "prolongations": before[0][1],
                                                    "caution": "", "maximum": "1"})
    assert r.status_code == 303
    try:
        items = servers.sql("SELECT i.code FROM tl.item i JOIN tl.category c ON c.id = i.category_id "
                            "JOIN tl.item_availability a ON a.item_id = i.id JOIN tl.place p ON p.id = i.place_id "
                            "WHERE c.slug = 'jardinage' AND a.state = 'disponible' AND i.retired_at IS NULL "
                            "AND i.safety_check_days IS NULL AND p.slug = %s ORDER BY i.code LIMIT 2", (MEDIATHEQUE,))
        number = servers.sql("SELECT tl.register_member('benevole.mediatheque', %s, 'Limite', 'Léa', "
                             "'lea.limite@exemple.fr', '', NULL, true)", (MEDIATHEQUE,))[0][0]
        servers.sql("SELECT tl.check_out('benevole.mediatheque', %s, %s, false)",
                    (number, items[0][0]))
        cur = db.cursor()
        try:
            cur.execute("SELECT tl.check_out('benevole.mediatheque', %s, %s, false)",
                        (number, items[1][0]))
            raise AssertionError("a second garden tool was lent")
        except Exception as e:                      # noqa: BLE001 — psycopg2's error carries the message
            db.rollback()
            assert "c'est le maximum" in str(e) and e.diag.constraint_name == "booking_member_item_limit"
        servers.sql("SELECT tl.check_in('benevole.mediatheque', %s, 'bon', NULL)", (items[0][0],))
    finally:
        servers.sql("UPDATE tl.category SET max_items = NULL WHERE slug = 'jardinage'")
    # The network's changes are in its admins' journal, not in a référent's.
    assert "categorie.regles" in page(servers, admin, "/gestion/journal", lieu=FABRIQUE)[1].get_text()
    assert "categorie.regles" not in page(servers, referent, "/gestion/journal", lieu=FABRIQUE)[1].get_text()


def test_the_place_settings_and_closures(servers):
    s, _ = login(servers, "referente.fabrique")
    r, soup = page(servers, s, "/gestion/lieu", lieu=FABRIQUE)
    form = soup.find("form", action=lambda a: a and a.endswith("/gestion/lieu"))
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("type") != "checkbox"}
    data.update({t["name"]: t.get_text() for t in form.find_all("textarea")})
    original = dict(data)
    data["horaires"] = "Lu 10:00-12:00"
    r = post(servers, s, "/gestion/lieu", data)
    assert r.status_code == 422
    msg = error_of(BeautifulSoup(r.text, "html.parser"), "horaires")
    assert "ne se lisent pas" in msg and "Lu" in msg
    data["horaires"] = "Tu-Fr 14:00-18:30; Sa 10:00-17:00; PH off"
    data["code_postal"] = "3500"
    r = post(servers, s, "/gestion/lieu", data)
    assert r.status_code == 422 and "cinq chiffres" in error_of(BeautifulSoup(r.text, "html.parser"), "code_postal")
    # What was typed stays in the form.
    assert BeautifulSoup(r.text, "html.parser").find("input", attrs={"name": "horaires"})["value"] == data["horaires"]
    data["code_postal"] = original["code_postal"]
    data["cotisations"] = "1"
    r = post(servers, s, "/gestion/lieu", data)
    assert r.status_code == 303
    try:
        assert servers.sql("SELECT opening_hours, uses_fees FROM tl.place WHERE slug = %s", (FABRIQUE,)) == [
            (data["horaires"], True)]
        assert "18 h 30" in servers.get(f"/tierslieux/lieux/{FABRIQUE}").text
    finally:
        post(servers, s, "/gestion/lieu", original)

    _, soup = page(servers, s, "/gestion/lieu", lieu=FABRIQUE)
    t = token(soup, "/gestion/lieu/fermeture")
    # Dates from the database's today, in the place's zone.
    first, last, inside = servers.sql("SELECT d + 40, d + 45, d + 43 FROM (SELECT (now() AT TIME ZONE time_zone)::date "
                                      "AS d FROM tl.place WHERE slug = %s) t", (FABRIQUE,))[0]
    r = post(servers, s, "/gestion/lieu/fermeture", {"jeton": t, "lieu": FABRIQUE, "debut": last.isoformat(),
                                                     "fin": first.isoformat(), "raison": "Travaux"})
    assert r.status_code == 422 and "après" in error_of(BeautifulSoup(r.text, "html.parser"), "fin")
    assert servers.sql("SELECT count(*) FROM tl.place_closure") == [(0,)]
    r = post(servers, s, "/gestion/lieu/fermeture", {"jeton": t, "lieu": FABRIQUE, "debut": first.isoformat(),
                                                     "fin": last.isoformat(), "raison": "Travaux de peinture"})
    assert r.status_code == 303
    r = post(servers, s, "/gestion/lieu/fermeture", {"jeton": t, "lieu": FABRIQUE, "debut": inside.isoformat(),
                                                     "fin": "", "raison": "Inventaire"})
    assert r.status_code == 422 and "chevauche" in error_of(BeautifulSoup(r.text, "html.parser"), "debut")
    assert servers.sql("SELECT count(*) FROM tl.place_closure") == [(1,)]
    _, soup = page(servers, s, "/gestion/lieu", lieu=FABRIQUE)
    from test_reminders import date_fr
    assert f"du {date_fr(first)} au {date_fr(last)}" in soup.get_text()
    closure = soup.find("input", attrs={"name": "supprimer"})["value"]
    assert post(servers, s, "/gestion/lieu/fermeture", {"jeton": t, "lieu": FABRIQUE,
                                                        "supprimer": closure}).status_code == 303
    assert servers.sql("SELECT count(*) FROM tl.place_closure") == [(0,)]


def test_the_team_of_a_place(servers, expect_log):
    expect_log += ["AH01631", "AH01807", "AH01808"]  # mod_auth_form: a session that ended, a deactivated login
    s, _ = login(servers, "referente.fabrique")
    _, soup = page(servers, s, "/gestion/equipe", lieu=FABRIQUE)
    assert "Nous ne gardons que son nom affiché" in soup.get_text()      # why we keep what we keep
    t = token(soup, "/gestion/equipe")
    base = {"jeton": t, "lieu": FABRIQUE}
    r = post(servers, s, "/gestion/equipe", {**base, "action": "role", "identifiant": "Jean Dupont", "nom": "Jean",
                                             "role": "benevole"})
    assert r.status_code == 422 and "minuscules" in error_of(BeautifulSoup(r.text, "html.parser"), "identifiant")
    r = post(servers, s, "/gestion/equipe", {**base, "action": "role", "identifiant": "jean.dupont",
                                             "nom": "Jean (bénévole)", "role": "benevole"})
    assert r.status_code == 303
    assert servers.sql("SELECT a.display_name, r.role, a.password_hash FROM tl.account a JOIN tl.account_role r "
                       "ON r.account_id = a.id WHERE a.login = 'jean.dupont'") == [("Jean (bénévole)", "benevole", None)]
    # A référent gives no admin role.
    r = post(servers, s, "/gestion/equipe", {**base, "action": "role", "identifiant": "jean.dupont", "nom": "",
                                             "role": "admin"})
    assert r.status_code == 403
    # Nobody removes or deactivates themselves.
    r = post(servers, s, "/gestion/equipe", {**base, "action": "desactiver", "identifiant": "referente.fabrique"})
    assert r.status_code == 422 and "propre compte" in r.text
    # Deactivated: the session already open ends at once (back to the login
    # form), and a new login with the right password is refused.
    servers.sql("UPDATE tl.account SET password_hash = (SELECT password_hash FROM tl.account "
                "WHERE login = 'referente.fabrique') WHERE login = 'jean.dupont'")
    jean, r = login(servers, "jean.dupont", "Perceuse-2026")
    assert r.status_code == 302 and page(servers, jean, "/guichet")[0].status_code == 200
    assert post(servers, s, "/gestion/equipe", {**base, "action": "desactiver",
                                                "identifiant": "jean.dupont"}).status_code == 303
    r = page(servers, jean, "/guichet")[0]
    assert r.status_code == 302 and r.headers["Location"].endswith("/tierslieux/connexion")
    assert servers.sql("SELECT tl.account_password('jean.dupont')") == [(None,)]
    again, _ = login(servers, "jean.dupont", "Perceuse-2026")
    assert page(servers, again, "/guichet")[0].status_code in (302, 403)
    assert post(servers, s, "/gestion/equipe", {**base, "action": "retirer",
                                                "identifiant": "jean.dupont"}).status_code == 303
    assert servers.sql("SELECT count(*) FROM tl.account_role r JOIN tl.account a ON a.id = r.account_id "
                       "WHERE a.login = 'jean.dupont'") == [(0,)]
    _, soup = page(servers, s, "/gestion/journal", lieu=FABRIQUE)
    text = soup.select_one("tbody").get_text()
    for action in ("compte.creation", "compte.role", "compte.desactivation", "compte.retrait"):
        assert action in text


def test_no_due_date_falls_in_a_closure(servers):
    import datetime
    from test_desk_lending import desk, free_item, member_without_late_items, post as desk_post

    referent, _ = login(servers, "admin.reseau")
    item, member = free_item(servers, MEDIATHEQUE), member_without_late_items(servers)
    loan_days = servers.sql("SELECT coalesce(i.loan_days, c.loan_days) FROM tl.item i JOIN tl.category c "
                            "ON c.id = i.category_id WHERE i.code = %s", (item,))[0][0]
    first = datetime.date.today() + datetime.timedelta(days=loan_days)
    last = first + datetime.timedelta(days=9)
    _, soup = page(servers, referent, "/gestion/lieu", lieu=MEDIATHEQUE)
    r = post(servers, referent, "/gestion/lieu/fermeture", {"jeton": token(soup, "/gestion/lieu/fermeture"),
                                                            "lieu": MEDIATHEQUE, "debut": first.isoformat(),
                                                            "fin": last.isoformat(), "raison": "Inventaire annuel"})
    assert r.status_code == 303
    try:
        # The public page of the place says so.
        assert "Inventaire annuel" in servers.get(f"/tierslieux/lieux/{MEDIATHEQUE}").text
        s, t, _ = desk(servers)
        r = desk_post(s, servers, "/tierslieux/guichet/pret/verifier", {"jeton": t, "adherent": member, "objet": item})
        due = datetime.date.fromisoformat(BeautifulSoup(r.text, "html.parser").find("time")["datetime"])
        assert due > last and due.weekday() not in (0, 6)
    finally:
        servers.sql("DELETE FROM tl.place_closure")


def test_species_varieties_and_lots(servers):
    s, _ = login(servers, "referente.fabrique")
    r, soup = page(servers, s, "/gestion/graines", lieu=FABRIQUE)
    assert r.status_code == 200
    t = token(soup, "/gestion/graines")
    base = {"jeton": t, "lieu": FABRIQUE}
    existing = servers.sql("SELECT common_name FROM tl.seed_species ORDER BY id LIMIT 1")[0][0]
    r = post(servers, s, "/gestion/graines", {**base, "quoi": "espece", "espece_nom": existing,
                                              "espece_latin": "X", "espece_famille": "Y"})
    assert r.status_code == 422 and "déjà ce nom" in error_of(BeautifulSoup(r.text, "html.parser"), "espece_nom")
    r = post(servers, s, "/gestion/graines", {**base, "quoi": "espece", "espece_nom": "Amarante",
                                              "espece_latin": "Amaranthus caudatus", "espece_famille": "Amaranthacées"})
    assert r.status_code == 303
    species = servers.sql("SELECT id FROM tl.seed_species WHERE common_name = 'Amarante'")[0][0]
    r = post(servers, s, "/gestion/graines", {**base, "quoi": "variete", "variete_espece": str(species),
                                              "variete_nom": "", "variete_description": ""})
    assert r.status_code == 422 and "nom de la variété" in error_of(BeautifulSoup(r.text, "html.parser"),
                                                                    "variete_nom")
    r = post(servers, s, "/gestion/graines", {**base, "quoi": "variete", "variete_espece": str(species),
                                              "variete_nom": "Queue de renard", "variete_description": "Rouge",
                                              "variete_semis": "Mai, en place"})
    assert r.status_code == 303
    variety = servers.sql("SELECT id FROM tl.seed_variety WHERE name = 'Queue de renard'")[0][0]
    # Editing: the form comes filled.
    _, soup = page(servers, s, "/gestion/graines", lieu=FABRIQUE, variete=variety)
    assert soup.find("input", attrs={"name": "variete_nom"})["value"] == "Queue de renard"
    assert soup.find("select", attrs={"name": "variete_espece"}).find("option", selected=True)["value"] == str(species)
    # A lot of the place whose seeds went bad is emptied, with the reason in the journal.
    lot, left = servers.sql("SELECT l.id, st.packets FROM tl.seed_lot l JOIN tl.seed_lot_stock st ON st.lot_id = l.id "
                            "JOIN tl.place p ON p.id = l.place_id WHERE p.slug = %s AND st.packets > 0 "
                            "ORDER BY l.id LIMIT 1", (FABRIQUE,))[0]
    r = post(servers, s, "/gestion/graines", {**base, "quoi": "lot", "lot": str(lot), "lot_raison": ""})
    assert r.status_code == 422
    r = post(servers, s, "/gestion/graines", {**base, "quoi": "lot", "lot": str(lot),
                                              "lot_raison": "Germination sous 30 %"})
    assert r.status_code == 303
    assert servers.sql("SELECT packets FROM tl.seed_lot_stock WHERE lot_id = %s", (lot,)) == [(0,)]
    _, soup = page(servers, s, "/gestion/journal", lieu=FABRIQUE)
    assert f"{left} sachet(s) : Germination sous 30 %" in soup.get_text()
    # A lot of another place: refused.
    other = servers.sql("SELECT l.id FROM tl.seed_lot l JOIN tl.place p ON p.id = l.place_id "
                        "WHERE p.slug <> %s ORDER BY l.id LIMIT 1", (FABRIQUE,))[0][0]
    r = post(servers, s, "/gestion/graines", {**base, "quoi": "lot", "lot": str(other), "lot_raison": "Intrus"})
    assert r.status_code == 403


def test_a_place_uses_its_own_impact_factors(servers):
    s, _ = login(servers, "referente.fabrique")
    _, soup = page(servers, s, "/gestion/lieu", lieu=FABRIQUE)
    section = soup.find(id="impact").find_parent("section")
    rows = {th.contents[0].strip(): th.find_next("td").get_text() for th in section.select("tbody th")}
    assert rows["Part des emprunts comptés comme un achat évité"].startswith("0,5 part")
    t = token(soup, "/gestion/lieu/impact")
    base = {"jeton": t, "lieu": FABRIQUE, "facteur": "pret_achat_evite"}
    r = post(servers, s, "/gestion/lieu/impact", {**base, "valeur": "1,5", "source": "Étude"})
    assert r.status_code == 422 and "entre 0 et 1" in error_of(BeautifulSoup(r.text, "html.parser"), "valeur")
    r = post(servers, s, "/gestion/lieu/impact", {**base, "valeur": "0,3", "source": ""})
    assert r.status_code == 422 and "source" in error_of(BeautifulSoup(r.text, "html.parser"), "source")
    r = post(servers, s, "/gestion/lieu/impact", {**base, "valeur": "0,3", "source": "Enquête des adhérents, 2026"})
    assert r.status_code == 303
    # The place's own value from today; the network's and other places' stay.
    assert servers.sql("SELECT value::float8, source, own FROM tl.impact_factors(%s) WHERE key = 'pret_achat_evite'",
                       (FABRIQUE,)) == [(0.3, "Enquête des adhérents, 2026", True)]
    assert servers.sql("SELECT value::float8, own FROM tl.impact_factors('mediatheque-jules-verne') "
                       "WHERE key = 'pret_achat_evite'") == [(0.5, False)]
    # Yesterday's figures keep yesterday's factor.
    assert servers.sql("SELECT value::float8 FROM tl.impact_factors(%s, current_date - 1) "
                       "WHERE key = 'pret_achat_evite'", (FABRIQUE,)) == [(0.5,)]
    _, soup = page(servers, s, "/gestion/lieu", lieu=FABRIQUE)
    assert "propre au lieu ; réseau : 0,5" in soup.get_text()
    # Back to the network's.
    assert post(servers, s, "/gestion/lieu/impact", {**base, "valeur": "", "source": ""}).status_code == 303
    assert servers.sql("SELECT value::float8, own FROM tl.impact_factors(%s) WHERE key = 'pret_achat_evite'",
                       (FABRIQUE,)) == [(0.5, False)]


def test_a_referent_gives_a_volunteer_a_password_link(servers, expect_log):
    import re
    import requests
    s, _ = login(servers, "referente.fabrique")
    _, soup = page(servers, s, "/gestion/equipe", lieu=FABRIQUE)
    t = token(soup, "/gestion/equipe")
    assert post(servers, s, "/gestion/equipe", {"jeton": t, "lieu": FABRIQUE, "action": "role",
                                                "identifiant": "lea.cle", "nom": "Léa (bénévole)",
                                                "role": "benevole"}).status_code == 303
    _, soup = page(servers, s, "/gestion/equipe", lieu=FABRIQUE)
    form = [i.find_parent("form") for i in soup.find_all("input", attrs={"name": "identifiant", "value": "lea.cle"})
            if i.find_parent("form")["action"].endswith("/gestion/equipe/lien")][0]
    r = post(servers, s, "/gestion/equipe/lien", {"jeton": token(form), "lieu": FABRIQUE, "identifiant": "lea.cle"})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    link = BeautifulSoup(r.text, "html.parser").find(id="lien").get_text()
    secret = re.search(r"jeton=([A-Za-z0-9_-]{43})$", link).group(1)
    # Only a hash is stored; the journal says a link was given, never the link.
    assert servers.sql("SELECT count(*) FROM tl.password_link l JOIN tl.account a ON a.id = l.account_id "
                       "WHERE a.login = 'lea.cle' AND l.token_sha256 <> %s", (secret,)) == [(1,)]
    journal = page(servers, s, "/gestion/journal", lieu=FABRIQUE)[1].get_text()
    assert "compte.lien" in journal and secret not in journal
    # Léa chooses her password with it, then logs in to the desk.
    form = BeautifulSoup(requests.get(link, timeout=10).text, "html.parser")
    data = {i["name"]: i.get("value", "") for i in form.select("form input[type=hidden]")}
    r = requests.post(servers.url("/tierslieux/compte/mot-de-passe"), allow_redirects=False, timeout=10,
                      data={**data, "mot_de_passe": "Clé-de-Léa-2026", "confirmation": "Clé-de-Léa-2026"})
    assert r.status_code == 303
    lea, r = login(servers, "lea.cle", "Clé-de-Léa-2026")
    assert page(servers, lea, "/guichet")[0].status_code == 200
    # A bénévole gives no link, nor a référent of another place to a
    # volunteer of this one.
    expect_log.append("AH01631")
    other, _ = login(servers, "benevole.mediatheque")
    r = post(servers, other, "/gestion/equipe/lien", {"jeton": "x", "lieu": FABRIQUE, "identifiant": "lea.cle"})
    assert r.status_code == 403
    cur = servers.db().cursor()
    try:
        cur.execute("SELECT * FROM tl.desk_account_password_link('referente.fabrique', 'benevole.mediatheque', "
                    "repeat('a', 64))")
        raise AssertionError("a référent gave a link for another place's volunteer")
    except Exception as e:                          # noqa: BLE001
        assert e.pgcode == "42501"
