/* lc_rnn.h - one direction of one layer of torch.nn.RNN (tanh), torch.nn.GRU or torch.nn.LSTM
 * (batch_first, zero initial state), forward and backward through time over a batch, as
 * Ludwig 0.10.3's RecurrentStack runs them (ludwig/modules/recurrent_modules.py delegates to
 * torch; its activation, initializer and forget-bias options are not passed on).
 *
 * With g the gate pre-activations W_ih x_t + b_ih (gi) and W_hh h_{t-1} + b_hh (gh), in torch's
 * gate order:
 *   rnn   h = tanh(gi + gh)
 *   gru   r = s(gi_r + gh_r), z = s(gi_z + gh_z), n = tanh(gi_n + r * gh_n), h = (1 - z) n + z h_prev
 *   lstm  i, f, o = s(.), g = tanh(.), c = f c_prev + i g, h = o tanh(c)
 * A reverse direction (the second half of a bidirectional layer) runs from the last step to the
 * first and writes its output at each step's own position.
 *
 * Layout: x (B, T, I) and dx (B, T, I) contiguous; the output y (B, T, ys) holds this direction
 * at columns [yo, yo + H) (two directions share one (B, T, 2H) tensor); W_ih (G H, I), W_hh
 * (G H, H), biases (G H) or NULL; G = 1, 3, 4 for rnn, gru, lstm. cache (B, lc_rnn_cache_floats)
 * keeps what the backward pass needs (gates, cell states); the forward pass always fills it.
 *
 * Threads: samples are independent tasks in the forward pass and in the backward pass through
 * time; the weight gradients are reduced over (sample, step) in one fixed order per weight row,
 * so results are bitwise identical for any thread count. The arithmetic is float: the
 * projections on lc_sgemm, the gate functions lc_vmath.h's vectorisable exp, sigmoid, tanh.
 */
#ifndef LC_RNN_H
#define LC_RNN_H

#include <stddef.h>

#include "lc_pool.h"

typedef enum lc_rnn_cell { LC_RNN_TANH = 0, LC_RNN_GRU, LC_RNN_LSTM } lc_rnn_cell;

typedef struct lc_rnn {
    lc_rnn_cell cell;
    int T, I, H;
    int reverse;
} lc_rnn;

/* Gates per hidden unit: 1, 3 or 4. */
int lc_rnn_gates(lc_rnn_cell cell);
/* Floats of cache per sample. */
size_t lc_rnn_cache_floats(const lc_rnn *r);
/* Floats of workspace the backward pass needs for B samples. */
size_t lc_rnn_ws_floats(const lc_rnn *r, int B);

/* wih NULL: x is not read and each step's first G H cache floats (per sample lc_rnn_cache_floats,
 * per step that / T) already hold x_t W_ih^T (lc_tokconv.h writes them for embedded tokens). */
void lc_rnn_forward(lc_pool *p, const lc_rnn *r, int B, const float *x, const float *wih,
                    const float *whh, const float *bih, const float *bhh, float *y, int ys,
                    int yo, float *cache);

/* Gradients from dy (the layout of y): dx is ADDED to (NULL: not needed), the weight and bias
 * gradients are overwritten (NULL: not needed); x is read only for dwih. ws: lc_rnn_ws_floats
 * floats; on return it starts with the input-side gate gradients, (B, T) rows G H wide, 2 G H
 * apart (what dx and dwih are computed from). */
void lc_rnn_backward(lc_pool *p, const lc_rnn *r, int B, const float *x, const float *wih,
                     const float *whh, const float *y, int ys, int yo, const float *cache,
                     const float *dy, float *dx, float *dwih, float *dwhh, float *dbih,
                     float *dbhh, float *ws);

#endif
