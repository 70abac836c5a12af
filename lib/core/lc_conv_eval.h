/* lc_conv_eval.h - 3x3 conv blocks without an im2col GEMM, under AVX2 or AVX-512 (private to
 * the library).
 *
 * A fused block - 3x3 convolution, stride 1, no dilation, bias, ReLU, then no pool or a 2x2
 * stride-2 max-pool - can skip the GEMM over an im2col matrix:
 *   - DIRECT, for few input channels (an image's 1 or 3): the 3x3 taps as broadcast FMAs, a vector
 *     (16 under AVX-512, 8 under AVX2) of output columns (or pooled columns, or output
 *     channels) at a time. Each output is summed
 *     in the GEMM's order (taps ascending, bias last), so the result is bitwise that of the GEMM
 *     path under the same ISA.
 *   - WINOGRAD F(2x2, 3x3), for more channels: each 2x2 output tile (one pool window) from a
 *     4x4 input tile, 16 products per tile and channel pair instead of 36, as 16 GEMMs with
 *     K = C (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016). The
 *     transforms only add and subtract (and halve, for the weights), so results differ from the
 *     direct sums by rounding only (test_conv bounds the difference).
 *   - WINOGRAD F(4x4, 3x3), where lc_conv_eval_plan_tiles allows it (unpooled, 7 x 7 outputs
 *     and more, not the training forward): each 4x4 output tile from a 6x6 input tile, 36
 *     products instead of 64, as 36 GEMMs; the points 0, 1, -1, 1/2, -2 (and infinity).
 * Evaluation and prediction (no backward pass) use all three, blocks chained depth first. Training's
 * forward pass uses DIRECT for a pooled block without dropout and WINOGRAD for a pooled block
 * (with the dropout masks and the pool's window offsets the backward pass needs); lc_conv.h's
 * lc_conv2d_forward_fused picks them. Every path runs one task per group of samples and each
 * output depends only on its own sample, so results never depend on the thread count.
 */
#ifndef LC_CONV_EVAL_H
#define LC_CONV_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "lc_conv.h"
#include "lc_gemm.h"

enum { LC_CONV_EVAL_NONE = 0, LC_CONV_EVAL_DIRECT = 1, LC_CONV_EVAL_WINOGRAD = 2 };

/* The direct path's limit on input channels: its per-row input vectors (16 per channel) stay in
 * L1, and more channels are better served by Winograd's GEMM. */
#define LC_CONV_EVAL_DIRECT_MAX_C 4

typedef struct lc_conv_eval {
    int kind;
    lc_isa isa;     /* the ISA whose kernels run it (AVX2 or AVX-512) */
    int mr, nr;     /* its GEMM micro-kernel's tile (Winograd) */
    int pool;       /* 2x2 max-pool after the ReLU */
    int linear;     /* no ReLU (and no pool): the convolution and its bias alone (Winograd) */
    int acc;        /* linear: added to y, not stored (lc_conv_eval_block.acc) */
    int G;          /* samples per task */
    int wm;         /* outputs per tile side (Winograd): 2, F(2x2, 3x3), or 4, F(4x4, 3x3) */
    int npos;       /* products per tile and channel pair: (wm + 2)^2 */
    int TH, TW;     /* output tiles per sample (Winograd): wm x wm outputs each */
    int Hp, Wp;     /* rows and columns of the (zero-padded) input the tiles read */
    int NP;         /* nr-wide panels of the transformed weights (Winograd) */
    int pb;         /* panels of mr tiles transformed, then multiplied, together (Winograd): 1,
                     * or all of a task's where the transformed weights outgrow the caches */
    int np0, np1;   /* the panels one call computes, [np0, np1) (Winograd, lc_conv_eval_chain's
                     * blocks only; np1 0: all): a task's share of a group's output channels */
    size_t u;       /* floats of the transformed weights, shared by all threads */
    size_t thread;  /* floats of scratch per thread */
    /* offsets within a thread's scratch; km, sa and kd only for training (Winograd, pooled),
     * kd only under AVX2 */
    size_t xh, v, mp, st, km, sa, kd;
} lc_conv_eval;

/* Fills e for c and f with G samples per task (0: the path's own choice), for the current ISA's
 * kernels (AVX2's under the reference ISA, which runs neither path); e->kind is
 * LC_CONV_EVAL_NONE when neither path applies. */
void lc_conv_eval_plan(const lc_conv2d *c, const lc_conv_fuse *f, int G, lc_conv_eval *e);

/* The same, and with tiles4 an unpooled block whose output has at least 7 rows and 7 columns
 * takes Winograd F(4x4, 3x3): 36 products per 4x4 outputs instead of 64 (4 F(2x2) tiles), at
 * about three times F(2x2)'s rounding error (test_conv bounds it). Evaluation and the input
 * gradient allow it; the training forward does not, where a train-mode batch norm follows:
 * its batch statistics magnify the error (resnet50's gradients on test_tvresnet's photographs
 * go from 0.0086 of float64's, float32 torch's own distance, to 0.029). lc_conv_eval_plan is
 * this with tiles4 0. */
void lc_conv_eval_plan_tiles(const lc_conv2d *c, const lc_conv_fuse *f, int G, int tiles4,
                             lc_conv_eval *e);

/* Consecutive blocks evaluated depth first: each task runs a group of samples through every
 * block in turn, so a block's output is read back from the core's cache by the next one instead
 * of from memory a whole batch later. Block i's input is block i-1's output y (the first's is
 * x); every y is written in full, as running the blocks one by one writes it. */
#define LC_CONV_EVAL_MAX_CHAIN 16

/* Transformed weights kept between calls while the weights stay the same (an evaluation pass
 * over a split; a frozen convolution's training forward): the chain computes U into u (grown as
 * needed; on no memory it computes U into its workspace as without a cache) and marks it valid for
 * the plan it was made for; a later call whose plan matches (ISA, tile size, panels) reads it
 * instead of transforming w again. The owner clears valid whenever w may change, and frees u
 * with lc_conv_eval_ucache_free. */
typedef struct lc_conv_eval_ucache {
    float *u;
    size_t cap; /* floats at u */
    int valid;
    lc_isa isa;
    int wm, nr, NP, C;
} lc_conv_eval_ucache;

void lc_conv_eval_ucache_free(lc_conv_eval_ucache *uc);

typedef struct lc_conv_eval_block {
    const lc_conv2d *c;
    const lc_conv_fuse *f;
    const float *w, *b; /* b may be NULL */
    float *y;           /* (B, OC, POH, POW) */
    int linear;         /* the convolution alone, no ReLU (only where Winograd, unpooled) */
    int tiles4;         /* F(4x4, 3x3) allowed (see lc_conv_eval_plan_tiles) */
    int wflip;          /* w is (c->C, c->OC, 3, 3), the weights of the convolution whose input
                         * gradient this one computes: filter (oc, ci) is w[ci][oc] rotated by
                         * 180 degrees, read so by the weight transform (Winograd only) */
    lc_conv_eval_ucache *uc; /* NULL, or where this block's U is kept between calls */
    int acc;            /* linear only: y += the convolution (a gradient added to another's) */
} lc_conv_eval_block;

/* Floats of workspace the chain of n blocks (w, b, y unused here) needs with nthreads threads
 * under either vector ISA; 0 when a block has no evaluation path, SIZE_MAX on overflow. */
size_t lc_conv_eval_chain_ws_floats(int n, const lc_conv_eval_block *blk, int nthreads);

/* Runs the chain when the ISA is AVX2 or AVX-512, 1 <= n <= LC_CONV_EVAL_MAX_CHAIN and every
 * block has a path; returns 1 when done, 0 when the caller must run the blocks another way. ws:
 * lc_conv_eval_chain_ws_floats floats, 64-byte aligned. */
int lc_conv_eval_chain(lc_pool *p, int n, const lc_conv_eval_block *blk, int B, const float *x,
                       float *ws);

/* One block: the largest of its pooled and unpooled plans, with and without tiles4 (so it
 * depends on neither). */
size_t lc_conv_eval_ws_floats(const lc_conv2d *c, int nthreads);
int lc_conv_eval_forward(lc_pool *p, const lc_conv2d *c, const lc_conv_fuse *f, int B,
                         const float *x, const float *w, const float *b, float *y, float *ws,
                         int tiles4);

/* A 3x3 stride-1 convolution with many input channels and nothing fused after it (a ResNet's,
 * a VGG's before its batch norm) through Winograd F(2x2, 3x3) (or F(4x4, 3x3) with tiles4, as
 * lc_conv_eval_plan_tiles says) for evaluation: y = conv(x) + b,
 * no ReLU. Returns 1 when done, 0 when the shape or the ISA has no such path (the caller runs
 * the GEMM). ws: what lc_conv_eval_ws_floats sized. Results differ from the GEMM's by rounding.
 * uc: NULL or the block's kept U (lc_conv_eval_ucache). */
int lc_conv_eval_forward_linear(lc_pool *p, const lc_conv2d *c, int B, const float *x,
                                const float *w, const float *b, float *y, float *ws,
                                int tiles4, lc_conv_eval_ucache *uc);
/* The input gradient dx (B, C', H, W) of a padded 3x3 stride-1 convolution with weights w
 * (OC', C', 3, 3), from dy (B, OC', H, W): the forward of the transposed convolution c (C = OC',
 * OC = C', padding 1) with w read flipped and transposed (lc_conv_eval_block.wflip), no bias;
 * acc: added to dx (each element old + new). Returns 1 when done, 0 as
 * lc_conv_eval_forward_linear. */
int lc_conv_eval_transposed(lc_pool *p, const lc_conv2d *c, int B, const float *dy,
                            const float *w, float *dx, float *ws, int tiles4, int acc);
/* The same with the ReLU applied (an unpooled block: direct or Winograd as planned). */
int lc_conv_eval_forward_relu(lc_pool *p, const lc_conv2d *c, int B, const float *x,
                              const float *w, const float *b, float *y, float *ws, int tiles4,
                              lc_conv_eval_ucache *uc);

/* U = G g G^T of every filter, packed as the micro-kernel's B panels: position pos (of
 * e->npos), panel np at u + (pos * NP + np) * C * nr, element [ci][oc % nr], zero past OC.
 * Writes panel np's input channels ci0 .. ci1 (tasks split the work this way). wflip: w as
 * lc_conv_eval_block.wflip says. */
void lc_conv_eval_wino_weights(const lc_conv2d *c, const lc_conv_eval *e, const float *w,
                               int wflip, int np, int ci0, int ci1, float *u);

/* Where a pooled direct block's output goes when the next block of a chain is Winograd:
 * straight into that block's (Hp, Wp, C) input images rather than y (which is then not
 * written), so the next block needs no transpose and nothing goes through memory. */
typedef struct lc_conv_eval_hwc {
    float *xh;  /* the next block's images, one per sample of the group, img floats apart */
    size_t img; /* Hp * Wp * C of the next block */
    int Wp, C;  /* the next block's padded width and channels (this block's OC) */
    int oy, ox; /* where this output starts in them: the next block's padding */
    int rows, cols; /* the pooled rows and columns the next block reads (a prefix) */
    int zero;   /* the images have cells this output does not cover: zero them first */
} lc_conv_eval_hwc;

/* x (C,H,W) zero-padded into xp (C, H + 2ph, W + 2pw), the direct path's padded input */
void lc_conv_eval_pad_planes(const lc_conv2d *c, const float *x, float *xp);

/* The per-task work, under AVX-512 (or AVX2: the same with _avx2), for G samples (fewer for
 * the last task). x, y: the group's first sample; x NULL: the Winograd images in scratch are
 * already filled (by the previous block's hwc output); hwc non-NULL: the output goes there
 * instead of y. u: the transformed, packed weights (Winograd) or NULL; w, b: the block's
 * weights and bias (b may be NULL). scratch: e->thread floats, 64-byte aligned. */
void lc_conv_eval_group_avx512(const lc_conv2d *c, const lc_conv_eval *e, int G, const float *x,
                               const float *w, const float *b, const float *u, float *y,
                               const lc_conv_eval_hwc *hwc, float *scratch);
void lc_conv_eval_group_avx2(const lc_conv2d *c, const lc_conv_eval *e, int G, const float *x,
                             const float *w, const float *b, const float *u, float *y,
                             const lc_conv_eval_hwc *hwc, float *scratch);

/* The dropout of a training forward pass: rate 0 = none; the masks of sample s are those of
 * lc_dropout_forward(seed, layer, step) (lc_layers.h). */
typedef struct lc_conv_eval_drop {
    float rate, scale;
    uint32_t thr;
    uint64_t seed, layer, step;
    int s0; /* the batch index of the group's first sample */
} lc_conv_eval_drop;

/* Training forward of G samples through a pooled WINOGRAD block: y (OC, POH, POW) and the
 * window offsets of the maxima, as lc_conv2d_forward_fused writes them but from the Winograd
 * convolution (rounding differs from the GEMM path). u as for lc_conv_eval_group_avx512. */
void lc_conv_wino_train_avx512(const lc_conv2d *c, const lc_conv_eval *e, int G, const float *x,
                               const float *b, const float *u, const lc_conv_eval_drop *d,
                               float *y, unsigned char *am, float *scratch);
void lc_conv_wino_train_avx2(const lc_conv2d *c, const lc_conv_eval *e, int G, const float *x,
                             const float *b, const float *u, const lc_conv_eval_drop *d,
                             float *y, unsigned char *am, float *scratch);

/* The training forward of a pooled block when the ISA is AVX2 or AVX-512 and it is WINOGRAD (any
 * dropout rate below 1) or DIRECT without dropout: returns 1 when done (y and argmax as
 * lc_conv2d_forward_fused writes them), 0 when the caller must run the GEMM path. ws:
 * lc_conv_eval_ws_floats floats. */
int lc_conv_eval_train(lc_pool *p, const lc_conv2d *c, const lc_conv_fuse *f, int B,
                       const float *x, const float *w, const float *b, float rate,
                       uint64_t seed, uint64_t layer, uint64_t step, float *y, unsigned char *am,
                       float *ws);

/* Training forward of one sample through a pooled DIRECT block without dropout: y (OC, POH,
 * POW) and the window offsets of the maxima (as lc_conv2d_forward_fused writes them), bitwise
 * what the GEMM path computes. scratch: e->thread floats. */
void lc_conv_direct_train_avx512(const lc_conv2d *c, const lc_conv_eval *e, const float *x,
                                 const float *w, const float *b, float *y, unsigned char *am,
                                 float *scratch);
void lc_conv_direct_train_avx2(const lc_conv2d *c, const lc_conv_eval *e, const float *x,
                               const float *w, const float *b, float *y, unsigned char *am,
                               float *scratch);

/* Asks for row r (columns [0, cols)) of every channel of x (C, planes of plane floats, rows of W):
 * a pass that moves a map to channels last row by row reads C strided streams, which leave the
 * hardware's prefetchers behind; asked for two rows ahead, its loads stop waiting on memory. */
static inline void lc_conv_eval_prefetch_row(const float *x, int C, size_t plane, int W, int r,
                                             int cols)
{
    for (int ch = 0; ch < C; ch++)
        for (int q0 = 0; q0 < cols; q0 += 16)
            __builtin_prefetch(x + ch * plane + (size_t)r * W + q0);
}

#endif
