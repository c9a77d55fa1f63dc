"""The grainothèque: species, varieties, lots with harvest year and packets left."""
from bs4 import BeautifulSoup


def soup(servers, path, status=200):
    r = servers.get(path)
    assert r.status_code == status, (path, r.status_code)
    return BeautifulSoup(r.text, "html.parser")


def test_species_varieties_and_lots(servers):
    page = soup(servers, "/tierslieux/graines")
    species = [h.contents[0].strip() for h in page.select(".tl-species h3")]
    with_lots = servers.sql("SELECT count(DISTINCT v.species_id) FROM tl.seed_lot l "
                            "JOIN tl.seed_variety v ON v.id = l.variety_id")[0][0]
    assert len(species) == with_lots >= 10
    varieties = servers.sql("SELECT count(DISTINCT variety_id) FROM tl.seed_lot")[0][0]
    assert len(page.select(".tl-species .tl-card")) == varieties >= 30
    assert f"{varieties} variétés" in page.get_text()
    lots = page.select("table.tl-lots tbody tr")
    assert len(lots) == servers.sql("SELECT count(*) FROM tl.seed_lot")[0][0]
    years = {tr.find_all("td")[0].get_text() for tr in lots}
    this_year = servers.sql("SELECT extract(year FROM now())::integer")[0][0]
    assert years <= {str(y) for y in range(this_year - 15, this_year + 1)}
    assert "épuisé" in page.get_text()                      # a lot with no packet left


def test_lot_packets_match_the_movements(servers):
    lot_variety, packets = servers.sql(
        "SELECT v.name, s.packets FROM tl.seed_lot_stock s JOIN tl.seed_lot l ON l.id = s.lot_id "
        "JOIN tl.seed_variety v ON v.id = l.variety_id WHERE s.packets > 0 ORDER BY s.packets DESC LIMIT 1")[0]
    page = soup(servers, "/tierslieux/graines?dispo=1")
    cards = [c for c in page.select(".tl-card") if c.h4.get_text() == lot_variety]
    assert cards and str(packets) in [td.get_text() for td in cards[0].select("tbody td")]
    assert "épuisé" not in page.get_text()


def test_filter_by_place_and_species_and_words(servers):
    page = soup(servers, "/tierslieux/graines?lieu=la-fabrique")
    places = {a.get_text() for a in page.select("table.tl-lots tbody td a")}
    assert places == {"La Fabrique"}
    tomato = servers.sql("SELECT id FROM tl.seed_species WHERE common_name ILIKE 'tomate%' LIMIT 1")[0][0]
    page = soup(servers, f"/tierslieux/graines?espece={tomato}")
    assert len(page.select(".tl-species")) == 1
    assert page.find("option", selected=True, value=str(tomato))
    page = soup(servers, "/tierslieux/graines?q=NOIRE%20de%20crimee")   # any case, no accents needed
    assert [h.get_text() for h in page.select(".tl-card h4")] == ["Noire de Crimée"]


def test_variety_page(servers):
    vid, name, species = servers.sql("SELECT v.id, v.name, s.common_name FROM tl.seed_variety v "
                                     "JOIN tl.seed_species s ON s.id = v.species_id "
                                     "WHERE EXISTS (SELECT 1 FROM tl.seed_lot l WHERE l.variety_id = v.id) LIMIT 1")[0]
    page = soup(servers, f"/tierslieux/graines/{vid}")
    assert page.h1.get_text() == f"{species} « {name} »"
    assert page.select("table.tl-lots tbody tr")
    soup(servers, "/tierslieux/graines/999999", status=404)
    soup(servers, "/tierslieux/graines/x1", status=400)


def test_grower_names_are_never_public(servers):
    growers = [g for (g,) in servers.sql("SELECT DISTINCT grower FROM tl.seed_lot WHERE grower IS NOT NULL")]
    text = servers.get("/tierslieux/graines").text
    for vid, in servers.sql("SELECT id FROM tl.seed_variety LIMIT 10"):
        text += servers.get(f"/tierslieux/graines/{vid}").text
    for g in growers:
        assert g not in text
