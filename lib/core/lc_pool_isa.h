/* lc_pool_isa.h - the stride-2 max pooling's row passes under AVX-512 and AVX2 (pool2d.c calls
 * them after the run-time check). Private to lib/core.
 *
 * A window's maximum is the first maximum in the scalar loop's order (rows top to bottom, each
 * left to right; a NaN kept once met): taking a tap where it is greater than the maximum so far,
 * or a NaN where that is not. Reducing each window row first (its taps left to right) and then
 * the rows' results top to bottom with the same rule gives the same value and the same offset,
 * so each input row is reduced once for the two output rows that share it. */
#ifndef LC_POOL_ISA_H
#define LC_POOL_ISA_H

#include <stdint.h>

/* One input row's taps for n outputs at column stride 2: hv[j] the maximum of xr[2 j + kw] over
 * kw < KW (relu: of their ReLU, x > 0 ? x : +0), hi[j] its offset (base + 2 j + kw). Reads
 * xr[0 .. 2 (n - 1) + KW - 1] only. */
void lc_maxpool_s2_hrow_avx512(const float *xr, int32_t base, int KW, int n, int relu, float *hv,
                               int32_t *hi);
void lc_maxpool_s2_hrow_avx2(const float *xr, int32_t base, int KW, int n, int relu, float *hv,
                             int32_t *hi);
/* The window rows' results in order: y[j] the maximum over r < nrows of hv[r][j], am[j] (when am
 * is not NULL) its offset hi[r][j]. */
void lc_maxpool_vrows_avx512(const float *const *hv, const int32_t *const *hi, int nrows, int n,
                             float *y, int32_t *am);
void lc_maxpool_vrows_avx2(const float *const *hv, const int32_t *const *hi, int nrows, int n,
                           float *y, int32_t *am);

#endif
