/* lc_config_schema_tab.h - Ludwig 0.10.3's config schema for number, binary and category features
 * (tables in config_schema_tab.c): the feature sections, their preprocessing, every encoder,
 * decoder and loss section (config.c's defaults_read validates `defaults.<type>` with them).
 *
 * lc_schema cannot make a key valid for one `type` only, so encoders and losses are one section
 * per type, found with lc_tab_part_section. The feature sections carry the default type's
 * section under `encoder` / `decoder` / `loss` so that an empty feature fills to Ludwig's
 * defaults, but a feature must be filled with lc_tab_feature_fill (which fills those parts with
 * the section their `type` names and merges `defaults.<type>` as Ludwig does), never with
 * lc_schema_fill on the feature section alone.
 */
#ifndef LC_CONFIG_SCHEMA_TAB_H
#define LC_CONFIG_SCHEMA_TAB_H

#include "lc_schema.h"

/* preprocessing */
extern const lc_section lc_sec_number_pre, lc_sec_number_out_pre, lc_sec_binary_pre,
    lc_sec_binary_out_pre, lc_sec_category_in_pre;
/* encoders: number and binary share passthrough and dense (one registration upstream) */
extern const lc_section lc_sec_passthrough_enc, lc_sec_dense_enc, lc_sec_category_dense_enc,
    lc_sec_category_sparse_enc, lc_sec_category_onehot_enc, lc_sec_category_passthrough_enc;
/* decoder of number and binary outputs */
extern const lc_section lc_sec_regressor;
/* losses, one section per type */
extern const lc_section lc_sec_loss_mse, lc_sec_loss_mae, lc_sec_loss_rmse, lc_sec_loss_mape,
    lc_sec_loss_rmspe, lc_sec_loss_huber, lc_sec_loss_bwce;
/* features */
extern const lc_section lc_sec_number_input, lc_sec_number_output, lc_sec_binary_input,
    lc_sec_binary_output, lc_sec_category_input;
/* timeseries inputs: preprocessing (and as defaults.timeseries renders it), the sequence encoders
 * (rnn built; parallel_cnn, its default, validated and rendered only), the projector decoder,
 * the feature */
/* text inputs: preprocessing, the embed encoder (rnn and parallel_cnn shared with timeseries) */
extern const lc_section lc_sec_text_pre, lc_sec_seq_embed_enc, lc_sec_text_input;
extern const lc_section lc_sec_seq_passthrough_enc;
extern const lc_section lc_sec_set_pre, lc_sec_set_embed_enc, lc_sec_bag_embed_enc,
    lc_sec_set_input, lc_sec_bag_input, lc_sec_set_out_pre, lc_sec_sigmoid_xent,
    lc_sec_set_output, lc_sec_vector_pre, lc_sec_vector_out_pre, lc_sec_vector_input,
    lc_sec_vector_output, lc_sec_timeseries_out_pre, lc_sec_timeseries_output, lc_sec_date_pre,
    lc_sec_date_embed_enc, lc_sec_date_wave_enc, lc_sec_date_input, lc_sec_stacked_cnn_enc,
    lc_sec_cnnrnn_enc, lc_sec_stacked_pcnn_enc, lc_sec_transformer_enc;
extern const lc_section lc_sec_timeseries_pre, lc_sec_timeseries_dft_pre, lc_sec_rnn_enc,
    lc_sec_parallel_cnn_enc, lc_sec_projector, lc_sec_timeseries_input;

/* The typed parts of a feature: each is a map whose `type` picks its section. */
typedef enum lc_tab_part { LC_TAB_ENCODER = 0, LC_TAB_DECODER, LC_TAB_LOSS } lc_tab_part;

/* The section for `type` of a part of a feature_type ("number", "binary", "category"); NULL for
 * an unknown feature type, part or type. The category decoder and loss are config_schema.c's
 * lc_sec_classifier and lc_sec_xent. */
const lc_section *lc_tab_part_section(lc_tab_part part, const char *feature_type,
                                      const char *type);
/* The types ludwig-c has tables for, "a|b|c" (for messages); NULL as above. */
const char *lc_tab_part_names(lc_tab_part part, const char *feature_type);
/* Ludwig's default type of that part ("passthrough", "dense", "regressor", ...); NULL as above. */
const char *lc_tab_part_default(lc_tab_part part, const char *feature_type);
/* The config key of a part: "encoder", "decoder" or "loss". */
const char *lc_tab_part_key(lc_tab_part part);

/* Shorthands: lc_tab_part_section(LC_TAB_ENCODER, ...), ..._names(LC_TAB_ENCODER, ...),
 * lc_tab_part_section(LC_TAB_LOSS, "number", type). */
const lc_section *lc_encoder_section(const char *feature_type, const char *encoder_type);
const char *lc_encoder_names(const char *feature_type);
const lc_section *lc_number_loss_section(const char *type);

/* The feature section of a feature_type (output != 0: the output feature); NULL if none. */
const lc_section *lc_tab_feature_section(const char *feature_type, int output);

/* Validates and fills one part (y: the part's YAML node or NULL when absent) into *out. The type
 * comes from y's `type`, or from y itself when y is a scalar naming it (`encoder: dense`, allowed
 * for encoders and decoders as upstream), else from defaults_obj's `type`, else Ludwig's default.
 * defaults_obj (the part's entry of `defaults.<type>`, may be NULL) is merged as Ludwig merges it:
 * only when its `type` equals the chosen one, or when y gives no type; never into a scalar y.
 * fill_defaults = 0 validates only (for the `defaults:` section itself). An unknown type is an
 * error naming path.type, the accepted types and the nearest one. */
lc_status lc_tab_part_fill(const lc_schema_ctx *c, lc_tab_part part, const char *feature_type,
                           const lc_ynode *y, const char *path, const cJSON *defaults_obj,
                           int fill_defaults, cJSON **out);

/* Validates and fills a whole feature map y of feature_type at path (e.g. "input_features[0]")
 * into *out, with defaults_obj = the filled-from-YAML `defaults.<feature_type>` (may be NULL): the
 * plain keys through lc_schema_fill, the typed parts through lc_tab_part_fill; an output feature
 * does not take `preprocessing` from the defaults (upstream excludes it). Leaves name, type and
 * column as the user gave them (the caller checks they exist and sets column from name). */
lc_status lc_tab_feature_fill(const lc_schema_ctx *c, const char *feature_type, int output,
                              const lc_ynode *y, const char *path, const cJSON *defaults_obj,
                              cJSON **out);

/* Gives the numbers in obj (filled from y against sec) Python's int/float form, as Ludwig writes
 * them: a value taken from the schema default keeps the form of its default text ("1.0" vs "0"),
 * a value the user or the defaults section gave is a float for a float-only key (marshmallow's
 * Float field turns 2 into 2.0) and an int otherwise; a list of numbers holds floats unless its
 * key also takes an int. Recurses into sub-sections and lists of maps. Called by the two fill functions above; lc_schema_fill itself leaves numbers untagged. */
void lc_tab_tag_numbers(const lc_section *sec, cJSON *obj, const lc_ynode *y,
                        const cJSON *defaults_obj);

#endif
