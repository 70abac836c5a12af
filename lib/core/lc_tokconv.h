/* lc_tokconv.h - a Conv1d (lc_conv1d.h) whose input is an embedding lookup (the first conv layer
 * of Ludwig's parallel_cnn, stacked_cnn, stacked_parallel_cnn and cnnrnn over text), computed
 * over the batch's distinct tokens instead of its positions.
 *
 * With W_j the (F, E) slice of W at kernel offset j, a position's contribution W_j emb[id] depends
 * only on the id, so the forward pass projects each distinct id of the batch once,
 *   P[d] = (W_0 x_d, ..., W_{k-1} x_d)            (D distinct ids: one (D, E) x (E, k F) GEMM),
 * and sums k rows of P per output step; the backward pass scatters dy into the same (D, k F)
 * layout, G[d, j] = sum of dy[b, t] over the steps whose input at offset j holds id d, and
 *   dW_j = sum_d G[d, j] x_d^T,  d emb[id_d] += sum_j W_j^T G[d, j]     (two GEMMs over D).
 * A batch of B rows of L tokens holds D <= B L distinct ids (a few thousand for text, against
 * B L = 8,192 positions for 128 rows of 64), so the convolution's GEMMs shrink by B L / D; the
 * result is the convolution's, up to float rounding.
 *
 * Every task split is fixed (rows of P and G, rows of dW), so results are bitwise the
 * same for any thread count. */
#ifndef LC_TOKCONV_H
#define LC_TOKCONV_H

#include <stddef.h>
#include <stdint.h>

#include "lc_conv1d.h"
#include "lc_pool.h"

/* The batch's distinct ids: n ids (floats holding integers, as lc_embed.h takes them) give
 * cid[i] in [0, D), numbered in order of first appearance, and uniq[d], the id of slot d (-1: one
 * slot shared by every id that is not an integer in [0, V)). map (V int32) must hold -1 on entry
 * and holds -1 again on return. Returns D (<= n, <= V + 1). */
int lc_tok_unique(int n, int V, const float *idx, int32_t *map, int32_t *cid, int32_t *uniq);

/* xd[d] = emb[uniq[d]], a row of NaN for the invalid slot (as lc_embed_forward fills it). */
void lc_tok_gather(lc_pool *p, int D, int E, const int32_t *uniq, const float *emb, float *xd);

/* Workspace floats for B rows holding up to Dmax distinct ids. */
size_t lc_tokconv_ws_floats(const lc_conv1d *c, int B, int Dmax);

/* y (B, Lo, ys) at columns [yo, yo + F): the convolution of the B rows of L embedded ids
 * cid (B L) whose distinct embeddings are xd (D, E). */
void lc_tokconv_forward(lc_pool *p, const lc_conv1d *c, int B, int D, const int32_t *cid,
                        const float *xd, const float *w, const float *bias, float *y, int ys,
                        int yo, float *ws);

/* From dy (y's layout): demb (V, E) ADDED at the rows uniq[d] (NULL: not needed; the invalid
 * slot gets nothing), dw and db overwritten (NULL: not needed). */
void lc_tokconv_backward(lc_pool *p, const lc_conv1d *c, int B, int D, const int32_t *cid,
                         const int32_t *uniq, const float *xd, const float *w, const float *dy,
                         int ys, int yo, float *demb, float *dw, float *db, float *ws);

/* The conv, then ReLU, then the sum over the steps (mean: divided by the steps), fused: yr (B, F)
 * the reduced output, mask (B, Lo, F) whether each step's conv output was above 0. The same
 * numbers as the three layers apart (each total summed in step order). */
void lc_tokconv_relu_sum_forward(lc_pool *p, const lc_conv1d *c, int B, int D,
                                 const int32_t *cid, const float *xd, const float *w,
                                 const float *bias, int mean, float *yr, uint8_t *mask, float *ws);

/* Its backward pass from dyr (B, F): each step's gradient is dyr (/ steps) where its mask is set,
 * then as lc_tokconv_backward. */
void lc_tokconv_relu_sum_backward(lc_pool *p, const lc_conv1d *c, int B, int D,
                                  const int32_t *cid, const int32_t *uniq, const float *xd,
                                  const float *w, const float *dyr, const uint8_t *mask, int mean,
                                  float *demb, float *dw, float *db, float *ws);

#endif
