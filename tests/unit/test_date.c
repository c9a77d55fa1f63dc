#include "unit.h"
#include <stdint.h>
#include "tl_date.h"

START_TEST(parse_format_and_weekday)
{
    long d;
    char out[11];

    ck_assert_int_eq(tl_date_parse("1970-01-01", &d), 0);
    ck_assert_int_eq(d, 0);
    ck_assert_int_eq(tl_date_weekday(d), 3);                 /* a Thursday */
    ck_assert_int_eq(tl_date_parse("2026-11-22", &d), 0);
    ck_assert_int_eq(tl_date_weekday(d), 6);                 /* a Sunday */
    tl_date_format(d + 10, out);
    ck_assert_str_eq(out, "2026-12-02");
    ck_assert_int_eq(tl_date_parse("2028-02-29", &d), 0);    /* leap year */
    tl_date_format(d + 1, out);
    ck_assert_str_eq(out, "2028-03-01");
    ck_assert_int_eq(tl_date_parse("2026-02-29", &d), -1);
    ck_assert_int_eq(tl_date_parse("2026-04-31", &d), -1);
    ck_assert_int_eq(tl_date_parse("2026-13-01", &d), -1);
    ck_assert_int_eq(tl_date_parse("26-11-22", &d), -1);
    ck_assert_int_eq(tl_date_parse("2026/11/22", &d), -1);
}
END_TEST

/* The same text as tl.date_fr in the database (an integration test compares
 * the two over every day of a year). */
START_TEST(french_dates)
{
    long d;
    char out[TL_DATE_FR_BUFSIZE];

    tl_date_parse("2026-12-01", &d);
    tl_date_fr(d, out);
    ck_assert_str_eq(out, "1er décembre 2026");
    tl_date_fr(d - 98, out);
    ck_assert_str_eq(out, "25 août 2026");
    tl_date_parse("2028-02-29", &d);
    tl_date_fr(d, out);
    ck_assert_str_eq(out, "29 février 2028");
    tl_date_parse("9999-12-31", &d);
    tl_date_fr(d, out);
    ck_assert_str_eq(out, "31 décembre 9999");
}
END_TEST

/* The calendar arithmetic every date of the core (due dates, time zones,
 * iCalendar) goes through. */
START_TEST(civil_days_both_ways)
{
    int64_t y, z;
    int m, d;

    ck_assert_int_eq(tl_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(tl_days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(tl_days_from_civil(2000, 3, 1), 11017);
    ck_assert_int_eq(tl_days_from_civil(2026, 11, 22), 20779);
    ck_assert_int_eq(tl_days_from_civil(2000, 2, 29) + 1, tl_days_from_civil(2000, 3, 1));   /* 400: leap */
    ck_assert_int_eq(tl_days_from_civil(1900, 2, 28) + 1, tl_days_from_civil(1900, 3, 1));   /* 100: not */
    tl_civil_from_days(-719528, &y, &m, &d);                 /* the year 0 (1 BC) */
    ck_assert(y == 0 && m == 1 && d == 1);
    /* Every day of eight centuries either side of 1970 comes back as it went. */
    for (z = -292500; z <= 292500; z++) {
        tl_civil_from_days(z, &y, &m, &d);
        ck_assert(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        if (tl_days_from_civil(y, m, d) != z) {
            ck_abort_msg("day %lld is not %04lld-%02d-%02d", (long long)z, (long long)y, m, d);
        }
    }
}
END_TEST

Suite *tl_date_suite(void)
{
    Suite *s = suite_create("dates");
    TCase *tc = tcase_create("calendar");
    tcase_add_test(tc, parse_format_and_weekday);
    tcase_add_test(tc, french_dates);
    tcase_add_test(tc, civil_days_both_ways);
    suite_add_tcase(s, tc);
    return s;
}
