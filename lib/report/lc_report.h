/* lc_report.h - ludwig_experiment_report.html: one self-contained page (no external request)
 * built with libxml2's tree API, so every label and file name is escaped. In reading order: run
 * summary, the combined loss (test value and learning curve), then one section per output feature
 * in config order, titled with its name and type:
 *   category: test metrics, per-class statistics, confusion matrix (counts and row-normalised),
 *     confusion-matrix entropy, F1 vs frequency, learning curves, the most confidently wrong rows
 *     (with images when the first input is an image);
 *   binary: test metrics, confusion matrix, ROC and precision-recall curves (test statistics),
 *     calibration in 10 bins and accuracy / precision / recall / F1 at thresholds 0.1..0.9 (from
 *     the rows), learning curves;
 *   number: MAE / RMSE / R2 and the test metrics, predicted vs true and residuals (scatter, at most
 *     2000 rows) and a residual histogram (from the rows, in the column's units), learning curves.
 * A k-fold run's page has the summary and a cross-validation section instead: per output, each
 * metric per fold with the mean and spread over the folds. Charts are SVG drawn here.
 *
 * Every number comes from the JSON trees the experiment wrote (test_statistics.json,
 * training_statistics.json) or from the per-row arrays below; nothing is recomputed differently
 * from what those files say. The page is readable when Galaxy's sanitizer (sanitize_all_html)
 * strips what it does not allow: tables, numbers and headings survive; styling, the sort script
 * and the images do not. */
#ifndef LC_REPORT_H
#define LC_REPORT_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "lc_error.h"

/* The kinds of output feature the report has sections for. */
typedef enum lc_report_kind {
    LC_REPORT_CATEGORY = 0,
    LC_REPORT_BINARY,
    LC_REPORT_NUMBER,
    LC_REPORT_SET,
    LC_REPORT_VECTOR,
    LC_REPORT_TIMESERIES
} lc_report_kind;

/* One output feature as the report shows it. Arrays are borrowed (n_eval rows of the info). */
typedef struct lc_report_output {
    const char *name;
    lc_report_kind type;
    /* category: the vocabulary in index order (may be NULL: classes then come from the stats) */
    int nclasses;
    const char *const *class_names; /* (nclasses) idx2str */
    const int64_t *class_freq;      /* (nclasses) str2freq, frequency over the whole dataset */
    /* binary */
    const char *bool_names[2];      /* the false and the true label (bool2str), or NULL */
    double threshold;               /* the feature's decision threshold */
    /* number */
    const char *normalization;      /* Ludwig's name of the normalisation, NULL when none */
    /* evaluated rows (NULL when there are none) */
    const int32_t *labels;          /* category: (n_eval) true class index */
    const int32_t *preds;           /* category: (n_eval) predicted class index */
    const float *probs;             /* category: (n_eval, nclasses); binary: (n_eval) P(true) */
    const float *targets;           /* binary: (n_eval) 0/1; number: (n_eval) column units */
    const float *predictions;       /* number: (n_eval) in column units, as the predictions CSV */
    const char *calibration;        /* binary, category: how the probabilities were calibrated
                                     * (one sentence), or NULL */
    /* set: per label (nclasses) over the evaluated rows: rows holding it, rows predicted to
     * (probability at least the threshold), rows both (NULL when there are no rows) */
    const int64_t *set_support, *set_predicted, *set_hits;
    /* vector, timeseries: the evaluated rows' predicted and true values (n_eval, nclasses) */
    const float *vec_pred, *vec_true;
} lc_report_output;

/* One input feature as the report shows it: text, set and bag inputs with their vocabulary's
 * most frequent tokens and the tokens per row (arrays owned by the info). */
enum { LC_REPORT_TOP_TOKENS = 20 };
typedef struct lc_report_input {
    const char *name;
    const char *type;               /* Ludwig's type name */
    int vocab_size;                 /* 0: not a token type (nothing more is shown) */
    int ntop;                       /* the most frequent tokens, special symbols left out */
    const char *top[LC_REPORT_TOP_TOKENS];
    int64_t top_count[LC_REPORT_TOP_TOKENS];
    int width;                      /* text: max_sequence_length (with <SOS> and <EOS>) */
    size_t nrows;
    double *tokens_per_row;         /* (nrows) as the model sees them (text: cut to width - 2) */
} lc_report_input;

typedef struct lc_report_info {
    const char *title;            /* "Ludwig Experiment" */
    const char *input_feature;    /* e.g. "image_path" (may be NULL) */
    const char *eval_split;       /* split the test statistics describe, e.g. "test" */
    const cJSON *test_stats;      /* test_statistics.json content (may be NULL) */
    const cJSON *train_stats;     /* training_statistics.json content (may be NULL) */
    const cJSON *summary;         /* flat object of run facts (rows, epochs, seed, ...) */
    int best_epoch;               /* 1-based epoch of the kept model, 0 when unknown */
    /* kfold_training_statistics.json of a k-fold run (then test_stats, train_stats and the
     * outputs are NULL / 0): a cross-validation section, one table per output (and combined)
     * of each metric per fold with its mean and spread */
    const cJSON *kfold;
    /* hyperopt_statistics.json of a hyperopt run (then the outputs are 0): a section with the
     * trials best first, each parameter against the metric score and, with two parameters or
     * more, the mean score over each pair of parameters' values (Ludwig's hyperopt_report
     * views); with hyperopt_svg_dir, each chart is also written there as
     * hyperopt_<parameter>.svg and hyperopt_pair_plot.svg */
    const cJSON *hyperopt;
    const char *const *hyperopt_trial_ids; /* (trials) in the statistics' order */
    int hyperopt_nparams;
    const char *const *hyperopt_params;    /* (nparams) names in the config's order */
    const char *hyperopt_svg_dir;

    /* The output features in config order. */
    int nout;
    const lc_report_output *outputs; /* (nout) */

    /* Evaluation rows (n_eval may be 0), shared by the outputs. */
    size_t n_eval;
    const int32_t *eval_rows;     /* (n_eval) dataset row of each evaluated item */
    const long *row_lines;        /* (dataset rows) source line of each row, or NULL */
    const unsigned char *images;  /* (dataset rows, C, H, W) decoded pixels, or NULL */
    int C, H, W;

    /* The input features in config order (may be 0). */
    int nin;
    lc_report_input *inputs;

    /* What lc_report_fill allocated (the outputs, denormalised values); fill_failed: it ran out
     * of memory (lc_report_write then fails with LC_ERR_NOMEM). */
    void *owned;
    int fill_failed;
} lc_report_info;

/* Writes path atomically (temporary name, then rename). */
lc_status lc_report_write(const char *path, const lc_report_info *info, lc_error *e);

/* Frees what lc_report_fill allocated into info (outputs included); the caller calls it after
 * writing; safe to call twice. */
void lc_report_release(lc_report_info *info);

#endif
