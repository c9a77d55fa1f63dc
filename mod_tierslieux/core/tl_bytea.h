/* tl_bytea — binary content (a PDF, a picture) to and from PostgreSQL's
 * bytea in text form, as libpq's text parameters and results carry it:
 * "\x" then two lower-case hexadecimal digits a byte (bytea_output = hex,
 * PostgreSQL's default since 9.0). */
#ifndef TL_BYTEA_H
#define TL_BYTEA_H

#include <stddef.h>
#include "tl_buf.h"

/* Appends data[0..len) to out as a bytea literal. */
void tl_bytea_encode(tl_buf *out, const char *data, size_t len);

/* Appends only the hexadecimal digits of data[0..len): several contents
 * after one "\x" make one bytea of them all. */
void tl_bytea_append(tl_buf *out, const char *data, size_t len);

/* Decodes a bytea in hex form (text[0..len), "\x" and an even number of
 * hexadecimal digits) into out, which has room for (len - 2) / 2 bytes.
 * Returns the number of bytes, or -1 when text is not that form. */
long tl_bytea_decode(const char *text, size_t len, unsigned char *out);

#endif
