/* test_scnn.c - the text and timeseries `stacked_cnn` encoder in the planned model
 * (LC_ENC_STACKED_CNN1D: (the embeddings,) Conv1d layers one after another with relu and max or
 * average pooling ("same" or "valid" padding, strides), the sum over the steps, the FCStack)
 * against Ludwig's StackedCNN built in torch 1.13 (tests/fixtures/scnn_cases.json, written by
 * tests/gen_fixtures_scnn.py): the state_dict names (conv1d_stack.stack.<i>.layers.0), order and
 * shapes, the loss and every gradient, with batch and layer norms (LayerNorm([F, steps]), its
 * affine in torch's (F, L) layout); gradients bitwise equal for 1 and 3 threads; and `cnnrnn`
 * (LC_ENC_CNNRNN: the stack, then a GRU over its steps, recurrent_stack.layers). Run from the
 * repository root. */
#include "check.h"
#include "lc_layers.h"
#include "lc_model.h"
#include "lc_pool.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE "tests/fixtures/scnn_cases.json"
enum { MAXT = 64 };

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void fill(float *dst, const cJSON *a, size_t n)
{
    size_t i = 0;
    for (const cJSON *e = a ? a->child : NULL; e && i < n; e = e->next)
        dst[i++] = (float)e->valuedouble;
}

static double cmp(const float *got, const cJSON *want, size_t n)
{
    double w = 0.0;
    size_t i = 0;
    for (const cJSON *e = want ? want->child : NULL; e && i < n; e = e->next, i++) {
        double r = fabs((double)got[i] - e->valuedouble) / (1e-6 + 1e-4 * fabs(e->valuedouble));
        if (!(r <= w))
            w = r;
    }
    return i == n && cJSON_GetArraySize(want) == (int)n ? w : INFINITY;
}

/* one forward/backward on `threads` threads; returns the gradients (NULL on failure) */
static float *run(const cJSON *c, int threads, const char *tag, int check)
{
    int B = get(c, "B")->valueint, L = get(c, "L")->valueint, C = get(c, "C")->valueint;
    const cJSON *fc = get(c, "fc");
    lc_fc_spec layers[8];
    memset(layers, 0, sizeof layers);
    int nfc = 0;
    layers[nfc++] = (lc_fc_spec){.out = fc->valueint, .use_bias = 1, .act = LC_ACT_RELU};
    int V = get(c, "V")->valueint; /* 0: a timeseries, one value per step and no embedding */
    int gru = get(c, "gru")->valueint;
    lc_input_spec in = {.name = get(c, "name")->valuestring,
                        .enc = gru ? LC_ENC_CNNRNN : LC_ENC_STACKED_CNN1D, .T = L,
                        .cell = LC_RNN_GRU, .state_size = gru, .num_layers = 1, .rnn_bias = 1,
                        .seq_embed = V > 0, .vocab = V, .embed_size = get(c, "E")->valueint,
                        .embed_trainable = 1, .pconv_act = LC_ACT_RELU, .reduce = LC_RED_SUM,
                        .fc = {.n = nfc, .layers = layers}};
    int i = 0;
    for (const cJSON *e = get(c, "layers")->child; e; e = e->next, i++) {
        in.pconv_k[i] = cJSON_GetArrayItem(e, 0)->valueint;
        in.pconv_f[i] = cJSON_GetArrayItem(e, 1)->valueint;
        in.scnn_pool[i] = cJSON_GetArrayItem(e, 2)->valueint;
        in.scnn_pool_stride[i] = cJSON_GetArrayItem(e, 3)->valueint;
        in.scnn_pool_pad[i] = cJSON_IsTrue(cJSON_GetArrayItem(e, 4)) ? (in.scnn_pool[i] - 1) / 2 : 0;
        in.scnn_pool_avg[i] = cJSON_IsTrue(cJSON_GetArrayItem(e, 5));
        if (cJSON_IsTrue(cJSON_GetArrayItem(e, 6))) /* BatchNorm1d after the conv */
            in.pconv_norm[i] = (lc_norm_spec){.type = LC_NORM_BATCH, .eps = 1e-5f, .momentum = 0.1f};
        if (cJSON_IsString(cJSON_GetArrayItem(e, 6))) /* "layer": LayerNorm([F, steps]) */
            in.pconv_norm[i] = (lc_norm_spec){.type = LC_NORM_LAYER, .eps = 1e-5f};
        if (cJSON_GetArraySize(e) == 10) { /* the conv's strides, dilation_rate, padding valid */
            in.pconv_stride[i] = cJSON_GetArrayItem(e, 7)->valueint;
            in.pconv_dil[i] = cJSON_GetArrayItem(e, 8)->valueint;
            in.pconv_valid[i] = cJSON_IsTrue(cJSON_GetArrayItem(e, 9));
        }
    }
    in.npconv = i;
    lc_output_spec out = {.name = "y", .type = LC_HEAD_CATEGORY, .nclasses = C, .use_bias = 1};
    lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &out};
    lc_model *m = NULL;
    lc_error e = {0};
    CHECK_MSG(lc_model_create_net(&net, B, threads, &m, &e) == LC_OK, "%s: %s", tag, e.msg);
    if (!m)
        return NULL;
    lc_tensor_info ti[MAXT];
    int nt = lc_model_tensors(m, ti, MAXT), k = 0, ok = 1;
    const cJSON *names = get(c, "names");
    CHECK_MSG(nt == cJSON_GetArraySize(names), "%s: %d tensors, torch has %d", tag, nt,
              cJSON_GetArraySize(names));
    for (const cJSON *nm = names->child; nm && k < nt; nm = nm->next, k++) {
        const cJSON *sh = get(get(c, "shapes"), nm->valuestring);
        int same = strcmp(ti[k].name, nm->valuestring) == 0 && ti[k].ndim == cJSON_GetArraySize(sh);
        for (int d = 0; same && d < ti[k].ndim; d++)
            same = ti[k].shape[d] == cJSON_GetArrayItem(sh, d)->valueint;
        CHECK_MSG(same, "%s: tensor %d is %s, torch's %s (or another shape)", tag, k, ti[k].name,
                  nm->valuestring);
        ok &= same;
        if (same)
            fill((float *)ti[k].data, get(get(c, "init"), nm->valuestring), ti[k].n);
    }
    float *grads = NULL;
    if (ok) {
        lc_pool *p = lc_pool_create(threads);
        fill(m->inputs[0], get(c, "x"), (size_t)B * L);
        int32_t *lab = m->heads[0].labels;
        int j = 0;
        for (const cJSON *v = get(c, "y")->child; v; v = v->next)
            lab[j++] = v->valueint;
        lc_model_forward(m, p, B, 1, 1, 1);
        double loss = lc_softmax_xent_forward(B, C, lc_model_head_out(m, 0), lab, m->heads[0].probs, NULL);
        lc_softmax_xent_backward(B, C, m->heads[0].probs, lab, 1.0f / (float)B, m->heads[0].dlogits);
        lc_model_backward(m, p, B);
        if (check) {
            CHECK_CLOSE(loss, get(c, "loss")->valuedouble, 1e-7, 1e-5);
            double w = 0.0;
            for (int t = 0; t < nt; t++) {
                /* a buffer (a batch norm's running stats): its value after the training forward */
                double wt = ti[t].is_buffer
                                ? cmp(ti[t].data, get(get(c, "after"), ti[t].name), ti[t].n)
                                : cmp(m->grads + (ti[t].data - m->params),
                                      get(get(c, "grads"), ti[t].name), ti[t].n);
                CHECK_MSG(wt <= 1.0, "%s: %s of %s differs from torch (%.2f of tol)", tag,
                          ti[t].is_buffer ? "the value" : "the gradient", ti[t].name, wt);
                w = wt > w ? wt : w;
            }
            printf("test_scnn: %s: %d tensors as torch's state_dict; loss %.7g (torch %.7g); gradients max %.2f of tol\n",
                   tag, nt, loss, get(c, "loss")->valuedouble, w);
        }
        grads = malloc(m->nparams * sizeof *grads);
        memcpy(grads, m->grads, m->nparams * sizeof *grads);
        lc_pool_destroy(p);
    }
    lc_model_free(m);
    return grads;
}

int main(void)
{
    char *text = check_slurp(FIXTURE, NULL);
    CHECK_MSG(text != NULL, "cannot read %s (run the tests from the repository root)", FIXTURE);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *cases = get(root, "cases");
    CHECK(cJSON_GetArraySize(cases) == 6);
    for (const cJSON *c = cases ? cases->child : NULL; c; c = c->next) {
        char tag[128];
        int nbn = 0, ngeo = 0, nln = 0;
        for (const cJSON *e = get(c, "layers")->child; e; e = e->next) {
            nbn += cJSON_IsTrue(cJSON_GetArrayItem(e, 6));
            nln += cJSON_IsString(cJSON_GetArrayItem(e, 6));
            ngeo += cJSON_GetArraySize(e) == 10;
        }
        snprintf(tag, sizeof tag, "%s, %d conv layers%s%s%s%s", get(c, "name")->valuestring,
                 cJSON_GetArraySize(get(c, "layers")), get(c, "gru")->valueint ? ", a GRU" : "",
                 nbn ? ", batch norms" : "", nln ? ", layer norms" : "",
                 ngeo ? ", strided/dilated/valid" : "");
        float *g1 = run(c, 1, tag, 1), *g3 = run(c, 3, tag, 0);
        size_t n = 0;
        for (const cJSON *t = get(c, "grads")->child; t; t = t->next)
            n += (size_t)cJSON_GetArraySize(t);
        CHECK_MSG(g1 && g3 && memcmp(g1, g3, n * sizeof *g1) == 0,
                  "%s: gradients differ between 1 and 3 threads", tag);
        free(g1);
        free(g3);
    }
    cJSON_Delete(root);
    return check_exit("test_scnn");
}
