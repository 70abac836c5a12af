/* visualize.c - `ludwig visualize` for the views drawn from statistics files (learning curves,
 * test-statistics comparisons, confusion matrices, F1 against frequency, ROC and precision-recall
 * curves from the test statistics, per-class metrics, hyperopt reports): reads the files the
 * options name, checks that they hold what the view needs, and writes each figure lc_viz draws
 * as <output_directory>/<Ludwig's file name>.<pdf|svg>. The views that need per-row
 * predictions or probabilities (--predictions, --probabilities, --ground_truth) are refused with
 * a message naming them. */
#include "ludwig_c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_fs.h"
#include "lc_json.h"
#include "lc_viz.h"

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

/* Ludwig's views that need the rows' predictions or probabilities. */
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

static void view_list(char *buf, size_t n)
{
    size_t k = 0;
    for (int i = 0; i < NVIEWS && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", views[i].name);
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

static lc_status write_fig(const char *dir, const char *name, const char *svg, int pdf,
                           lc_error *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, pdf ? "pdf" : "svg");
    unsigned char *data = NULL;
    size_t len = 0;
    if (pdf) {
        if (!(data = lc_viz_pdf(svg, &len)))
            return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory drawing the PDF", path);
    }
    lc_afile a;
    lc_status st = lc_afile_open(&a, path, e);
    if (!st)
        st = lc_afile_commit(&a, pdf ? fwrite(data, 1, len, a.f) != len : fputs(svg, a.f) < 0,
                             "a figure", e);
    free(data);
    return st;
}

lc_status lc_visualize(const lc_visualize_opts *o, FILE *names, lc_error *e)
{
    char list[1024];
    if (!o->visualization) {
        view_list(list, sizeof list);
        return lc_error_set(e, LC_ERR_USAGE, "--visualization is required: one of %s", list);
    }
    int v = -1;
    for (int i = 0; i < NVIEWS; i++)
        if (strcmp(views[i].name, o->visualization) == 0)
            v = i;
    if (v < 0) {
        for (int i = 0; row_views[i]; i++)
            if (strcmp(row_views[i], o->visualization) == 0) {
                view_list(list, sizeof list);
                return lc_error_set(e, LC_ERR_USAGE, "--visualization %s draws from per-row predictions or probabilities (or needs hiplot), which ludwig-c's visualize does not read yet; it draws %s", o->visualization, list);
            }
        view_list(list, sizeof list);
        return lc_error_set(e, LC_ERR_USAGE, "--visualization '%s' is not one of Ludwig's visualizations; ludwig-c draws %s", o->visualization, list);
    }
    const char *fmt = o->file_format ? o->file_format : "pdf";
    int pdf = strcmp(fmt, "pdf") == 0;
    if (!pdf && strcmp(fmt, "svg") != 0)
        return lc_error_set(e, LC_ERR_USAGE, "--file_format '%s': ludwig-c writes pdf (Ludwig's default) or svg", fmt);
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
            [V_CM] = "a confusion_matrix (category and binary outputs)",
            [V_F1] = "per_class_stats with the metadata's idx2str and str2freq (category outputs)",
            [V_ROC] = "a roc_curve", [V_PR] = "a precision_recall_curve",
            [V_MULTI] = "per_class_stats with the metadata's idx2str (category outputs)",
            [V_HYPEROPT] = "trials and parameters"};
        st = lc_error_set(e, LC_ERR_DATA, "%s: nothing to draw: the statistics hold no %s%s%s",
                          views[v].id == V_HYPEROPT ? o->hyperopt_stats_path : first, needs[views[v].id],
                          o->output_feature_name ? " for output feature " : "",
                          o->output_feature_name ? o->output_feature_name : "");
    }
    if (!st)
        st = lc_mkdir_p(o->output_directory, e);
    for (int i = 0; !st && i < figs.n; i++) {
        st = write_fig(o->output_directory, figs.name[i], figs.svg[i], pdf, e);
        if (!st && names)
            fprintf(names, "%s/%s.%s\n", o->output_directory, figs.name[i], fmt);
    }
    lc_figs_free(&figs);
    for (int i = 0; stats && i < nstats; i++)
        cJSON_Delete(stats[i]);
    free(stats);
    cJSON_Delete(meta);
    cJSON_Delete(hs);
    return st;
}
