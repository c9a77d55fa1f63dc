/*
 * libFuzzer target for tl_hours_parse(): whatever bytes a référent (or an
 * attacker with their account) stores in the field, the parser must stay
 * in bounds and hand back a table the pages can trust. Any broken
 * invariant aborts, so the fuzzer and the corpus replay report it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tl_hours.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CANARY 0x5a
#define SLACK 8

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

/* Strict UTF-8, no control characters: messages and day strings end up in
 * HTML pages and logs. */
static int valid_text(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, k, need;
    uint32_t cp;

    while (s[i] != '\0') {
        if (s[i] < 0x80) {
            if (s[i] < 0x20 || s[i] == 0x7f) {
                return 0;
            }
            i++;
            continue;
        }
        if (s[i] >= 0xc2 && s[i] <= 0xdf) {
            need = 1;
            cp = s[i] & 0x1f;
        }
        else if (s[i] >= 0xe0 && s[i] <= 0xef) {
            need = 2;
            cp = s[i] & 0x0f;
        }
        else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
            need = 3;
            cp = s[i] & 0x07;
        }
        else {
            return 0;
        }
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000)
            || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
        i += need + 1;
    }
    return 1;
}

static int same(const tl_hours *a, const tl_hours *b)
{
    int d, i;

    if (a->always_open != b->always_open
        || a->public_holidays_closed != b->public_holidays_closed) {
        return 0;
    }
    for (d = 0; d < 7; d++) {
        if (a->nspans[d] != b->nspans[d]) {
            return 0;
        }
        for (i = 0; i < a->nspans[d]; i++) {
            if (a->spans[d][i].open != b->spans[d][i].open
                || a->spans[d][i].close != b->spans[d][i].close) {
                return 0;
            }
        }
    }
    return 1;
}

static void check_canary(const char *buf, size_t used)
{
    size_t i;

    for (i = used; i < used + SLACK; i++) {
        check((unsigned char)buf[i] == CANARY);
    }
}

static void check_table(const tl_hours *h)
{
    int d, i, full = 1, empty = 1, n;
    char buf[TL_HOURS_DAY_BUFSIZE + SLACK];
    char again[TL_HOURS_DAY_BUFSIZE + SLACK];

    for (d = 0; d < 7; d++) {
        n = h->nspans[d];
        check(n >= 0 && n <= TL_HOURS_MAX_SPANS);
        if (n > 0) {
            empty = 0;
        }
        if (n != 1 || h->spans[d][0].open != 0
            || h->spans[d][0].close != 1440) {
            full = 0;
        }
        for (i = 0; i < n; i++) {
            const tl_hours_span *sp = &h->spans[d][i];

            check(sp->open < sp->close && sp->close <= 1440);
            /* Merged: sorted and never touching. */
            if (i > 0) {
                check(h->spans[d][i - 1].close < sp->open);
            }
            check(tl_hours_is_open(h, d, sp->open) == 1);
            check(tl_hours_is_open(h, d, sp->close - 1) == 1);
            if (sp->open > 0) {
                check(tl_hours_is_open(h, d, sp->open - 1) == 0);
            }
            if (sp->close < 1440) {
                check(tl_hours_is_open(h, d, sp->close) == 0);
            }
        }
        if (n == 0) {
            check(tl_hours_is_open(h, d, 0) == 0);
            check(tl_hours_is_open(h, d, 720) == 0);
            check(tl_hours_is_open(h, d, 1439) == 0);
        }

        /* The documented buffer size always suffices, the length is
         * exact, and one byte less is refused cleanly. */
        memset(buf, CANARY, sizeof(buf));
        n = tl_hours_format_day(h, d, buf, TL_HOURS_DAY_BUFSIZE);
        check(n > 0 && n < TL_HOURS_DAY_BUFSIZE);
        check(buf[n] == '\0' && strlen(buf) == (size_t)n);
        check(valid_text(buf));
        check_canary(buf, TL_HOURS_DAY_BUFSIZE);

        memset(again, CANARY, sizeof(again));
        check(tl_hours_format_day(h, d, again, (size_t)n + 1) == n);
        check(strcmp(again, buf) == 0);
        check_canary(again, (size_t)n + 1);

        memset(again, CANARY, sizeof(again));
        check(tl_hours_format_day(h, d, again, (size_t)n) == -1);
        check(again[0] == '\0');
        check_canary(again, (size_t)n);
    }
    check(h->always_open == full);
    check(tl_hours_is_empty(h) == empty);
    check(tl_hours_format_day(h, 7, buf, sizeof(buf)) == -1);
    check(tl_hours_is_open(h, -1, 0) == 0 && tl_hours_is_open(h, 0, 1440) == 0);
}

static void check_error(const char *err, size_t size)
{
    const char *pos = strstr(err, "(position ");
    const char *last = pos;
    size_t len = strlen(err), at = 0;
    const char *p;

    check(valid_text(err));
    check(strncmp(err, "horaires : ", 11) == 0);
    /* Never cut at the documented size: the position is always there. */
    check(pos != NULL && len < TL_HOURS_ERR_BUFSIZE && err[len - 1] == ')');
    while ((p = strstr(last + 1, "(position ")) != NULL) {
        last = p;
    }
    for (p = last + 10; *p >= '0' && *p <= '9'; p++) {
        check(at < (size_t)1 << 40);
        at = at * 10 + (size_t)(*p - '0');
    }
    check(*p == ')' && at >= 1 && at <= size + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t small[] = { 1, 2, 11, 12, 13, 14, 15, 40 };
    const char *s = (const char *)data;
    char err[TL_HOURS_ERR_BUFSIZE + SLACK];
    char err2[TL_HOURS_ERR_BUFSIZE + SLACK];
    tl_hours h, h2;
    size_t i;
    int rv, rv2;

    memset(err, CANARY, sizeof(err));
    memset(&h, 0xff, sizeof(h));
    rv = tl_hours_parse(s, size, &h, err, TL_HOURS_ERR_BUFSIZE);
    check(rv == 0 || rv == -1);
    check_canary(err, TL_HOURS_ERR_BUFSIZE);
    check(memchr(err, '\0', TL_HOURS_ERR_BUFSIZE) != NULL);

    if (rv == 0) {
        check(err[0] == '\0');
        check_table(&h);
    }
    else {
        check_error(err, size);
        check(tl_hours_is_empty(&h) && !h.always_open
              && !h.public_holidays_closed);
    }

    /* Deterministic: no hidden state between calls. */
    memset(err2, CANARY, sizeof(err2));
    memset(&h2, 0, sizeof(h2));
    rv2 = tl_hours_parse(s, size, &h2, err2, TL_HOURS_ERR_BUFSIZE);
    check(rv2 == rv && same(&h, &h2) && strcmp(err, err2) == 0);

    /* Short message buffers: same verdict, a clean prefix of the message
     * (at most a partial UTF-8 character shorter), nothing written past. */
    for (i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
        size_t n;

        memset(err2, CANARY, sizeof(err2));
        rv2 = tl_hours_parse(s, size, &h2, err2, small[i]);
        check(rv2 == rv);
        check_canary(err2, small[i]);
        n = strlen(err2);
        check(n < small[i]);
        check(strncmp(err2, err, n) == 0 && valid_text(err2));
        if (rv != 0 && strlen(err) >= small[i]) {
            check(n + 4 >= small[i]);
        }
    }
    check(tl_hours_parse(s, size, &h2, NULL, 0) == rv);
    return 0;
}
