/* test_conv1d.c - Conv1d with "same" padding over time-major sequences (lc_conv1d.h) against
 * torch 1.13 (tests/fixtures/conv1d_cases.json, tests/gen_fixtures_conv1d.py): outputs, input,
 * weight and bias gradients for kernels 1 to 5, an output written into columns of a wider tensor,
 * bitwise equal results on 1 and 3 threads. Run from the repository root. */
#include "check.h"
#include "lc_conv1d.h"
#include "lc_pool.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE "tests/fixtures/conv1d_cases.json"

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

static double worst(const float *a, const float *b, int n)
{
    double w = 0.0;
    for (int i = 0; i < n; i++) {
        double r = fabs((double)a[i] - b[i]) / (1e-5 + 1e-5 * fabs((double)b[i]));
        if (!(r <= w))
            w = r;
    }
    return w;
}

static int num(const cJSON *c, const char *k) { return cJSON_GetObjectItemCaseSensitive(c, k)->valueint; }

int main(void)
{
    char *text = check_slurp(FIXTURE, NULL);
    CHECK_MSG(text != NULL, "cannot read %s", FIXTURE);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    lc_pool *p3 = lc_pool_create(3);
    for (const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "cases")->child; c; c = c->next) {
        lc_conv1d cv = {.L = num(c, "L"), .E = num(c, "E"), .F = num(c, "F"), .k = num(c, "k"),
                        .stride = num(c, "stride"), .dilation = num(c, "dilation"),
                        .valid = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "valid"))};
        int Lo = lc_conv1d_out_len(&cv);
        CHECK_MSG(Lo == num(c, "Lo"), "k=%d L=%d: %d output steps, torch %d", cv.k, cv.L, Lo,
                  num(c, "Lo"));
        int B = num(c, "B"), ny, nx, nw;
        float *x = floats(c, "x", &nx), *dy = floats(c, "dy", NULL), *w = floats(c, "w", &nw);
        float *b = floats(c, "b", NULL), *wy = floats(c, "y", &ny), *wdx = floats(c, "dx", NULL);
        float *wdw = floats(c, "dw", NULL), *wdb = floats(c, "db", NULL);
        /* the output in columns [2, 2 + F) of a (B, L, F + 3) tensor */
        int ys = cv.F + 3;
        float *res[2][4];
        for (int run = 0; run < 2; run++) {
            lc_pool *p = run ? p3 : NULL;
            float *ws = calloc(lc_conv1d_ws_floats(&cv, B, 3), sizeof(float));
            float *y = calloc((size_t)B * Lo * ys, sizeof(float));
            float *dyw = calloc((size_t)B * Lo * ys, sizeof(float));
            for (int i = 0; i < B * Lo; i++)
                memcpy(dyw + (size_t)i * ys + 2, dy + (size_t)i * cv.F, (size_t)cv.F * sizeof(float));
            float *dx = calloc((size_t)nx, sizeof(float)), *dw = calloc((size_t)nw, sizeof(float));
            float *db = calloc((size_t)cv.F, sizeof(float));
            lc_conv1d_forward(p, &cv, B, x, w, b, y, ys, 2, ws);
            lc_conv1d_backward(p, &cv, B, x, w, dyw, ys, 2, dx, dw, db, ws);
            float *yc = calloc((size_t)ny, sizeof(float));
            for (int i = 0; i < B * Lo; i++)
                memcpy(yc + (size_t)i * cv.F, y + (size_t)i * ys + 2, (size_t)cv.F * sizeof(float));
            res[run][0] = yc, res[run][1] = dx, res[run][2] = dw, res[run][3] = db;
            free(y);
            free(dyw);
            free(ws);
        }
        double e0 = worst(res[0][0], wy, ny), e1 = worst(res[0][1], wdx, nx);
        double e2 = worst(res[0][2], wdw, nw), e3 = worst(res[0][3], wdb, cv.F);
        CHECK_MSG(e0 <= 1 && e1 <= 1 && e2 <= 1 && e3 <= 1,
                  "k=%d B=%d: y %.2f dx %.2f dw %.2f db %.2f of tolerance", cv.k, B, e0, e1, e2, e3);
        CHECK_MSG(memcmp(res[0][0], res[1][0], (size_t)ny * 4) == 0 &&
                      memcmp(res[0][1], res[1][1], (size_t)nx * 4) == 0 &&
                      memcmp(res[0][2], res[1][2], (size_t)nw * 4) == 0 &&
                      memcmp(res[0][3], res[1][3], (size_t)cv.F * 4) == 0,
                  "k=%d B=%d: 1 and 3 threads differ", cv.k, B);
        fprintf(stderr, "test_conv1d: k=%d B=%d L=%d E=%d F=%d stride %d dilation %d %s (%d steps out): y %.2f, dx %.2f, dw %.2f, db %.2f of tolerance\n",
                cv.k, B, cv.L, cv.E, cv.F, num(c, "stride"), num(c, "dilation"),
                cv.valid ? "valid" : "same", Lo, e0, e1, e2, e3);
        for (int run = 0; run < 2; run++)
            for (int j = 0; j < 4; j++)
                free(res[run][j]);
        free(x), free(dy), free(w), free(b), free(wy), free(wdx), free(wdw), free(wdb);
    }
    lc_pool_destroy(p3);
    cJSON_Delete(root);
    return check_exit("test_conv1d");
}
