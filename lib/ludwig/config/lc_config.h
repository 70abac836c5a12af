/* lc_config.h - a Ludwig config loaded, validated and typed. `full` is the config as JSON with
 * every default filled in (what model_hyperparameters.json holds before run-time updates); the
 * typed fields are what the rest of the library reads. The config is arrays of features, input and
 * output, in config order; each feature's type (lc_ftype) decides which of its fields mean
 * something. Anything ludwig-c does not implement is refused with a message naming the key. */
#ifndef LC_CONFIG_H
#define LC_CONFIG_H

#include <cJSON.h>
#include <stdio.h>

#include "lc_error.h"
#include "lc_layers.h"
#include "lc_lr_sched.h"
#include "lc_model.h"
#include "lc_yaml.h"

typedef enum {
    LC_SPLIT_RANDOM = 0,
    LC_SPLIT_FIXED,
    LC_SPLIT_STRATIFY,
    LC_SPLIT_HASH,
    LC_SPLIT_DATETIME
} lc_split_type;

/* Feature types ludwig-c implements (dispatch is a switch on this). */
typedef enum lc_ftype {
    LC_FT_IMAGE = 0,
    LC_FT_NUMBER,
    LC_FT_BINARY,
    LC_FT_CATEGORY,
    LC_FT_TIMESERIES,
    LC_FT_TEXT,
    LC_FT_SET,
    LC_FT_BAG,
    LC_FT_VECTOR,
    LC_FT_DATE
} lc_ftype;

/* Ludwig's name of a type ("image", "number", ...). */
const char *lc_ftype_name(lc_ftype t);

typedef enum lc_missing {
    LC_MISS_FILL_CONST = 0,
    LC_MISS_FILL_MODE,
    LC_MISS_FILL_MEAN,
    LC_MISS_FILL_FALSE,
    LC_MISS_FILL_TRUE,
    LC_MISS_BFILL,
    LC_MISS_FFILL,
    LC_MISS_DROP_ROW
} lc_missing;

typedef enum lc_numnorm {
    LC_NUMNORM_NONE = 0,
    LC_NUMNORM_ZSCORE,
    LC_NUMNORM_MINMAX,
    LC_NUMNORM_LOG1P,
    LC_NUMNORM_IQ
} lc_numnorm;

typedef enum lc_loss_type {
    LC_LOSS_SOFTMAX_XENT = 0,
    LC_LOSS_BWCE,  /* binary_weighted_cross_entropy */
    LC_LOSS_MSE,
    LC_LOSS_MAE,
    LC_LOSS_RMSE,
    LC_LOSS_MAPE,
    LC_LOSS_RMSPE,
    LC_LOSS_HUBER,
    LC_LOSS_SIGMOID_XENT
} lc_loss_type;

/* One of Ludwig's image augmentation operations (image_feature.py), in config order. */
typedef enum lc_aug_type {
    LC_AUG_HFLIP = 0, /* random_horizontal_flip */
    LC_AUG_VFLIP,     /* random_vertical_flip */
    LC_AUG_ROTATE,    /* random_rotate: degree */
    LC_AUG_BLUR,      /* random_blur: kernel_size */
    LC_AUG_BRIGHTNESS, /* random_brightness: min, max */
    LC_AUG_CONTRAST,  /* random_contrast: min, max */
    LC_AUG_AUTO       /* auto_augmentation: method (lc_autoaug.h) */
} lc_aug_type;

typedef struct lc_aug_op {
    lc_aug_type type;
    int degree, kernel_size;
    float min, max;
    int method;       /* auto_augmentation: an lc_autoaug_method */
} lc_aug_op;

#define LC_AUG_MAX 32

typedef struct lc_feature {
    lc_ftype type;
    int is_output;
    char *name, *column;
    const cJSON *json;        /* this feature inside lc_config.full (borrowed) */
    lc_missing missing;
    char *fill_value;         /* the configured fill value as text (NULL: none) */
    /* image preprocessing */
    int img_height, img_width, img_channels; /* 0 = infer */
    int crop_or_pad;                         /* resize_method */
    int infer_dims, infer_max_h, infer_max_w, infer_sample;
    int standardize_imagenet;
    int requires_equal_dims;
    int tv_pretrained;        /* a torchvision encoder: use_pretrained and not
                               * saved_weights_in_checkpoint (weights from torchvision's cache) */
    int vl_snapshot;          /* _vit_legacy: tv_cache_dir is the snapshot directory (experiment.c) */
    char *tv_cache_dir;       /* its model_cache_dir (NULL: none); _vit_legacy with
                               * use_pretrained: pretrained_model, then its snapshot directory */
    int naug;                 /* image: the augmentation operations applied to training batches */
    lc_aug_op aug[LC_AUG_MAX];
    /* number preprocessing */
    lc_numnorm normalization;
    int outlier_strategy;     /* -1 none, else an lc_missing fill strategy */
    double outlier_threshold;
    /* binary */
    char *fallback_true_label;
    double threshold;         /* output */
    /* category */
    int most_common, lowercase;
    int top_k;                /* output */
    /* timeseries preprocessing */
    char ts_sep;              /* the tokenizer's separator: ' ' (space), ',' (comma), '_' */
    int ts_limit;             /* timeseries_length_limit */
    float ts_padding_value;
    int ts_pad_left;          /* padding: left */
    int ts_window;            /* window_size (0: each row holds a whole series) */
    int vec_size;             /* vector: preprocessing.vector_size (0: from the data) */
    int ts_horizon;           /* timeseries outputs: horizon (0: each row holds its series) */
    char *date_format;        /* date: preprocessing.datetime_format, or NULL */
    /* text preprocessing */
    int tx_tokenizer;         /* lc_tokenizer */
    int tx_max_len, tx_seq_len; /* max_sequence_length (0: none), sequence_length (0: none) */
    int tx_pad_left;
    char *tx_pad_symbol, *tx_unk_symbol;
    char *tx_vocab_file;      /* NULL: the vocabulary from the data */
    char *tx_pretrained;      /* pretrained_embeddings (a GloVe file), or NULL */
    /* the network: encoder (inputs) or FCStack + decoder (outputs); arrays owned */
    lc_input_spec enc;
    lc_output_spec dec;
    /* loss (outputs) */
    lc_loss_type loss;
    double loss_weight;
    double *class_weights;    /* category: per class in vocabulary order (NULL: none) */
    int nclass_weights;
    cJSON *class_weights_map; /* category: {label: weight}, resolved against the vocabulary */
    double positive_class_weight; /* binary; <= 0: none */
    double robust_lambda, confidence_penalty, huber_delta;
    int has_clip;
    double clip[2];           /* number output */
} lc_feature;

typedef struct lc_config {
    char *path;
    cJSON *full;
    int nin, nout;
    lc_feature *in, *out;
    lc_fc_stack_spec comb;    /* the concat combiner's FCStack (layers owned) */
    /* trainer */
    int epochs;
    int batch_size;       /* 0 = auto */
    int eval_batch_size;  /* 0 = auto/null */
    double learning_rate;     /* "auto" resolved as Ludwig's heuristic does */
    lc_optim optim;
    lc_lr_sched_config lr_sched;
    char *reduce_eval_metric, *reduce_eval_split;
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
    double oversample_minority, undersample_majority; /* 0 = none */
    /* backend */
    enum { LC_BACKEND_NONE = 0, LC_BACKEND_LOCAL, LC_BACKEND_HOROVOD } backend;
} lc_config;

/* Loads and validates path. note(arg, msg) receives advisory notes (may be NULL). */
lc_status lc_config_load(const char *path, lc_config **out, void (*note)(void *, const char *),
                         void *note_arg, lc_error *e);
/* The same from root, a parsed config tree (upgraded in place; still the caller's); messages
 * name path and the positions the tree's nodes carry. */
lc_status lc_config_from_tree(lc_ynode *root, const char *path,
                             void (*note)(void *, const char *), void *note_arg, lc_config **out,
                             lc_error *e);
/* The same with LC_CONFIG_* flags. */
enum {
    /* for render_config: an empty feature name is accepted as a placeholder to fill in (Ludwig
     * accepts it); training refuses it */
    LC_CONFIG_RENDER = 1u,
    /* for predict/evaluate on a saved model: what acts in training only (image augmentation,
     * which ludwig-c does not do yet) is accepted, as it changes nothing at inference */
    LC_CONFIG_INFERENCE = 2u
};
/* lc_config_load with LC_CONFIG_* flags. */
lc_status lc_config_load_flags(const char *path, unsigned flags, lc_config **out,
                               void (*note)(void *, const char *), void *note_arg, lc_error *e);
lc_status lc_config_from_tree_flags(lc_ynode *root, const char *path, unsigned flags,
                                   void (*note)(void *, const char *), void *note_arg,
                                   lc_config **out, lc_error *e);
void lc_config_free(lc_config *c);

/* The input (or output) feature named name, or NULL. */
const lc_feature *lc_config_feature(const lc_config *c, const char *name);

#endif
