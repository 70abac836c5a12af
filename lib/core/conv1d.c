/* conv1d.c - Conv1d ("same" or "valid", strided, dilated) over time-major sequences (see
 * lc_conv1d.h). */
#include "lc_conv1d.h"

#include <string.h>

#include "lc_gemm.h"

enum { GROUP = 8 }; /* samples per weight-gradient partial */

static int ngroups(int B) { return (B + GROUP - 1) / GROUP; }


int lc_conv1d_out_len(const lc_conv1d *c)
{
    if (!c->valid)
        return c->L;
    int span = lc_conv1d_dilation(c) * (c->k - 1) + 1;
    return c->L < span ? 0 : (c->L - span) / lc_conv1d_stride(c) + 1;
}

static size_t part_floats(const lc_conv1d *c);

size_t lc_conv1d_ws_floats(const lc_conv1d *c, int B, int nthreads)
{
    size_t col = (size_t)c->L * (size_t)c->E * (size_t)c->k;
    return (size_t)(nthreads < 1 ? 1 : nthreads) * 2 * col + (size_t)ngroups(B) * part_floats(c);
}

/* sample xb (L, E) as Lo rows of E k values, (e, j) order, zero outside the sequence */
static void im2col(const lc_conv1d *c, const float *xb, float *col)
{
    const int L = c->L, E = c->E, k = c->k, p = lc_conv1d_pad(c), st = lc_conv1d_stride(c), d = lc_conv1d_dilation(c);
    const int Lo = lc_conv1d_out_len(c);
    for (int t = 0; t < Lo; t++) {
        float *row = col + (size_t)t * E * k;
        for (int e = 0; e < E; e++)
            for (int j = 0; j < k; j++) {
                int s = t * st + j * d - p;
                row[e * k + j] = s >= 0 && s < L ? xb[(size_t)s * E + e] : 0.0f;
            }
    }
}

/* the adjoint: dx (L, E) += the rows of dcol put back where im2col took them */
static void col2im(const lc_conv1d *c, const float *dcol, float *dxb)
{
    const int L = c->L, E = c->E, k = c->k, p = lc_conv1d_pad(c), st = lc_conv1d_stride(c), d = lc_conv1d_dilation(c);
    const int Lo = lc_conv1d_out_len(c);
    for (int t = 0; t < Lo; t++) {
        const float *row = dcol + (size_t)t * E * k;
        for (int j = 0; j < k; j++) {
            int s = t * st + j * d - p;
            if (s < 0 || s >= L)
                continue;
            for (int e = 0; e < E; e++)
                dxb[(size_t)s * E + e] += row[e * k + j];
        }
    }
}

typedef struct c1_ctx {
    const lc_conv1d *c;
    int B, ys, yo;
    const float *x, *w, *bias, *dy;
    float *y, *dx, *dw, *db, *ws;
} c1_ctx;

/* ws: the groups' gradient partials (ngroups, F E k + F), then per thread two (L, E k) rows */
static size_t part_floats(const lc_conv1d *c)
{
    return (size_t)c->F * (size_t)c->E * (size_t)c->k + (size_t)c->F;
}

static float *thread_col(const c1_ctx *k, int thread, int which)
{
    size_t col = (size_t)k->c->L * (size_t)k->c->E * (size_t)k->c->k;
    return k->ws + (size_t)ngroups(k->B) * part_floats(k->c) +
           ((size_t)thread * 2 + (size_t)which) * col;
}

static void fwd_task(void *vctx, int b, int thread)
{
    const c1_ctx *k = vctx;
    const lc_conv1d *c = k->c;
    const int L = c->L, Lo = lc_conv1d_out_len(c), EK = c->E * c->k;
    float *col = thread_col(k, thread, 0);
    float *yb = k->y + (size_t)b * Lo * k->ys + k->yo;
    im2col(c, k->x + (size_t)b * L * c->E, col);
    lc_sgemm(0, 1, Lo, c->F, EK, 1.0f, col, EK, k->w, EK, 0.0f, yb, k->ys);
    if (k->bias)
        for (int t = 0; t < Lo; t++)
            for (int f = 0; f < c->F; f++)
                yb[(size_t)t * k->ys + f] += k->bias[f];
}

void lc_conv1d_forward(lc_pool *p, const lc_conv1d *c, int B, const float *x, const float *w,
                       const float *bias, float *y, int ys, int yo, float *ws)
{
    c1_ctx k = {.c = c, .B = B, .ys = ys, .yo = yo, .x = x, .w = w, .bias = bias, .y = y,
                .ws = ws};
    lc_pool_run(p, B, fwd_task, &k);
}

/* Group g of samples: its weight and bias gradient partial, and each sample's dx. */
static void bwd_task(void *vctx, int g, int thread)
{
    const c1_ctx *k = vctx;
    const lc_conv1d *c = k->c;
    const int L = c->L, Lo = lc_conv1d_out_len(c), EK = c->E * c->k, F = c->F;
    float *col = thread_col(k, thread, 0), *dcol = thread_col(k, thread, 1);
    float *pw = k->ws + (size_t)g * part_floats(c), *pb = pw + (size_t)F * EK;
    int b0 = g * GROUP, b1 = b0 + GROUP < k->B ? b0 + GROUP : k->B;
    memset(pb, 0, (size_t)F * sizeof *pb);
    for (int b = b0; b < b1; b++) {
        const float *dyb = k->dy + (size_t)b * Lo * k->ys + k->yo;
        if (k->dw) {
            im2col(c, k->x + (size_t)b * L * c->E, col);
            lc_sgemm(1, 0, F, EK, Lo, 1.0f, dyb, k->ys, col, EK, b == b0 ? 0.0f : 1.0f, pw, EK);
        }
        for (int t = 0; t < Lo; t++)
            for (int f = 0; f < F; f++)
                pb[f] += dyb[(size_t)t * k->ys + f];
        if (k->dx) {
            lc_sgemm(0, 0, Lo, EK, F, 1.0f, dyb, k->ys, k->w, EK, 0.0f, dcol, EK);
            col2im(c, dcol, k->dx + (size_t)b * L * c->E);
        }
    }
}

enum { RROWS = 16 }; /* weight rows per reduction task */

/* dw and db rows [f0, f0 + RROWS): the groups' partials summed in group order */
static void reduce_task(void *vctx, int task, int thread)
{
    const c1_ctx *k = vctx;
    const lc_conv1d *c = k->c;
    const int EK = c->E * c->k, F = c->F, G = ngroups(k->B);
    int f0 = task * RROWS, f1 = f0 + RROWS < F ? f0 + RROWS : F;
    (void)thread;
    for (int f = f0; f < f1; f++) {
        if (k->dw) {
            float *d = k->dw + (size_t)f * EK;
            memcpy(d, k->ws + (size_t)f * EK, (size_t)EK * sizeof *d);
            for (int g = 1; g < G; g++) {
                const float *pw = k->ws + (size_t)g * part_floats(c) + (size_t)f * EK;
                for (int i = 0; i < EK; i++)
                    d[i] += pw[i];
            }
        }
        if (k->db) {
            float acc = 0.0f;
            for (int g = 0; g < G; g++)
                acc += k->ws[(size_t)g * part_floats(c) + (size_t)F * EK + f];
            k->db[f] = acc;
        }
    }
}

void lc_conv1d_backward(lc_pool *p, const lc_conv1d *c, int B, const float *x, const float *w,
                        const float *dy, int ys, int yo, float *dx, float *dw, float *db,
                        float *ws)
{
    c1_ctx k = {.c = c, .B = B, .ys = ys, .yo = yo, .x = x, .w = w, .dy = dy, .dx = dx,
                .dw = dw, .db = db, .ws = ws};
    if (B <= 0)
        return;
    lc_pool_run(p, ngroups(B), bwd_task, &k);
    if (dw || db)
        lc_pool_run(p, (c->F + RROWS - 1) / RROWS, reduce_task, &k);
}
