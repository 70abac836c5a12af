/* lc_optim_isa.h - vector versions of optimizer updates (private to lib/core). */
#ifndef LC_OPTIM_ISA_H
#define LC_OPTIM_ISA_H

#include <stddef.h>

/* Adam without weight decay or amsgrad over [lo, hi), bitwise the scalar loop's result. */
void lc_adam_plain_avx512(size_t lo, size_t hi, float *p, float *m, float *v, const float *g,
                          float b1, float omb1, float b2, float omb2, float bc2_sqrt, float eps,
                          float neg_step);
void lc_adam_plain_avx2(size_t lo, size_t hi, float *p, float *m, float *v, const float *g,
                        float b1, float omb1, float b2, float omb2, float bc2_sqrt, float eps,
                        float neg_step);

#endif
