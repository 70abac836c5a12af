/* lc_npgen.h - the draws of numpy's np.random.default_rng(seed) (a PCG64 bit generator seeded
 * through SeedSequence), the generator Ray Tune's variant generator samples hyperopt parameters
 * with when Ludwig hands it a random_state. Reproducing its exact stream lets a Ludwig hyperopt
 * config with a seed give the same trial parameters here as under Ludwig.
 *
 *   random()            Generator.random(): (next_uint64 >> 11) * 2^-53
 *   uniform(lo, hi)     Generator.uniform: lo + (hi - lo) * random()
 *   integers(lo, hi)    Generator.integers (int64, hi exclusive): Lemire's bounded draw, on the
 *                       32-bit stream (two draws per 64-bit output, buffered as numpy does) when
 *                       the range fits 32 bits
 *   normal(mean, sd)    Generator.normal: mean + sd * a 256-layer ziggurat draw with tables built
 *                       here from the construction's definition (numpy ships them precomputed, so
 *                       a value may differ from numpy's in its last bits)
 *
 * Deliberately not here: the legacy RandomState stream (lc_kfold's MT19937) and anything Ray adds
 * on top (lc_hyperopt). Thread safety: a generator is one caller's state.
 */
#ifndef LC_NPGEN_H
#define LC_NPGEN_H

#include <stdint.h>

typedef struct lc_npgen {
    uint64_t state_hi, state_lo, inc_hi, inc_lo; /* the 128-bit LCG state and increment */
    int has_uint32;                              /* the high half of the last draw is buffered */
    uint32_t uinteger;
} lc_npgen;

/* np.random.default_rng(seed) for a non-negative integer seed. */
void lc_npgen_seed(lc_npgen *g, uint64_t seed);
uint64_t lc_npgen_next64(lc_npgen *g);
uint32_t lc_npgen_next32(lc_npgen *g);
double lc_npgen_random(lc_npgen *g);
double lc_npgen_uniform(lc_npgen *g, double lo, double hi);
/* lo <= value < hi; returns lo without drawing when hi - lo <= 1 */
int64_t lc_npgen_integers(lc_npgen *g, int64_t lo, int64_t hi);
double lc_npgen_normal(lc_npgen *g, double mean, double sd);

#endif
