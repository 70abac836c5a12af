/* report.c - ludwig_experiment_report.html: the page a scientist reads instead of the JSON files.
 * Sections in reading order: run summary, combined loss, then one section per output feature
 * (config order, dispatched on its type): category - test metrics, per-class statistics
 * (sortable), confusion matrix (counts and row-normalised), confusion-matrix entropy, F1 vs
 * frequency, learning curves, most confidently wrong predictions; binary - test metrics,
 * confusion matrix, ROC and precision-recall curves, calibration, threshold table, learning
 * curves; number - MAE / RMSE / R2, test metrics, predicted vs true, residuals, residual
 * histogram, learning curves. Headings carry the file stems of the plots Ludwig's visualize makes
 * (confusion_matrix__label_top10, learning_curves_label_accuracy,
 * roc_curves_from_prediction_statistics, ...) so the tutorial's names can be found.
 *
 * Galaxy shows tool HTML through its sanitizer by default (bleach with an allowlist: no <style>,
 * <script>, <svg>, no style attribute, no data: URLs). So the page keeps its structure and numbers
 * in allowed markup (tables with border/cellpadding/bgcolor attributes, headings, lists), and
 * everything the sanitizer drops is carried where dropping it leaves no debris: the stylesheet and
 * the sort script are data: URLs of <link>/<script src> (a stripped <style> would leave its CSS
 * as visible text), charts and thumbnails are <img> data URIs with alt text.
 *
 * Numbers: a value shown rounded carries its exact JSON text (or, for what the report derives,
 * Python's repr of the double) in the cell's title attribute. What the numbers mean is decided by
 * the experiment and metrics code; this file only lays them out and derives what Ludwig's
 * visualize derives (row entropy, sort orders) and, from the rows, what rowstats.c defines
 * (calibration bins, threshold table, residual histogram). */
#include "lc_report.h"
#include "lc_fs.h"

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ludwig_c.h"
#include "lc_json.h"
#include "lc_mem.h"
#include "lc_viz.h"
#include "report_int.h"

#define TOP_N_CLASSES 10  /* Ludwig's confusion_matrix plots as the Galaxy wrapper names them */
#define GALLERY_MAX 24    /* thumbnails of confidently wrong predictions */
#define THUMB_MAX_SIDE 64 /* thumbnails larger than this are box-downscaled */
#define FULL_CM_MAX 40    /* the whole matrix is shown up to this many classes (n^2 cells) */

static const char *const CSS =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
    "max-width:1000px;margin:0 auto;padding:1em;color:#222;line-height:1.45}"
    "h1{border-bottom:3px solid #0072B2;padding-bottom:.2em;margin-top:.2em}"
    "h2{margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:.1em}"
    "section.output>h2{background:#eef5fa;border-bottom:3px solid #0072B2;padding:.2em .4em}"
    "h3{font-size:1.12em;margin:1.8em 0 .4em}"
    "h2,h3,h4{overflow-wrap:anywhere}"
    "h4{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:1em;"
    "color:#333;margin:1.5em 0 .4em}"
    "p.note{color:#555;font-size:.92em;max-width:48em}"
    "nav ul{columns:2;padding-left:1.2em;margin:.3em 0}"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}"
    "table{border-collapse:collapse;margin:.5em 0;font-variant-numeric:tabular-nums;"
    "border:1px solid #bbb}"
    "td,th{border:1px solid #ccc;padding:.2em .55em;text-align:right;white-space:nowrap}"
    "th{background:#f2f2f2}"
    "td.l,th.l{text-align:left}"
    "td.m{color:#555;white-space:normal;text-align:left;min-width:14em}"
    "tbody th{text-align:left;font-weight:600}"
    "table.cm td{text-align:center;min-width:2.6em}"
    "table.cm td.dk{color:#fff}"
    "table.cm th.corner{font-weight:normal;font-size:.85em;color:#555}"
    "table.sortable thead th{cursor:pointer;user-select:none}"
    "table.sortable thead th[data-dir=a]:after{content:' \\25B2'}"
    "table.sortable thead th[data-dir=d]:after{content:' \\25BC'}"
    "tr.best td,tr.best th{background:#fff3d6}"
    "img.chart{display:block;width:100%;max-width:800px;min-width:480px;height:auto;"
    "margin:.4em 0 1em}"
    ".gallery{display:flex;flex-wrap:wrap;gap:.6em}"
    ".card{border:1px solid #ccc;border-radius:4px;padding:.4em;width:9em;font-size:.85em;"
    "text-align:center;background:#fafafa}"
    ".card img{width:84px;height:84px;image-rendering:pixelated;display:block;margin:0 auto .3em}"
    "footer{margin-top:3em;color:#666;font-size:.85em;border-top:1px solid #ccc;padding-top:.5em}"
    "@media (max-width:600px){body{padding:.5em}nav ul{columns:1}td,th{padding:.15em .35em}"
    "td.m{min-width:9em;font-size:.85em}}";

/* Click a column heading of a table.sortable to sort its body rows (numbers by value, the exact
 * value in a cell's title when there is one). */
static const char *const SORT_JS =
    "(function(){function key(c){var v=c.getAttribute('title')||c.textContent,n=parseFloat(v);"
    "return isNaN(n)?v.toLowerCase():n}"
    "document.querySelectorAll('table.sortable thead th').forEach(function(th){"
    "th.tabIndex=0;function go(){var t=th.closest('table'),b=t.tBodies[0],i=th.cellIndex,"
    "d=th.getAttribute('data-dir')==='a'?'d':'a',r=Array.prototype.slice.call(b.rows);"
    "t.querySelectorAll('thead th').forEach(function(h){h.removeAttribute('data-dir')});"
    "th.setAttribute('data-dir',d);r.sort(function(x,y){var p=key(x.cells[i]),q=key(y.cells[i]);"
    "if(typeof p!==typeof q){p=String(p);q=String(q)}return(p<q?-1:p>q?1:0)*(d==='a'?1:-1)});"
    "r.forEach(function(e){b.appendChild(e)})}th.addEventListener('click',go);"
    "th.addEventListener('keydown',function(ev){if(ev.key==='Enter')go()})})})();";

typedef struct page {
    htmlDocPtr doc;
    int oom;
} page;

static xmlNodePtr add(page *p, xmlNodePtr parent, const char *tag, const char *text)
{
    xmlNodePtr n = parent ? xmlNewTextChild(parent, NULL, BAD_CAST tag, text ? BAD_CAST text : NULL)
                          : NULL;
    if (!n)
        p->oom = 1;
    return n;
}

static void prop(page *p, xmlNodePtr n, const char *name, const char *value)
{
    if (!n || !xmlNewProp(n, BAD_CAST name, BAD_CAST value))
        p->oom = 1;
}

static void propf(page *p, xmlNodePtr n, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void propf(page *p, xmlNodePtr n, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (rep_xml_vpropf(n, name, fmt, ap) != 0)
        p->oom = 1;
    va_end(ap);
}

static xmlNodePtr addf(page *p, xmlNodePtr parent, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static xmlNodePtr addf(page *p, xmlNodePtr parent, const char *tag, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return add(p, parent, tag, buf);
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

/* A table with attributes that survive Galaxy's sanitizer (borders without CSS). */
static xmlNodePtr table(page *p, xmlNodePtr parent, const char *cls)
{
    xmlNodePtr wrap = add(p, parent, "div", NULL);
    prop(p, wrap, "class", "scroll");
    xmlNodePtr t = add(p, wrap, "table", NULL);
    prop(p, t, "border", "1");
    prop(p, t, "cellpadding", "4");
    if (cls)
        prop(p, t, "class", cls);
    return t;
}

static void fmt_double(double v, int decimals, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "NaN");
    else if (isinf(v))
        snprintf(buf, n, v > 0 ? "Infinity" : "-Infinity");
    else
        snprintf(buf, n, "%.*f", decimals, v);
}

/* A cell for a JSON value: integers as they are, floats rounded to `decimals` with the exact JSON
 * text in title (decimals < 0: the JSON text itself); strings and booleans as text. */
static xmlNodePtr json_cell(page *p, xmlNodePtr tr, const cJSON *v, int decimals)
{
    char buf[128];
    const char *title = NULL;
    char exact[LC_JSON_REPR_MAX + 8];
    if (cJSON_IsNumber(v)) {
        if (lc_json_is_float(v)) {
            lc_json_float_repr(v->valuedouble, exact, sizeof exact);
            if (decimals < 0) { /* as written in the JSON */
                snprintf(buf, sizeof buf, "%s", exact);
            } else {
                fmt_double(v->valuedouble, decimals, buf, sizeof buf);
                title = exact;
            }
        } else {
            char *s = lc_json_print_py(v);
            snprintf(buf, sizeof buf, "%s", s ? s : "?");
            free(s);
        }
    } else if (cJSON_IsString(v)) {
        snprintf(buf, sizeof buf, "%s", v->valuestring);
    } else if (cJSON_IsBool(v)) {
        snprintf(buf, sizeof buf, "%s", cJSON_IsTrue(v) ? "yes" : "no");
    } else if (cJSON_IsRaw(v)) {
        snprintf(buf, sizeof buf, "%s", v->valuestring);
    } else {
        snprintf(buf, sizeof buf, "-");
    }
    xmlNodePtr td = add(p, tr, "td", buf);
    if (title)
        prop(p, td, "title", title);
    if (cJSON_IsNumber(v))
        prop(p, td, "align", "right"); /* survives the sanitizer, unlike the stylesheet */
    return td;
}

/* A cell for a computed double: rounded text, Python's repr in title. */
static xmlNodePtr double_cell(page *p, xmlNodePtr tr, double v, int decimals)
{
    char buf[64], exact[LC_JSON_REPR_MAX + 8];
    fmt_double(v, decimals, buf, sizeof buf);
    lc_json_float_repr(v, exact, sizeof exact);
    xmlNodePtr td = add(p, tr, "td", buf);
    prop(p, td, "title", exact);
    prop(p, td, "align", "right");
    return td;
}

/* An SVG chart as an <img> data URI; alt says what the chart shows. */
static void chart(page *p, xmlNodePtr parent, char *svg_text, const char *alt)
{
    if (!svg_text) {
        p->oom = 1;
        return;
    }
    char *uri = rep_data_uri("data:image/svg+xml;base64,", (const unsigned char *)svg_text,
                             strlen(svg_text));
    free(svg_text);
    if (!uri) {
        p->oom = 1;
        return;
    }
    xmlNodePtr wrap = add(p, parent, "div", NULL); /* scrolls sideways on a phone */
    prop(p, wrap, "class", "scroll");
    xmlNodePtr img = add(p, wrap, "img", NULL);
    prop(p, img, "class", "chart");
    prop(p, img, "src", uri);
    prop(p, img, "alt", alt);
    free(uri);
}

static xmlNodePtr section(page *p, xmlNodePtr body, const char *id, const char *heading)
{
    xmlNodePtr s = add(p, body, "section", NULL);
    prop(p, s, "id", id);
    add(p, s, "h2", heading);
    return s;
}

/* One output feature's section: its test statistics, its ids' prefix, its class names. */
typedef struct classes classes;
typedef struct octx {
    const lc_report_info *in;
    const lc_report_output *o;
    const cJSON *feat;  /* the output's test_statistics.json entry, or NULL */
    const char *split;  /* the evaluated split's name */
    int index;          /* config order */
} octx;

/* A subsection of an output's section: id "o<index>-<suffix>", an h3 heading. */
static xmlNodePtr subsection(page *p, xmlNodePtr parent, const octx *oc, const char *suffix,
                             const char *heading)
{
    xmlNodePtr s = add(p, parent, "section", NULL);
    propf(p, s, "id", "o%d-%s", oc->index, suffix);
    add(p, s, "h3", heading);
    return s;
}

/* What a metric of an output of type *t means (category wording for overall_stats' keys); t NULL:
 * the combined statistics. */
static const char *kind_name(lc_report_kind k)
{
    return k == LC_REPORT_BINARY   ? "binary"
           : k == LC_REPORT_NUMBER ? "number"
           : k == LC_REPORT_SET    ? "set"
           : k == LC_REPORT_VECTOR ? "vector"
           : k == LC_REPORT_TIMESERIES ? "timeseries"
                                   : "category";
}

static const char *metric_meaning(const lc_report_kind *t, const char *k)
{
    if (!t)
        return strcmp(k, "loss") == 0
                   ? "sum of the output features' losses times their loss weights"
                   : "";
    static const char *const bin[][2] = {
        {"loss", "mean binary cross-entropy over evaluation batches (lower is better)"},
        {"accuracy", "share of rows predicted correctly at the threshold"},
        {"precision", "share of rows predicted true that are true"},
        {"recall", "share of true rows predicted true"},
        {"specificity", "share of false rows predicted false"},
        {"roc_auc", "area under the ROC curve (torchmetrics)"},
        {"roc_auc_macro", "area under the ROC curve (sklearn)"},
        {"roc_auc_micro", "area under the ROC curve (sklearn)"},
        {"average_precision_macro", "average precision: area under the precision-recall curve"},
        {"average_precision_micro", "average precision: area under the precision-recall curve"},
        {"average_precision_samples", "average precision: area under the precision-recall curve"},
    };
    static const char *const num[][2] = {
        {"loss", "mean of the feature's loss over evaluation batches (lower is better)"},
        {"mean_absolute_error", "mean of |true - predicted|"},
        {"mean_squared_error", "mean of (true - predicted)\xc2\xb2"},
        {"root_mean_squared_error", "square root of the mean squared error"},
        {"r2", "coefficient of determination: 1 - residual / total sum of squares"},
        {"mean_absolute_percentage_error", "mean of |true - predicted| / |true|"},
        {"root_mean_squared_percentage_error", "root of the mean squared relative error"},
    };
    static const char *const set[][2] = {
        {"loss", "mean sigmoid cross-entropy over rows and labels (lower is better)"},
        {"jaccard", "mean over rows of |predicted AND true labels| / |predicted OR true labels|"},
    };
    if (*t == LC_REPORT_SET) {
        for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
            if (strcmp(set[i][0], k) == 0)
                return set[i][1];
        return "";
    }
    if (*t == LC_REPORT_BINARY || *t == LC_REPORT_NUMBER || *t == LC_REPORT_VECTOR ||
        *t == LC_REPORT_TIMESERIES) {
        size_t n = *t == LC_REPORT_BINARY ? sizeof bin / sizeof bin[0] : sizeof num / sizeof num[0];
        for (size_t i = 0; i < n; i++) {
            const char *const *e = *t == LC_REPORT_BINARY ? bin[i] : num[i];
            if (strcmp(e[0], k) == 0)
                return e[1];
        }
    }
    static const char *const m[][2] = {
        {"loss", "mean cross-entropy over evaluation batches (lower is better)"},
        {"accuracy", "macro average of per-class recall (torchmetrics' multiclass accuracy)"},
        {"accuracy_micro", "share of rows predicted correctly"},
        {"hits_at_k", "macro average of per-class top-k accuracy"},
        {"roc_auc", "macro one-vs-rest area under the ROC curve"},
        {"avg_f1_score_macro", "unweighted mean of per-class F1"},
        {"avg_f1_score_micro", "F1 over all rows pooled"},
        {"avg_f1_score_weighted", "per-class F1 weighted by support"},
        {"avg_precision_macro", "unweighted mean of per-class precision"},
        {"avg_precision_micro", "precision over all rows pooled"},
        {"avg_precision_weighted", "per-class precision weighted by support"},
        {"avg_recall_macro", "unweighted mean of per-class recall"},
        {"avg_recall_micro", "recall over all rows pooled"},
        {"avg_recall_weighted", "per-class recall weighted by support"},
        {"kappa_score", "Cohen's kappa: agreement beyond chance"},
        {"token_accuracy", "share of rows predicted correctly"},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(m[i][0], k) == 0)
            return m[i][1];
    return "";
}

static void section_summary(page *p, xmlNodePtr body, const lc_report_info *in)
{
    xmlNodePtr s = section(p, body, "summary", "Run summary");
    xmlNodePtr t = table(p, s, NULL);
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    for (const cJSON *v = in->summary ? in->summary->child : NULL; v; v = v->next) {
        if (cJSON_IsObject(v) || cJSON_IsArray(v))
            continue;
        xmlNodePtr tr = add(p, tb, "tr", NULL);
        add(p, tr, "th", v->string);
        json_cell(p, tr, v, -1);
    }
}

static void metric_row(page *p, xmlNodePtr tb, const lc_report_kind *t, const char *name,
                       const cJSON *v)
{
    xmlNodePtr tr = add(p, tb, "tr", NULL);
    add(p, tr, "th", name);
    json_cell(p, tr, v, 4);
    xmlNodePtr m = add(p, tr, "td", metric_meaning(t, name));
    prop(p, m, "class", "m");
}

/* A metrics table (metric, value, meaning) whose first body is headed by group. */
static xmlNodePtr metrics_table(page *p, xmlNodePtr parent)
{
    xmlNodePtr t = table(p, parent, "metrics");
    xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
    prop(p, add(p, tr, "th", "metric"), "class", "l");
    add(p, tr, "th", "value");
    prop(p, add(p, tr, "th", "meaning"), "class", "l");
    return t;
}

/* A group of metrics: a heading row, then one row per scalar of obj (type: the output's, NULL
 * for the combined statistics). */
static void metrics_group(page *p, xmlNodePtr t, const char *group, const lc_report_kind *type,
                          const cJSON *obj)
{
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    propf(p, add(p, add(p, tb, "tr", NULL), "th", group), "colspan", "3");
    for (const cJSON *v = obj ? obj->child : NULL; v; v = v->next)
        if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
            metric_row(p, tb, type, v->string, v);
}

static void section_test_metrics(page *p, xmlNodePtr parent, const octx *oc)
{
    char h[300];
    xmlNodePtr s = subsection(p, parent, oc, "test-metrics", "Test metrics");
    snprintf(h, sizeof h, "Computed on the %s split after training (test_statistics.json).",
             oc->split);
    prop(p, add(p, s, "p", h), "class", "note");
    if (oc->o->calibration && oc->o->calibration[0])
        prop(p, add(p, s, "p", oc->o->calibration), "class", "note");
    xmlNodePtr t = metrics_table(p, s);
    metrics_group(p, t, oc->o->name, &oc->o->type, oc->feat);
    const cJSON *os = get(oc->feat, "overall_stats");
    if (os) {
        snprintf(h, sizeof h, "%s overall_stats", oc->o->name);
        metrics_group(p, t, h, &oc->o->type, os);
    }
}

/* Class names: the vocabulary when given, else "#0", "#1", ... (vocabulary indices; the caller
 * had no names, so none is guessed). */
typedef struct classes {
    int n;
    const char *const *name;
    char (*own)[16];
    int indices; /* names are indices */
} classes;

static void section_per_class(page *p, xmlNodePtr parent, const octx *oc, const classes *cl)
{
    const lc_report_output *o = oc->o;
    const cJSON *feat = oc->feat;
    xmlNodePtr s = subsection(p, parent, oc, "per-class", "Per-class statistics");
    prop(p, add(p, s, "p",
                "Support = rows of the class in the evaluated split (true positives + false "
                "negatives). Click a column heading to sort."),
         "class", "note");
    const cJSON *pcs = get(feat, "per_class_stats");
    if (!pcs) {
        add(p, s, "p", "test_statistics.json has no per_class_stats.");
        return;
    }
    xmlNodePtr t = table(p, s, "sortable perclass");
    xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
    static const char *const head[] = {"class", "support", "precision", "recall", "F1",
                                       "specificity", "TP", "FP", "FN", "dataset frequency"};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) {
        xmlNodePtr h = add(p, tr, "th", head[i]);
        if (i == 0)
            prop(p, h, "class", "l");
    }
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    /* vocabulary order when the names are known, else the order of per_class_stats */
    const cJSON *next = pcs->child;
    for (int k = 0; cl->indices ? next != NULL : k < cl->n; k++) {
        const char *name = cl->indices ? next->string : cl->name[k];
        const cJSON *st = cl->indices ? next : get(pcs, name);
        if (cl->indices)
            next = next->next;
        if (!cJSON_IsObject(st))
            continue;
        tr = add(p, tb, "tr", NULL);
        prop(p, add(p, tr, "td", name), "class", "l");
        const cJSON *tp = get(st, "true_positives"), *fn = get(st, "false_negatives");
        char buf[64];
        if (cJSON_IsNumber(tp) && cJSON_IsNumber(fn)) {
            snprintf(buf, sizeof buf, "%.0f", tp->valuedouble + fn->valuedouble);
            prop(p, add(p, tr, "td", buf), "align", "right");
        } else {
            add(p, tr, "td", "-");
        }
        json_cell(p, tr, get(st, "precision"), 4);
        json_cell(p, tr, get(st, "recall"), 4);
        json_cell(p, tr, get(st, "f1_score"), 4);
        json_cell(p, tr, get(st, "specificity"), 4);
        json_cell(p, tr, tp, 0);
        json_cell(p, tr, get(st, "false_positives"), 0);
        json_cell(p, tr, fn, 0);
        if (o->class_freq && !cl->indices && k < o->nclasses) {
            snprintf(buf, sizeof buf, "%lld", (long long)o->class_freq[k]);
            prop(p, add(p, tr, "td", buf), "align", "right");
        } else {
            add(p, tr, "td", "-");
        }
    }
}

/* Heat colour for t in [0, 1]: white to mid blue (dark enough to see, light enough that black
 * text stays readable when the sanitizer drops the white-text class). */
static void heat(double t, char *buf, size_t n)
{
    if (!(t > 0))
        t = 0;
    if (t > 1)
        t = 1;
    static const double a[3] = {0xf7, 0xfb, 0xff}, b[3] = {0x21, 0x71, 0xb5};
    snprintf(buf, n, "#%02x%02x%02x", (int)lround(a[0] + (b[0] - a[0]) * t),
             (int)lround(a[1] + (b[1] - a[1]) * t), (int)lround(a[2] + (b[2] - a[2]) * t));
}

/* Counts of the first k classes (normalised per row when norm, as Ludwig's --normalize). */
static void cm_table(page *p, xmlNodePtr parent, const double *cm, int n, int k,
                     const classes *cl, int norm, const char *feat)
{
    xmlNodePtr t = table(p, parent, "cm");
    xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
    char buf[300];
    snprintf(buf, sizeof buf, "actual \\ predicted %s", feat);
    prop(p, add(p, tr, "th", buf), "class", "corner");
    for (int j = 0; j < k; j++)
        add(p, tr, "th", cl->name[j]);
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    double mx = 0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
            if (cm[(size_t)i * n + j] > mx)
                mx = cm[(size_t)i * n + j];
    for (int i = 0; i < k; i++) {
        tr = add(p, tb, "tr", NULL);
        add(p, tr, "th", cl->name[i]);
        double rs = 0;
        for (int j = 0; j < k; j++)
            rs += cm[(size_t)i * n + j];
        for (int j = 0; j < k; j++) {
            double v = cm[(size_t)i * n + j], t01;
            if (norm) {
                v = rs > 0 ? v / rs : 0;
                t01 = v;
                if (v == floor(v))
                    snprintf(buf, sizeof buf, "%.0f", v);
                else
                    snprintf(buf, sizeof buf, "%.3f", v);
            } else {
                t01 = mx > 0 ? v / mx : 0;
                snprintf(buf, sizeof buf, "%.0f", v);
            }
            xmlNodePtr td = add(p, tr, "td", buf);
            prop(p, td, "align", "center");
            char col[16];
            heat(t01, col, sizeof col);
            prop(p, td, "bgcolor", col);
            if (t01 > 0.6)
                prop(p, td, "class", "dk");
            if (norm)
                propf(p, td, "title", "%.0f of %.0f", cm[(size_t)i * n + j], rs);
        }
    }
}


static void section_confusion(page *p, xmlNodePtr parent, const octx *oc, const double *cm,
                              int n, const classes *cl)
{
    const char *f = oc->o->name;
    int k = n < TOP_N_CLASSES ? n : TOP_N_CLASSES;
    char h[300];
    xmlNodePtr s = subsection(p, parent, oc, "confusion", "Confusion matrix");
    snprintf(h, sizeof h, "confusion_matrix__%s_top%d", f, k);
    add(p, s, "h4", h);
    snprintf(h, sizeof h,
             "Rows: actual %s; columns: predicted %s; cells: rows of the %s split. The %d most "
             "frequent classes, as Ludwig's plot shows them; the diagonal holds the correct "
             "predictions.", f, f, oc->split, k);
    prop(p, add(p, s, "p", h), "class", "note");
    if (cl->indices)
        prop(p, add(p, s, "p", "Class names were not available to the report: #0, #1, ... are "
                                "vocabulary indices (training_set_metadata.json idx2str)."),
             "class", "note");
    cm_table(p, s, cm, n, k, cl, 0, f);
    snprintf(h, sizeof h, "confusion_matrix__%s_top%d (row-normalised)", f, k);
    add(p, s, "h4", h);
    prop(p, add(p, s, "p",
                "Each row divided by its total: the share of each actual class predicted as "
                "each class (the diagonal is the class's recall within these classes)."),
         "class", "note");
    cm_table(p, s, cm, n, k, cl, 1, f);
    if (n > k && n <= FULL_CM_MAX) {
        snprintf(h, sizeof h, "all %d classes", n);
        add(p, s, "h4", h);
        cm_table(p, s, cm, n, n, cl, 0, f);
    } else if (n > k) {
        snprintf(h, sizeof h,
                 "The whole %d x %d matrix is in test_statistics.json (confusion_matrix).", n, n);
        prop(p, add(p, s, "p", h), "class", "note");
    }

    /* entropy of each row of the top-k matrix, as Ludwig's confusion_matrix visualisation */
    double *ent = calloc((size_t)k, sizeof *ent);
    int *ord = malloc(sizeof *ord * (size_t)k);
    const char **lab = malloc(sizeof *lab * (size_t)k);
    double *sorted = malloc(sizeof *sorted * (size_t)k);
    if (!ent || !ord || !lab || !sorted) {
        p->oom = 1;
        goto cleanup;
    }
    for (int i = 0; i < k; i++) {
        double rs = 0, e = 0;
        for (int j = 0; j < k; j++)
            rs += cm[(size_t)i * n + j];
        for (int j = 0; j < k; j++) {
            double q = rs > 0 ? cm[(size_t)i * n + j] / rs : 0;
            if (q > 0)
                e -= q * log(q);
        }
        ent[i] = e;
    }
    rep_argsort_desc(ent, k, ord);
    for (int i = 0; i < k; i++) {
        lab[i] = cl->name[ord[i]];
        sorted[i] = ent[ord[i]];
    }
    s = subsection(p, parent, oc, "entropy", "Confusion-matrix entropy per class");
    snprintf(h, sizeof h, "confusion_matrix_entropy__%s_top%d", f, k);
    add(p, s, "h4", h);
    prop(p, add(p, s, "p",
                "Entropy (natural log) of each actual class's row of the matrix above: 0 when "
                "all its rows get one predicted class, larger when predictions scatter over "
                "several classes. Classes ranked by entropy, highest first, as Ludwig ranks them."),
         "class", "note");
    snprintf(h, sizeof h, "Classes ranked by entropy of confusion-matrix row (%s)", f);
    chart(p, s, rep_svg_hbars(h, "entropy (nats)", lab, sorted, k, 4),
          "bar chart of the confusion-matrix row entropy per class; numbers in the table below");
    xmlNodePtr t = table(p, s, "entropy");
    xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
    add(p, tr, "th", "rank");
    prop(p, add(p, tr, "th", "class"), "class", "l");
    add(p, tr, "th", "entropy");
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    for (int i = 0; i < k; i++) {
        tr = add(p, tb, "tr", NULL);
        prop(p, addf(p, tr, "td", "%d", i + 1), "align", "right");
        prop(p, add(p, tr, "td", lab[i]), "class", "l");
        double_cell(p, tr, sorted[i], 4);
    }
cleanup:
    free(ent);
    free(ord);
    free(lab);
    free(sorted);
}

static void section_f1_freq(page *p, xmlNodePtr parent, const octx *oc, const classes *cl)
{
    const char *f = oc->o->name;
    const cJSON *pcs = get(oc->feat, "per_class_stats");
    if (!pcs || !oc->o->class_freq || cl->indices || cl->n < 1)
        return;
    int n = cl->n;
    double *f1 = malloc(sizeof *f1 * (size_t)n), *fr = malloc(sizeof *fr * (size_t)n);
    double *a = malloc(sizeof *a * (size_t)n), *b = malloc(sizeof *b * (size_t)n);
    int *ord = malloc(sizeof *ord * (size_t)n);
    const char **lab = malloc(sizeof *lab * (size_t)n);
    char h[300];
    if (!f1 || !fr || !a || !b || !ord || !lab) {
        p->oom = 1;
        goto cleanup;
    }
    for (int k = 0; k < n; k++) {
        const cJSON *v = get(get(pcs, cl->name[k]), "f1_score");
        /* Ludwig: np.nan_to_num(np.array(f1, dtype=np.float32)) */
        double x = cJSON_IsNumber(v) ? (double)(float)v->valuedouble : 0;
        f1[k] = isnan(x) ? 0 : x;
        fr[k] = (double)oc->o->class_freq[k];
    }
    xmlNodePtr s = subsection(p, parent, oc, "f1-frequency", "F1 vs frequency");
    snprintf(h, sizeof h, "frequency_vs_f1__%s", f);
    add(p, s, "h4", h);
    prop(p, add(p, s, "p",
                "Per-class F1 on the evaluated split against the class's frequency in the whole "
                "dataset (training_set_metadata.json str2freq). As Ludwig draws it: one plot with "
                "classes sorted by F1, one sorted by frequency; each line has its own axis "
                "spanning its minimum to maximum."),
         "class", "note");
    snprintf(h, sizeof h, "F1 score vs frequency, %s (sorted by F1)", f);
    rep_argsort_desc(f1, n, ord);
    for (int i = 0; i < n; i++) {
        lab[i] = cl->name[ord[i]];
        a[i] = f1[ord[i]];
        b[i] = fr[ord[i]];
    }
    chart(p, s, rep_svg_dual(h, "class (sorted by F1 score)", lab, n, a, "F1 score", b,
                             "frequency"),
          "line chart of per-class F1 and frequency, classes sorted by F1; numbers in the table "
          "below");
    xmlNodePtr t = table(p, s, "f1freq");
    xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
    prop(p, add(p, tr, "th", "class (sorted by F1)"), "class", "l");
    add(p, tr, "th", "F1");
    add(p, tr, "th", "frequency");
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    for (int i = 0; i < n; i++) {
        tr = add(p, tb, "tr", NULL);
        prop(p, add(p, tr, "td", lab[i]), "class", "l");
        json_cell(p, tr, get(get(pcs, lab[i]), "f1_score"), 4);
        prop(p, addf(p, tr, "td", "%.0f", b[i]), "align", "right");
    }
    snprintf(h, sizeof h, "F1 score vs frequency, %s (sorted by frequency)", f);
    rep_argsort_desc(fr, n, ord);
    for (int i = 0; i < n; i++) {
        lab[i] = cl->name[ord[i]];
        a[i] = fr[ord[i]];
        b[i] = f1[ord[i]];
    }
    chart(p, s, rep_svg_dual(h, "class (sorted by frequency)", lab, n, a, "frequency", b,
                             "F1 score"),
          "line chart of per-class frequency and F1, classes sorted by frequency");
cleanup:
    free(f1);
    free(fr);
    free(a);
    free(b);
    free(ord);
    free(lab);
}

/* Values of a per-epoch JSON list as doubles (non-numbers become NaN). */
static double *epoch_values(const cJSON *list, int *n)
{
    *n = cJSON_GetArraySize(list);
    double *v = malloc(sizeof *v * (size_t)(*n > 0 ? *n : 1));
    if (!v)
        return NULL;
    int i = 0;
    for (const cJSON *x = list ? list->child : NULL; x && i < *n; x = x->next, i++)
        v[i] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
    return v;
}

/* Charts and the per-epoch table of one feature of training_statistics.json. */
static void learning_feature(page *p, xmlNodePtr s, const lc_report_info *in, const cJSON *feat,
                             const char *xl)
{
    static const char *const splits[3] = {"training", "validation", "test"};
    char h[512];
    for (const cJSON *met = feat->child; met; met = met->next) {
        if (!cJSON_IsArray(met))
            continue;
        rep_series sr[3];
        double *vals[3] = {NULL, NULL, NULL};
        int ns = 0;
        for (int k = 0; k < 3; k++) {
            const cJSON *list = get(get(get(in->train_stats, splits[k]), feat->string),
                                    met->string);
            if (!cJSON_IsArray(list))
                continue;
            vals[ns] = epoch_values(list, &sr[ns].n);
            if (!vals[ns]) {
                p->oom = 1;
                break;
            }
            sr[ns].y = vals[ns];
            sr[ns].name = splits[k];
            sr[ns].style = k;
            ns++;
        }
        snprintf(h, sizeof h, "learning_curves_%s_%s", feat->string, met->string);
        add(p, s, "h4", h);
        char title[512], alt[600];
        snprintf(title, sizeof title, "Learning curves %s: %s", feat->string, met->string);
        snprintf(alt, sizeof alt,
                 "line chart of %s %s per %s for each split; numbers in the table below",
                 feat->string, met->string, xl);
        char ylab[256];
        snprintf(ylab, sizeof ylab, "%s", met->string);
        for (char *c = ylab; *c; c++)
            if (*c == '_')
                *c = ' ';
        if (!p->oom)
            chart(p, s, rep_svg_lines(title, xl, ylab, sr, ns, in->best_epoch), alt);
        for (int k = 0; k < 3; k++)
            free(vals[k]);
    }
    /* the numbers: one table per feature, epochs as rows, split x metric as columns */
    snprintf(h, sizeof h, "%s per %s", feat->string, xl);
    add(p, s, "h4", h);
    xmlNodePtr t = table(p, s, "epochs");
    xmlNodePtr thead = add(p, t, "thead", NULL);
    xmlNodePtr r1 = add(p, thead, "tr", NULL), r2 = add(p, thead, "tr", NULL);
    propf(p, add(p, r1, "th", xl), "rowspan", "2");
    int epochs = 0;
    for (const cJSON *met = feat->child; met; met = met->next) {
        if (!cJSON_IsArray(met))
            continue;
        int nsp = 0;
        for (int k = 0; k < 3; k++)
            if (cJSON_IsArray(get(get(get(in->train_stats, splits[k]), feat->string),
                                  met->string))) {
                add(p, r2, "th", splits[k]);
                nsp++;
            }
        propf(p, add(p, r1, "th", met->string), "colspan", "%d", nsp);
        if (cJSON_GetArraySize(met) > epochs)
            epochs = cJSON_GetArraySize(met);
    }
    /* one cursor per (metric, split) column, advanced a row at a time (indexing a cJSON
     * array is a walk from its head) */
    int ncur = 0;
    for (const cJSON *met = feat->child; met; met = met->next)
        if (cJSON_IsArray(met))
            for (int k = 0; k < 3; k++)
                ncur += cJSON_IsArray(get(get(get(in->train_stats, splits[k]), feat->string),
                                          met->string));
    const cJSON **cur = calloc((size_t)ncur + 1, sizeof *cur);
    if (!cur) {
        p->oom = 1;
        return;
    }
    int j = 0;
    for (const cJSON *met = feat->child; met; met = met->next)
        if (cJSON_IsArray(met))
            for (int k = 0; k < 3; k++) {
                const cJSON *list = get(get(get(in->train_stats, splits[k]), feat->string),
                                        met->string);
                if (cJSON_IsArray(list))
                    cur[j++] = list->child;
            }
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    for (int ep = 0; ep < epochs; ep++) {
        xmlNodePtr row = add(p, tb, "tr", NULL);
        if (ep + 1 == in->best_epoch) {
            prop(p, row, "class", "best");
            addf(p, row, "th", "%d (best)", ep + 1);
        } else {
            addf(p, row, "th", "%d", ep + 1);
        }
        for (j = 0; j < ncur; j++) {
            json_cell(p, row, cur[j], 4);
            cur[j] = cur[j] ? cur[j]->next : NULL;
        }
    }
    free(cur);
}

/* The learning curves of one entry of training_statistics.json ("combined" or an output) with
 * their note, into s. */
static void learning(page *p, xmlNodePtr s, const lc_report_info *in, const char *name)
{
    const cJSON *tr0 = get(in->train_stats, "training");
    char h[512];
    const cJSON *ef = get(in->train_stats, "evaluation_frequency");
    const cJSON *period = get(ef, "period");
    const char *xl = cJSON_IsString(period) ? period->valuestring : "epoch";
    if (in->best_epoch > 0)
        snprintf(h, sizeof h,
                 "Each metric after every %s on the training, validation and test splits "
                 "(training_statistics.json). The dashed line marks epoch %d, the epoch whose "
                 "model was kept.", xl, in->best_epoch);
    else
        snprintf(h, sizeof h,
                 "Each metric after every %s on the training, validation and test splits "
                 "(training_statistics.json).", xl);
    prop(p, add(p, s, "p", h), "class", "note");
    const cJSON *feat = get(tr0, name);
    if (!cJSON_IsObject(feat)) {
        add(p, s, "p", "No training statistics.");
        return;
    }
    learning_feature(p, s, in, feat, xl);
}

/* Combined loss: its test value and its learning curve. */
static void section_combined(page *p, xmlNodePtr body, const lc_report_info *in)
{
    xmlNodePtr s = section(p, body, "combined", "Combined loss");
    prop(p, add(p, s, "p",
                "The sum of every output feature's loss times its loss weight: what training "
                "minimises."),
         "class", "note");
    const cJSON *comb = get(in->test_stats, "combined");
    if (comb) {
        char h[300];
        snprintf(h, sizeof h, "On the %s split (test_statistics.json).",
                 in->eval_split ? in->eval_split : "test");
        add(p, s, "p", h);
        metrics_group(p, metrics_table(p, s), "combined", NULL, comb);
    }
    xmlNodePtr l = add(p, s, "section", NULL);
    prop(p, l, "id", "combined-learning-curves");
    add(p, l, "h3", "Learning curves");
    learning(p, l, in, "combined");
}

typedef struct wrong {
    size_t i;   /* index into the eval arrays */
    float prob; /* probability of the (wrong) predicted class */
} wrong;

static int wrong_cmp(const void *a, const void *b)
{
    const wrong *x = a, *y = b;
    if (x->prob != y->prob)
        return x->prob > y->prob ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static void section_gallery(page *p, xmlNodePtr parent, const octx *oc, const classes *cl)
{
    const lc_report_info *in = oc->in;
    const lc_report_output *o = oc->o;
    xmlNodePtr s = subsection(p, parent, oc, "wrong", "Most confidently wrong predictions");
    char h[512];
    snprintf(h, sizeof h,
             "Rows of the %s split whose predicted class is wrong, most confident first (the "
             "probability the model gave its prediction). Up to %d are shown.",
             oc->split, GALLERY_MAX);
    prop(p, add(p, s, "p", h), "class", "note");
    if (!in->n_eval || !o->labels || !o->preds || !o->probs) {
        add(p, s, "p", "No evaluated rows.");
        return;
    }
    size_t nw = 0;
    for (size_t i = 0; i < in->n_eval; i++)
        nw += o->labels[i] != o->preds[i];
    if (nw == 0) {
        add(p, s, "p", "Every evaluated row is predicted correctly.");
        return;
    }
    wrong *w = malloc(sizeof *w * nw);
    if (!w) {
        p->oom = 1;
        return;
    }
    nw = 0;
    for (size_t i = 0; i < in->n_eval; i++) {
        int yh = o->preds[i];
        if (o->labels[i] == yh)
            continue;
        float pr = yh >= 0 && yh < o->nclasses ? o->probs[i * (size_t)o->nclasses + yh] : NAN;
        w[nw++] = (wrong){i, isnan(pr) ? -INFINITY : pr}; /* a total order for qsort */
    }
    qsort(w, nw, sizeof *w, wrong_cmp);
    snprintf(h, sizeof h, "%zu of %zu rows are misclassified.", nw, in->n_eval);
    add(p, s, "p", h);
    xmlNodePtr g = add(p, s, "div", NULL);
    prop(p, g, "class", "gallery");
    size_t show = nw < GALLERY_MAX ? nw : GALLERY_MAX;
    size_t plane = (size_t)in->C * (size_t)in->H * (size_t)in->W;
    for (size_t j = 0; j < show && !p->oom; j++) {
        size_t i = w[j].i;
        int y = o->labels[i], yh = o->preds[i];
        const char *yn = y >= 0 && y < cl->n ? cl->name[y] : "?";
        const char *yhn = yh >= 0 && yh < cl->n ? cl->name[yh] : "?";
        long line = in->row_lines && in->eval_rows ? in->row_lines[in->eval_rows[i]] : 0;
        xmlNodePtr card = add(p, g, "div", NULL);
        prop(p, card, "class", "card");
        if (in->images && in->eval_rows && plane) {
            size_t len = 0;
            unsigned char *png = rep_png(in->images + (size_t)in->eval_rows[i] * plane, in->C,
                                         in->H, in->W, THUMB_MAX_SIDE, &len);
            char *uri = png ? rep_data_uri("data:image/png;base64,", png, len) : NULL;
            free(png);
            if (!uri) {
                p->oom = 1;
                break;
            }
            xmlNodePtr img = add(p, card, "img", NULL);
            prop(p, img, "src", uri);
            free(uri);
            if (line > 0)
                snprintf(h, sizeof h, "image of dataset line %ld: actual %s, predicted %s", line,
                         yn, yhn);
            else
                snprintf(h, sizeof h, "image: actual %s, predicted %s", yn, yhn);
            prop(p, img, "alt", h);
        }
        xmlNodePtr d = add(p, card, "div", NULL);
        add(p, d, "span", "actual ");
        add(p, d, "b", yn);
        d = add(p, card, "div", NULL);
        add(p, d, "span", "predicted ");
        add(p, d, "b", yhn);
        char num[64];
        fmt_double(w[j].prob, 4, num, sizeof num);
        xmlNodePtr pd = addf(p, card, "div", "p = %s", num);
        lc_json_float_repr(w[j].prob, num, sizeof num);
        prop(p, pd, "title", num);
        if (line > 0)
            addf(p, card, "div", "dataset line %ld", line);
    }
    free(w);
}

/* The numbers of a JSON array as doubles (non-numbers NaN); NULL with *n = 0 when absent. */
static double *json_doubles(page *p, const cJSON *arr, int *n)
{
    *n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    if (*n < 1)
        return NULL;
    double *v = malloc(sizeof *v * (size_t)*n);
    if (!v) {
        p->oom = 1;
        *n = 0;
        return NULL;
    }
    int i = 0;
    for (const cJSON *x = arr->child; x && i < *n; x = x->next, i++)
        v[i] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
    return v;
}

/* A row "label | JSON value" of a two-column table (nothing when v is absent). */
static void value_row(page *p, xmlNodePtr tb, const char *label, const cJSON *v)
{
    if (!v)
        return;
    xmlNodePtr tr = add(p, tb, "tr", NULL);
    add(p, tr, "th", label);
    json_cell(p, tr, v, 4);
}

static double *confusion(page *p, const cJSON *feat, int *n);

static const double UNIT_RANGE[4] = {-0.02, 1.02, -0.02, 1.02};

/* ROC and precision-recall curves as test_statistics.json holds them (sklearn's points). */
static void binary_curves(page *p, xmlNodePtr parent, const octx *oc, const double *cm)
{
    const char *f = oc->o->name;
    const cJSON *roc = get(oc->feat, "roc_curve"), *prc = get(oc->feat, "precision_recall_curve");
    if (!roc && !prc)
        return;
    char h[400], alt[400];
    xmlNodePtr s = subsection(p, parent, oc, "curves", "ROC and precision-recall curves");
    prop(p, add(p, s, "p",
                "From the curves in test_statistics.json (sklearn's roc_curve and "
                "precision_recall_curve over the evaluated rows); the grey dashed line is a model "
                "that guesses. The table holds the areas."),
         "class", "note");
    const cJSON *auc = get(oc->feat, "roc_auc_macro");
    if (!cJSON_IsNumber(auc))
        auc = get(oc->feat, "roc_auc");
    const cJSON *ap = get(oc->feat, "average_precision_macro");
    int nx = 0, ny = 0;
    double *x = json_doubles(p, get(roc, "false_positive_rate"), &nx);
    double *y = json_doubles(p, get(roc, "true_positive_rate"), &ny);
    if (x && y) {
        static const double d[2] = {0, 1};
        rep_xy sr[2] = {{"ROC curve", x, y, nx < ny ? nx : ny, REP_XY_LINE, 0, NULL},
                        {"chance", d, d, 2, REP_XY_LINE, 3, NULL}};
        add(p, s, "h4", "roc_curves_from_prediction_statistics");
        if (cJSON_IsNumber(auc))
            snprintf(h, sizeof h, "ROC curve, %s (AUC = %.4f)", f, auc->valuedouble);
        else
            snprintf(h, sizeof h, "ROC curve, %s", f);
        snprintf(alt, sizeof alt,
                 "ROC curve of %s: true positive rate against false positive rate; its area is "
                 "in the table below", f);
        chart(p, s, rep_svg_xy(h, "false positive rate", "true positive rate", sr, 2,
                               UNIT_RANGE),
              alt);
    }
    free(x);
    free(y);
    x = json_doubles(p, get(prc, "recalls"), &nx);
    y = json_doubles(p, get(prc, "precisions"), &ny);
    if (x && y) {
        double pos = cm ? (cm[2] + cm[3]) / (cm[0] + cm[1] + cm[2] + cm[3]) : NAN;
        double bx[2] = {0, 1}, by[2] = {pos, pos};
        rep_xy sr[2] = {{"precision-recall curve", x, y, nx < ny ? nx : ny, REP_XY_STEP, 0, NULL},
                        {"chance (share of true rows)", bx, by, 2, REP_XY_LINE, 3, NULL}};
        add(p, s, "h4", "precision_recall_curves_from_prediction_statistics");
        if (cJSON_IsNumber(ap))
            snprintf(h, sizeof h, "Precision-recall curve, %s (AP = %.4f)", f, ap->valuedouble);
        else
            snprintf(h, sizeof h, "Precision-recall curve, %s", f);
        snprintf(alt, sizeof alt,
                 "precision-recall curve of %s: precision against recall; average precision is "
                 "in the table below", f);
        chart(p, s, rep_svg_xy(h, "recall", "precision", sr, isfinite(pos) ? 2 : 1, UNIT_RANGE),
              alt);
    }
    free(x);
    free(y);
    xmlNodePtr tb = add(p, table(p, s, "curves"), "tbody", NULL);
    value_row(p, tb, "roc_auc_macro", get(oc->feat, "roc_auc_macro"));
    value_row(p, tb, "roc_auc", get(oc->feat, "roc_auc"));
    value_row(p, tb, "average_precision_macro", ap);
}

/* Reliability in 10 bins and the threshold table, from the evaluated rows. */
static void binary_rows(page *p, xmlNodePtr parent, const octx *oc)
{
    const lc_report_output *o = oc->o;
    size_t n = oc->in->n_eval;
    char h[400], buf[64];
    enum { NB = 10 };
    int64_t cnt[NB];
    double mp[NB], obs[NB];
    char lab[NB][24];
    const char *labp[NB];
    rep_calibration(o->probs, o->targets, n, NB, cnt, mp, obs);
    xmlNodePtr s = subsection(p, parent, oc, "calibration", "Calibration (reliability)");
    snprintf(h, sizeof h,
             "The %zu rows of the %s split in 10 bins of predicted probability of %s (bins as "
             "sklearn's calibration_curve makes them): the mean predicted probability against "
             "the share of rows that are %s. A calibrated model lies on the diagonal.",
             n, oc->split, o->bool_names[1] ? o->bool_names[1] : "True",
             o->bool_names[1] ? o->bool_names[1] : "True");
    prop(p, add(p, s, "p", h), "class", "note");
    for (int b = 0; b < NB; b++) {
        snprintf(lab[b], sizeof lab[b], "%lld", (long long)cnt[b]);
        labp[b] = cnt[b] ? lab[b] : NULL;
    }
    static const double d[2] = {0, 1};
    rep_xy sr[3] = {{"model", mp, obs, NB, REP_XY_LINE, 0, NULL},
                    {NULL, mp, obs, NB, REP_XY_POINTS, 0, labp},
                    {"perfectly calibrated", d, d, 2, REP_XY_LINE, 3, NULL}};
    snprintf(h, sizeof h, "Calibration, %s (labels: rows per bin)", o->name);
    snprintf(buf, sizeof buf, "share of rows that are true");
    chart(p, s, rep_svg_xy(h, "mean predicted probability", buf, sr, 3, UNIT_RANGE),
          "reliability diagram: mean predicted probability against observed share per bin; "
          "numbers in the table below");
    xmlNodePtr t = table(p, s, "calibration");
    xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
    static const char *const ch[] = {"bin", "probability", "rows", "mean predicted",
                                     "observed share"};
    for (size_t i = 0; i < sizeof ch / sizeof ch[0]; i++)
        add(p, tr, "th", ch[i]);
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    for (int b = 0; b < NB; b++) {
        tr = add(p, tb, "tr", NULL);
        prop(p, addf(p, tr, "td", "%d", b + 1), "align", "right");
        snprintf(buf, sizeof buf, "%s%.1f, %.1f]", b ? "(" : "[", b / 10.0, (b + 1) / 10.0);
        add(p, tr, "td", buf);
        prop(p, addf(p, tr, "td", "%lld", (long long)cnt[b]), "align", "right");
        if (cnt[b]) {
            double_cell(p, tr, mp[b], 4);
            double_cell(p, tr, obs[b], 4);
        } else {
            add(p, tr, "td", "-");
            add(p, tr, "td", "-");
        }
    }

    s = subsection(p, parent, oc, "thresholds", "Threshold table");
    snprintf(h, sizeof h,
             "Predicting %s when the probability is at least the threshold, over the %zu rows of "
             "the %s split; precision, recall and F1 are 0 where undefined. The highlighted row "
             "is the feature's threshold (%g).",
             o->bool_names[1] ? o->bool_names[1] : "True", n, oc->split, o->threshold);
    prop(p, add(p, s, "p", h), "class", "note");
    t = table(p, s, "thresholds");
    tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
    static const char *const th[] = {"threshold", "TP", "FP", "FN", "TN", "accuracy",
                                     "precision", "recall", "F1"};
    for (size_t i = 0; i < sizeof th / sizeof th[0]; i++)
        add(p, tr, "th", th[i]);
    tb = add(p, t, "tbody", NULL);
    for (int k = 1; k <= 9; k++) {
        double thr = k / 10.0;
        rep_confusion c;
        rep_threshold(o->probs, o->targets, n, thr, &c);
        tr = add(p, tb, "tr", NULL);
        if (fabs(thr - o->threshold) < 1e-12) {
            prop(p, tr, "class", "best");
            addf(p, tr, "th", "%.1f (feature threshold)", thr);
        } else {
            addf(p, tr, "th", "%.1f", thr);
        }
        const int64_t v[4] = {c.tp, c.fp, c.fn, c.tn};
        for (int j = 0; j < 4; j++)
            prop(p, addf(p, tr, "td", "%lld", (long long)v[j]), "align", "right");
        double_cell(p, tr, c.accuracy, 4);
        double_cell(p, tr, c.precision, 4);
        double_cell(p, tr, c.recall, 4);
        double_cell(p, tr, c.f1, 4);
    }
}

static void section_binary(page *p, xmlNodePtr sec, const octx *oc)
{
    const lc_report_output *o = oc->o;
    double *cm = NULL;
    if (oc->feat) {
        section_test_metrics(p, sec, oc);
        int n = 0;
        cm = confusion(p, oc->feat, &n);
        if (cm && n == 2) {
            char h[300];
            xmlNodePtr s = subsection(p, sec, oc, "confusion", "Confusion matrix");
            snprintf(h, sizeof h, "confusion_matrix__%s_top2", o->name);
            add(p, s, "h4", h);
            snprintf(h, sizeof h,
                     "Rows: actual %s; columns: predicted %s (probability at least %g); cells: "
                     "rows of the %s split.", o->name, o->name, o->threshold, oc->split);
            prop(p, add(p, s, "p", h), "class", "note");
            const char *names[2] = {o->bool_names[0] ? o->bool_names[0] : "False",
                                    o->bool_names[1] ? o->bool_names[1] : "True"};
            classes cl = {.n = 2, .name = names};
            cm_table(p, s, cm, 2, 2, &cl, 0, o->name);
        } else {
            free(cm);
            cm = NULL;
        }
        binary_curves(p, sec, oc, cm);
    } else {
        add(p, sec, "p", "No test statistics: the evaluated split was empty or not saved.");
    }
    if (oc->in->n_eval && o->probs && o->targets)
        binary_rows(p, sec, oc);
    free(cm);
    xmlNodePtr s = subsection(p, sec, oc, "learning-curves", "Learning curves");
    learning(p, s, oc->in, o->name);
}

/* The token inputs: each one's most frequent tokens and tokens per row. */
static void section_inputs(page *p, xmlNodePtr body, const lc_report_info *in)
{
    int any = 0;
    for (int k = 0; k < in->nin; k++)
        any |= in->inputs[k].vocab_size > 0;
    if (!any)
        return;
    xmlNodePtr sec = add(p, body, "section", NULL);
    prop(p, sec, "id", "inputs");
    add(p, sec, "h2", "Inputs");
    for (int k = 0; k < in->nin && !p->oom; k++) {
        const lc_report_input *f = &in->inputs[k];
        if (f->vocab_size <= 0)
            continue;
        char h[400];
        snprintf(h, sizeof h, "%s (%s)", f->name, f->type);
        xmlNodePtr s = add(p, sec, "section", NULL);
        propf(p, s, "id", "i%d", k);
        add(p, s, "h3", h);
        snprintf(h, sizeof h, "A vocabulary of %d entries (training_set_metadata.json's idx2str, "
                 "counted over every row).", f->vocab_size);
        prop(p, add(p, s, "p", h), "class", "note");
        if (f->ntop > 0) {
            double v[LC_REPORT_TOP_TOKENS];
            for (int i = 0; i < f->ntop; i++)
                v[i] = (double)f->top_count[i];
            snprintf(h, sizeof h, "token_frequency__%s", f->name);
            add(p, s, "h4", h);
            snprintf(h, sizeof h, "The %d most frequent tokens, %s", f->ntop, f->name);
            chart(p, s, rep_svg_hbars(h, "occurrences", f->top, v, f->ntop, 0),
                  "bar chart of the most frequent tokens and their counts; numbers in the table "
                  "below");
            xmlNodePtr t = table(p, s, "tokens");
            xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
            add(p, tr, "th", "rank");
            add(p, tr, "th", "token");
            add(p, tr, "th", "count (str2freq)");
            xmlNodePtr tb = add(p, t, "tbody", NULL);
            for (int i = 0; i < f->ntop; i++) {
                tr = add(p, tb, "tr", NULL);
                prop(p, addf(p, tr, "td", "%d", i + 1), "align", "right");
                add(p, tr, "td", f->top[i]);
                prop(p, addf(p, tr, "td", "%lld", (long long)f->top_count[i]), "align", "right");
            }
        }
        if (f->nrows > 0 && f->tokens_per_row) {
            enum { NB = 20 };
            double edges[NB + 1];
            int64_t counts[NB];
            rep_histogram(f->tokens_per_row, f->nrows, NB, edges, counts);
            snprintf(h, sizeof h, "sequence_length__%s", f->name);
            add(p, s, "h4", h);
            if (f->width > 0)
                snprintf(h, sizeof h, "Tokens per row as the model sees them: rows are cut to "
                         "max_sequence_length %d with <SOS> and <EOS>, so to %d tokens.",
                         f->width, f->width > 2 ? f->width - 2 : 0);
            else
                snprintf(h, sizeof h, "Distinct tokens per row (%s).", f->type);
            prop(p, add(p, s, "p", h), "class", "note");
            snprintf(h, sizeof h, "Tokens per row, %s (%zu rows)", f->name, f->nrows);
            chart(p, s, rep_svg_histogram(h, "tokens in the row", edges, counts, NB),
                  "histogram of the number of tokens per row");
        }
    }
}

enum { SERIES_ROWS_SHOWN = 3, SERIES_POSITIONS_SHOWN = 64 };

/* A vector or timeseries output: its headline metrics, the error at each position (each step
 * ahead for a timeseries) and a few rows' predicted and true values. */
static void section_series(page *p, xmlNodePtr sec, const octx *oc)
{
    const lc_report_output *o = oc->o;
    int ts = o->type == LC_REPORT_TIMESERIES;
    if (oc->feat) {
        xmlNodePtr tb = add(p, table(p, sec, "headline"), "tbody", NULL);
        value_row(p, tb, "MAE (mean_absolute_error)", get(oc->feat, "mean_absolute_error"));
        value_row(p, tb, "MSE (mean_squared_error)", get(oc->feat, "mean_squared_error"));
        value_row(p, tb, "R2 (r2, averaged over the positions)", get(oc->feat, "r2"));
        section_test_metrics(p, sec, oc);
    } else {
        add(p, sec, "p", "No test statistics: the evaluated split was empty or not saved.");
    }
    size_t n = oc->in->n_eval;
    int K = o->nclasses;
    if (n && K > 0 && o->vec_pred && o->vec_true) {
        char h[400];
        xmlNodePtr s = subsection(p, sec, oc, "positions", ts ? "Error by step" : "Error by position");
        snprintf(h, sizeof h, "Over the %zu rows of the %s split, for each %s: the mean absolute "
                 "error, the root mean squared error and r2 (1 - residual / total sum of squares).%s",
                 n, oc->split, ts ? "step of the predicted series" : "value of the vector",
                 K > SERIES_POSITIONS_SHOWN ? " The first 64 are shown." : "");
        prop(p, add(p, s, "p", h), "class", "note");
        xmlNodePtr t = table(p, s, "positions");
        xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
        add(p, tr, "th", ts ? "step" : "position");
        add(p, tr, "th", "MAE");
        add(p, tr, "th", "RMSE");
        add(p, tr, "th", "r2");
        xmlNodePtr tb = add(p, t, "tbody", NULL);
        for (int k = 0; k < K && k < SERIES_POSITIONS_SHOWN; k++) {
            double ae = 0, se = 0, st = 0, st2 = 0;
            for (size_t i = 0; i < n; i++) {
                double pv = o->vec_pred[i * K + k], tv = o->vec_true[i * K + k], d = pv - tv;
                ae += fabs(d);
                se += d * d;
                st += tv;
                st2 += tv * tv;
            }
            double tss = st2 - st * st / (double)n;
            tr = add(p, tb, "tr", NULL);
            prop(p, addf(p, tr, "td", "%d", k + 1), "align", "right");
            double_cell(p, tr, ae / (double)n, 4);
            double_cell(p, tr, sqrt(se / (double)n), 4);
            double_cell(p, tr, tss > 0 ? 1.0 - se / tss : NAN, 4);
        }
        if (K > 1) {
            double *x = malloc(sizeof *x * (size_t)K * 3);
            if (!x) {
                p->oom = 1;
            } else {
                double *yt = x + K, *yp = x + 2 * K;
                for (int k = 0; k < K; k++)
                    x[k] = k + 1;
                for (size_t r = 0; r < n && r < SERIES_ROWS_SHOWN; r++) {
                    for (int k = 0; k < K; k++) {
                        yt[k] = o->vec_true[r * K + k];
                        yp[k] = o->vec_pred[r * K + k];
                    }
                    long line = oc->in->row_lines && oc->in->eval_rows
                                    ? oc->in->row_lines[oc->in->eval_rows[r]]
                                    : 0;
                    rep_xy sr[2] = {{"true", x, yt, K, REP_XY_LINE, 0, NULL},
                                    {"predicted", x, yp, K, REP_XY_LINE, 1, NULL}};
                    if (line > 0)
                        snprintf(h, sizeof h, "%s, the %s split's row from line %ld", o->name,
                                 oc->split, line);
                    else
                        snprintf(h, sizeof h, "%s, row %zu of the %s split", o->name, r + 1,
                                 oc->split);
                    chart(p, s, rep_svg_xy(h, ts ? "step" : "position", "value", sr, 2, NULL),
                          "line chart of a row's true and predicted values");
                }
                free(x);
            }
        }
    }
    xmlNodePtr s = subsection(p, sec, oc, "learning-curves", "Learning curves");
    learning(p, s, oc->in, o->name);
}

typedef struct set_label {
    int k;
    int64_t support;
} set_label;

static int cmp_set_label(const void *a, const void *b)
{
    const set_label *x = a, *y = b;
    if (x->support != y->support)
        return x->support > y->support ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

enum { SET_LABELS_SHOWN = 40 };

/* Per label over the evaluated rows: how often it is true, predicted, both; precision, recall
 * and F1 at the feature's threshold; the most frequent labels first. */
static void set_labels(page *p, xmlNodePtr parent, const octx *oc)
{
    const lc_report_output *o = oc->o;
    int K = o->nclasses, shown = 0;
    set_label *order = malloc(sizeof *order * (size_t)(K > 0 ? K : 1));
    if (!order) {
        p->oom = 1;
        return;
    }
    for (int k = 0; k < K; k++)
        order[k] = (set_label){k, o->set_support[k]};
    qsort(order, (size_t)K, sizeof *order, cmp_set_label);
    char h[400];
    xmlNodePtr s = subsection(p, parent, oc, "labels", "Labels");
    snprintf(h, sizeof h,
             "Each label over the %zu rows of the %s split: rows that hold it, rows predicted to "
             "(probability at least %g), rows both; precision, recall and F1 are 0 where "
             "undefined. The %d most frequent labels of the split (of %d).",
             oc->in->n_eval, oc->split, o->threshold, K < SET_LABELS_SHOWN ? K : SET_LABELS_SHOWN, K);
    prop(p, add(p, s, "p", h), "class", "note");
    xmlNodePtr t = table(p, s, "sortable labels");
    xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
    static const char *const th[] = {"label", "in the data", "true", "predicted", "both",
                                     "precision", "recall", "F1"};
    for (size_t i = 0; i < sizeof th / sizeof th[0]; i++)
        add(p, tr, "th", th[i]);
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    for (int i = 0; i < K && shown < SET_LABELS_SHOWN; i++, shown++) {
        int k = order[i].k;
        int64_t tp = o->set_hits[k], pr = o->set_predicted[k], su = o->set_support[k];
        double prec = pr ? (double)tp / (double)pr : 0.0, rec = su ? (double)tp / (double)su : 0.0;
        double f1 = prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0.0;
        tr = add(p, tb, "tr", NULL);
        add(p, tr, "td", o->class_names ? o->class_names[k] : "?");
        prop(p, addf(p, tr, "td", "%lld", (long long)(o->class_freq ? o->class_freq[k] : 0)), "align", "right");
        prop(p, addf(p, tr, "td", "%lld", (long long)su), "align", "right");
        prop(p, addf(p, tr, "td", "%lld", (long long)pr), "align", "right");
        prop(p, addf(p, tr, "td", "%lld", (long long)tp), "align", "right");
        double_cell(p, tr, prec, 4);
        double_cell(p, tr, rec, 4);
        double_cell(p, tr, f1, 4);
    }
    free(order);
}

static void section_set(page *p, xmlNodePtr sec, const octx *oc)
{
    const lc_report_output *o = oc->o;
    if (oc->feat) {
        xmlNodePtr tb = add(p, table(p, sec, "headline"), "tbody", NULL);
        value_row(p, tb, "Jaccard (jaccard)", get(oc->feat, "jaccard"));
        value_row(p, tb, "loss", get(oc->feat, "loss"));
        section_test_metrics(p, sec, oc);
    } else {
        add(p, sec, "p", "No test statistics: the evaluated split was empty or not saved.");
    }
    if (oc->in->n_eval && o->set_support && o->nclasses > 0)
        set_labels(p, sec, oc);
    xmlNodePtr s = subsection(p, sec, oc, "learning-curves", "Learning curves");
    learning(p, s, oc->in, o->name);
}

#define SCATTER_MAX 2000 /* points per scatter plot; more rows are subsampled evenly */

/* Predicted vs true, residuals against predictions and their histogram, in the column's units. */
static void number_rows(page *p, xmlNodePtr parent, const octx *oc)
{
    const lc_report_output *o = oc->o;
    size_t n = oc->in->n_eval;
    char h[600], alt[400];
    size_t k = n < SCATTER_MAX ? n : SCATTER_MAX;
    size_t *idx = malloc(sizeof *idx * k);
    double *tv = malloc(sizeof *tv * k), *pv = malloc(sizeof *pv * k);
    double *rs = malloc(sizeof *rs * k), *all = malloc(sizeof *all * n);
    int nb = (int)ceil(sqrt((double)n));
    nb = nb < 5 ? 5 : nb > 30 ? 30 : nb;
    double edges[31];
    int64_t counts[30];
    if (!idx || !tv || !pv || !rs || !all) {
        p->oom = 1;
        goto cleanup;
    }
    k = rep_subsample(n, SCATTER_MAX, idx);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < k; j++) {
        size_t i = idx[j];
        tv[j] = o->targets[i];
        pv[j] = o->predictions[i];
        rs[j] = tv[j] - pv[j];
        if (isfinite(tv[j]) && isfinite(pv[j])) {
            lo = fmin(lo, fmin(tv[j], pv[j]));
            hi = fmax(hi, fmax(tv[j], pv[j]));
        }
    }
    for (size_t i = 0; i < n; i++)
        all[i] = (double)o->targets[i] - (double)o->predictions[i];
    xmlNodePtr s = subsection(p, parent, oc, "residuals", "Predictions and residuals");
    if (k < n)
        snprintf(h, sizeof h,
                 "Rows of the %s split in the column's units, as predictions_parquet.csv holds "
                 "the predictions; residual = true - predicted. The scatter plots show %zu of "
                 "the %zu rows (every %.1fth, in row order); the histogram counts them all.",
                 oc->split, k, n, (double)n / (double)k);
    else
        snprintf(h, sizeof h,
                 "The %zu rows of the %s split in the column's units, as predictions_parquet.csv "
                 "holds the predictions; residual = true - predicted.", n, oc->split);
    prop(p, add(p, s, "p", h), "class", "note");
    if (!(lo <= hi)) {
        lo = 0;
        hi = 1;
    }
    double pad = (hi - lo > 0 ? hi - lo : 1) * 0.04;
    double range[4] = {lo - pad, hi + pad, lo - pad, hi + pad};
    double dg[2] = {lo - pad, hi + pad};
    rep_xy sr[2] = {{"rows", tv, pv, (int)k, REP_XY_POINTS, 0, NULL},
                    {"predicted = true", dg, dg, 2, REP_XY_LINE, 3, NULL}};
    snprintf(h, sizeof h, "predicted_vs_true__%s", o->name);
    add(p, s, "h4", h);
    snprintf(h, sizeof h, "Predicted vs true, %s", o->name);
    snprintf(alt, sizeof alt, "scatter plot of predicted against true %s per row", o->name);
    chart(p, s, rep_svg_xy(h, "true value", "predicted value", sr, 2, range), alt);
    double zx[2] = {lo, hi}, zy[2] = {0, 0};
    rep_xy rr[2] = {{"rows", pv, rs, (int)k, REP_XY_POINTS, 0, NULL},
                    {"residual 0", zx, zy, 2, REP_XY_LINE, 3, NULL}};
    snprintf(h, sizeof h, "residuals__%s", o->name);
    add(p, s, "h4", h);
    snprintf(h, sizeof h, "Residuals vs predicted, %s", o->name);
    snprintf(alt, sizeof alt, "scatter plot of the residual (true - predicted) against the "
             "predicted %s per row", o->name);
    chart(p, s, rep_svg_xy(h, "predicted value", "residual (true - predicted)", rr, 2, NULL), alt);
    rep_histogram(all, n, nb, edges, counts);
    snprintf(h, sizeof h, "residual_histogram__%s", o->name);
    add(p, s, "h4", h);
    snprintf(h, sizeof h, "Residuals, %s (%d bins)", o->name, nb);
    chart(p, s, rep_svg_histogram(h, "residual (true - predicted)", edges, counts, nb),
          "histogram of the residuals; numbers in the table below");
    xmlNodePtr t = table(p, s, "histogram");
    xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
    add(p, tr, "th", "residual from");
    add(p, tr, "th", "to");
    add(p, tr, "th", "rows");
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    for (int b = 0; b < nb; b++) {
        tr = add(p, tb, "tr", NULL);
        double_cell(p, tr, edges[b], 4);
        double_cell(p, tr, edges[b + 1], 4);
        prop(p, addf(p, tr, "td", "%lld", (long long)counts[b]), "align", "right");
    }
cleanup:
    free(idx);
    free(tv);
    free(pv);
    free(rs);
    free(all);
}

static void section_number(page *p, xmlNodePtr sec, const octx *oc)
{
    const lc_report_output *o = oc->o;
    if (oc->feat) {
        xmlNodePtr tb = add(p, table(p, sec, "headline"), "tbody", NULL);
        value_row(p, tb, "MAE (mean_absolute_error)", get(oc->feat, "mean_absolute_error"));
        value_row(p, tb, "RMSE (root_mean_squared_error)",
                  get(oc->feat, "root_mean_squared_error"));
        value_row(p, tb, "R2 (r2)", get(oc->feat, "r2"));
        if (o->normalization) {
            char h[400];
            snprintf(h, sizeof h,
                     "The model predicts %s-normalised values: test_statistics.json's metrics are "
                     "computed on them, as Ludwig computes them; the plots below are in the "
                     "column's units.", o->normalization);
            prop(p, add(p, sec, "p", h), "class", "note");
        }
        section_test_metrics(p, sec, oc);
    } else {
        add(p, sec, "p", "No test statistics: the evaluated split was empty or not saved.");
    }
    if (oc->in->n_eval && o->predictions && o->targets)
        number_rows(p, sec, oc);
    xmlNodePtr s = subsection(p, sec, oc, "learning-curves", "Learning curves");
    learning(p, s, oc->in, o->name);
}

/* Class names: the vocabulary, or indices ("#0", ...) for the n classes of the confusion matrix
 * when the caller has none. */
static void class_names(page *p, const lc_report_output *o, int ncm, classes *cl)
{
    *cl = (classes){0};
    cl->n = o->class_names ? o->nclasses : ncm;
    if (o->class_names) {
        cl->name = o->class_names;
        return;
    }
    if (cl->n < 1)
        return;
    cl->own = malloc(sizeof *cl->own * (size_t)cl->n);
    const char **nm = malloc(sizeof *nm * (size_t)cl->n);
    if (!cl->own || !nm) {
        free(nm);
        free(cl->own);
        cl->own = NULL;
        p->oom = 1;
        cl->n = 0;
        return;
    }
    for (int k = 0; k < cl->n; k++) {
        snprintf(cl->own[k], sizeof cl->own[k], "#%d", k);
        nm[k] = cl->own[k];
    }
    cl->name = nm;
    cl->indices = 1;
}

static void section_category(page *p, xmlNodePtr sec, const octx *oc)
{
    classes cl;
    int ncm = 0;
    double *cm = oc->feat ? confusion(p, oc->feat, &ncm) : NULL;
    class_names(p, oc->o, ncm, &cl);
    if (cm && ncm > cl.n) /* a matrix larger than the vocabulary: show what can be named */
        ncm = 0;
    if (oc->feat) {
        section_test_metrics(p, sec, oc);
        section_per_class(p, sec, oc, &cl);
        if (cm && ncm > 0) {
            section_confusion(p, sec, oc, cm, ncm, &cl);
        } else if (!get(oc->feat, "confusion_matrix") && get(oc->feat, "per_class_stats") &&
                   cl.n > LC_CONFUSION_MATRIX_MAX) {
            char h[300];
            xmlNodePtr cs = subsection(p, sec, oc, "confusion", "Confusion matrix");
            snprintf(h, sizeof h,
                     "Not computed: %s has %d classes, and ludwig-c writes the confusion matrix "
                     "for at most %d (a %d x %d matrix would outgrow the data it describes). The "
                     "per-class table above has each class's counts.",
                     oc->o->name, cl.n, LC_CONFUSION_MATRIX_MAX, cl.n, cl.n);
            prop(p, add(p, cs, "p", h), "class", "note");
        }
        section_f1_freq(p, sec, oc, &cl);
    } else {
        add(p, sec, "p", "No test statistics: the evaluated split was empty or not saved.");
    }
    xmlNodePtr s = subsection(p, sec, oc, "learning-curves", "Learning curves");
    learning(p, s, oc->in, oc->o->name);
    if (oc->feat)
        section_gallery(p, sec, oc, &cl);
    free(cm);
    if (cl.own) {
        free((void *)cl.name);
        free(cl.own);
    }
}

static void head(page *p, xmlNodePtr html, const char *title)
{
    xmlNodePtr hd = add(p, html, "head", NULL);
    /* the serializer reads the output encoding from this <meta> */
    xmlNodePtr m = add(p, hd, "meta", NULL);
    prop(p, m, "http-equiv", "Content-Type");
    prop(p, m, "content", "text/html; charset=UTF-8");
    m = add(p, hd, "meta", NULL);
    prop(p, m, "name", "viewport");
    prop(p, m, "content", "width=device-width, initial-scale=1");
    add(p, hd, "title", title);
    char *css = rep_data_uri("data:text/css;base64,", (const unsigned char *)CSS, strlen(CSS));
    if (!css) {
        p->oom = 1;
        return;
    }
    xmlNodePtr l = add(p, hd, "link", NULL);
    prop(p, l, "rel", "stylesheet");
    prop(p, l, "href", css);
    free(css);
}

static void nav(page *p, xmlNodePtr body, const lc_report_info *in)
{
    xmlNodePtr ul = add(p, add(p, body, "nav", NULL), "ul", NULL);
    xmlNodePtr a = add(p, add(p, ul, "li", NULL), "a", "Run summary");
    prop(p, a, "href", "#summary");
    for (int k = 0; k < in->nin; k++)
        if (in->inputs[k].vocab_size > 0) {
            a = add(p, add(p, ul, "li", NULL), "a", "Inputs");
            prop(p, a, "href", "#inputs");
            break;
        }
    a = add(p, add(p, ul, "li", NULL), "a", "Combined loss");
    prop(p, a, "href", "#combined");
    for (int k = 0; k < in->nout; k++) {
        char h[300];
        snprintf(h, sizeof h, "%s (%s)", in->outputs[k].name, kind_name(in->outputs[k].type));
        a = add(p, add(p, ul, "li", NULL), "a", h);
        propf(p, a, "href", "#o%d", k);
    }
}

/* The confusion matrix of test_stats as doubles (n, n); NULL with *n = 0 when absent or not
 * square (or out of memory, then p->oom). */
static double *confusion(page *p, const cJSON *feat, int *n)
{
    const cJSON *cm = get(feat, "confusion_matrix");
    *n = cJSON_IsArray(cm) ? cJSON_GetArraySize(cm) : 0;
    if (*n < 1)
        return NULL;
    double *v = malloc(sizeof *v * (size_t)*n * (size_t)*n);
    if (!v) {
        p->oom = 1;
        *n = 0;
        return NULL;
    }
    int i = 0;
    for (const cJSON *row = cm->child; row; row = row->next, i++) {
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != *n) {
            free(v);
            *n = 0;
            return NULL;
        }
        int j = 0;
        for (const cJSON *x = row->child; x; x = x->next, j++)
            v[(size_t)i * *n + j] = cJSON_IsNumber(x) ? x->valuedouble : 0;
    }
    return v;
}

/* A k-fold run (kfold_training_statistics.json): per output (and combined), a table of each
 * metric (rows) per fold with the mean and the population standard deviation over the folds, as
 * Ludwig's `overall` gives them */
static void section_kfold(page *p, xmlNodePtr body, const lc_report_info *in)
{
    const cJSON *overall = get(in->kfold, "overall");
    int k = 0;
    char key[64];
    for (;; k++) {
        snprintf(key, sizeof key, "fold_%d", k + 1);
        if (!get(in->kfold, key))
            break;
    }
    xmlNodePtr s = section(p, body, "kfold", "Cross-validation");
    char h[512];
    snprintf(h, sizeof h,
             "%d folds: each fold's rows were tested by a model trained on the rows of the other "
             "%d (no validation rows), as Ludwig's k-fold cross validation does. The last two "
             "columns are the mean and the spread (population standard deviation) over the folds "
             "(kfold_training_statistics.json, overall).",
             k, k - 1);
    prop(p, add(p, s, "p", h), "class", "note");
    for (const cJSON *of = overall ? overall->child : NULL; of && !p->oom; of = of->next) {
        xmlNodePtr sub = add(p, s, "section", NULL);
        propf(p, sub, "id", "kfold-%s", of->string);
        add(p, sub, "h3", of->string);
        xmlNodePtr t = table(p, sub, "metrics");
        xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
        prop(p, add(p, tr, "th", "metric"), "class", "l");
        for (int f = 1; f <= k; f++)
            addf(p, tr, "th", "fold %d", f);
        add(p, tr, "th", "mean");
        add(p, tr, "th", "std");
        xmlNodePtr tb = add(p, t, "tbody", NULL);
        for (const cJSON *m = of->child; m; m = m->next) {
            size_t ml = strlen(m->string);
            if (ml < 6 || strcmp(m->string + ml - 5, "_mean") != 0)
                continue;
            char metric[96], stdk[112];
            snprintf(metric, sizeof metric, "%.*s", (int)(ml - 5), m->string);
            snprintf(stdk, sizeof stdk, "%s_std", metric);
            tr = add(p, tb, "tr", NULL);
            add(p, tr, "th", metric);
            for (int f = 1; f <= k; f++) {
                snprintf(key, sizeof key, "fold_%d", f);
                const cJSON *v = get(get(get(get(in->kfold, key), "fold_eval_stats"), of->string), metric);
                if (cJSON_IsNumber(v))
                    json_cell(p, tr, v, 4);
                else
                    add(p, tr, "td", "");
            }
            double_cell(p, tr, m->valuedouble, 4);
            const cJSON *sd = get(of, stdk);
            if (cJSON_IsNumber(sd))
                double_cell(p, tr, sd->valuedouble, 4);
            else
                add(p, tr, "td", "");
        }
    }
}

/* ---- hyperopt ---- */

/* Writes svg_text as dir/name (when dir is set); the text stays the caller's. */
static void save_svg(page *p, const char *dir, const char *name, const char *svg_text)
{
    if (!dir || !svg_text)
        return;
    char path[4096];
    lc_error e = {0};
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (char *c = path + strlen(dir) + 1; *c; c++)
        if (*c == '/')
            *c = '_';
    lc_afile a;
    if (lc_mkdir_p(dir, &e) || lc_afile_open(&a, path, &e) ||
        lc_afile_commit(&a, fputs(svg_text, a.f) < 0, "a hyperopt chart", &e))
        p->oom = 1;
}


static void section_hyperopt(page *p, xmlNodePtr body, const lc_report_info *in)
{
    const cJSON *cfg = get(in->hyperopt, "hyperopt_config");
    const cJSON *res = get(in->hyperopt, "hyperopt_results");
    const char *metric = cJSON_GetStringValue(get(cfg, "metric"));
    const char *goal = cJSON_GetStringValue(get(cfg, "goal"));
    const char *of = cJSON_GetStringValue(get(cfg, "output_feature"));
    const char *split = cJSON_GetStringValue(get(cfg, "split"));
    int nt = cJSON_GetArraySize(res), np = in->hyperopt_nparams;
    int lower = !goal || strcmp(goal, "maximize") != 0;
    char h[1024], buf[256];
    xmlNodePtr s = section(p, body, "trials", "Trials");
    snprintf(h, sizeof h,
             "%d trial(s), best first: each trained the config with the parameters shown; its "
             "score is the best epoch's %s of %s on the %s split (hyperopt_statistics.json, "
             "metric_score), the goal is to %s it. Each trial's model and statistics are in "
             "trial_<id>/ next to hyperopt_statistics.json.",
             nt, metric ? metric : "loss", of ? of : "combined", split ? split : "validation",
             lower ? "minimize" : "maximize");
    prop(p, add(p, s, "p", h), "class", "note");
    xmlNodePtr t = table(p, s, "metrics");
    xmlNodePtr tr = add(p, add(p, t, "thead", NULL), "tr", NULL);
    add(p, tr, "th", "rank");
    prop(p, add(p, tr, "th", "trial"), "class", "l");
    for (int k = 0; k < np; k++)
        add(p, tr, "th", in->hyperopt_params[k]);
    add(p, tr, "th", metric ? metric : "score");
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    int i = 0;
    for (const cJSON *r = res ? res->child : NULL; r && !p->oom; r = r->next, i++) {
        tr = add(p, tb, "tr", NULL);
        addf(p, tr, "td", "%d", i + 1);
        add(p, tr, "td", in->hyperopt_trial_ids ? in->hyperopt_trial_ids[i] : "");
        for (int k = 0; k < np; k++) {
            const cJSON *v = get(get(r, "parameters"), in->hyperopt_params[k]);
            if (cJSON_IsNumber(v)) {
                json_cell(p, tr, v, 6);
            } else {
                rep_json_text(v, buf, sizeof buf);
                add(p, tr, "td", buf);
            }
        }
        json_cell(p, tr, get(r, "metric_score"), 6);
    }
    if (nt == 0)
        return;
    lc_figs figs = {0};
    lc_viz_hyperopt_report(&figs, in->hyperopt);
    if (figs.oom)
        p->oom = 1;
    xmlNodePtr pairs = NULL;
    for (int k = 0; k < figs.n && !p->oom; k++) {
        int pair = strcmp(figs.name[k], "hyperopt_pair_plot") == 0;
        if (k == 0) {
            s = section(p, body, "parameters", "Each parameter against the score");
            prop(p, add(p, s, "p", "Ludwig's hyperopt_report: one chart per parameter (hyperopt_<parameter>); log-scaled parameters are drawn on a log10 axis, categories as the mean score of the trials that took each value."), "class", "note");
        }
        if (pair) {
            pairs = section(p, body, "pairs", "Pairs of parameters");
            prop(p, add(p, pairs, "p", "Ludwig's hyperopt_pair_plot: for each pair of parameters, the mean score of the trials in each cell (numbers binned into five groups of about equal counts when they take more than eight values). Darker is better; grey cells had no trial."), "class", "note");
        }
        char fname[600];
        snprintf(fname, sizeof fname, "%s.svg", figs.name[k]);
        save_svg(p, in->hyperopt_svg_dir, fname, figs.svg[k]);
        if (pair)
            snprintf(h, sizeof h, "mean %s over each pair of parameters", metric ? metric : "score");
        else
            snprintf(h, sizeof h, "%s against the trials' %s", figs.name[k] + strlen("hyperopt_"), metric ? metric : "score");
        chart(p, pair ? pairs : s, figs.svg[k], h);
        figs.svg[k] = NULL; /* chart() took it */
    }
    lc_figs_free(&figs);
}

static lc_status write_page(const char *path, const lc_report_info *in, lc_error *e)
{
    rep_xml_init();
    page p = {0};
    p.doc = htmlNewDocNoDtD(NULL, NULL);
    if (!p.doc)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory building the report");
    if (!xmlCreateIntSubset(p.doc, BAD_CAST "html", NULL, NULL))
        p.oom = 1;
    xmlNodePtr html = xmlNewNode(NULL, BAD_CAST "html");
    if (!html) {
        xmlFreeDoc(p.doc);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory building the report");
    }
    xmlDocSetRootElement(p.doc, html);
    prop(&p, html, "lang", "en");
    const char *title = in->title ? in->title : "Ludwig Experiment";
    head(&p, html, title);
    xmlNodePtr body = add(&p, html, "body", NULL);
    add(&p, body, "h1", title);
    const char *split = in->eval_split ? in->eval_split : "test";
    char lead[1024];
    size_t len = (size_t)snprintf(lead, sizeof lead, "Output feature%s ", in->nout > 1 ? "s" : "");
    for (int k = 0; k < in->nout && len < sizeof lead; k++)
        len += (size_t)snprintf(lead + len, sizeof lead - len, "%s%s",
                                k == 0 ? "" : k + 1 < in->nout ? ", " : " and ",
                                in->outputs[k].name);
    if (len < sizeof lead)
        snprintf(lead + len, sizeof lead - len,
                 "%s%s; statistics of the %s split. Produced by ludwig-c, a native "
                 "re-implementation of Ludwig 0.10.3's experiment.",
                 in->input_feature ? " predicted from " : "",
                 in->input_feature ? in->input_feature : "", split);
    if (in->hyperopt)
        snprintf(lead, sizeof lead,
                 "Hyperparameter search over the config's hyperopt parameters: every trial is an "
                 "experiment on the config with the trial's values. Produced by ludwig-c, a native "
                 "re-implementation of Ludwig 0.10.3's hyperopt.");
    else if (in->kfold)
        snprintf(lead, sizeof lead,
                 "k-fold cross validation of the model the config describes. Produced by ludwig-c, "
                 "a native re-implementation of Ludwig 0.10.3's experiment.");
    prop(&p, add(&p, body, "p", lead), "class", "note");
    if (in->hyperopt) {
        section_summary(&p, body, in);
        section_hyperopt(&p, body, in);
    } else if (in->kfold) {
        section_summary(&p, body, in);
        section_kfold(&p, body, in);
    } else {
        nav(&p, body, in);
        section_summary(&p, body, in);
    }
    if (!in->kfold && !in->hyperopt) {
        section_inputs(&p, body, in);
        section_combined(&p, body, in);
    }
    int any_category = 0;
    for (int k = 0; k < in->nout && !p.oom; k++) {
        const lc_report_output *o = &in->outputs[k];
        octx oc = {.in = in, .o = o, .feat = get(in->test_stats, o->name), .split = split,
                   .index = k};
        char h[300];
        snprintf(h, sizeof h, "%s (%s)", o->name, kind_name(o->type));
        xmlNodePtr sec = add(&p, body, "section", NULL);
        propf(&p, sec, "id", "o%d", k);
        prop(&p, sec, "class", "output");
        add(&p, sec, "h2", h);
        switch (o->type) {
        case LC_REPORT_CATEGORY:
            any_category = 1;
            section_category(&p, sec, &oc);
            break;
        case LC_REPORT_BINARY:
            section_binary(&p, sec, &oc);
            break;
        case LC_REPORT_NUMBER:
            section_number(&p, sec, &oc);
            break;
        case LC_REPORT_SET:
            section_set(&p, sec, &oc);
            break;
        case LC_REPORT_VECTOR:
        case LC_REPORT_TIMESERIES:
            section_series(&p, sec, &oc);
            break;
        }
    }
    xmlNodePtr foot = add(&p, body, "footer", NULL);
    add(&p, foot, "p",
        any_category ? "Numbers shown rounded carry their exact value (as written in the JSON "
                       "files) in a tooltip. Ludwig's 'accuracy' of a category output is the "
                       "macro average of per-class recall; 'accuracy_micro' is the share of rows "
                       "predicted correctly."
                     : "Numbers shown rounded carry their exact value (as written in the JSON "
                       "files) in a tooltip.");
    char *js = rep_data_uri("data:text/javascript;base64,", (const unsigned char *)SORT_JS,
                            strlen(SORT_JS));
    if (js) {
        xmlNodePtr sc = add(&p, body, "script", "");
        prop(&p, sc, "src", js);
        free(js);
    } else {
        p.oom = 1;
    }
    if (p.oom) {
        xmlFreeDoc(p.doc);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory building the report");
    }
    /* serialized in memory and written here: libxml2's file output prints its own errors */
    xmlChar *mem = NULL;
    int size = 0;
    htmlDocDumpMemoryFormat(p.doc, &mem, &size, 1);
    xmlFreeDoc(p.doc);
    if (!mem || size <= 0) {
        xmlFree(mem);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory building the report");
    }
    lc_afile a;
    lc_status st = lc_afile_open(&a, path, e);
    if (!st)
        st = lc_afile_commit(&a, fwrite(mem, 1, (size_t)size, a.f) != (size_t)size, "the report",
                             e);
    xmlFree(mem);
    return st;
}

void lc_report_release(lc_report_info *info)
{
    for (int k = 0; info->inputs && k < info->nin; k++)
        free(info->inputs[k].tokens_per_row);
    free(info->inputs);
    info->inputs = NULL;
    info->nin = 0;
    if (info->owned) {
        lc_free(info->owned);
        info->owned = NULL;
        info->outputs = NULL;
        info->nout = 0;
    }
}

lc_status lc_report_write(const char *path, const lc_report_info *info, lc_error *e)
{
    return info->fill_failed ? lc_error_set(e, LC_ERR_NOMEM, "out of memory building the report")
                             : write_page(path, info, e);
}
