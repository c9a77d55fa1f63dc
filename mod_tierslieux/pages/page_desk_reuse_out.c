/* The ressourcerie's outflows (sorties) at the desk: what leaves other
 * than by a sale — to recycling, to disposal, or given to another
 * association for reuse — weighed as fast as an intake: the destination
 * and partner stay, then a category's letter, the weight, Enter, and the
 * page comes back with the focus on the letter. A mistake is fixed by a
 * correcting entry that says why; nothing is edited. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_valid.h"

#define TL_OUTFLOW_FORM "ressourcerie-sorties"

static const char *const tl_destination_labels[] = {
    "Recyclage", "Élimination (déchèterie, enfouissement)", "Don à une autre association pour le réemploi", NULL
};

static const tl_change_rule tl_outflow_fields[] = {
    { "reuse_outflow_destination_known", "destination" },
    { "reuse_outflow_partner_not_blank", "partenaire" },
    { "reuse_outflow_category_fkey", "categorie" },
    { "reuse_outflow_container_fkey", "contenant" },
    { "reuse_outflow_correction_reason", "raison" },
    { "reuse_outflow_corrects_fkey", "raison" },
    { NULL, NULL }
};

static int tl_outflow_show(tl_req *q, const char *wanted, const char *destination, int http_status)
{
    apr_pool_t *p = q->r->pool;
    int status = OK, i;
    const char *place = tl_desk_place(q, wanted, &status), *params[2];
    tl_rows *dest;

    if (!place) {
        return status;
    }
    params[0] = q->r->user;
    params[1] = place;
    if (!tl_admin_view(q, "outflows", "SELECT * FROM tl.desk_outflows($1, $2)", 2, params, &status)) {
        return status;
    }
    {
        const tl_db_read reads[] = {
            { "categories", "SELECT key, label FROM tl.reuse_category ORDER BY rank", 0, NULL },
            { "containers", "SELECT k.id, k.name, replace(k.tare_kg::text, '.', ',') AS tare "
                            "FROM tl.reuse_container k JOIN tl.place p ON p.id = k.place_id "
                            "WHERE p.slug = $1 ORDER BY k.name", 1, &place },
        };
        if (!tl_db_views(q, reads, 2, &status)) {
            return tl_page_failed(q, status);
        }
    }
    dest = tl_rows_make(p, (const char *const[]){ "code", "label", "selected", NULL });
    for (i = 0; tl_choices_destination[i]; i++) {
        tl_rows_add(dest, (const char *const[]){ tl_choices_destination[i], tl_destination_labels[i],
                                                 destination && strcmp(destination, tl_choices_destination[i]) == 0
                                                 ? "t" : "" });
    }
    tl_view_rows(q->view, "destinations", dest);
    tl_form_token(q, TL_OUTFLOW_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "guichet-ressourcerie-sorties", "Ressourcerie : sorties — guichet");
}

int tl_page_desk_reuse_outflows(tl_req *q)
{
    const char *partner = tl_query_get(&q->query, "partenaire");

    if (tl_query_get(&q->query, "fait")) {
        tl_view_set(q->view, "done", "t");
    }
    if (partner && tl_valid_text(q->r->pool, "partenaire", partner, 100) == NULL) {
        tl_view_set(q->view, "f_partenaire", partner);
    }
    return tl_outflow_show(q, tl_query_get(&q->query, "lieu"), tl_query_get(&q->query, "destination"), HTTP_OK);
}

/* One outflow weighing (destination, partenaire, categorie = its letter or
 * code, poids, contenant), or a correction of one (corrige, raison). */
int tl_page_desk_reuse_outflow_post(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *destination, *partner, *container, *corrects, *reason, *v, *gross = NULL;
    long n;
    int rc, status = OK, i;

    if (!tl_form_read(q, TL_OUTFLOW_FORM, &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    destination = tl_field(f, "destination");
    container = tl_field(f, "contenant");
    corrects = tl_field(f, "corrige");
    if (!place || tl_valid_slug(p, "lieu", place, 64)
        || (container && *container && tl_valid_int(p, "contenant", container, 1, 2147483647L, &n))
        || (corrects && *corrects && tl_valid_int(p, "sortie", corrects, 1, 9223372036854775807L, &n))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu ou de sortie.");
    }
    tl_form_keep(q, f, NULL, (const char *const[]){ "partenaire", "categorie", "poids", "raison", NULL });
    if (tl_field_choice(p, f, "destination", "destination", tl_choices_destination, &i)) {
        tl_form_error(q, "destination", "Choisissez la destination dans la liste.");
        destination = NULL;
    }
    partner = tl_admin_text(q, f, "partenaire", "partenaire", 100);
    if (!*(v = tl_field(f, "categorie")) || tl_valid_text(p, "catégorie", v, 32)) {
        tl_form_error(q, "categorie", "Tapez la lettre d'une catégorie de la liste.");
    }
    if ((v = tl_field(f, "poids")) == NULL || !*v) {
        tl_form_error(q, "poids", "Indiquez le poids lu sur la balance, en kilos.");
    }
    else if (tl_valid_decimal(p, "poids", v, 100000, 3, &gross)) {
        tl_form_error(q, "poids", "Le poids s'écrit en kilos, par exemple 12,5 (trois décimales au plus).");
    }
    reason = tl_admin_text(q, f, "raison", "raison", 300);
    rc = 0;
    if (!tl_view_get(q->view, "errors")) {
        const char *params[] = { q->r->user, place, destination, partner, tl_field(f, "categorie"), gross,
                                 container && *container ? container : NULL, corrects && *corrects ? corrects : NULL,
                                 reason };
        rc = tl_change(q, "SELECT tl.record_outflow($1, $2, $3, $4, $5, $6::numeric, $7::integer, $8::bigint, "
                          "$9)", 9, params, tl_outflow_fields, "poids", &status, NULL);
    }
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(p, "/guichet/ressourcerie/sorties",
                                            (const char *const[]){ "lieu", place, "destination", destination,
                                                                   "partenaire", partner, "fait", "1", NULL }));
    }
    return tl_outflow_show(q, place, destination, HTTP_UNPROCESSABLE_ENTITY);
}
