#include <stdlib.h>
#include <string.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_thread_mutex.h>
#include <apr_thread_cond.h>
#include "tl_version.h"
#include "tl_db.h"

/* The lending buckets as one query read them, shared by the requests that
 * use them (malloc'd, freed by the last). */
struct tl_lending_versions {
    apr_uint32_t refs;
    apr_uint64_t area_version;      /* lending's version when they were read */
    apr_uint64_t bucket[TL_LENDING_BUCKETS];
};

typedef struct {
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *done_cond;
    apr_uint64_t issued;        /* number of the last query sent */
    apr_uint64_t done;          /* number of the last query answered */
    int in_flight;
    int status;                 /* of query number done: OK or an HTTP error */
    char *versions;             /* its answer (malloc'd: its size grows with the areas) */
    struct tl_lending_versions *lending; /* the buckets at the same moment, or NULL */
} tl_version_state;

/* One state per virtual host: each may have its own database (mod_dbd's
 * configuration is per server). */
static apr_hash_t *tl_states;

static void tl_lending_release(struct tl_lending_versions *l)
{
    if (l && apr_atomic_dec32(&l->refs) == 0) {
        free(l);
    }
}

static apr_status_t tl_lending_cleanup(void *data)
{
    tl_lending_release(data);
    return APR_SUCCESS;
}

static apr_status_t tl_state_cleanup(void *data)
{
    tl_version_state *s = data;
    free(s->versions);
    tl_lending_release(s->lending);
    return APR_SUCCESS;
}

void tl_version_child_init(apr_pool_t *pchild, server_rec *servers)
{
    server_rec *sv;

    tl_states = apr_hash_make(pchild);
    for (sv = servers; sv; sv = sv->next) {
        tl_version_state *s = apr_pcalloc(pchild, sizeof(*s));
        if (apr_thread_mutex_create(&s->lock, APR_THREAD_MUTEX_DEFAULT, pchild) == APR_SUCCESS
            && apr_thread_cond_create(&s->done_cond, pchild) == APR_SUCCESS) {
            apr_pool_cleanup_register(pchild, s, tl_state_cleanup, apr_pool_cleanup_null);
            apr_hash_set(tl_states, sv, sizeof(sv), s);
        }
    }
}

/* Every area's version; lending's alone; and the buckets, only when
 * lending's version is not $1 (those this process holds). One statement:
 * the buckets are of the same moment as the areas. */
static const char tl_sql_versions[] =
    "SELECT x.areas, x.lending, "
    "       CASE WHEN x.lending IS DISTINCT FROM $1::bigint "
    "            THEN (SELECT string_agg(version::text, ' ' ORDER BY bucket) FROM tl.lending_version) END "
    "  FROM (SELECT string_agg(area || '=' || v, ' ' ORDER BY area) AS areas, "
    "               sum(v) FILTER (WHERE area = 'lending') AS lending "
    "          FROM (SELECT area, sum(version) AS v FROM tl.data_version GROUP BY area) a) x";

/* The buckets of the answer, in a fresh struct holding one reference, or
 * NULL when the answer has none (or not all of them). */
static struct tl_lending_versions *tl_lending_parse(const char *lending, const char *list)
{
    struct tl_lending_versions *l;
    char *end;
    int i;

    if (!lending || !list || !(l = malloc(sizeof(*l)))) {
        return NULL;
    }
    l->refs = 1;
    l->area_version = apr_strtoi64(lending, NULL, 10);
    for (i = 0; i < TL_LENDING_BUCKETS; i++) {
        l->bucket[i] = apr_strtoi64(list, &end, 10);
        if (end == list) {
            free(l);
            return NULL;
        }
        list = end + strspn(end, " ");
    }
    if (*list) {
        free(l);
        return NULL;
    }
    return l;
}

/* Sends the query (s->lock not held: only this request has one in
 * flight) and stores its answer in s under s->lock. */
static int tl_version_read(tl_req *q, tl_version_state *s, const char *known, int *status)
{
    const tl_rows *rows = tl_db_query(q, tl_sql_versions, 1, &known, status);
    const char *areas, *lending, *list;
    struct tl_lending_versions *fresh;
    char *copy;
    size_t len;
    int moved;

    if (!rows) {
        return 0;
    }
    if (rows->count(rows) != 1 || !(areas = rows->value(rows, 0, 0, &len))) {
        *status = HTTP_INTERNAL_SERVER_ERROR;
        return 0;
    }
    lending = rows->value(rows, 0, 1, &len);
    list = rows->value(rows, 0, 2, &len);
    /* Lending moved (or has no rows): the new buckets, or none if they
     * cannot be read, and pages count lending whole. */
    moved = list || !lending;
    fresh = moved ? tl_lending_parse(lending, list) : NULL;
    if (!(copy = strdup(areas))) {
        tl_lending_release(fresh);
        *status = HTTP_INTERNAL_SERVER_ERROR;   /* out of memory: as a failed query */
        return 0;
    }
    apr_thread_mutex_lock(s->lock);
    free(s->versions);
    s->versions = copy;
    if (moved) {
        tl_lending_release(s->lending);
        s->lending = fresh;
    }
    apr_thread_mutex_unlock(s->lock);
    return 1;
}

/* q takes the answer in s (s->lock held). */
static void tl_version_take(tl_req *q, tl_version_state *s)
{
    q->versions = apr_pstrdup(q->r->pool, s->versions);
    q->lending = s->lending;
    if (q->lending) {
        apr_atomic_inc32(&q->lending->refs);
        apr_pool_cleanup_register(q->r->pool, q->lending, tl_lending_cleanup, apr_pool_cleanup_null);
    }
}

int tl_version_get(tl_req *q, int *status)
{
    tl_version_state *s = tl_states ? apr_hash_get(tl_states, q->r->server, sizeof(server_rec *)) : NULL;
    apr_uint64_t need, seen;
    char known[24];
    int st = OK;

    q->lending = NULL;
    if (!s) {
        /* No shared state: ask alone, the areas only. */
        const tl_rows *rows = tl_db_query(q, tl_sql_versions, 1, (const char *[]){ "-1" }, status);
        size_t len;
        if (!rows || rows->count(rows) != 1 || !(q->versions = rows->value(rows, 0, 0, &len))) {
            *status = rows ? HTTP_INTERNAL_SERVER_ERROR : *status;
            return 0;
        }
        return 1;
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
            *status = s->status;
            if (s->status == OK) {
                tl_version_take(q, s);
            }
            apr_thread_mutex_unlock(s->lock);
            return *status == OK;
        }
        if (!s->in_flight) {
            break;              /* this request sends it, for everyone waiting */
        }
        apr_thread_cond_wait(s->done_cond, s->lock);
    }
    s->issued = need;
    s->in_flight = 1;
    apr_snprintf(known, sizeof(known), "%" APR_INT64_T_FMT, s->lending ? (apr_int64_t)s->lending->area_version : -1);
    apr_thread_mutex_unlock(s->lock);

    if (!tl_version_read(q, s, known, &st)) {
        apr_thread_mutex_lock(s->lock);
        s->status = st;
    }
    else {
        apr_thread_mutex_lock(s->lock);
        s->status = OK;
        tl_version_take(q, s);
    }
    s->done = need;
    s->in_flight = 0;
    apr_thread_cond_broadcast(s->done_cond);
    apr_thread_mutex_unlock(s->lock);
    *status = st;
    return st == OK;
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

/* seen[b] set for each bucket b of a list "12_345_1030" (NULL: none). */
static void tl_deps_read(const char *deps, char seen[TL_LENDING_BUCKETS])
{
    const char *d = deps ? deps : "";
    char *end;

    memset(seen, 0, TL_LENDING_BUCKETS);
    while (*d) {
        apr_int64_t b = apr_strtoi64(d, &end, 10);
        if (end == d || b < 0 || b >= TL_LENDING_BUCKETS) {
            break;
        }
        seen[b] = 1;
        d = end + (*end == '_');
    }
}

const char *tl_version_page(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    const char *s = q->versions, *shows = q->shows ? q->shows : "";
    int by_buckets = q->deps && q->lending && tl_listed(shows, "lending", 7);
    apr_uint64_t sum = 0;
    apr_time_exp_t day;
    const char *v;

    while (*s) {
        size_t n = strcspn(s, "=");
        const char *num = s + n;
        if (*num != '=') {
            break;
        }
        if (tl_listed(shows, s, n) && !(by_buckets && n == 7 && strncmp(s, "lending", 7) == 0)) {
            sum += apr_strtoi64(num + 1, NULL, 10);
        }
        s = num + 1 + strcspn(num + 1, " ");
        s += strspn(s, " ");
    }
    if (by_buckets) {
        char seen[TL_LENDING_BUCKETS];
        apr_uint64_t buckets = 0;
        int b;
        tl_deps_read(q->deps, seen);
        for (b = 0; b < TL_LENDING_BUCKETS; b++) {
            buckets += seen[b] ? q->lending->bucket[b] : 0;
        }
        /* The list itself is in the version: any process, knowing nothing
         * of the page, can check an ETag it is sent (tl_version_deps_of). */
        v = apr_psprintf(p, "%" APR_UINT64_T_FMT ".%" APR_UINT64_T_FMT ".i%s", sum, buckets, q->deps);
    }
    else {
        v = apr_psprintf(p, "%" APR_UINT64_T_FMT, sum);
    }
    /* Nothing is reused past midnight. */
    apr_time_exp_lt(&day, q->r->request_time);
    return apr_psprintf(p, "%s.%04d%02d%02d", v, day.tm_year + 1900, day.tm_mon + 1, day.tm_mday);
}

/* q->deps: the buckets base + id % modulo of the ids in rows' column col,
 * with those it already names. */
static void tl_version_shows(tl_req *q, const tl_rows *rows, const char *col, int base, int modulo)
{
    char seen[TL_LENDING_BUCKETS];
    int c = rows->column(rows, col), i, n = rows->count(rows);
    tl_buf out;
    size_t len;

    if (c < 0) {
        q->deps = NULL;             /* not known: lending counts whole */
        return;
    }
    tl_deps_read(q->deps, seen);
    for (i = 0; i < n; i++) {
        const char *id = rows->value(rows, i, c, &len);
        apr_int64_t v = id ? apr_strtoi64(id, NULL, 10) : -1;
        if (v < 0) {
            q->deps = NULL;
            return;
        }
        seen[base + v % modulo] = 1;
    }
    tl_buf_init(&out, q->r->pool, 256);
    for (i = 0; i < TL_LENDING_BUCKETS; i++) {
        if (seen[i]) {
            if (out.len) {
                tl_buf_addc(&out, '_');
            }
            tl_buf_adds(&out, apr_itoa(q->r->pool, i));
        }
    }
    q->deps = tl_buf_cstr(&out);
}

void tl_version_shows_items(tl_req *q, const tl_rows *rows, const char *col)
{
    tl_version_shows(q, rows, col, 0, TL_ITEM_BUCKETS);
}

void tl_version_shows_places(tl_req *q, const tl_rows *rows, const char *col)
{
    tl_version_shows(q, rows, col, TL_ITEM_BUCKETS, TL_PLACE_BUCKETS);
}

const char *tl_version_deps_of(apr_pool_t *p, const char *etag)
{
    const char *list;
    size_t n;

    /* "SUM.ITEMS.iB_B_B.DAY-VARIANT", weak or not */
    if (!etag || !(list = strstr(etag, ".i"))) {
        return NULL;
    }
    list += 2;
    n = strspn(list, "0123456789_");
    if (list[n] != '.' || n > 5 * TL_LENDING_BUCKETS) {
        return NULL;
    }
    return apr_pstrmemdup(p, list, n);
}
