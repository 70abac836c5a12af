/* dropout.c - inverted dropout: forward draws a keep mask from the counter RNG and scales kept
 * values by 1/(1-rate); backward applies the same mask and scale. Element (b, i) of a batch is
 * kept iff lc_u01f(lc_rng_hash(seed, LC_STREAM_DROPOUT, layer << 32 | step, b << 32 | i)) >= rate,
 * a collision-free keying for layer, step, b and i below 2^32, so the mask does not depend on the
 * thread count or on how the work is split. Deciding when dropout is active (training only) is
 * left to the trainer. */
#include "lc_layers.h"
#include "lc_rng.h"

#include <string.h>

#define DROP_CHUNK 16384

typedef struct {
    int B;
    size_t n;
    float rate, scale;
    uint64_t seed, key_a;
    const float *x;
    float *y;
    uint8_t *mask;
    const uint8_t *mask_in;
} drop_ctx;

static float keep_scale(float rate)
{
    return 1.0f / (float)(1.0 - (double)rate); /* as torch: noise.div_(1 - p) in float */
}

/* tasks: for each sample b, ceil(n / DROP_CHUNK) ranges of its n elements */
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
    for (size_t i = lo; i < hi; i++) {
        uint64_t h = lc_rng_hash(c->seed, LC_STREAM_DROPOUT, c->key_a, (b << 32) | (uint64_t)i);
        int keep = lc_u01f(h) >= c->rate;
        c->mask[off + i] = (uint8_t)keep;
        c->y[off + i] = keep ? c->x[off + i] * c->scale : 0.0f;
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
    drop_ctx c = {B, n, rate, keep_scale(rate), seed,
                  ((layer & 0xffffffffu) << 32) | (step & 0xffffffffu), x, y, mask, NULL};
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
    drop_ctx c = {B, n, rate, keep_scale(rate), 0, 0, dy, dx, NULL, mask};
    if (total == 0)
        return;
    lc_pool_run(p, (int)((total + DROP_CHUNK - 1) / DROP_CHUNK), drop_bwd_task, &c);
}
