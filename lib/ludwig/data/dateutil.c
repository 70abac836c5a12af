/* dateutil.c - python-dateutil 2.8's parser.parse reduced to "does it accept this string"
 * (lc_dateutil.h), for Ludwig's type inference. The string is cut into tokens as dateutil's
 * _timelex cuts it, read token by token as parser._parse reads it (numbers, weekday and month
 * names, am/pm, time zones, the skippable words), its year/month/day candidates resolved as
 * _ymd.resolve_ymd resolves them, then checked as _build_naive would build it on today's date.
 * Where dateutil takes the fraction of an hour or a minute it uses Python's Decimal (28
 * significant digits, rounded half to even); that rounding is reproduced, since it can carry a
 * long fraction up to a whole minute. Nothing here builds a date: the date feature has its own
 * parser (lib/ludwig/features/date.c).
 */
#include "lc_dateutil.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* an unset field (Python's None) */
#define NONE LLONG_MIN
/* integers are saturated here: every field fails its range check far below */
#define BIG 1000000000000000LL
/* Python's Decimal context precision */
#define DEC_PREC 28

/* ------------------------------------------------------------------ Python string rules */

size_t lc_utf8_next(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c = u[0];
    size_t n;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        c &= 0x07;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) { /* also stops at the terminating NUL */
            *cp = 0xFFFD;
            return 1;
        }
        c = c << 6 | (u[i] & 0x3F);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return n;
}

int lc_py_isspace(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* ASCII case-insensitive equality of the n bytes at s with the lower-case word w */
static int word_eq(const char *s, size_t n, const char *w)
{
    size_t i = 0;
    for (; i < n && w[i]; i++)
        if (lower((unsigned char)s[i]) != w[i])
            return 0;
    return i == n && !w[i];
}

/* digits with single underscores between them, from *p; the count of digits (0: none) */
static size_t digitpart(const char **p, const char *end)
{
    const char *q = *p;
    size_t n = 0;
    while (q < end && is_digit(*q)) {
        q++;
        n++;
        if (q + 1 < end && *q == '_' && is_digit(q[1]))
            q++;
    }
    *p = q;
    return n;
}

int lc_py_float(const char *s, double *out)
{
    const char *p = s, *end = s + strlen(s);
    uint32_t cp;
    size_t k;
    while (p < end && (k = lc_utf8_next(p, &cp), lc_py_isspace(cp)))
        p += k;
    /* the end of the last character that is not whitespace */
    const char *e = p;
    for (const char *q = p; q < end; q += k) {
        k = lc_utf8_next(q, &cp);
        if (!lc_py_isspace(cp))
            e = q + k;
    }
    const char *q = p;
    if (q < e && (*q == '+' || *q == '-'))
        q++;
    size_t rest = (size_t)(e - q);
    if (word_eq(q, rest, "inf") || word_eq(q, rest, "infinity") || word_eq(q, rest, "nan")) {
        if (out)
            *out = word_eq(q, rest, "nan") ? (double)NAN : (*p == '-' ? -(double)INFINITY : (double)INFINITY);
        return 1;
    }
    size_t nd = digitpart(&q, e);
    if (q < e && *q == '.') {
        q++;
        nd += digitpart(&q, e);
    }
    if (nd == 0)
        return 0;
    if (q < e && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < e && (*q == '+' || *q == '-'))
            q++;
        if (digitpart(&q, e) == 0)
            return 0;
    }
    if (q != e)
        return 0;
    if (!out)
        return 1;
    /* strtod reads the same grammar once the underscores are gone */
    size_t len = (size_t)(e - p);
    char small[128];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf)
        return -1;
    size_t j = 0;
    for (const char *r = p; r < e; r++)
        if (*r != '_')
            buf[j++] = *r;
    buf[j] = '\0';
    *out = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    return 1;
}

/* Python's int(s[:n]) for the substrings dateutil converts: ASCII digits only (none of them
 * holds a sign, a space or an underscore), saturated at BIG. 0, or -1 for ValueError. */
static int py_int(const char *s, size_t n, long long *out)
{
    if (n == 0)
        return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v >= BIG ? BIG : v * 10 + (s[i] - '0');
    }
    *out = v > BIG ? BIG : v;
    return 0;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!is_digit(*s))
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ Decimal */

/* A finite Decimal as a numeric token spells it: digits, optionally a point and digits. */
typedef struct dec {
    const char *ip, *fp; /* integer and fraction digits */
    size_t il, fl;
} dec;

/* parser._to_decimal: 0, or -1 when Decimal() refuses the token or it is not finite */
static int dec_parse(const char *s, dec *d)
{
    d->ip = s;
    d->il = 0;
    while (is_digit(s[d->il]))
        d->il++;
    d->fp = s + d->il;
    d->fl = 0;
    if (d->il == 0)
        return -1;
    if (*d->fp == '.') {
        d->fp++;
        while (is_digit(d->fp[d->fl]))
            d->fl++;
        if (d->fl == 0)
            return -1;
    }
    return d->fp[d->fl] == '\0' ? 0 : -1;
}

/* int(d), saturated */
static long long dec_int(const dec *d)
{
    long long v = 0;
    py_int(d->ip, d->il, &v);
    return v;
}

/* sign of d - k for an integer k >= 0 */
static int dec_cmp(const dec *d, long long k)
{
    long long v = dec_int(d);
    if (v != k)
        return v < k ? -1 : 1;
    for (size_t i = 0; i < d->fl; i++)
        if (d->fp[i] != '0')
            return 1;
    return 0;
}

/* Rounds the n digits d (most significant first, leading zeros allowed) to DEC_PREC significant
 * digits, half to even, zeroing what is dropped; returns the carry out of d[0]. */
static int round_prec(unsigned char *d, size_t n)
{
    size_t f = 0;
    while (f < n && d[f] == 0)
        f++;
    if (n - f <= DEC_PREC)
        return 0;
    size_t r = f + DEC_PREC; /* the first dropped digit */
    int sticky = 0;
    for (size_t i = r + 1; i < n; i++)
        sticky |= d[i] != 0;
    int up = d[r] > 5 || (d[r] == 5 && (sticky || (d[r - 1] & 1)));
    for (size_t i = r; i < n; i++)
        d[i] = 0;
    for (size_t i = r; up && i-- > 0;) {
        d[i] = (unsigned char)(d[i] + 1);
        up = d[i] == 10;
        if (up)
            d[i] = 0;
    }
    return up;
}

/* value % 1 and int(60 * (value % 1)) as Decimal computes them: *nonzero says whether the
 * remainder is non-zero, *m60 receives the product's integer part. 0, or -1 when Decimal raises
 * (an integer part longer than the precision makes the division impossible), -2 out of memory. */
static int dec_mod60(const dec *d, int *nonzero, long long *m60)
{
    size_t lead = 0;
    while (lead < d->il && d->ip[lead] == '0')
        lead++;
    if (d->il - lead > DEC_PREC)
        return -1;
    size_t n = d->fl;
    unsigned char *buf = malloc(2 * n + 3);
    if (!buf)
        return -2;
    unsigned char *r = buf, *p = buf + n;
    for (size_t i = 0; i < n; i++)
        r[i] = (unsigned char)(d->fp[i] - '0');
    *nonzero = 0;
    *m60 = 0;
    if (round_prec(r, n)) { /* the remainder rounded up to exactly 1 */
        *nonzero = 1;
        *m60 = 60;
        free(buf);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        *nonzero |= r[i] != 0;
    /* p = 60 * r, n + 2 digits, the point before the last n */
    unsigned carry = 0;
    for (size_t i = n; i-- > 0;) {
        unsigned t = r[i] * 60u + carry;
        p[i + 2] = (unsigned char)(t % 10);
        carry = t / 10;
    }
    p[1] = (unsigned char)(carry % 10);
    p[0] = (unsigned char)(carry / 10);
    round_prec(p, n + 2);
    *m60 = p[0] * 10 + p[1];
    free(buf);
    return 0;
}

/* ------------------------------------------------------------------ words */

static int lookup(const char *t, const char *const *words, const int *vals)
{
    size_t n = strlen(t);
    for (size_t i = 0; words[i]; i++)
        if (word_eq(t, n, words[i]))
            return vals[i];
    return -1;
}

static int weekday_of(const char *t)
{
    static const char *const w[] = {"mon", "monday", "tue", "tuesday", "wed", "wednesday", "thu",
                                    "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
                                    NULL};
    static const int v[] = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6};
    return lookup(t, w, v);
}

static int month_of(const char *t)
{
    static const char *const w[] = {"jan", "january", "feb", "february", "mar", "march", "apr",
                                    "april", "may", "jun", "june", "jul", "july", "aug", "august",
                                    "sep", "sept", "september", "oct", "october", "nov", "november",
                                    "dec", "december", NULL};
    static const int v[] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 6, 7, 7, 8, 8, 9, 9, 9, 10, 10, 11, 11, 12, 12};
    return lookup(t, w, v);
}

static int hms_of(const char *t)
{
    static const char *const w[] = {"h", "hour", "hours", "m", "minute", "minutes", "s", "second",
                                    "seconds", NULL};
    static const int v[] = {0, 0, 0, 1, 1, 1, 2, 2, 2};
    return lookup(t, w, v);
}

static int ampm_of(const char *t)
{
    static const char *const w[] = {"am", "a", "pm", "p", NULL};
    static const int v[] = {0, 0, 1, 1};
    return lookup(t, w, v);
}

static int jump(const char *t)
{
    static const char *const w[] = {" ", ".", ",", ";", "-", "/", "'", "at", "on", "and", "ad",
                                    "m", "t", "of", "st", "nd", "rd", "th", NULL};
    static const int v[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    return lookup(t, w, v) > 0;
}

static int utczone(const char *t)
{
    size_t n = strlen(t);
    return word_eq(t, n, "utc") || word_eq(t, n, "gmt") || word_eq(t, n, "z");
}

static int is(const char *t, const char *s)
{
    return strcmp(t, s) == 0;
}

/* ------------------------------------------------------------------ tokens (_timelex) */

typedef struct toks {
    const char **t;
    size_t n;
    char *buf;   /* every token, NUL-terminated */
    size_t used;
} toks;

static void emit(toks *tk, const char *s, size_t n)
{
    char *d = tk->buf + tk->used;
    memcpy(d, s, n);
    d[n] = '\0';
    tk->used += n + 1;
    tk->t[tk->n++] = d;
}

enum { CL_WORD, CL_DIGIT, CL_SPACE, CL_OTHER };
enum { ST_NONE, ST_WORD, ST_NUM, ST_WORD_DOT, ST_NUM_DOT };

/* str.isalpha / isdigit / isspace as the lexer asks them; outside ASCII, every character that is
 * not whitespace counts as a letter */
static int char_class(uint32_t c)
{
    if (c < 0x80) {
        if ((c | 32) >= 'a' && (c | 32) <= 'z')
            return CL_WORD;
        if (is_digit((int)c))
            return CL_DIGIT;
        return lc_py_isspace(c) ? CL_SPACE : CL_OTHER;
    }
    return lc_py_isspace(c) ? CL_SPACE : CL_WORD;
}

/* Tokens are runs of letters or of digits; a point (or, after two digits, a comma) continues a
 * run so that "4:30:21.447" keeps its fraction, and a run of dotted parts with letters, several
 * points or a trailing separator is cut at each point and comma, the separators kept as tokens.
 * Every whitespace character is the token " "; anything else is a token of its own. */
static void lex(const char *s, toks *tk, char *tok)
{
    size_t pos = 0, len = strlen(s);
    for (;;) {
        size_t tl = 0;
        int state = ST_NONE, seen_letters = 0;
        while (pos < len) {
            uint32_t cp;
            size_t nb = lc_utf8_next(s + pos, &cp);
            int cl = char_class(cp), take = 0;
            switch (state) {
            case ST_NONE:
                if (cl == CL_SPACE) {
                    tok[tl++] = ' ';
                    pos += nb;
                    goto done;
                }
                memcpy(tok + tl, s + pos, nb);
                tl += nb;
                pos += nb;
                if (cl == CL_WORD)
                    state = ST_WORD;
                else if (cl == CL_DIGIT)
                    state = ST_NUM;
                else
                    goto done;
                continue;
            case ST_WORD:
                seen_letters = 1;
                if (cl == CL_WORD) {
                    take = 1;
                } else if (cp == '.') {
                    take = 1;
                    state = ST_WORD_DOT;
                }
                break;
            case ST_NUM:
                if (cl == CL_DIGIT) {
                    take = 1;
                } else if (cp == '.' || (cp == ',' && tl >= 2)) {
                    take = 1;
                    state = ST_NUM_DOT;
                }
                break;
            case ST_WORD_DOT:
                seen_letters = 1;
                if (cp == '.' || cl == CL_WORD) {
                    take = 1;
                } else if (cl == CL_DIGIT && tok[tl - 1] == '.') {
                    take = 1;
                    state = ST_NUM_DOT;
                }
                break;
            default: /* ST_NUM_DOT */
                if (cp == '.' || cl == CL_DIGIT) {
                    take = 1;
                } else if (cl == CL_WORD && tok[tl - 1] == '.') {
                    take = 1;
                    state = ST_WORD_DOT;
                }
                break;
            }
            if (!take)
                break; /* this character starts the next token */
            memcpy(tok + tl, s + pos, nb);
            tl += nb;
            pos += nb;
        }
    done:
        if (tl == 0)
            return;
        size_t dots = 0;
        for (size_t i = 0; i < tl; i++)
            dots += tok[i] == '.';
        size_t first = tk->n;
        if ((state == ST_WORD_DOT || state == ST_NUM_DOT) &&
            (seen_letters || dots > 1 || tok[tl - 1] == '.' || tok[tl - 1] == ',')) {
            /* re.split("([.,])"): the first piece is the token, the non-empty rest follow */
            size_t a = 0;
            for (size_t i = 0; i <= tl; i++) {
                if (i < tl && tok[i] != '.' && tok[i] != ',')
                    continue;
                if (i > a || a == 0)
                    emit(tk, tok + a, i - a);
                if (i < tl)
                    emit(tk, tok + i, 1);
                a = i + 1;
            }
        } else {
            emit(tk, tok, tl);
        }
        if (state == ST_NUM_DOT && !strchr(tk->t[first], '.'))
            for (char *c = (char *)tk->t[first]; *c; c++)
                if (*c == ',')
                    *c = '.';
    }
}

/* ------------------------------------------------------------------ year/month/day (_ymd) */

typedef struct ymd {
    long long v[3];
    int n;
    int century;      /* century_specified */
    int ys, ms, ds;   /* index of the value known to be the year / month / day, or -1 */
} ymd;

/* _ymd.append of an int or an int-valued string: 0, or -1 when dateutil raises (a fourth value
 * counts as raising: resolve_ymd refuses more than three) */
static int ymd_push(ymd *y, long long val, int century, char label)
{
    if (century) {
        y->century = 1;
        if (label && label != 'Y')
            return -1;
        label = 'Y';
    }
    if (y->n == 3)
        return -1;
    y->v[y->n++] = val;
    int *slot = label == 'M' ? &y->ms : label == 'D' ? &y->ds : label == 'Y' ? &y->ys : NULL;
    if (slot) {
        if (*slot >= 0)
            return -1; /* "Month is already set" and the like */
        *slot = y->n - 1;
    }
    return 0;
}

/* the string form: more than two digits name the year */
static int ymd_push_strn(ymd *y, const char *s, size_t n, char label)
{
    long long v = 0;
    if (py_int(s, n, &v))
        return -1;
    return ymd_push(y, v, n > 2, label);
}

static int ymd_push_str(ymd *y, const char *s)
{
    return ymd_push_strn(y, s, strlen(s), 0);
}

/* the Decimal form: a value over 100 is the year */
static int ymd_push_dec(ymd *y, const dec *d)
{
    return ymd_push(y, dec_int(d), dec_cmp(d, 100) > 0, 0);
}

static int is_leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long long y, long long m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return dm[m - 1] + (m == 2 && is_leap(y));
}

/* _ymd.could_be_day: 0 with *out set, or -1 when it raises */
static int could_be_day(const ymd *y, const dec *d, int *out)
{
    long long hi = 31;
    *out = 0;
    if (y->ds >= 0)
        return 0;
    if (y->ms >= 0) {
        long long m = y->v[y->ms];
        if (m < 1 || m > 12)
            return -1;
        hi = days_in_month(y->ys >= 0 ? y->v[y->ys] : 2000, m);
    }
    *out = dec_cmp(d, 1) >= 0 && dec_cmp(d, hi) <= 0;
    return 0;
}

/* _ymd.resolve_ymd with yearfirst and dayfirst false */
static void ymd_resolve(const ymd *y, long long *Y, long long *M, long long *D)
{
    const long long *v = y->v;
    int n = y->n, ns = (y->ys >= 0) + (y->ms >= 0) + (y->ds >= 0);
    *Y = *M = *D = NONE;
    if ((n == ns && ns > 0) || (n == 3 && ns == 2)) {
        int ys = y->ys, ms = y->ms, ds = y->ds;
        if (n == 3 && ns == 2) { /* the third is the index the other two leave */
            int missing = 3 - (ys >= 0 ? ys : 0) - (ms >= 0 ? ms : 0) - (ds >= 0 ? ds : 0);
            if (ys < 0)
                ys = missing;
            else if (ms < 0)
                ms = missing;
            else
                ds = missing;
        }
        if (ys >= 0)
            *Y = v[ys];
        if (ms >= 0)
            *M = v[ms];
        if (ds >= 0)
            *D = v[ds];
        return;
    }
    if (n == 1 || (y->ms >= 0 && n == 2)) {
        long long other = v[0];
        if (y->ms >= 0) {
            *M = v[y->ms];
            other = v[y->ms == 0 ? n - 1 : y->ms - 1]; /* Python's self[mstridx - 1] */
        }
        if (n > 1 || y->ms < 0) {
            if (other > 31)
                *Y = other;
            else
                *D = other;
        }
    } else if (n == 2) {
        if (v[0] > 31) {
            *Y = v[0];
            *M = v[1];
        } else if (v[1] > 31) {
            *M = v[0];
            *Y = v[1];
        } else {
            *M = v[0];
            *D = v[1];
        }
    } else if (n == 3) {
        long long a = v[0], b = v[1], c = v[2];
        if (y->ms == 0) {
            *M = a;
            if (b > 31) {
                *Y = b;
                *D = c;
            } else {
                *D = b;
                *Y = c;
            }
        } else if (y->ms == 1) {
            *M = b;
            if (a > 31) {
                *Y = a;
                *D = c;
            } else {
                *D = a;
                *Y = c;
            }
        } else if (y->ms == 2) {
            *M = c;
            if (b > 31) {
                *D = a;
                *Y = b;
            } else {
                *Y = a;
                *D = b;
            }
        } else if (a > 31 || y->ys == 0) {
            *Y = a;
            *M = b;
            *D = c;
        } else if (a > 12) {
            *D = a;
            *M = b;
            *Y = c;
        } else {
            *M = a;
            *D = b;
            *Y = c;
        }
    }
}

/* ------------------------------------------------------------------ the parser (_parse) */

typedef struct res {
    long long year, month, day, hour, minute, second, micro, tzoffset;
    int weekday, ampm; /* -1: unset */
    const char *tzname;
} res;

typedef struct parser {
    const char **l;
    size_t n;
    ymd y;
    res r;
    const lc_dateutil_today *today;
    int oom;
} parser;

/* parserinfo.convertyear: a two-digit year within 50 years of this year */
static long long convertyear(const parser *p, long long year, int century_specified)
{
    if (year < 100 && !century_specified) {
        long long now = p->today->year, century = now / 100 * 100;
        year += century;
        if (year >= now + 50)
            year -= 100;
        else if (year < now - 50)
            year += 100;
    }
    return year;
}

static long long adjust_ampm(long long hour, int ampm)
{
    if (hour < 12 && ampm == 1)
        return hour + 12;
    if (hour == 12 && ampm == 0)
        return 0;
    return hour;
}

static int could_be_tzname(const res *r, long long tzoffset, const char *t)
{
    if (r->hour == NONE || r->tzname || tzoffset != NONE || strlen(t) > 5)
        return 0;
    if (is(t, "UTC") || is(t, "GMT") || is(t, "Z") || is(t, "z"))
        return 1;
    for (const char *c = t; *c; c++)
        if (*c < 'A' || *c > 'Z')
            return 0;
    return 1;
}

/* _parsems: "S" or "S.ffffff" (the fraction's first six digits) */
static int parsems(const char *s, size_t n, long long *sec, long long *micro)
{
    const char *dot = memchr(s, '.', n);
    if (!dot) {
        *micro = 0;
        return py_int(s, n, sec);
    }
    if (memchr(dot + 1, '.', n - (size_t)(dot + 1 - s)))
        return -1; /* i, f = value.split(".") unpacks two parts */
    char f[6];
    size_t fl = n - (size_t)(dot + 1 - s);
    for (size_t i = 0; i < 6; i++)
        f[i] = i < fl ? dot[1 + i] : '0';
    if (py_int(s, (size_t)(dot - s), sec) || py_int(f, 6, micro))
        return -1;
    return 0;
}

/* _parse_min_sec: the minutes and, from the fraction, the seconds (None when none) */
static int min_sec(parser *p, const dec *v, long long *minute, long long *second)
{
    int nz;
    long long m60;
    int rc = dec_mod60(v, &nz, &m60);
    if (rc) {
        p->oom |= rc == -2;
        return -1;
    }
    *minute = dec_int(v);
    *second = nz ? m60 : NONE;
    return 0;
}

/* _find_hms_idx (allow_jump): the h/m/s word that labels the number at idx, or -1 */
static long find_hms_idx(const parser *p, size_t idx)
{
    const char **l = p->l;
    size_t n = p->n;
    if (idx + 1 < n && hms_of(l[idx + 1]) >= 0)
        return (long)idx + 1;
    if (idx + 2 < n && is(l[idx + 1], " ") && hms_of(l[idx + 2]) >= 0)
        return (long)idx + 2;
    if (idx > 0 && hms_of(l[idx - 1]) >= 0)
        return (long)idx - 1;
    if (1 < idx && idx == n - 1 && is(l[idx - 1], " ") && hms_of(l[idx - 2]) >= 0)
        return (long)idx - 2;
    return -1;
}

/* _assign_hms: hms 0 hours, 1 minutes, 2 seconds; 3 (a number after seconds) sets nothing */
static int assign_hms(parser *p, const dec *v, const char *repr, int hms)
{
    res *r = &p->r;
    if (hms == 0) {
        int nz;
        long long m60;
        int rc = dec_mod60(v, &nz, &m60);
        if (rc) {
            p->oom |= rc == -2;
            return -1;
        }
        r->hour = dec_int(v);
        if (nz)
            r->minute = m60;
    } else if (hms == 1) {
        return min_sec(p, v, &r->minute, &r->second);
    } else if (hms == 2) {
        return parsems(repr, strlen(repr), &r->second, &r->micro);
    }
    return 0;
}

/* _parse_numeric_token: reads the number at *pidx (and the tokens it claims); 0, or -1 when
 * dateutil raises */
static int numeric_token(parser *p, size_t *pidx)
{
    const char **l = p->l;
    size_t n = p->n, idx = *pidx;
    const char *s = l[idx];
    res *r = &p->r;
    ymd *y = &p->y;
    dec v;
    if (dec_parse(s, &v))
        return -1;
    size_t len = strlen(s);
    const char *dot = strchr(s, '.');
    long hms_idx;
    int a;
    if (y->n == 3 && (len == 2 || len == 4) && r->hour == NONE &&
        (idx + 1 >= n || (!is(l[idx + 1], ":") && hms_of(l[idx + 1]) < 0))) {
        /* 19990101T23[59] */
        if (py_int(s, 2, &r->hour) || (len == 4 && py_int(s + 2, 2, &r->minute)))
            return -1;
    } else if (len == 6 || (len > 6 && dot == s + 6)) {
        /* YYMMDD or HHMMSS[.ss] */
        if (y->n == 0 && !dot) {
            if (ymd_push_strn(y, s, 2, 0) || ymd_push_strn(y, s + 2, 2, 0) ||
                ymd_push_strn(y, s + 4, len - 4, 0))
                return -1;
        } else if (py_int(s, 2, &r->hour) || py_int(s + 2, 2, &r->minute) ||
                   parsems(s + 4, len - 4, &r->second, &r->micro)) {
            return -1;
        }
    } else if (len == 8 || len == 12 || len == 14) {
        /* YYYYMMDD[hhmm[ss]] */
        if (ymd_push_strn(y, s, 4, 'Y') || ymd_push_strn(y, s + 4, 2, 0) ||
            ymd_push_strn(y, s + 6, 2, 0))
            return -1;
        if (len > 8 && (py_int(s + 8, 2, &r->hour) || py_int(s + 10, 2, &r->minute) ||
                        (len > 12 && py_int(s + 12, len - 12, &r->second))))
            return -1;
    } else if ((hms_idx = find_hms_idx(p, idx)) >= 0) {
        /* HH[ ]h, MM[ ]m, SS[.ss][ ]s */
        int hms;
        if ((size_t)hms_idx > idx) {
            hms = hms_of(l[hms_idx]);
            idx = (size_t)hms_idx;
        } else {
            hms = hms_of(l[hms_idx]) + 1;
        }
        if (assign_hms(p, &v, s, hms))
            return -1;
    } else if (idx + 2 < n && is(l[idx + 1], ":")) {
        /* HH:MM[:SS[.ss]] */
        dec m;
        r->hour = dec_int(&v);
        if (dec_parse(l[idx + 2], &m) || min_sec(p, &m, &r->minute, &r->second))
            return -1;
        if (idx + 4 < n && is(l[idx + 3], ":")) {
            if (parsems(l[idx + 4], strlen(l[idx + 4]), &r->second, &r->micro))
                return -1;
            idx += 2;
        }
        idx += 2;
    } else if (idx + 1 < n && (is(l[idx + 1], "-") || is(l[idx + 1], "/") || is(l[idx + 1], "."))) {
        /* 01-01[-01], 01-Jan[-01] */
        const char *sep = l[idx + 1];
        if (ymd_push_str(y, s))
            return -1;
        if (idx + 2 < n && !jump(l[idx + 2])) {
            int m;
            if (all_digits(l[idx + 2])) {
                if (ymd_push_str(y, l[idx + 2]))
                    return -1;
            } else if ((m = month_of(l[idx + 2])) < 0 || ymd_push(y, m, 0, 'M')) {
                return -1;
            }
            if (idx + 3 < n && is(l[idx + 3], sep)) {
                if (idx + 4 >= n)
                    return -1;
                m = month_of(l[idx + 4]);
                if (m > 0 ? ymd_push(y, m, 0, 'M') : ymd_push_str(y, l[idx + 4]))
                    return -1;
                idx += 2;
            }
            idx += 1;
        }
        idx += 1;
    } else if (idx + 1 >= n || jump(l[idx + 1])) {
        if (idx + 2 < n && (a = ampm_of(l[idx + 2])) >= 0) {
            /* 12 am */
            r->hour = adjust_ampm(dec_int(&v), a);
            idx += 1;
        } else if (ymd_push_dec(y, &v)) {
            return -1;
        }
        idx += 1;
    } else if ((a = ampm_of(l[idx + 1])) >= 0 && dec_cmp(&v, 24) < 0) {
        /* 12am */
        r->hour = adjust_ampm(dec_int(&v), a);
        idx += 1;
    } else {
        int day;
        if (could_be_day(y, &v, &day) || !day || ymd_push_dec(y, &v))
            return -1;
    }
    *pidx = idx;
    return 0;
}

/* the token loop of parser._parse; 0, or -1 when it raises */
static int parse_tokens(parser *p)
{
    const char **l = p->l;
    size_t n = p->n;
    res *r = &p->r;
    for (size_t i = 0; i < n; i++) {
        const char *t = l[i];
        int w, a, f = lc_py_float(t, NULL);
        if (f < 0) {
            p->oom = 1;
            return -1;
        }
        if (f) {
            if (numeric_token(p, &i))
                return -1;
        } else if ((w = weekday_of(t)) >= 0) {
            r->weekday = w;
        } else if ((w = month_of(t)) > 0) {
            if (ymd_push(&p->y, w, 0, 'M'))
                return -1;
            if (i + 1 < n) {
                if (is(l[i + 1], "-") || is(l[i + 1], "/")) {
                    /* Jan-01[-99] */
                    const char *sep = l[i + 1];
                    if (i + 2 >= n || ymd_push_str(&p->y, l[i + 2]))
                        return -1;
                    if (i + 3 < n && is(l[i + 3], sep)) {
                        if (i + 4 >= n || ymd_push_str(&p->y, l[i + 4]))
                            return -1;
                        i += 2;
                    }
                    i += 2;
                } else if (i + 4 < n && is(l[i + 1], " ") && is(l[i + 3], " ") &&
                           word_eq(l[i + 2], strlen(l[i + 2]), "of")) {
                    /* Jan of 01: the year (anything else there is skipped) */
                    long long yv = 0;
                    if (all_digits(l[i + 4])) {
                        py_int(l[i + 4], strlen(l[i + 4]), &yv);
                        if (ymd_push(&p->y, convertyear(p, yv, 0), 1, 'Y'))
                            return -1;
                    }
                    i += 4;
                }
            }
        } else if ((a = ampm_of(t)) >= 0) {
            if (r->hour == NONE || r->hour < 0 || r->hour > 12)
                return -1; /* no hour, or not a 12-hour clock */
            r->hour = adjust_ampm(r->hour, a);
            r->ampm = a;
        } else if (could_be_tzname(r, r->tzoffset, t)) {
            r->tzname = t;
            r->tzoffset = is(t, "z") ? 0 : NONE; /* parserinfo.tzoffset: only "z" is in its table */
            if (i + 1 < n && (is(l[i + 1], "+") || is(l[i + 1], "-"))) {
                /* GMT+3 means GMT is 3 hours ahead: the sign is reversed */
                l[i + 1] = is(l[i + 1], "+") ? "-" : "+";
                r->tzoffset = NONE;
                if (utczone(t))
                    r->tzname = NULL;
            }
        } else if (r->hour != NONE && (is(t, "+") || is(t, "-"))) {
            /* -0300, -03:00, -3 */
            long long sign = is(t, "+") ? 1 : -1, h, m = 0;
            if (i + 1 >= n)
                return -1;
            const char *o = l[i + 1];
            size_t ol = strlen(o);
            if (ol == 4) {
                if (py_int(o, 2, &h) || py_int(o + 2, 2, &m))
                    return -1;
            } else if (i + 2 < n && is(l[i + 2], ":")) {
                if (py_int(o, ol, &h) || i + 3 >= n || py_int(l[i + 3], strlen(l[i + 3]), &m))
                    return -1;
                i += 2;
            } else if (ol <= 2) {
                if (py_int(o, ol, &h))
                    return -1;
            } else {
                return -1;
            }
            r->tzoffset = sign * (h * 3600 + m * 60);
            if (i + 5 < n && jump(l[i + 2]) && is(l[i + 3], "(") && is(l[i + 5], ")") &&
                strlen(l[i + 4]) >= 3 && could_be_tzname(r, NONE, l[i + 4])) {
                r->tzname = l[i + 4]; /* -0300 (BRST) */
                i += 4;
            }
            i += 1;
        } else if (!jump(t)) {
            return -1;
        }
    }
    return 0;
}

/* parse() after _parse: something was read, and _build_naive can build it on today's date */
static int builds(parser *p)
{
    res *r = &p->r;
    const lc_dateutil_today *t = p->today;
    ymd_resolve(&p->y, &r->year, &r->month, &r->day);
    /* parserinfo.validate */
    if (r->year != NONE)
        r->year = convertyear(p, r->year, p->y.century);
    if ((r->tzoffset == 0 && !r->tzname) || (r->tzname && (is(r->tzname, "Z") || is(r->tzname, "z")))) {
        r->tzname = "UTC";
        r->tzoffset = 0;
    } else if (r->tzoffset != 0 && r->tzname && utczone(r->tzname)) {
        r->tzoffset = 0;
    }
    if (r->year == NONE && r->month == NONE && r->day == NONE && r->weekday < 0 &&
        r->hour == NONE && r->minute == NONE && r->second == NONE && r->micro == NONE &&
        !r->tzname && r->tzoffset == NONE && r->ampm < 0)
        return 0; /* "String does not contain a date" */
    long long Y = r->year != NONE ? r->year : t->year;
    long long M = r->month != NONE ? r->month : t->month;
    long long D = r->day;
    if (M < 1 || M > 12)
        return 0;
    if (D == NONE) { /* today's day, or the month's last when the month is shorter */
        int dim = days_in_month(Y, M);
        D = t->day > dim ? dim : t->day;
    }
    if (Y < 1 || Y > 9999 || D < 1 || D > days_in_month(Y, M))
        return 0;
    if ((r->hour != NONE && (r->hour < 0 || r->hour > 23)) ||
        (r->minute != NONE && (r->minute < 0 || r->minute > 59)) ||
        (r->second != NONE && (r->second < 0 || r->second > 59)) ||
        (r->micro != NONE && (r->micro < 0 || r->micro > 999999)))
        return 0;
    if (r->weekday >= 0 && r->day == NONE) {
        /* relativedelta(weekday=...) moves forward to that weekday: past 9999-12-31 it overflows */
        static const int offs[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
        long long yy = Y - (M < 3);
        int sunday0 = (int)((yy + yy / 4 - yy / 100 + yy / 400 + offs[M - 1] + D) % 7);
        int monday0 = (sunday0 + 6) % 7;
        int ahead = (7 - monday0 + r->weekday) % 7;
        if (Y == 9999 && M == 12 && D + ahead > 31)
            return 0;
    }
    /* _build_tzaware: a numeric offset becomes a timedelta, limited to 999999999 days */
    if (r->tzoffset != NONE && r->tzoffset != 0 &&
        (r->tzoffset > 86399999999999LL || r->tzoffset < -86400LL * 999999999LL))
        return 0;
    return 1;
}

void lc_dateutil_today_now(lc_dateutil_today *t)
{
    /* dateutil's default is datetime.now(), the local date (not a random source) */
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm)) {
        t->year = 2000;
        t->month = 1;
        t->day = 1;
        return;
    }
    t->year = tm.tm_year + 1900;
    t->month = tm.tm_mon + 1;
    t->day = tm.tm_mday;
}

int lc_dateutil_parses(const char *s, const lc_dateutil_today *today)
{
    size_t len = strlen(s);
    toks tk = {0};
    char *tok = malloc(len + 1);
    tk.t = malloc((len + 1) * sizeof *tk.t);
    tk.buf = malloc(2 * len + 2);
    int ok = -1;
    if (!tok || !tk.t || !tk.buf)
        goto out;
    lex(s, &tk, tok);
    parser p = {.l = tk.t, .n = tk.n, .today = today};
    p.y.ys = p.y.ms = p.y.ds = -1;
    p.r = (res){NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, -1, -1, NULL};
    ok = parse_tokens(&p) == 0 && builds(&p);
    if (p.oom)
        ok = -1;
out:
    free(tok);
    free(tk.t);
    free(tk.buf);
    return ok;
}
