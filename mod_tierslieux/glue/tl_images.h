/* Uploaded photos decoded apart from httpd: the image helper
 * (tools/tierslieux-images) is started for each upload under limits of
 * memory and CPU time and a wall-clock deadline, given the file on its
 * standard input, and its variants read back. A file made to crash or
 * exhaust an image library takes only the helper with it: the worker
 * answers a French refusal and goes on. */
#ifndef TL_IMAGES_H
#define TL_IMAGES_H

#include "tl_module.h"

#define TL_IMAGES_MAX_BYTES (15 * 1024 * 1024)      /* the limit the forms state */
#define TL_IMAGES_MAX_VARIANTS 8

typedef struct {
    const char *format;         /* "jpg" or "webp" */
    int width, height;
    const char *data;
    apr_size_t len;
} tl_image_variant;

typedef struct {
    const char *source;         /* the upload's format, read from its content */
    int n;
    tl_image_variant v[TL_IMAGES_MAX_VARIANTS];
} tl_image_result;

/* Decodes data[0..len) through the helper. Returns 1 with *out filled, or
 * 0 with a French sentence for the person in *refusal (the helper's own
 * refusal, or a failure: a crash, a limit reached, the deadline passed). */
int tl_images_convert(request_rec *r, const char *data, apr_size_t len, tl_image_result *out,
                      const char **refusal);

#endif
