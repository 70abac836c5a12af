/* lc_losses.h - the losses of the tabular output features (number, binary, category), forward
 * and backward, with Ludwig 0.10.3's definitions (ludwig/modules/loss_modules.py,
 * ludwig/utils/loss_utils.py, torchmetrics' mean_absolute_percentage_error, torch.nn losses).
 *
 * Every forward returns the batch loss exactly as Ludwig defines it (mean reduction as torch),
 * computed from the float inputs in double and summed over the batch in index order. Every
 * backward overwrites d(loss)/d(input) * scale, where scale is usually the output feature's loss
 * weight; the backward recomputes what it needs from the inputs, so it does not depend on a
 * preceding forward call unless it takes that call's outputs (probs). Serial: a batch of
 * predictions is tiny next to the layers. B <= 0 gives a loss of 0 and writes nothing.
 * The unweighted softmax cross-entropy of the image path is lc_softmax_xent_* in lc_layers.h.
 * Config validation (which loss a feature may use, parameter ranges) is left to lib/ludwig.
 */
#ifndef LC_LOSSES_H
#define LC_LOSSES_H

#include <stdint.h>

/* ---- number outputs: pred (B) against target (B) ---- */
typedef enum lc_num_loss {
    LC_NUM_LOSS_MSE = 0, /* mean((p - t)^2)                                     torch MSELoss */
    LC_NUM_LOSS_MAE,     /* mean|p - t|; subgradient 0 at p == t               torch L1Loss */
    LC_NUM_LOSS_RMSE,    /* sqrt(batch MSE)                                      Ludwig RMSELoss */
    LC_NUM_LOSS_MAPE,    /* mean(|p - t| / max(|t|, 1.17e-6f)); torchmetrics, a fraction, not % */
    LC_NUM_LOSS_RMSPE,   /* sqrt(mean(((t - p) / d)^2)), d = t, or 1e-4f where t == 0 (Ludwig) */
    LC_NUM_LOSS_HUBER    /* torch HuberLoss(delta): 0.5 x^2 if |x| < delta, else
                            delta (|x| - 0.5 delta) */
} lc_num_loss;

/* delta is used by LC_NUM_LOSS_HUBER only. */
double lc_num_loss_forward(lc_num_loss type, float delta, int B, const float *pred /* (B) */,
                           const float *target /* (B) */);
/* dpred = scale * d(loss)/d(pred). As torch, the gradient of |x| at 0 is 0; RMSE and RMSPE give
 * NaN gradients when their loss is exactly 0 (torch's sqrt backward divides by it). */
void lc_num_loss_backward(lc_num_loss type, float delta, int B, const float *pred /* (B) */,
                          const float *target /* (B) */, float scale, float *dpred /* (B) */);

/* ---- binary outputs: binary_weighted_cross_entropy (Ludwig's BWCEWLoss) ---- */
typedef struct lc_bwce {
    /* torch BCEWithLogitsLoss pos_weight; 0 means none (Ludwig's "null"). Ludwig 0.10.3 itself
     * fails to build the loss for positive_class_weight: 0, so the config stage decides that. */
    float pos_weight;
    /* loss = (1 - robust_lambda) * loss + robust_lambda / 2 when robust_lambda > 0 (Ludwig's
     * schema takes an integer here; any value is computed as given) */
    float robust_lambda;
    /* adds confidence_penalty * (log 2 - H) / log 2 when > 0, with H the LARGEST over the batch
     * of -p log(clamp(p, 1e-10, 1)), p = sigmoid(logit) (Ludwig's mean_confidence_penalty over
     * the (B) probabilities with 2 classes: torch.max over dim 0, then a sum over nothing);
     * log 2 is float32's, as torch.log(torch.tensor(2)); the first maximum gets the gradient */
    float confidence_penalty;
} lc_bwce;

/* target holds 0/1 floats (any value in [0, 1] is computed as BCEWithLogitsLoss does).
 * probs = sigmoid(logits), may be NULL. */
double lc_bwce_forward(const lc_bwce *o, int B, const float *logits /* (B) */,
                       const float *target /* (B) */, float *probs /* (B) */);
void lc_bwce_backward(const lc_bwce *o, int B, const float *logits /* (B) */,
                      const float *target /* (B) */, float scale, float *dlogits /* (B) */);

/* ---- set outputs: sigmoid_cross_entropy (torch BCEWithLogitsLoss over (N, K), mean over all
 * N K elements, pos_weight per label) ---- */
/* probs = sigmoid(logits) (may be NULL); pos_weight (K) or NULL */
double lc_sigmoid_xent_forward(int N, int K, const float *logits /* (N, K) */,
                               const float *target /* (N, K) */, const float *pos_weight,
                               float *probs /* (N, K) */);
/* dlogits = scale * the gradient of the mean */
void lc_sigmoid_xent_backward(int N, int K, const float *logits /* (N, K) */,
                              const float *target /* (N, K) */, const float *pos_weight,
                              float scale, float *dlogits /* (N, K) */);

/* ---- category outputs: softmax_cross_entropy with class weights ----
 * torch CrossEntropyLoss(weight=class_weights): mean = sum_b w[y_b] l_b / sum_b w[y_b] with
 * l_b = logsumexp(z_b) - z_b[y_b]; class_weights NULL is the unweighted mean. Ludwig 0.10.3's
 * SoftmaxCrossEntropyLoss accepts robust_lambda, confidence_penalty and class_similarities in its
 * schema but never applies them, and has no label smoothing, so none is here. When the labels'
 * weights sum to 0 the loss and gradients are NaN, as torch's. A label outside [0, C) gives a
 * NaN loss (never a stray read). */
double lc_softmax_xent_weighted_forward(int B, int C, const float *logits /* (B, C) */,
                                        const int32_t *labels /* (B) */,
                                        const float *class_weights /* (C) or NULL */,
                                        float *probs /* (B, C) */,
                                        float *loss /* (B) unweighted l_b, may be NULL */);
/* dlogits = scale * w[y_b] / sum_b w[y_b] * (probs - onehot(labels)), probs from the forward. */
void lc_softmax_xent_weighted_backward(int B, int C, const float *probs /* (B, C) */,
                                       const int32_t *labels /* (B) */,
                                       const float *class_weights /* (C) or NULL */, float scale,
                                       float *dlogits /* (B, C) */);

#endif
