/* conv_avx2.c - AVX2 versions of the convolution helpers conv_avx512.c has for AVX-512: packing
 * the GEMM's 16-wide B panels straight from the image (stride 1, no padding, no dilation), the
 * fused block's ReLU + dropout + 2x2 max-pool 8 windows at a time and its backward dz, and
 * im2col / col2im for those simple shapes. Each writes exactly what conv.c's portable loops
 * write (the same operations per element, in the same order; test_conv compares the fused
 * block with the separate layers under every ISA). Compiled with -mavx2 -mfma; conv.c calls
 * them only when the run-time check chose AVX2. */
#include "lc_conv_isa.h"

#include "lc_avx2.h"

#include <immintrin.h>
#include <string.h>

#ifndef LC_EVEN
#define LC_EVEN 0x88
#endif

void lc_col_pack_simple_avx2(const float *x, int H, int W, int KH, int KW, int OW, int S,
                             int ckk, int k0, int kc, int j0, int nc, float *dst /* NR = 16 */)
{
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    for (int jp = 0; jp < nc; jp += 16) {
        int w = nc - jp < 16 ? nc - jp : 16;
        /* the panel's pixels as runs along output rows, cut at 8 so that each is one masked
         * load and store: source offset (oh * W + ow), position in the panel, mask */
        int src[16], pos[16], len[16], nrun = 0; /* at most one run per pixel */
        __m256i msk[16];
        int p = j0 + jp, done = 0;
        while (done < w) {
            int oh = p / OW, ow = p % OW;
            int run = OW - ow < w - done ? OW - ow : w - done;
            while (run > 0) {
                int r = run < 8 ? run : 8;
                src[nrun] = (oh * W + ow) * S;
                pos[nrun] = done;
                len[nrun] = r;
                msk[nrun] = lc_lanes8(r);
                nrun++;
                ow += r;
                p += r;
                done += r;
                run -= r;
            }
        }
        const __m256 ones0 = _mm256_and_ps(one, _mm256_castsi256_ps(lc_lanes8(w)));
        const __m256 ones1 = _mm256_and_ps(one, _mm256_castsi256_ps(lc_lanes8(w - 8)));
        float *d = dst + (size_t)jp * kc;
        int kw = k0 % KW, kh = k0 / KW % KH, ci = k0 / (KW * KH);
        for (int k = 0; k < kc; k++, d += 16) {
            if (k0 + k == ckk) {
                _mm256_storeu_ps(d, ones0);
                _mm256_storeu_ps(d + 8, ones1);
                continue;
            }
            if (w < 16) { /* zero the columns past nc */
                _mm256_storeu_ps(d, zero);
                _mm256_storeu_ps(d + 8, zero);
            }
            const float *base = x + ((size_t)ci * H + kh) * W + kw;
            if (S == 1)
                for (int r = 0; r < nrun; r++)
                    _mm256_maskstore_ps(d + pos[r], msk[r],
                                        _mm256_maskload_ps(base + src[r], msk[r]));
            else /* stride 2: the even elements of the run's 2r - 1 floats */
                for (int r = 0; r < nrun; r++) {
                    int n = 2 * len[r] - 1;
                    __m256 lo = _mm256_maskload_ps(base + src[r], lc_lanes8(n));
                    __m256 hi = _mm256_maskload_ps(base + src[r] + (n > 8 ? 8 : 0), lc_lanes8(n - 8));
                    /* lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6, then the 64-bit pairs 0 2 1 3 */
                    __m256 ev = _mm256_castpd_ps(_mm256_permute4x64_pd(
                        _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, LC_EVEN)), 0xd8));
                    _mm256_maskstore_ps(d + pos[r], msk[r], ev);
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

/* the even (_MM_SHUFFLE(2, 0, 2, 0)) or odd (3, 1, 3, 1) elements of the 16 floats lo, hi, in
 * the order 0 1 4 5 2 3 6 7 of their pairs (in-lane shuffles; the caller restores the order) */
#define LC_ODD 0xdd

/* One output row of 2x2 windows: rows r0, r1 of z (conv output), keep masks k0, k1 (NULL: no
 * dropout), w <= 8 windows starting at column 0 of those pointers. */
static inline void pool_windows8(const float *r0, const float *r1, const uint32_t *k0,
                                 const uint32_t *k1, int w, __m256 vs, float *y,
                                 unsigned char *am)
{
    const __m256 zero = _mm256_setzero_ps();
    __m256 l0, h0, l1, h1;
    if (w == 8) {
        l0 = _mm256_loadu_ps(r0), h0 = _mm256_loadu_ps(r0 + 8);
        l1 = _mm256_loadu_ps(r1), h1 = _mm256_loadu_ps(r1 + 8);
    } else {
        __m256i lo = lc_lanes8(2 * w), hi = lc_lanes8(2 * w - 8);
        l0 = _mm256_maskload_ps(r0, lo), h0 = _mm256_maskload_ps(r0 + 8, hi);
        l1 = _mm256_maskload_ps(r1, lo), h1 = _mm256_maskload_ps(r1 + 8, hi);
    }
    __m256 va = _mm256_shuffle_ps(l0, h0, LC_EVEN), vb = _mm256_shuffle_ps(l0, h0, LC_ODD);
    __m256 vc = _mm256_shuffle_ps(l1, h1, LC_EVEN), vd = _mm256_shuffle_ps(l1, h1, LC_ODD);
    __m256 ka, kb, kc, kd;
    ka = kb = kc = kd = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    if (k0) {
        __m256 m0, n0, m1, n1;
        if (w == 8) {
            m0 = _mm256_loadu_ps((const float *)k0), n0 = _mm256_loadu_ps((const float *)(k0 + 8));
            m1 = _mm256_loadu_ps((const float *)k1), n1 = _mm256_loadu_ps((const float *)(k1 + 8));
        } else {
            __m256i lo = lc_lanes8(2 * w), hi = lc_lanes8(2 * w - 8);
            m0 = _mm256_maskload_ps((const float *)k0, lo);
            n0 = _mm256_maskload_ps((const float *)(k0 + 8), hi);
            m1 = _mm256_maskload_ps((const float *)k1, lo);
            n1 = _mm256_maskload_ps((const float *)(k1 + 8), hi);
        }
        ka = _mm256_shuffle_ps(m0, n0, LC_EVEN), kb = _mm256_shuffle_ps(m0, n0, LC_ODD);
        kc = _mm256_shuffle_ps(m1, n1, LC_EVEN), kd = _mm256_shuffle_ps(m1, n1, LC_ODD);
    }
    /* ReLU then dropout: v * scale where v > 0 and kept, +0 otherwise (as conv.c's act1) */
#define LC_ACT8(v, k)                                                                          \
    _mm256_castps_si256(_mm256_and_ps(_mm256_and_ps(_mm256_mul_ps(v, vs), k),                     \
                                      _mm256_cmp_ps(v, zero, _CMP_GT_OQ)))
    __m256i a = LC_ACT8(va, ka), b = LC_ACT8(vb, kb), c = LC_ACT8(vc, kc), d = LC_ACT8(vd, kd);
#undef LC_ACT8
    /* non-negative floats order as integers; the first maximum wins */
    __m256i i1 = _mm256_cmpgt_epi32(b, a), i2 = _mm256_cmpgt_epi32(d, c);
    __m256i m1 = _mm256_blendv_epi8(a, b, i1), m2 = _mm256_blendv_epi8(c, d, i2);
    __m256i i3 = _mm256_cmpgt_epi32(m2, m1);
    __m256i m = _mm256_blendv_epi8(m1, m2, i3);
    /* offsets: i3 ? 2 + [d > c] : [b > a]; the masks are -1 or 0 */
    __m256i idx = _mm256_blendv_epi8(_mm256_sub_epi32(_mm256_setzero_si256(), i1),
                                     _mm256_sub_epi32(_mm256_set1_epi32(2), i2), i3);
    /* back to window order */
    const __m256i order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
    m = _mm256_permutevar8x32_epi32(m, order);
    idx = _mm256_permutevar8x32_epi32(idx, order);
    if (w == 8)
        _mm256_storeu_si256((__m256i *)y, m);
    else
        _mm256_maskstore_ps(y, lc_lanes8(w), _mm256_castsi256_ps(m));
    __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(idx), _mm256_extracti128_si256(idx, 1));
    lc_store_bytes8(am, _mm_packus_epi16(w16, w16), w);
}

void lc_pool2x2_act_avx2(int OC, int OW, int OHW, int POH, int POW, const float *z,
                         const uint32_t *km, int kOW, int kOHW, float scale, float *y,
                         unsigned char *am)
{
    const __m256 vs = _mm256_set1_ps(scale);
    for (int oc = 0; oc < OC; oc++)
        for (int ph = 0; ph < POH; ph++) {
            const float *r0 = z + (size_t)oc * OHW + (size_t)(2 * ph) * OW;
            const uint32_t *q0 = km ? km + (size_t)oc * kOHW + (size_t)(2 * ph) * kOW : NULL;
            for (int pw = 0; pw < POW; pw += 8) {
                int w = POW - pw < 8 ? POW - pw : 8;
                pool_windows8(r0 + 2 * pw, r0 + OW + 2 * pw, q0 ? q0 + 2 * pw : NULL,
                              q0 ? q0 + kOW + 2 * pw : NULL, w, vs, y, am);
                y += w;
                am += w;
            }
        }
}

void lc_pool2x2_dz_avx2(int OC, int OW, int OHW, int POH, int POW, const float *ys,
                        const float *dys, const unsigned char *am, float scale, float *dz)
{
    const __m256 vs = _mm256_set1_ps(scale), zero = _mm256_setzero_ps();
    const __m256i n0 = _mm256_setzero_si256(), n1 = _mm256_set1_epi32(1);
    const __m256i n2 = _mm256_set1_epi32(2), n3 = _mm256_set1_epi32(3);
    const size_t total = (size_t)OC * POH * POW; /* windows: ys, dys and am are this long */
    size_t o = 0;
    for (int oc = 0; oc < OC; oc++)
        for (int ph = 0; ph < POH; ph++) {
            float *r0 = dz + (size_t)oc * OHW + (size_t)(2 * ph) * OW, *r1 = r0 + OW;
            for (int pw = 0; pw < POW; pw += 8) {
                int w = POW - pw < 8 ? POW - pw : 8;
                /* 8 windows' worth of input whenever the arrays go on that far (lanes past w are
                 * computed but never stored) */
                __m256 y, dy;
                long long bytes = 0;
                if (o + 8 <= total) {
                    memcpy(&bytes, am + o, sizeof bytes);
                    y = _mm256_loadu_ps(ys + o), dy = _mm256_loadu_ps(dys + o);
                } else {
                    for (int i = 0; i < w; i++)
                        bytes |= (long long)am[o + i] << (8 * i);
                    __m256i in = lc_lanes8(w);
                    y = _mm256_maskload_ps(ys + o, in), dy = _mm256_maskload_ps(dys + o, in);
                }
                o += (size_t)w;
                /* the gradient where the output is positive, +0 elsewhere (as conv.c) */
                __m256 g = _mm256_and_ps(_mm256_mul_ps(dy, vs), _mm256_cmp_ps(y, zero, _CMP_GT_OQ));
                __m256i a = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(bytes));
                __m256 g0 = _mm256_and_ps(g, _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, n0)));
                __m256 g1 = _mm256_and_ps(g, _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, n1)));
                __m256 g2 = _mm256_and_ps(g, _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, n2)));
                __m256 g3 = _mm256_and_ps(g, _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, n3)));
                /* window j's (left, right) pair lands at 2j, 2j + 1 */
                __m256 lo01 = _mm256_unpacklo_ps(g0, g1), hi01 = _mm256_unpackhi_ps(g0, g1);
                __m256 lo23 = _mm256_unpacklo_ps(g2, g3), hi23 = _mm256_unpackhi_ps(g2, g3);
                __m256 t0 = _mm256_permute2f128_ps(lo01, hi01, 0x20);
                __m256 t1 = _mm256_permute2f128_ps(lo01, hi01, 0x31);
                __m256 t2 = _mm256_permute2f128_ps(lo23, hi23, 0x20);
                __m256 t3 = _mm256_permute2f128_ps(lo23, hi23, 0x31);
                float *d0 = r0 + 2 * pw, *d1 = r1 + 2 * pw;
                if (w == 8) {
                    _mm256_storeu_ps(d0, t0), _mm256_storeu_ps(d0 + 8, t1);
                    _mm256_storeu_ps(d1, t2), _mm256_storeu_ps(d1 + 8, t3);
                } else {
                    __m256i lo = lc_lanes8(2 * w), hi = lc_lanes8(2 * w - 8);
                    _mm256_maskstore_ps(d0, lo, t0), _mm256_maskstore_ps(d0 + 8, hi, t1);
                    _mm256_maskstore_ps(d1, lo, t2), _mm256_maskstore_ps(d1 + 8, hi, t3);
                }
            }
        }
}

/* rows of at most 8 floats at a time: one load and store (masked at a row's end) each */

void lc_im2col_simple_avx2(int C, int H, int W, int KH, int KW, int OH, int OW, const float *x,
                           float *col)
{
    const __m256i tail = lc_lanes8(OW % 8);
    const int full = OW / 8 * 8;
    for (int ci = 0; ci < C; ci++)
        for (int kh = 0; kh < KH; kh++)
            for (int kw = 0; kw < KW; kw++) {
                const float *src = x + ((size_t)ci * H + kh) * W + kw;
                for (int oh = 0; oh < OH; oh++, col += OW, src += W) {
                    for (int j = 0; j < full; j += 8)
                        _mm256_storeu_ps(col + j, _mm256_loadu_ps(src + j));
                    if (full < OW)
                        _mm256_maskstore_ps(col + full, tail,
                                            _mm256_maskload_ps(src + full, tail));
                }
            }
}

void lc_col2im_simple_avx2(int C, int H, int W, int KH, int KW, int OH, int OW, const float *col,
                           float *x)
{
    const size_t OHW = (size_t)OH * OW;
    if (OW + KW - 1 <= 16) {
        /* each row of x takes its KW shifted contributions in two registers (kw in order, as
         * the general loop adds them), then one store: no store-to-load forwarding stalls.
         * Lane j of row kw's contribution is col(kw)[j - kw] for kw <= j < kw + OW (+0
         * elsewhere, which changes no sum but a -0, as in conv_avx512.c): a masked load from kw
         * floats before the row, which stays inside col (row kw > 0 starts kw * OHW floats in). */
        __m256i m0[16], m1[16];
        for (int kw = 0; kw < KW; kw++) {
            const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
            __m256i lo = _mm256_set1_epi32(kw - 1), hi = _mm256_set1_epi32(kw + OW);
            __m256i i8 = _mm256_add_epi32(idx, _mm256_set1_epi32(8));
            m0[kw] = _mm256_and_si256(_mm256_cmpgt_epi32(idx, lo), _mm256_cmpgt_epi32(hi, idx));
            m1[kw] = _mm256_and_si256(_mm256_cmpgt_epi32(i8, lo), _mm256_cmpgt_epi32(hi, i8));
        }
        const int n = OW + KW - 1;
        const __m256i all0 = lc_lanes8(n), all1 = lc_lanes8(n - 8);
        for (int ci = 0; ci < C; ci++)
            for (int kh = 0; kh < KH; kh++) {
                const float *rows = col + ((size_t)ci * KH + kh) * KW * OHW; /* kw = 0 */
                float *dst = x + ((size_t)ci * H + kh) * W;
                for (int oh = 0; oh < OH; oh++, dst += W) {
                    __m256 v0 = _mm256_maskload_ps(dst, all0);
                    __m256 v1 = _mm256_maskload_ps(dst + 8, all1);
                    for (int kw = 0; kw < KW; kw++) {
                        const float *r = rows + kw * OHW + (size_t)oh * OW - kw;
                        v0 = _mm256_add_ps(v0, _mm256_maskload_ps(r, m0[kw]));
                        v1 = _mm256_add_ps(v1, _mm256_maskload_ps(r + 8, m1[kw]));
                    }
                    _mm256_maskstore_ps(dst, all0, v0);
                    _mm256_maskstore_ps(dst + 8, all1, v1);
                }
            }
        return;
    }
    const __m256i tail = lc_lanes8(OW % 8);
    const int full = OW / 8 * 8;
    for (int ci = 0; ci < C; ci++)
        for (int kh = 0; kh < KH; kh++)
            for (int kw = 0; kw < KW; kw++) {
                float *dst = x + ((size_t)ci * H + kh) * W + kw;
                for (int oh = 0; oh < OH; oh++, col += OW, dst += W) {
                    for (int j = 0; j < full; j += 8)
                        _mm256_storeu_ps(dst + j, _mm256_add_ps(_mm256_loadu_ps(dst + j),
                                                                _mm256_loadu_ps(col + j)));
                    if (full < OW)
                        _mm256_maskstore_ps(
                            dst + full, tail,
                            _mm256_add_ps(_mm256_maskload_ps(dst + full, tail),
                                          _mm256_maskload_ps(col + full, tail)));
                }
            }
}
