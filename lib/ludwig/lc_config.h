/* lc_config.h - a Ludwig config loaded, validated and typed. `full` is the config as JSON with
 * every default filled in (what model_hyperparameters.json holds before run-time updates); the
 * typed fields are what the rest of the library reads. Supported today: one image input with the
 * stacked_cnn encoder, the concat combiner, one category output. Anything else is refused with a
 * message naming the key. */
#ifndef LC_CONFIG_H
#define LC_CONFIG_H

#include <cJSON.h>
#include <stdio.h>

#include "lc_error.h"
#include "lc_layers.h"
#include "lc_model.h"

typedef enum { LC_SPLIT_RANDOM = 0, LC_SPLIT_FIXED, LC_SPLIT_STRATIFY, LC_SPLIT_HASH } lc_split_type;

typedef struct lc_config {
    char *path;
    cJSON *full;
    /* input (image) */
    char *in_name, *in_column;
    int img_height, img_width, img_channels; /* 0 = infer */
    int crop_or_pad;                         /* resize_method */
    int infer_dims, infer_max_h, infer_max_w, infer_sample;
    int standardize_imagenet;
    int requires_equal_dims;
    lc_model_spec spec;                      /* conv/fc owned; C/H/W/nclasses set later */
    /* output (category) */
    char *out_name, *out_column;
    int top_k;
    int most_common, lowercase;
    double loss_weight;
    /* trainer */
    int epochs;
    int batch_size;       /* 0 = auto */
    int eval_batch_size;  /* 0 = auto/null */
    double learning_rate;
    lc_optim optim;
    int early_stop;
    char *validation_field, *validation_metric;
    int evaluate_training_set, should_shuffle;
    double clipglobalnorm, clipnorm, clipvalue; /* < 0 = off */
    double regularization_lambda;
    int regularization_type; /* 1 l1, 2 l2, 3 l1_l2 */
    long train_steps;        /* 0 = none */
    int steps_per_checkpoint, checkpoints_per_epoch;
    /* preprocessing */
    lc_split_type split;
    char *split_column;
    double split_probs[3];
    double sample_ratio;
    long sample_size; /* 0 = none */
} lc_config;

/* Loads and validates path. note(arg, msg) receives advisory notes (may be NULL). */
lc_status lc_config_load(const char *path, lc_config **out, void (*note)(void *, const char *),
                         void *note_arg, lc_error *e);
void lc_config_free(lc_config *c);

#endif
