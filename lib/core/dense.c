/* dense.c - fully connected layer forward/backward over a batch on the blocked GEMM.
 *
 * y = x w^T + b; dx = dy w; dW = dy^T x (the batch reduction happens inside one GEMM per output
 * block, k = batch index ascending); db = column sums of dy in batch order. Tasks are fixed row
 * and column blocks of the outputs, so every element is reduced by exactly one task in a fixed
 * order and results are bitwise identical for any thread count. Activations and the workspace
 * for packing (lc_sgemm's own stack buffer) are left to others.
 */
#include "lc_conv.h"

#include "lc_gemm.h"

#include <stddef.h>

/* Output blocking of the task split: columns in multiples of every kernel's NR. */
#define ROW_BLOCK 256
#define COL_BLOCK 32
#define WIDE_COL_BLOCK 160

static int nblocks(int n, int blk) { return n <= 0 ? 0 : (n + blk - 1) / blk; }

typedef struct fwd_ctx {
    int B, IN, OUT, ncb;
    const float *x, *w, *b;
    float *y;
} fwd_ctx;

static void fwd_task(void *vctx, int t, int thread)
{
    const fwd_ctx *f = vctx;
    int i0 = (t / f->ncb) * ROW_BLOCK, j0 = (t % f->ncb) * COL_BLOCK;
    int m = f->B - i0 < ROW_BLOCK ? f->B - i0 : ROW_BLOCK;
    int n = f->OUT - j0 < COL_BLOCK ? f->OUT - j0 : COL_BLOCK;
    float *y = f->y + (size_t)i0 * f->OUT + j0;
    (void)thread;
    lc_sgemm(0, 1, m, n, f->IN, 1.0f, f->x + (size_t)i0 * f->IN, f->IN,
             f->w + (size_t)j0 * f->IN, f->IN, 0.0f, y, f->OUT);
    if (f->b)
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                y[(size_t)i * f->OUT + j] += f->b[j0 + j];
}

void lc_dense_forward(lc_pool *p, int B, int IN, int OUT, const float *x /* (B,IN) */,
                      const float *w /* (OUT,IN) */, const float *b /* (OUT) */,
                      float *y /* (B,OUT) */)
{
    fwd_ctx f = {B, IN, OUT, nblocks(OUT, COL_BLOCK), x, w, b, y};
    lc_pool_run(p, nblocks(B, ROW_BLOCK) * f.ncb, fwd_task, &f);
}

typedef struct bwd_ctx {
    int B, IN, OUT;
    int ncb;       /* column blocks of IN (shared by dx and dW) */
    int ndx, ndw;  /* tasks of each kind */
    const float *x, *w, *dy;
    float *dx, *dw, *db;
} bwd_ctx;

static void bwd_task(void *vctx, int t, int thread)
{
    const bwd_ctx *k = vctx;
    (void)thread;
    if (t < k->ndx) { /* dx(B, IN) = dy(B, OUT) w(OUT, IN) */
        int i0 = (t / k->ncb) * ROW_BLOCK, j0 = (t % k->ncb) * WIDE_COL_BLOCK;
        int m = k->B - i0 < ROW_BLOCK ? k->B - i0 : ROW_BLOCK;
        int n = k->IN - j0 < WIDE_COL_BLOCK ? k->IN - j0 : WIDE_COL_BLOCK;
        lc_sgemm(0, 0, m, n, k->OUT, 1.0f, k->dy + (size_t)i0 * k->OUT, k->OUT, k->w + j0, k->IN,
                 0.0f, k->dx + (size_t)i0 * k->IN + j0, k->IN);
        return;
    }
    t -= k->ndx;
    if (t < k->ndw) { /* dW(OUT, IN) = dy^T(OUT, B) x(B, IN) */
        int i0 = (t / k->ncb) * ROW_BLOCK, j0 = (t % k->ncb) * WIDE_COL_BLOCK;
        int m = k->OUT - i0 < ROW_BLOCK ? k->OUT - i0 : ROW_BLOCK;
        int n = k->IN - j0 < WIDE_COL_BLOCK ? k->IN - j0 : WIDE_COL_BLOCK;
        lc_sgemm(1, 0, m, n, k->B, 1.0f, k->dy + i0, k->OUT, k->x + j0, k->IN, 0.0f,
                 k->dw + (size_t)i0 * k->IN + j0, k->IN);
        return;
    }
    /* db(OUT): column sums of dy in batch order */
    for (int o = 0; o < k->OUT; o++)
        k->db[o] = 0.0f;
    for (int i = 0; i < k->B; i++)
        for (int o = 0; o < k->OUT; o++)
            k->db[o] += k->dy[(size_t)i * k->OUT + o];
}

void lc_dense_backward(lc_pool *p, int B, int IN, int OUT, const float *x /* (B,IN) */,
                       const float *w /* (OUT,IN) */, const float *dy /* (B,OUT) */,
                       float *dx /* (B,IN) */, float *dw /* (OUT,IN) */, float *db /* (OUT) */)
{
    bwd_ctx k = {B, IN, OUT, nblocks(IN, WIDE_COL_BLOCK), 0, 0, x, w, dy, dx, dw, db};
    if (B < 0 || IN <= 0 || OUT <= 0)
        return;
    k.ndx = dx ? nblocks(B, ROW_BLOCK) * k.ncb : 0;
    k.ndw = nblocks(OUT, ROW_BLOCK) * k.ncb;
    lc_pool_run(p, k.ndx + k.ndw + (db ? 1 : 0), bwd_task, &k);
}
