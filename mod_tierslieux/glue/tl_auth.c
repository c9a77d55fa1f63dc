#include <apr_strings.h>
#include <apr_md5.h>
#include <http_core.h>
#include <http_request.h>
#include <mod_auth.h>
#include "tl_auth.h"
#include "tl_db.h"
#include "tl_config.h"
#include "tl_session.h"
#include "tl_library.h"

/* The database could not be asked (gone, or no answer within its
 * deadline). A provider can only answer "general error", which httpd turns
 * into its own English 500 page; so the error document of that 500 is set,
 * for this request only, to the module's page that answers a French 503
 * (tl_page_unavailable, reached by an internal redirect that needs no
 * login and no database), which says so when the database is a hot
 * standby (q->read_only). Outside any mount point there is no such page:
 * httpd's 500 stays, with a French text. */
static void tl_auth_refused(request_rec *r, const char *why)
{
    const tl_dir_conf *dc = ap_get_module_config(r->per_dir_config, &tierslieux_module);
    const char *base = tl_conf_base_url(dc);

    if (!base) {
        base = tl_conf_mount(r->uri);
    }
    apr_table_setn(r->notes, TL_AUTH_UNAVAILABLE_NOTE, why);
    ap_custom_response(r, HTTP_INTERNAL_SERVER_ERROR,
                       base ? apr_pstrcat(r->pool, base, "/indisponible", NULL)
                            : "\"Service momentanément indisponible : la base de données ne répond pas. "
                              "Réessayez dans quelques minutes.");
}

static void tl_auth_unavailable(request_rec *r, const tl_req *q)
{
    tl_auth_refused(r, q->read_only ? TL_AUTH_READ_ONLY : "1");
}

/* Checks what mod_auth_form hands over for user: in a session, the token
 * that stands for it (sql/logic/members_accounts.sql: the session must be live); at login, the
 * password itself, against the bcrypt hash sql returns. kind names the
 * session's owner: "compte" (an account of the desk) or "adherent". */
static authn_status tl_check_hash(request_rec *r, const char *kind, const char *sql, const char *user,
                                  const char *password)
{
    int status = OK;
    size_t len;
    const char *hash, *session = tl_session_token_hash(r, password);
    const tl_rows *rows;
    tl_req *q = tl_db_req(r);

    if (session) {
        const char *params[] = { kind, session };
        /* A session opened a moment ago is on the primary; a standby named
         * before it in DBDParams may not have it yet: asked where it was
         * written whenever there is a primary (tl_db_standby). */
        if (tl_db_standby(q, &status) < 0) {
            if (status == HTTP_SERVICE_UNAVAILABLE) {
                tl_auth_unavailable(r, q);
            }
            return AUTH_GENERAL_ERROR;
        }
        rows = tl_db_query(q, "SELECT tl.session_login($1, $2)", 2, params, &status);
        if (!rows || rows->count(rows) != 1) {
            if (status == HTTP_SERVICE_UNAVAILABLE) {
                tl_auth_unavailable(r, q);
            }
            return AUTH_GENERAL_ERROR;
        }
        hash = rows->value(rows, 0, 0, &len);
        return hash && strcmp(hash, user) == 0 ? AUTH_GRANTED : AUTH_DENIED;
    }
    /* A login opens a session, a write: a hot standby cannot take it. */
    if (tl_db_standby(q, &status) != 0) {
        if (q->read_only || status == HTTP_SERVICE_UNAVAILABLE) {
            tl_auth_unavailable(r, q);
        }
        return AUTH_GENERAL_ERROR;
    }
    rows = tl_db_query(q, sql, 1, &user, &status);
    if (!rows || rows->count(rows) != 1) {
        if (status == HTTP_SERVICE_UNAVAILABLE) {
            tl_auth_unavailable(r, q);
        }
        return AUTH_GENERAL_ERROR;      /* logged by tl_db_query, without the values */
    }
    hash = rows->value(rows, 0, 0, &len);
    if (!hash) {
        return AUTH_USER_NOT_FOUND;
    }
    if (apr_password_validate(password, hash) != APR_SUCCESS) {
        return AUTH_DENIED;
    }
    tl_session_accepted(r, kind, user);
    return AUTH_GRANTED;
}

static authn_status tl_check_password(request_rec *r, const char *user, const char *password)
{
    return tl_check_hash(r, "compte", "SELECT tl.account_password($1)", user, password);
}

/* With TiersLieuxLibraryAuth, the card number and PIN of the place's
 * library system (tl_library.h): the system says whether they are right
 * and whether the card may borrow; the first login creates the member
 * (tl.card_login). The session then holds a token standing for
 * "#place:CARD", as for any member. A wrong PIN is refused as a wrong
 * password is; a blocked card and a library system that does not answer
 * get their own French page (tl_page_unavailable). */
static authn_status tl_check_card(request_rec *r, const tl_dir_conf *dc, const char *user, const char *password)
{
    const char *card = tl_library_card(r->pool, user), *place = tl_conf_library_place(dc), *login;
    tl_library_result res;
    tl_req *q;
    int status = OK;

    if (!card) {
        return AUTH_USER_NOT_FOUND;             /* nothing a library system could know: not sent */
    }
    if (!place) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, TLXLOGNO(1807) "TiersLieuxLibraryAuth needs "
                      "TiersLieuxLibraryAuthPlace: the place whose members the cards are");
        tl_auth_refused(r, TL_AUTH_LIBRARY_DOWN);
        return AUTH_GENERAL_ERROR;
    }
    login = apr_pstrcat(r->pool, "#", place, ":", card, NULL);
    if (tl_session_token_hash(r, password)) {
        return tl_check_hash(r, "adherent", NULL, login, password);
    }
    if (!*password || strlen(password) > 64) {
        return AUTH_DENIED;
    }
    q = tl_db_req(r);
    if (tl_db_standby(q, &status) != 0) {
        if (q->read_only || status == HTTP_SERVICE_UNAVAILABLE) {
            tl_auth_unavailable(r, q);
        }
        return AUTH_GENERAL_ERROR;
    }
    res = tl_library_check(r, card, password);
    switch (res.outcome) {
    case TL_LIBRARY_DENIED:
        return AUTH_DENIED;
    case TL_LIBRARY_BLOCKED:
        tl_auth_refused(r, TL_AUTH_CARD_BLOCKED);
        return AUTH_GENERAL_ERROR;
    case TL_LIBRARY_DOWN:
        tl_auth_refused(r, TL_AUTH_LIBRARY_DOWN);
        return AUTH_GENERAL_ERROR;
    case TL_LIBRARY_OK:
        break;
    }
    if (!res.family || !*res.family || !res.given || !*res.given) {
        tl_auth_refused(r, TL_AUTH_CARD_NAMELESS);
        return AUTH_GENERAL_ERROR;
    }
    {
        const char *params[] = { place, card, res.family, res.given };
        const tl_rows *rows = tl_db_query(q, "SELECT tl.card_login($1, $2, $3, $4)", 4, params, &status);
        if (!rows || rows->count(rows) != 1) {
            tl_auth_unavailable(r, q);
            return AUTH_GENERAL_ERROR;          /* logged by tl_db_query, without the values */
        }
    }
    tl_session_accepted_as(r, "adherent", user, login);
    return AUTH_GRANTED;
}

/* Members log in with their card number, in any case and with or without
 * the dash or the zeros ("a-123" is A-000123: the database normalises
 * it), and the password they set from a link the desk gave them; or with
 * their library card (tl_check_card). */
static authn_status tl_check_member_password(request_rec *r, const char *user, const char *password)
{
    const tl_dir_conf *dc = ap_get_module_config(r->per_dir_config, &tierslieux_module);

    if (tl_library_configured(dc)) {
        return tl_check_card(r, dc, user, password);
    }
    if (strlen(user) > 32) {
        return AUTH_USER_NOT_FOUND;
    }
    return tl_check_hash(r, "adherent", "SELECT tl.member_password($1)", user, password);
}

static const authn_provider tl_authn_provider = { tl_check_password, NULL };
static const authn_provider tl_authn_member_provider = { tl_check_member_password, NULL };

/* ---- Require tierslieux-role ROLE ---------------------------------------- */

static const int tl_ranks[] = { 1, 2, 3 };

static const char *tl_parse_role(cmd_parms *cmd, const char *line, const void **parsed)
{
    static const char *const roles[] = { "benevole", "referent", "admin" };
    int i;

    for (i = 0; i < 3; i++) {
        if (strcmp(line, roles[i]) == 0) {
            *parsed = &tl_ranks[i];
            return NULL;
        }
    }
    return "Require tierslieux-role: expects benevole, referent or admin";
}

static authz_status tl_check_role(request_rec *r, const char *line, const void *parsed)
{
    int status = OK;
    size_t len;
    const char *rank;
    const tl_rows *rows;
    tl_req *q = tl_db_req(r);

    if (!r->user) {
        return AUTHZ_DENIED_NO_USER;
    }
    rows = tl_db_query(q, "SELECT max(rank) FROM tl.account_roles($1)", 1, (const char *const *)&r->user,
                       &status);
    if (!rows || rows->count(rows) != 1) {
        if (status == HTTP_SERVICE_UNAVAILABLE) {
            tl_auth_unavailable(r, q);
        }
        return AUTHZ_GENERAL_ERROR;
    }
    rank = rows->value(rows, 0, 0, &len);
    return rank && atoi(rank) >= *(const int *)parsed ? AUTHZ_GRANTED : AUTHZ_DENIED;
}

static const authz_provider tl_authz_provider = { tl_check_role, tl_parse_role };

void tl_auth_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHN_PROVIDER_GROUP, "tierslieux", AUTHN_PROVIDER_VERSION,
                              &tl_authn_provider, AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHN_PROVIDER_GROUP, "tierslieux-adherent", AUTHN_PROVIDER_VERSION,
                              &tl_authn_member_provider, AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "tierslieux-role", AUTHZ_PROVIDER_VERSION,
                              &tl_authz_provider, AP_AUTH_INTERNAL_PER_CONF);
}
