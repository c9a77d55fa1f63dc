/* The router: which page answers a path below the module's base URL. The
 * table itself belongs to the pages (pages/tl_pages.c). */
#ifndef TL_ROUTER_H
#define TL_ROUTER_H

#include "tl_module.h"

typedef int (*tl_page_fn)(tl_req *q);

typedef enum {
    TL_ROUTE_PUBLIC,        /* public data: ETag and reuse keyed on the data version */
    TL_ROUTE_ASSET,         /* a static file: its own ETag, no database */
    TL_ROUTE_PRIVATE        /* the desk and the login: never stored by anyone */
} tl_route_kind;

typedef struct {
    int method;             /* M_GET (HEAD too) or M_POST */
    const char *pattern;    /* a '*' stands for one path segment, as in "/outils/{*}" */
    tl_page_fn fn;
    tl_route_kind kind;
    /* A public page: the areas of sql/logic whose tables it shows, by
     * name, separated by spaces; its version sums theirs (tl_version.h),
     * so a write elsewhere leaves it reusable. A test reads the tables its
     * queries reach and checks that every one's area is named here. */
    const char *shows;
} tl_route;

extern const tl_route tl_routes[];     /* ends with a NULL pattern */

/* The patterns of the public pages other sites may show in an iframe
 * (the embed view, oEmbed); ends with NULL. */
extern const char *const tl_embeddable[];
int tl_route_embeddable(const tl_route *route);

/* The route for method and path, with the segments its stars matched in
 * *args; NULL if none, and then *other_method says whether the path exists
 * with another method (405 rather than 404). */
const tl_route *tl_route_find(apr_pool_t *p, int method, const char *path, const char *const **args,
                              int *other_method);

#endif
