/* vector.c - the vector and timeseries feature types as outputs (a timeseries output is the same
 * head: Ludwig's TimeseriesOutputFeature projects to horizon values with the huber loss by
 * default, and reports the same metrics). The vector type as an output (its column is timeseries.c's vector rows; as
 * an input it takes the dense or passthrough encoder): Ludwig 0.10.3's VectorOutputFeature
 * (ludwig/features/vector_feature.py) with the projector decoder (a linear layer to vector_size
 * values), the mean_squared_error or mean_absolute_error loss over every value of the batch, the
 * metrics loss, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error and r2
 * (lc_metrics_vector; the head's labels are the dataset rows, whose values are the targets), and
 * the prediction column <name>_predictions (the values, a Python list). */
#include <stdlib.h>
#include <string.h>

#include "lc_ftypes.h"
#include "lc_json.h"
#include "lc_losses.h"
#include "lc_metrics_tab.h"
#include "lc_table.h"

void lc_vector_gather(const lc_head_ctx *h, lc_model *m, int o, const int32_t *idx, int B)
{
    lc_head *hd = &m->heads[o];
    const lc_column *c = h->col;
    for (int b = 0; b < B; b++) {
        float *dst = hd->targets + (size_t)b * hd->K;
        if (c->values && c->T == hd->K)
            memcpy(dst, c->values + (size_t)idx[b] * hd->K, (size_t)hd->K * sizeof *dst);
        else
            memset(dst, 0, (size_t)hd->K * sizeof *dst);
    }
}

static lc_num_loss vec_loss(const lc_feature *f)
{
    return f->loss == LC_LOSS_MAE     ? LC_NUM_LOSS_MAE
           : f->loss == LC_LOSS_HUBER ? LC_NUM_LOSS_HUBER
                                      : LC_NUM_LOSS_MSE;
}

double lc_vector_loss(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    return lc_num_loss_forward(vec_loss(h->f), (float)h->f->huber_delta, B * m->heads[o].K,
                               lc_model_head_out(m, o),
                               m->heads[o].targets);
}

void lc_vector_backward(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    lc_head *hd = &m->heads[o];
    lc_num_loss_backward(vec_loss(h->f), (float)h->f->huber_delta, B * hd->K, lc_model_head_out(m, o),
                         hd->targets,
                         (float)h->f->loss_weight, hd->dlogits);
}

void lc_vector_rows(const lc_model *m, int o, int B, float *dst)
{
    memcpy(dst, lc_model_head_out(m, o), (size_t)B * m->heads[o].K * sizeof *dst);
}

cJSON *lc_vector_metrics(const lc_head_ctx *h, size_t n, const float *rows, const int32_t *rowidx,
                         double loss)
{
    int K = h->col->nclasses;
    float *t = malloc((n + 1) * (size_t)K * sizeof *t);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++)
        memcpy(t + i * (size_t)K, h->col->values + (size_t)rowidx[i] * K, (size_t)K * sizeof *t);
    cJSON *r = lc_metrics_vector((int64_t)n, K, rows, t, loss);
    free(t);
    return r;
}

void lc_vector_pred_cells(FILE *f, const lc_column *c, const float *row,
                          char (*num)[LC_JSON_REPR_MAX])
{
    int K = c->nclasses;
    fputs("\"[", f);
    for (int k = 0; k < K; k++) {
        lc_json_float_repr(row[k], num[0], sizeof num[0]);
        if (k)
            fputs(", ", f);
        fputs(num[0], f);
    }
    fputs("]\"", f);
}
