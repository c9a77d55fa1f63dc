/* Documents of items and seed varieties (sql/logic/documents.sql): the
 * notices users write under a free licence (read by anyone with their
 * history, written by members from "Mon compte") and the manuals a place's
 * référents add (a PDF, served as an attachment and never rendered here,
 * or a link). */
#include <apr_strings.h>
#include <apr_lib.h>
#include "tl_pages.h"
#include "tl_admin_forms.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"
#include "tl_bytea.h"

#define TL_NOTICE_FORM "notice"
#define TL_MANUAL_FORM "gestion-documents"
#define TL_NOTICE_MAX_CHARS 20000
#define TL_MANUAL_MAX_BYTES (10 * 1024 * 1024)

const char tl_sql_notice_head[] = "SELECT * FROM tl.notice_head($1::integer, $2::integer)";
const char tl_sql_notice_paras[] = "SELECT * FROM tl.notice_paragraphs($1::integer, $2::integer)";

/* ---- reading: a notice's versions ------------------------------------- */

static const char tl_sql_item_subject[] =
    "SELECT i.id, i.code, i.title, '/outils/' || i.id AS path FROM tl.item i "
    " WHERE i.id = $1 AND i.retired_at IS NULL";

static const char tl_sql_variety_subject[] =
    "SELECT v.id, s.common_name || ' « ' || v.name || ' »' AS title, '/graines/' || v.id AS path "
    "  FROM tl.seed_variety v JOIN tl.seed_species s ON s.id = v.species_id WHERE v.id = $1";

/* A notice's page: one version (the current one unless ?version=N) and
 * the list of all, with their authors as credited. */
static int tl_notice_page(tl_req *q, int variety)
{
    apr_pool_t *p = q->r->pool;
    int status = OK;
    size_t len;
    const char *id = tl_param_id(q, q->args[0], variety ? "numéro de variété" : "numéro d'objet", &status);
    const char *v = tl_query_get(&q->query, "version"), *version = NULL, *err;
    const tl_rows *subject, *head;
    long n;

    if (!id) {
        return status;
    }
    if (v && *v) {
        if ((err = tl_valid_int(p, "version", v, 1, 1000000L, &n)) != NULL) {
            return tl_render_error(q, HTTP_BAD_REQUEST, err);
        }
        version = apr_ltoa(p, n);
    }
    {
        const char *params[] = { variety ? NULL : id, variety ? id : NULL, version };
        const tl_db_read reads[] = {
            { "subject", variety ? tl_sql_variety_subject : tl_sql_item_subject, 1, &id },
            { "notice", "SELECT * FROM tl.notice_head($1::integer, $2::integer, $3::integer)", 3, params },
            { "notice_paras", "SELECT * FROM tl.notice_paragraphs($1::integer, $2::integer, $3::integer)", 3,
              params },
            { "history", "SELECT * FROM tl.notice_history($1::integer, $2::integer)", 2, params },
        };
        if (!tl_db_views(q, reads, 4, &status)) {
            return tl_page_failed(q, status);
        }
    }
    subject = tl_view_rows_get(q->view, "subject");
    head = tl_view_rows_get(q->view, "notice");
    if (subject->count(subject) == 0) {
        return tl_render_error(q, HTTP_NOT_FOUND, variety ? "Cette variété n'est pas dans la grainothèque."
                                                          : "Cet objet n'est pas (ou plus) dans le catalogue.");
    }
    if (head->count(head) == 0) {
        return tl_render_error(q, HTTP_NOT_FOUND,
                               version ? "Cette version de la notice n'existe pas : voyez la liste des versions."
                                       : "Personne n'a encore écrit de notice ici. Adhérent ? Écrivez la première "
                                         "depuis votre compte.");
    }
    tl_view_set(q->view, "is_variety", variety ? "t" : "f");
    tl_view_set(q->view, "done", tl_query_get(&q->query, "fait") ? "t" : "f");
    return tl_render_page(q, "notice",
                          apr_pstrcat(p, "Notice : ", subject->value(subject, 0, subject->column(subject, "title"),
                                                                     &len), NULL));
}

int tl_page_item_notice(tl_req *q)
{
    return tl_notice_page(q, 0);
}

int tl_page_variety_notice(tl_req *q)
{
    return tl_notice_page(q, 1);
}

/* A manual's PDF, as an attachment: the browser saves it or opens it in
 * its own viewer, never inside our pages (and with a policy that would
 * forbid it any script if it were). */
int tl_page_manual(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    int status = OK;
    const char *id = tl_param_id(q, q->args[0], "numéro de document", &status);
    const tl_rows *rows;
    const char *hex, *code;
    char *name, *c;
    unsigned char *pdf;
    size_t len, code_len;
    long n;

    if (!id) {
        return status;
    }
    if (!(rows = tl_db_query(q, "SELECT item_code, pdf FROM tl.manual_pdf($1::bigint)", 1, &id, &status))) {
        return tl_page_failed(q, status);
    }
    if (rows->count(rows) == 0) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Ce document n'existe pas (ou plus).");
    }
    hex = rows->value(rows, 0, 1, &len);
    pdf = apr_palloc(p, len / 2 + 1);
    if ((n = tl_bytea_decode(hex, len, pdf)) < 0) {
        return tl_page_failed(q, HTTP_INTERNAL_SERVER_ERROR);
    }
    /* The file's name: the item's number and the document's, letters,
     * digits and dashes only. */
    code = rows->value(rows, 0, 0, &code_len);
    name = apr_pstrcat(p, code, "-document-", id, ".pdf", NULL);
    for (c = name; *c; c++) {
        if (!apr_isalnum(*c) && *c != '-' && *c != '.') {
            *c = '-';
        }
    }
    apr_table_setn(q->r->headers_out, "Content-Security-Policy", "sandbox; default-src 'none'");
    return tl_send_download(q, "application/pdf", name, (const char *)pdf, (apr_size_t)n);
}

/* ---- writing a notice, from "Mon compte" ------------------------------- */

/* A long text in a small form: 20,000 characters, urlencoded. */
static const tl_form_limits tl_notice_limits = {
    TL_FORM_MAX_FIELDS, TL_NOTICE_MAX_CHARS * TL_FIELDS_UTF8_PER_UNIT, 320 * 1024
};

static const tl_change_rule tl_notice_rules[] = {
    { TL_CHANGE_FORBIDDEN, NULL, tl_gone_member },
    { "notice_version_body_not_blank", "texte" },
    { "notice_version_body_length", "texte" },
    { "notice_version_unchanged", "texte" },
    { "notice_version_conflict", "texte", NULL, 0, "conflict" },
    { "notice_version_author_name_valid", "nom" },
    { "notice_version_summary_length", "resume" },
    { "notice_licence_known", "licence" },
    { "notice_one_subject", NULL, NULL, HTTP_BAD_REQUEST },
    { "notice_item_fkey", NULL, NULL, HTTP_NOT_FOUND },
    { "notice_variety_fkey", NULL, NULL, HTTP_NOT_FOUND },
    { NULL, "texte" }
};

/* The form, with the current text (kept: what the member typed, after a
 * refusal; after a conflict, the other version is shown above it and the
 * next save starts from it). */
static int tl_notice_form_show(tl_req *q, const char *item, const char *variety, int http_status, int kept)
{
    const char *user = tl_account_user(q);
    const char *params[] = { user, item, variety };
    const tl_rows *draft = NULL;
    int status = OK, rc;
    size_t len;

    if (!tl_account_load(q, &rc)) {
        return rc;
    }
    if (tl_change(q, "SELECT * FROM tl.my_notice_draft($1, $2, $3::integer)", 3, params, tl_notice_rules, NULL,
                  &status, &draft) != 1) {
        return status;
    }
    tl_view_rows(q->view, "draft", draft);
    if (!kept || tl_view_get(q->view, "conflict")) {
        tl_view_set(q->view, "f_base", draft->value(draft, 0, draft->column(draft, "version"), &len));
    }
    if (!kept) {
        tl_view_set(q->view, "f_texte", draft->value(draft, 0, draft->column(draft, "body"), &len));
        tl_view_set(q->view, "f_nom", draft->value(draft, 0, draft->column(draft, "author_name"), &len));
    }
    tl_view_set(q->view, "f_objet", item);
    tl_view_set(q->view, "f_variete", variety);
    tl_form_token(q, TL_NOTICE_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "compte-notice", "Écrire une notice — mon compte");
}

/* What a notice is about, from a query or a form: an item's number or a
 * variety's id, exactly one; 0 when neither (or both) is there. */
static int tl_notice_subject(tl_req *q, const char *item, const char *variety, const char **it, const char **va)
{
    long id;

    *it = item && *item ? item : NULL;
    *va = variety && *variety ? variety : NULL;
    if (!*it == !*va || (*it && tl_valid_text(q->r->pool, "objet", *it, 64))
        || (*va && tl_valid_int(q->r->pool, "variété", *va, 1, 2147483647L, &id))) {
        return 0;
    }
    return 1;
}

int tl_page_notice_form(tl_req *q)
{
    const char *item, *variety;

    if (!tl_notice_subject(q, tl_query_get(&q->query, "objet"), tl_query_get(&q->query, "variete"), &item,
                           &variety)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Cette adresse ne désigne ni un objet ni une variété.");
    }
    return tl_notice_form_show(q, item, variety, HTTP_OK, 0);
}

int tl_page_notice_post(tl_req *q)
{
    static const char *const licences[] = { "CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *item, *variety, *base, *licence, *text, *name, *summary;
    const tl_rows *done = NULL;
    int rc, status = OK, i;
    size_t len;
    long n;

    if (!q->r->user) {
        return tl_render_error(q, HTTP_FORBIDDEN, NULL);
    }
    if (!tl_form_read_within(q, TL_NOTICE_FORM, &tl_notice_limits, &f, &rc)) {
        return rc;
    }
    base = tl_field(f, "base");
    if (!tl_notice_subject(q, tl_field(f, "objet"), tl_field(f, "variete"), &item, &variety)
        || !base || tl_valid_int(p, "version", base, 0, 1000000L, &n)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne ni un objet ni une variété.");
    }
    tl_form_keep(q, f, NULL, (const char *const[]){ "texte", "nom", "resume", "licence", NULL });
    text = tl_admin_lines(q, f, "texte", "texte", TL_NOTICE_MAX_CHARS);
    name = tl_admin_text(q, f, "nom", "nom crédité", 60);
    summary = tl_admin_text(q, f, "resume", "ce qui a changé", 200);
    licence = tl_field(f, "licence");
    for (i = 0; licence && *licence && licences[i] && strcmp(licences[i], licence) != 0; i++) {
    }
    if (licence && *licence && !licences[i]) {
        tl_form_error(q, "licence", "Choisissez l'une des licences proposées.");
    }
    if (strcmp(tl_field(f, "accord"), "1") != 0) {
        tl_form_error(q, "accord", "Cochez la case : la notice est publiée sous la licence indiquée, avec le nom "
                                   "que vous choisissez.");
    }
    if (!tl_view_get(q->view, "errors")) {
        const char *params[] = { tl_account_user(q), item, variety, base, text, summary, name, licence };
        rc = tl_change(q, "SELECT tl.my_notice_save($1, $2, $3::integer, $4::integer, $5, $6, $7, $8)", 8, params,
                       tl_notice_rules, NULL, &status, &done);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, apr_pstrcat(p, done->value(done, 0, 0, &len), "/notice?fait=enregistree", NULL));
        }
    }
    return tl_notice_form_show(q, item, variety, HTTP_UNPROCESSABLE_ENTITY, 1);
}

/* ---- manuals, for a place's référents ---------------------------------- */

static int tl_manuals_show(tl_req *q, const char *number, int http_status)
{
    const char *params[] = { q->r->user, number };
    const tl_rows *item;
    int status = OK;
    size_t len;

    if (!tl_admin_view(q, "manuals", "SELECT * FROM tl.admin_item_manuals($1, $2)", 2, params, &status)) {
        return status;
    }
    if (!(item = tl_db_view(q, "item", "SELECT i.id, i.code, i.title, p.slug AS place FROM tl.item i "
                                       "JOIN tl.place p ON p.id = i.place_id WHERE i.code = upper(btrim($1))",
                            1, &number, &status))) {
        return tl_page_failed(q, status);
    }
    if (item->count(item) > 0) {        /* the menu's links stay at the item's place */
        tl_view_set(q->view, "place", item->value(item, 0, item->column(item, "place"), &len));
    }
    tl_form_token(q, TL_MANUAL_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "gestion-objet-documents", "Documents d'un objet — gestion");
}

int tl_page_admin_manuals(tl_req *q)
{
    static const char *const done[] = { "ajout", "retrait", NULL };
    const char *number = tl_query_get(&q->query, "numero"), *d = tl_query_get(&q->query, "fait");
    int i;

    if (!number || !*number || tl_valid_text(q->r->pool, "numéro", number, 32)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Cette adresse ne désigne pas d'objet (son numéro manque).");
    }
    for (i = 0; d && done[i]; i++) {
        if (strcmp(d, done[i]) == 0) {
            tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", d, NULL), "t");
        }
    }
    return tl_manuals_show(q, number, HTTP_OK);
}

/* The PDF of the form, held in memory up to 10 MB (beyond, a 413 from
 * tl_form_read_stream before anything is written). */
typedef struct {
    tl_req *q;
    tl_buf pdf;
    int seen;
} tl_manual_upload;

static int tl_manual_file_begin(void *ctx, apr_table_t *fields, const tl_multipart_part *part, apr_size_t *max)
{
    tl_manual_upload *u = ctx;

    (void)fields;
    if (!*part->filename || strcmp(part->name, "fichier") != 0) {
        return 1;                       /* no file chosen: a link, or a removal */
    }
    u->seen = 1;
    *max = TL_MANUAL_MAX_BYTES;
    tl_buf_init(&u->pdf, u->q->r->pool, 64 * 1024);
    return 0;
}

static int tl_manual_file_data(void *ctx, const char *data, apr_size_t len)
{
    tl_manual_upload *u = ctx;

    tl_buf_add(&u->pdf, data, len);
    return 0;
}

static int tl_manual_file_end(void *ctx)
{
    (void)ctx;
    return 0;
}

int tl_page_admin_manuals_post(tl_req *q)
{
    static const tl_form_file_handler handler = { tl_manual_file_begin, tl_manual_file_data, tl_manual_file_end };
    static const tl_change_rule rules[] = {
        { "item_manual_title_not_blank", "titre" },
        { "item_manual_title_length", "titre" },
        { "item_manual_one_source", "fichier" },
        { "item_manual_url_valid", "lien" },
        { "item_manual_pdf_content", "fichier" },
        { "item_manual_pdf_size", "fichier" },
        { TL_CHANGE_FORBIDDEN, NULL, "Cet objet appartient à un lieu dont vous n'êtes pas référent : rien n'a été "
                                     "changé." },
        { "booking_item_fkey", NULL, NULL, HTTP_NOT_FOUND },
        { "item_manual_item_fkey", "document" },
        { NULL, "titre" }
    };
    apr_pool_t *p = q->r->pool;
    tl_manual_upload u = { q, { 0 }, 0 };
    apr_table_t *f;
    const char *number, *action, *manual, *title, *link;
    int rc, status = OK, remove;
    long id;

    if (!tl_form_read_stream(q, TL_MANUAL_FORM, TL_MANUAL_MAX_BYTES + 64 * 1024, &handler, &u, &f, &rc)) {
        return rc;
    }
    number = tl_field(f, "numero");
    action = tl_field(f, "action");
    manual = tl_field(f, "document");
    if (!*number || tl_valid_text(p, "numéro", number, 32)
        || (strcmp(action, "ajouter") != 0 && strcmp(action, "retirer") != 0)
        || (*manual && tl_valid_int(p, "document", manual, 1, 2147483647L, &id))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet, de document ou d'action.");
    }
    remove = action[0] == 'r';
    if (remove && !*manual) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas le document à retirer.");
    }
    tl_form_keep(q, f, NULL, (const char *const[]){ "titre", "lien", NULL });
    title = tl_admin_text(q, f, "titre", "titre", 120);
    link = tl_admin_text(q, f, "lien", "lien", 2000);
    if (remove || !tl_view_get(q->view, "errors")) {
        if (remove) {
            const char *params[] = { q->r->user, number, manual };
            rc = tl_change(q, "SELECT tl.remove_item_manual($1, $2, $3::bigint)", 3, params, rules, "document",
                           &status, NULL);
        }
        else {
            tl_buf hex;
            const char *params[5] = { q->r->user, number, title, link, NULL };
            if (u.seen) {
                tl_buf_init(&hex, p, 2 * u.pdf.len + 3);
                tl_bytea_encode(&hex, u.pdf.data, u.pdf.len);
                params[4] = tl_buf_cstr(&hex);
            }
            rc = tl_change(q, "SELECT tl.add_item_manual($1, $2, $3, $4, $5::bytea)", 5, params, rules, NULL,
                           &status, NULL);
        }
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, tl_url_build(p, "/gestion/objet/documents",
                                                (const char *const[]){ "numero", number, "fait",
                                                                       remove ? "retrait" : "ajout", NULL }));
        }
    }
    return tl_manuals_show(q, number, HTTP_UNPROCESSABLE_ENTITY);
}
