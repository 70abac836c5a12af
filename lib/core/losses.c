/* losses.c - number losses, binary weighted cross-entropy and weighted softmax cross-entropy,
 * forward and backward (definitions and their upstream sources in lc_losses.h).
 *
 * Everything is computed in double from the float inputs and summed in batch order; only the
 * outputs (probabilities, gradients) are rounded to float. The softmax of one row is
 * lc_softmax_xent_forward's (loss.c), so both cross-entropies share their numerics. Which loss a
 * feature uses and the validation of its parameters are left to lib/ludwig.
 */
#include "lc_losses.h"

#include "lc_layers.h"

#include <math.h>

/* torchmetrics' MAPE clamp and Ludwig's RMSPE zero-target epsilon, as float32 (the losses run
 * on float32 tensors, so torch applies them rounded to float) */
#define MAPE_EPS ((double)1.17e-6f)
#define RMSPE_EPS ((double)1e-4f)
/* mean_confidence_penalty's clamp floor and its max_entropy = torch.log(torch.tensor(2)), both
 * float32 values */
#define PENALTY_CLAMP ((double)1e-10f)
#define LOG2_F32 ((double)0.69314718f)

static int is_root_loss(lc_num_loss type)
{
    return type == LC_NUM_LOSS_RMSE || type == LC_NUM_LOSS_RMSPE;
}

/* the zero-target-safe denominator of RMSPE */
static double rmspe_den(double t) { return t == 0.0 ? RMSPE_EPS : t; }

/* sign as torch.sgn: 0 at 0, NaN stays NaN */
static double sgn(double x) { return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : x; }

/* one sample's term of the mean (before the square root of RMSE / RMSPE) */
static double num_term(lc_num_loss type, double delta, double p, double t)
{
    double d = p - t;
    switch (type) {
    case LC_NUM_LOSS_MSE:
    case LC_NUM_LOSS_RMSE:
        return d * d;
    case LC_NUM_LOSS_MAE:
        return fabs(d);
    case LC_NUM_LOSS_MAPE:
        return fabs(d) / fmax(fabs(t), MAPE_EPS);
    case LC_NUM_LOSS_RMSPE: {
        double r = (t - p) / rmspe_den(t);
        return r * r;
    }
    case LC_NUM_LOSS_HUBER: {
        double z = fabs(d);
        return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
    }
    }
    return NAN;
}

double lc_num_loss_forward(lc_num_loss type, float delta, int B, const float *pred /* (B) */,
                           const float *target /* (B) */)
{
    if (B <= 0)
        return 0.0;
    double s = 0.0;
    for (int b = 0; b < B; b++)
        s += num_term(type, delta, pred[b], target[b]);
    double mean = s / B;
    return is_root_loss(type) ? sqrt(mean) : mean;
}

void lc_num_loss_backward(lc_num_loss type, float delta, int B, const float *pred /* (B) */,
                          const float *target /* (B) */, float scale, float *dpred /* (B) */)
{
    if (B <= 0)
        return;
    /* d sqrt(m)/dm = 0.5 / sqrt(m): infinite at m == 0, and then 0 * inf = NaN as in torch */
    double outer = is_root_loss(type) ? 0.5 / lc_num_loss_forward(type, delta, B, pred, target)
                                      : 1.0;
    double k = (double)scale * outer / B;
    for (int b = 0; b < B; b++) {
        double p = pred[b], t = target[b], d = p - t, g;
        switch (type) {
        case LC_NUM_LOSS_MSE:
        case LC_NUM_LOSS_RMSE:
            g = 2.0 * d;
            break;
        case LC_NUM_LOSS_MAE:
            g = sgn(d);
            break;
        case LC_NUM_LOSS_MAPE:
            g = sgn(d) / fmax(fabs(t), MAPE_EPS);
            break;
        case LC_NUM_LOSS_RMSPE: {
            double den = rmspe_den(t);
            g = -2.0 * ((t - p) / den) / den;
            break;
        }
        case LC_NUM_LOSS_HUBER: /* torch: clipped to +-delta outside, x itself on the edge */
            g = d < -(double)delta ? -(double)delta : d > delta ? (double)delta : d;
            break;
        default:
            g = NAN;
            break;
        }
        dpred[b] = (float)(k * g);
    }
}

/* ---- binary weighted cross-entropy ---- */

static double sigmoid(double x)
{
    if (x >= 0.0)
        return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

/* -p log(clamp(p, 1e-10, 1)): the entropy term of mean_confidence_penalty */
static double penalty_entropy(double p)
{
    double c = p < PENALTY_CLAMP ? PENALTY_CLAMP : p > 1.0 ? 1.0 : p;
    return -p * log(c);
}

/* the sample whose entropy term is the batch maximum: the first one, and a NaN wins (torch.max) */
static int penalty_argmax(int B, const float *logits)
{
    int best = 0;
    double hb = penalty_entropy(sigmoid(logits[0]));
    for (int b = 1; b < B && !isnan(hb); b++) {
        double h = penalty_entropy(sigmoid(logits[b]));
        if (h > hb || isnan(h))
            best = b, hb = h;
    }
    return best;
}

static double bwce_pos_weight(const lc_bwce *o)
{
    return o->pos_weight != 0.0f ? o->pos_weight : 1.0;
}

double lc_bwce_forward(const lc_bwce *o, int B, const float *logits /* (B) */,
                       const float *target /* (B) */, float *probs /* (B) */)
{
    if (B <= 0)
        return 0.0;
    double pw = bwce_pos_weight(o), s = 0.0;
    for (int b = 0; b < B; b++) {
        double x = logits[b], t = target[b];
        /* softplus(-x) = -log sigmoid(x), stable for either sign */
        double sp = fmax(-x, 0.0) + log1p(exp(-fabs(x)));
        s += (1.0 - t) * x + (1.0 + (pw - 1.0) * t) * sp;
        if (probs)
            probs[b] = (float)sigmoid(x);
    }
    double loss = s / B;
    if (o->robust_lambda > 0.0f)
        loss = (1.0 - o->robust_lambda) * loss + o->robust_lambda / 2.0;
    if (o->confidence_penalty > 0.0f) {
        double h = penalty_entropy(sigmoid(logits[penalty_argmax(B, logits)]));
        loss += o->confidence_penalty * ((LOG2_F32 - h) / LOG2_F32);
    }
    return loss;
}

void lc_bwce_backward(const lc_bwce *o, int B, const float *logits /* (B) */,
                      const float *target /* (B) */, float scale, float *dlogits /* (B) */)
{
    if (B <= 0)
        return;
    double pw = bwce_pos_weight(o);
    double k = (double)scale / B;
    if (o->robust_lambda > 0.0f)
        k *= 1.0 - o->robust_lambda;
    int star = -1;
    double gstar = 0.0; /* the penalty's gradient at the arg-max sample */
    if (o->confidence_penalty > 0.0f) {
        star = penalty_argmax(B, logits);
        double p = sigmoid(logits[star]);
        double in_range = p >= PENALTY_CLAMP && p <= 1.0; /* clamp passes the gradient */
        double c = p < PENALTY_CLAMP ? PENALTY_CLAMP : p > 1.0 ? 1.0 : p;
        double dh_dp = -log(c) - in_range * p / c;
        gstar = (double)scale * o->confidence_penalty * (-1.0 / LOG2_F32) * dh_dp * p * (1.0 - p);
    }
    for (int b = 0; b < B; b++) {
        double x = logits[b], t = target[b];
        /* d/dx [(1 - t) x + lw softplus(-x)] = lw sigmoid(x) - pw t, lw = 1 + (pw - 1) t */
        double g = k * ((1.0 + (pw - 1.0) * t) * sigmoid(x) - pw * t);
        if (b == star)
            g += gstar;
        dlogits[b] = (float)g;
    }
}

/* ---- sigmoid cross-entropy over labels (set outputs) ---- */

/* log(1 + exp(-|x|)) + max(-x, 0) = -log(sigmoid(x)), stable for any x */
static double neg_log_sigmoid(double x)
{
    return log1p(exp(-fabs(x))) + (x < 0.0 ? -x : 0.0);
}

double lc_sigmoid_xent_forward(int N, int K, const float *logits, const float *target,
                               const float *pos_weight, float *probs)
{
    if (N <= 0 || K <= 0)
        return 0.0;
    double s = 0.0;
    for (size_t i = 0; i < (size_t)N * K; i++) {
        double x = logits[i], y = target[i];
        double pw = pos_weight ? pos_weight[i % (size_t)K] : 1.0;
        s += (1.0 - y) * x + (1.0 + (pw - 1.0) * y) * neg_log_sigmoid(x);
        if (probs)
            probs[i] = (float)(1.0 / (1.0 + exp(-x)));
    }
    return s / ((double)N * K);
}

void lc_sigmoid_xent_backward(int N, int K, const float *logits, const float *target,
                              const float *pos_weight, float scale, float *dlogits)
{
    if (N <= 0 || K <= 0)
        return;
    double k = (double)scale / ((double)N * K);
    for (size_t i = 0; i < (size_t)N * K; i++) {
        double x = logits[i], y = target[i];
        double pw = pos_weight ? pos_weight[i % (size_t)K] : 1.0;
        /* torch's form: (pw y + 1 - y) sigmoid(x) - pw y (sigmoid(x) - y without pos_weight) */
        double sg = 1.0 / (1.0 + exp(-x));
        double g = pos_weight ? (pw * y + 1.0 - y) * sg - pw * y : sg - y;
        dlogits[i] = (float)(k * g);
    }
}

/* ---- weighted softmax cross-entropy ---- */

/* w[y], or NaN for a label outside [0, C) */
static double label_weight(int C, const float *class_weights, int32_t y)
{
    if (y < 0 || y >= C)
        return NAN;
    return class_weights ? class_weights[y] : 1.0;
}

double lc_softmax_xent_weighted_forward(int B, int C, const float *logits /* (B, C) */,
                                        const int32_t *labels /* (B) */,
                                        const float *class_weights /* (C) or NULL */,
                                        float *probs /* (B, C) */, float *loss /* (B) */)
{
    if (B <= 0)
        return 0.0;
    double num = 0.0, den = 0.0;
    for (int b = 0; b < B; b++) {
        size_t off = (size_t)b * C;
        double l = lc_softmax_xent_forward(1, C, logits + off, labels + b, probs + off, NULL);
        double w = label_weight(C, class_weights, labels[b]);
        if (loss)
            loss[b] = (float)l;
        num += w * l;
        den += w;
    }
    return num / den;
}

void lc_softmax_xent_weighted_backward(int B, int C, const float *probs /* (B, C) */,
                                       const int32_t *labels /* (B) */,
                                       const float *class_weights /* (C) or NULL */, float scale,
                                       float *dlogits /* (B, C) */)
{
    if (B <= 0)
        return;
    double den = 0.0;
    for (int b = 0; b < B; b++)
        den += label_weight(C, class_weights, labels[b]);
    for (int b = 0; b < B; b++) {
        const float *pr = probs + (size_t)b * C; /* (C) */
        float *d = dlogits + (size_t)b * C;      /* (C) */
        double k = (double)scale * label_weight(C, class_weights, labels[b]) / den;
        for (int j = 0; j < C; j++)
            d[j] = (float)(k * ((double)pr[j] - (j == labels[b] ? 1.0 : 0.0)));
    }
}
