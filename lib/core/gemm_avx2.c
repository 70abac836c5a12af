/* gemm_avx2.c - the AVX2+FMA single-precision GEMM micro-kernel (6 x 16 tile, 12 ymm
 * accumulators). Compiled with -mavx2 -mfma; only called after the run-time CPU check in gemm.c.
 * Blocking, packing and dispatch live in gemm.c. */
#include "gemm_kernels.h"

#include <immintrin.h>

#define MR LC_GEMM_AVX2_MR
#define NR LC_GEMM_AVX2_NR

/* acc[0..R) += rows 0..R of a (R <= MR) times the packed panel b, both 8-column halves or only
 * the first (H = 1, for a last panel of at most 8 columns); R and H are constants at each call */
static inline __attribute__((always_inline)) void
tile_rows(int R, int H, int kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b,
          __m256 acc[MR][2])
{
    for (int k = 0; k < kc; k++) {
        __m256 b0 = _mm256_load_ps(b);
        __m256 b1 = H == 2 ? _mm256_load_ps(b + 8) : b0;
#pragma GCC unroll 16
        for (int r = 0; r < R; r++) {
            __m256 ar = _mm256_broadcast_ss(a + r * rs);
            acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
            if (H == 2)
                acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
        }
        a += cs;
        b += NR;
    }
}

/* a full tile specialised for the two common layouts so row offsets become constants or one
 * stride; a last row panel of at most 3 rows or a last column panel of at most 8 columns
 * computes only those */
static inline __attribute__((always_inline)) void
tile_h(int H, int mr, int kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b,
       __m256 acc[MR][2])
{
    if (mr <= 3)
        tile_rows(3, H, kc, a, rs, cs, b, acc);
    else if (cs == 1)
        tile_rows(MR, H, kc, a, rs, 1, b, acc);
    else if (rs == 1)
        tile_rows(MR, H, kc, a, 1, cs, b, acc);
    else
        tile_rows(MR, H, kc, a, rs, cs, b, acc);
}

static inline __attribute__((always_inline)) void
tile(int mr, int nr, int kc, const float *a, ptrdiff_t rs, ptrdiff_t cs, const float *b,
     __m256 acc[MR][2])
{
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
        acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    if (nr <= 8)
        tile_h(1, mr, kc, a, rs, cs, b, acc);
    else
        tile_h(2, mr, kc, a, rs, cs, b, acc);
}

static __m256i lane_mask(int n)
{
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

/* C = alpha acc + beta C (beta 0: C not read) for the tile's first mr rows and nr columns */
static inline __attribute__((always_inline)) void
store_tile(__m256 acc[MR][2], float *c, ptrdiff_t ldc, int mr, int nr, float alpha, float beta)
{
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

void lc_sgemm_kernel_avx2(int kc, const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                          const float *b, float *c, ptrdiff_t ldc, int mr, int nr, float alpha,
                          float beta)
{
    __m256 acc[MR][2];
    tile(mr, nr, kc, a, rs_a, cs_a, b, acc);
    store_tile(acc, c, ldc, mr, nr, alpha, beta);
}

void lc_sgemm_kernel2d_avx2(int kc, const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a, int L,
                            int col0, ptrdiff_t row_a, const float *b, float *c, ptrdiff_t ldc,
                            int mr, int nr, float alpha, float beta)
{
    __m256 acc[MR][2];
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++)
        acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int k = 0, col = col0; k < kc; col = 0) { /* row by row of A's k, in order */
        int seg = L - col < kc - k ? L - col : kc - k;
        const float *ak = a + col * cs_a;
        if (nr <= 8)
            tile_h(1, mr, seg, ak, rs_a, cs_a, b, acc);
        else
            tile_h(2, mr, seg, ak, rs_a, cs_a, b, acc);
        a += row_a;
        b += (ptrdiff_t)seg * NR;
        k += seg;
    }
    store_tile(acc, c, ldc, mr, nr, alpha, beta);
}

/* Transposing B pack (tb != 0) for both vector ISAs: rows j0..j0+7 of the stored B (each
 * contiguous along k) become 8 adjacent columns of each packed k row, 8x8 blocks at a time. */
void lc_sgemm_pack_bt8_avx2(int kc, const float *src, ptrdiff_t ldb, float *dst, int ldd)
{
    int k = 0;
    for (; k + 8 <= kc; k += 8) {
        __m256 r0 = _mm256_loadu_ps(src + 0 * ldb + k), r1 = _mm256_loadu_ps(src + 1 * ldb + k);
        __m256 r2 = _mm256_loadu_ps(src + 2 * ldb + k), r3 = _mm256_loadu_ps(src + 3 * ldb + k);
        __m256 r4 = _mm256_loadu_ps(src + 4 * ldb + k), r5 = _mm256_loadu_ps(src + 5 * ldb + k);
        __m256 r6 = _mm256_loadu_ps(src + 6 * ldb + k), r7 = _mm256_loadu_ps(src + 7 * ldb + k);
        __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
        __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
        __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
        __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
        __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee);
        __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee);
        __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee);
        __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);
        float *d = dst + (ptrdiff_t)k * ldd;
        _mm256_storeu_ps(d + 0 * ldd, _mm256_permute2f128_ps(u0, u4, 0x20));
        _mm256_storeu_ps(d + 1 * ldd, _mm256_permute2f128_ps(u1, u5, 0x20));
        _mm256_storeu_ps(d + 2 * ldd, _mm256_permute2f128_ps(u2, u6, 0x20));
        _mm256_storeu_ps(d + 3 * ldd, _mm256_permute2f128_ps(u3, u7, 0x20));
        _mm256_storeu_ps(d + 4 * ldd, _mm256_permute2f128_ps(u0, u4, 0x31));
        _mm256_storeu_ps(d + 5 * ldd, _mm256_permute2f128_ps(u1, u5, 0x31));
        _mm256_storeu_ps(d + 6 * ldd, _mm256_permute2f128_ps(u2, u6, 0x31));
        _mm256_storeu_ps(d + 7 * ldd, _mm256_permute2f128_ps(u3, u7, 0x31));
    }
    for (; k < kc; k++)
        for (int q = 0; q < 8; q++)
            dst[(ptrdiff_t)k * ldd + q] = src[q * ldb + k];
}
