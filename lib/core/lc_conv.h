/* lc_conv.h - 2-D convolution and dense (fully connected) layers over a whole batch, on the pool.
 *
 * Layouts follow PyTorch so reference tests line up: x (B,C,H,W), w (OC,C,KH,KW), y (B,OC,OH,OW);
 * dense x (B,IN), w (OUT,IN), y (B,OUT). Zero padding is symmetric (ph rows top and bottom).
 * Backward overwrites dw/db (gradients are not accumulated across calls). Every output element is
 * reduced by one task in a fixed order, and batch reductions use a fixed number of chunks
 * (LC_REDUCE_CHUNKS), so results are bitwise identical for any thread count.
 */
#ifndef LC_CONV_H
#define LC_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "lc_pool.h"

#define LC_REDUCE_CHUNKS 16

typedef struct lc_conv2d {
    int C, H, W;    /* input */
    int OC, KH, KW; /* filters */
    int sh, sw;     /* stride */
    int ph, pw;     /* zero padding */
    int dh, dw;     /* dilation */
    int OH, OW;     /* output, set by lc_conv2d_plan */
    int groups;     /* 0 or 1: dense; G > 1: C and OC split into G groups, w (OC, C/G, KH, KW)
                     * (lc_gconv2d_*, which lc_conv2d_forward/backward call) */
} lc_conv2d;

/* The output columns ow whose input column ow*s + d lies in [0, W): [lo, hi) (im2col's and the
 * grouped convolution's valid span of a kernel tap, d = kw*dw - pw). */
static inline void lc_conv_valid_cols(int OW, int W, int s, int d, int *lo, int *hi)
{
    int l = d >= 0 ? 0 : (-d + s - 1) / s;
    int h = W - 1 - d < 0 ? 0 : (W - 1 - d) / s + 1;
    *lo = l < OW ? l : OW;
    *hi = h < OW ? h : OW;
    if (*hi < *lo)
        *hi = *lo;
}

/* Grouped convolution, computed directly (gconv.c); no workspace. */
void lc_gconv2d_forward(lc_pool *p, const lc_conv2d *c, int B, const float *x, const float *w,
                        const float *b, float *y);
void lc_gconv2d_backward(lc_pool *p, const lc_conv2d *c, int B, const float *x, const float *w,
                         const float *dy, float *dx, float *dw, float *db);

/* Computes OH/OW; returns 0, or -1 when the output would be empty (kernel larger than input). */
int lc_conv2d_plan(lc_conv2d *c);

/* Floats of workspace forward+backward need for batch size B with nthreads threads; the caller
 * allocates it once (64-byte aligned) and passes it to every call. */
size_t lc_conv2d_ws_floats(const lc_conv2d *c, int B, int nthreads);

/* b may be NULL (no bias). */
void lc_conv2d_forward(lc_pool *p, const lc_conv2d *c, int B, const float *x /* (B,C,H,W) */,
                       const float *w /* (OC,C,KH,KW) */, const float *b /* (OC) */,
                       float *y /* (B,OC,OH,OW) */, float *ws);

/* lc_conv2d_forward, but under AVX2 or AVX-512 a 3x3 stride-1 convolution with more than
 * LC_CONV_EVAL_DIRECT_MAX_C input channels runs Winograd F(2x2, 3x3) (lc_conv_eval.h): 16
 * products per 2x2 outputs instead of 36, results that differ from the GEMM's by rounding only.
 * The rest as lc_conv2d_forward. lc_conv2d_backward needs nothing from it (it reads x). Each
 * sample's output depends on that sample alone, on any thread count. Not training (evaluation):
 * large maps take F(4x4, 3x3) (lc_conv_eval_plan_tiles says why not in training). uc: NULL, or
 * where the Winograd path keeps its transformed weights between calls while w stays the same
 * (lc_conv_eval_ucache). */
struct lc_conv_eval_ucache; /* lc_conv_eval.h */
void lc_conv2d_forward_winograd(lc_pool *p, const lc_conv2d *c, int B, const float *x,
                                const float *w, const float *b, float *y, float *ws,
                                int training, struct lc_conv_eval_ucache *uc);

/* y = ReLU(conv(x) + b) in one pass where the evaluation kernels (lc_conv_eval.h) take the shape
 * (3x3 stride 1 under AVX2 or AVX-512): returns 1, else 0 and nothing written. Evaluation only.
 * uc as for lc_conv2d_forward_winograd. */
int lc_conv2d_forward_relu(lc_pool *p, const lc_conv2d *c, int B, const float *x,
                           const float *w, const float *b, float *y, float *ws,
                           struct lc_conv_eval_ucache *uc);

/* dx may be NULL (no input gradient needed); db may be NULL (no bias). */
void lc_conv2d_backward(lc_pool *p, const lc_conv2d *c, int B, const float *x /* (B,C,H,W) */,
                        const float *w /* (OC,C,KH,KW) */, const float *dy /* (B,OC,OH,OW) */,
                        float *dx /* (B,C,H,W) */, float *dw /* (OC,C,KH,KW) */,
                        float *db /* (OC) */, float *ws);
/* The same with dx += the input gradient (a gradient added to another reader's, without a
 * buffer of its own); returns 0, having done nothing, where that path is missing (groups > 1,
 * no samples). */
int lc_conv2d_backward_acc(lc_pool *p, const lc_conv2d *c, int B, const float *x, const float *w,
                           const float *dy, float *dx, float *dw, float *db, float *ws);

/* The weight gradient of a 3x3 stride-1 convolution with padding 1 on a map of at most 16x16
 * and at least 32 channels either side, through Winograd F(2x2, 3x3) (conv_wgrad.c; what
 * lc_conv2d_backward does for such a convolution): dw (OC, C, 3, 3) written, in
 * lc_conv_wgrad_wino_floats(c, B, threads) floats of ws. Returns 0, having done nothing, for
 * any other convolution (lc_conv_wgrad_wino_ok) and under the reference ISA. */
int lc_conv_wgrad_wino_ok(const lc_conv2d *c);
size_t lc_conv_wgrad_wino_floats(const lc_conv2d *c, int B, int nthreads);
int lc_conv_wgrad_wino(lc_pool *p, const lc_conv2d *c, int B, const float *x, const float *dy,
                       float *dw, float *ws);

/* A convolution fused with what follows it in a stacked_cnn block: ReLU, inverted dropout
 * (training only) and a non-overlapping max-pool (kernel == stride, no padding, no dilation),
 * computed per sample while the conv output is still in cache. The result equals running
 * lc_conv2d_forward, lc_act_forward(RELU), lc_dropout_forward and lc_pool2d_forward in turn (the
 * same masks, the same first-maximum rule), and backward needs only the block's output y and the
 * window offsets of the maxima: dz = y > 0 ? dy * scale : 0 at each maximum. */
typedef struct lc_conv_fuse {
    int pool;       /* 1: max-pool pkh x pkw with the same stride; 0: none */
    int pkh, pkw;   /* pkh * pkw <= 256 (offsets are stored in bytes) */
    int POH, POW;   /* pooled output (floor mode), set by lc_conv_fuse_plan */
} lc_conv_fuse;

/* Sets POH/POW from c's output; returns 0, or -1 when pooling would leave nothing. */
int lc_conv_fuse_plan(const lc_conv2d *c, lc_conv_fuse *f);
/* Floats per sample of the block output. */
size_t lc_conv_fuse_out_floats(const lc_conv2d *c, const lc_conv_fuse *f);

/* rate 0 = no dropout (evaluation); the masks are those of lc_dropout_forward(seed, layer, step).
 * argmax (B, OC, POH, POW) bytes, only with pooling. argmax NULL means evaluation (rate is then
 * ignored: no dropout) and that no backward pass follows. Under AVX2 or AVX-512 a 3x3 stride-1
 * block skips the im2col GEMM (lc_conv_eval.h): with few input channels bitwise the same, with
 * more (Winograd; pooled only when training) different by rounding only. */
void lc_conv2d_forward_fused(lc_pool *p, const lc_conv2d *c, const lc_conv_fuse *f, int B,
                             const float *x /* (B,C,H,W) */, const float *w /* (OC,C,KH,KW) */,
                             const float *b /* (OC) */, float rate, uint64_t seed,
                             uint64_t layer, uint64_t step, float *y /* (B,OC,POH,POW) */,
                             unsigned char *argmax, float *ws);
/* y, argmax and rate as the forward pass left them; dy is the gradient of y. */
void lc_conv2d_backward_fused(lc_pool *p, const lc_conv2d *c, const lc_conv_fuse *f, int B,
                              const float *x, const float *w, const float *y,
                              const unsigned char *argmax, float rate, const float *dy,
                              float *dx /* (B,C,H,W) */, float *dw, float *db, float *ws);

/* y = x w^T + b; b may be NULL. */
void lc_dense_forward(lc_pool *p, int B, int IN, int OUT, const float *x /* (B,IN) */,
                      const float *w /* (OUT,IN) */, const float *b /* (OUT) */,
                      float *y /* (B,OUT) */);

/* dx may be NULL; db may be NULL. */
void lc_dense_backward(lc_pool *p, int B, int IN, int OUT, const float *x /* (B,IN) */,
                       const float *w /* (OUT,IN) */, const float *dy /* (B,OUT) */,
                       float *dx /* (B,IN) */, float *dw /* (OUT,IN) */, float *db /* (OUT) */);

/* im2col / col2im for one sample (exposed for the adjointness test).
 * col is (C*KH*KW, OH*OW); col2im accumulates into x (caller zeroes it). */
void lc_im2col(const lc_conv2d *c, const float *x /* (C,H,W) */, float *col);
void lc_col2im(const lc_conv2d *c, const float *col, float *x /* (C,H,W) */);

#endif
