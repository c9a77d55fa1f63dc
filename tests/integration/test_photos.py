"""Photos of items (issue 16, points 1 and 2): an upload is decoded by the
image helper apart from httpd, oriented, stripped of every metadata and
kept as JPEG and WebP variants of about 320, 640 and 1280 px, never
enlarged; served with a year's cache, an ETag and 304s; shown on the
catalogue's cards and the item page with their alternative text. Every
refusal (a file cut short, a decompression bomb, an SVG, a name that lies,
more than 15 MB, no description, another place's item) keeps nothing, and
the worker answers the next request. Seed varieties and the ressourcerie's
stock items have photos the same way."""
import io
import os
import re
import struct
import subprocess
import tempfile
import time
import zlib

import requests
from bs4 import BeautifulSoup
from PIL import Image

from test_desk_access import login
from test_desk_lending import token
from test_reuse import weigh
from test_reuse_stock import new_item, put_on_sale

ADMIN_ITEM = "/tierslieux/gestion/objet"
REFERENT = "referente.fabrique"
VOLUNTEER = "benevole.mediatheque"


def item_of(servers, place):
    return servers.sql("SELECT i.code, i.id FROM tl.item i JOIN tl.place p ON p.id = i.place_id "
                       "WHERE p.slug = %s AND i.retired_at IS NULL ORDER BY i.code LIMIT 1", (place,))[0]


def photos(servers, code):
    return servers.sql("SELECT f.id, f.alt, f.position FROM tl.photo f JOIN tl.item i ON i.id = f.item_id "
                       "WHERE i.code = %s ORDER BY f.position, f.id", (code,))


def exif_jpeg(width=1600, height=1200, orientation=6):
    """A JPEG whose left half is red and right half blue, with an EXIF
    block holding an orientation and a GPS position."""
    im = Image.new("RGB", (width, height), (220, 20, 20))
    im.paste((20, 20, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Appareil de test"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90, exif=exif)
    data = out.getvalue()
    assert b"Exif" in data and Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    return data


def png_bytes(width, height, mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 40) if mode == "RGB" else (10, 120, 40, 128)).save(out, "PNG")
    return out.getvalue()


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb():
    """A 50,000 × 50,000 PNG header with a little compressed data: decoded,
    it would take 7.5 GB."""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 50000, 50000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 200000, 9)) + chunk(b"IEND", b""))


def upload(s, servers, code, data, name="photo.jpg", alt="Une perceuse posée sur l'établi", path=None,
           number_field="existant", form_path=None, extra=None):
    t = token(s, servers, form_path or f"{ADMIN_ITEM}?numero={code}")
    return s.post(servers.url(path or f"{ADMIN_ITEM}/photo"), allow_redirects=False, timeout=60,
                  data={"jeton": t, **(extra or {}), number_field: str(code), "alternative": alt},
                  files={"photo": (name, data, "application/octet-stream")})


def variants(servers, photo_id):
    return servers.sql("SELECT format, width, height, octet_length(bytes) FROM tl.photo_variant "
                       "WHERE photo_id = %s ORDER BY format, width", (photo_id,))


def test_an_upload_is_oriented_stripped_and_served_in_three_widths(servers):
    code, item_id = item_of(servers, "la-fabrique")
    s, _ = login(servers, REFERENT)
    before = photos(servers, code)
    r = upload(s, servers, code, exif_jpeg())
    assert r.status_code == 303 and "fait=photos" in r.headers["Location"], r.text[:500]
    # The new photo comes last, whatever an earlier test left on this item.
    [(photo_id, alt, position)] = [p for p in photos(servers, code) if p not in before]
    assert alt == "Une perceuse posée sur l'établi" and position == max([p[2] for p in before], default=0) + 1
    # Orientation 6: the 1600 × 1200 picture is seen 1200 wide, 1600 high.
    assert variants(servers, photo_id) == [
        ("jpg", 320, 427, variants(servers, photo_id)[0][3]), ("jpg", 640, 853, variants(servers, photo_id)[1][3]),
        ("jpg", 1200, 1600, variants(servers, photo_id)[2][3]),
        ("webp", 320, 427, variants(servers, photo_id)[3][3]), ("webp", 640, 853, variants(servers, photo_id)[4][3]),
        ("webp", 1200, 1600, variants(servers, photo_id)[5][3])]
    for fmt, kind in (("jpg", "JPEG"), ("webp", "WEBP")):
        for width, height in ((320, 427), (640, 853), (1200, 1600)):
            r = servers.get(f"/tierslieux/photos/{photo_id}-{width}.{fmt}")
            assert r.status_code == 200
            assert r.headers["Content-Type"] == ("image/jpeg" if fmt == "jpg" else "image/webp")
            assert "immutable" in r.headers["Cache-Control"] and "max-age=31536000" in r.headers["Cache-Control"]
            im = Image.open(io.BytesIO(r.content))
            assert im.format == kind and im.size == (width, height)
            # No metadata: no EXIF (so no GPS), no camera, no XMP.
            assert not im.getexif() and b"Exif" not in r.content and b"GPS" not in r.content
            assert b"Appareil de test" not in r.content and b"http://ns.adobe.com/xap" not in r.content
            # Turned upright: the red half (left of the sensor) is now on top.
            rgb = im.convert("RGB")
            top, bottom = rgb.getpixel((width // 2, height // 4)), rgb.getpixel((width // 2, 3 * height // 4))
            assert top[0] > 150 and top[2] < 100, top
            assert bottom[2] > 150 and bottom[0] < 100, bottom
    # A width asked that the photo does not have gives the largest below it.
    r = servers.get(f"/tierslieux/photos/{photo_id}-1280.jpg")
    assert r.status_code == 200 and Image.open(io.BytesIO(r.content)).size == (1200, 1600)
    assert servers.get(f"/tierslieux/photos/{photo_id}-9.jpg").status_code == 200
    for bad in (f"{photo_id}-640.gif", f"{photo_id}-640.webp.php", "x-640.jpg", "999999999-640.jpg"):
        assert servers.get(f"/tierslieux/photos/{bad}").status_code == 404, bad


def test_etag_and_304(servers):
    code, _ = item_of(servers, "la-fabrique")
    s, _ = login(servers, REFERENT)
    assert upload(s, servers, code, png_bytes(800, 600), name="etabli.png").status_code == 303
    photo_id = photos(servers, code)[-1][0]
    url = f"/tierslieux/photos/{photo_id}-640.webp"
    first = servers.get(url)
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    again = servers.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    assert servers.get(url, headers={"If-None-Match": '"autre"'}).status_code == 200
    # Another variant has its own.
    assert servers.get(f"/tierslieux/photos/{photo_id}-320.webp").headers["ETag"] != etag


def test_never_enlarged_and_alpha_on_white(servers):
    code, _ = item_of(servers, "la-fabrique")
    s, _ = login(servers, REFERENT)
    assert upload(s, servers, code, png_bytes(200, 100, "RGBA"), name="petit.PNG").status_code == 303
    photo_id = photos(servers, code)[-1][0]
    assert [(f, w, h) for f, w, h, _ in variants(servers, photo_id)] == [("jpg", 200, 100), ("webp", 200, 100)]
    r = servers.get(f"/tierslieux/photos/{photo_id}-320.jpg")
    assert Image.open(io.BytesIO(r.content)).size == (200, 100)


def test_catalogue_card_and_item_page_show_the_first_photo_with_its_text(servers):
    code, item_id = item_of(servers, "la-fabrique")
    s, _ = login(servers, REFERENT)
    for alt in ("Vue de face de l'objet", "Vue de dos de l'objet"):
        assert upload(s, servers, code, png_bytes(900, 600), name="vue.png", alt=alt).status_code == 303
    first, second = photos(servers, code)[-2:]
    title = servers.sql("SELECT title FROM tl.item WHERE code = %s", (code,))[0][0]
    page = BeautifulSoup(servers.get(f"/tierslieux/outils?q={title}").text, "html.parser")
    card = [li for li in page.select("li.tl-card") if li.find("a", href=re.compile(rf"/outils/{item_id}$"))][0]
    img = card.find("img")
    assert img["alt"] == photos(servers, code)[0][1] and img["loading"] == "lazy"
    assert img["width"] and img["height"] and "320w" in img["srcset"] and img.get("sizes")
    assert card.find("source", type="image/webp")["srcset"].count("w,") == 1
    item = BeautifulSoup(servers.get(f"/tierslieux/outils/{item_id}").text, "html.parser")
    alts = [i["alt"] for i in item.select(".tl-gallery img")]
    assert alts[-2:] == [first[1], second[1]]
    assert all(i["alt"].strip() for i in item.select("img"))
    # Reordered by the référent: the second comes before the first.
    t = token(s, servers, f"{ADMIN_ITEM}?numero={code}")
    r = s.post(servers.url(f"{ADMIN_ITEM}/photo/modifier"), allow_redirects=False, timeout=10,
               data={"jeton": t, "existant": code, "photo": str(second[0]), "action": "monter", "alternative": ""})
    assert r.status_code == 303
    order = [p[0] for p in photos(servers, code)]
    assert order.index(second[0]) == order.index(first[0]) - 1
    # Described again, then removed with its variants.
    r = s.post(servers.url(f"{ADMIN_ITEM}/photo/modifier"), allow_redirects=False, timeout=10,
               data={"jeton": t, "existant": code, "photo": str(second[0]), "action": "enregistrer",
                     "alternative": "Le dos, avec sa plaque"})
    assert r.status_code == 303
    assert [a for i, a, _ in photos(servers, code) if i == second[0]] == ["Le dos, avec sa plaque"]
    r = s.post(servers.url(f"{ADMIN_ITEM}/photo/modifier"), allow_redirects=False, timeout=10,
               data={"jeton": t, "existant": code, "photo": str(second[0]), "action": "enregistrer",
                     "alternative": "   "})
    assert r.status_code == 422 and "Décrivez la photo" in r.text
    r = s.post(servers.url(f"{ADMIN_ITEM}/photo/modifier"), allow_redirects=False, timeout=10,
               data={"jeton": t, "existant": code, "photo": str(second[0]), "action": "retirer", "alternative": ""})
    assert r.status_code == 303
    assert second[0] not in [p[0] for p in photos(servers, code)]
    assert variants(servers, second[0]) == []
    assert servers.get(f"/tierslieux/photos/{second[0]}-320.jpg").status_code == 404


def test_a_phones_heic_photo_is_decoded(servers):
    """HEIC, as iPhones take them: Debian 12's libheif decodes it (libde265);
    heif-enc (libheif-examples) makes one here."""
    code, _ = item_of(servers, "la-fabrique")
    with tempfile.TemporaryDirectory() as d:
        im = Image.new("RGB", (800, 600), (220, 20, 20))
        im.paste((20, 20, 220), (400, 0, 800, 600))
        im.save(os.path.join(d, "src.png"))
        subprocess.run(["heif-enc", "-q", "70", "-o", os.path.join(d, "IMG_0002.HEIC"), os.path.join(d, "src.png")],
                       check=True, capture_output=True)
        with open(os.path.join(d, "IMG_0002.HEIC"), "rb") as f:
            heic = f.read()
    assert heic[4:12] == b"ftypheic"
    s, _ = login(servers, REFERENT)
    r = upload(s, servers, code, heic, name="IMG_0002.HEIC", alt="Photo prise au téléphone")
    assert r.status_code == 303, r.text[:500]
    photo_id = photos(servers, code)[-1][0]
    assert [(f, w, h) for f, w, h, _ in variants(servers, photo_id)] == [
        ("jpg", 320, 240), ("jpg", 640, 480), ("jpg", 800, 600), ("webp", 320, 240), ("webp", 640, 480),
        ("webp", 800, 600)]
    rgb = Image.open(io.BytesIO(servers.get(f"/tierslieux/photos/{photo_id}-640.jpg").content)).convert("RGB")
    assert rgb.getpixel((100, 300))[0] > 150 and rgb.getpixel((540, 300))[2] > 150
    # A HEIC named .jpg is refused as any lying name is.
    r = upload(s, servers, code, heic, name="IMG_0002.jpg")
    assert r.status_code == 422 and "une image HEIC" in r.text


REFUSED = [
    ("cut short", lambda: exif_jpeg()[:6000], "photo.jpg", "incomplète ou abîmée"),
    ("bomb", png_bomb, "bombe.png", "trop grande (50000 × 50000 pixels)"),
    ("svg", lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                    b'<script>alert(1)</script></svg>', "dessin.svg", "SVG ne sont pas acceptés"),
    ("svg named jpg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"/>', "photo.jpg", "SVG ne sont pas acceptés"),
    ("name lies", lambda: png_bytes(400, 300), "photo.jpg", "annonce un autre format que son contenu (une image PNG)"),
    ("not a picture", lambda: b"%PDF-1.4\n" + b"x" * 1000, "notice.pdf", "n'est pas une photo"),
    ("empty", lambda: b"", "vide.jpg", "Ce fichier est vide"),
]


def test_every_refusal_keeps_nothing_and_the_worker_goes_on(servers):
    code, item_id = item_of(servers, "la-fabrique")
    s, _ = login(servers, REFERENT)
    before = photos(servers, code)
    for label, make, name, message in REFUSED:
        r = upload(s, servers, code, make(), name=name)
        assert r.status_code == 422, (label, r.status_code, r.text[:300])
        soup = BeautifulSoup(r.text, "html.parser")
        error = soup.find(id="erreur-photo")
        assert error and message in error.get_text(), (label, error)
        assert soup.find("input", id="photo")["aria-invalid"] == "true"
        # Nothing kept, and the next request is answered.
        assert photos(servers, code) == before, label
        assert servers.get(f"/tierslieux/outils/{item_id}").status_code == 200, label
    assert servers.sql("SELECT count(*) FROM tl.photo_variant v WHERE NOT EXISTS "
                       "(SELECT 1 FROM tl.photo f WHERE f.id = v.photo_id)") == [(0,)]


def test_the_alternative_text_is_required(servers):
    code, _ = item_of(servers, "la-fabrique")
    s, _ = login(servers, REFERENT)
    before = photos(servers, code)
    for alt in ("", "   "):
        r = upload(s, servers, code, png_bytes(400, 300), name="a.png", alt=alt)
        assert r.status_code == 422
        error = BeautifulSoup(r.text, "html.parser").find(id="erreur-alternative")
        assert error and "Décrivez la photo pour qui ne la voit pas" in error.get_text()
    r = upload(s, servers, code, png_bytes(400, 300), name="a.png", alt="x" * 251)
    assert r.status_code == 422 and "250 caractères" in r.text
    assert photos(servers, code) == before


def test_more_than_15_mb_is_refused_and_the_form_says_so(servers):
    code, _ = item_of(servers, "la-fabrique")
    s, _ = login(servers, REFERENT)
    page = s.get(servers.url(f"{ADMIN_ITEM}?numero={code}"), timeout=10).text
    assert "15 Mo au plus" in page
    before = photos(servers, code)
    big = exif_jpeg(400, 300) + b"\0" * (15 * 1024 * 1024)
    r = upload(s, servers, code, big, name="grande.jpg")
    assert r.status_code == 413, r.status_code
    assert photos(servers, code) == before
    assert servers.get("/tierslieux/outils").status_code == 200


def test_a_referent_of_another_place_and_a_visitor_are_refused(servers):
    code, _ = item_of(servers, "mediatheque-jules-verne")
    before = photos(servers, code)
    s, _ = login(servers, REFERENT)
    t = token(s, servers, f"{ADMIN_ITEM}?numero={item_of(servers, 'la-fabrique')[0]}")
    r = s.post(servers.url(f"{ADMIN_ITEM}/photo"), allow_redirects=False, timeout=30,
               data={"jeton": t, "existant": code, "alternative": "Une photo"},
               files={"photo": ("p.png", png_bytes(400, 300), "image/png")})
    assert r.status_code == 403 and "rien n'a été changé" in r.text
    assert photos(servers, code) == before
    # Someone not logged in is sent to the login form; nothing is read.
    r = requests.post(servers.url(f"{ADMIN_ITEM}/photo"), allow_redirects=False, timeout=30,
                      data={"existant": code, "alternative": "Une photo"},
                      files={"photo": ("p.png", png_bytes(40, 30), "image/png")})
    assert r.status_code in (302, 303, 401, 403)
    assert photos(servers, code) == before


def test_a_volunteer_takes_a_snapshot_at_the_desk_of_their_place_only(servers):
    code, item_id = servers.sql(
        "SELECT i.code, i.id FROM tl.item i JOIN tl.place p ON p.id = i.place_id WHERE p.slug = "
        "(SELECT p2.slug FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id JOIN tl.place p2 "
        " ON p2.id = r.place_id WHERE a.login = %s LIMIT 1) AND i.retired_at IS NULL ORDER BY i.code LIMIT 1",
        (VOLUNTEER,))[0]
    s, _ = login(servers, VOLUNTEER)
    desk = f"/tierslieux/guichet/objet?numero={code}"
    page = BeautifulSoup(s.get(servers.url(desk), timeout=10).text, "html.parser")
    field = page.find("input", attrs={"type": "file", "name": "photo"})
    assert field["accept"] == "image/*" and field["capture"] == "environment"
    r = upload(s, servers, code, exif_jpeg(640, 480, 1), name="IMG_0001.JPG", alt="Le ponceur sur le comptoir",
               path="/tierslieux/guichet/objet/photo", number_field="numero", form_path=desk)
    assert r.status_code == 303 and "fait=photo" in r.headers["Location"], r.text[:300]
    assert [a for _, a, _ in photos(servers, code)] == ["Le ponceur sur le comptoir"]
    # The volunteer cannot reorder or remove (référents only), nor add to
    # another place's item.
    other = servers.sql("SELECT i.code FROM tl.item i JOIN tl.place p ON p.id = i.place_id WHERE p.slug = "
                        "'la-fabrique' AND i.retired_at IS NULL ORDER BY i.code DESC LIMIT 1")[0][0]
    r = upload(s, servers, other, png_bytes(300, 200), name="p.png", path="/tierslieux/guichet/objet/photo",
               number_field="numero", form_path=desk)
    assert r.status_code in (403, 422) and "rien n'a été changé" in r.text.lower()
    assert photos(servers, other) == []


def test_a_referent_adds_orders_and_removes_a_seed_varietys_photos(servers, expect_log):
    expect_log += ["AH01631"]          # the volunteer refused by the back office's Require
    variety, name = servers.sql("SELECT id, name FROM tl.seed_variety ORDER BY id LIMIT 1")[0]
    form = f"/tierslieux/gestion/graines?lieu=la-fabrique&variete={variety}"
    s, _ = login(servers, REFERENT)
    for alt in ("Gousses séchées dans une coupelle", "Le plant en fleur"):
        r = upload(s, servers, variety, png_bytes(600, 400), name="graines.png", alt=alt,
                   path="/tierslieux/gestion/graines/photo", number_field="variete", form_path=form,
                   extra={"lieu": "la-fabrique"})
        assert r.status_code == 303 and "fait=photos" in r.headers["Location"], r.text[:300]
    rows = servers.sql("SELECT id, alt FROM tl.photo WHERE seed_variety_id = %s ORDER BY position, id", (variety,))
    assert [a for _, a in rows] == ["Gousses séchées dans une coupelle", "Le plant en fleur"]
    page = BeautifulSoup(servers.get(f"/tierslieux/graines/{variety}").text, "html.parser")
    assert [i["alt"] for i in page.select(".tl-gallery img")] == [a for _, a in rows]
    # Refusals: no description, a lying name; nothing kept.
    r = upload(s, servers, variety, png_bytes(600, 400), name="graines.png", alt=" ",
               path="/tierslieux/gestion/graines/photo", number_field="variete", form_path=form,
               extra={"lieu": "la-fabrique"})
    assert r.status_code == 422 and "Décrivez la photo" in r.text
    r = upload(s, servers, variety, png_bytes(600, 400), name="graines.webp",
               path="/tierslieux/gestion/graines/photo", number_field="variete", form_path=form,
               extra={"lieu": "la-fabrique"})
    assert r.status_code == 422 and "une image PNG" in r.text
    assert len(servers.sql("SELECT id FROM tl.photo WHERE seed_variety_id = %s", (variety,))) == 2
    # Moved, then removed.
    t = token(s, servers, form)
    change = "/tierslieux/gestion/graines/photo/modifier"
    r = s.post(servers.url(change), allow_redirects=False, timeout=10,
               data={"jeton": t, "lieu": "la-fabrique", "variete": str(variety), "photo": str(rows[1][0]),
                     "action": "monter", "alternative": ""})
    assert r.status_code == 303
    assert [i for i, in servers.sql("SELECT id FROM tl.photo WHERE seed_variety_id = %s ORDER BY position, id",
                                    (variety,))] == [rows[1][0], rows[0][0]]
    r = s.post(servers.url(change), allow_redirects=False, timeout=10,
               data={"jeton": t, "lieu": "la-fabrique", "variete": str(variety), "photo": str(rows[0][0]),
                     "action": "retirer", "alternative": ""})
    assert r.status_code == 303
    # A photo of an item cannot be changed through a variety.
    code, _ = item_of(servers, "la-fabrique")
    assert upload(s, servers, code, png_bytes(300, 200), name="p.png").status_code == 303
    item_photo = photos(servers, code)[-1][0]
    r = s.post(servers.url(change), allow_redirects=False, timeout=10,
               data={"jeton": t, "lieu": "la-fabrique", "variete": str(variety), "photo": str(item_photo),
                     "action": "retirer", "alternative": ""})
    assert r.status_code == 422 and "n'appartient pas à cette variété" in r.text
    assert item_photo in [p[0] for p in photos(servers, code)]
    # A volunteer is no référent: the back office is closed to them.
    v, _ = login(servers, VOLUNTEER)
    r = v.post(servers.url("/tierslieux/gestion/graines/photo"), allow_redirects=False, timeout=30,
               data={"jeton": "x", "lieu": "la-fabrique", "variete": str(variety), "alternative": "Une photo"},
               files={"photo": ("p.png", png_bytes(40, 30), "image/png")})
    assert r.status_code in (302, 403)
    assert len(servers.sql("SELECT id FROM tl.photo WHERE seed_variety_id = %s", (variety,))) == 1


REUSE_ITEM = "/tierslieux/guichet/ressourcerie/objet"


def reuse_photos(servers, code):
    return servers.sql("SELECT f.id, f.alt, f.position FROM tl.photo f JOIN tl.reuse_item i ON i.id = f.reuse_item_id "
                       "WHERE i.code = %s ORDER BY f.position, f.id", (code,))


def reuse_change(s, servers, code, photo, action, alt=""):
    t = token(s, servers, f"{REUSE_ITEM}?n={code}")
    return s.post(servers.url(f"{REUSE_ITEM}/photo/modifier"), allow_redirects=False, timeout=10,
                  data={"jeton": t, "objet": code, "photo": str(photo), "action": action, "alternative": alt})


def test_a_stock_item_of_the_ressourcerie_has_photos_shown_on_the_shelf(servers):
    s, _ = login(servers, REFERENT)
    title = "Lampe de chevet verte"
    code, _ = put_on_sale(servers, s, titre=title)
    form = f"{REUSE_ITEM}?n={code}"
    page = BeautifulSoup(s.get(servers.url(form), timeout=10).text, "html.parser")
    assert "pas encore de photo" in page.get_text()
    field = page.find("input", attrs={"type": "file", "name": "photo"})
    assert field["accept"] == "image/*" and field["capture"] == "environment" and field.has_attr("required")
    assert page.find("input", id="alternative").has_attr("required")
    assert page.find("form", action=re.compile(r"/guichet/ressourcerie/objet/photo$"))["enctype"] == \
        "multipart/form-data"
    for alt in ("Lampe verte allumée, vue de face", "Le pied de la lampe, en laiton"):
        r = upload(s, servers, code, png_bytes(900, 600), name="lampe.png", alt=alt, path=f"{REUSE_ITEM}/photo",
                   number_field="objet", form_path=form)
        assert r.status_code == 303 and "fait=photo" in r.headers["Location"], r.text[:300]
    first, second = reuse_photos(servers, code)
    assert [first[1], second[1]] == ["Lampe verte allumée, vue de face", "Le pied de la lampe, en laiton"]
    assert len(variants(servers, first[0])) >= 2
    # The desk's page lists them, each with its form.
    page = BeautifulSoup(s.get(servers.url(form), timeout=10).text, "html.parser")
    assert [i["alt"] for i in page.select(".tl-photos img")] == [first[1], second[1]]
    assert len(page.find_all("form", action=re.compile(r"/photo/modifier$"))) == 2
    # The public shelf shows the first on the item's card, in its own query.
    shelf = BeautifulSoup(servers.get("/tierslieux/ressourcerie?lieu=la-fabrique").text, "html.parser")
    card = [li for li in shelf.select("li.tl-card") if code in li.get_text()][0]
    img = card.find("img")
    assert img["alt"] == first[1] and img["loading"] == "lazy"
    assert img["width"] == "320" and img["height"] == "213"
    assert f"/photos/{first[0]}-320.jpg 320w" in img["srcset"] and img.get("sizes")
    assert card.find("source", type="image/webp")["srcset"].count("w,") == 1
    assert all(i.get("alt", "").strip() for i in shelf.select("img"))
    assert servers.get(img["src"]).status_code == 200
    # Reordered, described again, a blank description refused, removed.
    assert reuse_change(s, servers, code, second[0], "monter").status_code == 303
    assert [p[0] for p in reuse_photos(servers, code)] == [second[0], first[0]]
    r = reuse_change(s, servers, code, second[0], "enregistrer", "Le pied en laiton, vu de près")
    assert r.status_code == 303
    assert reuse_photos(servers, code)[0][1] == "Le pied en laiton, vu de près"
    r = reuse_change(s, servers, code, second[0], "enregistrer", "   ")
    assert r.status_code == 422 and "Décrivez la photo" in r.text
    assert reuse_change(s, servers, code, second[0], "retirer").status_code == 303
    assert [p[0] for p in reuse_photos(servers, code)] == [first[0]]
    assert variants(servers, second[0]) == []
    # An item's photo cannot be changed through a stock item (a row of its
    # own, removed afterwards: the other tests count this item's photos).
    item_code, item_id = item_of(servers, "la-fabrique")
    [(item_photo,)] = servers.sql("INSERT INTO tl.photo (item_id, alt, position, width, height) VALUES "
                                  "(%s, 'Vue de côté', 99, 640, 480) RETURNING id", (item_id,))
    r = reuse_change(s, servers, code, item_photo, "retirer")
    assert r.status_code == 422 and item_photo in [p[0] for p in photos(servers, item_code)]
    servers.sql("DELETE FROM tl.photo WHERE id = %s", (item_photo,))
    # Without a description, nothing is kept and the form says why.
    r = upload(s, servers, code, png_bytes(400, 300), name="a.png", alt=" ", path=f"{REUSE_ITEM}/photo",
               number_field="objet", form_path=form)
    assert r.status_code == 422
    assert "Décrivez la photo" in BeautifulSoup(r.text, "html.parser").find(id="erreur-alternative").get_text()
    assert [p[0] for p in reuse_photos(servers, code)] == [first[0]]


def test_another_places_volunteer_cannot_touch_a_stock_items_photos(servers, expect_log):
    s, _ = login(servers, REFERENT)
    code, _ = put_on_sale(servers, s, titre="Tabouret en formica")
    assert upload(s, servers, code, png_bytes(500, 400), name="t.png", alt="Tabouret jaune",
                  path=f"{REUSE_ITEM}/photo", number_field="objet", form_path=f"{REUSE_ITEM}?n={code}"
                  ).status_code == 303
    before = reuse_photos(servers, code)
    photo_count = servers.sql("SELECT count(*) FROM tl.photo")[0][0]
    # A volunteer of the médiathèque, on the page of a stock item of their own
    # place (the form's token), sends La Fabrique's item's number.
    v, _ = login(servers, VOLUNTEER)
    t = token(v, servers, "/tierslieux/guichet/ressourcerie")
    r = v.post(servers.url("/tierslieux/guichet/ressourcerie"), allow_redirects=False, timeout=10,
               data={"jeton": t, "lieu": "mediatheque-jules-verne", "provenance": "apport_volontaire",
                     "commune": "Saint-Aubin-sur-Loire"})
    assert r.status_code == 303, r.text[:300]
    intake = r.headers["Location"].split("n=")[1]
    assert weigh(servers, v, t, intake, categorie="m", poids="20").status_code == 303
    r = new_item(servers, v, t, intake, titre="Chaise paillée")
    assert r.status_code == 303, r.text[:300]
    own = r.headers["Location"].split("n=")[1].split("&")[0]
    t = token(v, servers, f"{REUSE_ITEM}?n={own}")
    r = v.post(servers.url(f"{REUSE_ITEM}/photo"), allow_redirects=False, timeout=30,
               data={"jeton": t, "objet": code, "alternative": "Une photo"},
               files={"photo": ("p.png", png_bytes(400, 300), "image/png")})
    assert r.status_code == 403 and "rien n'a été changé" in r.text
    for action in ("retirer", "monter", "enregistrer"):
        r = v.post(servers.url(f"{REUSE_ITEM}/photo/modifier"), allow_redirects=False, timeout=10,
                   data={"jeton": t, "objet": code, "photo": str(before[0][0]), "action": action,
                         "alternative": "Autre chose"})
        assert r.status_code == 403 and "rien n'a été changé" in r.text, action
    assert v.get(servers.url(f"{REUSE_ITEM}?n={code}"), timeout=10).status_code == 403
    # Nothing kept, nothing changed; a forged token is refused too.
    assert reuse_photos(servers, code) == before
    assert servers.sql("SELECT count(*) FROM tl.photo")[0][0] == photo_count
    assert servers.sql("SELECT count(*) FROM tl.photo_variant v WHERE NOT EXISTS "
                       "(SELECT 1 FROM tl.photo f WHERE f.id = v.photo_id)") == [(0,)]
    r = s.post(servers.url(f"{REUSE_ITEM}/photo"), allow_redirects=False, timeout=30,
               data={"jeton": "x", "objet": code, "alternative": "Une photo"},
               # The forged token is logged (TLX0501), never the form's values.
               files={"photo": ("p.png", png_bytes(400, 300), "image/png")})
    assert r.status_code in (400, 403) and reuse_photos(servers, code) == before
    expect_log.append("TLX0501")


def test_a_helper_that_crashes_or_answers_garbage_is_a_refusal_and_the_worker_goes_on(servers, expect_log):
    """The helper killed by a signal (as a decoder's crash or a limit would
    kill it) or writing what is no answer: a French 422, nothing kept, the
    worker serves the next request; the log names what became of the
    helper, never the file."""
    expect_log += ["TLX1603", "TLX1602"]
    with open(os.path.join(os.path.realpath(servers.web), "tierslieux.conf"), encoding="utf-8") as f:
        helper = re.search(r'^TiersLieuxImageHelper "([^"]+)"', f.read(), re.M).group(1)
    code, item_id = item_of(servers, "la-fabrique")
    s, _ = login(servers, REFERENT)
    before = photos(servers, code)
    saved = helper + ".vrai"
    os.rename(helper, saved)
    try:
        # Killed by a signal, answering garbage, and stalled: killed at its
        # deadline (30 s) rather than holding the worker's thread.
        for script in ("#!/bin/sh\ncat >/dev/null\nkill -SEGV $$\n",
                       "#!/bin/sh\ncat >/dev/null\nprintf 'TLIMG jpeg 10 10\\njpg 10 10 999999\\nabc'\n",
                       "#!/bin/sh\ncat >/dev/null\nexec sleep 600\n"):
            with open(helper, "w", encoding="utf-8") as f:
                f.write(script)
            os.chmod(helper, 0o755)
            started = time.monotonic()
            r = upload(s, servers, code, png_bytes(400, 300), name="p.png")
            assert r.status_code == 422, r.status_code
            assert time.monotonic() - started < 40
            error = BeautifulSoup(r.text, "html.parser").find(id="erreur-photo")
            assert "n'a pas pu être lue" in error.get_text()
            assert photos(servers, code) == before
            assert servers.get(f"/tierslieux/outils/{item_id}").status_code == 200
    finally:
        os.replace(saved, helper)
    assert upload(s, servers, code, png_bytes(400, 300), name="p.png").status_code == 303
    with open(servers.error_log, encoding="utf-8", errors="replace") as f:
        log = f.read()
    assert "killed by signal 11" in log and "p.png" not in log
    assert "image helper stopped after 30 s" in log
    # The stalled helper was killed, not left behind.
    assert subprocess.run(["pgrep", "-f", "sleep 600"], capture_output=True).returncode == 1
