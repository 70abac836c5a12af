/* lc_embed.h - the embedding layer (torch.nn.Embedding: row lookup, no padding index, no max
 * norm) and the parameter-free one-hot layer of the category `onehot` encoder.
 *
 * Indices come as floats holding exact integers (the model keeps every input column in one float
 * buffer). An index that is not an integer in [0, V) (NaN included) is counted, its output row is
 * filled with NaN and it contributes nothing to dW: the data stage validates indices, and a bad
 * one shows up instead of reading out of bounds. Initialisation and dropout are left to others.
 */
#ifndef LC_EMBED_H
#define LC_EMBED_H

#include "lc_pool.h"

/* y[b] = w[idx[b]]. Returns the number of invalid indices (0 when all are valid). */
int lc_embed_forward(lc_pool *p, int B, int V, int D, const float *idx /* (B) */,
                     const float *w /* (V, D) */, float *y /* (B, D) */);
/* dw (overwritten) = scatter-add of dy rows: dw[v] = sum over b with idx[b] == v, b ascending,
 * of dy[b]. Each vocabulary row is summed by one task in batch order, so the result is bitwise
 * identical for any thread count. */
void lc_embed_backward(lc_pool *p, int B, int V, int D, const float *idx /* (B) */,
                       const float *dy /* (B, D) */, float *dw /* (V, D) */);

/* Ludwig's EmbedSet / EmbedWeighted (set and bag encoders) over rows of T (id, weight) pairs, a
 * row being T ids (a negative id: none) then their T weights: y[b] = sum over the row's ids, in
 * the row's order, of weight * w[id]. The set type's weight is the id itself and the bag's the
 * token's count (Ludwig multiplies each embedding by its multi-hot index resp. frequency).
 * Returns the number of invalid ids (not an integer below V); they contribute nothing. */
int lc_embed_sum_forward(lc_pool *p, int B, int T, int V, int D, const float *rows /* (B, 2T) */,
                         const float *w /* (V, D) */, float *y /* (B, D) */);
/* dw (overwritten) = sum over b ascending, then the row's order, of weight * dy[b] at row id;
 * one task per block of dW rows, so bitwise identical for any thread count. */
void lc_embed_sum_backward(lc_pool *p, int B, int T, int V, int D, const float *rows /* (B, 2T) */,
                           const float *dy /* (B, D) */, float *dw /* (V, D) */);

/* y[b] = one_hot(idx[b], V) as floats (torch.nn.functional.one_hot(...).float()); no parameters
 * and nothing to back-propagate. Returns the number of invalid indices. */
int lc_onehot_forward(int B, int V, const float *idx /* (B) */, float *y /* (B, V) */);

#endif
