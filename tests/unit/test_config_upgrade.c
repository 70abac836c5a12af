/* test_config_upgrade.c - lc_config_upgrade: each of Ludwig 0.10.3's backward-compatibility rules
 * as a YAML text before and the tree after (written out in flow style) with the exact notes;
 * a current config left unchanged with no notes; conflicts as errors naming file:line:col;
 * ludwig_version skipping older rules; malformed trees left alone; and upstream's own legacy
 * temperature_config.yml upgraded to what its rendered model_hyperparameters.json shows. */
#include "check.h"
#include "lc_config_upgrade.h"
#include "lc_error.h"
#include "lc_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char text[16384];
    int count;
} notes;

static void collect(void *arg, const char *msg)
{
    notes *ns = arg;
    size_t len = strlen(ns->text);
    snprintf(ns->text + len, sizeof ns->text - len, "%s\n", msg);
    ns->count++;
}

/* The tree in flow style: maps {k: v}, sequences [a, b], quoted scalars in double quotes. */
static void dump(const lc_ynode *n, char *out, size_t cap)
{
    size_t len = strlen(out);
    if (len + 1 >= cap)
        return;
    switch (n->kind) {
    case LC_YSCALAR:
        snprintf(out + len, cap - len, n->plain ? "%s" : "\"%s\"", n->str);
        return;
    case LC_YSEQ:
        snprintf(out + len, cap - len, "[");
        for (size_t i = 0; i < n->n; i++) {
            if (i)
                snprintf(out + strlen(out), cap - strlen(out), ", ");
            dump(n->items[i], out, cap);
        }
        snprintf(out + strlen(out), cap - strlen(out), "]");
        return;
    case LC_YMAP:
        snprintf(out + len, cap - len, "{");
        for (size_t i = 0; i < n->n; i++) {
            snprintf(out + strlen(out), cap - strlen(out), "%s%s: ", i ? ", " : "",
                     n->entries[i].key);
            dump(n->entries[i].value, out, cap);
        }
        snprintf(out + strlen(out), cap - strlen(out), "}");
        return;
    }
}

static lc_status upgrade(const char *yaml, lc_ynode **root, notes *ns, lc_error *e)
{
    lc_error_clear(e);
    memset(ns, 0, sizeof *ns);
    *root = NULL;
    lc_status st = lc_yaml_parse(yaml, strlen(yaml), "c.yaml", root, e);
    if (st)
        return st;
    return lc_config_upgrade(*root, "c.yaml", collect, ns, e);
}

/* Upgrades yaml and checks the resulting tree and the notes, exactly (want_notes: the notes
 * joined by newlines, each ending in one). */
static void expect(const char *name, const char *yaml, const char *want_tree,
                   const char *want_notes)
{
    lc_ynode *root;
    notes ns;
    lc_error e;
    lc_status st = upgrade(yaml, &root, &ns, &e);
    CHECK_MSG(st == LC_OK, "%s: status %s (%s)", name, lc_status_name(st), e.msg);
    if (root) {
        static char got[16384];
        got[0] = '\0';
        dump(root, got, sizeof got);
        CHECK_MSG(strcmp(got, want_tree) == 0, "%s: tree\n  got  %s\n  want %s", name, got,
                  want_tree);
    }
    CHECK_MSG(strcmp(ns.text, want_notes) == 0, "%s: notes\n--- got\n%s--- want\n%s", name,
              ns.text, want_notes);
    lc_ynode_free(root);
}

static void expect_error(const char *name, const char *yaml, const char *substr)
{
    lc_ynode *root;
    notes ns;
    lc_error e;
    lc_status st = upgrade(yaml, &root, &ns, &e);
    CHECK_MSG(st == LC_ERR_CONFIG, "%s: status %s, want LC_ERR_CONFIG", name, lc_status_name(st));
    CHECK_MSG(strstr(e.msg, substr) != NULL, "%s: message '%s' lacks '%s'", name, e.msg, substr);
    lc_ynode_free(root);
}

#define N(pos, text) "c.yaml:" pos ": " text " (as Ludwig 0.10.3 does)\n"

static void test_current_unchanged(void)
{
    const char *cur =
        "input_features:\n"
        "  - name: image_path\n"
        "    type: image\n"
        "    preprocessing: {height: 28, width: 28, num_processes: 4, missing_value_strategy: bfill}\n"
        "    encoder:\n"
        "      type: stacked_cnn\n"
        "      conv_layers: [{num_filters: 32, filter_size: 3, pool_size: 2, use_bias: true}]\n"
        "      fc_layers: [{output_size: 64, dropout: 0.4}]\n"
        "  - {name: t, type: text, encoder: {type: rnn, state_size: 8}, tied: null, column: t}\n"
        "output_features:\n"
        "  - name: label\n"
        "    type: category\n"
        "    top_k: 3\n"
        "    decoder: {type: classifier, fc_layers: [{output_size: 8}], fc_use_bias: false}\n"
        "    loss: {type: softmax_cross_entropy, class_weights: [1, 2], weight: 1.0}\n"
        "  - {name: y, type: number, clip: [0, 1], loss: {type: mean_squared_error}}\n"
        "  - {name: v, type: vector, vector_size: 3, softmax: false}\n"
        "combiner: {type: concat, output_size: 256, num_fc_layers: 1}\n"
        "trainer:\n"
        "  epochs: 2\n"
        "  eval_batch_size: 128\n"
        "  max_batch_size: 1024\n"
        "  learning_rate_scheduler: {decay: exponential, staircase: true, warmup_evaluations: 1}\n"
        "  optimizer: {type: adam}\n"
        "preprocessing:\n"
        "  split: {type: random, probabilities: [0.7, 0.1, 0.2]}\n"
        "  sample_ratio: 1.0\n"
        "defaults:\n"
        "  category: {preprocessing: {most_common: 100}, decoder: {fc_dropout: 0.1}}\n"
        "hyperopt:\n"
        "  parameters: {trainer.learning_rate: {space: loguniform, lower: 0.0001, upper: 0.1}}\n"
        "  executor: {type: ray, num_samples: 4}\n"
        "  search_alg: {type: hyperopt}\n"
        "backend: {type: local, credentials: {cache: {}}}\n"
        "model_type: ecd\n"
        "ludwig_version: 0.10.3\n";
    lc_ynode *fresh;
    lc_error e;
    CHECK(lc_yaml_parse(cur, strlen(cur), "c.yaml", &fresh, &e) == LC_OK);
    static char want[16384];
    want[0] = '\0';
    if (fresh)
        dump(fresh, want, sizeof want);
    lc_ynode_free(fresh);
    expect("current", cur, want, "");

    /* the same config, minus ludwig_version, so every rule is tried on it */
    static char nov[8192];
    snprintf(nov, sizeof nov, "%s", cur);
    *strstr(nov, "ludwig_version") = '\0';
    CHECK(lc_yaml_parse(nov, strlen(nov), "c.yaml", &fresh, &e) == LC_OK);
    want[0] = '\0';
    if (fresh)
        dump(fresh, want, sizeof want);
    lc_ynode_free(fresh);
    expect("current without ludwig_version", nov, want, "");
    expect("empty", "", "{}", "");
}

static void test_training(void)
{
    expect("training", "input_features: []\ntraining:\n  epochs: 3\n",
           "{input_features: [], trainer: {epochs: 3}}",
           N("2:1", "'training' renamed to 'trainer'"));
    expect("training equal to trainer", "training: {epochs: 3}\ntrainer: {epochs: 3}\n",
           "{trainer: {epochs: 3}}",
           N("1:1", "'training' removed: 'trainer' is already given with the same value"));
    expect_error("training vs trainer", "trainer: {epochs: 3}\ntraining: {epochs: 4}\n",
                 "c.yaml:2:1: 'training' belongs in 'trainer', which is also given (line 1) with a different value");
}

static void test_numerical_and_bias(void)
{
    expect("numerical",
           "input_features:\n  - {name: x, type: numerical}\noutput_features:\n  - {name: y, type: numerical}\n",
           "{input_features: [{name: x, type: number}], output_features: [{name: y, type: number}]}",
           N("2:21", "input_features[0]: feature type 'numerical' renamed to 'number'")
               N("4:21", "output_features[0]: feature type 'numerical' renamed to 'number'"));
    /* bias spellings anywhere inside a feature, leaves first; then nested under encoder: */
    expect("bias",
           "input_features:\n"
           "  - name: i\n"
           "    type: image\n"
           "    conv_layers: [{num_filters: 8, conv_bias: false}]\n"
           "    bias: false\n",
           "{input_features: [{name: i, type: image, encoder: {conv_layers: [{num_filters: 8, conv_use_bias: false}], use_bias: false}}]}",
           N("4:36", "'input_features[0].conv_layers[0].conv_bias' renamed to 'input_features[0].conv_layers[0].conv_use_bias'")
               N("5:5", "'input_features[0].bias' renamed to 'input_features[0].use_bias'")
                   N("4:5", "'input_features[0].conv_layers' moved to 'input_features[0].encoder.conv_layers'")
                       N("5:5", "'input_features[0].use_bias' moved to 'input_features[0].encoder.use_bias'"));
    expect("default_bias",
           "output_features:\n  - {name: y, type: binary, decoder: {default_bias: 0.5}}\n",
           "{output_features: [{name: y, type: binary, decoder: {default_use_bias: 0.5}}]}",
           N("2:39", "'output_features[0].decoder.default_bias' renamed to 'output_features[0].decoder.default_use_bias'"));
    expect_error("bias conflict",
                 "input_features:\n  - {name: x, type: number, encoder: {bias: true, use_bias: false}}\n",
                 "c.yaml:2:39: 'input_features[0].encoder.bias' belongs in 'input_features[0].encoder.use_bias'");
}

static void test_encoder_nesting(void)
{
    expect("encoder string", "input_features:\n  - {name: t, type: text, encoder: rnn}\n",
           "{input_features: [{name: t, type: text, encoder: {type: rnn}}]}",
           N("2:36", "'input_features[0].encoder: rnn' written as 'encoder: {type: rnn}'"));
    expect("encoder params into an existing map",
           "input_features:\n"
           "  - name: c\n"
           "    type: category\n"
           "    embedding_size: 8\n"
           "    encoder: {type: dense, dropout: 0.1}\n"
           "    preprocessing: {most_common: 5}\n"
           "    dropout: 0.1\n"
           "    augmentation: []\n",
           "{input_features: [{name: c, type: category, encoder: {type: dense, dropout: 0.1, embedding_size: 8, augmentation: []}, preprocessing: {most_common: 5}}]}",
           N("4:5", "'input_features[0].embedding_size' moved to 'input_features[0].encoder.embedding_size'")
               N("7:5", "'input_features[0].dropout' removed: 'input_features[0].encoder.dropout' is already given with the same value")
                   N("8:5", "'input_features[0].augmentation' moved to 'input_features[0].encoder.augmentation'"));
    /* augmentation is a field of image features only */
    expect("image augmentation stays",
           "input_features:\n  - {name: i, type: image, augmentation: [{type: random_blur}]}\n",
           "{input_features: [{name: i, type: image, augmentation: [{type: random_blur}]}]}", "");
    expect_error("encoder param conflict",
                 "input_features:\n  - name: t\n    type: text\n    encoder: {type: rnn, state_size: 8}\n    state_size: 16\n",
                 "c.yaml:5:5: 'input_features[0].state_size' belongs in 'input_features[0].encoder.state_size', which is also given (line 4)");
    /* a type Ludwig has no input feature for is left alone */
    expect("unknown type", "input_features:\n  - {name: x, type: blob, state_size: 3}\n",
           "{input_features: [{name: x, type: blob, state_size: 3}]}", "");
}

static void test_decoder_nesting(void)
{
    expect("binary decoder",
           "output_features:\n"
           "  - name: y\n"
           "    type: binary\n"
           "    threshold: 0.4\n"
           "    fc_layers: [{output_size: 4}]\n"
           "    num_fc_layers: 1\n"
           "    output_size: 16\n"
           "    use_bias: false\n"
           "    dropout: 0.2\n",
           "{output_features: [{name: y, type: binary, threshold: 0.4, decoder: {fc_layers: [{output_size: 4}], num_fc_layers: 1, fc_output_size: 16, use_bias: false, fc_use_bias: false, fc_dropout: 0.2}}]}",
           N("5:5", "'output_features[0].fc_layers' moved to 'output_features[0].decoder.fc_layers'")
               N("6:5", "'output_features[0].num_fc_layers' moved to 'output_features[0].decoder.num_fc_layers'")
                   N("7:5", "'output_features[0].output_size' moved to 'output_features[0].decoder.fc_output_size'")
                       N("8:5", "'output_features[0].use_bias' moved to 'output_features[0].decoder.use_bias' and 'output_features[0].decoder.fc_use_bias'")
                           N("9:5", "'output_features[0].dropout' moved to 'output_features[0].decoder.fc_dropout'"));
    /* the projector has an output_size of its own; the string form first */
    expect("vector projector",
           "output_features:\n  - {name: v, type: vector, decoder: projector, output_size: 3, activation: tanh}\n",
           "{output_features: [{name: v, type: vector, decoder: {type: projector, output_size: 3, fc_output_size: 3, activation: tanh, fc_activation: tanh}}]}",
           N("2:38", "'output_features[0].decoder: projector' written as 'decoder: {type: projector}'")
               N("2:49", "'output_features[0].output_size' moved to 'output_features[0].decoder.output_size' and 'output_features[0].decoder.fc_output_size'")
                   N("2:65", "'output_features[0].activation' moved to 'output_features[0].decoder.activation' and 'output_features[0].decoder.fc_activation'"));
    /* an input-feature key on an output feature is not one of its fields either */
    expect("category decoder",
           "output_features:\n  - {name: c, type: category, top_k: 2, encoder: {type: dense}, weights_initializer: zeros}\n",
           "{output_features: [{name: c, type: category, top_k: 2, decoder: {encoder: {type: dense}, weights_initializer: zeros, fc_weights_initializer: zeros}}]}",
           N("2:41", "'output_features[0].encoder' moved to 'output_features[0].decoder.encoder'")
               N("2:65", "'output_features[0].weights_initializer' moved to 'output_features[0].decoder.weights_initializer' and 'output_features[0].decoder.fc_weights_initializer'"));
    expect_error("decoder conflict",
                 "output_features:\n  - {name: y, type: number, decoder: {fc_dropout: 0.1}, dropout: 0.3}\n",
                 "c.yaml:2:57: 'output_features[0].dropout' belongs in 'output_features[0].decoder.fc_dropout'");
}

static void test_level_metadata(void)
{
    expect("level metadata",
           "input_features:\n"
           "  - {name: t, type: text, preprocessing: {word_tokenizer: space, char_tokenizer: space}}\n"
           "  - {name: c, type: category, preprocessing: {word_tokenizer: space}}\n"
           "preprocessing:\n"
           "  text: {word_most_common: 100, word_sequence_length_limit: 8}\n",
           "{input_features: [{name: t, type: text, preprocessing: {tokenizer: space}}, {name: c, type: category, preprocessing: {word_tokenizer: space}}], defaults: {text: {preprocessing: {most_common: 100, max_sequence_length: 8}}}}",
           N("5:10", "'preprocessing.text.word_most_common' renamed to 'preprocessing.text.most_common'")
               N("5:33", "'preprocessing.text.word_sequence_length_limit' renamed to 'preprocessing.text.max_sequence_length'")
                   N("2:43", "'input_features[0].preprocessing.word_tokenizer' renamed to 'input_features[0].preprocessing.tokenizer'")
                       N("2:66", "'input_features[0].preprocessing.char_tokenizer' removed: 'input_features[0].preprocessing.tokenizer' is already given with the same value")
                           N("5:3", "'preprocessing.text' moved to 'defaults.text.preprocessing'"));
}

static void test_preprocessing_defaults(void)
{
    expect("preprocessing to defaults",
           "preprocessing:\n"
           "  image: {height: 32, width: 32}\n"
           "  numerical: {normalization: zscore}\n"
           "  sample_ratio: 0.5\n"
           "defaults:\n"
           "  image:\n"
           "    preprocessing: {num_channels: 1}\n",
           "{preprocessing: {sample_ratio: 0.5}, defaults: {image: {preprocessing: {num_channels: 1, height: 32, width: 32}}, number: {preprocessing: {normalization: zscore}}}}",
           N("2:3", "'preprocessing.image' moved to 'defaults.image.preprocessing'")
               N("3:3", "'preprocessing.numerical' moved to 'defaults.number.preprocessing'"));
    expect("preprocessing emptied",
           "preprocessing:\n  audio: {audio_feature: {type: fbank}}\n",
           "{defaults: {audio: {preprocessing: {type: fbank}}}}",
           N("2:11", "the entries of 'preprocessing.audio.audio_feature' moved up into 'preprocessing.audio'")
               N("2:3", "'preprocessing.audio' moved to 'defaults.audio.preprocessing'"));
    /* a type section with a preprocessing: of its own: only that is kept */
    expect("nested preprocessing",
           "preprocessing:\n  category: {preprocessing: {most_common: 3}, other: 1}\n",
           "{defaults: {category: {preprocessing: {most_common: 3}}}}",
           N("2:3", "'preprocessing.category' moved to 'defaults.category.preprocessing'"));
    expect_error("preprocessing vs defaults",
                 "defaults: {image: {preprocessing: {height: 28}}}\npreprocessing:\n  image: {height: 32}\n",
                 "c.yaml:3:11: 'preprocessing.image.height' belongs in 'defaults.image.preprocessing.height', which is also given (line 1)");
}

static void test_split(void)
{
    expect("split probabilities and force_split",
           "preprocessing:\n  force_split: true\n  split_probabilities: [0.8, 0.1, 0.1]\n",
           "{preprocessing: {split: {probabilities: [0.8, 0.1, 0.1], type: random}}}",
           N("2:3", "'preprocessing.force_split' replaced by 'preprocessing.split.type: random'")
               N("3:3", "'preprocessing.split_probabilities' moved to 'preprocessing.split.probabilities'"));
    expect("stratify",
           "preprocessing:\n  stratify: label\n  force_split: false\n  oversample_minority: 0.5\n",
           "{preprocessing: {oversample_minority: 0.5, split: {type: stratify, column: label}}}",
           N("3:3", "'preprocessing.force_split' removed: the split type is 'stratify'")
               N("2:3", "'preprocessing.stratify: label' replaced by 'preprocessing.split' with type 'stratify' and column 'label'"));
    expect("force_split null", "preprocessing:\n  force_split: null\n  sample_ratio: 1\n",
           "{preprocessing: {sample_ratio: 1}}",
           N("2:3", "'preprocessing.force_split: null' removed"));
    expect_error("split conflict",
                 "preprocessing:\n  split: {type: fixed}\n  split_probabilities: [0.5, 0.25, 0.25]\n",
                 "c.yaml:3:3: 'preprocessing.split_probabilities' belongs in 'preprocessing.split', which is also given (line 2)");
}

static void test_trainer_rules(void)
{
    expect("eval_batch_size 0", "trainer:\n  eval_batch_size: 0\n  batch_size: 0\n",
           "{trainer: {eval_batch_size: null, batch_size: 0}}",
           N("2:20", "'trainer.eval_batch_size: 0' replaced by null"));
    expect("trainer type", "trainer: {type: trainer, epochs: 1}\n", "{trainer: {epochs: 1}}",
           N("1:11", "'trainer.type' removed: the trainer follows the top-level model_type"));
    expect("llm trainer type kept", "model_type: llm\ntrainer: {type: finetune}\n",
           "{model_type: llm, trainer: {type: finetune}}", "");
    expect("max_batch_size", "trainer: {increase_batch_size_on_plateau_max: 64}\n",
           "{trainer: {max_batch_size: 64}}",
           N("1:11", "'trainer.increase_batch_size_on_plateau_max' renamed to 'trainer.max_batch_size'"));
    expect_error("max_batch_size conflict",
                 "trainer:\n  max_batch_size: 32\n  increase_batch_size_on_plateau_max: 64\n",
                 "c.yaml:3:3: 'trainer.increase_batch_size_on_plateau_max' belongs in 'trainer.max_batch_size', which is also given (line 2)");
    expect("learning rate scheduler",
           "trainer:\n"
           "  decay: true\n"
           "  decay_rate: 0.9\n"
           "  staircase: true\n"
           "  reduce_learning_rate_on_plateau: 2.0\n"
           "  reduce_learning_rate_eval_metric: loss\n"
           "  learning_rate_warmup_epochs: 1\n"
           "  learning_rate: 0.01\n",
           "{trainer: {learning_rate: 0.01, learning_rate_scheduler: {reduce_on_plateau: 2, reduce_eval_metric: loss, decay: exponential, decay_rate: 0.9, staircase: true, warmup_evaluations: 1}}}",
           N("5:3", "'trainer.reduce_learning_rate_on_plateau' moved to 'trainer.learning_rate_scheduler.reduce_on_plateau', its value 2.0 written as 2")
               N("6:3", "'trainer.reduce_learning_rate_eval_metric' moved to 'trainer.learning_rate_scheduler.reduce_eval_metric'")
                   N("2:3", "'trainer.decay' moved to 'trainer.learning_rate_scheduler.decay', its value true written as exponential")
                       N("3:3", "'trainer.decay_rate' moved to 'trainer.learning_rate_scheduler.decay_rate'")
                           N("4:3", "'trainer.staircase' moved to 'trainer.learning_rate_scheduler.staircase'")
                               N("7:3", "'trainer.learning_rate_warmup_epochs' moved to 'trainer.learning_rate_scheduler.warmup_evaluations'"));
    expect("decay false and an existing scheduler",
           "trainer:\n  learning_rate_scheduler: {decay_steps: 100}\n  decay: false\n",
           "{trainer: {learning_rate_scheduler: {decay_steps: 100, decay: null}}}",
           N("3:3", "'trainer.decay' moved to 'trainer.learning_rate_scheduler.decay', its value false written as null"));
    expect_error("scheduler conflict",
                 "trainer:\n  learning_rate_scheduler: {decay_rate: 0.5}\n  decay_rate: 0.9\n",
                 "c.yaml:3:3: 'trainer.decay_rate' belongs in 'trainer.learning_rate_scheduler.decay_rate', which is also given (line 2)");
}

static void test_feature_value_rules(void)
{
    expect("missing value strategy",
           "input_features:\n"
           "  - {name: x, type: number, preprocessing: {missing_value_strategy: backfill}}\n"
           "output_features:\n"
           "  - {name: y, type: binary, preprocessing: {missing_value_strategy: pad}}\n"
           "defaults:\n"
           "  text: {preprocessing: {missing_value_strategy: pad}}\n",
           "{input_features: [{name: x, type: number, preprocessing: {missing_value_strategy: bfill}}], output_features: [{name: y, type: binary, preprocessing: {missing_value_strategy: ffill}}], defaults: {text: {preprocessing: {missing_value_strategy: ffill}}}}",
           N("2:69", "'input_features[0].preprocessing.missing_value_strategy: backfill' replaced by 'bfill'")
               N("4:69", "'output_features[0].preprocessing.missing_value_strategy: pad' replaced by 'ffill'")
                   N("6:50", "'defaults.text.preprocessing.missing_value_strategy: pad' replaced by 'ffill'"));
    expect("class weights",
           "output_features:\n  - {name: c, type: category, loss: {type: softmax_cross_entropy, class_weights: 1}}\n",
           "{output_features: [{name: c, type: category, loss: {type: softmax_cross_entropy, class_weights: null}}]}",
           N("2:82", "'output_features[0].loss.class_weights: 1' replaced by null: class weights are a list or a map"));
}

static void test_sections(void)
{
    expect("backend", "backend: {type: local, cache_credentials: {key: k}}\n",
           "{backend: {type: local, credentials: {cache: {key: k}}}}",
           N("1:24", "'backend.cache_credentials' moved to 'backend.credentials.cache'"));
    expect("defaults type", "defaults:\n  number: {type: number, preprocessing: {normalization: minmax}}\n",
           "{defaults: {number: {preprocessing: {normalization: minmax}}}}",
           N("2:12", "'defaults.number.type' removed"));
    expect("gbm defaults",
           "model_type: gbm\ndefaults:\n  image: {preprocessing: {height: 2}}\n  number: {decoder: {type: regressor}, preprocessing: {normalization: zscore}}\n",
           "{model_type: gbm, defaults: {number: {preprocessing: {normalization: zscore}}}}",
           N("3:3", "'defaults.image' removed: GBM models take defaults for binary, category and number features only")
               N("4:12", "'defaults.number.decoder' removed: GBM models have none"));
    expect("empty hyperopt", "hyperopt: {}\n", "{}", N("1:1", "empty 'hyperopt: {}' removed"));
    expect("hyperopt",
           "hyperopt:\n"
           "  parameters:\n"
           "    training.learning_rate: {space: choice, categories: [0.1, 0.01]}\n"
           "    combiner.output_size: {space: choice, categories: [8, 16]}\n"
           "  executor: {type: serial}\n"
           "  sampler:\n"
           "    type: grid\n"
           "    search_alg: random\n"
           "    num_samples: 4\n"
           "    scheduler: {}\n",
           "{hyperopt: {parameters: {trainer.learning_rate: {space: choice, categories: [0.1, 0.01]}, combiner.output_size: {space: choice, categories: [8, 16]}}, executor: {type: ray, num_samples: 4}, search_alg: {type: random}}}",
           N("3:5", "'hyperopt.parameters.training.learning_rate' renamed to 'hyperopt.parameters.trainer.learning_rate'")
               N("5:20", "hyperopt executor type 'serial' replaced by 'ray'")
                   N("8:5", "'hyperopt.sampler.search_alg' moved to 'hyperopt.search_alg'")
                       N("9:5", "'hyperopt.sampler.num_samples' moved to 'hyperopt.executor.num_samples'")
                           N("10:5", "'hyperopt.sampler.scheduler' moved to 'hyperopt.executor.scheduler'")
                               N("10:5", "empty 'hyperopt.executor.scheduler' removed")
                                   N("6:3", "legacy section 'hyperopt.sampler' removed"));
    expect("executor search_alg", "hyperopt:\n  executor: {type: ray, search_alg: hyperopt}\n  parameters: {x: 1}\n",
           "{hyperopt: {executor: {type: ray}, parameters: {x: 1}, search_alg: {type: hyperopt}}}",
           N("2:25", "'hyperopt.executor.search_alg' moved to 'hyperopt.search_alg'"));
    expect("executor search_alg equal to the top-level one",
           "hyperopt:\n  search_alg: {type: hyperopt}\n  executor: {search_alg: hyperopt}\n",
           "{hyperopt: {search_alg: {type: hyperopt}, executor: {}}}",
           N("3:14", "'hyperopt.executor.search_alg' removed: 'hyperopt.search_alg' is already given with the same value"));
    expect_error("backend conflict", "backend:\n  credentials: {cache: {a: 1}}\n  cache_credentials: {a: 2}\n",
                 "c.yaml:3:3: 'backend.cache_credentials' belongs in 'backend.credentials.cache', which is also given (line 2)");
    expect("combiner and encoder fc_size",
           "combiner: {type: concat, fc_size: 128}\ninput_features:\n  - {name: d, type: date, fc_size: 16}\n",
           "{combiner: {type: concat}, input_features: [{name: d, type: date, encoder: {}}]}",
           N("3:27", "'input_features[0].fc_size' moved to 'input_features[0].encoder.fc_size'")
               N("1:26", "'combiner.fc_size' removed: Ludwig 0.10.3 ignores it, the size is output_size")
                   N("3:27", "'input_features[0].encoder.fc_size' removed: Ludwig 0.10.3 ignores it, the size is output_size"));
}

static void test_legacy_image_encoders(void)
{
    expect("resnet legacy",
           "input_features:\n  - {name: i, type: image, encoder: {type: resnet, resnet_size: 18}}\n",
           "{input_features: [{name: i, type: image, encoder: {type: _resnet_legacy, resnet_size: 18}}]}",
           N("2:44", "input_features[0].encoder: type 'resnet' given the legacy parameter 'resnet_size' renamed to '_resnet_legacy'"));
    expect("torchvision resnet kept",
           "input_features:\n  - {name: i, type: image, encoder: {type: resnet, model_variant: 18}}\n",
           "{input_features: [{name: i, type: image, encoder: {type: resnet, model_variant: 18}}]}", "");
    expect("vit legacy from flat params",
           "input_features:\n  - {name: i, type: image, encoder: vit, hidden_size: 64}\n",
           "{input_features: [{name: i, type: image, encoder: {type: _vit_legacy, hidden_size: 64}}]}",
           N("2:37", "'input_features[0].encoder: vit' written as 'encoder: {type: vit}'")
               N("2:42", "'input_features[0].hidden_size' moved to 'input_features[0].encoder.hidden_size'")
                   N("2:37", "input_features[0].encoder: type 'vit' given the legacy parameter 'hidden_size' renamed to '_vit_legacy'"));
    expect_error("resnet ambiguous",
                 "input_features:\n  - {name: i, type: image, encoder: {type: resnet, resnet_size: 18, use_pretrained: true}}\n",
                 "c.yaml:2:52: input_features[0].encoder: 'resnet_size' is a parameter of the legacy encoder '_resnet_legacy' and 'use_pretrained' (line 2) one of the encoder 'resnet'");
}

static void test_versions(void)
{
    /* written by 0.6.1: the 0.4-0.6 rules are done, the 0.7 ones still apply */
    expect("ludwig_version 0.6.1",
           "ludwig_version: 0.6.1\ntraining: {decay: true}\ninput_features:\n  - {name: x, type: numerical}\n",
           "{ludwig_version: 0.6.1, training: {decay: true}, input_features: [{name: x, type: numerical}]}",
           "");
    expect("ludwig_version 0.6 and the 0.7 rules",
           "ludwig_version: '0.6'\ntrainer: {decay: true}\nhyperopt: {}\n",
           "{ludwig_version: \"0.6\", trainer: {learning_rate_scheduler: {decay: exponential}}}",
           N("3:1", "empty 'hyperopt: {}' removed")
               N("2:11", "'trainer.decay' moved to 'trainer.learning_rate_scheduler.decay', its value true written as exponential"));
    expect("ludwig_version 0.7.0", "ludwig_version: 0.7.0\nhyperopt: {}\n", "{ludwig_version: 0.7.0}",
           N("2:1", "empty 'hyperopt: {}' removed"));
    expect("ludwig_version 0.7.0.post1", "ludwig_version: 0.7.0.post1\nhyperopt: {}\n",
           "{ludwig_version: 0.7.0.post1, hyperopt: {}}", "");
    expect("ludwig_version not a version", "ludwig_version: latest\ntraining: {}\n",
           "{ludwig_version: latest, trainer: {}}", N("2:1", "'training' renamed to 'trainer'"));
    expect("ludwig_version 0.5rc1", "ludwig_version: 0.5rc1\ntraining: {epochs: 1}\n",
           "{ludwig_version: 0.5rc1, trainer: {epochs: 1}}",
           N("2:1", "'training' renamed to 'trainer'"));
}

static void test_malformed(void)
{
    const char *bad =
        "input_features:\n"
        "  - just_a_name\n"
        "  - [type, image]\n"
        "  - {name: i, type: image, encoder: null, conv_layers: [1]}\n"
        "  - {name: j, type: [image], bias: 1}\n"
        "output_features: {name: y, type: binary, fc_layers: []}\n"
        "training: [1, 2]\n"
        "preprocessing: 5\n"
        "defaults: [image]\n"
        "hyperopt: {sampler: 3, executor: null, parameters: [training.x]}\n"
        "backend: {cache_credentials: 1, credentials: null}\n"
        "combiner: concat\n";
    lc_ynode *root;
    notes ns;
    lc_error e;
    lc_status st = upgrade(bad, &root, &ns, &e);
    CHECK_MSG(st == LC_OK, "malformed: %s (%s)", lc_status_name(st), e.msg);
    static char got[8192];
    got[0] = '\0';
    if (root)
        dump(root, got, sizeof got);
    CHECK_MSG(strcmp(got, "{input_features: [just_a_name, [type, image], {name: i, type: image, encoder: null, conv_layers: [1]}, {name: j, type: [image], use_bias: 1}], output_features: {name: y, type: binary, fc_layers: []}, trainer: [1, 2], preprocessing: 5, defaults: [image], hyperopt: {sampler: 3, executor: null, parameters: [training.x]}, backend: {cache_credentials: 1, credentials: null}, combiner: concat}") == 0,
              "malformed tree: %s", got);
    CHECK_MSG(ns.count == 2 && strstr(ns.text, "c.yaml:7:1: 'training' renamed to 'trainer'") &&
                  strstr(ns.text, "c.yaml:5:30: 'input_features[3].bias' renamed to 'input_features[3].use_bias'"),
              "malformed notes:\n%s", ns.text);
    lc_ynode_free(root);

    /* not a map at the top: nothing to do */
    expect("root sequence", "- training\n- numerical\n", "[training, numerical]", "");
    expect("root scalar", "training\n", "training", "");
    CHECK(lc_config_upgrade(NULL, "c.yaml", NULL, NULL, NULL) == LC_OK);
    /* no note callback */
    lc_error_clear(&e);
    CHECK(lc_yaml_parse("training: {}\n", 13, "c.yaml", &root, &e) == LC_OK);
    CHECK(lc_config_upgrade(root, "c.yaml", NULL, NULL, &e) == LC_OK);
    CHECK(root && lc_ymap_get(root, "trainer") && !lc_ymap_get(root, "training"));
    lc_ynode_free(root);
}

/* /work/shared/peer/galaxy-ludwig/temperature_config.yml, the legacy config of upstream's
 * Galaxy tool tests; its rendered model_hyperparameters.json (Ludwig 0.10.1) has
 * encoder {type: rnn, state_size: 32, ...} and trainer {epochs: 2, ...} (its embedding_size is 1
 * because the timeseries feature overrides it after the upgrade, not in it). */
static void test_temperature_config(void)
{
    const char *yml = "input_features:\n"
                      "    -\n"
                      "        name: temperature_feature\n"
                      "        type: timeseries\n"
                      "        encoder: rnn\n"
                      "        embedding_size: 32\n"
                      "        state_size: 32\n"
                      "\n"
                      "output_features:\n"
                      "    -\n"
                      "        name: temperature\n"
                      "        type: number\n"
                      "\n"
                      "training:\n"
                      "    epochs: 2\n";
    expect("temperature_config.yml", yml,
           "{input_features: [{name: temperature_feature, type: timeseries, encoder: {type: rnn, embedding_size: 32, state_size: 32}}], output_features: [{name: temperature, type: number}], trainer: {epochs: 2}}",
           N("14:1", "'training' renamed to 'trainer'")
               N("5:18", "'input_features[0].encoder: rnn' written as 'encoder: {type: rnn}'")
                   N("6:9", "'input_features[0].embedding_size' moved to 'input_features[0].encoder.embedding_size'")
                       N("7:9", "'input_features[0].state_size' moved to 'input_features[0].encoder.state_size'"));
    /* positions survive the move: the validator can still point at line 7 */
    lc_ynode *root;
    notes ns;
    lc_error e;
    CHECK(upgrade(yml, &root, &ns, &e) == LC_OK);
    const lc_ynode *enc = root ? lc_ymap_get(lc_ymap_get(root, "input_features")->items[0], "encoder") : NULL;
    const lc_yentry *ss = lc_ymap_entry(enc, "state_size");
    CHECK(ss && ss->line == 7 && ss->col == 9 && ss->value->line == 7 && ss->value->col == 21);
    const lc_yentry *ty = lc_ymap_entry(enc, "type");
    CHECK(ty && ty->line == 5 && ty->value->line == 5 && strcmp(ty->value->str, "rnn") == 0);
    lc_ynode_free(root);
}

int main(void)
{
    test_current_unchanged();
    test_training();
    test_numerical_and_bias();
    test_encoder_nesting();
    test_decoder_nesting();
    test_level_metadata();
    test_preprocessing_defaults();
    test_split();
    test_trainer_rules();
    test_feature_value_rules();
    test_sections();
    test_legacy_image_encoders();
    test_versions();
    test_malformed();
    test_temperature_config();
    return check_exit("test_config_upgrade");
}
