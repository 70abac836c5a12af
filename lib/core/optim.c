/* optim.c - the optimizers (SGD, Adam, AdamW, Adagrad, RMSprop, Adamax, NAdam) as one flat loop
 * over the parameter slab, plus the global gradient norm and scaling used for clipping.
 * Each update mirrors torch.optim 1.13's single-tensor path (foreach=False) operation by
 * operation: per-step scalars in double as Python computes them, then rounded to float where
 * torch hands them to a float kernel; `add_(b, alpha=s)` and `addcmul_` are fused multiply-adds
 * (fmaf, exactly rounded, so the result does not depend on the CPU) as ATen's vector kernels are
 * built. The committed torch fixtures match bit for bit. Learning-rate schedules and clipping
 * policy are the trainer's business. */
#include "lc_layers.h"

#include "lc_gemm.h"
#include "lc_optim_isa.h"

#include <math.h>

#define OPT_CHUNK 8192
#define NORM_CHUNKS 64 /* fixed partial sums for the gradient norm, whatever the thread count */
#define NORM_LANES 16  /* and each chunk's own lanes (norm_task) */

int lc_optim_state_per_param(const lc_optim *o)
{
    switch (o->type) {
    case LC_OPT_SGD:
        return o->momentum != 0.0f ? 1 : 0;
    case LC_OPT_ADAM:
    case LC_OPT_ADAMW:
        return o->amsgrad ? 3 : 2;
    case LC_OPT_ADAGRAD:
        return 1;
    case LC_OPT_RMSPROP:
        return 1 + (o->centered ? 1 : 0) + (o->momentum > 0.0f ? 1 : 0);
    case LC_OPT_ADAMAX:
    case LC_OPT_NADAM:
        return 2;
    }
    return 0;
}

void lc_optim_init_state(const lc_optim *o, size_t n, float *state)
{
    size_t total = (size_t)lc_optim_state_per_param(o) * n;
    float v = o->type == LC_OPT_ADAGRAD ? o->initial_accumulator_value : 0.0f;
    for (size_t i = 0; i < total; i++)
        state[i] = v;
}

typedef struct {
    const lc_optim *o;
    long t;
    size_t n;
    float *params;
    const float *grads;
    float *state;
    /* per-step scalars, as torch passes them to its float kernels */
    float wd, b1, omb1, b2, omb2, eps, neg_lr, neg_step, bc2_sqrt, bc2, lr_wd, dampc;
    float nag_g, nag_m; /* nadam's two addcdiv values */
    const size_t *keep; /* [lo, hi) pairs of the parameters stepped, ascending; NULL: all */
    int nkeep;
    float *scale_g; /* lc_optim_step_scaled: the gradients, multiplied by gscale in place */
    float gscale;
} opt_ctx;

static void sgd_range(const opt_ctx *c, size_t lo, size_t hi)
{
    const lc_optim *o = c->o;
    float *p = c->params, *buf = c->state;
    const float *g = c->grads;
    for (size_t i = lo; i < hi; i++) {
        float d = g[i];
        if (o->weight_decay != 0.0f)
            d = fmaf(p[i], c->wd, d);
        if (o->momentum != 0.0f) {
            if (c->t == 1)
                buf[i] = d;
            else
                buf[i] = fmaf(d, c->dampc, buf[i] * o->momentum);
            d = o->nesterov ? fmaf(buf[i], o->momentum, d) : buf[i];
        }
        p[i] = fmaf(d, c->neg_lr, p[i]);
    }
}

static void adam_range(const opt_ctx *c, size_t lo, size_t hi, int decoupled)
{
    const lc_optim *o = c->o;
    float *p = c->params, *m = c->state, *v = c->state + c->n, *vmax = c->state + 2 * c->n;
    const float *g = c->grads;
    if (!decoupled && o->weight_decay == 0.0f && !o->amsgrad && lc_gemm_isa() == LC_ISA_AVX512) {
        lc_adam_plain_avx512(lo, hi, p, m, v, g, c->b1, c->omb1, c->b2, c->omb2, c->bc2_sqrt,
                             c->eps, c->neg_step);
        return;
    }
    if (!decoupled && o->weight_decay == 0.0f && !o->amsgrad && lc_gemm_isa() == LC_ISA_AVX2) {
        lc_adam_plain_avx2(lo, hi, p, m, v, g, c->b1, c->omb1, c->b2, c->omb2, c->bc2_sqrt,
                           c->eps, c->neg_step);
        return;
    }
    for (size_t i = lo; i < hi; i++) {
        float gi = g[i];
        if (decoupled)
            p[i] = p[i] * c->lr_wd;
        else if (o->weight_decay != 0.0f)
            gi = fmaf(p[i], c->wd, gi);
        m[i] = fmaf(gi, c->omb1, m[i] * c->b1);
        v[i] = fmaf(c->omb2 * gi, gi, v[i] * c->b2);
        float vv = v[i];
        if (o->amsgrad) {
            vmax[i] = fmaxf(vmax[i], vv);
            vv = vmax[i];
        }
        float denom = sqrtf(vv) / c->bc2_sqrt + c->eps;
        p[i] = p[i] + c->neg_step * m[i] / denom;
    }
}

static void adagrad_range(const opt_ctx *c, size_t lo, size_t hi)
{
    const lc_optim *o = c->o;
    float *p = c->params, *sum = c->state;
    const float *g = c->grads;
    for (size_t i = lo; i < hi; i++) {
        float gi = g[i];
        if (o->weight_decay != 0.0f)
            gi = fmaf(p[i], c->wd, gi);
        sum[i] = fmaf(gi, gi, sum[i]);
        float std = sqrtf(sum[i]) + c->eps;
        p[i] = p[i] + c->neg_step * gi / std;
    }
}

static void rmsprop_range(const opt_ctx *c, size_t lo, size_t hi)
{
    const lc_optim *o = c->o;
    float *p = c->params, *sq = c->state;
    float *ga = o->centered ? c->state + c->n : NULL;
    float *buf = c->state + (o->centered ? 2 : 1) * c->n;
    const float *g = c->grads;
    for (size_t i = lo; i < hi; i++) {
        float gi = g[i];
        if (o->weight_decay != 0.0f)
            gi = fmaf(p[i], c->wd, gi);
        sq[i] = fmaf(c->omb2 * gi, gi, sq[i] * c->b2);
        float avg;
        if (ga) {
            ga[i] = fmaf(gi, c->omb2, ga[i] * c->b2);
            avg = sqrtf(fmaf(-1.0f * ga[i], ga[i], sq[i]));
        } else {
            avg = sqrtf(sq[i]);
        }
        avg = avg + c->eps;
        if (o->momentum > 0.0f) {
            buf[i] = buf[i] * o->momentum + 1.0f * gi / avg;
            p[i] = fmaf(buf[i], c->neg_lr, p[i]);
        } else {
            p[i] = p[i] + c->neg_lr * gi / avg;
        }
    }
}

static void adamax_range(const opt_ctx *c, size_t lo, size_t hi)
{
    const lc_optim *o = c->o;
    float *p = c->params, *m = c->state, *u = c->state + c->n;
    const float *g = c->grads;
    for (size_t i = lo; i < hi; i++) {
        float gi = g[i];
        if (o->weight_decay != 0.0f)
            gi = fmaf(p[i], c->wd, gi);
        m[i] = fmaf(gi, c->omb1, m[i] * c->b1);
        float a = u[i] * c->b2, b = fabsf(gi) + c->eps;
        u[i] = (a > b || isnan(a)) ? a : b;
        p[i] = p[i] + c->neg_step * m[i] / u[i];
    }
}

static void nadam_range(const opt_ctx *c, size_t lo, size_t hi)
{
    const lc_optim *o = c->o;
    float *p = c->params, *m = c->state, *v = c->state + c->n;
    const float *g = c->grads;
    for (size_t i = lo; i < hi; i++) {
        float gi = g[i];
        if (o->weight_decay != 0.0f)
            gi = fmaf(p[i], c->wd, gi);
        m[i] = fmaf(gi, c->omb1, m[i] * c->b1);
        v[i] = fmaf(c->omb2 * gi, gi, v[i] * c->b2);
        float denom = sqrtf(v[i] / c->bc2) + c->eps;
        p[i] = p[i] + c->nag_g * gi / denom;
        p[i] = p[i] + c->nag_m * m[i] / denom;
    }
}

static void step_range(const opt_ctx *c, size_t lo, size_t hi)
{
    switch (c->o->type) {
    case LC_OPT_SGD:
        sgd_range(c, lo, hi);
        break;
    case LC_OPT_ADAM:
        adam_range(c, lo, hi, 0);
        break;
    case LC_OPT_ADAMW:
        adam_range(c, lo, hi, 1);
        break;
    case LC_OPT_ADAGRAD:
        adagrad_range(c, lo, hi);
        break;
    case LC_OPT_RMSPROP:
        rmsprop_range(c, lo, hi);
        break;
    case LC_OPT_ADAMAX:
        adamax_range(c, lo, hi);
        break;
    case LC_OPT_NADAM:
        nadam_range(c, lo, hi);
        break;
    }
}

static void opt_task(void *vctx, int task, int thread)
{
    const opt_ctx *c = vctx;
    size_t lo = (size_t)task * OPT_CHUNK, hi = lo + OPT_CHUNK < c->n ? lo + OPT_CHUNK : c->n;
    (void)thread;
    if (c->scale_g) /* the chunk scaled as lc_scale does, then stepped from the core's cache */
        for (size_t i = lo; i < hi; i++)
            c->scale_g[i] *= c->gscale;
    if (!c->keep) {
        step_range(c, lo, hi);
        return;
    }
    for (int r = 0; r < c->nkeep; r++) { /* the chunk's parts inside the kept ranges */
        size_t a = c->keep[2 * r] > lo ? c->keep[2 * r] : lo;
        size_t b = c->keep[2 * r + 1] < hi ? c->keep[2 * r + 1] : hi;
        if (a < b)
            step_range(c, a, b);
    }
}

/* NAdam's mu_product is a float32 scalar tensor in torch, multiplied once per step; it is a pure
 * function of t, recomputed here in the same order (it underflows to 0 within a few hundred
 * steps, which ends the loop early). */
static double nadam_mu(double b1, double md, double step)
{
    return b1 * (1.0 - 0.5 * pow(0.96, step * md));
}

void lc_optim_step(lc_pool *p, const lc_optim *o, long t, size_t n, float *params,
                   const float *grads, float *state)
{
    lc_optim_step_ranges(p, o, t, n, params, grads, state, NULL, 0);
}

static void step_ranges(lc_pool *p, const lc_optim *o, long t, size_t n, float *params,
                        const float *grads, float *scale_g, float gscale, float *state,
                        const size_t *keep, int nkeep)
{
    opt_ctx c = {0};
    c.keep = keep;
    c.nkeep = nkeep;
    c.scale_g = scale_g;
    c.gscale = gscale;
    const double lr = o->lr, b1 = o->beta1, b2 = o->beta2, step = (double)t;
    c.o = o, c.t = t, c.n = n, c.params = params, c.grads = grads, c.state = state;
    c.wd = o->weight_decay;
    c.eps = o->eps;
    c.neg_lr = (float)-lr;
    c.b1 = o->beta1;
    c.omb1 = (float)(1.0 - b1);
    c.b2 = o->beta2;
    c.omb2 = (float)(1.0 - b2);
    switch (o->type) {
    case LC_OPT_SGD:
        c.dampc = (float)(1.0 - (double)o->dampening);
        break;
    case LC_OPT_ADAM:
    case LC_OPT_ADAMW:
        c.lr_wd = (float)(1.0 - lr * (double)o->weight_decay);
        c.neg_step = (float)-(lr / (1.0 - pow(b1, step)));
        c.bc2_sqrt = (float)sqrt(1.0 - pow(b2, step));
        break;
    case LC_OPT_ADAGRAD:
        c.neg_step = (float)-(lr / (1.0 + (step - 1.0) * (double)o->lr_decay));
        break;
    case LC_OPT_RMSPROP:
        c.b2 = o->alpha; /* square_avg decay */
        c.omb2 = (float)(1.0 - (double)o->alpha);
        break;
    case LC_OPT_ADAMAX:
        c.neg_step = (float)-(lr / (1.0 - pow(b1, step)));
        break;
    case LC_OPT_NADAM: {
        const double md = o->momentum_decay;
        float prod = 1.0f;
        for (long s = 1; s <= t && prod != 0.0f; s++)
            prod = prod * (float)nadam_mu(b1, md, (double)s);
        double mu = nadam_mu(b1, md, step), mu_next = nadam_mu(b1, md, step + 1.0);
        float prod_next = prod * (float)mu * (float)mu_next;
        c.bc2 = (float)(1.0 - pow(b2, step));
        c.nag_g = (float)(-lr * (1.0 - mu) / (1.0 - (double)prod));
        c.nag_m = (float)(-lr * mu_next / (1.0 - (double)prod_next));
        break;
    }
    }
    if (n == 0)
        return;
    lc_pool_run(p, (int)((n + OPT_CHUNK - 1) / OPT_CHUNK), opt_task, &c);
}

void lc_optim_step_ranges(lc_pool *p, const lc_optim *o, long t, size_t n, float *params,
                          const float *grads, float *state, const size_t *keep, int nkeep)
{
    step_ranges(p, o, t, n, params, grads, NULL, 1.0f, state, keep, nkeep);
}

void lc_optim_step_scaled(lc_pool *p, const lc_optim *o, long t, size_t n, float *params,
                          float *grads, float gscale, float *state, const size_t *keep, int nkeep)
{
    step_ranges(p, o, t, n, params, grads, gscale != 1.0f ? grads : NULL, gscale, state, keep,
                nkeep);
}

typedef struct {
    size_t n;
    const float *g;
    float s;
    float *out;
    double part[NORM_CHUNKS];
} vec_ctx;

__attribute__((target_clones("avx512f", "avx2", "default"))) static void
norm_task(void *vctx, int task, int thread)
{
    vec_ctx *c = vctx;
    /* chunk `task` of NORM_CHUNKS near-equal ranges; the first n % NORM_CHUNKS get one extra */
    size_t q = c->n / NORM_CHUNKS, r = c->n % NORM_CHUNKS, k = (size_t)task;
    size_t lo = q * k + (k < r ? k : r);
    size_t hi = lo + q + (k < r ? 1 : 0);
    /* NORM_LANES running sums, element i into lane i % NORM_LANES, added pairwise at the end:
     * independent chains the compiler vectorises (one chain was a double add's latency an
     * element, 4 ms of a resnet18 step) */
    double a[NORM_LANES] = {0};
    (void)thread;
    size_t i = lo;
    for (; i + NORM_LANES <= hi; i += NORM_LANES)
#pragma GCC unroll 16
        for (int j = 0; j < NORM_LANES; j++)
            a[j] += (double)c->g[i + j] * c->g[i + j];
    for (; i < hi; i++)
        a[(i - lo) % NORM_LANES] += (double)c->g[i] * c->g[i];
    for (int w = NORM_LANES / 2; w > 0; w /= 2)
        for (int j = 0; j < w; j++)
            a[j] += a[j + w];
    c->part[task] = a[0];
}

double lc_grad_norm(lc_pool *p, size_t n, const float *g)
{
    vec_ctx c = {0};
    c.n = n, c.g = g;
    lc_pool_run(p, NORM_CHUNKS, norm_task, &c);
    double s = 0.0;
    for (int i = 0; i < NORM_CHUNKS; i++)
        s += c.part[i];
    return sqrt(s);
}

static void scale_task(void *vctx, int task, int thread)
{
    const vec_ctx *c = vctx;
    size_t lo = (size_t)task * OPT_CHUNK, hi = lo + OPT_CHUNK < c->n ? lo + OPT_CHUNK : c->n;
    (void)thread;
    for (size_t i = lo; i < hi; i++)
        c->out[i] *= c->s;
}

void lc_scale(lc_pool *p, size_t n, float s, float *g)
{
    vec_ctx c = {0};
    c.n = n, c.s = s, c.out = g;
    if (n == 0)
        return;
    lc_pool_run(p, (int)((n + OPT_CHUNK - 1) / OPT_CHUNK), scale_task, &c);
}
