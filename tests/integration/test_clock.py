"""PostgreSQL, httpd and the tests read one clock. script/test runs the
suite a second time a year ahead (libfaketime) and says which day it should
be in TL_EXPECT_TODAY; this proves the clock really moved for all three."""
import datetime
import email.utils
import os


def test_postgresql_httpd_and_the_tests_share_one_clock(servers):
    database = servers.sql("SELECT now()")[0][0]
    web = email.utils.parsedate_to_datetime(servers.get("/tierslieux/").headers["Date"])
    here = datetime.datetime.now(datetime.timezone.utc)
    assert abs(database - here) < datetime.timedelta(minutes=5)
    assert abs(web - here) < datetime.timedelta(minutes=5)
    expected = os.environ.get("TL_EXPECT_TODAY")
    if expected:
        day = datetime.date.fromisoformat(expected)
        assert abs(here.date() - day) <= datetime.timedelta(days=1), (here, expected)
