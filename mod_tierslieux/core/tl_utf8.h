/* tl_utf8 — the one UTF-8 decoder of the core: everything that checks,
 * cuts or counts UTF-8 text (forms, query strings, templates, CSV files,
 * iCalendar lines, messages) goes through it, so they agree on what a
 * character is. */
#ifndef TL_UTF8_H
#define TL_UTF8_H

#include <stddef.h>

/* The length (1 to 4) of the well-formed UTF-8 sequence that starts s,
 * looking at most n bytes; 0 when there is none (n is 0, a continuation or
 * impossible byte, a sequence cut short, an overlong form, a surrogate,
 * past U+10FFFF). Its code point in *cp when cp is not NULL. */
size_t tl_utf8_decode(const char *s, size_t n, unsigned long *cp);

/* 1 if s[0..n) is well-formed UTF-8. */
int tl_utf8_valid(const char *s, size_t n);

/* How many bytes the sequence a lead byte starts announces (2 to 4), 1 for
 * an ASCII or continuation byte: for cutting text between characters
 * without judging it. */
size_t tl_utf8_lead_len(unsigned char lead);

#endif
