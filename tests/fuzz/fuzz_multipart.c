/*
 * libFuzzer target for tl_multipart_parse(): the body of an upload is
 * whatever a client sends. The input is the Content-Type header value, a
 * bare line feed, then the body, so the corpus holds readable requests;
 * when the first line feed (in the first 200 bytes) ends a CRLF or there
 * is none, the whole input is the body of "boundary=b". Any broken
 * invariant aborts, so the fuzzer and the corpus replay report it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "tl_multipart.h"
#include "tl_escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

/* What the glue will show or store: UTF-8 without control characters. */
static int valid_text(const char *s)
{
    size_t n = strlen(s), i;

    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            return 0;
        }
    }
    return tl_utf8_valid(s, n);
}

/* The same body read as it arrives: each part's name, filename and
 * content put together from the pieces the stream hands over. */
typedef struct {
    apr_pool_t *p;
    tl_multipart_part parts[16];
    char *content[16];
    apr_size_t used[16];
    int n;
} collected;

static int got_begin(void *ctx, const tl_multipart_part *part)
{
    collected *c = ctx;

    check(c->n < 16);
    c->parts[c->n] = *part;
    c->content[c->n] = apr_palloc(c->p, 1 << 16);
    c->used[c->n] = 0;
    c->n++;
    return 0;
}

static int got_data(void *ctx, const char *data, apr_size_t len)
{
    collected *c = ctx;

    check(c->n > 0 && c->used[c->n - 1] + len <= (1 << 16));
    memcpy(c->content[c->n - 1] + c->used[c->n - 1], data, len);
    c->used[c->n - 1] += len;
    return 0;
}

static int got_end(void *ctx)
{
    (void)ctx;
    return 0;
}

/* A body the whole-body parser accepts gives the same parts by stream,
 * fed in pieces of chunk bytes. */
static void same_by_stream(apr_pool_t *p, const char *ct, const char *body, apr_size_t len,
                           const tl_multipart_limits *limits, const tl_multipart *mp, apr_size_t chunk)
{
    static const tl_multipart_handler h = { got_begin, got_data, got_end };
    collected c;
    tl_multipart_stream *s;
    const char *err;
    apr_size_t off;
    int i;

    memset(&c, 0, sizeof(c));
    c.p = p;
    check(tl_multipart_stream_make(p, ct, limits, &h, &c, &s, &err) == TL_MULTIPART_OK);
    for (off = 0; off < len; off += chunk) {
        check(tl_multipart_stream_feed(s, body + off, len - off < chunk ? len - off : chunk, &err)
              == TL_MULTIPART_OK);
    }
    check(tl_multipart_stream_end(s, &err) == TL_MULTIPART_OK);
    check(c.n == mp->n);
    for (i = 0; i < c.n; i++) {
        check(strcmp(c.parts[i].name, mp->parts[i].name) == 0);
        check((c.parts[i].filename == NULL) == (mp->parts[i].filename == NULL));
        check(c.used[i] == mp->parts[i].len && memcmp(c.content[i], mp->parts[i].data, c.used[i]) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    const tl_multipart_limits limits = { 8, 512 };
    const char *in = (const char *)data, *body, *ct, *err = NULL;
    const char *nl = memchr(in, '\n', size < 200 ? size : 200);
    apr_size_t len;
    apr_pool_t *p;
    tl_multipart mp;
    tl_multipart_status st;
    int i;

    if (!ready) {
        apr_initialize();
        ready = 1;
    }
    apr_pool_create(&p, NULL);
    if (nl && nl > in && nl[-1] == '\r') {
        nl = NULL;
    }
    if (nl) {
        ct = apr_pstrmemdup(p, in, (apr_size_t)(nl - in));
        body = nl + 1;
        len = size - (apr_size_t)(nl - in) - 1;
    }
    else {
        ct = "multipart/form-data; boundary=b";
        body = in;
        len = size;
    }

    st = tl_multipart_parse(p, ct, body, len, &limits, &mp, &err);
    if (st != TL_MULTIPART_OK) {
        check(err != NULL && *err != '\0');
        apr_pool_destroy(p);
        return 0;
    }
    check(err == NULL);
    check(mp.n >= 0 && mp.n <= limits.max_parts);
    for (i = 0; i < mp.n; i++) {
        const tl_multipart_part *part = &mp.parts[i];
        const tl_multipart_part *named = tl_multipart_get(&mp, part->name);

        check(part->name != NULL && *part->name != '\0' && valid_text(part->name));
        check(part->filename == NULL || valid_text(part->filename));
        /* The content lies inside the body, after the previous part's, and
         * is followed by at least "\r\n--" and a boundary. */
        check(part->data >= body && part->len <= len && part->data + part->len + 5 <= body + len);
        check(memcmp(part->data + part->len, "\r\n--", 4) == 0);
        if (i > 0) {
            check(mp.parts[i - 1].data + mp.parts[i - 1].len < part->data);
        }
        check(named != NULL && named <= part && strcmp(named->name, part->name) == 0);
    }
    /* Padding of more than 64 spaces after a delimiter is where the two
     * readers part: the stream does not wait that long. */
    if (len < (1 << 16) && !strstr(apr_pstrmemdup(p, body, len), "                                                                 ")) {
        same_by_stream(p, ct, body, len, &limits, &mp, 1);
        same_by_stream(p, ct, body, len, &limits, &mp, 7);
        same_by_stream(p, ct, body, len, &limits, &mp, len ? len : 1);
    }
    /* A lower limit stops at the same part: the limit is checked in order,
     * before that part is read. */
    if (mp.n > 0) {
        tl_multipart_limits fewer = limits;
        tl_multipart again;

        fewer.max_parts = mp.n - 1;
        err = NULL;
        check(tl_multipart_parse(p, ct, body, len, &fewer, &again, &err) == TL_MULTIPART_TOO_MANY_PARTS);
        check(err != NULL);
    }
    apr_pool_destroy(p);
    return 0;
}
