/* test_tok_model.c - text encoders whose first layer reads the embeddings per distinct token of
 * the batch (lc_tokconv.h: parallel_cnn, stacked_cnn, cnnrnn and the input side of rnn / gru /
 * lstm layers, one and two directions) against the same model computed position by position
 * (LC_TOKCONV=0, whose layers test_pcnn, test_scnn and test_rnn check against torch): the same
 * parameters and batch (rows padded with a run of id 0) give the same loss and every gradient
 * within float rounding; the per-token model gives bitwise the same gradients on 1 and 3 threads;
 * parallel_cnn's convs fused with their ReLU and sum or mean give bitwise the gradients of the
 * layers apart (LC_TOKCONV=nofuse); and the per-token and fused paths are used (a test that
 * cannot fail would prove nothing). */
#include "check.h"
#include "lc_layers.h"
#include "lc_model.h"
#include "lc_pool.h"

#include <stdlib.h>
#include <string.h>

enum { B = 12, T = 17, V = 40, E = 8, C = 3 };

typedef struct tcase {
    const char *tag;
    lc_enc_type enc;
    lc_rnn_cell cell;
    int layers, bidirectional;
    lc_seq_reduce reduce; /* 0: the encoder's (sum; last for rnn) */
} tcase;

static lc_model *build(const tcase *tc, int threads, int tok)
{
    static lc_fc_spec fc[1] = {{.out = 6, .use_bias = 1, .act = LC_ACT_RELU}};
    lc_input_spec in = {.name = "text", .enc = tc->enc, .T = T, .seq_embed = 1, .vocab = V,
                        .embed_size = E, .embed_trainable = 1, .embed_init = LC_INIT_UNIFORM_PM1,
                        .pconv_act = LC_ACT_RELU, .reduce = LC_RED_SUM, .cell = tc->cell,
                        .state_size = 5, .num_layers = tc->layers,
                        .bidirectional = tc->bidirectional, .rnn_bias = 1,
                        .fc = {.n = 1, .layers = fc}};
    if (tc->enc == LC_ENC_RNN)
        in.reduce = LC_RED_LAST;
    if (tc->reduce)
        in.reduce = tc->reduce;
    int ks[4] = {2, 3, 4, 5};
    in.npconv = tc->enc == LC_ENC_PARALLEL_CNN ? 4 : 2;
    for (int i = 0; i < in.npconv; i++) {
        in.pconv_k[i] = ks[i];
        in.pconv_f[i] = 7;
    }
    if (tc->enc == LC_ENC_STACKED_CNN1D)
        in.scnn_pool[0] = 2, in.scnn_pool_stride[0] = 2;
    lc_output_spec out = {.name = "y", .type = LC_HEAD_CATEGORY, .nclasses = C, .use_bias = 1};
    lc_net_spec net = {.nin = 1, .in = &in, .nout = 1, .out = &out};
    lc_model *m = NULL;
    lc_error e = {0};
    setenv("LC_TOKCONV", tok == 2 ? "nofuse" : tok ? "1" : "0", 1);
    CHECK_MSG(lc_model_create_net(&net, B, threads, &m, &e) == LC_OK, "%s: %s", tc->tag, e.msg);
    unsetenv("LC_TOKCONV");
    return m;
}

/* one training step's loss and gradients (a copy) */
static float *step(lc_model *m, int threads, double *loss)
{
    lc_pool *p = lc_pool_create(threads);
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (int b = 0; b < B; b++) { /* ids 1..V-1, then a run of the padding id 0 */
        int len = 3 + b % (T - 3);
        for (int t = 0; t < T; t++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            m->inputs[0][b * T + t] = t < len ? (float)(1 + (s >> 33) % (V - 1)) : 0.0f;
        }
        m->heads[0].labels[b] = b % C;
    }
    lc_model_init_params(m, 7);
    lc_model_forward(m, p, B, 1, 1, 1);
    *loss = lc_softmax_xent_forward(B, C, lc_model_head_out(m, 0), m->heads[0].labels,
                                    m->heads[0].probs, NULL);
    lc_softmax_xent_backward(B, C, m->heads[0].probs, m->heads[0].labels, 1.0f / B,
                             m->heads[0].dlogits);
    lc_model_backward(m, p, B);
    lc_pool_destroy(p);
    float *g = malloc(m->nparams * sizeof *g);
    memcpy(g, m->grads, m->nparams * sizeof *g);
    return g;
}

int main(void)
{
    const tcase cases[] = {
        {"parallel_cnn", LC_ENC_PARALLEL_CNN, LC_RNN_TANH, 1, 0, 0},
        {"parallel_cnn, mean", LC_ENC_PARALLEL_CNN, LC_RNN_TANH, 1, 0, LC_RED_MEAN},
        {"parallel_cnn, max", LC_ENC_PARALLEL_CNN, LC_RNN_TANH, 1, 0, LC_RED_MAX},
        {"stacked_cnn", LC_ENC_STACKED_CNN1D, LC_RNN_TANH, 1, 0, 0},
        {"cnnrnn (gru)", LC_ENC_CNNRNN, LC_RNN_GRU, 1, 0, 0},
        {"rnn", LC_ENC_RNN, LC_RNN_TANH, 1, 0, 0},
        {"gru, bidirectional", LC_ENC_RNN, LC_RNN_GRU, 1, 1, 0},
        {"lstm, 2 layers, bidirectional", LC_ENC_RNN, LC_RNN_LSTM, 2, 1, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const tcase *tc = &cases[c];
        lc_model *mt = build(tc, 1, 1), *mp = build(tc, 1, 0), *m3 = build(tc, 3, 1);
        if (!mt || !mp || !m3) {
            lc_model_free(mt), lc_model_free(mp), lc_model_free(m3);
            continue;
        }
        int ntok = 0, npos = 0;
        for (int i = 0; i < mt->nlayers; i++)
            ntok += mt->layers[i].tok != 0;
        for (int i = 0; i < mp->nlayers; i++)
            npos += mp->layers[i].tok != 0;
        CHECK_MSG(ntok >= 2 && npos == 0, "%s: %d layers per token (LC_TOKCONV=0: %d)", tc->tag,
                  ntok, npos);
        CHECK(mt->nparams == mp->nparams);
        double lt, lp, l3;
        float *gt = step(mt, 1, &lt), *gp = step(mp, 1, &lp), *g3 = step(m3, 3, &l3);
        CHECK_CLOSE(lt, lp, 1e-6, 1e-5);
        double worst = 0.0;
        size_t nz = 0;
        for (size_t i = 0; i < mt->nparams; i++) {
            double d = fabs((double)gt[i] - gp[i]) / (1e-5 + 1e-4 * fabs((double)gp[i]));
            worst = d > worst ? d : worst;
            nz += gp[i] != 0.0f;
        }
        CHECK_MSG(worst <= 1.0, "%s: a gradient differs from the per-position model's (%.2f of tol)",
                  tc->tag, worst);
        CHECK_MSG(nz > mt->nparams / 4, "%s: only %zu of %zu gradients are non-zero", tc->tag, nz,
                  mt->nparams);
        CHECK_MSG(memcmp(gt, g3, mt->nparams * sizeof *gt) == 0 && lt == l3,
                  "%s: per-token gradients differ between 1 and 3 threads", tc->tag);
        /* the conv, ReLU and sum (or mean) fused: bitwise the layers apart */
        int nfused = 0;
        for (int i = 0; i < mt->nlayers; i++)
            nfused += mt->layers[i].tokred != 0;
        if (tc->enc == LC_ENC_PARALLEL_CNN) {
            lc_model *mn = build(tc, 1, 2);
            if (mn) {
                int nf2 = 0;
                for (int i = 0; i < mn->nlayers; i++)
                    nf2 += mn->layers[i].tokred != 0;
                double ln;
                float *gn = step(mn, 1, &ln);
                int want = tc->reduce == LC_RED_MAX ? 0 : 4;
                CHECK_MSG(nfused == want && nf2 == 0, "%s: %d convs fused with their ReLU and reduction (want %d; nofuse %d)",
                          tc->tag, nfused, want, nf2);
                CHECK_MSG(ln == lt && memcmp(gn, gt, mt->nparams * sizeof *gt) == 0,
                          "%s: the fused conv, ReLU and reduction differ from the layers apart", tc->tag);
                free(gn);
                lc_model_free(mn);
            }
        }
        printf("test_tok_model: %s: %d layers per token (%d fused with their ReLU and reduction); loss %.7g (per position %.7g); gradients max %.2f of tol\n",
               tc->tag, ntok, nfused, lt, lp, worst);
        free(gt), free(gp), free(g3);
        lc_model_free(mt), lc_model_free(mp), lc_model_free(m3);
    }
    return check_exit("test_tok_model");
}
