/* fuzz_config.c - libFuzzer target for the config loader: the input is parsed by lc_yaml_parse
 * and then loaded as a config file (YAML -> schema validation -> typed config), as
 * `ludwig-c experiment --config` does. A failure must carry a message; a success must give a
 * config with one input and one output feature. */
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "lc_config.h"
#include "lc_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
        lc_config_free(c);
    } else if (c || !e.msg[0]) {
        __builtin_trap();
    }
    close(fd);
    return 0;
}
