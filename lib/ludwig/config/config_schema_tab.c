/* config_schema_tab.c - Ludwig 0.10.3's schema for number, binary and category features as
 * lc_schema tables: keys, accepted types, ranges, choices and defaults as upstream declares them
 * (ludwig/schema/features/{number,binary,category}_feature.py, features/preprocessing/,
 * encoders/base.py, encoders/category_encoders.py, decoders/base.py, features/loss/loss.py,
 * common_fields.py), plus the dispatch on an encoder's or loss's `type` that lc_schema cannot
 * express, Ludwig's merge of `defaults.<type>` into a feature, and Python's int/float form of
 * the filled numbers. Keys ludwig-c accepts only at their default are F_DEFAULT_ONLY. What the
 * values mean (building encoders, computing losses, preprocessing columns) is left to others,
 * and so is walking the whole config (config.c).
 */
#include "lc_config_schema_tab.h"

#include <stdio.h>
#include <string.h>

#include "lc_config_schema.h"
#include "lc_json.h"
#include "lc_mem.h"

#define BIG 1e308
#define ACTIVATIONS "elu|leakyRelu|logSigmoid|relu|sigmoid|tanh|softmax"
#define INITIALIZERS                                                                              \
    "uniform|normal|constant|ones|zeros|eye|dirac|xavier_uniform|xavier_normal|kaiming_uniform|"  \
    "kaiming_normal|orthogonal|sparse|identity"
#define NORMS "batch|layer|ghost"
#define REDUCTIONS "last|sum|mean|avg|max|concat|attention|none|None"
/* MISSING_VALUE_STRATEGY_OPTIONS (+ fill_with_mean for numbers); binary has its own list */
#define MISSING_CATEGORY "fill_with_const|fill_with_mode|bfill|ffill|drop_row"
#define MISSING_NUMBER MISSING_CATEGORY "|fill_with_mean"
#define MISSING_BINARY "fill_with_mode|bfill|ffill|drop_row|fill_with_false|fill_with_true"
/* strings_utils.all_bool_strs(): each of BOOL_TRUE_STRS | BOOL_FALSE_STRS as is, upper, capitalized */
#define BOOL_STRS                                                                                 \
    "-1|-1.0|0|0.0|1|1.0|F|FALSE|False|N|NO|No|T|TRUE|True|Y|YES|Yes|f|false|n|no|t|true|y|yes"
#define NUMBER_LOSSES                                                                             \
    "mean_squared_error|mean_absolute_error|root_mean_squared_error|"                             \
    "mean_absolute_percentage_error|root_mean_squared_percentage_error|huber"
#define END {NULL, 0, NULL, 0, 0, NULL, NULL, 0, NULL}

/* ------------------------------------------------------------------------------------------ */
/* preprocessing                                                                              */

static const lc_key number_pre_keys[] = {
    {"missing_value_strategy", T_STR, "\"fill_with_const\"", 0, 0, MISSING_NUMBER, NULL, 0, NULL},
    {"fill_value", T_FLOAT, "0.0", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_FLOAT, "0.0", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"normalization", T_STR | T_NULL, "\"zscore\"", 0, 0, "zscore|minmax|log1p|iq", NULL, 0, NULL},
    {"outlier_strategy", T_STR | T_NULL, "null", 0, 0, MISSING_NUMBER, NULL, 0, NULL},
    {"outlier_threshold", T_FLOAT, "3.0", 0, BIG, NULL, NULL, 0, NULL},
    {"computed_outlier_fill_value", T_FLOAT, "0.0", 0, 0, NULL, NULL, F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_number_pre = {"preprocessing", number_pre_keys};

static const lc_key number_out_pre_keys[] = {
    {"missing_value_strategy", T_STR, "\"drop_row\"", 0, 0, MISSING_NUMBER, NULL, 0, NULL},
    {"fill_value", T_FLOAT, "0.0", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_FLOAT, "0.0", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"normalization", T_STR | T_NULL, "null", 0, 0, "zscore|minmax|log1p|iq", NULL, 0, NULL},
    {"outlier_strategy", T_STR | T_NULL, "null", 0, 0, MISSING_NUMBER, NULL, 0, NULL},
    {"outlier_threshold", T_FLOAT, "3.0", 0, BIG, NULL, NULL, 0, NULL},
    {"computed_outlier_fill_value", T_FLOAT, "0.0", 0, 0, NULL, NULL, F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_number_out_pre = {"preprocessing", number_out_pre_keys};

/* fill_value is a number in [0, 1], one of the boolean strings, or a boolean */
static const lc_key binary_pre_keys[] = {
    {"missing_value_strategy", T_STR, "\"fill_with_false\"", 0, 0, MISSING_BINARY, NULL, 0, NULL},
    {"fallback_true_label", T_STR | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"fill_value", T_FLOAT | T_STR | T_BOOL | T_NULL, "null", 0, 1, BOOL_STRS, NULL, 0, NULL},
    {"computed_fill_value", T_FLOAT | T_STR | T_BOOL | T_NULL, "null", 0, 1, BOOL_STRS, NULL,
     F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_binary_pre = {"preprocessing", binary_pre_keys};

static const lc_key binary_out_pre_keys[] = {
    {"missing_value_strategy", T_STR, "\"drop_row\"", 0, 0, MISSING_BINARY, NULL, 0, NULL},
    {"fallback_true_label", T_STR | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"fill_value", T_FLOAT | T_STR | T_BOOL | T_NULL, "null", 0, 1, BOOL_STRS, NULL, 0, NULL},
    {"computed_fill_value", T_FLOAT | T_STR | T_BOOL | T_NULL, "null", 0, 1, BOOL_STRS, NULL,
     F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_binary_out_pre = {"preprocessing", binary_out_pre_keys};

/* the category input's preprocessing (the output's is config_schema.c's lc_sec_category_pre) */
static const lc_key category_in_pre_keys[] = {
    {"missing_value_strategy", T_STR, "\"fill_with_const\"", 0, 0, MISSING_CATEGORY, NULL, 0,
     NULL},
    {"fill_value", T_STR, "\"<UNK>\"", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_STR, "\"<UNK>\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"lowercase", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"most_common", T_INT | T_NULL, "10000", 1, BIG, NULL, NULL, 0, NULL},
    {"cache_encoder_embeddings", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_category_in_pre = {"preprocessing", category_in_pre_keys};


/* timeseries (ludwig/schema/features/preprocessing/timeseries.py); the tokenizers ludwig-c
 * implements are the string-split ones */
#define TIMESERIES_PRE_COMMON                                                                     \
    {"tokenizer", T_STR, "\"space\"", 0, 0, "space|comma|underscore", NULL, 0, NULL},              \
    {"timeseries_length_limit", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},                      \
    {"padding_value", T_FLOAT | T_NULL, "0.0", 0, 0, NULL, NULL, 0, NULL},                        \
    {"padding", T_STR, "\"right\"", 0, 0, "left|right", NULL, 0, NULL},                           \
    {"missing_value_strategy", T_STR, "\"fill_with_const\"", 0, 0, MISSING_CATEGORY, NULL, 0,     \
     NULL},                                                                                       \
    {"fill_value", T_STR, "\"\"", 0, 0, NULL, NULL, 0, NULL},                                      \
    {"computed_fill_value", T_STR, "\"\"", 0, 0, NULL, NULL, F_IGNORED, NULL},                     \
    {"window_size", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL}

static const lc_key timeseries_pre_keys[] = {
    TIMESERIES_PRE_COMMON,
    {"cache_encoder_embeddings", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_timeseries_pre = {"preprocessing", timeseries_pre_keys};
/* defaults.timeseries.preprocessing as Ludwig renders it has no cache_encoder_embeddings */
static const lc_key timeseries_dft_pre_keys[] = {
    TIMESERIES_PRE_COMMON,
    END,
};
const lc_section lc_sec_timeseries_dft_pre = {"preprocessing", timeseries_dft_pre_keys};
/* timeseries outputs (TimeseriesOutputPreprocessingConfig): horizon, rows with a missing value
 * dropped */
static const lc_key timeseries_out_pre_keys[] = {
    {"tokenizer", T_STR, "\"space\"", 0, 0, "space|comma|underscore", NULL, 0, NULL},
    {"timeseries_length_limit", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"padding_value", T_FLOAT | T_NULL, "0.0", 0, 0, NULL, NULL, 0, NULL},
    {"padding", T_STR, "\"right\"", 0, 0, "left|right", NULL, 0, NULL},
    {"missing_value_strategy", T_STR, "\"drop_row\"", 0, 0, MISSING_CATEGORY, NULL, 0, NULL},
    {"fill_value", T_STR, "\"\"", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_STR, "\"\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"horizon", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_timeseries_out_pre = {"preprocessing", timeseries_out_pre_keys};


/* text (ludwig/schema/features/preprocessing/text.py; docs/ludwig-0.10.3-text.md) */
static const lc_key text_pre_keys[] = {
    {"pretrained_model_name_or_path", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY,
     NULL},
    {"tokenizer", T_STR, "\"space_punct\"", 0, 0,
     "space_punct|space|underscore|comma|characters|untokenized|stripped|ngram", NULL, 0, NULL},
    {"vocab_file", T_STR | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"sequence_length", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"max_sequence_length", T_INT | T_NULL, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"most_common", T_INT, "20000", 0, BIG, NULL, NULL, 0, NULL},
    {"padding_symbol", T_STR, "\"<PAD>\"", 0, 0, NULL, NULL, 0, NULL},
    {"unknown_symbol", T_STR, "\"<UNK>\"", 0, 0, NULL, NULL, 0, NULL},
    {"padding", T_STR, "\"right\"", 0, 0, "left|right", NULL, 0, NULL},
    {"lowercase", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"missing_value_strategy", T_STR, "\"fill_with_const\"", 0, 0, MISSING_CATEGORY, NULL, 0,
     NULL},
    {"fill_value", T_STR, "\"<UNK>\"", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_STR, "\"<UNK>\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"ngram_size", T_INT, "2", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"cache_encoder_embeddings", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"compute_idf", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"prompt", T_MAP, "{\"retrieval\": {\"index_name\": null, \"k\": 0, \"model_name\": null, \"type\": null}, \"task\": null, \"template\": null}",
     0, 0, NULL, NULL, F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_text_pre = {"preprocessing", text_pre_keys};

/* vector (ludwig/schema/features/preprocessing/vector.py): outputs drop rows with a missing value */
static const lc_key vector_pre_keys[] = {
    {"vector_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"missing_value_strategy", T_STR, "\"fill_with_const\"", 0, 0, MISSING_CATEGORY, NULL, 0,
     NULL},
    {"fill_value", T_STR, "\"\"", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_STR, "\"\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_vector_pre = {"preprocessing", vector_pre_keys};
static const lc_key vector_out_pre_keys[] = {
    {"vector_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"missing_value_strategy", T_STR, "\"drop_row\"", 0, 0, MISSING_CATEGORY, NULL, 0, NULL},
    {"fill_value", T_STR, "\"\"", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_STR, "\"\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_vector_out_pre = {"preprocessing", vector_out_pre_keys};

/* date (ludwig/schema/features/preprocessing/date.py) */
static const lc_key date_pre_keys[] = {
    {"missing_value_strategy", T_STR, "\"fill_with_const\"", 0, 0,
     "fill_with_const|bfill|ffill|drop_row", NULL, 0, NULL},
    {"fill_value", T_STR, "\"\"", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_STR, "\"\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"datetime_format", T_STR | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_date_pre = {"preprocessing", date_pre_keys};

/* set and bag (ludwig/schema/features/preprocessing/set.py, bag.py) */
static const lc_key set_pre_keys[] = {
    {"tokenizer", T_STR, "\"space\"", 0, 0,
     "space_punct|space|underscore|comma|characters|untokenized|stripped|ngram", NULL, 0, NULL},
    {"missing_value_strategy", T_STR, "\"fill_with_const\"", 0, 0, MISSING_CATEGORY, NULL, 0,
     NULL},
    {"fill_value", T_STR, "\"<UNK>\"", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_STR, "\"<UNK>\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"lowercase", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"most_common", T_INT, "10000", 0, BIG, NULL, NULL, 0, NULL},
    {"cache_encoder_embeddings", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_set_pre = {"preprocessing", set_pre_keys};

/* ------------------------------------------------------------------------------------------ */
/* encoders                                                                                   */

static const lc_key passthrough_keys[] = {
    {"type", T_STR, "\"passthrough\"", 0, 0, "passthrough", NULL, 0, NULL},
    /* Ludwig sets it on every input encoder when it saves a model: accepted, not rendered */
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    END,
};
const lc_section lc_sec_passthrough_enc = {"encoder", passthrough_keys};
/* CategoricalPassthroughEncoderConfig: the same keys, registered for category; a `vocab`, which
 * Ludwig does not save for it but ludwig-c 0.1 did, is accepted and dropped */
static const lc_key category_passthrough_keys[] = {
    {"type", T_STR, "\"passthrough\"", 0, 0, "passthrough", NULL, 0, NULL},
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"vocab", T_NULL | T_STRLIST, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_category_passthrough_enc = {"encoder", category_passthrough_keys};

static const lc_key dense_keys[] = {
    {"type", T_STR, "\"dense\"", 0, 0, "dense", NULL, 0, NULL},
    /* Ludwig sets it on every input encoder when it saves a model: accepted, not rendered */
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"input_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"bias_initializer", T_STR | T_MAP, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"weights_initializer", T_STR | T_MAP, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0,
     NULL},
    {"norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_layers", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    END,
};
const lc_section lc_sec_dense_enc = {"encoder", dense_keys};

/* `vocab` is filled from the training metadata (internal): only null is accepted in a config */
static const lc_key category_dense_keys[] = {
    {"type", T_STR, "\"dense\"", 0, 0, "dense", NULL, 0, NULL},
    /* Ludwig sets it on every input encoder when it saves a model: accepted, not rendered */
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"vocab", T_NULL | T_STRLIST, "null", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"embedding_initializer", T_STR | T_NULL, "null", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"embedding_size", T_INT, "50", 1, BIG, NULL, NULL, 0, NULL},
    {"embeddings_on_cpu", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"embeddings_trainable", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"pretrained_embeddings", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    END,
};
const lc_section lc_sec_category_dense_enc = {"encoder", category_dense_keys};

static const lc_key category_sparse_keys[] = {
    {"type", T_STR, "\"sparse\"", 0, 0, "sparse", NULL, 0, NULL},
    /* Ludwig sets it on every input encoder when it saves a model: accepted, not rendered */
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"vocab", T_NULL | T_STRLIST, "null", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"embedding_initializer", T_STR | T_NULL, "null", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"embeddings_on_cpu", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"embeddings_trainable", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"pretrained_embeddings", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    END,
};
const lc_section lc_sec_category_sparse_enc = {"encoder", category_sparse_keys};

static const lc_key category_onehot_keys[] = {
    {"type", T_STR, "\"onehot\"", 0, 0, "onehot", NULL, 0, NULL},
    /* Ludwig sets it on every input encoder when it saves a model: accepted, not rendered */
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"vocab", T_NULL | T_STRLIST, "null", 0, 0, NULL, NULL, F_IGNORED, NULL},
    END,
};
const lc_section lc_sec_category_onehot_enc = {"encoder", category_onehot_keys};

/* SetSparseEncoderConfig / BagEmbedWeightedConfig (ludwig/schema/encoders/set_encoders.py,
 * bag_encoders.py): the embeddings and an FCStack; `vocab` comes from the metadata */
#define SET_ENC_KEYS                                                                              \
    {"type", T_STR, "\"embed\"", 0, 0, "embed", NULL, 0, NULL},                                  \
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},             \
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},                           \
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},                                        \
    {"activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},                 \
    {"vocab", T_NULL | T_STRLIST, "null", 0, 0, NULL, NULL, F_IGNORED, NULL},                     \
    {"representation", T_STR, "\"dense\"", 0, 0, "dense|sparse", NULL, 0, NULL},                  \
    {"embedding_size", T_INT, "50", 1, BIG, NULL, NULL, 0, NULL}
#define SET_ENC_TAIL                                                                              \
    {"embeddings_on_cpu", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},                   \
    {"embeddings_trainable", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},                         \
    {"pretrained_embeddings", T_STR | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},                 \
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},                                     \
    {"bias_initializer", T_STR | T_MAP, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},           \
    {"weights_initializer", T_STR | T_MAP, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0,     \
     NULL},                                                                                       \
    {"output_size", T_INT, "10", 1, BIG, NULL, NULL, 0, NULL},                                    \
    {"norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},                                 \
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},                           \
    {"num_fc_layers", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},                                   \
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL}
static const lc_key set_embed_keys[] = {SET_ENC_KEYS, SET_ENC_TAIL, END};
const lc_section lc_sec_set_embed_enc = {"encoder", set_embed_keys};
static const lc_key bag_embed_keys[] = {
    SET_ENC_KEYS,
    {"force_embedding_size", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    SET_ENC_TAIL,
    END,
};
const lc_section lc_sec_bag_embed_enc = {"encoder", bag_embed_keys};


/* Sequence encoders (ludwig/schema/encoders/sequence_encoders.py). For a timeseries Ludwig forces
 * embedding_size 1 and should_embed false (TimeseriesInputFeature), so the embedding keys have
 * no effect there. */
#define SEQ_EMBED_KEYS                                                                            \
    {"should_embed", T_BOOL, "true", 0, 0, NULL, NULL, F_IGNORED, NULL},                         \
    {"vocab", T_STRLIST | T_NULL, "null", 0, 0, NULL, NULL, F_IGNORED, NULL},                     \
    {"representation", T_STR, "\"dense\"", 0, 0, "dense|sparse", NULL, F_IGNORED, NULL},          \
    {"embedding_size", T_INT, "256", 1, BIG, NULL, NULL, F_IGNORED, NULL},                       \
    {"embeddings_on_cpu", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},                   \
    {"embeddings_trainable", T_BOOL, "true", 0, 0, NULL, NULL, F_IGNORED, NULL},                 \
    {"pretrained_embeddings", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_IGNORED, NULL},        \
    {"max_sequence_length", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},         \
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL}

/* What Ludwig's update_config_with_metadata writes into a text encoder: accepted, rendered only
 * when set */
#define SEQ_META_KEYS                                                                             \
    {"vocab_size", T_INT | T_NULL, NULL, 0, BIG, NULL, NULL, F_IGNORED, NULL},                   \
    {"pad_idx", T_INT | T_NULL, NULL, 0, BIG, NULL, NULL, F_IGNORED, NULL},                      \
    {"num_tokens", T_INT | T_NULL, NULL, 0, BIG, NULL, NULL, F_IGNORED, NULL},                   \
    {"str2freq", T_MAP | T_NULL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},                       \
    {"str2idf", T_MAP | T_NULL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL}

/* StackedRNN: torch's RNN/GRU/LSTM; activation, recurrent_activation, unit_forget_bias and the
 * initializers are not passed to torch by Ludwig's RecurrentStack (they change nothing) */
static const lc_key rnn_keys[] = {
    {"type", T_STR, "\"rnn\"", 0, 0, "rnn", NULL, 0, NULL},
    SEQ_META_KEYS,
    /* Ludwig sets it on every input encoder when it saves a model: accepted, not rendered */
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    SEQ_EMBED_KEYS,
    {"input_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"cell_type", T_STR, "\"rnn\"", 0, 0, "rnn|lstm|gru", NULL, 0, NULL},
    {"num_layers", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"state_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"bidirectional", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"activation", T_STR | T_NULL, "\"tanh\"", 0, 0, ACTIVATIONS, NULL, F_IGNORED, NULL},
    {"recurrent_activation", T_STR | T_NULL, "\"sigmoid\"", 0, 0, ACTIVATIONS, NULL, F_IGNORED,
     NULL},
    {"unit_forget_bias", T_BOOL, "true", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"recurrent_initializer", T_STR | T_MAP, "\"orthogonal\"", 0, 0, INITIALIZERS, NULL,
     F_IGNORED, NULL},
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, F_IGNORED, NULL},
    {"recurrent_dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"weights_initializer", T_STR | T_MAP, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0,
     NULL},
    {"bias_initializer", T_STR | T_MAP, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"reduce_output", T_STR | T_NULL, "\"last\"", 0, 0, REDUCTIONS, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    {"num_fc_layers", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"fc_activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"fc_dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_rnn_enc = {"encoder", rnn_keys};

/* SequencePassthroughEncoder (timeseries): the series as (steps, 1), reduced or not */
static const lc_key seq_passthrough_keys[] = {
    {"type", T_STR, "\"passthrough\"", 0, 0, "passthrough", NULL, 0, NULL},
    /* Ludwig sets it on every input encoder when it saves a model: accepted, not rendered */
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"max_sequence_length", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"encoding_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"reduce_output", T_STR | T_NULL, "null", 0, 0, REDUCTIONS, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_seq_passthrough_enc = {"encoder", seq_passthrough_keys};

/* SequenceEmbedEncoder: the embeddings, dropout, a reduction */
static const lc_key seq_embed_keys[] = {
    {"type", T_STR, "\"embed\"", 0, 0, "embed", NULL, 0, NULL},
    /* Ludwig sets it on every input encoder when it saves a model: accepted, not rendered */
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    SEQ_EMBED_KEYS,
    SEQ_META_KEYS,
    {"weights_initializer", T_STR | T_MAP, "\"uniform\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"reduce_output", T_STR | T_NULL, "\"sum\"", 0, 0, REDUCTIONS, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_seq_embed_enc = {"encoder", seq_embed_keys};

/* ParallelCNN, the default encoder of text and timeseries: its keys and defaults, so that
 * configs naming it are validated and model_hyperparameters.json renders it; ludwig-c refuses
 * to build it (not implemented yet) */
static const lc_key parallel_cnn_keys[] = {
    {"type", T_STR, "\"parallel_cnn\"", 0, 0, "parallel_cnn", NULL, 0, NULL},
    SEQ_META_KEYS,
    /* Ludwig sets it on every input encoder when it saves a model: accepted, not rendered */
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    SEQ_EMBED_KEYS,
    {"conv_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_conv_layers", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"filter_size", T_INT, "3", 1, BIG, NULL, NULL, 0, NULL},
    {"num_filters", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"pool_function", T_STR, "\"max\"", 0, 0, "max|average|avg|mean", NULL, 0, NULL},
    {"pool_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"weights_initializer", T_STR | T_MAP, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0,
     NULL},
    {"bias_initializer", T_STR | T_MAP, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"reduce_output", T_STR | T_NULL, "\"sum\"", 0, 0, REDUCTIONS, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    {"num_fc_layers", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, 0, NULL},
    {"output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_parallel_cnn_enc = {"encoder", parallel_cnn_keys};

/* StackedCNNConfig: Conv1D layers one after the other, each with optional pooling */
static const lc_key stacked_cnn_keys[] = {
    {"type", T_STR, "\"stacked_cnn\"", 0, 0, "stacked_cnn", NULL, 0, NULL},
    SEQ_META_KEYS,
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    SEQ_EMBED_KEYS,
    {"conv_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_conv_layers", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"filter_size", T_INT, "3", 1, BIG, NULL, NULL, 0, NULL},
    {"num_filters", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"pool_function", T_STR, "\"max\"", 0, 0, "max|average|avg|mean", NULL, 0, NULL},
    {"pool_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"strides", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"padding", T_STR, "\"same\"", 0, 0, "valid|same", NULL, 0, NULL},
    {"dilation_rate", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"pool_strides", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"pool_padding", T_STR, "\"same\"", 0, 0, "valid|same", NULL, 0, NULL},
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"weights_initializer", T_STR | T_MAP, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0,
     NULL},
    {"bias_initializer", T_STR | T_MAP, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"reduce_output", T_STR | T_NULL, "\"sum\"", 0, 0, REDUCTIONS, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    {"num_fc_layers", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, 0, NULL},
    {"output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_stacked_cnn_enc = {"encoder", stacked_cnn_keys};

/* StackedTransformerConfig (text) */
static const lc_key transformer_keys[] = {
    {"type", T_STR, "\"transformer\"", 0, 0, "transformer", NULL, 0, NULL},
    SEQ_META_KEYS,
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    SEQ_EMBED_KEYS,
    {"dropout", T_FLOAT, "0.1", 0, 1, NULL, NULL, 0, NULL},
    {"num_layers", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"hidden_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"num_heads", T_INT, "8", 1, BIG, NULL, NULL, 0, NULL},
    {"transformer_output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"bias_initializer", T_STR | T_MAP, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"weights_initializer", T_STR | T_MAP, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0,
     NULL},
    {"reduce_output", T_STR | T_NULL, "\"last\"", 0, 0, REDUCTIONS, NULL, 0, NULL},
    {"output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_fc_layers", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"fc_activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"fc_dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    END,
};
const lc_section lc_sec_transformer_enc = {"encoder", transformer_keys};

/* StackedParallelCNNConfig: stacks of parallel Conv1D layers */
static const lc_key stacked_pcnn_keys[] = {
    {"type", T_STR, "\"stacked_parallel_cnn\"", 0, 0, "stacked_parallel_cnn", NULL, 0, NULL},
    SEQ_META_KEYS,
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    SEQ_EMBED_KEYS,
    {"num_stacked_layers", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    /* a list of lists of layers (T_MAPLIST without a section takes lists as items) */
    {"stacked_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_filters", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"filter_size", T_INT, "3", 1, BIG, NULL, NULL, 0, NULL},
    {"pool_function", T_STR, "\"max\"", 0, 0, "max|average|avg|mean", NULL, 0, NULL},
    {"pool_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"weights_initializer", T_STR | T_MAP, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0,
     NULL},
    {"bias_initializer", T_STR | T_MAP, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"reduce_output", T_STR | T_NULL, "\"sum\"", 0, 0, REDUCTIONS, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    {"num_fc_layers", T_INT | T_NULL, "null", 0, BIG, NULL, NULL, 0, NULL},
    {"output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_stacked_pcnn_enc = {"encoder", stacked_pcnn_keys};

/* StackedCNNRNNConfig: the Conv1D stack, then the RecurrentStack */
static const lc_key cnnrnn_keys[] = {
    {"type", T_STR, "\"cnnrnn\"", 0, 0, "cnnrnn", NULL, 0, NULL},
    SEQ_META_KEYS,
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},
    SEQ_EMBED_KEYS,
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"recurrent_dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"conv_dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"activation", T_STR | T_NULL, "\"tanh\"", 0, 0, ACTIVATIONS, NULL, F_IGNORED, NULL},
    {"recurrent_activation", T_STR | T_NULL, "\"sigmoid\"", 0, 0, ACTIVATIONS, NULL, F_IGNORED,
     NULL},
    {"conv_activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"cell_type", T_STR, "\"rnn\"", 0, 0, "rnn|lstm|gru", NULL, 0, NULL},
    {"num_conv_layers", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"conv_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_filters", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"filter_size", T_INT, "5", 1, BIG, NULL, NULL, 0, NULL},
    {"pool_function", T_STR, "\"max\"", 0, 0, "max|average|avg|mean", NULL, 0, NULL},
    {"pool_size", T_INT | T_NULL, "2", 1, BIG, NULL, NULL, 0, NULL},
    {"strides", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"padding", T_STR, "\"same\"", 0, 0, "valid|same", NULL, 0, NULL},
    {"dilation_rate", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"pool_strides", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"pool_padding", T_STR, "\"same\"", 0, 0, "valid|same", NULL, 0, NULL},
    {"num_rec_layers", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"state_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"bidirectional", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"unit_forget_bias", T_BOOL, "true", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"recurrent_initializer", T_STR | T_MAP, "\"orthogonal\"", 0, 0, INITIALIZERS, NULL,
     F_IGNORED, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"bias_initializer", T_STR | T_MAP, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"weights_initializer", T_STR | T_MAP, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0,
     NULL},
    {"reduce_output", T_STR | T_NULL, "\"last\"", 0, 0, REDUCTIONS, NULL, 0, NULL},
    {"output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_fc_layers", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"fc_activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"fc_dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    END,
};
const lc_section lc_sec_cnnrnn_enc = {"encoder", cnnrnn_keys};

/* ------------------------------------------------------------------------------------------ */
/* decoder                                                                                    */

/* The regressor with the output feature's fc stack before it (fc_* keys). */
static const lc_key regressor_keys[] = {
    {"type", T_STR, "\"regressor\"", 0, 0, "regressor", NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    {"num_fc_layers", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"fc_output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"fc_use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"fc_weights_initializer", T_STR | T_MAP | T_NULL, "\"xavier_uniform\"", 0, 0, INITIALIZERS,
     NULL, 0, NULL},
    {"fc_bias_initializer", T_STR | T_MAP | T_NULL, "\"zeros\"", 0, 0, INITIALIZERS, NULL,
     0, NULL},
    {"fc_norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},
    {"fc_norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"fc_activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"fc_dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"input_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"weights_initializer", T_STR, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"bias_initializer", T_STR, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_regressor = {"decoder", regressor_keys};


/* The projector (timeseries and vector outputs): rendered in defaults.timeseries; ludwig-c has
 * no timeseries output yet */
static const lc_key projector_keys[] = {
    {"type", T_STR, "\"projector\"", 0, 0, "projector", NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    {"num_fc_layers", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"fc_output_size", T_INT, "256", 1, BIG, NULL, NULL, 0, NULL},
    {"fc_use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"fc_weights_initializer", T_STR | T_MAP | T_NULL, "\"xavier_uniform\"", 0, 0, INITIALIZERS,
     NULL, 0, NULL},
    {"fc_bias_initializer", T_STR | T_MAP | T_NULL, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0,
     NULL},
    {"fc_norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},
    {"fc_norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"fc_activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"fc_dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},
    {"input_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"output_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, 0, NULL},
    {"activation", T_STR | T_NULL, "null", 0, 0, ACTIVATIONS, NULL, 0, NULL},
    {"multiplier", T_FLOAT, "1.0", 0, BIG, NULL, NULL, 0, NULL},
    {"clip", T_NUMLIST | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},
    {"weights_initializer", T_STR, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    {"bias_initializer", T_STR, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_projector = {"decoder", projector_keys};

/* ------------------------------------------------------------------------------------------ */
/* losses                                                                                     */

#define LOSS_WEIGHT {"weight", T_FLOAT, "1.0", 0, BIG, NULL, NULL, 0, NULL}

static const lc_key mse_keys[] = {
    {"type", T_STR, "\"mean_squared_error\"", 0, 0, "mean_squared_error", NULL, 0, NULL},
    LOSS_WEIGHT,
    END,
};
const lc_section lc_sec_loss_mse = {"loss", mse_keys};

static const lc_key mae_keys[] = {
    {"type", T_STR, "\"mean_absolute_error\"", 0, 0, "mean_absolute_error", NULL, 0, NULL},
    LOSS_WEIGHT,
    END,
};
const lc_section lc_sec_loss_mae = {"loss", mae_keys};

static const lc_key rmse_keys[] = {
    {"type", T_STR, "\"root_mean_squared_error\"", 0, 0, "root_mean_squared_error", NULL, 0,
     NULL},
    LOSS_WEIGHT,
    END,
};
const lc_section lc_sec_loss_rmse = {"loss", rmse_keys};

static const lc_key mape_keys[] = {
    {"type", T_STR, "\"mean_absolute_percentage_error\"", 0, 0, "mean_absolute_percentage_error",
     NULL, 0, NULL},
    LOSS_WEIGHT,
    END,
};
const lc_section lc_sec_loss_mape = {"loss", mape_keys};

static const lc_key rmspe_keys[] = {
    {"type", T_STR, "\"root_mean_squared_percentage_error\"", 0, 0,
     "root_mean_squared_percentage_error", NULL, 0, NULL},
    LOSS_WEIGHT,
    END,
};
const lc_section lc_sec_loss_rmspe = {"loss", rmspe_keys};

static const lc_key huber_keys[] = {
    {"type", T_STR, "\"huber\"", 0, 0, "huber", NULL, 0, NULL},
    {"delta", T_FLOAT, "1.0", 0, BIG, NULL, NULL, F_EXCL_MIN, NULL},
    LOSS_WEIGHT,
    END,
};
const lc_section lc_sec_loss_huber = {"loss", huber_keys};

/* robust_lambda is a NonNegativeInteger upstream (so 0.1 is refused there too) */
static const lc_key bwce_keys[] = {
    {"type", T_STR, "\"binary_weighted_cross_entropy\"", 0, 0, "binary_weighted_cross_entropy",
     NULL, 0, NULL},
    {"positive_class_weight", T_FLOAT | T_NULL, "null", 0, BIG, NULL, NULL, 0, NULL},
    {"robust_lambda", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"confidence_penalty", T_FLOAT, "0", 0, BIG, NULL, NULL, 0, NULL},
    LOSS_WEIGHT,
    END,
};
const lc_section lc_sec_loss_bwce = {"loss", bwce_keys};

/* ------------------------------------------------------------------------------------------ */
/* features                                                                                   */

#define FEATURE_COMMON(type_name)                                                                 \
    {"name", T_STR, NULL, 0, 0, NULL, NULL, 0, NULL},                                             \
    {"type", T_STR, NULL, 0, 0, type_name, NULL, 0, NULL},                                        \
    {"column", T_STR, NULL, 0, 0, NULL, NULL, 0, NULL},                                           \
    {"proc_column", T_STR, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},                              \
    {"active", T_BOOL, "true", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL}

/* reduce_input / reduce_dependencies only act on 3-D decoder inputs, which the concat combiner
 * never gives; dependencies between outputs are not implemented */
#define OUTPUT_COMMON                                                                             \
    {"reduce_input", T_STR | T_NULL, "\"sum\"", 0, 0, REDUCTIONS, NULL, F_IGNORED, NULL},         \
    {"dependencies", T_NUMLIST | T_NULL, "[]", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},           \
    {"reduce_dependencies", T_STR | T_NULL, "\"sum\"", 0, 0, REDUCTIONS, NULL, F_IGNORED, NULL},  \
    {"input_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},                  \
    {"num_classes", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL}

static const lc_key number_input_keys[] = {
    FEATURE_COMMON("number"),
    {"tied", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_number_pre, 0, NULL},
    {"encoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_passthrough_enc, 0, NULL},
    END,
};
const lc_section lc_sec_number_input = {"input_features[]", number_input_keys};

static const lc_key number_output_keys[] = {
    FEATURE_COMMON("number"),
    OUTPUT_COMMON,
    {"default_validation_metric", T_STR, "\"mean_squared_error\"", 0, 0, "mean_squared_error",
     NULL, 0, NULL},
    {"clip", T_NUMLIST | T_NULL, "null", 0, 999999999, NULL, NULL, 0, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_number_out_pre, 0, NULL},
    {"decoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_regressor, 0, NULL},
    {"loss", T_MAP, "{}", 0, 0, NULL, &lc_sec_loss_mse, 0, NULL},
    END,
};
const lc_section lc_sec_number_output = {"output_features[]", number_output_keys};

static const lc_key binary_input_keys[] = {
    FEATURE_COMMON("binary"),
    {"tied", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_binary_pre, 0, NULL},
    {"encoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_passthrough_enc, 0, NULL},
    END,
};
const lc_section lc_sec_binary_input = {"input_features[]", binary_input_keys};

static const lc_key binary_output_keys[] = {
    FEATURE_COMMON("binary"),
    OUTPUT_COMMON,
    {"calibration", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"default_validation_metric", T_STR, "\"roc_auc\"", 0, 0, "roc_auc", NULL, 0, NULL},
    {"threshold", T_FLOAT, "0.5", 0, 1, NULL, NULL, 0, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_binary_out_pre, 0, NULL},
    {"decoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_regressor, 0, NULL},
    {"loss", T_MAP, "{}", 0, 0, NULL, &lc_sec_loss_bwce, 0, NULL},
    END,
};
const lc_section lc_sec_binary_output = {"output_features[]", binary_output_keys};

static const lc_key category_input_keys[] = {
    FEATURE_COMMON("category"),
    {"tied", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_category_in_pre, 0, NULL},
    {"encoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_category_dense_enc, 0, NULL},
    END,
};
const lc_section lc_sec_category_input = {"input_features[]", category_input_keys};


static const lc_key timeseries_input_keys[] = {
    FEATURE_COMMON("timeseries"),
    {"tied", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_timeseries_pre, 0, NULL},
    {"encoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_parallel_cnn_enc, 0, NULL},
    END,
};
const lc_section lc_sec_timeseries_input = {"input_features[]", timeseries_input_keys};


static const lc_key text_input_keys[] = {
    FEATURE_COMMON("text"),
    {"tied", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_text_pre, 0, NULL},
    {"encoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_parallel_cnn_enc, 0, NULL},
    END,
};
const lc_section lc_sec_text_input = {"input_features[]", text_input_keys};

static const lc_key set_input_keys[] = {
    FEATURE_COMMON("set"),
    {"tied", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_set_pre, 0, NULL},
    {"encoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_set_embed_enc, 0, NULL},
    END,
};
const lc_section lc_sec_set_input = {"input_features[]", set_input_keys};

static const lc_key bag_input_keys[] = {
    FEATURE_COMMON("bag"),
    {"tied", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_set_pre, 0, NULL},
    {"encoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_bag_embed_enc, 0, NULL},
    END,
};
const lc_section lc_sec_bag_input = {"input_features[]", bag_input_keys};

/* DateEmbedConfig / DateWaveConfig (ludwig/schema/encoders/date_encoders.py) */
#define DATE_ENC_COMMON(type_name)                                                                \
    {"type", T_STR, "\"" type_name "\"", 0, 0, type_name, NULL, 0, NULL},                        \
    {"saved_weights_in_checkpoint", T_BOOL, NULL, 0, 0, NULL, NULL, F_IGNORED, NULL},             \
    {"skip", T_BOOL, "false", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},                           \
    {"dropout", T_FLOAT, "0.0", 0, 1, NULL, NULL, 0, NULL},                                        \
    {"activation", T_STR | T_NULL, "\"relu\"", 0, 0, ACTIVATIONS, NULL, 0, NULL},                 \
    {"use_bias", T_BOOL, "true", 0, 0, NULL, NULL, 0, NULL},                                     \
    {"bias_initializer", T_STR | T_MAP, "\"zeros\"", 0, 0, INITIALIZERS, NULL, 0, NULL},           \
    {"weights_initializer", T_STR | T_MAP, "\"xavier_uniform\"", 0, 0, INITIALIZERS, NULL, 0,     \
     NULL}
static const lc_key date_embed_keys[] = {
    DATE_ENC_COMMON("embed"),
    {"embedding_size", T_INT, "10", 1, BIG, NULL, NULL, 0, NULL},
    {"embeddings_on_cpu", T_BOOL, "false", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"output_size", T_INT, "10", 1, BIG, NULL, NULL, 0, NULL},
    {"norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_fc_layers", T_INT, "0", 0, BIG, NULL, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    END,
};
const lc_section lc_sec_date_embed_enc = {"encoder", date_embed_keys};
static const lc_key date_wave_keys[] = {
    DATE_ENC_COMMON("wave"),
    {"output_size", T_INT, "10", 1, BIG, NULL, NULL, 0, NULL},
    {"norm", T_STR | T_NULL, "null", 0, 0, NORMS, NULL, 0, NULL},
    {"norm_params", T_MAP | T_NULL, "null", 0, 0, NULL, NULL, 0, NULL},
    {"num_fc_layers", T_INT, "1", 1, BIG, NULL, NULL, 0, NULL},
    {"fc_layers", T_MAPLIST | T_NULL, "null", 0, 0, NULL, &lc_sec_fc_layer, 0, NULL},
    END,
};
const lc_section lc_sec_date_wave_enc = {"encoder", date_wave_keys};

static const lc_key date_input_keys[] = {
    FEATURE_COMMON("date"),
    {"tied", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_date_pre, 0, NULL},
    {"encoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_date_embed_enc, 0, NULL},
    END,
};
const lc_section lc_sec_date_input = {"input_features[]", date_input_keys};

static const lc_key vector_input_keys[] = {
    FEATURE_COMMON("vector"),
    {"tied", T_STR | T_NULL, "null", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_vector_pre, 0, NULL},
    {"encoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_dense_enc, 0, NULL},
    END,
};
const lc_section lc_sec_vector_input = {"input_features[]", vector_input_keys};

/* vector outputs (VectorOutputFeatureConfig): the projector decoder, mean_squared_error */
static const lc_key vector_output_keys[] = {
    FEATURE_COMMON("vector"),
    {"reduce_input", T_STR | T_NULL, "null", 0, 0, REDUCTIONS, NULL, F_IGNORED, NULL},
    {"dependencies", T_NUMLIST | T_NULL, "[]", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"reduce_dependencies", T_STR | T_NULL, "null", 0, 0, REDUCTIONS, NULL, F_IGNORED, NULL},
    {"input_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"num_classes", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"default_validation_metric", T_STR, "\"mean_squared_error\"", 0, 0, "mean_squared_error",
     NULL, 0, NULL},
    {"softmax", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"vector_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_vector_out_pre, 0, NULL},
    {"decoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_projector, 0, NULL},
    {"loss", T_MAP, "{}", 0, 0, NULL, &lc_sec_loss_mse, 0, NULL},
    END,
};
const lc_section lc_sec_vector_output = {"output_features[]", vector_output_keys};

/* timeseries outputs (TimeseriesOutputFeatureConfig): the projector, huber */
static const lc_key timeseries_output_keys[] = {
    FEATURE_COMMON("timeseries"),
    {"reduce_input", T_STR | T_NULL, "null", 0, 0, REDUCTIONS, NULL, F_IGNORED, NULL},
    {"dependencies", T_NUMLIST | T_NULL, "[]", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"reduce_dependencies", T_STR | T_NULL, "null", 0, 0, REDUCTIONS, NULL, F_IGNORED, NULL},
    {"input_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"num_classes", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"default_validation_metric", T_STR, "\"mean_squared_error\"", 0, 0, "mean_squared_error",
     NULL, 0, NULL},
    {"horizon", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_timeseries_out_pre, 0, NULL},
    {"decoder", T_MAP | T_STR, "{}", 0, 0, NULL, &lc_sec_projector, 0, NULL},
    {"loss", T_MAP, "{}", 0, 0, NULL, &lc_sec_loss_huber, 0, NULL},
    END,
};
const lc_section lc_sec_timeseries_output = {"output_features[]", timeseries_output_keys};

/* set outputs (SetOutputFeatureConfig): the classifier decoder, sigmoid_cross_entropy, threshold;
 * preprocessing as the inputs' but rows with a missing value are dropped */
static const lc_key set_out_pre_keys[] = {
    {"tokenizer", T_STR, "\"space\"", 0, 0,
     "space_punct|space|underscore|comma|characters|untokenized|stripped|ngram", NULL, 0, NULL},
    {"missing_value_strategy", T_STR, "\"drop_row\"", 0, 0, MISSING_CATEGORY, NULL, 0, NULL},
    {"fill_value", T_STR, "\"<UNK>\"", 0, 0, NULL, NULL, 0, NULL},
    {"computed_fill_value", T_STR, "\"<UNK>\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"lowercase", T_BOOL, "false", 0, 0, NULL, NULL, 0, NULL},
    {"most_common", T_INT, "10000", 1, BIG, NULL, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_set_out_pre = {"preprocessing", set_out_pre_keys};

static const lc_key sigmoid_xent_keys[] = {
    {"type", T_STR, "\"sigmoid_cross_entropy\"", 0, 0, "sigmoid_cross_entropy", NULL, 0, NULL},
    {"class_weights", T_NUMLIST | T_MAP | T_NULL, "null", 0, BIG, NULL, NULL, 0, NULL},
    {"weight", T_FLOAT, "1.0", 0, BIG, NULL, NULL, 0, NULL},
    END,
};
const lc_section lc_sec_sigmoid_xent = {"loss", sigmoid_xent_keys};

static const lc_key set_output_keys[] = {
    FEATURE_COMMON("set"),
    {"default_validation_metric", T_STR, "\"jaccard\"", 0, 0, "jaccard", NULL, 0, NULL},
    {"dependencies", T_NUMLIST, "[]", 0, 0, NULL, NULL, F_DEFAULT_ONLY, NULL},
    {"reduce_dependencies", T_STR, "\"sum\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"reduce_input", T_STR, "\"sum\"", 0, 0, NULL, NULL, F_IGNORED, NULL},
    {"threshold", T_FLOAT, "0.5", 0, 1, NULL, NULL, 0, NULL},
    {"input_size", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"num_classes", T_INT | T_NULL, "null", 1, BIG, NULL, NULL, F_IGNORED, NULL},
    {"decoder", T_MAP, "{}", 0, 0, NULL, &lc_sec_classifier, 0, NULL},
    {"loss", T_MAP, "{}", 0, 0, NULL, &lc_sec_sigmoid_xent, 0, NULL},
    {"preprocessing", T_MAP, "{}", 0, 0, NULL, &lc_sec_set_out_pre, 0, NULL},
    END,
};
const lc_section lc_sec_set_output = {"output_features[]", set_output_keys};

/* ------------------------------------------------------------------------------------------ */
/* dispatch on `type`                                                                         */

typedef struct typed_entry {
    const char *feature_type;
    lc_tab_part part;
    const char *type;
    const lc_section *sec;
} typed_entry;

/* the first entry of each (feature type, part) is Ludwig's default type */
static const typed_entry typed[] = {
    {"number", LC_TAB_ENCODER, "passthrough", &lc_sec_passthrough_enc},
    {"number", LC_TAB_ENCODER, "dense", &lc_sec_dense_enc},
    {"number", LC_TAB_DECODER, "regressor", &lc_sec_regressor},
    {"number", LC_TAB_LOSS, "mean_squared_error", &lc_sec_loss_mse},
    {"number", LC_TAB_LOSS, "mean_absolute_error", &lc_sec_loss_mae},
    {"number", LC_TAB_LOSS, "root_mean_squared_error", &lc_sec_loss_rmse},
    {"number", LC_TAB_LOSS, "mean_absolute_percentage_error", &lc_sec_loss_mape},
    {"number", LC_TAB_LOSS, "root_mean_squared_percentage_error", &lc_sec_loss_rmspe},
    {"number", LC_TAB_LOSS, "huber", &lc_sec_loss_huber},
    {"binary", LC_TAB_ENCODER, "passthrough", &lc_sec_passthrough_enc},
    {"binary", LC_TAB_ENCODER, "dense", &lc_sec_dense_enc},
    {"binary", LC_TAB_DECODER, "regressor", &lc_sec_regressor},
    {"binary", LC_TAB_LOSS, "binary_weighted_cross_entropy", &lc_sec_loss_bwce},
    {"category", LC_TAB_ENCODER, "dense", &lc_sec_category_dense_enc},
    {"category", LC_TAB_ENCODER, "sparse", &lc_sec_category_sparse_enc},
    {"category", LC_TAB_ENCODER, "onehot", &lc_sec_category_onehot_enc},
    {"category", LC_TAB_ENCODER, "passthrough", &lc_sec_category_passthrough_enc},
    {"category", LC_TAB_DECODER, "classifier", &lc_sec_classifier},
    {"category", LC_TAB_LOSS, "softmax_cross_entropy", &lc_sec_xent},
    {"timeseries", LC_TAB_ENCODER, "parallel_cnn", &lc_sec_parallel_cnn_enc},
    {"timeseries", LC_TAB_ENCODER, "rnn", &lc_sec_rnn_enc},
    {"timeseries", LC_TAB_ENCODER, "dense", &lc_sec_dense_enc},
    {"timeseries", LC_TAB_ENCODER, "stacked_cnn", &lc_sec_stacked_cnn_enc},
    {"timeseries", LC_TAB_ENCODER, "cnnrnn", &lc_sec_cnnrnn_enc},
    {"timeseries", LC_TAB_ENCODER, "stacked_parallel_cnn", &lc_sec_stacked_pcnn_enc},
    {"timeseries", LC_TAB_ENCODER, "transformer", &lc_sec_transformer_enc},
    {"timeseries", LC_TAB_ENCODER, "passthrough", &lc_sec_seq_passthrough_enc},
    {"timeseries", LC_TAB_DECODER, "projector", &lc_sec_projector},
    {"timeseries", LC_TAB_LOSS, "huber", &lc_sec_loss_huber},
    {"timeseries", LC_TAB_LOSS, "mean_squared_error", &lc_sec_loss_mse},
    {"timeseries", LC_TAB_LOSS, "mean_absolute_error", &lc_sec_loss_mae},
    {"text", LC_TAB_ENCODER, "parallel_cnn", &lc_sec_parallel_cnn_enc},
    {"text", LC_TAB_ENCODER, "rnn", &lc_sec_rnn_enc},
    {"text", LC_TAB_ENCODER, "embed", &lc_sec_seq_embed_enc},
    {"text", LC_TAB_ENCODER, "stacked_cnn", &lc_sec_stacked_cnn_enc},
    {"text", LC_TAB_ENCODER, "cnnrnn", &lc_sec_cnnrnn_enc},
    {"text", LC_TAB_ENCODER, "stacked_parallel_cnn", &lc_sec_stacked_pcnn_enc},
    {"text", LC_TAB_ENCODER, "transformer", &lc_sec_transformer_enc},
    {"set", LC_TAB_ENCODER, "embed", &lc_sec_set_embed_enc},
    {"set", LC_TAB_DECODER, "classifier", &lc_sec_classifier},
    {"set", LC_TAB_LOSS, "sigmoid_cross_entropy", &lc_sec_sigmoid_xent},
    {"bag", LC_TAB_ENCODER, "embed", &lc_sec_bag_embed_enc},
    {"date", LC_TAB_ENCODER, "embed", &lc_sec_date_embed_enc},
    {"date", LC_TAB_ENCODER, "wave", &lc_sec_date_wave_enc},
    {"vector", LC_TAB_ENCODER, "dense", &lc_sec_dense_enc},
    {"vector", LC_TAB_ENCODER, "passthrough", &lc_sec_passthrough_enc},
    {"vector", LC_TAB_DECODER, "projector", &lc_sec_projector},
    {"vector", LC_TAB_LOSS, "mean_squared_error", &lc_sec_loss_mse},
    {"vector", LC_TAB_LOSS, "mean_absolute_error", &lc_sec_loss_mae},
};
#define N_TYPED (sizeof typed / sizeof *typed)

typedef struct names_entry {
    const char *feature_type;
    lc_tab_part part;
    const char *names;
} names_entry;

static const names_entry part_names[] = {
    {"number", LC_TAB_ENCODER, "passthrough|dense"},
    {"number", LC_TAB_DECODER, "regressor"},
    {"number", LC_TAB_LOSS, NUMBER_LOSSES},
    {"binary", LC_TAB_ENCODER, "passthrough|dense"},
    {"binary", LC_TAB_DECODER, "regressor"},
    {"binary", LC_TAB_LOSS, "binary_weighted_cross_entropy"},
    {"category", LC_TAB_ENCODER, "dense|sparse|onehot|passthrough"},
    {"category", LC_TAB_DECODER, "classifier"},
    {"category", LC_TAB_LOSS, "softmax_cross_entropy"},
    {"timeseries", LC_TAB_ENCODER, "parallel_cnn|rnn|dense|stacked_cnn|cnnrnn|stacked_parallel_cnn|transformer|passthrough"},
    {"timeseries", LC_TAB_DECODER, "projector"},
    {"timeseries", LC_TAB_LOSS, "huber|mean_squared_error|mean_absolute_error"},
    {"text", LC_TAB_ENCODER, "parallel_cnn|rnn|embed|stacked_cnn|cnnrnn|stacked_parallel_cnn|transformer"},
    {"set", LC_TAB_ENCODER, "embed"},
    {"set", LC_TAB_DECODER, "classifier"},
    {"set", LC_TAB_LOSS, "sigmoid_cross_entropy"},
    {"bag", LC_TAB_ENCODER, "embed"},
    {"date", LC_TAB_ENCODER, "embed|wave"},
    {"vector", LC_TAB_ENCODER, "dense|passthrough"},
    {"vector", LC_TAB_DECODER, "projector"},
    {"vector", LC_TAB_LOSS, "mean_squared_error|mean_absolute_error"},
};

const lc_section *lc_tab_part_section(lc_tab_part part, const char *feature_type,
                                      const char *type)
{
    if (!feature_type || !type)
        return NULL;
    for (size_t i = 0; i < N_TYPED; i++)
        if (typed[i].part == part && strcmp(typed[i].feature_type, feature_type) == 0 &&
            strcmp(typed[i].type, type) == 0)
            return typed[i].sec;
    return NULL;
}

const char *lc_tab_part_names(lc_tab_part part, const char *feature_type)
{
    if (!feature_type)
        return NULL;
    for (size_t i = 0; i < sizeof part_names / sizeof *part_names; i++)
        if (part_names[i].part == part && strcmp(part_names[i].feature_type, feature_type) == 0)
            return part_names[i].names;
    return NULL;
}

const char *lc_tab_part_default(lc_tab_part part, const char *feature_type)
{
    if (!feature_type)
        return NULL;
    for (size_t i = 0; i < N_TYPED; i++)
        if (typed[i].part == part && strcmp(typed[i].feature_type, feature_type) == 0)
            return typed[i].type;
    return NULL;
}

const char *lc_tab_part_key(lc_tab_part part)
{
    switch (part) {
    case LC_TAB_ENCODER:
        return "encoder";
    case LC_TAB_DECODER:
        return "decoder";
    case LC_TAB_LOSS:
        return "loss";
    }
    return "";
}

const lc_section *lc_encoder_section(const char *feature_type, const char *encoder_type)
{
    return lc_tab_part_section(LC_TAB_ENCODER, feature_type, encoder_type);
}

const char *lc_encoder_names(const char *feature_type)
{
    return lc_tab_part_names(LC_TAB_ENCODER, feature_type);
}

const lc_section *lc_number_loss_section(const char *type)
{
    return lc_tab_part_section(LC_TAB_LOSS, "number", type);
}

const lc_section *lc_tab_feature_section(const char *feature_type, int output)
{
    if (!feature_type)
        return NULL;
    if (strcmp(feature_type, "number") == 0)
        return output ? &lc_sec_number_output : &lc_sec_number_input;
    if (strcmp(feature_type, "binary") == 0)
        return output ? &lc_sec_binary_output : &lc_sec_binary_input;
    if (strcmp(feature_type, "category") == 0)
        return output ? &lc_sec_category_output : &lc_sec_category_input;
    if (strcmp(feature_type, "timeseries") == 0)
        return output ? &lc_sec_timeseries_output : &lc_sec_timeseries_input;
    if (strcmp(feature_type, "text") == 0 && !output)
        return &lc_sec_text_input;
    if (strcmp(feature_type, "set") == 0)
        return output ? &lc_sec_set_output : &lc_sec_set_input;
    if (strcmp(feature_type, "bag") == 0 && !output)
        return &lc_sec_bag_input;
    if (strcmp(feature_type, "vector") == 0)
        return output ? &lc_sec_vector_output : &lc_sec_vector_input;
    if (strcmp(feature_type, "date") == 0 && !output)
        return &lc_sec_date_input;
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Python int/float form                                                                      */

/* The entry of y that sets key k of sec (under its name or a legacy alias), or NULL. */
static const lc_ynode *given(const lc_section *sec, const lc_ynode *y, const char *name)
{
    if (!y || y->kind != LC_YMAP)
        return NULL;
    for (size_t i = 0; i < y->n; i++) {
        const char *key = y->entries[i].key;
        if (strcmp(key, name) == 0)
            return y->entries[i].value;
        for (const lc_key *k = sec->keys; k->name; k++)
            if (k->alias_of && strcmp(k->name, key) == 0 && strcmp(k->alias_of, name) == 0)
                return y->entries[i].value;
    }
    return NULL;
}

static cJSON *python_number(double v, int as_float)
{
    if (as_float)
        return lc_json_float(v);
    if (v >= -9.2e18 && v <= 9.2e18 && v == (double)(long long)v)
        return lc_json_int((long long)v);
    return lc_json_float(v);
}

/* Puts fresh (a re-created number, NULL when out of memory) in place of v: under key in an
 * object, at v's position in an array (key NULL). */
static void retag(cJSON *parent, cJSON *v, const char *key, cJSON *fresh)
{
    if (!fresh)
        return; /* out of memory: keep the untagged number */
    int ok = key ? cJSON_ReplaceItemInObjectCaseSensitive(parent, key, fresh)
                 : cJSON_ReplaceItemViaPointer(parent, v, fresh);
    if (!ok)
        cJSON_Delete(fresh);
}

void lc_tab_tag_numbers(const lc_section *sec, cJSON *obj, const lc_ynode *y,
                        const cJSON *defaults_obj)
{
    if (!sec || !cJSON_IsObject(obj))
        return;
    for (const lc_key *k = sec->keys; k->name; k++) {
        if (k->alias_of)
            continue;
        cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, k->name);
        if (!v)
            continue;
        const lc_ynode *yk = given(sec, y, k->name);
        const cJSON *dk =
            cJSON_IsObject(defaults_obj) ? cJSON_GetObjectItemCaseSensitive(defaults_obj, k->name)
                                         : NULL;
        int float_only = (k->types & T_FLOAT) && !(k->types & T_INT);
        if (cJSON_IsNumber(v)) {
            if (yk || dk) {
                retag(obj, v, k->name, python_number(v->valuedouble, float_only));
            } else if (k->dflt) {
                cJSON *d = lc_json_parse(k->dflt, strlen(k->dflt), k->name, NULL);
                if (d && cJSON_IsNumber(d) && d->valuedouble == v->valuedouble)
                    retag(obj, v, k->name, d);
                else
                    cJSON_Delete(d);
            }
        } else if (cJSON_IsArray(v) && (k->types & T_NUMLIST)) {
            /* a list of numbers is a float list upstream unless the key also takes an int */
            int list_float = !(k->types & T_INT);
            cJSON *it = v->child;
            while (it) {
                cJSON *next = it->next;
                if (cJSON_IsNumber(it))
                    retag(v, it, NULL, python_number(it->valuedouble, list_float));
                it = next;
            }
        } else if (cJSON_IsArray(v) && (k->types & T_MAPLIST) && k->sub) {
            /* list items hold exactly what the user wrote */
            size_t i = 0;
            for (cJSON *it = v->child; it; it = it->next, i++) {
                const lc_ynode *yi =
                    yk && yk->kind == LC_YSEQ && i < yk->n ? yk->items[i] : NULL;
                lc_tab_tag_numbers(k->sub, it, yi, NULL);
            }
        } else if (cJSON_IsObject(v) && k->sub) {
            lc_tab_tag_numbers(k->sub, v, yk, dk);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* filling typed parts and features                                                           */

/* Types Ludwig 0.10.3 registers for a (feature type, part) that ludwig-c has no tables for yet:
 * named as not supported rather than unknown. */
static const names_entry ludwig_only[] = {
    {"timeseries", LC_TAB_ENCODER,
     "passthrough"},
    {"text", LC_TAB_ENCODER,
     "bert|auto_transformer|tf_idf|llm"},
};

static lc_status unknown_type(const lc_schema_ctx *c, lc_tab_part part, const char *feature_type,
                              const lc_ynode *at, const char *path, const char *type)
{
    for (size_t i = 0; i < sizeof ludwig_only / sizeof *ludwig_only; i++) {
        if (ludwig_only[i].part != part || strcmp(ludwig_only[i].feature_type, feature_type) != 0)
            continue;
        size_t tl = strlen(type);
        for (const char *p = ludwig_only[i].names; *p;) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len == tl && strncmp(p, type, len) == 0)
                return lc_error_set(c->e, LC_ERR_CONFIG,
                                    "%s:%d:%d: %s.type: %s %s '%s' is not supported by ludwig-c yet (supported: %s)",
                                    c->file, at ? at->line : 0, at ? at->col : 0, path,
                                    feature_type, lc_tab_part_key(part), type,
                                    strcmp(feature_type, "text") == 0 ? "parallel_cnn, stacked_cnn, stacked_parallel_cnn, rnn, cnnrnn, transformer, embed"
                                                                       : "parallel_cnn, stacked_cnn, stacked_parallel_cnn, rnn, cnnrnn, transformer, dense");
            p = bar ? bar + 1 : p + len;
        }
    }
    const char *names = lc_tab_part_names(part, feature_type);
    char list[512];
    snprintf(list, sizeof list, "%s", names ? names : "");
    const char *words[16] = {NULL};
    int n = 0;
    for (char *p = list; *p && n < 16;) {
        words[n++] = p;
        char *bar = strchr(p, '|');
        if (!bar)
            break;
        *bar = '\0';
        p = bar + 1;
    }
    const char *near = lc_nearest_word(words, n, type);
    char shown[512];
    snprintf(shown, sizeof shown, "%s", names ? names : "");
    for (char *p = shown; *p; p++)
        if (*p == '|')
            *p = ',';
    lc_error_set(c->e, LC_ERR_CONFIG,
                 "%s:%d:%d: %s.type: unknown %s '%s' for a %s feature (expected one of %s)",
                 c->file, at ? at->line : 0, at ? at->col : 0, path, lc_tab_part_key(part), type,
                 feature_type, shown);
    if (near)
        lc_error_hint(c->e, "did you mean '%s'?", near);
    return LC_ERR_CONFIG;
}

lc_status lc_tab_part_fill(const lc_schema_ctx *c, lc_tab_part part, const char *feature_type,
                           const lc_ynode *y, const char *path, const cJSON *defaults_obj,
                           int fill_defaults, cJSON **out)
{
    *out = NULL;
    const char *dflt_type = lc_tab_part_default(part, feature_type);
    if (!dflt_type)
        return lc_error_set(c->e, LC_ERR_INTERNAL, "%s: no %s tables for feature type '%s'", path,
                            lc_tab_part_key(part), feature_type ? feature_type : "(null)");
    if (y && y->kind == LC_YSCALAR && lc_yscalar_is_null(y))
        y = NULL;
    const cJSON *dtype_item =
        cJSON_IsObject(defaults_obj) ? cJSON_GetObjectItemCaseSensitive(defaults_obj, "type")
                                     : NULL;
    const char *dtype = cJSON_IsString(dtype_item) ? dtype_item->valuestring : NULL;
    const char *type = NULL;
    const lc_ynode *at = y, *ymap = NULL;
    const cJSON *use_defaults = NULL;
    if (y && y->kind == LC_YSCALAR) {
        if (part == LC_TAB_LOSS)
            return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: expected a mapping, got '%s'",
                                c->file, y->line, y->col, path, y->str);
        type = y->str; /* `encoder: dense`: upstream reads it as {type: dense}, no defaults */
    } else if (y && y->kind == LC_YMAP) {
        ymap = y;
        const lc_ynode *yt = lc_ymap_get(y, "type");
        if (yt && yt->kind != LC_YSCALAR)
            return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s.type: expected a string",
                                c->file, yt->line, yt->col, path);
        if (yt && !lc_yscalar_is_null(yt)) {
            type = yt->str;
            at = yt;
            /* upstream merges the defaults only when their type is the same */
            if (dtype && strcmp(dtype, type) == 0)
                use_defaults = defaults_obj;
        } else {
            use_defaults = defaults_obj;
        }
    } else if (y) {
        return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: expected a mapping, got a list",
                            c->file, y->line, y->col, path);
    } else {
        use_defaults = defaults_obj;
    }
    if (!type)
        type = dtype ? dtype : dflt_type;
    const lc_section *sec = lc_tab_part_section(part, feature_type, type);
    if (!sec && type == dtype) { /* named by defaults.<type>, which took any Ludwig name */
        const char *names = lc_tab_part_names(part, feature_type);
        char shown[512];
        snprintf(shown, sizeof shown, "%s", names ? names : "");
        for (char *q = shown; *q; q++)
            if (*q == '|')
                *q = ',';
        return lc_error_set(c->e, LC_ERR_CONFIG,
                            "%s: %s: %s '%s' (from defaults.%s.%s) is not supported by ludwig-c for %s features yet (supported: %s)",
                            c->file, path, lc_tab_part_key(part), type, feature_type,
                            lc_tab_part_key(part), feature_type, shown);
    }
    if (!sec)
        return unknown_type(c, part, feature_type, at, path, type);
    if (!fill_defaults)
        use_defaults = NULL;
    cJSON *obj = NULL;
    lc_status st = lc_schema_fill(c, sec, ymap, path, use_defaults, fill_defaults, &obj);
    if (st)
        return st;
    if (!ymap && !cJSON_GetObjectItemCaseSensitive(obj, "type")) {
        /* validation only of a scalar part: keep what it named */
        cJSON *t = cJSON_CreateString(type);
        if (!t) {
            cJSON_Delete(obj);
            return lc_error_set(c->e, LC_ERR_NOMEM, "out of memory reading the config");
        }
        cJSON_AddItemToObject(obj, "type", t);
    }
    lc_tab_tag_numbers(sec, obj, ymap, use_defaults);
    *out = obj;
    return LC_OK;
}

static int is_part_key(const char *key)
{
    return strcmp(key, "encoder") == 0 || strcmp(key, "decoder") == 0 || strcmp(key, "loss") == 0;
}

/* key names a typed part that sec has (an input's `loss` stays an unknown key) */
static int is_part_of(const lc_section *sec, const char *key)
{
    if (!is_part_key(key))
        return 0;
    for (const lc_key *k = sec->keys; k->name; k++)
        if (strcmp(k->name, key) == 0)
            return 1;
    return 0;
}

lc_status lc_tab_feature_fill(const lc_schema_ctx *c, const char *feature_type, int output,
                              const lc_ynode *y, const char *path, const cJSON *defaults_obj,
                              cJSON **out)
{
    *out = NULL;
    const lc_section *sec = lc_tab_feature_section(feature_type, output);
    if (!sec)
        return lc_error_set(c->e, LC_ERR_INTERNAL, "%s: no tables for %s feature type '%s'",
                            path, output ? "output" : "input",
                            feature_type ? feature_type : "(null)");
    if (y && y->kind != LC_YMAP && !lc_yscalar_is_null(y))
        return lc_error_set(c->e, LC_ERR_CONFIG, "%s:%d:%d: %s: expected a mapping", c->file,
                            y->line, y->col, path);
    if (y && y->kind != LC_YMAP)
        y = NULL;
    lc_status st = LC_OK;
    cJSON *feat = NULL, *dcopy = NULL;
    /* the feature without its typed parts, which are filled by their own `type` below */
    lc_ynode view = {.kind = LC_YMAP, .line = y ? y->line : 0, .col = y ? y->col : 0};
    if (y && y->n) {
        view.entries = lc_alloc(y->n, sizeof *view.entries);
        if (!view.entries)
            return lc_error_set(c->e, LC_ERR_NOMEM, "out of memory reading the config");
        for (size_t i = 0; i < y->n; i++)
            if (!is_part_of(sec, y->entries[i].key))
                view.entries[view.n++] = y->entries[i];
    }
    const cJSON *dflt = cJSON_IsObject(defaults_obj) ? defaults_obj : NULL;
    if (dflt && output && cJSON_GetObjectItemCaseSensitive(dflt, "preprocessing")) {
        dcopy = cJSON_Duplicate(dflt, 1);
        if (!dcopy) {
            st = lc_error_set(c->e, LC_ERR_NOMEM, "out of memory reading the config");
            goto done;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(dcopy, "preprocessing");
        dflt = dcopy;
    }
    if ((st = lc_schema_fill(c, sec, &view, path, dflt, 1, &feat)))
        goto done;
    lc_tab_tag_numbers(sec, feat, &view, dflt);
    for (const lc_key *k = sec->keys; k->name; k++) {
        if (!is_part_key(k->name))
            continue;
        lc_tab_part part = strcmp(k->name, "encoder") == 0   ? LC_TAB_ENCODER
                           : strcmp(k->name, "decoder") == 0 ? LC_TAB_DECODER
                                                             : LC_TAB_LOSS;
        char ppath[512];
        snprintf(ppath, sizeof ppath, "%s.%s", path, k->name);
        cJSON *v = NULL;
        st = lc_tab_part_fill(c, part, feature_type, lc_ymap_get(y, k->name), ppath,
                              dflt ? cJSON_GetObjectItemCaseSensitive(dflt, k->name) : NULL, 1,
                              &v);
        if (st)
            goto done;
        cJSON_DeleteItemFromObjectCaseSensitive(feat, k->name);
        cJSON_AddItemToObject(feat, k->name, v);
    }
    *out = feat;
    feat = NULL;
done:
    cJSON_Delete(feat);
    cJSON_Delete(dcopy);
    lc_free(view.entries);
    return st;
}
