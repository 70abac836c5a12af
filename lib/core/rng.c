/* rng.c - splitmix64-based counter hashing and a tiny sequential generator. */
#include "lc_rng.h"

uint64_t lc_mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

uint64_t lc_rng_hash(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b)
{
    uint64_t h = lc_mix64(seed);
    h = lc_mix64(h ^ stream);
    h = lc_mix64(h ^ a);
    return lc_mix64(h ^ b);
}

void lc_rng_init(lc_rng *r, uint64_t seed, uint64_t stream, uint64_t a)
{
    r->state = lc_rng_hash(seed, stream, a, 0);
}

uint64_t lc_rng_next(lc_rng *r)
{
    r->state += 0x9E3779B97F4A7C15ull;
    uint64_t z = r->state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t lc_rng_below(lc_rng *r, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = lc_rng_next(r);
    while (x >= limit);
    return x % n;
}

void lc_rng_shuffle(lc_rng *r, int32_t *idx, int64_t n)
{
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)lc_rng_below(r, (uint64_t)i + 1);
        int32_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}
