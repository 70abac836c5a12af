/* lc_vmath.h - exp, sigmoid and tanh for float that compilers vectorise (no calls, no branches,
 * no table lookups), for the element-wise loops of the recurrent cells.
 *
 * exp: x clamped to [-87.3, 88.3], x = n ln2 + r with |r| <= ln2 / 2 (Cody-Waite split of ln2),
 * e^r from Cephes' expf minimax polynomial (degree 7), times 2^n built in the exponent bits.
 * Relative error within 2 ulp over the clamped range (tests/unit/test_vmath.c checks it against
 * double-precision libm on a dense grid). sigmoid(x) = 1 / (1 + e^-x) (absolute error < 2e-7);
 * tanh(x) = sign(x) (1 - e) / (1 + e) with e = e^(-2|x|), and its Taylor series to x^9 for
 * |x| < 1/8 (absolute error < 2e-7 everywhere, relative < 4e-7 near 0). Results may differ from
 * libm's in the last bits; they are the same for any thread count on a given build. */
#ifndef LC_VMATH_H
#define LC_VMATH_H

#include <stdint.h>
#include <string.h>

static inline float lc_vexpf(float x)
{
    x = x < -87.3f ? -87.3f : x;
    x = x > 88.3f ? 88.3f : x;
    float n = x * 1.44269504088896341f;
    /* round to nearest without calling rintf: add and subtract 1.5 * 2^23 */
    n = (n + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float r2 = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r2 + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float lc_vsigmoidf(float x)
{
    return 1.0f / (1.0f + lc_vexpf(-x));
}

static inline float lc_vtanhf(float x)
{
    float a = x < 0.0f ? -x : x;
    float e = lc_vexpf(-2.0f * a);
    float t = (1.0f - e) / (1.0f + e);
    float x2 = x * x;
    /* the series to x^9 below 1/8, where (1 - e) would lose relative precision */
    float small = x * (1.0f + x2 * (-0.333333333f + x2 * (0.133333333f +
                                                         x2 * (-0.053968254f + x2 * 0.021869489f))));
    float big = x < 0.0f ? -t : t;
    return a < 0.125f ? small : big;
}

#endif
