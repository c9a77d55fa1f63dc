/* Lending and taking back at the desk, with the keyboard or a scanner:
 * member number, item number (or its old barcode), Enter; the desk shows
 * the member, the item and the due date (on a day the place is open) and
 * what would stop the loan, then Enter again confirms. Member numbers
 * travel in POSTed forms only, never in URLs (they would reach logs). */
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"
#include "tl_date.h"

static const char tl_sql_preview[] = "SELECT * FROM tl.desk_lending_preview($1, $2, $3)";
static const char tl_sql_check_out[] = "SELECT tl.check_out($1, $2, $3, $4::boolean)";

static const char tl_other_place[] = "Cet objet appartient à un lieu dont vous ne tenez pas le guichet.";

/* Which field a refusal of check_out or check_in is about; confirming, a
 * loan past an overdue only a référent may allow. */
static const tl_change_rule tl_lend_rules[] = {
    { "booking_member_fkey", "adherent" },
    { "booking_member_overdue", "adherent" },
    { "booking_return_condition_fkey", "etat" },
    { TL_CHANGE_FORBIDDEN, NULL, "Passer outre un retard est réservé aux référents." },
    { NULL, "objet" }
};

/* The same for the dry run, which also offers to go past an overdue (to
 * those who may: the others read why they may not). */
static const tl_change_rule tl_lend_try_rules[] = {
    { "booking_member_fkey", "adherent" },
    { "booking_member_overdue", "adherent", .flag = "may_override" },
    { "booking_return_condition_fkey", "etat" },
    { TL_CHANGE_FORBIDDEN, "adherent", "Passer outre un retard est réservé aux référents du lieu.",
      .flag = "may_override" },
    { NULL, "objet" }
};

/* The preview names no constraint: a place they do not hold the desk of. */
static const tl_change_rule tl_preview_rules[] = {
    { TL_CHANGE_FORBIDDEN, NULL, tl_other_place },
    { NULL, NULL, "" }
};

static int tl_lend_show(tl_req *q, int status)
{
    /* The focus waits where the next keystroke goes: the member number,
     * or the confirm button once the loan is ready. */
    tl_view_set(q->view, "first_step", tl_view_get(q->view, "ready") ? "f" : "t");
    tl_form_token(q, "pret");
    q->r->status = status;
    return tl_render_page(q, "guichet-pret", "Prêter un objet — guichet");
}

int tl_page_desk_lend(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");
    const char *due = tl_query_get(&q->query, "retour");
    long d;

    if (done && due && tl_valid_text(q->r->pool, "objet", done, 32) == NULL && tl_date_parse(due, &d) == 0) {
        char fr[TL_DATE_FR_BUFSIZE];
        tl_date_fr(d, fr);
        tl_view_set(q->view, "done_item", done);
        tl_view_set(q->view, "done_due", apr_pstrdup(q->r->pool, fr));
    }
    return tl_lend_show(q, HTTP_OK);
}

/* Reads the member and item numbers, runs the preview and, to show what
 * would stop the loan, the dry run (not when confirming: the loan itself
 * says it). Returns 1 when the loan can go on, 0 when the page must show
 * the mistakes; *done is set instead when a response was already sent. */
static int tl_lend_prepare(tl_req *q, apr_table_t *f, int dry_run, int *done)
{
    apr_pool_t *p = q->r->pool;
    const char *member = tl_field(f, "adherent"), *item = tl_field(f, "objet");
    const char *override = tl_field(f, "passer_outre");
    const tl_rows *pv = NULL;
    int status = OK;
    size_t len;

    *done = 0;
    member = member ? member : "";
    item = item ? item : "";
    tl_form_keep(q, f, NULL, (const char *const[]){ "adherent", "objet", NULL });
    if (!*member || tl_valid_text(p, "numéro d'adhérent", member, 32)) {
        tl_form_error(q, "adherent", "Saisissez ou scannez le numéro de la carte d'adhérent (par exemple A-000123).");
    }
    if (!*item || tl_valid_text(p, "numéro d'objet", item, 64)) {
        tl_form_error(q, "objet", "Saisissez ou scannez le numéro de l'objet (par exemple OT-0012) ou son code-barres.");
    }
    if (tl_view_get(q->view, "errors")) {
        return 0;
    }
    {
        const char *params[] = { q->r->user, member, item };
        if (tl_change(q, tl_sql_preview, 3, params, tl_preview_rules, NULL, &status, &pv) != 1) {
            *done = status;
            return 0;
        }
    }
    if (pv->value(pv, 0, pv->column(pv, "member_known"), &len)[0] != 't') {
        /* Not a card number: perhaps a name, for a forgotten card. */
        const char *params[] = { q->r->user, member };
        const tl_rows *found = tl_db_query(q, "SELECT * FROM tl.find_members($1, $2)", 2, params, &status);
        int i, n = found ? found->count(found) : 0;
        if (!found) {
            *done = tl_page_failed(q, status);
            return 0;
        }
        if (n == 1) {
            const char *again[] = { q->r->user, NULL, item };
            member = apr_pstrdup(p, found->value(found, 0, 0, &len));
            again[1] = member;
            apr_table_setn(f, "adherent", member);
            tl_view_set(q->view, "f_adherent", member);
            if (tl_change(q, tl_sql_preview, 3, again, tl_change_status_page, NULL, &status, &pv) != 1) {
                *done = status;
                return 0;
            }
        }
        else if (n > 1) {
            tl_buf names;
            tl_buf_init(&names, p, 256);
            for (i = 0; i < n; i++) {
                tl_buf_adds(&names, i ? ", " : "");
                tl_buf_adds(&names, found->value(found, i, 1, &len));
                tl_buf_adds(&names, " (");
                tl_buf_adds(&names, found->value(found, i, 0, &len));
                tl_buf_adds(&names, ")");
            }
            tl_form_error(q, "adherent", apr_psprintf(p, "Plusieurs adhérents correspondent : %s. Saisissez le "
                                                      "numéro de la bonne personne.", tl_buf_cstr(&names)));
            return 0;
        }
    }
    tl_view_rows(q->view, "preview", pv);
    if (pv->value(pv, 0, pv->column(pv, "item_code"), &len)) {
        tl_view_set(q->view, "item_code", pv->value(pv, 0, pv->column(pv, "item_code"), &len));
    }
    if (pv->value(pv, 0, pv->column(pv, "member_known"), &len)[0] != 't') {
        tl_form_error(q, "adherent", apr_psprintf(p, "Aucun adhérent ne porte le numéro ou le nom « %s ».", member));
    }
    if (pv->value(pv, 0, pv->column(pv, "item_known"), &len)[0] != 't') {
        tl_form_error(q, "objet", apr_psprintf(p, "Aucun objet ne porte le numéro « %s ».", item));
    }
    if (tl_view_get(q->view, "errors")) {
        return 0;
    }
    /* The due date a loan made now would have, as tl.check_out computes it. */
    tl_view_set(q->view, "due_iso", pv->value(pv, 0, pv->column(pv, "new_due"), &len));
    tl_view_set(q->view, "due_fr", pv->value(pv, 0, pv->column(pv, "new_due_fr"), &len));
    {
        const char *params[] = { q->r->user, member, item, override && strcmp(override, "1") == 0 ? "true" : "false" };
        if (!dry_run) {
            return 1;               /* confirming: the loan itself will say */
        }
        switch (tl_change_try(q, tl_sql_check_out, 4, params, tl_lend_try_rules, NULL, &status)) {
        case 1:
            break;
        case 0:
            return 0;
        default:
            *done = status;
            return 0;
        }
    }
    return 1;
}

int tl_page_desk_lend_check(tl_req *q)
{
    apr_table_t *f;
    int rc;

    if (!tl_form_read(q, "pret", &f, &rc)) {
        return rc;
    }
    if (!tl_lend_prepare(q, f, 1, &rc)) {
        return rc ? rc : tl_lend_show(q, HTTP_UNPROCESSABLE_ENTITY);
    }
    tl_view_set(q->view, "ready", "t");
    if (tl_field_given(f, "passer_outre")) {
        tl_view_set(q->view, "f_passer_outre", "t");
    }
    return tl_lend_show(q, HTTP_OK);
}

int tl_page_desk_lend_confirm(tl_req *q)
{
    apr_table_t *f;
    const char *due, *override;
    const tl_rows *lent;
    size_t len;
    int rc, status = OK;

    if (!tl_form_read(q, "pret", &f, &rc)) {
        return rc;
    }
    if (!tl_lend_prepare(q, f, 0, &rc)) {
        return rc ? rc : tl_lend_show(q, HTTP_UNPROCESSABLE_ENTITY);
    }
    override = tl_field(f, "passer_outre");
    {
        const char *params[] = { q->r->user, tl_field(f, "adherent"), tl_field(f, "objet"),
                                 override && strcmp(override, "1") == 0 ? "true" : "false" };
        /* Another desk may have been quicker: said next to the item. */
        if ((rc = tl_change(q, tl_sql_check_out, 4, params, tl_lend_rules, NULL, &status, &lent)) != 1) {
            return rc < 0 ? status : tl_lend_show(q, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    due = lent->value(lent, 0, 0, &len);
    /* The item's own number (the volunteer may have scanned an old barcode). */
    return tl_form_done(q, apr_pstrcat(q->r->pool, "/guichet/pret?fait=", tl_view_get(q->view, "item_code"),
                                       "&retour=", due, NULL));
}

/* ---- taking back ------------------------------------------------------- */

/* What a refusal of a return is about: the item, the condition given, or
 * (a kit) the list of components ticked. */
static const tl_change_rule tl_return_rules[] = {
    { "booking_return_condition_fkey", "etat" },
    { "item_place_fkey", "lieu", "Choisissez dans la liste le lieu où l'objet est rendu." },
    { "item_movement_one_open", "lieu" },
    { "kit_component_repeated", "composant" },
    { "kit_component_unknown", "composant" },
    { TL_CHANGE_FORBIDDEN, NULL, "Vous ne tenez pas le guichet du lieu où l'objet est rendu : rien n'a été "
                                 "enregistré." },
    { NULL, "objet" }
};

static const char tl_sql_kit[] = "SELECT k.*, k.id = ANY ($3::bigint[]) AS checked, "
                                 "row_number() OVER () = 1 AS first FROM tl.desk_kit_components($1, $4, $2) AS k";

static int tl_return_show(tl_req *q, int status)
{
    int st = OK;

    if (!tl_db_view(q, "conditions", "SELECT code, label, code = $1 AS selected FROM tl.item_condition ORDER BY rank",
                    1, (const char *const[]){ tl_view_get(q->view, "f_etat") ? tl_view_get(q->view, "f_etat") : "" },
                    &st)) {
        return tl_page_failed(q, st);
    }
    /* Returns are taken at any place of the network (sql/schema/006): the
     * volunteer's places. */
    if (!tl_db_view(q, "return_places", "SELECT place_slug AS slug, place_name AS name, place_slug = $2 AS selected "
                                        "FROM tl.account_roles($1) ORDER BY place_name",
                    2, (const char *const[]){ q->r->user, tl_view_get(q->view, "f_lieu") ? tl_view_get(q->view, "f_lieu")
                                                                                         : "" }, &st)) {
        return tl_page_failed(q, st);
    }
    /* The focus waits where the next keystroke goes: the item's number, or
     * a kit's first component once the kit is shown. */
    tl_view_set(q->view, "first_step", tl_view_get(q->view, "kit_shown") ? "f" : "t");
    tl_form_token(q, "retour");
    q->r->status = status;
    return tl_render_page(q, "guichet-retour", "Retour d'un objet — guichet");
}

/* A kit's components, to tick (those in checked, a bigint[] literal, are
 * ticked again), for its return at place (empty: where it stands; the
 * database refuses the list to anyone who does not hold that place's
 * desk). Returns 1 with the list shown (rows: it is a kit), 0 when the
 * item is no kit (or the refusal is under its field), -1 when an error
 * page was sent (*status). */
static int tl_return_kit(tl_req *q, const char *item, const char *place, const char *checked, int *status)
{
    const char *params[] = { q->r->user, item, checked, *place ? place : NULL };
    const tl_rows *kit = NULL;
    int rc = tl_change(q, tl_sql_kit, 4, params, tl_return_rules, NULL, status, &kit);

    if (rc != 1) {
        return rc;
    }
    if (kit->count(kit) == 0) {
        return 0;
    }
    tl_view_rows(q->view, "kit", kit);
    tl_view_set(q->view, "kit_shown", "t");
    return 1;
}

int tl_page_desk_return(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");
    const char *missing = tl_query_get(&q->query, "manque");

    if (done && tl_valid_text(q->r->pool, "objet", done, 32) == NULL) {
        tl_view_set(q->view, "done_item", done);
        if (missing && strcmp(missing, "1") == 0) {
            /* The reason the kit went to maintenance with: what is missing,
             * also at the place it was brought back to, which does not
             * hold its file (the link to it shows to those who do). */
            const char *params[] = { q->r->user, done };
            const tl_rows *why = NULL;
            int st = OK;
            if (tl_change(q, "SELECT * FROM tl.desk_kit_missing($1, $2)", 2, params,
                          tl_change_status_page, NULL, &st, &why) != 1) {
                return st;
            }
            tl_view_rows(q->view, "missing", why);
        }
    }
    return tl_return_show(q, HTTP_OK);
}

/* Reads and checks the fields both steps share; 1 when they are readable. */
static int tl_return_fields(tl_req *q, apr_table_t *f, const char **item, const char **condition,
                            const char **repair)
{
    apr_pool_t *p = q->r->pool;
    const char *place = tl_field(f, "lieu");

    *item = tl_field(f, "objet");
    *condition = tl_field(f, "etat");
    *repair = tl_field(f, "maintenance");
    tl_form_keep(q, f, NULL, (const char *const[]){ "objet", "etat", "maintenance", "lieu", NULL });
    if (*place && tl_valid_text(p, "lieu", place, 64)) {
        tl_form_error(q, "lieu", "Choisissez dans la liste le lieu où l'objet est rendu.");
    }
    if (!*item || !**item || tl_valid_text(p, "numéro d'objet", *item, 64)) {
        tl_form_error(q, "objet", "Saisissez ou scannez le numéro de l'objet rendu.");
    }
    if (*condition && tl_valid_text(p, "état", *condition, 32)) {
        tl_form_error(q, "etat", "Choisissez l'état dans la liste.");
    }
    if (*repair && tl_valid_text(p, "maintenance", *repair, 500)) {
        tl_form_error(q, "maintenance", "Décrivez le problème en 500 caractères au plus.");
    }
    return !tl_view_get(q->view, "errors");
}

int tl_page_desk_return_post(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *item, *condition, *repair;
    const tl_rows *rows = NULL;
    int rc, status = OK;
    size_t len;

    if (!tl_form_read(q, "retour", &f, &rc)) {
        return rc;
    }
    if (!tl_return_fields(q, f, &item, &condition, &repair)) {
        return tl_return_show(q, HTTP_UNPROCESSABLE_ENTITY);
    }
    /* A kit is not taken back yet: its components are listed to tick first
     * (POST /guichet/retour/kit records the return, at the place chosen
     * here, which its form carries). */
    if ((rc = tl_return_kit(q, item, tl_field(f, "lieu"), "{}", &status)) != 0) {
        return rc < 0 ? status : tl_return_show(q, HTTP_OK);
    }
    if (tl_view_get(q->view, "errors")) {
        return tl_return_show(q, HTTP_UNPROCESSABLE_ENTITY);
    }
    {
        /* Where the item stands, or at the place chosen (it then travels home). */
        const char *place = tl_field(f, "lieu");
        const char *params[] = { q->r->user, item, condition && *condition ? condition : NULL, repair ? repair : "",
                                 place };
        if ((rc = tl_change(q, *place ? "SELECT i.code FROM tl.check_in_at($1, $5, $2, $3, $4) AS b, "
                                        "tl.find_item($2) AS i"
                                      : "SELECT i.code FROM tl.check_in($1, $2, $3, $4) AS b, tl.find_item($2) AS i",
                            *place ? 5 : 4, params, tl_return_rules, NULL, &status, &rows)) != 1) {
            return rc < 0 ? status : tl_return_show(q, HTTP_UNPROCESSABLE_ENTITY);
        }
    }
    return tl_form_done(q, apr_pstrcat(p, "/guichet/retour?fait=", rows->value(rows, 0, 0, &len), NULL));
}

/* Gathers the ticked components' ids (a group of checkboxes) into a
 * bigint[] literal; *bad when one is not an id. */
typedef struct {
    tl_buf out;
    apr_pool_t *pool;
    int n, bad;
} tl_ticked;

static int tl_ticked_add(void *ctx, const char *key, const char *value)
{
    tl_ticked *t = ctx;
    long id;

    (void)key;
    if (tl_valid_int(t->pool, "composant", value, 1, 2147483647L, &id)) {
        t->bad = 1;
        return 1;
    }
    tl_buf_adds(&t->out, t->n++ ? "," : "{");
    tl_buf_adds(&t->out, apr_ltoa(t->pool, id));
    return 1;
}

int tl_page_desk_return_kit(tl_req *q)
{
    static const char *const multi[] = { "composant", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *item, *condition, *repair, *ticked, *place;
    const tl_rows *rows = NULL;
    tl_ticked t;
    int rc, status = OK;
    size_t len;

    if (!tl_form_read_multi(q, "retour", multi, &f, &rc)) {
        return rc;
    }
    memset(&t, 0, sizeof(t));
    t.pool = p;
    tl_buf_init(&t.out, p, 64);
    apr_table_do(tl_ticked_add, &t, f, "composant", NULL);
    if (t.n) {
        tl_buf_addc(&t.out, '}');
    }
    ticked = t.n ? tl_buf_cstr(&t.out) : "{}";
    place = tl_field(f, "lieu");
    if (!tl_return_fields(q, f, &item, &condition, &repair)) {
        return tl_return_show(q, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (t.bad) {
        tl_form_error(q, "composant", "Cette liste de composants n'est pas lisible : cochez-les depuis la page du retour.");
        ticked = "{}";
    }
    else {
        /* Where the kit stands, or at the place chosen (it then travels
         * home, as any item returned elsewhere). */
        const char *params[] = { q->r->user, item, condition && *condition ? condition : NULL, repair ? repair : "",
                                 ticked, *place ? place : NULL };
        rc = tl_change(q, "SELECT (SELECT code FROM tl.find_item($2)), "
                          "tl.check_in_kit($1, $6, $2, $3, $4, $5::bigint[]) IS NOT NULL",
                       6, params, tl_return_rules, NULL, &status, &rows);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, apr_pstrcat(p, "/guichet/retour?fait=", rows->value(rows, 0, 0, &len),
                                               rows->value(rows, 0, 1, &len)[0] == 't' ? "&manque=1" : "", NULL));
        }
    }
    /* Shown again with its message, the components as they were ticked. */
    if ((rc = tl_return_kit(q, item, place, ticked, &status)) < 0) {
        return status;
    }
    return tl_return_show(q, HTTP_UNPROCESSABLE_ENTITY);
}
