/* lc_pixels.h - 8-bit pixels to floats in [0, 1] (p / 255, correctly rounded: the same bits
 * whichever version runs), the input of every batch. */
#ifndef LC_PIXELS_H
#define LC_PIXELS_H

#include <stddef.h>

/* dst[i] = (float)src[i] / 255.0f for i < n; the AVX-512 or AVX2 version when the run-time
 * check chose it (16 or 8 divisions per instruction instead of 4). */
void lc_pixels_to_unit(const unsigned char *src, float *dst, size_t n);
void lc_pixels_to_unit_avx512(const unsigned char *src, float *dst, size_t n);
void lc_pixels_to_unit_avx2(const unsigned char *src, float *dst, size_t n);

#endif
