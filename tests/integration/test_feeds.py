"""Atom feeds (issue 18, point 2): the catalogue's new items and the
ressourcerie's arrivals, for the network or one place, read by a real feed
parser (python3-feedparser): well-formed, ids permanent and unique, dates
those of the records, links that lead to what the entry names, linked from
their pages, and following every write to what they show."""
import calendar

import feedparser
import pytest
from bs4 import BeautifulSoup

from test_desk_access import login
from test_reuse_stock import put_on_sale, sell

ATOM = "application/atom+xml; charset=utf-8"


def feed(servers, path):
    r = servers.get(path)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"] == ATOM
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def epoch(struct):
    return calendar.timegm(struct)


def links(thing):
    return {l["rel"]: l["href"] for l in thing.links}


def check_feed(servers, parsed, path, page, newest_first=True):
    """What every feed of ours holds: its id is its own address, which its
    self link names; it follows its page; entries have unique ids, and the
    feed's date is the newest entry's."""
    assert parsed.feed.id == servers.url(path)
    assert links(parsed.feed) == {"self": servers.url(path), "alternate": servers.url(page)}
    assert parsed.feed.author == "Réseau des lieux partagés de Saint-Aubin"
    ids = [e.id for e in parsed.entries]
    assert len(ids) == len(set(ids))
    if parsed.entries:
        assert epoch(parsed.feed.updated_parsed) == max(epoch(e.updated_parsed) for e in parsed.entries)
    updated = [epoch(e.updated_parsed) for e in parsed.entries]
    assert not newest_first or updated == sorted(updated, reverse=True)


@pytest.mark.parametrize("place", ["", "la-fabrique", "mediatheque-jules-verne"])
def test_the_catalogue_feed_lists_the_newest_items_with_their_dates_and_pages(servers, place):
    query = f"?lieu={place}" if place else ""
    parsed = feed(servers, "/tierslieux/outils.atom" + query)
    check_feed(servers, parsed, "/tierslieux/outils.atom" + query, "/tierslieux/outils" + query)
    expected = servers.sql("""SELECT i.id, i.title, extract(epoch FROM i.created_at)::bigint, c.slug, p.name
                                FROM tl.item i JOIN tl.place p ON p.id = i.place_id
                                JOIN tl.category c ON c.id = i.category_id
                               WHERE i.retired_at IS NULL AND (%s = '' OR p.slug = %s)
                               ORDER BY i.created_at DESC, i.sort_title, i.id LIMIT 30""", (place, place))
    assert len(expected) == 30 if not place else len(expected) > 5
    assert [(int(e.id.rsplit("/", 1)[1]), e.title, epoch(e.published_parsed), e.tags[0].term)
            for e in parsed.entries] == [row[:4] for row in expected]
    for entry, row in zip(parsed.entries, expected):
        assert entry.id == servers.url(f"/tierslieux/outils/{row[0]}") == entry.link
        assert entry.summary.endswith(f"à emprunter à {row[4]}")
        assert "disponible" not in entry.summary and "prêt" not in entry.summary
    # the first entry's link leads to that item's page
    page = BeautifulSoup(servers.get(parsed.entries[0].link.replace(servers.base, "")).text, "html.parser")
    assert page.find("h1").get_text(strip=True) == parsed.entries[0].title


def test_the_catalogue_feed_follows_new_and_retired_items_and_survives_any_title(servers):
    before = feed(servers, "/tierslieux/outils.atom?lieu=la-fabrique")
    # a title with markup, an ampersand, quotes and a control character
    servers.sql("""INSERT INTO tl.item (code, title, description, category_id, collection_id, place_id, created_at)
                   SELECT 'FLUX-1', 'Scie <b>"fine"</b> & lame' || chr(1), '', i.category_id, i.collection_id,
                          i.place_id, now() + interval '1 minute'
                     FROM tl.item i JOIN tl.place p ON p.id = i.place_id
                    WHERE p.slug = 'la-fabrique' ORDER BY i.id LIMIT 1""")
    (item_id,) = servers.sql("SELECT id FROM tl.item WHERE code = 'FLUX-1'")[0]
    after = feed(servers, "/tierslieux/outils.atom?lieu=la-fabrique")
    assert after.entries[0].id.endswith(f"/outils/{item_id}")
    assert after.entries[0].title == 'Scie <b>"fine"</b> & lame'
    assert [e.id for e in after.entries[1:]] == [e.id for e in before.entries[:29]]
    # not in another place's feed
    assert all(not e.id.endswith(f"/outils/{item_id}") for e in feed(servers, "/tierslieux/outils.atom?lieu="
                                                                            "mediatheque-jules-verne").entries)
    servers.sql("UPDATE tl.item SET retired_at = now() WHERE code = 'FLUX-1'")
    assert [e.id for e in feed(servers, "/tierslieux/outils.atom?lieu=la-fabrique").entries] == \
        [e.id for e in before.entries]


def test_the_ressourcerie_feed_lists_what_is_on_sale_and_follows_sales(servers):
    s, _ = login(servers, "referente.fabrique")
    code, _ = put_on_sale(servers, s, titre="Commode en chêne & laiton", description="Trois tiroirs", prix="35")
    for place in ("", "la-fabrique"):
        query = f"?lieu={place}" if place else ""
        parsed = feed(servers, "/tierslieux/ressourcerie.atom" + query)
        check_feed(servers, parsed, "/tierslieux/ressourcerie.atom" + query, "/tierslieux/ressourcerie" + query)
        expected = servers.sql("""SELECT i.code, i.title, extract(epoch FROM i.created_at)::bigint, p.slug
                                    FROM tl.reuse_item i JOIN tl.place p ON p.id = i.place_id
                                   WHERE i.status = 'en_vente' AND (%s = '' OR p.slug = %s)
                                   ORDER BY i.created_at DESC, i.id DESC LIMIT 30""", (place, place))
        assert [(e.id.rsplit("#objet-", 1)[1], e.title, epoch(e.published_parsed)) for e in parsed.entries] == \
            [row[:3] for row in expected]
        assert parsed.entries[0].id == servers.url(f"/tierslieux/ressourcerie#objet-{code}")
        price = servers.sql("SELECT tl.amount_fr(35)")[0][0]         # with its no-break space
        assert parsed.entries[0].summary == f"Trois tiroirs — {price}, à La Fabrique"
    # each entry's link opens the shop's page at its card
    for entry in parsed.entries:
        path, anchor = entry.link.replace(servers.base, "").split("#")
        soup = BeautifulSoup(servers.get(path).text, "html.parser")
        assert soup.find(id=anchor).find("h3").get_text() == entry.title
    # the médiathèque has no ressourcerie: an empty feed, still valid
    assert feed(servers, "/tierslieux/ressourcerie.atom?lieu=mediatheque-jules-verne").entries == []
    # sold, it leaves the feed
    r = sell(servers, s, lines=[(code, "", "")])
    assert r.status_code == 303, r.text[:300]
    assert all(not e.id.endswith(code) for e in feed(servers, "/tierslieux/ressourcerie.atom").entries)


@pytest.mark.parametrize("query", ["", "?lieu=la-fabrique", "?type=atelier", "?lieu=mediatheque-jules-verne&type=troc_graines"])
def test_the_agenda_feed_lists_the_events_to_come_soonest_first_each_linking_to_its_page(servers, query):
    path = "/tierslieux/agenda.atom" + query
    parsed = feed(servers, path)
    check_feed(servers, parsed, path, "/tierslieux/agenda" + query, newest_first=False)
    params = dict(p.split("=") for p in query.lstrip("?").split("&") if p)
    expected = servers.sql("""SELECT s.id, s.kind, s.title FROM tl.repair_session s JOIN tl.place p ON p.id = s.place_id
                               WHERE s.ends_at > now() AND (%(lieu)s = '' OR p.slug = %(lieu)s)
                                 AND (%(type)s = '' OR s.kind = %(type)s)
                               ORDER BY s.starts_at, s.id LIMIT 50""",
                           {"lieu": params.get("lieu", ""), "type": params.get("type", "")})
    assert expected, query
    assert [e.id for e in parsed.entries] == [
        servers.url(f"/tierslieux/{'reparation' if kind == 'reparation' else 'agenda'}/{id_}") for id_, kind, _ in expected]
    for entry, (id_, kind, title) in zip(parsed.entries, expected):
        assert entry.link == entry.id and title in entry.title
    page = BeautifulSoup(servers.get(parsed.entries[0].link.replace(servers.base, "")).text, "html.parser")
    assert page.find("h1").get_text(strip=True).startswith(expected[0][2])        # the title, then its day
    soup = BeautifulSoup(servers.get("/tierslieux/agenda" + query).text, "html.parser")
    assert any(a["href"].startswith("/tierslieux/agenda.atom") for a in soup.find_all("a", href=True))


def test_a_cancelled_event_says_so_in_the_agenda_feed_and_a_past_one_leaves_it(servers):
    (first,) = servers.sql("SELECT id FROM tl.repair_session WHERE kind = 'atelier' AND starts_at > now() "
                           "ORDER BY starts_at LIMIT 1")[0]
    servers.sql("UPDATE tl.repair_session SET cancelled_at = now(), cancel_reason = 'Animatrice malade' "
                "WHERE id = %s", (first,))
    entry = next(e for e in feed(servers, "/tierslieux/agenda.atom?type=atelier").entries
                 if e.id.endswith(f"/agenda/{first}"))
    assert entry.title.startswith("Annulé : ")
    servers.sql("UPDATE tl.repair_session SET starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour' "
                "WHERE id = %s", (first,))
    assert all(not e.id.endswith(f"/agenda/{first}") for e in feed(servers, "/tierslieux/agenda.atom").entries)


def test_the_agenda_feed_refuses_a_kind_that_is_none(servers):
    r = servers.get("/tierslieux/agenda.atom?type=concert")
    assert r.status_code == 400 and "type d'événement" in r.text


@pytest.mark.parametrize("path", ["/tierslieux/outils.atom", "/tierslieux/ressourcerie.atom", "/tierslieux/agenda.atom"])
def test_a_feed_for_a_place_that_does_not_exist_or_a_malformed_one_is_refused_in_french(servers, path):
    r = servers.get(path + "?lieu=nulle-part")
    assert r.status_code == 404 and "Ce lieu n'existe pas" in r.text
    r = servers.get(path + "?lieu=a%20b")
    assert r.status_code == 400 and "lieu" in r.text


@pytest.mark.parametrize("page,feed_path", [("/tierslieux/outils", "/tierslieux/outils.atom"),
                                            ("/tierslieux/ressourcerie", "/tierslieux/ressourcerie.atom")])
def test_each_page_links_to_its_feed_for_the_network_and_for_a_place(servers, page, feed_path):
    for query in ("", "?lieu=la-fabrique"):
        soup = BeautifulSoup(servers.get(page + query).text, "html.parser")
        hrefs = [a["href"] for a in soup.find_all("a", href=True)]
        assert feed_path + query in hrefs, hrefs[-5:]


def test_a_feed_is_answered_304_when_nothing_it_shows_changed(servers):
    r = servers.get("/tierslieux/outils.atom")
    assert r.headers.get("ETag")
    again = servers.get("/tierslieux/outils.atom", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
