#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include "tl_cache.h"
#include "tl_tpl.h"

/* Set-associative: a key may sit in any of the TL_CACHE_WAYS slots of its
 * set, and a new page takes the one used longest ago (a direct-mapped
 * table would let two pages asked for all day evict each other at every
 * request). Memory is malloc'd and freed per entry (a pool would only
 * grow). */
#define TL_CACHE_WAYS 4
#define TL_CACHE_SLOTS 1024

/* A kept body, shared by the entry and the requests sending it: the last
 * to let go frees it. */
typedef struct {
    apr_uint32_t refs;
    char data[];
} tl_cache_body;

#define TL_CACHE_BODY(p) ((tl_cache_body *)(void *)((char *)(p) - offsetof(tl_cache_body, data)))

void tl_cache_release(void *body)
{
    tl_cache_body *b = TL_CACHE_BODY(body);
    if (apr_atomic_dec32(&b->refs) == 0) {
        free(b);
    }
}

typedef struct {
    char *key;
    char *version;
    char *deps;                     /* what the page said it shows, or NULL */
    char *body;                     /* the data of a tl_cache_body */
    apr_size_t len;
    apr_uint64_t used_at;           /* the cache's clock at its last use */
} tl_cache_entry;

struct tl_cache {
    apr_thread_mutex_t *lock;
    apr_size_t budget, used;
    apr_uint64_t clock;
    tl_cache_entry slots[TL_CACHE_SLOTS];
};

static void tl_cache_drop(tl_cache *c, tl_cache_entry *e)
{
    if (e->key) {
        c->used -= e->len;
        free(e->key);
        free(e->version);
        free(e->deps);
        tl_cache_release(e->body);
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

/* key's slot, or (for a page to keep) the slot it should take: an empty
 * one of its set, or the one used longest ago. */
static tl_cache_entry *tl_cache_slot(tl_cache *c, const char *key, int to_keep)
{
    tl_cache_entry *set = &c->slots[tl_hash64(TL_HASH64_INIT, key, strlen(key))
                                     % (TL_CACHE_SLOTS / TL_CACHE_WAYS) * TL_CACHE_WAYS];
    tl_cache_entry *take = set;
    int i;

    for (i = 0; i < TL_CACHE_WAYS; i++) {
        if (set[i].key && strcmp(set[i].key, key) == 0) {
            set[i].used_at = ++c->clock;
            return &set[i];
        }
        if (take->key && (!set[i].key || set[i].used_at < take->used_at)) {
            take = &set[i];
        }
    }
    return to_keep ? take : NULL;
}

const char *tl_cache_take(tl_cache *c, const char *key, const char *version, apr_size_t *len)
{
    tl_cache_entry *e;
    char *copy = NULL;

    if (!c || c->budget == 0) {
        return NULL;
    }
    apr_thread_mutex_lock(c->lock);
    if ((e = tl_cache_slot(c, key, 0)) != NULL) {
        if (strcmp(e->version, version) == 0) {
            apr_atomic_inc32(&TL_CACHE_BODY(e->body)->refs);
            copy = e->body;
            *len = e->len;
        }
        else {
            tl_cache_drop(c, e);        /* written over since: never useful again */
        }
    }
    apr_thread_mutex_unlock(c->lock);
    return copy;
}

const char *tl_cache_deps(tl_cache *c, const char *key, apr_pool_t *p)
{
    tl_cache_entry *e;
    const char *deps = NULL;

    if (!c || c->budget == 0) {
        return NULL;
    }
    apr_thread_mutex_lock(c->lock);
    if ((e = tl_cache_slot(c, key, 0)) != NULL && e->deps) {
        deps = apr_pstrdup(p, e->deps);
    }
    apr_thread_mutex_unlock(c->lock);
    return deps;
}

void tl_cache_put(tl_cache *c, const char *key, const char *version, const char *deps, const char *body,
                  apr_size_t len)
{
    tl_cache_entry *e, fresh;
    tl_cache_body *b;

    if (!c || c->budget == 0 || len > c->budget / 4) {
        return;
    }
    fresh.key = strdup(key);
    fresh.version = strdup(version);
    fresh.deps = deps ? strdup(deps) : NULL;
    b = malloc(offsetof(tl_cache_body, data) + (len ? len : 1));
    if (!fresh.key || !fresh.version || (deps && !fresh.deps) || !b) {
        free(fresh.key);
        free(fresh.version);
        free(fresh.deps);
        free(b);
        return;
    }
    b->refs = 1;
    memcpy(b->data, body, len);
    fresh.body = b->data;
    fresh.len = len;
    apr_thread_mutex_lock(c->lock);
    e = tl_cache_slot(c, key, 1);
    tl_cache_drop(c, e);
    fresh.used_at = ++c->clock;
    while (c->used + len > c->budget) {
        /* Full: the pages used longest ago make room. */
        tl_cache_entry *old = NULL;
        int i;
        for (i = 0; i < TL_CACHE_SLOTS; i++) {
            if (c->slots[i].key && (!old || c->slots[i].used_at < old->used_at)) {
                old = &c->slots[i];
            }
        }
        if (!old) {
            break;
        }
        tl_cache_drop(c, old);
    }
    *e = fresh;
    c->used += len;
    apr_thread_mutex_unlock(c->lock);
}
