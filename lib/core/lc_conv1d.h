/* lc_conv1d.h - torch.nn.Conv1d(E, F, k, stride s, dilation d, padding "same" or "valid") over
 * sequences laid out time-major (B, L, E) -> (B, Lo, F), the convolution of Ludwig's Conv1DLayer
 * (its input transposed to channels-first and back):
 *   y[b, t, f] = bias[f] + sum_{j, e} W[f, e, j] x[b, t s + j d - p, e],
 * x zero outside [0, L). "same" (stride 1 only, as in torch): p = d (k - 1) / 2 (the extra zero of
 * an even span goes to the right), Lo = L; "valid": p = 0, Lo = (L - d (k - 1) - 1) / s + 1. W is
 * torch's (F, E, k) layout. stride and dilation 0 mean 1; valid 0 means "same".
 *
 * Per sample an im2col row (E k values, (e, j) order, so W is the GEMM's B as stored) and one
 * GEMM; samples are tasks. The weight and bias gradients are summed per fixed group of samples,
 * then over the groups in order, so every result is bitwise the same for any thread count. */
#ifndef LC_CONV1D_H
#define LC_CONV1D_H

#include <stddef.h>

#include "lc_pool.h"

typedef struct lc_conv1d {
    int L, E, F, k;
    int stride, dilation, valid;
} lc_conv1d;

/* The stride, dilation (0 means 1) and left padding the convolution uses. */
static inline int lc_conv1d_stride(const lc_conv1d *c) { return c->stride > 0 ? c->stride : 1; }
static inline int lc_conv1d_dilation(const lc_conv1d *c) { return c->dilation > 0 ? c->dilation : 1; }
static inline int lc_conv1d_pad(const lc_conv1d *c)
{
    return c->valid ? 0 : lc_conv1d_dilation(c) * (c->k - 1) / 2;
}

/* The output length Lo (< 1: the sequence is too short for the kernel). */
int lc_conv1d_out_len(const lc_conv1d *c);

/* Workspace floats the forward and backward passes need for B samples and nthreads threads. */
size_t lc_conv1d_ws_floats(const lc_conv1d *c, int B, int nthreads);

/* y (B, Lo, ys) holds the output at columns [yo, yo + F) (parallel layers share one tensor). */
void lc_conv1d_forward(lc_pool *p, const lc_conv1d *c, int B, const float *x, const float *w,
                       const float *bias, float *y, int ys, int yo, float *ws);
/* From dy (y's layout): dx ADDED to (NULL: not needed), dw and db overwritten (NULL: not
 * needed). */
void lc_conv1d_backward(lc_pool *p, const lc_conv1d *c, int B, const float *x, const float *w,
                        const float *dy, int ys, int yo, float *dx, float *dw, float *db,
                        float *ws);

#endif
