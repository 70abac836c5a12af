/* viz.c - Ludwig 0.10.3's `ludwig visualize` figures drawn from the statistics files (the views of
 * ludwig/visualize.py that need no per-row predictions), as SVG with Ludwig's file names:
 *   learning_curves_<feature>_<metric>          loss / accuracy / hits_at_k / edit_distance per
 *                                               epoch, training and validation, every model
 *   compare_performance_<feature>               every scalar test metric but loss, per model
 *   confusion_matrix_<model>_<feature>_top<k>   the first k classes' confusion matrix (rows
 *                                               normalised with normalize), and
 *   confusion_matrix_entropy_<model>_<feature>_top<k>  the classes ranked by the entropy of
 *                                               their row
 *   frequency_vs_f1_<model>_<feature>           F1 and training frequency of the classes, by
 *                                               frequency (Ludwig writes its F1-sorted view
 *                                               under the same name first)
 *   roc_curves_from_prediction_statistics       a binary output's ROC curve per model
 *   precision_recall_curves_from_prediction_statistics  its precision-recall curve per model
 *   compare_classifiers_multiclass_multimetric_<model>_<feature>_{top<k>,best<k>,worst<k>,sorted}
 *                                               precision, recall and F1 of the classes
 *   hyperopt_<parameter>, hyperopt_pair_plot    a hyperopt search's parameters against its
 *                                               metric, and pairs of parameters
 * Numbers are the files' own; nothing is recomputed but sorting, entropy and means. Writing the
 * files (and their format) is the caller's. */
#include "lc_viz.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_json.h"
#include "lc_mem.h"
#include "report_int.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

void lc_figs_free(lc_figs *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->name[i]);
        free(f->svg[i]);
    }
    free(f->name);
    free(f->svg);
    memset(f, 0, sizeof *f);
}

int lc_figs_add(lc_figs *f, char *svg, const char *fmt, ...)
{
    char name[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    if (!svg) {
        f->oom = 1;
        return 0;
    }
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->name[i], name) == 0) {
            free(f->svg[i]);
            f->svg[i] = svg;
            return 1;
        }
    if (f->n == f->cap) {
        int nc = f->cap ? f->cap * 2 : 16;
        char **nn = realloc(f->name, (size_t)nc * sizeof *nn);
        if (nn)
            f->name = nn;
        char **ns = realloc(f->svg, (size_t)nc * sizeof *ns);
        if (ns)
            f->svg = ns;
        if (!nn || !ns) {
            free(svg);
            f->oom = 1;
            return 0;
        }
        f->cap = nc;
    }
    if (!(f->name[f->n] = lc_strdup(name))) {
        free(svg);
        f->oom = 1;
        return 0;
    }
    f->svg[f->n++] = svg;
    return 1;
}

static const char *model_name(const lc_viz_models *m, int i)
{
    return m->names && i < m->nnames && m->names[i] ? m->names[i] : "";
}

static const char *legend_name(const lc_viz_models *m, int i, char *buf, size_t n)
{
    const char *s = model_name(m, i);
    if (*s)
        return s;
    if (m->n == 1)
        return "";
    snprintf(buf, n, "model %d", i + 1);
    return buf;
}

static double *json_doubles(const cJSON *a, int *n)
{
    *n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
    double *v = malloc((size_t)(*n ? *n : 1) * sizeof *v);
    if (!v)
        return NULL;
    int i = 0;
    for (const cJSON *x = a ? a->child : NULL; x && i < *n; x = x->next, i++)
        v[i] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
    return v;
}

/* Whether feature is to be drawn: every one when only is NULL. */
static int wanted(const char *only, const char *feature)
{
    return !only || strcmp(only, feature) == 0;
}

/* ---- learning_curves ---- */

int lc_viz_learning_curves(lc_figs *f, const lc_viz_models *m, const char *only)
{
    static const char *const metrics[] = {"loss", "accuracy", "hits_at_k", "edit_distance"};
    const cJSON *tr0 = get(m->stats[0], "training");
    int made = 0;
    for (const cJSON *feat = tr0 ? tr0->child : NULL; feat && !f->oom; feat = feat->next) {
        if (!wanted(only, feat->string))
            continue;
        for (int k = 0; k < 4; k++) {
            if (!get(feat, metrics[k]))
                continue;
            rep_xy sr[6];
            double *xs[6] = {0}, *ys[6] = {0};
            char names[6][160], nb[32];
            int ns = 0;
            for (int i = 0; i < m->n && ns + 2 <= 6; i++) {
                const char *mn = legend_name(m, i, nb, sizeof nb);
                for (int s = 0; s < 2; s++) {
                    const cJSON *a = get(get(get(m->stats[i], s ? "validation" : "training"), feat->string), metrics[k]);
                    int n;
                    if (!a || !(ys[ns] = json_doubles(a, &n)))
                        continue;
                    if (!(xs[ns] = malloc((size_t)(n ? n : 1) * sizeof(double)))) {
                        free(ys[ns]);
                        ys[ns] = NULL;
                        f->oom = 1;
                        continue;
                    }
                    for (int e = 0; e < n; e++)
                        xs[ns][e] = e + 1;
                    snprintf(names[ns], sizeof names[ns], "%s%s%s", *mn ? mn : "", *mn ? " " : "",
                             s ? "validation" : "training");
                    sr[ns] = (rep_xy){.name = names[ns], .x = xs[ns], .y = ys[ns], .n = n,
                                      .kind = REP_XY_LINE, .style = ns % 3};
                    ns++;
                }
            }
            char title[256];
            snprintf(title, sizeof title, "Learning Curves %s", feat->string);
            if (ns)
                lc_figs_add(f, rep_svg_xy(title, "epoch", metrics[k], sr, ns, NULL), "learning_curves_%s_%s",
                        feat->string, metrics[k]);
            for (int i = 0; i < ns; i++) {
                free(xs[i]);
                free(ys[i]);
            }
            made += ns > 0;
        }
    }
    return made;
}

/* ---- compare_performance ---- */

static int ignored_metric(const char *k)
{
    static const char *const ign[] = {"overall_stats", "confusion_matrix", "per_class_stats",
                                      "predictions", "probabilities", "roc_curve",
                                      "precision_recall_curve", "loss", NULL};
    for (int i = 0; ign[i]; i++)
        if (strcmp(ign[i], k) == 0)
            return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int lc_viz_compare_performance(lc_figs *f, const lc_viz_models *m, const char *only)
{
    int made = 0;
    for (const cJSON *feat = m->stats[0] ? m->stats[0]->child : NULL; feat && !f->oom; feat = feat->next) {
        if (!wanted(only, feat->string))
            continue;
        /* the scalar metrics every model has (Ludwig intersects the key sets), by name */
        const char *names[64];
        int nn = 0;
        for (const cJSON *k = feat->child; k && nn < 64; k = k->next) {
            if (ignored_metric(k->string) || !cJSON_IsNumber(k))
                continue;
            int all = 1;
            for (int i = 1; i < m->n; i++)
                all &= cJSON_IsNumber(get(get(m->stats[i], feat->string), k->string));
            if (all)
                names[nn++] = k->string;
        }
        if (!nn)
            continue;
        qsort(names, (size_t)nn, sizeof *names, cmp_str);
        int nb = nn * m->n;
        const char **labels = malloc((size_t)nb * sizeof *labels);
        char (*lab)[200] = malloc((size_t)nb * sizeof *lab);
        double *v = malloc((size_t)nb * sizeof *v);
        if (!labels || !lab || !v) {
            free(labels), free(lab), free(v);
            f->oom = 1;
            break;
        }
        char nbuf[32];
        for (int j = 0; j < nn; j++)
            for (int i = 0; i < m->n; i++) {
                int q = j * m->n + i;
                const char *mn = legend_name(m, i, nbuf, sizeof nbuf);
                snprintf(lab[q], sizeof lab[q], "%s%s%s%s", names[j], *mn ? " (" : "", mn, *mn ? ")" : "");
                labels[q] = lab[q];
                v[q] = get(get(m->stats[i], feat->string), names[j])->valuedouble;
            }
        char title[256];
        snprintf(title, sizeof title, "Performance of %s", feat->string);
        lc_figs_add(f, rep_svg_hbars(title, "value", labels, v, nb, 4), "compare_performance_%s", feat->string);
        made++;
        free(labels), free(lab), free(v);
    }
    return made;
}

/* ---- confusion_matrix, frequency_vs_f1, multiclass multimetric ---- */

/* The class labels of a feature from the metadata (idx2str, or bool2str for a binary output):
 * their strings, or NULL (indices are used). */
static const cJSON *class_labels(const cJSON *meta, const char *feature)
{
    const cJSON *fm = get(meta, feature);
    const cJSON *l = get(fm, "bool2str");
    return l ? l : get(fm, "idx2str");
}

static void label_of(const cJSON *labels, int i, char *buf, size_t n)
{
    const cJSON *l = labels ? cJSON_GetArrayItem(labels, i) : NULL;
    if (cJSON_IsString(l))
        snprintf(buf, n, "%s", l->valuestring);
    else
        snprintf(buf, n, "%d", i);
}


int lc_viz_confusion_matrix(lc_figs *f, const lc_viz_models *m, const cJSON *meta,
                            const char *only, const int *top_n, int ntop, int normalize)
{
    int made = 0;
    for (int i = 0; i < m->n && !f->oom; i++)
        for (const cJSON *feat = m->stats[i] ? m->stats[i]->child : NULL; feat; feat = feat->next) {
            const cJSON *cmj = get(feat, "confusion_matrix");
            if (!wanted(only, feat->string) || !cJSON_IsArray(cmj))
                continue;
            int n = cJSON_GetArraySize(cmj);
            const cJSON *labels = class_labels(meta, feat->string);
            for (int t = 0; t < ntop && !f->oom; t++) {
                int k = top_n[t] > 0 && top_n[t] < n ? top_n[t] : n;
                double *cm = malloc((size_t)k * k * sizeof *cm), *ent = malloc((size_t)k * sizeof *ent);
                int *ord = malloc((size_t)k * sizeof *ord);
                char (*lab)[64] = malloc((size_t)k * sizeof *lab);
                const char **lp = malloc((size_t)k * sizeof *lp);
                if (!cm || !ent || !ord || !lab || !lp) {
                    free(cm), free(ent), free(ord), free(lab), free(lp);
                    f->oom = 1;
                    break;
                }
                const cJSON *row = cmj->child; /* walked, not indexed: k x k lookups were k^3 */
                for (int r = 0; r < k; r++, row = row ? row->next : NULL) {
                    double rs = 0;
                    const cJSON *x = row ? row->child : NULL;
                    for (int c = 0; c < k; c++, x = x ? x->next : NULL) {
                        cm[r * k + c] = cJSON_IsNumber(x) ? x->valuedouble : 0;
                        rs += cm[r * k + c];
                    }
                    if (normalize)
                        for (int c = 0; c < k; c++)
                            cm[r * k + c] = rs > 0 ? cm[r * k + c] / rs : 0;
                    /* scipy's entropy of the row (normalised, natural log); 0 for an empty row */
                    double s = 0, h = 0;
                    for (int c = 0; c < k; c++)
                        s += cm[r * k + c];
                    for (int c = 0; c < k && s > 0; c++)
                        if (cm[r * k + c] > 0)
                            h -= cm[r * k + c] / s * log(cm[r * k + c] / s);
                    ent[r] = h;
                    label_of(labels, r, lab[r], sizeof lab[r]);
                    lp[r] = lab[r];
                }
                char title[256];
                snprintf(title, sizeof title, "Confusion matrix %s%s", feat->string, normalize ? " (normalized)" : "");
                char xl[300], yl[300];
                snprintf(xl, sizeof xl, "predicted %s", feat->string);
                snprintf(yl, sizeof yl, "actual %s", feat->string);
                lc_figs_add(f, rep_svg_heatmap(title, xl, yl, lp, k, lp, k, cm, 0),
                        "confusion_matrix_%s_%s_top%d", model_name(m, i), feat->string, k);
                rep_argsort_desc(ent, k, ord);
                double *dv = malloc((size_t)k * sizeof *dv);
                const char **dl = malloc((size_t)k * sizeof *dl);
                if (dv && dl) {
                    for (int r = 0; r < k; r++)
                        dv[r] = ent[ord[r]], dl[r] = lp[ord[r]];
                    lc_figs_add(f, rep_svg_hbars("Classes ranked by entropy of Confusion Matrix row", "entropy", dl, dv, k, 3),
                            "confusion_matrix_entropy_%s_%s_top%d", model_name(m, i), feat->string, k);
                } else {
                    f->oom = 1;
                }
                free(dv), free(dl);
                free(cm), free(ent), free(ord), free(lab), free(lp);
                made++;
            }
        }
    return made;
}

/* The classes of a category output in index order with their training frequency (str2freq). */
static int class_freqs(const cJSON *meta, const char *feature, int k, const cJSON **i2s, double **freq)
{
    const cJSON *fm = get(meta, feature);
    *i2s = get(fm, "idx2str");
    const cJSON *s2f = get(fm, "str2freq");
    int n = cJSON_IsArray(*i2s) ? cJSON_GetArraySize(*i2s) : 0;
    if (k > 0 && k < n)
        n = k;
    if (!n || !(*freq = malloc((size_t)n * sizeof **freq)))
        return 0;
    for (int c = 0; c < n; c++) {
        const cJSON *x = get(s2f, cJSON_GetArrayItem(*i2s, c)->valuestring);
        (*freq)[c] = cJSON_IsNumber(x) ? x->valuedouble : 0;
    }
    return n;
}

int lc_viz_frequency_vs_f1(lc_figs *f, const lc_viz_models *m, const cJSON *meta,
                           const char *only, int top_k)
{
    int made = 0;
    for (int i = 0; i < m->n && !f->oom; i++)
        for (const cJSON *feat = m->stats[i] ? m->stats[i]->child : NULL; feat; feat = feat->next) {
            const cJSON *pcs = get(feat, "per_class_stats");
            if (!wanted(only, feat->string) || !pcs)
                continue;
            const cJSON *i2s;
            double *freq = NULL;
            int n = class_freqs(meta, feat->string, top_k, &i2s, &freq);
            if (!n)
                continue;
            double *f1 = malloc((size_t)n * sizeof *f1), *a = malloc((size_t)n * sizeof *a),
                   *b = malloc((size_t)n * sizeof *b);
            int *ord = malloc((size_t)n * sizeof *ord);
            const char **lab = malloc((size_t)n * sizeof *lab);
            if (!f1 || !a || !b || !ord || !lab) {
                free(f1), free(a), free(b), free(ord), free(lab), free(freq);
                f->oom = 1;
                break;
            }
            for (int c = 0; c < n; c++) {
                const cJSON *x = get(get(pcs, cJSON_GetArrayItem(i2s, c)->valuestring), "f1_score");
                f1[c] = cJSON_IsNumber(x) && isfinite(x->valuedouble) ? (float)x->valuedouble : 0;
            }
            char title[300];
            snprintf(title, sizeof title, "%s F1 Score vs Frequency %s", model_name(m, i), feat->string);
            /* the view Ludwig's file ends up holding: classes by frequency, most frequent first */
            rep_argsort_desc(freq, n, ord);
            for (int c = 0; c < n; c++) {
                a[c] = freq[ord[c]];
                b[c] = f1[ord[c]];
                lab[c] = cJSON_GetArrayItem(i2s, ord[c])->valuestring;
            }
            lc_figs_add(f, rep_svg_dual(title, "class", lab, n, a, "frequency", b, "F1 score"),
                    "frequency_vs_f1_%s_%s", model_name(m, i), feat->string);
            made++;
            free(f1), free(a), free(b), free(ord), free(lab), free(freq);
        }
    return made;
}

int lc_viz_multiclass_multimetric(lc_figs *f, const lc_viz_models *m, const cJSON *meta,
                                  const char *only, const int *top_n, int ntop)
{
    int made = 0;
    for (int i = 0; i < m->n && !f->oom; i++)
        for (const cJSON *feat = m->stats[i] ? m->stats[i]->child : NULL; feat; feat = feat->next) {
            const cJSON *pcs = get(feat, "per_class_stats");
            if (!wanted(only, feat->string) || !pcs)
                continue;
            const cJSON *i2s = get(get(meta, feat->string), "idx2str");
            int n = cJSON_IsArray(i2s) ? cJSON_GetArraySize(i2s) : 0;
            if (!n)
                continue;
            double *f1 = malloc((size_t)n * sizeof *f1);
            int *ord = malloc((size_t)n * sizeof *ord);
            double *v = malloc((size_t)n * 3 * sizeof *v);
            char (*lab)[200] = malloc((size_t)n * 3 * sizeof *lab);
            const char **lp = malloc((size_t)n * 3 * sizeof *lp);
            if (!f1 || !ord || !v || !lab || !lp) {
                free(f1), free(ord), free(v), free(lab), free(lp);
                f->oom = 1;
                break;
            }
            for (int c = 0; c < n; c++) {
                const cJSON *x = get(get(pcs, cJSON_GetArrayItem(i2s, c)->valuestring), "f1_score");
                f1[c] = cJSON_IsNumber(x) && isfinite(x->valuedouble) ? x->valuedouble : 0;
            }
            rep_argsort_desc(f1, n, ord);
            for (int t = 0; t < ntop; t++) {
                int k = top_n[t] > 0 && top_n[t] < n ? top_n[t] : n;
                /* top<k>: the first k classes; best<k>/worst<k>: by F1; sorted: all by F1 */
                for (int view = 0; view < 4; view++) {
                    if (view == 3 && t > 0)
                        continue;
                    int cnt = view == 3 ? n : k, q = 0;
                    for (int j = 0; j < cnt; j++) {
                        int c = view == 0 ? j : view == 1 ? ord[j] : view == 2 ? ord[n - 1 - j] : ord[j];
                        static const char *const mk[3] = {"precision", "recall", "f1_score"};
                        for (int s = 0; s < 3; s++) {
                            const cJSON *x = get(get(pcs, cJSON_GetArrayItem(i2s, c)->valuestring), mk[s]);
                            v[q] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
                            snprintf(lab[q], sizeof lab[q], "%s %s", cJSON_GetArrayItem(i2s, c)->valuestring, mk[s]);
                            lp[q] = lab[q];
                            q++;
                        }
                    }
                    char title[300], tag[32];
                    if (view == 3)
                        snprintf(tag, sizeof tag, "sorted");
                    else
                        snprintf(tag, sizeof tag, "%s%d", view == 0 ? "top" : view == 1 ? "best" : "worst", k);
                    snprintf(title, sizeof title, "%s%sMulticlass precision / recall / F1 %s (%s)", model_name(m, i),
                             *model_name(m, i) ? " " : "", feat->string, tag);
                    lc_figs_add(f, rep_svg_hbars(title, "value", lp, v, q, 3),
                            "compare_classifiers_multiclass_multimetric_%s_%s_%s", model_name(m, i), feat->string, tag);
                    made++;
                }
            }
            free(f1), free(ord), free(v), free(lab), free(lp);
        }
    return made;
}

/* ---- curves from the test statistics ---- */

static int curves(lc_figs *f, const lc_viz_models *m, const char *feature, const char *key,
                  const char *xk, const char *yk, const char *title, const char *xl,
                  const char *yl, const char *file)
{
    rep_xy sr[7];
    double *xs[6] = {0}, *ys[6] = {0};
    char names[6][64];
    int ns = 0;
    for (int i = 0; i < m->n && ns < 6; i++) {
        const cJSON *c = get(get(m->stats[i], feature), key);
        int nx, ny;
        if (!c || !(xs[ns] = json_doubles(get(c, xk), &nx)) || !(ys[ns] = json_doubles(get(c, yk), &ny))) {
            free(xs[ns]);
            xs[ns] = NULL;
            continue;
        }
        if (*model_name(m, i))
            snprintf(names[ns], sizeof names[ns], "%s", model_name(m, i));
        else if (m->n > 1)
            snprintf(names[ns], sizeof names[ns], "model %d", i + 1);
        else
            snprintf(names[ns], sizeof names[ns], "%s", feature);
        sr[ns] = (rep_xy){.name = names[ns], .x = xs[ns], .y = ys[ns], .n = nx < ny ? nx : ny,
                          .kind = REP_XY_LINE, .style = ns % 3};
        ns++;
    }
    static const double diag_x[2] = {0, 1}, diag_y[2] = {0, 1};
    int nsr = ns;
    if (ns && strcmp(key, "roc_curve") == 0)
        sr[nsr++] = (rep_xy){.name = NULL, .x = diag_x, .y = diag_y, .n = 2, .kind = REP_XY_LINE, .style = 3};
    static const double unit[4] = {0, 1, 0, 1.02};
    if (ns)
        lc_figs_add(f, rep_svg_xy(title, xl, yl, sr, nsr, unit), "%s", file);
    for (int i = 0; i < ns; i++) {
        free(xs[i]);
        free(ys[i]);
    }
    return ns > 0;
}

int lc_viz_roc_from_test_statistics(lc_figs *f, const lc_viz_models *m, const char *feature)
{
    return curves(f, m, feature, "roc_curve", "false_positive_rate", "true_positive_rate",
                  "ROC curves", "false positive rate", "true positive rate",
                  "roc_curves_from_prediction_statistics");
}

int lc_viz_pr_from_test_statistics(lc_figs *f, const lc_viz_models *m, const char *feature)
{
    return curves(f, m, feature, "precision_recall_curve", "recalls", "precisions",
                  "Precision Recall Curves", "recall", "precision",
                  "precision_recall_curves_from_prediction_statistics");
}

/* ---- hyperopt_report ---- */


typedef struct hbin {
    int n;
    char label[16][48];
    int *of; /* (trials) bin of each trial, -1 none */
} hbin;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A parameter's values in bins, as Ludwig quantises them for the pair plot: numbers with more
 * than 5 distinct values in 5 bins of about equal counts, other numbers each its own bin
 * (ascending), anything else each distinct value (at most 8, in order of appearance). */
static int bins_of(const cJSON *res, int nt, const char *name, hbin *b)
{
    char txt[8][48], buf[256];
    int nd = 0, numeric = 1;
    b->n = 0;
    if (!(b->of = calloc((size_t)(nt ? nt : 1), sizeof *b->of)))
        return 0;
    for (const cJSON *r = res->child; r; r = r->next)
        numeric &= cJSON_IsNumber(get(get(r, "parameters"), name));
    if (!numeric) {
        int i = 0;
        for (const cJSON *r = res->child; r && i < nt; r = r->next, i++) {
            rep_json_text(get(get(r, "parameters"), name), buf, sizeof buf);
            int k = 0;
            while (k < nd && strcmp(txt[k], buf) != 0)
                k++;
            if (k == nd && nd < 8)
                snprintf(txt[nd++], sizeof txt[0], "%.47s", buf);
            b->of[i] = k < 8 ? k : -1;
        }
        b->n = nd;
        for (int k = 0; k < nd; k++)
            snprintf(b->label[k], sizeof b->label[k], "%.47s", txt[k]);
        return 1;
    }
    double *sorted = malloc((size_t)nt * sizeof *sorted), *val = malloc((size_t)nt * sizeof *val);
    if (!sorted || !val) {
        free(sorted), free(val);
        return 0;
    }
    int i = 0;
    for (const cJSON *r = res->child; r && i < nt; r = r->next, i++)
        sorted[i] = val[i] = get(get(r, "parameters"), name)->valuedouble;
    qsort(sorted, (size_t)nt, sizeof *sorted, cmp_double);
    double uniq[8];
    for (i = 0; i < nt && nd <= 5; i++)
        if (nd == 0 || sorted[i] != uniq[nd - 1])
            uniq[nd++] = sorted[i];
    if (nd <= 5) {
        b->n = nd;
        for (int k = 0; k < nd; k++)
            snprintf(b->label[k], sizeof b->label[k], "%.4g", uniq[k]);
        for (i = 0; i < nt; i++)
            for (int k = 0; k < nd; k++)
                if (val[i] == uniq[k])
                    b->of[i] = k;
    } else {
        b->n = 5;
        double edge[6];
        for (int k = 0; k <= 5; k++)
            edge[k] = sorted[(size_t)((double)(nt - 1) * k / 5 + 0.5)];
        for (int k = 0; k < 5; k++)
            snprintf(b->label[k], sizeof b->label[k], "%.2g-%.2g", edge[k], edge[k + 1]);
        for (i = 0; i < nt; i++) {
            int k = 0;
            while (k < 4 && val[i] > edge[k + 1])
                k++;
            b->of[i] = k;
        }
    }
    free(sorted), free(val);
    return 1;
}

static size_t svg_height(const char *svg)
{
    const char *h = strstr(svg, "height=\"");
    return h ? (size_t)strtol(h + 8, NULL, 10) : 0;
}

int lc_viz_hyperopt_report(lc_figs *f, const cJSON *stats)
{
    const cJSON *cfg = get(stats, "hyperopt_config");
    const cJSON *params = get(cfg, "parameters");
    const cJSON *res = get(stats, "hyperopt_results");
    const char *metric = cJSON_GetStringValue(get(cfg, "metric"));
    const char *goal = cJSON_GetStringValue(get(cfg, "goal"));
    int nt = cJSON_GetArraySize(res), np = cJSON_GetArraySize(params), made = 0;
    int lower = !goal || strcmp(goal, "maximize") != 0;
    if (!metric)
        metric = "loss";
    if (nt == 0 || np == 0)
        return 0;
    double *score = malloc((size_t)nt * sizeof *score), *x = malloc((size_t)nt * sizeof *x);
    if (!score || !x) {
        free(score), free(x);
        f->oom = 1;
        return 0;
    }
    int i = 0;
    for (const cJSON *r = res->child; r; r = r->next, i++)
        score[i] = cJSON_IsNumber(get(r, "metric_score")) ? get(r, "metric_score")->valuedouble : NAN;
    for (const cJSON *p = params->child; p && !f->oom; p = p->next) {
        const char *sp = cJSON_GetStringValue(get(p, "space"));
        int numeric = 1;
        i = 0;
        for (const cJSON *r = res->child; r; r = r->next, i++) {
            const cJSON *v = get(get(r, "parameters"), p->string);
            numeric &= cJSON_IsNumber(v);
            x[i] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
        }
        int logx = sp && strstr(sp, "log") != NULL;
        char title[300], xl[300];
        snprintf(title, sizeof title, "Hyperopt Report: %s", p->string);
        if (numeric) {
            for (i = 0; logx && i < nt; i++)
                x[i] = x[i] > 0 ? log10(x[i]) : NAN;
            snprintf(xl, sizeof xl, logx ? "log10(%s)" : "%s", p->string);
            rep_xy sr = {.x = x, .y = score, .n = nt, .kind = REP_XY_POINTS};
            lc_figs_add(f, rep_svg_xy(title, xl, metric, &sr, 1, NULL), "hyperopt_%s", p->string);
        } else {
            hbin b;
            if (!bins_of(res, nt, p->string, &b)) {
                f->oom = 1;
                break;
            }
            double mean[16] = {0};
            int cnt[16] = {0};
            const char *labels[16];
            for (i = 0; i < nt; i++)
                if (b.of[i] >= 0 && isfinite(score[i]))
                    mean[b.of[i]] += score[i], cnt[b.of[i]]++;
            for (int c = 0; c < b.n; c++) {
                mean[c] = cnt[c] ? mean[c] / cnt[c] : NAN;
                labels[c] = b.label[c];
            }
            snprintf(xl, sizeof xl, "mean %s", metric);
            lc_figs_add(f, rep_svg_hbars(title, xl, labels, mean, b.n, 4), "hyperopt_%s", p->string);
            free(b.of);
        }
        made++;
    }
    free(x);
    if (np >= 2 && !f->oom) {
        /* the pairs' heat maps stacked in one picture, as Ludwig's one pair-plot figure */
        hbin *bins = calloc((size_t)np, sizeof *bins);
        char **parts = calloc((size_t)np * np, sizeof *parts);
        const char **pn = calloc((size_t)np, sizeof *pn);
        size_t total_h = 0, cap = 256;
        int ok = bins && parts && pn, k = 0;
        for (const cJSON *p = params->child; ok && p; p = p->next, k++) {
            pn[k] = p->string;
            ok = bins_of(res, nt, p->string, &bins[k]);
        }
        for (int a = 0; ok && a < np; a++)
            for (int c = a + 1; c < np; c++) {
                const hbin *ba = &bins[a], *bc = &bins[c];
                double v[256];
                int cnt[256] = {0};
                for (int q = 0; q < ba->n * bc->n; q++)
                    v[q] = 0;
                for (i = 0; i < nt; i++)
                    if (ba->of[i] >= 0 && bc->of[i] >= 0 && isfinite(score[i])) {
                        v[ba->of[i] * bc->n + bc->of[i]] += score[i];
                        cnt[ba->of[i] * bc->n + bc->of[i]]++;
                    }
                for (int q = 0; q < ba->n * bc->n; q++)
                    v[q] = cnt[q] ? v[q] / cnt[q] : NAN;
                const char *xl[16], *yl[16];
                for (int q = 0; q < bc->n; q++)
                    xl[q] = bc->label[q];
                for (int q = 0; q < ba->n; q++)
                    yl[q] = ba->label[q];
                char title[400];
                snprintf(title, sizeof title, "mean %s", metric);
                char *svg = rep_svg_heatmap(title, pn[c], pn[a], xl, bc->n, yl, ba->n, v, lower);
                if (!svg) {
                    ok = 0;
                    break;
                }
                parts[a * np + c] = svg;
                total_h += svg_height(svg);
                cap += strlen(svg) + 64;
            }
        char *all = ok ? malloc(cap) : NULL;
        if (all) {
            size_t len = (size_t)snprintf(all, cap, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"%zu\" viewBox=\"0 0 720 %zu\">", total_h, total_h);
            size_t y = 0;
            for (int q = 0; q < np * np; q++)
                if (parts[q]) {
                    len += (size_t)snprintf(all + len, cap - len, "<g transform=\"translate(0,%zu)\">%s</g>", y, parts[q]);
                    y += svg_height(parts[q]);
                }
            snprintf(all + len, cap - len, "</svg>");
            lc_figs_add(f, all, "hyperopt_pair_plot");
            made++;
        } else {
            f->oom = 1;
        }
        for (int q = 0; bins && q < np; q++)
            free(bins[q].of);
        for (int q = 0; parts && q < np * np; q++)
            free(parts[q]);
        free(bins), free(parts), free(pn);
    }
    free(score);
    return made;
}

unsigned char *lc_viz_pdf(const char *svg, size_t *len)
{
    return rep_svg_to_pdf(svg, len);
}

unsigned char *lc_viz_png(const char *svg, size_t *len, char *err, size_t errlen)
{
    return rep_svg_to_png(svg, len, err, errlen);
}
