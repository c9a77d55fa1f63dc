/* tl_image: formats by content, sizes from headers, the EXIF orientation. */
#include <string.h>
#include "unit.h"
#include "tl_image.h"

#define U(s) ((const unsigned char *)(s))

START_TEST(formats_are_read_from_the_content)
{
    ck_assert_int_eq(tl_image_sniff(U("\xff\xd8\xff\xe0"), 4), TL_IMAGE_JPEG);
    ck_assert_int_eq(tl_image_sniff(U("\x89PNG\r\n\x1a\n"), 8), TL_IMAGE_PNG);
    ck_assert_int_eq(tl_image_sniff(U("RIFF\0\0\0\0WEBPVP8 "), 16), TL_IMAGE_WEBP);
    ck_assert_int_eq(tl_image_sniff(U("\0\0\0\x18" "ftypheic"), 12), TL_IMAGE_HEIC);
    ck_assert_int_eq(tl_image_sniff(U("\0\0\0\x18" "ftypisom"), 12), TL_IMAGE_UNKNOWN);
    ck_assert_int_eq(tl_image_sniff(U("\xef\xbb\xbf <?xml version=\"1.0\"?>\n<svg>"), 35), TL_IMAGE_SVG);
    ck_assert_int_eq(tl_image_sniff(U("<!DOCTYPE html><p>"), 18), TL_IMAGE_UNKNOWN);
    ck_assert_int_eq(tl_image_sniff(U("GIF89a"), 6), TL_IMAGE_UNKNOWN);
    ck_assert_int_eq(tl_image_sniff(U("\xff\xd8"), 2), TL_IMAGE_UNKNOWN);
}
END_TEST

START_TEST(sizes_come_from_the_header)
{
    static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\xc3\x50\0\0\xc3\x50\x08\x02\0\0\0";
    static const unsigned char jpeg[] = "\xff\xd8\xff\xe0\0\x04\0\0\xff\xc2\0\x0b\x08\x01\xe0\x02\x80\x01\x01\x11\0";
    static const unsigned char vp8x[] = "RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0\x7f\x02\0\xdf\x01\0";
    unsigned w, h;

    ck_assert_int_eq(tl_image_size(TL_IMAGE_PNG, png, sizeof(png) - 1, &w, &h), 0);
    ck_assert_uint_eq(w, 50000);
    ck_assert_uint_eq(h, 50000);
    ck_assert_int_eq(tl_image_size(TL_IMAGE_JPEG, jpeg, sizeof(jpeg) - 1, &w, &h), 0);
    ck_assert_uint_eq(w, 640);
    ck_assert_uint_eq(h, 480);
    ck_assert_int_eq(tl_image_size(TL_IMAGE_WEBP, vp8x, sizeof(vp8x) - 1, &w, &h), 0);
    ck_assert_uint_eq(w, 640);
    ck_assert_uint_eq(h, 480);
    /* Cut short: no size. */
    ck_assert_int_eq(tl_image_size(TL_IMAGE_PNG, png, 20, &w, &h), -1);
    ck_assert_uint_eq(w, 0);
    ck_assert_int_eq(tl_image_size(TL_IMAGE_JPEG, jpeg, 12, &w, &h), -1);
}
END_TEST

START_TEST(orientation_from_exif_in_both_byte_orders)
{
    static const unsigned char mm[] = "MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0";
    static const unsigned char ii[] = "II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x08\0\0\0";
    static const unsigned char bad[] = "II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x09\0\0\0";
    unsigned char jpeg[64];
    size_t n = 0;

    ck_assert_int_eq(tl_image_tiff_orientation(mm, sizeof(mm) - 1), 6);
    ck_assert_int_eq(tl_image_tiff_orientation(ii, sizeof(ii) - 1), 8);
    ck_assert_int_eq(tl_image_tiff_orientation(bad, sizeof(bad) - 1), 1);
    ck_assert_int_eq(tl_image_tiff_orientation(mm, 12), 1);
    /* In a JPEG's APP1. */
    memcpy(jpeg, "\xff\xd8\xff\xe1", 4);
    n = 4;
    jpeg[n++] = 0;
    jpeg[n++] = (unsigned char)(2 + 6 + sizeof(mm) - 1);
    memcpy(jpeg + n, "Exif\0\0", 6);
    n += 6;
    memcpy(jpeg + n, mm, sizeof(mm) - 1);
    n += sizeof(mm) - 1;
    memcpy(jpeg + n, "\xff\xda", 2);
    n += 2;
    ck_assert_int_eq(tl_image_orientation(TL_IMAGE_JPEG, jpeg, n), 6);
    ck_assert_int_eq(tl_image_orientation(TL_IMAGE_JPEG, jpeg, 20), 1);
}
END_TEST

START_TEST(names_must_agree_with_the_content)
{
    ck_assert(tl_image_name_matches("IMG_0001.JPG", TL_IMAGE_JPEG));
    ck_assert(tl_image_name_matches("photo.jpeg", TL_IMAGE_JPEG));
    ck_assert(tl_image_name_matches("C:\\Photos\\vue.Png", TL_IMAGE_PNG));
    ck_assert(tl_image_name_matches("IMG_0002.HEIC", TL_IMAGE_HEIC));
    ck_assert(tl_image_name_matches("image", TL_IMAGE_WEBP));
    ck_assert(tl_image_name_matches("dossier.v2/image", TL_IMAGE_WEBP));
    ck_assert(!tl_image_name_matches("photo.jpg", TL_IMAGE_PNG));
    ck_assert(!tl_image_name_matches("photo.png.jpg", TL_IMAGE_PNG));
    ck_assert(!tl_image_name_matches("dessin.svg", TL_IMAGE_JPEG));
    ck_assert(!tl_image_name_matches("photo.jpgx", TL_IMAGE_JPEG));
}
END_TEST

Suite *tl_image_suite(void)
{
    Suite *s = suite_create("image");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, formats_are_read_from_the_content);
    tcase_add_test(tc, sizes_come_from_the_header);
    tcase_add_test(tc, orientation_from_exif_in_both_byte_orders);
    tcase_add_test(tc, names_must_agree_with_the_content);
    suite_add_tcase(s, tc);
    return s;
}
