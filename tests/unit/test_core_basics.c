/* test_core_basics.c - error context, allocation overflow, counter RNG and the thread pool. */
#include "check.h"
#include "lc_error.h"
#include "lc_mem.h"
#include "lc_pool.h"
#include "lc_rng.h"

#include <stdint.h>
#include <string.h>

static void square_task(void *ctx, int task, int thread)
{
    int64_t *v = ctx;
    v[task] = (int64_t)task * task;
    (void)thread;
}

int main(void)
{
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_error_set(&e, LC_ERR_DATA, "row %d bad", 3) == LC_ERR_DATA);
    lc_error_set(&e, LC_ERR_IO, "later");
    CHECK(e.status == LC_ERR_DATA && strcmp(e.msg, "row 3 bad") == 0);
    lc_error_prefix(&e, "%s: ", "d.csv");
    CHECK(strcmp(e.msg, "d.csv: row 3 bad") == 0);

    size_t s;
    CHECK(lc_size_mul(SIZE_MAX / 2, 3, &s) == -1);
    CHECK(lc_alloc(SIZE_MAX / 2, 3) == NULL);
    float *f = lc_alloc(17, sizeof(float));
    CHECK(f && ((uintptr_t)f % 64) == 0 && f[16] == 0.0f);
    lc_free(f);
    /* a block of 8 MiB or more: on a 2 MiB boundary (huge pages), zeroed to its end; sizes that
     * would wrap when rounded up to 2 MiB are refused */
    size_t big = (size_t)9 << 20;
    unsigned char *g = lc_alloc(big + 3, 1);
    int zero = g != NULL;
    for (size_t k = 0; g && k < big + 3; k += 4093)
        zero &= g[k] == 0;
    CHECK(g && ((uintptr_t)g % ((size_t)2 << 20)) == 0 && zero && g[big + 2] == 0);
    lc_free(g);
    CHECK(lc_alloc(SIZE_MAX - 100, 1) == NULL);

    CHECK(lc_rng_hash(42, 1, 2, 3) == lc_rng_hash(42, 1, 2, 3));
    CHECK(lc_rng_hash(42, 1, 2, 3) != lc_rng_hash(42, 1, 2, 4));
    lc_rng r;
    lc_rng_init(&r, 42, LC_STREAM_SHUFFLE, 0);
    int32_t idx[100];
    for (int i = 0; i < 100; i++)
        idx[i] = i;
    lc_rng_shuffle(&r, idx, 100);
    int seen[100] = {0}, moved = 0;
    for (int i = 0; i < 100; i++) {
        seen[idx[i]]++;
        moved += idx[i] != i;
    }
    int perm = 1;
    for (int i = 0; i < 100; i++)
        perm &= seen[i] == 1;
    CHECK(perm && moved > 80);

    for (int nt = 1; nt <= 4; nt++) {
        lc_pool *p = lc_pool_create(nt);
        CHECK(p && lc_pool_threads(p) == nt);
        for (int rep = 0; rep < 50; rep++) {
            int64_t v[257];
            memset(v, 0xff, sizeof v);
            lc_pool_run(p, 257, square_task, v);
            int ok = 1;
            for (int i = 0; i < 257; i++)
                ok &= v[i] == (int64_t)i * i;
            CHECK(ok);
        }
        lc_pool_destroy(p);
    }
    return check_exit("test_core_basics");
}
