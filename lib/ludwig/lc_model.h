/* lc_model.h - the network Ludwig builds for an image input with the stacked_cnn encoder, the
 * concat combiner and a category output: planned once from a spec (shapes checked, parameter and
 * activation sizes summed), allocated once, then run forward/backward with no allocation.
 *
 * Layer order per conv layer is Ludwig's Conv2DLayer: conv -> norm -> activation -> dropout ->
 * pool; per fc layer FCLayer: linear -> norm -> activation -> dropout; then the classifier's
 * linear layer producing logits. The model owns parameters, gradients and optimizer state as three
 * slabs with the same offsets (so the optimizer is one flat loop and saving is one write).
 * What the model does not do: reading data, metrics, files - see trainer and writers.
 */
#ifndef LC_MODEL_H
#define LC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lc_conv.h"
#include "lc_error.h"
#include "lc_layers.h"
#include "lc_pool.h"

typedef enum lc_norm { LC_NORM_NONE = 0, LC_NORM_BATCH, LC_NORM_LAYER } lc_norm;
typedef enum lc_pool_fn { LC_POOLFN_NONE = 0, LC_POOLFN_MAX, LC_POOLFN_AVG } lc_pool_fn;
typedef enum lc_init {
    LC_INIT_TORCH_DEFAULT = 0, /* PyTorch's own reset_parameters (kaiming_uniform a=sqrt(5)) */
    LC_INIT_ZEROS,
    LC_INIT_ONES,
    LC_INIT_XAVIER_UNIFORM,
    LC_INIT_XAVIER_NORMAL,
    LC_INIT_KAIMING_UNIFORM,
    LC_INIT_KAIMING_NORMAL,
    LC_INIT_UNIFORM,          /* U(0, 1) as torch.nn.init.uniform_ */
    LC_INIT_NORMAL            /* N(0, 1) as torch.nn.init.normal_ */
} lc_init;

typedef struct lc_norm_spec {
    lc_norm type;
    float eps, momentum;
} lc_norm_spec;

typedef struct lc_conv_spec {
    int out_channels, kh, kw, sh, sw, dh, dw;
    int same_padding;  /* padding: "same" */
    int ph, pw;        /* explicit padding (valid = 0) */
    int use_bias;
    lc_init w_init, b_init;
    lc_norm_spec norm;
    lc_act act;
    float dropout;
    lc_pool_fn pool;
    int pkh, pkw, psh, psw, pph, ppw, pdh, pdw;
} lc_conv_spec;

typedef struct lc_fc_spec {
    int out;
    int use_bias;
    lc_init w_init, b_init;
    lc_norm_spec norm;
    lc_act act;
    float dropout;
} lc_fc_spec;

typedef struct lc_model_spec {
    int C, H, W;           /* input image */
    int nconv;
    lc_conv_spec *conv;
    int nfc;
    lc_fc_spec *fc;
    int nclasses;
    int out_use_bias;
    lc_init out_w_init, out_b_init;
} lc_model_spec;

typedef enum lc_ltype {
    LC_L_CONV = 0,
    LC_L_POOL,
    LC_L_ACT,
    LC_L_DROPOUT,
    LC_L_BATCHNORM,
    LC_L_LAYERNORM,
    LC_L_DENSE
} lc_ltype;

typedef struct lc_layer {
    lc_ltype type;
    union {
        lc_conv2d conv;
        lc_pool2d pool;
        lc_act act;
        float rate;
        struct {
            int C, HW;
            float eps, momentum;
        } norm;
        struct {
            int in, out;
        } dense;
    } u;
    int fused;             /* LC_L_CONV only: ReLU, dropout and max-pool run inside the conv */
    lc_conv_fuse fuse;
    float fuse_rate;       /* the fused dropout rate (0: none) */
    size_t in_n, out_n;    /* floats per sample in and out */
    size_t w_off, b_off;   /* parameter slab offsets; SIZE_MAX when absent */
    size_t w_n, b_n;
    size_t buf_off;        /* batchnorm running mean then var in the buffer slab */
    size_t act_off;        /* output activation offset in the arena (per batch) */
    size_t aux_off;        /* argmax (int32), mask (uint8) or norm stats, in the aux arena (bytes) */
    int param_index;       /* which block of the stack this belongs to (for naming) */
    lc_init w_init, b_init;
    size_t fan_in, fan_out;
} lc_layer;

typedef struct lc_model {
    lc_model_spec spec;    /* copy (conv/fc arrays owned) */
    int nlayers;
    lc_layer *layers;
    size_t in_n;           /* floats per input sample (C*H*W) */
    int nclasses;
    size_t nparams, nbuffers;
    float *params, *grads, *opt_state, *buffers;
    int opt_per_param;
    /* batch-sized arenas, planned for max_batch samples */
    int max_batch, nthreads;
    float *input;          /* (B, C, H, W) */
    float *acts;           /* every layer's output */
    unsigned char *aux;    /* argmax, dropout masks, norm statistics */
    float *grad_a, *grad_b;/* ping-pong activation gradients */
    float *conv_ws;
    size_t conv_ws_n;
    float *probs;          /* (B, nclasses) */
    float *dlogits;
    int32_t *labels;       /* (B) */
} lc_model;

/* Plans the network and allocates everything for batches up to max_batch. On a shape problem the
 * message names the layer ("conv_layers[1]: filter_size 5 is larger than its 3x3 input"). */
lc_status lc_model_create(const lc_model_spec *spec, int max_batch, int nthreads, lc_model **out,
                          lc_error *e);
void lc_model_free(lc_model *m);

/* Initialises parameters from the seed (stream LC_STREAM_INIT), as the initializers say. */
void lc_model_init_params(lc_model *m, uint64_t seed);

/* Forward pass for B samples already in m->input; training enables dropout and batch statistics.
 * Leaves logits at the last layer's output and softmax probabilities in m->probs. */
void lc_model_forward(lc_model *m, lc_pool *p, int B, int training, uint64_t seed, uint64_t step);
/* Softmax of the last forward pass's logits into m->probs (B, nclasses). */
void lc_model_softmax(lc_model *m, int B);
/* Logits (B, nclasses) of the last forward pass. */
const float *lc_model_logits(const lc_model *m);
/* Backward from m->dlogits (B, nclasses), filling m->grads. */
void lc_model_backward(lc_model *m, lc_pool *p, int B);

/* State-dict style name of parameter/buffer tensors, for model_weights. */
typedef struct lc_tensor_info {
    char name[160];
    int ndim;
    int64_t shape[4];
    const float *data;
    size_t n;
    int is_buffer;
} lc_tensor_info;
/* Enumerates named tensors in a fixed order; returns how many (fills up to cap). */
int lc_model_tensors(const lc_model *m, const char *input_name, const char *output_name,
                     lc_tensor_info *out, int cap);

#endif
