/* The back office's home and journal. What its pages share is in
 * tl_admin_forms.c. */
#include "tl_admin_forms.h"

/* ---- pages ------------------------------------------------------------ */

int tl_page_admin(tl_req *q)
{
    int status = OK;

    if (!tl_admin_place(q, NULL, &status)) {
        return status;
    }
    return tl_render_page(q, "gestion", "Gestion des lieux");
}

int tl_page_admin_journal(tl_req *q)
{
    int status = OK;
    const char *place = tl_admin_place(q, tl_query_get(&q->query, "lieu"), &status);
    const char *params[] = { q->r->user, place, "200" };

    if (!place) {
        return status;
    }
    if (!tl_admin_view(q, "journal", "SELECT * FROM tl.admin_journal($1, $2, $3::integer)", 3, params, &status)) {
        return status;
    }
    return tl_render_page(q, "gestion-journal", "Journal des changements — gestion");
}
