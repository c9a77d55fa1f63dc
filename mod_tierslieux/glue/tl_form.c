#include <apr_strings.h>
#include <stdlib.h>
#include <strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include "tl_form.h"
#include "tl_config.h"
#include "tl_render.h"
#include "tl_csrf.h"
#include "tl_escape.h"
#include "tl_fields.h"

static int tl_form_token_ok(tl_req *q, const char *form, const char *token, int *done);
static int tl_form_read_with(tl_req *q, const char *form, const char *const *multi, const tl_form_limits *limits,
                             apr_table_t **fields, int *done);

/* Tokens bind to the logged-in person; a form without a login (none yet)
 * binds to the empty subject. */
static const char *tl_form_subject(const tl_req *q)
{
    return q->r->user ? q->r->user : "";
}

void tl_form_token(tl_req *q, const char *form)
{
    apr_size_t len;
    const unsigned char *secret = tl_conf_secret(&len);

    tl_view_set(q->view, "jeton", tl_csrf_make(q->r->pool, secret, len, tl_form_subject(q), form,
                                               apr_time_now(), TL_FORM_TOKEN_LIFETIME));
}

/* Sends the error page; returns 0, the "do not go on" of tl_form_read. */
static int tl_form_fail(tl_req *q, int status, const char *message, int *done)
{
    /* Whatever is left of the body is read and dropped, so the connection
     * can serve the next request; a body too large is not read at all, and
     * the connection closes after the answer. */
    if (status == HTTP_REQUEST_ENTITY_TOO_LARGE) {
        q->r->connection->keepalive = AP_CONN_CLOSE;
    }
    ap_discard_request_body(q->r);
    *done = tl_render_error(q, status, message);
    return 0;
}

/* Reads the whole request body, at most max bytes, into *body; 0 with an
 * error page sent (413 beyond max, without reading further; 400 when it
 * cannot be read). */
static int tl_form_body(tl_req *q, apr_size_t max, const char *too_large, char **body, apr_size_t *len, int *done)
{
    request_rec *r = q->r;
    const char *length = apr_table_get(r->headers_in, "Content-Length");
    char *buf;
    apr_size_t total = 0;

    if (length && apr_atoi64(length) > (apr_int64_t)max) {
        /* Refused before reading it: httpd closes the connection after a 413. */
        return tl_form_fail(q, HTTP_REQUEST_ENTITY_TOO_LARGE, too_large, done);
    }
    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK) {
        return tl_form_fail(q, HTTP_BAD_REQUEST, "Le formulaire envoyé n'a pas pu être lu.", done);
    }
    buf = apr_palloc(r->pool, max + 1);
    if (ap_should_client_block(r)) {
        long got;
        while ((got = ap_get_client_block(r, buf + total, max + 1 - total)) > 0) {
            total += (apr_size_t)got;
            if (total > max) {
                return tl_form_fail(q, HTTP_REQUEST_ENTITY_TOO_LARGE, too_large, done);
            }
        }
        if (got < 0) {
            return tl_form_fail(q, HTTP_BAD_REQUEST, "Le formulaire envoyé est arrivé incomplet : renvoyez-le.", done);
        }
    }
    buf[total] = '\0';
    *body = buf;
    *len = total;
    return 1;
}

/* The HTTP status of a refusal of the core's form reader. */
static int tl_form_status(tl_fields_status st)
{
    return st == TL_FIELDS_TOO_LARGE ? HTTP_REQUEST_ENTITY_TOO_LARGE : HTTP_BAD_REQUEST;
}

int tl_form_read(tl_req *q, const char *form, apr_table_t **fields, int *done)
{
    return tl_form_read_with(q, form, NULL, &tl_fields_defaults, fields, done);
}

int tl_form_read_multi(tl_req *q, const char *form, const char *const *multi, apr_table_t **fields, int *done)
{
    return tl_form_read_with(q, form, multi, &tl_fields_defaults, fields, done);
}

int tl_form_read_within(tl_req *q, const char *form, const tl_form_limits *limits, apr_table_t **fields,
                        int *done)
{
    return tl_form_read_with(q, form, NULL, limits, fields, done);
}

static int tl_form_read_with(tl_req *q, const char *form, const char *const *multi, const tl_form_limits *limits,
                             apr_table_t **fields, int *done)
{
    request_rec *r = q->r;
    const char *type = apr_table_get(r->headers_in, "Content-Type");
    const char *message = NULL;
    char *body;
    apr_size_t len;
    tl_fields_status st;

    /* A body of another type would read as no field at all: refuse it first. */
    if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0
        || (type[33] != '\0' && type[33] != ';' && type[33] != ' ')) {
        return tl_form_fail(q, HTTP_UNSUPPORTED_MEDIA_TYPE,
                            "Ce formulaire s'envoie depuis sa page (données de type "
                            "application/x-www-form-urlencoded).", done);
    }
    if (!tl_form_body(q, limits->body, apr_psprintf(r->pool, "Le formulaire envoyé est trop volumineux (%s au plus).",
                                                    tl_fields_size(r->pool, limits->body)), &body, &len, done)) {
        return 0;
    }
    /* Decoded and checked by the core (tl_fields), as the fuzz target does:
     * the body was read by us rather than by ap_parse_form_data, so the
     * same code runs with and without httpd. */
    if ((st = tl_fields_parse(r->pool, body, len, multi, limits, fields, &message)) != TL_FIELDS_OK) {
        return tl_form_fail(q, tl_form_status(st), message, done);
    }
    return tl_form_token_ok(q, form, apr_table_get(*fields, "jeton"), done);
}

/* The form's token, signed for this person and form, not expired. */
static int tl_form_token_ok(tl_req *q, const char *form, const char *token, int *done)
{
    apr_size_t secret_len;
    const unsigned char *secret = tl_conf_secret(&secret_len);
    request_rec *r = q->r;

    switch (tl_csrf_check(secret, secret_len, tl_form_subject(q), form, token, apr_time_now())) {
    case TL_CSRF_OK:
        return 1;
    case TL_CSRF_EXPIRED:
        *done = tl_render_error(q, HTTP_FORBIDDEN, "Ce formulaire a expiré : rechargez la page et "
                                "recommencez. Rien n'a été enregistré.");
        return 0;
    default:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, TLXLOGNO(0501) "form %s refused: bad token", form);
        *done = tl_render_error(q, HTTP_FORBIDDEN, "Ce formulaire ne vient pas de cette page (jeton de "
                                "sécurité absent ou invalide) : rechargez la page et recommencez. Rien n'a "
                                "été enregistré.");
        return 0;
    }
}

int tl_form_done(tl_req *q, const char *path_and_query)
{
    apr_table_setn(q->r->headers_out, "Location",
                   ap_construct_url(q->r->pool, apr_pstrcat(q->r->pool, q->base, path_and_query, NULL), q->r));
    return HTTP_SEE_OTHER;
}

const char *tl_form_sentence(apr_pool_t *p, const char *message)
{
    char *m = apr_pstrcat(p, message, ".", NULL);
    if (m[0] >= 'a' && m[0] <= 'z') {
        m[0] = (char)(m[0] - 'a' + 'A');
    }
    return m;
}

void tl_form_error(tl_req *q, const char *field, const char *message)
{
    apr_pool_t *p = q->r->pool;
    const char *n = tl_view_get(q->view, "errors");

    tl_view_set(q->view, apr_pstrcat(p, "err_", field, NULL), message);
    tl_view_set(q->view, apr_pstrcat(p, "errid_", field, NULL), apr_pstrcat(p, "erreur-", field, NULL));
    tl_view_set(q->view, apr_pstrcat(p, "invalid_", field, NULL), "true");
    tl_view_set(q->view, "errors", apr_itoa(p, n ? atoi(n) + 1 : 1));
}

void tl_form_keep(tl_req *q, apr_table_t *f, const char *prefix, const char *const *names)
{
    for (; *names; names++) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "f_", prefix ? prefix : "", *names, NULL), tl_field(f, *names));
    }
}

/* ---- a form with a large file, read as it arrives ------------------------ */

typedef struct {
    tl_req *q;
    const char *form;
    const tl_form_file_handler *fh;
    void *ctx;
    apr_table_t *fields;
    tl_buf value;                   /* the text field being read */
    const char *name;               /* its name, or NULL in a file */
    int in_file;
    int file_stopped;               /* the page wants no more of the file */
    apr_size_t file_len, max_file;
    int fail_status;                /* an error page to send once the body is read */
    const char *fail_message;
    int token_failed;               /* the token was refused: its page is sent */
    int file_seen;
    int done;
} tl_form_stream;

static int tl_form_stream_begin(void *ctx, const tl_multipart_part *part)
{
    tl_form_stream *fs = ctx;

    if (!part->filename) {
        fs->name = part->name;
        fs->in_file = 0;
        fs->value.len = 0;
        return 0;
    }
    if (fs->file_seen) {
        /* A file sent twice is refused as a repeated field is. */
        fs->fail_status = HTTP_BAD_REQUEST;
        fs->fail_message = "Un fichier du formulaire est envoyé deux fois : envoyez-le une seule fois ; rien n'a "
                           "été enregistré.";
        return 1;
    }
    fs->name = NULL;
    fs->in_file = 1;
    fs->file_seen = 1;
    fs->file_len = 0;
    fs->file_stopped = 0;
    /* The page's form sends its token and fields before its file (in
     * document order, as browsers do): nothing is done with a file
     * before the token is checked. */
    if (!tl_form_token_ok(fs->q, fs->form, apr_table_get(fs->fields, "jeton"), &fs->done)) {
        fs->token_failed = 1;
        return 1;
    }
    fs->max_file = 0;
    if (fs->fh->file_begin(fs->ctx, fs->fields, part, &fs->max_file) != 0) {
        fs->file_stopped = 1;
    }
    return 0;
}

static int tl_form_stream_data(void *ctx, const char *data, apr_size_t len)
{
    tl_form_stream *fs = ctx;

    if (!fs->in_file) {
        if (fs->value.len + len > TL_FORM_MAX_FIELD) {
            fs->fail_status = HTTP_REQUEST_ENTITY_TOO_LARGE;
            fs->fail_message = apr_psprintf(fs->q->r->pool, "Le champ « %s » est trop long (%s au plus).",
                                            fs->name, tl_fields_size(fs->q->r->pool, TL_FORM_MAX_FIELD));
            return 1;
        }
        tl_buf_add(&fs->value, data, len);
        return 0;
    }
    fs->file_len += len;
    if (fs->max_file && fs->file_len > fs->max_file) {
        fs->fail_status = HTTP_REQUEST_ENTITY_TOO_LARGE;
        fs->fail_message = apr_psprintf(fs->q->r->pool, "Le fichier envoyé est trop volumineux (%" APR_SIZE_T_FMT
                                        " Mo au plus pour ce genre de fichier) : découpez-le en plusieurs "
                                        "fichiers.", fs->max_file / (1024 * 1024));
        return 1;
    }
    if (!fs->file_stopped && fs->fh->file_data(fs->ctx, data, len) != 0) {
        fs->file_stopped = 1;
    }
    return 0;
}

static int tl_form_stream_end(void *ctx)
{
    tl_form_stream *fs = ctx;
    const char *message, *v;
    tl_fields_status st;

    if (fs->in_file) {
        if (!fs->file_stopped && fs->fh->file_end(fs->ctx) != 0) {
            fs->file_stopped = 1;
        }
        fs->in_file = 0;
        return 0;
    }
    /* Checked by the core as any form's fields are (tl_fields_add: bytes,
     * size, a name sent twice). */
    v = apr_pstrmemdup(fs->q->r->pool, fs->value.data ? fs->value.data : "", fs->value.len);
    st = tl_fields_add(fs->q->r->pool, fs->fields, fs->name, v, fs->value.len, NULL, TL_FORM_MAX_FIELD, &message);
    if (st != TL_FIELDS_OK) {
        fs->fail_status = tl_form_status(st);
        fs->fail_message = message;
        return 1;
    }
    return 0;
}

int tl_form_read_stream(tl_req *q, const char *form, apr_size_t max_body, const tl_form_file_handler *fh, void *ctx,
                        apr_table_t **fields, int *done)
{
    static const tl_multipart_limits limits = { 16, 4096 };
    static const tl_multipart_handler handler = { tl_form_stream_begin, tl_form_stream_data, tl_form_stream_end };
    request_rec *r = q->r;
    const char *type = apr_table_get(r->headers_in, "Content-Type");
    const char *length = apr_table_get(r->headers_in, "Content-Length");
    const char *limit = apr_psprintf(r->pool, "Le fichier envoyé est trop volumineux (%" APR_SIZE_T_FMT " Mo au "
                                     "plus) : découpez-le en plusieurs fichiers.", max_body / (1024 * 1024));
    const char *message = NULL;
    tl_multipart_stream *ms;
    tl_multipart_status st = TL_MULTIPART_OK;
    tl_form_stream fs;
    apr_bucket_brigade *bb;
    apr_size_t total = 0;
    int seen_eos = 0;

    memset(&fs, 0, sizeof(fs));
    fs.q = q;
    fs.form = form;
    fs.fh = fh;
    fs.ctx = ctx;
    fs.fields = *fields = apr_table_make(r->pool, 8);
    tl_buf_init(&fs.value, r->pool, 256);
    if (!type || strncasecmp(type, "multipart/form-data", 19) != 0) {
        return tl_form_fail(q, HTTP_UNSUPPORTED_MEDIA_TYPE, "Ce formulaire envoie un fichier depuis sa page "
                            "(données de type multipart/form-data).", done);
    }
    if (length && apr_atoi64(length) > (apr_int64_t)max_body) {
        /* Refused before reading it: httpd closes the connection after a 413. */
        return tl_form_fail(q, HTTP_REQUEST_ENTITY_TOO_LARGE, limit, done);
    }
    if (tl_multipart_stream_make(r->pool, type, &limits, &handler, &fs, &ms, &message) != TL_MULTIPART_OK) {
        return tl_form_fail(q, HTTP_BAD_REQUEST, message, done);
    }
    /* The body in pieces of 64 KB, each handed on and its buckets freed:
     * the memory used does not grow with the file. */
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    while (!seen_eos) {
        apr_bucket *b;
        apr_status_t rv = ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES, APR_BLOCK_READ, 65536);

        if (rv != APR_SUCCESS) {
            apr_brigade_cleanup(bb);
            return tl_form_fail(q, HTTP_BAD_REQUEST, "Le fichier envoyé est arrivé incomplet : renvoyez-le.", done);
        }
        for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b)) {
            const char *data;
            apr_size_t len;

            if (APR_BUCKET_IS_EOS(b)) {
                seen_eos = 1;
                break;
            }
            if (APR_BUCKET_IS_METADATA(b)) {
                continue;
            }
            if (apr_bucket_read(b, &data, &len, APR_BLOCK_READ) != APR_SUCCESS) {
                apr_brigade_cleanup(bb);
                return tl_form_fail(q, HTTP_BAD_REQUEST, "Le fichier envoyé est arrivé incomplet : renvoyez-le.",
                                    done);
            }
            total += len;
            if (total > max_body) {
                apr_brigade_cleanup(bb);
                return tl_form_fail(q, HTTP_REQUEST_ENTITY_TOO_LARGE, limit, done);
            }
            if (st == TL_MULTIPART_OK) {
                st = tl_multipart_stream_feed(ms, data, len, &message);
            }
            if (fs.token_failed) {
                apr_brigade_cleanup(bb);
                q->r->connection->keepalive = AP_CONN_CLOSE;
                *done = fs.done;
                return 0;
            }
            if (fs.fail_status) {
                apr_brigade_cleanup(bb);
                return tl_form_fail(q, fs.fail_status, fs.fail_message, done);
            }
        }
        apr_brigade_cleanup(bb);
    }
    if (st == TL_MULTIPART_OK) {
        st = tl_multipart_stream_end(ms, &message);
    }
    if (fs.fail_status) {
        return tl_form_fail(q, fs.fail_status, fs.fail_message, done);
    }
    if (st != TL_MULTIPART_OK) {
        return tl_form_fail(q, HTTP_BAD_REQUEST, message ? message : "Le formulaire envoyé est mal formé.", done);
    }
    if (!fs.file_seen) {
        /* No file part at all: the token is checked here. */
        if (!tl_form_token_ok(q, form, apr_table_get(fs.fields, "jeton"), done)) {
            return 0;
        }
    }
    return 1;
}
