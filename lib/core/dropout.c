/* dropout.c - inverted dropout: forward draws a keep mask from the counter RNG (the scheme
 * lc_layers.h documents: one keyed hash per sample, then one splitmix64 step per two elements)
 * and scales kept values by 1/(1-rate); backward applies the same mask and scale. The mask does
 * not depend on the thread count or on how the work is split. Deciding when dropout is active
 * (training only) is left to the trainer. */
#include "lc_layers.h"
#include "lc_rng.h"

#include <string.h>

#define DROP_CHUNK 16384

typedef struct {
    int B;
    size_t n;
    float rate, scale;
    uint64_t seed, layer, step;
    uint32_t thr;
    const float *x;
    float *y;
    uint8_t *mask;
    const uint8_t *mask_in;
} drop_ctx;

/* tasks: for each sample b, ceil(n / DROP_CHUNK) ranges of its n elements (DROP_CHUNK is even,
 * so a range never splits a pair of elements sharing one draw) */
static int drop_tasks_per_sample(size_t n) { return (int)((n + DROP_CHUNK - 1) / DROP_CHUNK); }

static void drop_fwd_task(void *vctx, int task, int thread)
{
    const drop_ctx *c = vctx;
    int per = drop_tasks_per_sample(c->n);
    uint64_t b = (uint64_t)(task / per);
    size_t lo = (size_t)(task % per) * DROP_CHUNK;
    size_t hi = lo + DROP_CHUNK < c->n ? lo + DROP_CHUNK : c->n;
    size_t off = (size_t)b * c->n;
    (void)thread;
    uint64_t key = lc_dropout_key(c->seed, c->layer, c->step, b);
    for (size_t i = lo; i < hi; i += 2) {
        uint64_t h = lc_splitmix_at(key, i >> 1);
        for (size_t q = 0; q < 2 && i + q < hi; q++) {
            int keep = (uint32_t)(h >> (32 * q)) >= c->thr;
            c->mask[off + i + q] = (uint8_t)keep;
            c->y[off + i + q] = keep ? c->x[off + i + q] * c->scale : 0.0f;
        }
    }
}

void lc_dropout_forward(lc_pool *p, int B, size_t n, float rate, uint64_t seed, uint64_t layer,
                        uint64_t step, const float *x, float *y, uint8_t *mask)
{
    size_t total = (size_t)B * n;
    if (rate <= 0.0f) {
        if (y != x)
            memmove(y, x, total * sizeof(float));
        memset(mask, 1, total);
        return;
    }
    if (rate >= 1.0f) {
        memset(y, 0, total * sizeof(float));
        memset(mask, 0, total);
        return;
    }
    drop_ctx c = {B,    n,     rate, lc_dropout_scale(rate), seed, layer, step,
                  lc_dropout_threshold(rate), x, y, mask, NULL};
    if (n == 0 || B <= 0)
        return;
    lc_pool_run(p, B * drop_tasks_per_sample(n), drop_fwd_task, &c);
}

static void drop_bwd_task(void *vctx, int task, int thread)
{
    const drop_ctx *c = vctx;
    size_t total = (size_t)c->B * c->n;
    size_t lo = (size_t)task * DROP_CHUNK;
    size_t hi = lo + DROP_CHUNK < total ? lo + DROP_CHUNK : total;
    (void)thread;
    for (size_t i = lo; i < hi; i++)
        c->y[i] = c->mask_in[i] ? c->x[i] * c->scale : 0.0f;
}

void lc_dropout_backward(lc_pool *p, int B, size_t n, float rate, const uint8_t *mask,
                         const float *dy, float *dx)
{
    size_t total = (size_t)B * n;
    if (rate <= 0.0f) {
        if (dx != dy)
            memmove(dx, dy, total * sizeof(float));
        return;
    }
    if (rate >= 1.0f) {
        memset(dx, 0, total * sizeof(float));
        return;
    }
    drop_ctx c = {B, n, rate, lc_dropout_scale(rate), 0, 0, 0, 0, dy, dx, NULL, mask};
    if (total == 0)
        return;
    lc_pool_run(p, (int)((total + DROP_CHUNK - 1) / DROP_CHUNK), drop_bwd_task, &c);
}
