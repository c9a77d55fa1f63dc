/* Bar charts laid out for an SVG template (tl_chart.h). Coordinates are in
 * the viewBox's units (TL_CHART_WIDTH wide): the SVG scales to its box, and
 * the table after it carries the same data for readers who cannot see it. */
#include <apr_strings.h>
#include "tl_chart.h"

static const char *const tl_chart_cols[] = {
    "chart", "title", "head", "parts", "height", "ax1", "ay1", "ax2", "ay2", NULL
};
static const char *const tl_bar_cols[] = {
    "chart", "label", "short", "text", "share", "x", "y", "w", "h", "tx", "ty", "tanchor", "lx", "ly", "lanchor",
    "drawn", "parts", NULL
};

/* Columns: the plot's edges, and where the month names go. */
#define TL_COL_HEIGHT 260.0
#define TL_COL_LEFT   8.0
#define TL_COL_RIGHT  (TL_CHART_WIDTH - 8.0)
#define TL_COL_TOP    28.0
#define TL_COL_BASE   220.0
#define TL_COL_LABEL  244.0
/* Shares: one row per point, the names on the left. */
#define TL_ROW_HEIGHT 36.0
#define TL_ROW_BAR    22.0
#define TL_ROW_START  200.0
#define TL_ROW_LENGTH 330.0

static const char *tl_num(apr_pool_t *p, double v)
{
    return apr_psprintf(p, "%.1f", v);
}

void tl_chart_set_init(tl_chart_set *s, apr_pool_t *p)
{
    s->pool = p;
    s->charts = tl_rows_make(p, tl_chart_cols);
    s->bars = tl_rows_make(p, tl_bar_cols);
}

static void tl_chart_head(tl_chart_set *s, const char *id, const char *title, const char *head, int parts,
                          double height, double ax1, double ay1, double ax2, double ay2)
{
    apr_pool_t *p = s->pool;
    tl_rows_add(s->charts, (const char *const[]){ id, title, head, parts ? "t" : "", tl_num(p, height), tl_num(p, ax1),
                                                  tl_num(p, ay1), tl_num(p, ax2), tl_num(p, ay2) });
}

void tl_chart_add_columns(tl_chart_set *s, const char *id, const char *title, const char *head,
                          const tl_chart_point *pts, int n)
{
    apr_pool_t *p = s->pool;
    double max = 0, slot, w;
    int i;

    tl_chart_head(s, id, title, head, 0, TL_COL_HEIGHT, TL_COL_LEFT, TL_COL_BASE, TL_COL_RIGHT, TL_COL_BASE);
    if (n <= 0) {
        return;
    }
    for (i = 0; i < n; i++) {
        if (!pts[i].hidden && pts[i].value > max) {
            max = pts[i].value;
        }
    }
    slot = (TL_COL_RIGHT - TL_COL_LEFT) / n;
    w = slot * 0.64;
    for (i = 0; i < n; i++) {
        double h = 0, x = TL_COL_LEFT + i * slot + (slot - w) / 2, y;
        int drawn = !pts[i].hidden && max > 0 && pts[i].value > 0;

        if (drawn) {
            h = pts[i].value / max * (TL_COL_BASE - TL_COL_TOP);
        }
        y = TL_COL_BASE - h;
        tl_rows_add(s->bars, (const char *const[]){
            id, pts[i].label, pts[i].short_label ? pts[i].short_label : pts[i].label, pts[i].text ? pts[i].text : "",
            "", tl_num(p, x), tl_num(p, y), tl_num(p, w), tl_num(p, h), tl_num(p, x + w / 2), tl_num(p, y - 6),
            "middle", tl_num(p, x + w / 2), tl_num(p, TL_COL_LABEL), "middle", drawn ? "t" : "", "" });
    }
}

void tl_chart_add_shares(tl_chart_set *s, const char *id, const char *title, const char *head,
                         const tl_chart_point *pts, int n)
{
    apr_pool_t *p = s->pool;
    double sum = 0, height = (n > 0 ? n : 1) * TL_ROW_HEIGHT + 8;
    int i;

    tl_chart_head(s, id, title, head, 1, height, TL_ROW_START, 4, TL_ROW_START, height - 4);
    for (i = 0; i < n; i++) {
        if (!pts[i].hidden && pts[i].value > 0) {
            sum += pts[i].value;
        }
    }
    for (i = 0; i < n; i++) {
        double top = i * TL_ROW_HEIGHT + 8, share = 0, w = 0;
        int drawn = !pts[i].hidden && sum > 0 && pts[i].value > 0;
        const char *share_text = "";

        if (drawn) {
            share = pts[i].value / sum;
            w = share * TL_ROW_LENGTH;
        }
        if (!pts[i].hidden && sum > 0) {
            /* "40 %" with a no-break space, as French writes it */
            share_text = apr_psprintf(p, "%.0f\xC2\xA0%%", share * 100);
        }
        tl_rows_add(s->bars, (const char *const[]){
            id, pts[i].label, pts[i].short_label ? pts[i].short_label : pts[i].label, pts[i].text ? pts[i].text : "",
            share_text, tl_num(p, TL_ROW_START), tl_num(p, top), tl_num(p, w), tl_num(p, TL_ROW_BAR),
            tl_num(p, TL_ROW_START + w + 6), tl_num(p, top + 16), "start", tl_num(p, TL_ROW_START - 8),
            tl_num(p, top + 16), "end", drawn ? "t" : "", "t" });
    }
}
