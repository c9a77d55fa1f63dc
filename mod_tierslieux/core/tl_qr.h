/* tl_qr — a QR code (libqrencode) drawn as a small SVG image, for the item
 * labels: the code encodes the item's public page. */
#ifndef TL_QR_H
#define TL_QR_H

#include <apr_pools.h>

/* An SVG document for text (at most 512 bytes), or NULL. */
const char *tl_qr_svg(apr_pool_t *p, const char *text, apr_size_t *len);

#endif
