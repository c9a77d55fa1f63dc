/* A one-time password link made at the desk, on a member's file: the
 * member uses it on /compte/mot-de-passe (page_account.c) to choose their
 * password. */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include "tl_pages.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"
#include "tl_token.h"

/* At the desk, on a member's file: a link for the member to choose their
 * password, shown once on this page (never in a URL we redirect to, never
 * stored: the database keeps its SHA-256). */
int tl_page_desk_member_link(tl_req *q)
{
    apr_table_t *f;
    const char *number, *token, *hash;
    /* An unknown member: the message on a page of its own; another
     * place's member: the forbidden page. */
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "" },
        { NULL, NULL, NULL }
    };
    const tl_rows *rows = NULL;
    int rc, status = OK;

    if (!tl_form_read(q, "fiche", &f, &rc)) {
        return rc;
    }
    number = tl_field(f, "numero");
    if (!number || !*number || tl_valid_text(q->r->pool, "numéro", number, 32)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'adhérent.");
    }
    if (tl_token_make(q->r->pool, &token, &hash) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0801) "cannot make a password link token");
        return tl_page_failed(q, HTTP_INTERNAL_SERVER_ERROR);
    }
    {
        const char *params[] = { q->r->user, number, hash };
        if (tl_change(q, "SELECT * FROM tl.desk_member_password_link($1, $2, $3)", 3, params, rules, NULL, &status,
                      &rows) != 1) {
            return status;
        }
    }
    tl_view_rows(q->view, "member", rows);
    tl_view_set(q->view, "link", ap_construct_url(q->r->pool, apr_pstrcat(q->r->pool, q->base,
                                                                          "/compte/mot-de-passe?jeton=", token,
                                                                          NULL), q->r));
    tl_form_token(q, "fiche");
    /* The page holds a secret: no Referer from it, nothing kept. */
    apr_table_setn(q->r->headers_out, "Referrer-Policy", "no-referrer");
    return tl_render_page(q, "guichet-lien", "Lien pour choisir un mot de passe — guichet");
}
