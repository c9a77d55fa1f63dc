/* The repair café on the day, at the desk: the session's queue (booked
 * objects, then walk-ins) and logging what became of each object, in the
 * Open Repair Data Standard's terms, in under a minute on the keyboard:
 * the form opens on the object's field, every choice is a select, Enter
 * sends it. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"

#define TL_REPAIR_DESK_FORM "guichet-reparation"

static const char tl_sql_today[] =
    "SELECT s.id, s.title, s.day_fr, s.hours_fr, s.place_name, s.id::text = $2 AS selected "
    "  FROM tl.account_roles($1) r, tl.repair_sessions(r.place_slug, now() - interval '12 hours', NULL, 'reparation') s "
    " WHERE NOT s.cancelled AND s.moved_to IS NULL AND s.starts_local::date <= current_date + 1 "
    " ORDER BY s.starts_local";

/* The desk's page for a session (the first of today's when none is
 * named); booking, when given, fills the form with that booked object. */
static int tl_repair_desk_show(tl_req *q, const char *session, const char *booking, int status)
{
    int st = OK;
    const char *params[] = { q->r->user, session ? session : "" };
    const char *category = tl_view_get(q->view, "f_categorie") ? tl_view_get(q->view, "f_categorie") : "";
    const tl_db_read first[] = {
        { "today", tl_sql_today, 2, params },
        { "categories", "SELECT code, label, powered, code = $1 AS selected FROM tl.repair_category ORDER BY rank", 1,
          &category },
    };
    const tl_rows *today, *queue;
    size_t len;
    int i, n;

    if (!tl_db_views(q, first, 2, &st)) {
        return tl_page_failed(q, st);
    }
    today = tl_view_rows_get(q->view, "today");
    if ((!session || !*session) && today->count(today) > 0) {
        session = today->value(today, 0, 0, &len);
    }
    if (session && *session) {
        const char *p2[] = { q->r->user, session };
        /* Once the role is checked (the queue's read), the rest in one
         * round trip. */
        const tl_db_read rest[] = {
            { "session", "SELECT * FROM tl.repair_sessions('', now(), $1::integer)", 1, &session },
            { "repairers", "SELECT login, display_name FROM tl.desk_repairers($1, $2::integer)", 2, p2 },
            /* The ressourcerie's items set aside for this session: their
             * result is noted on their own page, under their identity. */
            { "reuse_items", "SELECT code, title FROM tl.reuse_item WHERE status = 'a_reparer' "
                             "AND repair_session_id = $1::integer ORDER BY id", 1, &session },
        };
        if (!(queue = tl_admin_view(q, "queue", "SELECT * FROM tl.desk_repair_queue($1, $2::integer)", 2, p2, &st))) {
            return st;
        }
        for (i = 0, n = queue->count(queue); booking && i < n; i++) {
            const char *id = queue->value(queue, i, queue->column(queue, "booking_id"), &len);
            if (id && strcmp(id, booking) == 0) {
                tl_view_set(q->view, "f_reservation", booking);
                tl_view_set(q->view, "f_objet", queue->value(queue, i, queue->column(queue, "object"), &len));
                tl_view_set(q->view, "f_probleme", queue->value(queue, i, queue->column(queue, "problem"), &len));
            }
        }
        if (!tl_db_views(q, rest, sizeof(rest) / sizeof(rest[0]), &st)) {
            return tl_page_failed(q, st);
        }
        tl_view_set(q->view, "session_id", session);
    }
    tl_form_token(q, TL_REPAIR_DESK_FORM);
    q->r->status = status;
    return tl_render_page(q, "guichet-reparation", "Repair café — guichet");
}

int tl_page_desk_repair(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    const char *session = tl_query_get(&q->query, "seance");
    const char *booking = tl_query_get(&q->query, "reservation");
    long n;

    if ((session && tl_valid_int(p, "séance", session, 1, 2147483647L, &n))
        || (booking && tl_valid_int(p, "réservation", booking, 1, 9223372036854775807L, &n))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Cette séance ou cette réservation n'est pas lisible.");
    }
    if (tl_query_get(&q->query, "fait")) {
        tl_view_set(q->view, "done", "t");
    }
    /* Logging a booked object: its object and problem fill the form. */
    return tl_repair_desk_show(q, session, session ? booking : NULL, HTTP_OK);
}

int tl_page_desk_repair_post(tl_req *q)
{
    static const char *const names[] = { "reservation", "objet", "categorie", "marque", "age", "probleme", "resultat",
                                         "cause", "poids", "minutes", "reparateur", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    static const tl_change_rule rules[] = {
        { "repair_record_object_not_blank", "objet" }, { "repair_record_category_fkey", "categorie" },
        { "repair_record_status_known", "resultat" }, { "repair_record_barrier_end_of_life", "cause" },
        { "repair_record_barrier_range", "cause" }, { "repair_record_weight_range", "poids" },
        { "repair_record_minutes_range", "minutes" }, { "repair_record_age_range", "age" },
        { "repair_record_repairer_fkey", "reparateur" }, { "repair_record_booking_key", "objet" },
        { "repair_record_booking_fkey", "objet" },
        { TL_CHANGE_FORBIDDEN, NULL, "Vous ne tenez pas le guichet de ce lieu : rien n'a été noté." },
        { NULL, "objet" }
    };
    const char *session, *booking, *params[13], *v;
    long n;
    int rc, status = OK, i;

    if (!tl_form_read(q, TL_REPAIR_DESK_FORM, &f, &rc)) {
        return rc;
    }
    session = tl_field(f, "seance");
    booking = tl_field(f, "reservation");
    if (tl_valid_int(p, "séance", session, 1, 2147483647L, &n)
        || (booking && *booking && tl_valid_int(p, "réservation", booking, 1, 9223372036854775807L, &n))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de séance.");
    }
    tl_form_keep(q, f, NULL, names);
    for (i = 0; names[i]; i++) {
        /* The problem is a textarea: its lines are kept. */
        if ((v = tl_field(f, names[i])) != NULL
            && (strcmp(names[i], "probleme") == 0 ? tl_valid_lines : tl_valid_text)(p, names[i], v, 2000)) {
            tl_form_error(q, names[i], "Ce champ contient des caractères illisibles ou est trop long.");
        }
    }
    params[0] = q->r->user;
    params[1] = session;
    params[2] = booking && *booking ? booking : NULL;
    params[3] = tl_field(f, "objet");
    params[4] = tl_field(f, "categorie");
    params[5] = tl_field(f, "marque");
    params[6] = NULL;
    params[7] = tl_field(f, "probleme");
    params[8] = tl_field(f, "resultat");
    params[9] = (v = tl_field(f, "cause")) && *v ? v : NULL;
    params[10] = NULL;
    params[11] = NULL;
    params[12] = (v = tl_field(f, "reparateur")) && *v ? v : NULL;
    if ((v = tl_field(f, "age")) && *v && tl_valid_amount(p, "âge", v, 150, &params[6])) {
        tl_form_error(q, "age", "L'âge de l'objet s'écrit en années, par exemple 3 ou 2,5.");
    }
    if ((v = tl_field(f, "poids")) && *v && tl_valid_amount(p, "poids", v, 500, &params[10])) {
        tl_form_error(q, "poids", "Le poids s'écrit en kilos, plus de 0 et 500 au plus, par exemple 1,25.");
    }
    if ((v = tl_field(f, "minutes")) && *v) {
        if (tl_valid_int(p, "temps passé", v, 1, 600, &n)) {
            tl_form_error(q, "minutes", "Le temps passé s'écrit en minutes, de 1 à 600.");
        }
        else {
            params[11] = v;
        }
    }
    if (params[9] && tl_valid_int(p, "cause", params[9], 1, 6, &n)) {
        tl_form_error(q, "cause", "Choisissez une cause de la liste.");
    }
    if (tl_view_get(q->view, "errors")) {
        return tl_repair_desk_show(q, session, NULL, HTTP_UNPROCESSABLE_ENTITY);
    }
    if ((rc = tl_change(q, "SELECT tl.log_repair($1, $2::integer, $3::bigint, $4, $5, $6, $7::numeric, $8, $9, "
                           "$10::integer, $11::numeric, $12::integer, $13)", 13, params, rules, NULL, &status, NULL))
        != 1) {
        return rc < 0 ? status : tl_repair_desk_show(q, session, NULL, HTTP_UNPROCESSABLE_ENTITY);
    }
    return tl_form_done(q, apr_pstrcat(p, "/guichet/reparation?seance=", session, "&fait=1", NULL));
}
