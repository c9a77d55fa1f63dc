/* A place's events in the back office (repair café sessions, workshops,
 * seed swaps, open days): a place's events, creating one or a series, and
 * an event's page for its référents — the bookings
 * (with the visitors' names and contacts, which never leave the people who
 * run the place), the repairers expected and their skills, cancelling and
 * moving. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_valid.h"
#include "tl_date.h"

static const tl_change_rule tl_repair_fields[] = {
    { "repair_session_repeat_known", "repetition" },
    { "repair_session_count_range", "nombre" },
    { "repair_session_in_future", "jour" },
    { "repair_session_period", "fin" },
    { "repair_slot_length_range", "duree_creneau" },
    { "repair_slot_capacity_range", "capacite" },
    { "repair_session_skill_known", "competence" },
    { "repair_session_title_not_blank", "titre" },
    { "repair_session_kind_fkey", "type" },
    { "repair_session_theme_workshop", "theme" },
    { "repair_session_theme_length", "theme" },
    { "repair_session_leader_length", "anime_par" },
    { "repair_session_cancel_reason", "raison" },
    { "repair_session_movable", "nouveau_jour" },
    { "repair_session_repairer_account_fkey", "reparateur" },
    { NULL, NULL }
};

/* The repairers' skills are a group of checkboxes: the one field of these
 * forms sent several times. */
static const char *const tl_repair_multi[] = { "competence", NULL };

/* The slot form of a session's page. */
static const tl_change_rule tl_slot_fields[] = {
    { "repair_slot_capacity_range", "creneau_capacite" },
    { "repair_slot_in_session", "creneau_heure" },
    { NULL, NULL }
};

static int tl_repair_list(tl_req *q, const char *wanted, int status)
{
    int st = OK;
    const char *place = tl_admin_place(q, wanted, &st);
    const char *params[2];

    if (!place) {
        return st;
    }
    params[0] = q->r->user;
    params[1] = place;
    if (!tl_admin_view(q, "sessions", "SELECT * FROM tl.desk_repair_sessions($1, $2)", 2, params, &st)) {
        return st;
    }
    if (!tl_db_view(q, "skills", "SELECT code, label FROM tl.repair_skill ORDER BY rank", 0, NULL, &st)) {
        return tl_page_failed(q, st);
    }
    tl_form_token(q, "gestion-reparation");
    q->r->status = status;
    return tl_render_page(q, "gestion-reparation", "Repair café — gestion");
}

int tl_page_admin_repair(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && tl_valid_slug(q->r->pool, "fait", done, 16) == NULL) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_repair_list(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

int tl_page_admin_repair_post(tl_req *q)
{
    static const char *const names[] = { "titre", "description", "jour", "debut", "fin", "repetition", "nombre",
                                         "duree_creneau", "capacite", "type", "theme", "anime_par", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *params[15];
    int rc, status = OK, repeat, kind;

    if (!tl_form_read_multi(q, "gestion-reparation", tl_repair_multi, &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    if (!place || tl_valid_slug(p, "lieu", place, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu.");
    }
    tl_form_keep(q, f, NULL, names);
    params[0] = q->r->user;
    params[1] = place;
    params[2] = tl_admin_text(q, f, "titre", "titre", 100);
    params[3] = tl_admin_lines(q, f, "description", "présentation", 2000);
    params[4] = tl_admin_date(q, f, "jour", "jour");
    params[5] = tl_admin_time(q, f, "debut", "début", 1);
    params[6] = tl_admin_time(q, f, "fin", "fin", 1);
    params[7] = tl_field(f, "repetition");
    if (tl_field_choice(p, f, "repetition", "répétition", tl_choices_repeat, &repeat)) {
        tl_form_error(q, "repetition", "Choisissez une répétition de la liste.");
    }
    params[8] = tl_admin_int(q, f, "nombre", "nombre de séances", 0, 1000);
    params[9] = tl_admin_int(q, f, "duree_creneau", "durée d'un créneau", 0, 100000);
    params[10] = tl_admin_int(q, f, "capacite", "objets par créneau", 0, 100000);
    params[11] = tl_admin_codes(q, f, "competence", "compétences");
    /* The kind left at its first choice (or not sent, as before kinds) is
     * a repair café. */
    params[12] = tl_field(f, "type");
    if (!*params[12]) {
        params[12] = "reparation";
    }
    else if (tl_field_choice(p, f, "type", "type d'événement", tl_choices_event_kind, &kind)) {
        tl_form_error(q, "type", "Choisissez un type d'événement de la liste.");
    }
    else {
        /* The form shown again keeps the kind chosen. */
        tl_view_set(q->view, apr_pstrcat(p, "type_", params[12], NULL), "t");
    }
    params[13] = tl_admin_text(q, f, "theme", "thème", 60);
    params[14] = tl_admin_text(q, f, "anime_par", "animé par", 100);
    if (!params[4] && !tl_view_get(q->view, "err_jour")) {
        tl_form_error(q, "jour", "Indiquez le jour de la (première) séance.");
    }
    if (!params[9] && !tl_view_get(q->view, "err_duree_creneau")) {
        tl_form_error(q, "duree_creneau", "Indiquez la durée d'un créneau en minutes, par exemple 30.");
    }
    if (!params[10] && !tl_view_get(q->view, "err_capacite")) {
        tl_form_error(q, "capacite", "Indiquez combien d'objets un créneau accueille, par exemple 3.");
    }
    rc = 0;
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.create_repair_sessions($1, $2, $3, $4, $5::date, $6::time, $7::time, $8, "
                          "$9::integer, $10::integer, $11::integer, $12::text[], $13, $14, $15)", 15, params,
                       tl_repair_fields, "jour", &status, NULL);
    }
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(p, "/gestion/reparation",
                                            (const char *const[]){ "lieu", place, "fait", "creation", NULL }));
    }
    return tl_repair_list(q, place, HTTP_UNPROCESSABLE_ENTITY);
}

static int tl_repair_session_show(tl_req *q, const char *id, int status)
{
    int st = OK;
    const char *params[] = { q->r->user, id };
    const tl_rows *s;
    size_t len;

    if (!(s = tl_db_view(q, "session", "SELECT * FROM tl.repair_sessions('', now(), $1::integer)", 1, &id, &st))) {
        return tl_page_failed(q, st);
    }
    if (s->count(s) == 0) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Cette séance n'existe pas.");
    }
    if (!tl_admin_place(q, s->value(s, 0, s->column(s, "place_slug"), &len), &st)
        || !tl_admin_view(q, "bookings", "SELECT * FROM tl.desk_repair_bookings($1, $2::integer)", 2, params, &st)
        || !tl_admin_view(q, "repairers", "SELECT * FROM tl.desk_repairers($1, $2::integer)", 2, params, &st)

        || !tl_admin_view(q, "team", "SELECT login, display_name FROM tl.admin_team($1, $2) WHERE active", 2,
                          (const char *const[]){ q->r->user, s->value(s, 0, s->column(s, "place_slug"), &len) },
                          &st)) {
        return st;
    }
    {
        const tl_db_read reads[] = {
            { "skills", "SELECT code, label FROM tl.repair_skill ORDER BY rank", 0, NULL },
            { "slots", "SELECT * FROM tl.repair_slots($1::integer)", 1, &id },
        };
        if (!tl_db_views(q, reads, 2, &st)) {
            return tl_page_failed(q, st);
        }
    }
    tl_form_token(q, "gestion-reparation");
    q->r->status = status;
    return tl_render_page(q, "gestion-reparation-seance", "Séance de repair café — gestion");
}

int tl_page_admin_repair_session(tl_req *q)
{
    const char *id = tl_query_get(&q->query, "seance");
    const char *done = tl_query_get(&q->query, "fait");
    long n;

    if (tl_valid_int(q->r->pool, "séance", id, 1, 2147483647L, &n)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Cette séance n'est pas lisible.");
    }
    if (done && tl_valid_slug(q->r->pool, "fait", done, 16) == NULL) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_repair_session_show(q, id, HTTP_OK);
}

/* action: annuler (raison), deplacer (nouveau_jour, nouveau_debut,
 * nouvelle_fin), reparateur (reparateur, competence…), retirer
 * (reparateur). */
int tl_page_admin_repair_session_post(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *id, *params[6], *done = NULL;
    const tl_rows *moved = NULL;
    int rc, status = OK, action;
    long n;
    size_t len;

    if (!tl_form_read_multi(q, "gestion-reparation", tl_repair_multi, &f, &rc)) {
        return rc;
    }
    id = tl_field(f, "seance");
    if (tl_valid_int(p, "séance", id, 1, 2147483647L, &n)
        || tl_field_choice(p, f, "action", "action", tl_choices_session_action, &action)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de séance ou d'action.");
    }
    params[0] = q->r->user;
    params[1] = id;
    rc = 0;
    if (action == 0) {
        params[2] = tl_admin_text(q, f, "raison", "raison", 300);
        tl_form_keep(q, f, NULL, (const char *const[]){ "raison", NULL });
        if (!tl_view_get(q->view, "errors")) {
            rc = tl_change(q, "SELECT tl.cancel_repair_session($1, $2::integer, $3)", 3, params,
                           tl_repair_fields, "raison", &status, NULL);
            done = "annulation";
        }
    }
    else if (action == 1) {
        params[2] = tl_admin_date(q, f, "nouveau_jour", "nouveau jour");
        params[3] = tl_admin_time(q, f, "nouveau_debut", "début", 0);
        params[4] = tl_admin_time(q, f, "nouvelle_fin", "fin", 0);
        if (!params[2] && !tl_view_get(q->view, "err_nouveau_jour")) {
            tl_form_error(q, "nouveau_jour", "Indiquez le nouveau jour.");
        }
        if (!tl_view_get(q->view, "errors")) {
            rc = tl_change(q, "SELECT tl.move_repair_session($1, $2::integer, $3::date, $4::time, $5::time)",
                           5, params, tl_repair_fields, "nouveau_jour", &status, &moved);
            done = "deplacement";
        }
    }
    else if (action == 4) {
        params[2] = tl_admin_time(q, f, "creneau_heure", "heure du créneau", 1);
        params[3] = tl_admin_int(q, f, "creneau_capacite", "objets", 0, 100000);
        tl_form_keep(q, f, NULL, (const char *const[]){ "creneau_heure", "creneau_capacite", NULL });
        if (!params[3] && !tl_view_get(q->view, "err_creneau_capacite")) {
            tl_form_error(q, "creneau_capacite", "Indiquez combien d'objets ce créneau accueille.");
        }
        if (!tl_view_get(q->view, "errors")) {
            rc = tl_change(q, "SELECT tl.set_repair_slot($1, $2::integer, $3::time, $4::integer)", 4, params,
                           tl_slot_fields, "creneau_capacite", &status, NULL);
            done = "creneau";
        }
    }
    else {
        params[2] = tl_admin_text(q, f, "reparateur", "réparateur", 64);
        params[3] = tl_admin_codes(q, f, "competence", "compétences");
        params[4] = action == 3 ? "true" : "false";
        if (!tl_view_get(q->view, "errors")) {
            rc = tl_change(q, "SELECT tl.set_repairer($1, $2::integer, $3, $4::text[], $5::boolean)", 5,
                           params, tl_repair_fields, "reparateur", &status, NULL);
            done = "equipe";
        }
    }
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        /* A moved session: on to the new one. */
        return tl_form_done(q, tl_url_build(p, "/gestion/reparation/seance",
                                            (const char *const[]){ "seance", moved ? moved->value(moved, 0, 0, &len)
                                                                                   : id, "fait", done, NULL }));
    }
    return tl_repair_session_show(q, id, HTTP_UNPROCESSABLE_ENTITY);
}
