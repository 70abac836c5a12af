/* lc_calib.h - temperature scaling of a classifier's logits (Guo et al. 2017), as Ludwig 0.10.3
 * fits it after training when an output feature sets `calibration: true`
 * (ludwig/utils/calibration.py TemperatureScaling, ludwig/models/calibrator.py):
 *
 *   - the objective is torch.nn.CrossEntropyLoss of logits / T against the labels (the mean over
 *     rows of logsumexp(z / T) - z[y] / T); a binary output's logit a is the pair (0, a), whose
 *     softmax is (1 - sigmoid(a), sigmoid(a));
 *   - T starts at 1 and is fitted by one torch.optim.LBFGS step with lr 0.01, max_iter 50 and the
 *     strong-Wolfe line search (torch's defaults otherwise: max_eval 62, tolerance_grad 1e-7,
 *     tolerance_change 1e-9, history_size 100, c1 1e-4, c2 0.9, at most 25 line-search steps);
 *   - the expected calibration error (ECE, 15 equal-width bins of the top softmax probability,
 *     (lower, upper], weighted by the share of rows in each bin) is measured before and after, and
 *     T goes back to 1 when the ECE got worse.
 * The arithmetic is double (torch runs float32; tests/unit/test_calibration.c compares with a
 * float64 torch run of the same definitions and with the float32 one). Serial. */
#ifndef LC_CALIB_H
#define LC_CALIB_H

#include <stddef.h>
#include <stdint.h>

typedef struct lc_calib_result {
    double temperature;  /* the temperature to use: the fitted one, or 1 when reverted */
    double fitted;       /* what the optimizer reached */
    double nll_before, ece_before; /* at T = 1 */
    double nll_after, ece_after;   /* at the fitted T */
    int reverted;        /* 1: the ECE got worse; 2: the fit left (0, inf) (no finite optimum) */
    int iterations;      /* LBFGS iterations */
    int evaluations;     /* objective evaluations */
} lc_calib_result;

/* Fits T on n rows. binary: logits (n) and labels 0/1; otherwise logits (n, K) and labels in
 * [0, K). Labels outside that range are counted as wrong predictions and contribute their logit
 * 0 (callers pass valid labels). n == 0 leaves T at 1. */
void lc_calib_temperature(size_t n, int K, int binary, const float *logits,
                          const int32_t *labels, lc_calib_result *r);

/* Ludwig's calibration module applied: softmax over K (K > 1) or sigmoid (K == 1) of logits / T
 * for B rows into probs, the division in float32 as torch.div does it, the exponentials in
 * double. */
void lc_calib_probs(int B, int K, const float *logits /* (B, K) */, float T,
                    float *probs /* (B, K) */);

/* The objective and its derivative in T at temperature T (exposed for tests). */
double lc_calib_nll(size_t n, int K, int binary, const float *logits, const int32_t *labels,
                    double T, double *dT);
/* The expected calibration error of logits / T with 15 bins (exposed for tests). */
double lc_calib_ece(size_t n, int K, int binary, const float *logits, const int32_t *labels,
                    double T);

#endif
