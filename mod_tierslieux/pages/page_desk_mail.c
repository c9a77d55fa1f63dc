/* A référent's preview of the e-mails of their places (sql/logic/mail.sql): those
 * waiting and those sent lately, each with its whole text. The database
 * decides who may read them (tl.desk_mail refuses anyone who is référent
 * nowhere: a 403 here). */
#include "tl_pages.h"

int tl_page_desk_mail(tl_req *q)
{
    int status = OK;
    tl_db_refusal why;
    const char *user = q->r->user;
    const tl_rows *rows;

    if (!user) {                    /* the configuration forgot its Require line */
        return tl_render_error(q, HTTP_FORBIDDEN, NULL);
    }
    rows = tl_db_change(q, "SELECT * FROM tl.desk_mail($1)", 1, &user, &status, &why);
    if (!rows) {
        return status == HTTP_FORBIDDEN ? tl_render_error(q, status, NULL) : tl_page_failed(q, status);
    }
    tl_view_rows(q->view, "messages", rows);
    return tl_render_page(q, "guichet-courriels", "Courriels — guichet");
}
