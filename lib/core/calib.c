/* calib.c - temperature scaling (see lc_calib.h): the objective, the ECE, and torch's LBFGS with
 * the strong-Wolfe line search written out for one parameter. */
#include "lc_calib.h"

#include <math.h>

#define NBINS 15

/* logit k of row i: a binary row is (0, a) */
static double zk(const float *logits, size_t i, int K, int binary, int k)
{
    if (binary)
        return k == 1 ? (double)logits[i] : 0.0;
    return (double)logits[i * (size_t)K + (size_t)k];
}

double lc_calib_nll(size_t n, int K, int binary, const float *logits, const int32_t *labels,
                    double T, double *dT)
{
    int C = binary ? 2 : K;
    double f = 0.0, g = 0.0;
    for (size_t i = 0; i < n; i++) {
        double mx = -INFINITY;
        for (int k = 0; k < C; k++) {
            double v = zk(logits, i, K, binary, k) / T;
            mx = v > mx ? v : mx;
        }
        double s = 0.0, sz = 0.0;
        for (int k = 0; k < C; k++) {
            double z = zk(logits, i, K, binary, k), e = exp(z / T - mx);
            s += e;
            sz += e * z;
        }
        int y = labels[i];
        double zy = y >= 0 && y < C ? zk(logits, i, K, binary, y) : 0.0;
        f += mx + log(s) - zy / T;
        /* d/dT (logsumexp(z / T) - z_y / T) = (z_y - E_softmax[z]) / T^2 */
        g += (zy - sz / s) / (T * T);
    }
    if (dT)
        *dT = n ? g / (double)n : 0.0;
    return n ? f / (double)n : 0.0;
}

void lc_calib_probs(int B, int K, const float *z, float T, float *dst)
{
    for (int b = 0; b < B; b++) {
        const float *zb = z + (size_t)b * K;
        float *pb = dst + (size_t)b * K;
        if (K == 1) {
            pb[0] = (float)(1.0 / (1.0 + exp(-(double)(zb[0] / T))));
            continue;
        }
        double mx = -INFINITY, s = 0.0;
        for (int k = 0; k < K; k++)
            mx = (double)(zb[k] / T) > mx ? (double)(zb[k] / T) : mx;
        for (int k = 0; k < K; k++)
            s += exp((double)(zb[k] / T) - mx);
        for (int k = 0; k < K; k++)
            pb[k] = (float)(exp((double)(zb[k] / T) - mx) / s);
    }
}

double lc_calib_ece(size_t n, int K, int binary, const float *logits, const int32_t *labels,
                    double T)
{
    /* torch.linspace(0, 1, 16) in float32: the first half from 0 up, the second from 1 down */
    float edge[NBINS + 1];
    float step = 1.0f / (float)NBINS;
    for (int b = 0; b <= NBINS; b++)
        edge[b] = b < (NBINS + 1) / 2 ? step * (float)b : 1.0f - step * (float)(NBINS - b);
    double conf_sum[NBINS] = {0}, acc_sum[NBINS] = {0};
    size_t count[NBINS] = {0};
    int C = binary ? 2 : K;
    for (size_t i = 0; i < n; i++) {
        int best = 0;
        double mx = -INFINITY, s = 0.0;
        for (int k = 0; k < C; k++) {
            double v = zk(logits, i, K, binary, k) / T;
            if (v > mx) {
                mx = v;
                best = k;
            }
        }
        for (int k = 0; k < C; k++)
            s += exp(zk(logits, i, K, binary, k) / T - mx);
        double conf = 1.0 / s; /* the top softmax probability */
        for (int b = 0; b < NBINS; b++)
            if (conf > (double)edge[b] && conf <= (double)edge[b + 1]) {
                count[b]++;
                conf_sum[b] += conf;
                acc_sum[b] += best == labels[i];
                break;
            }
    }
    double ece = 0.0;
    for (int b = 0; b < NBINS; b++)
        if (count[b])
            ece += fabs(conf_sum[b] / (double)count[b] - acc_sum[b] / (double)count[b]) *
                   ((double)count[b] / (double)n);
    return ece;
}

/* Python's max(a, b) and min(a, b): the first argument unless the second compares greater
 * (smaller), so a NaN first argument survives as it does in torch's line search. */
static double pymax(double a, double b) { return b > a ? b : a; }
static double pymin(double a, double b) { return b < a ? b : a; }

/* torch.optim.lbfgs._cubic_interpolate: the minimiser of the cubic through (x1, f1, g1) and
 * (x2, f2, g2), clamped to the bounds (the points' own span when lo > hi is not given). */
static double cubic(double x1, double f1, double g1, double x2, double f2, double g2, int bounded,
                    double lo, double hi)
{
    if (!bounded) {
        lo = x1 <= x2 ? x1 : x2;
        hi = x1 <= x2 ? x2 : x1;
    }
    double d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
    double d2sq = d1 * d1 - g1 * g2;
    if (d2sq >= 0) {
        double d2 = sqrt(d2sq), mp;
        if (x1 <= x2)
            mp = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2));
        else
            mp = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2));
        return pymin(pymax(mp, lo), hi);
    }
    return (lo + hi) / 2.0;
}

typedef struct objective {
    size_t n;
    int K, binary;
    const float *logits;
    const int32_t *labels;
    int evals;
} objective;

static double eval_at(objective *o, double T, double *g)
{
    o->evals++;
    return lc_calib_nll(o->n, o->K, o->binary, o->logits, o->labels, T, g);
}

/* torch.optim.lbfgs._strong_wolfe for one parameter x along d from step t; f, g, gtd at x.
 * Returns the step taken and sets *fo, *go to the objective there. */
static double strong_wolfe(objective *o, double x, double t, double d, double f, double g,
                           double gtd, double *fo, double *go)
{
    const double c1 = 1e-4, c2 = 0.9, tol = 1e-9;
    const int max_ls = 25;
    double d_norm = fabs(d);
    double g_new, f_new = eval_at(o, x + t * d, &g_new);
    double gtd_new = g_new * d;
    double t_prev = 0.0, f_prev = f, g_prev = g, gtd_prev = gtd;
    int done = 0, ls = 0, nb = 0;
    double br[2] = {0, 0}, bf[2] = {0, 0}, bg[2] = {0, 0}, bgtd[2] = {0, 0};
    while (ls < max_ls) {
        int armijo_fails = f_new > f + c1 * t * gtd || (ls > 1 && f_new >= f_prev);
        if (!armijo_fails && fabs(gtd_new) <= -c2 * gtd) {
            br[0] = t, bf[0] = f_new, bg[0] = g_new;
            nb = 1;
            done = 1;
            break;
        }
        if (armijo_fails || gtd_new >= 0) {
            br[0] = t_prev, br[1] = t;
            bf[0] = f_prev, bf[1] = f_new;
            bg[0] = g_prev, bg[1] = g_new;
            bgtd[0] = gtd_prev, bgtd[1] = gtd_new;
            nb = 2;
            break;
        }
        double min_step = t + 0.01 * (t - t_prev), max_step = t * 10.0, tmp = t;
        t = cubic(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, 1, min_step, max_step);
        t_prev = tmp;
        f_prev = f_new;
        g_prev = g_new;
        gtd_prev = gtd_new;
        f_new = eval_at(o, x + t * d, &g_new);
        gtd_new = g_new * d;
        ls++;
    }
    if (ls == max_ls) {
        br[0] = 0.0, br[1] = t;
        bf[0] = f, bf[1] = f_new;
        bg[0] = g, bg[1] = g_new;
        nb = 2;
    }
    int insuf = 0;
    int lo = bf[0] <= bf[nb - 1] ? 0 : 1, hi = 1 - lo;
    while (!done && ls < max_ls) {
        if (fabs(br[1] - br[0]) * d_norm < tol)
            break;
        t = cubic(br[0], bf[0], bgtd[0], br[1], bf[1], bgtd[1], 0, 0, 0);
        double bmax = pymax(br[0], br[1]), bmin = pymin(br[0], br[1]);
        double eps = 0.1 * (bmax - bmin);
        if (pymin(bmax - t, t - bmin) < eps) {
            if (insuf || t >= bmax || t <= bmin) {
                t = fabs(t - bmax) < fabs(t - bmin) ? bmax - eps : bmin + eps;
                insuf = 0;
            } else {
                insuf = 1;
            }
        } else {
            insuf = 0;
        }
        f_new = eval_at(o, x + t * d, &g_new);
        gtd_new = g_new * d;
        ls++;
        if (f_new > f + c1 * t * gtd || f_new >= bf[lo]) {
            br[hi] = t, bf[hi] = f_new, bg[hi] = g_new, bgtd[hi] = gtd_new;
            lo = bf[0] <= bf[1] ? 0 : 1;
            hi = 1 - lo;
        } else {
            if (fabs(gtd_new) <= -c2 * gtd)
                done = 1;
            else if (gtd_new * (br[hi] - br[lo]) >= 0) {
                br[hi] = br[lo], bf[hi] = bf[lo], bg[hi] = bg[lo], bgtd[hi] = bgtd[lo];
            }
            br[lo] = t, bf[lo] = f_new, bg[lo] = g_new, bgtd[lo] = gtd_new;
        }
    }
    *fo = bf[lo];
    *go = bg[lo];
    return br[lo];
}

/* One torch.optim.LBFGS(lr=0.01, max_iter=50, line_search_fn="strong_wolfe").step from x. */
static double lbfgs(objective *o, double x, int *iters)
{
    enum { MAX_ITER = 50, MAX_EVAL = MAX_ITER * 5 / 4 };
    const double lr = 0.01, tol_grad = 1e-7, tol_change = 1e-9;
    double g, loss = eval_at(o, x, &g);
    int evals = 1;
    *iters = 0;
    if (fabs(g) <= tol_grad)
        return x;
    /* history_size 100 > max_iter: nothing is ever dropped */
    double dirs[MAX_ITER], stps[MAX_ITER], ro[MAX_ITER], al[MAX_ITER];
    int nold = 0;
    double d = 0, t = 0, H = 1.0, prev_g = 0, prev_loss;
    for (int it = 1; it <= MAX_ITER; it++) {
        *iters = it;
        if (it == 1) {
            d = -g;
            H = 1.0;
        } else {
            double y = g - prev_g, s = d * t, ys = y * s;
            if (ys > 1e-10) {
                dirs[nold] = y;
                stps[nold] = s;
                ro[nold] = 1.0 / ys;
                nold++;
                H = ys / (y * y);
            }
            double q = -g;
            for (int i = nold - 1; i >= 0; i--) {
                al[i] = stps[i] * q * ro[i];
                q += -al[i] * dirs[i];
            }
            double r = q * H;
            for (int i = 0; i < nold; i++) {
                double be = dirs[i] * r * ro[i];
                r += (al[i] - be) * stps[i];
            }
            d = r;
        }
        prev_g = g;
        prev_loss = loss;
        t = it == 1 ? pymin(1.0, 1.0 / fabs(g)) * lr : lr;
        double gtd = g * d;
        if (gtd > -tol_change)
            break;
        int before = o->evals;
        t = strong_wolfe(o, x, t, d, loss, g, gtd, &loss, &g);
        x += t * d;
        evals += o->evals - before;
        if (it == MAX_ITER || evals >= MAX_EVAL || fabs(g) <= tol_grad ||
            fabs(d * t) <= tol_change || fabs(loss - prev_loss) < tol_change)
            break;
    }
    return x;
}

void lc_calib_temperature(size_t n, int K, int binary, const float *logits,
                          const int32_t *labels, lc_calib_result *r)
{
    objective o = {n, K, binary, logits, labels, 0};
    *r = (lc_calib_result){.temperature = 1.0, .fitted = 1.0};
    if (n == 0)
        return;
    r->nll_before = lc_calib_nll(n, K, binary, logits, labels, 1.0, NULL);
    r->ece_before = lc_calib_ece(n, K, binary, logits, labels, 1.0);
    double T = lbfgs(&o, 1.0, &r->iterations);
    r->evaluations = o.evals;
    r->fitted = T;
    if (!(T > 0.0) || !isfinite(T)) {
        r->nll_after = r->ece_after = NAN;
        r->reverted = 2;
        return;
    }
    r->nll_after = lc_calib_nll(n, K, binary, logits, labels, T, NULL);
    r->ece_after = lc_calib_ece(n, K, binary, logits, labels, T);
    if (r->ece_after > r->ece_before)
        r->reverted = 1;
    else
        r->temperature = T;
}
