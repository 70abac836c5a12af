/* lc_dateutil.h - whether python-dateutil's parser (dateutil.parser.parse with its defaults: month
 * first, no fuzzy matching, today's local date as the default) accepts a string, and the few
 * Python string rules that go with it (str.isspace, float()). Ludwig's type inference
 * (ludwig/utils/strings_utils.py is_datetime, is_number) asks exactly these questions of a column's
 * values; the answer, not the parsed date, is what it needs, so only the answer is computed.
 *
 * Limits (each far from real data): characters outside ASCII are letters, spaces (Python's
 * whitespace) or, never, digits, so Unicode digits that Python reads as numbers (Arabic-Indic,
 * full-width) are letters here; a time zone name of the local zone whose offset overflows Python's
 * timedelta is refused, as other names are.
 */
#ifndef LC_DATEUTIL_H
#define LC_DATEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* The local date dateutil completes a partial date with (datetime.now()); its year also picks the
 * century of a two-digit year. */
typedef struct lc_dateutil_today {
    int year, month, day;
} lc_dateutil_today;

/* Fills t from the local clock. */
void lc_dateutil_today_now(lc_dateutil_today *t);

/* 1 when dateutil.parser.parse(s) returns a datetime, 0 when it raises (any exception), -1 when
 * out of memory. s is UTF-8 (an invalid byte counts as a letter). */
int lc_dateutil_parses(const char *s, const lc_dateutil_today *t);

/* The next UTF-8 character of s (at least one byte; an invalid byte is one character, U+FFFD):
 * its length in bytes, and its code point in *cp. s must not be at its terminating NUL. */
size_t lc_utf8_next(const char *s, uint32_t *cp);

/* Python's str.isspace() for one code point. */
int lc_py_isspace(uint32_t cp);

/* Python's float(s) for a str: 1 when it converts (surrounding whitespace, one sign, digits with
 * single underscores between them, an optional point and exponent, or inf / infinity / nan in any
 * case), with the value in *out (may be NULL); 0 when it raises ValueError. */
int lc_py_float(const char *s, double *out);

#endif
