/* heads.c - the dispatch of an output feature's head (see lc_heads.h): a switch on the type
 * calls its module (category.c, binary.c, number.c; lc_ftypes.h) for the loss, per-row values,
 * metrics and test-statistics extras. */
#include "lc_heads.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lc_ftypes.h"
#include "lc_metrics.h"
#include "lc_metrics_tab.h"
#include "lc_table.h"

lc_status lc_heads_init(const lc_config *cfg, const lc_dataset *d, lc_head_ctx *ctx,
                        lc_error *e)
{
    for (int o = 0; o < cfg->nout; o++) {
        lc_head_ctx *h = &ctx[o];
        memset(h, 0, sizeof *h);
        h->f = &cfg->out[o];
        h->col = &d->out[o];
        if (h->f->type == LC_FT_CATEGORY || h->f->type == LC_FT_SET) {
            lc_status st = lc_category_class_weights(cfg, h->f, h->col, &h->class_weights, e);
            if (st)
                return st;
        }
    }
    return LC_OK;
}

void lc_heads_free(int nout, lc_head_ctx *ctx)
{
    for (int o = 0; ctx && o < nout; o++)
        free(ctx[o].class_weights);
}

int lc_head_width(const lc_head_ctx *h)
{
    return h->f->type == LC_FT_CATEGORY || h->f->type == LC_FT_SET ||
                   h->f->type == LC_FT_VECTOR || h->f->type == LC_FT_TIMESERIES
               ? h->col->nclasses
               : 1;
}

void lc_head_gather(const lc_head_ctx *h, lc_model *m, int o, const int32_t *idx, int B)
{
    lc_head *hd = &m->heads[o];
    const lc_column *c = h->col;
    if (h->f->type == LC_FT_SET) {
        lc_set_gather(h, m, o, idx, B);
        return;
    }
    if (h->f->type == LC_FT_VECTOR || h->f->type == LC_FT_TIMESERIES) {
        lc_vector_gather(h, m, o, idx, B);
        return;
    }
    for (int b = 0; b < B; b++) {
        if (h->f->type == LC_FT_CATEGORY)
            hd->labels[b] = c->labels ? c->labels[idx[b]] : 0;
        else
            hd->targets[b] = c->values ? c->values[idx[b]] : 0.0f;
    }
}

double lc_head_loss(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    switch (h->f->type) {
    case LC_FT_CATEGORY:
        return lc_category_loss(h, m, o, B);
    case LC_FT_BINARY:
        return lc_binary_loss(h, m, o, B);
    case LC_FT_NUMBER:
        return lc_number_loss(h, m, o, B);
    case LC_FT_SET:
        return lc_set_loss(h, m, o, B);
    case LC_FT_VECTOR:
    case LC_FT_TIMESERIES:
        return lc_vector_loss(h, m, o, B);
    case LC_FT_IMAGE:
    case LC_FT_TEXT:
    case LC_FT_BAG:
    case LC_FT_DATE:
        break;
    }
    return NAN;
}

void lc_head_backward(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    switch (h->f->type) {
    case LC_FT_CATEGORY:
        lc_category_backward(h, m, o, B);
        break;
    case LC_FT_BINARY:
        lc_binary_backward(h, m, o, B);
        break;
    case LC_FT_NUMBER:
        lc_number_backward(h, m, o, B);
        break;
    case LC_FT_SET:
        lc_set_backward(h, m, o, B);
        break;
    case LC_FT_VECTOR:
    case LC_FT_TIMESERIES:
        lc_vector_backward(h, m, o, B);
        break;
    case LC_FT_IMAGE:
    case LC_FT_TEXT:
    case LC_FT_BAG:
    case LC_FT_DATE:
        break;
    }
}

void lc_head_rows(const lc_head_ctx *h, const lc_model *m, int o, int B, float *dst)
{
    switch (h->f->type) {
    case LC_FT_CATEGORY:
        lc_category_rows(m, o, B, dst);
        break;
    case LC_FT_BINARY:
        lc_binary_rows(m, o, B, dst);
        break;
    case LC_FT_NUMBER:
        lc_number_rows(h, m, o, B, dst);
        break;
    case LC_FT_SET:
        lc_set_rows(m, o, B, dst);
        break;
    case LC_FT_VECTOR:
    case LC_FT_TIMESERIES:
        lc_vector_rows(m, o, B, dst);
        break;
    case LC_FT_IMAGE:
    case LC_FT_TEXT:
    case LC_FT_BAG:
    case LC_FT_DATE:
        break;
    }
}

void lc_head_targets(const lc_head_ctx *h, const int32_t *idx, size_t n, int32_t *labels,
                     float *values)
{
    for (size_t i = 0; i < n; i++) {
        if (h->f->type == LC_FT_SET || h->f->type == LC_FT_VECTOR ||
            h->f->type == LC_FT_TIMESERIES) /* the row: its targets are in the column */
            labels[i] = idx[i];
        else if (h->f->type == LC_FT_CATEGORY)
            labels[i] = h->col->labels ? h->col->labels[idx[i]] : 0;
        else
            values[i] = h->col->values ? h->col->values[idx[i]] : 0.0f;
    }
}

cJSON *lc_head_metrics(const lc_head_ctx *h, size_t n, const float *rows, const int32_t *labels,
                       const float *values, double loss, int64_t batch_size)
{
    switch (h->f->type) {
    case LC_FT_CATEGORY:
        return lc_category_metrics(h, n, rows, labels, loss);
    case LC_FT_BINARY:
        return lc_binary_metrics(h, n, rows, values, loss);
    case LC_FT_NUMBER:
        return lc_number_metrics(n, rows, values, loss, batch_size);
    case LC_FT_SET:
        return lc_set_metrics(h, n, rows, labels, loss);
    case LC_FT_VECTOR:
    case LC_FT_TIMESERIES:
        return lc_vector_metrics(h, n, rows, labels, loss);
    case LC_FT_IMAGE:
    case LC_FT_TEXT:
    case LC_FT_BAG:
    case LC_FT_DATE:
        break;
    }
    return NULL;
}

lc_status lc_head_overall(const lc_head_ctx *h, size_t n, const float *rows,
                          const int32_t *labels, const float *values, cJSON *feature_obj,
                          lc_error *e)
{
    switch (h->f->type) {
    case LC_FT_CATEGORY:
        return lc_category_overall(h, n, rows, labels, feature_obj, e);
    case LC_FT_BINARY:
        return lc_binary_overall(h, n, rows, values, feature_obj, e);
    case LC_FT_NUMBER: /* Ludwig writes no extras for number outputs */
    case LC_FT_IMAGE:
    case LC_FT_TIMESERIES:
    case LC_FT_TEXT:
    case LC_FT_SET:
    case LC_FT_BAG:
    case LC_FT_DATE:
    case LC_FT_VECTOR:
        break;
    }
    return LC_OK;
}

void lc_pred_column_name(FILE *f, int first, const char *feat, const char *suffix,
                         const char *label)
{
    char col[1024];
    snprintf(col, sizeof col, "%s%s%s", feat, suffix, label ? label : "");
    if (!first)
        fputc(',', f);
    lc_csv_field(f, col);
}

const char *lc_head_progress_metric(const lc_head_ctx *h)
{
    switch (h->f->type) {
    case LC_FT_CATEGORY:
        return "accuracy_micro";
    case LC_FT_BINARY:
        return "accuracy";
    case LC_FT_SET:
        return "jaccard";
    default:
        return "mean_absolute_error";
    }
}

int lc_head_higher_is_better(const lc_head_ctx *h, const char *name)
{
    if (h->f->type == LC_FT_CATEGORY)
        return lc_metric_higher_is_better(name);
    return lc_metrics_tab_higher_is_better(name);
}
