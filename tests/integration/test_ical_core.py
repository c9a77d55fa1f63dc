"""The core's iCalendar writer read by another parser: Debian's
python3-icalendar parses what tests/unit/ical_sample prints (built by
`make check`), and the test says what that parser lets through — it is
lenient (errors go to a list on each component instead of raising), so
every rule of RFC 5545 we rely on is asserted here by hand.

No server is needed: the autouse fixture that watches httpd's error log is
replaced below by one that starts nothing."""
import datetime
import os
import subprocess
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from conftest import ROOT

SAMPLE = os.path.join(ROOT, "tests", "unit", "ical_sample")


@pytest.fixture(autouse=True)
def clean_error_log():
    """No httpd here: nothing to watch (overrides conftest's fixture)."""
    yield


@pytest.fixture(scope="module")
def raw():
    if not os.access(SAMPLE, os.X_OK):
        subprocess.run(["make", "-s", "tests/unit/ical_sample"], cwd=ROOT, check=True)
    return subprocess.run([SAMPLE], check=True, capture_output=True).stdout


@pytest.fixture(scope="module")
def cal(raw):
    return Calendar.from_ical(raw)


EXPECTED_STARTS = {
    "seance-41@tierslieux.example.fr": datetime.datetime(2026, 3, 14, 14, 0, tzinfo=ZoneInfo("Europe/Paris")),
    "seance-42@tierslieux.example.fr": datetime.datetime(2026, 7, 11, 9, 30, tzinfo=ZoneInfo("Europe/Paris")),
    "seance-43@tierslieux.example.fr": datetime.datetime(2026, 11, 14, 14, 0, tzinfo=ZoneInfo("Europe/Paris")),
    "seance-44@tierslieux.example.fr": datetime.datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("Indian/Reunion")),
}


def test_every_line_ends_with_crlf_and_fits_in_75_octets(raw):
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert len(lines) > 60
    for line in lines:
        assert b"\r" not in line and b"\n" not in line
        assert len(line) <= 75, line
        line.decode("utf-8")            # folding never cut a character in two
    # folding did happen (the sample's description is long), and only with
    # a leading space
    assert any(line.startswith(b" ") for line in lines)
    assert not any(line.startswith(b"\t") for line in lines)


def test_the_parser_accepts_everything_without_complaint(cal):
    assert cal.name == "VCALENDAR"
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)


def test_calendar_properties(cal):
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == "-//Réseau des médiathèques//mod_tierslieux//FR"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == "Repair cafés, ateliers; réparations"


def test_every_event_has_uid_dtstamp_and_its_start(cal):
    events = cal.walk("VEVENT")
    assert sorted(str(e["UID"]) for e in events) == sorted(EXPECTED_STARTS)
    for e in events:
        stamp = e.decoded("DTSTAMP")
        assert stamp == datetime.datetime(2026, 11, 22, 19, 0, tzinfo=datetime.timezone.utc)
        start = e.decoded("DTSTART")
        expected = EXPECTED_STARTS[str(e["UID"])]
        assert start == expected
        assert start.utcoffset() == expected.utcoffset()
        assert e.decoded("DTEND") > start
    offsets = {str(e["UID"]): e.decoded("DTSTART").utcoffset() for e in events}
    assert offsets["seance-41@tierslieux.example.fr"] == datetime.timedelta(hours=1)
    assert offsets["seance-42@tierslieux.example.fr"] == datetime.timedelta(hours=2)
    assert offsets["seance-44@tierslieux.example.fr"] == datetime.timedelta(hours=4)


def test_texts_come_back_as_they_went_in(cal):
    e = cal.walk("VEVENT")[0]
    assert str(e["SUMMARY"]) == "Repair café : grille-pain, vélos, lampes; tout ce qui se répare"
    assert str(e["LOCATION"]) == "Médiathèque Jules-Verne, 12 rue des Écoles, 35000 Saint-Aubin"
    description = str(e["DESCRIPTION"])
    assert description.startswith("Apportez l'objet et ses pièces.\nLes bénévoles réparent avec vous ; ")
    assert "libre\\gratuite" in description
    assert description.endswith("« guillemets » 🔧")
    assert str(e["URL"]) == "https://tierslieux.example.fr/tierslieux/reparation/seances/41?lieu=mediatheque-jules-verne"
    assert [str(x["STATUS"]) for x in cal.walk("VEVENT")] == ["CONFIRMED", "CANCELLED", "CONFIRMED", "CONFIRMED"]


def test_each_tzid_has_its_vtimezone_and_it_agrees_with_the_zone(cal):
    zones = {str(z["TZID"]): z for z in cal.walk("VTIMEZONE")}
    used = {e["DTSTART"].params["TZID"] for e in cal.walk("VEVENT")}
    used |= {e["DTEND"].params["TZID"] for e in cal.walk("VEVENT")}
    assert used == {"Europe/Paris", "Indian/Reunion"}
    assert set(zones) == used
    for name, z in zones.items():
        observances = z.walk("STANDARD") + z.walk("DAYLIGHT")
        assert observances
        for o in observances:
            for prop in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"):
                assert prop in o
    assert len(zones["Indian/Reunion"].walk("DAYLIGHT")) == 0
    assert len(zones["Indian/Reunion"].walk("STANDARD")) == 1
    assert zones["Indian/Reunion"].walk("STANDARD")[0].decoded("TZOFFSETTO") == datetime.timedelta(hours=4)
    # The parser resolves TZID by name with its own database; built from
    # our VTIMEZONE alone, the zone must place every event at the same
    # instant, and the 2026 changes in Paris where they are.
    for e in cal.walk("VEVENT"):
        tz = zones[e["DTSTART"].params["TZID"]].to_tz()
        naive = e.decoded("DTSTART").replace(tzinfo=None)
        assert tz.localize(naive) == EXPECTED_STARTS[str(e["UID"])]
    paris = zones["Europe/Paris"].to_tz()
    for day, before, after in ((datetime.datetime(2026, 3, 29, 0, 59), 1, 2),
                               (datetime.datetime(2026, 10, 25, 0, 59), 2, 1)):
        utc = day.replace(tzinfo=datetime.timezone.utc)
        assert utc.astimezone(paris).utcoffset() == datetime.timedelta(hours=before)
        later = utc + datetime.timedelta(minutes=2)
        assert later.astimezone(paris).utcoffset() == datetime.timedelta(hours=after)
