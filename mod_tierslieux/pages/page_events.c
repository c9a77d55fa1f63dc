/* Workshops members propose: the member's form in Mon compte (a title, a
 * theme, the place, the days they could lead it, how many people, and
 * whether their first name may be shown), and the référents' answer in the
 * back office — approved, it becomes a published workshop with its slots
 * (tl.approve_event_proposal, through the same function that creates any
 * event); declined, with a message the member reads in Mon compte. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_valid.h"

#define TL_PROPOSAL_FORM "compte-atelier"
#define TL_ANSWER_FORM "gestion-ateliers"

/* ---- the member's side --------------------------------------------------- */

static int tl_workshop_form_show(tl_req *q, int http_status)
{
    const char *chosen = tl_view_get(q->view, "f_lieu");
    int status = OK, rc;

    if (!tl_account_load(q, &rc)) {
        return rc;
    }
    if (!tl_db_view(q, "places", "SELECT slug, name, slug = $1 AS selected FROM tl.place ORDER BY name", 1,
                    (const char *const[]){ chosen ? chosen : "" }, &status)) {
        return tl_page_failed(q, status);
    }
    tl_form_token(q, TL_PROPOSAL_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "compte-atelier", "Proposer un atelier — mon compte");
}

int tl_page_account_workshop_form(tl_req *q)
{
    return tl_workshop_form_show(q, HTTP_OK);
}

int tl_page_account_workshop(tl_req *q)
{
    static const char *const names[] = { "lieu", "titre", "theme", "description", "dates", "participants",
                                         "prenom", NULL };
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_gone_member },
        { "event_proposal_place_fkey", "lieu" },
        { "event_proposal_title_length", "titre" },
        { "event_proposal_theme_length", "theme" },
        { "event_proposal_dates_length", "dates" },
        { "event_proposal_participants_range", "participants" },
        { NULL, "titre" }
    };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *user = tl_account_user(q), *params[8], *place, *first;
    int rc, status = OK;

    if (!user) {
        return tl_render_error(q, HTTP_FORBIDDEN, NULL);
    }
    if (!tl_form_read(q, TL_PROPOSAL_FORM, &f, &rc)) {
        return rc;
    }
    tl_form_keep(q, f, NULL, names);
    place = tl_field(f, "lieu");
    if (tl_valid_slug(p, "lieu", place, 64)) {
        tl_form_error(q, "lieu", "Choisissez un lieu de la liste.");
    }
    /* The checkbox: sent as "1" when ticked, not sent otherwise. */
    first = tl_field(f, "prenom");
    if (*first && strcmp(first, "1") != 0) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne vient pas de sa page : rechargez-la.");
    }
    params[0] = user;
    params[1] = place;
    params[2] = tl_admin_text(q, f, "titre", "titre", 100);
    params[3] = tl_admin_text(q, f, "theme", "thème", 60);
    params[4] = tl_admin_lines(q, f, "description", "présentation", 2000);
    params[5] = tl_admin_text(q, f, "dates", "dates proposées", 300);
    params[6] = tl_admin_int(q, f, "participants", "nombre de participants", 0, 100000);
    params[7] = *first ? "true" : "false";
    if (!params[6] && !tl_view_get(q->view, "err_participants")) {
        tl_form_error(q, "participants", "Indiquez combien de personnes l'atelier peut accueillir, par exemple 8.");
    }
    if (tl_view_get(q->view, "errors")) {
        return tl_workshop_form_show(q, HTTP_UNPROCESSABLE_ENTITY);
    }
    if ((rc = tl_change(q, "SELECT tl.propose_event($1, $2, $3, $4, $5, $6, $7::integer, $8::boolean)", 8, params,
                        rules, NULL, &status, NULL)) != 1) {
        return rc < 0 ? status : tl_workshop_form_show(q, HTTP_UNPROCESSABLE_ENTITY);
    }
    return tl_form_done(q, "/compte?fait=atelier");
}

/* ---- the référents' side ------------------------------------------------- */

int tl_page_admin_workshops(tl_req *q)
{
    int status = OK;
    const char *place = tl_admin_place(q, tl_query_get(&q->query, "lieu"), &status);

    if (!place) {
        return status;
    }
    if (!tl_admin_view(q, "proposals", "SELECT * FROM tl.admin_event_proposals($1, $2)", 2,
                       (const char *const[]){ q->r->user, place }, &status)) {
        return status;
    }
    return tl_render_page(q, "gestion-ateliers", "Ateliers proposés — gestion");
}

static int tl_workshop_proposal_show(tl_req *q, const char *id, int http_status)
{
    int status = OK;
    const tl_rows *e;
    size_t len;

    if (!(e = tl_admin_view(q, "proposal", "SELECT * FROM tl.admin_event_proposal($1, $2::integer)", 2,
                            (const char *const[]){ q->r->user, id }, &status))) {
        return status;
    }
    if (e->count(e) == 0) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Cette proposition n'existe pas.");
    }
    /* The back office's menu names the proposal's place. */
    if (!tl_admin_place(q, e->value(e, 0, e->column(e, "place_slug"), &len), &status)) {
        return status;
    }
    tl_form_token(q, TL_ANSWER_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "gestion-ateliers-proposition", "Un atelier proposé — gestion");
}

int tl_page_admin_workshop_proposal(tl_req *q)
{
    const char *id = tl_query_get(&q->query, "n");
    const char *done = tl_query_get(&q->query, "fait");
    long n;

    if (tl_valid_int(q->r->pool, "proposition", id, 1, 2147483647L, &n)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Cette proposition n'est pas lisible.");
    }
    if (done && strcmp(done, "refus") == 0) {
        tl_view_set(q->view, "done_refus", "t");
    }
    return tl_workshop_proposal_show(q, id, HTTP_OK);
}

/* action: accepter (jour, debut, fin, duree_creneau, message) or refuser
 * (message). */
int tl_page_admin_workshop_proposal_post(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { "event_proposal_known", NULL, "", HTTP_NOT_FOUND, NULL },
        { "event_proposal_decision", NULL, "Cette proposition a déjà sa réponse. Rien n'a été changé.",
          HTTP_CONFLICT, NULL },
        { "repair_session_in_future", "jour" },
        { "repair_session_period", "fin" },
        { "repair_slot_length_range", "duree_creneau" },
        { "event_proposal_answer_length", "message" },
        { NULL, NULL }
    };
    static const char *const names[] = { "jour", "debut", "fin", "duree_creneau", "message", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *id, *params[7];
    const tl_rows *made = NULL;
    int rc, status = OK, action;
    long n;
    size_t len;

    if (!tl_form_read(q, TL_ANSWER_FORM, &f, &rc)) {
        return rc;
    }
    id = tl_field(f, "proposition");
    if (tl_valid_int(p, "proposition", id, 1, 2147483647L, &n)
        || tl_field_choice(p, f, "action", "action", tl_choices_proposal_action, &action)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de proposition ou d'action.");
    }
    tl_form_keep(q, f, NULL, names);
    params[0] = q->r->user;
    params[1] = id;
    if (action == 0) {
        params[2] = tl_admin_date(q, f, "jour", "jour");
        params[3] = tl_admin_time(q, f, "debut", "début", 1);
        params[4] = tl_admin_time(q, f, "fin", "fin", 1);
        params[5] = tl_admin_int(q, f, "duree_creneau", "durée d'un créneau", 0, 100000);
        params[6] = tl_admin_lines(q, f, "message", "message", 1000);
        if (!params[2] && !tl_view_get(q->view, "err_jour")) {
            tl_form_error(q, "jour", "Indiquez le jour de l'atelier.");
        }
        rc = 0;
        if (!tl_view_get(q->view, "errors")) {
            rc = tl_change(q, "SELECT tl.approve_event_proposal($1, $2::integer, $3::date, $4::time, $5::time, "
                              "$6::integer, $7)", 7, params, rules, "jour", &status, &made);
        }
    }
    else {
        params[2] = tl_admin_lines(q, f, "message", "message", 1000);
        rc = 0;
        if (!tl_view_get(q->view, "errors")) {
            rc = tl_change(q, "SELECT tl.decline_event_proposal($1, $2::integer, $3)", 3, params, rules, "message",
                           &status, NULL);
        }
    }
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        if (made) {
            /* On to the workshop's own page in the back office. */
            return tl_form_done(q, tl_url_build(p, "/gestion/reparation/seance",
                                                (const char *const[]){ "seance", made->value(made, 0, 0, &len),
                                                                       "fait", "acceptation", NULL }));
        }
        return tl_form_done(q, tl_url_build(p, "/gestion/ateliers/proposition",
                                            (const char *const[]){ "n", id, "fait", "refus", NULL }));
    }
    return tl_workshop_proposal_show(q, id, HTTP_UNPROCESSABLE_ENTITY);
}
