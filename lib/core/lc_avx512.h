/* lc_avx512.h - small helpers shared by the *_avx512.c files (private to lib/core; include only
 * from files compiled with -mavx512*). */
#ifndef LC_AVX512_H
#define LC_AVX512_H

#include <immintrin.h>

/* The first n of 16 lanes (none for n <= 0, all for n >= 16): the mask of a ragged last step.
 * lc_lanes16(n - 16) is then the mask of the second vector of a 32-wide step. */
static inline __mmask16 lc_lanes16(long n)
{
    return n >= 16 ? (__mmask16)0xffff : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u);
}

#endif
