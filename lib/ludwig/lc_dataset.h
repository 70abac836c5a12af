/* lc_dataset.h - Ludwig preprocessing for an image -> category experiment: reads the dataset
 * file(s), drops or fills missing values, builds the label vocabulary (by frequency over the whole
 * column, before the split, as Ludwig does), assigns splits, infers the image size and decodes
 * every image once into one uint8 (N, C, H, W) tensor. Metadata (vocabulary, image size) can come
 * from an earlier run's training_set_metadata.json instead. */
#ifndef LC_DATASET_H
#define LC_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lc_config.h"
#include "lc_error.h"
#include "lc_pool.h"

typedef struct lc_dataset_opts {
    const char *dataset, *training_set, *validation_set, *test_set;
    const char *data_format;      /* NULL/"auto", csv, tsv, json */
    const char *raw_data;         /* images zip, or NULL (paths relative to the dataset dir) */
    const char *metadata_path;    /* training_set_metadata.json to reuse, or NULL */
    uint64_t seed;
    FILE *log;                    /* notes and warnings, or NULL */
    int mode;                     /* LC_DATASET_TRAIN (0), _EVALUATE or _PREDICT */
} lc_dataset_opts;

/* What the rows are for. EVALUATE (ludwig evaluate) allows an empty training split. PREDICT
 * (ludwig predict, include_outputs=False) also makes the output column optional and keeps rows
 * whose label is blank; their label index is 0 and means nothing. */
enum { LC_DATASET_TRAIN = 0, LC_DATASET_EVALUATE = 1, LC_DATASET_PREDICT = 2 };

typedef struct lc_dataset {
    size_t n;                     /* rows kept */
    int C, H, W;
    unsigned char *images;        /* (n, C, H, W) */
    int32_t *labels;              /* (n) vocabulary index */
    int8_t *split;                /* (n) 0 train, 1 validation, 2 test */
    long *line;                   /* (n) source line of each row (for messages) */
    int32_t *idx[3];              /* row indices of each split, in file order */
    size_t count[3];
    int nclasses;
    char **idx2str;               /* (nclasses) */
    int64_t *freq;                /* (nclasses) */
    const char *data_format;      /* "csv", "tsv" or "json" */
    char *src;                    /* dataset path recorded in metadata */
} lc_dataset;

lc_status lc_dataset_build(const lc_config *cfg, const lc_dataset_opts *o, lc_pool *pool,
                           lc_dataset **out, lc_error *e);
void lc_dataset_free(lc_dataset *d);

/* Reads the vocabulary of output feature `feature` (idx2str, str2freq) into d->nclasses, d->idx2str
 * and d->freq, and the image size of input feature img_feature (preprocessing height, width,
 * num_channels; 0 when absent) from a training_set_metadata.json. Invalid metadata (no or repeated
 * labels, sizes that are not whole numbers in range) is an LC_ERR_DATA naming the file and key.
 * On failure d may hold a partial vocabulary (lc_dataset_free releases it). */
lc_status lc_dataset_read_metadata(const char *path, const char *feature, const char *img_feature,
                                   lc_dataset *d, int *h, int *w, int *c, lc_error *e);

/* Label index of s in the vocabulary (after Ludwig's strip), or -1. */
int lc_dataset_label_index(const lc_dataset *d, const char *s);

#endif
