/* The ressourcerie in the back office: the containers weighed with what
 * they hold, and their tare. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_form.h"
#include "tl_valid.h"

static const tl_change_rule tl_container_fields[] = {
    { "reuse_container_name_not_blank", "nom" },
    { "reuse_container_unique_name", "nom" },
    { "reuse_container_tare_range", "tare" },
    { NULL, NULL }
};

static int tl_reuse_admin_show(tl_req *q, const char *wanted, int status)
{
    int st = OK;
    const char *place = tl_admin_place(q, wanted, &st);

    if (!place) {
        return st;
    }
    if (!tl_db_view(q, "containers", "SELECT k.id, k.name, replace(k.tare_kg::text, '.', ',') AS tare "
                                     "FROM tl.reuse_container k JOIN tl.place p ON p.id = k.place_id "
                                     "WHERE p.slug = $1 ORDER BY k.name", 1, &place, &st)) {
        return tl_page_failed(q, st);
    }
    tl_form_token(q, "gestion-ressourcerie");
    q->r->status = status;
    return tl_render_page(q, "gestion-ressourcerie", "Ressourcerie — gestion");
}

int tl_page_admin_reuse(tl_req *q)
{
    if (tl_query_get(&q->query, "fait")) {
        tl_view_set(q->view, "done", "t");
    }
    return tl_reuse_admin_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

/* A container added (no "contenant") or changed. */
int tl_page_admin_reuse_post(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *id, *tare = NULL, *v, *params[5];
    long n;
    int rc, status = OK;

    if (!tl_form_read(q, "gestion-ressourcerie", &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    id = tl_field(f, "contenant");
    if (!place || tl_valid_slug(p, "lieu", place, 64) || (id && *id && tl_valid_int(p, "contenant", id, 1,
                                                                                    2147483647L, &n))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu ou de contenant.");
    }
    tl_form_keep(q, f, NULL, (const char *const[]){ "nom", "tare", NULL });
    params[0] = q->r->user;
    params[1] = place;
    params[2] = id && *id ? id : NULL;
    params[3] = tl_admin_text(q, f, "nom", "nom", 100);
    if (!(v = tl_field(f, "tare")) || !*v || tl_valid_decimal(p, "tare", v, 500, 3, &tare)) {
        tl_form_error(q, "tare", "La tare est le poids du contenant vide en kilos, par exemple 12,5.");
    }
    params[4] = tare;
    rc = 0;
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.save_container($1, $2, $3::integer, $4, $5::numeric)", 5, params,
                       tl_container_fields, "nom", &status, NULL);
    }
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(p, "/gestion/ressourcerie",
                                            (const char *const[]){ "lieu", place, "fait", "1", NULL }));
    }
    return tl_reuse_admin_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
}
