/* test_tokconv.c - the Conv1d over embedded tokens computed per distinct token (lc_tokconv.h)
 * against the definition evaluated in double precision position by position (the convolution
 * lc_conv1d.h computes, itself checked against torch in test_conv1d): outputs, weight, bias and
 * embedding gradients for same/valid padding, even and odd kernels, strides and dilations, more
 * distinct ids than one GEMM task and more filters than one reduction task, rows ending in a run of
 * padding; an id outside the
 * vocabulary (its steps NaN, no embedding gradient); the id map restored; results bitwise equal
 * on 1 and 3 threads. */
#include "check.h"
#include "lc_tokconv.h"

#include <stdlib.h>
#include <string.h>

typedef struct tcase {
    int B, L, V, E, F, k, stride, dilation, valid;
    int padded; /* rows of random length, then id 0 to the end (a run of padding) */
} tcase;

/* a uniform in [-1, 1) from a xorshift64 state */
static float frand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (float)((double)(*s >> 11) / 9007199254740992.0) * 2.0f - 1.0f;
}

static int run_case(const tcase *tc, int bad_id)
{
    lc_conv1d c = {.L = tc->L, .E = tc->E, .F = tc->F, .k = tc->k, .stride = tc->stride,
                   .dilation = tc->dilation, .valid = tc->valid};
    const int B = tc->B, L = tc->L, V = tc->V, E = tc->E, F = tc->F, K = tc->k;
    const int Lo = lc_conv1d_out_len(&c), ys = F + 3, yo = 2, n = B * L;
    uint64_t s = 0x1234u + (uint64_t)V * 31u + (uint64_t)K;
    float *idx = malloc((size_t)n * sizeof *idx), *emb = malloc((size_t)V * E * sizeof *emb);
    float *w = malloc((size_t)F * E * K * sizeof *w), *bias = malloc((size_t)F * sizeof *bias);
    float *dy = malloc((size_t)B * Lo * ys * sizeof *dy);
    int32_t *map = malloc((size_t)V * sizeof *map), *cid = malloc((size_t)n * sizeof *cid);
    int32_t *uniq = malloc((size_t)(n + 1) * sizeof *uniq);
    for (int i = 0; i < n; i++) /* skewed: low ids repeat often, as words do */
        idx[i] = (float)((int)(((frand(&s) + 1.0f) * 0.5f) * ((frand(&s) + 1.0f) * 0.5f) * V) % V);
    if (tc->padded)
        for (int b = 0; b < B; b++)
            for (int i = 1 + (int)((frand(&s) + 1.0f) * 0.5f * (L - 1)); i < L; i++)
                idx[b * L + i] = 0.0f;
    if (bad_id)
        idx[L + 1] = (float)V; /* row 1, step 1 */
    for (int i = 0; i < V * E; i++)
        emb[i] = frand(&s);
    for (int i = 0; i < F * E * K; i++)
        w[i] = frand(&s) * 0.3f;
    for (int i = 0; i < F; i++)
        bias[i] = frand(&s);
    for (int i = 0; i < B * Lo * ys; i++)
        dy[i] = frand(&s);
    for (int v = 0; v < V; v++)
        map[v] = -1;
    int D = lc_tok_unique(n, V, idx, map, cid, uniq);
    int restored = 1, distinct = 1;
    for (int v = 0; v < V; v++)
        restored &= map[v] == -1;
    CHECK_MSG(restored, "the id map is not restored");
    for (int i = 0; i < n; i++) {
        int id = uniq[cid[i]];
        distinct &= (id < 0 && idx[i] >= (float)V) || (float)id == idx[i];
    }
    CHECK_MSG(distinct && D <= n, "cid/uniq do not give back the ids (D %d of %d)", D, n);

    /* the definition in double precision */
    double *ry = calloc((size_t)B * Lo * F, sizeof *ry), *rdw = calloc((size_t)F * E * K, sizeof *rdw);
    double *rdb = calloc((size_t)F, sizeof *rdb), *rdemb = calloc((size_t)V * E, sizeof *rdemb);
    int st = tc->stride > 0 ? tc->stride : 1, dl = tc->dilation > 0 ? tc->dilation : 1;
    int pd = tc->valid ? 0 : dl * (K - 1) / 2;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < Lo; t++)
            for (int f = 0; f < F; f++) {
                double acc = bias[f], g = dy[((size_t)b * Lo + t) * ys + yo + f];
                rdb[f] += g;
                for (int j = 0; j < K; j++) {
                    int sp = t * st + j * dl - pd;
                    if (sp < 0 || sp >= L || idx[b * L + sp] >= (float)V)
                        continue;
                    int id = (int)idx[b * L + sp];
                    for (int e = 0; e < E; e++) {
                        acc += (double)w[((size_t)f * E + e) * K + j] * emb[(size_t)id * E + e];
                        rdw[((size_t)f * E + e) * K + j] += g * emb[(size_t)id * E + e];
                        rdemb[(size_t)id * E + e] += g * w[((size_t)f * E + e) * K + j];
                    }
                }
                ry[((size_t)b * Lo + t) * F + f] = acc;
            }

    lc_pool *pools[2] = {lc_pool_create(1), lc_pool_create(3)};
    size_t wsn = lc_tokconv_ws_floats(&c, B, D);
    float *res[2][4];
    for (int r = 0; r < 2; r++) {
        float *ws = malloc(wsn * sizeof *ws), *xd = malloc((size_t)D * E * sizeof *xd);
        float *y = malloc((size_t)B * Lo * ys * sizeof *y);
        for (int i = 0; i < B * Lo * ys; i++)
            y[i] = -7.0f; /* columns outside [yo, yo + F) stay */
        float *dw = malloc((size_t)F * E * K * sizeof *dw), *db = malloc((size_t)F * sizeof *db);
        float *demb = malloc((size_t)V * E * sizeof *demb);
        for (int i = 0; i < V * E; i++)
            demb[i] = 0.5f; /* added to */
        lc_tok_gather(pools[r], D, E, uniq, emb, xd);
        lc_tokconv_forward(pools[r], &c, B, D, cid, xd, w, bias, y, ys, yo, ws);
        lc_tokconv_backward(pools[r], &c, B, D, cid, uniq, xd, w, dy, ys, yo, demb, dw, db, ws);
        res[r][0] = y;
        res[r][1] = dw;
        res[r][2] = db;
        res[r][3] = demb;
        free(ws);
        free(xd);
    }
    double wy = 0, wdw = 0, wdb = 0, wde = 0;
    int nan_ok = 1, keep = 1;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < Lo; t++) {
            keep &= res[0][0][((size_t)b * Lo + t) * ys] == -7.0f &&
                    res[0][0][((size_t)b * Lo + t) * ys + yo + F] == -7.0f;
            int touches_bad = 0;
            for (int j = 0; j < K; j++) {
                int sp = t * st + j * dl - pd;
                touches_bad |= bad_id && b == 1 && sp == 1;
            }
            for (int f = 0; f < F; f++) {
                float v = res[0][0][((size_t)b * Lo + t) * ys + yo + f];
                if (touches_bad) {
                    nan_ok &= isnan(v);
                    continue;
                }
                double r = ry[((size_t)b * Lo + t) * F + f], d = fabs(v - r) / (1e-5 + 1e-5 * fabs(r));
                wy = d > wy ? d : wy;
            }
        }
    CHECK_MSG(keep, "columns outside the output's were written");
    CHECK_MSG(nan_ok, "the steps reading an id outside the vocabulary are not NaN");
    if (!bad_id) { /* the NaN row's gradients are NaN, as the position-wise convolution's */
        for (int i = 0; i < F * E * K; i++) {
            double d = fabs(res[0][1][i] - rdw[i]) / (1e-5 + 1e-5 * fabs(rdw[i]));
            wdw = d > wdw ? d : wdw;
        }
        for (int i = 0; i < V * E; i++) {
            double d = fabs(res[0][3][i] - (0.5 + rdemb[i])) / (1e-5 + 1e-5 * fabs(0.5 + rdemb[i]));
            wde = d > wde ? d : wde;
        }
    }
    for (int f = 0; f < F; f++) {
        double d = fabs(res[0][2][f] - rdb[f]) / (1e-5 + 1e-5 * fabs(rdb[f]));
        wdb = d > wdb ? d : wdb;
    }
    /* float32 sums of up to B L terms: within 50 (1e-5 + 1e-5 |x|) of the double result */
    CHECK_MSG(wy < 50 && wdw < 50 && wdb < 50 && wde < 50,
              "B%d L%d V%d E%d F%d k%d s%d d%d %s: worst y %.3g dw %.3g db %.3g demb %.3g", B, L, V,
              E, F, K, st, dl, tc->valid ? "valid" : "same", wy, wdw, wdb, wde);
    size_t sz[4] = {(size_t)B * Lo * ys, (size_t)F * E * K, (size_t)F, (size_t)V * E};
    for (int q = 0; q < 4; q++)
        CHECK_MSG(memcmp(res[0][q], res[1][q], sz[q] * sizeof(float)) == 0,
                  "k%d: result %d differs between 1 and 3 threads", K, q);
    printf("tokconv: B%d L%d V%d E%d F%d k%d stride %d dilation %d %s: %d distinct ids of %d, worst y %.2g dw %.2g db %.2g demb %.2g\n",
           B, L, V, E, F, K, st, dl, tc->valid ? "valid" : "same", D, n, wy, wdw, wdb, wde);
    for (int r = 0; r < 2; r++) {
        for (int q = 0; q < 4; q++)
            free(res[r][q]);
        lc_pool_destroy(pools[r]);
    }
    free(idx), free(emb), free(w), free(bias), free(dy), free(map), free(cid), free(uniq);
    free(ry), free(rdw), free(rdb), free(rdemb);
    return 0;
}

int main(void)
{
    const tcase cases[] = {
        {5, 7, 11, 6, 9, 3, 1, 1, 0, 0},      /* odd kernel, same */
        {4, 9, 13, 5, 7, 4, 1, 1, 0, 0},      /* even kernel: the extra zero on the right */
        {3, 11, 17, 4, 6, 2, 2, 1, 1, 0},     /* strided, valid */
        {3, 12, 17, 4, 6, 3, 1, 2, 0, 0},     /* dilated, same */
        {4, 13, 19, 5, 6, 3, 3, 2, 1, 0},     /* strided and dilated, valid */
        {24, 50, 2000, 24, 70, 5, 1, 1, 0, 0}, /* > 256 distinct ids, > 32 filters */
        {1, 1, 3, 4, 5, 3, 1, 1, 0, 0},       /* one step */
        {6, 20, 30, 5, 7, 3, 1, 1, 0, 1},  /* padded rows: the run's steps copy their sums */
        {6, 20, 30, 5, 7, 2, 2, 1, 1, 1},  /* ... strided */
        {6, 24, 30, 5, 7, 3, 1, 3, 0, 1},  /* ... dilated */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        run_case(&cases[i], 0);
    run_case(&cases[0], 1);
    return check_exit("test_tokconv");
}
