/* tl_multipart — a multipart/form-data body (RFC 7578 over RFC 2046), as a
 * browser sends a form with a file field, read from memory once the glue
 * has the whole body. Strict where a browser is always right (CRLF line
 * ends, a closing delimiter, a name on every part), lenient where RFC 2046
 * allows it (a preamble before the first delimiter, an epilogue after the
 * last). The parts' contents are not copied: they point into the body,
 * which must live as long as the result. */
#ifndef TL_MULTIPART_H
#define TL_MULTIPART_H

#include <apr_pools.h>

/* RFC 2046: a boundary is 1 to 70 characters. */
#define TL_MULTIPART_MAX_BOUNDARY 70

typedef struct {
    const char *name;           /* the field's name: never empty, UTF-8, no control character */
    const char *filename;       /* as the browser sent it ("" when no file was chosen), or NULL
                                 * when the part is not a file */
    const char *content_type;   /* the part's Content-Type, or NULL when it sent none (RFC 7578:
                                 * then text/plain) */
    const char *data;           /* the content, inside the body; not NUL-terminated */
    apr_size_t len;
} tl_multipart_part;

typedef struct {
    tl_multipart_part *parts;
    int n;
} tl_multipart;

typedef struct {
    int max_parts;              /* fields and files together */
    apr_size_t max_header_bytes;    /* a part's header lines, CRLFs included */
} tl_multipart_limits;

typedef enum {
    TL_MULTIPART_OK = 0,
    TL_MULTIPART_NOT_FORM,      /* the Content-Type is not multipart/form-data */
    TL_MULTIPART_BAD_BOUNDARY,  /* no boundary parameter, empty, over 70 or a forbidden character */
    TL_MULTIPART_INCOMPLETE,    /* no delimiter, or the body stops before the closing one */
    TL_MULTIPART_BAD_HEADER,    /* a header line without CRLF, without ':', folded, a broken
                                 * Content-Disposition, a control character */
    TL_MULTIPART_HEADER_TOO_LONG,
    TL_MULTIPART_NO_NAME,       /* a part without Content-Disposition: form-data; name="…" */
    TL_MULTIPART_BAD_NAME,      /* a name or filename that is not UTF-8 or holds a control character */
    TL_MULTIPART_TOO_MANY_PARTS,
    TL_MULTIPART_STOPPED        /* a stream's handler asked to stop */
} tl_multipart_status;

/* Reads body[0..len) sent with the given Content-Type header value. Returns
 * TL_MULTIPART_OK and fills *out, or another status with a short French
 * message for the person who sent the form in *err. Names, filenames and
 * content types are copied into p. */
tl_multipart_status tl_multipart_parse(apr_pool_t *p, const char *content_type, const char *body,
                                       apr_size_t len, const tl_multipart_limits *limits, tl_multipart *out,
                                       const char **err);

/* The same body read as it arrives (a large upload), in memory that does
 * not grow with it: the handler gets each part's headers (data NULL),
 * then its content in pieces as they come, then its end. A handler that
 * returns non-zero stops the reading (TL_MULTIPART_STOPPED, no message).
 * Same rules as tl_multipart_parse, but a delimiter's padding is at most
 * 64 spaces. */
typedef struct {
    int (*begin)(void *ctx, const tl_multipart_part *part);
    int (*data)(void *ctx, const char *data, apr_size_t len);
    int (*end)(void *ctx);
} tl_multipart_handler;

typedef struct tl_multipart_stream tl_multipart_stream;

tl_multipart_status tl_multipart_stream_make(apr_pool_t *p, const char *content_type,
                                             const tl_multipart_limits *limits, const tl_multipart_handler *h,
                                             void *ctx, tl_multipart_stream **out, const char **err);
/* The next bytes of the body, cut anywhere. After an error, every call
 * returns it again. */
tl_multipart_status tl_multipart_stream_feed(tl_multipart_stream *s, const char *data, apr_size_t len,
                                             const char **err);
/* The end of the body: TL_MULTIPART_INCOMPLETE without the closing delimiter. */
tl_multipart_status tl_multipart_stream_end(tl_multipart_stream *s, const char **err);

/* The first part named name, or NULL. */
const tl_multipart_part *tl_multipart_get(const tl_multipart *mp, const char *name);

#endif
