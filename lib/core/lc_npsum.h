/* lc_npsum.h - numpy's pairwise summation (the inner loop of np.add.reduce on a contiguous
 * array: below 8 elements a plain loop, up to 128 eight interleaved accumulators, above that
 * halves at a multiple of 8), in float32 and float64, so sums (and the sign of a zero sum) match
 * what numpy computes. Blocking into numpy's 8192-element buffers is the caller's. */
#ifndef LC_NPSUM_H
#define LC_NPSUM_H

#include <stddef.h>

float lc_np_pairwise_f32(const float *a /* (n) */, size_t n);
double lc_np_pairwise_f64(const double *a /* (n) */, size_t n);

#endif
