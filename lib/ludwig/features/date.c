/* date.c - the date feature type (inputs): Ludwig 0.10.3's preprocessing of a date column
 * (ludwig/features/date_feature.py, ludwig/utils/date_utils.py): each cell parsed with
 * preprocessing.datetime_format (strptime) when set, falling back to the parser Ludwig calls
 * without one (dateutil's parse, then a numeric timestamp); each date becomes the 9 numbers
 * [year, month, day, weekday (Monday 0), day of the year, hour, minute, second, second of the
 * day], stored as numpy int16 as Ludwig stores them (a second of the day above 32767 wraps to a
 * negative number, as numpy 1.x's int16 cast does). The metadata holds only the preprocessing.
 *
 * The parser without a format covers what dates in tables are written as: ISO 8601 dates and
 * times (YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, a T or space, HH:MM[:SS[.ffffff]], a Z or +hh:mm
 * offset being ignored as Ludwig's vector ignores it), month/day/year with / - or . (dateutil's
 * month-first default; two-digit years as dateutil maps them, within 50 years of this year),
 * month names (Feb 26 2013, 26 February 2013, with or without commas), 8 or 14 digits
 * (YYYYMMDD[hhmmss]), and POSIX timestamps of 9 to 13 digits (milliseconds scaled down, as
 * convert_number_to_datetime does), each with an optional time and AM/PM. A cell none of these
 * read is an error naming its line (Ludwig would log it and use fill_value, or the current time
 * when fill_value is empty, which no two runs agree on); so is a missing cell without a fill. */
#include "prep_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lc_json.h"
#include "lc_mem.h"

typedef struct dt {
    int year, month, day, hour, minute, second;
} dt;

static const char *const MONTHS[12] = {"january", "february", "march",     "april",
                                       "may",     "june",     "july",      "august",
                                       "september", "october", "november", "december"};
static const char *const WEEKDAYS[7] = {"monday", "tuesday", "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

static int valid(const dt *t)
{
    return t->year >= 1 && t->year <= 9999 && t->month >= 1 && t->month <= 12 && t->day >= 1 &&
           t->day <= days_in_month(t->year, t->month) && t->hour >= 0 && t->hour < 24 &&
           t->minute >= 0 && t->minute < 60 && t->second >= 0 && t->second < 60;
}

/* days since 1970-01-01 of a proleptic Gregorian date */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* the month (1..12) a word names (its first three letters or more), or 0 */
static int month_of(const char *w, size_t n)
{
    if (n < 3)
        return 0;
    for (int m = 0; m < 12; m++)
        if (n <= strlen(MONTHS[m]) && strncasecmp(w, MONTHS[m], n) == 0)
            return m + 1;
    if (n == 4 && strncasecmp(w, "sept", 4) == 0)
        return 9;
    return 0;
}

static int weekday_word(const char *w, size_t n)
{
    if (n < 3)
        return 0;
    for (int k = 0; k < 7; k++)
        if (n <= strlen(WEEKDAYS[k]) && strncasecmp(w, WEEKDAYS[k], n) == 0)
            return 1;
    return 0;
}

/* dateutil's two-digit years: the century putting it within 50 years of this year */
static int full_year(int yy)
{
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    int cur = tmv.tm_year + 1900, y = yy + cur / 100 * 100;
    if (y >= cur + 50)
        y -= 100;
    else if (y < cur - 50)
        y += 100;
    return y;
}

/* digits at *p (at most max), as a number; -1 when none */
static long digits(const char **p, int max, int *count)
{
    long v = 0;
    int n = 0;
    while (n < max && isdigit((unsigned char)**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (count)
        *count = n;
    return n ? v : -1;
}

/* HH:MM[:SS[.ffffff]] [AM|PM] [Z|+hh[:mm]|-hh[:mm]] from p to the end; 0 when it reads */
static int parse_time(const char *p, dt *t)
{
    while (*p == ' ' || *p == 'T' || *p == 't')
        p++;
    if (!*p)
        return 0;
    int n;
    long h = digits(&p, 2, &n), mi = 0, s = 0;
    if (h < 0 || *p != ':')
        return -1;
    p++;
    mi = digits(&p, 2, &n);
    if (mi < 0 || n != 2)
        return -1;
    if (*p == ':') {
        p++;
        s = digits(&p, 2, &n);
        if (s < 0 || n != 2)
            return -1;
        if (*p == '.' || *p == ',') {
            p++;
            if (digits(&p, 9, &n) < 0)
                return -1;
        }
    }
    while (*p == ' ')
        p++;
    if (!strncasecmp(p, "am", 2) || !strncasecmp(p, "pm", 2)) {
        if (h < 1 || h > 12)
            return -1;
        int pm = tolower((unsigned char)*p) == 'p';
        h = h % 12 + (pm ? 12 : 0);
        p += 2;
        while (*p == ' ')
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        p++;
        if (digits(&p, 2, &n) < 0 || n != 2)
            return -1;
        if (*p == ':')
            p++;
        digits(&p, 2, &n);
    }
    while (*p == ' ')
        p++;
    if (*p)
        return -1;
    t->hour = (int)h;
    t->minute = (int)mi;
    t->second = (int)s;
    return 0;
}

/* a POSIX timestamp (convert_number_to_datetime: scaled down to seconds when it has more digits
 * than this time's seconds), as UTC */
static int from_timestamp(double ts, dt *t)
{
    if (!(ts > 0) || !isfinite(ts))
        return -1;
    double scale_s = floor(log10((double)time(NULL))), sc = floor(log10(ts));
    if (sc > scale_s)
        ts /= pow(10, sc - scale_s);
    long days = (long)floor(ts / 86400.0);
    long rem = (long)floor(ts - (double)days * 86400.0);
    /* civil from days */
    long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp + (mp < 10 ? 3 : -9);
    t->year = (int)(y + (m <= 2));
    t->month = (int)m;
    t->day = (int)d;
    t->hour = (int)(rem / 3600);
    t->minute = (int)(rem / 60 % 60);
    t->second = (int)(rem % 60);
    return valid(t) ? 0 : -1;
}

/* The parser without a format (see the file's comment); 0 when s reads as a date. */
static int parse_auto(const char *s, dt *t)
{
    memset(t, 0, sizeof *t);
    while (isspace((unsigned char)*s))
        s++;
    size_t L = strlen(s);
    while (L && isspace((unsigned char)s[L - 1]))
        L--;
    char buf[128];
    if (L == 0 || L >= sizeof buf)
        return -1;
    memcpy(buf, s, L);
    buf[L] = '\0';
    const char *p = buf;
    /* all digits: YYYYMMDD, YYYYMMDDhhmmss, or a timestamp */
    size_t nd = strspn(buf, "0123456789");
    if (nd == L || (buf[nd] == '.' && strspn(buf + nd + 1, "0123456789") == L - nd - 1)) {
        if (nd == 8 || nd == 14) {
            long v;
            const char *q = buf;
            t->year = (int)digits(&q, 4, NULL);
            t->month = (int)digits(&q, 2, NULL);
            t->day = (int)digits(&q, 2, NULL);
            if (nd == 14) {
                t->hour = (int)digits(&q, 2, NULL);
                t->minute = (int)digits(&q, 2, NULL);
                v = digits(&q, 2, NULL);
                t->second = (int)v;
            }
            return valid(t) ? 0 : -1;
        }
        if (nd >= 9 && nd <= 13)
            return from_timestamp(strtod(buf, NULL), t);
        return -1;
    }
    /* YYYY-MM-DD (or / .) then an optional time */
    int n1, n2, n3;
    const char *q = p;
    long a = digits(&q, 4, &n1);
    if (a >= 0 && n1 == 4 && (*q == '-' || *q == '/' || *q == '.')) {
        char sep = *q++;
        long m = digits(&q, 2, &n2);
        if (m < 0 || *q != sep)
            return -1;
        q++;
        long d = digits(&q, 2, &n3);
        if (d < 0)
            return -1;
        t->year = (int)a;
        t->month = (int)m;
        t->day = (int)d;
        if (parse_time(q, t))
            return -1;
        return valid(t) ? 0 : -1;
    }
    /* M/D/Y (month first, as dateutil) with / - or . */
    q = p;
    a = digits(&q, 2, &n1);
    if (a >= 0 && (*q == '/' || *q == '-' || *q == '.') && isdigit((unsigned char)q[1])) {
        char sep = *q++;
        long b = digits(&q, 2, &n2);
        if (b < 0 || *q != sep)
            return -1;
        q++;
        long y = digits(&q, 4, &n3);
        if (y < 0 || (n3 != 2 && n3 != 4))
            return -1;
        t->year = n3 == 2 ? full_year((int)y) : (int)y;
        t->month = (int)a;
        t->day = (int)b;
        if (a > 12 && b <= 12) { /* dateutil swaps when the first cannot be a month */
            t->month = (int)b;
            t->day = (int)a;
        }
        if (parse_time(q, t))
            return -1;
        return valid(t) ? 0 : -1;
    }
    /* words: a month name, a day and a year (and a weekday name, skipped), then a time */
    int month = 0, have_day = 0, have_year = 0;
    q = p;
    while (*q) {
        while (*q == ' ' || *q == ',')
            q++;
        if (!*q)
            break;
        if (isalpha((unsigned char)*q)) {
            const char *w = q;
            while (isalpha((unsigned char)*q))
                q++;
            if (*q == '.')
                q++;
            size_t wn = (size_t)(q - w) - (q[-1] == '.');
            int mo = month_of(w, wn);
            if (mo && !month)
                month = mo;
            else if (!weekday_word(w, wn))
                return -1;
            continue;
        }
        if (isdigit((unsigned char)*q)) {
            const char *w = q;
            long v = digits(&q, 4, &n1);
            if (*q == ':') { /* the time: the rest */
                if (!month || !have_day || !have_year)
                    return -1;
                if (parse_time(w, t))
                    return -1;
                break;
            }
            if (n1 == 4 || v > 31) {
                if (have_year)
                    return -1;
                t->year = (int)v;
                have_year = 1;
            } else if (!have_day) {
                t->day = (int)v;
                have_day = 1;
            } else if (!have_year && n1 == 2) {
                t->year = full_year((int)v);
                have_year = 1;
            } else {
                return -1;
            }
            while (isalpha((unsigned char)*q)) /* 1st, 2nd, 26th */
                q++;
            continue;
        }
        return -1;
    }
    if (!month || !have_day || !have_year)
        return -1;
    t->month = month;
    return valid(t) ? 0 : -1;
}

/* strptime with Python's directives %Y %y %m %d %H %I %M %S %f %p %b %B %a %A %j %%; whitespace in
 * the format matches any run of whitespace; 0 when the whole cell matches */
static int parse_format(const char *s, const char *fmt, dt *t)
{
    memset(t, 0, sizeof *t);
    t->year = 1900;
    t->month = t->day = 1;
    int pm = -1, yday = 0, n;
    const char *p = s;
    for (const char *f = fmt; *f; f++) {
        if (isspace((unsigned char)*f)) {
            while (isspace((unsigned char)*p))
                p++;
            continue;
        }
        if (*f != '%') {
            if (*p++ != *f)
                return -1;
            continue;
        }
        f++;
        long v;
        switch (*f) {
        case 'Y':
            if ((v = digits(&p, 4, &n)) < 0)
                return -1;
            t->year = (int)v;
            break;
        case 'y':
            if ((v = digits(&p, 2, &n)) < 0)
                return -1;
            t->year = v < 69 ? 2000 + (int)v : 1900 + (int)v; /* Python's strptime */
            break;
        case 'm':
            if ((v = digits(&p, 2, &n)) < 0)
                return -1;
            t->month = (int)v;
            break;
        case 'd':
            if ((v = digits(&p, 2, &n)) < 0)
                return -1;
            t->day = (int)v;
            break;
        case 'H':
        case 'I':
            if ((v = digits(&p, 2, &n)) < 0)
                return -1;
            t->hour = (int)v;
            break;
        case 'M':
            if ((v = digits(&p, 2, &n)) < 0)
                return -1;
            t->minute = (int)v;
            break;
        case 'S':
            if ((v = digits(&p, 2, &n)) < 0)
                return -1;
            t->second = (int)v;
            break;
        case 'f':
            if (digits(&p, 6, &n) < 0)
                return -1;
            break;
        case 'j':
            if ((v = digits(&p, 3, &n)) < 1)
                return -1;
            yday = (int)v;
            break;
        case 'p':
            if (!strncasecmp(p, "am", 2) || !strncasecmp(p, "pm", 2)) {
                pm = tolower((unsigned char)*p) == 'p';
                p += 2;
            } else {
                return -1;
            }
            break;
        case 'b':
        case 'B':
        case 'a':
        case 'A': {
            const char *w = p;
            while (isalpha((unsigned char)*p))
                p++;
            size_t wn = (size_t)(p - w);
            if (*f == 'b' || *f == 'B') {
                int mo = month_of(w, wn);
                if (!mo)
                    return -1;
                t->month = mo;
            } else if (!weekday_word(w, wn)) {
                return -1;
            }
            break;
        }
        case '%':
            if (*p++ != '%')
                return -1;
            break;
        default:
            return -1;
        }
    }
    if (*p)
        return -1;
    if (pm >= 0) {
        if (t->hour < 1 || t->hour > 12)
            return -1;
        t->hour = t->hour % 12 + (pm ? 12 : 0);
    }
    if (yday) {
        if (yday > (is_leap(t->year) ? 366 : 365))
            return -1;
        long dd = days_from_civil(t->year, 1, 1) + yday - 1;
        dt u;
        if (from_timestamp((double)dd * 86400.0 + 1e-3, &u) == 0) { /* only the date is used */
            t->month = u.month;
            t->day = u.day;
        }
    }
    return valid(t) ? 0 : -1;
}

/* create_vector_from_datetime_obj, stored as int16 */
static void date_vector(const dt *t, float *v)
{
    long days = days_from_civil(t->year, t->month, t->day);
    int weekday = (int)(((days % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday (3) */
    int yday = (int)(days - days_from_civil(t->year, 1, 1) + 1);
    long sod = t->hour * 3600L + t->minute * 60L + t->second;
    long vals[9] = {t->year, t->month, t->day, weekday, yday, t->hour, t->minute, t->second, sod};
    for (int k = 0; k < 9; k++)
        v[k] = (float)(int16_t)(uint16_t)(vals[k] & 0xffff);
}

int lc_date_parse(const char *s, const char *format, float *v)
{
    dt t;
    if (format && *format && parse_format(s, format, &t) == 0) {
        date_vector(&t, v);
        return 0;
    }
    if (parse_auto(s, &t))
        return -1;
    date_vector(&t, v);
    return 0;
}

static lc_status build(const lc_prep_column *col, const lc_prep_date_opts *o, const raw_col *r,
                       lc_prep_timeseries *out, lc_error *e)
{
    size_t n1 = col->n ? col->n : 1, cells;
    if (lc_size_mul(n1, 9, &cells) || !(out->values = lc_alloc(cells, sizeof *out->values)) ||
        !(out->keep = lc_alloc(n1, sizeof *out->keep)))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for the date column '%s'", col->name);
    out->T = 9;
    for (size_t i = 0; i < r->n; i++) {
        if (r->st[i] == CELL_DROP)
            continue;
        const char *s = r->st[i] == CELL_STR ? r->s[i] : "";
        if (lc_date_parse(s, o->datetime_format, out->values + i * 9)) {
            char shown[LC_PREP_TEXT_MAX];
            lc_tab_quote_text(shown, sizeof shown, s);
            lc_error_set(e, LC_ERR_DATA, "line %ld: date column '%s' holds '%s', which is not a date ludwig-c can read%s",
                         lc_tab_line_of(col, i), col->name, shown,
                         o->datetime_format ? " with datetime_format or without it" : "");
            if (!*s)
                lc_error_hint(e, "set preprocessing.fill_value to a date, or missing_value_strategy to drop_row, bfill or ffill");
            else
                lc_error_hint(e, "write dates as YYYY-MM-DD [HH:MM:SS], or set preprocessing.datetime_format (e.g. \"%%d/%%m/%%Y\")");
            return LC_ERR_DATA;
        }
        out->keep[i] = 1;
        out->n_kept++;
    }
    return LC_OK;
}

lc_status lc_prep_date_run(const lc_prep_column *col, const lc_prep_date_opts *o, cJSON *preproc,
                           lc_prep_timeseries *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    raw_col r;
    fill f = {0};
    if (lc_tab_raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_status st = lc_tab_string_fill(col, o->missing, o->fill_value ? o->fill_value : "", "date", &r, &f, e);
    if (!st) {
        lc_tab_raw_fill(&r, o->missing, &f);
        st = build(col, o, &r, out, e);
    }
    if (!st && !(out->meta = cJSON_CreateObject()))
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    if (!st)
        st = lc_tab_record_string_fill(preproc, &f, e);
    lc_tab_raw_free(&r);
    if (st)
        lc_prep_timeseries_free(out);
    return st;
}

lc_status lc_prep_date_apply(const lc_prep_column *col, const lc_prep_date_opts *o,
                             const cJSON *meta, lc_prep_timeseries *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    raw_col r;
    fill f = {0}, fc = {.kind = CELL_STR, .s = o->fill_value ? o->fill_value : ""};
    if (lc_tab_raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_status st;
    if (o->missing == LC_MISS_FILL_MEAN || o->missing == LC_MISS_FILL_FALSE ||
        o->missing == LC_MISS_FILL_TRUE)
        st = lc_tab_string_fill(col, o->missing, o->fill_value ? o->fill_value : "", "date", &r, &f, e);
    else
        st = lc_tab_stored_fill_for(meta, "computed_fill_value", o->missing, &fc, "date", col->name,
                                    &f, e);
    if (!st && f.kind == CELL_NUM)
        st = lc_error_set(e, LC_ERR_DATA, "date feature '%s': the training set metadata's preprocessing.computed_fill_value is not a string",
                          col->name);
    if (!st) {
        lc_tab_raw_fill(&r, o->missing, &f);
        st = build(col, o, &r, out, e);
    }
    lc_tab_raw_free(&r);
    if (st)
        lc_prep_timeseries_free(out);
    return st;
}
