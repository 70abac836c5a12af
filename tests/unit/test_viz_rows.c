/* test_viz_rows.c - lib/report/viz_rows.c's `ludwig visualize` views on 40 synthetic rows (3
 * classes, 2 models, a fixed seed; probabilities from small integer weights, so that ties and
 * values exactly on a threshold occur) and a binary second feature: every view's file names, and
 * the numbers each draws read back from its SVG (bar values from the <text>s, curve vertices
 * mapped back through the frame's data-range, grid cells from their tooltips) against this test's
 * own computation and, where Debian's python3-sklearn is installed, against the numpy /
 * scikit-learn values of tests/unit/viz_rows_check.py; scikit-learn's documented examples written
 * down for roc_curve, precision_recall_curve, calibration_curve and brier_score_loss; unknown
 * views, missing inputs, empty subsets and figure replacement. Run from the repository root. */
#include "check.h"
#include "lc_viz_rows.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N 40
#define NC 5
#define NM 2
#define NT 21

static int32_t truth[N], truth2[N], pred[NM][N];
static float prob[NM][N * NC], prob2[N * 2];
static const char *const classes[NC] = {"cat", "dog", "eel", "fox", "gnu"};
static const char *const names2[NM] = {"m1", "m2"};

static uint64_t rng = 7;

static uint32_t rnd(uint32_t k)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)((z ^ (z >> 31)) % k);
}

static int first_argmax(const float *row, int c)
{
    int b = 0;
    for (int j = 1; j < c; j++)
        if (row[j] > row[b])
            b = j;
    return b;
}

static void make_rows(void)
{
    for (int m = 0; m < NM; m++)
        for (int i = 0; i < N; i++) {
            int w[NC], s = 0;
            for (int c = 0; c < NC; c++)
                s += w[c] = 1 + (int)rnd(9);
            for (int c = 0; c < NC; c++)
                prob[m][i * NC + c] = (float)w[c] / (float)s;
        }
    /* model 0's first rows by hand: top probabilities exactly on a threshold where float32 and
     * float64 disagree (0.35, 0.45, 0.7 and 0.9 as float32 are below their decimal values), ties
     * (argmax takes the first, argsort's last the last), shares of 41 (the histogram's bins) and
     * 0.995 (binary_threshold_vs_metric takes 1 as 0.99) */
    static const int hand[9][NC] = {{9, 6, 5, 0, 0},  {7, 2, 1, 0, 0},   {18, 1, 1, 0, 0},
                                    {7, 7, 6, 0, 0},  {20, 20, 1, 0, 0},  {13, 14, 14, 0, 0},
                                    {1, 1, 1, 1, 1}, {1, 39, 1, 0, 0}, {0, 199, 1, 0, 0}};
    for (int i = 0; i < 9; i++) {
        int s = 0;
        for (int c = 0; c < NC; c++)
            s += hand[i][c];
        for (int c = 0; c < NC; c++)
            prob[0][i * NC + c] = (float)hand[i][c] / (float)s;
    }
    for (int i = 0; i < N; i++) {
        int a = first_argmax(prob[0] + i * NC, NC);
        truth[i] = rnd(10) < 6 ? a : (int32_t)rnd(NC);
        for (int m = 0; m < NM; m++)
            pred[m][i] = first_argmax(prob[m] + i * NC, NC);
        float p = (float)(1 + rnd(19)) / 20.0f;
        prob2[i * 2 + 1] = p;
        prob2[i * 2] = 1 - p;
        truth2[i] = rnd(10) < 7 ? p >= 0.5f : (int32_t)rnd(2);
    }
}

static lc_viz_rows rows_of(int named)
{
    static const float *pp[NM];
    static const int32_t *pd[NM];
    for (int m = 0; m < NM; m++)
        pp[m] = prob[m], pd[m] = pred[m];
    return (lc_viz_rows){.feature = "animal", .n = N, .C = NC, .truth = truth, .nmodels = NM,
                         .probs = pp, .preds = pd, .class_names = classes,
                         .model_names = named ? names2 : NULL, .nnames = named ? NM : 0};
}

static lc_viz_rows rows2_of(void)
{
    static const float *pp[1] = {prob2};
    static const char *const tf[2] = {"False", "True"};
    return (lc_viz_rows){.feature = "flag", .n = N, .C = 2, .binary = 1, .truth = truth2, .nmodels = 1,
                         .probs = pp, .class_names = tf};
}

/* ---- the expected values of viz_rows_check.py ---- */

typedef struct expect_t {
    char key[48];
    int n;
    double *v;
} expect_t;

static expect_t ex[256];
static int nex;

static const double *expv(const char *key, int *n)
{
    for (int i = 0; i < nex; i++)
        if (strcmp(ex[i].key, key) == 0) {
            *n = ex[i].n;
            return ex[i].v;
        }
    *n = 0;
    return NULL;
}

static void load_expected(void)
{
    char path[] = "/tmp/lc_viz_rows_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        return;
    fprintf(f, "%d %d %d %d\n", N, NC, NM, 2);
    for (int i = 0; i < N; i++)
        fprintf(f, "%d ", truth[i]);
    for (int m = 0; m < NM; m++) {
        for (int i = 0; i < N * NC; i++)
            fprintf(f, "%.9g ", prob[m][i]);
        for (int i = 0; i < N; i++)
            fprintf(f, "%d ", pred[m][i]);
    }
    for (int i = 0; i < N; i++)
        fprintf(f, "%d ", truth2[i]);
    for (int i = 0; i < N * 2; i++)
        fprintf(f, "%.9g ", prob2[i]);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/unit/viz_rows_check.py %s 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    static char line[1 << 16];
    while (p && nex < 256 && fgets(line, sizeof line, p)) {
        char *q = line, *end;
        int used = 0;
        if (sscanf(q, "%47s%n", ex[nex].key, &used) != 1)
            break;
        q += used;
        double *v = malloc(1024 * sizeof *v);
        int k = 0;
        for (;;) {
            while (*q == ' ')
                q++;
            if (strncmp(q, "nan", 3) == 0) {
                v[k++] = NAN;
                q += 3;
                continue;
            }
            double d = strtod(q, &end);
            if (end == q || k >= 1024)
                break;
            v[k++] = d;
            q = end;
        }
        ex[nex].v = v;
        ex[nex++].n = k;
    }
    if (p)
        pclose(p);
    unlink(path);
}

/* ---- reading figures back ---- */

static const char *fig(const lc_figs *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->name[i], name) == 0)
            return f->svg[i];
    return NULL;
}

static xmlDocPtr parse(const char *svg)
{
    return svg ? xmlReadMemory(svg, (int)strlen(svg), "f.svg", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR) : NULL;
}

typedef struct walk_t {
    char (*text)[256];
    int ntext, maxtext;
    double *cells;
    int ncells, maxcells;
} walk_t;

static void walk(xmlNodePtr n, walk_t *w)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, "text") == 0 && w->text && w->ntext < w->maxtext) {
            xmlChar *t = xmlNodeGetContent(c);
            snprintf(w->text[w->ntext++], sizeof w->text[0], "%s", t ? (const char *)t : "");
            xmlFree(t);
        }
        if (strcmp((const char *)c->name, "title") == 0 && strcmp((const char *)n->name, "rect") == 0 &&
            w->cells && w->ncells < w->maxcells) {
            xmlChar *t = xmlNodeGetContent(c);
            w->cells[w->ncells++] = t ? strtod((const char *)t, NULL) : NAN;
            xmlFree(t);
        }
        walk(c, w);
    }
}

/* The SVG's <text> contents in document order. */
static int texts(const char *svg, char (*out)[256], int max)
{
    xmlDocPtr d = parse(svg);
    walk_t w = {.text = out, .maxtext = max};
    if (d)
        walk(xmlDocGetRootElement(d), &w);
    xmlFreeDoc(d);
    return w.ntext;
}

static int has_text(const char *svg, const char *s)
{
    static char t[1024][256];
    int n = texts(svg, t, 1024);
    for (int i = 0; i < n; i++)
        if (strcmp(t[i], s) == 0)
            return 1;
    return 0;
}

/* The value written after the bar whose label starts with `label` (leading spaces skipped). */
static double bar_value(const char *svg, const char *label)
{
    static char t[1024][256];
    int n = texts(svg, t, 1024);
    for (int i = 0; i + 1 < n; i++) {
        const char *s = t[i];
        while (*s == ' ')
            s++;
        if (strncmp(s, label, strlen(label)) == 0)
            return strtod(t[i + 1], NULL);
    }
    return NAN;
}

/* The values in the grid cells' tooltips, in document order. */
static int cell_values(const char *svg, double *v, int max)
{
    xmlDocPtr d = parse(svg);
    walk_t w = {.cells = v, .maxcells = max};
    if (d)
        walk(xmlDocGetRootElement(d), &w);
    xmlFreeDoc(d);
    return w.ncells;
}

typedef struct frame_t {
    double xlo, xhi, ylo, yhi, x0, y0, w, h;
} frame_t;

static double prop_num(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    double d = v ? strtod((const char *)v, NULL) : NAN;
    xmlFree(v);
    return d;
}

static int prop_is(xmlNodePtr n, const char *name, const char *want)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    int same = want ? v && strcmp((const char *)v, want) == 0 : v == NULL;
    xmlFree(v);
    return same;
}

static void find_frame(xmlNodePtr n, frame_t *fr)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *r = xmlGetProp(c, BAD_CAST "data-range");
        if (r && strcmp((const char *)c->name, "rect") == 0) {
            sscanf((const char *)r, "%lf %lf %lf %lf", &fr->xlo, &fr->xhi, &fr->ylo, &fr->yhi);
            fr->x0 = prop_num(c, "x");
            fr->y0 = prop_num(c, "y");
            fr->w = prop_num(c, "width");
            fr->h = prop_num(c, "height");
        }
        xmlFree(r);
        find_frame(c, fr);
    }
}

static void data_xy(const frame_t *fr, double px, double py, double *x, double *y)
{
    *x = fr->xlo + (px - fr->x0) / fr->w * (fr->xhi - fr->xlo);
    *y = fr->ylo + (fr->y0 + fr->h - py) / fr->h * (fr->yhi - fr->ylo);
}

typedef struct pts_t {
    frame_t fr;
    int n;
    double x[4096], y[4096];
} pts_t;

static void collect(xmlNodePtr n, const char *stroke, const char *dash, int dots, pts_t *p)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const char *nm = (const char *)c->name;
        if (!dots && strcmp(nm, "polyline") == 0 && prop_is(c, "stroke", stroke) &&
            prop_is(c, "stroke-dasharray", dash)) {
            xmlChar *v = xmlGetProp(c, BAD_CAST "points");
            const char *s = (const char *)v;
            double a, b;
            int used;
            while (s && p->n < 4096 && sscanf(s, " %lf,%lf%n", &a, &b, &used) == 2) {
                data_xy(&p->fr, a, b, &p->x[p->n], &p->y[p->n]);
                p->n++;
                s += used;
            }
            xmlFree(v);
        }
        if (dots && strcmp(nm, "path") == 0 && prop_is(c, "stroke", stroke)) {
            xmlChar *v = xmlGetProp(c, BAD_CAST "d");
            const char *s = (const char *)v;
            double a, b;
            int used;
            while (s && p->n < 4096 && sscanf(s, "M%lf %lfh0%n", &a, &b, &used) == 2) {
                data_xy(&p->fr, a, b, &p->x[p->n], &p->y[p->n]);
                p->n++;
                s += used;
            }
            xmlFree(v);
        }
        collect(c, stroke, dash, dots, p);
    }
}

/* The vertices (data units) of the polylines (dots: the points) drawn in this stroke and dash
 * (NULL: solid), in document order. */
static pts_t *drawn(const char *svg, const char *stroke, const char *dash, int dots)
{
    static pts_t p;
    memset(&p, 0, sizeof p);
    xmlDocPtr d = parse(svg);
    if (d) {
        find_frame(xmlDocGetRootElement(d), &p.fr);
        collect(xmlDocGetRootElement(d), stroke, dash, dots, &p);
    }
    xmlFreeDoc(d);
    return &p;
}

/* The series drawn equals (ex, ey) (n; pairs with a non-finite member are gaps) to within a
 * tenth of a pixel. */
static void check_drawn(const char *what, const char *svg, const char *stroke, const char *dash, int dots,
                        const double *exx, const double *exy, int n)
{
    pts_t *p = drawn(svg, stroke, dash, dots);
    double tx = (p->fr.xhi - p->fr.xlo) / p->fr.w * 0.1, ty = (p->fr.yhi - p->fr.ylo) / p->fr.h * 0.1;
    int j = 0, ok = svg && exx && exy && p->fr.w > 0;
    for (int i = 0; ok && i < n; i++) {
        if (!isfinite(exx[i]) || !isfinite(exy[i]))
            continue;
        if (j >= p->n || fabs(p->x[j] - exx[i]) > tx || fabs(p->y[j] - exy[i]) > ty) {
            fprintf(stderr, "  %s: point %d drawn (%g, %g), expected (%g, %g)\n", what, i,
                    j < p->n ? p->x[j] : NAN, j < p->n ? p->y[j] : NAN, exx[i], exy[i]);
            ok = 0;
        }
        j++;
    }
    CHECK_MSG(ok && j == p->n, "%s: %d points drawn, %d expected", what, p->n, j);
}

static int same_values(const double *a, const double *b, int n, double tol)
{
    for (int i = 0; i < n; i++)
        if (!(isnan(a[i]) && isnan(b[i])) && !(fabs(a[i] - b[i]) <= tol))
            return 0;
    return 1;
}

#define BLUE "#0072B2"
#define ORANGE "#E69F00"
#define GREEN "#009E73"
#define BLACK "#000000"

/* ---- the test's own computations ---- */

/* accuracy and coverage at Ludwig's thresholds, of the rows in sel, computed plainly */
static void thresholds_plain(const float *p, int c, const int32_t *gt, const int *sel, double *acc, double *cov)
{
    for (int t = 0; t < NT; t++) {
        double th = t * 5 / 100.0;
        float thf = (float)(th < 1 ? th : 0.999);
        int kept = 0, right = 0;
        for (int i = 0; i < N; i++) {
            if (sel && !sel[i])
                continue;
            int a = first_argmax(p + i * c, c);
            if (p[i * c + a] >= thf) {
                kept++;
                right += gt[i] == a;
            }
        }
        acc[t] = kept ? (double)right / kept : NAN;
        cov[t] = (double)kept / N;
    }
}

typedef struct rk {
    float v;
    int i;
} rk;

static int cmp_rk(const void *a, const void *b)
{
    const rk *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return x->i - y->i;
}

/* accuracy (argsort's last), hits@k and MRR with a full sort of each row */
static void from_prob_plain(const float *p, int k, double *v)
{
    double acc = 0, hits = 0, mrr = 0;
    for (int i = 0; i < N; i++) {
        rk r[NC];
        for (int c = 0; c < NC; c++)
            r[c] = (rk){p[i * NC + c], c};
        qsort(r, NC, sizeof *r, cmp_rk);
        acc += r[NC - 1].i == truth[i];
        for (int pos = 0; pos < NC; pos++)
            if (r[pos].i == truth[i]) {
                hits += pos >= NC - k;
                mrr += 1.0 / (NC - pos);
            }
    }
    v[0] = acc / N, v[1] = hits / N, v[2] = mrr / N;
}

/* ---- tests ---- */

static void test_sklearn_examples(void)
{
    /* scikit-learn's own examples (its docstrings) */
    const int32_t y[4] = {0, 0, 1, 1};
    const float s[4] = {0.1f, 0.4f, 0.35f, 0.8f};
    double a[5], b[5];
    int k = lc_viz_roc_curve(y, s, 4, 1, a, b);
    const double fpr[5] = {0, 0, 0.5, 0.5, 1}, tpr[5] = {0, 0.5, 0.5, 1, 1};
    CHECK(k == 5 && same_values(a, fpr, 5, 1e-12) && same_values(b, tpr, 5, 1e-12));
    k = lc_viz_pr_curve(y, s, 4, 1, a, b);
    const double pr[5] = {0.5, 2.0 / 3, 0.5, 1, 1}, rc[5] = {1, 1, 0.5, 0.5, 0};
    CHECK(k == 5 && same_values(a, pr, 5, 1e-12) && same_values(b, rc, 5, 1e-12));
    /* no positives: tpr NaN throughout, recall 1 */
    const int32_t y0[4] = {0, 0, 0, 0};
    k = lc_viz_roc_curve(y0, s, 4, 1, a, b);
    CHECK(k == 3 && isnan(b[0]) && isnan(b[2]) && a[2] == 1);
    k = lc_viz_pr_curve(y0, s, 4, 1, a, b);
    CHECK(k == 5 && b[0] == 1 && a[0] == 0 && b[4] == 0 && a[4] == 1);
    const float nan_s[2] = {NAN, 0.5f};
    CHECK(lc_viz_roc_curve(y, nan_s, 2, 1, a, b) == -1);
    const float yc[9] = {0, 0, 0, 0, 1, 1, 1, 1, 1};
    const float pc[9] = {0.1f, 0.2f, 0.3f, 0.4f, 0.65f, 0.7f, 0.8f, 0.9f, 1.0f};
    double fr[3], me[3];
    k = lc_viz_calibration_curve(yc, pc, 9, 3, fr, me);
    const double wf[3] = {0, 0.5, 1}, wm[3] = {0.2, 0.525, 0.85};
    CHECK(k == 3 && same_values(fr, wf, 3, 1e-12) && same_values(me, wm, 3, 1e-7));
    const float bad[2] = {0.5f, 1.5f};
    CHECK(lc_viz_calibration_curve(yc, bad, 2, 3, fr, me) == -1);
    const float yb[4] = {0, 1, 1, 0}, pb[4] = {0.1f, 0.9f, 0.8f, 0.3f};
    CHECK_CLOSE(lc_viz_brier(yb, pb, 4), 0.0375, 1e-8, 0);
    CHECK(isnan(lc_viz_brier(yb, bad, 2)));
}

static void test_names_and_edges(void)
{
    const char *const *v = lc_viz_rows_views();
    int n = 0;
    while (v[n])
        n++;
    CHECK(n == 17);
    CHECK(lc_viz_rows_uses_preds("compare_classifiers_performance_from_pred") == 1);
    CHECK(lc_viz_rows_uses_preds("roc_curves") == 0);
    CHECK(lc_viz_rows_uses_preds("learning_curves") == -1);
    lc_figs f = {0};
    lc_viz_rows r = rows_of(1), r2 = rows2_of();
    CHECK(lc_viz_rows_view(&f, "no_such_view", &r, NULL, NULL) == -1);
    /* default top_n_classes [0]: the ground-truth subset is empty (Ludwig stops: no figure), and
     * no class is drawn per class */
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_performance_subset", &r, NULL, NULL) == 0);
    CHECK(lc_viz_rows_view(&f, "confidence_thresholding_data_vs_acc_subset_per_class", &r, NULL, NULL) == 0);
    /* the two-threshold views need the second feature of one model */
    CHECK(lc_viz_rows_view(&f, "confidence_thresholding_2thresholds_2d", &r, NULL, NULL) == 0);
    lc_viz_rows one = r;
    one.nmodels = 1;
    CHECK(lc_viz_rows_view(&f, "confidence_thresholding_2thresholds_2d", &r, &r2, NULL) == 0);
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_predictions", &one, NULL, NULL) == 0);
    lc_viz_rows nopred = r;
    nopred.preds = NULL;
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_performance_from_pred", &nopred, NULL, NULL) == 0);
    lc_viz_row_opts o;
    lc_viz_row_opts_default(&o);
    o.positive_label = NC; /* no such column: Ludwig raises */
    CHECK(lc_viz_rows_view(&f, "roc_curves", &r, NULL, &o) == 0);
    CHECK(lc_viz_rows_view(&f, "binary_threshold_vs_metric", &r, NULL, &o) == 0);
    o.subset = "everything";
    CHECK(lc_viz_rows_view(&f, "confidence_thresholding", &r, NULL, &o) == 0);
    CHECK(f.n == 0 && !f.oom);
    /* the same view twice: its figure is replaced, not added */
    CHECK(lc_viz_rows_view(&f, "roc_curves", &r, NULL, NULL) == 1);
    CHECK(lc_viz_rows_view(&f, "roc_curves", &r, NULL, NULL) == 1);
    CHECK(f.n == 1 && strcmp(f.name[0], "roc_curves") == 0);
    /* a binary output's positive class is 1 whatever positive_label says */
    lc_viz_row_opts_default(&o);
    o.positive_label = 0;
    CHECK(lc_viz_rows_view(&f, "roc_curves", &r2, NULL, &o) == 1);
    int ne;
    const double *fx = expv("roc_binary_fpr", &ne), *fy = expv("roc_binary_tpr", &ne);
    if (fx)
        check_drawn("roc binary", fig(&f, "roc_curves"), BLUE, NULL, 0, fx, fy, ne);
    lc_figs_free(&f);
}

static void test_bars(void)
{
    lc_figs f = {0};
    lc_viz_rows r = rows_of(1);
    lc_viz_row_opts o;
    lc_viz_row_opts_default(&o);
    static const int top2[1] = {2};
    o.top_n_classes = top2;
    int ne;
    const double *e;
    /* from probabilities, top 2 */
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_performance_from_prob", &r, NULL, &o) == 1);
    const char *svg = fig(&f, "compare_classifiers_performance_from_prob");
    static const char *const met[3] = {"accuracy", "hits_at_k", "mrr"};
    for (int m = 0; m < NM; m++) {
        double want[3];
        from_prob_plain(prob[m], 2, want);
        for (int j = 0; j < 3; j++) {
            char lab[64];
            snprintf(lab, sizeof lab, "%s %s", names2[m], met[j]);
            CHECK_CLOSE(bar_value(svg, lab), want[j], 5.1e-5, 0);
        }
    }
    if ((e = expv("from_prob_k2", &ne)) && ne == 6)
        for (int q = 0; q < 6; q++) {
            char lab[64];
            snprintf(lab, sizeof lab, "%s %s", names2[q / 3], met[q % 3]);
            CHECK_CLOSE(bar_value(svg, lab), e[q], 5.1e-5, 0);
        }
    /* the CLI's default top_n_classes [0]: prob[:, -0:] keeps every class, so hits_at_k is 1;
     * labels_limit 1 folds class 2 into class 1 */
    lc_viz_row_opts_default(&o);
    o.labels_limit = 1;
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_performance_from_prob", &r, NULL, &o) == 1);
    CHECK(f.n == 1);
    svg = fig(&f, "compare_classifiers_performance_from_prob");
    CHECK(bar_value(svg, "m1 hits_at_k") == 1 && bar_value(svg, "m2 hits_at_k") == 1);
    if ((e = expv("from_prob_k0_L1", &ne)) && ne == 6)
        for (int q = 0; q < 6; q++) {
            char lab[64];
            snprintf(lab, sizeof lab, "%s %s", names2[q / 3], met[q % 3]);
            CHECK_CLOSE(bar_value(svg, lab), e[q], 5.1e-5, 0);
        }
    /* from predictions: sklearn's accuracy and macro precision / recall / F1 */
    static const char *const met4[4] = {"accuracy", "precision", "recall", "f1"};
    for (int L = 0; L <= 1; L++) {
        o.labels_limit = L;
        CHECK(lc_viz_rows_view(&f, "compare_classifiers_performance_from_pred", &r, NULL, &o) == 1);
        svg = fig(&f, "compare_classifiers_performance_from_pred");
        double acc = 0;
        for (int i = 0; i < N; i++)
            acc += pred[0][i] == (L && truth[i] > L ? L : truth[i]);
        CHECK_CLOSE(bar_value(svg, "m1 accuracy"), acc / N, 5.1e-5, 0);
        if ((e = expv(L ? "from_pred_L1" : "from_pred", &ne)) && ne == 8)
            for (int q = 0; q < 8; q++) {
                char lab[64];
                snprintf(lab, sizeof lab, "%s %s", names2[q / 4], met4[q % 4]);
                CHECK_CLOSE(bar_value(svg, lab), e[q], 5.1e-5, 0);
            }
    }
    /* subsets of the first 2 classes, by ground truth and by predictions */
    lc_viz_row_opts_default(&o);
    o.top_n_classes = top2;
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_performance_subset", &r, NULL, &o) == 1);
    svg = fig(&f, "compare_classifiers_performance_subset");
    int in = 0;
    for (int i = 0; i < N; i++)
        in += truth[i] < 2;
    char title[128];
    snprintf(title, sizeof title, "Classifier performance on first 2 classes (%.2f%%)", 100.0 * in / N);
    CHECK_MSG(has_text(svg, title), "title %s", title);
    if ((e = expv("subset_gt_k2", &ne)) && ne == 6)
        for (int m = 0; m < NM; m++) {
            char lab[64];
            snprintf(lab, sizeof lab, "%s accuracy", names2[m]);
            CHECK_CLOSE(bar_value(svg, lab), e[m * 3], 5.1e-5, 0);
            snprintf(lab, sizeof lab, "%s hits_at_k", names2[m]);
            CHECK_CLOSE(bar_value(svg, lab), e[m * 3 + 1], 5.1e-5, 0);
        }
    o.subset = "predictions";
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_performance_subset", &r, NULL, &o) == 1);
    svg = fig(&f, "compare_classifiers_performance_subset");
    CHECK(has_text(svg, "Classifier performance on first 2 classes"));
    if ((e = expv("subset_pred_k2", &ne)) && ne == 6)
        for (int m = 0; m < NM; m++) {
            char lab[96];
            snprintf(lab, sizeof lab, "%s (%.2f%%) accuracy", names2[m], e[m * 3 + 2]);
            CHECK_CLOSE(bar_value(svg, lab), e[m * 3], 5.1e-5, 0);
            snprintf(lab, sizeof lab, "%s (%.2f%%) hits_at_k", names2[m], e[m * 3 + 2]);
            CHECK_CLOSE(bar_value(svg, lab), e[m * 3 + 1], 5.1e-5, 0);
        }
    /* two models' agreement */
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_predictions", &r, NULL, NULL) == 1);
    svg = fig(&f, "compare_classifiers_predictions_m1_m2");
    long cnt[7] = {0};
    for (int i = 0; i < N; i++) {
        int a = pred[0][i] == truth[i], b = pred[1][i] == truth[i];
        cnt[0] += a && b;
        cnt[1] += a != b;
        cnt[2] += a && !b;
        cnt[3] += !a && b;
        cnt[4] += !a && !b;
        cnt[5] += !a && !b && pred[0][i] == pred[1][i];
        cnt[6] += !a && !b && pred[0][i] != pred[1][i];
    }
    static const char *const parts[7] = {"both right", "one right", "m1 right / m2 wrong", "m1 wrong / m2 right",
                                         "both wrong", "same prediction", "different prediction"};
    for (int j = 0; j < 7; j++)
        CHECK_MSG(bar_value(svg, parts[j]) == cnt[j], "%s: %g vs %ld", parts[j], bar_value(svg, parts[j]), cnt[j]);
    CHECK(has_text(svg, "m1 vs m2"));
    if ((e = expv("predictions", &ne)) && ne == 7)
        for (int j = 0; j < 7; j++)
            CHECK(e[j] == cnt[j]);
    lc_viz_rows un = rows_of(0);
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_predictions", &un, NULL, NULL) == 1);
    CHECK(fig(&f, "compare_classifiers_predictions_c1_c2") != NULL);
    /* the distribution of predictions (a radar in Ludwig) */
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_predictions_distribution", &r, NULL, NULL) == 1);
    svg = fig(&f, "compare_classifiers_predictions_distribution");
    if ((e = expv("distribution", &ne)) && ne % (NM + 2) == 0) { /* order, truth, each model */
        int K = ne / (NM + 2);
        for (int j = 0; j < K; j++) {
            char lab[64];
            int c = (int)e[j];
            snprintf(lab, sizeof lab, "%s: Ground Truth", classes[c]);
            CHECK_CLOSE(bar_value(svg, lab), e[K + j], 5.1e-5, 0);
            for (int m = 0; m < NM; m++) {
                snprintf(lab, sizeof lab, "%s: %s", classes[c], names2[m]);
                CHECK_CLOSE(bar_value(svg, lab), e[2 * K + m * K + j], 5.1e-5, 0);
            }
        }
        /* the bars in the order of the truth's shares */
        static char t[1024][256];
        int nt = texts(svg, t, 1024), at = 0;
        for (int j = 0; j < K; j++) {
            char lab[64];
            snprintf(lab, sizeof lab, "%s: Ground Truth", classes[(int)e[j]]);
            while (at < nt && strcmp(t[at], lab) != 0)
                at++;
        }
        CHECK(at < nt);
    }
    else
        CHECK(bar_value(svg, "cat: Ground Truth") >= 0);
    lc_figs_free(&f);
}

static void test_thresholds(void)
{
    lc_figs f = {0};
    lc_viz_rows r = rows_of(1);
    lc_viz_row_opts o;
    lc_viz_row_opts_default(&o);
    double x[NT], acc[NT], cov[NT];
    for (int t = 0; t < NT; t++)
        x[t] = t * 5 / 100.0;
    const char *col[NM] = {BLUE, ORANGE};
    int ne;
    CHECK(lc_viz_rows_view(&f, "confidence_thresholding", &r, NULL, &o) == 1);
    CHECK(lc_viz_rows_view(&f, "confidence_thresholding_data_vs_acc", &r, NULL, &o) == 1);
    const char *ct = fig(&f, "confidence_thresholding"), *dv = fig(&f, "confidence_thresholding_data_vs_acc");
    for (int m = 0; m < NM; m++) {
        thresholds_plain(prob[m], NC, truth, NULL, acc, cov);
        check_drawn("confidence_thresholding accuracy", ct, col[m], NULL, 0, x, acc, NT);
        check_drawn("confidence_thresholding coverage", ct, col[m], "9 5", 0, x, cov, NT);
        check_drawn("data_vs_acc", dv, col[m], NULL, 0, cov, acc, NT);
        char k1[64], k2[64];
        snprintf(k1, sizeof k1, "conf_acc_%d", m);
        snprintf(k2, sizeof k2, "conf_cov_%d", m);
        const double *ea = expv(k1, &ne), *ec = expv(k2, &ne);
        if (ea && ec)
            check_drawn("confidence_thresholding (numpy)", ct, col[m], NULL, 0, x, ea, NT);
    }
    CHECK(has_text(ct, "m1 accuracy") && has_text(ct, "m2 data coverage"));
    /* labels_limit 1 */
    o.labels_limit = 1;
    CHECK(lc_viz_rows_view(&f, "confidence_thresholding", &r, NULL, &o) == 1);
    ct = fig(&f, "confidence_thresholding");
    for (int m = 0; m < NM; m++) {
        char k1[64], k2[64];
        snprintf(k1, sizeof k1, "conf_L1_acc_%d", m);
        snprintf(k2, sizeof k2, "conf_L1_cov_%d", m);
        const double *ea = expv(k1, &ne), *ec = expv(k2, &ne);
        if (ea && ec) {
            check_drawn("confidence_thresholding L1 accuracy", ct, col[m], NULL, 0, x, ea, NT);
            check_drawn("confidence_thresholding L1 coverage", ct, col[m], "9 5", 0, x, ec, NT);
        }
    }
    /* subsets of the first 2 classes */
    static const int top2[1] = {2};
    lc_viz_row_opts_default(&o);
    o.top_n_classes = top2;
    for (int by = 0; by < 2; by++) {
        o.subset = by ? "predictions" : "ground_truth";
        CHECK(lc_viz_rows_view(&f, "confidence_thresholding_data_vs_acc_subset", &r, NULL, &o) == 1);
        const char *sv = fig(&f, "confidence_thresholding_data_vs_acc_subset");
        for (int m = 0; m < NM; m++) {
            int sel[N];
            for (int i = 0; i < N; i++)
                sel[i] = by ? first_argmax(prob[m] + i * NC, NC) < 2 : truth[i] < 2;
            thresholds_plain(prob[m], NC, truth, sel, acc, cov);
            check_drawn("data_vs_acc_subset", sv, col[m], NULL, 0, cov, acc, NT);
            char k1[64], k2[64];
            snprintf(k1, sizeof k1, "subset_%s_acc_%d", by ? "pred" : "gt", m);
            snprintf(k2, sizeof k2, "subset_%s_cov_%d", by ? "pred" : "gt", m);
            const double *ea = expv(k1, &ne), *ec = expv(k2, &ne);
            if (ea && ec)
                check_drawn("data_vs_acc_subset (numpy)", sv, col[m], NULL, 0, ec, ea, NT);
        }
    }
    /* per class: one figure per class of the first 2, named by class */
    o.subset = "ground_truth";
    CHECK(lc_viz_rows_view(&f, "confidence_thresholding_data_vs_acc_subset_per_class", &r, NULL, &o) == 2);
    for (int c = 0; c < 2; c++) {
        char name[128];
        snprintf(name, sizeof name, "confidence_thresholding_data_vs_acc_subset_per_class_%s", classes[c]);
        const char *pc = fig(&f, name);
        CHECK_MSG(pc != NULL, "%s", name);
        char title[128];
        snprintf(title, sizeof title, "Confidence_Thresholding (Data vs Accuracy) for class %s", classes[c]);
        CHECK(pc && has_text(pc, title));
        for (int m = 0; pc && m < NM; m++) {
            char k1[64], k2[64];
            snprintf(k1, sizeof k1, "class%d_acc_%d", c, m);
            snprintf(k2, sizeof k2, "class%d_cov_%d", c, m);
            const double *ea = expv(k1, &ne), *ec = expv(k2, &ne);
            if (ea && ec)
                check_drawn("per class", pc, col[m], NULL, 0, ec, ea, NT);
        }
    }
    /* hits@k for k = 1..3 */
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_performance_changing_k", &r, NULL, NULL) == 1);
    const char *ck = fig(&f, "compare_classifiers_performance_changing_k");
    const double kx[3] = {1, 2, 3};
    for (int m = 0; m < NM; m++) {
        double h[3];
        for (int k = 1; k <= 3; k++) {
            double v[3];
            from_prob_plain(prob[m], k, v);
            h[k - 1] = v[1];
        }
        check_drawn("changing_k", ck, col[m], NULL, 0, kx, h, 3);
        check_drawn("changing_k points", ck, col[m], NULL, 1, kx, h, 3);
        const double *e = expv("changing_k3", &ne);
        if (e && ne == 6)
            check_drawn("changing_k (numpy)", ck, col[m], NULL, 0, kx, e + m * 3, 3);
    }
    lc_viz_rows un = rows_of(0);
    CHECK(lc_viz_rows_view(&f, "compare_classifiers_performance_changing_k", &un, NULL, NULL) == 1);
    CHECK(has_text(fig(&f, "compare_classifiers_performance_changing_k"), "Algorithm 1"));
    lc_figs_free(&f);
}

static void test_two_thresholds(void)
{
    lc_figs f = {0};
    lc_viz_rows r = rows_of(1), r2 = rows2_of();
    r.nmodels = 1;
    CHECK(lc_viz_rows_view(&f, "confidence_thresholding_2thresholds_2d", &r, &r2, NULL) == 3);
    CHECK(lc_viz_rows_view(&f, "confidence_thresholding_2thresholds_3d", &r, &r2, NULL) == 1);
    const char *ml = fig(&f, "confidence_thresholding_2thresholds_2d_multiline");
    const char *mx = fig(&f, "confidence_thresholding_2thresholds_2d_maxline");
    const char *mt = fig(&f, "confidence_thresholding_2thresholds_2d_maxline_with_thresholds");
    const char *g3 = fig(&f, "confidence_thresholding_2thresholds_3d");
    CHECK(ml && mx && mt && g3);
    /* the grid, computed plainly: [t1][t2] */
    static double acc[NT * NT], cov[NT * NT];
    for (int a = 0; a < NT; a++)
        for (int b = 0; b < NT; b++) {
            float t1 = (float)(a < 20 ? a * 5 / 100.0 : 0.999), t2 = (float)(b < 20 ? b * 5 / 100.0 : 0.999);
            int kept = 0, right = 0;
            for (int i = 0; i < N; i++) {
                int a1 = first_argmax(prob[0] + i * NC, NC), a2 = first_argmax(prob2 + i * 2, 2);
                if (prob[0][i * NC + a1] >= t1 && prob2[i * 2 + a2] >= t2) {
                    kept++;
                    right += a1 == truth[i] && a2 == truth2[i];
                }
            }
            acc[a * NT + b] = kept ? (double)right / kept : NAN;
            cov[a * NT + b] = (double)kept / N;
        }
    /* the 3D view's heat maps: columns t1, rows t2 from the top (highest) down */
    static double cells[2 * NT * NT], want[2 * NT * NT];
    CHECK(cell_values(g3, cells, 2 * NT * NT) == 2 * NT * NT);
    for (int row = 0; row < NT; row++)
        for (int c = 0; c < NT; c++) {
            want[row * NT + c] = acc[c * NT + NT - 1 - row];
            want[NT * NT + row * NT + c] = cov[c * NT + NT - 1 - row];
        }
    CHECK(same_values(cells, want, 2 * NT * NT, 1e-5));
    int ne;
    const double *ea = expv("grid_acc", &ne), *ec = expv("grid_cov", &ne);
    if (ea && ec && ne == NT * NT)
        CHECK(same_values(acc, ea, NT * NT, 1e-12) && same_values(cov, ec, NT * NT, 1e-12));
    /* multiline: one thin line per first threshold, coverage against accuracy */
    check_drawn("multiline", ml, BLUE, NULL, 0, cov, acc, NT * NT);
    double x[NT];
    for (int t = 0; t < NT; t++)
        x[t] = t * 5 / 100.0;
    const double *best = expv("maxline", &ne), *t1 = expv("t1max", &ne), *t2 = expv("t2max", &ne);
    if (best && t1 && t2) {
        check_drawn("maxline", mx, BLUE, NULL, 0, x, best, NT);
        check_drawn("maxline_with_thresholds accuracy", mt, BLUE, NULL, 0, x, best, NT);
        check_drawn("maxline_with_thresholds t1", mt, ORANGE, "2 4", 0, x, t1, NT);
        check_drawn("maxline_with_thresholds t2", mt, GREEN, "2 4", 0, x, t2, NT);
    }
    CHECK(has_text(mt, "animal threshold") && has_text(mt, "flag threshold"));
    CHECK(has_text(g3, "animal probability") && has_text(g3, "flag probability"));
    size_t len = 0;
    unsigned char *pdf = lc_viz_pdf(g3, &len);
    CHECK(pdf && len > 1000 && memcmp(pdf, "%PDF", 4) == 0);
    free(pdf);
    lc_figs_free(&f);
}

static void test_binary_views(void)
{
    lc_figs f = {0};
    lc_viz_rows r = rows_of(1);
    lc_viz_row_opts o;
    lc_viz_row_opts_default(&o);
    static const char *const metrics[5] = {"f1", "precision", "auc", "recall", "accuracy"};
    o.metrics = metrics;
    o.nmetrics = 5;
    CHECK(lc_viz_rows_view(&f, "binary_threshold_vs_metric", &r, NULL, &o) == 4);
    CHECK(fig(&f, "binary_threshold_vs_metric_auc") == NULL);
    double x[NT];
    for (int t = 0; t < NT; t++)
        x[t] = t * 5 / 100.0;
    const char *col[NM] = {BLUE, ORANGE};
    int ne;
    for (int q = 0; q < 5; q++) {
        if (q == 2)
            continue;
        char name[64];
        snprintf(name, sizeof name, "binary_threshold_vs_metric_%s", metrics[q]);
        const char *svg = fig(&f, name);
        CHECK_MSG(svg != NULL, "%s", name);
        for (int m = 0; svg && m < NM; m++) {
            char key[48];
            snprintf(key, sizeof key, "thr_%s_%d", metrics[q], m);
            const double *e = expv(key, &ne);
            if (e)
                check_drawn(name, svg, col[m], NULL, 0, x, e, NT);
            if (q == 4) { /* accuracy at each threshold, computed plainly: positives class 1 */
                double a[NT];
                for (int t = 0; t < NT; t++) {
                    float th = (float)(t < 20 ? t * 5 / 100.0 : 0.99);
                    int right = 0;
                    for (int i = 0; i < N; i++)
                        right += (prob[m][i * NC + 1] >= th) == (truth[i] == 1);
                    a[t] = (double)right / N;
                }
                check_drawn("accuracy vs threshold", svg, col[m], NULL, 0, x, a, NT);
            }
        }
    }
    /* ROC and precision-recall curves of class 1 */
    CHECK(lc_viz_rows_view(&f, "roc_curves", &r, NULL, NULL) == 1);
    CHECK(lc_viz_rows_view(&f, "precision_recall_curves", &r, NULL, NULL) == 1);
    const char *roc = fig(&f, "roc_curves"), *pr = fig(&f, "precision_recall_curve");
    CHECK(roc && pr);
    const double diag[2] = {0, 1};
    check_drawn("roc diagonal", roc, BLACK, "9 5", 0, diag, diag, 2);
    for (int m = 0; m < NM; m++) {
        char k1[64], k2[64];
        snprintf(k1, sizeof k1, "roc_fpr_%d", m);
        snprintf(k2, sizeof k2, "roc_tpr_%d", m);
        const double *fx = expv(k1, &ne), *fy = expv(k2, &ne);
        if (fx && fy)
            check_drawn("roc", roc, col[m], NULL, 0, fx, fy, ne);
        snprintf(k1, sizeof k1, "pr_r_%d", m);
        snprintf(k2, sizeof k2, "pr_p_%d", m);
        fx = expv(k1, &ne), fy = expv(k2, &ne);
        if (fx && fy)
            check_drawn("precision recall", pr, col[m], NULL, 0, fx, fy, ne);
    }
    /* positive_label 0 of a category: Ludwig's 0/1 truth meets pos_label=0 */
    o.positive_label = 0;
    CHECK(lc_viz_rows_view(&f, "roc_curves", &r, NULL, &o) == 1);
    roc = fig(&f, "roc_curves");
    for (int m = 0; m < NM; m++) {
        char k1[64], k2[64];
        snprintf(k1, sizeof k1, "roc0_fpr_%d", m);
        snprintf(k2, sizeof k2, "roc0_tpr_%d", m);
        const double *fx = expv(k1, &ne), *fy = expv(k2, &ne);
        if (fx && fy)
            check_drawn("roc positive_label 0", roc, col[m], NULL, 0, fx, fy, ne);
    }
    lc_figs_free(&f);
}

static void test_calibration(void)
{
    lc_figs f = {0};
    lc_viz_rows r = rows_of(1);
    const char *col[NM] = {BLUE, ORANGE};
    int ne;
    CHECK(lc_viz_rows_view(&f, "calibration_1_vs_all", &r, NULL, NULL) == 2 * NC + 1);
    for (int c = 0; c < NC; c++) {
        char name[64], dname[80];
        snprintf(name, sizeof name, "calibration_1_vs_all_%d", c);
        snprintf(dname, sizeof dname, "calibration_1_vs_all_prediction_distribution_%d", c);
        const char *svg = fig(&f, name), *dist = fig(&f, dname);
        CHECK_MSG(svg && dist, "%s", name);
        char title[96];
        snprintf(title, sizeof title, "%s: Calibration (reliability curve)", classes[c]);
        CHECK(svg && has_text(svg, title) && has_text(svg, "Perfectly calibrated"));
        for (int m = 0; svg && dist && m < NM; m++) {
            char k1[64], k2[64];
            snprintf(k1, sizeof k1, "cal_mean_%d_%d", c, m);
            snprintf(k2, sizeof k2, "cal_frac_%d_%d", c, m);
            const double *mx = expv(k1, &ne), *fy = expv(k2, &ne);
            if (mx && fy)
                check_drawn("calibration points", svg, col[m], NULL, 1, mx, fy, ne);
            /* the histogram's outline: each bin's height over its middle */
            snprintf(k1, sizeof k1, "hist_%d_%d", c, m);
            const double *h = expv(k1, &ne);
            pts_t *p = drawn(dist, col[m], NULL, 0);
            int ok = p->n > 0;
            double total = 0;
            for (int b = 0; b < 41; b++) {
                double mid = (b + 0.5) / 41, got = NAN;
                for (int v = 0; v + 1 < p->n; v++)
                    if (fabs(p->y[v] - p->y[v + 1]) < 1e-9 && p->x[v] <= mid && mid <= p->x[v + 1])
                        got = p->y[v];
                total += got;
                if (h && ne == 41 && !(fabs(got - h[b]) < 0.05))
                    ok = 0;
            }
            CHECK_MSG(ok && fabs(total - N) < 0.5, "histogram of class %d, model %d", c, m);
            snprintf(k1, sizeof k1, "brier_%d_%d", c, m);
            const double *br = expv(k1, &ne);
            char lab[64];
            snprintf(lab, sizeof lab, "%s (%s)", classes[c], names2[m]);
            double drawn_b = bar_value(fig(&f, "calibration_1_vs_all_brier"), lab);
            double plain = 0;
            for (int i = 0; i < N; i++) {
                double e = (truth[i] == c) - (double)prob[m][i * NC + c];
                plain += e * e;
            }
            CHECK_CLOSE(drawn_b, plain / N, 5.1e-5, 0);
            if (br)
                CHECK_CLOSE(drawn_b, br[0], 5.1e-5, 0);
        }
    }
    CHECK(fig(&f, "calibration_1_vs_all_brier") != NULL);
    /* top_n_classes [2]: classes 0 and 1 only */
    lc_figs g = {0};
    lc_viz_row_opts o;
    lc_viz_row_opts_default(&o);
    static const int top2[1] = {2};
    o.top_n_classes = top2;
    CHECK(lc_viz_rows_view(&g, "calibration_1_vs_all", &r, NULL, &o) == 5);
    CHECK(fig(&g, "calibration_1_vs_all_2") == NULL);
    lc_figs_free(&g);
    /* every (row, class) pair flattened */
    CHECK(lc_viz_rows_view(&f, "calibration_multiclass", &r, NULL, NULL) == 2);
    const char *mc = fig(&f, "calibration_multiclass"), *mb = fig(&f, "calibration_multiclass_brier");
    CHECK(mc && mb && has_text(mc, "Calibration (reliability curve)"));
    for (int m = 0; mc && mb && m < NM; m++) {
        char k1[64], k2[64];
        snprintf(k1, sizeof k1, "calmc_mean_%d", m);
        snprintf(k2, sizeof k2, "calmc_frac_%d", m);
        const double *mx = expv(k1, &ne), *fy = expv(k2, &ne);
        if (mx && fy)
            check_drawn("multiclass calibration points", mc, col[m], NULL, 1, mx, fy, ne);
        snprintf(k1, sizeof k1, "calmc_brier_%d", m);
        const double *br = expv(k1, &ne);
        char lab[32];
        snprintf(lab, sizeof lab, "%s brier", names2[m]);
        double plain = 0;
        for (int i = 0; i < N * NC; i++) {
            double e = (truth[i / NC] == i % NC) - (double)prob[m][i];
            plain += e * e;
        }
        CHECK_CLOSE(bar_value(mb, lab), plain / (N * NC), 5.1e-9, 1e-9);
        if (br)
            CHECK_CLOSE(bar_value(mb, lab), br[0], 5.1e-9, 0);
    }
    /* one non-empty bin: Ludwig puts the point (0, 0) before it */
    static const int32_t t4[4] = {0, 1, 0, 1};
    static const float p4[8] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    static const float *pp4[1] = {p4};
    lc_viz_rows r4 = {.n = 4, .C = 2, .truth = t4, .nmodels = 1, .probs = pp4, .class_names = classes};
    lc_figs g4 = {0};
    CHECK(lc_viz_rows_view(&g4, "calibration_1_vs_all", &r4, NULL, NULL) == 5);
    const double px[2] = {0, 0.5}, py[2] = {0, 0.5};
    check_drawn("one-bin calibration", fig(&g4, "calibration_1_vs_all_0"), BLUE, NULL, 1, px, py, 2);
    lc_figs_free(&g4);
    lc_viz_rows un = rows_of(0);
    CHECK(lc_viz_rows_view(&f, "calibration_multiclass", &un, NULL, NULL) == 2);
    CHECK(has_text(fig(&f, "calibration_multiclass"), "Model 1"));
    lc_figs_free(&f);
}

/* Every view's figures parse as XML and convert to PDF. */
static void test_all_parse(void)
{
    lc_figs f = {0};
    lc_viz_rows r = rows_of(1), r2 = rows2_of(), one = r;
    one.nmodels = 1;
    lc_viz_row_opts o;
    lc_viz_row_opts_default(&o);
    static const int top2[1] = {2};
    o.top_n_classes = top2;
    for (const char *const *v = lc_viz_rows_views(); *v; v++) {
        int two = strstr(*v, "2thresholds") != NULL;
        CHECK_MSG(lc_viz_rows_view(&f, *v, two ? &one : &r, two ? &r2 : NULL, &o) >= 1, "%s drew nothing", *v);
    }
    CHECK_MSG(!f.oom && f.n == 25, "%d figures", f.n); /* 2 per-class, 3 two-threshold and 5 calibration (top 2) */
    for (int i = 0; i < f.n; i++) {
        xmlDocPtr d = parse(f.svg[i]);
        size_t len = 0;
        unsigned char *pdf = lc_viz_pdf(f.svg[i], &len);
        CHECK_MSG(d && pdf, "%s", f.name[i]);
        xmlFreeDoc(d);
        free(pdf);
    }
    lc_figs_free(&f);
}

int main(void)
{
    make_rows();
    load_expected();
    test_sklearn_examples();
    test_names_and_edges();
    test_bars();
    test_thresholds();
    test_two_thresholds();
    test_binary_views();
    test_calibration();
    test_all_parse();
    if (nex)
        printf("test_viz_rows: %d expected series from numpy / scikit-learn\n", nex);
    else
        printf("test_viz_rows: scikit-learn is not installed: the test's own computations only\n");
    for (int i = 0; i < nex; i++)
        free(ex[i].v);
    xmlCleanupParser();
    return check_exit("test_viz_rows");
}
