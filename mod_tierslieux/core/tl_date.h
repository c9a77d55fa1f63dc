/* tl_date — calendar days, for due dates that must fall on a day the place
 * is open. Days are counted from 1970-01-01 (proleptic Gregorian). */
#ifndef TL_DATE_H
#define TL_DATE_H

#include <stdint.h>
#include "tl_hours.h"

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
/* The first day from days on when the place opens, at most a week later;
 * days itself when the hours name no open day at all (unknown hours). */
long tl_date_next_open(const tl_hours *h, long days);

/* Days a place is closed beyond its hours (holidays, works), inclusive. */
typedef struct {
    long first, last;
} tl_date_span;

/* The first day from days on when the place opens and none of the n
 * closures covers it; days itself when none comes within a year and a
 * week (a place closed for good, or hours that name no open day). */
long tl_date_next_open_except(const tl_hours *h, const tl_date_span *closed, int n, long days);

#endif
