/* tl_tz — a place's IANA time zone, read from the system's compiled TZif
 * file (RFC 8536) rather than through TZ and localtime(): httpd runs
 * threads, and TZ is one variable for the whole process. A parsed zone is
 * plain data in the caller's pool, read-only afterwards, so threads may
 * share it; nothing is cached globally.
 *
 * Instants are seconds since 1970-01-01 UTC; offsets are seconds east of
 * UTC (Paris in winter: 3600). */
#ifndef TL_TZ_H
#define TL_TZ_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

typedef struct tl_tz tl_tz;

/* A wall-clock time with no zone attached. */
typedef struct {
    int year, month, day, hour, minute, second;
} tl_tz_local;

/* A change of the zone's local time (offset, daylight saving or name). */
typedef struct {
    int64_t at;            /* the instant, UTC */
    int32_t from, to;      /* the offsets before and after */
    int isdst;             /* after */
    const char *abbr;      /* after: "CEST", "+04" */
} tl_tz_change;

/* What tl_tz_local_to_utc found; the rule is RFC 5545's (3.3.5). */
enum {
    TL_TZ_EXACT = 0,       /* the local time happens once */
    TL_TZ_GAP = 1,         /* skipped (spring forward): read with the offset
                            * before the gap, so 02:30 becomes 03:30 */
    TL_TZ_REPEATED = 2     /* happens twice (fall back): the first one, still
                            * in daylight saving time */
};

/* 1 when name is safe to append to a directory: [A-Za-z0-9_+-/] only, no
 * leading '/', no empty, "." or ".." component, 1 to 255 bytes. */
int tl_tz_name_valid(const char *name);

/* Parses a TZif file of version 1 to 4 (the 64-bit data of version 2 and
 * later, its footer's POSIX TZ string for instants after the last
 * transition). Files with leap seconds ("right/" zones) are refused. 0 on
 * success; -1 with *err set otherwise. Never reads outside data[0..len). */
int tl_tz_parse(apr_pool_t *p, const char *name, const unsigned char *data, size_t len,
                tl_tz **tz, const char **err);

/* Validates name, then reads and parses dir/name with APR file I/O
 * (dir is usually "/usr/share/zoneinfo"). */
int tl_tz_load(apr_pool_t *p, const char *dir, const char *name, tl_tz **tz, const char **err);

const char *tl_tz_name(const tl_tz *tz);

/* The offset at an instant; abbr and isdst may be NULL. */
int32_t tl_tz_offset_at(const tl_tz *tz, int64_t t, const char **abbr, int *isdst);

/* The instant a local time names in the zone: TL_TZ_EXACT, TL_TZ_GAP or
 * TL_TZ_REPEATED (see above), or -1 when the fields are not a real date
 * and time of years 1 to 9999. */
int tl_tz_local_to_utc(const tl_tz *tz, const tl_tz_local *l, int64_t *utc);

/* The local time of an instant, and the offset it uses (may be NULL). */
void tl_tz_utc_to_local(const tl_tz *tz, int64_t t, tl_tz_local *l, int32_t *offset);

/* "2026-03-14T14:00:00+01:00" (ISO 8601, for JSON-LD's startDate): out
 * holds at least 32 bytes. */
void tl_tz_format_iso(const tl_tz *tz, int64_t t, char *out, size_t size);

/* The changes with from < at <= to, in order, no-op transitions left out
 * (same offset, daylight flag and name). Returns how many; *changes is
 * allocated in p. */
int tl_tz_changes(const tl_tz *tz, int64_t from, int64_t to, apr_pool_t *p, tl_tz_change **changes);

#endif
