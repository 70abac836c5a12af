/* norm.c - batch norm (train and eval) and layer norm, forward and backward, on the pool.
 * Batch norm runs one task per channel and layer norm one task per sample (dgamma/dbeta: one task
 * per fixed block of features), so every statistic is reduced by a single task in a fixed order,
 * in double: results do not depend on the thread count. gamma/beta may be NULL (no affine
 * transform), and then dgamma/dbeta may be NULL too. Parameter storage is the model's business. */
#include "lc_layers.h"

#include <math.h>

#define LN_COLS 256 /* features per dgamma/dbeta task in layer norm backward */

typedef struct {
    int B, C, HW, N;
    float eps, momentum;
    const float *x, *gamma, *beta, *dy;
    const float *mean_in, *invstd_in, *rmean_in, *rvar_in;
    const float *relu_y; /* backward: the output of a ReLU fused after the batch norm (dy masked
                          * where it is not > 0) */
    int relu;            /* forward: a ReLU applied to the output */
    float *y, *mean, *invstd, *rmean, *rvar, *dgamma, *dbeta;
    double *rec;
} norm_ctx;

/* ---- batch norm ---- */

static void running_update(float *rm, float *rv, double mo, double mean, double unbiased)
{
    *rm = (float)((1.0 - mo) * *rm + mo * mean);
    *rv = (float)((1.0 - mo) * *rv + mo * unbiased);
}

/* channel c's batch statistics: into the running statistics, and/or recorded for a later
 * lc_batchnorm_running_update (a data-parallel step replays its groups' in a fixed order) */
static void running(const norm_ctx *k, int c, double cnt, double mean, double var)
{
    double unbiased = cnt > 1.0 ? var * cnt / (cnt - 1.0) : var;
    if (k->rmean && k->rvar)
        running_update(&k->rmean[c], &k->rvar[c], k->momentum, mean, unbiased);
    if (k->rec) {
        k->rec[c] = mean;
        k->rec[k->C + c] = unbiased;
    }
}

void lc_batchnorm_running_update(int C, float momentum, const double *rec, float *running_mean,
                                 float *running_var)
{
    for (int c = 0; c < C; c++)
        running_update(&running_mean[c], &running_var[c], momentum, rec[c], rec[C + c]);
}

/* A channel's sums over (b, i) run in BN_LANES lanes, element i of every sample into lane
 * i % BN_LANES (one vector of doubles under AVX-512), the lanes then added pairwise in a fixed
 * order: the same bits on any thread count and from every clone. With HW == 1 everything is in
 * lane 0, summed over b in order, as BatchNorm1d's tasks sum. */
#define BN_LANES 8
#define BN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

static double lanes_sum(const double a[BN_LANES])
{
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

BN_CLONES static void bn_train_task(void *vctx, int c, int thread)
{
    const norm_ctx *k = vctx;
    const size_t HW = (size_t)k->HW, CHW = (size_t)k->C * HW;
    const double cnt = (double)k->B * (double)HW;
    (void)thread;
    double a[BN_LANES] = {0};
    for (int b = 0; b < k->B; b++) {
        const float *xp = k->x + (size_t)b * CHW + (size_t)c * HW; /* (HW) */
        /* the next sample's plane asked for while this one is summed: the hardware's
         * prefetchers leave a pass over planes a channel stride apart waiting on memory */
        const float *xn = b + 1 < k->B ? xp + CHW : xp;
        size_t i = 0;
        for (; i + BN_LANES <= HW; i += BN_LANES) {
            if ((i & 15) == 0)
                __builtin_prefetch(xn + i);
            for (int j = 0; j < BN_LANES; j++)
                a[j] += xp[i + j];
        }
        for (; i < HW; i++)
            a[i % BN_LANES] += xp[i];
    }
    double mean = lanes_sum(a) / cnt;
    for (int j = 0; j < BN_LANES; j++)
        a[j] = 0.0;
    for (int b = 0; b < k->B; b++) {
        const float *xp = k->x + (size_t)b * CHW + (size_t)c * HW;
        size_t i = 0;
        for (; i + BN_LANES <= HW; i += BN_LANES)
            for (int j = 0; j < BN_LANES; j++) {
                double d = xp[i + j] - mean;
                a[j] += d * d;
            }
        for (; i < HW; i++) {
            double d = xp[i] - mean;
            a[i % BN_LANES] += d * d;
        }
    }
    double var = lanes_sum(a) / cnt;
    float m = (float)mean, is = (float)(1.0 / sqrt(var + (double)k->eps));
    k->mean[c] = m;
    k->invstd[c] = is;
    running(k, c, cnt, mean, var);
    float g = k->gamma ? k->gamma[c] * is : is;
    float bt = k->beta ? k->beta[c] : 0.0f;
    for (int b = 0; b < k->B; b++) {
        const float *xp = k->x + (size_t)b * CHW + (size_t)c * HW;
        float *yp = k->y + (size_t)b * CHW + (size_t)c * HW;
        if (k->relu) /* x > 0 ? x : +0, as lc_act_forward's ReLU (NaN gives 0) */
            for (size_t i = 0; i < HW; i++) {
                float v = (xp[i] - m) * g + bt;
                yp[i] = v > 0.0f ? v : 0.0f;
            }
        else
            for (size_t i = 0; i < HW; i++)
                yp[i] = (xp[i] - m) * g + bt;
    }
}

/* Batch norm over (B, C) (HW == 1, BatchNorm1d): the rows are read in order by tasks of BN1_CB
 * channels, which keep per-channel sums; each channel's sums run over b in the same order as
 * bn_train_task's, so the results are the same bits. */
#define BN1_CB 32

static void bn1_train_task(void *vctx, int task, int thread)
{
    const norm_ctx *k = vctx;
    const int C = k->C, c0 = task * BN1_CB, nc = C - c0 < BN1_CB ? C - c0 : BN1_CB;
    const double cnt = (double)k->B;
    double s[BN1_CB] = {0}, ss[BN1_CB] = {0}, mean[BN1_CB];
    float m[BN1_CB], g[BN1_CB], bt[BN1_CB];
    (void)thread;
    for (int b = 0; b < k->B; b++) {
        const float *xp = k->x + (size_t)b * C + c0; /* (nc) */
        for (int j = 0; j < nc; j++)
            s[j] += xp[j];
    }
    for (int j = 0; j < nc; j++)
        mean[j] = s[j] / cnt;
    for (int b = 0; b < k->B; b++) {
        const float *xp = k->x + (size_t)b * C + c0;
        for (int j = 0; j < nc; j++) {
            double d = xp[j] - mean[j];
            ss[j] += d * d;
        }
    }
    for (int j = 0; j < nc; j++) {
        int c = c0 + j;
        double var = ss[j] / cnt;
        float is = (float)(1.0 / sqrt(var + (double)k->eps));
        m[j] = (float)mean[j];
        k->mean[c] = m[j];
        k->invstd[c] = is;
        running(k, c, cnt, mean[j], var);
        g[j] = k->gamma ? k->gamma[c] * is : is;
        bt[j] = k->beta ? k->beta[c] : 0.0f;
    }
    for (int b = 0; b < k->B; b++) {
        const float *xp = k->x + (size_t)b * C + c0;
        float *yp = k->y + (size_t)b * C + c0;
        for (int j = 0; j < nc; j++) {
            float v = (xp[j] - m[j]) * g[j] + bt[j];
            yp[j] = !k->relu || v > 0.0f ? v : 0.0f;
        }
    }
}

static void bn1_bwd_task(void *vctx, int task, int thread)
{
    const norm_ctx *k = vctx;
    const int C = k->C, c0 = task * BN1_CB, nc = C - c0 < BN1_CB ? C - c0 : BN1_CB;
    const double cnt = (double)k->B;
    double sdy[BN1_CB] = {0}, sdyx[BN1_CB] = {0}, g[BN1_CB], mdy[BN1_CB], mdyx[BN1_CB];
    const float *m = k->mean_in + c0, *is = k->invstd_in + c0;
    (void)thread;
    for (int b = 0; b < k->B; b++) {
        const float *xp = k->x + (size_t)b * C + c0, *dyp = k->dy + (size_t)b * C + c0;
        const float *ry = k->relu_y ? k->relu_y + (size_t)b * C + c0 : NULL;
        for (int j = 0; j < nc; j++) {
            double xh = (double)(xp[j] - m[j]) * is[j];
            float d = ry ? lc_relu_keep(dyp[j], ry[j]) : dyp[j];
            sdy[j] += d;
            sdyx[j] += d * xh;
        }
    }
    for (int j = 0; j < nc; j++) {
        int c = c0 + j;
        if (k->dbeta)
            k->dbeta[c] = (float)sdy[j];
        if (k->dgamma)
            k->dgamma[c] = (float)sdyx[j];
        g[j] = (k->gamma ? k->gamma[c] : 1.0f) * (double)is[j];
        mdy[j] = sdy[j] / cnt;
        mdyx[j] = sdyx[j] / cnt;
    }
    for (int b = 0; b < k->B; b++) {
        const float *xp = k->x + (size_t)b * C + c0, *dyp = k->dy + (size_t)b * C + c0;
        const float *ry = k->relu_y ? k->relu_y + (size_t)b * C + c0 : NULL;
        float *dxp = k->y + (size_t)b * C + c0;
        for (int j = 0; j < nc; j++) {
            double xh = (double)(xp[j] - m[j]) * is[j];
            float d = ry ? lc_relu_keep(dyp[j], ry[j]) : dyp[j];
            dxp[j] = (float)(g[j] * (d - mdy[j] - xh * mdyx[j]));
        }
    }
}

void lc_batchnorm_forward_train(lc_pool *p, int B, int C, int HW, float eps, float momentum,
                                const float *x, const float *gamma, const float *beta, float *y,
                                float *mean, float *invstd, float *running_mean,
                                float *running_var)
{
    lc_batchnorm_forward_train_rec(p, B, C, HW, eps, momentum, x, gamma, beta, y, mean, invstd,
                                   running_mean, running_var, NULL, 0);
}

void lc_batchnorm_forward_train_rec(lc_pool *p, int B, int C, int HW, float eps, float momentum,
                                    const float *x, const float *gamma, const float *beta,
                                    float *y, float *mean, float *invstd, float *running_mean,
                                    float *running_var, double *rec, int relu)
{
    norm_ctx k = {0};
    k.B = B, k.C = C, k.HW = HW, k.eps = eps, k.momentum = momentum, k.relu = relu;
    k.x = x, k.gamma = gamma, k.beta = beta, k.y = y, k.mean = mean, k.invstd = invstd;
    k.rmean = running_mean, k.rvar = running_var, k.rec = rec;
    if (HW == 1)
        lc_pool_run(p, (C + BN1_CB - 1) / BN1_CB, bn1_train_task, &k);
    else
        lc_pool_run(p, C, bn_train_task, &k);
}

static void bn_eval_task(void *vctx, int c, int thread)
{
    const norm_ctx *k = vctx;
    const size_t HW = (size_t)k->HW, CHW = (size_t)k->C * HW;
    (void)thread;
    float m = k->rmean_in[c];
    float g = lc_batchnorm_eval_scale(k->gamma, k->rvar_in, k->eps, c);
    float bt = k->beta ? k->beta[c] : 0.0f;
    for (int b = 0; b < k->B; b++) {
        const float *xp = k->x + (size_t)b * CHW + (size_t)c * HW;
        float *yp = k->y + (size_t)b * CHW + (size_t)c * HW;
        for (size_t i = 0; i < HW; i++)
            yp[i] = (xp[i] - m) * g + bt;
    }
}

void lc_batchnorm_forward_eval(lc_pool *p, int B, int C, int HW, float eps, const float *x,
                               const float *gamma, const float *beta, const float *running_mean,
                               const float *running_var, float *y)
{
    norm_ctx k = {0};
    k.B = B, k.C = C, k.HW = HW, k.eps = eps;
    k.x = x, k.gamma = gamma, k.beta = beta, k.y = y;
    k.rmean_in = running_mean, k.rvar_in = running_var;
    lc_pool_run(p, C, bn_eval_task, &k);
}

BN_CLONES static void bn_bwd_task(void *vctx, int c, int thread)
{
    const norm_ctx *k = vctx;
    const size_t HW = (size_t)k->HW, CHW = (size_t)k->C * HW;
    const double cnt = (double)k->B * (double)HW;
    const float m = k->mean_in[c], is = k->invstd_in[c];
    (void)thread;
    double a[BN_LANES] = {0}, ax[BN_LANES] = {0}; /* lanes of sum(dy), sum(dy xhat) */
    for (int b = 0; b < k->B; b++) {
        const size_t o = (size_t)b * CHW + (size_t)c * HW;
        const float *xp = k->x + o, *dp = k->dy + o, *ry = k->relu_y ? k->relu_y + o : NULL;
        const size_t nx = b + 1 < k->B ? CHW : 0; /* the next sample's planes (see above) */
        size_t i = 0;
        if (ry) { /* dy where the fused ReLU's output is > 0, else +0 (lc_act_backward's mask) */
            for (; i + BN_LANES <= HW; i += BN_LANES) {
                if ((i & 15) == 0) {
                    __builtin_prefetch(xp + nx + i);
                    __builtin_prefetch(dp + nx + i);
                    __builtin_prefetch(ry + nx + i);
                }
                for (int j = 0; j < BN_LANES; j++) {
                    double xh = (double)(xp[i + j] - m) * is;
                    float d = lc_relu_keep(dp[i + j], ry[i + j]);
                    a[j] += d;
                    ax[j] += d * xh;
                }
            }
            for (; i < HW; i++) {
                double xh = (double)(xp[i] - m) * is;
                float d = lc_relu_keep(dp[i], ry[i]);
                a[i % BN_LANES] += d;
                ax[i % BN_LANES] += d * xh;
            }
        }
        for (; i + BN_LANES <= HW; i += BN_LANES) {
            if ((i & 15) == 0) {
                __builtin_prefetch(xp + nx + i);
                __builtin_prefetch(dp + nx + i);
            }
            for (int j = 0; j < BN_LANES; j++) {
                double xh = (double)(xp[i + j] - m) * is;
                a[j] += dp[i + j];
                ax[j] += dp[i + j] * xh;
            }
        }
        for (; i < HW; i++) {
            double xh = (double)(xp[i] - m) * is;
            a[i % BN_LANES] += dp[i];
            ax[i % BN_LANES] += dp[i] * xh;
        }
    }
    double sdy = lanes_sum(a), sdyx = lanes_sum(ax);
    if (k->dbeta)
        k->dbeta[c] = (float)sdy;
    if (k->dgamma)
        k->dgamma[c] = (float)sdyx;
    /* dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)) */
    const double g = (k->gamma ? k->gamma[c] : 1.0f) * (double)is;
    const double mdy = sdy / cnt, mdyx = sdyx / cnt;
    for (int b = 0; b < k->B; b++) {
        const size_t o = (size_t)b * CHW + (size_t)c * HW;
        if (k->relu_y)
            for (size_t i = 0; i < HW; i++) {
                double xh = (double)(k->x[o + i] - m) * is;
                float d = lc_relu_keep(k->dy[o + i], k->relu_y[o + i]);
                k->y[o + i] = (float)(g * (d - mdy - xh * mdyx));
            }
        else
            for (size_t i = 0; i < HW; i++) {
                double xh = (double)(k->x[o + i] - m) * is;
                k->y[o + i] = (float)(g * (k->dy[o + i] - mdy - xh * mdyx));
            }
    }
}

void lc_batchnorm_backward(lc_pool *p, int B, int C, int HW, const float *x, const float *gamma,
                           const float *mean, const float *invstd, const float *dy, float *dx,
                           float *dgamma, float *dbeta)
{
    lc_batchnorm_backward_relu(p, B, C, HW, x, gamma, mean, invstd, dy, NULL, dx, dgamma, dbeta);
}

void lc_batchnorm_backward_relu(lc_pool *p, int B, int C, int HW, const float *x,
                                const float *gamma, const float *mean, const float *invstd,
                                const float *dy, const float *relu_y, float *dx, float *dgamma,
                                float *dbeta)
{
    norm_ctx k = {0};
    k.B = B, k.C = C, k.HW = HW, k.relu_y = relu_y;
    k.x = x, k.gamma = gamma, k.mean_in = mean, k.invstd_in = invstd, k.dy = dy;
    k.y = dx, k.dgamma = dgamma, k.dbeta = dbeta;
    if (HW == 1)
        lc_pool_run(p, (C + BN1_CB - 1) / BN1_CB, bn1_bwd_task, &k);
    else
        lc_pool_run(p, C, bn_bwd_task, &k);
}

/* ---- layer norm ---- */

static void ln_fwd_task(void *vctx, int b, int thread)
{
    const norm_ctx *k = vctx;
    const size_t N = (size_t)k->N;
    const float *xp = k->x + (size_t)b * N; /* (N) */
    float *yp = k->y + (size_t)b * N;       /* (N) */
    (void)thread;
    double s = 0.0, ss = 0.0;
    for (size_t i = 0; i < N; i++)
        s += xp[i];
    double mean = s / (double)N;
    for (size_t i = 0; i < N; i++) {
        double d = xp[i] - mean;
        ss += d * d;
    }
    float m = (float)mean, is = (float)(1.0 / sqrt(ss / (double)N + (double)k->eps));
    k->mean[b] = m;
    k->invstd[b] = is;
    for (size_t i = 0; i < N; i++) {
        float xh = (xp[i] - m) * is;
        yp[i] = (k->gamma ? xh * k->gamma[i] : xh) + (k->beta ? k->beta[i] : 0.0f);
    }
}

void lc_layernorm_forward(lc_pool *p, int B, int N, float eps, const float *x, const float *gamma,
                          const float *beta, float *y, float *mean, float *invstd)
{
    norm_ctx k = {0};
    k.B = B, k.N = N, k.eps = eps;
    k.x = x, k.gamma = gamma, k.beta = beta, k.y = y, k.mean = mean, k.invstd = invstd;
    lc_pool_run(p, B, ln_fwd_task, &k);
}

static void ln_bwd_dx_task(void *vctx, int b, int thread)
{
    const norm_ctx *k = vctx;
    const size_t N = (size_t)k->N;
    const float *xp = k->x + (size_t)b * N, *dyp = k->dy + (size_t)b * N; /* (N) */
    float *dxp = k->y + (size_t)b * N;                                    /* (N) */
    const float m = k->mean_in[b], is = k->invstd_in[b];
    (void)thread;
    /* dxhat = dy * gamma; dx = invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) */
    double s = 0.0, sx = 0.0;
    for (size_t i = 0; i < N; i++) {
        double g = k->gamma ? (double)dyp[i] * k->gamma[i] : dyp[i];
        s += g;
        sx += g * ((double)(xp[i] - m) * is);
    }
    const double ms = s / (double)N, msx = sx / (double)N;
    for (size_t i = 0; i < N; i++) {
        double g = k->gamma ? (double)dyp[i] * k->gamma[i] : dyp[i];
        double xh = (double)(xp[i] - m) * is;
        dxp[i] = (float)(is * (g - ms - xh * msx));
    }
}

static void ln_bwd_param_task(void *vctx, int task, int thread)
{
    const norm_ctx *k = vctx;
    const size_t N = (size_t)k->N;
    size_t lo = (size_t)task * LN_COLS, hi = lo + LN_COLS < N ? lo + LN_COLS : N;
    double sg[LN_COLS] = {0}, sb[LN_COLS] = {0};
    (void)thread;
    for (int b = 0; b < k->B; b++) {
        const float *xp = k->x + (size_t)b * N, *dyp = k->dy + (size_t)b * N;
        const float m = k->mean_in[b], is = k->invstd_in[b];
        for (size_t i = lo; i < hi; i++) {
            sb[i - lo] += dyp[i];
            sg[i - lo] += (double)dyp[i] * ((double)(xp[i] - m) * is);
        }
    }
    for (size_t i = lo; i < hi; i++) {
        if (k->dgamma)
            k->dgamma[i] = (float)sg[i - lo];
        if (k->dbeta)
            k->dbeta[i] = (float)sb[i - lo];
    }
}

void lc_layernorm_backward(lc_pool *p, int B, int N, const float *x, const float *gamma,
                           const float *mean, const float *invstd, const float *dy, float *dx,
                           float *dgamma, float *dbeta)
{
    norm_ctx k = {0};
    k.B = B, k.N = N;
    k.x = x, k.gamma = gamma, k.mean_in = mean, k.invstd_in = invstd, k.dy = dy;
    k.y = dx, k.dgamma = dgamma, k.dbeta = dbeta;
    if (dgamma || dbeta)
        lc_pool_run(p, (N + LN_COLS - 1) / LN_COLS, ln_bwd_param_task, &k);
    lc_pool_run(p, B, ln_bwd_dx_task, &k);
}
