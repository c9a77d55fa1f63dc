/* Transfers between places (sql/schema/006): a desk's list of what its
 * place must send and what travels to it, with a button to note that an
 * item left and one that it arrived. The rules (who may, in what order)
 * are tl.send_item and tl.receive_item's (sql/logic/lending.sql). */
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"

#define TL_TRANSIT_FORM "transit"

/* The volunteer's places, the one shown selected (the one asked for if it
 * is theirs, else the first). */
static const char tl_sql_places[] =
    "WITH r AS (SELECT place_slug, place_name FROM tl.account_roles($1)) "
    "SELECT place_slug AS slug, place_name AS name, "
    "       place_slug = coalesce((SELECT place_slug FROM r WHERE place_slug = $2), "
    "                             (SELECT place_slug FROM r ORDER BY place_name LIMIT 1)) AS selected "
    "  FROM r ORDER BY place_name";

/* The place asked for if it is one of the volunteer's, else the first;
 * NULL with *status set when the account holds no place. */
static const char *tl_transit_place(tl_req *q, const char *want, int *status)
{
    const char *params[] = { q->r->user, want ? want : "" };
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

/* The page: the place's transfers, both ways. */
static int tl_transit_show(tl_req *q, const char *want, int http_status)
{
    int status = OK;
    const char *place = tl_transit_place(q, want, &status);
    const char *params[2];
    const tl_db_read reads[] = {
        { "to_send", "SELECT * FROM tl.desk_transit($1, $2) WHERE direction = 'expedier'", 2, params },
        { "to_receive", "SELECT *, sent AS may_receive FROM tl.desk_transit($1, $2) WHERE direction = 'recevoir'",
          2, params },
    };

    if (!place) {
        return tl_page_failed(q, status);
    }
    params[0] = q->r->user;
    params[1] = place;
    if (!tl_db_views(q, reads, 2, &status)) {
        return tl_page_failed(q, status);
    }
    tl_view_set(q->view, "place", place);
    tl_form_token(q, TL_TRANSIT_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "guichet-transit", "Transferts entre lieux — guichet");
}

int tl_page_desk_transit(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");
    const char *want = tl_query_get(&q->query, "lieu");

    if (want && tl_valid_text(q->r->pool, "lieu", want, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce lieu n'existe pas.");
    }
    if (done && strcmp(done, "expedie") == 0) {
        tl_view_set(q->view, "done_sent", "t");
    }
    else if (done && strcmp(done, "recu") == 0) {
        tl_view_set(q->view, "done_received", "t");
    }
    return tl_transit_show(q, want, HTTP_OK);
}

/* A place's slug as the database allows it (lowercase letters, digits,
 * hyphens): safe to put back in a URL as it is. */
static int tl_transit_slug(const char *s)
{
    if (!s || !*s || strlen(s) > 64) {
        return 0;
    }
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-')) {
            return 0;
        }
    }
    return 1;
}

/* Both buttons: the movement's number and the place whose desk shows the
 * list; one SQL call; back to the list. */
static int tl_transit_post(tl_req *q, const char *sql, const char *done)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "Ce transfert concerne un lieu dont vous ne tenez pas le guichet : rien n'a "
                                     "été enregistré." },
        { NULL, "mouvement" }
    };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *movement, *place;
    long id = 0;
    int rc, status = OK;

    if (!tl_form_read(q, TL_TRANSIT_FORM, &f, &rc)) {
        return rc;
    }
    movement = tl_field(f, "mouvement");
    place = tl_field(f, "lieu");
    if (!tl_transit_slug(place)) {
        tl_form_error(q, "mouvement", "Ce formulaire ne dit pas de quel lieu il vient : rechargez la page des "
                                      "transferts.");
        return tl_transit_show(q, NULL, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (!movement || !*movement || tl_valid_int(p, "transfert", movement, 1, 9007199254740991L, &id)) {
        tl_form_error(q, "mouvement", "Ce formulaire ne désigne pas de transfert : choisissez-le dans la liste.");
        return tl_transit_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
    }
    {
        const char *params[] = { q->r->user, apr_ltoa(p, id) };
        if ((rc = tl_change(q, sql, 2, params, rules, NULL, &status, NULL)) != 1) {
            return rc < 0 ? status : tl_transit_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, apr_pstrcat(p, "/guichet/transit?fait=", done, "&lieu=", place, NULL));
}

int tl_page_desk_transit_send(tl_req *q)
{
    return tl_transit_post(q, "SELECT tl.send_item($1, $2::bigint)", "expedie");
}

int tl_page_desk_transit_receive(tl_req *q)
{
    return tl_transit_post(q, "SELECT tl.receive_item($1, $2::bigint)", "recu");
}
