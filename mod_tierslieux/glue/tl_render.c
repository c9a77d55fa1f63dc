#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include "tl_render.h"
#include "tl_db.h"
#include "tl_config.h"
#include "tl_assets.h"
#include "tl_cache.h"
#include "tl_version.h"

static tl_cache *tl_page_cache;

/* Pages being rendered in this process, so that the requests for the same
 * page at the same version wait for it instead of rendering it again each:
 * after a write, the first request for a page renders it and the others
 * arriving meanwhile get it from the cache (without this, every request in
 * flight when a page's version changed rendered it). Direct-mapped as the
 * cache: a page whose slot is taken by another is rendered without
 * waiting. One lock and one condition for all, woken at each release. */
#define TL_FLIGHT_SLOTS 256
typedef struct {
    int busy;
    apr_uint64_t key;               /* tl_hash64 of the cache key */
    apr_uint64_t version;           /* and of the version */
} tl_flight;

static tl_flight tl_flights[TL_FLIGHT_SLOTS];
static apr_thread_mutex_t *tl_flight_lock;
static apr_thread_cond_t *tl_flight_done;

void tl_render_child_init(apr_pool_t *pchild, server_rec *s)
{
    tl_srv_conf *sc = ap_get_module_config(s->module_config, &tierslieux_module);
    tl_page_cache = tl_cache_create(pchild, sc->cache_size);
    if (sc->cache_size == 0
        || apr_thread_mutex_create(&tl_flight_lock, APR_THREAD_MUTEX_DEFAULT, pchild) != APR_SUCCESS
        || apr_thread_cond_create(&tl_flight_done, pchild) != APR_SUCCESS) {
        tl_flight_lock = NULL;              /* nothing kept: nothing to wait for */
    }
}

/* Ends q's claim, if it holds one: the page is in the cache, or will not
 * be (an error, a file that is not kept), and those waiting look again. */
static apr_status_t tl_render_release(void *data)
{
    tl_req *q = data;
    tl_flight *f = q->flight;

    if (f) {
        apr_thread_mutex_lock(tl_flight_lock);
        f->busy = 0;
        q->flight = NULL;
        apr_thread_cond_broadcast(tl_flight_done);
        apr_thread_mutex_unlock(tl_flight_lock);
    }
    return APR_SUCCESS;
}

int tl_render_claim(tl_req *q)
{
    apr_uint64_t key, version;
    apr_time_t deadline;
    tl_flight *f;
    int waited = 0;

    if (!tl_flight_lock || !q->cache_key || !q->version) {
        return 0;
    }
    key = tl_hash64(TL_HASH64_INIT, q->cache_key, strlen(q->cache_key));
    version = tl_hash64(TL_HASH64_INIT, q->version, strlen(q->version));
    f = &tl_flights[key % TL_FLIGHT_SLOTS];
    /* At most a database call's time: the one rendering answers by then. */
    deadline = apr_time_now() + tl_db_timeout(q->r);
    apr_thread_mutex_lock(tl_flight_lock);
    while (f->busy && f->key == key && f->version == version && apr_time_now() < deadline) {
        waited = 1;
        apr_thread_cond_timedwait(tl_flight_done, tl_flight_lock, deadline - apr_time_now());
    }
    if (!waited && !f->busy) {
        f->busy = 1;
        f->key = key;
        f->version = version;
        q->flight = f;
        apr_pool_cleanup_register(q->r->pool, q, tl_render_release, apr_pool_cleanup_null);
    }
    apr_thread_mutex_unlock(tl_flight_lock);
    return waited;
}

/* q->version from q->deps, and the ETag that names it. */
static void tl_render_etag(tl_req *q)
{
    q->version = tl_version_page(q);
    if (!q->r->main) {
        apr_table_setn(q->r->headers_out, "ETag", apr_psprintf(q->r->pool, "\"%s-%016" APR_UINT64_T_HEX_FMT "\"",
                                                               q->version, q->etag_hash));
    }
}

void tl_render_version(tl_req *q)
{
    q->deps = q->cache_key ? tl_cache_deps(tl_page_cache, q->cache_key, q->r->pool) : NULL;
    if (!q->deps && !q->r->main) {
        /* Not rendered here yet: the list the browser's copy was sent with. */
        q->deps = tl_version_deps_of(q->r->pool, apr_table_get(q->r->headers_in, "If-None-Match"));
    }
    tl_render_etag(q);
}

const char *tl_render_cached(tl_req *q, apr_size_t *len)
{
    if (!q->cache_key || !q->version) {
        return NULL;
    }
    return tl_cache_take(tl_page_cache, q->cache_key, q->version, len);
}

void tl_render_prepare(tl_req *q)
{
    tl_view_set(q->view, "base", q->base);
    tl_view_set(q->view, "site_name", tl_conf_site_name(q->dc));
    tl_view_set(q->view, "css_url", apr_pstrcat(q->r->pool, q->base, tl_assets_url("tierslieux.css"), NULL));
}

/* Whether the document sent is wholly ours: our layout or the embed
 * view, not a fragment and not the site's own page around ours. */
static int tl_own_document(const tl_req *q)
{
    return q->embed || (!q->fragment && !tl_conf_layout(q->dc));
}

static void tl_security_headers(tl_req *q, int own_layout)
{
    apr_table_t *h = q->r->headers_out;

    if (q->embed) {
        /* The embed view: our one script (it tells the host page its
         * height) and the sites the installation lets frame it. */
        apr_table_setn(h, "Content-Security-Policy",
                       apr_pstrcat(q->r->pool, "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                   "script-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors ",
                                   tl_conf_frame_ancestors(q->dc), NULL));
        own_layout = 0;
    }

    apr_table_setn(h, "X-Content-Type-Options", "nosniff");
    if (!apr_table_get(h, "Referrer-Policy")) {     /* a page holding a secret sets no-referrer */
        apr_table_setn(h, "Referrer-Policy", "strict-origin-when-cross-origin");
    }
    /* Only our own layout is ours to lock down: a site's layout carries
     * the site's scripts and styles. */
    if (own_layout) {
        apr_table_setn(h, "Content-Security-Policy",
                       "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                       "form-action 'self'; base-uri 'none'; frame-ancestors 'self'");
    }
}

/* Sends body, from the request's pool or, with a free function, a kept
 * page's own (freed through it once sent). */
static int tl_send(tl_req *q, const char *type, const char *body, apr_size_t len, void (*free_body)(void *))
{
    request_rec *r = q->r;
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;
    apr_bucket_brigade *bb;

    tl_render_release(q);                   /* what others waited for is kept by now, or never will be */
    ap_set_content_type(r, type);
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    ap_set_content_length(r, len);
    if (r->header_only) {
        if (free_body) {
            free_body((void *)body);
        }
        return OK;
    }
    bb = apr_brigade_create(r->pool, ba);
    APR_BRIGADE_INSERT_TAIL(bb, free_body ? apr_bucket_heap_create(body, len, free_body, ba)
                                          : apr_bucket_pool_create(body, len, r->pool, ba));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(ba));
    return ap_pass_brigade(r->output_filters, bb) == APR_SUCCESS ? OK : AP_FILTER_ERROR;
}

int tl_send_body(tl_req *q, const char *type, const char *body, apr_size_t len)
{
    return tl_send(q, type, body, len, NULL);
}

int tl_send_cached(tl_req *q, const char *body, apr_size_t len)
{
    tl_security_headers(q, tl_own_document(q));
    return tl_send(q, "text/html; charset=utf-8", body, len, tl_cache_release);
}

int tl_send_download(tl_req *q, const char *type, const char *filename, const char *body, apr_size_t len)
{
    apr_table_setn(q->r->headers_out, "Content-Disposition",
                   apr_psprintf(q->r->pool, "attachment; filename=\"%s\"", filename));
    return tl_send_body(q, type, body, len);
}

void tl_stream_open(tl_stream *s, tl_req *q, const char *type, const char *filename)
{
    request_rec *r = q->r;

    tl_render_release(q);                   /* a file is never kept: nobody waits for it */
    memset(s, 0, sizeof(*s));
    s->q = q;
    tl_buf_init(&s->buf, r->pool, TL_STREAM_CHUNK + 4096);
    s->bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    ap_set_content_type(r, type);
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    apr_table_setn(r->headers_out, "Content-Disposition",
                   apr_psprintf(r->pool, "attachment; filename=\"%s\"", filename));
}

/* Passes what buf holds (and, with eos, the end) down the filters, then
 * empties buf for the next chunk: its memory is reused, never grown. */
static int tl_stream_send(tl_stream *s, int eos)
{
    request_rec *r = s->q->r;
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;

    if (s->gone) {
        return 1;
    }
    if (s->buf.len) {
        APR_BRIGADE_INSERT_TAIL(s->bb, apr_bucket_transient_create(s->buf.data, s->buf.len, ba));
    }
    APR_BRIGADE_INSERT_TAIL(s->bb, eos ? apr_bucket_eos_create(ba) : apr_bucket_flush_create(ba));
    s->sent = 1;
    if (ap_pass_brigade(r->output_filters, s->bb) != APR_SUCCESS || r->connection->aborted) {
        s->gone = 1;
    }
    apr_brigade_cleanup(s->bb);
    s->buf.len = 0;
    return s->gone;
}

int tl_stream_flush(tl_stream *s)
{
    return s->buf.len >= TL_STREAM_CHUNK ? tl_stream_send(s, 0) : s->gone;
}

int tl_stream_close(tl_stream *s, int status)
{
    request_rec *r = s->q->r;
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;

    if (status == OK) {
        if (!r->header_only) {
            if (!s->sent) {
                ap_set_content_length(r, s->buf.len);   /* it all fitted in one chunk */
            }
            tl_stream_send(s, 1);
        }
        return OK;
    }
    if (!s->sent) {
        apr_table_unset(r->headers_out, "Content-Disposition");
        return tl_render_error(s->q, status, NULL);
    }
    /* A 502 error bucket is how httpd cuts an answer short: the chunked
     * encoding leaves out its last chunk and the connection is closed. */
    if (!s->gone) {
        APR_BRIGADE_INSERT_TAIL(s->bb, ap_bucket_error_create(HTTP_BAD_GATEWAY, NULL, r->pool, ba));
        APR_BRIGADE_INSERT_TAIL(s->bb, apr_bucket_eos_create(ba));
        ap_pass_brigade(r->output_filters, s->bb);
        apr_brigade_cleanup(s->bb);
    }
    return OK;
}

int tl_send_html(tl_req *q, const char *body, apr_size_t len)
{
    tl_security_headers(q, tl_own_document(q));
    return tl_send_body(q, "text/html; charset=utf-8", body, len);
}

/* Renders a page template inside its frame into out. */
static apr_status_t tl_render_framed(tl_req *q, const tl_tpl *page, tl_buf *out, const char **err)
{
    const tl_layout *site = tl_conf_layout(q->dc);
    tl_render_opts o = { 0, "", NULL };

    tl_view_set(q->view, "fragment", q->fragment ? "t" : "f");
    tl_view_set(q->view, "embed", q->embed ? "t" : "f");
    if (q->embed) {
        o.content = page;
        return tl_tpl_render(tl_tpl_get(q->templates, "integree"), q->view, &o, out, err);
    }
    if (q->fragment) {
        o.heading_shift = q->heading_level - 1;
        o.id_prefix = "tl-";
        return tl_tpl_render(page, q->view, &o, out, err);
    }
    if (site) {
        apr_status_t rv;
        tl_buf_add(out, site->head, site->head_len);
        rv = tl_tpl_render(page, q->view, &o, out, err);
        tl_buf_add(out, site->tail, site->tail_len);
        return rv;
    }
    o.content = page;
    return tl_tpl_render(tl_tpl_get(q->templates, "layout"), q->view, &o, out, err);
}

/* The page's own address, whole, without the parameters that only say
 * how it is framed: what the oEmbed link names and the embed view opens. */
static const char *tl_page_url(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    const char **pairs = apr_pcalloc(p, sizeof(char *) * (2 * (size_t)q->query.n + 2));
    int i, n = 0;

    for (i = 0; i < q->query.n; i++) {
        const char *name = q->query.items[i].name;
        if (strcmp(name, "vue") != 0 && strcmp(name, "fragment") != 0 && strcmp(name, "niveau") != 0) {
            pairs[n++] = name;
            pairs[n++] = q->query.items[i].value;
        }
    }
    return ap_construct_url(p, tl_url_build(p, apr_pstrcat(p, q->base, q->path, NULL), pairs), q->r);
}

/* What the frames need of an embeddable page: its full page names the
 * oEmbed endpoint; its embed view links to the full page and loads the
 * script that tells the host page its height. */
static void tl_render_embedding(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    const char *url;

    if (!q->embeddable || q->fragment) {
        return;
    }
    url = tl_page_url(q);
    tl_view_set(q->view, "page_url", url);
    if (q->embed) {
        tl_view_set(q->view, "embed_js_url", apr_pstrcat(p, q->base, tl_assets_url("integree.js"), NULL));
        return;
    }
    tl_view_set(q->view, "oembed_url",
                ap_construct_url(p, tl_url_build(p, apr_pstrcat(p, q->base, "/oembed", NULL),
                                                 (const char *const[]){ "url", url, "format", "json", NULL }),
                                 q->r));
}

int tl_render_page(tl_req *q, const char *name, const char *title)
{
    const tl_tpl *page = tl_tpl_get(q->templates, name);
    const char *err = NULL;
    tl_buf out;

    if (!page) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0301) "template %s is missing", name);
        return tl_render_error(q, HTTP_INTERNAL_SERVER_ERROR, NULL);
    }
    tl_view_set(q->view, "page_title", title);
    tl_render_embedding(q);
    tl_buf_init(&out, q->r->pool, 16384);
    if (tl_render_framed(q, page, &out, &err) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0302) "rendering failed: %s", err);
        return tl_render_error(q, HTTP_INTERNAL_SERVER_ERROR, NULL);
    }
    if (q->versions) {
        /* Its version with what it said it shows, from the versions read
         * before its queries: never newer than what it shows. */
        tl_render_etag(q);
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, q->r, TLXLOGNO(0304) "page %s rendered at version %s", name,
                  q->version ? q->version : "-");
    if (q->cache_key && q->version) {
        tl_cache_put(tl_page_cache, q->cache_key, q->version, q->deps, out.data, out.len);
    }
    return tl_send_html(q, out.data, out.len);
}

static const char *tl_status_words(int status)
{
    switch (status) {
    case HTTP_BAD_REQUEST:
        return "La demande n'est pas valide.";
    case HTTP_NOT_FOUND:
        return "Cette page n'existe pas ou plus. Vérifiez l'adresse, ou repartez de l'accueil.";
    case HTTP_METHOD_NOT_ALLOWED:
        return "Cette adresse ne s'utilise pas ainsi.";
    case HTTP_GONE:
        return "Ce lien ne sert plus : demandez-en un nouveau au guichet.";
    case HTTP_FORBIDDEN:
        return "Votre compte ne donne pas accès à cette page. Si vous tenez le guichet d'un lieu, "
               "demandez à son ou sa référente de vous donner le rôle de bénévole.";
    case HTTP_SERVICE_UNAVAILABLE:
        return "Le service est momentanément indisponible (la base de données ne répond pas). "
               "Réessayez dans quelques minutes.";
    default:
        return "Une erreur s'est produite de notre côté. L'équipe du lieu peut la retrouver dans le "
               "journal du serveur.";
    }
}

static const char *tl_status_title(int status)
{
    switch (status) {
    case HTTP_BAD_REQUEST:          return "Demande incorrecte";
    case HTTP_NOT_FOUND:            return "Page introuvable";
    case HTTP_METHOD_NOT_ALLOWED:   return "Méthode non permise";
    case HTTP_FORBIDDEN:            return "Accès réservé";
    case HTTP_GONE:                 return "Lien expiré ou déjà utilisé";
    case HTTP_UNPROCESSABLE_ENTITY: return "Demande impossible";
    case HTTP_SERVICE_UNAVAILABLE:  return "Service momentanément indisponible";
    case HTTP_REQUEST_ENTITY_TOO_LARGE: return "Formulaire trop volumineux";
    case HTTP_UNSUPPORTED_MEDIA_TYPE: return "Formulaire illisible";
    case HTTP_NOT_IMPLEMENTED:      return "Format non proposé";
    default:                        return "Erreur du serveur";
    }
}

int tl_render_error(tl_req *q, int status, const char *message)
{
    const tl_tpl *page = tl_tpl_get(q->templates, "erreur");
    const char *err = NULL, *title = tl_status_title(status);
    tl_buf out;

    if (status == HTTP_SERVICE_UNAVAILABLE && q->read_only) {
        /* The primary is down and its standby answers: reads only. */
        title = "Réseau en lecture seule";
        message = "Le réseau est en lecture seule pour l'instant : son serveur de base de données principal "
                  "est arrêté, et le serveur de secours permet seulement de consulter. Les pages publiques "
                  "restent ouvertes ; le guichet et la gestion reprendront d'eux-mêmes dès que le serveur de "
                  "secours aura pris le relais, sans rien perdre de ce qui était enregistré. Un formulaire "
                  "envoyé maintenant n'est pas enregistré : renvoyez-le dans quelques minutes.";
    }

    q->r->status = status;
    q->cache_key = NULL;                    /* an error is never reused */
    apr_table_unset(q->r->headers_out, "ETag");
    apr_table_setn(q->r->headers_out, "Cache-Control", "no-store");
    if (status == HTTP_FORBIDDEN) {
        tl_view_set(q->view, "error_forbidden", "t");
    }
    if (status == HTTP_SERVICE_UNAVAILABLE) {
        apr_table_setn(q->r->headers_out, "Retry-After", "30");
    }
    tl_view_set(q->view, "error_title", title);
    tl_view_set(q->view, "error_message", message ? message : tl_status_words(status));
    tl_view_set(q->view, "error_code", apr_itoa(q->r->pool, status));
    tl_view_set(q->view, "page_title", title);
    tl_buf_init(&out, q->r->pool, 4096);
    if (tl_render_framed(q, page, &out, &err) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0303) "error page failed: %s", err);
        return status;                      /* httpd's own page, as a last resort */
    }
    tl_send_html(q, out.data, out.len);
    return OK;
}
