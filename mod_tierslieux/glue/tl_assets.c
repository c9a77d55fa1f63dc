#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_file_io.h>
#include <apr_file_info.h>
#include <http_protocol.h>
#include <http_request.h>
#include "tl_assets.h"
#include "tl_render.h"

typedef struct {
    const char *body;
    apr_size_t len;
    const char *type;
    const char *etag;
    const char *url;
} tl_asset;

static apr_hash_t *tl_assets;

static const char *tl_type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".css") == 0) return "text/css; charset=utf-8";
    if (dot && strcmp(dot, ".svg") == 0) return "image/svg+xml";
    if (dot && strcmp(dot, ".png") == 0) return "image/png";
    if (dot && strcmp(dot, ".js") == 0) return "text/javascript; charset=utf-8";
    return NULL;                        /* anything else is not served */
}

const char *tl_assets_load(apr_pool_t *pconf, const char *dir)
{
    apr_dir_t *d;
    apr_finfo_t fi;

    tl_assets = apr_hash_make(pconf);
    if (apr_dir_open(&d, dir, pconf) != APR_SUCCESS) {
        return apr_psprintf(pconf, "%s: static files directory cannot be read", dir);
    }
    while (apr_dir_read(&fi, APR_FINFO_TYPE | APR_FINFO_NAME, d) == APR_SUCCESS) {
        tl_asset *a;
        char *body;
        apr_size_t n;
        uint64_t h;
        const char *type = tl_type_of(fi.name);

        if (fi.filetype != APR_REG || fi.name[0] == '.' || !type) {
            continue;
        }
        if (tl_read_file(pconf, apr_pstrcat(pconf, dir, "/", fi.name, NULL), &body, &n) != APR_SUCCESS) {
            apr_dir_close(d);
            return apr_psprintf(pconf, "%s/%s cannot be read", dir, fi.name);
        }
        h = tl_hash64(TL_HASH64_INIT, body, n);
        a = apr_palloc(pconf, sizeof(*a));
        a->body = body;
        a->len = n;
        a->type = type;
        a->etag = apr_psprintf(pconf, "\"%016" APR_UINT64_T_HEX_FMT "\"", h);
        a->url = apr_psprintf(pconf, "/static/%s?v=%08x", fi.name, (unsigned int)(h & 0xffffffffu));
        apr_hash_set(tl_assets, apr_pstrdup(pconf, fi.name), APR_HASH_KEY_STRING, a);
    }
    apr_dir_close(d);
    return NULL;
}

const char *tl_assets_url(const char *name)
{
    const tl_asset *a = tl_assets ? apr_hash_get(tl_assets, name, APR_HASH_KEY_STRING) : NULL;
    return a ? a->url : "/static/missing";
}

int tl_assets_serve(tl_req *q)
{
    request_rec *r = q->r;
    const tl_asset *a = apr_hash_get(tl_assets, q->args[0], APR_HASH_KEY_STRING);
    apr_bucket_brigade *bb;
    int rc;

    if (!a) {
        return tl_render_error(q, HTTP_NOT_FOUND, NULL);
    }
    apr_table_setn(r->headers_out, "ETag", a->etag);
    apr_table_setn(r->headers_out, "Cache-Control", "public, max-age=31536000, immutable");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    if ((rc = ap_meets_conditions(r)) != OK) {
        return rc;
    }
    ap_set_content_type(r, a->type);
    ap_set_content_length(r, a->len);
    if (r->header_only) {
        return OK;
    }
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_immortal_create(a->body, a->len, r->connection->bucket_alloc));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(r->connection->bucket_alloc));
    return ap_pass_brigade(r->output_filters, bb) == APR_SUCCESS ? OK : AP_FILTER_ERROR;
}
