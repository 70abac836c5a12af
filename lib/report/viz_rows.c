/* viz_rows.c - Ludwig 0.10.3's `ludwig visualize` views computed from per-row probabilities or
 * predictions and the ground truth (ludwig/visualize.py, drawn there by
 * ludwig/utils/visualization_utils.py), as SVG with Ludwig's file names:
 *   compare_classifiers_performance_from_prob   accuracy, hits_at_k, mrr per model (bars)
 *   compare_classifiers_performance_from_pred   accuracy, macro precision / recall / f1 (bars)
 *   compare_classifiers_performance_subset      accuracy, hits_at_k on the first k classes (bars)
 *   compare_classifiers_performance_changing_k  hits@k for k = 1..top_k per model (lines)
 *   compare_classifiers_predictions_<c1>_<c2>   two models' agreement counts (bars, for a donut)
 *   compare_classifiers_predictions_distribution  the first 10 classes' share of the ground truth
 *                                               and of each model's predictions (bars, for a radar)
 *   confidence_thresholding                     accuracy and coverage per threshold (lines)
 *   confidence_thresholding_data_vs_acc[_subset]  accuracy against coverage (lines)
 *   confidence_thresholding_data_vs_acc_subset_per_class_<class>  the same per class
 *   confidence_thresholding_2thresholds_2d_{multiline,maxline,maxline_with_thresholds}
 *   confidence_thresholding_2thresholds_3d      both thresholds' accuracy and coverage grids
 *                                               (heat maps, for Ludwig's two 3D surfaces)
 *   binary_threshold_vs_metric_<metric>         f1 / precision / recall / accuracy per threshold
 *   roc_curves, precision_recall_curve          sklearn's curves of one class against the rest
 *   calibration_1_vs_all_{<k>,prediction_distribution_<k>,brier}  per class reliability curves,
 *                                               probability histograms and Brier scores
 *   calibration_multiclass, calibration_multiclass_brier  the same over every (row, class)
 * Numbers are computed as Ludwig computes them, with Ludwig's quirks (see
 * docs/visualize_rows.md); where matplotlib draws something svg.c has no primitive for (donut,
 * radar, 3D surface, seaborn's bootstrapped band) an equivalent of the same numbers is drawn.
 * Reading prediction files and writing figures are the caller's (lib/ludwig/commands). */
#include "lc_viz_rows.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_mem.h"
#include "lc_npsum.h"
#include "report_int.h"

#define NT 21       /* Ludwig's thresholds: t / 100 for t = 0, 5, ..., 100 */
#define NBINS 21    /* calibration_curve(n_bins=21) */
#define HBINS 41    /* plt.hist(bins=41, range=(0, 1)) */
#define GRID 100    /* seaborn's regression line: 100 points */
#define NP_BUFSIZE 8192 /* numpy's reduction buffer: blocks summed pairwise, in order */

typedef enum vr_view {
    VR_FROM_PROB,
    VR_FROM_PRED,
    VR_SUBSET,
    VR_CHANGING_K,
    VR_PREDICTIONS,
    VR_PRED_DIST,
    VR_CONF,
    VR_DATA_VS_ACC,
    VR_DATA_VS_ACC_SUBSET,
    VR_PER_CLASS,
    VR_2D,
    VR_3D,
    VR_BINARY_THRESHOLD,
    VR_ROC,
    VR_PR,
    VR_CAL_1_VS_ALL,
    VR_CAL_MULTICLASS,
    VR_N
} vr_view;

static const char *const view_names[VR_N + 1] = {
    "compare_classifiers_performance_from_prob",
    "compare_classifiers_performance_from_pred",
    "compare_classifiers_performance_subset",
    "compare_classifiers_performance_changing_k",
    "compare_classifiers_predictions",
    "compare_classifiers_predictions_distribution",
    "confidence_thresholding",
    "confidence_thresholding_data_vs_acc",
    "confidence_thresholding_data_vs_acc_subset",
    "confidence_thresholding_data_vs_acc_subset_per_class",
    "confidence_thresholding_2thresholds_2d",
    "confidence_thresholding_2thresholds_3d",
    "binary_threshold_vs_metric",
    "roc_curves",
    "precision_recall_curves",
    "calibration_1_vs_all",
    "calibration_multiclass",
    NULL,
};

const char *const *lc_viz_rows_views(void)
{
    return view_names;
}

static int view_of(const char *view)
{
    for (int v = 0; view && v < VR_N; v++)
        if (strcmp(view_names[v], view) == 0)
            return v;
    return -1;
}

int lc_viz_rows_uses_preds(const char *view)
{
    int v = view_of(view);
    if (v < 0)
        return -1;
    return v == VR_FROM_PRED || v == VR_PREDICTIONS || v == VR_PRED_DIST;
}

void lc_viz_row_opts_default(lc_viz_row_opts *o)
{
    static const int top_n[1] = {0};
    static const char *const metrics[1] = {"f1"};
    *o = (lc_viz_row_opts){.top_n_classes = top_n, .ntop = 1, .top_k = 3, .labels_limit = 0,
                           .subset = "ground_truth", .metrics = metrics, .nmetrics = 1,
                           .positive_label = 1};
}

/* ---- figures ---- */


/* Two figures one above the other in one picture (both taken), as Ludwig's one figure with two
 * surfaces. */
static char *stack2(char *a, char *b)
{
    char *out = NULL;
    if (a && b) {
        const char *ha = strstr(a, "height=\""), *hb = strstr(b, "height=\"");
        long h1 = ha ? strtol(ha + 8, NULL, 10) : 0, h2 = hb ? strtol(hb + 8, NULL, 10) : 0;
        size_t cap = strlen(a) + strlen(b) + 256;
        if ((out = malloc(cap)))
            snprintf(out, cap,
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"%ld\" "
                     "viewBox=\"0 0 640 %ld\"><g transform=\"translate(0,0)\">%s</g>"
                     "<g transform=\"translate(0,%ld)\">%s</g></svg>",
                     h1 + h2, h1 + h2, a, h1, b);
    }
    free(a);
    free(b);
    return out;
}

/* ---- small helpers ---- */

static void *arr(size_t n, size_t size)
{
    return lc_realloc_array(NULL, n ? n : 1, size);
}

/* Model i's name as given (--model_names), or NULL. */
static const char *given(const lc_viz_rows *r, int i)
{
    return r->model_names && i < r->nnames && r->model_names[i] && r->model_names[i][0]
               ? r->model_names[i]
               : NULL;
}

/* A model's colour in rep_svg_xy_many's palette (grey is kept for references). */
static int mcol(int i)
{
    static const int c[7] = {0, 1, 2, 4, 5, 6, 7};
    return c[i % 7];
}

/* Ludwig's threshold i as Python computes t / 100, and as compared with float32 probabilities
 * (numpy casts the Python float to float32); the last (1.0) replaced by `one`. */
static double thr(int i)
{
    return (double)(5 * i) / 100.0;
}

static float thr_f32(int i, double one)
{
    return (float)(thr(i) < 1 ? thr(i) : one);
}

static int has_probs(const lc_viz_rows *r)
{
    if (!r || !r->probs || r->nmodels < 1 || r->n < 1 || r->C < 1 || !r->truth)
        return 0;
    for (int m = 0; m < r->nmodels; m++)
        if (!r->probs[m])
            return 0;
    return 1;
}

static int has_preds(const lc_viz_rows *r)
{
    if (!r || !r->preds || r->nmodels < 1 || r->n < 1 || !r->truth)
        return 0;
    for (int m = 0; m < r->nmodels; m++)
        if (!r->preds[m])
            return 0;
    return 1;
}

/* The ground truth with labels_limit applied (values above L become L), as Ludwig does first. */
static int32_t *clipped(const int32_t *v /* (n) */, int n, int L)
{
    int32_t *g = arr((size_t)n, sizeof *g);
    for (int i = 0; g && i < n; i++)
        g[i] = L > 0 && v[i] > L ? L : v[i];
    return g;
}

/* Model m's probabilities with labels_limit L applied as Ludwig does: when C > L + 1 the columns
 * from L on are summed (in float32, as numpy sums a row) into column L, the rest dropped. Sets
 * *Cout to the columns and *own to what the caller frees (NULL: the input itself is returned);
 * NULL when memory runs out. */
static const float *folded(const lc_viz_rows *r, int m, int L, int *Cout, float **own)
{
    const float *p = r->probs[m];
    *own = NULL;
    *Cout = r->C;
    if (L <= 0 || r->C <= L + 1)
        return p;
    int C2 = L + 1;
    float *q = arr((size_t)r->n * (size_t)C2, sizeof *q);
    if (!q)
        return NULL;
    for (int i = 0; i < r->n; i++) {
        const float *row = p + (size_t)i * (size_t)r->C;
        memcpy(q + (size_t)i * (size_t)C2, row, (size_t)L * sizeof *q);
        q[(size_t)i * (size_t)C2 + (size_t)L] = lc_np_pairwise_f32(row + L, (size_t)(r->C - L));
    }
    *own = q;
    *Cout = C2;
    return q;
}

/* Whether class a (probability pa) comes after class b in numpy's ascending argsort of a row:
 * NaN last, ties by index (numpy's sort of a short row is an insertion sort: stable). */
static int sorts_after(float pa, int a, float pb, int b)
{
    int na = isnan(pa), nb = isnan(pb);
    if (na != nb)
        return na;
    if (na || pa == pb)
        return a > b;
    return pa > pb;
}

/* The rank of class g in a row: how many classes come after it in the ascending argsort (0:
 * argsort(...)[-1]); -1 when g is not a class. */
static int rank_of(const float *row /* (C) */, int C, int g)
{
    if (g < 0 || g >= C)
        return -1;
    int k = 0;
    for (int c = 0; c < C; c++)
        k += c != g && sorts_after(row[c], c, row[g], g);
    return k;
}

/* argsort(row)[-1]: the last class of the ascending sort. */
static int top1_of(const float *row /* (C) */, int C)
{
    int b = 0;
    for (int c = 1; c < C; c++)
        if (sorts_after(row[c], c, row[b], b))
            b = c;
    return b;
}

/* np.argmax of a row (the first maximum; a NaN is the maximum) and np.max. */
static int argmax_of(const float *row /* (C) */, int C, float *mx)
{
    int b = 0;
    for (int c = 0; c < C; c++) {
        if (isnan(row[c])) {
            *mx = row[c];
            return c;
        }
        if (row[c] > row[b])
            b = c;
    }
    *mx = row[b];
    return b;
}

/* np.add.reduce of a contiguous float64 array: pairwise within numpy's 8192-element blocks. */
static double np_sum(const double *a /* (n) */, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i += NP_BUFSIZE)
        s += lc_np_pairwise_f64(a + i, n - i < NP_BUFSIZE ? n - i : NP_BUFSIZE);
    return s;
}

/* Bars of compare_classifiers_plot: for each model (in order) one bar per metric, labelled
 * "<model> <metric>" (the model's label: mlabel[m], "" for none). */
static char *classifier_bars(const char *title, int nmodels, const char *const *mlabel /* (nmodels) */,
                             int nmet, const char *const *metric /* (nmet) */,
                             const double *v /* (nmodels, nmet) */, int decimals)
{
    int nb = nmodels * nmet;
    char(*lab)[256] = arr((size_t)nb, sizeof *lab);
    const char **lp = arr((size_t)nb, sizeof *lp);
    char *svg = NULL;
    if (lab && lp) {
        for (int m = 0; m < nmodels; m++)
            for (int j = 0; j < nmet; j++) {
                int q = m * nmet + j;
                snprintf(lab[q], sizeof lab[q], "%s%s%s", mlabel[m], *mlabel[m] ? " " : "", metric[j]);
                lp[q] = lab[q];
            }
        svg = rep_svg_hbars(title, "", lp, v, nb, decimals);
    }
    free(lab);
    free(lp);
    return svg;
}

/* compare_classifiers_plot names no model it is not given: several are told apart by their
 * place there, here by "model <i + 1>". */
static void bar_labels(const lc_viz_rows *r, char (*buf)[128] /* (nmodels) */,
                       const char **out /* (nmodels) */)
{
    for (int m = 0; m < r->nmodels; m++) {
        if (given(r, m))
            snprintf(buf[m], sizeof buf[m], "%s", given(r, m));
        else if (r->nmodels > 1)
            snprintf(buf[m], sizeof buf[m], "model %d", m + 1);
        else
            buf[m][0] = '\0';
        out[m] = buf[m];
    }
}

static int top_n0(const lc_viz_row_opts *o)
{
    return o->top_n_classes && o->ntop > 0 ? o->top_n_classes[0] : 0;
}

/* ---- compare_classifiers_performance_from_prob / _from_pred / _subset / _changing_k ---- */

static int v_from_prob(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o)
{
    if (!has_probs(r))
        return 0;
    int k = top_n0(o), M = r->nmodels, ok = 1;
    int32_t *gt = clipped(r->truth, r->n, o->labels_limit);
    double *v = arr((size_t)M * 3, sizeof *v);
    char(*mb)[128] = arr((size_t)M, sizeof *mb);
    const char **ml = arr((size_t)M, sizeof *ml);
    if (!gt || !v || !mb || !ml)
        ok = 0;
    for (int m = 0; ok && m < M; m++) {
        int C;
        float *own;
        const float *p = folded(r, m, o->labels_limit, &C, &own);
        if (!p) {
            ok = 0;
            break;
        }
        /* the classes prob[:, -k:] keeps: all when k is 0 (-0 is 0) or above C, and for a
         * negative k all but the -k lowest */
        int kk = k == 0 || k > C ? C : k > 0 ? k : C + k > 0 ? C + k : 0;
        long acc = 0, hits = 0;
        double mrr = 0;
        for (int i = 0; i < r->n; i++) {
            const float *row = p + (size_t)i * (size_t)C;
            int rk = rank_of(row, C, gt[i]);
            acc += gt[i] == top1_of(row, C);
            hits += rk >= 0 && rk < kk;
            if (rk >= 0)
                mrr += 1.0 / (double)(rk + 1); /* 1 / -(position - C) */
        }
        v[m * 3] = (double)acc / r->n;
        v[m * 3 + 1] = (double)hits / r->n;
        v[m * 3 + 2] = mrr / r->n;
        free(own);
    }
    int made = 0;
    if (ok) {
        static const char *const metric[3] = {"accuracy", "hits_at_k", "mrr"};
        bar_labels(r, mb, ml);
        made = lc_figs_add(f, classifier_bars("", M, ml, 3, metric, v, 4),
                       "compare_classifiers_performance_from_prob");
    } else {
        f->oom = 1;
    }
    free(gt), free(v), free(mb), free(ml);
    return made;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* sklearn's accuracy and macro precision, recall and F1 (sklearn 1.2: F from precision and
 * recall, 0 where undefined) over the labels present in truth or predictions. v: (4). */
static int macro_scores(const int32_t *gt /* (n) */, const int32_t *pr /* (n) */, int n,
                        double *v /* (4) */)
{
    int32_t *lab = arr((size_t)n * 2, sizeof *lab);
    long(*cnt)[3] = NULL; /* per label: tp, predicted, true */
    double *ps = NULL, *rs = NULL, *fs = NULL;
    int K = 0, ok = 0;
    if (!lab)
        goto done;
    memcpy(lab, gt, (size_t)n * sizeof *lab);
    memcpy(lab + n, pr, (size_t)n * sizeof *lab);
    qsort(lab, (size_t)n * 2, sizeof *lab, cmp_i32);
    for (int i = 0; i < 2 * n; i++)
        if (K == 0 || lab[i] != lab[K - 1])
            lab[K++] = lab[i];
    cnt = arr((size_t)K, sizeof *cnt);
    ps = arr((size_t)K, sizeof *ps);
    rs = arr((size_t)K, sizeof *rs);
    fs = arr((size_t)K, sizeof *fs);
    if (!cnt || !ps || !rs || !fs)
        goto done;
    memset(cnt, 0, (size_t)K * sizeof *cnt);
    long acc = 0;
    for (int i = 0; i < n; i++) {
        int32_t *a = bsearch(&gt[i], lab, (size_t)K, sizeof *lab, cmp_i32);
        int32_t *b = bsearch(&pr[i], lab, (size_t)K, sizeof *lab, cmp_i32);
        cnt[b - lab][1]++;
        cnt[a - lab][2]++;
        if (gt[i] == pr[i]) {
            cnt[a - lab][0]++;
            acc++;
        }
    }
    for (int j = 0; j < K; j++) {
        ps[j] = cnt[j][1] ? (double)cnt[j][0] / (double)cnt[j][1] : 0;
        rs[j] = cnt[j][2] ? (double)cnt[j][0] / (double)cnt[j][2] : 0;
        double den = ps[j] + rs[j];
        fs[j] = den != 0 ? 2 * ps[j] * rs[j] / den : 0;
    }
    v[0] = (double)acc / n;
    v[1] = np_sum(ps, (size_t)K) / K;
    v[2] = np_sum(rs, (size_t)K) / K;
    v[3] = np_sum(fs, (size_t)K) / K;
    ok = 1;
done:
    free(lab), free(cnt), free(ps), free(rs), free(fs);
    return ok;
}

static int v_from_pred(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o)
{
    if (!has_preds(r))
        return 0;
    int M = r->nmodels, ok = 1;
    /* Ludwig limits the ground truth's labels only, not the predictions' */
    int32_t *gt = clipped(r->truth, r->n, o->labels_limit);
    double *v = arr((size_t)M * 4, sizeof *v);
    char(*mb)[128] = arr((size_t)M, sizeof *mb);
    const char **ml = arr((size_t)M, sizeof *ml);
    ok = gt && v && mb && ml;
    for (int m = 0; ok && m < M; m++)
        ok = macro_scores(gt, r->preds[m], r->n, v + m * 4);
    int made = 0;
    if (ok) {
        static const char *const metric[4] = {"accuracy", "precision", "recall", "f1"};
        bar_labels(r, mb, ml);
        made = lc_figs_add(f, classifier_bars("", M, ml, 4, metric, v, 4),
                       "compare_classifiers_performance_from_pred");
    } else {
        f->oom = 1;
    }
    free(gt), free(v), free(mb), free(ml);
    return made;
}

static int v_subset(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o)
{
    if (!has_probs(r))
        return 0;
    int k = top_n0(o), M = r->nmodels, by_pred = strcmp(o->subset, "predictions") == 0;
    int32_t *gt = clipped(r->truth, r->n, o->labels_limit);
    int *sel = arr((size_t)r->n, sizeof *sel); /* the subset's rows */
    double *v = arr((size_t)M * 2, sizeof *v);
    char(*mb)[128] = arr((size_t)M, sizeof *mb);
    const char **ml = arr((size_t)M, sizeof *ml);
    int ok = gt && sel && v && mb && ml, empty = 0, ngt = 0;
    for (int i = 0; ok && i < r->n; i++)
        ngt += gt[i] < k;
    for (int m = 0; ok && !empty && m < M; m++) {
        int C, ns = 0;
        float *own;
        const float *p = folded(r, m, o->labels_limit, &C, &own);
        if (!p) {
            ok = 0;
            break;
        }
        for (int i = 0; i < r->n; i++) {
            float mx;
            const float *row = p + (size_t)i * (size_t)C;
            if (by_pred ? argmax_of(row, C, &mx) < k : gt[i] < k)
                sel[ns++] = i;
        }
        /* an empty subset (or one with fewer rows than the model's index, below) stops Ludwig
         * with an exception: no figure */
        if (ns == 0 || ns <= m) {
            empty = 1;
            free(own);
            break;
        }
        long acc = 0, hits = 0;
        /* Ludwig's hits_at_k tests every row's class against the top 3 classes of the subset's
         * row number m (the model's index: top3_subset[i, :]), not of the row itself */
        const float *rowm = p + (size_t)sel[m] * (size_t)C;
        for (int j = 0; j < ns; j++) {
            const float *row = p + (size_t)sel[j] * (size_t)C;
            int g = gt[sel[j]], rk = rank_of(rowm, C, g);
            acc += g == top1_of(row, C);
            hits += rk >= 0 && rk < 3;
        }
        v[m * 2] = (double)acc / ns;
        v[m * 2 + 1] = (double)hits / ns;
        if (by_pred) { /* Ludwig renames the model "<name or index> (<share>%)" */
            if (given(r, m))
                snprintf(mb[m], sizeof mb[m], "%s (%.2f%%)", given(r, m), (double)ns / r->n * 100);
            else
                snprintf(mb[m], sizeof mb[m], "%d (%.2f%%)", m, (double)ns / r->n * 100);
            ml[m] = mb[m];
        }
        free(own);
    }
    int made = 0;
    if (ok && !empty) {
        static const char *const metric[2] = {"accuracy", "hits_at_k"};
        char title[256];
        if (by_pred) {
            snprintf(title, sizeof title, "Classifier performance on first %d class%s", k, k > 1 ? "es" : "");
        } else {
            bar_labels(r, mb, ml);
            snprintf(title, sizeof title, "Classifier performance on first %d class%s (%.2f%%)", k,
                     k > 1 ? "es" : "", (double)ngt / r->n * 100);
        }
        made = lc_figs_add(f, classifier_bars(title, M, ml, 2, metric, v, 4),
                       "compare_classifiers_performance_subset");
    } else if (!ok) {
        f->oom = 1;
    }
    free(gt), free(sel), free(v), free(mb), free(ml);
    return made;
}

/* One model's series of an x-y chart: a line with its points marked (matplotlib's marker "o"). */
static int line_and_points(rep_xy *s /* (2) */, const char *name, const double *x /* (n) */,
                           const double *y /* (n) */, int n, int colour)
{
    s[0] = (rep_xy){.name = name, .x = x, .y = y, .n = n, .kind = REP_XY_LINE,
                    .style = REP_XYM(colour, 0, 0)};
    s[1] = (rep_xy){.name = NULL, .x = x, .y = y, .n = n, .kind = REP_XY_POINTS,
                    .style = REP_XYM(colour, 0, 0)};
    return 2;
}

static int v_changing_k(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o)
{
    int k = o->top_k, M = r->nmodels;
    if (!has_probs(r) || k < 1)
        return 0;
    int32_t *gt = clipped(r->truth, r->n, o->labels_limit);
    double *x = arr((size_t)k, sizeof *x), *h = arr((size_t)M * (size_t)k, sizeof *h);
    long *cnt = arr((size_t)k, sizeof *cnt);
    rep_xy *s = arr((size_t)M * 2, sizeof *s);
    char(*names)[160] = arr((size_t)M, sizeof *names);
    int ok = gt && x && h && cnt && s && names, ns = 0;
    for (int j = 0; ok && j < k; j++)
        x[j] = j + 1;
    for (int m = 0; ok && m < M; m++) {
        int C;
        float *own;
        const float *p = folded(r, m, o->labels_limit, &C, &own);
        if (!p) {
            ok = 0;
            break;
        }
        memset(cnt, 0, (size_t)k * sizeof *cnt);
        for (int i = 0; i < r->n; i++) {
            int rk = rank_of(p + (size_t)i * (size_t)C, C, gt[i]);
            for (int j = 0; rk >= 0 && j < k; j++)
                cnt[j] += rk < j + 1; /* in prob[g, -j - 1:] */
        }
        for (int j = 0; j < k; j++)
            h[(size_t)m * k + j] = (double)cnt[j] / r->n;
        if (given(r, m))
            snprintf(names[m], sizeof names[m], "%s", given(r, m));
        else
            snprintf(names[m], sizeof names[m], "Algorithm %d", m);
        ns += line_and_points(s + ns, names[m], x, h + (size_t)m * k, k, mcol(m));
        free(own);
    }
    int made = 0;
    if (ok) {
        double pad = k > 1 ? 0.05 * (k - 1) : 0.5, range[4] = {1 - pad, k + pad, 0, 1.02};
        made = lc_figs_add(f, rep_svg_xy_many("Classifier comparison (hits@k)", "k", "hits@k", s, ns, range),
                       "compare_classifiers_performance_changing_k");
    } else {
        f->oom = 1;
    }
    free(gt), free(x), free(h), free(cnt), free(s), free(names);
    return made;
}

/* ---- compare_classifiers_predictions / _distribution ---- */

static int v_predictions(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o)
{
    if (!has_preds(r) || r->nmodels < 2)
        return 0;
    int L = o->labels_limit;
    long both_right = 0, same = 0, diff = 0, c1_only = 0, c2_only = 0, all = r->n;
    for (int i = 0; i < r->n; i++) {
        int32_t g = r->truth[i], a = r->preds[0][i], b = r->preds[1][i];
        if (L > 0) { /* the truth and both models' predictions are limited */
            g = g > L ? L : g;
            a = a > L ? L : a;
            b = b > L ? L : b;
        }
        if (g == a && g == b)
            both_right++;
        else if (g != a && g != b)
            *(a == b ? &same : &diff) += 1;
        else if (g == a)
            c1_only++;
        else
            c2_only++;
    }
    const char *c1 = given(r, 0) ? given(r, 0) : "c1", *c2 = given(r, 1) ? given(r, 1) : "c2";
    long one = c1_only + c2_only, wrong = same + diff;
    /* the donut's rings as bars: inner ring (both right, one right, both wrong) each followed
     * by its outer ring's parts, in the donut's legend order; the share of all rows in each
     * label, as the pie's "count (percent)" */
    const long val[7] = {both_right, one, c1_only, c2_only, wrong, same, diff};
    char lab[7][320];
    const char *lp[7];
    double v[7];
    char part[2][300];
    snprintf(part[0], sizeof part[0], "%s right / %s wrong", c1, c2);
    snprintf(part[1], sizeof part[1], "%s wrong / %s right", c1, c2);
    const char *text[7] = {"both right", "one right", part[0], part[1], "both wrong", "same prediction",
                           "different prediction"};
    for (int j = 0; j < 7; j++) {
        snprintf(lab[j], sizeof lab[j], "%s%s (%.1f%%)", j == 2 || j == 3 || j > 4 ? "  " : "", text[j],
                 100.0 * (double)val[j] / (double)all);
        lp[j] = lab[j];
        v[j] = (double)val[j];
    }
    char title[640];
    snprintf(title, sizeof title, "%s vs %s", c1, c2);
    return lc_figs_add(f, rep_svg_hbars(title, "rows", lp, v, 7, 0), "compare_classifiers_predictions_%s_%s",
                   c1, c2);
}

static int v_pred_dist(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o)
{
    if (!has_preds(r))
        return 0;
    int L = o->labels_limit, M = r->nmodels;
    int32_t mx = -1;
    for (int i = 0; i < r->n; i++) {
        int32_t g = L > 0 && r->truth[i] > L ? L : r->truth[i];
        if (g < 0)
            return 0; /* np.bincount refuses negative values */
        mx = g > mx ? g : mx;
        for (int m = 0; m < M; m++) {
            int32_t q = L > 0 && r->preds[m][i] > L ? L : r->preds[m][i];
            if (q < 0)
                return 0;
            mx = q > mx ? q : mx;
        }
    }
    int K = mx + 1 < 10 ? mx + 1 : 10; /* the radar shows the first 10 classes */
    double *share = arr((size_t)(M + 1) * (size_t)K, sizeof *share); /* row 0: the truth */
    int nb = K * (M + 1);
    char(*lab)[300] = arr((size_t)nb, sizeof *lab);
    const char **lp = arr((size_t)nb, sizeof *lp);
    double *v = arr((size_t)nb, sizeof *v);
    int made = 0;
    if (share && lab && lp && v) {
        memset(share, 0, (size_t)(M + 1) * (size_t)K * sizeof *share);
        for (int i = 0; i < r->n; i++) {
            int32_t g = L > 0 && r->truth[i] > L ? L : r->truth[i];
            if (g < K)
                share[g] += 1;
            for (int m = 0; m < M; m++) {
                int32_t q = L > 0 && r->preds[m][i] > L ? L : r->preds[m][i];
                if (q < K)
                    share[(size_t)(m + 1) * K + q] += 1;
            }
        }
        for (int j = 0; j < (M + 1) * K; j++)
            share[j] /= r->n;
        /* np.argsort(-ground_truth) of at most 10 values: by decreasing share, ties by index */
        int ord[10];
        for (int c = 0; c < K; c++) {
            int j = c;
            while (j > 0 && share[ord[j - 1]] < share[c]) {
                ord[j] = ord[j - 1];
                j--;
            }
            ord[j] = c;
        }
        int q = 0;
        for (int j = 0; j < K; j++) {
            int c = ord[j];
            char cname[160];
            if (c < r->C && r->class_names && r->class_names[c])
                snprintf(cname, sizeof cname, "%s", r->class_names[c]);
            else
                snprintf(cname, sizeof cname, "%d", c);
            for (int m = -1; m < M; m++) {
                char mn[32];
                snprintf(mn, sizeof mn, "model %d", m + 1);
                snprintf(lab[q], sizeof lab[q], "%s: %s", cname,
                         m < 0 ? "Ground Truth" : given(r, m) ? given(r, m) : mn);
                lp[q] = lab[q];
                v[q++] = share[(size_t)(m + 1) * K + c];
            }
        }
        made = lc_figs_add(f, rep_svg_hbars("", "Probability", lp, v, q, 4),
                       "compare_classifiers_predictions_distribution");
    } else {
        f->oom = 1;
    }
    free(share), free(lab), free(lp), free(v);
    return made;
}

/* ---- confidence thresholding ---- */

/* Each row's np.max and np.argmax of model m's probabilities (labels_limit applied). */
static int max_arg(const lc_viz_rows *r, int m, int L, float *mx /* (n) */, int32_t *am /* (n) */)
{
    int C;
    float *own;
    const float *p = folded(r, m, L, &C, &own);
    if (!p)
        return 0;
    for (int i = 0; i < r->n; i++)
        am[i] = argmax_of(p + (size_t)i * (size_t)C, C, &mx[i]);
    free(own);
    return 1;
}

/* Accuracy and coverage at Ludwig's 21 thresholds of the rows in sel (all when NULL): rows kept
 * are those whose top probability reaches the threshold (the last, 1, taken as 0.999); accuracy
 * over the kept rows (empty_acc when none: NaN where Ludwig divides 0 by 0), coverage over all
 * n rows. */
static void thr_curve(const float *mx /* (n) */, const int32_t *am /* (n) */,
                      const int32_t *gt /* (n) */, int n, const unsigned char *sel /* (n) */,
                      double empty_acc, double *acc /* (NT) */,
                      double *cov /* (NT) */)
{
    for (int t = 0; t < NT; t++) {
        float th = thr_f32(t, 0.999);
        long kept = 0, right = 0;
        for (int i = 0; i < n; i++)
            if ((!sel || sel[i]) && mx[i] >= th) {
                kept++;
                right += gt[i] == am[i];
            }
        acc[t] = kept ? (double)right / (double)kept : empty_acc;
        cov[t] = (double)kept / n;
    }
}

/* confidence_thresholding (0), _data_vs_acc (1), _data_vs_acc_subset (2) */
static int v_conf(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o, int kind)
{
    if (!has_probs(r))
        return 0;
    int M = r->nmodels, k = top_n0(o), by_pred = strcmp(o->subset, "predictions") == 0;
    int32_t *gt = clipped(r->truth, r->n, o->labels_limit), *am = arr((size_t)r->n, sizeof *am);
    float *mx = arr((size_t)r->n, sizeof *mx);
    unsigned char *sel = arr((size_t)r->n, 1);
    double *acc = arr((size_t)M * NT, sizeof *acc), *cov = arr((size_t)M * NT, sizeof *cov), x[NT];
    rep_xy *s = arr((size_t)M * 2, sizeof *s);
    char(*names)[2][160] = arr((size_t)M, sizeof *names);
    int ok = gt && am && mx && sel && acc && cov && s && names, ns = 0;
    double maxcov = 0;
    for (int t = 0; t < NT; t++)
        x[t] = thr(t);
    for (int m = 0; ok && m < M; m++) {
        if (!(ok = max_arg(r, m, o->labels_limit, mx, am)))
            break;
        for (int i = 0; kind == 2 && i < r->n; i++)
            sel[i] = by_pred ? am[i] < k : gt[i] < k;
        thr_curve(mx, am, gt, r->n, kind == 2 ? sel : NULL, NAN, acc + m * NT, cov + m * NT);
        for (int t = 0; t < NT; t++)
            maxcov = fmax(maxcov, cov[m * NT + t]);
        const char *g = given(r, m);
        if (kind == 0) {
            snprintf(names[m][0], sizeof names[m][0], "%s%saccuracy", g ? g : "", g ? " " : "");
            snprintf(names[m][1], sizeof names[m][1], "%s%sdata coverage", g ? g : "", g ? " " : "");
            s[ns++] = (rep_xy){.name = names[m][0], .x = x, .y = acc + m * NT, .n = NT,
                               .kind = REP_XY_LINE, .style = REP_XYM(mcol(m), 0, 0)};
            s[ns++] = (rep_xy){.name = names[m][1], .x = x, .y = cov + m * NT, .n = NT,
                               .kind = REP_XY_LINE, .style = REP_XYM(mcol(m), 1, 0)};
        } else {
            s[ns++] = (rep_xy){.name = g, .x = cov + m * NT, .y = acc + m * NT, .n = NT,
                               .kind = REP_XY_LINE, .style = REP_XYM(mcol(m), 0, 0)};
        }
    }
    int made = 0;
    if (ok && kind == 0) {
        static const double range[4] = {-0.05, 1.05, 0, 1.05};
        made = lc_figs_add(f, rep_svg_xy_many("Confidence_Thresholding", "confidence threshold", "", s, ns, range),
                       "confidence_thresholding");
    } else if (ok) {
        double range[4] = {0, maxcov > 0 ? maxcov : 1, 0, 1.02};
        made = lc_figs_add(f, rep_svg_xy_many("Confidence_Thresholding (Data vs Accuracy)", "data coverage",
                                          "accuracy", s, ns, range),
                       kind == 1 ? "confidence_thresholding_data_vs_acc"
                                 : "confidence_thresholding_data_vs_acc_subset");
    } else {
        f->oom = 1;
    }
    free(gt), free(am), free(mx), free(sel), free(acc), free(cov), free(s), free(names);
    return made;
}

static int v_per_class(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o)
{
    if (!has_probs(r))
        return 0;
    int M = r->nmodels, k = top_n0(o), by_pred = strcmp(o->subset, "predictions") == 0;
    if (k > r->C) /* at most len(idx2str) classes */
        k = r->C;
    if (k < 1)
        return 0;
    int32_t *gt = clipped(r->truth, r->n, o->labels_limit);
    int32_t *am = arr((size_t)r->n * (size_t)M, sizeof *am);
    float *mx = arr((size_t)r->n * (size_t)M, sizeof *mx);
    unsigned char *sel = arr((size_t)r->n, 1);
    double *acc = arr((size_t)M * NT, sizeof *acc), *cov = arr((size_t)M * NT, sizeof *cov);
    rep_xy *s = arr((size_t)M, sizeof *s);
    int ok = gt && am && mx && sel && acc && cov && s, made = 0;
    for (int m = 0; ok && m < M; m++)
        ok = max_arg(r, m, o->labels_limit, mx + (size_t)m * r->n, am + (size_t)m * r->n);
    for (int c = 0; ok && c < k && !f->oom; c++) {
        double maxcov = 0;
        for (int m = 0; m < M; m++) {
            const int32_t *amm = am + (size_t)m * r->n;
            for (int i = 0; i < r->n; i++)
                sel[i] = by_pred ? amm[i] == c : gt[i] == c;
            /* here an empty selection's accuracy is 0 */
            thr_curve(mx + (size_t)m * r->n, amm, gt, r->n, sel, 0, acc + m * NT, cov + m * NT);
            for (int t = 0; t < NT; t++)
                maxcov = fmax(maxcov, cov[m * NT + t]);
            s[m] = (rep_xy){.name = given(r, m), .x = cov + m * NT, .y = acc + m * NT, .n = NT,
                            .kind = REP_XY_LINE, .style = REP_XYM(mcol(m), 0, 0)};
        }
        const char *cname = r->class_names && r->class_names[c] ? r->class_names[c] : "";
        char title[400];
        snprintf(title, sizeof title, "Confidence_Thresholding (Data vs Accuracy) for class %s", cname);
        double range[4] = {0, maxcov > 0 ? maxcov : 1, 0, 1.02};
        made += lc_figs_add(f, rep_svg_xy_many(title, "data coverage", "accuracy", s, M, range),
                        "confidence_thresholding_data_vs_acc_subset_per_class_%s", cname);
    }
    if (!ok)
        f->oom = 1;
    free(gt), free(am), free(mx), free(sel), free(acc), free(cov), free(s);
    return made;
}

/* ---- two thresholds ---- */

/* numpy.interp(x, xp, fp, left, right) for an ascending xp (numpy 1.24's arr_interp: the last
 * xp[j] <= x, exact hits and the last point taken as they are, NaN slopes retried from the
 * right end). */
static double np_interp(double x, const double *xp /* (n) */, const double *fp /* (n) */, int n,
                        double left, double right)
{
    if (isnan(x))
        return x;
    if (x > xp[n - 1])
        return right;
    if (x < xp[0])
        return left;
    int j = 0;
    while (j + 1 < n && x >= xp[j + 1])
        j++;
    if (j == n - 1 || xp[j] == x)
        return fp[j];
    double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
    double y = slope * (x - xp[j]) + fp[j];
    if (isnan(y)) {
        y = slope * (x - xp[j + 1]) + fp[j + 1];
        if (isnan(y) && fp[j] == fp[j + 1])
            y = fp[j];
    }
    return y;
}

/* Ludwig's grid of two thresholds: acc and cov (NT, NT), [t1][t2]: rows whose top probability
 * reaches t1 for the first feature and t2 for the second; accuracy: both predictions right over
 * the rows kept (NaN for none), coverage over all rows. */
static int grid2(const lc_viz_rows *a, const lc_viz_rows *b, int L, double *acc /* (NT, NT) */,
                 double *cov /* (NT, NT) */)
{
    int n = a->n, ok = 0;
    int32_t *g1 = clipped(a->truth, n, L), *g2 = clipped(b->truth, n, L);
    int32_t *a1 = arr((size_t)n, sizeof *a1), *a2 = arr((size_t)n, sizeof *a2);
    float *m1 = arr((size_t)n, sizeof *m1), *m2 = arr((size_t)n, sizeof *m2);
    if (g1 && g2 && a1 && a2 && m1 && m2 && max_arg(a, 0, L, m1, a1) && max_arg(b, 0, L, m2, a2)) {
        for (int i1 = 0; i1 < NT; i1++)
            for (int i2 = 0; i2 < NT; i2++) {
                float t1 = thr_f32(i1, 0.999), t2 = thr_f32(i2, 0.999);
                long kept = 0, right = 0;
                for (int i = 0; i < n; i++)
                    if (m1[i] >= t1 && m2[i] >= t2) {
                        kept++;
                        right += g1[i] == a1[i] && g2[i] == a2[i];
                    }
                cov[i1 * NT + i2] = (double)kept / n;
                acc[i1 * NT + i2] = kept ? (double)right / (double)kept : NAN;
            }
        ok = 1;
    }
    free(g1), free(g2), free(a1), free(a2), free(m1), free(m2);
    return ok;
}

/* Ludwig validates that exactly two probability sets were read (both features of one model),
 * or draws nothing. */
static int two_features(const lc_viz_rows *r, const lc_viz_rows *r2)
{
    return has_probs(r) && has_probs(r2) && r->nmodels == 1 && r2->nmodels == 1 && r->n == r2->n;
}

static int v_2d(lc_figs *f, const lc_viz_rows *r, const lc_viz_rows *r2, const lc_viz_row_opts *o)
{
    if (!two_features(r, r2))
        return 0;
    double acc[NT * NT], cov[NT * NT], x[NT], maxacc[NT], t1max[NT], t2max[NT];
    if (!grid2(r, r2, o->labels_limit, acc, cov)) {
        f->oom = 1;
        return 0;
    }
    for (int t = 0; t < NT; t++) {
        x[t] = thr(t);
        maxacc[t] = -INFINITY;
    }
    /* per t1: accuracy interpolated at coverage 0, 0.05, ..., 1 (coverage falls as t2 rises, so
     * both are reversed), left 1, right 0; then the maximum over t1 (NaN if any is NaN) */
    for (int i1 = 0; i1 < NT; i1++) {
        double xp[NT], fp[NT];
        for (int j = 0; j < NT; j++) {
            xp[j] = cov[i1 * NT + NT - 1 - j];
            fp[j] = acc[i1 * NT + NT - 1 - j];
        }
        for (int t = 0; t < NT; t++) {
            double y = np_interp(x[t], xp, fp, NT, 1, 0);
            maxacc[t] = isnan(y) || isnan(maxacc[t]) ? NAN : fmax(maxacc[t], y);
        }
    }
    /* the thresholds of the best accuracy with coverage in [c, c + 0.05): np.argmax over the
     * grid with the other cells at -1 (the first maximum, or the first NaN) */
    t1max[0] = t2max[0] = 1;
    for (int b = 0; b + 1 < NT; b++) {
        int best = 0;
        double bv = -INFINITY;
        for (int q = 0; q < NT * NT; q++) {
            double v = cov[q] >= x[b] && cov[q] < x[b + 1] ? acc[q] : -1;
            if (isnan(v)) {
                best = q;
                break;
            }
            if (v > bv) {
                bv = v;
                best = q;
            }
        }
        t1max[b + 1] = x[best / NT];
        t2max[b + 1] = x[best % NT];
    }
    const char *name = given(r, 0);
    rep_xy s[NT];
    double maxcov = 0;
    for (int q = 0; q < NT * NT; q++)
        maxcov = fmax(maxcov, cov[q]);
    for (int i1 = 0; i1 < NT; i1++) /* one thin line per t1, all alike; the legend names one */
        s[i1] = (rep_xy){.name = i1 == 0 ? name : NULL, .x = cov + i1 * NT, .y = acc + i1 * NT,
                         .n = NT, .kind = REP_XY_LINE, .style = REP_XYM(0, 0, 1)};
    double range[4] = {0, maxcov > 0 ? maxcov : 1, 0, 1.02};
    int made = lc_figs_add(f, rep_svg_xy_many("Coverage vs Accuracy, two thresholds", "data coverage", "accuracy",
                                          s, NT, range),
                       "confidence_thresholding_2thresholds_2d_multiline");
    static const double unit[4] = {0, 1, 0, 1.02};
    s[0] = (rep_xy){.name = name, .x = x, .y = maxacc, .n = NT, .kind = REP_XY_LINE, .style = REP_XYM(0, 0, 0)};
    made += lc_figs_add(f, rep_svg_xy_many("Coverage vs Accuracy, two thresholds", "data coverage", "accuracy",
                                       s, 1, unit),
                    "confidence_thresholding_2thresholds_2d_maxline");
    char n0[200], n1[300], n2[300];
    snprintf(n0, sizeof n0, "%s%saccuracy", name ? name : "", name ? " " : "");
    snprintf(n1, sizeof n1, "%s threshold", r->feature ? r->feature : "");
    snprintf(n2, sizeof n2, "%s threshold", r2->feature ? r2->feature : "");
    s[0].name = n0;
    s[1] = (rep_xy){.name = n1, .x = x, .y = t1max, .n = NT, .kind = REP_XY_LINE, .style = REP_XYM(1, 2, 0)};
    s[2] = (rep_xy){.name = n2, .x = x, .y = t2max, .n = NT, .kind = REP_XY_LINE, .style = REP_XYM(2, 2, 0)};
    made += lc_figs_add(f, rep_svg_xy_many("Coverage vs Accuracy & Threshold", "data coverage", "", s, 3, unit),
                    "confidence_thresholding_2thresholds_2d_maxline_with_thresholds");
    return made;
}

static int v_3d(lc_figs *f, const lc_viz_rows *r, const lc_viz_rows *r2, const lc_viz_row_opts *o)
{
    if (!two_features(r, r2))
        return 0;
    double acc[NT * NT], cov[NT * NT], ga[NT * NT], gc[NT * NT];
    if (!grid2(r, r2, o->labels_limit, acc, cov)) {
        f->oom = 1;
        return 0;
    }
    /* Ludwig's two surfaces over (first threshold, second threshold) as two heat maps: columns
     * the first feature's threshold, rows the second's, highest at the top */
    char tl[NT][16];
    const char *xl[NT], *yl[NT];
    for (int t = 0; t < NT; t++) {
        snprintf(tl[t], sizeof tl[t], "%.2f", thr(t));
        xl[t] = tl[t];
        yl[t] = tl[NT - 1 - t];
    }
    for (int row = 0; row < NT; row++)
        for (int c = 0; c < NT; c++) {
            ga[row * NT + c] = acc[c * NT + NT - 1 - row];
            gc[row * NT + c] = cov[c * NT + NT - 1 - row];
        }
    char xlab[300], ylab[300];
    snprintf(xlab, sizeof xlab, "%s probability", r->feature ? r->feature : "");
    snprintf(ylab, sizeof ylab, "%s probability", r2->feature ? r2->feature : "");
    char *a = rep_svg_grid("Confidence_Thresholding, two thresholds: accuracy", xlab, ylab, xl, NT, yl, NT, ga,
                           0, 1, 2);
    char *b = rep_svg_grid("Confidence_Thresholding, two thresholds: data coverage", xlab, ylab, xl, NT, yl,
                           NT, gc, 0, 1, 2);
    return lc_figs_add(f, stack2(a, b), "confidence_thresholding_2thresholds_3d");
}

/* ---- binary views: threshold vs metric, ROC, precision-recall ---- */

/* Ludwig's positive class and 0/1 ground truth: a binary output's true class whatever
 * positive_label says; else rows of class positive_label. -1 when the class has no column. */
static int positive(const lc_viz_rows *r, const lc_viz_row_opts *o, int32_t *y01 /* (n) */)
{
    int pl = r->binary ? 1 : o->positive_label;
    if (pl < 0 || pl >= r->C)
        return -1;
    for (int i = 0; i < r->n; i++)
        y01[i] = r->truth[i] == pl;
    return pl;
}

/* Model m's probabilities of class c. */
static float *column(const lc_viz_rows *r, int m, int c) /* (n) */
{
    float *p = arr((size_t)r->n, sizeof *p);
    for (int i = 0; p && i < r->n; i++)
        p[i] = r->probs[m][(size_t)i * (size_t)r->C + (size_t)c];
    return p;
}

static int v_binary_threshold(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o)
{
    if (!has_probs(r))
        return 0;
    int M = r->nmodels, made = 0;
    int32_t *y = arr((size_t)r->n, sizeof *y);
    double *sc = arr((size_t)M * NT, sizeof *sc), x[NT];
    rep_xy *s = arr((size_t)M * 2, sizeof *s);
    float **col = calloc((size_t)M, sizeof *col);
    int ok = y && sc && s && col, pl = ok ? positive(r, o, y) : -1;
    for (int m = 0; ok && pl >= 0 && m < M; m++)
        ok = (col[m] = column(r, m, pl)) != NULL;
    for (int t = 0; t < NT; t++)
        x[t] = thr(t);
    for (int q = 0; ok && pl >= 0 && q < o->nmetrics && !f->oom; q++) {
        const char *metric = o->metrics[q];
        int kind = strcmp(metric, "f1") == 0          ? 0
                   : strcmp(metric, "precision") == 0 ? 1
                   : strcmp(metric, "recall") == 0    ? 2
                   : strcmp(metric, "accuracy") == 0  ? 3
                                                      : -1;
        if (kind < 0) /* Ludwig logs "Metric ... not supported" and goes on */
            continue;
        int ns = 0;
        for (int m = 0; m < M; m++) {
            for (int t = 0; t < NT; t++) {
                float th = thr_f32(t, 0.99); /* here 1 is taken as 0.99 */
                long tp = 0, fp = 0, fn = 0, tn = 0;
                for (int i = 0; i < r->n; i++) {
                    int pred = col[m][i] >= th;
                    tp += pred && y[i];
                    fp += pred && !y[i];
                    fn += !pred && y[i];
                    tn += !pred && !y[i];
                }
                /* sklearn 1.2 (pos_label 1, 0 where undefined): F from precision and recall */
                double p = tp + fp ? (double)tp / (double)(tp + fp) : 0;
                double rc = tp + fn ? (double)tp / (double)(tp + fn) : 0;
                sc[m * NT + t] = kind == 0   ? (p + rc != 0 ? 2 * p * rc / (p + rc) : 0)
                                 : kind == 1 ? p
                                 : kind == 2 ? rc
                                             : (double)(tp + tn) / r->n;
            }
            ns += line_and_points(s + ns, given(r, m), x, sc + m * NT, NT, mcol(m));
        }
        char title[300];
        snprintf(title, sizeof title, "Binary threshold vs %s", metric);
        static const double range[4] = {-0.05, 1.05, 0, 1.02};
        made += lc_figs_add(f, rep_svg_xy_many(title, "confidence threshold", "", s, ns, range),
                        "binary_threshold_vs_metric_%s", metric);
    }
    if (!ok)
        f->oom = 1;
    for (int m = 0; col && m < M; m++)
        free(col[m]);
    free(y), free(sc), free(s), free(col);
    return made;
}

typedef struct clf_point {
    float score;
    int idx;
} clf_point;

static int cmp_desc(const void *a, const void *b)
{
    const clf_point *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->idx < y->idx) - (x->idx > y->idx);
}

/* sklearn's _binary_clf_curve: per distinct score (descending) the false and true positives
 * among the rows scoring at least that much. Returns the count, -1 for a non-finite score, -2
 * when memory runs out. */
static int clf_curve(const int32_t *y /* (n) */, const float *score /* (n) */, int n, int pos_label,
                     double *fps /* (n) */, double *tps /* (n) */)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(score[i]))
            return -1;
    clf_point *pt = arr((size_t)n, sizeof *pt);
    if (!pt)
        return -2;
    for (int i = 0; i < n; i++)
        pt[i] = (clf_point){score[i], i};
    qsort(pt, (size_t)n, sizeof *pt, cmp_desc);
    int k = 0;
    double tp = 0;
    for (int i = 0; i < n; i++) {
        tp += y[pt[i].idx] == pos_label;
        if (i == n - 1 || pt[i].score != pt[i + 1].score) {
            tps[k] = tp;
            fps[k] = 1 + i - tp;
            k++;
        }
    }
    free(pt);
    return k;
}

int lc_viz_roc_curve(const int32_t *y, const float *score, int n, int pos_label, double *fpr,
                     double *tpr)
{
    if (n < 1)
        return 0;
    int k = clf_curve(y, score, n, pos_label, fpr + 1, tpr + 1);
    if (k < 0)
        return k;
    /* drop_intermediate: keep the ends and the corners (a non-zero second difference) */
    if (k > 2) {
        int w = 1;
        for (int i = 1; i < k - 1; i++)
            if (fpr[i] - 2 * fpr[i + 1] + fpr[i + 2] != 0 || tpr[i] - 2 * tpr[i + 1] + tpr[i + 2] != 0) {
                fpr[1 + w] = fpr[1 + i];
                tpr[1 + w] = tpr[1 + i];
                w++;
            }
        fpr[1 + w] = fpr[k];
        tpr[1 + w] = tpr[k];
        k = w + 1;
    }
    fpr[0] = tpr[0] = 0;
    k++;
    double fl = fpr[k - 1], tl = tpr[k - 1];
    for (int i = 0; i < k; i++) {
        fpr[i] = fl > 0 ? fpr[i] / fl : NAN;
        tpr[i] = tl > 0 ? tpr[i] / tl : NAN;
    }
    return k;
}

int lc_viz_pr_curve(const int32_t *y, const float *score, int n, int pos_label, double *precision,
                    double *recall)
{
    if (n < 1)
        return 0;
    double *fps = arr((size_t)n, sizeof *fps), *tps = arr((size_t)n, sizeof *tps);
    int k = fps && tps ? clf_curve(y, score, n, pos_label, fps, tps) : -2;
    if (k >= 0) {
        double last = tps[k - 1];
        for (int i = 0; i < k; i++) { /* reversed: recall falling */
            int j = k - 1 - i;
            precision[i] = tps[j] + fps[j] != 0 ? tps[j] / (tps[j] + fps[j]) : 0;
            recall[i] = last == 0 ? 1 : tps[j] / last;
        }
        precision[k] = 1;
        recall[k] = 0;
        k++;
    }
    free(fps), free(tps);
    return k;
}

/* roc_curves (0) and precision_recall_curves (1) */
static int v_curves(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o, int pr)
{
    if (!has_probs(r))
        return 0;
    int M = r->nmodels, ns = 0, made = 0;
    int32_t *y = arr((size_t)r->n, sizeof *y);
    double *cx = arr((size_t)M * (size_t)(r->n + 1), sizeof *cx);
    double *cy = arr((size_t)M * (size_t)(r->n + 1), sizeof *cy);
    rep_xy *s = arr((size_t)M + 1, sizeof *s);
    int ok = y && cx && cy && s, pl = ok ? positive(r, o, y) : -1;
    for (int m = 0; ok && pl >= 0 && m < M; m++) {
        float *sc = column(r, m, pl);
        double *xm = cx + (size_t)m * (size_t)(r->n + 1), *ym = cy + (size_t)m * (size_t)(r->n + 1);
        /* Ludwig's 0/1 truth is given to sklearn with pos_label=positive_label again */
        int k = !sc ? -2 : pr ? lc_viz_pr_curve(y, sc, r->n, pl, ym, xm) : lc_viz_roc_curve(y, sc, r->n, pl, xm, ym);
        free(sc);
        if (k == -2) {
            ok = 0;
            break;
        }
        if (k < 0) { /* sklearn refuses a non-finite score: Ludwig stops, no figure */
            pl = -1;
            break;
        }
        s[ns++] = (rep_xy){.name = given(r, m), .x = xm, .y = ym, .n = k, .kind = REP_XY_LINE,
                           .style = REP_XYM(mcol(m), 0, 0)};
    }
    if (ok && pl >= 0) {
        static const double diag[2] = {0, 1}, range[4] = {0, 1, 0, 1.02};
        if (!pr)
            s[ns++] = (rep_xy){.name = NULL, .x = diag, .y = diag, .n = 2, .kind = REP_XY_LINE,
                               .style = REP_XYM(7, 1, 0)};
        made = pr ? lc_figs_add(f, rep_svg_xy_many("Precision Recall Curves", "Recall", "Precision", s, ns, range),
                            "precision_recall_curve")
                  : lc_figs_add(f, rep_svg_xy_many("ROC curves", "False positive rate", "True positive rate", s, ns,
                                               range),
                            "roc_curves");
    } else if (!ok) {
        f->oom = 1;
    }
    free(y), free(cx), free(cy), free(s);
    return made;
}

/* ---- calibration ---- */

int lc_viz_calibration_curve(const float *y, const float *p, size_t n, int nb, double *frac_pos,
                             double *mean_pred)
{
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0 && p[i] <= 1))
            return -1;
    int64_t cnt[64];
    double mean[64], obs[64];
    if (nb < 1 || nb > 64)
        return -1;
    rep_calibration(p, y, n, nb, cnt, mean, obs);
    int k = 0;
    for (int b = 0; b < nb; b++)
        if (cnt[b]) {
            frac_pos[k] = obs[b];
            mean_pred[k++] = mean[b];
        }
    return k;
}

double lc_viz_brier(const float *y, const float *p, size_t n)
{
    if (n == 0)
        return NAN;
    double *d = arr(n < NP_BUFSIZE ? n : NP_BUFSIZE, sizeof *d), s = 0;
    if (!d)
        return NAN;
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0 && p[i] <= 1)) {
            free(d);
            return NAN;
        }
    /* (y - p) ** 2 in float64, then np.average: pairwise sums of 8192-element blocks */
    for (size_t i = 0; i < n; i += NP_BUFSIZE) {
        size_t b = n - i < NP_BUFSIZE ? n - i : NP_BUFSIZE;
        for (size_t j = 0; j < b; j++) {
            double e = (double)(y[i + j] > 0.5f) - (double)p[i + j];
            d[j] = e * e;
        }
        s += lc_np_pairwise_f64(d, b);
    }
    free(d);
    return s / (double)n;
}

/* Least squares polynomial of degree deg through (x, y) (Householder QR); coef (deg + 1), the
 * constant first. 0 when the points do not determine it. */
static int polyfit(const double *x /* (n) */, const double *y /* (n) */, int n, int deg,
                   double *coef /* (deg + 1) */)
{
    double A[32][4], b[32];
    int m = deg + 1;
    if (n > 32 || n < m)
        return 0;
    for (int i = 0; i < n; i++) {
        double v = 1;
        for (int j = 0; j < m; j++, v *= x[i])
            A[i][j] = v;
        b[i] = y[i];
    }
    for (int j = 0; j < m; j++) {
        double norm = 0;
        for (int i = j; i < n; i++)
            norm += A[i][j] * A[i][j];
        norm = sqrt(norm);
        if (!(norm > 1e-12))
            return 0;
        double alpha = A[j][j] > 0 ? -norm : norm, v[32], vv = 0;
        for (int i = j; i < n; i++)
            v[i] = A[i][j];
        v[j] -= alpha;
        for (int i = j; i < n; i++)
            vv += v[i] * v[i];
        for (int c = j; c < m; c++) {
            double d = 0;
            for (int i = j; i < n; i++)
                d += v[i] * A[i][c];
            for (int i = j; i < n; i++)
                A[i][c] -= 2 * v[i] * d / vv;
        }
        double d = 0;
        for (int i = j; i < n; i++)
            d += v[i] * b[i];
        for (int i = j; i < n; i++)
            b[i] -= 2 * v[i] * d / vv;
    }
    for (int j = m - 1; j >= 0; j--) {
        double s = b[j];
        for (int c = j + 1; c < m; c++)
            s -= A[j][c] * coef[c];
        coef[j] = s / A[j][j];
    }
    return 1;
}

/* seaborn regplot(order=min(3, n - 1)) as Ludwig's calibration_plot calls it: its line (a
 * polynomial of that order, a straight line for order <= 1) over 100 points from min(x) to
 * max(x), and its points: each distinct x with the mean of its y (x_estimator=np.mean). The
 * bootstrapped confidence band is not drawn. Returns the line's points (0: none), *np the
 * points'. */
static int regplot(const double *x /* (n) */, const double *y /* (n) */, int n, double *gx /* (GRID) */,
                   double *gy /* (GRID) */, double *ux /* (n) */, double *uy /* (n) */, int *np)
{
    int order = n - 1 < 3 ? n - 1 : 3, deg = order <= 1 ? 1 : order, k = 0;
    for (int i = 0; i < n; i++) { /* distinct x ascending, mean y */
        int j = 0;
        while (j < k && ux[j] != x[i])
            j++;
        if (j == k) {
            ux[k] = x[i];
            uy[k++] = 0;
        }
    }
    for (int a = 1; a < k; a++) /* sort the distinct values */
        for (int b = a; b > 0 && ux[b - 1] > ux[b]; b--) {
            double t = ux[b];
            ux[b] = ux[b - 1];
            ux[b - 1] = t;
        }
    for (int j = 0; j < k; j++) {
        int c = 0;
        for (int i = 0; i < n; i++)
            if (x[i] == ux[j]) {
                uy[j] += y[i];
                c++;
            }
        uy[j] /= c;
    }
    *np = k;
    if (deg > k - 1) /* fewer distinct x than the polynomial needs */
        deg = k - 1;
    double coef[4];
    if (deg < 1 || !polyfit(x, y, n, deg, coef))
        return 0;
    double lo = ux[0], hi = ux[k - 1], step = (hi - lo) / (GRID - 1);
    for (int g = 0; g < GRID; g++) {
        gx[g] = g == GRID - 1 ? hi : lo + g * step;
        double v = 0;
        for (int j = deg; j >= 0; j--)
            v = v * gx[g] + coef[j];
        gy[g] = v;
    }
    return GRID;
}

/* calibration_plot: the diagonal "Perfectly calibrated" and, per model, its reliability points
 * and fitted line, named as given or "Model <i>". frac/mean: (M, NBINS + 1), cnt (M). */
static char *calibration_fig(const lc_viz_rows *r, const char *title,
                             const double *frac /* (nmodels, NBINS + 1) */,
                             const double *mean /* (nmodels, NBINS + 1) */, const int *cnt /* (nmodels) */)
{
    int M = r->nmodels, ns = 0;
    rep_xy *s = arr((size_t)M * 2 + 1, sizeof *s);
    double *gx = arr((size_t)M * GRID, sizeof *gx), *gy = arr((size_t)M * GRID, sizeof *gy);
    double *ux = arr((size_t)M * (NBINS + 1), sizeof *ux), *uy = arr((size_t)M * (NBINS + 1), sizeof *uy);
    char(*names)[160] = arr((size_t)M, sizeof *names);
    char *svg = NULL;
    if (s && gx && gy && ux && uy && names) {
        static const double diag[2] = {0, 1}, range[4] = {-0.05, 1.05, -0.05, 1.05};
        s[ns++] = (rep_xy){.name = "Perfectly calibrated", .x = diag, .y = diag, .n = 2, .kind = REP_XY_LINE,
                           .style = REP_XYM(7, 2, 0)};
        for (int m = 0; m < M; m++) {
            if (given(r, m))
                snprintf(names[m], sizeof names[m], "%s", given(r, m));
            else
                snprintf(names[m], sizeof names[m], "Model %d", m);
            int np = 0, ng = regplot(mean + m * (NBINS + 1), frac + m * (NBINS + 1), cnt[m], gx + m * GRID,
                                     gy + m * GRID, ux + m * (NBINS + 1), uy + m * (NBINS + 1), &np);
            s[ns++] = (rep_xy){.name = names[m], .x = ux + m * (NBINS + 1), .y = uy + m * (NBINS + 1),
                               .n = np, .kind = REP_XY_POINTS, .style = REP_XYM(mcol(m), 0, 0)};
            if (ng)
                s[ns++] = (rep_xy){.name = NULL, .x = gx + m * GRID, .y = gy + m * GRID, .n = ng,
                                   .kind = REP_XY_LINE, .style = REP_XYM(mcol(m), 0, 0)};
        }
        svg = rep_svg_xy_many(title, "Predicted probability", "Observed probability", s, ns, range);
    }
    free(s), free(gx), free(gy), free(ux), free(uy), free(names);
    return svg;
}

/* numpy.histogram(p, bins=41, range=(0, 1)) of float32 values as plt.hist computes it: float32
 * edges, indices from p * 41 corrected against the edges, the last bin closed, values outside
 * [0, 1] left out. */
static void hist41(const float *p /* (n) */, int n, double *edges /* (HBINS + 1) */,
                   double *counts /* (HBINS) */)
{
    float e[HBINS + 1];
    for (int k = 0; k <= HBINS; k++) {
        e[k] = k == HBINS ? 1.0f : (float)(k * (1.0 / HBINS));
        edges[k] = e[k];
    }
    for (int k = 0; k < HBINS; k++)
        counts[k] = 0;
    for (int i = 0; i < n; i++) {
        float a = p[i];
        if (!(a >= 0.0f && a <= 1.0f))
            continue;
        int idx = (int)(a * (float)HBINS);
        if (idx == HBINS)
            idx--;
        if (a < e[idx])
            idx--;
        if (a >= e[idx + 1] && idx != HBINS - 1)
            idx++;
        counts[idx] += 1;
    }
}

/* predictions_distribution_plot: each model's histogram as its outline (histtype "stepfilled"). */
static char *distribution_fig(const lc_viz_rows *r, float *const *col /* (nmodels) each (n) */)
{
    int M = r->nmodels;
    /* per model: x = e0, e0, e1, ..., e41, e41 and y = 0, c0, c1, ..., c40, c40, 0 */
    double *x = arr((size_t)M * (HBINS + 3), sizeof *x), *y = arr((size_t)M * (HBINS + 3), sizeof *y);
    rep_xy *s = arr((size_t)M, sizeof *s);
    char *svg = NULL;
    if (x && y && s) {
        double top = 0, edges[HBINS + 1], counts[HBINS];
        for (int m = 0; m < M; m++) {
            double *xm = x + m * (HBINS + 3), *ym = y + m * (HBINS + 3);
            hist41(col[m], r->n, edges, counts);
            xm[0] = edges[0], ym[0] = 0;
            for (int k = 0; k < HBINS; k++) {
                xm[1 + k] = edges[k];
                ym[1 + k] = counts[k];
                top = fmax(top, counts[k]);
            }
            xm[HBINS + 1] = edges[HBINS], ym[HBINS + 1] = counts[HBINS - 1];
            xm[HBINS + 2] = edges[HBINS], ym[HBINS + 2] = 0;
            s[m] = (rep_xy){.name = given(r, m), .x = xm, .y = ym, .n = HBINS + 3, .kind = REP_XY_STEP,
                            .style = REP_XYM(mcol(m), 0, 0)};
        }
        double range[4] = {0, 1, 0, top > 0 ? top * 1.05 : 1};
        svg = rep_svg_xy_many("", "Mean predicted value", "Count", s, M, range);
    }
    free(x), free(y), free(s);
    return svg;
}

static int v_cal_1_vs_all(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o)
{
    if (!has_probs(r))
        return 0;
    int M = r->nmodels, L = o->labels_limit, made = 0, top = top_n0(o), stop = 0;
    int W = L > 0 && r->C > L + 1 ? L + 1 : r->C; /* the columns left by labels_limit */
    /* num_classes is the vocabulary's size; with labels_limit the folded columns end Ludwig's
     * loop early (an IndexError): here the classes stop there */
    int classes = top > 0 && top < r->C ? top : r->C;
    if (classes > W)
        classes = W;
    int32_t *gt = clipped(r->truth, r->n, L);
    const float **p = calloc((size_t)M, sizeof *p);
    float **own = calloc((size_t)M, sizeof *own), **col = calloc((size_t)M, sizeof *col);
    float *y = arr((size_t)r->n, sizeof *y);
    double *frac = arr((size_t)M * (NBINS + 1), sizeof *frac), *mean = arr((size_t)M * (NBINS + 1), sizeof *mean);
    double *brier = arr((size_t)classes * (size_t)M, sizeof *brier);
    int *cnt = arr((size_t)M, sizeof *cnt);
    int ok = gt && p && own && col && y && frac && mean && brier && cnt;
    for (int m = 0; ok && m < M; m++) {
        int Cm;
        ok = (p[m] = folded(r, m, L, &Cm, &own[m])) != NULL &&
             (col[m] = arr((size_t)r->n, sizeof **col)) != NULL;
    }
    for (int c = 0; ok && !stop && c < classes && !f->oom; c++) {
        for (int i = 0; i < r->n; i++)
            y[i] = gt[i] == c;
        for (int m = 0; m < M && !stop; m++) {
            for (int i = 0; i < r->n; i++)
                col[m][i] = p[m][(size_t)i * (size_t)W + (size_t)c];
            double *fr = frac + m * (NBINS + 1), *me = mean + m * (NBINS + 1);
            int k = lc_viz_calibration_curve(y, col[m], (size_t)r->n, NBINS, fr + 1, me + 1);
            if (k < 0) { /* sklearn refuses probabilities outside [0, 1]: Ludwig stops here */
                stop = 1;
                break;
            }
            if (k < 2) { /* fewer than two points: Ludwig puts (0, 0) first */
                fr[0] = me[0] = 0;
                cnt[m] = k + 1;
            } else {
                memmove(fr, fr + 1, (size_t)k * sizeof *fr);
                memmove(me, me + 1, (size_t)k * sizeof *me);
                cnt[m] = k;
            }
            brier[(size_t)c * M + m] = lc_viz_brier(y, col[m], (size_t)r->n);
        }
        if (stop)
            break;
        const char *cname = r->class_names && r->class_names[c] ? r->class_names[c] : "";
        char title[300];
        snprintf(title, sizeof title, "%s: Calibration (reliability curve)", cname);
        made += lc_figs_add(f, calibration_fig(r, title, frac, mean, cnt), "calibration_1_vs_all_%d", c);
        made += lc_figs_add(f, distribution_fig(r, col), "calibration_1_vs_all_prediction_distribution_%d", c);
    }
    if (ok && !stop && !f->oom) { /* brier_plot: per class, one bar per model */
        int nb = classes * M;
        char(*lab)[300] = arr((size_t)nb, sizeof *lab);
        const char **lp = arr((size_t)nb, sizeof *lp);
        if (lab && lp) {
            for (int c = 0; c < classes; c++)
                for (int m = 0; m < M; m++) {
                    char mn[32];
                    snprintf(mn, sizeof mn, "Model %d", m);
                    snprintf(lab[c * M + m], sizeof lab[0], "%s (%s)",
                             r->class_names && r->class_names[c] ? r->class_names[c] : "",
                             given(r, m) ? given(r, m) : mn);
                    lp[c * M + m] = lab[c * M + m];
                }
            made += lc_figs_add(f, rep_svg_hbars("Brier scores for each class", "brier score", lp, brier, nb, 4),
                            "calibration_1_vs_all_brier");
        } else {
            f->oom = 1;
        }
        free(lab), free(lp);
    }
    if (!ok)
        f->oom = 1;
    for (int m = 0; own && col && m < M; m++) {
        free(own[m]);
        free(col[m]);
    }
    free(gt), free(p), free(own), free(col), free(y), free(frac), free(mean), free(cnt), free(brier);
    return made;
}

static int v_cal_multiclass(lc_figs *f, const lc_viz_rows *r, const lc_viz_row_opts *o)
{
    if (!has_probs(r))
        return 0;
    int M = r->nmodels, L = o->labels_limit, made = 0, C = 0, ok = 1;
    int32_t *gt = clipped(r->truth, r->n, L);
    double *frac = arr((size_t)M * (NBINS + 1), sizeof *frac), *mean = arr((size_t)M * (NBINS + 1), sizeof *mean);
    double *brier = arr((size_t)M, sizeof *brier);
    int *cnt = arr((size_t)M, sizeof *cnt);
    float *y = NULL;
    ok = gt && frac && mean && brier && cnt;
    int32_t gmax = -1;
    for (int i = 0; ok && i < r->n; i++) {
        if (gt[i] < 0) /* a negative index would set another column */
            ok = -1;
        gmax = gt[i] > gmax ? gt[i] : gmax;
    }
    C = L > 0 && r->C > L + 1 ? L + 1 : r->C;
    /* the one-hot truth has max(classes, max(truth) + 1) columns: more than the probabilities
     * have makes sklearn refuse the flattened arrays */
    if (ok == 1 && gmax + 1 > C)
        ok = -1;
    size_t N = (size_t)r->n * (size_t)C;
    if (ok == 1 && !(y = arr(N, sizeof *y)))
        ok = 0;
    for (size_t i = 0; ok == 1 && i < N; i++)
        y[i] = gt[i / (size_t)C] == (int32_t)(i % (size_t)C);
    for (int m = 0; ok == 1 && m < M; m++) {
        int Cm;
        float *own;
        const float *p = folded(r, m, L, &Cm, &own);
        if (!p) {
            ok = 0;
            break;
        }
        int k = lc_viz_calibration_curve(y, p, N, NBINS, frac + m * (NBINS + 1), mean + m * (NBINS + 1));
        brier[m] = lc_viz_brier(y, p, N);
        free(own);
        if (k < 0) {
            ok = -1;
            break;
        }
        cnt[m] = k;
    }
    if (ok == 1) {
        made += lc_figs_add(f, calibration_fig(r, "Calibration (reliability curve)", frac, mean, cnt),
                        "calibration_multiclass");
        char(*mb)[128] = arr((size_t)M, sizeof *mb);
        const char **ml = arr((size_t)M, sizeof *ml);
        static const char *const metric[1] = {"brier"};
        if (mb && ml) {
            bar_labels(r, mb, ml);
            made += lc_figs_add(f, classifier_bars("", M, ml, 1, metric, brier, 8), "calibration_multiclass_brier");
        } else {
            f->oom = 1;
        }
        free(mb), free(ml);
    } else if (ok == 0) {
        f->oom = 1;
    }
    free(gt), free(frac), free(mean), free(brier), free(cnt), free(y);
    return made;
}

/* ---- dispatch ---- */

int lc_viz_rows_view(lc_figs *f, const char *view, const lc_viz_rows *rows,
                     const lc_viz_rows *rows2, const lc_viz_row_opts *opts)
{
    int v = view_of(view);
    if (v < 0)
        return -1;
    lc_viz_row_opts o;
    if (opts)
        o = *opts;
    else
        lc_viz_row_opts_default(&o);
    if (!o.subset)
        o.subset = "ground_truth";
    if (!o.metrics || o.nmetrics < 1) {
        static const char *const f1[1] = {"f1"};
        o.metrics = f1;
        o.nmetrics = 1;
    }
    /* the CLI offers these two subsets only */
    if (strcmp(o.subset, "ground_truth") != 0 && strcmp(o.subset, "predictions") != 0)
        return 0;
    if (!rows || rows->n < 1)
        return 0;
    switch ((vr_view)v) {
    case VR_FROM_PROB: return v_from_prob(f, rows, &o);
    case VR_FROM_PRED: return v_from_pred(f, rows, &o);
    case VR_SUBSET: return v_subset(f, rows, &o);
    case VR_CHANGING_K: return v_changing_k(f, rows, &o);
    case VR_PREDICTIONS: return v_predictions(f, rows, &o);
    case VR_PRED_DIST: return v_pred_dist(f, rows, &o);
    case VR_CONF: return v_conf(f, rows, &o, 0);
    case VR_DATA_VS_ACC: return v_conf(f, rows, &o, 1);
    case VR_DATA_VS_ACC_SUBSET: return v_conf(f, rows, &o, 2);
    case VR_PER_CLASS: return v_per_class(f, rows, &o);
    case VR_2D: return v_2d(f, rows, rows2, &o);
    case VR_3D: return v_3d(f, rows, rows2, &o);
    case VR_BINARY_THRESHOLD: return v_binary_threshold(f, rows, &o);
    case VR_ROC: return v_curves(f, rows, &o, 0);
    case VR_PR: return v_curves(f, rows, &o, 1);
    case VR_CAL_1_VS_ALL: return v_cal_1_vs_all(f, rows, &o);
    case VR_CAL_MULTICLASS: return v_cal_multiclass(f, rows, &o);
    case VR_N: break;
    }
    return -1;
}
