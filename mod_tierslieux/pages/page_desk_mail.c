/* A référent's preview of the e-mails of their places (sql/logic/mail.sql): those
 * waiting and those sent lately, each with its whole text. The database
 * decides who may read them (tl.desk_mail refuses anyone who is référent
 * nowhere: a 403 here). */
#include "tl_pages.h"
#include "tl_change.h"

int tl_page_desk_mail(tl_req *q)
{
    int status = OK;
    const char *user = q->r->user;
    const tl_rows *rows = NULL;

    if (!user) {                    /* the configuration forgot its Require line */
        return tl_render_error(q, HTTP_FORBIDDEN, NULL);
    }
    if (tl_change(q, "SELECT * FROM tl.desk_mail($1)", 1, &user, tl_change_status_page, NULL, &status, &rows) != 1) {
        return status;
    }
    tl_view_rows(q->view, "messages", rows);
    return tl_render_page(q, "guichet-courriels", "Courriels — guichet");
}
