/* gconv.c - grouped 2-D convolution (groups > 1; depthwise when groups == C), computed directly
 * (no im2col: a group's few input channels make a GEMM too thin to pay for its packing). Weights
 * are torch's (OC, C / groups, KH, KW). Every output element, input-gradient element and weight
 * gradient is summed by one task in a fixed order, so results are bitwise the same on any number
 * of threads. */
#include "lc_conv.h"

#include <string.h>

/* The tasks' loops (element by element along a row: no sum reordered) are built for AVX-512, AVX2
 * and the baseline, chosen once at load time (GCC's target_clones): the same bits from each. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define GCONV_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GCONV_CLONES
#endif

typedef struct {
    const lc_conv2d *c;
    const float *x, *w, *b, *dy;
    float *y, *dx, *dw, *db;
    int B;
} gctx;

/* y[s, oc] = b[oc] + sum over the group's channels, kh, kw (in that order) */
GCONV_CLONES
static void fwd_task(void *vctx, int t, int thread)
{
    const gctx *k = vctx;
    const lc_conv2d *c = k->c;
    (void)thread;
    int s = t / c->OC, oc = t % c->OC, G = c->groups;
    int Cg = c->C / G, OCg = c->OC / G, g = oc / OCg;
    size_t HW = (size_t)c->H * c->W, OHW = (size_t)c->OH * c->OW;
    float *y = k->y + ((size_t)s * c->OC + oc) * OHW;
    float bias = k->b ? k->b[oc] : 0.0f;
    for (size_t i = 0; i < OHW; i++)
        y[i] = bias;
    for (int ic = 0; ic < Cg; ic++) {
        const float *x = k->x + ((size_t)s * c->C + (size_t)g * Cg + ic) * HW;
        const float *w = k->w + (((size_t)oc * Cg + ic) * c->KH) * c->KW;
        for (int kh = 0; kh < c->KH; kh++)
            for (int kw = 0; kw < c->KW; kw++) {
                float wv = w[kh * c->KW + kw];
                int lo, hi;
                lc_conv_valid_cols(c->OW, c->W, c->sw, kw * c->dw - c->pw, &lo, &hi);
                for (int oh = 0; oh < c->OH; oh++) {
                    int ih = oh * c->sh - c->ph + kh * c->dh;
                    if (ih < 0 || ih >= c->H)
                        continue;
                    const float *xr = x + (size_t)ih * c->W;
                    float *yr = y + (size_t)oh * c->OW;
                    int off = kw * c->dw - c->pw; /* iw = ow * sw + off, inside [0, W) */
                    if (c->sw == 1)
                        for (int ow = lo; ow < hi; ow++)
                            yr[ow] += wv * xr[ow + off];
                    else
                        for (int ow = lo; ow < hi; ow++)
                            yr[ow] += wv * xr[ow * c->sw + off];
                }
            }
    }
}

void lc_gconv2d_forward(lc_pool *p, const lc_conv2d *c, int B, const float *x, const float *w,
                        const float *b, float *y)
{
    gctx k = {.c = c, .x = x, .w = w, .b = b, .y = y, .B = B};
    if (B > 0)
        lc_pool_run(p, B * c->OC, fwd_task, &k);
}

/* dx[s, ci] = sum over the group's output channels, kh, kw of dy * w, scattered */
GCONV_CLONES
static void dx_task(void *vctx, int t, int thread)
{
    const gctx *k = vctx;
    const lc_conv2d *c = k->c;
    (void)thread;
    int s = t / c->C, ci = t % c->C, G = c->groups;
    int Cg = c->C / G, OCg = c->OC / G, g = ci / Cg, ic = ci % Cg;
    size_t HW = (size_t)c->H * c->W, OHW = (size_t)c->OH * c->OW;
    float *dx = k->dx + ((size_t)s * c->C + ci) * HW;
    memset(dx, 0, HW * sizeof *dx);
    for (int o = 0; o < OCg; o++) {
        int oc = g * OCg + o;
        const float *dy = k->dy + ((size_t)s * c->OC + oc) * OHW;
        const float *w = k->w + (((size_t)oc * Cg + ic) * c->KH) * c->KW;
        for (int kh = 0; kh < c->KH; kh++)
            for (int kw = 0; kw < c->KW; kw++) {
                float wv = w[kh * c->KW + kw];
                int lo, hi;
                lc_conv_valid_cols(c->OW, c->W, c->sw, kw * c->dw - c->pw, &lo, &hi);
                for (int oh = 0; oh < c->OH; oh++) {
                    int ih = oh * c->sh - c->ph + kh * c->dh;
                    if (ih < 0 || ih >= c->H)
                        continue;
                    float *xr = dx + (size_t)ih * c->W;
                    const float *yr = dy + (size_t)oh * c->OW;
                    int off = kw * c->dw - c->pw;
                    if (c->sw == 1)
                        for (int ow = lo; ow < hi; ow++)
                            xr[ow + off] += wv * yr[ow];
                    else
                        for (int ow = lo; ow < hi; ow++)
                            xr[ow * c->sw + off] += wv * yr[ow];
                }
            }
    }
}

/* dw[oc] and db[oc]: sums over the samples (in order) of each sample's plane sums, in double */
GCONV_CLONES
static void dw_task(void *vctx, int oc, int thread)
{
    const gctx *k = vctx;
    const lc_conv2d *c = k->c;
    (void)thread;
    int G = c->groups, Cg = c->C / G, OCg = c->OC / G, g = oc / OCg;
    size_t HW = (size_t)c->H * c->W, OHW = (size_t)c->OH * c->OW;
    if (k->db) {
        double acc = 0.0;
        for (int s = 0; s < k->B; s++) {
            const float *dy = k->dy + ((size_t)s * c->OC + oc) * OHW;
            float part = 0.0f;
            for (size_t i = 0; i < OHW; i++)
                part += dy[i];
            acc += part;
        }
        k->db[oc] = (float)acc;
    }
    if (!k->dw)
        return;
    for (int ic = 0; ic < Cg; ic++)
        for (int kh = 0; kh < c->KH; kh++)
            for (int kw = 0; kw < c->KW; kw++) {
                int lo, hi;
                lc_conv_valid_cols(c->OW, c->W, c->sw, kw * c->dw - c->pw, &lo, &hi);
                double acc = 0.0;
                for (int s = 0; s < k->B; s++) {
                    const float *x = k->x + ((size_t)s * c->C + (size_t)g * Cg + ic) * HW;
                    const float *dy = k->dy + ((size_t)s * c->OC + oc) * OHW;
                    float part = 0.0f;
                    for (int oh = 0; oh < c->OH; oh++) {
                        int ih = oh * c->sh - c->ph + kh * c->dh;
                        if (ih < 0 || ih >= c->H)
                            continue;
                        const float *xr = x + (size_t)ih * c->W;
                        const float *yr = dy + (size_t)oh * c->OW;
                        int off = kw * c->dw - c->pw;
                        for (int ow = lo; ow < hi; ow++)
                            part += yr[ow] * xr[ow * c->sw + off];
                    }
                    acc += part;
                }
                k->dw[(((size_t)oc * Cg + ic) * c->KH + kh) * c->KW + kw] = (float)acc;
            }
}

void lc_gconv2d_backward(lc_pool *p, const lc_conv2d *c, int B, const float *x, const float *w,
                         const float *dy, float *dx, float *dw, float *db)
{
    gctx k = {.c = c, .x = x, .w = w, .dy = dy, .dx = dx, .dw = dw, .db = db, .B = B};
    if (B <= 0)
        return;
    if (dx)
        lc_pool_run(p, B * c->C, dx_task, &k);
    if (dw || db)
        lc_pool_run(p, c->OC, dw_task, &k);
}
