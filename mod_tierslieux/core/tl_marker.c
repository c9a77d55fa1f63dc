#include <string.h>
#include <strings.h>
#include "tl_marker.h"

static int tl_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int tl_is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
           || c == ':';
}

/* Position after "needle" (no case) at or after i, or len if absent. */
static size_t tl_skip_past(const char *h, size_t len, size_t i, const char *needle)
{
    size_t k = strlen(needle);
    for (; i + k <= len; i++) {
        if (strncasecmp(h + i, needle, k) == 0) {
            return i + k;
        }
    }
    return len;
}

typedef struct {
    size_t end;             /* just after '>' */
    char name[16];
    int closing, self_closed, has_attr;
} tl_tag;

/* Reads the tag starting at h[i] == '<'. Returns 0, or -1 if it is not a
 * tag (a lone '<' in text) or runs past the end. */
static int tl_read_tag(const char *h, size_t len, size_t i, const char *attr, tl_tag *t)
{
    size_t j = i + 1, n = 0, alen = strlen(attr);

    memset(t, 0, sizeof(*t));
    if (j < len && h[j] == '/') {
        t->closing = 1;
        j++;
    }
    if (j >= len || !((h[j] >= 'a' && h[j] <= 'z') || (h[j] >= 'A' && h[j] <= 'Z'))) {
        return -1;
    }
    while (j < len && tl_is_name_char(h[j])) {
        if (n + 1 < sizeof(t->name)) {
            char c = h[j];
            t->name[n++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        j++;
    }
    t->name[n] = '\0';
    while (j < len) {
        size_t a;
        while (j < len && tl_is_space(h[j])) {
            j++;
        }
        if (j >= len) {
            return -1;
        }
        if (h[j] == '>') {
            t->end = j + 1;
            return 0;
        }
        if (h[j] == '/' && j + 1 < len && h[j + 1] == '>') {
            t->self_closed = 1;
            t->end = j + 2;
            return 0;
        }
        a = j;
        while (j < len && !tl_is_space(h[j]) && h[j] != '=' && h[j] != '>' && !(h[j] == '/' && j + 1 < len && h[j + 1] == '>')) {
            j++;
        }
        if (j == a) {
            j++;                        /* a stray character: step over it */
            continue;
        }
        if (j - a == alen && strncasecmp(h + a, attr, alen) == 0) {
            t->has_attr = 1;
        }
        while (j < len && tl_is_space(h[j])) {
            j++;
        }
        if (j < len && h[j] == '=') {
            j++;
            while (j < len && tl_is_space(h[j])) {
                j++;
            }
            if (j < len && (h[j] == '"' || h[j] == '\'')) {
                const char *q = memchr(h + j + 1, h[j], len - j - 1);
                if (!q) {
                    return -1;
                }
                j = (size_t)(q - h) + 1;
            }
            else {
                while (j < len && !tl_is_space(h[j]) && h[j] != '>') {
                    j++;
                }
            }
        }
    }
    return -1;
}

static int tl_is_void(const char *name)
{
    static const char *const voids[] = {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
        "track", "wbr", NULL
    };
    const char *const *v;
    for (v = voids; *v; v++) {
        if (strcmp(*v, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Moves past a comment, or past the raw content of script and style. */
static size_t tl_skip_special(const char *h, size_t len, size_t i, const tl_tag *t)
{
    if (!t->closing && (strcmp(t->name, "script") == 0 || strcmp(t->name, "style") == 0)) {
        char endtag[16];
        size_t k = strlen(t->name), p = t->end;
        endtag[0] = '<';
        endtag[1] = '/';
        memcpy(endtag + 2, t->name, k + 1);
        p = tl_skip_past(h, len, p, endtag);
        return p < len ? p - (k + 2) : len;     /* back to the end tag's '<' */
    }
    (void)i;
    return t->end;
}

int tl_marker_find(const char *html, size_t len, size_t from, const char *attr, tl_marker *m)
{
    size_t i = from;

    while (i < len) {
        tl_tag t;
        const char *lt = memchr(html + i, '<', len - i);
        if (!lt) {
            return -1;
        }
        i = (size_t)(lt - html);
        if (len - i >= 4 && memcmp(html + i, "<!--", 4) == 0) {
            i = tl_skip_past(html, len, i + 4, "-->");
            continue;
        }
        if (len - i >= 2 && (html[i + 1] == '!' || html[i + 1] == '?')) {
            const char *gt = memchr(html + i, '>', len - i);
            i = gt ? (size_t)(gt - html) + 1 : len;
            continue;
        }
        if (tl_read_tag(html, len, i, attr, &t) != 0) {
            i++;
            continue;
        }
        if (!t.closing && t.has_attr) {
            int depth = 1;
            size_t j = t.end;
            m->open_start = i;
            m->open_end = t.end;
            memcpy(m->name, t.name, sizeof(m->name));
            if (t.self_closed || tl_is_void(t.name)) {
                m->close_start = m->close_end = t.end;
                return 0;
            }
            /* Its end tag: the first one of that name that balances the
             * start tags of that name opened inside it. */
            while (j < len) {
                tl_tag u;
                const char *lt2 = memchr(html + j, '<', len - j);
                if (!lt2) {
                    return -1;
                }
                j = (size_t)(lt2 - html);
                if (len - j >= 4 && memcmp(html + j, "<!--", 4) == 0) {
                    j = tl_skip_past(html, len, j + 4, "-->");
                    continue;
                }
                if (tl_read_tag(html, len, j, attr, &u) != 0) {
                    j++;
                    continue;
                }
                if (strcmp(u.name, t.name) == 0 && !u.self_closed) {
                    depth += u.closing ? -1 : 1;
                    if (depth == 0) {
                        m->close_start = j;
                        m->close_end = u.end;
                        return 0;
                    }
                }
                j = tl_skip_special(html, len, j, &u);
            }
            return -1;
        }
        i = tl_skip_special(html, len, i, &t);
    }
    return -1;
}
