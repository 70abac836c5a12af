/* lc_avx2.h - small helpers shared by the *_avx2.c files (private to lib/core; include only
 * from files compiled with -mavx2 -mfma). */
#ifndef LC_AVX2_H
#define LC_AVX2_H

#include <immintrin.h>

/* The first n of 8 lanes as a vector mask for the masked loads and stores (none for n <= 0,
 * all for n >= 8): the mask of a ragged last step; lc_lanes8(n - 8) is then the mask of the
 * second vector of a 16-wide step. */
static inline __m256i lc_lanes8(long n)
{
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    int k = n >= 8 ? 8 : n <= 0 ? 0 : (int)n;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(k), idx);
}

#endif
