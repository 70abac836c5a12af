/* conv_eval_avx512.c - the evaluation-only forward of a fused conv block under AVX-512: the
 * direct 3x3 path for few input channels and Winograd F(2x2, 3x3) for more (lc_conv_eval.h
 * says when each applies). Compiled with -mavx512*; conv_eval.c calls it only when the run-time
 * check chose AVX-512. */
#include "lc_conv_eval.h"
#include "lc_conv_isa.h"

#include "gemm_kernels.h"
#include "lc_avx512.h"
#include "lc_dropmask.h"
#include "lc_layers.h"

#include <immintrin.h>
#include <string.h>

#define MR LC_GEMM_AVX512_MR
#define NR LC_GEMM_AVX512_NR

/* ---- transposes ---- */

/* r[0..16) transposed in place: afterwards r[j] holds what was column j */
static inline __attribute__((always_inline)) void transpose16(__m512 r[16])
{
    __m512 a[16], b[16];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++) {
        a[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        a[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) { /* b[4i + k], 128-bit lane L: column 4L + k of rows 4i.. */
        __m512d a0 = _mm512_castps_pd(a[4 * i]), a1 = _mm512_castps_pd(a[4 * i + 1]);
        __m512d a2 = _mm512_castps_pd(a[4 * i + 2]), a3 = _mm512_castps_pd(a[4 * i + 3]);
        b[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a0, a2));
        b[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a0, a2));
        b[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(a1, a3));
        b[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(a1, a3));
    }
#pragma GCC unroll 2
    for (int i = 0; i < 2; i++)
#pragma GCC unroll 4
        for (int k = 0; k < 4; k++) {
            a[8 * i + k] = _mm512_shuffle_f32x4(b[8 * i + k], b[8 * i + 4 + k], 0x88);
            a[8 * i + 4 + k] = _mm512_shuffle_f32x4(b[8 * i + k], b[8 * i + 4 + k], 0xdd);
        }
#pragma GCC unroll 8
    for (int k = 0; k < 8; k++) {
        r[k] = _mm512_shuffle_f32x4(a[k], a[8 + k], 0x88);
        r[k + 8] = _mm512_shuffle_f32x4(a[k], a[8 + k], 0xdd);
    }
}

/* dst[j * lds + i] = (acc: dst[j * lds + i] +) src[i * ls + j] for i < ni, j < nj (both <= 16) */
static inline __attribute__((always_inline)) void
transpose_op(const float *src, size_t ls, int ni, int nj, float *dst, size_t lds, int acc)
{
    __m512 r[16];
    __mmask16 mj = lc_lanes16(nj), mi = lc_lanes16(ni);
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++)
        r[i] = i < ni ? _mm512_maskz_loadu_ps(mj, src + i * ls) : _mm512_setzero_ps();
    transpose16(r);
    for (int j = 0; j < nj; j++)
        _mm512_mask_storeu_ps(
            dst + j * lds, mi,
            acc ? _mm512_add_ps(_mm512_maskz_loadu_ps(mi, dst + j * lds), r[j]) : r[j]);
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

void lc_transpose_avx512(const float *src, size_t ls, int ni, int nj, float *dst, size_t lds)
{
    for (int i0 = 0; i0 < ni; i0 += 16)
        for (int j0 = 0; j0 < nj; j0 += 16)
            transpose_block(src + (size_t)i0 * ls + j0, ls, ni - i0 < 16 ? ni - i0 : 16,
                            nj - j0 < 16 ? nj - j0 : 16, dst + (size_t)j0 * lds + i0, lds);
}

/* ---- direct ---- */

/* the direct kernels' accumulators: two sets (channels or channel blocks) of four outputs */
static inline __attribute__((always_inline)) void acc_zero(__m512 a[2][4])
{
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++)
#pragma GCC unroll 4
        for (int q = 0; q < 4; q++)
            a[h][q] = _mm512_setzero_ps();
}

/* ReLU, dropout and max-pool of 16 windows whose four conv outputs (row, column) = (0,0) (0,1)
 * (1,0) (1,1) are v[0..4), keep[q] their keep masks (all ones = kept; NULL: no dropout), vs
 * the dropout scale: the maximum into y and its offset in the window into am, as conv.c's
 * fused_pool2x2 computes them: an element becomes the bits of v * scale where v > 0 and it is
 * kept, +0 otherwise; those bit patterns compare as integers, and the tournament (0 vs 1,
 * 2 vs 3, then the winners) keeps the first maximum. */
static inline __attribute__((always_inline)) void
pool_argmax_drop(const __m512 v[4], const __m512i *keep, __m512 vs, __mmask16 om, float *y,
                 unsigned char *am)
{
    const __m512 zero = _mm512_setzero_ps();
    __m512i r[4];
#pragma GCC unroll 4
    for (int q = 0; q < 4; q++) {
        __m512i t = _mm512_castps_si512(keep ? _mm512_mul_ps(v[q], vs) : v[q]);
        if (keep)
            t = _mm512_and_si512(t, keep[q]);
        r[q] = _mm512_maskz_mov_epi32(_mm512_cmp_ps_mask(v[q], zero, _CMP_GT_OQ), t);
    }
    __mmask16 i1 = _mm512_cmpgt_epi32_mask(r[1], r[0]), i2 = _mm512_cmpgt_epi32_mask(r[3], r[2]);
    __m512i m1 = _mm512_mask_blend_epi32(i1, r[0], r[1]);
    __m512i m2 = _mm512_mask_blend_epi32(i2, r[2], r[3]);
    __mmask16 i3 = _mm512_cmpgt_epi32_mask(m2, m1);
    const __m512i one = _mm512_set1_epi32(1), two = _mm512_set1_epi32(2);
    __m512i idx = _mm512_mask_blend_epi32(i3, _mm512_maskz_mov_epi32(i1, one),
                                          _mm512_mask_add_epi32(two, i2, two, one));
    _mm512_mask_storeu_ps(y, om, _mm512_castsi512_ps(_mm512_mask_blend_epi32(i3, m1, m2)));
    _mm512_mask_cvtepi32_storeu_epi8(am, om, idx);
}

/* without dropout */
static inline __attribute__((always_inline)) void pool_argmax(const __m512 v[4], __mmask16 om,
                                                              float *y, unsigned char *am)
{
    pool_argmax_drop(v, NULL, _mm512_set1_ps(1.0f), om, y, am);
}

/* Pooled row py, pooled columns px0 .. px0+16 of every output channel. E holds, for each input
 * channel and each of the 4 input rows 2py .. 2py+3, the columns 2px + j (j = 0..3) of the 16
 * windows: E[(ci*4 + r)*4 + j]. Conv output (2py + a, 2px + q) takes rows a .. a+2 and columns
 * q .. q+2 of those. C is a constant where this is inlined, so E can stay in registers. */
static inline __attribute__((always_inline)) void
direct_pool_row(int C, int OC, const float *X, size_t plane, int Wp, int py, int px0, int POH,
                int POW, const float *w, const float *b, float *y, unsigned char *am)
{
    __m512 E[LC_CONV_EVAL_DIRECT_MAX_C * 16];
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __m512 zero = _mm512_setzero_ps();
    int c0 = 2 * px0;
#pragma GCC unroll 4
    for (int ci = 0; ci < C; ci++)
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++) {
            const float *row = X + ci * plane + (size_t)(2 * py + r) * Wp;
            __m512 lo = _mm512_maskz_loadu_ps(lc_lanes16(Wp - c0), row + c0);
            __m512 hi = _mm512_maskz_loadu_ps(lc_lanes16(Wp - c0 - 16), row + c0 + (Wp > c0 + 16 ? 16 : 0));
            __m512 lo2 = _mm512_maskz_loadu_ps(lc_lanes16(Wp - c0 - 2), row + c0 + (Wp > c0 + 2 ? 2 : 0));
            __m512 hi2 = _mm512_maskz_loadu_ps(lc_lanes16(Wp - c0 - 18), row + c0 + (Wp > c0 + 18 ? 18 : 0));
            __m512 *e = E + (ci * 4 + r) * 4;
            e[0] = _mm512_permutex2var_ps(lo, even, hi);
            e[1] = _mm512_permutex2var_ps(lo, odd, hi);
            e[2] = _mm512_permutex2var_ps(lo2, even, hi2);
            e[3] = _mm512_permutex2var_ps(lo2, odd, hi2);
        }
    __mmask16 om = lc_lanes16(POW - px0);
    size_t on = (size_t)POH * POW;
    /* two output channels at a time: 8 independent FMA chains keep both FMA pipes busy */
    for (int oc = 0; oc < OC; oc += 2) {
        int two = oc + 1 < OC;
        const float *wk = w + (size_t)oc * C * 9, *wk2 = two ? wk + C * 9 : wk;
        __m512 a[2][4];
        acc_zero(a);
#pragma GCC unroll 36
        for (int k = 0; k < C * 9; k++) { /* taps ascending: (ci, kh, kw) */
            int ci = k / 9, kh = k / 3 % 3, kw = k % 3;
            const __m512 *e0 = E + (ci * 4 + kh) * 4 + kw, *e1 = e0 + 4;
            __m512 wv[2] = {_mm512_set1_ps(wk[k]), _mm512_set1_ps(wk2[k])};
#pragma GCC unroll 2
            for (int h = 0; h < 2; h++) {
                a[h][0] = _mm512_fmadd_ps(wv[h], e0[0], a[h][0]);
                a[h][1] = _mm512_fmadd_ps(wv[h], e0[1], a[h][1]);
                a[h][2] = _mm512_fmadd_ps(wv[h], e1[0], a[h][2]);
                a[h][3] = _mm512_fmadd_ps(wv[h], e1[1], a[h][3]);
            }
        }
#pragma GCC unroll 2
        for (int h = 0; h < 2; h++) {
            if (h == 1 && !two)
                break;
            if (b) { /* the GEMM's last k step: b * 1 + acc */
                __m512 bv = _mm512_set1_ps(b[oc + h]);
#pragma GCC unroll 4
                for (int q = 0; q < 4; q++)
                    a[h][q] = _mm512_add_ps(a[h][q], bv);
            }
            size_t at = (oc + h) * on + (size_t)py * POW + px0;
            if (am) { /* training: the window offsets too, exactly as conv.c's fused_pool2x2 */
                pool_argmax(a[h], om, y + at, am + at);
                continue;
            }
            /* ReLU then max == max then ReLU; max_ps(-0, +0) is +0, as the ReLU gives */
            __m512 m = _mm512_max_ps(_mm512_max_ps(a[h][0], a[h][1]),
                                     _mm512_max_ps(a[h][2], a[h][3]));
            _mm512_mask_storeu_ps(y + at, om, _mm512_max_ps(m, zero));
        }
    }
}

/* The pooled block with output channels in the lanes, NB blocks of 16 (from o0) at a time,
 * straight into the next block's (H, W, C) images: no transposes, no idle lanes, and only the
 * rows x cols windows the next block reads. Each output sums its taps in the same order as
 * direct_pool_row (taps ascending, bias last): the same bits. C and NB are constants where
 * this is inlined, so the C*9*NB weight vectors stay in registers. */
static inline __attribute__((always_inline)) void
direct_hwc_block(int C, int NB, int OC, int o0, const float *X, size_t plane, int Wp,
                 const float *w, const float *b, const lc_conv_eval_hwc *hwc, float *xh)
{
    const __m512 zero = _mm512_setzero_ps();
    __m512 wv[2][LC_CONV_EVAL_DIRECT_MAX_C * 9], bv[2];
    __mmask16 om[2];
    for (int nb = 0; nb < NB; nb++) {
        int lo = o0 + 16 * nb;
        om[nb] = lc_lanes16(OC - lo);
        __m512i idx = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                                            12, 13, 14, 15),
                                         _mm512_set1_epi32(C * 9));
        for (int k = 0; k < C * 9; k++)
            wv[nb][k] = _mm512_mask_i32gather_ps(zero, om[nb], idx, w + (size_t)lo * C * 9 + k, 4);
        bv[nb] = b ? _mm512_maskz_loadu_ps(om[nb], b + lo) : zero;
    }
    for (int py = 0; py < hwc->rows; py++)
        for (int px = 0; px < hwc->cols; px++) {
            const float *base = X + (size_t)2 * py * Wp + 2 * px;
            __m512 a[2][4];
            acc_zero(a);
#pragma GCC unroll 36
            for (int k = 0; k < C * 9; k++) { /* taps ascending: (ci, kh, kw) */
                int ci = k / 9, kh = k / 3 % 3, kw = k % 3;
                const float *t = base + ci * plane + (size_t)kh * Wp + kw;
                __m512 p00 = _mm512_set1_ps(t[0]), p01 = _mm512_set1_ps(t[1]);
                __m512 p10 = _mm512_set1_ps(t[Wp]), p11 = _mm512_set1_ps(t[Wp + 1]);
#pragma GCC unroll 2
                for (int nb = 0; nb < NB; nb++) {
                    a[nb][0] = _mm512_fmadd_ps(wv[nb][k], p00, a[nb][0]);
                    a[nb][1] = _mm512_fmadd_ps(wv[nb][k], p01, a[nb][1]);
                    a[nb][2] = _mm512_fmadd_ps(wv[nb][k], p10, a[nb][2]);
                    a[nb][3] = _mm512_fmadd_ps(wv[nb][k], p11, a[nb][3]);
                }
            }
            float *d = xh + ((size_t)(py + hwc->oy) * hwc->Wp + px + hwc->ox) * OC + o0;
#pragma GCC unroll 2
            for (int nb = 0; nb < NB; nb++) {
                __m512 m = _mm512_max_ps(_mm512_max_ps(_mm512_add_ps(a[nb][0], bv[nb]),
                                                       _mm512_add_ps(a[nb][1], bv[nb])),
                                         _mm512_max_ps(_mm512_add_ps(a[nb][2], bv[nb]),
                                                       _mm512_add_ps(a[nb][3], bv[nb])));
                _mm512_mask_storeu_ps(d + 16 * nb, om[nb], _mm512_max_ps(m, zero));
            }
        }
}

/* Output row oy, columns ox0 .. ox0+16 of every output channel (no pooling). */
static inline __attribute__((always_inline)) void
direct_row(int C, int OC, const float *X, size_t plane, int Wp, int oy, int ox0, int OH, int OW,
           const float *w, const float *b, float *y)
{
    __m512 E[LC_CONV_EVAL_DIRECT_MAX_C * 9];
    const __m512 zero = _mm512_setzero_ps();
    for (int ci = 0; ci < C; ci++)
        for (int kh = 0; kh < 3; kh++) {
            const float *row = X + ci * plane + (size_t)(oy + kh) * Wp;
            for (int kw = 0; kw < 3; kw++)
                E[(ci * 3 + kh) * 3 + kw] = _mm512_maskz_loadu_ps(
                    lc_lanes16(Wp - ox0 - kw), row + (Wp > ox0 + kw ? ox0 + kw : 0));
        }
    __mmask16 om = lc_lanes16(OW - ox0);
    size_t on = (size_t)OH * OW;
    for (int oc = 0; oc < OC; oc++) {
        const float *wk = w + (size_t)oc * C * 9;
        __m512 a = zero;
        for (int k = 0; k < C * 9; k++)
            a = _mm512_fmadd_ps(_mm512_set1_ps(wk[k]), E[k], a);
        if (b)
            a = _mm512_add_ps(a, _mm512_set1_ps(b[oc]));
        _mm512_mask_storeu_ps(y + oc * on + (size_t)oy * OW + ox0, om, _mm512_max_ps(a, zero));
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
        for (int o0 = 0; o0 < c->OC; o0 += 32) {
            if (c->C == 1 && c->OC - o0 > 16)
                direct_hwc_block(1, 2, c->OC, o0, X, plane, e->Wp, w, b, hwc, xh);
            else if (c->C == 1)
                direct_hwc_block(1, 1, c->OC, o0, X, plane, e->Wp, w, b, hwc, xh);
            else {
                direct_hwc_block(c->C, 1, c->OC, o0, X, plane, e->Wp, w, b, hwc, xh);
                if (c->OC - o0 > 16)
                    direct_hwc_block(c->C, 1, c->OC, o0 + 16, X, plane, e->Wp, w, b, hwc, xh);
            }
        }
        return;
    }
    if (e->pool) {
        for (int py = 0; py < e->TH; py++)
            for (int px0 = 0; px0 < e->TW; px0 += 16) {
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
        for (int ox0 = 0; ox0 < c->OW; ox0 += 16) {
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
        for (int c0 = 0; c0 < C; c0 += 16)
            for (int q0 = 0; q0 < cols; q0 += 16)
                transpose_block(x + c0 * plane + (size_t)r * c->W + q0, plane,
                                C - c0 < 16 ? C - c0 : 16, cols - q0 < 16 ? cols - q0 : 16,
                                d + (size_t)q0 * C + c0, (size_t)C);
    }
}

/* V = B^T d B of one 4x4 tile (top-left at t, row stride rs, column stride C), 16 channels from
 * c0, into v[pos * vs] for the 16 positions */
static inline __attribute__((always_inline)) void
wino_in(const float *t, size_t rs, int C, __mmask16 m, float *v, size_t vs)
{
    __m512 d[4][4], u[4][4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++)
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++)
            d[i][j] = _mm512_maskz_loadu_ps(m, t + i * rs + (size_t)j * C);
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        u[0][j] = _mm512_sub_ps(d[0][j], d[2][j]);
        u[1][j] = _mm512_add_ps(d[1][j], d[2][j]);
        u[2][j] = _mm512_sub_ps(d[2][j], d[1][j]);
        u[3][j] = _mm512_sub_ps(d[1][j], d[3][j]);
    }
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        _mm512_mask_storeu_ps(v + (size_t)(i * 4 + 0) * vs, m, _mm512_sub_ps(u[i][0], u[i][2]));
        _mm512_mask_storeu_ps(v + (size_t)(i * 4 + 1) * vs, m, _mm512_add_ps(u[i][1], u[i][2]));
        _mm512_mask_storeu_ps(v + (size_t)(i * 4 + 2) * vs, m, _mm512_sub_ps(u[i][2], u[i][1]));
        _mm512_mask_storeu_ps(v + (size_t)(i * 4 + 3) * vs, m, _mm512_sub_ps(u[i][1], u[i][3]));
    }
}

/* Y = A^T M A of one tile, 16 output channels: M's 16 positions at m + pos * ms, into
 * y[0..2)[0..2) (wino_out6's array) */
static inline __attribute__((always_inline)) void
wino_out(const float *m, size_t ms, __m512 y[4][4])
{
    __m512 s[2][4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        __m512 m0 = _mm512_loadu_ps(m + (size_t)(0 * 4 + j) * ms);
        __m512 m1 = _mm512_loadu_ps(m + (size_t)(1 * 4 + j) * ms);
        __m512 m2 = _mm512_loadu_ps(m + (size_t)(2 * 4 + j) * ms);
        __m512 m3 = _mm512_loadu_ps(m + (size_t)(3 * 4 + j) * ms);
        s[0][j] = _mm512_add_ps(_mm512_add_ps(m0, m1), m2);
        s[1][j] = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
    }
#pragma GCC unroll 2
    for (int i = 0; i < 2; i++) {
        y[i][0] = _mm512_add_ps(_mm512_add_ps(s[i][0], s[i][1]), s[i][2]);
        y[i][1] = _mm512_sub_ps(_mm512_sub_ps(s[i][1], s[i][2]), s[i][3]);
    }
}

/* ---- Winograd F(4x4, 3x3) ---- */

/* r = B^T d of six values, for the points 0, 1, -1, 1/2, -2 and infinity: about half the
 * rounding error of Lavin & Gray's 0, 1, -1, 2, -2 (largest errors 2.5 times smaller, in a
 * float32 simulation of these operations) */
static inline __attribute__((always_inline)) void tr6_in(const __m512 d[6], __m512 r[6])
{
    const __m512 half = _mm512_set1_ps(0.5f), one5 = _mm512_set1_ps(1.5f);
    const __m512 two = _mm512_set1_ps(2.0f);
    __m512 t = _mm512_sub_ps(d[3], d[1]), e = _mm512_sub_ps(d[4], d[2]);
    __m512 u = _mm512_fmadd_ps(half, _mm512_add_ps(d[2], d[3]), d[4]);
    r[0] = _mm512_fmadd_ps(one5, t, _mm512_fnmadd_ps(two, d[2], _mm512_add_ps(d[0], d[4])));
    r[1] = _mm512_add_ps(u, _mm512_fmsub_ps(two, d[3], d[1]));
    r[2] = _mm512_add_ps(u, _mm512_fnmadd_ps(_mm512_set1_ps(3.0f), d[2], d[1]));
    r[3] = _mm512_fmadd_ps(two, t, e);
    r[4] = _mm512_fnmadd_ps(half, t, e);
    r[5] = _mm512_fmadd_ps(one5, e, _mm512_fnmadd_ps(two, d[3], _mm512_add_ps(d[1], d[5])));
}

/* V = B^T d B of one 6x6 tile (top-left at t, row stride rs, column stride C), 16 channels from
 * c0, into v[pos * vs] for the 36 positions */
static inline __attribute__((always_inline)) void
wino_in6(const float *t, size_t rs, int C, __mmask16 m, float *v, size_t vs)
{
    __m512 w[6][6];
#pragma GCC unroll 6
    for (int i = 0; i < 6; i++) {
        __m512 d[6];
#pragma GCC unroll 6
        for (int j = 0; j < 6; j++)
            d[j] = _mm512_maskz_loadu_ps(m, t + i * rs + (size_t)j * C);
        tr6_in(d, w[i]);
    }
#pragma GCC unroll 6
    for (int k = 0; k < 6; k++) {
        __m512 col[6] = {w[0][k], w[1][k], w[2][k], w[3][k], w[4][k], w[5][k]}, r[6];
        tr6_in(col, r);
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++)
            _mm512_mask_storeu_ps(v + (size_t)(i * 6 + k) * vs, m, r[i]);
    }
}

/* y = A^T m of six values */
static inline __attribute__((always_inline)) void tr6_out(const __m512 m[6], __m512 y[4])
{
    const __m512 two = _mm512_set1_ps(2.0f), four = _mm512_set1_ps(4.0f);
    const __m512 eight = _mm512_set1_ps(8.0f), eighth = _mm512_set1_ps(0.125f);
    __m512 a = _mm512_add_ps(m[1], m[2]), b = _mm512_sub_ps(m[1], m[2]);
    y[0] = _mm512_add_ps(_mm512_add_ps(m[0], a), _mm512_add_ps(m[3], m[4]));
    y[1] = _mm512_fmadd_ps(_mm512_set1_ps(0.5f), m[3], _mm512_fnmadd_ps(two, m[4], b));
    y[2] = _mm512_fmadd_ps(_mm512_set1_ps(0.25f), m[3], _mm512_fmadd_ps(four, m[4], a));
    y[3] = _mm512_add_ps(_mm512_fmadd_ps(eighth, m[3], _mm512_fnmadd_ps(eight, m[4], b)), m[5]);
}

/* Y = A^T M A of one tile, 16 output channels: M's 36 positions at m + pos * ms */
static inline __attribute__((always_inline)) void
wino_out6(const float *m, size_t ms, __m512 y[4][4])
{
    __m512 s[4][6];
#pragma GCC unroll 6
    for (int k = 0; k < 6; k++) {
        __m512 col[6], r[4];
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++)
            col[i] = _mm512_loadu_ps(m + (size_t)(i * 6 + k) * ms);
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
    /* a tile's products (NPOS positions) for one 32-channel panel, plus 16 floats so that the
     * kernel's 12 rows are not a power of two apart (same L1 set; loads falsely waiting on
     * stores) */
    const size_t ldm = (size_t)NPOS * NR + 16;
    const size_t img = (size_t)e->Hp * Wp * C, in = (size_t)C * c->H * c->W;
    /* block outputs per channel and the rows and columns they form */
    const int YH = e->pool ? c->OH / 2 : c->OH, YW = e->pool ? c->OW / 2 : c->OW;
    const size_t P = (size_t)YH * YW;
    float *xh = scratch + e->xh, *V = scratch + e->v, *M = scratch + e->mp, *St = scratch + e->st;
    const __m512 zero = _mm512_setzero_ps();

    for (int s = 0; x && s < G; s++)
        to_hwc(c, e, x + s * in, xh + s * img);
    /* training: each sample's keep masks, in the full (uncropped) output layout */
    const size_t kOW = (size_t)c->OW, kOHW = (size_t)c->OH * c->OW;
    uint32_t *km = (uint32_t *)(scratch + e->km);
    unsigned char *Sa = (unsigned char *)(scratch + e->sa);
    const int dropping = am && drop->rate > 0.0f;
    const __m512 vs = _mm512_set1_ps(dropping ? drop->scale : 1.0f);
    const __m512i kidx = _mm512_mullo_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        _mm512_set1_epi32((int)kOHW));
    for (int s = 0; dropping && s < G; s++)
        lc_keep_masks_avx512(
            lc_dropout_key(drop->seed, drop->layer, drop->step, (uint64_t)(drop->s0 + s)),
            (size_t)c->OC * kOHW, drop->thr, km + s * (size_t)c->OC * kOHW);

    /* Blocks of e->pb panels of MR tiles: their V first, then per 32 output channels each
     * position's weights against every panel of the block (one panel a block where U is small:
     * the products stay in L1; all the group's where it is not, so that U is read once per
     * group rather than once per panel). The same kernel calls either way: the same bits. */
    const int PBT = (e->pb > 0 ? e->pb : 1) * MR;
    for (int b0 = 0; b0 < GT; b0 += PBT) {
        const int bn = GT - b0 < PBT ? GT - b0 : PBT; /* the block's tiles */
        for (int q0 = 0; q0 < bn; q0 += MR) {
            float *Vq = V + (size_t)(q0 / MR) * NPOS * MR * C;
            int mr = bn - q0 < MR ? bn - q0 : MR;
            int R = mr <= 4 ? 4 : mr <= 8 ? 8 : MR; /* rows the micro-kernel reads */
            for (int r = 0; r < mr; r++) {
                int g = b0 + q0 + r, s = g / T, t = g % T, ty = t / TW, tx = t % TW;
                const float *tile = xh + s * img + ((size_t)WM * ty * Wp + WM * tx) * C;
                for (int c0 = 0; c0 < C; c0 += 16)
                    if (WM == 2)
                        wino_in(tile + c0, (size_t)Wp * C, C, lc_lanes16(C - c0),
                                Vq + (size_t)r * C + c0, (size_t)MR * C);
                    else
                        wino_in6(tile + c0, (size_t)Wp * C, C, lc_lanes16(C - c0),
                                 Vq + (size_t)r * C + c0, (size_t)MR * C);
            }
            for (int pos = 0; pos < NPOS; pos++)
                for (int r = mr; r < R; r++)
                    memset(Vq + ((size_t)pos * MR + r) * C, 0, (size_t)C * sizeof *V);
        }
        for (int np = np0; np < np1; np++) { /* 32 output channels */
            int nr = OC - np * NR < NR ? OC - np * NR : NR;
            for (int pos = 0; pos < NPOS; pos++)
                for (int q0 = 0; q0 < bn; q0 += MR)
                    lc_sgemm_kernel_avx512(C, V + ((size_t)(q0 / MR) * NPOS + pos) * MR * C, C, 1,
                                           u + ((size_t)pos * e->NP + np) * C * NR,
                                           M + (size_t)q0 * ldm + (size_t)pos * NR,
                                           (ptrdiff_t)ldm, bn - q0 < MR ? bn - q0 : MR, nr, 1.0f,
                                           0.0f);
            for (int r = 0; r < bn; r++) {
                int g = b0 + r, s = g / T, t = g % T, ty = t / TW, tx = t % TW;
                const float *mt = M + (size_t)r * ldm - (size_t)np * NR;
                float *st = St + (size_t)s * P * OC;
                for (int co = np * NR; co < np * NR + nr; co += 16) {
                    __mmask16 om = lc_lanes16(OC - co);
                    __m512 yv[4][4]; /* the tile's WM x WM outputs */
                    if (WM == 4)
                        wino_out6(mt + co, (size_t)NR, yv);
                    else
                        wino_out(mt + co, (size_t)NR, yv);
                    __m512 bv = b ? _mm512_maskz_loadu_ps(om, b + co) : zero;
                    if (am) { /* training: bias, ReLU, dropout, max and its offset */
                        __m512 v4[4] = {_mm512_add_ps(yv[0][0], bv), _mm512_add_ps(yv[0][1], bv),
                                        _mm512_add_ps(yv[1][0], bv), _mm512_add_ps(yv[1][1], bv)};
                        __m512i keep[4];
                        const uint32_t *k0 = km + s * (size_t)OC * kOHW + (size_t)co * kOHW +
                                             (size_t)2 * ty * kOW + 2 * tx;
                        for (int q = 0; dropping && q < 4; q++)
                            keep[q] = _mm512_mask_i32gather_epi32(
                                _mm512_setzero_si512(), om, kidx,
                                k0 + (size_t)(q >> 1) * kOW + (q & 1), 4);
                        size_t at = ((size_t)s * P + (size_t)ty * YW + tx) * OC + co;
                        pool_argmax_drop(v4, dropping ? keep : NULL, vs, om, St + at, Sa + at);
                        continue;
                    }
                    if (e->pool) { /* the tile is one window: max, then bias and ReLU */
                        __m512 mx = _mm512_max_ps(_mm512_max_ps(yv[0][0], yv[0][1]),
                                                  _mm512_max_ps(yv[1][0], yv[1][1]));
                        mx = _mm512_max_ps(_mm512_add_ps(mx, bv), zero);
                        _mm512_mask_storeu_ps(st + ((size_t)ty * YW + tx) * OC + co, om, mx);
                        continue;
                    }
                    for (int i = 0; i < WM && WM * ty + i < YH; i++) /* unpooled */
                        for (int j = 0; j < WM && WM * tx + j < YW; j++) {
                            __m512 v = _mm512_add_ps(yv[i][j], bv);
                            _mm512_mask_storeu_ps(
                                st + ((size_t)(WM * ty + i) * YW + WM * tx + j) * OC + co, om,
                                e->linear ? v : _mm512_max_ps(v, zero));
                        }
                }
            }
        }
    }

    /* (P, OC) -> (OC, P); the lines two blocks ahead in each of the 16 channels' planes asked
     * for (OC store streams: the prefetchers keep up with few) */
    for (int s = 0; s < G; s++)
        for (size_t p0 = 0; p0 < P; p0 += 16)
            for (int co = co0; co < co1; co += 16) {
                for (int j = 0; p0 + 32 < P && j < 16 && co + j < co1; j++)
                    __builtin_prefetch(y + ((size_t)s * OC + co + j) * P + p0 + 32, 1);
                (e->acc ? transpose_block_acc : transpose_block)(
                    St + ((size_t)s * P + p0) * OC + co, (size_t)OC,
                    P - p0 < 16 ? (int)(P - p0) : 16, co1 - co < 16 ? co1 - co : 16,
                    y + ((size_t)s * OC + co) * P + p0, P);
            }
    for (int s = 0; am && s < G; s++) /* the offsets likewise, bytes */
        for (int oc = co0; oc < co1; oc++)
            for (size_t q = 0; q < P; q++)
                am[((size_t)s * OC + oc) * P + q] = Sa[((size_t)s * P + q) * OC + oc];
}

void lc_conv_eval_group_avx512(const lc_conv2d *c, const lc_conv_eval *e, int G, const float *x,
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

void lc_conv_direct_train_avx512(const lc_conv2d *c, const lc_conv_eval *e, const float *x,
                                 const float *w, const float *b, float *y, unsigned char *am,
                                 float *scratch)
{
    direct_sample(c, e, x, w, b, y, NULL, NULL, am, scratch);
}

void lc_conv_wino_train_avx512(const lc_conv2d *c, const lc_conv_eval *e, int G, const float *x,
                               const float *b, const float *u, const lc_conv_eval_drop *d,
                               float *y, unsigned char *am, float *scratch)
{
    wino_group(c, e, G, x, b, u, y, scratch, d, am);
}

void lc_stream_panel_avx512(float *dst, const float *src)
{
    _mm512_stream_ps(dst, _mm512_loadu_ps(src));
    _mm512_stream_ps(dst + 16, _mm512_loadu_ps(src + 16));
}

void lc_stream_fence_avx512(void)
{
    _mm_sfence();
}
