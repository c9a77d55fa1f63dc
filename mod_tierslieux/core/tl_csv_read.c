#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "tl_csv_read.h"
#include "tl_buf.h"
#include "tl_utf8.h"

/* Who reads these saved the file from a spreadsheet: each message says
 * what to do there. */
#define MSG_NOT_CSV "Ce fichier n'est pas un CSV : enregistrez-le depuis le tableur au format CSV (UTF-8)."
#define MSG_EMPTY "Le fichier est vide : sa première ligne doit donner les titres des colonnes."

/* Windows-1252 0x80-0x9F (Latin-1 has control characters there, which no
 * spreadsheet writes); 0 marks the five bytes it leaves undefined. From
 * 0xA0 on, both are Unicode's first 256 code points. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* The line of data[off], counting CRLF, LF and a lone CR as one line end
 * each, like the reader. */
static int line_at(const char *data, size_t off)
{
    int line = 1;
    size_t i;

    for (i = 0; i < off; i++) {
        if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == off || data[i + 1] != '\n'))) {
            line++;
        }
    }
    return line;
}

static void add_utf8(char *out, size_t *k, unsigned long cp)
{
    if (cp < 0x80) {
        out[(*k)++] = (char)cp;
    }
    else if (cp < 0x800) {
        out[(*k)++] = (char)(0xC0 | (cp >> 6));
        out[(*k)++] = (char)(0x80 | (cp & 0x3F));
    }
    else {
        out[(*k)++] = (char)(0xE0 | (cp >> 12));
        out[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*k)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* Makes data[0..*len) UTF-8. A file with no valid multi-byte sequence at
 * all and only bytes Windows-1252 defines is taken as Windows-1252 and
 * converted: a real French Windows-1252 text practically never forms a
 * valid UTF-8 sequence ("Ã©" would be needed), whereas a UTF-8 file with one
 * broken character converted as Windows-1252 would turn every accent into
 * "Ã©" — so that one is refused, at its line. */
static tl_csv_status to_utf8(apr_pool_t *p, const char **data, size_t *len, int had_bom, int *converted,
                             const char **err, int *err_line)
{
    const unsigned char *s = (const unsigned char *)*data;
    size_t n = *len, i = 0, bad = n, k = 0;
    int multibyte = had_bom, cp1252 = 1;
    char *out;

    *converted = 0;
    while (i < n) {
        size_t l = tl_utf8_decode((const char *)s + i, n - i, NULL);

        if (l == 0) {
            if (bad == n) {
                bad = i;
            }
            if (s[i] >= 0x80 && s[i] < 0xA0 && cp1252_high[s[i] - 0x80] == 0) {
                cp1252 = 0;
            }
            i++;
            continue;
        }
        if (l > 1) {
            multibyte = 1;
        }
        i += l;
    }
    if (bad == n) {
        return TL_CSV_OK;
    }
    if (multibyte || !cp1252) {
        *err_line = line_at(*data, bad);
        *err = apr_psprintf(p,
                            "Ligne %d : le fichier contient des caractères mal codés : enregistrez-le "
                            "depuis le tableur au format « CSV UTF-8 ».",
                            *err_line);
        return TL_CSV_BAD_UTF8;
    }
    out = apr_palloc(p, 3 * n + 1);
    for (i = 0; i < n; i++) {
        if (s[i] < 0x80) {
            out[k++] = (char)s[i];
        }
        else {
            add_utf8(out, &k, s[i] < 0xA0 ? cp1252_high[s[i] - 0x80] : s[i]);
        }
    }
    out[k] = '\0';
    *data = out;
    *len = k;
    *converted = 1;
    return TL_CSV_OK;
}

/* The separator the header line uses most outside quotes; on a tie, ';'
 * (French spreadsheets) before tab before ','. One column: ';'. */
static char detect_sep(const char *s, size_t n, size_t i)
{
    static const char seps[] = { ';', '\t', ',' };
    size_t count[3] = { 0, 0, 0 };
    int quoted = 0, best = 0, k;

    for (; i < n; i++) {
        char c = s[i];

        if (c == '"') {
            quoted = !quoted;   /* "" inside quotes toggles twice: no harm */
        }
        else if (!quoted && (c == '\r' || c == '\n')) {
            break;
        }
        else if (!quoted) {
            for (k = 0; k < 3; k++) {
                if (c == seps[k]) {
                    count[k]++;
                }
            }
        }
    }
    for (k = 1; k < 3; k++) {
        if (count[k] > count[best]) {
            best = k;
        }
    }
    return seps[best];
}

typedef struct {
    apr_pool_t *p;
    const char *s;
    size_t n;
    size_t i;
    int line;               /* the line of s[i] */
    char sep;
    const tl_csv_limits *lim;
    apr_array_header_t *fields;     /* const char *, the record being read */
    tl_buf buf;             /* the field being read */
    const char **err;
    int *err_line;
} reader;

/* Moves past the line end at s[i] (CRLF counts as one). */
static void skip_eol(reader *r)
{
    if (r->s[r->i] == '\r' && r->i + 1 < r->n && r->s[r->i + 1] == '\n') {
        r->i++;
    }
    r->i++;
    r->line++;
}

/* Reads one record into r->fields. Returns TL_CSV_OK, or an error; *eof is
 * set when only empty lines were left. */
static tl_csv_status read_record(reader *r, int *record_line, int *eof)
{
    const char *s = r->s;
    size_t n = r->n;

    *eof = 0;
    apr_array_clear(r->fields);
    while (r->i < n && (s[r->i] == '\r' || s[r->i] == '\n')) {
        skip_eol(r);
    }
    if (r->i == n) {
        *eof = 1;
        return TL_CSV_OK;
    }
    *record_line = r->line;
    for (;;) {
        r->buf.len = 0;
        if (r->i < n && s[r->i] == '"') {
            int quote_line = r->line;

            r->i++;
            for (;;) {
                char c;

                if (r->i == n) {
                    *r->err_line = quote_line;
                    *r->err = apr_psprintf(r->p,
                                           "Ligne %d : un guillemet (\") ouvert ici n'est jamais refermé.",
                                           quote_line);
                    return TL_CSV_UNTERMINATED_QUOTE;
                }
                c = s[r->i];
                if (c == '"') {
                    if (r->i + 1 < n && s[r->i + 1] == '"') {
                        tl_buf_addc(&r->buf, '"');
                        r->i += 2;
                        continue;
                    }
                    r->i++;
                    break;
                }
                if (c == '\r' || c == '\n') {
                    /* A line break inside a cell (Alt+Entrée) reads as \n
                     * whatever the file's line ends. */
                    tl_buf_addc(&r->buf, '\n');
                    skip_eol(r);
                    continue;
                }
                tl_buf_addc(&r->buf, c);
                r->i++;
            }
        }
        /* Unquoted text, or text after a closing quote ("12" pouces"),
         * which spreadsheets keep as it is rather than refuse. */
        while (r->i < n && s[r->i] != r->sep && s[r->i] != '\r' && s[r->i] != '\n') {
            tl_buf_addc(&r->buf, s[r->i]);
            r->i++;
        }
        if (r->buf.len > r->lim->max_field_len) {
            *r->err_line = *record_line;
            *r->err = apr_psprintf(r->p, "Ligne %d : une case contient trop de texte (plus de %lu caractères).",
                                   *record_line, (unsigned long)r->lim->max_field_len);
            return TL_CSV_FIELD_TOO_LONG;
        }
        if (r->fields->nelts >= r->lim->max_fields) {
            *r->err_line = *record_line;
            *r->err = apr_psprintf(r->p, "Ligne %d : trop de colonnes (au plus %d).", *record_line,
                                   r->lim->max_fields);
            return TL_CSV_TOO_MANY_FIELDS;
        }
        APR_ARRAY_PUSH(r->fields, const char *) = apr_pstrmemdup(r->p, r->buf.data ? r->buf.data : "",
                                                                 r->buf.len);
        if (r->i < n && s[r->i] == r->sep) {
            r->i++;
            continue;
        }
        if (r->i < n) {
            skip_eol(r);
        }
        return TL_CSV_OK;
    }
}

static int all_empty(const apr_array_header_t *fields)
{
    int k;

    for (k = 0; k < fields->nelts; k++) {
        if (APR_ARRAY_IDX(fields, k, const char *)[0] != '\0') {
            return 0;
        }
    }
    return 1;
}

static const char *trim(apr_pool_t *p, const char *s)
{
    size_t n = strlen(s);

    while (*s == ' ' || *s == '\t') {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    return apr_pstrmemdup(p, s, n);
}

tl_csv_status tl_csv_read(apr_pool_t *p, const char *data, size_t len, const tl_csv_limits *limits,
                          tl_csv_table *out, const char **err, int *err_line)
{
    reader r;
    apr_array_header_t *rows;
    int had_bom = 0, dummy_line, header_done = 0;
    tl_csv_status st;

    memset(out, 0, sizeof(*out));
    *err = NULL;
    if (!err_line) {
        err_line = &dummy_line;
    }
    *err_line = 0;
    /* An .xlsx (a zip), an .ods or a UTF-16 "Unicode text" export all hold
     * NUL bytes; no CSV does. */
    if (len > 0 && memchr(data, '\0', len)) {
        *err = MSG_NOT_CSV;
        return TL_CSV_NOT_TEXT;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
        had_bom = 1;
    }
    st = to_utf8(p, &data, &len, had_bom, &out->converted, err, err_line);
    if (st != TL_CSV_OK) {
        return st;
    }

    memset(&r, 0, sizeof(r));
    r.p = p;
    r.s = data;
    r.n = len;
    r.line = 1;
    r.lim = limits;
    r.err = err;
    r.err_line = err_line;
    r.fields = apr_array_make(p, 16, sizeof(const char *));
    tl_buf_init(&r.buf, p, 256);
    while (r.i < len && (data[r.i] == '\r' || data[r.i] == '\n')) {
        skip_eol(&r);
    }
    r.sep = detect_sep(data, len, r.i);
    out->sep = r.sep;
    rows = apr_array_make(p, 64, sizeof(tl_csv_row));

    for (;;) {
        int line = 0, eof, k;
        const char **fields;

        st = read_record(&r, &line, &eof);
        if (st != TL_CSV_OK) {
            return st;
        }
        if (eof) {
            break;
        }
        if (!header_done) {
            /* Trimmed first: a line of spaces is no header either. */
            for (k = 0; k < r.fields->nelts; k++) {
                APR_ARRAY_IDX(r.fields, k, const char *) = trim(p, APR_ARRAY_IDX(r.fields, k, const char *));
            }
        }
        if (all_empty(r.fields)) {
            continue;
        }
        fields = apr_palloc(p, sizeof(*fields) * (size_t)r.fields->nelts);
        memcpy(fields, r.fields->elts, sizeof(*fields) * (size_t)r.fields->nelts);
        if (!header_done) {
            out->header = fields;
            out->ncols = r.fields->nelts;
            out->header_line = line;
            header_done = 1;
            continue;
        }
        if (rows->nelts >= limits->max_records) {
            *err = apr_psprintf(p, "Le fichier a plus de %d lignes : découpez-le en plusieurs fichiers.",
                                limits->max_records);
            return TL_CSV_TOO_MANY_RECORDS;
        }
        {
            tl_csv_row *row = &APR_ARRAY_PUSH(rows, tl_csv_row);
            row->line = line;
            row->n = r.fields->nelts;
            row->fields = fields;
        }
    }
    if (!header_done) {
        *err = MSG_EMPTY;
        return TL_CSV_EMPTY;
    }
    out->nrows = rows->nelts;
    out->rows = (tl_csv_row *)rows->elts;
    return TL_CSV_OK;
}

/* Appends the comparison key of s to out[0..size): ASCII lower-cased,
 * French accented letters (UTF-8) as their base letter, spaces (no-break
 * ones too), '_' and '-' left out. Returns the length, or -1 when it does
 * not fit: a header that long is no name anyone accepts. */
static int name_key(const char *str, char *out, size_t size)
{
    /* U+00C0-U+00DF and U+00E0-U+00FF share their base letters, 32 apart. */
    static const char *const latin1[32] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        NULL, "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", NULL, NULL,
    };
    const unsigned char *s = (const unsigned char *)str;
    size_t k = 0;

    while (*s) {
        const char *rep = NULL;
        char one[2] = { 0, 0 };
        size_t skip = 1;

        if (*s == ' ' || *s == '\t' || *s == '_' || *s == '-') {
            rep = "";
        }
        else if (*s < 0x80) {
            one[0] = (char)((*s >= 'A' && *s <= 'Z') ? *s - 'A' + 'a' : *s);
            rep = one;
        }
        else if (s[0] == 0xC3 && s[1] >= 0x80 && s[1] <= 0xBF) {
            rep = latin1[s[1] & 0x1F];
            if (s[1] == 0x9F) {
                rep = "ss";
            }
            else if (s[1] == 0xBF) {
                rep = "y";
            }
            skip = 2;
        }
        else if (s[0] == 0xC5 && (s[1] == 0x92 || s[1] == 0x93)) {
            rep = "oe";
            skip = 2;
        }
        else if (s[0] == 0xC5 && s[1] == 0xB8) {
            rep = "y";
            skip = 2;
        }
        else if (s[0] == 0xC2 && s[1] == 0xA0) {
            rep = "";
            skip = 2;
        }
        else if (s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0xAF) {
            rep = "";       /* the narrow no-break space of French typography */
            skip = 3;
        }
        if (rep) {
            size_t l = strlen(rep);
            if (k + l >= size) {
                return -1;
            }
            memcpy(out + k, rep, l);
            k += l;
            s += skip;
        }
        else {
            /* Another character: kept as it is, byte by byte. */
            if (k + 1 >= size) {
                return -1;
            }
            out[k++] = (char)*s++;
        }
    }
    out[k] = '\0';
    return (int)k;
}

int tl_csv_column(const tl_csv_table *t, const char *const *names)
{
    char want[128], have[128];
    int i, c;

    for (i = 0; names && names[i]; i++) {
        if (name_key(names[i], want, sizeof(want)) <= 0) {
            continue;
        }
        for (c = 0; c < t->ncols; c++) {
            if (name_key(t->header[c], have, sizeof(have)) > 0 && strcmp(want, have) == 0) {
                return c;
            }
        }
    }
    return -1;
}

const char *tl_csv_cell(const tl_csv_row *row, int col)
{
    return (col >= 0 && col < row->n) ? row->fields[col] : "";
}

/* ---- reading a file as it arrives --------------------------------------- */

/* Where the scanner is in the record being received, with the reader's own
 * rules (read_record): a quote opens a quoted cell only at its start; ""
 * inside is a quote; after the closing quote the cell goes on unquoted. */
enum { SC_START, SC_TEXT, SC_QUOTED, SC_QUOTE_SEEN };

struct tl_csv_stream {
    apr_pool_t *p;              /* the header, the stream itself */
    apr_pool_t *scratch;        /* the records of one block, cleared after it */
    const tl_csv_limits *lim;
    tl_csv_record_fn fn;
    void *ctx;
    tl_csv_table table;         /* the header, the separator, whether converted */
    tl_buf pending;             /* UTF-8 text received and not yet read */
    size_t scanned;             /* pending[0..scanned) has been scanned */
    int pending_line;           /* the line of pending[0] */
    int state;
    int have_sep;
    /* bytes in: */
    unsigned char lead[16];     /* the file's first bytes (byte-order mark) or an
                                 * incomplete UTF-8 sequence at a chunk's end */
    size_t nlead;
    int started;                /* the byte-order mark question is settled */
    int mode;                   /* 0: only ASCII so far; 1: UTF-8; 2: Windows-1252 */
    int in_line;                /* the line of the next byte received */
    int prev_cr;
    tl_csv_status failed;
    reader r;
};

tl_csv_stream *tl_csv_stream_make(apr_pool_t *p, const tl_csv_limits *limits, tl_csv_record_fn fn, void *ctx)
{
    tl_csv_stream *s = apr_pcalloc(p, sizeof(*s));

    s->p = p;
    apr_pool_create(&s->scratch, p);
    s->lim = limits;
    s->fn = fn;
    s->ctx = ctx;
    tl_buf_init(&s->pending, p, 64 * 1024);
    s->pending_line = 1;
    s->in_line = 1;
    s->r.p = s->scratch;
    s->r.lim = limits;
    s->r.fields = apr_array_make(p, 16, sizeof(const char *));
    tl_buf_init(&s->r.buf, p, 256);
    return s;
}

const tl_csv_table *tl_csv_stream_table(const tl_csv_stream *s)
{
    return &s->table;
}

static tl_csv_status stream_fail(tl_csv_stream *s, tl_csv_status st, const char *msg, int line, const char **err,
                                 int *err_line)
{
    s->failed = st;
    *err = msg;
    *err_line = line;
    return st;
}

/* Reads the complete records in pending[0..cut): the header first, then
 * each record handed to the callback. */
static tl_csv_status stream_block(tl_csv_stream *s, size_t cut, const char **err, int *err_line)
{
    reader *r = &s->r;
    tl_csv_status st = TL_CSV_OK;

    r->s = s->pending.data;
    r->n = cut;
    r->i = 0;
    r->line = s->pending_line;
    r->sep = s->table.sep;
    r->err = err;
    r->err_line = err_line;
    for (;;) {
        int line = 0, eof, k;
        tl_csv_row row;

        if ((st = read_record(r, &line, &eof)) != TL_CSV_OK) {
            s->failed = st;
            break;
        }
        if (eof) {
            break;
        }
        if (!s->table.header) {
            for (k = 0; k < r->fields->nelts; k++) {
                APR_ARRAY_IDX(r->fields, k, const char *) = trim(s->p, APR_ARRAY_IDX(r->fields, k, const char *));
            }
        }
        if (all_empty(r->fields)) {
            continue;
        }
        if (!s->table.header) {
            const char **fields = apr_palloc(s->p, sizeof(*fields) * (size_t)r->fields->nelts);
            memcpy(fields, r->fields->elts, sizeof(*fields) * (size_t)r->fields->nelts);
            s->table.header = fields;
            s->table.ncols = r->fields->nelts;
            s->table.header_line = line;
            continue;
        }
        if (s->table.nrows >= s->lim->max_records) {
            st = stream_fail(s, TL_CSV_TOO_MANY_RECORDS,
                             apr_psprintf(s->p, "Le fichier a plus de %d lignes : découpez-le en plusieurs fichiers.",
                                          s->lim->max_records), 0, err, err_line);
            break;
        }
        s->table.nrows++;
        row.line = line;
        row.n = r->fields->nelts;
        row.fields = (const char **)r->fields->elts;
        if (s->fn(s->ctx, s, &row) != 0) {
            st = s->failed = TL_CSV_STOPPED;
            *err = NULL;
            break;
        }
    }
    s->pending_line = r->line;
    apr_pool_clear(s->scratch);
    /* What is left is the beginning of a record: moved to the front. */
    memmove(s->pending.data, s->pending.data + cut, s->pending.len - cut);
    s->pending.len -= cut;
    s->scanned -= cut;
    return st;
}

/* Scans the new text for the end of the last complete record and reads
 * the records up to it. At the end of the file (last), everything. */
static tl_csv_status stream_scan(tl_csv_stream *s, int last, const char **err, int *err_line)
{
    const char *d = s->pending.data;
    size_t n = s->pending.len, i, cut = 0;
    int state = s->state;

    if (!s->have_sep) {
        /* The separator comes from the header line, found as detect_sep()
         * finds it (a quote toggles), after any blank lines. */
        int quoted = 0;
        size_t start = 0;

        while (start < n && (d[start] == '\r' || d[start] == '\n')) {
            start++;
        }
        for (i = start; i < n; i++) {
            if (d[i] == '"') {
                quoted = !quoted;
            }
            else if (!quoted && (d[i] == '\r' || d[i] == '\n')) {
                break;
            }
        }
        if (i == n && !last) {
            if (n > 2 * s->lim->max_field_len * (size_t)s->lim->max_fields + 4096) {
                return stream_fail(s, TL_CSV_FIELD_TOO_LONG,
                                   "Ligne 1 : la première ligne est trop longue pour des titres de colonnes.", 1, err,
                                   err_line);
            }
            return TL_CSV_OK;
        }
        s->table.sep = detect_sep(d, n, start);
        s->have_sep = 1;
        s->scanned = 0;
        state = SC_START;
    }
    for (i = s->scanned; i < n; i++) {
        char c = d[i];

        switch (state) {
        case SC_QUOTED:
            if (c == '"') {
                state = SC_QUOTE_SEEN;
            }
            continue;
        case SC_QUOTE_SEEN:
            if (c == '"') {
                state = SC_QUOTED;
                continue;
            }
            break;
        case SC_START:
            if (c == '"') {
                state = SC_QUOTED;
                continue;
            }
            break;
        default:
            break;
        }
        if (c == s->table.sep) {
            state = SC_START;
        }
        else if (c == '\n') {
            state = SC_START;
            cut = i + 1;
        }
        else if (c == '\r') {
            if (i + 1 == n && !last) {
                break;          /* CRLF or a lone CR: the next byte tells */
            }
            if (i + 1 < n && d[i + 1] == '\n') {
                i++;
            }
            state = SC_START;
            cut = i + 1;
        }
        else {
            state = SC_TEXT;
        }
    }
    s->state = state;
    s->scanned = i;
    if (last) {
        cut = n;
    }
    else if (n - cut > 2 * s->lim->max_field_len * (size_t)s->lim->max_fields + 4096) {
        /* A record that never ends: a quote left open, or a cell too long. */
        int line = s->pending_line;
        for (i = 0; i < cut; i++) {
            line += d[i] == '\n' || (d[i] == '\r' && d[i + 1] != '\n');
        }
        return stream_fail(s, TL_CSV_FIELD_TOO_LONG,
                           apr_psprintf(s->p, "Ligne %d : une case contient trop de texte (plus de %lu caractères), "
                                        "ou un guillemet (\") ouvert ici n'est jamais refermé.", line,
                                        (unsigned long)s->lim->max_field_len), line, err, err_line);
    }
    return cut ? stream_block(s, cut, err, err_line) : TL_CSV_OK;
}

static tl_csv_status bad_bytes(tl_csv_stream *s, const char **err, int *err_line)
{
    return stream_fail(s, TL_CSV_BAD_UTF8,
                       apr_psprintf(s->p,
                                    "Ligne %d : le fichier contient des caractères mal codés : enregistrez-le "
                                    "depuis le tableur au format « CSV UTF-8 ».", s->in_line),
                       s->in_line, err, err_line);
}

/* Appends bytes to pending as UTF-8. As tl_csv_read decides for a whole
 * file: UTF-8 (a byte-order mark or a valid multi-byte sequence seen
 * first), or Windows-1252 when the first byte that is not ASCII is not
 * UTF-8 — then a valid UTF-8 sequence later, or a byte Windows-1252 leaves
 * undefined, is refused, as a mixed file is. Returns how many bytes of
 * data were used: an incomplete sequence at the end waits in s->lead. */
static tl_csv_status stream_decode(tl_csv_stream *s, const unsigned char *b, size_t n, int last, size_t *used,
                                   const char **err, int *err_line)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = b[i];
        size_t l;

        if (c == '\0') {
            return stream_fail(s, TL_CSV_NOT_TEXT, MSG_NOT_CSV, 0, err, err_line);
        }
        if (c < 0x80) {
            size_t run = i;
            while (run < n && b[run] < 0x80 && b[run] != '\0') {
                /* Lines as the reader counts them: CRLF, LF or a lone CR. */
                if (b[run] == '\n') {
                    s->in_line += !s->prev_cr;
                    s->prev_cr = 0;
                }
                else {
                    s->in_line += b[run] == '\r';
                    s->prev_cr = b[run] == '\r';
                }
                run++;
            }
            tl_buf_add(&s->pending, (const char *)b + i, run - i);
            i = run;
            continue;
        }
        l = tl_utf8_decode((const char *)b + i, n - i, NULL);
        if (l == 0 && !last && n - i < 4 && c >= 0xC2 && c <= 0xF4) {
            /* Perhaps a sequence cut by the chunk: wait for the rest. */
            size_t k;
            for (k = i + 1; k < n && (b[k] & 0xC0) == 0x80; k++) {
            }
            if (k == n) {
                break;
            }
        }
        if (s->mode == 0) {
            s->mode = l > 1 ? 1 : 2;
            s->table.converted = s->mode == 2;
        }
        if (s->mode == 1) {
            if (l == 0) {
                return bad_bytes(s, err, err_line);
            }
            tl_buf_add(&s->pending, (const char *)b + i, l);
            i += l;
        }
        else {
            char out[4];
            size_t k = 0;
            if (l > 1 || (c < 0xA0 && cp1252_high[c - 0x80] == 0)) {
                return bad_bytes(s, err, err_line);
            }
            add_utf8(out, &k, c < 0xA0 ? cp1252_high[c - 0x80] : c);
            tl_buf_add(&s->pending, out, k);
            i++;
        }
        s->prev_cr = 0;
    }
    *used = i;
    return TL_CSV_OK;
}

tl_csv_status tl_csv_stream_feed(tl_csv_stream *s, const char *data, size_t len, const char **err, int *err_line)
{
    const unsigned char *b = (const unsigned char *)data;
    tl_csv_status st;
    size_t used, off = 0;

    *err = NULL;
    *err_line = 0;
    if (s->failed) {
        return s->failed;
    }
    if (!s->started) {
        /* The first three bytes tell whether a byte-order mark opens it. */
        while (off < len && s->nlead < 3) {
            s->lead[s->nlead++] = b[off++];
        }
        if (s->nlead < 3 && memcmp(s->lead, "\xEF\xBB\xBF", s->nlead) == 0) {
            return TL_CSV_OK;
        }
        s->started = 1;
        if (s->nlead == 3 && memcmp(s->lead, "\xEF\xBB\xBF", 3) == 0) {
            s->mode = 1;
            s->nlead = 0;
        }
    }
    if (s->nlead > 0) {
        /* Bytes left from before (a sequence cut by the chunk), decoded
         * with the first new ones. */
        unsigned char tmp[sizeof(s->lead) + 8];
        size_t k = s->nlead, take = len - off < 8 ? len - off : 8;

        memcpy(tmp, s->lead, k);
        memcpy(tmp + k, b + off, take);
        if ((st = stream_decode(s, tmp, k + take, 0, &used, err, err_line)) != TL_CSV_OK) {
            return st;
        }
        if (used < k) {
            s->nlead = k + take - used;
            memcpy(s->lead, tmp + used, s->nlead);
            off += take;
        }
        else {
            off += used - k;
            s->nlead = 0;
        }
    }
    if (off < len) {
        if ((st = stream_decode(s, b + off, len - off, 0, &used, err, err_line)) != TL_CSV_OK) {
            return st;
        }
        s->nlead = len - off - used;
        memcpy(s->lead, b + off + used, s->nlead);
    }
    return stream_scan(s, 0, err, err_line);
}

tl_csv_status tl_csv_stream_end(tl_csv_stream *s, const char **err, int *err_line)
{
    tl_csv_status st;
    size_t used;

    *err = NULL;
    *err_line = 0;
    if (s->failed) {
        return s->failed;
    }
    s->started = 1;
    if (s->nlead > 0) {
        if ((st = stream_decode(s, s->lead, s->nlead, 1, &used, err, err_line)) != TL_CSV_OK) {
            return st;
        }
        s->nlead = 0;
    }
    if ((st = stream_scan(s, 1, err, err_line)) != TL_CSV_OK) {
        return st;
    }
    if (!s->table.header) {
        return stream_fail(s, TL_CSV_EMPTY, MSG_EMPTY, 0, err, err_line);
    }
    return TL_CSV_OK;
}
