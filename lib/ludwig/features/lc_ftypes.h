/* lc_ftypes.h - what each tabular feature-type module gives the dispatch: category.c, binary.c
 * and number.c each own, for their type, the column preprocessing and metadata (lc_prep_tab.h),
 * the output head's loss (forward, backward), its per-row values, Ludwig's metrics and
 * test-statistics extras, and the prediction columns. heads.c and outputs.c switch on the
 * feature's type and call these; nothing else does. image.c does the same for the image type
 * (an input only): its column and metadata, and batch gathering. */
#ifndef LC_FTYPES_H
#define LC_FTYPES_H

#include <cJSON.h>
#include <stdio.h>

#include "lc_config.h"
#include "lc_dataset.h"
#include "lc_heads.h"
#include "lc_json.h"
#include "lc_model.h"
#include "lc_pool.h"

/* A prediction column's name, feat + suffix + label, as a CSV header field (with a leading comma
 * unless first). */
void lc_pred_column_name(FILE *f, int first, const char *feat, const char *suffix,
                         const char *label);

/* ---- category.c ---- */
/* loss.class_weights (a list in vocabulary order or a {label: weight} map) resolved against the
 * vocabulary: *out (nclasses) or NULL when the feature has none. */
lc_status lc_category_class_weights(const lc_config *cfg, const lc_feature *f,
                                    const lc_column *col, float **out, lc_error *e);
double lc_category_loss(const lc_head_ctx *h, lc_model *m, int o, int B);
void lc_category_backward(const lc_head_ctx *h, lc_model *m, int o, int B);
void lc_category_rows(const lc_model *m, int o, int B, float *dst);
cJSON *lc_category_metrics(const lc_head_ctx *h, size_t n, const float *rows,
                           const int32_t *labels, double loss);
lc_status lc_category_overall(const lc_head_ctx *h, size_t n, const float *rows,
                              const int32_t *labels, cJSON *feature_obj, lc_error *e);
/* after <name>_predictions: _probabilities, _probability, _probabilities_<class>... */
void lc_category_pred_header(FILE *f, const lc_feature *ft, const lc_column *c);
/* one row's cells (row: nclasses probabilities); num holds nclasses repr buffers */
void lc_category_pred_cells(FILE *f, const lc_column *c, const float *row,
                            char (*num)[LC_JSON_REPR_MAX]);

/* ---- binary.c ---- */
double lc_binary_loss(const lc_head_ctx *h, lc_model *m, int o, int B);
void lc_binary_backward(const lc_head_ctx *h, lc_model *m, int o, int B);
void lc_binary_rows(const lc_model *m, int o, int B, float *dst);
cJSON *lc_binary_metrics(const lc_head_ctx *h, size_t n, const float *rows, const float *values,
                         double loss);
lc_status lc_binary_overall(const lc_head_ctx *h, size_t n, const float *rows,
                            const float *values, cJSON *feature_obj, lc_error *e);
/* after <name>_predictions: _probabilities, _probabilities_<false>, _probabilities_<true>,
 * _probability */
void lc_binary_pred_header(FILE *f, const lc_feature *ft, const lc_column *c);
void lc_binary_pred_cells(FILE *f, const lc_feature *ft, const lc_column *c, float p,
                          char (*num)[LC_JSON_REPR_MAX]);

/* ---- number.c ---- */
double lc_number_loss(const lc_head_ctx *h, lc_model *m, int o, int B);
void lc_number_backward(const lc_head_ctx *h, lc_model *m, int o, int B);
/* the predictions, clipped as the feature's clip says (normalised units) */
void lc_number_rows(const lc_head_ctx *h, const lc_model *m, int o, int B, float *dst);
cJSON *lc_number_metrics(size_t n, const float *rows, const float *values, double loss,
                         int64_t batch_size);
/* a value back in the column's units: Ludwig's inverse of the column's normalization, in float32
 * as its torch postprocessing computes it */
float lc_number_denormalize(const lc_column *c, float v);
void lc_number_pred_cells(FILE *f, const lc_column *c, float v, char (*num)[LC_JSON_REPR_MAX]);

/* ---- set.c (outputs; the targets are the rows of the column, the labels the row indices) ---- */
void lc_set_gather(const lc_head_ctx *h, lc_model *m, int o, const int32_t *idx, int B);
double lc_set_loss(const lc_head_ctx *h, lc_model *m, int o, int B);
void lc_set_backward(const lc_head_ctx *h, lc_model *m, int o, int B);
void lc_set_rows(const lc_model *m, int o, int B, float *dst);
cJSON *lc_set_metrics(const lc_head_ctx *h, size_t n, const float *rows, const int32_t *rowidx,
                      double loss);
/* after <name>_predictions: _probabilities */
void lc_set_pred_header(FILE *f, const lc_feature *ft);
/* one row's two cells (row: nclasses probabilities) */
lc_status lc_set_pred_cells(FILE *f, const lc_feature *ft, const lc_column *c, const float *row);

/* ---- vector.c (outputs; the labels are the row indices, the column holds the targets) ---- */
void lc_vector_gather(const lc_head_ctx *h, lc_model *m, int o, const int32_t *idx, int B);
double lc_vector_loss(const lc_head_ctx *h, lc_model *m, int o, int B);
void lc_vector_backward(const lc_head_ctx *h, lc_model *m, int o, int B);
void lc_vector_rows(const lc_model *m, int o, int B, float *dst);
cJSON *lc_vector_metrics(const lc_head_ctx *h, size_t n, const float *rows, const int32_t *rowidx,
                         double loss);
/* the <name>_predictions cell: "[v, v, ...]" */
void lc_vector_pred_cells(FILE *f, const lc_column *c, const float *row,
                          char (*num)[LC_JSON_REPR_MAX]);

/* ---- image.c ---- */
/* What the image column sees: the path cells of the kept rows, their source lines, and the file
 * they come from (for messages). */
typedef struct lc_image_cells {
    const char **v;   /* (n); blank ones are filled in place from a neighbour */
    const long *lines;
    size_t n;
    const char *file;
    int defer;        /* keep the paths; decode later (lc_image_decode_rows) */
} lc_image_cells;
/* The image size an earlier run recorded in meta (0s when absent). */
lc_status lc_image_dims_from_meta(const cJSON *meta, const char *path, const char *feature,
                                  int *h, int *w, int *c, lc_error *e);
/* The decoded images (n, C, H, W) of column f and their metadata into col; images come from
 * raw_data (a zip) or the directory of src_path. */
/* A torchvision encoder (resnet, wide_resnet, resnext, mobilenetv2/v3, efficientnet, vit,
 * densenet, squeezenet, regnet, mnasnet)? */
int lc_enc_is_tv(const lc_input_spec *s);
/* The pretrained weights file torchvision's DEFAULT weights for encoder s name (NULL for an
 * encoder or variant it has none for) and, when t is not NULL, the transform they expect. */
typedef struct lc_tv_transform lc_tv_transform;
const char *lc_tv_file(const lc_input_spec *s, lc_tv_transform *t);
/* Ludwig's encoder type and model_variant of s as text ("resnet", "18"; "mobilenetv3", "small") */
const char *lc_tv_type(const lc_input_spec *s);
const char *lc_tv_variant(const lc_input_spec *s, char *buf, size_t n);

/* Ludwig's ImageAugmentation on the training batch already gathered into slot: each of f's
 * operations applied to the whole batch with probability 0.5 and one value (angle, factor) for
 * the batch, drawn from (seed, step) alone, so the batch is the same for any thread count; the
 * images go through uint8 and back as Ludwig's do. */
lc_status lc_image_augment(lc_model *m, lc_pool *p, const lc_feature *f, const lc_column *col,
                           int slot, int B, uint64_t seed, uint64_t step, lc_error *e);

lc_status lc_image_column(const lc_feature *f, lc_image_cells *c, const cJSON *meta,
                          const char *meta_path, const char *raw_data, const char *config_path,
                          const char *src_path, lc_pool *pool, lc_column *col, lc_error *e);
/* A column made with cells.defer: its images decoded now for the rows want[i] != 0 (all when want
 * is NULL) not decoded before, the others left undecoded (never to be read: their memory is not
 * touched); *decoded counts them. The error of an image names its line (lines, the dataset's).
 * lc_image_defer_paths: the paths (the data's identity, decoded or not). */
lc_status lc_image_decode_rows(lc_column *col, const long *lines, const unsigned char *want,
                               lc_pool *pool, size_t *decoded, lc_error *e);
void lc_image_defer_free(struct lc_image_defer *d);
const char *const *lc_image_defer_paths(const struct lc_image_defer *d, size_t *n);
/* The batch's images (rows idx) into input slot `slot` of m, on the pool. */
void lc_image_gather(lc_model *m, lc_pool *p, const lc_feature *f, const lc_column *col, int slot,
                     const int32_t *idx, int B);

#endif
