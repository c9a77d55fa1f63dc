#include <string.h>
#include <apr_strings.h>
#include <qrencode.h>
#include "tl_qr.h"
#include "tl_buf.h"

#define TL_QR_QUIET 4           /* the white margin the standard asks for, in modules */

const char *tl_qr_svg(apr_pool_t *p, const char *text, apr_size_t *len)
{
    QRcode *qr;
    tl_buf out;
    int x, y, size;

    if (!text || !*text || strlen(text) > 512) {
        return NULL;
    }
    qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) {
        return NULL;
    }
    size = qr->width + 2 * TL_QR_QUIET;
    tl_buf_init(&out, p, 4096);
    tl_buf_adds(&out, apr_psprintf(p, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                                      "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
                                      "<path fill=\"#000\" d=\"", size, size, size, size));
    /* One horizontal run of dark modules per path segment. */
    for (y = 0; y < qr->width; y++) {
        for (x = 0; x < qr->width; x++) {
            int run = 0;
            while (x + run < qr->width && (qr->data[y * qr->width + x + run] & 1)) {
                run++;
            }
            if (run) {
                tl_buf_adds(&out, apr_psprintf(p, "M%d %dh%dv1h-%dz", x + TL_QR_QUIET, y + TL_QR_QUIET, run, run));
                x += run;
            }
        }
    }
    tl_buf_adds(&out, "\"/></svg>\n");
    QRcode_free(qr);
    *len = out.len;
    return tl_buf_cstr(&out);
}
