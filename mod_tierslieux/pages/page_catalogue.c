/* The outilthèque's public catalogue: search, filters, sorting, pages, and
 * one item's page. Availability comes from tl.item_availability, which
 * knows the state of an item and never who borrowed it. */
#include <apr_strings.h>
#include <http_core.h>
#include "tl_pages.h"
#include "tl_valid.h"
#include "tl_version.h"

static const char *const tl_sorts[] = { "pertinence", "titre", "recent", "disponibles", NULL };
static const char *const tl_sort_labels[] = {
    "Pertinence", "Titre (A à Z)", "Les plus récents", "Disponibles d'abord", NULL
};

/* The catalogue's queries take $1 words, $2 category slug, $3 place slug,
 * $4 available only, $5 limit, $6 offset; an empty slug filters nothing.
 * At a network's size (50,000 items) none goes over every item: the page's
 * items are picked first from indexes (titles in tl.item.sort_title's
 * order, matches of the words from the full-text index), and only those
 * are joined to what a card shows; a listing without words takes its total
 * from the counts the database keeps (tl.item_count). Words go through
 * tl.catalogue_query once: it never parses them as query syntax and adds
 * the closest catalogue word for a typo. */
#define TL_SQL_CARD(pick, order) TL_SQL_CARD_PAGE(pick, order, "$6::integer")
#define TL_SQL_CARD_PAGE(pick, order, offset) \
    "WITH s AS MATERIALIZED (SELECT CASE WHEN $1 = '' THEN NULL ELSE tl.catalogue_query($1) END AS query), " \
    "     pick AS (" pick " ORDER BY " order " LIMIT $5::integer OFFSET " offset ") " \
    "SELECT i.id, it.code, it.title, it.brand, c.name AS category, c.slug AS category_slug, " \
    "       p.name AS place, p.slug AS place_slug, " \
    "       a.state = 'disponible' AS available, a.state = 'pret' AS on_loan, " \
    "       a.state = 'maintenance' AS in_maintenance, t.to_place_name AS transit_to, " \
    "       tl.date_fr(a.due_on) AS due_on, a.due_on AS due_on_iso, i.total, ph.* " \
    "  FROM pick i JOIN tl.item it ON it.id = i.id " \
    "  JOIN tl.category c ON c.id = it.category_id " \
    "  JOIN tl.place p ON p.id = it.place_id " \
    "  JOIN tl.item_availability a ON a.item_id = i.id " \
    "  LEFT JOIN tl.item_transit t ON t.item_id = i.id " \
    /* The card's picture, the item's first photo, in the same query. */ \
    "  LEFT JOIN LATERAL (SELECT f.id AS card_photo, f.alt AS card_photo_alt, z.width AS card_photo_width, " \
    "                            z.height AS card_photo_height " \
    "                       FROM tl.photo f, tl.photo_card_size(f.width, f.height) z " \
    "                      WHERE f.item_id = i.id ORDER BY f.position, f.id LIMIT 1) ph ON true " \
    " ORDER BY " order
/* The items of the filters, without what they show: what the order needs
 * (cols), so that an index gives it alone. */
#define TL_SQL_FILTERED(cols) \
    "SELECT i.id, i.sort_title, " cols ", " \
    "       i.id NOT IN (SELECT item_id FROM tl.item_unavailable) AS available " \
    "  FROM tl.item i " \
    " WHERE i.retired_at IS NULL " \
    "   AND ($2 = '' OR i.category_id = (SELECT id FROM tl.category WHERE slug = $2)) " \
    "   AND ($3 = '' OR i.place_id = (SELECT id FROM tl.place WHERE slug = $3)) "
/* Without words: the total from the counts (items, or available). */
#define TL_SQL_COUNTED(col) \
    "(SELECT coalesce(sum(n." col "), 0) FROM tl.item_count n " \
    "  WHERE ($2 = '' OR n.category_id = (SELECT id FROM tl.category WHERE slug = $2)) " \
    "    AND ($3 = '' OR n.place_id = (SELECT id FROM tl.place WHERE slug = $3)))"
#define TL_SQL_BROWSE \
    "SELECT f.*, CASE WHEN $4::boolean THEN " TL_SQL_COUNTED("available") " ELSE " TL_SQL_COUNTED("items") \
    "            END AS total " \
    "  FROM (" TL_SQL_FILTERED("i.created_at") ") f WHERE (NOT $4::boolean OR f.available)"
/* With words: their matches, counted. */
#define TL_SQL_SEARCH \
    "SELECT f.*, count(*) OVER () AS total FROM (" TL_SQL_FILTERED("i.created_at, i.search") \
    "   AND i.search @@ (SELECT query FROM s)) f WHERE (NOT $4::boolean OR f.available)"

#define TL_ORDER_TITLE "i.sort_title, i.id"
#define TL_ORDER_RECENT "i.created_at DESC, i.sort_title, i.id"
#define TL_ORDER_AVAILABLE "i.available DESC, i.sort_title, i.id"
#define TL_ORDER_RANK "ts_rank(i.search, (SELECT query FROM s)) DESC, i.sort_title, i.id"

/* Without words, what one may borrow first: the available ones by title,
 * then the others (few: lent or in maintenance) by title. The available
 * ones are counted, so each part starts where the page asked for falls in
 * it; the first is not read at all on a page past its end, the second not
 * at all when only available items are asked for. */
#define TL_SQL_BROWSE_AVAILABLE \
    "SELECT * FROM ((" TL_SQL_BROWSE " AND f.available AND $6::integer < " TL_SQL_COUNTED("available") \
    "                ORDER BY f.sort_title, f.id LIMIT $5::integer OFFSET $6::integer) " \
    "  UNION ALL (" TL_SQL_BROWSE " AND NOT f.available AND NOT $4::boolean ORDER BY f.sort_title, f.id LIMIT $5::integer " \
    "             OFFSET greatest($6::integer - " TL_SQL_COUNTED("available") ", 0))) i"

/* By sort (tl_sorts), without words and with. Without words, relevance
 * is the title's order. */
static const char *const tl_sql_browse[] = {
    TL_SQL_CARD("SELECT * FROM (" TL_SQL_BROWSE ") i", TL_ORDER_TITLE),
    TL_SQL_CARD("SELECT * FROM (" TL_SQL_BROWSE ") i", TL_ORDER_TITLE),
    TL_SQL_CARD("SELECT * FROM (" TL_SQL_BROWSE ") i", TL_ORDER_RECENT),
    TL_SQL_CARD_PAGE(TL_SQL_BROWSE_AVAILABLE, TL_ORDER_AVAILABLE, "0"),
};
static const char *const tl_sql_search[] = {
    TL_SQL_CARD("SELECT * FROM (" TL_SQL_SEARCH ") i", TL_ORDER_RANK),
    TL_SQL_CARD("SELECT * FROM (" TL_SQL_SEARCH ") i", TL_ORDER_TITLE),
    TL_SQL_CARD("SELECT * FROM (" TL_SQL_SEARCH ") i", TL_ORDER_RECENT),
    TL_SQL_CARD("SELECT * FROM (" TL_SQL_SEARCH ") i", TL_ORDER_AVAILABLE),
};

/* The category filter, as the filter form (partials/filtres) lists its
 * choices: value, label, selected. */
static const char tl_sql_categories[] =
    "SELECT c.slug AS value, c.name AS label, c.slug = $1 AS selected, coalesce(sum(n.items), 0) AS items "
    "  FROM tl.category c LEFT JOIN tl.item_count n ON n.category_id = c.id "
    " GROUP BY c.id ORDER BY c.sort_order, c.name";

static const char tl_sql_places[] =
    "SELECT p.id, p.slug, p.name, p.slug = $1 AS selected "
    "  FROM tl.place p WHERE EXISTS (SELECT 1 FROM tl.item_count n WHERE n.place_id = p.id) "
    " ORDER BY p.name";

/* What the filter form shared with the seeds (partials/filtres) says
 * here. */
static void tl_catalogue_filters(tl_req *q)
{
    tl_view_set(q->view, "filter_path", "outils");
    tl_view_set(q->view, "filter_label", "Rechercher un objet");
    tl_view_set(q->view, "q_max", "200");
    tl_view_set(q->view, "q_examples", "perceuse, scie, machine à coudre");
    tl_view_set(q->view, "kind_field", "categorie");
    tl_view_set(q->view, "kind_label", "Catégorie");
    tl_view_set(q->view, "kind_all", "Toutes les catégories");
    tl_view_set(q->view, "dispo_label", "Disponible maintenant");
}

int tl_page_catalogue(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    const char *words = tl_query_get(&q->query, "q");
    const char *v, *err, *category, *place;
    const char *available = "false", *sort;
    long page = 1, per_page = tl_conf_page_size(q->dc), total = 0;
    int sort_index, status = OK, i;
    const tl_rows *items;
    tl_rows *sorts;
    static const char *const sort_cols[] = { "value", "label", "selected", NULL };

    words = words ? words : "";
    if ((err = tl_valid_text(p, "mots recherchés", words, 200)) != NULL) {
        return tl_render_error(q, HTTP_BAD_REQUEST, err);
    }
    if (!(category = tl_param_slug(q, "categorie", "catégorie", &status))
        || !(place = tl_param_slug(q, "lieu", "lieu", &status))) {
        return status;
    }
    if ((v = tl_query_get(&q->query, "dispo")) != NULL && *v) {
        if (strcmp(v, "1") != 0) {
            return tl_render_error(q, HTTP_BAD_REQUEST,
                                   "Le champ « disponible maintenant » vaut 1 quand il est coché.");
        }
        available = "true";
    }
    sort = tl_query_get(&q->query, "tri");
    if (!sort || !*sort) {
        sort = *words ? "pertinence" : "titre";
    }
    if ((err = tl_valid_choice(p, "trier par", sort, tl_sorts, &sort_index)) != NULL) {
        return tl_render_error(q, HTTP_BAD_REQUEST, err);
    }
    if ((v = tl_query_get(&q->query, "page")) != NULL
        && (err = tl_valid_int(p, "page", v, 1, 10000, &page)) != NULL) {
        return tl_render_error(q, HTTP_BAD_REQUEST, err);
    }

    {
        const char *params[] = { words, category, place, available,
                                 apr_ltoa(p, per_page), apr_ltoa(p, (page - 1) * per_page) };
        const tl_db_read reads[] = {
            { "items", *words ? tl_sql_search[sort_index] : tl_sql_browse[sort_index], 6, params },
            { "kinds", tl_sql_categories, 1, &category },
            { "places", tl_sql_places, 1, &place },
        };
        if (!tl_db_views(q, reads, 3, &status)) {
            return tl_page_failed(q, status);
        }
        items = tl_view_rows_get(q->view, "items");
    }
    if (available[0] != 't' && strcmp(sort, "disponibles") != 0) {
        /* Chosen and ordered without their state: of the loans, the page
         * shows its items' state only. */
        tl_version_shows_items(q, items, "id");
    }
    else if (*place) {
        /* Chosen by their state, at one place: that place's loans. */
        const tl_rows *places = tl_view_rows_get(q->view, "places");
        tl_rows *chosen = tl_rows_make(p, (const char *const[]){ "id", NULL });
        size_t len;
        for (i = 0; i < places->count(places); i++) {
            if (strcmp(places->value(places, i, places->column(places, "slug"), &len), place) == 0) {
                tl_rows_add(chosen, (const char *const[]){ places->value(places, i, places->column(places, "id"),
                                                                         &len) });
            }
        }
        tl_version_shows_places(q, chosen, "id");
    }
    if (items->count(items) > 0) {
        size_t len;
        total = atol(items->value(items, 0, items->column(items, "total"), &len));
    }
    else if (page > 1) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Cette page de résultats n'existe pas : "
                               "il y a moins de résultats. Revenez à la première page.");
    }

    sorts = tl_rows_make(p, sort_cols);
    for (i = 0; tl_sorts[i]; i++) {
        tl_rows_add(sorts, (const char *const[]){ tl_sorts[i], tl_sort_labels[i], i == sort_index ? "t" : "f" });
    }
    tl_view_rows(q->view, "sorts", sorts);
    tl_catalogue_filters(q);
    tl_view_set(q->view, "q", words);
    tl_view_set(q->view, "dispo", available[0] == 't' ? "t" : "f");
    tl_view_set(q->view, "total", apr_ltoa(p, total));
    tl_view_set(q->view, "total_is_one", total == 1 ? "t" : "f");
    tl_view_set(q->view, "feed_place", place);
    tl_view_set(q->view, "filtered", (*words || *category || *place || available[0] == 't') ? "t" : "f");
    {
        const char *pairs[] = { "q", words, "categorie", category, "lieu", place,
                                "dispo", available[0] == 't' ? "1" : NULL,
                                "tri", sort_index == 0 || (sort_index == 1 && !*words) ? NULL : sort,
                                "page", NULL, NULL };
        tl_paginate(q, apr_pstrcat(p, q->base, "/outils", NULL), pairs, page, total, per_page);
    }
    return tl_render_page(q, "catalogue", tl_title_catalogue(p, words));
}

static const char tl_sql_item[] =
    "SELECT i.id, i.code, i.title, i.brand, i.description, i.photo, "
    "       c.name AS category, c.slug AS category_slug, "
    "       coalesce(i.loan_days, c.loan_days) AS loan_days, c.max_renewals AS renewals, "
    "       tl.euros(coalesce(i.deposit, c.deposit)) AS deposit, "
    "       ic.label AS condition, "
    "       i.safety_check_days IS NOT NULL AS electrical, tl.date_fr(i.last_safety_check) AS last_safety_check, "
    "       p.name AS place, p.slug AS place_slug, p.street_address, p.postal_code, p.locality, "
    "       o.name AS owner, "
    "       a.state = 'disponible' AS available, a.state = 'pret' AS on_loan, "
    "       a.state = 'maintenance' AS in_maintenance, t.to_place_name AS transit_to, "
    "       tl.date_fr(a.due_on) AS due_on, a.due_on AS due_on_iso "
    "  FROM tl.item i "
    "  JOIN tl.category c ON c.id = i.category_id "
    "  JOIN tl.item_condition ic ON ic.code = i.condition "
    "  JOIN tl.place p ON p.id = i.place_id "
    "  JOIN tl.collection co ON co.id = i.collection_id "
    "  JOIN tl.organisation o ON o.id = co.organisation_id "
    "  JOIN tl.item_availability a ON a.item_id = i.id "
    "  LEFT JOIN tl.item_transit t ON t.item_id = i.id "
    " WHERE i.id = $1 AND i.retired_at IS NULL";

int tl_page_item(tl_req *q)
{
    int status = OK;
    size_t len;
    const char *id = tl_param_id(q, q->args[0], "numéro d'objet", &status);
    const tl_rows *item;

    if (!id) {
        return status;
    }
    if (!(item = tl_db_view(q, "item", tl_sql_item, 1, &id, &status))) {
        return tl_page_failed(q, status);
    }
    if (item->count(item) == 0) {
        return tl_render_error(q, HTTP_NOT_FOUND,
                               "Cet objet n'est pas (ou plus) dans le catalogue de l'outilthèque.");
    }
    {
        /* Its photos, the first one first (sql/schema/007); a kit lists its
         * components (sql/schema/005); its notice and manuals
         * (sql/logic/documents.sql) follow. */
        const char *notice[] = { id, NULL };
        const tl_db_read reads[] = {
            { "photos", TL_SQL_PHOTOS_SHOWN("item_id"), 1, &id },
            { "components", "SELECT c.name AS component, c.quantity FROM tl.item_component c "
                            "WHERE c.item_id = $1 ORDER BY c.position, c.id", 1, &id },
            { "notice", tl_sql_notice_head, 2, notice },
            { "notice_paras", tl_sql_notice_paras, 2, notice },
            { "manuals", "SELECT * FROM tl.item_manuals($1::integer)", 1, &id },
        };
        if (!tl_db_views(q, reads, 5, &status)) {
            return tl_page_failed(q, status);
        }
    }
    tl_view_set(q->view, "notice_path", apr_pstrcat(q->r->pool, q->base, "/outils/", id, NULL));
    tl_view_set(q->view, "notice_write", apr_pstrcat(q->r->pool, "objet=",
                                                     item->value(item, 0, item->column(item, "code"), &len), NULL));
    tl_version_shows_items(q, item, "id");
    return tl_render_page(q, "objet", item->value(item, 0, item->column(item, "title"), &len));
}

/* The catalogue's new items, as an Atom feed (the network's, or one
 * place's): the last 30 put in the catalogue, newest first, each linking
 * to its page. What an item's state is never shows here: a feed reader
 * keeps entries, and a loan would be stale the next hour. */
int tl_page_catalogue_feed(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    int status = OK, i;
    const char *place = tl_param_slug(q, "lieu", "lieu", &status);
    const tl_rows *rows;
    tl_atom *feed;
    size_t len;

    if (!place || !(feed = tl_feed_create(q, "/outils", place, "", "Nouveautés de l'outilthèque", &status))) {
        return status;
    }
    if (!(rows = tl_db_query(q, "SELECT i.id, i.title, i.brand, c.slug AS category, c.name AS category_name, "
                                "       p.name AS place, extract(epoch FROM i.created_at)::bigint AS created "
                                "  FROM tl.item i JOIN tl.category c ON c.id = i.category_id "
                                "  JOIN tl.place p ON p.id = i.place_id "
                                " WHERE i.retired_at IS NULL AND ($1 = '' OR p.slug = $1) "
                                " ORDER BY i.created_at DESC, i.sort_title, i.id LIMIT 30", 1, &place, &status))) {
        return tl_page_failed(q, status);
    }
#define TL_COL(name) rows->value(rows, i, rows->column(rows, name), &len)
    for (i = 0; i < rows->count(rows); i++) {
        tl_atom_entry e = { 0 };
        e.id = ap_construct_url(p, apr_pstrcat(p, q->base, "/outils/", TL_COL("id"), NULL), q->r);
        e.link = e.id;
        e.title = TL_COL("title");
        e.updated = e.published = apr_atoi64(TL_COL("created"));
        e.category = TL_COL("category");
        e.category_label = TL_COL("category_name");
        e.summary = apr_pstrcat(p, TL_COL("category_name"), TL_COL("brand") ? " · " : "",
                                TL_COL("brand") ? TL_COL("brand") : "", " · à emprunter à ", TL_COL("place"), NULL);
        tl_feed_add(q, feed, &e);
    }
#undef TL_COL
    return tl_feed_send(q, feed);
}
