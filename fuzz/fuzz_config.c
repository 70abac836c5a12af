/* fuzz_config.c - libFuzzer target for the config loader: the input is parsed by lc_yaml_parse
 * and then loaded as a config file (YAML -> schema validation -> typed config), as
 * `ludwig-c experiment --config` does. A failure must carry a message; a success must give a
 * config with one input and one output feature, and predict's path must read it back: the filled
 * config (c->full, what model_hyperparameters.json saves) printed as Python's json module prints
 * it, loaded again as `ludwig-c predict` loads a model's model_hyperparameters.json, must load.
 * Its corpus holds configs with every list of mappings the schema has (conv_layers, fc_layers,
 * stacked_layers, augmentation and defaults.image.augmentation, the feature lists) and saved
 * model_hyperparameters.json files; fuzz/config.dict (fuzz/make_config_dict.py) holds the
 * schema's key names and choices. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "lc_config.h"
#include "lc_json.h"
#include "lc_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* c->full as model_hyperparameters.json, loaded as predict loads it */
static void reload_saved(const lc_config *c)
{
    char *text = lc_json_print_py(c->full);
    if (!text)
        return;
    char path[64];
    int fd = fuzz_memfile((const uint8_t *)text, strlen(text), path, sizeof path);
    if (fd >= 0) {
        lc_error e;
        lc_error_clear(&e);
        lc_config *again = NULL;
        if (lc_config_load(path, &again, NULL, NULL, &e) != LC_OK) {
            fprintf(stderr, "fuzz_config: the saved config does not load again: %s\n", e.msg);
            __builtin_trap();
        }
        if (!again || again->nin != c->nin || again->nout != c->nout)
            __builtin_trap();
        lc_config_free(again);
        close(fd);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lc_error e;
    lc_error_clear(&e);
    lc_ynode *root = NULL;
    if (lc_yaml_parse((const char *)data, size, "fuzz.yaml", &root, &e) == LC_OK)
        lc_ynode_free(root);
    else if (root || !e.msg[0])
        __builtin_trap();

    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    lc_config *c = NULL;
    lc_error_clear(&e);
    lc_status st = lc_config_load(path, &c, NULL, NULL, &e);
    if (st == LC_OK) {
        if (!c || !c->full || c->nin < 1 || c->nout < 1 || !c->in[0].name || !c->out[0].name ||
            c->epochs < 0)
            __builtin_trap();
        reload_saved(c);
        lc_config_free(c);
    } else if (c || !e.msg[0]) {
        __builtin_trap();
    }
    close(fd);
    return 0;
}
