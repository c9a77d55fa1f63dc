/* Directives, merging, and what the configuration names that must be read
 * at startup: template directories (compiled once) and site layouts (split
 * once at their marker). */
#include <stdlib.h>
#include <strings.h>
#include <apr_strings.h>
#include <apr_lib.h>
#include <apr_general.h>
#include <apr_file_io.h>
#include <apr_file_info.h>
#include <http_core.h>
#include <util_cfgtree.h>
#include "tl_config.h"
#include "tl_library.h"
#include "tl_marker.h"
#include "tl_csrf.h"
#include "tl_seal.h"
#include "tl_session.h"

#define TL_LAYOUT_MARKER "data-tierslieux-contenu"

struct tl_tpl_ref {
    const char *dir;                /* a site's override directory, or NULL */
    const tl_tpl_set *set;          /* compiled by tl_config_load */
    uint64_t fingerprint;
};

/* What the directives named, read by tl_config_load. Lives in pconf and is
 * made anew on each pass over the configuration. */
static apr_array_header_t *tl_pending_refs;     /* of tl_tpl_ref * */
static apr_array_header_t *tl_pending_layouts;  /* of tl_layout * */
static tl_tpl_ref tl_default_ref;
static apr_array_header_t *tl_mounts;           /* of const char *, longest first */
static unsigned char *tl_secret;
static unsigned char tl_session_key[TL_SEAL_KEY_LEN];
static apr_size_t tl_secret_len;
static const char *tl_static_dir;

static apr_status_t tl_forget_pending(void *unused)
{
    tl_pending_refs = NULL;
    tl_pending_layouts = NULL;
    tl_default_ref.set = NULL;
    tl_mounts = NULL;
    return APR_SUCCESS;
}

void tl_config_reset(apr_pool_t *pconf)
{
    tl_pending_refs = apr_array_make(pconf, 4, sizeof(tl_tpl_ref *));
    tl_pending_layouts = apr_array_make(pconf, 4, sizeof(tl_layout *));
    apr_pool_cleanup_register(pconf, NULL, tl_forget_pending, apr_pool_cleanup_null);
}

/* ---- per-directory configuration -------------------------------------- */

void *tl_create_dir_conf(apr_pool_t *p, char *dir)
{
    tl_dir_conf *c = apr_palloc(p, sizeof(*c));
#define TL_UNSET(type, name, unset, dflt) c->name = unset;
    TL_DIR_FIELDS(TL_UNSET)
#undef TL_UNSET
    return c;
}

void *tl_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const tl_dir_conf *base = basev, *add = addv;
    tl_dir_conf *c = apr_palloc(p, sizeof(*c));
#define TL_MERGE(type, name, unset, dflt) c->name = (add->name != unset) ? add->name : base->name;
    TL_DIR_FIELDS(TL_MERGE)
#undef TL_MERGE
    return c;
}

#define TL_GETTER(type, name, unset, dflt) \
    type tl_conf_##name(const tl_dir_conf *c) { return c->name != unset ? c->name : dflt; }
TL_DIR_FIELDS(TL_GETTER)
#undef TL_GETTER

/* ---- per-server configuration ------------------------------------------ */

void *tl_create_srv_conf(apr_pool_t *p, server_rec *s)
{
    tl_srv_conf *c = apr_pcalloc(p, sizeof(*c));
    c->cache_size = 4 * 1024 * 1024;
    return c;
}

void *tl_merge_srv_conf(apr_pool_t *p, void *basev, void *addv)
{
    const tl_srv_conf *base = basev, *add = addv;
    tl_srv_conf *c = apr_palloc(p, sizeof(*c));
    c->templates_root = add->templates_root ? add->templates_root : base->templates_root;
    c->cache_size_set = add->cache_size_set || base->cache_size_set;
    c->secret_file = add->secret_file ? add->secret_file : base->secret_file;
    c->image_helper = add->image_helper ? add->image_helper : base->image_helper;
    c->cache_size = add->cache_size_set ? add->cache_size : base->cache_size;
    return c;
}

/* ---- directives ---------------------------------------------------------- */

static const char *tl_check_dir(cmd_parms *cmd, const char *path, const char **out)
{
    apr_finfo_t fi;
    const char *full = ap_server_root_relative(cmd->pool, path);

    if (!full) {
        return apr_psprintf(cmd->pool, "%s: invalid path \"%s\"", cmd->directive->directive, path);
    }
    if (apr_stat(&fi, full, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS || fi.filetype != APR_DIR) {
        return apr_psprintf(cmd->pool, "%s: directory \"%s\" does not exist", cmd->directive->directive, full);
    }
    *out = full;
    return NULL;
}

static const char *tl_set_templates_root(cmd_parms *cmd, void *dconf, const char *arg)
{
    tl_srv_conf *sc = ap_get_module_config(cmd->server->module_config, &tierslieux_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    return err ? err : tl_check_dir(cmd, arg, &sc->templates_root);
}

static const char *tl_set_template_dir(cmd_parms *cmd, void *dconf, const char *arg)
{
    tl_dir_conf *c = dconf;
    tl_tpl_ref *ref = apr_pcalloc(cmd->pool, sizeof(*ref));
    const char *err = tl_check_dir(cmd, arg, &ref->dir);

    if (err) {
        return err;
    }
    *(tl_tpl_ref **)apr_array_push(tl_pending_refs) = ref;
    c->templates = ref;
    return NULL;
}

static const char *tl_set_layout(cmd_parms *cmd, void *dconf, const char *arg)
{
    tl_dir_conf *c = dconf;
    tl_layout *l = apr_pcalloc(cmd->pool, sizeof(*l));
    apr_finfo_t fi;

    l->file = ap_server_root_relative(cmd->pool, arg);
    if (!l->file || apr_stat(&fi, l->file, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS
        || fi.filetype != APR_REG) {
        return apr_psprintf(cmd->pool, "TiersLieuxLayout: file \"%s\" does not exist", arg);
    }
    *(tl_layout **)apr_array_push(tl_pending_layouts) = l;
    c->layout = l;
    return NULL;
}

static const char *tl_set_int(cmd_parms *cmd, const char *arg, int min, int max, int *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || v < min || v > max) {
        return apr_psprintf(cmd->pool, "%s: expects a number from %d to %d, not \"%s\"",
                            cmd->directive->directive, min, max, arg);
    }
    *out = (int)v;
    return NULL;
}

static const char *tl_set_fragment_heading(cmd_parms *cmd, void *dconf, const char *arg)
{
    return tl_set_int(cmd, arg, 1, 6, &((tl_dir_conf *)dconf)->fragment_heading);
}

static const char *tl_set_page_size(cmd_parms *cmd, void *dconf, const char *arg)
{
    return tl_set_int(cmd, arg, 5, 200, &((tl_dir_conf *)dconf)->page_size);
}

static const char *tl_set_base_url(cmd_parms *cmd, void *dconf, const char *arg)
{
    tl_dir_conf *c = dconf;
    apr_size_t n = strlen(arg);
    if (arg[0] != '/') {
        return "TiersLieuxBaseURL: expects a path starting with \"/\"";
    }
    while (n > 0 && arg[n - 1] == '/') {
        n--;
    }
    c->base_url = apr_pstrmemdup(cmd->pool, arg, n);
    return NULL;
}

static const char *tl_set_site_name(cmd_parms *cmd, void *dconf, const char *arg)
{
    ((tl_dir_conf *)dconf)->site_name = arg;
    return NULL;
}

static const char *tl_set_session_seal(cmd_parms *cmd, void *dconf, int on)
{
    if (on && !tl_session_available()) {
        return "TiersLieuxSessionSeal: load mod_session (LoadModule session_module) before mod_tierslieux";
    }
    ((tl_dir_conf *)dconf)->session_seal = on;
    return NULL;
}

/* How REMOTE_USER names a member on "Mon compte": their member number
 * (the module's own login, the default) or the site's own login, mapped
 * to a member at the desk. Never both: someone known to the site whose
 * login looked like a member number must not become that member. */
static const char *tl_set_member_login(cmd_parms *cmd, void *dconf, const char *arg)
{
    if (strcmp(arg, "number") != 0 && strcmp(arg, "site") != 0) {
        return "TiersLieuxMemberLogin: expects number (the module's own login) or site (the site's login)";
    }
    ((tl_dir_conf *)dconf)->member_site_login = arg[0] == 's';
    return NULL;
}

/* One source of TiersLieuxFrameAncestors: 'self', or an origin
 * (http or https, a host name, a "*." for its subdomains, a port) as
 * CSP writes it. Anything else would reach the header as it is, where a
 * browser drops a source it cannot read, or lets a quote or a ";" end the
 * directive and start another. */
static int tl_frame_source_ok(const char *s)
{
    const char *h;
    int labels = 0;

    if (strcmp(s, "'self'") == 0) {
        return 1;
    }
    if (strncmp(s, "https://", 8) == 0) {
        h = s + 8;
    }
    else if (strncmp(s, "http://", 7) == 0) {
        h = s + 7;
    }
    else {
        return 0;
    }
    if (strncmp(h, "*.", 2) == 0) {
        h += 2;
    }
    while (*h && *h != ':') {
        const char *start = h;
        while (apr_isalnum(*h) || *h == '-') {
            h++;
        }
        if (h == start || start[0] == '-' || h[-1] == '-') {
            return 0;
        }
        labels++;
        if (*h == '.') {
            h++;
            if (!*h || *h == ':') {
                return 0;
            }
        }
        else if (*h && *h != ':') {
            return 0;
        }
    }
    if (!labels) {
        return 0;
    }
    if (*h == ':') {
        char *end;
        long port = strtol(h + 1, &end, 10);
        if (end == h + 1 || *end || port < 1 || port > 65535) {
            return 0;
        }
    }
    return 1;
}

/* The sites that may show the pages' embed view in a frame, sent as the
 * embed view's frame-ancestors. 'none' alone forbids every frame. */
static const char *tl_set_frame_ancestors(cmd_parms *cmd, void *dconf, const char *args)
{
    const char *list = "", *w;

    /* httpd's words take their quotes off: self and 'self' say the same. */
    while (*(w = ap_getword_conf(cmd->temp_pool, &args)) != '\0') {
        if (strcmp(w, "self") == 0) {
            w = "'self'";
        }
        if (strcmp(w, "none") == 0 && !*list && !*args) {
            list = "'none'";
            break;
        }
        if (!tl_frame_source_ok(w)) {
            return apr_psprintf(cmd->pool,
                                "TiersLieuxFrameAncestors: \"%s\" is not a site; write 'self', 'none' alone, or "
                                "origins such as https://www.ville.example or https://*.ville.example:8443", w);
        }
        list = *list ? apr_pstrcat(cmd->pool, list, " ", w, NULL) : apr_pstrdup(cmd->pool, w);
    }
    if (!*list) {
        return "TiersLieuxFrameAncestors: name at least one site, or 'self', or 'none'";
    }
    ((tl_dir_conf *)dconf)->frame_ancestors = list;
    return NULL;
}

/* A deadline kept by the module on every database call: a server-side
 * timeout (statement_timeout) never fires when PostgreSQL itself is
 * stalled. Long enough for the slowest page (a yearly report, an import of
 * thousands of rows: give its <Location> more), short enough that a
 * stalled database costs each request a few seconds, not a worker for
 * good. */
static const char *tl_set_db_timeout(cmd_parms *cmd, void *dconf, const char *arg)
{
    apr_interval_time_t t;

    if (ap_timeout_parameter_parse(arg, &t, "s") != APR_SUCCESS || t < apr_time_from_msec(100)
        || t > apr_time_from_sec(3600)) {
        return "TiersLieuxDatabaseTimeout: expects a time between 100ms and 3600 (seconds; or with ms, s, mi)";
    }
    ((tl_dir_conf *)dconf)->db_timeout = t;
    return NULL;
}

/* Members log in to "Mon compte" with their library card, checked by the
 * place's library system (tl_library.h). Not in .htaccess: the
 * credentials file is read at startup, as root. */
static const char *tl_set_library(cmd_parms *cmd, void *dconf, const char *driver, const char *where)
{
    return tl_library_parse_target(cmd->pool, driver, where, &((tl_dir_conf *)dconf)->library);
}

static const char *tl_set_library_credentials(cmd_parms *cmd, void *dconf, const char *arg)
{
    const char *path = ap_server_root_relative(cmd->temp_pool, arg);

    if (!path) {
        return "TiersLieuxLibraryAuthCredentials: invalid path";
    }
    return tl_library_read_credentials(cmd->pool, cmd->temp_pool, path,
                                       &((tl_dir_conf *)dconf)->library_credentials);
}

static const char *tl_set_library_ca(cmd_parms *cmd, void *dconf, const char *arg)
{
    const char *path = ap_server_root_relative(cmd->pool, arg);
    apr_finfo_t fi;

    if (!path || apr_stat(&fi, path, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS || fi.filetype != APR_REG) {
        return apr_psprintf(cmd->pool, "TiersLieuxLibraryAuthCA: \"%s\" is not a file", arg);
    }
    ((tl_dir_conf *)dconf)->library_ca = path;
    return NULL;
}

static const char *tl_set_library_place(cmd_parms *cmd, void *dconf, const char *arg)
{
    if (!*arg || strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(arg) || strlen(arg) > 64) {
        return "TiersLieuxLibraryAuthPlace: expects the slug of a place (its address in the pages, e.g. mediatheque)";
    }
    ((tl_dir_conf *)dconf)->library_place = arg;
    return NULL;
}

/* How long a login may wait for the library system (connection and
 * answers together), and how long the system is then left alone after it
 * failed (no login asks it in the meantime). */
static const char *tl_set_library_timeout(cmd_parms *cmd, void *dconf, const char *arg, const char *pause)
{
    tl_dir_conf *c = dconf;
    apr_interval_time_t t, w = TL_LIBRARY_PAUSE_DEFAULT;

    if (ap_timeout_parameter_parse(arg, &t, "s") != APR_SUCCESS || t < apr_time_from_msec(100)
        || t > apr_time_from_sec(30)) {
        return "TiersLieuxLibraryAuthTimeout: expects a time between 100ms and 30 (seconds), then optionally the "
               "pause after a failure";
    }
    if (pause && (ap_timeout_parameter_parse(pause, &w, "s") != APR_SUCCESS || w < 0
                  || w > apr_time_from_sec(3600))) {
        return "TiersLieuxLibraryAuthTimeout: the pause after a failure is between 0 and 3600 (seconds)";
    }
    c->library_timeout = t;
    c->library_pause = w;
    return NULL;
}

static const char *tl_set_cache_size(cmd_parms *cmd, void *dconf, const char *arg)
{
    tl_srv_conf *sc = ap_get_module_config(cmd->server->module_config, &tierslieux_module);
    char *end;
    apr_int64_t v = apr_strtoi64(arg, &end, 10);

    if (end == arg || v < 0) {
        return "TiersLieuxCacheSize: expects a size such as 4M, or 0";
    }
    switch (*end) {
    case 'k': case 'K': v *= 1024; end++; break;
    case 'm': case 'M': v *= 1024 * 1024; end++; break;
    default: break;
    }
    if (*end != '\0' || v > (apr_int64_t)1024 * 1024 * 1024) {
        return "TiersLieuxCacheSize: expects a size such as 4M, or 0 (1G at most)";
    }
    sc->cache_size = (apr_size_t)v;
    sc->cache_size_set = 1;
    return NULL;
}

static const char *tl_set_secret_file(cmd_parms *cmd, void *dconf, const char *arg)
{
    tl_srv_conf *sc = ap_get_module_config(cmd->server->module_config, &tierslieux_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    if (err) {
        return err;
    }
    sc->secret_file = ap_server_root_relative(cmd->pool, arg);
    return sc->secret_file ? NULL : "TiersLieuxSecretFile: invalid path";
}

static const char *tl_set_image_helper(cmd_parms *cmd, void *dconf, const char *arg)
{
    tl_srv_conf *sc = ap_get_module_config(cmd->server->module_config, &tierslieux_module);
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    apr_finfo_t fi;

    if (err) {
        return err;
    }
    if (!(sc->image_helper = ap_server_root_relative(cmd->pool, arg))) {
        return "TiersLieuxImageHelper: invalid path";
    }
    if (apr_stat(&fi, sc->image_helper, APR_FINFO_TYPE | APR_FINFO_PROT, cmd->temp_pool) != APR_SUCCESS
        || fi.filetype != APR_REG || !(fi.protection & APR_FPROT_WEXECUTE)) {
        return apr_psprintf(cmd->pool, "TiersLieuxImageHelper: \"%s\" is not an executable file", sc->image_helper);
    }
    return NULL;
}

const char *tl_conf_image_helper(const server_rec *s)
{
    const tl_srv_conf *sc = ap_get_module_config(s->module_config, &tierslieux_module);
#ifndef TL_DEFAULT_IMAGE_HELPER
#define TL_DEFAULT_IMAGE_HELPER "/usr/libexec/mod_tierslieux/tierslieux-images"
#endif
    return sc->image_helper ? sc->image_helper : TL_DEFAULT_IMAGE_HELPER;
}

const command_rec tl_directives[] = {
    AP_INIT_TAKE1("TiersLieuxSecretFile", tl_set_secret_file, NULL, RSRC_CONF,
                  "A file of at least 32 random bytes that signs form tokens (the same on every node)"),
    AP_INIT_TAKE1("TiersLieuxTemplates", tl_set_templates_root, NULL, RSRC_CONF,
                  "The module's own template directory (holds fr/ and static/)"),
    AP_INIT_TAKE1("TiersLieuxTemplateDir", tl_set_template_dir, NULL, OR_ALL,
                  "A directory of templates that replace the module's own by name"),
    AP_INIT_TAKE1("TiersLieuxLayout", tl_set_layout, NULL, OR_ALL,
                  "The site's own page, with one element marked data-tierslieux-contenu"),
    AP_INIT_TAKE1("TiersLieuxFragmentHeading", tl_set_fragment_heading, NULL, OR_ALL,
                  "Heading level (1-6) of a fragment's title"),
    AP_INIT_TAKE1("TiersLieuxPageSize", tl_set_page_size, NULL, OR_ALL,
                  "Results per page in lists (5-200)"),
    AP_INIT_TAKE1("TiersLieuxBaseURL", tl_set_base_url, NULL, OR_ALL,
                  "The URL path the module is mounted at (default: the <Location>)"),
    AP_INIT_TAKE1("TiersLieuxSiteName", tl_set_site_name, NULL, OR_ALL,
                  "The installation's name, shown in page titles"),
    AP_INIT_FLAG("TiersLieuxSessionSeal", tl_set_session_seal, NULL, OR_ALL,
                 "Seal mod_session's cookie with the module's key (instead of mod_session_crypto)"),
    AP_INIT_TAKE1("TiersLieuxMemberLogin", tl_set_member_login, NULL, OR_ALL,
                  "How REMOTE_USER names a member on Mon compte: number (default) or site"),
    AP_INIT_RAW_ARGS("TiersLieuxFrameAncestors", tl_set_frame_ancestors, NULL, OR_ALL,
                     "The sites that may frame the pages' embed view (?vue=integree): 'self' (default), "
                     "'none', or origins such as https://www.ville.example"),
    AP_INIT_TAKE1("TiersLieuxDatabaseTimeout", tl_set_db_timeout, NULL, RSRC_CONF | ACCESS_CONF,
                  "How long one database call may take before the page answers 503 (default 3s)"),
    AP_INIT_TAKE2("TiersLieuxLibraryAuth", tl_set_library, NULL, RSRC_CONF | ACCESS_CONF,
                  "Members log in with their library card: koha https://host/api/v1, or sip2 host:port (TLS)"),
    AP_INIT_TAKE1("TiersLieuxLibraryAuthCredentials", tl_set_library_credentials, NULL, RSRC_CONF | ACCESS_CONF,
                  "A file with our account on the library system (user = ..., password = ...), read at startup"),
    AP_INIT_TAKE1("TiersLieuxLibraryAuthCA", tl_set_library_ca, NULL, RSRC_CONF | ACCESS_CONF,
                  "The certificate authorities that sign the library system's certificate (default: the system's)"),
    AP_INIT_TAKE1("TiersLieuxLibraryAuthPlace", tl_set_library_place, NULL, RSRC_CONF | ACCESS_CONF,
                  "The place (slug) whose members the library's cards are"),
    AP_INIT_TAKE12("TiersLieuxLibraryAuthTimeout", tl_set_library_timeout, NULL, RSRC_CONF | ACCESS_CONF,
                   "How long a login waits for the library system (default 3s), and the pause after a failure "
                   "(default 30s)"),
    AP_INIT_TAKE1("TiersLieuxImageHelper", tl_set_image_helper, NULL, RSRC_CONF,
                  "The program that decodes uploaded photos apart from httpd (default: the package's)"),
    AP_INIT_TAKE1("TiersLieuxCacheSize", tl_set_cache_size, NULL, RSRC_CONF,
                  "Memory per process for reusing rendered pages (e.g. 4M; 0 turns it off)"),
    { NULL }
};

/* ---- startup: compile and read what the directives named ---------------- */

static const char *tl_load_set(apr_pool_t *p, const char *root, tl_tpl_ref *ref)
{
    const char *err = NULL;
    tl_tpl_set *set = tl_tpl_set_make(p);

    if (tl_tpl_set_add_dir(set, apr_pstrcat(p, root, "/fr", NULL), &err) != APR_SUCCESS
        || (ref->dir && tl_tpl_set_add_dir(set, ref->dir, &err) != APR_SUCCESS)
        || tl_tpl_set_link(set, &err) != APR_SUCCESS) {
        return err;
    }
    if (!tl_tpl_get(set, "layout") || !tl_tpl_get(set, "erreur")) {
        return apr_psprintf(p, "%s/fr: the templates \"layout\" and \"erreur\" are missing", root);
    }
    ref->set = set;
    ref->fingerprint = tl_tpl_set_fingerprint(set);
    return NULL;
}

static const char *tl_load_layout(apr_pool_t *p, tl_layout *l)
{
    char *html = NULL;
    apr_size_t len = 0;
    tl_marker m;

    if (tl_read_file(p, l->file, &html, &len) != APR_SUCCESS) {
        return apr_psprintf(p, "TiersLieuxLayout: cannot read \"%s\"", l->file);
    }
    if (tl_marker_find(html, len, 0, TL_LAYOUT_MARKER, &m) != 0) {
        return apr_psprintf(p, "TiersLieuxLayout: \"%s\" has no element marked %s "
                            "(for example <main " TL_LAYOUT_MARKER "></main>)", l->file, TL_LAYOUT_MARKER);
    }
    l->head = html;
    l->head_len = m.open_end;
    l->tail = html + m.close_start;
    l->tail_len = len - m.close_start;
    l->hash = tl_hash64(TL_HASH64_INIT, html, len);
    return NULL;
}

/* "<Location "/x">" keeps its arguments as '"/x">': the path alone. */
static const char *tl_section_path(apr_pool_t *p, const char *args)
{
    apr_size_t n = strlen(args);

    while (n > 0 && (args[n - 1] == '>' || args[n - 1] == ' ')) {
        n--;
    }
    if (n >= 2 && (args[0] == '"' || args[0] == '\'') && args[n - 1] == args[0]) {
        args++;
        n -= 2;
    }
    while (n > 1 && args[n - 1] == '/') {
        n--;
    }
    return apr_pstrmemdup(p, args, n);
}

/* Every <Location> that says "SetHandler tierslieux" is a mount point:
 * links are made below it, even from a nested <Location> (the desk's, with
 * its authentication) whose own path is longer. */
static void tl_find_mounts(apr_pool_t *p, const ap_directive_t *d)
{
    for (; d; d = d->next) {
        if (strcasecmp(d->directive, "<Location") == 0) {
            const ap_directive_t *c;
            for (c = d->first_child; c; c = c->next) {
                if (strcasecmp(c->directive, "SetHandler") == 0
                    && (strcmp(c->args, "tierslieux") == 0 || strcmp(c->args, "\"tierslieux\"") == 0)) {
                    const char *path = tl_section_path(p, d->args);
                    *(const char **)apr_array_push(tl_mounts) = strcmp(path, "/") == 0 ? "" : path;
                }
            }
        }
        tl_find_mounts(p, d->first_child);
    }
}

static int tl_longest_first(const void *a, const void *b)
{
    return (int)strlen(*(const char *const *)b) - (int)strlen(*(const char *const *)a);
}

const char *tl_conf_mount(const char *uri)
{
    int i;

    for (i = 0; tl_mounts && i < tl_mounts->nelts; i++) {
        const char *m = ((const char **)tl_mounts->elts)[i];
        apr_size_t n = strlen(m);
        if (strncmp(uri, m, n) == 0 && (uri[n] == '\0' || uri[n] == '/')) {
            return m;
        }
    }
    return NULL;
}

/* Form tokens are signed with the file's bytes; without one, with bytes
 * drawn at startup (tokens then die with a restart and differ between the
 * nodes of a cluster). */
static const char *tl_load_secret(apr_pool_t *pconf, const tl_srv_conf *sc)
{
    char *data;
    apr_size_t len;

    if (!sc->secret_file) {
        tl_secret_len = 32;
        tl_secret = apr_palloc(pconf, tl_secret_len);
        return apr_generate_random_bytes(tl_secret, tl_secret_len) == APR_SUCCESS
               ? NULL : "cannot draw random bytes for the form token secret";
    }
    if (tl_read_file(pconf, sc->secret_file, &data, &len) != APR_SUCCESS) {
        return apr_psprintf(pconf, "TiersLieuxSecretFile: cannot read \"%s\"", sc->secret_file);
    }
    if (len < TL_CSRF_SECRET_MIN) {
        return apr_psprintf(pconf, "TiersLieuxSecretFile: \"%s\" holds %lu bytes, %d at least are needed",
                            sc->secret_file, (unsigned long)len, TL_CSRF_SECRET_MIN);
    }
    tl_secret = (unsigned char *)data;
    tl_secret_len = len;
    return NULL;
}

const unsigned char *tl_conf_session_key(void)
{
    return tl_session_key;
}

const unsigned char *tl_conf_secret(apr_size_t *len)
{
    *len = tl_secret_len;
    return tl_secret;
}

const char *tl_config_load(apr_pool_t *pconf, server_rec *s)
{
    tl_srv_conf *sc = ap_get_module_config(s->module_config, &tierslieux_module);
    const char *root = sc->templates_root ? sc->templates_root : TL_DEFAULT_TEMPLATES;
    const char *err;
    int i;

    tl_static_dir = apr_pstrcat(pconf, root, "/static", NULL);
    if ((err = tl_load_secret(pconf, sc)) != NULL) {
        return err;
    }
    if (!tl_seal_key(tl_secret, tl_secret_len, "tierslieux session cookie", tl_session_key)) {
        return "cannot derive the session key";
    }
    tl_mounts = apr_array_make(pconf, 4, sizeof(const char *));
    tl_find_mounts(pconf, ap_conftree);
    qsort(tl_mounts->elts, (size_t)tl_mounts->nelts, sizeof(const char *), tl_longest_first);
    tl_default_ref.dir = NULL;
    if ((err = tl_load_set(pconf, root, &tl_default_ref)) != NULL) {
        return err;
    }
    for (i = 0; tl_pending_refs && i < tl_pending_refs->nelts; i++) {
        if ((err = tl_load_set(pconf, root, ((tl_tpl_ref **)tl_pending_refs->elts)[i])) != NULL) {
            return err;
        }
    }
    for (i = 0; tl_pending_layouts && i < tl_pending_layouts->nelts; i++) {
        if ((err = tl_load_layout(pconf, ((tl_layout **)tl_pending_layouts->elts)[i])) != NULL) {
            return err;
        }
    }
    return NULL;
}

const tl_tpl_set *tl_conf_template_set(const tl_dir_conf *c)
{
    const tl_tpl_ref *ref = tl_conf_templates(c);
    return ref ? ref->set : tl_default_ref.set;
}

uint64_t tl_conf_fingerprint(const tl_dir_conf *c)
{
    const tl_tpl_ref *ref = tl_conf_templates(c);
    return ref ? ref->fingerprint : tl_default_ref.fingerprint;
}

const char *tl_conf_static_dir(void)
{
    return tl_static_dir;
}
