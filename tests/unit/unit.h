/* The unit test suites of the httpd-free core, collected by run_unit.c. */
#ifndef TL_UNIT_H
#define TL_UNIT_H

#include <check.h>

Suite *tl_tpl_suite(void);
Suite *tl_escape_suite(void);
Suite *tl_hours_suite(void);
Suite *tl_query_suite(void);
Suite *tl_valid_suite(void);
Suite *tl_csrf_suite(void);
Suite *tl_date_suite(void);
Suite *tl_csv_suite(void);
Suite *tl_seal_suite(void);
Suite *tl_qr_suite(void);
Suite *tl_multipart_suite(void);
Suite *tl_csv_read_suite(void);
Suite *tl_mail_suite(void);
Suite *tl_token_suite(void);
Suite *tl_ords_suite(void);
Suite *tl_ical_suite(void);
Suite *tl_atom_suite(void);
Suite *tl_utf8_suite(void);
Suite *tl_bytea_suite(void);
Suite *tl_image_suite(void);
Suite *tl_chart_suite(void);
Suite *tl_sip2_suite(void);

#endif
