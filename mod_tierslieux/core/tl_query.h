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

/* Decodes one urlencoded name or value, s[0..n) ('+' is a space, %XX
 * escapes), into a new NUL-terminated string. Returns -1 on a broken
 * escape. Every reader of names (queries, form bodies, log masking) uses it. */
int tl_query_decode(apr_pool_t *p, const char *s, size_t n, char **out, size_t *outlen);

/* The first value of name, or NULL when absent. */
const char *tl_query_get(const tl_params *q, const char *name);

/* "path?n1=v1&n2=v2" from a NULL-terminated list of name, value pairs;
 * pairs whose value is NULL or empty are left out; values are
 * percent-encoded. The result is a URL, not yet escaped for HTML. */
const char *tl_url_build(apr_pool_t *p, const char *path, const char *const *pairs);

/* The names of the query parameters that carry a secret (one-time link
 * tokens): NULL-terminated. A page reads a secret from a query string only
 * under one of these names. */
extern const char *const tl_query_secrets[];

/* An HTTP request line ("GET /path?a=1&jeton=SECRET HTTP/1.1") with the
 * value of every parameter whose name is one of names replaced by "-",
 * the rest byte for byte: what a log may show of a one-time link. Names are
 * decoded by the query parser's own decoder before they are compared, so
 * every spelling the parser reads ("%6Aeton", "j%65ton") is masked; so are
 * names after ';', in the path, or with another case, which the parser does
 * not read. The value masked runs to the next '&', as the parser reads it.
 * line itself when there is nothing to mask. */
const char *tl_query_mask(apr_pool_t *p, const char *line, const char *const *names);

#endif
