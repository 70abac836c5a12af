/* test_act_tv.c - the activations torchvision's models use (ReLU6, Hardsigmoid, Hardswish, SiLU,
 * GELU) and HF ViT's hidden_act selu and gelu_new: values against their definitions at chosen
 * points (torch's formulas, boundaries included), gradients against central finite differences
 * in double precision away from the kinks, and torch's one-sided choices at the kinks; in place
 * and 1 vs 3 threads equal. */
#include <string.h>

#include "check.h"
#include "lc_layers.h"
#include "lc_pool.h"

static double ref(lc_act a, double x)
{
    switch (a) {
    case LC_ACT_RELU6:
        return x < 0 ? 0 : x > 6 ? 6 : x;
    case LC_ACT_HARDSIGMOID:
        return x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5;
    case LC_ACT_HARDSWISH:
        return x <= -3 ? 0 : x >= 3 ? x : x * (x + 3) / 6;
    case LC_ACT_SILU:
        return x / (1 + exp(-x));
    case LC_ACT_GELU:
        return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    case LC_ACT_SELU:
        return 1.0507009873554804934 * (x > 0 ? x : 1.6732632423543772848 * expm1(x));
    case LC_ACT_GELU_TANH:
        return 0.5 * x * (1 + tanh(sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    default:
        return 0;
    }
}

int main(void)
{
    static const lc_act acts[] = {LC_ACT_RELU6, LC_ACT_HARDSIGMOID, LC_ACT_HARDSWISH, LC_ACT_SILU,
                                  LC_ACT_GELU, LC_ACT_SELU, LC_ACT_GELU_TANH};
    static const char *const names[] = {"relu6", "hardsigmoid", "hardswish", "silu", "gelu",
                                        "selu", "gelu_new"};
    enum { N = 4001 };
    static float x[N], y[N], y3[N], dy[N], dx[N], dx3[N];
    lc_pool *p1 = lc_pool_create(1), *p3 = lc_pool_create(3);
    for (int i = 0; i < N; i++) {
        x[i] = -10.0f + 20.0f * (float)i / (N - 1); /* -10 .. 10 in steps of 0.005 */
        dy[i] = 1.0f + 0.25f * (float)(i % 7);
    }
    for (int k = 0; k < 7; k++) {
        lc_act a = acts[k];
        lc_act_forward(p1, a, N, x, y);
        lc_act_forward(p3, a, N, x, y3);
        CHECK_MSG(memcmp(y, y3, sizeof y) == 0, "%s: 1 and 3 threads differ", names[k]);
        double wv = 0.0, wg = 0.0;
        for (int i = 0; i < N; i++) {
            double e = fabs(y[i] - ref(a, x[i]));
            wv = e > wv ? e : wv;
        }
        lc_act_backward(p1, a, N, x, y, dy, dx);
        lc_act_backward(p3, a, N, x, y, dy, dx3);
        CHECK_MSG(memcmp(dx, dx3, sizeof dx) == 0, "%s: gradients differ on 1 and 3 threads", names[k]);
        for (int i = 0; i < N; i++) {
            double xv = x[i];
            /* kinks: ReLU6 at 0 and 6, the hard ones at -3 and 3 */
            if (fabs(xv) < 0.01 || fabs(xv - 6) < 0.01 || fabs(fabs(xv) - 3) < 0.01)
                continue;
            double h = 1e-4, g = (ref(a, xv + h) - ref(a, xv - h)) / (2 * h) * dy[i];
            double e = fabs(dx[i] - g) / (1.0 + fabs(g));
            wg = e > wg ? e : wg;
        }
        CHECK_MSG(wv < 2e-6, "%s: values differ from the definition by %g", names[k], wv);
        CHECK_MSG(wg < 1e-5, "%s: gradients differ from finite differences by %g", names[k], wg);
        printf("act_tv: %s: values within %.1g of the definition, gradients within %.1g of finite differences\n",
               names[k], wv, wg);
    }
    /* torch's gradients at the kinks (hardtanh_backward, hardsigmoid_backward, hardswish_backward) */
    float kx[6] = {0.0f, 6.0f, -3.0f, 3.0f, -3.0f, 3.0f}, ky[6], kd[6], one[6] = {1, 1, 1, 1, 1, 1};
    lc_act_forward(p1, LC_ACT_RELU6, 2, kx, ky);
    lc_act_backward(p1, LC_ACT_RELU6, 2, kx, ky, one, kd);
    CHECK(kd[0] == 0.0f && kd[1] == 0.0f);
    lc_act_forward(p1, LC_ACT_HARDSIGMOID, 2, kx + 2, ky);
    lc_act_backward(p1, LC_ACT_HARDSIGMOID, 2, kx + 2, ky, one, kd);
    CHECK(kd[0] == 0.0f && kd[1] == 0.0f);
    lc_act_forward(p1, LC_ACT_HARDSWISH, 2, kx + 4, ky);
    lc_act_backward(p1, LC_ACT_HARDSWISH, 2, kx + 4, ky, one, kd);
    CHECK(kd[0] == 0.5f - 1.0f && kd[1] == 1.5f); /* x/3 + 1/2 on [-3, 3] */
    lc_pool_destroy(p1);
    lc_pool_destroy(p3);
    return check_exit("test_act_tv");
}
