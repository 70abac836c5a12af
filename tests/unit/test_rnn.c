/* test_rnn.c - one direction of an RNN / GRU / LSTM layer (lc_rnn.h) against torch 1.13
 * (tests/fixtures/rnn_cases.json, written by tests/gen_fixtures_rnn.py in float64 from float32
 * inputs): outputs, input gradients and every weight and bias gradient, forward and reverse
 * directions; central finite differences of the forward pass for the weight gradients; a second
 * direction writing into the other half of a shared output; results bitwise equal for 1 and 3
 * threads, also with more samples than one task takes. Run from the repository root. */
#include "check.h"
#include "lc_pool.h"
#include "lc_rnn.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE "tests/fixtures/rnn_cases.json"

static float *floats(const cJSON *c, const char *k, int *n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(c, k);
    int m = cJSON_GetArraySize(a), i = 0;
    float *v = calloc((size_t)(m ? m : 1), sizeof *v);
    for (const cJSON *e = a ? a->child : NULL; e; e = e->next)
        v[i++] = (float)e->valuedouble;
    if (n)
        *n = m;
    return v;
}

static int num(const cJSON *c, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(c, k)->valueint;
}

/* max |a - b| / (atol + rtol |b|) over n values */
static double worst(const float *a, const float *b, int n, double atol, double rtol)
{
    double w = 0.0;
    for (int i = 0; i < n; i++) {
        double r = fabs((double)a[i] - b[i]) / (atol + rtol * fabs((double)b[i]));
        if (!(r <= w))
            w = r;
    }
    return w;
}

typedef struct run_out {
    float *y, *dx, *dwih, *dwhh, *dbih, *dbhh;
} run_out;

static void run(lc_pool *p, const lc_rnn *r, int B, const float *x, const float *wih,
                const float *whh, const float *bih, const float *bhh, const float *dy,
                run_out *o)
{
    int GH = lc_rnn_gates(r->cell) * r->H;
    size_t ny = (size_t)B * r->T * r->H;
    o->y = calloc(ny, sizeof(float));
    o->dx = calloc((size_t)B * r->T * r->I, sizeof(float));
    o->dwih = calloc((size_t)GH * r->I, sizeof(float));
    o->dwhh = calloc((size_t)GH * r->H, sizeof(float));
    o->dbih = calloc((size_t)GH, sizeof(float));
    o->dbhh = calloc((size_t)GH, sizeof(float));
    float *cache = calloc((size_t)B * lc_rnn_cache_floats(r) + 1, sizeof(float));
    float *ws = calloc(lc_rnn_ws_floats(r, B), sizeof(float));
    lc_rnn_forward(p, r, B, x, wih, whh, bih, bhh, o->y, r->H, 0, cache);
    lc_rnn_backward(p, r, B, x, wih, whh, o->y, r->H, 0, cache, dy, o->dx, o->dwih, o->dwhh,
                    o->dbih, o->dbhh, ws);
    free(cache);
    free(ws);
}

static void run_free(run_out *o)
{
    free(o->y);
    free(o->dx);
    free(o->dwih);
    free(o->dwhh);
    free(o->dbih);
    free(o->dbhh);
}

/* sum(y * dy) of the forward pass in double */
static double objective(const lc_rnn *r, int B, const float *x, const float *wih,
                        const float *whh, const float *bih, const float *bhh, const float *dy)
{
    size_t ny = (size_t)B * r->T * r->H;
    float *y = calloc(ny, sizeof *y);
    float *cache = calloc((size_t)B * lc_rnn_cache_floats(r) + 1, sizeof(float));
    lc_rnn_forward(NULL, r, B, x, wih, whh, bih, bhh, y, r->H, 0, cache);
    double s = 0.0;
    for (size_t i = 0; i < ny; i++)
        s += (double)y[i] * dy[i];
    free(y);
    free(cache);
    return s;
}

static void check_case(const cJSON *c, lc_pool *p3)
{
    const char *cell = cJSON_GetObjectItemCaseSensitive(c, "cell")->valuestring;
    lc_rnn r = {.cell = !strcmp(cell, "gru") ? LC_RNN_GRU : !strcmp(cell, "lstm") ? LC_RNN_LSTM
                                                                                   : LC_RNN_TANH,
                .T = num(c, "T"), .I = num(c, "I"), .H = num(c, "H"), .reverse = num(c, "reverse")};
    int B = num(c, "B"), n;
    float *x = floats(c, "x", NULL), *dy = floats(c, "dy", NULL);
    float *wih = floats(c, "w_ih", NULL), *whh = floats(c, "w_hh", NULL);
    float *bih = floats(c, "b_ih", NULL), *bhh = floats(c, "b_hh", NULL);
    run_out o, o3;
    run(NULL, &r, B, x, wih, whh, bih, bhh, dy, &o);
    const char *keys[6] = {"y", "dx", "dw_ih", "dw_hh", "db_ih", "db_hh"};
    float *got[6] = {o.y, o.dx, o.dwih, o.dwhh, o.dbih, o.dbhh};
    double w = 0.0;
    for (int k = 0; k < 6; k++) {
        float *want = floats(c, keys[k], &n);
        double wk = worst(got[k], want, n, 1e-6, 1e-5);
        CHECK_MSG(wk <= 1.0, "%s%s: %s differs from torch (%.2f of tolerance)", cell,
                  r.reverse ? " reverse" : "", keys[k], wk);
        w = wk > w ? wk : w;
        free(want);
    }
    /* the same bits on three threads */
    run(p3, &r, B, x, wih, whh, bih, bhh, dy, &o3);
    int GH = lc_rnn_gates(r.cell) * r.H;
    CHECK(memcmp(o.y, o3.y, (size_t)B * r.T * r.H * sizeof(float)) == 0);
    CHECK(memcmp(o.dx, o3.dx, (size_t)B * r.T * r.I * sizeof(float)) == 0);
    CHECK(memcmp(o.dwhh, o3.dwhh, (size_t)GH * r.H * sizeof(float)) == 0);
    CHECK(memcmp(o.dwih, o3.dwih, (size_t)GH * r.I * sizeof(float)) == 0);
    /* finite differences of sum(y * dy) for a few weights of each tensor */
    float *ts[4] = {wih, whh, bih, bhh}, *gs[4] = {o.dwih, o.dwhh, o.dbih, o.dbhh};
    int ns[4] = {GH * r.I, GH * r.H, GH, GH};
    double fdw = 0.0;
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < ns[k]; j += 5) {
            float v = ts[k][j], h = 1e-2f;
            ts[k][j] = v + h;
            double fp = objective(&r, B, x, wih, whh, bih, bhh, dy);
            ts[k][j] = v - h;
            double fm = objective(&r, B, x, wih, whh, bih, bhh, dy);
            ts[k][j] = v;
            double fd = (fp - fm) / (2.0 * h), e = fabs(fd - gs[k][j]) / (2e-3 + 2e-2 * fabs(fd));
            CHECK_MSG(e <= 1.0, "%s: finite difference of tensor %d [%d]: %g vs %g", cell, k, j,
                      fd, gs[k][j]);
            fdw = e > fdw ? e : fdw;
        }
    fprintf(stderr, "test_rnn: %s%s B=%d T=%d I=%d H=%d: torch max %.2f of tol; finite differences max %.2f of tol\n",
            cell, r.reverse ? " reverse" : "", B, r.T, r.I, r.H, w, fdw);
    run_free(&o);
    run_free(&o3);
    free(x);
    free(dy);
    free(wih);
    free(whh);
    free(bih);
    free(bhh);
}

/* Two directions in one (B, T, 2H) output: each writes its half, reads its own history. */
static void check_shared_output(void)
{
    lc_rnn f = {.cell = LC_RNN_GRU, .T = 4, .I = 2, .H = 3, .reverse = 0}, rv = f;
    rv.reverse = 1;
    int B = 2, GH = 9;
    float x[16], wih[18], whh[27], bih[9], bhh[9];
    for (int i = 0; i < 16; i++)
        x[i] = (float)((i * 7) % 11) / 11.0f - 0.5f;
    for (int i = 0; i < 27; i++)
        whh[i] = (float)((i * 5) % 13) / 13.0f - 0.5f;
    for (int i = 0; i < 18; i++)
        wih[i] = (float)((i * 3) % 7) / 7.0f - 0.5f;
    for (int i = 0; i < 9; i++)
        bih[i] = bhh[i] = 0.1f * (float)i - 0.4f;
    float y1[24], y2[24], ys[48], c1[96], c2[96], cs[96];
    (void)GH;
    lc_rnn_forward(NULL, &f, B, x, wih, whh, bih, bhh, y1, 3, 0, c1);
    lc_rnn_forward(NULL, &rv, B, x, wih, whh, bih, bhh, y2, 3, 0, c2);
    lc_rnn_forward(NULL, &f, B, x, wih, whh, bih, bhh, ys, 6, 0, cs);
    lc_rnn_forward(NULL, &rv, B, x, wih, whh, bih, bhh, ys, 6, 3, cs);
    int same = 1;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < 4; t++)
            for (int k = 0; k < 3; k++)
                same &= ys[(b * 4 + t) * 6 + k] == y1[(b * 4 + t) * 3 + k] &&
                        ys[(b * 4 + t) * 6 + 3 + k] == y2[(b * 4 + t) * 3 + k];
    CHECK_MSG(same, "a direction writing into half of a shared output differs from its own");
}

/* More samples than one task holds: 1 and 3 threads give the same bits for every cell and
 * direction. */
static void check_threads_many(lc_pool *p3)
{
    const int B = 70, T = 6, I = 3, H = 5;
    for (int cell = LC_RNN_TANH; cell <= LC_RNN_LSTM; cell++)
        for (int rev = 0; rev < 2; rev++) {
            lc_rnn r = {.cell = (lc_rnn_cell)cell, .T = T, .I = I, .H = H, .reverse = rev};
            int GH = lc_rnn_gates(r.cell) * H;
            float *x = malloc((size_t)B * T * I * sizeof *x), *dy = malloc((size_t)B * T * H * sizeof *dy);
            float *w = malloc((size_t)GH * (I + H + 2) * sizeof *w);
            for (int i = 0; i < B * T * I; i++)
                x[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
            for (int i = 0; i < B * T * H; i++)
                dy[i] = (float)((i * 53) % 97) / 48.0f - 1.0f;
            for (int i = 0; i < GH * (I + H + 2); i++)
                w[i] = (float)((i * 29) % 89) / 100.0f - 0.45f;
            run_out a, b;
            run(NULL, &r, B, x, w, w + GH * I, w + GH * (I + H), w + GH * (I + H + 1), dy, &a);
            run(p3, &r, B, x, w, w + GH * I, w + GH * (I + H), w + GH * (I + H + 1), dy, &b);
            CHECK_MSG(memcmp(a.y, b.y, (size_t)B * T * H * sizeof(float)) == 0 &&
                          memcmp(a.dx, b.dx, (size_t)B * T * I * sizeof(float)) == 0 &&
                          memcmp(a.dwih, b.dwih, (size_t)GH * I * sizeof(float)) == 0 &&
                          memcmp(a.dwhh, b.dwhh, (size_t)GH * H * sizeof(float)) == 0 &&
                          memcmp(a.dbhh, b.dbhh, (size_t)GH * sizeof(float)) == 0,
                      "cell %d reverse %d: 1 and 3 threads differ for %d samples", cell, rev, B);
            run_free(&a);
            run_free(&b);
            free(x);
            free(dy);
            free(w);
        }
}

int main(void)
{
    char *text = check_slurp(FIXTURE, NULL);
    CHECK_MSG(text != NULL, "cannot read %s (run the tests from the repository root)", FIXTURE);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    lc_pool *p3 = lc_pool_create(3);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
    CHECK(cJSON_GetArraySize(cases) == 7);
    for (const cJSON *c = cases ? cases->child : NULL; c; c = c->next)
        check_case(c, p3);
    check_shared_output();
    check_threads_many(p3);
    lc_pool_destroy(p3);
    cJSON_Delete(root);
    return check_exit("test_rnn");
}
