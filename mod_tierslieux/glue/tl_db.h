/* Database access for pages: a connection from mod_dbd's pool, used through
 * libpq with parameters only, and results a template can read. */
#ifndef TL_DB_H
#define TL_DB_H

#include "tl_module.h"

/* Fetches mod_dbd's functions; NULL if mod_dbd is loaded, else a message. */
const char *tl_db_init(void);

/* A request context for code that runs before any page (the auth
 * providers, the session hooks), just to reach the helpers below. */
tl_req *tl_db_req(request_rec *r);

/* A process's gate into mod_dbd (see tl_db.c), made when it starts. */
void tl_db_child_init(apr_pool_t *pchild);

/* How long one database call may take for r (TiersLieuxDatabaseTimeout):
 * past it the call gives up, drops its connection and answers 503. */
apr_interval_time_t tl_db_timeout(request_rec *r);

/* Whether the request's database is a hot standby (the primary is down
 * and the standby not promoted yet): 1, with q->read_only set; 0 when it
 * accepts writes; -1 with *status set as in tl_db_query when it cannot be
 * asked. Costs no round trip on a primary: PostgreSQL reports
 * in_hot_standby with every connection and answer. */
int tl_db_standby(tl_req *q, int *status);

/* Runs sql with text parameters (NULL is SQL NULL) and returns its rows,
 * which live as long as the request. On failure returns NULL and sets
 * *status: 503 when the database cannot be reached (after one reconnection
 * attempt) or does not answer within tl_db_timeout, or refuses a write
 * because it is a hot standby (q->read_only set), 500 for anything else;
 * the cause is logged, never the values. */
const tl_rows *tl_db_query(tl_req *q, const char *sql, int nparams, const char *const *params,
                           int *status);

/* What tl_db_each does with row i of rows: 0 to go on, non-zero to stop
 * (the client went away). */
typedef int tl_db_row_fn(void *ctx, const tl_rows *rows, int i);

/* tl_db_query for answers of any size: rows go to each one at a time, as
 * PostgreSQL sends them (a cursor fetched in libpq's single-row mode),
 * each freed before the next, so memory holds one row however many there
 * are; each row may take tl_db_timeout from the one before. Runs in a
 * transaction of its own. Returns how many rows were handed; -1 with
 * *status set as in tl_db_query when it failed, possibly after some rows
 * (the caller then tells its client the answer is cut short). */
long tl_db_each(tl_req *q, const char *sql, int nparams, const char *const *params, int *status,
                tl_db_row_fn *each, void *ctx);

/* Why a database function refused what a person asked for. */
typedef struct {
    const char *sqlstate;           /* e.g. 23514 */
    const char *constraint;         /* the constraint named, or "" */
    const char *message;            /* PostgreSQL's primary message (ours are French) */
    const char *detail;             /* its DETAIL, or "": for a missing right, what to journal */
} tl_db_refusal;

/* Runs a state-changing call (one statement, so one transaction). When
 * PostgreSQL refuses it for a reason the person can fix (a constraint,
 * a check, a missing right: SQLSTATE classes 22, 23, 42501, P0001),
 * returns NULL with *status 422 (403 for a missing right) and fills
 * *why, logging nothing; other failures are logged as in tl_db_query. */
const tl_rows *tl_db_change(tl_req *q, const char *sql, int nparams, const char *const *params,
                            int *status, tl_db_refusal *why);

/* tl_db_change inside a transaction that is always rolled back: what
 * would happen, for the desk to show before a volunteer confirms. */
const tl_rows *tl_db_try(tl_req *q, const char *sql, int nparams, const char *const *params,
                         int *status, tl_db_refusal *why);

/* tl_db_query, and the rows handed to the page's template under name. */
const tl_rows *tl_db_view(tl_req *q, const char *name, const char *sql, int nparams,
                          const char *const *params, int *status);

/* One of several reads sent together (tl_db_views). */
typedef struct {
    const char *name;               /* the result set's name for the template */
    const char *sql;
    int nparams;
    const char *const *params;
} tl_db_read;

/* Several reads in one round trip (libpq's pipeline mode), each result
 * set handed to the template under its name. Returns 1; 0 with *status
 * set, logged as in tl_db_query, when one of them failed. */
int tl_db_views(tl_req *q, const tl_db_read *reads, int n, int *status);

/* A transaction over several statements on the request's connection
 * (a streamed import): tl_db_begin opens it (0 with *status 503 when it
 * cannot); tl_db_in_tx runs a statement inside, as tl_db_change does but
 * without reconnecting (the transaction would be lost); tl_db_step the
 * same, its result freed at once (1 or 0); tl_db_end commits (1, or 0 as
 * a refused change) or rolls back. An open transaction is rolled back
 * when the request ends anyway. */
int tl_db_begin(tl_req *q, int *status);
const tl_rows *tl_db_in_tx(tl_req *q, const char *sql, int nparams, const char *const *params, int *status,
                           tl_db_refusal *why);
int tl_db_step(tl_req *q, const char *sql, int nparams, const char *const *params, int *status, tl_db_refusal *why);
int tl_db_end(tl_req *q, int commit, int *status, tl_db_refusal *why);

#endif
