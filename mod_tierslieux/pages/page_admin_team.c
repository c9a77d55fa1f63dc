/* The people who run a place: their accounts and roles there, added,
 * changed, taken away, deactivated, and a one-time link to choose a new
 * password. Every change is in the journal. */
#include <apr_strings.h>
#include <http_core.h>
#include "tl_admin_forms.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_valid.h"
#include "tl_token.h"

static const tl_change_rule tl_team_fields[] = {
    { "account_login_format", "identifiant" },
    { "account_display_name_not_blank", "nom" },
    { "account_role_known", "role" },
    { "account_role_account_fkey", "identifiant" },
    { "account_role_not_self", "identifiant" },
    { NULL, NULL }
};

static int tl_team_show(tl_req *q, const char *wanted, int status)
{
    int st = OK;
    const char *place = tl_admin_place(q, wanted, &st);
    const char *params[2];

    if (!place) {
        return st;
    }
    params[0] = q->r->user;
    params[1] = place;
    if (!tl_admin_view(q, "team", "SELECT *, login = $1 AS me FROM tl.admin_team($1, $2)", 2, params, &st)) {
        return st;
    }
    tl_form_token(q, "gestion-equipe");
    q->r->status = status;
    return tl_render_page(q, "gestion-equipe", "L'équipe du lieu — gestion");
}

int tl_page_admin_team(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && tl_valid_slug(q->r->pool, "fait", done, 16) == NULL) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_team_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

/* action: "role" (identifiant, nom, role), "retirer", "desactiver" or
 * "activer" (identifiant). */
int tl_page_admin_team_post(tl_req *q)
{
    static const char *const names[] = { "identifiant", "nom", "role", NULL };
    static const char *const sql[] = {
        "SELECT tl.save_team_member($1, $2, $3, $4, $5)",
        "SELECT tl.remove_team_member($1, $2, $3)",
        "SELECT tl.set_account_active($1, $2, $3, false)",
        "SELECT tl.set_account_active($1, $2, $3, true)"
    };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *params[5];
    int rc, status, action;

    if (!tl_form_read(q, "gestion-equipe", &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    if (!place || tl_valid_slug(p, "lieu", place, 64)
        || tl_field_choice(p, f, "action", "action", tl_choices_team_action, &action)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu ou d'action.");
    }
    params[0] = q->r->user;
    params[1] = place;
    params[2] = tl_admin_text(q, f, "identifiant", "identifiant", 64);
    params[3] = tl_admin_text(q, f, "nom", "nom affiché", 100);
    params[4] = tl_admin_text(q, f, "role", "rôle", 16);
    if (action == 0) {
        tl_form_keep(q, f, NULL, names);
    }
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, sql[action], action == 0 ? 5 : 3, params, action == 0 ? tl_team_fields : NULL,
                       action == 0 ? "identifiant" : "equipe", &status, NULL);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, tl_url_build(p, "/gestion/equipe",
                                                (const char *const[]){ "lieu", place, "fait", tl_choices_team_action[action], NULL }));
        }
    }
    return tl_team_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
}

/* A one-time link for someone of the team to choose a new password (the
 * référent never sees or sets it). Shown once, on this answer only. */
int tl_page_admin_team_link(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *account, *token, *hash;
    const tl_rows *rows;
    int rc, status = OK;

    if (!tl_form_read(q, "gestion-equipe", &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    account = tl_field(f, "identifiant");
    if (!place || tl_valid_slug(p, "lieu", place, 64) || !*account || tl_valid_text(p, "identifiant", account, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de personne.");
    }
    if (tl_token_make(p, &token, &hash) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0901) "cannot make a password link token");
        return tl_page_failed(q, HTTP_INTERNAL_SERVER_ERROR);
    }
    {
        const char *params[] = { q->r->user, account, hash };
        rc = tl_change(q, "SELECT * FROM tl.desk_account_password_link($1, $2, $3)", 3, params, NULL, "equipe",
                       &status, &rows);
    }
    if (rc < 0) {
        return status;
    }
    if (rc == 0) {
        return tl_team_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
    }
    tl_view_rows(q->view, "account", rows);
    tl_view_set(q->view, "place", place);
    tl_view_set(q->view, "link", ap_construct_url(p, apr_pstrcat(p, q->base, "/compte/mot-de-passe?jeton=", token,
                                                                  NULL), q->r));
    /* The page holds a secret: no Referer from it, nothing kept. */
    apr_table_setn(q->r->headers_out, "Referrer-Policy", "no-referrer");
    return tl_render_page(q, "gestion-lien", "Lien pour choisir un mot de passe — gestion");
}
