/* metrics.c - Ludwig's category-feature metrics: the per-evaluation torchmetrics values
 * (accuracy, accuracy_micro, hits_at_k, roc_auc, loss) and the test-set overall statistics
 * (confusion matrix, sklearn averages, kappa, Ludwig's 24 per-class statistics), as cJSON trees
 * whose numbers print with Python's int/float distinction (lc_json.h).
 * Semantics are described in lc_metrics.h; computing probabilities, losses and predictions is
 * left to the model and trainer.
 */
#include "lc_metrics.h"
#include "ludwig_c.h"

#include "lc_json.h"
#include "lc_mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Evaluation metrics (torchmetrics)                                                          */

/* Does class j (score a) rank before class c (score b)? Higher first, NaN above everything,
 * ties to the lower index. */
static int ranks_before(float a, int j, float b, int c)
{
    int an = isnan(a), bn = isnan(b);
    if (an || bn) {
        if (an && bn)
            return j < c;
        return an;
    }
    if (a != b)
        return a > b;
    return j < c;
}

/* torchmetrics' macro reduction in float32: sum_c (w_c * score_c) / sum_c w_c, 0 if no weight. */
static float macro_f32(int C, const float *score /* (C) */, const unsigned char *w /* (C) */)
{
    float W = 0.f, s = 0.f;
    for (int c = 0; c < C; c++)
        W += w[c] ? 1.f : 0.f;
    if (W == 0.f)
        return 0.f;
    for (int c = 0; c < C; c++)
        if (w[c])
            s += score[c] / W;
    return s;
}

static float safe_div_f32(int64_t num, int64_t den)
{
    return den == 0 ? 0.f : (float)num / (float)den;
}

typedef struct scored {
    float s;
    unsigned char pos;
} scored;

static int scored_desc(const void *pa, const void *pb)
{
    float x = ((const scored *)pa)->s, y = ((const scored *)pb)->s;
    int xn = isnan(x), yn = isnan(y);
    if (xn || yn)
        return yn - xn;
    return (x < y) - (x > y);
}

/* Exact one-vs-rest AUC of class c: trapezoid over the ROC points at each distinct score
 * (tied scores form one point), starting at (0,0). 0 without positives or without negatives
 * (torchmetrics then sets the TPR or FPR curve to zeros). */
static double auc_one_class(int C, int64_t N, const int32_t *labels, const float *probs, int c,
                            scored *buf /* (N) */)
{
    int64_t P = 0;
    for (int64_t i = 0; i < N; i++) {
        buf[i].s = probs[i * C + c];
        buf[i].pos = labels[i] == c;
        P += buf[i].pos;
    }
    int64_t Q = N - P;
    if (P == 0 || Q == 0)
        return 0.0;
    qsort(buf, (size_t)N, sizeof *buf, scored_desc);
    int64_t tp = 0, fp = 0, tp_prev = 0, fp_prev = 0, area2 = 0; /* area2 = 2 * P * Q * AUC */
    for (int64_t i = 0; i < N; i++) {
        if (buf[i].pos)
            tp++;
        else
            fp++;
        if (i + 1 < N && buf[i + 1].s == buf[i].s)
            continue; /* same threshold (NaN never equals, so each NaN is its own point) */
        area2 += (fp - fp_prev) * (tp + tp_prev);
        tp_prev = tp;
        fp_prev = fp;
    }
    return (double)area2 / (2.0 * (double)P * (double)Q);
}

cJSON *lc_metrics_category(int C, int64_t N, const int32_t *labels, const float *probs,
                           double loss, int top_k)
{
    if (C < 1 || N < 0 || top_k < 1 || (N > 0 && (!labels || !probs)))
        return NULL;
    for (int64_t i = 0; i < N; i++)
        if (labels[i] < 0 || labels[i] >= C)
            return NULL;
    cJSON *out = NULL;
    int64_t *cnt = lc_alloc((size_t)C * 4, sizeof(int64_t)); /* tp1, fp1, fn1, tpk per class */
    float *score = lc_alloc((size_t)C, sizeof(float));
    unsigned char *w = lc_alloc((size_t)C, 1);
    scored *buf = N > 0 ? lc_alloc((size_t)N, sizeof(scored)) : NULL;
    if (!cnt || !score || !w || (N > 0 && !buf))
        goto free_all;
    int64_t *tp1 = cnt, *fp1 = cnt + C, *fn1 = cnt + 2 * C, *tpk = cnt + 3 * C;
    int want_hits = C > top_k;

    int64_t correct = 0;
    for (int64_t i = 0; i < N; i++) {
        const float *p = probs + i * C; /* (C) */
        int y = labels[i], a = 0;
        for (int j = 1; j < C; j++)
            if (ranks_before(p[j], j, p[a], a))
                a = j;
        if (a == y) {
            tp1[y]++;
            correct++;
        } else {
            fp1[a]++;
            fn1[y]++;
        }
        if (want_hits) {
            int rank = 0;
            for (int j = 0; j < C && rank < top_k; j++)
                if (j != y && ranks_before(p[j], j, p[y], y))
                    rank++;
            if (rank < top_k)
                tpk[y]++;
        }
    }

    /* accuracy: weight 0 only for classes that are neither targets nor predictions */
    for (int c = 0; c < C; c++) {
        score[c] = safe_div_f32(tp1[c], tp1[c] + fn1[c]);
        w[c] = tp1[c] + fp1[c] + fn1[c] != 0;
    }
    float accuracy = macro_f32(C, score, w);
    float accuracy_micro = safe_div_f32(correct, N);

    /* hits_at_k: torchmetrics >= 1.4 gives weight 0 to classes absent from the targets
     * (tp + fn == 0) when top_k > 1; <= 1.3 used tp + fp + fn == 0 as for accuracy. */
    float hits = 0.f;
    if (want_hits) {
        for (int c = 0; c < C; c++) {
            int64_t support = tp1[c] + fn1[c];
            score[c] = safe_div_f32(tpk[c], support);
            w[c] = support != 0;
        }
        hits = macro_f32(C, score, w);
    }

    float auc_sum = 0.f;
    for (int c = 0; c < C; c++)
        auc_sum += (float)auc_one_class(C, N, labels, probs, c, buf);
    float roc_auc = auc_sum / (float)C;

    out = cJSON_CreateObject();
    if (!out)
        goto free_all;
    if (lc_json_add_float(out, "accuracy", accuracy) ||
        lc_json_add_float(out, "accuracy_micro", accuracy_micro) ||
        (want_hits && lc_json_add_float(out, "hits_at_k", hits)) ||
        lc_json_add_float(out, "loss", (double)(float)loss) ||
        lc_json_add_float(out, "roc_auc", roc_auc)) {
        cJSON_Delete(out);
        out = NULL;
    }
free_all:
    lc_free(buf);
    lc_free(w);
    lc_free(score);
    lc_free(cnt);
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* Overall statistics (sklearn + Ludwig's ConfusionMatrix)                                    */

/* numpy's pairwise summation (add.reduce on a contiguous float64 array), over a[k] = get(k). */
typedef double (*elem_fn)(const void *ctx, size_t k);

static double np_pairwise_sum(elem_fn get, const void *ctx, size_t off, size_t n)
{
    if (n < 8) {
        double res = 0.;
        for (size_t i = 0; i < n; i++)
            res += get(ctx, off + i);
        return res;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; j++)
            r[j] = get(ctx, off + (size_t)j);
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += get(ctx, off + i + (size_t)j);
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += get(ctx, off + i);
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return np_pairwise_sum(get, ctx, off, n2) + np_pairwise_sum(get, ctx, off + n2, n - n2);
}

static double get_double(const void *ctx, size_t k)
{
    return ((const double *)ctx)[k];
}

typedef struct kappa_ctx {
    size_t n;                 /* present labels */
    const int64_t *pred_cnt;  /* (n) column sums over present labels */
    const int64_t *true_cnt;  /* (n) row sums over present labels */
    double total;
} kappa_ctx;

/* w_mat * expected, row-major: expected[i][j] = pred_cnt[i] * true_cnt[j] / total, 0 on the
 * diagonal. */
static double get_kappa_expected(const void *ctx, size_t k)
{
    const kappa_ctx *q = ctx;
    size_t i = k / q->n, j = k % q->n;
    if (i == j)
        return 0.0;
    return (double)(q->pred_cnt[i] * q->true_cnt[j]) / q->total;
}

/* A Python number: Ludwig's per-class functions return the int 0 for a zero denominator. */
typedef struct pyv {
    double v;
    int is_int;
} pyv;

static pyv py_int(int64_t v)
{
    pyv r = {(double)v, 1};
    return r;
}

static pyv py_float(double v)
{
    pyv r = {v, 0};
    return r;
}

static pyv py_ratio(int64_t nom, int64_t den)
{
    return den == 0 ? py_int(0) : py_float((double)nom / (double)den);
}

/* a + b - 1, int only if both are ints */
static pyv py_sum_minus_one(pyv a, pyv b)
{
    if (a.is_int && b.is_int)
        return py_int((int64_t)a.v + (int64_t)b.v - 1);
    return py_float((a.v + b.v) - 1);
}

static double mcc_den(int64_t a, int64_t b, int64_t c, int64_t d)
{
    int64_t ab, cd, prod;
    if (!__builtin_mul_overflow(a, b, &ab) && !__builtin_mul_overflow(c, d, &cd) &&
        !__builtin_mul_overflow(ab, cd, &prod))
        return sqrt((double)prod);
#ifdef __SIZEOF_INT128__
    unsigned __int128 p = (unsigned __int128)a * (unsigned __int128)b;
    unsigned __int128 q = (unsigned __int128)c * (unsigned __int128)d;
    if (p == 0 || q <= ~(unsigned __int128)0 / p)
        return sqrt((double)(p * q));
#endif
    return sqrt((long double)a * b * c * d);
}

static int add_pyv(cJSON *o, const char *key, pyv v)
{
    cJSON *it = v.is_int ? lc_json_int((long long)v.v) : lc_json_float(v.v);
    if (!it)
        return -1;
    cJSON_AddItemToObject(o, key, it);
    return 0;
}

static cJSON *class_stats(int64_t all, int64_t tp, int64_t sum_pred, int64_t sum_cond)
{
    int64_t tn = all - sum_pred - sum_cond + tp;
    int64_t fp = sum_pred - tp;
    int64_t fn = sum_cond - tp;
    pyv tpr = py_ratio(tp, sum_cond);
    pyv tnr = py_ratio(tn, tn + fp);
    pyv ppv = py_ratio(tp, sum_pred);
    pyv npv = py_ratio(tn, tn + fn);
    pyv fnr = py_float(1.0 - tpr.v);
    pyv fpr = py_float(1.0 - tnr.v);
    pyv fdr = py_float(1.0 - ppv.v);
    pyv fomr = py_float(1.0 - npv.v);
    pyv acc = py_ratio(tp + tn, all);
    /* F-beta with beta = 1 as Ludwig writes it: (2 * P * R) / (P + R), int 0 if P + R == 0 */
    pyv f1 = ppv.v + tpr.v == 0 ? py_int(0) : py_float((2.0 * ppv.v * tpr.v) / (ppv.v + tpr.v));
    double den = mcc_den(tp + fp, tp + fn, tn + fp, tn + fn);
    pyv mcc = den == 0 ? py_int(0) : py_float((double)(tp * tn - fp * fn) / den);
    pyv informedness = py_sum_minus_one(tpr, tnr);
    pyv markedness = py_sum_minus_one(ppv, npv);

    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    struct {
        const char *k;
        pyv v;
    } kv[] = {
        {"true_positives", py_int(tp)},
        {"true_negatives", py_int(tn)},
        {"false_positives", py_int(fp)},
        {"false_negatives", py_int(fn)},
        {"true_positive_rate", tpr},
        {"true_negative_rate", tnr},
        {"positive_predictive_value", ppv},
        {"negative_predictive_value", npv},
        {"false_negative_rate", fnr},
        {"false_positive_rate", fpr},
        {"false_discovery_rate", fdr},
        {"false_omission_rate", fomr},
        {"accuracy", acc},
        {"precision", ppv},
        {"recall", tpr},
        {"f1_score", f1},
        {"sensitivity", tpr},
        {"specificity", tnr},
        {"hit_rate", tpr},
        {"miss_rate", fnr},
        {"fall_out", fpr},
        {"matthews_correlation_coefficient", mcc},
        {"informedness", informedness},
        {"markedness", markedness},
    };
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        if (add_pyv(o, kv[i].k, kv[i].v)) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

/* sklearn's accuracy, P/R/F1 averages and Cohen's kappa on the present labels. */
static cJSON *overall_stats(int C, int64_t N, const int64_t *diag /* (C) */,
                            const int64_t *sum_cond /* (C) */, const int64_t *sum_pred /* (C) */,
                            double *scratch /* (5 * C) */, int64_t *present_cnt /* (2 * C) */)
{
    int64_t correct = 0;
    size_t n = 0;
    double *prec = scratch, *rec = scratch + C, *f1 = scratch + 2 * C;
    double *support = scratch + 3 * C, *f1w = scratch + 4 * C;
    int64_t *pc = present_cnt, *tc = present_cnt + C;
    for (int c = 0; c < C; c++)
        correct += diag[c];
    /* macro precision / recall / f1 and weighted f1 over labels in y_true U y_pred */
    for (int c = 0; c < C; c++) {
        if (sum_cond[c] == 0 && sum_pred[c] == 0)
            continue;
        int64_t tp = diag[c];
        prec[n] = sum_pred[c] ? (double)tp / (double)sum_pred[c] : 0.0;
        rec[n] = sum_cond[c] ? (double)tp / (double)sum_cond[c] : 0.0;
        f1[n] = (2.0 * (double)tp) / ((double)sum_cond[c] + (double)sum_pred[c]);
        support[n] = (double)sum_cond[c];
        f1w[n] = f1[n] * support[n];
        pc[n] = sum_pred[c];
        tc[n] = sum_cond[c];
        n++;
    }
    double dn = (double)n;
    double p_macro = np_pairwise_sum(get_double, prec, 0, n) / dn;
    double r_macro = np_pairwise_sum(get_double, rec, 0, n) / dn;
    double f_macro = np_pairwise_sum(get_double, f1, 0, n) / dn;
    double f_weighted = np_pairwise_sum(get_double, f1w, 0, n) /
                        np_pairwise_sum(get_double, support, 0, n);
    double micro = (double)correct / (double)N;
    double f_micro = (2.0 * (double)correct) / ((double)N + (double)N);

    kappa_ctx kq = {n, pc, tc, (double)N};
    double expected = np_pairwise_sum(get_kappa_expected, &kq, 0, n * n);
    double kappa = 1.0 - (double)(N - correct) / expected; /* 0/0 -> NaN as numpy gives */

    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    struct {
        const char *k;
        double v;
    } kv[] = {
        {"token_accuracy", micro},
        {"avg_precision_macro", p_macro},
        {"avg_recall_macro", r_macro},
        {"avg_f1_score_macro", f_macro},
        {"avg_precision_micro", micro},
        {"avg_recall_micro", micro},
        {"avg_f1_score_micro", f_micro},
        {"avg_precision_weighted", micro}, /* Ludwig passes average="micro" here */
        {"avg_recall_weighted", micro},    /* and here */
        {"avg_f1_score_weighted", f_weighted},
        {"kappa_score", kappa},
    };
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        if (lc_json_add_float(o, kv[i].k, kv[i].v)) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

lc_status lc_metrics_overall(int C, int64_t N, const int32_t *labels, const int32_t *preds,
                             const char *const *idx2str, cJSON *feature_obj, lc_error *e)
{
    if (C < 1 || !idx2str || !feature_obj)
        return lc_error_set(e, LC_ERR_INTERNAL, "overall statistics: invalid arguments (%d classes)", C);
    if (N < 1 || !labels || !preds)
        return lc_error_set(e, LC_ERR_DATA, "overall statistics: there are no rows to evaluate");
    for (int64_t i = 0; i < N; i++) {
        if (labels[i] < 0 || labels[i] >= C || preds[i] < 0 || preds[i] >= C)
            return lc_error_set(e, LC_ERR_DATA,
                                "overall statistics: row %lld has target %d and prediction %d, outside the %d-class vocabulary",
                                (long long)i, labels[i], preds[i], C);
    }
    for (int c = 0; c < C; c++)
        if (!idx2str[c])
            return lc_error_set(e, LC_ERR_INTERNAL, "overall statistics: class %d has no name", c);

    lc_status st = LC_ERR_NOMEM;
    cJSON *cmj = NULL, *ov = NULL, *pcs = NULL;
    size_t CC;
    int with_cm = C <= LC_CONFUSION_MATRIX_MAX;
    int64_t *cm = NULL, *sums = NULL, *present = NULL;
    double *scratch = NULL;
    if (lc_size_mul((size_t)C, (size_t)C, &CC) != 0)
        goto fail;
    if (with_cm && !(cm = lc_alloc(CC, sizeof(int64_t))))
        goto fail;
    sums = lc_alloc((size_t)C * 3, sizeof(int64_t));
    present = lc_alloc((size_t)C * 2, sizeof(int64_t));
    scratch = lc_alloc((size_t)C * 5, sizeof(double));
    if (!sums || !present || !scratch)
        goto fail;
    int64_t *sum_cond = sums, *sum_pred = sums + C, *diag = sums + 2 * (size_t)C;
    for (int64_t i = 0; i < N; i++) {
        if (cm)
            cm[(size_t)labels[i] * C + preds[i]]++;
        sum_cond[labels[i]]++;
        sum_pred[preds[i]]++;
        diag[labels[i]] += labels[i] == preds[i];
    }

    if (cm) {
        cmj = cJSON_CreateArray();
        if (!cmj)
            goto fail;
        for (int r = 0; r < C; r++) {
            cJSON *row = cJSON_CreateArray();
            if (!row)
                goto fail;
            cJSON_AddItemToArray(cmj, row);
            for (int c = 0; c < C; c++) {
                cJSON *v = lc_json_int(cm[(size_t)r * C + c]);
                if (!v)
                    goto fail;
                cJSON_AddItemToArray(row, v);
            }
        }
    }
    ov = overall_stats(C, N, diag, sum_cond, sum_pred, scratch, present);
    if (!ov)
        goto fail;
    pcs = cJSON_CreateObject();
    if (!pcs)
        goto fail;
    for (int c = 0; c < C; c++) {
        cJSON *s = class_stats(N, diag[c], sum_pred[c], sum_cond[c]);
        if (!s)
            goto fail;
        cJSON_AddItemToObject(pcs, idx2str[c], s);
    }

    cJSON_DeleteItemFromObjectCaseSensitive(feature_obj, "confusion_matrix");
    cJSON_DeleteItemFromObjectCaseSensitive(feature_obj, "overall_stats");
    cJSON_DeleteItemFromObjectCaseSensitive(feature_obj, "per_class_stats");
    if (cmj)
        cJSON_AddItemToObject(feature_obj, "confusion_matrix", cmj);
    cJSON_AddItemToObject(feature_obj, "overall_stats", ov);
    cJSON_AddItemToObject(feature_obj, "per_class_stats", pcs);
    cmj = ov = pcs = NULL;
    st = LC_OK;
fail:
    if (st != LC_OK)
        lc_error_set(e, st, "overall statistics: out of memory for %d classes", C);
    cJSON_Delete(cmj);
    cJSON_Delete(ov);
    cJSON_Delete(pcs);
    lc_free(scratch);
    lc_free(present);
    lc_free(sums);
    lc_free(cm);
    return st;
}

/* ------------------------------------------------------------------------------------------ */

double lc_metric_value(const cJSON *metrics, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(metrics, name);
    if (cJSON_IsArray(it)) {
        const cJSON *last = it->child ? it->child->prev : NULL; /* cJSON keeps the tail here */
        it = last;
    }
    if (cJSON_IsNumber(it))
        return it->valuedouble;
    if (cJSON_IsRaw(it) && it->valuestring)
        return strtod(it->valuestring, NULL);
    return NAN;
}

int lc_metric_higher_is_better(const char *name)
{
    static const char *const higher[] = {"accuracy", "accuracy_micro", "hits_at_k", "roc_auc"};
    if (!name)
        return -1;
    for (size_t i = 0; i < sizeof higher / sizeof higher[0]; i++)
        if (strcmp(name, higher[i]) == 0)
            return 1;
    if (strcmp(name, "loss") == 0)
        return 0;
    return -1;
}
