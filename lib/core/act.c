/* act.c - element-wise activations (forward and backward) over flat buffers, on the pool.
 * Tasks are fixed-size element ranges, so the split depends only on n. Shapes, fusion with other
 * layers and the choice of activation are left to the model planner. */
#include "lc_layers.h"

#include <math.h>
#include <string.h>

#define ACT_CHUNK 16384
/* torch.nn.SELU's constants; sqrt(2 / pi) for gelu_new */
#define SELU_ALPHA 1.6732632423543772f
#define SELU_SCALE 1.0507009873554805f
#define GELU_TANH_C 0.7978845608028654f

typedef struct {
    lc_act a;
    size_t n;
    const float *x, *y, *dy;
    float *out;
} act_ctx;

static void act_range(size_t task, size_t n, size_t *lo, size_t *hi)
{
    *lo = task * ACT_CHUNK;
    *hi = *lo + ACT_CHUNK < n ? *lo + ACT_CHUNK : n;
}

static int act_tasks(size_t n) { return (int)((n + ACT_CHUNK - 1) / ACT_CHUNK); }

/* ReLU as a bit mask (lc_relu_keep), so the loop has no branch and vectorises: v where x > 0,
 * else +0 (NaN gives 0, as the comparison does) */
static void relu_mask(const float *restrict x, const float *restrict v, float *restrict out,
                      size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = lc_relu_keep(v[i], x[i]);
}

/* sigmoid without overflow for large |x| */
static float sigmoidf(float x)
{
    if (x >= 0.0f)
        return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

static void act_fwd_task(void *vctx, int task, int thread)
{
    const act_ctx *c = vctx;
    size_t lo, hi;
    (void)thread;
    act_range((size_t)task, c->n, &lo, &hi);
    const float *x = c->x;
    float *y = c->out;
    switch (c->a) {
    case LC_ACT_LINEAR:
        if (y != x)
            memcpy(y + lo, x + lo, (hi - lo) * sizeof(float));
        break;
    case LC_ACT_RELU:
        if (y == x) {
            for (size_t i = lo; i < hi; i++)
                y[i] = lc_relu_keep(y[i], y[i]);
        } else {
            relu_mask(x + lo, x + lo, y + lo, hi - lo);
        }
        break;
    case LC_ACT_TANH:
        for (size_t i = lo; i < hi; i++)
            y[i] = tanhf(x[i]);
        break;
    case LC_ACT_SIGMOID:
        for (size_t i = lo; i < hi; i++)
            y[i] = sigmoidf(x[i]);
        break;
    case LC_ACT_ELU:
        for (size_t i = lo; i < hi; i++)
            y[i] = x[i] > 0.0f ? x[i] : expm1f(x[i]);
        break;
    case LC_ACT_LEAKY_RELU:
        for (size_t i = lo; i < hi; i++)
            y[i] = x[i] > 0.0f ? x[i] : 0.01f * x[i];
        break;
    case LC_ACT_LOG_SIGMOID:
        /* log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)) */
        for (size_t i = lo; i < hi; i++) {
            float v = x[i];
            y[i] = fminf(v, 0.0f) - log1pf(expf(-fabsf(v)));
        }
        break;
    case LC_ACT_RELU6:
        for (size_t i = lo; i < hi; i++)
            y[i] = fminf(fmaxf(x[i], 0.0f), 6.0f);
        break;
    case LC_ACT_HARDSIGMOID:
        for (size_t i = lo; i < hi; i++)
            y[i] = x[i] <= -3.0f ? 0.0f : x[i] >= 3.0f ? 1.0f : x[i] / 6.0f + 0.5f;
        break;
    case LC_ACT_HARDSWISH:
        for (size_t i = lo; i < hi; i++)
            y[i] = x[i] <= -3.0f ? 0.0f : x[i] >= 3.0f ? x[i] : x[i] * (x[i] + 3.0f) / 6.0f;
        break;
    case LC_ACT_SILU:
        for (size_t i = lo; i < hi; i++)
            y[i] = x[i] * sigmoidf(x[i]);
        break;
    case LC_ACT_GELU:
        for (size_t i = lo; i < hi; i++)
            y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * (float)M_SQRT1_2));
        break;
    case LC_ACT_SELU:
        for (size_t i = lo; i < hi; i++)
            y[i] = x[i] > 0.0f ? SELU_SCALE * x[i] : SELU_SCALE * SELU_ALPHA * expm1f(x[i]);
        break;
    case LC_ACT_GELU_TANH:
        for (size_t i = lo; i < hi; i++) {
            float v = x[i];
            y[i] = 0.5f * v * (1.0f + tanhf(GELU_TANH_C * (v + 0.044715f * v * v * v)));
        }
        break;
    }
}

static void act_bwd_task(void *vctx, int task, int thread)
{
    const act_ctx *c = vctx;
    size_t lo, hi;
    (void)thread;
    act_range((size_t)task, c->n, &lo, &hi);
    const float *x = c->x, *y = c->y, *dy = c->dy;
    float *dx = c->out;
    switch (c->a) {
    case LC_ACT_LINEAR:
        if (dx != dy)
            memcpy(dx + lo, dy + lo, (hi - lo) * sizeof(float));
        break;
    case LC_ACT_RELU:
        if (dx == dy) {
            for (size_t i = lo; i < hi; i++)
                dx[i] = lc_relu_keep(dx[i], x[i]);
        } else {
            relu_mask(x + lo, dy + lo, dx + lo, hi - lo);
        }
        break;
    case LC_ACT_TANH:
        for (size_t i = lo; i < hi; i++)
            dx[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case LC_ACT_SIGMOID:
        for (size_t i = lo; i < hi; i++)
            dx[i] = dy[i] * (y[i] * (1.0f - y[i]));
        break;
    case LC_ACT_ELU:
        for (size_t i = lo; i < hi; i++)
            dx[i] = x[i] > 0.0f ? dy[i] : dy[i] * expf(x[i]);
        break;
    case LC_ACT_LEAKY_RELU:
        for (size_t i = lo; i < hi; i++)
            dx[i] = x[i] > 0.0f ? dy[i] : 0.01f * dy[i];
        break;
    case LC_ACT_LOG_SIGMOID:
        /* d/dx log(sigmoid(x)) = sigmoid(-x) */
        for (size_t i = lo; i < hi; i++)
            dx[i] = dy[i] * sigmoidf(-x[i]);
        break;
    /* the gradients torch's backward kernels give, boundaries included */
    case LC_ACT_RELU6:
        for (size_t i = lo; i < hi; i++)
            dx[i] = x[i] > 0.0f && x[i] < 6.0f ? dy[i] : 0.0f;
        break;
    case LC_ACT_HARDSIGMOID:
        for (size_t i = lo; i < hi; i++)
            dx[i] = x[i] > -3.0f && x[i] < 3.0f ? dy[i] / 6.0f : 0.0f;
        break;
    case LC_ACT_HARDSWISH:
        for (size_t i = lo; i < hi; i++)
            dx[i] = x[i] < -3.0f ? 0.0f : x[i] <= 3.0f ? dy[i] * (x[i] / 3.0f + 0.5f) : dy[i];
        break;
    case LC_ACT_SILU:
        for (size_t i = lo; i < hi; i++) {
            float s = sigmoidf(x[i]);
            dx[i] = dy[i] * (s * (1.0f + x[i] * (1.0f - s)));
        }
        break;
    case LC_ACT_GELU:
        for (size_t i = lo; i < hi; i++) {
            float v = x[i];
            float cdf = 0.5f * (1.0f + erff(v * (float)M_SQRT1_2));
            float pdf = expf(-0.5f * v * v) * 0.3989422804014327f; /* 1 / sqrt(2 pi) */
            dx[i] = dy[i] * (cdf + v * pdf);
        }
        break;
    case LC_ACT_SELU:
        for (size_t i = lo; i < hi; i++)
            dx[i] = x[i] > 0.0f ? dy[i] * SELU_SCALE : dy[i] * (SELU_SCALE * SELU_ALPHA) * expf(x[i]);
        break;
    case LC_ACT_GELU_TANH:
        for (size_t i = lo; i < hi; i++) {
            float v = x[i], t = tanhf(GELU_TANH_C * (v + 0.044715f * v * v * v));
            dx[i] = dy[i] * (0.5f * (1.0f + t) +
                             0.5f * v * (1.0f - t * t) * GELU_TANH_C * (1.0f + 3.0f * 0.044715f * v * v));
        }
        break;
    }
}

void lc_act_forward(lc_pool *p, lc_act a, size_t n, const float *x, float *y)
{
    act_ctx c = {a, n, x, NULL, NULL, y};
    if (a == LC_ACT_LINEAR && x == y)
        return;
    lc_pool_run(p, act_tasks(n), act_fwd_task, &c);
}

void lc_act_backward(lc_pool *p, lc_act a, size_t n, const float *x, const float *y,
                     const float *dy, float *dx)
{
    act_ctx c = {a, n, x, y, dy, dx};
    if (a == LC_ACT_LINEAR && dx == dy)
        return;
    lc_pool_run(p, act_tasks(n), act_bwd_task, &c);
}

/* ---- residual adds (a ReLU after them in the same pass) and gradient sums ---- */

typedef struct {
    size_t n;
    const float *a, *b, *mask;
    float *y, *d[2];
    int relu, acc[2];
} add_ctx;

static void add_fwd_task(void *vctx, int task, int thread)
{
    const add_ctx *c = vctx;
    size_t lo, hi;
    (void)thread;
    act_range((size_t)task, c->n, &lo, &hi);
    const float *restrict a = c->a, *restrict b = c->b;
    float *restrict y = c->y;
    if (c->relu)
        for (size_t i = lo; i < hi; i++) {
            float v = a[i] + b[i];
            y[i] = v > 0.0f ? v : 0.0f;
        }
    else
        for (size_t i = lo; i < hi; i++)
            y[i] = a[i] + b[i];
}

void lc_add_forward(lc_pool *p, size_t n, const float *a, const float *b, float *y, int relu)
{
    add_ctx c = {.n = n, .a = a, .b = b, .y = y, .relu = relu};
    lc_pool_run(p, act_tasks(n), add_fwd_task, &c);
}

/* g = dy (masked where mask is not > 0), then each destination d[k] = g or += g */
static void add_bwd_task(void *vctx, int task, int thread)
{
    const add_ctx *c = vctx;
    size_t lo, hi;
    (void)thread;
    act_range((size_t)task, c->n, &lo, &hi);
    const float *restrict dy = c->a, *restrict mask = c->mask;
    for (int k = 0; k < 2; k++) {
        float *restrict d = c->d[k];
        if (!d)
            continue;
        if (mask && c->acc[k])
            for (size_t i = lo; i < hi; i++)
                d[i] += lc_relu_keep(dy[i], mask[i]);
        else if (mask)
            for (size_t i = lo; i < hi; i++)
                d[i] = lc_relu_keep(dy[i], mask[i]);
        else if (c->acc[k])
            for (size_t i = lo; i < hi; i++)
                d[i] += dy[i];
        else if (d != dy)
            memcpy(d + lo, dy + lo, (hi - lo) * sizeof(float));
    }
}

void lc_add_backward(lc_pool *p, size_t n, const float *dy, const float *relu_y, float *d0,
                     int acc0, float *d1, int acc1)
{
    add_ctx c = {.n = n, .a = dy, .mask = relu_y, .d = {d0, d1}, .acc = {acc0, acc1}};
    if (!d0 && !d1)
        return;
    lc_pool_run(p, act_tasks(n), add_bwd_task, &c);
}

static void zero_task(void *vctx, int task, int thread)
{
    const add_ctx *c = vctx;
    size_t lo, hi;
    (void)thread;
    act_range((size_t)task, c->n, &lo, &hi);
    memset(c->y + lo, 0, (hi - lo) * sizeof(float));
}

void lc_zero(lc_pool *p, size_t n, float *y)
{
    add_ctx c = {.n = n, .y = y};
    lc_pool_run(p, act_tasks(n), zero_task, &c);
}
