#include <string.h>
#include <apr_strings.h>
#include "tl_router.h"

#define TL_MAX_ARGS 4

static int tl_match(apr_pool_t *p, const char *pattern, const char *path, const char **args)
{
    int nargs = 0;

    while (*pattern && *path) {
        if (*pattern == '*') {
            const char *end = strchr(path, '/');
            size_t n = end ? (size_t)(end - path) : strlen(path);
            if (n == 0 || nargs == TL_MAX_ARGS) {
                return 0;
            }
            args[nargs++] = apr_pstrmemdup(p, path, n);
            path += n;
            pattern++;
            continue;
        }
        if (*pattern != *path) {
            return 0;
        }
        pattern++;
        path++;
    }
    return *pattern == '\0' && *path == '\0';
}

const tl_route *tl_route_find(apr_pool_t *p, int method, const char *path, const char *const **args,
                              int *other_method)
{
    const tl_route *route;
    const char **found = apr_pcalloc(p, sizeof(char *) * (TL_MAX_ARGS + 1));

    *other_method = 0;
    for (route = tl_routes; route->pattern; route++) {
        if (tl_match(p, route->pattern, path, found)) {
            if (route->method == method) {
                *args = found;
                return route;
            }
            *other_method = 1;
        }
    }
    return NULL;
}

int tl_route_embeddable(const tl_route *route)
{
    const char *const *e;

    for (e = tl_embeddable; route && route->kind == TL_ROUTE_PUBLIC && *e; e++) {
        if (strcmp(*e, route->pattern) == 0) {
            return 1;
        }
    }
    return 0;
}
