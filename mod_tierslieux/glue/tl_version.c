#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_thread_mutex.h>
#include <apr_thread_cond.h>
#include "tl_version.h"
#include "tl_db.h"

typedef struct {
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *done_cond;
    apr_uint64_t issued;        /* number of the last query sent */
    apr_uint64_t done;          /* number of the last query answered */
    int in_flight;
    int status;                 /* of query number done: OK or an HTTP error */
    char *version;              /* its answer (malloc'd: its size grows with the areas) */
} tl_version_state;

/* One state per virtual host: each may have its own database (mod_dbd's
 * configuration is per server). */
static apr_hash_t *tl_states;

void tl_version_child_init(apr_pool_t *pchild, server_rec *servers)
{
    server_rec *sv;

    tl_states = apr_hash_make(pchild);
    for (sv = servers; sv; sv = sv->next) {
        tl_version_state *s = apr_pcalloc(pchild, sizeof(*s));
        if (apr_thread_mutex_create(&s->lock, APR_THREAD_MUTEX_DEFAULT, pchild) == APR_SUCCESS
            && apr_thread_cond_create(&s->done_cond, pchild) == APR_SUCCESS) {
            apr_hash_set(tl_states, sv, sizeof(sv), s);
        }
    }
}

const char *tl_version_get(tl_req *q, int *status)
{
    tl_version_state *s = tl_states ? apr_hash_get(tl_states, q->r->server, sizeof(server_rec *)) : NULL;
    apr_uint64_t need, seen;
    const char *v;
    int st = OK;

    if (!s) {
        return tl_db_version(q, status);        /* no shared state: ask alone */
    }
    apr_thread_mutex_lock(s->lock);
    need = s->issued + 1;       /* the first query sent after this moment */
    seen = s->done;
    for (;;) {
        /* A query that failed while this request waited (the database did
         * not answer within its deadline, or is gone) answers it too: the
         * failure is no older than the request, and asking again would
         * make it wait a second deadline. */
        if (s->done >= need || (s->done > seen && s->status != OK)) {
            v = s->status == OK ? apr_pstrdup(q->r->pool, s->version) : NULL;
            *status = s->status;
            apr_thread_mutex_unlock(s->lock);
            return v;
        }
        if (!s->in_flight) {
            break;              /* this request sends it, for everyone waiting */
        }
        apr_thread_cond_wait(s->done_cond, s->lock);
    }
    s->issued = need;
    s->in_flight = 1;
    apr_thread_mutex_unlock(s->lock);

    v = tl_db_version(q, &st);

    apr_thread_mutex_lock(s->lock);
    s->done = need;
    s->in_flight = 0;
    s->status = v ? OK : st;
    if (v) {
        char *copy = strdup(v);
        if (copy) {
            free(s->version);
            s->version = copy;
        }
        else {
            s->status = HTTP_INTERNAL_SERVER_ERROR;   /* out of memory: as a failed query */
        }
    }
    apr_thread_cond_broadcast(s->done_cond);
    apr_thread_mutex_unlock(s->lock);
    *status = st;
    return v;
}

/* Whether name[0..n) is one of the space-separated words of list. */
static int tl_listed(const char *list, const char *name, size_t n)
{
    while (*list) {
        size_t w = strcspn(list, " ");
        if (w == n && strncmp(list, name, n) == 0) {
            return 1;
        }
        list += w;
        list += strspn(list, " ");
    }
    return 0;
}

const char *tl_version_of(apr_pool_t *p, const char *versions, const char *shows)
{
    apr_uint64_t sum = 0;
    const char *s = versions;

    while (*s) {
        size_t n = strcspn(s, "=");
        const char *v = s + n;
        if (*v != '=') {
            break;
        }
        if (tl_listed(shows ? shows : "", s, n)) {
            sum += apr_strtoi64(v + 1, NULL, 10);
        }
        s = v + 1 + strcspn(v + 1, " ");
        s += strspn(s, " ");
    }
    return apr_psprintf(p, "%" APR_UINT64_T_FMT, sum);
}
