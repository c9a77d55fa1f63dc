/* tl_marker — finds an element marked by an attribute in someone else's
 * HTML without parsing and re-serialising it: the bytes around the marked
 * element stay exactly as they were (inline scripts, accents, comments).
 * Used to split a site's layout page, and by the output filter for
 * widget markers. */
#ifndef TL_MARKER_H
#define TL_MARKER_H

#include <stddef.h>

typedef struct {
    size_t open_start;      /* '<' of the marked element's start tag */
    size_t open_end;        /* just after its '>' */
    size_t close_start;     /* '<' of its end tag (== open_end for a void or self-closed tag) */
    size_t close_end;       /* just after the end tag's '>' */
    char name[16];          /* the element's name, lower case */
} tl_marker;

/* Finds the first element whose start tag carries the attribute attr
 * (a whole attribute name, compared without case), skipping comments,
 * scripts and styles. Returns 0, or -1 when there is none or its end tag
 * is missing. */
int tl_marker_find(const char *html, size_t len, size_t from, const char *attr, tl_marker *m);

#endif
