/* prep_int.h - what the tabular type modules (number.c, binary.c, category.c) share of Ludwig's
 * column preprocessing (prep_tab.c): the raw-string stage a column goes through (missing cells,
 * fill values, pandas' fillna), the distinct values in value_counts() order, Python's float() and
 * str.strip(), and the stored-metadata fill values. Internal to lib/ludwig/features; the API is
 * lc_prep_tab.h. */
#ifndef LC_PREP_INT_H
#define LC_PREP_INT_H

#include <cJSON.h>
#include <stddef.h>

#include "lc_prep_tab.h"

typedef struct dist {
    size_t first; /* row of the first occurrence */
    size_t count;
} dist;

typedef struct sort_ctx_item {
    const char *s;
    size_t i;
} sort_item;

/* A column of cells between Ludwig's steps: each row holds a string, a float64 (a filled
 * number), a missing value, or is dropped. */
enum { CELL_NA = 0, CELL_STR, CELL_NUM, CELL_DROP };

typedef struct raw_col {
    unsigned char *st;
    const char **s;
    double *d;
    size_t n;
} raw_col;

/* The raw fill value Ludwig precomputes (precompute_fill_value). */
typedef struct fill {
    int kind; /* CELL_NA: none, CELL_STR: s, CELL_NUM: d */
    const char *s;
    double d;
} fill;

/* The source line of row i (the header is line 1). */
long lc_tab_line_of(const lc_prep_column *col, size_t i);
/* ASCII case-insensitive equality. */
int lc_tab_ieq(const char *a, const char *b);
/* Python's str.strip(): *start and *len of the stripped part of s. */
void lc_tab_py_strip(const char *s, size_t *start, size_t *len);
/* Python's float(str): 1 and *v on success (overflow gives +-inf as Python does), 0 if Python
 * raises ValueError. */
int lc_tab_py_float(const char *s, double *v);
/* s into dst (n bytes), cut at a UTF-8 boundary with "..." when it does not fit. */
void lc_tab_quote_text(char *dst, size_t n, const char *s);
/* qsort order of sort_item: by string, then by row. */
int lc_tab_cmp_sort_item(const void *a, const void *b);
/* The distinct strings of s (NULL entries skipped), as value_counts() orders them when by_count
 * (count descending, ties in order of first appearance) or as drop_duplicates() does. */
lc_status lc_tab_distinct(const char *const *s, size_t n, int by_count, dist **out, size_t *nd);
/* Python's repr of the first max distinct strings as a list, for messages: ['a', 'b']. */
void lc_tab_list_repr(char *buf, size_t cap, const char *const *s, const dist *d, size_t nd,
                      size_t max);

/* The raw-string stage: r holds col's cells (missing ones as CELL_NA). */
lc_status lc_tab_raw_init(raw_col *r, const lc_prep_column *col);
void lc_tab_raw_free(raw_col *r);
/* missing_value_strategy how applied to the missing cells (f: the fill value). */
void lc_tab_raw_fill(raw_col *r, lc_missing how, const fill *f);
/* value_counts().index[0] over the non-missing raw strings (fill_with_mode). */
lc_status lc_tab_raw_mode(const lc_prep_column *col, const raw_col *r, const char *type, fill *f,
                          lc_error *e);
/* obj[key] = item, replacing an existing key (item freed when obj is NULL). */
void lc_tab_set_item(cJSON *obj, const char *key, cJSON *item);
/* The fill value of a string column's strategy m (fill_with_const: const_value; fill_with_mode:
 * the mode; bfill, ffill, drop_row: none); the numeric strategies are an error naming type. */
lc_status lc_tab_string_fill(const lc_prep_column *col, lc_missing m, const char *const_value,
                             const char *type, const raw_col *r, fill *f, lc_error *e);
/* A string fill value as preproc["computed_fill_value"] (nothing for other kinds). */
lc_status lc_tab_record_string_fill(cJSON *preproc, const fill *f, lc_error *e);

/* meta.preprocessing[key] as a fill value: a string, a number, or a bool (Python's str()). */
int lc_tab_stored_fill(const cJSON *meta, const char *key, fill *f);
/* Whether strategy m fills cells with a value (not bfill, ffill or drop_row). */
int lc_tab_strategy_fills(lc_missing m);
/* The stored fill value for strategy m; fill_with_const without one uses const_fill (may be
 * NULL). */
lc_status lc_tab_stored_fill_for(const cJSON *meta, const char *key, lc_missing m,
                                 const fill *const_fill, const char *type, const char *name,
                                 fill *f, lc_error *e);

#endif
