/* tierslieux-courriels — sends the e-mails queued in PostgreSQL
 * (tl.mail_message, sql/logic/mail.sql) through the machine's sendmail interface, one
 * at a time, and is meant to be run by cron every few minutes:
 *
 *   tierslieux-courriels [-d CONNINFO] [-s SENDMAIL] [-f FROM] [-n]
 *
 * It first queues the reminders that are due (tl.queue_reminders), then
 * for each message due: claims it (a row lock, SKIP LOCKED, so two runs
 * never send the same message), runs `SENDMAIL -t -i -f FROM` without a
 * shell, writes the message, and marks it sent when sendmail exits 0;
 * otherwise the attempt and its cause are recorded and the message waits
 * longer each time (tl.mail_failed). A message is never deleted here.
 *
 * The sender is -f, else tl.mail_setting.sender_address. Prints one ASCII
 * line, "sent N, failed M, left K", and exits 1 when a message failed, 2
 * when it could not work at all. Logs no address and no message text. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <libpq-fe.h>

#include "tl_mail.h"

/* Seconds a sendmail may take for one message. */
#define TL_SENDMAIL_TIMEOUT 120

typedef struct {
    const char *conninfo;
    const char *sendmail;
    const char *from;
    int dry_run;
} tl_opts;

static void tl_usage(void)
{
    fputs("usage: tierslieux-courriels [-d CONNINFO] [-s SENDMAIL] [-f FROM] [-n]\n"
          "  -d  libpq connection string (default: the PG* environment)\n"
          "  -s  sendmail program (default: /usr/sbin/sendmail)\n"
          "  -f  sender address (default: tl.mail_setting.sender_address)\n"
          "  -n  dry run: print the messages that are due, send nothing, change nothing\n",
          stderr);
}

static PGresult *tl_exec(PGconn *db, const char *sql, int n, const char *const *params, ExecStatusType want)
{
    PGresult *res = PQexecParams(db, sql, n, NULL, params, NULL, NULL, 0);

    if (PQresultStatus(res) != want) {
        /* PostgreSQL's own message: our functions never put an address in one. */
        fprintf(stderr, "tierslieux-courriels: query failed: %s", PQerrorMessage(db));
        PQclear(res);
        return NULL;
    }
    return res;
}

static int tl_command(PGconn *db, const char *sql)
{
    PGresult *res = tl_exec(db, sql, 0, NULL, PGRES_COMMAND_OK);

    PQclear(res);
    return res ? 0 : -1;
}

/* The local time zone's offset at t, for the Date header. */
static long tl_gmtoff(apr_time_t t)
{
    apr_time_exp_t tm;

    apr_time_exp_lt(&tm, t);
    return tm.tm_gmtoff;
}

/* The message in row i of res (columns of tl.mail_next / tl.mail_due),
 * with local line ends; NULL and *why when it cannot be built. */
static char *tl_message(apr_pool_t *p, const tl_opts *o, PGresult *res, int i, apr_size_t *len,
                        const char **why)
{
    unsigned char rnd[4] = { 0 };
    const char *domain = strchr(o->from, '@') + 1;
    char *out = NULL;
    tl_mail m;

    apr_generate_random_bytes(rnd, sizeof(rnd));
    memset(&m, 0, sizeof(m));
    m.from_name = PQgetvalue(res, i, 5);
    m.from_addr = o->from;
    m.reply_to = PQgetisnull(res, i, 6) ? NULL : PQgetvalue(res, i, 6);
    m.to = PQgetvalue(res, i, 1);
    m.subject = PQgetvalue(res, i, 2);
    m.body = PQgetvalue(res, i, 3);
    m.date = apr_time_now();
    m.gmtoff = tl_gmtoff(m.date);
    m.id_left = apr_psprintf(p, "tierslieux.%s.%" APR_TIME_T_FMT ".%02x%02x%02x%02x", PQgetvalue(res, i, 0),
                             apr_time_sec(m.date), rnd[0], rnd[1], rnd[2], rnd[3]);
    m.id_domain = domain;
    if (m.reply_to && !tl_mail_addr_ok(m.reply_to)) {
        m.reply_to = NULL;          /* a place's odd address must not stop its reminders */
    }
    *why = tl_mail_build(p, &m, "\n", &out, len);
    return *why ? NULL : out;
}

/* Runs sendmail -t -i -f FROM with the message on its standard input.
 * Returns NULL when it exited 0, else why not (ASCII, no personal data). */
static const char *tl_sendmail(apr_pool_t *p, const tl_opts *o, const char *msg, apr_size_t len)
{
    int fds[2], status, waited;
    pid_t pid;
    const char *why = NULL;
    apr_size_t done = 0;

    if (pipe(fds) != 0) {
        return apr_psprintf(p, "cannot make a pipe: %s", strerror(errno));
    }
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return apr_psprintf(p, "cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        char *const argv[] = { (char *)o->sendmail, "-t", "-i", "-f", (char *)o->from, NULL };
        if (dup2(fds[0], STDIN_FILENO) < 0) {
            _exit(127);
        }
        close(fds[0]);
        close(fds[1]);
        execv(o->sendmail, argv);
        _exit(127);
    }
    close(fds[0]);
    while (done < len) {
        ssize_t n = write(fds[1], msg + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            why = apr_psprintf(p, "cannot write to sendmail: %s", strerror(errno));
            break;
        }
        done += (apr_size_t)n;
    }
    close(fds[1]);
    /* A sendmail that hangs (an MTA that waits on the network) is stopped
     * after a while: the message is tried again at the next run. */
    for (waited = 0;; waited++) {
        pid_t done_pid = waitpid(pid, &status, WNOHANG);
        if (done_pid == pid) {
            break;
        }
        if (done_pid < 0 && errno != EINTR) {
            return apr_psprintf(p, "cannot wait for sendmail: %s", strerror(errno));
        }
        if (waited == TL_SENDMAIL_TIMEOUT * 10) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return apr_psprintf(p, "sendmail did not finish within %d seconds", TL_SENDMAIL_TIMEOUT);
        }
        usleep(100000);
    }
    if (WIFSIGNALED(status)) {
        return apr_psprintf(p, "sendmail was killed by signal %d", WTERMSIG(status));
    }
    if (WEXITSTATUS(status) == 127) {
        return "sendmail could not be run (exit status 127)";
    }
    if (WEXITSTATUS(status) != 0) {
        return apr_psprintf(p, "sendmail exited with status %d", WEXITSTATUS(status));
    }
    return why;
}

/* Prints the messages due, in a transaction rolled back: the reminders it
 * queued are forgotten again. */
static int tl_dry_run(apr_pool_t *p, PGconn *db, const tl_opts *o)
{
    PGresult *res;
    int i, n;

    if (tl_command(db, "BEGIN") != 0) {
        return 2;
    }
    PQclear(tl_exec(db, "SELECT tl.queue_reminders(now())", 0, NULL, PGRES_TUPLES_OK));
    if (!(res = tl_exec(db, "SELECT * FROM tl.mail_due(now())", 0, NULL, PGRES_TUPLES_OK))) {
        return 2;
    }
    n = PQntuples(res);
    for (i = 0; i < n; i++) {
        apr_size_t len;
        const char *why;
        char *msg = tl_message(p, o, res, i, &len, &why);
        printf("-- message %s\n", PQgetvalue(res, i, 0));
        if (msg) {
            fwrite(msg, 1, len, stdout);
        }
        else {
            printf("(cannot be built: %s)\n", why);
        }
    }
    PQclear(res);
    tl_command(db, "ROLLBACK");
    printf("dry run: would send %d\n", n);
    return 0;
}

int main(int argc, char **argv)
{
    tl_opts o = { "", "/usr/sbin/sendmail", NULL, 0 };
    apr_pool_t *pool;
    PGconn *db;
    PGresult *res;
    int c, sent = 0, failed = 0, rc;
    long left = -1;

    while ((c = getopt(argc, argv, "d:s:f:nh")) != -1) {
        switch (c) {
        case 'd': o.conninfo = optarg; break;
        case 's': o.sendmail = optarg; break;
        case 'f': o.from = optarg; break;
        case 'n': o.dry_run = 1; break;
        default: tl_usage(); return 2;
        }
    }
    if (optind != argc) {
        tl_usage();
        return 2;
    }
    apr_initialize();
    apr_pool_create(&pool, NULL);
    signal(SIGPIPE, SIG_IGN);       /* a sendmail that dies early is an error, not our death */

    db = PQconnectdb(o.conninfo);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "tierslieux-courriels: cannot connect: %s", PQerrorMessage(db));
        PQfinish(db);
        return 2;
    }
    /* PostgreSQL's primary message only: a DETAIL line could quote a row. */
    PQsetErrorVerbosity(db, PQERRORS_TERSE);
    if (!o.from) {
        if (!(res = tl_exec(db, "SELECT tl.mail_sender()", 0, NULL, PGRES_TUPLES_OK))) {
            PQfinish(db);
            return 2;
        }
        o.from = PQgetisnull(res, 0, 0) ? NULL : apr_pstrdup(pool, PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    if (!o.from || !tl_mail_addr_ok(o.from)) {
        fputs("tierslieux-courriels: no sender address: give -f or set tl.mail_setting.sender_address\n", stderr);
        PQfinish(db);
        return 2;
    }
    if (o.dry_run) {
        rc = tl_dry_run(pool, db, &o);
        PQfinish(db);
        return rc;
    }

    if (!(res = tl_exec(db, "SELECT tl.queue_reminders(now())", 0, NULL, PGRES_TUPLES_OK))) {
        PQfinish(db);
        return 2;
    }
    PQclear(res);

    for (;;) {
        apr_pool_t *iter;
        const char *why, *id;
        const char *params[2];
        apr_size_t len = 0;
        char *msg;

        if (tl_command(db, "BEGIN") != 0) {
            failed++;
            break;
        }
        if (!(res = tl_exec(db, "SELECT * FROM tl.mail_next(now())", 0, NULL, PGRES_TUPLES_OK))) {
            failed++;
            break;
        }
        if (PQntuples(res) == 0) {
            PQclear(res);
            tl_command(db, "COMMIT");
            break;
        }
        apr_pool_create(&iter, pool);
        id = apr_pstrdup(iter, PQgetvalue(res, 0, 0));
        msg = tl_message(iter, &o, res, 0, &len, &why);
        PQclear(res);
        if (msg) {
            why = tl_sendmail(iter, &o, msg, len);
        }
        else {
            why = apr_pstrcat(iter, "message refused: ", why, NULL);
        }
        params[0] = id;
        params[1] = why;
        res = why ? tl_exec(db, "SELECT tl.mail_failed($1::bigint, $2)", 2, params, PGRES_TUPLES_OK)
                  : tl_exec(db, "SELECT tl.mail_sent($1::bigint)", 1, params, PGRES_TUPLES_OK);
        if (!res || tl_command(db, "COMMIT") != 0) {
            /* Sent but not marked: it will go again. Better twice than never. */
            PQclear(res);
            failed++;
            apr_pool_destroy(iter);
            break;
        }
        PQclear(res);
        if (why) {
            fprintf(stderr, "tierslieux-courriels: message %s not sent: %s\n", id, why);
            failed++;
        }
        else {
            sent++;
        }
        apr_pool_destroy(iter);
    }

    if ((res = tl_exec(db, "SELECT tl.mail_left()", 0, NULL, PGRES_TUPLES_OK)) != NULL) {
        left = atol(PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    PQfinish(db);
    printf("sent %d, failed %d, left %ld\n", sent, failed, left);
    apr_pool_destroy(pool);
    apr_terminate();
    return failed ? 1 : 0;
}
