#include <string.h>
#include <apr_pools.h>
#include "unit.h"
#include "tl_qr.h"

START_TEST(an_svg_image_of_the_code)
{
    apr_pool_t *pool;
    apr_size_t len = 0;
    const char *svg;

    apr_pool_create(&pool, NULL);
    svg = tl_qr_svg(pool, "https://mediatheque.example.fr/tierslieux/outils/12", &len);
    ck_assert_ptr_nonnull(svg);
    ck_assert_int_eq(strlen(svg), len);
    ck_assert_int_eq(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 53), 0);
    ck_assert_ptr_nonnull(strstr(svg, "<path fill=\"#000\" d=\"M4 4h7v1h-7z"));   /* the top-left finder */
    ck_assert_ptr_null(tl_qr_svg(pool, "", &len));
    apr_pool_destroy(pool);
}
END_TEST

Suite *tl_qr_suite(void)
{
    Suite *s = suite_create("qr");
    TCase *tc = tcase_create("svg");
    tcase_add_test(tc, an_svg_image_of_the_code);
    suite_add_tcase(s, tc);
    return s;
}
