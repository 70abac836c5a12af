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

/* the low n bytes (n <= 8) of v to p: one store for 8, else byte by byte from a register (a
 * variable-length memcpy goes through the stack, and a wide load of what it wrote stalls) */
static inline void lc_store_bytes8(unsigned char *p, __m128i v, int n)
{
    if (n >= 8) {
        _mm_storel_epi64((__m128i *)p, v);
        return;
    }
    unsigned long long b = (unsigned long long)_mm_cvtsi128_si64(v);
    for (int i = 0; i < n; i++, b >>= 8)
        p[i] = (unsigned char)b;
}

#endif
