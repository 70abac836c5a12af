/* prep_tab.c - what Ludwig 0.10.3's preprocessing of number, binary and category columns shares
 * (see lc_prep_tab.h, prep_int.h): the names of the strategies, pandas' missing-value strings,
 * Python's float() and str.strip(), the distinct values in value_counts() order, the raw-string
 * stage (fill values computed on the raw strings, pandas' fillna) and the stored fill values.
 * The reference is Ludwig's build_dataset with pandas 2.1 / numpy 1.x, the versions Ludwig 0.10.3
 * pins: cells read as strings (dtype=object). Each type's own steps are in number.c, binary.c
 * and category.c.
 *
 * Not here: the CSV reader, the config, combining the dropped rows of several features, reading
 * and writing the metadata file.
 */
#include "lc_strtab.h"
#include "prep_int.h"

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

int lc_cell_is_missing(const char *cell)
{
    if (lc_prep_is_missing(cell))
        return 1;
    while (*cell == ' ' || (*cell >= '\t' && *cell <= '\r'))
        cell++;
    return *cell == '\0';
}

long lc_tab_line_of(const lc_prep_column *col, size_t i)
{
    return col->lines ? col->lines[i] : (long)i + 2; /* header on line 1 */
}

static int ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

int lc_tab_ieq(const char *a, const char *b) /* ASCII case-insensitive equality */
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
void lc_tab_py_strip(const char *s, size_t *start, size_t *len)
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
int lc_tab_py_float(const char *s, double *v)
{
    size_t a, n;
    lc_tab_py_strip(s, &a, &n);
    if (n == 0 || n > 4000)
        return 0;
    char buf[4096], *q = buf;
    memcpy(buf, s + a, n);
    buf[n] = '\0';
    const char *t = buf + (buf[0] == '+' || buf[0] == '-');
    if (lc_tab_ieq(t, "inf") || lc_tab_ieq(t, "infinity")) {
        *v = buf[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        return 1;
    }
    if (lc_tab_ieq(t, "nan")) {
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

void lc_tab_quote_text(char *dst, size_t n, const char *s)
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

/* ------------------------------------------------------------------ distinct values */



int lc_tab_cmp_sort_item(const void *a, const void *b)
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

/* SipHash-1-3 under a key drawn per call of lc_tab_distinct: a file crafted to collide cannot
 * make the table quadratic (the key only places slots; the result never depends on it) */
static uint64_t str_hash(const uint64_t key[2], const char *s)
{
    return lc_siphash(key[0], key[1], s, strlen(s), 1, 3);
}

/* The distinct strings of s (NULL entries skipped), as value_counts() orders them when
 * by_count (count descending, ties in order of first appearance) or as drop_duplicates() does.
 * One pass through a hash table, then a sort of the distinct values only. */
lc_status lc_tab_distinct(const char *const *s, size_t n, int by_count, dist **out, size_t *nd)
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
    uint64_t key[2];
    lc_hash_key(&key[0], &key[1]);
    for (size_t i = 0; i < n; i++) {
        if (!s[i])
            continue;
        uint64_t h = str_hash(key, s[i]);
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
void lc_tab_list_repr(char *buf, size_t cap, const char *const *s, const dist *d, size_t nd, size_t max)
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


void lc_tab_raw_free(raw_col *r)
{
    free(r->st);
    free(r->s);
    free(r->d);
    memset(r, 0, sizeof *r);
}

lc_status lc_tab_raw_init(raw_col *r, const lc_prep_column *col)
{
    size_t n = col->n ? col->n : 1;
    r->n = col->n;
    r->st = lc_realloc_array(NULL, n, sizeof *r->st);
    r->s = lc_realloc_array(NULL, n, sizeof *r->s);
    r->d = lc_realloc_array(NULL, n, sizeof *r->d);
    if (!r->st || !r->s || !r->d) {
        lc_tab_raw_free(r);
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

void lc_tab_raw_fill(raw_col *r, lc_missing how, const fill *f)
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
lc_status lc_tab_raw_mode(const lc_prep_column *col, const raw_col *r, const char *type, fill *f, lc_error *e)
{
    dist *d;
    size_t nd;
    if (lc_tab_distinct(r->s, r->n, 1, &d, &nd))
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

void lc_tab_set_item(cJSON *obj, const char *key, cJSON *item)
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

lc_status lc_tab_string_fill(const lc_prep_column *col, lc_missing m, const char *const_value,
                             const char *type, const raw_col *r, fill *f, lc_error *e)
{
    switch (m) {
    case LC_MISS_FILL_CONST:
        f->kind = CELL_STR;
        f->s = const_value;
        return LC_OK;
    case LC_MISS_FILL_MODE:
        return lc_tab_raw_mode(col, r, type, f, e);
    case LC_MISS_BFILL:
    case LC_MISS_FFILL:
    case LC_MISS_DROP_ROW:
        return LC_OK;
    default:
        return lc_error_set(e, LC_ERR_CONFIG, "%s feature '%s': missing value strategy %s is not available for %s features",
                            type, col->name, lc_missing_name(m), type);
    }
}

lc_status lc_tab_record_string_fill(cJSON *preproc, const fill *f, lc_error *e)
{
    if (f->kind != CELL_STR)
        return LC_OK;
    cJSON *j = cJSON_CreateString(f->s);
    if (!j)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_tab_set_item(preproc, "computed_fill_value", j);
    return LC_OK;
}

/* ------------------------------------------------------------------ with stored metadata */

/* meta.preprocessing[key] as a fill value: a string, a number, or a bool (Python's str() of it). */
int lc_tab_stored_fill(const cJSON *meta, const char *key, fill *f)
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

int lc_tab_strategy_fills(lc_missing m)
{
    return m != LC_MISS_BFILL && m != LC_MISS_FFILL && m != LC_MISS_DROP_ROW;
}

/* The stored fill value for strategy m; fill_with_const without one uses const_fill (may be NULL). */
lc_status lc_tab_stored_fill_for(const cJSON *meta, const char *key, lc_missing m, const fill *const_fill,
                                 const char *type, const char *name, fill *f, lc_error *e)
{
    if (!lc_tab_strategy_fills(m) || lc_tab_stored_fill(meta, key, f))
        return LC_OK;
    if (m == LC_MISS_FILL_CONST && const_fill) {
        *f = *const_fill;
        return LC_OK;
    }
    return lc_error_set(e, LC_ERR_DATA, "%s feature '%s': the training set metadata has no preprocessing.%s for missing_value_strategy %s",
                        type, name, key, lc_missing_name(m));
}
