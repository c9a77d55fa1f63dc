/* The grainothèque: species, their varieties and the lots of each variety
 * (harvest year, packets left, place), and one variety's page. */
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_valid.h"

/* A lot is shown when it matches the filters: $1 place slug, $2 species
 * id, $3 words, $4 only lots with packets left. The grower's name is
 * never read here. */
#define TL_SQL_LOT_FILTER \
    "     ($1 = '' OR p.slug = $1) " \
    " AND ($2 = '' OR s.id = $2::integer) " \
    " AND ($3 = '' OR v.id IN (SELECT w.id FROM tl.seed_variety w JOIN tl.seed_species ws ON ws.id = w.species_id " \
    "                           WHERE strpos(public.unaccent(lower(w.name || ' ' || ws.common_name || ' ' " \
    "                                                              || ws.latin_name)), " \
    "                                        public.unaccent(lower($3))) > 0)) " \
    " AND (NOT $4::boolean OR st.packets > 0) "

#define TL_SQL_LOTS_FROM \
    "  FROM tl.seed_lot l " \
    "  JOIN tl.seed_lot_stock st ON st.lot_id = l.id " \
    "  JOIN tl.seed_variety v ON v.id = l.variety_id " \
    "  JOIN tl.seed_species s ON s.id = v.species_id " \
    "  JOIN tl.place p ON p.id = l.place_id "

static const char tl_sql_species[] =
    "SELECT s.id AS species_id, s.common_name, s.latin_name, s.family "
    "  FROM tl.seed_species s "
    " WHERE s.id IN (SELECT s.id " TL_SQL_LOTS_FROM " WHERE " TL_SQL_LOT_FILTER ") "
    " ORDER BY public.unaccent(lower(s.common_name))";

static const char tl_sql_varieties[] =
    "SELECT v.id, v.id AS variety_id, v.species_id, v.name, v.sowing, sum(st.packets) AS packets, "
    "       count(*) AS lot_count "
    TL_SQL_LOTS_FROM " WHERE " TL_SQL_LOT_FILTER
    " GROUP BY v.id ORDER BY public.unaccent(lower(v.name))";

static const char tl_sql_lots[] =
    "SELECT l.id AS lot_id, l.variety_id, l.harvest_year, st.packets, st.packets > 0 AS left_over, "
    "       p.name AS place, p.slug AS place_slug "
    TL_SQL_LOTS_FROM " WHERE " TL_SQL_LOT_FILTER
    " ORDER BY p.name, l.harvest_year DESC, l.id";

/* The species filter, as the filter form (partials/filtres) lists its
 * choices: value, label, selected. */
static const char tl_sql_species_options[] =
    "SELECT s.id AS value, s.common_name AS label, s.id::text = $1 AS selected FROM tl.seed_species s "
    " ORDER BY public.unaccent(lower(s.common_name))";

static const char tl_sql_place_options[] =
    "SELECT p.slug, p.name, p.slug = $1 AS selected FROM tl.place p "
    " WHERE EXISTS (SELECT 1 FROM tl.seed_lot l WHERE l.place_id = p.id) ORDER BY p.name";

int tl_page_seeds(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    const char *place, *species = "", *words, *v, *err, *left_only = "false";
    const tl_rows *varieties;
    int status = OK;
    long id;

    if (!(place = tl_param_slug(q, "lieu", "lieu", &status))) {
        return status;
    }
    if ((v = tl_query_get(&q->query, "espece")) != NULL && *v) {
        if ((err = tl_valid_int(p, "espèce", v, 1, 2147483647L, &id)) != NULL) {
            return tl_render_error(q, HTTP_BAD_REQUEST, err);
        }
        species = apr_ltoa(p, id);
    }
    words = tl_query_get(&q->query, "q");
    words = words ? words : "";
    if ((err = tl_valid_text(p, "mots recherchés", words, 100)) != NULL) {
        return tl_render_error(q, HTTP_BAD_REQUEST, err);
    }
    if ((v = tl_query_get(&q->query, "dispo")) != NULL && *v) {
        if (strcmp(v, "1") != 0) {
            return tl_render_error(q, HTTP_BAD_REQUEST,
                                   "Le champ « avec des sachets disponibles » vaut 1 quand il est coché.");
        }
        left_only = "true";
    }
    {
        const char *params[] = { place, species, words, left_only };
        const tl_db_read reads[] = {
            { "species", tl_sql_species, 4, params },
            { "varieties", tl_sql_varieties, 4, params },
            { "lots", tl_sql_lots, 4, params },
            { "kinds", tl_sql_species_options, 1, &species },
            { "places", tl_sql_place_options, 1, &place },
        };
        if (!tl_db_views(q, reads, sizeof(reads) / sizeof(reads[0]), &status)) {
            return tl_page_failed(q, status);
        }
        varieties = tl_view_rows_get(q->view, "varieties");
    }
    /* What the filter form shared with the catalogue (partials/filtres)
     * says here. */
    tl_view_set(q->view, "filter_path", "graines");
    tl_view_set(q->view, "filter_label", "Rechercher une semence");
    tl_view_set(q->view, "q_max", "100");
    tl_view_set(q->view, "q_examples", "tomate, haricot, Cucurbita");
    tl_view_set(q->view, "kind_field", "espece");
    tl_view_set(q->view, "kind_label", "Espèce");
    tl_view_set(q->view, "kind_all", "Toutes les espèces");
    tl_view_set(q->view, "dispo_label", "Avec des sachets disponibles");
    tl_view_set(q->view, "q", words);
    tl_view_set(q->view, "dispo", left_only[0] == 't' ? "t" : "f");
    tl_view_set(q->view, "variety_count", apr_itoa(p, varieties->count(varieties)));
    tl_view_set(q->view, "variety_count_is_one", varieties->count(varieties) == 1 ? "t" : "f");
    return tl_render_page(q, "graines", "Grainothèque : les semences");
}

static const char tl_sql_variety[] =
    "SELECT v.id, v.name, v.description, v.sowing, s.id AS species_id, s.common_name, s.latin_name, s.family "
    "  FROM tl.seed_variety v JOIN tl.seed_species s ON s.id = v.species_id WHERE v.id = $1";

static const char tl_sql_variety_lots[] =
    "SELECT l.harvest_year, st.packets, st.packets > 0 AS left_over, p.name AS place, p.slug AS place_slug "
    "  FROM tl.seed_lot l JOIN tl.seed_lot_stock st ON st.lot_id = l.id JOIN tl.place p ON p.id = l.place_id "
    " WHERE l.variety_id = $1 ORDER BY p.name, l.harvest_year DESC, l.id";

int tl_page_variety(tl_req *q)
{
    int status = OK;
    size_t len;
    const char *id = tl_param_id(q, q->args[0], "numéro de variété", &status);
    const tl_rows *variety;

    if (!id) {
        return status;
    }
    {
        const char *notice[] = { NULL, id };
        const tl_db_read reads[] = {
            { "variety", tl_sql_variety, 1, &id },
            { "lots", tl_sql_variety_lots, 1, &id },
            { "notice", tl_sql_notice_head, 2, notice },
            { "notice_paras", tl_sql_notice_paras, 2, notice },
            { "photos", TL_SQL_PHOTOS_SHOWN("seed_variety_id"), 1, &id },
        };
        if (!tl_db_views(q, reads, 5, &status)) {
            return tl_page_failed(q, status);
        }
        variety = tl_view_rows_get(q->view, "variety");
    }
    if (variety->count(variety) == 0) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Cette variété n'est pas dans la grainothèque.");
    }
    tl_view_set(q->view, "is_variety", "t");
    tl_view_set(q->view, "notice_path", apr_pstrcat(q->r->pool, q->base, "/graines/", id, NULL));
    tl_view_set(q->view, "notice_write", apr_pstrcat(q->r->pool, "variete=", id, NULL));
    return tl_render_page(q, "variete",
                          apr_pstrcat(q->r->pool, variety->value(variety, 0, variety->column(variety, "common_name"), &len),
                                      " « ", variety->value(variety, 0, variety->column(variety, "name"), &len), " »", NULL));
}
