/* visualize.c - `ludwig visualize`: reads the files the options name, checks that they hold what
 * the view needs, and writes each figure lc_viz / lc_viz_rows draws as
 * <output_directory>/<Ludwig's file name>.<pdf|svg>.
 *   statistics views (learning curves, test-statistics comparisons, confusion matrices, F1
 *     against frequency, curves from the test statistics, per-class metrics, hyperopt reports)
 *     read training_statistics.json / test_statistics.json / hyperopt_statistics.json;
 *   row views (calibration, confidence thresholding, classifier comparisons, ROC and
 *     precision-recall from probabilities, threshold vs metric) read each model's
 *     predictions_parquet.csv (the <feature>_probabilities and <feature>_predictions columns) and
 *     the ground truth: the dataset's output column, the rows of --ground_truth_split where it
 *     has a split column (or --split_file gives one), each value mapped to its class by the
 *     metadata (str2idx; a binary output's str2bool or bool2str, else a conventional boolean).
 * Parquet files are refused (ludwig-c writes the same table as CSV); hyperopt_hiplot (an
 * HTML page of the hiplot package) is refused. */
#include "ludwig_c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_fs.h"
#include "lc_json.h"
#include "lc_prep_tab.h"
#include "lc_table.h"
#include "lc_viz.h"
#include "lc_viz_rows.h"

typedef enum { V_LEARNING, V_COMPARE, V_CM, V_F1, V_ROC, V_PR, V_MULTI, V_HYPEROPT } vid;

static const struct {
    const char *name;
    vid id;
} views[] = {
    {"learning_curves", V_LEARNING},
    {"compare_performance", V_COMPARE},
    {"confusion_matrix", V_CM},
    {"frequency_vs_f1", V_F1},
    {"roc_curves_from_test_statistics", V_ROC},
    {"precision_recall_curves_from_test_statistics", V_PR},
    {"compare_classifiers_multiclass_multimetric", V_MULTI},
    {"hyperopt_report", V_HYPEROPT},
};
#define NVIEWS ((int)(sizeof views / sizeof *views))

/* Ludwig's views not drawn here when lc_viz_rows does not draw them. */
static const char *const row_views[] = {
    "compare_classifiers_performance_from_prob", "compare_classifiers_performance_from_pred",
    "compare_classifiers_performance_subset", "compare_classifiers_performance_changing_k",
    "compare_classifiers_predictions", "compare_classifiers_predictions_distribution",
    "confidence_thresholding", "confidence_thresholding_data_vs_acc",
    "confidence_thresholding_data_vs_acc_subset",
    "confidence_thresholding_data_vs_acc_subset_per_class",
    "confidence_thresholding_2thresholds_2d", "confidence_thresholding_2thresholds_3d",
    "binary_threshold_vs_metric", "roc_curves", "precision_recall_curves",
    "calibration_1_vs_all", "calibration_multiclass", "hyperopt_hiplot", NULL};

/* ---- the views drawn from rows ---- */

/* The probabilities written in a predictions CSV cell: "[p0, p1, ...]" with C numbers. */
static int parse_probs(const char *s, int C, float *out)
{
    const char *p = strchr(s, '[');
    if (!p)
        return 0;
    p++;
    for (int c = 0; c < C; c++) {
        char *end;
        double v = strtod(p, &end);
        if (end == p)
            return 0;
        out[c] = (float)v;
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return *p == ']';
}

typedef struct rows_buf {
    lc_viz_rows r;
    int32_t *truth;
    float **probs;
    int32_t **preds;
    const char **names; /* (C) class names, borrowed from the metadata */
    int nm;
} rows_buf;

static void rows_free(rows_buf *b)
{
    for (int i = 0; i < b->nm; i++) {
        if (b->probs)
            free(b->probs[i]);
        if (b->preds)
            free(b->preds[i]);
    }
    free(b->probs);
    free(b->preds);
    free(b->truth);
    free(b->names);
    memset(b, 0, sizeof *b);
}

/* A class's index: category str2idx; binary str2bool (or a conventional boolean). -1: none. */
static int class_index(const cJSON *fm, int binary, const char *v)
{
    if (!binary) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(fm, "str2idx"), v);
        return cJSON_IsNumber(x) ? (int)x->valuedouble : -1;
    }
    const cJSON *s2b = cJSON_GetObjectItemCaseSensitive(fm, "str2bool");
    const cJSON *x = s2b ? cJSON_GetObjectItemCaseSensitive(s2b, v) : NULL;
    if (x)
        return cJSON_IsTrue(x) || (cJSON_IsNumber(x) && x->valuedouble != 0);
    const cJSON *b2s = cJSON_GetObjectItemCaseSensitive(fm, "bool2str");
    for (int k = 0; k < cJSON_GetArraySize(b2s) && k < 2; k++)
        if (cJSON_IsString(cJSON_GetArrayItem(b2s, k)) && strcmp(cJSON_GetArrayItem(b2s, k)->valuestring, v) == 0)
            return k;
    int b;
    return lc_binary_str2bool(v, NULL, &b) == 0 ? b : -1;
}

/* The ground truth's rows of ground_truth_split (or all rows), as class indices. */
static lc_status load_truth(const lc_visualize_opts *o, const cJSON *fm, int binary,
                            const char *feature, int32_t **out, int *n_out, lc_error *e)
{
    lc_table *t = NULL;
    lc_status st = lc_table_read(o->ground_truth, LC_TABLE_AUTO, &t, e);
    if (st)
        return st;
    int col = lc_table_col(t, feature), sc = lc_table_col(t, "split");
    size_t n = lc_table_nrows(t);
    lc_table *sf = NULL;
    if (col < 0) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: no column '%s' (the output feature's ground truth)", o->ground_truth, feature);
    } else if (sc < 0 && o->split_file) {
        if ((st = lc_table_read(o->split_file, LC_TABLE_AUTO, &sf, e)) == LC_OK && lc_table_nrows(sf) != n)
            st = lc_error_set(e, LC_ERR_DATA, "%s: %zu split values for the %zu rows of %s", o->split_file, lc_table_nrows(sf), n, o->ground_truth);
    }
    int32_t *tr = st ? NULL : malloc((n ? n : 1) * sizeof *tr);
    if (!st && !tr)
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    int k = 0;
    for (size_t i = 0; !st && i < n; i++) {
        const char *sv = sc >= 0 ? lc_table_cell(t, i, sc) : sf ? lc_table_cell(sf, i, 0) : NULL;
        if (sv && strtol(sv, NULL, 10) != o->ground_truth_split)
            continue;
        const char *v = lc_table_cell(t, i, col);
        int c = class_index(fm, binary, v);
        if (c < 0)
            st = lc_error_set(e, LC_ERR_DATA, "%s:%ld: '%s' is not a class of output feature '%s' in the model's metadata", o->ground_truth, lc_table_row_line(t, i), v, feature);
        else
            tr[k++] = c;
    }
    lc_table_free(t);
    lc_table_free(sf);
    if (st) {
        free(tr);
        return st;
    }
    *out = tr;
    *n_out = k;
    return LC_OK;
}

/* One model's predictions file: the probabilities and predicted classes of each row. */
static lc_status load_predictions(const char *path, const cJSON *fm, int binary, const char *feature,
                                  int C, int n, float **probs, int32_t **preds, lc_error *e)
{
    size_t pl = strlen(path);
    if (pl > 8 && strcmp(path + pl - 8, ".parquet") == 0)
        return lc_error_set(e, LC_ERR_USAGE, "%s: Parquet files are not read by ludwig-c; give predictions_parquet.csv, the same table as CSV (written by ludwig-c experiment, predict and evaluate, and by upstream's Galaxy tools)", path);
    lc_table *t = NULL;
    lc_status st = lc_table_read(path, LC_TABLE_AUTO, &t, e);
    if (st)
        return st;
    char pc[512], dc[512];
    snprintf(pc, sizeof pc, "%s_probabilities", feature);
    snprintf(dc, sizeof dc, "%s_predictions", feature);
    int pcol = lc_table_col(t, pc), dcol = lc_table_col(t, dc);
    if (pcol < 0 || dcol < 0)
        st = lc_error_set(e, LC_ERR_DATA, "%s: no column %s (a predictions file of output feature '%s' has %s and %s)", path, pcol < 0 ? pc : dc, feature, pc, dc);
    else if ((int)lc_table_nrows(t) != n)
        st = lc_error_set(e, LC_ERR_DATA, "%s: %zu predictions for %d ground-truth rows: predict the same rows (e.g. ludwig-c predict --split test on the dataset, or --split full with --ground_truth_split matching no split column)", path, lc_table_nrows(t), n);
    float *p = st ? NULL : malloc((size_t)(n ? n : 1) * C * sizeof *p);
    int32_t *d = st ? NULL : malloc((size_t)(n ? n : 1) * sizeof *d);
    if (!st && (!p || !d))
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    for (int i = 0; !st && i < n; i++) {
        if (!parse_probs(lc_table_cell(t, (size_t)i, pcol), C, p + (size_t)i * C))
            st = lc_error_set(e, LC_ERR_DATA, "%s:%ld: %s is not a list of %d probabilities", path, lc_table_row_line(t, (size_t)i), pc, C);
        else if ((d[i] = class_index(fm, binary, lc_table_cell(t, (size_t)i, dcol))) < 0)
            st = lc_error_set(e, LC_ERR_DATA, "%s:%ld: %s '%s' is not a class of the model's metadata", path, lc_table_row_line(t, (size_t)i), dc, lc_table_cell(t, (size_t)i, dcol));
    }
    lc_table_free(t);
    if (st) {
        free(p);
        free(d);
        return st;
    }
    *probs = p;
    *preds = d;
    return LC_OK;
}

static lc_status load_rows(const lc_visualize_opts *o, const cJSON *meta, const char *feature,
                           rows_buf *b, lc_error *e)
{
    const cJSON *fm = cJSON_GetObjectItemCaseSensitive(meta, feature);
    if (!fm)
        return lc_error_set(e, LC_ERR_USAGE, "%s: no output feature '%s' in the metadata", o->ground_truth_metadata, feature);
    const cJSON *i2s = cJSON_GetObjectItemCaseSensitive(fm, "idx2str");
    int binary = !i2s;
    int C = binary ? 2 : cJSON_GetArraySize(i2s);
    const char *const *files = o->n_probabilities ? o->probabilities : o->predictions;
    int nm = o->n_probabilities ? o->n_probabilities : o->n_predictions;
    b->nm = nm;
    b->probs = calloc((size_t)nm, sizeof *b->probs);
    b->preds = calloc((size_t)nm, sizeof *b->preds);
    b->names = calloc((size_t)C, sizeof *b->names);
    if (!b->probs || !b->preds || !b->names)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    static const char *const bool_names[2] = {"False", "True"};
    const cJSON *b2s = cJSON_GetObjectItemCaseSensitive(fm, "bool2str");
    for (int c = 0; c < C; c++) {
        const cJSON *x = cJSON_GetArrayItem(binary ? b2s : i2s, c);
        b->names[c] = cJSON_IsString(x) ? x->valuestring : binary ? bool_names[c] : "?";
    }
    int n = 0;
    lc_status st = load_truth(o, fm, binary, feature, &b->truth, &n, e);
    for (int i = 0; !st && i < nm; i++)
        st = load_predictions(files[i], fm, binary, feature, C, n, &b->probs[i], &b->preds[i], e);
    if (st)
        return st;
    b->r = (lc_viz_rows){.feature = feature, .n = n, .C = C, .binary = binary, .truth = b->truth, .nmodels = nm,
                         .probs = (const float *const *)b->probs,
                         .preds = (const int32_t *const *)b->preds, .class_names = b->names,
                         .model_names = o->model_names, .nnames = o->n_model_names};
    return LC_OK;
}

static void view_list(char *buf, size_t n)
{
    size_t k = 0;
    for (int i = 0; i < NVIEWS && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", views[i].name);
    for (const char *const *rv = lc_viz_rows_views(); *rv && k < n; rv++)
        k += (size_t)snprintf(buf + k, n - k, ", %s", *rv);
}

static lc_status read_all(const char *const *paths, int n, const char *opt, cJSON **out,
                          lc_error *e)
{
    if (n <= 0)
        return lc_error_set(e, LC_ERR_USAGE, "this visualization needs --%s (one file per model)", opt);
    for (int i = 0; i < n; i++)
        if (!(out[i] = lc_json_read_file(paths[i], e)))
            return e->status ? e->status : LC_ERR_IO;
    return LC_OK;
}

/* The only binary-curve feature of the first model, when no feature was named. */
static const char *curve_feature(const cJSON *stats, const char *key, const char *named,
                                 const char *path, lc_error *e)
{
    if (named) {
        if (!cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(stats, named), key)) {
            lc_error_set(e, LC_ERR_DATA, "%s: output feature '%s' has no %s (a binary output's test statistics hold it)", path, named, key);
            return NULL;
        }
        return named;
    }
    const char *found = NULL;
    int n = 0;
    for (const cJSON *f = stats ? stats->child : NULL; f; f = f->next)
        if (cJSON_GetObjectItemCaseSensitive(f, key))
            found = f->string, n++;
    if (n == 1)
        return found;
    if (n)
        lc_error_set(e, LC_ERR_USAGE, "%s: %d output features have a %s: name one with --output_feature_name", path, n, key);
    else
        lc_error_set(e, LC_ERR_DATA, "%s: no output feature has a %s (the test statistics of a binary output hold it)", path, key);
    return NULL;
}

/* One figure as dir/<name>.<fmt> (fmt: svg, pdf or png), written atomically. */
static lc_status write_fig(const char *dir, const char *name, const char *svg, const char *fmt,
                           lc_error *e)
{
    char path[4096];
    int k = snprintf(path, sizeof path, "%s/", dir);
    /* a class or model name in a file name: '/' would leave the directory */
    for (const char *c = name; *c && k < (int)sizeof path - 8; c++)
        path[k++] = *c == '/' ? '_' : *c;
    snprintf(path + k, sizeof path - (size_t)k, ".%s", fmt);
    unsigned char *data = NULL;
    size_t len = 0;
    char why[256] = "";
    if (strcmp(fmt, "pdf") == 0 && !(data = lc_viz_pdf(svg, &len)))
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory drawing the PDF", path);
    if (strcmp(fmt, "png") == 0 && !(data = lc_viz_png(svg, &len, why, sizeof why)))
        return lc_error_set(e, LC_ERR_DATA, "%s: %s", path, why[0] ? why : "cannot draw the PNG");
    lc_afile a;
    lc_status st = lc_afile_open(&a, path, e);
    if (!st)
        st = lc_afile_commit(&a, data ? fwrite(data, 1, len, a.f) != len : fputs(svg, a.f) < 0,
                             "a figure", e);
    free(data);
    return st;
}

/* Every figure as dir/<name>.<fmt>, each file named on names (when non-NULL) once written. */
static lc_status write_figs(const lc_figs *figs, const char *dir, const char *fmt, FILE *names,
                            lc_error *e)
{
    lc_status st = lc_mkdir_p(dir, e);
    for (int i = 0; !st && i < figs->n; i++) {
        st = write_fig(dir, figs->name[i], figs->svg[i], fmt, e);
        if (!st && names) {
            fprintf(names, "%s/", dir);
            for (const char *c = figs->name[i]; *c; c++)
                fputc(*c == '/' ? '_' : *c, names);
            fprintf(names, ".%s\n", fmt);
        }
    }
    return st;
}

static lc_status write_figs(const lc_figs *figs, const char *dir, const char *fmt, FILE *names,
                            lc_error *e);

/* The views drawn from rows: the predictions of each model against the ground truth. */
static lc_status visualize_rows(const lc_visualize_opts *o, FILE *names, lc_error *e)
{
    const char *fmt = o->file_format ? o->file_format : "pdf";
    if (strcmp(fmt, "pdf") != 0 && strcmp(fmt, "png") != 0 && strcmp(fmt, "svg") != 0)
        return lc_error_set(e, LC_ERR_USAGE, "--file_format '%s': ludwig-c writes pdf (Ludwig's default), png or svg", fmt);
    if (!o->output_directory)
        return lc_error_set(e, LC_ERR_USAGE, "--output_directory is required (where the figures are written)");
    int two = strncmp(o->visualization, "confidence_thresholding_2thresholds", 35) == 0;
    if (!o->n_probabilities && !o->n_predictions)
        return lc_error_set(e, LC_ERR_USAGE, "%s needs --probabilities (or --predictions): the predictions_parquet.csv of each model", o->visualization);
    if (!o->ground_truth)
        return lc_error_set(e, LC_ERR_USAGE, "%s needs --ground_truth: the dataset holding the output column", o->visualization);
    if (!o->ground_truth_metadata)
        return lc_error_set(e, LC_ERR_USAGE, "%s needs --ground_truth_metadata: the model's training_set_metadata.json (the classes)", o->visualization);
    if (two && o->n_threshold_output_feature_names != 2)
        return lc_error_set(e, LC_ERR_USAGE, "%s needs --threshold_output_feature_names with two output features", o->visualization);
    if (!two && !o->output_feature_name)
        return lc_error_set(e, LC_ERR_USAGE, "%s needs --output_feature_name", o->visualization);
    cJSON *meta = lc_json_read_file(o->ground_truth_metadata, e);
    if (!meta)
        return e->status ? e->status : LC_ERR_IO;
    rows_buf b1 = {0}, b2 = {0};
    lc_figs figs = {0};
    lc_status st = load_rows(o, meta, two ? o->threshold_output_feature_names[0] : o->output_feature_name, &b1, e);
    if (!st && two)
        st = load_rows(o, meta, o->threshold_output_feature_names[1], &b2, e);
    if (!st) {
        lc_viz_row_opts ro;
        lc_viz_row_opts_default(&ro);
        if (o->top_n_classes && o->n_top_n_classes)
            ro.top_n_classes = o->top_n_classes, ro.ntop = o->n_top_n_classes;
        if (o->top_k)
            ro.top_k = o->top_k;
        ro.labels_limit = o->labels_limit;
        if (o->subset)
            ro.subset = o->subset;
        if (o->n_metrics)
            ro.metrics = o->metrics, ro.nmetrics = o->n_metrics;
        if (o->positive_label)
            ro.positive_label = o->positive_label;
        if (!o->n_probabilities)
            b1.r.probs = NULL, b2.r.probs = NULL;
        int made = lc_viz_rows_view(&figs, o->visualization, &b1.r, two ? &b2.r : NULL, &ro);
        if (figs.oom)
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory drawing the figures");
        else if (made <= 0)
            st = lc_error_set(e, LC_ERR_DATA, "%s: nothing to draw for output feature '%s' from these predictions (e.g. two models are needed to compare, or the subset is empty)", o->visualization, b1.r.feature);
    }
    if (!st)
        st = write_figs(&figs, o->output_directory, fmt, names, e);
    lc_figs_free(&figs);
    rows_free(&b1);
    rows_free(&b2);
    cJSON_Delete(meta);
    return st;
}

lc_status lc_visualize(const lc_visualize_opts *o, FILE *names, lc_error *e)
{
    char list[2048];
    if (!o->visualization) {
        view_list(list, sizeof list);
        return lc_error_set(e, LC_ERR_USAGE, "--visualization is required: one of %s", list);
    }
    int v = -1;
    for (int i = 0; i < NVIEWS; i++)
        if (strcmp(views[i].name, o->visualization) == 0)
            v = i;
    for (const char *const *rv = lc_viz_rows_views(); v < 0 && *rv; rv++)
        if (strcmp(*rv, o->visualization) == 0)
            return visualize_rows(o, names, e);
    if (v < 0) {
        for (int i = 0; row_views[i]; i++)
            if (strcmp(row_views[i], o->visualization) == 0) {
                view_list(list, sizeof list);
                return lc_error_set(e, LC_ERR_USAGE, "--visualization %s is not drawn by ludwig-c (hyperopt_hiplot is an HTML page of the hiplot package); it draws %s", o->visualization, list);
            }
        view_list(list, sizeof list);
        return lc_error_set(e, LC_ERR_USAGE, "--visualization '%s' is not one of Ludwig's visualizations; ludwig-c draws %s", o->visualization, list);
    }
    const char *fmt = o->file_format ? o->file_format : "pdf";
    if (strcmp(fmt, "pdf") != 0 && strcmp(fmt, "png") != 0 && strcmp(fmt, "svg") != 0)
        return lc_error_set(e, LC_ERR_USAGE, "--file_format '%s': ludwig-c writes pdf (Ludwig's default), png or svg", fmt);
    if (!o->output_directory)
        return lc_error_set(e, LC_ERR_USAGE, "--output_directory is required (where the figures are written)");
    static const int all_classes[1] = {0};
    const int *top = o->top_n_classes && o->n_top_n_classes ? o->top_n_classes : all_classes;
    int ntop = o->top_n_classes && o->n_top_n_classes ? o->n_top_n_classes : 1;
    int nstats = views[v].id == V_LEARNING ? o->n_training_statistics : o->n_test_statistics;
    cJSON **stats = calloc((size_t)(nstats > 0 ? nstats : 1), sizeof *stats);
    cJSON *meta = NULL, *hs = NULL;
    lc_figs figs = {0};
    lc_status st = stats ? LC_OK : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_viz_models m = {.stats = (const cJSON *const *)stats, .n = nstats,
                       .names = o->model_names, .nnames = o->n_model_names};
    const char *first = NULL;
    if (!st && views[v].id == V_HYPEROPT) {
        if (!o->hyperopt_stats_path)
            st = lc_error_set(e, LC_ERR_USAGE, "hyperopt_report needs --hyperopt_stats_path (a hyperopt_statistics.json)");
        else if ((hs = lc_json_read_file(o->hyperopt_stats_path, e)) == NULL)
            st = e->status ? e->status : LC_ERR_IO;
        else if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(hs, "hyperopt_config")) ||
                 !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(hs, "hyperopt_results")))
            st = lc_error_set(e, LC_ERR_DATA, "%s: not a hyperopt_statistics.json (no hyperopt_config and hyperopt_results)", o->hyperopt_stats_path);
    } else if (!st) {
        if (views[v].id == V_LEARNING)
            st = read_all(o->training_statistics, o->n_training_statistics, "training_statistics", stats, e);
        else
            st = read_all(o->test_statistics, o->n_test_statistics, "test_statistics", stats, e);
        first = views[v].id == V_LEARNING ? o->training_statistics[0] : o->test_statistics[0];
        if (!st && (views[v].id == V_F1 || views[v].id == V_MULTI) && !o->ground_truth_metadata)
            st = lc_error_set(e, LC_ERR_USAGE, "%s needs --ground_truth_metadata (the model's training_set_metadata.json: class names and frequencies)", views[v].name);
        if (!st && o->ground_truth_metadata && !(meta = lc_json_read_file(o->ground_truth_metadata, e)))
            st = e->status ? e->status : LC_ERR_IO;
        for (int i = 0; !st && i < nstats; i++) {
            const char *path = views[v].id == V_LEARNING ? o->training_statistics[i] : o->test_statistics[i];
            const cJSON *probe = views[v].id == V_LEARNING ? cJSON_GetObjectItemCaseSensitive(stats[i], "training") : stats[i];
            if (!cJSON_IsObject(probe))
                st = lc_error_set(e, LC_ERR_DATA, "%s: not a %s (no output features)", path, views[v].id == V_LEARNING ? "training_statistics.json" : "test_statistics.json");
            else if (o->output_feature_name && !cJSON_GetObjectItemCaseSensitive(probe, o->output_feature_name))
                st = lc_error_set(e, LC_ERR_USAGE, "%s: no output feature '%s'", path, o->output_feature_name);
        }
    }
    int made = 0;
    if (!st) {
        const char *feat;
        switch (views[v].id) {
        case V_LEARNING: made = lc_viz_learning_curves(&figs, &m, o->output_feature_name); break;
        case V_COMPARE: made = lc_viz_compare_performance(&figs, &m, o->output_feature_name); break;
        case V_CM: made = lc_viz_confusion_matrix(&figs, &m, meta, o->output_feature_name, top, ntop, o->normalize); break;
        case V_F1: made = lc_viz_frequency_vs_f1(&figs, &m, meta, o->output_feature_name, top[0]); break;
        case V_MULTI: made = lc_viz_multiclass_multimetric(&figs, &m, meta, o->output_feature_name, top, ntop); break;
        case V_ROC:
            if ((feat = curve_feature(stats[0], "roc_curve", o->output_feature_name, first, e)))
                made = lc_viz_roc_from_test_statistics(&figs, &m, feat);
            else
                st = e->status;
            break;
        case V_PR:
            if ((feat = curve_feature(stats[0], "precision_recall_curve", o->output_feature_name, first, e)))
                made = lc_viz_pr_from_test_statistics(&figs, &m, feat);
            else
                st = e->status;
            break;
        case V_HYPEROPT: made = lc_viz_hyperopt_report(&figs, hs); break;
        }
    }
    if (!st && figs.oom)
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory drawing the figures");
    if (!st && made == 0) {
        static const char *const needs[] = {
            [V_LEARNING] = "loss, accuracy, hits_at_k or edit_distance per epoch",
            [V_COMPARE] = "a scalar metric other than loss",
            [V_CM] = "confusion_matrix (category and binary outputs)",
            [V_F1] = "per_class_stats with the metadata's idx2str and str2freq (category outputs)",
            [V_ROC] = "a roc_curve", [V_PR] = "a precision_recall_curve",
            [V_MULTI] = "per_class_stats with the metadata's idx2str (category outputs)",
            [V_HYPEROPT] = "trials and parameters"};
        st = lc_error_set(e, LC_ERR_DATA, "%s: nothing to draw: the statistics hold no %s%s%s",
                          views[v].id == V_HYPEROPT ? o->hyperopt_stats_path : first, needs[views[v].id],
                          o->output_feature_name ? " for output feature " : "",
                          o->output_feature_name ? o->output_feature_name : "");
        /* a category output with more classes than a confusion matrix is written for */
        for (const cJSON *f = views[v].id == V_CM && stats ? stats[0]->child : NULL; f; f = f->next) {
            const cJSON *pcs = cJSON_GetObjectItemCaseSensitive(f, "per_class_stats");
            int nc = pcs ? cJSON_GetArraySize(pcs) : 0;
            if (nc > LC_CONFUSION_MATRIX_MAX && !cJSON_GetObjectItemCaseSensitive(f, "confusion_matrix"))
                lc_error_hint(e, "output feature '%s' has %d classes: ludwig-c leaves the confusion matrix out above %d (frequency_vs_f1 and compare_classifiers_multiclass_multimetric draw its per-class statistics)",
                              f->string, nc, LC_CONFUSION_MATRIX_MAX);
        }
    }
    if (!st)
        st = write_figs(&figs, o->output_directory, fmt, names, e);
    lc_figs_free(&figs);
    for (int i = 0; stats && i < nstats; i++)
        cJSON_Delete(stats[i]);
    free(stats);
    cJSON_Delete(meta);
    cJSON_Delete(hs);
    return st;
}
