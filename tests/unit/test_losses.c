/* test_losses.c - the tabular losses (lc_losses.h) and the embedding / one-hot layers
 * (lc_embed.h): values and gradients against torch 1.13 (tests/fixtures/losses_cases.json,
 * written by tests/gen_fixtures_losses.py: float32 results as Ludwig computes them, and float64
 * runs of the same definitions that the double arithmetic here must match to ~1e-12), central
 * finite differences of the double forward for every loss and option, hand-checked edge cases
 * (NaN gradients of a zero RMSE, zero-weight batches, bad indices) and the embedding backward
 * bitwise equal for 1 and 3 threads. Run from the repository root. */
#include "check.h"
#include "lc_embed.h"
#include "lc_layers.h"
#include "lc_losses.h"
#include "lc_mem.h"
#include "lc_pool.h"
#include "lc_rng.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE "tests/fixtures/losses_cases.json"
enum { MAXN = 64 };

static const char *const NUM_NAMES[] = {
    "mean_squared_error", "mean_absolute_error", "root_mean_squared_error",
    "mean_absolute_percentage_error", "root_mean_squared_percentage_error", "huber",
};
#define NUM_LOSSES ((int)(sizeof NUM_NAMES / sizeof NUM_NAMES[0]))

static void fill(float *v, int n, uint64_t key, float lo, float hi)
{
    for (int i = 0; i < n; i++)
        v[i] = lo + (hi - lo) * lc_u01f(lc_rng_hash(11, LC_STREAM_TEST, key, (uint64_t)i));
}

/* ---------------- finite differences ---------------- */

typedef double (*loss_fn)(void *ctx);

/* Central differences of the double forward at float inputs: with h = 1e-3 the truncation error
 * is ~1e-7 relative for these smooth pieces, the analytic gradient is a float (6e-8), so
 * |num - ana| <= 1e-5 |num| + 1e-7 max|ana| (checked points stay 1e-2 away from every kink). */
static void fd_check(const char *what, loss_fn f, void *ctx, float scale, float *v, int n,
                     const float *ana)
{
    double gmax = 0.0, worst = 0.0;
    int bad = 0;
    for (int i = 0; i < n; i++)
        gmax = fmax(gmax, fabs((double)ana[i]));
    for (int i = 0; i < n; i++) {
        float v0 = v[i], vp = v0 + 1e-3f, vm = v0 - 1e-3f;
        v[i] = vp;
        double lp = f(ctx);
        v[i] = vm;
        double lm = f(ctx);
        v[i] = v0;
        double num = scale * (lp - lm) / ((double)vp - (double)vm);
        double r = fabs(num - ana[i]) / (1e-5 * fabs(num) + 1e-7 * gmax + 1e-300);
        if (r > worst || r != r)
            worst = r;
        if (!(r <= 1.0)) {
            if (bad < 3)
                fprintf(stderr, "  %s[%d]: numeric %.9g analytic %.9g\n", what, i, num, ana[i]);
            bad++;
        }
    }
    if (getenv("LC_TEST_VERBOSE"))
        fprintf(stderr, "  fd %-34s worst error %.3f of tolerance\n", what, worst);
    CHECK_MSG(bad == 0, "%s: %d of %d gradients off (worst %.3g x tolerance)", what, bad, n,
              worst);
}

typedef struct {
    lc_num_loss type;
    float delta;
    int B;
    float *p, *t;
} num_t;

static double num_loss(void *vc)
{
    num_t *c = vc;
    return lc_num_loss_forward(c->type, c->delta, c->B, c->p, c->t);
}

static void test_num_fd(void)
{
    enum { B = 9 };
    const float deltas[] = {1.0f, 0.35f};
    for (int type = 0; type < NUM_LOSSES; type++)
        for (int k = 0; k < (type == LC_NUM_LOSS_HUBER ? 2 : 1); k++) {
            float p[B], t[B], d[B];
            fill(t, B, 10, -2.0f, 2.0f);
            t[0] = 0.0f; /* MAPE's clamp and RMSPE's epsilon */
            fill(p, B, 11, 0.05f, 1.5f);
            for (int b = 0; b < B; b++) {
                /* pred - target of either sign, |.| >= 0.05 and 0.02 off the huber edge */
                float off = (b & 1) ? -p[b] : p[b];
                if (fabsf(fabsf(off) - deltas[k]) < 0.02f)
                    off *= 1.1f;
                p[b] = t[b] + off;
            }
            num_t c = {(lc_num_loss)type, deltas[k], B, p, t};
            for (int b = 0; b < B; b++)
                d[b] = NAN; /* backward must overwrite */
            lc_num_loss_backward(c.type, c.delta, B, p, t, 0.7f, d);
            char name[64];
            snprintf(name, sizeof name, "%s delta %g", NUM_NAMES[type], deltas[k]);
            fd_check(name, num_loss, &c, 0.7f, p, B, d);
        }
}

typedef struct {
    lc_bwce o;
    int B;
    float *z, *t;
} bwce_t;

static double bwce_loss(void *vc)
{
    bwce_t *c = vc;
    return lc_bwce_forward(&c->o, c->B, c->z, c->t, NULL);
}

static void test_bwce_fd(void)
{
    enum { B = 10 };
    const lc_bwce opts[] = {
        {0.0f, 0.0f, 0.0f}, {3.0f, 0.0f, 0.0f}, {0.0f, 0.4f, 0.0f}, {0.0f, 2.0f, 0.0f},
        {0.0f, 0.0f, 0.3f}, {0.6f, 0.3f, 0.8f},
    };
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        float z[B], t[B], d[B];
        fill(z, B, 20 + k, -5.0f, 5.0f);
        z[3] = -0.55f; /* near the entropy maximum (p = 1/e): the penalty's arg-max, alone */
        for (int b = 0; b < B; b++)
            t[b] = (float)((b * 7 + (int)k) % 3 == 0);
        bwce_t c = {opts[k], B, z, t};
        for (int b = 0; b < B; b++)
            d[b] = NAN;
        lc_bwce_backward(&c.o, B, z, t, 1.3f, d);
        char name[96];
        snprintf(name, sizeof name, "bwce pw %g rl %g cp %g", opts[k].pos_weight,
                 opts[k].robust_lambda, opts[k].confidence_penalty);
        fd_check(name, bwce_loss, &c, 1.3f, z, B, d);
    }
}

typedef struct {
    int B, C;
    float *z, *p;
    const int32_t *y;
    const float *w;
} xent_t;

static double xent_loss(void *vc)
{
    xent_t *c = vc;
    return lc_softmax_xent_weighted_forward(c->B, c->C, c->z, c->y, c->w, c->p, NULL);
}

static void test_xent_fd(void)
{
    enum { B = 6, C = 4 };
    const int32_t y[B] = {2, 0, 3, 2, 1, 2};
    const float w[C] = {0.25f, 2.0f, 1.5f, 0.0f};
    const float *ws[] = {NULL, w};
    for (int k = 0; k < 2; k++) {
        float z[B * C], p[B * C], d[B * C];
        fill(z, B * C, 30, -3.0f, 3.0f);
        xent_t c = {B, C, z, p, y, ws[k]};
        xent_loss(&c);
        for (int i = 0; i < B * C; i++)
            d[i] = NAN;
        lc_softmax_xent_weighted_backward(B, C, p, y, ws[k], 0.9f, d);
        fd_check(k ? "xent class weights" : "xent unweighted", xent_loss, &c, 0.9f, z, B * C, d);
    }
}

typedef struct {
    int B, V, D;
    const float *idx, *g; /* g: the weights of L = sum(g * y) */
    float *w, *y;
} embed_t;

static double embed_loss(void *vc)
{
    embed_t *c = vc;
    lc_embed_forward(NULL, c->B, c->V, c->D, c->idx, c->w, c->y);
    double s = 0.0;
    for (int i = 0; i < c->B * c->D; i++)
        s += (double)c->g[i] * c->y[i];
    return s;
}

static void test_embed_fd(void)
{
    enum { B = 8, V = 5, D = 3 };
    const float idx[B] = {4, 1, 1, 0, 4, 4, 2, 1}; /* row 3 unused: its gradient must be 0 */
    float w[V * D], y[B * D], g[B * D], dw[V * D];
    fill(w, V * D, 40, -1.0f, 1.0f);
    fill(g, B * D, 41, -1.0f, 1.0f);
    for (int i = 0; i < V * D; i++)
        dw[i] = NAN;
    lc_embed_backward(NULL, B, V, D, idx, g, dw);
    embed_t c = {B, V, D, idx, g, w, y};
    fd_check("embedding dW", embed_loss, &c, 1.0f, w, V * D, dw);
    CHECK(dw[3 * D] == 0.0f && dw[3 * D + 2] == 0.0f);
}

/* ---------------- torch fixtures ---------------- */

static int get_floats(const cJSON *obj, const char *key, float *dst, int max)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);
    int n = 0;
    if (!cJSON_IsArray(a))
        return -1;
    for (const cJSON *x = a->child; x; x = x->next) {
        if (n >= max || !cJSON_IsNumber(x))
            return -1;
        dst[n++] = (float)x->valuedouble; /* float32 values: exact */
    }
    return n;
}

static double get_num(const cJSON *obj, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

/* torch float64 values (the definition) and float32 values (what Ludwig computes) */
typedef struct {
    double loss64, loss32;
    float grad64[MAXN], grad32[MAXN], probs64[MAXN], probs32[MAXN];
    int n, has_probs;
} want_t;

static int get_want(const cJSON *cs, want_t *w, int n)
{
    const cJSON *w64 = cJSON_GetObjectItemCaseSensitive(cs, "want64");
    const cJSON *w32 = cJSON_GetObjectItemCaseSensitive(cs, "want32");
    w->loss64 = get_num(w64, "loss");
    w->loss32 = get_num(w32, "loss");
    w->n = n;
    if (get_floats(w64, "grad", w->grad64, MAXN) != n ||
        get_floats(w32, "grad", w->grad32, MAXN) != n)
        return -1;
    w->has_probs = cJSON_GetObjectItemCaseSensitive(w32, "probs") != NULL;
    if (w->has_probs && (get_floats(w64, "probs", w->probs64, MAXN) != n ||
                         get_floats(w32, "probs", w->probs32, MAXN) != n))
        return -1;
    return 0;
}

/* Loss to 1e-12 of torch's float64 and to float32 precision of torch's float32. Gradients and
 * probabilities within float rounding (one ulp) of the float64 values, and within torch's own
 * float32 arithmetic of the float32 ones: a few ulps, or 1e-6 of the largest gradient where
 * float32 cancels (sigmoid(20) - 1 is 0 in float32, -2e-9 in fact); subnormal probabilities
 * (exp(-100)) to their absolute spacing. */
static void compare(const char *name, const want_t *w, double loss, const float *grad,
                    const float *probs)
{
    double gmax = 0.0;
    for (int i = 0; i < w->n; i++)
        gmax = fmax(gmax, fabs((double)w->grad32[i]));
    CHECK_MSG(fabs(loss - w->loss64) <= 1e-12 * fabs(w->loss64) + 1e-15,
              "%s: loss %.17g, torch float64 %.17g", name, loss, w->loss64);
    CHECK_MSG(fabs(loss - w->loss32) <= 4e-7 * fabs(w->loss32) + 1e-12,
              "%s: loss %.9g, torch float32 %.9g", name, loss, w->loss32);
    int bad64 = 0, bad32 = 0, exact = 0;
    for (int i = 0; i < w->n; i++) {
        double g = grad[i], a = w->grad64[i], b = w->grad32[i];
        if (!(fabs(g - a) <= 1.2e-7 * fabs(a) + 1e-30)) {
            if (bad64++ < 2)
                fprintf(stderr, "  %s grad[%d] %.9g vs float64 %.9g\n", name, i, g, a);
        }
        if (!(fabs(g - b) <= 1e-6 * (fabs(b) + gmax))) {
            if (bad32++ < 2)
                fprintf(stderr, "  %s grad[%d] %.9g vs float32 %.9g\n", name, i, g, b);
        }
        exact += grad[i] == w->grad32[i];
    }
    CHECK_MSG(bad64 == 0 && bad32 == 0, "%s: %d gradients off float64, %d off float32", name,
              bad64, bad32);
    int badp = 0;
    for (int i = 0; probs && i < w->n; i++) {
        double p = probs[i], a = w->probs64[i], b = w->probs32[i];
        badp += !(fabs(p - a) <= 6e-8 * a + 1e-45) || !(fabs(p - b) <= 1e-6 * b + 1e-44);
    }
    CHECK_MSG(badp == 0, "%s: %d probabilities off torch's", name, badp);
    if (getenv("LC_TEST_VERBOSE"))
        fprintf(stderr, "  %-36s %d of %d gradients bitwise torch float32\n", name, exact, w->n);
}

static lc_num_loss num_type(const char *s)
{
    for (int i = 0; i < NUM_LOSSES; i++)
        if (strcmp(s, NUM_NAMES[i]) == 0)
            return (lc_num_loss)i;
    return (lc_num_loss)-1;
}

static void run_number(const cJSON *cs, const char *name)
{
    float p[MAXN], t[MAXN], d[MAXN];
    want_t w;
    const cJSON *jl = cJSON_GetObjectItemCaseSensitive(cs, "loss");
    int B = get_floats(cs, "pred", p, MAXN);
    lc_num_loss type = num_type(cJSON_IsString(jl) ? jl->valuestring : "");
    float delta = (float)get_num(cs, "delta");
    CHECK_MSG(B > 0 && get_floats(cs, "target", t, MAXN) == B && (int)type >= 0 &&
                  get_want(cs, &w, B) == 0,
              "%s: malformed case", name);
    if (!(B > 0 && (int)type >= 0))
        return;
    double loss = lc_num_loss_forward(type, delta, B, p, t);
    lc_num_loss_backward(type, delta, B, p, t, 1.0f, d);
    compare(name, &w, loss, d, NULL);
    /* the edge samples of the generator: b0 pred == target, b2 / b3 |pred - target| == 1 / 0.5 */
    if (type == LC_NUM_LOSS_MAE || type == LC_NUM_LOSS_MAPE || type == LC_NUM_LOSS_HUBER)
        CHECK_MSG(d[0] == 0.0f, "%s: the subgradient at pred == target is %g, torch's is 0", name,
                  d[0]);
    if (type == LC_NUM_LOSS_HUBER) {
        int edge = delta == 1.0f ? 2 : delta == 0.5f ? 3 : -1;
        if (edge >= 0)
            CHECK_MSG(d[edge] == w.grad32[edge] && d[edge] == (float)((double)delta / B),
                      "%s: gradient at |x| == delta is %.9g, torch %.9g", name, d[edge],
                      w.grad32[edge]);
    }
}

static void run_bwce(const cJSON *cs, const char *name)
{
    float z[MAXN], t[MAXN], d[MAXN], pr[MAXN];
    want_t w;
    int B = get_floats(cs, "logits", z, MAXN);
    lc_bwce o = {(float)get_num(cs, "pos_weight"), (float)get_num(cs, "robust_lambda"),
                 (float)get_num(cs, "confidence_penalty")};
    CHECK_MSG(B > 0 && get_floats(cs, "target", t, MAXN) == B && get_want(cs, &w, B) == 0,
              "%s: malformed case", name);
    if (B <= 0)
        return;
    double loss = lc_bwce_forward(&o, B, z, t, pr);
    lc_bwce_backward(&o, B, z, t, 1.0f, d);
    compare(name, &w, loss, d, pr);
}

static void run_xent(const cJSON *cs, const char *name)
{
    float z[MAXN], d[MAXN], pr[MAXN], cw[MAXN], lb[MAXN];
    int32_t y[MAXN];
    want_t w;
    int B = (int)get_num(cs, "B"), C = (int)get_num(cs, "C");
    int nz = get_floats(cs, "logits", z, MAXN), ny = get_floats(cs, "labels", lb, MAXN);
    const cJSON *jw = cJSON_GetObjectItemCaseSensitive(cs, "class_weights");
    int nw = cJSON_IsNull(jw) ? 0 : get_floats(cs, "class_weights", cw, MAXN);
    int ok = B > 0 && C > 0 && nz == B * C && ny == B && (nw == 0 || nw == C) &&
             get_want(cs, &w, B * C) == 0;
    CHECK_MSG(ok, "%s: malformed case", name);
    if (!ok)
        return;
    for (int b = 0; b < B; b++)
        y[b] = (int32_t)lb[b];
    const float *wp = nw ? cw : NULL;
    double loss = lc_softmax_xent_weighted_forward(B, C, z, y, wp, pr, NULL);
    lc_softmax_xent_weighted_backward(B, C, pr, y, wp, 1.0f, d);
    compare(name, &w, loss, d, pr);
}

static void run_sigmoid_xent(const cJSON *cs, const char *name)
{
    float z[MAXN], t[MAXN], d[MAXN], pr[MAXN], pw[MAXN];
    want_t w;
    int N = (int)get_num(cs, "N"), K = (int)get_num(cs, "K");
    const cJSON *jw = cJSON_GetObjectItemCaseSensitive(cs, "pos_weight");
    int nw = cJSON_IsNull(jw) ? 0 : get_floats(cs, "pos_weight", pw, MAXN);
    int ok = N > 0 && K > 0 && get_floats(cs, "logits", z, MAXN) == N * K &&
             get_floats(cs, "target", t, MAXN) == N * K && (nw == 0 || nw == K) &&
             get_want(cs, &w, N * K) == 0;
    CHECK_MSG(ok, "%s: malformed case", name);
    if (!ok)
        return;
    double loss = lc_sigmoid_xent_forward(N, K, z, t, nw ? pw : NULL, pr);
    lc_sigmoid_xent_backward(N, K, z, t, nw ? pw : NULL, 1.0f, d);
    compare(name, &w, loss, d, pr);
}

static void run_embed(const cJSON *cs, const char *name)
{
    float idx[MAXN], w[MAXN], dy[MAXN], y[MAXN], dw[MAXN], wy[MAXN], wdw[MAXN];
    int V = (int)get_num(cs, "V"), D = (int)get_num(cs, "D");
    int B = get_floats(cs, "idx", idx, MAXN);
    const cJSON *w32 = cJSON_GetObjectItemCaseSensitive(cs, "want32");
    int ok = B > 0 && V > 0 && D > 0 && get_floats(cs, "W", w, MAXN) == V * D &&
             get_floats(cs, "dy", dy, MAXN) == B * D && get_floats(w32, "y", wy, MAXN) == B * D &&
             get_floats(w32, "dW", wdw, MAXN) == V * D;
    CHECK_MSG(ok, "%s: malformed case", name);
    if (!ok)
        return;
    CHECK(lc_embed_forward(NULL, B, V, D, idx, w, y) == 0);
    CHECK_MSG(memcmp(y, wy, (size_t)(B * D) * sizeof *y) == 0, "%s: lookup differs", name);
    lc_embed_backward(NULL, B, V, D, idx, dy, dw);
    for (int i = 0; i < V * D; i++) /* at most three summands per row: sums agree to an ulp */
        CHECK_CLOSE(dw[i], wdw[i], 1e-7, 2.4e-7);
}

static void test_fixtures(void)
{
    char *text = check_slurp(FIXTURE, NULL);
    CHECK_MSG(text != NULL, "cannot read %s (run the tests from the repository root)", FIXTURE);
    if (!text)
        return;
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
    CHECK_MSG(cJSON_IsArray(cases), "%s: no cases", FIXTURE);
    int seen[5] = {0};
    for (const cJSON *cs = cases ? cases->child : NULL; cs; cs = cs->next) {
        const cJSON *jn = cJSON_GetObjectItemCaseSensitive(cs, "name");
        const cJSON *jk = cJSON_GetObjectItemCaseSensitive(cs, "kind");
        const char *name = cJSON_IsString(jn) ? jn->valuestring : "?";
        const char *kind = cJSON_IsString(jk) ? jk->valuestring : "";
        if (strcmp(kind, "number") == 0)
            run_number(cs, name), seen[0]++;
        else if (strcmp(kind, "bwce") == 0)
            run_bwce(cs, name), seen[1]++;
        else if (strcmp(kind, "xent") == 0)
            run_xent(cs, name), seen[2]++;
        else if (strcmp(kind, "embed") == 0)
            run_embed(cs, name), seen[3]++;
        else if (strcmp(kind, "sigmoid_xent") == 0)
            run_sigmoid_xent(cs, name), seen[4]++;
        else
            CHECK_MSG(0, "%s: unknown kind '%s'", name, kind);
    }
    CHECK_MSG(seen[0] == 8 && seen[1] == 6 && seen[2] == 3 && seen[3] == 1 && seen[4] == 2,
              "%s: %d number, %d bwce, %d xent, %d embed, %d sigmoid_xent cases", FIXTURE,
              seen[0], seen[1], seen[2], seen[3], seen[4]);
    cJSON_Delete(root);
}

/* ---------------- edge cases by hand ---------------- */

static void test_edges(void)
{
    /* a perfect batch: RMSE / RMSPE are 0 and, as torch's sqrt backward, their gradients NaN */
    const float p[3] = {1.0f, -2.0f, 0.5f};
    float d[3];
    for (int type = 0; type < NUM_LOSSES; type++) {
        CHECK(lc_num_loss_forward((lc_num_loss)type, 1.0f, 3, p, p) == 0.0);
        lc_num_loss_backward((lc_num_loss)type, 1.0f, 3, p, p, 1.0f, d);
        if (type == LC_NUM_LOSS_RMSE || type == LC_NUM_LOSS_RMSPE)
            CHECK(isnan(d[0]) && isnan(d[1]) && isnan(d[2]));
        else
            CHECK(d[0] == 0.0f && d[1] == 0.0f && d[2] == 0.0f);
    }
    /* hand values: MAPE of a zero target divides by 1.17e-6f; RMSPE of one uses 1e-4f */
    const float t1[1] = {0.0f}, p1[1] = {1e-6f};
    double mape = lc_num_loss_forward(LC_NUM_LOSS_MAPE, 1, 1, p1, t1);
    double rmspe = lc_num_loss_forward(LC_NUM_LOSS_RMSPE, 1, 1, p1, t1);
    CHECK_CLOSE(mape, (double)1e-6f / (double)1.17e-6f, 0, 1e-15);
    CHECK_CLOSE(rmspe, (double)1e-6f / (double)1e-4f, 0, 1e-15);
    CHECK(lc_num_loss_forward(LC_NUM_LOSS_MSE, 1, 0, p, p) == 0.0);

    /* BWCE: a robust_lambda of 1 (an integer, as Ludwig's schema) leaves 1/2 and no gradient;
     * huge logits stay finite; pos_weight scales only the positive targets' terms */
    const float z[4] = {-1000.0f, 1000.0f, 0.0f, 3.0f}, t[4] = {1.0f, 0.0f, 1.0f, 0.0f};
    float pr[4], dz[4];
    lc_bwce o = {0.0f, 1.0f, 0.0f};
    CHECK(lc_bwce_forward(&o, 4, z, t, pr) == 0.5);
    lc_bwce_backward(&o, 4, z, t, 1.0f, dz);
    CHECK(dz[0] == 0.0f && dz[1] == 0.0f && dz[2] == 0.0f && dz[3] == 0.0f);
    CHECK(pr[0] == 0.0f && pr[1] == 1.0f && pr[2] == 0.5f);
    lc_bwce plain = {0.0f, 0.0f, 0.0f}, pw2 = {2.0f, 0.0f, 0.0f};
    double want = (1000.0 + 1000.0 + log(2.0) + 3.0 + log1p(exp(-3.0))) / 4;
    CHECK_CLOSE(lc_bwce_forward(&plain, 4, z, t, NULL), want, 0, 1e-15);
    want = (2 * 1000.0 + 1000.0 + 2 * log(2.0) + 3.0 + log1p(exp(-3.0))) / 4;
    CHECK_CLOSE(lc_bwce_forward(&pw2, 4, z, t, NULL), want, 0, 1e-15);
    /* the penalty alone: all logits 0 -> H = log(2)/2 at the first sample */
    const float z0[3] = {0, 0, 0}, t0[3] = {0, 1, 0};
    lc_bwce cp = {0.0f, 0.0f, 1.0f};
    double h = 0.5 * log(2.0), m = (double)0.69314718f;
    CHECK_CLOSE(lc_bwce_forward(&cp, 3, z0, t0, NULL) - lc_bwce_forward(&plain, 3, z0, t0, NULL),
                (m - h) / m, 0, 1e-14);
    float g0[3], g1[3];
    lc_bwce_backward(&cp, 3, z0, t0, 1.0f, g0);
    lc_bwce_backward(&plain, 3, z0, t0, 1.0f, g1);
    /* dH/dz at p = 1/2: (-log(1/2) - 1) / 4, on sample 0 only (the first maximum) */
    CHECK_CLOSE(g0[0] - g1[0], -(log(2.0) - 1.0) / 4 / m, 1e-7, 1e-6);
    CHECK(g0[1] == g1[1] && g0[2] == g1[2]);

    /* weighted xent: NULL weights = the image path's lc_softmax_xent; zero total weight -> NaN */
    enum { B = 3, C = 4 };
    float zz[B * C], pa[B * C], pb[B * C], da[B * C], db[B * C], la[B], lb[B];
    const int32_t y[B] = {1, 3, 1};
    fill(zz, B * C, 60, -2.0f, 2.0f);
    double ma = lc_softmax_xent_forward(B, C, zz, y, pa, la);
    double mb = lc_softmax_xent_weighted_forward(B, C, zz, y, NULL, pb, lb);
    CHECK(ma == mb && memcmp(pa, pb, sizeof pa) == 0 && memcmp(la, lb, sizeof la) == 0);
    lc_softmax_xent_backward(B, C, pa, y, 0.5f / B, da);
    lc_softmax_xent_weighted_backward(B, C, pb, y, NULL, 0.5f, db);
    for (int i = 0; i < B * C; i++)
        CHECK_CLOSE(db[i], da[i], 1e-9, 1.2e-7);
    const float w0[C] = {1.0f, 0.0f, 1.0f, 0.0f};
    CHECK(isnan(lc_softmax_xent_weighted_forward(B, C, zz, y, w0, pb, NULL)));
    lc_softmax_xent_weighted_backward(B, C, pb, y, w0, 1.0f, db);
    CHECK(isnan(db[0]));
    const int32_t ybad[B] = {1, 4, 1};
    CHECK(isnan(lc_softmax_xent_weighted_forward(B, C, zz, ybad, NULL, pb, NULL)));

    /* embedding and one-hot: bad indices are counted, give NaN rows and no gradient */
    const float idx[6] = {1.0f, 2.5f, -1.0f, 3.0f, NAN, 0.0f};
    float w[3 * 2] = {1, 2, 3, 4, 5, 6}, ye[6 * 2], dy[6 * 2], dw[3 * 2], oh[6 * 3];
    CHECK(lc_embed_forward(NULL, 6, 3, 2, idx, w, ye) == 4);
    CHECK(ye[0] == 3.0f && ye[1] == 4.0f && ye[10] == 1.0f && ye[11] == 2.0f);
    CHECK(isnan(ye[2]) && isnan(ye[5]) && isnan(ye[6]) && isnan(ye[9]));
    for (int i = 0; i < 12; i++)
        dy[i] = (float)(i + 1);
    lc_embed_backward(NULL, 6, 3, 2, idx, dy, dw);
    CHECK(dw[0] == 11.0f && dw[1] == 12.0f && dw[2] == 1.0f && dw[3] == 2.0f && dw[4] == 0.0f &&
          dw[5] == 0.0f);
    CHECK(lc_onehot_forward(6, 3, idx, oh) == 4);
    CHECK(oh[0] == 0.0f && oh[1] == 1.0f && oh[2] == 0.0f && oh[15] == 1.0f && oh[16] == 0.0f);
    CHECK(isnan(oh[3]) && isnan(oh[9]) && isnan(oh[14]));
    const float idx_ok[2] = {2.0f, 0.0f};
    CHECK(lc_onehot_forward(2, 3, idx_ok, oh) == 0);
    CHECK(oh[0] == 0 && oh[1] == 0 && oh[2] == 1 && oh[3] == 1 && oh[4] == 0 && oh[5] == 0);
}

/* ---------------- embedding: thread-count independence ---------------- */

static void test_embed_threads(void)
{
    /* 10 backward tasks of 512 rows; many repeated indices so rows sum several dy rows */
    enum { B = 3000, V = 5000, D = 8 };
    float *idx = lc_alloc(B, sizeof(float)), *w = lc_alloc((size_t)V * D, sizeof(float));
    float *dy = lc_alloc((size_t)B * D, sizeof(float));
    float *y1 = lc_alloc((size_t)B * D, sizeof(float));
    float *y3 = lc_alloc((size_t)B * D, sizeof(float));
    float *g1 = lc_alloc((size_t)V * D, sizeof(float));
    float *g3 = lc_alloc((size_t)V * D, sizeof(float));
    float *ref = lc_alloc((size_t)V * D, sizeof(float));
    lc_pool *pool = lc_pool_create(3);
    CHECK(idx && w && dy && y1 && y3 && g1 && g3 && ref && pool);
    if (!(idx && w && dy && y1 && y3 && g1 && g3 && ref && pool))
        goto out;
    for (int b = 0; b < B; b++) /* half the batch in 40 hot rows spread over the blocks */
        idx[b] = (float)((b & 1) ? (lc_rng_hash(3, LC_STREAM_TEST, 70, (uint64_t)b) % 40) * 123
                                 : lc_rng_hash(3, LC_STREAM_TEST, 71, (uint64_t)b) % V);
    fill(w, V * D, 72, -1.0f, 1.0f);
    fill(dy, B * D, 73, -1.0f, 1.0f);
    CHECK(lc_embed_forward(NULL, B, V, D, idx, w, y1) == 0);
    CHECK(lc_embed_forward(pool, B, V, D, idx, w, y3) == 0);
    CHECK(memcmp(y1, y3, (size_t)B * D * sizeof(float)) == 0);
    for (size_t i = 0; i < (size_t)V * D; i++)
        g3[i] = NAN;
    lc_embed_backward(NULL, B, V, D, idx, dy, g1);
    lc_embed_backward(pool, B, V, D, idx, dy, g3);
    CHECK_MSG(memcmp(g1, g3, (size_t)V * D * sizeof(float)) == 0,
              "embedding backward differs between 1 and 3 threads");
    for (int b = 0; b < B; b++) /* the contract: batch order, float sums */
        for (int j = 0; j < D; j++)
            ref[(size_t)idx[b] * D + j] += dy[(size_t)b * D + j];
    CHECK_MSG(memcmp(g1, ref, (size_t)V * D * sizeof(float)) == 0,
              "embedding backward is not the batch-order scatter-add");
out:
    lc_pool_destroy(pool);
    lc_free(idx), lc_free(w), lc_free(dy), lc_free(y1), lc_free(y3), lc_free(g1), lc_free(g3);
    lc_free(ref);
}

int main(void)
{
    test_fixtures();
    test_num_fd();
    test_bwce_fd();
    test_xent_fd();
    test_embed_fd();
    test_edges();
    test_embed_threads();
    return check_exit("test_losses");
}
