"""From user to contributor (sql/logic/volunteering.sql, pages/page_contribution.c):
a member offers from « Mon compte » to help at a place (activities, the
skills they choose to share, availability), sees and withdraws their offer;
the référents of that place — and only they — read the open offers, accept
one (the member gets the volunteer role there through the team's own
tl.save_team_member, and must accept the place's charter before the desk
opens) or decline it with a word the member reads. The offer is personal
data: in the member's export, erased with them, deleted a year after its
answer. Every test makes its own members; the retention test passes its
own clock."""
import json
import os
import subprocess

from bs4 import BeautifulSoup

from conftest import ROOT
from test_account import member_login, new_member
from test_desk_access import login

BASE = "/tierslieux"
MEDIATHEQUE = "mediatheque-jules-verne"
FABRIQUE = "la-fabrique"
PASSWORD = "Coup-de-main-2026"
CHARTER = "Nous accueillons chacun et chacune avec bienveillance.\nNous prenons soin des outils."


def member(servers, number, given="Compte", family="Essai"):
    new_member(servers, number, PASSWORD)
    servers.sql("UPDATE tl.member SET given_name = %s, family_name = %s WHERE member_number = %s",
                (given, family, number))
    s, r = member_login(servers, number, PASSWORD)
    assert r.status_code == 302, r.text[:300]
    return s


def get(s, servers, path, **params):
    return s.get(servers.url(BASE + path), params=params, allow_redirects=False, timeout=10)


def token(s, servers, path, **params):
    r = get(s, servers, path, **params)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return BeautifulSoup(r.text, "html.parser").find("input", attrs={"name": "jeton"})["value"]


def post(s, servers, path, data):
    return s.post(servers.url(BASE + path), data=data, allow_redirects=False, timeout=10)


def error(r, field):
    found = BeautifulSoup(r.text, "html.parser").find(id=f"erreur-{field}")
    return found.get_text(" ", strip=True) if found else None


def offers_of(servers, number):
    return servers.sql("""
        SELECT p.slug, o.status, o.skills, o.availability, o.message,
               ARRAY(SELECT activity FROM tl.volunteer_offer_activity a WHERE a.offer_id = o.id ORDER BY activity)
          FROM tl.volunteer_offer o JOIN tl.place p ON p.id = o.place_id JOIN tl.member m ON m.id = o.member_id
         WHERE m.member_number = %s ORDER BY o.id""", (number,))


def offer_id(servers, number, place):
    return servers.sql("SELECT o.id FROM tl.volunteer_offer o JOIN tl.member m ON m.id = o.member_id "
                       "JOIN tl.place p ON p.id = o.place_id WHERE m.member_number = %s AND p.slug = %s "
                       "AND o.status = 'ouverte'", (number, place))[0][0]


def offer(s, servers, place, activities=("tri",), skills="", availability=""):
    jeton = token(s, servers, "/compte/aider")
    return post(s, servers, "/compte/aider", [("jeton", jeton), ("lieu", place), *[("activite", a) for a in activities],
                                               ("competences", skills), ("disponibilites", availability)])


# ---- the member's side -----------------------------------------------------------

def test_a_member_offers_sees_and_withdraws_their_offer(servers):
    s = member(servers, "T-AIDE01", "Élise", "Martin")
    r = get(s, servers, "/compte/aider")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.h1.get_text().startswith("Je veux aider")
    # The activities are the closed list of volunteer activities; the places the network's.
    assert {i["value"] for i in soup.find_all("input", attrs={"name": "activite"})} == \
        {c for (c,) in servers.sql("SELECT code FROM tl.volunteer_activity")}
    assert {o["value"] for o in soup.find(id="lieu").find_all("option")} == \
        {slug for (slug,) in servers.sql("SELECT slug FROM tl.place")}
    # Who reads the skills and how long they are kept is said next to the field.
    hint = soup.find(id="competences-aide").get_text()
    assert "référents du lieu" in hint and "un an" in hint
    r = offer(s, servers, FABRIQUE, ("tri", "repair_cafe"), "Petite électricité, couture", "le samedi matin")
    assert r.status_code == 303 and r.headers["Location"].endswith("/compte/aider?fait=proposition")
    assert offers_of(servers, "T-AIDE01") == [(FABRIQUE, "ouverte", "Petite électricité, couture", "le samedi matin",
                                               "", ["repair_cafe", "tri"])]
    page = get(s, servers, "/compte/aider", fait="proposition").text
    assert "Merci ! Votre proposition est envoyée" in page and "Petite électricité, couture" in page
    assert "en attente de réponse" in page
    # One open offer per member and place; another place is another offer.
    r = offer(s, servers, FABRIQUE, ("caisse",))
    assert r.status_code == 422 and "déjà proposé votre aide à ce lieu" in error(r, "lieu")
    assert len(offers_of(servers, "T-AIDE01")) == 1
    assert offer(s, servers, MEDIATHEQUE, ("accueil",)).status_code == 303
    # Withdrawing deletes the offer: nothing of it stays.
    jeton = token(s, servers, "/compte/aider")
    mine = offer_id(servers, "T-AIDE01", FABRIQUE)
    r = post(s, servers, "/compte/aider/retirer", {"jeton": jeton, "proposition": mine})
    assert r.status_code == 303 and r.headers["Location"].endswith("fait=retrait")
    assert [o[0] for o in offers_of(servers, "T-AIDE01")] == [MEDIATHEQUE]
    assert servers.sql("SELECT count(*) FROM tl.volunteer_offer_activity WHERE offer_id = %s", (mine,)) == [(0,)]
    # Withdrawing it again, or someone else's offer: a French 422, nothing changed.
    other = member(servers, "T-AIDE02")
    assert offer(other, servers, FABRIQUE).status_code == 303
    for target in (mine, offer_id(servers, "T-AIDE02", FABRIQUE)):
        r = post(s, servers, "/compte/aider/retirer", {"jeton": jeton, "proposition": target})
        assert r.status_code == 422 and "n'est pas à votre nom" in error(r, "retirer")
    assert len(offers_of(servers, "T-AIDE02")) == 1


def test_every_field_of_the_offer_is_checked_in_french(servers, expect_log):
    expect_log.append("TLX0501")            # the forms sent without their token are logged (no value in it)
    s = member(servers, "T-AIDE03")
    jeton = token(s, servers, "/compte/aider")
    good = [("jeton", jeton), ("lieu", FABRIQUE), ("activite", "tri"), ("competences", "Vélo"),
            ("disponibilites", "le mardi")]

    def without(name):
        return [(n, v) for n, v in good if n != name]

    def replaced(name, value):
        return [(n, value if n == name else v) for n, v in good]

    for data, field, words in ((without("lieu"), "lieu", "Choisissez le lieu"),
                               (replaced("lieu", "nulle-part"), "lieu", "Choisissez un lieu de la liste"),
                               (replaced("lieu", "Pas un lieu !"), "lieu", "Choisissez un lieu de la liste"),
                               (without("activite"), "activite", "au moins une activité"),
                               (replaced("activite", "jardinage"), "activite", "dans la liste"),
                               (replaced("activite", "TRI<b>"), "activite", "dans la liste"),
                               (replaced("competences", "x" * 501), "competences", "500"),
                               (replaced("disponibilites", "x" * 201), "disponibilites", "200"),
                               (replaced("disponibilites", "deux\nlignes"), "disponibilites", "")):
        r = post(s, servers, "/compte/aider", data)
        assert r.status_code == 422, (field, r.status_code, r.text[:300])
        said = error(r, field)
        assert said and words in said, (field, said)
        assert BeautifulSoup(r.text, "html.parser").find(id=field if field != "activite" else "activite-tri")
    # What was typed comes back in the form.
    r = post(s, servers, "/compte/aider", replaced("lieu", "nulle-part"))
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find(id="competences").get_text() == "Vélo" and soup.find(id="disponibilites")["value"] == "le mardi"
    assert soup.find(id="activite-tri").has_attr("checked")
    # A single-valued field sent twice: 400; without the token: 403.
    for name in ("lieu", "competences", "disponibilites"):
        r = post(s, servers, "/compte/aider", good + [(name, "autre")])
        assert r.status_code == 400 and "envoyé deux fois" in r.text, (name, r.status_code)
    assert post(s, servers, "/compte/aider", without("jeton")).status_code == 403
    assert post(s, servers, "/compte/aider/retirer", {"proposition": "1"}).status_code == 403
    for bad in ("", "abc", "0", "-3"):
        r = post(s, servers, "/compte/aider/retirer", {"jeton": jeton, "proposition": bad})
        assert r.status_code == 400 and "ne désigne pas de proposition" in r.text
    assert offers_of(servers, "T-AIDE03") == []
    # Empty skills and availability are fine; the same activity twice counts once.
    r = post(s, servers, "/compte/aider", [("jeton", jeton), ("lieu", FABRIQUE), ("activite", "tri"),
                                           ("activite", "tri"), ("activite", "accueil")])
    assert r.status_code == 303, r.text[:300]
    assert offers_of(servers, "T-AIDE03") == [(FABRIQUE, "ouverte", "", "", "", ["accueil", "tri"])]


# ---- the référents' side -----------------------------------------------------------

def test_the_referents_see_only_their_places_offers(servers, expect_log):
    expect_log.append("AH01631")            # httpd notes the bénévole's refused authorization
    a = member(servers, "T-AIDE04", "Anouk", "Fabre")
    b = member(servers, "T-AIDE05", "Basile", "Mediath")
    assert offer(a, servers, FABRIQUE, ("tri",), "Soudure").status_code == 303
    assert offer(b, servers, MEDIATHEQUE, ("accueil",), "Lecture à voix haute").status_code == 303
    ref, _ = login(servers, "referente.fabrique")
    r = get(ref, servers, "/gestion/propositions", lieu=FABRIQUE)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    assert "Anouk Fabre" in r.text and "Soudure" in r.text
    assert "Basile" not in r.text and "Lecture à voix haute" not in r.text
    # Another place's list: 403; another place's offer through this place's form: refused.
    assert get(ref, servers, "/gestion/propositions", lieu=MEDIATHEQUE).status_code == 403
    jeton = token(ref, servers, "/gestion/propositions", lieu=FABRIQUE)
    theirs = offer_id(servers, "T-AIDE05", MEDIATHEQUE)
    r = post(ref, servers, "/gestion/propositions/accepter",
             {"jeton": jeton, "lieu": FABRIQUE, "proposition": theirs, "identifiant": "basile.mediath"})
    assert r.status_code == 422 and "n'est plus ouverte" in error(r, "proposition")
    r = post(ref, servers, "/gestion/propositions/decliner",
             {"jeton": jeton, "lieu": MEDIATHEQUE, "proposition": theirs, "message": ""})
    assert r.status_code == 403
    assert offers_of(servers, "T-AIDE05")[0][1] == "ouverte"
    # A volunteer without the référent's right: 403 on the page and on its forms.
    desk, _ = login(servers, "benevole.mediatheque")
    assert get(desk, servers, "/gestion/propositions", lieu=MEDIATHEQUE).status_code == 403
    r = post(desk, servers, "/gestion/propositions/decliner",
             {"jeton": jeton, "lieu": MEDIATHEQUE, "proposition": theirs, "message": ""})
    assert r.status_code == 403
    assert offers_of(servers, "T-AIDE05")[0][1] == "ouverte"
    # Nothing of an offer shows publicly.
    for path in ("/", "/lieux", f"/lieux/{FABRIQUE}", f"/lieux/{MEDIATHEQUE}"):
        page = servers.get(BASE + path).text
        assert "Soudure" not in page and "Anouk" not in page


def test_accepting_gives_the_volunteer_role_and_the_charter_comes_first(servers, expect_log):
    expect_log.append("AH01631")            # httpd notes the new volunteer's refused authorization
    servers.sql("UPDATE tl.place SET charter = %s WHERE slug = %s", (CHARTER, FABRIQUE))
    s = member(servers, "T-AIDE06", "Élodie", "Quéré")
    assert offer(s, servers, FABRIQUE, ("caisse", "tri"), "Comptabilité").status_code == 303
    ref, _ = login(servers, "referente.fabrique")
    page = get(ref, servers, "/gestion/propositions", lieu=FABRIQUE)
    soup = BeautifulSoup(page.text, "html.parser")
    mine = offer_id(servers, "T-AIDE06", FABRIQUE)
    suggested = soup.find(id=f"identifiant-{mine}")["value"]
    assert suggested.startswith("elodie.quere")
    jeton = soup.find("input", attrs={"name": "jeton"})["value"]
    # A login that is not one, or one that already has a role here: under the field, nothing changed.
    for login_name, words in (("Élodie Quéré", "minuscules"), ("referente.fabrique", "déjà un rôle"),
                              ("", "Indiquez l'identifiant"), ("x" * 65, "64")):
        r = post(ref, servers, "/gestion/propositions/accepter",
                 {"jeton": jeton, "lieu": FABRIQUE, "proposition": mine, "identifiant": login_name})
        assert r.status_code == 422, (login_name, r.status_code)
        assert words in error(r, "identifiant"), (login_name, error(r, "identifiant"))
        # The message is under this offer's field, which points to it.
        field = BeautifulSoup(r.text, "html.parser").find(id=f"identifiant-{mine}")
        assert field["aria-invalid"] == "true" and "erreur-identifiant" in field["aria-describedby"]
        assert field.find_parent("article")["id"] == f"proposition-{mine}"
        assert field.find_parent("article").find(id="erreur-identifiant")
    assert offers_of(servers, "T-AIDE06")[0][1] == "ouverte"
    r = post(ref, servers, "/gestion/propositions/accepter",
             {"jeton": jeton, "lieu": FABRIQUE, "proposition": mine, "identifiant": suggested})
    assert r.status_code == 303 and "fait=acceptee" in r.headers["Location"], r.text[:300]
    done = ref.get(r.headers["Location"], timeout=10).text
    assert suggested in done and "la page de l'équipe" in done
    # The team's own machinery: an account with the member's name, the volunteer role there, the journal.
    assert servers.sql("SELECT a.display_name, r.role, r.charter_pending, a.password_hash IS NULL FROM tl.account a "
                       "JOIN tl.account_role r ON r.account_id = a.id JOIN tl.place p ON p.id = r.place_id "
                       "WHERE a.login = %s AND p.slug = %s", (suggested, FABRIQUE)) == \
        [("Élodie Quéré", "benevole", True, True)]
    team = get(ref, servers, "/gestion/equipe", lieu=FABRIQUE).text
    assert "Élodie Quéré" in team
    assert {a for (a,) in servers.sql("SELECT action FROM tl.admin_log WHERE subject = %s", (suggested,))} >= \
        {"compte.creation", "compte.role", "benevolat.proposition"}
    # The offer is answered once.
    r = post(ref, servers, "/gestion/propositions/accepter",
             {"jeton": jeton, "lieu": FABRIQUE, "proposition": mine, "identifiant": suggested + "x"})
    assert r.status_code == 422 and "n'est plus ouverte" in error(r, "proposition")
    # The member reads the answer and their login in « Mon compte ».
    page = get(s, servers, "/compte/aider").text
    assert "acceptée" in page and suggested in page and "charte" in page
    # At the first login the charter comes before the desk.
    servers.sql("UPDATE tl.account SET password_hash = public.crypt(%s, public.gen_salt('bf', 10)) WHERE login = %s",
                (PASSWORD, suggested))
    vol, r = login(servers, suggested, PASSWORD)
    assert r.status_code == 302
    r = get(vol, servers, "/guichet")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/guichet/charte?lieu={FABRIQUE}")
    r = get(vol, servers, "/guichet/benevolat", lieu=FABRIQUE)
    assert r.status_code == 403 and "charte" in r.text
    r = get(vol, servers, "/guichet/charte", lieu=FABRIQUE)
    soup = BeautifulSoup(r.text, "html.parser")
    assert r.status_code == 200 and "Nous prenons soin des outils." in soup.select_one(".tl-charter").get_text()
    jeton = soup.find("input", attrs={"name": "jeton"})["value"]
    r = post(vol, servers, "/guichet/charte", {"jeton": jeton, "lieu": FABRIQUE})
    assert r.status_code == 422 and "Cochez la case" in error(r, "charte")
    r = post(vol, servers, "/guichet/charte", {"jeton": jeton, "lieu": MEDIATHEQUE, "charte": "1"})
    assert r.status_code == 403
    r = post(vol, servers, "/guichet/charte", {"jeton": jeton, "lieu": FABRIQUE, "charte": "1"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/guichet")
    assert get(vol, servers, "/guichet").status_code == 200
    assert get(vol, servers, "/guichet/benevolat", lieu=FABRIQUE).status_code == 200
    assert servers.sql("SELECT count(*) FROM tl.admin_log WHERE action = 'charte.acceptee' AND subject = %s",
                       (suggested,)) == [(1,)]
    # Still only a volunteer: the back office stays closed.
    assert get(vol, servers, "/gestion/propositions", lieu=FABRIQUE).status_code == 403


def test_accepting_at_a_place_without_charter_opens_the_desk_at_once(servers):
    servers.sql("UPDATE tl.place SET charter = '' WHERE slug = %s", (MEDIATHEQUE,))
    s = member(servers, "T-AIDE07", "Jules", "Sanscharte")
    assert offer(s, servers, MEDIATHEQUE, ("accueil",)).status_code == 303
    assert servers.sql("SELECT tl.accept_volunteer_offer('admin.reseau', %s, %s, 'jules.sanscharte')",
                       (MEDIATHEQUE, offer_id(servers, "T-AIDE07", MEDIATHEQUE))) == [("jules.sanscharte",)]
    assert servers.sql("SELECT r.charter_pending FROM tl.account_role r JOIN tl.account a ON a.id = r.account_id "
                       "WHERE a.login = 'jules.sanscharte'") == [(False,)]


def test_declining_leaves_a_kind_word_for_the_member(servers, expect_log):
    expect_log.append("TLX0501")            # the forms sent without their token are logged (no value in it)
    s = member(servers, "T-AIDE08", "Noé", "Refus")
    assert offer(s, servers, FABRIQUE, ("entretien",)).status_code == 303
    mine = offer_id(servers, "T-AIDE08", FABRIQUE)
    ref, _ = login(servers, "referente.fabrique")
    jeton = token(ref, servers, "/gestion/propositions", lieu=FABRIQUE)
    base = {"jeton": jeton, "lieu": FABRIQUE, "proposition": mine}
    r = post(ref, servers, "/gestion/propositions/decliner", {**base, "message": "x" * 501})
    assert r.status_code == 422 and "500" in error(r, "message")
    field = BeautifulSoup(r.text, "html.parser").find(id=f"message-{mine}")
    assert field["aria-invalid"] == "true" and "erreur-message" in field["aria-describedby"]
    r = ref.post(servers.url(BASE + "/gestion/propositions/decliner"), allow_redirects=False, timeout=10,
                 data=[*base.items(), ("message", "a"), ("message", "b")])
    assert r.status_code == 400
    for missing in ("lieu", "proposition"):
        r = post(ref, servers, "/gestion/propositions/decliner", {k: v for k, v in base.items() if k != missing})
        assert r.status_code == 400 and "ne désigne pas" in r.text
    assert post(ref, servers, "/gestion/propositions/decliner",
                {k: v for k, v in base.items() if k != "jeton"}).status_code == 403
    # A token of another form (the member's) is refused too.
    assert post(ref, servers, "/gestion/propositions/decliner",
                {**base, "jeton": token(s, servers, "/compte/aider")}).status_code == 403
    assert offers_of(servers, "T-AIDE08")[0][1] == "ouverte"
    word = "Merci ! L'équipe de l'atelier est au complet cet hiver ; revenez vers nous au printemps."
    r = post(ref, servers, "/gestion/propositions/decliner", {**base, "message": word})
    assert r.status_code == 303 and "fait=declinee" in r.headers["Location"]
    assert offers_of(servers, "T-AIDE08")[0][1:5] == ("declinee", "", "", word)
    page = get(s, servers, "/compte/aider").text
    assert "déclinée" in page and "revenez vers nous au printemps" in BeautifulSoup(page, "html.parser").get_text()
    # No role was given.
    assert "Refus" not in get(ref, servers, "/gestion/equipe", lieu=FABRIQUE).text
    assert "Noé Refus" not in get(ref, servers, "/gestion/propositions", lieu=FABRIQUE).text


# ---- personal data -------------------------------------------------------------------

def test_the_offer_is_in_the_members_data_and_goes_with_them(servers):
    s = member(servers, "T-AIDE09", "Rose", "Export")
    assert offer(s, servers, FABRIQUE, ("repair_cafe",), "Réparer les grille-pain", "les jeudis").status_code == 303
    page = BeautifulSoup(get(s, servers, "/compte/donnees").text, "html.parser").get_text()
    assert "proposition d'aide" in page and "Réparer les grille-pain" in page
    data = json.loads(get(s, servers, "/compte/donnees.json").text)
    place_name = servers.sql("SELECT name FROM tl.place WHERE slug = %s", (FABRIQUE,))[0][0]
    assert [(o["lieu"], o["activites"], o["competences"], o["disponibilites"], o["etat"])
            for o in data["propositions_d_aide"]] == \
        [(place_name, "Repair café", "Réparer les grille-pain", "les jeudis", "en attente de réponse")]
    csv_text = get(s, servers, "/compte/donnees.csv").content.decode("utf-8-sig")
    assert "Réparer les grille-pain" in csv_text
    servers.sql("SELECT tl.forget_members(ARRAY(SELECT id FROM tl.member WHERE member_number = 'T-AIDE09'))")
    assert servers.sql("SELECT count(*) FROM tl.volunteer_offer WHERE skills = 'Réparer les grille-pain'") == [(0,)]


def test_an_answered_offer_is_deleted_after_the_delay(servers):
    s = member(servers, "T-AIDE10", "Léa", "Delai")
    for place in (FABRIQUE, MEDIATHEQUE):
        assert offer(s, servers, place, ("tri",), "Texte de " + place).status_code == 303
    fab, med = offer_id(servers, "T-AIDE10", FABRIQUE), offer_id(servers, "T-AIDE10", MEDIATHEQUE)
    servers.sql("SELECT tl.decline_volunteer_offer('admin.reseau', %s, %s, 'Merci')", (FABRIQUE, fab))
    answered = servers.sql("SELECT answered_at FROM tl.volunteer_offer WHERE id = %s", (fab,))[0][0]
    months = servers.sql("SELECT volunteer_offer_months FROM tl.retention")[0][0]
    assert months == 12
    # A day before the delay: kept; at the delay: gone. The open offer stays.
    servers.sql("SELECT tl.apply_volunteer_offer_retention(%s + interval '12 months' - interval '1 day')",
                (answered,))
    assert servers.sql("SELECT id FROM tl.volunteer_offer WHERE id IN (%s, %s) ORDER BY id", (fab, med)) == \
        sorted([(fab,), (med,)])
    assert servers.sql("SELECT tl.apply_volunteer_offer_retention(%s + interval '12 months')",
                       (answered,))[0][0] >= 1
    assert servers.sql("SELECT id FROM tl.volunteer_offer WHERE id IN (%s, %s)", (fab, med)) == [(med,)]
    assert servers.sql("SELECT count(*) FROM tl.volunteer_offer_activity WHERE offer_id = %s", (fab,)) == [(0,)]
    # Its text is in no export any more: the member's data lists only the open offer.
    data = json.loads(get(s, servers, "/compte/donnees.json").text)
    assert [o["competences"] for o in data["propositions_d_aide"]] == ["Texte de " + MEDIATHEQUE]
    # The cron command runs it and says how many.
    out = subprocess.run([os.path.join(ROOT, "script", "retention"), "-h", os.path.realpath(servers.pg),
                          "-p", str(servers.pg_port), "-U", "tierslieux", "-d", "tierslieux"],
                         capture_output=True, text=True, check=True)
    assert "deleted offers to help:" in out.stdout
