/* test_metrics_tab.c - lc_metrics_tab against tests/fixtures/metrics_tab_cases.json, written by
 * tests/gen_fixtures_metrics_tab.py (numpy, sklearn 1.2 and torch float32 runs of the
 * torchmetrics formulas): number metrics on random rows, zeros in the targets, N = 1, constant
 * targets, rss under 1e-4, a large target mean and N = 0; binary metrics and test statistics on
 * random scores, tied scores, another threshold, one class of each kind, N = 1 and two distinct
 * scores. float32 metrics must match exactly (and torch's float32 run to its stated
 * tolerance), confusion matrices and per-class statistics byte for byte as JSON, curves
 * exactly, sklearn scalars to 1e-12 relative with the sign of zero. Plus hand-worked cases:
 * RMSPE per batch, the two thresholds, label names, errors, metric directions. */
#include "check.h"
#include "lc_error.h"
#include "lc_json.h"
#include "lc_metrics_tab.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int same_json(const cJSON *a, const cJSON *b)
{
    char *sa = lc_json_print_py(a), *sb = lc_json_print_py(b);
    int eq = sa && sb && strcmp(sa, sb) == 0;
    if (!eq && sa && sb)
        fprintf(stderr, "--- got\n%.3000s\n--- want\n%.3000s\n", sa, sb);
    free(sa);
    free(sb);
    return eq;
}

/* Equal as numbers, NaN equal to NaN, and the same sign of zero. */
static int same_value(double g, double w)
{
    if (isnan(g) || isnan(w))
        return isnan(g) && isnan(w);
    return g == w && signbit(g) == signbit(w);
}

static int close_rel(double g, double w, double rtol)
{
    if (isnan(g) || isnan(w))
        return isnan(g) && isnan(w);
    if (w == 0)
        return g == 0 && signbit(g) == signbit(w);
    return fabs(g - w) <= rtol * fabs(w);
}

static float *read_floats(const cJSON *a, int64_t *n)
{
    *n = cJSON_GetArraySize(a);
    float *v = malloc((size_t)(*n ? *n : 1) * sizeof *v);
    int64_t i = 0;
    for (const cJSON *x = a ? a->child : NULL; x; x = x->next)
        v[i++] = (float)x->valuedouble; /* written from float32 values: exact */
    return v;
}

/* ------------------------------------------------------------------------------------------ */

static void run_number_case(const cJSON *cs)
{
    const char *name = get(cs, "name")->valuestring;
    int64_t N, N2;
    float *pred = read_floats(get(cs, "pred"), &N);
    float *target = read_floats(get(cs, "target"), &N2);
    CHECK(N == N2);
    double loss = get(cs, "loss")->valuedouble;
    int64_t bs = (int64_t)get(cs, "batch_size")->valuedouble;
    double torch_rtol = get(cs, "torch_rtol")->valuedouble;
    const cJSON *want = get(cs, "expected"), *torch = get(cs, "torch_f32");

    cJSON *m = lc_metrics_number(N, pred, target, loss, bs);
    CHECK_MSG(m != NULL, "%s: lc_metrics_number failed", name);
    if (m) {
        CHECK_MSG(cJSON_GetArraySize(m) == 7 && cJSON_GetArraySize(want) == 7, "%s: %d keys",
                  name, cJSON_GetArraySize(m));
        for (const cJSON *w = want->child; w; w = w->next) {
            const cJSON *g = get(m, w->string);
            CHECK_MSG(g && lc_json_is_float(g), "%s: %s missing or not a float", name, w->string);
            if (!g)
                continue;
            CHECK_MSG(same_value(g->valuedouble, w->valuedouble), "%s: %s = %.9g, want %.9g",
                      name, w->string, g->valuedouble, w->valuedouble);
            const cJSON *t = get(torch, w->string);
            if (t)
                CHECK_MSG(close_rel(g->valuedouble, t->valuedouble, torch_rtol),
                          "%s: %s = %.9g, torch float32 %.9g", name, w->string, g->valuedouble,
                          t->valuedouble);
        }
        cJSON_Delete(m);
    }
    free(pred);
    free(target);
}

static uint8_t *read_targets(const cJSON *a, int64_t *n)
{
    *n = cJSON_GetArraySize(a);
    uint8_t *v = malloc((size_t)(*n ? *n : 1));
    int64_t i = 0;
    for (const cJSON *x = a ? a->child : NULL; x; x = x->next)
        v[i++] = (uint8_t)x->valuedouble;
    return v;
}

/* Two float arrays (curves), element by element, exactly. */
static void check_curve(const char *name, const char *key, const cJSON *g, const cJSON *w)
{
    CHECK_MSG(cJSON_IsArray(g) && cJSON_GetArraySize(g) == cJSON_GetArraySize(w),
              "%s: %s has %d points, want %d", name, key, cJSON_GetArraySize(g),
              cJSON_GetArraySize(w));
    int i = 0;
    for (const cJSON *a = g ? g->child : NULL, *b = w ? w->child : NULL; a && b;
         a = a->next, b = b->next, i++) {
        CHECK_MSG(lc_json_is_float(a) && same_value(a->valuedouble, b->valuedouble),
                  "%s: %s[%d] = %.17g, want %.17g", name, key, i, a->valuedouble, b->valuedouble);
    }
}

static void run_binary_case(const cJSON *cs)
{
    const char *name = get(cs, "name")->valuestring;
    int64_t N, N2;
    float *prob = read_floats(get(cs, "prob"), &N);
    uint8_t *target = read_targets(get(cs, "target"), &N2);
    CHECK(N == N2);
    float threshold = (float)get(cs, "threshold")->valuedouble;
    double loss = get(cs, "loss")->valuedouble;

    const cJSON *wm = get(cs, "metrics");
    cJSON *m = lc_metrics_binary(N, prob, target, threshold, loss);
    CHECK_MSG(m != NULL, "%s: lc_metrics_binary failed", name);
    if (m) {
        CHECK_MSG(cJSON_GetArraySize(m) == 6 && cJSON_GetArraySize(wm) == 6, "%s: %d keys", name,
                  cJSON_GetArraySize(m));
        for (const cJSON *w = wm->child; w; w = w->next) {
            const cJSON *g = get(m, w->string);
            CHECK_MSG(g && lc_json_is_float(g), "%s: %s missing or not a float", name, w->string);
            if (g)
                CHECK_MSG(same_value(g->valuedouble, w->valuedouble), "%s: %s = %.9g, want %.9g",
                          name, w->string, g->valuedouble, w->valuedouble);
        }
        cJSON_Delete(m);
    }

    const cJSON *wo = get(cs, "overall");
    cJSON *feat = cJSON_CreateObject();
    cJSON_AddItemToObject(feat, "loss", lc_json_float(0.25));
    cJSON_AddItemToObject(feat, "roc_curve", cJSON_CreateString("stale, to be replaced"));
    lc_error e;
    lc_error_clear(&e);
    CHECK_MSG(lc_metrics_binary_overall(N, prob, target, threshold, NULL, feat, &e) == LC_OK,
              "%s: %s", name, e.msg);
    CHECK_MSG(cJSON_GetArraySize(feat) == 11, "%s: %d keys, want Ludwig's 10 and loss", name,
              cJSON_GetArraySize(feat));
    CHECK(get(feat, "loss") && get(feat, "loss")->valuedouble == 0.25); /* other keys kept */
    CHECK(cJSON_IsObject(get(feat, "roc_curve")));                       /* stale one replaced */
    for (const cJSON *w = wo->child; w; w = w->next) {
        const cJSON *g = get(feat, w->string);
        CHECK_MSG(g != NULL, "%s: %s missing", name, w->string);
        if (!g)
            continue;
        if (!strcmp(w->string, "confusion_matrix") || !strcmp(w->string, "per_class_stats")) {
            CHECK_MSG(same_json(g, w), "%s: %s", name, w->string);
        } else if (!strcmp(w->string, "overall_stats")) {
            CHECK(cJSON_GetArraySize(g) == 11 && cJSON_GetArraySize(w) == 11);
            for (const cJSON *x = w->child; x; x = x->next) {
                const cJSON *y = get(g, x->string);
                CHECK_MSG(y && lc_json_is_float(y) &&
                              close_rel(y->valuedouble, x->valuedouble, 1e-12),
                          "%s: overall %s", name, x->string);
            }
        } else if (!strcmp(w->string, "roc_curve") ||
                   !strcmp(w->string, "precision_recall_curve")) {
            CHECK(cJSON_GetArraySize(g) == 2);
            for (const cJSON *x = w->child; x; x = x->next)
                check_curve(name, x->string, get(g, x->string), x);
        } else if (cJSON_IsNull(w)) {
            CHECK_MSG(cJSON_IsNull(g), "%s: %s should be null", name, w->string);
        } else {
            CHECK_MSG(lc_json_is_float(g) && close_rel(g->valuedouble, w->valuedouble, 1e-12),
                      "%s: %s = %.17g, want %.17g", name, w->string, g->valuedouble,
                      w->valuedouble);
        }
    }
    cJSON_Delete(feat);
    free(prob);
    free(target);
}

static void test_fixture_cases(void)
{
    lc_error e;
    lc_error_clear(&e);
    cJSON *root = lc_json_read_file("tests/fixtures/metrics_tab_cases.json", &e);
    CHECK_MSG(root != NULL, "%s (run from the repo root)", e.msg);
    if (!root)
        return;
    const cJSON *num = get(root, "number"), *bin = get(root, "binary");
    CHECK(cJSON_GetArraySize(num) >= 7 && cJSON_GetArraySize(bin) >= 7);
    for (const cJSON *cs = num ? num->child : NULL; cs; cs = cs->next)
        run_number_case(cs);
    for (const cJSON *cs = bin ? bin->child : NULL; cs; cs = cs->next)
        run_binary_case(cs);
    cJSON_Delete(root);
}

/* ------------------------------------------------------------------------------------------ */

static char *print(const cJSON *o, const char *k)
{
    return lc_json_print_py(get(o, k));
}

/* RMSPE is a mean of per-batch values: rows (t, p) = (1, 2), (2, 2) give per-row errors -1 and
 * 0, so one batch is sqrt(0.5) and batches of one are (1 + 0) / 2. A zero target divides by
 * 1e-4f. */
static void test_rmspe_batches(void)
{
    const float t[2] = {1.f, 2.f}, p[2] = {2.f, 2.f};
    cJSON *one = lc_metrics_number(2, p, t, 0.0, 0);
    cJSON *two = lc_metrics_number(2, p, t, 0.0, 1);
    CHECK(one && get(one, "root_mean_squared_percentage_error")->valuedouble ==
                     (double)(float)sqrt(0.5));
    CHECK(two && get(two, "root_mean_squared_percentage_error")->valuedouble == 0.5);
    CHECK(two && get(two, "mean_squared_error")->valuedouble == 0.5); /* batching-free */
    char *s = one ? print(one, "root_mean_squared_error") : NULL;
    CHECK(s && strcmp(s, "0.7071067690849304") == 0); /* float32 sqrt, printed as Python does */
    free(s);
    cJSON_Delete(one);
    cJSON_Delete(two);

    const float t0[1] = {0.f}, p0[1] = {0.5f};
    cJSON *z = lc_metrics_number(1, p0, t0, 0.0, 0);
    CHECK(z && get(z, "root_mean_squared_percentage_error")->valuedouble ==
                   (double)(float)(0.5 / (double)1e-4f));
    /* MAPE: |0.5| / 1.17e-6f */
    CHECK(z && get(z, "mean_absolute_percentage_error")->valuedouble ==
                   (double)(float)(0.5 / (double)1.17e-6f));
    s = z ? print(z, "r2") : NULL;
    CHECK(s && strcmp(s, "NaN") == 0);
    free(s);
    cJSON_Delete(z);
    CHECK(lc_metrics_number(-1, NULL, NULL, 0.0, 0) == NULL);
    CHECK(lc_metrics_number(2, NULL, t, 0.0, 0) == NULL);
}

/* Accuracy uses the feature's threshold with >=; precision, recall and specificity use
 * torchmetrics' default, > 0.5. */
static void test_binary_thresholds(void)
{
    const float prob[4] = {0.5f, 0.5f, 0.9f, 0.2f};
    const uint8_t y[4] = {1, 0, 1, 0};
    cJSON *m = lc_metrics_binary(4, prob, y, 0.5f, 0.125);
    /* >= 0.5: predictions 1 1 1 0 -> 3 correct; > 0.5: 0 0 1 0 -> tp 1 fp 0 tn 2 fn 1 */
    CHECK(m && get(m, "accuracy")->valuedouble == 0.75);
    CHECK(m && get(m, "precision")->valuedouble == 1.0);
    CHECK(m && get(m, "recall")->valuedouble == 0.5);
    CHECK(m && get(m, "specificity")->valuedouble == 1.0);
    /* ranks: 0.9 (pos) > 0.5 (pos, neg tied) > 0.2 (neg): AUC = (1 * 2 + 0.5 + 1) / 4 */
    CHECK(m && get(m, "roc_auc")->valuedouble == 0.875);
    cJSON_Delete(m);
    m = lc_metrics_binary(4, prob, y, 0.95f, 0.125); /* nothing predicted by the threshold */
    CHECK(m && get(m, "accuracy")->valuedouble == 0.5);
    CHECK(m && get(m, "precision")->valuedouble == 1.0); /* unchanged: not thresholded by it */
    cJSON_Delete(m);

    m = lc_metrics_binary(0, NULL, NULL, 0.5f, 0.0);
    CHECK(m && cJSON_GetArraySize(m) == 5 && !get(m, "roc_auc"));
    CHECK(m && get(m, "accuracy")->valuedouble == 0.0);
    cJSON_Delete(m);
    const uint8_t bad_y[1] = {2};
    const float nan_p[1] = {NAN}, big_p[1] = {1.5f};
    CHECK(lc_metrics_binary(1, prob, bad_y, 0.5f, 0.0) == NULL);
    CHECK(lc_metrics_binary(1, nan_p, y, 0.5f, 0.0) == NULL);
    CHECK(lc_metrics_binary(1, big_p, y, 0.5f, 0.0) == NULL);
}

/* Label names, the printed forms of null and -0.0, errors leaving the object unchanged. */
static void test_binary_overall_hand(void)
{
    const float prob[3] = {0.2f, 0.7f, 0.7f};
    const uint8_t none[3] = {0, 0, 0};
    const char *names[2] = {"no", "yes"};
    cJSON *feat = cJSON_CreateObject();
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_metrics_binary_overall(3, prob, none, 0.5f, names, feat, &e) == LC_OK);
    const cJSON *pcs = get(feat, "per_class_stats");
    CHECK(cJSON_GetArraySize(pcs) == 2 && get(pcs, "no") && get(pcs, "yes"));
    char *s = print(feat, "roc_auc_macro");
    CHECK(s && strcmp(s, "null") == 0);
    free(s);
    s = print(feat, "average_precision_samples");
    CHECK(s && strcmp(s, "-0.0") == 0);
    free(s);
    /* 2 distinct scores; no positives: tpr NaN, recall 1 then the closing 0 */
    s = print(feat, "roc_curve");
    CHECK(s && strstr(s, "\"false_positive_rate\": [\n        0.0,\n        0.6666666666666666,\n        1.0\n    ]") != NULL);
    CHECK(s && strstr(s, "\"true_positive_rate\": [\n        NaN,\n        NaN,\n        NaN\n    ]") != NULL);
    free(s);
    s = lc_json_print_py(get(get(feat, "precision_recall_curve"), "recalls"));
    CHECK(s && strcmp(s, "[\n    1.0,\n    1.0,\n    0.0\n]") == 0);
    free(s);
    /* confusion matrix: rows true (all false), columns predicted: 1 false, 2 true */
    s = print(feat, "confusion_matrix");
    CHECK(s && strcmp(s, "[\n    [\n        1,\n        2\n    ],\n    [\n        0,\n        0\n    ]\n]") == 0);
    free(s);

    cJSON *before = cJSON_Duplicate(feat, 1);
    const uint8_t bad[3] = {0, 3, 1};
    lc_error_clear(&e);
    CHECK(lc_metrics_binary_overall(3, prob, bad, 0.5f, names, feat, &e) == LC_ERR_DATA);
    CHECK(strstr(e.msg, "row 1") != NULL);
    const float nanp[3] = {0.1f, 0.2f, NAN};
    lc_error_clear(&e);
    CHECK(lc_metrics_binary_overall(3, nanp, none, 0.5f, names, feat, &e) == LC_ERR_DATA);
    CHECK(strstr(e.msg, "row 2") != NULL);
    lc_error_clear(&e);
    CHECK(lc_metrics_binary_overall(0, prob, none, 0.5f, names, feat, &e) == LC_ERR_DATA);
    CHECK(same_json(feat, before));
    cJSON_Delete(before);
    cJSON_Delete(feat);
}

static void test_directions(void)
{
    static const char *const up[] = {"accuracy", "precision", "recall", "roc_auc", "specificity",
                                     "r2"};
    static const char *const down[] = {"loss", "mean_absolute_error",
                                       "mean_absolute_percentage_error", "mean_squared_error",
                                       "root_mean_squared_error",
                                       "root_mean_squared_percentage_error"};
    for (size_t i = 0; i < sizeof up / sizeof up[0]; i++)
        CHECK(lc_metrics_tab_higher_is_better(up[i]) == 1);
    for (size_t i = 0; i < sizeof down / sizeof down[0]; i++)
        CHECK(lc_metrics_tab_higher_is_better(down[i]) == 0);
    CHECK(lc_metrics_tab_higher_is_better("hits_at_k") == -1);
    CHECK(lc_metrics_tab_higher_is_better(NULL) == -1);
}

int main(void)
{
    test_fixture_cases();
    test_rmspe_batches();
    test_binary_thresholds();
    test_binary_overall_hand();
    test_directions();
    return check_exit("test_metrics_tab");
}
