/* gemm_avx512.c - the AVX-512 single-precision GEMM micro-kernel (12 x 32 tile, 24 zmm
 * accumulators). Compiled with -mavx512*; only called after the run-time CPU check in gemm.c.
 * Blocking, packing and dispatch live in gemm.c. */
#include "gemm_kernels.h"
#include "lc_avx512.h"

#include <immintrin.h>

#define MR LC_GEMM_AVX512_MR
#define NR LC_GEMM_AVX512_NR

/* acc[0..R) += rows 0..R of a (R <= MR) times the packed panel b, both 16-column halves or only
 * the first (H = 1, for a last panel of at most 16 columns); R and H are constants at each call */
static inline __attribute__((always_inline)) void
tile_rows(int R, int H, int kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b,
          __m512 acc[MR][2])
{
    for (int k = 0; k < kc; k++) {
        __m512 b0 = _mm512_load_ps(b);
        __m512 b1 = H == 2 ? _mm512_load_ps(b + 16) : b0;
#pragma GCC unroll 16
        for (int r = 0; r < R; r++) {
            __m512 ar = _mm512_set1_ps(a[r * rs]);
            acc[r][0] = _mm512_fmadd_ps(ar, b0, acc[r][0]);
            if (H == 2)
                acc[r][1] = _mm512_fmadd_ps(ar, b1, acc[r][1]);
        }
        a += cs;
        b += NR;
    }
}

/* a 12-row tile, specialised for the two common layouts so row offsets become constants or one
 * stride; a last row panel of at most 4 or 8 rows, or a last column panel of at most 16
 * columns, computes only those (a 64 x 100 output is 6 x 4 tiles, the last ones smaller, not
 * 72 x 128 worth of full tiles) */
static inline __attribute__((always_inline)) void
tile_h(int H, int mr, int kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b,
       __m512 acc[MR][2])
{
    if (mr <= 4)
        tile_rows(4, H, kc, a, rs, cs, b, acc);
    else if (mr <= 8)
        tile_rows(8, H, kc, a, rs, cs, b, acc);
    else if (cs == 1)
        tile_rows(MR, H, kc, a, rs, 1, b, acc);
    else if (rs == 1)
        tile_rows(MR, H, kc, a, 1, cs, b, acc);
    else
        tile_rows(MR, H, kc, a, rs, cs, b, acc);
}

static inline __attribute__((always_inline)) void
tile(int mr, int nr, int kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b,
     __m512 acc[MR][2])
{
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
        acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    if (nr <= 16)
        tile_h(1, mr, kc, a, rs, cs, b, acc);
    else
        tile_h(2, mr, kc, a, rs, cs, b, acc);
}

/* C = alpha acc + beta C (beta 0: C not read) for the tile's first mr rows and nr columns */
static inline __attribute__((always_inline)) void
store_tile(__m512 acc[MR][2], float *c, ptrdiff_t ldc, int mr, int nr, float alpha, float beta)
{
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    if (nr == NR) {
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) {
            if (r >= mr)
                break;
            float *cr = c + r * ldc;
            __m512 t0 = _mm512_mul_ps(va, acc[r][0]);
            __m512 t1 = _mm512_mul_ps(va, acc[r][1]);
            if (beta != 0.0f) {
                t0 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(cr), t0);
                t1 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(cr + 16), t1);
            }
            _mm512_storeu_ps(cr, t0);
            _mm512_storeu_ps(cr + 16, t1);
        }
        return;
    }
    __mmask16 m0 = lc_lanes16(nr), m1 = lc_lanes16(nr - 16);
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
        if (r >= mr)
            break;
        float *cr = c + r * ldc;
        __m512 t0 = _mm512_mul_ps(va, acc[r][0]);
        __m512 t1 = _mm512_mul_ps(va, acc[r][1]);
        if (beta != 0.0f) {
            t0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, cr), t0);
            t1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16), t1);
        }
        _mm512_mask_storeu_ps(cr, m0, t0);
        _mm512_mask_storeu_ps(cr + 16, m1, t1);
    }
}

void lc_sgemm_kernel_avx512(int kc, const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                            const float *b, float *c, ptrdiff_t ldc, int mr, int nr, float alpha,
                            float beta)
{
    __m512 acc[MR][2];
    tile(mr, nr, kc, a, rs_a, cs_a, b, acc);
    store_tile(acc, c, ldc, mr, nr, alpha, beta);
}

void lc_sgemm_kernel2d_avx512(int kc, const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a, int L,
                            int col0, ptrdiff_t row_a, const float *b, float *c, ptrdiff_t ldc,
                            int mr, int nr, float alpha, float beta)
{
    __m512 acc[MR][2];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
        acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    for (int k = 0, col = col0; k < kc; col = 0) { /* row by row of A's k, in order */
        int seg = L - col < kc - k ? L - col : kc - k;
        const float *ak = a + col * cs_a;
        if (nr <= 16)
            tile_h(1, mr, seg, ak, rs_a, cs_a, b, acc);
        else
            tile_h(2, mr, seg, ak, rs_a, cs_a, b, acc);
        a += row_a;
        b += (ptrdiff_t)seg * NR;
        k += seg;
    }
    store_tile(acc, c, ldc, mr, nr, alpha, beta);
}
