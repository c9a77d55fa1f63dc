/* Testimonies, « témoignages » (sql/logic/stories.sql). Residents read the
 * public ones (/temoignages, and each place's page); a volunteer writes one
 * down at the desk and hands the person a receipt with a withdrawal code;
 * the place's référents make them public or private, correct a typo,
 * delete one; the person withdraws theirs with the code on a public page.
 * Nothing here knows who told a testimony or who wrote it down. */
#include <apr_strings.h>
#include <http_core.h>
#include "tl_admin_forms.h"
#include "tl_form.h"
#include "tl_valid.h"

#define TL_DESK_STORY_FORM "guichet-temoignages"
#define TL_ADMIN_STORY_FORM "gestion-temoignages"
#define TL_WITHDRAW_STORY_FORM "temoignages-retrait"

/* Where each refusal of the database shows on the desk's form. */
static const tl_change_rule tl_record_fields[] = {
    { "story_body_not_blank", "texte" },
    { "story_body_length", "texte" },
    { "story_first_name_only", "prenom" },
    { "story_activity_fkey", "activite" },
    { "story_repair_session_fkey", "seance" },
    { "story_told_on_range", "jour" },
    { "story_consent", "accord" },
    { "story_withdrawal_by_choice", "retrait" },
    { NULL, NULL }
};

/* The back office's refusals show above the list of testimonies. */
static const tl_change_rule tl_admin_story_fields[] = {
    { "story_pkey", "temoignage" },
    { "story_body_not_blank", "temoignage" },
    { "story_body_length", "temoignage" },
    { "story_first_name_only", "temoignage" },
    { NULL, NULL }
};

/* ---- public ---------------------------------------------------------------- */

int tl_page_stories(tl_req *q)
{
    int status = OK;
    const char *place = tl_param_slug(q, "lieu", "lieu", &status), *activity, *params[2];

    if (!place || !(activity = tl_param_slug(q, "activite", "activité", &status))) {
        return status;
    }
    params[0] = place;
    params[1] = activity;
    {
        const tl_db_read reads[] = {
            { "stories", "SELECT * FROM tl.public_stories($1, $2, 200)", 2, params },
            { "places", "SELECT slug, name, slug = $1 AS selected FROM tl.place ORDER BY name", 1, &params[0] },
            { "activities", "SELECT code, label, code = $1 AS selected FROM tl.story_activity ORDER BY rank", 1,
              &params[1] },
        };
        if (!tl_db_views(q, reads, 3, &status)) {
            return tl_page_failed(q, status);
        }
    }
    if (*place || *activity) {
        tl_view_set(q->view, "filtered", "t");
    }
    return tl_render_page(q, "temoignages", "Témoignages");
}

static int tl_withdraw_show(tl_req *q, int http_status)
{
    /* Nothing on this page may leave for another site with its address. */
    apr_table_setn(q->r->headers_out, "Referrer-Policy", "no-referrer");
    tl_form_token(q, TL_WITHDRAW_STORY_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "temoignages-retrait", "Retirer un témoignage");
}

int tl_page_story_withdraw_form(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && strcmp(done, "retrait") == 0) {
        tl_view_set(q->view, "done_retrait", "t");
    }
    return tl_withdraw_show(q, HTTP_OK);
}

/* The person's withdrawal: the code is never kept in the form shown
 * again, nor logged; a wrong one gets the same answer whatever it is. */
int tl_page_story_withdraw(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { "story_withdrawal_code", "code" },
        { NULL, "code" }
    };
    apr_table_t *f;
    const char *code;
    int rc, status = OK;

    if (!tl_form_read(q, TL_WITHDRAW_STORY_FORM, &f, &rc)) {
        return rc;
    }
    code = tl_field(f, "code");
    if (tl_valid_text(q->r->pool, "code", code, 40)) {
        tl_form_error(q, "code", "Ce code ne correspond à aucun témoignage : vérifiez ses 12 caractères.");
        return tl_withdraw_show(q, HTTP_UNPROCESSABLE_ENTITY);
    }
    rc = tl_change(q, "SELECT tl.withdraw_story($1)", 1, &code, rules, "code", &status, NULL);
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, "/temoignages/retrait?fait=retrait");
    }
    return tl_withdraw_show(q, HTTP_UNPROCESSABLE_ENTITY);
}

/* ---- the desk ---------------------------------------------------------------- */

static int tl_desk_stories_show(tl_req *q, const char *wanted, int http_status)
{
    int status = OK;
    const char *place = tl_desk_place(q, wanted, &status), *params[3];

    if (!place) {
        return status;
    }
    params[0] = q->r->user;
    params[1] = place;
    params[2] = tl_view_get(q->view, "f_seance");
    params[2] = params[2] ? params[2] : "";
    if (!tl_admin_view(q, "sessions", "SELECT * FROM tl.desk_story_sessions($1, $2, $3)", 3, params, &status)) {
        return status;
    }
    params[0] = tl_view_get(q->view, "f_activite");
    params[0] = params[0] ? params[0] : "";
    if (!tl_db_view(q, "activities", "SELECT code, label, code = $1 AS selected FROM tl.story_activity ORDER BY rank",
                    1, params, &status)) {
        return tl_page_failed(q, status);
    }
    /* The code by default: the person keeps their own way out. */
    tl_view_set(q->view, (tl_view_get(q->view, "f_retrait") && strcmp(tl_view_get(q->view, "f_retrait"), "lieu") == 0)
                             ? "by_place" : "by_code", "t");
    tl_form_token(q, TL_DESK_STORY_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "guichet-temoignages", "Noter un témoignage — guichet");
}

int tl_page_desk_stories(tl_req *q)
{
    return tl_desk_stories_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

/* A testimony written down. The answer is the person's receipt with the
 * withdrawal code, given here and never again: the database keeps only
 * its SHA-256, and a 303 to a page showing it would put the code in the
 * desk's history and the server's access log. */
int tl_page_desk_stories_post(tl_req *q)
{
    static const char *const names[] = { "texte", "prenom", "activite", "seance", "jour", "accord", "retrait", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *params[9];
    const tl_rows *made = NULL;
    int rc, status = OK;
    size_t len;

    if (!tl_form_read(q, TL_DESK_STORY_FORM, &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    if (!*place || tl_valid_slug(p, "lieu", place, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu.");
    }
    tl_form_keep(q, f, NULL, names);
    params[0] = q->r->user;
    params[1] = place;
    params[2] = tl_admin_lines(q, f, "texte", "témoignage", 1000);
    params[3] = tl_admin_text(q, f, "prenom", "prénom", 30);
    params[4] = tl_admin_text(q, f, "activite", "activité", 30);
    params[5] = tl_admin_int(q, f, "seance", "séance", 1, 2147483647L);
    params[6] = tl_admin_date(q, f, "jour", "jour du témoignage");
    params[7] = tl_field_given(f, "accord") ? "true" : "false";
    params[8] = tl_admin_text(q, f, "retrait", "retrait de l'accord", 10);
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.record_story($1, $2, $3, $4, $5, $6::integer, $7::date, $8::boolean, $9) AS code",
                       9, params, tl_record_fields, "texte", &status, &made);
        if (rc < 0) {
            return status;
        }
        if (rc > 0 && made && made->count(made) == 1) {
            if (!tl_desk_place(q, place, &status)) {
                return status;
            }
            tl_view_set(q->view, "code", made->value(made, 0, 0, &len));
            tl_view_set(q->view, "withdraw_url",
                        ap_construct_url(p, apr_pstrcat(p, q->base, "/temoignages/retrait", NULL), q->r));
            tl_view_set(q->view, "told_by", *params[3] ? params[3] : "Anonyme");
            return tl_render_page(q, "guichet-temoignages-recu", "Reçu du témoignage — guichet");
        }
    }
    return tl_desk_stories_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
}

/* ---- the back office ------------------------------------------------------- */

static int tl_admin_stories_show(tl_req *q, const char *wanted, int http_status)
{
    int status = OK;
    const char *place = tl_admin_place(q, wanted, &status), *params[2];

    if (!place) {
        return status;
    }
    params[0] = q->r->user;
    params[1] = place;
    if (!tl_admin_view(q, "stories", "SELECT * FROM tl.admin_stories($1, $2)", 2, params, &status)) {
        return status;
    }
    tl_form_token(q, TL_ADMIN_STORY_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "gestion-temoignages", "Témoignages — gestion");
}

int tl_page_admin_stories(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && tl_valid_slug(q->r->pool, "fait", done, 16) == NULL) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_admin_stories_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

/* Reads a back-office form of this page: the place and the testimony it
 * names in *place and *id; 0 when it was refused (*status). */
static int tl_admin_story_form(tl_req *q, apr_table_t **f, const char **place, const char **id, int *status)
{
    long n;

    if (!tl_form_read(q, TL_ADMIN_STORY_FORM, f, status)) {
        return 0;
    }
    *place = tl_field(*f, "lieu");
    *id = tl_field(*f, "temoignage");
    if (!**place || tl_valid_slug(q->r->pool, "lieu", *place, 64)
        || tl_valid_int(q->r->pool, "témoignage", *id, 1, 2147483647L, &n)) {
        *status = tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de témoignage ou de lieu.");
        return 0;
    }
    return 1;
}

/* Runs a back-office change unless a field was already refused; 303 back
 * to the list saying what was done, or the list again with a 422. */
static int tl_admin_story_change(tl_req *q, const char *place, const char *sql, int nparams,
                                 const char *const *params, const char *done)
{
    int rc = 0, status = OK;

    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, sql, nparams, params, tl_admin_story_fields, "temoignage", &status, NULL);
    }
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(q->r->pool, "/gestion/temoignages",
                                            (const char *const[]){ "lieu", place, "fait", done, NULL }));
    }
    return tl_admin_stories_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
}

/* Public or private (public: "oui" or "non"). */
int tl_page_admin_stories_publish(tl_req *q)
{
    static const char *const choices[] = { "oui", "non", NULL };
    apr_table_t *f;
    const char *place, *id, *params[3];
    int which = 0, status = OK;

    if (!tl_admin_story_form(q, &f, &place, &id, &status)) {
        return status;
    }
    if (tl_field_choice(q->r->pool, f, "public", "public", choices, &which)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne dit pas si le témoignage est public.");
    }
    params[0] = q->r->user;
    params[1] = id;
    params[2] = which == 0 ? "true" : "false";
    return tl_admin_story_change(q, place, "SELECT tl.set_story_public($1, $2::integer, $3::boolean)", 3, params,
                                 which == 0 ? "public" : "prive");
}

/* A typo corrected: texte, prenom. */
int tl_page_admin_stories_edit(tl_req *q)
{
    apr_table_t *f;
    const char *place, *id, *params[4];
    int status = OK;

    if (!tl_admin_story_form(q, &f, &place, &id, &status)) {
        return status;
    }
    params[0] = q->r->user;
    params[1] = id;
    params[2] = tl_admin_lines(q, f, "texte", "témoignage", 1000);
    params[3] = tl_admin_text(q, f, "prenom", "prénom", 30);
    if (tl_view_get(q->view, "errors")) {
        /* The messages of the row's fields show above the list. */
        const char *err = tl_view_get(q->view, "err_texte");
        tl_form_error(q, "temoignage", err ? err : tl_view_get(q->view, "err_prenom"));
    }
    return tl_admin_story_change(q, place, "SELECT tl.edit_story($1, $2::integer, $3, $4)", 4, params, "correction");
}

/* Deleted, on the person's request or for another reason. */
int tl_page_admin_stories_delete(tl_req *q)
{
    apr_table_t *f;
    const char *place, *id, *params[2];
    int status = OK;

    if (!tl_admin_story_form(q, &f, &place, &id, &status)) {
        return status;
    }
    params[0] = q->r->user;
    params[1] = id;
    return tl_admin_story_change(q, place, "SELECT tl.delete_story($1, $2::integer)", 2, params, "suppression");
}
