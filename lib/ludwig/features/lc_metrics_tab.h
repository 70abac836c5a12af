/* lc_metrics_tab.h - Ludwig 0.10.3's metrics for number and binary output features, and the
 * binary feature's test-set statistics, as JSON trees ready for training_statistics.json /
 * test_statistics.json (numbers tagged with Python's int/float, lc_json.h).
 *
 * Evaluation metrics follow torchmetrics (Ludwig's metric_modules.py); Ludwig writes
 * tensor.item() of a float32 result, so every value is a float32 value. Differences
 * (pred - target) and clamped denominators are formed in float32 as torch forms them; products,
 * quotients, sums and means in float64, rounded to float32 once at the end (RMSE is the float32
 * square root of the float32 MSE, as torchmetrics takes it). torch works in float32 throughout,
 * so Ludwig's own values can differ from these in the last bits (and R2's tss, a difference of
 * sums, loses far more in float32 when the targets have a large mean).
 * The test statistics follow sklearn 1.2-1.5 (Ludwig's eval_utils.py) in float64.
 * Computing predictions, probabilities and the loss is left to the model and trainer; the
 * caller passes rows in the order they were batched.
 * Thread safety: pure functions of their arguments.
 */
#ifndef LC_METRICS_TAB_H
#define LC_METRICS_TAB_H

#include "lc_error.h"

#include <cJSON.h>
#include <stdint.h>

/* Number output: {loss, mean_absolute_error, mean_absolute_percentage_error,
 * mean_squared_error, r2, root_mean_squared_error, root_mean_squared_percentage_error}, all
 * float items. pred and target are what Ludwig compares (the model's, normalized space).
 *   mean_absolute_error              mean |pred - target|
 *   mean_absolute_percentage_error   mean |pred - target| / max(|target|, 1.17e-6f)
 *   mean_squared_error               mean (pred - target)^2
 *   root_mean_squared_error          sqrt of the float32 mean_squared_error
 *   r2                               1 - rss / tss, tss = sum t^2 - (sum t)^2 / N; 1.0 when
 *                                    rss <= 1e-4f, else 0.0 when |tss| <= 1e-4f (torchmetrics'
 *                                    near-constant rule, absolute); NaN when N < 2 (Ludwig)
 *   root_mean_squared_percentage_error  Ludwig's rmspe_loss per batch, averaged over batches
 *                                    with equal weight (MeanMetric): sqrt(mean(((t - p) / d)^2)),
 *                                    d = t, or 1e-4f where t == 0
 *   loss                             passed in (mean of per-batch losses), rounded to float32
 * batch_size: rows per batch for RMSPE (the last batch may be short); <= 0 means one batch.
 * With N == 0 every metric but loss is NaN (0 / 0, as torchmetrics gives).
 * Returns NULL on allocation failure or invalid arguments (N < 0, NULL arrays with N > 0). */
cJSON *lc_metrics_number(int64_t N, const float *pred /* (N) */, const float *target /* (N) */,
                         double loss, int64_t batch_size);

/* Vector output: {loss, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
 * r2} over N rows of K values: the errors as lc_metrics_number's over all N K values, r2
 * torchmetrics' R2Score(num_outputs=K): each value's r2 (with the near-constant rules) averaged
 * over the K (multioutput uniform_average). */
cJSON *lc_metrics_vector(int64_t N, int K, const float *pred /* (N, K) */,
                         const float *target /* (N, K) */, double loss);

/* Binary output: {accuracy, loss, precision, recall, roc_auc, specificity}, float items.
 *   accuracy     on Ludwig's predictions, prob >= threshold (the feature's threshold)
 *   precision, recall, specificity  on the probabilities with torchmetrics' own default,
 *                prob > 0.5 (Ludwig passes no threshold to these); 0 when the denominator is 0
 *   roc_auc      exact BinaryAUROC: trapezoid over the distinct scores from (0,0); 0 without
 *                positives or without negatives; absent when N == 0 (torchmetrics raises on
 *                an empty state and Ludwig drops the metric)
 * prob must lie in [0, 1] (sigmoid output; torchmetrics would re-apply a sigmoid otherwise),
 * target must be 0 or 1. Returns NULL on allocation failure or invalid arguments. */
cJSON *lc_metrics_binary(int64_t N, const float *prob /* (N) */, const uint8_t *target /* (N) */,
                         float threshold, double loss);

/* Adds to feature_obj (replacing keys already there) what binary_feature.py's
 * calculate_overall_stats adds, from targets and prob (float32, as Ludwig feeds sklearn):
 *   confusion_matrix, overall_stats, per_class_stats
 *                    lc_metrics_overall with 2 classes on the predictions prob >= threshold,
 *                    rows/keys named labels[0] (false) and labels[1] (true). Ludwig 0.10.3
 *                    passes "False" and "True" whatever the column held (its bool2str is
 *                    only used for the prediction columns); labels == NULL gives those.
 *   roc_curve        {false_positive_rate, true_positive_rate}: sklearn roc_curve with
 *                    drop_intermediate (a point between two others is kept only where the
 *                    second difference of its fp or tp counts is non-zero), starting at (0,0);
 *                    a whole curve is NaN when the set has no negatives (fpr) or no
 *                    positives (tpr)
 *   roc_auc_macro, roc_auc_micro   trapezoid area under that curve (equal for binary
 *                    targets); null when only one class is present (sklearn <= 1.5 raises,
 *                    Ludwig logs it and stores None)
 *   precision_recall_curve {precisions, recalls}: one point per distinct score from the
 *                    highest-recall end, then (1, 0); precision 0 where nothing is predicted,
 *                    recall 1 everywhere when there are no positives
 *   average_precision_macro, _micro, _samples   -sum(diff(recalls) * precisions[:-1]) (all
 *                    three equal for binary targets; -0.0 when that sum is 0, as sklearn
 *                    <= 1.5 returns)
 * Sums are numpy's pairwise sums. Errors: LC_ERR_DATA when N < 1, a target is not 0/1 or a
 * probability is NaN or outside [0, 1] (sklearn refuses non-finite scores); LC_ERR_NOMEM.
 * On error feature_obj is unchanged. */
lc_status lc_metrics_binary_overall(int64_t N, const float *prob /* (N) */,
                                    const uint8_t *target /* (N) */, float threshold,
                                    const char *const *labels /* (2) or NULL */,
                                    cJSON *feature_obj, lc_error *e);

/* 1 for metrics Ludwig maximizes (accuracy, precision, recall, roc_auc, specificity, r2), 0 for
 * those it minimizes (loss and the number errors), -1 for any other name. */
int lc_metrics_tab_higher_is_better(const char *name);

#endif
