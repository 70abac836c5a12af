/* test_tvresnet.c - the image `resnet` and `mobilenetv3` encoders against torchvision's ResNet
 * and MobileNetV3
 * (issue 16). tests/gen_tv_resnet.py builds torchvision's resnet18, resnet50, mobilenet_v3_small
 * and mobilenet_v3_large (their classifier's dropout off) with random
 * weights, saves each state_dict where torchvision keeps a pretrained file
 * (<cache>/hub/checkpoints/resnet18-f37072fd.pth), and writes its outputs on two photographs of
 * test-data (through torchvision's transform) with the gradients of a linear head's loss.
 * Here ludwig-c plans the same network, loads that file as `use_pretrained` does
 * (lc_weights_load_tv from lc_tv_weights_path), and must give:
 *  - Ludwig's state_dict names and shapes, in torchvision's order;
 *  - the encoder output in eval mode (running statistics) and in train mode (batch statistics)
 *    within 1e-4 of torchvision's (relative to the output's largest value);
 *  - every parameter's gradient within 2e-3 of torch's (relative to the tensor's largest);
 *  - the running statistics torch has after that train-mode forward;
 *  - the same gradients, bitwise, on 1 and 2 threads.
 * Without Debian's python3-torchvision the comparison is skipped with a note (CI installs it);
 * the planning checks run either way. Run from the repository root. */
#include "check.h"
#include "lc_model.h"
#include "lc_pool.h"
#include "lc_weights.h"
#include "lc_fs.h"
#include "lc_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAXN = 1200 };

/* gen_tv_resnet.py keeps only the first GRAD_CAP values of a gradient of more than GRAD_BIG */
#define GRAD_BIG ((size_t)1 << 24)
#define GRAD_CAP ((size_t)1 << 20)

typedef struct expect {
    int B, S, K, F;
    int np, nb;
    char (*pname)[160];
    int pshape[MAXN][4], pnd[MAXN];
    char (*bname)[160];
    float *bin;
    size_t nbin;
} expect;

/* need_bin 0: the .txt alone (names and shapes) */
static int read_expect(const char *dir, const char *name, int need_bin, expect *x)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s.txt", dir, name);
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    x->pname = calloc(MAXN, sizeof *x->pname);
    x->bname = calloc(MAXN, sizeof *x->bname);
    char line[512];
    int ok = fgets(line, sizeof line, f) && sscanf(line, "%d %d %d %d", &x->B, &x->S, &x->K, &x->F) == 4;
    int in_buf = 0;
    while (ok && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, "buffers") == 0) {
            in_buf = 1;
            continue;
        }
        if (in_buf) {
            if (x->nb < MAXN)
                snprintf(x->bname[x->nb++], sizeof x->bname[0], "%.159s", line);
            continue;
        }
        if (x->np >= MAXN)
            break;
        int *sh = x->pshape[x->np], nd = 0;
        char *tok = strtok(line, " ");
        snprintf(x->pname[x->np], sizeof x->pname[0], "%.159s", tok ? tok : "");
        while ((tok = strtok(NULL, " ")) && nd < 4)
            sh[nd++] = atoi(tok);
        x->pnd[x->np++] = nd;
    }
    fclose(f);
    if (!need_bin)
        return ok ? 0 : -1;
    snprintf(p, sizeof p, "%s/%s.bin", dir, name);
    x->bin = ok ? (float *)(void *)check_slurp(p, &x->nbin) : NULL;
    x->nbin /= sizeof(float);
    return x->bin ? 0 : -1;
}

static void free_expect(expect *x)
{
    free(x->pname);
    free(x->bname);
    free(x->bin);
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

/* inference: the model predict builds (no gradients); frozen: the backbone's trainable: false */
static lc_model *build_enc_mode(lc_enc_type enc, int variant, int wide, int S, int K, int B,
                                int threads, int inference, int frozen, lc_error *e)
{
    lc_input_spec in = {.name = "image_path", .enc = enc, .C = 3, .H = S, .W = S,
                        .tv_variant = variant, .tv_wide = wide, .tv_frozen = frozen};
    lc_output_spec out = {.name = "y", .type = LC_HEAD_VECTOR, .nclasses = K, .use_bias = 1};
    lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &out, .inference = inference};
    lc_model *m = NULL;
    if (lc_model_create_net(&net, B, threads, &m, e) != LC_OK)
        return NULL;
    return m;
}

static lc_model *build_enc(lc_enc_type enc, int variant, int wide, int S, int K, int B,
                           int threads, lc_error *e)
{
    return build_enc_mode(enc, variant, wide, S, K, B, threads, 0, 0, e);
}

static lc_model *build_wide(int variant, int wide, int S, int K, int B, int threads, lc_error *e)
{
    return build_enc(LC_ENC_TV_RESNET, variant, wide, S, K, B, threads, e);
}

/* GoogLeNet or Inception v3 with transform_input on or off */
static lc_model *build_googlenet(lc_enc_type enc, int transform_input, int S, int K, int B,
                                 int threads, lc_error *e)
{
    lc_input_spec in = {.name = "image_path", .enc = enc, .C = 3, .H = S, .W = S,
                        .tv_transform_input = transform_input};
    lc_output_spec out = {.name = "y", .type = LC_HEAD_VECTOR, .nclasses = K, .use_bias = 1};
    lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &out};
    lc_model *m = NULL;
    if (lc_model_create_net(&net, B, threads, &m, e) != LC_OK)
        return NULL;
    return m;
}

/* variant < 0: MobileNetV3, -1 small, -2 large; <= -100: EfficientNet -100 - tv_variant;
 * <= -200: ViT -200 - tv_variant; <= -300: ResNeXt -300 - tv_variant; -400: MobileNetV2;
 * -500 .. -599: RegNet -500 - tv_variant; -600 .. -699: MNASNet -600 - tv_variant;
 * -700 .. -799: SqueezeNet -700 - tv_variant; -800 .. -899: VGG -800 - tv_variant; -900:
 * AlexNet; >= 1000: DenseNet variant - 1000; -1100 .. -1199: ShuffleNetV2 -1100 - tv_variant;
 * -1400 .. -1499: Swin -1400 - tv_variant;
 * -1000 .. -1099: ConvNeXt -1000 - tv_variant;
 * -1200: GoogLeNet with transform_input (as with the pretrained weights), -1201 without;
 * -1300: Inception v3 with transform_input, -1301 without;
 * -1500 .. -1599: MaxViT -1500 - tv_variant (1: the small MaxVit of the fixture) */
static lc_model *build(int variant, int S, int K, int B, int threads, lc_error *e)
{
    if (variant <= -1500 && variant >= -1599)
        return build_enc(LC_ENC_TV_MAXVIT, -1500 - variant, 0, S, K, B, threads, e);
    if (variant <= -1100 && variant >= -1199)
        return build_enc(LC_ENC_TV_SHUFFLENETV2, -1100 - variant, 0, S, K, B, threads, e);
    if (variant <= -1400 && variant >= -1499)
        return build_enc(LC_ENC_TV_SWIN, -1400 - variant, 0, S, K, B, threads, e);
    if (variant <= -1000 && variant >= -1099)
        return build_enc(LC_ENC_TV_CONVNEXT, -1000 - variant, 0, S, K, B, threads, e);
    if (variant == -1300 || variant == -1301)
        return build_googlenet(LC_ENC_TV_INCEPTIONV3, variant == -1300, S, K, B, threads, e);
    if (variant == -1200 || variant == -1201)
        return build_googlenet(LC_ENC_TV_GOOGLENET, variant == -1200, S, K, B, threads, e);
    if (variant >= 1000)
        return build_enc(LC_ENC_TV_DENSENET, variant - 1000, 0, S, K, B, threads, e);
    if (variant == -900)
        return build_enc(LC_ENC_TV_ALEXNET, 0, 0, S, K, B, threads, e);
    if (variant <= -800)
        return build_enc(LC_ENC_TV_VGG, -800 - variant, 0, S, K, B, threads, e);
    if (variant <= -700)
        return build_enc(LC_ENC_TV_SQUEEZENET, -700 - variant, 0, S, K, B, threads, e);
    if (variant <= -600)
        return build_enc(LC_ENC_TV_MNASNET, -600 - variant, 0, S, K, B, threads, e);
    if (variant <= -500)
        return build_enc(LC_ENC_TV_REGNET, -500 - variant, 0, S, K, B, threads, e);
    if (variant == -400)
        return build_enc(LC_ENC_TV_MOBILENETV2, 0, 0, S, K, B, threads, e);
    if (variant <= -300)
        return build_enc(LC_ENC_TV_RESNEXT, -300 - variant, 0, S, K, B, threads, e);
    if (variant <= -200)
        return build_enc(LC_ENC_TV_VIT, -200 - variant, 0, S, K, B, threads, e);
    if (variant <= -100)
        return build_enc(LC_ENC_TV_EFFICIENTNET, -100 - variant, 0, S, K, B, threads, e);
    if (variant < 0)
        return build_enc(LC_ENC_TV_MOBILENETV3, -variant - 1, 0, S, K, B, threads, e);
    return build_wide(variant, 0, S, K, B, threads, e);
}


static const lc_layer *find_tv(const lc_model *m, const char *tvname)
{
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].part == LC_PART_ENC_TV && strcmp(m->layers[i].tvname, tvname) == 0)
            return &m->layers[i];
    return NULL;
}

/* The encoder's parameters in torchvision's order, then its batch norms, against x's lists;
 * 1 when every name and shape matches (with check, each mismatch is a failed check and the
 * counts are printed). */
static int names_match(const lc_tensor_info *ti, int nt, const expect *x, const char *name,
                       int check)
{
    int k = 0, kb = 0, same_all = 1;
    for (int t = 0; t < nt; t++) {
        if (!strstr(ti[t].name, "encoder_obj.model."))
            continue;
        if (ti[t].is_buffer) {
            size_t nl = strlen(ti[t].name);
            if (nl > 13 && strcmp(ti[t].name + nl - 13, ".running_mean") == 0) {
                int same = kb < x->nb && strncmp(ti[t].name, x->bname[kb], nl - 13) == 0 &&
                           x->bname[kb][nl - 13] == '\0';
                same_all &= same;
                if (check)
                    CHECK_MSG(same, "%s: batch norm %d is %s, torch's %s", name, kb, ti[t].name,
                              kb < x->nb ? x->bname[kb] : "(none)");
                kb++;
            }
            continue;
        }
        /* by name: the order of a state_dict is not part of it (ViT's class_token comes first
         * in torch's, after conv_proj in ludwig-c's) */
        int at = -1;
        for (int j = 0; j < x->np && at < 0; j++)
            if (strcmp(ti[t].name, x->pname[(k + j) % x->np]) == 0)
                at = (k + j) % x->np;
        int same = at >= 0 && ti[t].ndim == x->pnd[at];
        for (int d = 0; same && d < ti[t].ndim; d++)
            same = ti[t].shape[d] == x->pshape[at][d];
        same_all &= same;
        if (check)
            CHECK_MSG(same, "%s: tensor %d is %s, torch's %s (or another shape)", name, k,
                      ti[t].name, k < x->np ? x->pname[k] : "(none)");
        k++;
    }
    same_all &= k == x->np && kb == x->nb;
    if (check) {
        CHECK_MSG(k == x->np && kb == x->nb, "%s: %d parameter tensors and %d batch norms, torch has %d and %d",
                  name, k, kb, x->np, x->nb);
        printf("test_tvresnet: %s: %d parameter tensors and %d batch norms named and shaped as Ludwig's state_dict\n",
               name, k, kb);
    }
    return same_all;
}

/* lc_model_keep_weights on m (its input and parameters set; want: its output without kept
 * weights, in train mode when training: m's backbone frozen): inside the scope, two passes give
 * want bit for bit; the second reads the kept transforms (layer1.0.conv2's weights scaled
 * between them leave the output as it was); reopened after the change, the output follows it
 * (differs from want), and equals m's own output without a scope. The other scope stays open
 * meanwhile. */
static void check_kept(lc_model *m, lc_pool *p, int training, const lc_layer *out,
                       const float *want, size_t n)
{
    const int scope = training ? LC_KEEP_FROZEN : LC_KEEP_EVAL;
    const lc_layer *l = find_tv(m, "layer1.0.conv2"); /* 3x3: Winograd */
    float *got = malloc(n * sizeof(float)), *wsave = l ? malloc(l->w_n * sizeof(float)) : NULL;
    CHECK(l != NULL && got && wsave);
    if (!l || !got || !wsave)
        goto out;
    float *w = m->params + l->w_off;
    memcpy(wsave, w, l->w_n * sizeof(float));
    /* the other scope open throughout, as an evaluation inside training has it: closing this
     * one then forgets the transforms without freeing them */
    lc_model_keep_weights(m, LC_KEEP_EVAL + LC_KEEP_FROZEN - scope, 1);
    lc_model_keep_weights(m, scope, 1);
    lc_model_forward(m, p, (int)m->max_batch, training, 1, 1);
    CHECK_MSG(memcmp(m->acts + out->act_off, want, n * sizeof(float)) == 0,
              "kept weights (%s): the first pass differs from the one without", training ? "frozen" : "eval");
    for (size_t i = 0; i < l->w_n; i++)
        w[i] *= 1.5f;
    lc_model_forward(m, p, (int)m->max_batch, training, 1, 1);
    CHECK_MSG(memcmp(m->acts + out->act_off, want, n * sizeof(float)) == 0,
              "kept weights (%s): the second pass did not read the kept transforms", training ? "frozen" : "eval");
    lc_model_keep_weights(m, scope, 0);
    lc_model_keep_weights(m, scope, 1);
    lc_model_forward(m, p, (int)m->max_batch, training, 1, 1);
    memcpy(got, m->acts + out->act_off, n * sizeof(float));
    lc_model_keep_weights(m, scope, 0);
    CHECK_MSG(memcmp(got, want, n * sizeof(float)) != 0,
              "kept weights (%s): reopened, the output ignores the changed weights", training ? "frozen" : "eval");
    lc_model_forward(m, p, (int)m->max_batch, training, 1, 1);
    CHECK_MSG(memcmp(got, m->acts + out->act_off, n * sizeof(float)) == 0,
              "kept weights (%s): reopened, the output differs from the one without", training ? "frozen" : "eval");
    lc_model_keep_weights(m, LC_KEEP_EVAL + LC_KEEP_FROZEN - scope, 0);
    memcpy(w, wsave, l->w_n * sizeof(float));
out:
    free(got);
    free(wsave);
}

/* One case on `threads` threads: returns the parameter gradients (the caller frees). */
static float *run_case(const char *dir, const char *name, int variant, const char *file,
                       const expect *x, int threads, int check)
{
    lc_error e = {0};
    lc_model *m = build(variant, x->S, x->K, x->B, threads, &e);
    CHECK_MSG(m != NULL, "%s: %s", name, e.msg);
    if (!m)
        return NULL;
    int nt = lc_model_tensors(m, NULL, 0);
    lc_tensor_info *ti = calloc((size_t)nt, sizeof *ti);
    lc_model_tensors(m, ti, nt);
    int same_all = names_match(ti, nt, x, name, check);
    float *grads = NULL;
    char path[600], cache[520];
    snprintf(cache, sizeof cache, "%s/%s", dir, name);
    lc_status st = lc_tv_weights_path(cache, file, path, sizeof path, &e);
    if (!st)
        st = lc_weights_load_tv(m, 0, path, &e);
    CHECK_MSG(st == LC_OK, "%s: %s", name, e.msg);
    /* the encoder's output: its last layer (resnet: the average pool; mobilenetv3: the
     * classifier's dropout, turned off as gen_tv_resnet.py turns torch's off) */
    const lc_layer *pool = NULL;
    for (int i = 0; i < m->nlayers; i++)
        if (m->layers[i].part == LC_PART_ENC_TV) {
            pool = &m->layers[i];
            if (m->layers[i].type == LC_L_DROPOUT || m->layers[i].type == LC_L_STOCHDEPTH)
                m->layers[i].u.rate = 0.0f;
        }
    CHECK(pool != NULL && (find_tv(m, "avgpool") != NULL || find_tv(m, "heads") != NULL ||
                           find_tv(m, "classifier.3") != NULL || find_tv(m, "mean") != NULL));
    if (st || !same_all || !pool)
        goto out;
    /* the binary: x, hw, hb, g, eval, train, grads..., running stats... */
    const int B = x->B, K = x->K, F = x->F;
    size_t nx = (size_t)B * 3 * x->S * x->S;
    const float *px = x->bin, *hw = px + nx, *hb = hw + (size_t)K * F, *g = hb + K,
                *ev = g + (size_t)B * K, *tr = ev + (size_t)B * F, *pg = tr + (size_t)B * F;
    /* the head: the decoder's weight and bias */
    for (int t = 0; t < nt; t++)
        if (strstr(ti[t].name, "decoder_obj.dense.dense.weight"))
            memcpy((float *)ti[t].data, hw, (size_t)K * F * sizeof(float));
        else if (strstr(ti[t].name, "decoder_obj.dense.dense.bias"))
            memcpy((float *)ti[t].data, hb, (size_t)K * sizeof(float));
    lc_pool *p = lc_pool_create(threads);
    memcpy(m->inputs[0], px, nx * sizeof(float));
    lc_model_forward(m, p, B, 0, 1, 1);
    double d_ev = rel(m->acts + pool->act_off, ev, (size_t)B * F);
    if (check && strcmp(name, "resnet18") == 0) {
        /* the model predict builds (no gradients): the same outputs, bit for bit, and a
         * backward pass that does nothing */
        lc_model *mi = build_enc_mode(LC_ENC_TV_RESNET, 18, 0, x->S, K, B, threads, 1, 0, &e);
        CHECK_MSG(mi && !mi->grads && !mi->dacts && !mi->dtmp, "resnet18 inference model: %s",
                  mi ? "gradients allocated" : e.msg);
        if (mi && mi->nparams == m->nparams && mi->nbuffers == m->nbuffers) {
            memcpy(mi->params, m->params, m->nparams * sizeof(float));
            memcpy(mi->buffers, m->buffers, m->nbuffers * sizeof(float));
            memcpy(mi->inputs[0], px, nx * sizeof(float));
            lc_model_forward(mi, p, B, 0, 1, 1);
            lc_model_backward(mi, p, B);
            CHECK_MSG(memcmp(mi->acts + pool->act_off, m->acts + pool->act_off,
                             (size_t)B * F * sizeof(float)) == 0,
                      "resnet18: the inference model's outputs differ from the training model's");
            check_kept(mi, p, 0, pool, m->acts + pool->act_off, (size_t)B * F);
        }
        lc_model_free(mi);
    }
    if (check && (strcmp(name, "resnet18") == 0 || strcmp(name, "resnet50") == 0)) {
        /* a frozen backbone (no gradient flows into it, so its training forward takes
         * evaluation's F(4x4, 3x3) Winograd tiles): the train-mode output still torchvision's */
        lc_model *mf = build_enc_mode(LC_ENC_TV_RESNET, variant, 0, x->S, K, B, threads, 0, 1,
                                     &e);
        CHECK_MSG(mf != NULL, "%s frozen: %s", name, e.msg);
        if (mf && mf->nparams == m->nparams && mf->nbuffers == m->nbuffers) {
            memcpy(mf->params, m->params, m->nparams * sizeof(float));
            memcpy(mf->buffers, m->buffers, m->nbuffers * sizeof(float));
            memcpy(mf->inputs[0], px, nx * sizeof(float));
            lc_model_forward(mf, p, B, 1, 1, 1);
            double d_fz = rel(mf->acts + pool->act_off, tr, (size_t)B * F);
            float *want = malloc((size_t)B * F * sizeof(float));
            if (want) {
                memcpy(want, mf->acts + pool->act_off, (size_t)B * F * sizeof(float));
                check_kept(mf, p, 1, pool, want, (size_t)B * F);
            }
            free(want);
            CHECK_MSG(d_fz <= 1e-4, "%s frozen: train-mode output differs from torchvision's by %.3g",
                      name, d_fz);
            printf("test_tvresnet: %s frozen: train-mode output vs torchvision %.2g of the largest\n",
                   name, d_fz);
        }
        lc_model_free(mf);
    }
    memcpy(m->inputs[0], px, nx * sizeof(float));
    lc_model_forward(m, p, B, 1, 1, 1);
    double d_tr = rel(m->acts + pool->act_off, tr, (size_t)B * F);
    memcpy(m->heads[0].dlogits, g, (size_t)B * K * sizeof(float));
    lc_model_backward(m, p, B);
    /* Gradients: a ReLU input or a max-pool pair within float rounding of each other (the
     * summation orders differ) takes the other branch here than in torch; through the train-mode
     * batch norms upstream (each value's gradient depends on its whole channel) that spreads to
     * every tensor before it (a wrong formula shows as tens of percent). So every tensor to 5%
     * in L2 distance, all of them together to 2% (the measured figures are printed) */
    double d_g = 0.0, d_rs = 0.0, all_d2 = 0.0, all_b2 = 0.0;
    /* A gradient that is 0 in exact arithmetic is float noise in both (a batch norm's bias whose
     * output reaches a train-mode batch norm through linear maps only: MobileNet's projections);
     * so each tensor's norm is floored at 1e-3 of the mean gradient's RMS */
    /* the fixture's gradients in torch's order: each tensor found by its name */
    size_t *foff = calloc((size_t)x->np + 1, sizeof *foff);
    if (!foff)
        goto out;
    for (int j = 0; j < x->np; j++) {
        size_t sz = 1;
        for (int d = 0; d < x->pnd[j]; d++)
            sz *= (size_t)x->pshape[j][d];
        foff[j + 1] = foff[j] + (sz > GRAD_BIG ? GRAD_CAP : sz);
    }
    double tot_b2 = 0.0, tot_n = (double)foff[x->np];
    for (size_t i = 0; i < foff[x->np]; i++)
        tot_b2 += (double)pg[i] * pg[i];
    double floor_ms = tot_n > 0.0 ? 1e-6 * tot_b2 / tot_n : 0.0;
    const float *rs = pg + foff[x->np];
    for (int t = 0; t < nt; t++)
        if (strstr(ti[t].name, "encoder_obj.model.") && !ti[t].is_buffer) {
            int at = -1;
            for (int j = 0; j < x->np && at < 0; j++)
                if (strcmp(ti[t].name, x->pname[j]) == 0)
                    at = j;
            size_t nc = ti[t].n > GRAD_BIG ? GRAD_CAP : ti[t].n; /* the values compared */
            if (at < 0 || foff[at + 1] - foff[at] != nc)
                continue; /* names_match reported it */
            const float *g0 = pg + foff[at];
            const float *a = m->grads + (ti[t].data - m->params);
            double d2 = 0.0, b2 = 0.0;
            for (size_t i = 0; i < nc; i++) {
                double d = (double)a[i] - (double)g0[i];
                d2 += d * d;
                b2 += (double)g0[i] * g0[i];
            }
            /* A conv's bias right before a train-mode batch norm (VGG's _bn variants) has the
             * gradient 0 in exact arithmetic (the norm takes each channel's mean out): both are
             * float noise, so each only within 1e-2 of the mean gradient's RMS */
            int before_bn = 0;
            for (int i = 0; i + 1 < m->nlayers; i++)
                if (m->layers[i].type == LC_L_CONV && m->layers[i].b_off != (size_t)-1 &&
                    m->params + m->layers[i].b_off == ti[t].data &&
                    m->layers[i + 1].type == LC_L_BATCHNORM &&
                    m->srcs[m->layers[i + 1].src_at] == i) /* (MaxViT's proj conv is followed
                                                             * by the other branch's norm) */
                    before_bn = 1;
            if (before_bn) {
                double a2 = 0.0;
                for (size_t i = 0; i < nc; i++)
                    a2 += (double)a[i] * a[i];
                if (check)
                    CHECK_MSG(a2 <= 1e-4 * floor_ms * 1e6 * (double)nc &&
                                  b2 <= 1e-4 * floor_ms * 1e6 * (double)nc,
                              "%s: gradient of %s (0 in exact arithmetic): RMS %.3g here, %.3g in torch",
                              name, ti[t].name, sqrt(a2 / (double)nc), sqrt(b2 / (double)nc));
                continue;
            }
            all_d2 += d2;
            all_b2 += b2;
            double bf = b2 > floor_ms * (double)nc ? b2 : floor_ms * (double)nc;
            double l2 = bf > 0.0 ? sqrt(d2 / bf) : sqrt(d2);
            if (check)
                CHECK_MSG(l2 <= 0.05, "%s: gradient of %s: L2 distance %.3g from torch's", name,
                          ti[t].name, l2);
            d_g = l2 > d_g ? l2 : d_g;
        }
    free(foff);
    for (int t = 0; t < nt; t++)
        if (strstr(ti[t].name, "encoder_obj.model.") && ti[t].is_buffer) {
            double r = rel(ti[t].data, rs, ti[t].n);
            d_rs = r > d_rs ? r : d_rs;
            rs += ti[t].n;
        }
    if (check) {
        CHECK_MSG((size_t)(rs - x->bin) == x->nbin, "%s: %zu of %zu fixture floats read", name,
                  (size_t)(rs - x->bin), x->nbin);
        CHECK_MSG(d_ev <= 1e-4, "%s: eval-mode output differs from torchvision's by %.3g", name, d_ev);
        CHECK_MSG(d_tr <= 1e-4, "%s: train-mode output differs from torchvision's by %.3g", name, d_tr);
        CHECK_MSG(d_rs <= 2e-4, "%s: running statistics differ from torch's by %.3g", name, d_rs);
        double all = all_b2 > 0.0 ? sqrt(all_d2 / all_b2) : 1.0;
        /* inception_v3: torch's own float32 gradients are 0.6% (171x171, two photographs) to
         * 1.5% (139x139) from its float64 ones in all, 1.3% to 4.9% per tensor, the error
         * entering near Mixed_7a/7b and spreading evenly to every tensor before: 3% in all */
        double all_tol = strcmp(name, "inception_v3") == 0 ? 0.03 : 0.02;
        CHECK_MSG(all <= all_tol, "%s: the gradients differ from torch's by %.3g in L2 distance", name, all);
        printf("test_tvresnet: %s on %dx%d: output vs torchvision %.2g (eval) %.2g (train) of the largest; running statistics %.2g; gradients: L2 distance %.2g per tensor at most, %.2g in all\n",
               name, x->S, x->S, d_ev, d_tr, d_rs, d_g, all);
    }
    grads = malloc(m->nparams * sizeof *grads);
    if (grads)
        memcpy(grads, m->grads, m->nparams * sizeof *grads);
    lc_pool_destroy(p);
out:
    free(ti);
    lc_model_free(m);
    return grads;
}

/* build(code, S) must fail with msg in its error */
static void plan_refused(int code, int S, const char *msg)
{
    lc_error e = {0};
    lc_model *m = build(code, S, 2, 2, 1, &e);
    CHECK_MSG(m == NULL && strstr(e.msg, msg), "build(%d, %d): wanted an error with '%s', got '%s'",
              code, S, msg, m ? "a model" : e.msg);
    lc_model_free(m);
}

/* build(code, S) must succeed, its encoder giving width values (0: any) */
static void plan_width(int code, int S, size_t width)
{
    lc_error e = {0};
    lc_model *m = build(code, S, 2, 2, 1, &e);
    CHECK_MSG(m != NULL, "build(%d, %d): %s", code, S, e.msg);
    if (m && width)
        CHECK_MSG(m->layers[m->heads[0].layer].in_n == width, "build(%d, %d): %zu values, not %zu",
                  code, S, m->layers[m->heads[0].layer].in_n, width);
    lc_model_free(m);
}

static void planning_errors(void)
{
    plan_refused(19, 64, "model_variant 19");
    plan_width(18, 64, 512); /* 3x64x64 -> 512 */
    lc_error e = {0};
    lc_input_spec gray = {.name = "g", .enc = LC_ENC_TV_RESNET, .C = 1, .H = 64, .W = 64, .tv_variant = 18};
    lc_output_spec out = {.name = "y", .type = LC_HEAD_VECTOR, .nclasses = 2, .use_bias = 1};
    lc_net_spec net = {.nin = 1, .in = &gray, .nout = 1, .out = &out};
    lc_model *m = NULL;
    CHECK(lc_model_create_net(&net, 2, 1, &m, &e) != LC_OK && strstr(e.msg, "3-channel"));
    lc_model_free(m);
    /* the smallest image the network takes: every stage keeps a 1x1 map */
    plan_width(50, 32, 0);
    /* densenet: a variant torchvision lacks is refused; 121's output is norm5's 1024 channels,
     * 161's 2208; squeezenet: 1000 (the classifier kept), variant 2 refused */
    plan_refused(1122, 64, "densenet model_variant 122");
    plan_width(1121, 64, 1024);
    plan_width(1161, 64, 2208);
    plan_refused(-702, 64, "squeezenet variant 2");
    memset(&e, 0, sizeof e);
    m = build(-700, 224, 2, 2, 1, &e);
    CHECK_MSG(m != NULL, "%s", e.msg);
    if (m) /* 1_0 at 224: ceil-mode pools 109 -> 54 -> 27 -> 13 */
        CHECK(m->layers[m->heads[0].layer].in_n == 1000 && find_tv(m, "features.11") &&
              find_tv(m, "features.11")->u.pool.OH == 13 && find_tv(m, "features.6")->u.pool.OH == 27);
    lc_model_free(m);
    /* variants that are not Ludwig's: regnet's 16th, mnasnet's 5th */
    plan_refused(-515, 64, "regnet variant 15");
    plan_refused(-604, 64, "mnasnet variant 4");
    /* vgg: at least 32x32 (five 2x2 max pools), its output 4096 at any size (the adaptive
     * average pool to 7x7); alexnet: at least 63x63 (torchvision's min_size: a 1x1 map after the
     * third max pool) */
    plan_refused(-800, 31, "at least 32x32");
    plan_width(-800, 40, 4096);
    plan_refused(-900, 62, "at least 63x63");
    plan_width(-900, 63, 4096);
    /* shufflenet_v2: conv5's channels (1024; x2_0 2048) at any size (torchvision's min_size 1x1:
     * every stride-2 layer pads, so a map of one pixel stays one); a fifth variant refused */
    plan_refused(-1104, 64, "shufflenet_v2 variant 4");
    plan_width(-1100, 1, 1024);
    plan_width(-1101, 37, 1024);
    plan_width(-1103, 64, 2048);
    /* swin_transformer: t, s, b (768, 768, 1024 values), a fourth variant refused */
    plan_refused(-1403, 64, "swin_transformer variant 3");
    plan_width(-1400, 64, 768);
    plan_width(-1402, 32, 1024);
    /* convnext: at least 32x32 (torchvision's min_size: the last stage's map 1x1), tiny's output
     * the 768 channels of classifier.0; a fifth variant refused */
    plan_refused(-1000, 31, "at least 32x32");
    plan_width(-1000, 32, 768);
    plan_refused(-1004, 64, "convnext variant 4");
    /* tiny's stochastic depth: torchvision's 0.1 x block / 17 over its 18 blocks (none at 0) */
    memset(&e, 0, sizeof e);
    m = build(-1000, 32, 2, 2, 1, &e);
    CHECK_MSG(m != NULL, "%s", e.msg);
    if (m) {
        const lc_layer *s1 = find_tv(m, "features.1.1.stochastic_depth"),
                       *s10 = find_tv(m, "features.5.4.stochastic_depth"),
                       *s17 = find_tv(m, "features.7.2.stochastic_depth");
        CHECK(!find_tv(m, "features.1.0.stochastic_depth") && s1 && s10 && s17 &&
              s1->type == LC_L_STOCHDEPTH && s1->u.rate == (float)(0.1 / 17.0) &&
              s10->u.rate == (float)(0.1 * 10 / 17.0) && s17->u.rate == 0.1f);
    }
    lc_model_free(m);
    /* maxvit: t at 224x224 (and 223: the same maps) alone, 512 values (classifier.4's Tanh);
     * a third variant refused; stochastic depth linspace(0, 0.2) over its 11 layers (none in
     * the first), the same in a layer's MBConv and both its partition attentions */
    plan_refused(-1502, 224, "maxvit variant 2");
    plan_refused(-1500, 64, "takes 224x224 images");
    plan_refused(-1500, 225, "takes 224x224 images");
    plan_refused(-1501, 64, "takes 48x48 images");
    plan_width(-1500, 223, 512);
    plan_width(-1501, 48, 32);
    memset(&e, 0, sizeof e);
    m = build(-1500, 224, 2, 1, 1, &e);
    CHECK_MSG(m != NULL, "%s", e.msg);
    if (m) {
        static const char *const lay[11] = {"0.layers.0", "0.layers.1", "1.layers.0", "1.layers.1",
                                            "2.layers.0", "2.layers.1", "2.layers.2", "2.layers.3",
                                            "2.layers.4", "3.layers.0", "3.layers.1"};
        static const char *const where[3] = {"MBconv.stochastic_depth",
                                             "window_attention.stochastic_dropout",
                                             "grid_attention.stochastic_dropout"};
        int ok = 1;
        for (int li = 0; li < 11; li++)
            for (int k = 0; k < 3; k++) {
                char nm[96];
                snprintf(nm, sizeof nm, "blocks.%s.layers.%s", lay[li], where[k]);
                const lc_layer *l = find_tv(m, nm);
                ok &= li == 0 ? l == NULL
                              : l && l->type == LC_L_STOCHDEPTH && fabs(l->u.rate - 0.02 * li) < 1e-7;
            }
        CHECK_MSG(ok, "maxvit_t: stochastic depth probabilities other than linspace(0, 0.2, 11)");
    }
    lc_model_free(m);
    /* googlenet: 1024 values; at least 31x31 (ludwig-c's pools: torchvision's min_size is 15,
     * where its ceil-mode pools take windows larger than the map); transform_input is one
     * constant affine layer on the input, nothing else */
    plan_refused(-1200, 30, "at least 31x31");
    plan_width(-1200, 31, 1024);
    memset(&e, 0, sizeof e);
    lc_model *g1 = build(-1200, 64, 2, 2, 1, &e), *g0 = build(-1201, 64, 2, 2, 1, &e);
    CHECK_MSG(g1 && g0, "googlenet: %s", e.msg);
    if (g1 && g0)
        CHECK(g1->nlayers == g0->nlayers + 1 && g1->layers[0].type == LC_L_CH_AFFINE &&
              g0->layers[0].type == LC_L_CONV && g1->nparams == g0->nparams &&
              find_tv(g1, "maxpool4")->u.pool.OH == 2 && find_tv(g1, "maxpool1")->u.pool.OH == 16);
    lc_model_free(g1);
    lc_model_free(g0);
    /* inceptionv3: 2048 values; at least 75x75 (torchvision's min_size) */
    plan_refused(-1300, 74, "at least 75x75");
    plan_width(-1300, 75, 2048);
}

/* googlenet or inception_v3 (name, its file and build code) without transform_input (Ludwig's
 * model rebuilt from its saved config), the same weights: eval-mode output against torchvision's */
static void googlenet_no_transform(const char *dir, const char *name, const char *file,
                                   int code, const expect *x)
{
    lc_error e = {0};
    char path[600], cache[520];
    size_t n = 0;
    snprintf(path, sizeof path, "%s/%s_notf.bin", dir, name);
    float *want = (float *)(void *)check_slurp(path, &n);
    lc_model *m = build(code, x->S, x->K, x->B, 1, &e);
    CHECK_MSG(want && n == (size_t)x->B * x->F * sizeof(float) && m, "%s_notf: %s", name,
              m ? "no fixture" : e.msg);
    snprintf(cache, sizeof cache, "%s/%s", dir, name);
    if (want && m && n == (size_t)x->B * x->F * sizeof(float) &&
        lc_tv_weights_path(cache, file, path, sizeof path, &e) == LC_OK &&
        lc_weights_load_tv(m, 0, path, &e) == LC_OK) {
        memcpy(m->inputs[0], x->bin, (size_t)x->B * 3 * x->S * x->S * sizeof(float));
        lc_model_forward(m, NULL, x->B, 0, 1, 1);
        const lc_layer *out = &m->layers[m->heads[0].layer - 1];
        double d = rel(m->acts + out->act_off, want, (size_t)x->B * x->F);
        CHECK_MSG(d <= 1e-4, "%s without transform_input: output differs from torchvision's by %.3g", name, d);
        printf("test_tvresnet: %s without transform_input: eval-mode output vs torchvision %.2g of the largest\n", name, d);
    } else
        CHECK_MSG(0, "%s_notf: %s", name, e.msg);
    lc_model_free(m);
    free(want);
}

/* transform_input from the config: on with use_pretrained (torchvision's weights), off with
 * use_pretrained false or saved_weights_in_checkpoint (a model rebuilt from its saved config) */
static void config_transform_input(void)
{
    static const struct {
        const char *type, *extra;
        lc_enc_type enc;
        int want;
    } c[4] = {{"googlenet", "", LC_ENC_TV_GOOGLENET, 1},
              {"googlenet", "      saved_weights_in_checkpoint: true\n", LC_ENC_TV_GOOGLENET, 0},
              {"inceptionv3", "", LC_ENC_TV_INCEPTIONV3, 1},
              {"inceptionv3", "      use_pretrained: false\n", LC_ENC_TV_INCEPTIONV3, 0}};
    char path[] = "/tmp/lc_tvcfg_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    for (int k = 0; k < 4; k++) {
        FILE *f = fopen(path, "w");
        if (!f)
            break;
        fprintf(f, "input_features:\n  - name: image_path\n    type: image\n    encoder:\n      type: %s\n%s"
                   "output_features:\n  - name: label\n    type: category\n",
                c[k].type, c[k].extra);
        fclose(f);
        lc_config *cfg = NULL;
        lc_error e = {0};
        lc_status st = lc_config_load(path, &cfg, NULL, NULL, &e);
        CHECK_MSG(st == LC_OK, "%s config: %s", c[k].type, e.msg);
        if (!st)
            CHECK_MSG(cfg->in[0].enc.enc == c[k].enc && cfg->in[0].enc.tv_transform_input == c[k].want,
                      "%s%s: transform_input %d, not %d", c[k].type, c[k].extra,
                      cfg->in[0].enc.tv_transform_input, c[k].want);
        lc_config_free(cfg);
    }
    unlink(path);
}

/* Models checked by their state_dict's names and shapes alone (their numbers come from the code
 * checked above): wide_resnet50_2 (resnet50's code, wider bottlenecks), efficientnet_b3 (b0's,
 * scaled in width and depth) and efficientnet_v2_m (v2_s's, one more stage) */
static void names_only(const char *dir, const char *name, lc_enc_type enc, int variant, int wide,
                       int S, int np, int nb)
{
    expect *x = calloc(1, sizeof *x);
    int rc = x ? read_expect(dir, name, 0, x) : -1;
    CHECK_MSG(rc == 0, "%s: cannot read the names gen_tv_resnet.py wrote", name);
    lc_error e = {0};
    lc_model *m = rc == 0 ? build_enc(enc, variant, wide, S, 2, 1, 1, &e) : NULL;
    CHECK_MSG(rc != 0 || m != NULL, "%s: %s", name, e.msg);
    if (m) {
        int nt = lc_model_tensors(m, NULL, 0);
        lc_tensor_info *ti = calloc((size_t)nt + 1, sizeof *ti);
        if (ti) {
            lc_model_tensors(m, ti, nt);
            CHECK(names_match(ti, nt, x, name, 1));
            CHECK_MSG(x->np == np && x->nb == nb, "%s: torch has %d tensors and %d batch norms",
                      name, x->np, x->nb);
            printf("test_tvresnet: %s: %zu parameters\n", name, m->nparams);
        }
        free(ti);
    }
    lc_model_free(m);
    if (x)
        free_expect(x);
    free(x);
}

/* Every RegNet variant Ludwig lists: the stages (blocks, width, group width) ludwig-c derives
 * from the variant's parameters, against those torchvision's BlockParams derives */
static void regnet_stages(const char *dir)
{
    char p[512], line[512];
    snprintf(p, sizeof p, "%s/regnet_stages.txt", dir);
    FILE *f = fopen(p, "r");
    CHECK_MSG(f != NULL, "cannot read %s", p);
    int nv = 0;
    while (f && fgets(line, sizeof line, f)) {
        char name[32];
        int t[24], n = 0, off = 0, used = 0;
        if (sscanf(line, "%31s%n", name, &off) != 1)
            continue;
        while (n < 24 && sscanf(line + off, "%d%n", &t[n], &used) == 1) {
            off += used;
            n++;
        }
        int v = -1;
        for (int k = 0; k < 15; k++)
            if (strcmp(name, lc_tv_regnet_variants[k]) == 0)
                v = k;
        int d[8], w[8], g[8];
        int ns = lc_tv_regnet_stages(v, d, w, g, 8), same = v >= 0 && ns * 3 == n;
        for (int k = 0; same && k < ns; k++)
            same = d[k] == t[3 * k] && w[k] == t[3 * k + 1] && g[k] == t[3 * k + 2];
        CHECK_MSG(same, "regnet %s: stages differ from torchvision's (%s)", name, line);
        nv++;
    }
    if (f)
        fclose(f);
    CHECK_MSG(nv == 15, "regnet: %d variants in %s, Ludwig lists 15", nv, p);
    printf("test_tvresnet: regnet: the stages of all %d variants (blocks, widths, group widths) as torchvision derives them\n", nv);
}

/* test_tvresnet [DIR]: DIR holds what gen_tv_resnet.py wrote (kept); without it, a temporary
 * directory it writes now */
int main(int argc, char **argv)
{
    planning_errors();
    config_transform_input();
    char tmp[] = "/tmp/lc_tvresnet_XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmp);
    if (!dir)
        return 1;
    char cmd[700];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import torchvision' 2>/dev/null && /usr/bin/python3 tests/gen_tv_resnet.py %s",
             dir);
    if (argc < 2 && system(cmd) != 0) {
        printf("test_tvresnet: note: Debian's python3-torchvision is not installed: the comparison with torchvision is skipped\n");
    } else {
        static const struct {
            const char *name, *file;
            int variant;
        } cases[] = {{"resnet18", "resnet18-f37072fd.pth", 18},
                     {"resnet50", "resnet50-11ad3fa6.pth", 50},
                     {"mobilenet_v3_small", "mobilenet_v3_small-047dcff4.pth", -1},
                     {"mobilenet_v3_large", "mobilenet_v3_large-5c1a4163.pth", -2},
                     {"efficientnet_b0", "efficientnet_b0_rwightman-3dd342df.pth", -100},
                     {"efficientnet_v2_s", "efficientnet_v2_s-dd5fe13b.pth", -108},
                     {"mobilenet_v2", "mobilenet_v2-7ebf99e0.pth", -400},
                     {"resnext50_32x4d", "resnext50_32x4d-1a0047aa.pth", -300},
                     {"vit_b_16_64", "vit_b_16-c867db91.pth", -200},
                     {"densenet121", "densenet121-a639ec97.pth", 1121},
                     {"squeezenet1_0", "squeezenet1_0-b66bff10.pth", -700},
                     {"squeezenet1_1", "squeezenet1_1-b8a52dc0.pth", -701},
                     {"regnet_y_400mf", "regnet_y_400mf-e6988f5f.pth", -507},
                     {"mnasnet0_5", "mnasnet0.5_top1_67.823-3ffadce67e.pth", -600},
                     {"vgg11_bn", "vgg11_bn-6002323d.pth", -801},
                     {"alexnet", "alexnet-owt-7be5be79.pth", -900},
                     {"shufflenet_v2_x0_5", "shufflenetv2_x0.5-f707e7126e.pth", -1100},
                     {"shufflenet_v2_x1_0", "shufflenetv2_x1-5666bf0f80.pth", -1101},
                     {"swin_t_72", "swin_t-704ceda3.pth", -1400},
                     {"convnext_tiny_64", "convnext_tiny-983f1562.pth", -1000},
                     {"googlenet", "googlenet-1378be20.pth", -1200},
                     {"inception_v3", "inception_v3_google-0cc3c7bd.pth", -1300},
                     {"maxvit_small", "maxvit_t-bc5ab103.pth", -1501}};
        for (int c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
            expect *x = calloc(1, sizeof *x);
            int rc = read_expect(dir, cases[c].name, 1, x);
            CHECK_MSG(rc == 0, "%s: cannot read the fixture gen_tv_resnet.py wrote", cases[c].name);
            if (rc == 0) {
                float *g1 = run_case(dir, cases[c].name, cases[c].variant, cases[c].file, x, 1, 1);
                float *g2 = run_case(dir, cases[c].name, cases[c].variant, cases[c].file, x, 2, 0);
                CHECK_MSG(g1 && g2, "%s: no gradients", cases[c].name);
                if (g1 && g2) {
                    lc_error e = {0};
                    lc_model *m = build(cases[c].variant, x->S, x->K, x->B, 1, &e);
                    size_t n = m ? m->nparams : 0;
                    lc_model_free(m);
                    CHECK_MSG(n && memcmp(g1, g2, n * sizeof *g1) == 0,
                              "%s: gradients differ between 1 and 2 threads", cases[c].name);
                }
                free(g1);
                free(g2);
                if (cases[c].variant == -1200 || cases[c].variant == -1300)
                    googlenet_no_transform(dir, cases[c].name, cases[c].file,
                                           cases[c].variant - 1, x);
            }
            free_expect(x);
            free(x);
        }
        names_only(dir, "wide_resnet50_2", LC_ENC_TV_RESNET, 50, 1, 64, 159, 53);
        names_only(dir, "efficientnet_b3", LC_ENC_TV_EFFICIENTNET, 3, 0, 64, 338, 78);
        names_only(dir, "efficientnet_v2_m", LC_ENC_TV_EFFICIENTNET, 9, 0, 64, 647, 157);
        names_only(dir, "vit_b_16", LC_ENC_TV_VIT, 0, 0, 224, 150, 0); /* pos_embedding 197 */
        names_only(dir, "densenet161", LC_ENC_TV_DENSENET, 161, 0, 64, 482, 161);
        names_only(dir, "densenet169", LC_ENC_TV_DENSENET, 169, 0, 64, 506, 169);
        names_only(dir, "densenet201", LC_ENC_TV_DENSENET, 201, 0, 64, 602, 201);
        names_only(dir, "regnet_x_400mf", LC_ENC_TV_REGNET, 0, 0, 64, 213, 71);
        names_only(dir, "regnet_x_1_6gf", LC_ENC_TV_REGNET, 2, 0, 64, 177, 59);
        names_only(dir, "regnet_y_1_6gf", LC_ENC_TV_REGNET, 9, 0, 64, 366, 86);
        regnet_stages(dir);
        names_only(dir, "mnasnet0_75", LC_ENC_TV_MNASNET, 1, 0, 64, 156, 52);
        names_only(dir, "mnasnet1_0", LC_ENC_TV_MNASNET, 2, 0, 64, 156, 52);
        names_only(dir, "mnasnet1_3", LC_ENC_TV_MNASNET, 3, 0, 64, 156, 52);
        names_only(dir, "vgg11", LC_ENC_TV_VGG, 0, 0, 32, 20, 0);
        names_only(dir, "vgg16", LC_ENC_TV_VGG, 4, 0, 32, 30, 0);
        names_only(dir, "vgg19_bn", LC_ENC_TV_VGG, 7, 0, 32, 68, 16);
        names_only(dir, "shufflenet_v2_x1_5", LC_ENC_TV_SHUFFLENETV2, 2, 0, 64, 168, 56);
        names_only(dir, "shufflenet_v2_x2_0", LC_ENC_TV_SHUFFLENETV2, 3, 0, 64, 168, 56);
        names_only(dir, "swin_s", LC_ENC_TV_SWIN, 1, 0, 64, 327, 0);
        names_only(dir, "swin_b", LC_ENC_TV_SWIN, 2, 0, 64, 327, 0);
        names_only(dir, "convnext_small", LC_ENC_TV_CONVNEXT, 1, 0, 32, 342, 0);
        names_only(dir, "convnext_base", LC_ENC_TV_CONVNEXT, 2, 0, 32, 342, 0);
        names_only(dir, "convnext_large", LC_ENC_TV_CONVNEXT, 3, 0, 32, 342, 0);
        names_only(dir, "maxvit_t", LC_ENC_TV_MAXVIT, 0, 0, 224, 457, 34);
    }
    if (argc < 2)
        lc_rm_tree(dir);
    return check_exit("test_tvresnet");
}
