/* lc_report.h - ludwig_experiment_report.html: one self-contained page (no external request)
 * built with libxml2's tree API, so every label and file name is escaped. Sections, in reading
 * order: run summary, test metrics, per-class statistics, confusion matrix (counts and
 * row-normalised), confusion-matrix entropy, F1 vs frequency, learning curves, and a gallery of
 * the most confidently wrong evaluation images. Charts are SVG drawn here.
 *
 * Every number comes from the JSON trees the experiment wrote (test_statistics.json,
 * training_statistics.json) or from the arrays below (predictions, images, class frequencies);
 * nothing is recomputed differently from what those files say. The page is readable when
 * Galaxy's sanitizer (sanitize_all_html) strips what it does not allow: tables, numbers and
 * headings survive; styling, the sort script and the images do not. */
#ifndef LC_REPORT_H
#define LC_REPORT_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "lc_error.h"

typedef struct lc_report_info {
    const char *title;            /* "Ludwig Experiment" */
    const char *output_feature;   /* e.g. "label" */
    const char *input_feature;    /* e.g. "image_path" (may be NULL) */
    const char *eval_split;       /* split the test statistics describe, e.g. "test" */
    const cJSON *test_stats;      /* test_statistics.json content (may be NULL) */
    const cJSON *train_stats;     /* training_statistics.json content (may be NULL) */
    const cJSON *summary;         /* flat object of run facts (rows, epochs, seed, ...) */
    int best_epoch;               /* 1-based epoch of the kept model, 0 when unknown */

    /* The output vocabulary, in index order (may be NULL: classes then come from the stats). */
    int nclasses;
    const char *const *class_names; /* (nclasses) idx2str */
    const int64_t *class_freq;      /* (nclasses) str2freq, frequency over the whole dataset */

    /* Evaluation rows, for the gallery (n_eval may be 0). */
    size_t n_eval;
    const int32_t *eval_labels;   /* (n_eval) true class index */
    const int32_t *eval_preds;    /* (n_eval) predicted class index */
    const float *eval_probs;      /* (n_eval, nclasses) probabilities */
    const int32_t *eval_rows;     /* (n_eval) dataset row of each evaluated item */
    const long *row_lines;        /* (dataset rows) source line of each row, or NULL */
    const unsigned char *images;  /* (dataset rows, C, H, W) decoded pixels, or NULL */
    int C, H, W;
} lc_report_info;

/* Writes path atomically (temporary name, then rename). */
lc_status lc_report_write(const char *path, const lc_report_info *info, lc_error *e);

#endif
