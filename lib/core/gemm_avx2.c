/* gemm_avx2.c - the AVX2+FMA single-precision GEMM micro-kernel (6 x 16 tile, 12 ymm
 * accumulators). Compiled with -mavx2 -mfma; only called after the run-time CPU check in gemm.c.
 * Blocking, packing and dispatch live in gemm.c. */
#include "gemm_kernels.h"

#include <immintrin.h>

#define MR LC_GEMM_AVX2_MR
#define NR LC_GEMM_AVX2_NR

static inline __attribute__((always_inline)) void
tile(int kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b, __m256 acc[MR][2])
{
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
        acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int k = 0; k < kc; k++) {
        __m256 b0 = _mm256_load_ps(b);
        __m256 b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) {
            __m256 ar = _mm256_broadcast_ss(a + r * rs);
            acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
        }
        a += cs;
        b += NR;
    }
}

static __m256i lane_mask(int n)
{
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

void lc_sgemm_kernel_avx2(int kc, const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                          const float *b, float *c, ptrdiff_t ldc, int mr, int nr, float alpha,
                          float beta)
{
    __m256 acc[MR][2];
    /* specialised for the two common layouts so row offsets become constants or one stride */
    if (cs_a == 1)
        tile(kc, a, rs_a, 1, b, acc);
    else if (rs_a == 1)
        tile(kc, a, 1, cs_a, b, acc);
    else
        tile(kc, a, rs_a, cs_a, b, acc);

    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    if (nr == NR) {
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) {
            if (r >= mr)
                break;
            float *cr = c + r * ldc;
            __m256 t0 = _mm256_mul_ps(va, acc[r][0]);
            __m256 t1 = _mm256_mul_ps(va, acc[r][1]);
            if (beta != 0.0f) {
                t0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr), t0);
                t1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr + 8), t1);
            }
            _mm256_storeu_ps(cr, t0);
            _mm256_storeu_ps(cr + 8, t1);
        }
        return;
    }
    __m256i m0 = lane_mask(nr), m1 = lane_mask(nr - 8);
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
        if (r >= mr)
            break;
        float *cr = c + r * ldc;
        __m256 t0 = _mm256_mul_ps(va, acc[r][0]);
        __m256 t1 = _mm256_mul_ps(va, acc[r][1]);
        if (beta != 0.0f) {
            t0 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr, m0), t0);
            t1 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr + 8, m1), t1);
        }
        _mm256_maskstore_ps(cr, m0, t0);
        _mm256_maskstore_ps(cr + 8, m1, t1);
    }
}
