#include <stdio.h>
#include <string.h>
#include <apr_strings.h>
#include "tl_buf.h"
#include "tl_tz.h"
#include "tl_date.h"

/* Instants are clamped to about ±35000 years before any arithmetic, so
 * offsets and rule times added to them never overflow, whatever a file
 * or a caller hands us. */
#define TL_TZ_LIMIT ((int64_t)1 << 40)
/* RFC 8536: offsets lie in -89999..93599; POSIX rule times within ±167 h. */
#define TL_TZ_MAX_OFFSET 93599
#define TL_TZ_MAX_RULE_TIME (167 * 3600)
/* A zone file is a few kilobytes; these bound what a broken one asks for. */
#define TL_TZ_MAX_COUNT 100000

typedef struct {
    int32_t utoff;
    int isdst;
    const char *abbr;
} tz_type;

/* One date rule of a POSIX TZ string: Jn, n or Mm.w.d, then a time. */
typedef struct {
    char kind;             /* 'J', 'N' or 'M' */
    int a, b, c;           /* J/N: the day; M: month, week, weekday */
    int32_t time;          /* seconds after local midnight */
} tz_rule;

struct tl_tz {
    const char *name;
    int ntrans;
    int64_t *at;
    unsigned char *idx;
    int ntypes;
    tz_type *types;
    int has_footer;        /* a POSIX TZ string after the last transition */
    tz_type std, dst;
    int has_dst;
    tz_rule start, end;
};

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && ((a < 0) != (b < 0)));
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

static int64_t clamp(int64_t t)
{
    return t < -TL_TZ_LIMIT ? -TL_TZ_LIMIT : t > TL_TZ_LIMIT ? TL_TZ_LIMIT : t;
}

int tl_tz_name_valid(const char *name)
{
    size_t n = strlen(name), i, start = 0;

    if (n == 0 || n > 255 || name[0] == '/') {
        return 0;
    }
    for (i = 0; i <= n; i++) {
        char c = name[i];

        if (c == '/' || c == '\0') {
            size_t len = i - start;

            if (len == 0 || (len == 1 && name[start] == '.')
                || (len == 2 && name[start] == '.' && name[start + 1] == '.')) {
                return 0;
            }
            start = i + 1;
            continue;
        }
        /* '.' itself is refused too: no zone name needs it. */
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || c == '_' || c == '+' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

/* ---- the POSIX TZ string of the footer -------------------------------------- */

typedef struct {
    const char *s, *end;
} cursor;

static int peek(const cursor *c)
{
    return c->s < c->end ? (unsigned char)*c->s : -1;
}

static int read_number(cursor *c, int max, int *out)
{
    int v = 0, digits = 0;

    while (peek(c) >= '0' && peek(c) <= '9') {
        v = v * 10 + (*c->s++ - '0');
        if (v > max) {
            return -1;
        }
        digits++;
    }
    *out = v;
    return digits ? 0 : -1;
}

/* [+-]hh[:mm[:ss]], hours up to max_hours. */
static int read_time(cursor *c, int max_hours, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;

    if (peek(c) == '+' || peek(c) == '-') {
        sign = *c->s++ == '-' ? -1 : 1;
    }
    if (read_number(c, max_hours, &h) != 0) {
        return -1;
    }
    if (peek(c) == ':') {
        c->s++;
        if (read_number(c, 59, &m) != 0) {
            return -1;
        }
        if (peek(c) == ':') {
            c->s++;
            if (read_number(c, 59, &s) != 0) {
                return -1;
            }
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return 0;
}

/* A name: three or more letters, or <...> with letters, digits, + and -. */
static const char *read_abbr(cursor *c, apr_pool_t *p)
{
    const char *from;
    size_t n;

    if (peek(c) == '<') {
        c->s++;
        from = c->s;
        while (peek(c) >= 0 && peek(c) != '>') {
            int ch = peek(c);
            if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')
                  || ch == '+' || ch == '-')) {
                return NULL;
            }
            c->s++;
        }
        if (peek(c) != '>') {
            return NULL;
        }
        n = (size_t)(c->s - from);
        c->s++;
    }
    else {
        from = c->s;
        while ((peek(c) >= 'A' && peek(c) <= 'Z') || (peek(c) >= 'a' && peek(c) <= 'z')) {
            c->s++;
        }
        n = (size_t)(c->s - from);
    }
    return n >= 3 ? apr_pstrmemdup(p, from, n) : NULL;
}

static int read_rule(cursor *c, tz_rule *r)
{
    if (peek(c) == 'M') {
        c->s++;
        r->kind = 'M';
        if (read_number(c, 12, &r->a) != 0 || r->a < 1 || peek(c) != '.') {
            return -1;
        }
        c->s++;
        if (read_number(c, 5, &r->b) != 0 || r->b < 1 || peek(c) != '.') {
            return -1;
        }
        c->s++;
        if (read_number(c, 6, &r->c) != 0) {
            return -1;
        }
    }
    else if (peek(c) == 'J') {
        c->s++;
        r->kind = 'J';
        if (read_number(c, 365, &r->a) != 0 || r->a < 1) {
            return -1;
        }
    }
    else {
        r->kind = 'N';
        if (read_number(c, 365, &r->a) != 0) {
            return -1;
        }
    }
    r->time = 7200;        /* POSIX: 02:00 when no time is given */
    if (peek(c) == '/') {
        c->s++;
        return read_time(c, 167, &r->time);
    }
    return 0;
}

static int parse_footer(tl_tz *tz, apr_pool_t *p, const char *s, size_t n)
{
    cursor c = { s, s + n };
    int32_t off;

    if ((tz->std.abbr = read_abbr(&c, p)) == NULL || read_time(&c, 24, &off) != 0) {
        return -1;
    }
    /* POSIX counts west of Greenwich as positive: "CET-1" is UTC+1. */
    tz->std.utoff = -off;
    tz->std.isdst = 0;
    if (peek(&c) < 0) {
        tz->has_footer = 1;
        return 0;
    }
    if ((tz->dst.abbr = read_abbr(&c, p)) == NULL) {
        return -1;
    }
    tz->dst.isdst = 1;
    tz->dst.utoff = tz->std.utoff + 3600;
    if (peek(&c) != ',' && peek(&c) >= 0) {
        if (read_time(&c, 24, &off) != 0) {
            return -1;
        }
        tz->dst.utoff = -off;
    }
    /* zic always writes the rules; without them POSIX leaves the dates to
     * the implementation, which we would only guess. */
    if (peek(&c) != ',') {
        return -1;
    }
    c.s++;
    if (read_rule(&c, &tz->start) != 0 || peek(&c) != ',') {
        return -1;
    }
    c.s++;
    if (read_rule(&c, &tz->end) != 0 || peek(&c) >= 0) {
        return -1;
    }
    tz->has_dst = 1;
    tz->has_footer = 1;
    return 0;
}

/* The instant a rule names in year y, the local time read with offset. */
static int64_t rule_instant(const tz_rule *r, int64_t y, int32_t offset)
{
    int64_t day;

    if (r->kind == 'J') {
        /* Jn never counts 29 February. */
        day = tl_days_from_civil(y, 1, 1) + r->a - 1 + (is_leap(y) && r->a > 59);
    }
    else if (r->kind == 'N') {
        day = tl_days_from_civil(y, 1, 1) + r->a;
    }
    else {
        int64_t first = tl_days_from_civil(y, r->a, 1);
        /* 1970-01-01 was a Thursday; POSIX counts 0 as Sunday. */
        int wd = (int)((first % 7 + 7 + 4) % 7);
        int dom = 1 + (r->c - wd + 7) % 7 + (r->b - 1) * 7;

        while (dom > days_in_month(y, r->a)) {
            dom -= 7;
        }
        day = first + dom - 1;
    }
    return day * 86400 + r->time - offset;
}

static const tz_type *footer_type_at(const tl_tz *tz, int64_t t)
{
    int64_t y, s, e;
    int m, d;

    if (!tz->has_dst) {
        return &tz->std;
    }
    tl_civil_from_days(floor_div(t + tz->std.utoff, 86400), &y, &m, &d);
    s = rule_instant(&tz->start, y, tz->std.utoff);
    e = rule_instant(&tz->end, y, tz->dst.utoff);
    if (s < e) {
        return t >= s && t < e ? &tz->dst : &tz->std;
    }
    /* Southern hemisphere: daylight saving time spans the new year. */
    return t >= e && t < s ? &tz->std : &tz->dst;
}

/* ---- the TZif file ------------------------------------------------------------ */

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int64_t be64(const unsigned char *b)
{
    return (int64_t)((uint64_t)be32(b) << 32 | be32(b + 4));
}

typedef struct {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static int read_header(const unsigned char *d, size_t len, tzif_counts *n, int *version)
{
    if (len < 44 || memcmp(d, "TZif", 4) != 0) {
        return -1;
    }
    if (d[4] != 0 && d[4] != '2' && d[4] != '3' && d[4] != '4') {
        return -1;
    }
    *version = d[4] ? d[4] - '0' : 1;
    n->isut = be32(d + 20);
    n->isstd = be32(d + 24);
    n->leap = be32(d + 28);
    n->time = be32(d + 32);
    n->type = be32(d + 36);
    n->chars = be32(d + 40);
    return 0;
}

/* The size of a data block whose times take w bytes (4 or 8). */
static size_t block_size(const tzif_counts *n, size_t w)
{
    return n->time * w + n->time + n->type * 6 + n->chars + n->leap * (w + 4) + n->isstd + n->isut;
}

static int counts_sane(const tzif_counts *n)
{
    return n->type >= 1 && n->type <= 256 && n->chars >= 1 && n->time <= TL_TZ_MAX_COUNT
           && n->chars <= TL_TZ_MAX_COUNT && n->leap <= TL_TZ_MAX_COUNT
           && (n->isut == 0 || n->isut == n->type) && (n->isstd == 0 || n->isstd == n->type);
}

int tl_tz_parse(apr_pool_t *p, const char *name, const unsigned char *data, size_t len,
                tl_tz **out, const char **err)
{
    tzif_counts n;
    int version;
    size_t w = 4, pos, size;
    const unsigned char *b, *chars;
    tl_tz *tz;
    uint32_t i;

    if (read_header(data, len, &n, &version) != 0) {
        *err = "not a TZif file";
        return -1;
    }
    if (!counts_sane(&n)) {
        *err = "TZif counts out of range";
        return -1;
    }
    size = block_size(&n, 4);
    if (size > len - 44) {
        *err = "TZif file truncated";
        return -1;
    }
    pos = 44;
    if (version >= 2) {
        /* The 32-bit block is only there for old readers: skip to the
         * second header and its 64-bit times. */
        pos += size;
        if (read_header(data + pos, len - pos, &n, &version) != 0 || version < 2) {
            *err = "TZif version 2+ header missing";
            return -1;
        }
        if (!counts_sane(&n)) {
            *err = "TZif counts out of range";
            return -1;
        }
        pos += 44;
        w = 8;
        size = block_size(&n, 8);
        if (size > len - pos) {
            *err = "TZif file truncated";
            return -1;
        }
    }
    if (n.leap) {
        *err = "TZif file with leap seconds";
        return -1;
    }
    b = data + pos;
    tz = apr_pcalloc(p, sizeof(*tz));
    tz->name = apr_pstrdup(p, name ? name : "");
    tz->ntrans = (int)n.time;
    tz->ntypes = (int)n.type;
    tz->at = apr_palloc(p, sizeof(int64_t) * (n.time + 1));
    tz->idx = apr_palloc(p, n.time + 1);
    tz->types = apr_palloc(p, sizeof(tz_type) * n.type);
    for (i = 0; i < n.time; i++) {
        tz->at[i] = w == 8 ? be64(b + i * 8) : (int32_t)be32(b + i * 4);
        if (i > 0 && tz->at[i] <= tz->at[i - 1]) {
            *err = "TZif transitions out of order";
            return -1;
        }
    }
    b += n.time * w;
    for (i = 0; i < n.time; i++) {
        tz->idx[i] = b[i];
        if (b[i] >= n.type) {
            *err = "TZif transition to an unknown type";
            return -1;
        }
    }
    b += n.time;
    chars = b + n.type * 6;
    if (chars[n.chars - 1] != '\0') {
        *err = "TZif names not terminated";
        return -1;
    }
    for (i = 0; i < n.type; i++) {
        const unsigned char *t = b + i * 6;
        int32_t off = (int32_t)be32(t);

        if (off < -89999 || off > TL_TZ_MAX_OFFSET || t[4] > 1 || t[5] >= n.chars) {
            *err = "TZif local time type out of range";
            return -1;
        }
        tz->types[i].utoff = off;
        tz->types[i].isdst = t[4];
        tz->types[i].abbr = apr_pstrdup(p, (const char *)chars + t[5]);
    }
    pos += size;
    if (version >= 2) {
        const unsigned char *nl;

        /* "\n" TZ-string "\n"; an empty string means the last type lasts. */
        if (pos >= len || data[pos] != '\n'
            || (nl = memchr(data + pos + 1, '\n', len - pos - 1)) == NULL) {
            *err = "TZif footer missing";
            return -1;
        }
        if (nl > data + pos + 1
            && parse_footer(tz, p, (const char *)data + pos + 1, (size_t)(nl - data - pos - 1)) != 0) {
            *err = "TZif footer not understood";
            return -1;
        }
    }
    *out = tz;
    return 0;
}

int tl_tz_load(apr_pool_t *p, const char *dir, const char *name, tl_tz **tz, const char **err)
{
    char *data;
    apr_size_t len;

    if (!tl_tz_name_valid(name)) {
        *err = "invalid time zone name";
        return -1;
    }
    if (tl_read_file(p, apr_pstrcat(p, dir, "/", name, NULL), &data, &len) != APR_SUCCESS) {
        *err = "unknown time zone";
        return -1;
    }
    return tl_tz_parse(p, name, (const unsigned char *)data, len, tz, err);
}

const char *tl_tz_name(const tl_tz *tz)
{
    return tz->name;
}

/* ---- reading it --------------------------------------------------------------- */

static const tz_type *type_at(const tl_tz *tz, int64_t t)
{
    int lo, hi;

    t = clamp(t);
    if (tz->ntrans == 0 || t >= tz->at[tz->ntrans - 1]) {
        if (tz->has_footer) {
            return footer_type_at(tz, t);
        }
        /* RFC 8536: type 0 when there is neither transition nor footer. */
        return tz->ntrans ? &tz->types[tz->idx[tz->ntrans - 1]] : &tz->types[0];
    }
    if (t < tz->at[0]) {
        return &tz->types[0];
    }
    /* The last transition at or before t. */
    lo = 0;
    hi = tz->ntrans - 1;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (tz->at[mid] <= t) {
            lo = mid;
        }
        else {
            hi = mid;
        }
    }
    return &tz->types[tz->idx[lo]];
}

int32_t tl_tz_offset_at(const tl_tz *tz, int64_t t, const char **abbr, int *isdst)
{
    const tz_type *ty = type_at(tz, t);

    if (abbr) {
        *abbr = ty->abbr;
    }
    if (isdst) {
        *isdst = ty->isdst;
    }
    return ty->utoff;
}

int tl_tz_local_to_utc(const tl_tz *tz, const tl_tz_local *l, int64_t *utc)
{
    int64_t local, t1, t2;
    int32_t o1, o2;
    int ok1, ok2;

    if (l->year < 1 || l->year > 9999 || l->month < 1 || l->month > 12 || l->day < 1
        || l->day > days_in_month(l->year, l->month) || l->hour < 0 || l->hour > 23
        || l->minute < 0 || l->minute > 59 || l->second < 0 || l->second > 59) {
        return -1;
    }
    local = tl_days_from_civil(l->year, l->month, l->day) * 86400 + l->hour * 3600
            + l->minute * 60 + l->second;
    /* The offsets a day either side bracket any transition near this local
     * time (zones never change twice within two days). */
    o1 = tl_tz_offset_at(tz, local - 86400, NULL, NULL);
    o2 = tl_tz_offset_at(tz, local + 86400, NULL, NULL);
    t1 = local - o1;
    t2 = local - o2;
    ok1 = tl_tz_offset_at(tz, t1, NULL, NULL) == o1;
    ok2 = tl_tz_offset_at(tz, t2, NULL, NULL) == o2;
    if (ok1 && ok2 && o1 != o2) {
        *utc = t1 < t2 ? t1 : t2;
        return TL_TZ_REPEATED;
    }
    if (ok1 || ok2) {
        *utc = ok1 ? t1 : t2;
        return TL_TZ_EXACT;
    }
    *utc = t1;
    return TL_TZ_GAP;
}

void tl_tz_utc_to_local(const tl_tz *tz, int64_t t, tl_tz_local *l, int32_t *offset)
{
    int32_t off;
    int64_t local, days, secs, y;

    t = clamp(t);
    off = tl_tz_offset_at(tz, t, NULL, NULL);
    local = t + off;
    days = floor_div(local, 86400);
    secs = local - days * 86400;
    tl_civil_from_days(days, &y, &l->month, &l->day);
    l->year = (int)y;
    l->hour = (int)(secs / 3600);
    l->minute = (int)(secs / 60 % 60);
    l->second = (int)(secs % 60);
    if (offset) {
        *offset = off;
    }
}

void tl_tz_format_iso(const tl_tz *tz, int64_t t, char *out, size_t size)
{
    tl_tz_local l;
    int32_t off, a;

    tl_tz_utc_to_local(tz, t, &l, &off);
    a = off < 0 ? -off : off;
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", l.year, l.month, l.day, l.hour,
             l.minute, l.second, off < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
}

static void add_change(tl_buf *list, int64_t at, int32_t *cur, int *cur_dst, const char **cur_abbr,
                       const tz_type *ty)
{
    tl_tz_change c;

    if (ty->utoff == *cur && ty->isdst == *cur_dst && strcmp(ty->abbr, *cur_abbr) == 0) {
        return;
    }
    c.at = at;
    c.from = *cur;
    c.to = ty->utoff;
    c.isdst = ty->isdst;
    c.abbr = ty->abbr;
    tl_buf_add(list, (const char *)&c, sizeof(c));
    *cur = ty->utoff;
    *cur_dst = ty->isdst;
    *cur_abbr = ty->abbr;
}

int tl_tz_changes(const tl_tz *tz, int64_t from, int64_t to, apr_pool_t *p, tl_tz_change **changes)
{
    tl_buf list;
    const tz_type *ty;
    int32_t cur;
    int cur_dst, i;
    const char *cur_abbr;
    int64_t last, y, y_to;
    int m, d;

    from = clamp(from);
    to = clamp(to);
    tl_buf_init(&list, p, sizeof(tl_tz_change) * 16);
    /* Each change takes the type type_at() finds at its instant, so the
     * list never disagrees with tl_tz_offset_at, even for a file whose
     * footer contradicts its last transition. */
    ty = type_at(tz, from);
    cur = ty->utoff;
    cur_dst = ty->isdst;
    cur_abbr = ty->abbr;
    for (i = 0; i < tz->ntrans; i++) {
        if (tz->at[i] > from && tz->at[i] <= to) {
            add_change(&list, tz->at[i], &cur, &cur_dst, &cur_abbr, type_at(tz, tz->at[i]));
        }
    }
    if (tz->has_footer && tz->has_dst) {
        /* After the last transition the rule of the footer gives them,
         * year by year. */
        last = tz->ntrans ? tz->at[tz->ntrans - 1] : INT64_MIN;
        tl_civil_from_days(floor_div(from, 86400), &y, &m, &d);
        tl_civil_from_days(floor_div(to, 86400), &y_to, &m, &d);
        for (y = y - 1; y <= y_to + 1; y++) {
            int64_t s = rule_instant(&tz->start, y, tz->std.utoff);
            int64_t e = rule_instant(&tz->end, y, tz->dst.utoff);
            int64_t first = s < e ? s : e, second = s < e ? e : s;

            if (first > last && first > from && first <= to) {
                add_change(&list, first, &cur, &cur_dst, &cur_abbr, type_at(tz, first));
            }
            if (second > last && second > from && second <= to) {
                add_change(&list, second, &cur, &cur_dst, &cur_abbr, type_at(tz, second));
            }
        }
    }
    *changes = (tl_tz_change *)list.data;
    return (int)(list.len / sizeof(tl_tz_change));
}
