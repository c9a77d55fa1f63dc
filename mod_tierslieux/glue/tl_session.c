#include <dlfcn.h>
#include <apr_strings.h>
#include <http_core.h>
#include <mod_session.h>
#include "tl_session.h"
#include "tl_config.h"
#include "tl_db.h"
#include "tl_seal.h"
#include "tl_token.h"

typedef void tl_hook_fn(apr_status_t (*)(request_rec *, session_rec *), const char *const *,
                        const char *const *, int);
static int tl_session_hooked;

static apr_status_t tl_session_encode(request_rec *r, session_rec *z)
{
    const tl_dir_conf *dc = ap_get_module_config(r->per_dir_config, &tierslieux_module);
    const char *sealed;

    if (!tl_conf_session_seal(dc) || !z->encoded || !*z->encoded) {
        return DECLINED;
    }
    sealed = tl_seal(r->pool, tl_conf_session_key(), z->encoded, strlen(z->encoded));
    if (!sealed) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, TLXLOGNO(0601) "cannot seal the session");
        return APR_EGENERAL;
    }
    z->encoded = sealed;
    return OK;
}

static apr_status_t tl_session_decode(request_rec *r, session_rec *z)
{
    const tl_dir_conf *dc = ap_get_module_config(r->per_dir_config, &tierslieux_module);
    size_t n;

    if (!tl_conf_session_seal(dc) || !z->encoded || !*z->encoded) {
        return DECLINED;
    }
    /* A forged, cut or foreign cookie is no session at all: the person is
     * asked to log in again. */
    z->encoded = tl_unseal(r->pool, tl_conf_session_key(), z->encoded, &n);
    return OK;
}

/* ---- the password never stays in the session ---------------------------
 * mod_auth_form keeps "<AuthName>-user" and "<AuthName>-pw" in the session
 * and hands them to the authn provider on every request. With the seal on,
 * the module swaps the password, once httpd has accepted it at login, for
 * a session token: TL_SESSION_PREFIX and 43 random characters, whose
 * SHA-256 names a row of tl.web_session (sql/logic/members_accounts.sql). The provider accepts the
 * token only when it came from this request's session and the row is live;
 * logging out, a new password, deactivation and erasure delete the row. */

#define TL_SESSION_PREFIX "tl."
#define TL_NOTE_KEY "tierslieux-session-key"         /* the session's "-pw" key */
#define TL_NOTE_TOKEN "tierslieux-session-token"     /* the token it held when loaded */
#define TL_NOTE_KIND "tierslieux-authn-kind"         /* whose password bcrypt accepted */
#define TL_NOTE_USER "tierslieux-authn-user"         /* and the login it was accepted for */
#define TL_NOTE_LOGIN "tierslieux-authn-login"       /* the session's login in the database, if not that */

/* A note of this request or of the one it comes from (an internal redirect,
 * a subrequest: mod_session loads the session once). */
static const char *tl_session_note(const request_rec *r, const char *key)
{
    const char *v;

    for (; r; r = r->main ? r->main : r->prev) {
        if ((v = apr_table_get(r->notes, key)) != NULL) {
            return v;
        }
    }
    return NULL;
}

static int tl_session_is_token(const char *v)
{
    return v && strncmp(v, TL_SESSION_PREFIX, sizeof(TL_SESSION_PREFIX) - 1) == 0
        && strlen(v) == sizeof(TL_SESSION_PREFIX) - 1 + TL_TOKEN_LEN;
}

/* The SHA-256 (hex) of a session token, or NULL. */
static const char *tl_session_hash(apr_pool_t *p, const char *v)
{
    return tl_session_is_token(v) ? tl_token_sha256(p, v + sizeof(TL_SESSION_PREFIX) - 1) : NULL;
}

typedef struct {
    apr_pool_t *p;
    apr_array_header_t *keys;
} tl_pw_keys;

static int tl_session_pw_key(void *data, const char *key, const char *value)
{
    tl_pw_keys *k = data;
    size_t n = strlen(key);

    (void)value;
    if (n >= 3 && strcmp(key + n - 3, "-pw") == 0) {
        APR_ARRAY_PUSH(k->keys, const char *) = apr_pstrdup(k->p, key);
    }
    return 1;
}

/* The keys of a session's entries that hold a password (or its token). */
static apr_array_header_t *tl_session_pw_keys(apr_pool_t *p, apr_table_t *entries)
{
    tl_pw_keys k = { p, apr_array_make(p, 1, sizeof(const char *)) };
    apr_table_do(tl_session_pw_key, &k, entries, NULL);
    return k.keys;
}

/* The "-user" key that goes with a "-pw" key. */
static const char *tl_session_user_key(apr_pool_t *p, const char *pw_key)
{
    return apr_pstrcat(p, apr_pstrndup(p, pw_key, strlen(pw_key) - 3), "-user", NULL);
}

/* After mod_session has read the cookie's entries: a token is noted for
 * the provider; a password (a cookie from before) or anything else is
 * dropped, and the person is asked to log in again. mod_session_cookie
 * keeps the session it read in the main request's notes and every later
 * load decodes it again, with what this request has set since (the
 * password just accepted at login): only the first reading counts. */
static apr_status_t tl_session_loaded(request_rec *r, session_rec *z)
{
    const tl_dir_conf *dc = ap_get_module_config(r->per_dir_config, &tierslieux_module);
    request_rec *m = r;
    apr_array_header_t *keys;
    const char *seen;
    int i;

    if (!tl_conf_session_seal(dc) || !z->entries) {
        return DECLINED;
    }
    while (m->main) {
        m = m->main;
    }
    seen = apr_psprintf(r->pool, "tierslieux-session-read-%pp", (void *)z);
    if (apr_table_get(m->notes, seen)) {
        return DECLINED;
    }
    apr_table_setn(m->notes, seen, "1");
    keys = tl_session_pw_keys(r->pool, z->entries);
    for (i = 0; i < keys->nelts; i++) {
        const char *key = APR_ARRAY_IDX(keys, i, const char *);
        const char *v = apr_table_get(z->entries, key);
        if (tl_session_is_token(v)) {
            apr_table_set(r->notes, TL_NOTE_KEY, key);
            apr_table_set(r->notes, TL_NOTE_TOKEN, v);
        }
        else {
            apr_table_unset(z->entries, key);
            apr_table_unset(z->entries, tl_session_user_key(r->pool, key));
        }
    }
    return DECLINED;
}

/* Before mod_session writes the entries out: a password httpd accepted in
 * this request becomes a new session's token; the token the session held
 * when loaded, if it is gone (logout) or replaced, ends on the server. */
static apr_status_t tl_session_saving(request_rec *r, session_rec *z)
{
    const tl_dir_conf *dc = ap_get_module_config(r->per_dir_config, &tierslieux_module);
    const char *old_key = tl_session_note(r, TL_NOTE_KEY), *old = tl_session_note(r, TL_NOTE_TOKEN);
    const char *kind = tl_session_note(r, TL_NOTE_KIND), *accepted = tl_session_note(r, TL_NOTE_USER), *now;
    apr_array_header_t *keys;
    int i, status = OK;

    if (!tl_conf_session_seal(dc) || !z->entries) {
        return DECLINED;
    }
    keys = tl_session_pw_keys(r->pool, z->entries);
    for (i = 0; i < keys->nelts; i++) {
        const char *key = APR_ARRAY_IDX(keys, i, const char *);
        const char *user_key = tl_session_user_key(r->pool, key);
        const char *v = apr_table_get(z->entries, key), *user = apr_table_get(z->entries, user_key);
        const char *token, *hash;
        if (old && old_key && strcasecmp(key, old_key) == 0 && strcmp(v, old) == 0) {
            continue;                                   /* the same session */
        }
        /* A password: the one the provider accepted for this user in this
         * request, never anything else. */
        if (!tl_session_is_token(v) && user && kind && accepted && strcmp(accepted, user) == 0
            && tl_token_make(r->pool, &token, &hash) == APR_SUCCESS) {
            const char *login = tl_session_note(r, TL_NOTE_LOGIN);
            const char *params[] = { kind, login ? login : user, hash };
            if (tl_db_change(tl_db_req(r), "SELECT tl.session_open($1, $2, $3)", 3, params, &status, NULL)) {
                apr_table_set(z->entries, key, apr_pstrcat(r->pool, TL_SESSION_PREFIX, token, NULL));
                continue;
            }
        }
        apr_table_unset(z->entries, key);
        apr_table_unset(z->entries, user_key);
    }
    now = old_key ? apr_table_get(z->entries, old_key) : NULL;
    if (old && (!now || strcmp(now, old) != 0)) {
        const char *hash = tl_session_hash(r->pool, old);
        tl_db_change(tl_db_req(r), "SELECT tl.session_close($1)", 1, &hash, &status, NULL);
    }
    return DECLINED;
}

const char *tl_session_token_hash(request_rec *r, const char *password)
{
    const char *token = tl_session_note(r, TL_NOTE_TOKEN);
    return token && password && strcmp(token, password) == 0 ? tl_session_hash(r->pool, token) : NULL;
}

void tl_session_accepted(request_rec *r, const char *kind, const char *user)
{
    apr_table_set(r->notes, TL_NOTE_KIND, kind);
    apr_table_set(r->notes, TL_NOTE_USER, user);
}

void tl_session_accepted_as(request_rec *r, const char *kind, const char *user, const char *login)
{
    tl_session_accepted(r, kind, user);
    apr_table_set(r->notes, TL_NOTE_LOGIN, login);
}

int tl_session_register(void)
{
    /* Looked up rather than linked, so the module still loads on a server
     * without mod_session (the public pages need none). */
    tl_hook_fn *encode = (tl_hook_fn *)dlsym(RTLD_DEFAULT, "ap_hook_session_encode");
    tl_hook_fn *decode = (tl_hook_fn *)dlsym(RTLD_DEFAULT, "ap_hook_session_decode");

    if (!encode || !decode) {
        return 0;
    }
    /* mod_session turns entries into text at REALLY_FIRST and back at
     * REALLY_LAST: the token swap works on the entries, around them. */
    encode(tl_session_saving, NULL, NULL, APR_HOOK_REALLY_FIRST - 1);
    encode(tl_session_encode, NULL, NULL, APR_HOOK_LAST);
    decode(tl_session_decode, NULL, NULL, APR_HOOK_FIRST);
    decode(tl_session_loaded, NULL, NULL, APR_HOOK_REALLY_LAST + 1);
    tl_session_hooked = 1;
    return 1;
}

int tl_session_available(void)
{
    return tl_session_hooked;
}

int tl_session_end(request_rec *r)
{
    APR_OPTIONAL_FN_TYPE(ap_session_load) *load = APR_RETRIEVE_OPTIONAL_FN(ap_session_load);
    APR_OPTIONAL_FN_TYPE(ap_session_set) *set = APR_RETRIEVE_OPTIONAL_FN(ap_session_set);
    session_rec *z = NULL;
    const char *name;

    if (!load || !set || load(r, &z) != APR_SUCCESS || !z) {
        return 0;
    }
    /* The keys mod_auth_form keeps the login in (named after AuthName),
     * cleared as its logout handler clears them. */
    name = ap_auth_name(r);
    set(r, z, apr_pstrcat(r->pool, name ? name : "", "-user", NULL), NULL);
    set(r, z, apr_pstrcat(r->pool, name ? name : "", "-pw", NULL), NULL);
    set(r, z, apr_pstrcat(r->pool, name ? name : "", "-site", NULL), NULL);
    /* And the cookie expires now rather than carrying an empty session. */
    z->maxage = 1;
    return 1;
}
