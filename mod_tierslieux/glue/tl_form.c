#include <apr_strings.h>
#include <stdlib.h>
#include <strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <util_script.h>
#include "tl_form.h"
#include "tl_config.h"
#include "tl_render.h"
#include "tl_csrf.h"
#include "tl_escape.h"

static const char *tl_form_value_refused(const char *value, apr_size_t size);
static int tl_form_token_ok(tl_req *q, const char *form, const char *token, int *done);

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

int tl_form_read(tl_req *q, const char *form, apr_table_t **fields, int *done)
{
    request_rec *r = q->r;
    const char *type = apr_table_get(r->headers_in, "Content-Type");
    const char *length = apr_table_get(r->headers_in, "Content-Length");
    apr_array_header_t *pairs = NULL;
    const char *message;
    int rc;

    /* ap_parse_form_data quietly ignores a body of another type: check first. */
    if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0
        || (type[33] != '\0' && type[33] != ';')) {
        return tl_form_fail(q, HTTP_UNSUPPORTED_MEDIA_TYPE,
                            "Ce formulaire s'envoie depuis sa page (données de type "
                            "application/x-www-form-urlencoded).", done);
    }
    if (length && apr_atoi64(length) > TL_FORM_MAX_BODY) {
        return tl_form_fail(q, HTTP_REQUEST_ENTITY_TOO_LARGE,
                            "Le formulaire envoyé est trop volumineux (64 Ko au plus).", done);
    }
    rc = ap_parse_form_data(r, NULL, &pairs, 64, TL_FORM_MAX_BODY);
    if (rc != OK || !pairs) {
        return tl_form_fail(q, rc == HTTP_REQUEST_ENTITY_TOO_LARGE ? rc : HTTP_BAD_REQUEST,
                            "Le formulaire envoyé n'a pas pu être lu (trop volumineux ou mal formé).", done);
    }
    *fields = apr_table_make(r->pool, pairs->nelts);
    while (pairs->nelts > 0) {
        ap_form_pair_t *pair = apr_array_pop(pairs);
        apr_off_t n = 0;
        apr_size_t size;
        char *value;

        apr_brigade_length(pair->value, 1, &n);
        if (n > TL_FORM_MAX_FIELD) {
            return tl_form_fail(q, HTTP_REQUEST_ENTITY_TOO_LARGE,
                                apr_psprintf(r->pool, "Le champ « %s » est trop long (4 Ko au plus).",
                                             pair->name), done);
        }
        size = (apr_size_t)n;
        value = apr_palloc(r->pool, size + 1);
        apr_brigade_flatten(pair->value, value, &size);
        value[size] = '\0';
        if ((message = tl_form_value_refused(value, size)) != NULL) {
            return tl_form_fail(q, HTTP_BAD_REQUEST, message, done);
        }
        apr_table_addn(*fields, pair->name, value);     /* repeated names (checkboxes) keep every value */
    }
    return tl_form_token_ok(q, form, apr_table_get(*fields, "jeton"), done);
}

/* What a field's value may not hold: bytes that are not UTF-8, NUL, other
 * control characters than line ends and tabs. NULL when it is fine. */
static const char *tl_form_value_refused(const char *value, apr_size_t size)
{
    apr_size_t i;

    if (!tl_utf8_valid(value, size) || strlen(value) != size) {
        return "Le formulaire contient des caractères illisibles.";
    }
    for (i = 0; i < size; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
            return "Le formulaire contient un caractère de contrôle.";
        }
    }
    return NULL;
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

int tl_form_read_upload(tl_req *q, const char *form, apr_size_t max, apr_table_t **fields, tl_multipart *upload,
                        int *done)
{
    static const tl_multipart_limits limits = { 16, 4096 };
    request_rec *r = q->r;
    const char *type = apr_table_get(r->headers_in, "Content-Type");
    const char *length = apr_table_get(r->headers_in, "Content-Length");
    const char *limit = apr_psprintf(r->pool, "Le fichier envoyé est trop volumineux (%" APR_SIZE_T_FMT " Mo au "
                                     "plus) : découpez-le en plusieurs fichiers.", max / (1024 * 1024));
    const char *message = NULL;
    char *body;
    apr_size_t len = 0;
    int i;

    if (!type || strncasecmp(type, "multipart/form-data", 19) != 0) {
        return tl_form_fail(q, HTTP_UNSUPPORTED_MEDIA_TYPE, "Ce formulaire envoie un fichier depuis sa page "
                            "(données de type multipart/form-data).", done);
    }
    if (length && apr_atoi64(length) > (apr_int64_t)max) {
        /* Refused before reading it: httpd closes the connection after a 413. */
        return tl_form_fail(q, HTTP_REQUEST_ENTITY_TOO_LARGE, limit, done);
    }
    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK) {
        return tl_form_fail(q, HTTP_BAD_REQUEST, "Le fichier envoyé n'a pas pu être lu.", done);
    }
    body = apr_palloc(r->pool, max + 1);
    if (ap_should_client_block(r)) {
        long got;
        while ((got = ap_get_client_block(r, body + len, max + 1 - len)) > 0) {
            len += (apr_size_t)got;
            if (len > max) {
                return tl_form_fail(q, HTTP_REQUEST_ENTITY_TOO_LARGE, limit, done);
            }
        }
        if (got < 0) {
            return tl_form_fail(q, HTTP_BAD_REQUEST, "Le fichier envoyé est arrivé incomplet : renvoyez-le.", done);
        }
    }
    if (tl_multipart_parse(r->pool, type, body, len, &limits, upload, &message) != TL_MULTIPART_OK) {
        return tl_form_fail(q, HTTP_BAD_REQUEST, message, done);
    }
    /* The text fields, checked as tl_form_read checks them; files stay as they came. */
    *fields = apr_table_make(r->pool, upload->n);
    for (i = 0; i < upload->n; i++) {
        const tl_multipart_part *part = &upload->parts[i];
        if (part->filename) {
            continue;
        }
        if (part->len > TL_FORM_MAX_FIELD) {
            return tl_form_fail(q, HTTP_REQUEST_ENTITY_TOO_LARGE,
                                apr_psprintf(r->pool, "Le champ « %s » est trop long (4 Ko au plus).", part->name),
                                done);
        }
        if ((message = tl_form_value_refused(apr_pstrmemdup(r->pool, part->data, part->len), part->len)) != NULL) {
            return tl_form_fail(q, HTTP_BAD_REQUEST, message, done);
        }
        apr_table_setn(*fields, part->name, apr_pstrmemdup(r->pool, part->data, part->len));
    }
    return tl_form_token_ok(q, form, apr_table_get(*fields, "jeton"), done);
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
            fs->fail_message = apr_psprintf(fs->q->r->pool, "Le champ « %s » est trop long (4 Ko au plus).",
                                            fs->name);
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

    if (fs->in_file) {
        if (!fs->file_stopped && fs->fh->file_end(fs->ctx) != 0) {
            fs->file_stopped = 1;
        }
        fs->in_file = 0;
        return 0;
    }
    v = apr_pstrmemdup(fs->q->r->pool, fs->value.data ? fs->value.data : "", fs->value.len);
    if ((message = tl_form_value_refused(v, fs->value.len)) != NULL) {
        fs->fail_status = HTTP_BAD_REQUEST;
        fs->fail_message = message;
        return 1;
    }
    apr_table_set(fs->fields, fs->name, v);
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
