/* pixels.c - 8-bit pixels to floats in [0, 1] (lc_pixels.h). */
#include "lc_pixels.h"

#include "lc_gemm.h"

void lc_pixels_to_unit(const unsigned char *src, float *dst, size_t n)
{
    if (lc_gemm_isa() == LC_ISA_AVX512) {
        lc_pixels_to_unit_avx512(src, dst, n);
        return;
    }
    if (lc_gemm_isa() == LC_ISA_AVX2) {
        lc_pixels_to_unit_avx2(src, dst, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        dst[i] = (float)src[i] / 255.0f;
}
