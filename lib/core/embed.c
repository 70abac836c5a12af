/* embed.c - embedding lookup forward, its scatter-add backward and the one-hot layer, on the
 * pool (contracts in lc_embed.h).
 *
 * The forward splits the batch into fixed blocks of rows. The backward splits the vocabulary:
 * a task owns a block of dW rows, zeroes them and walks the whole batch in order adding the dy
 * rows that index into its block, so every dW element is reduced by one task in batch order
 * whatever the thread count. Index validation is the data stage's; the initialiser, dropout and
 * the optimizer step are others'.
 */
#include "lc_embed.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* batch rows per forward task; vocabulary rows per backward task are sized so that a task
 * clears at least MIN_TASK_FLOATS of dW, and there are at most MAX_BWD_TASKS tasks (each one
 * scans the whole batch) */
#define FWD_ROWS 64
#define MIN_TASK_FLOATS 4096
#define MAX_BWD_TASKS 64

/* the row index held by v, or -1 when v is not an integer in [0, V) */
static int row_of(float v, int V)
{
    if (!(v >= 0.0f && v < (float)V) || v != floorf(v))
        return -1;
    return (int)v;
}

typedef struct fwd_ctx {
    int B, V, D;
    const float *idx, *w;
    float *y;
} fwd_ctx;

static void fwd_task(void *vctx, int t, int thread)
{
    const fwd_ctx *f = vctx;
    int b0 = t * FWD_ROWS, b1 = b0 + FWD_ROWS < f->B ? b0 + FWD_ROWS : f->B;
    (void)thread;
    for (int b = b0; b < b1; b++) {
        int r = row_of(f->idx[b], f->V);
        float *y = f->y + (size_t)b * f->D; /* (D) */
        if (r >= 0) {
            memcpy(y, f->w + (size_t)r * f->D, (size_t)f->D * sizeof *y);
        } else {
            for (int j = 0; j < f->D; j++)
                y[j] = NAN;
        }
    }
}

static int count_bad(int B, int V, const float *idx)
{
    int bad = 0;
    for (int b = 0; b < B; b++)
        bad += row_of(idx[b], V) < 0;
    return bad;
}

int lc_embed_forward(lc_pool *p, int B, int V, int D, const float *idx /* (B) */,
                     const float *w /* (V, D) */, float *y /* (B, D) */)
{
    if (B <= 0 || D <= 0)
        return 0;
    fwd_ctx f = {B, V, D, idx, w, y};
    lc_pool_run(p, (B + FWD_ROWS - 1) / FWD_ROWS, fwd_task, &f);
    return count_bad(B, V, idx);
}

typedef struct bwd_ctx {
    int B, V, D, rows; /* rows: vocabulary rows per task */
    const float *idx, *dy;
    float *dw;
} bwd_ctx;

static void bwd_task(void *vctx, int t, int thread)
{
    const bwd_ctx *k = vctx;
    int v0 = t * k->rows, v1 = v0 + k->rows < k->V ? v0 + k->rows : k->V;
    (void)thread;
    memset(k->dw + (size_t)v0 * k->D, 0, (size_t)(v1 - v0) * (size_t)k->D * sizeof(float));
    for (int b = 0; b < k->B; b++) {
        int r = row_of(k->idx[b], k->V);
        if (r < v0 || r >= v1)
            continue;
        float *dw = k->dw + (size_t)r * k->D;       /* (D) */
        const float *dy = k->dy + (size_t)b * k->D; /* (D) */
        for (int j = 0; j < k->D; j++)
            dw[j] += dy[j];
    }
}

void lc_embed_backward(lc_pool *p, int B, int V, int D, const float *idx /* (B) */,
                       const float *dy /* (B, D) */, float *dw /* (V, D) */)
{
    if (V <= 0 || D <= 0)
        return;
    int rows = (V + MAX_BWD_TASKS - 1) / MAX_BWD_TASKS;
    int min_rows = (MIN_TASK_FLOATS + D - 1) / D;
    if (rows < min_rows)
        rows = min_rows;
    bwd_ctx k = {B < 0 ? 0 : B, V, D, rows, idx, dy, dw};
    lc_pool_run(p, (V + rows - 1) / rows, bwd_task, &k);
}

/* ---- weighted sums of rows (set / bag) ---- */

typedef struct sum_ctx {
    int B, T, V, D, rows;
    const float *x, *w, *dy;
    float *y, *dw;
} sum_ctx;

static void sum_fwd_task(void *vctx, int t, int thread)
{
    const sum_ctx *f = vctx;
    int b0 = t * FWD_ROWS, b1 = b0 + FWD_ROWS < f->B ? b0 + FWD_ROWS : f->B;
    (void)thread;
    for (int b = b0; b < b1; b++) {
        const float *ids = f->x + (size_t)b * 2 * f->T, *wt = ids + f->T;
        float *y = f->y + (size_t)b * f->D; /* (D) */
        memset(y, 0, (size_t)f->D * sizeof *y);
        for (int k = 0; k < f->T; k++) {
            int r = ids[k] < 0.0f ? -1 : row_of(ids[k], f->V);
            if (r < 0)
                continue;
            const float *e = f->w + (size_t)r * f->D, c = wt[k];
            for (int j = 0; j < f->D; j++)
                y[j] += c * e[j];
        }
    }
}

int lc_embed_sum_forward(lc_pool *p, int B, int T, int V, int D, const float *rows,
                         const float *w, float *y)
{
    if (B <= 0 || D <= 0)
        return 0;
    sum_ctx f = {.B = B, .T = T, .V = V, .D = D, .x = rows, .w = w, .y = y};
    lc_pool_run(p, (B + FWD_ROWS - 1) / FWD_ROWS, sum_fwd_task, &f);
    int bad = 0;
    for (size_t k = 0; k < (size_t)B * T; k++) {
        float id = rows[(k / (size_t)T) * 2 * T + k % (size_t)T];
        bad += id >= 0.0f && row_of(id, V) < 0;
    }
    return bad;
}

static void sum_bwd_task(void *vctx, int t, int thread)
{
    const sum_ctx *k = vctx;
    int v0 = t * k->rows, v1 = v0 + k->rows < k->V ? v0 + k->rows : k->V;
    (void)thread;
    memset(k->dw + (size_t)v0 * k->D, 0, (size_t)(v1 - v0) * (size_t)k->D * sizeof(float));
    for (int b = 0; b < k->B; b++) {
        const float *ids = k->x + (size_t)b * 2 * k->T, *wt = ids + k->T;
        const float *dy = k->dy + (size_t)b * k->D; /* (D) */
        for (int i = 0; i < k->T; i++) {
            int r = ids[i] < 0.0f ? -1 : row_of(ids[i], k->V);
            if (r < v0 || r >= v1)
                continue;
            float *dw = k->dw + (size_t)r * k->D, c = wt[i];
            for (int j = 0; j < k->D; j++)
                dw[j] += c * dy[j];
        }
    }
}

void lc_embed_sum_backward(lc_pool *p, int B, int T, int V, int D, const float *rows,
                           const float *dy, float *dw)
{
    if (V <= 0 || D <= 0)
        return;
    int per = (V + MAX_BWD_TASKS - 1) / MAX_BWD_TASKS, min_rows = (MIN_TASK_FLOATS + D - 1) / D;
    if (per < min_rows)
        per = min_rows;
    sum_ctx k = {.B = B < 0 ? 0 : B, .T = T, .V = V, .D = D, .rows = per, .x = rows, .dy = dy,
                 .dw = dw};
    lc_pool_run(p, (V + per - 1) / per, sum_bwd_task, &k);
}

int lc_onehot_forward(int B, int V, const float *idx /* (B) */, float *y /* (B, V) */)
{
    int bad = 0;
    for (int b = 0; b < B; b++) {
        int r = row_of(idx[b], V);
        float *yb = y + (size_t)b * V; /* (V) */
        for (int j = 0; j < V; j++)
            yb[j] = r < 0 ? NAN : (j == r ? 1.0f : 0.0f);
        bad += r < 0;
    }
    return bad;
}
