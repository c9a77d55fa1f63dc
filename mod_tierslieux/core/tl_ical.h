/* tl_ical — an iCalendar feed (RFC 5545) of repair café sessions, written
 * into a tl_buf: what calendar applications subscribe to.
 *
 * Events are given one by one and kept; tl_ical_finish writes the whole
 * calendar, with a VTIMEZONE for every zone the events name (read from the
 * system's TZif files by tl_tz, never through TZ) placed before them.
 *
 * Every line ends with CRLF and is folded at 75 octets, never inside a
 * UTF-8 character. Text values are escaped as RFC 5545 3.3.11 says
 * (backslash, semicolon, comma, newline); other control characters are
 * dropped, and a byte that is not part of well-formed UTF-8 is replaced by
 * U+FFFD: the feed still serves when one description holds a stray byte. */
#ifndef TL_ICAL_H
#define TL_ICAL_H

#include <stdint.h>
#include <apr_pools.h>
#include "tl_buf.h"
#include "tl_tz.h"

typedef struct tl_ical tl_ical;

typedef enum {
    TL_ICAL_STATUS_NONE = 0,
    TL_ICAL_CONFIRMED,
    TL_ICAL_CANCELLED
} tl_ical_status;

typedef struct {
    const char *uid;            /* stable and unique: "seance-42@example.fr" */
    int64_t dtstamp;            /* UTC seconds: when this copy was made */
    const char *tzid;           /* the place's IANA zone: "Europe/Paris" */
    tl_tz_local start, end;     /* local times in that zone; end after start */
    const char *summary;        /* the rest may be NULL */
    const char *location;
    const char *description;
    const char *url;            /* http or https, printable ASCII only */
    tl_ical_status status;
    int sequence;               /* written when >= 0 */
    int has_last_modified;
    int64_t last_modified;      /* UTC seconds */
} tl_ical_event;

/* A calendar whose memory is p's. prodid is required ("-//Réseau des
 * médiathèques//mod_tierslieux//FR"); name (X-WR-CALNAME) may be NULL. */
tl_ical *tl_ical_create(apr_pool_t *p, const char *prodid, const char *name);

/* Where the TZif files are ("/usr/share/zoneinfo" unless set). */
void tl_ical_set_zoneinfo(tl_ical *cal, const char *dir);

/* 0, or -1 with *err set (no UID, a bad or unknown zone, a local time that
 * is not a real one, an end not after the start, a URL refused): the event
 * is then left out and the calendar stays usable. */
int tl_ical_add_event(tl_ical *cal, const tl_ical_event *ev, const char **err);

/* Writes the calendar into out. Each zone's VTIMEZONE covers from 1
 * January of the year before its first event to the end of the year after
 * its last: a STANDARD (or DAYLIGHT) component for the offset in force on
 * that first day, then one per change, with explicit dates and no RRULE. */
void tl_ical_finish(tl_ical *cal, tl_buf *out);

/* The building blocks, for tests and other feeds: a TEXT value escaped and
 * cleaned as above, and a content line folded with its CRLF. */
void tl_ical_text(tl_buf *out, const char *s, size_t n);
void tl_ical_line(tl_buf *out, const char *line, size_t n);

#endif
