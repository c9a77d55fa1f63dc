/* The ressourcerie for residents: what is on sale now, by category, at
 * one place or all, each item with its first photo. A page a mediathèque
 * can embed like the catalogue. */
#include <apr_strings.h>
#include <http_core.h>
#include "tl_pages.h"

int tl_page_reuse_shop(tl_req *q)
{
    int status = OK;
    const char *place = tl_param_slug(q, "lieu", "lieu", &status);

    if (!place) {
        return status;
    }
    {
        const tl_db_read reads[] = {
            { "categories", "SELECT c.code AS category, c.label, count(*) AS count FROM tl.reuse_item i "
                            "  JOIN tl.reuse_category c ON c.code = i.category JOIN tl.place p ON p.id = i.place_id "
                            " WHERE i.status = 'en_vente' AND ($1 = '' OR p.slug = $1) "
                            " GROUP BY c.code, c.label, c.rank ORDER BY c.rank", 1, &place },
            { "items", "SELECT i.category, i.code, i.title, i.description, "
                       "       coalesce(tl.amount_fr(i.price), 'prix libre') AS price, p.name AS place, ph.* "
                       "  FROM tl.reuse_item i JOIN tl.place p ON p.id = i.place_id "
                       /* The card's picture, the item's first photo, in the same query. */
                       "  LEFT JOIN LATERAL (SELECT f.id AS card_photo, f.alt AS card_photo_alt, "
                       "                            z.width AS card_photo_width, z.height AS card_photo_height "
                       "                       FROM tl.photo f, tl.photo_card_size(f.width, f.height) z "
                       "                      WHERE f.reuse_item_id = i.id ORDER BY f.position, f.id LIMIT 1) ph ON true "
                       " WHERE i.status = 'en_vente' AND ($1 = '' OR p.slug = $1) "
                       " ORDER BY i.id DESC LIMIT 1000", 1, &place },
            { "places", "SELECT p.slug, p.name, p.slug = $1 AS selected FROM tl.place p "
                        "WHERE EXISTS (SELECT 1 FROM tl.reuse_item x WHERE x.place_id = p.id) "
                        "ORDER BY p.name", 1, &place },
        };
        if (!tl_db_views(q, reads, 3, &status)) {
            return tl_page_failed(q, status);
        }
    }
    tl_view_set(q->view, "place", place);
    return tl_render_page(q, "ressourcerie", TL_TITLE_REUSE);
}

/* The ressourcerie's arrivals, as an Atom feed (the network's, or one
 * place's): the last 30 items put on sale that are still there, newest
 * first, each linking to its card on the shop's page. */
int tl_page_reuse_feed(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    int status = OK, i;
    const char *place = tl_param_slug(q, "lieu", "lieu", &status);
    const tl_rows *rows;
    tl_atom *feed;
    size_t len;

    if (!place || !(feed = tl_feed_create(q, "/ressourcerie", place, "", "Arrivages de la ressourcerie", &status))) {
        return status;
    }
    if (!(rows = tl_db_query(q, "SELECT i.code, i.title, i.description, c.code AS category, c.label, "
                                "       coalesce(tl.amount_fr(i.price), 'prix libre') AS price, p.slug AS place_slug, "
                                "       p.name AS place, extract(epoch FROM i.created_at)::bigint AS created "
                                "  FROM tl.reuse_item i JOIN tl.reuse_category c ON c.code = i.category "
                                "  JOIN tl.place p ON p.id = i.place_id "
                                " WHERE i.status = 'en_vente' AND ($1 = '' OR p.slug = $1) "
                                " ORDER BY i.created_at DESC, i.id DESC LIMIT 30", 1, &place, &status))) {
        return tl_page_failed(q, status);
    }
#define TL_COL(name) rows->value(rows, i, rows->column(rows, name), &len)
    for (i = 0; i < rows->count(rows); i++) {
        tl_atom_entry e = { 0 };
        e.id = ap_construct_url(p, apr_pstrcat(p, q->base, "/ressourcerie#objet-", TL_COL("code"), NULL), q->r);
        e.link = ap_construct_url(p, apr_pstrcat(p, q->base, "/ressourcerie?lieu=", TL_COL("place_slug"), "#objet-",
                                                 TL_COL("code"), NULL), q->r);
        e.title = TL_COL("title");
        e.updated = e.published = apr_atoi64(TL_COL("created"));
        e.category = TL_COL("category");
        e.category_label = TL_COL("label");
        e.summary = apr_pstrcat(p, *TL_COL("description") ? TL_COL("description") : TL_COL("label"), " — ",
                                TL_COL("price"), ", à ", TL_COL("place"), NULL);
        tl_feed_add(q, feed, &e);
    }
#undef TL_COL
    return tl_feed_send(q, feed);
}
