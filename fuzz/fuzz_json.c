/* fuzz_json.c - libFuzzer target for the JSON reader/writer (lib/io/jsonw.c) and the
 * training_set_metadata.json loader (lc_dataset_read_metadata): whatever parses must print as
 * Python would, and that text must parse and print back to the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "lc_dataset.h"
#include "lc_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lc_error e;
    lc_error_clear(&e);
    cJSON *j = lc_json_parse((const char *)data, size, "fuzz.json", &e);
    if (j) {
        char *out = lc_json_print_py(j);
        if (out) {
            lc_error_clear(&e);
            cJSON *again = lc_json_parse(out, strlen(out), "printed.json", &e);
            if (!again)
                __builtin_trap(); /* our own output must read back */
            char *out2 = lc_json_print_py(again);
            if (out2 && strcmp(out, out2) != 0)
                __builtin_trap(); /* and print the same */
            free(out2);
            cJSON_Delete(again);
            free(out);
        }
        cJSON_Delete(j);
    } else if (!e.msg[0]) {
        __builtin_trap();
    }

    char path[64];
    int fd = fuzz_memfile(data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    lc_column col;
    memset(&col, 0, sizeof col);
    int h, w, c;
    lc_error_clear(&e);
    lc_status st = lc_dataset_read_metadata(path, "label", "image_path", &col, &h, &w, &c, &e);
    if (st == LC_OK && (col.nclasses < 2 || h < 0 || w < 0 || c < 0 || c > 4))
        __builtin_trap();
    if (st != LC_OK && !e.msg[0])
        __builtin_trap();
    lc_column_free(&col);
    close(fd);
    return 0;
}
