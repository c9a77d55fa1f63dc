/* tl_image — what we read ourselves of an uploaded picture, before any
 * image library sees it: its format by its first bytes (never by its
 * name), its dimensions from its header (so a decompression bomb is
 * refused before a pixel is allocated), and the EXIF orientation tag.
 * Plain C without APR: the image helper (tools/tierslieux-images.c), the
 * module and the fuzz target share it. Every reader is bounded by the
 * length it is given and fuzzed (tests/fuzz/fuzz_image.c). */
#ifndef TL_IMAGE_H
#define TL_IMAGE_H

#include <stddef.h>

typedef enum {
    TL_IMAGE_UNKNOWN = 0,
    TL_IMAGE_JPEG,
    TL_IMAGE_PNG,
    TL_IMAGE_WEBP,
    TL_IMAGE_HEIC,
    TL_IMAGE_SVG        /* recognised only to be refused by name */
} tl_image_format;

/* The format by content. */
tl_image_format tl_image_sniff(const unsigned char *d, size_t n);

/* Width and height read from the header of a JPEG (its frame header),
 * PNG (IHDR) or WebP (VP8, VP8L or VP8X). Returns 0 and sets them, or -1
 * when the header is missing, cut short or says 0. HEIC is not read here
 * (-1): its library reads the size from the header without decoding. */
int tl_image_size(tl_image_format f, const unsigned char *d, size_t n, unsigned *w, unsigned *h);

/* The EXIF orientation (1 to 8, 1 when absent or unreadable) of a TIFF
 * structure (what follows "Exif\0\0"). */
int tl_image_tiff_orientation(const unsigned char *tiff, size_t n);

/* The orientation of a JPEG (APP1 Exif), PNG (eXIf) or WebP (EXIF chunk):
 * 1 to 8, 1 when it has none. */
int tl_image_orientation(tl_image_format f, const unsigned char *d, size_t n);

/* Whether a file's name agrees with its content: 1 when its extension is
 * one of the format's (.jpg, .jpeg, .jpe, .jfif; .png; .webp; .heic,
 * .heif) in any case, or when it has none (a phone's snapshot may come
 * nameless); 0 otherwise. */
int tl_image_name_matches(const char *filename, tl_image_format f);

/* "jpeg", "png", "webp", "heic", "svg" or "inconnu". */
const char *tl_image_format_name(tl_image_format f);

#endif
