/* test_pcnn.c - the text `parallel_cnn` encoder in the planned model (LC_ENC_PARALLEL_CNN: the
 * embeddings, parallel Conv1d layers with relu, each reduced over the steps and concatenated, the
 * FCStack) against Ludwig's network built in torch 1.13 (tests/fixtures/pcnn_cases.json, written
 * by tests/gen_fixtures_pcnn.py): the state_dict names, order and shapes, the softmax
 * cross-entropy loss and every gradient, for reduce sum (four kernels 2..5) and max (kernels 1,
 * 3); the gradients bitwise equal for 1 and 3 threads. Run from the repository root. */
#include "check.h"
#include "lc_layers.h"
#include "lc_model.h"
#include "lc_pool.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE "tests/fixtures/pcnn_cases.json"
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

static lc_seq_reduce reduce_of(const char *r)
{
    return strcmp(r, "max") == 0      ? LC_RED_MAX
           : strcmp(r, "last") == 0   ? LC_RED_LAST
           : strcmp(r, "concat") == 0 ? LC_RED_CONCAT
                                      : LC_RED_SUM;
}

/* one forward/backward on `threads` threads; returns the gradients (NULL on failure) */
static float *run(const cJSON *c, int threads, const char *tag, int check)
{
    int B = get(c, "B")->valueint, L = get(c, "L")->valueint, C = get(c, "C")->valueint;
    const cJSON *ks = get(c, "ks"), *fc = get(c, "fc");
    lc_fc_spec layers[8];
    memset(layers, 0, sizeof layers);
    int nfc = 0;
    for (const cJSON *e = fc->child; e; e = e->next, nfc++)
        layers[nfc] = (lc_fc_spec){.out = e->valueint, .use_bias = 1, .act = LC_ACT_RELU};
    int V = get(c, "V")->valueint; /* 0: a timeseries, one value per step and no embedding */
    lc_input_spec in = {.name = get(c, "name")->valuestring, .enc = LC_ENC_PARALLEL_CNN, .T = L,
                        .seq_embed = V > 0,
                        .vocab = get(c, "V")->valueint, .embed_size = get(c, "E")->valueint,
                        .embed_trainable = 1, .pconv_act = LC_ACT_RELU,
                        .reduce = reduce_of(get(c, "reduce")->valuestring),
                        .fc = {.n = nfc, .layers = layers}};
    int i = 0;
    for (const cJSON *e = ks->child; e; e = e->next, i++) {
        in.pconv_k[i] = e->valueint;
        in.pconv_f[i] = get(c, "F")->valueint;
    }
    in.npconv = i;
    for (int j = 0; j < i; j++) { /* the pooling after each layer, as the config sets it */
        in.scnn_pool[j] = get(c, "pool")->valueint;
        in.scnn_pool_stride[j] = in.scnn_pool[j];
        in.scnn_pool_pad[j] = in.scnn_pool[j] > 0 ? (in.scnn_pool[j] - 1) / 2 : 0;
        in.scnn_pool_avg[j] = cJSON_IsTrue(get(c, "avg"));
        if (cJSON_IsTrue(get(c, "norm"))) /* BatchNorm1d after each conv, torch's defaults */
            in.pconv_norm[j] = (lc_norm_spec){.type = LC_NORM_BATCH, .eps = 1e-5f, .momentum = 0.1f};
    }
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
        fill(m->inputs[0], get(c, "ids"), (size_t)B * L);
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
            printf("test_pcnn: %s: %d tensors as torch's state_dict; loss %.7g (torch %.7g); gradients max %.2f of tol\n",
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
    CHECK(cJSON_GetArraySize(cases) == 9);
    for (const cJSON *c = cases ? cases->child : NULL; c; c = c->next) {
        char tag[64];
        snprintf(tag, sizeof tag, "%s, %d conv layers, reduce %s, pool %d%s%s", get(c, "name")->valuestring,
                 cJSON_GetArraySize(get(c, "ks")), get(c, "reduce")->valuestring,
                 get(c, "pool")->valueint, cJSON_IsTrue(get(c, "avg")) ? " avg" : "",
                 cJSON_IsTrue(get(c, "norm")) ? ", batch norm" : "");
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
    return check_exit("test_pcnn");
}
