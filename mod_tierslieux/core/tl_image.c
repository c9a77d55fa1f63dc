/* tl_image — formats, header dimensions and EXIF orientation read by
 * hand, bounded by the given length (see tl_image.h). */
#include <string.h>
#include <ctype.h>

#include "tl_image.h"

static unsigned be16(const unsigned char *p) { return ((unsigned)p[0] << 8) | p[1]; }
static unsigned le16(const unsigned char *p) { return ((unsigned)p[1] << 8) | p[0]; }
static unsigned long be32(const unsigned char *p)
{
    return ((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) | ((unsigned long)p[2] << 8) | p[3];
}
static unsigned long le32(const unsigned char *p)
{
    return ((unsigned long)p[3] << 24) | ((unsigned long)p[2] << 16) | ((unsigned long)p[1] << 8) | p[0];
}
static unsigned long le24(const unsigned char *p)
{
    return ((unsigned long)p[2] << 16) | ((unsigned long)p[1] << 8) | p[0];
}

static int heif_brand(const unsigned char *b)
{
    static const char *const brands[] = { "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1" };
    size_t i;

    for (i = 0; i < sizeof(brands) / sizeof(brands[0]); i++) {
        if (memcmp(b, brands[i], 4) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether the text holds "<svg" (any case) in its first kilobytes: an SVG
 * may start with a byte-order mark, an XML declaration, a comment or a
 * DOCTYPE. */
static int looks_svg(const unsigned char *d, size_t n)
{
    size_t i, lim = n < 4096 ? n : 4096;

    for (i = 0; i + 4 <= lim; i++) {
        if (d[i] == '<' && tolower(d[i + 1]) == 's' && tolower(d[i + 2]) == 'v' && tolower(d[i + 3]) == 'g') {
            return 1;
        }
    }
    return 0;
}

tl_image_format tl_image_sniff(const unsigned char *d, size_t n)
{
    size_t i = 0;

    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) {
        return TL_IMAGE_JPEG;
    }
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) {
        return TL_IMAGE_PNG;
    }
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) {
        return TL_IMAGE_WEBP;
    }
    if (n >= 12 && memcmp(d + 4, "ftyp", 4) == 0 && heif_brand(d + 8)) {
        return TL_IMAGE_HEIC;
    }
    if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
        i = 3;
    }
    while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n')) {
        i++;
    }
    if (i < n && d[i] == '<' && looks_svg(d + i, n - i)) {
        return TL_IMAGE_SVG;
    }
    return TL_IMAGE_UNKNOWN;
}

static int jpeg_size(const unsigned char *d, size_t n, unsigned *w, unsigned *h)
{
    size_t i = 2;

    while (i + 4 <= n) {
        unsigned m, len;

        if (d[i] != 0xFF) {
            return -1;
        }
        m = d[i + 1];
        if (m == 0xFF) {            /* fill byte */
            i++;
            continue;
        }
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
            i += 2;
            continue;
        }
        if (m == 0xD9 || m == 0xDA) {
            return -1;              /* the image or its data begins before any frame header */
        }
        len = be16(d + i + 2);
        if (len < 2 || i + 2 + len > n) {
            return -1;
        }
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            if (len < 7) {
                return -1;
            }
            *h = be16(d + i + 5);
            *w = be16(d + i + 7);
            return *w && *h ? 0 : -1;
        }
        i += 2 + len;
    }
    return -1;
}

static int webp_size(const unsigned char *d, size_t n, unsigned *w, unsigned *h)
{
    if (n < 30) {
        return -1;
    }
    if (memcmp(d + 12, "VP8 ", 4) == 0) {
        if (d[23] != 0x9d || d[24] != 0x01 || d[25] != 0x2a) {
            return -1;
        }
        *w = le16(d + 26) & 0x3fff;
        *h = le16(d + 28) & 0x3fff;
    } else if (memcmp(d + 12, "VP8L", 4) == 0) {
        unsigned long b;
        if (d[20] != 0x2f) {
            return -1;
        }
        b = le32(d + 21);
        *w = (unsigned)(b & 0x3fff) + 1;
        *h = (unsigned)((b >> 14) & 0x3fff) + 1;
    } else if (memcmp(d + 12, "VP8X", 4) == 0) {
        *w = (unsigned)le24(d + 24) + 1;
        *h = (unsigned)le24(d + 27) + 1;
    } else {
        return -1;
    }
    return *w && *h ? 0 : -1;
}

static int header_size(tl_image_format f, const unsigned char *d, size_t n, unsigned *w, unsigned *h)
{
    switch (f) {
    case TL_IMAGE_JPEG:
        return jpeg_size(d, n, w, h);
    case TL_IMAGE_PNG:
        if (n < 24 || memcmp(d + 12, "IHDR", 4) != 0 || be32(d + 8) != 13) {
            return -1;
        }
        if (be32(d + 16) > 0x7fffffffUL || be32(d + 20) > 0x7fffffffUL) {
            return -1;
        }
        *w = (unsigned)be32(d + 16);
        *h = (unsigned)be32(d + 20);
        return *w && *h ? 0 : -1;
    case TL_IMAGE_WEBP:
        return webp_size(d, n, w, h);
    default:
        return -1;
    }
}

int tl_image_size(tl_image_format f, const unsigned char *d, size_t n, unsigned *w, unsigned *h)
{
    unsigned ww = 0, hh = 0;

    if (header_size(f, d, n, &ww, &hh) != 0 || ww == 0 || hh == 0) {
        *w = *h = 0;
        return -1;
    }
    *w = ww;
    *h = hh;
    return 0;
}

int tl_image_tiff_orientation(const unsigned char *t, size_t n)
{
    int little;
    unsigned long ifd;
    unsigned count, i, (*rd16)(const unsigned char *);
    unsigned long (*rd32)(const unsigned char *);

    if (n < 8) {
        return 1;
    }
    if (memcmp(t, "II*\0", 4) == 0) {
        little = 1;
    } else if (memcmp(t, "MM\0*", 4) == 0) {
        little = 0;
    } else {
        return 1;
    }
    rd16 = little ? le16 : be16;
    rd32 = little ? le32 : be32;
    ifd = rd32(t + 4);
    if (ifd < 8 || ifd > n - 2) {
        return 1;
    }
    count = rd16(t + ifd);
    for (i = 0; i < count; i++) {
        size_t e = (size_t)ifd + 2 + (size_t)i * 12;
        if (e + 12 > n) {
            return 1;
        }
        if (rd16(t + e) == 0x0112) {
            unsigned type = rd16(t + e + 2), v;
            if (type != 3 || rd32(t + e + 4) != 1) {
                return 1;
            }
            v = rd16(t + e + 8);
            return v >= 1 && v <= 8 ? (int)v : 1;
        }
    }
    return 1;
}

/* A TIFF block that may carry the "Exif\0\0" prefix (WebP's EXIF chunk
 * holds it in some writers, not in others). */
static int exif_block_orientation(const unsigned char *d, size_t n)
{
    if (n >= 6 && memcmp(d, "Exif\0\0", 6) == 0) {
        d += 6;
        n -= 6;
    }
    return tl_image_tiff_orientation(d, n);
}

static int jpeg_orientation(const unsigned char *d, size_t n)
{
    size_t i = 2;

    while (i + 4 <= n) {
        unsigned m, len;

        if (d[i] != 0xFF) {
            return 1;
        }
        m = d[i + 1];
        if (m == 0xFF) {
            i++;
            continue;
        }
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
            i += 2;
            continue;
        }
        if (m == 0xD9 || m == 0xDA) {
            return 1;
        }
        len = be16(d + i + 2);
        if (len < 2 || i + 2 + len > n) {
            return 1;
        }
        if (m == 0xE1 && len >= 8 && memcmp(d + i + 4, "Exif\0\0", 6) == 0) {
            return tl_image_tiff_orientation(d + i + 10, len - 8);
        }
        i += 2 + len;
    }
    return 1;
}

static int png_orientation(const unsigned char *d, size_t n)
{
    size_t i = 8;

    while (i + 12 <= n) {
        unsigned long len = be32(d + i);
        if (len > n - i - 12) {
            return 1;
        }
        if (memcmp(d + i + 4, "eXIf", 4) == 0) {
            return exif_block_orientation(d + i + 8, len);
        }
        if (memcmp(d + i + 4, "IDAT", 4) == 0) {
            return 1;               /* eXIf comes before the image data */
        }
        i += 12 + len;
    }
    return 1;
}

static int webp_orientation(const unsigned char *d, size_t n)
{
    size_t i = 12;

    while (i + 8 <= n) {
        unsigned long len = le32(d + i + 4);
        if (len > n - i - 8) {
            return 1;
        }
        if (memcmp(d + i, "EXIF", 4) == 0) {
            return exif_block_orientation(d + i + 8, len);
        }
        i += 8 + len + (len & 1);
    }
    return 1;
}

int tl_image_orientation(tl_image_format f, const unsigned char *d, size_t n)
{
    switch (f) {
    case TL_IMAGE_JPEG:
        return jpeg_orientation(d, n);
    case TL_IMAGE_PNG:
        return png_orientation(d, n);
    case TL_IMAGE_WEBP:
        return webp_orientation(d, n);
    default:
        return 1;
    }
}

int tl_image_name_matches(const char *filename, tl_image_format f)
{
    static const struct { const char *ext; tl_image_format f; } exts[] = {
        { "jpg", TL_IMAGE_JPEG }, { "jpeg", TL_IMAGE_JPEG }, { "jpe", TL_IMAGE_JPEG }, { "jfif", TL_IMAGE_JPEG },
        { "png", TL_IMAGE_PNG }, { "webp", TL_IMAGE_WEBP }, { "heic", TL_IMAGE_HEIC }, { "heif", TL_IMAGE_HEIC }
    };
    const char *dot = NULL, *s;
    size_t i;

    for (s = filename; s && *s; s++) {
        if (*s == '/' || *s == '\\') {
            dot = NULL;
        } else if (*s == '.') {
            dot = s;
        }
    }
    if (!dot) {
        return 1;
    }
    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        const char *a = dot + 1, *b = exts[i].ext;
        while (*a && *b && tolower((unsigned char)*a) == *b) {
            a++;
            b++;
        }
        if (!*a && !*b) {
            return exts[i].f == f;
        }
    }
    return 0;
}

const char *tl_image_format_name(tl_image_format f)
{
    switch (f) {
    case TL_IMAGE_JPEG: return "jpeg";
    case TL_IMAGE_PNG: return "png";
    case TL_IMAGE_WEBP: return "webp";
    case TL_IMAGE_HEIC: return "heic";
    case TL_IMAGE_SVG: return "svg";
    default: return "inconnu";
    }
}
