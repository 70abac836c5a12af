/* report.c - ludwig_experiment_report.html: the page a scientist reads instead of the JSON files.
 * Sections in reading order: run summary, test metrics, per-class statistics (sortable),
 * confusion matrix (counts and row-normalised), confusion-matrix entropy, F1 vs frequency,
 * learning curves, most confidently wrong predictions. Headings carry the file stems of the plots
 * Ludwig's visualize makes (confusion_matrix__label_top10, learning_curves_label_accuracy, ...) so
 * the tutorial's names can be found.
 *
 * Galaxy shows tool HTML through its sanitizer by default (bleach with an allowlist: no <style>,
 * <script>, <svg>, no style attribute, no data: URLs). So the page keeps its structure and numbers
 * in allowed markup (tables with border/cellpadding/bgcolor attributes, headings, lists), and
 * everything the sanitizer drops is carried where dropping it leaves no debris: the stylesheet and
 * the sort script are data: URLs of <link>/<script src> (a stripped <style> would leave its CSS
 * as visible text), charts and thumbnails are <img> data URIs with alt text.
 *
 * Numbers: a value shown rounded carries its exact JSON text in the cell's title attribute. What
 * the numbers mean is decided by the experiment and metrics code; this file only lays them out
 * and derives what Ludwig's visualize derives (row entropy, sort orders). */
#include "lc_report.h"

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lc_json.h"
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
    "h3{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:1em;"
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

static const char *metric_meaning(const char *k)
{
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

static void metric_row(page *p, xmlNodePtr tb, const char *name, const cJSON *v)
{
    xmlNodePtr tr = add(p, tb, "tr", NULL);
    add(p, tr, "th", name);
    json_cell(p, tr, v, 4);
    xmlNodePtr m = add(p, tr, "td", metric_meaning(name));
    prop(p, m, "class", "m");
}

static void section_test_metrics(page *p, xmlNodePtr body, const lc_report_info *in,
                                 const cJSON *feat)
{
    char h[256];
    xmlNodePtr s = section(p, body, "test-metrics", "Test metrics");
    snprintf(h, sizeof h, "Computed on the %s split after training (test_statistics.json).",
             in->eval_split ? in->eval_split : "test");
    prop(p, add(p, s, "p", h), "class", "note");
    xmlNodePtr t = table(p, s, "metrics");
    xmlNodePtr th = add(p, t, "thead", NULL);
    xmlNodePtr tr = add(p, th, "tr", NULL);
    prop(p, add(p, tr, "th", "metric"), "class", "l");
    add(p, tr, "th", "value");
    prop(p, add(p, tr, "th", "meaning"), "class", "l");
    const cJSON *comb = get(in->test_stats, "combined");
    if (comb) {
        xmlNodePtr tb = add(p, t, "tbody", NULL);
        tr = add(p, tb, "tr", NULL);
        xmlNodePtr c = add(p, tr, "th", "combined");
        propf(p, c, "colspan", "3");
        for (const cJSON *v = comb->child; v; v = v->next)
            if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
                metric_row(p, tb, v->string, v);
    }
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    tr = add(p, tb, "tr", NULL);
    propf(p, add(p, tr, "th", in->output_feature), "colspan", "3");
    for (const cJSON *v = feat->child; v; v = v->next)
        if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
            metric_row(p, tb, v->string, v);
    const cJSON *os = get(feat, "overall_stats");
    if (os) {
        tb = add(p, t, "tbody", NULL);
        tr = add(p, tb, "tr", NULL);
        snprintf(h, sizeof h, "%s overall_stats", in->output_feature);
        propf(p, add(p, tr, "th", h), "colspan", "3");
        for (const cJSON *v = os->child; v; v = v->next)
            if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
                metric_row(p, tb, v->string, v);
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

static void section_per_class(page *p, xmlNodePtr body, const lc_report_info *in,
                              const cJSON *feat, const classes *cl)
{
    xmlNodePtr s = section(p, body, "per-class", "Per-class statistics");
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
        if (in->class_freq && !cl->indices && k < in->nclasses) {
            snprintf(buf, sizeof buf, "%lld", (long long)in->class_freq[k]);
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

/* Indices 0..n-1 ordered as numpy's argsort(v)[::-1]: descending, ties in descending index
 * order (numpy sorts small arrays stably; the reversal flips tied indices). */
static void argsort_desc(const double *v, int n, int *idx)
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

static void section_confusion(page *p, xmlNodePtr body, const lc_report_info *in,
                              const double *cm, int n, const classes *cl)
{
    const char *f = in->output_feature;
    int k = n < TOP_N_CLASSES ? n : TOP_N_CLASSES;
    char h[300];
    xmlNodePtr s = section(p, body, "confusion", "Confusion matrix");
    snprintf(h, sizeof h, "confusion_matrix__%s_top%d", f, k);
    add(p, s, "h3", h);
    snprintf(h, sizeof h,
             "Rows: actual %s; columns: predicted %s; cells: rows of the %s split. The %d most "
             "frequent classes, as Ludwig's plot shows them; the diagonal holds the correct "
             "predictions.", f, f, in->eval_split ? in->eval_split : "test", k);
    prop(p, add(p, s, "p", h), "class", "note");
    if (cl->indices)
        prop(p, add(p, s, "p", "Class names were not available to the report: #0, #1, ... are "
                                "vocabulary indices (training_set_metadata.json idx2str)."),
             "class", "note");
    cm_table(p, s, cm, n, k, cl, 0, f);
    snprintf(h, sizeof h, "confusion_matrix__%s_top%d (row-normalised)", f, k);
    add(p, s, "h3", h);
    prop(p, add(p, s, "p",
                "Each row divided by its total: the share of each actual class predicted as "
                "each class (the diagonal is the class's recall within these classes)."),
         "class", "note");
    cm_table(p, s, cm, n, k, cl, 1, f);
    if (n > k && n <= FULL_CM_MAX) {
        snprintf(h, sizeof h, "all %d classes", n);
        add(p, s, "h3", h);
        cm_table(p, s, cm, n, n, cl, 0, f);
    } else if (n > k) {
        snprintf(h, sizeof h,
                 "The whole %d x %d matrix is in test_statistics.json (confusion_matrix).", n, n);
        prop(p, add(p, s, "p", h), "class", "note");
    }

    /* entropy of each row of the top-k matrix, as Ludwig's confusion_matrix visualisation */
    double *ent = malloc(sizeof *ent * (size_t)k);
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
    argsort_desc(ent, k, ord);
    for (int i = 0; i < k; i++) {
        lab[i] = cl->name[ord[i]];
        sorted[i] = ent[ord[i]];
    }
    s = section(p, body, "entropy", "Confusion-matrix entropy per class");
    snprintf(h, sizeof h, "confusion_matrix_entropy__%s_top%d", f, k);
    add(p, s, "h3", h);
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

static void section_f1_freq(page *p, xmlNodePtr body, const lc_report_info *in,
                            const cJSON *feat, const classes *cl)
{
    const char *f = in->output_feature;
    const cJSON *pcs = get(feat, "per_class_stats");
    if (!pcs || !in->class_freq || cl->indices || cl->n < 1)
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
        fr[k] = (double)in->class_freq[k];
    }
    xmlNodePtr s = section(p, body, "f1-frequency", "F1 vs frequency");
    snprintf(h, sizeof h, "frequency_vs_f1__%s", f);
    add(p, s, "h3", h);
    prop(p, add(p, s, "p",
                "Per-class F1 on the evaluated split against the class's frequency in the whole "
                "dataset (training_set_metadata.json str2freq). As Ludwig draws it: one plot with "
                "classes sorted by F1, one sorted by frequency; each line has its own axis "
                "spanning its minimum to maximum."),
         "class", "note");
    snprintf(h, sizeof h, "F1 score vs frequency, %s (sorted by F1)", f);
    argsort_desc(f1, n, ord);
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
    argsort_desc(fr, n, ord);
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
        add(p, s, "h3", h);
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
    add(p, s, "h3", h);
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
    xmlNodePtr tb = add(p, t, "tbody", NULL);
    for (int ep = 0; ep < epochs; ep++) {
        xmlNodePtr row = add(p, tb, "tr", NULL);
        if (ep + 1 == in->best_epoch) {
            prop(p, row, "class", "best");
            addf(p, row, "th", "%d (best)", ep + 1);
        } else {
            addf(p, row, "th", "%d", ep + 1);
        }
        for (const cJSON *met = feat->child; met; met = met->next) {
            if (!cJSON_IsArray(met))
                continue;
            for (int k = 0; k < 3; k++) {
                const cJSON *list = get(get(get(in->train_stats, splits[k]), feat->string),
                                        met->string);
                if (cJSON_IsArray(list))
                    json_cell(p, row, cJSON_GetArrayItem(list, ep), 4);
            }
        }
    }
}

static void section_learning(page *p, xmlNodePtr body, const lc_report_info *in)
{
    const cJSON *tr0 = get(in->train_stats, "training");
    xmlNodePtr s = section(p, body, "learning-curves", "Learning curves");
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
    if (!tr0) {
        add(p, s, "p", "No training statistics.");
        return;
    }
    /* "combined" first, then the output features in file order */
    const cJSON *comb = get(tr0, "combined");
    if (cJSON_IsObject(comb))
        learning_feature(p, s, in, comb, xl);
    for (const cJSON *feat = tr0->child; feat; feat = feat->next)
        if (cJSON_IsObject(feat) && feat != comb)
            learning_feature(p, s, in, feat, xl);
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

static void section_gallery(page *p, xmlNodePtr body, const lc_report_info *in,
                            const classes *cl)
{
    xmlNodePtr s = section(p, body, "wrong", "Most confidently wrong predictions");
    char h[512];
    snprintf(h, sizeof h,
             "Rows of the %s split whose predicted class is wrong, most confident first (the "
             "probability the model gave its prediction). Up to %d are shown.",
             in->eval_split ? in->eval_split : "test", GALLERY_MAX);
    prop(p, add(p, s, "p", h), "class", "note");
    if (!in->n_eval || !in->eval_labels || !in->eval_preds || !in->eval_probs) {
        add(p, s, "p", "No evaluated rows.");
        return;
    }
    size_t nw = 0;
    for (size_t i = 0; i < in->n_eval; i++)
        nw += in->eval_labels[i] != in->eval_preds[i];
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
        int yh = in->eval_preds[i];
        if (in->eval_labels[i] == yh)
            continue;
        float pr = yh >= 0 && yh < in->nclasses ? in->eval_probs[i * (size_t)in->nclasses + yh]
                                                : NAN;
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
        int y = in->eval_labels[i], yh = in->eval_preds[i];
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

static void nav(page *p, xmlNodePtr body, int has_test, int has_cm, int has_f1)
{
    static const char *const items[][2] = {
        {"summary", "Run summary"},
        {"test-metrics", "Test metrics"},
        {"per-class", "Per-class statistics"},
        {"confusion", "Confusion matrix"},
        {"entropy", "Confusion-matrix entropy"},
        {"f1-frequency", "F1 vs frequency"},
        {"learning-curves", "Learning curves"},
        {"wrong", "Most confidently wrong predictions"},
    };
    xmlNodePtr ul = add(p, add(p, body, "nav", NULL), "ul", NULL);
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        if ((!has_test && (i == 1 || i == 2)) || (!has_cm && (i == 3 || i == 4)) ||
            (!has_f1 && i == 5))
            continue;
        char href[64];
        snprintf(href, sizeof href, "#%s", items[i][0]);
        xmlNodePtr a = add(p, add(p, ul, "li", NULL), "a", items[i][1]);
        prop(p, a, "href", href);
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

lc_status lc_report_write(const char *path, const lc_report_info *in, lc_error *e)
{
    page p = {0};
    classes cl = {0};
    double *cm = NULL;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return lc_error_set(e, LC_ERR_IO, "%s: path too long", path);
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
    const cJSON *feat = get(in->test_stats, in->output_feature);
    int ncm = 0;
    cm = feat ? confusion(&p, feat, &ncm) : NULL;
    /* class names: the vocabulary, or indices when the caller has none */
    cl.n = in->class_names ? in->nclasses : ncm;
    if (in->class_names) {
        cl.name = in->class_names;
    } else if (cl.n > 0) {
        cl.own = malloc(sizeof *cl.own * (size_t)cl.n);
        const char **nm = malloc(sizeof *nm * (size_t)cl.n);
        if (!cl.own || !nm) {
            free(nm);
            p.oom = 1;
            cl.n = 0;
        } else {
            for (int k = 0; k < cl.n; k++) {
                snprintf(cl.own[k], sizeof cl.own[k], "#%d", k);
                nm[k] = cl.own[k];
            }
            cl.name = nm;
            cl.indices = 1;
        }
    }
    if (cm && ncm > cl.n) /* a matrix larger than the vocabulary: show what can be named */
        ncm = 0;
    char lead[1024];
    snprintf(lead, sizeof lead,
             "Output feature %s%s%s; statistics of the %s split. Produced by ludwig-c, a native "
             "re-implementation of Ludwig 0.10.3's experiment.",
             in->output_feature, in->input_feature ? " predicted from " : "",
             in->input_feature ? in->input_feature : "", in->eval_split ? in->eval_split : "test");
    prop(&p, add(&p, body, "p", lead), "class", "note");
    nav(&p, body, feat != NULL, cm && ncm > 0, feat && in->class_freq && !cl.indices);
    section_summary(&p, body, in);
    if (feat) {
        section_test_metrics(&p, body, in, feat);
        section_per_class(&p, body, in, feat, &cl);
        if (cm && ncm > 0)
            section_confusion(&p, body, in, cm, ncm, &cl);
        section_f1_freq(&p, body, in, feat, &cl);
    } else {
        xmlNodePtr s = section(&p, body, "test-metrics", "Test metrics");
        add(&p, s, "p", "No test statistics: the evaluated split was empty or not saved.");
    }
    section_learning(&p, body, in);
    if (feat)
        section_gallery(&p, body, in, &cl);
    xmlNodePtr foot = add(&p, body, "footer", NULL);
    add(&p, foot, "p",
        "Numbers shown rounded carry their exact value (as written in the JSON files) in a "
        "tooltip. Ludwig's 'accuracy' is the macro average of per-class recall; "
        "'accuracy_micro' is the share of rows predicted correctly.");
    char *js = rep_data_uri("data:text/javascript;base64,", (const unsigned char *)SORT_JS,
                            strlen(SORT_JS));
    if (js) {
        xmlNodePtr sc = add(&p, body, "script", "");
        prop(&p, sc, "src", js);
        free(js);
    } else {
        p.oom = 1;
    }
    free(cm);
    if (cl.own) {
        free((void *)cl.name);
        free(cl.own);
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
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        xmlFree(mem);
        return lc_error_set(e, LC_ERR_IO, "%s: cannot write the report: %m", path);
    }
    int bad = fwrite(mem, 1, (size_t)size, f) != (size_t)size;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    xmlFree(mem);
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return lc_error_set(e, LC_ERR_IO, "%s: cannot write the report (disk full?)", path);
    }
    return LC_OK;
}
