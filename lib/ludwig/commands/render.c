/* render.c - `ludwig render_config` (ludwig/utils/defaults.py render_config): the config upgraded
 * from older styles and filled with every default, as ModelConfig.from_dict(...).to_dict() gives
 * it, written as YAML the way yaml.safe_dump(sort_keys=False) writes it (lc_yamlw.h). The
 * sections come in ModelConfig's order; within them, ludwig-c's schema order. */
#include "ludwig_c.h"

#include <stdio.h>
#include <string.h>

#include "lc_config.h"
#include "lc_fs.h"
#include "lc_yamlw.h"

static void note_print(void *arg, const char *msg)
{
    if (arg)
        fprintf((FILE *)arg, "ludwig-c: note: %s\n", msg);
}

lc_status lc_render_config(const char *config_path, const char *output, FILE *notes, lc_error *e)
{
    if (!config_path)
        return lc_error_set(e, LC_ERR_USAGE, "render_config needs --config");
    lc_config *cfg = NULL;
    lc_status st = lc_config_load(config_path, &cfg, note_print, notes, e);
    if (st)
        return st;
    /* ModelConfig's fields, in their order (ludwig/schema/model_types/ecd.py, base.py) */
    static const char *const order[] = {"model_type", "input_features", "output_features",
                                        "combiner", "trainer", "preprocessing", "defaults",
                                        "hyperopt", "backend", "ludwig_version"};
    cJSON *out = cJSON_CreateObject();
    for (size_t i = 0; out && i < sizeof order / sizeof *order; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg->full, order[i]);
        if (v)
            cJSON_AddItemToObject(out, order[i], cJSON_Duplicate(v, 1));
    }
    for (const cJSON *v = cfg->full->child; out && v; v = v->next) {
        int known = 0;
        for (size_t i = 0; i < sizeof order / sizeof *order; i++)
            known |= strcmp(v->string, order[i]) == 0;
        if (!known)
            cJSON_AddItemToObject(out, v->string, cJSON_Duplicate(v, 1));
    }
    /* each feature's column right after its type, whether the user gave it or it was taken from
     * the name, so that a rendering renders to itself */
    for (int io = 0; out && io < 2; io++) {
        cJSON *list = cJSON_GetObjectItemCaseSensitive(out, io ? "output_features" : "input_features");
        for (cJSON *f = list ? list->child : NULL; f; f = f->next) {
            cJSON *col = cJSON_DetachItemFromObjectCaseSensitive(f, "column");
            cJSON *type = cJSON_GetObjectItemCaseSensitive(f, "type");
            if (!col)
                continue;
            if (!type) {
                cJSON_AddItemToObject(f, "column", col);
                continue;
            }
            /* cJSON keeps the list's last item in child->prev */
            col->prev = type;
            col->next = type->next;
            if (type->next)
                type->next->prev = col;
            else
                f->child->prev = col;
            type->next = col;
        }
    }
    if (!out) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    } else if (!output) {
        st = lc_yaml_write(out, stdout, "standard output", e);
    } else {
        lc_afile a;
        if (!(st = lc_afile_open(&a, output, e))) {
            lc_error ye;
            lc_error_clear(&ye);
            int bad = lc_yaml_write(out, a.f, output, &ye) != LC_OK;
            st = lc_afile_commit(&a, bad, "the rendered config", e);
        }
    }
    cJSON_Delete(out);
    lc_config_free(cfg);
    return st;
}
