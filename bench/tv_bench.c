/* tv_bench.c - samples/s of a torchvision encoder's evaluation forward pass and training step
 * (forward, backward) at 224x224 on random inputs and weights, with no data loading: what the
 * kernels alone deliver, for profiling (perf record build/tv_bench ...).
 *
 * Build and run (from the repository root):
 *   make build/liblc.a
 *   cc -O2 -g -std=c11 -D_GNU_SOURCE -Ilib/core -Ilib/ludwig/model -Ilib/include bench/tv_bench.c \
 *      build/liblc.a -lm -pthread -o build/tv_bench && build/tv_bench [THREADS] [STEPS]
 *      [eval|train|frozen] [B]
 *      [ENC VARIANT]   (an lc_enc_type value and its tv_variant; resnet 18 by default; frozen:
 *      a training step with the backbone frozen, trainable: false)
 *   KEEP=0 in the environment: without the trainer's and the evaluation's kept Winograd weights
 *   (lc_model_keep_weights)
 */
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
    int threads = argc > 1 ? atoi(argv[1]) : 1, steps = argc > 2 ? atoi(argv[2]) : 4;
    int frozen = argc > 3 && strcmp(argv[3], "frozen") == 0;
    int train = frozen || (argc > 3 && strcmp(argv[3], "train") == 0);
    int B = argc > 4 ? atoi(argv[4]) : 16, S = 224, K = 10;
    lc_enc_type enc = argc > 6 ? (lc_enc_type)atoi(argv[5]) : LC_ENC_TV_RESNET;
    int variant = argc > 6 ? atoi(argv[6]) : 18;
    lc_input_spec in = {.name = "image_path", .enc = enc, .C = 3, .H = S, .W = S,
                        .tv_variant = variant, .tv_frozen = frozen};
    lc_output_spec out = {.name = "y", .type = LC_HEAD_VECTOR, .nclasses = K, .use_bias = 1};
    lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &out, .inference = !train};
    lc_error e;
    lc_error_clear(&e);
    lc_model *m = NULL;
    lc_pool *p = lc_pool_create(threads);
    if (!p || lc_model_create_net(&net, B, threads, &m, &e) != LC_OK) {
        fprintf(stderr, "tv_bench: %s\n", e.msg);
        return 1;
    }
    lc_model_init_params(m, 42);
    lc_rng r;
    lc_rng_init(&r, 42, LC_STREAM_TEST, 0);
    for (size_t i = 0; i < (size_t)B * m->in_n; i++)
        m->input[i] = (float)lc_u01d(lc_rng_next(&r));
    /* the scope the trainer opens (frozen convolutions keep their transformed weights) or an
     * evaluation over a split does (every Winograd convolution's kept after its first batch);
     * KEEP=0 runs without */
    const char *keep = getenv("KEEP");
    if (!keep || strcmp(keep, "0") != 0)
        lc_model_keep_weights(m, train ? LC_KEEP_FROZEN : LC_KEEP_EVAL, 1);
    lc_model_forward(m, p, B, train, 42, 0); /* warm-up: first touch of the arena */
    double t0 = now_s();
    for (int s = 0; s < steps; s++) {
        lc_model_forward(m, p, B, train, 42, (uint64_t)s);
        if (train) {
            memset(m->dlogits, 0, (size_t)B * K * sizeof(float));
            for (int b = 0; b < B; b++)
                m->dlogits[b * K + b % K] = 1.0f / B;
            lc_model_backward(m, p, B);
        }
    }
    double t = now_s() - t0;
    printf("encoder %d variant %d %s, batch %d, threads %d: %.2f samples/s\n", (int)enc, variant,
           frozen ? "frozen training step" : train ? "training step" : "evaluation forward", B,
           threads, steps * B / t);
    lc_model_free(m);
    lc_pool_destroy(p);
    return 0;
}
