/* The places of the installation: the home page, the list, and one place
 * with its opening hours (OpenStreetMap syntax, read by the core's parser)
 * and what it offers, with its newest public testimonies. */
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_version.h"
#include "tl_hours.h"
#include "tl_valid.h"

/* What a place offers is derived from what it holds. */
#define TL_SQL_PLACE_COLUMNS \
    "p.id, p.slug, p.name, p.description, p.street_address, p.postal_code, p.locality, " \
    "p.opening_hours, p.time_zone, p.phone, p.email, p.website, o.name AS organisation, " \
    "'tel:' || regexp_replace(p.phone, '[^0-9+]', '', 'g') AS phone_url, 'mailto:' || p.email AS email_url, " \
    "CASE p.kind WHEN 'mediatheque' THEN 'Médiathèque' WHEN 'tiers_lieu' THEN 'Tiers-lieu' " \
    "     WHEN 'ressourcerie' THEN 'Ressourcerie' WHEN 'maison_de_quartier' THEN 'Maison de quartier' " \
    "     ELSE 'Lieu' END AS kind, " \
    "coalesce(n.tools, 0) AS tools, coalesce(n.available, 0) AS tools_available, " \
    "coalesce(s.varieties, 0) AS varieties, n.tools IS NOT NULL AS has_tools, s.place_id IS NOT NULL AS has_seeds "

/* Counted over the network once, not once per place: the items from the
 * counts the database keeps (tl.item_count), the varieties from the
 * seed stock. */
#define TL_SQL_PLACE_FROM \
    "  FROM tl.place p JOIN tl.organisation o ON o.id = p.organisation_id " \
    "  LEFT JOIN (SELECT place_id, sum(items) AS tools, sum(available) AS available " \
    "               FROM tl.item_count GROUP BY place_id) n ON n.place_id = p.id " \
    "  LEFT JOIN (SELECT l.place_id, count(DISTINCT l.variety_id) FILTER (WHERE st.packets > 0) AS varieties " \
    "               FROM tl.seed_lot l JOIN tl.seed_lot_stock st ON st.lot_id = l.id " \
    "              GROUP BY l.place_id) s ON s.place_id = p.id "

static const char tl_sql_places[] =
    "SELECT " TL_SQL_PLACE_COLUMNS TL_SQL_PLACE_FROM " ORDER BY p.name";

static const char tl_sql_place[] =
    "SELECT " TL_SQL_PLACE_COLUMNS TL_SQL_PLACE_FROM " WHERE p.slug = $1";

/* Collections hosted here that belong to another organisation. */
static const char tl_sql_partners[] =
    "SELECT c.name, o.name AS organisation, "
    "       CASE c.activity WHEN 'outiltheque' THEN 'outilthèque' ELSE 'grainothèque' END AS activity "
    "  FROM tl.collection c JOIN tl.organisation o ON o.id = c.organisation_id "
    "  JOIN tl.place p ON p.id = c.place_id "
    " WHERE p.slug = $1 AND o.id <> p.organisation_id ORDER BY c.name";

static const char tl_sql_totals[] =
    "SELECT (SELECT coalesce(sum(items), 0) FROM tl.item_count) AS tools, "
    "       (SELECT coalesce(sum(available), 0) FROM tl.item_count) AS tools_available, "
    "       (SELECT count(*) FROM tl.seed_variety) AS varieties, "
    "       (SELECT count(*) FROM tl.place) AS places";

int tl_page_home(tl_req *q)
{
    int status = OK;
    const tl_db_read reads[] = {
        { "places", tl_sql_places, 0, NULL },
        { "totals", tl_sql_totals, 0, NULL },
    };

    if (!tl_db_views(q, reads, 2, &status)) {
        return tl_page_failed(q, status);
    }
    return tl_render_page(q, "accueil", "Accueil");
}

int tl_page_places(tl_req *q)
{
    int status = OK;

    if (!tl_db_view(q, "places", tl_sql_places, 0, NULL, &status)) {
        return tl_page_failed(q, status);
    }
    return tl_render_page(q, "lieux", "Les lieux");
}

/* The week's hours as rows (day, hours) for the template, or a message
 * when the stored text cannot be read (the page then shows it as is). */
static void tl_place_hours(tl_req *q, const char *text)
{
    static const char *const cols[] = { "day", "hours", "closed", NULL };
    apr_pool_t *p = q->r->pool;
    tl_hours h;
    char err[160];
    int d;
    tl_rows *rows;

    if (!text || !*text) {
        return;
    }
    if (tl_hours_parse(text, strlen(text), &h, err, sizeof(err)) != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r,
                      TLXLOGNO(0401) "opening hours of place %s not understood: %s", q->args[0], err);
        tl_view_set(q->view, "hours_raw", text);
        return;
    }
    rows = tl_rows_make(p, cols);
    for (d = 0; d < 7; d++) {
        char buf[160];
        int n = tl_hours_format_day(&h, d, buf, sizeof(buf));
        tl_rows_add(rows, (const char *const[]){ tl_hours_day_name(d), apr_pstrmemdup(p, buf, n > 0 ? (apr_size_t)n : 0),
                                                 h.nspans[d] == 0 && !h.always_open ? "t" : "f" });
    }
    tl_view_rows(q->view, "hours", rows);
    if (h.public_holidays_closed) {
        tl_view_set(q->view, "closed_on_holidays", "t");
    }
}

int tl_page_place(tl_req *q)
{
    int status = OK;
    const char *slug = q->args[0];
    const tl_rows *place;
    size_t len;
    const char *err = tl_valid_slug(q->r->pool, "lieu", slug, 64);
    const tl_db_read reads[] = {
        { "place", tl_sql_place, 1, &slug },
        { "partners", tl_sql_partners, 1, &slug },
        { "closures", "SELECT period, reason FROM tl.place_closures($1) WHERE ends_on >= current_date", 1, &slug },
        /* Its newest public testimonies; the others on /temoignages. */
        { "stories", "SELECT * FROM tl.public_stories($1, '', 5)", 1, &slug },
    };

    if (err) {
        return tl_render_error(q, HTTP_BAD_REQUEST, err);
    }
    if (!tl_db_views(q, reads, 4, &status)) {
        return tl_page_failed(q, status);
    }
    place = tl_view_rows_get(q->view, "place");
    if (place->count(place) == 0) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Ce lieu n'existe pas (ou plus) dans ce réseau.");
    }
    tl_place_hours(q, place->value(place, 0, place->column(place, "opening_hours"), &len));
    tl_version_shows_places(q, place, "id");     /* of the loans, its own counts */
    return tl_render_page(q, "lieu", place->value(place, 0, place->column(place, "name"), &len));
}
