"""Open data (issue 18, point 3): the places in the national « équipements »
schema (every column checked against the constraints summarised in
../shared/data/opendata/README.md, read from that file), the places as
GeoJSON, the catalogue as CSV, each under the licence its page states; the
place settings the schema needs, typed in the back office."""
import csv
import io
import json
import os
import re

import pytest

from conftest import ROOT
from test_admin import FABRIQUE, MEDIATHEQUE, page, post, token
from test_desk_access import login

README = os.path.join(ROOT, "..", "shared", "data", "opendata", "README.md")
LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


# What the tests change of the places, put back before each: every test
# starts from the demo's places, whatever ran before it.
PLACE_COLUMNS = ("street_address", "locality", "phone", "latitude", "longitude", "authority_name", "authority_siret",
                 "insee_code", "equipment_code", "equipment_type", "equipment_theme")


@pytest.fixture(scope="module")
def demo_places(servers):
    return servers.sql(f"SELECT slug, {', '.join(PLACE_COLUMNS)} FROM tl.place")


@pytest.fixture(autouse=True)
def places_as_in_the_demo(servers, demo_places):
    for slug, *values in demo_places:
        servers.sql(f"UPDATE tl.place SET {', '.join(c + ' = %s' for c in PLACE_COLUMNS)} WHERE slug = %s",
                    (*values, slug))


def schema():
    """The équipements table of the README: column -> (type, required,
    constraint), in the schema's order."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    section = text.split("## `scdl/equipements`", 1)[1]
    columns = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[A-Z_]+", cells[0]):
            columns[cells[0]] = (cells[1], cells[2] == "yes", cells[3])
    assert len(columns) == 21, list(columns)
    return columns


def pattern(constraint):
    found = [p for p in re.findall(r"`([^`]*)`", constraint) if p.startswith("^")]
    return re.compile(found[0]) if found else None


def check_row(row, columns):
    """Every column of one row against its constraint; the problems found."""
    problems = []
    for name, (kind, required, constraint) in columns.items():
        value = row[name]
        if not value:
            if required:
                problems.append(f"{name} is required")
            continue
        rx = pattern(constraint)
        if rx and not rx.match(value):
            problems.append(f"{name}={value!r} does not match {rx.pattern}")
        limit = re.search(r"([<≤]) (\d+) chars", constraint)
        if limit and not (len(value) < int(limit.group(2)) if limit.group(1) == "<" else
                          len(value) <= int(limit.group(2))):
            problems.append(f"{name}={value!r} is too long for {constraint}")
        if kind == "number":
            try:
                number = float(value)
            except ValueError:
                problems.append(f"{name}={value!r} is not a number with a decimal point")
            else:
                bound = 90 if name == "EQUIP_LAT" else 180
                if "," in value or not -bound <= number <= bound:
                    problems.append(f"{name}={value!r} out of WGS 84's range")
        if kind == "integer" and not (value.isdigit() and 1 <= int(value) <= 5):
            problems.append(f"{name}={value!r} is not 1 to 5")
    themes = re.findall(r"`([^`]*)`", columns["EQUIP_THEME"][2])
    if row["EQUIP_THEME"] not in themes:
        problems.append(f"EQUIP_THEME={row['EQUIP_THEME']!r} is not one of the schema's")
    if not re.fullmatch(r"\d{8}-(00[1-9]|0[1-9]\d|[1-9]\d\d)", row["EQUIP_CODE"]):
        problems.append(f"EQUIP_CODE={row['EQUIP_CODE']!r} is not 8 digits and a sequence 001-999")
    if row["EQUIP_UID"] != row["EQUIP_UID"][:5] + "-" + row["EQUIP_CODE"]:
        problems.append("EQUIP_UID is not the INSEE code and EQUIP_CODE")
    if "," in row["EQUIP_TYPE"]:
        problems.append("EQUIP_TYPE holds a comma")
    if not (row["ADR_NUMERO"] == "99999" or re.fullmatch(r"\d+( ?(bis|ter|quater|[A-Za-z]))?", row["ADR_NUMERO"])):
        problems.append(f"ADR_NUMERO={row['ADR_NUMERO']!r}")
    if len(row["ADR_NOMVOIE"]) <= 3:
        problems.append("ADR_NOMVOIE has 3 characters or fewer")
    if len(row["ADR_CODEPOSTAL"]) != 5:
        problems.append("ADR_CODEPOSTAL is not 5 characters")
    if row["EQUIP_TEL"] and not re.fullmatch(r"\+\d{8,11}", row["EQUIP_TEL"]):
        problems.append(f"EQUIP_TEL={row['EQUIP_TEL']!r} is not in its international form")
    if row["EQUIP_EMAIL"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", row["EQUIP_EMAIL"]):
        problems.append("EQUIP_EMAIL")
    if row["EQUIP_WEB"] and not re.match(r"https?://", row["EQUIP_WEB"]):
        problems.append("EQUIP_WEB")
    return problems


def equipment(servers):
    r = servers.get("/tierslieux/donnees-ouvertes/equipements.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Link"] == f'<{LICENCE}>; rel="license"'
    text = r.content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert text.split("\r\n", 1)[0].split(",") == list(schema())
    return rows


def test_the_equipment_file_has_the_schemas_columns_in_order_and_every_value_fits(servers):
    rows = equipment(servers)
    assert {r["EQUIP_NOM"] for r in rows} == {"Médiathèque Jules-Verne", "La Fabrique"}
    columns = schema()
    for row in rows:
        assert check_row(row, columns) == [], row
    fabrique = next(r for r in rows if r["EQUIP_NOM"] == "La Fabrique")
    assert (fabrique["ADR_NUMERO"], fabrique["ADR_NOMVOIE"], fabrique["EQUIP_TEL"]) == \
        ("14", "rue des Tonneliers", "+33241557804")
    assert fabrique["EQUIP_OUVERTURE"] == servers.sql("SELECT opening_hours FROM tl.place WHERE slug = %s",
                                                       (FABRIQUE,))[0][0]


def test_addresses_the_schema_refuses_as_typed_are_brought_to_its_patterns(servers):
    servers.sql("""UPDATE tl.place SET street_address = '12 bis, rue de l’Église (bâtiment B) – cœur',
                                       locality = 'L’Haÿ-les-Roses', phone = '01.40.63.39.00'
                    WHERE slug = %s""", (FABRIQUE,))
    servers.sql("""UPDATE tl.place SET street_address = 'Place de la Mairie', phone = '+262 262 12 34 56'
                    WHERE slug = %s""", (MEDIATHEQUE,))
    rows = {r["EQUIP_NOM"]: r for r in equipment(servers)}
    columns = schema()
    for row in rows.values():
        assert check_row(row, columns) == [], row
    fabrique, mediatheque = rows["La Fabrique"], rows["Médiathèque Jules-Verne"]
    assert fabrique["ADR_NUMERO"] == "12 bis"
    assert fabrique["ADR_NOMVOIE"] == "rue de l'Église bâtiment B coeur"
    assert fabrique["ADR_COMMUNE"] == "L Haÿ-les-Roses"
    assert fabrique["EQUIP_TEL"] == "+33140633900"
    assert mediatheque["ADR_NUMERO"] == "99999" and mediatheque["ADR_NOMVOIE"] == "Place de la Mairie"
    assert mediatheque["EQUIP_TEL"] == ""           # +262 262…: longer than the schema allows, left out


def test_two_places_of_one_code_in_one_commune_are_numbered_001_and_002(servers):
    servers.sql("UPDATE tl.place SET equipment_code = '13020100' WHERE slug IN (%s, %s)", (FABRIQUE, MEDIATHEQUE))
    rows = equipment(servers)
    assert sorted(r["EQUIP_UID"] for r in rows) == ["49999-13020100-001", "49999-13020100-002"]
    for row in rows:
        assert check_row(row, schema()) == [], row


def test_a_place_lacking_what_the_schema_needs_is_left_out_and_the_page_says_what_it_lacks(servers):
    servers.sql("UPDATE tl.place SET insee_code = NULL WHERE slug = %s", (FABRIQUE,))
    assert [r["EQUIP_NOM"] for r in equipment(servers)] == ["Médiathèque Jules-Verne"]
    text = servers.get("/tierslieux/donnees-ouvertes").text
    assert "La Fabrique</a> : le code INSEE de la commune." in text
    assert "Tiers-lieu Lakour</a> : la collectivité, son SIRET, le code INSEE de la commune, le code, le type et " \
           "le thème de la nomenclature des équipements." in text


def test_the_page_states_the_licence_and_links_every_file(servers):
    r = servers.get("/tierslieux/donnees-ouvertes")
    assert r.status_code == 200
    assert "Licence Ouverte 2.0 (Etalab)" in r.text and f'href="{LICENCE}"' in r.text
    for f in ("equipements.csv", "lieux.geojson", "outils.csv"):
        assert f'href="/tierslieux/donnees-ouvertes/{f}"' in r.text
    assert 'href="/tierslieux/donnees-ouvertes"' in servers.get("/tierslieux/lieux").text


def test_the_places_as_geojson(servers):
    r = servers.get("/tierslieux/donnees-ouvertes/lieux.geojson")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/geo+json"
    assert r.headers["Link"] == f'<{LICENCE}>; rel="license"'
    data = json.loads(r.content)
    assert data["type"] == "FeatureCollection"
    places = servers.sql("SELECT slug, longitude::float8, latitude::float8 FROM tl.place "
                         "WHERE latitude IS NOT NULL ORDER BY slug")
    assert sorted((f["id"], *f["geometry"]["coordinates"]) for f in data["features"]) == places
    for f in data["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
        assert f["properties"]["page"] == servers.url(f"/tierslieux/lieux/{f['id']}")
        assert servers.get(f["properties"]["page"].replace(servers.base, "")).status_code == 200
    fabrique = next(f for f in data["features"] if f["id"] == FABRIQUE)
    assert fabrique["properties"]["activites"] == ["outiltheque", "grainotheque", "repair_cafe", "ressourcerie"]
    servers.sql("UPDATE tl.place SET latitude = NULL, longitude = NULL WHERE slug = %s", (FABRIQUE,))
    data = servers.get("/tierslieux/donnees-ouvertes/lieux.geojson").json()
    assert FABRIQUE not in [f["id"] for f in data["features"]]


def test_the_catalogue_as_csv_names_every_item_and_nobody(servers):
    servers.sql("UPDATE tl.item SET title = '-Scie, \"fine\" =1' WHERE code = 'OT-0002'")
    r = servers.get("/tierslieux/donnees-ouvertes/outils.csv")
    assert r.status_code == 200 and r.headers["Link"] == f'<{LICENCE}>; rel="license"'
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"), newline="")))
    expected = servers.sql("SELECT id, code, title FROM tl.item WHERE retired_at IS NULL ORDER BY id")
    assert [(int(r["identifiant"]), r["code"], r["titre"]) for r in rows] == expected
    assert list(rows[0]) == ["identifiant", "code", "titre", "marque", "categorie", "lieu", "lieu_identifiant",
                             "commune", "ajoute_le", "page"]
    assert all(r["page"] == servers.url(f"/tierslieux/outils/{r['identifiant']}") for r in rows)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["ajoute_le"]) for r in rows)


def open_data_form(servers, s, place=FABRIQUE, **fields):
    _, soup = page(servers, s, "/gestion/lieu", lieu=FABRIQUE)
    data = {"jeton": token(soup, "/gestion/lieu/donnees-ouvertes"), "lieu": place,
            "collectivite": "Ville de Saint-Aubin-sur-Loire", "siret": "214 909 999 00017", "insee": "49999",
            "code_equipement": "14040300", "type_equipement": "Tiers-lieu", "theme": "Equipement social et d'animation",
            "latitude": "47,38842", "longitude": "-0,44496"}
    data.update(fields)
    return data


def test_a_referent_sets_what_the_schema_needs_and_the_file_follows(servers):
    s, _ = login(servers, "referente.fabrique")
    _, soup = page(servers, s, "/gestion/lieu", lieu=FABRIQUE)
    assert soup.find(id="siret")["value"] == "21490999900017"
    assert soup.find(id="theme").find("option", selected=True)["value"] == "Equipement social et d'animation"
    r = post(servers, s, "/gestion/lieu/donnees-ouvertes", open_data_form(servers, s, type_equipement="Fab lab",
                                                                           latitude="47,5", longitude="-0,5"))
    assert r.status_code == 303 and "fait=donnees" in r.headers["Location"]
    row = next(r for r in equipment(servers) if r["EQUIP_NOM"] == "La Fabrique")
    assert (row["EQUIP_TYPE"], row["EQUIP_LAT"], row["EQUIP_LONG"]) == ("Fab lab", "47.500000", "-0.500000")
    # emptied, the place leaves the file
    r = post(servers, s, "/gestion/lieu/donnees-ouvertes", open_data_form(servers, s, insee=""))
    assert r.status_code == 303
    assert "La Fabrique" not in [r["EQUIP_NOM"] for r in equipment(servers)]


@pytest.mark.parametrize("field,value,message", [
    ("siret", "1234", "le SIRET a quatorze chiffres"),
    ("insee", "4925", "le code INSEE de la commune a cinq caractères"),
    ("code_equipement", "1404030", "huit chiffres"),
    ("type_equipement", "Tiers-lieu, fab lab", "sans virgule"),
    ("theme", "Equipement festif", "choisissez un thème de la liste"),
    ("latitude", "quarante", "la latitude va de -90 à 90"),
    ("latitude", "95", "la latitude va de -90 à 90"),
    ("longitude", "", "avec la longitude"),
    ("longitude", "190", "la longitude va de -180 à 180"),
    ("siret", "1" * 21, "SIRET"),
])
def test_what_the_schema_refuses_is_refused_in_french_beside_its_field_and_nothing_changes(servers, field, value,
                                                                                              message):
    s, _ = login(servers, "referente.fabrique")
    before = servers.sql("SELECT * FROM tl.place WHERE slug = %s", (FABRIQUE,))
    r = post(servers, s, "/gestion/lieu/donnees-ouvertes", open_data_form(servers, s, **{field: value}))
    assert r.status_code == 422, r.text[:300]
    error = page_error(r.text, "latitude" if message == "avec la longitude" else field)
    assert message.lower() in error.lower(), error
    assert servers.sql("SELECT * FROM tl.place WHERE slug = %s", (FABRIQUE,)) == before


def page_error(html, field):
    from bs4 import BeautifulSoup
    found = BeautifulSoup(html, "html.parser").find(id=f"erreur-{field}")
    return found.get_text() if found else ""


def test_only_the_places_referents_set_its_open_data(servers, expect_log):
    expect_log.append("AH01631")            # httpd notes the bénévole's refused authorization
    s, _ = login(servers, "benevole.mediatheque")
    data = open_data_form(servers, login(servers, "referente.fabrique")[0], place=FABRIQUE)
    r = post(servers, s, "/gestion/lieu/donnees-ouvertes", data)
    assert r.status_code == 403
    s, _ = login(servers, "referente.fabrique")
    data = open_data_form(servers, s, place=MEDIATHEQUE)
    r = post(servers, s, "/gestion/lieu/donnees-ouvertes", data)
    assert r.status_code == 403
    assert servers.sql("SELECT equipment_type FROM tl.place WHERE slug = %s", (MEDIATHEQUE,)) == \
        [("Bibliothèque - médiathèque",)]
