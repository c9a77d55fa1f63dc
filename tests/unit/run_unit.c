#include <stdlib.h>
#include <apr_general.h>
#include "unit.h"

int main(void)
{
    SRunner *sr;
    int failed;

    apr_initialize();
    sr = srunner_create(tl_tpl_suite());
    srunner_add_suite(sr, tl_escape_suite());
    srunner_add_suite(sr, tl_hours_suite());
    srunner_add_suite(sr, tl_query_suite());
    srunner_add_suite(sr, tl_valid_suite());
    srunner_add_suite(sr, tl_csrf_suite());
    srunner_add_suite(sr, tl_date_suite());
    srunner_add_suite(sr, tl_csv_suite());
    srunner_add_suite(sr, tl_seal_suite());
    srunner_add_suite(sr, tl_qr_suite());
    srunner_add_suite(sr, tl_image_suite());
    srunner_add_suite(sr, tl_multipart_suite());
    srunner_add_suite(sr, tl_csv_read_suite());
    srunner_add_suite(sr, tl_mail_suite());
    srunner_add_suite(sr, tl_token_suite());
    srunner_add_suite(sr, tl_ords_suite());
    srunner_add_suite(sr, tl_ical_suite());
    srunner_add_suite(sr, tl_atom_suite());
    srunner_add_suite(sr, tl_utf8_suite());
    srunner_add_suite(sr, tl_bytea_suite());
    srunner_add_suite(sr, tl_chart_suite());
    srunner_add_suite(sr, tl_sip2_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
