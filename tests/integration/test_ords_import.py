"""Open Repair Data imports as the providers publish them: a newer release
applied over the older one (new rows added, corrections applied, counted in
the preview), the barrier variants of real files, values given back by the
export exactly as they came, the preview checking what the database checks
(its own constraints), refusals named by line at confirmation too, and a
provider's whole history (110,000 rows) in one upload."""
import csv
import io
import os
import re
import time
from collections import Counter

from bs4 import BeautifulSoup

from conftest import ROOT
from test_desk_access import login
from test_import import confirm, import_page, message

FABRIQUE = "la-fabrique"
DATA = os.path.join(ROOT, "..", "shared", "data", "ords")
WALES_OLD = "OpenRepairData_v0.3_RepairCafeWales_202407.csv"
WALES_NEW = "OpenRepairData_v0.3_RepairCafeWales_202507.csv"
RESTART = "OpenRepairData_v0.3_RestartProject_202204.csv"
ANSTIFTUNG = "OpenRepairData_v0.3_anstiftung_202309.csv"
DENMARK = "OpenRepairData_v0.3_RepairCafeDenmark_202507.csv"
ALL_FILES = ("OpenRepairData_v0.3_RepairCafeToronto_202507.csv", "OpenRepairData_v0.3_FixitClinic_202507.csv",
             WALES_OLD, WALES_NEW, RESTART, ANSTIFTUNG, DENMARK)
HEADER = ("id,data_provider,country,partner_product_category,product_category,product_category_id,brand,"
          "year_of_manufacture,product_age,repair_status,repair_barrier_if_end_of_life,group_identifier,"
          "event_date,problem\n")
# The schema's labels for what the files write.
BARRIER = {"Item too worn out": "Too worn out", "No way to open the product": "No way to open product"}
PHONE = "[téléphone retiré]"


def raw(name):
    return open(os.path.join(DATA, name), "rb").read()


def rows_of(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def send(servers, s, name, content, place=FABRIQUE):
    token = import_page(servers, s, place).find("input", attrs={"name": "jeton"})["value"]
    return s.post(servers.url("/tierslieux/gestion/import"), timeout=600, allow_redirects=False,
                  data={"jeton": token, "lieu": place, "quoi": "reparations"},
                  files={"fichier": (name, content, "text/csv")})


def preview(servers, s, name, content, place=FABRIQUE):
    r = send(servers, s, name, content, place)
    assert r.status_code == 200, r.text[:800]
    return BeautifulSoup(r.text, "html.parser")


def title(soup):
    return soup.find(id="apercu-titre").get_text()


def table(soup, caption_words):
    cap = soup.find("caption", string=lambda t: t and caption_words in t)
    assert cap is not None, caption_words
    return [[td.get_text() for td in tr.find_all("td")] for tr in cap.parent.select("tbody tr")]


def confirm_all(servers, s, soup):
    form = soup.find("form", action=lambda a: a and a.endswith("/gestion/import/confirmer"))
    assert form is not None, title(soup)
    data = {i["name"]: i["value"] for i in form.find_all("input")}
    return s.post(servers.url("/tierslieux/gestion/import/confirmer"), data=data, timeout=600, allow_redirects=False)


def export(servers, place=FABRIQUE):
    """The place's export, without the rows of the 110,000-row history
    test (the same providers under ids of its own), whatever ran first."""
    r = servers.get("/tierslieux/reparation/ords.csv", params={"lieu": place, "du": "1990-01-01", "au": "2030-12-31"},
                    timeout=120)
    assert r.status_code == 200
    return [row for row in rows_of(r.content) if not row["id"].startswith("histoire-")]


def exported_id(file_id):
    return re.sub(r"[_-]", "-", file_id).lower()


def same_problem(exported, original):
    """The export scrubs phone numbers out of the problem text: anything
    else must come back byte for byte, and what went must be a number."""
    if exported == original:
        return True
    parts = exported.split(PHONE)
    m = re.fullmatch("(.+?)".join(re.escape(p) for p in parts), original, re.S)
    return bool(m) and len(parts) > 1 and all(len(re.sub(r"\D", "", g)) >= 8 for g in m.groups())


def assert_export_gives_back(file_rows, exported_rows):
    """Field by field, every row of the file against its exported row."""
    by_id = {row["id"]: row for row in exported_rows}
    scrubbed = 0
    for src in file_rows:
        out = by_id[exported_id(src["id"])]
        for field in ("data_provider", "country", "partner_product_category", "product_category",
                      "product_category_id", "year_of_manufacture", "product_age", "repair_status",
                      "group_identifier", "event_date"):
            # Values are read trimmed of spaces (tl_ords), nothing else changes.
            assert out[field] == src[field].strip(), (src["id"], field, out[field], src[field])
        # "Unknown" in any case is the schema's missing brand, written so.
        brand = src["brand"].strip()
        assert out["brand"] == ("Unknown" if brand.lower() in ("", "unknown") else brand), src["id"]
        if src["repair_status"] == "End of life":
            expected = BARRIER.get(src["repair_barrier_if_end_of_life"], src["repair_barrier_if_end_of_life"])
        else:
            expected = ""
        assert out["repair_barrier_if_end_of_life"] == expected, (src["id"], out, src)
        assert same_problem(out["problem"], src["problem"].strip(" \t")), (src["id"], out["problem"], src["problem"])
        scrubbed += out["problem"] != src["problem"].strip(" \t")
    return scrubbed


def counts(rows, field):
    return Counter(row[field].strip() for row in rows)


def test_a_newer_release_adds_its_rows_and_applies_its_corrections(servers):
    s, _ = login(servers, "referente.fabrique")
    before = servers.sql("SELECT count(*) FROM tl.repair_record")[0][0]
    old, new = raw(WALES_OLD), raw(WALES_NEW)
    soup = preview(servers, s, WALES_OLD, old)
    assert ("14292 réparations lues, 14292 nouvelle(s), 0 corrigée(s), 0 déjà importée(s) sans changement, "
            "0 ligne(s) refusée(s)") in title(soup)
    r = confirm_all(servers, s, soup)
    # The real count, not the summary row.
    assert r.status_code == 303 and r.headers["Location"].endswith("fait=14292"), r.headers.get("Location")
    done = BeautifulSoup(s.get(r.headers["Location"], timeout=10).text, "html.parser")
    assert "Import terminé : 14292 ligne(s) importée(s) (14292 nouvelle(s), 0 corrigée(s) ; 0 déjà importée(s)" \
        in done.get_text()

    # The newer release repeats the older rows: 5,898 new, 28 corrected
    # (categories), the rest unchanged; nothing refused.
    soup = preview(servers, s, WALES_NEW, new)
    assert ("20190 réparations lues, 5898 nouvelle(s), 28 corrigée(s), 14264 déjà importée(s) sans changement, "
            "0 ligne(s) refusée(s)") in title(soup)
    changes = table(soup, "Corrections apportées")
    old_rows = {row["id"]: row for row in rows_of(old)}
    new_rows = rows_of(new)
    fixed = [row for row in new_rows if row["id"] in old_rows and row != old_rows[row["id"]]]
    assert len(fixed) == 28
    first = fixed[0]
    assert any(c[1] == first["id"] and c[2] == (f"product_category : {old_rows[first['id']]['product_category']} → "
                                                 f"{first['product_category']}") for c in changes), changes[:5]
    r = confirm_all(servers, s, soup)
    assert r.status_code == 303 and r.headers["Location"].endswith("fait=5926"), r.headers.get("Location")
    assert servers.sql("SELECT count(*) FROM tl.repair_record")[0][0] == before + 20190
    assert servers.sql("SELECT detail FROM tl.admin_log WHERE action = 'import.reparations' AND subject = %s",
                       (WALES_NEW,)) == [("5926 ligne(s) importée(s) : 5898 nouvelle(s), 28 corrigée(s), "
                                          "14264 inchangée(s)",)]

    # The export gives the newer release back, every row field by field,
    # and the same counts by status, category, year and barrier.
    out = [row for row in export(servers) if row["data_provider"] == "Repair Cafe Wales"]
    assert len(out) == 20190
    assert_export_gives_back(new_rows, out)
    for field in ("repair_status", "product_category_id", "year_of_manufacture"):
        assert counts(out, field) == counts(new_rows, field), field
    assert counts(out, "repair_barrier_if_end_of_life") == Counter(
        BARRIER.get(v, v) for v in (row["repair_barrier_if_end_of_life"] for row in new_rows))


def test_restart_anstiftung_and_denmark_come_back_as_they_went(servers):
    s, _ = login(servers, "referente.fabrique")
    for name, provider in ((RESTART, "The Restart Project"), (ANSTIFTUNG, "anstiftung"),
                           (DENMARK, "Repair Café Denmark")):
        content = raw(name)
        file_rows = rows_of(content)
        soup = preview(servers, s, name, content)
        assert f"{len(file_rows)} nouvelle(s)" in title(soup) and "0 ligne(s) refusée(s)" in title(soup), title(soup)
        if name == RESTART:
            # Its barrier variant is read (268 rows); its one barrier beside
            # "Repairable" is left out, and said.
            notes = table(soup, "sans une valeur")
            assert [n[:2] for n in notes] == [[str(i + 2), row["id"]] for i, row in enumerate(file_rows)
                                              if row["repair_barrier_if_end_of_life"]
                                              and row["repair_status"] != "End of life"]
            assert "Spare parts not available" in notes[0][2]
        assert confirm_all(servers, s, soup).status_code == 303
        out = [row for row in export(servers) if row["data_provider"] == provider]
        assert len(out) == len(file_rows)
        assert_export_gives_back(file_rows, out)
        for field in ("repair_status", "product_category_id", "year_of_manufacture", "product_age", "country",
                      "group_identifier"):
            assert counts(out, field) == counts(file_rows, field), (name, field)
        expected = Counter(BARRIER.get(r["repair_barrier_if_end_of_life"], r["repair_barrier_if_end_of_life"])
                           if r["repair_status"] == "End of life" else "" for r in file_rows)
        assert counts(out, "repair_barrier_if_end_of_life") == expected
        if name == RESTART:
            assert counts(out, "repair_barrier_if_end_of_life")["No way to open product"] == 268


def test_values_come_back_exactly_and_refusals_name_line_id_and_field(servers):
    s, _ = login(servers, "referente.fabrique")
    header = HEADER.replace("year_of_manufacture", "Year_Of_Manufacture").replace("product_age", "Product_Age")
    good = ("exact_1,Essai,FRA,,,24,,,5,Fixed,,,2025-03-01,\n"
            "exact_2,Essai,FRA,Grille-pain,Toaster,31,Seb,2011,2.125,Fixed,,Repair Café,2025-03-01,Ne chauffe plus\n"
            "exact_3,Essai,FRA,Lampe,,15,,1869,2.50,Fixed,,,2025-03-01,\n")
    bad = ("exact_4,Essai,FRA,Vélo,,,,1750,,Fixed,,,2025-03-01,\n"
           "exact_5,Essai,FRA,Lampe,Lamp,15,,,151,Fixed,,,2025-03-01,\n"
           "exact_6,Essai,FRA,Lampe,Lamp,15,,,12345,Fixed,,,2025-03-01,\n"
           "exact_2,Essai,FRA,Lampe,Lamp,15,,,,Fixed,,,2025-03-01,\n")
    before = servers.sql("SELECT count(*) FROM tl.repair_record")[0][0]
    soup = preview(servers, s, "essai.csv", (header + good + bad).encode())
    assert "4 ligne(s) refusée(s)" in title(soup)
    refused = {r[0]: r[1:] for r in table(soup, "refusées")}
    assert set(refused) == {"5", "6", "7", "8"}
    # The year the preview used to accept and the database refused at
    # confirmation: now refused here, with the rule's French words.
    assert refused["5"] == ["exact_4", "Year_Of_Manufacture : l'année de fabrication va de 1800 à 2200."]
    assert refused["6"] == ["exact_5", "Product_Age : l'âge de l'objet va de 0 à 150 ans."]
    assert refused["7"][0] == "exact_6" and refused["7"][1].startswith("Product_Age « 12345 »")
    assert refused["8"] == ["exact_2", "id : id « exact_2 » déjà donné ligne 3."]
    assert soup.find("form", action=lambda a: a and a.endswith("/confirmer")) is None
    assert servers.sql("SELECT count(*) FROM tl.repair_record")[0][0] == before
    assert servers.sql("SELECT count(*) FROM tl.import_repair_row") == [(0,)]     # nothing kept of a refused file

    soup = preview(servers, s, "essai.csv", (header + good).encode())
    assert confirm_all(servers, s, soup).headers["Location"].endswith("fait=3")
    out = {row["id"]: row for row in export(servers) if row["data_provider"] == "Essai"}
    assert (out["exact-1"]["partner_product_category"], out["exact-1"]["product_category"],
            out["exact-1"]["product_category_id"], out["exact-1"]["group_identifier"],
            out["exact-1"]["product_age"]) == ("", "", "24", "", "5")
    assert out["exact-2"]["product_age"] == "2.125" and out["exact-2"]["group_identifier"] == "Repair Café"
    assert out["exact-3"]["product_age"] == "2.50" and out["exact-3"]["year_of_manufacture"] == "1869"
    assert out["exact-3"]["product_category"] == "" and out["exact-3"]["product_category_id"] == "15"


def test_the_preview_checks_the_database_s_own_rules(servers):
    """The checks are read from the table's constraints: a rule added to
    the table is enforced by the preview at once, with its comment."""
    s, _ = login(servers, "referente.fabrique")
    servers.sql("ALTER TABLE tl.repair_record ADD CONSTRAINT repair_record_test_recent "
                "CHECK (year_of_manufacture >= 1900) NOT VALID")
    servers.sql("COMMENT ON CONSTRAINT repair_record_test_recent ON tl.repair_record IS "
                "'règle d''essai : 1900 au plus tôt'")
    try:
        soup = preview(servers, s, "regle.csv", (HEADER + "regle_1,Essai,FRA,Lampe,Lamp,15,,1869,,Fixed,,,"
                                                 "2025-03-01,\n").encode())
        assert table(soup, "refusées") == [["2", "regle_1", "year_of_manufacture : règle d'essai : 1900 au plus tôt."]]
    finally:
        servers.sql("ALTER TABLE tl.repair_record DROP CONSTRAINT repair_record_test_recent")


def test_a_refusal_at_confirmation_names_its_line_in_french(servers):
    s, _ = login(servers, "referente.fabrique")
    # Repairs: previewed clean, then one id imported at another place meanwhile.
    soup = preview(servers, s, "tard.csv", (HEADER + "tard_1,Essai,FRA,Lampe,Lamp,15,,,,Fixed,,,2025-03-01,\n"
                                            "tard_2,Essai,FRA,Lampe,Lamp,15,,,,Fixed,,,2025-03-01,\n").encode())
    assert "0 ligne(s) refusée(s)" in title(soup)
    servers.sql("INSERT INTO tl.repair_record (place_id, event_date, ext_id, object, category, status, recorded_by) "
                "SELECT p.id, date '2025-03-01', 'tard_2', 'Lampe', 'lampe', 'repare', a.id "
                "FROM tl.place p, tl.account a WHERE p.slug = 'mediatheque-jules-verne' AND a.login = 'admin.reseau'")
    before = servers.sql("SELECT count(*) FROM tl.repair_record")[0][0]
    r = confirm_all(servers, s, soup)
    assert r.status_code == 422
    text = message(r)
    assert "Ligne 3 (tard_2)" in text and "déjà importée dans un autre lieu" in text and "rien n'a été importé" in text
    assert not re.search(r"violates|constraint|duplicate", text)
    assert servers.sql("SELECT count(*) FROM tl.repair_record")[0][0] == before

    # Items: previewed clean, then the barcode taken by another import.
    items = "titre;categorie;code-barres\nRabot;bricolage;TARD-0001\nSerre-joint;bricolage;TARD-0002\n".encode()

    def items_preview(session):
        token = import_page(servers, session).find("input", attrs={"name": "jeton"})["value"]
        return session.post(servers.url("/tierslieux/gestion/import"), timeout=60, allow_redirects=False,
                            data={"jeton": token, "lieu": FABRIQUE, "quoi": "objets"},
                            files={"fichier": ("tard.csv", items, "text/csv")})
    soup = BeautifulSoup(items_preview(s).text, "html.parser")
    assert "2 objets à créer, 0 ligne(s) refusée(s)" in title(soup)
    admin, _ = login(servers, "admin.reseau")
    other = BeautifulSoup(items_preview(admin).text, "html.parser")
    assert confirm(servers, admin, other).status_code == 303
    r = confirm(servers, s, soup)
    assert r.status_code == 422
    text = message(r)
    assert "Ligne 2 :" in text and "ligne 3 :" in text and "TARD-0001" in text and "rien n'a été importé" in text
    assert not re.search(r"violates|constraint|duplicate", text)


def test_a_file_too_large_says_so_and_links_back(servers, expect_log):
    s, _ = login(servers, "referente.fabrique")
    page = import_page(servers, s)
    limits = page.find(id="limites-fichier").get_text()
    assert "8 Mo et 50 000 lignes" in limits and "64 Mo et 300 000 lignes" in limits
    token = page.find("input", attrs={"name": "jeton"})["value"]
    for kind, size in (("objets", 9 * 1024 * 1024), ("reparations", 65 * 1024 * 1024)):
        r = s.post(servers.url("/tierslieux/gestion/import"), timeout=120, allow_redirects=False,
                   data={"jeton": token, "lieu": FABRIQUE, "quoi": kind},
                   files={"fichier": ("gros.csv", HEADER.encode() + b"x" * size, "text/csv")})
        assert r.status_code == 413 and "trop volumineux" in r.text, (kind, r.status_code)
        back = BeautifulSoup(r.text, "html.parser").find("a", string="Revenir au formulaire d'import")
        assert back is not None and back["href"].endswith("/gestion/import")


def big_history():
    """The shared files one after the other (110,051 rows), ids made unique."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER.strip().split(","))
    n = 0
    for name in ALL_FILES:
        for row in csv.reader(io.StringIO(raw(name).decode("utf-8-sig"))):
            if row[0] == "id":
                continue
            n += 1
            row[0] = f"histoire_{n}"
            w.writerow(row)
    return out.getvalue().encode(), n


def test_a_provider_s_whole_history_imports_in_one_go(servers):
    s, _ = login(servers, "referente.fabrique")
    body, n = big_history()
    assert n > 110000 and len(body) > 16_000_000
    before = servers.sql("SELECT count(*) FROM tl.repair_record")[0][0]
    t0 = time.monotonic()
    soup = preview(servers, s, "histoire.csv", body)
    assert f"{n} réparations lues, {n} nouvelle(s), 0 corrigée(s)" in title(soup) and \
        "0 ligne(s) refusée(s)" in title(soup), title(soup)
    r = confirm_all(servers, s, soup)
    assert r.status_code == 303 and r.headers["Location"].endswith(f"fait={n}")
    assert time.monotonic() - t0 < 300
    assert servers.sql("SELECT count(*) FROM tl.repair_record")[0][0] == before + n
    assert servers.sql("SELECT count(*) FROM tl.import_repair_row") == [(0,)]
