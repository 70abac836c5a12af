/* rowstats.c - the few statistics the report derives itself from evaluated rows, each defined as
 * the numpy / sklearn function a reader would check it with: calibration bins
 * (sklearn.calibration.calibration_curve, uniform), the confusion counts and rates at a threshold
 * (sklearn's accuracy, precision, recall and F1 with zero_division=0), numpy.histogram's equal
 * bins, and an even subsample of rows for scatter plots. Everything Ludwig reports itself comes
 * from test_statistics.json instead (report.c). */
#include "report_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lc_json.h"

void rep_calibration(const float *p, const float *y, size_t n, int nb, int64_t *count,
                     double *mean_p, double *observed)
{
    double step = 1.0 / nb;
    for (int b = 0; b < nb; b++) {
        count[b] = 0;
        mean_p[b] = 0;
        observed[b] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        double v = p[i];
        int b = 0; /* numpy.searchsorted(edges[1:-1], v): inner edges strictly below v */
        while (b < nb - 1 && (double)(b + 1) * step < v)
            b++;
        count[b]++;
        mean_p[b] += v;
        observed[b] += y[i];
    }
    for (int b = 0; b < nb; b++) {
        mean_p[b] = count[b] ? mean_p[b] / (double)count[b] : NAN;
        observed[b] = count[b] ? observed[b] / (double)count[b] : NAN;
    }
}

void rep_threshold(const float *p, const float *y, size_t n, double t, rep_confusion *c)
{
    *c = (rep_confusion){0};
    for (size_t i = 0; i < n; i++) {
        int pos = (double)p[i] >= t, truth = y[i] > 0.5f;
        c->tp += pos && truth;
        c->fp += pos && !truth;
        c->fn += !pos && truth;
        c->tn += !pos && !truth;
    }
    c->accuracy = n ? (double)(c->tp + c->tn) / (double)n : 0;
    c->precision = c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 0;
    c->recall = c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 0;
    /* sklearn: 2 tp / (2 tp + fp + fn) */
    c->f1 = c->tp ? 2.0 * (double)c->tp / (double)(2 * c->tp + c->fp + c->fn) : 0;
}

void rep_histogram(const double *v, size_t n, int nb, double *edges, int64_t *counts)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            lo = v[i] < lo ? v[i] : lo;
            hi = v[i] > hi ? v[i] : hi;
        }
    if (!(lo <= hi)) {
        lo = 0;
        hi = 1;
    } else if (lo == hi) {
        lo -= 0.5;
        hi += 0.5;
    }
    /* numpy.linspace(lo, hi, nb + 1): k * step + lo, the last edge exactly hi */
    double step = (hi - lo) / nb;
    for (int k = 0; k < nb; k++)
        edges[k] = k * step + lo;
    edges[nb] = hi;
    for (int b = 0; b < nb; b++)
        counts[b] = 0;
    double norm = nb / (hi - lo);
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        if (!(x >= lo && x <= hi))
            continue;
        long b = (long)((x - lo) * norm);
        if (b == nb)
            b--;
        if (x < edges[b])
            b--;
        if (b != nb - 1 && x >= edges[b + 1])
            b++;
        counts[b]++;
    }
}

size_t rep_subsample(size_t n, size_t max, size_t *idx)
{
    size_t k = n < max ? n : max;
    for (size_t i = 0; i < k; i++)
        idx[i] = k == n ? i : (size_t)((unsigned long long)i * n / k);
    return k;
}

/* Indices 0..n-1 ordered as numpy's argsort(v)[::-1]: descending, ties in descending index
 * order (numpy sorts small arrays stably; the reversal flips tied indices). */
void rep_argsort_desc(const double *v, int n, int *idx)
{
    for (int i = 0; i < n; i++)
        idx[i] = i;
    /* stable ascending insertion sort, then reverse */
    for (int i = 1; i < n; i++) {
        int x = idx[i], j = i - 1;
        while (j >= 0 && v[idx[j]] > v[x]) {
            idx[j + 1] = idx[j];
            j--;
        }
        idx[j + 1] = x;
    }
    for (int i = 0, j = n - 1; i < j; i++, j--) {
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

/* A JSON value as text: a string as it is, anything else as Python writes it. */
void rep_json_text(const cJSON *v, char *buf, size_t n)
{
    if (cJSON_IsString(v)) {
        snprintf(buf, n, "%s", v->valuestring);
        return;
    }
    char *t = v ? lc_json_print_py(v) : NULL;
    snprintf(buf, n, "%s", t ? t : "null");
    free(t);
}
