/*
 * libFuzzer target for the ORDS import and export (tl_ords_read and
 * tl_ords_writer): a repair café's file is whatever its spreadsheet or
 * its platform wrote. Every row accepted must be one the export can write
 * as the schema says, and reading that export back must accept every row
 * again and give the same values; the scrubbed export must stay a valid
 * file too. Any broken invariant aborts, so the fuzzer and the corpus
 * replay report it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_general.h>
#include <apr_pools.h>

#include "tl_csv_read.h"
#include "tl_date.h"
#include "tl_escape.h"
#include "tl_ords.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

static void check_row(const tl_ords_row *r)
{
    long day;
    const char *const strs[] = { r->id, r->data_provider, r->country, r->partner_product_category,
                                 r->product_category, r->brand, r->product_age, r->group_identifier,
                                 r->problem };
    size_t k;

    for (k = 0; k < sizeof(strs) / sizeof(strs[0]); k++) {
        check(strs[k] != NULL && tl_utf8_valid(strs[k], strlen(strs[k])));
        check(strchr(strs[k], '\r') == NULL);
    }
    check(*r->id && *r->data_provider);
    check(strlen(r->country) == 3 && r->country[0] >= 'A' && r->country[0] <= 'Z');
    check(r->repair_status >= TL_ORDS_STATUS_UNKNOWN && r->repair_status <= TL_ORDS_STATUS_END_OF_LIFE);
    check(r->barrier >= TL_ORDS_BARRIER_NONE && r->barrier <= TL_ORDS_BARRIER_TOO_WORN_OUT);
    check(r->barrier == TL_ORDS_BARRIER_NONE || r->repair_status == TL_ORDS_STATUS_END_OF_LIFE);
    check(r->product_category_id >= 0 && r->product_category_id <= TL_ORDS_NCATEGORIES);
    /* The name as the file wrote it: empty, or the id's in any case. */
    check(r->product_category_id == 0 || !*r->product_category
          || strcasecmp(r->product_category, tl_ords_category_name(r->product_category_id)) == 0);
    check(r->year_of_manufacture == 0 || (r->year_of_manufacture >= 1000 && r->year_of_manufacture <= 9999));
    check(tl_date_parse(r->event_date, &day) == 0);
    check(strcmp(r->brand, "Unknown") != 0);
}

static void same_row(const tl_ords_row *a, const tl_ords_row *b)
{
    check(strcmp(a->id, b->id) == 0 && strcmp(a->data_provider, b->data_provider) == 0);
    check(strcmp(a->country, b->country) == 0);
    check(strcmp(a->partner_product_category, b->partner_product_category) == 0);
    check(strcmp(a->product_category, b->product_category) == 0);
    check(a->product_category_id == b->product_category_id);
    check(strcmp(a->brand, b->brand) == 0 && a->year_of_manufacture == b->year_of_manufacture);
    check(strcmp(a->product_age, b->product_age) == 0);
    check(a->repair_status == b->repair_status && a->barrier == b->barrier);
    check(strcmp(a->group_identifier, b->group_identifier) == 0);
    check(strcmp(a->event_date, b->event_date) == 0 && strcmp(a->problem, b->problem) == 0);
}

static const char *export(apr_pool_t *p, const tl_ords_import *im, int flags, size_t *len)
{
    tl_buf b;
    tl_ords_writer w;
    int i;

    tl_buf_init(&b, p, 1024);
    tl_ords_writer_init(&w, &b, flags);
    for (i = 0; i < im->nrows; i++) {
        tl_ords_writer_row(&w, &im->rows[i]);
    }
    *len = b.len;
    return tl_buf_cstr(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    /* Room for the 14 fields of the rows the writer adds back. */
    const tl_csv_limits limits = { 200, 32, 4096 };
    const tl_csv_limits wide = { 200, 32, 4096 * 4 };
    const char *err = NULL, *out;
    apr_pool_t *p;
    tl_csv_table t, t2;
    tl_ords_import im, again;
    size_t len;
    int i;

    if (!ready) {
        apr_initialize();
        ready = 1;
    }
    apr_pool_create(&p, NULL);
    if (tl_csv_read(p, (const char *)data, size, &limits, &t, &err, NULL) != TL_CSV_OK
        || tl_ords_read(p, &t, &im) != NULL) {
        apr_pool_destroy(p);
        return 0;
    }
    check(im.nrows + im.nerrors == t.nrows);
    for (i = 0; i < im.nerrors; i++) {
        check(im.errors[i].reason && *im.errors[i].reason && im.errors[i].line > t.header_line);
        check(i == 0 || im.errors[i].line > im.errors[i - 1].line);
    }
    for (i = 0; i < im.nrows; i++) {
        check_row(&im.rows[i]);
        check(i == 0 || im.rows[i].line > im.rows[i - 1].line);
    }

    out = export(p, &im, 0, &len);
    check(strncmp(out, "id,data_provider,", 17) == 0 && memchr(out, '\r', len) == NULL);
    check(tl_csv_read(p, out, len, &wide, &t2, &err, NULL) == TL_CSV_OK);
    check(t2.sep == ',' && t2.ncols == TL_ORDS_NFIELDS && t2.nrows == im.nrows);
    check(tl_ords_read(p, &t2, &again) == NULL);
    check(again.nerrors == 0 && again.nrows == im.nrows && again.nignored == 0);
    for (i = 0; i < im.nrows; i++) {
        same_row(&im.rows[i], &again.rows[i]);
    }

    /* Scrubbed, the problems may change, nothing else. */
    out = export(p, &im, TL_ORDS_SCRUB_PROBLEM, &len);
    check(tl_csv_read(p, out, len, &wide, &t2, &err, NULL) == TL_CSV_OK);
    check(tl_ords_read(p, &t2, &again) == NULL);
    check(again.nerrors == 0 && again.nrows == im.nrows);
    for (i = 0; i < im.nrows; i++) {
        check(strcmp(again.rows[i].id, im.rows[i].id) == 0 && again.rows[i].barrier == im.rows[i].barrier);
    }
    apr_pool_destroy(p);
    return 0;
}
