#include <apr_strings.h>
#include <apr_optional.h>
#include <apr_dbd.h>
#include <mod_dbd.h>
#include <libpq-fe.h>
#include "tl_db.h"

struct tl_db {
    ap_dbd_t *dbd;
    PGconn *conn;
};

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *tl_dbd_acquire;

const char *tl_db_init(void)
{
    tl_dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    if (!tl_dbd_acquire) {
        return "mod_tierslieux needs mod_dbd: add \"LoadModule dbd_module modules/mod_dbd.so\" "
               "and \"DBDriver pgsql\" to the configuration";
    }
    return NULL;
}

/* A connection goes back to mod_dbd's pool clean: never inside a
 * transaction. Registered after mod_dbd's own release, so it runs first. */
static apr_status_t tl_db_release(void *data)
{
    tl_db *db = data;
    if (db->conn && PQstatus(db->conn) == CONNECTION_OK
        && PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
        PQclear(PQexec(db->conn, "ROLLBACK"));
    }
    return APR_SUCCESS;
}

static tl_db *tl_db_get(tl_req *q)
{
    ap_dbd_t *dbd;
    tl_db *db;

    if (q->db) {
        return q->db;
    }
    dbd = tl_dbd_acquire ? tl_dbd_acquire(q->r) : NULL;
    if (!dbd) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0201) "no database connection from mod_dbd");
        return NULL;
    }
    if (strcmp(apr_dbd_name(dbd->driver), "pgsql") != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r,
                      TLXLOGNO(0202) "DBDriver must be pgsql, not %s", apr_dbd_name(dbd->driver));
        return NULL;
    }
    db = apr_pcalloc(q->r->pool, sizeof(*db));
    db->dbd = dbd;
    db->conn = apr_dbd_native_handle(dbd->driver, dbd->handle);
    apr_pool_cleanup_register(q->r->pool, db, tl_db_release, apr_pool_cleanup_null);
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

static const tl_rows *tl_db_run(tl_req *q, const char *sql, int nparams, const char *const *params,
                                int *status, tl_db_refusal *why, int may_retry)
{
    tl_db *db = tl_db_get(q);
    PGresult *res = NULL;
    int attempt;

    if (!db) {
        *status = HTTP_SERVICE_UNAVAILABLE;
        return NULL;
    }
    for (attempt = 0; attempt < 2; attempt++) {
        ExecStatusType st;
        res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
        st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            break;
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
            PQreset(db->conn);
            if (PQstatus(db->conn) != CONNECTION_OK) {
                break;
            }
            continue;
        }
        break;
    }
    if (!res || (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)) {
        int lost = PQstatus(db->conn) != CONNECTION_OK;
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (why && !lost && tl_is_refusal(state)) {
            const char *c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
            const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
            why->sqlstate = apr_pstrdup(q->r->pool, state);
            why->constraint = apr_pstrdup(q->r->pool, c ? c : "");
            why->message = apr_pstrdup(q->r->pool, m ? m : "");
            PQclear(res);
            *status = strcmp(state, "42501") == 0 ? HTTP_FORBIDDEN : HTTP_UNPROCESSABLE_ENTITY;
            return NULL;
        }
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r,
                      TLXLOGNO(0204) "query failed (SQLSTATE %s): %s", state ? state : "none",
                      lost ? "database unreachable" : PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
        PQclear(res);
        *status = lost || (state && strncmp(state, "08", 2) == 0) || (state && strncmp(state, "57P", 3) == 0)
                  ? HTTP_SERVICE_UNAVAILABLE : HTTP_INTERNAL_SERVER_ERROR;
        return NULL;
    }
    return tl_db_rows(q, res);
}

const tl_rows *tl_db_query(tl_req *q, const char *sql, int nparams, const char *const *params,
                           int *status)
{
    return tl_db_run(q, sql, nparams, params, status, NULL, 1);
}

const tl_rows *tl_db_change(tl_req *q, const char *sql, int nparams, const char *const *params,
                            int *status, tl_db_refusal *why)
{
    return tl_db_run(q, sql, nparams, params, status, why, 1);
}

const tl_rows *tl_db_try(tl_req *q, const char *sql, int nparams, const char *const *params,
                         int *status, tl_db_refusal *why)
{
    tl_db *db = tl_db_get(q);
    const tl_rows *rows;
    PGresult *begin;
    int ok;

    if (!db) {
        *status = HTTP_SERVICE_UNAVAILABLE;
        return NULL;
    }
    begin = PQexec(db->conn, "BEGIN");
    ok = begin && PQresultStatus(begin) == PGRES_COMMAND_OK;
    PQclear(begin);
    if (!ok) {
        PQreset(db->conn);                  /* the next request finds it healed */
        *status = HTTP_SERVICE_UNAVAILABLE;
        return NULL;
    }
    /* No reconnection inside: a retry would run outside the transaction. */
    rows = tl_db_run(q, sql, nparams, params, status, why, 0);
    PQclear(PQexec(db->conn, "ROLLBACK"));
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
    tl_db *db = tl_db_get(q);
    const tl_rows **rows;
    const char *state = NULL, *message = NULL;
    PGresult *res;
    int i, sent, failed = 0;

    if (!db) {
        *status = HTTP_SERVICE_UNAVAILABLE;
        return 0;
    }
    /* A connection that is not plainly idle (lost, in a transaction) reads
     * one query at a time. */
    if (PQstatus(db->conn) != CONNECTION_OK || PQtransactionStatus(db->conn) != PQTRANS_IDLE
        || !PQenterPipelineMode(db->conn)) {
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
        while ((res = PQgetResult(db->conn)) != NULL) {
            ExecStatusType st = PQresultStatus(res);
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
    while (PQstatus(db->conn) == CONNECTION_OK && (res = PQgetResult(db->conn)) != NULL) {
        int sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
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
        PQreset(db->conn);
        if (PQstatus(db->conn) != CONNECTION_OK) {
            *status = HTTP_SERVICE_UNAVAILABLE;
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0205) "database unreachable");
            return 0;
        }
        return tl_db_views_each(q, reads, n, status);
    }
    if (failed) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0206) "query failed (SQLSTATE %s): %s",
                      state ? state : "none", message ? message : PQerrorMessage(db->conn));
        *status = HTTP_INTERNAL_SERVER_ERROR;
        return 0;
    }
    for (i = 0; i < n; i++) {
        tl_view_rows(q->view, reads[i].name, rows[i]);
    }
    return 1;
}

const char *tl_db_version(tl_req *q, int *status)
{
    size_t len;
    const tl_rows *rows = tl_db_query(q, "SELECT sum(version) FROM tl.data_version", 0, NULL, status);

    if (!rows) {
        return NULL;
    }
    if (rows->count(rows) != 1) {
        *status = HTTP_INTERNAL_SERVER_ERROR;
        return NULL;
    }
    return rows->value(rows, 0, 0, &len);
}

/* ---- a transaction over several statements --------------------------- */

int tl_db_begin(tl_req *q, int *status)
{
    tl_db *db = tl_db_get(q);
    PGresult *res;
    int ok;

    if (!db) {
        *status = HTTP_SERVICE_UNAVAILABLE;
        return 0;
    }
    res = PQexec(db->conn, "BEGIN");
    ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        PQreset(db->conn);                  /* the next request finds it healed */
        *status = HTTP_SERVICE_UNAVAILABLE;
    }
    return ok;
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

int tl_db_end(tl_req *q, int commit, int *status, tl_db_refusal *why)
{
    if (!commit) {
        tl_db *db = tl_db_get(q);
        if (db) {
            PQclear(PQexec(db->conn, "ROLLBACK"));
        }
        return 1;
    }
    return tl_db_step(q, "COMMIT", 0, NULL, status, why);
}
