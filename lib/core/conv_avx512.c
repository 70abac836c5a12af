/* conv_avx512.c - AVX-512 versions of two convolution helpers in conv.c: packing the GEMM's B
 * panels straight from the image (stride 1, no padding, no dilation) with gathers, and the fused
 * block's ReLU + dropout + 2x2 max-pool 16 windows at a time. Both write exactly what conv.c's
 * portable loops write (test_conv compares the fused block with the separate layers under every
 * ISA). Compiled with -mavx512*; conv.c calls them only when the run-time check chose AVX-512. */
#include "lc_conv_isa.h"

#include "lc_avx512.h"

#include <immintrin.h>
#include <string.h>

void lc_col_pack_simple_avx512(const float *x, int H, int W, int KH, int KW, int OW, int S,
                               int ckk, int k0, int kc, int j0, int nc, float *dst /* NR = 32 */)
{
    const __m512 one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps();
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    for (int jp = 0; jp < nc; jp += 32) {
        int w = nc - jp < 32 ? nc - jp : 32;
        /* the panel's pixels as runs along output rows, cut at 16 so that each is one masked
         * load and store: source offset (oh * W + ow), position in the panel, mask */
        int src[32], pos[32], nrun = 0; /* at most one run per pixel */
        __mmask16 msk[32];
        int p = j0 + jp, done = 0;
        while (done < w) {
            int oh = p / OW, ow = p % OW;
            int run = OW - ow < w - done ? OW - ow : w - done;
            while (run > 0) {
                int r = run < 16 ? run : 16;
                src[nrun] = (oh * W + ow) * S;
                pos[nrun] = done;
                msk[nrun] = lc_lanes16(r);
                nrun++;
                ow += r;
                p += r;
                done += r;
                run -= r;
            }
        }
        __mmask16 m0 = lc_lanes16(w);
        __mmask16 m1 = lc_lanes16(w - 16);
        float *d = dst + (size_t)jp * kc;
        int kw = k0 % KW, kh = k0 / KW % KH, ci = k0 / (KW * KH);
        for (int k = 0; k < kc; k++, d += 32) {
            if (k0 + k == ckk) {
                _mm512_store_ps(d, _mm512_maskz_mov_ps(m0, one));
                _mm512_store_ps(d + 16, _mm512_maskz_mov_ps(m1, one));
                continue;
            }
            if (w < 32) { /* zero the columns past nc */
                _mm512_store_ps(d, zero);
                _mm512_store_ps(d + 16, zero);
            }
            const float *base = x + ((size_t)ci * H + kh) * W + kw;
            if (S == 1)
                for (int r = 0; r < nrun; r++)
                    _mm512_mask_storeu_ps(d + pos[r], msk[r],
                                          _mm512_maskz_loadu_ps(msk[r], base + src[r]));
            else /* stride 2: the even elements of the run's 2r - 1 floats */
                for (int r = 0; r < nrun; r++) {
                    int n = 2 * __builtin_popcount(msk[r]) - 1;
                    __m512 lo = _mm512_maskz_loadu_ps(lc_lanes16(n), base + src[r]);
                    __m512 hi = _mm512_maskz_loadu_ps(lc_lanes16(n - 16),
                                                      base + src[r] + (n > 16 ? 16 : 0));
                    _mm512_mask_storeu_ps(d + pos[r], msk[r],
                                          _mm512_permutex2var_ps(lo, even, hi));
                }
            if (++kw == KW) {
                kw = 0;
                if (++kh == KH) {
                    kh = 0;
                    ci++;
                }
            }
        }
    }
}

/* One output row of 2x2 windows: rows r0, r1 of z (conv output), keep masks k0, k1 (NULL: no
 * dropout), w <= 16 windows starting at column 0 of those pointers. */
static inline void pool_windows16(const float *r0, const float *r1, const uint32_t *k0,
                                  const uint32_t *k1, int w, __m512 vs, float *y,
                                  unsigned char *am)
{
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __m512 zero = _mm512_setzero_ps();
    int n = 2 * w; /* floats of each row */
    __mmask16 lo = lc_lanes16(n);
    __mmask16 hi = lc_lanes16(n - 16);
    __mmask16 out = lc_lanes16(w);
    __m512 l0 = _mm512_maskz_loadu_ps(lo, r0), h0 = _mm512_maskz_loadu_ps(hi, r0 + 16);
    __m512 l1 = _mm512_maskz_loadu_ps(lo, r1), h1 = _mm512_maskz_loadu_ps(hi, r1 + 16);
    __m512 va = _mm512_permutex2var_ps(l0, even, h0), vb = _mm512_permutex2var_ps(l0, odd, h0);
    __m512 vc = _mm512_permutex2var_ps(l1, even, h1), vd = _mm512_permutex2var_ps(l1, odd, h1);
    __mmask16 ka = 0xffff, kb = 0xffff, kc = 0xffff, kd = 0xffff;
    if (k0) {
        __m512i m0 = _mm512_maskz_loadu_epi32(lo, k0), n0 = _mm512_maskz_loadu_epi32(hi, k0 + 16);
        __m512i m1 = _mm512_maskz_loadu_epi32(lo, k1), n1 = _mm512_maskz_loadu_epi32(hi, k1 + 16);
        const __m512i z = _mm512_setzero_si512();
        ka = _mm512_cmpneq_epi32_mask(_mm512_permutex2var_epi32(m0, even, n0), z);
        kb = _mm512_cmpneq_epi32_mask(_mm512_permutex2var_epi32(m0, odd, n0), z);
        kc = _mm512_cmpneq_epi32_mask(_mm512_permutex2var_epi32(m1, even, n1), z);
        kd = _mm512_cmpneq_epi32_mask(_mm512_permutex2var_epi32(m1, odd, n1), z);
    }
    /* ReLU then dropout: v * scale where v > 0 and kept, +0 otherwise (as conv.c's act1) */
#define LC_ACT16(v, k) _mm512_castps_si512(_mm512_maskz_mul_ps((__mmask16)((k) & _mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ)), v, vs))
    __m512i a = LC_ACT16(va, ka), b = LC_ACT16(vb, kb), c = LC_ACT16(vc, kc), d = LC_ACT16(vd, kd);
#undef LC_ACT16
    /* non-negative floats order as integers; the first maximum wins */
    __mmask16 i1 = _mm512_cmpgt_epi32_mask(b, a), i2 = _mm512_cmpgt_epi32_mask(d, c);
    __m512i m1 = _mm512_mask_mov_epi32(a, i1, b), m2 = _mm512_mask_mov_epi32(c, i2, d);
    __mmask16 i3 = _mm512_cmpgt_epi32_mask(m2, m1);
    __m512i m = _mm512_mask_mov_epi32(m1, i3, m2);
    __m512i idx = _mm512_maskz_mov_epi32(i1, _mm512_set1_epi32(1));
    idx = _mm512_mask_mov_epi32(idx, i3, _mm512_mask_mov_epi32(_mm512_set1_epi32(2), i2,
                                                               _mm512_set1_epi32(3)));
    _mm512_mask_storeu_ps(y, out, _mm512_castsi512_ps(m));
    _mm_mask_storeu_epi8(am, out, _mm512_cvtepi32_epi8(idx));
}

void lc_pool2x2_act_avx512(int OC, int OW, int OHW, int POH, int POW, const float *z,
                           const uint32_t *km, int kOW, int kOHW, float scale, float *y,
                           unsigned char *am)
{
    const __m512 vs = _mm512_set1_ps(scale);
    for (int oc = 0; oc < OC; oc++)
        for (int ph = 0; ph < POH; ph++) {
            const float *r0 = z + (size_t)oc * OHW + (size_t)(2 * ph) * OW;
            const uint32_t *q0 = km ? km + (size_t)oc * kOHW + (size_t)(2 * ph) * kOW : NULL;
            for (int pw = 0; pw < POW; pw += 16) {
                int w = POW - pw < 16 ? POW - pw : 16;
                pool_windows16(r0 + 2 * pw, r0 + OW + 2 * pw, q0 ? q0 + 2 * pw : NULL,
                               q0 ? q0 + kOW + 2 * pw : NULL, w, vs, y, am);
                y += w;
                am += w;
            }
        }
}

void lc_pool2x2_dz_avx512(int OC, int OW, int OHW, int POH, int POW, const float *ys,
                          const float *dys, const unsigned char *am, float scale, float *dz)
{
    /* lanes 0..15 of lo/hi interleave: window j's (left, right) pair lands at 2j, 2j + 1 */
    const __m512i ilo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i ihi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const __m512 vs = _mm512_set1_ps(scale), zero = _mm512_setzero_ps();
    size_t o = 0;
    for (int oc = 0; oc < OC; oc++)
        for (int ph = 0; ph < POH; ph++) {
            float *r0 = dz + (size_t)oc * OHW + (size_t)(2 * ph) * OW, *r1 = r0 + OW;
            for (int pw = 0; pw < POW; pw += 16, o += 16) {
                int w = POW - pw < 16 ? POW - pw : 16;
                __mmask16 in = lc_lanes16(w);
                int n = 2 * w;
                __mmask16 lo = lc_lanes16(n);
                __mmask16 hi = lc_lanes16(n - 16);
                __m512 y = _mm512_maskz_loadu_ps(in, ys + o);
                /* the gradient where the output is positive, +0 elsewhere (as conv.c) */
                __mmask16 pos = _mm512_cmp_ps_mask(y, zero, _CMP_GT_OQ);
                __m512 g = _mm512_maskz_mul_ps(pos, _mm512_maskz_loadu_ps(in, dys + o), vs);
                __m512i a = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(in, am + o));
                __m512 g0 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(a, _mm512_set1_epi32(0)), g);
                __m512 g1 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(a, _mm512_set1_epi32(1)), g);
                __m512 g2 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(a, _mm512_set1_epi32(2)), g);
                __m512 g3 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(a, _mm512_set1_epi32(3)), g);
                _mm512_mask_storeu_ps(r0 + 2 * pw, lo, _mm512_permutex2var_ps(g0, ilo, g1));
                _mm512_mask_storeu_ps(r0 + 2 * pw + 16, hi, _mm512_permutex2var_ps(g0, ihi, g1));
                _mm512_mask_storeu_ps(r1 + 2 * pw, lo, _mm512_permutex2var_ps(g2, ilo, g3));
                _mm512_mask_storeu_ps(r1 + 2 * pw + 16, hi, _mm512_permutex2var_ps(g2, ihi, g3));
            }
            o -= (size_t)((POW + 15) / 16 * 16 - POW); /* o advanced by whole steps */
        }
}

/* rows of at most 16 floats at a time: one masked load and store (or add) each */

void lc_im2col_simple_avx512(int C, int H, int W, int KH, int KW, int OH, int OW, const float *x,
                             float *col)
{
    for (int ci = 0; ci < C; ci++)
        for (int kh = 0; kh < KH; kh++)
            for (int kw = 0; kw < KW; kw++) {
                const float *src = x + ((size_t)ci * H + kh) * W + kw;
                for (int oh = 0; oh < OH; oh++, col += OW, src += W)
                    for (int j = 0; j < OW; j += 16) {
                        __mmask16 m = lc_lanes16(OW - j);
                        _mm512_mask_storeu_ps(col + j, m, _mm512_maskz_loadu_ps(m, src + j));
                    }
            }
}

void lc_col2im_simple_avx512(int C, int H, int W, int KH, int KW, int OH, int OW,
                             const float *col, float *x)
{
    const size_t OHW = (size_t)OH * OW;
    if (OW + KW - 1 <= 16) {
        /* each row of x takes its KW shifted contributions in a register (kw in order, as the
         * general loop adds them), then one store: no store-to-load forwarding stalls */
        __mmask16 m = lc_lanes16(OW);
        for (int ci = 0; ci < C; ci++)
            for (int kh = 0; kh < KH; kh++) {
                const float *rows = col + ((size_t)ci * KH + kh) * KW * OHW; /* kw = 0 */
                float *dst = x + ((size_t)ci * H + kh) * W;
                __mmask16 mall = lc_lanes16(OW + KW - 1);
                for (int oh = 0; oh < OH; oh++, dst += W) {
                    __m512 v = _mm512_maskz_loadu_ps(mall, dst);
                    for (int kw = 0; kw < KW; kw++) {
                        /* lane j takes col(kw)[j - kw]: the row's OW floats expanded into
                         * lanes kw .. kw + OW - 1 */
                        const float *r = rows + kw * OHW + (size_t)oh * OW;
                        v = _mm512_add_ps(v, _mm512_maskz_expandloadu_ps((__mmask16)(m << kw), r));
                    }
                    _mm512_mask_storeu_ps(dst, mall, v);
                }
            }
        return;
    }
    for (int ci = 0; ci < C; ci++)
        for (int kh = 0; kh < KH; kh++)
            for (int kw = 0; kw < KW; kw++) {
                float *dst = x + ((size_t)ci * H + kh) * W + kw;
                for (int oh = 0; oh < OH; oh++, col += OW, dst += W)
                    for (int j = 0; j < OW; j += 16) {
                        __mmask16 mk = lc_lanes16(OW - j);
                        __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(mk, dst + j),
                                                 _mm512_maskz_loadu_ps(mk, col + j));
                        _mm512_mask_storeu_ps(dst + j, mk, v);
                    }
            }
}
