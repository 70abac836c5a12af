/* lc_rng.h - counter-based randomness: every random number is a pure function of
 * (seed, stream, counters), so results never depend on thread scheduling or call order.
 * Streams separate uses (init, shuffle, dropout, split) so they never share numbers. */
#ifndef LC_RNG_H
#define LC_RNG_H

#include <stdint.h>

enum {
    LC_STREAM_INIT = 1,
    LC_STREAM_SHUFFLE = 2,
    LC_STREAM_DROPOUT = 3,
    LC_STREAM_SPLIT = 4,
    LC_STREAM_SAMPLE = 5,   /* sample_ratio / sample_size, class balancing */
    LC_STREAM_AUGMENT = 6,  /* image augmentation: per training step, the operations and values */
    LC_STREAM_TEST = 99
};

/* splitmix64 finaliser */
uint64_t lc_mix64(uint64_t x);
/* hash of (seed, stream, a, b) -> 64 random bits */
uint64_t lc_rng_hash(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b);
/* The g-th output of the splitmix64 sequence keyed by key: a cheap per-element stream once a
 * key has been hashed (same finaliser as lc_mix64). */
static inline uint64_t lc_splitmix_at(uint64_t key, uint64_t g)
{
    uint64_t x = key + (g + 1) * 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}
/* uniform in [0, 1) with 24 random bits, from a 64-bit hash */
static inline float lc_u01f(uint64_t h) { return (float)(h >> 40) * (1.0f / 16777216.0f); }
/* uniform in [0, 1) with 53 random bits */
static inline double lc_u01d(uint64_t h) { return (double)(h >> 11) * (1.0 / 9007199254740992.0); }

/* A sequential generator for serial uses (shuffles, init): state advances by a Weyl constant. */
typedef struct lc_rng {
    uint64_t state;
} lc_rng;

void lc_rng_init(lc_rng *r, uint64_t seed, uint64_t stream, uint64_t a);
uint64_t lc_rng_next(lc_rng *r);
/* uniform integer in [0, n), unbiased; n >= 1 */
uint64_t lc_rng_below(lc_rng *r, uint64_t n);
/* in-place Fisher-Yates shuffle of idx[0..n) */
void lc_rng_shuffle(lc_rng *r, int32_t *idx, int64_t n);

#endif
