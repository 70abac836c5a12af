/* lc_dataset.h - Ludwig preprocessing: reads the dataset file(s), handles missing values per
 * feature, assigns splits, and turns each feature's column into what the model reads (one
 * column per input and output feature, in config order): decoded images (uint8, N C H W), numbers
 * (normalised, float32), binaries (0/1), category indices. A cell is missing when pandas reads it
 * as NaN ("", "NA", "nan", "null", ...) or holds only spaces. Each column also carries its
 * metadata as Ludwig writes it to training_set_metadata.json (vocabulary, statistics, image size,
 * the completed preprocessing), computed over every row of every file before rows are dropped and
 * split, as Ludwig does, or read from an earlier run's file and applied without refitting. Number,
 * binary and category columns are lc_prep_tab.h's work. */
#ifndef LC_DATASET_H
#define LC_DATASET_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lc_config.h"
#include "lc_error.h"
#include "lc_pool.h"
#include "lc_prep_tab.h"

typedef struct lc_dataset_opts {
    const char *dataset, *training_set, *validation_set, *test_set;
    const char *data_format;      /* NULL/"auto", csv, tsv, json */
    const char *raw_data;         /* images zip, or NULL (paths relative to the dataset dir) */
    const char *metadata_path;    /* training_set_metadata.json to reuse, or NULL */
    uint64_t seed;
    FILE *log;                    /* notes and warnings, or NULL */
    int mode;                     /* LC_DATASET_TRAIN (0), _EVALUATE or _PREDICT */
    const char *config_path;      /* for messages */
    volatile int *stop;           /* non-zero (a signal) stops between stages, or NULL */
    int defer_images;             /* leave images to lc_dataset_decode_images (a rank of a
                                   * data-parallel run decodes only the rows it uses) */
} lc_dataset_opts;

/* What the rows are for. EVALUATE (ludwig evaluate) allows an empty training split. PREDICT
 * (ludwig predict, include_outputs=False) does not read output columns (they may be absent): a
 * row is never dropped for its output, targets are 0 and mean nothing, and an output column holds
 * only what the metadata says (vocabulary, labels, normalization). */
enum { LC_DATASET_TRAIN = 0, LC_DATASET_EVALUATE = 1, LC_DATASET_PREDICT = 2 };

/* One feature's column after preprocessing. */
typedef struct lc_column {
    lc_ftype type;
    int present;                  /* 0: an output column absent from the file in PREDICT mode */
    float *values;                /* (n, T) number (normalised), binary 0/1, category index;
                                   * timeseries: the padded series */
    int T;                        /* floats per row in values: 1, or a timeseries' length */
    int32_t *labels;              /* (n) category: the index (as values) */
    /* category vocabulary */
    int nclasses;
    char **idx2str;               /* (nclasses) */
    int64_t *freq;                /* (nclasses) */
    /* binary labels as written in the column ("False"/"True" when not strings) */
    char *bool2str[2];
    /* number: the fitted (or stored) normalization, undone on predictions */
    lc_number_norm norm;
    /* image */
    int C, H, W;
    unsigned char *images;        /* (n, C, H, W) */
    struct lc_image_defer *defer; /* images not decoded yet (lc_dataset_opts.defer_images) */
    cJSON *meta;                  /* this feature's training_set_metadata.json entry */
} lc_column;

typedef struct lc_dataset {
    size_t n;                     /* rows kept */
    int nin, nout;
    lc_column *in, *out;          /* config order */
    int8_t *split;                /* (n) 0 train, 1 validation, 2 test */
    long *line;                   /* (n) source line of each row (for messages) */
    size_t *row;                  /* (n) each row's index among all nall rows read, before any
                                   * was dropped (Ludwig's data_df index, which k-fold splits) */
    size_t nall;
    int32_t *idx[3];              /* row indices of each split, in file order */
    size_t count[3];
    const char *data_format;      /* "csv", "tsv" or "json" */
    char *src;                    /* dataset path recorded in metadata */
} lc_dataset;

lc_status lc_dataset_build(const lc_config *cfg, const lc_dataset_opts *o, lc_pool *pool,
                           lc_dataset **out, lc_error *e);
/* The images of a dataset built with defer_images: decoded for the rows want[i] != 0 (all when
 * want is NULL); *decoded counts the images decoded over the image columns. */
lc_status lc_dataset_decode_images(lc_dataset *d, const unsigned char *want, lc_pool *pool,
                                   size_t *decoded, lc_error *e);
void lc_dataset_free(lc_dataset *d);

/* training_set_metadata.json for the dataset (a new tree). */
cJSON *lc_dataset_metadata(const lc_config *cfg, const lc_dataset *d);

/* Reads the vocabulary (idx2str, str2freq; at least two labels) of output feature `feature` into
 * col, and the image size of input feature img_feature (preprocessing height, width,
 * num_channels; 0 when absent) from a training_set_metadata.json. Invalid metadata is an
 * LC_ERR_DATA naming the file and key; col may then hold a partial vocabulary. */
lc_status lc_dataset_read_metadata(const char *path, const char *feature, const char *img_feature,
                                   lc_column *col, int *h, int *w, int *c, lc_error *e);
/* Releases what a column holds (and zeroes it). */
void lc_column_free(lc_column *c);

/* Category label index of s in column c (exact match), or -1. */
int lc_column_label_index(const lc_column *c, const char *s);

#endif
