/* Loan rules in the back office: the network's categories with their loan
 * length, renewals, deposit and most items per member, and the retention
 * delays of personal data. Référents read them; the network's admins
 * change them (sql/schema/001_baseline.sql says why categories are shared). */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_form.h"
#include "tl_valid.h"

static const tl_change_rule tl_rule_fields[] = {
    { "category_name_not_blank", "nom" },
    { "category_slug_key", "nom" },
    { "category_loan_days_range", "duree" },
    { "category_max_renewals_range", "prolongations" },
    { "category_deposit_positive", "caution" },
    { "category_max_items_range", "maximum" },
    { "retention_loan_months_range", "mois_prets" },
    { "retention_member_months_range", "mois_comptes" },
    { NULL, NULL }
};

static int tl_rules_show(tl_req *q, int status)
{
    int st = OK;

    if (!tl_admin_place(q, NULL, &st)) {
        return st;
    }
    {
        const tl_db_read reads[] = {
            { "categories", "SELECT * FROM tl.admin_categories()", 0, NULL },
            { "retention", "SELECT * FROM tl.retention_delays()", 0, NULL },
        };
        if (!tl_db_views(q, reads, 2, &st)) {
            return tl_page_failed(q, st);
        }
    }
    tl_form_token(q, "gestion-regles");
    q->r->status = status;
    return tl_render_page(q, "gestion-categories", "Catégories et règles de prêt — gestion");
}

int tl_page_admin_rules(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && tl_valid_slug(q->r->pool, "fait", done, 16) == NULL) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_rules_show(q, HTTP_OK);
}

/* One category's rules (categorie = its slug), or a new one (no slug). */
int tl_page_admin_category_post(tl_req *q)
{
    static const char *const names[] = { "categorie", "nom", "duree", "prolongations", "caution", "maximum", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *slug, *params[7];
    int rc, status;

    if (!tl_form_read(q, "gestion-regles", &f, &rc)) {
        return rc;
    }
    slug = tl_field(f, "categorie");
    if (slug && *slug && tl_valid_slug(p, "catégorie", slug, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de catégorie.");
    }
    tl_form_keep(q, f, NULL, names);
    params[0] = q->r->user;
    params[1] = slug && *slug ? slug : NULL;
    params[2] = tl_admin_text(q, f, "nom", "nom", 100);
    params[3] = tl_admin_int(q, f, "duree", "durée du prêt", 0, 100000);
    params[4] = tl_admin_int(q, f, "prolongations", "prolongations", 0, 100000);
    params[5] = tl_admin_amount(q, f, "caution", "caution");
    params[6] = tl_admin_int(q, f, "maximum", "objets par adhérent", 0, 100000);
    if (!params[3] && !tl_view_get(q->view, "err_duree")) {
        tl_form_error(q, "duree", "Indiquez la durée du prêt en jours.");
    }
    if (!params[4] && !tl_view_get(q->view, "err_prolongations")) {
        params[4] = "0";
    }
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.save_category($1, $2, $3, $4::integer, $5::integer, $6::numeric, "
                          "$7::integer)", 7, params, tl_rule_fields, "nom", &status, NULL);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, "/gestion/categories?fait=categorie");
        }
    }
    tl_view_set(q->view, "error_category", slug && *slug ? slug : "nouvelle");
    return tl_rules_show(q, HTTP_UNPROCESSABLE_ENTITY);
}

int tl_page_admin_retention_post(tl_req *q)
{
    static const char *const names[] = { "mois_prets", "mois_comptes", NULL };
    apr_table_t *f;
    const char *params[3];
    int rc, status;

    if (!tl_form_read(q, "gestion-regles", &f, &rc)) {
        return rc;
    }
    tl_form_keep(q, f, NULL, names);
    params[0] = q->r->user;
    params[1] = tl_admin_int(q, f, "mois_prets", "mois après le retour", 0, 100000);
    params[2] = tl_admin_int(q, f, "mois_comptes", "mois sans emprunt", 0, 100000);
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.save_retention($1, $2::integer, $3::integer)", 3, params, tl_rule_fields,
                       "mois_prets", &status, NULL);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, "/gestion/categories?fait=conservation");
        }
    }
    return tl_rules_show(q, HTTP_UNPROCESSABLE_ENTITY);
}
