/* tl_csv_read — reads a CSV file a référent uploads: saved by a French
 * spreadsheet (";" and often Windows-1252), or exported by Lend Engine,
 * Koha or Circulate ("," or tab, UTF-8). The whole file is in memory.
 *
 * What it accepts: a UTF-8 byte-order mark (dropped); ";", "," or tab as
 * the separator, whichever the header line holds most outside quotes;
 * CRLF, LF or lone CR line ends; RFC 4180 quotes ("" for a quote inside,
 * separators and line ends inside quotes). A file that is not UTF-8 at all
 * but reads as Windows-1252 (Excel's "CSV" on Windows) is converted.
 * Completely empty lines, and lines whose cells are all empty (the ";;;"
 * a spreadsheet writes for a blank row), are skipped.
 *
 * What it refuses, with a French message telling how to fix the file: a
 * NUL byte (a binary file such as an .xlsx), bytes that are not UTF-8 in an
 * otherwise UTF-8 file, a quote never closed, and anything over the
 * limits. Errors tied to a place name the line, counted from 1 as a text
 * editor does (a line end inside quotes starts a new line). */
#ifndef TL_CSV_READ_H
#define TL_CSV_READ_H

#include <stddef.h>
#include <apr_pools.h>

typedef struct {
    int line;               /* the file's line where the record starts (1-based) */
    int n;                  /* fields in this record: may differ from the header's */
    const char **fields;    /* NUL-terminated, valid UTF-8, as written (not trimmed); a line
                             * break inside quotes is "\n"; other control characters are
                             * left for the import's own checks (tl_valid_text) */
} tl_csv_row;

typedef struct {
    char sep;               /* ';', ',' or '\t' */
    int converted;          /* 1 when the file was Windows-1252 and is now UTF-8 */
    int header_line;
    int ncols;
    const char **header;    /* the first record, each name trimmed of spaces and tabs */
    int nrows;              /* records after the header */
    tl_csv_row *rows;
} tl_csv_table;

typedef struct {
    int max_records;        /* records after the header */
    int max_fields;         /* per record, header included */
    size_t max_field_len;   /* bytes of UTF-8 */
} tl_csv_limits;

typedef enum {
    TL_CSV_OK = 0,
    TL_CSV_EMPTY,           /* no header line */
    TL_CSV_NOT_TEXT,        /* a NUL byte: a binary file */
    TL_CSV_BAD_UTF8,
    TL_CSV_UNTERMINATED_QUOTE,
    TL_CSV_TOO_MANY_RECORDS,
    TL_CSV_TOO_MANY_FIELDS,
    TL_CSV_FIELD_TOO_LONG,
    TL_CSV_STOPPED          /* the record callback of a stream asked to stop */
} tl_csv_status;

/* Reads data[0..len). Returns TL_CSV_OK and fills *out, or another status
 * with a French message in *err (starting "Ligne N : " when it is about a
 * line) and that line in *err_line (0 when the whole file is at fault;
 * err_line may be NULL). Everything is allocated from p. */
tl_csv_status tl_csv_read(apr_pool_t *p, const char *data, size_t len, const tl_csv_limits *limits,
                          tl_csv_table *out, const char **err, int *err_line);

/* Reading a file as it arrives (a streamed upload), in memory that does
 * not grow with it: the same rules as tl_csv_read, and the header, then
 * each record handed to a callback as soon as it is complete. Only the
 * record being received is held (bounded by the limits). One difference,
 * since the end is not known in advance: a file is taken as Windows-1252
 * when the first byte that is not ASCII is not UTF-8 (tl_csv_read looks
 * at the whole file; both refuse a file that mixes the two). */
typedef struct tl_csv_stream tl_csv_stream;

/* Called for each record after the header; row and its fields live until
 * it returns. A non-zero return stops the reading: feed and end then
 * return TL_CSV_STOPPED with no message. */
typedef int (*tl_csv_record_fn)(void *ctx, const tl_csv_stream *s, const tl_csv_row *row);

tl_csv_stream *tl_csv_stream_make(apr_pool_t *p, const tl_csv_limits *limits, tl_csv_record_fn fn, void *ctx);

/* Hands the next bytes of the file (any size, cut anywhere). Returns
 * TL_CSV_OK, or a status and a message as tl_csv_read does; after an
 * error, every call returns it again. */
tl_csv_status tl_csv_stream_feed(tl_csv_stream *s, const char *data, size_t len, const char **err, int *err_line);

/* The end of the file: the last record, and TL_CSV_EMPTY without a header. */
tl_csv_status tl_csv_stream_end(tl_csv_stream *s, const char **err, int *err_line);

/* The header read so far (header, ncols, header_line, sep, converted) and
 * nrows, the records handed over; rows is always NULL. */
const tl_csv_table *tl_csv_stream_table(const tl_csv_stream *s);

/* The index of the header column named like one of names (a NULL-terminated
 * list, in order of preference), or -1. Names compare without case, French
 * accents, spaces, '_' or '-': {"code-barres", "barcode", NULL} finds
 * "Code barres", "CODE_BARRES" or "Barcode". */
int tl_csv_column(const tl_csv_table *t, const char *const *names);

/* Field col of a row, "" when the row is shorter. */
const char *tl_csv_cell(const tl_csv_row *row, int col);

#endif
