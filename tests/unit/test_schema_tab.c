/* test_schema_tab.c - the number / binary / category schema tables (config_schema_tab.c): every
 * section filled from an empty map prints, through lc_json_print_py, exactly Ludwig 0.10.3's
 * rendered defaults (the defaults.{number,binary,category} parts and the number output feature
 * are copied from a model_hyperparameters.json Ludwig wrote, /work/shared/peer/galaxy-ludwig/
 * temp_model01; the other sections are written from the upstream schema files), including the
 * int/float form of every number; the dispatch on encoder / loss `type`, Ludwig's merge of
 * `defaults.<type>`, and the rejection of unknown keys, wrong types, out-of-range values, bad
 * choices and unknown types with the key path in the message. */
#include "check.h"
#include "lc_config_schema.h"
#include "lc_config_schema_tab.h"
#include "lc_error.h"
#include "lc_json.h"
#include "lc_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON written with ' for " (readable in C); returned malloc'd with " */
static char *dq(const char *s)
{
    char *t = strdup(s);
    for (char *p = t; p && *p; p++)
        if (*p == '\'')
            *p = '"';
    return t;
}

/* The printed form of JSON text (parsed with lc_json_parse, so 1.0 stays a float). */
static char *canon(const char *json_sq)
{
    char *txt = dq(json_sq);
    lc_error e;
    lc_error_clear(&e);
    cJSON *j = lc_json_parse(txt, strlen(txt), "expected", &e);
    free(txt);
    if (!j) {
        fprintf(stderr, "bad expected JSON: %s\n", e.msg);
        return NULL;
    }
    char *s = lc_json_print_py(j);
    cJSON_Delete(j);
    return s;
}

static void check_json(const cJSON *got, const char *want_sq, const char *what)
{
    char *g = got ? lc_json_print_py(got) : NULL;
    char *w = canon(want_sq);
    CHECK_MSG(g && w && strcmp(g, w) == 0, "%s: got\n%s\nwant\n%s", what, g ? g : "(null)",
              w ? w : "(null)");
    free(g);
    free(w);
}

static lc_ynode *yaml(const char *text)
{
    lc_error e;
    lc_error_clear(&e);
    lc_ynode *y = NULL;
    if (lc_yaml_parse(text, strlen(text), "t.yaml", &y, &e) != LC_OK) {
        fprintf(stderr, "yaml: %s\n", e.msg);
        return NULL;
    }
    return y;
}

/* lc_schema_fill of sec from YAML text (NULL = absent) with the numbers tagged. */
static cJSON *fill_sec(const lc_section *sec, const char *text, lc_error *e, lc_status *st)
{
    lc_error_clear(e);
    lc_schema_ctx c = {"t.yaml", e, NULL, NULL};
    lc_ynode *y = text ? yaml(text) : NULL;
    cJSON *out = NULL;
    *st = lc_schema_fill(&c, sec, y, "", NULL, 1, &out);
    if (!*st)
        lc_tab_tag_numbers(sec, out, y, NULL);
    lc_ynode_free(y);
    return out;
}

static void check_empty(const lc_section *sec, const char *want_sq, const char *what)
{
    lc_error e;
    lc_status st;
    cJSON *got = fill_sec(sec, NULL, &e, &st);
    CHECK_MSG(st == LC_OK, "%s: %s", what, e.msg);
    check_json(got, want_sq, what);
    cJSON_Delete(got);
    /* "{}" fills the same as an absent map */
    got = fill_sec(sec, "{}", &e, &st);
    CHECK_MSG(st == LC_OK, "%s {}: %s", what, e.msg);
    check_json(got, want_sq, what);
    cJSON_Delete(got);
}

/* Expects the fill of text to fail with a message containing each of the given substrings. */
static void check_reject(const lc_section *sec, const char *text, const char *sub1,
                         const char *sub2)
{
    lc_error e;
    lc_status st;
    cJSON *got = fill_sec(sec, text, &e, &st);
    CHECK_MSG(st == LC_ERR_CONFIG && !got, "%s: accepted", text);
    CHECK_MSG(strstr(e.msg, sub1) != NULL, "%s: message '%s' lacks '%s'", text, e.msg, sub1);
    if (sub2)
        CHECK_MSG(strstr(e.msg, sub2) != NULL, "%s: message '%s' lacks '%s'", text, e.msg, sub2);
    cJSON_Delete(got);
}

static void check_accept(const lc_section *sec, const char *text, const char *want_sq)
{
    lc_error e;
    lc_status st;
    cJSON *got = fill_sec(sec, text, &e, &st);
    CHECK_MSG(st == LC_OK, "%s: %s", text, e.msg);
    check_json(got, want_sq, text);
    cJSON_Delete(got);
}

/* ------------------------------------------------------------------------------------------ */
/* Ludwig's rendered defaults (temp_model01/model_hyperparameters.json, defaults.<type>)        */

static const char *L_NUMBER_PRE =
    "{'computed_fill_value': 0.0, 'computed_outlier_fill_value': 0.0, 'fill_value': 0.0, "
    "'missing_value_strategy': 'fill_with_const', 'normalization': 'zscore', "
    "'outlier_strategy': null, 'outlier_threshold': 3.0}";
static const char *L_PASSTHROUGH = "{'skip': false, 'type': 'passthrough'}";
static const char *L_REGRESSOR =
    "{'bias_initializer': 'zeros', 'fc_activation': 'relu', 'fc_bias_initializer': 'zeros', "
    "'fc_dropout': 0.0, 'fc_layers': null, 'fc_norm': null, 'fc_norm_params': null, "
    "'fc_output_size': 256, 'fc_use_bias': true, 'fc_weights_initializer': 'xavier_uniform', "
    "'input_size': null, 'num_fc_layers': 0, 'type': 'regressor', 'use_bias': true, "
    "'weights_initializer': 'xavier_uniform'}";
static const char *L_MSE = "{'type': 'mean_squared_error', 'weight': 1.0}";
static const char *L_BINARY_PRE =
    "{'computed_fill_value': null, 'fallback_true_label': null, 'fill_value': null, "
    "'missing_value_strategy': 'fill_with_false'}";
static const char *L_BWCE =
    "{'confidence_penalty': 0, 'positive_class_weight': null, 'robust_lambda': 0, "
    "'type': 'binary_weighted_cross_entropy', 'weight': 1.0}";
static const char *L_CATEGORY_PRE =
    "{'cache_encoder_embeddings': false, 'computed_fill_value': '<UNK>', 'fill_value': '<UNK>', "
    "'lowercase': false, 'missing_value_strategy': 'fill_with_const', 'most_common': 10000}";
static const char *L_CATEGORY_DENSE =
    "{'dropout': 0.0, 'embedding_initializer': null, 'embedding_size': 50, "
    "'embeddings_on_cpu': false, 'embeddings_trainable': true, 'pretrained_embeddings': null, "
    "'skip': false, 'type': 'dense', 'vocab': null}";
static const char *L_CLASSIFIER =
    "{'bias_initializer': 'zeros', 'fc_activation': 'relu', 'fc_bias_initializer': 'zeros', "
    "'fc_dropout': 0.0, 'fc_layers': null, 'fc_norm': null, 'fc_norm_params': null, "
    "'fc_output_size': 256, 'fc_use_bias': true, 'fc_weights_initializer': 'xavier_uniform', "
    "'input_size': null, 'num_classes': null, 'num_fc_layers': 0, 'type': 'classifier', "
    "'use_bias': true, 'weights_initializer': 'xavier_uniform'}";
static const char *L_XENT =
    "{'class_similarities': null, 'class_similarities_temperature': 0, 'class_weights': null, "
    "'confidence_penalty': 0, 'robust_lambda': 0, 'type': 'softmax_cross_entropy', "
    "'weight': 1.0}";

/* output_features[0] of the same file, verbatim (input_size and proc_column are run-time) */
static const char *L_NUMBER_OUTPUT =
    "{'active': true, 'clip': null, 'column': 'temperature', 'decoder': {'bias_initializer': "
    "'zeros', 'fc_activation': 'relu', 'fc_bias_initializer': 'zeros', 'fc_dropout': 0.0, "
    "'fc_layers': null, 'fc_norm': null, 'fc_norm_params': null, 'fc_output_size': 256, "
    "'fc_use_bias': true, 'fc_weights_initializer': 'xavier_uniform', 'input_size': 32, "
    "'num_fc_layers': 0, 'type': 'regressor', 'use_bias': true, 'weights_initializer': "
    "'xavier_uniform'}, 'default_validation_metric': 'mean_squared_error', 'dependencies': [], "
    "'input_size': 32, 'loss': {'type': 'mean_squared_error', 'weight': 1.0}, 'name': "
    "'temperature', 'num_classes': null, 'preprocessing': {'computed_fill_value': 0.0, "
    "'computed_outlier_fill_value': 0.0, 'fill_value': 0.0, 'missing_value_strategy': "
    "'drop_row', 'normalization': null, 'outlier_strategy': null, 'outlier_threshold': 3.0}, "
    "'proc_column': 'temperature_VO1XAD', 'reduce_dependencies': 'sum', 'reduce_input': 'sum', "
    "'type': 'number'}";

/* ------------------------------------------------------------------------------------------ */
/* written from the schema files (see each section's comment in config_schema_tab.c)         */

static const char *S_NUMBER_OUT_PRE =
    "{'computed_fill_value': 0.0, 'computed_outlier_fill_value': 0.0, 'fill_value': 0.0, "
    "'missing_value_strategy': 'drop_row', 'normalization': null, 'outlier_strategy': null, "
    "'outlier_threshold': 3.0}";
static const char *S_BINARY_OUT_PRE =
    "{'computed_fill_value': null, 'fallback_true_label': null, 'fill_value': null, "
    "'missing_value_strategy': 'drop_row'}";
static const char *S_DENSE =
    "{'activation': 'relu', 'bias_initializer': 'zeros', 'dropout': 0.0, 'fc_layers': null, "
    "'input_size': null, 'norm': null, 'norm_params': null, 'num_layers': 1, "
    "'output_size': 256, 'skip': false, 'type': 'dense', 'use_bias': true, "
    "'weights_initializer': 'xavier_uniform'}";
static const char *S_CATEGORY_SPARSE =
    "{'dropout': 0.0, 'embedding_initializer': null, 'embeddings_on_cpu': false, "
    "'embeddings_trainable': false, 'pretrained_embeddings': null, 'skip': false, "
    "'type': 'sparse', 'vocab': null}";
static const char *S_CATEGORY_ONEHOT = "{'skip': false, 'type': 'onehot', 'vocab': null}";
static const char *S_HUBER = "{'delta': 1.0, 'type': 'huber', 'weight': 1.0}";

static void test_empty_sections(void)
{
    check_empty(&lc_sec_number_pre, L_NUMBER_PRE, "number preprocessing");
    check_empty(&lc_sec_number_out_pre, S_NUMBER_OUT_PRE, "number output preprocessing");
    check_empty(&lc_sec_binary_pre, L_BINARY_PRE, "binary preprocessing");
    check_empty(&lc_sec_binary_out_pre, S_BINARY_OUT_PRE, "binary output preprocessing");
    check_empty(&lc_sec_category_in_pre, L_CATEGORY_PRE, "category input preprocessing");
    check_empty(&lc_sec_passthrough_enc, L_PASSTHROUGH, "passthrough encoder");
    check_empty(&lc_sec_category_passthrough_enc, L_PASSTHROUGH, "category passthrough encoder");
    check_empty(&lc_sec_dense_enc, S_DENSE, "dense encoder");
    check_empty(&lc_sec_category_dense_enc, L_CATEGORY_DENSE, "category dense encoder");
    check_empty(&lc_sec_category_sparse_enc, S_CATEGORY_SPARSE, "category sparse encoder");
    check_empty(&lc_sec_category_onehot_enc, S_CATEGORY_ONEHOT, "category onehot encoder");
    check_empty(&lc_sec_regressor, L_REGRESSOR, "regressor");
    check_empty(&lc_sec_loss_mse, L_MSE, "mse");
    check_empty(&lc_sec_loss_mae, "{'type': 'mean_absolute_error', 'weight': 1.0}", "mae");
    check_empty(&lc_sec_loss_rmse, "{'type': 'root_mean_squared_error', 'weight': 1.0}", "rmse");
    check_empty(&lc_sec_loss_mape, "{'type': 'mean_absolute_percentage_error', 'weight': 1.0}",
                "mape");
    check_empty(&lc_sec_loss_rmspe,
                "{'type': 'root_mean_squared_percentage_error', 'weight': 1.0}", "rmspe");
    check_empty(&lc_sec_loss_huber, S_HUBER, "huber");
    check_empty(&lc_sec_loss_bwce, L_BWCE, "bwce");
    /* the reused category sections render as Ludwig once their numbers are tagged */
    check_empty(&lc_sec_classifier, L_CLASSIFIER, "classifier");
    check_empty(&lc_sec_xent, L_XENT, "softmax_cross_entropy");
}

/* lc_tab_feature_fill of YAML text; NULL on failure (message in e). */
static cJSON *fill_feature(const char *ftype, int output, const char *text, const char *defaults,
                           lc_error *e)
{
    lc_error_clear(e);
    lc_schema_ctx c = {"t.yaml", e, NULL, NULL};
    lc_ynode *y = yaml(text);
    cJSON *dflt = NULL, *out = NULL;
    if (defaults) {
        char *d = dq(defaults);
        dflt = lc_json_parse(d, strlen(d), "defaults", e);
        free(d);
    }
    if (lc_tab_feature_fill(&c, ftype, output, y, "features[0]", dflt, &out) != LC_OK)
        out = NULL;
    cJSON_Delete(dflt);
    lc_ynode_free(y);
    return out;
}

static void test_number_output_vs_ludwig(void)
{
    lc_error e;
    cJSON *got = fill_feature("number", 1, "name: temperature\ntype: number\ncolumn: temperature\n",
                              NULL, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    /* Ludwig's file minus what the run fills in: input_size (here 32) and proc_column */
    char *w = dq(L_NUMBER_OUTPUT);
    cJSON *want = lc_json_parse(w, strlen(w), "ludwig", &e);
    free(w);
    CHECK(want != NULL);
    if (want) {
        cJSON_DeleteItemFromObjectCaseSensitive(want, "proc_column");
        cJSON_ReplaceItemInObjectCaseSensitive(want, "input_size", cJSON_CreateNull());
        cJSON_ReplaceItemInObjectCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(want, "decoder"), "input_size", cJSON_CreateNull());
    }
    char *g = got ? lc_json_print_py(got) : NULL, *ws = want ? lc_json_print_py(want) : NULL;
    CHECK_MSG(g && ws && strcmp(g, ws) == 0, "number output: got\n%s\nwant\n%s", g, ws);
    free(g);
    free(ws);
    cJSON_Delete(want);
    cJSON_Delete(got);
}

static void test_feature_defaults(void)
{
    lc_error e;
    cJSON *got = fill_feature("number", 0, "name: x\ntype: number\n", NULL, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    char want[4096];
    snprintf(want, sizeof want,
             "{'active': true, 'encoder': %s, 'name': 'x', 'preprocessing': %s, 'tied': null, "
             "'type': 'number'}",
             L_PASSTHROUGH, L_NUMBER_PRE);
    check_json(got, want, "number input");
    cJSON_Delete(got);

    got = fill_feature("binary", 0, "name: b\ntype: binary\n", NULL, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    snprintf(want, sizeof want,
             "{'active': true, 'encoder': %s, 'name': 'b', 'preprocessing': %s, 'tied': null, "
             "'type': 'binary'}",
             L_PASSTHROUGH, L_BINARY_PRE);
    check_json(got, want, "binary input");
    cJSON_Delete(got);

    got = fill_feature("category", 0, "name: c\ntype: category\n", NULL, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    snprintf(want, sizeof want,
             "{'active': true, 'encoder': %s, 'name': 'c', 'preprocessing': %s, 'tied': null, "
             "'type': 'category'}",
             L_CATEGORY_DENSE, L_CATEGORY_PRE);
    check_json(got, want, "category input");
    cJSON_Delete(got);

    got = fill_feature("binary", 1, "name: b\ntype: binary\n", NULL, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    snprintf(want, sizeof want,
             "{'active': true, 'calibration': false, 'decoder': %s, 'default_validation_metric': "
             "'roc_auc', 'dependencies': [], 'input_size': null, 'loss': %s, 'name': 'b', "
             "'num_classes': null, 'preprocessing': %s, 'reduce_dependencies': 'sum', "
             "'reduce_input': 'sum', 'threshold': 0.5, 'type': 'binary'}",
             L_REGRESSOR, L_BWCE, S_BINARY_OUT_PRE);
    check_json(got, want, "binary output");
    cJSON_Delete(got);
}

/* defaults.<type> (config.c's defaults_read and defaults_full): the preprocessing section of the
 * type and each part through the dispatch equal Ludwig's rendered defaults */
static void test_defaults_sections(void)
{
    static const char *ftypes[3] = {"number", "binary", "category"};
    const char *w[3][4] = {{L_NUMBER_PRE, L_PASSTHROUGH, L_REGRESSOR, L_MSE},
                           {L_BINARY_PRE, L_PASSTHROUGH, L_REGRESSOR, L_BWCE},
                           {L_CATEGORY_PRE, L_CATEGORY_DENSE, L_CLASSIFIER, L_XENT}};
    const lc_section *pres[3] = {&lc_sec_number_pre, &lc_sec_binary_pre, &lc_sec_category_in_pre};
    for (int t = 0; t < 3; t++) {
        lc_error e;
        lc_error_clear(&e);
        lc_schema_ctx c = {"t.yaml", &e, NULL, NULL};
        cJSON *out = NULL;
        CHECK(lc_schema_fill(&c, pres[t], NULL, "p", NULL, 1, &out) == LC_OK);
        lc_tab_tag_numbers(pres[t], out, NULL, NULL);
        check_json(out, w[t][0], ftypes[t]);
        cJSON_Delete(out);
        for (int p = 0; p < 3; p++) {
            out = NULL;
            CHECK_MSG(lc_tab_part_fill(&c, (lc_tab_part)p, ftypes[t], NULL, "p", NULL, 1,
                                       &out) == LC_OK,
                      "%s", e.msg);
            check_json(out, w[t][p + 1], lc_tab_part_key((lc_tab_part)p));
            cJSON_Delete(out);
        }
    }
    /* a defaults section holding a dense encoder validates through the dispatch */
    lc_error e;
    lc_error_clear(&e);
    lc_schema_ctx c = {"t.yaml", &e, NULL, NULL};
    lc_ynode *y = yaml("type: dense\noutput_size: 8\n");
    cJSON *out = NULL;
    CHECK(lc_tab_part_fill(&c, LC_TAB_ENCODER, "number", y, "defaults.number.encoder", NULL, 0,
                           &out) == LC_OK);
    check_json(out, "{'output_size': 8, 'type': 'dense'}", "validated defaults encoder");
    cJSON_Delete(out);
    lc_ynode_free(y);
    check_reject(&lc_sec_number_pre, "normalisation: zscore\n",
                 "normalisation: unknown key", "did you mean 'normalization'");
}

static void test_dispatch(void)
{
    static const char *ftypes[3] = {"number", "binary", "category"};
    for (int t = 0; t < 3; t++)
        for (int p = 0; p < 3; p++) {
            const char *names = lc_tab_part_names((lc_tab_part)p, ftypes[t]);
            const char *d = lc_tab_part_default((lc_tab_part)p, ftypes[t]);
            CHECK(names && d);
            if (!names || !d)
                continue;
            /* the default is the first name; each name has a section whose type is that name */
            CHECK(strncmp(names, d, strlen(d)) == 0);
            char buf[512];
            snprintf(buf, sizeof buf, "%s", names);
            for (char *tok = strtok(buf, "|"); tok; tok = strtok(NULL, "|")) {
                const lc_section *s = lc_tab_part_section((lc_tab_part)p, ftypes[t], tok);
                CHECK_MSG(s != NULL, "%s %s %s", ftypes[t], lc_tab_part_key((lc_tab_part)p), tok);
                if (!s)
                    continue;
                char want[128];
                snprintf(want, sizeof want, "\"%s\"", tok);
                CHECK_MSG(s->keys[0].name && strcmp(s->keys[0].name, "type") == 0 &&
                              strcmp(s->keys[0].dflt, want) == 0,
                          "%s: first key", tok);
            }
        }
    CHECK(strcmp(lc_encoder_names("number"), "passthrough|dense") == 0);
    CHECK(strcmp(lc_encoder_names("category"), "dense|sparse|onehot|passthrough") == 0);
    CHECK(lc_encoder_section("number", "dense") == &lc_sec_dense_enc);
    CHECK(lc_encoder_section("binary", "passthrough") == &lc_sec_passthrough_enc);
    CHECK(lc_encoder_section("category", "onehot") == &lc_sec_category_onehot_enc);
    CHECK(lc_encoder_section("category", "embed") == NULL);
    CHECK(lc_encoder_section("number", "sparse") == NULL);
    CHECK(lc_encoder_section("image", "dense") == NULL);
    CHECK(lc_encoder_names("image") == NULL);
    CHECK(lc_number_loss_section("huber") == &lc_sec_loss_huber);
    CHECK(lc_number_loss_section("root_mean_squared_percentage_error") == &lc_sec_loss_rmspe);
    CHECK(lc_number_loss_section("binary_weighted_cross_entropy") == NULL);
    CHECK(lc_tab_part_section(LC_TAB_LOSS, "binary", "binary_weighted_cross_entropy") ==
          &lc_sec_loss_bwce);
    CHECK(lc_tab_feature_section("category", 1) == &lc_sec_category_output);
    CHECK(lc_tab_feature_section("number", 0) == &lc_sec_number_input);
    CHECK(lc_tab_feature_section("text", 0) == &lc_sec_text_input);
    CHECK(lc_tab_feature_section("text", 1) == NULL);
    CHECK(lc_tab_feature_section("set", 0) == &lc_sec_set_input);
    CHECK(lc_tab_feature_section("bag", 0) == &lc_sec_bag_input);
    CHECK(lc_tab_feature_section("set", 1) == &lc_sec_set_output);
    CHECK(lc_tab_feature_section("bag", 1) == NULL);
    CHECK(lc_tab_feature_section("vector", 0) == &lc_sec_vector_input);
    CHECK(lc_tab_feature_section("vector", 1) == &lc_sec_vector_output);
    CHECK(lc_tab_feature_section("date", 0) == &lc_sec_date_input);
    CHECK(lc_tab_feature_section("date", 1) == NULL);
    CHECK(lc_tab_feature_section("h3", 0) == NULL);
    CHECK(lc_tab_feature_section("timeseries", 1) == &lc_sec_timeseries_output);
}

/* Every default of every table parses as JSON, and every string default is one of its choices. */
static void check_table(const lc_section *sec)
{
    for (const lc_key *k = sec->keys; k->name; k++) {
        if (!k->dflt)
            continue;
        cJSON *d = lc_json_parse(k->dflt, strlen(k->dflt), k->name, NULL);
        CHECK_MSG(d != NULL, "%s.%s: default %s", sec->name, k->name, k->dflt);
        if (d && cJSON_IsString(d) && k->choices) {
            char buf[512];
            snprintf(buf, sizeof buf, "|%s|", k->choices);
            char needle[128];
            snprintf(needle, sizeof needle, "|%s|", d->valuestring);
            CHECK_MSG(strstr(buf, needle) != NULL, "%s.%s: default not a choice", sec->name,
                      k->name);
        }
        if (d && cJSON_IsNumber(d) && k->min < k->max)
            CHECK_MSG(d->valuedouble >= k->min && d->valuedouble <= k->max,
                      "%s.%s: default out of range", sec->name, k->name);
        cJSON_Delete(d);
    }
}

static void test_tables(void)
{
    const lc_section *all[] = {
        &lc_sec_number_pre, &lc_sec_number_out_pre, &lc_sec_binary_pre,
        &lc_sec_binary_out_pre, &lc_sec_category_in_pre, &lc_sec_passthrough_enc,
        &lc_sec_dense_enc, &lc_sec_category_dense_enc, &lc_sec_category_sparse_enc,
        &lc_sec_category_onehot_enc, &lc_sec_category_passthrough_enc, &lc_sec_regressor,
        &lc_sec_loss_mse, &lc_sec_loss_mae, &lc_sec_loss_rmse, &lc_sec_loss_mape,
        &lc_sec_loss_rmspe, &lc_sec_loss_huber, &lc_sec_loss_bwce, &lc_sec_number_input,
        &lc_sec_number_output, &lc_sec_binary_input, &lc_sec_binary_output,
        &lc_sec_category_input,
    };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        check_table(all[i]);
}

static void test_rejections(void)
{
    /* unknown keys, with the path and the nearest key */
    check_reject(&lc_sec_number_pre, "normalisation: minmax\n", "normalisation: unknown key",
                 "did you mean 'normalization'");
    check_reject(&lc_sec_loss_mse, "delta: 2.0\n", "delta: unknown key 'delta'", NULL);
    check_reject(&lc_sec_loss_bwce, "class_weights: [1, 2]\n", "unknown key 'class_weights'",
                 NULL);
    check_reject(&lc_sec_passthrough_enc, "output_size: 8\n", "unknown key 'output_size'", NULL);
    check_reject(&lc_sec_dense_enc, "num_fc_layers: 2\n", "unknown key 'num_fc_layers'",
                 "did you mean");
    check_reject(&lc_sec_category_onehot_enc, "embedding_size: 8\n",
                 "unknown key 'embedding_size'", NULL);
    check_reject(&lc_sec_regressor, "num_classes: 3\n", "unknown key 'num_classes'", NULL);
    check_reject(&lc_sec_number_output, "threshold: 0.5\n", "unknown key 'threshold'", NULL);
    check_reject(&lc_sec_binary_output, "clip: [0, 1]\n", "unknown key 'clip'", NULL);
    check_reject(&lc_sec_number_input, "top_k: 3\n", "unknown key 'top_k'", NULL);
    /* wrong types */
    check_reject(&lc_sec_dense_enc, "output_size: 1.5\n", "output_size: expected an integer",
                 NULL);
    check_reject(&lc_sec_dense_enc, "use_bias: maybe\n", "use_bias: expected true/false", NULL);
    check_reject(&lc_sec_loss_bwce, "robust_lambda: 0.1\n", "robust_lambda: expected an integer",
                 NULL);
    check_reject(&lc_sec_number_pre, "fill_value: abc\n", "fill_value: expected a number", NULL);
    check_reject(&lc_sec_category_in_pre, "most_common: lots\n", "most_common", NULL);
    check_reject(&lc_sec_number_output, "clip: 5\n", "clip: expected a list of numbers", NULL);
    check_reject(&lc_sec_number_output, "loss: mean_squared_error\n", "loss: expected", NULL);
    /* ranges */
    check_reject(&lc_sec_binary_output, "threshold: 1.5\n", "threshold: must be in [0, 1]", NULL);
    check_reject(&lc_sec_binary_output, "threshold: -0.1\n", "threshold", "[0, 1]");
    check_reject(&lc_sec_loss_huber, "delta: 0\n", "delta: must be > 0", NULL);
    check_reject(&lc_sec_loss_mse, "weight: -1\n", "weight: must be >= 0", NULL);
    check_reject(&lc_sec_dense_enc, "dropout: 1.5\n", "dropout: must be in [0, 1]", NULL);
    check_reject(&lc_sec_dense_enc, "num_layers: 0\n", "num_layers: must be >= 1", NULL);
    check_reject(&lc_sec_category_dense_enc, "embedding_size: 0\n", "embedding_size: must be",
                 NULL);
    check_reject(&lc_sec_number_pre, "outlier_threshold: -1\n", "outlier_threshold: must be",
                 NULL);
    check_reject(&lc_sec_number_output, "clip: [-1, 5]\n", "clip: must be in [0, 1e+09]", NULL);
    check_reject(&lc_sec_binary_pre, "fill_value: 2\n", "fill_value: must be in [0, 1]", NULL);
    check_reject(&lc_sec_regressor, "num_fc_layers: -1\n", "num_fc_layers: must be >= 0", NULL);
    /* choices */
    check_reject(&lc_sec_number_pre, "normalization: zscor\n", "normalization: expected one of",
                 "zscore");
    check_reject(&lc_sec_binary_pre, "missing_value_strategy: fill_with_const\n",
                 "missing_value_strategy: expected one of", NULL);
    check_reject(&lc_sec_category_in_pre, "missing_value_strategy: fill_with_mean\n",
                 "missing_value_strategy: expected one of", NULL);
    check_reject(&lc_sec_binary_pre, "fill_value: maybe\n", "fill_value: expected", NULL);
    check_reject(&lc_sec_dense_enc, "activation: gelu\n", "activation: expected one of", NULL);
    check_reject(&lc_sec_dense_enc, "weights_initializer: he\n", "weights_initializer", NULL);
    check_reject(&lc_sec_number_output, "default_validation_metric: r2\n",
                 "default_validation_metric: expected one of mean_squared_error", NULL);
    check_reject(&lc_sec_number_output, "reduce_input: median\n", "reduce_input: expected", NULL);
    check_reject(&lc_sec_loss_mse, "type: huber\n", "type: expected one of mean_squared_error",
                 NULL);
    /* accepted only at their defaults */
    check_reject(&lc_sec_binary_output, "active: false\n", "active: ludwig-c does not", NULL);
    check_reject(&lc_sec_number_output, "dependencies: [1]\n", "dependencies: ludwig-c does not",
                 NULL);
    check_reject(&lc_sec_category_dense_enc, "pretrained_embeddings: glove.txt\n",
                 "pretrained_embeddings: ludwig-c does not", NULL);
    check_reject(&lc_sec_regressor, "num_fc_layers: -1\n", "num_fc_layers", NULL);
    check_accept(&lc_sec_regressor, "num_fc_layers: 2\nfc_output_size: 16\n",
                 "{'bias_initializer': 'zeros', 'fc_activation': 'relu', "
                 "'fc_bias_initializer': 'zeros', 'fc_dropout': 0.0, 'fc_layers': null, "
                 "'fc_norm': null, 'fc_norm_params': null, 'fc_output_size': 16, "
                 "'fc_use_bias': true, 'fc_weights_initializer': 'xavier_uniform', "
                 "'input_size': null, 'num_fc_layers': 2, 'type': 'regressor', "
                 "'use_bias': true, 'weights_initializer': 'xavier_uniform'}");
    /* F_IGNORED keys are accepted */
    check_accept(&lc_sec_category_sparse_enc, "embeddings_on_cpu: true\n",
                 "{'dropout': 0.0, 'embedding_initializer': null, 'embeddings_on_cpu': true, "
                 "'embeddings_trainable': false, 'pretrained_embeddings': null, 'skip': false, "
                 "'type': 'sparse', 'vocab': null}");
}

static void test_user_values(void)
{
    /* user numbers take Python's form: float-only keys become floats, int keys stay ints */
    check_accept(&lc_sec_loss_huber, "delta: 2\nweight: 3\n",
                 "{'delta': 2.0, 'type': 'huber', 'weight': 3.0}");
    check_accept(&lc_sec_loss_bwce, "positive_class_weight: 4\nconfidence_penalty: 0.5\n",
                 "{'confidence_penalty': 0.5, 'positive_class_weight': 4.0, 'robust_lambda': 0, "
                 "'type': 'binary_weighted_cross_entropy', 'weight': 1.0}");
    check_accept(&lc_sec_number_pre,
                 "fill_value: 7\nnormalization: null\noutlier_strategy: fill_with_mean\n",
                 "{'computed_fill_value': 0.0, 'computed_outlier_fill_value': 0.0, "
                 "'fill_value': 7.0, 'missing_value_strategy': 'fill_with_const', "
                 "'normalization': null, 'outlier_strategy': 'fill_with_mean', "
                 "'outlier_threshold': 3.0}");
    check_accept(&lc_sec_binary_pre, "fill_value: 1\n",
                 "{'computed_fill_value': null, 'fallback_true_label': null, 'fill_value': 1.0, "
                 "'missing_value_strategy': 'fill_with_false'}");
    check_accept(&lc_sec_binary_pre, "fill_value: Y\nfallback_true_label: pos\n",
                 "{'computed_fill_value': null, 'fallback_true_label': 'pos', 'fill_value': 'Y', "
                 "'missing_value_strategy': 'fill_with_false'}");
    check_accept(&lc_sec_binary_pre, "fill_value: true\n",
                 "{'computed_fill_value': null, 'fallback_true_label': null, 'fill_value': true, "
                 "'missing_value_strategy': 'fill_with_false'}");
    check_accept(&lc_sec_category_in_pre, "most_common: null\nlowercase: true\n",
                 "{'cache_encoder_embeddings': false, 'computed_fill_value': '<UNK>', "
                 "'fill_value': '<UNK>', 'lowercase': true, 'missing_value_strategy': "
                 "'fill_with_const', 'most_common': null}");
    check_accept(&lc_sec_dense_enc,
                 "output_size: 8\nnorm: ghost\nfc_layers:\n  - output_size: 4\n    dropout: 0\n"
                 "weights_initializer: {type: normal, std: 0.1}\n",
                 "{'activation': 'relu', 'bias_initializer': 'zeros', 'dropout': 0.0, "
                 "'fc_layers': [{'dropout': 0.0, 'output_size': 4}], 'input_size': null, "
                 "'norm': 'ghost', 'norm_params': null, 'num_layers': 1, 'output_size': 8, "
                 "'skip': false, 'type': 'dense', 'use_bias': true, "
                 "'weights_initializer': {'std': 0.1, 'type': 'normal'}}");
    lc_error e;
    cJSON *got = fill_feature("number", 1, "name: y\ntype: number\nclip: [0, 10]\n", NULL, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    check_json(got ? cJSON_GetObjectItemCaseSensitive(got, "clip") : NULL, "[0.0, 10.0]", "clip");
    cJSON_Delete(got);
    got = fill_feature("binary", 1, "name: y\ntype: binary\nthreshold: 1\n", NULL, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    check_json(got ? cJSON_GetObjectItemCaseSensitive(got, "threshold") : NULL, "1.0",
               "threshold");
    cJSON_Delete(got);
}

/* the typed parts of a feature: per-type keys, string form, unknown types, defaults merge */
static void test_feature_parts(void)
{
    lc_error e;
    cJSON *got = fill_feature("number", 1,
                              "name: y\ntype: number\nloss:\n  type: huber\n  delta: 0.5\n", NULL,
                              &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    check_json(got ? cJSON_GetObjectItemCaseSensitive(got, "loss") : NULL,
               "{'delta': 0.5, 'type': 'huber', 'weight': 1.0}", "huber loss");
    cJSON_Delete(got);
    /* a key of another loss type */
    got = fill_feature("number", 1, "name: y\ntype: number\nloss:\n  type: mean_absolute_error\n"
                                    "  delta: 0.5\n",
                       NULL, &e);
    CHECK(got == NULL);
    CHECK_MSG(strstr(e.msg, "t.yaml:5:3: features[0].loss.delta: unknown key 'delta'"), "%s",
              e.msg);
    cJSON_Delete(got);
    /* unknown types name the accepted ones and the nearest */
    got = fill_feature("number", 1, "name: y\ntype: number\nloss:\n  type: mean_squared_eror\n",
                       NULL, &e);
    CHECK(got == NULL);
    CHECK_MSG(strstr(e.msg, "t.yaml:4:9: features[0].loss.type: unknown loss "
                            "'mean_squared_eror' for a number feature (expected one of "
                            "mean_squared_error,mean_absolute_error,"),
              "%s", e.msg);
    CHECK_MSG(strcmp(e.hint, "did you mean 'mean_squared_error'?") == 0, "%s", e.hint);
    cJSON_Delete(got);
    got = fill_feature("category", 0, "name: c\ntype: category\nencoder: {type: embed}\n", NULL,
                       &e);
    CHECK(got == NULL);
    CHECK_MSG(strstr(e.msg, "features[0].encoder.type: unknown encoder 'embed' for a category "
                            "feature (expected one of dense,sparse,onehot,passthrough)"),
              "%s", e.msg);
    cJSON_Delete(got);
    got = fill_feature("binary", 0, "name: b\ntype: binary\nencoder: sparse\n", NULL, &e);
    CHECK(got == NULL);
    CHECK_MSG(strstr(e.msg, "t.yaml:3:10: features[0].encoder.type: unknown encoder 'sparse'"),
              "%s", e.msg);
    cJSON_Delete(got);
    /* `encoder: dense` is {type: dense} */
    got = fill_feature("number", 0, "name: x\ntype: number\nencoder: dense\n", NULL, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    check_json(got ? cJSON_GetObjectItemCaseSensitive(got, "encoder") : NULL, S_DENSE,
               "encoder: dense");
    cJSON_Delete(got);
    /* onehot on a category input */
    got = fill_feature("category", 0, "name: c\ntype: category\nencoder:\n  type: onehot\n", NULL,
                       &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    check_json(got ? cJSON_GetObjectItemCaseSensitive(got, "encoder") : NULL, S_CATEGORY_ONEHOT,
               "onehot");
    cJSON_Delete(got);
    /* an input has no loss; an output has no encoder */
    got = fill_feature("number", 0, "name: x\ntype: number\nloss: {type: huber}\n", NULL, &e);
    CHECK(got == NULL && strstr(e.msg, "features[0].loss: unknown key 'loss'"));
    cJSON_Delete(got);
    got = fill_feature("binary", 1, "name: x\ntype: binary\nencoder: {type: dense}\n", NULL, &e);
    CHECK(got == NULL && strstr(e.msg, "features[0].encoder: unknown key 'encoder'"));
    cJSON_Delete(got);
    /* plain keys are still checked around the typed parts */
    got = fill_feature("number", 1, "name: y\ntype: number\nloss: {type: huber}\nclipp: [0, 1]\n",
                       NULL, &e);
    CHECK(got == NULL && strstr(e.msg, "features[0].clipp: unknown key 'clipp'; did you mean "
                                       "'clip'?"));
    cJSON_Delete(got);
}

/* Ludwig's merge (schema/model_types/utils.py _merge_dict_with_types): a default part applies
 * when the feature gives no type or the same type; an output takes no preprocessing from it. */
static void test_defaults_merge(void)
{
    const char *dnum =
        "{'preprocessing': {'normalization': 'minmax'}, 'encoder': {'type': 'dense', "
        "'output_size': 16}, 'loss': {'type': 'huber', 'delta': 2.0}, 'decoder': "
        "{'use_bias': false}}";
    lc_error e;
    /* no encoder given: the default's type and settings */
    cJSON *got = fill_feature("number", 0, "name: x\ntype: number\n", dnum, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    cJSON *enc = got ? cJSON_GetObjectItemCaseSensitive(got, "encoder") : NULL;
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(enc, "output_size")) == 16);
    CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(enc, "type")), "dense") ==
          0);
    CHECK(strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                     cJSON_GetObjectItemCaseSensitive(got, "preprocessing"), "normalization")),
                 "minmax") == 0);
    cJSON_Delete(got);
    /* same type: merged, the feature's keys win */
    got = fill_feature("number", 0, "name: x\ntype: number\nencoder: {type: dense, dropout: 0.5}\n",
                       dnum, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    enc = got ? cJSON_GetObjectItemCaseSensitive(got, "encoder") : NULL;
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(enc, "output_size")) == 16);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(enc, "dropout")) == 0.5);
    cJSON_Delete(got);
    /* another type: the default part is ignored */
    got = fill_feature("number", 0, "name: x\ntype: number\nencoder: {type: passthrough}\n", dnum,
                       &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    check_json(got ? cJSON_GetObjectItemCaseSensitive(got, "encoder") : NULL, L_PASSTHROUGH,
               "other type");
    cJSON_Delete(got);
    /* string form: no defaults merged */
    got = fill_feature("number", 0, "name: x\ntype: number\nencoder: dense\n", dnum, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    check_json(got ? cJSON_GetObjectItemCaseSensitive(got, "encoder") : NULL, S_DENSE,
               "string form");
    cJSON_Delete(got);
    /* output: loss and decoder from defaults, preprocessing not */
    got = fill_feature("number", 1, "name: y\ntype: number\nloss: {weight: 2}\n", dnum, &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    check_json(got ? cJSON_GetObjectItemCaseSensitive(got, "loss") : NULL,
               "{'delta': 2.0, 'type': 'huber', 'weight': 2.0}", "loss merged");
    check_json(got ? cJSON_GetObjectItemCaseSensitive(got, "preprocessing") : NULL,
               S_NUMBER_OUT_PRE, "output preprocessing");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
        got ? cJSON_GetObjectItemCaseSensitive(got, "decoder") : NULL, "use_bias")));
    cJSON_Delete(got);
    /* defaults without a type and a feature naming the default type: upstream's quirk, the
     * defaults are not merged (their missing type is not equal to the given one) */
    got = fill_feature("number", 1, "name: y\ntype: number\nloss: {type: mean_squared_error}\n",
                       "{'loss': {'weight': 5.0}}", &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    check_json(got ? cJSON_GetObjectItemCaseSensitive(got, "loss") : NULL, L_MSE, "quirk");
    cJSON_Delete(got);
    got = fill_feature("number", 1, "name: y\ntype: number\n", "{'loss': {'weight': 5.0}}", &e);
    CHECK_MSG(got != NULL, "%s", e.msg);
    check_json(got ? cJSON_GetObjectItemCaseSensitive(got, "loss") : NULL,
               "{'type': 'mean_squared_error', 'weight': 5.0}", "untyped defaults");
    cJSON_Delete(got);
}

int main(void)
{
    test_empty_sections();
    test_number_output_vs_ludwig();
    test_feature_defaults();
    test_defaults_sections();
    test_dispatch();
    test_tables();
    test_rejections();
    test_user_values();
    test_feature_parts();
    test_defaults_merge();
    return check_exit("test_schema_tab");
}
