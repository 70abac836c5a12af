/* lc_layers.h - the element-wise and normalising layers, pooling, dropout, the softmax
 * cross-entropy loss and the optimizers, over a whole batch on the pool.
 *
 * Conventions (PyTorch's, so reference tests line up): NCHW; inverted dropout (kept values scaled
 * by 1/(1-rate)); max-pool keeps the first maximum in row-major window order; softmax
 * cross-entropy = logsumexp(z) - z[y]. Backward functions overwrite their outputs (dx, dgamma...).
 * Results are bitwise identical for any thread count (fixed task split; reductions in a fixed
 * number of chunks summed in order).
 */
#ifndef LC_LAYERS_H
#define LC_LAYERS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lc_pool.h"
#include "lc_rng.h"

/* ---- activations ---- */
typedef enum lc_act {
    LC_ACT_LINEAR = 0,
    LC_ACT_RELU,
    LC_ACT_TANH,
    LC_ACT_SIGMOID,
    LC_ACT_ELU,        /* alpha 1 */
    LC_ACT_LEAKY_RELU, /* slope 0.01 (torch.nn.LeakyReLU default) */
    LC_ACT_LOG_SIGMOID,
    LC_ACT_RELU6,       /* torch.nn.ReLU6: min(max(x, 0), 6) */
    LC_ACT_HARDSIGMOID, /* torch.nn.Hardsigmoid: relu6(x + 3) / 6 */
    LC_ACT_HARDSWISH,   /* torch.nn.Hardswish: x relu6(x + 3) / 6 */
    LC_ACT_SILU,        /* torch.nn.SiLU: x sigmoid(x) */
    LC_ACT_GELU,        /* torch.nn.GELU (exact): x Phi(x) = x (1 + erf(x / sqrt 2)) / 2 */
    LC_ACT_SELU,        /* torch.nn.SELU: scale (max(0, x) + min(0, alpha (exp(x) - 1))) */
    LC_ACT_GELU_TANH    /* HF's gelu_new (NewGELUActivation): x (1 + tanh(sqrt(2 / pi)
                         * (x + 0.044715 x^3))) / 2 */
} lc_act;

/* y = act(x); in place (y == x) allowed. */
void lc_act_forward(lc_pool *p, lc_act a, size_t n, const float *x, float *y);
/* dx = dy * act'(x); x is the pre-activation input, y the output. dx may alias dy. */
void lc_act_backward(lc_pool *p, lc_act a, size_t n, const float *x, const float *y,
                     const float *dy, float *dx);
/* d where y > 0, else +0: ReLU's backward mask (lc_act_backward's), branch-free so that loops
 * that use it vectorize */
static inline float lc_relu_keep(float d, float y)
{
    uint32_t b;
    memcpy(&b, &d, sizeof b);
    b &= 0u - (uint32_t)(y > 0.0f);
    memcpy(&d, &b, sizeof d);
    return d;
}
/* y = a + b (a residual add), then max(y, 0) when relu (as lc_act_forward's ReLU) */
void lc_add_forward(lc_pool *p, size_t n, const float *a, const float *b, float *y, int relu);
/* The gradient g of a residual add: dy, or (relu_y not NULL: a ReLU after the add, relu_y its
 * output) dy where relu_y > 0, else +0 (lc_act_backward's mask); written to d0 and d1 (either may
 * be NULL, or dy itself), or added to them where acc0 / acc1 (a source read by several layers).
 * lc_add_backward(p, n, src, NULL, dst, 1, NULL, 0) is dst += src. */
void lc_add_backward(lc_pool *p, size_t n, const float *dy, const float *relu_y, float *d0,
                     int acc0, float *d1, int acc1);
/* y[0 .. n) = 0, on the pool */
void lc_zero(lc_pool *p, size_t n, float *y);

/* ---- 2-D pooling ---- */
typedef struct lc_pool2d {
    int C, H, W;
    int KH, KW, sh, sw, ph, pw, dh, dw;
    int is_max;      /* 1 max, 0 average (padding counted, as torch count_include_pad=True) */
    int OH, OW;      /* set by lc_pool2d_plan (floor mode) */
    int adaptive;    /* torch's AdaptiveAvgPool2d((KH, KW)) (is_max 0; strides, padding and
                      * dilation unused): OH = KH, OW = KW, output row i averages the input rows
                      * [floor(i H / OH), ceil((i + 1) H / OH)), the columns alike */
} lc_pool2d;

int lc_pool2d_plan(lc_pool2d *q); /* 0, or -1 when the output would be empty */
/* argmax (B,C,OH,OW) records the input index within the (H,W) plane for max pooling; NULL for avg */
void lc_pool2d_forward(lc_pool *p, const lc_pool2d *q, int B, const float *x /* (B,C,H,W) */,
                       float *y /* (B,C,OH,OW) */, int32_t *argmax);
/* Evaluation of a ReLU and the max pool after it in one pass (q a max pool, not adaptive): y is
 * the pooling of lc_act_forward(RELU)'s output of x, every tap rectified as the ReLU does (x > 0 ?
 * x : +0, a NaN gives +0) before the comparisons; the same bits as the two layers. */
void lc_pool2d_forward_relu(lc_pool *p, const lc_pool2d *q, int B, const float *x, float *y);
void lc_pool2d_backward(lc_pool *p, const lc_pool2d *q, int B, const float *dy /* (B,C,OH,OW) */,
                        const int32_t *argmax, float *dx /* (B,C,H,W) */);

/* ---- dropout ---- */
/* Keeps each element with probability 1-rate; the mask is a pure function of
 * (seed, layer, step, b, element index), so it is reproducible and independent of the thread
 * count and of how the work is split: sample b's key is
 * k = lc_rng_hash(seed, LC_STREAM_DROPOUT, layer << 32 | step, b), element i draws the 32-bit
 * half (i & 1: high) of lc_splitmix_at(k, i >> 1) and is kept iff that is >= round(rate * 2^32)
 * (layer and step below 2^32). mask (B,n) holds 0/1. rate == 0 copies x to y and sets the mask to
 * 1; rate >= 1 zeroes y. y may alias x; in backward dx may alias dy. The fused convolution
 * (lc_conv2d_forward_fused) draws the same masks. */
static inline uint64_t lc_dropout_key(uint64_t seed, uint64_t layer, uint64_t step, uint64_t b)
{
    return lc_rng_hash(seed, LC_STREAM_DROPOUT, ((layer & 0xffffffffu) << 32) | (step & 0xffffffffu),
                       b);
}
/* the keep threshold for 0 < rate < 1 */
static inline uint32_t lc_dropout_threshold(float rate)
{
    double t = (double)rate * 4294967296.0 + 0.5;
    return t >= 4294967295.0 ? 0xffffffffu : (uint32_t)t;
}
/* torch's scale for kept values: 1 / (1 - rate) in float */
static inline float lc_dropout_scale(float rate) { return 1.0f / (float)(1.0 - (double)rate); }
void lc_dropout_forward(lc_pool *p, int B, size_t n, float rate, uint64_t seed, uint64_t layer,
                        uint64_t step, const float *x /* (B,n) */, float *y /* (B,n) */,
                        uint8_t *mask /* (B,n) */);
void lc_dropout_backward(lc_pool *p, int B, size_t n, float rate, const uint8_t *mask,
                         const float *dy, float *dx);

/* ---- normalisation ---- */
/* Batch norm over (B, HW) per channel (BatchNorm2d; BatchNorm1d is HW = 1). Training mode uses
 * the biased batch variance to normalise and updates running stats with the unbiased one:
 * running = (1-momentum)*running + momentum*batch (torch defaults momentum 0.1, eps 1e-5).
 * For both norms gamma/beta may be NULL (no affine transform), and then dgamma/dbeta may be NULL;
 * running_mean/running_var may be NULL (not tracked). Statistics are reduced in double. */
void lc_batchnorm_forward_train(lc_pool *p, int B, int C, int HW, float eps, float momentum,
                                const float *x, const float *gamma, const float *beta, float *y,
                                float *mean /* (C) */, float *invstd /* (C) */,
                                float *running_mean, float *running_var);
/* The same, also writing the batch's statistics to rec when it is not NULL: (C) means, then (C)
 * unbiased variances, in double; lc_batchnorm_running_update applies them to running stats later
 * with the same arithmetic as an update during the forward pass (a data-parallel step records
 * each group's and replays them in group order). relu: y = max(x, 0) of the normalized output
 * (a ReLU after the batch norm, in the same pass; as lc_act_forward's, NaN gives +0). */
void lc_batchnorm_forward_train_rec(lc_pool *p, int B, int C, int HW, float eps, float momentum,
                                    const float *x, const float *gamma, const float *beta,
                                    float *y, float *mean, float *invstd, float *running_mean,
                                    float *running_var, double *rec, int relu);
void lc_batchnorm_running_update(int C, float momentum, const double *rec, float *running_mean,
                                 float *running_var);
/* Batch norm's evaluation scale of channel c: gamma[c] / sqrt(running_var[c] + eps) (1 for gamma
 * NULL), as lc_batchnorm_forward_eval computes it; y = (x - running_mean) * scale + beta. */
static inline float lc_batchnorm_eval_scale(const float *gamma, const float *running_var,
                                            float eps, int c)
{
    float is = (float)(1.0 / sqrt((double)running_var[c] + (double)eps));
    return gamma ? gamma[c] * is : is;
}
void lc_batchnorm_forward_eval(lc_pool *p, int B, int C, int HW, float eps, const float *x,
                               const float *gamma, const float *beta, const float *running_mean,
                               const float *running_var, float *y);
void lc_batchnorm_backward(lc_pool *p, int B, int C, int HW, const float *x, const float *gamma,
                           const float *mean, const float *invstd, const float *dy, float *dx,
                           float *dgamma, float *dbeta);
/* The same for a batch norm whose output went through a ReLU in the same pass: dy is the ReLU's
 * output gradient, relu_y its output (dy counts where relu_y > 0, as lc_act_backward's mask);
 * relu_y NULL is lc_batchnorm_backward. */
void lc_batchnorm_backward_relu(lc_pool *p, int B, int C, int HW, const float *x,
                                const float *gamma, const float *mean, const float *invstd,
                                const float *dy, const float *relu_y, float *dx, float *dgamma,
                                float *dbeta);
/* Layer norm over the last N elements of each sample, affine gamma/beta of size N. */
void lc_layernorm_forward(lc_pool *p, int B, int N, float eps, const float *x, const float *gamma,
                          const float *beta, float *y, float *mean /* (B) */,
                          float *invstd /* (B) */);
void lc_layernorm_backward(lc_pool *p, int B, int N, const float *x, const float *gamma,
                           const float *mean, const float *invstd, const float *dy, float *dx,
                           float *dgamma, float *dbeta);

/* ---- loss ---- */
/* Softmax cross-entropy per sample: probs (B,C) = softmax(logits); loss[b] = logsumexp - z[y].
 * Returns the mean loss over the batch (double accumulation, fixed order). */
double lc_softmax_xent_forward(int B, int C, const float *logits, const int32_t *labels,
                               float *probs, float *loss /* (B), may be NULL */);
/* dlogits = scale * (probs - onehot(labels)); scale is usually 1/B for a mean loss. */
void lc_softmax_xent_backward(int B, int C, const float *probs, const int32_t *labels,
                              float scale, float *dlogits);

/* ---- optimizers (one flat loop over the parameter slab) ---- */
typedef enum lc_opt_type {
    LC_OPT_SGD = 0,
    LC_OPT_ADAM,
    LC_OPT_ADAMW,
    LC_OPT_ADAGRAD,
    LC_OPT_RMSPROP,
    LC_OPT_ADAMAX,
    LC_OPT_NADAM
} lc_opt_type;

typedef struct lc_optim {
    lc_opt_type type;
    float lr;
    float beta1, beta2, eps, weight_decay; /* adam family; weight_decay also sgd/adagrad/rmsprop */
    int amsgrad;
    float momentum, dampening; /* sgd, rmsprop (momentum) */
    int nesterov;              /* sgd */
    float alpha;               /* rmsprop smoothing (torch default 0.99) */
    int centered;              /* rmsprop */
    float initial_accumulator_value, lr_decay; /* adagrad */
    float momentum_decay;      /* nadam (torch default 4e-3) */
} lc_optim;

/* Floats of optimizer state per parameter (0..3). */
int lc_optim_state_per_param(const lc_optim *o);
/* Initialise state (n params) before the first step (e.g. adagrad's initial accumulator). */
void lc_optim_init_state(const lc_optim *o, size_t n, float *state);
/* One step number t (1-based) over n parameters, exactly as torch.optim does (single-tensor path,
 * foreach=False); state holds state_per_param * n floats laid out as consecutive n-blocks:
 * sgd [momentum_buffer] (filled from the gradient at t == 1, as torch's first step does);
 * adam/adamw [exp_avg, exp_avg_sq, (max_exp_avg_sq if amsgrad)]; adagrad [sum];
 * rmsprop [square_avg, (grad_avg if centered), (momentum_buffer if momentum > 0)];
 * adamax [exp_avg, exp_inf]; nadam [exp_avg, exp_avg_sq] (mu_product is recomputed from t).
 * eps is each optimizer's own (torch defaults 1e-8, adagrad 1e-10); rmsprop's decay is alpha. */
void lc_optim_step(lc_pool *p, const lc_optim *o, long t, size_t n, float *params,
                   const float *grads, float *state);
/* The same step for the parameters in keep's nkeep ranges only ([keep[2r], keep[2r + 1]),
 * ascending, disjoint, within n; keep NULL: all): the others and their state are left as they
 * are, as torch.optim leaves a parameter without a gradient (requires_grad False: a frozen
 * encoder's), weight decay included. */
void lc_optim_step_ranges(lc_pool *p, const lc_optim *o, long t, size_t n, float *params,
                          const float *grads, float *state, const size_t *keep, int nkeep);
/* lc_scale(p, n, gscale, grads) and then lc_optim_step_ranges, in one pass: each chunk of the
 * gradients scaled in place (all n of them, as lc_scale) and stepped while in the core's cache;
 * the same bits as the two calls (gradient clipping's scale, fused; a scale of 1, no clipping,
 * is lc_optim_step_ranges). */
void lc_optim_step_scaled(lc_pool *p, const lc_optim *o, long t, size_t n, float *params,
                          float *grads, float gscale, float *state, const size_t *keep, int nkeep);
/* Global L2 norm of g (n floats), accumulated in double over fixed chunks. */
double lc_grad_norm(lc_pool *p, size_t n, const float *g);
/* g *= s */
void lc_scale(lc_pool *p, size_t n, float s, float *g);

#endif
