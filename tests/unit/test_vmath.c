/* test_vmath.c - the vectorisable exp, sigmoid and tanh of lc_vmath.h against double-precision libm
 * on a dense grid of float inputs: exp within 2 ulp of relative error over its range, sigmoid and
 * tanh within 2e-7 absolute, tanh within 4e-7 relative near 0, the limits (sigmoid 0 and 1, tanh
 * +-1, exp finite at the clamps) and odd symmetry of tanh. */
#include "check.h"
#include "lc_vmath.h"

#include <float.h>
#include <math.h>

int main(void)
{
    double we = 0, ws = 0, wt = 0, wtr = 0;
    for (double v = -87.0; v <= 88.0; v += 0.0007) {
        float x = (float)v;
        double e = exp((double)x), r = fabs(lc_vexpf(x) - e) / e;
        we = r > we ? r : we;
    }
    for (double v = -30.0; v <= 30.0; v += 0.0001) {
        float x = (float)v;
        double s = 1.0 / (1.0 + exp(-(double)x)), t = tanh((double)x);
        double ds = fabs(lc_vsigmoidf(x) - s), dt = fabs(lc_vtanhf(x) - t);
        ws = ds > ws ? ds : ws;
        wt = dt > wt ? dt : wt;
        if (fabs(v) < 0.1 && x != 0.0f) {
            double rt = dt / fabs(t);
            wtr = rt > wtr ? rt : wtr;
        }
    }
    printf("test_vmath: exp max relative error %.3g (%.2f ulp), sigmoid max abs %.3g, tanh max abs %.3g, tanh max relative near 0 %.3g\n",
           we, we / FLT_EPSILON * 2, ws, wt, wtr);
    CHECK_MSG(we <= 2.0 * FLT_EPSILON / 2 * 2, "exp error %g", we);
    CHECK_MSG(ws <= 2e-7, "sigmoid error %g", ws);
    CHECK_MSG(wt <= 2e-7, "tanh error %g", wt);
    CHECK_MSG(wtr <= 4e-7, "tanh relative error near 0 %g", wtr);
    CHECK(lc_vsigmoidf(-200.0f) >= 0.0f && lc_vsigmoidf(-200.0f) < 1e-37f);
    CHECK(lc_vsigmoidf(200.0f) == 1.0f);
    CHECK(lc_vtanhf(50.0f) == 1.0f && lc_vtanhf(-50.0f) == -1.0f && lc_vtanhf(0.0f) == 0.0f);
    CHECK(isfinite(lc_vexpf(1000.0f)) && lc_vexpf(-1000.0f) > 0.0f);
    for (float x = 0.001f; x < 10.0f; x *= 1.7f)
        CHECK(lc_vtanhf(-x) == -lc_vtanhf(x));
    return check_exit("test_vmath");
}
