/* pool_avx512.c - the stride-2 max pooling's row passes (lc_pool_isa.h), 16 outputs a vector.
 * Compiled with -mavx512*; called only after the run-time check. */
#include "lc_pool_isa.h"

#include "lc_avx512.h"

#include <immintrin.h>

/* take v where v > m, or v is a NaN where m is not (the scalar loop's rule) */
static inline __mmask16 take16(__m512 v, __m512 m)
{
    return _kor_mask16(_mm512_cmp_ps_mask(v, m, _CMP_GT_OQ),
                       _mm512_mask_cmp_ps_mask(_mm512_cmp_ps_mask(m, m, _CMP_ORD_Q), v, v,
                                               _CMP_UNORD_Q));
}

void lc_maxpool_s2_hrow_avx512(const float *xr, int32_t base, int KW, int n, int relu, float *hv,
                               int32_t *hi)
{
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28,
                                           30);
    for (int j0 = 0; j0 < n; j0 += 16) {
        const int nn = n - j0 < 16 ? n - j0 : 16;
        /* a tap's inputs are 2 nn - 1 columns from its first: no read past the last */
        const __mmask16 ma = lc_lanes16(2L * nn - 1), mb = lc_lanes16(2L * nn - 17);
        __m512 m = _mm512_setzero_ps();
        __m512i mi = _mm512_setzero_si512();
        for (int kw = 0; kw < KW; kw++) {
            const int off = kw + 2 * j0;
            __m512 v = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(ma, xr + off), even,
                                              _mm512_maskz_loadu_ps(mb, xr + off + 16));
            if (relu) /* max(v, +0) is +0 for v NaN, -0 or negative: the ReLU's */
                v = _mm512_max_ps(v, _mm512_setzero_ps());
            __m512i vi = _mm512_add_epi32(even, _mm512_set1_epi32(base + off));
            __mmask16 t = kw == 0 ? (__mmask16)0xffff : take16(v, m);
            m = _mm512_mask_mov_ps(m, t, v);
            mi = _mm512_mask_mov_epi32(mi, t, vi);
        }
        const __mmask16 mo = lc_lanes16(nn);
        _mm512_mask_storeu_ps(hv + j0, mo, m);
        _mm512_mask_storeu_epi32(hi + j0, mo, mi);
    }
}

void lc_maxpool_vrows_avx512(const float *const *hv, const int32_t *const *hi, int nrows, int n,
                             float *y, int32_t *am)
{
    for (int j0 = 0; j0 < n; j0 += 16) {
        const __mmask16 mo = lc_lanes16(n - j0);
        __m512 m = _mm512_maskz_loadu_ps(mo, hv[0] + j0);
        __m512i mi = _mm512_maskz_loadu_epi32(mo, hi[0] + j0);
        for (int r = 1; r < nrows; r++) {
            __m512 v = _mm512_maskz_loadu_ps(mo, hv[r] + j0);
            __mmask16 t = take16(v, m);
            m = _mm512_mask_mov_ps(m, t, v);
            mi = _mm512_mask_loadu_epi32(mi, t, hi[r] + j0);
        }
        _mm512_mask_storeu_ps(y + j0, mo, m);
        if (am)
            _mm512_mask_storeu_epi32(am + j0, mo, mi);
    }
}
