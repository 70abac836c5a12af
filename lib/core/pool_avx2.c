/* pool_avx2.c - the stride-2 max pooling's row passes (lc_pool_isa.h), 8 outputs a vector.
 * Compiled with -mavx2 -mfma; called only after the run-time check. */
#include "lc_pool_isa.h"

#include "lc_avx2.h"

#include <immintrin.h>

/* all ones where v > m, or v is a NaN where m is not (the scalar loop's rule) */
static inline __m256 take8(__m256 v, __m256 m)
{
    return _mm256_or_ps(_mm256_cmp_ps(v, m, _CMP_GT_OQ),
                        _mm256_and_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q),
                                      _mm256_cmp_ps(m, m, _CMP_ORD_Q)));
}

static inline __m256i blend_i(__m256i a, __m256i b, __m256 t)
{
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), t));
}

void lc_maxpool_s2_hrow_avx2(const float *xr, int32_t base, int KW, int n, int relu, float *hv,
                             int32_t *hi)
{
    const __m256i even = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
    for (int j0 = 0; j0 < n; j0 += 8) {
        const int nn = n - j0 < 8 ? n - j0 : 8;
        /* a tap's inputs are 2 nn - 1 columns from its first: no read past the last */
        const __m256i ma = lc_lanes8(2L * nn - 1), mb = lc_lanes8(2L * nn - 9);
        __m256 m = _mm256_setzero_ps();
        __m256i mi = _mm256_setzero_si256();
        for (int kw = 0; kw < KW; kw++) {
            const int off = kw + 2 * j0;
            __m256 a = _mm256_maskload_ps(xr + off, ma), b = _mm256_maskload_ps(xr + off + 8, mb);
            /* a0 a2 b0 b2 | a4 a6 b4 b6, then the 64-bit quarters in the order 0 2 1 3 */
            __m256 v = _mm256_castpd_ps(_mm256_permute4x64_pd(
                _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))),
                _MM_SHUFFLE(3, 1, 2, 0)));
            if (relu) /* max(v, +0) is +0 for v NaN, -0 or negative: the ReLU's */
                v = _mm256_max_ps(v, _mm256_setzero_ps());
            __m256i vi = _mm256_add_epi32(even, _mm256_set1_epi32(base + off));
            __m256 t = kw == 0 ? _mm256_castsi256_ps(_mm256_set1_epi32(-1)) : take8(v, m);
            m = _mm256_blendv_ps(m, v, t);
            mi = blend_i(mi, vi, t);
        }
        const __m256i mo = lc_lanes8(nn);
        _mm256_maskstore_ps(hv + j0, mo, m);
        _mm256_maskstore_epi32(hi + j0, mo, mi);
    }
}

void lc_maxpool_vrows_avx2(const float *const *hv, const int32_t *const *hi, int nrows, int n,
                           float *y, int32_t *am)
{
    for (int j0 = 0; j0 < n; j0 += 8) {
        const __m256i mo = lc_lanes8(n - j0);
        __m256 m = _mm256_maskload_ps(hv[0] + j0, mo);
        __m256i mi = _mm256_maskload_epi32(hi[0] + j0, mo);
        for (int r = 1; r < nrows; r++) {
            __m256 v = _mm256_maskload_ps(hv[r] + j0, mo);
            __m256 t = take8(v, m);
            m = _mm256_blendv_ps(m, v, t);
            mi = blend_i(mi, _mm256_maskload_epi32(hi[r] + j0, mo), t);
        }
        _mm256_maskstore_ps(y + j0, mo, m);
        if (am)
            _mm256_maskstore_epi32(am + j0, mo, mi);
    }
}
