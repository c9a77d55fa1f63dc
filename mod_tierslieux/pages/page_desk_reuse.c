/* The ressourcerie at the desk: opening a drop-off (arrivage) with its
 * source and commune, then weighing it by category as fast as the scale
 * allows — a category's letter, the weight, Enter; the page comes back
 * with the focus on the letter again. A mistake is fixed by a correcting
 * weighing that says why; nothing is edited. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"

#define TL_REUSE_FORM "ressourcerie"

static const char tl_sql_places[] =
    "SELECT place_slug AS slug, place_name AS name, place_slug = $2 AS selected FROM tl.account_roles($1) "
    "ORDER BY place_name";

static int tl_reuse_start_show(tl_req *q, int status)
{
    int st = OK;
    const char *params[] = { q->r->user, tl_view_get(q->view, "f_lieu") ? tl_view_get(q->view, "f_lieu") : "" };

    if (!tl_db_view(q, "places", tl_sql_places, 2, params, &st)) {
        return tl_page_failed(q, st);
    }
    tl_form_token(q, TL_REUSE_FORM);
    q->r->status = status;
    return tl_render_page(q, "guichet-ressourcerie", "Ressourcerie : arrivages — guichet");
}

int tl_page_desk_reuse(tl_req *q)
{
    return tl_reuse_start_show(q, HTTP_OK);
}

int tl_page_desk_reuse_start(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *source, *commune;
    /* start_intake refuses a place they do not hold the desk of; anything
     * else it refuses is a status page. */
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "Vous ne tenez pas le guichet de ce lieu : rien n'a été enregistré." },
        { NULL, NULL, "" }
    };
    const tl_rows *rows = NULL;
    int rc, status = OK, i;
    size_t len;

    if (!tl_form_read(q, TL_REUSE_FORM, &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    source = tl_field(f, "provenance");
    commune = tl_field(f, "commune");
    tl_form_keep(q, f, NULL, (const char *const[]){ "lieu", "commune", NULL });
    if (!place || tl_valid_slug(p, "lieu", place, 64)) {
        tl_form_error(q, "lieu", "Choisissez un lieu de la liste.");
    }
    if (tl_field_choice(p, f, "provenance", "provenance", tl_choices_intake_source, &i)) {
        tl_form_error(q, "provenance", "Choisissez la provenance dans la liste.");
    }
    if (commune && tl_valid_text(p, "commune", commune, 100)) {
        tl_form_error(q, "commune", "Le nom de la commune a 100 caractères au plus.");
    }
    if (tl_view_get(q->view, "errors")) {
        return tl_reuse_start_show(q, HTTP_UNPROCESSABLE_ENTITY);
    }
    {
        const char *params[] = { q->r->user, place, source, commune ? commune : "" };
        if (tl_change(q, "SELECT tl.start_intake($1, $2, $3, $4)", 4, params, rules, NULL, &status, &rows) != 1) {
            return status;
        }
    }
    return tl_form_done(q, apr_pstrcat(p, "/guichet/ressourcerie/arrivage?n=", rows->value(rows, 0, 0, &len), NULL));
}

int tl_desk_reuse_intake_show(tl_req *q, const char *intake, int http_status)
{
    int status = OK;
    const char *params[] = { q->r->user, intake };
    /* Once the role is checked, the rest of the page in one round trip:
     * it is the page a volunteer sees after every weighing. */
    const tl_db_read reads[] = {
        { "intake", "SELECT * FROM tl.desk_intake_info($1, $2::bigint)", 2, params },
        { "categories", "SELECT key, label FROM tl.reuse_category ORDER BY rank", 0, NULL },
        { "containers", "SELECT k.id, k.name, replace(k.tare_kg::text, '.', ',') AS tare FROM tl.reuse_container k "
                        "JOIN tl.reuse_intake i ON i.place_id = k.place_id WHERE i.id = $1::bigint ORDER BY k.name",
          1, &intake },
        { "items", "SELECT i.code, i.title, coalesce(tl.amount_fr(i.price), 'prix libre') AS price, "
                   "tl.reuse_kg(i.weight_kg) AS weight, tl.reuse_status_fr(i.status, NULL) AS status "
                   "FROM tl.reuse_item i WHERE i.intake_id = $1::bigint ORDER BY i.id", 1, &intake },
    };

    if (!tl_admin_view(q, "weighings", "SELECT * FROM tl.desk_intake($1, $2::bigint)", 2, params, &status)) {
        return status;
    }
    if (!tl_db_views(q, reads, sizeof(reads) / sizeof(reads[0]), &status)) {
        return tl_page_failed(q, status);
    }
    tl_view_set(q->view, "intake_id", intake);
    if (tl_view_get(q->view, "errors") && !tl_view_get(q->view, "stock_errors")) {
        tl_view_set(q->view, "weigh_errors", "t");
    }
    tl_form_token(q, TL_REUSE_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "guichet-ressourcerie-arrivage", "Arrivage — ressourcerie");
}

int tl_page_desk_reuse_intake(tl_req *q)
{
    const char *intake = tl_query_get(&q->query, "n");
    long n;

    if (tl_valid_int(q->r->pool, "arrivage", intake, 1, 9223372036854775807L, &n)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Cet arrivage n'est pas lisible.");
    }
    if (tl_query_get(&q->query, "fait")) {
        tl_view_set(q->view, "done", "t");
    }
    return tl_desk_reuse_intake_show(q, intake, HTTP_OK);
}

/* A weighing (categorie = its letter or code, poids, contenant), or a
 * correction of one (corrige = the weighing, raison). */
int tl_page_desk_reuse_weigh(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    static const tl_change_rule rules[] = {
        { "reuse_weighing_category_fkey", "categorie" },
        { "reuse_weighing_container_fkey", "contenant" },
        { "reuse_weighing_correction_reason", "raison" },
        { "reuse_weighing_corrects_fkey", "raison" },
        { TL_CHANGE_FORBIDDEN, NULL, "Vous ne tenez pas le guichet de ce lieu : rien n'a été pesé." },
        { NULL, "poids" }
    };
    const char *intake, *container, *corrects, *reason, *v, *gross = NULL;
    long n;
    int rc, status = OK;

    if (!tl_form_read(q, TL_REUSE_FORM, &f, &rc)) {
        return rc;
    }
    intake = tl_field(f, "arrivage");
    container = tl_field(f, "contenant");
    corrects = tl_field(f, "corrige");
    reason = tl_field(f, "raison");
    if (tl_valid_int(p, "arrivage", intake, 1, 9223372036854775807L, &n)
        || (container && *container && tl_valid_int(p, "contenant", container, 1, 2147483647L, &n))
        || (corrects && *corrects && tl_valid_int(p, "pesée", corrects, 1, 9223372036854775807L, &n))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'arrivage.");
    }
    tl_form_keep(q, f, NULL, (const char *const[]){ "categorie", "poids", "raison", NULL });
    if ((v = tl_field(f, "poids")) == NULL || !*v) {
        tl_form_error(q, "poids", "Indiquez le poids lu sur la balance, en kilos.");
    }
    else if (tl_valid_decimal(p, "poids", v, 100000, 3, &gross)) {
        tl_form_error(q, "poids", "Le poids s'écrit en kilos, par exemple 12,5 (trois décimales au plus).");
    }
    if (!*(v = tl_field(f, "categorie")) || tl_valid_text(p, "catégorie", v, 32)) {
        tl_form_error(q, "categorie", "Tapez la lettre d'une catégorie de la liste.");
    }
    if (reason && tl_valid_text(p, "raison", reason, 300)) {
        tl_form_error(q, "raison", "La raison a 300 caractères au plus.");
    }
    if (!tl_view_get(q->view, "errors")) {
        const char *params[] = { q->r->user, intake, tl_field(f, "categorie"), gross,
                                 container && *container ? container : NULL, corrects && *corrects ? corrects : NULL,
                                 reason };
        /* A weighing does not wait for the disk to confirm its commit
         * (synchronous_commit off for this transaction only): a power cut
         * can lose the last fraction of a second of weighings, which the
         * volunteer weighs again, and never corrupts them. Sales and every
         * other change wait for the disk. */
        if ((rc = tl_change(q, "SELECT tl.weigh($1, $2::bigint, $3, $4::numeric, $5::integer, $6::bigint, $7), "
                               "set_config('synchronous_commit', 'off', true)", 7, params, rules, NULL, &status,
                            NULL)) > 0) {
            return tl_form_done(q, apr_pstrcat(p, "/guichet/ressourcerie/arrivage?n=", intake, "&fait=1", NULL));
        }
        if (rc < 0) {
            return status;
        }
    }
    return tl_desk_reuse_intake_show(q, intake, HTTP_UNPROCESSABLE_ENTITY);
}
