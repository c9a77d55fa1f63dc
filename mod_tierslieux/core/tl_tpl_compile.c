/* The template compiler: libxml2's HTML parser builds a tree once, and this
 * file serialises it itself (libxml2's own output would URI-escape href
 * values and entity-encode accents) into static chunks and slots. */
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include "tl_tpl_int.h"
#include "tl_escape.h"

typedef struct {
    apr_pool_t *pool;
    const char *file;
    apr_array_header_t *ops;    /* of tl_op */
    tl_buf text;                /* static bytes not yet flushed */
    const char *err;
    int doctype;                /* the source has one (libxml2 adds one anyway) */
} tl_compiler;

static const char *const tl_void_elements[] = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link",
    "meta", "param", "source", "track", "wbr", NULL
};

static int tl_in_list(const char *s, const char *const *list)
{
    for (; *list; list++) {
        if (strcmp(s, *list) == 0) {
            return 1;
        }
    }
    return 0;
}

static int tl_fail(tl_compiler *c, xmlNodePtr node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int tl_fail(tl_compiler *c, xmlNodePtr node, const char *fmt, ...)
{
    va_list ap;

    if (!c->err) {
        va_start(ap, fmt);
        c->err = apr_psprintf(c->pool, "%s:%ld: %s", c->file,
                              node ? (long)xmlGetLineNo(node) : 0L, apr_pvsprintf(c->pool, fmt, ap));
        va_end(ap);
    }
    return -1;
}

static void tl_flush(tl_compiler *c)
{
    tl_op *op;

    if (c->text.len == 0) {
        return;
    }
    op = apr_array_push(c->ops);
    memset(op, 0, sizeof(*op));
    op->code = TL_OP_TEXT;
    op->text = apr_pmemdup(c->pool, c->text.data, c->text.len);
    op->len = c->text.len;
    tl_buf_init(&c->text, c->pool, 256);
}

static tl_op *tl_emit(tl_compiler *c, tl_opcode code)
{
    tl_op *op;

    tl_flush(c);
    op = apr_array_push(c->ops);
    memset(op, 0, sizeof(*op));
    op->code = code;
    return op;
}

static int tl_valid_name(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > 64) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        char ch = s[i];
        int ok = (ch >= 'a' && ch <= 'z') || ch == '_' || (i > 0 && ((ch >= '0' && ch <= '9') || ch == '.'));
        if (!ok) {
            return 0;
        }
    }
    return s[n - 1] != '.';
}

/* Static bytes go through escape (NULL: as they are); "{{name}}" becomes a
 * slot in context ctx, or ctx_start for a slot at the very beginning. */
static int tl_compile_slots(tl_compiler *c, xmlNodePtr node, const char *s, size_t n,
                            tl_context ctx_start, tl_context ctx,
                            void (*escape)(tl_buf *, const char *, size_t))
{
    size_t pos = 0;

    while (pos < n) {
        const char *open = strstr(s + pos, "{{");
        const char *close;
        size_t start;
        tl_op *op;

        if (!open || (size_t)(open - s) >= n) {
            break;
        }
        start = (size_t)(open - s);
        if (escape) {
            escape(&c->text, s + pos, start - pos);
        }
        else {
            tl_buf_add(&c->text, s + pos, start - pos);
        }
        close = strstr(open + 2, "}}");
        if (!close || (size_t)(close - s) + 2 > n) {
            return tl_fail(c, node, "\"{{\" without \"}}\"");
        }
        if (!tl_valid_name(open + 2, (size_t)(close - open - 2))) {
            return tl_fail(c, node, "invalid value name \"%s\"",
                           apr_pstrmemdup(c->pool, open, (size_t)(close - open + 2)));
        }
        op = tl_emit(c, TL_OP_VAR);
        op->name = apr_pstrmemdup(c->pool, open + 2, (size_t)(close - open - 2));
        op->ctx = start == 0 ? ctx_start : ctx;
        pos = (size_t)(close - s) + 2;
    }
    if (escape) {
        escape(&c->text, s + pos, n - pos);
    }
    else {
        tl_buf_add(&c->text, s + pos, n - pos);
    }
    return 0;
}

/* Runs of white space fold into one character: a newline if the run held
 * one (keeps the output readable), a space otherwise. */
static const char *tl_fold_space(apr_pool_t *p, const char *s, size_t *n)
{
    char *out = apr_palloc(p, strlen(s) + 1);
    size_t k = 0;

    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f') {
            char fold = ' ';
            for (; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f'; s++) {
                if (*s == '\n') {
                    fold = '\n';
                }
            }
            out[k++] = fold;
        }
        else {
            out[k++] = *s++;
        }
    }
    out[k] = '\0';
    *n = k;
    return out;
}

static const char *tl_attr_value(xmlAttrPtr a)
{
    if (a->children && a->children->content) {
        return (const char *)a->children->content;
    }
    return NULL;
}

static int tl_is_url_attr(const char *name)
{
    static const char *const url_attrs[] = {
        "href", "src", "action", "formaction", "cite", "poster", "data", NULL
    };
    return tl_in_list(name, url_attrs);
}

static int tl_is_idref_attr(const char *name)
{
    static const char *const idref_attrs[] = {
        "id", "for", "aria-labelledby", "aria-describedby", "aria-controls",
        "aria-owns", "headers", "list", "form", NULL
    };
    return tl_in_list(name, idref_attrs);
}

/* An id or a list of ids: the prefix goes before every token. */
static int tl_compile_idrefs(tl_compiler *c, xmlNodePtr node, const char *v)
{
    size_t n = strlen(v), i = 0;

    while (i < n) {
        size_t j = i;
        if (v[i] == ' ') {
            tl_buf_addc(&c->text, ' ');
            i++;
            continue;
        }
        while (j < n && v[j] != ' ') {
            j++;
        }
        tl_emit(c, TL_OP_IDPFX);
        if (tl_compile_slots(c, node, v + i, j - i, TL_CTX_ATTR, TL_CTX_ATTR, tl_escape_attr) != 0) {
            return -1;
        }
        i = j;
    }
    return 0;
}

static int tl_compile_attr(tl_compiler *c, xmlNodePtr node, xmlAttrPtr a)
{
    const char *name = (const char *)a->name;
    const char *v = tl_attr_value(a);

    if (strncmp(name, "on", 2) == 0) {
        return tl_fail(c, node, "attribute \"%s\" refused: no script in templates", name);
    }
    if (strcmp(name, "style") == 0 && v && strstr(v, "{{")) {
        return tl_fail(c, node, "no value slot allowed in a \"%s\" attribute", name);
    }
    tl_buf_addc(&c->text, ' ');
    tl_buf_adds(&c->text, name);
    if (!a->children) {
        return 0;                       /* a boolean attribute */
    }
    if (!v) {
        v = "";
    }
    tl_buf_adds(&c->text, "=\"");
    if (tl_is_idref_attr(name)) {
        if (tl_compile_idrefs(c, node, v) != 0) {
            return -1;
        }
    }
    else if (strcmp(name, "href") == 0 && v[0] == '#') {
        tl_buf_addc(&c->text, '#');
        tl_emit(c, TL_OP_IDPFX);
        if (tl_compile_slots(c, node, v + 1, strlen(v + 1), TL_CTX_URL_PART, TL_CTX_URL_PART,
                             tl_escape_attr) != 0) {
            return -1;
        }
    }
    else if (tl_is_url_attr(name)) {
        if (tl_compile_slots(c, node, v, strlen(v), TL_CTX_URL, TL_CTX_URL_PART, tl_escape_attr) != 0) {
            return -1;
        }
    }
    else if (tl_compile_slots(c, node, v, strlen(v), TL_CTX_ATTR, TL_CTX_ATTR, tl_escape_attr) != 0) {
        return -1;
    }
    tl_buf_addc(&c->text, '"');
    return 0;
}

static int tl_compile_nodes(tl_compiler *c, xmlNodePtr first, int raw);

typedef struct {
    const char *if_name, *unless_name, *each, *match, *include;
    int content, remove;
} tl_directives;

/* Reads the data-tl-* attributes; an unknown one is a typo, refused. */
static int tl_read_directives(tl_compiler *c, xmlNodePtr node, tl_directives *d)
{
    xmlAttrPtr a;

    memset(d, 0, sizeof(*d));
    for (a = node->properties; a; a = a->next) {
        const char *name = (const char *)a->name;
        const char *v = tl_attr_value(a);

        if (strncmp(name, "data-tl-", 8) != 0) {
            continue;
        }
        name += 8;
        if (strcmp(name, "content") == 0) {
            d->content = 1;
            continue;
        }
        if (strcmp(name, "remove") == 0) {
            d->remove = 1;
            continue;
        }
        if (!v || !*v) {
            return tl_fail(c, node, "\"data-tl-%s\" needs a value", name);
        }
        v = apr_pstrdup(c->pool, v);    /* the tree is freed after compiling */
        if (strcmp(name, "include") != 0 && !tl_valid_name(v, strlen(v))) {
            return tl_fail(c, node, "invalid value name \"%s\"", v);
        }
        if (strcmp(name, "if") == 0) {
            d->if_name = v;
        }
        else if (strcmp(name, "unless") == 0) {
            d->unless_name = v;
        }
        else if (strcmp(name, "each") == 0) {
            d->each = v;
        }
        else if (strcmp(name, "match") == 0) {
            d->match = v;
        }
        else if (strcmp(name, "include") == 0) {
            d->include = v;
        }
        else if (strncmp(name, "bool-", 5) == 0 || strncmp(name, "attr-", 5) == 0) {
            /* The attribute it adds obeys the same rules as a written one. */
            if (strncmp(name + 5, "on", 2) == 0 || strcmp(name + 5, "style") == 0 || name[5] == '\0') {
                return tl_fail(c, node, "attribute \"%s\" refused: no script or style from values", name + 5);
            }
        }
        else {
            return tl_fail(c, node, "unknown directive \"data-tl-%s\"", name);
        }
    }
    if (d->if_name && d->unless_name) {
        return tl_fail(c, node, "data-tl-if and data-tl-unless on the same element");
    }
    if (d->match && !d->each) {
        return tl_fail(c, node, "data-tl-match without data-tl-each");
    }
    return 0;
}

static int tl_compile_element(tl_compiler *c, xmlNodePtr node)
{
    const char *name = (const char *)node->name;
    tl_directives d;
    xmlAttrPtr a;
    int if_at = -1, each_at = -1, raw = 0;
    int heading = (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && name[2] == '\0');

    if (tl_read_directives(c, node, &d) != 0) {
        return -1;
    }
    if (d.remove) {
        return 0;
    }
    if (d.if_name || d.unless_name) {
        tl_op *op = tl_emit(c, TL_OP_IF);
        op->name = d.if_name ? d.if_name : d.unless_name;
        op->negate = d.unless_name != NULL;
        if_at = c->ops->nelts - 1;
    }
    if (d.each) {
        tl_op *op = tl_emit(c, TL_OP_EACH);
        op->name = d.each;
        op->match = d.match;
        each_at = c->ops->nelts - 1;
    }
    if (d.include) {
        tl_emit(c, TL_OP_INCLUDE)->name = d.include;
        goto close_blocks;
    }

    if (strcmp(name, "script") == 0) {
        xmlChar *type = xmlGetProp(node, (const xmlChar *)"type");
        int json = type && strcmp((const char *)type, "application/ld+json") == 0;
        int file = !type && xmlHasProp(node, (const xmlChar *)"src") && !node->children;
        xmlFree(type);
        /* A data block, or an empty element naming a file (the embed
         * view's, served by us under script-src 'self'): never code
         * written in a template. */
        if (!json && !file) {
            return tl_fail(c, node, "<script> refused: only JSON-LD data blocks and empty <script src> are allowed");
        }
        raw = json ? 2 : 0;
    }
    else if (strcmp(name, "style") == 0) {
        raw = 1;
    }

    tl_buf_addc(&c->text, '<');
    if (heading) {
        tl_buf_addc(&c->text, 'h');
        tl_emit(c, TL_OP_HLEVEL)->level = name[1] - '0';
    }
    else {
        tl_buf_adds(&c->text, name);
    }
    for (a = node->properties; a; a = a->next) {
        const char *an = (const char *)a->name;
        if (strncmp(an, "data-tl-bool-", 13) == 0 || strncmp(an, "data-tl-attr-", 13) == 0) {
            tl_op *op = tl_emit(c, an[8] == 'b' ? TL_OP_BOOLATTR : TL_OP_OPTATTR);
            op->text = apr_pstrdup(c->pool, an + 13);
            op->len = strlen(an + 13);
            op->name = apr_pstrdup(c->pool, tl_attr_value(a));
            op->ctx = tl_is_url_attr(an + 13) ? TL_CTX_URL : TL_CTX_ATTR;
            continue;
        }
        if (strncmp(an, "data-tl-", 8) == 0) {
            continue;
        }
        if (tl_compile_attr(c, node, a) != 0) {
            return -1;
        }
    }
    tl_buf_addc(&c->text, '>');

    if (!tl_in_list(name, tl_void_elements)) {
        if (d.content) {
            tl_emit(c, TL_OP_CONTENT);
        }
        else {
            if (tl_compile_nodes(c, node->children, raw) != 0) {
                return -1;
            }
        }
        tl_buf_adds(&c->text, "</");
        if (heading) {
            tl_buf_addc(&c->text, 'h');
            tl_emit(c, TL_OP_HLEVEL)->level = name[1] - '0';
        }
        else {
            tl_buf_adds(&c->text, name);
        }
        tl_buf_addc(&c->text, '>');
    }
    else if (node->children && tl_compile_nodes(c, node->children, raw) != 0) {
        /* libxml2's HTML parser knows no <source> (HTML5's <picture>)
         * and nests what follows it inside it: a void element has no
         * content, so those nodes are its following siblings. */
        return -1;
    }

close_blocks:
    if (each_at >= 0) {
        tl_flush(c);
        ((tl_op *)c->ops->elts)[each_at].end = c->ops->nelts;
    }
    if (if_at >= 0) {
        tl_flush(c);
        ((tl_op *)c->ops->elts)[if_at].end = c->ops->nelts;
    }
    return 0;
}

/* raw: 0 for normal content, 1 for style, 2 for a JSON-LD data block. */
static int tl_compile_nodes(tl_compiler *c, xmlNodePtr node, int raw)
{
    for (; node; node = node->next) {
        switch (node->type) {
        case XML_ELEMENT_NODE:
            if (tl_compile_element(c, node) != 0) {
                return -1;
            }
            break;
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE: {
            const char *s = (const char *)node->content;
            size_t n;
            if (!s) {
                break;
            }
            if (raw == 1) {
                if (strstr(s, "{{")) {
                    return tl_fail(c, node, "no value slot allowed in a style sheet");
                }
                tl_buf_adds(&c->text, s);
                break;
            }
            if (raw == 2) {
                if (tl_compile_slots(c, node, s, strlen(s), TL_CTX_JSON, TL_CTX_JSON, NULL) != 0) {
                    return -1;
                }
                break;
            }
            {
                int pre = node->parent && node->parent->name
                          && (strcmp((const char *)node->parent->name, "pre") == 0
                              || strcmp((const char *)node->parent->name, "textarea") == 0);
                if (!pre) {
                    s = tl_fold_space(c->pool, s, &n);
                }
                else {
                    n = strlen(s);
                }
                if (tl_compile_slots(c, node, s, n, TL_CTX_TEXT, TL_CTX_TEXT, tl_escape_text) != 0) {
                    return -1;
                }
            }
            break;
        }
        case XML_DTD_NODE:
            if (c->doctype) {
                tl_buf_adds(&c->text, "<!DOCTYPE html>\n");
            }
            break;
        default:
            break;                      /* comments, processing instructions */
        }
    }
    return 0;
}

static xmlNodePtr tl_find_element(xmlNodePtr node, const char *name)
{
    for (; node; node = node->next) {
        xmlNodePtr found;
        if (node->type != XML_ELEMENT_NODE) {
            continue;
        }
        if (strcmp((const char *)node->name, name) == 0) {
            return node;
        }
        if ((found = tl_find_element(node->children, name)) != NULL) {
            return found;
        }
    }
    return NULL;
}

static int tl_has_content_slot(xmlNodePtr node)
{
    for (; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE
            && (xmlHasProp(node, (const xmlChar *)"data-tl-content")
                || tl_has_content_slot(node->children))) {
            return 1;
        }
    }
    return 0;
}

void tl_tpl_init(void)
{
    xmlInitParser();
}

static int tl_contains_ci(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;
    for (i = 0; i + k <= n; i++) {
        if (strncasecmp(s + i, needle, k) == 0) {
            return 1;
        }
    }
    return 0;
}

apr_status_t tl_tpl_compile(apr_pool_t *p, const char *name, const char *file,
                            const char *html, size_t len, tl_tpl **out, const char **err)
{
    tl_compiler c;
    htmlDocPtr doc;
    xmlNodePtr start;
    tl_tpl *t;
    int rc;
    const char *parse_src = html;
    size_t parse_len = len;

    if (len > 1024 * 1024 || len > (size_t)INT32_MAX) {
        *err = apr_psprintf(p, "%s: template too large", file);
        return APR_EINVAL;
    }
    if (!tl_utf8_valid(html, len)) {
        *err = apr_psprintf(p, "%s: template is not UTF-8", file);
        return APR_EINVAL;
    }
    /* A template without its own body gets one, on the first line so line
     * numbers stay right: otherwise libxml2 moves a leading <script> or
     * <style> into an implied head, out of the compiled part. */
    if (!tl_contains_ci(html, len, "<body")) {
        static const char wrap_start[] = "<html><head></head><body>";
        static const char wrap_end[] = "</body></html>";
        char *wrapped = apr_palloc(p, sizeof(wrap_start) + len + sizeof(wrap_end));
        memcpy(wrapped, wrap_start, sizeof(wrap_start) - 1);
        memcpy(wrapped + sizeof(wrap_start) - 1, html, len);
        memcpy(wrapped + sizeof(wrap_start) - 1 + len, wrap_end, sizeof(wrap_end));
        parse_src = wrapped;
        parse_len = len + sizeof(wrap_start) - 1 + sizeof(wrap_end) - 1;
    }
    doc = htmlReadMemory(parse_src, (int)parse_len, file, "UTF-8",
                         HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    if (!doc) {
        *err = apr_psprintf(p, "%s: template cannot be parsed", file);
        return APR_EINVAL;
    }
    memset(&c, 0, sizeof(c));
    c.pool = p;
    c.file = file;
    c.ops = apr_array_make(p, 64, sizeof(tl_op));
    tl_buf_init(&c.text, p, 1024);

    /* A layout (it has the content slot) is compiled whole; a page or a
     * partial contributes its body (libxml2 implies html and body around a
     * partial; its NOIMPLIED option nests siblings, so it is not used). */
    {
        size_t i = 0;
        while (i < len && (html[i] == ' ' || html[i] == '\n' || html[i] == '\r' || html[i] == '\t')) {
            i++;
        }
        c.doctype = len - i >= 9 && strncasecmp(html + i, "<!doctype", 9) == 0;
    }
    start = doc->children;
    if (!tl_has_content_slot(doc->children)) {
        xmlNodePtr body = tl_find_element(doc->children, "body");
        start = body ? body->children : NULL;
    }
    rc = tl_compile_nodes(&c, start, 0);
    xmlFreeDoc(doc);
    if (rc != 0) {
        *err = c.err;
        return APR_EINVAL;
    }
    tl_flush(&c);

    t = apr_pcalloc(p, sizeof(*t));
    t->name = apr_pstrdup(p, name);
    t->file = apr_pstrdup(p, file);
    t->ops = (tl_op *)c.ops->elts;
    t->nops = c.ops->nelts;
    t->source_hash = tl_hash64(tl_hash64(TL_HASH64_INIT, name, strlen(name)), html, len);
    *out = t;
    return APR_SUCCESS;
}
