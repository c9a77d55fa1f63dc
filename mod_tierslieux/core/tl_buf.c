#include <string.h>
#include <apr_file_io.h>
#include <apr_file_info.h>
#include "tl_buf.h"

apr_status_t tl_read_file(apr_pool_t *p, const char *path, char **data, apr_size_t *len)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;

    if ((rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p)) != APR_SUCCESS) {
        return rv;
    }
    if ((rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f)) == APR_SUCCESS) {
        *len = (apr_size_t)fi.size;
        *data = apr_palloc(p, *len + 1);
        rv = apr_file_read_full(f, *data, *len, len);
        if (rv == APR_EOF) {
            rv = APR_SUCCESS;
        }
        (*data)[*len] = '\0';
    }
    apr_file_close(f);
    return rv;
}

void tl_buf_init(tl_buf *b, apr_pool_t *pool, size_t initial)
{
    b->pool = pool;
    b->len = 0;
    b->cap = initial < 64 ? 64 : initial;
    b->data = apr_palloc(pool, b->cap);
}

/* Pools never free, so growth doubles to keep the total waste under 2x. */
static void tl_buf_reserve(tl_buf *b, size_t more)
{
    size_t want = b->len + more + 1;
    char *grown;

    if (want <= b->cap) {
        return;
    }
    while (b->cap < want) {
        b->cap *= 2;
    }
    grown = apr_palloc(b->pool, b->cap);
    memcpy(grown, b->data, b->len);
    b->data = grown;
}

void tl_buf_add(tl_buf *b, const char *p, size_t n)
{
    if (n == 0) {
        return;
    }
    tl_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void tl_buf_adds(tl_buf *b, const char *s)
{
    tl_buf_add(b, s, strlen(s));
}

void tl_buf_addc(tl_buf *b, char c)
{
    tl_buf_reserve(b, 1);
    b->data[b->len++] = c;
}

const char *tl_buf_cstr(tl_buf *b)
{
    tl_buf_reserve(b, 0);
    b->data[b->len] = '\0';
    return b->data;
}
