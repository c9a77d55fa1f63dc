/* Registering a member at the desk: only the fields the CNIL's norm for
 * libraries allows, each with why it is asked and how long it is kept;
 * the member number for the card is shown after the redirect, never put in
 * a URL. */
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"

static const char tl_sql_places[] =
    "SELECT r.place_slug AS slug, r.place_name AS name, r.place_slug = $2 AS selected, "
    "       nullif(p.charter, '') AS charter "
    "  FROM tl.account_roles($1) r JOIN tl.place p ON p.id = r.place_id ORDER BY r.place_name";

static int tl_members_show(tl_req *q, const char *place, int status)
{
    int st = OK;
    const char *params[] = { q->r->user, place ? place : "" };

    if (!tl_db_view(q, "places", tl_sql_places, 2, params, &st)) {
        return tl_page_failed(q, st);
    }
    tl_form_token(q, "adherent");
    q->r->status = status;
    return tl_render_page(q, "guichet-adherents", "Nouvel adhérent — guichet");
}

int tl_page_desk_members(tl_req *q)
{
    int status = OK;

    if (tl_query_get(&q->query, "fait")) {
        const char *user = q->r->user;
        if (!tl_db_view(q, "registered", "SELECT * FROM tl.last_member_registered($1)", 1, &user, &status)) {
            return tl_page_failed(q, status);
        }
    }
    return tl_members_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

int tl_page_desk_members_post(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    static const tl_change_rule rules[] = {
        { "member_birth_year_range", "naissance" },
        { "member_email_format", "courriel" },
        { TL_CHANGE_FORBIDDEN, NULL, "Vous ne tenez pas le guichet de ce lieu : rien n'a été enregistré." },
        { NULL, "nom" }
    };
    apr_table_t *f;
    const char *place, *family, *given, *email, *phone, *year, *charter, *err;
    long n;
    int rc, status = OK;

    if (!tl_form_read(q, "adherent", &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    family = tl_field(f, "nom");
    given = tl_field(f, "prenom");
    email = tl_field(f, "courriel");
    phone = tl_field(f, "telephone");
    year = tl_field(f, "naissance");
    charter = tl_field(f, "charte");
    tl_form_keep(q, f, NULL, (const char *const[]){ "nom", "prenom", "courriel", "telephone", "naissance", NULL });
    if (!family || !*family || (err = tl_valid_text(p, "nom", family, 100)) != NULL) {
        tl_form_error(q, "nom", family && *family ? err : "Indiquez le nom de famille.");
    }
    if (!given || !*given || (err = tl_valid_text(p, "prénom", given, 100)) != NULL) {
        tl_form_error(q, "prenom", given && *given ? err : "Indiquez le prénom.");
    }
    if (email && *email && ((err = tl_valid_text(p, "courriel", email, 200)) != NULL || !strchr(email, '@'))) {
        tl_form_error(q, "courriel", "Ce courriel ne semble pas complet (il faut un @), par exemple nom@exemple.fr.");
    }
    if (phone && *phone && (err = tl_valid_text(p, "téléphone", phone, 30)) != NULL) {
        tl_form_error(q, "telephone", err);
    }
    if ((!email || !*email) && (!phone || !*phone)) {
        tl_form_error(q, "courriel", "Indiquez un courriel ou un téléphone, pour pouvoir rappeler un retour.");
    }
    if (year && *year && (err = tl_valid_int(p, "année de naissance", year, 1900, 2100, &n)) != NULL) {
        tl_form_error(q, "naissance", err);
    }
    if (!charter || strcmp(charter, "1") != 0) {
        tl_form_error(q, "charte", "La personne doit accepter la charte du lieu pour emprunter.");
    }
    if (!place || tl_valid_slug(p, "lieu", place, 64)) {
        tl_form_error(q, "lieu", "Choisissez un lieu de la liste.");
    }
    if (!tl_view_get(q->view, "errors")) {
        const char *params[] = { q->r->user, place, family, given, email ? email : "", phone ? phone : "",
                                 year && *year ? year : NULL, "true" };
        if ((rc = tl_change(q, "SELECT tl.register_member($1, $2, $3, $4, $5, $6, $7::integer, $8::boolean)", 8,
                            params, rules, NULL, &status, NULL)) > 0) {
            return tl_form_done(q, apr_pstrcat(p, "/guichet/adherents?fait=1&lieu=", place, NULL));
        }
        if (rc < 0) {
            return status;
        }
    }
    return tl_members_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
}
