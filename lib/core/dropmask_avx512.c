/* dropmask_avx512.c - the dropout keep masks of lc_layers.h's scheme, eight splitmix64 draws (16
 * elements) per step with AVX-512's 64-bit multiply. Compiled with -mavx512*; conv.c calls it
 * only when the GEMM's run-time check chose AVX-512. The scalar loop in conv.c is the reference
 * (test_conv runs the fused block under every ISA and compares it with the separate layers). */
#include "lc_dropmask.h"

#include "lc_rng.h"

#include <immintrin.h>

void lc_keep_masks_avx512(uint64_t key, size_t n, uint32_t thr, uint32_t *km)
{
    const __m512i golden = _mm512_set1_epi64((long long)0x9E3779B97F4A7C15ull);
    const __m512i c1 = _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ull);
    const __m512i c2 = _mm512_set1_epi64((long long)0x94D049BB133111EBull);
    const __m512i vkey = _mm512_set1_epi64((long long)key), vthr = _mm512_set1_epi32((int)thr);
    const __m512i ones = _mm512_set1_epi32(-1);
    __m512i g1 = _mm512_setr_epi64(1, 2, 3, 4, 5, 6, 7, 8); /* g + 1 for pairs g .. g+7 */
    const __m512i eight = _mm512_set1_epi64(8);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i x = _mm512_add_epi64(vkey, _mm512_mullo_epi64(g1, golden));
        x = _mm512_mullo_epi64(_mm512_xor_si512(x, _mm512_srli_epi64(x, 30)), c1);
        x = _mm512_mullo_epi64(_mm512_xor_si512(x, _mm512_srli_epi64(x, 27)), c2);
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 31));
        /* as 16 u32 lanes: pair g's low half (element 2g) then high half (2g + 1) */
        __mmask16 keep = _mm512_cmpge_epu32_mask(x, vthr);
        _mm512_storeu_si512((void *)(km + i), _mm512_maskz_mov_epi32(keep, ones));
        g1 = _mm512_add_epi64(g1, eight);
    }
    for (; i < n; i++) {
        uint64_t h = lc_splitmix_at(key, i >> 1);
        km[i] = -(uint32_t)((uint32_t)(h >> (32 * (i & 1))) >= thr);
    }
}
