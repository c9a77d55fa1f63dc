"""Testimonies (sql/logic/stories.sql, pages/page_stories.c): a volunteer
writes one down at the desk with the person's consent and hands them a
receipt with a withdrawal code; the place's référents make it public or
private, correct it, delete it; the person withdraws it with the code on a
public page. Only public testimonies show publicly (the list, its filters,
the place's page, fragments, tl.public_stories), signed with a first name or
« Anonyme »; a withdrawal deletes the testimony from every one of them.
No column of a testimony leads to a person. Every test writes testimonies
of its own, with texts no other test uses."""
import hashlib
import re
import uuid

import requests
from bs4 import BeautifulSoup

from test_desk_access import login

BASE = "/tierslieux"
MEDIATHEQUE = "mediatheque-jules-verne"
FABRIQUE = "la-fabrique"
CODE = re.compile(r"\b([2-9A-HJ-NP-Z]{4})-([2-9A-HJ-NP-Z]{4})-([2-9A-HJ-NP-Z]{4})\b")


def token(s, servers, path, **params):
    r = s.get(servers.url(BASE + path), params=params, timeout=10)
    assert r.status_code == 200, r.text[:300]
    return BeautifulSoup(r.text, "html.parser").find("input", attrs={"name": "jeton"})["value"]


def post(s, servers, path, data):
    return s.post(servers.url(BASE + path), data=data, allow_redirects=False, timeout=10)


def unique(words):
    """A text no other test or demo row holds."""
    return f"{words} (essai {uuid.uuid4().hex[:8]})"


def record(servers, s, place, text, **fields):
    """Records a testimony at the desk as the form sends it; the response."""
    data = {"jeton": token(s, servers, "/guichet/temoignages", lieu=place), "lieu": place, "texte": text,
            "prenom": "", "activite": "", "jour": "", "accord": "oui", "retrait": "code"}
    data.update(fields)
    return post(s, servers, "/guichet/temoignages", {k: v for k, v in data.items() if v is not None})


def recorded(servers, s, place, text, **fields):
    """Records one and returns (its id, its withdrawal code)."""
    r = record(servers, s, place, text, **fields)
    assert r.status_code == 200, r.text[:500]
    code = CODE.search(BeautifulSoup(r.text, "html.parser").select_one(".tl-code").get_text()).group(0)
    story = servers.sql("SELECT id FROM tl.story WHERE body = %s", (text,))
    assert len(story) == 1
    return story[0][0], code


def publish(servers, s, place, story, public=True):
    r = post(s, servers, "/gestion/temoignages/publier",
             {"jeton": token(s, servers, "/gestion/temoignages", lieu=place), "lieu": place, "temoignage": story,
              "public": "oui" if public else "non"})
    assert r.status_code == 303 and ("fait=public" if public else "fait=prive") in r.headers["Location"], r.text[:300]


def public_pages(servers, place):
    """Every public address a testimony of this place may show on."""
    return [f"/temoignages", f"/temoignages?lieu={place}", f"/temoignages?fragment=1", f"/lieux/{place}",
            f"/lieux/{place}?fragment=1"]


def shows(servers, text, place):
    """The public pages of the place that show text."""
    return [path for path in public_pages(servers, place) if text in servers.get(BASE + path).text]


def test_a_volunteer_records_a_testimony_and_the_person_gets_a_code(servers):
    desk, _ = login(servers, "benevole.mediatheque")
    text = unique("La perceuse m'a permis de monter les étagères de la classe")
    story, code = recorded(servers, desk, MEDIATHEQUE, text, prenom="Aïcha", activite="outiltheque")
    row = servers.sql("SELECT first_name, activity, public_since, withdrawal_by, withdrawal_sha256, told_on, "
                      "told_on = (now() AT TIME ZONE 'Europe/Paris')::date FROM tl.story WHERE id = %s", (story,))[0]
    assert row[:4] == ("Aïcha", "outiltheque", None, "code")
    assert row[6], "told today when no day is given"
    # Only the code's SHA-256 is kept, of its 12 characters without hyphens.
    assert row[4] == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    dump = servers.sql("SELECT row_to_json(s)::text FROM tl.story s WHERE id = %s", (story,))[0][0]
    assert code not in dump and code.replace("-", "") not in dump
    # Private until a référent chooses: no public page shows it.
    assert shows(servers, text, MEDIATHEQUE) == []
    assert servers.sql("SELECT count(*) FROM tl.public_stories(%s, '', 500) WHERE body = %s",
                       (MEDIATHEQUE, text)) == [(0,)]
    # Each testimony gets a code of its own.
    _, other = recorded(servers, desk, MEDIATHEQUE, unique("Merci pour la scie"))
    assert other != code


def test_referents_publish_and_unpublish_and_public_pages_show_only_public_ones(servers):
    ref, _ = login(servers, "referente.fabrique")
    public_text = unique("Mon grille-pain chauffe de nouveau des deux côtés")
    private_text = unique("Je reviendrai trier les arrivages")
    story, _ = recorded(servers, ref, FABRIQUE, public_text, prenom="Jean-Paul", activite="reparation")
    recorded(servers, ref, FABRIQUE, private_text)
    publish(servers, ref, FABRIQUE, story)
    assert servers.sql("SELECT public_since IS NOT NULL FROM tl.story WHERE id = %s", (story,)) == [(True,)]
    assert shows(servers, public_text, FABRIQUE) == public_pages(servers, FABRIQUE)
    assert shows(servers, private_text, FABRIQUE) == []
    # Signed with the first name, the place, the activity and the month.
    soup = BeautifulSoup(servers.get(BASE + "/temoignages", params={"lieu": FABRIQUE}).text, "html.parser")
    caption = [f for f in soup.select(".tl-story") if public_text in f.get_text()][0].figcaption.get_text(" ")
    assert "Jean-Paul" in caption and "La Fabrique" in caption and "Café réparation" in caption
    month = servers.sql("SELECT tl.story_month_fr((now() AT TIME ZONE 'Europe/Paris')::date)")[0][0]
    assert month in caption and re.fullmatch(r"[a-zéû]+ \d{4}", month)
    # The filters: another place or another activity does not show it.
    assert public_text not in servers.get(BASE + "/temoignages", params={"lieu": MEDIATHEQUE}).text
    assert public_text not in servers.get(BASE + "/temoignages", params={"activite": "grainotheque"}).text
    assert public_text in servers.get(BASE + "/temoignages", params={"activite": "reparation"}).text
    assert servers.get(BASE + "/temoignages", params={"activite": "Pas un code"}).status_code == 400
    # The function the impact report will call: only public ones, newest first.
    rows = servers.sql("SELECT body, signed, place_slug, activity FROM tl.public_stories(%s, 'reparation', 500)",
                       (FABRIQUE,))
    assert (public_text, "Jean-Paul", FABRIQUE, "reparation") in rows
    assert all(body != private_text for body, *_ in rows)
    # Private again: gone from every public page.
    publish(servers, ref, FABRIQUE, story, public=False)
    assert shows(servers, public_text, FABRIQUE) == []


def test_an_anonymous_testimony_is_signed_anonyme(servers):
    ref, _ = login(servers, "referente.fabrique")
    text = unique("On se sent utile ici")
    story, _ = recorded(servers, ref, FABRIQUE, text, activite="benevolat")
    publish(servers, ref, FABRIQUE, story)
    assert servers.sql("SELECT signed FROM tl.public_stories(%s, '', 500) WHERE id = %s", (FABRIQUE, story)) == \
        [("Anonyme",)]
    soup = BeautifulSoup(servers.get(BASE + f"/lieux/{FABRIQUE}").text, "html.parser")
    story_on_page = [f for f in soup.select(".tl-story") if text in f.get_text()]
    assert story_on_page and story_on_page[0].figcaption.get_text(" ").startswith("Anonyme")


def test_public_stories_are_newest_first_and_limited(servers):
    ref, _ = login(servers, "referente.fabrique")
    texts = [unique(f"Témoignage daté {n}") for n in range(3)]
    for n, text in enumerate(texts):
        story, _ = recorded(servers, ref, FABRIQUE, text, activite="lieu")
        servers.sql("UPDATE tl.story SET told_on = current_date - %s WHERE id = %s", (10 * (n + 1), story))
        publish(servers, ref, FABRIQUE, story)
    servers.sql("UPDATE tl.story SET told_on = told_on - 400 WHERE activity = 'lieu' AND body NOT IN %s",
                (tuple(texts),))
    rows = [b for (b,) in servers.sql("SELECT body FROM tl.public_stories(%s, 'lieu', 2)", (FABRIQUE,))]
    assert rows == texts[:2]


def test_withdrawal_with_the_code_deletes_it_everywhere(servers, expect_log):
    expect_log.append("TLX0501")            # the form sent without its token is refused, and noted
    ref, _ = login(servers, "referente.fabrique")
    text = unique("La commode tient encore debout")
    story, code = recorded(servers, ref, FABRIQUE, text, prenom="Odette", activite="ressourcerie")
    publish(servers, ref, FABRIQUE, story)
    assert shows(servers, text, FABRIQUE)
    version = servers.get(BASE + "/temoignages").headers["ETag"]
    person = requests.Session()
    jeton = token(person, servers, "/temoignages/retrait")
    # Typed as a person types it: lower case, spaces instead of hyphens.
    r = post(person, servers, "/temoignages/retrait", {"jeton": jeton, "code": code.lower().replace("-", " ")})
    assert r.status_code == 303 and r.headers["Location"].endswith("/temoignages/retrait?fait=retrait")
    assert "est effacé" in person.get(r.headers["Location"], timeout=10).text
    assert servers.sql("SELECT count(*) FROM tl.story WHERE id = %s OR body = %s", (story, text)) == [(0,)]
    assert shows(servers, text, FABRIQUE) == []
    assert servers.get(BASE + "/temoignages").headers["ETag"] != version     # the area's version moved
    page = ref.get(servers.url(BASE + "/gestion/temoignages"), params={"lieu": FABRIQUE}, timeout=10).text
    assert text not in page
    # The same code again, a wrong one, a malformed one: the same French 422, nothing said of any testimony.
    other, _ = recorded(servers, ref, FABRIQUE, unique("Un autre témoignage"))
    answers = set()
    for wrong in (code, "ABCD-EFGH-JKMN", "pas un code", ""):
        r = post(person, servers, "/temoignages/retrait", {"jeton": jeton, "code": wrong})
        assert r.status_code == 422, (wrong, r.status_code)
        answers.add(BeautifulSoup(r.text, "html.parser").find(id="erreur-code").get_text(strip=True))
        assert wrong == "" or wrong not in r.text
    assert len(answers) == 1 and "ne correspond à aucun témoignage" in answers.pop()
    assert servers.sql("SELECT count(*) FROM tl.story WHERE id = %s", (other,)) == [(1,)]
    # No token: 403, nothing withdrawn.
    r = post(requests.Session(), servers, "/temoignages/retrait", {"code": code})
    assert r.status_code == 403


def test_withdrawal_by_a_referent_on_the_persons_request(servers):
    ref, _ = login(servers, "referente.fabrique")
    text = unique("Les graines de capucine ont fleuri tout l'été")
    story, _ = recorded(servers, ref, FABRIQUE, text, prenom="Lou", retrait="lieu")
    assert servers.sql("SELECT withdrawal_by FROM tl.story WHERE id = %s", (story,)) == [("lieu",)]
    publish(servers, ref, FABRIQUE, story)
    assert shows(servers, text, FABRIQUE)
    r = post(ref, servers, "/gestion/temoignages/supprimer",
             {"jeton": token(ref, servers, "/gestion/temoignages", lieu=FABRIQUE), "lieu": FABRIQUE,
              "temoignage": story})
    assert r.status_code == 303 and "fait=suppression" in r.headers["Location"]
    assert servers.sql("SELECT count(*) FROM tl.story WHERE id = %s", (story,)) == [(0,)]
    assert shows(servers, text, FABRIQUE) == []
    # Already gone: a French 422 under the list, not a 500.
    r = post(ref, servers, "/gestion/temoignages/supprimer",
             {"jeton": token(ref, servers, "/gestion/temoignages", lieu=FABRIQUE), "lieu": FABRIQUE,
              "temoignage": story})
    assert r.status_code == 422 and "n'existe pas" in r.text


def test_a_referent_corrects_a_typo(servers):
    ref, _ = login(servers, "referente.fabrique")
    text = unique("J'ai apris à réparer")
    story, _ = recorded(servers, ref, FABRIQUE, text, prenom="Karime")
    jeton = token(ref, servers, "/gestion/temoignages", lieu=FABRIQUE)
    fixed = text.replace("apris", "appris")
    r = post(ref, servers, "/gestion/temoignages/modifier",
             {"jeton": jeton, "lieu": FABRIQUE, "temoignage": story, "texte": fixed, "prenom": "Karim"})
    assert r.status_code == 303 and "fait=correction" in r.headers["Location"]
    assert servers.sql("SELECT body, first_name FROM tl.story WHERE id = %s", (story,)) == [(fixed, "Karim")]
    # A full name, an e-mail, a phone, too long a text: French 422s, nothing changed.
    for data in ({"texte": fixed, "prenom": "Karim Benali"}, {"texte": fixed, "prenom": "karim@example.org"},
                 {"texte": fixed, "prenom": "0612345678"}, {"texte": "x" * 1001, "prenom": "Karim"},
                 {"texte": "   ", "prenom": "Karim"}):
        r = post(ref, servers, "/gestion/temoignages/modifier",
                 {"jeton": jeton, "lieu": FABRIQUE, "temoignage": story, **data})
        assert r.status_code == 422, (data, r.status_code)
        said = BeautifulSoup(r.text, "html.parser").find(id="erreur-temoignage").get_text(" ", strip=True)
        assert "Rien n'a été changé" in said and len(said) > 30, said
    assert servers.sql("SELECT body, first_name FROM tl.story WHERE id = %s", (story,)) == [(fixed, "Karim")]


def test_every_field_of_the_desk_form_is_checked_in_french(servers, expect_log):
    expect_log.append("TLX0501")            # the form sent without its token is refused, and noted
    desk, _ = login(servers, "benevole.mediatheque")
    before = servers.sql("SELECT count(*) FROM tl.story")[0][0]
    future = servers.sql("SELECT ((now() AT TIME ZONE 'Europe/Paris')::date + 1)::text")[0][0]
    other_session = servers.sql("SELECT s.id FROM tl.repair_session s JOIN tl.place p ON p.id = s.place_id "
                                "WHERE p.slug = %s LIMIT 1", (FABRIQUE,))[0][0]
    for fields, field in (({"texte": ""}, "texte"), ({"texte": None}, "texte"), ({"texte": "é" * 1001}, "texte"),
                          ({"accord": None}, "accord"), ({"retrait": None}, "retrait"),
                          ({"retrait": "courriel"}, "retrait"),
                          ({"prenom": "Marie Dupont"}, "prenom"), ({"prenom": "marie@example.org"}, "prenom"),
                          ({"prenom": "06 12 34 56 78"}, "prenom"), ({"prenom": "A" * 31}, "prenom"),
                          ({"activite": "cuisine"}, "activite"), ({"seance": str(other_session)}, "seance"),
                          ({"seance": "abc"}, "seance"), ({"jour": future}, "jour"), ({"jour": "hier"}, "jour")):
        r = record(servers, desk, MEDIATHEQUE, unique("Texte d'essai"), **fields)
        assert r.status_code == 422, (fields, r.status_code, r.text[:300])
        message = BeautifulSoup(r.text, "html.parser").find(id=f"erreur-{field}")
        assert message and len(message.get_text(strip=True)) > 15, (fields, r.text[:500])
    # A field sent twice: 400; no token: 403.
    jeton = token(desk, servers, "/guichet/temoignages", lieu=MEDIATHEQUE)
    r = desk.post(servers.url(BASE + "/guichet/temoignages"), allow_redirects=False, timeout=10,
                  data=[("jeton", jeton), ("lieu", MEDIATHEQUE), ("texte", "Un"), ("texte", "Deux"),
                        ("accord", "oui"), ("retrait", "code")])
    assert r.status_code == 400
    r = post(desk, servers, "/guichet/temoignages", {"lieu": MEDIATHEQUE, "texte": "Sans jeton", "accord": "oui",
                                                      "retrait": "code"})
    assert r.status_code == 403
    assert servers.sql("SELECT count(*) FROM tl.story")[0][0] == before
    # The text kept its line breaks and the repair café session its activity.
    session = servers.sql("SELECT s.id FROM tl.repair_session s JOIN tl.place p ON p.id = s.place_id "
                          "WHERE p.slug = %s AND s.starts_at < now() ORDER BY s.starts_at DESC LIMIT 1",
                          (MEDIATHEQUE,))[0][0]
    text = unique("Première ligne\r\nSeconde ligne")
    story, _ = recorded(servers, desk, MEDIATHEQUE, text, seance=str(session))
    assert servers.sql("SELECT activity, repair_session_id, body LIKE %s FROM tl.story WHERE id = %s",
                       ("%\nSeconde ligne%", story)) == [("reparation", session, True)]


def test_a_volunteer_of_another_place_is_refused(servers, expect_log):
    expect_log.append("AH01631")            # httpd notes the bénévole's refused authorization
    desk, _ = login(servers, "benevole.mediatheque")
    r = desk.get(servers.url(BASE + "/guichet/temoignages"), params={"lieu": FABRIQUE}, timeout=10)
    assert r.status_code == 403
    before = servers.sql("SELECT count(*) FROM tl.story")[0][0]
    r = record(servers, desk, MEDIATHEQUE, unique("Pas ici"), lieu=FABRIQUE)
    assert r.status_code == 403 and "Rien n'a été changé" in r.text
    assert servers.sql("SELECT count(*) FROM tl.story")[0][0] == before
    # The back office is the référents'.
    assert desk.get(servers.url(BASE + "/gestion/temoignages"), params={"lieu": MEDIATHEQUE},
                    timeout=10).status_code == 403
    # A référente of another place neither publishes nor deletes there.
    admin, _ = login(servers, "admin.reseau")
    story, _ = recorded(servers, admin, MEDIATHEQUE, unique("À la médiathèque"))
    ref, _ = login(servers, "referente.fabrique")
    jeton = token(ref, servers, "/gestion/temoignages", lieu=FABRIQUE)
    for path, extra in (("/gestion/temoignages/publier", {"public": "oui"}), ("/gestion/temoignages/supprimer", {}),
                        ("/gestion/temoignages/modifier", {"texte": "Changé", "prenom": ""})):
        r = post(ref, servers, path, {"jeton": jeton, "lieu": FABRIQUE, "temoignage": story, **extra})
        assert r.status_code == 403, (path, r.status_code)
    assert servers.sql("SELECT public_since IS NULL, body LIKE 'À la médiathèque%%' FROM tl.story WHERE id = %s",
                       (story,)) == [(True, True)]
    assert ref.get(servers.url(BASE + "/gestion/temoignages"), params={"lieu": MEDIATHEQUE},
                   timeout=10).status_code == 403


def test_no_column_of_a_testimony_leads_to_a_person(servers):
    targets = {t for (t,) in servers.sql("""
        SELECT confrelid::regclass::text FROM pg_constraint
         WHERE conrelid = 'tl.story'::regclass AND contype = 'f'""")}
    assert targets == {"tl.place", "tl.story_activity", "tl.repair_session"}
    # Nor a column naming one without a key.
    columns = {c for (c,) in servers.sql("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_schema = 'tl' AND table_name = 'story'")}
    assert not {c for c in columns if re.search(r"member|account|login|person|by$|email|phone|family", c)} - \
        {"withdrawal_by"}
    # And nothing reaches a testimony from a person's table.
    assert servers.sql("""
        SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = 'tl.story'::regclass""") == [(0,)]


def test_testimonies_are_deleted_three_years_after_they_were_told(servers):
    ref, _ = login(servers, "referente.fabrique")
    story, _ = recorded(servers, ref, FABRIQUE, unique("Un vieux témoignage"))
    servers.sql("UPDATE tl.story SET told_on = '2020-01-10' WHERE id = %s", (story,))
    servers.sql("SELECT tl.apply_story_retention('2023-01-09 12:00+01')")
    assert servers.sql("SELECT count(*) FROM tl.story WHERE id = %s", (story,)) == [(1,)]
    servers.sql("SELECT tl.apply_story_retention('2023-01-10 12:00+01')")
    assert servers.sql("SELECT count(*) FROM tl.story WHERE id = %s", (story,)) == [(0,)]


def test_the_public_list_embeds_as_a_fragment(servers):
    r = servers.get(BASE + "/temoignages?fragment=1&activite=grainotheque")
    assert r.status_code == 200
    for absent in ("<html", "<head", "<body", "<script", "<main"):
        assert absent not in r.text, absent
    soup = BeautifulSoup(r.text, "html.parser")
    assert not soup.find("h1") and soup.find("h2")
    ids = [el["id"] for el in soup.find_all(id=True)]
    assert ids and all(i.startswith("tl-") for i in ids)
    # The demo's static page includes it with mod_include.
    page = servers.get("/exemple-inclusion.shtml").text
    assert "Les tomates" in page
