/* From user to contributor (sql/logic/volunteering.sql, "From user to
 * contributor"). In « Mon compte », a member offers to help at a place
 * (activities of the closed list, the skills they choose to share, when
 * they are free), sees their offers and the place's answer, and withdraws
 * one (it is deleted). In the back office, a place's référents read the
 * open offers of their place only, accept one (the volunteer role is
 * given by the team's own tl.save_team_member) or decline it with a kind
 * word. At the desk, a role given this way waits for the place's charter:
 * the desk's home sends the volunteer to it first. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_form.h"
#include "tl_valid.h"

#define TL_HELP_FORM "compte-aider"
#define TL_OFFERS_FORM "gestion-propositions"
#define TL_CHARTER_FORM "guichet-charte"

/* The short texts of an offer, as the table's constraints hold them. */
#define TL_OFFER_SKILLS_MAX 500
#define TL_OFFER_AVAILABILITY_MAX 200
#define TL_OFFER_MESSAGE_MAX 500

static const tl_change_rule tl_help_fields[] = {
    { TL_CHANGE_FORBIDDEN, NULL, tl_gone_member },
    { "volunteer_offer_place_fkey", "lieu" },
    { "volunteer_offer_open_once", "lieu" },
    { "volunteer_offer_activity_required", "activite" },
    { "volunteer_offer_activity_activity_fkey", "activite" },
    { "volunteer_offer_skills_length", "competences" },
    { "volunteer_offer_availability_length", "disponibilites" },
    { "volunteer_offer_exists", "retirer" },
    { NULL, NULL }
};

static const tl_change_rule tl_offer_fields[] = {
    { "volunteer_offer_open", "proposition" },
    { "volunteer_offer_role_exists", "identifiant" },
    { "account_login_format", "identifiant" },
    { "account_display_name_not_blank", "identifiant" },
    { "volunteer_offer_message_length", "message" },
    { NULL, NULL }
};

/* ---- « Mon compte » ------------------------------------------------------- */

/* The page: the form (activities checked and place chosen as posted, on
 * a 422) and the member's offers. codes: the posted activities ("{}"). */
static int tl_help_show(tl_req *q, const char *place, const char *codes, int http_status)
{
    const char *user = tl_account_user(q);
    const char *place_params[] = { user, place ? place : "" };
    int status = OK, rc;

    if (!tl_account_load(q, &rc)) {
        return rc;
    }
    {
        const tl_db_read reads[] = {
            { "places", "SELECT slug, name, slug = $2 AS selected FROM tl.my_offer_places($1)", 2, place_params },
            { "activities", "SELECT code, label, code = ANY ($1::text[]) AS checked FROM tl.volunteer_activity "
                            "ORDER BY rank", 1, &codes },
            { "offers", "SELECT * FROM tl.my_volunteer_offers($1)", 1, &user },
        };
        if (!tl_db_views(q, reads, sizeof(reads) / sizeof(reads[0]), &status)) {
            return tl_page_failed(q, status);
        }
    }
    tl_form_token(q, TL_HELP_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "compte-aider", "Je veux aider — mon compte");
}

int tl_page_account_help(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && (strcmp(done, "proposition") == 0 || strcmp(done, "retrait") == 0)) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_help_show(q, NULL, "{}", HTTP_OK);
}

static int tl_help_form(tl_req *q, apr_table_t **f, int *done)
{
    static const char *const multi[] = { "activite", NULL };

    if (!q->r->user) {
        *done = tl_render_error(q, HTTP_FORBIDDEN, NULL);
        return 0;
    }
    return tl_form_read_multi(q, TL_HELP_FORM, multi, f, done);
}

int tl_page_account_help_post(tl_req *q)
{
    static const char *const names[] = { "competences", "disponibilites", NULL };
    apr_table_t *f;
    const char *params[5], *place;
    int rc, status = OK;

    if (!tl_help_form(q, &f, &rc)) {
        return rc;
    }
    tl_form_keep(q, f, NULL, names);
    place = tl_field(f, "lieu");
    if (!*place) {
        tl_form_error(q, "lieu", "Choisissez le lieu où vous voulez aider.");
    }
    else if (tl_valid_slug(q->r->pool, "lieu", place, 64)) {
        tl_form_error(q, "lieu", "Choisissez un lieu de la liste.");
    }
    params[0] = tl_account_user(q);
    params[1] = place;
    params[2] = tl_admin_codes(q, f, "activite", "activités");
    params[3] = tl_admin_lines(q, f, "competences", "compétences", TL_OFFER_SKILLS_MAX);
    params[4] = tl_admin_text(q, f, "disponibilites", "disponibilités", TL_OFFER_AVAILABILITY_MAX);
    if (!tl_view_get(q->view, "errors") && strcmp(params[2], "{}") == 0) {
        tl_form_error(q, "activite", "Cochez au moins une activité.");
    }
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.my_offer_help($1, $2, $3::text[], $4, $5)", 5, params, tl_help_fields,
                       "lieu", &status, NULL);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, "/compte/aider?fait=proposition");
        }
    }
    return tl_help_show(q, place, params[2], HTTP_UNPROCESSABLE_ENTITY);
}

int tl_page_account_help_withdraw(tl_req *q)
{
    apr_table_t *f;
    const char *params[2];
    long id;
    int rc, status = OK;

    if (!tl_help_form(q, &f, &rc)) {
        return rc;
    }
    params[1] = tl_field(f, "proposition");
    if (tl_valid_int(q->r->pool, "proposition", params[1], 1, 9007199254740991L, &id)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de proposition.");
    }
    params[0] = tl_account_user(q);
    rc = tl_change(q, "SELECT tl.my_withdraw_offer($1, $2::bigint)", 2, params, tl_help_fields, "retirer", &status,
                   NULL);
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, "/compte/aider?fait=retrait");
    }
    return tl_help_show(q, NULL, "{}", HTTP_UNPROCESSABLE_ENTITY);
}

/* ---- the back office ------------------------------------------------------ */

/* The place's open offers; failed: the offer whose form was refused
 * ("0": none), so that its message shows under its own field. */
static int tl_offers_show(tl_req *q, const char *wanted, const char *failed, int http_status)
{
    int status = OK;
    const char *place = tl_admin_place(q, wanted, &status), *params[4];

    if (!place) {
        return status;
    }
    params[0] = q->r->user;
    params[1] = place;
    params[2] = tl_view_get(q->view, "err_identifiant") ? failed : "0";
    params[3] = tl_view_get(q->view, "err_message") ? failed : "0";
    if (!tl_admin_view(q, "offers",
                       "SELECT o.*, CASE WHEN o.id = $3::bigint THEN 'true' END AS login_invalid, "
                       "       CASE WHEN o.id = $4::bigint THEN 'true' END AS message_invalid, "
                       "       'identifiant-aide-' || o.id || CASE WHEN o.id = $3::bigint "
                       "            THEN ' erreur-identifiant' ELSE '' END AS login_described_by, "
                       "       'message-aide-' || o.id || CASE WHEN o.id = $4::bigint "
                       "            THEN ' erreur-message' ELSE '' END AS message_described_by "
                       "  FROM tl.admin_volunteer_offers($1, $2) o", 4, params, &status)) {
        return status;
    }
    tl_form_token(q, TL_OFFERS_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "gestion-propositions", "Propositions d'aide — gestion");
}

int tl_page_admin_offers(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");
    /* The login given, to tell the référent what to hand on. */
    const char *login = tl_query_get(&q->query, "identifiant");

    if (done && (strcmp(done, "acceptee") == 0 || strcmp(done, "declinee") == 0)) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
        if (login && !tl_valid_text(q->r->pool, "identifiant", login, 64)) {
            tl_view_set(q->view, "given_login", login);
        }
    }
    return tl_offers_show(q, tl_query_get(&q->query, "lieu"), "0", HTTP_OK);
}

/* Accepting (identifiant) and declining (message) share the offer's
 * fields: lieu and proposition. */
static int tl_offer_answer(tl_req *q, int accept)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *params[4], *login = NULL;
    const tl_rows *rows = NULL;
    long id;
    size_t len;
    int rc, status = OK;

    if (!tl_form_read(q, TL_OFFERS_FORM, &f, &rc)) {
        return rc;
    }
    params[1] = tl_field(f, "lieu");
    params[2] = tl_field(f, "proposition");
    if (!*params[1] || tl_valid_slug(p, "lieu", params[1], 64)
        || tl_valid_int(p, "proposition", params[2], 1, 9007199254740991L, &id)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu ou de proposition.");
    }
    params[0] = q->r->user;
    if (accept) {
        params[3] = tl_admin_text(q, f, "identifiant", "identifiant", 64);
        if (!tl_view_get(q->view, "errors") && !*params[3]) {
            tl_form_error(q, "identifiant", "Indiquez l'identifiant de son compte de bénévole, par exemple prenom.nom.");
        }
    }
    else {
        params[3] = tl_admin_lines(q, f, "message", "message", TL_OFFER_MESSAGE_MAX);
    }
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, accept ? "SELECT tl.accept_volunteer_offer($1, $2, $3::bigint, $4) AS login"
                                 : "SELECT tl.decline_volunteer_offer($1, $2, $3::bigint, $4)",
                       4, params, tl_offer_fields, accept ? "identifiant" : "message", &status, &rows);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            if (accept && rows && rows->count(rows) == 1) {
                login = rows->value(rows, 0, 0, &len);
            }
            return tl_form_done(q, tl_url_build(p, "/gestion/propositions",
                                                (const char *const[]){ "lieu", params[1], "fait",
                                                                       accept ? "acceptee" : "declinee",
                                                                       login ? "identifiant" : NULL, login, NULL }));
        }
    }
    /* A link to the offer above the list; the message under its field. */
    tl_view_set(q->view, "err_offer", params[2]);
    return tl_offers_show(q, params[1], apr_ltoa(p, id), HTTP_UNPROCESSABLE_ENTITY);
}

int tl_page_admin_offers_accept(tl_req *q)
{
    return tl_offer_answer(q, 1);
}

int tl_page_admin_offers_decline(tl_req *q)
{
    return tl_offer_answer(q, 0);
}

/* ---- the desk: the charter a new volunteer accepts ------------------------ */

static int tl_charter_show(tl_req *q, const char *place, int http_status)
{
    int status = OK;
    const char *params[2];

    if (!place || !*place || tl_valid_slug(q->r->pool, "lieu", place, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Cette page ne désigne pas de lieu.");
    }
    params[0] = q->r->user;
    params[1] = place;
    if (!tl_admin_view(q, "charter", "SELECT * FROM tl.volunteer_charter($1, $2)", 2, params, &status)) {
        return status;
    }
    tl_form_token(q, TL_CHARTER_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "guichet-charte", "La charte du lieu — guichet");
}

int tl_page_desk_charter(tl_req *q)
{
    return tl_charter_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

int tl_page_desk_charter_post(tl_req *q)
{
    apr_table_t *f;
    const char *params[2], *agreed;
    int rc, status = OK;

    if (!tl_form_read(q, TL_CHARTER_FORM, &f, &rc)) {
        return rc;
    }
    params[0] = q->r->user;
    params[1] = tl_field(f, "lieu");
    if (!*params[1] || tl_valid_slug(q->r->pool, "lieu", params[1], 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu.");
    }
    agreed = tl_field(f, "charte");
    if (strcmp(agreed, "1") != 0) {
        tl_form_error(q, "charte", "Cochez la case pour dire que vous avez lu et acceptez la charte du lieu.");
        return tl_charter_show(q, params[1], HTTP_UNPROCESSABLE_ENTITY);
    }
    rc = tl_change(q, "SELECT tl.accept_volunteer_charter($1, $2)", 2, params, NULL, "charte", &status, NULL);
    if (rc < 0) {
        return status;
    }
    if (rc == 0) {
        return tl_charter_show(q, params[1], HTTP_UNPROCESSABLE_ENTITY);
    }
    return tl_form_done(q, "/guichet");
}
