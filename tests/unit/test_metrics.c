/* test_metrics.c - lc_metrics against values computed independently by
 * tests/gen_fixtures_metrics.py (sklearn + numpy, tests/fixtures/metrics_cases.json): an absent
 * class and a predicted-but-never-true class, tied scores and a class without positives, 10 and
 * 20 classes (numpy's pairwise sums), a single-class set and a NaN kappa. Confusion matrices and
 * per-class statistics must match byte for byte as JSON (so the int-0 rule is checked); sklearn
 * averages to 1e-12; torchmetrics values to float32 precision. Plus hand-computed cases: ROC
 * ties, top-k ties, argument errors, and the early-stopping helpers. */
#include "check.h"
#include "lc_error.h"
#include "lc_json.h"
#include "lc_metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void run_case(const cJSON *cs)
{
    const char *name = cJSON_GetObjectItemCaseSensitive(cs, "name")->valuestring;
    int C = (int)cJSON_GetObjectItemCaseSensitive(cs, "C")->valuedouble;
    int top_k = (int)cJSON_GetObjectItemCaseSensitive(cs, "top_k")->valuedouble;
    double loss = cJSON_GetObjectItemCaseSensitive(cs, "loss")->valuedouble;
    const cJSON *jl = cJSON_GetObjectItemCaseSensitive(cs, "labels");
    const cJSON *jp = cJSON_GetObjectItemCaseSensitive(cs, "probs");
    const cJSON *jpred = cJSON_GetObjectItemCaseSensitive(cs, "preds");
    const cJSON *jnames = cJSON_GetObjectItemCaseSensitive(cs, "idx2str");
    int64_t N = cJSON_GetArraySize(jl);
    CHECK(cJSON_GetArraySize(jp) == N * C && cJSON_GetArraySize(jpred) == N);
    int32_t *labels = malloc((size_t)N * sizeof *labels);
    int32_t *preds = malloc((size_t)N * sizeof *preds);
    float *probs = malloc((size_t)(N * C) * sizeof *probs);
    const char **names = malloc((size_t)C * sizeof *names);
    int64_t i = 0;
    for (const cJSON *x = jl->child; x; x = x->next)
        labels[i++] = (int32_t)x->valuedouble;
    i = 0;
    for (const cJSON *x = jpred->child; x; x = x->next)
        preds[i++] = (int32_t)x->valuedouble;
    i = 0;
    for (const cJSON *x = jp->child; x; x = x->next)
        probs[i++] = (float)x->valuedouble; /* written from float32 values: exact */
    i = 0;
    for (const cJSON *x = jnames->child; x; x = x->next)
        names[i++] = x->valuestring;

    /* torchmetrics values, float32 */
    cJSON *m = lc_metrics_category(C, N, labels, probs, loss, top_k);
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(cs, "category");
    CHECK_MSG(m != NULL, "%s: lc_metrics_category failed", name);
    if (m) {
        CHECK_MSG(cJSON_GetArraySize(m) == cJSON_GetArraySize(want), "%s: %d keys, want %d", name,
                  cJSON_GetArraySize(m), cJSON_GetArraySize(want));
        for (const cJSON *w = want->child; w; w = w->next) {
            const cJSON *g = cJSON_GetObjectItemCaseSensitive(m, w->string);
            CHECK_MSG(g && lc_json_is_float(g), "%s: %s missing or not a float", name, w->string);
            if (!g)
                continue;
            double gv = g->valuedouble, wv = w->valuedouble;
            CHECK_MSG(fabs(gv - wv) <= 1e-7 + 3e-7 * fabs(wv), "%s: %s = %.10g, want %.10g", name,
                      w->string, gv, wv);
            CHECK_MSG(gv == (double)(float)gv, "%s: %s is not a float32 value", name, w->string);
        }
        cJSON_Delete(m);
    }

    /* overall statistics */
    const cJSON *wo = cJSON_GetObjectItemCaseSensitive(cs, "overall");
    cJSON *feat = cJSON_CreateObject();
    cJSON_AddItemToObject(feat, "overall_stats", cJSON_CreateString("stale, to be replaced"));
    lc_error e;
    lc_error_clear(&e);
    CHECK_MSG(lc_metrics_overall(C, N, labels, preds, names, feat, &e) == LC_OK, "%s: %s", name, e.msg);
    CHECK(cJSON_GetArraySize(feat) == 3);
    CHECK_MSG(same_json(cJSON_GetObjectItemCaseSensitive(feat, "confusion_matrix"),
                        cJSON_GetObjectItemCaseSensitive(wo, "confusion_matrix")),
              "%s: confusion_matrix", name);
    CHECK_MSG(same_json(cJSON_GetObjectItemCaseSensitive(feat, "per_class_stats"),
                        cJSON_GetObjectItemCaseSensitive(wo, "per_class_stats")),
              "%s: per_class_stats", name);
    const cJSON *gs = cJSON_GetObjectItemCaseSensitive(feat, "overall_stats");
    const cJSON *ws = cJSON_GetObjectItemCaseSensitive(wo, "overall_stats");
    CHECK(cJSON_GetArraySize(gs) == 11 && cJSON_GetArraySize(ws) == 11);
    for (const cJSON *w = ws ? ws->child : NULL; w; w = w->next) {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(gs, w->string);
        CHECK_MSG(g && lc_json_is_float(g), "%s: overall %s missing or not a float", name, w->string);
        if (!g)
            continue;
        double gv = g->valuedouble, wv = w->valuedouble;
        int ok = (isnan(gv) && isnan(wv)) || fabs(gv - wv) <= 1e-12 * fabs(wv) + 1e-15;
        CHECK_MSG(ok, "%s: overall %s = %.17g, want %.17g", name, w->string, gv, wv);
    }
    cJSON_Delete(feat);
    free(names);
    free(probs);
    free(preds);
    free(labels);
}

static void test_fixture_cases(void)
{
    lc_error e;
    lc_error_clear(&e);
    cJSON *root = lc_json_read_file("tests/fixtures/metrics_cases.json", &e);
    CHECK_MSG(root != NULL, "%s (run from the repo root)", e.msg);
    if (!root)
        return;
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
    CHECK(cJSON_GetArraySize(cases) >= 6);
    for (const cJSON *cs = cases ? cases->child : NULL; cs; cs = cs->next)
        run_case(cs);
    cJSON_Delete(root);
}

static double get(const cJSON *o, const char *k)
{
    return lc_metric_value(o, k);
}

/* ROC with tied scores, worked by hand: both classes' curves pass (0,0), one tied point, (1,1),
 * and each has AUC 0.75. */
static void test_roc_ties_hand(void)
{
    const int32_t labels[4] = {0, 1, 0, 1};
    const float probs[8] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.1f, 0.9f};
    cJSON *m = lc_metrics_category(2, 4, labels, probs, 0.0, 3);
    CHECK(m && fabs(get(m, "roc_auc") - 0.75) < 1e-7);
    CHECK(m && !cJSON_HasObjectItem(m, "hits_at_k")); /* C <= top_k */
    /* argmax ties go to class 0: rows 0-2 predict 0, row 3 predicts 1. recall: 2/2, 1/2 */
    CHECK(m && fabs(get(m, "accuracy") - 0.75) < 1e-7);
    CHECK(m && fabs(get(m, "accuracy_micro") - 0.75) < 1e-7);
    cJSON_Delete(m);
}

/* top-k ties go to the lower index: with all scores equal and k = 2, classes 0 and 1 are hits,
 * class 2 is not. Class 3 never occurs as a target: weight 0 (torchmetrics >= 1.4). */
static void test_topk_ties_hand(void)
{
    const int32_t labels[3] = {0, 1, 2};
    const float probs[12] = {0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f,
                             0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f};
    cJSON *m = lc_metrics_category(4, 3, labels, probs, 1.5, 2);
    CHECK(m && fabs(get(m, "hits_at_k") - 2.0 / 3.0) < 1e-7);
    /* all predict class 0: recall 1, 0, 0; class 3 has no tp/fp/fn -> weight 0 */
    CHECK(m && fabs(get(m, "accuracy") - 1.0 / 3.0) < 1e-7);
    CHECK(m && get(m, "loss") == 1.5);
    /* no positives anywhere for class 3, and equal scores elsewhere: 0, 0.5, 0.5, 0.5 */
    CHECK(m && fabs(get(m, "roc_auc") - 0.375) < 1e-7);
    char *s = lc_json_print_py(m);
    CHECK(s && strcmp(s, "{\n    \"accuracy\": 0.3333333432674408,\n"
                         "    \"accuracy_micro\": 0.3333333432674408,\n"
                         "    \"hits_at_k\": 0.6666666865348816,\n    \"loss\": 1.5,\n"
                         "    \"roc_auc\": 0.375\n}") == 0);
    free(s);
    cJSON_Delete(m);

    m = lc_metrics_category(3, 0, NULL, NULL, 0.25, 1); /* no rows: zeros */
    CHECK(m && get(m, "accuracy") == 0 && get(m, "roc_auc") == 0 && get(m, "hits_at_k") == 0);
    cJSON_Delete(m);
}

/* Hand-checked kappa and the int-0 rule: 3 classes, class 2 never true nor predicted. */
static void test_overall_hand(void)
{
    const int32_t y[6] = {0, 0, 0, 1, 1, 1};
    const int32_t p[6] = {0, 0, 1, 1, 1, 0};
    const char *names[3] = {"a", "b", "c"};
    cJSON *feat = cJSON_CreateObject();
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_metrics_overall(3, 6, y, p, names, feat, &e) == LC_OK);
    const cJSON *ov = cJSON_GetObjectItemCaseSensitive(feat, "overall_stats");
    /* p_o = 4/6, p_e = 0.5: kappa = 1/3; macro over present labels {a, b} only */
    CHECK(fabs(get(ov, "kappa_score") - 1.0 / 3.0) < 1e-15);
    CHECK(fabs(get(ov, "avg_precision_macro") - 2.0 / 3.0) < 1e-15);
    CHECK(get(ov, "avg_precision_weighted") == get(ov, "avg_precision_micro"));
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(feat, "per_class_stats"), "c");
    CHECK(cJSON_GetArraySize(c) == 24);
    char *s = lc_json_print_py(cJSON_GetObjectItemCaseSensitive(c, "precision"));
    CHECK(s && strcmp(s, "0") == 0); /* zero denominator: the integer 0 */
    free(s);
    s = lc_json_print_py(cJSON_GetObjectItemCaseSensitive(c, "miss_rate"));
    CHECK(s && strcmp(s, "1.0") == 0);
    free(s);
    s = lc_json_print_py(cJSON_GetObjectItemCaseSensitive(c, "informedness"));
    CHECK(s && strcmp(s, "0.0") == 0); /* int 0 + float 1.0 - 1 */
    free(s);

    /* errors leave the object unchanged */
    const int32_t bad[6] = {0, 0, 3, 1, 1, 1};
    cJSON *before = cJSON_Duplicate(feat, 1);
    lc_error_clear(&e);
    CHECK(lc_metrics_overall(3, 6, bad, p, names, feat, &e) == LC_ERR_DATA);
    CHECK(strstr(e.msg, "row 2") != NULL);
    CHECK(same_json(feat, before));
    lc_error_clear(&e);
    CHECK(lc_metrics_overall(3, 0, y, p, names, feat, &e) == LC_ERR_DATA);
    cJSON_Delete(before);
    cJSON_Delete(feat);

    CHECK(lc_metrics_category(3, 6, bad, (const float[18]){0}, 0, 1) == NULL);
    CHECK(lc_metrics_category(0, 0, NULL, NULL, 0, 1) == NULL);
}

static void test_helpers(void)
{
    CHECK(lc_metric_higher_is_better("accuracy") == 1);
    CHECK(lc_metric_higher_is_better("accuracy_micro") == 1);
    CHECK(lc_metric_higher_is_better("hits_at_k") == 1);
    CHECK(lc_metric_higher_is_better("roc_auc") == 1);
    CHECK(lc_metric_higher_is_better("loss") == 0);
    CHECK(lc_metric_higher_is_better("bogus") == -1);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "loss", lc_json_float(0.5));
    cJSON *a = cJSON_AddArrayToObject(o, "accuracy");
    cJSON_AddItemToArray(a, lc_json_float(0.25));
    cJSON_AddItemToArray(a, lc_json_float(0.75));
    cJSON_AddArrayToObject(o, "empty");
    CHECK(lc_metric_value(o, "loss") == 0.5);
    CHECK(lc_metric_value(o, "accuracy") == 0.75);
    CHECK(isnan(lc_metric_value(o, "empty")));
    CHECK(isnan(lc_metric_value(o, "missing")));
    cJSON_Delete(o);
}

int main(void)
{
    test_fixture_cases();
    test_roc_ties_hand();
    test_topk_ties_hand();
    test_overall_hand();
    test_helpers();
    return check_exit("test_metrics");
}
