#include "tl_utf8.h"

size_t tl_utf8_decode(const char *str, size_t n, unsigned long *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned long c, min;
    size_t len, k;

    if (n == 0) {
        return 0;
    }
    c = s[0];
    if (c < 0x80) {
        len = 1; min = 0;
    }
    else if (c >= 0xC2 && c <= 0xDF) {
        len = 2; c &= 0x1F; min = 0x80;
    }
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; c &= 0x0F; min = 0x800;
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; c &= 0x07; min = 0x10000;
    }
    else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (s[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return 0;
    }
    if (cp) {
        *cp = c;
    }
    return len;
}

int tl_utf8_valid(const char *s, size_t n)
{
    size_t i = 0, len;

    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;                    /* the common case, without a call */
            continue;
        }
        if ((len = tl_utf8_decode(s + i, n - i, NULL)) == 0) {
            return 0;
        }
        i += len;
    }
    return 1;
}

size_t tl_utf8_lead_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}
