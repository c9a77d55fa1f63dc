/* Imports in the back office: a CSV file of items or members, as a
 * spreadsheet, Lend Engine, Koha or Circulate exports it. The file is read
 * here (tl_csv_read: BOM, ";" or ",", Windows line ends, Windows-1252), its
 * columns found by the names those tools give them, and its rows handed to
 * the database as JSON (sql/logic/imports.sql). The preview shows every row that cannot
 * be imported with its line and reason; confirming imports all or nothing. */
#include <apr_strings.h>
#include <apr_lib.h>
#include "tl_admin_forms.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_valid.h"
#include "tl_csv_read.h"
#include "tl_escape.h"
#include "tl_ords.h"

/* Items and members files are read whole (tl_csv_read): 8 MB, 50,000
 * rows. An ORDS file is streamed from the upload to the database (a
 * provider's whole history: 110,000 rows, 18 MB, in memory that does not
 * grow with it): 64 MB, 300,000 rows. The import page states both. */
#define TL_IMPORT_MAX_BYTES (8 * 1024 * 1024)
#define TL_IMPORT_ORDS_MAX_BYTES (64 * 1024 * 1024)
#define TL_IMPORT_ORDS_MAX_ROWS 300000
#define TL_IMPORT_BATCH_ROWS 2000           /* ORDS rows sent to the database at a time */
#define TL_IMPORT_SHOWN 100          /* rows shown in the preview's "to be created" table */

/* A column of ours and the names files give it, in order of preference. */
typedef struct {
    const char *key;                /* the JSON key sql/logic/imports.sql reads */
    const char *label;              /* how the page names it */
    int required;
    const char *const *names;
} tl_import_column;

static const char *const n_titre[] = { "titre", "nom", "name", "title", "designation", "libelle", "objet",
                                       "item name", NULL };
static const char *const n_numero[] = { "numero", "code", "inventaire", "numero d'inventaire", "reference", "sku",
                                        "item code", "id", NULL };
static const char *const n_code_barres[] = { "code-barres", "code barre", "barcode", "ean", NULL };
static const char *const n_marque[] = { "marque", "brand", "fabricant", "manufacturer", NULL };
static const char *const n_description[] = { "description", "notes", "commentaire", "remarques", NULL };
static const char *const n_categorie[] = { "categorie", "category", "type", "itype", "famille", NULL };
static const char *const n_etat[] = { "etat", "condition", NULL };
static const char *const n_caution[] = { "caution", "deposit", "deposit amount", NULL };
static const char *const n_duree[] = { "duree du pret", "duree", "loan days", "max loan days", "loan period", NULL };
static const char *const n_controle[] = { "controle electrique", "intervalle des controles", "safety check days",
                                          NULL };

static const tl_import_column tl_item_columns[] = {
    { "titre", "nom de l'objet", 1, n_titre },
    { "categorie", "catégorie", 1, n_categorie },
    { "numero", "numéro", 0, n_numero },
    { "code_barres", "code-barres", 0, n_code_barres },
    { "marque", "marque", 0, n_marque },
    { "description", "description", 0, n_description },
    { "etat", "état", 0, n_etat },
    { "caution", "caution", 0, n_caution },
    { "duree", "durée du prêt", 0, n_duree },
    { "controle_jours", "contrôle électrique (jours)", 0, n_controle },
    { NULL, NULL, 0, NULL }
};

static const char *const n_nom[] = { "nom", "nom de famille", "family name", "last name", "lastname", "surname",
                                     NULL };
static const char *const n_prenom[] = { "prenom", "first name", "firstname", "given name", NULL };
static const char *const n_courriel[] = { "courriel", "email", "e-mail", "mail", "adresse electronique", NULL };
static const char *const n_telephone[] = { "telephone", "tel", "phone", "mobile", "portable", NULL };
static const char *const n_naissance[] = { "annee de naissance", "naissance", "birth year", "date de naissance",
                                           "dateofbirth", "birthdate", NULL };
static const char *const n_carte[] = { "numero d'adherent", "numero adherent", "numero", "carte", "cardnumber",
                                       "card number", "membership number", "member number", NULL };

static const tl_import_column tl_member_columns[] = {
    { "nom", "nom", 1, n_nom },
    { "prenom", "prénom", 1, n_prenom },
    { "courriel", "courriel", 0, n_courriel },
    { "telephone", "téléphone", 0, n_telephone },
    { "naissance", "année de naissance", 0, n_naissance },
    { "numero", "numéro d'adhérent", 0, n_carte },
    { NULL, NULL, 0, NULL }
};

static int tl_import_show(tl_req *q, const char *wanted, int status)
{
    int st = OK;

    if (!tl_admin_place(q, wanted, &st)) {
        return st;
    }
    tl_form_token(q, "gestion-import");
    q->r->status = status;
    return tl_render_page(q, "gestion-import", "Importer un fichier — gestion");
}

int tl_page_admin_import(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait"), *batch = tl_query_get(&q->query, "lot");
    long n;
    int status = OK;

    if (done && tl_valid_int(q->r->pool, "fait", done, 0, 1000000, &n) == NULL) {
        tl_view_set(q->view, "done", done);
        /* A repairs file: how many rows were new, corrected, already here. */
        if (batch && tl_valid_int(q->r->pool, "lot", batch, 1, 9223372036854775807L, &n) == NULL
            && !tl_db_view(q, "done_batch", "SELECT kind, rows_new, rows_corrected, rows_unchanged, "
                           "kind = 'reparations' AS repairs FROM tl.import_done($1, $2::bigint)", 2,
                           (const char *const[]){ q->r->user, batch }, &status)) {
            return tl_page_failed(q, status);
        }
    }
    return tl_import_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

/* The year in a birth date as files write it (1984, 12/05/1984,
 * 1984-05-12): only the year is kept (CNIL). The value itself otherwise. */
static const char *tl_import_year(apr_pool_t *p, const char *v)
{
    const char *c;

    for (c = v; *c; c++) {
        if (apr_isdigit(c[0]) && apr_isdigit(c[1]) && apr_isdigit(c[2]) && apr_isdigit(c[3])
            && !apr_isdigit(c[4]) && (c == v || !apr_isdigit(c[-1]))) {
            return apr_pstrndup(p, c, 4);
        }
    }
    return v;
}

/* The rows as a JSON array of objects keyed by our column names, each
 * with its line in the file. */
static const char *tl_import_json(apr_pool_t *p, const tl_csv_table *t, const tl_import_column *cols,
                                  const int *index, int member_file)
{
    tl_buf b;
    int r, c;

    tl_buf_init(&b, p, 256 + (size_t)t->nrows * 128);
    tl_buf_addc(&b, '[');
    for (r = 0; r < t->nrows; r++) {
        tl_buf_adds(&b, r ? ",{\"ligne\":" : "{\"ligne\":");
        tl_buf_adds(&b, apr_itoa(p, t->rows[r].line));
        for (c = 0; cols[c].key; c++) {
            const char *v;
            if (index[c] < 0) {
                continue;
            }
            v = tl_csv_cell(&t->rows[r], index[c]);
            if (member_file && strcmp(cols[c].key, "naissance") == 0) {
                v = tl_import_year(p, v);
            }
            tl_buf_adds(&b, ",\"");
            tl_buf_adds(&b, cols[c].key);
            tl_buf_adds(&b, "\":");
            tl_escape_json(&b, v, strlen(v));
        }
        tl_buf_addc(&b, '}');
    }
    tl_buf_addc(&b, ']');
    return tl_buf_cstr(&b);
}

/* An items or members file's rows as JSON for sql/logic/imports.sql, its columns found
 * by the names tools give them; NULL when a needed column is missing (the
 * message is then next to the file's field). Columns we do not keep are
 * named, so nobody thinks they were. */
static const char *tl_import_mapped(tl_req *q, const tl_csv_table *table, int kind)
{
    apr_pool_t *p = q->r->pool;
    const tl_import_column *cols = kind ? tl_member_columns : tl_item_columns;
    const char *missing = NULL, *ignored = NULL;
    int *index, n, c, i;

    for (n = 0; cols[n].key; n++) {
    }
    index = apr_pcalloc(p, sizeof(int) * (size_t)n);
    for (c = 0; c < n; c++) {
        index[c] = tl_csv_column(table, cols[c].names);
        if (index[c] < 0 && cols[c].required) {
            missing = missing ? apr_pstrcat(p, missing, ", « ", cols[c].label, " »", NULL)
                              : apr_pstrcat(p, "« ", cols[c].label, " »", NULL);
        }
    }
    if (missing) {
        const char *found = table->ncols ? table->header[0] : "";
        for (i = 1; i < table->ncols; i++) {
            found = apr_pstrcat(p, found, ", ", table->header[i], NULL);
        }
        tl_form_error(q, "fichier", apr_pstrcat(p, "Il manque la colonne ", missing, " dans la première ligne du "
                                                "fichier (colonnes trouvées : ", found, "). Rien n'a été importé.",
                                                NULL));
        return NULL;
    }
    for (i = 0; i < table->ncols; i++) {
        for (c = 0; c < n && index[c] != i; c++) {
        }
        if (c == n && *table->header[i]) {
            ignored = ignored ? apr_pstrcat(p, ignored, ", ", table->header[i], NULL) : table->header[i];
        }
    }
    tl_view_set(q->view, "ignored", ignored);
    return tl_import_json(p, table, cols, index, kind);
}

/* ---- the upload, read as it arrives ------------------------------------ */

typedef struct {
    int line;
    const char *id;
    const char *detail;
} tl_import_fault;

typedef struct {
    tl_req *q;
    int kind;                       /* -1 until the form names one */
    const char *place;
    const char *file_name;
    int file_empty;
    tl_buf whole;                   /* items, members: the file */
    /* ORDS: each record checked by the core, sent in batches */
    tl_csv_stream *csv;
    const char *csv_error;
    int header_checked;
    const char *header_error;
    tl_ords_header hdr;
    apr_pool_t *rows_pool;          /* one batch's values, cleared after it */
    tl_buf json;
    int pending;
    const char *batch;
    int db_status;                  /* a failed statement: what the page returns */
    tl_db_refusal why;
    int nread, nrefused, nnotes;
    apr_array_header_t *faults;     /* tl_import_fault, the first ones by line */
    tl_rows *notes;
} tl_import_upload;


static void tl_import_fault_add(tl_import_upload *u, int line, const char *id, const char *detail)
{
    tl_import_fault *f;

    if (u->faults->nelts >= TL_IMPORT_SHOWN) {
        return;         /* counted by the caller; only the first ones are listed */
    }
    f = &APR_ARRAY_PUSH(u->faults, tl_import_fault);
    f->line = line;
    f->id = apr_pstrdup(u->q->r->pool, id ? id : "");
    f->detail = apr_pstrdup(u->q->r->pool, detail);
}

/* Sends the rows read since the last batch to the staging table. */
static int tl_import_flush(tl_import_upload *u)
{
    const char *params[3];

    if (u->pending == 0) {
        return 1;
    }
    tl_buf_addc(&u->json, ']');
    params[0] = u->q->r->user;
    params[1] = u->batch;
    params[2] = tl_buf_cstr(&u->json);
    if (!tl_db_step(u->q, "SELECT tl.import_repair_stage($1, $2::bigint, $3::jsonb)", 3, params, &u->db_status,
                    &u->why)) {
        return 0;
    }
    apr_pool_clear(u->rows_pool);
    tl_buf_init(&u->json, u->rows_pool, 512 * 1024);
    tl_buf_addc(&u->json, '[');
    u->pending = 0;
    return 1;
}

static int tl_import_header(tl_import_upload *u, const tl_csv_stream *s)
{
    const tl_csv_table *t = tl_csv_stream_table(s);

    u->header_checked = 1;
    u->header_error = tl_ords_header_read(u->q->r->pool, t->ncols, t->header, &u->hdr);
    return u->header_error == NULL;
}

static int tl_import_record(void *ctx, const tl_csv_stream *s, const tl_csv_row *row)
{
    tl_import_upload *u = ctx;
    apr_pool_t *p = u->rows_pool;
    tl_ords_row r;
    const char *why;

    if (!u->header_checked && !tl_import_header(u, s)) {
        return 1;
    }
    u->nread++;
    if ((why = tl_ords_record(p, &u->hdr, row, &r)) != NULL) {
        u->nrefused++;
        /* Not capitalised: the reason starts with the field as the file names it. */
        tl_import_fault_add(u, row->line, r.id, apr_pstrcat(p, why, ".", NULL));
        return 0;
    }
    if (r.note) {
        if (u->nnotes++ < TL_IMPORT_SHOWN) {
            tl_rows_add(u->notes, (const char *const[]){ apr_itoa(u->q->r->pool, r.line),
                                                         apr_pstrdup(u->q->r->pool, r.id),
                                                         apr_pstrcat(u->q->r->pool, r.note, ".", NULL) });
        }
    }
    {
        const struct { const char *key, *value; } text[] = {
            { "id", r.id }, { "provider", r.data_provider }, { "country", r.country },
            { "partner", r.partner_product_category }, { "product", r.product_category }, { "brand", r.brand },
            { "age", r.product_age }, { "grp", r.group_identifier }, { "day", r.event_date },
            { "problem", r.problem }
        };
        size_t k;
        char head[160];

        apr_snprintf(head, sizeof(head), "%s{\"line\":%d,\"category_id\":%d,\"year\":%d,\"status\":%d,\"barrier\":%d",
                     u->pending ? "," : "", r.line, r.product_category_id, r.year_of_manufacture,
                     (int)r.repair_status, (int)r.barrier);
        tl_buf_adds(&u->json, head);
        for (k = 0; k < sizeof(text) / sizeof(text[0]); k++) {
            tl_buf_adds(&u->json, ",\"");
            tl_buf_adds(&u->json, text[k].key);
            tl_buf_adds(&u->json, "\":");
            tl_escape_json(&u->json, text[k].value, strlen(text[k].value));
        }
        tl_buf_addc(&u->json, '}');
    }
    if (++u->pending >= TL_IMPORT_BATCH_ROWS && !tl_import_flush(u)) {
        return 1;
    }
    return 0;
}

static int tl_import_file_begin(void *ctx, apr_table_t *fields, const tl_multipart_part *part, apr_size_t *max)
{
    static const tl_csv_limits ords_limits = { TL_IMPORT_ORDS_MAX_ROWS, 80, 10000 };
    tl_import_upload *u = ctx;
    apr_pool_t *p = u->q->r->pool;
    const char *k, *params[5];
    const tl_rows *batch;
    size_t len;

    u->place = tl_field(fields, "lieu");
    if (tl_valid_slug(p, "lieu", u->place, 64)
        || tl_field_choice(p, fields, "quoi", "quoi", tl_choices_import_kind, &u->kind)) {
        u->kind = -1;
        return 1;
    }
    /* Some browsers send the whole path: only the file's own name is shown and kept. */
    u->file_name = part->filename;
    for (k = part->filename; *k; k++) {
        if (*k == '/' || *k == '\\') {
            u->file_name = k + 1;
        }
    }
    if (!*part->filename) {
        u->file_empty = 1;
        return 1;
    }
    if (u->kind != 2) {
        *max = TL_IMPORT_MAX_BYTES;
        tl_buf_init(&u->whole, p, 64 * 1024);
        return 0;
    }
    *max = TL_IMPORT_ORDS_MAX_BYTES;
    /* One transaction from the first row staged to the preview: a file
     * refused on the way leaves nothing behind. */
    if (!tl_db_begin(u->q, &u->db_status)) {
        return 1;
    }
    params[0] = u->q->r->user;
    params[1] = u->place;
    params[2] = "reparations";
    params[3] = u->file_name;
    params[4] = "[]";
    if (!(batch = tl_db_in_tx(u->q, "SELECT tl.import_prepare($1, $2, $3, $4, $5::jsonb)", 5, params, &u->db_status,
                              &u->why))) {
        return 1;
    }
    u->batch = apr_pstrdup(p, batch->value(batch, 0, 0, &len));
    apr_pool_create(&u->rows_pool, p);
    tl_buf_init(&u->json, u->rows_pool, 512 * 1024);
    tl_buf_addc(&u->json, '[');
    u->csv = tl_csv_stream_make(p, &ords_limits, tl_import_record, u);
    return 0;
}

static int tl_import_file_data(void *ctx, const char *data, apr_size_t len)
{
    tl_import_upload *u = ctx;
    int line;

    if (u->kind != 2) {
        tl_buf_add(&u->whole, data, len);
        return 0;
    }
    if (tl_csv_stream_feed(u->csv, data, len, &u->csv_error, &line) != TL_CSV_OK) {
        return 1;
    }
    return 0;
}

static int tl_import_file_end(void *ctx)
{
    tl_import_upload *u = ctx;
    int line;

    if (u->kind != 2) {
        return 0;
    }
    if (tl_csv_stream_end(u->csv, &u->csv_error, &line) != TL_CSV_OK) {
        return 1;
    }
    if (!u->header_checked && !tl_import_header(u, u->csv)) {
        return 1;
    }
    return !tl_import_flush(u);
}

static int tl_import_fault_cmp(const void *a, const void *b)
{
    const tl_import_fault *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

/* The ORDS field named as the file's header spells it. */
static const char *tl_import_field_name(const tl_import_upload *u, const char *field)
{
    int f;

    for (f = 0; field && f < TL_ORDS_NFIELDS; f++) {
        if (strcmp(field, tl_ords_fields[f]) == 0) {
            return u->hdr.name[f];
        }
    }
    return field ? field : "";
}

/* The preview of an ORDS file once staged: the database checks every row
 * (tl.import_repair_preview) and counts new, unchanged and corrected ones.
 * With no refused row the batch is kept for the confirmation; otherwise
 * nothing is. */
static int tl_import_ords_preview(tl_import_upload *u)
{
    tl_req *q = u->q;
    apr_pool_t *p = q->r->pool;
    static const char *const cols[] = { "line", "label", "detail", NULL };
    const tl_rows *pv;
    tl_rows *refused = tl_rows_make(p, cols), *changes = tl_rows_make(p, cols);
    long n_new = 0, n_same = 0, n_fixed = 0, n_bad = 0;
    int i, bad;
    size_t len;

    if (u->db_status != OK) {
        static const tl_change_rule rules[] = {
            { TL_CHANGE_FORBIDDEN, NULL, NULL },
            { NULL, "fichier", "%S Rien n'a été importé." }
        };
        int status = u->db_status;
        return tl_change_refusal(q, &u->why, rules, NULL, 0, &status) < 0
               ? status : tl_import_show(q, u->place, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (u->csv_error || u->header_error) {
        tl_db_end(q, 0, NULL, NULL);
        tl_form_error(q, "fichier", apr_pstrcat(p, u->csv_error ? u->csv_error : u->header_error,
                                                " Rien n'a été importé.", NULL));
        return tl_import_show(q, u->place, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (u->nread == 0) {
        tl_db_end(q, 0, NULL, NULL);
        tl_form_error(q, "fichier", "Ce fichier n'a que sa ligne de titres : aucune ligne à importer.");
        return tl_import_show(q, u->place, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (!(pv = tl_db_in_tx(q, "SELECT kind, line, ext_id, field, detail, n FROM tl.import_repair_preview($1, "
                           "$2::bigint)", 2, (const char *const[]){ q->r->user, u->batch }, &u->db_status, &u->why))) {
        return tl_page_failed(q, u->db_status == HTTP_UNPROCESSABLE_ENTITY ? HTTP_INTERNAL_SERVER_ERROR : u->db_status);
    }
    for (i = 0; i < pv->count(pv); i++) {
        const char *kind = pv->value(pv, i, 0, &len), *line = pv->value(pv, i, 1, &len);
        const char *id = pv->value(pv, i, 2, &len), *field = pv->value(pv, i, 3, &len);
        const char *detail = pv->value(pv, i, 4, &len), *n = pv->value(pv, i, 5, &len);

        if (strcmp(kind, "count") == 0) {
            long v = atol(n);
            if (strcmp(detail, "new") == 0) {
                n_new = v;
            }
            else if (strcmp(detail, "unchanged") == 0) {
                n_same = v;
            }
            else {
                n_fixed = v;
            }
        }
        else if (strcmp(kind, "refused") == 0) {
            n_bad = atol(n);
        }
        else if (strcmp(kind, "fault") == 0) {
            tl_import_fault_add(u, atoi(line), id,
                                apr_pstrcat(p, tl_import_field_name(u, field), " : ", detail, ".", NULL));
        }
        else {
            tl_rows_add(changes, (const char *const[]){ line, id, apr_pstrcat(p, tl_import_field_name(u, field), " : ",
                                                                             detail, NULL) });
        }
    }
    bad = u->nrefused + (int)n_bad;
    qsort(u->faults->elts, (size_t)u->faults->nelts, sizeof(tl_import_fault), tl_import_fault_cmp);
    for (i = 0; i < u->faults->nelts && i < TL_IMPORT_SHOWN; i++) {
        const tl_import_fault *f = &APR_ARRAY_IDX(u->faults, i, tl_import_fault);
        tl_rows_add(refused, (const char *const[]){ apr_itoa(p, f->line), f->id, f->detail });
    }
    if (!tl_db_end(q, bad == 0, &u->db_status, &u->why)) {
        return tl_page_failed(q, u->db_status == HTTP_UNPROCESSABLE_ENTITY ? HTTP_INTERNAL_SERVER_ERROR : u->db_status);
    }
    tl_view_set(q->view, "repairs", "t");
    tl_view_set(q->view, "file_name", u->file_name);
    tl_view_set(q->view, "converted", tl_csv_stream_table(u->csv)->converted ? "t" : NULL);
    if (u->hdr.nignored) {
        const char *ignored = u->hdr.ignored[0];
        for (i = 1; i < u->hdr.nignored; i++) {
            ignored = apr_pstrcat(p, ignored, ", ", u->hdr.ignored[i], NULL);
        }
        tl_view_set(q->view, "ignored", ignored);
    }
    tl_view_rows(q->view, "refused", refused);
    tl_view_rows(q->view, "notes", u->notes);
    tl_view_rows(q->view, "changes", changes);
    tl_view_set(q->view, "count_rows", apr_itoa(p, u->nread));
    tl_view_set(q->view, "count_new", apr_ltoa(p, n_new));
    tl_view_set(q->view, "count_same", apr_ltoa(p, n_same));
    tl_view_set(q->view, "count_fixed", apr_ltoa(p, n_fixed));
    tl_view_set(q->view, "count_ok", apr_ltoa(p, n_new + n_fixed));
    tl_view_set(q->view, "count_bad", apr_itoa(p, bad));
    tl_view_set(q->view, "count_notes", u->nnotes ? apr_itoa(p, u->nnotes) : NULL);
    tl_view_set(q->view, "more_bad", bad > refused->count(refused) ? apr_itoa(p, bad - refused->count(refused)) : NULL);
    tl_view_set(q->view, "more_fixed", n_fixed > TL_IMPORT_SHOWN ? apr_ltoa(p, n_fixed - TL_IMPORT_SHOWN) : NULL);
    tl_view_set(q->view, "kind_label", "réparations");
    tl_view_set(q->view, "preview", "t");
    if (bad == 0) {
        tl_view_set(q->view, "batch_id", u->batch);
        tl_view_set(q->view, "ready", "t");
    }
    return tl_import_show(q, u->place, HTTP_OK);
}

int tl_page_admin_import_post(tl_req *q)
{
    static const tl_csv_limits limits = { 50000, 80, 10000 };
    static const tl_form_file_handler handler = { tl_import_file_begin, tl_import_file_data, tl_import_file_end };
    static const char *const result_cols[] = { "line", "label", "detail", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    tl_import_upload u;
    tl_csv_table table;
    const char *err = NULL, *params[5], *json;
    const tl_rows *batch, *report;
    tl_rows *created, *refused;
    int rc, status = OK, kind, err_line = 0, i, bad = 0;
    size_t len;

    memset(&u, 0, sizeof(u));
    u.q = q;
    u.kind = -1;
    u.faults = apr_array_make(p, 16, sizeof(tl_import_fault));
    u.notes = tl_rows_make(p, result_cols);
    /* Where the form is, for the "too large" page's link back to it. */
    tl_view_set(q->view, "back_url", apr_pstrcat(p, q->base, "/gestion/import", NULL));
    tl_view_set(q->view, "back_label", "Revenir au formulaire d'import");
    if (!tl_form_read_stream(q, "gestion-import", TL_IMPORT_ORDS_MAX_BYTES, &handler, &u, &f, &rc)) {
        return rc;
    }
    if (u.kind < 0) {
        tl_db_end(q, 0, NULL, NULL);
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu ou de fichier.");
    }
    kind = u.kind;
    tl_view_set(q->view, kind == 2 ? "f_reparations" : kind ? "f_adherents" : "f_objets", "t");
    if (u.file_empty || !u.file_name || (kind != 2 && u.whole.len == 0)) {
        tl_db_end(q, 0, NULL, NULL);
        tl_form_error(q, "fichier", "Choisissez le fichier CSV à importer (il est vide ou absent).");
        return tl_import_show(q, u.place, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (kind == 2) {
        return tl_import_ords_preview(&u);
    }
    tl_view_set(q->view, "file_name", u.file_name);
    if (tl_csv_read(p, u.whole.data, u.whole.len, &limits, &table, &err, &err_line) != TL_CSV_OK) {
        tl_form_error(q, "fichier", apr_pstrcat(p, err, " Rien n'a été importé.", NULL));
        return tl_import_show(q, u.place, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (table.nrows == 0) {
        tl_form_error(q, "fichier", "Ce fichier n'a que sa ligne de titres : aucune ligne à importer.");
        return tl_import_show(q, u.place, HTTP_UNPROCESSABLE_ENTITY);
    }
    tl_view_set(q->view, "converted", table.converted ? "t" : NULL);
    tl_view_set(q->view, "kind_label", kind ? "adhérents" : "objets");
    created = tl_rows_make(p, result_cols);
    refused = tl_rows_make(p, result_cols);
    if (!(json = tl_import_mapped(q, &table, kind))) {
        return tl_import_show(q, u.place, HTTP_UNPROCESSABLE_ENTITY);
    }
    params[0] = q->r->user;
    params[1] = u.place;
    params[2] = tl_choices_import_kind[kind];
    params[3] = u.file_name;
    params[4] = json;
    if (!(batch = tl_admin_view(q, "batch", "SELECT tl.import_prepare($1, $2, $3, $4, $5::jsonb) AS id", 5, params,
                                &status))) {
        return status;
    }
    params[1] = batch->value(batch, 0, 0, &len);
    if (!(report = tl_db_query(q, "SELECT line, label, outcome, error FROM tl.import_run($1, $2::bigint, false)", 2,
                               params, &status))) {
        return tl_page_failed(q, status);
    }
    for (i = 0; i < report->count(report); i++) {
        const char *line = report->value(report, i, 0, &len), *label = report->value(report, i, 1, &len);
        const char *outcome = report->value(report, i, 2, &len), *error = report->value(report, i, 3, &len);
        if (error) {
            tl_rows_add(refused, (const char *const[]){ line, label, tl_form_sentence(p, error) });
            bad++;
        }
        else if (i - bad < TL_IMPORT_SHOWN) {
            tl_rows_add(created, (const char *const[]){ line, label, outcome });
        }
    }
    tl_view_rows(q->view, "created", created);
    tl_view_rows(q->view, "refused", refused);
    tl_view_set(q->view, "count_ok", apr_itoa(p, report->count(report) - bad));
    tl_view_set(q->view, "count_bad", apr_itoa(p, bad));
    tl_view_set(q->view, "more", report->count(report) - bad > TL_IMPORT_SHOWN
                                 ? apr_itoa(p, report->count(report) - bad - TL_IMPORT_SHOWN) : NULL);
    tl_view_set(q->view, "batch_id", params[1]);
    tl_view_set(q->view, "preview", "t");
    tl_view_set(q->view, "ready", bad == 0 ? "t" : NULL);
    return tl_import_show(q, u.place, HTTP_OK);
}

int tl_page_admin_import_confirm(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *batch;
    const tl_rows *report = NULL;
    long id;
    int rc, status;

    if (!tl_form_read(q, "gestion-import", &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    batch = tl_field(f, "lot");
    if (!place || tl_valid_slug(p, "lieu", place, 64) || tl_valid_int(p, "lot", batch, 1, 9223372036854775807L, &id)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'import.");
    }
    {
        /* The rows written: items or members created, repairs added or
         * corrected (tl.import_confirm); a refusal names its lines. */
        const char *params[] = { q->r->user, batch };
        rc = tl_change(q, "SELECT tl.import_confirm($1, $2::bigint)", 2, params, NULL, "fichier", &status,
                       &report);
    }
    if (rc < 0) {
        return status;
    }
    if (rc == 0) {
        return tl_import_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
    }
    {
        size_t len;
        return tl_form_done(q, tl_url_build(p, "/gestion/import",
                                            (const char *const[]){ "lieu", place, "lot", batch, "fait",
                                                                   report->value(report, 0, 0, &len), NULL }));
    }
}
