/* The grainothèque in the back office: the network's shared list of
 * species and varieties (any référent adds to it or corrects it), and the
 * lots of a place, emptied when their seeds are no longer good. Deposits and
 * withdrawals stay at the desk. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_valid.h"

static const tl_change_rule tl_seed_fields[] = {
    { "seed_species_names_not_blank", "espece_nom" },
    { "seed_species_common_name_key", "espece_nom" },
    { "seed_variety_species_fkey", "variete_espece" },
    { "seed_variety_name_not_blank", "variete_nom" },
    { "seed_variety_unique_name", "variete_nom" },
    { "seed_lot_variety_fkey", "variete_nom" },
    { "seed_lot_discard_reason", "lot_raison" },
    { "seed_movement_lot_fkey", "lot" },
    { NULL, NULL }
};

static int tl_seeds_show(tl_req *q, const char *wanted, int status)
{
    int st = OK;
    const char *place = tl_admin_place(q, wanted, &st);
    const char *params[2];
    const char *species = tl_view_get(q->view, "f_variete_espece");

    if (!place) {
        return st;
    }
    params[0] = q->r->user;
    params[1] = place;
    if (!tl_admin_view(q, "lots", "SELECT * FROM tl.admin_lots($1, $2)", 2, params, &st)) {
        return st;
    }
    params[0] = species ? species : "";
    {
        const tl_db_read reads[] = {
            { "species", "SELECT id, common_name, latin_name, family, id::text = $1 AS selected, "
                         "(SELECT count(*) FROM tl.seed_variety v WHERE v.species_id = s.id) AS varieties "
                         "FROM tl.seed_species s ORDER BY common_name", 1, params },
            { "varieties", "SELECT v.id, v.name, s.common_name AS species FROM tl.seed_variety v "
                           "JOIN tl.seed_species s ON s.id = v.species_id ORDER BY s.common_name, v.name", 0, NULL },
        };
        if (!tl_db_views(q, reads, 2, &st)) {
            return tl_page_failed(q, st);
        }
    }
    /* A variety being edited shows its photos (sql/logic/photos.sql). */
    if ((params[0] = tl_view_get(q->view, "f_variete")) != NULL && *params[0]
        && !tl_valid_int(q->r->pool, "variété", params[0], 1, 2147483647L, &(long){ 0 })) {
        if (!tl_db_view(q, "variety_photos",
                        "SELECT f.id, f.alt, f.position AS pos, z.width AS card_width, z.height AS card_height, "
                        "       row_number() OVER w = 1 AS first, row_number() OVER w = count(*) OVER () AS last "
                        "  FROM tl.photo f, tl.photo_card_size(f.width, f.height) z "
                        " WHERE f.seed_variety_id = $1::integer "
                        "WINDOW w AS (ORDER BY f.position, f.id) ORDER BY f.position, f.id", 1, params, &st)) {
            return tl_page_failed(q, st);
        }
    }
    tl_form_token(q, "gestion-graines");
    q->r->status = status;
    return tl_render_page(q, "gestion-graines", "Grainothèque — gestion");
}

/* Editing a species or a variety: its values fill its form. */
static int tl_seeds_fill(tl_req *q, const char *sql, const char *id, const char *const map[][2], int n)
{
    int st = OK, i;
    size_t len;
    const tl_rows *rows = tl_db_query(q, sql, 1, &id, &st);

    if (!rows) {
        return tl_page_failed(q, st);
    }
    if (rows->count(rows) != 1) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Cette espèce ou cette variété n'existe pas.");
    }
    for (i = 0; i < n; i++) {
        tl_view_set(q->view, map[i][1], rows->value(rows, 0, rows->column(rows, map[i][0]), &len));
    }
    return OK;
}

static const char *const tl_variety_map[][2] = {
    { "id", "f_variete" }, { "species_id", "f_variete_espece" }, { "name", "f_variete_nom" },
    { "description", "f_variete_description" }, { "sowing", "f_variete_semis" }
};

int tl_page_admin_seeds_variety(tl_req *q, const char *place, const char *variety, int status)
{
    int st;

    if ((st = tl_seeds_fill(q, "SELECT * FROM tl.seed_variety WHERE id = $1::integer", variety, tl_variety_map,
                            5)) != OK) {
        return st;
    }
    return tl_seeds_show(q, place, status);
}

int tl_page_admin_seeds(tl_req *q)
{
    static const char *const species_map[][2] = {
        { "id", "f_espece" }, { "common_name", "f_espece_nom" }, { "latin_name", "f_espece_latin" },
        { "family", "f_espece_famille" }
    };
    apr_pool_t *p = q->r->pool;
    const char *species = tl_query_get(&q->query, "espece");
    const char *variety = tl_query_get(&q->query, "variete");
    const char *done = tl_query_get(&q->query, "fait");
    long id;
    int st;

    if ((species && tl_valid_int(p, "espèce", species, 1, 2147483647L, &id))
        || (variety && tl_valid_int(p, "variété", variety, 1, 2147483647L, &id))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Cette espèce ou cette variété n'est pas lisible.");
    }
    if (done && tl_valid_slug(p, "fait", done, 16) == NULL) {
        tl_view_set(q->view, apr_pstrcat(p, "done_", done, NULL), "t");
    }
    if (species && (st = tl_seeds_fill(q, "SELECT * FROM tl.seed_species WHERE id = $1::integer", species,
                                       species_map, 4)) != OK) {
        return st;
    }
    if (variety && (st = tl_seeds_fill(q, "SELECT * FROM tl.seed_variety WHERE id = $1::integer", variety,
                                       tl_variety_map, 5)) != OK) {
        return st;
    }
    return tl_seeds_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

/* One POST for the three forms: "quoi" says which (espece, variete, lot). */
int tl_page_admin_seeds_post(tl_req *q)
{
    static const char *const names[] = { "espece", "espece_nom", "espece_latin", "espece_famille", "variete",
                                         "variete_espece", "variete_nom", "variete_description", "variete_semis",
                                         "lot", "lot_raison", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *params[6];
    int rc, status, kind;

    if (!tl_form_read(q, "gestion-graines", &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    if (!place || tl_valid_slug(p, "lieu", place, 64) || tl_field_choice(p, f, "quoi", "quoi", tl_choices_seeds_kind,
                                                                          &kind)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu ou d'action.");
    }
    tl_form_keep(q, f, NULL, names);
    params[0] = q->r->user;
    if (kind == 0) {
        params[1] = tl_admin_int(q, f, "espece", "espèce", 1, 2147483647L);
        params[2] = tl_admin_text(q, f, "espece_nom", "nom commun", 100);
        params[3] = tl_admin_text(q, f, "espece_latin", "nom latin", 100);
        params[4] = tl_admin_text(q, f, "espece_famille", "famille", 100);
    }
    else if (kind == 1) {
        params[1] = tl_admin_int(q, f, "variete", "variété", 1, 2147483647L);
        params[2] = tl_admin_int(q, f, "variete_espece", "espèce", 1, 2147483647L);
        params[3] = tl_admin_text(q, f, "variete_nom", "nom", 100);
        params[4] = tl_admin_lines(q, f, "variete_description", "description", 4000);
        params[5] = tl_admin_lines(q, f, "variete_semis", "semis", 1000);
    }
    else {
        params[1] = tl_admin_int(q, f, "lot", "lot", 1, 2147483647L);
        params[2] = tl_admin_text(q, f, "lot_raison", "raison", 500);
        if (!params[1] && !tl_view_get(q->view, "err_lot")) {
            tl_form_error(q, "lot", "Choisissez le lot à écarter.");
        }
    }
    if (!tl_view_get(q->view, "errors")) {
        static const char *const sql[] = {
            "SELECT tl.save_species($1, $2::integer, $3, $4, $5)",
            "SELECT tl.save_variety($1, $2::integer, $3::integer, $4, $5, $6)",
            "SELECT tl.discard_lot($1, $2::integer, $3)"
        };
        static const int counts[] = { 5, 6, 3 };
        rc = tl_change(q, sql[kind], counts[kind], params, tl_seed_fields,
                       kind == 0 ? "espece_nom" : kind == 1 ? "variete_nom" : "lot_raison", &status, NULL);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, tl_url_build(p, "/gestion/graines",
                                                (const char *const[]){ "lieu", place, "fait", tl_choices_seeds_kind[kind], NULL }));
        }
    }
    return tl_seeds_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
}
