/* loss.c - softmax cross-entropy forward (probabilities, per-sample loss, mean) and backward.
 * Stable: exponents are taken after subtracting the row maximum, loss = logsumexp(z) - z[y], sums
 * in double in a fixed order. Serial (a batch of logits is tiny next to the layers). Labels are
 * validated by the data stage; one outside [0, C) gives a NaN loss rather than a stray read. */
#include "lc_layers.h"

#include <math.h>

double lc_softmax_xent_forward(int B, int C, const float *logits, const int32_t *labels,
                               float *probs, float *loss)
{
    double total = 0.0;
    for (int b = 0; b < B; b++) {
        const float *z = logits + (size_t)b * C; /* (C) */
        float *pr = probs + (size_t)b * C;       /* (C) */
        float mx = z[0];
        for (int j = 1; j < C; j++)
            if (z[j] > mx || isnan(z[j]))
                mx = z[j];
        double s = 0.0, ex[64]; /* the exponentials, kept when there are few classes */
        for (int j = 0; j < C; j++) {
            double v = exp((double)z[j] - mx);
            if (j < 64)
                ex[j] = v;
            s += v;
        }
        double lse = log(s) + mx;
        for (int j = 0; j < C; j++)
            pr[j] = (float)((j < 64 ? ex[j] : exp((double)z[j] - mx)) / s);
        int32_t y = labels[b];
        double l = y >= 0 && y < C ? lse - z[y] : NAN; /* never read outside the row */
        if (loss)
            loss[b] = (float)l;
        total += l;
    }
    return B > 0 ? total / B : 0.0;
}

void lc_softmax_xent_backward(int B, int C, const float *probs, const int32_t *labels,
                              float scale, float *dlogits)
{
    for (int b = 0; b < B; b++) {
        const float *pr = probs + (size_t)b * C; /* (C) */
        float *d = dlogits + (size_t)b * C;      /* (C) */
        for (int j = 0; j < C; j++)
            d[j] = scale * (pr[j] - (j == labels[b] ? 1.0f : 0.0f));
    }
}
