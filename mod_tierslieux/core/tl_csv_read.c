#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "tl_csv_read.h"
#include "tl_buf.h"

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

/* The length of the well-formed UTF-8 sequence at s[i] (no overlong form,
 * no surrogate), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n, size_t i)
{
    unsigned char c = s[i];
    size_t len, k;
    unsigned long cp, min;

    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2; cp = c & 0x1F; min = 0x80;
    }
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; cp = c & 0x0F; min = 0x800;
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; cp = c & 0x07; min = 0x10000;
    }
    else {
        return 0;
    }
    if (n - i < len) {
        return 0;
    }
    for (k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    return len;
}

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
        size_t l = utf8_len(s, n, i);

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
