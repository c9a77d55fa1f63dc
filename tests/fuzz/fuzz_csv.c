/*
 * libFuzzer target for tl_csv_read(): an uploaded file is whatever the
 * référent's spreadsheet (or anyone with their account) wrote. The table
 * must be what the import can trust — UTF-8 fields within the limits, line
 * numbers in order — and reading it back, written out again with every
 * field quoted, must give the same table. Any broken invariant aborts, so
 * the fuzzer and the corpus replay report it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>

#include "tl_csv_read.h"
#include "tl_escape.h"
#include "tl_buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

static void check_record(const char *const *fields, int n, const tl_csv_limits *lim)
{
    int k;

    check(n >= 1 && n <= lim->max_fields);
    for (k = 0; k < n; k++) {
        size_t len = strlen(fields[k]);
        check(len <= lim->max_field_len && tl_utf8_valid(fields[k], len));
        check(strchr(fields[k], '\r') == NULL);
    }
}

static void write_record(tl_buf *b, const char *const *fields, int n, char sep)
{
    int k;
    const char *c;

    for (k = 0; k < n; k++) {
        if (k) {
            tl_buf_addc(b, sep);
        }
        tl_buf_addc(b, '"');
        for (c = fields[k]; *c; c++) {
            if (*c == '"') {
                tl_buf_addc(b, '"');
            }
            tl_buf_addc(b, *c);
        }
        tl_buf_addc(b, '"');
    }
    tl_buf_add(b, "\r\n", 2);
}

static int all_empty(const char *const *fields, int n)
{
    int k;

    for (k = 0; k < n; k++) {
        if (*fields[k]) {
            return 0;
        }
    }
    return 1;
}

/* The stream reader (tl_csv_stream) must hand over exactly the rows of
 * the whole-file reader, whatever the size of the pieces. */
typedef struct {
    const tl_csv_table *t;
    int next;
} expect;

static int same_row(void *ctx, const tl_csv_stream *s, const tl_csv_row *row)
{
    expect *e = ctx;
    const tl_csv_row *w;
    int k;

    (void)s;
    check(e->next < e->t->nrows);
    w = &e->t->rows[e->next++];
    check(w->line == row->line && w->n == row->n);
    for (k = 0; k < row->n; k++) {
        check(strcmp(w->fields[k], row->fields[k]) == 0);
    }
    return 0;
}

static void same_by_stream(apr_pool_t *p, const uint8_t *data, size_t size, const tl_csv_limits *lim,
                           const tl_csv_table *t, size_t chunk)
{
    expect e = { t, 0 };
    tl_csv_stream *s = tl_csv_stream_make(p, lim, same_row, &e);
    const char *err;
    int line, k;
    size_t off;

    for (off = 0; off < size; off += chunk) {
        check(tl_csv_stream_feed(s, (const char *)data + off, size - off < chunk ? size - off : chunk, &err, &line)
              == TL_CSV_OK);
    }
    check(tl_csv_stream_end(s, &err, &line) == TL_CSV_OK);
    check(e.next == t->nrows && tl_csv_stream_table(s)->ncols == t->ncols && tl_csv_stream_table(s)->sep == t->sep);
    for (k = 0; k < t->ncols; k++) {
        check(strcmp(tl_csv_stream_table(s)->header[k], t->header[k]) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static const char *const names[] = { "code-barres", "code barre", "Désignation", "barcode", NULL };
    const tl_csv_limits limits = { 200, 32, 1024 };
    const char *err = NULL;
    apr_pool_t *p;
    tl_csv_table t, again;
    tl_csv_status st;
    int line = -1, r, k, col;
    tl_buf b;

    if (!ready) {
        apr_initialize();
        ready = 1;
    }
    apr_pool_create(&p, NULL);
    st = tl_csv_read(p, (const char *)data, size, &limits, &t, &err, &line);
    if (st != TL_CSV_OK) {
        check(err != NULL && *err != '\0' && line >= 0);
        apr_pool_destroy(p);
        return 0;
    }
    check(err == NULL && line == 0);
    check(t.sep == ';' || t.sep == ',' || t.sep == '\t');
    check(t.header_line >= 1 && t.ncols >= 1);
    check_record(t.header, t.ncols, &limits);
    check(!all_empty(t.header, t.ncols));
    for (k = 0; k < t.ncols; k++) {
        size_t n = strlen(t.header[k]);
        check(n == 0 || (t.header[k][0] != ' ' && t.header[k][n - 1] != ' '));
    }
    check(t.nrows >= 0 && t.nrows <= limits.max_records);
    for (r = 0; r < t.nrows; r++) {
        check(t.rows[r].line > (r ? t.rows[r - 1].line : t.header_line));
        check_record(t.rows[r].fields, t.rows[r].n, &limits);
        check(!all_empty(t.rows[r].fields, t.rows[r].n));
        check(*tl_csv_cell(&t.rows[r], t.rows[r].n) == '\0');
    }
    /* A Windows-1252 file is decided on the whole file by one and at its
     * first byte beyond ASCII by the other: compared when it is UTF-8. */
    if (!t.converted) {
        same_by_stream(p, data, size, &limits, &t, 1);
        same_by_stream(p, data, size, &limits, &t, 5);
        same_by_stream(p, data, size, &limits, &t, 4096);
    }
    col = tl_csv_column(&t, names);
    check(col >= -1 && col < t.ncols);

    /* With one column the separator cannot be told from the header, so
     * the rows' own separators might read differently: the round trip
     * only holds with two or more. */
    if (t.ncols >= 2) {
        tl_buf_init(&b, p, 1024);
        write_record(&b, t.header, t.ncols, t.sep);
        for (r = 0; r < t.nrows; r++) {
            write_record(&b, t.rows[r].fields, t.rows[r].n, t.sep);
        }
        check(tl_csv_read(p, b.data, b.len, &limits, &again, &err, &line) == TL_CSV_OK);
        check(again.sep == t.sep && again.converted == 0 && again.ncols == t.ncols && again.nrows == t.nrows);
        for (k = 0; k < t.ncols; k++) {
            check(strcmp(again.header[k], t.header[k]) == 0);
        }
        for (r = 0; r < t.nrows; r++) {
            check(again.rows[r].n == t.rows[r].n);
            for (k = 0; k < t.rows[r].n; k++) {
                check(strcmp(again.rows[r].fields[k], t.rows[r].fields[k]) == 0);
            }
        }
    }
    apr_pool_destroy(p);
    return 0;
}
