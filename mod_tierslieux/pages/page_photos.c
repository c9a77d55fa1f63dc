/* Photos of items: served to everyone (/photos/), added by référents on
 * /gestion/objet and by volunteers at the desk's item page, described,
 * ordered and removed by référents. An upload is read whole (15 MB at
 * most), its format read from its content and checked against its name,
 * then decoded by the image helper apart from httpd (glue/tl_images.c);
 * only the variants the helper made are kept, in one transaction
 * (tl.add_photo). Seed varieties (the grainothèque's back office) and the
 * ressourcerie's stock items (the desk) have photos the same way. */
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_bytea.h"
#include <http_protocol.h>
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"
#include "tl_buf.h"
#include "tl_image.h"
#include "tl_images.h"

/* ---- serving: /photos/ID-WIDTH.FORMAT ----------------------------------- */

/* "12-640.webp", "12.jpg" or "12": the photo, the width asked (the largest
 * by default) and the format (JPEG by default). */
static int tl_photo_name(apr_pool_t *pool, const char *s, const char **id, const char **width,
                         const char **format)
{
    const char *p = s, *start = s;

    while (*p >= '0' && *p <= '9') {
        p++;
    }
    if (p == start || p - start > 15) {
        return 0;
    }
    *id = apr_pstrmemdup(pool, start, (apr_size_t)(p - start));
    *width = "1280";
    *format = "jpg";
    if (*p == '-') {
        start = ++p;
        while (*p >= '0' && *p <= '9') {
            p++;
        }
        if (p == start || p - start > 4) {
            return 0;
        }
        *width = apr_pstrmemdup(pool, start, (apr_size_t)(p - start));
    }
    if (*p == '.') {
        if (strcmp(p + 1, "webp") == 0 || strcmp(p + 1, "jpg") == 0) {
            *format = p + 1;
            return 1;
        }
        return 0;
    }
    return *p == '\0';
}

int tl_page_photo(tl_req *q)
{
    request_rec *r = q->r;
    const char *id, *width, *format, *hex;
    const tl_rows *rows;
    int status = OK, rc;
    size_t len;
    long n;
    char *bytes;

    if (!tl_photo_name(r->pool, q->args[0], &id, &width, &format)) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Cette photo n'existe pas (ou plus).");
    }
    {
        const char *params[] = { id, format, width };
        if (!(rows = tl_db_query(q, "SELECT bytes, etag FROM tl.photo_variant_for($1::bigint, $2, $3::integer)",
                                 3, params, &status))) {
            return tl_page_failed(q, status);
        }
    }
    if (rows->count(rows) == 0) {
        return tl_render_error(q, HTTP_NOT_FOUND, "Cette photo n'existe pas (ou plus).");
    }
    /* A variant never changes: its address names it, its ETag is its
     * content's hash, and browsers keep it a year without asking. */
    apr_table_setn(r->headers_out, "ETag", apr_pstrcat(r->pool, "\"", rows->value(rows, 0, 1, &len), "\"", NULL));
    apr_table_setn(r->headers_out, "Cache-Control", "public, max-age=31536000, immutable");
    if (!r->main && (rc = ap_meets_conditions(r)) != OK) {
        return rc;
    }
    hex = rows->value(rows, 0, 0, &len);
    bytes = apr_palloc(r->pool, len / 2 + 1);
    if ((n = tl_bytea_decode(hex, len, (unsigned char *)bytes)) < 0) {
        return tl_page_failed(q, HTTP_INTERNAL_SERVER_ERROR);
    }
    return tl_send_body(q, strcmp(format, "webp") == 0 ? "image/webp" : "image/jpeg", bytes, (apr_size_t)n);
}

/* ---- an upload ---------------------------------------------------------- */

typedef struct {
    tl_req *q;
    tl_buf file;
    const char *filename;
    int files;                  /* file fields sent */
} tl_photo_upload;

static int tl_photo_begin(void *ctx, apr_table_t *fields, const tl_multipart_part *part, apr_size_t *max)
{
    tl_photo_upload *u = ctx;

    if (u->files++ || strcmp(part->name, "photo") != 0 || !*part->filename) {
        return 1;
    }
    u->filename = part->filename;
    *max = TL_IMAGES_MAX_BYTES;
    tl_buf_init(&u->file, u->q->r->pool, 256 * 1024);
    return 0;
}

static int tl_photo_data(void *ctx, const char *data, apr_size_t len)
{
    tl_buf_add(&((tl_photo_upload *)ctx)->file, data, len);
    return 0;
}

static int tl_photo_end(void *ctx)
{
    return 0;
}

/* An upload's checks and decoding: 1 with the helper's variants, or 0
 * with the message put under the "photo" field. */
static int tl_photo_prepare(tl_req *q, const tl_photo_upload *u, tl_image_result *img)
{
    const unsigned char *d = (const unsigned char *)u->file.data;
    tl_image_format f;
    const char *why;

    if (u->files > 1) {
        tl_form_error(q, "photo", "Envoyez une photo à la fois.");
        return 0;
    }
    if (!u->filename || u->file.len == 0) {
        tl_form_error(q, "photo", u->filename ? "Ce fichier est vide : choisissez une photo."
                                              : "Choisissez la photo à envoyer (JPEG, PNG, WebP ou HEIC, 15 Mo au plus).");
        return 0;
    }
    f = tl_image_sniff(d, u->file.len);
    if (f == TL_IMAGE_SVG) {
        tl_form_error(q, "photo", "Les dessins SVG ne sont pas acceptés : envoyez une photo JPEG, PNG, WebP ou HEIC. "
                                  "Rien n'a été gardé.");
        return 0;
    }
    if (f == TL_IMAGE_UNKNOWN) {
        tl_form_error(q, "photo", "Ce fichier n'est pas une photo : envoyez une image JPEG, PNG, WebP ou HEIC. "
                                  "Rien n'a été gardé.");
        return 0;
    }
    if (!tl_image_name_matches(u->filename, f)) {
        tl_form_error(q, "photo", apr_psprintf(q->r->pool, "Le nom de ce fichier annonce un autre format que son "
                                                           "contenu (une image %s) : envoyez la photo d'origine, sans "
                                                           "la renommer. Rien n'a été gardé.",
                                               f == TL_IMAGE_JPEG ? "JPEG" : f == TL_IMAGE_PNG ? "PNG"
                                               : f == TL_IMAGE_WEBP ? "WebP" : "HEIC"));
        return 0;
    }
    if (!tl_images_convert(q->r, u->file.data, u->file.len, img, &why)) {
        tl_form_error(q, "photo", why);
        return 0;
    }
    return 1;
}

/* tl.add_photo's arguments from the helper's variants: PostgreSQL arrays
 * and the bytes one after the other, in hex. */
static void tl_photo_params(apr_pool_t *p, const tl_image_result *img, const char **params)
{
    tl_buf fmts, widths, heights, lens, hex;
    int k;
    apr_size_t total = 0;

    for (k = 0; k < img->n; k++) {
        total += img->v[k].len;
    }
    tl_buf_init(&fmts, p, 64);
    tl_buf_init(&widths, p, 64);
    tl_buf_init(&heights, p, 64);
    tl_buf_init(&lens, p, 64);
    tl_buf_init(&hex, p, 2 * total + 3);
    tl_buf_adds(&hex, "\\x");
    for (k = 0; k < img->n; k++) {
        const char *sep = k ? "," : "{";
        tl_buf_adds(&fmts, apr_pstrcat(p, sep, img->v[k].format, NULL));
        tl_buf_adds(&widths, apr_psprintf(p, "%s%d", sep, img->v[k].width));
        tl_buf_adds(&heights, apr_psprintf(p, "%s%d", sep, img->v[k].height));
        tl_buf_adds(&lens, apr_psprintf(p, "%s%lu", sep, (unsigned long)img->v[k].len));
        tl_bytea_append(&hex, img->v[k].data, img->v[k].len);
    }
    tl_buf_addc(&fmts, '}');
    tl_buf_addc(&widths, '}');
    tl_buf_addc(&heights, '}');
    tl_buf_addc(&lens, '}');
    params[0] = tl_buf_cstr(&fmts);
    params[1] = tl_buf_cstr(&widths);
    params[2] = tl_buf_cstr(&heights);
    params[3] = tl_buf_cstr(&lens);
    params[4] = tl_buf_cstr(&hex);
}

static int tl_blank(const char *s)
{
    for (; *s; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') {
            return 0;
        }
    }
    return 1;
}

static const char tl_photo_other_place[] =
    "Cet objet appartient à un lieu où vous n'avez pas ce rôle : rien n'a été changé.";

/* Reads and keeps an upload for the item named by field number_field:
 * 1 when kept (*number set), 0 when the page shows its form again with
 * the message (a 422), -1 when an error page was sent (*status). */
static int tl_photo_add(tl_req *q, const char *form, const char *number_field, const char *sql,
                        const char **number, apr_table_t **fields, int *status)
{
    static const tl_change_rule rules[] = {
        { "photo_alt_not_blank", "alternative" },
        { "photo_alt_length", "alternative" },
        { TL_CHANGE_FORBIDDEN, NULL, tl_photo_other_place },
        { NULL, "photo" }
    };
    static const tl_form_file_handler fh = { tl_photo_begin, tl_photo_data, tl_photo_end };
    apr_pool_t *p = q->r->pool;
    tl_photo_upload u;
    tl_image_result img;
    apr_table_t *f;
    const char *alt, *params[8];
    int rc;

    memset(&u, 0, sizeof(u));
    u.q = q;
    if (!tl_form_read_stream(q, form, TL_IMAGES_MAX_BYTES + 64 * 1024, &fh, &u, &f, &rc)) {
        *status = rc;
        return -1;
    }
    *fields = f;
    *number = tl_field(f, number_field);
    if (!**number || tl_valid_text(p, "numéro", *number, 64)) {
        *status = tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet ni de variété.");
        return -1;
    }
    tl_form_keep(q, f, NULL, (const char *const[]){ "alternative", NULL });
    alt = tl_field(f, "alternative");
    if (tl_valid_text(p, "alternative", alt, 250)) {
        tl_form_error(q, "alternative", "La description tient en 250 caractères au plus, sur une ligne.");
    } else if (tl_blank(alt)) {
        tl_form_error(q, "alternative", "Décrivez la photo pour qui ne la voit pas (par exemple « perceuse rouge "
                                        "posée sur sa mallette ouverte »).");
    }
    if (!tl_photo_prepare(q, &u, &img) || tl_view_get(q->view, "errors")) {
        return 0;
    }
    params[0] = q->r->user;
    params[1] = *number;
    params[2] = alt;
    tl_photo_params(p, &img, params + 3);
    return tl_change(q, sql, 8, params, rules, NULL, status, NULL);
}

static const char tl_sql_add_photo[] =
    "SELECT tl.add_photo($1, $2, $3, $4::text[], $5::integer[], $6::integer[], $7::integer[], $8::bytea)";

/* POST /gestion/objet/photo: a référent adds a photo to an item. */
int tl_page_admin_item_photo(tl_req *q)
{
    const char *number = NULL;
    apr_table_t *f;
    int status = OK, rc = tl_photo_add(q, "gestion-objet", "existant", tl_sql_add_photo, &number, &f, &status);

    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(q->r->pool, "/gestion/objet",
                                            (const char *const[]){ "numero", number, "fait", "photos", NULL }));
    }
    return tl_page_admin_item_show(q, number, HTTP_UNPROCESSABLE_ENTITY);
}

/* POST /guichet/objet/photo: a volunteer's snapshot at the desk. */
int tl_page_desk_item_photo(tl_req *q)
{
    const char *number = NULL;
    apr_table_t *f;
    int status = OK, rc = tl_photo_add(q, "maintenance", "numero", tl_sql_add_photo, &number, &f, &status);

    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(q->r->pool, "/guichet/objet",
                                            (const char *const[]){ "numero", number, "fait", "photo", NULL }));
    }
    return tl_page_desk_item_show(q, number, HTTP_UNPROCESSABLE_ENTITY);
}

/* POST /gestion/objet/photo/modifier: a photo's description, its place in
 * the list, or its removal. */
int tl_page_admin_item_photo_change(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_photo_other_place },
        { NULL, "photo" }
    };
    static const char *const actions[] = { "enregistrer", "monter", "descendre", "retirer" };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *number, *photo, *action, *alt;
    long id;
    int rc, status = OK, a = -1, k;

    if (!tl_form_read(q, "gestion-objet", &f, &rc)) {
        return rc;
    }
    number = tl_field(f, "existant");
    photo = tl_field(f, "photo");
    action = tl_field(f, "action");
    alt = tl_field(f, "alternative");
    for (k = 0; k < 4; k++) {
        if (strcmp(action, actions[k]) == 0) {
            a = k;
        }
    }
    if (!*number || tl_valid_text(p, "numéro", number, 32) || tl_valid_int(p, "photo", photo, 1, 999999999999L, &id)
        || a < 0) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet, de photo ou d'action.");
    }
    if (a == 0 && tl_valid_text(p, "alternative", alt, 250)) {
        return tl_render_error(q, HTTP_UNPROCESSABLE_ENTITY,
                               "La description d'une photo tient en 250 caractères au plus, sur une ligne : rien n'a "
                               "été changé.");
    }
    {
        const char *params[] = { q->r->user, number, photo, actions[a], alt };
        /* A refusal (a description left blank) is a page of its own: the
         * list shows several photos, each with its own form. */
        rc = tl_change(q, "SELECT tl.change_photo($1, $2, $3::bigint, $4, $5)", 5, params, rules, NULL, &status,
                       NULL);
    }
    if (rc < 0) {
        return status;
    }
    if (rc == 0) {
        return tl_render_error(q, HTTP_UNPROCESSABLE_ENTITY, tl_view_get(q->view, "err_photo"));
    }
    return tl_form_done(q, tl_url_build(p, "/gestion/objet",
                                        (const char *const[]){ "numero", number, "fait", "photos", NULL }));
}

/* ---- seed varieties (the network's list: any référent) ------------------ */

/* POST /gestion/graines/photo: a photo of a variety. */
int tl_page_admin_seeds_photo(tl_req *q)
{
    const char *variety = NULL, *place;
    apr_table_t *f = NULL;
    long id;
    int status = OK, rc = tl_photo_add(q, "gestion-graines", "variete",
                                       "SELECT tl.add_variety_photo($1, $2::integer, $3, $4::text[], $5::integer[], "
                                       "$6::integer[], $7::integer[], $8::bytea)", &variety, &f, &status);

    if (rc < 0) {
        return status;
    }
    place = tl_field(f, "lieu");
    if (tl_valid_int(q->r->pool, "variété", variety, 1, 2147483647L, &id) || tl_valid_slug(q->r->pool, "lieu", place, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de variété ou de lieu.");
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(q->r->pool, "/gestion/graines",
                                            (const char *const[]){ "lieu", place, "variete", variety, "fait",
                                                                   "photos", NULL }));
    }
    return tl_page_admin_seeds_variety(q, place, variety, HTTP_UNPROCESSABLE_ENTITY);
}

/* POST /gestion/graines/photo/modifier: a variety's photo described again,
 * moved or removed. */
int tl_page_admin_seeds_photo_change(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "Votre compte n'a le rôle référent dans aucun lieu : rien n'a été changé." },
        { NULL, "photo" }
    };
    static const char *const actions[] = { "enregistrer", "monter", "descendre", "retirer" };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *variety, *place, *photo, *action, *alt;
    long id;
    int rc, status = OK, a = -1, k;

    if (!tl_form_read(q, "gestion-graines", &f, &rc)) {
        return rc;
    }
    variety = tl_field(f, "variete");
    place = tl_field(f, "lieu");
    photo = tl_field(f, "photo");
    action = tl_field(f, "action");
    alt = tl_field(f, "alternative");
    for (k = 0; k < 4; k++) {
        if (strcmp(action, actions[k]) == 0) {
            a = k;
        }
    }
    if (tl_valid_int(p, "variété", variety, 1, 2147483647L, &id) || tl_valid_slug(p, "lieu", place, 64)
        || tl_valid_int(p, "photo", photo, 1, 999999999999L, &id) || a < 0) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de variété, de photo ou d'action.");
    }
    if (a == 0 && tl_valid_text(p, "description", alt, 250)) {
        return tl_render_error(q, HTTP_UNPROCESSABLE_ENTITY,
                               "La description d'une photo tient en 250 caractères au plus, sur une ligne : rien n'a "
                               "été changé.");
    }
    {
        const char *params[] = { q->r->user, variety, photo, actions[a], alt };
        rc = tl_change(q, "SELECT tl.change_variety_photo($1, $2::integer, $3::bigint, $4, $5)", 5, params, rules,
                       NULL, &status, NULL);
    }
    if (rc < 0) {
        return status;
    }
    if (rc == 0) {
        return tl_render_error(q, HTTP_UNPROCESSABLE_ENTITY, tl_view_get(q->view, "err_photo"));
    }
    return tl_form_done(q, tl_url_build(p, "/gestion/graines",
                                        (const char *const[]){ "lieu", place, "variete", variety, "fait", "photos",
                                                               NULL }));
}


/* ---- the ressourcerie's stock items (the volunteers of the item's place) - */

/* POST /guichet/ressourcerie/objet/photo: a photo of a stock item. */
int tl_page_desk_reuse_photo(tl_req *q)
{
    const char *number = NULL, *code;
    apr_table_t *f = NULL;
    int status = OK, rc = tl_photo_add(q, "ressourcerie-stock", "objet",
                                       "SELECT tl.add_reuse_photo($1, $2, $3, $4::text[], $5::integer[], "
                                       "$6::integer[], $7::integer[], $8::bytea)", &number, &f, &status);

    if (rc < 0) {
        return status;
    }
    if (!(code = tl_reuse_item_code(number))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet de la ressourcerie.");
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(q->r->pool, "/guichet/ressourcerie/objet",
                                            (const char *const[]){ "n", code, "fait", "photo", NULL }));
    }
    return tl_page_desk_reuse_item_show(q, code, HTTP_UNPROCESSABLE_ENTITY);
}

/* POST /guichet/ressourcerie/objet/photo/modifier: a stock item's photo
 * described again, moved or removed. */
int tl_page_desk_reuse_photo_change(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, tl_photo_other_place },
        { NULL, "photo" }
    };
    static const char *const actions[] = { "enregistrer", "monter", "descendre", "retirer" };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *code, *photo, *action, *alt;
    long id;
    int rc, status = OK, a = -1, k;

    if (!tl_form_read(q, "ressourcerie-stock", &f, &rc)) {
        return rc;
    }
    code = tl_reuse_item_code(tl_field(f, "objet"));
    photo = tl_field(f, "photo");
    action = tl_field(f, "action");
    alt = tl_field(f, "alternative");
    for (k = 0; k < 4; k++) {
        if (strcmp(action, actions[k]) == 0) {
            a = k;
        }
    }
    if (!code || tl_valid_int(p, "photo", photo, 1, 999999999999L, &id) || a < 0) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet, de photo ou d'action.");
    }
    if (a == 0 && tl_valid_text(p, "alternative", alt, 250)) {
        return tl_render_error(q, HTTP_UNPROCESSABLE_ENTITY,
                               "La description d'une photo tient en 250 caractères au plus, sur une ligne : rien n'a "
                               "été changé.");
    }
    {
        const char *params[] = { q->r->user, code, photo, actions[a], alt };
        rc = tl_change(q, "SELECT tl.change_reuse_photo($1, $2, $3::bigint, $4, $5)", 5, params, rules, NULL,
                       &status, NULL);
    }
    if (rc < 0) {
        return status;
    }
    if (rc == 0) {
        return tl_render_error(q, HTTP_UNPROCESSABLE_ENTITY, tl_view_get(q->view, "err_photo"));
    }
    return tl_form_done(q, tl_url_build(p, "/guichet/ressourcerie/objet",
                                        (const char *const[]){ "n", code, "fait", "photo", NULL }));
}
