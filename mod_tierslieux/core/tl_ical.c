#include <stdio.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "tl_escape.h"
#include "tl_ical.h"
#include "tl_date.h"

/* RFC 5545 3.1: lines of at most 75 octets, CRLF excluded. */
#define TL_ICAL_FOLD 75

typedef struct {
    const char *name;
    tl_tz *tz;
    int first_year, last_year;
} ical_zone;

struct tl_ical {
    apr_pool_t *pool;
    const char *prodid, *name, *zoneinfo;
    apr_array_header_t *zones;     /* ical_zone, in the order events named them */
    tl_buf events;
};

void tl_ical_line(tl_buf *out, const char *line, size_t n)
{
    size_t i = 0, used = 0, k;

    while (i < n) {
        k = tl_utf8_lead_len((unsigned char)line[i]);
        if (k > n - i) {
            k = n - i;
        }
        if (used + k > TL_ICAL_FOLD) {
            /* The leading space of the continuation counts in its 75. */
            tl_buf_add(out, "\r\n ", 3);
            used = 1;
        }
        tl_buf_add(out, line + i, k);
        used += k;
        i += k;
    }
    tl_buf_add(out, "\r\n", 2);
}

void tl_ical_text(tl_buf *out, const char *s, size_t n)
{
    size_t i = 0, k;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x80) {
            k = tl_utf8_decode(s + i, n - i, NULL);
            if (k > 1) {
                tl_buf_add(out, s + i, k);
                i += k;
            }
            else {
                tl_buf_adds(out, "\xEF\xBF\xBD");
                i++;
            }
            continue;
        }
        switch (c) {
        case '\\': tl_buf_adds(out, "\\\\"); break;
        case ';': tl_buf_adds(out, "\\;"); break;
        case ',': tl_buf_adds(out, "\\,"); break;
        case '\n': tl_buf_adds(out, "\\n"); break;
        case '\r':
            /* CRLF and a lone CR (old Mac text) are both one line break. */
            if (i + 1 >= n || s[i + 1] != '\n') {
                tl_buf_adds(out, "\\n");
            }
            break;
        case '\t': tl_buf_addc(out, '\t'); break;
        default:
            if (c >= 0x20 && c != 0x7F) {
                tl_buf_addc(out, (char)c);
            }
            /* Other controls have no place in a TEXT value (RFC 5545's
             * TSAFE-CHAR): dropped. */
        }
        i++;
    }
}

tl_ical *tl_ical_create(apr_pool_t *p, const char *prodid, const char *name)
{
    tl_ical *cal = apr_pcalloc(p, sizeof(*cal));

    cal->pool = p;
    cal->prodid = apr_pstrdup(p, prodid ? prodid : "");
    cal->name = name ? apr_pstrdup(p, name) : NULL;
    cal->zoneinfo = "/usr/share/zoneinfo";
    cal->zones = apr_array_make(p, 2, sizeof(ical_zone));
    tl_buf_init(&cal->events, p, 4096);
    return cal;
}

void tl_ical_set_zoneinfo(tl_ical *cal, const char *dir)
{
    cal->zoneinfo = apr_pstrdup(cal->pool, dir);
}

/* ---- writing lines ---------------------------------------------------------------- */

static void line_text(tl_buf *out, tl_buf *scratch, const char *prop, const char *value)
{
    scratch->len = 0;
    tl_buf_adds(scratch, prop);
    tl_buf_addc(scratch, ':');
    tl_ical_text(scratch, value, strlen(value));
    tl_ical_line(out, scratch->data, scratch->len);
}

static void line_raw(tl_buf *out, const char *prop, const char *value)
{
    char line[512];
    int n = snprintf(line, sizeof(line), "%s:%s", prop, value);

    tl_ical_line(out, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void format_local(const tl_tz_local *l, char *out, size_t size)
{
    snprintf(out, size, "%04d%02d%02dT%02d%02d%02d", l->year, l->month, l->day, l->hour, l->minute,
             l->second);
}

static void format_utc(int64_t t, char *out, size_t size)
{
    int64_t days = t / 86400 - (t % 86400 < 0), secs = t - days * 86400, y;
    int m, d;

    tl_civil_from_days(days, &y, &m, &d);
    snprintf(out, size, "%04d%02d%02dT%02d%02d%02dZ", (int)y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

/* UTC offsets as RFC 5545 3.3.14 writes them: +HHMM, seconds only when
 * there are some (local mean times), and never "-0000". */
static void format_offset(int32_t off, char *out, size_t size)
{
    int32_t a = off < 0 ? -off : off;

    if (a % 60) {
        snprintf(out, size, "%c%02d%02d%02d", off < 0 ? '-' : '+', (int)(a / 3600),
                 (int)(a / 60 % 60), (int)(a % 60));
    }
    else {
        snprintf(out, size, "%c%02d%02d", off < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
    }
}

/* ---- events ------------------------------------------------------------------------ */

static ical_zone *zone_for(tl_ical *cal, const char *name, const char **err)
{
    ical_zone *z;
    int i;

    for (i = 0; i < cal->zones->nelts; i++) {
        z = &APR_ARRAY_IDX(cal->zones, i, ical_zone);
        if (strcmp(z->name, name) == 0) {
            return z;
        }
    }
    z = apr_array_push(cal->zones);
    memset(z, 0, sizeof(*z));
    if (tl_tz_load(cal->pool, cal->zoneinfo, name, &z->tz, err) != 0) {
        cal->zones->nelts--;
        return NULL;
    }
    z->name = apr_pstrdup(cal->pool, name);
    z->first_year = 10000;
    z->last_year = 0;
    return z;
}

int tl_ical_add_event(tl_ical *cal, const tl_ical_event *ev, const char **err)
{
    ical_zone *z;
    int64_t s, e;
    char when[32];
    tl_buf scratch;
    tl_buf *out = &cal->events;
    static const int64_t first = -62135596800LL, last = 253402300799LL;  /* years 1 to 9999 */

    if (ev->uid == NULL || *ev->uid == '\0') {
        *err = "event without UID";
        return -1;
    }
    if (ev->dtstamp < first || ev->dtstamp > last
        || (ev->has_last_modified && (ev->last_modified < first || ev->last_modified > last))) {
        *err = "DTSTAMP or LAST-MODIFIED out of range";
        return -1;
    }
    if (ev->url && !tl_url_is_http(ev->url)) {
        *err = "URL refused";
        return -1;
    }
    if (ev->tzid == NULL || (z = zone_for(cal, ev->tzid, err)) == NULL) {
        if (ev->tzid == NULL) {
            *err = "event without time zone";
        }
        return -1;
    }
    if (tl_tz_local_to_utc(z->tz, &ev->start, &s) < 0 || tl_tz_local_to_utc(z->tz, &ev->end, &e) < 0) {
        *err = "start or end is not a real date and time";
        return -1;
    }
    if (e <= s) {
        *err = "end not after start";
        return -1;
    }
    if (ev->start.year < z->first_year) {
        z->first_year = ev->start.year;
    }
    if (ev->end.year > z->last_year) {
        z->last_year = ev->end.year;
    }

    tl_buf_init(&scratch, cal->pool, 256);
    tl_ical_line(out, "BEGIN:VEVENT", 12);
    line_text(out, &scratch, "UID", ev->uid);
    format_utc(ev->dtstamp, when, sizeof(when));
    line_raw(out, "DTSTAMP", when);
    format_local(&ev->start, when, sizeof(when));
    line_raw(out, apr_pstrcat(cal->pool, "DTSTART;TZID=", z->name, NULL), when);
    format_local(&ev->end, when, sizeof(when));
    line_raw(out, apr_pstrcat(cal->pool, "DTEND;TZID=", z->name, NULL), when);
    if (ev->summary) {
        line_text(out, &scratch, "SUMMARY", ev->summary);
    }
    if (ev->location) {
        line_text(out, &scratch, "LOCATION", ev->location);
    }
    if (ev->description) {
        line_text(out, &scratch, "DESCRIPTION", ev->description);
    }
    if (ev->url) {
        /* A URI, not TEXT: no escaping, but it may be long, so folded. */
        scratch.len = 0;
        tl_buf_adds(&scratch, "URL:");
        tl_buf_adds(&scratch, ev->url);
        tl_ical_line(out, scratch.data, scratch.len);
    }
    if (ev->status == TL_ICAL_CONFIRMED) {
        line_raw(out, "STATUS", "CONFIRMED");
    }
    else if (ev->status == TL_ICAL_CANCELLED) {
        line_raw(out, "STATUS", "CANCELLED");
    }
    if (ev->sequence >= 0) {
        snprintf(when, sizeof(when), "%d", ev->sequence);
        line_raw(out, "SEQUENCE", when);
    }
    if (ev->has_last_modified) {
        format_utc(ev->last_modified, when, sizeof(when));
        line_raw(out, "LAST-MODIFIED", when);
    }
    tl_ical_line(out, "END:VEVENT", 10);
    return 0;
}

/* ---- time zones --------------------------------------------------------------------- */

static void local_fields(int64_t local, tl_tz_local *l)
{
    int64_t days = local / 86400 - (local % 86400 < 0), secs = local - days * 86400, y;

    tl_civil_from_days(days, &y, &l->month, &l->day);
    l->year = (int)y;
    l->hour = (int)(secs / 3600);
    l->minute = (int)(secs / 60 % 60);
    l->second = (int)(secs % 60);
}

static void observance(tl_buf *out, tl_buf *scratch, const tl_tz_local *start, int32_t from,
                       int32_t to, int isdst, const char *abbr)
{
    const char *kind = isdst ? "DAYLIGHT" : "STANDARD";
    char v[32];

    line_raw(out, "BEGIN", kind);
    format_local(start, v, sizeof(v));
    line_raw(out, "DTSTART", v);
    format_offset(from, v, sizeof(v));
    line_raw(out, "TZOFFSETFROM", v);
    format_offset(to, v, sizeof(v));
    line_raw(out, "TZOFFSETTO", v);
    if (abbr && *abbr) {
        line_text(out, scratch, "TZNAME", abbr);
    }
    line_raw(out, "END", kind);
}

static void vtimezone(tl_ical *cal, tl_buf *out, const ical_zone *z)
{
    tl_tz_local from = { z->first_year > 1 ? z->first_year - 1 : 1, 1, 1, 0, 0, 0 };
    tl_tz_local to = { z->last_year < 9999 ? z->last_year + 1 : 9999, 12, 31, 23, 59, 59 };
    tl_tz_local at;
    int64_t from_utc, to_utc;
    tl_tz_change *ch;
    int n, i, isdst;
    int32_t off;
    const char *abbr;
    tl_buf scratch;

    tl_buf_init(&scratch, cal->pool, 128);
    tl_tz_local_to_utc(z->tz, &from, &from_utc);
    tl_tz_local_to_utc(z->tz, &to, &to_utc);
    line_raw(out, "BEGIN", "VTIMEZONE");
    line_raw(out, "TZID", z->name);
    /* The offset already in force when the range opens, so every local
     * time of the range falls under some observance. */
    off = tl_tz_offset_at(z->tz, from_utc, &abbr, &isdst);
    tl_tz_utc_to_local(z->tz, from_utc, &at, NULL);
    observance(out, &scratch, &at, off, off, isdst, abbr);
    n = tl_tz_changes(z->tz, from_utc, to_utc, cal->pool, &ch);
    for (i = 0; i < n; i++) {
        /* DTSTART is the onset read on the clock before it changes
         * (Paris: 02:00 in March, 03:00 in October). */
        local_fields(ch[i].at + ch[i].from, &at);
        observance(out, &scratch, &at, ch[i].from, ch[i].to, ch[i].isdst, ch[i].abbr);
    }
    line_raw(out, "END", "VTIMEZONE");
}

void tl_ical_finish(tl_ical *cal, tl_buf *out)
{
    tl_buf scratch;
    int i;

    tl_buf_init(&scratch, cal->pool, 256);
    line_raw(out, "BEGIN", "VCALENDAR");
    line_raw(out, "VERSION", "2.0");
    line_text(out, &scratch, "PRODID", cal->prodid);
    line_raw(out, "CALSCALE", "GREGORIAN");
    line_raw(out, "METHOD", "PUBLISH");
    if (cal->name) {
        line_text(out, &scratch, "X-WR-CALNAME", cal->name);
    }
    for (i = 0; i < cal->zones->nelts; i++) {
        const ical_zone *z = &APR_ARRAY_IDX(cal->zones, i, ical_zone);

        /* A zone whose every event was refused names nothing. */
        if (z->last_year) {
            vtimezone(cal, out, z);
        }
    }
    tl_buf_add(out, cal->events.data, cal->events.len);
    line_raw(out, "END", "VCALENDAR");
}
