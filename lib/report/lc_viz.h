/* lc_viz.h - Ludwig 0.10.3's `ludwig visualize` figures from statistics files (viz.c): each
 * function adds SVG figures named as Ludwig names their files (without the extension) and
 * returns how many it drew (0: the statistics hold nothing it draws). Out of memory sets
 * figs->oom. The trees are borrowed. */
#ifndef LC_VIZ_H
#define LC_VIZ_H

#include <cJSON.h>
#include <stddef.h>

typedef struct lc_figs {
    int n, cap, oom;
    char **name; /* (n) file stems, e.g. learning_curves_label_loss */
    char **svg;  /* (n) SVG documents */
} lc_figs;

void lc_figs_free(lc_figs *f);

/* Adds svg (taken; NULL marks out of memory) as the figure named by fmt (printf-style): a
 * figure of the same name replaces the earlier one, as a second savefig to the same file does.
 * Returns 1 when added, 0 (f->oom set) when memory ran out. */
int lc_figs_add(lc_figs *f, char *svg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The statistics of one or more models (training_statistics.json or test_statistics.json
 * trees) and their names (may be fewer than n, or NULL: Ludwig's "" then). */
typedef struct lc_viz_models {
    const cJSON *const *stats;
    int n;
    const char *const *names;
    int nnames;
} lc_viz_models;

/* only: one output feature's name, or NULL for every one (and combined). top_n: Ludwig's
 * top_n_classes (0 = all classes). meta: training_set_metadata.json's tree. */
int lc_viz_learning_curves(lc_figs *f, const lc_viz_models *m, const char *only);
int lc_viz_compare_performance(lc_figs *f, const lc_viz_models *m, const char *only);
int lc_viz_confusion_matrix(lc_figs *f, const lc_viz_models *m, const cJSON *meta,
                            const char *only, const int *top_n, int ntop, int normalize);
int lc_viz_frequency_vs_f1(lc_figs *f, const lc_viz_models *m, const cJSON *meta,
                           const char *only, int top_k);
int lc_viz_multiclass_multimetric(lc_figs *f, const lc_viz_models *m, const cJSON *meta,
                                  const char *only, const int *top_n, int ntop);
/* feature: a binary output with roc_curve / precision_recall_curve in its test statistics */
int lc_viz_roc_from_test_statistics(lc_figs *f, const lc_viz_models *m, const char *feature);
int lc_viz_pr_from_test_statistics(lc_figs *f, const lc_viz_models *m, const char *feature);
/* hyperopt_statistics.json's tree: hyperopt_<parameter> for each parameter of
 * hyperopt_config.parameters (in the file's order) and, with two or more, hyperopt_pair_plot */
int lc_viz_hyperopt_report(lc_figs *f, const cJSON *stats);

/* A figure as a one-page PDF (vector, PDF base fonts); NULL on failure. */
unsigned char *lc_viz_pdf(const char *svg, size_t *len);
/* A figure as a PNG (twice its size, anti-aliased, DejaVu Sans read from the system); NULL on
 * failure with the reason in err (e.g. the fonts are not installed). */
unsigned char *lc_viz_png(const char *svg, size_t *len, char *err, size_t errlen);

#endif
