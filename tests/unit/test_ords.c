#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_file_info.h>
#include "unit.h"
#include "tl_ords.h"
#include "tl_buf.h"

#ifndef TL_ORDS_DATA
#define TL_ORDS_DATA TL_SRCDIR "/../shared/data/ords"
#endif

static apr_pool_t *pool;
static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

static const tl_csv_limits limits = { 100000, 64, 65536 };

/* The real files sit next to the project (../shared/data/ords), never in
 * it: a missing folder or file fails the test that needs it, saying which. */
static const char *data_file(const char *name)
{
    apr_finfo_t fi;
    const char *path = apr_pstrcat(pool, TL_ORDS_DATA, "/", name, NULL);

    ck_assert_msg(apr_stat(&fi, path, APR_FINFO_TYPE, pool) == APR_SUCCESS && fi.filetype == APR_REG,
                  "test_ords: the data file %s is missing (the published ORDS files belong in "
                  "../shared/data/ords, beside the checkout)", path);
    return path;
}

static char *slurp(const char *path, size_t *len)
{
    char *data;
    apr_size_t n;

    ck_assert_int_eq(tl_read_file(pool, path, &data, &n), APR_SUCCESS);
    *len = n;
    return data;
}

static void read_ords(const char *data, size_t len, tl_ords_import *im)
{
    tl_csv_table t;
    const char *err = NULL, *msg;

    ck_assert_int_eq(tl_csv_read(pool, data, len, &limits, &t, &err, NULL), TL_CSV_OK);
    msg = tl_ords_read(pool, &t, im);
    ck_assert_msg(msg == NULL, "%s", msg);
}

static const char *write_all(const tl_ords_import *im, int flags)
{
    tl_buf b;
    tl_ords_writer w;
    int i;

    tl_buf_init(&b, pool, 4096);
    tl_ords_writer_init(&w, &b, flags);
    for (i = 0; i < im->nrows; i++) {
        tl_ords_writer_row(&w, &im->rows[i]);
    }
    return tl_buf_cstr(&b);
}

static void assert_same_row(const tl_ords_row *a, const tl_ords_row *b)
{
    ck_assert_str_eq(a->id, b->id);
    ck_assert_str_eq(a->data_provider, b->data_provider);
    ck_assert_str_eq(a->country, b->country);
    ck_assert_str_eq(a->partner_product_category, b->partner_product_category);
    ck_assert_str_eq(a->product_category, b->product_category);
    ck_assert_int_eq(a->product_category_id, b->product_category_id);
    ck_assert_str_eq(a->brand, b->brand);
    ck_assert_int_eq(a->year_of_manufacture, b->year_of_manufacture);
    ck_assert_str_eq(a->product_age, b->product_age);
    ck_assert_int_eq(a->repair_status, b->repair_status);
    ck_assert_int_eq(a->barrier, b->barrier);
    ck_assert_str_eq(a->group_identifier, b->group_identifier);
    ck_assert_str_eq(a->event_date, b->event_date);
    ck_assert_str_eq(a->problem, b->problem);
}

/* Every row of a published file is accepted, and reading back what we
 * write gives the same rows, then the same bytes. */
static void real_file(const char *name, int rows, const int *status, const int *barrier)
{
    const char *path = data_file(name), *out, *again_out;
    char *data;
    size_t len;
    tl_ords_import im, again;
    int count[4] = { 0, 0, 0, 0 }, bars[7] = { 0, 0, 0, 0, 0, 0, 0 }, i;

    data = slurp(path, &len);
    read_ords(data, len, &im);
    for (i = 0; i < im.nerrors && i < 5; i++) {
        fprintf(stderr, "%s line %d: %s\n", name, im.errors[i].line, im.errors[i].reason);
    }
    ck_assert_int_eq(im.nerrors, 0);
    ck_assert_int_eq(im.nignored, 0);
    ck_assert_int_eq(im.nrows, rows);
    for (i = 0; i < im.nrows; i++) {
        count[im.rows[i].repair_status]++;
        bars[im.rows[i].barrier]++;
    }
    for (i = 0; i < 4; i++) {
        ck_assert_int_eq(count[i], status[i]);
    }
    for (i = 0; i < 7; i++) {
        ck_assert_int_eq(bars[i], barrier[i]);
    }

    out = write_all(&im, 0);
    read_ords(out, strlen(out), &again);
    ck_assert_int_eq(again.nerrors, 0);
    ck_assert_int_eq(again.nrows, im.nrows);
    for (i = 0; i < im.nrows; i++) {
        assert_same_row(&im.rows[i], &again.rows[i]);
    }
    again_out = write_all(&again, 0);
    ck_assert_str_eq(again_out, out);
}

START_TEST(toronto_reads_and_round_trips)
{
    /* The data README's counts: Unknown 3,739, Fixed 1,132, End of life
     * 469, Repairable 227; no barriers. */
    static const int status[4] = { 3739, 1132, 227, 469 };
    static const int barrier[7] = { 5567, 0, 0, 0, 0, 0, 0 };

    real_file("OpenRepairData_v0.3_RepairCafeToronto_202507.csv", 5567, status, barrier);
}
END_TEST

START_TEST(fixit_clinic_reads_and_round_trips)
{
    /* Counted by hand in the file (awk on the status and barrier columns):
     * Fixed 413, Repairable 267, Unknown 232, End of life 121; barriers
     * "Item too worn out" 11, information 8, parts not available 5, too
     * expensive 3, no way to open 2. */
    static const int status[4] = { 232, 413, 267, 121 };
    static const int barrier[7] = { 1004, 5, 3, 2, 8, 0, 11 };

    real_file("OpenRepairData_v0.3_FixitClinic_202507.csv", 1033, status, barrier);
}
END_TEST

/* A row of the Fixit Clinic file as read: typed values. */
START_TEST(real_row_is_typed)
{
    const char *path = data_file("OpenRepairData_v0.3_FixitClinic_202507.csv");
    char *data;
    size_t len;
    tl_ords_import im;
    const tl_ords_row *r;

    data = slurp(path, &len);
    read_ords(data, len, &im);
    r = &im.rows[0];
    ck_assert_int_eq(r->line, 2);
    ck_assert_str_eq(r->id, "fixitclinic_1690");
    ck_assert_str_eq(r->data_provider, "Fixit Clinic");
    ck_assert_str_eq(r->country, "USA");
    ck_assert_str_eq(r->product_category, "Food processor");
    ck_assert_int_eq(r->product_category_id, 37);
    ck_assert_str_eq(r->brand, "Cuisinart");
    ck_assert_int_eq(r->year_of_manufacture, 2009);
    ck_assert_str_eq(r->product_age, "11");
    ck_assert_int_eq(r->repair_status, TL_ORDS_STATUS_UNKNOWN);
    ck_assert_int_eq(r->barrier, TL_ORDS_BARRIER_NONE);
    ck_assert_str_eq(r->event_date, "2020-01-01");
    ck_assert(strncmp(r->problem, "I hadn\xE2\x80\x99t used it in a year, and when",
                      strlen("I hadn\xE2\x80\x99t used it in a year, and when")) == 0);
}
END_TEST

/* The names of the first resource's fields in tableschema.json, in order,
 * and the text of the enum that follows a field's name. Enough of JSON
 * for this file, whose layout the test knows. */
static int schema_fields(const char *json, const char **names, int max)
{
    const char *s = strstr(json, "\"fields\": [");
    const char *end = s ? strstr(s, "\"primaryKey\"") : NULL;
    int n = 0;

    ck_assert_ptr_nonnull(end);
    while ((s = strstr(s, "\"name\": \"")) != NULL && s < end && n < max) {
        const char *q;
        s += 9;
        q = strchr(s, '"');
        names[n++] = apr_pstrmemdup(pool, s, (size_t)(q - s));
        s = q;
    }
    return n;
}

static const char *schema_enum(const char *json, const char *field)
{
    const char *s = strstr(json, apr_pstrcat(pool, "\"name\": \"", field, "\"", NULL)), *q;

    ck_assert_ptr_nonnull(s);
    s = strstr(s, "\"enum\": \"[");
    ck_assert_ptr_nonnull(s);
    s += 10;
    q = strchr(s, ']');
    return apr_pstrmemdup(pool, s, (size_t)(q - s));
}

/* "Fixed, Repairable" holds label as one whole item. */
static int enum_has(const char *list, const char *label)
{
    size_t n = strlen(label);
    const char *s = list;

    while ((s = strstr(s, label)) != NULL) {
        int before = s == list || s[-1] == ',' || s[-1] == ' ';
        int after = s[n] == '\0' || s[n] == ',';
        if (before && after) {
            return 1;
        }
        s++;
    }
    return 0;
}

START_TEST(writer_speaks_the_schema)
{
    const char *path = data_file("tableschema.json"), *names[32], *list;
    char *json;
    size_t len;
    int n, i, items;
    tl_buf b;
    tl_ords_writer w;
    char *header;

    json = slurp(path, &len);
    n = schema_fields(json, names, 32);
    ck_assert_int_eq(n, TL_ORDS_NFIELDS);
    header = apr_pstrdup(pool, "");
    for (i = 0; i < n; i++) {
        ck_assert_str_eq(tl_ords_fields[i], names[i]);
        header = apr_pstrcat(pool, header, i ? "," : "", names[i], NULL);
    }
    tl_buf_init(&b, pool, 64);
    tl_ords_writer_init(&w, &b, 0);
    ck_assert_str_eq(tl_buf_cstr(&b), apr_pstrcat(pool, header, "\n", NULL));

    list = schema_enum(json, "repair_status");
    for (i = 0, items = 1; list[i]; i++) {
        items += list[i] == ',';
    }
    ck_assert_int_eq(items, 4);
    for (i = 0; i <= 3; i++) {
        ck_assert_msg(enum_has(list, tl_ords_status_label((tl_ords_status)i)), "%s", tl_ords_status_label(i));
    }
    list = schema_enum(json, "repair_barrier_if_end_of_life");
    for (i = 0, items = 1; list[i]; i++) {
        items += list[i] == ',';
    }
    ck_assert_int_eq(items, 6);
    for (i = 1; i <= 6; i++) {
        ck_assert_msg(enum_has(list, tl_ords_barrier_label((tl_ords_barrier)i)), "%s", tl_ords_barrier_label(i));
    }
    ck_assert_str_eq(tl_ords_barrier_label(TL_ORDS_BARRIER_TOO_WORN_OUT), "Too worn out");
    ck_assert_str_eq(tl_ords_barrier_label(TL_ORDS_BARRIER_NONE), "");
    ck_assert_ptr_null(tl_ords_barrier_label((tl_ords_barrier)7));
    ck_assert_ptr_null(tl_ords_status_label((tl_ords_status)4));
}
END_TEST

START_TEST(categories_are_the_published_ones)
{
    const char *path = data_file("OpenRepairData_v0.3_Product_Categories.csv");
    char *data;
    size_t len;
    tl_csv_table t;
    const char *err;
    int i;

    ck_assert_ptr_null(tl_ords_category_name(0));
    ck_assert_ptr_null(tl_ords_category_name(41));
    ck_assert_str_eq(tl_ords_category_name(24), "Power tool");
    ck_assert_int_eq(tl_ords_category_id("power TOOL"), 24);
    ck_assert_int_eq(tl_ords_category_id("Bicycle"), 0);
    ck_assert_int_eq(tl_ords_category_id(""), 0);
    data = slurp(path, &len);
    ck_assert_int_eq(tl_csv_read(pool, data, len, &limits, &t, &err, NULL), TL_CSV_OK);
    ck_assert_int_eq(t.nrows, TL_ORDS_NCATEGORIES);
    for (i = 0; i < t.nrows; i++) {
        ck_assert_int_eq(atoi(t.rows[i].fields[0]), i + 1);
        ck_assert_str_eq(tl_ords_category_name(i + 1), t.rows[i].fields[1]);
    }
}
END_TEST

#define HEADER "id,data_provider,country,partner_product_category,product_category,product_category_id,brand," \
               "year_of_manufacture,product_age,repair_status,repair_barrier_if_end_of_life,group_identifier," \
               "event_date,problem\n"

static void read_text(const char *csv, tl_ords_import *im)
{
    read_ords(csv, strlen(csv), im);
}

static void assert_refused(const tl_ords_import *im, int k, int line, const char *reason)
{
    ck_assert_int_gt(im->nerrors, k);
    ck_assert_int_eq(im->errors[k].line, line);
    ck_assert_msg(strstr(im->errors[k].reason, reason) != NULL, "line %d: \"%s\" lacks \"%s\"", line,
                  im->errors[k].reason, reason);
}

START_TEST(bad_rows_are_refused_with_line_and_reason)
{
    static const char csv[] =
        HEADER
        "a_1,Repair Café Rennes,FRA,Perceuse,Power tool,24,Bosch,2012,10,End of life,Item too worn out,RC,2025-03-01,\n"
        "a_2,Repair Café Rennes,FRA,Perceuse,Power tool,24,Bosch,,,Fixed,Spare parts not available,RC,2025-03-01,\n"
        "a_3,Repair Café Rennes,FRA,Truc,,41,,,,Fixed,,RC,2025-03-01,\n"
        "a_4,Repair Café Rennes,FRA,Bouilloire,Toaster,14,,,,Fixed,,RC,2025-03-01,\n"
        "a_5,Repair Café Rennes,FRA,Bouilloire,Kettle,14,,,,Fixed,,RC,2025-02-30,\n"
        "a_6,Repair Café Rennes,FRA,Bouilloire,Kettle,14,,,,Mended,,RC,2025-03-01,\n"
        "a_7,Repair Café Rennes,FR,Bouilloire,Kettle,14,,,,Fixed,,RC,2025-03-01,\n"
        "a_8,Repair Café Rennes,FRA,Bouilloire,Kettle,14,,09,,Fixed,,RC,2025-03-01,\n"
        "a_9,Repair Café Rennes,FRA,Bouilloire,Kettle,14,,,ten,Fixed,,RC,2025-03-01,\n"
        "a_1,Repair Café Rennes,FRA,Bouilloire,Kettle,14,,,,Fixed,,RC,2025-03-01,\n"
        "a_10,Repair Café Rennes,FRA,Bouilloire,Kettle,14,,,,Fixed,,RC,2025-03-01,a,b\n"
        "a_11,Repair Café Rennes,FRA,Bouilloire,Kettle,14,,,,,,RC,2025-03-01,\n"
        "a_12,Repair Café Rennes,FRA,\"Lampe\",Lamp,15,,,,Fixed,,RC,\"\",\n"
        "a_13,Repair Café Rennes,FRA,Sèche-cheveux,Hair dryer,39,,,,End of life,Worn,RC,2025-03-01,\n"
        ",Repair Café Rennes,FRA,Lampe,Lamp,15,,,,Fixed,,RC,2025-03-01,\n"
        "a_14,Repair Café Rennes,FRA,\"Lampe\n\x01\",Lamp,15,,,,Fixed,,RC,2025-03-01,\n";
    tl_ords_import im;

    read_text(csv, &im);
    ck_assert_int_eq(im.nrows, 2);
    ck_assert_str_eq(im.rows[0].id, "a_1");
    ck_assert_int_eq(im.rows[0].barrier, TL_ORDS_BARRIER_TOO_WORN_OUT);
    ck_assert_ptr_null(im.rows[0].note);
    /* A barrier beside another status is left out, and said. */
    ck_assert_int_eq(im.rows[1].barrier, TL_ORDS_BARRIER_NONE);
    ck_assert_ptr_nonnull(strstr(im.rows[1].note, "ne va qu'avec repair_status End of life"));
    ck_assert_int_eq(im.nerrors, 14);
    assert_refused(&im, 0, 4, "product_category_id « 41 » : un numéro de catégorie de 1 à 40");
    assert_refused(&im, 1, 5, "product_category_id 14 est « Kettle », pas « Toaster »");
    assert_refused(&im, 2, 6, "event_date « 2025-02-30 » n'est pas une date");
    assert_refused(&im, 3, 7, "repair_status « Mended » inconnu");
    assert_refused(&im, 4, 8, "country « FR » n'est pas un code pays ISO 3166-1 alpha-3");
    assert_refused(&im, 5, 9, "year_of_manufacture « 09 »");
    assert_refused(&im, 6, 10, "product_age « ten »");
    assert_refused(&im, 7, 11, "id « a_1 » déjà donné ligne 2");
    assert_refused(&im, 8, 12, "la ligne a 15 cases au lieu de 14");
    assert_refused(&im, 9, 13, "repair_status manquant");
    assert_refused(&im, 10, 14, "event_date manquante");
    assert_refused(&im, 11, 15, "repair_barrier_if_end_of_life « Worn » inconnu");
    assert_refused(&im, 12, 16, "id manquant");
    assert_refused(&im, 13, 17, "partner_product_category contient un caractère de contrôle");
}
END_TEST

/* What providers write besides the schema's spelling is read, and comes
 * out in the schema's labels; the values themselves (a category's name,
 * empty or in lower case) come out as they went in. */
START_TEST(lenient_import_strict_export)
{
    static const char csv[] =
        "PROBLEM, Event_Date ,id,data_provider,country,partner_product_category,product_category,"
        "product_category_id,brand,year_of_manufacture,product_age,repair_status,"
        "repair_barrier_if_end_of_life,group_identifier,notes\n"
        "\"Ne chauffe plus, \"\"clic\"\" au démarrage\",2025-03-01,rc_1, Repair Café Rennes ,fra,Bouilloire,"
        "kettle,,unknown,2015,\"2,5\",end OF life,item too worn out,RC,interne\n"
        "\"\",2025-03-02,rc_2,Repair Café Rennes,FRA,Vélo,Bicycle,,,,,1,,RC,\n"
        ",2025-03-02,rc_3,Repair Café Rennes,FRA,Ponceuse,,24,Makita,,,3,2,RC,\n";
    static const char expected[] =
        HEADER
        "rc_1,Repair Café Rennes,FRA,Bouilloire,kettle,14,Unknown,2015,2.5,End of life,Too worn out,RC,2025-03-01,"
        "\"Ne chauffe plus, \"\"clic\"\" au démarrage\"\n"
        "rc_2,Repair Café Rennes,FRA,Vélo,Bicycle,,Unknown,,,Fixed,,RC,2025-03-02,\n"
        "rc_3,Repair Café Rennes,FRA,Ponceuse,,24,Makita,,,End of life,Spare parts too expensive,RC,"
        "2025-03-02,\n";
    tl_ords_import im;

    read_text(csv, &im);
    ck_assert_int_eq(im.nerrors, 0);
    ck_assert_int_eq(im.nignored, 1);
    ck_assert_str_eq(im.ignored[0], "notes");
    ck_assert_int_eq(im.nrows, 3);
    ck_assert_str_eq(im.rows[0].data_provider, "Repair Café Rennes");
    ck_assert_str_eq(im.rows[0].country, "FRA");
    ck_assert_int_eq(im.rows[0].product_category_id, 14);
    ck_assert_str_eq(im.rows[0].brand, "");
    ck_assert_str_eq(im.rows[0].product_age, "2.5");
    ck_assert_int_eq(im.rows[0].repair_status, TL_ORDS_STATUS_END_OF_LIFE);
    /* An unpowered item keeps its own category and no id. */
    ck_assert_int_eq(im.rows[1].product_category_id, 0);
    ck_assert_str_eq(im.rows[1].product_category, "Bicycle");
    ck_assert_int_eq(im.rows[1].repair_status, TL_ORDS_STATUS_FIXED);
    /* A name is kept as written: empty stays empty, the id is read. */
    ck_assert_str_eq(im.rows[2].product_category, "");
    ck_assert_int_eq(im.rows[2].product_category_id, 24);
    ck_assert_int_eq(im.rows[2].barrier, TL_ORDS_BARRIER_SPARE_PARTS_TOO_EXPENSIVE);
    ck_assert_str_eq(write_all(&im, 0), expected);
}
END_TEST

START_TEST(header_must_be_ords)
{
    tl_csv_table t;
    tl_ords_import im;
    const char *err, *msg;
    static const char missing[] = "id,data_provider,country\na,b,FRA\n";
    static const char twice[] = "id,data_provider,country,partner_product_category,product_category,"
                                "product_category_id,brand,year_of_manufacture,product_age,repair_status,"
                                "repair_barrier_if_end_of_life,group_identifier,event_date,problem,ID\n";

    ck_assert_int_eq(tl_csv_read(pool, missing, strlen(missing), &limits, &t, &err, NULL), TL_CSV_OK);
    msg = tl_ords_read(pool, &t, &im);
    ck_assert_ptr_nonnull(msg);
    ck_assert_str_eq(msg, "Ce fichier n'est pas au format Open Repair Data v0.3 : il y manque la colonne ou les "
                          "colonnes partner_product_category, product_category, product_category_id, brand, "
                          "year_of_manufacture, product_age, repair_status, repair_barrier_if_end_of_life, "
                          "group_identifier, event_date, problem.");
    ck_assert_int_eq(im.nrows, 0);
    ck_assert_int_eq(tl_csv_read(pool, twice, strlen(twice), &limits, &t, &err, NULL), TL_CSV_OK);
    msg = tl_ords_read(pool, &t, &im);
    ck_assert_str_eq(msg, "La colonne « ID » apparaît deux fois dans l'en-tête.");
}
END_TEST

/* Rows filled by hand, as the export will from SQL. */
START_TEST(writer_exact_bytes)
{
    tl_ords_row r;
    tl_buf b;
    tl_ords_writer w;
    const char *out;

    memset(&r, 0, sizeof(r));
    r.id = "tierslieux_42";
    r.data_provider = "La Fabrique";
    r.country = "FRA";
    r.partner_product_category = "Grille-pain";
    r.product_category = NULL;                          /* the canonical name of the id */
    r.product_category_id = 31;
    r.brand = "";
    r.year_of_manufacture = 2011;
    r.product_age = "";
    r.repair_status = TL_ORDS_STATUS_FIXED;
    r.barrier = TL_ORDS_BARRIER_LACK_OF_EQUIPMENT;      /* not End of life: not written */
    r.group_identifier = "Repair Café de la Fabrique";
    memcpy(r.event_date, "2025-11-08", 11);
    r.problem = "Résistance HS.\nAppeler Jean au 06 12 34 56 78 ou jean.dupont@exemple.fr, merci";

    tl_buf_init(&b, pool, 64);
    tl_ords_writer_init(&w, &b, TL_ORDS_SCRUB_PROBLEM);
    tl_ords_writer_row(&w, &r);
    r.repair_status = TL_ORDS_STATUS_END_OF_LIFE;
    r.problem = NULL;
    r.partner_product_category = NULL;
    tl_ords_writer_row(&w, &r);
    out = tl_buf_cstr(&b);
    ck_assert_str_eq(out, HEADER
                     "tierslieux_42,La Fabrique,FRA,Grille-pain,Toaster,31,Unknown,2011,,Fixed,,"
                     "Repair Café de la Fabrique,2025-11-08,\"Résistance HS.\nAppeler Jean au [téléphone retiré] "
                     "ou [courriel retiré], merci\"\n"
                     "tierslieux_42,La Fabrique,FRA,,Toaster,31,Unknown,2011,,End of life,Lack of equipment,"
                     "Repair Café de la Fabrique,2025-11-08,\n");
    /* No byte-order mark, no carriage return. */
    ck_assert(strncmp(out, "id,", 3) == 0);
    ck_assert_ptr_null(strchr(out, '\r'));
}
END_TEST

static const char *scrub(const char *s)
{
    tl_buf b;

    tl_buf_init(&b, pool, 64);
    tl_ords_scrub(&b, s, strlen(s));
    return tl_buf_cstr(&b);
}

#define P "[téléphone retiré]"
#define M "[courriel retiré]"

START_TEST(scrub_removes_phones_and_mails)
{
    static const char *const cases[][2] = {
        { "06 12 34 56 78", P },
        { "Tél. 06 12 34 56 78.", "Tél. " P "." },
        { "tel:0612345678", "tel:" P },
        { "06.12.34.56.78", P },
        { "06-12-34-56-78", P },
        { "06\xC2\xA0" "12\xC2\xA0" "34\xC2\xA0" "56\xC2\xA0" "78", P },
        { "06\xE2\x80\xAF" "12 34 56 78", P },
        { "+33 6 12 34 56 78", P },
        { "+33612345678", P },
        { "+33 (0)6 12 34 56 78 !", P " !" },
        { "0033 6 12 34 56 78", P },
        { "00 33 6 12 34 56 78", P },
        { "(555) 123-4567", P },
        { "(555)123-4567", P },
        { "555-123-4567", P },
        { "555.123.4567", P },
        { "555 123 4567", P },
        { "1-800-555-1234", P },
        { "+1 (555) 123-4567", P },
        { "+1 555 123 4567", P },
        { "+44 20 7946 0958", P },
        { "call (555) 123-4567 or 06 12 34 56 78.", "call " P " or " P "." },
        { "appelez le 06 12 34 56 78 2019 déjà", "appelez le " P " 2019 déjà" },
        /* Better one number too many gone than a phone left. */
        { "06 12 34 56 78 90", P " 90" },
        { "jean.dupont@exemple.fr", M },
        { "Écrire à jean.dupont+rc@mail.exemple.org.", "Écrire à " M "." },
        { "<marie_o'neil@example.co.uk>", "<" M ">" },
        { "contact: 0612345678@sms.exemple.fr", "contact: " M },
        { "a@b.fr,c@d.com", M "," M },
        { "Rappel 06 12 34 56 78, mail x@y.org", "Rappel " P ", mail " M },
        /* The providers' countries (the published files: UK, DE, DK, NL,
         * BE…), national and international. */
        { "Additional contact number 07772155276 for Simon.", "Additional contact number " P " for Simon." },
        { "call 07700 900123 after 5", "call " P " after 5" },
        { "the manufacturer 01483 234900. PCB No DA1-B330716002",
          "the manufacturer " P ". PCB No DA1-B330716002" },
        { "020 7946 0958", P },
        { "+44 7700 900123", P },
        { "+44 (0)20 7946 0958", P },
        { "0044 7700 900123", P },
        { "Rückruf 030 12345678 bitte", "Rückruf " P " bitte" },
        { "Handy 0171 1234567", "Handy " P },
        { "0151-12345678", P },
        { "+49 30 12345678", P },
        { "+49 (0)171 1234567", P },
        { "ring 20 12 34 56 i morgen", "ring " P " i morgen" },
        { "tlf. 20123456", "tlf. " P },
        { "Tel.: 0301234567", "Tel.: " P },
        { "+45 20 12 34 56", P },
        { "0045 20123456", P },
        { "06 12345678 of 020 123 4567", P " of " P },
        { "+31 6 12345678", P },
        { "0470 12 34 56", P },
        { "02 123 45 67", P },
        { "+32 470 12 34 56", P },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert_msg(strcmp(scrub(cases[i][0]), cases[i][1]) == 0, "«%s» gave «%s», not «%s»", cases[i][0],
                      scrub(cases[i][0]), cases[i][1]);
    }
}
END_TEST

START_TEST(scrub_keeps_what_is_no_phone_or_mail)
{
    static const char *const keep[] = {
        "Acheté en 2019, réparé en 2024.",
        "Prix neuf : 1 299 € ; pièce 12,50 € ; 1 234 567,89 €",
        "$1,299.99 new, 45.50 for the part",
        "Modèle XR-2000, série 123-4567, réf. AB-12-34-56-78",
        "Le 12/05/2024 puis le 2024-05-12 et le 12.05.2024",
        "2019-2020 et 1990 - 2000",
        "Numéro de série 5551234567 et 1234567890",
        "ISBN 978-2-07-036822-8",
        "220-240 V, 50 Hz, 1 800 W, 10 A",
        "Fusible 3,15 A ; 0,5 mm ; +2 °C ; +15 %",
        "v2.06 12 34 56 78",
        "12 34 56 78 90",
        "x@y, @home, 5 @ 3 €, a@b.c, user@localhost, n@1.23",
        "Bosch PSB 500 RE, 230 V ~ 500 W",
        "1, 2, 3, 4, 5 vis",
        "[téléphone retiré] [courriel retiré]",
        /* What the published problems hold that looks like numbers. */
        "Nintendo 1.8kg", "1.9kg", "Baujahr 1987, 230V, 2000 W, 0,5 l",
        "Serien-Nr. 12345678, Modell 0815",
        "Model 20123456 from 2012, 12 34 56 78",
        "Wiederholt 10 20 30 40 mal",
        "0 10 20 30 40 50", "2 x 0,75 mm² ; 3 x 1,5 mm²",
        "Ordre 2019 05 12 13 14",
        "Gekocht 2015, 0.5 jaar garantie, 06-2019",
        "Fuse 13A, 240 V, 1.8 kW, 2000-2010",
        "",
    };
    size_t i;

    for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
        ck_assert_str_eq(scrub(keep[i]), keep[i]);
    }
}
END_TEST

/* The barrier labels the providers really write: every variant in the
 * published files, and what they have in common. */
START_TEST(barrier_variants_of_the_providers)
{
    static const struct { const char *label; tl_ords_barrier b; } cases[] = {
        { "No way to open the product", TL_ORDS_BARRIER_NO_WAY_TO_OPEN },     /* Restart Project 2022/04 */
        { "No way to open product", TL_ORDS_BARRIER_NO_WAY_TO_OPEN },
        { "no way to open the product.", TL_ORDS_BARRIER_NO_WAY_TO_OPEN },
        { "Item too worn out", TL_ORDS_BARRIER_TOO_WORN_OUT },               /* Wales, Denmark, anstiftung… */
        { "Too worn out", TL_ORDS_BARRIER_TOO_WORN_OUT },
        { "  SPARE PARTS NOT AVAILABLE ", TL_ORDS_BARRIER_SPARE_PARTS_NOT_AVAILABLE },
        { "Spare-parts too expensive", TL_ORDS_BARRIER_SPARE_PARTS_TOO_EXPENSIVE },
        { "Repair information not available", TL_ORDS_BARRIER_REPAIR_INFO_NOT_AVAILABLE },
        { "Lack of equipment", TL_ORDS_BARRIER_LACK_OF_EQUIPMENT },
        { "6", TL_ORDS_BARRIER_TOO_WORN_OUT },
    };
    static const char *const refused[] = { "Worn", "No way", "Spare parts", "the", "Too worn out and broken" };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tl_ords_import im;
        read_text(apr_pstrcat(pool, HEADER "x_1,P,GBR,Lamp,Lamp,15,,,,End of life,\"", cases[i].label,
                              "\",G,2024-01-01,\n", NULL), &im);
        ck_assert_msg(im.nrows == 1, "%s refused", cases[i].label);
        ck_assert_int_eq(im.rows[0].barrier, cases[i].b);
    }
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        tl_ords_import im;
        read_text(apr_pstrcat(pool, HEADER "x_1,P,GBR,Lamp,Lamp,15,,,,End of life,", refused[i],
                              ",G,2024-01-01,\n", NULL), &im);
        ck_assert_msg(im.nrows == 0 && im.nerrors == 1, "%s accepted", refused[i]);
    }
}
END_TEST

/* Every published file reads without a refusal, each barrier found. */
START_TEST(every_published_file_reads_whole)
{
    static const struct { const char *name; int rows, notes; } files[] = {
        { "OpenRepairData_v0.3_RepairCafeWales_202407.csv", 14292, 0 },
        { "OpenRepairData_v0.3_RepairCafeWales_202507.csv", 20190, 0 },
        { "OpenRepairData_v0.3_RestartProject_202204.csv", 23940, 1 },
        { "OpenRepairData_v0.3_anstiftung_202309.csv", 15100, 0 },
        { "OpenRepairData_v0.3_RepairCafeDenmark_202507.csv", 29929, 0 },
    };
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        tl_ords_import im;
        size_t len;
        char *data = slurp(data_file(files[i].name), &len);
        int k, notes = 0, no_way = 0;

        read_ords(data, len, &im);
        ck_assert_msg(im.nerrors == 0, "%s: line %d: %s", files[i].name, im.nerrors ? im.errors[0].line : 0,
                      im.nerrors ? im.errors[0].reason : "");
        ck_assert_int_eq(im.nrows, files[i].rows);
        for (k = 0; k < im.nrows; k++) {
            notes += im.rows[k].note != NULL;
            no_way += im.rows[k].barrier == TL_ORDS_BARRIER_NO_WAY_TO_OPEN;
        }
        ck_assert_int_eq(notes, files[i].notes);
        if (strstr(files[i].name, "Restart")) {
            ck_assert_int_eq(no_way, 268);          /* "No way to open the product" */
        }
    }
}
END_TEST

START_TEST(file_name_per_the_standard)
{
    ck_assert_str_eq(tl_ords_filename(pool, "Repair Café Toronto", 2025, 7),
                     "OpenRepairData_v0.3_RepairCafeToronto_202507.csv");
    ck_assert_str_eq(tl_ords_filename(pool, "Fixit Clinic", 2025, 7), "OpenRepairData_v0.3_FixitClinic_202507.csv");
    ck_assert_str_eq(tl_ords_filename(pool, "l'Œuvre des répar'acteurs / Saint-Étienne", 2026, 11),
                     "OpenRepairData_v0.3_LOEuvreDesReparActeursSaintEtienne_202611.csv");
    ck_assert_str_eq(tl_ords_filename(pool, "../../etc/passwd_x", 2026, 1),
                     "OpenRepairData_v0.3_EtcPasswdX_202601.csv");
    ck_assert_str_eq(tl_ords_filename(pool, "", 2026, 1), "OpenRepairData_v0.3_TiersLieux_202601.csv");
    ck_assert_str_eq(tl_ords_filename(pool, NULL, 2026, 1), "OpenRepairData_v0.3_TiersLieux_202601.csv");
    ck_assert_str_eq(tl_ords_filename(pool, "« ★ »", 2026, 1), "OpenRepairData_v0.3_TiersLieux_202601.csv");
    ck_assert_int_eq(strlen(tl_ords_filename(pool, "abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij "
                                                   "abcdefghij abcdefghij", 2026, 1)),
                     strlen("OpenRepairData_v0.3__202601.csv") + 64);
}
END_TEST

Suite *tl_ords_suite(void)
{
    Suite *s = suite_create("ords");
    TCase *tc = tcase_create("ords");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, toronto_reads_and_round_trips);
    tcase_add_test(tc, fixit_clinic_reads_and_round_trips);
    tcase_add_test(tc, real_row_is_typed);
    tcase_add_test(tc, writer_speaks_the_schema);
    tcase_add_test(tc, categories_are_the_published_ones);
    tcase_add_test(tc, bad_rows_are_refused_with_line_and_reason);
    tcase_add_test(tc, lenient_import_strict_export);
    tcase_add_test(tc, header_must_be_ords);
    tcase_add_test(tc, writer_exact_bytes);
    tcase_add_test(tc, scrub_removes_phones_and_mails);
    tcase_add_test(tc, scrub_keeps_what_is_no_phone_or_mail);
    tcase_add_test(tc, file_name_per_the_standard);
    tcase_add_test(tc, barrier_variants_of_the_providers);
    tcase_add_test(tc, every_published_file_reads_whole);
    suite_add_tcase(s, tc);
    return s;
}
