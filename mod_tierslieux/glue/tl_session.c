#include <dlfcn.h>
#include <apr_strings.h>
#include <http_core.h>
#include <mod_session.h>
#include "tl_session.h"
#include "tl_config.h"
#include "tl_seal.h"

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

int tl_session_register(void)
{
    /* Looked up rather than linked, so the module still loads on a server
     * without mod_session (the public pages need none). */
    tl_hook_fn *encode = (tl_hook_fn *)dlsym(RTLD_DEFAULT, "ap_hook_session_encode");
    tl_hook_fn *decode = (tl_hook_fn *)dlsym(RTLD_DEFAULT, "ap_hook_session_decode");

    if (!encode || !decode) {
        return 0;
    }
    encode(tl_session_encode, NULL, NULL, APR_HOOK_LAST);
    decode(tl_session_decode, NULL, NULL, APR_HOOK_FIRST);
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
