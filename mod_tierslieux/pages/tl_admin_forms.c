/* What the back office's pages and the desk's share (tl_admin_forms.h):
 * the place a person works on, typed optional fields, and role-checked
 * reads. Every change goes through one SQL function that checks the
 * person's role at the place concerned and writes the journal
 * (sql/logic/back_office.sql), run with tl_change (glue/tl_change.c). */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_form.h"
#include "tl_valid.h"
#include "tl_date.h"

static const char tl_sql_places[] =
    "SELECT slug, name, role, is_admin, slug = $2 AS selected FROM tl.admin_places($1)";

const char *tl_admin_place(tl_req *q, const char *wanted, int *status)
{
    const char *params[] = { q->r->user, "" };
    const tl_rows *rows;
    size_t len;
    int i, n;

    if (wanted && *wanted && tl_valid_slug(q->r->pool, "lieu", wanted, 64)) {
        *status = tl_render_error(q, HTTP_BAD_REQUEST, "Ce lieu n'existe pas.");
        return NULL;
    }
    params[1] = wanted ? wanted : "";
    if (!(rows = tl_db_query(q, tl_sql_places, 2, params, status))) {
        *status = tl_page_failed(q, *status);
        return NULL;
    }
    n = rows->count(rows);
    if (n == 0) {
        *status = tl_render_error(q, HTTP_FORBIDDEN, "Cette partie est réservée aux référents d'un lieu.");
        return NULL;
    }
    for (i = 0; i < n && wanted && *wanted; i++) {
        if (strcmp(rows->value(rows, i, 0, &len), wanted) == 0) {
            break;
        }
    }
    if (wanted && *wanted && i == n) {
        *status = tl_render_error(q, HTTP_FORBIDDEN, "Vous n'êtes pas référent de ce lieu : rien n'y a été changé.");
        return NULL;
    }
    if (!wanted || !*wanted) {
        i = 0;
    }
    tl_view_rows(q->view, "places", rows);
    tl_view_set(q->view, "place", rows->value(rows, i, 0, &len));
    tl_view_set(q->view, "place_name", rows->value(rows, i, 1, &len));
    for (n = 0; n < rows->count(rows); n++) {
        if (strcmp(rows->value(rows, n, 3, &len), "t") == 0) {
            tl_view_set(q->view, "is_admin", "t");
        }
    }
    return rows->value(rows, i, 0, &len);
}

const char *tl_desk_place(tl_req *q, const char *wanted, int *status)
{
    const char *params[] = { q->r->user, wanted ? wanted : "" };
    const tl_rows *rows;
    size_t len;
    int i, n;

    if (wanted && *wanted && tl_valid_slug(q->r->pool, "lieu", wanted, 64)) {
        *status = tl_render_error(q, HTTP_BAD_REQUEST, "Ce lieu n'existe pas.");
        return NULL;
    }
    if (!(rows = tl_db_view(q, "places", "SELECT place_slug AS slug, place_name AS name, place_slug = $2 AS selected "
                                         "FROM tl.account_roles($1) ORDER BY place_name", 2, params, status))) {
        *status = tl_page_failed(q, *status);
        return NULL;
    }
    n = rows->count(rows);
    for (i = 0; i < n && wanted && *wanted && strcmp(rows->value(rows, i, 0, &len), wanted) != 0; i++) {
    }
    if (n == 0 || i == n) {
        *status = tl_render_error(q, HTTP_FORBIDDEN, n == 0 ? "Vous ne tenez le guichet d'aucun lieu."
                                                            : "Vous ne tenez pas le guichet de ce lieu.");
        return NULL;
    }
    if (!wanted || !*wanted) {
        i = 0;
    }
    tl_view_set(q->view, "place", rows->value(rows, i, 0, &len));
    tl_view_set(q->view, "place_name", rows->value(rows, i, 1, &len));
    return rows->value(rows, i, 0, &len);
}

static const char *tl_admin_chars(tl_req *q, apr_table_t *f, const char *name, const char *label, size_t maxchars,
                                  const char *(*valid)(apr_pool_t *, const char *, const char *, size_t))
{
    const char *v = tl_field(f, name), *err;

    if (!v) {
        return "";
    }
    if ((err = valid(q->r->pool, label, v, maxchars)) != NULL) {
        tl_form_error(q, name, err);
    }
    return v;
}

const char *tl_admin_text(tl_req *q, apr_table_t *f, const char *name, const char *label, size_t maxchars)
{
    return tl_admin_chars(q, f, name, label, maxchars, tl_valid_text);
}

const char *tl_admin_lines(tl_req *q, apr_table_t *f, const char *name, const char *label, size_t maxchars)
{
    return tl_admin_chars(q, f, name, label, maxchars, tl_valid_lines);
}

const char *tl_admin_int(tl_req *q, apr_table_t *f, const char *name, const char *label, long min, long max)
{
    const char *v = tl_field(f, name), *err;
    long n;

    if (!v || !*v) {
        return NULL;
    }
    if ((err = tl_valid_int(q->r->pool, label, v, min, max, &n)) != NULL) {
        tl_form_error(q, name, err);
        return NULL;
    }
    return apr_ltoa(q->r->pool, n);
}

const char *tl_admin_amount(tl_req *q, apr_table_t *f, const char *name, const char *label)
{
    const char *v = tl_field(f, name), *out = NULL, *err;

    if (!v || !*v) {
        return NULL;
    }
    if ((err = tl_valid_amount(q->r->pool, label, v, 10000, &out)) != NULL) {
        tl_form_error(q, name, err);
        return NULL;
    }
    return out;
}

const char *tl_admin_date(tl_req *q, apr_table_t *f, const char *name, const char *label)
{
    const char *v = tl_field(f, name);
    long days;

    if (!v || !*v) {
        return NULL;
    }
    if (tl_date_parse(v, &days) != 0) {
        tl_form_error(q, name, apr_psprintf(q->r->pool, "Le champ « %s » est une date, par exemple 2026-12-24.",
                                            label));
        return NULL;
    }
    return v;
}

/* "14:30" as a date input's companion time input sends it. */
const char *tl_admin_time(tl_req *q, apr_table_t *f, const char *name, const char *label, int required)
{
    const char *v = tl_field(f, name);

    if (!v || !*v) {
        if (required) {
            tl_form_error(q, name, apr_psprintf(q->r->pool, "Indiquez l'heure (%s), par exemple 14:00.", label));
        }
        return NULL;
    }
    if (strlen(v) != 5 || v[2] != ':' || v[0] < '0' || v[0] > '2' || v[1] < '0' || v[1] > '9' || v[3] < '0'
        || v[3] > '5' || v[4] < '0' || v[4] > '9' || (v[0] == '2' && v[1] > '3')) {
        tl_form_error(q, name, apr_psprintf(q->r->pool, "L'heure (%s) s'écrit comme 14:00.", label));
        return NULL;
    }
    return v;
}

/* Collects the values of a repeated field into an array literal. */
typedef struct {
    tl_buf out;
    int n, bad;
} tl_codes;

static int tl_codes_add(void *rec, const char *key, const char *value)
{
    tl_codes *c = rec;
    const char *k;

    (void)key;
    for (k = value; *k; k++) {
        if (!((*k >= 'a' && *k <= 'z') || *k == '_')) {
            c->bad = 1;
            return 0;
        }
    }
    if (*value && k - value <= 32) {
        tl_buf_addc(&c->out, c->n++ ? ',' : '{');
        tl_buf_adds(&c->out, value);
    }
    return 1;
}

const char *tl_admin_codes(tl_req *q, apr_table_t *f, const char *name, const char *label)
{
    tl_codes c;

    memset(&c, 0, sizeof(c));
    tl_buf_init(&c.out, q->r->pool, 64);
    apr_table_do(tl_codes_add, &c, f, name, NULL);
    if (c.bad) {
        tl_form_error(q, name, apr_psprintf(q->r->pool, "Choisissez les %s dans la liste.", label));
        return "{}";
    }
    if (c.n == 0) {
        return "{}";
    }
    tl_buf_addc(&c.out, '}');
    return tl_buf_cstr(&c.out);
}

const tl_rows *tl_admin_view(tl_req *q, const char *name, const char *sql, int nparams, const char *const *params,
                             int *status)
{
    /* A place they do not run: 403; an id that names nothing there: 404. */
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, NULL, 0, NULL },
        { NULL, NULL, NULL, HTTP_NOT_FOUND, NULL }
    };
    const tl_rows *rows = NULL;

    if (tl_change(q, sql, nparams, params, rules, NULL, status, &rows) != 1) {
        return NULL;
    }
    tl_view_rows(q->view, name, rows);
    return rows;
}
