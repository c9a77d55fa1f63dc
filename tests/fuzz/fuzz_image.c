/*
 * libFuzzer target for tl_image.c: what our own code reads of an uploaded
 * picture before any image library sees it (its format, its dimensions
 * from the header, its EXIF orientation, and the name it came with).
 * Whatever the bytes, nothing may read out of bounds; a size found is
 * never zero, an orientation is always 1 to 8, and the format named by
 * the content agrees with a name of its own extension.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tl_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const tl_image_format all[] = { TL_IMAGE_UNKNOWN, TL_IMAGE_JPEG, TL_IMAGE_PNG, TL_IMAGE_WEBP,
                                           TL_IMAGE_HEIC, TL_IMAGE_SVG };
    static const char *const names[] = { "", "x.jpg", "x.jpeg", "x.png", "x.webp", "x.heic", "x.svg" };
    tl_image_format f = tl_image_sniff(data, size);
    unsigned char *copy;
    char *name;
    size_t i;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        unsigned w = 1, h = 1;
        int o;
        /* A copy of exactly the given length, so ASan sees any byte read past it. */
        copy = malloc(size ? size : 1);
        memcpy(copy, data, size);
        if (tl_image_size(all[i], copy, size, &w, &h) == 0) {
            check(w > 0 && h > 0);
        } else {
            check(w == 0 && h == 0);
        }
        o = tl_image_orientation(all[i], copy, size);
        check(o >= 1 && o <= 8);
        o = tl_image_tiff_orientation(copy, size);
        check(o >= 1 && o <= 8);
        free(copy);
    }
    check(strcmp(tl_image_format_name(f), "") != 0);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        (void)tl_image_name_matches(names[i], f);
    }
    if (f == TL_IMAGE_JPEG) {
        check(tl_image_name_matches("photo.JPG", f) && !tl_image_name_matches("photo.png", f));
    }
    name = malloc(size + 1);
    memcpy(name, data, size);
    name[size] = '\0';
    (void)tl_image_name_matches(name, f);
    free(name);
    return 0;
}
