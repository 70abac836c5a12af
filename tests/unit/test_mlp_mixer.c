/* test_mlp_mixer.c - the image `mlp_mixer` encoder (Ludwig 0.10.3's own MLPMixer, issue 16)
 * against the PyTorch module tests/gen_mlp_mixer.py builds as Ludwig's mlp_mixer_modules.py
 * does, with random weights, on photographs of test-data. Per case ludwig-c plans the encoder
 * (with a linear head), takes the module's weights by their names and must give:
 *  - Ludwig's state_dict names and shapes (encoder_obj.mlp_mixer.patch_conv,
 *    mixer_blocks.<i>.{layernorm1, mlp1.linear1, ...}, layer_norm), no more and no fewer;
 *  - the encoder output in eval mode and in train mode (dropout 0) within 1e-4 of torch's
 *    (relative to the output's largest value);
 *  - every parameter's gradient within 1e-4 of torch's (relative to the tensor's largest);
 *  - the same gradients, bitwise, on 1 and 2 threads.
 * Without torch the comparison is skipped with a note; the planning checks (the patch size
 * must divide the image, dropout placement, the initialisation's distribution) run either way.
 * Run from the repository root. */
#include "check.h"
#include "lc_fs.h"
#include "lc_model.h"
#include "lc_pool.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAXT = 256 };

typedef struct fixture {
    int B, C, H, W, K, F, patch, embed, token, channel, layers, avg_pool;
    int nt;
    char name[MAXT][160];
    int shape[MAXT][4], nd[MAXT];
    size_t n[MAXT];
    float *bin;
    size_t nbin;
} fixture;

static int read_fixture(const char *dir, const char *name, fixture *x)
{
    char p[600], line[512];
    snprintf(p, sizeof p, "%s/%s.txt", dir, name);
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    int ok = fgets(line, sizeof line, f) &&
             sscanf(line, "%d %d %d %d %d %d %d %d %d %d %d %d", &x->B, &x->C, &x->H, &x->W,
                    &x->K, &x->F, &x->patch, &x->embed, &x->token, &x->channel, &x->layers,
                    &x->avg_pool) == 12;
    while (ok && x->nt < MAXT && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *tok = strtok(line, " ");
        if (!tok)
            continue;
        int t = x->nt++;
        snprintf(x->name[t], sizeof x->name[t], "%.159s", tok);
        x->n[t] = 1;
        while ((tok = strtok(NULL, " ")) && x->nd[t] < 4) {
            x->shape[t][x->nd[t]++] = atoi(tok);
            x->n[t] *= (size_t)atoi(tok);
        }
    }
    fclose(f);
    if (!ok)
        return -1;
    snprintf(p, sizeof p, "%s/%s.bin", dir, name);
    x->bin = (float *)(void *)check_slurp(p, &x->nbin);
    x->nbin /= sizeof(float);
    return x->bin ? 0 : -1;
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

static lc_model *build(int C, int H, int W, int patch, int embed, int token, int channel,
                       int layers, int avg_pool, float dropout, int K, int B, int threads,
                       lc_error *e)
{
    lc_input_spec in = {.name = "image_path", .enc = LC_ENC_MLP_MIXER, .C = C, .H = H, .W = W,
                        .mx_patch = patch, .mx_embed = embed, .mx_token = token,
                        .mx_channel = channel, .mx_layers = layers, .mx_avg_pool = avg_pool,
                        .mx_dropout = dropout};
    lc_output_spec out = {.name = "y", .type = LC_HEAD_VECTOR, .nclasses = K, .use_bias = 1};
    lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &out};
    lc_model *m = NULL;
    if (lc_model_create_net(&net, B, threads, &m, e) != LC_OK)
        return NULL;
    return m;
}

static lc_model *build_fixture(const fixture *x, int threads, lc_error *e)
{
    return build(x->C, x->H, x->W, x->patch, x->embed, x->token, x->channel, x->layers,
                 x->avg_pool, 0.0f, x->K, x->B, threads, e);
}

/* the encoder's last layer (its output) */
static const lc_layer *enc_out(const lc_model *m)
{
    const lc_layer *o = NULL;
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].part == LC_PART_ENC_MIXER)
            o = &m->layers[i];
    return o;
}

/* index of name in the fixture's list, -1 if absent */
static int fixture_index(const fixture *x, const char *name)
{
    for (int t = 0; t < x->nt; t++)
        if (strcmp(x->name[t], name) == 0)
            return t;
    return -1;
}

/* One case on `threads` threads; returns the parameter gradients (the caller frees) */
static float *run_case(const char *name, const fixture *x, int threads, int check)
{
    lc_error e = {0};
    lc_model *m = build_fixture(x, threads, &e);
    CHECK_MSG(m != NULL, "%s: %s", name, e.msg);
    if (!m)
        return NULL;
    int nt = lc_model_tensors(m, NULL, 0);
    lc_tensor_info *ti = calloc((size_t)nt, sizeof *ti);
    lc_model_tensors(m, ti, nt);
    const int B = x->B, K = x->K, F = x->F;
    size_t nx = (size_t)B * x->C * x->H * x->W;
    const float *px = x->bin, *hw = px + nx, *hb = hw + (size_t)K * F, *g = hb + K,
                *ev = g + (size_t)B * K, *tr = ev + (size_t)B * F, *pw = tr + (size_t)B * F;
    size_t off[MAXT + 1] = {0};
    for (int t = 0; t < x->nt; t++)
        off[t + 1] = off[t] + x->n[t];
    const float *pg = pw + off[x->nt];
    float *grads = NULL;
    lc_pool *p = NULL;
    /* names and shapes: every encoder tensor is one of torch's, and all of torch's are there */
    int nenc = 0, same_all = 1;
    for (int t = 0; t < nt; t++) {
        if (!strstr(ti[t].name, "encoder_obj.mlp_mixer."))
            continue;
        nenc++;
        int at = fixture_index(x, ti[t].name);
        int same = at >= 0 && ti[t].ndim == x->nd[at] && !ti[t].is_buffer;
        for (int d = 0; same && d < ti[t].ndim; d++)
            same = ti[t].shape[d] == x->shape[at][d];
        same_all &= same;
        if (check)
            CHECK_MSG(same, "%s: tensor %s is not in torch's state_dict with that shape", name,
                      ti[t].name);
        if (same)
            memcpy((float *)ti[t].data, pw + off[at], x->n[at] * sizeof(float));
        else if (strstr(ti[t].name, "decoder_obj.dense.dense.weight"))
            memcpy((float *)ti[t].data, hw, (size_t)K * F * sizeof(float));
    }
    for (int t = 0; t < nt; t++)
        if (strstr(ti[t].name, "decoder_obj.dense.dense.weight"))
            memcpy((float *)ti[t].data, hw, (size_t)K * F * sizeof(float));
        else if (strstr(ti[t].name, "decoder_obj.dense.dense.bias"))
            memcpy((float *)ti[t].data, hb, (size_t)K * sizeof(float));
    if (check) {
        CHECK_MSG(nenc == x->nt, "%s: %d encoder tensors, torch's state_dict has %d", name, nenc,
                  x->nt);
        CHECK_MSG((size_t)(pg + off[x->nt] - x->bin) == x->nbin, "%s: %zu of %zu fixture floats",
                  name, (size_t)(pg + off[x->nt] - x->bin), x->nbin);
    }
    const lc_layer *o = enc_out(m);
    CHECK_MSG(o && o->out_n == (size_t)F, "%s: the encoder gives %zu values, torch's %d", name,
              o ? o->out_n : 0, F);
    if (!same_all || nenc != x->nt || !o || o->out_n != (size_t)F)
        goto out;
    p = lc_pool_create(threads);
    memcpy(m->inputs[0], px, nx * sizeof(float));
    lc_model_forward(m, p, B, 0, 1, 1);
    double d_ev = rel(m->acts + o->act_off, ev, (size_t)B * F);
    memcpy(m->inputs[0], px, nx * sizeof(float));
    lc_model_forward(m, p, B, 1, 1, 1);
    double d_tr = rel(m->acts + o->act_off, tr, (size_t)B * F);
    memcpy(m->heads[0].dlogits, g, (size_t)B * K * sizeof(float));
    lc_model_backward(m, p, B);
    double d_g = 0.0, gmax = 0.0, noise = 0.0;
    const char *worst = "";
    for (size_t i = 0; i < off[x->nt]; i++)
        gmax = fabs(pg[i]) > gmax ? fabs(pg[i]) : gmax;
    for (int t = 0; t < nt; t++) {
        if (!strstr(ti[t].name, "encoder_obj.mlp_mixer."))
            continue;
        int at = fixture_index(x, ti[t].name);
        const float *a = m->grads + (ti[t].data - m->params), *b = pg + off[at];
        if (strstr(ti[t].name, "mlp1.linear2.bias")) {
            /* 0 in exact arithmetic: this bias adds one value to all embed_size channels of a
             * patch, and every path to the output runs through a LayerNorm over those channels
             * (the next layernorm2, layernorm1, layer_norm), which takes it out; both gradients
             * are float noise, each checked to stay below 1e-5 of the largest gradient */
            double na = 0.0, nb = 0.0;
            for (size_t i = 0; i < x->n[at]; i++) {
                na = fabs(a[i]) > na ? fabs(a[i]) : na;
                nb = fabs(b[i]) > nb ? fabs(b[i]) : nb;
            }
            if (check)
                CHECK_MSG(na <= 1e-5 * gmax && nb <= 1e-5 * gmax,
                          "%s: gradient of %s (0 in exact arithmetic): %.3g here, %.3g in torch, the largest gradient %.3g",
                          name, ti[t].name, na, nb, gmax);
            noise = na / gmax > noise ? na / gmax : noise;
            continue;
        }
        double r = rel(a, b, x->n[at]);
        if (check)
            CHECK_MSG(r <= 1e-4, "%s: gradient of %s differs from torch's by %.3g of its largest",
                      name, ti[t].name, r);
        if (r > d_g) {
            d_g = r;
            worst = x->name[at] + strlen("input_features.module_dict.image_path__ludwig.encoder_obj.");
        }
    }
    if (check) {
        CHECK_MSG(d_ev <= 1e-4, "%s: eval-mode output differs from torch's by %.3g", name, d_ev);
        CHECK_MSG(d_tr <= 1e-4, "%s: train-mode output differs from torch's by %.3g", name, d_tr);
        printf("test_mlp_mixer: %s (%d x %dx%dx%d, patch %d, %d blocks, avg_pool %d): %d tensors named and shaped as Ludwig's; output vs torch %.2g (eval) %.2g (train) of the largest; gradients %.2g at most (%s), mlp1.linear2.bias (0 in exact arithmetic) %.2g of the largest gradient\n",
               name, B, x->C, x->H, x->W, x->patch, x->layers, x->avg_pool, nenc, d_ev, d_tr, d_g,
               worst, noise);
    }
    grads = malloc(m->nparams * sizeof *grads);
    if (grads)
        memcpy(grads, m->grads, m->nparams * sizeof *grads);
out:
    lc_pool_destroy(p);
    free(ti);
    lc_model_free(m);
    return grads;
}

/* The planning: the patch size must divide the image (Ludwig asserts it), the sizes at least 1;
 * the output's size; the dropouts where Ludwig's MLPs have them, in training only */
static void planning(void)
{
    lc_error e = {0};
    lc_model *m = build(3, 28, 28, 16, 8, 8, 8, 1, 1, 0.0f, 2, 2, 1, &e);
    CHECK_MSG(!m && strstr(e.msg, "patch_size 16 does not divide the 28x28") &&
                  strstr(e.msg, "multiples of 16"),
              "28x28 in 16x16 patches: %s", m ? "a model" : e.msg);
    lc_model_free(m);
    memset(&e, 0, sizeof e);
    m = build(3, 32, 30, 16, 8, 8, 8, 1, 1, 0.0f, 2, 2, 1, &e);
    CHECK_MSG(!m && strstr(e.msg, "32x30"), "32x30 in 16x16 patches: %s", m ? "a model" : e.msg);
    lc_model_free(m);
    memset(&e, 0, sizeof e);
    m = build(3, 32, 32, 16, 8, 8, 8, 0, 1, 0.0f, 2, 2, 1, &e);
    CHECK_MSG(!m && strstr(e.msg, "at least 1"), "num_layers 0: %s", m ? "a model" : e.msg);
    lc_model_free(m);
    /* avg_pool false: every patch's embedding, 4 x 8 values */
    memset(&e, 0, sizeof e);
    m = build(1, 28, 28, 14, 8, 6, 5, 2, 0, 0.0f, 2, 2, 1, &e);
    CHECK_MSG(m && enc_out(m)->out_n == 32, "avg_pool false: %s", m ? "size" : e.msg);
    lc_model_free(m);
    /* dropout 0.25: dropout1 and dropout2 of both MLPs of each block, none elsewhere; the
     * evaluation ignores them, training uses them */
    memset(&e, 0, sizeof e);
    m = build(3, 32, 32, 8, 16, 12, 10, 3, 1, 0.25f, 2, 2, 1, &e);
    CHECK_MSG(m != NULL, "dropout: %s", e.msg);
    if (!m)
        return;
    int nd = 0, named = 1;
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].type == LC_L_DROPOUT) {
            nd++;
            named &= m->layers[i].u.rate == 0.25f && strstr(m->layers[i].tvname, ".dropout") &&
                     strstr(m->layers[i].tvname, "mixer_blocks.");
        }
    CHECK_MSG(nd == 12 && named, "dropout layers: %d (want 4 per block, 12)", nd);
    lc_pool *p = lc_pool_create(1);
    lc_model_init_params(m, 42);
    const lc_layer *o = enc_out(m);
    size_t nx = 2 * 3 * 32 * 32;
    for (size_t i = 0; i < nx; i++)
        m->inputs[0][i] = (float)((i * 2654435761u) % 1000) / 1000.0f;
    lc_model_forward(m, p, 2, 0, 1, 1);
    float *ev = malloc(o->out_n * 2 * sizeof *ev);
    memcpy(ev, m->acts + o->act_off, o->out_n * 2 * sizeof *ev);
    lc_model_forward(m, p, 2, 0, 1, 2);
    CHECK_MSG(memcmp(ev, m->acts + o->act_off, o->out_n * 2 * sizeof *ev) == 0,
              "dropout: the evaluation depends on the step");
    lc_model_forward(m, p, 2, 1, 1, 1);
    CHECK_MSG(rel(m->acts + o->act_off, ev, o->out_n * 2) > 1e-3,
              "dropout: training with dropout 0.25 gives the evaluation's output");
    free(ev);
    lc_pool_destroy(p);
    /* torch's defaults, as Ludwig leaves them: Conv2d and Linear weights and biases
     * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform a=sqrt(5) gives the same bound),
     * LayerNorms 1 and 0 */
    int nt = lc_model_tensors(m, NULL, 0);
    lc_tensor_info *ti = calloc((size_t)nt, sizeof *ti);
    lc_model_tensors(m, ti, nt);
    int checked = 0;
    for (int t = 0; t < nt; t++) {
        const char *nm = ti[t].name;
        if (!strstr(nm, "encoder_obj.mlp_mixer."))
            continue;
        checked++;
        if (strstr(nm, "norm")) {
            float want = strstr(nm, ".weight") ? 1.0f : 0.0f;
            int ok = 1;
            for (size_t i = 0; i < ti[t].n; i++)
                ok &= ti[t].data[i] == want;
            CHECK_MSG(ok, "%s: not %g", nm, want);
            continue;
        }
        /* the fan_in of the layer: the weight's columns (conv: C x p x p) */
        double fan_in = strstr(nm, "patch_conv") ? 3 * 8 * 8
                        : strstr(nm, "mlp1.linear1") ? 16 /* n_patches */
                        : strstr(nm, "mlp1.linear2") ? 12 /* token_size */
                        : strstr(nm, "mlp2.linear1") ? 16 /* embed_size */
                                                     : 10; /* channel_dim */
        double bound = 1.0 / sqrt(fan_in), s2 = 0.0, mx = 0.0;
        for (size_t i = 0; i < ti[t].n; i++) {
            s2 += (double)ti[t].data[i] * ti[t].data[i];
            mx = fabs(ti[t].data[i]) > mx ? fabs(ti[t].data[i]) : mx;
        }
        double sd = sqrt(s2 / (double)ti[t].n), want = bound / sqrt(3.0);
        /* the sample's spread within 4 standard errors of a uniform's (its 4th moment 9/5 sd^4) */
        double se = want * sqrt(0.8 / (double)ti[t].n) / 2.0;
        CHECK_MSG(mx <= bound && fabs(sd - want) <= 4 * se + 1e-6,
                  "%s: |w| <= %.4g and sd %.4g (U(+-%.4g) has sd %.4g)", nm, mx, sd, bound, want);
    }
    CHECK_MSG(checked == 2 + 3 * 12 + 2, "%d encoder tensors initialised, want 40", checked);
    free(ti);
    lc_model_free(m);
    printf("test_mlp_mixer: planning: patch sizes that do not divide the image refused, 12 dropouts of 0.25 in training only, torch's default initialisation (uniform bounds and spread)\n");
}

/* test_mlp_mixer [DIR]: DIR holds what gen_mlp_mixer.py wrote (kept); without it, a temporary
 * directory it writes now */
int main(int argc, char **argv)
{
    planning();
    char tmp[] = "/tmp/lc_mlp_mixer_XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmp);
    if (!dir)
        return 1;
    char cmd[700];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import torch, PIL' 2>/dev/null && /usr/bin/python3 tests/gen_mlp_mixer.py %s",
             dir);
    if (argc < 2 && system(cmd) != 0) {
        printf("test_mlp_mixer: note: /usr/bin/python3 with torch and PIL is not installed: the comparison with the reference is skipped\n");
    } else {
        static const char *const cases[] = {"square", "rect_tokens", "gray", "one_patch"};
        for (int c = 0; c < 4; c++) {
            fixture *x = calloc(1, sizeof *x);
            int rc = read_fixture(dir, cases[c], x);
            CHECK_MSG(rc == 0, "%s: cannot read the fixture gen_mlp_mixer.py wrote", cases[c]);
            if (rc == 0) {
                float *g1 = run_case(cases[c], x, 1, 1);
                float *g2 = run_case(cases[c], x, 2, 0);
                CHECK_MSG(g1 && g2, "%s: no gradients", cases[c]);
                if (g1 && g2) {
                    lc_error e = {0};
                    lc_model *m = build_fixture(x, 1, &e);
                    size_t n = m ? m->nparams : 0;
                    lc_model_free(m);
                    CHECK_MSG(n && memcmp(g1, g2, n * sizeof *g1) == 0,
                              "%s: gradients differ between 1 and 2 threads", cases[c]);
                }
                free(g1);
                free(g2);
            }
            free(x->bin);
            free(x);
        }
    }
    if (argc < 2)
        lc_rm_tree(dir);
    return check_exit("test_mlp_mixer");
}
