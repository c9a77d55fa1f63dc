/*
 * tl_hours: the opening hours of a place, written by a référent in the
 * OpenStreetMap `opening_hours` syntax, parsed into a weekly table.
 *
 * Only a useful subset of the syntax is understood (see tl_hours.c); the
 * rest is refused with a message in French that names what is not
 * supported and where, so the référent can fix the field instead of
 * publishing hours we would silently misread.
 *
 * Pure C11, no allocation: the result is a fixed-size struct that can live
 * on the stack or inside a pool-allocated record.
 */
#ifndef TL_HOURS_H
#define TL_HOURS_H

#include <stddef.h>

#define TL_HOURS_MAX_SPANS 6

/* Large enough for any day tl_hours_format_day() can write, NUL included:
 * six spans of "24 h 59 – 24 h 59" joined by ", ". */
#define TL_HOURS_DAY_BUFSIZE 128

/* Large enough for any message tl_hours_parse() writes, NUL included. */
#define TL_HOURS_ERR_BUFSIZE 256

/* Minutes since midnight, 0..1440, open < close. */
typedef struct {
    unsigned short open, close;
} tl_hours_span;

typedef struct {
    /* Open all week round: every day is one span 0..1440. Set by "24/7"
     * and by anything equivalent ("Mo-Su 00:00-24:00"); cleared when a
     * later rule changes a day ("24/7; Su off"). */
    int always_open;
    /* "PH off" or "PH closed" was seen. */
    int public_holidays_closed;
    /* Monday = 0 ... Sunday = 6; spans sorted, disjoint, never touching. */
    int nspans[7];
    tl_hours_span spans[7][TL_HOURS_MAX_SPANS];
} tl_hours;

/* Parses s (len bytes, not necessarily NUL-terminated). Returns 0 and fills
 * *out, or -1, leaves *out closed every day and writes a short message in
 * plain French into err (errlen bytes, always NUL-terminated and valid UTF-8
 * when errlen > 0; err may be NULL to get no message), e.g.
 * "horaires : « Lu » n'est pas un jour de la semaine (position 1)".
 * The message is plain text: escape it before putting it in HTML.
 * An empty (or all blank) string means closed every day and is valid, and
 * so is s == NULL with len == 0 (a NULL column). */
int tl_hours_parse(const char *s, size_t len, tl_hours *out, char *err,
                   size_t errlen);

/* 1 if open on weekday (0 = Monday) at minute (0..1439), 0 otherwise
 * (including for out-of-range arguments). */
int tl_hours_is_open(const tl_hours *h, int weekday, int minute);

/* Writes the day's hours for people, in French typography (UTF-8):
 * "9 h – 12 h 30, 14 h – 18 h", "fermé" for a closed day,
 * "ouvert 24 h sur 24" when open all day. Returns the length written, or -1
 * if buf is too small or weekday is not 0..6 (buf then holds "" when
 * buflen > 0). */
int tl_hours_format_day(const tl_hours *h, int weekday, char *buf,
                        size_t buflen);

/* French day name, "lundi".."dimanche", for weekday 0..6, NULL otherwise. */
const char *tl_hours_day_name(int weekday);

/* 1 if the place is closed on all seven days (no hours at all). */
int tl_hours_is_empty(const tl_hours *h);

#endif /* TL_HOURS_H */
