#include <string.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "unit.h"
#include "tl_ical.h"
#include "tl_tz.h"
#include "tl_date.h"

#define ZONEINFO "/usr/share/zoneinfo"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static int64_t utc(int y, int m, int d, int hh, int mm)
{
    return tl_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

static tl_tz *zone(const char *name)
{
    tl_tz *tz = NULL;
    const char *err = NULL;

    ck_assert_msg(tl_tz_load(pool, ZONEINFO, name, &tz, &err) == 0, "%s: %s", name, err);
    return tz;
}

static const char *line(const char *s, size_t n)
{
    tl_buf b;

    tl_buf_init(&b, pool, 64);
    tl_ical_line(&b, s, n);
    return tl_buf_cstr(&b);
}

START_TEST(folds_at_75_octets_between_characters)
{
    char in[200];
    char want[256];

    /* "SUMMARY:" and 67 letters: exactly 75 octets, not folded. */
    strcpy(in, "SUMMARY:");
    memset(in + 8, 'a', 67);
    in[75] = '\0';
    strcpy(want, in);
    strcat(want, "\r\n");
    ck_assert_str_eq(line(in, 75), want);

    /* One more octet goes to a continuation line starting with a space. */
    in[75] = 'b';
    in[76] = '\0';
    memcpy(want, in, 75);
    strcpy(want + 75, "\r\n b\r\n");
    ck_assert_str_eq(line(in, 76), want);

    /* 66 letters leave octet 75 to the first half of "é" (C3 A9): the
     * whole character moves on, the first line stops at 74 octets. */
    memset(in + 8, 'a', 66);
    strcpy(in + 74, "\xC3\xA9t\xC3\xA9");
    memcpy(want, in, 74);
    strcpy(want + 74, "\r\n \xC3\xA9t\xC3\xA9\r\n");
    ck_assert_str_eq(line(in, strlen(in)), want);

    /* A continuation line holds the space and 74 octets; a 4-octet
     * character never straddles either. */
    memset(in, 'x', 75);
    memset(in + 75, 'y', 73);
    strcpy(in + 148, "\xF0\x9F\x94\xA7");               /* U+1F527, a wrench */
    memcpy(want, in, 75);
    memcpy(want + 75, "\r\n ", 3);
    memcpy(want + 78, in + 75, 73);
    strcpy(want + 151, "\r\n \xF0\x9F\x94\xA7\r\n");
    ck_assert_str_eq(line(in, strlen(in)), want);
}
END_TEST

static const char *text(const char *s, size_t n)
{
    tl_buf b;

    tl_buf_init(&b, pool, 64);
    tl_ical_text(&b, s, n);
    return tl_buf_cstr(&b);
}

START_TEST(escapes_text_and_cleans_it)
{
    ck_assert_str_eq(text("Répar'café; vélos, grille-pain\\fers", 38),
                     "Répar'café\\; vélos\\, grille-pain\\\\fers");
    /* Every kind of line break becomes \n; tabs stay, other controls go. */
    ck_assert_str_eq(text("a\nb\r\nc\rd\te\x01\x7F" "f", 13), "a\\nb\\nc\\nd\te" "f");
    /* Broken UTF-8: each stray byte becomes U+FFFD, the rest is kept. */
    ck_assert_str_eq(text("caf\xC3 (\xE9t\xE9) \xC3\xA9", 13),
                     "caf\xEF\xBF\xBD (\xEF\xBF\xBDt\xEF\xBF\xBD) \xC3\xA9");
    ck_assert_str_eq(text("\xED\xA0\x80", 3), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  /* a surrogate */
    ck_assert_str_eq(text("a\0b", 3), "ab");
}
END_TEST

START_TEST(zone_names_are_checked_before_any_file_is_read)
{
    tl_tz *tz;
    const char *err = NULL;

    ck_assert(tl_tz_name_valid("Europe/Paris"));
    ck_assert(tl_tz_name_valid("America/Argentina/Buenos_Aires"));
    ck_assert(tl_tz_name_valid("Etc/GMT+4"));
    ck_assert(!tl_tz_name_valid(""));
    ck_assert(!tl_tz_name_valid("/etc/passwd"));
    ck_assert(!tl_tz_name_valid("../../etc/passwd"));
    ck_assert(!tl_tz_name_valid("Europe/../../etc/passwd"));
    ck_assert(!tl_tz_name_valid("Europe//Paris"));
    ck_assert(!tl_tz_name_valid("Europe/Paris/"));
    ck_assert(!tl_tz_name_valid("Europe/Paris\n"));
    ck_assert(!tl_tz_name_valid("Europe/Par is"));
    ck_assert(!tl_tz_name_valid("posixrules.bak"));
    ck_assert_int_eq(tl_tz_load(pool, ZONEINFO, "../../etc/passwd", &tz, &err), -1);
    ck_assert_str_eq(err, "invalid time zone name");
    ck_assert_int_eq(tl_tz_load(pool, ZONEINFO, "Europe/Atlantide", &tz, &err), -1);
    ck_assert_str_eq(err, "unknown time zone");
    /* A file that is there but is no zone. */
    ck_assert_int_eq(tl_tz_load(pool, ZONEINFO, "zone.tab", &tz, &err), -1);
    ck_assert_int_eq(tl_tz_load(pool, "/etc", "hostname", &tz, &err), -1);
    ck_assert_str_eq(err, "not a TZif file");
}
END_TEST

START_TEST(paris_changes_twice_in_2026)
{
    tl_tz *tz = zone("Europe/Paris");
    tl_tz_change *ch;
    const char *abbr;
    int isdst;
    int n = tl_tz_changes(tz, utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0), pool, &ch);

    ck_assert_int_eq(n, 2);
    ck_assert(ch[0].at == utc(2026, 3, 29, 1, 0));
    ck_assert_int_eq(ch[0].from, 3600);
    ck_assert_int_eq(ch[0].to, 7200);
    ck_assert_int_eq(ch[0].isdst, 1);
    ck_assert_str_eq(ch[0].abbr, "CEST");
    ck_assert(ch[1].at == utc(2026, 10, 25, 1, 0));
    ck_assert_int_eq(ch[1].from, 7200);
    ck_assert_int_eq(ch[1].to, 3600);
    ck_assert_int_eq(ch[1].isdst, 0);
    ck_assert_str_eq(ch[1].abbr, "CET");

    ck_assert_int_eq(tl_tz_offset_at(tz, utc(2026, 3, 29, 1, 0) - 1, &abbr, &isdst), 3600);
    ck_assert_str_eq(abbr, "CET");
    ck_assert_int_eq(tl_tz_offset_at(tz, utc(2026, 3, 29, 1, 0), &abbr, &isdst), 7200);
    ck_assert_str_eq(abbr, "CEST");
    ck_assert_int_eq(isdst, 1);
    ck_assert_int_eq(tl_tz_offset_at(tz, utc(2026, 10, 25, 1, 0) - 1, NULL, NULL), 7200);
    ck_assert_int_eq(tl_tz_offset_at(tz, utc(2026, 10, 25, 1, 0), NULL, NULL), 3600);

    /* Past the file's last transition the footer's rule (CET-1CEST,
     * M3.5.0,M10.5.0/3) goes on: last Sundays of March and October. */
    n = tl_tz_changes(tz, utc(2040, 1, 1, 0, 0), utc(2041, 1, 1, 0, 0), pool, &ch);
    ck_assert_int_eq(n, 2);
    ck_assert(ch[0].at == utc(2040, 3, 25, 1, 0));
    ck_assert(ch[1].at == utc(2040, 10, 28, 1, 0));
    ck_assert_int_eq(tl_tz_offset_at(tz, utc(2040, 7, 14, 12, 0), NULL, NULL), 7200);
    ck_assert_int_eq(tl_tz_offset_at(tz, utc(2040, 12, 24, 12, 0), NULL, NULL), 3600);
}
END_TEST

START_TEST(reunion_stays_at_plus_four)
{
    tl_tz *tz = zone("Indian/Reunion");
    tl_tz_change *ch;
    const char *abbr;
    int isdst = -1;
    char iso[32];

    ck_assert_int_eq(tl_tz_changes(tz, utc(2025, 1, 1, 0, 0), utc(2028, 1, 1, 0, 0), pool, &ch), 0);
    ck_assert_int_eq(tl_tz_offset_at(tz, utc(2026, 1, 15, 8, 0), &abbr, &isdst), 14400);
    ck_assert_str_eq(abbr, "+04");
    ck_assert_int_eq(isdst, 0);
    ck_assert_int_eq(tl_tz_offset_at(tz, utc(2026, 7, 15, 8, 0), NULL, NULL), 14400);
    ck_assert_int_eq(tl_tz_offset_at(tz, utc(2060, 7, 15, 8, 0), NULL, NULL), 14400);
    tl_tz_format_iso(tz, utc(2026, 3, 14, 10, 0), iso, sizeof(iso));
    ck_assert_str_eq(iso, "2026-03-14T14:00:00+04:00");
}
END_TEST

START_TEST(local_times_across_both_changes)
{
    tl_tz *tz = zone("Europe/Paris");
    tl_tz_local l;
    int64_t t;
    int32_t off;
    char iso[32];

    /* An ordinary Saturday afternoon, in winter and in summer. */
    l = (tl_tz_local){ 2026, 3, 14, 14, 0, 0 };
    ck_assert_int_eq(tl_tz_local_to_utc(tz, &l, &t), TL_TZ_EXACT);
    ck_assert(t == utc(2026, 3, 14, 13, 0));
    tl_tz_format_iso(tz, t, iso, sizeof(iso));
    ck_assert_str_eq(iso, "2026-03-14T14:00:00+01:00");
    l = (tl_tz_local){ 2026, 6, 13, 14, 0, 0 };
    ck_assert_int_eq(tl_tz_local_to_utc(tz, &l, &t), TL_TZ_EXACT);
    ck_assert(t == utc(2026, 6, 13, 12, 0));

    /* 29 March 2026, 02:30 never happens: read with the offset before the
     * gap (+01:00), it is 01:30 UTC, shown as 03:30. */
    l = (tl_tz_local){ 2026, 3, 29, 2, 30, 0 };
    ck_assert_int_eq(tl_tz_local_to_utc(tz, &l, &t), TL_TZ_GAP);
    ck_assert(t == utc(2026, 3, 29, 1, 30));
    tl_tz_utc_to_local(tz, t, &l, &off);
    ck_assert_int_eq(l.hour, 3);
    ck_assert_int_eq(l.minute, 30);
    ck_assert_int_eq(off, 7200);
    /* Just around it. */
    l = (tl_tz_local){ 2026, 3, 29, 1, 59, 59 };
    ck_assert_int_eq(tl_tz_local_to_utc(tz, &l, &t), TL_TZ_EXACT);
    ck_assert(t == utc(2026, 3, 29, 0, 59) + 59);
    l = (tl_tz_local){ 2026, 3, 29, 3, 0, 0 };
    ck_assert_int_eq(tl_tz_local_to_utc(tz, &l, &t), TL_TZ_EXACT);
    ck_assert(t == utc(2026, 3, 29, 1, 0));

    /* 25 October 2026, 02:30 happens twice: the first, still +02:00. */
    l = (tl_tz_local){ 2026, 10, 25, 2, 30, 0 };
    ck_assert_int_eq(tl_tz_local_to_utc(tz, &l, &t), TL_TZ_REPEATED);
    ck_assert(t == utc(2026, 10, 25, 0, 30));
    tl_tz_format_iso(tz, t, iso, sizeof(iso));
    ck_assert_str_eq(iso, "2026-10-25T02:30:00+02:00");
    tl_tz_format_iso(tz, t + 3600, iso, sizeof(iso));
    ck_assert_str_eq(iso, "2026-10-25T02:30:00+01:00");
    l = (tl_tz_local){ 2026, 10, 25, 3, 0, 0 };
    ck_assert_int_eq(tl_tz_local_to_utc(tz, &l, &t), TL_TZ_EXACT);
    ck_assert(t == utc(2026, 10, 25, 2, 0));

    /* Not a date. */
    l = (tl_tz_local){ 2026, 2, 29, 10, 0, 0 };
    ck_assert_int_eq(tl_tz_local_to_utc(tz, &l, &t), -1);
    l = (tl_tz_local){ 2026, 2, 28, 24, 0, 0 };
    ck_assert_int_eq(tl_tz_local_to_utc(tz, &l, &t), -1);
}
END_TEST

static tl_ical_event session(void)
{
    tl_ical_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.uid = "seance-7@saint-pierre.example.re";
    ev.dtstamp = utc(2026, 11, 22, 19, 0);
    ev.tzid = "Indian/Reunion";
    ev.start = (tl_tz_local){ 2026, 12, 5, 9, 0, 0 };
    ev.end = (tl_tz_local){ 2026, 12, 5, 12, 0, 0 };
    ev.summary = "Repair café";
    ev.sequence = -1;
    return ev;
}

START_TEST(a_whole_calendar_byte_for_byte)
{
    tl_ical *cal = tl_ical_create(pool, "-//Réseau des médiathèques//mod_tierslieux//FR", "Répar, café");
    tl_ical_event ev = session();
    const char *err = NULL;
    tl_buf out;

    ev.location = "Médiathèque; 1 rue du Port";
    ev.description = "Apportez vos objets.\nOutils fournis.";
    ev.url = "https://saint-pierre.example.re/tierslieux/reparation/7";
    ev.status = TL_ICAL_CONFIRMED;
    ev.sequence = 2;
    ev.has_last_modified = 1;
    ev.last_modified = utc(2026, 11, 20, 8, 15);
    ck_assert_int_eq(tl_ical_add_event(cal, &ev, &err), 0);
    tl_buf_init(&out, pool, 1024);
    tl_ical_finish(cal, &out);
    ck_assert_str_eq(tl_buf_cstr(&out),
                     "BEGIN:VCALENDAR\r\n"
                     "VERSION:2.0\r\n"
                     "PRODID:-//Réseau des médiathèques//mod_tierslieux//FR\r\n"
                     "CALSCALE:GREGORIAN\r\n"
                     "METHOD:PUBLISH\r\n"
                     "X-WR-CALNAME:Répar\\, café\r\n"
                     "BEGIN:VTIMEZONE\r\n"
                     "TZID:Indian/Reunion\r\n"
                     "BEGIN:STANDARD\r\n"
                     "DTSTART:20250101T000000\r\n"
                     "TZOFFSETFROM:+0400\r\n"
                     "TZOFFSETTO:+0400\r\n"
                     "TZNAME:+04\r\n"
                     "END:STANDARD\r\n"
                     "END:VTIMEZONE\r\n"
                     "BEGIN:VEVENT\r\n"
                     "UID:seance-7@saint-pierre.example.re\r\n"
                     "DTSTAMP:20261122T190000Z\r\n"
                     "DTSTART;TZID=Indian/Reunion:20261205T090000\r\n"
                     "DTEND;TZID=Indian/Reunion:20261205T120000\r\n"
                     "SUMMARY:Repair café\r\n"
                     "LOCATION:Médiathèque\\; 1 rue du Port\r\n"
                     "DESCRIPTION:Apportez vos objets.\\nOutils fournis.\r\n"
                     "URL:https://saint-pierre.example.re/tierslieux/reparation/7\r\n"
                     "STATUS:CONFIRMED\r\n"
                     "SEQUENCE:2\r\n"
                     "LAST-MODIFIED:20261120T081500Z\r\n"
                     "END:VEVENT\r\n"
                     "END:VCALENDAR\r\n");
}
END_TEST

START_TEST(paris_gets_its_changes_as_observances)
{
    tl_ical *cal = tl_ical_create(pool, "-//test//FR", NULL);
    tl_ical_event ev = session();
    const char *err = NULL, *s, *p;
    tl_buf out;

    ev.tzid = "Europe/Paris";
    ev.start = (tl_tz_local){ 2026, 4, 11, 14, 0, 0 };
    ev.end = (tl_tz_local){ 2026, 4, 11, 17, 30, 0 };
    ck_assert_int_eq(tl_ical_add_event(cal, &ev, &err), 0);
    ev.uid = "seance-8@example.fr";
    ev.status = TL_ICAL_CANCELLED;
    ev.start = (tl_tz_local){ 2026, 11, 14, 14, 0, 0 };
    ev.end = (tl_tz_local){ 2026, 11, 14, 17, 30, 0 };
    ck_assert_int_eq(tl_ical_add_event(cal, &ev, &err), 0);
    tl_buf_init(&out, pool, 1024);
    tl_ical_finish(cal, &out);
    s = tl_buf_cstr(&out);
    ck_assert_ptr_nonnull(strstr(s,
                                 "BEGIN:VTIMEZONE\r\n"
                                 "TZID:Europe/Paris\r\n"
                                 "BEGIN:STANDARD\r\n"
                                 "DTSTART:20250101T000000\r\n"
                                 "TZOFFSETFROM:+0100\r\n"
                                 "TZOFFSETTO:+0100\r\n"
                                 "TZNAME:CET\r\n"
                                 "END:STANDARD\r\n"
                                 "BEGIN:DAYLIGHT\r\n"
                                 "DTSTART:20250330T020000\r\n"
                                 "TZOFFSETFROM:+0100\r\n"
                                 "TZOFFSETTO:+0200\r\n"
                                 "TZNAME:CEST\r\n"
                                 "END:DAYLIGHT\r\n"
                                 "BEGIN:STANDARD\r\n"
                                 "DTSTART:20251026T030000\r\n"
                                 "TZOFFSETFROM:+0200\r\n"
                                 "TZOFFSETTO:+0100\r\n"
                                 "TZNAME:CET\r\n"
                                 "END:STANDARD\r\n"
                                 "BEGIN:DAYLIGHT\r\n"
                                 "DTSTART:20260329T020000\r\n"));
    ck_assert_ptr_nonnull(strstr(s, "BEGIN:STANDARD\r\n"
                                    "DTSTART:20261025T030000\r\n"
                                    "TZOFFSETFROM:+0200\r\n"));
    /* to the end of 2027, and no further */
    ck_assert_ptr_nonnull(strstr(s, "DTSTART:20271031T030000\r\n"));
    ck_assert_ptr_null(strstr(s, "DTSTART:2028"));
    ck_assert_ptr_null(strstr(s, "DTSTART:2024"));
    /* one VTIMEZONE for the two events */
    ck_assert_ptr_null(strstr(strstr(s, "TZID:Europe/Paris") + 1, "BEGIN:VTIMEZONE"));
    ck_assert_ptr_nonnull(strstr(s, "STATUS:CANCELLED\r\n"));
    /* CRLF at every line end, nothing over 75 octets */
    for (p = s; *p; p++) {
        if (*p == '\n') {
            ck_assert(p > s && p[-1] == '\r');
        }
        if (*p == '\r') {
            ck_assert(p[1] == '\n');
        }
    }
    for (p = s; *p;) {
        const char *e = strstr(p, "\r\n");
        ck_assert_int_le(e - p, 75);
        p = e + 2;
    }
}
END_TEST

START_TEST(events_refused_leave_the_calendar_usable)
{
    tl_ical *cal = tl_ical_create(pool, "-//test//FR", NULL);
    tl_ical_event ev = session();
    const char *err = NULL;
    tl_buf out;

    ev.tzid = "../../../etc/passwd";
    ck_assert_int_eq(tl_ical_add_event(cal, &ev, &err), -1);
    ck_assert_str_eq(err, "invalid time zone name");
    ev.tzid = "Europe/Atlantide";
    ck_assert_int_eq(tl_ical_add_event(cal, &ev, &err), -1);
    ck_assert_str_eq(err, "unknown time zone");
    ev = session();
    ev.end = ev.start;
    ck_assert_int_eq(tl_ical_add_event(cal, &ev, &err), -1);
    ck_assert_str_eq(err, "end not after start");
    ev = session();
    ev.start.day = 31;
    ev.start.month = 11;
    ck_assert_int_eq(tl_ical_add_event(cal, &ev, &err), -1);
    ev = session();
    ev.url = "javascript:alert(1)";
    ck_assert_int_eq(tl_ical_add_event(cal, &ev, &err), -1);
    ev.url = "https://example.fr/a b";
    ck_assert_int_eq(tl_ical_add_event(cal, &ev, &err), -1);
    ev = session();
    ev.uid = "";
    ck_assert_int_eq(tl_ical_add_event(cal, &ev, &err), -1);
    ck_assert_str_eq(err, "event without UID");
    tl_buf_init(&out, pool, 1024);
    tl_ical_finish(cal, &out);
    /* The Reunion zone was loaded for a refused event: no VTIMEZONE. */
    ck_assert_str_eq(tl_buf_cstr(&out), "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//FR\r\n"
                                        "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n");
}
END_TEST

START_TEST(broken_tzif_files_are_refused)
{
    char *data;
    apr_size_t len, cut;
    tl_tz *tz;
    const char *err = NULL;

    ck_assert_msg(tl_read_file(pool, ZONEINFO "/Europe/Paris", &data, &len) == APR_SUCCESS,
                  "%s is missing (Debian package tzdata)", ZONEINFO "/Europe/Paris");
    ck_assert_int_eq(tl_tz_parse(pool, "x", (unsigned char *)data, len, &tz, &err), 0);
    /* Every truncation is refused, none read past the end. */
    for (cut = 0; cut < len; cut++) {
        char *copy = apr_pmemdup(pool, data, cut ? cut : 1);
        ck_assert_int_eq(tl_tz_parse(pool, "x", (unsigned char *)copy, cut, &tz, &err), -1);
    }
    data[4] = '9';
    ck_assert_int_eq(tl_tz_parse(pool, "x", (unsigned char *)data, len, &tz, &err), -1);
}
END_TEST

/* A TZif file of version 2 with no transition, one local time type and
 * the footer given: what zic writes for a zone whose rule never changed. */
static tl_tz *footer_zone(const char *footer, int32_t utoff, const char *abbr)
{
    unsigned char data[512];
    size_t n = 0, k, chars = strlen(abbr) + 1;
    tl_tz *tz = NULL;
    const char *err = NULL;
    int half;

    for (half = 0; half < 2; half++) {
        memset(data + n, 0, 44);
        memcpy(data + n, "TZif2", 5);
        data[n + 39] = 1;                                /* typecnt */
        data[n + 43] = (unsigned char)chars;             /* charcnt */
        n += 44;
        data[n++] = (unsigned char)((uint32_t)utoff >> 24);
        data[n++] = (unsigned char)((uint32_t)utoff >> 16);
        data[n++] = (unsigned char)((uint32_t)utoff >> 8);
        data[n++] = (unsigned char)utoff;
        data[n++] = 0;
        data[n++] = 0;
        for (k = 0; k < chars; k++) {
            data[n++] = (unsigned char)abbr[k];
        }
    }
    data[n++] = '\n';
    memcpy(data + n, footer, strlen(footer));
    n += strlen(footer);
    data[n++] = '\n';
    ck_assert_msg(tl_tz_parse(pool, "Test/Zone", data, n, &tz, &err) == 0, "%s", err ? err : "");
    return tz;
}

START_TEST(footer_rules_of_both_hemispheres)
{
    tl_tz *tz = footer_zone("AEST-10AEDT,M10.1.0,M4.1.0/3", 36000, "AEST");
    tl_tz *sydney = zone("Australia/Sydney");
    tl_tz_change *ch, *real;
    int n;

    /* Daylight saving time spans the new year. */
    ck_assert_int_eq(tl_tz_offset_at(tz, utc(2026, 1, 15, 0, 0), NULL, NULL), 39600);
    ck_assert_int_eq(tl_tz_offset_at(tz, utc(2026, 7, 15, 0, 0), NULL, NULL), 36000);
    n = tl_tz_changes(tz, utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0), pool, &ch);
    ck_assert_int_eq(n, 2);
    ck_assert(ch[0].at == utc(2026, 4, 4, 16, 0));           /* Sunday 5 April, 03:00 AEDT */
    ck_assert_int_eq(ch[0].to, 36000);
    ck_assert_str_eq(ch[0].abbr, "AEST");
    ck_assert(ch[1].at == utc(2026, 10, 3, 16, 0));          /* Sunday 4 October, 02:00 AEST */
    ck_assert_int_eq(ch[1].to, 39600);
    ck_assert_int_eq(tl_tz_changes(sydney, utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0), pool, &real), 2);
    ck_assert(real[0].at == ch[0].at && real[1].at == ch[1].at);

    /* Julian days (no 29 February) and 24:00, with quoted names. */
    tz = footer_zone("<+0330>-3:30<+0430>,J79/24,J263/24", 12600, "+0330");
    n = tl_tz_changes(tz, utc(2028, 1, 1, 0, 0), utc(2029, 1, 1, 0, 0), pool, &ch);
    ck_assert_int_eq(n, 2);
    ck_assert(ch[0].at == utc(2028, 3, 20, 20, 30));         /* 20 March even in a leap year */
    ck_assert_int_eq(ch[0].to, 16200);
    ck_assert_str_eq(ch[0].abbr, "+0430");
    ck_assert(ch[1].at == utc(2028, 9, 20, 19, 30));
    ck_assert_int_eq(ch[1].to, 12600);
}
END_TEST

Suite *tl_ical_suite(void)
{
    Suite *s = suite_create("ical");
    TCase *tc = tcase_create("ical");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, folds_at_75_octets_between_characters);
    tcase_add_test(tc, escapes_text_and_cleans_it);
    tcase_add_test(tc, zone_names_are_checked_before_any_file_is_read);
    tcase_add_test(tc, paris_changes_twice_in_2026);
    tcase_add_test(tc, reunion_stays_at_plus_four);
    tcase_add_test(tc, local_times_across_both_changes);
    tcase_add_test(tc, footer_rules_of_both_hemispheres);
    tcase_add_test(tc, a_whole_calendar_byte_for_byte);
    tcase_add_test(tc, paris_gets_its_changes_as_observances);
    tcase_add_test(tc, events_refused_leave_the_calendar_usable);
    tcase_add_test(tc, broken_tzif_files_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
