/* lc_outputs.h - the outputs stage shared by experiment, train, predict and evaluate: the model
 * built from a config and its data, every output evaluated over a set of rows (per-row values,
 * targets, losses), test_statistics.json, and the predictions table Ludwig's Galaxy wrapper
 * writes as predictions_parquet.csv. */
#ifndef LC_OUTPUTS_H
#define LC_OUTPUTS_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "lc_config.h"
#include "lc_dataset.h"
#include "lc_error.h"
#include "lc_heads.h"
#include "lc_model.h"
#include "lc_pool.h"

/* The network for cfg's features with sizes from the data (image size, vocabularies), planned for
 * batches up to max_batch, or up to d's rows when fewer: no batch holds more rows than the data
 * has, so a batch size of 3e8 (or predict's 262144 over 1,000 rows) allocates for the rows.
 * Where a batch of max_batch rows would hold more activations than the activations' budget allows (an eighth of the memory, at most 1 GiB) (a
 * resnet at 224x224 keeps about 50 MB per row), fewer, but never fewer than min_batch: callers
 * evaluate in batches of at most (*out)->max_batch rows. */
lc_status lc_model_build(const lc_config *cfg, const lc_dataset *d, int max_batch, int min_batch,
                         int threads, int inference, lc_model **out, lc_error *e);

/* Every output evaluated over rows. */
typedef struct lc_eval {
    size_t n;
    int32_t *rows;         /* (n) dataset rows */
    int nout;
    lc_head_ctx *heads;    /* (nout) */
    float **out;           /* (nout) per-row values (n, width): probabilities or predictions */
    int32_t **labels;      /* (nout) category targets (n) */
    float **values;        /* (nout) binary / number targets (n) */
    double *loss;          /* (nout) Ludwig's mean of per-batch mean losses */
    double combined;       /* sum of loss weight x loss */
    int batch;             /* the evaluation batch size */
} lc_eval;

/* Runs the model (eval mode) over rows[0..n) in batches of `batch`; rows is copied. */
lc_status lc_eval_run(const lc_config *cfg, const lc_dataset *d, lc_model *m, lc_pool *p,
                      const int32_t *rows, size_t n, int batch, lc_eval *ev, lc_error *e);
void lc_eval_free(lc_eval *ev);

/* test_statistics.json: {combined: {loss}, <output>: metrics (+ overall statistics unless
 * overall == 0)}. */
lc_status lc_eval_statistics(const lc_config *cfg, const lc_eval *ev, int overall, cJSON **out,
                             lc_error *e);

/* Writes path atomically: for each output in config order, Ludwig's prediction columns
 * (category: _predictions, _probabilities, _probability, _probabilities_<class>...; binary:
 * _predictions, _probabilities, _probabilities_<false>, _probabilities_<true>, _probability;
 * number: _predictions, de-normalised), floats as pandas writes float32 values widened to
 * double. */
lc_status lc_eval_write_predictions(const char *path, const lc_config *cfg, const lc_dataset *d,
                                    const lc_eval *ev, lc_error *e);

/* The predicted class of each row of a category output (first maximum). */
void lc_eval_argmax(const lc_eval *ev, int o, int32_t *preds /* (n) */);

/* The report's run-independent fields: every output in config order (vocabulary or labels,
 * evaluated rows, number values denormalised as in the predictions table) and the images of an
 * image first input; preds (n, or NULL) is the first output's predicted class when it is a
 * category output (other category outputs are argmax'ed here). ev may be NULL (no evaluated
 * rows). Each calibrated output's sentence comes from cal's fit (NULL: none this run) or m's
 * temperature. Allocates ri->owned (lc_report_write releases it); out of memory sets ri->fill_failed. */
struct lc_report_info;
struct lc_calibration;
void lc_report_fill(struct lc_report_info *ri, const lc_config *cfg, const lc_dataset *ds,
                    const lc_eval *ev, const int32_t *preds, const lc_model *m,
                    const struct lc_calibration *cal);

#endif
