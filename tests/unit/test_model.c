/* test_model.c - the whole network against PyTorch 1.13 (tests/fixtures/model_*.bin, written by
 * tests/gen_fixtures_model.py): a tiny copy of the tutorial net (conv3x3+ReLU+maxpool twice, fc,
 * classifier), plain and with BatchNorm2d plus bias-free layers. Checks the tensor names/shapes
 * (Ludwig's state_dict), logits, mean cross-entropy, every gradient, the global gradient norm and
 * the parameters/running stats after 3 clipped (0.5) Adam steps; 1 vs 3 threads bitwise; and a
 * finite-difference check of the whole model's loss. Run from the repository root. */
#include "check.h"
#include "lc_layers.h"
#include "lc_model.h"
#include "lc_pool.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXT = 16, NAMELEN = 128, MAGIC = 0x464D434C };

typedef struct fixture {
    int B, C, H, W, K, steps, T;
    char name[MAXT][NAMELEN];
    int is_buffer[MAXT], ndim[MAXT], shape[MAXT][4];
    size_t n[MAXT];
    float *input, *logits, loss, grad_norm;
    int32_t *labels;
    float *init[MAXT], *grad[MAXT], *final[MAXT];
} fixture;

static void fixture_free(fixture *x)
{
    free(x->input);
    free(x->logits);
    free(x->labels);
    for (int t = 0; t < MAXT; t++) {
        free(x->init[t]);
        free(x->grad[t]);
        free(x->final[t]);
    }
}

static int fixture_read(const char *path, fixture *x)
{
    memset(x, 0, sizeof *x);
    FILE *f = fopen(path, "rb");
    CHECK_MSG(f != NULL, "cannot open %s (run the tests from the repository root)", path);
    if (!f)
        return -1;
    int32_t h[9];
    int ok = check_read_words(f, h, 9) == 0 && (uint32_t)h[0] == MAGIC && h[1] == 1 && h[8] > 0 &&
             h[8] <= MAXT;
    if (ok) {
        x->B = h[2], x->C = h[3], x->H = h[4], x->W = h[5], x->K = h[6], x->steps = h[7];
        x->T = h[8];
        ok = x->B > 0 && x->B <= 64 && x->C > 0 && x->H > 0 && x->W > 0 && x->K > 0 &&
             x->steps > 0 && x->steps < 100;
    }
    for (int t = 0; ok && t < x->T; t++) {
        int32_t d[6];
        ok = fread(x->name[t], 1, NAMELEN, f) == NAMELEN && check_read_words(f, d, 6) == 0;
        x->name[t][NAMELEN - 1] = '\0';
        x->is_buffer[t] = d[0];
        x->ndim[t] = d[1];
        x->n[t] = 1;
        for (int k = 0; k < 4; k++) {
            x->shape[t][k] = d[2 + k];
            if (k < d[1])
                x->n[t] *= (size_t)d[2 + k];
        }
        ok = ok && d[1] >= 1 && d[1] <= 4 && x->n[t] > 0 && x->n[t] < 100000;
    }
    if (ok) {
        size_t in = (size_t)x->B * x->C * x->H * x->W;
        x->labels = malloc((size_t)x->B * sizeof *x->labels);
        ok = (x->input = check_read_f32(f, in)) && x->labels && check_read_words(f, x->labels, (size_t)x->B) == 0 &&
             (x->logits = check_read_f32(f, (size_t)x->B * x->K));
        float *l = ok ? check_read_f32(f, 1) : NULL;
        ok = ok && l;
        if (l)
            x->loss = l[0];
        free(l);
    }
    for (int t = 0; ok && t < x->T; t++)
        ok = (x->init[t] = check_read_f32(f, x->n[t])) != NULL;
    for (int t = 0; ok && t < x->T; t++)
        if (!x->is_buffer[t])
            ok = (x->grad[t] = check_read_f32(f, x->n[t])) != NULL;
    if (ok) {
        float *g = check_read_f32(f, 1);
        ok = g != NULL;
        if (g)
            x->grad_norm = g[0];
        free(g);
    }
    for (int t = 0; ok && t < x->T; t++)
        ok = (x->final[t] = check_read_f32(f, x->n[t])) != NULL;
    ok = ok && fgetc(f) == EOF;
    fclose(f);
    CHECK_MSG(ok, "%s: malformed fixture", path);
    return ok ? 0 : -1;
}

/* The spec the fixture's torch net mirrors (see gen_fixtures_model.py). */
static void make_spec(const fixture *x, int bn, lc_model_spec *s, lc_conv_spec conv[2],
                      lc_fc_spec *fc)
{
    memset(s, 0, sizeof *s);
    memset(conv, 0, 2 * sizeof *conv);
    memset(fc, 0, sizeof *fc);
    for (int i = 0; i < 2; i++) {
        lc_conv_spec *c = &conv[i];
        c->out_channels = i == 0 ? 4 : 6;
        c->kh = c->kw = 3;
        c->sh = c->sw = c->dh = c->dw = 1;
        c->use_bias = 1;
        c->act = LC_ACT_RELU;
        c->dropout = 0.0f;
        c->pool = LC_POOLFN_MAX;
        c->pkh = c->pkw = c->psh = c->psw = 2;
        c->pdh = c->pdw = 1;
    }
    fc->out = 8;
    fc->use_bias = 1;
    fc->act = LC_ACT_RELU;
    if (bn) {
        conv[0].use_bias = 0;
        conv[0].norm = (lc_norm_spec){LC_NORM_BATCH, 1e-5f, 0.1f};
        fc->use_bias = 0;
    }
    s->C = x->C, s->H = x->H, s->W = x->W;
    s->nconv = 2, s->conv = conv;
    s->nfc = 1, s->fc = fc;
    s->nclasses = x->K;
    s->out_use_bias = 1;
}

/* max over elements of |a-b| / (atol + rtol |b|), and the max absolute difference */
typedef struct err {
    double worst, maxabs;
} err;

static void cmp(err *e, const float *a, const float *b, size_t n, double atol, double rtol)
{
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        double r = d / (atol + rtol * fabs(b[i]));
        if (!(r <= e->worst))
            e->worst = r;
        if (d > e->maxabs)
            e->maxabs = d;
    }
}

typedef struct result {
    float *logits, *grads, *params, *buffers;
    size_t np, nb, nl;
} result;

static void result_free(result *r)
{
    free(r->logits);
    free(r->grads);
    free(r->params);
    free(r->buffers);
}

static float *dup(const float *a, size_t n)
{
    float *d = malloc((n ? n : 1) * sizeof *d);
    if (d)
        memcpy(d, a, n * sizeof *d);
    return d;
}

static double mean_loss(lc_model *m, lc_pool *p, int B)
{
    lc_model_forward(m, p, B, 1, 0, 0);
    return lc_softmax_xent_forward(B, m->nclasses, lc_model_logits(m), m->labels, m->probs, NULL);
}

/* Loads the fixture's initial tensors into m; checks names/shapes against lc_model_tensors. */
static int load(lc_model *m, const fixture *x, const char *tag)
{
    lc_tensor_info ti[MAXT];
    int nt = lc_model_tensors(m, ti, MAXT);
    CHECK_MSG(nt == x->T, "%s: %d tensors, torch has %d", tag, nt, x->T);
    if (nt != x->T)
        return -1;
    int ok = 1;
    for (int t = 0; t < nt; t++) {
        int same = strcmp(ti[t].name, x->name[t]) == 0 && ti[t].ndim == x->ndim[t] &&
                   ti[t].is_buffer == x->is_buffer[t] && ti[t].n == x->n[t];
        for (int k = 0; same && k < x->ndim[t]; k++)
            same = ti[t].shape[k] == x->shape[t][k];
        CHECK_MSG(same, "%s: tensor %d is %s (%zu floats), torch's state_dict has %s", tag, t,
                  ti[t].name, ti[t].n, x->name[t]);
        if (!same) {
            ok = 0;
            continue;
        }
        /* the infos point into the model's own slabs */
        float *dst = ti[t].is_buffer ? m->buffers + (ti[t].data - m->buffers)
                                     : m->params + (ti[t].data - m->params);
        memcpy(dst, x->init[t], x->n[t] * sizeof *dst);
    }
    memcpy(m->input, x->input, (size_t)x->B * m->in_n * sizeof *m->input);
    memcpy(m->labels, x->labels, (size_t)x->B * sizeof *m->labels);
    return ok ? 0 : -1;
}

/* The fixture run: first forward/backward compared, then `steps` clipped Adam steps. */
static int run(const fixture *x, int bn, int nthreads, const char *tag, result *res)
{
    memset(res, 0, sizeof *res);
    lc_model_spec spec;
    lc_conv_spec conv[2];
    lc_fc_spec fc;
    make_spec(x, bn, &spec, conv, &fc);
    lc_model *m = NULL;
    lc_error e = {0};
    lc_status st = lc_model_create(&spec, x->B, nthreads, &m, &e);
    CHECK_MSG(st == LC_OK, "%s: lc_model_create failed", tag);
    if (st)
        return -1;
    lc_pool *p = lc_pool_create(nthreads);
    CHECK(p != NULL);
    if (!p || load(m, x, tag)) {
        lc_pool_destroy(p);
        lc_model_free(m);
        return -1;
    }
    const int B = x->B, K = x->K;
    lc_optim o = {.type = LC_OPT_ADAM, .lr = 1e-3f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f};
    size_t ns = (size_t)lc_optim_state_per_param(&o) * m->nparams;
    float *state = malloc(ns * sizeof *state);
    CHECK(state != NULL);
    lc_tensor_info ti[MAXT];
    int nt = lc_model_tensors(m, ti, MAXT);
    err el = {0, 0}, eg = {0, 0}, ep = {0, 0}, eb = {0, 0};
    double dloss = 0, dnorm = 0;
    for (int step = 1; state && step <= x->steps; step++) {
        if (step == 1)
            lc_optim_init_state(&o, m->nparams, state);
        double loss = mean_loss(m, p, B);
        lc_softmax_xent_backward(B, K, m->probs, m->labels, 1.0f / (float)B, m->dlogits);
        lc_model_backward(m, p, B);
        double norm = lc_grad_norm(p, m->nparams, m->grads);
        if (step == 1) {
            cmp(&el, lc_model_logits(m), x->logits, (size_t)B * K, 1e-6, 1e-5);
            dloss = fabs(loss - x->loss) / fabs(x->loss);
            dnorm = fabs(norm - x->grad_norm) / x->grad_norm;
            for (int t = 0; t < nt; t++)
                if (!ti[t].is_buffer)
                    cmp(&eg, m->grads + (ti[t].data - m->params), x->grad[t], x->n[t], 1e-6,
                        1e-4);
            res->nl = (size_t)B * K;
            res->np = m->nparams;
            res->logits = dup(lc_model_logits(m), res->nl);
            res->grads = dup(m->grads, m->nparams);
        }
        double coef = 0.5 / (norm + 1e-6); /* as train.c: clip the global norm to 0.5 */
        if (coef < 1.0)
            lc_scale(p, m->nparams, (float)coef, m->grads);
        lc_optim_step(p, &o, step, m->nparams, m->params, m->grads, state);
    }
    for (int t = 0; t < nt; t++)
        cmp(ti[t].is_buffer ? &eb : &ep, ti[t].data, x->final[t], x->n[t], 1e-6, 1e-5);
    CHECK_MSG(el.worst <= 1.0, "%s: logits off by %.3g x tolerance (max abs %.3g)", tag,
              el.worst, el.maxabs);
    CHECK_MSG(dloss <= 1e-6, "%s: loss rel error %.3g", tag, dloss);
    CHECK_MSG(dnorm <= 1e-5, "%s: grad norm rel error %.3g", tag, dnorm);
    CHECK_MSG(eg.worst <= 1.0, "%s: gradients off by %.3g x tolerance (max abs %.3g)", tag,
              eg.worst, eg.maxabs);
    CHECK_MSG(ep.worst <= 1.0, "%s: params after %d Adam steps off by %.3g x tolerance (max abs %.3g)",
              tag, x->steps, ep.worst, ep.maxabs);
    CHECK_MSG(eb.worst <= 1.0, "%s: running stats off by %.3g x tolerance (max abs %.3g)", tag,
              eb.worst, eb.maxabs);
    if (nthreads == 1)
        printf("test_model: %-5s logits max abs %.2g (%.2g of tol), loss rel %.2g, grads max abs "
               "%.2g (%.2g of tol), norm rel %.2g, params after %d steps max abs %.2g (%.2g of "
               "tol)%s",
               tag, el.maxabs, el.worst, dloss, eg.maxabs, eg.worst, dnorm, x->steps, ep.maxabs,
               ep.worst, m->nbuffers ? "" : "\n");
    if (nthreads == 1 && m->nbuffers)
        printf(", running stats max abs %.2g (%.2g of tol)\n", eb.maxabs, eb.worst);
    res->params = dup(m->params, m->nparams);
    res->nb = m->nbuffers;
    res->buffers = dup(m->buffers, m->nbuffers);
    free(state);
    lc_pool_destroy(p);
    lc_model_free(m);
    return 0;
}

/* Central differences of the double-accumulated mean loss (float forward) w.r.t. a sample of
 * parameters from every tensor, against the backward pass. h = 5e-4; tolerance
 * |fd - g| <= 2e-4 + 1e-2 |g| (the forward is float: the loss is noisy at ~1e-8, i.e. ~4e-5 in
 * a one-sided quotient over h/2). The net is piecewise smooth (ReLU, max pooling), so a
 * perturbation can cross a kink (a ReLU or a pooling argmax flips, possibly on both sides);
 * such parameters are detected by the four one-sided slopes at +-h and +-h/2 spreading by more
 * than the tolerance, and skipped; at most a quarter of the sample may be skipped. */
static void fd_check(const fixture *x, int bn, const char *tag)
{
    lc_model_spec spec;
    lc_conv_spec conv[2];
    lc_fc_spec fc;
    make_spec(x, bn, &spec, conv, &fc);
    lc_model *m = NULL;
    lc_error e = {0};
    if (lc_model_create(&spec, x->B, 1, &m, &e) != LC_OK) {
        CHECK_MSG(0, "%s: lc_model_create failed", tag);
        return;
    }
    if (load(m, x, tag)) {
        lc_model_free(m);
        return;
    }
    const int B = x->B;
    double l0 = mean_loss(m, NULL, B);
    lc_softmax_xent_backward(B, x->K, m->probs, m->labels, 1.0f / (float)B, m->dlogits);
    lc_model_backward(m, NULL, B);
    float *g = dup(m->grads, m->nparams);
    CHECK(g != NULL);
    lc_tensor_info ti[MAXT];
    int nt = lc_model_tensors(m, ti, MAXT);
    const float h = 5e-4f;
    double worst = 0, maxabs = 0;
    int checked = 0, kinks = 0;
    for (int t = 0; g && t < nt; t++) {
        if (ti[t].is_buffer)
            continue;
        size_t off = (size_t)(ti[t].data - m->params), n = ti[t].n;
        size_t stride = n > 8 ? n / 7 : 1; /* ~8 per tensor, spread over it */
        for (size_t i = 0; i < n; i += stride) {
            float *w = m->params + off + i, w0 = *w;
            double slope[4], lpm[2];
            for (int k = 0; k < 4; k++) {
                float wk = w0 + (k & 1 ? -1.0f : 1.0f) * (k & 2 ? 0.5f * h : h);
                *w = wk;
                double lk = mean_loss(m, NULL, B);
                slope[k] = (lk - l0) / ((double)wk - w0);
                if (k < 2)
                    lpm[k] = lk;
            }
            *w = w0;
            double an = g[off + i], tol = 2e-4 + 1e-2 * fabs(an), lo = slope[0], hi = slope[0];
            for (int k = 1; k < 4; k++) {
                lo = slope[k] < lo ? slope[k] : lo;
                hi = slope[k] > hi ? slope[k] : hi;
            }
            checked++;
            if (hi - lo > tol) {
                kinks++;
                continue;
            }
            double lp = lpm[0], lm = lpm[1];
            float wp = w0 + h, wm = w0 - h;
            double fd = (lp - lm) / ((double)wp - wm), d = fabs(fd - an), r = d / tol;
            CHECK_MSG(r <= 1.0, "%s: d loss / d %s[%zu]: finite difference %.6g, backward %.6g",
                      tag, ti[t].name, i, fd, an);
            if (r > worst)
                worst = r;
            if (d > maxabs)
                maxabs = d;
        }
    }
    CHECK_MSG(4 * kinks <= checked, "%s: %d of %d finite differences crossed a kink", tag, kinks,
              checked);
    printf("test_model: %-5s finite differences on %d parameters (%d skipped at a kink): max abs "
           "%.2g (%.2g of tol)\n",
           tag, checked, kinks, maxabs, worst);
    free(g);
    lc_model_free(m);
}

static int same_bits(const float *a, const float *b, size_t n)
{
    return (a == NULL) == (b == NULL) && (n == 0 || !a || memcmp(a, b, n * sizeof *a) == 0);
}

static void variant(const char *name, int bn)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fixtures/model_%s.bin", name);
    fixture x;
    if (fixture_read(path, &x)) {
        fixture_free(&x);
        return;
    }
    result r1, r3;
    int ok1 = run(&x, bn, 1, name, &r1) == 0, ok3 = run(&x, bn, 3, name, &r3) == 0;
    if (ok1 && ok3) {
        CHECK_MSG(same_bits(r1.logits, r3.logits, r1.nl), "%s: logits differ 1 vs 3 threads", name);
        CHECK_MSG(same_bits(r1.grads, r3.grads, r1.np), "%s: grads differ 1 vs 3 threads", name);
        CHECK_MSG(same_bits(r1.params, r3.params, r1.np), "%s: params differ 1 vs 3 threads",
                  name);
        CHECK_MSG(same_bits(r1.buffers, r3.buffers, r1.nb),
                  "%s: running stats differ 1 vs 3 threads", name);
    }
    result_free(&r1);
    result_free(&r3);
    fd_check(&x, bn, name);
    fixture_free(&x);
}

/* A model for spec planned for batch B, parameters from seed, inputs a fixed pattern and
 * labels b % nclasses; NULL (after a failed CHECK) when it cannot be created. */
static lc_model *small_model(const lc_model_spec *spec, int B, uint64_t seed)
{
    lc_error e;
    lc_error_clear(&e);
    lc_model *m = NULL;
    CHECK(lc_model_create(spec, B, 1, &m, &e) == LC_OK);
    if (!m)
        return NULL;
    lc_model_init_params(m, seed);
    for (size_t i = 0; i < (size_t)B * m->in_n; i++)
        m->input[i] = (float)((i * 37) % 101) / 101.0f;
    for (int b = 0; b < B; b++)
        m->labels[b] = b % spec->nclasses;
    return m;
}

/* mean_loss, then gradients of it in m->grads */
static double loss_and_grads(lc_model *m, int B)
{
    double loss = mean_loss(m, NULL, B);
    lc_softmax_xent_backward(B, m->nclasses, m->probs, m->labels, 1.0f / B, m->dlogits);
    memset(m->grads, 0, m->nparams * sizeof *m->grads);
    lc_model_backward(m, NULL, B);
    return loss;
}

/* A conv block with ReLU and no pool (fused without pooling): its planned output is the whole
 * conv map, and gradients match finite differences of the loss. */
static void test_no_pool_block(void)
{
    lc_conv_spec conv = {.out_channels = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1,
                         .use_bias = 1, .act = LC_ACT_RELU, .pool = LC_POOLFN_NONE};
    lc_fc_spec fc = {.out = 8, .use_bias = 1, .act = LC_ACT_RELU};
    lc_model_spec spec = {.C = 1, .H = 8, .W = 8, .nconv = 1, .conv = &conv, .nfc = 1, .fc = &fc,
                          .nclasses = 3, .out_use_bias = 1};
    enum { B = 3 };
    lc_model *m = small_model(&spec, B, 5);
    if (!m)
        return;
    CHECK_MSG(m->layers[0].type == LC_L_CONV && m->layers[0].out_n == 4 * 6 * 6,
              "pool-less conv block plans %zu outputs, want 144", m->layers[0].out_n);
    double loss = loss_and_grads(m, B);
    CHECK(loss == loss && loss > 0.0);
    /* central differences on the conv weights and bias (parameters 0 .. 39) */
    int bad = 0;
    for (size_t k = 0; k < 40; k++) {
        float keep = m->params[k];
        double lp, lm, h = 1e-4;
        m->params[k] = keep + (float)h;
        lp = mean_loss(m, NULL, B);
        m->params[k] = keep - (float)h;
        lm = mean_loss(m, NULL, B);
        m->params[k] = keep;
        double fd = (lp - lm) / (2 * h);
        if (fabs(fd - m->grads[k]) > 2e-3 + 2e-2 * fabs(fd)) {
            bad++;
            fprintf(stderr, "  k %zu fd %.6f grad %.6f\n", k, fd, (double)m->grads[k]);
        }
    }
    CHECK_MSG(bad <= 2, "pool-less conv block: %d of 40 gradients off their finite differences", bad);
    lc_model_free(m);
}

/* A fused block whose byte-sized window offsets are not a multiple of 4, then an unfused
 * max-pool (batch norm) with int32 offsets: the arenas stay aligned (UBSan checks under make asan) */
static void test_mixed_blocks(void)
{
    lc_conv_spec conv[2] = {
        {.out_channels = 3, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .use_bias = 1,
         .act = LC_ACT_RELU, .pool = LC_POOLFN_MAX, .pkh = 2, .pkw = 2, .psh = 2, .psw = 2,
         .pdh = 1, .pdw = 1},
        {.out_channels = 2, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .use_bias = 1,
         .norm = {LC_NORM_BATCH, 1e-5f, 0.1f}, .act = LC_ACT_RELU, .pool = LC_POOLFN_MAX,
         .pkh = 2, .pkw = 2, .psh = 1, .psw = 1, .pdh = 1, .pdw = 1}};
    lc_model_spec spec = {.C = 1, .H = 9, .W = 9, .nconv = 2, .conv = conv, .nclasses = 2,
                          .out_use_bias = 1};
    enum { B = 3 };
    lc_model *m = small_model(&spec, B, 9);
    if (!m)
        return;
    CHECK(m->layers[0].fused && m->layers[0].out_n == 27 && !m->layers[1].fused);
    double loss = loss_and_grads(m, B);
    CHECK(isfinite(loss) && isfinite(m->grads[0]));
    lc_model_free(m);
}

/* Evaluation (lc_model_forward with training 0) runs the fused blocks depth first on their
 * evaluation path: logits within rounding of the training forward (no dropout here, so the same
 * function) and bitwise the same with 1 and 3 threads. */
static void test_eval_forward(int mixed)
{
    lc_conv_spec conv[4] = {
        {.out_channels = 6, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .use_bias = 1,
         .act = LC_ACT_RELU, .pool = LC_POOLFN_MAX, .pkh = 2, .pkw = 2, .psh = 2, .psw = 2,
         .pdh = 1, .pdw = 1},
        {.out_channels = 12, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .use_bias = 1,
         .act = LC_ACT_RELU, .pool = LC_POOLFN_MAX, .pkh = 2, .pkw = 2, .psh = 2, .psw = 2,
         .pdh = 1, .pdw = 1},
        {.out_channels = 10, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .ph = 1,
         .pw = 1, .use_bias = 1, .act = LC_ACT_RELU, .pool = LC_POOLFN_NONE},
        {.out_channels = 9, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .ph = 1,
         .pw = 1, .use_bias = 1, .act = LC_ACT_RELU, .pool = LC_POOLFN_NONE}};
    if (mixed) /* a 5x5 first block has no evaluation path: the chain starts at the second */
        conv[0].kh = conv[0].kw = 5, conv[0].ph = conv[0].pw = 1;
    lc_fc_spec fc = {.out = 16, .use_bias = 1, .act = LC_ACT_RELU};
    lc_model_spec spec = {.C = 1, .H = 22, .W = 20, .nconv = 3 + mixed, .conv = conv, .nfc = 1,
                          .fc = &fc, .nclasses = 5, .out_use_bias = 1};
    enum { B = 9 };
    lc_model *m = small_model(&spec, B, 11), *m3 = NULL;
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_model_create(&spec, B, 3, &m3, &e) == LC_OK);
    lc_pool *p3 = lc_pool_create(3);
    if (m && m3 && p3) {
        CHECK(m->layers[0].fused && m->layers[1].fused && m->layers[2].fused);
        size_t nl = (size_t)B * spec.nclasses;
        memcpy(m3->params, m->params, m->nparams * sizeof *m->params);
        memcpy(m3->input, m->input, (size_t)B * m->in_n * sizeof *m->input);
        lc_model_forward(m, NULL, B, 1, 0, 0);
        float *ref = dup(lc_model_logits(m), nl);
        lc_model_forward(m, NULL, B, 0, 0, 0);
        lc_model_forward(m3, p3, B, 0, 0, 0);
        err el = {0, 0};
        cmp(&el, lc_model_logits(m), ref, nl, 1e-5, 1e-4);
        CHECK_MSG(el.worst <= 1.0, "evaluation logits off the training forward by %.3g x tol",
                  el.worst);
        CHECK_MSG(same_bits(lc_model_logits(m), lc_model_logits(m3), nl),
                  "evaluation logits differ 1 vs 3 threads");
        printf("test_model: evaluation forward%s logits max abs %.2g from the training forward\n",
               mixed ? " (chain after a 5x5 block)" : "", el.maxabs);
        free(ref);
    }
    lc_pool_destroy(p3);
    lc_model_free(m);
    lc_model_free(m3);
}

int main(void)
{
    variant("plain", 0);
    variant("bn", 1);
    test_no_pool_block();
    test_mixed_blocks();
    test_eval_forward(0);
    test_eval_forward(1);
    return check_exit("test_model");
}
