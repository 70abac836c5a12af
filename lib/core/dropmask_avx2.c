/* dropmask_avx2.c - the dropout keep masks of lc_layers.h's scheme, four splitmix64 draws (8
 * elements) per step. AVX2 has no 64-bit multiply: each is three 32x32->64-bit products (the
 * low 64 bits of the full product, which is all splitmix64 keeps), and the draws' counters
 * advance by adding 4 * golden instead of multiplying (both wrap modulo 2^64: the same bits).
 * Compiled with -mavx2 -mfma; conv.c calls it only when the GEMM's run-time check chose AVX2.
 * The scalar loop in conv.c is the reference (test_conv runs the fused block under every ISA
 * and compares it with the separate layers). */
#include "lc_dropmask.h"

#include "lc_rng.h"

#include <immintrin.h>

/* the low 64 bits of a * b in each lane, for a constant b given as its halves */
static inline __m256i mul64(__m256i a, __m256i b_lo, __m256i b_hi)
{
    __m256i lo = _mm256_mul_epu32(a, b_lo);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), b_lo),
                                     _mm256_mul_epu32(a, b_hi));
    return _mm256_add_epi64(lo, _mm256_slli_epi64(cross, 32));
}

void lc_keep_masks_avx2(uint64_t key, size_t n, uint32_t thr, uint32_t *km)
{
    const uint64_t golden = 0x9E3779B97F4A7C15ull, c1 = 0xBF58476D1CE4E5B9ull;
    const uint64_t c2 = 0x94D049BB133111EBull;
    const __m256i c1_lo = _mm256_set1_epi64x((long long)(c1 & 0xffffffffu));
    const __m256i c1_hi = _mm256_set1_epi64x((long long)(c1 >> 32));
    const __m256i c2_lo = _mm256_set1_epi64x((long long)(c2 & 0xffffffffu));
    const __m256i c2_hi = _mm256_set1_epi64x((long long)(c2 >> 32));
    const __m256i vthr = _mm256_set1_epi32((int)thr);
    /* key + (g + 1) * golden for pairs g .. g+3 */
    __m256i ctr = _mm256_setr_epi64x((long long)(key + 1 * golden), (long long)(key + 2 * golden),
                                     (long long)(key + 3 * golden), (long long)(key + 4 * golden));
    const __m256i step = _mm256_set1_epi64x((long long)(4 * golden));
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i x = ctr;
        x = mul64(_mm256_xor_si256(x, _mm256_srli_epi64(x, 30)), c1_lo, c1_hi);
        x = mul64(_mm256_xor_si256(x, _mm256_srli_epi64(x, 27)), c2_lo, c2_hi);
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 31));
        /* as 8 u32 lanes: pair g's low half (element 2g) then high half (2g + 1); kept where
         * the draw is at least thr (unsigned: max(x, thr) == x) */
        __m256i keep = _mm256_cmpeq_epi32(_mm256_max_epu32(x, vthr), x);
        _mm256_storeu_si256((__m256i *)(km + i), keep);
        ctr = _mm256_add_epi64(ctr, step);
    }
    for (; i < n; i++) {
        uint64_t h = lc_splitmix_at(key, i >> 1);
        km[i] = -(uint32_t)((uint32_t)(h >> (32 * (i & 1))) >= thr);
    }
}
