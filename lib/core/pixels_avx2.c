/* pixels_avx2.c - lc_pixels_to_unit 8 pixels at a time (division is correctly rounded, so the
 * bits are those of the scalar loop). Compiled with -mavx2 -mfma; called only after the
 * run-time check. */
#include "lc_pixels.h"

#include <immintrin.h>
#include <string.h>

void lc_pixels_to_unit_avx2(const unsigned char *src, float *dst, size_t n)
{
    const __m256 d = _mm256_set1_ps(255.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        long long b;
        memcpy(&b, src + i, sizeof b);
        __m256i px = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(b));
        _mm256_storeu_ps(dst + i, _mm256_div_ps(_mm256_cvtepi32_ps(px), d));
    }
    for (; i < n; i++)
        dst[i] = (float)src[i] / 255.0f;
}
