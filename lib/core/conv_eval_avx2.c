/* conv_eval_avx2.c - the evaluation-only (and pooled training) forward of a fused conv block
 * under AVX2: the direct 3x3 path for few input channels and Winograd F(2x2, 3x3) for more, as
 * conv_eval_avx512.c computes them but 8 lanes at a time and on the AVX2 GEMM micro-kernel's
 * 6 x 16 tiles (lc_conv_eval.h says when each applies). The direct path sums every output in
 * the AVX2 GEMM's order (taps ascending from zero with FMAs, bias last), so it is bitwise that
 * path; Winograd rounds differently (test_conv bounds it, as under AVX-512). Compiled with
 * -mavx2 -mfma; conv_eval.c calls it only when the run-time check chose AVX2. */
#include "lc_conv_eval.h"
#include "lc_conv_isa.h"

#include "gemm_kernels.h"
#include "lc_avx2.h"
#include "lc_dropmask.h"
#include "lc_layers.h"

#include <immintrin.h>
#include <string.h>

#define MR LC_GEMM_AVX2_MR
#define NR LC_GEMM_AVX2_NR

/* in-lane shuffles picking the even (0x88) or odd (0xdd) elements of the 16 floats lo, hi: the
 * result holds pairs 0 1 4 5 2 3 6 7 of the picked elements (LC_UNPERM restores their order) */
#define LC_EVEN 0x88
#define LC_ODD 0xdd

static inline __m256i unperm(void) { return _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7); }

/* n floats (n <= 8; lanes past n are 0) from p; p + n past the buffer is never read */
static inline __m256 load_n(const float *p, long n)
{
    return n >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, lc_lanes8(n));
}

static inline void store_n(float *p, long n, __m256 v)
{
    if (n >= 8)
        _mm256_storeu_ps(p, v);
    else
        _mm256_maskstore_ps(p, lc_lanes8(n), v);
}

/* ---- transposes ---- */

/* r[0..8) transposed in place: afterwards r[j] holds what was column j */
static inline __attribute__((always_inline)) void transpose8(__m256 r[8])
{
    __m256 t[8], u[8];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
#pragma GCC unroll 2
    for (int i = 0; i < 2; i++) {
        u[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xee);
        u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xee);
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        r[k] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x20);
        r[k + 4] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x31);
    }
}

/* dst[j * lds + i] = (acc: dst[j * lds + i] +) src[i * ls + j] for i < ni, j < nj (both <= 8) */
static inline __attribute__((always_inline)) void
transpose_op(const float *src, size_t ls, int ni, int nj, float *dst, size_t lds, int acc)
{
    __m256 r[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++)
        r[i] = i < ni ? load_n(src + i * ls, nj) : _mm256_setzero_ps();
    transpose8(r);
    for (int j = 0; j < nj; j++)
        store_n(dst + j * lds, ni, acc ? _mm256_add_ps(load_n(dst + j * lds, ni), r[j]) : r[j]);
}

static inline __attribute__((always_inline)) void
transpose_block(const float *src, size_t ls, int ni, int nj, float *dst, size_t lds)
{
    transpose_op(src, ls, ni, nj, dst, lds, 0);
}

static inline __attribute__((always_inline)) void
transpose_block_acc(const float *src, size_t ls, int ni, int nj, float *dst, size_t lds)
{
    transpose_op(src, ls, ni, nj, dst, lds, 1);
}

void lc_transpose_avx2(const float *src, size_t ls, int ni, int nj, float *dst, size_t lds)
{
    for (int i0 = 0; i0 < ni; i0 += 8)
        for (int j0 = 0; j0 < nj; j0 += 8)
            transpose_block(src + (size_t)i0 * ls + j0, ls, ni - i0 < 8 ? ni - i0 : 8,
                            nj - j0 < 8 ? nj - j0 : 8, dst + (size_t)j0 * lds + i0, lds);
}

/* ---- pooling ---- */

/* ReLU, dropout and max-pool of 8 windows whose four conv outputs (row, column) = (0,0) (0,1)
 * (1,0) (1,1) are v[0..4), keep[q] their keep masks (all ones = kept; NULL: no dropout), vs
 * the dropout scale: the maximum into y and its offset in the window into am (the first n
 * windows), as conv.c's fused_pool2x2 computes them: an element becomes the bits of v * scale
 * where v > 0 and it is kept, +0 otherwise; those bit patterns compare as integers, and the
 * tournament (0 vs 1, 2 vs 3, then the winners) keeps the first maximum. perm: the lanes hold
 * the windows in LC_EVEN / LC_ODD order. */
static inline __attribute__((always_inline)) void
pool_argmax_drop(const __m256 v[4], const __m256 *keep, __m256 vs, int perm, int n, float *y,
                 unsigned char *am)
{
    const __m256 zero = _mm256_setzero_ps();
    __m256i r[4];
#pragma GCC unroll 4
    for (int q = 0; q < 4; q++) {
        __m256 t = keep ? _mm256_and_ps(_mm256_mul_ps(v[q], vs), keep[q]) : v[q];
        r[q] = _mm256_castps_si256(_mm256_and_ps(t, _mm256_cmp_ps(v[q], zero, _CMP_GT_OQ)));
    }
    __m256i i1 = _mm256_cmpgt_epi32(r[1], r[0]), i2 = _mm256_cmpgt_epi32(r[3], r[2]);
    __m256i m1 = _mm256_blendv_epi8(r[0], r[1], i1), m2 = _mm256_blendv_epi8(r[2], r[3], i2);
    __m256i i3 = _mm256_cmpgt_epi32(m2, m1);
    __m256i m = _mm256_blendv_epi8(m1, m2, i3);
    /* i3 ? 2 + [r3 > r2] : [r1 > r0]; the masks are -1 or 0 */
    __m256i idx = _mm256_blendv_epi8(_mm256_sub_epi32(_mm256_setzero_si256(), i1),
                                     _mm256_sub_epi32(_mm256_set1_epi32(2), i2), i3);
    if (perm) {
        m = _mm256_permutevar8x32_epi32(m, unperm());
        idx = _mm256_permutevar8x32_epi32(idx, unperm());
    }
    store_n(y, n, _mm256_castsi256_ps(m));
    __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(idx), _mm256_extracti128_si256(idx, 1));
    lc_store_bytes8(am, _mm_packus_epi16(w16, w16), n);
}

/* ---- direct ---- */

/* the floats of row from column at on (zero at Wp and past), without pointing past the row */
static inline __m256 row_at(const float *row, int at, int Wp)
{
    return Wp > at ? load_n(row + at, Wp - at) : _mm256_setzero_ps();
}

/* Pooled row py, pooled columns px0 .. px0+8 of every output channel. E holds, for each input
 * channel and each of the 4 input rows 2py .. 2py+3, the columns 2px + j (j = 0..3) of the 8
 * windows (in LC_EVEN order): E[(ci*4 + r)*4 + j]. Conv output (2py + a, 2px + q) takes rows
 * a .. a+2 and columns q .. q+2 of those. C is a constant where this is inlined. */
static inline __attribute__((always_inline)) void
direct_pool_row(int C, int OC, const float *X, size_t plane, int Wp, int py, int px0, int POH,
                int POW, const float *w, const float *b, float *y, unsigned char *am)
{
    __m256 E[LC_CONV_EVAL_DIRECT_MAX_C * 16];
    const __m256 zero = _mm256_setzero_ps();
    int c0 = 2 * px0;
#pragma GCC unroll 4
    for (int ci = 0; ci < C; ci++)
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++) {
            const float *row = X + ci * plane + (size_t)(2 * py + r) * Wp;
            __m256 lo = row_at(row, c0, Wp), hi = row_at(row, c0 + 8, Wp);
            __m256 lo2 = row_at(row, c0 + 2, Wp), hi2 = row_at(row, c0 + 10, Wp);
            __m256 *e = E + (ci * 4 + r) * 4;
            e[0] = _mm256_shuffle_ps(lo, hi, LC_EVEN);
            e[1] = _mm256_shuffle_ps(lo, hi, LC_ODD);
            e[2] = _mm256_shuffle_ps(lo2, hi2, LC_EVEN);
            e[3] = _mm256_shuffle_ps(lo2, hi2, LC_ODD);
        }
    int n = POW - px0;
    size_t on = (size_t)POH * POW;
    /* two output channels at a time: 8 independent FMA chains */
    for (int oc = 0; oc < OC; oc += 2) {
        int two = oc + 1 < OC;
        const float *wk = w + (size_t)oc * C * 9, *wk2 = two ? wk + C * 9 : wk;
        __m256 a[2][4];
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++)
#pragma GCC unroll 4
            for (int q = 0; q < 4; q++)
                a[h][q] = zero;
#pragma GCC unroll 36
        for (int k = 0; k < C * 9; k++) { /* taps ascending: (ci, kh, kw) */
            int ci = k / 9, kh = k / 3 % 3, kw = k % 3;
            const __m256 *e0 = E + (ci * 4 + kh) * 4 + kw, *e1 = e0 + 4;
            __m256 wv[2] = {_mm256_broadcast_ss(wk + k), _mm256_broadcast_ss(wk2 + k)};
#pragma GCC unroll 2
            for (int h = 0; h < 2; h++) {
                a[h][0] = _mm256_fmadd_ps(wv[h], e0[0], a[h][0]);
                a[h][1] = _mm256_fmadd_ps(wv[h], e0[1], a[h][1]);
                a[h][2] = _mm256_fmadd_ps(wv[h], e1[0], a[h][2]);
                a[h][3] = _mm256_fmadd_ps(wv[h], e1[1], a[h][3]);
            }
        }
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++) {
            if (h == 1 && !two)
                break;
            if (b) { /* the GEMM's last k step: b * 1 + acc */
                __m256 bv = _mm256_broadcast_ss(b + oc + h);
#pragma GCC unroll 4
                for (int q = 0; q < 4; q++)
                    a[h][q] = _mm256_add_ps(a[h][q], bv);
            }
            size_t at = (oc + h) * on + (size_t)py * POW + px0;
            if (am) { /* training: the window offsets too, exactly as conv.c's fused_pool2x2 */
                pool_argmax_drop(a[h], NULL, _mm256_set1_ps(1.0f), 1, n, y + at, am + at);
                continue;
            }
            /* ReLU then max == max then ReLU; max_ps(-0, +0) is +0, as the ReLU gives */
            __m256 m = _mm256_max_ps(_mm256_max_ps(a[h][0], a[h][1]),
                                     _mm256_max_ps(a[h][2], a[h][3]));
            m = _mm256_permutevar8x32_ps(_mm256_max_ps(m, zero), unperm());
            store_n(y + at, n, m);
        }
    }
}

/* The pooled block with output channels in the lanes (8 from o0), straight into the next
 * block's (H, W, C) images: no transposes, and only the rows x cols windows the next block
 * reads, NP pooled columns at a time (NP and C are constants where this is inlined). Each
 * output sums its taps in the same order as direct_pool_row (taps ascending, bias last): the
 * same bits. wt: the 8 channels' weights, tap by tap. */
static inline __attribute__((always_inline)) void
direct_hwc_cols(int C, int NP, int OC, int o0, const float *X, size_t plane, int Wp,
                const __m256 *wt, __m256 bv, const lc_conv_eval_hwc *hwc, int py, int px,
                float *xh)
{
    const __m256 zero = _mm256_setzero_ps();
    const float *base = X + (size_t)2 * py * Wp + 2 * px;
    __m256 a[2][4];
#pragma GCC unroll 2
    for (int p = 0; p < NP; p++)
#pragma GCC unroll 4
        for (int q = 0; q < 4; q++)
            a[p][q] = zero;
#pragma GCC unroll 36
    for (int k = 0; k < C * 9; k++) { /* taps ascending: (ci, kh, kw) */
        int ci = k / 9, kh = k / 3 % 3, kw = k % 3;
        const float *t = base + ci * plane + (size_t)kh * Wp + kw;
        __m256 wv = wt[k];
#pragma GCC unroll 2
        for (int p = 0; p < NP; p++) {
            const float *tp = t + 2 * p;
            a[p][0] = _mm256_fmadd_ps(wv, _mm256_broadcast_ss(tp), a[p][0]);
            a[p][1] = _mm256_fmadd_ps(wv, _mm256_broadcast_ss(tp + 1), a[p][1]);
            a[p][2] = _mm256_fmadd_ps(wv, _mm256_broadcast_ss(tp + Wp), a[p][2]);
            a[p][3] = _mm256_fmadd_ps(wv, _mm256_broadcast_ss(tp + Wp + 1), a[p][3]);
        }
    }
    float *d = xh + ((size_t)(py + hwc->oy) * hwc->Wp + px + hwc->ox) * OC + o0;
#pragma GCC unroll 2
    for (int p = 0; p < NP; p++) {
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_add_ps(a[p][0], bv),
                                               _mm256_add_ps(a[p][1], bv)),
                                 _mm256_max_ps(_mm256_add_ps(a[p][2], bv),
                                               _mm256_add_ps(a[p][3], bv)));
        store_n(d + (size_t)p * OC, OC - o0, _mm256_max_ps(m, zero));
    }
}

static inline __attribute__((always_inline)) void
direct_hwc_block(int C, int OC, int o0, const float *X, size_t plane, int Wp, const float *w,
                 const float *b, const lc_conv_eval_hwc *hwc, float *xh)
{
    __m256 wt[LC_CONV_EVAL_DIRECT_MAX_C * 9];
    float lane[8];
    int n = OC - o0 < 8 ? OC - o0 : 8;
    for (int k = 0; k < C * 9; k++) {
        for (int o = 0; o < 8; o++)
            lane[o] = o < n ? w[(size_t)(o0 + o) * C * 9 + k] : 0.0f;
        wt[k] = _mm256_loadu_ps(lane);
    }
    __m256 bv = b ? load_n(b + o0, n) : _mm256_setzero_ps();
    for (int py = 0; py < hwc->rows; py++) {
        int px = 0;
        for (; px + 2 <= hwc->cols; px += 2)
            direct_hwc_cols(C, 2, OC, o0, X, plane, Wp, wt, bv, hwc, py, px, xh);
        if (px < hwc->cols)
            direct_hwc_cols(C, 1, OC, o0, X, plane, Wp, wt, bv, hwc, py, px, xh);
    }
}

/* Output row oy, columns ox0 .. ox0+8 of every output channel (no pooling). */
static inline __attribute__((always_inline)) void
direct_row(int C, int OC, const float *X, size_t plane, int Wp, int oy, int ox0, int OH, int OW,
           const float *w, const float *b, float *y)
{
    __m256 E[LC_CONV_EVAL_DIRECT_MAX_C * 9];
    const __m256 zero = _mm256_setzero_ps();
    for (int ci = 0; ci < C; ci++)
        for (int kh = 0; kh < 3; kh++) {
            const float *row = X + ci * plane + (size_t)(oy + kh) * Wp;
            for (int kw = 0; kw < 3; kw++)
                E[(ci * 3 + kh) * 3 + kw] = row_at(row, ox0 + kw, Wp);
        }
    size_t on = (size_t)OH * OW;
    for (int oc = 0; oc < OC; oc++) {
        const float *wk = w + (size_t)oc * C * 9;
        __m256 a = zero;
        for (int k = 0; k < C * 9; k++)
            a = _mm256_fmadd_ps(_mm256_broadcast_ss(wk + k), E[k], a);
        if (b)
            a = _mm256_add_ps(a, _mm256_broadcast_ss(b + oc));
        store_n(y + oc * on + (size_t)oy * OW + ox0, OW - ox0, _mm256_max_ps(a, zero));
    }
}

/* One sample: into the next block's images (hwc), or into y (and, training a pooled block,
 * the window offsets into am; NULL in evaluation). */
static void direct_sample(const lc_conv2d *c, const lc_conv_eval *e, const float *x,
                          const float *w, const float *b, float *y, const lc_conv_eval_hwc *hwc,
                          float *xh, unsigned char *am, float *scratch)
{
    const float *X = x;
    if (c->ph || c->pw) {
        lc_conv_eval_pad_planes(c, x, scratch + e->xh);
        X = scratch + e->xh;
    }
    size_t plane = (size_t)e->Hp * e->Wp;
    if (hwc) { /* pooled, into the next block's images */
        for (int o0 = 0; o0 < c->OC; o0 += 8) {
            if (c->C == 1)
                direct_hwc_block(1, c->OC, o0, X, plane, e->Wp, w, b, hwc, xh);
            else
                direct_hwc_block(c->C, c->OC, o0, X, plane, e->Wp, w, b, hwc, xh);
        }
        return;
    }
    if (e->pool) {
        for (int py = 0; py < e->TH; py++)
            for (int px0 = 0; px0 < e->TW; px0 += 8) {
                if (c->C == 1)
                    direct_pool_row(1, c->OC, X, plane, e->Wp, py, px0, e->TH, e->TW, w, b, y,
                                    am);
                else
                    direct_pool_row(c->C, c->OC, X, plane, e->Wp, py, px0, e->TH, e->TW, w, b,
                                    y, am);
            }
        return;
    }
    for (int oy = 0; oy < c->OH; oy++)
        for (int ox0 = 0; ox0 < c->OW; ox0 += 8) {
            if (c->C == 1)
                direct_row(1, c->OC, X, plane, e->Wp, oy, ox0, c->OH, c->OW, w, b, y);
            else
                direct_row(c->C, c->OC, X, plane, e->Wp, oy, ox0, c->OH, c->OW, w, b, y);
        }
}

/* ---- Winograd F(2x2, 3x3) ---- */

/* x (C,H,W) as (Hp, Wp, C), zero outside the image (padding, and the extra row/column an odd
 * output size leaves in the last tile) */
static void to_hwc(const lc_conv2d *c, const lc_conv_eval *e, const float *x, float *xh)
{
    int C = c->C, Wp = e->Wp, Hp = e->Hp;
    if (c->ph || c->pw || Hp > c->H || Wp > c->W)
        memset(xh, 0, (size_t)Hp * Wp * C * sizeof *xh);
    int rows = c->H < Hp - c->ph ? c->H : Hp - c->ph;
    int cols = c->W < Wp - c->pw ? c->W : Wp - c->pw;
    size_t plane = (size_t)c->H * c->W;
    for (int r = 0; r < 2 && r < rows; r++)
        lc_conv_eval_prefetch_row(x, C, plane, c->W, r, cols);
    for (int r = 0; r < rows; r++) {
        float *d = xh + ((size_t)(r + c->ph) * Wp + c->pw) * C;
        if (r + 2 < rows)
            lc_conv_eval_prefetch_row(x, C, plane, c->W, r + 2, cols);
        for (int c0 = 0; c0 < C; c0 += 8)
            for (int q0 = 0; q0 < cols; q0 += 8)
                transpose_block(x + c0 * plane + (size_t)r * c->W + q0, plane,
                                C - c0 < 8 ? C - c0 : 8, cols - q0 < 8 ? cols - q0 : 8,
                                d + (size_t)q0 * C + c0, (size_t)C);
    }
}

/* V = B^T d B of one 4x4 tile (top-left at t, row stride rs, column stride C), n <= 8
 * channels, into v[pos * vs] for the 16 positions */
static inline __attribute__((always_inline)) void
wino_in(const float *t, size_t rs, int C, int n, float *v, size_t vs)
{
    __m256 d[4][4], u[4][4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++)
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++)
            d[i][j] = load_n(t + i * rs + (size_t)j * C, n);
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        u[0][j] = _mm256_sub_ps(d[0][j], d[2][j]);
        u[1][j] = _mm256_add_ps(d[1][j], d[2][j]);
        u[2][j] = _mm256_sub_ps(d[2][j], d[1][j]);
        u[3][j] = _mm256_sub_ps(d[1][j], d[3][j]);
    }
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        store_n(v + (size_t)(i * 4 + 0) * vs, n, _mm256_sub_ps(u[i][0], u[i][2]));
        store_n(v + (size_t)(i * 4 + 1) * vs, n, _mm256_add_ps(u[i][1], u[i][2]));
        store_n(v + (size_t)(i * 4 + 2) * vs, n, _mm256_sub_ps(u[i][2], u[i][1]));
        store_n(v + (size_t)(i * 4 + 3) * vs, n, _mm256_sub_ps(u[i][1], u[i][3]));
    }
}

/* Y = A^T M A of one tile, 8 output channels: M's 16 positions at m + pos * ms, into
 * y[0..2)[0..2) (wino_out6's array) */
static inline __attribute__((always_inline)) void
wino_out(const float *m, size_t ms, __m256 y[4][4])
{
    __m256 s[2][4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        __m256 m0 = _mm256_loadu_ps(m + (size_t)(0 * 4 + j) * ms);
        __m256 m1 = _mm256_loadu_ps(m + (size_t)(1 * 4 + j) * ms);
        __m256 m2 = _mm256_loadu_ps(m + (size_t)(2 * 4 + j) * ms);
        __m256 m3 = _mm256_loadu_ps(m + (size_t)(3 * 4 + j) * ms);
        s[0][j] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
        s[1][j] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
    }
#pragma GCC unroll 2
    for (int i = 0; i < 2; i++) {
        y[i][0] = _mm256_add_ps(_mm256_add_ps(s[i][0], s[i][1]), s[i][2]);
        y[i][1] = _mm256_sub_ps(_mm256_sub_ps(s[i][1], s[i][2]), s[i][3]);
    }
}

/* ---- Winograd F(4x4, 3x3) (the operations of conv_eval_avx512.c's, 8 lanes wide) ---- */

/* r = B^T d of six values, for the points 0, 1, -1, 1/2, -2 and infinity: about half the
 * rounding error of Lavin & Gray's 0, 1, -1, 2, -2 (largest errors 2.5 times smaller, in a
 * float32 simulation of these operations) */
static inline __attribute__((always_inline)) void tr6_in(const __m256 d[6], __m256 r[6])
{
    const __m256 half = _mm256_set1_ps(0.5f), one5 = _mm256_set1_ps(1.5f);
    const __m256 two = _mm256_set1_ps(2.0f);
    __m256 t = _mm256_sub_ps(d[3], d[1]), e = _mm256_sub_ps(d[4], d[2]);
    __m256 u = _mm256_fmadd_ps(half, _mm256_add_ps(d[2], d[3]), d[4]);
    r[0] = _mm256_fmadd_ps(one5, t, _mm256_fnmadd_ps(two, d[2], _mm256_add_ps(d[0], d[4])));
    r[1] = _mm256_add_ps(u, _mm256_fmsub_ps(two, d[3], d[1]));
    r[2] = _mm256_add_ps(u, _mm256_fnmadd_ps(_mm256_set1_ps(3.0f), d[2], d[1]));
    r[3] = _mm256_fmadd_ps(two, t, e);
    r[4] = _mm256_fnmadd_ps(half, t, e);
    r[5] = _mm256_fmadd_ps(one5, e, _mm256_fnmadd_ps(two, d[3], _mm256_add_ps(d[1], d[5])));
}

/* V = B^T d B of one 6x6 tile (top-left at t, row stride rs, column stride C), n <= 8
 * channels, into v[pos * vs] for the 36 positions */
static inline __attribute__((always_inline)) void
wino_in6(const float *t, size_t rs, int C, int n, float *v, size_t vs)
{
    __m256 w[6][6];
#pragma GCC unroll 6
    for (int i = 0; i < 6; i++) {
        __m256 d[6];
#pragma GCC unroll 6
        for (int j = 0; j < 6; j++)
            d[j] = load_n(t + i * rs + (size_t)j * C, n);
        tr6_in(d, w[i]);
    }
#pragma GCC unroll 6
    for (int k = 0; k < 6; k++) {
        __m256 col[6] = {w[0][k], w[1][k], w[2][k], w[3][k], w[4][k], w[5][k]}, r[6];
        tr6_in(col, r);
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++)
            store_n(v + (size_t)(i * 6 + k) * vs, n, r[i]);
    }
}

/* y = A^T m of six values */
static inline __attribute__((always_inline)) void tr6_out(const __m256 m[6], __m256 y[4])
{
    const __m256 two = _mm256_set1_ps(2.0f), four = _mm256_set1_ps(4.0f);
    const __m256 eight = _mm256_set1_ps(8.0f), eighth = _mm256_set1_ps(0.125f);
    __m256 a = _mm256_add_ps(m[1], m[2]), b = _mm256_sub_ps(m[1], m[2]);
    y[0] = _mm256_add_ps(_mm256_add_ps(m[0], a), _mm256_add_ps(m[3], m[4]));
    y[1] = _mm256_fmadd_ps(_mm256_set1_ps(0.5f), m[3], _mm256_fnmadd_ps(two, m[4], b));
    y[2] = _mm256_fmadd_ps(_mm256_set1_ps(0.25f), m[3], _mm256_fmadd_ps(four, m[4], a));
    y[3] = _mm256_add_ps(_mm256_fmadd_ps(eighth, m[3], _mm256_fnmadd_ps(eight, m[4], b)), m[5]);
}

/* Y = A^T M A of one tile, 8 output channels: M's 36 positions at m + pos * ms */
static inline __attribute__((always_inline)) void
wino_out6(const float *m, size_t ms, __m256 y[4][4])
{
    __m256 s[4][6];
#pragma GCC unroll 6
    for (int k = 0; k < 6; k++) {
        __m256 col[6], r[4];
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++)
            col[i] = _mm256_loadu_ps(m + (size_t)(i * 6 + k) * ms);
        tr6_out(col, r);
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++)
            s[i][k] = r[i];
    }
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++)
        tr6_out(s[i], y[i]);
}

static void wino_group(const lc_conv2d *c, const lc_conv_eval *e, int G, const float *x,
                       const float *b, const float *u, float *y, float *scratch,
                       const lc_conv_eval_drop *drop, unsigned char *am)
{
    const int C = c->C, OC = c->OC, TW = e->TW, T = e->TH * e->TW, Wp = e->Wp;
    const int GT = G * T, WM = e->wm, NPOS = e->npos;
    /* the panels of output channels this call computes (all but in a split group) */
    const int np0 = e->np1 > 0 ? e->np0 : 0, np1 = e->np1 > 0 ? e->np1 : e->NP;
    const int co0 = np0 * NR, co1 = np1 * NR < OC ? np1 * NR : OC;
    /* a tile's products (NPOS positions) for one 16-channel panel, plus 16 floats so that the
     * kernel's 6 rows are not a power of two apart */
    const size_t ldm = (size_t)NPOS * NR + 16;
    const size_t img = (size_t)e->Hp * Wp * C, in = (size_t)C * c->H * c->W;
    /* block outputs per channel and the rows and columns they form */
    const int YH = e->pool ? c->OH / 2 : c->OH, YW = e->pool ? c->OW / 2 : c->OW;
    const size_t P = (size_t)YH * YW;
    float *xh = scratch + e->xh, *V = scratch + e->v, *M = scratch + e->mp, *St = scratch + e->st;
    const __m256 zero = _mm256_setzero_ps();

    for (int s = 0; x && s < G; s++)
        to_hwc(c, e, x + s * in, xh + s * img);
    /* training: each sample's keep masks, drawn in the full (uncropped) output layout (OC, OH,
     * OW), then transposed to (OH, OW, OC) so that a tile's 8 channels are one load (AVX2's
     * gathers are slow); moves and shuffles keep the bits */
    const size_t kOW = (size_t)c->OW, kOHW = (size_t)c->OH * c->OW;
    float *km = scratch + e->km, *kd = scratch + e->kd;
    unsigned char *Sa = (unsigned char *)(scratch + e->sa);
    const int dropping = am && drop->rate > 0.0f;
    const __m256 vs = _mm256_set1_ps(dropping ? drop->scale : 1.0f);
    for (int s = 0; dropping && s < G; s++) {
        lc_keep_masks_avx2(
            lc_dropout_key(drop->seed, drop->layer, drop->step, (uint64_t)(drop->s0 + s)),
            (size_t)OC * kOHW, drop->thr, (uint32_t *)kd);
        for (int co = 0; co < OC; co += 8)
            for (size_t q0 = 0; q0 < kOHW; q0 += 8)
                transpose_block(kd + (size_t)co * kOHW + q0, kOHW, OC - co < 8 ? OC - co : 8,
                                kOHW - q0 < 8 ? (int)(kOHW - q0) : 8,
                                km + (s * kOHW + q0) * OC + co, (size_t)OC);
    }

    /* Blocks of e->pb panels of MR tiles (see conv_eval_avx512.c's wino_group) */
    const int PBT = (e->pb > 0 ? e->pb : 1) * MR;
    for (int b0 = 0; b0 < GT; b0 += PBT) {
        const int bn = GT - b0 < PBT ? GT - b0 : PBT; /* the block's tiles */
        for (int q0 = 0; q0 < bn; q0 += MR) {
            float *Vq = V + (size_t)(q0 / MR) * NPOS * MR * C;
            int mr = bn - q0 < MR ? bn - q0 : MR;
            int R = mr <= 3 ? 3 : MR; /* rows the micro-kernel reads */
            for (int r = 0; r < mr; r++) {
                int g = b0 + q0 + r, s = g / T, t = g % T, ty = t / TW, tx = t % TW;
                const float *tile = xh + s * img + ((size_t)WM * ty * Wp + WM * tx) * C;
                for (int c0 = 0; c0 < C; c0 += 8)
                    if (WM == 2)
                        wino_in(tile + c0, (size_t)Wp * C, C, C - c0, Vq + (size_t)r * C + c0,
                                (size_t)MR * C);
                    else
                        wino_in6(tile + c0, (size_t)Wp * C, C, C - c0, Vq + (size_t)r * C + c0,
                                 (size_t)MR * C);
            }
            for (int pos = 0; pos < NPOS; pos++)
                for (int r = mr; r < R; r++)
                    memset(Vq + ((size_t)pos * MR + r) * C, 0, (size_t)C * sizeof *V);
        }
        for (int np = np0; np < np1; np++) { /* 16 output channels */
            int nr = OC - np * NR < NR ? OC - np * NR : NR;
            for (int pos = 0; pos < NPOS; pos++)
                for (int q0 = 0; q0 < bn; q0 += MR)
                    lc_sgemm_kernel_avx2(C, V + ((size_t)(q0 / MR) * NPOS + pos) * MR * C, C, 1,
                                         u + ((size_t)pos * e->NP + np) * C * NR,
                                         M + (size_t)q0 * ldm + (size_t)pos * NR, (ptrdiff_t)ldm,
                                         bn - q0 < MR ? bn - q0 : MR, nr, 1.0f, 0.0f);
            for (int r = 0; r < bn; r++) {
                int g = b0 + r, s = g / T, t = g % T, ty = t / TW, tx = t % TW;
                const float *mt = M + (size_t)r * ldm - (size_t)np * NR;
                float *st = St + (size_t)s * P * OC;
                for (int co = np * NR; co < np * NR + nr; co += 8) {
                    int n = OC - co;
                    __m256 yv[4][4]; /* the tile's WM x WM outputs */
                    if (WM == 4)
                        wino_out6(mt + co, (size_t)NR, yv);
                    else
                        wino_out(mt + co, (size_t)NR, yv);
                    __m256 bv = b ? load_n(b + co, n) : zero;
                    if (am) { /* training: bias, ReLU, dropout, max and its offset */
                        __m256 v4[4] = {_mm256_add_ps(yv[0][0], bv), _mm256_add_ps(yv[0][1], bv),
                                        _mm256_add_ps(yv[1][0], bv), _mm256_add_ps(yv[1][1], bv)};
                        __m256 keep[4];
                        const float *k0 =
                            km + (s * kOHW + (size_t)2 * ty * kOW + 2 * tx) * OC + co;
                        for (int q = 0; dropping && q < 4; q++)
                            keep[q] = load_n(k0 + ((q >> 1) * kOW + (q & 1)) * OC, n);
                        size_t at = ((size_t)s * P + (size_t)ty * YW + tx) * OC + co;
                        pool_argmax_drop(v4, dropping ? keep : NULL, vs, 0, n, St + at, Sa + at);
                        continue;
                    }
                    if (e->pool) { /* the tile is one window: max, then bias and ReLU */
                        __m256 mx = _mm256_max_ps(_mm256_max_ps(yv[0][0], yv[0][1]),
                                                  _mm256_max_ps(yv[1][0], yv[1][1]));
                        mx = _mm256_max_ps(_mm256_add_ps(mx, bv), zero);
                        store_n(st + ((size_t)ty * YW + tx) * OC + co, n, mx);
                        continue;
                    }
                    for (int i = 0; i < WM && WM * ty + i < YH; i++) /* unpooled */
                        for (int j = 0; j < WM && WM * tx + j < YW; j++) {
                            __m256 v = _mm256_add_ps(yv[i][j], bv);
                            store_n(st + ((size_t)(WM * ty + i) * YW + WM * tx + j) * OC + co, n,
                                    e->linear ? v : _mm256_max_ps(v, zero));
                        }
                }
            }
        }
    }

    for (int s = 0; s < G; s++) /* (P, OC) -> (OC, P) */
        for (size_t p0 = 0; p0 < P; p0 += 8)
            for (int co = co0; co < co1; co += 8)
                (e->acc ? transpose_block_acc : transpose_block)(
                    St + ((size_t)s * P + p0) * OC + co, (size_t)OC,
                    P - p0 < 8 ? (int)(P - p0) : 8, co1 - co < 8 ? co1 - co : 8,
                    y + ((size_t)s * OC + co) * P + p0, P);
    for (int s = 0; am && s < G; s++) /* the offsets likewise, bytes */
        for (int oc = co0; oc < co1; oc++)
            for (size_t q = 0; q < P; q++)
                am[((size_t)s * OC + oc) * P + q] = Sa[((size_t)s * P + q) * OC + oc];
}

void lc_conv_eval_group_avx2(const lc_conv2d *c, const lc_conv_eval *e, int G, const float *x,
                             const float *w, const float *b, const float *u, float *y,
                             const lc_conv_eval_hwc *hwc, float *scratch)
{
    if (e->kind == LC_CONV_EVAL_WINOGRAD) {
        wino_group(c, e, G, x, b, u, y, scratch, NULL, NULL);
        return;
    }
    size_t in = (size_t)c->C * c->H * c->W;
    size_t on = (size_t)c->OC * e->TH * e->TW; /* DIRECT: TH x TW is the block output */
    for (int s = 0; s < G; s++) {
        float *xh = NULL;
        if (hwc) {
            xh = hwc->xh + s * hwc->img;
            if (hwc->zero)
                memset(xh, 0, hwc->img * sizeof *xh);
        }
        direct_sample(c, e, x + s * in, w, b, hwc ? NULL : y + s * on, hwc, xh, NULL, scratch);
    }
}

void lc_conv_direct_train_avx2(const lc_conv2d *c, const lc_conv_eval *e, const float *x,
                               const float *w, const float *b, float *y, unsigned char *am,
                               float *scratch)
{
    direct_sample(c, e, x, w, b, y, NULL, NULL, am, scratch);
}

void lc_conv_wino_train_avx2(const lc_conv2d *c, const lc_conv_eval *e, int G, const float *x,
                             const float *b, const float *u, const lc_conv_eval_drop *d,
                             float *y, unsigned char *am, float *scratch)
{
    wino_group(c, e, G, x, b, u, y, scratch, d, am);
}
