/* lc_metrics.h - Ludwig 0.10.3's metrics for a category output feature, as JSON trees ready for
 * training_statistics.json / test_statistics.json (docs/ludwig-0.10.3-training-outputs.md §2-3).
 *
 * Evaluation metrics (torchmetrics semantics; every value is rounded to float32, as torchmetrics
 * keeps its states and results in float32 and Ludwig writes tensor.item()):
 *   accuracy        macro recall over classes (MulticlassAccuracy, top_k 1); a class has weight 0
 *                   only when it is neither a target nor a prediction (tp + fp + fn == 0)
 *   accuracy_micro  correct / N
 *   hits_at_k       macro top-k recall (MulticlassAccuracy top_k=k); torchmetrics >= 1.4 weighting:
 *                   a class absent from the targets (tp + fn == 0) has weight 0. Only if C > top_k.
 *   roc_auc         macro one-vs-rest exact ROC AUC (MulticlassAUROC, thresholds=None): trapezoid
 *                   over distinct score values from (0,0); a class with no positive (or no
 *                   negative) samples scores 0 and still counts in the mean
 *   loss            passed in by the caller (mean of per-batch mean losses, Ludwig's way)
 * Predictions are taken from the probabilities: argmax = first maximum; top-k ranks by
 * probability with ties going to the lower class index (torch.topk leaves tie order unspecified;
 * softmax is monotonic, so this equals ranking logits except where float rounding makes two
 * different logits equal probabilities). NaN ranks above every number (as torch.argmax/topk do).
 *
 * Overall statistics (Ludwig's ConfusionMatrix on sklearn; float64, Python's types): see
 * lc_metrics_overall.
 * Thread safety: pure functions of their arguments.
 */
#ifndef LC_METRICS_H
#define LC_METRICS_H

#include "lc_error.h"

#include <cJSON.h>
#include <stdint.h>

/* {accuracy, accuracy_micro, hits_at_k (only if C > top_k), loss, roc_auc} as float items.
 * labels must be in [0, C). Returns NULL on allocation failure or invalid arguments
 * (C < 1, N < 0, top_k < 1, a label outside [0, C)). With N == 0 every metric is 0. */
cJSON *lc_metrics_category(int C, int64_t N, const int32_t *labels /* (N) */,
                           const float *probs /* (N, C) */, double loss, int top_k);


/* Adds to feature_obj (replacing keys already there):
 *   confusion_matrix  C x C ints, rows = true class, columns = predicted, vocabulary order;
 *                     only when C <= LC_CONFUSION_MATRIX_MAX (ludwig_c.h)
 *   overall_stats     token_accuracy, avg_{precision,recall,f1_score}_{macro,micro,weighted},
 *                     kappa_score. Macro/weighted averages cover the classes present in
 *                     labels or preds (sklearn labels=None), zero_division gives 0.
 *                     avg_precision_weighted / avg_recall_weighted are the micro values
 *                     (Ludwig's bug, reproduced). F1 per class = 2tp / (2tp + fp + fn)
 *                     (sklearn >= 1.4). kappa = 1 - sum(off-diagonal observed) /
 *                     sum(off-diagonal expected) as sklearn computes it; NaN when undefined.
 *   per_class_stats   keyed by idx2str[c] for every c < C, Ludwig's 24 keys; a ratio whose
 *                     denominator is 0 is the integer 0, counts are integers, "1.0 - x" values
 *                     are floats (Python's int/float mixing is reproduced exactly).
 * Matthews correlation uses an exact product where Ludwig's int64 product would overflow
 * (only for classes with more than ~55,000 samples on each side).
 * Errors: LC_ERR_DATA if N < 1 or a label/prediction is outside [0, C); LC_ERR_NOMEM.
 * On error feature_obj is unchanged. */
lc_status lc_metrics_overall(int C, int64_t N, const int32_t *labels /* (N) */,
                             const int32_t *preds /* (N) */, const char *const *idx2str /* (C) */,
                             cJSON *feature_obj, lc_error *e);

/* The number stored under name in a metrics object; for an array (training_statistics
 * layout) its last element. NaN if absent or not a number. */
double lc_metric_value(const cJSON *metrics, const char *name);

/* 1 for accuracy, accuracy_micro, hits_at_k, roc_auc; 0 for loss; -1 for an unknown name. */
int lc_metric_higher_is_better(const char *name);

#endif
