/* tl_date — calendar days, counted from 1970-01-01 (proleptic Gregorian).
 * Due dates are the database's (tl.due_date); the module only reads,
 * writes and shows dates. */
#ifndef TL_DATE_H
#define TL_DATE_H

#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12), and
 * back: the calendar arithmetic every date of the core goes through. */
int64_t tl_days_from_civil(int64_t y, int m, int d);
void tl_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* "YYYY-MM-DD" (a real date) to days; 0 on success, -1 otherwise. */
int tl_date_parse(const char *s, long *days);
/* days to "YYYY-MM-DD" (out holds 11 bytes). */
void tl_date_format(long days, char *out);
/* 0 for Monday ... 6 for Sunday. */
int tl_date_weekday(long days);
/* Large enough for any date tl_date_fr() writes, NUL included. */
#define TL_DATE_FR_BUFSIZE 32
/* days as French people write a date, "1er décembre 2026", "24 août 2027"
 * (UTF-8): the same text as tl.date_fr in the database, for a date the
 * module holds without asking the database. */
void tl_date_fr(long days, char *out);

#endif
