"""Labels: the QR code of an item is read back (zbarimg) as the item's public
page; the desk prints sheets of 24 labels."""
import os
import subprocess

from bs4 import BeautifulSoup

from conftest import RUN
from test_desk_access import login


def test_the_qr_code_reads_as_the_items_public_page(servers):
    r = servers.get("/tierslieux/outils/1/qr.svg")
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/svg+xml"
    svg, png = os.path.join(RUN, "qr.svg"), os.path.join(RUN, "qr.png")
    with open(svg, "wb") as f:
        f.write(r.content)
    subprocess.run(["rsvg-convert", "-w", "400", "-h", "400", svg, "-o", png], check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True).stdout.strip()
    assert decoded == servers.url("/tierslieux/outils/1")
    assert servers.get("/tierslieux/outils/999999/qr.svg").status_code == 404
    assert servers.get("/tierslieux/outils/abc/qr.svg").status_code == 400


def test_a_sheet_of_labels(servers):
    s, _ = login(servers, "benevole.mediatheque")
    r = s.get(servers.url("/tierslieux/guichet/etiquettes"), timeout=10)
    assert r.status_code == 200
    labels = BeautifulSoup(r.text, "html.parser").select("li.tl-label")
    assert len(labels) == 24
    first = labels[0]
    code = first.select_one(".tl-label-code").get_text()
    item_id = servers.sql("SELECT id FROM tl.item WHERE code = %s", (code,))[0][0]
    assert first.img["src"] == f"/tierslieux/outils/{item_id}/qr.svg"
    r = s.get(servers.url("/tierslieux/guichet/etiquettes"), params={"page": "2"}, timeout=10)
    assert code not in [l.get_text() for l in BeautifulSoup(r.text, "html.parser").select(".tl-label-code")]
