/* tl_atom — an Atom feed (RFC 4287) written into a tl_buf: what feed
 * readers and a host site's news blocks subscribe to (the catalogue's new
 * items, the ressourcerie's arrivals, the agenda).
 *
 * Entries are given one by one; tl_atom_finish writes the feed, its
 * <updated> the latest of its entries' (or the time given when it has
 * none). Text is written as XML 1.0 character data: & < > " ' as
 * entities, the control characters XML forbids dropped, and a byte that is
 * not part of well-formed UTF-8 replaced by U+FFFD, so the feed stays
 * well-formed whatever a title holds. */
#ifndef TL_ATOM_H
#define TL_ATOM_H

#include <stdint.h>
#include <apr_pools.h>
#include "tl_buf.h"

typedef struct tl_atom tl_atom;

typedef struct {
    const char *id;             /* a permanent IRI: the thing's own page */
    const char *title;
    int64_t updated;            /* UTC seconds */
    int64_t published;          /* UTC seconds, or 0 for none */
    const char *link;           /* its page: http or https, printable ASCII */
    const char *summary;        /* plain text, or NULL */
    const char *category;       /* a term, or NULL */
    const char *category_label; /* its label, or NULL */
} tl_atom_entry;

/* A feed whose memory is p's. id, title, self (the feed's own URL) and
 * alternate (the page it follows) are required; author names who publishes
 * it (the site); updated is used when no entry is added. */
tl_atom *tl_atom_create(apr_pool_t *p, const char *id, const char *title, const char *self,
                        const char *alternate, const char *author, int64_t updated);

/* 0, or -1 with *err set (no id or title, a link refused): the entry is
 * then left out and the feed stays usable. */
int tl_atom_add_entry(tl_atom *feed, const tl_atom_entry *e, const char **err);

/* Writes the whole feed into out. */
void tl_atom_finish(tl_atom *feed, tl_buf *out);

/* s[0..n) as XML character data (in an element or a quoted attribute). */
void tl_atom_text(tl_buf *out, const char *s, size_t n);

#endif
