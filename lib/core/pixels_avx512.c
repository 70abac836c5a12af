/* pixels_avx512.c - lc_pixels_to_unit 16 pixels at a time (division is correctly rounded, so
 * the bits are those of the scalar loop). Compiled with -mavx512*; called only after the
 * run-time check. */
#include "lc_pixels.h"

#include "lc_avx512.h"

#include <immintrin.h>

void lc_pixels_to_unit_avx512(const unsigned char *src, float *dst, size_t n)
{
    const __m512 d = _mm512_set1_ps(255.0f);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i b = _mm_loadu_si128((const __m128i *)(src + i));
        _mm512_storeu_ps(dst + i, _mm512_div_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b)), d));
    }
    if (i < n) {
        __mmask16 m = lc_lanes16((long)(n - i));
        __m128i b = _mm_maskz_loadu_epi8(m, src + i);
        _mm512_mask_storeu_ps(dst + i, m,
                              _mm512_div_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b)), d));
    }
}
