/* A place's events, the visitors' side: the repair café's agenda of
 * sessions and the agenda of every kind of event (workshops, seed swaps,
 * open days: /agenda), an event with its slots, booking a seat (for an
 * object, at a repair café), and the private page a visitor comes back to
 * (through a link whose secret only they hold) to see what became of the
 * event or to cancel. Every kind books through the same form, function and
 * private page. */
#include <stdio.h>
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"
#include "tl_token.h"
#include "tl_ical.h"
#include "tl_ords.h"
#include "tl_date.h"
#include "tl_choices.h"
#include <http_core.h>

#define TL_REPAIR_FORM "reparation"

static const char tl_sql_results[] =
    "SELECT brought, fixed, repairable, end_of_life, replace(waste_kg::text, '.', ',') AS waste, "
    "       replace(co2_kg::text, '.', ',') AS co2, "
    "       (SELECT replace(value::float8::text, '.', ',') FROM tl.impact_factors(coalesce(nullif($1, ''), "
    "            (SELECT slug FROM tl.place ORDER BY id LIMIT 1))) WHERE key = 'reparation_deplacement') AS displacement "
    "  FROM tl.repair_results($1, $2::integer) WHERE brought > 0";

/* $1 a place or '', $2 one event or NULL, $3 a kind or NULL (every kind). */
static const char tl_sql_sessions[] =
    "SELECT * FROM tl.repair_sessions($1, date_trunc('day', now()), $2::integer, $3)";

int tl_page_repair_agenda(tl_req *q)
{
    int status = OK;
    const char *place = tl_param_slug(q, "lieu", "lieu", &status);
    const char *params[] = { place, NULL, "reparation" };

    const tl_db_read reads[] = {
        { "sessions", tl_sql_sessions, 3, params },
        { "results", tl_sql_results, 2, params },
        { "places", "SELECT slug, name, slug = $1 AS selected FROM tl.place ORDER BY name", 1, params },
    };

    if (!place) {
        return status;
    }
    if (!tl_db_views(q, reads, 3, &status)) {
        return tl_page_failed(q, status);
    }
    tl_view_set(q->view, "place", place);
    return tl_render_page(q, "reparation", TL_TITLE_REPAIR);
}

/* "2026-11-28 14:00:00" (a timestamp as PostgreSQL writes it) into its
 * parts; 0 when it reads. */
static int tl_repair_local(const char *v, tl_tz_local *l)
{
    return v && sscanf(v, "%4d-%2d-%2d %2d:%2d:%2d", &l->year, &l->month, &l->day, &l->hour, &l->minute,
                       &l->second) == 6 ? 0 : -1;
}

/* The ?type= of the agenda and its feed: a kind of event, "" for every
 * kind, or NULL and *status (a 400 sent) for a kind that is none. */
static const char *tl_event_kind_param(tl_req *q, int *status)
{
    const char *v = tl_query_get(&q->query, "type");
    const char *err;
    int i;

    if (!v || !*v) {
        return "";
    }
    if ((err = tl_valid_choice(q->r->pool, "type d'événement", v, tl_choices_event_kind, &i)) != NULL) {
        *status = tl_render_error(q, HTTP_BAD_REQUEST, err);
        return NULL;
    }
    return v;
}

/* Events as an iCalendar feed (RFC 5545), all places or ?lieu=, one kind
 * or every kind: what a calendar application subscribes to. Cancelled and
 * moved events stay in it, cancelled, so subscribers see them go. */
static int tl_events_ical(tl_req *q, const char *kind, const char *prodid, const char *name, const char *filename)
{
    apr_pool_t *p = q->r->pool;
    int status = OK, i;
    const char *place = tl_param_slug(q, "lieu", "lieu", &status);
    const char *params[] = { place, kind }, *err;
    const tl_rows *rows;
    tl_ical *cal;
    tl_buf out;
    size_t len;

    if (!place) {
        return status;
    }
    if (!(rows = tl_db_query(q, "SELECT id, created_epoch, time_zone, starts_local, ends_local, title, place_name, "
                                "       street_address, postal_code, locality, skills, moved_to, moved_day_fr, "
                                "       cancelled, cancel_reason, description, kind_label, repair, theme, leader "
                                "  FROM tl.repair_sessions($1, now() - interval '31 days', NULL, $2)", 2,
                             params, &status))) {
        return tl_page_failed(q, status);
    }
    cal = tl_ical_create(p, prodid, apr_pstrcat(p, name, " — ", tl_conf_site_name(q->dc), NULL));
#define TL_COL(name) rows->value(rows, i, rows->column(rows, name), &len)
    for (i = 0; i < rows->count(rows); i++) {
        tl_ical_event ev;
        int repair = TL_COL("repair")[0] == 't';
        memset(&ev, 0, sizeof(ev));
        ev.uid = apr_psprintf(p, "seance-%s@%s", TL_COL("id"), q->r->server->server_hostname);
        ev.dtstamp = apr_atoi64(TL_COL("created_epoch"));
        ev.tzid = TL_COL("time_zone");
        if (tl_repair_local(TL_COL("starts_local"), &ev.start) || tl_repair_local(TL_COL("ends_local"), &ev.end)) {
            continue;
        }
        ev.summary = TL_COL("title");
        ev.location = apr_pstrcat(p, TL_COL("place_name"), ", ", TL_COL("street_address"), ", ",
                                  TL_COL("postal_code"), " ", TL_COL("locality"), NULL);
        ev.description = apr_pstrcat(p, repair ? "" : apr_pstrcat(p, TL_COL("kind_label"), ".\n", NULL),
                                     TL_COL("theme") ? apr_pstrcat(p, "Thème : ", TL_COL("theme"), ".\n", NULL) : "",
                                     TL_COL("leader") ? apr_pstrcat(p, "Animé par ", TL_COL("leader"), ".\n", NULL)
                                                      : "",
                                     TL_COL("skills") ? apr_pstrcat(p, "Réparations : ", TL_COL("skills"), ".\n",
                                                                    NULL) : "",
                                     TL_COL("moved_to") ? apr_pstrcat(p, "Séance déplacée au ", TL_COL("moved_day_fr"),
                                                                      ".\n", NULL) : "",
                                     TL_COL("cancelled")[0] == 't' ? apr_pstrcat(p, "Séance annulée : ",
                                                                              TL_COL("cancel_reason"), ".\n", NULL)
                                                                 : "",
                                     TL_COL("description"), NULL);
        ev.url = ap_construct_url(p, apr_pstrcat(p, q->base, repair ? "/reparation/" : "/agenda/", TL_COL("id"),
                                                 NULL), q->r);
        ev.status = TL_COL("cancelled")[0] == 't' || TL_COL("moved_to") ? TL_ICAL_CANCELLED : TL_ICAL_CONFIRMED;
        ev.sequence = -1;
        if (tl_ical_add_event(cal, &ev, &err) != 0) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, TLXLOGNO(1002) "session %s left out of the feed: %s",
                          TL_COL("id"), err);
        }
    }
#undef TL_COL
    tl_buf_init(&out, p, 4096);
    tl_ical_finish(cal, &out);
    apr_table_setn(q->r->headers_out, "Content-Disposition",
                   apr_pstrcat(p, "inline; filename=\"", filename, "\"", NULL));
    return tl_send_body(q, "text/calendar; charset=utf-8", out.data, out.len);
}

/* The repair café's sessions only, as the feed always was. */
int tl_page_repair_ical(tl_req *q)
{
    return tl_events_ical(q, "reparation", "-//mod_tierslieux//Repair café//FR", "Repair café", "reparation.ics");
}

/* Every kind of event (?type= one kind). */
int tl_page_events_ical(tl_req *q)
{
    int status = OK;
    const char *kind = tl_event_kind_param(q, &status);

    if (!kind) {
        return status;
    }
    return tl_events_ical(q, kind, "-//mod_tierslieux//Agenda//FR", "Agenda des lieux", "agenda.ics");
}

/* The events to come as an Atom feed (the network's or ?lieu=, one kind
 * with ?type= or every kind), soonest first: what a host site's news block
 * shows. An entry's id is the event's page; a cancelled or moved event says
 * so in its title, as long as it is still to come. */
int tl_page_events_feed(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    int status = OK, i;
    const char *kind = tl_event_kind_param(q, &status), *place, *params[2];
    const tl_rows *rows;
    tl_atom *feed;
    size_t len;

    if (!kind || !(place = tl_param_slug(q, "lieu", "lieu", &status))
        || !(feed = tl_feed_create(q, "/agenda", place, kind, "Agenda des lieux", &status))) {
        return status;
    }
    params[0] = place;
    params[1] = kind;
    if (!(rows = tl_db_query(q, "SELECT id, title, coalesce(description, '') AS description, place_name, day_fr, "
                                "       hours_fr, kind_label, repair, "
                                "       theme, leader, cancelled, moved_day_fr, created_epoch "
                                "  FROM tl.repair_sessions($1, now(), NULL, $2) WHERE NOT past "
                                " ORDER BY starts_local AT TIME ZONE time_zone, id LIMIT 50", 2, params, &status))) {
        return tl_page_failed(q, status);
    }
#define TL_COL(name) rows->value(rows, i, rows->column(rows, name), &len)
    for (i = 0; i < rows->count(rows); i++) {
        tl_atom_entry e = { 0 };
        int cancelled = TL_COL("cancelled")[0] == 't';
        e.id = ap_construct_url(p, apr_pstrcat(p, q->base, TL_COL("repair")[0] == 't' ? "/reparation/" : "/agenda/",
                                               TL_COL("id"), NULL), q->r);
        e.link = e.id;
        e.title = apr_pstrcat(p, cancelled ? "Annulé : " : TL_COL("moved_day_fr") ? "Déplacé : " : "",
                              TL_COL("title"), " — ", TL_COL("day_fr"), NULL);
        e.updated = e.published = apr_atoi64(TL_COL("created_epoch"));
        e.category = TL_COL("kind_label");
        e.summary = apr_pstrcat(p, TL_COL("kind_label"), TL_COL("theme") ? apr_pstrcat(p, " (", TL_COL("theme"), ")",
                                                                                       NULL) : "",
                                ", le ", TL_COL("day_fr"), ", ", TL_COL("hours_fr"), ", à ", TL_COL("place_name"),
                                TL_COL("leader") ? apr_pstrcat(p, ", animé par ", TL_COL("leader"), NULL) : "",
                                ".", *TL_COL("description") ? " " : "", TL_COL("description"), NULL);
        tl_feed_add(q, feed, &e);
    }
#undef TL_COL
    return tl_feed_send(q, feed);
}

/* The ORDS export under way: each row of tl.repair_ords_rows written as it
 * comes, sent a chunk at a time. */
typedef struct {
    tl_stream stream;
    tl_ords_writer writer;
    int found;                      /* col is known (from the first row) */
    int col[14];
} tl_ords_export;

static const char *const tl_ords_export_cols[] = {
    "id", "data_provider", "country", "partner_product_category", "product_category", "product_category_id",
    "brand", "year_of_manufacture", "product_age", "repair_status", "barrier", "group_identifier", "event_date",
    "problem", NULL
};

static int tl_ords_export_row(void *ctx, const tl_rows *rows, int i)
{
    tl_ords_export *x = ctx;
    tl_ords_row row;
    const char *v[14];
    size_t len;
    int c;

    if (!x->found) {
        for (c = 0; tl_ords_export_cols[c]; c++) {
            x->col[c] = rows->column(rows, tl_ords_export_cols[c]);
        }
        x->found = 1;
    }
    for (c = 0; c < 14; c++) {
        v[c] = x->col[c] < 0 ? NULL : rows->value(rows, i, x->col[c], &len);
    }
    memset(&row, 0, sizeof(row));
    row.id = v[0];
    row.data_provider = v[1];
    row.country = v[2];
    row.partner_product_category = v[3];
    row.product_category = v[4];
    row.product_category_id = v[5] ? atoi(v[5]) : 0;
    row.brand = v[6];
    row.year_of_manufacture = v[7] ? atoi(v[7]) : 0;
    row.product_age = v[8];
    row.repair_status = (tl_ords_status)atoi(v[9] ? v[9] : "0");
    row.barrier = (tl_ords_barrier)atoi(v[10] ? v[10] : "0");
    row.group_identifier = v[11];
    apr_cpystrn(row.event_date, v[12] ? v[12] : "", sizeof(row.event_date));
    row.problem = v[13];
    tl_ords_writer_row(&x->writer, &row);
    return tl_stream_flush(&x->stream);
}

/* The repairs of a place (or all) over a period as an Open Repair Data
 * Standard v0.3 file: open data, the visitors' e-mails and phone numbers
 * scrubbed out of the problems' text. ?lieu=, ?du= and ?au= (YYYY-MM-DD;
 * by default everything up to today). Streamed: a network's years of
 * repairs never sit whole in a worker. */
int tl_page_repair_ords(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    int status = OK;
    const char *place = tl_param_slug(q, "lieu", "lieu", &status);
    const char *from = tl_query_get(&q->query, "du"), *to = tl_query_get(&q->query, "au");
    const tl_rows *name;
    apr_time_exp_t now;
    tl_ords_export *x;
    long d1, d2;
    size_t len;
    char today[11];

    if (!place) {
        return status;
    }
    apr_time_exp_lt(&now, q->r->request_time);
    apr_snprintf(today, sizeof(today), "%04d-%02d-%02d", now.tm_year + 1900, now.tm_mon + 1, now.tm_mday);
    from = from && *from ? from : "2000-01-01";
    to = to && *to ? to : today;
    if (tl_date_parse(from, &d1) != 0 || tl_date_parse(to, &d2) != 0 || d2 < d1) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "La période s'écrit avec deux dates AAAA-MM-JJ, la seconde après "
                               "la première (du=2026-01-01&au=2026-12-31).");
    }
    if (!(name = tl_db_query(q, "SELECT coalesce((SELECT name FROM tl.place WHERE slug = $1), $2)", 2,
                             (const char *const[]){ place, tl_conf_site_name(q->dc) }, &status))) {
        return tl_page_failed(q, status);
    }
    x = apr_pcalloc(p, sizeof(*x));
    tl_stream_open(&x->stream, q, "text/csv; charset=utf-8",
                   tl_ords_filename(p, name->value(name, 0, 0, &len), atoi(to), atoi(to + 5)));
    tl_ords_writer_init(&x->writer, &x->stream.buf, TL_ORDS_SCRUB_PROBLEM);
    if (!q->r->header_only
        && tl_db_each(q, "SELECT * FROM tl.repair_ords_rows($1, $2::date, $3::date)", 3,
                      (const char *const[]){ place, from, to }, &status, tl_ords_export_row, x) < 0) {
        return tl_stream_close(&x->stream, status);
    }
    return tl_stream_close(&x->stream, OK);
}

/* The session of the first path segment, as the result set "session";
 * NULL and *status (an error page sent) when there is none. */
static const tl_rows *tl_repair_session(tl_req *q, const char *segment, int *status)
{
    const char *id = tl_param_id(q, segment, "séance", status);
    const char *params[] = { "", id, NULL };
    const tl_rows *s;

    if (!id) {
        return NULL;
    }
    {
        const tl_db_read reads[] = {
            { "session", tl_sql_sessions, 3, params },
            { "slots", "SELECT * FROM tl.repair_slots($1::integer)", 1, &id },
            { "results", tl_sql_results, 2, params },
        };
        if (!tl_db_views(q, reads, 3, status)) {
            *status = tl_page_failed(q, *status);
            return NULL;
        }
        s = tl_view_rows_get(q->view, "session");
    }
    if (s->count(s) == 0) {
        *status = tl_render_error(q, HTTP_NOT_FOUND, "Cette séance n'existe pas (ou plus).");
        return NULL;
    }
    return s;
}

/* 1 when the event of the result set is a repair café. */
static int tl_session_is_repair(const tl_rows *s)
{
    size_t len;
    const char *v = s->value(s, 0, s->column(s, "repair"), &len);
    return v && v[0] == 't';
}

/* An event's page at another path: a permanent redirect, the query kept. */
static int tl_event_moved(tl_req *q, const char *path)
{
    apr_pool_t *p = q->r->pool;

    apr_table_setn(q->r->headers_out, "Location",
                   ap_construct_url(p, apr_pstrcat(p, q->base, path, q->r->args ? "?" : "", q->r->args, NULL),
                                    q->r));
    return HTTP_MOVED_PERMANENTLY;
}

int tl_page_repair_session(tl_req *q)
{
    int status = OK;
    const tl_rows *s = tl_repair_session(q, q->args[0], &status);
    size_t len;

    if (!s) {
        return status;
    }
    /* Another kind of event lives in the agenda of every kind. */
    if (!tl_session_is_repair(s)) {
        return tl_event_moved(q, apr_pstrcat(q->r->pool, "/agenda/", s->value(s, 0, s->column(s, "id"), &len), NULL));
    }
    return tl_render_page(q, "reparation-seance",
                          tl_title_event(q->r->pool, s->value(s, 0, s->column(s, "title"), &len),
                                         s->value(s, 0, s->column(s, "day_fr"), &len)));
}

/* The agenda of every kind of event, ?lieu= and ?type= filtering it. */
int tl_page_events(tl_req *q)
{
    int status = OK;
    const char *place = tl_param_slug(q, "lieu", "lieu", &status);
    const char *kind = place ? tl_event_kind_param(q, &status) : NULL;
    const char *params[] = { place, NULL, kind };

    if (!place || !kind) {
        return status;
    }
    {
        const tl_db_read reads[] = {
            { "sessions", tl_sql_sessions, 3, params },
            { "places", "SELECT slug, name, slug = $1 AS selected FROM tl.place ORDER BY name", 1, params },
            { "kinds", "SELECT code, label, code = $1 AS selected FROM tl.event_kind ORDER BY rank", 1, &params[2] },
        };
        if (!tl_db_views(q, reads, 3, &status)) {
            return tl_page_failed(q, status);
        }
    }
    tl_view_set(q->view, "place", place);
    tl_view_set(q->view, "kind", kind);
    return tl_render_page(q, "agenda", TL_TITLE_AGENDA);
}

/* One event of any kind: its slots and how to book one. A repair café
 * keeps its own page, with its repairs' results. */
int tl_page_event(tl_req *q)
{
    int status = OK;
    const tl_rows *s = tl_repair_session(q, q->args[0], &status);
    size_t len;

    if (!s) {
        return status;
    }
    if (tl_session_is_repair(s)) {
        return tl_event_moved(q, apr_pstrcat(q->r->pool, "/reparation/", s->value(s, 0, s->column(s, "id"), &len),
                                             NULL));
    }
    /* schema.org's organizer: the place, by its public page. */
    tl_view_set(q->view, "place_url",
                ap_construct_url(q->r->pool, apr_pstrcat(q->r->pool, q->base, "/lieux/",
                                                         s->value(s, 0, s->column(s, "place_slug"), &len), NULL),
                                 q->r));
    return tl_render_page(q, "evenement",
                          tl_title_event(q->r->pool, s->value(s, 0, s->column(s, "title"), &len),
                                         s->value(s, 0, s->column(s, "day_fr"), &len)));
}

static int tl_repair_form_show(tl_req *q, const char *session, int http_status)
{
    int status = OK;
    const tl_rows *s = tl_repair_session(q, session, &status);
    size_t len;

    if (!s) {
        return status;
    }
    tl_form_token(q, TL_REPAIR_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "reparation-reserver",
                          tl_session_is_repair(s) ? "Réserver un créneau — repair café"
                          : apr_pstrcat(q->r->pool, "Réserver une place — ",
                                        s->value(s, 0, s->column(s, "title"), &len), NULL));
}

int tl_page_repair_book_form(tl_req *q)
{
    return tl_repair_form_show(q, q->args[0], HTTP_OK);
}

/* The same form, reached from an event's page: one booking path. */
int tl_page_event_book_form(tl_req *q)
{
    return tl_repair_form_show(q, q->args[0], HTTP_OK);
}

int tl_page_repair_book(tl_req *q)
{
    static const char *const names[] = { "creneau", "objet", "probleme", "nom", "contact", NULL };
    /* Anything but a blank field is about the slot (full, over). */
    static const tl_change_rule rules[] = {
        { "repair_booking_object_not_blank", "objet" },
        { "repair_booking_name_not_blank", "nom" },
        { "repair_booking_contact_not_blank", "contact" },
        { TL_CHANGE_FORBIDDEN, NULL, "" },
        { NULL, "creneau" }
    };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *session, *slot, *token, *hash, *err;
    long id;
    int rc, status = OK, i;

    if (!tl_form_read(q, TL_REPAIR_FORM, &f, &rc)) {
        return rc;
    }
    session = tl_field(f, "seance");
    slot = tl_field(f, "creneau");
    if (tl_valid_int(p, "séance", session, 1, 2147483647L, &id)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de séance.");
    }
    tl_form_keep(q, f, NULL, names);
    if (tl_valid_int(p, "créneau", slot, 1, 2147483647L, &id)) {
        tl_form_error(q, "creneau", "Choisissez un créneau de la liste.");
    }
    {
        /* The problem is a textarea: its lines are kept. */
        static const struct { const char *name, *label; size_t max; int lines; } fields[] = {
            { "objet", "objet", 200, 0 }, { "probleme", "problème", 2000, 1 }, { "nom", "nom", 100, 0 },
            { "contact", "courriel ou téléphone", 200, 0 }
        };
        for (i = 0; i < 4; i++) {
            const char *v = tl_field(f, fields[i].name);
            if (v && (err = (fields[i].lines ? tl_valid_lines : tl_valid_text)(p, fields[i].label, v, fields[i].max))
                         != NULL) {
                tl_form_error(q, fields[i].name, err);
            }
        }
    }
    if (tl_view_get(q->view, "errors")) {
        return tl_repair_form_show(q, session, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (tl_token_make(p, &token, &hash) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(1001) "cannot make a booking token");
        return tl_page_failed(q, HTTP_INTERNAL_SERVER_ERROR);
    }
    {
        const char *params[] = { slot, tl_field(f, "objet"), tl_field(f, "probleme"),
                                 tl_field(f, "nom"), tl_field(f, "contact"), hash };
        if ((rc = tl_change(q, "SELECT tl.book_repair($1::integer, $2, $3, $4, $5, $6)", 6, params, rules, NULL,
                            &status, NULL)) != 1) {
            return rc < 0 ? status : tl_repair_form_show(q, session, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    /* The private page's address holds the secret: the visitor keeps it
     * (bookmark, history); the module masks it in the access log. */
    return tl_form_done(q, apr_pstrcat(p, "/reparation/reservation?jeton=", token, "&fait=reservation", NULL));
}

/* The booking behind ?jeton=…: 404 for no such link, 410 once its session
 * is over. */
static int tl_repair_booking_show(tl_req *q, const char *token, int http_status)
{
    const char *hash = tl_token_sha256(q->r->pool, token);
    const tl_rows *b, *s;
    int status = OK;
    size_t len;

    /* The page holds a secret in its address: no Referer from it. */
    apr_table_setn(q->r->headers_out, "Referrer-Policy", "no-referrer");
    if (!hash) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Ce lien de réservation n'est pas valide : vérifiez qu'il a été "
                               "recopié en entier.");
    }
    if (!(b = tl_db_view(q, "booking", "SELECT * FROM tl.repair_booking_by_token($1)", 1, &hash, &status))) {
        return tl_page_failed(q, status);
    }
    if (b->count(b) == 0) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Ce lien de réservation n'est pas valide : vérifiez qu'il a été "
                               "recopié en entier.");
    }
    if (b->value(b, 0, b->column(b, "expired"), &len)[0] == 't') {
        return tl_render_error(q, HTTP_GONE, "Cette séance est passée : ce lien ne sert plus. Merci d'être venu "
                               "(ou à une prochaine fois) !");
    }
    if (!(s = tl_repair_session(q, b->value(b, 0, b->column(b, "session_id"), &len), &status))) {
        return status;
    }
    tl_view_set(q->view, "token", token);
    tl_form_token(q, TL_REPAIR_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "reparation-reservation",
                          tl_session_is_repair(s) ? "Votre réservation — repair café"
                          : apr_pstrcat(q->r->pool, "Votre réservation — ",
                                        s->value(s, 0, s->column(s, "title"), &len), NULL));
}

int tl_page_repair_booking(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && (strcmp(done, "reservation") == 0 || strcmp(done, "annulation") == 0)) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_repair_booking_show(q, tl_query_get(&q->query, "jeton"), HTTP_OK);
}

int tl_page_repair_cancel(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "" },
        { NULL, "annuler" }
    };
    apr_table_t *f;
    const char *token, *hash;
    int rc, status = OK;

    if (!tl_form_read(q, TL_REPAIR_FORM, &f, &rc)) {
        return rc;
    }
    token = tl_field(f, "lien");
    if (!(hash = tl_token_sha256(q->r->pool, token))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de réservation.");
    }
    if ((rc = tl_change(q, "SELECT tl.cancel_repair_booking($1)", 1, &hash, rules, NULL, &status, NULL)) != 1) {
        return rc < 0 ? status : tl_repair_booking_show(q, token, HTTP_UNPROCESSABLE_ENTITY);
    }
    return tl_form_done(q, apr_pstrcat(q->r->pool, "/reparation/reservation?jeton=", token, "&fait=annulation",
                                       NULL));
}
