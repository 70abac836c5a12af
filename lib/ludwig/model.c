/* model.c - plans the stacked_cnn -> fc -> classifier network from its spec, allocates its slabs
 * and arenas once, initialises parameters and runs forward/backward over a batch. Kernels live in
 * lib/core; this file only sequences them and owns the memory layout. */
#include "lc_model.h"
#include "lc_conv_eval.h"

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
    size_t nparams, nbuffers;
    size_t acts_per_sample;  /* floats */
    size_t aux_per_sample;   /* bytes, per sample part */
    size_t aux_fixed;        /* bytes, batch-independent part (norm stats) */
    size_t max_in_n;
} planner;

static lc_layer *add_layer(planner *pl, lc_ltype type, size_t in_n, size_t out_n, lc_error *e)
{
    if (pl->n == pl->cap) {
        int cap = pl->cap ? pl->cap * 2 : 16;
        lc_layer *g = lc_realloc_array(pl->layers, (size_t)cap, sizeof *g);
        if (!g) {
            lc_error_set(e, LC_ERR_NOMEM, "out of memory planning the model");
            return NULL;
        }
        pl->layers = g;
        pl->cap = cap;
    }
    lc_layer *l = &pl->layers[pl->n++];
    memset(l, 0, sizeof *l);
    l->type = type;
    l->in_n = in_n;
    l->out_n = out_n;
    l->w_off = l->b_off = l->buf_off = NO_OFF;
    l->act_off = pl->acts_per_sample;
    pl->acts_per_sample += out_n;
    if (in_n > pl->max_in_n)
        pl->max_in_n = in_n;
    if (out_n > pl->max_in_n)
        pl->max_in_n = out_n;
    return l;
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

static lc_status add_norm(planner *pl, const lc_norm_spec *ns, int C, int HW, int index,
                          lc_error *e)
{
    if (ns->type == LC_NORM_NONE)
        return LC_OK;
    size_t n = (size_t)C * (size_t)HW;
    lc_layer *l = add_layer(pl, ns->type == LC_NORM_BATCH ? LC_L_BATCHNORM : LC_L_LAYERNORM, n,
                            n, e);
    if (!l)
        return LC_ERR_NOMEM;
    l->param_index = index;
    l->u.norm.C = C;
    l->u.norm.HW = HW;
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
        /* mean/invstd per sample: placed by lc_model_create once max_batch is known */
    }
    return LC_OK;
}

static lc_status add_act_dropout(planner *pl, lc_act act, float rate, size_t n, int index,
                                 lc_error *e)
{
    if (act != LC_ACT_LINEAR) {
        lc_layer *l = add_layer(pl, LC_L_ACT, n, n, e);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.act = act;
        l->param_index = index;
    }
    if (rate > 0.0f) {
        lc_layer *l = add_layer(pl, LC_L_DROPOUT, n, n, e);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.rate = rate;
        l->param_index = index;
        l->aux_off = pl->aux_per_sample;
        pl->aux_per_sample += n;
    }
    return LC_OK;
}

static lc_status plan(planner *pl, const lc_model_spec *s, lc_error *e)
{
    int C = s->C, H = s->H, W = s->W;
    lc_status st;
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
        size_t in_n = (size_t)C * H * W, out_n = (size_t)cv.OC * cv.OH * cv.OW;
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
        lc_layer *l = add_layer(pl, LC_L_CONV, in_n, block_n, e);
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
        C = cv.OC;
        H = cv.OH;
        W = cv.OW;
        if (fuse) {
            H = fu.POH;
            W = fu.POW;
            continue;
        }
        if ((st = add_norm(pl, &cs->norm, C, H * W, i, e)))
            return st;
        if ((st = add_act_dropout(pl, cs->act, cs->dropout, out_n, i, e)))
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
            lc_layer *pl2 = add_layer(pl, LC_L_POOL, out_n, pout, e);
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
            H = q.OH;
            W = q.OW;
        }
    }
    int F = C * H * W; /* flatten */
    for (int i = 0; i < s->nfc; i++) {
        const lc_fc_spec *fs = &s->fc[i];
        lc_layer *l = add_layer(pl, LC_L_DENSE, (size_t)F, (size_t)fs->out, e);
        if (!l)
            return LC_ERR_NOMEM;
        l->u.dense.in = F;
        l->u.dense.out = fs->out;
        l->param_index = i;
        l->fan_in = (size_t)F;
        l->fan_out = (size_t)fs->out;
        add_params(pl, l, (size_t)fs->out * F, fs->use_bias ? (size_t)fs->out : 0, fs->w_init,
                   fs->b_init);
        F = fs->out;
        if ((st = add_norm(pl, &fs->norm, F, 1, i, e)))
            return st;
        if ((st = add_act_dropout(pl, fs->act, fs->dropout, (size_t)F, i, e)))
            return st;
    }
    lc_layer *l = add_layer(pl, LC_L_DENSE, (size_t)F, (size_t)s->nclasses, e);
    if (!l)
        return LC_ERR_NOMEM;
    l->u.dense.in = F;
    l->u.dense.out = s->nclasses;
    l->param_index = -1;
    l->fan_in = (size_t)F;
    l->fan_out = (size_t)s->nclasses;
    add_params(pl, l, (size_t)s->nclasses * F, s->out_use_bias ? (size_t)s->nclasses : 0,
               s->out_w_init, s->out_b_init);
    return LC_OK;
}

void lc_model_free(lc_model *m)
{
    if (!m)
        return;
    free(m->spec.conv);
    free(m->spec.fc);
    free(m->layers);
    lc_free(m->params);
    lc_free(m->grads);
    lc_free(m->opt_state);
    lc_free(m->buffers);
    lc_free(m->input);
    lc_free(m->acts);
    lc_free(m->aux);
    lc_free(m->grad_a);
    lc_free(m->grad_b);
    lc_free(m->conv_ws);
    lc_free(m->probs);
    lc_free(m->dlogits);
    lc_free(m->labels);
    free(m);
}

/* The run of consecutive fused conv layers starting at layer i (at most
 * LC_CONV_EVAL_MAX_CHAIN), as evaluation chain blocks; 0 when layer i is not a fused conv.
 * Outputs are the layers' activations once the arenas exist (create plans with them unset). */
static int eval_chain(const lc_model *m, int i, lc_conv_eval_block *blk)
{
    int n = 0;
    while (i + n < m->nlayers && n < LC_CONV_EVAL_MAX_CHAIN) {
        const lc_layer *l = &m->layers[i + n];
        if (l->type != LC_L_CONV || !l->fused)
            break;
        blk[n] = (lc_conv_eval_block){
            .c = &l->u.conv,
            .f = &l->fuse,
            .w = m->params ? m->params + l->w_off : NULL,
            .b = m->params && l->b_off != NO_OFF ? m->params + l->b_off : NULL,
            .y = m->acts ? m->acts + l->act_off : NULL};
        n++;
    }
    return n;
}

lc_status lc_model_create(const lc_model_spec *spec, int max_batch, int nthreads, lc_model **out,
                          lc_error *e)
{
    *out = NULL;
    if (spec->nclasses < 1)
        return lc_error_set(e, LC_ERR_CONFIG, "the output feature has no classes");
    if (max_batch < 1)
        max_batch = 1;
    planner pl = {0};
    lc_status st = plan(&pl, spec, e);
    if (st) {
        free(pl.layers);
        return st;
    }
    lc_model *m = calloc(1, sizeof *m);
    if (!m) {
        free(pl.layers);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory creating the model");
    }
    m->spec = *spec;
    m->spec.conv = NULL;
    m->spec.fc = NULL;
    m->layers = pl.layers;
    m->nlayers = pl.n;
    m->nclasses = spec->nclasses;
    m->max_batch = max_batch;
    m->nthreads = nthreads < 1 ? 1 : nthreads;
    m->in_n = (size_t)spec->C * spec->H * spec->W;
    m->nparams = pl.nparams;
    m->nbuffers = pl.nbuffers;
    if (spec->nconv) {
        m->spec.conv = lc_realloc_array(NULL, (size_t)spec->nconv, sizeof *spec->conv);
        if (!m->spec.conv)
            goto nomem;
        memcpy(m->spec.conv, spec->conv, (size_t)spec->nconv * sizeof *spec->conv);
    }
    if (spec->nfc) {
        m->spec.fc = lc_realloc_array(NULL, (size_t)spec->nfc, sizeof *spec->fc);
        if (!m->spec.fc)
            goto nomem;
        memcpy(m->spec.fc, spec->fc, (size_t)spec->nfc * sizeof *spec->fc);
    }
    /* per-sample layer-norm statistics go after the per-sample aux block */
    /* the float statistics after the per-sample block stay aligned */
    size_t aux_per_sample = (pl.aux_per_sample + 7) & ~(size_t)7, aux_fixed = pl.aux_fixed;
    size_t B = (size_t)max_batch, tmp;
    for (int i = 0; i < m->nlayers; i++) {
        lc_layer *l = &m->layers[i];
        if (l->type == LC_L_LAYERNORM) {
            l->aux_off = aux_fixed; /* relative to the fixed block */
            aux_fixed += 2 * B * sizeof(float);
        }
    }
    size_t aux_bytes;
    if (lc_size_mul(aux_per_sample, B, &tmp) || lc_size_add(tmp, aux_fixed, &aux_bytes))
        goto nomem;
    /* fixed-block offsets become absolute after the per-sample block */
    for (int i = 0; i < m->nlayers; i++) {
        lc_layer *l = &m->layers[i];
        if (l->type == LC_L_BATCHNORM || l->type == LC_L_LAYERNORM)
            l->aux_off += aux_per_sample * B;
        else if (l->type == LC_L_DROPOUT || (l->type == LC_L_POOL && l->u.pool.is_max) ||
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
    m->conv_ws_n = ws;
    m->opt_per_param = 0;
    if (!(m->params = lc_alloc(m->nparams, sizeof(float))) ||
        !(m->grads = lc_alloc(m->nparams, sizeof(float))) ||
        !(m->buffers = lc_alloc(m->nbuffers, sizeof(float))) ||
        !(m->input = lc_alloc(B * m->in_n, sizeof(float))) ||
        !(m->acts = lc_alloc(B * pl.acts_per_sample, sizeof(float))) ||
        !(m->aux = lc_alloc(aux_bytes, 1)) ||
        !(m->grad_a = lc_alloc(B * pl.max_in_n, sizeof(float))) ||
        !(m->grad_b = lc_alloc(B * pl.max_in_n, sizeof(float))) ||
        !(m->conv_ws = lc_alloc(ws, sizeof(float))) ||
        !(m->probs = lc_alloc(B * (size_t)m->nclasses, sizeof(float))) ||
        !(m->dlogits = lc_alloc(B * (size_t)m->nclasses, sizeof(float))) ||
        !(m->labels = lc_alloc(B, sizeof(int32_t))))
        goto nomem;
    for (int i = 0; i < m->nlayers; i++) {
        lc_layer *l = &m->layers[i];
        l->act_off *= B;
        if (l->type == LC_L_BATCHNORM) /* running var starts at 1 */
            for (int c = 0; c < l->u.norm.C; c++)
                m->buffers[l->buf_off + (size_t)l->u.norm.C + (size_t)c] = 1.0f;
    }
    *out = m;
    return LC_OK;
nomem:
    lc_model_free(m);
    return lc_error_set(e, LC_ERR_NOMEM,
                        "out of memory allocating the model for batch size %d", max_batch);
}

static double normal01(lc_rng *r)
{
    double u1 = lc_u01d(lc_rng_next(r)), u2 = lc_u01d(lc_rng_next(r));
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
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
    case LC_INIT_UNIFORM:
        for (size_t i = 0; i < n; i++)
            t[i] = (float)lc_u01d(lc_rng_next(r));
        return;
    case LC_INIT_NORMAL:
        uniform = 0;
        sd = 1.0;
        break;
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
            init_tensor(m->params + l->w_off, l->w_n, l->w_init, l->fan_in, l->fan_out, 0, &r);
        }
        if (l->b_off != NO_OFF) {
            lc_rng_init(&r, seed, LC_STREAM_INIT, k++);
            init_tensor(m->params + l->b_off, l->b_n, l->b_init, l->fan_in, l->fan_out, 1, &r);
        }
    }
}

static const float *layer_in(const lc_model *m, int i)
{
    return i == 0 ? m->input : m->acts + m->layers[i - 1].act_off;
}

const float *lc_model_logits(const lc_model *m)
{
    return m->acts + m->layers[m->nlayers - 1].act_off;
}

void lc_model_forward(lc_model *m, lc_pool *p, int B, int training, uint64_t seed, uint64_t step)
{
    for (int i = 0; i < m->nlayers; i++) {
        lc_layer *l = &m->layers[i];
        if (!training) {
            lc_conv_eval_block blk[LC_CONV_EVAL_MAX_CHAIN];
            int n = eval_chain(m, i, blk);
            if (n > 0 && lc_conv_eval_chain(p, n, blk, B, layer_in(m, i), m->conv_ws)) {
                i += n - 1;
                continue;
            }
        }
        const float *x = layer_in(m, i);
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
                lc_conv2d_forward(p, &l->u.conv, B, x, w, b, y, m->conv_ws);
            break;
        case LC_L_POOL:
            lc_pool2d_forward(p, &l->u.pool, B, x, y,
                              l->u.pool.is_max ? (int32_t *)(m->aux + l->aux_off) : NULL);
            break;
        case LC_L_ACT:
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
            float *stats = (float *)(m->aux + l->aux_off);
            float *rm = m->buffers + l->buf_off, *rv = rm + l->u.norm.C;
            if (training)
                lc_batchnorm_forward_train(p, B, l->u.norm.C, l->u.norm.HW, l->u.norm.eps,
                                           l->u.norm.momentum, x, w, b, y, stats,
                                           stats + l->u.norm.C, rm, rv);
            else
                lc_batchnorm_forward_eval(p, B, l->u.norm.C, l->u.norm.HW, l->u.norm.eps, x, w,
                                          b, rm, rv, y);
            break;
        }
        case LC_L_LAYERNORM: {
            float *stats = (float *)(m->aux + l->aux_off);
            lc_layernorm_forward(p, B, (int)l->out_n, l->u.norm.eps, x, w, b, y, stats,
                                 stats + m->max_batch);
            break;
        }
        case LC_L_DENSE:
            lc_dense_forward(p, B, l->u.dense.in, l->u.dense.out, x, w, b, y);
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

void lc_model_backward(lc_model *m, lc_pool *p, int B)
{
    const float *dy = m->dlogits;
    float *bufs[2] = {m->grad_a, m->grad_b};
    int which = 0;
    for (int i = m->nlayers - 1; i >= 0; i--) {
        lc_layer *l = &m->layers[i];
        const float *x = layer_in(m, i);
        const float *y = m->acts + l->act_off;
        float *dx = i > 0 ? bufs[which] : NULL;
        const float *w = l->w_off != NO_OFF ? m->params + l->w_off : NULL;
        float *dw = l->w_off != NO_OFF ? m->grads + l->w_off : NULL;
        float *db = l->b_off != NO_OFF ? m->grads + l->b_off : NULL;
        switch (l->type) {
        case LC_L_CONV:
            if (l->fused)
                lc_conv2d_backward_fused(p, &l->u.conv, &l->fuse, B, x, w, y,
                                         m->aux + l->aux_off, l->fuse_rate, dy, dx, dw, db,
                                         m->conv_ws);
            else
                lc_conv2d_backward(p, &l->u.conv, B, x, w, dy, dx, dw, db, m->conv_ws);
            break;
        case LC_L_DENSE:
            lc_dense_backward(p, B, l->u.dense.in, l->u.dense.out, x, w, dy, dx, dw, db);
            break;
        case LC_L_POOL:
            if (dx)
                lc_pool2d_backward(p, &l->u.pool, B, dy,
                                   l->u.pool.is_max ? (const int32_t *)(m->aux + l->aux_off)
                                                    : NULL,
                                   dx);
            break;
        case LC_L_ACT:
            if (dx)
                lc_act_backward(p, l->u.act, (size_t)B * l->out_n, x, y, dy, dx);
            break;
        case LC_L_DROPOUT:
            if (dx)
                lc_dropout_backward(p, B, l->out_n, l->u.rate, m->aux + l->aux_off, dy, dx);
            break;
        case LC_L_BATCHNORM: {
            /* a norm layer always follows a conv or dense layer, so dx exists */
            const float *stats = (const float *)(m->aux + l->aux_off);
            lc_batchnorm_backward(p, B, l->u.norm.C, l->u.norm.HW, x, w, stats,
                                  stats + l->u.norm.C, dy, dx, dw, db);
            break;
        }
        case LC_L_LAYERNORM: {
            const float *stats = (const float *)(m->aux + l->aux_off);
            lc_layernorm_backward(p, B, (int)l->out_n, x, w, stats, stats + m->max_batch, dy,
                                  dx, dw, db);
            break;
        }
        }
        if (dx) {
            dy = dx;
            which ^= 1;
        }
    }
}

int lc_model_tensors(const lc_model *m, const char *input_name, const char *output_name,
                     lc_tensor_info *out, int cap)
{
    int n = 0;
    int in_fc = 0;
    for (int i = 0; i < m->nlayers; i++) {
        const lc_layer *l = &m->layers[i];
        if (l->type == LC_L_DENSE && l->param_index >= 0)
            in_fc = 1;
        if (l->w_off == NO_OFF)
            continue;
        char prefix[128];
        if (l->param_index < 0)
            snprintf(prefix, sizeof prefix, "output_features.module_dict.%s__ludwig.decoder_obj.dense.dense",
                     output_name);
        else
            snprintf(prefix, sizeof prefix,
                     "input_features.module_dict.%s__ludwig.encoder_obj.%s.stack.%d.layers.%d",
                     input_name, in_fc ? "fc_stack" : "conv_stack_2d", l->param_index,
                     l->type == LC_L_CONV || l->type == LC_L_DENSE ? 0 : 1);
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
        for (int k = 0; k < 4; k++) {
            if (!parts[k].data)
                continue;
            if (n < cap) {
                lc_tensor_info *t = &out[n];
                memset(t, 0, sizeof *t);
                snprintf(t->name, sizeof t->name, "%s.%s", prefix, parts[k].suffix);
                t->data = parts[k].data;
                t->n = parts[k].n;
                t->is_buffer = parts[k].buffer;
                if (k == 0 && l->type == LC_L_CONV) {
                    t->ndim = 4;
                    t->shape[0] = l->u.conv.OC;
                    t->shape[1] = l->u.conv.C;
                    t->shape[2] = l->u.conv.KH;
                    t->shape[3] = l->u.conv.KW;
                } else if (k == 0 && l->type == LC_L_DENSE) {
                    t->ndim = 2;
                    t->shape[0] = l->u.dense.out;
                    t->shape[1] = l->u.dense.in;
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
