/* tierslieux-images — decodes one untrusted picture in a process of its
 * own, so that a file made to crash or exhaust an image library takes
 * only this process with it, never an httpd worker.
 *
 * The module (mod_tierslieux/glue/tl_images.c) starts it for each upload,
 * writes the file on its standard input and reads the variants back from
 * its standard output. Before reading a byte it lowers its own limits
 * (address space, CPU seconds, no file written, no core dump); the module
 * also kills it after a wall-clock timeout.
 *
 * The format is read from the content (tl_image_sniff), never from a name;
 * the dimensions from the header (tl_image_size, or libheif's reading of
 * the header) before any pixel is allocated, so a decompression bomb is
 * refused at once. The EXIF orientation is applied by our own parser
 * (tl_image_orientation); the variants are encoded again from the pixels
 * alone, so no metadata (GPS position, camera, date) survives.
 *
 * Output, on success (exit 0):
 *   TLIMG <format> <width> <height>\n
 *   then for each variant: <jpg|webp> <width> <height> <bytes>\n<bytes>
 *   END\n
 * On a refusal (exit 2): REFUS <a French sentence>\n
 * Anything else (a signal, another status) is a failure the module names
 * itself. */
#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <jpeglib.h>
#include <png.h>
#include <webp/decode.h>
#include <webp/encode.h>
#include <libheif/heif.h>

#include "tl_image.h"

#define MAX_BYTES (15u * 1024 * 1024)
#define MAX_SIDE 16384u
#define MAX_PIXELS 50000000ul
#define MEMORY_LIMIT (1024ul * 1024 * 1024)
#define CPU_SECONDS 20

static const unsigned widths[] = { 320, 640, 1280 };

typedef struct {
    unsigned w, h;
    unsigned char *px;          /* RGB, 3 bytes a pixel, rows without padding */
} image;

static void refuse(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void refuse(const char *fmt, ...)
{
    va_list ap;

    fputs("REFUS ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    exit(2);
}

#define BROKEN "Cette photo est incomplète ou abîmée : renvoyez-la, ou prenez-en une autre."

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        refuse("Cette photo demande trop de mémoire pour être lue : envoyez-la en plus petit.");
    }
    return p;
}

static void check_size(unsigned w, unsigned h)
{
    if (w == 0 || h == 0) {
        refuse(BROKEN);
    }
    if (w > MAX_SIDE || h > MAX_SIDE || (unsigned long)w * h > MAX_PIXELS) {
        refuse("Cette image est trop grande (%u × %u pixels) : 16 384 pixels de côté et 50 millions de pixels "
               "au plus. Rien n'a été gardé.", w, h);
    }
}

static void limit(int resource, rlim_t value)
{
    struct rlimit rl;

    if (getrlimit(resource, &rl) == 0 && (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > value)) {
        rl.rlim_cur = rl.rlim_max = value;
        setrlimit(resource, &rl);
    } else if (getrlimit(resource, &rl) == 0 && rl.rlim_cur > rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(resource, &rl);
    }
}

/* ---- JPEG ---------------------------------------------------------------- */

struct jpeg_fail {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
};

static void jpeg_fail_exit(j_common_ptr c)
{
    longjmp(((struct jpeg_fail *)c->err)->jump, 1);
}

/* A warning (data cut short, a corrupt segment) is a refusal: libjpeg
 * would otherwise fill the missing part with grey. */
static void jpeg_fail_message(j_common_ptr c, int level)
{
    if (level < 0) {
        longjmp(((struct jpeg_fail *)c->err)->jump, 1);
    }
}

static void decode_jpeg(const unsigned char *d, size_t n, image *out)
{
    struct jpeg_decompress_struct c;
    struct jpeg_fail err;
    unsigned denom, y;
    unsigned char *volatile px = NULL;

    memset(&c, 0, sizeof(c));
    c.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_fail_exit;
    err.mgr.emit_message = jpeg_fail_message;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&c);
        refuse(BROKEN);
    }
    jpeg_create_decompress(&c);
    c.mem->max_memory_to_use = 512L * 1024 * 1024;
    jpeg_mem_src(&c, d, (unsigned long)n);
    jpeg_read_header(&c, TRUE);
    check_size(c.image_width, c.image_height);
    if (c.jpeg_color_space == JCS_CMYK || c.jpeg_color_space == JCS_YCCK) {
        jpeg_destroy_decompress(&c);
        refuse("Cette photo est enregistrée en couleurs d'imprimerie (CMJN) : enregistrez-la en RVB.");
    }
    c.out_color_space = JCS_RGB;
    /* The DCT scales by 1/2, 1/4 or 1/8 while decoding: the largest
     * that keeps both sides at the largest variant's width or more. */
    for (denom = 8; denom > 1; denom /= 2) {
        unsigned sw = (c.image_width + denom - 1) / denom, sh = (c.image_height + denom - 1) / denom;
        unsigned want_w = c.image_width < widths[2] ? c.image_width : widths[2];
        unsigned want_h = c.image_height < widths[2] ? c.image_height : widths[2];
        if (sw >= want_w && sh >= want_h) {
            break;
        }
    }
    c.scale_num = 1;
    c.scale_denom = denom;
    jpeg_start_decompress(&c);
    if (c.output_components != 3) {
        longjmp(err.jump, 1);
    }
    px = xmalloc((size_t)c.output_width * c.output_height * 3);
    for (y = 0; c.output_scanline < c.output_height; y++) {
        JSAMPROW row = px + (size_t)c.output_scanline * c.output_width * 3;
        jpeg_read_scanlines(&c, &row, 1);
    }
    out->w = c.output_width;
    out->h = c.output_height;
    out->px = px;
    jpeg_finish_decompress(&c);
    jpeg_destroy_decompress(&c);
}

/* ---- PNG ----------------------------------------------------------------- */

typedef struct {
    const unsigned char *d;
    size_t n, at;
} reader;

static void png_from_memory(png_structp png, png_bytep to, size_t len)
{
    reader *r = png_get_io_ptr(png);

    if (len > r->n - r->at) {
        png_error(png, "cut short");
    }
    memcpy(to, r->d + r->at, len);
    r->at += len;
}

static void png_quiet(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static void composite_white(const unsigned char *rgba, unsigned char *rgb, size_t pixels)
{
    size_t i;

    for (i = 0; i < pixels; i++) {
        unsigned a = rgba[4 * i + 3];
        int k;
        for (k = 0; k < 3; k++) {
            rgb[3 * i + k] = (unsigned char)((rgba[4 * i + k] * a + 255 * (255 - a) + 127) / 255);
        }
    }
}

static void decode_png(const unsigned char *d, size_t n, image *out)
{
    png_structp png;
    png_infop info;
    reader r = { d, n, 0 };
    png_bytep *volatile rows = NULL;
    unsigned char *volatile buf = NULL;
    unsigned w, h, y, channels;

    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, png_quiet);
    info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        refuse(BROKEN);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        refuse(BROKEN);
    }
    png_set_user_limits(png, MAX_SIDE, MAX_SIDE);
    png_set_chunk_malloc_max(png, 8 * 1024 * 1024);
    png_set_read_fn(png, &r, png_from_memory);
    png_read_info(png, info);
    w = png_get_image_width(png, info);
    h = png_get_image_height(png, info);
    check_size(w, h);
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    channels = png_get_channels(png, info);
    if ((channels != 3 && channels != 4) || png_get_rowbytes(png, info) != (size_t)w * channels) {
        png_error(png, "unexpected layout");
    }
    buf = xmalloc((size_t)w * h * channels);
    rows = xmalloc(sizeof(png_bytep) * h);
    for (y = 0; y < h; y++) {
        rows[y] = buf + (size_t)y * w * channels;
    }
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    if (channels == 4) {
        unsigned char *rgb = xmalloc((size_t)w * h * 3);
        composite_white(buf, rgb, (size_t)w * h);
        free(buf);
        buf = rgb;
    }
    out->w = w;
    out->h = h;
    out->px = buf;
}

/* ---- WebP ---------------------------------------------------------------- */

static void decode_webp(const unsigned char *d, size_t n, image *out)
{
    WebPBitstreamFeatures f;
    unsigned char *rgba, *rgb;

    if (WebPGetFeatures(d, n, &f) != VP8_STATUS_OK) {
        refuse(BROKEN);
    }
    check_size((unsigned)f.width, (unsigned)f.height);
    if (f.has_animation) {
        refuse("Les images animées ne sont pas acceptées : envoyez une photo.");
    }
    if (!(rgba = WebPDecodeRGBA(d, n, &f.width, &f.height))) {
        refuse(BROKEN);
    }
    rgb = xmalloc((size_t)f.width * f.height * 3);
    composite_white(rgba, rgb, (size_t)f.width * f.height);
    WebPFree(rgba);
    out->w = (unsigned)f.width;
    out->h = (unsigned)f.height;
    out->px = rgb;
}

/* ---- HEIC (phones): libheif reads the size from the header (ispe) before
 * decoding, and applies the container's rotation and mirror itself ----- */

static void decode_heic(const unsigned char *d, size_t n, image *out)
{
    struct heif_context *ctx = heif_context_alloc();
    struct heif_image_handle *handle = NULL;
    struct heif_image *img = NULL;
    const uint8_t *plane;
    int stride, w, h, y;

    if (!ctx) {
        refuse(BROKEN);
    }
    heif_context_set_maximum_image_size_limit(ctx, (int)MAX_SIDE);
    /* One decoding thread: each thread's stack and malloc arena count
     * against the address space limit, whatever the machine's cores. */
    heif_context_set_max_decoding_threads(ctx, 1);
    if (heif_context_read_from_memory_without_copy(ctx, d, n, NULL).code != heif_error_Ok
        || heif_context_get_primary_image_handle(ctx, &handle).code != heif_error_Ok) {
        refuse(BROKEN);
    }
    w = heif_image_handle_get_width(handle);
    h = heif_image_handle_get_height(handle);
    if (w <= 0 || h <= 0) {
        refuse(BROKEN);
    }
    check_size((unsigned)w, (unsigned)h);
    if (heif_decode_image(handle, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, NULL).code
        != heif_error_Ok) {
        refuse("Cette photo HEIC n'a pas pu être lue : réglez le téléphone sur « le plus compatible » (JPEG), "
               "ou renvoyez-la.");
    }
    w = heif_image_get_width(img, heif_channel_interleaved);
    h = heif_image_get_height(img, heif_channel_interleaved);
    plane = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    if (!plane || w <= 0 || h <= 0 || stride < w * 3) {
        refuse(BROKEN);
    }
    check_size((unsigned)w, (unsigned)h);
    out->px = xmalloc((size_t)w * h * 3);
    for (y = 0; y < h; y++) {
        memcpy(out->px + (size_t)y * w * 3, plane + (size_t)y * stride, (size_t)w * 3);
    }
    out->w = (unsigned)w;
    out->h = (unsigned)h;
    heif_image_release(img);
    heif_image_handle_release(handle);
    heif_context_free(ctx);
}

/* ---- orientation, size, encoding ---------------------------------------- */

/* The picture as it should be seen, by EXIF orientation o (1 to 8). */
static void orient(image *im, int o)
{
    unsigned W = im->w, H = im->h, w, h, x, y;
    unsigned char *dst;

    if (o <= 1 || o > 8) {
        return;
    }
    w = o >= 5 ? H : W;
    h = o >= 5 ? W : H;
    dst = xmalloc((size_t)w * h * 3);
    for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++) {
            unsigned sx, sy;
            switch (o) {
            case 2: sx = W - 1 - x; sy = y; break;
            case 3: sx = W - 1 - x; sy = H - 1 - y; break;
            case 4: sx = x; sy = H - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = H - 1 - x; break;
            case 7: sx = W - 1 - y; sy = H - 1 - x; break;
            default: sx = W - 1 - y; sy = x; break;        /* 8 */
            }
            memcpy(dst + ((size_t)y * w + x) * 3, im->px + ((size_t)sy * W + sx) * 3, 3);
        }
    }
    free(im->px);
    im->px = dst;
    im->w = w;
    im->h = h;
}

/* A smaller copy, each pixel the mean of the source pixels it covers. */
static image shrink(const image *src, unsigned w)
{
    image out;
    unsigned x, y;
    unsigned long hh = ((unsigned long)src->h * w + src->w / 2) / src->w;

    out.w = w;
    out.h = hh ? (unsigned)hh : 1;
    out.px = xmalloc((size_t)out.w * out.h * 3);
    for (y = 0; y < out.h; y++) {
        unsigned y0 = (unsigned)((unsigned long)y * src->h / out.h);
        unsigned y1 = (unsigned)((unsigned long)(y + 1) * src->h / out.h);
        if (y1 <= y0) {
            y1 = y0 + 1;
        }
        for (x = 0; x < out.w; x++) {
            unsigned x0 = (unsigned)((unsigned long)x * src->w / out.w);
            unsigned x1 = (unsigned)((unsigned long)(x + 1) * src->w / out.w);
            unsigned long sum[3] = { 0, 0, 0 }, count;
            unsigned sx, sy;
            if (x1 <= x0) {
                x1 = x0 + 1;
            }
            for (sy = y0; sy < y1; sy++) {
                const unsigned char *p = src->px + ((size_t)sy * src->w + x0) * 3;
                for (sx = x0; sx < x1; sx++, p += 3) {
                    sum[0] += p[0];
                    sum[1] += p[1];
                    sum[2] += p[2];
                }
            }
            count = (unsigned long)(x1 - x0) * (y1 - y0);
            for (sx = 0; sx < 3; sx++) {
                out.px[((size_t)y * out.w + x) * 3 + sx] = (unsigned char)((sum[sx] + count / 2) / count);
            }
        }
    }
    return out;
}

static void emit(const char *fmt, unsigned w, unsigned h, const unsigned char *data, size_t len)
{
    printf("%s %u %u %zu\n", fmt, w, h, len);
    if (fwrite(data, 1, len, stdout) != len) {
        exit(1);
    }
}

static void encode(const image *im)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    unsigned char *jpg = NULL, *webp = NULL;
    unsigned long jpg_len = 0;
    size_t webp_len;
    JSAMPROW row;

    /* JFIF only: jpeg_start_compress writes no EXIF, no comment, no ICC. */
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &jpg, &jpg_len);
    c.image_width = im->w;
    c.image_height = im->h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 82, TRUE);
    c.optimize_coding = TRUE;
    jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        row = im->px + (size_t)c.next_scanline * im->w * 3;
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    emit("jpg", im->w, im->h, jpg, jpg_len);
    free(jpg);

    if (!(webp_len = WebPEncodeRGB(im->px, (int)im->w, (int)im->h, (int)im->w * 3, 80.0f, &webp))) {
        exit(1);
    }
    emit("webp", im->w, im->h, webp, webp_len);
    WebPFree(webp);
}

int main(int argc, char **argv)
{
    unsigned char *data;
    size_t n = 0, cap = 1024 * 1024, k;
    tl_image_format f;
    unsigned hw, hh;
    int orientation = 1, done = 0;
    image im = { 0, 0, NULL };

    (void)argc;
    (void)argv;
    /* Our own limits before the first untrusted byte (the module sets
     * them too when it starts us: either suffices). */
    limit(RLIMIT_AS, MEMORY_LIMIT);
    limit(RLIMIT_CPU, CPU_SECONDS);
    limit(RLIMIT_FSIZE, 0);
    limit(RLIMIT_CORE, 0);
    /* One malloc arena: a thread's own (64 MB reserved) would count
     * against the address space for nothing. */
    mallopt(M_ARENA_MAX, 1);

    data = xmalloc(cap);
    for (;;) {
        ssize_t got;
        if (n == cap) {
            unsigned char *more;
            if (cap > MAX_BYTES) {
                refuse("Cette photo dépasse 15 Mo : réduisez-la avant de l'envoyer. Rien n'a été gardé.");
            }
            cap *= 2;
            if (!(more = realloc(data, cap))) {
                exit(1);
            }
            data = more;
        }
        got = read(0, data + n, cap - n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            exit(1);
        }
        if (got == 0) {
            break;
        }
        n += (size_t)got;
    }
    if (n > MAX_BYTES) {
        refuse("Cette photo dépasse 15 Mo : réduisez-la avant de l'envoyer. Rien n'a été gardé.");
    }
    f = tl_image_sniff(data, n);
    switch (f) {
    case TL_IMAGE_SVG:
        refuse("Les dessins SVG ne sont pas acceptés : envoyez une photo JPEG, PNG, WebP ou HEIC.");
    case TL_IMAGE_UNKNOWN:
        refuse("Ce fichier n'est pas une photo : envoyez une image JPEG, PNG, WebP ou HEIC.");
    case TL_IMAGE_HEIC:
        break;
    default:
        if (tl_image_size(f, data, n, &hw, &hh) != 0) {
            refuse(BROKEN);
        }
        check_size(hw, hh);
        orientation = tl_image_orientation(f, data, n);
        break;
    }
    switch (f) {
    case TL_IMAGE_JPEG: decode_jpeg(data, n, &im); break;
    case TL_IMAGE_PNG: decode_png(data, n, &im); break;
    case TL_IMAGE_WEBP: decode_webp(data, n, &im); break;
    default: decode_heic(data, n, &im); break;
    }
    free(data);
    orient(&im, orientation);

    printf("TLIMG %s %u %u\n", tl_image_format_name(f), im.w, im.h);
    for (k = 0; k < sizeof(widths) / sizeof(widths[0]); k++) {
        unsigned w = widths[k];
        if (w > im.w) {
            break;
        }
        if (w == im.w) {
            encode(&im);
            done = 1;
        } else {
            image v = shrink(&im, w);
            encode(&v);
            free(v.px);
        }
    }
    /* Never enlarged: a picture narrower than the largest width gives
     * one variant of its own width. */
    if (!done && im.w < widths[sizeof(widths) / sizeof(widths[0]) - 1]) {
        encode(&im);
    }
    fputs("END\n", stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}
