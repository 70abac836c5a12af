/* model_bench.c - samples/s of the tutorial network's training step (forward, backward, Adam)
 * and of its evaluation forward pass, on random inputs, with no data loading or output writing:
 * what the kernels alone deliver, for profiling (perf record build/model_bench ...).
 *
 * Build and run (from the repository root):
 *   make build/liblc.a
 *   cc -O2 -g -std=c11 -D_GNU_SOURCE -Ilib/core -Ilib/ludwig/model -Ilib/include bench/model_bench.c \
 *      build/liblc.a -lm -pthread -o build/model_bench && build/model_bench [THREADS] [STEPS] [eval]
 */
#include "lc_layers.h"
#include "lc_mem.h"
#include "lc_model.h"
#include "lc_pool.h"
#include "lc_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1, steps = argc > 2 ? atoi(argv[2]) : 60;
    int train_steps = argc > 3 && strcmp(argv[3], "eval") == 0 ? 0 : steps; /* "eval": forward only */
    const int B = 128;
    lc_conv_spec conv[2] = {
        {.out_channels = 32, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .use_bias = 1,
         .act = LC_ACT_RELU, .pool = LC_POOLFN_MAX, .pkh = 2, .pkw = 2, .psh = 2, .psw = 2,
         .pdh = 1, .pdw = 1},
        {.out_channels = 64, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1, .use_bias = 1,
         .act = LC_ACT_RELU, .dropout = 0.4f, .pool = LC_POOLFN_MAX, .pkh = 2, .pkw = 2,
         .psh = 2, .psw = 2, .pdh = 1, .pdw = 1}};
    lc_fc_spec fc = {.out = 128, .use_bias = 1, .act = LC_ACT_RELU, .dropout = 0.4f};
    lc_model_spec spec = {.C = 1, .H = 28, .W = 28, .nconv = 2, .conv = conv, .nfc = 1, .fc = &fc,
                          .nclasses = 10, .out_use_bias = 1};
    lc_error e;
    lc_error_clear(&e);
    lc_model *m;
    lc_pool *p = lc_pool_create(threads);
    if (!p || lc_model_create(&spec, B, threads, &m, &e) != LC_OK) {
        fprintf(stderr, "model_bench: %s\n", e.msg);
        return 1;
    }
    lc_model_init_params(m, 42);
    lc_rng r;
    lc_rng_init(&r, 42, LC_STREAM_TEST, 0);
    for (size_t i = 0; i < (size_t)B * m->in_n; i++)
        m->input[i] = (float)lc_u01d(lc_rng_next(&r));
    for (int b = 0; b < B; b++)
        m->labels[b] = b % 10;
    memset(m->grads, 0, m->nparams * sizeof(float));
    double t0 = now_s();
    for (int s = 0; s < train_steps; s++) {
        lc_model_forward(m, p, B, 1, 42, (uint64_t)s);
        lc_model_softmax(m, B);
        for (int b = 0; b < B; b++)
            for (int k = 0; k < 10; k++)
                m->dlogits[b * 10 + k] = (m->probs[b * 10 + k] - (k == m->labels[b])) / B;
        lc_model_backward(m, p, B);
        for (size_t i = 0; i < m->nparams; i++) /* a plain SGD step keeps the numbers sane */
            m->params[i] -= 1e-3f * m->grads[i];
    }
    double t_train = now_s() - t0;
    t0 = now_s();
    for (int s = 0; s < steps; s++)
        lc_model_forward(m, p, B, 0, 0, 0);
    double t_eval = now_s() - t0;
    printf("threads %d: training step %.0f samples/s, evaluation forward %.0f samples/s\n", threads,
           train_steps * B / (t_train > 0 ? t_train : 1), steps * B / t_eval);
    lc_model_free(m);
    lc_pool_destroy(p);
    return 0;
}
