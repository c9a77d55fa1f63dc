/* tl_chart — bar charts laid out for an inline SVG drawn by a template
 * (partials/graphique.html): the core computes where each bar and its
 * texts go, the template writes the elements, escaping every label as it
 * escapes any value, so no markup is ever built from data. Two shapes: a
 * column per month, and horizontal bars for the shares of a whole. The
 * bars are filled with currentColor (the stylesheet), which forced-colors
 * mode turns into the user's text colour; each chart is followed by its
 * data as a table. */
#ifndef TL_CHART_H
#define TL_CHART_H

#include <apr_pools.h>
#include "tl_tpl.h"

typedef struct {
    const char *label;          /* "janvier", "Réparés": the table's row header, the bar's name */
    const char *short_label;    /* under a column ("janv."); NULL: label */
    const char *text;           /* the value as shown ("1 234", "moins de 3") */
    double value;               /* the bar's length; a negative one counts as 0 */
    int hidden;                 /* no bar: the value is not told (a count below 3 on a public page) */
} tl_chart_point;

/* The charts of a page: "charts" (chart, title, head: the table's first
 * column, parts: "t" for shares, height, ax1, ay1, ax2, ay2: the axis line)
 * and "bars" (chart, label, short, text, share, x, y, w, h, tx, ty,
 * tanchor, lx, ly, lanchor, drawn, parts), matched by chart. */
typedef struct {
    apr_pool_t *pool;
    tl_rows *charts;
    tl_rows *bars;
} tl_chart_set;

#define TL_CHART_WIDTH 640

void tl_chart_set_init(tl_chart_set *s, apr_pool_t *p);

/* A column per point (months), heights scaled to the largest value; a
 * largest value of 0, or no point at all, draws no bar and divides by
 * nothing. */
void tl_chart_add_columns(tl_chart_set *s, const char *id, const char *title, const char *head,
                          const tl_chart_point *pts, int n);

/* A horizontal bar per point, its length its share of the sum of the
 * points told, the share written beside it ("40 %"). */
void tl_chart_add_shares(tl_chart_set *s, const char *id, const char *title, const char *head,
                         const tl_chart_point *pts, int n);

#endif
