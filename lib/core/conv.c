/* conv.c - 2-D convolution over a batch: im2col + the blocked GEMM, on the thread pool.
 *
 * Forward: one task per sample (im2col into the thread's buffer, y_b = W col + b).
 * Backward: LC_REDUCE_CHUNKS tasks, each a fixed slice of the batch; a chunk accumulates its
 * samples' dW = dy col^T and db in its own workspace partial (and writes dx = col2im(W^T dy) for
 * its samples), then the partials are summed in chunk order. The chunking depends only on B, so
 * results are bitwise identical for any thread count. Activation, pooling and the caller's
 * workspace allocation are left to others (lc_conv2d_ws_floats says how much).
 */
#include "lc_conv.h"

#include "lc_gemm.h"
#include "lc_mem.h"

#include <stdint.h>
#include <string.h>

int lc_conv2d_plan(lc_conv2d *c)
{
    if (c->C < 1 || c->H < 1 || c->W < 1 || c->OC < 1 || c->KH < 1 || c->KW < 1 || c->sh < 1 ||
        c->sw < 1 || c->ph < 0 || c->pw < 0 || c->dh < 1 || c->dw < 1)
        return -1;
    long eh = (long)c->H + 2L * c->ph - (long)c->dh * (c->KH - 1) - 1;
    long ew = (long)c->W + 2L * c->pw - (long)c->dw * (c->KW - 1) - 1;
    if (eh < 0 || ew < 0)
        return -1;
    c->OH = (int)(eh / c->sh + 1);
    c->OW = (int)(ew / c->sw + 1);
    return 0;
}

/* ---- workspace layout (floats, every part a multiple of 16 so each stays 64-byte aligned) ----
 *   [thread t]  col (CKK, OHW), dcol (CKK, OHW)             for t in [0, nthreads)
 *   [chunk j]   dW partial (OC, CKK), db partial (OC)       for j in [0, LC_REDUCE_CHUNKS)   */

static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }

typedef struct ws_layout {
    size_t col;    /* one col buffer */
    size_t thread; /* per-thread stride */
    size_t dwp;    /* one dW partial */
    size_t chunk;  /* per-chunk stride */
    size_t parts;  /* offset of the chunk partials */
} ws_layout;

static int layout(const lc_conv2d *c, int nthreads, ws_layout *l)
{
    size_t ckk = (size_t)c->C * c->KH * c->KW, ohw = (size_t)c->OH * c->OW, t;
    if (lc_size_mul(ckk, ohw, &t) != 0 || t > SIZE_MAX / 4)
        return -1;
    l->col = round16(t);
    l->thread = 2 * l->col;
    if (lc_size_mul(ckk, (size_t)c->OC, &t) != 0 || t > SIZE_MAX / 4)
        return -1;
    l->dwp = round16(t);
    l->chunk = l->dwp + round16((size_t)c->OC);
    if (lc_size_mul(l->thread, (size_t)(nthreads < 1 ? 1 : nthreads), &l->parts) != 0)
        return -1;
    return 0;
}

size_t lc_conv2d_ws_floats(const lc_conv2d *c, int B, int nthreads)
{
    ws_layout l;
    size_t parts, total;
    (void)B; /* per-thread and per-chunk buffers only: independent of the batch size */
    if (layout(c, nthreads, &l) != 0 || lc_size_mul(l.chunk, LC_REDUCE_CHUNKS, &parts) != 0 ||
        lc_size_add(l.parts, parts, &total) != 0)
        return SIZE_MAX; /* no allocation can satisfy it */
    return total;
}

/* ---- im2col / col2im ---- */

/* Output columns ow whose input column ow*s - p + off lies in [0, W): [lo, hi). */
static void valid_range(int OW, int W, int s, int p, int off, int *lo, int *hi)
{
    int d = p - off; /* need ow*s >= d and ow*s - d <= W - 1 */
    int l = d <= 0 ? 0 : (d + s - 1) / s;
    int h = W - 1 + d < 0 ? 0 : (W - 1 + d) / s + 1;
    *lo = l < OW ? l : OW;
    *hi = h < OW ? h : OW;
    if (*hi < *lo)
        *hi = *lo;
}

void lc_im2col(const lc_conv2d *c, const float *x /* (C,H,W) */, float *col /* (CKK, OHW) */)
{
    const int OH = c->OH, OW = c->OW;
    for (int ci = 0; ci < c->C; ci++)
        for (int kh = 0; kh < c->KH; kh++)
            for (int kw = 0; kw < c->KW; kw++) {
                float *row = col + ((size_t)(ci * c->KH + kh) * c->KW + kw) * OH * OW;
                int off = kw * c->dw, lo, hi;
                valid_range(OW, c->W, c->sw, c->pw, off, &lo, &hi);
                for (int oh = 0; oh < OH; oh++) {
                    float *r = row + (size_t)oh * OW;
                    int ih = oh * c->sh - c->ph + kh * c->dh;
                    if (ih < 0 || ih >= c->H) {
                        memset(r, 0, (size_t)OW * sizeof *r);
                        continue;
                    }
                    /* input column of ow is ow*sw + d; only in-range ones are read */
                    const float *xr = x + ((size_t)ci * c->H + ih) * c->W;
                    ptrdiff_t d = (ptrdiff_t)off - c->pw;
                    for (int ow = 0; ow < lo; ow++)
                        r[ow] = 0.0f;
                    if (c->sw == 1 && hi > lo)
                        memcpy(r + lo, xr + lo + d, (size_t)(hi - lo) * sizeof *r);
                    else
                        for (int ow = lo; ow < hi; ow++)
                            r[ow] = xr[(ptrdiff_t)ow * c->sw + d];
                    for (int ow = hi; ow < OW; ow++)
                        r[ow] = 0.0f;
                }
            }
}

void lc_col2im(const lc_conv2d *c, const float *col /* (CKK, OHW) */, float *x /* (C,H,W) */)
{
    const int OH = c->OH, OW = c->OW;
    for (int ci = 0; ci < c->C; ci++)
        for (int kh = 0; kh < c->KH; kh++)
            for (int kw = 0; kw < c->KW; kw++) {
                const float *row = col + ((size_t)(ci * c->KH + kh) * c->KW + kw) * OH * OW;
                int off = kw * c->dw, lo, hi;
                valid_range(OW, c->W, c->sw, c->pw, off, &lo, &hi);
                for (int oh = 0; oh < OH; oh++) {
                    int ih = oh * c->sh - c->ph + kh * c->dh;
                    if (ih < 0 || ih >= c->H)
                        continue;
                    const float *r = row + (size_t)oh * OW;
                    float *xr = x + ((size_t)ci * c->H + ih) * c->W;
                    ptrdiff_t d = (ptrdiff_t)off - c->pw;
                    for (int ow = lo; ow < hi; ow++)
                        xr[(ptrdiff_t)ow * c->sw + d] += r[ow];
                }
            }
}

/* 1x1, stride 1, no padding: the input plane already is the col matrix */
static int is_pointwise(const lc_conv2d *c)
{
    return c->KH == 1 && c->KW == 1 && c->sh == 1 && c->sw == 1 && c->ph == 0 && c->pw == 0;
}

/* ---- forward ---- */

typedef struct fwd_ctx {
    const lc_conv2d *c;
    const float *x, *w, *b;
    float *y, *ws;
    ws_layout l;
} fwd_ctx;

static void fwd_task(void *vctx, int s, int thread)
{
    const fwd_ctx *f = vctx;
    const lc_conv2d *c = f->c;
    int CKK = c->C * c->KH * c->KW, OHW = c->OH * c->OW;
    const float *xs = f->x + (size_t)s * c->C * c->H * c->W;
    float *ys = f->y + (size_t)s * c->OC * OHW;
    const float *col = xs;
    if (!is_pointwise(c)) {
        float *buf = f->ws + (size_t)thread * f->l.thread;
        lc_im2col(c, xs, buf);
        col = buf;
    }
    lc_sgemm(0, 0, c->OC, OHW, CKK, 1.0f, f->w, CKK, col, OHW, 0.0f, ys, OHW);
    if (f->b)
        for (int oc = 0; oc < c->OC; oc++) {
            float bv = f->b[oc], *yr = ys + (size_t)oc * OHW;
            for (int i = 0; i < OHW; i++)
                yr[i] += bv;
        }
}

void lc_conv2d_forward(lc_pool *p, const lc_conv2d *c, int B, const float *x /* (B,C,H,W) */,
                       const float *w /* (OC,C,KH,KW) */, const float *b /* (OC) */,
                       float *y /* (B,OC,OH,OW) */, float *ws)
{
    fwd_ctx f = {c, x, w, b, y, ws, {0}};
    if (B <= 0 || layout(c, lc_pool_threads(p), &f.l) != 0)
        return;
    lc_pool_run(p, B, fwd_task, &f);
}

/* ---- backward ---- */

typedef struct bwd_ctx {
    const lc_conv2d *c;
    int B;
    const float *x, *w, *dy;
    float *dx, *dw, *db, *ws;
    ws_layout l;
    int nred; /* element blocks of the final partial reduction */
} bwd_ctx;

static void bwd_chunk_task(void *vctx, int j, int thread)
{
    const bwd_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    int CKK = c->C * c->KH * c->KW, OHW = c->OH * c->OW;
    size_t xsz = (size_t)c->C * c->H * c->W, ysz = (size_t)c->OC * OHW;
    int s0 = (int)((long)k->B * j / LC_REDUCE_CHUNKS);
    int s1 = (int)((long)k->B * (j + 1) / LC_REDUCE_CHUNKS);
    float *dwp = k->ws + k->l.parts + (size_t)j * k->l.chunk; /* (OC, CKK) */
    float *dbp = dwp + k->l.dwp;                              /* (OC) */
    float *col = k->ws + (size_t)thread * k->l.thread;        /* (CKK, OHW) */
    float *dcol = col + k->l.col;                             /* (CKK, OHW) */
    if (s0 == s1) {
        memset(dwp, 0, (size_t)c->OC * CKK * sizeof *dwp);
        memset(dbp, 0, (size_t)c->OC * sizeof *dbp);
        return;
    }
    for (int s = s0; s < s1; s++) {
        const float *xs = k->x + (size_t)s * xsz, *dys = k->dy + (size_t)s * ysz;
        const float *cs = xs;
        if (!is_pointwise(c)) {
            lc_im2col(c, xs, col);
            cs = col;
        }
        float beta = s == s0 ? 0.0f : 1.0f;
        lc_sgemm(0, 1, c->OC, CKK, OHW, 1.0f, dys, OHW, cs, OHW, beta, dwp, CKK);
        if (k->db)
            for (int oc = 0; oc < c->OC; oc++) {
                const float *r = dys + (size_t)oc * OHW;
                float sum = 0.0f;
                for (int i = 0; i < OHW; i++)
                    sum += r[i];
                dbp[oc] = s == s0 ? sum : dbp[oc] + sum;
            }
        if (k->dx) {
            float *dxs = k->dx + (size_t)s * xsz;
            if (is_pointwise(c)) {
                lc_sgemm(1, 0, CKK, OHW, c->OC, 1.0f, k->w, CKK, dys, OHW, 0.0f, dxs, OHW);
            } else {
                lc_sgemm(1, 0, CKK, OHW, c->OC, 1.0f, k->w, CKK, dys, OHW, 0.0f, dcol, OHW);
                memset(dxs, 0, xsz * sizeof *dxs);
                lc_col2im(c, dcol, dxs);
            }
        }
    }
}

/* Sums the chunk partials in chunk order: task t < nred covers a block of dW, task nred db. */
static void bwd_reduce_task(void *vctx, int t, int thread)
{
    const bwd_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    size_t n = (size_t)c->OC * c->C * c->KH * c->KW, e0, e1, off = 0;
    float *out = k->dw;
    (void)thread;
    if (t < k->nred) {
        e0 = n * (size_t)t / (size_t)k->nred;
        e1 = n * (size_t)(t + 1) / (size_t)k->nred;
    } else {
        if (!k->db)
            return;
        e0 = 0;
        e1 = (size_t)c->OC;
        off = k->l.dwp;
        out = k->db;
    }
    const float *base = k->ws + k->l.parts + off;
    for (size_t e = e0; e < e1; e++) {
        float sum = base[e];
        for (int j = 1; j < LC_REDUCE_CHUNKS; j++)
            sum += base[(size_t)j * k->l.chunk + e];
        out[e] = sum;
    }
}

void lc_conv2d_backward(lc_pool *p, const lc_conv2d *c, int B, const float *x /* (B,C,H,W) */,
                        const float *w /* (OC,C,KH,KW) */, const float *dy /* (B,OC,OH,OW) */,
                        float *dx /* (B,C,H,W) */, float *dw /* (OC,C,KH,KW) */,
                        float *db /* (OC) */, float *ws)
{
    bwd_ctx k = {c, B < 0 ? 0 : B, x, w, dy, dx, dw, db, ws, {0}, LC_REDUCE_CHUNKS};
    if (layout(c, lc_pool_threads(p), &k.l) != 0)
        return;
    lc_pool_run(p, LC_REDUCE_CHUNKS, bwd_chunk_task, &k);
    lc_pool_run(p, k.nred + 1, bwd_reduce_task, &k);
}
