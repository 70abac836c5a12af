/* test_calibration.c - temperature scaling (lc_calib.h) against torch 1.13's LBFGS with the
 * strong-Wolfe line search (tests/fixtures/calibration_cases.json, written by
 * tests/gen_fixtures_calibration.py from logistic regressions on the UCI wine and breast cancer
 * tables and two edge cases): the float64 torch run step for step (same iteration and objective
 * evaluation counts, the same temperature and NLL to ~1e-9, the ECE to float32's precision), the float32 run (what Ludwig
 * computes) to its precision, including the revert decision; the objective's derivative against
 * central differences; the ECE of a hand-worked example. Run from the repository root. */
#include "check.h"
#include "lc_calib.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE "tests/fixtures/calibration_cases.json"

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static void check_case(const cJSON *c)
{
    const char *name = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
    const cJSON *jl = cJSON_GetObjectItemCaseSensitive(c, "logits");
    const cJSON *jy = cJSON_GetObjectItemCaseSensitive(c, "labels");
    int K = (int)num(c, "K"), binary = (int)num(c, "binary");
    int nz = cJSON_GetArraySize(jl), n = cJSON_GetArraySize(jy);
    CHECK_MSG(nz == n * (binary ? 1 : K), "%s: %d logits for %d rows", name, nz, n);
    float *z = malloc((size_t)nz * sizeof *z);
    int32_t *y = malloc((size_t)n * sizeof *y);
    int i = 0;
    for (const cJSON *v = jl->child; v; v = v->next)
        z[i++] = (float)v->valuedouble;
    i = 0;
    for (const cJSON *v = jy->child; v; v = v->next)
        y[i++] = (int32_t)v->valueint;

    lc_calib_result r;
    lc_calib_temperature((size_t)n, K, binary, z, y, &r);
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(c, "want64");
    CHECK_MSG(r.iterations == (int)num(w, "iterations"), "%s: %d iterations, torch %g", name,
              r.iterations, num(w, "iterations"));
    CHECK_MSG(r.evaluations == (int)num(w, "evaluations"), "%s: %d evaluations, torch %g", name,
              r.evaluations, num(w, "evaluations"));
    CHECK_CLOSE(r.fitted, num(w, "fitted"), 0, 1e-9);
    CHECK_CLOSE(r.temperature, num(w, "temperature"), 0, 1e-9);
    CHECK_CLOSE(r.nll_before, num(w, "nll_before"), 1e-15, 1e-12);
    /* Ludwig's ECE sums in float32 (torch.zeros(1)) and takes the bin shares in float32 */
    CHECK_CLOSE(r.ece_before, num(w, "ece_before"), 1e-9, 1e-6);
    CHECK_CLOSE(r.nll_after, num(w, "nll_after"), 1e-15, 1e-8);
    CHECK_CLOSE(r.ece_after, num(w, "ece_after"), 1e-9, 1e-6);
    CHECK_MSG(r.reverted == (int)num(w, "reverted"), "%s: reverted %d, torch %g", name,
              r.reverted, num(w, "reverted"));
    /* float32 torch stops at max_eval on a slightly different path: the same temperature to
     * about a percent, the same decision */
    const cJSON *w32 = cJSON_GetObjectItemCaseSensitive(c, "want32");
    CHECK_CLOSE(r.fitted, num(w32, "fitted"), 0, 0.08);
    CHECK_CLOSE(r.nll_before, num(w32, "nll_before"), 1e-7, 1e-6);
    CHECK_CLOSE(r.ece_before, num(w32, "ece_before"), 1e-7, 1e-5);
    CHECK_MSG(r.reverted == (int)num(w32, "reverted"), "%s: reverted %d, torch float32 %g",
              name, r.reverted, num(w32, "reverted"));

    /* d NLL / dT against central differences at a few temperatures */
    const double Ts[] = {0.3, 1.0, 2.5};
    for (int k = 0; k < 3; k++) {
        double g, h = 1e-5 * Ts[k];
        lc_calib_nll((size_t)n, K, binary, z, y, Ts[k], &g);
        double fp = lc_calib_nll((size_t)n, K, binary, z, y, Ts[k] + h, NULL);
        double fm = lc_calib_nll((size_t)n, K, binary, z, y, Ts[k] - h, NULL);
        CHECK_CLOSE(g, (fp - fm) / (2 * h), 1e-8, 1e-5);
    }
    free(z);
    free(y);
}

/* Four binary rows at T = 1: logits 0 (tie: class 0 predicted with confidence 0.5), ln 3
 * (p = 0.75, right), -ln 9 (p(0) = 0.9, wrong), ln 4 (p = 0.8, right). Bins (7/15, 8/15],
 * (11/15, 12/15] holds 0.75 and 0.8, (13/15, 14/15] holds 0.9:
 * ECE = |0.5 - 1| / 4 + |0.775 - 1| * 2 / 4 + |0.9 - 0| / 4. */
static void test_ece_by_hand(void)
{
    const float z[4] = {0.0f, logf(3.0f), -logf(9.0f), logf(4.0f)};
    const int32_t y[4] = {0, 1, 1, 1};
    double want = 0.5 / 4 + 0.225 * 2 / 4 + 0.9 / 4;
    CHECK_CLOSE(lc_calib_ece(4, 1, 1, z, y, 1.0), want, 1e-7, 0);
    /* the same rows as two-class logits (0, a) */
    float z2[8];
    for (int i = 0; i < 4; i++)
        z2[2 * i] = 0.0f, z2[2 * i + 1] = z[i];
    CHECK_CLOSE(lc_calib_ece(4, 2, 0, z2, y, 1.0), want, 1e-7, 0);
    /* NLL at T = 1: mean of -log p(label) */
    double nll = (-log(0.5) - log(0.75) - log(0.1) - log(0.8)) / 4;
    CHECK_CLOSE(lc_calib_nll(4, 1, 1, z, y, 1.0, NULL), nll, 1e-7, 0);
    lc_calib_result r;
    lc_calib_temperature(0, 2, 0, NULL, NULL, &r);
    CHECK(r.temperature == 1.0 && r.reverted == 0 && r.iterations == 0);
}

int main(void)
{
    size_t len = 0;
    char *text = check_slurp(FIXTURE, &len);
    CHECK_MSG(text != NULL, "cannot read %s (run the tests from the repository root)", FIXTURE);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
    CHECK(cJSON_GetArraySize(cases) >= 6);
    for (const cJSON *c = cases ? cases->child : NULL; c; c = c->next)
        check_case(c);
    cJSON_Delete(root);
    test_ece_by_hand();
    return check_exit("test_calibration");
}
