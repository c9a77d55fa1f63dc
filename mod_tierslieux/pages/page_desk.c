/* The desk's door: the login form (checked by httpd's mod_auth_form with
 * the module's authn provider) and the desk's home page for the person
 * httpd authenticated (REMOTE_USER). */
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_auth.h"
#include "tl_form.h"
#include "tl_query.h"

int tl_page_login(tl_req *q)
{
    const char *back = tl_query_get(&q->query, "retour");
    const char *desk = apr_pstrcat(q->r->pool, q->base, "/guichet", NULL);

    /* Only back into the desk: never an open redirect elsewhere. */
    if (!back || strncmp(back, desk, strlen(desk)) != 0
        || (back[strlen(desk)] != '\0' && back[strlen(desk)] != '/' && back[strlen(desk)] != '?')) {
        back = desk;
    }
    tl_view_set(q->view, "return_to", back);
    tl_view_set(q->view, "failed", tl_query_get(&q->query, "erreur") ? "t" : "f");
    return tl_render_page(q, "connexion", "Connexion au guichet");
}

/* The French page httpd shows for a 403 (ErrorDocument 403). */
int tl_page_forbidden(tl_req *q)
{
    return tl_render_error(q, HTTP_FORBIDDEN, NULL);
}

/* The error document of a login or a role check that could not reach the
 * database (tl_auth.c): the French 503 page; also of a login with a library
 * card the library system refused as blocked (403) or did not answer
 * (503). Asked directly, it is no page. */
int tl_page_unavailable(tl_req *q)
{
    const request_rec *r = q->r;

    while (r->prev) {
        const char *why;
        r = r->prev;
        if ((why = apr_table_get(r->notes, TL_AUTH_UNAVAILABLE_NOTE)) != NULL) {
            if (strcmp(why, TL_AUTH_CARD_BLOCKED) == 0) {
                return tl_render_error(q, HTTP_FORBIDDEN,
                                       "La médiathèque n'accepte pas cette carte pour l'instant (carte bloquée, "
                                       "perdue ou à renouveler). Adressez-vous à l'accueil de la médiathèque.");
            }
            if (strcmp(why, TL_AUTH_CARD_NAMELESS) == 0) {
                return tl_render_error(q, HTTP_FORBIDDEN,
                                       "La fiche de cette carte à la médiathèque ne donne pas votre nom et votre "
                                       "prénom : adressez-vous à l'accueil de la médiathèque pour la compléter.");
            }
            if (strcmp(why, TL_AUTH_LIBRARY_DOWN) == 0) {
                apr_table_setn(q->r->err_headers_out, "Retry-After", "60");
                return tl_render_error(q, HTTP_SERVICE_UNAVAILABLE,
                                       "Le service de la médiathèque ne répond pas pour l'instant : la connexion "
                                       "avec la carte est impossible. Réessayez dans quelques minutes.");
            }
            q->read_only = strcmp(why, TL_AUTH_READ_ONLY) == 0;
            return tl_render_error(q, HTTP_SERVICE_UNAVAILABLE, NULL);
        }
    }
    return tl_render_error(q, HTTP_NOT_FOUND, NULL);
}

static const char tl_sql_my_places[] =
    "SELECT display_name, place_slug, place_name, "
    "       CASE role WHEN 'benevole' THEN 'bénévole' WHEN 'referent' THEN 'référent·e' "
    "                 ELSE 'administrateur·rice' END AS role "
    "  FROM tl.account_roles($1)";

static const char tl_sql_referent[] =
    "SELECT 1 AS yes FROM tl.account_roles($1) WHERE rank >= tl.role_rank('referent') LIMIT 1";

int tl_page_desk(tl_req *q)
{
    int status = OK;
    const tl_rows *mine;
    const char *user = q->r->user;

    if (!user) {                    /* the configuration forgot its Require line */
        return tl_render_error(q, HTTP_FORBIDDEN, NULL);
    }
    if (!(mine = tl_db_view(q, "places", tl_sql_my_places, 1, &user, &status))) {
        return tl_page_failed(q, status);
    }
    if (mine->count(mine) == 0) {
        return tl_render_error(q, HTTP_FORBIDDEN, NULL);
    }
    /* A role given from a member's offer waits for the place's charter
     * (page_contribution.c): that comes first. */
    {
        const tl_rows *pending = tl_db_query(q, "SELECT tl.pending_charter($1)", 1, &user, &status);
        size_t len;
        const char *slug;

        if (!pending) {
            return tl_page_failed(q, status);
        }
        slug = pending->count(pending) == 1 ? pending->value(pending, 0, 0, &len) : NULL;
        if (slug && *slug) {
            return tl_form_done(q, tl_url_build(q->r->pool, "/guichet/charte",
                                                (const char *const[]){ "lieu", slug, NULL }));
        }
    }
    /* A row when the person is référent somewhere: the e-mails' link. */
    if (!tl_db_view(q, "referent", tl_sql_referent, 1, &user, &status)) {
        return tl_page_failed(q, status);
    }
    return tl_render_page(q, "guichet", "Guichet");
}
