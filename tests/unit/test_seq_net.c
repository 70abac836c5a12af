/* test_seq_net.c - the timeseries `rnn` encoder in the planned model (lc_model.h: LC_ENC_RNN,
 * its recurrent layers, sequence reduction and Ludwig's tensor names) against Ludwig's network
 * built in torch 1.13 (tests/fixtures/seq_net_cases.json, written by
 * tests/gen_fixtures_seq_net.py): rnn / gru / lstm, 1 and 2 layers, one and two directions, every
 * reduce_output; the state_dict names, order and shapes; the MSE loss and every gradient of the
 * first step; the parameters after 3 Adam steps; bitwise equal parameters for 1 and 3 threads.
 * Run from the repository root. */
#include "check.h"
#include "lc_layers.h"
#include "lc_losses.h"
#include "lc_model.h"
#include "lc_pool.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE "tests/fixtures/seq_net_cases.json"
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

static double cmp(const float *got, const cJSON *want, size_t n, double atol, double rtol)
{
    double w = 0.0;
    size_t i = 0;
    for (const cJSON *e = want ? want->child : NULL; e && i < n; e = e->next, i++) {
        double r = fabs((double)got[i] - e->valuedouble) / (atol + rtol * fabs(e->valuedouble));
        if (!(r <= w))
            w = r;
    }
    if (i != n || cJSON_GetArraySize(want) != (int)n)
        w = INFINITY;
    return w;
}

static lc_model *build(const cJSON *c, int threads)
{
    const char *cell = get(c, "cell")->valuestring, *red = get(c, "reduce")->valuestring;
    lc_input_spec in = {.name = "series", .enc = LC_ENC_RNN, .T = get(c, "T")->valueint,
                        .cell = !strcmp(cell, "gru") ? LC_RNN_GRU
                                : !strcmp(cell, "lstm") ? LC_RNN_LSTM
                                                        : LC_RNN_TANH,
                        .state_size = get(c, "H")->valueint,
                        .num_layers = get(c, "layers")->valueint,
                        .bidirectional = get(c, "bidirectional")->valueint, .rnn_bias = 1,
                        .reduce = !strcmp(red, "last")   ? LC_RED_LAST
                                  : !strcmp(red, "sum")  ? LC_RED_SUM
                                  : !strcmp(red, "mean") ? LC_RED_MEAN
                                  : !strcmp(red, "max")  ? LC_RED_MAX
                                                         : LC_RED_CONCAT};
    lc_output_spec out = {.name = "y", .type = LC_HEAD_NUMBER, .use_bias = 1};
    lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &out};
    lc_model *m = NULL;
    lc_error e = {0};
    lc_status st = lc_model_create_net(&net, get(c, "B")->valueint, threads, &m, &e);
    CHECK_MSG(st == LC_OK, "create: %s", e.msg);
    return m;
}

/* Loads the fixture's initial tensors by name, checking names, order and shapes. */
static int load(lc_model *m, const cJSON *c, const char *tag)
{
    lc_tensor_info ti[MAXT];
    int nt = lc_model_tensors(m, ti, MAXT), k = 0, ok = 1;
    const cJSON *names = get(c, "names"), *shapes = get(c, "shapes"), *init = get(c, "init");
    CHECK_MSG(nt == cJSON_GetArraySize(names), "%s: %d tensors, torch has %d", tag, nt,
              cJSON_GetArraySize(names));
    for (const cJSON *nm = names->child; nm && k < nt; nm = nm->next, k++) {
        const cJSON *sh = get(shapes, nm->valuestring);
        int same = strcmp(ti[k].name, nm->valuestring) == 0 && ti[k].ndim == cJSON_GetArraySize(sh);
        for (int d = 0; same && d < ti[k].ndim; d++)
            same = ti[k].shape[d] == cJSON_GetArrayItem(sh, d)->valueint;
        CHECK_MSG(same, "%s: tensor %d is %s, torch's is %s (or another shape)", tag, k,
                  ti[k].name, nm->valuestring);
        ok &= same;
        if (same)
            fill((float *)ti[k].data, get(init, nm->valuestring), ti[k].n);
    }
    return ok && k == nt;
}

static double step_loss(lc_model *m, lc_pool *p, const float *y, int B)
{
    lc_model_forward(m, p, B, 1, 1, 1);
    const float *z = lc_model_head_out(m, 0);
    double l = lc_num_loss_forward(LC_NUM_LOSS_MSE, 1.0f, B, z, y);
    lc_num_loss_backward(LC_NUM_LOSS_MSE, 1.0f, B, z, y, 1.0f, m->heads[0].dlogits);
    lc_model_backward(m, p, B);
    return l;
}

static float *run_adam(const cJSON *c, int threads, const char *tag, int check)
{
    int B = get(c, "B")->valueint, T = get(c, "T")->valueint;
    lc_model *m = build(c, threads);
    lc_pool *p = lc_pool_create(threads);
    float *out = NULL, y[64];
    if (!m || !load(m, c, tag))
        goto done;
    fill(m->inputs[0], get(c, "x"), (size_t)B * T);
    fill(y, get(c, "y"), (size_t)B);
    double l = step_loss(m, p, y, B);
    if (check) {
        CHECK_CLOSE(l, get(c, "loss")->valuedouble, 1e-7, 1e-5);
        lc_tensor_info ti[MAXT];
        int nt = lc_model_tensors(m, ti, MAXT);
        double w = 0.0;
        for (int k = 0; k < nt; k++) {
            double wk = cmp(m->grads + (ti[k].data - m->params),
                            get(get(c, "grads"), ti[k].name), ti[k].n, 1e-6, 1e-4);
            CHECK_MSG(wk <= 1.0, "%s: gradient of %s differs from torch (%.2f of tol)", tag,
                      ti[k].name, wk);
            w = wk > w ? wk : w;
        }
        printf("test_seq_net: %s: %d tensors as torch's state_dict; loss %.7g (torch %.7g); gradients max %.2f of tol\n",
               tag, nt, l, get(c, "loss")->valuedouble, w);
    }
    /* 3 Adam steps from the initial parameters (the first one above is step 1) */
    lc_optim adam = {.type = LC_OPT_ADAM, .lr = 0.01f, .beta1 = 0.9f, .beta2 = 0.999f,
                     .eps = 1e-8f};
    float *state = calloc(2 * m->nparams + 1, sizeof *state);
    for (long t = 1; t <= 3; t++) {
        if (t > 1)
            step_loss(m, p, y, B);
        lc_optim_step(p, &adam, t, m->nparams, m->params, m->grads, state);
    }
    free(state);
    if (check) {
        lc_tensor_info ti[MAXT];
        int nt = lc_model_tensors(m, ti, MAXT);
        double w = 0.0;
        for (int k = 0; k < nt; k++) {
            double wk = cmp(ti[k].data, get(get(c, "final"), ti[k].name), ti[k].n, 1e-5, 1e-4);
            CHECK_MSG(wk <= 1.0, "%s: %s after 3 Adam steps differs from torch (%.2f of tol)",
                      tag, ti[k].name, wk);
            w = wk > w ? wk : w;
        }
        printf("test_seq_net: %s: parameters after 3 Adam steps max %.2f of tol\n", tag, w);
    }
    out = malloc(m->nparams * sizeof *out);
    memcpy(out, m->params, m->nparams * sizeof *out);
done:
    lc_pool_destroy(p);
    lc_model_free(m);
    return out;
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
        char tag[96];
        snprintf(tag, sizeof tag, "%s x%d%s reduce %s", get(c, "cell")->valuestring,
                 get(c, "layers")->valueint, get(c, "bidirectional")->valueint ? " bidirectional" : "",
                 get(c, "reduce")->valuestring);
        float *p1 = run_adam(c, 1, tag, 1), *p3 = run_adam(c, 3, tag, 0);
        lc_model *m = build(c, 1);
        CHECK_MSG(p1 && p3 && m && memcmp(p1, p3, m->nparams * sizeof *p1) == 0,
                  "%s: parameters differ between 1 and 3 threads", tag);
        lc_model_free(m);
        free(p1);
        free(p3);
    }
    cJSON_Delete(root);
    return check_exit("test_seq_net");
}
