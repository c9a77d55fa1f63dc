/* The ressourcerie's till (caisse): a sale rings up stock items by their
 * number and weighed lots by their category's letter, paid in one way;
 * its receipt to print; the day's totals by payment kind and the daily
 * closing. A tally for associations not liable to VAT, not a certified
 * cash register: sales are only ever added (sql/logic/ressourcerie.sql). */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_valid.h"
#include "tl_buf.h"

#define TL_TILL_FORM "caisse"
#define TL_TILL_LINES 6
#define TL_TILL_MAX_LINES 30

/* A sale at its largest: its token, place and payment kind, and three
 * fields a line (guichet-ressourcerie-caisse.html), each short (maxlength
 * 16 and 10). */
static const tl_form_limits tl_till_limits = {
    3 + 3 * TL_TILL_MAX_LINES, TL_FORM_MAX_FIELD, TL_FORM_MAX_BODY
};

static const char *const tl_till_cols[] = { "n", "article", "poids", "montant", "err", "invalid", "first", NULL };

/* The till's page: the sale form (lines as posted, or empty ones), the
 * day's sales and totals. */
static int tl_till_show(tl_req *q, const char *wanted, tl_rows *lines, int http_status)
{
    int status = OK, i;
    const char *place = tl_desk_place(q, wanted, &status), *closed;
    const tl_rows *totals;
    size_t len;

    if (!place) {
        return status;
    }
    if (!lines) {
        long n = TL_TILL_LINES;
        const char *v = tl_query_get(&q->query, "lignes");
        if (v && tl_valid_int(q->r->pool, "lignes", v, 1, TL_TILL_MAX_LINES, &n)) {
            n = TL_TILL_LINES;
        }
        lines = tl_rows_make(q->r->pool, tl_till_cols);
        for (i = 1; i <= n; i++) {
            tl_rows_add(lines, (const char *const[]){ apr_itoa(q->r->pool, i), "", "", "", NULL, NULL,
                                                      i == 1 ? "t" : NULL });
        }
    }
    tl_view_rows(q->view, "lines", lines);
    {
        const char *params[] = { q->r->user, place };
        const tl_db_read reads[] = {
            { "sales", "SELECT * FROM tl.till_day($1, $2, (now() AT TIME ZONE "
                       "(SELECT time_zone FROM tl.place WHERE slug = $2))::date)", 2, params },
            { "totals", "SELECT * FROM tl.till_totals($1, $2, (now() AT TIME ZONE "
                        "(SELECT time_zone FROM tl.place WHERE slug = $2))::date)", 2, params },
            { "categories", "SELECT key, label FROM tl.reuse_category ORDER BY rank", 0, NULL },
        };
        if (!tl_db_views(q, reads, 3, &status)) {
            return tl_page_failed(q, status);
        }
        totals = tl_view_rows_get(q->view, "totals");
        /* Every row carries the closing, NULL while the day is open. */
        if (totals->count(totals) && (closed = totals->value(totals, 0, totals->column(totals, "closed_at"), &len))) {
            tl_view_set(q->view, "closed_at", closed);
            tl_view_set(q->view, "closed_by", totals->value(totals, 0, totals->column(totals, "closed_by"), &len));
        }
    }
    tl_view_set(q->view, "more_lines", apr_itoa(q->r->pool, lines->count(lines) + TL_TILL_LINES > TL_TILL_MAX_LINES
                                                            ? TL_TILL_MAX_LINES
                                                            : lines->count(lines) + TL_TILL_LINES));
    tl_form_token(q, TL_TILL_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "guichet-ressourcerie-caisse", "Caisse de la ressourcerie — guichet");
}

int tl_page_desk_reuse_till(tl_req *q)
{
    /* Most sales are paid in cash. */
    tl_view_set(q->view, "pay_especes", "t");
    if (tl_query_get(&q->query, "close")) {
        tl_view_set(q->view, "done_close", "t");
    }
    return tl_till_show(q, tl_query_get(&q->query, "lieu"), NULL, HTTP_OK);
}

/* True when v is one category letter (a weighed lot), not an item number. */
static int tl_till_is_lot(const char *v)
{
    return ((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')) && v[1] == '\0'
           && v[0] != 'r' && v[0] != 'R';
}

/* A sale: paiement, then lines article_N (an item's number, or a
 * category's letter for a weighed lot), poids_N (lots) and montant_N (a
 * lot's amount; for an item, what was paid when not its price). */
int tl_page_desk_reuse_sell(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *payment;
    tl_rows *lines = tl_rows_make(p, tl_till_cols);
    tl_buf items, item_amounts, lots, lot_weights, lot_amounts;
    int rc, status = OK, i, kind = -1, n_items = 0, n_lots = 0, bad = 0;
    const tl_rows *rows;
    size_t len;

    if (!tl_form_read_within(q, TL_TILL_FORM, &tl_till_limits, &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    if (!place || tl_valid_slug(p, "lieu", place, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu.");
    }
    payment = tl_field(f, "paiement");
    tl_view_set(q->view, apr_pstrcat(p, "pay_", payment && strlen(payment) < 20 ? payment : "", NULL), "t");
    if (tl_field_choice(p, f, "paiement", "paiement", tl_choices_payment, &kind)) {
        tl_form_error(q, "paiement", "Choisissez le mode de paiement.");
    }
    tl_buf_init(&items, p, 64);
    tl_buf_init(&item_amounts, p, 64);
    tl_buf_init(&lots, p, 64);
    tl_buf_init(&lot_weights, p, 64);
    tl_buf_init(&lot_amounts, p, 64);
    for (i = 1; i <= TL_TILL_MAX_LINES; i++) {
        const char *article = tl_field(f, apr_psprintf(p, "article_%d", i));
        const char *weight = tl_field(f, apr_psprintf(p, "poids_%d", i));
        const char *amount = tl_field(f, apr_psprintf(p, "montant_%d", i));
        const char *w = NULL, *a = NULL, *err = NULL;

        /* A line the page did not show (beyond its first ones) is not sent at all. */
        if (!*article && !*weight && !*amount) {
            if (i > TL_TILL_LINES) {
                break;
            }
            continue;
        }
        if (article) {
            /* A scanned or typed number may carry spaces: "R 00012". */
            char *a2 = apr_pstrdup(p, article);
            apr_collapse_spaces(a2, article);
            article = a2;
        }
        else {
            article = "";
        }
        weight = weight ? weight : "";
        amount = amount ? amount : "";
        if (*amount && tl_valid_amount(p, "montant", amount, 100000, &a)) {
            err = "Le montant s'écrit en euros, par exemple 12,50.";
        }
        else if (!*article) {
            if (*weight || *amount) {
                err = "Tapez le numéro de l'objet, ou la lettre de la catégorie d'un lot pesé.";
            }
        }
        else if (tl_till_is_lot(article)) {
            if (!*weight || tl_valid_decimal(p, "poids", weight, 100000, 3, &w)) {
                err = "Un lot se pèse : indiquez son poids en kilos, par exemple 2,4.";
            }
            else if (!*amount && kind != 4) {
                err = "Indiquez le montant du lot (0 pour un don).";
            }
            else {
                tl_buf_addc(&lots, n_lots ? ',' : '{');
                tl_buf_adds(&lots, article);
                tl_buf_addc(&lot_weights, n_lots ? ',' : '{');
                tl_buf_adds(&lot_weights, w);
                tl_buf_addc(&lot_amounts, n_lots++ ? ',' : '{');
                tl_buf_adds(&lot_amounts, a ? a : "NULL");
            }
        }
        else if (!tl_reuse_item_code(article)) {
            err = "Un numéro d'objet s'écrit R00012 (ou 12) ; un lot pesé, par la lettre de sa catégorie.";
        }
        else {
            tl_buf_addc(&items, n_items ? ',' : '{');
            tl_buf_adds(&items, article);
            tl_buf_addc(&item_amounts, n_items++ ? ',' : '{');
            tl_buf_adds(&item_amounts, a ? a : "NULL");
        }
        bad |= err != NULL;
        tl_rows_add(lines, (const char *const[]){ apr_itoa(p, i), article, weight, amount, err,
                                                  err ? "true" : NULL, i == 1 ? "t" : NULL });
    }
    for (i = lines->count(lines) + 1; lines->count(lines) < TL_TILL_LINES; i++) {
        tl_rows_add(lines, (const char *const[]){ apr_itoa(p, i), "", "", "", NULL, NULL, NULL });
    }
    if (bad) {
        tl_form_error(q, "lignes", "Une ligne n'est pas lisible : voyez le message sous elle.");
    }
    else if (n_items + n_lots == 0) {
        tl_form_error(q, "lignes", "La vente est vide : tapez le numéro d'un objet ou la lettre d'un lot pesé.");
    }
    if (!tl_view_get(q->view, "errors")) {
        static const tl_change_rule map[] = { { "reuse_sale_payment_known", "paiement" }, { NULL, NULL } };
        const char *params[] = { q->r->user, place, payment,
                                 n_items ? apr_pstrcat(p, tl_buf_cstr(&items), "}", NULL) : "{}",
                                 n_items ? apr_pstrcat(p, tl_buf_cstr(&item_amounts), "}", NULL) : "{}",
                                 n_lots ? apr_pstrcat(p, tl_buf_cstr(&lots), "}", NULL) : "{}",
                                 n_lots ? apr_pstrcat(p, tl_buf_cstr(&lot_weights), "}", NULL) : "{}",
                                 n_lots ? apr_pstrcat(p, tl_buf_cstr(&lot_amounts), "}", NULL) : "{}" };
        rc = tl_change(q, "SELECT tl.sell($1, $2, $3, $4::text[], $5::numeric[], $6::text[], $7::numeric[], "
                          "$8::numeric[])", 8, params, map, "lignes", &status, &rows);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, apr_pstrcat(p, "/guichet/ressourcerie/ticket?n=", rows->value(rows, 0, 0, &len),
                                               NULL));
        }
    }
    return tl_till_show(q, place, lines, HTTP_UNPROCESSABLE_ENTITY);
}

/* A receipt, to print or show, with the form that cancels its sale. */
static int tl_till_receipt_show(tl_req *q, const char *sale, int http_status)
{
    static const char *const head[] = { "number", "place", "place_slug", "address", "at", "payment", "total",
                                         "cancels_number", "cancelled_by_number", "cancelled_by_id", "cancelled_at",
                                         "reason", NULL };
    const tl_rows *rows;
    int status = OK, i;
    size_t len;

    if (!(rows = tl_admin_view(q, "sale", "SELECT * FROM tl.desk_sale($1, $2::bigint)", 2,
                               (const char *const[]){ q->r->user, sale }, &status))) {
        return status;
    }
    /* The receipt's head: every line carries it. */
    for (i = 0; head[i]; i++) {
        tl_view_set(q->view, head[i], rows->value(rows, 0, rows->column(rows, head[i]), &len));
    }
    tl_view_set(q->view, "sale_id", sale);
    if (!tl_view_get(q->view, "cancels_number") && !tl_view_get(q->view, "cancelled_by_number")) {
        tl_view_set(q->view, "can_cancel", "t");
    }
    tl_form_token(q, TL_TILL_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "guichet-ressourcerie-ticket", "Ticket de caisse — ressourcerie");
}

int tl_page_desk_reuse_receipt(tl_req *q)
{
    const char *sale = tl_query_get(&q->query, "n");
    long n;

    if (tl_valid_int(q->r->pool, "vente", sale, 1, 9223372036854775807L, &n)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce numéro de vente n'est pas lisible.");
    }
    return tl_till_receipt_show(q, sale, HTTP_OK);
}

/* A sale cancelled (vente, raison): a new receipt that gives the money
 * back, and its items on sale again. */
int tl_page_desk_reuse_cancel(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *sale, *params[3];
    const tl_rows *rows;
    int rc, status = OK;
    size_t len;
    long n;

    if (!tl_form_read(q, TL_TILL_FORM, &f, &rc)) {
        return rc;
    }
    sale = tl_field(f, "vente");
    if (tl_valid_int(p, "vente", sale, 1, 9223372036854775807L, &n)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de vente.");
    }
    tl_form_keep(q, f, NULL, (const char *const[]){ "raison", NULL });
    params[0] = q->r->user;
    params[1] = sale;
    params[2] = tl_admin_text(q, f, "raison", "raison", 300);
    rc = 0;
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.cancel_sale($1, $2::bigint, $3)", 3, params, NULL, "raison", &status,
                       &rows);
    }
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, apr_pstrcat(p, "/guichet/ressourcerie/ticket?n=", rows->value(rows, 0, 0, &len),
                                           NULL));
    }
    return tl_till_receipt_show(q, sale, HTTP_UNPROCESSABLE_ENTITY);
}

/* The day's closing: its totals written once; no sale after it that day. */
int tl_page_desk_reuse_close(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place;
    int rc, status = OK;

    if (!tl_form_read(q, TL_TILL_FORM, &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    if (!place || tl_valid_slug(p, "lieu", place, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu.");
    }
    rc = tl_change(q, "SELECT tl.close_till($1, $2, (now() AT TIME ZONE "
                      "(SELECT time_zone FROM tl.place WHERE slug = $2))::date)", 2,
                   (const char *const[]){ q->r->user, place }, NULL, "cloture", &status, NULL);
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(p, "/guichet/ressourcerie/caisse",
                                            (const char *const[]){ "lieu", place, "close", "1", NULL }));
    }
    return tl_till_show(q, place, NULL, HTTP_UNPROCESSABLE_ENTITY);
}
