/* lc_train.h - Ludwig's training loop for the planned model: shuffled batches, forward, every
 * output's loss, backward, global-norm clipping, optimizer step; an evaluation of every split
 * at the end of each epoch; early stopping and best-model selection on the validation metric.
 * Produces training_statistics.json and training_progress.json content as JSON. */
#ifndef LC_TRAIN_H
#define LC_TRAIN_H

#include <cJSON.h>
#include <stdio.h>

#include "lc_config.h"
#include "lc_dataset.h"
#include "lc_heads.h"
#include "lc_model.h"

typedef struct lc_train_opts {
    uint64_t seed;
    lc_pool *pool;
    FILE *progress;
    volatile int *stop;
    const char *checkpoint_dir; /* write latest.ckpt here after every epoch (NULL: none) */
    const char *resume_from;    /* continue from this latest.ckpt (NULL: a fresh run); the run must
                                 * have the same config (but trainer.epochs), data and seed */
    int dp_groups;              /* > 0: data-parallel steps of this many groups (backend horovod,
                                 * lc_dp.h), shared by the ranks of m->dist */
} lc_train_opts;

typedef struct lc_train_result {
    cJSON *stats;        /* training_statistics.json */
    cJSON *progress;     /* training_progress.json */
    int batch_size, eval_batch_size;
    int epochs_run, best_epoch, early_stopped;
    long steps;
    int resumed_epochs;  /* epochs completed in the checkpoint resumed from (0: a fresh run) */
    double train_seconds, samples_per_second;
    double eval_seconds;  /* forward-only evaluation passes (per-epoch and final) */
    size_t eval_samples;  /* rows those passes evaluated */
} lc_train_result;

/* Trains m (parameters already initialised) on d; on return m holds the final model (best on the
 * validation metric, or the last epoch's when there is no validation split). With checkpoint_dir,
 * the state after every epoch (parameters, buffers, optimizer state, step, best model, early
 * stopping state, statistics) is saved there; a run resumed from it ends with the same bits as a
 * run that was never interrupted (shuffling and dropout are keyed by seed, epoch and step). */
lc_status lc_train(const lc_config *cfg, const lc_dataset *d, lc_model *m,
                   const lc_train_opts *o, lc_train_result *r, lc_error *e);
void lc_train_result_free(lc_train_result *r);

/* Evaluates rows idx[0..n) in eval mode: each output's per-row values (lc_head_rows) into
 * rows[o] (n, width) and its loss (Ludwig's mean of per-batch mean losses over batches of
 * eval_bs) into loss[o]. With m->dist of several ranks, every rank calls it: each evaluates its
 * share of the batches and all receive every row (the same bits as one process). */
lc_status lc_evaluate(lc_model *m, lc_pool *p, const lc_config *cfg, const lc_dataset *d,
                      const lc_head_ctx *heads, const int32_t *idx, size_t n, int eval_bs,
                      float *const *rows, double *loss, lc_error *e);

/* The raw head outputs (logits, or a number output's prediction), (n, K) each, of rows
 * idx[0..n) in eval mode into logits[o] for every output o whose logits[o] is not NULL. */
void lc_forward_logits(lc_model *m, lc_pool *p, const lc_config *cfg, const lc_dataset *d,
                       const int32_t *idx, size_t n, int eval_bs, float *const *logits);

/* Monotonic clock in seconds (for progress and timings). */
double lc_now_s(void);

/* The evaluation batch size of a training run of m (the config's, or automatic as m's memory
 * allows); with dp_groups and several ranks, the smallest of the ranks' (a collective). */
lc_status lc_train_eval_batch(const lc_config *cfg, const lc_dataset *d, const lc_model *m,
                              int dp_groups, int *eval_bs, lc_error *e);
/* The rows whose images this rank of a data-parallel run (dp_groups, m->dist) reads: its groups'
 * shards of the training rows, its share of the batches of every evaluation (each epoch's, and
 * final_rows[0..nfinal) at the end; batches of eval_bs) and the calibration split
 * (calib_split >= 0, fitted on every rank). want: (d->n) flags. */
lc_status lc_dp_rows_needed(const lc_config *cfg, const lc_dataset *d, const lc_model *m,
                            int dp_groups, int eval_bs, const int32_t *final_rows,
                            size_t nfinal, int calib_split, unsigned char *want, lc_error *e);

/* Batch sizes Ludwig would use (auto resolved: the largest power of two <= min(128, 20% of the
 * training rows), Ludwig's CPU cap and dataset fraction). */
int lc_train_batch_size(const lc_config *cfg, size_t ntrain);
int lc_eval_batch_size(const lc_config *cfg, int batch_size);

#endif
