/* metrics_tab.c - Ludwig's metrics for number and binary output features (torchmetrics values
 * rounded to float32) and the binary feature's test statistics (sklearn's ROC and
 * precision-recall curves, ROC AUC and average precision in float64, plus the category
 * confusion-matrix statistics of lc_metrics_overall on two classes), as cJSON trees whose
 * numbers print with Python's int/float distinction (lc_json.h).
 * Semantics are described in lc_metrics_tab.h; predictions, probabilities and losses come from
 * the model and trainer.
 */
#include "lc_metrics_tab.h"
#include "lc_npsum.h"

#include "lc_json.h"
#include "lc_mem.h"
#include "lc_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int add_f32(cJSON *o, const char *key, double v)
{
    return lc_json_add_float(o, key, (double)(float)v);
}

/* numpy's add.reduce on a contiguous float64 array: the identity 0.0 plus the pairwise sum, so
 * results and the sign of a zero sum match. */
static double np_sum(const double *a /* (n) */, size_t n)
{
    return 0.0 + lc_np_pairwise_f64(a, n);
}

/* ------------------------------------------------------------------------------------------ */
/* Number output (torchmetrics regression metrics, Ludwig's R2 and RMSPE)                    */

cJSON *lc_metrics_number(int64_t N, const float *pred, const float *target, double loss,
                         int64_t batch_size)
{
    if (N < 0 || (N > 0 && (!pred || !target)))
        return NULL;
    if (batch_size <= 0 || batch_size > N)
        batch_size = N;
    double sae = 0, sape = 0, sse = 0, sum_t = 0, sum_t2 = 0;
    double rmspe_sum = 0;
    int64_t batches = 0;
    for (int64_t b0 = 0; b0 < N; b0 += batch_size) {
        int64_t b1 = b0 + batch_size < N ? b0 + batch_size : N;
        double bsq = 0;
        for (int64_t i = b0; i < b1; i++) {
            float p = pred[i], t = target[i];
            float d = p - t;                          /* torch: preds - target, float32 */
            float den = fmaxf(fabsf(t), 1.17e-06f);   /* MAPE: clamp(|target|, min=eps) */
            float pden = t == 0.f ? 1e-4f : t;        /* RMSPE: target + 1e-4 * (target == 0) */
            double pe = (double)(t - p) / (double)pden;
            sae += fabsf(d);
            sape += (double)fabsf(d) / (double)den;
            sse += (double)d * (double)d;
            sum_t += t;
            sum_t2 += (double)t * (double)t;
            bsq += pe * pe;
        }
        rmspe_sum += sqrt(bsq / (double)(b1 - b0));
        batches++;
    }
    double dn = (double)N;
    float mse = (float)(sse / dn);
    float r2;
    if (N < 2) {
        r2 = NAN;
    } else {
        double tss = sum_t2 - sum_t * (sum_t / dn);
        double lim = (double)1e-4f; /* torch.isclose(x, 0, atol=1e-4) on float32 */
        if (sse <= lim)
            r2 = 1.f;
        else if (fabs(tss) <= lim)
            r2 = 0.f;
        else
            r2 = (float)(1.0 - sse / tss);
    }

    cJSON *out = cJSON_CreateObject();
    if (!out)
        return NULL;
    if (add_f32(out, "loss", loss) || add_f32(out, "mean_absolute_error", sae / dn) ||
        add_f32(out, "mean_absolute_percentage_error", sape / dn) ||
        lc_json_add_float(out, "mean_squared_error", mse) || lc_json_add_float(out, "r2", r2) ||
        lc_json_add_float(out, "root_mean_squared_error", sqrtf(mse)) ||
        add_f32(out, "root_mean_squared_percentage_error", rmspe_sum / (double)batches)) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

cJSON *lc_metrics_vector(int64_t N, int K, const float *pred, const float *target, double loss)
{
    if (K < 1 || N < 0 || N > INT64_MAX / K)
        return NULL;
    cJSON *out = lc_metrics_number(N * K, pred, target, loss, 0);
    if (!out)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(out, "root_mean_squared_error");
    cJSON_DeleteItemFromObjectCaseSensitive(out, "root_mean_squared_percentage_error");
    double r2 = 0.0;
    double lim = (double)1e-4f;
    for (int k = 0; k < K && N >= 2; k++) {
        double sse = 0, st = 0, st2 = 0;
        for (int64_t i = 0; i < N; i++) {
            float p = pred[i * K + k], t = target[i * K + k], d = p - t;
            sse += (double)d * (double)d;
            st += t;
            st2 += (double)t * (double)t;
        }
        double tss = st2 - st * (st / (double)N);
        r2 += sse <= lim ? 1.0 : fabs(tss) <= lim ? 0.0 : 1.0 - sse / tss;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(out, "r2");
    if (lc_json_add_float(out, "r2", N < 2 ? NAN : (float)(r2 / K))) {
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* Binary output                                                                              */

typedef struct scored {
    float s;
    uint8_t pos;
} scored;

static int scored_desc(const void *pa, const void *pb)
{
    float x = ((const scored *)pa)->s, y = ((const scored *)pb)->s;
    return (x < y) - (x > y);
}

/* Inputs a binary metric accepts: targets 0/1, probabilities in [0, 1] (NaN fails). */
static int64_t first_bad_row(int64_t N, const float *prob, const uint8_t *target)
{
    for (int64_t i = 0; i < N; i++)
        if (target[i] > 1 || !(prob[i] >= 0.f && prob[i] <= 1.f))
            return i;
    return -1;
}

/* The counts at each distinct score, highest score first (sklearn's _binary_clf_curve,
 * torchmetrics' _binary_clf_curve): tps[k] positives and fps[k] negatives scoring >= the k-th
 * distinct score. Returns the number of distinct scores. */
static int64_t clf_curve(int64_t N, const float *prob, const uint8_t *target, scored *buf /* (N) */,
                         int64_t *tps /* (N) */, int64_t *fps /* (N) */)
{
    for (int64_t i = 0; i < N; i++) {
        buf[i].s = prob[i];
        buf[i].pos = target[i];
    }
    qsort(buf, (size_t)N, sizeof *buf, scored_desc);
    int64_t K = 0, tp = 0;
    for (int64_t i = 0; i < N; i++) {
        tp += buf[i].pos;
        if (i + 1 < N && buf[i + 1].s == buf[i].s)
            continue;
        tps[K] = tp;
        fps[K] = i + 1 - tp;
        K++;
    }
    return K;
}

/* torchmetrics BinaryAUROC (thresholds=None): exact trapezoid from (0,0) over every distinct
 * score, 0 without positives or negatives. */
static double auroc_exact(int64_t K, const int64_t *tps, const int64_t *fps)
{
    int64_t P = K ? tps[K - 1] : 0, Q = K ? fps[K - 1] : 0;
    if (P == 0 || Q == 0)
        return 0.0;
    int64_t area2 = 0, tp_prev = 0, fp_prev = 0; /* 2 * P * Q * AUC */
    for (int64_t k = 0; k < K; k++) {
        area2 += (fps[k] - fp_prev) * (tps[k] + tp_prev);
        tp_prev = tps[k];
        fp_prev = fps[k];
    }
    return (double)area2 / (2.0 * (double)P * (double)Q);
}

/* torchmetrics' _safe_divide with zero_division 0; float64 then float32 equals float32 division
 * of the counts (double rounding is innocuous for a quotient). */
static double ratio(int64_t num, int64_t den)
{
    return den == 0 ? 0.0 : (double)num / (double)den;
}

cJSON *lc_metrics_binary(int64_t N, const float *prob, const uint8_t *target, float threshold,
                         double loss)
{
    if (N < 0 || (N > 0 && (!prob || !target)) || first_bad_row(N, prob, target) >= 0)
        return NULL;
    int64_t correct = 0, tp = 0, fp = 0, tn = 0, fn = 0;
    for (int64_t i = 0; i < N; i++) {
        int y = target[i];
        correct += (prob[i] >= threshold) == y;
        int p = prob[i] > 0.5f;
        tp += p && y;
        fp += p && !y;
        tn += !p && !y;
        fn += !p && y;
    }
    cJSON *out = NULL;
    scored *buf = NULL;
    int64_t *cnt = NULL;
    double auc = 0.0;
    if (N > 0) {
        buf = lc_alloc((size_t)N, sizeof *buf);
        cnt = lc_alloc((size_t)N, 2 * sizeof *cnt);
        if (!buf || !cnt)
            goto free_all;
        int64_t K = clf_curve(N, prob, target, buf, cnt, cnt + N);
        auc = auroc_exact(K, cnt, cnt + N);
    }
    out = cJSON_CreateObject();
    if (!out)
        goto free_all;
    if (add_f32(out, "accuracy", ratio(correct, N)) || add_f32(out, "loss", loss) ||
        add_f32(out, "precision", ratio(tp, tp + fp)) ||
        add_f32(out, "recall", ratio(tp, tp + fn)) || (N > 0 && add_f32(out, "roc_auc", auc)) ||
        add_f32(out, "specificity", ratio(tn, tn + fp))) {
        cJSON_Delete(out);
        out = NULL;
    }
free_all:
    lc_free(cnt);
    lc_free(buf);
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* Binary test statistics (sklearn)                                                           */

static cJSON *float_array(const double *v /* (n) */, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    if (!a)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        cJSON *it = lc_json_float(v[i]);
        if (!it) {
            cJSON_Delete(a);
            return NULL;
        }
        cJSON_AddItemToArray(a, it);
    }
    return a;
}

/* {name_a: a, name_b: b} as float arrays; NULL on allocation failure. */
static cJSON *curve_object(const char *name_a, const double *a, const char *name_b,
                           const double *b, size_t n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *ja = float_array(a, n), *jb = float_array(b, n);
    if (!o || !ja || !jb) {
        cJSON_Delete(o);
        cJSON_Delete(ja);
        cJSON_Delete(jb);
        return NULL;
    }
    cJSON_AddItemToObject(o, name_a, ja);
    cJSON_AddItemToObject(o, name_b, jb);
    return o;
}

/* sklearn roc_curve (drop_intermediate=True) and its trapezoid area. x, y, terms: (K + 1).
 * Returns the number of points written to x (fpr) and y (tpr). */
static size_t roc_points(int64_t K, const int64_t *tps, const int64_t *fps, double *x, double *y,
                         double *terms, double *area)
{
    int64_t P = tps[K - 1], Q = fps[K - 1];
    size_t n = 0;
    x[n] = 0.0; /* counts first, rates below */
    y[n++] = 0.0;
    for (int64_t k = 0; k < K; k++) {
        int keep = K <= 2 || k == 0 || k == K - 1 ||
                   fps[k - 1] - 2 * fps[k] + fps[k + 1] != 0 ||
                   tps[k - 1] - 2 * tps[k] + tps[k + 1] != 0;
        if (!keep)
            continue;
        x[n] = (double)fps[k];
        y[n++] = (double)tps[k];
    }
    for (size_t i = 0; i < n; i++) {
        x[i] = Q > 0 ? x[i] / (double)Q : NAN;
        y[i] = P > 0 ? y[i] / (double)P : NAN;
    }
    /* numpy trapz: sum of diff(x) * (y[1:] + y[:-1]) / 2.0 */
    for (size_t i = 0; i + 1 < n; i++)
        terms[i] = (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0;
    *area = np_sum(terms, n - 1);
    return n;
}

/* sklearn precision_recall_curve, reversed as it returns it, and average precision.
 * prec, rec: (K + 1); terms: (K). */
static double pr_points(int64_t K, const int64_t *tps, const int64_t *fps, double *prec,
                        double *rec, double *terms)
{
    int64_t P = tps[K - 1];
    for (int64_t k = 0; k < K; k++) {
        int64_t ps = tps[k] + fps[k]; /* >= 1: every distinct score has a row */
        size_t r = (size_t)(K - 1 - k);
        prec[r] = ps != 0 ? (double)tps[k] / (double)ps : 0.0;
        rec[r] = P == 0 ? 1.0 : (double)tps[k] / (double)P;
    }
    prec[K] = 1.0;
    rec[K] = 0.0;
    for (int64_t i = 0; i < K; i++)
        terms[i] = (rec[i + 1] - rec[i]) * prec[i];
    return -np_sum(terms, (size_t)K);
}

lc_status lc_metrics_binary_overall(int64_t N, const float *prob, const uint8_t *target,
                                    float threshold, const char *const *labels,
                                    cJSON *feature_obj, lc_error *e)
{
    static const char *const py_bool[2] = {"False", "True"};
    if (!feature_obj)
        return lc_error_set(e, LC_ERR_INTERNAL, "binary statistics: no feature object");
    if (N < 1 || !prob || !target)
        return lc_error_set(e, LC_ERR_DATA, "binary statistics: there are no rows to evaluate");
    int64_t bad = first_bad_row(N, prob, target);
    if (bad >= 0)
        return lc_error_set(e, LC_ERR_DATA,
                            "binary statistics: row %lld has target %d and probability %g; targets must be 0 or 1 and probabilities finite in [0, 1]",
                            (long long)bad, target[bad], (double)prob[bad]);
    if (!labels)
        labels = py_bool;
    if (!labels[0] || !labels[1])
        return lc_error_set(e, LC_ERR_INTERNAL, "binary statistics: a class has no name");

    lc_status st = LC_ERR_NOMEM;
    cJSON *tmp = NULL;
    int32_t *yp = lc_alloc((size_t)N, 2 * sizeof(int32_t)); /* targets, predictions */
    scored *buf = lc_alloc((size_t)N, sizeof *buf);
    int64_t *cnt = lc_alloc((size_t)N, 2 * sizeof *cnt);
    double *dbl = lc_alloc((size_t)N + 1, 3 * sizeof(double));
    if (!yp || !buf || !cnt || !dbl)
        goto fail;
    tmp = cJSON_CreateObject();
    if (!tmp)
        goto fail;

    for (int64_t i = 0; i < N; i++) {
        yp[i] = target[i];
        yp[N + i] = prob[i] >= threshold;
    }
    st = lc_metrics_overall(2, N, yp, yp + N, labels, tmp, e);
    if (st != LC_OK)
        goto fail;
    st = LC_ERR_NOMEM;

    int64_t *tps = cnt, *fps = cnt + N;
    int64_t K = clf_curve(N, prob, target, buf, tps, fps);
    int one_class = tps[K - 1] == 0 || fps[K - 1] == 0;
    double *a = dbl, *b = dbl + (N + 1), *terms = dbl + 2 * (N + 1);

    double area;
    size_t n = roc_points(K, tps, fps, a, b, terms, &area);
    cJSON *roc = curve_object("false_positive_rate", a, "true_positive_rate", b, n);
    if (!roc)
        goto fail;
    cJSON_AddItemToObject(tmp, "roc_curve", roc);
    for (int i = 0; i < 2; i++) {
        cJSON *v = one_class ? cJSON_CreateNull() : lc_json_float(area);
        if (!v)
            goto fail;
        cJSON_AddItemToObject(tmp, i == 0 ? "roc_auc_macro" : "roc_auc_micro", v);
    }

    double ap = pr_points(K, tps, fps, a, b, terms);
    cJSON *pr = curve_object("precisions", a, "recalls", b, (size_t)K + 1);
    if (!pr)
        goto fail;
    cJSON_AddItemToObject(tmp, "precision_recall_curve", pr);
    static const char *const ap_keys[3] = {"average_precision_macro", "average_precision_micro",
                                           "average_precision_samples"};
    for (int i = 0; i < 3; i++)
        if (lc_json_add_float(tmp, ap_keys[i], ap))
            goto fail;

    /* Move everything over, replacing stale keys. Linking a detached item keeps its key and
     * cannot fail (cJSON_AddItemToObject would copy the key and could). */
    while (tmp->child) {
        cJSON *it = cJSON_DetachItemViaPointer(tmp, tmp->child);
        cJSON_DeleteItemFromObjectCaseSensitive(feature_obj, it->string);
        cJSON_AddItemToArray(feature_obj, it);
    }
    st = LC_OK;
fail:
    if (st == LC_ERR_NOMEM)
        lc_error_set(e, st, "binary statistics: out of memory for %lld rows", (long long)N);
    cJSON_Delete(tmp);
    lc_free(dbl);
    lc_free(cnt);
    lc_free(buf);
    lc_free(yp);
    return st;
}

int lc_metrics_tab_higher_is_better(const char *name)
{
    static const char *const higher[] = {"accuracy", "precision", "recall",
                                         "roc_auc",  "specificity", "r2",
                                         "jaccard"};
    static const char *const lower[] = {"loss",
                                        "mean_absolute_error",
                                        "mean_absolute_percentage_error",
                                        "mean_squared_error",
                                        "root_mean_squared_error",
                                        "root_mean_squared_percentage_error"};
    if (!name)
        return -1;
    for (size_t i = 0; i < sizeof higher / sizeof higher[0]; i++)
        if (strcmp(name, higher[i]) == 0)
            return 1;
    for (size_t i = 0; i < sizeof lower / sizeof lower[0]; i++)
        if (strcmp(name, lower[i]) == 0)
            return 0;
    return -1;
}
