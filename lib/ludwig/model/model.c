/* model.c - plans the ECD graph (input encoders -> concat combiner -> output decoders, see
 * lc_model.h) from its spec, allocates its slabs and arenas once, initialises parameters and runs
 * forward/backward over a batch. Kernels live in lib/core; this file only sequences them and owns
 * the memory layout. */
#include "lc_model.h"
#include "lc_conv_eval.h"
#include "lc_embed.h"
#include "lc_tokconv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_mem.h"
#include "lc_rng.h"

#define NO_OFF ((size_t)-1)

typedef struct planner {
    lc_layer *layers;
    int n, cap;
    int *srcs;
    int nsrcs, srcs_cap;
    size_t nparams, nbuffers;
    size_t acts_per_sample;  /* floats */
    size_t aux_per_sample;   /* bytes, per sample part */
    size_t aux_fixed;        /* bytes, batch-independent part (norm stats) */
    size_t max_out_n;
    size_t comb_n;           /* floats per sample out of the combiner */
    lc_error *e;
    /* where the next layers' parameters belong */
    lc_lpart part;
    int feature;
} planner;

/* The current output of the graph being planned: a layer (>= 0) or an input slot (< 0), and its
 * floats per sample. */
typedef struct node {
    int src;
    size_t n;
} node;

static int push_src(planner *pl, int s)
{
    if (pl->nsrcs == pl->srcs_cap) {
        int cap = pl->srcs_cap ? pl->srcs_cap * 2 : 32;
        int *g = lc_realloc_array(pl->srcs, (size_t)cap, sizeof *g);
        if (!g)
            return -1;
        pl->srcs = g;
        pl->srcs_cap = cap;
    }
    pl->srcs[pl->nsrcs++] = s;
    return 0;
}

/* Adds a layer reading from `from` (its only source; more can be pushed by the caller). */
static lc_layer *add_layer(planner *pl, lc_ltype type, node from, size_t out_n)
{
    if (pl->n == pl->cap) {
        int cap = pl->cap ? pl->cap * 2 : 16;
        lc_layer *g = lc_realloc_array(pl->layers, (size_t)cap, sizeof *g);
        if (!g) {
            lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
            return NULL;
        }
        pl->layers = g;
        pl->cap = cap;
    }
    lc_layer *l = &pl->layers[pl->n];
    memset(l, 0, sizeof *l);
    l->src_at = pl->nsrcs;
    if (push_src(pl, from.src)) {
        lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
        return NULL;
    }
    l->nsrc = 1;
    pl->n++;
    l->type = type;
    l->in_n = from.n;
    l->out_n = out_n;
    l->w_off = l->b_off = l->buf_off = NO_OFF;
    l->act_off = pl->acts_per_sample;
    l->part = pl->part;
    l->feature = pl->feature;
    pl->acts_per_sample += out_n;
    if (out_n > pl->max_out_n)
        pl->max_out_n = out_n;
    return l;
}

static node here(const planner *pl)
{
    return (node){pl->n - 1, pl->layers[pl->n - 1].out_n};
}

static void add_params(planner *pl, lc_layer *l, size_t wn, size_t bn, lc_init wi, lc_init bi)
{
    l->w_off = pl->nparams;
    l->w_n = wn;
    pl->nparams += wn;
    if (bn) {
        l->b_off = pl->nparams;
        l->b_n = bn;
        pl->nparams += bn;
    }
    l->w_init = wi;
    l->b_init = bi;
}

/* A norm over a sample's C channels of HW values each (channel-major), or, with steps > 0, over a
 * time-major (steps, C) map (HW 1): batch norm per channel, with its running statistics; layer
 * norm over the sample's whole map, an affine per value. */
static lc_status add_norm(planner *pl, node *at, const lc_norm_spec *ns, int C, int HW, int steps,
                          int index)
{
    if (ns->type == LC_NORM_NONE)
        return LC_OK;
    size_t n = (size_t)C * (size_t)HW * (size_t)(steps > 0 ? steps : 1);
    lc_layer *l = add_layer(pl, ns->type == LC_NORM_BATCH ? LC_L_BATCHNORM : LC_L_LAYERNORM, *at,
                            n);
    if (!l)
        return LC_ERR_NOMEM;
    l->param_index = index;
    l->u.norm.C = C;
    l->u.norm.HW = HW;
    l->u.norm.steps = steps;
    l->u.norm.eps = ns->eps;
    l->u.norm.momentum = ns->momentum;
    if (ns->type == LC_NORM_BATCH) {
        add_params(pl, l, (size_t)C, (size_t)C, LC_INIT_ONES, LC_INIT_ZEROS);
        l->buf_off = pl->nbuffers;
        pl->nbuffers += 2 * (size_t)C;
        l->aux_off = pl->aux_fixed;
        pl->aux_fixed += 2 * (size_t)C * sizeof(float);
    } else {
        /* layer norm over the whole feature map of a sample */
        add_params(pl, l, n, n, LC_INIT_ONES, LC_INIT_ZEROS);
        /* mean/invstd per sample: placed by lc_model_create_net once max_batch is known */
    }
    *at = here(pl);
    return LC_OK;
}

/* A Conv1DLayer's norm over its (L, F) output: BatchNorm1d(F) over the batch and the steps, or
 * LayerNorm([F, Lin]) over each sample's whole map, its affine in torch's (F, L) layout; Lin is
 * the layer's input length, which the LayerNorm needs the output to keep (as torch does). */
static lc_status add_norm_steps(planner *pl, node *at, const lc_norm_spec *ns, int L, int F,
                                int index, int Lin)
{
    if (ns->type == LC_NORM_LAYER && L != Lin)
        return lc_error_set(pl->e, LC_ERR_CONFIG,
                            "conv_layers[%d]: norm 'layer' on a conv layer whose %d output steps differ from its %d input steps (strides or padding 'valid'): Ludwig's LayerNorm is sized [num_filters, input steps]; use norm 'batch'",
                            index, L, Lin);
    return add_norm(pl, at, ns, F, 1, L, index);
}

static lc_status add_act_dropout(planner *pl, node *at, lc_act act, float rate, int index)
{
    size_t n = at->n;
    if (act != LC_ACT_LINEAR) {
        lc_layer *l = add_layer(pl, LC_L_ACT, *at, n);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.act = act;
        l->param_index = index;
        *at = here(pl);
    }
    if (rate > 0.0f) {
        lc_layer *l = add_layer(pl, LC_L_DROPOUT, *at, n);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.rate = rate;
        l->param_index = index;
        l->aux_off = pl->aux_per_sample;
        pl->aux_per_sample += n;
        *at = here(pl);
    }
    return LC_OK;
}

static lc_status add_dense(planner *pl, node *at, int out, int use_bias, lc_init wi, lc_init bi,
                           int index)
{
    int F = (int)at->n;
    lc_layer *l = add_layer(pl, LC_L_DENSE, *at, (size_t)out);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.dense.in = F;
    l->u.dense.out = out;
    l->param_index = index;
    l->fan_in = (size_t)F;
    l->fan_out = (size_t)out;
    add_params(pl, l, (size_t)out * F, use_bias ? (size_t)out : 0, wi, bi);
    *at = here(pl);
    return LC_OK;
}

/* Ludwig's FCStack: the stack's norm and dropout on its input, then its layers. */
static lc_status plan_fc_stack(planner *pl, node *at, const lc_fc_stack_spec *fs)
{
    lc_status st;
    if ((st = add_norm(pl, at, &fs->norm, (int)at->n, 1, 0, -1)) ||
        (st = add_act_dropout(pl, at, LC_ACT_LINEAR, fs->dropout, -1)))
        return st;
    for (int i = 0; i < fs->n; i++) {
        const lc_fc_spec *f = &fs->layers[i];
        node in = *at;
        if ((st = add_dense(pl, at, f->out, f->use_bias, f->w_init, f->b_init, i)) ||
            (st = add_norm(pl, at, &f->norm, f->out, 1, 0, i)) ||
            (st = add_act_dropout(pl, at, f->act, f->dropout, i)))
            return st;
        if (fs->residual && in.n == at->n) {
            lc_layer *l = add_layer(pl, LC_L_ADD, *at, at->n);
            if (!l || push_src(pl, in.src))
                return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
            l->nsrc = 2;
            l->param_index = i;
            *at = here(pl);
        }
    }
    return LC_OK;
}

static lc_status plan_stacked_cnn(planner *pl, node *at, const lc_input_spec *s)
{
    int C = s->C, H = s->H, W = s->W;
    lc_status st;
    lc_error *e = pl->e;
    for (int i = 0; i < s->nconv; i++) {
        const lc_conv_spec *cs = &s->conv[i];
        lc_conv2d cv = {.C = C, .H = H, .W = W, .OC = cs->out_channels, .KH = cs->kh,
                        .KW = cs->kw, .sh = cs->sh, .sw = cs->sw, .ph = cs->ph, .pw = cs->pw,
                        .dh = cs->dh, .dw = cs->dw};
        if (cs->same_padding) {
            if (cs->sh != 1 || cs->sw != 1)
                return lc_error_set(e, LC_ERR_CONFIG,
                                    "conv_layers[%d]: padding 'same' needs stride 1 (got %dx%d)",
                                    i, cs->sh, cs->sw);
            int th = cs->dh * (cs->kh - 1), tw = cs->dw * (cs->kw - 1);
            if (th % 2 || tw % 2)
                return lc_error_set(e, LC_ERR_CONFIG,
                                    "conv_layers[%d]: padding 'same' with an even filter size (%dx%d) is not supported; use an odd filter_size",
                                    i, cs->kh, cs->kw);
            cv.ph = th / 2;
            cv.pw = tw / 2;
        }
        if (lc_conv2d_plan(&cv) != 0)
            return lc_error_set(e, LC_ERR_CONFIG,
                                "conv_layers[%d]: filter_size %dx%d (dilation %d) is larger than its %dx%d input (padding %d)",
                                i, cs->kh, cs->kw, cs->dh, H, W, cv.ph);
        size_t out_n = (size_t)cv.OC * cv.OH * cv.OW;
        /* the common block (no norm, ReLU, optional dropout, non-overlapping max-pool or none)
         * runs as one fused layer; anything else as separate layers */
        lc_conv_fuse fu = {0};
        int fuse = cs->norm.type == LC_NORM_NONE && cs->act == LC_ACT_RELU;
        if (cs->pool == LC_POOLFN_MAX) {
            fu = (lc_conv_fuse){.pool = 1, .pkh = cs->pkh, .pkw = cs->pkw};
            fuse = fuse && cs->pkh == cs->psh && cs->pkw == cs->psw && cs->pph == 0 &&
                   cs->ppw == 0 && cs->pdh == 1 && cs->pdw == 1;
        } else if (cs->pool != LC_POOLFN_NONE) {
            fuse = 0;
        }
        fuse = fuse && lc_conv_fuse_plan(&cv, &fu) == 0; /* sets the block's output size */
        size_t block_n = fuse ? lc_conv_fuse_out_floats(&cv, &fu) : out_n;
        lc_layer *l = add_layer(pl, LC_L_CONV, *at, block_n);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.conv = cv;
        if (fuse) {
            l->fused = 1;
            l->fuse = fu;
            l->fuse_rate = cs->dropout;
            if (fu.pool) {
                l->aux_off = pl->aux_per_sample;
                pl->aux_per_sample += block_n;
            }
        }
        l->param_index = i;
        l->fan_in = (size_t)C * cs->kh * cs->kw;
        l->fan_out = (size_t)cv.OC * cs->kh * cs->kw;
        add_params(pl, l, (size_t)cv.OC * C * cs->kh * cs->kw, cs->use_bias ? (size_t)cv.OC : 0,
                   cs->w_init, cs->b_init);
        *at = here(pl);
        C = cv.OC;
        H = cv.OH;
        W = cv.OW;
        if (fuse) {
            H = fu.POH;
            W = fu.POW;
            continue;
        }
        if ((st = add_norm(pl, at, &cs->norm, C, H * W, 0, i)))
            return st;
        if ((st = add_act_dropout(pl, at, cs->act, cs->dropout, i)))
            return st;
        if (cs->pool != LC_POOLFN_NONE) {
            lc_pool2d q = {.C = C, .H = H, .W = W, .KH = cs->pkh, .KW = cs->pkw, .sh = cs->psh,
                           .sw = cs->psw, .ph = cs->pph, .pw = cs->ppw, .dh = cs->pdh,
                           .dw = cs->pdw, .is_max = cs->pool == LC_POOLFN_MAX};
            if (lc_pool2d_plan(&q) != 0)
                return lc_error_set(e, LC_ERR_CONFIG,
                                    "conv_layers[%d]: pool_size %dx%d is larger than its %dx%d input",
                                    i, cs->pkh, cs->pkw, H, W);
            size_t pout = (size_t)C * q.OH * q.OW;
            lc_layer *pl2 = add_layer(pl, LC_L_POOL, *at, pout);
            if (!pl2)
                return LC_ERR_NOMEM;
            pl2->u.pool = q;
            pl2->param_index = i;
            if (q.is_max) {
                /* int32 offsets after byte-sized masks: keep them aligned */
                pl->aux_per_sample = (pl->aux_per_sample + 7) & ~(size_t)7;
                pl2->aux_off = pl->aux_per_sample;
                pl->aux_per_sample += pout * sizeof(int32_t);
            }
            *at = here(pl);
            H = q.OH;
            W = q.OW;
        }
    }
    pl->part = LC_PART_ENC_FC; /* flattened (C*H*W) */
    return plan_fc_stack(pl, at, &s->fc);
}

/* Ludwig's EmbedSequence for token ids (text): the (T) ids become (T, embed_size) rows of the
 * embedding matrix, then dropout. Nothing for a time series. */
static lc_status plan_seq_embed(planner *pl, node *at, const lc_input_spec *s)
{
    if (!s->seq_embed)
        return LC_OK;
    if (s->vocab < 1 || s->embed_size < 1)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "the embedding needs a vocabulary and a size");
    pl->part = LC_PART_ENC_EMBED_SEQ;
    lc_layer *l = add_layer(pl, LC_L_EMBED, *at, (size_t)s->T * (size_t)s->embed_size);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.embed.V = s->vocab;
    l->u.embed.D = s->embed_size;
    l->frozen = !s->embed_trainable;
    /* torch's init on a (V, E) tensor: fan_in E, fan_out V */
    l->fan_in = (size_t)s->embed_size;
    l->fan_out = (size_t)s->vocab;
    add_params(pl, l, (size_t)s->vocab * s->embed_size, 0, s->embed_init, LC_INIT_ZEROS);
    *at = here(pl);
    return add_act_dropout(pl, at, LC_ACT_LINEAR, s->embed_dropout, -1);
}

/* torch's MaxPool1d / AvgPool1d over the (L, F) steps at *at: kernel k, stride, padding pad, Lout
 * output steps (the caller checks Lout >= 1); max keeps each output's step in aux. */
static lc_status add_pool1d(planner *pl, node *at, int L, int F, int k, int stride, int pad,
                            int Lout, int avg, int index)
{
    lc_layer *l = add_layer(pl, LC_L_POOL1D, *at, (size_t)Lout * F);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.p1.L = L;
    l->u.p1.F = F;
    l->u.p1.k = k;
    l->u.p1.stride = stride;
    l->u.p1.pad = pad;
    l->u.p1.Lout = Lout;
    l->u.p1.is_max = !avg;
    l->param_index = index;
    pl->aux_per_sample = (pl->aux_per_sample + 7) & ~(size_t)7;
    l->aux_off = pl->aux_per_sample;
    pl->aux_per_sample += (size_t)Lout * F * sizeof(int32_t);
    *at = here(pl);
    return LC_OK;
}

/* The n layers srcs' (L, F_i) outputs concatenated per step (torch.cat on the channels): (L, F). */
static lc_status add_concat_ch(planner *pl, node *at, const int *srcs, int n, int L, size_t F)
{
    lc_layer *c = add_layer(pl, LC_L_CONCAT_CH, (node){srcs[0], pl->layers[srcs[0]].out_n},
                            (size_t)L * F);
    for (int j = 1; c && j < n; j++)
        if (push_src(pl, srcs[j]))
            c = NULL;
    if (!c)
        return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
    pl->layers[pl->n - 1].nsrc = n;
    pl->layers[pl->n - 1].u.cc.L = L;
    *at = here(pl);
    return LC_OK;
}

/* A sequence reduction over (T, F) steps: SequenceReducer's mode, or its attention (fc_layer1
 * F -> 256 over every step, tanh, fc_layer2 256 -> 1 without bias, softmax over the steps, the
 * weighted sum of the steps). */
static lc_status add_seq_reduce(planner *pl, node *at, lc_seq_reduce mode, int T, int F)
{
    if (mode == LC_RED_CONCAT)
        return LC_OK;
    if (mode == LC_RED_ATTN) {
        enum { HA = 256 };
        node steps = *at;
        lc_lpart part = pl->part;
        pl->part = LC_PART_ENC_ATTN;
        lc_layer *l = add_layer(pl, LC_L_DENSE, steps, (size_t)T * HA);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.dense.in = F;
        l->u.dense.out = HA;
        l->u.dense.rep = T;
        l->param_index = 1;
        l->fan_in = (size_t)F;
        l->fan_out = (size_t)HA;
        add_params(pl, l, (size_t)HA * F, HA, LC_INIT_TORCH_DEFAULT, LC_INIT_TORCH_DEFAULT);
        node h = here(pl);
        lc_status st = add_act_dropout(pl, &h, LC_ACT_TANH, 0.0f, 1);
        if (st)
            return st;
        l = add_layer(pl, LC_L_DENSE, h, (size_t)T);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.dense.in = HA;
        l->u.dense.out = 1;
        l->u.dense.rep = T;
        l->param_index = 2;
        l->fan_in = (size_t)HA;
        l->fan_out = 1;
        add_params(pl, l, HA, 0, LC_INIT_TORCH_DEFAULT, LC_INIT_TORCH_DEFAULT);
        l = add_layer(pl, LC_L_ATTN_POOL, here(pl), (size_t)F);
        if (!l || push_src(pl, steps.src))
            return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
        pl->layers[pl->n - 1].nsrc = 2;
        pl->layers[pl->n - 1].u.red.T = T;
        pl->layers[pl->n - 1].u.red.F = F;
        pl->part = part;
        *at = here(pl);
        return LC_OK;
    }
    lc_layer *l = add_layer(pl, LC_L_SEQRED, *at, (size_t)F);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.red.mode = mode;
    l->u.red.T = T;
    l->u.red.F = F;
    pl->aux_per_sample = (pl->aux_per_sample + 7) & ~(size_t)7;
    l->aux_off = pl->aux_per_sample;
    pl->aux_per_sample += sizeof(int32_t); /* last: the step picked */
    *at = here(pl);
    return LC_OK;
}

/* The RecurrentStack over T steps (of at->n / T features each): torch RNN/GRU/LSTM of num_layers
 * layers, each with one or two directions, dropout between layers. A time series is (T, 1): one
 * value per step. */
static lc_status plan_rnn_layers(planner *pl, node *at, const lc_input_spec *s, int T)
{
    if (T < 1 || s->state_size < 1 || s->num_layers < 1)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "the rnn encoder needs at least one step, state_size >= 1 and num_layers >= 1");
    int I = (int)(at->n / (size_t)T), D = s->bidirectional ? 2 : 1, H = s->state_size;
    int GH = lc_rnn_gates(s->cell) * H;
    pl->part = LC_PART_ENC_RNN;
    for (int k = 0; k < s->num_layers; k++) {
        lc_layer *l = add_layer(pl, LC_L_RNN, *at, (size_t)T * D * H);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.rnn.cell = s->cell;
        l->u.rnn.T = T;
        l->u.rnn.I = I;
        l->u.rnn.H = H;
        l->u.rnn.D = D;
        l->param_index = k;
        /* torch's RNN init: U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias */
        l->fan_in = (size_t)H;
        l->fan_out = (size_t)GH;
        add_params(pl, l, (size_t)D * GH * (size_t)(I + H), s->rnn_bias ? (size_t)D * 2 * GH : 0,
                   LC_INIT_TORCH_DEFAULT, LC_INIT_TORCH_DEFAULT);
        lc_rnn r = {.cell = s->cell, .T = T, .I = I, .H = H};
        pl->aux_per_sample = (pl->aux_per_sample + 7) & ~(size_t)7;
        l->aux_off = pl->aux_per_sample;
        pl->aux_per_sample += (size_t)D * lc_rnn_cache_floats(&r) * sizeof(float);
        *at = here(pl);
        I = D * H;
        if (k + 1 < s->num_layers) {
            lc_status st = add_act_dropout(pl, at, LC_ACT_LINEAR, s->recurrent_dropout, k);
            if (st)
                return st;
        }
    }
    return LC_OK;
}

/* Ludwig's StackedRNN: (the embeddings,) the RecurrentStack, the reduction, the FCStack. */
static lc_status plan_rnn(planner *pl, node *at, const lc_input_spec *s)
{
    lc_status st = plan_seq_embed(pl, at, s);
    if (st || (st = plan_rnn_layers(pl, at, s, s->T)))
        return st;
    int F = s->state_size * (s->bidirectional ? 2 : 1);
    if ((st = add_seq_reduce(pl, at, s->reduce, s->T, F)))
        return st;
    pl->part = LC_PART_ENC_FC;
    return plan_fc_stack(pl, at, &s->fc);
}

/* Ludwig's ParallelCNN: the embeddings, then per conv layer Conv1d ("same") -> activation ->
 * dropout, the layers' outputs concatenated on the channel axis and reduced over the steps (done
 * here per layer, then concatenated: the same numbers for sum, mean and max), the FCStack. */
static lc_status plan_parallel_cnn(planner *pl, node *at, const lc_input_spec *s)
{
    lc_status st = plan_seq_embed(pl, at, s);
    if (st)
        return st;
    if (s->npconv < 1 || s->npconv > 16)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "parallel_cnn needs 1 to 16 conv layers");
    node in = *at;
    int E = (int)(in.n / (size_t)s->T), *red = calloc((size_t)s->npconv, sizeof *red);
    size_t Ftot = 0;
    /* sum, mean and max reduce each layer on its own (the same numbers as after the
     * concatenation); last, concat and attention need the concatenated steps */
    int per_step = s->reduce == LC_RED_LAST || s->reduce == LC_RED_CONCAT || s->reduce == LC_RED_ATTN;
    int Tcat = 0;
    if (!red)
        return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
    for (int i = 0; i < s->npconv; i++) {
        node h = in;
        int F = s->pconv_f[i];
        pl->part = LC_PART_ENC_PCONV;
        lc_layer *l = add_layer(pl, LC_L_CONV1D, h, (size_t)s->T * F);
        if (!l) {
            free(red);
            return LC_ERR_NOMEM;
        }
        l->u.c1 = (lc_conv1d){.L = s->T, .E = E, .F = F, .k = s->pconv_k[i]};
        l->param_index = i;
        /* Ludwig's Conv1DLayer keeps torch's own init and always has a bias */
        l->fan_in = (size_t)E * s->pconv_k[i];
        l->fan_out = (size_t)F * s->pconv_k[i];
        add_params(pl, l, (size_t)F * E * s->pconv_k[i], (size_t)F, LC_INIT_TORCH_DEFAULT,
                   LC_INIT_TORCH_DEFAULT);
        h = here(pl);
        if ((st = add_norm_steps(pl, &h, &s->pconv_norm[i], s->T, F, i, s->T)) ||
            (st = add_act_dropout(pl, &h, s->pconv_act, s->embed_dropout, i))) {
            free(red);
            return st;
        }
        int Tr = s->T, ps = s->scnn_pool[i];
        if (ps > 0) { /* pooling over the steps, as ParallelConv1D's layer has it */
            int stride = s->scnn_pool_stride[i] > 0 ? s->scnn_pool_stride[i] : ps;
            int pad = s->scnn_pool_pad[i];
            Tr = (s->T + 2 * pad - ps) / stride + 1;
            st = Tr < 1 ? lc_error_set(pl->e, LC_ERR_CONFIG, "parallel_cnn: a pooling of %d leaves no steps of %d", ps, s->T)
                        : add_pool1d(pl, &h, s->T, F, ps, stride, pad, Tr, s->scnn_pool_avg[i], i);
            if (st) {
                free(red);
                return st;
            }
        }
        Ftot += (size_t)F;
        if (per_step) { /* reduced after the concatenation, below */
            if (i > 0 && Tr != Tcat) {
                free(red);
                return lc_error_set(pl->e, LC_ERR_CONFIG,
                                    "parallel_cnn: reduce_output '%s' reduces the conv layers' outputs concatenated per step, but their poolings leave %d and %d steps",
                                    s->reduce == LC_RED_LAST ? "last" : s->reduce == LC_RED_ATTN ? "attention" : "concat",
                                    Tcat, Tr);
            }
            Tcat = Tr;
            red[i] = h.src;
            continue;
        }
        if ((st = add_seq_reduce(pl, &h, s->reduce, Tr, F))) {
            free(red);
            return st;
        }
        red[i] = h.src;
    }
    pl->part = LC_PART_ENC_FC;
    if (per_step) { /* ParallelConv1D's torch.cat on the channels, then the SequenceReducer */
        st = add_concat_ch(pl, at, red, s->npconv, Tcat, Ftot);
        free(red);
        if (st || (st = add_seq_reduce(pl, at, s->reduce, Tcat, (int)Ftot)))
            return st;
        pl->part = LC_PART_ENC_FC;
        return plan_fc_stack(pl, at, &s->fc);
    }
    lc_layer *l = add_layer(pl, LC_L_CONCAT, (node){red[0], pl->layers[red[0]].out_n}, Ftot);
    for (int i = 1; l && i < s->npconv; i++)
        if (push_src(pl, red[i]))
            l = NULL;
    free(red);
    if (!l)
        return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
    pl->layers[pl->n - 1].nsrc = s->npconv;
    *at = here(pl);
    return plan_fc_stack(pl, at, &s->fc);
}

/* Ludwig's DateEmbed / DateWave over the 9 numbers of a date. */
static const char *const DATE_PARTS[7] = {"month", "day", "weekday", "yearday",
                                          "hour",  "minute", "second"};

static lc_layer *add_slice(planner *pl, node in, lc_ltype type, int col, int n, float add)
{
    lc_layer *l = add_layer(pl, type, in, (size_t)n);
    if (l) {
        l->u.sl.col = col;
        l->u.sl.n = n;
        l->u.sl.add = add;
    }
    return l;
}

static lc_status plan_date(planner *pl, node *at, const lc_input_spec *s)
{
    static const int vocab[7] = {12, 31, 7, 366, 24, 60, 60}, off[7] = {-1, -1, 0, -1, 0, 0, 0};
    static const float periods[8] = {12, 31, 7, 366, 24, 60, 60, 86400};
    node in = *at;
    int parts[10], np = 0;
    size_t total = 0;
    lc_status st;
    /* the year: FCStack(1 -> 1, no activation) with the encoder's dropout */
    pl->part = LC_PART_ENC_YEAR;
    if (!add_slice(pl, in, LC_L_SLICE, 0, 1, 0.0f))
        return LC_ERR_NOMEM;
    node h = here(pl);
    lc_fc_spec year = {.out = 1, .use_bias = s->date_use_bias, .w_init = s->date_w_init,
                       .b_init = s->date_b_init, .act = LC_ACT_LINEAR, .dropout = s->embed_dropout};
    lc_fc_stack_spec ys = {.n = 1, .layers = &year, .dropout = s->embed_dropout};
    if ((st = plan_fc_stack(pl, &h, &ys)))
        return st;
    parts[np++] = pl->n - 1;
    total += h.n;
    if (s->enc == LC_ENC_DATE_EMBED) {
        for (int j = 0; j < 7; j++) {
            int V = vocab[j], D = s->embed_size < V ? s->embed_size : V;
            pl->part = LC_PART_ENC_DATE_EMB;
            if (!add_slice(pl, in, LC_L_SLICE, j + 1, 1, (float)off[j]))
                return LC_ERR_NOMEM;
            lc_layer *l = add_layer(pl, LC_L_EMBED, here(pl), (size_t)D);
            if (!l)
                return LC_ERR_NOMEM;
            l->u.embed.V = V;
            l->u.embed.D = D;
            l->param_index = j;
            l->fan_in = (size_t)D;
            l->fan_out = (size_t)V;
            add_params(pl, l, (size_t)V * D, 0, s->embed_init, LC_INIT_ZEROS);
            h = here(pl);
            if ((st = add_act_dropout(pl, &h, LC_ACT_LINEAR, s->embed_dropout, -1)))
                return st;
            parts[np++] = pl->n - 1;
            total += (size_t)D;
        }
        pl->part = LC_PART_ENC_FC;
        lc_layer *l = add_slice(pl, in, LC_L_PERIODIC, 8, 1, 0.0f);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.sl.period[0] = periods[7];
        parts[np++] = pl->n - 1;
        total += 1;
    } else {
        pl->part = LC_PART_ENC_FC;
        lc_layer *l = add_slice(pl, in, LC_L_PERIODIC, 1, 8, 0.0f);
        if (!l)
            return LC_ERR_NOMEM;
        memcpy(l->u.sl.period, periods, sizeof periods);
        parts[np++] = pl->n - 1;
        total += 8;
    }
    pl->part = LC_PART_ENC_FC;
    lc_layer *c = add_layer(pl, LC_L_CONCAT, (node){parts[0], pl->layers[parts[0]].out_n}, total);
    for (int k = 1; c && k < np; k++)
        if (push_src(pl, parts[k]))
            c = NULL;
    if (!c)
        return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
    pl->layers[pl->n - 1].nsrc = np;
    *at = here(pl);
    return plan_fc_stack(pl, at, &s->fc);
}

/* Ludwig's StackedCNN: (the embeddings,) per layer Conv1d ("same") -> activation -> dropout ->
 * optional max / average pooling over the steps, the reduction, the FCStack. */
static lc_status plan_conv1d_stack(planner *pl, node *at, const lc_input_spec *s, int *Lout_)
{
    lc_status st;
    if (s->npconv < 1 || s->npconv > 16 || s->T < 1)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "the conv stack needs 1 to 16 conv layers");
    int L = s->T, E = (int)(at->n / (size_t)s->T);
    for (int i = 0; i < s->npconv; i++) {
        int F = s->pconv_f[i], k = s->pconv_k[i];
        lc_conv1d c1 = {.L = L, .E = E, .F = F, .k = k, .stride = s->pconv_stride[i],
                        .dilation = s->pconv_dil[i], .valid = s->pconv_valid[i]};
        int Lc = lc_conv1d_out_len(&c1);
        if (Lc < 1)
            return lc_error_set(pl->e, LC_ERR_CONFIG,
                                "the conv stack: conv_layers[%d] (filter_size %d, dilation_rate %d, padding valid) needs more than the %d steps it gets (max_sequence_length too short)",
                                i, k, c1.dilation > 0 ? c1.dilation : 1, L);
        pl->part = LC_PART_ENC_SCONV;
        lc_layer *l = add_layer(pl, LC_L_CONV1D, *at, (size_t)Lc * F);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.c1 = c1;
        L = Lc;
        l->param_index = i;
        /* Ludwig's Conv1DLayer keeps torch's own init */
        l->fan_in = (size_t)E * k;
        l->fan_out = (size_t)F * k;
        add_params(pl, l, (size_t)F * E * k, (size_t)F, LC_INIT_TORCH_DEFAULT, LC_INIT_TORCH_DEFAULT);
        *at = here(pl);
        if ((st = add_norm_steps(pl, at, &s->pconv_norm[i], L, F, i, c1.L)) ||
            (st = add_act_dropout(pl, at, s->pconv_act, s->conv_dropout, i)))
            return st;
        int ps = s->scnn_pool[i];
        if (ps > 0) {
            int stride = s->scnn_pool_stride[i] > 0 ? s->scnn_pool_stride[i] : ps;
            int pad = s->scnn_pool_pad[i], Lout = (L + 2 * pad - ps) / stride + 1;
            if (Lout < 1 || 2 * pad > ps)
                return lc_error_set(pl->e, LC_ERR_CONFIG,
                                    "stacked_cnn: conv_layers[%d]'s pooling of %d leaves no steps of the %d it gets (max_sequence_length too short)",
                                    i, ps, L);
            if ((st = add_pool1d(pl, at, L, F, ps, stride, pad, Lout, s->scnn_pool_avg[i], i)))
                return st;
            L = Lout;
        }
        E = F;
    }
    *Lout_ = L;
    return LC_OK;
}

static lc_status plan_stacked_cnn1d(planner *pl, node *at, const lc_input_spec *s)
{
    int L = 0;
    lc_status st = plan_seq_embed(pl, at, s);
    if (st || (st = plan_conv1d_stack(pl, at, s, &L)))
        return st;
    pl->part = LC_PART_ENC_FC;
    if ((st = add_seq_reduce(pl, at, s->reduce, L, (int)(at->n / (size_t)L))))
        return st;
    pl->part = LC_PART_ENC_FC;
    return plan_fc_stack(pl, at, &s->fc);
}

/* Ludwig's StackedParallelCNN: (the embeddings,) per stack its parallel Conv1d ("same") ->
 * (batch norm ->) activation -> dropout (-> pooling) layers over the stack's input, concatenated
 * per step, the reduction, the FCStack. */
static lc_status plan_stacked_pcnn(planner *pl, node *at, const lc_input_spec *s)
{
    lc_status st = plan_seq_embed(pl, at, s);
    if (st)
        return st;
    if (s->nstack < 1 || s->nstack > 8 || s->T < 1)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "stacked_parallel_cnn needs 1 to 8 stacks");
    int L = s->T, E = (int)(at->n / (size_t)s->T);
    for (int i = 0; i < s->nstack; i++) {
        node in = *at;
        int outs[16], Ftot = 0, np = s->nper[i], Lnext = L;
        if (np < 1 || np > 16)
            return lc_error_set(pl->e, LC_ERR_CONFIG, "stacked_parallel_cnn: a stack needs 1 to 16 layers");
        for (int j = 0; j < np; j++) {
            int F = s->spf[i][j], k = s->spk[i][j];
            pl->part = LC_PART_ENC_SPCONV;
            lc_layer *l = add_layer(pl, LC_L_CONV1D, in, (size_t)L * F);
            if (!l)
                return LC_ERR_NOMEM;
            l->u.c1 = (lc_conv1d){.L = L, .E = E, .F = F, .k = k};
            l->param_index = i * 16 + j;
            l->fan_in = (size_t)E * k;
            l->fan_out = (size_t)F * k;
            add_params(pl, l, (size_t)F * E * k, (size_t)F, LC_INIT_TORCH_DEFAULT,
                       LC_INIT_TORCH_DEFAULT);
            node h = here(pl);
            if ((st = add_norm_steps(pl, &h, &s->sp_norm[i][j], L, F, i * 16 + j, L)) ||
                (st = add_act_dropout(pl, &h, s->pconv_act, s->conv_dropout, j)))
                return st;
            int ps = s->sp_pool[i][j], Lj = L;
            if (ps > 0) { /* the layer's own pooling over the steps */
                int stride = s->sp_pool_stride[i][j] > 0 ? s->sp_pool_stride[i][j] : ps;
                int pad = s->sp_pool_pad[i][j];
                Lj = (L + 2 * pad - ps) / stride + 1;
                if (Lj < 1 || 2 * pad > ps)
                    return lc_error_set(pl->e, LC_ERR_CONFIG,
                                        "stacked_parallel_cnn: stacked_layers[%d][%d]'s pooling of %d leaves no steps of the %d it gets (max_sequence_length too short)",
                                        i, j, ps, L);
                if ((st = add_pool1d(pl, &h, L, F, ps, stride, pad, Lj, s->sp_pool_avg[i][j],
                                     i * 16 + j)))
                    return st;
            }
            if (j == 0)
                Lnext = Lj;
            else if (Lj != Lnext) /* torch.cat over the channels needs one length */
                return lc_error_set(pl->e, LC_ERR_CONFIG,
                                    "stacked_parallel_cnn: the layers of stacked_layers[%d] give %d and %d steps after their pooling; Ludwig concatenates them per step, so they must give the same",
                                    i, Lnext, Lj);
            outs[j] = pl->n - 1;
            Ftot += F;
        }
        if ((st = add_concat_ch(pl, at, outs, np, Lnext, (size_t)Ftot)))
            return st;
        E = Ftot;
        L = Lnext;
    }
    pl->part = LC_PART_ENC_FC;
    if ((st = add_seq_reduce(pl, at, s->reduce, L, E)))
        return st;
    pl->part = LC_PART_ENC_FC;
    return plan_fc_stack(pl, at, &s->fc);
}

/* a time-distributed Linear (in -> out over T steps) named by part/index */
static lc_status add_tdense(planner *pl, node *at, int T, int in, int out, int use_bias, int index)
{
    lc_layer *l = add_layer(pl, LC_L_DENSE, *at, (size_t)T * out);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.dense.in = in;
    l->u.dense.out = out;
    l->u.dense.rep = T;
    l->param_index = index;
    l->fan_in = (size_t)in;
    l->fan_out = (size_t)out;
    add_params(pl, l, (size_t)out * in, use_bias ? (size_t)out : 0, LC_INIT_TORCH_DEFAULT,
               LC_INIT_TORCH_DEFAULT);
    *at = here(pl);
    return LC_OK;
}

static lc_status add_ln_step(planner *pl, node *at, int T, int H, int index)
{
    lc_layer *l = add_layer(pl, LC_L_LN_STEP, *at, (size_t)T * H);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.norm.C = H;
    l->u.norm.HW = T;
    l->u.norm.eps = 1e-6f;
    l->param_index = index;
    add_params(pl, l, (size_t)H, (size_t)H, LC_INIT_ONES, LC_INIT_ZEROS);
    *at = here(pl);
    return LC_OK;
}

static lc_status add_residual(planner *pl, node *at, node other)
{
    lc_layer *l = add_layer(pl, LC_L_ADD, *at, at->n);
    if (!l || push_src(pl, other.src))
        return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
    pl->layers[pl->n - 1].nsrc = 2;
    *at = here(pl);
    return LC_OK;
}

/* Ludwig's StackedTransformer: TokenAndPositionEmbedding (the token embeddings with dropout, plus
 * position embeddings), project_to_hidden_size when the embedding size differs, then per
 * TransformerBlock: self-attention (query/key/value Linear, scaled dot-product attention per
 * head, combine_heads), dropout, layernorm1(x + attention), fully_connected (Linear, relu,
 * Linear), dropout, layernorm2(ln1 + fc); the reduction; the FCStack. */
static lc_status plan_transformer(planner *pl, node *at, const lc_input_spec *s)
{
    int T = s->T, H = s->tf_hidden, O = s->tf_ffn, NH = s->tf_heads;
    if (T < 1 || H < 1 || NH < 1 || H % NH || s->tf_layers < 1 || O < 1 ||
        (s->seq_embed && (s->vocab < 1 || s->embed_size < 1)))
        return lc_error_set(pl->e, LC_ERR_CONFIG, "the transformer needs hidden_size divisible by num_heads, num_layers >= 1 and a vocabulary");
    lc_status st;
    int E;
    if (!s->seq_embed) { /* a timeseries: (T, 1) projected to hidden_size, no positions */
        E = (int)(at->n / (size_t)T);
        pl->part = LC_PART_ENC_PROJECT;
        if ((st = add_tdense(pl, at, T, E, H, 1, -1)))
            return st;
        goto blocks;
    }
    pl->part = LC_PART_ENC_TOKEN_EMBED;
    lc_layer *l = add_layer(pl, LC_L_EMBED, *at, (size_t)T * s->embed_size);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.embed.V = s->vocab;
    l->u.embed.D = s->embed_size;
    l->frozen = !s->embed_trainable;
    l->fan_in = (size_t)s->embed_size;
    l->fan_out = (size_t)s->vocab;
    add_params(pl, l, (size_t)s->vocab * s->embed_size, 0, s->embed_init, LC_INIT_ZEROS);
    *at = here(pl);
    if ((st = add_act_dropout(pl, at, LC_ACT_LINEAR, s->embed_dropout, -1)))
        return st;
    E = s->embed_size;
    pl->part = LC_PART_ENC_POS_EMBED;
    l = add_layer(pl, LC_L_POSADD, *at, (size_t)T * E);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.mha.T = T;
    l->u.mha.H = E;
    add_params(pl, l, (size_t)T * E, 0, LC_INIT_NORMAL, LC_INIT_ZEROS);
    *at = here(pl);
    if (E != H) {
        pl->part = LC_PART_ENC_PROJECT;
        if ((st = add_tdense(pl, at, T, E, H, 1, -1)))
            return st;
    }
blocks:
    for (int i = 0; i < s->tf_layers; i++) {
        node x = *at, q = x, k = x, v = x;
        pl->part = LC_PART_ENC_TBLOCK;
        if ((st = add_tdense(pl, &q, T, H, H, 1, i * 16 + 0)) ||
            (st = add_tdense(pl, &k, T, H, H, 1, i * 16 + 1)) ||
            (st = add_tdense(pl, &v, T, H, H, 1, i * 16 + 2)))
            return st;
        l = add_layer(pl, LC_L_MHA, q, (size_t)T * H);
        if (!l || push_src(pl, k.src) || push_src(pl, v.src))
            return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
        l = &pl->layers[pl->n - 1];
        l->nsrc = 3;
        l->u.mha.T = T;
        l->u.mha.H = H;
        l->u.mha.heads = NH;
        l->param_index = i * 16 + 15;
        pl->aux_per_sample = (pl->aux_per_sample + 7) & ~(size_t)7;
        l->aux_off = pl->aux_per_sample;
        pl->aux_per_sample += (size_t)NH * T * T * sizeof(float);
        node h = here(pl);
        if ((st = add_tdense(pl, &h, T, H, H, 1, i * 16 + 3)) ||
            (st = add_act_dropout(pl, &h, LC_ACT_LINEAR, s->tf_dropout, i * 16 + 15)) ||
            (st = add_residual(pl, &h, x)) || (st = add_ln_step(pl, &h, T, H, i * 16 + 4)))
            return st;
        node ln1 = h;
        if ((st = add_tdense(pl, &h, T, H, O, 1, i * 16 + 5)) ||
            (st = add_act_dropout(pl, &h, LC_ACT_RELU, 0.0f, i * 16 + 15)) ||
            (st = add_tdense(pl, &h, T, O, H, 1, i * 16 + 6)) ||
            (st = add_act_dropout(pl, &h, LC_ACT_LINEAR, s->tf_dropout, i * 16 + 15)) ||
            (st = add_residual(pl, &h, ln1)) || (st = add_ln_step(pl, &h, T, H, i * 16 + 7)))
            return st;
        *at = h;
    }
    pl->part = LC_PART_ENC_FC;
    if ((st = add_seq_reduce(pl, at, s->reduce, T, H)))
        return st;
    pl->part = LC_PART_ENC_FC;
    return plan_fc_stack(pl, at, &s->fc);
}

/* Ludwig's StackedCNNRNN: (the embeddings,) the Conv1D stack, the RecurrentStack over its steps,
 * the reduction, the FCStack. */
static lc_status plan_cnnrnn(planner *pl, node *at, const lc_input_spec *s)
{
    int L = 0;
    lc_status st = plan_seq_embed(pl, at, s);
    if (st || (st = plan_conv1d_stack(pl, at, s, &L)) || (st = plan_rnn_layers(pl, at, s, L)))
        return st;
    pl->part = LC_PART_ENC_FC;
    if ((st = add_seq_reduce(pl, at, s->reduce, L, s->state_size * (s->bidirectional ? 2 : 1))))
        return st;
    pl->part = LC_PART_ENC_FC;
    return plan_fc_stack(pl, at, &s->fc);
}

/* ---- torchvision's ResNet (torchvision/models/resnet.py, 0.14) ---- */

/* The layers a torchvision module adds take its name (the state_dict prefix) and the backbone's
 * frozen flag. */
static void tv_tag(planner *pl, int from, const char *name, int frozen)
{
    for (int i = from; i < pl->n; i++) {
        snprintf(pl->layers[i].tvname, sizeof pl->layers[i].tvname, "%s", name);
        pl->layers[i].frozen = frozen;
    }
}

typedef struct tv_map {
    int C, H, W;
} tv_map;

/* Conv2d with torchvision's kaiming_normal_(fan_out) initialisation (a bias: zeros), groups
 * channel groups (the depthwise convolution: groups == C == OC). */
static lc_status tv_convg(planner *pl, node *at, tv_map *m, int OC, int k, int stride, int pad,
                          int groups, int bias, const char *name, int frozen)
{
    lc_conv2d cv = {.C = m->C, .H = m->H, .W = m->W, .OC = OC, .KH = k, .KW = k, .sh = stride,
                    .sw = stride, .ph = pad, .pw = pad, .dh = 1, .dw = 1,
                    .groups = groups > 1 ? groups : 0};
    if (lc_conv2d_plan(&cv) != 0)
        return lc_error_set(pl->e, LC_ERR_CONFIG,
                            "the image (%dx%d at %s) is too small for the encoder's %s (a %dx%d filter, stride %d)",
                            m->H, m->W, name, name, k, k, stride);
    int from = pl->n;
    lc_layer *l = add_layer(pl, LC_L_CONV, *at, (size_t)OC * cv.OH * cv.OW);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.conv = cv;
    int G = groups > 1 ? groups : 1;
    l->fan_in = (size_t)(m->C / G) * k * k;
    l->fan_out = (size_t)OC * k * k; /* torch's fan_out: out_channels x k x k, whatever the groups */
    add_params(pl, l, (size_t)OC * (m->C / G) * k * k, bias ? (size_t)OC : 0,
               LC_INIT_KAIMING_NORMAL_FAN_OUT, LC_INIT_ZEROS);
    *at = here(pl);
    tv_tag(pl, from, name, frozen);
    *m = (tv_map){OC, cv.OH, cv.OW};
    return LC_OK;
}

static lc_status tv_conv(planner *pl, node *at, tv_map *m, int OC, int k, int stride, int pad,
                         const char *name, int frozen)
{
    return tv_convg(pl, at, m, OC, k, stride, pad, 1, 0, name, frozen);
}

/* BatchNorm2d(eps, momentum), then the activation (LC_ACT_LINEAR: none). */
static lc_status tv_bn_act(planner *pl, node *at, const tv_map *m, const char *name, float eps,
                           float momentum, lc_act act, int frozen)
{
    lc_norm_spec bn = {LC_NORM_BATCH, eps, momentum};
    int from = pl->n;
    lc_status st = add_norm(pl, at, &bn, m->C, m->H * m->W, 0, -1);
    if (!st && act != LC_ACT_LINEAR)
        st = add_act_dropout(pl, at, act, 0.0f, -1);
    if (!st)
        tv_tag(pl, from, name, frozen);
    return st;
}

/* BatchNorm2d (eps 1e-5, momentum 0.1), optionally followed by ReLU. */
static lc_status tv_bn(planner *pl, node *at, const tv_map *m, const char *name, int relu,
                       int frozen)
{
    return tv_bn_act(pl, at, m, name, 1e-5f, 0.1f, relu ? LC_ACT_RELU : LC_ACT_LINEAR, frozen);
}

/* AdaptiveAvgPool2d(1): (C, H, W) -> (C) */
static lc_status tv_global_avg(planner *pl, node *at, tv_map *m, const char *name, int frozen)
{
    lc_pool2d g = {.C = m->C, .H = m->H, .W = m->W, .KH = m->H, .KW = m->W, .sh = 1, .sw = 1,
                   .dh = 1, .dw = 1, .is_max = 0};
    if (lc_pool2d_plan(&g) != 0)
        return lc_error_set(pl->e, LC_ERR_INTERNAL, "the global average pool");
    lc_layer *l = add_layer(pl, LC_L_POOL, *at, (size_t)m->C);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.pool = g;
    snprintf(l->tvname, sizeof l->tvname, "%s", name);
    l->frozen = frozen;
    *at = here(pl);
    m->H = m->W = 1;
    return LC_OK;
}

/* MaxPool2d(k, stride, pad, ceil_mode) on the map, its argmax kept for the backward pass. In
 * ceil mode the last window may start inside the map and run past it (SqueezeNet): torch's
 * output size ceil((H + 2 pad - k) / stride) + 1, less one when that window would start past
 * H + pad; the kernel skips the taps outside the map. */
static lc_status tv_maxpool(planner *pl, node *at, tv_map *m, int k, int stride, int pad,
                            int ceil_mode, const char *name, int frozen)
{
    lc_pool2d q = {.C = m->C, .H = m->H, .W = m->W, .KH = k, .KW = k, .sh = stride,
                   .sw = stride, .ph = pad, .pw = pad, .dh = 1, .dw = 1, .is_max = 1};
    if (lc_pool2d_plan(&q) != 0)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "the image (%dx%d at %s) is too small for the encoder's %s (%dx%d max pooling)",
                            m->H, m->W, name, name, k, k);
    if (ceil_mode) {
        int dim[2] = {m->H, m->W}, out[2];
        for (int d = 0; d < 2; d++) {
            int span = dim[d] + 2 * pad - k;
            out[d] = (span + stride - 1) / stride + 1;
            if ((out[d] - 1) * stride >= dim[d] + pad)
                out[d]--;
        }
        q.OH = out[0];
        q.OW = out[1];
    }
    size_t pout = (size_t)q.C * q.OH * q.OW;
    lc_layer *l = add_layer(pl, LC_L_POOL, *at, pout);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.pool = q;
    pl->aux_per_sample = (pl->aux_per_sample + 7) & ~(size_t)7;
    l->aux_off = pl->aux_per_sample;
    pl->aux_per_sample += pout * sizeof(int32_t);
    snprintf(l->tvname, sizeof l->tvname, "%s", name);
    l->frozen = frozen;
    *at = here(pl);
    m->H = q.OH;
    m->W = q.OW;
    return LC_OK;
}

/* An activation and/or a dropout named as their module */
static lc_status tv_act_drop(planner *pl, node *at, lc_act act, float rate, const char *name,
                             int frozen)
{
    int from = pl->n;
    lc_status st = add_act_dropout(pl, at, act, rate, -1);
    if (!st)
        tv_tag(pl, from, name, frozen);
    return st;
}

/* torchvision's SqueezeExcitation: the map's channel means through fc1 (1x1 conv), the
 * activation, fc2, the scale activation, each channel of the map times its scale. */
static lc_status tv_squeeze_excite(planner *pl, node *at, tv_map *m, int squeeze, lc_act act,
                                   lc_act scale_act, const char *name, int frozen)
{
    char nm[96];
    node in = *at;
    tv_map s = *m;
    lc_status st;
    if ((st = tv_global_avg(pl, at, &s, (snprintf(nm, sizeof nm, "%s.avgpool", name), nm), frozen)) ||
        (st = tv_convg(pl, at, &s, squeeze, 1, 1, 0, 1, 1, (snprintf(nm, sizeof nm, "%s.fc1", name), nm), frozen)) ||
        (st = add_act_dropout(pl, at, act, 0.0f, -1)) ||
        (st = tv_convg(pl, at, &s, m->C, 1, 1, 0, 1, 1, (snprintf(nm, sizeof nm, "%s.fc2", name), nm), frozen)) ||
        (st = add_act_dropout(pl, at, scale_act, 0.0f, -1)))
        return st;
    node scale = *at;
    lc_layer *l = add_layer(pl, LC_L_SCALE_CH, in, in.n);
    if (!l || push_src(pl, scale.src))
        return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
    pl->layers[pl->n - 1].nsrc = 2;
    pl->layers[pl->n - 1].u.norm.C = m->C;
    pl->layers[pl->n - 1].u.norm.HW = m->H * m->W;
    snprintf(pl->layers[pl->n - 1].tvname, sizeof pl->layers[pl->n - 1].tvname, "%s", name);
    pl->layers[pl->n - 1].frozen = frozen;
    *at = here(pl);
    return LC_OK;
}

/* One BasicBlock (expansion 1) or Bottleneck (expansion 4, its inner convolutions `width`
 * channels; the stride on its 3x3 conv, as torchvision's v1.5) named layer<stage>.<block>. */
static lc_status tv_block(planner *pl, node *at, tv_map *m, int planes, int width, int groups,
                          int stride, int bottleneck, const char *name, int frozen)
{
    char nm[64];
    node in = *at;
    tv_map min = *m;
    int out = bottleneck ? planes * 4 : planes;
    lc_status st;
#define TVN(suffix) (snprintf(nm, sizeof nm, "%s.%s", name, suffix), nm)
    if (bottleneck) {
        if ((st = tv_conv(pl, at, m, width, 1, 1, 0, TVN("conv1"), frozen)) ||
            (st = tv_bn(pl, at, m, TVN("bn1"), 1, frozen)) ||
            (st = tv_convg(pl, at, m, width, 3, stride, 1, groups, 0, TVN("conv2"), frozen)) ||
            (st = tv_bn(pl, at, m, TVN("bn2"), 1, frozen)) ||
            (st = tv_conv(pl, at, m, out, 1, 1, 0, TVN("conv3"), frozen)) ||
            (st = tv_bn(pl, at, m, TVN("bn3"), 0, frozen)))
            return st;
    } else {
        if ((st = tv_conv(pl, at, m, planes, 3, stride, 1, TVN("conv1"), frozen)) ||
            (st = tv_bn(pl, at, m, TVN("bn1"), 1, frozen)) ||
            (st = tv_conv(pl, at, m, planes, 3, 1, 1, TVN("conv2"), frozen)) ||
            (st = tv_bn(pl, at, m, TVN("bn2"), 0, frozen)))
            return st;
    }
    node skip = in;
    if (stride != 1 || min.C != out) {
        tv_map dm = min;
        if ((st = tv_conv(pl, &skip, &dm, out, 1, stride, 0, TVN("downsample.0"), frozen)) ||
            (st = tv_bn(pl, &skip, &dm, TVN("downsample.1"), 0, frozen)))
            return st;
    }
#undef TVN
    int from = pl->n;
    if ((st = add_residual(pl, at, skip)) ||
        (st = add_act_dropout(pl, at, LC_ACT_RELU, 0.0f, -1)))
        return st;
    tv_tag(pl, from, name, frozen);
    return LC_OK;
}

/* conv1 (7x7, stride 2) -> bn1 -> relu -> maxpool (3x3, stride 2, padding 1) -> layer1..4 ->
 * the average over the map (AdaptiveAvgPool2d(1)), flattened; the fc is Ludwig's Identity. */
static lc_status plan_tv_resnet(planner *pl, node *at, const lc_input_spec *s)
{
    static const int blocks[5][4] = {{2, 2, 2, 2}, {3, 4, 6, 3}, {3, 4, 6, 3}, {3, 4, 23, 3},
                                     {3, 8, 36, 3}};
    /* ResNeXt (tv_variant 0..2: 50_32x4d, 101_32x8d, 101_64x4d): depth, groups, width per group;
     * ResNet: 1 group of 64, wide: of 128 */
    static const int rx[3][3] = {{50, 32, 4}, {101, 32, 8}, {101, 64, 4}};
    int rxv = s->enc == LC_ENC_TV_RESNEXT ? s->tv_variant : -1;
    if (s->enc == LC_ENC_TV_RESNEXT && (rxv < 0 || rxv > 2))
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': resnext variant %d", s->name, rxv);
    int v = rxv >= 0 ? rx[rxv][0] : s->tv_variant;
    int groups = rxv >= 0 ? rx[rxv][1] : 1, wpg = rxv >= 0 ? rx[rxv][2] : s->tv_wide ? 128 : 64;
    int which = v == 18 ? 0 : v == 34 ? 1 : v == 50 ? 2 : v == 101 ? 3 : v == 152 ? 4 : -1;
    if (which < 0)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': resnet model_variant %d is not one of 18, 34, 50, 101, 152", s->name, v);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the resnet encoder takes 3-channel images (got %d)", s->name, s->C);
    int bottleneck = v >= 50, fz = s->tv_frozen;
    if (s->tv_wide && v != 50 && v != 101)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': wide_resnet model_variant %d_2 is not one of 50_2, 101_2", s->name, v);
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    if ((st = tv_conv(pl, at, &m, 64, 7, 2, 3, "conv1", fz)) ||
        (st = tv_bn(pl, at, &m, "bn1", 1, fz)))
        return st;
    if ((st = tv_maxpool(pl, at, &m, 3, 2, 1, 0, "maxpool", fz)))
        return st;
    for (int stage = 0; stage < 4; stage++)
        for (int b = 0; b < blocks[which][stage]; b++) {
            char name[16];
            snprintf(name, sizeof name, "layer%d.%d", stage + 1, b % 100);
            /* torchvision: width = int(planes * (width_per_group / 64)) * groups */
            int planes = 64 << stage, width = planes * wpg / 64 * groups;
            if ((st = tv_block(pl, at, &m, planes, width, groups, b == 0 && stage > 0 ? 2 : 1,
                               bottleneck, name, fz)))
                return st;
        }
    return tv_global_avg(pl, at, &m, "avgpool", fz);
}

/* ---- Ludwig's own ResNet (the `_resnet_legacy` encoder: convolutional_modules.py) ---- */

/* Conv2DLayerFixedPadding: a bias-free Conv2d as a ModuleList (<name>.layers.0) with torch's
 * default initialisation; 'same' padding at stride 1, (k - 1) / 2 otherwise (the same for the odd
 * filters built here) */
static lc_status rl_conv(planner *pl, node *at, tv_map *m, int OC, int k, int stride,
                         const char *name)
{
    char nm[96];
    snprintf(nm, sizeof nm, "%.80s.layers.0", name);
    lc_status st = tv_convg(pl, at, m, OC, k, stride, (k - 1) / 2, 1, 0, nm, 0);
    if (!st)
        pl->layers[pl->n - 1].w_init = LC_INIT_TORCH_DEFAULT;
    return st;
}

/* ResNetBlock (3x3, 3x3) or ResNetBottleneckBlock (1x1, 3x3 with the stride, 1x1 to 4 x oc),
 * each conv followed by its BatchNorm2d (norm<i>) and, but for the last, a ReLU; the first block
 * of a block layer adds its projection_shortcut (a 1x1 conv with the stride, no norm), the others
 * their input; then the ReLU. */
static lc_status rl_block(planner *pl, node *at, tv_map *m, const lc_resnet_legacy_spec *r,
                          int oc, int stride, int project, int bottleneck, const char *name)
{
    char nm[96];
    node in = *at;
    tv_map min = *m;
    int out = bottleneck ? 4 * oc : oc;
    lc_status st;
#define RLN(suffix) (snprintf(nm, sizeof nm, "%s.%s", name, suffix), nm)
#define RLBN(suffix, act) tv_bn_act(pl, at, m, RLN(suffix), r->bn_eps, r->bn_momentum, act, 0)
    if (bottleneck) {
        if ((st = rl_conv(pl, at, m, oc, 1, 1, RLN("conv1"))) ||
            (st = RLBN("norm1", LC_ACT_RELU)) ||
            (st = rl_conv(pl, at, m, oc, 3, stride, RLN("conv2"))) ||
            (st = RLBN("norm2", LC_ACT_RELU)) ||
            (st = rl_conv(pl, at, m, out, 1, 1, RLN("conv3"))) ||
            (st = RLBN("norm3", LC_ACT_LINEAR)))
            return st;
    } else {
        if ((st = rl_conv(pl, at, m, oc, 3, stride, RLN("conv1"))) ||
            (st = RLBN("norm1", LC_ACT_RELU)) ||
            (st = rl_conv(pl, at, m, oc, 3, 1, RLN("conv2"))) ||
            (st = RLBN("norm2", LC_ACT_LINEAR)))
            return st;
    }
    node skip = in;
    if (project) {
        tv_map pm = min;
        if ((st = rl_conv(pl, &skip, &pm, out, 1, stride, RLN("projection_shortcut"))))
            return st;
    }
#undef RLBN
#undef RLN
    int from = pl->n;
    if ((st = add_residual(pl, at, skip)) ||
        (st = add_act_dropout(pl, at, LC_ACT_RELU, 0.0f, -1)))
        return st;
    tv_tag(pl, from, name, 0);
    return LC_OK;
}

/* ResNet: layers.0 the first conv, layers.1 its BatchNorm2d, layers.2 the ReLU, [layers.3 the
 * max pooling (padding 1)], then one ResNetBlockLayer per entry of the size's block list
 * (strides 1, 2, 2, ...; filters doubled each), its blocks layers.<i>.layers.<j>; the mean over
 * the map; the FCStack (encoder_obj.fc_stack). */
static lc_status plan_resnet_legacy(planner *pl, node *at, const lc_input_spec *s)
{
    static const int sizes[8] = {8, 14, 18, 34, 50, 101, 152, 200};
    static const int blocks[8][4] = {{1, 2, 2, 0}, {1, 2, 2, 0}, {2, 2, 2, 2}, {3, 4, 6, 3},
                                     {3, 4, 6, 3}, {3, 4, 23, 3}, {3, 8, 36, 3}, {3, 24, 36, 3}};
    const lc_resnet_legacy_spec *r = &s->rl;
    int which = -1;
    for (int i = 0; i < 8; i++)
        if (sizes[i] == r->resnet_size)
            which = i;
    if (which < 0)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': resnet_size %d is not one of 8, 14, 18, 34, 50, 101, 152, 200", s->name, r->resnet_size);
    if (r->out_channels < 1 || r->kernel_size < 1 || r->conv_stride < 1 ||
        (r->conv_stride == 1 && r->kernel_size % 2 == 0) ||
        (r->pool_kernel && (r->pool_kernel < 2 || r->pool_stride < 1)))
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': _resnet_legacy settings out of range", s->name);
    int bottleneck = r->resnet_size >= 50;
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    if ((st = rl_conv(pl, at, &m, r->out_channels, r->kernel_size, r->conv_stride, "layers.0")) ||
        (st = tv_bn_act(pl, at, &m, "layers.1", r->bn_eps, r->bn_momentum, LC_ACT_RELU, 0)))
        return st;
    int li = 3;
    if (r->pool_kernel && (st = tv_maxpool(pl, at, &m, r->pool_kernel, r->pool_stride, 1, 0,
                                           "layers.3", 0)))
        return st;
    if (r->pool_kernel)
        li++;
    int oc = r->out_channels;
    for (int g = 0; g < 4 && blocks[which][g] > 0; g++, li++, oc *= 2)
        for (int b = 0; b < blocks[which][g]; b++) {
            char name[32];
            snprintf(name, sizeof name, "layers.%d.layers.%d", li, b);
            if ((st = rl_block(pl, at, &m, r, oc, b == 0 && g > 0 ? 2 : 1, b == 0, bottleneck,
                               name)))
                return st;
        }
    if ((st = tv_global_avg(pl, at, &m, "mean", 0)))
        return st;
    pl->part = LC_PART_ENC_FC;
    return plan_fc_stack(pl, at, &s->fc);
}

/* torchvision's _make_divisible(v, 8) */
static int tv_divisible(double v)
{
    int r = (int)(v + 4.0) / 8 * 8;
    if (r < 8)
        r = 8;
    if (r < 0.9 * v)
        r += 8;
    return r;
}

/* torchvision's MobileNetV2 (width 1) up to its classifier's Dropout(0.2): features.0 (3x3
 * stride 2 to 32, BN, ReLU6), features.<i>.conv inverted residuals (the 1x1 expansion unless the
 * ratio is 1, the depthwise 3x3, each with BN and ReLU6; a plain 1x1 projection and its BN), the
 * residual when the stride is 1 and the channels stay; features.18 (1x1 to 1280, BN, ReLU6); the
 * global average. Ludwig replaces the Linear with Identity. */
static lc_status plan_tv_mobilenetv2(planner *pl, node *at, const lc_input_spec *s)
{
    static const int cfg[7][4] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};
    int fz = s->tv_frozen;
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the mobilenetv2 encoder takes 3-channel images (got %d)", s->name, s->C);
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[96];
    if ((st = tv_convg(pl, at, &m, 32, 3, 2, 1, 1, 0, "features.0.0", fz)) ||
        (st = tv_bn_act(pl, at, &m, "features.0.1", 1e-5f, 0.1f, LC_ACT_RELU6, fz)))
        return st;
    int idx = 1, in_c = 32;
    for (int k = 0; k < 7; k++)
        for (int r = 0; r < cfg[k][2]; r++, idx++) {
            int t = cfg[k][0], out = cfg[k][1], stride = r == 0 ? cfg[k][3] : 1;
            int hidden = in_c * t, j = 0;
            node in = *at;
#define M2(fmt, ...) (snprintf(nm, sizeof nm, "features.%d.conv." fmt, idx, __VA_ARGS__), nm)
            if (t != 1) {
                if ((st = tv_convg(pl, at, &m, hidden, 1, 1, 0, 1, 0, M2("%d.0", j), fz)) ||
                    (st = tv_bn_act(pl, at, &m, M2("%d.1", j), 1e-5f, 0.1f, LC_ACT_RELU6, fz)))
                    return st;
                j++;
            }
            if ((st = tv_convg(pl, at, &m, hidden, 3, stride, 1, hidden, 0, M2("%d.0", j), fz)) ||
                (st = tv_bn_act(pl, at, &m, M2("%d.1", j), 1e-5f, 0.1f, LC_ACT_RELU6, fz)) ||
                (st = tv_convg(pl, at, &m, out, 1, 1, 0, 1, 0, M2("%d", j + 1), fz)) ||
                (st = tv_bn_act(pl, at, &m, M2("%d", j + 2), 1e-5f, 0.1f, LC_ACT_LINEAR, fz)))
                return st;
#undef M2
            if (stride == 1 && in_c == out) {
                int from = pl->n;
                if ((st = add_residual(pl, at, in)))
                    return st;
                snprintf(nm, sizeof nm, "features.%d", idx);
                tv_tag(pl, from, nm, fz);
            }
            in_c = out;
        }
    int from;
    if ((st = tv_convg(pl, at, &m, 1280, 1, 1, 0, 1, 0, "features.18.0", fz)) ||
        (st = tv_bn_act(pl, at, &m, "features.18.1", 1e-5f, 0.1f, LC_ACT_RELU6, fz)) ||
        (st = tv_global_avg(pl, at, &m, "avgpool", fz)))
        return st;
    from = pl->n;
    if ((st = add_act_dropout(pl, at, LC_ACT_LINEAR, 0.2f, -1)))
        return st;
    tv_tag(pl, from, "classifier.0", fz);
    return LC_OK;
}

/* torchvision's MobileNetV3 (width 1, no dilation) up to its classifier's Hardswish and
 * Dropout(0.2): Ludwig replaces the last Linear with Identity. Batch norms eps 1e-3, momentum
 * 0.01; features.<i>.block.<j> inverted residuals (1x1 expansion, depthwise kxk, squeeze-
 * excitation with Hardsigmoid, 1x1 projection, the residual when the stride is 1 and the
 * channels stay). */
static lc_status plan_tv_mobilenetv3(planner *pl, node *at, const lc_input_spec *s)
{
    typedef struct {
        int in, k, exp, out, se, hs, stride;
    } bneck;
    static const bneck large[] = {
        {16, 3, 16, 16, 0, 0, 1},    {16, 3, 64, 24, 0, 0, 2},    {24, 3, 72, 24, 0, 0, 1},
        {24, 5, 72, 40, 1, 0, 2},    {40, 5, 120, 40, 1, 0, 1},   {40, 5, 120, 40, 1, 0, 1},
        {40, 3, 240, 80, 0, 1, 2},   {80, 3, 200, 80, 0, 1, 1},   {80, 3, 184, 80, 0, 1, 1},
        {80, 3, 184, 80, 0, 1, 1},   {80, 3, 480, 112, 1, 1, 1},  {112, 3, 672, 112, 1, 1, 1},
        {112, 5, 672, 160, 1, 1, 2}, {160, 5, 960, 160, 1, 1, 1}, {160, 5, 960, 160, 1, 1, 1}};
    static const bneck small[] = {
        {16, 3, 16, 16, 1, 0, 2},  {16, 3, 72, 24, 0, 0, 2},   {24, 3, 88, 24, 0, 0, 1},
        {24, 5, 96, 40, 1, 1, 2},  {40, 5, 240, 40, 1, 1, 1},  {40, 5, 240, 40, 1, 1, 1},
        {40, 5, 120, 48, 1, 1, 1}, {48, 5, 144, 48, 1, 1, 1},  {48, 5, 288, 96, 1, 1, 2},
        {96, 5, 576, 96, 1, 1, 1}, {96, 5, 576, 96, 1, 1, 1}};
    int is_large = s->tv_variant == 1, fz = s->tv_frozen;
    const bneck *cfg = is_large ? large : small;
    int nb = is_large ? (int)(sizeof large / sizeof *large) : (int)(sizeof small / sizeof *small);
    int last_channel = is_large ? 1280 : 1024;
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the mobilenetv3 encoder takes 3-channel images (got %d)", s->name, s->C);
    const float eps = 1e-3f, mom = 0.01f;
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[64];
    if ((st = tv_convg(pl, at, &m, 16, 3, 2, 1, 1, 0, "features.0.0", fz)) ||
        (st = tv_bn_act(pl, at, &m, "features.0.1", eps, mom, LC_ACT_HARDSWISH, fz)))
        return st;
    for (int b = 0; b < nb; b++) {
        const bneck *c = &cfg[b];
        lc_act act = c->hs ? LC_ACT_HARDSWISH : LC_ACT_RELU;
        node in = *at;
        int j = 0;
#define MBN(fmt) (snprintf(nm, sizeof nm, "features.%d.block.%d" fmt, b + 1, j), nm)
        if (c->exp != c->in) {
            if ((st = tv_convg(pl, at, &m, c->exp, 1, 1, 0, 1, 0, MBN(".0"), fz)) ||
                (st = tv_bn_act(pl, at, &m, MBN(".1"), eps, mom, act, fz)))
                return st;
            j++;
        }
        if ((st = tv_convg(pl, at, &m, c->exp, c->k, c->stride, (c->k - 1) / 2, c->exp, 0, MBN(".0"), fz)) ||
            (st = tv_bn_act(pl, at, &m, MBN(".1"), eps, mom, act, fz)))
            return st;
        j++;
        if (c->se) {
            if ((st = tv_squeeze_excite(pl, at, &m, tv_divisible(c->exp / 4), LC_ACT_RELU,
                                        LC_ACT_HARDSIGMOID, MBN(""), fz)))
                return st;
            j++;
        }
        if ((st = tv_convg(pl, at, &m, c->out, 1, 1, 0, 1, 0, MBN(".0"), fz)) ||
            (st = tv_bn_act(pl, at, &m, MBN(".1"), eps, mom, LC_ACT_LINEAR, fz)))
            return st;
#undef MBN
        if (c->stride == 1 && c->in == c->out) {
            int from = pl->n;
            if ((st = add_residual(pl, at, in)))
                return st;
            snprintf(nm, sizeof nm, "features.%d", b + 1);
            tv_tag(pl, from, nm, fz);
        }
    }
    snprintf(nm, sizeof nm, "features.%d", nb + 1);
    char nb0[72], nb1[72];
    snprintf(nb0, sizeof nb0, "%s.0", nm);
    snprintf(nb1, sizeof nb1, "%s.1", nm);
    if ((st = tv_convg(pl, at, &m, 6 * cfg[nb - 1].out, 1, 1, 0, 1, 0, nb0, fz)) ||
        (st = tv_bn_act(pl, at, &m, nb1, eps, mom, LC_ACT_HARDSWISH, fz)) ||
        (st = tv_global_avg(pl, at, &m, "avgpool", fz)))
        return st;
    int from = pl->n;
    lc_layer *l = add_layer(pl, LC_L_DENSE, *at, (size_t)last_channel);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.dense.in = m.C;
    l->u.dense.out = last_channel;
    l->fan_in = (size_t)m.C;
    l->fan_out = (size_t)last_channel;
    add_params(pl, l, (size_t)m.C * last_channel, (size_t)last_channel, LC_INIT_NORMAL_0_01,
               LC_INIT_ZEROS);
    *at = here(pl);
    tv_tag(pl, from, "classifier.0", fz);
    from = pl->n;
    if ((st = add_act_dropout(pl, at, LC_ACT_HARDSWISH, 0.2f, -1)))
        return st;
    tv_tag(pl, from, "classifier.2", fz);
    return LC_OK;
}

const char *const lc_tv_efficientnet_variants[11] = {"b0", "b1", "b2", "b3", "b4", "b5",
                                                     "b6", "b7", "v2_s", "v2_m", "v2_l"};

/* torchvision's EfficientNet (b0..b7: MBConv stages scaled by width and depth; v2_s/m/l:
 * FusedMBConv stages first) up to its classifier's Dropout: Ludwig replaces the Linear with
 * Identity. Blocks features.<stage>.<i>.block.<j>; SiLU everywhere; squeeze-excitation with
 * max(1, in / 4) channels, SiLU and Sigmoid; stochastic depth ("row", 0.2 x block / blocks) on
 * the residual branch. */
static lc_status plan_tv_efficientnet(planner *pl, node *at, const lc_input_spec *s)
{
    typedef struct {
        int fused, expand, k, stride, in, out, layers;
    } stage;
    static const stage b_cfg[] = {{0, 1, 3, 1, 32, 16, 1},   {0, 6, 3, 2, 16, 24, 2},
                                  {0, 6, 5, 2, 24, 40, 2},   {0, 6, 3, 2, 40, 80, 3},
                                  {0, 6, 5, 1, 80, 112, 3},  {0, 6, 5, 2, 112, 192, 4},
                                  {0, 6, 3, 1, 192, 320, 1}};
    static const stage v2s[] = {{1, 1, 3, 1, 24, 24, 2},    {1, 4, 3, 2, 24, 48, 4},
                                {1, 4, 3, 2, 48, 64, 4},    {0, 4, 3, 2, 64, 128, 6},
                                {0, 6, 3, 1, 128, 160, 9},  {0, 6, 3, 2, 160, 256, 15}};
    static const stage v2m[] = {{1, 1, 3, 1, 24, 24, 3},    {1, 4, 3, 2, 24, 48, 5},
                                {1, 4, 3, 2, 48, 80, 5},    {0, 4, 3, 2, 80, 160, 7},
                                {0, 6, 3, 1, 160, 176, 14}, {0, 6, 3, 2, 176, 304, 18},
                                {0, 6, 3, 1, 304, 512, 5}};
    static const stage v2l[] = {{1, 1, 3, 1, 32, 32, 4},    {1, 4, 3, 2, 32, 64, 7},
                                {1, 4, 3, 2, 64, 96, 7},    {0, 4, 3, 2, 96, 192, 10},
                                {0, 6, 3, 1, 192, 224, 19}, {0, 6, 3, 2, 224, 384, 25},
                                {0, 6, 3, 1, 384, 640, 7}};
    static const double width[8] = {1.0, 1.0, 1.1, 1.2, 1.4, 1.6, 1.8, 2.0};
    static const double depth[8] = {1.0, 1.1, 1.2, 1.4, 1.8, 2.2, 2.6, 3.1};
    static const float drop[11] = {0.2f, 0.2f, 0.3f, 0.3f, 0.4f, 0.4f, 0.5f, 0.5f, 0.2f, 0.3f, 0.4f};
    int v = s->tv_variant, fz = s->tv_frozen;
    if (v < 0 || v > 10)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': efficientnet variant %d", s->name, v);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the efficientnet encoder takes 3-channel images (got %d)", s->name, s->C);
    const stage *cfg = v < 8 ? b_cfg : v == 8 ? v2s : v == 9 ? v2m : v2l;
    int ns = v < 8 ? 7 : v == 8 ? 6 : 7;
    double wm = v < 8 ? width[v] : 1.0, dm = v < 8 ? depth[v] : 1.0;
    /* b5..b7: eps 1e-3, momentum 0.01; v2: eps 1e-3; the others torch's defaults */
    float eps = v >= 5 ? 1e-3f : 1e-5f, mom = v >= 5 && v <= 7 ? 0.01f : 0.1f;
    int total = 0;
    for (int k = 0; k < ns; k++)
        total += (int)ceil(cfg[k].layers * dm);
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[96];
    if ((st = tv_convg(pl, at, &m, tv_divisible(cfg[0].in * wm), 3, 2, 1, 1, 0, "features.0.0", fz)) ||
        (st = tv_bn_act(pl, at, &m, "features.0.1", eps, mom, LC_ACT_SILU, fz)))
        return st;
    int block_id = 0;
    for (int k = 0; k < ns; k++) {
        int layers = (int)ceil(cfg[k].layers * dm);
        int cin = tv_divisible(cfg[k].in * wm), cout = tv_divisible(cfg[k].out * wm);
        for (int b = 0; b < layers; b++, block_id++) {
            int in_c = b == 0 ? cin : cout, stride = b == 0 ? cfg[k].stride : 1;
            int exp = tv_divisible((double)in_c * cfg[k].expand);
            node in = *at;
            int j = 0;
#define EBN(fmt) (snprintf(nm, sizeof nm, "features.%d.%d.block.%d" fmt, k + 1, b, j), nm)
            if (cfg[k].fused) {
                if (exp != in_c) {
                    if ((st = tv_convg(pl, at, &m, exp, cfg[k].k, stride, (cfg[k].k - 1) / 2, 1, 0, EBN(".0"), fz)) ||
                        (st = tv_bn_act(pl, at, &m, EBN(".1"), eps, mom, LC_ACT_SILU, fz)))
                        return st;
                    j++;
                    if ((st = tv_convg(pl, at, &m, cout, 1, 1, 0, 1, 0, EBN(".0"), fz)) ||
                        (st = tv_bn_act(pl, at, &m, EBN(".1"), eps, mom, LC_ACT_LINEAR, fz)))
                        return st;
                } else if ((st = tv_convg(pl, at, &m, cout, cfg[k].k, stride, (cfg[k].k - 1) / 2, 1, 0, EBN(".0"), fz)) ||
                           (st = tv_bn_act(pl, at, &m, EBN(".1"), eps, mom, LC_ACT_SILU, fz))) {
                    return st;
                }
            } else {
                if (exp != in_c) {
                    if ((st = tv_convg(pl, at, &m, exp, 1, 1, 0, 1, 0, EBN(".0"), fz)) ||
                        (st = tv_bn_act(pl, at, &m, EBN(".1"), eps, mom, LC_ACT_SILU, fz)))
                        return st;
                    j++;
                }
                if ((st = tv_convg(pl, at, &m, exp, cfg[k].k, stride, (cfg[k].k - 1) / 2, exp, 0, EBN(".0"), fz)) ||
                    (st = tv_bn_act(pl, at, &m, EBN(".1"), eps, mom, LC_ACT_SILU, fz)))
                    return st;
                j++;
                if ((st = tv_squeeze_excite(pl, at, &m, in_c / 4 > 1 ? in_c / 4 : 1, LC_ACT_SILU,
                                            LC_ACT_SIGMOID, EBN(""), fz)))
                    return st;
                j++;
                if ((st = tv_convg(pl, at, &m, cout, 1, 1, 0, 1, 0, EBN(".0"), fz)) ||
                    (st = tv_bn_act(pl, at, &m, EBN(".1"), eps, mom, LC_ACT_LINEAR, fz)))
                    return st;
            }
#undef EBN
            if (stride == 1 && in_c == cout) {
                float p = 0.2f * (float)block_id / (float)total;
                int from = pl->n;
                if (p > 0.0f) {
                    lc_layer *l = add_layer(pl, LC_L_STOCHDEPTH, *at, at->n);
                    if (!l)
                        return LC_ERR_NOMEM;
                    l->u.rate = p;
                    l->aux_off = pl->aux_per_sample;
                    pl->aux_per_sample += sizeof(float);
                    *at = here(pl);
                }
                if ((st = add_residual(pl, at, in)))
                    return st;
                snprintf(nm, sizeof nm, "features.%d.%d", k + 1, b);
                tv_tag(pl, from, nm, fz);
            }
        }
    }
    int last = v < 8 ? 4 * tv_divisible(cfg[ns - 1].out * wm) : 1280;
    char nb0[32], nb1[32];
    snprintf(nb0, sizeof nb0, "features.%d.0", ns + 1);
    snprintf(nb1, sizeof nb1, "features.%d.1", ns + 1);
    if ((st = tv_convg(pl, at, &m, last, 1, 1, 0, 1, 0, nb0, fz)) ||
        (st = tv_bn_act(pl, at, &m, nb1, eps, mom, LC_ACT_SILU, fz)) ||
        (st = tv_global_avg(pl, at, &m, "avgpool", fz)))
        return st;
    int from = pl->n;
    if ((st = add_act_dropout(pl, at, LC_ACT_LINEAR, drop[v], -1)))
        return st;
    tv_tag(pl, from, "classifier.0", fz);
    return LC_OK;
}

const char *const lc_tv_vit_variants[5] = {"b_16", "b_32", "l_16", "l_32", "h_14"};
const char *const lc_tv_resnext_variants[3] = {"50_32x4d", "101_32x8d", "101_64x4d"};

/* torchvision's VisionTransformer (dropout and attention dropout 0, as Ludwig builds it): the
 * patch convolution conv_proj, the class token before the patches, encoder.pos_embedding added,
 * encoder.layers.encoder_layer_<i>: ln_1 (eps 1e-6), self_attention (nn.MultiheadAttention: the
 * packed in_proj_weight / in_proj_bias, scaled dot-product attention per head, out_proj), the
 * residual, ln_2, mlp (Linear, GELU, Linear), the residual; encoder.ln; the class token's row.
 * Ludwig replaces heads[-1] with Identity. */
static lc_status plan_tv_vit(planner *pl, node *at, const lc_input_spec *s)
{
    static const struct {
        int patch, hidden, layers, heads, mlp;
    } cfg[5] = {{16, 768, 12, 12, 3072}, {32, 768, 12, 12, 3072}, {16, 1024, 24, 16, 4096},
                {32, 1024, 24, 16, 4096}, {14, 1280, 32, 16, 5120}};
    int v = s->tv_variant, fz = s->tv_frozen;
    if (v < 0 || v > 4)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': vit variant %d", s->name, v);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the vit encoder takes 3-channel images (got %d)", s->name, s->C);
    int P = cfg[v].patch, E = cfg[v].hidden, NH = cfg[v].heads, M = cfg[v].mlp;
    if (s->H % P || s->W % P)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': vit %s needs an image whose sides are multiples of %d (got %dx%d)",
                            s->name, lc_tv_vit_variants[v], P, s->H, s->W);
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    int from = pl->n;
    if ((st = tv_convg(pl, at, &m, E, P, P, 0, 1, 1, "conv_proj", fz)))
        return st;
    pl->layers[pl->n - 1].w_init = LC_INIT_XAVIER_NORMAL; /* ~ torchvision's trunc_normal */
    int HW = m.H * m.W, T = HW + 1;
    lc_layer *l = add_layer(pl, LC_L_PATCH_TOKENS, *at, (size_t)T * E);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.norm.C = E;
    l->u.norm.HW = HW;
    add_params(pl, l, (size_t)E, 0, LC_INIT_ZEROS, LC_INIT_ZEROS);
    l->wsuffix = "class_token";
    l->wshape3 = E;
    *at = here(pl);
    tv_tag(pl, from + 1, "", fz);
    from = pl->n;
    l = add_layer(pl, LC_L_POSADD, *at, (size_t)T * E);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.mha.T = T;
    l->u.mha.H = E;
    add_params(pl, l, (size_t)T * E, 0, LC_INIT_NORMAL_0_01, LC_INIT_ZEROS); /* std 0.02 in torch */
    l->wsuffix = "pos_embedding";
    l->wshape3 = E;
    *at = here(pl);
    tv_tag(pl, from, "encoder", fz);
    char nm[96];
    for (int i = 0; i < cfg[v].layers; i++) {
        node x = *at;
#define VN(fmt) (snprintf(nm, sizeof nm, "encoder.layers.encoder_layer_%d" fmt, i), nm)
        from = pl->n;
        if ((st = add_ln_step(pl, at, T, E, -1)))
            return st;
        tv_tag(pl, from, VN(".ln_1"), fz);
        /* q, k, v: one packed (3E, E) weight and 3E bias, read by three dense layers */
        node q = *at, k = *at, vv = *at;
        from = pl->n;
        if ((st = add_tdense(pl, &q, T, E, E, 1, -1)))
            return st;
        lc_layer *lq = &pl->layers[pl->n - 1];
        size_t wq = lq->w_off, bq = lq->b_off;
        lq->w_n = (size_t)3 * E * E; /* the slab: Wq then Wk, Wv; then bq, bk, bv */
        lq->b_off = wq + (size_t)3 * E * E;
        lq->b_n = (size_t)3 * E;
        pl->nparams = lq->b_off + (size_t)3 * E;
        lq->w_init = LC_INIT_XAVIER_UNIFORM;
        lq->fan_out = (size_t)3 * E;
        lq->b_init = LC_INIT_ZEROS;
        lq->wsuffix = "in_proj_weight";
        lq->bsuffix = "in_proj_bias";
        (void)bq;
        for (int part = 1; part <= 2; part++) {
            node *n = part == 1 ? &k : &vv;
            lc_layer *la = add_layer(pl, LC_L_DENSE, *n, (size_t)T * E);
            if (!la)
                return LC_ERR_NOMEM;
            la->u.dense.in = E;
            la->u.dense.out = E;
            la->u.dense.rep = T;
            la->w_off = wq + (size_t)part * E * E; /* views: no tensor, no init of their own */
            la->b_off = pl->layers[from].b_off + (size_t)part * E;
            *n = here(pl);
        }
        l = add_layer(pl, LC_L_MHA, q, (size_t)T * E);
        if (!l || push_src(pl, k.src) || push_src(pl, vv.src))
            return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
        l = &pl->layers[pl->n - 1];
        l->nsrc = 3;
        l->u.mha.T = T;
        l->u.mha.H = E;
        l->u.mha.heads = NH;
        pl->aux_per_sample = (pl->aux_per_sample + 7) & ~(size_t)7;
        l->aux_off = pl->aux_per_sample;
        pl->aux_per_sample += (size_t)NH * T * T * sizeof(float);
        *at = here(pl);
        tv_tag(pl, from, VN(".self_attention"), fz);
        from = pl->n;
        if ((st = add_tdense(pl, at, T, E, E, 1, -1)))
            return st;
        pl->layers[pl->n - 1].b_init = LC_INIT_ZEROS;
        tv_tag(pl, from, VN(".self_attention.out_proj"), fz);
        from = pl->n;
        if ((st = add_residual(pl, at, x)))
            return st;
        tv_tag(pl, from, VN(""), fz);
        node y = *at;
        from = pl->n;
        if ((st = add_ln_step(pl, at, T, E, -1)))
            return st;
        tv_tag(pl, from, VN(".ln_2"), fz);
        from = pl->n;
        if ((st = add_tdense(pl, at, T, E, M, 1, -1)))
            return st;
        pl->layers[pl->n - 1].w_init = LC_INIT_XAVIER_UNIFORM;
        pl->layers[pl->n - 1].b_init = LC_INIT_ZEROS;
        tv_tag(pl, from, VN(".mlp.0"), fz);
        from = pl->n;
        if ((st = add_act_dropout(pl, at, LC_ACT_GELU, 0.0f, -1)))
            return st;
        tv_tag(pl, from, VN(".mlp.1"), fz);
        from = pl->n;
        if ((st = add_tdense(pl, at, T, M, E, 1, -1)))
            return st;
        pl->layers[pl->n - 1].w_init = LC_INIT_XAVIER_UNIFORM;
        pl->layers[pl->n - 1].b_init = LC_INIT_ZEROS;
        tv_tag(pl, from, VN(".mlp.3"), fz);
        from = pl->n;
        if ((st = add_residual(pl, at, y)))
            return st;
        tv_tag(pl, from, VN(""), fz);
#undef VN
    }
    from = pl->n;
    if ((st = add_ln_step(pl, at, T, E, -1)))
        return st;
    tv_tag(pl, from, "encoder.ln", fz);
    from = pl->n;
    l = add_layer(pl, LC_L_FIRST_STEP, *at, (size_t)E);
    if (!l)
        return LC_ERR_NOMEM;
    *at = here(pl);
    tv_tag(pl, from, "heads", fz);
    return LC_OK;
}

/* HuggingFace transformers' ViTModel as Ludwig's _vit_legacy builds it from a ViTConfig
 * (modeling_vit.py): embeddings (patch_embeddings.projection, a patch_size x patch_size conv
 * with stride patch_size; cls_token before the patches; position_embeddings added; dropout),
 * encoder.layer.<i>: layernorm_before, attention.attention (query, key, value Linear; scaled
 * dot-product attention per head, dropout on the weights), attention.output.dense and dropout,
 * the residual, layernorm_after, intermediate.dense and hidden_act, output.dense and dropout,
 * the residual; layernorm; pooler.dense and tanh on the class token: pooler_output. Every
 * LayerNorm has eps layer_norm_eps; Linear and Conv2d weights, cls_token and
 * position_embeddings trunc_normal_(std initializer_range), biases zeros. The names are the
 * ViTModel's, under Ludwig's encoder_obj.transformer.module (name_prefix). */
static lc_status plan_vit_legacy(planner *pl, node *at, const lc_input_spec *s)
{
    int P = s->vl_patch, E = s->vl_hidden, NH = s->vl_heads, M = s->vl_inter, fz = s->tv_frozen;
    float pd = s->vl_drop, sd = s->vl_init_range, eps = s->vl_ln_eps;
    if (P < 1 || E < 1 || NH < 1 || E % NH || M < 1 || s->vl_layers < 0)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "_vit_legacy needs hidden_size (%d) divisible by num_attention_heads (%d)",
                            E, NH);
    if (s->H != s->W)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "the _vit_legacy encoder takes square images (got %dx%d)",
                            s->H, s->W);
    if (s->H < P)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "the %dx%d image is smaller than the _vit_legacy encoder's patch_size %d",
                            s->H, s->W, P);
    if ((s->vl_image && s->H != s->vl_image) || (s->vl_channels && s->C != s->vl_channels))
        return lc_error_set(pl->e, LC_ERR_CONFIG, "the pretrained ViT takes %d-channel %dx%d images (its config.json), the images are %d-channel %dx%d (preprocessing: num_channels)",
                            s->vl_channels, s->vl_image, s->vl_image, s->C, s->H, s->W);
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    if ((st = tv_convg(pl, at, &m, E, P, P, 0, 1, 1, "embeddings.patch_embeddings.projection", fz)))
        return st;
    lc_layer *l = &pl->layers[pl->n - 1];
    l->w_init = LC_INIT_TRUNC_NORMAL_SD;
    l->init_sd = sd;
    int HW = m.H * m.W, T = HW + 1, from = pl->n;
    l = add_layer(pl, LC_L_PATCH_TOKENS, *at, (size_t)T * E);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.norm.C = E;
    l->u.norm.HW = HW;
    add_params(pl, l, (size_t)E, 0, LC_INIT_TRUNC_NORMAL_SD, LC_INIT_ZEROS);
    l->init_sd = sd;
    l->wsuffix = "cls_token";
    l->wshape3 = E;
    *at = here(pl);
    l = add_layer(pl, LC_L_POSADD, *at, (size_t)T * E);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.mha.T = T;
    l->u.mha.H = E;
    add_params(pl, l, (size_t)T * E, 0, LC_INIT_TRUNC_NORMAL_SD, LC_INIT_ZEROS);
    l->init_sd = sd;
    l->wsuffix = "position_embeddings";
    l->wshape3 = E;
    *at = here(pl);
    if ((st = add_act_dropout(pl, at, LC_ACT_LINEAR, pd, -1)))
        return st;
    tv_tag(pl, from, "embeddings", fz);
    char nm[96];
#define VL(fmt) (snprintf(nm, sizeof nm, "encoder.layer.%d" fmt, i), nm)
#define VL_LINEAR(src, in, out, name)                                                             \
    do {                                                                                           \
        from = pl->n;                                                                              \
        if ((st = add_tdense(pl, src, T, in, out, 1, -1)))                                         \
            return st;                                                                             \
        pl->layers[pl->n - 1].w_init = LC_INIT_TRUNC_NORMAL_SD;                                    \
        pl->layers[pl->n - 1].init_sd = sd;                                                        \
        pl->layers[pl->n - 1].b_init = LC_INIT_ZEROS;                                              \
        tv_tag(pl, from, name, fz);                                                                \
    } while (0)
#define VL_LN(name)                                                                                \
    do {                                                                                           \
        from = pl->n;                                                                              \
        if ((st = add_ln_step(pl, at, T, E, -1)))                                                  \
            return st;                                                                             \
        pl->layers[pl->n - 1].u.norm.eps = eps;                                                    \
        tv_tag(pl, from, name, fz);                                                                \
    } while (0)
    for (int i = 0; i < s->vl_layers; i++) {
        node x = *at;
        VL_LN(VL(".layernorm_before"));
        node q = *at, k = *at, v = *at;
        VL_LINEAR(&q, E, E, VL(".attention.attention.query"));
        VL_LINEAR(&k, E, E, VL(".attention.attention.key"));
        VL_LINEAR(&v, E, E, VL(".attention.attention.value"));
        from = pl->n;
        l = add_layer(pl, LC_L_MHA, q, (size_t)T * E);
        if (!l || push_src(pl, k.src) || push_src(pl, v.src))
            return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
        l = &pl->layers[pl->n - 1];
        l->nsrc = 3;
        l->u.mha.T = T;
        l->u.mha.H = E;
        l->u.mha.heads = NH;
        l->u.mha.drop = s->vl_attn_drop;
        pl->aux_per_sample = (pl->aux_per_sample + 7) & ~(size_t)7;
        l->aux_off = pl->aux_per_sample;
        pl->aux_per_sample += (size_t)(s->vl_attn_drop > 0.0f ? 2 : 1) * NH * T * T * sizeof(float);
        *at = here(pl);
        tv_tag(pl, from, VL(".attention.attention"), fz);
        VL_LINEAR(at, E, E, VL(".attention.output.dense"));
        from = pl->n;
        if ((st = add_act_dropout(pl, at, LC_ACT_LINEAR, pd, -1)) || (st = add_residual(pl, at, x)))
            return st;
        tv_tag(pl, from, VL(".attention.output"), fz);
        node h = *at;
        VL_LN(VL(".layernorm_after"));
        VL_LINEAR(at, E, M, VL(".intermediate.dense"));
        from = pl->n;
        if ((st = add_act_dropout(pl, at, s->vl_act, 0.0f, -1)))
            return st;
        tv_tag(pl, from, VL(".intermediate"), fz);
        VL_LINEAR(at, M, E, VL(".output.dense"));
        from = pl->n;
        if ((st = add_act_dropout(pl, at, LC_ACT_LINEAR, pd, -1)) || (st = add_residual(pl, at, h)))
            return st;
        tv_tag(pl, from, VL(".output"), fz);
    }
    VL_LN("layernorm");
#undef VL_LN
#undef VL_LINEAR
#undef VL
    from = pl->n;
    l = add_layer(pl, LC_L_FIRST_STEP, *at, (size_t)E);
    if (!l)
        return LC_ERR_NOMEM;
    *at = here(pl);
    if ((st = add_dense(pl, at, E, 1, LC_INIT_TRUNC_NORMAL_SD, LC_INIT_ZEROS, -1)))
        return st;
    pl->layers[pl->n - 1].init_sd = sd;
    if ((st = add_act_dropout(pl, at, LC_ACT_TANH, 0.0f, -1)))
        return st;
    tv_tag(pl, from, "pooler.dense", fz);
    return LC_OK;
}

/* The channels of a and then b (two maps of one size): torch.cat(dim=1) of NCHW maps is, per
 * sample, the concatenation of the two flat blocks. */
static lc_status tv_cat(planner *pl, node *at, node a, node b, const char *name, int frozen)
{
    lc_layer *l = add_layer(pl, LC_L_CONCAT, a, a.n + b.n);
    if (!l || push_src(pl, b.src))
        return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
    l = &pl->layers[pl->n - 1];
    l->nsrc = 2;
    snprintf(l->tvname, sizeof l->tvname, "%s", name);
    l->frozen = frozen;
    *at = here(pl);
    return LC_OK;
}

/* The initialisation of the layer just added (torchvision's families differ) */
static void tv_init_last(planner *pl, lc_init w_init)
{
    pl->layers[pl->n - 1].w_init = w_init;
}

/* torchvision's DenseNet-BC (densenet.py, 0.14): features.conv0 (7x7 stride 2, no bias), norm0,
 * relu0, pool0 (3x3 max, stride 2, padding 1); per dense block `features.denseblock<b>` its
 * layers `denselayer<i>` (norm1, relu1, conv1 1x1 to 4 x growth, norm2, relu2, conv2 3x3 to
 * growth, both without bias) each reading the channel concatenation of the block's input and
 * every earlier layer's output, the block's output that concatenation with the last; between
 * blocks `features.transition<b>` (norm, relu, conv 1x1 halving the channels, 2x2 average pool
 * stride 2); features.norm5; then the forward's ReLU and global average. Ludwig replaces the
 * whole `classifier` (a Linear) with Identity. Convolutions kaiming_normal_ (fan_in), batch norms
 * eps 1e-5, momentum 0.1. drop_rate is 0 and memory_efficient (checkpointing) changes only
 * torch's training memory. */
static lc_status plan_tv_densenet(planner *pl, node *at, const lc_input_spec *s)
{
    static const struct {
        int v, growth, init, blocks[4];
    } cfg[4] = {{121, 32, 64, {6, 12, 24, 16}},
                {161, 48, 96, {6, 12, 36, 24}},
                {169, 32, 64, {6, 12, 32, 32}},
                {201, 32, 64, {6, 12, 48, 32}}};
    int which = -1, fz = s->tv_frozen;
    for (int k = 0; k < 4; k++)
        if (cfg[k].v == s->tv_variant)
            which = k;
    if (which < 0)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': densenet model_variant %d is not one of 121, 161, 169, 201", s->name, s->tv_variant);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the densenet encoder takes 3-channel images (got %d)", s->name, s->C);
    pl->part = LC_PART_ENC_TV;
    const int growth = cfg[which].growth;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[96], base[64];
    if ((st = tv_conv(pl, at, &m, cfg[which].init, 7, 2, 3, "features.conv0", fz)))
        return st;
    tv_init_last(pl, LC_INIT_KAIMING_NORMAL);
    if ((st = tv_bn(pl, at, &m, "features.norm0", 1, fz)) ||
        (st = tv_maxpool(pl, at, &m, 3, 2, 1, 0, "features.pool0", fz)))
        return st;
#define DN(suffix) (snprintf(nm, sizeof nm, "%s.%s", base, suffix), nm)
    for (int b = 0; b < 4; b++) {
        for (int i = 0; i < cfg[which].blocks[b]; i++) {
            snprintf(base, sizeof base, "features.denseblock%d.denselayer%d", b + 1, i + 1);
            node h = *at;
            tv_map hm = m;
            if ((st = tv_bn(pl, &h, &hm, DN("norm1"), 1, fz)) ||
                (st = tv_conv(pl, &h, &hm, 4 * growth, 1, 1, 0, DN("conv1"), fz)))
                return st;
            tv_init_last(pl, LC_INIT_KAIMING_NORMAL);
            if ((st = tv_bn(pl, &h, &hm, DN("norm2"), 1, fz)) ||
                (st = tv_conv(pl, &h, &hm, growth, 3, 1, 1, DN("conv2"), fz)))
                return st;
            tv_init_last(pl, LC_INIT_KAIMING_NORMAL);
            snprintf(base, sizeof base, "features.denseblock%d", b + 1);
            if ((st = tv_cat(pl, at, *at, h, base, fz)))
                return st;
            m.C += growth;
        }
        if (b == 3)
            break;
        snprintf(base, sizeof base, "features.transition%d", b + 1);
        if ((st = tv_bn(pl, at, &m, DN("norm"), 1, fz)) ||
            (st = tv_conv(pl, at, &m, m.C / 2, 1, 1, 0, DN("conv"), fz)))
            return st;
        tv_init_last(pl, LC_INIT_KAIMING_NORMAL);
        lc_pool2d q = {.C = m.C, .H = m.H, .W = m.W, .KH = 2, .KW = 2, .sh = 2, .sw = 2,
                       .dh = 1, .dw = 1, .is_max = 0};
        if (lc_pool2d_plan(&q) != 0)
            return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the image (%dx%d) is too small for the densenet encoder (%s's map is %dx%d)",
                                s->name, s->H, s->W, DN("pool"), m.H, m.W);
        lc_layer *l = add_layer(pl, LC_L_POOL, *at, (size_t)q.C * q.OH * q.OW);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.pool = q;
        snprintf(l->tvname, sizeof l->tvname, "%s", DN("pool"));
        l->frozen = fz;
        *at = here(pl);
        m.H = q.OH;
        m.W = q.OW;
    }
#undef DN
    /* norm5, then DenseNet.forward's F.relu and adaptive_avg_pool2d */
    if ((st = tv_bn(pl, at, &m, "features.norm5", 1, fz)) ||
        (st = tv_global_avg(pl, at, &m, "avgpool", fz)))
        return st;
    return LC_OK;
}

const char *const lc_tv_squeezenet_variants[2] = {"1_0", "1_1"};

/* One Fire module: squeeze (1x1 conv with bias) and ReLU, then expand1x1 and expand3x3
 * (padding 1), each with its ReLU, concatenated on the channels. */
static lc_status tv_fire(planner *pl, node *at, tv_map *m, int squeeze, int e1, int e3,
                         const char *name, int frozen)
{
    char nm[96];
    lc_status st;
#define FN(suffix) (snprintf(nm, sizeof nm, "%s.%s", name, suffix), nm)
    if ((st = tv_convg(pl, at, m, squeeze, 1, 1, 0, 1, 1, FN("squeeze"), frozen)))
        return st;
    tv_init_last(pl, LC_INIT_KAIMING_UNIFORM);
    if ((st = tv_act_drop(pl, at, LC_ACT_RELU, 0.0f, FN("squeeze_activation"), frozen)))
        return st;
    node a = *at, b = *at;
    tv_map am = *m, bm = *m;
    if ((st = tv_convg(pl, &a, &am, e1, 1, 1, 0, 1, 1, FN("expand1x1"), frozen)))
        return st;
    tv_init_last(pl, LC_INIT_KAIMING_UNIFORM);
    if ((st = tv_act_drop(pl, &a, LC_ACT_RELU, 0.0f, FN("expand1x1_activation"), frozen)))
        return st;
    if ((st = tv_convg(pl, &b, &bm, e3, 3, 1, 1, 1, 1, FN("expand3x3"), frozen)))
        return st;
    tv_init_last(pl, LC_INIT_KAIMING_UNIFORM);
    if ((st = tv_act_drop(pl, &b, LC_ACT_RELU, 0.0f, FN("expand3x3_activation"), frozen)))
        return st;
#undef FN
    if ((st = tv_cat(pl, at, a, b, name, frozen)))
        return st;
    *m = (tv_map){e1 + e3, am.H, am.W};
    return LC_OK;
}

/* torchvision's SqueezeNet (squeezenet.py, 0.14), all of it: Ludwig's _remove_softmax_layer
 * leaves the classifier (Dropout(0.5), classifier.1 the 1x1 conv to 1000 with bias, ReLU,
 * AdaptiveAvgPool2d(1)), so the encoder's output is the 1000 flattened class maps' means.
 * 1_0: features.0 7x7 stride 2 to 96, ReLU, max pools 3x3 stride 2 ceil_mode at features.2, 6,
 * 11 around Fire modules 3..5, 7..10, 12; 1_1: features.0 3x3 stride 2 to 64, pools at 2, 5, 8,
 * Fire modules 3, 4, 6, 7, 9..12. Convolutions kaiming_uniform_ (fan_in), the final one
 * N(0, 0.01), biases 0. */
static lc_status plan_tv_squeezenet(planner *pl, node *at, const lc_input_spec *s)
{
    /* per features index: 0 nothing (the first conv and its ReLU), -1 a max pool, else a Fire
     * module's (squeeze, expand1x1, expand3x3) */
    static const int fire[2][13][3] = {
        {{0}, {0}, {-1}, {16, 64, 64}, {16, 64, 64}, {32, 128, 128}, {-1}, {32, 128, 128},
         {48, 192, 192}, {48, 192, 192}, {64, 256, 256}, {-1}, {64, 256, 256}},
        {{0}, {0}, {-1}, {16, 64, 64}, {16, 64, 64}, {-1}, {32, 128, 128}, {32, 128, 128},
         {-1}, {48, 192, 192}, {48, 192, 192}, {64, 256, 256}, {64, 256, 256}}};
    int v = s->tv_variant, fz = s->tv_frozen;
    if (v < 0 || v > 1)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': squeezenet variant %d is not 1_0 or 1_1", s->name, v);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the squeezenet encoder takes 3-channel images (got %d)", s->name, s->C);
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[32];
    if ((st = tv_convg(pl, at, &m, v == 0 ? 96 : 64, v == 0 ? 7 : 3, 2, 0, 1, 1, "features.0", fz)))
        return st;
    tv_init_last(pl, LC_INIT_KAIMING_UNIFORM);
    if ((st = tv_act_drop(pl, at, LC_ACT_RELU, 0.0f, "features.1", fz)))
        return st;
    for (int i = 2; i < 13; i++) {
        snprintf(nm, sizeof nm, "features.%d", i);
        const int *f = fire[v][i];
        if ((st = f[0] < 0 ? tv_maxpool(pl, at, &m, 3, 2, 0, 1, nm, fz)
                           : tv_fire(pl, at, &m, f[0], f[1], f[2], nm, fz)))
            return st;
    }
    if ((st = tv_act_drop(pl, at, LC_ACT_LINEAR, 0.5f, "classifier.0", fz)) ||
        (st = tv_convg(pl, at, &m, 1000, 1, 1, 0, 1, 1, "classifier.1", fz)))
        return st;
    tv_init_last(pl, LC_INIT_NORMAL_0_01);
    if ((st = tv_act_drop(pl, at, LC_ACT_RELU, 0.0f, "classifier.2", fz)))
        return st;
    return tv_global_avg(pl, at, &m, "classifier.3", fz);
}

/* ---- torchvision's RegNet (torchvision/models/regnet.py, 0.14) ---- */

/* Ludwig 0.10.3's regnet model_variant names, by lc_input_spec.tv_variant */
const char *const lc_tv_regnet_variants[15] = {"x_400mf", "x_800mf", "x_1_6gf", "x_3_2gf",
                                               "x_8gf",   "x_16gf",  "x_32gf",  "y_400mf",
                                               "y_800mf", "y_1_6gf", "y_3_2gf", "y_8gf",
                                               "y_16gf",  "y_32gf",  "y_128gf"};

/* Each variant's regnet_<v>() arguments to BlockParams.from_init_params (depth, w_0, w_a, w_m,
 * group_width; the Y variants se_ratio 0.25; bottleneck_multiplier 1 in all) */
static const struct {
    int depth, w0;
    double wa, wm;
    int gw, se;
} tv_regnet_cfg[15] = {
    {22, 24, 24.48, 2.54, 16, 0},     {16, 56, 35.73, 2.28, 16, 0},
    {18, 80, 34.01, 2.25, 24, 0},     {25, 88, 26.31, 2.25, 48, 0},
    {23, 80, 49.56, 2.88, 120, 0},    {22, 216, 55.59, 2.1, 128, 0},
    {23, 320, 69.86, 2.0, 168, 0},    {16, 48, 27.89, 2.09, 8, 1},
    {14, 56, 38.84, 2.4, 16, 1},      {27, 48, 20.71, 2.65, 24, 1},
    {21, 80, 42.63, 2.66, 24, 1},     {17, 192, 76.82, 2.19, 56, 1},
    {18, 200, 106.23, 2.48, 112, 1},  {20, 232, 115.89, 2.53, 232, 1},
    {27, 456, 160.83, 2.52, 264, 1}};

/* BlockParams.from_init_params as torch computes it (float32 tensors, the Python scalars cast
 * to float, torch.round half to even): the width of block i is
 * round(w_0 w_m^round(log((i w_a + w_0) / w_0) / log(w_m)) / 8) 8; the runs of equal widths are
 * the stages; then _adjust_widths_groups_compatibilty: the group width min(group_width, width)
 * and the width _make_divisible by it. Returns the number of stages (at most max), -1 for an
 * unknown variant. */
int lc_tv_regnet_stages(int variant, int *depths, int *widths, int *group_widths, int max)
{
    if (variant < 0 || variant > 14)
        return -1;
    int ns = 0, prev = -1;
    float wa = (float)tv_regnet_cfg[variant].wa, wm = (float)tv_regnet_cfg[variant].wm;
    float w0 = (float)tv_regnet_cfg[variant].w0;
    float lwm = (float)log(tv_regnet_cfg[variant].wm);
    for (int i = 0; i < tv_regnet_cfg[variant].depth; i++) {
        float cont = (float)i * wa + w0;
        float cap = nearbyintf(logf(cont / w0) / lwm);
        int w = (int)(nearbyintf(w0 * powf(wm, cap) / 8.0f) * 8.0f);
        if (w != prev) {
            if (ns == max)
                return -1;
            widths[ns] = w;
            depths[ns++] = 0;
            prev = w;
        }
        depths[ns - 1]++;
    }
    for (int k = 0; k < ns; k++) {
        int g = tv_regnet_cfg[variant].gw < widths[k] ? tv_regnet_cfg[variant].gw : widths[k];
        /* torchvision's _make_divisible(w, g) */
        int w = (int)(widths[k] + g / 2.0) / g * g;
        if (w < g)
            w = g;
        if (w < 0.9 * widths[k])
            w += g;
        widths[k] = w;
        group_widths[k] = g;
    }
    return ns;
}

/* RegNet's and MNASNet's initialisation touches only the convolutions' weights (tv_convg's
 * N(0, 2 / (kh kw out_channels))): the squeeze-excitation's biases keep torch's default
 * U(+-1/sqrt(fan_in)) */
static void tv_init_conv_bias_default(planner *pl, int from)
{
    for (int i = from; i < pl->n; i++)
        if (pl->layers[i].type == LC_L_CONV && pl->layers[i].b_n)
            pl->layers[i].b_init = LC_INIT_TORCH_DEFAULT;
}

/* torchvision's RegNet up to its avgpool (Ludwig replaces fc with Identity): stem (3x3 stride 2
 * to 32, BN, ReLU), trunk_output.block<s>.block<s>-<i> ResBottleneckBlocks: proj (1x1 conv with
 * the stride and BN, when the width or the size changes), f.a (1x1, BN, ReLU), f.b (3x3 with the
 * stride, width / group_width groups, BN, ReLU), f.se (Y: SqueezeExcitation to
 * round(0.25 x the block's input width), ReLU, Sigmoid), f.c (1x1, BN), the sum, ReLU. Batch
 * norms eps 1e-5, momentum 0.1. */
static lc_status plan_tv_regnet(planner *pl, node *at, const lc_input_spec *s)
{
    int v = s->tv_variant, fz = s->tv_frozen;
    int depths[8], widths[8], gws[8];
    int ns = lc_tv_regnet_stages(v, depths, widths, gws, 8);
    if (ns < 1)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': regnet variant %d", s->name, v);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the regnet encoder takes 3-channel images (got %d)", s->name, s->C);
    pl->part = LC_PART_ENC_TV;
    int first = pl->n, se = tv_regnet_cfg[v].se;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[96];
    if ((st = tv_convg(pl, at, &m, 32, 3, 2, 1, 1, 0, "stem.0", fz)) ||
        (st = tv_bn_act(pl, at, &m, "stem.1", 1e-5f, 0.1f, LC_ACT_RELU, fz)))
        return st;
    for (int k = 0; k < ns; k++)
        for (int b = 0; b < depths[k]; b++) {
            int win = m.C, wout = widths[k], stride = b == 0 ? 2 : 1;
            node in = *at, skip = *at;
            tv_map mi = m;
#define RGN(fmt) (snprintf(nm, sizeof nm, "trunk_output.block%d.block%d-%d" fmt, k + 1, k + 1, b), nm)
            /* torch's order: proj, then f */
            if (win != wout || stride != 1) {
                tv_map pm = mi;
                if ((st = tv_convg(pl, &skip, &pm, wout, 1, stride, 0, 1, 0, RGN(".proj.0"), fz)) ||
                    (st = tv_bn_act(pl, &skip, &pm, RGN(".proj.1"), 1e-5f, 0.1f, LC_ACT_LINEAR, fz)))
                    return st;
            }
            *at = in;
            if ((st = tv_convg(pl, at, &m, wout, 1, 1, 0, 1, 0, RGN(".f.a.0"), fz)) ||
                (st = tv_bn_act(pl, at, &m, RGN(".f.a.1"), 1e-5f, 0.1f, LC_ACT_RELU, fz)) ||
                (st = tv_convg(pl, at, &m, wout, 3, stride, 1, wout / gws[k], 0, RGN(".f.b.0"), fz)) ||
                (st = tv_bn_act(pl, at, &m, RGN(".f.b.1"), 1e-5f, 0.1f, LC_ACT_RELU, fz)))
                return st;
            if (se && (st = tv_squeeze_excite(pl, at, &m, (int)nearbyint(0.25 * win), LC_ACT_RELU,
                                              LC_ACT_SIGMOID, RGN(".f.se"), fz)))
                return st;
            if ((st = tv_convg(pl, at, &m, wout, 1, 1, 0, 1, 0, RGN(".f.c.0"), fz)) ||
                (st = tv_bn_act(pl, at, &m, RGN(".f.c.1"), 1e-5f, 0.1f, LC_ACT_LINEAR, fz)))
                return st;
            int from = pl->n;
            if ((st = add_residual(pl, at, skip)) ||
                (st = add_act_dropout(pl, at, LC_ACT_RELU, 0.0f, -1)))
                return st;
            tv_tag(pl, from, RGN(""), fz);
#undef RGN
        }
    if ((st = tv_global_avg(pl, at, &m, "avgpool", fz)))
        return st;
    tv_init_conv_bias_default(pl, first);
    return LC_OK;
}

/* ---- torchvision's MNASNet (torchvision/models/mnasnet.py, 0.14) ---- */

/* Ludwig 0.10.3's mnasnet model_variant names (the depth multiplier alpha), by tv_variant */
const char *const lc_tv_mnasnet_variants[4] = {"0_5", "0_75", "1_0", "1_3"};

/* torchvision's _round_to_multiple_of(val, divisor) with its round-up bias 0.9: up to the next
 * multiple unless the nearest one is at least 0.9 val */
static int tv_round_to_multiple(double val, int divisor)
{
    int r = (int)(val + divisor / 2.0) / divisor * divisor;
    if (r < divisor)
        r = divisor;
    return r >= 0.9 * val ? r : r + divisor;
}

/* torchvision's MNASNet (B1, version 2: the stem scaled too) up to its classifier's Dropout(0.2)
 * (Ludwig replaces classifier[-1], the Linear, with Identity). Depths
 * _round_to_multiple_of({32, 16, 24, 40, 80, 96, 192, 320} x alpha, 8); layers.0-2 3x3 stride 2,
 * BN, ReLU; layers.3-5 depthwise 3x3, BN, ReLU; layers.6-7 1x1, BN; layers.8-13 stacks of
 * _InvertedResidual (layers.<j>: 0 1x1 expansion, 1 BN, 2 ReLU, 3 depthwise kxk with the stride,
 * 4 BN, 5 ReLU, 6 1x1 projection, 7 BN; the residual when the stride is 1 and the channels
 * stay); layers.14-16 1x1 to 1280, BN, ReLU; the mean over the map. Batch norms eps 1e-5,
 * momentum 1 - 0.9997. */
static lc_status plan_tv_mnasnet(planner *pl, node *at, const lc_input_spec *s)
{
    static const double alpha[4] = {0.5, 0.75, 1.0, 1.3};
    static const int base[8] = {32, 16, 24, 40, 80, 96, 192, 320};
    /* the stacks: kernel, stride, expansion, repeats */
    static const int stk[6][4] = {{3, 2, 3, 3}, {5, 2, 3, 3}, {5, 2, 6, 3},
                                  {3, 1, 6, 2}, {5, 2, 6, 4}, {3, 1, 6, 1}};
    int v = s->tv_variant, fz = s->tv_frozen;
    if (v < 0 || v > 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': mnasnet variant %d", s->name, v);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the mnasnet encoder takes 3-channel images (got %d)", s->name, s->C);
    int d[8];
    for (int k = 0; k < 8; k++)
        d[k] = tv_round_to_multiple(base[k] * alpha[v], 8);
    const float eps = 1e-5f, mom = (float)(1.0 - 0.9997);
    pl->part = LC_PART_ENC_TV;
    int first = pl->n;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[96], nb[96];
    if ((st = tv_convg(pl, at, &m, d[0], 3, 2, 1, 1, 0, "layers.0", fz)) ||
        (st = tv_bn_act(pl, at, &m, "layers.1", eps, mom, LC_ACT_RELU, fz)) ||
        (st = tv_convg(pl, at, &m, d[0], 3, 1, 1, d[0], 0, "layers.3", fz)) ||
        (st = tv_bn_act(pl, at, &m, "layers.4", eps, mom, LC_ACT_RELU, fz)) ||
        (st = tv_convg(pl, at, &m, d[1], 1, 1, 0, 1, 0, "layers.6", fz)) ||
        (st = tv_bn_act(pl, at, &m, "layers.7", eps, mom, LC_ACT_LINEAR, fz)))
        return st;
    for (int k = 0; k < 6; k++)
        for (int r = 0; r < stk[k][3]; r++) {
            int in_c = m.C, out = d[k + 2], kk = stk[k][0], stride = r == 0 ? stk[k][1] : 1;
            int mid = in_c * stk[k][2];
            node in = *at;
#define MN(buf, j) (snprintf(buf, sizeof buf, "layers.%d.%d.layers.%d", 8 + k, r, j), buf)
            if ((st = tv_convg(pl, at, &m, mid, 1, 1, 0, 1, 0, MN(nm, 0), fz)) ||
                (st = tv_bn_act(pl, at, &m, MN(nb, 1), eps, mom, LC_ACT_RELU, fz)) ||
                (st = tv_convg(pl, at, &m, mid, kk, stride, kk / 2, mid, 0, MN(nm, 3), fz)) ||
                (st = tv_bn_act(pl, at, &m, MN(nb, 4), eps, mom, LC_ACT_RELU, fz)) ||
                (st = tv_convg(pl, at, &m, out, 1, 1, 0, 1, 0, MN(nm, 6), fz)) ||
                (st = tv_bn_act(pl, at, &m, MN(nb, 7), eps, mom, LC_ACT_LINEAR, fz)))
                return st;
#undef MN
            if (stride == 1 && in_c == out) {
                int from = pl->n;
                if ((st = add_residual(pl, at, in)))
                    return st;
                snprintf(nm, sizeof nm, "layers.%d.%d", 8 + k, r);
                tv_tag(pl, from, nm, fz);
            }
        }
    if ((st = tv_convg(pl, at, &m, 1280, 1, 1, 0, 1, 0, "layers.14", fz)) ||
        (st = tv_bn_act(pl, at, &m, "layers.15", eps, mom, LC_ACT_RELU, fz)) ||
        (st = tv_global_avg(pl, at, &m, "mean", fz)))
        return st;
    if ((st = tv_act_drop(pl, at, LC_ACT_LINEAR, 0.2f, "classifier.0", fz)))
        return st;
    tv_init_conv_bias_default(pl, first);
    return LC_OK;
}

/* ---- torchvision's VGG and AlexNet (torchvision/models/vgg.py, alexnet.py, 0.14) ---- */

/* AdaptiveAvgPool2d((oh, ow)) (the identity when the map has that size already). */
static lc_status tv_adaptive_avg(planner *pl, node *at, tv_map *m, int oh, int ow,
                                 const char *name, int frozen)
{
    lc_pool2d q = {.C = m->C, .H = m->H, .W = m->W, .KH = oh, .KW = ow, .adaptive = 1};
    if (lc_pool2d_plan(&q) != 0)
        return lc_error_set(pl->e, LC_ERR_INTERNAL, "the adaptive average pool %s", name);
    lc_layer *l = add_layer(pl, LC_L_POOL, *at, (size_t)m->C * oh * ow);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.pool = q;
    snprintf(l->tvname, sizeof l->tvname, "%s", name);
    l->frozen = frozen;
    *at = here(pl);
    m->H = oh;
    m->W = ow;
    return LC_OK;
}

/* nn.Linear(in, out) on the flattened map (torch.flatten(x, 1): channel-major, as the map is
 * held), its weight (out, in). */
static lc_status tv_linear(planner *pl, node *at, int out, lc_init wi, lc_init bi,
                           const char *name, int frozen)
{
    int from = pl->n;
    lc_status st = add_dense(pl, at, out, 1, wi, bi, -1);
    if (!st)
        tv_tag(pl, from, name, frozen);
    return st;
}

const char *const lc_tv_vgg_variants[8] = {"11", "11_bn", "13", "13_bn",
                                           "16", "16_bn", "19", "19_bn"};

/* torchvision's VGG up to its classifier's second Dropout: Ludwig replaces classifier[-1] (the
 * last Linear) with Identity, so the output is 4096 values. features: make_layers(cfg A/B/D/E)
 * (3x3 convs with bias, padding 1, each followed by BatchNorm2d in the _bn variants, ReLU;
 * MaxPool2d(2, 2) at each "M"), numbered as torch's Sequential numbers its modules; avgpool
 * AdaptiveAvgPool2d((7, 7)); the flattened map through classifier.0 (Linear 25088 -> 4096),
 * ReLU, Dropout(0.5), classifier.3 (Linear 4096 -> 4096), ReLU, Dropout(0.5). */
static lc_status plan_tv_vgg(planner *pl, node *at, const lc_input_spec *s)
{
    /* cfgs A, B, D, E: channels, 0 for "M" */
    static const int cfg[4][22] = {
        {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0, -1},
        {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0, -1},
        {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0, -1},
        {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512,
         0, -1}};
    int v = s->tv_variant;
    if (v < 0 || v > 7)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': vgg variant %d is not one of 11, 11_bn, 13, 13_bn, 16, 16_bn, 19, 19_bn", s->name, v);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the vgg encoder takes 3-channel images (got %d)", s->name, s->C);
    if (s->H < 32 || s->W < 32) /* five 2x2 max pools: torchvision's min_size (32, 32) */
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the vgg encoder takes images of at least 32x32 (got %dx%d)", s->name, s->H, s->W);
    int bn = v % 2, fz = s->tv_frozen;
    const int *c = cfg[v / 2];
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[32];
    int idx = 0;
    for (int k = 0; c[k] >= 0; k++) {
        if (c[k] == 0) {
            snprintf(nm, sizeof nm, "features.%d", idx++);
            if ((st = tv_maxpool(pl, at, &m, 2, 2, 0, 0, nm, fz)))
                return st;
            continue;
        }
        snprintf(nm, sizeof nm, "features.%d", idx++);
        if ((st = tv_convg(pl, at, &m, c[k], 3, 1, 1, 1, 1, nm, fz)))
            return st;
        if (bn) {
            snprintf(nm, sizeof nm, "features.%d", idx++);
            if ((st = tv_bn(pl, at, &m, nm, 0, fz)))
                return st;
        }
        snprintf(nm, sizeof nm, "features.%d", idx++);
        if ((st = tv_act_drop(pl, at, LC_ACT_RELU, 0.0f, nm, fz)))
            return st;
    }
    if ((st = tv_adaptive_avg(pl, at, &m, 7, 7, "avgpool", fz)) ||
        (st = tv_linear(pl, at, 4096, LC_INIT_NORMAL_0_01, LC_INIT_ZEROS, "classifier.0", fz)) ||
        (st = tv_act_drop(pl, at, LC_ACT_RELU, 0.5f, "classifier.2", fz)) ||
        (st = tv_linear(pl, at, 4096, LC_INIT_NORMAL_0_01, LC_INIT_ZEROS, "classifier.3", fz)) ||
        (st = tv_act_drop(pl, at, LC_ACT_RELU, 0.5f, "classifier.5", fz)))
        return st;
    return LC_OK;
}

/* torchvision's AlexNet up to its classifier's second ReLU: Ludwig replaces classifier[-1] (the
 * last Linear) with Identity, so the output is 4096 values. features: conv 11x11 stride 4 pad 2
 * to 64, ReLU, MaxPool2d(3, 2), conv 5x5 pad 2 to 192, ReLU, MaxPool2d(3, 2), three 3x3 convs
 * (384, 256, 256) with ReLU, MaxPool2d(3, 2); avgpool AdaptiveAvgPool2d((6, 6)); classifier
 * Dropout(0.5), classifier.1 (Linear 9216 -> 4096), ReLU, Dropout(0.5), classifier.4 (Linear
 * 4096 -> 4096), ReLU. torch's own initialisation (no init of torchvision's). */
static lc_status plan_tv_alexnet(planner *pl, node *at, const lc_input_spec *s)
{
    static const struct {
        int oc, k, stride, pad, pool;
    } cv[5] = {{64, 11, 4, 2, 1}, {192, 5, 1, 2, 1}, {384, 3, 1, 1, 0}, {256, 3, 1, 1, 0},
               {256, 3, 1, 1, 1}};
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the alexnet encoder takes 3-channel images (got %d)", s->name, s->C);
    if (s->H < 63 || s->W < 63) /* torchvision's min_size (63, 63): a 1x1 map after the pools */
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the alexnet encoder takes images of at least 63x63 (got %dx%d)", s->name, s->H, s->W);
    int fz = s->tv_frozen;
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[32];
    int idx = 0;
    for (int k = 0; k < 5; k++) {
        snprintf(nm, sizeof nm, "features.%d", idx++);
        if ((st = tv_convg(pl, at, &m, cv[k].oc, cv[k].k, cv[k].stride, cv[k].pad, 1, 1, nm, fz)))
            return st;
        pl->layers[pl->n - 1].w_init = LC_INIT_TORCH_DEFAULT;
        pl->layers[pl->n - 1].b_init = LC_INIT_TORCH_DEFAULT;
        snprintf(nm, sizeof nm, "features.%d", idx++);
        if ((st = tv_act_drop(pl, at, LC_ACT_RELU, 0.0f, nm, fz)))
            return st;
        if (cv[k].pool) {
            snprintf(nm, sizeof nm, "features.%d", idx++);
            if ((st = tv_maxpool(pl, at, &m, 3, 2, 0, 0, nm, fz)))
                return st;
        }
    }
    if ((st = tv_adaptive_avg(pl, at, &m, 6, 6, "avgpool", fz)) ||
        (st = tv_act_drop(pl, at, LC_ACT_LINEAR, 0.5f, "classifier.0", fz)) ||
        (st = tv_linear(pl, at, 4096, LC_INIT_TORCH_DEFAULT, LC_INIT_TORCH_DEFAULT, "classifier.1", fz)) ||
        (st = tv_act_drop(pl, at, LC_ACT_RELU, 0.5f, "classifier.3", fz)) ||
        (st = tv_linear(pl, at, 4096, LC_INIT_TORCH_DEFAULT, LC_INIT_TORCH_DEFAULT, "classifier.4", fz)) ||
        (st = tv_act_drop(pl, at, LC_ACT_RELU, 0.0f, "classifier.5", fz)))
        return st;
    return LC_OK;
}

/* Ludwig 0.10.3's shufflenet_v2 model_variant names, by lc_input_spec.tv_variant */
const char *const lc_tv_shufflenetv2_variants[4] = {"x0_5", "x1_0", "x1_5", "x2_0"};

/* A data-movement layer over the channels of a (C, HW) map: CH_RANGE (channels c0 .. c0 + nc - 1)
 * or CH_SHUFFLE (groups); no parameters */
static lc_status tv_chan(planner *pl, node *at, lc_ltype type, int C, int HW, int c0, int nc,
                         int groups, const char *name, int frozen)
{
    size_t out = (size_t)(type == LC_L_CH_RANGE ? nc : C) * (size_t)HW;
    lc_layer *l = add_layer(pl, type, *at, out);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.chan.C = C;
    l->u.chan.HW = HW;
    l->u.chan.c0 = c0;
    l->u.chan.nc = nc;
    l->u.chan.groups = groups;
    snprintf(l->tvname, sizeof l->tvname, "%s", name);
    l->frozen = frozen;
    *at = here(pl);
    return LC_OK;
}

/* ---- torchvision's ConvNeXt (torchvision/models/convnext.py, 0.14) ---- */

const char *const lc_tv_convnext_variants[4] = {"tiny", "small", "base", "large"};

/* torchvision's Permute: each sample's (R, Q) matrix as (Q, R) (NCHW <-> NHWC) */
static lc_status tv_permute(planner *pl, node *at, int R, int Q, const char *name, int frozen)
{
    lc_layer *l = add_layer(pl, LC_L_PERMUTE, *at, (size_t)R * Q);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.norm.C = R;
    l->u.norm.HW = Q;
    snprintf(l->tvname, sizeof l->tvname, "%s", name);
    l->frozen = frozen;
    *at = here(pl);
    return LC_OK;
}

/* ---- torchvision's Swin Transformer (swin_transformer.py, 0.14; Ludwig builds v1) ---- */

const char *const lc_tv_swin_variants[3] = {"t", "s", "b"};

/* the map a WIN_GATHER or WIN_ATTN layer works on: H x W tokens of C channels, padded to
 * multiples of the window ws (ws 0, the patch merging: the merged H and W), shifted by sh, sw */
static void win_geometry(lc_layer *l, int H, int W, int C, int ws, int sh, int sw)
{
    l->u.win.H = H;
    l->u.win.W = W;
    l->u.win.C = C;
    l->u.win.ws = ws;
    l->u.win.Hp = ws > 0 ? (H + ws - 1) / ws * ws : (H + 1) / 2;
    l->u.win.Wp = ws > 0 ? (W + ws - 1) / ws * ws : (W + 1) / 2;
    l->u.win.sh = sh;
    l->u.win.sw = sw;
}

/* a WIN_GATHER layer: rows of C floats of the map at `at` rearranged (see lc_model.h) */
static lc_status tv_win_gather(planner *pl, node *at, int mode, int H, int W, int C, int ws,
                               int sh, int sw, size_t out_n)
{
    lc_layer *l = add_layer(pl, LC_L_WIN_GATHER, *at, out_n);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.win.mode = mode;
    win_geometry(l, H, W, C, ws, sh, sw);
    *at = here(pl);
    return LC_OK;
}

/* torchvision's ShuffleNetV2 (shufflenetv2.py, 0.14). Ludwig replaces `fc` with Identity: the
 * output is the channel means of conv5's map (x.mean([2, 3])). conv1 (3x3 stride 2 to 24, BN,
 * ReLU), maxpool (3x3 stride 2 padding 1), stage2..4 of InvertedResidual blocks (the first of
 * each stride 2, the others stride 1), conv5 (1x1, BN, ReLU). A block's branch_features is
 * half its output: stride 2: branch1 (depthwise 3x3 with the stride, BN, 1x1, BN, ReLU) and
 * branch2 (1x1, BN, ReLU, depthwise 3x3 with the stride, BN, 1x1, BN, ReLU) both on the input;
 * stride 1: branch2 on the input's second half of the channels, the first half passed on
 * (x.chunk(2, dim=1)); then torch.cat of the two and channel_shuffle(out, 2). No biases,
 * batch norms eps 1e-5 momentum 0.1, torch's default initialisation (no init of torchvision's). */
static lc_status plan_tv_shufflenetv2(planner *pl, node *at, const lc_input_spec *s)
{
    static const int outc[4][5] = {{24, 48, 96, 192, 1024},
                                   {24, 116, 232, 464, 1024},
                                   {24, 176, 352, 704, 1024},
                                   {24, 244, 488, 976, 2048}};
    static const int repeats[3] = {4, 8, 4};
    int v = s->tv_variant, fz = s->tv_frozen;
    if (v < 0 || v > 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': shufflenet_v2 variant %d is not one of x0_5, x1_0, x1_5, x2_0", s->name, v);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the shufflenet_v2 encoder takes 3-channel images (got %d)", s->name, s->C);
    pl->part = LC_PART_ENC_TV;
    int first = pl->n;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[96], base[48];
    if ((st = tv_convg(pl, at, &m, outc[v][0], 3, 2, 1, 1, 0, "conv1.0", fz)) ||
        (st = tv_bn(pl, at, &m, "conv1.1", 1, fz)) ||
        (st = tv_maxpool(pl, at, &m, 3, 2, 1, 0, "maxpool", fz)))
        return st;
#define SN(suffix) (snprintf(nm, sizeof nm, "%s.%s", base, suffix), nm)
    for (int stage = 0; stage < 3; stage++) {
        int oc = outc[v][stage + 1], bf = oc / 2;
        for (int i = 0; i < repeats[stage]; i++) {
            snprintf(base, sizeof base, "stage%d.%d", stage + 2, i);
            node left = *at, right = *at;
            tv_map mi = m, lm = m, rm = m;
            int stride = i == 0 ? 2 : 1;
            if (stride == 2) {
                if ((st = tv_convg(pl, &left, &lm, mi.C, 3, 2, 1, mi.C, 0, SN("branch1.0"), fz)) ||
                    (st = tv_bn(pl, &left, &lm, SN("branch1.1"), 0, fz)) ||
                    (st = tv_convg(pl, &left, &lm, bf, 1, 1, 0, 1, 0, SN("branch1.2"), fz)) ||
                    (st = tv_bn(pl, &left, &lm, SN("branch1.3"), 1, fz)))
                    return st;
            } else { /* x.chunk(2, dim=1): the first half passed on, branch2 on the second */
                if ((st = tv_chan(pl, &left, LC_L_CH_RANGE, mi.C, mi.H * mi.W, 0, mi.C / 2, 0, base, fz)) ||
                    (st = tv_chan(pl, &right, LC_L_CH_RANGE, mi.C, mi.H * mi.W, mi.C / 2, mi.C / 2, 0, base, fz)))
                    return st;
                lm.C = rm.C = mi.C / 2;
            }
            if ((st = tv_convg(pl, &right, &rm, bf, 1, 1, 0, 1, 0, SN("branch2.0"), fz)) ||
                (st = tv_bn(pl, &right, &rm, SN("branch2.1"), 1, fz)) ||
                (st = tv_convg(pl, &right, &rm, bf, 3, stride, 1, bf, 0, SN("branch2.3"), fz)) ||
                (st = tv_bn(pl, &right, &rm, SN("branch2.4"), 0, fz)) ||
                (st = tv_convg(pl, &right, &rm, bf, 1, 1, 0, 1, 0, SN("branch2.5"), fz)) ||
                (st = tv_bn(pl, &right, &rm, SN("branch2.6"), 1, fz)))
                return st;
            if ((st = tv_cat(pl, at, left, right, base, fz)) ||
                (st = tv_chan(pl, at, LC_L_CH_SHUFFLE, oc, rm.H * rm.W, 0, 0, 2, base, fz)))
                return st;
            m = (tv_map){oc, rm.H, rm.W};
        }
    }
#undef SN
    if ((st = tv_convg(pl, at, &m, outc[v][4], 1, 1, 0, 1, 0, "conv5.0", fz)) ||
        (st = tv_bn(pl, at, &m, "conv5.1", 1, fz)) ||
        (st = tv_global_avg(pl, at, &m, "mean", fz)))
        return st;
    for (int i = first; i < pl->n; i++) /* torch's own Conv2d initialisation */
        if (pl->layers[i].type == LC_L_CONV)
            pl->layers[i].w_init = LC_INIT_TORCH_DEFAULT;
    return LC_OK;
}

/* torchvision's SwinTransformer (dropout, attention dropout 0): features.0 the patch embedding
 * (Conv2d 3 -> E, 4x4 stride 4, bias; Permute to channels last; LayerNorm), then per stage s
 * (dim E 2^s) features.<2s+1>.<i> SwinTransformerBlocks: norm1, attn (ShiftedWindowAttention:
 * pad to multiples of the 7x7 window, roll by -3 in odd blocks (0 where the window covers the
 * padded side), window partition, qkv Linear, softmax(q k^T d^-1/2 + relative position bias
 * (+ -100 between the shifted windows' regions)) v, proj Linear, the reverse), stochastic depth,
 * the residual, norm2, mlp (Linear 4 dim, GELU, Linear), stochastic depth, the residual; between
 * stages features.<2s+2> PatchMerging (the 2x2 neighbours concatenated (x0 x1 x2 x3 = (0,0)
 * (1,0) (0,1) (1,1)), padded on odd sides, norm over 4 dim, reduction Linear to 2 dim, no
 * bias); norm; the average over the positions. Ludwig replaces head with Identity. LayerNorms
 * eps 1e-5; Linear layers and the bias tables trunc_normal(std 0.02, cut at +-2: N(0, 0.02^2)),
 * biases 0 (the model's loop after the blocks' xavier_uniform of the MLPs); the conv torch's
 * default. Stochastic depth p 0.2 / 0.3 / 0.5
 * (t, s, b) x block / (blocks - 1), "row", in training. */
static lc_status plan_tv_swin(planner *pl, node *at, const lc_input_spec *s)
{
    static const struct {
        int E, depth3, h0;
        float sd;
    } cfg[3] = {{96, 6, 3, 0.2f}, {96, 18, 3, 0.3f}, {128, 18, 4, 0.5f}};
    int v = s->tv_variant, fz = s->tv_frozen;
    if (v < 0 || v > 2)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': swin_transformer variant %d", s->name, v);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the swin_transformer encoder takes 3-channel images (got %d)", s->name, s->C);
    if (s->H < 4 || s->W < 4)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the swin_transformer encoder takes images of at least 4x4 (got %dx%d)", s->name, s->H, s->W);
    const int ws = 7, depths[4] = {2, 2, cfg[v].depth3, 2};
    int E = cfg[v].E, total = 2 + 2 + cfg[v].depth3 + 2, bid = 0;
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[96];
    int from = pl->n;
    if ((st = tv_convg(pl, at, &m, E, 4, 4, 0, 1, 1, "features.0.0", fz)))
        return st;
    pl->layers[pl->n - 1].w_init = LC_INIT_TORCH_DEFAULT;
    pl->layers[pl->n - 1].b_init = LC_INIT_TORCH_DEFAULT;
    int H = m.H, W = m.W, C = E;
    from = pl->n;
    if ((st = tv_win_gather(pl, at, LC_WIN_TRANSPOSE, H, W, C, 0, 0, 0, (size_t)H * W * C)))
        return st;
    tv_tag(pl, from, "features.0.1", fz);
    from = pl->n;
    if ((st = add_ln_step(pl, at, H * W, C, -1)))
        return st;
    pl->layers[pl->n - 1].u.norm.eps = 1e-5f;
    tv_tag(pl, from, "features.0.2", fz);
    for (int sg = 0; sg < 4; sg++) {
        int NH = cfg[v].h0 << sg;
        int Hp = (H + ws - 1) / ws * ws, Wp = (W + ws - 1) / ws * ws;
        int nW = (Hp / ws) * (Wp / ws), N = ws * ws, T = H * W;
        for (int i = 0; i < depths[sg]; i++, bid++) {
            int sh = i % 2 && ws < Hp ? ws / 2 : 0, sw = i % 2 && ws < Wp ? ws / 2 : 0;
            float p = cfg[v].sd * (float)bid / (float)(total - 1);
#define SN(fmt) (snprintf(nm, sizeof nm, "features.%d.%d" fmt, 2 * sg + 1, i), nm)
            for (int half = 0; half < 2; half++) {
                node x = *at;
                from = pl->n;
                if ((st = add_ln_step(pl, at, T, C, -1)))
                    return st;
                pl->layers[pl->n - 1].u.norm.eps = 1e-5f;
                tv_tag(pl, from, half ? SN(".norm2") : SN(".norm1"), fz);
                if (!half) {
                    from = pl->n;
                    if ((st = tv_win_gather(pl, at, LC_WIN_PART, H, W, C, ws, sh, sw,
                                            (size_t)nW * N * C)))
                        return st;
                    tv_tag(pl, from, SN(".attn"), fz);
                    from = pl->n;
                    if ((st = add_tdense(pl, at, nW * N, C, 3 * C, 1, -1)))
                        return st;
                    pl->layers[pl->n - 1].w_init = LC_INIT_NORMAL_0_02;
                    pl->layers[pl->n - 1].b_init = LC_INIT_ZEROS;
                    tv_tag(pl, from, SN(".attn.qkv"), fz);
                    from = pl->n;
                    lc_layer *l = add_layer(pl, LC_L_WIN_ATTN, *at, (size_t)nW * N * C);
                    if (!l)
                        return LC_ERR_NOMEM;
                    win_geometry(l, H, W, C, ws, sh, sw); /* Hp x Wp */
                    l->u.win.heads = NH;
                    add_params(pl, l, (size_t)(2 * ws - 1) * (2 * ws - 1) * NH, 0,
                               LC_INIT_NORMAL_0_02, LC_INIT_ZEROS);
                    l->wsuffix = "relative_position_bias_table";
                    pl->aux_per_sample = (pl->aux_per_sample + 7) & ~(size_t)7;
                    l->aux_off = pl->aux_per_sample;
                    pl->aux_per_sample += (size_t)nW * NH * N * N * sizeof(float);
                    *at = here(pl);
                    tv_tag(pl, from, SN(".attn"), fz);
                    from = pl->n;
                    if ((st = add_tdense(pl, at, nW * N, C, C, 1, -1)))
                        return st;
                    pl->layers[pl->n - 1].w_init = LC_INIT_NORMAL_0_02;
                    pl->layers[pl->n - 1].b_init = LC_INIT_ZEROS;
                    tv_tag(pl, from, SN(".attn.proj"), fz);
                    from = pl->n;
                    if ((st = tv_win_gather(pl, at, LC_WIN_REV, H, W, C, ws, sh, sw,
                                            (size_t)T * C)))
                        return st;
                    tv_tag(pl, from, SN(".attn"), fz);
                } else {
                    from = pl->n;
                    if ((st = add_tdense(pl, at, T, C, 4 * C, 1, -1)))
                        return st;
                    pl->layers[pl->n - 1].w_init = LC_INIT_NORMAL_0_02;
                    pl->layers[pl->n - 1].b_init = LC_INIT_ZEROS;
                    tv_tag(pl, from, SN(".mlp.0"), fz);
                    from = pl->n;
                    if ((st = add_act_dropout(pl, at, LC_ACT_GELU, 0.0f, -1)))
                        return st;
                    tv_tag(pl, from, SN(".mlp.1"), fz);
                    from = pl->n;
                    if ((st = add_tdense(pl, at, T, 4 * C, C, 1, -1)))
                        return st;
                    pl->layers[pl->n - 1].w_init = LC_INIT_NORMAL_0_02;
                    pl->layers[pl->n - 1].b_init = LC_INIT_ZEROS;
                    tv_tag(pl, from, SN(".mlp.3"), fz);
                }
                from = pl->n;
                if (p > 0.0f) {
                    lc_layer *l = add_layer(pl, LC_L_STOCHDEPTH, *at, at->n);
                    if (!l)
                        return LC_ERR_NOMEM;
                    l->u.rate = p;
                    l->aux_off = pl->aux_per_sample;
                    pl->aux_per_sample += sizeof(float);
                    *at = here(pl);
                }
                if ((st = add_residual(pl, at, x)))
                    return st;
                tv_tag(pl, from, SN(".stochastic_depth"), fz);
            }
#undef SN
        }
        if (sg == 3)
            break;
        int H2 = (H + 1) / 2, W2 = (W + 1) / 2;
        snprintf(nm, sizeof nm, "features.%d", 2 * sg + 2);
        from = pl->n;
        if ((st = tv_win_gather(pl, at, LC_WIN_MERGE, H, W, C, 0, 0, 0, (size_t)H2 * W2 * 4 * C)))
            return st;
        tv_tag(pl, from, nm, fz);
        snprintf(nm, sizeof nm, "features.%d.norm", 2 * sg + 2);
        from = pl->n;
        if ((st = add_ln_step(pl, at, H2 * W2, 4 * C, -1)))
            return st;
        pl->layers[pl->n - 1].u.norm.eps = 1e-5f;
        tv_tag(pl, from, nm, fz);
        snprintf(nm, sizeof nm, "features.%d.reduction", 2 * sg + 2);
        from = pl->n;
        if ((st = add_tdense(pl, at, H2 * W2, 4 * C, 2 * C, 0, -1)))
            return st;
        pl->layers[pl->n - 1].w_init = LC_INIT_NORMAL_0_02;
        tv_tag(pl, from, nm, fz);
        H = H2;
        W = W2;
        C *= 2;
    }
    from = pl->n;
    if ((st = add_ln_step(pl, at, H * W, C, -1)))
        return st;
    pl->layers[pl->n - 1].u.norm.eps = 1e-5f;
    tv_tag(pl, from, "norm", fz);
    from = pl->n;
    if ((st = add_seq_reduce(pl, at, LC_RED_MEAN, H * W, C)))
        return st;
    tv_tag(pl, from, "avgpool", fz);
    return LC_OK;
}

/* ---- torchvision's MaxViT (torchvision/models/maxvit.py, 0.14) ---- */

const char *const lc_tv_maxvit_variants[1] = {"t"};

/* a stochastic depth ("row", training only) where p > 0, named as its module */
static lc_status tv_stochdepth(planner *pl, node *at, float p, const char *name, int frozen)
{
    if (p <= 0.0f)
        return LC_OK;
    lc_layer *l = add_layer(pl, LC_L_STOCHDEPTH, *at, at->n);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.rate = p;
    l->aux_off = pl->aux_per_sample;
    pl->aux_per_sample += sizeof(float);
    snprintf(l->tvname, sizeof l->tvname, "%s", name);
    l->frozen = frozen;
    *at = here(pl);
    return LC_OK;
}

/* MaxViT's PartitionAttentionLayer `name` on the (H W, C) channels-last tokens, already put in
 * window or grid order (groups of ws x ws tokens, both the same count on a square map):
 * attn_layer (LayerNorm, RelativePositionalMultiHeadAttention: to_qkv, softmax(q (k C^-1/2)^T +
 * the relative position bias) v per group and head, merge), stochastic_dropout, the residual;
 * mlp_layer (LayerNorm, Linear 4C, GELU, Linear C), stochastic_dropout, the residual. */
static lc_status tv_maxvit_attn(planner *pl, node *at, int H, int W, int C, int ws, int heads,
                                float p, const char *name, int fz)
{
    char nm[96];
    int T = H * W, from;
    lc_status st;
#define MN(fmt) (snprintf(nm, sizeof nm, "%s" fmt, name), nm)
    for (int half = 0; half < 2; half++) {
        node x = *at;
        from = pl->n;
        if ((st = add_ln_step(pl, at, T, C, -1)))
            return st;
        pl->layers[pl->n - 1].u.norm.eps = 1e-5f;
        tv_tag(pl, from, half ? MN(".mlp_layer.0") : MN(".attn_layer.0"), fz);
        if (!half) {
            from = pl->n;
            if ((st = add_tdense(pl, at, T, C, 3 * C, 1, -1)))
                return st;
            tv_tag(pl, from, MN(".attn_layer.1.to_qkv"), fz);
            from = pl->n;
            lc_layer *l = add_layer(pl, LC_L_WIN_ATTN, *at, (size_t)T * C);
            if (!l)
                return LC_ERR_NOMEM;
            win_geometry(l, H, W, C, ws, 0, 0);
            l->u.win.mode = LC_WINATTN_MAXVIT;
            l->u.win.heads = heads;
            add_params(pl, l, (size_t)(2 * ws - 1) * (2 * ws - 1) * heads, 0,
                       LC_INIT_NORMAL_0_02, LC_INIT_ZEROS);
            l->wsuffix = "relative_position_bias_table";
            pl->aux_per_sample = (pl->aux_per_sample + 7) & ~(size_t)7;
            l->aux_off = pl->aux_per_sample;
            pl->aux_per_sample += (size_t)(T / (ws * ws)) * heads * ws * ws * ws * ws * sizeof(float);
            *at = here(pl);
            tv_tag(pl, from, MN(".attn_layer.1"), fz);
            from = pl->n;
            if ((st = add_tdense(pl, at, T, C, C, 1, -1)))
                return st;
            tv_tag(pl, from, MN(".attn_layer.1.merge"), fz);
        } else {
            from = pl->n;
            if ((st = add_tdense(pl, at, T, C, 4 * C, 1, -1)))
                return st;
            tv_tag(pl, from, MN(".mlp_layer.1"), fz);
            if ((st = tv_act_drop(pl, at, LC_ACT_GELU, 0.0f, MN(".mlp_layer.2"), fz)))
                return st;
            from = pl->n;
            if ((st = add_tdense(pl, at, T, 4 * C, C, 1, -1)))
                return st;
            tv_tag(pl, from, MN(".mlp_layer.3"), fz);
        }
        if ((st = tv_stochdepth(pl, at, p, MN(".stochastic_dropout"), fz)))
            return st;
        from = pl->n;
        if ((st = add_residual(pl, at, x)))
            return st;
        tv_tag(pl, from, name, fz);
    }
#undef MN
    return LC_OK;
}

/* MaxViT's MBConv `name` (BatchNorm2d eps 1e-3, momentum 0.99; GELU): proj (the first layer of a
 * block, stride 2: AvgPool2d(3, 2, 1) counting the padding, then a 1x1 conv with bias; else the
 * identity); layers: pre_norm, conv_a (1x1, BN, GELU), conv_b (depthwise 3x3 with the stride,
 * BN, GELU), squeeze_excitation (out / 4 channels, SiLU, Sigmoid), conv_c (1x1 with bias);
 * stochastic_depth (where p > 0); the residual. */
static lc_status tv_maxvit_mbconv(planner *pl, node *at, tv_map *m, int out, int stride, float p,
                                  int blk, int li, int fz)
{
    char nm[96];
    int mid = 4 * out, from;
    node res = *at;
    tv_map rm = *m;
    lc_status st;
#define MN(fmt) (snprintf(nm, sizeof nm, "blocks.%d.layers.%d.layers.MBconv" fmt, blk, li), nm)
    if (stride != 1 || m->C != out) {
        if (stride == 2) {
            lc_pool2d q = {.C = m->C, .H = m->H, .W = m->W, .KH = 3, .KW = 3, .sh = 2, .sw = 2,
                           .ph = 1, .pw = 1, .dh = 1, .dw = 1, .is_max = 0};
            if (lc_pool2d_plan(&q) != 0)
                return lc_error_set(pl->e, LC_ERR_INTERNAL, "the average pool %s", MN(".proj.0"));
            lc_layer *l = add_layer(pl, LC_L_POOL, res, (size_t)q.C * q.OH * q.OW);
            if (!l)
                return LC_ERR_NOMEM;
            l->u.pool = q;
            snprintf(l->tvname, sizeof l->tvname, "%s", MN(".proj.0"));
            l->frozen = fz;
            res = here(pl);
            rm.H = q.OH;
            rm.W = q.OW;
        }
        if ((st = tv_convg(pl, &res, &rm, out, 1, 1, 0, 1, 1, stride == 2 ? MN(".proj.1") : MN(".proj.0"), fz)))
            return st;
    }
    if ((st = tv_bn_act(pl, at, m, MN(".layers.pre_norm"), 1e-3f, 0.99f, LC_ACT_LINEAR, fz)) ||
        (st = tv_convg(pl, at, m, mid, 1, 1, 0, 1, 0, MN(".layers.conv_a.0"), fz)) ||
        (st = tv_bn_act(pl, at, m, MN(".layers.conv_a.1"), 1e-3f, 0.99f, LC_ACT_GELU, fz)) ||
        (st = tv_convg(pl, at, m, mid, 3, stride, 1, mid, 0, MN(".layers.conv_b.0"), fz)) ||
        (st = tv_bn_act(pl, at, m, MN(".layers.conv_b.1"), 1e-3f, 0.99f, LC_ACT_GELU, fz)) ||
        (st = tv_squeeze_excite(pl, at, m, out / 4, LC_ACT_SILU, LC_ACT_SIGMOID,
                                MN(".layers.squeeze_excitation"), fz)) ||
        (st = tv_convg(pl, at, m, out, 1, 1, 0, 1, 1, MN(".layers.conv_c"), fz)) ||
        (st = tv_stochdepth(pl, at, p, MN(".stochastic_depth"), fz)))
        return st;
    from = pl->n;
    if ((st = add_residual(pl, at, res)))
        return st;
    tv_tag(pl, from, MN(""), fz);
#undef MN
    return LC_OK;
}

/* torchvision's MaxVit (Ludwig's variant t: maxvit_t, built for 224x224): stem (3x3 stride-2
 * conv, BN, GELU; 3x3 conv with bias), blocks.<b>.layers.<i> MaxVitLayers (MBconv, the first
 * of a block with stride 2; window_attention: the map cut into ws x ws windows; grid_attention:
 * into ws x ws groups of tokens H / ws apart), classifier (average pool, Flatten, LayerNorm,
 * Linear, Tanh; Ludwig replaces its last Linear). Convs and Linear layers N(0, 0.02^2) (bias 0),
 * the bias tables trunc_normal(0.02) (likewise); stochastic depth linspace(0, 0.2) over the
 * layers. Each block's map must be a multiple of the partition: torchvision fixes the maps at
 * construction (input_size), so only the image sizes whose stem gives its map are taken.
 * Variant 1 is a small MaxVit (48x48, stem 8, blocks 8, 16, 32 of 1, 2, 1 layers, head_dim 4,
 * partition 3) that test_tvresnet compares against torchvision's MaxVit class: configs name t
 * only. */
static lc_status plan_tv_maxvit(planner *pl, node *at, const lc_input_spec *s)
{
    static const struct {
        int size, stem, nb, ch[4], layers[4], head_dim, ws;
        double sd;
    } cfg[2] = {{224, 64, 4, {64, 128, 256, 512}, {2, 2, 5, 2}, 32, 7, 0.2},
                {48, 8, 3, {8, 16, 32, 0}, {1, 2, 1, 0}, 4, 3, 0.2}};
    int v = s->tv_variant, fz = s->tv_frozen;
    if (v < 0 || v > 1)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': maxvit variant %d", s->name, v);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the maxvit encoder takes 3-channel images (got %d)", s->name, s->C);
    int stem_out = (cfg[v].size - 1) / 2 + 1;
    if ((s->H - 1) / 2 + 1 != stem_out || (s->W - 1) / 2 + 1 != stem_out || s->H < 2 || s->W < 2)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the maxvit encoder takes %dx%d images (torchvision builds maxvit_%s for them, its attention partitions fixed; got %dx%d)",
                            s->name, cfg[v].size, cfg[v].size, v ? "test" : "t", s->H, s->W);
    pl->part = LC_PART_ENC_TV;
    int first = pl->n, ws = cfg[v].ws, total = 0, li = 0;
    for (int b = 0; b < cfg[v].nb; b++)
        total += cfg[v].layers[b];
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[96];
    if ((st = tv_convg(pl, at, &m, cfg[v].stem, 3, 2, 1, 1, 0, "stem.0.0", fz)) ||
        (st = tv_bn_act(pl, at, &m, "stem.0.1", 1e-3f, 0.99f, LC_ACT_GELU, fz)) ||
        (st = tv_convg(pl, at, &m, cfg[v].stem, 3, 1, 1, 1, 1, "stem.1.0", fz)))
        return st;
    for (int b = 0; b < cfg[v].nb; b++)
        for (int i = 0; i < cfg[v].layers[b]; i++, li++) {
            /* np.linspace(0, sd, total): i x step, the last sd itself */
            float p = li == total - 1 ? (float)cfg[v].sd
                                      : (float)(li * (cfg[v].sd / (double)(total - 1)));
            int C = cfg[v].ch[b];
            if ((st = tv_maxvit_mbconv(pl, at, &m, C, i == 0 ? 2 : 1, p, b, i, fz)))
                return st;
            int H = m.H, W = m.W, HW = H * W, heads = C / cfg[v].head_dim;
            if (H % ws || W % ws)
                return lc_error_set(pl->e, LC_ERR_INTERNAL, "maxvit: a %dx%d map", H, W);
            int from = pl->n;
            snprintf(nm, sizeof nm, "blocks.%d.layers.%d.layers.window_attention", b, i);
            if ((st = tv_permute(pl, at, C, HW, nm, fz)) ||
                (st = tv_win_gather(pl, at, LC_WIN_PART, H, W, C, ws, 0, 0, (size_t)HW * C)))
                return st;
            tv_tag(pl, from, nm, fz);
            if ((st = tv_maxvit_attn(pl, at, H, W, C, ws, heads, p, nm, fz)))
                return st;
            from = pl->n;
            if ((st = tv_win_gather(pl, at, LC_WIN_REV, H, W, C, ws, 0, 0, (size_t)HW * C)))
                return st;
            tv_tag(pl, from, nm, fz);
            snprintf(nm, sizeof nm, "blocks.%d.layers.%d.layers.grid_attention", b, i);
            from = pl->n;
            if ((st = tv_win_gather(pl, at, LC_WIN_GRID, H, W, C, ws, 0, 0, (size_t)HW * C)))
                return st;
            tv_tag(pl, from, nm, fz);
            if ((st = tv_maxvit_attn(pl, at, H, W, C, ws, heads, p, nm, fz)))
                return st;
            from = pl->n;
            if ((st = tv_win_gather(pl, at, LC_WIN_GRID_REV, H, W, C, ws, 0, 0, (size_t)HW * C)) ||
                (st = tv_permute(pl, at, HW, C, nm, fz)))
                return st;
            tv_tag(pl, from, nm, fz);
        }
    int C = m.C, from;
    if ((st = tv_global_avg(pl, at, &m, "classifier.0", fz)))
        return st;
    from = pl->n;
    if ((st = add_ln_step(pl, at, 1, C, -1)))
        return st;
    pl->layers[pl->n - 1].u.norm.eps = 1e-5f;
    tv_tag(pl, from, "classifier.2", fz);
    from = pl->n;
    if ((st = add_tdense(pl, at, 1, C, C, 1, -1)))
        return st;
    tv_tag(pl, from, "classifier.3", fz);
    if ((st = tv_act_drop(pl, at, LC_ACT_TANH, 0.0f, "classifier.4", fz)))
        return st;
    for (int i = first; i < pl->n; i++) /* MaxVit._init_weights */
        if (pl->layers[i].type == LC_L_CONV || pl->layers[i].type == LC_L_DENSE) {
            pl->layers[i].w_init = LC_INIT_NORMAL_0_02;
            pl->layers[i].b_init = LC_INIT_ZEROS;
        }
    return LC_OK;
}

/* ConvNeXt's LayerNorm2d (eps 1e-6): each position's C channels normalised, the map
 * channels-last for the layer norm and back (a 1x1 map needs no permutation) */
static lc_status tv_layernorm2d(planner *pl, node *at, const tv_map *m, const char *name,
                                int frozen)
{
    int HW = m->H * m->W, from = pl->n;
    lc_status st;
    if (HW > 1 && (st = tv_permute(pl, at, m->C, HW, name, frozen)))
        return st;
    if ((st = add_ln_step(pl, at, HW, m->C, -1)))
        return st;
    if (HW > 1 && (st = tv_permute(pl, at, HW, m->C, name, frozen)))
        return st;
    tv_tag(pl, from, name, frozen);
    return LC_OK;
}

/* A Conv2d with bias and ConvNeXt's initialisation (trunc_normal std 0.02, bias 0) */
static lc_status tv_cn_conv(planner *pl, node *at, tv_map *m, int OC, int k, int stride, int pad,
                            int groups, const char *name, int frozen)
{
    lc_status st = tv_convg(pl, at, m, OC, k, stride, pad, groups, 1, name, frozen);
    if (!st)
        pl->layers[pl->n - 1].w_init = LC_INIT_NORMAL_0_02;
    return st;
}

/* ConvNeXt's CNBlock features.<stage>.<i>: block.0 depthwise 7x7 conv (padding 3, bias),
 * block.1 Permute to channels-last, block.2 LayerNorm (eps 1e-6), block.3 Linear C -> 4C,
 * block.4 GELU, block.5 Linear 4C -> C, block.6 Permute back; layer_scale (C, 1, 1) times that,
 * stochastic_depth (p, "row"; training only), + the input. */
static lc_status tv_cnblock(planner *pl, node *at, const tv_map *m, float p, const char *name,
                            int frozen)
{
    char nm[96];
    node in = *at;
    tv_map mm = *m;
    int C = m->C, HW = m->H * m->W, from;
    lc_status st;
#define CNB(fmt) (snprintf(nm, sizeof nm, "%s" fmt, name), nm)
    if ((st = tv_cn_conv(pl, at, &mm, C, 7, 1, 3, C, CNB(".block.0"), frozen)) ||
        (st = tv_permute(pl, at, C, HW, CNB(".block.1"), frozen)))
        return st;
    from = pl->n;
    if ((st = add_ln_step(pl, at, HW, C, -1)))
        return st;
    tv_tag(pl, from, CNB(".block.2"), frozen);
    for (int k = 0; k < 2; k++) {
        from = pl->n;
        if ((st = add_tdense(pl, at, HW, k ? 4 * C : C, k ? C : 4 * C, 1, -1)))
            return st;
        pl->layers[pl->n - 1].w_init = LC_INIT_NORMAL_0_02;
        pl->layers[pl->n - 1].b_init = LC_INIT_ZEROS;
        tv_tag(pl, from, k ? CNB(".block.5") : CNB(".block.3"), frozen);
        if (!k && (st = tv_act_drop(pl, at, LC_ACT_GELU, 0.0f, CNB(".block.4"), frozen)))
            return st;
    }
    if ((st = tv_permute(pl, at, HW, C, CNB(".block.6"), frozen)))
        return st;
    lc_layer *l = add_layer(pl, LC_L_LAYER_SCALE, *at, at->n);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.norm.C = C;
    l->u.norm.HW = HW;
    add_params(pl, l, (size_t)C, 0, LC_INIT_LAYER_SCALE, LC_INIT_ZEROS);
    l->wsuffix = "layer_scale";
    snprintf(l->tvname, sizeof l->tvname, "%s", name);
    l->frozen = frozen;
    *at = here(pl);
    if (p > 0.0f) {
        l = add_layer(pl, LC_L_STOCHDEPTH, *at, at->n);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.rate = p;
        l->aux_off = pl->aux_per_sample;
        pl->aux_per_sample += sizeof(float);
        snprintf(l->tvname, sizeof l->tvname, "%s", CNB(".stochastic_depth"));
        l->frozen = frozen;
        *at = here(pl);
    }
    from = pl->n;
    if ((st = add_residual(pl, at, in)))
        return st;
    tv_tag(pl, from, name, frozen);
#undef CNB
    return LC_OK;
}

/* torchvision's ConvNeXt: features.0 (4x4 stride-4 conv with bias, LayerNorm2d), the stages
 * features.1, 3, 5, 7 of CNBlocks (stochastic depth p = sd x block / (blocks - 1)), the
 * downsamplings features.2, 4, 6 (LayerNorm2d, 2x2 stride-2 conv), avgpool, classifier.0
 * (LayerNorm2d), classifier.1 (Flatten). Ludwig replaces classifier[-1] (the Linear). */
static lc_status plan_tv_convnext(planner *pl, node *at, const lc_input_spec *s)
{
    static const struct {
        int ch[4], layers[4];
        double sd;
    } cfg[4] = {{{96, 192, 384, 768}, {3, 3, 9, 3}, 0.1},
                {{96, 192, 384, 768}, {3, 3, 27, 3}, 0.4},
                {{128, 256, 512, 1024}, {3, 3, 27, 3}, 0.5},
                {{192, 384, 768, 1536}, {3, 3, 27, 3}, 0.5}};
    int v = s->tv_variant, fz = s->tv_frozen;
    if (v < 0 || v > 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': convnext variant %d (Ludwig's are tiny, small, base, large)", s->name, v);
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the convnext encoder takes 3-channel images (got %d)", s->name, s->C);
    if (s->H < 32 || s->W < 32) /* torchvision's min_size (32, 32): a 1x1 map in the last stage */
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the convnext encoder takes images of at least 32x32 (got %dx%d)", s->name, s->H, s->W);
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[64];
    if ((st = tv_cn_conv(pl, at, &m, cfg[v].ch[0], 4, 4, 0, 1, "features.0.0", fz)) ||
        (st = tv_layernorm2d(pl, at, &m, "features.0.1", fz)))
        return st;
    int total = 0, id = 0;
    for (int k = 0; k < 4; k++)
        total += cfg[v].layers[k];
    for (int k = 0; k < 4; k++) {
        for (int b = 0; b < cfg[v].layers[k]; b++, id++) {
            snprintf(nm, sizeof nm, "features.%d.%d", 2 * k + 1, b);
            if ((st = tv_cnblock(pl, at, &m, (float)(cfg[v].sd * id / (total - 1.0)), nm, fz)))
                return st;
        }
        if (k < 3) {
            snprintf(nm, sizeof nm, "features.%d.0", 2 * k + 2);
            if ((st = tv_layernorm2d(pl, at, &m, nm, fz)))
                return st;
            snprintf(nm, sizeof nm, "features.%d.1", 2 * k + 2);
            if ((st = tv_cn_conv(pl, at, &m, cfg[v].ch[k + 1], 2, 2, 0, 1, nm, fz)))
                return st;
        }
    }
    if ((st = tv_global_avg(pl, at, &m, "avgpool", fz)) ||
        (st = tv_layernorm2d(pl, at, &m, "classifier.0", fz)))
        return st;
    return LC_OK;
}

/* ---- Ludwig's MLPMixer (ludwig/modules/mlp_mixer_modules.py, 0.10.3): the mlp_mixer encoder ---- */

/* Ludwig's MLP `<name>` over each of `rows` rows of `in` values: linear1 (in -> hidden), GELU
 * (erf), dropout1, linear2 (hidden -> in), dropout2; torch's default initialisation */
static lc_status mixer_mlp(planner *pl, node *at, int rows, int in, int hidden, float dropout,
                           const char *name)
{
    char nm[96];
    int from = pl->n;
    lc_status st;
    if ((st = add_tdense(pl, at, rows, in, hidden, 1, -1)))
        return st;
    snprintf(nm, sizeof nm, "%s.linear1", name);
    tv_tag(pl, from, nm, 0);
    from = pl->n;
    if ((st = add_act_dropout(pl, at, LC_ACT_GELU, dropout, -1)))
        return st;
    snprintf(nm, sizeof nm, "%s.dropout1", name);
    tv_tag(pl, from, nm, 0);
    from = pl->n;
    if ((st = add_tdense(pl, at, rows, hidden, in, 1, -1)))
        return st;
    snprintf(nm, sizeof nm, "%s.linear2", name);
    tv_tag(pl, from, nm, 0);
    from = pl->n;
    if ((st = add_act_dropout(pl, at, LC_ACT_LINEAR, dropout, -1)))
        return st;
    snprintf(nm, sizeof nm, "%s.dropout2", name);
    tv_tag(pl, from, nm, 0);
    return LC_OK;
}

/* nn.LayerNorm(E) (eps 1e-5) over each of the N rows of a (N, E) map */
static lc_status mixer_ln(planner *pl, node *at, int N, int E, const char *name)
{
    int from = pl->n;
    lc_status st = add_ln_step(pl, at, N, E, -1);
    if (st)
        return st;
    pl->layers[pl->n - 1].u.norm.eps = 1e-5f;
    tv_tag(pl, from, name, 0);
    return LC_OK;
}

/* MLPMixer: patch_conv (a p x p Conv2d of stride p to embed_size channels, with bias), its map
 * flattened to (n_patches, embed_size) rows (hidden.flatten(2).transpose(1, 2)), the
 * mixer_blocks.<i> MixerBlocks: layernorm1, the transposed (embed_size, n_patches) rows through
 * mlp1 (n_patches -> token_size -> n_patches), transposed back, + the block's input (mid);
 * layernorm2, mlp2 (embed_size -> channel_dim -> embed_size) per patch, + mid; then layer_norm
 * and, with avg_pool, the mean over the patches. Ludwig asserts that patch_size divides the
 * height and the width; here that is a message. Every module keeps torch's default
 * initialisation (Ludwig sets none). */
static lc_status plan_mlp_mixer(planner *pl, node *at, const lc_input_spec *s)
{
    int p = s->mx_patch, E = s->mx_embed;
    if (p < 1 || E < 1 || s->mx_token < 1 || s->mx_channel < 1 || s->mx_layers < 1 || s->C < 1)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "the mlp_mixer encoder needs patch_size, embed_size, token_size, channel_dim and num_layers of at least 1");
    if (s->H % p || s->W % p)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "the mlp_mixer encoder's patch_size %d does not divide the %dx%d (height x width) images (Ludwig asserts that it does); set the image feature's preprocessing height and width to multiples of %d, or choose a patch_size that divides both",
                            p, s->H, s->W, p);
    int N = (s->H / p) * (s->W / p);
    pl->part = LC_PART_ENC_MIXER;
    tv_map m = {s->C, s->H, s->W};
    lc_status st;
    char nm[96];
    if ((st = tv_convg(pl, at, &m, E, p, p, 0, 1, 1, "patch_conv", 0)))
        return st;
    pl->layers[pl->n - 1].w_init = LC_INIT_TORCH_DEFAULT;
    pl->layers[pl->n - 1].b_init = LC_INIT_TORCH_DEFAULT;
    if (N > 1 && (st = tv_permute(pl, at, E, N, "patch_conv", 0)))
        return st;
    for (int i = 0; i < s->mx_layers; i++) {
        node in = *at;
#define MB(fmt) (snprintf(nm, sizeof nm, "mixer_blocks.%d." fmt, i), nm)
        if ((st = mixer_ln(pl, at, N, E, MB("layernorm1"))) ||
            (N > 1 && (st = tv_permute(pl, at, N, E, MB("mlp1"), 0))) ||
            (st = mixer_mlp(pl, at, E, N, s->mx_token, s->mx_dropout, MB("mlp1"))) ||
            (N > 1 && (st = tv_permute(pl, at, E, N, MB("mlp1"), 0))) ||
            (st = add_residual(pl, at, in)))
            return st;
        tv_tag(pl, pl->n - 1, MB("mid"), 0);
        node mid = *at;
        if ((st = mixer_ln(pl, at, N, E, MB("layernorm2"))) ||
            (st = mixer_mlp(pl, at, N, E, s->mx_channel, s->mx_dropout, MB("mlp2"))) ||
            (st = add_residual(pl, at, mid)))
            return st;
        tv_tag(pl, pl->n - 1, MB("output"), 0);
#undef MB
    }
    if ((st = mixer_ln(pl, at, N, E, "layer_norm")))
        return st;
    if (s->mx_avg_pool && N > 1) {
        int from = pl->n;
        if ((st = add_seq_reduce(pl, at, LC_RED_MEAN, N, E)))
            return st;
        tv_tag(pl, from, "avg_pool", 0);
    }
    return LC_OK;
}

/* ---- torchvision's GoogLeNet (torchvision/models/googlenet.py, 0.14) ---- */

/* GoogLeNet's _transform_input (transform_input, which torchvision turns on when it loads the
 * pretrained weights): channel c of the ImageNet-normalised image times std_c / 0.5 plus
 * (mean_c - 0.5) / 0.5, as torch computes it in float32 (the constants rounded to float) */
static lc_status tv_transform_input(planner *pl, node *at, const tv_map *m, int frozen)
{
    static const double mean[3] = {0.485, 0.456, 0.406}, sd[3] = {0.229, 0.224, 0.225};
    lc_layer *l = add_layer(pl, LC_L_CH_AFFINE, *at, at->n);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.aff.C = 3;
    l->u.aff.HW = m->H * m->W;
    for (int c = 0; c < 3; c++) {
        l->u.aff.scale[c] = (float)(sd[c] / 0.5);
        l->u.aff.shift[c] = (float)((mean[c] - 0.5) / 0.5);
    }
    snprintf(l->tvname, sizeof l->tvname, "transform_input");
    l->frozen = frozen;
    *at = here(pl);
    return LC_OK;
}

/* BasicConv2d (googlenet.py and inception.py): `<name>.conv`, a kh x kw Conv2d without bias
 * (stride, padding ph x pw), `<name>.bn` BatchNorm2d(eps 0.001, momentum 0.1), ReLU; the
 * weights initialised as w_init */
static lc_status tv_basic_conv(planner *pl, node *at, tv_map *m, int OC, int kh, int kw,
                               int stride, int ph, int pw, lc_init w_init, const char *name,
                               int frozen)
{
    char nm[96];
    lc_conv2d cv = {.C = m->C, .H = m->H, .W = m->W, .OC = OC, .KH = kh, .KW = kw, .sh = stride,
                    .sw = stride, .ph = ph, .pw = pw, .dh = 1, .dw = 1};
    snprintf(nm, sizeof nm, "%s.conv", name);
    if (lc_conv2d_plan(&cv) != 0)
        return lc_error_set(pl->e, LC_ERR_CONFIG,
                            "the image (%dx%d at %s) is too small for the encoder's %s (a %dx%d filter, stride %d)",
                            m->H, m->W, nm, nm, kh, kw, stride);
    int from = pl->n;
    lc_layer *l = add_layer(pl, LC_L_CONV, *at, (size_t)OC * cv.OH * cv.OW);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.conv = cv;
    l->fan_in = (size_t)m->C * kh * kw;
    l->fan_out = (size_t)OC * kh * kw;
    add_params(pl, l, (size_t)OC * m->C * kh * kw, 0, w_init, LC_INIT_ZEROS);
    *at = here(pl);
    tv_tag(pl, from, nm, frozen);
    *m = (tv_map){OC, cv.OH, cv.OW};
    snprintf(nm, sizeof nm, "%s.bn", name);
    return tv_bn_act(pl, at, m, nm, 1e-3f, 0.1f, LC_ACT_RELU, frozen);
}

/* torch.cat of n branches' maps (one size) on the channels: one concat layer of n sources */
static lc_status tv_catn(planner *pl, node *at, const node *br, int n, const char *name,
                         int frozen)
{
    size_t tot = 0;
    for (int k = 0; k < n; k++)
        tot += br[k].n;
    lc_layer *l = add_layer(pl, LC_L_CONCAT, br[0], tot);
    if (!l)
        return LC_ERR_NOMEM;
    for (int k = 1; k < n; k++)
        if (push_src(pl, br[k].src))
            return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
    l = &pl->layers[pl->n - 1];
    l->nsrc = n;
    snprintf(l->tvname, sizeof l->tvname, "%s", name);
    l->frozen = frozen;
    *at = here(pl);
    return LC_OK;
}

/* GoogLeNet's Inception module (ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj): branch1 a
 * 1x1 BasicConv2d; branch2 1x1 then 3x3 (padding 1); branch3 1x1 then 3x3 (torchvision's 3x3
 * where the paper has 5x5, kept for its weights); branch4 MaxPool2d(3, 1, 1, ceil_mode) then
 * 1x1; concatenated on the channels */
static lc_status tv_inception_v1(planner *pl, node *at, tv_map *m, const int c[6],
                                 const char *name, int fz)
{
    char nm[96];
    node br[4] = {*at, *at, *at, *at};
    tv_map bm[4] = {*m, *m, *m, *m};
    const lc_init wi = LC_INIT_NORMAL_0_01;
    lc_status st;
#define GN(suffix) (snprintf(nm, sizeof nm, "%s.%s", name, suffix), nm)
    if ((st = tv_basic_conv(pl, &br[0], &bm[0], c[0], 1, 1, 1, 0, 0, wi, GN("branch1"), fz)) ||
        (st = tv_basic_conv(pl, &br[1], &bm[1], c[1], 1, 1, 1, 0, 0, wi, GN("branch2.0"), fz)) ||
        (st = tv_basic_conv(pl, &br[1], &bm[1], c[2], 3, 3, 1, 1, 1, wi, GN("branch2.1"), fz)) ||
        (st = tv_basic_conv(pl, &br[2], &bm[2], c[3], 1, 1, 1, 0, 0, wi, GN("branch3.0"), fz)) ||
        (st = tv_basic_conv(pl, &br[2], &bm[2], c[4], 3, 3, 1, 1, 1, wi, GN("branch3.1"), fz)) ||
        (st = tv_maxpool(pl, &br[3], &bm[3], 3, 1, 1, 1, GN("branch4.0"), fz)) ||
        (st = tv_basic_conv(pl, &br[3], &bm[3], c[5], 1, 1, 1, 0, 0, wi, GN("branch4.1"), fz)))
        return st;
#undef GN
    if ((st = tv_catn(pl, at, br, 4, name, fz)))
        return st;
    *m = (tv_map){c[0] + c[2] + c[4] + c[5], bm[0].H, bm[0].W};
    return LC_OK;
}

/* torchvision's GoogLeNet as Ludwig's TVGoogLeNetEncoder leaves it: aux_logits off and aux1,
 * aux2 None (no tensors), fc the Identity, so the output is the 1024 channel means of
 * inception5b through `dropout` (Dropout(0.2), training only). transform_input first when the
 * spec says so (torchvision's pretrained weights). conv1 7x7 stride 2 (64), maxpool1 3x3
 * stride 2 ceil_mode, conv2 1x1 (64), conv3 3x3 (192), maxpool2, inception3a, 3b, maxpool3,
 * 4a..4e, maxpool4 2x2 stride 2 ceil_mode, 5a, 5b, avgpool. init_weights: every conv
 * trunc_normal_(0, 0.01, -2, 2) (N(0, 0.01^2): the bounds are 200 standard deviations out),
 * batch norms 1 and 0. */
static lc_status plan_tv_googlenet(planner *pl, node *at, const lc_input_spec *s)
{
    static const int inc[9][6] = {{64, 96, 128, 16, 32, 32},     {128, 128, 192, 32, 96, 64},
                                  {192, 96, 208, 16, 48, 64},    {160, 112, 224, 24, 64, 64},
                                  {128, 128, 256, 24, 64, 64},   {112, 144, 288, 32, 64, 64},
                                  {256, 160, 320, 32, 128, 128}, {256, 160, 320, 32, 128, 128},
                                  {384, 192, 384, 48, 128, 128}};
    static const char *const incn[9] = {"inception3a", "inception3b", "inception4a",
                                        "inception4b", "inception4c", "inception4d",
                                        "inception4e", "inception5a", "inception5b"};
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the googlenet encoder takes 3-channel images (got %d)", s->name, s->C);
    /* torchvision's min_size is 15x15, where its ceil-mode max pools take windows larger than
     * the map; ludwig-c's pools need a map at least as large as their window: 31x31 (maxpool4
     * then has a 2x2 map, the output after it 1x1) */
    enum { GOOGLENET_MIN = 31 };
    if (s->H < GOOGLENET_MIN || s->W < GOOGLENET_MIN)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the googlenet encoder takes images of at least %dx%d in ludwig-c (got %dx%d)",
                            s->name, GOOGLENET_MIN, GOOGLENET_MIN, s->H, s->W);
    int fz = s->tv_frozen;
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    const lc_init wi = LC_INIT_NORMAL_0_01;
    lc_status st;
    if (s->tv_transform_input && (st = tv_transform_input(pl, at, &m, fz)))
        return st;
    if ((st = tv_basic_conv(pl, at, &m, 64, 7, 7, 2, 3, 3, wi, "conv1", fz)) ||
        (st = tv_maxpool(pl, at, &m, 3, 2, 0, 1, "maxpool1", fz)) ||
        (st = tv_basic_conv(pl, at, &m, 64, 1, 1, 1, 0, 0, wi, "conv2", fz)) ||
        (st = tv_basic_conv(pl, at, &m, 192, 3, 3, 1, 1, 1, wi, "conv3", fz)) ||
        (st = tv_maxpool(pl, at, &m, 3, 2, 0, 1, "maxpool2", fz)))
        return st;
    for (int k = 0; k < 9; k++) {
        if ((st = tv_inception_v1(pl, at, &m, inc[k], incn[k], fz)))
            return st;
        if (k == 1 && (st = tv_maxpool(pl, at, &m, 3, 2, 0, 1, "maxpool3", fz)))
            return st;
        if (k == 6 && (st = tv_maxpool(pl, at, &m, 2, 2, 0, 1, "maxpool4", fz)))
            return st;
    }
    if ((st = tv_global_avg(pl, at, &m, "avgpool", fz)) ||
        (st = tv_act_drop(pl, at, LC_ACT_LINEAR, 0.2f, "dropout", fz)))
        return st;
    return LC_OK;
}
/* ---- torchvision's Inception v3 (torchvision/models/inception.py, 0.14) ---- */

/* F.avg_pool2d(x, 3, stride 1, padding 1): count_include_pad, so every window divides by 9 */
static lc_status tv_avgpool3(planner *pl, node *at, const tv_map *m, const char *name,
                             int frozen)
{
    lc_pool2d q = {.C = m->C, .H = m->H, .W = m->W, .KH = 3, .KW = 3, .sh = 1, .sw = 1,
                   .ph = 1, .pw = 1, .dh = 1, .dw = 1, .is_max = 0};
    if (lc_pool2d_plan(&q) != 0)
        return lc_error_set(pl->e, LC_ERR_INTERNAL, "the average pool %s", name);
    lc_layer *l = add_layer(pl, LC_L_POOL, *at, (size_t)q.C * q.OH * q.OW);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.pool = q;
    snprintf(l->tvname, sizeof l->tvname, "%s", name);
    l->frozen = frozen;
    *at = here(pl);
    return LC_OK;
}

/* One of Inception v3's modules `name` (kind 'A'..'E', c: InceptionA's pool_features,
 * InceptionC's channels_7x7): its branches' BasicConv2d (every conv N(0, 0.1^2): torchvision's
 * trunc_normal_(0, 0.1, -2, 2), the bounds 20 standard deviations out) in the order of the
 * module's torch.cat, E's 1x3 / 3x1 pairs as their own concatenations (one concat of the six
 * maps is the same channels) */
static lc_status tv_inception_v3_module(planner *pl, node *at, tv_map *m, char kind, int c,
                                        const char *name, int fz)
{
    char nm[96];
    const lc_init wi = LC_INIT_NORMAL_0_1;
    node in = *at, br[6];
    tv_map im = *m, bm[6];
    int n = 0;
    lc_status st = LC_OK;
#define IN(suffix) (snprintf(nm, sizeof nm, "%s.%s", name, suffix), nm)
#define BC(k, oc, kh, kw, s, ph, pw, suffix)                                                       \
    (st = tv_basic_conv(pl, &br[k], &bm[k], oc, kh, kw, s, ph, pw, wi, IN(suffix), fz))
#define START(k) (br[k] = in, bm[k] = im)
    if (kind == 'A') {
        n = 4;
        START(0), START(1), START(2), START(3);
        if (BC(0, 64, 1, 1, 1, 0, 0, "branch1x1") || BC(1, 48, 1, 1, 1, 0, 0, "branch5x5_1") ||
            BC(1, 64, 5, 5, 1, 2, 2, "branch5x5_2") ||
            BC(2, 64, 1, 1, 1, 0, 0, "branch3x3dbl_1") ||
            BC(2, 96, 3, 3, 1, 1, 1, "branch3x3dbl_2") ||
            BC(2, 96, 3, 3, 1, 1, 1, "branch3x3dbl_3") ||
            (st = tv_avgpool3(pl, &br[3], &bm[3], IN("avg_pool"), fz)) ||
            BC(3, c, 1, 1, 1, 0, 0, "branch_pool"))
            return st;
    } else if (kind == 'B') {
        n = 3;
        START(0), START(1), START(2);
        if (BC(0, 384, 3, 3, 2, 0, 0, "branch3x3") ||
            BC(1, 64, 1, 1, 1, 0, 0, "branch3x3dbl_1") ||
            BC(1, 96, 3, 3, 1, 1, 1, "branch3x3dbl_2") ||
            BC(1, 96, 3, 3, 2, 0, 0, "branch3x3dbl_3") ||
            (st = tv_maxpool(pl, &br[2], &bm[2], 3, 2, 0, 0, IN("max_pool"), fz)))
            return st;
    } else if (kind == 'C') {
        n = 4;
        START(0), START(1), START(2), START(3);
        if (BC(0, 192, 1, 1, 1, 0, 0, "branch1x1") || BC(1, c, 1, 1, 1, 0, 0, "branch7x7_1") ||
            BC(1, c, 1, 7, 1, 0, 3, "branch7x7_2") || BC(1, 192, 7, 1, 1, 3, 0, "branch7x7_3") ||
            BC(2, c, 1, 1, 1, 0, 0, "branch7x7dbl_1") ||
            BC(2, c, 7, 1, 1, 3, 0, "branch7x7dbl_2") ||
            BC(2, c, 1, 7, 1, 0, 3, "branch7x7dbl_3") ||
            BC(2, c, 7, 1, 1, 3, 0, "branch7x7dbl_4") ||
            BC(2, 192, 1, 7, 1, 0, 3, "branch7x7dbl_5") ||
            (st = tv_avgpool3(pl, &br[3], &bm[3], IN("avg_pool"), fz)) ||
            BC(3, 192, 1, 1, 1, 0, 0, "branch_pool"))
            return st;
    } else if (kind == 'D') {
        n = 3;
        START(0), START(1), START(2);
        if (BC(0, 192, 1, 1, 1, 0, 0, "branch3x3_1") || BC(0, 320, 3, 3, 2, 0, 0, "branch3x3_2") ||
            BC(1, 192, 1, 1, 1, 0, 0, "branch7x7x3_1") ||
            BC(1, 192, 1, 7, 1, 0, 3, "branch7x7x3_2") ||
            BC(1, 192, 7, 1, 1, 3, 0, "branch7x7x3_3") ||
            BC(1, 192, 3, 3, 2, 0, 0, "branch7x7x3_4") ||
            (st = tv_maxpool(pl, &br[2], &bm[2], 3, 2, 0, 0, IN("max_pool"), fz)))
            return st;
    } else { /* E: branch1x1, branch3x3 (2a, 2b), branch3x3dbl (3a, 3b), branch_pool */
        n = 6;
        START(0), START(1), START(3);
        if (BC(0, 320, 1, 1, 1, 0, 0, "branch1x1") || BC(1, 384, 1, 1, 1, 0, 0, "branch3x3_1"))
            return st;
        br[2] = br[1], bm[2] = bm[1];
        if (BC(1, 384, 1, 3, 1, 0, 1, "branch3x3_2a") || BC(2, 384, 3, 1, 1, 1, 0, "branch3x3_2b") ||
            BC(3, 448, 1, 1, 1, 0, 0, "branch3x3dbl_1") ||
            BC(3, 384, 3, 3, 1, 1, 1, "branch3x3dbl_2"))
            return st;
        br[4] = br[3], bm[4] = bm[3];
        START(5);
        if (BC(3, 384, 1, 3, 1, 0, 1, "branch3x3dbl_3a") ||
            BC(4, 384, 3, 1, 1, 1, 0, "branch3x3dbl_3b") ||
            (st = tv_avgpool3(pl, &br[5], &bm[5], IN("avg_pool"), fz)) ||
            BC(5, 192, 1, 1, 1, 0, 0, "branch_pool"))
            return st;
    }
#undef START
#undef BC
#undef IN
    int C = 0;
    for (int k = 0; k < n; k++)
        C += bm[k].C;
    if ((st = tv_catn(pl, at, br, n, name, fz)))
        return st;
    *m = (tv_map){C, bm[0].H, bm[0].W};
    return LC_OK;
}

/* torchvision's Inception3 as Ludwig's TVInceptionV3Encoder leaves it: aux_logits off and
 * AuxLogits None (no tensors), fc the Identity, so the output is the 2048 channel means of
 * Mixed_7c through `dropout` (Dropout(0.5), training only). transform_input first when the spec
 * says so (torchvision's pretrained weights). Conv2d_1a_3x3 (32, stride 2), Conv2d_2a_3x3 (32),
 * Conv2d_2b_3x3 (64, padding 1), maxpool1 (3x3 stride 2, floor), Conv2d_3b_1x1 (80),
 * Conv2d_4a_3x3 (192), maxpool2, Mixed_5b..5d (A: pool_features 32, 64, 64), Mixed_6a (B),
 * Mixed_6b..6e (C: channels_7x7 128, 160, 160, 192), Mixed_7a (D), Mixed_7b, 7c (E), avgpool.
 * Batch norms 1 and 0. */
static lc_status plan_tv_inceptionv3(planner *pl, node *at, const lc_input_spec *s)
{
    static const struct {
        char kind;
        int c;
        const char *name;
    } mods[11] = {{'A', 32, "Mixed_5b"},  {'A', 64, "Mixed_5c"},  {'A', 64, "Mixed_5d"},
                  {'B', 0, "Mixed_6a"},   {'C', 128, "Mixed_6b"}, {'C', 160, "Mixed_6c"},
                  {'C', 160, "Mixed_6d"}, {'C', 192, "Mixed_6e"}, {'D', 0, "Mixed_7a"},
                  {'E', 0, "Mixed_7b"},   {'E', 0, "Mixed_7c"}};
    if (s->C != 3)
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the inceptionv3 encoder takes 3-channel images (got %d)", s->name, s->C);
    if (s->H < 75 || s->W < 75) /* torchvision's min_size (75, 75): a 1x1 map after Mixed_7a */
        return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the inceptionv3 encoder takes images of at least 75x75 (got %dx%d)", s->name, s->H, s->W);
    int fz = s->tv_frozen;
    pl->part = LC_PART_ENC_TV;
    tv_map m = {s->C, s->H, s->W};
    const lc_init wi = LC_INIT_NORMAL_0_1;
    lc_status st;
    if (s->tv_transform_input && (st = tv_transform_input(pl, at, &m, fz)))
        return st;
    if ((st = tv_basic_conv(pl, at, &m, 32, 3, 3, 2, 0, 0, wi, "Conv2d_1a_3x3", fz)) ||
        (st = tv_basic_conv(pl, at, &m, 32, 3, 3, 1, 0, 0, wi, "Conv2d_2a_3x3", fz)) ||
        (st = tv_basic_conv(pl, at, &m, 64, 3, 3, 1, 1, 1, wi, "Conv2d_2b_3x3", fz)) ||
        (st = tv_maxpool(pl, at, &m, 3, 2, 0, 0, "maxpool1", fz)) ||
        (st = tv_basic_conv(pl, at, &m, 80, 1, 1, 1, 0, 0, wi, "Conv2d_3b_1x1", fz)) ||
        (st = tv_basic_conv(pl, at, &m, 192, 3, 3, 1, 0, 0, wi, "Conv2d_4a_3x3", fz)) ||
        (st = tv_maxpool(pl, at, &m, 3, 2, 0, 0, "maxpool2", fz)))
        return st;
    for (int k = 0; k < 11; k++)
        if ((st = tv_inception_v3_module(pl, at, &m, mods[k].kind, mods[k].c, mods[k].name, fz)))
            return st;
    if ((st = tv_global_avg(pl, at, &m, "avgpool", fz)) ||
        (st = tv_act_drop(pl, at, LC_ACT_LINEAR, 0.5f, "dropout", fz)))
        return st;
    return LC_OK;
}

static lc_status plan_input(planner *pl, int k, const lc_input_spec *s, node *at)
{
    pl->feature = k;
    pl->part = s->enc == LC_ENC_STACKED_CNN ? LC_PART_ENC_CONV : LC_PART_ENC_FC;
    switch (s->enc) {
    case LC_ENC_STACKED_CNN:
        return plan_stacked_cnn(pl, at, s);
    case LC_ENC_PASSTHROUGH:
        return LC_OK;
    case LC_ENC_SEQ_PASSTHROUGH:
        return add_seq_reduce(pl, at, s->reduce, s->T, 1);
    case LC_ENC_DENSE:
        return plan_fc_stack(pl, at, &s->fc);
    case LC_ENC_EMBED: {
        if (s->vocab < 1 || s->embed_size < 1)
            return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the embedding needs a vocabulary and a size", s->name);
        pl->part = LC_PART_ENC_EMBED;
        lc_layer *l = add_layer(pl, LC_L_EMBED, *at, (size_t)s->embed_size);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.embed.V = s->vocab;
        l->u.embed.D = s->embed_size;
        l->frozen = !s->embed_trainable;
        l->fan_in = (size_t)s->vocab;
        l->fan_out = (size_t)s->embed_size;
        add_params(pl, l, (size_t)s->vocab * s->embed_size, 0, s->embed_init, LC_INIT_ZEROS);
        *at = here(pl);
        return add_act_dropout(pl, at, LC_ACT_LINEAR, s->embed_dropout, -1);
    }
    case LC_ENC_RNN:
        return plan_rnn(pl, at, s);
    case LC_ENC_PARALLEL_CNN:
        return plan_parallel_cnn(pl, at, s);
    case LC_ENC_SEQ_EMBED: {
        /* SequenceEmbedEncoder: the embeddings, dropout, the reduction; no FC layers */
        lc_status st = plan_seq_embed(pl, at, s);
        if (st)
            return st;
        return add_seq_reduce(pl, at, s->reduce, s->T, s->embed_size);
    }
    case LC_ENC_SET_EMBED: {
        /* EmbedSet / EmbedWeighted: the (V, E) embeddings summed with the row's weights,
         * dropout, then the FCStack */
        if (s->vocab < 1 || s->embed_size < 1 || at->n < 2)
            return lc_error_set(pl->e, LC_ERR_CONFIG, "input feature '%s': the embedding needs a vocabulary and a size", s->name);
        pl->part = s->bag ? LC_PART_ENC_EMBED_BAG : LC_PART_ENC_EMBED;
        lc_layer *l = add_layer(pl, LC_L_EMBED_SUM, *at, (size_t)s->embed_size);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.embed.V = s->vocab;
        l->u.embed.D = s->embed_size;
        l->frozen = !s->embed_trainable;
        l->fan_in = (size_t)s->embed_size;
        l->fan_out = (size_t)s->vocab;
        add_params(pl, l, (size_t)s->vocab * s->embed_size, 0, s->embed_init, LC_INIT_ZEROS);
        *at = here(pl);
        lc_status st = add_act_dropout(pl, at, LC_ACT_LINEAR, s->embed_dropout, -1);
        if (st)
            return st;
        pl->part = LC_PART_ENC_FC;
        return plan_fc_stack(pl, at, &s->fc);
    }
    case LC_ENC_DATE_EMBED:
    case LC_ENC_DATE_WAVE:
        return plan_date(pl, at, s);
    case LC_ENC_STACKED_CNN1D:
        return plan_stacked_cnn1d(pl, at, s);
    case LC_ENC_CNNRNN:
        return plan_cnnrnn(pl, at, s);
    case LC_ENC_STACKED_PCNN:
        return plan_stacked_pcnn(pl, at, s);
    case LC_ENC_TRANSFORMER:
        return plan_transformer(pl, at, s);
    case LC_ENC_TV_RESNET:
    case LC_ENC_TV_RESNEXT:
        return plan_tv_resnet(pl, at, s);
    case LC_ENC_TV_MOBILENETV3:
        return plan_tv_mobilenetv3(pl, at, s);
    case LC_ENC_TV_MOBILENETV2:
        return plan_tv_mobilenetv2(pl, at, s);
    case LC_ENC_TV_EFFICIENTNET:
        return plan_tv_efficientnet(pl, at, s);
    case LC_ENC_TV_VIT:
        return plan_tv_vit(pl, at, s);
    case LC_ENC_TV_DENSENET:
        return plan_tv_densenet(pl, at, s);
    case LC_ENC_TV_SQUEEZENET:
        return plan_tv_squeezenet(pl, at, s);
    case LC_ENC_TV_REGNET:
        return plan_tv_regnet(pl, at, s);
    case LC_ENC_TV_MNASNET:
        return plan_tv_mnasnet(pl, at, s);
    case LC_ENC_TV_VGG:
        return plan_tv_vgg(pl, at, s);
    case LC_ENC_TV_ALEXNET:
        return plan_tv_alexnet(pl, at, s);
    case LC_ENC_TV_SHUFFLENETV2:
        return plan_tv_shufflenetv2(pl, at, s);
    case LC_ENC_TV_SWIN:
        return plan_tv_swin(pl, at, s);
    case LC_ENC_TV_CONVNEXT:
        return plan_tv_convnext(pl, at, s);
    case LC_ENC_TV_GOOGLENET:
        return plan_tv_googlenet(pl, at, s);
    case LC_ENC_TV_INCEPTIONV3:
        return plan_tv_inceptionv3(pl, at, s);
    case LC_ENC_MLP_MIXER:
        return plan_mlp_mixer(pl, at, s);
    case LC_ENC_RESNET_LEGACY:
        return plan_resnet_legacy(pl, at, s);
    case LC_ENC_VIT_LEGACY:
        return plan_vit_legacy(pl, at, s);
    case LC_ENC_TV_MAXVIT:
        return plan_tv_maxvit(pl, at, s);
    case LC_ENC_ONEHOT: {
        lc_layer *l = add_layer(pl, LC_L_ONEHOT, *at, (size_t)s->vocab);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.embed.V = s->vocab;
        *at = here(pl);
        return LC_OK;
    }
    }
    return lc_error_set(pl->e, LC_ERR_INTERNAL, "unknown encoder");
}

/* Floats per sample in an input slot. */
static size_t input_floats(const lc_input_spec *in)
{
    switch (in->enc) {
    case LC_ENC_STACKED_CNN:
    case LC_ENC_TV_RESNET:
    case LC_ENC_TV_MOBILENETV3:
    case LC_ENC_TV_EFFICIENTNET:
    case LC_ENC_TV_VIT:
    case LC_ENC_TV_RESNEXT:
    case LC_ENC_TV_MOBILENETV2:
    case LC_ENC_TV_DENSENET:
    case LC_ENC_TV_SQUEEZENET:
    case LC_ENC_TV_REGNET:
    case LC_ENC_TV_MNASNET:
    case LC_ENC_TV_VGG:
    case LC_ENC_TV_ALEXNET:
    case LC_ENC_TV_SHUFFLENETV2:
    case LC_ENC_TV_SWIN:
    case LC_ENC_TV_CONVNEXT:
    case LC_ENC_TV_GOOGLENET:
    case LC_ENC_TV_INCEPTIONV3:
    case LC_ENC_MLP_MIXER:
    case LC_ENC_RESNET_LEGACY:
    case LC_ENC_VIT_LEGACY:
    case LC_ENC_TV_MAXVIT:
        return (size_t)in->C * in->H * in->W;
    case LC_ENC_RNN:
    case LC_ENC_SEQ_EMBED:
    case LC_ENC_PARALLEL_CNN:
        return (size_t)in->T;
    default: /* a timeseries' (T) values, or one value */
        return in->T > 1 ? (size_t)in->T : 1;
    }
}

static lc_status plan(planner *pl, const lc_net_spec *s, int *head_layer)
{
    lc_status st;
    node *enc = calloc((size_t)s->nin, sizeof *enc);
    if (!enc)
        return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
    for (int k = 0; k < s->nin; k++) {
        const lc_input_spec *in = &s->in[k];
        enc[k].src = -(k + 1);
        enc[k].n = input_floats(in);
        if ((st = plan_input(pl, k, in, &enc[k]))) {
            lc_error_prefix(pl->e, "input feature '%s': ", in->name);
            free(enc);
            return st;
        }
    }
    /* the concat combiner: one input passes through as it is */
    node at = enc[0];
    pl->part = LC_PART_COMBINER;
    pl->feature = -1;
    if (s->nin > 1) {
        size_t F = 0;
        for (int k = 0; k < s->nin; k++)
            F += enc[k].n;
        lc_layer *l = add_layer(pl, LC_L_CONCAT, enc[0], F);
        if (!l) {
            free(enc);
            return LC_ERR_NOMEM;
        }
        for (int k = 1; k < s->nin; k++)
            if (push_src(pl, enc[k].src)) {
                free(enc);
                return lc_error_set(pl->e, LC_ERR_NOMEM, "out of memory planning the model");
            }
        pl->layers[pl->n - 1].nsrc = s->nin;
        at = here(pl);
    }
    free(enc);
    if ((st = plan_fc_stack(pl, &at, &s->comb))) {
        lc_error_prefix(pl->e, "combiner: ");
        return st;
    }
    pl->comb_n = at.n;
    for (int o = 0; o < s->nout; o++) {
        const lc_output_spec *out = &s->out[o];
        node h = at;
        pl->feature = o;
        pl->part = LC_PART_OUT_FC;
        if ((st = plan_fc_stack(pl, &h, &out->fc))) {
            lc_error_prefix(pl->e, "output feature '%s': ", out->name);
            return st;
        }
        int K = out->type == LC_HEAD_CATEGORY || out->type == LC_HEAD_SET ||
                        out->type == LC_HEAD_VECTOR
                    ? out->nclasses
                    : 1;
        if (K < 1)
            return lc_error_set(pl->e, LC_ERR_CONFIG, "output feature '%s' has no classes", out->name);
        pl->part = LC_PART_DECODER;
        if ((st = add_dense(pl, &h, K, out->use_bias, out->w_init, out->b_init, -1)))
            return st;
        head_layer[o] = pl->n - 1;
    }
    return LC_OK;
}

void lc_model_free(lc_model *m)
{
    if (!m)
        return;
    free(m->layers);
    free(m->srcs);
    for (int k = 0; k < m->nin; k++) {
        if (m->in_names)
            free(m->in_names[k]);
        if (m->inputs)
            lc_free(m->inputs[k]);
    }
    for (int o = 0; o < m->nout; o++) {
        if (m->out_names)
            free(m->out_names[o]);
        if (m->heads) {
            lc_free(m->heads[o].probs);
            lc_free(m->heads[o].dlogits);
            lc_free(m->heads[o].labels);
            lc_free(m->heads[o].targets);
        }
    }
    free(m->in_names);
    free(m->out_names);
    free(m->in_enc);
    free(m->in_ns);
    free(m->inputs);
    free(m->heads);
    lc_free(m->params);
    lc_free(m->grads);
    lc_free(m->opt_state);
    lc_free(m->buffers);
    lc_free(m->acts);
    lc_free(m->dacts);
    lc_free(m->dtmp);
    free(m->ginit);
    lc_free(m->aux);
    lc_free(m->conv_ws);
    lc_free(m->fold_ws);
    if (m->keep)
        lc_model_keep_weights(m, m->keep, 0);
    free(m->kept);
    lc_free(m->tok);
    free(m->tok_map);
    free(m);
}

/* A layer's kept Winograd weights and what they were made from */
enum { KEPT_RAW, KEPT_FOLDED };
struct lc_kept_u {
    lc_conv_eval_ucache uc;
    int from; /* KEPT_RAW: the layer's weights; KEPT_FOLDED: with the batch norm after it */
};

void lc_model_keep_weights(lc_model *m, int scope, int open)
{
    if (!m->kept && open)
        m->kept = calloc((size_t)m->nlayers, sizeof *m->kept); /* none: nothing is kept */
    m->keep = open ? m->keep | scope : m->keep & ~scope;
    for (int i = 0; m->kept && i < m->nlayers; i++) {
        m->kept[i].uc.valid = 0;
        if (!m->keep)
            lc_conv_eval_ucache_free(&m->kept[i].uc);
    }
}

/* Layer i's kept weights for what the current pass makes them from, in scope; else NULL */
static lc_conv_eval_ucache *kept_u(const lc_model *m, int i, int scope, int from)
{
    if (!(m->keep & scope) || !m->kept)
        return NULL;
    struct lc_kept_u *k = &m->kept[i];
    if (k->from != from) {
        k->uc.valid = 0;
        k->from = from;
    }
    return &k->uc;
}

static int layer_src(const lc_model *m, int i, int k)
{
    return m->srcs[m->layers[i].src_at + k];
}

/* A conv layer's LayerNorm affine (torch's (F, L) gamma, beta) in the activations' time-major
 * (L, F) order; b NULL: gamma only. */
static void ln_affine_steps(const lc_layer *l, const float *w, const float *b, float *g, float *be)
{
    int L = l->u.norm.steps, F = l->u.norm.C;
    for (int t = 0; t < L; t++)
        for (int f = 0; f < F; f++) {
            g[(size_t)t * F + f] = w[(size_t)f * L + t];
            if (b)
                be[(size_t)t * F + f] = b[(size_t)f * L + t];
        }
}

/* A recurrent layer's input projection x_t W_ih^T as a Conv1d of kernel 1 (its W_ih is the
 * conv's (G H, I, 1) weight), for lc_tokconv.h. */
static lc_conv1d rnn_tok_conv(const lc_layer *l)
{
    return (lc_conv1d){.L = l->u.rnn.T, .E = l->u.rnn.I,
                       .F = lc_rnn_gates(l->u.rnn.cell) * l->u.rnn.H, .k = 1};
}

/* The one layer reading layer j's output alone, or -1. */
static int only_reader(const lc_model *m, int j)
{
    if (m->layers[j].consumers != 1)
        return -1;
    for (int k = j + 1; k < m->nlayers; k++)
        if (m->layers[k].nsrc == 1 && layer_src(m, k, 0) == j)
            return k;
    return -1;
}

/* Whether layer r may read embedding e per distinct token: a Conv1d or the input side of a
 * recurrent layer over e's (T, D) rows, and nothing else. */
static int tok_reader(const lc_layer *r, const lc_layer *e)
{
    if (r->nsrc != 1)
        return 0;
    if (r->type == LC_L_CONV1D)
        return r->u.c1.E == e->u.embed.D && (size_t)r->u.c1.L == e->in_n;
    if (r->type == LC_L_RNN)
        return r->u.rnn.I == e->u.embed.D && (size_t)r->u.rnn.T == e->in_n;
    return 0;
}

/* The batch of a token-convolved embedding (lc_layer.tok) for up to B rows: D, then cid (B T
 * ids), uniq (dmax = min(B T, V + 1) ids), padded to 8 bytes; then dmax rows of the embedding.
 * Returns the ids' bytes. */
static size_t tok_ids_bytes(const lc_layer *l, size_t B, size_t *n, size_t *dmax)
{
    *n = B * l->in_n;
    *dmax = *n < (size_t)l->u.embed.V + 1 ? *n : (size_t)l->u.embed.V + 1;
    return ((1 + *n + *dmax) * sizeof(int32_t) + 7) & ~(size_t)7;
}

/* The batch of a token-convolved embedding (lc_layer.tok): D, then cid (B T), uniq, the rows. */
typedef struct tok_batch {
    int32_t *D, *cid, *uniq;
    float *xd;
} tok_batch;

static tok_batch tok_of(const lc_model *m, int e)
{
    const lc_layer *l = &m->layers[e];
    size_t n, dmax, ids = tok_ids_bytes(l, (size_t)m->max_batch, &n, &dmax);
    int32_t *base = (int32_t *)(m->tok + l->tok_off);
    tok_batch t = {.D = base, .cid = base + 1, .uniq = base + 1 + n};
    t.xd = (float *)(m->tok + l->tok_off + ids);
    return t;
}

/* The output (B, n) of source s: a layer's activation or an input slot. */
static const float *src_data(const lc_model *m, int s)
{
    return s >= 0 ? m->acts + m->layers[s].act_off : m->inputs[-s - 1];
}

/* A convolution whose only reader is the 2-D batch norm right after it: in evaluation the batch
 * norm folds into its weights and bias (eval_conv_bn). */
static int bn_foldable(const lc_model *m, int i)
{
    const lc_layer *l = &m->layers[i], *n = &m->layers[i + 1];
    return l->type == LC_L_CONV && !l->fused && !l->skip && l->consumers == 1 &&
           n->type == LC_L_BATCHNORM && !n->skip && n->nsrc == 1 && layer_src(m, i + 1, 0) == i &&
           n->u.norm.steps == 0 && n->u.norm.C == l->u.conv.OC &&
           n->u.norm.HW == l->u.conv.OH * l->u.conv.OW;
}

/* A 2-D batch norm or a residual add whose only reader is the ReLU right after it: the ReLU is
 * computed in its pass (relu_next; the batch norm's in training only) */
static int relu_fusable(const lc_model *m, int i)
{
    const lc_layer *l = &m->layers[i], *n = &m->layers[i + 1];
    int bn = l->type == LC_L_BATCHNORM && l->u.norm.steps == 0 && l->u.norm.HW > 1;
    return (bn || (l->type == LC_L_ADD && l->nsrc == 2)) && !l->skip && l->consumers == 1 &&
           n->type == LC_L_ACT && n->u.act == LC_ACT_RELU && !n->skip && n->nsrc == 1 &&
           layer_src(m, i + 1, 0) == i && n->out_n == l->out_n;
}

/* The run of consecutive fused conv layers starting at layer i, each reading the previous (at
 * most LC_CONV_EVAL_MAX_CHAIN), as evaluation chain blocks; 0 when layer i is not a fused conv.
 * Outputs are the layers' activations once the arenas exist (create plans with them unset). */
static int eval_chain(const lc_model *m, int i, lc_conv_eval_block *blk)
{
    int n = 0;
    while (i + n < m->nlayers && n < LC_CONV_EVAL_MAX_CHAIN) {
        const lc_layer *l = &m->layers[i + n];
        if (l->type != LC_L_CONV || !l->fused || (n > 0 && layer_src(m, i + n, 0) != i + n - 1))
            break;
        blk[n] = (lc_conv_eval_block){
            .c = &l->u.conv,
            .f = &l->fuse,
            .w = m->params ? m->params + l->w_off : NULL,
            .b = m->params && l->b_off != NO_OFF ? m->params + l->b_off : NULL,
            .y = m->acts ? m->acts + l->act_off : NULL,
            .tiles4 = 1,
            .uc = kept_u(m, i + n, LC_KEEP_EVAL, KEPT_RAW)};
        n++;
    }
    return n;
}

static char *dup_name(const char *s)
{
    return lc_strdup(s ? s : "");
}

lc_status lc_model_create_net(const lc_net_spec *spec, int max_batch, int nthreads,
                              lc_model **out, lc_error *e)
{
    *out = NULL;
    if (spec->nin < 1 || spec->nout < 1)
        return lc_error_set(e, LC_ERR_CONFIG, "the model needs at least one input and one output feature");
    if (max_batch < 1)
        max_batch = 1;
    planner pl = {.e = e};
    int *head_layer = calloc((size_t)spec->nout, sizeof *head_layer);
    lc_status st = head_layer ? plan(&pl, spec, head_layer)
                              : lc_error_set(e, LC_ERR_NOMEM, "out of memory planning the model");
    if (st) {
        free(pl.layers);
        free(pl.srcs);
        free(head_layer);
        return st;
    }
    if (spec->act_budget > 0 && pl.acts_per_sample > 0) {
        size_t cap = spec->act_budget / (2 * pl.acts_per_sample * sizeof(float));
        if (cap < (size_t)(spec->min_batch > 0 ? spec->min_batch : 1))
            cap = (size_t)(spec->min_batch > 0 ? spec->min_batch : 1);
        if ((size_t)max_batch > cap)
            max_batch = (int)cap;
    }
    lc_model *m = calloc(1, sizeof *m);
    if (!m) {
        free(pl.layers);
        free(pl.srcs);
        free(head_layer);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory creating the model");
    }
    m->layers = pl.layers;
    m->nlayers = pl.n;
    m->srcs = pl.srcs;
    m->max_batch = max_batch;
    m->nthreads = nthreads < 1 ? 1 : nthreads;
    m->nparams = pl.nparams;
    m->nbuffers = pl.nbuffers;
    m->comb_n = pl.comb_n;
    m->nin = spec->nin;
    m->nout = spec->nout;
    size_t B = (size_t)max_batch, tmp;
    if (!(m->in_names = calloc((size_t)m->nin, sizeof *m->in_names)) ||
        !(m->in_enc = calloc((size_t)m->nin, sizeof *m->in_enc)) ||
        !(m->in_ns = calloc((size_t)m->nin, sizeof *m->in_ns)) ||
        !(m->inputs = calloc((size_t)m->nin, sizeof *m->inputs)) ||
        !(m->out_names = calloc((size_t)m->nout, sizeof *m->out_names)) ||
        !(m->heads = calloc((size_t)m->nout, sizeof *m->heads)))
        goto nomem;
    for (int k = 0; k < m->nin; k++) {
        const lc_input_spec *in = &spec->in[k];
        m->in_enc[k] = in->enc;
        m->in_ns[k] = input_floats(in);
        if (!(m->in_names[k] = dup_name(in->name)) ||
            !(m->inputs[k] = lc_alloc(B * m->in_ns[k], sizeof(float))))
            goto nomem;
    }
    for (int o = 0; o < m->nout; o++) {
        lc_head *h = &m->heads[o];
        h->type = spec->out[o].type;
        h->layer = head_layer[o];
        h->K = (int)m->layers[h->layer].out_n;
        h->calibrated = spec->out[o].calibration &&
                        (h->type == LC_HEAD_CATEGORY || h->type == LC_HEAD_BINARY);
        h->temperature = 1.0f;
        if (!(m->out_names[o] = dup_name(spec->out[o].name)) ||
            !(h->probs = lc_alloc(B * (size_t)h->K, sizeof(float))) ||
            !(h->dlogits = lc_alloc(B * (size_t)h->K, sizeof(float))) ||
            !(h->labels = lc_alloc(B, sizeof(int32_t))) ||
            !(h->targets = lc_alloc(h->type == LC_HEAD_SET || h->type == LC_HEAD_VECTOR ? B * (size_t)h->K : B,
                                    sizeof(float))))
            goto nomem;
    }
    for (int i = 0; i < m->nlayers; i++) {
        lc_layer *l = &m->layers[i];
        for (int k = 0; k < l->nsrc; k++)
            if (layer_src(m, i, k) >= 0)
                m->layers[layer_src(m, i, k)].consumers++;
        /* a torchvision layer with nothing to train at or before it (a frozen backbone) has no
         * backward pass */
        if (l->part == LC_PART_ENC_TV) {
            l->no_grad = l->frozen || l->w_off == NO_OFF;
            for (int k = 0; k < l->nsrc && l->no_grad; k++) {
                int s = layer_src(m, i, k);
                l->no_grad = s < 0 || m->layers[s].no_grad;
            }
        }
        if (l->type == LC_L_CONV)
            m->flops += 2.0 * l->u.conv.OC * (l->u.conv.C / (l->u.conv.groups > 1 ? l->u.conv.groups : 1)) * l->u.conv.KH * l->u.conv.KW *
                        (double)l->u.conv.OH * l->u.conv.OW;
        else if (l->type == LC_L_DENSE)
            m->flops += 2.0 * l->u.dense.in * l->u.dense.out *
                        (l->u.dense.rep > 1 ? l->u.dense.rep : 1);
        else if (l->type == LC_L_CONV1D)
            m->flops += 2.0 * lc_conv1d_out_len(&l->u.c1) * l->u.c1.F * l->u.c1.E * (double)l->u.c1.k;
        else if (l->type == LC_L_RNN)
            m->flops += 2.0 * l->u.rnn.D * l->u.rnn.T * lc_rnn_gates(l->u.rnn.cell) *
                        l->u.rnn.H * (double)(l->u.rnn.I + l->u.rnn.H);
        else
            m->flops += (double)l->out_n;
    }
    for (int i = 0; i + 1 < m->nlayers; i++)
        m->layers[i].relu_next = relu_fusable(m, i);
    /* the float statistics after the per-sample block stay aligned */
    size_t aux_per_sample = (pl.aux_per_sample + 7) & ~(size_t)7, aux_fixed = pl.aux_fixed;
    for (int i = 0; i < m->nlayers; i++) {
        lc_layer *l = &m->layers[i];
        if (l->type == LC_L_LAYERNORM) {
            l->aux_off = aux_fixed; /* relative to the fixed block */
            aux_fixed += 2 * B * sizeof(float);
        } else if (l->type == LC_L_LN_STEP) {
            l->aux_off = aux_fixed;
            aux_fixed += 2 * B * (size_t)l->u.norm.HW * sizeof(float);
        }
    }
    size_t aux_bytes;
    if (lc_size_mul(aux_per_sample, B, &tmp) || lc_size_add(tmp, aux_fixed, &aux_bytes))
        goto nomem;
    /* fixed-block offsets become absolute after the per-sample block */
    for (int i = 0; i < m->nlayers; i++) {
        lc_layer *l = &m->layers[i];
        if (l->type == LC_L_BATCHNORM || l->type == LC_L_LAYERNORM || l->type == LC_L_LN_STEP)
            l->aux_off += aux_per_sample * B;
        else if (l->type == LC_L_DROPOUT || l->type == LC_L_RNN || l->type == LC_L_SEQRED ||
                 l->type == LC_L_POOL1D || l->type == LC_L_MHA || l->type == LC_L_STOCHDEPTH ||
                 l->type == LC_L_WIN_ATTN ||
                 (l->type == LC_L_POOL && l->u.pool.is_max) ||
                 (l->type == LC_L_CONV && l->fused && l->fuse.pool))
            l->aux_off *= B; /* per-sample offset -> batch offset */
    }
    size_t ws = 0;
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].type == LC_L_CONV) {
            size_t w = lc_conv2d_ws_floats(&m->layers[i].u.conv, max_batch, m->nthreads);
            if (w > ws)
                ws = w;
        }
    /* evaluation runs consecutive fused blocks depth first in one workspace; the forward pass
     * may start a chain at any of them (after one whose chain had no evaluation path) */
    for (int i = 0; i < m->nlayers; i++) {
        lc_conv_eval_block blk[LC_CONV_EVAL_MAX_CHAIN];
        int n = eval_chain(m, i, blk);
        size_t w = n ? lc_conv_eval_chain_ws_floats(n, blk, m->nthreads) : 0;
        if (w == SIZE_MAX)
            goto nomem;
        if (w > ws)
            ws = w;
    }
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].type == LC_L_CONV1D) {
            size_t w = lc_conv1d_ws_floats(&m->layers[i].u.c1, max_batch, m->nthreads);
            if (w > ws)
                ws = w;
        }
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].type == LC_L_RNN) {
            const lc_layer *l = &m->layers[i];
            lc_rnn r = {.cell = l->u.rnn.cell, .T = l->u.rnn.T, .I = l->u.rnn.I, .H = l->u.rnn.H};
            size_t w = lc_rnn_ws_floats(&r, max_batch);
            if (w > ws)
                ws = w;
        }
    for (int i = 0; i < m->nlayers; i++) /* a conv layer's LayerNorm: its affine time-major */
        if (m->layers[i].type == LC_L_LAYERNORM && m->layers[i].u.norm.steps > 0 &&
            4 * m->layers[i].out_n > ws)
            ws = 4 * m->layers[i].out_n;
    /* An embedding read only by Conv1d layers and recurrent layers' input sides is convolved per
     * distinct token of the batch (lc_tokconv.h): same numbers up to rounding, its GEMMs B T / D
     * times smaller. LC_TOKCONV=0 turns it off (benchmarks, checks). */
    size_t tok_bytes = 0;
    int tok_V = 0;
    const char *tenv = getenv("LC_TOKCONV");
    for (int i = 0; i < m->nlayers && !(tenv && strcmp(tenv, "0") == 0); i++) {
        lc_layer *l = &m->layers[i];
        if (l->type != LC_L_EMBED || l->in_n < 1 || l->consumers < 1)
            continue;
        int all = 1;
        for (int j = i + 1; j < m->nlayers; j++)
            for (int k = 0; k < m->layers[j].nsrc; k++)
                if (layer_src(m, j, k) == i && !tok_reader(&m->layers[j], l))
                    all = 0;
        if (!all)
            continue;
        size_t n, dmax, ids = tok_ids_bytes(l, B, &n, &dmax);
        l->tok = 1;
        l->tok_off = tok_bytes;
        tok_bytes += ids + dmax * (size_t)l->u.embed.D * sizeof(float);
        if (l->u.embed.V > tok_V)
            tok_V = l->u.embed.V;
        for (int j = i + 1; j < m->nlayers; j++)
            if (m->layers[j].nsrc == 1 && layer_src(m, j, 0) == i) {
                lc_layer *rd = &m->layers[j];
                rd->tok = i + 1;
                size_t w;
                if (rd->type == LC_L_RNN) { /* the recurrent workspace, then the projection's */
                    lc_conv1d c1 = rnn_tok_conv(rd);
                    lc_rnn r = {.cell = rd->u.rnn.cell, .T = rd->u.rnn.T, .I = rd->u.rnn.I,
                                .H = rd->u.rnn.H};
                    w = lc_rnn_ws_floats(&r, max_batch) +
                        lc_tokconv_ws_floats(&c1, max_batch, (int)dmax);
                } else {
                    w = lc_tokconv_ws_floats(&rd->u.c1, max_batch, (int)dmax);
                }
                if (w > ws)
                    ws = w;
            }
    }
    /* a per-token conv whose only reader is a ReLU whose only reader sums (or averages) the steps:
     * the three in one pass (LC_TOKCONV=nofuse keeps them apart) */
    for (int j = 0; j < m->nlayers && !(tenv && strcmp(tenv, "nofuse") == 0); j++) {
        lc_layer *cv = &m->layers[j];
        int a = cv->type == LC_L_CONV1D && cv->tok ? only_reader(m, j) : -1;
        if (a < 0 || m->layers[a].type != LC_L_ACT || m->layers[a].u.act != LC_ACT_RELU)
            continue;
        int r = only_reader(m, a), Lo = lc_conv1d_out_len(&cv->u.c1);
        if (r < 0 || m->layers[r].type != LC_L_SEQRED ||
            (m->layers[r].u.red.mode != LC_RED_SUM && m->layers[r].u.red.mode != LC_RED_MEAN) ||
            m->layers[r].u.red.T != Lo || m->layers[r].u.red.F != cv->u.c1.F)
            continue;
        cv->tokred = r + 1;
        m->layers[a].skip = m->layers[r].skip = 1;
        cv->tok_off = tok_bytes;
        tok_bytes += (B * (size_t)Lo * (size_t)cv->u.c1.F + 7) & ~(size_t)7;
    }
    if (tok_bytes) {
        if (!(m->tok = lc_alloc(tok_bytes, 1)) ||
            !(m->tok_map = malloc((size_t)(tok_V > 0 ? tok_V : 1) * sizeof *m->tok_map)))
            goto nomem;
        for (int v = 0; v < tok_V; v++)
            m->tok_map[v] = -1;
    }
    m->conv_ws_n = ws;
    m->opt_per_param = 0;
    size_t acts_n;
    if (lc_size_mul(B, pl.acts_per_sample, &acts_n))
        goto nomem;
    const int train = !spec->inference;
    if (!(m->params = lc_alloc(m->nparams, sizeof(float))) ||
        (train && !(m->grads = lc_alloc(m->nparams, sizeof(float)))) ||
        !(m->buffers = lc_alloc(m->nbuffers, sizeof(float))) ||
        !(m->acts = lc_alloc(acts_n, sizeof(float))) ||
        (train && !(m->dacts = lc_alloc(acts_n, sizeof(float)))) ||
        (train && !(m->dtmp = lc_alloc(B * pl.max_out_n, sizeof(float)))) ||
        (train && !(m->ginit = calloc((size_t)m->nlayers + 1, 1))) ||
        !(m->aux = lc_alloc(aux_bytes, 1)) ||
        !(m->conv_ws = lc_alloc(ws, sizeof(float))))
        goto nomem;
    size_t fold_n = 0; /* the largest folded convolution, weights then bias */
    for (int i = 0; i + 1 < m->nlayers; i++)
        if (bn_foldable(m, i)) {
            const lc_conv2d *c = &m->layers[i].u.conv;
            size_t n = (size_t)c->OC * (c->C / (c->groups > 1 ? c->groups : 1)) * c->KH * c->KW +
                       (size_t)c->OC;
            fold_n = n > fold_n ? n : fold_n;
        }
    if (fold_n && !(m->fold_ws = lc_alloc(fold_n, sizeof(float))))
        goto nomem;
    for (int i = 0; i < m->nlayers; i++) {
        lc_layer *l = &m->layers[i];
        l->act_off *= B;
        if (l->type == LC_L_BATCHNORM) /* running var starts at 1 */
            for (int c = 0; c < l->u.norm.C; c++)
                m->buffers[l->buf_off + (size_t)l->u.norm.C + (size_t)c] = 1.0f;
    }
    m->input = m->inputs[0];
    m->in_n = m->in_ns[0];
    m->nclasses = m->heads[0].K;
    m->probs = m->heads[0].probs;
    m->dlogits = m->heads[0].dlogits;
    m->labels = m->heads[0].labels;
    free(head_layer);
    *out = m;
    return LC_OK;
nomem:
    free(head_layer);
    lc_model_free(m);
    return lc_error_set(e, LC_ERR_NOMEM,
                        "out of memory allocating the model for batch size %d", max_batch);
}

lc_status lc_model_create(const lc_model_spec *spec, int max_batch, int nthreads, lc_model **out,
                          lc_error *e)
{
    if (spec->nclasses < 1) {
        *out = NULL;
        return lc_error_set(e, LC_ERR_CONFIG, "the output feature has no classes");
    }
    lc_input_spec in = {.name = "image_path", .enc = LC_ENC_STACKED_CNN, .C = spec->C,
                        .H = spec->H, .W = spec->W, .nconv = spec->nconv, .conv = spec->conv,
                        .fc = {.n = spec->nfc, .layers = spec->fc}};
    lc_output_spec o = {.name = "label", .type = LC_HEAD_CATEGORY, .nclasses = spec->nclasses,
                        .use_bias = spec->out_use_bias, .w_init = spec->out_w_init,
                        .b_init = spec->out_b_init};
    lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &o};
    return lc_model_create_net(&net, max_batch, nthreads, out, e);
}

static double normal01(lc_rng *r)
{
    double u1 = lc_u01d(lc_rng_next(r)), u2 = lc_u01d(lc_rng_next(r));
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* torch's trunc_normal_(mean 0, std sd, a -2, b 2): N(0, sd^2) redrawn outside [-2, 2] */
static void trunc_normal(float *t, size_t n, double sd, lc_rng *r)
{
    for (size_t i = 0; i < n; i++) {
        double v;
        do
            v = normal01(r) * sd;
        while (v < -2.0 || v > 2.0);
        t[i] = (float)v;
    }
}

static void init_tensor(float *t, size_t n, lc_init how, size_t fan_in, size_t fan_out,
                        int is_bias, lc_rng *r)
{
    double a = 0.0, sd = 0.0;
    int uniform = 1;
    switch (how) {
    case LC_INIT_ZEROS:
        memset(t, 0, n * sizeof *t);
        return;
    case LC_INIT_ONES:
        for (size_t i = 0; i < n; i++)
            t[i] = 1.0f;
        return;
    case LC_INIT_TORCH_DEFAULT:
        a = fan_in ? 1.0 / sqrt((double)fan_in) : 0.0; /* both weight and bias */
        (void)is_bias;
        break;
    case LC_INIT_XAVIER_UNIFORM:
        a = sqrt(6.0 / (double)(fan_in + fan_out));
        break;
    case LC_INIT_XAVIER_NORMAL:
        uniform = 0;
        sd = sqrt(2.0 / (double)(fan_in + fan_out));
        break;
    case LC_INIT_KAIMING_UNIFORM:
        a = sqrt(6.0 / (double)fan_in);
        break;
    case LC_INIT_KAIMING_NORMAL:
        uniform = 0;
        sd = sqrt(2.0 / (double)fan_in);
        break;
    case LC_INIT_KAIMING_NORMAL_FAN_OUT:
        uniform = 0;
        sd = sqrt(2.0 / (double)fan_out);
        break;
    case LC_INIT_UNIFORM:
        for (size_t i = 0; i < n; i++)
            t[i] = (float)lc_u01d(lc_rng_next(r));
        return;
    case LC_INIT_NORMAL:
        uniform = 0;
        sd = 1.0;
        break;
    case LC_INIT_NORMAL_0_01:
        uniform = 0;
        sd = 0.01;
        break;
    case LC_INIT_NORMAL_0_02:
        uniform = 0;
        sd = 0.02;
        break;
    case LC_INIT_NORMAL_0_1:
        uniform = 0;
        sd = 0.1;
        break;
    case LC_INIT_UNIFORM_PM1:
        a = 1.0;
        break;
    case LC_INIT_TRUNC_NORMAL_SD: /* lc_model_init_params: trunc_normal */
        uniform = 0;
        sd = 0.02;
        break;
    case LC_INIT_LAYER_SCALE:
        for (size_t i = 0; i < n; i++)
            t[i] = 1e-6f;
        return;
    case LC_INIT_EYE: { /* a square matrix: ones on the diagonal */
        size_t side = (size_t)sqrt((double)n);
        while (side * side > n)
            side--;
        while ((side + 1) * (side + 1) <= n)
            side++;
        memset(t, 0, n * sizeof *t);
        for (size_t i = 0; i < side; i++)
            t[i * side + i] = 1.0f;
        return;
    }
    }
    for (size_t i = 0; i < n; i++)
        t[i] = uniform ? (float)((2.0 * lc_u01d(lc_rng_next(r)) - 1.0) * a)
                       : (float)(normal01(r) * sd);
}

void lc_model_init_params(lc_model *m, uint64_t seed)
{
    uint64_t k = 0;
    for (int i = 0; i < m->nlayers; i++) {
        lc_layer *l = &m->layers[i];
        lc_rng r;
        if (l->w_off != NO_OFF) {
            lc_rng_init(&r, seed, LC_STREAM_INIT, k++);
            if (l->w_init == LC_INIT_TRUNC_NORMAL_SD)
                trunc_normal(m->params + l->w_off, l->w_n, l->init_sd, &r);
            else
                init_tensor(m->params + l->w_off, l->w_n, l->w_init, l->fan_in, l->fan_out, 0, &r);
        }
        if (l->b_off != NO_OFF) {
            lc_rng_init(&r, seed, LC_STREAM_INIT, k++);
            init_tensor(m->params + l->b_off, l->b_n, l->b_init, l->fan_in, l->fan_out, 1, &r);
        }
    }
}

const float *lc_model_head_out(const lc_model *m, int h)
{
    return m->acts + m->layers[m->heads[h].layer].act_off;
}

const float *lc_model_logits(const lc_model *m)
{
    return lc_model_head_out(m, 0);
}

/* each of B samples' (R, Q) row-major matrices into y as (Q, R), in 32 x 32 tiles */
static void permute_rows(int B, size_t R, size_t Q, const float *x, float *y)
{
    for (int b = 0; b < B; b++) {
        const float *xs = x + (size_t)b * R * Q;
        float *ys = y + (size_t)b * R * Q;
        for (size_t r0 = 0; r0 < R; r0 += 32)
            for (size_t q0 = 0; q0 < Q; q0 += 32) {
                size_t r1 = r0 + 32 < R ? r0 + 32 : R, q1 = q0 + 32 < Q ? q0 + 32 : Q;
                for (size_t r = r0; r < r1; r++)
                    for (size_t q = q0; q < q1; q++)
                        ys[q * R + r] = xs[r * Q + q];
            }
    }
}

/* concat forward: source k's (B, F_k) into columns [off_k, off_k + F_k) of y (B, F) */
static void concat_forward(const lc_model *m, int i, int B, float *y)
{
    const lc_layer *l = &m->layers[i];
    size_t F = l->out_n, off = 0;
    for (int k = 0; k < l->nsrc; k++) {
        int s = layer_src(m, i, k);
        size_t Fk = s >= 0 ? m->layers[s].out_n : m->in_ns[-s - 1];
        const float *x = src_data(m, s);
        for (int b = 0; b < B; b++)
            memcpy(y + (size_t)b * F + off, x + (size_t)b * Fk, Fk * sizeof *y);
        off += Fk;
    }
}

/* y (d) = sum over u of a[u] v_u, v_u = v + u vstride (u in order): one attention row's output */
static void attend_row(const float *a, int n, const float *v, size_t vstride, int d, float *y)
{
    for (int j = 0; j < d; j++)
        y[j] = 0.0f;
    for (int u = 0; u < n; u++) {
        const float *vu = v + (size_t)u * vstride;
        float w = a[u];
        for (int j = 0; j < d; j++)
            y[j] += w * vu[j];
    }
}

/* attention pooling: a = softmax over t of the scores (B, T); y[b] = sum_t a_t x[b, t] (also
 * the attention layers' rows: sc and a may be the same row) */
static void attn_weights(const float *sc, int T, float *a)
{
    float mx = sc[0];
    for (int t = 1; t < T; t++)
        mx = sc[t] > mx ? sc[t] : mx;
    double z = 0.0;
    for (int t = 0; t < T; t++)
        z += (a[t] = expf(sc[t] - mx));
    for (int t = 0; t < T; t++)
        a[t] = (float)(a[t] / z);
}

static void attn_pool_forward(const lc_model *m, int i, int B, float *y)
{
    const lc_layer *l = &m->layers[i];
    int T = l->u.red.T, F = l->u.red.F;
    const float *sc = src_data(m, layer_src(m, i, 0)), *x = src_data(m, layer_src(m, i, 1));
    float a[4096];
    for (int b = 0; b < B; b++) {
        attn_weights(sc + (size_t)b * T, T, a);
        float *yb = y + (size_t)b * F;
        const float *xb = x + (size_t)b * T * F;
        memset(yb, 0, (size_t)F * sizeof *yb);
        for (int t = 0; t < T; t++)
            for (int f = 0; f < F; f++)
                yb[f] += a[t] * xb[(size_t)t * F + f];
    }
}

/* per-step concat forward: source k's (B, L, F_k) into channels [off_k, off_k + F_k) of y */
static void concat_ch_forward(const lc_model *m, int i, int B, float *y)
{
    const lc_layer *l = &m->layers[i];
    int L = l->u.cc.L;
    size_t F = l->out_n / (size_t)L, off = 0;
    for (int k = 0; k < l->nsrc; k++) {
        int s = layer_src(m, i, k);
        size_t Fk = (s >= 0 ? m->layers[s].out_n : m->in_ns[-s - 1]) / (size_t)L;
        const float *x = src_data(m, s);
        for (size_t r = 0; r < (size_t)B * L; r++)
            memcpy(y + r * F + off, x + r * Fk, Fk * sizeof *y);
        off += Fk;
    }
}

/* scaled dot-product attention per sample and head: A = softmax(Q K^T / sqrt(d)), O = A V; one
 * task per sample (samples are independent: any thread count gives the same numbers) */
typedef struct mha_ctx {
    const lc_model *m;
    int i;
    const float *dy;
    float *y;
    int training;
    uint64_t seed, step;
} mha_ctx;

static void mha_fwd_task(void *vctx, int b, int thread)
{
    const mha_ctx *c = vctx;
    const lc_model *m = c->m;
    const lc_layer *l = &m->layers[c->i];
    int T = l->u.mha.T, H = l->u.mha.H, NH = l->u.mha.heads, d = H / NH;
    const float *q = src_data(m, layer_src(m, c->i, 0)), *k = src_data(m, layer_src(m, c->i, 1));
    const float *v = src_data(m, layer_src(m, c->i, 2));
    float *A = (float *)(m->aux + l->aux_off), *y = c->y;
    float scale = 1.0f / sqrtf((float)d);
    /* dropout on the weights: sample b's NH T T weights masked by lc_layers.h's scheme (one draw
     * per two elements) into the block after the batch's weights */
    int drop = c->training && l->u.mha.drop > 0.0f;
    size_t per = (size_t)NH * T * T;
    float *Ad = A + (size_t)m->max_batch * per;
    uint64_t key = drop ? lc_dropout_key(c->seed, (uint64_t)c->i, c->step, (uint64_t)b) : 0;
    uint32_t thr = drop ? lc_dropout_threshold(l->u.mha.drop) : 0;
    float dsc = drop ? lc_dropout_scale(l->u.mha.drop) : 1.0f;
    (void)thread;
    for (int h = 0; h < NH; h++) {
        float *a = A + (((size_t)b * NH + h) * T) * T;
        for (int t = 0; t < T; t++) {
            const float *qt = q + ((size_t)b * T + t) * H + h * d;
            float *at = a + (size_t)t * T;
            for (int u = 0; u < T; u++) {
                const float *ku = k + ((size_t)b * T + u) * H + h * d;
                float sc = 0.0f;
                for (int j = 0; j < d; j++)
                    sc += qt[j] * ku[j];
                at[u] = sc * scale;
            }
            attn_weights(at, T, at);
            if (drop) {
                size_t e0 = ((size_t)h * T + t) * T;
                float *ad = Ad + (size_t)b * per + e0;
                for (int u = 0; u < T; u++) {
                    size_t e = e0 + (size_t)u;
                    uint64_t r = lc_splitmix_at(key, e >> 1);
                    ad[u] = (uint32_t)(r >> (32 * (e & 1))) >= thr ? at[u] * dsc : 0.0f;
                }
                at = ad;
            }
            attend_row(at, T, v + (size_t)b * T * H + h * d, (size_t)H, d,
                       y + ((size_t)b * T + t) * H + h * d);
        }
    }
}

static void mha_forward(const lc_model *m, lc_pool *p, int i, int B, float *y, int training,
                        uint64_t seed, uint64_t step)
{
    mha_ctx c = {.m = m, .i = i, .y = y, .training = training, .seed = seed, .step = step};
    lc_pool_run(p, B, mha_fwd_task, &c);
}

/* ---- Swin's window layers ---- */

/* WIN_GATHER: the source row of output row r (rows of win_rowlen floats), -1 for a zero row */
static size_t win_rowlen(const lc_layer *l)
{
    return l->u.win.mode == LC_WIN_TRANSPOSE ? 1 : (size_t)l->u.win.C;
}

static long win_src(const lc_layer *l, size_t r)
{
    int H = l->u.win.H, W = l->u.win.W, ws = l->u.win.ws, Hp = l->u.win.Hp, Wp = l->u.win.Wp;
    switch (l->u.win.mode) {
    case LC_WIN_TRANSPOSE: { /* (C, HW) -> (HW, C) */
        size_t C = (size_t)l->u.win.C, t = r / C, c = r % C;
        return (long)(c * (size_t)H * W + t);
    }
    case LC_WIN_PART: { /* window wi's k-th position of the padded map rolled by -shift */
        size_t N = (size_t)ws * ws, wi = r / N, k = r % N, nWw = (size_t)(Wp / ws);
        int ph = (int)(wi / nWw) * ws + (int)(k / ws), pw = (int)(wi % nWw) * ws + (int)(k % ws);
        int h = (ph + l->u.win.sh) % Hp, w = (pw + l->u.win.sw) % Wp;
        return h < H && w < W ? (long)h * W + w : -1;
    }
    case LC_WIN_REV: { /* position (h, w) from where the partition put it */
        int h = (int)(r / (size_t)W), w = (int)(r % (size_t)W);
        int ph = (h - l->u.win.sh + Hp) % Hp, pw = (w - l->u.win.sw + Wp) % Wp;
        long nWw = Wp / ws;
        return ((ph / ws) * nWw + pw / ws) * (long)ws * ws + (ph % ws) * ws + pw % ws;
    }
    case LC_WIN_MERGE: { /* out (i, j) chunk k: x0 (2i, 2j), x1 (2i+1, 2j), x2 (2i, 2j+1), x3 */
        size_t q = r / 4;
        int k = (int)(r % 4), i = (int)(q / (size_t)Wp), j = (int)(q % (size_t)Wp);
        int h = 2 * i + (k & 1), w = 2 * j + (k >> 1);
        return h < H && w < W ? (long)h * W + w : -1;
    }
    case LC_WIN_GRID: { /* group (a, b)'s token (i, j): position (i gh + a, j gw + b) */
        size_t N = (size_t)ws * ws, gi = r / N, k = r % N;
        int gh = H / ws, gw = W / ws, a = (int)(gi / (size_t)gw), b = (int)(gi % (size_t)gw);
        return (long)((int)(k / (size_t)ws) * gh + a) * W + (int)(k % (size_t)ws) * gw + b;
    }
    case LC_WIN_GRID_REV: { /* position (h, w) from its group and token */
        int h = (int)(r / (size_t)W), w = (int)(r % (size_t)W), gh = H / ws, gw = W / ws;
        return ((long)(h % gh) * gw + w % gw) * ws * ws + (long)(h / gh) * ws + w / gw;
    }
    }
    return -1;
}

static void win_gather_forward(const lc_layer *l, int B, const float *x, float *y)
{
    size_t rl = win_rowlen(l), rows = l->out_n / rl;
    for (int b = 0; b < B; b++) {
        const float *xb = x + (size_t)b * l->in_n;
        float *yb = y + (size_t)b * l->out_n;
        for (size_t r = 0; r < rows; r++) {
            long s = win_src(l, r);
            if (s < 0)
                memset(yb + r * rl, 0, rl * sizeof *yb);
            else
                memcpy(yb + r * rl, xb + (size_t)s * rl, rl * sizeof *yb);
        }
    }
}

/* every source row is read by one output row at most: the gradient is the rows put back */
static void win_gather_backward(const lc_layer *l, int B, const float *dy, float *dx)
{
    size_t rl = win_rowlen(l), rows = l->out_n / rl;
    memset(dx, 0, (size_t)B * l->in_n * sizeof *dx);
    for (int b = 0; b < B; b++) {
        float *xb = dx + (size_t)b * l->in_n;
        const float *yb = dy + (size_t)b * l->out_n;
        for (size_t r = 0; r < rows; r++) {
            long s = win_src(l, r);
            if (s >= 0)
                memcpy(xb + (size_t)s * rl, yb + r * rl, rl * sizeof *xb);
        }
    }
}

/* the shifted windows' region of padded position p (of P) along one side: torchvision's slices
 * (0, -ws), (-ws, -s), (-s, None), the last alone covering the side when s is 0 */
static int win_region(int p, int P, int ws, int s)
{
    return s == 0 ? 2 : p < P - ws ? 0 : p < P - s ? 1 : 2;
}

typedef struct win_ctx {
    const lc_model *m;
    int i;
    const float *dy;
    float *y, *dqkv;
} win_ctx;

/* window wi's token t: its score sc against token u plus the relative position bias of head h,
 * then the mask of the shifted windows */
static float win_bias(const lc_layer *l, const float *table, int wi, int t, int u, int h,
                      float sc)
{
    int ws = l->u.win.ws, R = 2 * ws - 1, NH = l->u.win.heads;
    int ti = t / ws, tj = t % ws, ui = u / ws, uj = u % ws;
    float bias = sc + table[((ti - ui + ws - 1) * R + (tj - uj + ws - 1)) * NH + h];
    if (l->u.win.sh + l->u.win.sw > 0) {
        int nWw = l->u.win.Wp / ws, oh = (wi / nWw) * ws, ow = (wi % nWw) * ws;
        int Hp = l->u.win.Hp, Wp = l->u.win.Wp, sh = l->u.win.sh, sw = l->u.win.sw;
        int rt = win_region(oh + ti, Hp, ws, sh) * 3 + win_region(ow + tj, Wp, ws, sw);
        int ru = win_region(oh + ui, Hp, ws, sh) * 3 + win_region(ow + uj, Wp, ws, sw);
        if (rt != ru)
            bias += -100.0f; /* torchvision adds the mask after the bias */
    }
    return bias;
}

static void win_attn_fwd_task(void *vctx, int b, int thread)
{
    const win_ctx *c = vctx;
    const lc_model *m = c->m;
    const lc_layer *l = &m->layers[c->i];
    int C = l->u.win.C, NH = l->u.win.heads, d = C / NH, ws = l->u.win.ws, N = ws * ws;
    int nW = (l->u.win.Hp / ws) * (l->u.win.Wp / ws);
    const float *qkv = src_data(m, layer_src(m, c->i, 0)) + (size_t)b * l->in_n;
    const float *table = m->params + l->w_off;
    float *A = (float *)(m->aux + l->aux_off) + (size_t)b * nW * NH * N * N;
    float *y = c->y + (size_t)b * l->out_n;
    /* Swin scales q by head_dim^-1/2 first, MaxViT k by feat_dim^-1/2 */
    int mv = l->u.win.mode == LC_WINATTN_MAXVIT;
    float scale = mv ? (float)pow((double)C, -0.5) : (float)(1.0 / sqrt((double)d)), qs[256];
    float qscale = mv ? 1.0f : scale, kscale = mv ? scale : 1.0f;
    (void)thread;
    for (int wi = 0; wi < nW; wi++)
        for (int h = 0; h < NH; h++) {
            float *a = A + ((size_t)wi * NH + h) * N * N;
            for (int t = 0; t < N; t++) {
                const float *qt = qkv + ((size_t)wi * N + t) * 3 * C + h * d;
                for (int j = 0; j < d; j++)
                    qs[j] = qt[j] * qscale;
                float *at = a + (size_t)t * N;
                for (int u = 0; u < N; u++) {
                    const float *ku = qkv + ((size_t)wi * N + u) * 3 * C + C + h * d;
                    float sc = 0.0f;
                    for (int j = 0; j < d; j++)
                        sc += qs[j] * (ku[j] * kscale);
                    at[u] = win_bias(l, table, wi, t, u, h, sc);
                }
                attn_weights(at, N, at);
                attend_row(at, N, qkv + (size_t)wi * N * 3 * C + 2 * C + h * d, (size_t)3 * C, d,
                           y + ((size_t)wi * N + t) * C + h * d);
            }
        }
}

/* sample b's gradient into q, k, v (dqkv: NULL when nothing reads it); the scores' gradients
 * dS replace the attention weights in aux (the bias table's gradient sums them afterwards) */
static void win_attn_bwd_task(void *vctx, int b, int thread)
{
    const win_ctx *c = vctx;
    const lc_model *m = c->m;
    const lc_layer *l = &m->layers[c->i];
    int C = l->u.win.C, NH = l->u.win.heads, d = C / NH, ws = l->u.win.ws, N = ws * ws;
    int nW = (l->u.win.Hp / ws) * (l->u.win.Wp / ws);
    const float *qkv = src_data(m, layer_src(m, c->i, 0)) + (size_t)b * l->in_n;
    float *A = (float *)(m->aux + l->aux_off) + (size_t)b * nW * NH * N * N;
    const float *dy = c->dy + (size_t)b * l->out_n;
    float *dq = c->dqkv ? c->dqkv + (size_t)b * l->in_n : NULL;
    int mv = l->u.win.mode == LC_WINATTN_MAXVIT;
    float scale = mv ? (float)pow((double)C, -0.5) : (float)(1.0 / sqrt((double)d));
    float g[64]; /* N = 49: Swin's and MaxViT's windows are 7x7 */
    (void)thread;
    if (N > 64)
        return;
    if (dq)
        memset(dq, 0, l->in_n * sizeof *dq);
    for (int wi = 0; wi < nW; wi++)
        for (int h = 0; h < NH; h++) {
            float *a = A + ((size_t)wi * NH + h) * N * N;
            for (int t = 0; t < N; t++) {
                const float *dyt = dy + ((size_t)wi * N + t) * C + h * d;
                double dot = 0.0;
                for (int u = 0; u < N; u++) {
                    const float *vu = qkv + ((size_t)wi * N + u) * 3 * C + 2 * C + h * d;
                    float s = 0.0f;
                    for (int j = 0; j < d; j++)
                        s += dyt[j] * vu[j];
                    g[u] = s;
                    dot += (double)a[(size_t)t * N + u] * s;
                }
                for (int u = 0; u < N; u++) {
                    float at = a[(size_t)t * N + u];
                    float ds = at * (g[u] - (float)dot);
                    if (dq) {
                        float *dqt = dq + ((size_t)wi * N + t) * 3 * C + h * d;
                        float *dku = dq + ((size_t)wi * N + u) * 3 * C + C + h * d;
                        float *dvu = dq + ((size_t)wi * N + u) * 3 * C + 2 * C + h * d;
                        const float *qt = qkv + ((size_t)wi * N + t) * 3 * C + h * d;
                        const float *ku = qkv + ((size_t)wi * N + u) * 3 * C + C + h * d;
                        if (mv) /* q . (k scale) */
                            for (int j = 0; j < d; j++) {
                                dqt[j] += ds * (ku[j] * scale);
                                dku[j] += ds * qt[j] * scale;
                                dvu[j] += at * dyt[j];
                            }
                        else /* (q scale) . k */
                            for (int j = 0; j < d; j++) {
                                dqt[j] += ds * ku[j] * scale;
                                dku[j] += ds * (qt[j] * scale);
                                dvu[j] += at * dyt[j];
                            }
                    }
                    a[(size_t)t * N + u] = ds;
                }
            }
        }
}

static void win_attn_forward(const lc_model *m, lc_pool *p, int i, int B, float *y)
{
    win_ctx c = {.m = m, .i = i, .y = y};
    lc_pool_run(p, B, win_attn_fwd_task, &c);
}

/* the bias table's gradient: every sample's, window's dS summed in one fixed order */
static void win_attn_backward(const lc_model *m, lc_pool *p, int i, int B, const float *dy,
                              float *dqkv, float *dw)
{
    const lc_layer *l = &m->layers[i];
    win_ctx c = {.m = m, .i = i, .dy = dy, .dqkv = dqkv};
    lc_pool_run(p, B, win_attn_bwd_task, &c);
    if (!dw)
        return;
    int NH = l->u.win.heads, ws = l->u.win.ws, N = ws * ws, R = 2 * ws - 1;
    int nW = (l->u.win.Hp / ws) * (l->u.win.Wp / ws);
    const float *A = (const float *)(m->aux + l->aux_off);
    for (int b = 0; b < B; b++)
        for (int wi = 0; wi < nW; wi++)
            for (int h = 0; h < NH; h++) {
                const float *a = A + (((size_t)b * nW + wi) * NH + h) * N * N;
                for (int t = 0; t < N; t++)
                    for (int u = 0; u < N; u++) {
                        int idx = (t / ws - u / ws + ws - 1) * R + (t % ws - u % ws + ws - 1);
                        dw[(size_t)idx * NH + h] += a[(size_t)t * N + u];
                    }
            }
}

/* One recurrent layer's direction d: its lc_rnn and parameter pointers (grads: the gradient slab
 * instead; NULL biases when the layer has none). */
typedef struct rnn_dir {
    lc_rnn r;
    size_t cache_n; /* floats of the direction's cache for the batch */
    float *wih, *whh, *bih, *bhh, *cache;
} rnn_dir;

static rnn_dir rnn_dir_of(const lc_model *m, const lc_layer *l, int d, int B, float *slab)
{
    rnn_dir o;
    o.r = (lc_rnn){.cell = l->u.rnn.cell, .T = l->u.rnn.T, .I = l->u.rnn.I, .H = l->u.rnn.H,
                   .reverse = d};
    size_t GH = (size_t)lc_rnn_gates(l->u.rnn.cell) * (size_t)l->u.rnn.H;
    size_t wper = GH * (size_t)(l->u.rnn.I + l->u.rnn.H);
    o.wih = slab + l->w_off + (size_t)d * wper;
    o.whh = o.wih + GH * (size_t)l->u.rnn.I;
    o.bih = l->b_off != NO_OFF ? slab + l->b_off + (size_t)d * 2 * GH : NULL;
    o.bhh = o.bih ? o.bih + GH : NULL;
    o.cache_n = lc_rnn_cache_floats(&o.r);
    o.cache = (float *)(m->aux + l->aux_off) + (size_t)d * (size_t)B * o.cache_n;
    return o;
}

/* torch's MaxPool1d / AvgPool1d (count_include_pad) over the steps of (B, L, F) time-major rows;
 * max keeps each output's source step (ties: the first, as torch's scan) */
static void pool1d_forward(const lc_layer *l, int B, const float *x, float *y, int32_t *arg)
{
    int L = l->u.p1.L, F = l->u.p1.F, k = l->u.p1.k, st = l->u.p1.stride, pd = l->u.p1.pad;
    int Lo = l->u.p1.Lout;
    for (int b = 0; b < B; b++)
        for (int o = 0; o < Lo; o++)
            for (int f = 0; f < F; f++) {
                int t0 = o * st - pd;
                float best = -INFINITY, sum = 0.0f;
                int at = -1;
                for (int j = t0; j < t0 + k; j++) {
                    if (j < 0 || j >= L)
                        continue;
                    float v = x[((size_t)b * L + j) * F + f];
                    sum += v;
                    if (at < 0 || v > best || (isnan(v) && !isnan(best))) {
                        best = v;
                        at = j;
                    }
                }
                size_t oi = ((size_t)b * Lo + o) * F + f;
                if (l->u.p1.is_max) {
                    y[oi] = best;
                    arg[oi] = at;
                } else {
                    y[oi] = sum / (float)k;
                }
            }
}

static void pool1d_backward(const lc_layer *l, int B, const int32_t *arg, const float *dy,
                            float *dx)
{
    int L = l->u.p1.L, F = l->u.p1.F, k = l->u.p1.k, st = l->u.p1.stride, pd = l->u.p1.pad;
    int Lo = l->u.p1.Lout;
    memset(dx, 0, (size_t)B * L * F * sizeof *dx);
    for (int b = 0; b < B; b++)
        for (int o = 0; o < Lo; o++)
            for (int f = 0; f < F; f++) {
                size_t oi = ((size_t)b * Lo + o) * F + f;
                if (l->u.p1.is_max) {
                    if (arg[oi] >= 0)
                        dx[((size_t)b * L + arg[oi]) * F + f] += dy[oi];
                    continue;
                }
                for (int j = o * st - pd; j < o * st - pd + k; j++)
                    if (j >= 0 && j < L)
                        dx[((size_t)b * L + j) * F + f] += dy[oi] / (float)k;
            }
}

/* Ludwig's SequenceReducer over (B, T, F); `last` keeps the step it picked per sample. */
static void seqred_forward(const lc_layer *l, int B, const float *x, float *y, int32_t *pick)
{
    int T = l->u.red.T, F = l->u.red.F;
    for (int b = 0; b < B; b++) {
        const float *xb = x + (size_t)b * T * F;
        float *yb = y + (size_t)b * F;
        switch (l->u.red.mode) {
        case LC_RED_LAST: {
            /* torch_utils.sequence_length_3D: the steps whose largest |value| is not 0 */
            int used = 0;
            for (int t = 0; t < T; t++) {
                float mx = 0.0f;
                for (int k = 0; k < F; k++)
                    mx = fabsf(xb[(size_t)t * F + k]) > mx ? fabsf(xb[(size_t)t * F + k]) : mx;
                used += mx > 0.0f;
            }
            int t = used > 0 ? used - 1 : 0;
            pick[b] = t;
            memcpy(yb, xb + (size_t)t * F, (size_t)F * sizeof *yb);
            break;
        }
        case LC_RED_SUM:
        case LC_RED_MEAN: /* row by row: each column still summed in step order */
            memset(yb, 0, (size_t)F * sizeof *yb);
            for (int t = 0; t < T; t++) {
                const float *xt = xb + (size_t)t * F;
                for (int k = 0; k < F; k++)
                    yb[k] += xt[k];
            }
            if (l->u.red.mode == LC_RED_MEAN)
                for (int k = 0; k < F; k++)
                    yb[k] /= (float)T;
            break;
        case LC_RED_MAX:
            memcpy(yb, xb, (size_t)F * sizeof *yb);
            for (int t = 1; t < T; t++) {
                const float *xt = xb + (size_t)t * F;
                for (int k = 0; k < F; k++)
                    yb[k] = xt[k] > yb[k] ? xt[k] : yb[k];
            }
            break;
        case LC_RED_CONCAT:
        case LC_RED_ATTN: /* not a SEQRED layer (add_seq_reduce plans the attention) */
            memcpy(yb, xb, (size_t)T * F * sizeof *yb);
            break;
        }
    }
}

/* The reducer's gradient; torch.amax shares a maximum's gradient evenly among equal values. */
static void seqred_backward(const lc_layer *l, int B, const float *x, const float *y,
                            const int32_t *pick, const float *dy, float *dx)
{
    int T = l->u.red.T, F = l->u.red.F;
    for (int b = 0; b < B; b++) {
        const float *xb = x + (size_t)b * T * F, *yb = y + (size_t)b * F, *dyb = dy + (size_t)b * F;
        float *dxb = dx + (size_t)b * T * F;
        switch (l->u.red.mode) {
        case LC_RED_LAST:
            memset(dxb, 0, (size_t)T * F * sizeof *dxb);
            memcpy(dxb + (size_t)pick[b] * F, dyb, (size_t)F * sizeof *dxb);
            break;
        case LC_RED_SUM:
            for (int t = 0; t < T; t++)
                memcpy(dxb + (size_t)t * F, dyb, (size_t)F * sizeof *dxb);
            break;
        case LC_RED_MEAN:
            for (int k = 0; k < F; k++)
                dxb[k] = dyb[k] / (float)T;
            for (int t = 1; t < T; t++)
                memcpy(dxb + (size_t)t * F, dxb, (size_t)F * sizeof *dxb);
            break;
        case LC_RED_MAX: /* split evenly over the steps that reach the max (torch.amax) */
            for (int k0 = 0; k0 < F; k0 += 256) {
                int n = F - k0 < 256 ? F - k0 : 256;
                int ties[256] = {0};
                for (int t = 0; t < T; t++)
                    for (int k = 0; k < n; k++)
                        ties[k] += xb[(size_t)t * F + k0 + k] == yb[k0 + k];
                for (int t = 0; t < T; t++)
                    for (int k = 0; k < n; k++) {
                        size_t at = (size_t)t * F + k0 + k;
                        dxb[at] = xb[at] == yb[k0 + k] ? dyb[k0 + k] / (float)ties[k] : 0.0f;
                    }
            }
            break;
        case LC_RED_CONCAT:
        case LC_RED_ATTN:
            memcpy(dxb, dyb, (size_t)T * F * sizeof *dxb);
            break;
        }
    }
}

/* Evaluation of conv -> batch norm (-> ReLU, the norm's only reader) as one convolution with
 * w' = w g and b' = (b - running_mean) g + beta, g = gamma / sqrt(running_var + eps) per output
 * channel (the batch norm's own arithmetic for g), the ReLU applied in the same pass where the
 * evaluation kernels take the shape: no pass over the conv's output to normalise it. Writes the
 * last layer's output (the norm's or the ReLU's; the skipped layers' are not written: nothing else
 * reads them); a max pool that is the ReLU's only reader is done in the same pass (the ReLU's
 * output is then left unrectified). Returns the layers done: 0 (not this shape), 2, 3 or 4.
 * Rounding differs from the separate layers by a few float ulps of each output. */
static int eval_conv_bn(lc_model *m, lc_pool *p, int i, int B, const float *x)
{
    if (!m->fold_ws || i + 1 >= m->nlayers || !bn_foldable(m, i))
        return 0;
    const lc_layer *l = &m->layers[i], *n = &m->layers[i + 1];
    if (n->part != LC_PART_ENC_TV && B == 1) /* BatchNorm2dOrIdentity's batch of one */
        return 0;
    const lc_layer *r = i + 2 < m->nlayers ? &m->layers[i + 2] : NULL;
    int relu = r && r->type == LC_L_ACT && r->u.act == LC_ACT_RELU && !r->skip && r->nsrc == 1 &&
               layer_src(m, i + 2, 0) == i + 1 && n->consumers == 1;
    const lc_conv2d *c = &l->u.conv;
    const size_t ckk = (size_t)(c->C / (c->groups > 1 ? c->groups : 1)) * c->KH * c->KW;
    float *wf = m->fold_ws, *bf = wf + (size_t)c->OC * ckk;
    const float *w = m->params + l->w_off, *b = l->b_off != NO_OFF ? m->params + l->b_off : NULL;
    const float *gamma = n->w_off != NO_OFF ? m->params + n->w_off : NULL;
    const float *beta = n->b_off != NO_OFF ? m->params + n->b_off : NULL;
    const float *rm = m->buffers + n->buf_off, *rv = rm + n->u.norm.C;
    lc_conv_eval_ucache *uc = kept_u(m, i, LC_KEEP_EVAL, KEPT_FOLDED);
    /* kept: only the Winograd path runs (it reads U, not w'), and only the bias is needed */
    int kept = uc && uc->valid && uc->isa == lc_gemm_isa();
    for (int oc = 0; oc < c->OC; oc++) {
        float g = lc_batchnorm_eval_scale(gamma, rv, n->u.norm.eps, oc);
        for (size_t q = 0; !kept && q < ckk; q++)
            wf[(size_t)oc * ckk + q] = w[(size_t)oc * ckk + q] * g;
        bf[oc] = ((b ? b[oc] : 0.0f) - rm[oc]) * g + (beta ? beta[oc] : 0.0f);
    }
    float *y = m->acts + (relu ? r : n)->act_off;
    if (relu && lc_conv2d_forward_relu(p, c, B, x, wf, bf, y, m->conv_ws, uc))
        return 3;
    lc_conv2d_forward_winograd(p, c, B, x, wf, bf, y, m->conv_ws, 0, uc);
    if (!relu)
        return 2;
    /* a max pool the ReLU's only reader (resnet's stem): the ReLU within the pool's pass */
    const lc_layer *q = i + 3 < m->nlayers ? &m->layers[i + 3] : NULL;
    if (q && q->type == LC_L_POOL && q->u.pool.is_max && !q->u.pool.adaptive && !q->skip &&
        q->nsrc == 1 && layer_src(m, i + 3, 0) == i + 2 && r->consumers == 1) {
        lc_pool2d_forward_relu(p, &q->u.pool, B, y, m->acts + q->act_off);
        return 4;
    }
    lc_act_forward(p, LC_ACT_RELU, (size_t)B * r->out_n, y, y);
    return 3;
}

void lc_model_forward(lc_model *m, lc_pool *p, int B, int training, uint64_t seed, uint64_t step)
{
    for (int i = 0; i < m->nlayers; i++) {
        lc_layer *l = &m->layers[i];
        if (l->skip) /* computed by the fused conv before it */
            continue;
        const float *x = src_data(m, layer_src(m, i, 0));
        if (!training) {
            lc_conv_eval_block blk[LC_CONV_EVAL_MAX_CHAIN];
            int n = eval_chain(m, i, blk);
            if (n > 0 && lc_conv_eval_chain(p, n, blk, B, x, m->conv_ws)) {
                i += n - 1;
                continue;
            }
            if ((n = eval_conv_bn(m, p, i, B, x)) > 0) {
                i += n - 1;
                continue;
            }
        }
        float *y = m->acts + l->act_off;
        const float *w = l->w_off != NO_OFF ? m->params + l->w_off : NULL;
        const float *b = l->b_off != NO_OFF ? m->params + l->b_off : NULL;
        switch (l->type) {
        case LC_L_CONV:
            if (l->fused)
                lc_conv2d_forward_fused(p, &l->u.conv, &l->fuse, B, x, w, b,
                                        training ? l->fuse_rate : 0.0f, seed, (uint64_t)i, step,
                                        y, training ? m->aux + l->aux_off : NULL,
                                        m->conv_ws);
            else
                /* F(2x2, 3x3) where a gradient flows back through it (lc_conv_eval.h) */
                lc_conv2d_forward_winograd(
                    p, &l->u.conv, B, x, w, b, y, m->conv_ws, training && !l->no_grad,
                    !training    ? kept_u(m, i, LC_KEEP_EVAL, KEPT_RAW)
                    : l->no_grad ? kept_u(m, i, LC_KEEP_FROZEN, KEPT_RAW)
                                 : NULL);
            break;
        case LC_L_POOL:
            lc_pool2d_forward(p, &l->u.pool, B, x, y,
                              l->u.pool.is_max ? (int32_t *)(m->aux + l->aux_off) : NULL);
            break;
        case LC_L_ACT:
            if (i > 0 && m->layers[i - 1].relu_next &&
                (training || m->layers[i - 1].type == LC_L_ADD))
                break; /* computed by the batch norm (in training) or add before it */
            lc_act_forward(p, l->u.act, (size_t)B * l->out_n, x, y);
            break;
        case LC_L_DROPOUT:
            if (training)
                lc_dropout_forward(p, B, l->out_n, l->u.rate, seed, (uint64_t)i, step, x, y,
                                   m->aux + l->aux_off);
            else
                memcpy(y, x, (size_t)B * l->out_n * sizeof *y);
            break;
        case LC_L_BATCHNORM: {
            /* Ludwig's BatchNorm1dOrIdentity / BatchNorm2dOrIdentity: a batch of one sample
             * passes unchanged, in training (running stats untouched) and in evaluation. A
             * conv layer's plain BatchNorm1d normalizes the B L steps as rows; one value per
             * channel (B L = 1) cannot be normalized in training and passes unchanged. */
            int steps = l->u.norm.steps, rows = steps > 0 ? B * steps : B;
            int relu = training && l->relu_next; /* into the ReLU's output */
            if (relu)
                y = m->acts + m->layers[i + 1].act_off;
            if (l->part != LC_PART_ENC_TV && (steps > 0 ? training && rows == 1 : B == 1)) {
                if (relu)
                    lc_act_forward(p, LC_ACT_RELU, (size_t)B * l->out_n, x, y);
                else
                    memcpy(y, x, (size_t)B * l->out_n * sizeof *y);
                break;
            }
            float *stats = (float *)(m->aux + l->aux_off);
            float *rm = m->buffers + l->buf_off, *rv = rm + l->u.norm.C;
            if (training) { /* the running statistics, or (m->bn_rec) the batch's recorded */
                lc_batchnorm_forward_train_rec(p, rows, l->u.norm.C, l->u.norm.HW,
                                               l->u.norm.eps, l->u.norm.momentum, x, w, b, y,
                                               stats, stats + l->u.norm.C,
                                               m->bn_rec ? NULL : rm, m->bn_rec ? NULL : rv,
                                               m->bn_rec ? m->bn_rec + l->buf_off : NULL,
                                               relu);
                if (m->bn_rec)
                    m->bn_rec_set[i] = 1;
            } else
                lc_batchnorm_forward_eval(p, rows, l->u.norm.C, l->u.norm.HW, l->u.norm.eps, x,
                                          w, b, rm, rv, y);
            break;
        }
        case LC_L_LAYERNORM: {
            float *stats = (float *)(m->aux + l->aux_off);
            if (l->u.norm.steps > 0) { /* a conv layer's: the affine from torch's (F, L) */
                float *g = m->conv_ws, *be = g + l->out_n;
                ln_affine_steps(l, w, b, g, be);
                lc_layernorm_forward(p, B, (int)l->out_n, l->u.norm.eps, x, g, be, y, stats,
                                     stats + m->max_batch);
                break;
            }
            lc_layernorm_forward(p, B, (int)l->out_n, l->u.norm.eps, x, w, b, y, stats,
                                 stats + m->max_batch);
            break;
        }
        case LC_L_DENSE:
            lc_dense_forward(p, B * (l->u.dense.rep > 1 ? l->u.dense.rep : 1), l->u.dense.in,
                             l->u.dense.out, x, w, b, y);
            break;
        case LC_L_ATTN_POOL:
            attn_pool_forward(m, i, B, y);
            break;
        case LC_L_POOL1D:
            pool1d_forward(l, B, x, y, (int32_t *)(m->aux + l->aux_off));
            break;
        case LC_L_CONCAT_CH:
            concat_ch_forward(m, i, B, y);
            break;
        case LC_L_POSADD: {
            size_t TE = (size_t)l->u.mha.T * l->u.mha.H;
            for (int r = 0; r < B; r++)
                for (size_t j = 0; j < TE; j++)
                    y[(size_t)r * TE + j] = x[(size_t)r * TE + j] + w[j];
            break;
        }
        case LC_L_LN_STEP: {
            float *stats = (float *)(m->aux + l->aux_off);
            size_t rows = (size_t)m->max_batch * l->u.norm.HW;
            lc_layernorm_forward(p, B * l->u.norm.HW, l->u.norm.C, l->u.norm.eps, x, w, b, y,
                                 stats, stats + rows);
            break;
        }
        case LC_L_MHA:
            mha_forward(m, p, i, B, y, training, seed, step);
            break;
        case LC_L_WIN_GATHER:
            win_gather_forward(l, B, x, y);
            break;
        case LC_L_WIN_ATTN:
            win_attn_forward(m, p, i, B, y);
            break;
        case LC_L_CONCAT:
            concat_forward(m, i, B, y);
            break;
        case LC_L_PATCH_TOKENS: { /* row 0 the class token, then position p's C channels */
            size_t C = (size_t)l->u.norm.C, HW = (size_t)l->u.norm.HW;
            for (int s = 0; s < B; s++) {
                float *ys = y + (size_t)s * (HW + 1) * C;
                const float *xs = x + (size_t)s * C * HW;
                memcpy(ys, w, C * sizeof *ys);
                for (size_t c = 0; c < C; c++)
                    for (size_t q = 0; q < HW; q++)
                        ys[(q + 1) * C + c] = xs[c * HW + q];
            }
            break;
        }
        case LC_L_FIRST_STEP: {
            size_t F = l->out_n;
            for (int s = 0; s < B; s++)
                memcpy(y + (size_t)s * F, x + (size_t)s * (l->in_n), F * sizeof *y);
            break;
        }
        case LC_L_CH_RANGE: { /* a sample's channels c0 .. c0 + nc - 1: one flat block */
            size_t HW = (size_t)l->u.chan.HW, n = (size_t)l->u.chan.nc * HW;
            for (int s = 0; s < B; s++)
                memcpy(y + (size_t)s * n, x + (size_t)s * l->in_n + (size_t)l->u.chan.c0 * HW,
                       n * sizeof *y);
            break;
        }
        case LC_L_CH_SHUFFLE: { /* output channel j G + g <- input channel g (C / G) + j */
            size_t HW = (size_t)l->u.chan.HW, G = (size_t)l->u.chan.groups;
            size_t C = (size_t)l->u.chan.C, cpg = C / G;
            for (int s = 0; s < B; s++)
                for (size_t g = 0; g < G; g++)
                    for (size_t j = 0; j < cpg; j++)
                        memcpy(y + ((size_t)s * C + j * G + g) * HW,
                               x + ((size_t)s * C + g * cpg + j) * HW, HW * sizeof *y);
            break;
        }
        case LC_L_STOCHDEPTH: {
            float *keep = (float *)(m->aux + l->aux_off);
            size_t n = l->out_n;
            if (!training) {
                memcpy(y, x, (size_t)B * n * sizeof *y);
                break;
            }
            /* one draw per sample from (seed, layer, step): the same on any thread count */
            lc_rng r;
            lc_rng_init(&r, seed, LC_STREAM_DROPOUT, (step << 16) ^ (uint64_t)i);
            float surv = 1.0f - l->u.rate;
            for (int s = 0; s < B; s++) {
                keep[s] = lc_u01d(lc_rng_next(&r)) < (double)surv ? 1.0f / surv : 0.0f;
                for (size_t j = 0; j < n; j++)
                    y[(size_t)s * n + j] = x[(size_t)s * n + j] * keep[s];
            }
            break;
        }
        case LC_L_SCALE_CH: {
            const float *sc = src_data(m, layer_src(m, i, 1));
            size_t C = (size_t)l->u.norm.C, HW = (size_t)l->u.norm.HW;
            for (size_t r = 0; r < (size_t)B * C; r++)
                for (size_t j = 0; j < HW; j++)
                    y[r * HW + j] = x[r * HW + j] * sc[r];
            break;
        }
        case LC_L_PERMUTE:
            permute_rows(B, (size_t)l->u.norm.C, (size_t)l->u.norm.HW, x, y);
            break;
        case LC_L_LAYER_SCALE: {
            size_t C = (size_t)l->u.norm.C, HW = (size_t)l->u.norm.HW;
            for (size_t r = 0; r < (size_t)B * C; r++)
                for (size_t j = 0; j < HW; j++)
                    y[r * HW + j] = x[r * HW + j] * w[r % C];
            break;
        }
        case LC_L_CH_AFFINE: { /* x * scale, rounded, then + shift: torch's two operations */
            size_t C = (size_t)l->u.aff.C, HW = (size_t)l->u.aff.HW;
            for (size_t r = 0; r < (size_t)B * C; r++) {
                const float a = l->u.aff.scale[r % C], t = l->u.aff.shift[r % C];
                for (size_t j = 0; j < HW; j++) {
                    float v = x[r * HW + j] * a;
                    y[r * HW + j] = v + t;
                }
            }
            break;
        }
        case LC_L_ADD: {
            const float *x2 = src_data(m, layer_src(m, i, 1));
            int relu = l->relu_next;
            lc_add_forward(p, (size_t)B * l->out_n, x, x2,
                           relu ? m->acts + m->layers[i + 1].act_off : y, relu);
            break;
        }
        case LC_L_EMBED:
            if (l->tok) { /* only the batch's distinct rows, for the token convolutions */
                tok_batch t = tok_of(m, i);
                *t.D = lc_tok_unique(B * (int)l->in_n, l->u.embed.V, x, m->tok_map, t.cid, t.uniq);
                lc_tok_gather(p, *t.D, l->u.embed.D, t.uniq, w, t.xd);
                break;
            }
            /* a sequence of T ids is B T lookups */
            lc_embed_forward(p, B * (int)(l->in_n > 0 ? l->in_n : 1), l->u.embed.V, l->u.embed.D,
                             x, w, y);
            break;
        case LC_L_ONEHOT:
            lc_onehot_forward(B, l->u.embed.V, x, y);
            break;
        case LC_L_EMBED_SUM:
            lc_embed_sum_forward(p, B, (int)(l->in_n / 2), l->u.embed.V, l->u.embed.D, x, w, y);
            break;
        case LC_L_SLICE:
        case LC_L_PERIODIC:
            for (int r = 0; r < B; r++)
                for (int j = 0; j < l->u.sl.n; j++) {
                    float v = x[(size_t)r * l->in_n + (size_t)(l->u.sl.col + j)];
                    if (l->type == LC_L_SLICE) {
                        y[(size_t)r * l->u.sl.n + j] = v + l->u.sl.add;
                    } else { /* torch_utils.periodic in float32: cos(x * 2 * pi / period) */
                        float t = v * 2.0f;
                        t = t * (float)M_PI;
                        t = t / l->u.sl.period[j];
                        y[(size_t)r * l->u.sl.n + j] = cosf(t);
                    }
                }
            break;
        case LC_L_RNN:
            for (int d = 0; d < l->u.rnn.D; d++) {
                rnn_dir r = rnn_dir_of(m, l, d, B, m->params);
                if (l->tok) { /* x W_ih^T per distinct token, into the cache's gate slots */
                    tok_batch t = tok_of(m, l->tok - 1);
                    lc_conv1d c1 = rnn_tok_conv(l);
                    lc_tokconv_forward(p, &c1, B, *t.D, t.cid, t.xd, r.wih, NULL, r.cache,
                                       (int)(r.cache_n / (size_t)l->u.rnn.T), 0, m->conv_ws);
                }
                lc_rnn_forward(p, &r.r, B, x, l->tok ? NULL : r.wih, r.whh, r.bih, r.bhh, y,
                               l->u.rnn.D * l->u.rnn.H, d * l->u.rnn.H, r.cache);
            }
            break;
        case LC_L_SEQRED:
            seqred_forward(l, B, x, y, (int32_t *)(m->aux + l->aux_off));
            break;
        case LC_L_CONV1D:
            if (l->tok && l->tokred) { /* with its ReLU and reduction: the reduced output */
                tok_batch t = tok_of(m, l->tok - 1);
                const lc_layer *rl = &m->layers[l->tokred - 1];
                lc_tokconv_relu_sum_forward(p, &l->u.c1, B, *t.D, t.cid, t.xd, w, b,
                                            rl->u.red.mode == LC_RED_MEAN, m->acts + rl->act_off,
                                            m->tok + l->tok_off, m->conv_ws);
            } else if (l->tok) {
                tok_batch t = tok_of(m, l->tok - 1);
                lc_tokconv_forward(p, &l->u.c1, B, *t.D, t.cid, t.xd, w, b, y, l->u.c1.F, 0,
                                   m->conv_ws);
            } else {
                lc_conv1d_forward(p, &l->u.c1, B, x, w, b, y, l->u.c1.F, 0, m->conv_ws);
            }
            break;
        }
    }
}

void lc_model_softmax(lc_model *m, int B)
{
    const float *z = lc_model_logits(m);
    int K = m->nclasses;
    for (int b = 0; b < B; b++) {
        const float *zb = z + (size_t)b * K;
        float *pb = m->probs + (size_t)b * K;
        float mx = zb[0];
        for (int k = 1; k < K; k++)
            if (zb[k] > mx)
                mx = zb[k];
        double sum = 0.0;
        for (int k = 0; k < K; k++) {
            pb[k] = expf(zb[k] - mx);
            sum += pb[k];
        }
        for (int k = 0; k < K; k++)
            pb[k] = (float)(pb[k] / sum);
    }
}

/* Where layer i's backward writes the gradient of source k: straight into the source's gradient
 * when it is the source's only reader, else into dtmp (then added); NULL for input slots. */
static float *grad_target(lc_model *m, int i, int k)
{
    int s = layer_src(m, i, k);
    if (s < 0 || m->layers[s].no_grad)
        return NULL;
    return m->layers[s].consumers > 1 && m->ginit[s] ? m->dtmp : m->dacts + m->layers[s].act_off;
}

/* After a reader wrote the target grad_target gave it: the first of a source's readers (in the
 * backward order) wrote the source's gradient itself; a later one's, in dtmp, is added. */
static void grad_commit(lc_model *m, lc_pool *p, int i, int k, int B)
{
    int s = layer_src(m, i, k);
    if (s < 0 || m->layers[s].consumers <= 1 || m->layers[s].no_grad)
        return;
    if (!m->ginit[s]) {
        m->ginit[s] = 1;
        return;
    }
    lc_add_backward(p, (size_t)B * m->layers[s].out_n, m->dtmp, NULL,
                    m->dacts + m->layers[s].act_off, 1, NULL, 0);
}

static void attn_pool_backward(lc_model *m, int i, int B, const float *dy)
{
    const lc_layer *l = &m->layers[i];
    int T = l->u.red.T, F = l->u.red.F;
    const float *sc = src_data(m, layer_src(m, i, 0)), *x = src_data(m, layer_src(m, i, 1));
    float a[4096], g[4096];
    float *dx = grad_target(m, i, 1);
    if (dx) { /* d x[b, t] = a_t dy[b] */
        for (int b = 0; b < B; b++) {
            attn_weights(sc + (size_t)b * T, T, a);
            for (int t = 0; t < T; t++)
                for (int f = 0; f < F; f++)
                    dx[((size_t)b * T + t) * F + f] = a[t] * dy[(size_t)b * F + f];
        }
        grad_commit(m, NULL, i, 1, B);
    }
    float *ds = grad_target(m, i, 0);
    if (ds) { /* g_t = dy . x_t; d s_t = a_t (g_t - sum_u a_u g_u) */
        for (int b = 0; b < B; b++) {
            attn_weights(sc + (size_t)b * T, T, a);
            double ag = 0.0;
            for (int t = 0; t < T; t++) {
                double gt = 0.0;
                for (int f = 0; f < F; f++)
                    gt += (double)dy[(size_t)b * F + f] * x[((size_t)b * T + t) * F + f];
                g[t] = (float)gt;
                ag += (double)a[t] * gt;
            }
            for (int t = 0; t < T; t++)
                ds[(size_t)b * T + t] = (float)(a[t] * (g[t] - ag));
        }
        grad_commit(m, NULL, i, 0, B);
    }
}

/* the gradients into q, k and v of sample b (the targets hold the batch) */
typedef struct mha_bctx {
    const lc_model *m;
    int i;
    const float *dy;
    float *dq, *dk, *dv;
} mha_bctx;

static void mha_bwd_task(void *vctx, int b, int thread)
{
    const mha_bctx *c = vctx;
    const lc_model *m = c->m;
    const lc_layer *l = &m->layers[c->i];
    int T = l->u.mha.T, H = l->u.mha.H, NH = l->u.mha.heads, d = H / NH;
    const float *q = src_data(m, layer_src(m, c->i, 0)), *k = src_data(m, layer_src(m, c->i, 1));
    const float *v = src_data(m, layer_src(m, c->i, 2)), *dy = c->dy;
    const float *A = (const float *)(m->aux + l->aux_off);
    /* after a training pass with dropout on the weights: the dropped weights (mha_fwd_task) */
    const float *Ad = l->u.mha.drop > 0.0f ? A + (size_t)m->max_batch * NH * T * T : NULL;
    float scale = 1.0f / sqrtf((float)d);
    size_t TH = (size_t)T * H;
    (void)thread;
    if (c->dv) /* dv[u] = sum_t a[t][u] dy[t] */
        memset(c->dv + b * TH, 0, TH * sizeof *c->dv);
    if (c->dq)
        memset(c->dq + b * TH, 0, TH * sizeof *c->dq);
    if (c->dk)
        memset(c->dk + b * TH, 0, TH * sizeof *c->dk);
    for (int h = 0; h < NH; h++) {
        const float *a = A + (((size_t)b * NH + h) * T) * T;
        const float *ad = Ad ? Ad + (((size_t)b * NH + h) * T) * T : a;
        for (int t = 0; t < T; t++) {
            const float *dyt = dy + ((size_t)b * T + t) * H + h * d;
            if (c->dv)
                for (int u = 0; u < T; u++) {
                    float *dvu = c->dv + ((size_t)b * T + u) * H + h * d;
                    float w = ad[(size_t)t * T + u];
                    for (int j = 0; j < d; j++)
                        dvu[j] += w * dyt[j];
                }
            if (!c->dq && !c->dk)
                continue;
            /* dS[u] = a (dA - sum a dA) scale, dA[u] = dy[t] . v[u]; with dropout dA[u] is
             * g mask / (1 - p), so a dA = ad g: dS[u] = (ad g - a sum ad g) scale */
            double dot = 0.0;
            for (int u = 0; u < T; u++) {
                const float *vu = v + ((size_t)b * T + u) * H + h * d;
                float g = 0.0f;
                for (int j = 0; j < d; j++)
                    g += dyt[j] * vu[j];
                dot += (double)ad[(size_t)t * T + u] * g;
            }
            for (int u = 0; u < T; u++) {
                const float *vu = v + ((size_t)b * T + u) * H + h * d;
                float g = 0.0f;
                for (int j = 0; j < d; j++)
                    g += dyt[j] * vu[j];
                float au = a[(size_t)t * T + u];
                float ds = Ad ? (ad[(size_t)t * T + u] * g - au * (float)dot) * scale
                              : au * (g - (float)dot) * scale;
                if (c->dq) { /* dq[t] += ds k[u] */
                    float *o = c->dq + ((size_t)b * T + t) * H + h * d;
                    const float *ku = k + ((size_t)b * T + u) * H + h * d;
                    for (int j = 0; j < d; j++)
                        o[j] += ds * ku[j];
                }
                if (c->dk) { /* dk[u] += ds q[t] */
                    float *o = c->dk + ((size_t)b * T + u) * H + h * d;
                    const float *qt = q + ((size_t)b * T + t) * H + h * d;
                    for (int j = 0; j < d; j++)
                        o[j] += ds * qt[j];
                }
            }
        }
    }
}

static void mha_backward(lc_model *m, lc_pool *p, int i, int B, const float *dy)
{
    /* one source at a time: a target may be dtmp (a source with several consumers) */
    for (int k = 0; k < 3; k++) {
        if (!grad_target(m, i, k))
            continue;
        mha_bctx c = {.m = m, .i = i, .dy = dy};
        float *t = grad_target(m, i, k);
        if (k == 0)
            c.dq = t;
        else if (k == 1)
            c.dk = t;
        else
            c.dv = t;
        lc_pool_run(p, B, mha_bwd_task, &c);
        grad_commit(m, p, i, k, B);
    }
}

void lc_model_backward(lc_model *m, lc_pool *p, int B)
{
    if (!m->dacts) /* an inference model (lc_net_spec.inference) has no gradients */
        return;
    /* gradients of layers read by several others: the first reader's written, the later ones'
     * added (grad_target, grad_commit); the heads' come from the loss */
    memset(m->ginit, 0, (size_t)m->nlayers);
    for (int o = 0; o < m->nout; o++) {
        const lc_layer *l = &m->layers[m->heads[o].layer];
        memcpy(m->dacts + l->act_off, m->heads[o].dlogits,
               (size_t)B * l->out_n * sizeof(float));
        m->ginit[m->heads[o].layer] = 1;
    }
    lc_zero(p, m->nparams, m->grads);
    for (int i = m->nlayers - 1; i >= 0; i--) {
        lc_layer *l = &m->layers[i];
        /* several readers and none passed a gradient back: zero (every reader of this layer's
         * gradient comes later in this loop; every writer came before) */
        if (l->consumers > 1 && !m->ginit[i] && !(l->type == LC_L_EMBED && l->tok)) {
            lc_zero(p, (size_t)B * l->out_n, m->dacts + l->act_off);
            m->ginit[i] = 1;
        }
        if ((l->consumers == 0 && l->type != LC_L_DENSE) || l->skip || l->no_grad)
            continue;
        const float *x = src_data(m, layer_src(m, i, 0));
        const float *y = m->acts + l->act_off;
        const float *dy = m->dacts + l->act_off;
        float *dx = grad_target(m, i, 0);
        const float *w = l->w_off != NO_OFF ? m->params + l->w_off : NULL;
        float *dw = l->w_off != NO_OFF && !l->frozen ? m->grads + l->w_off : NULL;
        float *db = l->b_off != NO_OFF && !l->frozen ? m->grads + l->b_off : NULL;
        switch (l->type) {
        case LC_L_CONV:
            if (l->fused)
                lc_conv2d_backward_fused(p, &l->u.conv, &l->fuse, B, x, w, y,
                                         m->aux + l->aux_off, l->fuse_rate, dy, dx, dw, db,
                                         m->conv_ws);
            else if (dx && dx == m->dtmp &&
                     lc_conv2d_backward_acc(p, &l->u.conv, B, x, w, dy,
                                            m->dacts + m->layers[layer_src(m, i, 0)].act_off, dw,
                                            db, m->conv_ws))
                continue; /* added straight into the gradient of a source with several readers */
            else
                lc_conv2d_backward(p, &l->u.conv, B, x, w, dy, dx, dw, db, m->conv_ws);
            break;
        case LC_L_DENSE:
            lc_dense_backward(p, B * (l->u.dense.rep > 1 ? l->u.dense.rep : 1), l->u.dense.in,
                              l->u.dense.out, x, w, dy, dx, dw, db);
            break;
        case LC_L_ATTN_POOL:
            attn_pool_backward(m, i, B, dy);
            continue;
        case LC_L_POOL1D:
            if (dx)
                pool1d_backward(l, B, (const int32_t *)(m->aux + l->aux_off), dy, dx);
            break;
        case LC_L_POSADD:
            if (dw) {
                size_t TE = (size_t)l->u.mha.T * l->u.mha.H;
                memset(dw, 0, TE * sizeof *dw);
                for (int r = 0; r < B; r++)
                    for (size_t j = 0; j < TE; j++)
                        dw[j] += dy[(size_t)r * TE + j];
            }
            if (dx)
                memcpy(dx, dy, (size_t)B * l->out_n * sizeof *dx);
            break;
        case LC_L_LN_STEP: {
            const float *stats = (const float *)(m->aux + l->aux_off);
            size_t rows = (size_t)m->max_batch * l->u.norm.HW;
            lc_layernorm_backward(p, B * l->u.norm.HW, l->u.norm.C, x, w, stats, stats + rows, dy,
                                  dx ? dx : m->dtmp, dw, db);
            break;
        }
        case LC_L_MHA:
            mha_backward(m, p, i, B, dy);
            continue;
        case LC_L_WIN_GATHER:
            if (dx)
                win_gather_backward(l, B, dy, dx);
            break;
        case LC_L_WIN_ATTN:
            win_attn_backward(m, p, i, B, dy, dx, dw);
            break;
        case LC_L_CONCAT_CH: {
            int L = l->u.cc.L;
            size_t F = l->out_n / (size_t)L, off = 0;
            for (int k = 0; k < l->nsrc; k++) {
                int s = layer_src(m, i, k);
                size_t Fk = (s >= 0 ? m->layers[s].out_n : m->in_ns[-s - 1]) / (size_t)L;
                float *d = grad_target(m, i, k);
                if (d) {
                    for (size_t r = 0; r < (size_t)B * L; r++)
                        memcpy(d + r * Fk, dy + r * F + off, Fk * sizeof *d);
                    grad_commit(m, p, i, k, B);
                }
                off += Fk;
            }
            continue;
        }
        case LC_L_POOL:
            if (dx)
                lc_pool2d_backward(p, &l->u.pool, B, dy,
                                   l->u.pool.is_max ? (const int32_t *)(m->aux + l->aux_off)
                                                    : NULL,
                                   dx);
            break;
        case LC_L_ACT:
            if (i > 0 && m->layers[i - 1].relu_next)
                continue; /* in the batch norm's or add's backward */
            if (dx)
                lc_act_backward(p, l->u.act, (size_t)B * l->out_n, x, y, dy, dx);
            break;
        case LC_L_DROPOUT:
            if (dx)
                lc_dropout_backward(p, B, l->out_n, l->u.rate, m->aux + l->aux_off, dy, dx);
            break;
        case LC_L_BATCHNORM: {
            int steps = l->u.norm.steps, rows = steps > 0 ? B * steps : B;
            const float *ry = NULL; /* the fused ReLU's output, and dy its gradient */
            if (l->relu_next) {
                ry = m->acts + m->layers[i + 1].act_off;
                dy = m->dacts + m->layers[i + 1].act_off;
            }
            if (rows == 1 && l->part != LC_PART_ENC_TV) { /* the identity (see the forward
                                                            * pass); gamma and beta get 0 */
                if (dx)
                    lc_add_backward(p, (size_t)B * l->out_n, dy, ry, dx, 0, NULL, 0);
                break;
            }
            const float *stats = (const float *)(m->aux + l->aux_off);
            lc_batchnorm_backward_relu(p, rows, l->u.norm.C, l->u.norm.HW, x, w, stats,
                                       stats + l->u.norm.C, dy, ry, dx ? dx : m->dtmp, dw, db);
            break;
        }
        case LC_L_LAYERNORM: {
            const float *stats = (const float *)(m->aux + l->aux_off);
            if (l->u.norm.steps > 0) { /* gradients computed time-major, stored as torch's */
                size_t n = l->out_n;
                float *g = m->conv_ws, *be = g + n, *dg = be + n, *dbe = dg + n;
                ln_affine_steps(l, w, NULL, g, be);
                lc_layernorm_backward(p, B, (int)n, x, g, stats, stats + m->max_batch, dy,
                                      dx ? dx : m->dtmp, dw ? dg : NULL, db ? dbe : NULL);
                int L = l->u.norm.steps, F = l->u.norm.C;
                for (int t = 0; t < L; t++)
                    for (int f = 0; f < F; f++) {
                        if (dw)
                            dw[(size_t)f * L + t] = dg[(size_t)t * F + f];
                        if (db)
                            db[(size_t)f * L + t] = dbe[(size_t)t * F + f];
                    }
                break;
            }
            lc_layernorm_backward(p, B, (int)l->out_n, x, w, stats, stats + m->max_batch, dy,
                                  dx ? dx : m->dtmp, dw, db);
            break;
        }
        case LC_L_CONCAT: {
            size_t F = l->out_n, off = 0;
            for (int k = 0; k < l->nsrc; k++) {
                int s = layer_src(m, i, k);
                size_t Fk = s >= 0 ? m->layers[s].out_n : m->in_ns[-s - 1];
                float *d = grad_target(m, i, k);
                if (d) {
                    for (int b = 0; b < B; b++)
                        memcpy(d + (size_t)b * Fk, dy + (size_t)b * F + off, Fk * sizeof *d);
                    grad_commit(m, p, i, k, B);
                }
                off += Fk;
            }
            continue;
        }
        case LC_L_PATCH_TOKENS: {
            size_t C = (size_t)l->u.norm.C, HW = (size_t)l->u.norm.HW;
            if (dw) {
                memset(dw, 0, C * sizeof *dw);
                for (int s = 0; s < B; s++)
                    for (size_t c = 0; c < C; c++)
                        dw[c] += dy[(size_t)s * (HW + 1) * C + c];
            }
            if (dx)
                for (int s = 0; s < B; s++) {
                    const float *ds = dy + (size_t)s * (HW + 1) * C;
                    float *xs = dx + (size_t)s * C * HW;
                    for (size_t c = 0; c < C; c++)
                        for (size_t q = 0; q < HW; q++)
                            xs[c * HW + q] = ds[(q + 1) * C + c];
                }
            break;
        }
        case LC_L_FIRST_STEP:
            if (dx) {
                size_t F = l->out_n;
                memset(dx, 0, (size_t)B * l->in_n * sizeof *dx);
                for (int s = 0; s < B; s++)
                    memcpy(dx + (size_t)s * l->in_n, dy + (size_t)s * F, F * sizeof *dx);
            }
            break;
        case LC_L_CH_RANGE: /* the range's gradient, 0 on the other channels */
            if (dx) {
                size_t HW = (size_t)l->u.chan.HW, n = (size_t)l->u.chan.nc * HW;
                memset(dx, 0, (size_t)B * l->in_n * sizeof *dx);
                for (int s = 0; s < B; s++)
                    memcpy(dx + (size_t)s * l->in_n + (size_t)l->u.chan.c0 * HW,
                           dy + (size_t)s * n, n * sizeof *dx);
            }
            break;
        case LC_L_CH_SHUFFLE: /* the inverse permutation */
            if (dx) {
                size_t HW = (size_t)l->u.chan.HW, G = (size_t)l->u.chan.groups;
                size_t C = (size_t)l->u.chan.C, cpg = C / G;
                for (int s = 0; s < B; s++)
                    for (size_t g = 0; g < G; g++)
                        for (size_t j = 0; j < cpg; j++)
                            memcpy(dx + ((size_t)s * C + g * cpg + j) * HW,
                                   dy + ((size_t)s * C + j * G + g) * HW, HW * sizeof *dx);
            }
            break;
        case LC_L_STOCHDEPTH:
            if (dx) {
                const float *keep = (const float *)(m->aux + l->aux_off);
                size_t n = l->out_n;
                for (int b = 0; b < B; b++)
                    for (size_t j = 0; j < n; j++)
                        dx[(size_t)b * n + j] = dy[(size_t)b * n + j] * keep[b];
            }
            break;
        case LC_L_PERMUTE: /* the gradient permuted back: (Q, R) -> (R, Q) */
            if (dx)
                permute_rows(B, (size_t)l->u.norm.HW, (size_t)l->u.norm.C, dy, dx);
            break;
        case LC_L_LAYER_SCALE: { /* dx = dy w[c]; dw[c] = sum over samples and map of dy x */
            size_t C = (size_t)l->u.norm.C, HW = (size_t)l->u.norm.HW;
            if (dw)
                for (size_t c = 0; c < C; c++) {
                    double acc = 0.0;
                    for (int b = 0; b < B; b++) {
                        size_t r = (size_t)b * C + c;
                        for (size_t j = 0; j < HW; j++)
                            acc += (double)dy[r * HW + j] * x[r * HW + j];
                    }
                    dw[c] = (float)acc;
                }
            if (dx)
                for (size_t r = 0; r < (size_t)B * C; r++)
                    for (size_t j = 0; j < HW; j++)
                        dx[r * HW + j] = dy[r * HW + j] * w[r % C];
            break;
        }
        case LC_L_CH_AFFINE:
            if (dx) {
                size_t C = (size_t)l->u.aff.C, HW = (size_t)l->u.aff.HW;
                for (size_t r = 0; r < (size_t)B * C; r++)
                    for (size_t j = 0; j < HW; j++)
                        dx[r * HW + j] = dy[r * HW + j] * l->u.aff.scale[r % C];
            }
            break;
        case LC_L_SCALE_CH: { /* dx = dy s; ds[b, c] = sum over the map of dy x */
            const float *sc = src_data(m, layer_src(m, i, 1));
            size_t C = (size_t)l->u.norm.C, HW = (size_t)l->u.norm.HW;
            float *d0 = grad_target(m, i, 0);
            if (d0) {
                for (size_t r = 0; r < (size_t)B * C; r++)
                    for (size_t j = 0; j < HW; j++)
                        d0[r * HW + j] = dy[r * HW + j] * sc[r];
                grad_commit(m, p, i, 0, B);
            }
            float *d1 = grad_target(m, i, 1);
            if (d1) {
                for (size_t r = 0; r < (size_t)B * C; r++) {
                    float acc = 0.0f;
                    for (size_t j = 0; j < HW; j++)
                        acc += dy[r * HW + j] * x[r * HW + j];
                    d1[r] = acc;
                }
                grad_commit(m, p, i, 1, B);
            }
            continue;
        }
        case LC_L_ADD: {
            /* straight into each source's gradient: added where several layers read it (the
             * same sums as through dtmp) */
            float *d[2] = {NULL, NULL};
            int acc[2] = {0, 0};
            for (int k = 0; k < 2; k++) {
                int s = layer_src(m, i, k);
                if (s < 0 || m->layers[s].no_grad)
                    continue;
                d[k] = m->dacts + m->layers[s].act_off;
                /* added to an earlier reader's (or to the other source's, the same layer) */
                acc[k] = m->layers[s].consumers > 1 && m->ginit[s];
                if (m->layers[s].consumers > 1)
                    m->ginit[s] = 1;
            }
            lc_add_backward(p, (size_t)B * l->out_n,
                            l->relu_next ? m->dacts + m->layers[i + 1].act_off : dy,
                            l->relu_next ? m->acts + m->layers[i + 1].act_off : NULL, d[0], acc[0],
                            d[1], acc[1]);
            continue;
        }
        case LC_L_EMBED:
            if (dw && !l->tok) /* (a token-convolved one got its gradient from its readers) */
                lc_embed_backward(p, B * (int)(l->in_n > 0 ? l->in_n : 1), l->u.embed.V,
                                  l->u.embed.D, x, dy, dw);
            break;
        case LC_L_ONEHOT:
            break;
        case LC_L_EMBED_SUM:
            if (dw)
                lc_embed_sum_backward(p, B, (int)(l->in_n / 2), l->u.embed.V, l->u.embed.D, x,
                                      dy, dw);
            break;
        case LC_L_SLICE: /* reads an input slot: nothing to pass back */
        case LC_L_PERIODIC:
            if (dx)
                memset(dx, 0, (size_t)B * l->in_n * sizeof *dx);
            break;
        case LC_L_RNN:
            if (l->tok) { /* the input side per distinct token, from the gate gradients */
                const lc_layer *el = &m->layers[l->tok - 1];
                tok_batch t = tok_of(m, l->tok - 1);
                lc_conv1d c1 = rnn_tok_conv(l);
                for (int d = 0; d < l->u.rnn.D; d++) {
                    rnn_dir r = rnn_dir_of(m, l, d, B, m->params);
                    rnn_dir g = rnn_dir_of(m, l, d, B, m->grads);
                    int train = !l->frozen;
                    lc_rnn_backward(p, &r.r, B, x, r.wih, r.whh, y, l->u.rnn.D * l->u.rnn.H,
                                    d * l->u.rnn.H, r.cache, dy, NULL, NULL,
                                    train ? g.whh : NULL, train ? g.bih : NULL,
                                    train ? g.bhh : NULL, m->conv_ws);
                    lc_tokconv_backward(p, &c1, B, *t.D, t.cid, t.uniq, t.xd, r.wih, m->conv_ws,
                                        2 * c1.F, 0, el->frozen ? NULL : m->grads + el->w_off,
                                        train ? g.wih : NULL, NULL,
                                        m->conv_ws + lc_rnn_ws_floats(&r.r, m->max_batch));
                }
                continue;
            }
            if (dx)
                memset(dx, 0, (size_t)B * l->in_n * sizeof *dx);
            for (int d = 0; d < l->u.rnn.D; d++) {
                rnn_dir r = rnn_dir_of(m, l, d, B, m->params);
                rnn_dir g = rnn_dir_of(m, l, d, B, m->grads);
                int train = !l->frozen;
                lc_rnn_backward(p, &r.r, B, x, r.wih, r.whh, y, l->u.rnn.D * l->u.rnn.H,
                                d * l->u.rnn.H, r.cache, dy, dx, train ? g.wih : NULL,
                                train ? g.whh : NULL, train ? g.bih : NULL,
                                train ? g.bhh : NULL, m->conv_ws);
            }
            break;
        case LC_L_SEQRED:
            if (dx)
                seqred_backward(l, B, x, y, (const int32_t *)(m->aux + l->aux_off), dy, dx);
            break;
        case LC_L_CONV1D:
            if (l->tok && l->tokred) { /* from the reduced output's gradient */
                const lc_layer *el = &m->layers[l->tok - 1], *rl = &m->layers[l->tokred - 1];
                tok_batch t = tok_of(m, l->tok - 1);
                lc_tokconv_relu_sum_backward(p, &l->u.c1, B, *t.D, t.cid, t.uniq, t.xd, w,
                                             m->dacts + rl->act_off, m->tok + l->tok_off,
                                             rl->u.red.mode == LC_RED_MEAN,
                                             el->frozen ? NULL : m->grads + el->w_off, dw, db,
                                             m->conv_ws);
                continue;
            }
            if (l->tok) { /* the embedding's gradient straight into its rows */
                const lc_layer *el = &m->layers[l->tok - 1];
                tok_batch t = tok_of(m, l->tok - 1);
                lc_tokconv_backward(p, &l->u.c1, B, *t.D, t.cid, t.uniq, t.xd, w, dy, l->u.c1.F,
                                    0, el->frozen ? NULL : m->grads + el->w_off, dw, db,
                                    m->conv_ws);
                continue;
            }
            if (dx)
                memset(dx, 0, (size_t)B * l->in_n * sizeof *dx);
            lc_conv1d_backward(p, &l->u.c1, B, x, w, dy, l->u.c1.F, 0, dx, dw, db, m->conv_ws);
            break;
        }
        if (dx)
            grad_commit(m, p, i, 0, B);
    }
}

static void name_prefix(const lc_model *m, const lc_layer *l, char *buf, size_t n)
{
    const char *in = l->feature >= 0 && l->feature < m->nin ? m->in_names[l->feature] : "";
    const char *out = l->feature >= 0 && l->feature < m->nout ? m->out_names[l->feature] : "";
    int sub = l->type == LC_L_BATCHNORM || l->type == LC_L_LAYERNORM ? 1 : 0;
    char stack[64];
    if (l->param_index < 0)
        snprintf(stack, sizeof stack, "norm_layer");
    else
        snprintf(stack, sizeof stack, "stack.%d.layers.%d", l->param_index, sub);
    switch (l->part) {
    case LC_PART_ENC_CONV:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.conv_stack_2d.%s", in,
                 stack);
        break;
    case LC_PART_ENC_FC:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.fc_stack.%s", in,
                 stack);
        break;
    case LC_PART_ENC_EMBED:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.embed.embeddings", in);
        break;
    case LC_PART_ENC_EMBED_BAG:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.embed_weighted.embeddings",
                 in);
        break;
    case LC_PART_ENC_YEAR:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.year_fc.%s", in, stack);
        break;
    case LC_PART_ENC_DATE_EMB:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.embed_%s.embeddings", in,
                 DATE_PARTS[l->param_index >= 0 && l->param_index < 7 ? l->param_index : 0]);
        break;
    case LC_PART_ENC_ATTN:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.reduce_sequence._reduce_obj.fc_layer%d",
                 in, l->param_index);
        break;
    case LC_PART_ENC_EMBED_SEQ:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.embed_sequence.embeddings",
                 in);
        break;
    case LC_PART_ENC_SCONV:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.conv1d_stack.stack.%d.layers.%d",
                 in, l->param_index, sub);
        break;
    case LC_PART_ENC_TOKEN_EMBED:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.embed_sequence.token_embed.embeddings",
                 in);
        break;
    case LC_PART_ENC_POS_EMBED:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.embed_sequence.position_embed",
                 in);
        break;
    case LC_PART_ENC_PROJECT:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.project_to_hidden_size", in);
        break;
    case LC_PART_ENC_TBLOCK: {
        static const char *const subs[8] = {"self_attention.query_dense", "self_attention.key_dense",
                                            "self_attention.value_dense", "self_attention.combine_heads",
                                            "layernorm1", "fully_connected.0", "fully_connected.2",
                                            "layernorm2"};
        int sb = l->param_index % 16;
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.transformer_stack.layers.%d.%s",
                 in, l->param_index / 16, sb < 8 ? subs[sb] : "?");
        break;
    }
    case LC_PART_ENC_SPCONV:
        snprintf(buf, n,
                 "input_features.module_dict.%s__ludwig.encoder_obj.parallel_conv1d_stack.stack.%d.parallel_layers.%d.layers.%d",
                 in, l->param_index / 16, l->param_index % 16, sub);
        break;
    case LC_PART_ENC_PCONV:
        snprintf(buf, n,
                 "input_features.module_dict.%s__ludwig.encoder_obj.parallel_conv1d.parallel_layers.%d.layers.%d",
                 in, l->param_index, sub);
        break;
    case LC_PART_ENC_RNN:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.recurrent_stack.layers",
                 in);
        break;
    case LC_PART_ENC_TV: /* Ludwig's own ResNet is encoder_obj.resnet; _vit_legacy's ViTModel
                          * is in a FreezeModule */
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.%s.%s", in,
                 l->feature < 0 || l->feature >= m->nin ? "model"
                 : m->in_enc[l->feature] == LC_ENC_RESNET_LEGACY ? "resnet"
                 : m->in_enc[l->feature] == LC_ENC_VIT_LEGACY    ? "transformer.module"
                                                                 : "model",
                 l->tvname);
        break;
    case LC_PART_ENC_MIXER:
        snprintf(buf, n, "input_features.module_dict.%s__ludwig.encoder_obj.mlp_mixer.%s", in,
                 l->tvname);
        break;
    case LC_PART_COMBINER:
        snprintf(buf, n, "combiner.fc_stack.%s", stack);
        break;
    case LC_PART_OUT_FC:
        snprintf(buf, n, "output_features.module_dict.%s__ludwig.fc_stack.%s", out, stack);
        break;
    case LC_PART_DECODER:
        snprintf(buf, n, "output_features.module_dict.%s__ludwig.decoder_obj.dense.dense", out);
        break;
    }
}

int lc_model_tensors(const lc_model *m, lc_tensor_info *out, int cap)
{
    int n = 0;
    for (int i = 0; i < m->nlayers; i++) {
        const lc_layer *l = &m->layers[i];
        if (l->w_off == NO_OFF)
            continue;
        char prefix[200];
        name_prefix(m, l, prefix, sizeof prefix);
        if (l->type == LC_L_RNN) {
            /* torch's RNN names, per layer and direction: weight_ih, weight_hh, bias_ih, bias_hh */
            int GH = lc_rnn_gates(l->u.rnn.cell) * l->u.rnn.H;
            for (int d = 0; d < l->u.rnn.D; d++) {
                rnn_dir r = rnn_dir_of(m, l, d, 1, m->params);
                const float *data[4] = {r.wih, r.whh, r.bih, r.bhh};
                const char *nm[4] = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};
                int cols[4] = {l->u.rnn.I, l->u.rnn.H, 0, 0};
                for (int k = 0; k < 4; k++) {
                    if (!data[k])
                        continue;
                    if (n < cap) {
                        lc_tensor_info *t = &out[n];
                        memset(t, 0, sizeof *t);
                        snprintf(t->name, sizeof t->name, "%s.%s_l%d%s", prefix, nm[k],
                                 l->param_index, d ? "_reverse" : "");
                        t->data = data[k];
                        t->n = (size_t)GH * (size_t)(cols[k] ? cols[k] : 1);
                        t->ndim = cols[k] ? 2 : 1;
                        t->shape[0] = GH;
                        t->shape[1] = cols[k];
                    }
                    n++;
                }
            }
            continue;
        }
        if (l->part == LC_PART_DECODER && m->heads[l->feature].calibrated) {
            /* Ludwig registers the output feature's calibration module between its fc_stack
             * and its decoder */
            if (n < cap) {
                lc_tensor_info *t = &out[n];
                memset(t, 0, sizeof *t);
                snprintf(t->name, sizeof t->name,
                         "output_features.module_dict.%s__ludwig._calibration_module.temperature",
                         m->out_names[l->feature]);
                t->data = &m->heads[l->feature].temperature;
                t->n = 1;
                t->ndim = 1;
                t->shape[0] = 1;
            }
            n++;
        }
        struct {
            const char *suffix;
            const float *data;
            size_t n;
            int buffer;
        } parts[4] = {{"weight", m->params + l->w_off, l->w_n, 0},
                      {"bias", l->b_off != NO_OFF ? m->params + l->b_off : NULL, l->b_n, 0},
                      {"running_mean", NULL, 0, 1},
                      {"running_var", NULL, 0, 1}};
        if (l->type == LC_L_BATCHNORM) {
            parts[2].data = m->buffers + l->buf_off;
            parts[2].n = (size_t)l->u.norm.C;
            parts[3].data = m->buffers + l->buf_off + l->u.norm.C;
            parts[3].n = (size_t)l->u.norm.C;
        }
        if (l->wsuffix)
            parts[0].suffix = l->wsuffix;
        if (l->bsuffix)
            parts[1].suffix = l->bsuffix;
        if (l->w_n == 0) /* a view into another layer's tensor (ViT's packed in_proj) */
            continue;
        for (int k = 0; k < 4; k++) {
            if (!parts[k].data)
                continue;
            if (n < cap) {
                lc_tensor_info *t = &out[n];
                memset(t, 0, sizeof *t);
                size_t pl = strlen(prefix);
                if (pl > 0 && prefix[pl - 1] == '.') /* an empty tvname: the model's own */
                    snprintf(t->name, sizeof t->name, "%s%s", prefix, parts[k].suffix);
                else
                    snprintf(t->name, sizeof t->name, "%s.%s", prefix, parts[k].suffix);
                t->data = parts[k].data;
                t->n = parts[k].n;
                t->is_buffer = parts[k].buffer;
                t->frozen_eye = k == 0 && l->frozen && l->w_init == LC_INIT_EYE;
                if (k == 0 && l->type == LC_L_EMBED_SUM)
                    t->arange = l->part == LC_PART_ENC_EMBED_BAG ? LC_ARANGE_VOCAB_I32
                                                                 : LC_ARANGE_VOCAB_I64;
                else if (k == 0 && l->part == LC_PART_ENC_POS_EMBED)
                    t->arange = LC_ARANGE_POSITIONS;
                else if (k == 0 && l->type == LC_L_WIN_ATTN)
                    t->arange = l->u.win.mode == LC_WINATTN_MAXVIT ? LC_ARANGE_MAXVIT_RPI
                                                                   : LC_ARANGE_SWIN_RPI;
                if (k == 0 && l->type == LC_L_CONV) {
                    t->ndim = 4;
                    t->shape[0] = l->u.conv.OC;
                    t->shape[1] = l->u.conv.C / (l->u.conv.groups > 1 ? l->u.conv.groups : 1);
                    t->shape[2] = l->u.conv.KH;
                    t->shape[3] = l->u.conv.KW;
                } else if (k == 0 && l->type == LC_L_WIN_ATTN) {
                    t->ndim = 2; /* relative_position_bias_table ((2ws-1)^2, heads) */
                    t->shape[0] = (int64_t)(l->w_n / (size_t)l->u.win.heads);
                    t->shape[1] = l->u.win.heads;
                } else if (k == 0 && l->wshape3 > 0) {
                    t->ndim = 3;
                    t->shape[0] = 1;
                    t->shape[1] = (int64_t)(l->w_n / (size_t)l->wshape3);
                    t->shape[2] = l->wshape3;
                } else if (k == 0 && l->type == LC_L_DENSE) {
                    t->ndim = 2;
                    t->shape[0] = (int64_t)(l->w_n / (size_t)l->u.dense.in); /* packed: 3 out */
                    t->shape[1] = l->u.dense.in;
                } else if (k == 0 && l->type == LC_L_CONV1D) {
                    t->ndim = 3;
                    t->shape[0] = l->u.c1.F;
                    t->shape[1] = l->u.c1.E;
                    t->shape[2] = l->u.c1.k;
                } else if (k < 2 && l->type == LC_L_LAYERNORM && l->u.norm.steps > 0) {
                    t->ndim = 2; /* LayerNorm([num_filters, steps]) */
                    t->shape[0] = l->u.norm.C;
                    t->shape[1] = l->u.norm.steps;
                } else if (k == 0 && l->type == LC_L_LAYER_SCALE) {
                    t->ndim = 3; /* ConvNeXt's layer_scale (C, 1, 1) */
                    t->shape[0] = l->u.norm.C;
                    t->shape[1] = 1;
                    t->shape[2] = 1;
                } else if (k == 0 && l->type == LC_L_POSADD) {
                    t->ndim = 2;
                    t->shape[0] = l->u.mha.T;
                    t->shape[1] = l->u.mha.H;
                } else if (k == 0 && (l->type == LC_L_EMBED || l->type == LC_L_EMBED_SUM)) {
                    t->ndim = 2;
                    t->shape[0] = l->u.embed.V;
                    t->shape[1] = l->u.embed.D;
                } else {
                    t->ndim = 1;
                    t->shape[0] = (int64_t)parts[k].n;
                }
            }
            n++;
        }
    }
    return n;
}
