/* test_resnet_legacy.c - the image `_resnet_legacy` encoder (Ludwig's own ResNet, then the mean
 * over the map and an FCStack) against tests/gen_resnet_legacy.py's PyTorch module with Ludwig's
 * module tree (random weights, random batch-norm affines and running statistics, photographs of
 * test-data; the reference computed in float64, its seeds chosen so that no ReLU input or max
 * pooling pair lies within float32 rounding of its kink: one value on the other side changes the
 * gradient of every tensor before it by percents through the train-mode batch norms). Here ludwig-c plans the same encoder with a
 * linear head, loads the fixture's tensors by name and must give:
 *  - Ludwig's state_dict names and shapes, in its order (every resnet_size, from names_<n>.txt);
 *  - the encoder output in eval mode (running statistics) and in train mode (batch statistics)
 *    within 1e-4 of the reference (relative to the output's largest value);
 *  - every parameter's gradient within 2e-3 of the reference (relative to the tensor's largest),
 *    and all of them within 2e-4 in L2 distance (resnet_size 50's train-mode batch norms over a
 *    few values per channel amplify float32 rounding: torch's own float32 gradients are 1.7e-4
 *    from its float64 ones there, ludwig-c's 9e-4; the basic-block cases are near 1e-5);
 *  - the running statistics after that train-mode forward within 1e-4;
 *  - outputs and gradients bitwise equal on 1 and 2 threads.
 * The config side: ResNetConfig's defaults filled in, and each setting Ludwig fails on refused
 * with the key's line and column. Without Debian's python3-torch the comparison is skipped with a
 * note. Run from the repository root. */
#include "check.h"
#include "lc_config.h"
#include "lc_model.h"
#include "lc_pool.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PREFIX "input_features.module_dict.image_path__ludwig.encoder_obj."

enum { MAXT = 1100 };

typedef struct fixture {
    int B, S, C, K, F;
    lc_resnet_legacy_spec rl;
    double t32_out, t32_grad; /* torch's own float32 error */
    int nt;
    char (*name)[128];
    int nd[MAXT], shape[MAXT][4], buffer[MAXT];
    float *bin;
    size_t nbin;
} fixture;

static int read_fixture(const char *dir, const char *name, int need_bin, fixture *x)
{
    char p[512], line[512];
    snprintf(p, sizeof p, "%s/%s.txt", dir, name);
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    x->name = calloc(MAXT, sizeof *x->name);
    lc_resnet_legacy_spec *r = &x->rl;
    int ok = x->name && fgets(line, sizeof line, f) &&
             sscanf(line, "%d %d %d %d %d", &x->B, &x->S, &x->C, &x->K, &x->F) == 5 &&
             fgets(line, sizeof line, f) &&
             sscanf(line, "%d %d %d %d %d %d %f %f", &r->resnet_size, &r->out_channels,
                    &r->kernel_size, &r->conv_stride, &r->pool_kernel, &r->pool_stride,
                    &r->bn_momentum, &r->bn_eps) == 8 &&
             fgets(line, sizeof line, f) && sscanf(line, "%lf %lf", &x->t32_out, &x->t32_grad) == 2;
    while (ok && x->nt < MAXT && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *tok = strtok(line, " ");
        if (!tok)
            continue;
        x->buffer[x->nt] = tok[0] == 'b';
        tok = strtok(NULL, " ");
        snprintf(x->name[x->nt], sizeof x->name[0], "%s%.100s", PREFIX, tok ? tok : "");
        int nd = 0;
        while ((tok = strtok(NULL, " ")) && nd < 4)
            x->shape[x->nt][nd++] = atoi(tok);
        x->nd[x->nt++] = nd;
    }
    fclose(f);
    if (!ok || !need_bin)
        return ok ? 0 : -1;
    snprintf(p, sizeof p, "%s/%s.bin", dir, name);
    x->bin = (float *)(void *)check_slurp(p, &x->nbin);
    x->nbin /= sizeof(float);
    return x->bin ? 0 : -1;
}

static lc_model *build(const fixture *x, int threads, lc_error *e)
{
    lc_fc_spec fc = {.out = x->F, .use_bias = 1, .w_init = LC_INIT_XAVIER_UNIFORM,
                     .b_init = LC_INIT_ZEROS, .act = LC_ACT_RELU};
    lc_input_spec in = {.name = "image_path", .enc = LC_ENC_RESNET_LEGACY, .C = x->C,
                        .H = x->S, .W = x->S, .rl = x->rl, .fc = {.n = 1, .layers = &fc}};
    lc_output_spec out = {.name = "y", .type = LC_HEAD_VECTOR, .nclasses = x->K > 0 ? x->K : 1,
                          .use_bias = 1};
    lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &out};
    lc_model *m = NULL;
    if (lc_model_create_net(&net, x->B > 0 ? x->B : 1, threads, &m, e) != LC_OK)
        return NULL;
    return m;
}

static size_t numel(const fixture *x, int t)
{
    size_t n = 1;
    for (int d = 0; d < x->nd[t]; d++)
        n *= (size_t)x->shape[t][d];
    return n;
}

/* The encoder's tensors (those under encoder_obj.) against the fixture's list, in order; fills
 * at[t] with the model's tensor of fixture tensor t. 1 when all match. */
static int names_match(const lc_tensor_info *ti, int nt, const fixture *x, const char *name,
                       int *at)
{
    int k = 0, same_all = 1;
    for (int t = 0; t < nt; t++) {
        if (strncmp(ti[t].name, PREFIX, strlen(PREFIX)) != 0)
            continue;
        int same = k < x->nt && strcmp(ti[t].name, x->name[k]) == 0 &&
                   ti[t].is_buffer == x->buffer[k] && ti[t].ndim == x->nd[k];
        for (int d = 0; same && d < ti[t].ndim; d++)
            same = ti[t].shape[d] == x->shape[k][d];
        CHECK_MSG(same, "%s: tensor %d is %s, Ludwig's %s (or another shape or kind)", name, k,
                  ti[t].name, k < x->nt ? x->name[k] : "(none)");
        same_all &= same;
        if (k < x->nt && at)
            at[k] = t;
        k++;
    }
    CHECK_MSG(k == x->nt, "%s: %d encoder tensors, Ludwig's state_dict has %d", name, k, x->nt);
    return same_all && k == x->nt;
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

/* One case on `threads` threads; returns the outputs (eval then train) followed by the
 * parameter gradients (the caller frees), and reports the figures when check is set. */
static float *run_case(const char *name, const fixture *x, int threads, int check,
                       size_t *nret)
{
    lc_error e = {0};
    lc_model *m = build(x, threads, &e);
    CHECK_MSG(m != NULL, "%s: %s", name, e.msg);
    if (!m)
        return NULL;
    int nt = lc_model_tensors(m, NULL, 0);
    lc_tensor_info *ti = calloc((size_t)nt, sizeof *ti);
    int *at = calloc(MAXT, sizeof *at);
    float *ret = NULL;
    lc_pool *p = NULL;
    if (!ti || !at)
        goto out;
    lc_model_tensors(m, ti, nt);
    if (!names_match(ti, nt, x, name, at))
        goto out;
    const int B = x->B, K = x->K, F = x->F;
    size_t nx = (size_t)B * x->C * x->S * x->S, off = nx;
    for (int t = 0; t < x->nt; t++) { /* the weights and running statistics */
        memcpy((float *)ti[at[t]].data, x->bin + off, numel(x, t) * sizeof(float));
        off += numel(x, t);
    }
    const float *hw = x->bin + off, *hb = hw + (size_t)K * F, *g = hb + K,
                *ev = g + (size_t)B * K, *tr = ev + (size_t)B * F, *pg = tr + (size_t)B * F;
    for (int t = 0; t < nt; t++)
        if (strstr(ti[t].name, "decoder_obj.dense.dense.weight"))
            memcpy((float *)ti[t].data, hw, (size_t)K * F * sizeof(float));
        else if (strstr(ti[t].name, "decoder_obj.dense.dense.bias"))
            memcpy((float *)ti[t].data, hb, (size_t)K * sizeof(float));
    /* the encoder's output: the last layer of its FCStack (the one before the decoder) */
    int enc_out = -1;
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].part == LC_PART_ENC_FC && m->layers[i].feature == 0)
            enc_out = i;
    CHECK(enc_out >= 0);
    if (enc_out < 0)
        goto out;
    const float *y = m->acts + m->layers[enc_out].act_off;
    p = lc_pool_create(threads);
    size_t npar = 0;
    for (int t = 0; t < x->nt; t++)
        if (!x->buffer[t])
            npar += numel(x, t);
    *nret = 2 * (size_t)B * F + npar;
    ret = malloc(*nret * sizeof *ret);
    if (!p || !ret)
        goto out;
    memcpy(m->inputs[0], x->bin, nx * sizeof(float));
    lc_model_forward(m, p, B, 0, 1, 1);
    double d_ev = rel(y, ev, (size_t)B * F);
    memcpy(ret, y, (size_t)B * F * sizeof(float));
    memcpy(m->inputs[0], x->bin, nx * sizeof(float));
    lc_model_forward(m, p, B, 1, 1, 1);
    double d_tr = rel(y, tr, (size_t)B * F);
    memcpy(ret + (size_t)B * F, y, (size_t)B * F * sizeof(float));
    memcpy(m->heads[0].dlogits, g, (size_t)B * K * sizeof(float));
    lc_model_backward(m, p, B);
    double d_g = 0.0, d2 = 0.0, b2 = 0.0, d_rs = 0.0;
    const char *worst = "";
    size_t go = 0, ro = 0;
    const float *rs = pg + npar;
    for (int t = 0; t < x->nt; t++) {
        size_t n = numel(x, t);
        if (x->buffer[t]) {
            double r = rel(ti[at[t]].data, rs + ro, n);
            d_rs = r > d_rs ? r : d_rs;
            ro += n;
            continue;
        }
        const float *a = m->grads + (ti[at[t]].data - m->params), *b = pg + go;
        memcpy(ret + 2 * (size_t)B * F + go, a, n * sizeof(float));
        double r = rel(a, b, n);
        if (check)
            CHECK_MSG(r <= 2e-3, "%s: gradient of %s differs from the reference by %.3g of its largest", name, x->name[t], r);
        if (r > d_g) {
            d_g = r;
            worst = x->name[t] + strlen(PREFIX);
        }
        for (size_t i = 0; i < n; i++) {
            d2 += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
            b2 += (double)b[i] * b[i];
        }
        go += n;
    }
    double l2 = b2 > 0.0 ? sqrt(d2 / b2) : sqrt(d2);
    if (check) {
        CHECK_MSG(off + (size_t)K * F + K + (size_t)B * K + 2 * (size_t)B * F + go + ro == x->nbin,
                  "%s: the fixture holds %zu floats, %zu read", name, x->nbin,
                  off + (size_t)K * F + K + (size_t)B * K + 2 * (size_t)B * F + go + ro);
        CHECK_MSG(d_ev <= 1e-4, "%s: eval-mode output differs from the reference by %.3g", name, d_ev);
        CHECK_MSG(d_tr <= 1e-4, "%s: train-mode output differs from the reference by %.3g", name, d_tr);
        CHECK_MSG(d_rs <= 1e-4, "%s: running statistics differ from the reference by %.3g", name, d_rs);
        CHECK_MSG(l2 <= 2e-4, "%s: the gradients differ from the reference by %.3g in L2 distance", name, l2);
        printf("test_resnet_legacy: %s (resnet_size %d, %dx%dx%d, batch %d): output vs the float64 reference %.2g (eval) %.2g (train) of the largest; running statistics %.2g; gradients %.2g of a tensor's largest at most (%s), %.2g in L2 over all %d tensors (torch's own float32: %.2g (train), %.2g)\n",
               name, x->rl.resnet_size, x->C, x->S, x->S, B, d_ev, d_tr, d_rs, d_g, worst, l2,
               x->nt, x->t32_out, x->t32_grad);
    }
out:
    lc_pool_destroy(p);
    free(ti);
    free(at);
    lc_model_free(m);
    return ret;
}

/* names and shapes alone, every resnet_size */
static void names_only(const char *dir)
{
    static const int sizes[8] = {8, 14, 18, 34, 50, 101, 152, 200};
    for (int s = 0; s < 8; s++) {
        char nm[32];
        snprintf(nm, sizeof nm, "names_%d", sizes[s]);
        fixture *x = calloc(1, sizeof *x);
        int rc = x ? read_fixture(dir, nm, 0, x) : -1;
        CHECK_MSG(rc == 0, "%s: cannot read what gen_resnet_legacy.py wrote", nm);
        if (rc == 0) {
            x->B = 1;
            lc_error e = {0};
            lc_model *m = build(x, 1, &e);
            CHECK_MSG(m != NULL, "%s: %s", nm, e.msg);
            if (m) {
                int nt = lc_model_tensors(m, NULL, 0);
                lc_tensor_info *ti = calloc((size_t)nt, sizeof *ti);
                if (ti) {
                    lc_model_tensors(m, ti, nt);
                    if (names_match(ti, nt, x, nm, NULL))
                        printf("test_resnet_legacy: resnet_size %d: %d tensors named and shaped as Ludwig's state_dict, in its order\n",
                               sizes[s], x->nt);
                }
                free(ti);
            }
            lc_model_free(m);
        }
        if (x)
            free(x->name);
        free(x);
    }
}

/* A config: loads it and returns the status; the message in e. */
static lc_status load(const char *yaml_encoder, lc_config **cfg, lc_error *e)
{
    char path[] = "/tmp/lc_rlcfg_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return LC_ERR_IO;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(path);
        return LC_ERR_IO;
    }
    fprintf(f, "input_features:\n  - name: image_path\n    type: image\n    encoder:\n%s"
               "output_features:\n  - name: label\n    type: category\n",
            yaml_encoder);
    fclose(f);
    *cfg = NULL;
    lc_status st = lc_config_load(path, cfg, NULL, NULL, e);
    unlink(path);
    return st;
}

static void config_side(void)
{
    lc_config *cfg;
    lc_error e = {0};
    /* ResNetConfig's defaults */
    lc_status st = load("      type: _resnet_legacy\n", &cfg, &e);
    CHECK_MSG(st == LC_OK, "defaults: %s", e.msg);
    if (!st) {
        const lc_input_spec *s = &cfg->in[0].enc;
        CHECK(s->enc == LC_ENC_RESNET_LEGACY);
        CHECK(s->rl.resnet_size == 50 && s->rl.out_channels == 32 && s->rl.kernel_size == 3 &&
              s->rl.conv_stride == 1 && s->rl.pool_kernel == 0);
        CHECK(fabsf(s->rl.bn_momentum - 0.9f) < 1e-7f && fabsf(s->rl.bn_eps - 0.001f) < 1e-9f);
        CHECK(s->fc.n == 1 && s->fc.layers[0].out == 128 && s->fc.layers[0].act == LC_ACT_RELU &&
              s->fc.layers[0].use_bias && s->fc.layers[0].w_init == LC_INIT_XAVIER_UNIFORM);
    }
    lc_config_free(cfg);
    /* the legacy spelling, upgraded */
    st = load("      type: resnet\n      resnet_size: 14\n      first_pool_kernel_size: 3\n      first_pool_stride: 2\n      num_fc_layers: 2\n      output_size: 7\n",
              &cfg, &e);
    CHECK_MSG(st == LC_OK, "legacy resnet: %s", e.msg);
    if (!st)
        CHECK(cfg->in[0].enc.enc == LC_ENC_RESNET_LEGACY && cfg->in[0].enc.rl.resnet_size == 14 &&
              cfg->in[0].enc.rl.pool_kernel == 3 && cfg->in[0].enc.rl.pool_stride == 2 &&
              cfg->in[0].enc.fc.n == 2 && cfg->in[0].enc.fc.layers[1].out == 7);
    lc_config_free(cfg);
    static const struct {
        const char *enc, *want;
    } bad[] = {
        {"      type: _resnet_legacy\n      resnet_size: 19\n",
         ":6:20: input feature 'image_path': encoder.resnet_size 19 is not a size Ludwig builds"},
        {"      type: _resnet_legacy\n      kernel_size: 4\n",
         ":6:20: input feature 'image_path': encoder.kernel_size 4 with conv_stride 1"},
        {"      type: _resnet_legacy\n      first_pool_kernel_size: 3\n",
         ":6:31: input feature 'image_path': encoder.first_pool_kernel_size needs first_pool_stride"},
        {"      type: _resnet_legacy\n      first_pool_kernel_size: 1\n      first_pool_stride: 1\n",
         ":6:31: input feature 'image_path': encoder.first_pool_kernel_size 1"},
        {"      type: _resnet_legacy\n      kernel_size: [3, 3]\n", ":6:"},
        {"      type: _resnet_legacy\n      resnet_sise: 18\n", ":6:7:"},
        {"      type: _resnet_legacy\n      out_channels: 0\n", ":6:"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        memset(&e, 0, sizeof e);
        st = load(bad[k].enc, &cfg, &e);
        CHECK_MSG(st != LC_OK && strstr(e.msg, bad[k].want), "bad config %zu: %s (want ...%s...)",
                  k, st ? e.msg : "accepted", bad[k].want);
        lc_config_free(cfg);
    }
    printf("test_resnet_legacy: config: ResNetConfig's defaults, the legacy 'resnet' with resnet_size, %zu refusals with their line and column\n",
           sizeof bad / sizeof bad[0]);
}

/* test_resnet_legacy [DIR]: DIR holds what gen_resnet_legacy.py wrote (kept); without it, a
 * temporary directory it writes now */
int main(int argc, char **argv)
{
    config_side();
    char tmp[] = "/tmp/lc_rlegacy_XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmp);
    if (!dir)
        return 1;
    char cmd[700];
    int have_torch = argc > 1 ||
                     system("/usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null") == 0;
    if (!have_torch) {
        printf("test_resnet_legacy: note: Debian's python3-torch is not installed: the comparison with the PyTorch reference is skipped\n");
    } else {
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/gen_resnet_legacy.py %s", dir);
        CHECK_MSG(argc > 1 || system(cmd) == 0, "gen_resnet_legacy.py failed");
        static const char *const cases[] = {"rl8", "rl18", "rl50"};
        for (int c = 0; c < 3; c++) {
            fixture *x = calloc(1, sizeof *x);
            int rc = x ? read_fixture(dir, cases[c], 1, x) : -1;
            CHECK_MSG(rc == 0, "%s: cannot read what gen_resnet_legacy.py wrote", cases[c]);
            if (rc == 0) {
                size_t n1 = 0, n2 = 0;
                float *r1 = run_case(cases[c], x, 1, 1, &n1);
                float *r2 = run_case(cases[c], x, 2, 0, &n2);
                CHECK_MSG(r1 && r2 && n1 == n2 && memcmp(r1, r2, n1 * sizeof *r1) == 0,
                          "%s: outputs or gradients differ between 1 and 2 threads", cases[c]);
                if (r1 && r2 && n1 == n2 && memcmp(r1, r2, n1 * sizeof *r1) == 0)
                    printf("test_resnet_legacy: %s: outputs and %zu gradient values bitwise equal on 1 and 2 threads\n",
                           cases[c], n1 - 2 * (size_t)x->B * x->F);
                free(r1);
                free(r2);
            }
            if (x) {
                free(x->name);
                free(x->bin);
            }
            free(x);
        }
        names_only(dir);
        if (argc < 2) {
            snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
            if (system(cmd) != 0)
                printf("test_resnet_legacy: note: could not remove %s\n", dir);
        }
    }
    return check_exit("test_resnet_legacy");
}
