/* lc_heads.h - what each output feature type does with the model's head: the batch loss (forward
 * and backward, Ludwig's loss for the type, times the feature's loss weight in the gradient), the
 * value kept per row (category probabilities, binary probability, number prediction) and Ludwig's
 * metrics over a split. Dispatch is a switch on the feature's type; the trainer, the evaluator and
 * the output writers call only these. */
#ifndef LC_HEADS_H
#define LC_HEADS_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "lc_config.h"
#include "lc_dataset.h"
#include "lc_model.h"

/* Per-output settings resolved against the data: class weights in vocabulary order. */
typedef struct lc_head_ctx {
    const lc_feature *f;
    const lc_column *col;
    float *class_weights;  /* (nclasses) or NULL */
} lc_head_ctx;

/* Resolves each output's class weights (a list in vocabulary order or a {label: weight} map) */
lc_status lc_heads_init(const lc_config *cfg, const lc_dataset *d, lc_head_ctx *ctx /* (nout) */,
                        lc_error *e);
void lc_heads_free(int nout, lc_head_ctx *ctx);

/* Floats kept per row: nclasses (category) or 1. */
int lc_head_width(const lc_head_ctx *h);

/* The batch's targets (rows idx) into head o of m. */
void lc_head_gather(const lc_head_ctx *h, lc_model *m, int o, const int32_t *idx /* (B) */,
                    int B);
/* The batch loss of head o after a forward pass (Ludwig's mean over the batch, unweighted);
 * sets the head's probabilities. */
double lc_head_loss(const lc_head_ctx *h, lc_model *m, int o, int B);
/* The head's dlogits: loss weight times the gradient of the batch loss. */
void lc_head_backward(const lc_head_ctx *h, lc_model *m, int o, int B);
/* Per row values (B, width) after lc_head_loss: probabilities, probability, or the prediction
 * (clipped as the feature's clip says). */
void lc_head_rows(const lc_head_ctx *h, const lc_model *m, int o, int B, float *dst);
/* The targets of rows idx: labels (category) or values (binary, number). */
void lc_head_targets(const lc_head_ctx *h, const int32_t *idx, size_t n, int32_t *labels,
                     float *values);

/* Ludwig's metrics of an output over n rows (rows: lc_head_rows values; targets as
 * lc_head_targets gives them); loss is the feature's loss. batch_size is the evaluation batch
 * (number outputs' RMSPE is a mean over batches). NULL on allocation failure. */
cJSON *lc_head_metrics(const lc_head_ctx *h, size_t n, const float *rows, const int32_t *labels,
                       const float *values, double loss, int64_t batch_size);
/* test_statistics extras (confusion matrix, overall and per-class stats, curves) */
lc_status lc_head_overall(const lc_head_ctx *h, size_t n, const float *rows,
                          const int32_t *labels, const float *values, cJSON *feature_obj,
                          lc_error *e);
/* The name of the metric the progress line shows, and whether higher is better for name. */
const char *lc_head_progress_metric(const lc_head_ctx *h);
int lc_head_higher_is_better(const lc_head_ctx *h, const char *name);

#endif
