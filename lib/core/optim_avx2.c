/* optim_avx2.c - Adam's update (no weight decay, no amsgrad: the tutorial's and Ludwig's
 * default) 8 parameters at a time, as optim_avx512.c does 16. Every operation is the scalar
 * loop's (optim.c) in the same order - fused multiply-adds where it uses fmaf, IEEE sqrt and
 * division - so the parameters are bitwise those of the scalar loop (test_optim checks them
 * under each vector ISA). Compiled with -mavx2 -mfma; optim.c calls it only when the run-time
 * check chose AVX2. */
#include "lc_optim_isa.h"

#include <immintrin.h>
#include <math.h>

void lc_adam_plain_avx2(size_t lo, size_t hi, float *p, float *m, float *v, const float *g,
                        float b1, float omb1, float b2, float omb2, float bc2_sqrt, float eps,
                        float neg_step)
{
    const __m256 vb1 = _mm256_set1_ps(b1), vomb1 = _mm256_set1_ps(omb1);
    const __m256 vb2 = _mm256_set1_ps(b2), vomb2 = _mm256_set1_ps(omb2);
    const __m256 vbc = _mm256_set1_ps(bc2_sqrt), veps = _mm256_set1_ps(eps);
    const __m256 vns = _mm256_set1_ps(neg_step);
    size_t i = lo;
    for (; i + 8 <= hi; i += 8) {
        __m256 gi = _mm256_loadu_ps(g + i);
        __m256 mi = _mm256_fmadd_ps(gi, vomb1, _mm256_mul_ps(_mm256_loadu_ps(m + i), vb1));
        __m256 vi = _mm256_fmadd_ps(_mm256_mul_ps(vomb2, gi), gi,
                                    _mm256_mul_ps(_mm256_loadu_ps(v + i), vb2));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), vbc), veps);
        __m256 step = _mm256_div_ps(_mm256_mul_ps(vns, mi), denom);
        _mm256_storeu_ps(p + i, _mm256_add_ps(_mm256_loadu_ps(p + i), step));
    }
    for (; i < hi; i++) {
        m[i] = fmaf(g[i], omb1, m[i] * b1);
        v[i] = fmaf(omb2 * g[i], g[i], v[i] * b2);
        float denom = sqrtf(v[i]) / bc2_sqrt + eps;
        p[i] = p[i] + neg_step * m[i] / denom;
    }
}
