/* test_vit_legacy.c - the image `_vit_legacy` encoder (HuggingFace transformers' ViTModel as
 * Ludwig's ViTEncoder builds it from a ViTConfig) against tests/gen_vit_legacy.py's PyTorch
 * module written after modeling_vit.py (Debian has no python3-transformers). Per case (32x32
 * patch 8 hidden 64, 2 layers, 4 heads, gelu; a one-channel 30x30 with patch 8 (the conv drops
 * the last rows) and gelu_new; selu; relu) ludwig-c plans the encoder, takes the module's random
 * weights by name, and must give:
 *  - Ludwig's state_dict names and shapes (encoder_obj.transformer.module.<HF name>);
 *  - pooler_output in eval mode and in train mode (every dropout 0) within 1e-4 of the largest;
 *  - every parameter's gradient within 1e-3 of the tensor's largest value (max abs);
 *  - the same outputs and gradients, bitwise, on 1 and 2 threads, with dropout 0.1 on the
 *    hidden states and on the attention weights too;
 *  - with that dropout, gradients that match central differences of the loss (the masks are
 *    fixed by the seed and the step), which checks the attention-weight dropout's backward.
 * Also the default ViTConfig at 224 by names and shapes alone, the initialisation
 * (trunc_normal_(initializer_range), zero biases, LayerNorms 1 and 0), and planning errors.
 * Without Debian's python3-torch the comparisons are skipped with a note. Run from the
 * repository root. */
#include "check.h"
#include "lc_fs.h"
#include "lc_hf.h"
#include "lc_model.h"
#include "lc_pool.h"
#include "lc_safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXT = 256 };

typedef struct fixture {
    int B, S, C, K, F;
    int P, E, L, NH, M;
    char act[16];
    double eps;
    int np;
    char name[MAXT][200];
    int shape[MAXT][4], nd[MAXT];
    size_t off[MAXT + 1]; /* each tensor's offset among the parameters */
    float *bin;
    size_t nbin;
} fixture;

static const char *const PFX = "encoder_obj.transformer.module.";

static int read_fixture(const char *dir, const char *name, int need_bin, fixture *x)
{
    char p[600], line[600];
    snprintf(p, sizeof p, "%s/%s.txt", dir, name);
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    int ok = fgets(line, sizeof line, f) &&
             sscanf(line, "%d %d %d %d %d", &x->B, &x->S, &x->C, &x->K, &x->F) == 5 &&
             fgets(line, sizeof line, f) &&
             sscanf(line, "%d %d %d %d %d %15s %lf", &x->P, &x->E, &x->L, &x->NH, &x->M, x->act,
                    &x->eps) == 7;
    while (ok && x->np < MAXT && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *tok = strtok(line, " ");
        int nd = 0;
        snprintf(x->name[x->np], sizeof x->name[0], "%s", tok ? tok : "");
        size_t n = 1;
        while ((tok = strtok(NULL, " ")) && nd < 4) {
            x->shape[x->np][nd++] = atoi(tok);
            n *= (size_t)atoi(tok);
        }
        x->nd[x->np] = nd;
        x->off[x->np + 1] = x->off[x->np] + n;
        x->np++;
    }
    fclose(f);
    if (!ok || !need_bin)
        return ok ? 0 : -1;
    snprintf(p, sizeof p, "%s/%s.bin", dir, name);
    x->bin = (float *)(void *)check_slurp(p, &x->nbin);
    x->nbin /= sizeof(float);
    return x->bin ? 0 : -1;
}

static lc_act act_of(const char *s)
{
    return strcmp(s, "relu") == 0 ? LC_ACT_RELU : strcmp(s, "selu") == 0 ? LC_ACT_SELU
           : strcmp(s, "gelu_new") == 0 ? LC_ACT_GELU_TANH : LC_ACT_GELU;
}

static lc_model *build(const fixture *x, float drop, int threads, int inference, lc_error *e)
{
    lc_input_spec in = {.name = "image_path", .enc = LC_ENC_VIT_LEGACY, .C = x->C, .H = x->S,
                        .W = x->S, .vl_patch = x->P, .vl_hidden = x->E, .vl_layers = x->L,
                        .vl_heads = x->NH, .vl_inter = x->M, .vl_act = act_of(x->act),
                        .vl_drop = drop, .vl_attn_drop = drop, .vl_init_range = 0.02f,
                        .vl_ln_eps = (float)x->eps};
    lc_output_spec out = {.name = "y", .type = LC_HEAD_VECTOR, .nclasses = x->K, .use_bias = 1};
    lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &out, .inference = inference};
    lc_model *m = NULL;
    if (lc_model_create_net(&net, x->B, threads, &m, e) != LC_OK)
        return NULL;
    return m;
}

/* the fixture's index of tensor t, or -1 */
static int find_name(const fixture *x, const char *name)
{
    for (int j = 0; j < x->np; j++)
        if (strcmp(x->name[j], name) == 0)
            return j;
    return -1;
}

/* every encoder tensor named and shaped as the module's (by name: a state_dict's order is not
 * part of it), and as many; 1 when all match */
static int names_match(const lc_model *m, const fixture *x, const char *cname)
{
    int nt = lc_model_tensors(m, NULL, 0), k = 0, all = 1;
    lc_tensor_info *ti = calloc((size_t)nt, sizeof *ti);
    if (!ti)
        return 0;
    lc_model_tensors(m, ti, nt);
    for (int t = 0; t < nt; t++) {
        if (!strstr(ti[t].name, PFX))
            continue;
        int j = find_name(x, ti[t].name), same = j >= 0 && ti[t].ndim == x->nd[j];
        for (int d = 0; same && d < ti[t].ndim; d++)
            same = ti[t].shape[d] == x->shape[j][d];
        CHECK_MSG(same, "%s: %s is not the module's (or has another shape)", cname, ti[t].name);
        all &= same;
        k++;
    }
    CHECK_MSG(k == x->np, "%s: %d encoder tensors, the module has %d", cname, k, x->np);
    printf("test_vit_legacy: %s: %d tensors named and shaped as Ludwig's state_dict\n", cname, k);
    free(ti);
    return all && k == x->np;
}

/* The fixture's weights and the head into m; the parameters' slab offsets in poff */
static void load(lc_model *m, const fixture *x, size_t *poff)
{
    int nt = lc_model_tensors(m, NULL, 0);
    lc_tensor_info *ti = calloc((size_t)nt, sizeof *ti);
    if (!ti)
        return;
    lc_model_tensors(m, ti, nt);
    const float *w = x->bin + (size_t)x->B * x->C * x->S * x->S;
    const float *hw = w + x->off[x->np], *hb = hw + (size_t)x->K * x->F;
    for (int t = 0; t < nt; t++) {
        int j = find_name(x, ti[t].name);
        if (j >= 0) {
            memcpy((float *)ti[t].data, w + x->off[j], ti[t].n * sizeof(float));
            poff[j] = (size_t)(ti[t].data - m->params);
        } else if (strstr(ti[t].name, "decoder_obj.dense.dense.weight")) {
            memcpy((float *)ti[t].data, hw, (size_t)x->K * x->F * sizeof(float));
        } else if (strstr(ti[t].name, "decoder_obj.dense.dense.bias")) {
            memcpy((float *)ti[t].data, hb, (size_t)x->K * sizeof(float));
        }
    }
    free(ti);
}

/* the encoder's output layer: its last (the pooler's tanh) */
static const lc_layer *enc_out(const lc_model *m)
{
    const lc_layer *o = NULL;
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].part == LC_PART_ENC_TV)
            o = &m->layers[i];
    return o;
}

/* max |a - b| / max |b| */
static double rel(const float *a, const float *b, size_t n)
{
    double d = 0.0, s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double t = fabs((double)a[i] - (double)b[i]);
        if (!(t <= d))
            d = t;
        if (fabs((double)b[i]) > s)
            s = fabs((double)b[i]);
    }
    return s > 0.0 ? d / s : d;
}

/* sum(g * head(out)) after a forward pass */
static double loss_of(const lc_model *m, const float *g, int B, int K)
{
    const float *y = lc_model_head_out(m, 0);
    double s = 0.0;
    for (size_t i = 0; i < (size_t)B * K; i++)
        s += (double)g[i] * y[i];
    return s;
}

typedef struct run_out {
    float *out, *grads; /* the train-mode output and the gradients */
    size_t nout, ngrad;
} run_out;

/* one training step's output and gradients with dropout `drop` on `threads` threads */
static int run_train(const fixture *x, float drop, int threads, run_out *r)
{
    lc_error e = {0};
    size_t poff[MAXT];
    lc_model *m = build(x, drop, threads, 0, &e);
    if (!m)
        return -1;
    load(m, x, poff);
    lc_pool *p = lc_pool_create(threads);
    const float *g = x->bin + (size_t)x->B * x->C * x->S * x->S + x->off[x->np] +
                     (size_t)x->K * x->F + x->K;
    memcpy(m->inputs[0], x->bin, (size_t)x->B * x->C * x->S * x->S * sizeof(float));
    lc_model_forward(m, p, x->B, 1, 7, 3);
    const lc_layer *o = enc_out(m);
    r->nout = (size_t)x->B * x->F;
    r->ngrad = m->nparams;
    r->out = malloc(r->nout * sizeof(float));
    r->grads = malloc(r->ngrad * sizeof(float));
    if (r->out)
        memcpy(r->out, m->acts + o->act_off, r->nout * sizeof(float));
    memcpy(m->heads[0].dlogits, g, (size_t)x->B * x->K * sizeof(float));
    lc_model_backward(m, p, x->B);
    if (r->grads)
        memcpy(r->grads, m->grads, r->ngrad * sizeof(float));
    lc_pool_destroy(p);
    lc_model_free(m);
    return r->out && r->grads ? 0 : -1;
}

static void run_case(const char *dir, const char *cname)
{
    fixture *x = calloc(1, sizeof *x);
    if (!x)
        return;
    int rc = read_fixture(dir, cname, 1, x);
    CHECK_MSG(rc == 0, "%s: cannot read the fixture gen_vit_legacy.py wrote", cname);
    if (rc)
        goto out;
    size_t nx = (size_t)x->B * x->C * x->S * x->S, poff[MAXT];
    const float *hw = x->bin + nx + x->off[x->np], *g = hw + (size_t)x->K * x->F + x->K;
    const float *ev = g + (size_t)x->B * x->K, *tr = ev + (size_t)x->B * x->F,
                *pg = tr + (size_t)x->B * x->F;
    CHECK_MSG((size_t)(pg + x->off[x->np] - x->bin) == x->nbin, "%s: fixture size", cname);
    lc_error e = {0};
    lc_model *m = build(x, 0.0f, 1, 0, &e);
    CHECK_MSG(m != NULL, "%s: %s", cname, e.msg);
    if (!m || !names_match(m, x, cname)) {
        lc_model_free(m);
        goto out;
    }
    load(m, x, poff);
    lc_pool *p = lc_pool_create(1);
    const lc_layer *o = enc_out(m);
    memcpy(m->inputs[0], x->bin, nx * sizeof(float));
    lc_model_forward(m, p, x->B, 0, 7, 3);
    double d_ev = rel(m->acts + o->act_off, ev, (size_t)x->B * x->F);
    memcpy(m->inputs[0], x->bin, nx * sizeof(float));
    lc_model_forward(m, p, x->B, 1, 7, 3);
    double d_tr = rel(m->acts + o->act_off, tr, (size_t)x->B * x->F);
    memcpy(m->heads[0].dlogits, g, (size_t)x->B * x->K * sizeof(float));
    lc_model_backward(m, p, x->B);
    double d_g = 0.0;
    const char *worst = "";
    for (int j = 0; j < x->np; j++) {
        size_t n = x->off[j + 1] - x->off[j];
        if (strstr(x->name[j], ".attention.attention.key.bias")) {
            /* 0 in exact arithmetic (q . b is the same for every key: the softmax drops it):
             * float noise in both, each within 1e-5 of the key weight's largest gradient */
            double a = 0.0, b = 0.0, kw = 0.0;
            for (size_t i = 0; i < n; i++) {
                a = fmax(a, fabs(m->grads[poff[j] + i]));
                b = fmax(b, fabs(pg[x->off[j] + i]));
            }
            for (size_t i = 0; i < x->off[j] - x->off[j - 1]; i++)
                kw = fmax(kw, fabs(pg[x->off[j - 1] + i]));
            CHECK_MSG(a <= 1e-5 * kw && b <= 1e-5 * kw, "%s: %s (0 in exact arithmetic): %.3g here, %.3g in torch, the key weight's %.3g",
                      cname, x->name[j], a, b, kw);
            continue;
        }
        double r = rel(m->grads + poff[j], pg + x->off[j], n);
        CHECK_MSG(r <= 1e-3, "%s: gradient of %s differs from torch's by %.3g of its largest", cname,
                  x->name[j], r);
        if (r > d_g) {
            d_g = r;
            worst = x->name[j] + strlen("input_features.module_dict.image_path__ludwig.") + strlen(PFX);
        }
    }
    CHECK_MSG(d_ev <= 1e-4, "%s: eval-mode output differs by %.3g", cname, d_ev);
    CHECK_MSG(d_tr <= 1e-4, "%s: train-mode output differs by %.3g", cname, d_tr);
    printf("test_vit_legacy: %s (%dx%dx%d, patch %d, hidden %d, %d layers, %d heads, %s): pooler_output vs the reference %.2g (eval) %.2g (train) of the largest; gradients %.2g of each tensor's largest at most (%s)\n",
           cname, x->C, x->S, x->S, x->P, x->E, x->L, x->NH, x->act, d_ev, d_tr, d_g, worst);
    lc_pool_destroy(p);
    lc_model_free(m);
    /* 1 vs 2 threads, without and with dropout (hidden states and attention weights 0.1) */
    for (int dr = 0; dr < 2; dr++) {
        run_out a = {0}, b = {0};
        int ok = run_train(x, dr ? 0.1f : 0.0f, 1, &a) == 0 && run_train(x, dr ? 0.1f : 0.0f, 2, &b) == 0;
        CHECK_MSG(ok && memcmp(a.out, b.out, a.nout * sizeof(float)) == 0 &&
                      memcmp(a.grads, b.grads, a.ngrad * sizeof(float)) == 0,
                  "%s: outputs or gradients differ between 1 and 2 threads (dropout %s)", cname,
                  dr ? "0.1" : "0");
        if (ok && dr) { /* dropout changed something */
            run_out c = {0};
            if (run_train(x, 0.0f, 1, &c) == 0)
                CHECK_MSG(memcmp(a.out, c.out, a.nout * sizeof(float)) != 0,
                          "%s: dropout 0.1 left the output unchanged", cname);
            free(c.out);
            free(c.grads);
        }
        free(a.out);
        free(a.grads);
        free(b.out);
        free(b.grads);
    }
    printf("test_vit_legacy: %s: outputs and gradients bitwise equal on 1 and 2 threads (dropout 0 and 0.1)\n",
           cname);
out:
    free(x->bin);
    free(x);
}

/* With dropout 0.1 on the hidden states and the attention weights: the backward pass against
 * central differences of the loss in double precision over the same masks (seed and step fixed):
 * elements of layer 0's query, key and value weights, the position embeddings and the class
 * token */
static void dropout_grad_check(const char *dir)
{
    fixture *x = calloc(1, sizeof *x);
    if (!x || read_fixture(dir, "selu", 1, x)) {
        CHECK_MSG(0, "selu: cannot read the fixture");
        if (x)
            free(x->bin);
        free(x);
        return;
    }
    lc_error e = {0};
    size_t poff[MAXT];
    lc_model *m = build(x, 0.1f, 1, 0, &e);
    CHECK_MSG(m != NULL, "dropout check: %s", e.msg);
    if (!m)
        goto out;
    load(m, x, poff);
    lc_pool *p = lc_pool_create(1);
    size_t nx = (size_t)x->B * x->C * x->S * x->S;
    const float *g = x->bin + nx + x->off[x->np] + (size_t)x->K * x->F + x->K;
    memcpy(m->inputs[0], x->bin, nx * sizeof(float));
    lc_model_forward(m, p, x->B, 1, 7, 3);
    memcpy(m->heads[0].dlogits, g, (size_t)x->B * x->K * sizeof(float));
    lc_model_backward(m, p, x->B);
    static const char *const which[] = {"encoder.layer.0.attention.attention.query.weight",
                                        "encoder.layer.0.attention.attention.key.weight",
                                        "encoder.layer.0.attention.attention.value.weight",
                                        "embeddings.position_embeddings", "embeddings.cls_token"};
    double worst = 0.0;
    int tested = 0;
    for (int w = 0; w < 5; w++) {
        char full[260];
        snprintf(full, sizeof full, "input_features.module_dict.image_path__ludwig.%s%s", PFX, which[w]);
        int j = find_name(x, full);
        CHECK_MSG(j >= 0, "dropout check: no %s", which[w]);
        if (j < 0)
            continue;
        size_t n = x->off[j + 1] - x->off[j];
        for (size_t q = 0; q < 6; q++) {
            size_t at = poff[j] + (q * 977) % n;
            float keep = m->params[at], ga = m->grads[at];
            double h = 1e-2, lp, lm;
            m->params[at] = keep + (float)h;
            memcpy(m->inputs[0], x->bin, nx * sizeof(float));
            lc_model_forward(m, p, x->B, 1, 7, 3);
            lp = loss_of(m, g, x->B, x->K);
            m->params[at] = keep - (float)h;
            memcpy(m->inputs[0], x->bin, nx * sizeof(float));
            lc_model_forward(m, p, x->B, 1, 7, 3);
            lm = loss_of(m, g, x->B, x->K);
            m->params[at] = keep;
            double fd = (lp - lm) / (2 * h), err = fabs(fd - ga) / (0.05 + fabs(fd));
            CHECK_MSG(err <= 0.02, "dropout check: %s[%zu]: backward %.6g, central difference %.6g",
                      which[w], at - poff[j], (double)ga, fd);
            worst = err > worst ? err : worst;
            tested++;
        }
    }
    printf("test_vit_legacy: dropout 0.1 (hidden states, attention weights): %d gradients within %.2g of central differences\n",
           tested, worst);
    lc_pool_destroy(p);
    lc_model_free(m);
out:
    free(x->bin);
    free(x);
}

/* use_pretrained: gen_vit_legacy.py's hub cache (HF_HUB_CACHE) holds "small"'s weights as a
 * ViTForImageClassification (vit.*, a classifier, no pooler), as model.safetensors and as
 * pytorch_model.bin: the snapshot found through refs/main, config.json's architecture, every
 * tensor the file's bit for bit, the pooler left as initialised; a missing entry named with
 * how to fill the cache; damaged safetensors refused */
static void hf_check(const char *dir)
{
    fixture *x = calloc(1, sizeof *x);
    if (!x || read_fixture(dir, "small", 1, x)) {
        CHECK_MSG(0, "hf: cannot read the fixture");
        if (x)
            free(x->bin);
        free(x);
        return;
    }
    char hub[600], snap[4096], path[4200];
    snprintf(hub, sizeof hub, "%s/hub", dir);
    unsetenv("TRANSFORMERS_CACHE");
    setenv("HF_HUB_CACHE", hub, 1);
    static const char *const repos[] = {"test-org/vit-small", "test-org/vit-small-bin"};
    static const char *const files[] = {"model.safetensors", "pytorch_model.bin"};
    for (int r = 0; r < 2; r++) {
        lc_error e = {0};
        lc_status st = lc_hf_snapshot(repos[r], snap, sizeof snap, &e);
        CHECK_MSG(st == LC_OK && strstr(snap, r ? "/snapshots/4567def" : "/snapshots/0123abc"),
                  "hf: %s: %s", repos[r], st ? e.msg : snap);
        if (st)
            continue;
        lc_input_spec in = {.name = "image_path", .enc = LC_ENC_VIT_LEGACY, .C = 3, .H = 32,
                            .W = 32, .vl_drop = 0.5f, .vl_attn_drop = 0.5f};
        st = lc_hf_vit_config(snap, &in, &e);
        CHECK_MSG(st == LC_OK && in.vl_hidden == 64 && in.vl_layers == 2 && in.vl_heads == 4 &&
                      in.vl_inter == 128 && in.vl_patch == 8 && in.vl_image == 32 &&
                      in.vl_channels == 3 && in.vl_act == LC_ACT_GELU && in.vl_drop == 0.0f &&
                      in.vl_attn_drop == 0.0f && in.vl_init_range == 0.02f,
                  "hf: %s: config.json read as hidden %d layers %d heads %d (%s)", repos[r],
                  in.vl_hidden, in.vl_layers, in.vl_heads, st ? e.msg : "");
        lc_output_spec out = {.name = "y", .type = LC_HEAD_VECTOR, .nclasses = 2, .use_bias = 1};
        lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &out};
        lc_model *m = NULL;
        if (st || lc_model_create_net(&net, 1, 1, &m, &e) != LC_OK) {
            CHECK_MSG(0, "hf: %s: %s", repos[r], e.msg);
            continue;
        }
        lc_model_init_params(m, 42);
        size_t poff[MAXT];
        int nt = lc_model_tensors(m, NULL, 0);
        lc_tensor_info *ti = calloc((size_t)nt, sizeof *ti);
        lc_model_tensors(m, ti, nt);
        for (int t = 0; t < nt; t++) {
            int j = find_name(x, ti[t].name);
            if (j >= 0)
                poff[j] = (size_t)(ti[t].data - m->params);
        }
        float *before = malloc(m->nparams * sizeof(float));
        if (before)
            memcpy(before, m->params, m->nparams * sizeof(float));
        st = lc_hf_load_vit(m, 0, snap, path, sizeof path, &e);
        CHECK_MSG(st == LC_OK && strstr(path, files[r]), "hf: %s: %s", repos[r], st ? e.msg : path);
        const float *w = x->bin + (size_t)x->B * x->C * x->S * x->S;
        int same = 0, pooler = 0;
        for (int j = 0; !st && before && j < x->np; j++) {
            size_t n = x->off[j + 1] - x->off[j];
            if (strstr(x->name[j], "module.pooler.")) {
                pooler += memcmp(m->params + poff[j], before + poff[j], n * sizeof(float)) == 0;
                continue;
            }
            same += memcmp(m->params + poff[j], w + x->off[j], n * sizeof(float)) == 0;
        }
        CHECK_MSG(same == x->np - 2 && pooler == 2, "hf: %s: %d of %d tensors the file's, %d of 2 pooler tensors as initialised",
                  repos[r], same, x->np - 2, pooler);
        printf("test_vit_legacy: pretrained from the hub cache (%s): config.json's architecture, %d tensors the file's bit for bit, the pooler as initialised\n",
               files[r], same);
        free(before);
        free(ti);
        lc_model_free(m);
    }
    lc_error e = {0};
    lc_status st = lc_hf_snapshot("test-org/none", snap, sizeof snap, &e);
    char want[700];
    snprintf(want, sizeof want, "from the local cache, and %s/models--test-org--none/refs/main is not there", hub);
    CHECK_MSG(st == LC_ERR_USAGE && strstr(e.msg, want) &&
                  strstr(e.hint, "huggingface-cli download test-org/none"),
              "hf: a missing entry: %s / %s", e.msg, e.hint);
    static const unsigned char trunc[] = {200, 0, 0, 0, 0, 0, 0, 0, '{', '}'};
    lc_tfile *tf = NULL;
    e = (lc_error){0};
    st = lc_safetensors_load_mem(trunc, sizeof trunc, "t.safetensors", &tf, &e);
    CHECK_MSG(st == LC_ERR_DATA && !tf && strstr(e.msg, "t.safetensors: not a readable safetensors file"),
              "safetensors: a header past the end: %s", e.msg);
    /* a 67-byte header, then 4 bytes of data: tensor a claims 12 */
    static const char bad_off[] = "\x43\0\0\0\0\0\0\0{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 12]}}     abcd";
    e = (lc_error){0};
    st = lc_safetensors_load_mem(bad_off, sizeof bad_off - 1, "u.safetensors", &tf, &e);
    CHECK_MSG(st == LC_ERR_DATA && !tf && strstr(e.msg, "tensor a"), "safetensors: offsets past the data: %s", e.msg);
    unsetenv("HF_HUB_CACHE");
    free(x->bin);
    free(x);
}

/* The default ViTConfig at 224 (no forward: 86 million parameters) */
static void default_names(const char *dir)
{
    fixture *x = calloc(1, sizeof *x);
    if (!x)
        return;
    int rc = read_fixture(dir, "default_224", 0, x);
    CHECK_MSG(rc == 0, "default_224: cannot read the names gen_vit_legacy.py wrote");
    if (!rc) {
        lc_error e = {0};
        lc_model *m = build(x, 0.1f, 1, 1, &e);
        CHECK_MSG(m != NULL, "default_224: %s", e.msg);
        if (m)
            names_match(m, x, "default ViTConfig at 224");
        lc_model_free(m);
    }
    free(x);
}

/* HF's initialisation: weights trunc_normal_(std initializer_range), biases 0, LayerNorms 1, 0 */
static void init_check(void)
{
    fixture x = {.B = 1, .S = 32, .C = 3, .K = 2, .F = 64, .P = 8, .E = 64, .L = 2, .NH = 4,
                 .M = 128, .act = "gelu", .eps = 1e-12};
    lc_error e = {0};
    lc_model *m = build(&x, 0.1f, 1, 0, &e);
    CHECK_MSG(m != NULL, "init: %s", e.msg);
    if (!m)
        return;
    lc_model_init_params(m, 42);
    int nt = lc_model_tensors(m, NULL, 0), checked = 0;
    lc_tensor_info *ti = calloc((size_t)nt, sizeof *ti);
    lc_model_tensors(m, ti, nt);
    for (int t = 0; ti && t < nt; t++) {
        const char *n = strstr(ti[t].name, PFX);
        if (!n)
            continue;
        n += strlen(PFX);
        size_t len = strlen(n);
        int is_bias = len > 5 && strcmp(n + len - 5, ".bias") == 0;
        int is_ln = strstr(n, "layernorm") != NULL;
        double s = 0.0, s2 = 0.0, mx = 0.0;
        for (size_t i = 0; i < ti[t].n; i++) {
            s += ti[t].data[i];
            s2 += (double)ti[t].data[i] * ti[t].data[i];
            mx = fabs(ti[t].data[i]) > mx ? fabs(ti[t].data[i]) : mx;
        }
        double mean = s / (double)ti[t].n, sd = sqrt(s2 / (double)ti[t].n - mean * mean);
        if (is_bias)
            CHECK_MSG(mx == 0.0, "init: %s is not zero", n);
        else if (is_ln)
            CHECK_MSG(mean == 1.0 && sd == 0.0, "init: %s is not ones", n);
        else
            CHECK_MSG(fabs(sd - 0.02) < 0.02 * (ti[t].n > 1000 ? 0.1 : 0.3) && fabs(mean) < 0.01,
                      "init: %s has mean %.3g and standard deviation %.3g (trunc_normal_ std 0.02)",
                      n, mean, sd);
        checked++;
    }
    printf("test_vit_legacy: initialisation of %d tensors as HF's _init_weights\n", checked);
    free(ti);
    lc_model_free(m);
}

/* Shapes the planner refuses (config.c reports them with the file position first) */
static void planning_errors(void)
{
    fixture x = {.B = 1, .S = 32, .C = 3, .K = 2, .F = 64, .P = 8, .E = 64, .L = 1, .NH = 5,
                 .M = 128, .act = "gelu", .eps = 1e-12};
    lc_error e = {0};
    lc_model *m = build(&x, 0.0f, 1, 0, &e);
    CHECK_MSG(!m && strstr(e.msg, "divisible by num_attention_heads"), "heads: %s", e.msg);
    lc_model_free(m);
    x.NH = 4;
    x.P = 40;
    e = (lc_error){0};
    m = build(&x, 0.0f, 1, 0, &e);
    CHECK_MSG(!m && strstr(e.msg, "smaller than the _vit_legacy encoder's patch_size 40"), "patch: %s", e.msg);
    lc_model_free(m);
    x.P = 8;
    x.S = 33; /* not square */
    e = (lc_error){0};
    lc_input_spec in = {.name = "image_path", .enc = LC_ENC_VIT_LEGACY, .C = 3, .H = 32, .W = 48,
                        .vl_patch = 8, .vl_hidden = 64, .vl_layers = 1, .vl_heads = 4,
                        .vl_inter = 128, .vl_act = LC_ACT_GELU, .vl_init_range = 0.02f,
                        .vl_ln_eps = 1e-12f};
    lc_output_spec out = {.name = "y", .type = LC_HEAD_VECTOR, .nclasses = 2, .use_bias = 1};
    lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &out};
    m = NULL;
    CHECK(lc_model_create_net(&net, 1, 1, &m, &e) != LC_OK && !m &&
          strstr(e.msg, "input feature 'image_path': the _vit_legacy encoder takes square images (got 32x48)"));
}

int main(int argc, char **argv)
{
    planning_errors();
    init_check();
    char tmp[] = "/tmp/lc_vit_legacy_XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmp);
    if (!dir)
        return 1;
    char cmd[700];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import torch, PIL' 2>/dev/null && /usr/bin/python3 tests/gen_vit_legacy.py %s",
             dir);
    if (argc < 2 && system(cmd) != 0) {
        printf("test_vit_legacy: note: Debian's python3-torch is not installed: the comparison with the reference is skipped\n");
    } else {
        run_case(dir, "small");
        run_case(dir, "gray_gelu_new");
        run_case(dir, "selu");
        run_case(dir, "relu");
        dropout_grad_check(dir);
        hf_check(dir);
        default_names(dir);
    }
    if (argc < 2)
        lc_rm_tree(dir);
    return check_exit("test_vit_legacy");
}
