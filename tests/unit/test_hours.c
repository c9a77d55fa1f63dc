/*
 * Unit tests for tl_hours: what a visitor reads on a place's page ("lundi :
 * 9 h – 12 h") and what a référent reads when the field is refused.
 */
#include <check.h>
#include <string.h>

#include "tl_hours.h"

Suite *tl_hours_suite(void);

enum { MO, TU, WE, TH, FR, SA, SU };

/* Parses a NUL-terminated literal that must be valid. */
static tl_hours parse_ok(const char *in)
{
    tl_hours h;
    char err[TL_HOURS_ERR_BUFSIZE];
    int rv = tl_hours_parse(in, strlen(in), &h, err, sizeof(err));

    ck_assert_msg(rv == 0, "\"%s\" refused: %s", in, err);
    ck_assert_str_eq(err, "");
    return h;
}

/* Parses a literal that must be refused; the message must hold both
 * substrings (the second may be NULL). */
static void parse_ko(const char *in, const char *sub1, const char *sub2)
{
    tl_hours h;
    char err[TL_HOURS_ERR_BUFSIZE];
    int rv = tl_hours_parse(in, strlen(in), &h, err, sizeof(err));

    ck_assert_msg(rv == -1, "\"%s\" accepted", in);
    ck_assert_msg(strncmp(err, "horaires : ", 11) == 0, "bad prefix: %s", err);
    ck_assert_msg(strstr(err, sub1) != NULL, "\"%s\": \"%s\" not in \"%s\"",
                  in, sub1, err);
    if (sub2 != NULL) {
        ck_assert_msg(strstr(err, sub2) != NULL,
                      "\"%s\": \"%s\" not in \"%s\"", in, sub2, err);
    }
    ck_assert(tl_hours_is_empty(&h));
}

static void day_is(const tl_hours *h, int day, const char *expected)
{
    char buf[TL_HOURS_DAY_BUFSIZE];
    int n = tl_hours_format_day(h, day, buf, sizeof(buf));

    ck_assert_str_eq(buf, expected);
    ck_assert_int_eq(n, (int)strlen(expected));
}

START_TEST(test_empty_is_closed)
{
    tl_hours h = parse_ok("");
    int d;

    ck_assert(tl_hours_is_empty(&h));
    ck_assert_int_eq(h.always_open, 0);
    ck_assert_int_eq(h.public_holidays_closed, 0);
    for (d = 0; d < 7; d++) {
        day_is(&h, d, "fermé");
        ck_assert_int_eq(tl_hours_is_open(&h, d, 600), 0);
    }
}
END_TEST

START_TEST(test_blank_is_closed)
{
    tl_hours h = parse_ok("  \t\r\n ");
    char err[TL_HOURS_ERR_BUFSIZE];

    ck_assert(tl_hours_is_empty(&h));
    /* A NULL column read from the database. */
    ck_assert_int_eq(tl_hours_parse(NULL, 0, &h, err, sizeof(err)), 0);
    ck_assert(tl_hours_is_empty(&h));
}
END_TEST

START_TEST(test_24_7)
{
    tl_hours h = parse_ok("24/7");
    int d;

    ck_assert_int_eq(h.always_open, 1);
    ck_assert(!tl_hours_is_empty(&h));
    for (d = 0; d < 7; d++) {
        day_is(&h, d, "ouvert 24 h sur 24");
        ck_assert_int_eq(tl_hours_is_open(&h, d, 0), 1);
        ck_assert_int_eq(tl_hours_is_open(&h, d, 1439), 1);
    }
}
END_TEST

START_TEST(test_24_7_then_sunday_off)
{
    tl_hours h = parse_ok("24/7; Su off; PH off");

    /* No longer open all week round: a badge saying so would lie. */
    ck_assert_int_eq(h.always_open, 0);
    ck_assert_int_eq(h.public_holidays_closed, 1);
    day_is(&h, SA, "ouvert 24 h sur 24");
    day_is(&h, SU, "fermé");
}
END_TEST

START_TEST(test_24_7_equivalent)
{
    tl_hours h = parse_ok("Mo-Su 00:00-24:00");

    ck_assert_int_eq(h.always_open, 1);
}
END_TEST

START_TEST(test_full_example)
{
    tl_hours h = parse_ok("Mo-Fr 09:00-12:00,14:00-18:30; Sa 10:00-17:00; "
                          "Su off; PH off");
    int d;

    for (d = MO; d <= FR; d++) {
        day_is(&h, d, "9 h – 12 h, 14 h – 18 h 30");
    }
    day_is(&h, SA, "10 h – 17 h");
    day_is(&h, SU, "fermé");
    ck_assert_int_eq(h.public_holidays_closed, 1);
    ck_assert_int_eq(h.always_open, 0);
    ck_assert_int_eq(h.nspans[MO], 2);
    ck_assert_int_eq(h.spans[MO][1].open, 14 * 60);
    ck_assert_int_eq(h.spans[MO][1].close, 18 * 60 + 30);
}
END_TEST

START_TEST(test_range)
{
    tl_hours h = parse_ok("Tu-Th 10:00-12:00");

    ck_assert_int_eq(h.nspans[MO], 0);
    ck_assert_int_eq(h.nspans[TU], 1);
    ck_assert_int_eq(h.nspans[WE], 1);
    ck_assert_int_eq(h.nspans[TH], 1);
    ck_assert_int_eq(h.nspans[FR], 0);
}
END_TEST

START_TEST(test_wrap_around_range)
{
    tl_hours h = parse_ok("Sa-Mo 10:00-18:00");

    day_is(&h, SA, "10 h – 18 h");
    day_is(&h, SU, "10 h – 18 h");
    day_is(&h, MO, "10 h – 18 h");
    day_is(&h, TU, "fermé");
    day_is(&h, FR, "fermé");
}
END_TEST

START_TEST(test_list_and_mixture)
{
    tl_hours h = parse_ok("Mo,We,Fr 14:00-17:00");

    ck_assert_int_eq(h.nspans[MO], 1);
    ck_assert_int_eq(h.nspans[TU], 0);
    ck_assert_int_eq(h.nspans[WE], 1);
    ck_assert_int_eq(h.nspans[TH], 0);
    ck_assert_int_eq(h.nspans[FR], 1);

    h = parse_ok("Mo-We,Fr 14:00-17:00");
    ck_assert_int_eq(h.nspans[MO], 1);
    ck_assert_int_eq(h.nspans[TU], 1);
    ck_assert_int_eq(h.nspans[WE], 1);
    ck_assert_int_eq(h.nspans[TH], 0);
    ck_assert_int_eq(h.nspans[FR], 1);
    ck_assert_int_eq(h.nspans[SA], 0);
}
END_TEST

START_TEST(test_rule_without_days)
{
    tl_hours h = parse_ok("10:00-18:00");
    int d;

    for (d = 0; d < 7; d++) {
        day_is(&h, d, "10 h – 18 h");
    }
    ck_assert_int_eq(h.always_open, 0);
}
END_TEST

START_TEST(test_days_without_hours_all_day)
{
    tl_hours h = parse_ok("Mo-Fr 09:00-17:00; Sa");

    day_is(&h, SA, "ouvert 24 h sur 24");
    day_is(&h, SU, "fermé");
}
END_TEST

START_TEST(test_later_rule_overrides)
{
    tl_hours h = parse_ok("Mo-Fr 09:00-18:00; We 14:00-18:00");

    day_is(&h, TU, "9 h – 18 h");
    day_is(&h, WE, "14 h – 18 h");
    ck_assert_int_eq(tl_hours_is_open(&h, WE, 10 * 60), 0);

    /* A rule without days replaces every day. */
    h = parse_ok("Mo 08:00-09:00; 10:00-11:00");
    day_is(&h, MO, "10 h – 11 h");
}
END_TEST

START_TEST(test_off_and_closed)
{
    tl_hours h = parse_ok("Mo-Su 10:00-12:00; Su off");

    day_is(&h, SA, "10 h – 12 h");
    day_is(&h, SU, "fermé");
    h = parse_ok("Mo-Su 10:00-12:00; Sa,Su closed; PH closed");
    day_is(&h, FR, "10 h – 12 h");
    day_is(&h, SA, "fermé");
    day_is(&h, SU, "fermé");
    ck_assert_int_eq(h.public_holidays_closed, 1);
    h = parse_ok("Mo 10:00-12:00; off");
    ck_assert(tl_hours_is_empty(&h));
}
END_TEST

START_TEST(test_is_open_boundaries)
{
    tl_hours h = parse_ok("Mo 09:00-12:00,14:00-18:30; Tu 20:00-24:00");

    ck_assert_int_eq(tl_hours_is_open(&h, MO, 9 * 60 - 1), 0);
    ck_assert_int_eq(tl_hours_is_open(&h, MO, 9 * 60), 1);
    ck_assert_int_eq(tl_hours_is_open(&h, MO, 12 * 60 - 1), 1);
    ck_assert_int_eq(tl_hours_is_open(&h, MO, 12 * 60), 0);
    ck_assert_int_eq(tl_hours_is_open(&h, MO, 14 * 60), 1);
    ck_assert_int_eq(tl_hours_is_open(&h, MO, 18 * 60 + 29), 1);
    ck_assert_int_eq(tl_hours_is_open(&h, MO, 18 * 60 + 30), 0);
    ck_assert_int_eq(tl_hours_is_open(&h, TU, 1439), 1);
    ck_assert_int_eq(tl_hours_is_open(&h, WE, 0), 0);
    ck_assert_int_eq(tl_hours_is_open(&h, WE, 600), 0);
}
END_TEST

START_TEST(test_is_open_bad_arguments)
{
    tl_hours h = parse_ok("24/7");

    ck_assert_int_eq(tl_hours_is_open(&h, -1, 600), 0);
    ck_assert_int_eq(tl_hours_is_open(&h, 7, 600), 0);
    ck_assert_int_eq(tl_hours_is_open(&h, MO, -1), 0);
    ck_assert_int_eq(tl_hours_is_open(&h, MO, 1440), 0);
    ck_assert_int_eq(tl_hours_is_open(NULL, MO, 600), 0);
}
END_TEST

START_TEST(test_spans_sorted_and_merged)
{
    tl_hours h = parse_ok("14:00-18:00,09:00-12:00,11:00-13:00");

    day_is(&h, MO, "9 h – 13 h, 14 h – 18 h");
    /* Touching spans read as one. */
    h = parse_ok("Mo 10:00-12:00,12:00-14:00");
    day_is(&h, MO, "10 h – 14 h");
    ck_assert_int_eq(h.nspans[MO], 1);
    /* A span swallowing the others. */
    h = parse_ok("Mo 10:00-11:00,12:00-13:00,08:00-20:00");
    day_is(&h, MO, "8 h – 20 h");
    /* A span extended on its left only. */
    h = parse_ok("Mo 10:00-12:00,09:00-11:00");
    day_is(&h, MO, "9 h – 12 h");
    /* A span bridging three, with a later one kept in place. */
    h = parse_ok("Mo 08:00-09:00,10:00-11:00,12:00-13:00,15:00-16:00,"
                 "09:30-12:30");
    day_is(&h, MO, "8 h – 9 h, 9 h 30 – 13 h, 15 h – 16 h");
}
END_TEST

START_TEST(test_too_many_spans)
{
    tl_hours h = parse_ok("Mo 08:00-09:00,10:00-11:00,12:00-13:00,"
                          "14:00-15:00,16:00-17:00,18:00-19:00");

    ck_assert_int_eq(h.nspans[MO], TL_HOURS_MAX_SPANS);
    /* Seven spans written, six once merged: accepted. */
    h = parse_ok("Mo 08:00-09:00,10:00-11:00,12:00-13:00,14:00-15:00,"
                 "16:00-17:00,18:00-19:00,18:30-19:30");
    ck_assert_int_eq(h.nspans[MO], TL_HOURS_MAX_SPANS);
    parse_ko("Mo 08:00-09:00,10:00-11:00,12:00-13:00,14:00-15:00,"
             "16:00-17:00,18:00-19:00,20:00-21:00",
             "plus de 6 plages horaires", "(position 4)");
}
END_TEST

START_TEST(test_formatting_midnight_and_minutes)
{
    tl_hours h = parse_ok("Mo 00:00-08:05,12:30-13:45,20:00-24:00");

    day_is(&h, MO, "0 h – 8 h 05, 12 h 30 – 13 h 45, 20 h – 24 h");
}
END_TEST

START_TEST(test_format_buffer_too_small)
{
    tl_hours h = parse_ok("Mo 09:00-12:00");
    char buf[TL_HOURS_DAY_BUFSIZE];
    const char *exp = "9 h – 12 h";
    size_t n = strlen(exp);

    memset(buf, 'x', sizeof(buf));
    ck_assert_int_eq(tl_hours_format_day(&h, MO, buf, n), -1);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(tl_hours_format_day(&h, MO, buf, n + 1), (int)n);
    ck_assert_str_eq(buf, exp);
    ck_assert_int_eq(tl_hours_format_day(&h, MO, buf, 0), -1);
    ck_assert_int_eq(tl_hours_format_day(&h, 7, buf, sizeof(buf)), -1);
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_format_longest_day_fits)
{
    tl_hours h = parse_ok("Mo 00:01-10:59,11:01-11:59,12:01-12:59,13:01-13:59,"
                          "14:01-14:59,15:01-23:59");
    char buf[TL_HOURS_DAY_BUFSIZE];

    ck_assert_int_gt(tl_hours_format_day(&h, MO, buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "0 h 01 – 10 h 59, 11 h 01 – 11 h 59, "
                     "12 h 01 – 12 h 59, 13 h 01 – 13 h 59, "
                     "14 h 01 – 14 h 59, 15 h 01 – 23 h 59");
}
END_TEST

START_TEST(test_day_names)
{
    ck_assert_str_eq(tl_hours_day_name(0), "lundi");
    ck_assert_str_eq(tl_hours_day_name(2), "mercredi");
    ck_assert_str_eq(tl_hours_day_name(6), "dimanche");
    ck_assert_ptr_null(tl_hours_day_name(-1));
    ck_assert_ptr_null(tl_hours_day_name(7));
}
END_TEST

START_TEST(test_whitespace_tolerant)
{
    tl_hours h = parse_ok("  Mo - We , Fr   09:00 - 12:00 ,14:00-18:00 ;"
                          "\n Sa 10:00-12:00  ");

    day_is(&h, MO, "9 h – 12 h, 14 h – 18 h");
    day_is(&h, FR, "9 h – 12 h, 14 h – 18 h");
    day_is(&h, TH, "fermé");
    day_is(&h, SA, "10 h – 12 h");
}
END_TEST

START_TEST(test_not_nul_terminated)
{
    /* Only the first 14 bytes belong to the field. */
    const char buf[] = { 'M', 'o', ' ', '1', '0', ':', '0', '0', '-',
                         '1', '2', ':', '0', '0', '0', 'X' };
    tl_hours h;
    char err[TL_HOURS_ERR_BUFSIZE];

    ck_assert_int_eq(tl_hours_parse(buf, 14, &h, err, sizeof(err)), 0);
    day_is(&h, MO, "10 h – 12 h");
    ck_assert_int_eq(tl_hours_parse(buf, 15, &h, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "mal formée"));
}
END_TEST

START_TEST(test_error_month)
{
    parse_ko("Jan-Mar 10:00-12:00",
             "horaires : « Jan » n'est pas un jour de la semaine",
             "(position 1)");
    parse_ko("Mo-Fr 10:00-12:00; Dec off", "« Dec »", "(position 20)");
}
END_TEST

START_TEST(test_error_unknown_day)
{
    parse_ko("Lu-Ve 10:00-12:00", "« Lu » n'est pas un jour de la semaine",
             "(position 1)");
    /* Case-sensitive as in OSM, with a hint. */
    parse_ko("mo 10:00-12:00", "« mo » n'est pas un jour de la semaine",
             "écrivez « Mo »");
    parse_ko("Mo-Friday 10:00-12:00", "« Friday »", "(position 4)");
    parse_ko("Mo,lundi 10:00-12:00", "écrivez « Mo »", "(position 4)");
}
END_TEST

START_TEST(test_error_after_midnight)
{
    parse_ko("Fr 22:00-02:00", "« 22:00-02:00 » passe minuit",
             "(position 4)");
    parse_ko("Fr 22:00-00:00", "écrivez 24:00", "(position 4)");
}
END_TEST

START_TEST(test_error_empty_span)
{
    parse_ko("Mo 10:00-10:00", "« 10:00-10:00 » est vide", "(position 4)");
}
END_TEST

START_TEST(test_error_time_limits)
{
    parse_ko("Mo 24:00-24:00", "« 24:00 » ne peut être qu'une heure de "
             "fermeture", "(position 4)");
    parse_ko("Mo 10:00-24:30", "« 24:30 » hors limites", "(position 10)");
    parse_ko("Mo 25:00-26:00", "« 25:00 » hors limites", NULL);
    parse_ko("Mo 10:60-12:00", "« 10:60 » hors limites", NULL);
    parse_ko("Mo 9:00-12:00", "« 9:00 » mal formée", "attendu HH:MM");
    parse_ko("Mo 10h-12h", "« 10h » mal formée", NULL);
    parse_ko("Mo 10:00", "fin inattendue", "(position 9)");
}
END_TEST

START_TEST(test_error_ph)
{
    tl_hours h = parse_ok("PH off");

    ck_assert_int_eq(h.public_holidays_closed, 1);
    ck_assert(tl_hours_is_empty(&h));
    parse_ko("PH 10:00-12:00", "« PH » non pris en charge", "(position 1)");
    parse_ko("Mo-Fr 10:00-12:00; PH 10:00-12:00", "non pris en charge",
             "(position 20)");
    parse_ko("Mo-Fr,PH 10:00-12:00", "non pris en charge", "(position 7)");
}
END_TEST

START_TEST(test_error_unsupported_features)
{
    parse_ko("week 01-10 Mo 10:00-12:00", "« week »", "(position 1)");
    parse_ko("SH off", "vacances scolaires", "(position 1)");
    parse_ko("Mo 10:00-12:00 \"sur rendez-vous\"", "commentaires",
             "(position 16)");
    parse_ko("Mo 10:00-12:00 || \"sur rendez-vous\"", "« || »",
             "(position 16)");
    parse_ko("Mo sunrise-sunset", "heures solaires", "(position 4)");
    parse_ko("Mo 10:00-sunset", "« sunset »", "(position 10)");
    parse_ko("Mo 18:00+", "« + »", "(position 9)");
    parse_ko("Mo 10:00-18:00+", "« + »", "(position 15)");
    parse_ko("Mo 10:00-16:00/01:00", "intervalles", "(position 15)");
    parse_ko("Mo[1] 10:00-12:00", "jours numérotés", "(position 3)");
    parse_ko("2024 Mo 10:00-12:00", "« 2024 » mal formée", "(position 1)");
}
END_TEST

START_TEST(test_error_separators)
{
    parse_ko("Mo 10:00-12:00, Tu 10:00-12:00", "séparez-les par « ; »",
             "(position 17)");
    parse_ko("Mo 10:00-12:00 Tu 10:00-12:00", "séparez les règles par « ; »",
             "(position 16)");
    parse_ko("Mo 10:00-12:00;", "rien ne suit le dernier « ; »",
             "(position 15)");
    parse_ko("Mo 10:00-12:00;; Tu off", "règle vide", "(position 16)");
    parse_ko("Mo Tu 10:00-12:00", "séparez les jours", "(position 4)");
    parse_ko("Mo-Fr: 10:00-12:00", "« : » inattendu", "(position 6)");
    parse_ko("Mo 10:00–12:00", "tiret long", "(position 9)");
    parse_ko("24/7 10:00-12:00", "« 24/7 » doit être seul", "(position 6)");
    parse_ko("24/7 Su off", "séparez les règles par « ; »", "(position 6)");
    parse_ko("Su off 10:00-12:00", "après « off »", "(position 8)");
}
END_TEST

START_TEST(test_error_bytes_never_echoed)
{
    /* A control byte and invalid UTF-8 are named, never copied. */
    const char in[] = { 'M', 'o', ' ', '\x01', '\xff', '\0' };
    tl_hours h;
    char err[TL_HOURS_ERR_BUFSIZE];

    ck_assert_int_eq(tl_hours_parse(in, 5, &h, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "caractère de contrôle"));
    ck_assert_ptr_nonnull(strstr(err, "(position 4)"));
    ck_assert_ptr_null(strchr(err, '\x01'));
    ck_assert_int_eq(tl_hours_parse(in + 4, 1, &h, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "non ASCII"));
    ck_assert_ptr_null(strchr(err, '\xff'));
}
END_TEST

START_TEST(test_error_buffer_small)
{
    tl_hours h;
    char err[16];
    size_t i;

    memset(err, 'x', sizeof(err));
    /* "horaires : « J": cut inside "»"-free text, then inside "«". */
    ck_assert_int_eq(tl_hours_parse("Jan", 3, &h, err, sizeof(err)), -1);
    ck_assert_int_lt(strlen(err), sizeof(err));
    ck_assert_str_eq(err, "horaires : « J");
    ck_assert_int_eq(tl_hours_parse("Jan", 3, &h, err, 13), -1);
    /* The "«" would be cut in half: dropped whole. */
    ck_assert_str_eq(err, "horaires : ");
    for (i = 0; i < strlen(err); i++) {
        ck_assert_int_ne(err[i], '\xc2');
    }
    ck_assert_int_eq(tl_hours_parse("Jan", 3, &h, NULL, 0), -1);
    ck_assert_int_eq(tl_hours_parse("Jan", 3, &h, err, 1), -1);
    ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_error_resets_result)
{
    tl_hours h = parse_ok("24/7; PH off");
    char err[TL_HOURS_ERR_BUFSIZE];

    ck_assert_int_eq(tl_hours_parse("Mo 10:00-09:00", 14, &h, err,
                                    sizeof(err)), -1);
    ck_assert(tl_hours_is_empty(&h));
    ck_assert_int_eq(h.always_open, 0);
    ck_assert_int_eq(h.public_holidays_closed, 0);
}
END_TEST

Suite *tl_hours_suite(void)
{
    Suite *s = suite_create("hours");
    TCase *tc = tcase_create("parse");
    TCase *te = tcase_create("errors");
    TCase *tf = tcase_create("format");

    tcase_add_test(tc, test_empty_is_closed);
    tcase_add_test(tc, test_blank_is_closed);
    tcase_add_test(tc, test_24_7);
    tcase_add_test(tc, test_24_7_then_sunday_off);
    tcase_add_test(tc, test_24_7_equivalent);
    tcase_add_test(tc, test_full_example);
    tcase_add_test(tc, test_range);
    tcase_add_test(tc, test_wrap_around_range);
    tcase_add_test(tc, test_list_and_mixture);
    tcase_add_test(tc, test_rule_without_days);
    tcase_add_test(tc, test_days_without_hours_all_day);
    tcase_add_test(tc, test_later_rule_overrides);
    tcase_add_test(tc, test_off_and_closed);
    tcase_add_test(tc, test_is_open_boundaries);
    tcase_add_test(tc, test_is_open_bad_arguments);
    tcase_add_test(tc, test_spans_sorted_and_merged);
    tcase_add_test(tc, test_too_many_spans);
    tcase_add_test(tc, test_whitespace_tolerant);
    tcase_add_test(tc, test_not_nul_terminated);
    suite_add_tcase(s, tc);

    tcase_add_test(te, test_error_month);
    tcase_add_test(te, test_error_unknown_day);
    tcase_add_test(te, test_error_after_midnight);
    tcase_add_test(te, test_error_empty_span);
    tcase_add_test(te, test_error_time_limits);
    tcase_add_test(te, test_error_ph);
    tcase_add_test(te, test_error_unsupported_features);
    tcase_add_test(te, test_error_separators);
    tcase_add_test(te, test_error_bytes_never_echoed);
    tcase_add_test(te, test_error_buffer_small);
    tcase_add_test(te, test_error_resets_result);
    suite_add_tcase(s, te);

    tcase_add_test(tf, test_formatting_midnight_and_minutes);
    tcase_add_test(tf, test_format_buffer_too_small);
    tcase_add_test(tf, test_format_longest_day_fits);
    tcase_add_test(tf, test_day_names);
    suite_add_tcase(s, tf);
    return s;
}
