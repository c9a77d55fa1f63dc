#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include "tl_date.h"

/* Howard Hinnant's days-from-civil arithmetic, in whole numbers: years
 * counted from March, so the leap day ends a year; eras of 400 years repeat
 * exactly (146097 days). The core's one copy (tl_tz and tl_ical use it). */
int64_t tl_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tl_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 719468, era, doe, yoe, doy, mp;

    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int tl_date_parse(const char *s, long *days)
{
    long y, m, d;
    int64_t ry;
    int rm, rd, i;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
        return -1;
    }
    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) {
            return -1;
        }
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > 31) {
        return -1;
    }
    *days = (long)tl_days_from_civil(y, (int)m, (int)d);
    tl_civil_from_days(*days, &ry, &rm, &rd);
    return (ry == y && rm == m && rd == d) ? 0 : -1;       /* 31 April is not a date */
}

void tl_date_format(long days, char *out)
{
    int64_t y;
    int m, d;

    tl_civil_from_days(days, &y, &m, &d);
    y = ((y % 10000) + 10000) % 10000;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int tl_date_weekday(long days)
{
    /* 1970-01-01 was a Thursday (3 counting from Monday = 0). */
    long w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

void tl_date_fr(long days, char *out)
{
    static const char *const months[] = { "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
                                          "août", "septembre", "octobre", "novembre", "décembre" };
    int64_t y;
    int m, d;

    tl_civil_from_days(days, &y, &m, &d);
    snprintf(out, TL_DATE_FR_BUFSIZE, "%d%s %s %lld", d, d == 1 ? "er" : "", months[m - 1], (long long)y);
}
