#include <string.h>
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

START_TEST(due_dates_move_to_an_open_day)
{
    tl_hours h;
    char err[256], out[11];
    long d;
    const char *hours = "Tu,Th,Fr 14:00-18:30; We 10:00-12:30,14:00-18:30; Sa 10:00-17:00; Su,Mo off";

    ck_assert_int_eq(tl_hours_parse(hours, strlen(hours), &h, err, sizeof(err)), 0);
    tl_date_parse("2026-11-22", &d);                         /* Sunday: closed, Monday too */
    tl_date_format(tl_date_next_open(&h, d), out);
    ck_assert_str_eq(out, "2026-11-24");                     /* Tuesday */
    tl_date_parse("2026-11-25", &d);                         /* Wednesday: open */
    ck_assert_int_eq(tl_date_next_open(&h, d), d);
    ck_assert_int_eq(tl_hours_parse("", 0, &h, err, sizeof(err)), 0);
    ck_assert_int_eq(tl_date_next_open(&h, d), d);           /* unknown hours: as computed */
}
END_TEST

START_TEST(due_dates_skip_closures)
{
    tl_hours h;
    char err[256], out[11];
    long d, a, b;
    tl_date_span closed[2];
    const char *hours = "Tu-Sa 10:00-18:00";

    ck_assert_int_eq(tl_hours_parse(hours, strlen(hours), &h, err, sizeof(err)), 0);
    tl_date_parse("2026-12-24", &closed[0].first);           /* Christmas holidays, Thursday to Saturday week */
    tl_date_parse("2027-01-02", &closed[0].last);
    tl_date_parse("2027-01-05", &a);                         /* and an inventory day, Tuesday 5 */
    closed[1].first = closed[1].last = a;
    tl_date_parse("2026-12-26", &d);
    tl_date_format(tl_date_next_open_except(&h, closed, 2, d), out);
    ck_assert_str_eq(out, "2027-01-06");                     /* Su, Mo closed by the hours, Tu by the inventory */
    tl_date_parse("2026-12-23", &b);
    ck_assert_int_eq(tl_date_next_open_except(&h, closed, 2, b), b);
    /* No hours known: only the closures count. */
    ck_assert_int_eq(tl_hours_parse("", 0, &h, err, sizeof(err)), 0);
    tl_date_format(tl_date_next_open_except(&h, closed, 2, d), out);
    ck_assert_str_eq(out, "2027-01-03");
    /* Closed for good: the computed day stays. */
    closed[0].last = closed[0].first + 5000;
    ck_assert_int_eq(tl_date_next_open_except(&h, closed, 1, d), d);
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
    tcase_add_test(tc, due_dates_move_to_an_open_day);
    tcase_add_test(tc, due_dates_skip_closures);
    tcase_add_test(tc, civil_days_both_ways);
    suite_add_tcase(s, tc);
    return s;
}
