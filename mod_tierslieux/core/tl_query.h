/* tl_query — the query string of a request (or a urlencoded form body),
 * decoded and checked before any page looks at it, and URL building for
 * links that carry a query (pagination, filters). */
#ifndef TL_QUERY_H
#define TL_QUERY_H

#include <stddef.h>
#include <apr_pools.h>

typedef struct {
    const char *name;
    const char *value;      /* decoded, NUL-terminated, valid UTF-8 */
    size_t value_len;
} tl_param;

typedef struct {
    tl_param *items;
    int n;
} tl_params;

#define TL_QUERY_MAX_PARAMS 32
#define TL_QUERY_MAX_LEN 4096

/* Decodes "a=1&b=x+y" ('+' is a space, %XX escapes). Returns 0, or -1 with
 * a French message in *err: too long, too many parameters, a broken %
 * escape, bytes that are not UTF-8, a NUL or another control character. */
int tl_query_parse(apr_pool_t *p, const char *qs, size_t len, tl_params *out, const char **err);

/* The first value of name, or NULL when absent. */
const char *tl_query_get(const tl_params *q, const char *name);

/* "path?n1=v1&n2=v2" from a NULL-terminated list of name, value pairs;
 * pairs whose value is NULL or empty are left out; values are
 * percent-encoded. The result is a URL, not yet escaped for HTML. */
const char *tl_url_build(apr_pool_t *p, const char *path, const char *const *pairs);

/* An HTTP request line ("GET /path?a=1&jeton=SECRET HTTP/1.1") with the
 * value of every query parameter called name replaced by "-", the rest
 * byte for byte: what a log may show of a one-time link. line itself when
 * there is nothing to mask. */
const char *tl_query_mask(apr_pool_t *p, const char *line, const char *name);

#endif
