/* mod_tierslieux — the module record, its hooks and the request handler.
 *
 * A request goes: tl_handler -> query parsed and checked (tl_query) ->
 * route found (tl_router, table in pages/) -> data version read (tl_db) ->
 * ETag, 304 or a reused rendering (tl_render, tl_cache) -> otherwise the
 * page runs its queries and renders its template (pages/, tl_render). */
#define TL_DECLARES_MODULE
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <apr_allocator.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include "tl_module.h"
#include "tl_config.h"
#include "tl_db.h"
#include "tl_render.h"
#include "tl_router.h"
#include "tl_assets.h"
#include "tl_valid.h"
#include "tl_version.h"
#include "tl_auth.h"
#include "tl_redact.h"
#include "tl_session.h"
#include "tl_library.h"

static int tl_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    tl_config_reset(pconf);
    return OK;
}

static int tl_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    const char *err;

    tl_tpl_init();
    if ((err = tl_db_init()) != NULL || (err = tl_config_load(pconf, s)) != NULL
        || (err = tl_assets_load(pconf, tl_conf_static_dir())) != NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, TLXLOGNO(0101) "%s", err);
        return HTTP_INTERNAL_SERVER_ERROR;          /* httpd refuses to start */
    }
    /* A failing library system is left alone by every process at once;
     * without shared memory, each process keeps its own pause. */
    tl_library_init(pconf);
    return OK;
}

/* What the allocator of one of our requests keeps for the next request
 * once it is over (httpd's MaxMemFree, 2 MB by default): a page of the
 * network is built in a few hundred kilobytes, and each of the many
 * threads of a child would keep that much between requests. */
#define TL_KEEP_FREE (32 * 1024)

/* A threaded child keeps in glibc's malloc arenas (up to eight per core)
 * the most it ever held in each (libpq's batches of rows, the blocks
 * httpd's allocators free). One arena, blocks of 64 KB or more given back
 * when freed and an arena's top trimmed beyond 128 KB keep a child's memory
 * near what it uses, at the same speed (tests/bench/memory.sh, mixed.sh).
 * Called before the child starts its threads; an administrator who set
 * glibc's own variables keeps them. */
static void tl_bound_malloc(void)
{
#ifdef __GLIBC__
    if (getenv("MALLOC_ARENA_MAX") || getenv("MALLOC_MMAP_THRESHOLD_") || getenv("MALLOC_TRIM_THRESHOLD_")
        || getenv("GLIBC_TUNABLES")) {
        return;
    }
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
}

static void tl_child_init(apr_pool_t *pchild, server_rec *s)
{
    tl_bound_malloc();
    tl_db_child_init(pchild);
    tl_render_child_init(pchild, s);
    tl_version_child_init(pchild, s);
}

/* The path below the base URL: "/" for the base itself, no trailing slash. */
static const char *tl_local_path(request_rec *r, const char *base)
{
    size_t n = strlen(base);
    const char *path;
    size_t len;

    if (strncmp(r->uri, base, n) != 0 || (r->uri[n] != '\0' && r->uri[n] != '/')) {
        return NULL;
    }
    path = r->uri[n] ? r->uri + n : "/";
    len = strlen(path);
    if (len > 1 && path[len - 1] == '/') {
        path = apr_pstrmemdup(r->pool, path, len - 1);
    }
    return path;
}

/* Links are made below TiersLieuxBaseURL, or else below the <Location>
 * that set the handler, or else below the innermost section (the handler
 * set in a <Directory> or .htaccess, as core merged it). */
static const char *tl_base_url(request_rec *r, const tl_dir_conf *dc)
{
    const char *base = tl_conf_base_url(dc);
    const core_dir_config *cd = ap_get_core_module_config(r->per_dir_config);
    apr_size_t n;

    if (base || (base = tl_conf_mount(r->uri)) != NULL) {
        return base;
    }
    if (!cd || !cd->d || cd->d[0] != '/' || cd->r || cd->d_is_fnmatch) {
        return "";
    }
    n = strlen(cd->d);
    while (n > 0 && cd->d[n - 1] == '/') {
        n--;
    }
    return apr_pstrmemdup(r->pool, cd->d, n);
}

static tl_req *tl_req_make(request_rec *r)
{
    tl_req *q = apr_pcalloc(r->pool, sizeof(*q));

    q->r = r;
    q->dc = ap_get_module_config(r->per_dir_config, &tierslieux_module);
    q->templates = tl_conf_template_set(q->dc);
    q->base = tl_base_url(r, q->dc);
    q->view = tl_view_make(r->pool);
    q->fragment = r->main != NULL;      /* an include (mod_include, ESI) wants content only */
    q->heading_level = tl_conf_fragment_heading(q->dc);
    return q;
}

/* Reads the parameters every page shares: fragment, niveau and vue. */
static const char *tl_read_common(tl_req *q)
{
    const char *v = tl_query_get(&q->query, "vue");
    long level;
    const char *err;

    if (v) {
        if (strcmp(v, "integree") != 0) {
            return "Le paramètre « vue » vaut « integree » (la page pour un cadre sur un autre site).";
        }
        q->embed = 1;
    }
    if ((v = tl_query_get(&q->query, "fragment")) != NULL) {
        if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0) {
            return "Le paramètre « fragment » vaut 1 (contenu seul) ou 0.";
        }
        q->fragment = q->fragment || v[0] == '1';
    }
    if ((v = tl_query_get(&q->query, "niveau")) != NULL) {
        if ((err = tl_valid_int(q->r->pool, "niveau", v, 1, 6, &level)) != NULL) {
            return err;
        }
        q->heading_level = (int)level;
    }
    if (q->fragment) {
        q->embed = 0;           /* an include wants the content alone, never a document */
    }
    return NULL;
}

/* What a response depends on besides the data: the page asked for, how it
 * is framed, and the templates and layout (by content, so every node of a
 * cluster and every restart gives the same ETag for the same page). */
static const char *tl_variant(tl_req *q, apr_uint64_t *hash)
{
    request_rec *r = q->r;
    const tl_layout *site = tl_conf_layout(q->dc);
    /* The name the links are made with too: a page may hold absolute
     * URLs (its oEmbed link, its address in the embed view). */
    const char *v = apr_psprintf(r->pool, "%s:%u|%s:%u|%s|%d|%d|%d|%s?%s", r->server->server_hostname,
                                 (unsigned)r->server->port, ap_get_server_name_for_url(r),
                                 (unsigned)ap_get_server_port(r), q->base, q->fragment,
                                 q->fragment ? q->heading_level : 0, q->embed, q->path, r->args ? r->args : "");

    *hash = tl_hash64(tl_conf_fingerprint(q->dc), v, strlen(v)) ^ (site ? site->hash : 0);
    return v;
}

/* Whether path (below the base URL) is prefix or one of its pages. */
static int tl_path_under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The pages a hot standby cannot serve: the desk and the back office, whose
 * every page leads to a change. Elsewhere a form's change itself is refused
 * by the standby (SQLSTATE 25006), after its token is checked, and answers
 * the same read-only 503 (tl_db.c). */
static int tl_needs_primary(const char *path)
{
    return tl_path_under(path, "/guichet") || tl_path_under(path, "/gestion");
}

static int tl_handler(request_rec *r)
{
    tl_req *q;
    const tl_route *route;
    const char *err = NULL, *body, *variant;
    apr_size_t len;
    int status = OK, rc, other_method = 0;

    if (!r->handler || strcmp(r->handler, "tierslieux") != 0) {
        return DECLINED;
    }
    apr_allocator_max_free_set(apr_pool_allocator_get(r->pool), TL_KEEP_FREE);
    q = tl_req_make(r);
    tl_render_prepare(q);
    if (!q->templates) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, TLXLOGNO(0102) "templates not loaded");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (tl_query_parse(r->pool, r->args, r->args ? strlen(r->args) : 0, &q->query, &err) != 0
        || (err = tl_read_common(q)) != NULL) {
        return tl_render_error(q, HTTP_BAD_REQUEST, err);
    }
    if (!(q->path = tl_local_path(r, q->base))
        || !(route = tl_route_find(r->pool, r->method_number, q->path, &q->args, &other_method))) {
        if (q->path && other_method) {
            apr_table_setn(r->headers_out, "Allow", r->method_number == M_GET ? "POST" : "GET, HEAD");
            return tl_render_error(q, HTTP_METHOD_NOT_ALLOWED,
                                   r->method_number == M_GET
                                   ? "Cette adresse reçoit un formulaire : revenez à la page qui le montre."
                                   : "Ces pages se consultent seulement (méthode GET).");
        }
        return tl_render_error(q, HTTP_NOT_FOUND, NULL);
    }
    if (route->kind == TL_ROUTE_ASSET) {
        return route->fn(q);
    }
    q->embeddable = tl_route_embeddable(route);
    if (q->embed && !q->embeddable) {
        q->embed = 0;
        return tl_render_error(q, HTTP_NOT_FOUND, "Cette page ne s'affiche pas dans le cadre d'un autre site : "
                                                  "ouvrez-la sur ce site.");
    }
    /* While the primary is down and its standby not yet promoted, they
     * answer the French read-only 503 at once; public pages go on. */
    if (tl_needs_primary(q->path) && (rc = tl_db_standby(q, &status)) != 0) {
        return tl_render_error(q, rc > 0 ? HTTP_SERVICE_UNAVAILABLE : status, NULL);
    }
    if (route->kind == TL_ROUTE_PRIVATE) {
        /* mod_cache only protects responses to requests with an
         * Authorization header; cookie sessions have none. */
        apr_table_setn(r->headers_out, "Cache-Control", "private, no-store");
        return route->fn(q);
    }

    /* Public data: one tiny query (shared with the requests arriving at the
     * same moment, see tl_version.h) gives the data versions, and the page's
     * is the sum of those of the areas it shows (lending through the items
     * it shows, when the copy in the cache says which). The ETag and the
     * reuse of a rendered page hang on it, so a 304 or a reused page costs
     * no rendering and is never older than the last committed write to
     * what it shows. */
    if (!tl_version_get(q, &status)) {
        return tl_render_error(q, status, NULL);
    }
    q->shows = route->shows;
    variant = tl_variant(q, &q->etag_hash);
    /* Inside this process the template set and layout are known objects. */
    q->cache_key = apr_psprintf(r->pool, "%pp|%pp|%s", (void *)q->templates, (void *)tl_conf_layout(q->dc),
                                variant);
    tl_render_version(q);
    if (!r->main) {
        apr_table_setn(r->headers_out, "Cache-Control", "no-cache");
        if ((rc = ap_meets_conditions(r)) != OK) {
            return rc;
        }
    }
    if ((body = tl_render_cached(q, &len)) != NULL
        || (tl_render_claim(q) && (tl_render_version(q), body = tl_render_cached(q, &len)) != NULL)) {
        return tl_send_cached(q, body, len);
    }
    q->deps = NULL;             /* the page says again what it shows */
    return route->fn(q);
}

static void tl_register_hooks(apr_pool_t *p)
{
    static const char *const after_dbd[] = { "mod_dbd.c", NULL };

    ap_hook_pre_config(tl_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(tl_post_config, NULL, after_dbd, APR_HOOK_MIDDLE);
    ap_hook_child_init(tl_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(tl_handler, NULL, NULL, APR_HOOK_MIDDLE);
    tl_redact_register(p);
    tl_auth_register(p);
    tl_session_register();
}

AP_DECLARE_MODULE(tierslieux) = {
    STANDARD20_MODULE_STUFF,
    tl_create_dir_conf,
    tl_merge_dir_conf,
    tl_create_srv_conf,
    tl_merge_srv_conf,
    tl_directives,
    tl_register_hooks,
    AP_MODULE_FLAG_NONE
};
