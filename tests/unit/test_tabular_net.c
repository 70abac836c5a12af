/* test_tabular_net.c - the tabular network graph (lc_model_create_net: passthrough, dense, embed
 * and onehot encoders -> concat -> the combiner's FCStack -> three heads) against PyTorch 1.13
 * (tests/fixtures/tabular_{bn,ln}.bin, written by tests/gen_fixtures_tabular.py): tensor names,
 * order and shapes against the state_dict; logits, the number / binary / category losses and
 * their weighted total, every gradient; parameters and running stats after 3 Adam and 3
 * SGD-momentum steps. Then central finite differences of the total loss for the graph pieces
 * (concat of an input slot, a layer and an embedding; residual adds; the combiner output read by
 * three heads; stack-level batch and layer norm; onehot; dropout with fixed masks), dropout off
 * in evaluation, one-sample batches (batch norm is the identity there, as Ludwig's
 * BatchNorm1dOrIdentity), and 1 vs 3 threads bitwise. Run from the repository root.
 * The losses are lib/core's; each head's dlogits is loss weight x gradient, as heads.c does. */
#include "check.h"
#include "lc_layers.h"
#include "lc_losses.h"
#include "lc_model.h"
#include "lc_pool.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NAMELEN = 128, MAXREC = 256, MAXT = 64, MAGIC = 0x4254434C, NIN = 5, NOUT = 3 };
enum { B = 8, STEPS = 3 };

static const char *const in_names[NIN] = {"num_a", "num_b", "bin_c", "cat_d", "cat_e"};
static const char *const out_names[NOUT] = {"num_y", "bin_y", "cat_y"};

/* ---- the fixture: named records ---- */

typedef struct rec {
    char name[NAMELEN];
    int kind;  /* 0 data, 1 parameter, 2 buffer */
    int dtype; /* 0 float32, 1 int32 */
    int ndim, shape[4];
    size_t n;
    float *f;
    int32_t *i;
} rec;

typedef struct fixture {
    int R;
    rec r[MAXREC];
} fixture;

static void fixture_free(fixture *x)
{
    for (int k = 0; k < x->R; k++) {
        free(x->r[k].f);
        free(x->r[k].i);
    }
    x->R = 0;
}

static int fixture_read(const char *path, fixture *x)
{
    memset(x, 0, sizeof *x);
    FILE *f = fopen(path, "rb");
    CHECK_MSG(f != NULL, "cannot open %s (run the tests from the repository root)", path);
    if (!f)
        return -1;
    int32_t h[3];
    int ok = check_read_words(f, h, 3) == 0 && (uint32_t)h[0] == MAGIC && h[1] == 1 && h[2] > 0 &&
             h[2] <= MAXREC;
    for (int k = 0; ok && k < h[2]; k++) {
        rec *r = &x->r[k];
        int32_t d[7];
        ok = fread(r->name, 1, NAMELEN, f) == NAMELEN && check_read_words(f, d, 7) == 0;
        r->name[NAMELEN - 1] = '\0';
        r->kind = d[0], r->dtype = d[1], r->ndim = d[2];
        r->n = 1;
        for (int j = 0; j < 4; j++) {
            r->shape[j] = d[3 + j];
            if (j < r->ndim)
                r->n *= (size_t)(d[3 + j] > 0 ? d[3 + j] : 0);
        }
        ok = ok && r->ndim >= 1 && r->ndim <= 4 && r->n > 0 && r->n < 100000 &&
             (r->dtype == 0 || r->dtype == 1);
        if (!ok)
            break;
        void *buf = malloc(r->n * 4);
        ok = buf && check_read_words(f, buf, r->n) == 0;
        if (r->dtype)
            r->i = buf;
        else
            r->f = buf;
        x->R = k + 1;
    }
    ok = ok && fgetc(f) == EOF;
    fclose(f);
    CHECK_MSG(ok, "%s: malformed fixture", path);
    return ok ? 0 : -1;
}

/* The record prefix.name, or NULL (after a failed CHECK) when absent or not n values of dtype. */
static const rec *need(const fixture *x, const char *prefix, const char *name, int dtype,
                       size_t n)
{
    char full[2 * NAMELEN];
    snprintf(full, sizeof full, "%s.%s", prefix, name);
    for (int k = 0; k < x->R; k++)
        if (strcmp(x->r[k].name, full) == 0) {
            int ok = x->r[k].dtype == dtype && (n == 0 || x->r[k].n == n);
            CHECK_MSG(ok, "fixture record %s: %zu values of dtype %d, want %zu of %d", full,
                      x->r[k].n, x->r[k].dtype, n, dtype);
            return ok ? &x->r[k] : NULL;
        }
    CHECK_MSG(0, "fixture record %s is missing", full);
    return NULL;
}

/* ---- the network ---- */

/* What varies between the nets of this test. */
typedef struct net_opts {
    lc_norm comb_norm;   /* the combiner's FCStack norm (stack input and every layer) */
    int comb_out;        /* its two layers' width */
    int residual;
    int enc_two;         /* num_b's dense encoder: 2 layers, the second with batch norm (else 1) */
    float dropout;       /* the combiner's FCStack dropout (stack input and every layer) */
    float embed_dropout; /* cat_d's embedding dropout */
    int huber;           /* num_y's loss: huber (delta) or MSE */
} net_opts;

/* The losses: loss weights per output, binary pos_weight, category class weights. */
typedef struct loss_cfg {
    float weight[NOUT], pos_weight, class_w[3], delta;
    int huber;
} loss_cfg;

typedef struct net_def {
    lc_input_spec in[NIN];
    lc_output_spec out[NOUT];
    lc_fc_spec enc_fc[2], comb_fc[2], out_fc;
    lc_net_spec spec;
} net_def;

/* The net gen_fixtures_tabular.py builds (and the variations the finite differences use). */
static void net_def_make(net_def *d, const net_opts *o)
{
    memset(d, 0, sizeof *d);
    lc_norm_spec comb_norm = {o->comb_norm, 1e-5f, 0.1f};
    for (int i = 0; i < 2; i++)
        d->enc_fc[i] = (lc_fc_spec){.out = 3, .use_bias = 1, .w_init = LC_INIT_XAVIER_UNIFORM,
                                    .b_init = LC_INIT_UNIFORM, .act = LC_ACT_RELU};
    d->enc_fc[1].norm = (lc_norm_spec){LC_NORM_BATCH, 1e-5f, 0.1f};
    for (int i = 0; i < 2; i++)
        d->comb_fc[i] = (lc_fc_spec){.out = o->comb_out, .use_bias = 1,
                                     .w_init = LC_INIT_XAVIER_UNIFORM, .b_init = LC_INIT_UNIFORM,
                                     .norm = comb_norm, .act = LC_ACT_RELU,
                                     .dropout = o->dropout};
    d->out_fc = (lc_fc_spec){.out = 4, .use_bias = 1, .w_init = LC_INIT_XAVIER_UNIFORM,
                             .b_init = LC_INIT_UNIFORM, .act = LC_ACT_RELU};
    d->in[0] = (lc_input_spec){.name = in_names[0], .enc = LC_ENC_PASSTHROUGH};
    d->in[1] = (lc_input_spec){.name = in_names[1], .enc = LC_ENC_DENSE,
                               .fc = {.n = o->enc_two ? 2 : 1, .layers = d->enc_fc}};
    d->in[2] = (lc_input_spec){.name = in_names[2], .enc = LC_ENC_PASSTHROUGH};
    d->in[3] = (lc_input_spec){.name = in_names[3], .enc = LC_ENC_EMBED, .vocab = 5,
                               .embed_size = 3, .embed_init = LC_INIT_UNIFORM_PM1,
                               .embed_trainable = 1, .embed_dropout = o->embed_dropout};
    d->in[4] = (lc_input_spec){.name = in_names[4], .enc = LC_ENC_ONEHOT, .vocab = 4};
    d->out[0] = (lc_output_spec){.name = out_names[0], .type = LC_HEAD_NUMBER,
                                 .fc = {.n = 1, .layers = &d->out_fc}, .use_bias = 1,
                                 .w_init = LC_INIT_XAVIER_UNIFORM, .b_init = LC_INIT_UNIFORM};
    d->out[1] = (lc_output_spec){.name = out_names[1], .type = LC_HEAD_BINARY, .use_bias = 1,
                                 .w_init = LC_INIT_XAVIER_UNIFORM, .b_init = LC_INIT_UNIFORM};
    d->out[2] = (lc_output_spec){.name = out_names[2], .type = LC_HEAD_CATEGORY, .nclasses = 3,
                                 .use_bias = 1, .w_init = LC_INIT_XAVIER_UNIFORM,
                                 .b_init = LC_INIT_UNIFORM};
    d->spec = (lc_net_spec){.nin = NIN, .in = d->in, .nout = NOUT, .out = d->out,
                            .comb = {.n = 2, .layers = d->comb_fc, .norm = comb_norm,
                                     .dropout = o->dropout, .residual = o->residual}};
}

static lc_model *net_create(const net_opts *o, int nthreads)
{
    net_def d;
    net_def_make(&d, o);
    lc_model *m = NULL;
    lc_error e;
    lc_error_clear(&e);
    lc_status st = lc_model_create_net(&d.spec, B, nthreads, &m, &e);
    CHECK_MSG(st == LC_OK, "lc_model_create_net: %s", e.msg);
    return st == LC_OK ? m : NULL;
}

/* The total training loss after a forward pass: sum of weight x loss; per output in per. */
static double net_loss(lc_model *m, const loss_cfg *c, double per[NOUT])
{
    lc_bwce bw = {.pos_weight = c->pos_weight};
    lc_head *h = m->heads;
    per[0] = lc_num_loss_forward(c->huber ? LC_NUM_LOSS_HUBER : LC_NUM_LOSS_MSE, c->delta, B,
                                 lc_model_head_out(m, 0), h[0].targets);
    per[1] = lc_bwce_forward(&bw, B, lc_model_head_out(m, 1), h[1].targets, h[1].probs);
    per[2] = lc_softmax_xent_weighted_forward(B, 3, lc_model_head_out(m, 2), h[2].labels,
                                              c->class_w, h[2].probs, NULL);
    double total = 0.0;
    for (int o = 0; o < NOUT; o++)
        total += (double)c->weight[o] * per[o];
    return total;
}

/* Each head's dlogits: loss weight x d(loss)/d(logits), as heads.c sets them. */
static void net_dlogits(lc_model *m, const loss_cfg *c)
{
    lc_bwce bw = {.pos_weight = c->pos_weight};
    lc_head *h = m->heads;
    lc_num_loss_backward(c->huber ? LC_NUM_LOSS_HUBER : LC_NUM_LOSS_MSE, c->delta, B,
                         lc_model_head_out(m, 0), h[0].targets, c->weight[0], h[0].dlogits);
    lc_bwce_backward(&bw, B, lc_model_head_out(m, 1), h[1].targets, c->weight[1],
                     h[1].dlogits);
    lc_softmax_xent_weighted_backward(B, 3, h[2].probs, h[2].labels, c->class_w, c->weight[2],
                                      h[2].dlogits);
}

static double loss_at(lc_model *m, lc_pool *p, const loss_cfg *c, uint64_t step)
{
    double per[NOUT];
    lc_model_forward(m, p, B, 1, 7, step);
    return net_loss(m, c, per);
}

/* ---- comparisons ---- */

/* max over elements of |a-b| / (atol + rtol |b|), and the max absolute difference */
typedef struct err {
    double worst, maxabs;
} err;

static void cmp(err *e, const float *a, const float *b, size_t n, double atol, double rtol)
{
    for (size_t k = 0; k < n; k++) {
        double d = fabs((double)a[k] - b[k]);
        double r = d / (atol + rtol * fabs(b[k]));
        if (!(r <= e->worst))
            e->worst = r;
        if (!(d <= e->maxabs))
            e->maxabs = d;
    }
}

static float *dup(const float *a, size_t n)
{
    float *d = malloc((n ? n : 1) * sizeof *d);
    if (d && n)
        memcpy(d, a, n * sizeof *d);
    return d;
}

/* A tensor of the model as a writable pointer into its own slabs. */
static float *slab_ptr(lc_model *m, const lc_tensor_info *t)
{
    return t->is_buffer ? m->buffers + (t->data - m->buffers) : m->params + (t->data - m->params);
}

static int fixture_loss_cfg(const fixture *x, loss_cfg *c, int huber)
{
    const rec *w = need(x, "cfg", "loss_weight", 0, NOUT);
    const rec *pw = need(x, "cfg", "pos_weight", 0, 1);
    const rec *cw = need(x, "cfg", "class_weights", 0, 3);
    const rec *hd = need(x, "cfg", "huber_delta", 0, 1);
    if (!w || !pw || !cw || !hd)
        return -1;
    memset(c, 0, sizeof *c);
    memcpy(c->weight, w->f, sizeof c->weight);
    c->pos_weight = pw->f[0];
    memcpy(c->class_w, cw->f, sizeof c->class_w);
    c->huber = huber;
    c->delta = hd->f[0];
    return 0;
}

/* Checks the model's tensors against the fixture's state_dict (names, order, kind, shapes) and
 * loads the initial values, the inputs and the targets. */
static int fixture_load(lc_model *m, const fixture *x, const char *tag)
{
    lc_tensor_info ti[MAXT];
    int nt = lc_model_tensors(m, ti, MAXT), k = 0, ok = nt <= MAXT;
    for (int r = 0; r < x->R && ok; r++) {
        const rec *q = &x->r[r];
        if (strncmp(q->name, "init.", 5) != 0)
            continue;
        if (k >= nt) {
            CHECK_MSG(0, "%s: torch's state_dict has %s beyond ludwig-c's %d tensors", tag,
                      q->name + 5, nt);
            ok = 0;
            break;
        }
        const lc_tensor_info *t = &ti[k++];
        int same = strcmp(t->name, q->name + 5) == 0 && t->ndim == q->ndim && t->n == q->n &&
                   t->is_buffer == (q->kind == 2);
        for (int j = 0; same && j < q->ndim; j++)
            same = t->shape[j] == q->shape[j];
        CHECK_MSG(same, "%s: tensor %d is %s (%d dims, %zu floats%s), torch's state_dict has %s (%d dims, %zu floats%s)",
                  tag, k - 1, t->name, t->ndim, t->n, t->is_buffer ? ", buffer" : "",
                  q->name + 5, q->ndim, q->n, q->kind == 2 ? ", buffer" : "");
        if (!same)
            ok = 0;
        else
            memcpy(slab_ptr(m, t), q->f, q->n * sizeof(float));
    }
    CHECK_MSG(!ok || k == nt, "%s: ludwig-c has %d tensors, torch's state_dict %d", tag, nt, k);
    ok = ok && k == nt;
    for (int i = 0; ok && i < NIN; i++) {
        const rec *q = need(x, "input", in_names[i], 0, B);
        ok = q != NULL && m->in_ns[i] == 1;
        if (ok)
            memcpy(m->inputs[i], q->f, B * sizeof(float));
    }
    const rec *t0 = need(x, "target", out_names[0], 0, B),
              *t1 = need(x, "target", out_names[1], 0, B),
              *t2 = need(x, "target", out_names[2], 1, B);
    ok = ok && t0 && t1 && t2;
    if (ok) {
        memcpy(m->heads[0].targets, t0->f, B * sizeof(float));
        memcpy(m->heads[1].targets, t1->f, B * sizeof(float));
        memcpy(m->heads[2].labels, t2->i, B * sizeof(int32_t));
    }
    return ok ? 0 : -1;
}

/* Whether the fixture lists parameter `name` as one whose gradient is 0 in exact arithmetic (a
 * batch norm downstream cancels it; gen_fixtures_tabular.py's ZERO_GRAD). torch and ludwig-c see
 * rounding noise there (< 1e-6), which Adam's normalisation would turn into steps of about +-lr
 * of unshared sign, so both zero these gradients before each step. */
static int zero_grad_tensor(const fixture *x, const char *name)
{
    for (int r = 0; r < x->R; r++)
        if (strncmp(x->r[r].name, "zerograd.", 9) == 0 && strcmp(x->r[r].name + 9, name) == 0)
            return 1;
    return 0;
}

typedef struct run_out {
    float *params, *buffers, *logits;
    size_t np, nb;
} run_out;

static void run_out_free(run_out *r)
{
    free(r->params);
    free(r->buffers);
    free(r->logits);
    memset(r, 0, sizeof *r);
}

/* Evaluation-mode logits after training: the whole batch (batch norm from its running stats,
 * lc_batchnorm_forward_eval) and row EVAL_ROW alone, a batch of one row, where Ludwig's
 * BatchNorm1dOrIdentity returns its input unchanged. Overwrites the input slots. */
static void check_eval(lc_model *m, lc_pool *p, const fixture *x, const char *vname)
{
    enum { EVAL_ROW = 3 };
    for (int n = B; n >= 1; n -= B - 1) {
        if (n == 1)
            for (int i = 0; i < NIN; i++)
                m->inputs[i][0] = m->inputs[i][EVAL_ROW];
        lc_model_forward(m, p, n, 0, 0, 0);
        err e = {0, 0};
        for (int o = 0; o < NOUT; o++) {
            size_t K = (size_t)m->heads[o].K;
            const rec *q = need(x, n == 1 ? "eval1" : "eval", out_names[o], 0, (size_t)n * K);
            if (q)
                cmp(&e, lc_model_head_out(m, o), q->f, (size_t)n * K, 1e-6, 1e-5);
        }
        if (n == 1)
            CHECK_MSG(e.worst <= 1.0, "%s: evaluation of a single row: logits off by %.3g x tolerance (max abs %.3g); Ludwig's batch norm is the identity for a batch of one row",
                      vname, e.worst, e.maxabs);
        else
            CHECK_MSG(e.worst <= 1.0, "%s: evaluation logits off by %.3g x tolerance (max abs %.3g)",
                      vname, e.worst, e.maxabs);
        if (p == NULL || lc_pool_threads(p) == 1)
            printf("test_tabular_net: %s evaluation of %d row%s after the Adam steps: logits max abs %.2g (%.2g of tol)\n",
                   vname, n, n == 1 ? "" : "s", e.maxabs, e.worst);
    }
}

/* Trains `steps` steps of optimizer o from the fixture's start and compares the tensors with
 * the fixture's <tag> records; returns the final state in out when out is not NULL. */
static void fixture_train(const fixture *x, const net_opts *no, const loss_cfg *c,
                          const lc_optim *o, const char *tag, const char *vname, int nthreads,
                          run_out *out)
{
    lc_model *m = net_create(no, nthreads);
    lc_pool *p = lc_pool_create(nthreads);
    CHECK(p != NULL);
    float *state = NULL;
    if (!m || !p || fixture_load(m, x, vname))
        goto done;
    state = malloc(((size_t)lc_optim_state_per_param(o) * m->nparams + 1) * sizeof *state);
    CHECK(state != NULL);
    if (!state)
        goto done;
    lc_optim_init_state(o, m->nparams, state);
    lc_tensor_info ti[MAXT];
    int nt = lc_model_tensors(m, ti, MAXT);
    nt = nt < MAXT ? nt : MAXT;
    for (long t = 1; t <= STEPS; t++) {
        lc_model_forward(m, p, B, 1, 7, (uint64_t)t);
        double per[NOUT];
        net_loss(m, c, per);
        net_dlogits(m, c);
        lc_model_backward(m, p, B);
        for (int k = 0; k < nt; k++)
            if (!ti[k].is_buffer && zero_grad_tensor(x, ti[k].name))
                memset(m->grads + (ti[k].data - m->params), 0, ti[k].n * sizeof(float));
        lc_optim_step(p, o, t, m->nparams, m->params, m->grads, state);
    }
    if (o->type == LC_OPT_ADAM)
        check_eval(m, p, x, vname);
    err ep = {0, 0}, eb = {0, 0};
    for (int k = 0; k < nt; k++) {
        const rec *q = need(x, tag, ti[k].name, 0, ti[k].n);
        if (q)
            cmp(ti[k].is_buffer ? &eb : &ep, ti[k].data, q->f, ti[k].n, 1e-6, 1e-5);
    }
    CHECK_MSG(ep.worst <= 1.0, "%s: parameters after %d %s steps off by %.3g x tolerance (max abs %.3g)",
              vname, STEPS, tag, ep.worst, ep.maxabs);
    CHECK_MSG(eb.worst <= 1.0, "%s: running stats after %d %s steps off by %.3g x tolerance (max abs %.3g)",
              vname, STEPS, tag, eb.worst, eb.maxabs);
    if (nthreads == 1)
        printf("test_tabular_net: %s %-4s %d steps: params max abs %.2g (%.2g of tol), running stats max abs %.2g (%.2g of tol)\n",
               vname, tag, STEPS, ep.maxabs, ep.worst, eb.maxabs, eb.worst);
    if (out) {
        out->np = m->nparams;
        out->nb = m->nbuffers;
        out->params = dup(m->params, m->nparams);
        out->buffers = dup(m->buffers, m->nbuffers);
        out->logits = dup(lc_model_head_out(m, 2), (size_t)B * 3);
    }
done:
    free(state);
    lc_pool_destroy(p);
    lc_model_free(m);
}

/* The fixture's first forward/backward, then its Adam and SGD runs. */
static void fixture_variant(const char *vname, const net_opts *no)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fixtures/tabular_%s.bin", vname);
    fixture *x = malloc(sizeof *x);
    CHECK(x != NULL);
    if (!x)
        return;
    loss_cfg c;
    lc_model *m = NULL;
    if (fixture_read(path, x) || fixture_loss_cfg(x, &c, no->huber))
        goto done;
    m = net_create(no, 1);
    if (!m || fixture_load(m, x, vname))
        goto done;

    lc_model_forward(m, NULL, B, 1, 7, 1);
    double per[NOUT], total = net_loss(m, &c, per);
    err el = {0, 0};
    for (int o = 0; o < NOUT; o++) {
        size_t K = (size_t)m->heads[o].K;
        const rec *q = need(x, "logits", out_names[o], 0, (size_t)B * K);
        const rec *l = need(x, "loss", out_names[o], 0, 1);
        if (q)
            cmp(&el, lc_model_head_out(m, o), q->f, (size_t)B * K, 1e-6, 1e-5);
        if (l)
            CHECK_MSG(fabs(per[o] - l->f[0]) <= 2e-6 * fabs(l->f[0]) + 1e-7,
                      "%s: loss of %s %.9g, torch %.9g", vname, out_names[o], per[o],
                      (double)l->f[0]);
    }
    const rec *lt = need(x, "loss", "total", 0, 1);
    if (lt)
        CHECK_MSG(fabs(total - lt->f[0]) <= 2e-6 * fabs(lt->f[0]),
                  "%s: total loss %.9g, torch %.9g", vname, total, (double)lt->f[0]);
    CHECK_MSG(el.worst <= 1.0, "%s: logits off by %.3g x tolerance (max abs %.3g)", vname,
              el.worst, el.maxabs);

    net_dlogits(m, &c);
    lc_model_backward(m, NULL, B);
    lc_tensor_info ti[MAXT];
    int nt = lc_model_tensors(m, ti, MAXT), ngrad = 0, nzero = 0;
    err eg = {0, 0};
    for (int k = 0; k < nt && k < MAXT; k++) {
        if (ti[k].is_buffer)
            continue;
        const rec *q = need(x, "grad", ti[k].name, 0, ti[k].n);
        if (!q)
            continue;
        ngrad++;
        const float *g = m->grads + (ti[k].data - m->params);
        cmp(&eg, g, q->f, ti[k].n, 1e-6, 1e-4);
        /* ours is zero up to rounding exactly where torch's is */
        int zero = 1;
        for (size_t j = 0; j < q->n; j++)
            zero = zero && fabsf(g[j]) < 1e-6f;
        int expect = zero_grad_tensor(x, ti[k].name);
        nzero += expect;
        CHECK_MSG(zero == expect, "%s: %s: the gradient %s zero, torch's %s", vname, ti[k].name,
                  zero ? "is" : "is not", expect ? "is" : "is not");
    }
    CHECK_MSG(eg.worst <= 1.0, "%s: gradients off by %.3g x tolerance (max abs %.3g)", vname,
              eg.worst, eg.maxabs);
    printf("test_tabular_net: %s: %d tensors as torch's state_dict; logits max abs %.2g (%.2g of tol), total loss %.7g (torch %.7g); %d gradients max abs %.2g (%.2g of tol), %d zero as torch's\n",
           vname, nt, el.maxabs, el.worst, total, lt ? (double)lt->f[0] : NAN, ngrad, eg.maxabs,
           eg.worst, nzero);
    lc_model_free(m);
    m = NULL;

    lc_optim adam = {.type = LC_OPT_ADAM, .lr = 0.01f, .beta1 = 0.9f, .beta2 = 0.999f,
                     .eps = 1e-8f};
    lc_optim sgd = {.type = LC_OPT_SGD, .lr = 0.05f, .momentum = 0.9f};
    run_out r1 = {0}, r3 = {0};
    fixture_train(x, no, &c, &adam, "adam", vname, 1, &r1);
    fixture_train(x, no, &c, &adam, "adam", vname, 3, &r3);
    fixture_train(x, no, &c, &sgd, "sgd", vname, 1, NULL);
    CHECK_MSG(r1.params && r3.params && r1.np == r3.np &&
                  memcmp(r1.params, r3.params, r1.np * sizeof(float)) == 0,
              "%s: parameters after %d Adam steps differ 1 vs 3 threads", vname, STEPS);
    CHECK_MSG(r1.buffers && r3.buffers && r1.nb == r3.nb &&
                  memcmp(r1.buffers, r3.buffers, r1.nb * sizeof(float)) == 0,
              "%s: running stats after %d Adam steps differ 1 vs 3 threads", vname, STEPS);
    CHECK_MSG(r1.logits && r3.logits && memcmp(r1.logits, r3.logits, B * 3 * sizeof(float)) == 0,
              "%s: last logits differ 1 vs 3 threads", vname);
    run_out_free(&r1);
    run_out_free(&r3);
done:
    lc_model_free(m);
    fixture_free(x);
    free(x);
}

/* ---- finite differences and determinism on nets initialised from a seed ---- */

/* A fixed batch: numbers of both signs, binaries, every category of cat_d and cat_e, all three
 * classes of cat_y. */
static void fill_batch(lc_model *m)
{
    for (int b = 0; b < B; b++) {
        m->inputs[0][b] = (float)sin(1.3 * b + 0.4);
        m->inputs[1][b] = (float)(1.5 * cos(0.9 * b));
        m->inputs[2][b] = (float)(b % 3 == 0);
        m->inputs[3][b] = (float)((3 * b) % 5);
        m->inputs[4][b] = (float)((5 * b + 1) % 4);
        m->heads[0].targets[b] = 0.4f * (float)b - 1.5f;
        m->heads[1].targets[b] = (float)((b * 7) % 3 == 1);
        m->heads[2].labels[b] = (b * 2) % 3;
    }
}

static int count_layers(const lc_model *m, lc_ltype type)
{
    int n = 0;
    for (int i = 0; i < m->nlayers; i++)
        n += m->layers[i].type == type;
    return n;
}

/* The planned graph has the pieces the finite differences are meant to cover. */
static void check_graph(const lc_model *m, const net_opts *o, const char *tag)
{
    int concat = -1;
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].type == LC_L_CONCAT)
            concat = i;
    CHECK_MSG(concat >= 0 && m->layers[concat].nsrc == NIN && m->layers[concat].out_n == 12,
              "%s: no concat of the 5 encoders into 12 features", tag);
    if (concat >= 0) {
        const int *src = m->srcs + m->layers[concat].src_at;
        /* an input slot (passthrough), a layer (dense), a layer (embedding or its dropout),
         * an input slot, the onehot layer */
        CHECK_MSG(src[0] == -1 && src[1] >= 0 && src[2] == -3 && src[3] >= 0 && src[4] >= 0 &&
                      m->layers[src[4]].type == LC_L_ONEHOT,
                  "%s: concat sources %d %d %d %d %d", tag, src[0], src[1], src[2], src[3],
                  src[4]);
    }
    /* the heads without an FCStack of their own read the combiner output, as does num_y's */
    int s1 = m->srcs[m->layers[m->heads[1].layer].src_at];
    int s2 = m->srcs[m->layers[m->heads[2].layer].src_at];
    CHECK_MSG(s1 == s2 && s1 >= 0 && m->layers[s1].consumers == NOUT,
              "%s: the combiner output has %d readers, want %d", tag,
              s1 >= 0 ? m->layers[s1].consumers : -1, NOUT);
    int adds = 2 * (o->comb_out == 12) + (o->comb_out == 8);
    CHECK_MSG(count_layers(m, LC_L_ADD) == (o->residual ? adds : 0), "%s: %d residual adds", tag,
              count_layers(m, LC_L_ADD));
    int drops = (o->dropout > 0.0f) * 3 + (o->embed_dropout > 0.0f);
    CHECK_MSG(count_layers(m, LC_L_DROPOUT) == drops, "%s: %d dropout layers, want %d", tag,
              count_layers(m, LC_L_DROPOUT), drops);
    int norms = count_layers(m, o->comb_norm == LC_NORM_BATCH ? LC_L_BATCHNORM : LC_L_LAYERNORM);
    CHECK_MSG(norms >= 3, "%s: %d combiner norms (stack input and 2 layers)", tag, norms);
}

/* Central differences of the total loss (forward in float, the loss summed in double) against
 * the backward pass, for every parameter, at a training forward with fixed dropout masks (seed
 * 7, step 1). h = 2e-3: the loss (about 1 to 10) carries float rounding of about 1e-6, i.e.
 * 5e-4 in a quotient over 2h. Tolerance |fd - g| <= 1e-3 + 1e-2 |g|. ReLUs and huber's
 * |x| = delta are kinks: a perturbation that crosses one shows as the four one-sided slopes at
 * +-h and +-h/2 spreading by more than the tolerance; such parameters are skipped, and at most a
 * tenth of them may be. */
static void fd_check(const net_opts *o, const loss_cfg *c, uint64_t seed, const char *tag)
{
    lc_model *m = net_create(o, 1);
    if (!m)
        return;
    lc_model_init_params(m, seed);
    fill_batch(m);
    check_graph(m, o, tag);
    double l0 = loss_at(m, NULL, c, 1);
    net_dlogits(m, c);
    lc_model_backward(m, NULL, B);
    float *g = dup(m->grads, m->nparams);
    CHECK(g != NULL);
    const float h = 2e-3f;
    double worst = 0, maxabs = 0;
    int checked = 0, kinks = 0, nonzero = 0;
    for (size_t i = 0; g && i < m->nparams; i++) {
        float *w = m->params + i, w0 = *w;
        double slope[4], lpm[2];
        for (int k = 0; k < 4; k++) {
            float wk = w0 + (k & 1 ? -1.0f : 1.0f) * (k & 2 ? 0.5f * h : h);
            *w = wk;
            double lk = loss_at(m, NULL, c, 1);
            slope[k] = (lk - l0) / ((double)wk - w0);
            if (k < 2)
                lpm[k] = lk;
        }
        *w = w0;
        double an = g[i], tol = 1e-3 + 1e-2 * fabs(an), lo = slope[0], hi = slope[0];
        for (int k = 1; k < 4; k++) {
            lo = slope[k] < lo ? slope[k] : lo;
            hi = slope[k] > hi ? slope[k] : hi;
        }
        checked++;
        if (hi - lo > tol) {
            kinks++;
            continue;
        }
        double fd = (lpm[0] - lpm[1]) / ((double)(w0 + h) - (double)(w0 - h)), d = fabs(fd - an);
        nonzero += fabs(an) > 1e-2;
        CHECK_MSG(d <= tol, "%s: d loss / d param[%zu]: finite difference %.6g, backward %.6g",
                  tag, i, fd, an);
        if (d / tol > worst)
            worst = d / tol;
        if (d > maxabs)
            maxabs = d;
    }
    CHECK_MSG(10 * kinks <= checked, "%s: %d of %d finite differences crossed a kink", tag, kinks,
              checked);
    CHECK_MSG(2 * nonzero >= checked, "%s: only %d of %d gradients above 1e-2", tag, nonzero,
              checked);
    printf("test_tabular_net: %s: finite differences on all %d parameters (%d skipped at a kink, %d gradients above 1e-2): max abs %.2g (%.2g of tol)\n",
           tag, checked, kinks, nonzero, maxabs, worst);
    free(g);
    lc_model_free(m);
}

/* Dropout off: a rate of 0 plans no dropout layer, and in evaluation a net with dropout computes
 * exactly what the same net without it does; in training the masks change the logits. */
static void test_dropout_off(const loss_cfg *c)
{
    net_opts on = {.comb_norm = LC_NORM_BATCH, .comb_out = 8, .residual = 1, .dropout = 0.3f,
                   .embed_dropout = 0.25f};
    net_opts off = on;
    off.dropout = off.embed_dropout = 0.0f;
    lc_model *a = net_create(&on, 1), *z = net_create(&off, 1);
    if (a && z) {
        CHECK(count_layers(z, LC_L_DROPOUT) == 0 && count_layers(a, LC_L_DROPOUT) == 4);
        CHECK(a->nparams == z->nparams && a->nbuffers == z->nbuffers);
        lc_model_init_params(a, 3);
        memcpy(z->params, a->params, a->nparams * sizeof(float));
        fill_batch(a);
        fill_batch(z);
        double la = loss_at(a, NULL, c, 1), lz = loss_at(z, NULL, c, 1);
        CHECK_MSG(fabs(la - lz) > 1e-3, "training losses with and without dropout: %.9g and %.9g",
                  la, lz);
        /* the same running stats (one training forward each, before dropout's effect is
         * anything but the batch's statistics) are not what is compared: reset them */
        memcpy(a->buffers, z->buffers, a->nbuffers * sizeof(float));
        lc_model_forward(a, NULL, B, 0, 7, 1);
        lc_model_forward(z, NULL, B, 0, 7, 1);
        int same = 1;
        for (int o = 0; o < NOUT; o++)
            same = same && memcmp(lc_model_head_out(a, o), lc_model_head_out(z, o),
                                  (size_t)B * a->heads[o].K * sizeof(float)) == 0;
        CHECK_MSG(same, "evaluation with dropout 0.3 differs from the net without dropout");
    }
    lc_model_free(a);
    lc_model_free(z);
}

/* A batch of one sample in training (Ludwig trains on one when the data has one row or
 * batch_size is 1): every batch norm is the identity, so the training forward equals the
 * evaluation one bitwise, the running stats stay as they were and gamma/beta get no gradient. */
static void test_single_row_training(void)
{
    net_opts o = {.comb_norm = LC_NORM_BATCH, .comb_out = 8, .residual = 1, .enc_two = 1};
    lc_model *m = net_create(&o, 1);
    if (!m)
        return;
    lc_model_init_params(m, 13);
    fill_batch(m);
    float *buf0 = dup(m->buffers, m->nbuffers), *ev = NULL;
    lc_model_forward(m, NULL, 1, 0, 0, 0);
    ev = dup(lc_model_head_out(m, 2), 3);
    lc_model_forward(m, NULL, 1, 1, 7, 1);
    CHECK(buf0 && ev && memcmp(lc_model_head_out(m, 2), ev, 3 * sizeof(float)) == 0);
    CHECK_MSG(buf0 && memcmp(buf0, m->buffers, m->nbuffers * sizeof(float)) == 0,
              "a training forward of one sample changed the running stats");
    for (int h = 0; h < NOUT; h++)
        for (int k = 0; k < m->heads[h].K; k++)
            m->heads[h].dlogits[k] = 0.5f + 0.25f * (float)(h + k);
    lc_model_backward(m, NULL, 1);
    lc_tensor_info ti[MAXT];
    int nt = lc_model_tensors(m, ti, MAXT), nbn = 0, finite = 1;
    for (size_t i = 0; i < m->nparams; i++)
        finite = finite && isfinite(m->grads[i]);
    CHECK_MSG(finite, "gradients of a one-sample batch are not finite");
    for (int t = 0; t < nt && t < MAXT; t++) { /* every norm of this net is a batch norm */
        if (ti[t].is_buffer ||
            (!strstr(ti[t].name, "norm_layer.") && !strstr(ti[t].name, "layers.1.")))
            continue;
        int zero = 1;
        for (size_t j = 0; j < ti[t].n; j++)
            zero = zero && m->grads[(ti[t].data - m->params) + j] == 0.0f;
        CHECK_MSG(zero, "one-sample batch: %s has a gradient", ti[t].name);
        nbn++;
    }
    CHECK_MSG(nbn == 2 * 4, "%d batch norm gamma/beta tensors, want 8", nbn);
    /* and the gradient passes through them: the embedding row of the sample's cat_d (0) */
    int through = 0;
    for (int t = 0; t < nt && t < MAXT; t++)
        if (strstr(ti[t].name, "cat_d__ludwig.encoder_obj.embed.embeddings.weight"))
            for (int j = 0; j < 3; j++)
                through += m->grads[(ti[t].data - m->params) + j] != 0.0f;
    CHECK_MSG(through > 0, "one-sample batch: no gradient reaches cat_d's embedding");
    free(buf0);
    free(ev);
    lc_model_free(m);
}

/* 3 Adam steps of a net with dropout (fresh masks every step), batch norm and residual adds:
 * parameters, running stats and logits bitwise the same on 1 and 3 threads. */
static void test_threads(const loss_cfg *c)
{
    net_opts o = {.comb_norm = LC_NORM_BATCH, .comb_out = 8, .residual = 1, .dropout = 0.2f,
                  .embed_dropout = 0.1f};
    lc_optim opt = {.type = LC_OPT_ADAM, .lr = 0.01f, .beta1 = 0.9f, .beta2 = 0.999f,
                    .eps = 1e-8f};
    run_out r[2] = {{0}, {0}};
    for (int v = 0; v < 2; v++) {
        int nth = v ? 3 : 1;
        lc_model *m = net_create(&o, nth);
        lc_pool *p = lc_pool_create(nth);
        float *state = m ? malloc(2 * m->nparams * sizeof *state) : NULL;
        CHECK(m && p && state);
        if (m && p && state) {
            lc_model_init_params(m, 11);
            fill_batch(m);
            lc_optim_init_state(&opt, m->nparams, state);
            for (long t = 1; t <= STEPS; t++) {
                loss_at(m, p, c, (uint64_t)t);
                net_dlogits(m, c);
                lc_model_backward(m, p, B);
                lc_optim_step(p, &opt, t, m->nparams, m->params, m->grads, state);
            }
            r[v].np = m->nparams;
            r[v].nb = m->nbuffers;
            r[v].params = dup(m->params, m->nparams);
            r[v].buffers = dup(m->buffers, m->nbuffers);
            r[v].logits = dup(lc_model_head_out(m, 2), (size_t)B * 3);
        }
        free(state);
        lc_pool_destroy(p);
        lc_model_free(m);
    }
    CHECK_MSG(r[0].params && r[1].params && r[0].np == r[1].np &&
                  memcmp(r[0].params, r[1].params, r[0].np * sizeof(float)) == 0,
              "dropout net: parameters after %d Adam steps differ 1 vs 3 threads", STEPS);
    CHECK_MSG(r[0].buffers && r[1].buffers && r[0].nb == r[1].nb &&
                  memcmp(r[0].buffers, r[1].buffers, r[0].nb * sizeof(float)) == 0,
              "dropout net: running stats differ 1 vs 3 threads");
    CHECK_MSG(r[0].logits && r[1].logits &&
                  memcmp(r[0].logits, r[1].logits, B * 3 * sizeof(float)) == 0,
              "dropout net: logits differ 1 vs 3 threads");
    run_out_free(&r[0]);
    run_out_free(&r[1]);
}

int main(void)
{
    net_opts bn = {.comb_norm = LC_NORM_BATCH, .comb_out = 8, .residual = 1};
    net_opts ln = {.comb_norm = LC_NORM_LAYER, .comb_out = 6, .enc_two = 1, .huber = 1};
    fixture_variant("bn", &bn);
    fixture_variant("ln", &ln);

    loss_cfg mse = {.weight = {1.5f, 0.5f, 2.0f}, .pos_weight = 1.7f,
                    .class_w = {1.0f, 2.5f, 0.5f}};
    loss_cfg huber = mse;
    huber.huber = 1;
    huber.delta = 0.5f;
    /* batch norm on the stack input and per layer, a residual add after the second layer,
     * dropout 0.2 on the stack input and per layer, embedding dropout 0.25 */
    net_opts fd_bn = {.comb_norm = LC_NORM_BATCH, .comb_out = 8, .residual = 1, .dropout = 0.2f,
                      .embed_dropout = 0.25f};
    /* layer norm on the stack input and per layer, residual adds after both layers (the first
     * adds the normalised stack input), batch norm inside num_b's encoder, huber */
    net_opts fd_ln = {.comb_norm = LC_NORM_LAYER, .comb_out = 12, .residual = 1, .enc_two = 1,
                      .huber = 1};
    fd_check(&fd_bn, &mse, 5, "fd bn+dropout");
    fd_check(&fd_ln, &huber, 6, "fd ln+residual");
    test_dropout_off(&mse);
    test_single_row_training();
    test_threads(&mse);
    return check_exit("test_tabular_net");
}
