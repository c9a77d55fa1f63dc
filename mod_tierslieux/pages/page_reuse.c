/* The ressourcerie for residents: what is on sale now, by category, at
 * one place or all, each item with its first photo. A page a mediathèque
 * can embed like the catalogue. */
#include <apr_strings.h>
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
    return tl_render_page(q, "ressourcerie", "Ressourcerie : en vente en ce moment");
}
