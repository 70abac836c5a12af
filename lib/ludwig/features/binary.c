/* binary.c - the binary feature type: Ludwig 0.10.3's preprocessing of a binary column
 * (str2bool with fallback_true_label, the bool2str / str2bool metadata), fitted or applied from a
 * stored entry (lc_prep_tab.h). */
#include "prep_int.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_json.h"
#include "lc_mem.h"
#include "lc_calib.h"
#include "lc_ftypes.h"
#include "lc_losses.h"
#include "lc_metrics_tab.h"
#include "lc_table.h"

static const char *const bool_true[] = {"yes", "y", "true", "t", "1", "1.0"};
static const char *const bool_false[] = {"no", "n", "false", "f", "0", "0.0", "-1", "-1.0"};

static int in_set(const char *v, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lc_tab_ieq(v, set[i]))
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
    if (lc_tab_distinct(r->s, r->n, 0, &d, &nd))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_tab_list_repr(list, sizeof list, r->s, d, nd, 10);
    if (nd > 2) {
        lc_error_set(e, LC_ERR_DATA,
                     "line %ld: binary feature '%s': missing value strategy `%s` expects 2 distinct values, found: %zu (ex: %s)",
                     lc_tab_line_of(col, d[2].first), col->name, lc_missing_name(o->missing), nd, list);
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
        *numbers &= lc_tab_py_float(s, &x);
        *bools &= lc_tab_ieq(s, "true") || lc_tab_ieq(s, "false");
    }
    *bools &= !left_nan;
}

/* Row i of a column cast_kind found numeric (x != 0; a NaN is true) or boolean. */
static int cast_value(const raw_col *r, size_t i, int numbers)
{
    double x = NAN;
    if (r->st[i] == CELL_STR && numbers)
        lc_tab_py_float(r->s[i], &x);
    return numbers ? x != 0. : lc_tab_ieq(r->s[i], "true");
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
    if (lc_tab_raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    switch (o->missing) {
    case LC_MISS_FILL_FALSE:
    case LC_MISS_FILL_TRUE: st = binary_fill_bool(col, &r, o, &f, e); break;
    case LC_MISS_FILL_MODE: st = lc_tab_raw_mode(col, &r, "binary", &f, e); break;
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
    lc_tab_raw_fill(&r, o->missing, &f);

    size_t n1 = col->n ? col->n : 1;
    out->values = lc_alloc(n1, sizeof *out->values);
    out->keep = lc_alloc(n1, sizeof *out->keep);
    out->meta = cJSON_CreateObject();
    if (!out->values || !out->keep || !out->meta || lc_tab_distinct(r.s, r.n, 0, &d, &nd)) {
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
        lc_tab_list_repr(list, sizeof list, r.s, d, nd, 10);
        if (nd > 2) {
            st = lc_error_set(e, LC_ERR_DATA, "line %ld: Column \"%s\" as binary feature: expects 2 distinct values, found %s",
                              lc_tab_line_of(col, d[2].first), col->name, list);
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
            lc_tab_set_item(preproc, "fallback_true_label", l);
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
    if ((st = lc_tab_record_string_fill(preproc, &f, e)))
        goto done;
done:
    free(d);
    lc_tab_raw_free(&r);
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
    if (lc_tab_raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    if (o->missing == LC_MISS_FILL_CONST || o->missing == LC_MISS_FILL_MEAN) {
        st = lc_error_set(e, LC_ERR_CONFIG, "binary feature '%s': missing value strategy %s is not available for binary features",
                          col->name, lc_missing_name(o->missing));
        goto done;
    }
    if (lc_tab_strategy_fills(o->missing) && !lc_tab_stored_fill(meta, "computed_fill_value", &f)) {
        if (o->missing == LC_MISS_FILL_MODE) {
            st = lc_error_set(e, LC_ERR_DATA, "binary feature '%s': the training set metadata has no preprocessing.computed_fill_value for missing_value_strategy fill_with_mode",
                              col->name);
            goto done;
        }
        f.kind = CELL_STR; /* fill_with_false / fill_with_true without a stored value */
        f.s = o->missing == LC_MISS_FILL_TRUE ? "true" : "false";
    }
    lc_tab_raw_fill(&r, o->missing, &f);
    size_t n1 = col->n ? col->n : 1;
    out->values = lc_alloc(n1, sizeof *out->values);
    out->keep = lc_alloc(n1, sizeof *out->keep);
    if (!out->values || !out->keep || lc_tab_distinct(r.s, r.n, 0, &d, &nd)) {
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
                lc_tab_quote_text(q, sizeof q, r.s[i]);
                st = lc_error_set(e, LC_ERR_DATA,
                                  "line %ld: binary feature '%s' holds '%s', which is neither one of the training values (str2bool) nor a boolean string",
                                  lc_tab_line_of(col, i), col->name, q);
                goto done;
            }
        }
        out->values[i] = (unsigned char)b;
        out->keep[i] = 1;
        out->n_kept++;
    }
done:
    free(d);
    lc_tab_raw_free(&r);
    if (st)
        lc_prep_binary_free(out);
    return st;
}

/* ------------------------------------------------------------------ the output head */

static lc_bwce bwce_of(const lc_feature *f)
{
    return (lc_bwce){.pos_weight = (float)f->positive_class_weight,
                     .robust_lambda = (float)f->robust_lambda,
                     .confidence_penalty = (float)f->confidence_penalty};
}

double lc_binary_loss(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    lc_head *hd = &m->heads[o];
    lc_bwce w = bwce_of(h->f);
    return lc_bwce_forward(&w, B, lc_model_head_out(m, o), hd->targets, hd->probs);
}

void lc_binary_backward(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    lc_head *hd = &m->heads[o];
    lc_bwce w = bwce_of(h->f);
    lc_bwce_backward(&w, B, lc_model_head_out(m, o), hd->targets, (float)h->f->loss_weight,
                     hd->dlogits);
}

void lc_binary_rows(const lc_model *m, int o, int B, float *dst)
{
    const lc_head *hd = &m->heads[o];
    if (hd->temperature != 1.0f) /* calibrated: sigmoid(logit / T) */
        lc_calib_probs(B, 1, lc_model_head_out(m, o), hd->temperature, dst);
    else
        memcpy(dst, hd->probs, (size_t)B * sizeof *dst);
}

static uint8_t *binary_targets(size_t n, const float *values)
{
    uint8_t *t = malloc(n + 1);
    if (t)
        for (size_t i = 0; i < n; i++)
            t[i] = values[i] > 0.5f;
    return t;
}

cJSON *lc_binary_metrics(const lc_head_ctx *h, size_t n, const float *rows, const float *values,
                         double loss)
{
    uint8_t *t = binary_targets(n, values);
    cJSON *r = t ? lc_metrics_binary((int64_t)n, rows, t, (float)h->f->threshold, loss) : NULL;
    free(t);
    return r;
}

lc_status lc_binary_overall(const lc_head_ctx *h, size_t n, const float *rows,
                            const float *values, cJSON *feature_obj, lc_error *e)
{
    uint8_t *t = binary_targets(n, values);
    if (!t)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_status st = lc_metrics_binary_overall((int64_t)n, rows, t, (float)h->f->threshold, NULL,
                                             feature_obj, e);
    free(t);
    return st;
}

/* ------------------------------------------------------------------ prediction columns */

void lc_binary_pred_header(FILE *f, const lc_feature *ft, const lc_column *c)
{
    lc_pred_column_name(f, 0, ft->name, "_probabilities", NULL);
    lc_pred_column_name(f, 0, ft->name, "_probabilities_", c->bool2str[0]);
    lc_pred_column_name(f, 0, ft->name, "_probabilities_", c->bool2str[1]);
    lc_pred_column_name(f, 0, ft->name, "_probability", NULL);
}

void lc_binary_pred_cells(FILE *f, const lc_feature *ft, const lc_column *c, float p,
                          char (*num)[LC_JSON_REPR_MAX])
{
    float q = 1.0f - p;
    lc_json_float_repr(q, num[0], sizeof num[0]);
    lc_json_float_repr(p, num[1], sizeof num[1]);
    lc_csv_field(f, c->bool2str[p >= (float)ft->threshold]);
    fprintf(f, ",\"[%s, %s]\",%s,%s,%s", num[0], num[1], num[0], num[1], p >= q ? num[1] : num[0]);
}
