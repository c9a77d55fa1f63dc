#include <string.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "unit.h"
#include "tl_mail.h"

static apr_pool_t *pool;
static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

/* 2026-11-22 18:05:09 UTC */
#define T_2026_11_22 (APR_INT64_C(1795370709) * APR_USEC_PER_SEC)

static tl_mail sample(void)
{
    tl_mail m = {
        .from_name = "Médiathèque Jules-Verne",
        .from_addr = "rappels@saint-aubin.example.fr",
        .reply_to = "mediatheque@saint-aubin.example.fr",
        .to = "claire.martin@example.org",
        .subject = "Rappel : Perceuse à percussion à rendre le 25 novembre 2026",
        .body = "Bonjour Claire,\n\nMerci de la rapporter.\n",
        .date = T_2026_11_22,
        .gmtoff = 3600,
        .id_left = "tl.42.1795370709.0a1b2c3d",
        .id_domain = "saint-aubin.example.fr",
    };
    return m;
}

static const char *build(const tl_mail *m, const char *eol)
{
    char *out = NULL;
    apr_size_t len = 0;
    const char *err = tl_mail_build(pool, m, eol, &out, &len);

    ck_assert_msg(err == NULL, "refused: %s", err ? err : "");
    ck_assert_uint_eq(strlen(out), len);
    return out;
}

static const char *refused(const tl_mail *m)
{
    char *out = NULL;
    apr_size_t len = 0;
    return tl_mail_build(pool, m, "\r\n", &out, &len);
}

START_TEST(whole_message_bytes)
{
    tl_mail m = sample();
    ck_assert_str_eq(build(&m, "\r\n"),
        "Date: Sun, 22 Nov 2026 19:05:09 +0100\r\n"
        "From: =?UTF-8?B?TcOpZGlhdGjDqHF1ZSBKdWxlcy1WZXJuZQ==?=\r\n"
        " <rappels@saint-aubin.example.fr>\r\n"
        "Reply-To: mediatheque@saint-aubin.example.fr\r\n"
        "To: claire.martin@example.org\r\n"
        "Subject: =?UTF-8?B?UmFwcGVsIDogUGVyY2V1c2Ugw6AgcGVyY3Vzc2lvbiDDoCByZW5k?=\r\n"
        " =?UTF-8?B?cmUgbGUgMjUgbm92ZW1icmUgMjAyNg==?=\r\n"
        "Message-ID: <tl.42.1795370709.0a1b2c3d@saint-aubin.example.fr>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "\r\n"
        "Bonjour Claire,\r\n"
        "\r\n"
        "Merci de la rapporter.\r\n");
}
END_TEST

START_TEST(local_line_ends_and_ascii_headers)
{
    tl_mail m = sample();
    m.from_name = "La Fabrique \"atelier\"";
    m.reply_to = NULL;
    m.subject = "Votre reservation est prete";
    m.gmtoff = -5 * 3600 - 30 * 60;
    ck_assert_str_eq(build(&m, "\n"),
        "Date: Sun, 22 Nov 2026 12:35:09 -0530\n"
        "From: \"La Fabrique \\\"atelier\\\"\" <rappels@saint-aubin.example.fr>\n"
        "To: claire.martin@example.org\n"
        "Subject: Votre reservation est prete\n"
        "Message-ID: <tl.42.1795370709.0a1b2c3d@saint-aubin.example.fr>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "Auto-Submitted: auto-generated\n"
        "\n"
        "Bonjour Claire,\n"
        "\n"
        "Merci de la rapporter.\n");
}
END_TEST

START_TEST(long_ascii_subject_is_folded)
{
    tl_mail m = sample();
    const char *out, *s, *e;
    m.subject = "Rappel : the quick brown fox jumps over the lazy dog and then over the lazy cat again";
    out = build(&m, "\r\n");
    s = strstr(out, "Subject: ");
    e = strstr(s, "\r\nMessage-ID");
    ck_assert_str_eq(apr_pstrndup(pool, s, (apr_size_t)(e - s)),
        "Subject: Rappel : the quick brown fox jumps over the lazy dog and then over\r\n"
        " the lazy cat again");
}
END_TEST

START_TEST(encoded_words_keep_characters_whole)
{
    tl_mail m = sample();
    const char *out, *line, *next;
    /* 40 "é" (80 bytes): words of 38 bytes (19 characters), never 39. */
    m.subject = "éééééééééééééééééééééééééééééééééééééééé";
    out = build(&m, "\r\n");
    ck_assert_ptr_nonnull(strstr(out,
        "Subject: =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n"
        " =?UTF-8?B?w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n"
        " =?UTF-8?B?w6nDqQ==?=\r\n"));
    for (line = out; (next = strstr(line, "\r\n")) != NULL; line = next + 2) {
        ck_assert_int_le(next - line, 78);
    }
}
END_TEST

START_TEST(body_quoted_printable)
{
    tl_mail m = sample();
    const char *out, *body;
    m.body = "Prêt à rendre = demain \nFrom here\r\n.\nfin\t";
    out = build(&m, "\r\n");
    body = strstr(out, "\r\n\r\n") + 4;
    ck_assert_str_eq(body,
        "Pr=C3=AAt =C3=A0 rendre =3D demain=20\r\n"
        "=46rom here\r\n"
        "=2E\r\n"
        "fin=09\r\n");
}
END_TEST

START_TEST(long_body_lines_are_soft_broken)
{
    tl_mail m = sample();
    const char *out, *body, *line, *next;
    char text[400];
    size_t i;

    for (i = 0; i < 200; i++) {
        text[i] = (char)('a' + i % 26);
    }
    memcpy(text + 200, "é", 2);
    text[202] = '\0';
    m.body = text;
    out = build(&m, "\r\n");
    body = strstr(out, "\r\n\r\n") + 4;
    /* 75 characters and "=" per line, then the rest, never more than 76. */
    ck_assert_int_eq((int)(strstr(body, "\r\n") - body), 76);
    ck_assert_int_eq(body[75], '=');
    ck_assert_ptr_nonnull(strstr(body, "=C3=A9\r\n"));
    for (line = body; (next = strstr(line, "\r\n")) != NULL; line = next + 2) {
        ck_assert_int_le(next - line, 76);
    }
    /* an "=XX" is never split by a soft break */
    m.body = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxé";
    body = strstr(build(&m, "\r\n"), "\r\n\r\n") + 4;
    ck_assert_str_eq(body, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=\r\n=C3=A9\r\n");
}
END_TEST

START_TEST(header_injection_is_refused)
{
    tl_mail m = sample();
    m.subject = "Rappel\r\nBcc: tout-le-monde@example.org";
    ck_assert_ptr_nonnull(refused(&m));
    m = sample();
    m.subject = "Rappel\nBcc: x@example.org";
    ck_assert_ptr_nonnull(refused(&m));
    m = sample();
    m.from_name = "Lieu\rBcc: x@example.org";
    ck_assert_ptr_nonnull(refused(&m));
    m = sample();
    m.to = "claire@example.org\r\nBcc: x@example.org";
    ck_assert_ptr_nonnull(refused(&m));
    m = sample();
    m.to = "Claire <claire@example.org>";
    ck_assert_ptr_nonnull(refused(&m));
    m = sample();
    m.to = "a@example.org, b@example.org";
    ck_assert_ptr_nonnull(refused(&m));
    m = sample();
    m.reply_to = "x@example.org\nBcc: y@example.org";
    ck_assert_ptr_nonnull(refused(&m));
    m = sample();
    m.id_domain = "example.org>\r\nBcc: y@example.org";
    ck_assert_ptr_nonnull(refused(&m));
    m = sample();
    m.subject = "";
    ck_assert_ptr_nonnull(refused(&m));
    /* the reason names the field, never the value */
    m = sample();
    m.to = "claire@@example.org";
    ck_assert_ptr_null(strstr(refused(&m), "claire"));
}
END_TEST

START_TEST(addresses)
{
    ck_assert_int_eq(tl_mail_addr_ok("claire.martin+outils@example.org"), 1);
    ck_assert_int_eq(tl_mail_addr_ok("claire@example"), 1);
    ck_assert_int_eq(tl_mail_addr_ok("@example.org"), 0);
    ck_assert_int_eq(tl_mail_addr_ok("claire@"), 0);
    ck_assert_int_eq(tl_mail_addr_ok("cla ire@example.org"), 0);
    ck_assert_int_eq(tl_mail_addr_ok("clàire@example.org"), 0);
    ck_assert_int_eq(tl_mail_addr_ok(""), 0);
    ck_assert_int_eq(tl_mail_addr_ok(NULL), 0);
}
END_TEST

START_TEST(dates)
{
    char buf[TL_MAIL_DATE_SIZE];
    tl_mail_date(buf, T_2026_11_22, 0);
    ck_assert_str_eq(buf, "Sun, 22 Nov 2026 18:05:09 +0000");
    tl_mail_date(buf, T_2026_11_22 + APR_INT64_C(10) * 86400 * APR_USEC_PER_SEC, 3600);
    ck_assert_str_eq(buf, "Wed, 02 Dec 2026 19:05:09 +0100");
}
END_TEST

Suite *tl_mail_suite(void)
{
    Suite *s = suite_create("mail");
    TCase *tc = tcase_create("messages");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, whole_message_bytes);
    tcase_add_test(tc, local_line_ends_and_ascii_headers);
    tcase_add_test(tc, long_ascii_subject_is_folded);
    tcase_add_test(tc, encoded_words_keep_characters_whole);
    tcase_add_test(tc, body_quoted_printable);
    tcase_add_test(tc, long_body_lines_are_soft_broken);
    tcase_add_test(tc, header_injection_is_refused);
    tcase_add_test(tc, addresses);
    tcase_add_test(tc, dates);
    suite_add_tcase(s, tc);
    return s;
}
