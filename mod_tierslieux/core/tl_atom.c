#include <stdio.h>
#include <string.h>
#include "tl_atom.h"
#include "tl_date.h"
#include "tl_escape.h"
#include "tl_utf8.h"

struct tl_atom {
    const char *id, *title, *self, *alternate, *author;
    int64_t updated;
    int any;
    tl_buf entries;
};

void tl_atom_text(tl_buf *out, const char *s, size_t n)
{
    size_t i = 0, k;

    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        unsigned long cp;

        if (c >= 0x80) {
            k = tl_utf8_decode(s + i, n - i, &cp);
            if (k > 1 && cp != 0xFFFE && cp != 0xFFFF) {
                tl_buf_add(out, s + i, k);
                i += k;
            }
            else {
                tl_buf_adds(out, "\xEF\xBF\xBD");
                i += k > 1 ? k : 1;
            }
            continue;
        }
        switch (c) {
        case '&': tl_buf_adds(out, "&amp;"); break;
        case '<': tl_buf_adds(out, "&lt;"); break;
        case '>': tl_buf_adds(out, "&gt;"); break;
        case '"': tl_buf_adds(out, "&quot;"); break;
        case '\'': tl_buf_adds(out, "&#39;"); break;
        default:
            /* XML 1.0 allows tab, newline and carriage return only. */
            if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                tl_buf_addc(out, (char)c);
            }
        }
        i++;
    }
}

static void text_s(tl_buf *out, const char *s)
{
    tl_atom_text(out, s, strlen(s));
}

/* RFC 3339 in UTC: 2026-12-07T14:05:00Z. */
static void time_element(tl_buf *out, const char *name, int64_t t)
{
    int64_t days = t / 86400 - (t % 86400 < 0), secs = t - days * 86400, y;
    int m, d;
    char stamp[64];

    tl_civil_from_days(days, &y, &m, &d);
    snprintf(stamp, sizeof(stamp), "<%s>%04d-%02d-%02dT%02d:%02d:%02dZ</%s>\n", name, (int)y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), name);
    tl_buf_adds(out, stamp);
}

static void element(tl_buf *out, const char *indent, const char *name, const char *value)
{
    tl_buf_adds(out, indent);
    tl_buf_addc(out, '<');
    tl_buf_adds(out, name);
    tl_buf_addc(out, '>');
    text_s(out, value);
    tl_buf_adds(out, "</");
    tl_buf_adds(out, name);
    tl_buf_adds(out, ">\n");
}

static void link_element(tl_buf *out, const char *indent, const char *rel, const char *type, const char *href)
{
    tl_buf_adds(out, indent);
    tl_buf_adds(out, "<link rel=\"");
    tl_buf_adds(out, rel);
    tl_buf_adds(out, "\" type=\"");
    tl_buf_adds(out, type);
    tl_buf_adds(out, "\" href=\"");
    text_s(out, href);
    tl_buf_adds(out, "\"/>\n");
}

tl_atom *tl_atom_create(apr_pool_t *p, const char *id, const char *title, const char *self,
                        const char *alternate, const char *author, int64_t updated)
{
    tl_atom *feed = apr_pcalloc(p, sizeof(*feed));

    feed->id = id;
    feed->title = title;
    feed->self = self;
    feed->alternate = alternate;
    feed->author = author;
    feed->updated = updated;
    tl_buf_init(&feed->entries, p, 4096);
    return feed;
}

int tl_atom_add_entry(tl_atom *feed, const tl_atom_entry *e, const char **err)
{
    tl_buf *out = &feed->entries;

    if (!e->id || !*e->id || !e->title || !*e->title) {
        *err = "an entry needs an id and a title";
        return -1;
    }
    if (e->link && !tl_url_is_http(e->link)) {
        *err = "an entry's link must be an http or https URL";
        return -1;
    }
    if (!feed->any || e->updated > feed->updated) {
        feed->updated = e->updated;
    }
    feed->any = 1;
    tl_buf_adds(out, "  <entry>\n");
    element(out, "    ", "id", e->id);
    element(out, "    ", "title", e->title);
    tl_buf_adds(out, "    ");
    time_element(out, "updated", e->updated);
    if (e->published) {
        tl_buf_adds(out, "    ");
        time_element(out, "published", e->published);
    }
    if (e->link) {
        link_element(out, "    ", "alternate", "text/html", e->link);
    }
    if (e->category && *e->category) {
        tl_buf_adds(out, "    <category term=\"");
        text_s(out, e->category);
        if (e->category_label && *e->category_label) {
            tl_buf_adds(out, "\" label=\"");
            text_s(out, e->category_label);
        }
        tl_buf_adds(out, "\"/>\n");
    }
    if (e->summary && *e->summary) {
        tl_buf_adds(out, "    <summary type=\"text\">");
        text_s(out, e->summary);
        tl_buf_adds(out, "</summary>\n");
    }
    tl_buf_adds(out, "  </entry>\n");
    return 0;
}

void tl_atom_finish(tl_atom *feed, tl_buf *out)
{
    tl_buf_adds(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                     "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n");
    element(out, "  ", "id", feed->id);
    element(out, "  ", "title", feed->title);
    tl_buf_adds(out, "  ");
    time_element(out, "updated", feed->updated);
    link_element(out, "  ", "self", "application/atom+xml", feed->self);
    link_element(out, "  ", "alternate", "text/html", feed->alternate);
    tl_buf_adds(out, "  <author>\n");
    element(out, "    ", "name", feed->author);
    tl_buf_adds(out, "  </author>\n"
                     "  <generator>mod_tierslieux</generator>\n");
    tl_buf_add(out, feed->entries.data, feed->entries.len);
    tl_buf_adds(out, "</feed>\n");
}
