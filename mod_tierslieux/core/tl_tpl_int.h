/* Internals shared by the template compiler and the renderer. */
#ifndef TL_TPL_INT_H
#define TL_TPL_INT_H

#include "tl_tpl.h"

typedef enum {
    TL_OP_TEXT,        /* static bytes */
    TL_OP_VAR,         /* an escaped value */
    TL_OP_IF,          /* skip to end unless name is true (or false, negated) */
    TL_OP_EACH,        /* repeat [i+1, end) per row */
    TL_OP_INCLUDE,     /* render another template */
    TL_OP_CONTENT,     /* a layout's page slot */
    TL_OP_HLEVEL,      /* a heading's digit, shifted */
    TL_OP_IDPFX,       /* the id prefix */
    TL_OP_BOOLATTR,    /* " name" when the value is true */
    TL_OP_OPTATTR      /* ' name="value"' when the value is not empty */
} tl_opcode;

typedef enum {
    TL_CTX_TEXT,
    TL_CTX_ATTR,
    TL_CTX_URL,
    TL_CTX_URL_PART,
    TL_CTX_JSON
} tl_context;

typedef struct {
    tl_opcode code;
    tl_context ctx;
    int negate;
    int end;
    int level;
    const char *text;       /* TEXT bytes; BOOLATTR/OPTATTR attribute name */
    size_t len;
    const char *name;       /* the value, result set or template named */
    const char *match;      /* EACH: the joining column */
    const tl_tpl *target;   /* INCLUDE, once linked */
} tl_op;

struct tl_tpl {
    const char *name;
    const char *file;
    tl_op *ops;
    int nops;
    uint64_t source_hash;
};

/* Compiles html into a template allocated from p. */
apr_status_t tl_tpl_compile(apr_pool_t *p, const char *name, const char *file,
                            const char *html, size_t len, tl_tpl **out, const char **err);

#endif
