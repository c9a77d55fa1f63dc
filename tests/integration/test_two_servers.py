"""Several web servers (docs/admin.md#several-web-servers): two httpd
instances on two ports, sharing the database and the secret file, behave as
one site. A login made on one is valid on the other, a logout on either
ends it on both, a form's token from one is accepted by the other, and
each one's rendered pages follow what the other writes. A third instance
with another secret file is the control: it opens none of them."""
import os
import shutil

import pytest
import requests

from conftest import cluster, free_port
from test_desk_access import login
from test_desk_lending import free_item, member_without_late_items, token
from test_sessions import member_login, replay, shut_out

DESK = "/tierslieux/guichet"
MINE = "/tierslieux/compte"


class Node:
    """Another httpd on the same database, in a run folder of its own."""

    def __init__(self, servers, name, secret_from=None):
        self.servers = servers
        self.web = os.path.join(os.path.dirname(servers.web), name)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cluster("httpd-conf", self.web, str(self.port), servers.pg)
        if secret_from:
            shutil.copyfile(os.path.join(os.path.realpath(secret_from), "secret"),
                            os.path.join(os.path.realpath(self.web), "secret"))
        cluster("httpd-start", self.web)

    def url(self, path):
        return self.base + path

    def sql(self, query, params=None):
        return self.servers.sql(query, params)

    def stop(self):
        cluster("httpd-stop", self.web, check=False)


@pytest.fixture(autouse=True)
def ended_sessions(expect_log):
    expect_log.append("AH01807")                    # mod_auth_form: a session that ended


@pytest.fixture(scope="module")
def second(servers):
    node = Node(servers, "httpd-b", secret_from=servers.web)
    yield node
    node.stop()


def test_a_desk_login_on_one_is_valid_on_the_other_and_a_logout_ends_it_on_both(servers, second):
    s, r = login(servers, "benevole.mediatheque")
    assert r.status_code == 302
    copied = requests.utils.dict_from_cookiejar(s.cookies)
    for node in (servers, second):
        page = requests.get(node.url(DESK), cookies=copied, allow_redirects=False, timeout=10)
        assert page.status_code == 200, node.base
        assert "Connexion au guichet" not in page.text
    r = s.post(second.url("/tierslieux/deconnexion"), allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303, 307)
    for node in (servers, second):
        assert shut_out(replay(node, copied, DESK), "/tierslieux/connexion"), node.base


def test_a_member_login_on_one_is_valid_on_the_other_and_a_logout_ends_it_on_both(servers, second):
    servers.sql("UPDATE tl.member SET password_hash = public.crypt('Deux-Serveurs-2026', public.gen_salt('bf', 4)) "
                "WHERE member_number = %s", (member_without_late_items(servers),))
    number = member_without_late_items(servers)
    s = member_login(second, number, "Deux-Serveurs-2026")
    copied = requests.utils.dict_from_cookiejar(s.cookies)
    for node in (servers, second):
        assert replay(node, copied, MINE).status_code == 200, node.base
    s.get(servers.url("/tierslieux/compte/deconnexion"), allow_redirects=False, timeout=10)
    for node in (servers, second):
        assert shut_out(replay(node, copied, MINE), "/tierslieux/compte/connexion"), node.base


def test_a_form_from_one_is_taken_by_the_other_and_both_show_the_change(servers, second):
    item, member = free_item(servers), member_without_late_items(servers)
    page = "/tierslieux/outils/%d" % servers.sql("SELECT id FROM tl.item WHERE code = %s", (item,))[0][0]
    for node in (servers, second):       # each renders and keeps the item's page
        assert "Disponible" in requests.get(node.url(page), timeout=10).text
    s, _ = login(servers, "benevole.mediatheque")
    jeton = token(s, servers, "/tierslieux/guichet/pret")
    r = s.post(second.url("/tierslieux/guichet/pret/confirmer"), allow_redirects=False, timeout=30,
               data={"jeton": jeton, "adherent": member, "objet": item})
    assert r.status_code == 303, r.text[:300]
    assert servers.sql("SELECT count(*) FROM tl.booking b JOIN tl.item i ON i.id = b.item_id "
                       "WHERE i.code = %s AND b.kind = 'pret' AND b.returned_at IS NULL", (item,)) == [(1,)]
    for node in (servers, second):
        assert "En prêt" in requests.get(node.url(page), timeout=10).text, node.base


def test_another_secret_file_opens_nothing(servers, second):
    """The control: the secret file is what makes the instances one site."""
    other = Node(servers, "httpd-c")
    try:
        s, _ = login(servers, "benevole.mediatheque")
        copied = requests.utils.dict_from_cookiejar(s.cookies)
        assert replay(second, copied, DESK).status_code == 200
        assert shut_out(replay(other, copied, DESK), "/tierslieux/connexion")
        jeton = token(s, servers, "/tierslieux/guichet/pret")
        s2, _ = login(other, "benevole.mediatheque")
        r = s2.post(other.url("/tierslieux/guichet/pret/confirmer"), allow_redirects=False, timeout=30,
                    data={"jeton": jeton, "adherent": member_without_late_items(servers),
                          "objet": free_item(servers)})
        assert r.status_code in (400, 403), r.status_code
    finally:
        other.stop()
