/* lc_conv1d.h - torch.nn.Conv1d(E, F, k, padding="same") over sequences laid out time-major
 * (B, L, E) -> (B, L, F), the convolution of Ludwig's Conv1DLayer (its input transposed to
 * channels-first and back): y[b, t, f] = bias[f] + sum_{j, e} W[f, e, j] x[b, t + j - p, e], with
 * p = (k - 1) / 2 (PyTorch's "same": the extra zero of an even kernel goes to the right) and x
 * zero outside [0, L). W is torch's (F, E, k) layout.
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
} lc_conv1d;

/* Workspace floats the forward and backward passes need for B samples and nthreads threads. */
size_t lc_conv1d_ws_floats(const lc_conv1d *c, int B, int nthreads);

/* y (B, L, ys) holds the output at columns [yo, yo + F) (parallel layers share one tensor). */
void lc_conv1d_forward(lc_pool *p, const lc_conv1d *c, int B, const float *x, const float *w,
                       const float *bias, float *y, int ys, int yo, float *ws);
/* From dy (y's layout): dx ADDED to (NULL: not needed), dw and db overwritten (NULL: not
 * needed). */
void lc_conv1d_backward(lc_pool *p, const lc_conv1d *c, int B, const float *x, const float *w,
                        const float *dy, int ys, int yo, float *dx, float *dw, float *db,
                        float *ws);

#endif
