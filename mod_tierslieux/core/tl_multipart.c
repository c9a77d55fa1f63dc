#include <string.h>
#include <apr_strings.h>
#include "tl_multipart.h"
#include "tl_escape.h"

/* The messages are for the person who sent the form: they cannot fix a
 * malformed body, only send it again, so each says what to do. */
#define MSG_RESEND_FORM "Le formulaire n'a pas été envoyé comme prévu : rechargez la page et recommencez."
#define MSG_INCOMPLETE "Le fichier envoyé est incomplet : renvoyez-le."
#define MSG_MALFORMED "Le formulaire envoyé est mal formé : rechargez la page et recommencez."
#define MSG_HEADER_LONG "Le nom du fichier envoyé est trop long : renommez-le plus court et renvoyez-le."
#define MSG_BAD_FILENAME "Le nom du fichier envoyé contient des caractères illisibles : renommez-le et renvoyez-le."
#define MSG_TOO_MANY "Le formulaire envoyé contient trop de champs ou de fichiers."

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* s[0..n) equals the lower-case ASCII word w, ignoring case. */
static int word_eq(const char *s, size_t n, const char *w)
{
    size_t i;

    if (strlen(w) != n) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (lower((unsigned char)s[i]) != w[i]) {
            return 0;
        }
    }
    return 1;
}

/* RFC 7230 tchar: what a header name, a media type or a parameter name is
 * made of. */
static int is_tchar(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int is_ctl(int c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

static size_t skip_ows(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t')) {
        i++;
    }
    return i;
}

/* Reads one "; name=value" parameter at s[*i..n) (RFC 2045 and 2183 shape:
 * value a token or a quoted string). Returns 1 with the parameter, 0 at
 * the end of the value, -1 when it is malformed.
 *
 * Inside quotes, only \" and \\ are escapes: browsers do not escape
 * backslashes (the HTML standard writes " as %22 and leaves \ alone), so
 * a filename such as "C:\Users\liste.csv" from an old browser keeps its
 * backslashes instead of losing them. */
static int next_param(apr_pool_t *p, const char *s, size_t n, size_t *i, const char **name, size_t *name_len,
                      char **value)
{
    size_t k = skip_ows(s, n, *i), start;
    char *v;
    size_t vlen = 0;

    if (k == n) {
        return 0;
    }
    if (s[k] != ';') {
        return -1;
    }
    k = skip_ows(s, n, k + 1);
    if (k == n) {
        return 0;       /* a trailing ';' does no harm */
    }
    start = k;
    while (k < n && is_tchar((unsigned char)s[k])) {
        k++;
    }
    if (k == start) {
        return -1;
    }
    *name = s + start;
    *name_len = k - start;
    k = skip_ows(s, n, k);
    if (k == n || s[k] != '=') {
        return -1;
    }
    k = skip_ows(s, n, k + 1);
    v = apr_palloc(p, n - k + 1);
    if (k < n && s[k] == '"') {
        for (k++;; k++) {
            unsigned char c;

            if (k == n) {
                return -1;      /* no closing quote */
            }
            c = (unsigned char)s[k];
            if (c == '"') {
                k++;
                break;
            }
            if (is_ctl(c)) {
                return -1;
            }
            if (c == '\\' && k + 1 < n && (s[k + 1] == '"' || s[k + 1] == '\\')) {
                c = (unsigned char)s[++k];
            }
            v[vlen++] = (char)c;
        }
    }
    else {
        /* Unquoted: looser than a token, since a boundary may hold '/', ':'
         * or '=' and some clients do not quote it. */
        while (k < n && s[k] != ';' && s[k] != '"' && s[k] != ' ' && s[k] != '\t'
               && !is_ctl((unsigned char)s[k])) {
            v[vlen++] = s[k++];
        }
        if (vlen == 0) {
            return -1;
        }
        if (k < n && (s[k] == '"' || is_ctl((unsigned char)s[k]))) {
            return -1;
        }
    }
    v[vlen] = '\0';
    *value = v;
    *i = k;
    return 1;
}

/* RFC 2046 bchars: digits, letters, '()+_,-./:=? and space, not last. */
static int boundary_ok(const char *b, size_t n)
{
    size_t i;

    if (n == 0 || n > TL_MULTIPART_MAX_BOUNDARY || b[n - 1] == ' ') {
        return 0;
    }
    for (i = 0; i < n; i++) {
        int c = (unsigned char)b[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || (c != 0 && strchr("'()+_,-./:=? ", c) != NULL))) {
            return 0;
        }
    }
    return 1;
}

static tl_multipart_status read_boundary(apr_pool_t *p, const char *ct, const char **boundary)
{
    size_t n = ct ? strlen(ct) : 0, i, start;
    const char *name;
    size_t name_len;
    char *value;
    int r;

    *boundary = NULL;
    if (!ct) {
        return TL_MULTIPART_NOT_FORM;
    }
    i = skip_ows(ct, n, 0);
    start = i;
    while (i < n && (is_tchar((unsigned char)ct[i]) || ct[i] == '/')) {
        i++;
    }
    if (!word_eq(ct + start, i - start, "multipart/form-data")) {
        return TL_MULTIPART_NOT_FORM;
    }
    while ((r = next_param(p, ct, n, &i, &name, &name_len, &value)) == 1) {
        if (word_eq(name, name_len, "boundary")) {
            if (*boundary) {
                return TL_MULTIPART_BAD_BOUNDARY;   /* two boundaries: which one? */
            }
            *boundary = value;
        }
    }
    if (r < 0 || !*boundary || !boundary_ok(*boundary, strlen(*boundary))) {
        return TL_MULTIPART_BAD_BOUNDARY;
    }
    return TL_MULTIPART_OK;
}

/* Spaces a delimiter line may carry before its CRLF (transport padding):
 * more than that is taken as content, by both readers (the stream waits for
 * no more than this). */
#define MS_MAX_PADDING 64

/* What follows "--boundary" at body[t..len) makes it a delimiter: "--" (the
 * closing one), or optional spaces (RFC 2046 transport padding) and CRLF.
 * Anything else means those bytes were content that merely looks like the
 * boundary. */
static int delimiter_tail(const char *body, apr_size_t len, apr_size_t t)
{
    apr_size_t start = t;

    if (len - t >= 2 && body[t] == '-' && body[t + 1] == '-') {
        return 1;
    }
    while (t < len && (body[t] == ' ' || body[t] == '\t') && t - start < MS_MAX_PADDING) {
        t++;
    }
    return len - t >= 2 && body[t] == '\r' && body[t + 1] == '\n';
}

/* The position of the next "\r\n--boundary" delimiter at or after from, or
 * len when there is none. */
static apr_size_t find_delimiter(const char *body, apr_size_t len, apr_size_t from, const char *b,
                                 apr_size_t blen)
{
    apr_size_t need = 4 + blen;

    while (from < len && len - from >= need) {
        const char *cr = memchr(body + from, '\r', len - from - need + 1);
        apr_size_t at;

        if (!cr) {
            break;
        }
        at = (apr_size_t)(cr - body);
        if (body[at + 1] == '\n' && body[at + 2] == '-' && body[at + 3] == '-'
            && memcmp(body + at + 4, b, blen) == 0 && delimiter_tail(body, len, at + need)) {
            return at;
        }
        from = at + 1;
    }
    return len;
}

/* name and filename: what the glue will show or store, so UTF-8 without
 * any control character (a NUL would cut them short in C). */
static int text_ok(const char *s)
{
    size_t n = strlen(s), i;

    for (i = 0; i < n; i++) {
        if (is_ctl((unsigned char)s[i]) || s[i] == '\t') {
            return 0;
        }
    }
    return tl_utf8_valid(s, n);
}

/* One header line h[0..n) of a part, CRLF removed. */
static tl_multipart_status read_header(apr_pool_t *p, const char *h, apr_size_t n, tl_multipart_part *part,
                                       int *seen_disposition, const char **err)
{
    apr_size_t i = 0, vstart, vend;

    while (i < n && is_tchar((unsigned char)h[i])) {
        i++;
    }
    /* No name, or a line starting with a space: an obsolete folded line,
     * which RFC 7578 parts never need. */
    if (i == 0 || i == n || h[i] != ':') {
        *err = MSG_MALFORMED;
        return TL_MULTIPART_BAD_HEADER;
    }
    vstart = skip_ows(h, n, i + 1);
    vend = n;
    while (vend > vstart && (h[vend - 1] == ' ' || h[vend - 1] == '\t')) {
        vend--;
    }
    for (apr_size_t k = vstart; k < vend; k++) {
        if (is_ctl((unsigned char)h[k])) {
            *err = MSG_MALFORMED;
            return TL_MULTIPART_BAD_HEADER;
        }
    }
    if (word_eq(h, i, "content-type")) {
        if (part->content_type) {
            *err = MSG_MALFORMED;
            return TL_MULTIPART_BAD_HEADER;
        }
        part->content_type = apr_pstrmemdup(p, h + vstart, vend - vstart);
    }
    else if (word_eq(h, i, "content-disposition")) {
        const char *v = h + vstart, *name;
        apr_size_t vn = vend - vstart, k = 0, name_len;
        char *value;
        int r;

        if (*seen_disposition) {
            *err = MSG_MALFORMED;
            return TL_MULTIPART_BAD_HEADER;
        }
        *seen_disposition = 1;
        while (k < vn && is_tchar((unsigned char)v[k])) {
            k++;
        }
        if (!word_eq(v, k, "form-data")) {
            *err = MSG_MALFORMED;
            return TL_MULTIPART_BAD_HEADER;
        }
        while ((r = next_param(p, v, vn, &k, &name, &name_len, &value)) == 1) {
            /* filename*= (RFC 5987) is left aside, as RFC 7578 asks. */
            const char **slot = word_eq(name, name_len, "name")       ? &part->name
                                : word_eq(name, name_len, "filename") ? &part->filename
                                                                      : NULL;
            if (slot) {
                if (*slot) {
                    *err = MSG_MALFORMED;
                    return TL_MULTIPART_BAD_HEADER;
                }
                *slot = value;
            }
        }
        if (r < 0) {
            *err = MSG_MALFORMED;
            return TL_MULTIPART_BAD_HEADER;
        }
    }
    /* Other headers (Content-Transfer-Encoding, which browsers never send)
     * change nothing. */
    return TL_MULTIPART_OK;
}

/* The headers of the part starting at body[*pos]; *pos moves past the
 * empty line that ends them. */
static tl_multipart_status read_headers(apr_pool_t *p, const char *body, apr_size_t len, apr_size_t *pos,
                                        apr_size_t max_header, tl_multipart_part *part, const char **err)
{
    apr_size_t start = *pos, q = start;
    int seen_disposition = 0;
    tl_multipart_status st;

    for (;;) {
        apr_size_t e = q;

        while (e < len && body[e] != '\r' && body[e] != '\n') {
            e++;
            if (e - start > max_header) {
                *err = MSG_HEADER_LONG;
                return TL_MULTIPART_HEADER_TOO_LONG;
            }
        }
        if (e == len || (body[e] == '\r' && e + 1 == len)) {
            *err = MSG_INCOMPLETE;
            return TL_MULTIPART_INCOMPLETE;
        }
        if (body[e] != '\r' || body[e + 1] != '\n') {
            *err = MSG_MALFORMED;       /* a bare LF or CR */
            return TL_MULTIPART_BAD_HEADER;
        }
        if (e == q) {
            *pos = e + 2;
            break;
        }
        if (e + 2 - start > max_header) {
            *err = MSG_HEADER_LONG;
            return TL_MULTIPART_HEADER_TOO_LONG;
        }
        st = read_header(p, body + q, e - q, part, &seen_disposition, err);
        if (st != TL_MULTIPART_OK) {
            return st;
        }
        q = e + 2;
    }
    if (!part->name || !*part->name) {
        *err = MSG_MALFORMED;
        return TL_MULTIPART_NO_NAME;
    }
    if (!text_ok(part->name)) {
        *err = MSG_MALFORMED;
        return TL_MULTIPART_BAD_NAME;
    }
    if (part->filename && !text_ok(part->filename)) {
        *err = MSG_BAD_FILENAME;
        return TL_MULTIPART_BAD_NAME;
    }
    return TL_MULTIPART_OK;
}

tl_multipart_status tl_multipart_parse(apr_pool_t *p, const char *content_type, const char *body,
                                       apr_size_t len, const tl_multipart_limits *limits, tl_multipart *out,
                                       const char **err)
{
    const char *b;
    apr_size_t blen, dlen, pos;
    tl_multipart_status st;
    int cap = 0;

    out->parts = NULL;
    out->n = 0;
    *err = NULL;
    st = read_boundary(p, content_type, &b);
    if (st != TL_MULTIPART_OK) {
        *err = MSG_RESEND_FORM;
        return st;
    }
    blen = strlen(b);
    dlen = 2 + blen;

    /* The first delimiter opens the body, or ends a preamble on a line of
     * its own. */
    if (len >= dlen && body[0] == '-' && body[1] == '-' && memcmp(body + 2, b, blen) == 0
        && delimiter_tail(body, len, dlen)) {
        pos = 0;
    }
    else {
        pos = find_delimiter(body, len, 0, b, blen);
        if (pos == len) {
            apr_size_t t = dlen;

            /* A body written with LF line ends is not cut short: say so
             * rather than ask for it again as it is. */
            while (t < len && (body[t] == ' ' || body[t] == '\t')) {
                t++;
            }
            if (t < len && body[t] == '\n' && body[0] == '-' && body[1] == '-'
                && memcmp(body + 2, b, blen) == 0) {
                *err = MSG_MALFORMED;
                return TL_MULTIPART_BAD_HEADER;
            }
            *err = MSG_INCOMPLETE;
            return TL_MULTIPART_INCOMPLETE;
        }
        pos += 2;
    }

    for (;;) {
        tl_multipart_part part = { NULL, NULL, NULL, NULL, 0 };
        apr_size_t end;

        pos += dlen;
        if (len - pos >= 2 && body[pos] == '-' && body[pos + 1] == '-') {
            break;      /* the closing delimiter; the epilogue is ignored */
        }
        /* delimiter_tail() saw the padding and the CRLF. */
        while (body[pos] != '\r') {
            pos++;
        }
        pos += 2;
        if (out->n >= limits->max_parts) {
            *err = MSG_TOO_MANY;
            return TL_MULTIPART_TOO_MANY_PARTS;
        }
        st = read_headers(p, body, len, &pos, limits->max_header_bytes, &part, err);
        if (st != TL_MULTIPART_OK) {
            return st;
        }
        end = find_delimiter(body, len, pos, b, blen);
        if (end == len) {
            *err = MSG_INCOMPLETE;
            return TL_MULTIPART_INCOMPLETE;
        }
        part.data = body + pos;
        part.len = end - pos;
        if (out->n == cap) {
            tl_multipart_part *grown;

            cap = cap ? cap * 2 : 8;
            grown = apr_palloc(p, sizeof(*grown) * (apr_size_t)cap);
            if (out->n) {
                memcpy(grown, out->parts, sizeof(*grown) * (apr_size_t)out->n);
            }
            out->parts = grown;
        }
        out->parts[out->n++] = part;
        pos = end + 2;
    }
    return TL_MULTIPART_OK;
}

const tl_multipart_part *tl_multipart_get(const tl_multipart *mp, const char *name)
{
    int i;

    for (i = 0; i < mp->n; i++) {
        if (strcmp(mp->parts[i].name, name) == 0) {
            return &mp->parts[i];
        }
    }
    return NULL;
}

/* ---- a body read as it arrives ------------------------------------------- */

enum { MS_PREAMBLE, MS_AFTER_DELIMITER, MS_HEADERS, MS_DATA, MS_DONE };

struct tl_multipart_stream {
    apr_pool_t *p;
    const tl_multipart_limits *lim;
    const tl_multipart_handler *h;
    void *ctx;
    const char *b;
    apr_size_t blen;
    int state;
    int nparts;
    int preamble_seen;          /* bytes of a preamble were dropped: "--b" no
                                 * longer stands at the body's start */
    char *buf;                  /* bytes received and not yet handled */
    apr_size_t len, cap;
    tl_multipart_status failed;
};

tl_multipart_status tl_multipart_stream_make(apr_pool_t *p, const char *content_type,
                                             const tl_multipart_limits *limits, const tl_multipart_handler *h,
                                             void *ctx, tl_multipart_stream **out, const char **err)
{
    tl_multipart_stream *s = apr_pcalloc(p, sizeof(*s));
    tl_multipart_status st = read_boundary(p, content_type, &s->b);

    *out = NULL;
    *err = NULL;
    if (st != TL_MULTIPART_OK) {
        *err = MSG_RESEND_FORM;
        return st;
    }
    s->p = p;
    s->lim = limits;
    s->h = h;
    s->ctx = ctx;
    s->blen = strlen(s->b);
    /* A part's headers, or a delimiter with its padding, and a margin. */
    s->cap = limits->max_header_bytes + s->blen + MS_MAX_PADDING + 64 * 1024;
    s->buf = apr_palloc(p, s->cap);
    s->state = MS_PREAMBLE;
    *out = s;
    return TL_MULTIPART_OK;
}

/* Whether "--boundary" followed by a delimiter's tail starts at buf[at]
 * (with its leading CRLF when crlf): 1 yes, 0 no, -1 not known yet. */
static int ms_delimiter_at(const tl_multipart_stream *s, apr_size_t at, int crlf, int last)
{
    const char *d = s->buf;
    apr_size_t n = s->len, k = at, need = (crlf ? 4 : 2) + s->blen, t;

    if (n - at < need) {
        apr_size_t have = n - at;
        char head[4 + TL_MULTIPART_MAX_BOUNDARY];
        memcpy(head, crlf ? "\r\n--" : "--", crlf ? 4 : 2);
        memcpy(head + (crlf ? 4 : 2), s->b, s->blen);
        return (!last && memcmp(d + at, head, have) == 0) ? -1 : 0;
    }
    if (crlf && (d[k] != '\r' || d[k + 1] != '\n')) {
        return 0;
    }
    k += crlf ? 2 : 0;
    if (d[k] != '-' || d[k + 1] != '-' || memcmp(d + k + 2, s->b, s->blen) != 0) {
        return 0;
    }
    t = k + 2 + s->blen;
    if (n - t >= 2 && d[t] == '-' && d[t + 1] == '-') {
        return 1;
    }
    while (t < n && (d[t] == ' ' || d[t] == '\t') && t - (k + 2 + s->blen) < MS_MAX_PADDING) {
        t++;
    }
    if (n - t >= 2) {
        return d[t] == '\r' && d[t + 1] == '\n';
    }
    if (t < n && d[t] != '\r' && d[t] != ' ' && d[t] != '\t' && d[t] != '-') {
        return 0;
    }
    return last ? 0 : -1;
}

static void ms_consume(tl_multipart_stream *s, apr_size_t n)
{
    memmove(s->buf, s->buf + n, s->len - n);
    s->len -= n;
}

static tl_multipart_status ms_fail(tl_multipart_stream *s, tl_multipart_status st, const char *msg,
                                   const char **err)
{
    s->failed = st;
    *err = msg;
    return st;
}

/* Handles what buf holds; returns with the bytes it cannot decide on yet
 * left in buf. */
static tl_multipart_status ms_run(tl_multipart_stream *s, int last, const char **err)
{
    for (;;) {
        switch (s->state) {
        case MS_PREAMBLE: {
            /* The first delimiter opens the body, or ends a preamble on a
             * line of its own. */
            apr_size_t i;
            int r = s->preamble_seen ? 0 : ms_delimiter_at(s, 0, 0, last);
            if (r == 1) {
                ms_consume(s, 2 + s->blen);
                s->state = MS_AFTER_DELIMITER;
                continue;
            }
            if (r < 0) {
                return TL_MULTIPART_OK;
            }
            for (i = 0; i < s->len; i++) {
                if (s->buf[i] == '\r' && (r = ms_delimiter_at(s, i, 1, last)) != 0) {
                    break;
                }
            }
            if (i < s->len && r == 1) {
                ms_consume(s, i + 4 + s->blen);
                s->state = MS_AFTER_DELIMITER;
                continue;
            }
            if (last) {
                return ms_fail(s, TL_MULTIPART_INCOMPLETE, MSG_INCOMPLETE, err);
            }
            if (i > 0) {
                s->preamble_seen = 1;
            }
            ms_consume(s, i);       /* the preamble, up to a possible delimiter */
            return TL_MULTIPART_OK;
        }
        case MS_AFTER_DELIMITER: {
            apr_size_t t = 0;
            if (s->len < 2) {
                return last ? ms_fail(s, TL_MULTIPART_INCOMPLETE, MSG_INCOMPLETE, err) : TL_MULTIPART_OK;
            }
            if (s->buf[0] == '-' && s->buf[1] == '-') {
                s->state = MS_DONE;     /* the closing delimiter; the epilogue is ignored */
                s->len = 0;
                return TL_MULTIPART_OK;
            }
            while (t < s->len && s->buf[t] != '\r') {
                t++;
            }
            if (t + 1 >= s->len) {
                return last ? ms_fail(s, TL_MULTIPART_INCOMPLETE, MSG_INCOMPLETE, err) : TL_MULTIPART_OK;
            }
            ms_consume(s, t + 2);
            if (s->nparts >= s->lim->max_parts) {
                return ms_fail(s, TL_MULTIPART_TOO_MANY_PARTS, MSG_TOO_MANY, err);
            }
            s->state = MS_HEADERS;
            continue;
        }
        case MS_HEADERS: {
            tl_multipart_part part = { NULL, NULL, NULL, NULL, 0 };
            apr_size_t pos = 0;
            tl_multipart_status st = read_headers(s->p, s->buf, s->len, &pos, s->lim->max_header_bytes, &part, err);
            if (st == TL_MULTIPART_INCOMPLETE && !last) {
                *err = NULL;
                return TL_MULTIPART_OK;
            }
            if (st != TL_MULTIPART_OK) {
                s->failed = st;
                return st;
            }
            ms_consume(s, pos);
            s->nparts++;
            if (s->h->begin(s->ctx, &part) != 0) {
                return ms_fail(s, TL_MULTIPART_STOPPED, NULL, err);
            }
            s->state = MS_DATA;
            continue;
        }
        case MS_DATA: {
            apr_size_t i = 0, keep;
            int r = 0;
            for (;;) {
                const char *cr = memchr(s->buf + i, '\r', s->len - i);
                if (!cr) {
                    i = s->len;
                    break;
                }
                i = (apr_size_t)(cr - s->buf);
                if ((r = ms_delimiter_at(s, i, 1, last)) != 0) {
                    break;
                }
                i++;
            }
            keep = s->len - i;
            if (i > 0 && s->h->data(s->ctx, s->buf, i) != 0) {
                return ms_fail(s, TL_MULTIPART_STOPPED, NULL, err);
            }
            ms_consume(s, i);
            if (r == 1) {
                if (s->h->end(s->ctx) != 0) {
                    return ms_fail(s, TL_MULTIPART_STOPPED, NULL, err);
                }
                ms_consume(s, 4 + s->blen);
                s->state = MS_AFTER_DELIMITER;
                continue;
            }
            if (last) {
                return ms_fail(s, TL_MULTIPART_INCOMPLETE, MSG_INCOMPLETE, err);
            }
            (void)keep;
            return TL_MULTIPART_OK;
        }
        default:
            s->len = 0;
            return TL_MULTIPART_OK;
        }
    }
}

tl_multipart_status tl_multipart_stream_feed(tl_multipart_stream *s, const char *data, apr_size_t len,
                                             const char **err)
{
    tl_multipart_status st;

    *err = NULL;
    if (s->failed) {
        return s->failed;
    }
    while (len > 0) {
        apr_size_t room = s->cap - s->len, take = len < room ? len : room;

        if (s->state == MS_DONE) {
            return TL_MULTIPART_OK;
        }
        memcpy(s->buf + s->len, data, take);
        s->len += take;
        data += take;
        len -= take;
        if ((st = ms_run(s, 0, err)) != TL_MULTIPART_OK) {
            return st;
        }
        if (s->len == s->cap) {
            /* Nothing could be decided in a full buffer: headers too long. */
            return ms_fail(s, TL_MULTIPART_HEADER_TOO_LONG, MSG_HEADER_LONG, err);
        }
    }
    return TL_MULTIPART_OK;
}

tl_multipart_status tl_multipart_stream_end(tl_multipart_stream *s, const char **err)
{
    tl_multipart_status st;

    *err = NULL;
    if (s->failed) {
        return s->failed;
    }
    if ((st = ms_run(s, 1, err)) != TL_MULTIPART_OK) {
        return st;
    }
    return s->state == MS_DONE ? TL_MULTIPART_OK : ms_fail(s, TL_MULTIPART_INCOMPLETE, MSG_INCOMPLETE, err);
}
