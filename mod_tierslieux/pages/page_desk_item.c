/* An item's file at the desk: its state and its maintenance log, sending it
 * to maintenance and bringing it back (with the electrical safety check).
 * Item numbers are public, so the file is a plain GET. */
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"

static const char tl_other_place[] = "Cet objet appartient à un lieu dont vous ne tenez pas le guichet.";

static int tl_item_show(tl_req *q, const char *number, int status)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_other_place },
        { NULL, "numero" }
    };
    int st = OK, rc;

    if (number && *number) {
        const char *params[] = { q->r->user, number };
        const tl_rows *item = NULL;
        if ((rc = tl_change(q, "SELECT * FROM tl.desk_item($1, $2)", 2, params, rules, NULL, &st, &item)) < 0) {
            return st;
        }
        if (rc == 0) {
            status = HTTP_UNPROCESSABLE_ENTITY;
        }
        else {
            /* The role checked, its log and waiting list in one round trip.
             * A kit's components are public (its catalogue page lists
             * them): read as there, not through the return's checklist,
             * which is the desk's where the kit is brought back. */
            size_t len;
            const char *id = item->value(item, 0, item->column(item, "id"), &len);
            const tl_db_read reads[] = {
                { "log", "SELECT * FROM tl.desk_maintenance_log($1, $2)", 2, params },
                { "waiting", "SELECT * FROM tl.desk_item_waiting($1, $2)", 2, params },
                { "components", "SELECT c.name AS component, c.quantity FROM tl.item_component c "
                                "WHERE c.item_id = $1 ORDER BY c.position, c.id", 1, &id },
                { "photos", "SELECT * FROM tl.item_photos_for($1, $2)", 2, params },
            };
            tl_view_rows(q->view, "item", item);
            if (!tl_db_views(q, reads, 4, &st)) {
                return tl_page_failed(q, st);
            }
        }
        tl_view_set(q->view, "f_numero", number);
    }
    tl_form_token(q, "maintenance");
    q->r->status = status;
    return tl_render_page(q, "guichet-objet", "Fiche objet — guichet");
}

int tl_page_desk_item_show(tl_req *q, const char *number, int status)
{
    return tl_item_show(q, number, status);
}

int tl_page_desk_item(tl_req *q)
{
    const char *number = tl_query_get(&q->query, "numero");
    const char *done = tl_query_get(&q->query, "fait");

    if (number && tl_valid_text(q->r->pool, "numéro", number, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce numéro d'objet n'est pas lisible.");
    }
    if (done && (strcmp(done, "debut") == 0 || strcmp(done, "fin") == 0)) {
        tl_view_set(q->view, done[0] == 'd' ? "done_start" : "done_end", "t");
    }
    if (done && strcmp(done, "photo") == 0) {
        tl_view_set(q->view, "done_photo", "t");
    }
    return tl_item_show(q, number, HTTP_OK);
}

int tl_page_desk_item_maintenance(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    /* A blank text belongs to its field; anything else (not in
     * maintenance, on loan, already in maintenance) is about the item. */
    static const tl_change_rule rules[] = {
        { "maintenance_reason_not_blank", "raison" },
        { "maintenance_work_not_blank", "travaux" },
        { TL_CHANGE_FORBIDDEN, NULL, tl_other_place },
        { NULL, "numero" }
    };
    apr_table_t *f;
    const char *number, *action, *text, *checked;
    int rc, status = OK, start;

    if (!tl_form_read(q, "maintenance", &f, &rc)) {
        return rc;
    }
    number = tl_field(f, "numero");
    action = tl_field(f, "action");
    text = tl_field(f, "texte");
    checked = tl_field(f, "controle");
    if (!*number || tl_valid_text(p, "numéro", number, 64)
        || tl_field_choice(p, f, "action", "action", tl_choices_maintenance, &start)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet ou d'action.");
    }
    start = start == 0;
    if (!text || !*text || tl_valid_text(p, "texte", text, 1000)) {
        tl_form_error(q, start ? "raison" : "travaux",
                      start ? "Indiquez ce qui ne va pas (1000 caractères au plus)."
                            : "Décrivez ce qui a été fait (1000 caractères au plus).");
        return tl_item_show(q, number, HTTP_UNPROCESSABLE_ENTITY);
    }
    {
        const char *params[] = { q->r->user, number, text, checked && strcmp(checked, "1") == 0 ? "true" : "false" };
        if ((rc = tl_change(q, start ? "SELECT tl.start_maintenance($1, $2, $3)"
                                     : "SELECT tl.end_maintenance($1, $2, $3, $4::boolean)",
                            start ? 3 : 4, params, rules, NULL, &status, NULL)) != 1) {
            return rc < 0 ? status : tl_item_show(q, number, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, tl_url_build(p, "/guichet/objet",
                                        (const char *const[]){ "numero", number, "fait", action, NULL }));
}
