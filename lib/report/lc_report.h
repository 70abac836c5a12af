/* lc_report.h - ludwig_experiment_report.html: one self-contained page built with libxml2's tree
 * API (so every label and file name is escaped). Reads only the JSON the experiment wrote. */
#ifndef LC_REPORT_H
#define LC_REPORT_H

#include <cJSON.h>

#include "lc_error.h"

typedef struct lc_report_info {
    const char *title;            /* "Ludwig Experiment" */
    const char *output_feature;   /* e.g. "label" */
    const cJSON *test_stats;      /* test_statistics.json content (may be NULL) */
    const cJSON *train_stats;     /* training_statistics.json content */
    const cJSON *summary;         /* flat object of run facts (rows, epochs, seed, ...) */
} lc_report_info;

/* Writes path atomically (temporary name, then rename). */
lc_status lc_report_write(const char *path, const lc_report_info *info, lc_error *e);

#endif
