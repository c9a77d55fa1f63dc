/* Open data (issue 18, point 3): the page that says what the network
 * publishes and under which licence, and the files: the places in the
 * national « équipements » schema (CSV) and as GeoJSON for map tools, the
 * catalogue as CSV (streamed: a network's 50,000 items never sit whole in
 * a worker). The rules that make each row are in sql/logic/open_data.sql. */
#include <apr_strings.h>
#include <http_core.h>
#include "tl_pages.h"
#include "tl_csv.h"

#define TL_OPEN_LICENCE_URL "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"

/* Every file names its licence in a Link header too, for programs. */
static void tl_open_licence(tl_req *q)
{
    apr_table_setn(q->r->headers_out, "Link", "<" TL_OPEN_LICENCE_URL ">; rel=\"license\"");
}

int tl_page_open_data(tl_req *q)
{
    int status = OK;
    const tl_db_read reads[] = {
        { "counts", "SELECT (SELECT count(*) FROM tl.open_data_equipment) AS equipment, "
                    "       (SELECT count(*) FROM tl.place WHERE latitude IS NOT NULL AND longitude IS NOT NULL) "
                    "           AS mapped, "
                    "       (SELECT count(*) FROM tl.place) AS places, "
                    "       (SELECT count(*) FROM tl.item WHERE retired_at IS NULL) AS items", 0, NULL },
        { "missing", "SELECT slug, name, missing FROM tl.open_data_missing ORDER BY name, slug", 0, NULL },
    };

    if (!tl_db_views(q, reads, 2, &status)) {
        return tl_page_failed(q, status);
    }
    tl_view_set(q->view, "licence_url", TL_OPEN_LICENCE_URL);
    return tl_render_page(q, "donnees-ouvertes", "Données ouvertes");
}

/* The places as the national « équipements » schema (scdl/equipements
 * 0.1.5) publishes them: its header, its columns in its order. */
int tl_page_open_equipment(tl_req *q)
{
    static const char *const labels[] = {
        "COLL_NOM", "COLL_SIRET", "EQUIP_UID", "EQUIP_THEME", "EQUIP_CODE", "EQUIP_TYPE", "EQUIP_NOM", "ADR_NUMERO",
        "ADR_NOMVOIE", "ADR_CODEPOSTAL", "ADR_COMMUNE", "ADR_CLE_INTEROP", "ERP_ID", "ERP_TYPE", "ERP_CATEGORIE",
        "EQUIP_LAT", "EQUIP_LONG", "EQUIP_OUVERTURE", "EQUIP_TEL", "EQUIP_EMAIL", "EQUIP_WEB", NULL
    };
    static const char *const cols[] = {
        "coll_nom", "coll_siret", "equip_uid", "equip_theme", "equip_code", "equip_type", "equip_nom", "adr_numero",
        "adr_nomvoie", "adr_codepostal", "adr_commune", "adr_cle_interop", "erp_id", "erp_type", "erp_categorie",
        "equip_lat", "equip_long", "equip_ouverture", "equip_tel", "equip_email", "equip_web", NULL
    };
    int status = OK;
    const tl_rows *rows;
    tl_buf out;

    if (!(rows = tl_db_query(q, "SELECT * FROM tl.open_data_equipment ORDER BY equip_uid", 0, NULL, &status))) {
        return tl_page_failed(q, status);
    }
    tl_buf_init(&out, q->r->pool, 8192);
    tl_csv_data_rows(&out, rows, cols, labels, ',');
    tl_open_licence(q);
    return tl_send_download(q, "text/csv; charset=utf-8", "equipements.csv", out.data, out.len);
}

/* The places as GeoJSON (RFC 7946), built by the database. */
int tl_page_open_places(tl_req *q)
{
    int status = OK;
    const char *base = ap_construct_url(q->r->pool, q->base, q->r);
    const tl_rows *rows;
    size_t len;
    const char *json;

    if (!(rows = tl_db_query(q, "SELECT tl.places_geojson($1)", 1, &base, &status))) {
        return tl_page_failed(q, status);
    }
    json = rows->value(rows, 0, 0, &len);
    tl_open_licence(q);
    return tl_send_download(q, "application/geo+json", "lieux.geojson", json, len);
}

/* The catalogue as CSV, one item a row, written as the rows come. */
typedef struct {
    tl_stream stream;
    const char *items;              /* the items' pages: ".../outils/" */
} tl_open_items_export;

static int tl_open_items_row(void *ctx, const tl_rows *rows, int i)
{
    tl_open_items_export *x = ctx;
    tl_buf *out = &x->stream.buf;
    size_t len;
    int c, n = 9;

    for (c = 0; c < n; c++) {
        const char *v = rows->value(rows, i, c, &len);
        if (c) {
            tl_buf_addc(out, ',');
        }
        if (v) {
            tl_csv_data_field(out, v, len, ',');
        }
    }
    tl_buf_addc(out, ',');
    tl_buf_adds(out, x->items);
    tl_buf_adds(out, rows->value(rows, i, 0, &len));
    tl_buf_add(out, "\r\n", 2);
    return tl_stream_flush(&x->stream);
}

int tl_page_open_items(tl_req *q)
{
    int status = OK;
    tl_open_items_export *x = apr_pcalloc(q->r->pool, sizeof(*x));

    x->items = ap_construct_url(q->r->pool, apr_pstrcat(q->r->pool, q->base, "/outils/", NULL), q->r);
    tl_open_licence(q);
    tl_stream_open(&x->stream, q, "text/csv; charset=utf-8", "outils.csv");
    tl_buf_adds(&x->stream.buf, "identifiant,code,titre,marque,categorie,lieu,lieu_identifiant,commune,ajoute_le,"
                                "page\r\n");
    if (!q->r->header_only
        && tl_db_each(q, "SELECT i.id, i.code, i.title, i.brand, c.name, p.name, p.slug, p.locality, "
                         "       to_char(i.created_at AT TIME ZONE p.time_zone, 'YYYY-MM-DD') "
                         "  FROM tl.item i JOIN tl.category c ON c.id = i.category_id "
                         "  JOIN tl.place p ON p.id = i.place_id "
                         " WHERE i.retired_at IS NULL ORDER BY i.id", 0, NULL, &status, tl_open_items_row, x) < 0) {
        return tl_stream_close(&x->stream, status);
    }
    return tl_stream_close(&x->stream, OK);
}
