/* test_layers.c - activations, 2-D pooling, dropout, batch/layer norm and softmax cross-entropy:
 * forward values against hand computations, backward against central finite differences of
 * L = sum(w * y) (accumulated in double), and bitwise equality across thread counts. */
#include "check.h"
#include "lc_layers.h"
#include "lc_gemm.h"
#include "lc_mem.h"
#include "lc_pixels.h"
#include "lc_pool.h"
#include "lc_rng.h"

#include <stdlib.h>
#include <string.h>

/* Finite differences on float kernels: step h (FD_H_SMOOTH for smooth layers, FD_H_PIECEWISE
 * where a kink or an argmax switch lies within 0.01), and
 * |num - ana| <= FD_ATOL + FD_RTOL * max(|num|, |ana|). Rounding of the float forward leaves
 * the numeric derivative about ulp(L)/h off (worst seen: ~1e-4 absolute). */
#define FD_H_SMOOTH 1e-2f
#define FD_H_PIECEWISE 2e-3f
#define FD_ATOL 3e-4
#define FD_RTOL 1e-3

static void fill(float *v, size_t n, uint64_t key, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = lo + (hi - lo) * lc_u01f(lc_rng_hash(5, LC_STREAM_TEST, key, i));
}

static double dot(size_t n, const float *w, const float *y)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)w[i] * y[i];
    return s;
}

typedef double (*loss_fn)(void *ctx);

/* checks ana[i] = dL/dv[i] for every i, perturbing v in place (restored afterwards) */
static void fd_check(const char *what, loss_fn f, void *ctx, float h, float *v, size_t n,
                     const float *ana)
{
    int bad = 0;
    double worst = 0.0; /* largest error as a fraction of its tolerance */
    for (size_t i = 0; i < n; i++) {
        float v0 = v[i], vp = v0 + h, vm = v0 - h;
        v[i] = vp;
        double lp = f(ctx);
        v[i] = vm;
        double lm = f(ctx);
        v[i] = v0;
        double num = (lp - lm) / ((double)vp - (double)vm);
        double tol = FD_ATOL + FD_RTOL * fmax(fabs(num), fabs((double)ana[i]));
        double r = fabs(num - ana[i]) / tol;
        if (r > worst || r != r)
            worst = r;
        if (!(r <= 1.0)) {
            if (bad < 3)
                fprintf(stderr, "  %s[%zu]: numeric %.6g analytic %.6g\n", what, i, num, ana[i]);
            bad++;
        }
    }
    if (getenv("LC_TEST_VERBOSE"))
        fprintf(stderr, "  fd %-26s worst error %.3f of tolerance\n", what, worst);
    CHECK_MSG(bad == 0, "%s: %d of %zu gradients off (worst %.3g x tolerance)", what, bad, n,
              worst);
}

/* ---------------- activations ---------------- */

typedef struct {
    lc_act a;
    size_t n;
    float *x, *y, *w;
} act_t;

static double act_loss(void *vc)
{
    act_t *c = vc;
    lc_act_forward(NULL, c->a, c->n, c->x, c->y);
    return dot(c->n, c->w, c->y);
}

static void test_activations(void)
{
    /* hand values */
    const float x[5] = {-2.0f, -0.5f, 0.0f, 0.5f, 3.0f};
    float y[5];
    lc_act_forward(NULL, LC_ACT_RELU, 5, x, y);
    CHECK(y[0] == 0.0f && y[1] == 0.0f && y[2] == 0.0f && y[3] == 0.5f && y[4] == 3.0f);
    lc_act_forward(NULL, LC_ACT_LEAKY_RELU, 5, x, y);
    CHECK_CLOSE(y[0], -0.02, 0, 1e-6);
    CHECK(y[4] == 3.0f);
    lc_act_forward(NULL, LC_ACT_TANH, 5, x, y);
    CHECK_CLOSE(y[1], -0.46211715726, 0, 1e-6);
    lc_act_forward(NULL, LC_ACT_SIGMOID, 5, x, y);
    CHECK_CLOSE(y[0], 0.11920292202, 0, 1e-6);
    CHECK(y[2] == 0.5f);
    lc_act_forward(NULL, LC_ACT_ELU, 5, x, y);
    CHECK_CLOSE(y[0], -0.86466471676, 0, 1e-6);
    CHECK(y[3] == 0.5f);
    lc_act_forward(NULL, LC_ACT_LOG_SIGMOID, 5, x, y);
    CHECK_CLOSE(y[0], -2.12692801104, 0, 1e-6);
    CHECK_CLOSE(y[4], -0.04858735157, 0, 1e-6);
    const float big[4] = {-100.0f, 100.0f, -1e30f, 1e30f};
    lc_act_forward(NULL, LC_ACT_SIGMOID, 4, big, y);
    CHECK(y[0] >= 0.0f && y[0] < 1e-40f && y[1] == 1.0f && y[2] == 0.0f && y[3] == 1.0f);
    lc_act_forward(NULL, LC_ACT_LOG_SIGMOID, 4, big, y);
    CHECK(y[0] == -100.0f && y[1] <= 0.0f && y[1] > -1e-40f && y[2] == -1e30f && y[3] == 0.0f);
    lc_act_forward(NULL, LC_ACT_LINEAR, 5, x, y);
    CHECK(memcmp(x, y, sizeof x) == 0);

    /* gradient checks; |x| >= 0.05 keeps the finite differences off the kinks at 0 */
    enum { N = 64 };
    float xs[N], ys[N], w[N], dx[N], dxa[N];
    fill(xs, N, 1, 0.05f, 3.0f);
    for (int i = 0; i < N; i += 2)
        xs[i] = -xs[i];
    fill(w, N, 2, -1.0f, 1.0f);
    const char *names[] = {"linear", "relu", "tanh", "sigmoid", "elu", "leaky_relu", "log_sigmoid"};
    for (int a = LC_ACT_LINEAR; a <= LC_ACT_LOG_SIGMOID; a++) {
        act_t c = {(lc_act)a, N, xs, ys, w};
        lc_act_forward(NULL, c.a, N, xs, ys);
        lc_act_backward(NULL, c.a, N, xs, ys, w, dx);
        fd_check(names[a], act_loss, &c, FD_H_SMOOTH, xs, N, dx);
        /* in place: y aliases x forward, dx aliases dy backward */
        float xi[N], di[N];
        lc_act_forward(NULL, c.a, N, xs, ys); /* fd_check left ys at a perturbed x */
        memcpy(xi, xs, sizeof xi);
        lc_act_forward(NULL, c.a, N, xi, xi);
        memcpy(di, w, sizeof di);
        lc_act_backward(NULL, c.a, N, xs, ys, di, di);
        memcpy(dxa, dx, sizeof dxa);
        CHECK_MSG(memcmp(xi, ys, sizeof xi) == 0 && memcmp(di, dxa, sizeof di) == 0,
                  "%s in place", names[a]);
    }
}

/* ---------------- pooling ---------------- */

typedef struct {
    lc_pool2d q;
    int B;
    float *x, *y, *w;
} pool_t;

static double pool_loss(void *vc)
{
    pool_t *c = vc;
    int32_t am[4096];
    lc_pool2d_forward(NULL, &c->q, c->B, c->x, c->y, c->q.is_max ? am : NULL);
    return dot((size_t)c->B * c->q.C * c->q.OH * c->q.OW, c->w, c->y);
}

static lc_pool2d mkpool(int C, int H, int W, int K, int s, int pd, int d, int is_max)
{
    lc_pool2d q = {C, H, W, K, K, s, s, pd, pd, d, d, is_max, 0, 0, 0};
    return q;
}

static void test_pooling(void)
{
    /* plan: floor((H + 2p - d(k-1) - 1)/s + 1) */
    lc_pool2d q = mkpool(1, 28, 28, 2, 2, 0, 1, 1);
    CHECK(lc_pool2d_plan(&q) == 0 && q.OH == 14 && q.OW == 14);
    q = mkpool(1, 7, 7, 3, 2, 1, 1, 1);
    CHECK(lc_pool2d_plan(&q) == 0 && q.OH == 4 && q.OW == 4);
    q = mkpool(1, 7, 7, 2, 1, 0, 3, 1);
    CHECK(lc_pool2d_plan(&q) == 0 && q.OH == 4 && q.OW == 4);
    q = mkpool(1, 2, 2, 3, 1, 0, 1, 1);
    CHECK(lc_pool2d_plan(&q) == -1);
    q = mkpool(1, 5, 5, 2, 1, 2, 1, 1); /* padding over half the kernel */
    CHECK(lc_pool2d_plan(&q) == -1);

    /* max 2x2/2 on 4x4, first maximum kept on ties */
    const float x[16] = {1, 5, 2, 2,  /* */
                         5, 3, 2, 0,  /* */
                         -1, -2, 7, 8, /* */
                         -3, -4, 8, 6};
    float y[16];
    int32_t am[16];
    q = mkpool(1, 4, 4, 2, 2, 0, 1, 1);
    lc_pool2d_plan(&q);
    lc_pool2d_forward(NULL, &q, 1, x, y, am);
    CHECK(y[0] == 5 && y[1] == 2 && y[2] == -1 && y[3] == 8);
    CHECK(am[0] == 1 && am[1] == 2 && am[2] == 8 && am[3] == 11);
    float dy[4] = {1, 2, 3, 4}, dx[16];
    lc_pool2d_backward(NULL, &q, 1, dy, am, dx);
    CHECK(dx[1] == 1 && dx[4] == 0 && dx[2] == 2 && dx[8] == 3 && dx[11] == 4 && dx[14] == 0);

    /* max 3x3/2 pad 1: padding is -inf, so an all-negative border window returns a real value */
    const float neg[9] = {-9, -8, -7, -6, -5, -4, -3, -2, -1};
    q = mkpool(1, 3, 3, 3, 2, 1, 1, 1);
    lc_pool2d_plan(&q);
    CHECK(q.OH == 2 && q.OW == 2);
    lc_pool2d_forward(NULL, &q, 1, neg, y, am);
    CHECK(y[0] == -5 && y[1] == -4 && y[2] == -2 && y[3] == -1);
    CHECK(am[0] == 4 && am[3] == 8);

    /* avg 3x3/2 pad 1 counts the padding: corner window sums 4 values over 9 */
    q = mkpool(1, 3, 3, 3, 2, 1, 1, 0);
    lc_pool2d_plan(&q);
    lc_pool2d_forward(NULL, &q, 1, neg, y, NULL);
    CHECK_CLOSE(y[0], (-9 - 8 - 6 - 5) / 9.0, 0, 1e-6);
    CHECK_CLOSE(y[3], (-5 - 4 - 2 - 1) / 9.0, 0, 1e-6);
    float dy2[4] = {9, 0, 0, 0};
    lc_pool2d_backward(NULL, &q, 1, dy2, NULL, dx);
    CHECK(dx[0] == 1 && dx[1] == 1 && dx[3] == 1 && dx[4] == 1 && dx[2] == 0 && dx[8] == 0);

    /* finite differences: distinct values 0.01 apart (a permutation) so that no perturbation of
     * FD_H changes which element is the maximum */
    enum { B = 2, C = 2, H = 7, W = 6 };
    const size_t nin = (size_t)B * C * H * W;
    float xs[B * C * H * W], ys[B * C * 64], w[B * C * 64], dxs[B * C * H * W];
    int32_t perm[B * C * H * W], ams[B * C * 64];
    for (size_t i = 0; i < nin; i++)
        perm[i] = (int32_t)i;
    lc_rng r;
    lc_rng_init(&r, 3, LC_STREAM_TEST, 0);
    lc_rng_shuffle(&r, perm, (int64_t)nin);
    for (size_t i = 0; i < nin; i++)
        xs[i] = (float)perm[i] * 0.01f - 0.8f;
    const int cfg[][4] = {{2, 2, 0, 1}, {3, 2, 1, 1}, {3, 1, 1, 1}, {2, 1, 0, 2}, {3, 3, 1, 1}};
    for (int is_max = 0; is_max <= 1; is_max++) {
        for (size_t k = 0; k < sizeof cfg / sizeof cfg[0]; k++) {
            pool_t c = {mkpool(C, H, W, cfg[k][0], cfg[k][1], cfg[k][2], cfg[k][3], is_max), B,
                        xs, ys, w};
            CHECK(lc_pool2d_plan(&c.q) == 0);
            size_t nout = (size_t)B * C * c.q.OH * c.q.OW;
            CHECK(nout <= B * C * 64);
            fill(w, nout, 10 + k, -1.0f, 1.0f);
            lc_pool2d_forward(NULL, &c.q, B, xs, ys, is_max ? ams : NULL);
            lc_pool2d_backward(NULL, &c.q, B, w, is_max ? ams : NULL, dxs);
            char name[64];
            snprintf(name, sizeof name, "%s pool k%d s%d p%d d%d", is_max ? "max" : "avg",
                     cfg[k][0], cfg[k][1], cfg[k][2], cfg[k][3]);
            fd_check(name, pool_loss, &c, FD_H_PIECEWISE, xs, nin, dxs);
        }
    }
}

/* The max pool's rule, window by window as torch's CPU kernel states it: the taps row by row, left
 * to right; the first maximum; a NaN ends the window (it is the result). */
static void max_pool_ref(const lc_pool2d *q, const float *x, float *y, int32_t *am)
{
    for (int oh = 0; oh < q->OH; oh++)
        for (int ow = 0; ow < q->OW; ow++) {
            float m = -INFINITY;
            int32_t mi = -1;
            int nan = 0;
            for (int kh = 0; kh < q->KH && !nan; kh++)
                for (int kw = 0; kw < q->KW && !nan; kw++) {
                    int ih = oh * q->sh - q->ph + kh * q->dh, iw = ow * q->sw - q->pw + kw * q->dw;
                    if (ih < 0 || ih >= q->H || iw < 0 || iw >= q->W)
                        continue;
                    float v = x[ih * q->W + iw];
                    if (mi < 0 || v > m || isnan(v))
                        mi = ih * q->W + iw;
                    if (v > m || isnan(v))
                        m = v;
                    nan = isnan(v);
                }
            y[oh * q->OW + ow] = m;
            am[oh * q->OW + ow] = mi;
        }
}

/* The max pool's vectorised runs (windows inside the image's columns, up to 128 columns a run;
 * at column stride 2 each ISA's row passes, lc_pool_isa.h) against the rule above, bit for bit,
 * on rows of few distinct values (ties everywhere), -inf and NaN, under every ISA this machine
 * runs; and with no argmax (evaluation) the same values, and lc_pool2d_forward_relu the bits of
 * the ReLU and the pool. Rectangular windows: kh x kw. */
static void test_max_pool_runs(void)
{
    enum { H = 9, W = 301 };
    static float x[H * W], xr[H * W], y[H * W], yr[H * W], y2[H * W];
    static int32_t am[H * W], amr[H * W];
    const float vals[] = {0.0f, 1.0f, -0.0f, 2.0f, -1.0f, 2.0f, -INFINITY, NAN};
    lc_rng r;
    lc_rng_init(&r, 11, LC_STREAM_TEST, 0);
    for (int i = 0; i < H * W; i++) {
        uint64_t u = lc_rng_next(&r);
        /* NaN rarely, so that most windows have none */
        x[i] = vals[u % 64 == 0 ? 7 : (u >> 8) % 7];
    }
    /* kh, kw, stride, pad, dilation, width */
    const int cfg[][6] = {{3, 3, 2, 1, 1, W}, {2, 2, 2, 0, 1, W}, {3, 3, 1, 1, 1, W},
                          {3, 3, 1, 0, 2, W}, {2, 2, 3, 1, 1, W}, {1, 1, 2, 0, 1, W},
                          {4, 5, 2, 2, 1, W}, {2, 7, 2, 1, 1, W}, {3, 3, 2, 1, 1, 34},
                          {3, 3, 2, 1, 1, 35}, {3, 3, 2, 1, 1, 17}, {3, 3, 2, 1, 1, 3},
                          {5, 3, 2, 1, 1, 40}, {3, 2, 2, 0, 1, 48}};
    const lc_isa isas[] = {LC_ISA_REF, LC_ISA_AVX2, LC_ISA_AVX512}, was = lc_gemm_isa();
    for (int ii = 0; ii < 3; ii++) {
        if (lc_gemm_force_isa(isas[ii]) != 0)
            continue; /* not on this machine */
        for (size_t k = 0; k < sizeof cfg / sizeof cfg[0]; k++) {
            const int *g = cfg[k], w = g[5];
            lc_pool2d q = {1, H, w, g[0], g[1], g[2], g[2], g[3], g[3], g[4], g[4], 1, 0, 0, 0};
            CHECK(lc_pool2d_plan(&q) == 0);
            int n = q.OH * q.OW, bad = 0;
            lc_pool2d_forward(NULL, &q, 1, x, y, am);
            lc_pool2d_forward(NULL, &q, 1, x, y2, NULL);
            max_pool_ref(&q, x, yr, amr);
            for (int i = 0; i < n; i++)
                bad += memcmp(&y[i], &yr[i], sizeof(float)) != 0 || am[i] != amr[i] ||
                       memcmp(&y2[i], &yr[i], sizeof(float)) != 0;
            /* the ReLU and the pool in one pass: the two layers' bits */
            lc_act_forward(NULL, LC_ACT_RELU, (size_t)H * w, x, xr);
            lc_pool2d_forward(NULL, &q, 1, xr, yr, NULL);
            lc_pool2d_forward_relu(NULL, &q, 1, x, y2);
            for (int i = 0; i < n; i++)
                bad += memcmp(&y2[i], &yr[i], sizeof(float)) != 0;
            if (bad)
                fprintf(stderr,
                        "max pool isa %d k%dx%d s%d p%d d%d width %d: %d of %d outputs differ "
                        "from the rule\n",
                        (int)isas[ii], g[0], g[1], g[2], g[3], g[4], w, bad, n);
            CHECK(bad == 0);
        }
    }
    lc_gemm_force_isa(was);
}

/* ---------------- dropout ---------------- */

typedef struct {
    int B;
    size_t n;
    float rate, *x, *y, *w;
    uint8_t *mask;
} drop_t;

static double drop_loss(void *vc)
{
    drop_t *c = vc;
    lc_dropout_forward(NULL, c->B, c->n, c->rate, 42, 3, 17, c->x, c->y, c->mask);
    return dot((size_t)c->B * c->n, c->w, c->y);
}

static void test_dropout(void)
{
    enum { B = 4, N = 5000 };
    static float x[B * N], y[B * N], y2[B * N], w[B * N], dx[B * N];
    static uint8_t m[B * N], m2[B * N];
    fill(x, B * N, 20, -1.0f, 1.0f);
    const float rate = 0.3f, scale = 1.0f / 0.7f;
    lc_dropout_forward(NULL, B, N, rate, 42, 3, 17, x, y, m);
    size_t kept = 0;
    int ok = 1;
    for (size_t i = 0; i < (size_t)B * N; i++) {
        kept += m[i];
        ok &= m[i] <= 1 && y[i] == (m[i] ? x[i] * scale : 0.0f);
    }
    CHECK(ok);
    CHECK_MSG(fabs((double)kept / (B * N) - 0.7) < 0.015, "kept fraction %.4f",
              (double)kept / (B * N));
    /* the mask is a pure function of (seed, layer, step, b, i) */
    uint64_t k2 = lc_rng_hash(42, LC_STREAM_DROPOUT, (3ull << 32) | 17, 2);
    uint64_t h = lc_splitmix_at(k2, 61); /* elements 122 (low half) and 123 (high half) */
    uint32_t thr = (uint32_t)((double)rate * 4294967296.0 + 0.5);
    CHECK(m[2 * N + 122] == ((uint32_t)h >= thr));
    CHECK(m[2 * N + 123] == ((uint32_t)(h >> 32) >= thr));
    lc_dropout_forward(NULL, B, N, rate, 42, 3, 17, x, y2, m2);
    CHECK(memcmp(m, m2, sizeof m) == 0 && memcmp(y, y2, sizeof y) == 0);
    /* a different step, layer or seed gives a different mask, about 42% of elements differing */
    const uint64_t other[3][3] = {{42, 3, 18}, {42, 4, 17}, {43, 3, 17}};
    for (int k = 0; k < 3; k++) {
        lc_dropout_forward(NULL, B, N, rate, other[k][0], other[k][1], other[k][2], x, y2, m2);
        size_t diff = 0;
        for (size_t i = 0; i < (size_t)B * N; i++)
            diff += m[i] != m2[i];
        CHECK_MSG(diff > B * N / 3 && diff < B * N / 2, "mask variant %d differs in %zu", k, diff);
    }
    /* samples are not copies of each other */
    CHECK(memcmp(m, m + N, N) != 0);
    /* rate 0: copy, mask 1; rate 1: zeros */
    lc_dropout_forward(NULL, B, N, 0.0f, 42, 3, 17, x, y2, m2);
    CHECK(memcmp(x, y2, sizeof x) == 0 && m2[0] == 1 && m2[B * N - 1] == 1);
    lc_dropout_backward(NULL, B, N, 0.0f, m2, x, y2);
    CHECK(memcmp(x, y2, sizeof x) == 0);
    lc_dropout_forward(NULL, B, N, 1.0f, 42, 3, 17, x, y2, m2);
    CHECK(y2[0] == 0.0f && m2[0] == 0 && y2[B * N - 1] == 0.0f);

    /* backward applies the same mask and scale: finite differences on a small batch */
    enum { SB = 2, SN = 40 };
    drop_t c = {SB, SN, 0.4f, x, y, w, m};
    fill(w, SB * SN, 21, -1.0f, 1.0f);
    lc_dropout_forward(NULL, SB, SN, c.rate, 42, 3, 17, x, y, m);
    lc_dropout_backward(NULL, SB, SN, c.rate, m, w, dx);
    fd_check("dropout", drop_loss, &c, FD_H_PIECEWISE, x, SB * SN, dx);
    /* in place */
    memcpy(y2, w, SB * SN * sizeof(float));
    lc_dropout_backward(NULL, SB, SN, c.rate, m, y2, y2);
    CHECK(memcmp(y2, dx, SB * SN * sizeof(float)) == 0);
}

/* ---------------- normalisation ---------------- */

typedef struct {
    int B, C, HW;
    float *x, *gamma, *beta, *y, *w, *mean, *invstd;
} norm_t;

static double bn_loss(void *vc)
{
    norm_t *c = vc;
    lc_batchnorm_forward_train(NULL, c->B, c->C, c->HW, 1e-5f, 0.1f, c->x, c->gamma, c->beta,
                               c->y, c->mean, c->invstd, NULL, NULL);
    return dot((size_t)c->B * c->C * c->HW, c->w, c->y);
}

static double ln_loss(void *vc)
{
    norm_t *c = vc;
    lc_layernorm_forward(NULL, c->B, c->C, 1e-5f, c->x, c->gamma, c->beta, c->y, c->mean,
                         c->invstd);
    return dot((size_t)c->B * c->C, c->w, c->y);
}

static void test_batchnorm(void)
{
    /* hand values: B=2, C=2, HW=2; channel 0 holds {1,2,3,4}, channel 1 holds {5,5,5,9} */
    const float x[8] = {1, 2, 5, 5, 3, 4, 5, 9};
    const float g[2] = {2.0f, 1.0f}, bt[2] = {0.5f, -1.0f};
    float y[8], mean[2], invstd[2], rm[2] = {0.0f, 1.0f}, rv[2] = {1.0f, 2.0f};
    lc_batchnorm_forward_train(NULL, 2, 2, 2, 1e-5f, 0.1f, x, g, bt, y, mean, invstd, rm, rv);
    CHECK(mean[0] == 2.5f && mean[1] == 6.0f);
    CHECK_CLOSE(invstd[0], 1.0 / sqrt(1.25 + 1e-5), 0, 1e-6);
    CHECK_CLOSE(invstd[1], 1.0 / sqrt(3.0 + 1e-5), 0, 1e-6);
    CHECK_CLOSE(y[0], 2.0 * (1 - 2.5) / sqrt(1.25 + 1e-5) + 0.5, 0, 1e-6);
    CHECK_CLOSE(y[7], (9 - 6.0) / sqrt(3.0 + 1e-5) - 1.0, 0, 1e-6);
    /* running stats use the unbiased variance: 1.25 * 4/3, 3 * 4/3 */
    CHECK_CLOSE(rm[0], 0.25, 0, 1e-6);
    CHECK_CLOSE(rm[1], 0.9 + 0.6, 0, 1e-6);
    CHECK_CLOSE(rv[0], 0.9 + 0.1 * (5.0 / 3.0), 0, 1e-6);
    CHECK_CLOSE(rv[1], 1.8 + 0.1 * 4.0, 0, 1e-6);
    /* eval uses the running stats */
    lc_batchnorm_forward_eval(NULL, 2, 2, 2, 1e-5f, x, g, bt, rm, rv, y);
    CHECK_CLOSE(y[0], 2.0 * (1 - rm[0]) / sqrt(rv[0] + 1e-5) + 0.5, 0, 1e-6);
    CHECK_CLOSE(y[3], (5 - rm[1]) / sqrt(rv[1] + 1e-5) - 1.0, 0, 1e-6);
    /* no affine parameters */
    lc_batchnorm_forward_train(NULL, 2, 2, 2, 1e-5f, 0.1f, x, NULL, NULL, y, mean, invstd, NULL,
                               NULL);
    CHECK_CLOSE(y[0], (1 - 2.5) / sqrt(1.25 + 1e-5), 0, 1e-6);

    /* finite differences, BatchNorm2d (HW = 6) and BatchNorm1d (HW = 1) */
    const int shapes[2][3] = {{3, 4, 6}, {5, 7, 1}};
    for (int s = 0; s < 2; s++) {
        int B = shapes[s][0], C = shapes[s][1], HW = shapes[s][2];
        size_t n = (size_t)B * C * HW;
        float xs[128], ys[128], w[128], dx[128], gs[8], bs[8], dg[8], db[8], ms[8], is[8];
        fill(xs, n, 30 + s, -2.0f, 3.0f);
        fill(w, n, 40 + s, -1.0f, 1.0f);
        fill(gs, C, 50 + s, 0.5f, 1.5f);
        fill(bs, C, 60 + s, -0.5f, 0.5f);
        norm_t c = {B, C, HW, xs, gs, bs, ys, w, ms, is};
        bn_loss(&c);
        lc_batchnorm_backward(NULL, B, C, HW, xs, gs, ms, is, w, dx, dg, db);
        const char *tag = s ? "batchnorm1d" : "batchnorm2d";
        char name[64];
        snprintf(name, sizeof name, "%s dx", tag);
        fd_check(name, bn_loss, &c, FD_H_SMOOTH, xs, n, dx);
        snprintf(name, sizeof name, "%s dgamma", tag);
        fd_check(name, bn_loss, &c, FD_H_SMOOTH, gs, (size_t)C, dg);
        snprintf(name, sizeof name, "%s dbeta", tag);
        fd_check(name, bn_loss, &c, FD_H_SMOOTH, bs, (size_t)C, db);
    }
}

static void test_layernorm(void)
{
    const float x[6] = {1, 2, 3, 10, 10, 13};
    const float g[3] = {1.0f, 2.0f, 0.5f}, bt[3] = {0.0f, 1.0f, -1.0f};
    float y[6], mean[2], invstd[2];
    lc_layernorm_forward(NULL, 2, 3, 1e-5f, x, g, bt, y, mean, invstd);
    CHECK(mean[0] == 2.0f && mean[1] == 11.0f);
    CHECK_CLOSE(invstd[0], 1.0 / sqrt(2.0 / 3.0 + 1e-5), 0, 1e-6);
    CHECK_CLOSE(y[0], -1.0 / sqrt(2.0 / 3.0 + 1e-5), 0, 1e-6);
    CHECK_CLOSE(y[1], 1.0, 0, 1e-6);
    CHECK_CLOSE(y[5], 0.5 * 2.0 / sqrt(2.0 + 1e-5) - 1.0, 0, 1e-6);

    enum { B = 4, N = 300 }; /* N > 256: two dgamma/dbeta blocks */
    static float xs[B * N], ys[B * N], w[B * N], dx[B * N], gs[N], bs[N], dg[N], db[N];
    float ms[B], is[B];
    fill(xs, B * N, 70, -2.0f, 3.0f);
    fill(w, B * N, 71, -1.0f, 1.0f);
    fill(gs, N, 72, 0.5f, 1.5f);
    fill(bs, N, 73, -0.5f, 0.5f);
    norm_t c = {B, N, 1, xs, gs, bs, ys, w, ms, is};
    ln_loss(&c);
    lc_layernorm_backward(NULL, B, N, xs, gs, ms, is, w, dx, dg, db);
    fd_check("layernorm dx", ln_loss, &c, FD_H_SMOOTH, xs, 2 * N, dx); /* two samples are enough */
    fd_check("layernorm dgamma", ln_loss, &c, FD_H_SMOOTH, gs, N, dg);
    fd_check("layernorm dbeta", ln_loss, &c, FD_H_SMOOTH, bs, N, db);
}

/* ---------------- softmax cross-entropy ---------------- */

typedef struct {
    int B, C;
    float *z, *p;
    const int32_t *lab;
} xent_t;

static double xent_loss(void *vc)
{
    xent_t *c = vc;
    return lc_softmax_xent_forward(c->B, c->C, c->z, c->lab, c->p, NULL);
}

static void test_xent(void)
{
    const float z[6] = {1, 2, 3, 1000, 0, -1000};
    const int32_t lab[2] = {2, 1};
    float p[6], loss[2];
    double mean = lc_softmax_xent_forward(2, 3, z, lab, p, loss);
    CHECK_CLOSE(loss[0], 0.40760596444, 0, 1e-6);
    CHECK_CLOSE(p[0], 0.09003057317, 0, 1e-6);
    CHECK_CLOSE(p[2], 0.66524095725, 0, 1e-6);
    CHECK(loss[1] == 1000.0f && p[3] == 1.0f && p[4] == 0.0f); /* stable for huge logits */
    CHECK_CLOSE(mean, (0.40760596444 + 1000.0) / 2, 0, 1e-9);
    float d[6];
    lc_softmax_xent_backward(2, 3, p, lab, 0.5f, d);
    CHECK_CLOSE(d[2], 0.5 * (0.66524095725 - 1.0), 0, 1e-6);
    CHECK(d[4] == -0.5f);

    enum { B = 5, C = 10 };
    float zs[B * C], ps[B * C], ds[B * C];
    int32_t labs[B] = {0, 9, 3, 3, 7};
    fill(zs, B * C, 80, -4.0f, 4.0f);
    xent_t c = {B, C, zs, ps, labs};
    xent_loss(&c);
    lc_softmax_xent_backward(B, C, ps, labs, 1.0f / B, ds);
    fd_check("softmax xent", xent_loss, &c, FD_H_SMOOTH, zs, B * C, ds);
}

/* ---------------- ReLU fused into batch norm and residual adds ---------------- */

/* The fused passes give the same bits as the layers run one after the other (batch norm or add,
 * then lc_act_forward's ReLU; lc_act_backward's ReLU, then batch norm's backward or the add's
 * copies), on 1 and 3 threads, with zeros, -0, NaN and values that normalize to 0 in the input. */
static void test_relu_fusion(void)
{
    enum { B = 3, C = 5, HW = 37, N = B * C * HW };
    lc_pool *p3 = lc_pool_create(3);
    float *x = lc_alloc(N, 4), *x2 = lc_alloc(N, 4), *dy = lc_alloc(N, 4), *z = lc_alloc(N, 4);
    float *y = lc_alloc(N, 4), *yf = lc_alloc(N, 4), *dz = lc_alloc(N, 4), *dx = lc_alloc(N, 4);
    float *dxf = lc_alloc(N, 4), *d0 = lc_alloc(N, 4), *d1 = lc_alloc(N, 4), *e0 = lc_alloc(N, 4);
    float *e1 = lc_alloc(N, 4), st[8 * C], g[2 * C];
    CHECK(p3 && x && x2 && dy && z && y && yf && dz && dx && dxf && d0 && d1 && e0 && e1);
    if (!(p3 && x && x2 && dy && z && y && yf && dz && dx && dxf && d0 && d1 && e0 && e1))
        goto out;
    fill(x, N, 300, -2.0f, 2.0f);
    fill(x2, N, 301, -2.0f, 2.0f);
    fill(dy, N, 302, -1.0f, 1.0f);
    fill(g, 2 * C, 303, 0.5f, 1.5f);
    x[7] = 0.0f, x[8] = -0.0f, x2[9] = NAN, x[10] = -x2[10];
    for (int t = 0; t < 2; t++) {
        lc_pool *p = t ? p3 : NULL;
        /* batch norm then ReLU, and the fused pass */
        lc_batchnorm_forward_train_rec(p, B, C, HW, 1e-5f, 0.1f, x, g, g + C, z, st, st + C,
                                       NULL, NULL, NULL, 0);
        lc_act_forward(p, LC_ACT_RELU, N, z, y);
        lc_batchnorm_forward_train_rec(p, B, C, HW, 1e-5f, 0.1f, x, g, g + C, yf, st + 2 * C,
                                       st + 3 * C, NULL, NULL, NULL, 1);
        CHECK(memcmp(y, yf, N * sizeof(float)) == 0);
        CHECK(memcmp(st, st + 2 * C, 2 * C * sizeof(float)) == 0);
        lc_act_backward(p, LC_ACT_RELU, N, z, y, dy, dz);
        lc_batchnorm_backward(p, B, C, HW, x, g, st, st + C, dz, dx, st + 4 * C, st + 5 * C);
        lc_batchnorm_backward_relu(p, B, C, HW, x, g, st, st + C, dy, yf, dxf, st + 6 * C,
                                   st + 7 * C);
        CHECK(memcmp(dx, dxf, N * sizeof(float)) == 0);
        CHECK(memcmp(st + 4 * C, st + 6 * C, 2 * C * sizeof(float)) == 0);
        /* the same for BatchNorm1d's rows (HW 1) */
        lc_batchnorm_forward_train_rec(p, B * HW, C, 1, 1e-5f, 0.1f, x, g, g + C, z, st, st + C,
                                       NULL, NULL, NULL, 0);
        lc_act_forward(p, LC_ACT_RELU, N, z, y);
        lc_batchnorm_forward_train_rec(p, B * HW, C, 1, 1e-5f, 0.1f, x, g, g + C, yf, st, st + C,
                                       NULL, NULL, NULL, 1);
        CHECK(memcmp(y, yf, N * sizeof(float)) == 0);
        lc_act_backward(p, LC_ACT_RELU, N, z, y, dy, dz);
        lc_batchnorm_backward(p, B * HW, C, 1, x, g, st, st + C, dz, dx, st + 4 * C, st + 5 * C);
        lc_batchnorm_backward_relu(p, B * HW, C, 1, x, g, st, st + C, dy, yf, dxf, st + 6 * C,
                                   st + 7 * C);
        CHECK(memcmp(dx, dxf, N * sizeof(float)) == 0);
        CHECK(memcmp(st + 4 * C, st + 6 * C, 2 * C * sizeof(float)) == 0);
        /* add then ReLU */
        for (int i = 0; i < N; i++)
            z[i] = x[i] + x2[i];
        lc_act_forward(p, LC_ACT_RELU, N, z, y);
        lc_add_forward(p, N, x, x2, yf, 1);
        CHECK(memcmp(y, yf, N * sizeof(float)) == 0);
        CHECK(yf[9] == 0.0f && yf[10] == 0.0f && !signbit(yf[10]) && !signbit(yf[8]));
        lc_add_forward(p, N, x, x2, yf, 0);
        CHECK(memcmp(z, yf, N * sizeof(float)) == 0);
        /* its backward: d0 written, d1 added to (a source with two readers) */
        lc_act_backward(p, LC_ACT_RELU, N, z, y, dy, dz);
        fill(d1, N, 304, -1.0f, 1.0f);
        memcpy(e1, d1, N * sizeof(float));
        for (int i = 0; i < N; i++)
            e1[i] += dz[i];
        lc_add_backward(p, N, dy, y, d0, 0, d1, 1);
        CHECK(memcmp(d0, dz, N * sizeof(float)) == 0);
        CHECK(memcmp(d1, e1, N * sizeof(float)) == 0);
        lc_add_backward(p, N, dy, NULL, e0, 0, NULL, 0);
        CHECK(memcmp(e0, dy, N * sizeof(float)) == 0);
    }
out:
    float *f[] = {x, x2, dy, z, y, yf, dz, dx, dxf, d0, d1, e0, e1};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        lc_free(f[i]);
    lc_pool_destroy(p3);
}

/* ---------------- thread-count determinism ---------------- */

typedef struct {
    float *act_y, *act_dx, *pool_y, *pool_dx, *avg_y, *avg_dx, *drop_y, *drop_dx;
    float *bn_y, *bn_dx, *bn_st, *ln_y, *ln_dx, *ln_st;
    int32_t *am;
    uint8_t *mask;
} outs;

enum { DB = 8, DC = 6, DH = 30, DW = 30, DN = DB * DC * DH * DW, LN_N = 700 };

static int alloc_outs(outs *o)
{
    float **f[] = {&o->act_y, &o->act_dx, &o->pool_y, &o->pool_dx, &o->avg_y, &o->avg_dx,
                   &o->drop_y, &o->drop_dx, &o->bn_y, &o->bn_dx, &o->ln_y, &o->ln_dx};
    int ok = 1;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        ok &= (*f[i] = lc_alloc(DN, sizeof(float))) != NULL;
    ok &= (o->bn_st = lc_alloc(6 * DC, sizeof(float))) != NULL;
    ok &= (o->ln_st = lc_alloc(4 * LN_N, sizeof(float))) != NULL;
    ok &= (o->am = lc_alloc(DN, sizeof(int32_t))) != NULL;
    ok &= (o->mask = lc_alloc(DN, 1)) != NULL;
    return ok;
}

static void free_outs(outs *o)
{
    float *f[] = {o->act_y, o->act_dx, o->pool_y, o->pool_dx, o->avg_y, o->avg_dx, o->drop_y,
                  o->drop_dx, o->bn_y, o->bn_dx, o->ln_y, o->ln_dx, o->bn_st, o->ln_st};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        lc_free(f[i]);
    lc_free(o->am);
    lc_free(o->mask);
}

static void run_all(lc_pool *p, const float *x, const float *dy, outs *o)
{
    lc_act_forward(p, LC_ACT_ELU, DN, x, o->act_y);
    lc_act_backward(p, LC_ACT_ELU, DN, x, o->act_y, dy, o->act_dx);
    lc_pool2d q = mkpool(DC, DH, DW, 3, 2, 1, 1, 1);
    lc_pool2d_plan(&q);
    lc_pool2d_forward(p, &q, DB, x, o->pool_y, o->am);
    lc_pool2d_backward(p, &q, DB, dy, o->am, o->pool_dx);
    q.is_max = 0;
    lc_pool2d_forward(p, &q, DB, x, o->avg_y, NULL);
    lc_pool2d_backward(p, &q, DB, dy, NULL, o->avg_dx);
    lc_dropout_forward(p, DB, DN / DB, 0.25f, 42, 1, 5, x, o->drop_y, o->mask);
    lc_dropout_backward(p, DB, DN / DB, 0.25f, o->mask, dy, o->drop_dx);
    float *st = o->bn_st; /* mean, invstd, running mean, running var, dgamma, dbeta */
    for (int c = 0; c < DC; c++)
        st[2 * DC + c] = 0.0f, st[3 * DC + c] = 1.0f;
    lc_batchnorm_forward_train(p, DB, DC, DH * DW, 1e-5f, 0.1f, x, dy, dy + DC, o->bn_y, st,
                               st + DC, st + 2 * DC, st + 3 * DC);
    lc_batchnorm_backward(p, DB, DC, DH * DW, x, dy, st, st + DC, dy, o->bn_dx, st + 4 * DC,
                          st + 5 * DC);
    int LB = DN / LN_N;
    float *ls = o->ln_st; /* mean (LB), invstd (LB), dgamma (N), dbeta (N) */
    lc_layernorm_forward(p, LB, LN_N, 1e-5f, x, dy, dy + LN_N, o->ln_y, ls, ls + LB);
    lc_layernorm_backward(p, LB, LN_N, x, dy, ls, ls + LB, dy, o->ln_dx, ls + 2 * LB,
                          ls + 2 * LB + LN_N);
}

static int same_outs(const outs *a, const outs *b)
{
    int ok = 1;
    const float *fa[] = {a->act_y, a->act_dx, a->pool_y, a->pool_dx, a->avg_y, a->avg_dx,
                         a->drop_y, a->drop_dx, a->bn_y, a->bn_dx, a->ln_y, a->ln_dx};
    const float *fb[] = {b->act_y, b->act_dx, b->pool_y, b->pool_dx, b->avg_y, b->avg_dx,
                         b->drop_y, b->drop_dx, b->bn_y, b->bn_dx, b->ln_y, b->ln_dx};
    for (size_t i = 0; i < sizeof fa / sizeof fa[0]; i++)
        ok &= memcmp(fa[i], fb[i], DN * sizeof(float)) == 0;
    ok &= memcmp(a->bn_st, b->bn_st, 6 * DC * sizeof(float)) == 0;
    ok &= memcmp(a->ln_st, b->ln_st, 4 * LN_N * sizeof(float)) == 0;
    ok &= memcmp(a->am, b->am, DN * sizeof(int32_t)) == 0;
    ok &= memcmp(a->mask, b->mask, DN) == 0;
    return ok;
}

static void test_threads(void)
{
    outs ref, got;
    float *x = lc_alloc(DN, sizeof(float)), *dy = lc_alloc(DN, sizeof(float));
    int ok = x && dy && alloc_outs(&ref) && alloc_outs(&got);
    CHECK(ok);
    if (!ok)
        return;
    fill(x, DN, 90, -3.0f, 3.0f);
    fill(dy, DN, 91, -1.0f, 1.0f);
    run_all(NULL, x, dy, &ref);
    const int nts[] = {1, 2, 3, 16};
    for (int k = 0; k < 4; k++) {
        lc_pool *p = lc_pool_create(nts[k]);
        CHECK(p != NULL);
        memset(got.bn_st, 0, 6 * DC * sizeof(float));
        run_all(p, x, dy, &got);
        CHECK_MSG(same_outs(&ref, &got), "layer outputs differ with %d threads", nts[k]);
        lc_pool_destroy(p);
    }
    free_outs(&ref);
    free_outs(&got);
    lc_free(x);
    lc_free(dy);
}

/* 8-bit pixels to [0, 1]: every byte value, lengths around the vector width, under every ISA:
 * the same bits as (float)p / 255.0f */
static void test_pixels(void)
{
    static const lc_isa isas[] = {LC_ISA_REF, LC_ISA_AVX2, LC_ISA_AVX512};
    unsigned char src[300];
    float dst[301];
    for (int i = 0; i < 300; i++)
        src[i] = (unsigned char)((i * 7 + 3) % 256);
    for (size_t s = 0; s < sizeof isas / sizeof *isas; s++) {
        if (lc_gemm_force_isa(isas[s]) != 0)
            continue;
        static const size_t lens[] = {0, 1, 15, 16, 17, 256, 299};
        for (size_t l = 0; l < sizeof lens / sizeof *lens; l++) {
            size_t n = lens[l], bad = 0;
            for (size_t i = 0; i <= n; i++)
                dst[i] = -1.0f;
            lc_pixels_to_unit(src, dst, n);
            for (size_t i = 0; i < n; i++) {
                float want = (float)src[i] / 255.0f;
                bad += memcmp(&dst[i], &want, sizeof want) != 0;
            }
            CHECK_MSG(bad == 0 && dst[n] == -1.0f, "pixels under %s, n %zu: %zu wrong%s",
                      lc_isa_name(isas[s]), n, bad, dst[n] == -1.0f ? "" : ", wrote past n");
        }
    }
    lc_gemm_force_isa(lc_gemm_isa());
}

int main(void)
{
    test_pixels();
    test_activations();
    test_pooling();
    test_max_pool_runs();
    test_dropout();
    test_batchnorm();
    test_layernorm();
    test_xent();
    test_relu_fusion();
    test_threads();
    return check_exit("test_layers");
}
