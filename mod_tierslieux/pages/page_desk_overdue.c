/* The overdue list of a place: what is late, by how many days, and how to
 * reach the member; as a page and as CSV for a spreadsheet. */
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_change.h"
#include "tl_csv.h"

static const char tl_sql_places[] =
    "SELECT place_slug AS slug, place_name AS name, place_slug = $2 AS selected "
    "  FROM tl.account_roles($1) ORDER BY place_name";

/* The place asked for if it is one of the volunteer's, else the first. */
static const char *tl_overdue_place(tl_req *q, int *status)
{
    const char *user = q->r->user, *want = tl_query_get(&q->query, "lieu");
    const char *params[] = { user, want ? want : "" };
    const tl_rows *places = tl_db_view(q, "places", tl_sql_places, 2, params, status);
    size_t len;

    if (!places) {
        return NULL;
    }
    if (places->count(places) == 0) {
        *status = HTTP_FORBIDDEN;
        return NULL;
    }
    if (want && tl_rows_contains(places, "slug", want)) {
        return want;
    }
    return places->value(places, 0, places->column(places, "slug"), &len);
}

/* The overdue loans, or NULL with the status page sent (*status what the
 * page returns). */
static const tl_rows *tl_overdue_rows(tl_req *q, const char *place, int *status)
{
    const char *params[] = { q->r->user, place };
    const tl_rows *rows = NULL;

    if (tl_change(q, "SELECT * FROM tl.desk_overdue($1, $2)", 2, params, tl_change_status_page, NULL, status, &rows)
        != 1) {
        return NULL;
    }
    return rows;
}

int tl_page_desk_overdue(tl_req *q)
{
    int status = OK;
    const char *place = tl_overdue_place(q, &status);
    const tl_rows *rows;

    if (!place) {
        return tl_page_failed(q, status);
    }
    if (!(rows = tl_overdue_rows(q, place, &status))) {
        return status;
    }
    tl_view_rows(q->view, "overdue", rows);
    tl_view_set(q->view, "place", place);
    return tl_render_page(q, "guichet-retards", "Retards — guichet");
}

int tl_page_desk_overdue_csv(tl_req *q)
{
    static const char *const cols[] = {
        "item_code", "item_title", "due_on", "days_late", "member_number", "member_name", "email", "phone", NULL
    };
    static const char *const labels[] = {
        "Objet", "Titre", "À rendre le", "Jours de retard", "Adhérent", "Nom", "Courriel", "Téléphone", NULL
    };
    int status = OK;
    const char *place = tl_overdue_place(q, &status);
    const tl_rows *rows;
    tl_buf out;

    if (!place) {
        return tl_page_failed(q, status);
    }
    if (!(rows = tl_overdue_rows(q, place, &status))) {
        return status;
    }
    tl_buf_init(&out, q->r->pool, 4096);
    tl_buf_adds(&out, "\xEF\xBB\xBF");          /* the BOM tells spreadsheets it is UTF-8 */
    tl_csv_rows(&out, rows, cols, labels, ';');
    return tl_send_download(q, "text/csv; charset=utf-8", apr_pstrcat(q->r->pool, "retards-", place, ".csv", NULL),
                            out.data, out.len);
}
