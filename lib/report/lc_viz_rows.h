/* lc_viz_rows.h - Ludwig 0.10.3's `ludwig visualize` views computed from per-row probabilities
 * or predictions and the ground truth (viz_rows.c), as SVG figures named as Ludwig names their
 * files (without the extension). Reading the prediction files, the ground truth and the metadata,
 * and writing the files, are the caller's. docs/visualize_rows.md lists each view's files, what
 * they draw and the Ludwig source each fact comes from. */
#ifndef LC_VIZ_ROWS_H
#define LC_VIZ_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "lc_viz.h" /* lc_figs */

/* One output feature's rows: the ground truth split's rows and, per model, the probabilities
 * and/or predictions of those rows. Everything is borrowed. */
typedef struct lc_viz_rows {
    const char *feature;            /* output feature name (2thresholds titles) */
    int n;                          /* rows */
    int C;                          /* classes: the category vocabulary's size (binary: 2) */
    int binary;                     /* 1: a binary output (Ludwig then takes class 1 as the
                                       positive one whatever positive_label says) */
    const int32_t *truth;           /* (n) ground-truth class index (str2idx; binary 0/1); a value
                                       outside 0..C-1 matches no class */
    int nmodels;
    const float *const *probs;      /* (nmodels) each (n, C) per-class probabilities, or NULL */
    const int32_t *const *preds;    /* (nmodels) each (n) predicted class index, or NULL */
    const char *const *class_names; /* (C) idx2str (binary: "False", "True" or bool2str) */
    const char *const *model_names; /* (nnames) the --model_names given (may be fewer than
                                       nmodels, or NULL: each view then names models as
                                       Ludwig does) */
    int nnames;
} lc_viz_rows;

/* The options of `ludwig visualize` these views read; lc_viz_row_opts_default sets the CLI's
 * defaults. */
typedef struct lc_viz_row_opts {
    const int *top_n_classes;        /* (ntop) only the first is read; CLI default [0] */
    int ntop;
    int top_k;                       /* compare_classifiers_performance_changing_k; default 3 */
    int labels_limit;                /* 0: none; default 0 */
    const char *subset;              /* "ground_truth" (default) or "predictions" */
    const char *const *metrics;      /* (nmetrics) binary_threshold_vs_metric; default ["f1"] */
    int nmetrics;
    int positive_label;              /* default 1 */
} lc_viz_row_opts;

void lc_viz_row_opts_default(lc_viz_row_opts *o);

/* Draws one view into figs. view: a name of lc_viz_rows_views(). rows2: the second output
 * feature (its truth and probs) for confidence_thresholding_2thresholds_2d/_3d, NULL otherwise.
 * o: NULL for the defaults. Returns the figures added (a second figure of the same name replaces
 * the first, as a second savefig would), 0 when the view draws nothing for these rows (Ludwig
 * fails or draws nothing there: e.g. predictions missing, two models needed, an empty subset), -1
 * for an unknown view; out of memory sets figs->oom. */
int lc_viz_rows_view(lc_figs *figs, const char *view, const lc_viz_rows *rows,
                     const lc_viz_rows *rows2, const lc_viz_row_opts *o);

/* The views lc_viz_rows_view draws, NULL-terminated. */
const char *const *lc_viz_rows_views(void);

/* Whether a view reads predictions (1) or probabilities (0); -1 for an unknown view. */
int lc_viz_rows_uses_preds(const char *view);

/* ---- scikit-learn's functions as Ludwig calls them (exposed for tests and other reports) ---- */

/* sklearn.metrics.roc_curve(y, score, pos_label=pos_label) (drop_intermediate=True): rows whose
 * y equals pos_label are the positives. Writes the curve's points and returns their count (at most
 * n + 1); fpr (tpr) is NaN throughout without negatives (positives), as sklearn's. -1 when a
 * score is not finite (sklearn refuses it), -2 when memory runs out. */
int lc_viz_roc_curve(const int32_t *y /* (n) */, const float *score /* (n) */, int n,
                     int pos_label, double *fpr /* (n + 1) */, double *tpr /* (n + 1) */);

/* sklearn.metrics.precision_recall_curve(y, score, pos_label=pos_label) (sklearn 1.2: every
 * threshold, then the point (recall 0, precision 1)); recall 1 throughout without positives.
 * Returns the count (at most n + 1), -1 for a non-finite score, -2 when memory runs out. */
int lc_viz_pr_curve(const int32_t *y /* (n) */, const float *score /* (n) */, int n,
                    int pos_label, double *precision /* (n + 1) */, double *recall /* (n + 1) */);

/* sklearn.calibration.calibration_curve(y, p, n_bins=nb) (strategy "uniform"): the non-empty
 * bins' share of positives and mean probability, in bin order; returns their count, -1 when a
 * probability is outside [0, 1] (sklearn refuses it). y: 0/1. */
int lc_viz_calibration_curve(const float *y /* (n) */, const float *p /* (n) */, size_t n,
                             int nb, double *frac_pos /* (nb) */, double *mean_pred /* (nb) */);

/* sklearn.metrics.brier_score_loss(y, p, pos_label=1): the mean of (y - p)^2, summed as numpy
 * sums; NaN when a probability is outside [0, 1] or n is 0. y: 0/1. */
double lc_viz_brier(const float *y /* (n) */, const float *p /* (n) */, size_t n);

#endif
