/* "Mon compte": a member's own pages. httpd logs the member in (the
 * "tierslieux-adherent" authn provider, or the site's own login mapped to
 * a member) and REMOTE_USER is all the database is given: every function
 * called here finds the member from it and reads or changes only that
 * member's rows, never an id a form could choose. Also the page where a
 * one-time password link is used, reached without logging in (the link is
 * made at the desk: page_desk_member_link.c). */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include "tl_pages.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_session.h"
#include "tl_valid.h"
#include "tl_date.h"
#include "tl_csv.h"
#include "tl_token.h"
#include "tl_library.h"

#define TL_ACCOUNT_FORM "compte"
#define TL_PASSWORD_FORM "mot-de-passe"

/* Who the database is asked about: the member number httpd's login
 * checked, or, with TiersLieuxMemberLogin site, "@" and the site's login
 * (looked up among the logins mapped at the desk, never as a number), or
 * with TiersLieuxLibraryAuth, "#", the place and the library card. */
const char *tl_account_user(tl_req *q)
{
    if (!q->r->user) {
        return NULL;
    }
    if (tl_library_configured(q->dc)) {
        /* The card the library system accepted (tl_auth.c, tl.card_login). */
        const char *card = tl_library_card(q->r->pool, q->r->user), *place = tl_conf_library_place(q->dc);
        return card && place ? apr_pstrcat(q->r->pool, "#", place, ":", card, NULL) : NULL;
    }
    return tl_conf_member_site_login(q->dc) ? apr_pstrcat(q->r->pool, "@", q->r->user, NULL) : q->r->user;
}

const char tl_gone_member[] =
    "Ce compte ne correspond à aucun adhérent (ses données ont peut-être été effacées). "
    "Adressez-vous au guichet d'un lieu du réseau.";

/* A refusal that is not about a field: the member is unknown (403), or
 * anything else the status page. */
static const tl_change_rule tl_account_rules[] = {
    { TL_CHANGE_FORBIDDEN, NULL, tl_gone_member },
    { NULL, NULL, "" }
};

/* The member's name and number for the page (which also tells whether
 * the logged-in person is a member): 1, or 0 and *done when an error page
 * was sent (tl_render_error returns OK once it sent one). */
int tl_account_load(tl_req *q, int *done)
{
    const char *user = tl_account_user(q);
    const tl_rows *me = NULL;
    int status = OK;

    if (!user) {                    /* the configuration forgot its Require line */
        *done = tl_render_error(q, HTTP_FORBIDDEN, NULL);
        return 0;
    }
    if (tl_change(q, "SELECT * FROM tl.my_member_info($1)", 1, &user, tl_account_rules, NULL, &status, &me) != 1) {
        *done = status;
        return 0;
    }
    tl_view_rows(q->view, "me", me);
    return 1;
}

static int tl_account_show(tl_req *q, int http_status)
{
    const char *user = tl_account_user(q);
    int status = OK, rc;

    if (!tl_account_load(q, &rc)) {
        return rc;
    }
    {
        /* Once the member is known, the rest of the page in one round trip. */
        const tl_db_read reads[] = {
            { "loans", "SELECT * FROM tl.my_loans($1)", 1, &user },
            { "reservations", "SELECT * FROM tl.my_reservations($1)", 1, &user },
            { "waiting", "SELECT * FROM tl.my_waiting($1)", 1, &user },
            { "deposits", "SELECT * FROM tl.my_deposits($1)", 1, &user },
            { "seeds", "SELECT * FROM tl.my_seeds($1)", 1, &user },
            { "proposals", "SELECT * FROM tl.my_event_proposals($1)", 1, &user },
        };
        if (!tl_db_views(q, reads, sizeof(reads) / sizeof(reads[0]), &status)) {
            return tl_page_failed(q, status);
        }
    }
    tl_form_token(q, TL_ACCOUNT_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "compte", "Mon compte");
}

/* A mistake or a refusal on the home page's forms: the page again, the
 * message under the part it is about, nothing changed. */
static int tl_account_error(tl_req *q, const char *field, const char *message)
{
    tl_form_error(q, field, message);
    return tl_account_show(q, HTTP_UNPROCESSABLE_ENTITY);
}

int tl_page_account(tl_req *q)
{
    static const char *const done[] = { "prolongation", "reservation", "annulation", "attente", "depart", "atelier",
                                        NULL };
    const char *d = tl_query_get(&q->query, "fait");
    int i;

    for (i = 0; d && done[i]; i++) {
        if (strcmp(d, done[i]) == 0) {
            tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", d, NULL), "t");
        }
    }
    return tl_account_show(q, HTTP_OK);
}

/* The member's login form; mod_auth_form checks it
 * (/compte/connexion/verifier). */
int tl_page_account_login(tl_req *q)
{
    static const char *const done[] = { "mot-de-passe", "deconnexion", NULL };
    const char *d = tl_query_get(&q->query, "fait");
    int i;

    for (i = 0; d && done[i]; i++) {
        if (strcmp(d, done[i]) == 0) {
            tl_view_set(q->view, d[0] == 'm' ? "done_password" : "done_logout", "t");
        }
    }
    tl_view_set(q->view, "return_to", apr_pstrcat(q->r->pool, q->base, "/compte", NULL));
    tl_view_set(q->view, "failed", tl_query_get(&q->query, "erreur") ? "t" : "f");
    /* With TiersLieuxLibraryAuth: the library card and its PIN. */
    tl_view_set(q->view, "library", tl_library_configured(q->dc) ? "t" : "f");
    return tl_render_page(q, "compte-connexion", "Mon compte — connexion");
}

/* Reads a POSTed form of the account's pages; 0 and *done when a
 * response was sent. */
static int tl_account_form(tl_req *q, apr_table_t **f, int *done)
{
    if (!q->r->user) {
        *done = tl_render_error(q, HTTP_FORBIDDEN, NULL);
        return 0;
    }
    return tl_form_read(q, TL_ACCOUNT_FORM, f, done);
}

/* Reads a positive id field; NULL when it is not one. */
static const char *tl_account_id(tl_req *q, apr_table_t *f, const char *name)
{
    const char *v = tl_field(f, name);
    long id;

    return v && !tl_valid_int(q->r->pool, name, v, 1, 2147483647L, &id) ? v : NULL;
}

/* ---- renewals --------------------------------------------------------- */

int tl_page_account_renew(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_gone_member },
        { NULL, "prolonger", "Prolongation refusée : %s. Rien n'a été changé." }
    };
    apr_table_t *f;
    const char *booking, *user = tl_account_user(q);
    const tl_rows *loans = NULL;
    int rc, status = OK, i, n;
    size_t len;

    if (!tl_account_form(q, &f, &rc)) {
        return rc;
    }
    if (!(booking = tl_account_id(q, f, "pret"))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de prêt.");
    }
    if (tl_change(q, "SELECT * FROM tl.my_loans($1)", 1, &user, tl_account_rules, NULL, &status, &loans) != 1) {
        return status;
    }
    n = loans->count(loans);
    for (i = 0; i < n; i++) {
        if (strcmp(loans->value(loans, i, loans->column(loans, "booking_id"), &len), booking) == 0) {
            break;
        }
    }
    if (i == n) {
        return tl_account_error(q, "prolonger", "Ce prêt n'est pas en cours à votre nom. Rien n'a été prolongé.");
    }
    {
        /* The database computes the new due date (tl.extend_loan). */
        const char *params[] = { user, booking };
        if ((rc = tl_change(q, "SELECT tl.my_renew($1, $2::bigint)", 2, params, rules, NULL, &status, NULL)) != 1) {
            return rc < 0 ? status : tl_account_show(q, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, "/compte?fait=prolongation");
}

/* ---- reservations and waiting lists ------------------------------------ */

/* The reservation page of an item (or the form asking for its number). */
static int tl_account_reserve_show(tl_req *q, const char *item, int http_status)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_gone_member },
        { NULL, "objet" }
    };
    const char *user = tl_account_user(q);
    const char *params[2];
    int status = OK, rc;

    if (!tl_account_load(q, &rc)) {
        return rc;
    }
    tl_form_token(q, TL_ACCOUNT_FORM);
    if (item && *item) {
        params[0] = user;
        params[1] = item;
        tl_view_set(q->view, "f_objet", item);
        if ((rc = tl_change(q, "SELECT * FROM tl.my_item($1, $2)", 2, params, rules, NULL, &status, NULL)) < 0) {
            return status;
        }
        if (rc == 0) {
            http_status = http_status == HTTP_OK ? HTTP_NOT_FOUND : http_status;
        }
        else {
            const tl_db_read reads[] = {
                { "item", "SELECT *, state = 'disponible' AS available FROM tl.my_item($1, $2)", 2, params },
                { "taken", "SELECT * FROM tl.my_item_taken($1, $2)", 2, params },
                /* Where to collect it: its own place, or another when its
                 * collection travels (sql/schema/006). */
                { "pickup", "SELECT slug, name, slug = $1 AS chosen FROM tl.pickup_places($2) WHERE NOT own", 2,
                  (const char *const[]){ tl_view_get(q->view, "f_retrait") ? tl_view_get(q->view, "f_retrait") : "",
                                         item } },
            };
            if (!tl_db_views(q, reads, 3, &status)) {
                return tl_page_failed(q, status);
            }
        }
    }
    q->r->status = http_status;
    return tl_render_page(q, "compte-reserver", "Réserver un objet — mon compte");
}

int tl_page_account_reserve_form(tl_req *q)
{
    const char *item = tl_query_get(&q->query, "objet");

    if (item && tl_valid_text(q->r->pool, "objet", item, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Le numéro d'objet est trop long (64 caractères au plus).");
    }
    return tl_account_reserve_show(q, item, HTTP_OK);
}

int tl_page_account_reserve(tl_req *q)
{
    apr_table_t *f;
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_gone_member },
        { "collection_items_stay", "retrait", "Réservation impossible : %s. Rien n'a été réservé." },
        { "item_place_fkey", "retrait", "Choisissez le lieu dans la liste. Rien n'a été réservé." },
        { "item_movement_one_open", "retrait", "Réservation impossible : %s. Rien n'a été réservé." },
        { NULL, "du", "Réservation impossible : %s. Rien n'a été réservé." }
    };
    const char *item, *from, *to, *pickup;
    int rc, status = OK, bad = 0;
    long d1 = 0, d2 = 0;

    if (!tl_account_form(q, &f, &rc)) {
        return rc;
    }
    item = tl_field(f, "objet");
    from = tl_field(f, "du");
    to = tl_field(f, "au");
    pickup = tl_field(f, "retrait");
    tl_form_keep(q, f, NULL, (const char *const[]){ "retrait", NULL });
    if (!item || !*item || tl_valid_text(q->r->pool, "objet", item, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet.");
    }
    if (!from || tl_date_parse(from, &d1) != 0) {
        tl_form_error(q, "du", "Indiquez le premier jour, par exemple 2026-12-05.");
        bad = 1;
    }
    if (!to || tl_date_parse(to, &d2) != 0) {
        tl_form_error(q, "au", "Indiquez le dernier jour, par exemple 2026-12-12.");
        bad = 1;
    }
    else if (!bad && d2 < d1) {
        tl_form_error(q, "au", "Le dernier jour doit venir après le premier.");
        bad = 1;
    }
    if (*pickup && tl_valid_text(q->r->pool, "lieu", pickup, 64)) {
        tl_form_error(q, "retrait", "Choisissez dans la liste le lieu où retirer l'objet.");
        bad = 1;
    }
    if (bad) {
        return tl_account_reserve_show(q, item, HTTP_UNPROCESSABLE_ENTITY);
    }
    {
        /* Without a place chosen (an older form), at the item's own. */
        const char *params[] = { tl_account_user(q), item, from, to, pickup };
        if ((rc = tl_change(q, *pickup ? "SELECT tl.my_reserve_at($1, $2, $3::date, $4::date, $5)"
                                       : "SELECT tl.my_reserve($1, $2, $3::date, $4::date)",
                            *pickup ? 5 : 4, params, rules, NULL, &status, NULL)) != 1) {
            return rc < 0 ? status : tl_account_reserve_show(q, item, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, "/compte?fait=reservation");
}

int tl_page_account_cancel(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_gone_member },
        { NULL, "annuler" }
    };
    apr_table_t *f;
    const char *booking;
    int rc, status = OK;

    if (!tl_account_form(q, &f, &rc)) {
        return rc;
    }
    if (!(booking = tl_account_id(q, f, "reservation"))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de réservation.");
    }
    {
        const char *params[] = { tl_account_user(q), booking };
        if ((rc = tl_change(q, "SELECT tl.my_cancel_reservation($1, $2::bigint)", 2, params, rules, NULL, &status,
                            NULL)) != 1) {
            return rc < 0 ? status : tl_account_show(q, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, "/compte?fait=annulation");
}

/* Joining the waiting list of an item that is out (objet), or leaving a
 * list (attente). */
int tl_page_account_waiting(tl_req *q)
{
    static const tl_change_rule leave[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_gone_member },
        { NULL, "attente" }
    };
    static const tl_change_rule join[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_gone_member },
        { NULL, "attente", "%S Rien n'a été enregistré." }
    };
    apr_table_t *f;
    const char *item, *entry;
    int rc, status = OK;

    if (!tl_account_form(q, &f, &rc)) {
        return rc;
    }
    if (tl_field_sent(f, "attente")) {
        if (!(entry = tl_account_id(q, f, "attente"))) {
            return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'attente.");
        }
        {
            const char *params[] = { tl_account_user(q), entry };
            if ((rc = tl_change(q, "SELECT tl.my_leave_waiting_list($1, $2::bigint)", 2, params, leave, NULL,
                                &status, NULL)) != 1) {
                return rc < 0 ? status : tl_account_show(q, HTTP_UNPROCESSABLE_ENTITY);
            }
        }
        return tl_form_done(q, "/compte?fait=depart");
    }
    item = tl_field(f, "objet");
    if (!item || !*item || tl_valid_text(q->r->pool, "objet", item, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet.");
    }
    {
        const char *params[] = { tl_account_user(q), item };
        if ((rc = tl_change(q, "SELECT tl.my_join_waiting_list($1, $2)", 2, params, join, NULL, &status, NULL)) != 1) {
            return rc < 0 ? status : tl_account_reserve_show(q, item, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, "/compte?fait=attente");
}

/* ---- the CNIL rights: see, take away, erase ------------------------------ */

static int tl_account_data_show(tl_req *q, int http_status)
{
    const char *user = tl_account_user(q);
    int status = OK, rc;

    if (!tl_account_load(q, &rc)) {
        return rc;
    }
    if (!tl_db_view(q, "data", "SELECT * FROM tl.my_data($1)", 1, &user, &status)) {
        return tl_page_failed(q, status);
    }
    tl_form_token(q, TL_ACCOUNT_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "compte-donnees", "Mes données — mon compte");
}

int tl_page_account_data(tl_req *q)
{
    return tl_account_data_show(q, HTTP_OK);
}

int tl_page_account_data_json(tl_req *q)
{
    const char *user = tl_account_user(q);
    const tl_rows *rows = NULL;
    int status = OK;
    size_t len;
    const char *json;

    if (!user) {
        return tl_render_error(q, HTTP_FORBIDDEN, NULL);
    }
    if (tl_change(q, "SELECT tl.my_export($1)::text", 1, &user, tl_account_rules, NULL, &status, &rows) != 1) {
        return status;
    }
    json = rows->value(rows, 0, 0, &len);
    return tl_send_download(q, "application/json; charset=utf-8", "mes-donnees.json", json, len);
}

int tl_page_account_data_csv(tl_req *q)
{
    static const char *const cols[] = { "section", "element", "detail", "date_from", "date_to", NULL };
    static const char *const labels[] = { "Rubrique", "Élément", "Détail", "Date", "Fin ou état", NULL };
    const char *user = tl_account_user(q);
    const tl_rows *rows = NULL;
    int status = OK;
    tl_buf out;

    if (!user) {
        return tl_render_error(q, HTTP_FORBIDDEN, NULL);
    }
    if (tl_change(q, "SELECT * FROM tl.my_data($1, 'export')", 1, &user, tl_account_rules, NULL, &status, &rows)
        != 1) {
        return status;
    }
    tl_buf_init(&out, q->r->pool, 4096);
    tl_buf_adds(&out, "\xEF\xBB\xBF");         /* so spreadsheets read UTF-8 */
    tl_csv_rows(&out, rows, cols, labels, ';');
    return tl_send_download(q, "text/csv; charset=utf-8", "mes-donnees.csv", out.data, out.len);
}

int tl_page_account_erase(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_gone_member },
        { NULL, "confirmation", "Effacement impossible pour l'instant : %s. Rien n'a été effacé." }
    };
    apr_table_t *f;
    const char *sure, *user = tl_account_user(q);
    int rc, status = OK;

    if (!tl_account_form(q, &f, &rc)) {
        return rc;
    }
    sure = tl_field(f, "confirmation");
    if (!sure || strcmp(sure, "1") != 0) {
        tl_form_error(q, "confirmation", "Cochez la case pour confirmer que vous demandez l'effacement. "
                      "Rien n'a été effacé.");
        return tl_account_data_show(q, HTTP_UNPROCESSABLE_ENTITY);
    }
    if ((rc = tl_change(q, "SELECT tl.my_erase($1)", 1, &user, rules, NULL, &status, NULL)) != 1) {
        return rc < 0 ? status : tl_account_data_show(q, HTTP_UNPROCESSABLE_ENTITY);
    }
    /* The person no longer exists here: the session ends with this page. */
    tl_session_end(q->r);
    return tl_render_page(q, "compte-efface", "Vos données sont effacées");
}

/* ---- one-time password links -------------------------------------------- */

/* The link's state as a status and a message; OK when it may be used,
 * with the rows (kind, login) in the view under "link". */
static int tl_password_link_check(tl_req *q, const char *token, const char **message)
{
    const char *hash = tl_token_sha256(q->r->pool, token);
    const tl_rows *rows;
    const char *state;
    int status = OK;
    size_t len;

    *message = "Ce lien n'est pas valide : vérifiez qu'il a été recopié en entier, ou demandez-en un nouveau "
               "au guichet.";
    if (!hash) {
        return HTTP_NOT_FOUND;
    }
    if (!(rows = tl_db_query(q, "SELECT * FROM tl.password_link_state($1)", 1, &hash, &status))) {
        *message = NULL;
        return status;
    }
    if (rows->count(rows) != 1) {
        return HTTP_NOT_FOUND;
    }
    state = rows->value(rows, 0, rows->column(rows, "state"), &len);
    if (strcmp(state, "utilise") == 0) {
        *message = "Ce lien a déjà servi : le mot de passe est choisi. S'il est oublié, demandez un nouveau lien "
                   "au guichet.";
        return HTTP_GONE;
    }
    if (strcmp(state, "remplace") == 0) {
        *message = "Un lien plus récent a été donné depuis : utilisez le dernier reçu, ou demandez-en un "
                   "nouveau au guichet.";
        return HTTP_GONE;
    }
    if (strcmp(state, "expire") == 0) {
        *message = "Ce lien a expiré : demandez-en un nouveau au guichet.";
        return HTTP_GONE;
    }
    tl_view_rows(q->view, "link", rows);
    return OK;
}

static int tl_password_show(tl_req *q, const char *token, int http_status)
{
    tl_view_set(q->view, "lien", token);
    tl_form_token(q, TL_PASSWORD_FORM);
    q->r->status = http_status;
    apr_table_setn(q->r->headers_out, "Referrer-Policy", "no-referrer");
    return tl_render_page(q, "compte-mot-de-passe", "Choisir un mot de passe");
}

int tl_page_password(tl_req *q)
{
    const char *token = tl_query_get(&q->query, "jeton"), *message;
    int rc = tl_password_link_check(q, token, &message);

    if (rc != OK) {
        return tl_render_error(q, rc, message);
    }
    return tl_password_show(q, token, HTTP_OK);
}

int tl_page_password_post(tl_req *q)
{
    /* Spent by someone else in the meantime. */
    static const char spent[] = "Ce lien a déjà servi ou a expiré : demandez-en un nouveau au guichet.";
    static const tl_change_rule rules[] = {
        { "password_link_token_key", NULL, spent, HTTP_NOT_FOUND },
        { TL_CHANGE_FORBIDDEN, NULL, "" },
        { NULL, NULL, spent, HTTP_GONE }
    };
    apr_table_t *f;
    const char *token, *password, *again, *message, *err, *hash, *kind;
    const tl_rows *rows = NULL;
    int rc, status = OK;
    size_t len;

    if (!tl_form_read(q, TL_PASSWORD_FORM, &f, &rc)) {
        return rc;
    }
    token = tl_field(f, "lien");
    if ((rc = tl_password_link_check(q, token, &message)) != OK) {
        return tl_render_error(q, rc, message);
    }
    password = tl_field(f, "mot_de_passe");
    again = tl_field(f, "confirmation");
    if ((err = tl_password_check(password ? password : "")) != NULL) {
        tl_form_error(q, "mot_de_passe", apr_pstrcat(q->r->pool, err, " Rien n'a été enregistré.", NULL));
        return tl_password_show(q, token, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (!again || strcmp(again, password) != 0) {
        tl_form_error(q, "confirmation", "Les deux mots de passe ne sont pas les mêmes. Rien n'a été enregistré.");
        return tl_password_show(q, token, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (!(hash = tl_password_hash(q->r->pool, password))) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, TLXLOGNO(0802) "cannot hash a password");
        return tl_page_failed(q, HTTP_INTERNAL_SERVER_ERROR);
    }
    {
        const char *params[] = { tl_token_sha256(q->r->pool, token), hash };
        if (tl_change(q, "SELECT * FROM tl.use_password_link($1, $2)", 2, params, rules, NULL, &status, &rows) != 1) {
            return status;
        }
    }
    kind = rows->value(rows, 0, rows->column(rows, "kind"), &len);
    return tl_form_done(q, strcmp(kind, "adherent") == 0 ? "/compte/connexion?fait=mot-de-passe" : "/connexion");
}
