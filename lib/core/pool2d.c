/* pool2d.c - 2-D max and average pooling (NCHW, floor mode) forward and backward, on the pool.
 * One task per (b, c) plane, so every output and every input gradient is written by one task in a
 * fixed order. Max pooling treats padding as -inf and keeps the first maximum (strict >), as torch
 * does; average pooling divides by KH*KW (padding counted, torch's count_include_pad=True);
 * adaptive average pooling (torch's AdaptiveAvgPool2d) by each window's own size.
 * Validating the settings against the user's config is left to the model planner. */
#include "lc_conv.h"
#include "lc_gemm.h"
#include "lc_layers.h"
#include "lc_pool_isa.h"

#include <math.h>
#include <string.h>

int lc_pool2d_plan(lc_pool2d *q)
{
    q->OH = q->OW = 0;
    if (q->adaptive) {
        if (q->C < 1 || q->H < 1 || q->W < 1 || q->KH < 1 || q->KW < 1 || q->is_max)
            return -1;
        q->OH = q->KH;
        q->OW = q->KW;
        return 0;
    }
    if (q->C < 1 || q->H < 1 || q->W < 1 || q->KH < 1 || q->KW < 1 || q->sh < 1 || q->sw < 1 ||
        q->ph < 0 || q->pw < 0 || q->dh < 1 || q->dw < 1)
        return -1;
    /* every window must hold at least one real input (torch requires pad <= kernel/2) */
    if (2 * q->ph > q->KH || 2 * q->pw > q->KW)
        return -1;
    long nh = (long)q->H + 2L * q->ph - (long)q->dh * (q->KH - 1) - 1;
    long nw = (long)q->W + 2L * q->pw - (long)q->dw * (q->KW - 1) - 1;
    if (nh < 0 || nw < 0)
        return -1;
    q->OH = (int)(nh / q->sh + 1);
    q->OW = (int)(nw / q->sw + 1);
    return 0;
}

typedef struct {
    const lc_pool2d *q;
    const float *x, *dy;
    float *y, *dx;
    int32_t *argmax;
    const int32_t *argmax_in;
    int relu; /* max pooling of the inputs' ReLU (lc_pool2d_forward_relu) */
    int planes, per; /* B C planes, per task (planes_per_task) */
} pool_ctx;

/* The tasks' loops are built for AVX-512, AVX2 and the baseline, chosen once at load time (GCC's
 * target_clones); every clone takes the same taps in the same order, so the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define POOL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define POOL_CLONES
#endif

enum { MAXRUN = 128 }; /* output columns of an interior run */

/* lc_act_forward's ReLU: x > 0 ? x : +0 (a NaN gives +0) */
static inline float relu_of(float v)
{
    return v > 0.0f ? v : 0.0f;
}

/* Output columns [a, a + n) of one output row whose windows lie inside the image's columns, n <=
 * MAXRUN; rows[] the window's input rows inside the image (their offsets in x, top to bottom).
 * The taps are visited in the scalar loop's order (row by row, left to right) with its rule
 * (the first maximum, a NaN kept once met), one column per vector lane. */
POOL_CLONES
static void max_run(const lc_pool2d *q, const float *x, const int *rows, int nrows, int a, int n,
                    float *restrict y, int32_t *restrict am, int relu)
{
    float m[MAXRUN];
    int32_t mi[MAXRUN];
    const int sw = q->sw, KW = q->KW, dw = q->dw, c0 = a * sw - q->pw;
    for (int r = 0; r < nrows; r++)
        for (int kw = 0; kw < KW; kw++) {
            const int off = rows[r] + c0 + kw * dw;
            const float *restrict xr = x + off;
            if (r == 0 && kw == 0) {
                for (int j = 0; j < n; j++) {
                    m[j] = relu ? relu_of(xr[j * sw]) : xr[j * sw];
                    mi[j] = off + j * sw;
                }
                continue;
            }
            for (int j = 0; j < n; j++) {
                float v = relu ? relu_of(xr[j * sw]) : xr[j * sw], cur = m[j];
                int take = v > cur || (v != v && cur == cur);
                m[j] = take ? v : cur;
                mi[j] = take ? off + j * sw : mi[j];
            }
        }
    for (int j = 0; j < n; j++)
        y[j] = m[j];
    if (am)
        for (int j = 0; j < n; j++)
            am[j] = mi[j];
}

/* The interior output columns [ia, ib) of every output row of a plane when the pool has column
 * stride 2, dilation 1, at most S2ROWS window rows and the ISA has row passes (lc_pool_isa.h):
 * in blocks of up to MAXRUN columns, each input row reduced once (kept while the next output
 * row's window still reads it), then each output's window rows. Returns 0 where it does not
 * apply. */
enum { S2ROWS = 4 };

static int s2_runs(const lc_pool2d *q, const float *x, int ia, int ib, float *y, int32_t *am,
                   int relu)
{
    const lc_isa isa = lc_gemm_isa();
    if (q->sw != 2 || q->dw != 1 || q->KH > S2ROWS || isa == LC_ISA_REF)
        return 0;
    float hv[S2ROWS][MAXRUN];
    int32_t hi[S2ROWS][MAXRUN];
    for (int a = ia; a < ib; a += MAXRUN) {
        const int n = ib - a < MAXRUN ? ib - a : MAXRUN, c0 = a * 2 - q->pw;
        int tag[S2ROWS] = {-1, -1, -1, -1}; /* the input row each slot holds */
        for (int oh = 0; oh < q->OH; oh++) {
            const float *hr[S2ROWS];
            const int32_t *ir[S2ROWS];
            int nrows = 0;
            for (int kh = 0; kh < q->KH; kh++) {
                int ih = oh * q->sh - q->ph + kh * q->dh, sl = ih % q->KH;
                if (ih < 0 || ih >= q->H)
                    continue;
                if (tag[sl] != ih) {
                    /* six input rows (three output rows) ahead: the lines in flight while
                     * these are reduced */
                    if (ih + 6 < q->H)
                        for (int o = 0; o < 2 * n + q->KW; o += 16)
                            __builtin_prefetch(x + (size_t)(ih + 6) * q->W + c0 + o);
                    (isa == LC_ISA_AVX512 ? lc_maxpool_s2_hrow_avx512 : lc_maxpool_s2_hrow_avx2)(
                        x + (size_t)ih * q->W + c0, ih * q->W + c0, q->KW, n, relu, hv[sl],
                        hi[sl]);
                    tag[sl] = ih;
                }
                hr[nrows] = hv[sl];
                ir[nrows++] = hi[sl];
            }
            float *yr = y + (size_t)oh * q->OW + a;
            int32_t *ar = am ? am + (size_t)oh * q->OW + a : NULL;
            (isa == LC_ISA_AVX512 ? lc_maxpool_vrows_avx512 : lc_maxpool_vrows_avx2)(hr, ir, nrows,
                                                                                     n, yr, ar);
        }
    }
    return 1;
}

static void max_fwd_plane(const lc_pool2d *q, const float *x /* (H,W) */, float *y /* (OH,OW) */,
                          int32_t *am /* (OH,OW) */, int relu)
{
    const int H = q->H, W = q->W;
    /* output columns whose every tap lies inside the image's columns, [ia, ib): from the first
     * tap's valid span and the last one's (lc_conv_valid_cols, im2col's) */
    int ia, ib, unused;
    lc_conv_valid_cols(q->OW, W, q->sw, -q->pw, &ia, &unused);
    lc_conv_valid_cols(q->OW, W, q->sw, (q->KW - 1) * q->dw - q->pw, &unused, &ib);
    if (ib < ia)
        ib = ia;
    int rows[64];
    /* column stride 2 (resnet's stem pool): the interior runs by the ISA's row passes */
    const int s2 = ib > ia && s2_runs(q, x, ia, ib, y, am, relu);
    for (int oh = 0; oh < q->OH; oh++) {
        int h0 = oh * q->sh - q->ph, nrows = 0;
        if (q->KH <= 64)
            for (int kh = 0; kh < q->KH; kh++) {
                int ih = h0 + kh * q->dh;
                if (ih >= 0 && ih < H)
                    rows[nrows++] = ih * W;
            }
        for (int ow = 0; ow < q->OW; ow++) {
            if (ow == ia && ib > ia && nrows > 0 && q->KH <= 64) {
                if (s2) { /* done by s2_runs */
                    ow = ib - 1;
                    continue;
                }
                for (int a = ia; a < ib; a += MAXRUN) {
                    int n = ib - a < MAXRUN ? ib - a : MAXRUN;
                    max_run(q, x, rows, nrows, a, n, y + (size_t)oh * q->OW + a,
                            am ? am + (size_t)oh * q->OW + a : NULL, relu);
                }
                ow = ib - 1;
                continue;
            }
            int w0 = ow * q->sw - q->pw;
            float m = -INFINITY;
            int32_t mi = -1;
            for (int kh = 0; kh < q->KH; kh++) {
                int ih = h0 + kh * q->dh;
                if (ih < 0 || ih >= H)
                    continue;
                for (int kw = 0; kw < q->KW; kw++) {
                    int iw = w0 + kw * q->dw;
                    if (iw < 0 || iw >= W)
                        continue;
                    float v = relu ? relu_of(x[(size_t)ih * W + iw]) : x[(size_t)ih * W + iw];
                    if (mi < 0)
                        mi = ih * W + iw; /* first real tap, kept when every value is -inf */
                    if (v > m || isnan(v)) {
                        m = v;
                        mi = ih * W + iw;
                        if (isnan(v))
                            goto done; /* a NaN propagates, as in torch */
                    }
                }
            }
        done:
            y[(size_t)oh * q->OW + ow] = m;
            if (am)
                am[(size_t)oh * q->OW + ow] = mi;
        }
    }
}

static void avg_fwd_plane(const lc_pool2d *q, const float *x /* (H,W) */, float *y /* (OH,OW) */)
{
    const int H = q->H, W = q->W;
    const float div = (float)(q->KH * q->KW);
    for (int oh = 0; oh < q->OH; oh++) {
        int h0 = oh * q->sh - q->ph;
        for (int ow = 0; ow < q->OW; ow++) {
            int w0 = ow * q->sw - q->pw;
            float s = 0.0f;
            for (int kh = 0; kh < q->KH; kh++) {
                int ih = h0 + kh * q->dh;
                if (ih < 0 || ih >= H)
                    continue;
                for (int kw = 0; kw < q->KW; kw++) {
                    int iw = w0 + kw * q->dw;
                    if (iw >= 0 && iw < W)
                        s += x[(size_t)ih * W + iw];
                }
            }
            y[(size_t)oh * q->OW + ow] = s / div;
        }
    }
}

/* torch's adaptive pooling windows: [floor(o n / on), ceil((o + 1) n / on)) */
static int ad_start(int o, int n, int on)
{
    return (int)((long)o * n / on);
}

static int ad_end(int o, int n, int on)
{
    return (int)(((long)(o + 1) * n + on - 1) / on);
}

/* as torch's CPU kernel: the window's sum in order, divided by its height, then its width */
static void adaptive_fwd_plane(const lc_pool2d *q, const float *x /* (H,W) */,
                               float *y /* (OH,OW) */)
{
    for (int oh = 0; oh < q->OH; oh++) {
        int h0 = ad_start(oh, q->H, q->OH), h1 = ad_end(oh, q->H, q->OH);
        for (int ow = 0; ow < q->OW; ow++) {
            int w0 = ad_start(ow, q->W, q->OW), w1 = ad_end(ow, q->W, q->OW);
            float s = 0.0f;
            for (int ih = h0; ih < h1; ih++)
                for (int iw = w0; iw < w1; iw++)
                    s += x[(size_t)ih * q->W + iw];
            y[(size_t)oh * q->OW + ow] = s / (float)(h1 - h0) / (float)(w1 - w0);
        }
    }
}

static void adaptive_bwd_plane(const lc_pool2d *q, const float *dy /* (OH,OW) */,
                               float *dx /* (H,W), zeroed */)
{
    for (int oh = 0; oh < q->OH; oh++) {
        int h0 = ad_start(oh, q->H, q->OH), h1 = ad_end(oh, q->H, q->OH);
        for (int ow = 0; ow < q->OW; ow++) {
            int w0 = ad_start(ow, q->W, q->OW), w1 = ad_end(ow, q->W, q->OW);
            float g = dy[(size_t)oh * q->OW + ow] / (float)(h1 - h0) / (float)(w1 - w0);
            for (int ih = h0; ih < h1; ih++)
                for (int iw = w0; iw < w1; iw++)
                    dx[(size_t)ih * q->W + iw] += g;
        }
    }
}

static void fwd_plane(const pool_ctx *c, int task)
{
    const lc_pool2d *q = c->q;
    size_t in_plane = (size_t)q->H * q->W, out_plane = (size_t)q->OH * q->OW;
    if (q->adaptive)
        adaptive_fwd_plane(q, c->x + (size_t)task * in_plane, c->y + (size_t)task * out_plane);
    else if (q->is_max)
        max_fwd_plane(q, c->x + (size_t)task * in_plane, c->y + (size_t)task * out_plane,
                      c->argmax ? c->argmax + (size_t)task * out_plane : NULL, c->relu);
    else
        avg_fwd_plane(q, c->x + (size_t)task * in_plane, c->y + (size_t)task * out_plane);
}

/* Planes per task: small planes (a global pool's 7x7) in runs of about POOL_TASK_FLOATS input
 * floats, so that a task is not a few dozen loads behind an atomic shared by the threads (resnet18's
 * average pool: 8,192 planes of 49 floats, 1.5 ms each way) */
enum { POOL_TASK_FLOATS = 4096 };

static int planes_per_task(const lc_pool2d *q)
{
    size_t in_plane = (size_t)q->H * q->W;
    return in_plane >= POOL_TASK_FLOATS ? 1 : (int)(POOL_TASK_FLOATS / in_plane);
}

static void fwd_task(void *vctx, int task, int thread)
{
    const pool_ctx *c = vctx;
    (void)thread;
    for (int i = task * c->per; i < (task + 1) * c->per && i < c->planes; i++)
        fwd_plane(c, i);
}

static void run_planes(lc_pool *p, pool_ctx *c, int B, lc_task_fn fn)
{
    c->planes = B * c->q->C;
    c->per = planes_per_task(c->q);
    lc_pool_run(p, (c->planes + c->per - 1) / c->per, fn, c);
}

void lc_pool2d_forward(lc_pool *p, const lc_pool2d *q, int B, const float *x, float *y,
                       int32_t *argmax)
{
    pool_ctx c = {q, x, NULL, y, NULL, argmax, NULL, 0, 0, 0};
    run_planes(p, &c, B, fwd_task);
}

void lc_pool2d_forward_relu(lc_pool *p, const lc_pool2d *q, int B, const float *x, float *y)
{
    pool_ctx c = {q, x, NULL, y, NULL, NULL, NULL, 1, 0, 0};
    if (q->is_max && !q->adaptive)
        run_planes(p, &c, B, fwd_task);
}

static void bwd_plane(const pool_ctx *c, int task)
{
    const lc_pool2d *q = c->q;
    size_t in_plane = (size_t)q->H * q->W, out_plane = (size_t)q->OH * q->OW;
    const float *dy = c->dy + (size_t)task * out_plane; /* (OH,OW) */
    float *dx = c->dx + (size_t)task * in_plane;        /* (H,W) */
    memset(dx, 0, in_plane * sizeof(float));
    if (q->adaptive) {
        adaptive_bwd_plane(q, dy, dx);
        return;
    }
    if (q->is_max) {
        const int32_t *am = c->argmax_in + (size_t)task * out_plane;
        for (size_t o = 0; o < out_plane; o++)
            if (am[o] >= 0)
                dx[am[o]] += dy[o];
        return;
    }
    const float div = (float)(q->KH * q->KW);
    for (int oh = 0; oh < q->OH; oh++) {
        int h0 = oh * q->sh - q->ph;
        for (int ow = 0; ow < q->OW; ow++) {
            int w0 = ow * q->sw - q->pw;
            float g = dy[(size_t)oh * q->OW + ow] / div;
            for (int kh = 0; kh < q->KH; kh++) {
                int ih = h0 + kh * q->dh;
                if (ih < 0 || ih >= q->H)
                    continue;
                for (int kw = 0; kw < q->KW; kw++) {
                    int iw = w0 + kw * q->dw;
                    if (iw >= 0 && iw < q->W)
                        dx[(size_t)ih * q->W + iw] += g;
                }
            }
        }
    }
}

static void bwd_task(void *vctx, int task, int thread)
{
    const pool_ctx *c = vctx;
    (void)thread;
    for (int i = task * c->per; i < (task + 1) * c->per && i < c->planes; i++)
        bwd_plane(c, i);
}

void lc_pool2d_backward(lc_pool *p, const lc_pool2d *q, int B, const float *dy,
                        const int32_t *argmax, float *dx)
{
    pool_ctx c = {q, NULL, dy, NULL, dx, NULL, argmax, 0, 0, 0};
    run_planes(p, &c, B, bwd_task);
}
