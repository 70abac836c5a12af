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
 *   [thread t]  col (CKK+1, OHW): im2col plus a row of ones that turns the bias into one more
 *               k step of the GEMM (forward) and db into one more output row (backward);
 *               dcol (CKK, OHW)                                      for t in [0, nthreads)
 *   wb          [w | b] (OC, CKK+1), the forward GEMM's A when there is a bias
 *   [chunk j]   [dW^T; db] partial (CKK+1, OC)                       for j in [0, LC_REDUCE_CHUNKS)
 * dW is computed transposed (col dy^T) so that B, the packed operand, is the small dy. */

static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }

typedef struct ws_layout {
    size_t col;    /* one col buffer */
    size_t thread; /* per-thread stride */
    size_t wb;     /* offset of [w | b] */
    size_t chunk;  /* per-chunk stride */
    size_t parts;  /* offset of the chunk partials */
} ws_layout;

static int layout(const lc_conv2d *c, int nthreads, ws_layout *l)
{
    size_t ckk1 = (size_t)c->C * c->KH * c->KW + 1, ohw = (size_t)c->OH * c->OW, t;
    if (lc_size_mul(ckk1, ohw, &t) != 0 || t > SIZE_MAX / 8)
        return -1;
    l->col = round16(t);
    l->thread = 2 * l->col;
    if (lc_size_mul(ckk1, (size_t)c->OC, &t) != 0 || t > SIZE_MAX / 8)
        return -1;
    l->chunk = round16(t);
    if (lc_size_mul(l->thread, (size_t)(nthreads < 1 ? 1 : nthreads), &l->wb) != 0 ||
        lc_size_add(l->wb, l->chunk, &l->parts) != 0)
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

/* dst[0:n) = src[0:n) (glibc copies short rows with a few overlapping vector moves) */
static inline void copy_row(float *restrict dst, const float *restrict src, int n)
{
    memcpy(dst, src, (size_t)n * sizeof *dst);
}

/* dst[0:n) += src[0:n) */
static inline void add_row(float *restrict dst, const float *restrict src, int n)
{
    for (; n >= 8; n -= 8, dst += 8, src += 8)
        for (int q = 0; q < 8; q++)
            dst[q] += src[q];
    for (int q = 0; q < n; q++)
        dst[q] += src[q];
}

/* Output columns ow whose input column ow*s + d lies in [0, W): [lo, hi). */
static void valid_range(int OW, int W, int s, int d, int *lo, int *hi)
{
    int l = d >= 0 ? 0 : (-d + s - 1) / s;
    int h = W - 1 - d < 0 ? 0 : (W - 1 - d) / s + 1;
    *lo = l < OW ? l : OW;
    *hi = h < OW ? h : OW;
    if (*hi < *lo)
        *hi = *lo;
}

void lc_im2col(const lc_conv2d *c, const float *x /* (C,H,W) */, float *col /* (CKK, OHW) */)
{
    const int OH = c->OH, OW = c->OW, sw = c->sw;
    for (int ci = 0; ci < c->C; ci++)
        for (int kh = 0; kh < c->KH; kh++)
            for (int kw = 0; kw < c->KW; kw++) {
                float *row = col + ((size_t)(ci * c->KH + kh) * c->KW + kw) * OH * OW;
                int d = kw * c->dw - c->pw, lo, hi; /* input column of ow is ow*sw + d */
                valid_range(OW, c->W, sw, d, &lo, &hi);
                for (int oh = 0; oh < OH; oh++) {
                    float *restrict r = row + (size_t)oh * OW;
                    int ih = oh * c->sh - c->ph + kh * c->dh;
                    if (ih < 0 || ih >= c->H) {
                        for (int ow = 0; ow < OW; ow++)
                            r[ow] = 0.0f;
                        continue;
                    }
                    const float *restrict xr = x + ((size_t)ci * c->H + ih) * c->W;
                    for (int ow = 0; ow < lo; ow++)
                        r[ow] = 0.0f;
                    if (sw == 1 && hi > lo)
                        copy_row(r + lo, xr + lo + d, hi - lo);
                    else
                        for (int ow = lo; ow < hi; ow++)
                            r[ow] = xr[ow * sw + d];
                    for (int ow = hi; ow < OW; ow++)
                        r[ow] = 0.0f;
                }
            }
}

void lc_col2im(const lc_conv2d *c, const float *col /* (CKK, OHW) */, float *x /* (C,H,W) */)
{
    const int OH = c->OH, OW = c->OW, sw = c->sw;
    for (int ci = 0; ci < c->C; ci++)
        for (int kh = 0; kh < c->KH; kh++)
            for (int kw = 0; kw < c->KW; kw++) {
                const float *row = col + ((size_t)(ci * c->KH + kh) * c->KW + kw) * OH * OW;
                int d = kw * c->dw - c->pw, lo, hi;
                valid_range(OW, c->W, sw, d, &lo, &hi);
                for (int oh = 0; oh < OH; oh++) {
                    int ih = oh * c->sh - c->ph + kh * c->dh;
                    if (ih < 0 || ih >= c->H)
                        continue;
                    const float *restrict r = row + (size_t)oh * OW;
                    float *restrict xr = x + ((size_t)ci * c->H + ih) * c->W;
                    if (sw == 1 && hi > lo)
                        add_row(xr + lo + d, r + lo, hi - lo);
                    else
                        for (int ow = lo; ow < hi; ow++)
                            xr[ow * sw + d] += r[ow];
                }
            }
}

/* 1x1, stride 1, no padding: the input plane already is the col matrix */
static int is_pointwise(const lc_conv2d *c)
{
    return c->KH == 1 && c->KW == 1 && c->sh == 1 && c->sw == 1 && c->ph == 0 && c->pw == 0;
}

/* Fills the thread's col buffer for sample xs, plus the row of ones when ones != 0. */
static void fill_col(const lc_conv2d *c, const float *xs, float *col, int ones)
{
    size_t ckk = (size_t)c->C * c->KH * c->KW, ohw = (size_t)c->OH * c->OW;
    if (is_pointwise(c))
        memcpy(col, xs, ckk * ohw * sizeof *col);
    else
        lc_im2col(c, xs, col);
    if (ones)
        for (size_t i = 0; i < ohw; i++)
            col[ckk * ohw + i] = 1.0f;
}

/* ---- forward ---- */

typedef struct fwd_ctx {
    const lc_conv2d *c;
    const float *x, *a; /* a: w (OC, CKK) or [w | b] (OC, CKK+1) */
    int kb;             /* GEMM k: CKK, or CKK+1 with the bias */
    float *y, *ws;
    ws_layout l;
} fwd_ctx;

static void fwd_task(void *vctx, int s, int thread)
{
    const fwd_ctx *f = vctx;
    const lc_conv2d *c = f->c;
    int OHW = c->OH * c->OW;
    const float *xs = f->x + (size_t)s * c->C * c->H * c->W;
    float *ys = f->y + (size_t)s * c->OC * OHW;
    const float *col = xs;
    int ckk = c->C * c->KH * c->KW;
    if (!is_pointwise(c) || f->kb > ckk) {
        float *buf = f->ws + (size_t)thread * f->l.thread;
        fill_col(c, xs, buf, f->kb > ckk);
        col = buf;
    }
    lc_sgemm(0, 0, c->OC, OHW, f->kb, 1.0f, f->a, f->kb, col, OHW, 0.0f, ys, OHW);
}

void lc_conv2d_forward(lc_pool *p, const lc_conv2d *c, int B, const float *x /* (B,C,H,W) */,
                       const float *w /* (OC,C,KH,KW) */, const float *b /* (OC) */,
                       float *y /* (B,OC,OH,OW) */, float *ws)
{
    int ckk = c->C * c->KH * c->KW;
    fwd_ctx f = {c, x, w, ckk, y, ws, {0}};
    if (B <= 0 || layout(c, lc_pool_threads(p), &f.l) != 0)
        return;
    if (b) { /* y = [w | b] [col; 1]: the bias is the GEMM's last k step */
        float *wb = ws + f.l.wb;
        for (int oc = 0; oc < c->OC; oc++) {
            memcpy(wb + (size_t)oc * (ckk + 1), w + (size_t)oc * ckk, (size_t)ckk * sizeof *wb);
            wb[(size_t)oc * (ckk + 1) + ckk] = b[oc];
        }
        f.a = wb;
        f.kb = ckk + 1;
    }
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
    int CKK = c->C * c->KH * c->KW, OHW = c->OH * c->OW, kb = CKK + (k->db ? 1 : 0);
    size_t xsz = (size_t)c->C * c->H * c->W, ysz = (size_t)c->OC * OHW;
    int s0 = (int)((long)k->B * j / LC_REDUCE_CHUNKS);
    int s1 = (int)((long)k->B * (j + 1) / LC_REDUCE_CHUNKS);
    float *part = k->ws + k->l.parts + (size_t)j * k->l.chunk; /* (CKK+1, OC) */
    float *col = k->ws + (size_t)thread * k->l.thread;         /* (CKK+1, OHW) */
    float *dcol = col + k->l.col;                              /* (CKK, OHW) */
    if (s0 == s1) {
        memset(part, 0, (size_t)(CKK + 1) * c->OC * sizeof *part);
        return;
    }
    for (int s = s0; s < s1; s++) {
        const float *xs = k->x + (size_t)s * xsz, *dys = k->dy + (size_t)s * ysz;
        fill_col(c, xs, col, k->db != NULL);
        /* [dW^T; db] (CKK+1, OC) += [col; 1] (CKK+1, OHW) dy^T (OHW, OC) */
        lc_sgemm(0, 1, kb, c->OC, OHW, 1.0f, col, OHW, dys, OHW, s == s0 ? 0.0f : 1.0f, part,
                 c->OC);
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

/* Sums the chunk partials in chunk order: task t < nred covers a block of dW's rows (output
 * channels), task nred db. */
static void bwd_reduce_task(void *vctx, int t, int thread)
{
    const bwd_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    const int OC = c->OC, CKK = c->C * c->KH * c->KW;
    const float *base = k->ws + k->l.parts;
    (void)thread;
    if (t == k->nred) {
        if (k->db)
            for (int oc = 0; oc < OC; oc++) {
                float sum = base[(size_t)CKK * OC + oc];
                for (int j = 1; j < LC_REDUCE_CHUNKS; j++)
                    sum += base[(size_t)j * k->l.chunk + (size_t)CKK * OC + oc];
                k->db[oc] = sum;
            }
        return;
    }
    int o0 = (int)((long)OC * t / k->nred), o1 = (int)((long)OC * (t + 1) / k->nred);
    for (int oc = o0; oc < o1; oc++)
        for (int q = 0; q < CKK; q++) {
            size_t e = (size_t)q * OC + oc;
            float sum = base[e];
            for (int j = 1; j < LC_REDUCE_CHUNKS; j++)
                sum += base[(size_t)j * k->l.chunk + e];
            k->dw[(size_t)oc * CKK + q] = sum;
        }
}

void lc_conv2d_backward(lc_pool *p, const lc_conv2d *c, int B, const float *x /* (B,C,H,W) */,
                        const float *w /* (OC,C,KH,KW) */, const float *dy /* (B,OC,OH,OW) */,
                        float *dx /* (B,C,H,W) */, float *dw /* (OC,C,KH,KW) */,
                        float *db /* (OC) */, float *ws)
{
    bwd_ctx k = {c, B < 0 ? 0 : B, x, w, dy, dx, dw, db, ws, {0}, 0};
    if (layout(c, lc_pool_threads(p), &k.l) != 0)
        return;
    k.nred = c->OC < LC_REDUCE_CHUNKS ? c->OC : LC_REDUCE_CHUNKS;
    lc_pool_run(p, LC_REDUCE_CHUNKS, bwd_chunk_task, &k);
    lc_pool_run(p, k.nred + 1, bwd_reduce_task, &k);
}
