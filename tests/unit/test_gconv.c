/* test_gconv.c - grouped and depthwise convolution (gconv.c) against the dense convolution (itself
 * checked against PyTorch in test_conv.c) run group by group on the channel slices: outputs, input
 * gradients, weight and bias gradients; bitwise equal on 1 and 3 threads; the planner refuses
 * channel counts the groups do not divide. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lc_conv.h"
#include "lc_mem.h"
#include "lc_pool.h"

static float frand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((*s >> 40) & 0xffffff) / 16777216.0f * 2.0f - 1.0f;
}

static float *rnd(size_t n, uint64_t *s)
{
    float *v = lc_alloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = frand(s);
    return v;
}

typedef struct {
    float *y, *dx, *dw, *db;
} result;

static void run_grouped(lc_pool *p, const lc_conv2d *c, int B, const float *x, const float *w,
                        const float *b, const float *dy, result *r)
{
    size_t ny = (size_t)B * c->OC * c->OH * c->OW, nx = (size_t)B * c->C * c->H * c->W;
    size_t nw = (size_t)c->OC * (c->C / c->groups) * c->KH * c->KW;
    r->y = lc_alloc(ny, sizeof(float));
    r->dx = lc_alloc(nx, sizeof(float));
    r->dw = lc_alloc(nw, sizeof(float));
    r->db = lc_alloc((size_t)c->OC, sizeof(float));
    lc_conv2d_forward(p, c, B, x, w, b, r->y, NULL);
    lc_conv2d_backward(p, c, B, x, w, dy, r->dx, r->dw, r->db, NULL);
}

static void free_result(result *r)
{
    lc_free(r->y);
    lc_free(r->dx);
    lc_free(r->dw);
    lc_free(r->db);
}

static void one_case(int B, int C, int H, int W, int OC, int K, int s, int pad, int dil, int G)
{
    lc_conv2d c = {.C = C, .H = H, .W = W, .OC = OC, .KH = K, .KW = K, .sh = s, .sw = s,
                   .ph = pad, .pw = pad, .dh = dil, .dw = dil, .groups = G};
    CHECK(lc_conv2d_plan(&c) == 0);
    CHECK(lc_conv2d_ws_floats(&c, B, 3) == 0);
    int Cg = C / G, OCg = OC / G;
    size_t HW = (size_t)H * W, OHW = (size_t)c.OH * c.OW, kk = (size_t)K * K;
    uint64_t seed = (uint64_t)(B * 1000003 + C * 101 + OC * 7 + K + s * 13 + G);
    float *x = rnd((size_t)B * C * HW, &seed), *w = rnd((size_t)OC * Cg * kk, &seed);
    float *b = rnd((size_t)OC, &seed), *dy = rnd((size_t)B * OC * OHW, &seed);
    lc_pool *p1 = lc_pool_create(1), *p3 = lc_pool_create(3);
    result r1, r3;
    run_grouped(p1, &c, B, x, w, b, dy, &r1);
    run_grouped(p3, &c, B, x, w, b, dy, &r3);
    CHECK(memcmp(r1.y, r3.y, (size_t)B * OC * OHW * sizeof(float)) == 0);
    CHECK(memcmp(r1.dx, r3.dx, (size_t)B * C * HW * sizeof(float)) == 0);
    CHECK(memcmp(r1.dw, r3.dw, (size_t)OC * Cg * kk * sizeof(float)) == 0);
    CHECK(memcmp(r1.db, r3.db, (size_t)OC * sizeof(float)) == 0);

    /* the reference: a dense convolution per group on copied channel slices */
    lc_conv2d d = c;
    d.C = Cg;
    d.OC = OCg;
    d.groups = 0;
    CHECK(lc_conv2d_plan(&d) == 0);
    float *ws = lc_alloc(lc_conv2d_ws_floats(&d, B, 1), sizeof(float));
    float *xg = lc_alloc((size_t)B * Cg * HW, sizeof(float)), *dyg = lc_alloc((size_t)B * OCg * OHW, sizeof(float));
    float *yg = lc_alloc((size_t)B * OCg * OHW, sizeof(float)), *dxg = lc_alloc((size_t)B * Cg * HW, sizeof(float));
    float *dwg = lc_alloc((size_t)OCg * Cg * kk, sizeof(float)), *dbg = lc_alloc((size_t)OCg, sizeof(float));
    double worst = 0.0;
    for (int g = 0; g < G; g++) {
        for (int n = 0; n < B; n++) {
            memcpy(xg + (size_t)n * Cg * HW, x + ((size_t)n * C + (size_t)g * Cg) * HW, (size_t)Cg * HW * sizeof(float));
            memcpy(dyg + (size_t)n * OCg * OHW, dy + ((size_t)n * OC + (size_t)g * OCg) * OHW, (size_t)OCg * OHW * sizeof(float));
        }
        const float *wg = w + (size_t)g * OCg * Cg * kk;
        lc_conv2d_forward(p1, &d, B, xg, wg, b + (size_t)g * OCg, yg, ws);
        lc_conv2d_backward(p1, &d, B, xg, wg, dyg, dxg, dwg, dbg, ws);
        for (int n = 0; n < B; n++)
            for (size_t i = 0; i < (size_t)OCg * OHW; i++) {
                double e = fabs(r1.y[((size_t)n * OC + (size_t)g * OCg) * OHW + i] - yg[(size_t)n * OCg * OHW + i]);
                worst = e > worst ? e : worst;
            }
        for (int n = 0; n < B; n++)
            for (size_t i = 0; i < (size_t)Cg * HW; i++) {
                double e = fabs(r1.dx[((size_t)n * C + (size_t)g * Cg) * HW + i] - dxg[(size_t)n * Cg * HW + i]);
                worst = e > worst ? e : worst;
            }
        for (size_t i = 0; i < (size_t)OCg * Cg * kk; i++) {
            double e = fabs(r1.dw[(size_t)g * OCg * Cg * kk + i] - dwg[i]) / (1.0 + fabs(dwg[i]));
            worst = e > worst ? e : worst;
        }
        for (int i = 0; i < OCg; i++) {
            double e = fabs(r1.db[g * OCg + i] - dbg[i]) / (1.0 + fabs(dbg[i]));
            worst = e > worst ? e : worst;
        }
    }
    CHECK_MSG(worst < 2e-5, "B%d C%d %dx%d OC%d k%d s%d p%d d%d groups %d: worst difference %g",
              B, C, H, W, OC, K, s, pad, dil, G, worst);
    printf("gconv: B%d C%d %dx%d OC%d k%d stride %d pad %d dilation %d groups %d: worst %.2g, 1 = 3 threads\n",
           B, C, H, W, OC, K, s, pad, dil, G, worst);
    lc_free(ws);
    lc_free(xg);
    lc_free(dyg);
    lc_free(yg);
    lc_free(dxg);
    lc_free(dwg);
    lc_free(dbg);
    free_result(&r1);
    free_result(&r3);
    lc_free(x);
    lc_free(w);
    lc_free(b);
    lc_free(dy);
    lc_pool_destroy(p1);
    lc_pool_destroy(p3);
}

int main(void)
{
    one_case(3, 8, 9, 11, 8, 3, 1, 1, 1, 8);   /* depthwise 3x3 */
    one_case(2, 6, 13, 12, 6, 5, 2, 2, 1, 6);  /* depthwise 5x5, stride 2 (EfficientNet, MobileNetV3) */
    one_case(2, 4, 10, 10, 8, 3, 1, 1, 1, 4);  /* channel multiplier 2 */
    one_case(2, 6, 9, 9, 8, 3, 2, 1, 1, 2);    /* two groups of 3 -> 4 (ResNeXt-like) */
    one_case(2, 4, 12, 12, 4, 3, 1, 2, 2, 4);  /* dilated depthwise */
    one_case(1, 3, 7, 7, 6, 1, 1, 0, 1, 3);    /* grouped pointwise */
    one_case(2, 5, 3, 3, 5, 3, 2, 1, 1, 5);    /* a map smaller than its padded kernel */
    lc_conv2d bad = {.C = 6, .H = 4, .W = 4, .OC = 4, .KH = 3, .KW = 3, .sh = 1, .sw = 1, .dh = 1,
                     .dw = 1, .groups = 4};
    CHECK(lc_conv2d_plan(&bad) == -1); /* 6 channels in 4 groups */
    return check_exit("test_gconv");
}
