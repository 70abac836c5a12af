/* optim_avx512.c - Adam's update (no weight decay, no amsgrad: the tutorial's and Ludwig's
 * default) 16 parameters at a time. Every operation is the scalar loop's (optim.c) in the same
 * order - fused multiply-adds where it uses fmaf, IEEE sqrt and division - so the parameters are
 * bitwise those of the scalar loop (test_optim checks them against torch). Compiled with
 * -mavx512*; optim.c calls it only when the run-time check chose AVX-512. */
#include "lc_optim_isa.h"

#include <immintrin.h>
#include <math.h>

void lc_adam_plain_avx512(size_t lo, size_t hi, float *p, float *m, float *v, const float *g,
                          float b1, float omb1, float b2, float omb2, float bc2_sqrt, float eps,
                          float neg_step)
{
    const __m512 vb1 = _mm512_set1_ps(b1), vomb1 = _mm512_set1_ps(omb1);
    const __m512 vb2 = _mm512_set1_ps(b2), vomb2 = _mm512_set1_ps(omb2);
    const __m512 vbc = _mm512_set1_ps(bc2_sqrt), veps = _mm512_set1_ps(eps);
    const __m512 vns = _mm512_set1_ps(neg_step);
    size_t i = lo;
    for (; i + 16 <= hi; i += 16) {
        __m512 gi = _mm512_loadu_ps(g + i);
        __m512 mi = _mm512_fmadd_ps(gi, vomb1, _mm512_mul_ps(_mm512_loadu_ps(m + i), vb1));
        __m512 vi = _mm512_fmadd_ps(_mm512_mul_ps(vomb2, gi), gi,
                                    _mm512_mul_ps(_mm512_loadu_ps(v + i), vb2));
        _mm512_storeu_ps(m + i, mi);
        _mm512_storeu_ps(v + i, vi);
        __m512 denom = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(vi), vbc), veps);
        __m512 step = _mm512_div_ps(_mm512_mul_ps(vns, mi), denom);
        _mm512_storeu_ps(p + i, _mm512_add_ps(_mm512_loadu_ps(p + i), step));
    }
    for (; i < hi; i++) {
        m[i] = fmaf(g[i], omb1, m[i] * b1);
        v[i] = fmaf(omb2 * g[i], g[i], v[i] * b2);
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        p[i] = p[i] + neg_step * m[i] / denom;
    }
}
