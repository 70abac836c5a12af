/* heads.c - per output feature type: losses, per-row values and metrics (see lc_heads.h). The
 * numerics are lib/core's (losses) and the metric definitions metrics.c / metrics_tab.c's; this
 * file picks which applies to which type. */
#include "lc_heads.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lc_losses.h"
#include "lc_mem.h"
#include "lc_metrics.h"
#include "lc_metrics_tab.h"

lc_status lc_heads_init(const lc_config *cfg, const lc_dataset *d, lc_head_ctx *ctx,
                        lc_error *e)
{
    for (int o = 0; o < cfg->nout; o++) {
        const lc_feature *f = &cfg->out[o];
        const lc_column *col = &d->out[o];
        lc_head_ctx *h = &ctx[o];
        memset(h, 0, sizeof *h);
        h->f = f;
        h->col = col;
        if (f->type != LC_FT_CATEGORY || (!f->class_weights && !f->class_weights_map))
            continue;
        int C = col->nclasses;
        h->class_weights = malloc((size_t)C * sizeof *h->class_weights);
        if (!h->class_weights)
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        if (f->class_weights) {
            if (f->nclass_weights != C)
                return lc_error_set(e, LC_ERR_CONFIG,
                                    "%s: output feature '%s': loss.class_weights has %d weights but the feature has %d classes (%s%s)",
                                    cfg->path, f->name, f->nclass_weights, C, col->idx2str[0],
                                    C > 1 ? ", ..." : "");
            for (int k = 0; k < C; k++)
                h->class_weights[k] = (float)f->class_weights[k];
            continue;
        }
        for (int k = 0; k < C; k++)
            h->class_weights[k] = 1.0f;
        for (const cJSON *w = f->class_weights_map->child; w; w = w->next) {
            int k = lc_column_label_index(col, w->string);
            if (k < 0 || !cJSON_IsNumber(w))
                return lc_error_set(e, LC_ERR_CONFIG,
                                    "%s: output feature '%s': loss.class_weights names '%s', which is not one of its classes",
                                    cfg->path, f->name, w->string);
            h->class_weights[k] = (float)w->valuedouble;
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
    return h->f->type == LC_FT_CATEGORY ? h->col->nclasses : 1;
}

void lc_head_gather(const lc_head_ctx *h, lc_model *m, int o, const int32_t *idx, int B)
{
    lc_head *hd = &m->heads[o];
    const lc_column *c = h->col;
    for (int b = 0; b < B; b++) {
        if (h->f->type == LC_FT_CATEGORY)
            hd->labels[b] = c->labels ? c->labels[idx[b]] : 0;
        else
            hd->targets[b] = c->values ? c->values[idx[b]] : 0.0f;
    }
}

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

static lc_bwce bwce_of(const lc_feature *f)
{
    return (lc_bwce){.pos_weight = (float)f->positive_class_weight,
                     .robust_lambda = (float)f->robust_lambda,
                     .confidence_penalty = (float)f->confidence_penalty};
}

double lc_head_loss(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    lc_head *hd = &m->heads[o];
    const float *z = lc_model_head_out(m, o);
    switch (h->f->type) {
    case LC_FT_CATEGORY:
        if (h->class_weights)
            return lc_softmax_xent_weighted_forward(B, hd->K, z, hd->labels, h->class_weights,
                                                    hd->probs, NULL);
        return lc_softmax_xent_forward(B, hd->K, z, hd->labels, hd->probs, NULL);
    case LC_FT_BINARY: {
        lc_bwce w = bwce_of(h->f);
        return lc_bwce_forward(&w, B, z, hd->targets, hd->probs);
    }
    case LC_FT_NUMBER:
        return lc_num_loss_forward(num_loss(h->f->loss), (float)h->f->huber_delta, B, z,
                                   hd->targets);
    case LC_FT_IMAGE:
        break;
    }
    return NAN;
}

void lc_head_backward(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    lc_head *hd = &m->heads[o];
    const float *z = lc_model_head_out(m, o);
    float wgt = (float)h->f->loss_weight;
    switch (h->f->type) {
    case LC_FT_CATEGORY:
        if (h->class_weights)
            lc_softmax_xent_weighted_backward(B, hd->K, hd->probs, hd->labels, h->class_weights,
                                              wgt, hd->dlogits);
        else
            lc_softmax_xent_backward(B, hd->K, hd->probs, hd->labels, (float)(h->f->loss_weight / B),
                                     hd->dlogits);
        break;
    case LC_FT_BINARY: {
        lc_bwce w = bwce_of(h->f);
        lc_bwce_backward(&w, B, z, hd->targets, wgt, hd->dlogits);
        break;
    }
    case LC_FT_NUMBER:
        lc_num_loss_backward(num_loss(h->f->loss), (float)h->f->huber_delta, B, z, hd->targets,
                             wgt, hd->dlogits);
        break;
    case LC_FT_IMAGE:
        break;
    }
}

/* Ludwig's calibration module: softmax (K > 1) or sigmoid of logits / T, the division in float32
 * as torch.div does it; exponentials in double as the losses compute probabilities. */
static void temperature_probs(int B, int K, const float *z, float T, float *dst)
{
    for (int b = 0; b < B; b++) {
        const float *zb = z + (size_t)b * K;
        float *pb = dst + (size_t)b * K;
        if (K == 1) {
            pb[0] = (float)(1.0 / (1.0 + exp(-(double)(zb[0] / T))));
            continue;
        }
        double mx = -INFINITY, s = 0.0;
        for (int k = 0; k < K; k++)
            mx = (double)(zb[k] / T) > mx ? (double)(zb[k] / T) : mx;
        for (int k = 0; k < K; k++)
            s += exp((double)(zb[k] / T) - mx);
        for (int k = 0; k < K; k++)
            pb[k] = (float)(exp((double)(zb[k] / T) - mx) / s);
    }
}

void lc_head_rows(const lc_head_ctx *h, const lc_model *m, int o, int B, float *dst)
{
    const lc_head *hd = &m->heads[o];
    switch (h->f->type) {
    case LC_FT_CATEGORY:
    case LC_FT_BINARY:
        if (hd->temperature != 1.0f)
            temperature_probs(B, hd->K, lc_model_head_out(m, o), hd->temperature, dst);
        else
            memcpy(dst, hd->probs, (size_t)B * hd->K * sizeof *dst);
        break;
    case LC_FT_NUMBER: {
        const float *z = lc_model_head_out(m, o);
        for (int b = 0; b < B; b++) {
            float v = z[b];
            if (h->f->has_clip)
                v = v < (float)h->f->clip[0] ? (float)h->f->clip[0]
                    : v > (float)h->f->clip[1] ? (float)h->f->clip[1]
                                               : v;
            dst[b] = v;
        }
        break;
    }
    case LC_FT_IMAGE:
        break;
    }
}

void lc_head_targets(const lc_head_ctx *h, const int32_t *idx, size_t n, int32_t *labels,
                     float *values)
{
    for (size_t i = 0; i < n; i++) {
        if (h->f->type == LC_FT_CATEGORY)
            labels[i] = h->col->labels ? h->col->labels[idx[i]] : 0;
        else
            values[i] = h->col->values ? h->col->values[idx[i]] : 0.0f;
    }
}

static uint8_t *binary_targets(size_t n, const float *values)
{
    uint8_t *t = malloc(n + 1);
    if (t)
        for (size_t i = 0; i < n; i++)
            t[i] = values[i] > 0.5f;
    return t;
}

cJSON *lc_head_metrics(const lc_head_ctx *h, size_t n, const float *rows, const int32_t *labels,
                       const float *values, double loss, int64_t batch_size)
{
    switch (h->f->type) {
    case LC_FT_CATEGORY:
        return lc_metrics_category(h->col->nclasses, (int64_t)n, labels, rows, loss, h->f->top_k);
    case LC_FT_BINARY: {
        uint8_t *t = binary_targets(n, values);
        cJSON *r = t ? lc_metrics_binary((int64_t)n, rows, t, (float)h->f->threshold, loss) : NULL;
        free(t);
        return r;
    }
    case LC_FT_NUMBER:
        return lc_metrics_number((int64_t)n, rows, values, loss, batch_size);
    case LC_FT_IMAGE:
        break;
    }
    return NULL;
}

lc_status lc_head_overall(const lc_head_ctx *h, size_t n, const float *rows,
                          const int32_t *labels, const float *values, cJSON *feature_obj,
                          lc_error *e)
{
    switch (h->f->type) {
    case LC_FT_CATEGORY: {
        int C = h->col->nclasses;
        int32_t *preds = malloc((n + 1) * sizeof *preds);
        if (!preds)
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            const float *p = rows + i * (size_t)C;
            int best = 0;
            for (int k = 1; k < C; k++)
                if (p[k] > p[best])
                    best = k;
            preds[i] = best;
        }
        lc_status st = lc_metrics_overall(C, (int64_t)n, labels, preds,
                                          (const char *const *)h->col->idx2str, feature_obj, e);
        free(preds);
        return st;
    }
    case LC_FT_BINARY: {
        uint8_t *t = binary_targets(n, values);
        if (!t)
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        lc_status st = lc_metrics_binary_overall((int64_t)n, rows, t, (float)h->f->threshold,
                                                 NULL, feature_obj, e);
        free(t);
        return st;
    }
    case LC_FT_NUMBER:
    case LC_FT_IMAGE:
        break;
    }
    return LC_OK;
}

const char *lc_head_progress_metric(const lc_head_ctx *h)
{
    switch (h->f->type) {
    case LC_FT_CATEGORY:
        return "accuracy_micro";
    case LC_FT_BINARY:
        return "accuracy";
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
