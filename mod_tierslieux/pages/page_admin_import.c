/* Imports in the back office: a CSV file of items or members, as a
 * spreadsheet, Lend Engine, Koha or Circulate exports it. The file is read
 * here (tl_csv_read: BOM, ";" or ",", Windows line ends, Windows-1252), its
 * columns found by the names those tools give them, and its rows handed to
 * the database as JSON (sql/019). The preview shows every row that cannot
 * be imported with its line and reason; confirming imports all or nothing. */
#include <apr_strings.h>
#include <apr_lib.h>
#include "tl_admin.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_valid.h"
#include "tl_csv_read.h"
#include "tl_escape.h"
#include "tl_ords.h"

#define TL_IMPORT_MAX_BYTES (8 * 1024 * 1024)
#define TL_IMPORT_SHOWN 100          /* rows shown in the preview's "to be created" table */

/* A column of ours and the names files give it, in order of preference. */
typedef struct {
    const char *key;                /* the JSON key sql/019 reads */
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
    const char *done = tl_query_get(&q->query, "fait");
    long n;

    if (done && tl_valid_int(q->r->pool, "fait", done, 0, 1000000, &n) == NULL) {
        tl_view_set(q->view, "done", done);
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

/* An items or members file's rows as JSON for sql/019, its columns found
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

/* An ORDS v0.3 file's rows (tl_ords_read checks the header, labels,
 * categories and dates) as JSON for sql/022; NULL when the header is not
 * ORDS's. Rows the reader refuses go into refused, with their line. */
static const char *tl_import_ords(tl_req *q, const tl_csv_table *table, tl_rows *refused)
{
    apr_pool_t *p = q->r->pool;
    tl_ords_import imp;
    const char *err = tl_ords_read(p, table, &imp), *ignored = NULL;
    tl_buf b;
    int i;

    if (err) {
        tl_form_error(q, "fichier", apr_pstrcat(p, err, " Rien n'a été importé.", NULL));
        return NULL;
    }
    for (i = 0; i < imp.nignored; i++) {
        ignored = ignored ? apr_pstrcat(p, ignored, ", ", imp.ignored[i], NULL) : imp.ignored[i];
    }
    tl_view_set(q->view, "ignored", ignored);
    for (i = 0; i < imp.nerrors; i++) {
        tl_rows_add(refused, (const char *const[]){ apr_itoa(p, imp.errors[i].line), "",
                                                    tl_form_sentence(p, imp.errors[i].reason) });
    }
    tl_buf_init(&b, p, 256 + (size_t)imp.nrows * 256);
    tl_buf_addc(&b, '[');
    for (i = 0; i < imp.nrows; i++) {
        const tl_ords_row *r = &imp.rows[i];
        const struct { const char *key, *value; } text[] = {
            { "id", r->id }, { "provider", r->data_provider }, { "country", r->country },
            { "partner", r->partner_product_category }, { "product", r->product_category }, { "brand", r->brand },
            { "age", r->product_age }, { "grp", r->group_identifier }, { "day", r->event_date },
            { "problem", r->problem }
        };
        size_t k;
        tl_buf_adds(&b, apr_psprintf(p, "%s{\"ligne\":%d,\"category_id\":%d,\"year\":%d,\"status\":%d,"
                                        "\"barrier\":%d", i ? "," : "", r->line, r->product_category_id,
                                     r->year_of_manufacture, (int)r->repair_status, (int)r->barrier));
        for (k = 0; k < sizeof(text) / sizeof(text[0]); k++) {
            tl_buf_adds(&b, ",\"");
            tl_buf_adds(&b, text[k].key);
            tl_buf_adds(&b, "\":");
            tl_escape_json(&b, text[k].value, strlen(text[k].value));
        }
        tl_buf_addc(&b, '}');
    }
    tl_buf_addc(&b, ']');
    return tl_buf_cstr(&b);
}

int tl_page_admin_import_post(tl_req *q)
{
    static const tl_csv_limits limits = { 50000, 80, 10000 };
    static const char *const result_cols[] = { "line", "label", "detail", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    tl_multipart upload;
    const tl_multipart_part *file;
    tl_csv_table table;
    const char *place, *err = NULL, *params[5], *file_name, *json;
    const tl_rows *batch, *report;
    tl_rows *created, *refused;
    int rc, status = OK, kind, err_line = 0, i, bad = 0;
    size_t len;

    if (!tl_form_read_upload(q, "gestion-import", TL_IMPORT_MAX_BYTES, &f, &upload, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    if (!place || tl_valid_slug(p, "lieu", place, 64) || tl_field_choice(p, f, "quoi", "quoi", tl_choices_import_kind,
                                                                          &kind)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu ou de fichier.");
    }
    tl_view_set(q->view, kind == 2 ? "f_reparations" : kind ? "f_adherents" : "f_objets", "t");
    file = tl_multipart_get(&upload, "fichier");
    if (!file || !file->filename || !*file->filename || file->len == 0) {
        tl_form_error(q, "fichier", "Choisissez le fichier CSV à importer (il est vide ou absent).");
        return tl_import_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
    }
    {
        /* Some browsers send the whole path: only the file's own name is shown and kept. */
        const char *k;
        file_name = file->filename;
        for (k = file->filename; *k; k++) {
            if (*k == '/' || *k == '\\') {
                file_name = k + 1;
            }
        }
    }
    tl_view_set(q->view, "file_name", file_name);
    if (tl_csv_read(p, file->data, file->len, &limits, &table, &err, &err_line) != TL_CSV_OK) {
        tl_form_error(q, "fichier", apr_pstrcat(p, err, " Rien n'a été importé.", NULL));
        return tl_import_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (table.nrows == 0) {
        tl_form_error(q, "fichier", "Ce fichier n'a que sa ligne de titres : aucune ligne à importer.");
        return tl_import_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
    }
    tl_view_set(q->view, "converted", table.converted ? "t" : NULL);
    tl_view_set(q->view, "kind_label", kind == 2 ? "réparations" : kind ? "adhérents" : "objets");
    created = tl_rows_make(p, result_cols);
    refused = tl_rows_make(p, result_cols);
    json = kind == 2 ? tl_import_ords(q, &table, refused) : tl_import_mapped(q, &table, kind);
    if (!json) {
        return tl_import_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
    }
    if (refused->count(refused) > 0) {
        /* Rows the reader refused: nothing goes to the database. */
        tl_view_rows(q->view, "refused", refused);
        tl_view_set(q->view, "count_ok", apr_itoa(p, table.nrows - refused->count(refused)));
        tl_view_set(q->view, "count_bad", apr_itoa(p, refused->count(refused)));
        tl_view_set(q->view, "preview", "t");
        return tl_import_show(q, place, HTTP_OK);
    }

    params[0] = q->r->user;
    params[1] = place;
    params[2] = tl_choices_import_kind[kind];
    params[3] = file_name;
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
    return tl_import_show(q, place, HTTP_OK);
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
        const char *params[] = { q->r->user, batch };
        rc = tl_admin_change(q, "SELECT count(*) FROM tl.import_run($1, $2::bigint, true)", 2, params, NULL,
                             "fichier", &status, &report);
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
                                            (const char *const[]){ "lieu", place, "fait",
                                                                   report->value(report, 0, 0, &len), NULL }));
    }
}
