/* Labels: each item's QR code points to its public page, and a printable
 * sheet of labels (3 by 8 on A4) for a place, at the desk. */
#include <apr_strings.h>
#include <http_core.h>
#include "tl_pages.h"
#include "tl_valid.h"
#include "tl_qr.h"

int tl_page_item_qr(tl_req *q)
{
    int status = OK;
    const char *id = tl_param_id(q, q->args[0], "numéro d'objet", &status);
    const tl_rows *item;
    const char *svg, *url;
    apr_size_t len;

    if (!id) {
        return status;
    }
    if (!(item = tl_db_query(q, "SELECT 1 FROM tl.item WHERE id = $1 AND retired_at IS NULL", 1, &id, &status))) {
        return tl_page_failed(q, status);
    }
    if (item->count(item) == 0) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Cet objet n'est pas (ou plus) dans le catalogue.");
    }
    url = ap_construct_url(q->r->pool, apr_pstrcat(q->r->pool, q->base, "/outils/", id, NULL), q->r);
    if (!(svg = tl_qr_svg(q->r->pool, url, &len))) {
        return tl_page_failed(q, HTTP_INTERNAL_SERVER_ERROR);
    }
    return tl_send_body(q, "image/svg+xml", svg, len);
}

static const char tl_sql_label_places[] =
    "SELECT place_slug AS slug, place_name AS name, place_slug = $2 AS selected "
    "  FROM tl.account_roles($1) ORDER BY place_name";

static const char tl_sql_labels[] =
    "SELECT i.id, i.code, i.title, i.barcode FROM tl.item i JOIN tl.place p ON p.id = i.place_id "
    " WHERE p.slug = $1 AND i.retired_at IS NULL ORDER BY i.code LIMIT 24 OFFSET $2::integer";

int tl_page_desk_labels(tl_req *q)
{
    int status = OK;
    const char *want = tl_query_get(&q->query, "lieu"), *v;
    const char *params[] = { q->r->user, want ? want : "" };
    const tl_rows *places;
    const char *place;
    long page = 1;
    size_t len;

    if ((v = tl_query_get(&q->query, "page")) && tl_valid_int(q->r->pool, "page", v, 1, 1000, &page)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Le numéro de planche doit être un nombre entre 1 et 1000.");
    }
    if (!(places = tl_db_view(q, "places", tl_sql_label_places, 2, params, &status))) {
        return tl_page_failed(q, status);
    }
    if (places->count(places) == 0) {
        return tl_render_error(q, HTTP_FORBIDDEN, NULL);
    }
    place = want && tl_rows_contains(places, "slug", want) ? want
                                                            : places->value(places, 0, places->column(places, "slug"), &len);
    {
        const char *p2[] = { place, apr_ltoa(q->r->pool, (page - 1) * 24) };
        if (!tl_db_view(q, "labels", tl_sql_labels, 2, p2, &status)) {
            return tl_page_failed(q, status);
        }
    }
    tl_view_set(q->view, "place", place);
    tl_view_set(q->view, "sheet", apr_ltoa(q->r->pool, page));
    tl_view_set(q->view, "next_sheet", apr_ltoa(q->r->pool, page + 1));
    return tl_render_page(q, "guichet-etiquettes", "Étiquettes — guichet");
}
