/* Reuse of rendered pages inside one httpd process, keyed on the request
 * and on the data version the database bumps on every write: a page is
 * reused only while no write has committed since it was rendered, so it
 * always shows every committed change (never a timer). */
#ifndef TL_CACHE_H
#define TL_CACHE_H

#include <apr_pools.h>

typedef struct tl_cache tl_cache;

/* budget: bytes of bodies kept at most; 0 gives a cache that keeps nothing. */
tl_cache *tl_cache_create(apr_pool_t *pchild, apr_size_t budget);
/* What was stored for key at version, or NULL: the kept body itself,
 * shared and not copied, held until tl_cache_release (a bucket's free
 * function: the body leaves without a copy per request). */
const char *tl_cache_take(tl_cache *c, const char *key, const char *version, apr_size_t *len);
void tl_cache_release(void *body);
/* What the page stored for key said it shows (tl_version_shows_items), in
 * p, or NULL: its version is computed with it before the lookup. */
const char *tl_cache_deps(tl_cache *c, const char *key, apr_pool_t *p);
void tl_cache_put(tl_cache *c, const char *key, const char *version, const char *deps, const char *body,
                  apr_size_t len);

#endif
