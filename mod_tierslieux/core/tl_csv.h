/* tl_csv — CSV for spreadsheets as French offices use them: a separator
 * of their choice (";" for LibreOffice and Excel in French), every field
 * quoted when it must be, and cells that a spreadsheet would run as a
 * formula (=, +, -, @, tab, carriage return at the start) defused with a
 * leading apostrophe. */
#ifndef TL_CSV_H
#define TL_CSV_H

#include "tl_buf.h"
#include "tl_tpl.h"

void tl_csv_field(tl_buf *out, const char *s, size_t n, char sep);
/* A header line from labels, then one line per row of the given columns;
 * lines end with CRLF (RFC 4180). */
void tl_csv_rows(tl_buf *out, const tl_rows *rows, const char *const *columns, const char *const *labels,
                 char sep);

/* tl_csv_rows for open data files, read by programs rather than opened in
 * a spreadsheet: fields are quoted only where RFC 4180 needs it, and a
 * leading + or - stays as it is ("+33240000000", "-0.45"). */
void tl_csv_data_field(tl_buf *out, const char *s, size_t n, char sep);
void tl_csv_data_rows(tl_buf *out, const tl_rows *rows, const char *const *columns, const char *const *labels,
                      char sep);

#endif
