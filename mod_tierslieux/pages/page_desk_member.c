/* A member's file at the desk, reached by scanning the card: loans out and
 * returned, renewals, and the CNIL rights (export in JSON or CSV, erasure).
 * Every read is recorded by the database; member numbers travel in POSTed
 * forms only. */
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"
#include "tl_date.h"
#include "tl_csv.h"

static int tl_member_search(tl_req *q, int status)
{
    tl_form_token(q, "fiche");
    q->r->status = status;
    return tl_render_page(q, "guichet-adherent", "Fiche adhérent — guichet");
}

int tl_page_desk_member(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && (strcmp(done, "prolongation") == 0 || strcmp(done, "effacement") == 0
                 || strcmp(done, "reservation") == 0 || strcmp(done, "annulation") == 0
                 || strcmp(done, "caution") == 0 || strcmp(done, "attente") == 0
                 || strcmp(done, "cotisation") == 0 || strcmp(done, "identifiant") == 0)) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_member_search(q, HTTP_OK);
}

/* Reads the card number of a POSTed "fiche" form; 0 and *done when a
 * response was sent, or when the number is missing (the search page
 * again, 422). */
static int tl_member_number(tl_req *q, apr_table_t **f, const char **number, int *done)
{
    if (!tl_form_read(q, "fiche", f, done)) {
        return 0;
    }
    *number = tl_field(*f, "numero");
    if (!*number || !**number || tl_valid_text(q->r->pool, "numéro", *number, 32)) {
        tl_form_error(q, "numero", "Saisissez ou scannez le numéro de la carte d'adhérent.");
        *done = tl_member_search(q, HTTP_UNPROCESSABLE_ENTITY);
        return 0;
    }
    tl_form_keep(q, *f, NULL, (const char *const[]){ "numero", NULL });
    return 1;
}

/* A refusal about the member (unknown number): under the number, on the
 * search page (tl_member_search); no role at their place: the status page. */
static const tl_change_rule tl_member_rules[] = {
    { TL_CHANGE_FORBIDDEN, NULL, "" },
    { NULL, "numero" }
};

/* A refusal that is not about a field of the file: a page with the
 * database's message (the status page for no role). */
static const tl_change_rule tl_member_page_rules[] = {
    { TL_CHANGE_FORBIDDEN, NULL, "" },
    { NULL, NULL, NULL }
};

static const char tl_other_place[] = "Cet objet appartient à un lieu dont vous ne tenez pas le guichet.";

/* What tl_change answered about the member: the page sent (rc < 0) or the
 * search page with the message under the number. */
static int tl_member_refused(tl_req *q, int rc, int status)
{
    return rc < 0 ? status : tl_member_search(q, HTTP_UNPROCESSABLE_ENTITY);
}

/* Renders the member's file: at 200, or at 422 with a message a form of
 * the file set next to its field. */
static int tl_member_file_show(tl_req *q, const char *number, int http_status)
{
    int status = OK, rc;
    const char *params[] = { q->r->user, number };
    const tl_rows *loans = NULL;
    /* Once the number and the role are checked (the loans' read records
     * it), the rest of the file in one round trip. */
    const tl_db_read reads[] = {
        { "reservations", "SELECT * FROM tl.desk_member_reservations($1, $2)", 2, params },
        { "deposits", "SELECT * FROM tl.desk_member_deposits($1, $2)", 2, params },
        { "waiting", "SELECT * FROM tl.desk_member_waiting($1, $2)", 2, params },
        /* A reservation may be collected at one of the volunteer's places
         * (the item travels there, sql/schema/006). */
        { "pickups", "SELECT place_slug AS slug, place_name AS name FROM tl.account_roles($1) ORDER BY place_name",
          1, params },
        { "member", "SELECT member_number, given_name || ' ' || family_name AS name, email, phone, "
                    "birth_year, tl.date_fr(created_at::date) AS since, tl.euros(fee_amount) AS fee, "
                    "tl.date_fr(fee_paid_on) AS fee_paid_on, site_login FROM tl.desk_member($1, $2)", 2, params },
    };

    if ((rc = tl_change(q, "SELECT * FROM tl.desk_member_loans($1, $2)", 2, params, tl_member_rules, NULL, &status,
                        &loans)) != 1) {
        return tl_member_refused(q, rc, status);
    }
    tl_view_rows(q->view, "loans", loans);
    if (!tl_db_views(q, reads, sizeof(reads) / sizeof(reads[0]), &status)) {
        return tl_page_failed(q, status);
    }
    tl_form_token(q, "fiche");
    q->r->status = http_status;
    return tl_render_page(q, "guichet-fiche", "Fiche adhérent — guichet");
}

/* A mistake in one of the file's forms: the file again, the message under
 * the field, nothing changed. */
static int tl_member_file_error(tl_req *q, const char *number, const char *field, const char *message)
{
    tl_form_error(q, field, message);
    return tl_member_file_show(q, number, HTTP_UNPROCESSABLE_ENTITY);
}

int tl_page_desk_member_file(tl_req *q)
{
    apr_table_t *f;
    const char *number;
    int rc;

    if (!tl_member_number(q, &f, &number, &rc)) {
        return rc;
    }
    return tl_member_file_show(q, number, HTTP_OK);
}

int tl_page_desk_member_renew(tl_req *q)
{
    apr_table_t *f;
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_other_place },
        { NULL, NULL, "Prolongation refusée : %s." }
    };
    const char *number, *booking, *user = q->r->user;
    const tl_rows *loans = NULL;
    int rc, status = OK, i, n;
    size_t len;
    long id;

    if (!tl_member_number(q, &f, &number, &rc)) {
        return rc;
    }
    booking = tl_field(f, "pret");
    if (tl_valid_int(q->r->pool, "prêt", booking, 1, 9223372036854775807L, &id)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de prêt.");
    }
    {
        const char *params[] = { user, number };
        if ((rc = tl_change(q, "SELECT * FROM tl.desk_member_loans($1, $2)", 2, params, tl_member_rules, NULL,
                            &status, &loans)) != 1) {
            return tl_member_refused(q, rc, status);
        }
    }
    n = loans->count(loans);
    for (i = 0; i < n; i++) {
        if (strcmp(loans->value(loans, i, loans->column(loans, "booking_id"), &len), booking) == 0) {
            break;
        }
    }
    if (i == n) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce prêt n'est pas celui de cet adhérent.");
    }
    {
        /* The database computes the new due date (tl.extend_loan). */
        const char *params[] = { user, booking };
        if (tl_change(q, "SELECT tl.renew($1, $2::bigint)", 2, params, rules, NULL, &status, NULL) != 1) {
            return status;
        }
    }
    return tl_form_done(q, "/guichet/adherent?fait=prolongation");
}

int tl_page_desk_member_export(tl_req *q)
{
    apr_table_t *f;
    const char *number, *format;
    const tl_rows *rows = NULL;
    int rc, status = OK;
    size_t len;

    if (!tl_member_number(q, &f, &number, &rc)) {
        return rc;
    }
    format = tl_field(f, "format");
    if (format && strcmp(format, "csv") == 0) {
        static const char *const cols[] = { "item_code", "item_title", "started", "due_on", "returned", NULL };
        static const char *const labels[] = { "Objet", "Titre", "Emprunté le", "À rendre le", "Rendu le", NULL };
        const char *params[] = { q->r->user, number };
        tl_buf out;
        if ((rc = tl_change(q, "SELECT * FROM tl.desk_member_loans($1, $2)", 2, params, tl_member_rules, NULL,
                            &status, &rows)) != 1
            || (rc = tl_change(q, "SELECT tl.desk_member($1, $2, 'export')", 2, params, tl_member_rules, NULL,
                               &status, NULL)) != 1) {
            return tl_member_refused(q, rc, status);
        }
        tl_buf_init(&out, q->r->pool, 2048);
        tl_buf_adds(&out, "\xEF\xBB\xBF");
        tl_csv_rows(&out, rows, cols, labels, ';');
        return tl_send_download(q, "text/csv; charset=utf-8", "mes-prets.csv", out.data, out.len);
    }
    {
        const char *params[] = { q->r->user, number };
        if ((rc = tl_change(q, "SELECT tl.member_export($1, $2)::text", 2, params, tl_member_rules, NULL, &status,
                            &rows)) != 1) {
            return tl_member_refused(q, rc, status);
        }
    }
    {
        const char *json = rows->value(rows, 0, 0, &len);
        return tl_send_download(q, "application/json; charset=utf-8", "mes-donnees.json", json, len);
    }
}

int tl_page_desk_member_erase(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { "member_erase_items_out", NULL, "Effacement impossible pour l'instant : %s." },
        { TL_CHANGE_FORBIDDEN, NULL, "" },
        { NULL, "numero" }
    };
    apr_table_t *f;
    const char *number, *sure;
    int rc, status = OK;

    if (!tl_member_number(q, &f, &number, &rc)) {
        return rc;
    }
    sure = tl_field(f, "confirmation");
    if (!sure || strcmp(sure, "1") != 0) {
        return tl_render_error(q, HTTP_UNPROCESSABLE_ENTITY, "Cochez la case de confirmation pour effacer les "
                               "données de cet adhérent. Rien n'a été effacé.");
    }
    {
        const char *params[] = { q->r->user, number };
        if ((rc = tl_change(q, "SELECT tl.erase_member($1, $2)", 2, params, rules, NULL, &status, NULL)) != 1) {
            return tl_member_refused(q, rc, status);
        }
    }
    return tl_form_done(q, "/guichet/adherent?fait=effacement");
}

/* A reservation for the member: an item, from one day to another. */
int tl_page_desk_member_reserve(tl_req *q)
{
    apr_table_t *f;
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_other_place },
        { NULL, "reserver", "Réservation impossible : %s. Rien n'a été réservé." }
    };
    /* Collected at a place of the volunteer's choosing, a refused right is
     * about that place. */
    static const tl_change_rule rules_at[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "Vous ne tenez pas le guichet du lieu de retrait choisi : rien n'a été "
                                     "réservé." },
        { NULL, "reserver", "Réservation impossible : %s. Rien n'a été réservé." }
    };
    const char *number, *item, *from, *to, *pickup;
    int rc, status = OK;
    long d;

    if (!tl_member_number(q, &f, &number, &rc)) {
        return rc;
    }
    item = tl_field(f, "objet");
    from = tl_field(f, "du");
    to = tl_field(f, "au");
    pickup = tl_field(f, "retrait");
    if (*pickup && tl_valid_text(q->r->pool, "lieu", pickup, 64)) {
        return tl_member_file_error(q, number, "reserver", "Choisissez dans la liste le lieu où l'objet sera "
                                    "retiré. Rien n'a été réservé.");
    }
    if (!item || !*item || tl_valid_text(q->r->pool, "objet", item, 64) || !from || tl_date_parse(from, &d) != 0
        || !to || tl_date_parse(to, &d) != 0) {
        return tl_member_file_error(q, number, "reserver", "Indiquez le numéro de l'objet et les deux dates de la "
                                    "réservation. Rien n'a été réservé.");
    }
    {
        /* At the item's own place, or collected at the one chosen. */
        const char *params[] = { q->r->user, number, item, from, to, pickup };
        if ((rc = tl_change(q, *pickup ? "SELECT tl.reserve_at($1, $2, $3, $4::date, $5::date, $6)"
                                       : "SELECT tl.reserve($1, $2, $3, $4::date, $5::date)",
                            *pickup ? 6 : 5, params, *pickup ? rules_at : rules, NULL, &status, NULL)) != 1) {
            return rc < 0 ? status : tl_member_file_show(q, number, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, "/guichet/adherent?fait=reservation");
}

int tl_page_desk_member_cancel(tl_req *q)
{
    apr_table_t *f;
    const char *number, *booking;
    int rc, status = OK;
    long id;

    if (!tl_member_number(q, &f, &number, &rc)) {
        return rc;
    }
    booking = tl_field(f, "reservation");
    if (tl_valid_int(q->r->pool, "réservation", booking, 1, 9223372036854775807L, &id)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de réservation.");
    }
    {
        const char *params[] = { q->r->user, booking };
        if (tl_change(q, "SELECT tl.cancel_reservation($1, $2::bigint)", 2, params, tl_member_page_rules, NULL,
                      &status, NULL) != 1) {
            return status;
        }
    }
    return tl_form_done(q, "/guichet/adherent?fait=annulation");
}

/* A deposit left by the member (montant given), or given back (caution
 * given): recorded only. */
int tl_page_desk_member_deposit(tl_req *q)
{
    apr_table_t *f;
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "" },
        { NULL, "caution", "%S Rien n'a été enregistré." }
    };
    const char *number, *amount, *kind, *deposit;
    int rc, status = OK;
    long id;

    if (!tl_member_number(q, &f, &number, &rc)) {
        return rc;
    }
    amount = tl_field(f, "montant");
    kind = tl_field(f, "nature");
    deposit = tl_field(f, "caution");
    if (tl_field_sent(f, "caution")) {
        if (tl_valid_int(q->r->pool, "caution", deposit, 1, 9223372036854775807L, &id)) {
            return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de caution.");
        }
        {
            const char *params[] = { q->r->user, number, deposit };
            if (tl_change(q, "SELECT tl.return_deposit($1, $2, $3::bigint)", 3, params, tl_member_page_rules, NULL,
                          &status, NULL) != 1) {
                return status;
            }
        }
        return tl_form_done(q, "/guichet/adherent?fait=caution");
    }
    if (!*amount || !*kind || tl_valid_text(q->r->pool, "montant", amount, 12)) {
        return tl_member_file_error(q, number, "caution", "Indiquez le montant et la nature de la caution. "
                                    "Rien n'a été enregistré.");
    }
    {
        const char *a = NULL;
        const char *params[4];
        if (tl_valid_amount(q->r->pool, "montant", amount, 10000, &a)) {
            return tl_member_file_error(q, number, "caution", "Le montant s'écrit en chiffres, par exemple 50 ou "
                                        "12,50. Rien n'a été enregistré.");
        }
        params[0] = q->r->user;
        params[1] = number;
        params[2] = a;
        params[3] = kind;
        if ((rc = tl_change(q, "SELECT tl.record_deposit($1, $2, $3::numeric, $4)", 4, params, rules, NULL, &status,
                            NULL)) != 1) {
            return rc < 0 ? status : tl_member_file_show(q, number, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, "/guichet/adherent?fait=caution");
}

/* Joining the waiting list of an item that is out, or leaving one. */
int tl_page_desk_member_waiting(tl_req *q)
{
    apr_table_t *f;
    static const tl_change_rule join[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_other_place },
        { NULL, "attente", "%S Rien n'a été enregistré." }
    };
    const char *number, *item, *entry;
    int rc, status = OK;
    long id;

    if (!tl_member_number(q, &f, &number, &rc)) {
        return rc;
    }
    item = tl_field(f, "objet");
    entry = tl_field(f, "attente");
    if (tl_field_sent(f, "attente")) {
        const char *params[] = { q->r->user, entry };
        if (tl_valid_int(q->r->pool, "attente", entry, 1, 9223372036854775807L, &id)) {
            return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'attente.");
        }
        if (tl_change(q, "SELECT tl.leave_waiting_list($1, $2::bigint)", 2, params, tl_member_page_rules, NULL,
                      &status, NULL) != 1) {
            return status;
        }
        return tl_form_done(q, "/guichet/adherent?fait=attente");
    }
    if (!item || !*item || tl_valid_text(q->r->pool, "objet", item, 64)) {
        return tl_member_file_error(q, number, "attente", "Indiquez le numéro de l'objet attendu. Rien n'a été "
                                    "enregistré.");
    }
    {
        const char *params[] = { q->r->user, number, item };
        if ((rc = tl_change(q, "SELECT tl.join_waiting_list($1, $2, $3)", 3, params, join, NULL, &status, NULL))
            != 1) {
            return rc < 0 ? status : tl_member_file_show(q, number, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, "/guichet/adherent?fait=attente");
}

/* The membership fee paid today, where the place asks for one. */
int tl_page_desk_member_fee(tl_req *q)
{
    apr_table_t *f;
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "" },
        { NULL, "cotisation", "%S Rien n'a été enregistré." }
    };
    const char *number, *amount;
    int rc, status = OK;

    if (!tl_member_number(q, &f, &number, &rc)) {
        return rc;
    }
    amount = tl_field(f, "cotisation");
    if (tl_valid_amount(q->r->pool, "cotisation", amount, 10000, &amount)) {
        return tl_member_file_error(q, number, "cotisation", "Le montant s'écrit en chiffres, par exemple 10 ou "
                                    "7,50. Rien n'a été enregistré.");
    }
    {
        const char *params[] = { q->r->user, number, amount };
        if ((rc = tl_change(q, "SELECT tl.record_fee($1, $2, $3::numeric)", 3, params, rules, NULL, &status, NULL))
            != 1) {
            return rc < 0 ? status : tl_member_file_show(q, number, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, "/guichet/adherent?fait=cotisation");
}

/* The site's own login (LDAP, CAS…) that opens this member's account, where
 * the site logs its residents in itself (TiersLieuxMemberLogin site); empty
 * takes it away. */
int tl_page_desk_member_site_login(tl_req *q)
{
    apr_table_t *f;
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "" },
        { NULL, "identifiant_site", "%S Rien n'a été enregistré." }
    };
    const char *number, *login;
    int rc, status = OK;

    if (!tl_member_number(q, &f, &number, &rc)) {
        return rc;
    }
    login = tl_field(f, "identifiant_site");
    if (!login || tl_valid_text(q->r->pool, "identifiant du site", login, 128)) {
        return tl_member_file_error(q, number, "identifiant_site", "L'identifiant du site s'écrit sans espace, en "
                                    "128 caractères au plus. Rien n'a été enregistré.");
    }
    {
        const char *params[] = { q->r->user, number, login };
        if ((rc = tl_change(q, "SELECT tl.set_member_site_login($1, $2, $3)", 3, params, rules, NULL, &status,
                            NULL)) != 1) {
            return rc < 0 ? status : tl_member_file_show(q, number, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, "/guichet/adherent?fait=identifiant");
}
