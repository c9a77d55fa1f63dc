#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <apr_strings.h>
#include <apr_optional.h>
#include <apr_atomic.h>
#include <apr_thread_mutex.h>
#include <apr_dbd.h>
#include <mod_dbd.h>
#include <libpq-fe.h>
#include "tl_db.h"
#include "tl_config.h"

/* Every call to PostgreSQL has a deadline kept here, by the client: a
 * server-side timeout never fires when the server itself does not run (a
 * stopped or swapped-out host, a network that drops packets). libpq is used
 * in its non-blocking way — the statement sent, then poll() on its socket
 * until the answer or the deadline — and a call that runs out of time
 * drops its connection: mod_dbd then makes a new one for the next request,
 * rather than handing out one whose state nobody knows. */
struct tl_db {
    ap_dbd_t *dbd;
    PGconn *conn;
    request_rec *r;                 /* the initial request, which holds the connection */
    apr_interval_time_t timeout;    /* TiersLieuxDatabaseTimeout where it was acquired */
    int lost;                       /* a call ran out of time: no more calls in this request */
    PGconn *pooled;                 /* mod_dbd's, while conn is the request's own (tl_db_writable) */
    int no_primary;                 /* tl_db_writable found none: not asked again in this request */
};

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *tl_dbd_acquire;

/* mod_dbd makes a new connection while holding its pool's lock (apr-util's
 * reslist): while PostgreSQL does not answer, each attempt holds it for
 * connect_timeout, and a process's requests would queue behind one another
 * for as long as there are requests (26 s measured with 40 of them). So a
 * process enters mod_dbd one request at a time through a gate of its own,
 * waited for at most until the call's deadline, and once the database has
 * failed to answer, the process answers 503 at once for a moment
 * (TL_DB_PAUSE) instead of asking again for every request. */
#define TL_DB_PAUSE apr_time_from_sec(1)
#define TL_DB_CONNECT_TIME apr_time_from_sec(2)
static apr_thread_mutex_t *tl_db_gate;
static apr_uint64_t tl_db_down_until;      /* apr_time_t */

void tl_db_child_init(apr_pool_t *pchild)
{
    if (apr_thread_mutex_create(&tl_db_gate, APR_THREAD_MUTEX_TIMED, pchild) != APR_SUCCESS) {
        tl_db_gate = NULL;
    }
}

static int tl_db_paused(void)
{
    return apr_time_now() < (apr_time_t)apr_atomic_read64(&tl_db_down_until);
}

static void tl_db_pause(void)
{
    apr_atomic_set64(&tl_db_down_until, (apr_uint64_t)(apr_time_now() + TL_DB_PAUSE));
}

const char *tl_db_init(void)
{
    tl_dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    if (!tl_dbd_acquire) {
        return "mod_tierslieux needs mod_dbd: add \"LoadModule dbd_module modules/mod_dbd.so\" "
               "and \"DBDriver pgsql\" to the configuration";
    }
    return NULL;
}

apr_interval_time_t tl_db_timeout(request_rec *r)
{
    const tl_dir_conf *dc = ap_get_module_config(r->per_dir_config, &tierslieux_module);
    return tl_conf_db_timeout(dc);
}

/* Waits until libpq has sent all it holds and can hand over a result
 * without blocking. 1 when it can (a result, or the error that ended the
 * connection); 0 when the deadline came first. */
static int tl_pg_wait(PGconn *conn, apr_time_t deadline)
{
    for (;;) {
        int pending = PQflush(conn);
        apr_interval_time_t left;
        struct pollfd pfd;
        int n;

        if (pending < 0 || (!pending && !PQisBusy(conn))) {
            return 1;
        }
        if ((left = deadline - apr_time_now()) <= 0) {
            return 0;
        }
        if ((pfd.fd = PQsocket(conn)) < 0) {
            return 1;
        }
        pfd.events = POLLIN | (pending ? POLLOUT : 0);
        pfd.revents = 0;
        n = poll(&pfd, 1, (int)((left + 999) / 1000));
        if (n < 0 && errno != EINTR) {
            return 1;
        }
        if (n > 0 && (pfd.revents & (POLLIN | POLLERR | POLLHUP)) && !PQconsumeInput(conn)) {
            return 1;                       /* lost: PQgetResult will say so */
        }
    }
}

/* Sends one statement without waiting for it; 0 when it could not be
 * sent (the connection is gone). */
static int tl_pg_send(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    return PQsetnonblocking(conn, 1) == 0 && PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
}

/* The answer to the statement sent, before deadline: NULL with *late set
 * when time ran out, otherwise its result, success or error. */
static PGresult *tl_pg_collect(PGconn *conn, apr_time_t deadline, int *late)
{
    PGresult *res, *last = NULL;

    *late = 0;
    for (;;) {
        if (!tl_pg_wait(conn, deadline)) {
            *late = 1;
            PQclear(last);
            return NULL;
        }
        if (!(res = PQgetResult(conn))) {
            return last;
        }
        PQclear(last);
        last = res;
    }
}

/* One statement, sent and answered before deadline. NULL with *late set
 * when time ran out; NULL without it when it could not even be sent (the
 * connection is gone). Otherwise its result, success or error. */
static PGresult *tl_pg_exec(PGconn *conn, const char *sql, int nparams, const char *const *params,
                            apr_time_t deadline, int *late)
{
    *late = 0;
    return tl_pg_send(conn, sql, nparams, params) ? tl_pg_collect(conn, deadline, late) : NULL;
}

/* Gives up a connection whose call ran out of time: its socket is shut
 * down, so libpq sees the end at once and closes it (CONNECTION_BAD), and
 * mod_dbd, finding it bad when it next hands it out, connects again. The
 * statement may still run if the server wakes up; a change is one
 * transaction, so it is then whole, never half done. */
static void tl_db_abandon(tl_db *db)
{
    int fd = PQsocket(db->conn);

    if (fd >= 0) {
        shutdown(fd, SHUT_RDWR);
        PQconsumeInput(db->conn);
    }
    db->lost = 1;
    tl_db_pause();
}

/* Drives a connection begun without blocking (PQconnectStartParams, or
 * PQresetStart when reset) until it is made or fails, or deadline comes:
 * 1 when made; 0 otherwise, with *late set when it was still waiting. */
static int tl_pg_connect_poll(PGconn *conn, int reset, apr_time_t deadline, int *late)
{
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;

    *late = 0;
    for (;;) {
        apr_interval_time_t left;
        struct pollfd pfd;
        int n;

        if (st == PGRES_POLLING_OK) {
            return 1;
        }
        if (st == PGRES_POLLING_FAILED || PQstatus(conn) == CONNECTION_BAD) {
            return 0;
        }
        if ((left = deadline - apr_time_now()) <= 0 || (pfd.fd = PQsocket(conn)) < 0) {
            *late = 1;
            return 0;
        }
        pfd.events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        pfd.revents = 0;
        n = poll(&pfd, 1, (int)((left + 999) / 1000));
        if (n < 0 && errno != EINTR) {
            *late = 1;
            return 0;
        }
        if (n > 0) {
            st = reset ? PQresetPoll(conn) : PQconnectPoll(conn);
        }
    }
}

/* One attempt of tl_db_reset. Left half connected, the connection is not
 * CONNECTION_OK, so mod_dbd resets it before handing it out again. Only a
 * database that made us wait pauses the process: one that refuses at once
 * (stopped, or starting again) costs nothing to ask again. */
static int tl_db_reset_once(tl_db *db, apr_time_t deadline)
{
    int late = 0;

    if (PQresetStart(db->conn) && tl_pg_connect_poll(db->conn, 1, deadline, &late)) {
        return 1;
    }
    db->lost = 1;
    if (late) {
        tl_db_pause();
    }
    return 0;
}

/* Connects again in place (PostgreSQL restarted since this pooled
 * connection was made, or the primary stopped and DBDParams names its
 * standby next), without waiting past deadline. 1 when connected. An
 * attempt refused at once is made a second time: a server in its last
 * instant may accept a connection and cut it before libpq could go on to
 * the next server of the list. */
static int tl_db_reset(tl_db *db, apr_time_t deadline)
{
    if (tl_db_reset_once(db, deadline)) {
        return 1;
    }
    if (tl_db_paused() || apr_time_now() >= deadline) {
        return 0;
    }
    db->lost = 0;
    return tl_db_reset_once(db, deadline);
}

static void tl_db_log_late(tl_db *db, request_rec *r)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                  TLXLOGNO(0207) "the database did not answer within %" APR_TIME_T_FMT " ms "
                  "(TiersLieuxDatabaseTimeout): connection dropped", apr_time_as_msec(db->timeout));
}

/* A connection goes back to mod_dbd's pool clean: never inside a
 * transaction, never with a statement in flight. Registered after mod_dbd's
 * own release, so it runs first. */
static apr_status_t tl_db_release(void *data)
{
    tl_db *db = data;
    PGresult *res;
    int late;

    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        return APR_SUCCESS;
    }
    switch (PQtransactionStatus(db->conn)) {
    case PQTRANS_IDLE:
        break;
    case PQTRANS_INTRANS:
    case PQTRANS_INERROR:
        res = tl_pg_exec(db->conn, "ROLLBACK", 0, NULL, apr_time_now() + db->timeout, &late);
        PQclear(res);
        if (late) {
            tl_db_log_late(db, db->r);
            tl_db_abandon(db);
        }
        break;
    default:                                /* a statement in flight: state unknown */
        tl_db_abandon(db);
        break;
    }
    if (PQstatus(db->conn) == CONNECTION_OK) {
        PQsetnonblocking(db->conn, 0);      /* as apr_dbd_pgsql expects it */
    }
    return APR_SUCCESS;
}

/* The request that holds mod_dbd's connection: the first of an internal
 * redirect's chain, the main request of a subrequest (as mod_dbd finds it). */
static request_rec *tl_db_holder(request_rec *r)
{
    while (r->main || r->prev) {
        r = r->main ? r->main : r->prev;
    }
    return r;
}

static tl_db *tl_db_get(tl_req *q, apr_time_t deadline)
{
    apr_time_t asked_dbd;
    request_rec *r;
    ap_dbd_t *dbd;
    tl_db *db;
    void *found = NULL;
    apr_interval_time_t left;

    if (q->db) {
        return q->db;
    }
    /* One state per connection held, shared by the authentication
     * providers and the page: a request whose database ran out of time
     * does not wait for it again. */
    r = tl_db_holder(q->r);
    apr_pool_userdata_get(&found, "tierslieux-db", r->pool);
    if (found) {
        return q->db = found;
    }
    if (tl_db_paused()) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r,
                      TLXLOGNO(0209) "the database did not answer a moment ago: 503 at once");
        return NULL;
    }
    if (tl_db_gate) {
        apr_time_t asked = apr_time_now();
        if ((left = deadline - asked) <= 0 || apr_thread_mutex_timedlock(tl_db_gate, left) != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0208) "no database connection within %"
                          APR_TIME_T_FMT " ms (TiersLieuxDatabaseTimeout)", apr_time_as_msec(tl_db_timeout(q->r)));
            return NULL;
        }
        /* A new connection may take connect_timeout (2 s in DBDParams,
         * libpq's least): after a wait at a gate held for microseconds
         * when all is well (connections are hanging), none is begun that
         * would end past the deadline. */
        if (apr_time_now() - asked > apr_time_from_msec(100) && deadline - apr_time_now() < TL_DB_CONNECT_TIME) {
            apr_thread_mutex_unlock(tl_db_gate);
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0208) "no database connection within %"
                          APR_TIME_T_FMT " ms (TiersLieuxDatabaseTimeout)", apr_time_as_msec(tl_db_timeout(q->r)));
            return NULL;
        }
        if (tl_db_paused()) {
            apr_thread_mutex_unlock(tl_db_gate);
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r,
                          TLXLOGNO(0209) "the database did not answer a moment ago: 503 at once");
            return NULL;
        }
    }
    asked_dbd = apr_time_now();
    dbd = tl_dbd_acquire ? tl_dbd_acquire(q->r) : NULL;
    if (tl_db_gate) {
        apr_thread_mutex_unlock(tl_db_gate);
    }
    if (!dbd) {
        /* A refusal at once (PostgreSQL stopped or restarting) is asked
         * again by the next request; a connection that hung pauses. */
        if (apr_time_now() - asked_dbd > apr_time_from_msec(500)) {
            tl_db_pause();
        }
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0201) "no database connection from mod_dbd");
        return NULL;
    }
    if (strcmp(apr_dbd_name(dbd->driver), "pgsql") != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r,
                      TLXLOGNO(0202) "DBDriver must be pgsql, not %s", apr_dbd_name(dbd->driver));
        return NULL;
    }
    db = apr_pcalloc(r->pool, sizeof(*db));
    db->dbd = dbd;
    db->conn = apr_dbd_native_handle(dbd->driver, dbd->handle);
    db->r = r;
    db->timeout = tl_db_timeout(q->r);
    apr_pool_cleanup_register(r->pool, db, tl_db_release, apr_pool_cleanup_null);
    apr_pool_userdata_setn(db, "tierslieux-db", NULL, r->pool);
    q->db = db;
    return db;
}

/* ---- a PGresult seen as tl_rows --------------------------------------- */

static int tl_pg_count(const tl_rows *r)
{
    return PQntuples(r->impl);
}

static int tl_pg_column(const tl_rows *r, const char *name)
{
    return PQfnumber(r->impl, name);
}

static const char *tl_pg_value(const tl_rows *r, int row, int col, size_t *len)
{
    if (PQgetisnull(r->impl, row, col)) {
        *len = 0;
        return NULL;
    }
    *len = (size_t)PQgetlength(r->impl, row, col);
    return PQgetvalue(r->impl, row, col);
}

static apr_status_t tl_pg_clear(void *res)
{
    PQclear(res);
    return APR_SUCCESS;
}

static int tl_is_refusal(const char *state)
{
    return state && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0
                     || strcmp(state, "42501") == 0 || strcmp(state, "P0001") == 0);
}

/* A result that belongs to the request from now on. */
static const tl_rows *tl_db_rows(tl_req *q, PGresult *res)
{
    tl_rows *rows = apr_palloc(q->r->pool, sizeof(*rows));

    apr_pool_cleanup_register(q->r->pool, res, tl_pg_clear, apr_pool_cleanup_null);
    rows->count = tl_pg_count;
    rows->column = tl_pg_column;
    rows->value = tl_pg_value;
    rows->impl = res;
    return rows;
}

/* The connection for a call that must end by deadline, or NULL with
 * *status 503: none to be had, or this request's database already ran out
 * of time (answered at once rather than waited for again). */
static tl_db *tl_db_ready(tl_req *q, apr_time_t deadline, int *status)
{
    tl_db *db = tl_db_get(q, deadline);

    if (!db || db->lost) {
        *status = HTTP_SERVICE_UNAVAILABLE;
        return NULL;
    }
    return db;
}

static void tl_db_failed(tl_req *q, tl_db *db, PGresult *res, int *status, tl_db_refusal *why);

/* ---- a writable server when the pool reached a standby -------------------- */

static apr_uint32_t tl_db_misordered_said;

static apr_status_t tl_db_own_close(void *data)
{
    tl_db *db = data;

    PQfinish(db->conn);
    db->conn = db->pooled;          /* mod_dbd's goes back to its pool as it was */
    db->pooled = NULL;
    return APR_SUCCESS;
}

/* libpq takes the first server of DBDParams that answers, so the pooled
 * connection reaches a standby when one is named before the primary (an
 * old primary that rejoined as a standby, say). For a request that
 * writes, a connection of its own to the server that accepts writes: the
 * pooled one's parameters with target_session_attrs=read-write, used for
 * the rest of the request, closed at its end. 1 when made; 0 when no
 * server accepts writes (the standby is not promoted yet), DBDParams
 * names one server only, or time ran out. */
static int tl_db_writable(tl_req *q, tl_db *db, apr_time_t deadline)
{
    PQconninfoOption *opts, *o;
    const char **keys, **values;
    PGconn *conn;
    int n = 0, i = 0, several = 0, late;

    if (db->pooled || db->no_primary || !(opts = PQconninfo(db->conn))) {
        return 0;
    }
    for (o = opts; o->keyword; o++) {
        n++;
    }
    keys = apr_palloc(db->r->pool, (n + 2) * sizeof(*keys));
    values = apr_palloc(db->r->pool, (n + 2) * sizeof(*values));
    for (o = opts; o->keyword; o++) {
        if (o->val && *o->val && strcmp(o->keyword, "target_session_attrs") != 0) {
            several |= strcmp(o->keyword, "host") == 0 && strchr(o->val, ',') != NULL;
            keys[i] = apr_pstrdup(db->r->pool, o->keyword);
            values[i++] = apr_pstrdup(db->r->pool, o->val);
        }
    }
    PQconninfoFree(opts);
    if (!several) {
        return 0;
    }
    keys[i] = "target_session_attrs";
    values[i++] = "read-write";
    keys[i] = values[i] = NULL;
    if (!(conn = PQconnectStartParams(keys, values, 0)) || !tl_pg_connect_poll(conn, 0, deadline, &late)) {
        PQfinish(conn);
        db->no_primary = 1;
        return 0;
    }
    if (apr_atomic_cas32(&tl_db_misordered_said, 1, 0) == 0) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, TLXLOGNO(0211) "DBDParams names a standby before the "
                      "primary: each change opens a connection of its own (list the primary first)");
    }
    db->pooled = db->conn;
    db->conn = conn;
    apr_pool_cleanup_register(db->r->pool, db, tl_db_own_close, apr_pool_cleanup_null);
    return 1;
}

static int tl_pg_read_only_refusal(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state && strcmp(state, "25006") == 0;
}

static const tl_rows *tl_db_run(tl_req *q, const char *sql, int nparams, const char *const *params,
                                int *status, tl_db_refusal *why, int may_retry)
{
    /* Waiting for mod_dbd's connection counts in the call's time. */
    apr_time_t deadline = apr_time_now() + tl_db_timeout(q->r);
    tl_db *db = tl_db_ready(q, deadline, status);
    PGresult *res = NULL;
    int attempt, late = 0;

    if (!db) {
        return NULL;
    }
    if (apr_time_now() >= deadline) {
        /* Connecting took all the time: the connection is sound, unused. */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0208) "no database connection within %"
                      APR_TIME_T_FMT " ms (TiersLieuxDatabaseTimeout)", apr_time_as_msec(tl_db_timeout(q->r)));
        *status = HTTP_SERVICE_UNAVAILABLE;
        return NULL;
    }
    for (attempt = 0; attempt < 2; attempt++) {
        ExecStatusType st;
        res = tl_pg_exec(db->conn, sql, nparams, params, deadline, &late);
        if (late) {
            tl_db_log_late(db, q->r);
            tl_db_abandon(db);
            *status = HTTP_SERVICE_UNAVAILABLE;
            return NULL;
        }
        st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            break;
        }
        if (attempt == 0 && may_retry && tl_pg_read_only_refusal(res) && tl_db_writable(q, db, deadline)) {
            /* Refused by a standby, so never run: run on the primary. */
            PQclear(res);
            res = NULL;
            continue;
        }
        if (PQstatus(db->conn) == CONNECTION_BAD && attempt == 0 && may_retry) {
            /* PostgreSQL restarted since this pooled connection was made:
             * reconnect once, in place, so mod_dbd's pool heals too. A
             * statement that failed this way never ran, so running it again
             * cannot apply a change twice. */
            PQclear(res);
            res = NULL;
            /* Routine after a PostgreSQL restart: worth a note, not a warning;
             * a failed reconnection is logged as an error below. */
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r,
                          TLXLOGNO(0203) "database connection lost, reconnecting");
            if (!tl_db_reset(db, deadline)) {
                break;
            }
            continue;
        }
        break;
    }
    if (!res || (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)) {
        tl_db_failed(q, db, res, status, why);
        return NULL;
    }
    return tl_db_rows(q, res);
}

/* What a statement that failed with SQLSTATE state (NULL: none) answers
 * when the person cannot fix it: 503 when the database is going away (08,
 * 57P), is a hot standby refusing a write (25006: q->read_only set, logged
 * as a warning: the network is read-only until the standby is promoted) or
 * cancelled a read that conflicted with the replay of the primary's
 * changes (40001, on a standby); 500 for anything else. Logged here
 * under tag, never the values. */
static int tl_db_status_of(tl_req *q, const char *state, const char *message, const char *tag)
{
    if (state && strcmp(state, "25006") == 0) {
        q->read_only = 1;
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, TLXLOGNO(0210) "the database is a hot standby: "
                      "changes wait for its promotion (answered 503, read-only)");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, "%squery failed (SQLSTATE %s): %s", tag,
                  state ? state : "none", message);
    return state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 || strcmp(state, "40001") == 0)
           ? HTTP_SERVICE_UNAVAILABLE : HTTP_INTERNAL_SERVER_ERROR;
}

/* A statement that did not succeed (res, freed here; NULL when it could
 * not be sent): *status and *why as tl_db_run says. */
static void tl_db_failed(tl_req *q, tl_db *db, PGresult *res, int *status, tl_db_refusal *why)
{
    int lost = PQstatus(db->conn) != CONNECTION_OK;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (why && !lost && tl_is_refusal(state)) {
        const char *c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        const char *d = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        why->detail = apr_pstrdup(q->r->pool, d ? d : "");
        why->sqlstate = apr_pstrdup(q->r->pool, state);
        why->constraint = apr_pstrdup(q->r->pool, c ? c : "");
        why->message = apr_pstrdup(q->r->pool, m ? m : "");
        PQclear(res);
        *status = strcmp(state, "42501") == 0 ? HTTP_FORBIDDEN : HTTP_UNPROCESSABLE_ENTITY;
        return;
    }
    *status = tl_db_status_of(q, state, lost || !res ? "database unreachable"
                                               : PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), TLXLOGNO(0204));
    if (lost || !res) {
        *status = HTTP_SERVICE_UNAVAILABLE;
    }
    PQclear(res);
    if (lost) {
        db->lost = 1;               /* reconnecting failed: the next calls need not try */
    }
}

int tl_db_standby(tl_req *q, int *status)
{
    tl_db *db = tl_db_ready(q, apr_time_now() + tl_db_timeout(q->r), status);
    struct pollfd pfd = { .events = POLLIN };
    const char *hot;
    const tl_rows *rows;
    size_t len;

    if (!db) {
        return -1;
    }
    /* An idle connection whose server went away has its goodbye waiting
     * in the socket: read, it shows the connection lost. */
    if ((pfd.fd = PQsocket(db->conn)) >= 0 && poll(&pfd, 1, 0) > 0) {
        PQconsumeInput(db->conn);
    }
    hot = PQparameterStatus(db->conn, "in_hot_standby");
    if (PQstatus(db->conn) == CONNECTION_OK && (!hot || strcmp(hot, "on") != 0)) {
        return 0;                   /* a primary (or PostgreSQL before 14) */
    }
    /* A standby reports its promotion with its next answer, and a lost
     * connection may come back to another server: asked, then. */
    if (!(rows = tl_db_query(q, "SELECT pg_is_in_recovery()", 0, NULL, status))) {
        return -1;
    }
    hot = rows->value(rows, 0, 0, &len);
    if (hot && strcmp(hot, "t") == 0 && !tl_db_writable(q, db, apr_time_now() + tl_db_timeout(q->r))) {
        q->read_only = 1;
        return 1;
    }
    return 0;
}

const tl_rows *tl_db_query(tl_req *q, const char *sql, int nparams, const char *const *params,
                           int *status)
{
    return tl_db_run(q, sql, nparams, params, status, NULL, 1);
}

tl_req *tl_db_req(request_rec *r)
{
    tl_req *q = apr_pcalloc(r->pool, sizeof(*q));
    q->r = r;
    return q;
}

const tl_rows *tl_db_change(tl_req *q, const char *sql, int nparams, const char *const *params,
                            int *status, tl_db_refusal *why)
{
    return tl_db_run(q, sql, nparams, params, status, why, 1);
}

/* BEGIN or ROLLBACK within the call's time; 0 (and the connection given up
 * when time ran out) otherwise. */
static int tl_db_command(tl_req *q, tl_db *db, const char *sql)
{
    int late, ok;
    PGresult *res = tl_pg_exec(db->conn, sql, 0, NULL, apr_time_now() + tl_db_timeout(q->r), &late);

    ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (late) {
        tl_db_log_late(db, q->r);
        tl_db_abandon(db);
    }
    return ok;
}

const tl_rows *tl_db_try(tl_req *q, const char *sql, int nparams, const char *const *params,
                         int *status, tl_db_refusal *why)
{
    tl_db *db = tl_db_ready(q, apr_time_now() + tl_db_timeout(q->r), status);
    const tl_rows *rows;

    if (!db) {
        return NULL;
    }
    if (!tl_db_command(q, db, "BEGIN")) {
        /* A connection lost since its last use: mod_dbd finds it bad and
         * connects again for the next request. */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0205) "database unreachable");
        *status = HTTP_SERVICE_UNAVAILABLE;
        return NULL;
    }
    /* No reconnection inside: a retry would run outside the transaction. */
    rows = tl_db_run(q, sql, nparams, params, status, why, 0);
    if (!db->lost && PQstatus(db->conn) == CONNECTION_OK) {
        tl_db_command(q, db, "ROLLBACK");
    }
    return rows;
}

const tl_rows *tl_db_view(tl_req *q, const char *name, const char *sql, int nparams,
                          const char *const *params, int *status)
{
    const tl_rows *rows = tl_db_query(q, sql, nparams, params, status);
    if (rows) {
        tl_view_rows(q->view, name, rows);
    }
    return rows;
}

/* The reads one at a time, through tl_db_run (and its reconnection). */
static int tl_db_views_each(tl_req *q, const tl_db_read *reads, int n, int *status)
{
    int i;

    for (i = 0; i < n; i++) {
        if (!tl_db_view(q, reads[i].name, reads[i].sql, reads[i].nparams, reads[i].params, status)) {
            return 0;
        }
    }
    return 1;
}

int tl_db_views(tl_req *q, const tl_db_read *reads, int n, int *status)
{
    apr_time_t deadline = apr_time_now() + tl_db_timeout(q->r);
    tl_db *db = tl_db_ready(q, deadline, status);
    const tl_rows **rows;
    const char *state = NULL, *message = NULL;
    PGresult *res;
    int i, sent, failed = 0;

    if (!db) {
        return 0;
    }
    /* A connection that is not plainly idle (lost, in a transaction) reads
     * one query at a time. */
    if (PQstatus(db->conn) != CONNECTION_OK || PQtransactionStatus(db->conn) != PQTRANS_IDLE
        || PQsetnonblocking(db->conn, 1) != 0 || !PQenterPipelineMode(db->conn)) {
        return tl_db_views_each(q, reads, n, status);
    }
    for (sent = 0; sent < n; sent++) {
        if (!PQsendQueryParams(db->conn, reads[sent].sql, reads[sent].nparams, NULL, reads[sent].params, NULL, NULL,
                               0)) {
            failed = 1;
            break;
        }
    }
    /* One sync after the last: the reads share one implicit transaction. */
    PQpipelineSync(db->conn);
    rows = apr_pcalloc(q->r->pool, n * sizeof(*rows));
    for (i = 0; i < sent; i++) {
        /* One result per read, then the NULL that ends it. */
        for (;;) {
            ExecStatusType st;
            if (!tl_pg_wait(db->conn, deadline)) {
                goto late;
            }
            if (!(res = PQgetResult(db->conn))) {
                break;
            }
            st = PQresultStatus(res);
            if ((st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) && !rows[i]) {
                rows[i] = tl_db_rows(q, res);
                continue;
            }
            if (!message && st != PGRES_PIPELINE_ABORTED) {
                state = apr_pstrdup(q->r->pool, PQresultErrorField(res, PG_DIAG_SQLSTATE));
                message = apr_pstrdup(q->r->pool, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
            }
            PQclear(res);
        }
        failed |= rows[i] == NULL;
        if (PQstatus(db->conn) != CONNECTION_OK) {
            break;
        }
    }
    /* Then the sync's own result, and back to one query at a time; a
     * connection that cannot leave pipeline mode is reset, so that mod_dbd's
     * pool never hands it out half-read. */
    while (PQstatus(db->conn) == CONNECTION_OK) {
        int sync;
        if (!tl_pg_wait(db->conn, deadline)) {
            goto late;
        }
        if (!(res = PQgetResult(db->conn))) {
            break;
        }
        sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
        PQclear(res);
        if (sync) {
            break;
        }
    }
    if (PQstatus(db->conn) != CONNECTION_OK || !PQexitPipelineMode(db->conn)) {
        /* Lost since its last use (PostgreSQL restarted): healed, the reads
         * run again one at a time. They only read, so running them again
         * changes nothing. */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, TLXLOGNO(0203) "database connection lost, reconnecting");
        if (!tl_db_reset(db, deadline)) {
            *status = HTTP_SERVICE_UNAVAILABLE;
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0205) "database unreachable");
            return 0;
        }
        return tl_db_views_each(q, reads, n, status);
    }
    if (failed) {
        *status = tl_db_status_of(q, state, message ? message : PQerrorMessage(db->conn), TLXLOGNO(0206));
        return 0;
    }
    for (i = 0; i < n; i++) {
        tl_view_rows(q->view, reads[i].name, rows[i]);
    }
    return 1;

late:
    /* Still in pipeline mode, but dropped: mod_dbd's reset of a bad
     * connection leaves pipeline mode too. */
    tl_db_log_late(db, q->r);
    tl_db_abandon(db);
    *status = HTTP_SERVICE_UNAVAILABLE;
    return 0;
}

/* ---- a transaction over several statements --------------------------- */

int tl_db_begin(tl_req *q, int *status)
{
    tl_db *db = tl_db_ready(q, apr_time_now() + tl_db_timeout(q->r), status);

    if (!db) {
        return 0;
    }
    if (!tl_db_command(q, db, "BEGIN")) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0205) "database unreachable");
        *status = HTTP_SERVICE_UNAVAILABLE;
        return 0;
    }
    return 1;
}

const tl_rows *tl_db_in_tx(tl_req *q, const char *sql, int nparams, const char *const *params, int *status,
                           tl_db_refusal *why)
{
    /* No reconnection inside: a retry would run outside the transaction. */
    return tl_db_run(q, sql, nparams, params, status, why, 0);
}

int tl_db_step(tl_req *q, const char *sql, int nparams, const char *const *params, int *status, tl_db_refusal *why)
{
    const tl_rows *rows = tl_db_run(q, sql, nparams, params, status, why, 0);

    if (!rows) {
        return 0;
    }
    /* Freed at once: a long run of steps keeps no result. */
    apr_pool_cleanup_run(q->r->pool, rows->impl, tl_pg_clear);
    return 1;
}

/* ---- answers of any size --------------------------------------------- */

/* Rows fetched at a time: a few hundred kilobytes of result at most. */
#define TL_DB_BATCH 500
#define TL_DB_FETCH "FETCH 500 FROM tl_each"

long tl_db_each(tl_req *q, const char *sql, int nparams, const char *const *params, int *status,
                tl_db_row_fn *each, void *ctx)
{
    PGresult *res = NULL;
    long handed = 0;
    int i, n, late, more, stop = 0, ok = 0;
    tl_db *db;

    /* A cursor, for its plan as much as for its batches: PostgreSQL plans
     * a cursor to give its first rows soon (an index read in order rather
     * than the whole result sorted first). Each batch is asked for before
     * the page writes the one before, so the two work at once. */
    if (!tl_db_begin(q, status)
        || !tl_db_step(q, apr_pstrcat(q->r->pool, "DECLARE tl_each NO SCROLL CURSOR FOR ", sql, NULL), nparams,
                       params, status, NULL)) {
        tl_db_end(q, 0, status, NULL);
        return -1;
    }
    db = q->db;
    if (!tl_pg_send(db->conn, TL_DB_FETCH, 0, NULL)) {
        tl_db_failed(q, db, NULL, status, NULL);
        return -1;
    }
    for (;;) {
        res = tl_pg_collect(db->conn, apr_time_now() + tl_db_timeout(q->r), &late);
        if (late) {
            tl_db_log_late(db, q->r);
            tl_db_abandon(db);
            *status = HTTP_SERVICE_UNAVAILABLE;
            break;
        }
        if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
            tl_db_failed(q, db, res, status, NULL);
            break;
        }
        n = PQntuples(res);
        more = n == TL_DB_BATCH && !stop;       /* a batch asked for is always read */
        if (more && !tl_pg_send(db->conn, TL_DB_FETCH, 0, NULL)) {
            PQclear(res);
            tl_db_failed(q, db, NULL, status, NULL);
            break;
        }
        if (!stop) {
            tl_rows rows = { tl_pg_count, tl_pg_column, tl_pg_value, res };
            for (i = 0; i < n && !stop; i++, handed++) {
                stop = each(ctx, &rows, i);
            }
        }
        PQclear(res);
        if (!more) {
            ok = 1;
            break;
        }
    }
    tl_db_end(q, 0, status, NULL);              /* a read: nothing to commit */
    return ok ? handed : -1;
}

int tl_db_end(tl_req *q, int commit, int *status, tl_db_refusal *why)
{
    if (!commit) {
        tl_db *db = q->db;
        if (db && !db->lost && PQstatus(db->conn) == CONNECTION_OK) {
            tl_db_command(q, db, "ROLLBACK");
        }
        return 1;
    }
    return tl_db_step(q, "COMMIT", 0, NULL, status, why);
}
