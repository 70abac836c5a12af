/* timeseries.c - the timeseries feature type (inputs), and the vector type's column (a row of
 * exactly vector_size whitespace-separated numbers, vector_feature.py): Ludwig 0.10.3's preprocessing of a
 * timeseries column (ludwig/features/timeseries_feature.py): missing cells filled (fill_with_const
 * "" by default), each cell tokenized by a string-split tokenizer (str.strip(), split on the
 * separator, empty tokens dropped), max_timeseries_length = min(timeseries_length_limit, the
 * longest row), every token a float32 (Python's float(); NaN becomes padding_value), rows padded
 * with padding_value on the right (or, padding: left, right-aligned) and cut to that length. The
 * metadata is {"max_timeseries_length": T, "preprocessing": {...}}. See lc_prep_tab.h. */
#include "prep_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lc_json.h"
#include "lc_mem.h"

void lc_prep_timeseries_defaults(lc_prep_timeseries_opts *o)
{
    memset(o, 0, sizeof *o);
    o->missing = LC_MISS_FILL_CONST;
    o->fill_value = "";
    o->sep = ' ';
    o->limit = 256;
}

void lc_prep_timeseries_free(lc_prep_timeseries *r)
{
    lc_free(r->values);
    lc_free(r->keep);
    cJSON_Delete(r->meta);
    memset(r, 0, sizeof *r);
}

/* The tokens of s: str.strip(), then split on sep with empty tokens dropped. Calls fn for each
 * (start, length) when fn is not NULL; returns how many. */
typedef int (*token_fn)(void *ctx, const char *tok, size_t len, int k);

static int tokens(const char *s, char sep, token_fn fn, void *ctx)
{
    if (sep == 0) { /* str.split(): runs of whitespace */
        int k = 0;
        for (const char *p = s; *p;) {
            while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
                p++;
            if (!*p)
                break;
            const char *q = p;
            while (*q && !(*q == ' ' || (*q >= '\t' && *q <= '\r')))
                q++;
            if (fn && fn(ctx, p, (size_t)(q - p), k))
                return -1;
            k++;
            p = q;
        }
        return k;
    }
    size_t a, len;
    lc_tab_py_strip(s, &a, &len);
    const char *p = s + a, *end = s + a + len;
    int k = 0;
    while (p <= end) {
        const char *q = memchr(p, sep, (size_t)(end - p));
        if (!q)
            q = end;
        if (q > p) {
            if (fn && fn(ctx, p, (size_t)(q - p), k))
                return -1;
            k++;
        }
        p = q + 1;
    }
    return k;
}

typedef struct row_ctx {
    const lc_prep_column *col;
    size_t row;
    const lc_prep_timeseries_opts *o;
    float *dst; /* (T) */
    int T, n, off;
    lc_error *e;
    lc_status st;
} row_ctx;

/* token k as a float32 into its place (k < the kept length) */
static int put_token(void *vctx, const char *tok, size_t len, int k)
{
    row_ctx *c = vctx;
    if (k >= c->n)
        return 0;
    char buf[128];
    double v = 0;
    int ok = len < sizeof buf;
    if (ok) {
        memcpy(buf, tok, len);
        buf[len] = '\0';
        ok = lc_tab_py_float(buf, &v);
    }
    if (!ok) {
        char shown[LC_PREP_TEXT_MAX];
        char *t = lc_strndup(tok, len);
        lc_tab_quote_text(shown, sizeof shown, t ? t : "");
        free(t);
        c->st = lc_error_set(c->e, LC_ERR_DATA,
                             "line %ld: %s column '%s' holds the token '%s' (value %d of the row), which is not a number",
                             lc_tab_line_of(c->col, c->row), c->o->vector ? "vector" : "timeseries",
                             c->col->name, shown, k + 1);
        if (c->o->vector)
            lc_error_hint(c->e, "write each row as numbers separated by spaces");
        else
            lc_error_hint(c->e, "write each row as numbers separated by the tokenizer's separator ('%c')",
                          c->o->sep);
        return -1;
    }
    float f = (float)v;
    c->dst[c->off + k] = isnan(f) && !c->o->vector ? c->o->padding_value : f;
    return 0;
}

/* The filled raw cell of row i ("nan" when a NaN survived the filling, as astype(str) makes it). */
static const char *cell_text(const raw_col *r, size_t i)
{
    return r->st[i] == CELL_STR ? r->s[i] : "nan";
}

/* The (n, T) matrix of the kept rows. */
static lc_status build_matrix(const lc_prep_column *col, const lc_prep_timeseries_opts *o,
                              const raw_col *r, int T, lc_prep_timeseries *out, lc_error *e)
{
    size_t n1 = col->n ? col->n : 1, cells;
    if (lc_size_mul(n1, (size_t)T, &cells) ||
        !(out->values = lc_alloc(cells, sizeof *out->values)) ||
        !(out->keep = lc_alloc(n1, sizeof *out->keep)))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for the timeseries column '%s' (%zu rows of %d steps)",
                            col->name, col->n, T);
    out->T = T;
    for (size_t i = 0; i < r->n; i++) {
        float *dst = out->values + i * (size_t)T;
        for (int k = 0; k < T; k++)
            dst[k] = o->padding_value;
        if (r->st[i] == CELL_DROP)
            continue;
        const char *s = cell_text(r, i);
        int len = tokens(s, o->vector ? 0 : o->sep, NULL, NULL), keep = len < T ? len : T;
        if (o->vector && len != T)
            return lc_error_set(e, LC_ERR_DATA,
                                "line %ld: vector column '%s' has %d value%s in this row, but %d (vector_size%s)",
                                lc_tab_line_of(col, i), col->name, len, len == 1 ? "" : "s", T,
                                o->vector_size > 0 ? "" : ": the longest row");
        row_ctx c = {col, i, o, dst, T, keep, o->pad_left ? T - keep : 0, e, LC_OK};
        if (tokens(s, o->vector ? 0 : o->sep, put_token, &c) < 0)
            return c.st;
        out->keep[i] = 1;
        out->n_kept++;
    }
    return LC_OK;
}

/* window_size or horizon > 0 (create_time_delay_embedding): the column holds one number per row,
 * in time order; row i becomes [x(i-s) for s = w-1 down to -h]: its w latest values
 * [x(i-w+1), ..., x(i)] (an input's window), or the h next ones [x(i+1), ..., x(i+h)] (an output's
 * horizon); a value outside the rows or a missing one (NaN, "") is padding_value. */
static lc_status build_windows(const lc_prep_column *col, const lc_prep_timeseries_opts *o,
                               const raw_col *r, lc_prep_timeseries *out, lc_error *e)
{
    int w = o->window + o->horizon;
    size_t n1 = col->n ? col->n : 1, cells;
    float *v = lc_alloc(n1, sizeof *v);
    if (!v || lc_size_mul(n1, (size_t)w, &cells) ||
        !(out->values = lc_alloc(cells, sizeof *out->values)) ||
        !(out->keep = lc_alloc(n1, sizeof *out->keep))) {
        lc_free(v);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for the timeseries column '%s' (%zu rows, window %d)",
                            col->name, col->n, w);
    }
    out->T = w;
    for (size_t i = 0; i < r->n; i++) {
        const char *s = r->st[i] == CELL_STR ? r->s[i] : NULL;
        size_t a, len;
        double d = NAN;
        if (s)
            lc_tab_py_strip(s, &a, &len);
        if (s && len > 0 && !lc_tab_py_float(s, &d)) {
            char shown[LC_PREP_TEXT_MAX];
            lc_tab_quote_text(shown, sizeof shown, s);
            lc_free(v);
            lc_error_set(e, LC_ERR_DATA, "line %ld: timeseries column '%s' (%s %d: one number per row) holds '%s', which is not a number",
                         lc_tab_line_of(col, i), col->name, o->window ? "window_size" : "horizon",
                         o->window ? o->window : o->horizon, shown);
            return LC_ERR_DATA;
        }
        float f = (float)d;
        v[i] = isnan(f) ? o->padding_value : f;
    }
    for (size_t i = 0; i < r->n; i++) {
        float *dst = out->values + i * (size_t)w;
        for (int k = 0; k < w; k++) {
            long src = (long)i - (o->window - 1) + k; /* s = window - 1 - k */
            dst[k] = src >= 0 && src < (long)r->n ? v[src] : o->padding_value;
        }
        if (r->st[i] != CELL_DROP) {
            out->keep[i] = 1;
            out->n_kept++;
        }
    }
    lc_free(v);
    return LC_OK;
}

lc_status lc_prep_timeseries_run(const lc_prep_column *col, const lc_prep_timeseries_opts *o,
                                 cJSON *preproc, lc_prep_timeseries *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    raw_col r;
    fill f = {0};
    if (lc_tab_raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_status st = lc_tab_string_fill(col, o->missing, o->fill_value ? o->fill_value : "", "timeseries", &r, &f, e);
    if (st)
        goto done;
    lc_tab_raw_fill(&r, o->missing, &f);
    int T = o->window > 0 ? o->window : o->horizon;
    if (T > 0) { /* column-major data: get_feature_meta's length is the window (or horizon) */
        if ((st = build_windows(col, o, &r, out, e)))
            goto done;
        goto meta;
    }
    /* get_feature_meta: the longest tokenized row, capped at timeseries_length_limit (a vector:
     * the longest row, which must be the given vector_size) */
    int longest = 0;
    for (size_t i = 0; i < r.n; i++)
        if (r.st[i] != CELL_DROP) {
            int k = tokens(cell_text(&r, i), o->vector ? 0 : o->sep, NULL, NULL);
            longest = k > longest ? k : longest;
        }
    T = o->vector || longest < o->limit ? longest : o->limit;
    if (T < 1) {
        st = lc_error_set(e, LC_ERR_DATA, "%s column '%s' has no values in any row: every cell is empty or missing",
                          o->vector ? "vector" : "timeseries", col->name);
        goto done;
    }
    if (o->vector && o->vector_size > 0 && T != o->vector_size) {
        st = lc_error_set(e, LC_ERR_DATA, "vector column '%s': preprocessing.vector_size is %d but its longest row has %d values",
                          col->name, o->vector_size, T);
        goto done;
    }
    if ((st = build_matrix(col, o, &r, T, out, e)))
        goto done;
meta:
    out->meta = cJSON_CreateObject();
    if (!out->meta || !cJSON_AddItemToObject(out->meta, o->vector ? "vector_size" : "max_timeseries_length",
                                             lc_json_int(T))) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    st = lc_tab_record_string_fill(preproc, &f, e);
done:
    lc_tab_raw_free(&r);
    if (st)
        lc_prep_timeseries_free(out);
    return st;
}

lc_status lc_prep_timeseries_apply(const lc_prep_column *col, const lc_prep_timeseries_opts *o,
                                   const cJSON *meta, lc_prep_timeseries *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    int T = o->vector ? lc_prep_vector_size(meta) : lc_prep_timeseries_length(meta);
    if (T < 1)
        return lc_error_set(e, LC_ERR_DATA, "%s feature '%s': the training set metadata has no %s (a whole number >= 1)",
                            o->vector ? "vector" : "timeseries", col->name,
                            o->vector ? "vector_size" : "max_timeseries_length");
    raw_col r;
    fill f = {0}, fc = {.kind = CELL_STR, .s = o->fill_value ? o->fill_value : ""};
    if (lc_tab_raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_status st = LC_OK;
    if (o->missing == LC_MISS_FILL_MEAN || o->missing == LC_MISS_FILL_FALSE ||
        o->missing == LC_MISS_FILL_TRUE)
        st = lc_tab_string_fill(col, o->missing, o->fill_value ? o->fill_value : "", "timeseries", &r, &f, e);
    else
        st = lc_tab_stored_fill_for(meta, "computed_fill_value", o->missing, &fc, "timeseries",
                                    col->name, &f, e);
    if (!st && f.kind == CELL_NUM)
        st = lc_error_set(e, LC_ERR_DATA, "timeseries feature '%s': the training set metadata's preprocessing.computed_fill_value is not a string",
                          col->name);
    if (!st) {
        lc_tab_raw_fill(&r, o->missing, &f);
        st = o->window > 0 || o->horizon > 0 ? build_windows(col, o, &r, out, e)
                                             : build_matrix(col, o, &r, T, out, e);
    }
    lc_tab_raw_free(&r);
    if (st)
        lc_prep_timeseries_free(out);
    return st;
}

static int whole_entry(const cJSON *meta, const char *key)
{
    const cJSON *v = meta ? cJSON_GetObjectItemCaseSensitive(meta, key) : NULL;
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= 1e6) ||
        v->valuedouble != floor(v->valuedouble))
        return -1;
    return (int)v->valuedouble;
}

int lc_prep_timeseries_length(const cJSON *meta)
{
    return whole_entry(meta, "max_timeseries_length");
}

int lc_prep_vector_size(const cJSON *meta)
{
    return whole_entry(meta, "vector_size");
}
