"""oEmbed and iframes (issue 18, point 1): the public pages other sites may
frame name their oEmbed endpoint, the endpoint answers a rich type whose
iframe opens the page's embed view, and that view is safe in someone
else's frame (no form, links onto the full site, our one script, the
sites the installation allows in frame-ancestors)."""
import json
import os
import subprocess
from urllib.parse import parse_qs, urljoin, urlsplit

from bs4 import BeautifulSoup

from conftest import RUN, cluster

SITE = "Réseau des lieux partagés de Saint-Aubin"


def soup_of(r):
    r.encoding = "utf-8"
    return BeautifulSoup(r.text, "html.parser")


def first_link(servers, page, prefix):
    """The number of the first /tierslieux{prefix}N a page links to."""
    soup = soup_of(servers.get(page))
    for a in soup.find_all("a", href=True):
        rest = a["href"].removeprefix("/tierslieux" + prefix)
        if rest != a["href"] and rest.isdigit():
            return rest
    raise AssertionError(f"no link to {prefix} on {page}")


def embeddable_pages(servers):
    item = servers.sql("SELECT min(id) FROM tl.item WHERE retired_at IS NULL")[0][0]
    return ["/tierslieux/outils?q=perceuse", "/tierslieux/outils", f"/tierslieux/outils/{item}",
            "/tierslieux/agenda", "/tierslieux/agenda/" + first_link(servers, "/tierslieux/agenda", "/agenda/"),
            "/tierslieux/reparation",
            "/tierslieux/reparation/" + first_link(servers, "/tierslieux/reparation", "/reparation/"),
            "/tierslieux/ressourcerie", "/tierslieux/impact"]


def discover(servers, path):
    """The page's oEmbed link (asserting there is exactly one), its title."""
    soup = soup_of(servers.get(path))
    links = soup.find_all("link", attrs={"type": "application/json+oembed"})
    assert len(links) == 1, path
    assert links[0]["rel"] == ["alternate"]
    return links[0]["href"], soup.title.get_text()


def oembed(servers, href):
    r = servers.get(href.removeprefix(servers.base))
    assert r.status_code == 200, (href, r.text[:300])
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(r.content.decode("utf-8"))


def iframe_of(data):
    frame = BeautifulSoup(data["html"], "html.parser").find_all("iframe")
    assert len(frame) == 1
    return frame[0]


def check_embed_view(servers, src, title):
    """The embed view at src: a document of its own, safe in a frame."""
    assert src.startswith(servers.base + "/tierslieux/")
    r = servers.get(src.removeprefix(servers.base))
    assert r.status_code == 200, src
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp and "default-src 'none'" in csp
    soup = soup_of(r)
    assert soup.title.get_text() == title
    assert not soup.find("form") and not soup.find(class_="tl-header") and not soup.find(class_="tl-skip")
    assert soup.find("base")["target"] == "_top"
    # Every link opens a full page (ours but a manufacturer's manual) in
    # the whole window (the base's target, never overridden): none stays
    # inside the frame.
    for a in soup.find_all("a"):
        href = urljoin(src, a["href"])
        assert href.startswith(servers.base + "/tierslieux/") or "rel" in a.attrs and href.startswith("https://"), a
        assert "#" not in a["href"] and "vue=integree" not in href, a
        assert a.get("target") in (None, "_top"), a
    scripts = soup.find_all("script", src=True)
    assert len(scripts) == 1 and scripts[0]["src"].startswith("/tierslieux/static/integree.js?v=")
    assert not [s for s in soup.find_all("script", src=False) if s.get("type") != "application/ld+json"]
    full = soup.find("link", rel="canonical")["href"]
    assert full == src.replace("&vue=integree", "").replace("?vue=integree", "")
    assert soup.find("footer").find("a")["href"] == full
    return soup


def test_every_embeddable_page_is_discovered_and_framed(servers):
    for path in embeddable_pages(servers):
        href, page_title = discover(servers, path)
        assert href.startswith(servers.base + "/tierslieux/oembed?")
        query = parse_qs(urlsplit(href).query)
        assert query["format"] == ["json"] and query["url"] == [servers.base + path]
        data = oembed(servers, href)
        assert data["version"] == "1.0" and data["type"] == "rich"
        assert data["provider_name"] == SITE and data["provider_url"] == servers.base + "/tierslieux/"
        assert page_title == data["title"] + " — " + SITE, path
        assert data["width"] == 640 and data["height"] == 600
        frame = iframe_of(data)
        assert frame["title"] == data["title"]
        assert (int(frame["width"]), int(frame["height"])) == (data["width"], data["height"])
        src = frame["src"]
        assert src == servers.base + path + ("&" if "?" in path else "?") + "vue=integree"
        check_embed_view(servers, src, page_title)


def test_other_pages_are_not_embeddable(servers):
    for path in ("/tierslieux/", "/tierslieux/lieux", "/tierslieux/graines", "/tierslieux/temoignages"):
        soup = soup_of(servers.get(path))
        assert not soup.find("link", attrs={"type": "application/json+oembed"}), path
        r = servers.get(path + "?vue=integree")
        assert r.status_code == 404 and "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]
        assert "ne s'affiche pas dans le cadre" in soup_of(r).get_text()
    r = servers.get("/tierslieux/outils?vue=complete")
    assert r.status_code == 400 and "integree" in soup_of(r).get_text()
    # A fragment for an include stays a fragment: no document, no script.
    r = servers.get("/tierslieux/outils?vue=integree&fragment=1")
    assert r.status_code == 200 and "<html" not in r.text and "<script" not in r.text
    # The site's own layout does not take the embed view: it is ours.
    soup = soup_of(servers.get("/mairie/partage/outils?vue=integree"))
    assert soup.find("base")["target"] == "_top" and not soup.find(id="contenu-mairie")


def test_endpoint_refusals(servers):
    base = servers.base + "/tierslieux"
    item = servers.sql("SELECT min(id) FROM tl.item WHERE retired_at IS NULL")[0][0]
    retired = servers.sql("SELECT coalesce(max(id), 0) + 1 FROM tl.item")[0][0]

    def ask(**params):
        return servers.get("/tierslieux/oembed", params=params)

    r = ask()
    assert r.status_code == 400 and "« url » manque" in soup_of(r).get_text()
    assert ask(url=f"{base}/outils", format="xml").status_code == 501
    assert "json" in soup_of(ask(url=f"{base}/outils", format="xml")).get_text()
    assert ask(url=f"{base}/outils", format="json").status_code == 200
    assert ask(url=f"{base}/outils").status_code == 200                 # JSON when no format is named
    for url in (f"http://ailleurs.example/tierslieux/outils", f"{base}/guichet", f"{base}/lieux",
                f"{base}/outils/{retired}", f"{base}/outils/abc", f"{base}/impact?lieu=nulle-part",
                f"{base}/agenda/2147483647", f"{base}nope/outils", f"ftp://127.0.0.1:{servers.port}/tierslieux/outils",
                f"http://127.0.0.1:{servers.port + 1}/tierslieux/outils", "pas une adresse", f"{base}/outils?q=%ZZ",
                f"http://moi:secret@127.0.0.1:{servers.port}/tierslieux/outils"):
        r = ask(url=url)
        assert r.status_code == 404, url
        assert "Cette adresse n'est pas une page de ce site" in soup_of(r).get_text(), url
    assert ask(url=f"{base}/outils", maxwidth="large").status_code == 400
    data = ask(url=f"{base}/outils/{item}", maxwidth="320", maxheight="2000").json()
    assert (data["width"], data["height"]) == (320, 600)
    assert (int(iframe_of(data)["width"]), int(iframe_of(data)["height"])) == (320, 600)
    slug, name = servers.sql("SELECT slug, name FROM tl.place ORDER BY id LIMIT 1")[0]
    data = ask(url=f"{base}/impact?lieu={slug}&vue=integree&fragment=1").json()
    assert data["title"] == "L'impact de " + name
    assert iframe_of(data)["src"] == f"{base}/impact?lieu={slug}&vue=integree"


def test_any_title_is_escaped(servers):
    item = servers.sql("SELECT min(id) FROM tl.item WHERE retired_at IS NULL")[0][0]
    title = 'Scie "sauteuse" \\ </iframe><script>alert(1)</script> & ‘ok’ \u2028 fin'
    servers.sql("UPDATE tl.item SET title = %s WHERE id = %s", (title, item))
    href, page_title = discover(servers, f"/tierslieux/outils/{item}")
    raw = servers.get(href.removeprefix(servers.base)).content.decode("utf-8")
    assert "<" not in raw and "\u2028" not in raw                         # written as \u escapes
    data = json.loads(raw)
    assert data["title"] == title and page_title == title + " — " + SITE
    frame = iframe_of(data)
    assert frame["title"] == title
    check_embed_view(servers, frame["src"], page_title)


def test_the_embed_view_is_kept_apart_from_the_page(servers):
    """The rendered-page cache keys the view apart: asking one, then the
    other, then the first again gives each its own document."""
    for _ in range(2):
        full = servers.get("/tierslieux/ressourcerie")
        embed = servers.get("/tierslieux/ressourcerie?vue=integree")
        assert "tl-header" in full.text and "tl-header" not in embed.text
        assert "integree.js" in embed.text and "integree.js" not in full.text
        assert full.headers["ETag"] != embed.headers["ETag"]
        assert "script-src" not in full.headers["Content-Security-Policy"]
    r = servers.get("/tierslieux/ressourcerie?vue=integree", headers={"If-None-Match": embed.headers["ETag"]})
    assert r.status_code == 304


def test_the_script_is_ours_and_small(servers):
    soup = soup_of(servers.get("/tierslieux/agenda?vue=integree"))
    r = servers.get(soup.find("script", src=True)["src"])
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert "immutable" in r.headers["Cache-Control"] and len(r.content) < 8192
    for word in ("'height'", "'ready'", "'link'", "secret", "postMessage"):
        assert word in r.text, word


def test_frame_ancestors_follow_the_configuration(servers):
    extra = os.path.join(servers.web, "extra", "cadres.conf")
    with open(extra, "w", encoding="utf-8") as f:
        f.write('<Location "/tierslieux">\n'
                "  TiersLieuxFrameAncestors 'self' https://www.ville.example https://*.mediatheque.example:8443\n"
                "</Location>\n")
    try:
        servers.restart_httpd()
        r = servers.get("/tierslieux/outils/1?vue=integree")
        assert r.headers["Content-Security-Policy"].endswith(
            "frame-ancestors 'self' https://www.ville.example https://*.mediatheque.example:8443")
        # The full pages are framed by nobody else.
        assert servers.get("/tierslieux/outils/1").headers["Content-Security-Policy"].endswith(
            "frame-ancestors 'self'")
    finally:
        os.remove(extra)
        servers.restart_httpd()
    assert servers.get("/tierslieux/outils/1?vue=integree").headers["Content-Security-Policy"].endswith(
        "frame-ancestors 'self'")


def test_a_wrong_frame_ancestor_stops_httpd_with_a_clear_message(servers):
    run = os.path.join(RUN, "cadres-faux")
    os.makedirs(os.path.join(run, "logs"), exist_ok=True)
    os.makedirs(os.path.join(run, "extra"), exist_ok=True)
    cluster("httpd-conf", run, "1", servers.pg)
    for value in ("https://ville.example/page", "ville.example", "https://ville.example; script-src *",
                  "'none' https://ville.example", "https://-ville.example", "https://ville.example:99999", ""):
        with open(os.path.join(run, "extra", "cadres.conf"), "w", encoding="utf-8") as f:
            f.write(f"TiersLieuxFrameAncestors {value}\n")
        p = subprocess.run(["/usr/sbin/apache2", "-d", run, "-f", os.path.join(run, "httpd.conf"), "-t"],
                           capture_output=True, text=True)
        assert p.returncode != 0, value
        assert "TiersLieuxFrameAncestors" in p.stderr, (value, p.stderr)
    with open(os.path.join(run, "extra", "cadres.conf"), "w", encoding="utf-8") as f:
        f.write("TiersLieuxFrameAncestors 'none'\n")
    p = subprocess.run(["/usr/sbin/apache2", "-d", run, "-f", os.path.join(run, "httpd.conf"), "-t"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
