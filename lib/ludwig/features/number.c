/* number.c - the number feature type: Ludwig 0.10.3's preprocessing of a number column
 * (pd.to_numeric(errors="coerce").astype(float32), float32 statistics reduced the way numpy
 * reduces them (pairwise sums in blocks of 8192), np.percentile's linear interpolation, outliers,
 * the normalizations and their inverse) and its metadata, fitted or applied from a stored entry
 * (lc_prep_tab.h). */
#include "prep_int.h"
#include "lc_npsum.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_json.h"
#include "lc_mem.h"
#include "lc_ftypes.h"
#include "lc_losses.h"
#include "lc_metrics_tab.h"

static int ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* pd.to_numeric(errors="coerce") of one string: 1 and *v when pandas reads a number (NaN for
 * "nan" spellings), 0 when it coerces the cell to NaN. ASCII whitespace around a decimal number
 * is allowed, not around inf; an overflowing exponent is not a number. */
static int pd_numeric(const char *s, double *v)
{
    const char *t = s + (s[0] == '+' || s[0] == '-');
    if (lc_tab_ieq(t, "inf") || lc_tab_ieq(t, "infinity")) {
        *v = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        return 1;
    }
    if (lc_tab_ieq(t, "nan")) {
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
        lc_status st = lc_tab_raw_mode(col, r, "number", f, e);
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
            if (r->st[i] == CELL_STR && !lc_tab_py_float(r->s[i], &v)) {
                char q[LC_PREP_TEXT_MAX];
                lc_tab_quote_text(q, sizeof q, r->s[i]);
                lc_free(w);
                return lc_error_set(e, LC_ERR_DATA,
                                    "line %ld: number feature '%s': could not convert string to float: '%s' (missing_value_strategy fill_with_mean needs every value to be a number)",
                                    lc_tab_line_of(col, i), col->name, q);
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
            if (!drop[i] && isnan(v[i]) && !lc_tab_py_float(f->s, &d)) {
                char q[LC_PREP_TEXT_MAX];
                lc_tab_quote_text(q, sizeof q, f->s);
                return lc_error_set(e, LC_ERR_DATA,
                                    "line %ld: number feature '%s': could not convert string to float: '%s' (the fill_with_mode value is not a number)",
                                    lc_tab_line_of(col, rows[i]), col->name, q);
            }
        if (lc_tab_py_float(f->s, &d))
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
                lc_tab_quote_text(out->coerced_text, sizeof out->coerced_text, r->s[i]);
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
    if (lc_tab_raw_init(&r, col))
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
    lc_tab_raw_fill(&r, o->missing, &f);
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
    lc_tab_set_item(preproc, "computed_fill_value", js);
    js = NULL;
    lc_tab_set_item(preproc, "computed_outlier_fill_value", jso);
    jso = NULL;
done:
    num_bufs_free(&b);
    lc_free(sorted);
done_raw:
    lc_tab_raw_free(&r);
    cJSON_Delete(js);
    cJSON_Delete(jso);
    if (st)
        lc_prep_number_free(out);
    return st;
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
    if (lc_tab_raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    if ((st = lc_tab_stored_fill_for(meta, "computed_fill_value", o->missing, &fc, "number", col->name, &f, e)))
        goto done;
    if (o->has_outlier_strategy &&
        ((st = lc_tab_stored_fill_for(meta, "computed_outlier_fill_value", o->outlier_strategy, &fc, "number", col->name, &fo, e)) ||
         (st = lc_number_norm_from_meta(meta, LC_NUMNORM_ZSCORE, col->name, &zs, e))))
        goto done;
    if ((st = lc_number_norm_from_meta(meta, o->normalization, col->name, &out->norm, e)))
        goto done;
    lc_tab_raw_fill(&r, o->missing, &f);
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
    lc_tab_raw_free(&r);
    if (st)
        lc_prep_number_free(out);
    return st;
}

/* ------------------------------------------------------------------ the output head */

static lc_num_loss num_loss(lc_loss_type t)
{
    switch (t) {
    case LC_LOSS_MAE:
        return LC_NUM_LOSS_MAE;
    case LC_LOSS_RMSE:
        return LC_NUM_LOSS_RMSE;
    case LC_LOSS_MAPE:
        return LC_NUM_LOSS_MAPE;
    case LC_LOSS_RMSPE:
        return LC_NUM_LOSS_RMSPE;
    case LC_LOSS_HUBER:
        return LC_NUM_LOSS_HUBER;
    default:
        return LC_NUM_LOSS_MSE;
    }
}

double lc_number_loss(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    return lc_num_loss_forward(num_loss(h->f->loss), (float)h->f->huber_delta, B,
                               lc_model_head_out(m, o), m->heads[o].targets);
}

void lc_number_backward(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    lc_head *hd = &m->heads[o];
    lc_num_loss_backward(num_loss(h->f->loss), (float)h->f->huber_delta, B,
                         lc_model_head_out(m, o), hd->targets, (float)h->f->loss_weight,
                         hd->dlogits);
}

void lc_number_rows(const lc_head_ctx *h, const lc_model *m, int o, int B, float *dst)
{
    const float *z = lc_model_head_out(m, o);
    for (int b = 0; b < B; b++) {
        float v = z[b];
        if (h->f->has_clip)
            v = v < (float)h->f->clip[0]   ? (float)h->f->clip[0]
                : v > (float)h->f->clip[1] ? (float)h->f->clip[1]
                                           : v;
        dst[b] = v;
    }
}

cJSON *lc_number_metrics(size_t n, const float *rows, const float *values, double loss,
                         int64_t batch_size)
{
    return lc_metrics_number((int64_t)n, rows, values, loss, batch_size);
}

float lc_number_denormalize(const lc_column *c, float v)
{
    lc_number_norm_inverse(&c->norm, &v, 1);
    return v;
}

/* ------------------------------------------------------------------ prediction columns */

void lc_number_pred_cells(FILE *f, const lc_column *c, float v, char (*num)[LC_JSON_REPR_MAX])
{
    lc_json_float_repr(lc_number_denormalize(c, v), num[0], sizeof num[0]);
    fputs(num[0], f);
}
