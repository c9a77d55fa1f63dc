#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include "tl_cache.h"
#include "tl_tpl.h"

/* Direct-mapped: a key has one slot, a newer page replaces an older one.
 * Memory is malloc'd and freed per entry (a pool would only grow). */
#define TL_CACHE_SLOTS 512

typedef struct {
    char *key;
    char *version;
    char *body;
    apr_size_t len;
} tl_cache_entry;

struct tl_cache {
    apr_thread_mutex_t *lock;
    apr_size_t budget, used;
    tl_cache_entry slots[TL_CACHE_SLOTS];
};

static void tl_cache_drop(tl_cache *c, tl_cache_entry *e)
{
    if (e->key) {
        c->used -= e->len;
        free(e->key);
        free(e->version);
        free(e->body);
        memset(e, 0, sizeof(*e));
    }
}

static apr_status_t tl_cache_cleanup(void *data)
{
    tl_cache *c = data;
    int i;
    for (i = 0; i < TL_CACHE_SLOTS; i++) {
        tl_cache_drop(c, &c->slots[i]);
    }
    return APR_SUCCESS;
}

tl_cache *tl_cache_create(apr_pool_t *pchild, apr_size_t budget)
{
    tl_cache *c = apr_pcalloc(pchild, sizeof(*c));

    c->budget = budget;
    if (apr_thread_mutex_create(&c->lock, APR_THREAD_MUTEX_DEFAULT, pchild) != APR_SUCCESS) {
        c->budget = 0;
    }
    apr_pool_cleanup_register(pchild, c, tl_cache_cleanup, apr_pool_cleanup_null);
    return c;
}

static tl_cache_entry *tl_cache_slot(tl_cache *c, const char *key)
{
    return &c->slots[tl_hash64(TL_HASH64_INIT, key, strlen(key)) % TL_CACHE_SLOTS];
}

const char *tl_cache_get(tl_cache *c, const char *key, const char *version, apr_pool_t *p,
                         apr_size_t *len)
{
    tl_cache_entry *e;
    char *copy = NULL;

    if (!c || c->budget == 0) {
        return NULL;
    }
    apr_thread_mutex_lock(c->lock);
    e = tl_cache_slot(c, key);
    if (e->key && strcmp(e->key, key) == 0) {
        if (strcmp(e->version, version) == 0) {
            copy = apr_pmemdup(p, e->body, e->len);
            *len = e->len;
        }
        else {
            tl_cache_drop(c, e);        /* written over since: never useful again */
        }
    }
    apr_thread_mutex_unlock(c->lock);
    return copy;
}

void tl_cache_put(tl_cache *c, const char *key, const char *version, const char *body, apr_size_t len)
{
    tl_cache_entry *e, fresh;

    if (!c || c->budget == 0 || len > c->budget / 4) {
        return;
    }
    fresh.key = strdup(key);
    fresh.version = strdup(version);
    fresh.body = malloc(len ? len : 1);
    fresh.len = len;
    if (!fresh.key || !fresh.version || !fresh.body) {
        free(fresh.key);
        free(fresh.version);
        free(fresh.body);
        return;
    }
    memcpy(fresh.body, body, len);
    apr_thread_mutex_lock(c->lock);
    e = tl_cache_slot(c, key);
    tl_cache_drop(c, e);
    if (c->used + len > c->budget) {
        /* Full: start over rather than track ages; the pages that are
         * asked for come back at once. */
        int i;
        for (i = 0; i < TL_CACHE_SLOTS; i++) {
            tl_cache_drop(c, &c->slots[i]);
        }
    }
    *e = fresh;
    c->used += len;
    apr_thread_mutex_unlock(c->lock);
}
