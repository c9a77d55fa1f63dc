"""Plugging into an existing website: fragments, mod_include, the site's own
layout, template overrides, the neutral stylesheet."""
import os
import re
import shutil

from bs4 import BeautifulSoup

from conftest import ROOT, RUN


def test_fragment_is_content_only(servers):
    r = servers.get("/tierslieux/outils?fragment=1&categorie=jardinage")
    assert r.status_code == 200
    body = r.text
    for absent in ("<html", "<head", "<body", "<!DOCTYPE", "<script", "<style", "Aller au contenu", "<main"):
        assert absent not in body, absent
    soup = BeautifulSoup(body, "html.parser")
    assert not soup.find("h1")
    assert soup.find(["h2", "h3", "h4"]).name == "h2"            # our h1, one level down
    ids = [el["id"] for el in soup.find_all(id=True)]
    assert ids and all(i.startswith("tl-") for i in ids)
    for label in soup.find_all("label"):
        assert soup.find(id=label["for"]), label["for"]             # references follow the prefix
    assert soup.find(id="tl-resultats-titre").name == "h3"


def test_fragment_heading_level_is_configurable(servers):
    soup = BeautifulSoup(servers.get("/tierslieux/outils?fragment=1&niveau=3").text, "html.parser")
    assert soup.find(["h1", "h2", "h3", "h4", "h5", "h6"]).name == "h3"
    soup = BeautifulSoup(servers.get("/tierslieux/lieux/la-fabrique?fragment=1").text, "html.parser")
    assert not soup.find("script")                                 # no JSON-LD block in a fragment


def test_mod_include_page_includes_a_fragment(servers):
    r = servers.get("/exemple-inclusion.shtml")
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    assert [h.get_text() for h in soup.find_all("h1")] == ["Jardiner à Saint-Aubin"]
    assert r.text.count("<html") == 1 and r.text.count("<body") == 1
    included = [a.get_text() for a in soup.select(".tl-card h4 a")]   # h3 one level down
    garden = [t for (t,) in servers.sql(
        "SELECT i.title FROM tl.item i JOIN tl.category c ON c.id = i.category_id "
        "WHERE c.slug = 'jardinage' AND i.retired_at IS NULL")]
    assert included and sorted(included) == sorted(garden)
    assert soup.find("h2").get_text(" ", strip=True).startswith("Outilthèque")
    assert "<!--#include" not in r.text


def test_site_layout_is_kept_byte_for_byte(servers):
    layout = open(os.path.join(ROOT, "conf/demo/site/gabarit-mairie.html"), encoding="utf-8").read()
    marker = layout.index("data-tierslieux-contenu>") + len("data-tierslieux-contenu>")
    head, tail = layout[:marker], layout[layout.index("</main>"):]
    r = servers.get("/mairie/partage/outils?categorie=cuisine")
    assert r.status_code == 200
    r.encoding = "utf-8"
    assert r.text.startswith(head)
    assert r.text.endswith(tail)
    assert 'été: true, balise: "</div>"' in r.text                  # the site's script, untouched
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find("main", id="contenu-mairie").find("h1").get_text() == "Outilthèque : le catalogue"
    links = [a["href"] for a in soup.select(".tl-card h3 a")]
    assert links and all(h.startswith("/mairie/partage/outils/") for h in links)
    assert "Content-Security-Policy" not in r.headers               # the site's scripts must run
    assert "Content-Security-Policy" in servers.get("/tierslieux/outils").headers


def test_stylesheet_is_served_with_a_fingerprint(servers):
    soup = BeautifulSoup(servers.get("/tierslieux/").text, "html.parser")
    href = soup.find("link", rel="stylesheet")["href"]
    assert re.fullmatch(r"/tierslieux/static/tierslieux\.css\?v=[0-9a-f]{8}", href)
    r = servers.get(href)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/css; charset=utf-8"
    assert "@layer tierslieux" in r.text and ":where(" in r.text
    assert "immutable" in r.headers["Cache-Control"]
    assert servers.get(href, headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    assert servers.get("/tierslieux/static/nope.css").status_code == 404


def test_site_overrides_a_template(servers):
    overrides = os.path.join(RUN, "gabarits-du-site")
    shutil.rmtree(overrides, ignore_errors=True)
    os.makedirs(os.path.join(overrides, "partials"))
    with open(os.path.join(overrides, "partials", "disponibilite.html"), "w", encoding="utf-8") as f:
        f.write('<p class="tl-state" data-tl-if="available">Libre tout de suite !</p>'
                '<p class="tl-state" data-tl-unless="available">Pas maintenant</p>')
    extra = os.path.join(servers.web, "extra", "surcharge.conf")
    with open(extra, "w", encoding="utf-8") as f:
        f.write('<Location "/quartier">\n  SetHandler tierslieux\n'
                f'  TiersLieuxTemplateDir "{overrides}"\n  TiersLieuxSiteName "Quartier Nord"\n</Location>\n')
    try:
        servers.restart_httpd()
        soup = BeautifulSoup(servers.get("/quartier/outils?dispo=1").text, "html.parser")
        assert {p.get_text() for p in soup.select(".tl-state")} == {"Libre tout de suite !"}
        assert "Quartier Nord" in soup.title.get_text()
        assert soup.select_one(".tl-card h3 a")["href"].startswith("/quartier/outils/")
        # the module's own templates elsewhere are untouched
        assert "Libre tout de suite" not in servers.get("/tierslieux/outils").text
    finally:
        os.remove(extra)
        servers.restart_httpd()
