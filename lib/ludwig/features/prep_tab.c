/* prep_tab.c - Ludwig 0.10.3's preprocessing of number, binary and category columns (see
 * lc_prep_tab.h). The reference is Ludwig's build_dataset with pandas 2.1 / numpy 1.x, the
 * versions Ludwig 0.10.3 pins: cells read as strings (dtype=object), fill values computed on the
 * raw strings, pd.to_numeric(errors="coerce").astype(float32) for numbers, float32 statistics
 * reduced the way numpy reduces them (pairwise sums in blocks of 8192), np.percentile's linear
 * interpolation, str2bool for binaries, value_counts order (count, then first appearance) for
 * category vocabularies and fill_with_mode.
 *
 * The *_apply functions rerun the same steps with a stored metadata entry instead of fitting.
 *
 * Not here: the CSV reader, the config, combining the dropped rows of several features, reading
 * and writing the metadata file.
 */
#include "lc_prep_tab.h"
#include "lc_npsum.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_json.h"
#include "lc_mem.h"

/* ------------------------------------------------------------------ names */

static const char *const missing_names[] = {"fill_with_const", "fill_with_mode", "fill_with_mean",
                                            "fill_with_false", "fill_with_true",  "bfill",
                                            "ffill",           "drop_row"};

int lc_missing_from_name(const char *name, lc_missing *out)
{
    for (size_t i = 0; name && i < sizeof missing_names / sizeof *missing_names; i++)
        if (strcmp(name, missing_names[i]) == 0) {
            *out = (lc_missing)i;
            return 0;
        }
    return -1;
}

const char *lc_missing_name(lc_missing m)
{
    return (unsigned)m < sizeof missing_names / sizeof *missing_names ? missing_names[m] : "?";
}

int lc_norm_from_name(const char *name, lc_numnorm *out)
{
    static const struct {
        const char *s;
        lc_numnorm k;
    } t[] = {{"zscore", LC_NUMNORM_ZSCORE}, {"minmax", LC_NUMNORM_MINMAX}, {"log1p", LC_NUMNORM_LOG1P}, {"iq", LC_NUMNORM_IQ}};
    if (!name) {
        *out = LC_NUMNORM_NONE;
        return 0;
    }
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(name, t[i].s) == 0) {
            *out = t[i].k;
            return 0;
        }
    return -1;
}

const char *lc_norm_name(lc_numnorm k)
{
    switch (k) {
    case LC_NUMNORM_ZSCORE: return "zscore";
    case LC_NUMNORM_MINMAX: return "minmax";
    case LC_NUMNORM_LOG1P: return "log1p";
    case LC_NUMNORM_IQ: return "iq";
    case LC_NUMNORM_NONE: break;
    }
    return NULL;
}

/* ------------------------------------------------------------------ cells */

int lc_prep_is_missing(const char *cell)
{
    /* pandas' STR_NA_VALUES (pandas >= 2.0 adds "None") */
    static const char *const na[] = {"",     "-1.#IND", "1.#QNAN", "1.#IND", "-1.#QNAN", "#N/A N/A", "#N/A",
                                     "N/A",  "n/a",     "NA",      "<NA>",   "#NA",      "NULL",     "null",
                                     "NaN",  "-NaN",    "nan",     "-nan",   "None"};
    if (!cell)
        return 1;
    /* a fast path for numbers: every NA string is at most 8 bytes and starts as these do */
    switch (cell[0]) {
    case '\0': return 1;
    case '1': /* 1.#IND, 1.#QNAN */
        if (cell[1] != '.')
            return 0;
        break;
    case '-': /* -1.#IND, -1.#QNAN, -NaN, -nan */
        if (!(cell[1] == 'N' || cell[1] == 'n' || (cell[1] == '1' && cell[2] == '.')))
            return 0;
        break;
    case '#':
    case 'N':
    case 'n':
    case '<': break;
    default: return 0;
    }
    if (strnlen(cell, 9) > 8)
        return 0;
    for (size_t i = 0; i < sizeof na / sizeof *na; i++)
        if (strcmp(cell, na[i]) == 0)
            return 1;
    return 0;
}

static long line_of(const lc_prep_column *col, size_t i)
{
    return col->lines ? col->lines[i] : (long)i + 2; /* header on line 1 */
}

static int ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int ieq(const char *a, const char *b) /* ASCII case-insensitive equality */
{
    for (; *a && *b; a++, b++)
        if (ascii_lower((unsigned char)*a) != ascii_lower((unsigned char)*b))
            return 0;
    return *a == *b;
}

/* Byte length of the Python whitespace character (str.isspace) starting at s, 0 if none. */
static size_t py_space_at(const unsigned char *s, size_t left)
{
    if (left >= 1 && ((s[0] >= 0x09 && s[0] <= 0x0d) || (s[0] >= 0x1c && s[0] <= 0x20)))
        return 1;
    if (left >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
        return 2;
    if (left >= 3) {
        unsigned cp = 0;
        if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80)
            cp = ((unsigned)(s[0] & 0x0f) << 12) | ((unsigned)(s[1] & 0x3f) << 6) | (s[2] & 0x3fu);
        if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
            cp == 0x205f || cp == 0x3000)
            return 3;
    }
    return 0;
}

/* Python's str.strip(): *start and *len of the stripped part of s. */
static void py_strip(const char *s, size_t *start, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), a = 0, k;
    while (a < n && (k = py_space_at(u + a, n - a)) > 0)
        a += k;
    size_t b = n;
    while (b > a) {
        size_t got = 0;
        for (k = 1; k <= 3 && k <= b - a; k++)
            if (py_space_at(u + b - k, k) == k) {
                got = k;
                break;
            }
        if (!got)
            break;
        b -= got;
    }
    *start = a;
    *len = b - a;
}

/* Digits with optional single underscores between digits (Python's float() grammar). */
static const char *py_digits(const char *p, int *nd)
{
    *nd = 0;
    while (*p >= '0' && *p <= '9') {
        (*nd)++;
        p++;
        if (*p == '_' && p[1] >= '0' && p[1] <= '9')
            p++;
    }
    return p;
}

/* Python's float(str): 1 and *v on success (overflow gives +-inf as Python does), 0 if Python
 * raises ValueError. Non-ASCII digits are not accepted (Python would). */
static int py_float(const char *s, double *v)
{
    size_t a, n;
    py_strip(s, &a, &n);
    if (n == 0 || n > 4000)
        return 0;
    char buf[4096], *q = buf;
    memcpy(buf, s + a, n);
    buf[n] = '\0';
    const char *t = buf + (buf[0] == '+' || buf[0] == '-');
    if (ieq(t, "inf") || ieq(t, "infinity")) {
        *v = buf[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        return 1;
    }
    if (ieq(t, "nan")) {
        *v = NAN;
        return 1;
    }
    int nd1 = 0, nd2 = 0, nd3 = 0;
    const char *r = buf;
    if (*r == '+' || *r == '-')
        r++;
    r = py_digits(r, &nd1);
    if (*r == '.')
        r = py_digits(r + 1, &nd2);
    if (nd1 + nd2 == 0)
        return 0;
    if (*r == 'e' || *r == 'E') {
        r++;
        if (*r == '+' || *r == '-')
            r++;
        r = py_digits(r, &nd3);
        if (nd3 == 0)
            return 0;
    }
    if (*r != '\0')
        return 0;
    for (const char *c = buf; *c; c++) /* drop the underscores */
        if (*c != '_')
            *q++ = *c;
    *q = '\0';
    *v = strtod(buf, NULL);
    return 1;
}

/* pd.to_numeric(errors="coerce") of one string: 1 and *v when pandas reads a number (NaN for
 * "nan" spellings), 0 when it coerces the cell to NaN. ASCII whitespace around a decimal number
 * is allowed, not around inf; an overflowing exponent is not a number. */
static int pd_numeric(const char *s, double *v)
{
    const char *t = s + (s[0] == '+' || s[0] == '-');
    if (ieq(t, "inf") || ieq(t, "infinity")) {
        *v = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        return 1;
    }
    if (ieq(t, "nan")) {
        *v = NAN;
        return 1;
    }
    const char *p = s;
    while (ascii_space(*p))
        p++;
    const char *num = p;
    if (*p == '+' || *p == '-')
        p++;
    int nd = 0;
    while (*p >= '0' && *p <= '9')
        p++, nd++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, nd++;
    }
    if (nd == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        const char *e = p + 1;
        if (*e == '+' || *e == '-')
            e++;
        if (*e >= '0' && *e <= '9') {
            while (*e >= '0' && *e <= '9')
                e++;
            p = e;
        }
    }
    const char *numend = p;
    while (ascii_space(*p))
        p++;
    if (*p != '\0')
        return 0;
    size_t len = (size_t)(numend - num);
    char small[128], *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf)
        return 0;
    memcpy(buf, num, len);
    buf[len] = '\0';
    double d = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    if (isinf(d))
        return 0; /* the text was finite: an overflow, which pandas coerces */
    *v = d;
    return 1;
}

static void quote_text(char *dst, size_t n, const char *s)
{
    size_t k = strlen(s);
    if (k < n) {
        memcpy(dst, s, k + 1);
        return;
    }
    size_t m = n - 4;
    while (m > 0 && ((unsigned char)s[m] & 0xc0) == 0x80) /* do not cut a UTF-8 sequence */
        m--;
    memcpy(dst, s, m);
    memcpy(dst + m, "...", 4);
}

/* ------------------------------------------------------------------ numpy reductions */

#define NP_BUFSIZE 8192 /* numpy's reduction buffer: each block is summed pairwise, blocks in order */

/* np.sum(a) for float32 a (float32 accumulation). */
static float np_sum_f32(const float *a, size_t n)
{
    float s = 0.f;
    for (size_t k = 0; k < n; k += NP_BUFSIZE)
        s += lc_np_pairwise_f32(a + k, n - k < NP_BUFSIZE ? n - k : NP_BUFSIZE);
    return s;
}

/* np.sum(a, dtype=float64) (a already widened). */
static double np_sum_f64(const double *a, size_t n)
{
    double s = 0.;
    for (size_t k = 0; k < n; k += NP_BUFSIZE)
        s += lc_np_pairwise_f64(a + k, n - k < NP_BUFSIZE ? n - k : NP_BUFSIZE);
    return s;
}

typedef struct num_stats {
    float mean, std, min, max;
    double q1, q2, q3;
} num_stats;

/* pandas float32 Series.mean() and .std() (nanops without bottleneck, ddof 1, numpy 1.x
 * promotion: the float64 average is rounded to float32 before the squared deviations). */
static lc_status f32_mean_std(const float *v /* (n) */, size_t n, float *mean, float *std)
{
    float *z = lc_alloc(n ? n : 1, sizeof *z);
    double *w = lc_alloc(n ? n : 1, sizeof *w);
    if (!z || !w) {
        lc_free(z);
        lc_free(w);
        return LC_ERR_NOMEM;
    }
    size_t cnt = 0;
    for (size_t i = 0; i < n; i++) {
        int nan = isnan(v[i]);
        z[i] = nan ? 0.f : v[i];
        w[i] = z[i];
        cnt += !nan;
    }
    float fc = (float)cnt;
    *mean = np_sum_f32(z, n) / fc;
    if (fc <= 1.f) {
        *std = NAN;
    } else {
        double avg = np_sum_f64(w, n) / (double)fc;
        float a32 = (float)avg;
        for (size_t i = 0; i < n; i++) {
            float d = a32 - z[i];
            w[i] = isnan(v[i]) ? 0. : (double)(d * d);
        }
        float var = (float)(np_sum_f64(w, n) / (double)(fc - 1.f));
        *std = sqrtf(var);
    }
    lc_free(z);
    lc_free(w);
    return LC_OK;
}

static void f32_min_max(const float *v, size_t n, float *mn, float *mx)
{
    float lo = INFINITY, hi = -INFINITY;
    size_t cnt = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
            cnt++;
        }
    *mn = cnt ? lo : NAN;
    *mx = cnt ? hi : NAN;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* np.percentile(v, q) with the default linear method, for sorted float32 s (n >= 1, no NaN):
 * float32 difference of the neighbours, float64 interpolation. */
static double np_percentile_sorted(const float *s, size_t n, double qfrac)
{
    double vi = (double)(n - 1) * qfrac;
    size_t prev, next;
    double t;
    if (vi >= (double)(n - 1)) {
        prev = next = n - 1;
        t = vi + 1.; /* numpy measures gamma from index -1 here; the difference is 0 anyway */
    } else {
        prev = (size_t)floor(vi);
        next = prev + 1;
        t = vi - (double)prev;
    }
    float a = s[prev], b = s[next];
    float diff = b - a;
    if (t >= 0.5)
        return (double)b - (double)diff * (1. - t);
    return (double)a + (double)diff * t;
}

/* ------------------------------------------------------------------ distinct values */

typedef struct dist {
    size_t first; /* row of the first occurrence */
    size_t count;
} dist;

typedef struct sort_ctx_item {
    const char *s;
    size_t i;
} sort_item;

static int cmp_sort_item(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    if (c)
        return c;
    return (x->i > y->i) - (x->i < y->i);
}

static int cmp_dist_count(const void *a, const void *b)
{
    const dist *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

static uint64_t str_hash(const char *s) /* FNV-1a */
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The distinct strings of s (NULL entries skipped), as value_counts() orders them when
 * by_count (count descending, ties in order of first appearance) or as drop_duplicates() does.
 * One pass through a hash table, then a sort of the distinct values only. */
static lc_status distinct(const char *const *s, size_t n, int by_count, dist **out, size_t *nd)
{
    *out = NULL;
    *nd = 0;
    size_t cap = 64, dcap = 64, k = 0;
    size_t *slot = calloc(cap, sizeof *slot); /* (cap) 1 + index into d, 0 = empty */
    uint64_t *hs = lc_realloc_array(NULL, dcap, sizeof *hs);
    dist *d = lc_realloc_array(NULL, dcap, sizeof *d);
    lc_status st = LC_ERR_NOMEM;
    if (!slot || !hs || !d)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if (!s[i])
            continue;
        uint64_t h = str_hash(s[i]);
        size_t pos = (size_t)h & (cap - 1);
        for (; slot[pos]; pos = (pos + 1) & (cap - 1)) {
            size_t j = slot[pos] - 1;
            if (hs[j] == h && strcmp(s[d[j].first], s[i]) == 0)
                break;
        }
        if (slot[pos]) {
            d[slot[pos] - 1].count++;
            continue;
        }
        if (k == dcap) {
            void *nh = lc_realloc_array(hs, dcap * 2, sizeof *hs);
            if (nh)
                hs = nh;
            void *ndd = nh ? lc_realloc_array(d, dcap * 2, sizeof *d) : NULL;
            if (!ndd)
                goto fail;
            d = ndd;
            dcap *= 2;
        }
        d[k] = (dist){i, 1};
        hs[k] = h;
        slot[pos] = ++k;
        if (2 * k > cap) { /* rehash into twice the slots */
            free(slot);
            cap *= 2;
            if (!(slot = calloc(cap, sizeof *slot)))
                goto fail;
            for (size_t j = 0; j < k; j++) {
                size_t p = (size_t)hs[j] & (cap - 1);
                while (slot[p])
                    p = (p + 1) & (cap - 1);
                slot[p] = j + 1;
            }
        }
    }
    if (by_count) /* d is in order of first appearance already */
        qsort(d, k, sizeof *d, cmp_dist_count);
    *out = d;
    *nd = k;
    d = NULL;
    st = LC_OK;
fail:
    free(slot);
    free(hs);
    free(d);
    return st;
}

/* Python's repr of the first max distinct strings as a list, for messages: ['a', 'b']. */
static void list_repr(char *buf, size_t cap, const char *const *s, const dist *d, size_t nd, size_t max)
{
    size_t used = 1;
    snprintf(buf, cap, "[");
    for (size_t i = 0; i < nd && i < max && used < cap; i++) {
        int w = snprintf(buf + used, cap - used, "%s'%s'", i ? ", " : "", s[d[i].first]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (used + 1 < cap)
        snprintf(buf + used, cap - used, "]");
}

/* ------------------------------------------------------------------ raw-string stage */

/* A column of cells between Ludwig's steps: each row holds a string, a float64 (a filled
 * number), a missing value, or is dropped. */
enum { CELL_NA = 0, CELL_STR, CELL_NUM, CELL_DROP };

typedef struct raw_col {
    unsigned char *st;
    const char **s;
    double *d;
    size_t n;
} raw_col;

static void raw_free(raw_col *r)
{
    free(r->st);
    free(r->s);
    free(r->d);
    memset(r, 0, sizeof *r);
}

static lc_status raw_init(raw_col *r, const lc_prep_column *col)
{
    size_t n = col->n ? col->n : 1;
    r->n = col->n;
    r->st = lc_realloc_array(NULL, n, sizeof *r->st);
    r->s = lc_realloc_array(NULL, n, sizeof *r->s);
    r->d = lc_realloc_array(NULL, n, sizeof *r->d);
    if (!r->st || !r->s || !r->d) {
        raw_free(r);
        return LC_ERR_NOMEM;
    }
    for (size_t i = 0; i < col->n; i++) {
        int na = lc_prep_is_missing(col->cells[i]);
        r->st[i] = na ? CELL_NA : CELL_STR;
        r->s[i] = na ? NULL : col->cells[i];
        r->d[i] = NAN;
    }
    return LC_OK;
}

/* The raw fill value Ludwig precomputes (precompute_fill_value). */
typedef struct fill {
    int kind; /* CELL_NA: none, CELL_STR: s, CELL_NUM: d */
    const char *s;
    double d;
} fill;

/* pandas fillna(method=...) over the non-dropped rows, then the other direction for what is left. */
static void raw_directional(raw_col *r, lc_missing how)
{
    for (int pass = 0; pass < 2; pass++) {
        int back = (how == LC_MISS_BFILL) == (pass == 0);
        size_t src = (size_t)-1, left = 0;
        for (size_t k = 0; k < r->n; k++) {
            size_t i = back ? r->n - 1 - k : k;
            if (r->st[i] == CELL_DROP)
                continue;
            if (r->st[i] != CELL_NA) {
                src = i;
            } else if (src != (size_t)-1) {
                r->st[i] = r->st[src];
                r->s[i] = r->s[src];
                r->d[i] = r->d[src];
            } else {
                left++;
            }
        }
        if (!left)
            break;
    }
}

static void raw_fill(raw_col *r, lc_missing how, const fill *f)
{
    if (how == LC_MISS_BFILL || how == LC_MISS_FFILL) {
        raw_directional(r, how);
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (r->st[i] != CELL_NA)
            continue;
        if (how == LC_MISS_DROP_ROW)
            r->st[i] = CELL_DROP;
        else if (f->kind == CELL_STR)
            r->st[i] = CELL_STR, r->s[i] = f->s;
        else if (f->kind == CELL_NUM && !isnan(f->d))
            r->st[i] = CELL_NUM, r->d[i] = f->d;
    }
}

/* value_counts().index[0] over the non-missing raw strings. */
static lc_status raw_mode(const lc_prep_column *col, const raw_col *r, const char *type, fill *f, lc_error *e)
{
    dist *d;
    size_t nd;
    if (distinct(r->s, r->n, 1, &d, &nd))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    if (nd == 0) {
        free(d);
        return lc_error_set(e, LC_ERR_DATA,
                            "%s feature '%s': missing_value_strategy fill_with_mode needs at least one non-missing value in the column",
                            type, col->name);
    }
    f->kind = CELL_STR;
    f->s = r->s[d[0].first];
    free(d);
    return LC_OK;
}

static void set_item(cJSON *obj, const char *key, cJSON *item)
{
    if (!obj || !item) {
        cJSON_Delete(item);
        return;
    }
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
    else
        cJSON_AddItemToObject(obj, key, item);
}

static cJSON *fill_json(const fill *f)
{
    return f->kind == CELL_STR ? cJSON_CreateString(f->s) : lc_json_float(f->d);
}

/* ------------------------------------------------------------------ number */

void lc_prep_number_defaults(lc_prep_number_opts *o, int is_input)
{
    memset(o, 0, sizeof *o);
    o->missing = is_input ? LC_MISS_FILL_CONST : LC_MISS_DROP_ROW;
    o->fill_value = 0.0;
    o->normalization = is_input ? LC_NUMNORM_ZSCORE : LC_NUMNORM_NONE;
    o->outlier_threshold = 3.0;
}

void lc_prep_number_free(lc_prep_number *r)
{
    if (!r)
        return;
    lc_free(r->values);
    lc_free(r->keep);
    cJSON_Delete(r->meta);
    memset(r, 0, sizeof *r);
}

static lc_status number_precompute(const lc_prep_column *col, const raw_col *r, lc_missing how,
                                   const lc_prep_number_opts *o, const cJSON *preproc, fill *f, cJSON **js,
                                   lc_error *e)
{
    f->kind = CELL_NA;
    *js = NULL;
    switch (how) {
    case LC_MISS_FILL_CONST: {
        f->kind = CELL_NUM;
        f->d = o->fill_value;
        const cJSON *fv = preproc ? cJSON_GetObjectItemCaseSensitive(preproc, "fill_value") : NULL;
        *js = fv ? cJSON_Duplicate(fv, 1) : lc_json_float(o->fill_value);
        break;
    }
    case LC_MISS_FILL_MODE: {
        lc_status st = raw_mode(col, r, "number", f, e);
        if (st)
            return st;
        *js = fill_json(f);
        break;
    }
    case LC_MISS_FILL_MEAN: {
        /* column.astype(float).mean(): Python float() of every string, NaN skipped */
        double *w = lc_alloc(r->n ? r->n : 1, sizeof *w);
        if (!w)
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        size_t cnt = 0;
        for (size_t i = 0; i < r->n; i++) {
            double v = 0.;
            if (r->st[i] == CELL_STR && !py_float(r->s[i], &v)) {
                char q[LC_PREP_TEXT_MAX];
                quote_text(q, sizeof q, r->s[i]);
                lc_free(w);
                return lc_error_set(e, LC_ERR_DATA,
                                    "line %ld: number feature '%s': could not convert string to float: '%s' (missing_value_strategy fill_with_mean needs every value to be a number)",
                                    line_of(col, i), col->name, q);
            }
            if (r->st[i] == CELL_STR && !isnan(v))
                w[i] = v, cnt++;
        }
        f->kind = CELL_NUM;
        f->d = np_sum_f64(w, r->n) / (double)cnt;
        lc_free(w);
        *js = lc_json_float(f->d);
        break;
    }
    case LC_MISS_BFILL:
    case LC_MISS_FFILL:
    case LC_MISS_DROP_ROW: return LC_OK;
    case LC_MISS_FILL_FALSE:
    case LC_MISS_FILL_TRUE:
        return lc_error_set(e, LC_ERR_CONFIG, "number feature '%s': missing value strategy %s is not available for number features",
                            col->name, lc_missing_name(how));
    }
    if (!*js)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    return LC_OK;
}

/* handle_missing_values / handle_outliers on the cast float32 column (kept rows only, in order). */
static lc_status number_refill(const lc_prep_column *col, const size_t *rows, float *v, unsigned char *drop,
                               size_t m, lc_missing how, const fill *f, lc_error *e)
{
    if (how == LC_MISS_BFILL || how == LC_MISS_FFILL) {
        for (int pass = 0; pass < 2; pass++) {
            int back = (how == LC_MISS_BFILL) == (pass == 0);
            int have = 0, left = 0;
            float src = 0.f;
            for (size_t k = 0; k < m; k++) {
                size_t i = back ? m - 1 - k : k;
                if (drop[i])
                    continue;
                if (!isnan(v[i]))
                    src = v[i], have = 1;
                else if (have)
                    v[i] = src;
                else
                    left = 1;
            }
            if (!left)
                break;
        }
        return LC_OK;
    }
    float fv = NAN;
    if (f->kind == CELL_NUM) {
        fv = (float)f->d;
    } else if (f->kind == CELL_STR) {
        /* the string fill turns the column to object; astype(float32) then applies float() */
        double d;
        for (size_t i = 0; i < m; i++)
            if (!drop[i] && isnan(v[i]) && !py_float(f->s, &d)) {
                char q[LC_PREP_TEXT_MAX];
                quote_text(q, sizeof q, f->s);
                return lc_error_set(e, LC_ERR_DATA,
                                    "line %ld: number feature '%s': could not convert string to float: '%s' (the fill_with_mode value is not a number)",
                                    line_of(col, rows[i]), col->name, q);
            }
        if (py_float(f->s, &d))
            fv = (float)d;
    }
    for (size_t i = 0; i < m; i++) {
        if (drop[i] || !isnan(v[i]))
            continue;
        if (how == LC_MISS_DROP_ROW)
            drop[i] = 1;
        else if (f->kind != CELL_NA)
            v[i] = fv;
    }
    return LC_OK;
}

lc_status lc_number_norm_from_meta(const cJSON *meta, lc_numnorm kind, const char *name, lc_number_norm *out,
                                   lc_error *e)
{
    static const char *const keys[][3] = {{NULL}, {"mean", "std"}, {"min", "max"}, {NULL}, {"q1", "q2", "q3"}};
    memset(out, 0, sizeof *out);
    out->kind = kind;
    double *dst[][3] = {{NULL}, {&out->mean, &out->std}, {&out->min, &out->max}, {NULL}, {&out->q1, &out->q2, &out->q3}};
    for (int k = 0; k < 3 && keys[kind][k]; k++) {
        const cJSON *it = meta ? cJSON_GetObjectItemCaseSensitive(meta, keys[kind][k]) : NULL;
        if (!cJSON_IsNumber(it))
            return lc_error_set(e, LC_ERR_DATA, "number feature '%s': training set metadata has no number '%s' for normalization %s",
                                name, keys[kind][k], lc_norm_name(kind));
        *dst[kind][k] = it->valuedouble;
    }
    return LC_OK;
}

lc_status lc_number_norm_apply(const lc_number_norm *nm, const char *name, float *x, const unsigned char *keep,
                               const long *lines, size_t n, lc_error *e)
{
    char r[LC_JSON_REPR_MAX];
    switch (nm->kind) {
    case LC_NUMNORM_NONE: return LC_OK;
    case LC_NUMNORM_ZSCORE: {
        if (nm->std == 0) {
            lc_json_float_repr(nm->mean, r, sizeof r);
            return lc_error_set(e, LC_ERR_DATA,
                                "number feature '%s': cannot apply zscore normalization since its standard deviation is 0 (every row holds %s); remove the feature or set preprocessing.normalization to null",
                                name, r);
        }
        float mu = (float)nm->mean, sd = (float)nm->std;
        for (size_t i = 0; i < n; i++)
            if (!keep || keep[i])
                x[i] = (x[i] - mu) / sd;
        return LC_OK;
    }
    case LC_NUMNORM_MINMAX: {
        float mn = (float)nm->min, rg = (float)(nm->max - nm->min);
        for (size_t i = 0; i < n; i++)
            if (!keep || keep[i])
                x[i] = (x[i] - mn) / rg;
        return LC_OK;
    }
    case LC_NUMNORM_LOG1P:
        for (size_t i = 0; i < n; i++)
            if ((!keep || keep[i]) && x[i] <= 0.f) {
                lc_json_float_repr(x[i], r, sizeof r);
                if (lines)
                    return lc_error_set(e, LC_ERR_DATA,
                                        "line %ld: number feature '%s': log1p normalization is defined only for positive values, found %s",
                                        lines[i], name, r);
                return lc_error_set(e, LC_ERR_DATA,
                                    "number feature '%s': log1p normalization is defined only for positive values, found %s",
                                    name, r);
            }
        for (size_t i = 0; i < n; i++)
            if (!keep || keep[i])
                x[i] = log1pf(x[i]);
        return LC_OK;
    case LC_NUMNORM_IQ: {
        double iqr = nm->q3 - nm->q1;
        if (iqr == 0)
            return lc_error_set(e, LC_ERR_DATA,
                                "number feature '%s': cannot apply iq normalization since the interquartile range is 0; choose another preprocessing.normalization",
                                name);
        float q2 = (float)nm->q2, d = (float)iqr;
        for (size_t i = 0; i < n; i++)
            if (!keep || keep[i])
                x[i] = (x[i] - q2) / d;
        return LC_OK;
    }
    }
    return lc_error_set(e, LC_ERR_INTERNAL, "number feature '%s': unknown normalization", name);
}

void lc_number_norm_inverse(const lc_number_norm *nm, float *x, size_t n)
{
    float a = 1.f, b = 0.f;
    switch (nm->kind) {
    case LC_NUMNORM_NONE: return;
    case LC_NUMNORM_ZSCORE: a = (float)nm->std, b = (float)nm->mean; break;
    case LC_NUMNORM_MINMAX: a = (float)(nm->max - nm->min), b = (float)nm->min; break;
    case LC_NUMNORM_IQ: a = (float)(nm->q3 - nm->q1), b = (float)nm->q2; break;
    case LC_NUMNORM_LOG1P:
        for (size_t i = 0; i < n; i++)
            x[i] = expm1f(x[i]);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float t = x[i] * a; /* two roundings, as torch's mul then add */
        x[i] = t + b;
    }
}

static lc_status number_meta(const lc_prep_number_opts *o, const num_stats *s, lc_number_norm *nm, cJSON **out)
{
    cJSON *m = cJSON_CreateObject();
    int ok = m != NULL;
    memset(nm, 0, sizeof *nm);
    nm->kind = o->normalization;
    if (ok && o->normalization == LC_NUMNORM_MINMAX) {
        ok = cJSON_AddItemToObject(m, "min", lc_json_float(s->min)) && cJSON_AddItemToObject(m, "max", lc_json_float(s->max));
        nm->min = s->min, nm->max = s->max;
    }
    if (ok && o->normalization == LC_NUMNORM_IQ) {
        ok = cJSON_AddItemToObject(m, "q1", lc_json_float(s->q1)) && cJSON_AddItemToObject(m, "q2", lc_json_float(s->q2)) &&
             cJSON_AddItemToObject(m, "q3", lc_json_float(s->q3));
        nm->q1 = s->q1, nm->q2 = s->q2, nm->q3 = s->q3;
    }
    if (ok && (o->normalization == LC_NUMNORM_ZSCORE || o->has_outlier_strategy)) {
        ok = cJSON_AddItemToObject(m, "mean", lc_json_float(s->mean)) && cJSON_AddItemToObject(m, "std", lc_json_float(s->std));
        nm->mean = s->mean, nm->std = s->std;
    }
    if (!ok) {
        cJSON_Delete(m);
        return LC_ERR_NOMEM;
    }
    *out = m;
    return LC_OK;
}

/* Step 3, the cast: pd.to_numeric(errors="coerce").astype(float32) of the rows not dropped, into
 * v (m of them, rows[k] their row); the first coerced cell is recorded in out. */
static void number_cast(const lc_prep_column *col, const raw_col *r, size_t *rows, float *v, size_t *m,
                        lc_prep_number *out)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->st[i] == CELL_DROP)
            continue;
        double d = NAN;
        if (r->st[i] == CELL_NUM) {
            d = r->d[i];
        } else if (r->st[i] == CELL_STR && !pd_numeric(r->s[i], &d)) {
            d = NAN;
            if (out->n_coerced++ == 0) {
                out->coerced_row = i;
                out->coerced_line = col->lines ? col->lines[i] : 0;
                quote_text(out->coerced_text, sizeof out->coerced_text, r->s[i]);
            }
        }
        rows[k] = i;
        v[k++] = (float)d;
    }
    *m = k;
}

/* Step 6: values further than threshold standard deviations from the mean become missing and are
 * filled by the outlier strategy. */
static lc_status number_outliers(const lc_prep_column *col, const size_t *rows, float *v, unsigned char *drop,
                                 size_t m, const lc_prep_number_opts *o, float mu, float sd, const fill *fo,
                                 lc_error *e)
{
    float thr = (float)o->outlier_threshold;
    for (size_t i = 0; i < m; i++)
        if (!drop[i] && fabsf((v[i] - mu) / sd) > thr)
            v[i] = NAN;
    return number_refill(col, rows, v, drop, m, o->outlier_strategy, fo, e);
}

/* Step 7 and the final dropna(): normalizes the kept values and scatters them to out (rows
 * dropped or NaN are not kept). drop is turned into keep. */
static lc_status number_finish(const lc_prep_column *col, const size_t *rows, float *v, unsigned char *drop,
                               size_t m, lc_prep_number *out, lc_error *e)
{
    long *lines = NULL; /* only log1p's message names a line */
    if (col->lines && out->norm.kind == LC_NUMNORM_LOG1P) {
        lines = lc_alloc(m ? m : 1, sizeof *lines);
        if (!lines)
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < m; i++)
            lines[i] = col->lines[rows[i]];
    }
    unsigned char *keep = drop; /* reuse: invert in place */
    for (size_t i = 0; i < m; i++)
        keep[i] = !drop[i];
    lc_status st = lc_number_norm_apply(&out->norm, col->name, v, keep, lines, m, e);
    lc_free(lines);
    if (st)
        return st;
    for (size_t i = 0; i < m; i++) {
        int k = keep[i] && !isnan(v[i]); /* dataset.dropna() */
        out->values[rows[i]] = v[i];
        out->keep[rows[i]] = (unsigned char)k;
        out->n_kept += (size_t)k;
    }
    return LC_OK;
}

/* The per-row buffers of a number column (scratch rows, v, drop; the outputs in out). */
typedef struct num_bufs {
    size_t *rows;
    float *v;
    unsigned char *drop;
} num_bufs;

static lc_status num_bufs_alloc(num_bufs *b, size_t n, lc_prep_number *out, lc_error *e)
{
    size_t n1 = n ? n : 1;
    b->rows = lc_alloc(n1, sizeof *b->rows);
    b->v = lc_alloc(n1, sizeof *b->v);
    b->drop = lc_alloc(n1, sizeof *b->drop);
    out->values = lc_alloc(n1, sizeof *out->values);
    out->keep = lc_alloc(n1, sizeof *out->keep);
    if (!b->rows || !b->v || !b->drop || !out->values || !out->keep)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    return LC_OK;
}

static void num_bufs_free(num_bufs *b)
{
    lc_free(b->rows);
    lc_free(b->v);
    lc_free(b->drop);
    memset(b, 0, sizeof *b);
}

lc_status lc_prep_number_run(const lc_prep_column *col, const lc_prep_number_opts *o, cJSON *preproc,
                             lc_prep_number *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    raw_col r;
    fill f = {0}, fo = {0};
    cJSON *js = NULL, *jso = NULL;
    num_bufs b = {0};
    size_t m = 0;
    float *sorted = NULL;
    lc_status st;
    if (raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");

    /* 1. fill values from the raw strings (before any cast) */
    st = number_precompute(col, &r, o->missing, o, preproc, &f, &js, e);
    if (st)
        goto done_raw;
    if (o->has_outlier_strategy) {
        if (o->outlier_strategy == o->missing) {
            fo = f;
            jso = js ? cJSON_Duplicate(js, 1) : NULL;
        } else {
            st = number_precompute(col, &r, o->outlier_strategy, o, preproc, &fo, &jso, e);
            if (st)
                goto done_raw;
        }
    }

    /* 2. fill the raw column, 3. cast */
    raw_fill(&r, o->missing, &f);
    if ((st = num_bufs_alloc(&b, col->n, out, e)))
        goto done;
    number_cast(col, &r, b.rows, b.v, &m, out);

    /* 4. metadata on the cast column (coerced NaNs not yet filled) */
    num_stats s = {0};
    if (o->normalization == LC_NUMNORM_ZSCORE || o->has_outlier_strategy)
        if (f32_mean_std(b.v, m, &s.mean, &s.std)) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
    if (o->normalization == LC_NUMNORM_MINMAX)
        f32_min_max(b.v, m, &s.min, &s.max);
    if (o->normalization == LC_NUMNORM_IQ) {
        if (m == 0) {
            st = lc_error_set(e, LC_ERR_DATA, "number feature '%s': iq normalization needs at least one value", col->name);
            goto done;
        }
        sorted = lc_alloc(m, sizeof *sorted);
        if (!sorted) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        int any_nan = 0;
        for (size_t i = 0; i < m; i++)
            sorted[i] = b.v[i], any_nan |= isnan(b.v[i]);
        if (any_nan) {
            s.q1 = s.q2 = s.q3 = NAN;
        } else {
            qsort(sorted, m, sizeof *sorted, cmp_float);
            s.q1 = np_percentile_sorted(sorted, m, 0.25);
            s.q2 = np_percentile_sorted(sorted, m, 0.5);
            s.q3 = np_percentile_sorted(sorted, m, 0.75);
        }
    }
    if (number_meta(o, &s, &out->norm, &out->meta)) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }

    /* 5. missing values again (the cast made new ones), 6. outliers, 7. normalization */
    st = number_refill(col, b.rows, b.v, b.drop, m, o->missing, &f, e);
    if (!st && o->has_outlier_strategy)
        st = number_outliers(col, b.rows, b.v, b.drop, m, o, s.mean, s.std, &fo, e);
    if (!st)
        st = number_finish(col, b.rows, b.v, b.drop, m, out, e);
    if (st)
        goto done;
    set_item(preproc, "computed_fill_value", js);
    js = NULL;
    set_item(preproc, "computed_outlier_fill_value", jso);
    jso = NULL;
done:
    num_bufs_free(&b);
    lc_free(sorted);
done_raw:
    raw_free(&r);
    cJSON_Delete(js);
    cJSON_Delete(jso);
    if (st)
        lc_prep_number_free(out);
    return st;
}

/* ------------------------------------------------------------------ with stored metadata */

/* meta.preprocessing[key] as a fill value: a string, a number, or a bool (Python's str() of it). */
static int stored_fill(const cJSON *meta, const char *key, fill *f)
{
    const cJSON *pre = meta ? cJSON_GetObjectItemCaseSensitive(meta, "preprocessing") : NULL;
    const cJSON *v = pre ? cJSON_GetObjectItemCaseSensitive(pre, key) : NULL;
    memset(f, 0, sizeof *f);
    if (cJSON_IsString(v))
        f->kind = CELL_STR, f->s = v->valuestring;
    else if (cJSON_IsNumber(v))
        f->kind = CELL_NUM, f->d = v->valuedouble;
    else if (cJSON_IsBool(v))
        f->kind = CELL_STR, f->s = cJSON_IsTrue(v) ? "True" : "False";
    return f->kind != CELL_NA;
}

static int strategy_fills(lc_missing m)
{
    return m != LC_MISS_BFILL && m != LC_MISS_FFILL && m != LC_MISS_DROP_ROW;
}

/* The stored fill value for strategy m; fill_with_const without one uses const_fill (may be NULL). */
static lc_status stored_fill_for(const cJSON *meta, const char *key, lc_missing m, const fill *const_fill,
                                 const char *type, const char *name, fill *f, lc_error *e)
{
    if (!strategy_fills(m) || stored_fill(meta, key, f))
        return LC_OK;
    if (m == LC_MISS_FILL_CONST && const_fill) {
        *f = *const_fill;
        return LC_OK;
    }
    return lc_error_set(e, LC_ERR_DATA, "%s feature '%s': the training set metadata has no preprocessing.%s for missing_value_strategy %s",
                        type, name, key, lc_missing_name(m));
}

lc_status lc_prep_number_apply(const lc_prep_column *col, const lc_prep_number_opts *o, const cJSON *meta,
                               lc_prep_number *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    raw_col r;
    fill f = {0}, fo = {0}, fc = {.kind = CELL_NUM, .d = o->fill_value};
    num_bufs b = {0};
    size_t m = 0;
    lc_number_norm zs;
    lc_status st;
    if (raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    if ((st = stored_fill_for(meta, "computed_fill_value", o->missing, &fc, "number", col->name, &f, e)))
        goto done;
    if (o->has_outlier_strategy &&
        ((st = stored_fill_for(meta, "computed_outlier_fill_value", o->outlier_strategy, &fc, "number", col->name, &fo, e)) ||
         (st = lc_number_norm_from_meta(meta, LC_NUMNORM_ZSCORE, col->name, &zs, e))))
        goto done;
    if ((st = lc_number_norm_from_meta(meta, o->normalization, col->name, &out->norm, e)))
        goto done;
    raw_fill(&r, o->missing, &f);
    if ((st = num_bufs_alloc(&b, col->n, out, e)))
        goto done;
    number_cast(col, &r, b.rows, b.v, &m, out);
    st = number_refill(col, b.rows, b.v, b.drop, m, o->missing, &f, e);
    if (!st && o->has_outlier_strategy)
        st = number_outliers(col, b.rows, b.v, b.drop, m, o, (float)zs.mean, (float)zs.std, &fo, e);
    if (!st)
        st = number_finish(col, b.rows, b.v, b.drop, m, out, e);
done:
    num_bufs_free(&b);
    raw_free(&r);
    if (st)
        lc_prep_number_free(out);
    return st;
}

/* ------------------------------------------------------------------ binary */

static const char *const bool_true[] = {"yes", "y", "true", "t", "1", "1.0"};
static const char *const bool_false[] = {"no", "n", "false", "f", "0", "0.0", "-1", "-1.0"};

static int in_set(const char *v, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ieq(v, set[i]))
            return 1;
    return 0;
}

int lc_binary_str2bool(const char *v, const char *fallback, int *out)
{
    if (in_set(v, bool_true, sizeof bool_true / sizeof *bool_true)) {
        *out = 1;
        return 0;
    }
    if (in_set(v, bool_false, sizeof bool_false / sizeof *bool_false)) {
        *out = 0;
        return 0;
    }
    if (!fallback)
        return -1;
    *out = strcmp(v, fallback) == 0;
    return 0;
}

void lc_prep_binary_defaults(lc_prep_binary_opts *o, int is_input)
{
    o->missing = is_input ? LC_MISS_FILL_FALSE : LC_MISS_DROP_ROW;
    o->fallback_true_label = NULL;
}

void lc_prep_binary_free(lc_prep_binary *r)
{
    if (!r)
        return;
    lc_free(r->values);
    lc_free(r->keep);
    cJSON_Delete(r->meta);
    memset(r, 0, sizeof *r);
}

static int cmp_str_desc(const void *a, const void *b)
{
    return strcmp(*(const char *const *)b, *(const char *const *)a);
}

/* precompute_fill_value for fill_with_false / fill_with_true. */
static lc_status binary_fill_bool(const lc_prep_column *col, const raw_col *r, const lc_prep_binary_opts *o,
                                  fill *f, lc_error *e)
{
    int need = o->missing == LC_MISS_FILL_TRUE;
    dist *d;
    size_t nd;
    char list[512];
    if (distinct(r->s, r->n, 0, &d, &nd))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    list_repr(list, sizeof list, r->s, d, nd, 10);
    if (nd > 2) {
        lc_error_set(e, LC_ERR_DATA,
                     "line %ld: binary feature '%s': missing value strategy `%s` expects 2 distinct values, found: %zu (ex: %s)",
                     line_of(col, d[2].first), col->name, lc_missing_name(o->missing), nd, list);
        free(d);
        return LC_ERR_DATA;
    }
    const char *vals[2];
    for (size_t i = 0; i < nd; i++)
        vals[i] = r->s[d[i].first];
    free(d);
    qsort(vals, nd, sizeof *vals, cmp_str_desc);
    const char *fb = o->fallback_true_label && *o->fallback_true_label ? o->fallback_true_label : "true";
    for (size_t i = 0; i < nd; i++) {
        int b;
        lc_binary_str2bool(vals[i], fb, &b);
        if (b == need) {
            f->kind = CELL_STR;
            f->s = vals[i];
            return LC_OK;
        }
    }
    return lc_error_set(e, LC_ERR_DATA, "binary feature '%s': unable to determine the %s value to fill missing values with, distinct values: %s",
                        col->name, need ? "True" : "False", list);
}

/* Ludwig's cast_column on a binary column: the column is cast through float when every
 * distinct value parses as a number, through bool when every one is true/false (any case) and
 * no NaN is left; otherwise it stays strings (str2bool). */
static void cast_kind(const raw_col *r, const dist *d, size_t nd, int *numbers, int *bools)
{
    int left_nan = 0;
    *numbers = *bools = 1;
    for (size_t i = 0; i < r->n; i++)
        left_nan |= r->st[i] == CELL_NA;
    for (size_t k = 0; k < nd; k++) {
        const char *s = r->s[d[k].first];
        double x;
        *numbers &= py_float(s, &x);
        *bools &= ieq(s, "true") || ieq(s, "false");
    }
    *bools &= !left_nan;
}

/* Row i of a column cast_kind found numeric (x != 0; a NaN is true) or boolean. */
static int cast_value(const raw_col *r, size_t i, int numbers)
{
    double x = NAN;
    if (r->st[i] == CELL_STR && numbers)
        py_float(r->s[i], &x);
    return numbers ? x != 0. : ieq(r->s[i], "true");
}

lc_status lc_prep_binary_run(const lc_prep_column *col, const lc_prep_binary_opts *o, cJSON *preproc,
                             lc_prep_binary *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    raw_col r;
    fill f = {0};
    dist *d = NULL;
    size_t nd = 0;
    lc_status st = LC_OK;
    if (raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    switch (o->missing) {
    case LC_MISS_FILL_FALSE:
    case LC_MISS_FILL_TRUE: st = binary_fill_bool(col, &r, o, &f, e); break;
    case LC_MISS_FILL_MODE: st = raw_mode(col, &r, "binary", &f, e); break;
    case LC_MISS_BFILL:
    case LC_MISS_FFILL:
    case LC_MISS_DROP_ROW: break;
    case LC_MISS_FILL_CONST:
    case LC_MISS_FILL_MEAN:
        st = lc_error_set(e, LC_ERR_CONFIG, "binary feature '%s': missing value strategy %s is not available for binary features",
                          col->name, lc_missing_name(o->missing));
        break;
    }
    if (st)
        goto done;
    raw_fill(&r, o->missing, &f);

    size_t n1 = col->n ? col->n : 1;
    out->values = lc_alloc(n1, sizeof *out->values);
    out->keep = lc_alloc(n1, sizeof *out->keep);
    out->meta = cJSON_CreateObject();
    if (!out->values || !out->keep || !out->meta || distinct(r.s, r.n, 0, &d, &nd)) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    int numbers, bools;
    cast_kind(&r, d, nd, &numbers, &bools);
    if (numbers || bools) {
        for (size_t i = 0; i < r.n; i++) {
            if (r.st[i] == CELL_DROP)
                continue;
            out->values[i] = (unsigned char)cast_value(&r, i, numbers);
            out->keep[i] = 1;
            out->n_kept++;
        }
    } else {
        char list[512];
        list_repr(list, sizeof list, r.s, d, nd, 10);
        if (nd > 2) {
            st = lc_error_set(e, LC_ERR_DATA, "line %ld: Column \"%s\" as binary feature: expects 2 distinct values, found %s",
                              line_of(col, d[2].first), col->name, list);
            goto done;
        }
        const char *fb = o->fallback_true_label && *o->fallback_true_label ? o->fallback_true_label : NULL;
        if (!fb) {
            fb = r.s[d[0].first];
            for (size_t k = 1; k < nd; k++)
                if (strcmp(r.s[d[k].first], fb) < 0)
                    fb = r.s[d[k].first];
        }
        int b[2];
        for (size_t k = 0; k < nd; k++)
            out->unconventional |= lc_binary_str2bool(r.s[d[k].first], NULL, &b[k]) != 0;
        for (size_t k = 0; k < nd && out->unconventional; k++)
            lc_binary_str2bool(r.s[d[k].first], fb, &b[k]);
        cJSON *s2b = cJSON_AddObjectToObject(out->meta, "str2bool");
        cJSON *b2s = cJSON_AddArrayToObject(out->meta, "bool2str");
        int ok = s2b && b2s && cJSON_AddStringToObject(out->meta, "fallback_true_label", fb);
        for (size_t k = 0; ok && k < nd; k++)
            ok = cJSON_AddItemToObject(s2b, r.s[d[k].first], cJSON_CreateBool(b[k]));
        for (int want = 0; want < 2; want++) /* sorted by bool, stable */
            for (size_t k = 0; ok && k < nd; k++)
                if (b[k] == want)
                    ok = cJSON_AddItemToArray(b2s, cJSON_CreateString(r.s[d[k].first]));
        if (ok && preproc && !(o->fallback_true_label && *o->fallback_true_label)) {
            cJSON *l = cJSON_CreateString(fb);
            ok = l != NULL;
            set_item(preproc, "fallback_true_label", l);
        }
        if (!ok) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < r.n; i++) {
            if (r.st[i] == CELL_DROP)
                continue;
            for (size_t k = 0; k < nd; k++)
                if (strcmp(r.s[i], r.s[d[k].first]) == 0)
                    out->values[i] = (unsigned char)b[k];
            out->keep[i] = 1;
            out->n_kept++;
        }
    }
    if (f.kind == CELL_STR) {
        cJSON *j = cJSON_CreateString(f.s);
        if (!j) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        set_item(preproc, "computed_fill_value", j);
    }
done:
    free(d);
    raw_free(&r);
    if (st)
        lc_prep_binary_free(out);
    return st;
}

lc_status lc_prep_binary_apply(const lc_prep_column *col, const lc_prep_binary_opts *o, const cJSON *meta,
                               lc_prep_binary *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    raw_col r;
    fill f = {0};
    dist *d = NULL;
    size_t nd = 0;
    lc_status st = LC_OK;
    if (raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    if (o->missing == LC_MISS_FILL_CONST || o->missing == LC_MISS_FILL_MEAN) {
        st = lc_error_set(e, LC_ERR_CONFIG, "binary feature '%s': missing value strategy %s is not available for binary features",
                          col->name, lc_missing_name(o->missing));
        goto done;
    }
    if (strategy_fills(o->missing) && !stored_fill(meta, "computed_fill_value", &f)) {
        if (o->missing == LC_MISS_FILL_MODE) {
            st = lc_error_set(e, LC_ERR_DATA, "binary feature '%s': the training set metadata has no preprocessing.computed_fill_value for missing_value_strategy fill_with_mode",
                              col->name);
            goto done;
        }
        f.kind = CELL_STR; /* fill_with_false / fill_with_true without a stored value */
        f.s = o->missing == LC_MISS_FILL_TRUE ? "true" : "false";
    }
    raw_fill(&r, o->missing, &f);
    size_t n1 = col->n ? col->n : 1;
    out->values = lc_alloc(n1, sizeof *out->values);
    out->keep = lc_alloc(n1, sizeof *out->keep);
    if (!out->values || !out->keep || distinct(r.s, r.n, 0, &d, &nd)) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    int numbers, bools;
    cast_kind(&r, d, nd, &numbers, &bools);
    const cJSON *s2b = meta ? cJSON_GetObjectItemCaseSensitive(meta, "str2bool") : NULL;
    const cJSON *fbj = meta ? cJSON_GetObjectItemCaseSensitive(meta, "fallback_true_label") : NULL;
    const char *fb = cJSON_IsString(fbj) ? fbj->valuestring
                     : o->fallback_true_label && *o->fallback_true_label ? o->fallback_true_label
                                                                         : NULL;
    for (size_t i = 0; i < r.n; i++) {
        if (r.st[i] == CELL_DROP)
            continue;
        int b = 1; /* a NaN left in the column: bool(NaN) is True */
        if (numbers || bools) {
            b = cast_value(&r, i, numbers);
        } else if (r.st[i] == CELL_STR) {
            /* the stored str2bool, else strings_utils.str2bool with the stored fallback */
            const cJSON *v = s2b ? cJSON_GetObjectItemCaseSensitive(s2b, r.s[i]) : NULL;
            if (cJSON_IsBool(v)) {
                b = cJSON_IsTrue(v);
            } else if (lc_binary_str2bool(r.s[i], fb, &b) != 0) {
                char q[LC_PREP_TEXT_MAX];
                quote_text(q, sizeof q, r.s[i]);
                st = lc_error_set(e, LC_ERR_DATA,
                                  "line %ld: binary feature '%s' holds '%s', which is neither one of the training values (str2bool) nor a boolean string",
                                  line_of(col, i), col->name, q);
                goto done;
            }
        }
        out->values[i] = (unsigned char)b;
        out->keep[i] = 1;
        out->n_kept++;
    }
done:
    free(d);
    raw_free(&r);
    if (st)
        lc_prep_binary_free(out);
    return st;
}

/* ------------------------------------------------------------------ category */

void lc_prep_category_defaults(lc_prep_category_opts *o, int is_input)
{
    o->missing = is_input ? LC_MISS_FILL_CONST : LC_MISS_DROP_ROW;
    o->fill_value = "<UNK>";
    o->most_common = 10000;
    o->is_input = is_input;
}

void lc_prep_category_free(lc_prep_category *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_idx2str; i++)
        free(c->idx2str ? c->idx2str[i] : NULL);
    free(c->idx2str);
    free(c->freq);
    free(c->keys); /* the key strings are idx2str's */
    free(c->key_idx);
    lc_free(c->values);
    lc_free(c->keep);
    cJSON_Delete(c->meta);
    memset(c, 0, sizeof *c);
}

static int find_key(const lc_prep_category *c, const char *s, size_t len)
{
    size_t lo = 0, hi = c->n_keys;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int k = strncmp(c->keys[mid], s, len);
        if (k == 0)
            k = c->keys[mid][len] != '\0';
        if (k == 0)
            return c->key_idx[mid];
        if (k < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

int lc_prep_category_index(const lc_prep_category *c, const char *cell)
{
    size_t a, n;
    py_strip(cell, &a, &n);
    int k = find_key(c, cell + a, n);
    return k >= 0 ? k : c->fallback_idx;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* str2idx, str2freq, vocab_size and the fallback index from idx2str (duplicates: last index wins,
 * as a dict comprehension over the list). */
static lc_status category_index(lc_prep_category *c)
{
    size_t n = c->n_idx2str;
    char **k = lc_realloc_array(NULL, n ? n : 1, sizeof *k);
    int *ki = lc_realloc_array(NULL, n ? n : 1, sizeof *ki);
    if (!k || !ki) {
        free(k), free(ki);
        return LC_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        k[i] = c->idx2str[i];
    qsort(k, n, sizeof *k, cmp_key);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || strcmp(k[i], k[m - 1]) != 0)
            k[m++] = k[i];
    c->keys = k;
    c->key_idx = ki;
    c->n_keys = m;
    for (size_t i = 0; i < n; i++) /* later entries overwrite earlier ones */
        ki[(size_t)((char **)bsearch(&c->idx2str[i], k, m, sizeof *k, cmp_key) - k)] = (int)i;
    c->vocab_size = m;
    int unk = find_key(c, "<UNK>", 5);
    if (unk >= 0) {
        c->fallback_idx = unk;
    } else {
        /* max(str2freq, key=str2freq.get): the first key (in idx2str order) with the top count */
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (c->freq[i] > c->freq[best])
                best = i;
        c->fallback_idx = n ? find_key(c, c->idx2str[best], strlen(c->idx2str[best])) : 0;
    }
    return LC_OK;
}

static lc_status category_meta(lc_prep_category *c)
{
    cJSON *m = cJSON_CreateObject();
    cJSON *i2s = cJSON_AddArrayToObject(m, "idx2str");
    cJSON *s2i = cJSON_AddObjectToObject(m, "str2idx");
    cJSON *s2f = cJSON_AddObjectToObject(m, "str2freq");
    int ok = m && i2s && s2i && s2f;
    for (size_t i = 0; ok && i < c->n_idx2str; i++)
        ok = cJSON_AddItemToArray(i2s, cJSON_CreateString(c->idx2str[i]));
    /* keys in first-insertion order, each with its final value */
    for (size_t i = 0; ok && i < c->n_idx2str; i++) {
        const char *s = c->idx2str[i];
        if (cJSON_GetObjectItemCaseSensitive(s2i, s))
            continue;
        int idx = find_key(c, s, strlen(s));
        ok = cJSON_AddItemToObject(s2i, s, lc_json_int(idx)) && cJSON_AddItemToObject(s2f, s, lc_json_int(c->freq[i]));
    }
    ok = ok && cJSON_AddItemToObject(m, "vocab_size", lc_json_int((long long)c->vocab_size));
    if (!ok) {
        cJSON_Delete(m);
        return LC_ERR_NOMEM;
    }
    c->meta = m;
    return LC_OK;
}

lc_status lc_prep_category_run(const lc_prep_column *col, const lc_prep_category_opts *o, cJSON *preproc,
                               lc_prep_category *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    raw_col r;
    fill f = {0};
    char *buf = NULL;
    const char **stripped = NULL;
    dist *d = NULL;
    size_t nd = 0;
    lc_status st = LC_OK;
    if (raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    switch (o->missing) {
    case LC_MISS_FILL_CONST:
        f.kind = CELL_STR;
        f.s = o->fill_value ? o->fill_value : "<UNK>";
        break;
    case LC_MISS_FILL_MODE: st = raw_mode(col, &r, "category", &f, e); break;
    case LC_MISS_BFILL:
    case LC_MISS_FFILL:
    case LC_MISS_DROP_ROW: break;
    case LC_MISS_FILL_MEAN:
    case LC_MISS_FILL_FALSE:
    case LC_MISS_FILL_TRUE:
        st = lc_error_set(e, LC_ERR_CONFIG, "category feature '%s': missing value strategy %s is not available for category features",
                          col->name, lc_missing_name(o->missing));
        break;
    }
    if (st)
        goto done;
    if (o->most_common < 0) {
        st = lc_error_set(e, LC_ERR_CONFIG, "category feature '%s': preprocessing.most_common must be positive", col->name);
        goto done;
    }
    raw_fill(&r, o->missing, &f);

    /* astype(str) (a NaN left by bfill/ffill becomes "nan"), then str.strip() */
    size_t total = 1, n1 = col->n ? col->n : 1;
    for (size_t i = 0; i < r.n; i++)
        if (r.st[i] != CELL_DROP && lc_size_add(total, (r.st[i] == CELL_STR ? strlen(r.s[i]) : 3) + 1, &total)) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
    buf = malloc(total);
    stripped = lc_realloc_array(NULL, n1, sizeof *stripped);
    out->values = lc_alloc(n1, sizeof *out->values);
    out->keep = lc_alloc(n1, sizeof *out->keep);
    if (!buf || !stripped || !out->values || !out->keep) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t used = 0;
    for (size_t i = 0; i < r.n; i++) {
        stripped[i] = NULL;
        if (r.st[i] == CELL_DROP)
            continue;
        const char *s = r.st[i] == CELL_STR ? r.s[i] : "nan";
        size_t a, len;
        py_strip(s, &a, &len);
        memcpy(buf + used, s + a, len);
        buf[used + len] = '\0';
        stripped[i] = buf + used;
        used += len + 1;
    }
    if (distinct(stripped, r.n, 1, &d, &nd)) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }

    /* the vocabulary: value_counts order; <UNK> first only when most_common cuts it */
    size_t keep_n = (size_t)o->most_common < nd ? (size_t)o->most_common : nd;
    int unk = (size_t)o->most_common < nd;
    out->n_idx2str = keep_n + (size_t)unk;
    out->idx2str = calloc(out->n_idx2str ? out->n_idx2str : 1, sizeof *out->idx2str);
    out->freq = calloc(out->n_idx2str ? out->n_idx2str : 1, sizeof *out->freq);
    if (!out->idx2str || !out->freq) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < out->n_idx2str; i++) {
        const char *s = unk && i == 0 ? "<UNK>" : stripped[d[i - (size_t)unk].first];
        out->idx2str[i] = lc_strdup(s);
        if (!out->idx2str[i]) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        /* str2freq.get(s, 0): a data value's own count; "<UNK>" counts only if the data holds it */
        if (unk && i == 0) {
            for (size_t k = 0; k < nd; k++)
                if (strcmp(stripped[d[k].first], s) == 0)
                    out->freq[i] = (long long)d[k].count;
        } else {
            out->freq[i] = (long long)d[i - (size_t)unk].count;
        }
    }
    if (category_index(out) || category_meta(out)) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (!o->is_input && out->vocab_size <= 1) {
        st = lc_error_set(e, LC_ERR_DATA,
                          "Column \"%s\" as category feature: at least 2 distinct values are required for category output features, but column only contains [%s%s%s]",
                          col->name, out->n_idx2str ? "'" : "", out->n_idx2str ? out->idx2str[0] : "",
                          out->n_idx2str ? "'" : "");
        goto done;
    }
    for (size_t i = 0; i < r.n; i++) {
        if (!stripped[i])
            continue;
        out->values[i] = lc_prep_category_index(out, stripped[i]);
        out->keep[i] = 1;
        out->n_kept++;
    }
    if (f.kind == CELL_STR) {
        cJSON *j = cJSON_CreateString(f.s);
        if (!j) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        set_item(preproc, "computed_fill_value", j);
    }
done:
    free(d);
    free(buf);
    free(stripped);
    raw_free(&r);
    if (st)
        lc_prep_category_free(out);
    return st;
}

lc_status lc_prep_category_from_meta(const cJSON *meta, const char *name, lc_prep_category *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    const cJSON *i2s = meta ? cJSON_GetObjectItemCaseSensitive(meta, "idx2str") : NULL;
    if (!cJSON_IsArray(i2s) || cJSON_GetArraySize(i2s) < 1)
        return lc_error_set(e, LC_ERR_DATA, "training set metadata has no vocabulary (idx2str) for feature '%s'", name);
    size_t n = (size_t)cJSON_GetArraySize(i2s);
    sort_item *it = lc_realloc_array(NULL, n, sizeof *it);
    out->idx2str = calloc(n, sizeof *out->idx2str);
    out->freq = calloc(n, sizeof *out->freq);
    out->n_idx2str = n;
    lc_status st = LC_OK;
    if (!it || !out->idx2str || !out->freq) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    const cJSON *s2f = cJSON_GetObjectItemCaseSensitive(meta, "str2freq");
    size_t i = 0;
    for (const cJSON *v = i2s->child; v && i < n; v = v->next, i++) {
        if (!cJSON_IsString(v)) {
            st = lc_error_set(e, LC_ERR_DATA, "%s.idx2str[%zu] is not a string", name, i);
            goto done;
        }
        if (!(out->idx2str[i] = lc_strdup(v->valuestring))) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        it[i] = (sort_item){out->idx2str[i], i};
        const cJSON *fr = s2f ? cJSON_GetObjectItemCaseSensitive(s2f, v->valuestring) : NULL;
        /* only used to pick the most frequent class; anything unusable counts as 0 */
        out->freq[i] = cJSON_IsNumber(fr) && fr->valuedouble >= 0 && fr->valuedouble < 9e18 ? (long long)fr->valuedouble : 0;
    }
    /* a label listed twice: name the first index that repeats an earlier one */
    qsort(it, n, sizeof *it, cmp_sort_item);
    size_t rep = n, orig = 0;
    for (size_t k = 1; k < n; k++) {
        /* Ludwig itself lists "<UNK>" twice when most_common cuts the vocabulary and the data holds it */
        int second = strcmp(it[k].s, it[k - 1].s) == 0 && (k == 1 || strcmp(it[k - 1].s, it[k - 2].s) != 0) &&
                     strcmp(it[k].s, "<UNK>") != 0;
        if (second && it[k].i < rep) {
            rep = it[k].i;
            orig = it[k - 1].i;
        }
    }
    if (rep < n) {
        st = lc_error_set(e, LC_ERR_DATA, "%s.idx2str[%zu] repeats the label '%s' of idx2str[%zu]", name, rep,
                          out->idx2str[rep], orig);
        goto done;
    }
    if (category_index(out))
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
done:
    free(it);
    if (st)
        lc_prep_category_free(out);
    return st;
}

lc_status lc_prep_category_apply(const lc_prep_column *col, const lc_prep_category_opts *o, const cJSON *meta,
                                 lc_prep_category *out, lc_error *e)
{
    raw_col r;
    fill f = {0}, fc = {.kind = CELL_STR, .s = o->fill_value ? o->fill_value : "<UNK>"};
    lc_status st = lc_prep_category_from_meta(meta, col->name, out, e);
    if (st)
        return st;
    if (raw_init(&r, col)) {
        lc_prep_category_free(out);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    if (o->missing == LC_MISS_FILL_MEAN || o->missing == LC_MISS_FILL_FALSE || o->missing == LC_MISS_FILL_TRUE) {
        st = lc_error_set(e, LC_ERR_CONFIG, "category feature '%s': missing value strategy %s is not available for category features",
                          col->name, lc_missing_name(o->missing));
        goto done;
    }
    if ((st = stored_fill_for(meta, "computed_fill_value", o->missing, &fc, "category", col->name, &f, e)))
        goto done;
    if (f.kind == CELL_NUM) { /* a number stored as the fill: astype(str) would spell it as repr */
        st = lc_error_set(e, LC_ERR_DATA, "category feature '%s': the training set metadata's preprocessing.computed_fill_value is not a string",
                          col->name);
        goto done;
    }
    raw_fill(&r, o->missing, &f);
    size_t n1 = col->n ? col->n : 1;
    out->values = lc_alloc(n1, sizeof *out->values);
    out->keep = lc_alloc(n1, sizeof *out->keep);
    if (!out->values || !out->keep) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < r.n; i++) {
        if (r.st[i] == CELL_DROP)
            continue;
        const char *s = r.st[i] == CELL_STR ? r.s[i] : "nan";
        size_t a, len;
        py_strip(s, &a, &len);
        int k = find_key(out, s + a, len);
        if (k < 0) {
            k = out->fallback_idx;
            if (out->n_unknown++ == 0) {
                out->unknown_row = i;
                out->unknown_line = line_of(col, i);
                char *t = lc_strndup(s + a, len);
                quote_text(out->unknown_text, sizeof out->unknown_text, t ? t : "");
                free(t);
            }
        }
        out->values[i] = k;
        out->keep[i] = 1;
        out->n_kept++;
    }
done:
    raw_free(&r);
    if (st)
        lc_prep_category_free(out);
    return st;
}
