"""Documents of items and seed varieties: notices written by members under a
free licence, with every version kept and credited under the name its
author chose (a conflict never loses a text), and manuals a place's
référents add (a PDF checked by its content and served as an attachment, or
a link). Every refusal says why in French and writes nothing."""
import re

import requests
from bs4 import BeautifulSoup

from test_account import DEMO, member_login
from test_desk_access import login
from test_desk_lending import token

NOTICE = "/tierslieux/compte/notice"
MANUALS = "/tierslieux/gestion/objet/documents"


def item_at(servers, place="la-fabrique"):
    """An item of the place with no notice and no manual yet (each test its own)."""
    return servers.sql("SELECT i.id, i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id "
                       "WHERE p.slug = %s AND i.retired_at IS NULL "
                       "AND NOT EXISTS (SELECT 1 FROM tl.notice n WHERE n.item_id = i.id) "
                       "AND NOT EXISTS (SELECT 1 FROM tl.item_manual m WHERE m.item_id = i.id) "
                       "ORDER BY i.code LIMIT 1", (place,))[0]


def versions(servers, item_id):
    return servers.sql("SELECT v.version, v.author_name, v.body FROM tl.notice_version v "
                       "JOIN tl.notice n ON n.id = v.notice_id WHERE n.item_id = %s ORDER BY v.version", (item_id,))


def form_of(s, servers, query):
    r = s.get(servers.url(f"{NOTICE}?{query}"), allow_redirects=False, timeout=10)
    assert r.status_code == 200, r.text[:500]
    soup = BeautifulSoup(r.text, "html.parser")
    return {i["name"]: i.get("value", "") for i in soup.select("form input[type=hidden]")}, soup


def write(s, servers, query, text, name="Camille", **extra):
    hidden, _ = form_of(s, servers, query)
    data = {**hidden, "texte": text, "nom": name, "resume": "", "accord": "1", **extra}
    return s.post(servers.url(NOTICE), data=data, allow_redirects=False, timeout=10)


def text_of(html):
    return BeautifulSoup(html, "html.parser").get_text(" ", strip=True)


def second_member(servers):
    """Another demo member, with a password of their own (set here)."""
    number = servers.sql("SELECT member_number FROM tl.member WHERE member_number <> %s ORDER BY id LIMIT 1",
                         (DEMO[0],))[0][0]
    servers.sql("UPDATE tl.member SET password_hash = (SELECT password_hash FROM tl.member WHERE member_number = %s) "
                "WHERE member_number = %s", (DEMO[0], number))
    s, r = member_login(servers, number, DEMO[1])
    assert r.status_code == 302
    return s


def test_members_write_a_notice_and_every_version_is_kept_and_credited(servers):
    item_id, code = item_at(servers)
    page = f"/tierslieux/outils/{item_id}"
    # The public page (kept in the cache) invites to write the first one.
    assert "écrivez la première notice" in text_of(servers.get(page).text)
    assert servers.get(f"{page}/notice").status_code == 404
    s, _ = member_login(servers)
    r = write(s, servers, f"objet={code}", "Vérifier la lame avant chaque coupe.\n\nPorter des lunettes.\n"
                                           "Débrancher pour changer de lame.", name="Camille")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/outils/{item_id}/notice?fait=enregistree"), \
        text_of(r.text)[:600]
    # Published at once, on the item's page too: the cache follows the write.
    body = servers.get(page).text
    soup = BeautifulSoup(body, "html.parser")
    paras = [p.get_text() for p in soup.select(".tl-notice-text p")]
    assert paras == ["Vérifier la lame avant chaque coupe.", "Porter des lunettes.\nDébrancher pour changer de lame."]
    assert "Écrite par Camille" in text_of(body)
    licence = soup.find("a", rel="license")
    assert licence["href"] == "https://creativecommons.org/licenses/by-sa/4.0/deed.fr"
    # Another member improves it: both are credited, in the order they came.
    other = second_member(servers)
    r = write(other, servers, f"objet={code}", "Vérifier la lame avant chaque coupe.\n\nPorter des lunettes et "
                                               "un casque antibruit.", name="Dom", resume="Le casque")
    assert r.status_code == 303, r.text[:500]
    assert [(v, a) for v, a, _ in versions(servers, item_id)] == [(1, "Camille"), (2, "Dom")]
    history = servers.get(f"{page}/notice")
    assert history.status_code == 200
    text = text_of(history.text)
    assert "écrite par Camille, Dom" in text and "Le casque" in text
    # The first version stays readable, said to be an older one.
    old = text_of(servers.get(f"{page}/notice?version=1").text)
    assert "n'est plus la dernière" in old and "Débrancher pour changer de lame" in old
    assert servers.get(f"{page}/notice?version=3").status_code == 404
    assert servers.get(f"{page}/notice?version=abc").status_code == 400
    # The member's data lists what they wrote, under the name they chose.
    data = s.get(servers.url("/tierslieux/compte/donnees.json"), timeout=10).json()
    assert (f"{code} ", 1, "Camille") in [(n["sujet"][:len(code) + 1], n["version"], n["creditee"])
                                          for n in data["notices"]]
    assert not [n for n in data["notices"] if n["creditee"] == "Dom"]
    # The form fills the name again for the next time.
    _, soup = form_of(s, servers, f"objet={code}")
    assert soup.find("input", attrs={"name": "nom"})["value"] == "Camille"


def test_a_conflict_loses_no_text(servers):
    item_id, code = item_at(servers, "mediatheque-jules-verne")
    s, _ = member_login(servers)
    assert write(s, servers, f"objet={code}", "Première version.").status_code == 303
    mine, _ = form_of(s, servers, f"objet={code}")        # read at version 1
    other = second_member(servers)
    assert write(other, servers, f"objet={code}", "Version écrite entre-temps.", name="Dom").status_code == 303
    r = s.post(servers.url(NOTICE), allow_redirects=False, timeout=10,
               data={**mine, "texte": "Ma version, partie de la première.", "nom": "Camille", "accord": "1"})
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find("textarea", attrs={"name": "texte"}).get_text() == "Ma version, partie de la première."
    assert "Version écrite entre-temps." in soup.select_one(".tl-notice-other").get_text()
    assert "pendant que vous écriviez" in soup.get_text()
    assert len(versions(servers, item_id)) == 2
    # Sent again from the page it got back, it starts from the newer one.
    hidden = {i["name"]: i.get("value", "") for i in soup.select("form input[type=hidden]")}
    assert hidden["base"] == "2"
    r = s.post(servers.url(NOTICE), allow_redirects=False, timeout=10,
               data={**hidden, "texte": "Ma version, reportée sur la seconde.", "nom": "Camille", "accord": "1"})
    assert r.status_code == 303
    assert [v for v, _, _ in versions(servers, item_id)] == [1, 2, 3]


def test_every_refusal_of_a_notice_says_why_and_writes_nothing(servers, expect_log):
    expect_log.append("TLX0501")            # the form sent with a false token
    item_id, code = item_at(servers, "la-fabrique")
    s, _ = member_login(servers)
    before = servers.sql("SELECT count(*) FROM tl.notice_version")
    hidden, _ = form_of(s, servers, f"objet={code}")
    good = {**hidden, "texte": "Un texte.", "nom": "Camille", "accord": "1"}
    for change, status, field, words in (
            ({"accord": ""}, 422, "accord", "Cochez la case"),
            ({"texte": "   "}, 422, "texte", "écrivez le texte"),
            ({"nom": ""}, 422, "nom", "indiquez le nom"),
            ({"nom": "x" * 61}, 422, "nom", "60 caractères"),
            ({"resume": "y" * 201}, 422, "resume", "200 caractères"),
            ({"texte": "z" * 20001}, 422, "texte", "20000 caractères"),
            ({"licence": "GPL"}, 422, "licence", "licences proposées"),
            ({"objet": "OT-9999"}, 404, None, "aucun objet"),
            ({"objet": ""}, 400, None, "ni un objet ni une variété"),
            ({"variete": "1"}, 400, None, "ni un objet ni une variété"),
            ({"base": "-1"}, 400, None, "ni un objet ni une variété"),
            ({"base": None}, 400, None, "ni un objet ni une variété"),
            ({"jeton": "faux"}, 403, None, "")):
        data = {k: v for k, v in {**good, **change}.items() if v is not None}
        r = s.post(servers.url(NOTICE), data=data, allow_redirects=False, timeout=10)
        assert r.status_code == status, (change, r.status_code, r.text[:300])
        if field:
            err = BeautifulSoup(r.text, "html.parser").find(id=f"erreur-{field}")
            assert err is not None and words.lower() in err.get_text().lower(), (change, r.text[:800])
        elif words:
            assert words.lower() in text_of(r.text).lower(), (change, r.text[:500])
    # A field sent twice is refused as a whole.
    r = s.post(servers.url(NOTICE), data=list(good.items()) + [("texte", "Autre")], allow_redirects=False,
               timeout=10)
    assert r.status_code == 400
    assert servers.sql("SELECT count(*) FROM tl.notice_version") == before
    # The same text again is no version.
    assert write(s, servers, f"objet={code}", "Un texte.").status_code == 303
    r = write(s, servers, f"objet={code}", "Un texte.")
    assert r.status_code == 422 and "n'a pas changé" in r.text
    # Nobody logged in: the login form, nothing written.
    r = requests.post(servers.url(NOTICE), data=good, allow_redirects=False, timeout=10)
    assert r.status_code in (302, 401, 403)
    assert len(versions(servers, item_id)) == 1


def test_a_notice_is_text_never_markup(servers):
    item_id, code = item_at(servers, "tiers-lieu-lakour")
    s, _ = member_login(servers)
    assert write(s, servers, f"objet={code}", '<script>alert(1)</script> <a href="x">lien</a>',
                 name="<b>Camille</b>").status_code == 303
    body = servers.get(f"/tierslieux/outils/{item_id}").text
    assert "<script>alert" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b>Camille</b>" not in body and "&lt;b&gt;Camille&lt;/b&gt;" in body


def test_a_varietys_seed_saving_steps(servers):
    variety = servers.sql("SELECT id FROM tl.seed_variety ORDER BY id LIMIT 1")[0][0]
    page = f"/tierslieux/graines/{variety}"
    assert "Produire ses semences" in text_of(servers.get(page).text)
    s, _ = member_login(servers)
    r = write(s, servers, f"variete={variety}", "Laisser mûrir deux fruits sur pied.\n\nFermenter trois jours.",
              name="Camille")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/graines/{variety}/notice?fait=enregistree")
    text = text_of(servers.get(page).text)
    assert "Fermenter trois jours." in text and "Écrite par Camille" in text
    assert servers.get(f"{page}/notice").status_code == 200
    assert s.get(servers.url(f"{NOTICE}?variete=999999"), allow_redirects=False, timeout=10).status_code == 404


# ---- manuals --------------------------------------------------------------------

def pdf(body=b"Mode d'emploi"):
    """A small, valid PDF written here (one page, one line of text)."""
    stream = b"BT /F1 12 Tf 72 720 Td (" + body + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def add(s, servers, code, title="Mode d'emploi", data=None, link="", name="manuel.pdf", t=None):
    t = t or token(s, servers, f"{MANUALS}?numero={code}")
    files = {"fichier": (name, data, "application/pdf")} if data is not None else {"fichier": ("", b"")}
    return s.post(servers.url(MANUALS), allow_redirects=False, timeout=30,
                  data={"jeton": t, "numero": code, "action": "ajouter", "titre": title, "lien": link}, files=files)


def manuals(servers, code):
    return servers.sql("SELECT m.id, m.title, m.url, octet_length(m.pdf) FROM tl.item_manual m "
                       "JOIN tl.item i ON i.id = m.item_id WHERE i.code = %s ORDER BY m.id", (code,))


def test_a_referent_adds_a_pdf_served_as_an_attachment_and_a_link(servers):
    item_id, code = item_at(servers)
    s, _ = login(servers, "referente.fabrique")
    document = pdf()
    r = add(s, servers, code, data=document)
    assert r.status_code == 303 and "fait=ajout" in r.headers["Location"], r.text[:500]
    r = add(s, servers, code, title="Notice du fabricant", link="https://example.org/notice.pdf")
    assert r.status_code == 303, r.text[:500]
    (pdf_id, _, _, size), (_, _, url, _) = manuals(servers, code)
    assert size == len(document) and url == "https://example.org/notice.pdf"
    soup = BeautifulSoup(servers.get(f"/tierslieux/outils/{item_id}").text, "html.parser")
    assert soup.find("a", href=f"/tierslieux/documents/{pdf_id}").get_text() == "Mode d'emploi"
    assert soup.find("a", href="https://example.org/notice.pdf") is not None
    r = servers.get(f"/tierslieux/documents/{pdf_id}")
    assert r.status_code == 200 and r.content == document
    assert r.headers["Content-Type"] == "application/pdf"
    assert re.fullmatch(r'attachment; filename="[A-Z0-9-]+-document-\d+\.pdf"', r.headers["Content-Disposition"])
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    again = requests.get(servers.url(f"/tierslieux/documents/{pdf_id}"), timeout=10,
                         headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    # Removed: gone from the page and from its address.
    t = token(s, servers, f"{MANUALS}?numero={code}")
    r = s.post(servers.url(MANUALS), allow_redirects=False, timeout=10,
               data={"jeton": t, "numero": code, "action": "retirer", "document": str(pdf_id)},
               files={"fichier": ("", b"")})
    assert r.status_code == 303 and "fait=retrait" in r.headers["Location"]
    assert servers.get(f"/tierslieux/documents/{pdf_id}").status_code == 404
    assert servers.get("/tierslieux/documents/abc").status_code == 400


def test_what_is_no_pdf_is_refused_and_nothing_kept(servers):
    _, code = item_at(servers)
    s, _ = login(servers, "referente.fabrique")
    before = manuals(servers, code)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    for data, link, field, words in (
            (png, "", "fichier", "n'est pas un PDF"),                         # named .pdf, it is not one
            (b"<html><script>alert(1)</script></html>", "", "fichier", "n'est pas un PDF"),
            (pdf()[:-40], "", "fichier", "incomplet"),                        # cut on the way
            (None, "", "fichier", "l'un des deux"),                           # neither
            (pdf(), "https://example.org/x.pdf", "fichier", "l'un des deux"),  # both
            (None, "javascript:alert(1)", "lien", "https://")):
        r = add(s, servers, code, data=data, link=link)
        assert r.status_code == 422, (words, r.status_code, r.text[:300])
        err = BeautifulSoup(r.text, "html.parser").find(id=f"erreur-{field}")
        assert err is not None and words in err.get_text(), (words, r.text[:800])
    r = add(s, servers, code, title="", data=pdf())
    assert r.status_code == 422 and BeautifulSoup(r.text, "html.parser").find(id="erreur-titre") is not None
    # Over 10 MB: the module's French 413, before anything is read into the database.
    r = add(s, servers, code, data=b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1))
    assert r.status_code == 413 and "Mo" in r.text
    assert manuals(servers, code) == before


def test_only_the_items_referents_add_or_remove_manuals(servers, expect_log):
    expect_log.append("AH01631")            # httpd notes the bénévole's refused authorization
    _, theirs = item_at(servers, "mediatheque-jules-verne")
    _, own = item_at(servers)                                          # an item of la Fabrique
    admin, _ = login(servers, "admin.reseau")
    assert add(admin, servers, theirs, title="Fiche sécurité", link="https://example.org/s.pdf").status_code == 303
    manual = manuals(servers, theirs)[-1][0]
    # The médiathèque's volunteer is no référent: neither the page nor a change.
    volunteer, _ = login(servers, "benevole.mediatheque")
    assert volunteer.get(servers.url(f"{MANUALS}?numero={theirs}"), allow_redirects=False,
                         timeout=10).status_code == 403
    # La Fabrique's référente, with a token of her own form, cannot add to or
    # remove from the médiathèque's item.
    other, _ = login(servers, "referente.fabrique")
    t = token(other, servers, f"{MANUALS}?numero={own}")
    assert other.get(servers.url(f"{MANUALS}?numero={theirs}"), allow_redirects=False, timeout=10).status_code == 403
    r = add(other, servers, theirs, title="Pas à elle", link="https://example.org/n.pdf", t=t)
    assert r.status_code == 403 and "pas référent" in r.text
    r = other.post(servers.url(MANUALS), allow_redirects=False, timeout=10,
                   data={"jeton": t, "numero": theirs, "action": "retirer", "document": str(manual)},
                   files={"fichier": ("", b"")})
    assert r.status_code == 403
    assert [m[0] for m in manuals(servers, theirs)] == [manual]
    # Another item's manual, named from her own item's form: refused under the form.
    r = other.post(servers.url(MANUALS), allow_redirects=False, timeout=10,
                   data={"jeton": t, "numero": own, "action": "retirer", "document": str(manual)},
                   files={"fichier": ("", b"")})
    assert r.status_code == 422 and "n'appartient pas" in r.text
    assert [m[0] for m in manuals(servers, theirs)] == [manual]
    for bad in ({"action": "detruire"}, {"numero": ""}, {"document": "x", "action": "retirer"},
                {"action": "retirer"}):
        r = other.post(servers.url(MANUALS), allow_redirects=False, timeout=10,
                       data={"jeton": t, "numero": own, "action": "ajouter", "titre": "T", **bad},
                       files={"fichier": ("", b"")})
        assert r.status_code == 400, bad
