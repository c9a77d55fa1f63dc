/* tl_ords — the Open Repair Data Standard v0.3 (openrepair.org), which a
 * repair café uses to publish one CSV row per repair attempt.
 *
 * Import accepts what real providers publish (see tl_ords_read); export
 * writes what the standard's table schema says, exactly (tl_ords_writer).
 * Nothing here reads a file or a database: the caller hands a table read
 * by tl_csv_read, or rows it filled from SQL. */
#ifndef TL_ORDS_H
#define TL_ORDS_H

#include <apr_pools.h>
#include "tl_buf.h"
#include "tl_csv_read.h"

/* The standard's 14 fields, in the order of its header. */
enum {
    TL_ORDS_ID,
    TL_ORDS_DATA_PROVIDER,
    TL_ORDS_COUNTRY,
    TL_ORDS_PARTNER_PRODUCT_CATEGORY,
    TL_ORDS_PRODUCT_CATEGORY,
    TL_ORDS_PRODUCT_CATEGORY_ID,
    TL_ORDS_BRAND,
    TL_ORDS_YEAR_OF_MANUFACTURE,
    TL_ORDS_PRODUCT_AGE,
    TL_ORDS_REPAIR_STATUS,
    TL_ORDS_REPAIR_BARRIER,
    TL_ORDS_GROUP_IDENTIFIER,
    TL_ORDS_EVENT_DATE,
    TL_ORDS_PROBLEM,
    TL_ORDS_NFIELDS
};
extern const char *const tl_ords_fields[TL_ORDS_NFIELDS];

/* Product categories 1 to 40. */
#define TL_ORDS_NCATEGORIES 40
/* The name of category id ("Power tool" for 24), NULL outside 1..40. */
const char *tl_ords_category_name(int id);
/* The id of a category named name, ignoring ASCII case; 0 when none. */
int tl_ords_category_id(const char *name);

/* The standard numbers them so; files write their labels. */
typedef enum {
    TL_ORDS_STATUS_UNKNOWN = 0,
    TL_ORDS_STATUS_FIXED = 1,
    TL_ORDS_STATUS_REPAIRABLE = 2,
    TL_ORDS_STATUS_END_OF_LIFE = 3
} tl_ords_status;

typedef enum {
    TL_ORDS_BARRIER_NONE = 0,
    TL_ORDS_BARRIER_SPARE_PARTS_NOT_AVAILABLE = 1,
    TL_ORDS_BARRIER_SPARE_PARTS_TOO_EXPENSIVE = 2,
    TL_ORDS_BARRIER_NO_WAY_TO_OPEN = 3,
    TL_ORDS_BARRIER_REPAIR_INFO_NOT_AVAILABLE = 4,
    TL_ORDS_BARRIER_LACK_OF_EQUIPMENT = 5,
    TL_ORDS_BARRIER_TOO_WORN_OUT = 6
} tl_ords_barrier;

/* The table schema's enum labels ("End of life", "Too worn out"); ""
 * for TL_ORDS_BARRIER_NONE; NULL for a value out of range. */
const char *tl_ords_status_label(tl_ords_status s);
const char *tl_ords_barrier_label(tl_ords_barrier b);

/* One repair attempt. Strings are never NULL; "" means not given. */
typedef struct {
    int line;                       /* the file's line (import), 0 otherwise */
    const char *id;                 /* "rctoronto_6912": required */
    const char *data_provider;      /* required */
    const char *country;            /* ISO 3166-1 alpha-3, upper case: required */
    const char *partner_product_category;
    const char *product_category;   /* import: as the file wrote it ("" stays "");
                                     * export: written as given, or the canonical
                                     * name of product_category_id when NULL */
    int product_category_id;        /* 1..40, 0 when none */
    const char *brand;              /* "" when unknown (written "Unknown") */
    int year_of_manufacture;        /* 4 digits, 0 when not given */
    const char *product_age;        /* "" or a number written with a dot: "11", "2.5" */
    tl_ords_status repair_status;
    tl_ords_barrier barrier;        /* only with TL_ORDS_STATUS_END_OF_LIFE */
    const char *group_identifier;
    char event_date[11];            /* "YYYY-MM-DD", a real date: required */
    const char *problem;
    const char *note;               /* import: what the row lost and why, for the
                                     * preview (a barrier without End of life), or NULL */
} tl_ords_row;

typedef struct {
    int line;                       /* the file's line of the refused row */
    const char *reason;             /* short, in French, without the line */
} tl_ords_error;

typedef struct {
    int nrows;
    tl_ords_row *rows;              /* the rows without fault, in file order */
    int nerrors;
    tl_ords_error *errors;          /* one per refused row, in file order */
    int nignored;
    const char **ignored;           /* header names that are no ORDS field */
} tl_ords_import;

/* An ORDS header: the column of each field, and each field's name as the
 * file spells it ("Product_Age"), for the messages. */
typedef struct {
    int ncols;
    int col[TL_ORDS_NFIELDS];
    const char *name[TL_ORDS_NFIELDS];
    int nignored;
    const char **ignored;           /* header names that are no ORDS field */
} tl_ords_header;

/* Maps a header (ncols names): NULL, or a French message when it is not
 * an ORDS header (a field missing or twice). */
const char *tl_ords_header_read(apr_pool_t *p, int ncols, const char *const *header, tl_ords_header *h);

/* Checks one record as tl_ords_read does each row (see below), the id's
 * uniqueness aside: NULL with *r filled (r->note set when the row loses a
 * value), or the reason it is refused, naming the fields as the file
 * does. For readers that see one record at a time (a streamed upload). */
const char *tl_ords_record(apr_pool_t *p, const tl_ords_header *h, const tl_csv_row *in, tl_ords_row *r);

/* Checks a table read by tl_csv_read as an ORDS file. The header must
 * name the 14 fields (in any order, any ASCII case, each once); other
 * columns are ignored and named in out->ignored, so the preview can say
 * so. Returns NULL and fills out, or a French message when the header
 * is not an ORDS header (then out is empty).
 *
 * Each row is checked as providers really write it: values trimmed of
 * spaces; status and barrier as labels in any case, or the standard's
 * numbers; the providers' variants of the barriers ("Item too worn out",
 * "No way to open the product": compared by their meaningful words); a
 * barrier with another status than End of life dropped with a note;
 * "Unknown" brand as none; ids of any shape, each once in the file; a
 * category id (1-40) and name that must agree when both are given (a name
 * alone gives its id; the name is kept as written, empty or not). A row at fault is left out and gets one reason in
 * out->errors. Linear in the size of the table; allocates from p. */
const char *tl_ords_read(apr_pool_t *p, const tl_csv_table *t, tl_ords_import *out);

/* The export. A writer appends the header line at init, then one line per
 * row: "," between fields, a field quoted (RFC 4180) only when it holds a
 * comma, a quote or a line end, lines ending with LF as the published files
 * do, UTF-8 as given (no byte-order mark), labels as the schema spells
 * them, "Unknown" for a missing brand, the category name as given (the
 * canonical name for its id when none is), a barrier only with End of
 * life, empty values empty.
 *
 * Cells are not defused as tl_csv does for spreadsheets: this is open data
 * read by programs, and a leading apostrophe would change the values. */
#define TL_ORDS_SCRUB_PROBLEM 1     /* flag: tl_ords_scrub each problem */

typedef struct {
    tl_buf *out;
    tl_buf scratch;                 /* the scrubbed problem, reused by each row */
    int flags;
} tl_ords_writer;

void tl_ords_writer_init(tl_ords_writer *w, tl_buf *out, int flags);
void tl_ords_writer_row(tl_ords_writer *w, const tl_ords_row *row);

/* Appends text[0..n) to out without the e-mail addresses and phone
 * numbers in it, each replaced by "[courriel retiré]" or "[téléphone
 * retiré]": "06 12 34 56 78", "+33 6 12 34 56 78", "06.12.34.56.78",
 * "0612345678", "0033 6…", "(555) 123-4567", "555-123-4567",
 * "+1 555 123 4567". Years, prices, dates, model numbers ("XR-2000") and
 * serial numbers without a phone's shape stay. */
void tl_ords_scrub(tl_buf *out, const char *text, size_t n);

/* "OpenRepairData_v0.3_<Provider>_<YYYYMM>.csv", the provider reduced to
 * ASCII letters and digits in CamelCase ("Repair Café Toronto" gives
 * "RepairCafeToronto"; nothing left gives "TiersLieux"), at most 64. */
const char *tl_ords_filename(apr_pool_t *p, const char *provider, int year, int month);

#endif
