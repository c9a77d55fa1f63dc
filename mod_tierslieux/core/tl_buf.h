/* tl_buf — a growable byte buffer whose memory belongs to an APR pool.
 *
 * The renderer writes a whole page into one buffer, so the glue can hand
 * it to httpd as a single bucket and keep a copy for reuse. */
#ifndef TL_BUF_H
#define TL_BUF_H

#include <stddef.h>
#include <apr_pools.h>

typedef struct tl_buf {
    apr_pool_t *pool;
    char *data;
    size_t len;
    size_t cap;
} tl_buf;

void tl_buf_init(tl_buf *b, apr_pool_t *pool, size_t initial);
void tl_buf_add(tl_buf *b, const char *p, size_t n);
void tl_buf_adds(tl_buf *b, const char *s);
void tl_buf_addc(tl_buf *b, char c);
/* The contents as a NUL-terminated string (the NUL is not counted in len). */
const char *tl_buf_cstr(tl_buf *b);

/* A whole file read into memory from p, NUL-terminated (templates, layouts,
 * the stylesheet: all read once at startup). */
apr_status_t tl_read_file(apr_pool_t *p, const char *path, char **data, apr_size_t *len);

#endif
