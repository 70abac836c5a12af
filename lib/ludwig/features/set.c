/* set.c - the set feature type as an output (its input side is text.c's set rows and the model's
 * LC_ENC_SET_EMBED): Ludwig 0.10.3's SetOutputFeature (ludwig/features/set_feature.py) with the
 * classifier decoder (one logit per vocabulary entry), the sigmoid cross-entropy loss
 * (torch.nn.BCEWithLogitsLoss, mean over rows and labels, loss.class_weights as pos_weight), the
 * probabilities sigmoid(logits), the prediction a label set {k : p_k >= threshold}, the metrics
 * loss and jaccard (per row |predicted AND true| / |predicted OR true|, averaged over rows; 0/0 is
 * NaN as in torch) and the prediction columns <name>_predictions (the labels, a Python list) and
 * <name>_probabilities (their probabilities). The targets of a row are its set row in the column
 * (the head's labels hold the dataset row index). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lc_ftypes.h"
#include "lc_json.h"
#include "lc_losses.h"
#include "lc_table.h"

/* row r's labels as a multi-hot vector (K) */
static void multi_hot(const lc_column *c, int32_t r, int K, float *dst)
{
    memset(dst, 0, (size_t)K * sizeof *dst);
    int W = c->T / 2;
    if (!c->values || W < 1 || r < 0)
        return;
    const float *ids = c->values + (size_t)r * (size_t)c->T;
    for (int k = 0; k < W; k++)
        if (ids[k] >= 0.0f && ids[k] < (float)K)
            dst[(int)ids[k]] = 1.0f;
}

void lc_set_gather(const lc_head_ctx *h, lc_model *m, int o, const int32_t *idx, int B)
{
    lc_head *hd = &m->heads[o];
    for (int b = 0; b < B; b++)
        multi_hot(h->col, idx[b], hd->K, hd->targets + (size_t)b * hd->K);
}

double lc_set_loss(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    lc_head *hd = &m->heads[o];
    return lc_sigmoid_xent_forward(B, hd->K, lc_model_head_out(m, o), hd->targets,
                                   h->class_weights, hd->probs);
}

void lc_set_backward(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    lc_head *hd = &m->heads[o];
    lc_sigmoid_xent_backward(B, hd->K, lc_model_head_out(m, o), hd->targets, h->class_weights,
                             (float)h->f->loss_weight, hd->dlogits);
}

void lc_set_rows(const lc_model *m, int o, int B, float *dst)
{
    const lc_head *hd = &m->heads[o];
    memcpy(dst, hd->probs, (size_t)B * hd->K * sizeof *dst);
}

cJSON *lc_set_metrics(const lc_head_ctx *h, size_t n, const float *rows, const int32_t *rowidx,
                      double loss)
{
    int K = h->col->nclasses;
    float thr = (float)h->f->threshold;
    float *t = malloc(((size_t)K + 1) * sizeof *t);
    cJSON *r = cJSON_CreateObject();
    if (!t || !r) {
        free(t);
        cJSON_Delete(r);
        return NULL;
    }
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        multi_hot(h->col, rowidx[i], K, t);
        const float *p = rows + i * (size_t)K;
        float inter = 0.0f, uni = 0.0f;
        for (int k = 0; k < K; k++) {
            int a = p[k] >= thr, b = t[k] > 0.5f;
            inter += (float)(a && b);
            uni += (float)(a || b);
        }
        sum += (double)(inter / uni);
    }
    cJSON_AddItemToObject(r, "jaccard", lc_json_float((float)(n ? sum / (double)n : NAN)));
    cJSON_AddItemToObject(r, "loss", lc_json_float((float)loss));
    free(t);
    return r;
}

/* ------------------------------------------------------------------ prediction columns */

void lc_set_pred_header(FILE *f, const lc_feature *ft)
{
    lc_pred_column_name(f, 0, ft->name, "_probabilities", NULL);
}

/* Python's repr of a str into d (room for 4 bytes per byte + 3): single quotes unless it holds
 * one and no double quote; backslash, the quote and control characters escaped. Returns the end. */
static char *py_repr_str(char *d, const char *s)
{
    char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    *d++ = q;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '\\' || *c == (unsigned char)q) {
            *d++ = '\\';
            *d++ = (char)*c;
        } else if (*c == '\n' || *c == '\t' || *c == '\r') {
            *d++ = '\\';
            *d++ = *c == '\n' ? 'n' : *c == '\t' ? 't' : 'r';
        } else if (*c < 0x20 || *c == 0x7f) {
            d += sprintf(d, "\\x%02x", *c);
        } else {
            *d++ = (char)*c;
        }
    }
    *d++ = q;
    return d;
}

lc_status lc_set_pred_cells(FILE *f, const lc_feature *ft, const lc_column *c, const float *p)
{
    int K = c->nclasses, nsel = 0;
    float thr = (float)ft->threshold;
    size_t room = 3;
    for (int k = 0; k < K; k++)
        if (p[k] >= thr) {
            nsel++;
            room += 4 * strlen(c->idx2str && c->idx2str[k] ? c->idx2str[k] : "<UNK>") + 4;
        }
    size_t room2 = (size_t)nsel * (LC_JSON_REPR_MAX + 2) + 3;
    char *buf = malloc(room > room2 ? room : room2);
    if (!buf)
        return LC_ERR_NOMEM;
    /* <name>_predictions: the labels at or above the threshold, in vocabulary order */
    char *d = buf;
    *d++ = '[';
    for (int k = 0, first = 1; k < K; k++)
        if (p[k] >= thr) {
            if (!first) {
                *d++ = ',';
                *d++ = ' ';
            }
            d = py_repr_str(d, c->idx2str && c->idx2str[k] ? c->idx2str[k] : "<UNK>");
            first = 0;
        }
    *d++ = ']';
    *d = '\0';
    lc_csv_field(f, buf);
    /* <name>_probabilities: their probabilities */
    d = buf;
    *d++ = '[';
    for (int k = 0, first = 1; k < K; k++)
        if (p[k] >= thr) {
            if (!first) {
                *d++ = ',';
                *d++ = ' ';
            }
            d += lc_json_float_repr(p[k], d, LC_JSON_REPR_MAX);
            first = 0;
        }
    *d++ = ']';
    *d = '\0';
    fputc(',', f);
    lc_csv_field(f, buf);
    free(buf);
    return LC_OK;
}
