#include <string.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "unit.h"
#include "tl_csv_read.h"
#include "tl_buf.h"

#ifndef TL_ORDS_DATA
#define TL_ORDS_DATA TL_SRCDIR "/../shared/data/ords"
#endif

static apr_pool_t *pool;
static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

static const tl_csv_limits limits = { 100, 20, 200 };

static tl_csv_status read_lim(const char *data, size_t len, const tl_csv_limits *lim, tl_csv_table *t,
                              const char **err, int *line)
{
    /* An exact-size copy, so reading past the end trips ASan in a sanitizer
     * build. */
    char *copy = apr_pmemdup(pool, data, len ? len : 1);
    return tl_csv_read(pool, copy, len, lim, t, err, line);
}

static tl_csv_status read_csv(const char *data, tl_csv_table *t, const char **err, int *line)
{
    return read_lim(data, strlen(data), &limits, t, err, line);
}

/* What LibreOffice or Excel in French writes with "CSV UTF-8". */
START_TEST(bom_semicolon_crlf_accents)
{
    static const char data[] = "\xEF\xBB\xBF"
                               "Code-barres;Désignation;Catégorie\r\n"
                               "OT-0001;Scie sauteuse électrique;Bricolage\r\n"
                               "OT-0002;Perceuse à percussion;Bricolage\r\n";
    tl_csv_table t;
    const char *err = NULL;
    int line = -1;

    ck_assert_int_eq(read_csv(data, &t, &err, &line), TL_CSV_OK);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(line, 0);
    ck_assert_int_eq(t.sep, ';');
    ck_assert_int_eq(t.converted, 0);
    ck_assert_int_eq(t.header_line, 1);
    ck_assert_int_eq(t.ncols, 3);
    ck_assert_str_eq(t.header[0], "Code-barres");       /* no BOM left in front */
    ck_assert_str_eq(t.header[1], "Désignation");
    ck_assert_int_eq(t.nrows, 2);
    ck_assert_int_eq(t.rows[0].line, 2);
    ck_assert_int_eq(t.rows[0].n, 3);
    ck_assert_str_eq(t.rows[0].fields[0], "OT-0001");
    ck_assert_str_eq(t.rows[0].fields[1], "Scie sauteuse électrique");
    ck_assert_int_eq(t.rows[1].line, 3);
    ck_assert_str_eq(t.rows[1].fields[1], "Perceuse à percussion");
}
END_TEST

/* Quotes: a separator and a line break inside a cell, doubled quotes, and
 * the line numbers that follow. */
START_TEST(quoted_fields_and_line_numbers)
{
    static const char data[] = "Code;Description;État\r\n"
                               "OT-1;\"Tondeuse; thermique\r\nà révisions\";bon\r\n"
                               "OT-2;\"Scie dite \"\"la Rapide\"\"\";usé\r\n"
                               "OT-3;\"\";\"\r\n\r\n\"\r\n"
                               "OT-4;12\" pouces;\"neuf\" ou presque\r\n";
    tl_csv_table t;
    const char *err = NULL;
    int line = 0;

    ck_assert_int_eq(read_csv(data, &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(t.nrows, 4);
    ck_assert_int_eq(t.rows[0].line, 2);
    /* The line break inside a cell reads as \n, whatever the file's. */
    ck_assert_str_eq(t.rows[0].fields[1], "Tondeuse; thermique\nà révisions");
    ck_assert_str_eq(t.rows[0].fields[2], "bon");
    ck_assert_int_eq(t.rows[1].line, 4);
    ck_assert_str_eq(t.rows[1].fields[1], "Scie dite \"la Rapide\"");
    ck_assert_int_eq(t.rows[2].line, 5);
    ck_assert_int_eq(t.rows[2].n, 3);
    ck_assert_str_eq(t.rows[2].fields[1], "");
    ck_assert_str_eq(t.rows[2].fields[2], "\n\n");
    ck_assert_int_eq(t.rows[3].line, 8);
    /* Quotes that are not RFC 4180 are kept as spreadsheets keep them. */
    ck_assert_str_eq(t.rows[3].fields[1], "12\" pouces");
    ck_assert_str_eq(t.rows[3].fields[2], "neuf ou presque");
}
END_TEST

/* Excel on Windows: "CSV (séparateur : point-virgule)" is Windows-1252. */
START_TEST(windows_1252_is_converted)
{
    static const char data[] = "Code;D\xe9signation;Prix\r\n"
                               "OT-1;Scie sauteuse \xe9lectrique;5 \x80\r\n"
                               "OT-2;\x8c" "uf \xe0 la coque \x96 moule;0\r\n";
    tl_csv_table t;
    const char *err = NULL;
    int line = 0;

    ck_assert_int_eq(read_csv(data, &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(t.converted, 1);
    ck_assert_str_eq(t.header[1], "Désignation");
    ck_assert_str_eq(t.rows[0].fields[1], "Scie sauteuse électrique");
    ck_assert_str_eq(t.rows[0].fields[2], "5 €");
    ck_assert_str_eq(t.rows[1].fields[1], "Œuf à la coque – moule");
}
END_TEST

/* UTF-8 with one broken character: converting would garble every other
 * accent, so it is refused at its line. */
START_TEST(broken_utf8_is_refused_with_its_line)
{
    static const char mixed[] = "Code;Désignation\r\nOT-1;Scie\r\nOT-2;Perceuse \xe9lectrique\r\n";
    static const char undefined_1252[] = "Code;Nom\nOT-1;a\x81z\n";
    tl_csv_table t;
    const char *err = NULL;
    int line = 0;

    ck_assert_int_eq(read_csv(mixed, &t, &err, &line), TL_CSV_BAD_UTF8);
    ck_assert_int_eq(line, 3);
    ck_assert_str_eq(err, "Ligne 3 : le fichier contient des caractères mal codés : enregistrez-le depuis le "
                          "tableur au format « CSV UTF-8 ».");
    /* 0x81 is neither UTF-8 nor Windows-1252. */
    ck_assert_int_eq(read_csv(undefined_1252, &t, &err, &line), TL_CSV_BAD_UTF8);
    ck_assert_int_eq(line, 2);
    /* A UTF-8 byte-order mark says UTF-8: no guessing after it. */
    ck_assert_int_eq(read_csv("\xEF\xBB\xBF" "Code\r\n\r\n\xe9t\xe9\r\n", &t, &err, &line), TL_CSV_BAD_UTF8);
    ck_assert_int_eq(line, 3);
}
END_TEST

START_TEST(binary_file_is_not_csv)
{
    /* The start of an .xlsx: a zip. */
    static const char xlsx[] = "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00";
    /* Excel's "Texte Unicode": UTF-16LE. */
    static const char utf16[] = "\xff\xfe" "C\0o\0d\0e\0\t\0N\0o\0m\0";
    /* One NUL in an otherwise fine file. */
    static const char nul[] = "Code;Nom\r\nOT-1;a\0b\r\n";
    tl_csv_table t;
    const char *err = NULL;
    int line = -1;

    ck_assert_int_eq(read_lim(xlsx, sizeof(xlsx) - 1, &limits, &t, &err, &line), TL_CSV_NOT_TEXT);
    ck_assert_str_eq(err, "Ce fichier n'est pas un CSV : enregistrez-le depuis le tableur au format CSV (UTF-8).");
    ck_assert_int_eq(line, 0);
    ck_assert_int_eq(read_lim(utf16, sizeof(utf16) - 1, &limits, &t, &err, &line), TL_CSV_NOT_TEXT);
    ck_assert_int_eq(read_lim(nul, sizeof(nul) - 1, &limits, &t, &err, &line), TL_CSV_NOT_TEXT);
}
END_TEST

START_TEST(unterminated_quote_names_its_line)
{
    static const char data[] = "Code;Nom\r\nOT-1;Scie\r\n\r\nOT-2;\"Perceuse\r\nOT-3;Ponceuse\r\n";
    tl_csv_table t;
    const char *err = NULL;
    int line = 0;

    ck_assert_int_eq(read_csv(data, &t, &err, &line), TL_CSV_UNTERMINATED_QUOTE);
    ck_assert_int_eq(line, 4);
    ck_assert_str_eq(err, "Ligne 4 : un guillemet (\") ouvert ici n'est jamais refermé.");
    /* A doubled quote at the very end does not close the field. */
    ck_assert_int_eq(read_csv("Code\n\"a\"\"", &t, &err, &line), TL_CSV_UNTERMINATED_QUOTE);
    ck_assert_int_eq(line, 2);
}
END_TEST

/* Empty lines anywhere, the ";;;" of a blank spreadsheet row, LF and lone
 * CR line ends: skipped, and the line numbers still match the file. */
START_TEST(empty_lines_and_line_ends)
{
    static const char data[] = "\n\r\n"
                               "Code;Nom;Lieu\n"
                               "OT-1;Scie;\r"
                               ";;\r\n"
                               "\r"
                               "OT-2;;La Fabrique\n"
                               " ; ;\n"
                               "OT-3;Râteau\n"
                               "\n\n";
    tl_csv_table t;
    const char *err = NULL;
    int line = 0;

    ck_assert_int_eq(read_csv(data, &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(t.header_line, 3);
    ck_assert_int_eq(t.nrows, 4);
    ck_assert_int_eq(t.rows[0].line, 4);
    ck_assert_int_eq(t.rows[0].n, 3);
    ck_assert_str_eq(t.rows[0].fields[2], "");
    ck_assert_int_eq(t.rows[1].line, 7);
    ck_assert_str_eq(t.rows[1].fields[2], "La Fabrique");
    /* Spaces are content: only truly empty rows are skipped. */
    ck_assert_int_eq(t.rows[2].line, 8);
    ck_assert_str_eq(t.rows[2].fields[0], " ");
    ck_assert_int_eq(t.rows[3].line, 9);
    ck_assert_int_eq(t.rows[3].n, 2);
    ck_assert_str_eq(tl_csv_cell(&t.rows[3], 1), "Râteau");
    ck_assert_str_eq(tl_csv_cell(&t.rows[3], 2), "");
    ck_assert_str_eq(tl_csv_cell(&t.rows[3], -1), "");
}
END_TEST

/* Lend Engine writes ',', Koha tab-separated text; the separator comes
 * from the header line, outside quotes. */
START_TEST(separator_detected_from_header)
{
    tl_csv_table t;
    const char *err = NULL;
    int line = 0;

    ck_assert_int_eq(read_csv("\"Name; full\",Barcode,Price\nDrill,OT-1,\"1,50\"\n", &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(t.sep, ',');
    ck_assert_int_eq(t.ncols, 3);
    ck_assert_str_eq(t.header[0], "Name; full");
    ck_assert_str_eq(t.rows[0].fields[2], "1,50");
    ck_assert_int_eq(read_csv("barcode\ttitle\n39999000001\tPerceuse, sans fil\n", &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(t.sep, '\t');
    ck_assert_str_eq(t.rows[0].fields[1], "Perceuse, sans fil");
    /* A tie goes to ';', the French spreadsheets' separator. */
    ck_assert_int_eq(read_csv("Code;Prix, en euros\nOT-1;2,5\n", &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(t.sep, ';');
    ck_assert_str_eq(t.rows[0].fields[1], "2,5");
    /* One column, and header names trimmed. */
    ck_assert_int_eq(read_csv("  Code barres \nOT-1\n", &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(t.ncols, 1);
    ck_assert_str_eq(t.header[0], "Code barres");
    ck_assert_str_eq(t.rows[0].fields[0], "OT-1");
    /* A line of spaces is no header. */
    ck_assert_int_eq(read_csv("  ;  \r\n Code ; Nom\r\nOT-1;Scie\r\n", &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(t.header_line, 2);
    ck_assert_str_eq(t.header[1], "Nom");
    ck_assert_int_eq(t.rows[0].line, 3);
}
END_TEST

START_TEST(limits_and_empty_files)
{
    tl_csv_limits lim = { 2, 3, 8 };
    tl_csv_table t;
    const char *err = NULL;
    int line = 0;

    ck_assert_int_eq(read_lim("a;b\n1;2\n3;4\n", 12, &lim, &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(t.nrows, 2);
    ck_assert_int_eq(read_lim("a;b\n1;2\n3;4\n5;6\n", 16, &lim, &t, &err, &line), TL_CSV_TOO_MANY_RECORDS);
    ck_assert_str_eq(err, "Le fichier a plus de 2 lignes : découpez-le en plusieurs fichiers.");
    ck_assert_int_eq(read_lim("a;b\n1;2;3;4\n", 12, &lim, &t, &err, &line), TL_CSV_TOO_MANY_FIELDS);
    ck_assert_int_eq(line, 2);
    ck_assert_str_eq(err, "Ligne 2 : trop de colonnes (au plus 3).");
    ck_assert_int_eq(read_lim("a;b\n\n1;\"123456789\"\n", 19, &lim, &t, &err, &line), TL_CSV_FIELD_TOO_LONG);
    ck_assert_int_eq(line, 3);
    ck_assert_str_eq(err, "Ligne 3 : une case contient trop de texte (plus de 8 caractères).");
    ck_assert_int_eq(read_lim("a;b\n1;\"12345678\"\n", 17, &lim, &t, &err, &line), TL_CSV_OK);
    ck_assert_str_eq(t.rows[0].fields[1], "12345678");

    ck_assert_int_eq(read_csv("", &t, &err, &line), TL_CSV_EMPTY);
    ck_assert_str_eq(err, "Le fichier est vide : sa première ligne doit donner les titres des colonnes.");
    ck_assert_int_eq(read_csv("\xEF\xBB\xBF\r\n;;\r\n", &t, &err, &line), TL_CSV_EMPTY);
    /* A header alone is a file with nothing to import, not an error. */
    ck_assert_int_eq(read_csv("Code;Nom", &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(t.ncols, 2);
    ck_assert_int_eq(t.nrows, 0);
}
END_TEST

/* Each catalogue names its columns its own way. */
START_TEST(column_found_by_any_name)
{
    static const char *const barcode[] = { "code-barres", "code barre", "barcode", NULL };
    static const char *const title[] = { "titre", "désignation", "name", NULL };
    static const char *const category[] = { "categorie", NULL };
    static const char *const place[] = { "lieu", "site", NULL };
    tl_csv_table t;
    const char *err = NULL;
    int line = 0;

    ck_assert_int_eq(read_csv("N° inventaire;Code_Barres;DESIGNATION;Catégorie ;Œuvre\r\nx;y;z;w;v\r\n", &t, &err,
                              &line),
                     TL_CSV_OK);
    ck_assert_int_eq(tl_csv_column(&t, barcode), 1);
    ck_assert_int_eq(tl_csv_column(&t, title), 2);
    ck_assert_int_eq(tl_csv_column(&t, category), 3);
    ck_assert_int_eq(tl_csv_column(&t, (const char *const[]){ "oeuvre", NULL }), 4);
    ck_assert_int_eq(tl_csv_column(&t, (const char *const[]){ "n° inventaire", NULL }), 0);
    ck_assert_int_eq(tl_csv_column(&t, place), -1);

    /* Koha's and Lend Engine's spellings; the first name listed wins over a
     * later one even when its column comes after. */
    ck_assert_int_eq(read_csv("Title,Barcode,Code barre\n", &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(tl_csv_column(&t, barcode), 2);
    ck_assert_int_eq(tl_csv_column(&t, title), -1);
    ck_assert_int_eq(tl_csv_column(&t, (const char *const[]){ "TITLE", NULL }), 0);
    /* No-break spaces and accented capitals. */
    ck_assert_int_eq(read_csv("ÉTAT\xc2\xa0GÉNÉRAL;Numéro\xe2\x80\xaf" "d'adhérent\n", &t, &err, &line), TL_CSV_OK);
    ck_assert_int_eq(tl_csv_column(&t, (const char *const[]){ "etat general", NULL }), 0);
    ck_assert_int_eq(tl_csv_column(&t, (const char *const[]){ "numero d'adherent", NULL }), 1);
    ck_assert_int_eq(tl_csv_column(&t, (const char *const[]){ "numero", NULL }), -1);
}
END_TEST

/* ---- the same files read as they arrive ---- */

typedef struct {
    const tl_csv_table *whole;
    int next;
    int mismatch;
} stream_check;

static int same_record(void *ctx, const tl_csv_stream *s, const tl_csv_row *row)
{
    stream_check *c = ctx;
    const tl_csv_row *w;
    int k;

    (void)s;
    if (c->next >= c->whole->nrows) {
        c->mismatch = 1;
        return 1;
    }
    w = &c->whole->rows[c->next++];
    if (w->line != row->line || w->n != row->n) {
        c->mismatch = 1;
        return 1;
    }
    for (k = 0; k < row->n; k++) {
        if (strcmp(w->fields[k], row->fields[k]) != 0) {
            c->mismatch = 1;
            return 1;
        }
    }
    return 0;
}

/* Reads data in chunks of size chunk with the stream and checks it gives
 * exactly what tl_csv_read gives: header, line numbers, fields, status. */
static void assert_stream_same(const char *data, size_t len, const tl_csv_limits *lim, size_t chunk)
{
    tl_csv_table whole;
    const char *err, *serr = NULL;
    int line, sline = 0;
    tl_csv_status st = read_lim(data, len, lim, &whole, &err, &line), sst = TL_CSV_OK;
    stream_check c = { &whole, 0, 0 };
    apr_pool_t *sp;
    tl_csv_stream *s;
    size_t off;

    apr_pool_create(&sp, pool);
    s = tl_csv_stream_make(sp, lim, same_record, &c);
    for (off = 0; off < len && sst == TL_CSV_OK; off += chunk) {
        sst = tl_csv_stream_feed(s, data + off, len - off < chunk ? len - off : chunk, &serr, &sline);
    }
    if (sst == TL_CSV_OK) {
        sst = tl_csv_stream_end(s, &serr, &sline);
    }
    ck_assert_int_eq(c.mismatch, 0);
    ck_assert_int_eq(sst, st);
    if (st == TL_CSV_OK) {
        const tl_csv_table *t = tl_csv_stream_table(s);
        int k;
        ck_assert_int_eq(c.next, whole.nrows);
        ck_assert_int_eq(t->nrows, whole.nrows);
        ck_assert_int_eq(t->ncols, whole.ncols);
        ck_assert_int_eq(t->sep, whole.sep);
        ck_assert_int_eq(t->converted, whole.converted);
        ck_assert_int_eq(t->header_line, whole.header_line);
        for (k = 0; k < whole.ncols; k++) {
            ck_assert_str_eq(t->header[k], whole.header[k]);
        }
    }
    else {
        ck_assert_int_eq(sline, line);
        ck_assert_str_eq(serr, err);
    }
    apr_pool_destroy(sp);
}

START_TEST(stream_reads_as_the_whole_file_does)
{
    static const char *const texts[] = {
        "\xEF\xBB\xBFTitre;Catégorie\r\nScie;\"outil\r\nà main\"\r\n;;\r\n\r\nPince;\"12\" pouces\"\r\n",
        "a,b\rc,d\re,\"f\"\"g\"\r",
        "\n\n  x \t y\n1\t2\n",
        "nom;pr\xe9" "nom\r\nL\xe9" "a;Zo\xe9\r\n",         /* Windows-1252 */
        "nom;prénom\nLéa;Zo\xe9\n",                       /* mixed: refused at its line */
        "a;b\n\"never closed;x\n",
        "a;b\n1;2",                                        /* no final line end */
        "",
        "a\0b\n",
    };
    static const size_t chunks[] = { 1, 2, 3, 5, 64, 100000 };
    size_t i, k;

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        size_t len = i == sizeof(texts) / sizeof(texts[0]) - 1 ? 5 : strlen(texts[i]);
        for (k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
            assert_stream_same(texts[i], len, &limits, chunks[k]);
        }
    }
}
END_TEST

/* Every published Open Repair Data file: the same records by stream. */
START_TEST(stream_reads_the_published_files)
{
    static const char *const files[] = {
        "OpenRepairData_v0.3_RepairCafeToronto_202507.csv", "OpenRepairData_v0.3_FixitClinic_202507.csv",
        "OpenRepairData_v0.3_RepairCafeWales_202407.csv", "OpenRepairData_v0.3_RestartProject_202204.csv",
        "OpenRepairData_v0.3_anstiftung_202309.csv", "OpenRepairData_v0.3_RepairCafeDenmark_202507.csv",
    };
    static const tl_csv_limits big = { 100000, 64, 65536 };
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char *data;
        apr_size_t len;
        ck_assert_int_eq(tl_read_file(pool, apr_pstrcat(pool, TL_ORDS_DATA, "/", files[i], NULL), &data, &len),
                         APR_SUCCESS);
        assert_stream_same(data, len, &big, 8191);
        assert_stream_same(data, len, &big, 65536);
    }
}
END_TEST

Suite *tl_csv_read_suite(void)
{
    Suite *s = suite_create("csv_read");
    TCase *tc = tcase_create("reading");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, bom_semicolon_crlf_accents);
    tcase_add_test(tc, quoted_fields_and_line_numbers);
    tcase_add_test(tc, windows_1252_is_converted);
    tcase_add_test(tc, broken_utf8_is_refused_with_its_line);
    tcase_add_test(tc, binary_file_is_not_csv);
    tcase_add_test(tc, unterminated_quote_names_its_line);
    tcase_add_test(tc, empty_lines_and_line_ends);
    tcase_add_test(tc, separator_detected_from_header);
    tcase_add_test(tc, limits_and_empty_files);
    tcase_add_test(tc, column_found_by_any_name);
    tcase_add_test(tc, stream_reads_as_the_whole_file_does);
    tcase_add_test(tc, stream_reads_the_published_files);
    suite_add_tcase(s, tc);
    return s;
}
