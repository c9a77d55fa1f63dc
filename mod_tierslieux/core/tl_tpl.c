/* Template sets, views and the renderer. */
#include <string.h>
#include <apr_strings.h>
#include <apr_hash.h>
#include <apr_file_io.h>
#include <apr_file_info.h>
#include "tl_tpl_int.h"
#include "tl_escape.h"

#define TL_MAX_DEPTH 16         /* nested loops and includes together */

uint64_t tl_hash64(uint64_t h, const void *data, size_t n)
{
    const unsigned char *s = data;
    size_t i;

    for (i = 0; i < n; i++) {   /* FNV-1a */
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* ---- rows made in C --------------------------------------------------- */

typedef struct {
    apr_pool_t *pool;
    const char *const *columns;
    int ncols;
    apr_array_header_t *values;         /* of const char *, row-major */
} tl_array_rows;

static int tl_array_count(const tl_rows *r)
{
    const tl_array_rows *a = r->impl;
    return a->ncols ? a->values->nelts / a->ncols : 0;
}

static int tl_array_column(const tl_rows *r, const char *name)
{
    const tl_array_rows *a = r->impl;
    int i;
    for (i = 0; i < a->ncols; i++) {
        if (strcmp(a->columns[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

static const char *tl_array_value(const tl_rows *r, int row, int col, size_t *len)
{
    const tl_array_rows *a = r->impl;
    const char *v = ((const char **)a->values->elts)[row * a->ncols + col];
    *len = v ? strlen(v) : 0;
    return v;
}

tl_rows *tl_rows_make(apr_pool_t *p, const char *const *columns)
{
    tl_rows *r = apr_pcalloc(p, sizeof(*r));
    tl_array_rows *a = apr_pcalloc(p, sizeof(*a));

    a->pool = p;
    a->columns = columns;
    while (columns[a->ncols]) {
        a->ncols++;
    }
    a->values = apr_array_make(p, 8 * (a->ncols ? a->ncols : 1), sizeof(const char *));
    r->count = tl_array_count;
    r->column = tl_array_column;
    r->value = tl_array_value;
    r->impl = a;
    return r;
}

void tl_rows_add(tl_rows *rows, const char *const *values)
{
    tl_array_rows *a = rows->impl;
    int i;
    for (i = 0; i < a->ncols; i++) {
        *(const char **)apr_array_push(a->values) = values[i];
    }
}

int tl_rows_contains(const tl_rows *rows, const char *col, const char *value)
{
    int c = rows->column(rows, col), n = rows->count(rows), i;
    size_t len, want = strlen(value);

    for (i = 0; c >= 0 && i < n; i++) {
        const char *v = rows->value(rows, i, c, &len);
        if (v && len == want && memcmp(v, value, len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* ---- views ------------------------------------------------------------ */

struct tl_view {
    apr_hash_t *values;     /* name -> const char * */
    apr_hash_t *rows;       /* name -> const tl_rows * */
};

tl_view *tl_view_make(apr_pool_t *p)
{
    tl_view *v = apr_palloc(p, sizeof(*v));
    v->values = apr_hash_make(p);
    v->rows = apr_hash_make(p);
    return v;
}

void tl_view_set(tl_view *v, const char *name, const char *value)
{
    apr_hash_set(v->values, name, APR_HASH_KEY_STRING, value);
}

void tl_view_rows(tl_view *v, const char *name, const tl_rows *rows)
{
    apr_hash_set(v->rows, name, APR_HASH_KEY_STRING, rows);
}

const char *tl_view_get(const tl_view *v, const char *name)
{
    return apr_hash_get(v->values, name, APR_HASH_KEY_STRING);
}

const tl_rows *tl_view_rows_get(const tl_view *v, const char *name)
{
    return apr_hash_get(v->rows, name, APR_HASH_KEY_STRING);
}

/* ---- template sets ---------------------------------------------------- */

struct tl_tpl_set {
    apr_pool_t *pool;
    apr_hash_t *byname;
};

tl_tpl_set *tl_tpl_set_make(apr_pool_t *p)
{
    tl_tpl_set *s = apr_palloc(p, sizeof(*s));
    s->pool = p;
    s->byname = apr_hash_make(p);
    return s;
}

apr_status_t tl_tpl_set_add(tl_tpl_set *s, const char *name, const char *file,
                            const char *html, size_t len, const char **err)
{
    tl_tpl *t;
    apr_status_t rv = tl_tpl_compile(s->pool, name, file, html, len, &t, err);
    if (rv == APR_SUCCESS) {
        apr_hash_set(s->byname, t->name, APR_HASH_KEY_STRING, t);
    }
    return rv;
}

static apr_status_t tl_add_dir(tl_tpl_set *s, const char *dir, const char *prefix,
                               int depth, const char **err)
{
    apr_dir_t *d;
    apr_finfo_t fi;
    apr_status_t rv;
    apr_pool_t *p = s->pool;

    if ((rv = apr_dir_open(&d, dir, p)) != APR_SUCCESS) {
        *err = apr_psprintf(p, "%s: template directory cannot be read", dir);
        return rv;
    }
    while (apr_dir_read(&fi, APR_FINFO_TYPE | APR_FINFO_NAME, d) == APR_SUCCESS) {
        const char *path, *dot;
        if (fi.name[0] == '.') {
            continue;
        }
        path = apr_pstrcat(p, dir, "/", fi.name, NULL);
        if (fi.filetype == APR_DIR && depth < 4) {
            rv = tl_add_dir(s, path, apr_pstrcat(p, prefix, fi.name, "/", NULL), depth + 1, err);
        }
        else if (fi.filetype == APR_REG && (dot = strrchr(fi.name, '.')) && strcmp(dot, ".html") == 0) {
            char *html;
            apr_size_t n;
            if ((rv = tl_read_file(p, path, &html, &n)) != APR_SUCCESS) {
                *err = apr_psprintf(p, "%s: template cannot be read", path);
                break;
            }
            rv = tl_tpl_set_add(s, apr_pstrcat(p, prefix, apr_pstrmemdup(p, fi.name, (apr_size_t)(dot - fi.name)), NULL),
                                path, html, n, err);
        }
        else {
            rv = APR_SUCCESS;
        }
        if (rv != APR_SUCCESS) {
            break;
        }
    }
    apr_dir_close(d);
    return rv;
}

apr_status_t tl_tpl_set_add_dir(tl_tpl_set *s, const char *dir, const char **err)
{
    return tl_add_dir(s, dir, "", 0, err);
}

apr_status_t tl_tpl_set_link(tl_tpl_set *s, const char **err)
{
    apr_hash_index_t *hi;

    for (hi = apr_hash_first(s->pool, s->byname); hi; hi = apr_hash_next(hi)) {
        tl_tpl *t = apr_hash_this_val(hi);
        int i;
        for (i = 0; i < t->nops; i++) {
            tl_op *op = &t->ops[i];
            if (op->code != TL_OP_INCLUDE) {
                continue;
            }
            op->target = apr_hash_get(s->byname, op->name, APR_HASH_KEY_STRING);
            if (!op->target) {
                *err = apr_psprintf(s->pool, "%s: included template \"%s\" does not exist", t->file, op->name);
                return APR_NOTFOUND;
            }
        }
    }
    return APR_SUCCESS;
}

const tl_tpl *tl_tpl_get(const tl_tpl_set *s, const char *name)
{
    return apr_hash_get(s->byname, name, APR_HASH_KEY_STRING);
}

uint64_t tl_tpl_set_fingerprint(const tl_tpl_set *s)
{
    apr_hash_index_t *hi;
    uint64_t sum = 0;

    /* A sum does not depend on the hash table's order. */
    for (hi = apr_hash_first(s->pool, s->byname); hi; hi = apr_hash_next(hi)) {
        sum += ((const tl_tpl *)apr_hash_this_val(hi))->source_hash;
    }
    return sum;
}

/* ---- rendering -------------------------------------------------------- */

typedef struct {
    const char *name;           /* the result set's name */
    const tl_rows *rows;
    int row;
} tl_frame;

typedef struct {
    const tl_view *view;
    const tl_render_opts *opts;
    tl_buf *out;
    tl_frame frames[TL_MAX_DEPTH];
    int nframes;
    int depth;
    const char *err;
    apr_pool_t *pool;
} tl_render;

static const char *tl_row_value(const tl_rows *rows, int row, const char *col, size_t *len)
{
    int c = rows->column(rows, col);
    if (c < 0 || row < 0 || row >= rows->count(rows)) {
        return NULL;
    }
    return rows->value(rows, row, c, len);
}

/* "set.col": the row of set being iterated, else its first row.
 * "name": the innermost row that has that column, else a view value. */
static const char *tl_lookup(tl_render *st, const char *name, size_t *len)
{
    const char *dot = strchr(name, '.');
    int i;

    *len = 0;
    if (dot) {
        size_t n = (size_t)(dot - name);
        const tl_rows *rows;
        for (i = st->nframes - 1; i >= 0; i--) {
            if (strncmp(st->frames[i].name, name, n) == 0 && st->frames[i].name[n] == '\0') {
                return tl_row_value(st->frames[i].rows, st->frames[i].row, dot + 1, len);
            }
        }
        rows = apr_hash_get(st->view->rows, name, (apr_ssize_t)n);
        return rows ? tl_row_value(rows, 0, dot + 1, len) : NULL;
    }
    for (i = st->nframes - 1; i >= 0; i--) {
        int c = st->frames[i].rows->column(st->frames[i].rows, name);
        if (c >= 0) {
            return st->frames[i].rows->value(st->frames[i].rows, st->frames[i].row, c, len);
        }
    }
    {
        const char *v = apr_hash_get(st->view->values, name, APR_HASH_KEY_STRING);
        if (v) {
            *len = strlen(v);
        }
        return v;
    }
}

static int tl_truthy(tl_render *st, const char *name)
{
    size_t len;
    const char *v = tl_lookup(st, name, &len);

    if (!v) {
        const tl_rows *rows = apr_hash_get(st->view->rows, name, APR_HASH_KEY_STRING);
        return rows ? rows->count(rows) > 0 : 0;
    }
    return !(len == 0 || (len == 1 && (v[0] == 'f' || v[0] == '0'))
             || (len == 5 && memcmp(v, "false", 5) == 0));
}

static void tl_write_value(tl_buf *out, tl_context ctx, const char *v, size_t len)
{
    if (!v && ctx != TL_CTX_JSON) {
        return;
    }
    switch (ctx) {
    case TL_CTX_TEXT:     tl_escape_text(out, v, len); break;
    case TL_CTX_ATTR:     tl_escape_attr(out, v, len); break;
    case TL_CTX_URL:      tl_escape_url(out, v, len); break;
    case TL_CTX_URL_PART: tl_escape_url_part(out, v, len); break;
    case TL_CTX_JSON:     tl_escape_json(out, v, len); break;
    }
}

static int tl_run(tl_render *st, const tl_tpl *t, int from, int to);

static int tl_run_each(tl_render *st, const tl_tpl *t, int at)
{
    const tl_op *op = &t->ops[at];
    const tl_rows *rows = apr_hash_get(st->view->rows, op->name, APR_HASH_KEY_STRING);
    const char *want = NULL;
    size_t want_len = 0;
    int n, r, col = -1;

    if (!rows) {
        return 0;                       /* no such result set: nothing to repeat */
    }
    if (st->nframes == TL_MAX_DEPTH) {
        st->err = apr_psprintf(st->pool, "%s: loops nested too deep", t->file);
        return -1;
    }
    if (op->match) {
        want = tl_lookup(st, op->match, &want_len);
        col = rows->column(rows, op->match);
        if (!want || col < 0) {
            return 0;
        }
    }
    n = rows->count(rows);
    st->frames[st->nframes].name = op->name;
    st->frames[st->nframes].rows = rows;
    st->nframes++;
    for (r = 0; r < n; r++) {
        if (op->match) {
            size_t len;
            const char *v = rows->value(rows, r, col, &len);
            if (!v || len != want_len || memcmp(v, want, len) != 0) {
                continue;
            }
        }
        st->frames[st->nframes - 1].row = r;
        if (tl_run(st, t, at + 1, op->end) != 0) {
            return -1;
        }
    }
    st->nframes--;
    return 0;
}

static int tl_run_template(tl_render *st, const tl_tpl *t)
{
    int rc;

    if (st->depth == TL_MAX_DEPTH) {
        st->err = apr_psprintf(st->pool, "%s: includes nested too deep", t->file);
        return -1;
    }
    st->depth++;
    rc = tl_run(st, t, 0, t->nops);
    st->depth--;
    return rc;
}

static int tl_run(tl_render *st, const tl_tpl *t, int from, int to)
{
    int i = from;
    size_t len;
    const char *v;

    while (i < to) {
        const tl_op *op = &t->ops[i];
        switch (op->code) {
        case TL_OP_TEXT:
            tl_buf_add(st->out, op->text, op->len);
            break;
        case TL_OP_VAR:
            v = tl_lookup(st, op->name, &len);
            tl_write_value(st->out, op->ctx, v, len);
            break;
        case TL_OP_IF:
            if (tl_truthy(st, op->name) == op->negate) {
                i = op->end;
                continue;
            }
            break;
        case TL_OP_EACH:
            if (tl_run_each(st, t, i) != 0) {
                return -1;
            }
            i = op->end;
            continue;
        case TL_OP_INCLUDE:
            if (op->target && tl_run_template(st, op->target) != 0) {
                return -1;
            }
            break;
        case TL_OP_CONTENT:
            if (st->opts->content && tl_run_template(st, st->opts->content) != 0) {
                return -1;
            }
            break;
        case TL_OP_HLEVEL: {
            int level = op->level + st->opts->heading_shift;
            tl_buf_addc(st->out, (char)('0' + (level < 1 ? 1 : level > 6 ? 6 : level)));
            break;
        }
        case TL_OP_IDPFX:
            if (st->opts->id_prefix) {
                tl_buf_adds(st->out, st->opts->id_prefix);
            }
            break;
        case TL_OP_BOOLATTR:
            if (tl_truthy(st, op->name)) {
                tl_buf_addc(st->out, ' ');
                tl_buf_add(st->out, op->text, op->len);
            }
            break;
        case TL_OP_OPTATTR:
            v = tl_lookup(st, op->name, &len);
            if (v && len) {
                tl_buf_addc(st->out, ' ');
                tl_buf_add(st->out, op->text, op->len);
                tl_buf_adds(st->out, "=\"");
                tl_write_value(st->out, op->ctx, v, len);
                tl_buf_addc(st->out, '"');
            }
            break;
        }
        i++;
    }
    return 0;
}

apr_status_t tl_tpl_render(const tl_tpl *t, const tl_view *v, const tl_render_opts *o,
                           tl_buf *out, const char **err)
{
    tl_render st;
    static const tl_render_opts defaults = { 0, "", NULL };

    memset(&st, 0, sizeof(st));
    st.view = v;
    st.opts = o ? o : &defaults;
    st.out = out;
    st.pool = out->pool;
    if (tl_run_template(&st, t) != 0) {
        *err = st.err;
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}
