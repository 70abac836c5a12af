/* kfold.c - the folds of k-fold cross validation as scikit-learn's shuffled KFold draws them
 * (lc_kfold.h). */
#include "lc_kfold.h"

#include <stdlib.h>

/* MT19937, the generator behind numpy's RandomState */
typedef struct mt {
    uint32_t s[624];
    int pos;
} mt;

static void mt_seed(mt *m, uint32_t seed)
{
    m->s[0] = seed;
    for (int i = 1; i < 624; i++)
        m->s[i] = 1812433253u * (m->s[i - 1] ^ (m->s[i - 1] >> 30)) + (uint32_t)i;
    m->pos = 624;
}

static uint32_t mt_next(mt *m)
{
    if (m->pos >= 624) {
        for (int i = 0; i < 624; i++) {
            uint32_t y = (m->s[i] & 0x80000000u) | (m->s[(i + 1) % 624] & 0x7fffffffu);
            m->s[i] = m->s[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        }
        m->pos = 0;
    }
    uint32_t y = m->s[m->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
}

/* numpy's legacy random_interval: uniform on 0..max by masked rejection of 32-bit draws */
static uint32_t mt_interval(mt *m, uint32_t max)
{
    if (max == 0)
        return 0;
    uint32_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint32_t v;
    while ((v = mt_next(m) & mask) > max)
        ;
    return v;
}

lc_status lc_kfold_assign(size_t n, int k, uint32_t seed, int *fold, lc_error *e)
{
    if (k < 2 || (size_t)k > n)
        return lc_error_set(e, LC_ERR_USAGE,
                            "--k_fold %d: k-fold cross validation needs 2 to %zu folds for %zu rows",
                            k, n < 2 ? (size_t)2 : n, n);
    if (n > UINT32_MAX)
        return lc_error_set(e, LC_ERR_USAGE, "--k_fold: more than 2^32 rows");
    size_t *perm = malloc(n * sizeof *perm);
    mt *m = malloc(sizeof *m);
    if (!perm || !m) {
        free(perm);
        free(m);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    /* RandomState(seed).shuffle(arange(n)): from the last position down, swap with 0..i */
    mt_seed(m, seed);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = mt_interval(m, (uint32_t)i);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    /* KFold: k consecutive pieces, the first n % k of them one row longer */
    size_t at = 0;
    for (int f = 0; f < k; f++) {
        size_t len = n / (size_t)k + ((size_t)f < n % (size_t)k ? 1 : 0);
        for (size_t j = 0; j < len; j++)
            fold[perm[at + j]] = f;
        at += len;
    }
    free(perm);
    free(m);
    return LC_OK;
}
