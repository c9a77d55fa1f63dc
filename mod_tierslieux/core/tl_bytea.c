#include "tl_bytea.h"

void tl_bytea_encode(tl_buf *out, const char *data, size_t len)
{
    tl_buf_adds(out, "\\x");
    tl_bytea_append(out, data, len);
}

void tl_bytea_append(tl_buf *out, const char *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        char pair[2] = { digits[c >> 4], digits[c & 15] };
        tl_buf_add(out, pair, 2);
    }
}

static int tl_hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

long tl_bytea_decode(const char *text, size_t len, unsigned char *out)
{
    size_t i;

    if (len < 2 || text[0] != '\\' || text[1] != 'x' || (len - 2) % 2 != 0) {
        return -1;
    }
    for (i = 2; i < len; i += 2) {
        int hi = tl_hex_digit(text[i]), lo = tl_hex_digit(text[i + 1]);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[(i - 2) / 2] = (unsigned char)(hi << 4 | lo);
    }
    return (long)((len - 2) / 2);
}
