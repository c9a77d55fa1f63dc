#include <string.h>
#include "tl_csv.h"

static void csv_field(tl_buf *out, const char *s, size_t n, char sep, int guard)
{
    int formula = guard && n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t'
                            || s[0] == '\r');
    int quote = formula || memchr(s, sep, n) || memchr(s, '"', n) || memchr(s, '\n', n) || memchr(s, '\r', n);
    size_t i;

    if (!quote) {
        tl_buf_add(out, s, n);
        return;
    }
    tl_buf_addc(out, '"');
    if (formula) {
        tl_buf_addc(out, '\'');
    }
    for (i = 0; i < n; i++) {
        if (s[i] == '"') {
            tl_buf_addc(out, '"');
        }
        tl_buf_addc(out, s[i]);
    }
    tl_buf_addc(out, '"');
}

void tl_csv_field(tl_buf *out, const char *s, size_t n, char sep)
{
    csv_field(out, s, n, sep, 1);
}

void tl_csv_data_field(tl_buf *out, const char *s, size_t n, char sep)
{
    csv_field(out, s, n, sep, 0);
}

static void csv_rows(tl_buf *out, const tl_rows *rows, const char *const *columns, const char *const *labels,
                     char sep, int guard)
{
    int i, r, n = rows->count(rows);

    for (i = 0; labels[i]; i++) {
        if (i) {
            tl_buf_addc(out, sep);
        }
        csv_field(out, labels[i], strlen(labels[i]), sep, guard);
    }
    tl_buf_add(out, "\r\n", 2);
    for (r = 0; r < n; r++) {
        for (i = 0; columns[i]; i++) {
            int c = rows->column(rows, columns[i]);
            size_t len = 0;
            const char *v = c >= 0 ? rows->value(rows, r, c, &len) : NULL;
            if (i) {
                tl_buf_addc(out, sep);
            }
            if (v) {
                csv_field(out, v, len, sep, guard);
            }
        }
        tl_buf_add(out, "\r\n", 2);
    }
}

void tl_csv_rows(tl_buf *out, const tl_rows *rows, const char *const *columns, const char *const *labels,
                 char sep)
{
    csv_rows(out, rows, columns, labels, sep, 1);
}

void tl_csv_data_rows(tl_buf *out, const tl_rows *rows, const char *const *columns, const char *const *labels,
                      char sep)
{
    csv_rows(out, rows, columns, labels, sep, 0);
}
