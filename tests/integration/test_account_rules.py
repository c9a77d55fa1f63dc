"""Who may act on whose account (sql/logic/members_accounts.sql): an administrator on any; anyone
else only on an account that holds no rank above bénévole anywhere, and only
when référent at every place where it has a role; an account with no role is
the administrators'. Checked for every pair of ranks and places, through
the database functions themselves (so psql obeys it), then through the back
office, where every refusal is journaled."""
import itertools
import secrets

import psycopg2
import pytest
from bs4 import BeautifulSoup

from test_admin import FABRIQUE, page, post, token
from test_desk_access import login

M, F, L = "mediatheque-jules-verne", "la-fabrique", "tiers-lieu-lakour"
RANK = {"benevole": 1, "referent": 2, "admin": 3}
ROLE = {1: "benevole", 2: "referent", 3: "admin"}

# The people who act, and the accounts they act on: every rank at one
# place, and the mixes across places that the rule must tell apart.
ACTORS = {
    "act.aucun": {},
    "act.ben": {M: 1},
    "act.ref": {M: 2},
    "act.adm": {M: 3},
    "act.ref.ref": {M: 2, F: 2},
    "act.ref.ben": {M: 2, F: 1},
}
TARGETS = {
    "cible.aucun": {},
    "cible.ben.m": {M: 1},
    "cible.ref.m": {M: 2},
    "cible.adm.m": {M: 3},
    "cible.ben.f": {F: 1},
    "cible.ref.f": {F: 2},
    "cible.adm.f": {F: 3},
    "cible.ben.mf": {M: 1, F: 1},
    "cible.ben.m.ref.f": {M: 1, F: 2},
    "cible.ben.m.adm.l": {M: 1, L: 3},
}


def may_manage(actor, target):
    """The rule, written again from its statement."""
    if 3 in actor.values():
        return True
    if not target or max(target.values()) > 1:
        return False
    return all(actor.get(place, 0) >= 2 for place in target)


def runs(actor):
    """The first place actor runs (référent or admin), else the médiathèque."""
    return next((p for p in actor if actor[p] >= 2), M)


def place_for(actor, target):
    """The place a back-office action on target is made from: one of target's
    places where actor runs, else any of target's, else the médiathèque."""
    mine = [p for p in target if actor.get(p, 0) >= 2]
    return (mine or list(target) or [M])[0]


@pytest.fixture(scope="module")
def people(servers):
    with servers.db() as conn, conn.cursor() as cur:
        for login_, roles in {**ACTORS, **TARGETS}.items():
            cur.execute("INSERT INTO tl.account (login, display_name) VALUES (%s, %s) RETURNING id",
                        (login_, login_))
            account = cur.fetchone()[0]
            for place, rank in roles.items():
                cur.execute("INSERT INTO tl.account_role (account_id, place_id, role) "
                            "SELECT %s, id, %s FROM tl.place WHERE slug = %s", (account, ROLE[rank], place))
    return True


def attempt(servers, sql, params):
    """Runs one call in a transaction rolled back afterwards: None when it
    went through, else its SQLSTATE."""
    conn = servers.db()
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
        return None
    except psycopg2.Error as e:
        return e.pgcode
    finally:
        conn.rollback()
        conn.close()


OPERATIONS = {
    "lien": lambda a, t: ("SELECT * FROM tl.desk_account_password_link(%s, %s, %s)",
                          (a, t, secrets.token_hex(32))),
    "desactiver": lambda a, t: ("SELECT tl.set_account_active(%s, %s, %s, false)",
                                (a, place_for(ACTORS[a], TARGETS[t]), t)),
    "role": lambda a, t: ("SELECT tl.save_team_member(%s, %s, %s, '', 'benevole')", (a, runs(ACTORS[a]), t)),
    "retirer": lambda a, t: ("SELECT tl.remove_team_member(%s, %s, %s)",
                             (a, place_for(ACTORS[a], TARGETS[t]), t)),
}


def from_a_place_they_may(operation, actor, target, place):
    """The actions but the link are made from a place: the actor runs it,
    and (but for giving a role) the account has a role there."""
    return operation == "lien" or (actor.get(place, 0) >= 2 and (operation == "role" or place in target))


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_pair_of_ranks_and_places(servers, people, operation):
    checked = refused = 0
    for actor_login, target_login in itertools.product(ACTORS, TARGETS):
        sql, params = OPERATIONS[operation](actor_login, target_login)
        place = params[1] if operation != "lien" else None
        state = attempt(servers, sql, params)
        actor, target = ACTORS[actor_login], TARGETS[target_login]
        where = f"{operation}: {actor_login} {actor} → {target_login} {target}"
        if not from_a_place_they_may(operation, actor, target, place):
            # A missing right at that place, or no such member of its team.
            assert state in ("42501", "23503"), f"{where} went through ({state})"
        elif may_manage(actor, target):
            assert state is None, f"{where} refused ({state})"
        else:
            assert state == "42501", f"{where}: {state or 'went through'}"
            refused += 1
        checked += 1
    assert checked == len(ACTORS) * len(TARGETS) and 0 < refused < checked


def test_the_rule_is_the_databases(servers, people):
    """The same answers from tl.may_manage_account, for every pair."""
    rows = dict(((a, t), ok) for a, t, ok in servers.sql(
        "SELECT a.login, t.login, tl.may_manage_account(a.id, t.id) FROM tl.account a, tl.account t "
        "WHERE a.login LIKE 'act.%%' AND t.login LIKE 'cible.%%'"))
    assert len(rows) == len(ACTORS) * len(TARGETS)
    for (a, t), ok in rows.items():
        assert ok == may_manage(ACTORS[a], TARGETS[t]), (a, t)


def journal_refusals(servers, action, subject):
    return servers.sql("SELECT count(*) FROM tl.admin_log l JOIN tl.account a ON a.id = l.account_id "
                       "WHERE a.login = 'referente.fabrique' AND l.action = %s AND l.subject = %s",
                       (action, subject))[0][0]


def test_a_referent_takes_over_no_account_from_the_back_office(servers, expect_log):
    """The audit's two ways in: a link for the administrator's account, and a
    role given to another place's volunteer, then a link for her. Each is
    refused with a French page, and journaled in a transaction of its own."""
    expect_log.append("AH01631")
    s, _ = login(servers, "referente.fabrique")
    _, soup = page(servers, s, "/gestion/equipe", lieu=FABRIQUE)
    t = token(soup, "/gestion/equipe")
    before = servers.sql("SELECT count(*) FROM tl.password_link")[0][0]

    r = post(servers, s, "/gestion/equipe/lien", {"jeton": t, "lieu": FABRIQUE, "identifiant": "admin.reseau"})
    assert r.status_code == 403
    text = BeautifulSoup(r.text, "html.parser").get_text()
    assert "administration du réseau" in text and "Rien n'a été changé" in text
    assert journal_refusals(servers, "refus.compte.lien", "admin.reseau") == 1

    # Taking the administrator's role away or deactivating her: refused too.
    for action, journaled in (("desactiver", "refus.compte.desactivation"), ("retirer", "refus.compte.retrait"),
                              ("role", "refus.compte.role")):
        r = post(servers, s, "/gestion/equipe", {"jeton": t, "lieu": FABRIQUE, "action": action,
                                                 "identifiant": "admin.reseau", "nom": "", "role": "benevole"})
        assert r.status_code == 403, action
        assert journal_refusals(servers, journaled, "admin.reseau") == 1, action

    # Another place's volunteer: no role given from here…
    r = post(servers, s, "/gestion/equipe", {"jeton": t, "lieu": FABRIQUE, "action": "role",
                                             "identifiant": "benevole.mediatheque", "nom": "", "role": "benevole"})
    assert r.status_code == 403
    assert journal_refusals(servers, "refus.compte.role", "benevole.mediatheque") == 1
    # …and once the administrator gave her one, still no power over her
    # password: the référente does not run the médiathèque.
    admin, _ = login(servers, "admin.reseau")
    _, soup = page(servers, admin, "/gestion/equipe", lieu=FABRIQUE)
    assert post(servers, admin, "/gestion/equipe", {"jeton": token(soup, "/gestion/equipe"), "lieu": FABRIQUE,
                                                    "action": "role", "identifiant": "benevole.mediatheque",
                                                    "nom": "", "role": "benevole"}).status_code == 303
    r = post(servers, s, "/gestion/equipe/lien", {"jeton": t, "lieu": FABRIQUE,
                                                  "identifiant": "benevole.mediatheque"})
    assert r.status_code == 403
    assert journal_refusals(servers, "refus.compte.lien", "benevole.mediatheque") == 1
    assert servers.sql("SELECT count(*) FROM tl.password_link")[0][0] == before
    # The administrator sees the refusals in the network's journal.
    journal = page(servers, admin, "/gestion/journal", lieu=FABRIQUE)[1].get_text()
    assert "refus.compte.lien" in journal
