/* Volunteer shifts (sql/logic/volunteering.sql). At the desk, a
 * volunteer's page: the place's shifts to come with a button to sign up or
 * withdraw, who is expected today (the team's names, for the team), and
 * their own hours — nobody else's. In the back office, the référents
 * publish and cancel shifts, set the value of an hour, and read the
 * group's hours by activity and month, with their valuation and its CSV
 * for the accounts ("contributions volontaires en nature"): counts only,
 * never a person. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_csv.h"
#include "tl_form.h"
#include "tl_valid.h"

#define TL_DESK_SHIFT_FORM "guichet-benevolat"
#define TL_ADMIN_SHIFT_FORM "gestion-benevolat"

/* Every refusal of the desk's buttons shows above the list of shifts. */
static const tl_change_rule tl_signup_fields[] = {
    { "volunteer_shift_full", "creneau" },
    { "volunteer_signup_before_start", "creneau" },
    { "volunteer_withdraw_before_start", "creneau" },
    { "volunteer_signup_once", "creneau" },
    { "volunteer_signup_exists", "creneau" },
    { "volunteer_signup_shift_fkey", "creneau" },
    { NULL, NULL }
};

static const tl_change_rule tl_shift_fields[] = {
    { "volunteer_shift_activity_fkey", "activite" },
    { "volunteer_shift_period", "fin" },
    { "volunteer_shift_in_future", "jour" },
    { "volunteer_shift_needed_range", "personnes" },
    { "volunteer_shift_note_length", "note" },
    { "place_volunteer_hour_value_range", "valeur" },
    { "volunteer_shift_cancellable", "creneau" },
    { "volunteer_signup_minutes_range", "minutes" },
    { "volunteer_signup_minutes_after_start", "minutes" },
    { "volunteer_signup_pkey", "minutes" },
    { "volunteer_signup_shift_fkey", "creneau" },
    { NULL, NULL }
};

/* A shift's number as a form sends it, or NULL after a 400 page. */
static const char *tl_shift_id(tl_req *q, apr_table_t *f, const char **place, int *status)
{
    const char *id = tl_field(f, "creneau");
    long n;

    *place = tl_field(f, "lieu");
    if (tl_valid_int(q->r->pool, "créneau", id, 1, 2147483647L, &n) || !*place
        || tl_valid_slug(q->r->pool, "lieu", *place, 64)) {
        *status = tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de créneau ou de lieu.");
        return NULL;
    }
    return id;
}

/* ---- the desk ------------------------------------------------------------- */

static int tl_desk_shifts_show(tl_req *q, const char *wanted, int http_status)
{
    int status = OK;
    const char *place = tl_desk_place(q, wanted, &status), *params[2];

    if (!place) {
        return status;
    }
    params[0] = q->r->user;
    params[1] = place;
    if (!tl_admin_view(q, "shifts", "SELECT * FROM tl.desk_shifts($1, $2)", 2, params, &status)
        || !tl_admin_view(q, "expected", "SELECT * FROM tl.desk_expected_today($1, $2)", 2, params, &status)
        || !tl_admin_view(q, "my_hours", "SELECT * FROM tl.my_volunteer_hours($1)", 1, params, &status)) {
        return status;
    }
    tl_form_token(q, TL_DESK_SHIFT_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "guichet-benevolat", "Bénévolat : les créneaux — guichet");
}

int tl_page_desk_volunteering(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && tl_valid_slug(q->r->pool, "fait", done, 16) == NULL) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_desk_shifts_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

/* Sign-up and withdrawal share their form's fields (lieu, creneau). */
static int tl_desk_signup_change(tl_req *q, const char *sql, const char *done)
{
    apr_table_t *f;
    const char *id, *place, *params[2];
    int rc, status = OK;

    if (!tl_form_read(q, TL_DESK_SHIFT_FORM, &f, &rc)) {
        return rc;
    }
    if (!(id = tl_shift_id(q, f, &place, &status))) {
        return status;
    }
    params[0] = q->r->user;
    params[1] = id;
    rc = tl_change(q, sql, 2, params, tl_signup_fields, "creneau", &status, NULL);
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(q->r->pool, "/guichet/benevolat",
                                            (const char *const[]){ "lieu", place, "fait", done, NULL }));
    }
    return tl_desk_shifts_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
}

int tl_page_desk_volunteering_signup(tl_req *q)
{
    return tl_desk_signup_change(q, "SELECT tl.shift_sign_up($1, $2::integer)", "inscription");
}

int tl_page_desk_volunteering_withdraw(tl_req *q)
{
    return tl_desk_signup_change(q, "SELECT tl.shift_withdraw($1, $2::integer)", "retrait");
}

/* ---- the back office ------------------------------------------------------ */

static int tl_admin_shifts_show(tl_req *q, const char *wanted, int http_status)
{
    int status = OK;
    const char *place = tl_admin_place(q, wanted, &status), *params[2];

    if (!place) {
        return status;
    }
    params[0] = q->r->user;
    params[1] = place;
    if (!tl_admin_view(q, "shifts", "SELECT * FROM tl.admin_shifts($1, $2)", 2, params, &status)
        || !tl_admin_view(q, "signups", "SELECT * FROM tl.admin_shift_signups($1, $2)", 2, params, &status)) {
        return status;
    }
    {
        const tl_db_read reads[] = {
            { "activities", "SELECT code, label FROM tl.volunteer_activity ORDER BY rank", 0, NULL },
            { "setting", "SELECT replace(volunteer_hour_value::text, '.', ',') AS hour_value FROM tl.place "
                         "WHERE slug = $1", 1, &place },
        };
        if (!tl_db_views(q, reads, 2, &status)) {
            return tl_page_failed(q, status);
        }
    }
    tl_form_token(q, TL_ADMIN_SHIFT_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "gestion-benevolat", "Bénévolat : les créneaux — gestion");
}

int tl_page_admin_volunteering(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && tl_valid_slug(q->r->pool, "fait", done, 16) == NULL) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_admin_shifts_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

/* Reads a back-office form of this page and the place it names; 0 when
 * it was refused, with *status what the page returns. */
static int tl_admin_shift_form(tl_req *q, apr_table_t **f, const char **place, int *status)
{
    if (!tl_form_read(q, TL_ADMIN_SHIFT_FORM, f, status)) {
        return 0;
    }
    *place = tl_field(*f, "lieu");
    if (!**place || tl_valid_slug(q->r->pool, "lieu", *place, 64)) {
        *status = tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu.");
        return 0;
    }
    return 1;
}

/* Runs a back-office change unless a field was already refused, then
 * answers: 303 back to the page saying what was done (done), the page
 * again with a 422 and the message under its field, or an error page. */
static int tl_admin_shift_change(tl_req *q, const char *place, const char *sql, int nparams,
                                 const char *const *params, const char *field, const char *done)
{
    int rc = 0, status = OK;

    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, sql, nparams, params, tl_shift_fields, field, &status, NULL);
    }
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(q->r->pool, "/gestion/benevolat",
                                            (const char *const[]){ "lieu", place, "fait", done, NULL }));
    }
    return tl_admin_shifts_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
}

/* A new shift: activite, jour, debut, fin, personnes, note. */
int tl_page_admin_volunteering_post(tl_req *q)
{
    static const char *const names[] = { "activite", "jour", "debut", "fin", "personnes", "note", NULL };
    apr_table_t *f;
    const char *place, *params[8];
    int status = OK;

    if (!tl_admin_shift_form(q, &f, &place, &status)) {
        return status;
    }
    tl_form_keep(q, f, NULL, names);
    params[0] = q->r->user;
    params[1] = place;
    params[2] = tl_admin_text(q, f, "activite", "activité", 30);
    params[3] = tl_admin_date(q, f, "jour", "jour");
    params[4] = tl_admin_time(q, f, "debut", "début", 1);
    params[5] = tl_admin_time(q, f, "fin", "fin", 1);
    params[6] = tl_admin_int(q, f, "personnes", "personnes attendues", 0, 1000);
    params[7] = tl_admin_text(q, f, "note", "note", 300);
    if (!params[3] && !tl_view_get(q->view, "err_jour")) {
        tl_form_error(q, "jour", "Indiquez le jour du créneau.");
    }
    if (!params[6] && !tl_view_get(q->view, "err_personnes")) {
        tl_form_error(q, "personnes", "Indiquez combien de personnes le créneau attend, par exemple 2.");
    }
    return tl_admin_shift_change(q, place, "SELECT tl.create_shift($1, $2, $3, $4::date, $5::time, $6::time, "
                                           "$7::integer, $8)", 8, params, "jour", "creation");
}

int tl_page_admin_volunteering_cancel(tl_req *q)
{
    apr_table_t *f;
    const char *id, *place, *params[2];
    int rc, status = OK;

    if (!tl_form_read(q, TL_ADMIN_SHIFT_FORM, &f, &rc)) {
        return rc;
    }
    if (!(id = tl_shift_id(q, f, &place, &status))) {
        return status;
    }
    params[0] = q->r->user;
    params[1] = id;
    return tl_admin_shift_change(q, place, "SELECT tl.cancel_shift($1, $2::integer)", 2, params, "creneau",
                                 "annulation");
}

/* The value of an hour of volunteering at the place (valeur, in euros). */
int tl_page_admin_volunteering_value(tl_req *q)
{
    apr_table_t *f;
    const char *place, *params[3];
    int status = OK;

    if (!tl_admin_shift_form(q, &f, &place, &status)) {
        return status;
    }
    tl_form_keep(q, f, NULL, (const char *const[]){ "valeur", NULL });
    params[0] = q->r->user;
    params[1] = place;
    params[2] = tl_admin_amount(q, f, "valeur", "valeur d'une heure");
    if (!params[2] && !tl_view_get(q->view, "err_valeur")) {
        tl_form_error(q, "valeur", "Indiquez la valeur d'une heure en euros, par exemple 11,88.");
    }
    return tl_admin_shift_change(q, place, "SELECT tl.set_volunteer_hour_value($1, $2, $3::numeric)", 3, params,
                                 "valeur", "valeur");
}

/* The minutes a volunteer actually gave (inscription, minutes). */
int tl_page_admin_volunteering_minutes(tl_req *q)
{
    apr_table_t *f;
    const char *place, *params[3];
    long n;
    int status = OK;

    if (!tl_admin_shift_form(q, &f, &place, &status)) {
        return status;
    }
    params[1] = tl_field(f, "inscription");
    if (tl_valid_int(q->r->pool, "inscription", params[1], 1, 9223372036854775807L, &n)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'inscription.");
    }
    params[0] = q->r->user;
    params[2] = tl_admin_int(q, f, "minutes", "minutes données", 0, 100000);
    if (!params[2] && !tl_view_get(q->view, "err_minutes")) {
        tl_form_error(q, "minutes", "Indiquez le temps donné en minutes, par exemple 90.");
    }
    return tl_admin_shift_change(q, place, "SELECT tl.set_signup_minutes($1, $2::bigint, $3::integer)", 3, params,
                                 "minutes", "duree");
}

/* The group's hours of the place, by month and activity. */
static const tl_rows *tl_hours_rows(tl_req *q, const char **place, int *status)
{
    const char *params[2];

    if (!(*place = tl_admin_place(q, tl_query_get(&q->query, "lieu"), status))) {
        return NULL;
    }
    params[0] = q->r->user;
    params[1] = *place;
    return tl_admin_view(q, "hours", "SELECT * FROM tl.volunteer_hours($1, $2)", 2, params, status);
}

int tl_page_admin_volunteering_hours(tl_req *q)
{
    int status = OK;
    const char *place;

    if (!tl_hours_rows(q, &place, &status)) {
        return status;
    }
    tl_view_set(q->view, "csv_url", apr_pstrcat(q->r->pool, q->base, "/gestion/benevolat/heures.csv",
                                                tl_url_build(q->r->pool, "",
                                                             (const char *const[]){ "lieu", place, NULL }), NULL));
    return tl_render_page(q, "gestion-benevolat-heures", "Bénévolat : les heures données — gestion");
}

/* "Contributions volontaires en nature": one row per month and activity,
 * hours × the place's value of an hour. */
int tl_page_admin_volunteering_hours_csv(tl_req *q)
{
    static const char *const cols[] = { "month", "place", "activity", "hours_csv", "people", "hour_value_csv",
                                        "valuation_csv", NULL };
    static const char *const labels[] = { "mois", "lieu", "activité", "heures", "bénévoles", "valeur horaire (€)",
                                          "valorisation (€)", NULL };
    int status = OK;
    const char *place;
    const tl_rows *rows;
    tl_buf out;

    if (!(rows = tl_hours_rows(q, &place, &status))) {
        return status;
    }
    tl_buf_init(&out, q->r->pool, 8192);
    tl_buf_adds(&out, "\xEF\xBB\xBF");          /* the BOM tells spreadsheets it is UTF-8 */
    tl_csv_rows(&out, rows, cols, labels, ';');
    return tl_send_download(q, "text/csv; charset=utf-8",
                            apr_pstrcat(q->r->pool, "contributions-volontaires-", place, ".csv", NULL), out.data,
                            out.len);
}
