/* The ressourcerie's reports (bilans) and the filière REP of each of its
 * categories, in the back office. A report is one call of tl.reuse_report,
 * which checks the role and returns one row per figure: the page splits
 * them into its tables by section, the CSV export writes them as they are,
 * so the two never disagree. */
#include <apr_hash.h>
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_valid.h"
#include "tl_date.h"
#include "tl_csv.h"

#define TL_STREAMS_FORM "gestion-filieres"

static const char *const tl_report_columns[] = {
    "section", "key", "grp", "label", "kg", "n", "amount", "rate", "kg_fr", "amount_fr", "rate_fr", "kg_csv",
    "amount_csv", "rate_csv", NULL
};

static const char *const tl_periods[] = { "jour", "mois", "annee", "libre", NULL };
static const char *const tl_period_labels[] = { "Un jour", "Un mois", "Une année", "Du… au…", NULL };

/* A report's parameters, checked. */
typedef struct {
    const char *place;          /* slug */
    const char *period;         /* one of tl_periods */
    const char *day;            /* YYYY-MM-DD or NULL (today at the place) */
    const char *to;             /* libre: the last day */
    const char *date_in;        /* as typed, to show again */
} tl_report_args;

/* "2026" or "2026-03" or "2026-03-14" as the first day it names, for the
 * period: NULL when it is not one. */
static const char *tl_report_day(apr_pool_t *p, const char *period, const char *s)
{
    long days;
    size_t n = strlen(s);
    const char *day = NULL;

    if (strcmp(period, "annee") == 0 && n == 4) {
        day = apr_pstrcat(p, s, "-01-01", NULL);
    }
    else if (strcmp(period, "mois") == 0 && n == 7) {
        day = apr_pstrcat(p, s, "-01", NULL);
    }
    else if (n == 10) {
        day = s;
    }
    if (!day || tl_date_parse(day, &days) != 0 || atoi(day) < 1900 || atoi(day) > 2200) {
        return NULL;
    }
    return day;
}

/* Reads and checks the parameters; on a mistake sends a French 400 and
 * returns 0 (*status what to return). */
static int tl_report_args_read(tl_req *q, tl_report_args *a, int *status)
{
    apr_pool_t *p = q->r->pool;
    const char *period = tl_query_get(&q->query, "periode"), *date = tl_query_get(&q->query, "date");
    const char *from = tl_query_get(&q->query, "du"), *to = tl_query_get(&q->query, "au");
    long d1, d2;
    int i;

    memset(a, 0, sizeof(*a));
    a->period = period && *period ? period : "mois";
    if (tl_valid_choice(p, "période", a->period, tl_periods, &i)) {
        *status = tl_render_error(q, HTTP_BAD_REQUEST, "La période est jour, mois, annee ou libre "
                                  "(par exemple periode=annee&date=2026).");
        return 0;
    }
    if (strcmp(a->period, "libre") == 0) {
        if (!from || !to || tl_date_parse(from, &d1) != 0 || tl_date_parse(to, &d2) != 0) {
            *status = tl_render_error(q, HTTP_BAD_REQUEST, "Une période libre a deux dates AAAA-MM-JJ : du=2026-01-01"
                                      "&au=2026-06-30.");
            return 0;
        }
        if (d2 < d1) {
            *status = tl_render_error(q, HTTP_BAD_REQUEST, "La période finit avant de commencer : la date « au » "
                                      "vient après la date « du ».");
            return 0;
        }
        if (d2 - d1 > 366L * 20) {
            *status = tl_render_error(q, HTTP_BAD_REQUEST, "Une période libre dure vingt ans au plus.");
            return 0;
        }
        a->day = from;
        a->to = to;
        return 1;
    }
    if (date && *date) {
        if (!(a->day = tl_report_day(p, a->period, date))) {
            *status = tl_render_error(q, HTTP_BAD_REQUEST, "La date s'écrit AAAA-MM-JJ (ou AAAA-MM pour un mois, "
                                      "AAAA pour une année), par exemple date=2026-03.");
            return 0;
        }
        a->date_in = date;
    }
    return 1;
}

/* The report's rows, or NULL with an error page sent. */
static const tl_rows *tl_report_rows(tl_req *q, tl_report_args *a, int *status)
{
    /* A period the database cannot read is a bad request, not a form. */
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "Les bilans d'un lieu sont réservés à ses référents." },
        { NULL, NULL, NULL, HTTP_BAD_REQUEST }
    };
    const tl_rows *rows = NULL;
    const char *params[] = { q->r->user, a->place, a->period, a->day, a->to };

    if (!(a->place = tl_admin_place(q, tl_query_get(&q->query, "lieu"), status))) {
        return NULL;
    }
    params[1] = a->place;
    if (tl_change(q, "SELECT * FROM tl.reuse_report($1, $2, $3, $4::date, $5::date)", 5, params, rules, NULL, status,
                  &rows) != 1) {
        return NULL;
    }
    return rows;
}

int tl_page_admin_reuse_report(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    tl_report_args a;
    const tl_rows *rows;
    apr_hash_t *sections = apr_hash_make(p);
    tl_rows *set, *periods;
    const char *values[16], *first = NULL, *last = NULL, *label = NULL, *query;
    int status = OK, i, c, ncols;
    size_t len;

    if (!tl_report_args_read(q, &a, &status) || !(rows = tl_report_rows(q, &a, &status))) {
        return status;
    }
    for (ncols = 0; tl_report_columns[ncols]; ncols++) {
    }
    for (i = 0; i < rows->count(rows); i++) {
        const char *section = rows->value(rows, i, 0, &len);
        for (c = 0; c < ncols; c++) {
            values[c] = rows->value(rows, i, c, &len);
        }
        values[ncols] = NULL;
        if (strcmp(section, "periode") == 0) {
            first = values[1];
            last = values[2];
            label = values[3];
            continue;
        }
        if (!(set = apr_hash_get(sections, section, APR_HASH_KEY_STRING))) {
            set = tl_rows_make(p, tl_report_columns);
            apr_hash_set(sections, section, APR_HASH_KEY_STRING, set);
            tl_view_rows(q->view, apr_pstrcat(p, "s_", section, NULL), set);
        }
        tl_rows_add(set, values);
        if (strcmp(section, "taux") == 0) {
            /* the rates also by name, for the sentence under them */
            tl_view_set(q->view, apr_pstrcat(p, "rate_", values[1], NULL), values[10]);
        }
    }
    periods = tl_rows_make(p, (const char *const[]){ "code", "label", "selected", NULL });
    for (i = 0; tl_periods[i]; i++) {
        tl_rows_add(periods, (const char *const[]){ tl_periods[i], tl_period_labels[i],
                                                    strcmp(a.period, tl_periods[i]) == 0 ? "t" : "" });
    }
    tl_view_rows(q->view, "periods", periods);
    tl_view_set(q->view, "period", a.period);
    tl_view_set(q->view, "period_label", label);
    tl_view_set(q->view, "first_day", first);
    tl_view_set(q->view, "last_day", last);
    tl_view_set(q->view, "f_date", a.date_in);
    tl_view_set(q->view, "f_du", strcmp(a.period, "libre") == 0 ? a.day : first);
    tl_view_set(q->view, "f_au", strcmp(a.period, "libre") == 0 ? a.to : last);
    if (strcmp(a.period, "annee") == 0) {
        tl_view_set(q->view, "yearly", "t");
        tl_view_set(q->view, "year", apr_pstrndup(p, first ? first : "", 4));
    }
    /* The same report as CSV, and printable: the parameters that made it. */
    query = strcmp(a.period, "libre") == 0
            ? tl_url_build(p, "", (const char *const[]){ "lieu", a.place, "periode", a.period, "du", a.day,
                                                         "au", a.to, NULL })
            : tl_url_build(p, "", (const char *const[]){ "lieu", a.place, "periode", a.period, "date", first, NULL });
    tl_view_set(q->view, "csv_url", apr_pstrcat(p, q->base, "/gestion/ressourcerie/bilan.csv", query, NULL));
    tl_view_set(q->view, "print_url", apr_pstrcat(p, q->base, "/gestion/ressourcerie/bilan", query, "&imprimer=1",
                                                  NULL));
    if (tl_query_get(&q->query, "imprimer")) {
        tl_view_set(q->view, "print", "t");
    }
    return tl_render_page(q, "gestion-ressourcerie-bilan",
                          apr_pstrcat(p, "Bilan de la ressourcerie ", label ? label : "", NULL));
}

int tl_page_admin_reuse_report_csv(tl_req *q)
{
    static const char *const cols[] = { "section", "key", "label", "kg_csv", "n", "amount_csv", "rate_csv", NULL };
    static const char *const labels[] = {
        "section", "clé", "libellé", "kg", "nombre", "montant (€)", "taux (%)", NULL
    };
    tl_report_args a;
    const tl_rows *rows;
    int status = OK;
    size_t len;
    tl_buf out;

    if (!tl_report_args_read(q, &a, &status) || !(rows = tl_report_rows(q, &a, &status))) {
        return status;
    }
    tl_buf_init(&out, q->r->pool, 16384);
    tl_buf_adds(&out, "\xEF\xBB\xBF");          /* the BOM tells spreadsheets it is UTF-8 */
    tl_csv_rows(&out, rows, cols, labels, ';');
    return tl_send_download(q, "text/csv; charset=utf-8",
                            apr_pstrcat(q->r->pool, "bilan-ressourcerie-", a.place, "-",
                                        rows->count(rows) ? rows->value(rows, 0, 1, &len) : "", "-",
                                        rows->count(rows) ? rows->value(rows, 0, 2, &len) : "", ".csv", NULL),
                            out.data, out.len);
}

/* ---- the filière REP of each category ------------------------------------ */

static int tl_streams_show(tl_req *q, const char *wanted, int status)
{
    int st = OK;
    const char *place = tl_admin_place(q, wanted, &st), *params[2];

    if (!place) {
        return st;
    }
    params[0] = q->r->user;
    params[1] = place;
    if (!tl_admin_view(q, "choices", "SELECT * FROM tl.admin_eco_mapping($1, $2)", 2, params, &st)
        || (tl_view_get(q->view, "is_admin")
            && !tl_admin_view(q, "network_choices", "SELECT * FROM tl.admin_eco_mapping($1, NULL)", 1, params, &st))) {
        return st;
    }
    {
        const tl_db_read reads[] = {
            { "streams", "SELECT code, label, organisations FROM tl.reuse_eco_stream ORDER BY rank", 0, NULL },
            { "categories", "SELECT code AS category, label AS category_label FROM tl.reuse_category ORDER BY rank",
              0, NULL },
        };
        if (!tl_db_views(q, reads, 2, &st)) {
            return tl_page_failed(q, st);
        }
    }
    tl_form_token(q, TL_STREAMS_FORM);
    q->r->status = status;
    return tl_render_page(q, "gestion-ressourcerie-filieres", "Filières REP de la ressourcerie — gestion");
}

int tl_page_admin_reuse_streams(tl_req *q)
{
    if (tl_query_get(&q->query, "fait")) {
        tl_view_set(q->view, "done", "t");
    }
    return tl_streams_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

/* Collects "filiere-CODE" fields into two parallel array literals. */
typedef struct {
    tl_buf cats, streams;
    int n, bad;
} tl_stream_form;

static int tl_stream_field(void *rec, const char *key, const char *value)
{
    tl_stream_form *s = rec;
    const char *k;

    if (strncmp(key, "filiere-", 8) != 0) {
        return 1;
    }
    key += 8;
    for (k = key; *k; k++) {
        if (!((*k >= 'a' && *k <= 'z') || *k == '_')) {
            s->bad = 1;
        }
    }
    for (k = value; *k; k++) {
        if (!((*k >= 'a' && *k <= 'z') || *k == '_')) {
            s->bad = 1;
        }
    }
    if (s->bad || !*key || strlen(key) > 32 || strlen(value) > 32) {
        s->bad = 1;
        return 0;
    }
    tl_buf_addc(&s->cats, s->n ? ',' : '{');
    tl_buf_adds(&s->cats, key);
    tl_buf_addc(&s->streams, s->n ? ',' : '{');
    tl_buf_addc(&s->streams, '"');
    tl_buf_adds(&s->streams, value);
    tl_buf_addc(&s->streams, '"');
    s->n++;
    return 1;
}

/* Saves the filières of a place's categories ("portee=reseau": the
 * network's defaults, admins only). */
int tl_page_admin_reuse_streams_post(tl_req *q)
{
    static const tl_change_rule map[] = {
        { "reuse_eco_mapping_stream_fkey", "filieres" },
        { NULL, NULL }
    };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *params[4];
    tl_stream_form s;
    int rc, status = OK, scope = -1;

    if (!tl_form_read(q, TL_STREAMS_FORM, &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    memset(&s, 0, sizeof(s));
    tl_buf_init(&s.cats, p, 256);
    tl_buf_init(&s.streams, p, 256);
    apr_table_do(tl_stream_field, &s, f, NULL);
    /* Both forms say whose filières they are: one left without it would
     * save the network's as the place's. */
    if (!place || tl_valid_slug(p, "lieu", place, 64) || s.bad || s.n == 0
        || tl_field_choice(p, f, "portee", "portée", tl_choices_stream_scope, &scope)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu ou de catégorie.");
    }
    tl_buf_addc(&s.cats, '}');
    tl_buf_addc(&s.streams, '}');
    params[0] = q->r->user;
    params[1] = scope == 1 ? NULL : place;
    params[2] = tl_buf_cstr(&s.cats);
    params[3] = tl_buf_cstr(&s.streams);
    rc = tl_change(q, "SELECT tl.save_eco_mapping($1, $2, $3::text[], $4::text[])", 4, params, map, "filieres",
                   &status, NULL);
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(p, "/gestion/ressourcerie/filieres",
                                            (const char *const[]){ "lieu", place, "fait", "1", NULL }));
    }
    return tl_streams_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
}
