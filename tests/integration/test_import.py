"""Imports in the back office: a CSV of items or members as a French
spreadsheet (";", BOM, Windows line ends, accents, Windows-1252) or Lend
Engine / Koha / Circulate write it; a preview that names every refused line
and its reason; all or nothing."""
from bs4 import BeautifulSoup

from test_desk_access import login

FABRIQUE = "la-fabrique"


def import_page(servers, s, place=FABRIQUE):
    r = s.get(servers.url("/tierslieux/gestion/import"), params={"lieu": place}, timeout=10)
    assert r.status_code == 200
    return BeautifulSoup(r.text, "html.parser")


def send(servers, s, kind, name, content, place=FABRIQUE, token=None):
    if token is None:
        token = import_page(servers, s).find("input", attrs={"name": "jeton"})["value"]
    return s.post(servers.url("/tierslieux/gestion/import"), timeout=30, allow_redirects=False,
                  data={"jeton": token, "lieu": place, "quoi": kind},
                  files={"fichier": (name, content, "text/csv")})


def confirm(servers, s, soup):
    form = soup.find("form", action=lambda a: a and a.endswith("/gestion/import/confirmer"))
    data = {i["name"]: i["value"] for i in form.find_all("input")}
    return s.post(servers.url("/tierslieux/gestion/import/confirmer"), data=data, timeout=30, allow_redirects=False)


def message(r):
    return BeautifulSoup(r.text, "html.parser").find(id="erreur-fichier").get_text()


ITEMS = ("\ufeffTitre;Catégorie;Code-barres;Marque;État;Caution;Durée du prêt;Description\r\n"
         "Scie sauteuse électrique;Électroportatif;KOHA-000111;Bosch;Très bon état;30,00;14;\"Lame bois ; lame métal\r\n"
         "fournies\"\r\n"
         ";;;;;;;\r\n"
         "Échelle télescopique 3,8 m;bricolage;KOHA-000112;;bon;;;Pliée, 11 kg\r\n").encode("utf-8")


def test_items_from_a_french_spreadsheet(servers):
    s, _ = login(servers, "referente.fabrique")
    before = servers.sql("SELECT count(*) FROM tl.item")[0][0]
    r = send(servers, s, "objets", "inventaire.csv", ITEMS)
    assert r.status_code == 200, r.text
    soup = BeautifulSoup(r.text, "html.parser")
    assert "2 objets à créer, 0 ligne(s) refusée(s)" in soup.find(id="apercu-titre").get_text()
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in soup.select("table tbody tr")]
    # Line numbers are the file's: the quoted description spans lines 2-3,
    # the blank ";;;" row is line 4.
    assert [(r[0], r[1]) for r in rows] == [("2", "Scie sauteuse électrique"), ("5", "Échelle télescopique 3,8 m")]
    # The preview created nothing.
    assert servers.sql("SELECT count(*) FROM tl.item")[0][0] == before
    r = confirm(servers, s, soup)
    assert r.status_code == 303 and r.headers["Location"].endswith("fait=2")
    got = servers.sql("SELECT i.title, i.barcode, i.condition, i.deposit::text, i.loan_days, i.description, c.slug "
                      "FROM tl.item i JOIN tl.category c ON c.id = i.category_id "
                      "WHERE i.barcode IN ('KOHA-000111', 'KOHA-000112') ORDER BY i.barcode")
    assert got == [("Scie sauteuse électrique", "KOHA-000111", "tres_bon", "30.00", 14,
                    "Lame bois ; lame métal\nfournies", "electroportatif"),
                   ("Échelle télescopique 3,8 m", "KOHA-000112", "bon", None, None, "Pliée, 11 kg", "bricolage")]
    # One journal line for the file, none per item; the batch keeps nothing.
    assert servers.sql("SELECT count(*) FROM tl.admin_log WHERE action = 'import.objets' AND subject = 'inventaire.csv'"
                       " AND detail = '2 ligne(s) importée(s)'") == [(1,)]
    assert servers.sql("SELECT rows FROM tl.import_batch WHERE applied_at IS NOT NULL ORDER BY id DESC LIMIT 1") == [([],)]
    # Confirming again imports nothing twice.
    r = confirm(servers, s, soup)
    assert r.status_code == 422 and "n'existe plus" in message(r)


def test_refused_lines_are_named_and_nothing_is_imported(servers):
    s, _ = login(servers, "referente.fabrique")
    used = servers.sql("SELECT code FROM tl.item ORDER BY id LIMIT 1")[0][0]
    content = ("name,category,code,deposit\n"
               "Perforateur,electroportatif,IMP-0001,20\n"
               ",bricolage,IMP-0002,\n"
               "Taille-haie,tondeuses,IMP-0003,\n"
               "Ponceuse,electroportatif,IMP-0001,\n"
               f"Rabot,bricolage,{used},\n"
               "Serre-joint,bricolage,IMP-0006,douze\n").encode()
    before = servers.sql("SELECT count(*) FROM tl.item")[0][0]
    r = send(servers, s, "objets", "lend-engine.csv", content)
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    refused = {tr.find("td").get_text(): tr.find_all("td")[2].get_text()
               for tr in soup.find("caption", string=lambda t: t and "refusées" in t).parent.select("tbody tr")}
    assert set(refused) == {"3", "4", "5", "6", "7"}
    assert "nom de l'objet" in refused["3"]
    assert "« tondeuses » n'existe pas" in refused["4"]
    assert "IMP-0001" in refused["5"] and "déjà" in refused["5"]          # twice in the same file
    assert used in refused["6"]
    assert "douze" in refused["7"]
    assert soup.find("form", action=lambda a: a and a.endswith("/confirmer")) is None
    assert servers.sql("SELECT count(*) FROM tl.item")[0][0] == before
    # Forcing the confirmation changes nothing either.
    batch = servers.sql("SELECT max(id) FROM tl.import_batch")[0][0]
    token = import_page(servers, s).find("input", attrs={"name": "jeton"})["value"]
    r = s.post(servers.url("/tierslieux/gestion/import/confirmer"), allow_redirects=False, timeout=30,
               data={"jeton": token, "lieu": FABRIQUE, "lot": str(batch)})
    assert r.status_code == 422 and "5 ligne(s) du fichier sont refusées : rien n'a été importé" in message(r)
    assert servers.sql("SELECT count(*) FROM tl.item")[0][0] == before


def test_members_from_koha_in_windows_1252(servers):
    s, _ = login(servers, "referente.fabrique")
    content = ("cardnumber,surname,firstname,email,phone,dateofbirth,address\r\n"
               "KOHA-7781,Lefèvre,Aurélie,aurelie.lefevre@exemple.fr,,12/05/1984,3 rue des Écoles\r\n"
               ",Nguyễn,Minh,,06 12 34 56 78,,\r\n").encode("utf-8")
    cp1252 = ("cardnumber,surname,firstname,email,phone,dateofbirth,address\r\n"
              "KOHA-7781,Lefèvre,Aurélie,aurelie.lefevre@exemple.fr,,12/05/1984,3 rue des Écoles\r\n"
              ",Durand,Zoé,,06 12 34 56 78,,\r\n").encode("cp1252")
    r = send(servers, s, "adherents", "koha.csv", cp1252)
    assert r.status_code == 200, r.text
    soup = BeautifulSoup(r.text, "html.parser")
    text = soup.get_text()
    assert "Windows-1252" in text and "Colonnes ignorées (nous ne les gardons pas) : address." in text
    assert "2 adhérents à créer" in text
    r = confirm(servers, s, soup)
    assert r.status_code == 303
    got = servers.sql("SELECT member_number, family_name, given_name, email, phone, birth_year, charter_accepted_at "
                      "FROM tl.member WHERE (family_name, given_name) IN (('Lefèvre', 'Aurélie'), ('Durand', 'Zoé')) "
                      "ORDER BY family_name")
    assert got[1] == ("KOHA-7781", "Lefèvre", "Aurélie", "aurelie.lefevre@exemple.fr", None, 1984, None)
    assert got[0][1:3] == ("Durand", "Zoé") and got[0][0].startswith("A-") and got[0][4] == "06 12 34 56 78"
    # Same card number again: refused with its line.
    r = send(servers, s, "adherents", "koha.csv", content)
    soup = BeautifulSoup(r.text, "html.parser")
    assert "KOHA-7781" in soup.find("caption", string=lambda t: t and "refusées" in t).parent.get_text()


def test_files_that_cannot_be_imported(servers, expect_log):
    s, _ = login(servers, "referente.fabrique")
    before = servers.sql("SELECT count(*) FROM tl.item")[0][0]
    r = send(servers, s, "objets", "liste.csv", "Désignation;Marque\nPerceuse;Bosch\n".encode())
    assert r.status_code == 422
    assert "Il manque la colonne « catégorie »" in message(r) and "Désignation, Marque" in message(r)
    r = send(servers, s, "objets", "inventaire.xlsx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")
    assert r.status_code == 422 and "n'est pas un CSV" in message(r)
    r = send(servers, s, "objets", "vide.csv", b"")
    assert r.status_code == 422 and "vide" in message(r)
    r = send(servers, s, "objets", "ouvert.csv", b'titre;categorie\n"Scie;bricolage\n')
    assert r.status_code == 422 and "Ligne 2" in message(r)
    # 20 MB: refused before it is read, in French.
    r = send(servers, s, "objets", "enorme.csv", b"titre;categorie\n" + b"x" * (20 * 1024 * 1024))
    assert r.status_code == 413 and "trop volumineux" in r.text
    # A form sent as urlencoded, not as a file.
    token = import_page(servers, s).find("input", attrs={"name": "jeton"})["value"]
    r = s.post(servers.url("/tierslieux/gestion/import"), data={"jeton": token, "lieu": FABRIQUE, "quoi": "objets"},
               allow_redirects=False, timeout=10)
    assert r.status_code == 415
    # A multipart body cut short.
    r = s.post(servers.url("/tierslieux/gestion/import"), allow_redirects=False, timeout=10,
               headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
               data=b"--XyZ\r\nContent-Disposition: form-data; name=\"jeton\"\r\n\r\nabc\r\n")
    assert r.status_code == 400
    assert servers.sql("SELECT count(*) FROM tl.item")[0][0] == before


def test_who_may_import(servers, expect_log):
    expect_log.append("AH01631")
    volunteer, _ = login(servers, "benevole.mediatheque")
    r = volunteer.get(servers.url("/tierslieux/gestion/import"), timeout=10, allow_redirects=False)
    assert r.status_code == 403
    s, _ = login(servers, "referente.fabrique")
    r = send(servers, s, "objets", "x.csv", ITEMS, place="mediatheque-jules-verne")
    assert r.status_code == 403
    assert servers.sql("SELECT count(*) FROM tl.import_batch b JOIN tl.place p ON p.id = b.place_id "
                       "WHERE p.slug = 'mediatheque-jules-verne'") == [(0,)]


def test_repairs_from_open_repair_data_files(servers):
    import csv
    import io
    import os
    from collections import Counter
    from conftest import ROOT
    data = os.path.join(ROOT, "..", "shared", "data", "ords")
    s, _ = login(servers, "referente.fabrique")
    before = servers.sql("SELECT count(*) FROM tl.repair_record")[0][0]
    expected = Counter()
    for name in ("OpenRepairData_v0.3_RepairCafeToronto_202507.csv", "OpenRepairData_v0.3_FixitClinic_202507.csv"):
        content = open(os.path.join(data, name), "rb").read()
        for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig"))):
            expected[(row["repair_status"], row["product_category_id"])] += 1
        r = send(servers, s, "reparations", name, content)
        assert r.status_code == 200, r.text[:500]
        soup = BeautifulSoup(r.text, "html.parser")
        assert "0 ligne(s) refusée(s)" in soup.find(id="apercu-titre").get_text()
        r = confirm(servers, s, soup)
        assert r.status_code == 303, r.text[:500]
    assert servers.sql("SELECT count(*) FROM tl.repair_record")[0][0] == before + 5567 + 1033
    # Exported again: the same repairs, by status and category, with their own ids and countries.
    r = servers.get("/tierslieux/reparation/ords.csv", params={"lieu": FABRIQUE, "au": "2030-12-31"})
    rows = [row for row in csv.DictReader(io.StringIO(r.content.decode("utf-8")))
            if not row["id"].startswith("tierslieux-")]
    assert "rctoronto-20" in {row["id"] for row in rows}             # the schema's id pattern
    got = Counter((row["repair_status"], row["product_category_id"]) for row in rows)
    assert got == expected
    assert {row["country"] for row in rows} == {"CAN", "USA"}
    # The same file again: every row already here and unchanged; confirming writes nothing twice.
    content = open(os.path.join(data, "OpenRepairData_v0.3_FixitClinic_202507.csv"), "rb").read()
    soup = BeautifulSoup(send(servers, s, "reparations", "again.csv", content).text, "html.parser")
    assert ("0 nouvelle(s), 0 corrigée(s), 1033 déjà importée(s) sans changement, 0 ligne(s) refusée(s)"
            in soup.find(id="apercu-titre").get_text())
    r = confirm(servers, s, soup)
    assert r.status_code == 303 and r.headers["Location"].endswith("fait=0")
    assert servers.sql("SELECT count(*) FROM tl.repair_record")[0][0] == before + 5567 + 1033


def test_a_malformed_ords_file_is_refused_by_line(servers):
    s, _ = login(servers, "referente.fabrique")
    header = ("id,data_provider,country,partner_product_category,product_category,product_category_id,brand,"
              "year_of_manufacture,product_age,repair_status,repair_barrier_if_end_of_life,group_identifier,"
              "event_date,problem\n")
    good = "essai_1,Essai,FRA,Grille-pain,Toaster,31,Seb,,3,Fixed,,essai,2025-03-01,Ne chauffe plus\n"
    bad = ("essai_2,Essai,FRA,Grille-pain,Toaster,31,Seb,,3,Fixed,Too worn out,essai,2025-03-01,\n"
           "essai_3,Essai,FRA,,,41,,,,Fixed,,essai,2025-03-01,\n"
           "essai_4,Essai,FRA,,,,,,,Fixed,,essai,2025-02-30,\n")
    before = servers.sql("SELECT count(*) FROM tl.repair_record")[0][0]
    r = send(servers, s, "reparations", "essai.csv", (header + good + bad).encode())
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    refused = {tr.find("td").get_text(): tr.find_all("td")[2].get_text()
               for tr in soup.find("caption", string=lambda t: t and "refusées" in t).parent.select("tbody tr")}
    assert set(refused) == {"4", "5"}
    assert "product_category_id « 41 »" in refused["4"] and "essai_3" in soup.get_text()
    # A barrier beside another status than End of life (one row of The
    # Restart Project's file does it): the row is kept without it, and said.
    notes = soup.find("caption", string=lambda t: t and "sans une valeur" in t).parent
    assert [td.get_text() for td in notes.select("tbody tr td")][:2] == ["3", "essai_2"]
    assert "Too worn out" in notes.get_text() and "End of life" in notes.get_text()
    assert soup.find("form", action=lambda a: a and a.endswith("/confirmer")) is None
    r = send(servers, s, "reparations", "pas-ords.csv", b"titre;categorie\nScie;bricolage\n")
    assert r.status_code == 422 and "Rien n'a été importé" in message(r)
    assert servers.sql("SELECT count(*) FROM tl.repair_record")[0][0] == before
