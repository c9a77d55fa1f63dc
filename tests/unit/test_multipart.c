#include <stdio.h>
#include <string.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "unit.h"
#include "tl_multipart.h"

static apr_pool_t *pool;
static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

static const tl_multipart_limits limits = { 16, 1024 };

static tl_multipart_status parse_lim(const char *ct, const char *body, size_t len, const tl_multipart_limits *lim,
                                     tl_multipart *mp, const char **err)
{
    /* An exact-size copy, so reading past the end trips ASan in a sanitizer
     * build. */
    char *copy = apr_pmemdup(pool, body, len ? len : 1);
    return tl_multipart_parse(pool, ct, copy, len, lim, mp, err);
}

static tl_multipart_status parse(const char *ct, const char *body, tl_multipart *mp, const char **err)
{
    return parse_lim(ct, body, strlen(body), &limits, mp, err);
}

#define CHROMIUM_CT "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"
#define CHROMIUM_B "------WebKitFormBoundary7MA4YWxkTrZu0gW"

/* What Chromium sends for <form enctype="multipart/form-data"> with a
 * hidden token, a select and a file. */
START_TEST(chromium_file_and_fields)
{
    static const char body[] =
        CHROMIUM_B "\r\n"
        "Content-Disposition: form-data; name=\"jeton\"\r\n"
        "\r\n"
        "v1.1767225600.abc\r\n"
        CHROMIUM_B "\r\n"
        "Content-Disposition: form-data; name=\"lieu\"\r\n"
        "\r\n"
        "la-fabrique\r\n"
        CHROMIUM_B "\r\n"
        "Content-Disposition: form-data; name=\"fichier\"; filename=\"outils été.csv\"\r\n"
        "Content-Type: text/csv\r\n"
        "\r\n"
        "Code;Désignation\r\nOT-0001;Scie sauteuse électrique\r\n\r\n"
        CHROMIUM_B "--\r\n";
    tl_multipart mp;
    const char *err = NULL;
    const tl_multipart_part *f;

    ck_assert_int_eq(parse(CHROMIUM_CT, body, &mp, &err), TL_MULTIPART_OK);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(mp.n, 3);
    ck_assert_str_eq(mp.parts[0].name, "jeton");
    ck_assert_ptr_null(mp.parts[0].filename);
    ck_assert_ptr_null(mp.parts[0].content_type);
    ck_assert_uint_eq(mp.parts[0].len, strlen("v1.1767225600.abc"));
    ck_assert_int_eq(memcmp(mp.parts[0].data, "v1.1767225600.abc", mp.parts[0].len), 0);
    ck_assert_str_eq(mp.parts[1].name, "lieu");
    ck_assert_uint_eq(mp.parts[1].len, 11);
    ck_assert_int_eq(memcmp(mp.parts[1].data, "la-fabrique", 11), 0);

    f = tl_multipart_get(&mp, "fichier");
    ck_assert_ptr_eq(f, &mp.parts[2]);
    ck_assert_str_eq(f->filename, "outils été.csv");
    ck_assert_str_eq(f->content_type, "text/csv");
    /* The file's own final CRLF belongs to it; the delimiter's does not. */
    ck_assert_uint_eq(f->len, strlen("Code;Désignation\r\nOT-0001;Scie sauteuse électrique\r\n"));
    ck_assert_int_eq(memcmp(f->data, "Code;Désignation\r\nOT-0001;Scie sauteuse électrique\r\n", f->len), 0);
    ck_assert_ptr_null(tl_multipart_get(&mp, "autre"));
}
END_TEST

/* What `curl -F lieu=la-fabrique -F fichier=@inventaire.csv` sends: its
 * boundary is dashes and hex, its text fields have no Content-Type. */
START_TEST(curl_body)
{
    static const char ct[] = "multipart/form-data; boundary=------------------------d74496d66958873e";
    static const char body[] =
        "--------------------------d74496d66958873e\r\n"
        "Content-Disposition: form-data; name=\"lieu\"\r\n"
        "\r\n"
        "la-fabrique\r\n"
        "--------------------------d74496d66958873e\r\n"
        "Content-Disposition: form-data; name=\"fichier\"; filename=\"inventaire.csv\"\r\n"
        "Content-Type: text/csv\r\n"
        "\r\n"
        "barcode,name\nOT-1,Drill\n\r\n"
        "--------------------------d74496d66958873e--\r\n";
    tl_multipart mp;
    const char *err = NULL;

    ck_assert_int_eq(parse(ct, body, &mp, &err), TL_MULTIPART_OK);
    ck_assert_int_eq(mp.n, 2);
    ck_assert_str_eq(mp.parts[0].name, "lieu");
    ck_assert_ptr_null(mp.parts[0].content_type);
    ck_assert_str_eq(mp.parts[1].filename, "inventaire.csv");
    ck_assert_uint_eq(mp.parts[1].len, strlen("barcode,name\nOT-1,Drill\n"));
    ck_assert_int_eq(memcmp(mp.parts[1].data, "barcode,name\nOT-1,Drill\n", mp.parts[1].len), 0);
    /* Zero copy: the content points into the body. */
    ck_assert_int_eq(memcmp(mp.parts[1].data - 4, "\r\n\r\n", 4), 0);
}
END_TEST

/* A file holding CRLFs, a lone CR, the start of the boundary and even the
 * whole boundary followed by something else: all of it is content. */
START_TEST(boundary_lookalikes_are_content)
{
    static const char content[] =
        "a\r\nb\rc\n"
        "\r\n------WebKitFormBound\r\n"
        "\r\n" CHROMIUM_B "X\r\n"
        "\r\n" CHROMIUM_B "-\r\n"
        "\r\n" CHROMIUM_B " x\r\n"
        "y" CHROMIUM_B "\r\n"
        "\r\n-" CHROMIUM_B;
    char body[1024];
    tl_multipart mp;
    const char *err = NULL;

    snprintf(body, sizeof(body),
             CHROMIUM_B "\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"x.bin\"\r\n"
             "Content-Type: application/octet-stream\r\n\r\n%s\r\n" CHROMIUM_B "--\r\n",
             content);
    ck_assert_int_eq(parse(CHROMIUM_CT, body, &mp, &err), TL_MULTIPART_OK);
    ck_assert_int_eq(mp.n, 1);
    ck_assert_str_eq(mp.parts[0].content_type, "application/octet-stream");
    ck_assert_uint_eq(mp.parts[0].len, strlen(content));
    ck_assert_int_eq(memcmp(mp.parts[0].data, content, mp.parts[0].len), 0);
}
END_TEST

START_TEST(quoted_boundary_and_parameters)
{
    static const char body[] =
        "--a:b=c d\r\n"
        "content-disposition: FORM-DATA ; name=jeton\r\n"
        "\r\n"
        "x\r\n"
        "--a:b=c d\r\n"
        "Content-Disposition: form-data; name=\"dit \\\"la scie\\\"\"; "
        "filename=\"C:\\Users\\marie\\liste.csv\"; filename*=UTF-8''liste%C3%A9.csv\r\n"
        "\r\n"
        "\r\n"
        "--a:b=c d--";
    tl_multipart mp;
    const char *err = NULL;

    ck_assert_int_eq(parse("Multipart/Form-Data; charset=utf-8; boundary=\"a:b=c d\"", body, &mp, &err),
                     TL_MULTIPART_OK);
    ck_assert_int_eq(mp.n, 2);
    ck_assert_str_eq(mp.parts[0].name, "jeton");
    ck_assert_uint_eq(mp.parts[0].len, 1);
    ck_assert_str_eq(mp.parts[1].name, "dit \"la scie\"");
    /* Backslashes that escape nothing stay: old browsers sent Windows paths. */
    ck_assert_str_eq(mp.parts[1].filename, "C:\\Users\\marie\\liste.csv");
    ck_assert_uint_eq(mp.parts[1].len, 0);
}
END_TEST

START_TEST(preamble_padding_and_epilogue)
{
    static const char body[] =
        "Ceci est un préambule que les lecteurs ignorent.\r\n"
        "--frontiere  \r\n"
        "Content-Disposition: form-data; name=\"fichier\"; filename=\"\"\r\n"
        "Content-Type: application/octet-stream\r\n"
        "\r\n"
        "\r\n"
        "--frontiere--\r\nEt un épilogue.\r\n--frontiere\r\n";
    tl_multipart mp;
    const char *err = NULL;

    ck_assert_int_eq(parse("multipart/form-data; boundary=frontiere", body, &mp, &err), TL_MULTIPART_OK);
    ck_assert_int_eq(mp.n, 1);
    /* A file field left empty: an empty filename, no content. */
    ck_assert_str_eq(mp.parts[0].filename, "");
    ck_assert_uint_eq(mp.parts[0].len, 0);
    /* No part at all is a form with no field, not an error. */
    ck_assert_int_eq(parse("multipart/form-data; boundary=frontiere", "--frontiere--\r\n", &mp, &err),
                     TL_MULTIPART_OK);
    ck_assert_int_eq(mp.n, 0);
}
END_TEST

START_TEST(missing_end_is_incomplete)
{
    static const char *const bodies[] = {
        /* cut inside the file */
        "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.csv\"\r\n\r\nCode;Nom\r\nOT-1",
        /* cut inside the closing delimiter */
        "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--b-",
        /* a delimiter where the closing one should be, then nothing */
        "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--b",
        /* cut inside the headers */
        "--b\r\nContent-Disposition: form-data; na",
        "--b\r\nContent-Disposition: form-data; name=\"f\"\r",
        /* no delimiter at all, or nothing */
        "Code;Nom\r\n",
        "",
        NULL,
    };
    tl_multipart mp;
    const char *err;
    int i;

    for (i = 0; bodies[i]; i++) {
        err = NULL;
        ck_assert_int_eq(parse("multipart/form-data; boundary=b", bodies[i], &mp, &err), TL_MULTIPART_INCOMPLETE);
        ck_assert_str_eq(err, "Le fichier envoyé est incomplet : renvoyez-le.");
    }
}
END_TEST

START_TEST(too_many_parts)
{
    static const char body[] =
        "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
        "--b\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n"
        "--b\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n3\r\n"
        "--b--\r\n";
    tl_multipart_limits two = { 2, 1024 }, three = { 3, 1024 };
    tl_multipart mp;
    const char *err = NULL;

    ck_assert_int_eq(parse_lim("multipart/form-data; boundary=b", body, strlen(body), &two, &mp, &err),
                     TL_MULTIPART_TOO_MANY_PARTS);
    ck_assert_str_eq(err, "Le formulaire envoyé contient trop de champs ou de fichiers.");
    err = NULL;
    ck_assert_int_eq(parse_lim("multipart/form-data; boundary=b", body, strlen(body), &three, &mp, &err),
                     TL_MULTIPART_OK);
    ck_assert_int_eq(mp.n, 3);
    ck_assert_str_eq(mp.parts[2].name, "c");
    ck_assert_int_eq(mp.parts[2].data[0], '3');
}
END_TEST

START_TEST(content_type_and_boundary_checked)
{
    static const char body[] = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n";
    char ct[200], b71[72];
    tl_multipart mp;
    const char *err = NULL;

    ck_assert_int_eq(parse("application/x-www-form-urlencoded", body, &mp, &err), TL_MULTIPART_NOT_FORM);
    ck_assert_str_eq(err, "Le formulaire n'a pas été envoyé comme prévu : rechargez la page et recommencez.");
    ck_assert_int_eq(parse(NULL, body, &mp, &err), TL_MULTIPART_NOT_FORM);
    ck_assert_int_eq(parse("multipart/form-datax; boundary=b", body, &mp, &err), TL_MULTIPART_NOT_FORM);
    ck_assert_int_eq(parse("multipart/form-data", body, &mp, &err), TL_MULTIPART_BAD_BOUNDARY);
    ck_assert_int_eq(parse("multipart/form-data; boundary=", body, &mp, &err), TL_MULTIPART_BAD_BOUNDARY);
    ck_assert_int_eq(parse("multipart/form-data; boundary=\"\"", body, &mp, &err), TL_MULTIPART_BAD_BOUNDARY);
    ck_assert_int_eq(parse("multipart/form-data; boundary=\"b \"", body, &mp, &err), TL_MULTIPART_BAD_BOUNDARY);
    ck_assert_int_eq(parse("multipart/form-data; boundary=\"b", body, &mp, &err), TL_MULTIPART_BAD_BOUNDARY);
    ck_assert_int_eq(parse("multipart/form-data; boundary=b; boundary=c", body, &mp, &err),
                     TL_MULTIPART_BAD_BOUNDARY);
    ck_assert_int_eq(parse("multipart/form-data; boundary=a<b", body, &mp, &err), TL_MULTIPART_BAD_BOUNDARY);

    /* 70 characters is the most RFC 2046 allows. */
    memset(b71, 'z', 71);
    b71[71] = '\0';
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b71);
    ck_assert_int_eq(parse(ct, body, &mp, &err), TL_MULTIPART_BAD_BOUNDARY);
    b71[70] = '\0';
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b71);
    {
        char body70[300];
        snprintf(body70, sizeof(body70), "--%s\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--%s--",
                 b71, b71);
        ck_assert_int_eq(parse(ct, body70, &mp, &err), TL_MULTIPART_OK);
        ck_assert_int_eq(mp.n, 1);
    }
}
END_TEST

START_TEST(headers_are_strict)
{
    static const char ct[] = "multipart/form-data; boundary=b";
    tl_multipart mp;
    const char *err = NULL;
    char nul_name[] = "--b\r\nContent-Disposition: form-data; name=\"a?b\"\r\n\r\n1\r\n--b--\r\n";
    tl_multipart_limits small = { 16, 60 };
    static const char long_name[] = "--b\r\nContent-Disposition: form-data; name=\"f\"; "
                                    "filename=\"un-nom-de-fichier-bien-trop-long.csv\"\r\n\r\n1\r\n--b--";
    static const char short_name[] = "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n1\r\n--b--";

    /* LF alone ends no header line. */
    ck_assert_int_eq(parse(ct, "--b\r\nContent-Disposition: form-data; name=\"a\"\n\n1\r\n--b--\r\n", &mp, &err),
                     TL_MULTIPART_BAD_HEADER);
    ck_assert_str_eq(err, "Le formulaire envoyé est mal formé : rechargez la page et recommencez.");
    ck_assert_int_eq(parse(ct, "--b\nContent-Disposition: form-data; name=\"a\"\n\n1\n--b--\n", &mp, &err),
                     TL_MULTIPART_BAD_HEADER);
    /* No name, an empty name, no Content-Disposition, another disposition. */
    ck_assert_int_eq(parse(ct, "--b\r\nContent-Disposition: form-data; filename=\"a.csv\"\r\n\r\n1\r\n--b--", &mp,
                           &err),
                     TL_MULTIPART_NO_NAME);
    ck_assert_int_eq(parse(ct, "--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n1\r\n--b--", &mp, &err),
                     TL_MULTIPART_NO_NAME);
    ck_assert_int_eq(parse(ct, "--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--", &mp, &err),
                     TL_MULTIPART_NO_NAME);
    ck_assert_int_eq(parse(ct, "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n--b--", &mp, &err),
                     TL_MULTIPART_BAD_HEADER);
    /* A NUL inside the name. */
    nul_name[strlen("--b\r\nContent-Disposition: form-data; name=\"a")] = '\0';
    ck_assert_int_eq(parse_lim(ct, nul_name, sizeof(nul_name) - 1, &limits, &mp, &err), TL_MULTIPART_BAD_HEADER);
    /* Bytes that are not UTF-8: in a name, in a filename (a message about
     * the file then). */
    ck_assert_int_eq(parse(ct, "--b\r\nContent-Disposition: form-data; name=\"\xff\"\r\n\r\n1\r\n--b--", &mp, &err),
                     TL_MULTIPART_BAD_NAME);
    ck_assert_int_eq(parse(ct,
                           "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\xe9t\xe9.csv\"\r\n\r\n"
                           "1\r\n--b--",
                           &mp, &err),
                     TL_MULTIPART_BAD_NAME);
    ck_assert_str_eq(err, "Le nom du fichier envoyé contient des caractères illisibles : renommez-le et renvoyez-le.");
    /* Folded lines, a line without ':', a parameter twice, an unclosed quote. */
    ck_assert_int_eq(parse(ct, "--b\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\n1\r\n--b--", &mp, &err),
                     TL_MULTIPART_BAD_HEADER);
    ck_assert_int_eq(parse(ct, "--b\r\nContent-Disposition form-data\r\n\r\n1\r\n--b--", &mp, &err),
                     TL_MULTIPART_BAD_HEADER);
    ck_assert_int_eq(parse(ct, "--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\n1\r\n--b--", &mp, &err),
                     TL_MULTIPART_BAD_HEADER);
    ck_assert_int_eq(parse(ct, "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n--b--", &mp, &err),
                     TL_MULTIPART_BAD_HEADER);
    /* Headers over the limit. */
    ck_assert_int_eq(parse_lim(ct, long_name, strlen(long_name), &small, &mp, &err), TL_MULTIPART_HEADER_TOO_LONG);
    ck_assert_str_eq(err, "Le nom du fichier envoyé est trop long : renommez-le plus court et renvoyez-le.");
    ck_assert_int_eq(parse_lim(ct, short_name, strlen(short_name), &small, &mp, &err), TL_MULTIPART_OK);
    ck_assert_str_eq(mp.parts[0].name, "f");
}
END_TEST

Suite *tl_multipart_suite(void)
{
    Suite *s = suite_create("multipart");
    TCase *tc = tcase_create("form-data");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, chromium_file_and_fields);
    tcase_add_test(tc, curl_body);
    tcase_add_test(tc, boundary_lookalikes_are_content);
    tcase_add_test(tc, quoted_boundary_and_parameters);
    tcase_add_test(tc, preamble_padding_and_epilogue);
    tcase_add_test(tc, missing_end_is_incomplete);
    tcase_add_test(tc, too_many_parts);
    tcase_add_test(tc, content_type_and_boundary_checked);
    tcase_add_test(tc, headers_are_strict);
    suite_add_tcase(s, tc);
    return s;
}
