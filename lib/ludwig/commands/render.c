/* render.c - `ludwig render_config` (ludwig/utils/defaults.py render_config): the config upgraded
 * from older styles and filled with every default, as ModelConfig.from_dict(...).to_dict() gives
 * it, written as YAML the way yaml.safe_dump(sort_keys=False) writes it (lc_yamlw.h). The
 * sections come in ModelConfig's order; within them, ludwig-c's schema order. The config comes from
 * a file, or from memory (lc_render_config_text: the config init_config generates). Unlike training,
 * rendering accepts an empty feature name (a placeholder, as upstream's Galaxy form writes). A
 * hyperopt section is kept as given, upgraded (lc_config_upgrade), not filled with hyperopt's
 * defaults: ludwig-c's hyperopt reads it, the model config does not. */
#include "ludwig_c.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_config.h"
#include "lc_fs.h"
#include "lc_json.h"
#include "lc_schema.h"
#include "lc_yaml.h"
#include "lc_yamlw.h"

static void note_print(void *arg, const char *msg)
{
    if (arg)
        fprintf((FILE *)arg, "ludwig-c: note: %s\n", msg);
}


/* Writes the loaded config cfg (freed here) rendered to output or standard output; root is the
 * upgraded tree it was built from (its hyperopt section is kept as given). */
static lc_status render_loaded(lc_config *cfg, const lc_ynode *root, const char *output,
                               lc_error *e)
{
    lc_status st = LC_OK;
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
    const lc_ynode *yh = lc_ymap_get(root, "hyperopt");
    if (out && yh && !lc_yscalar_is_null(yh)) {
        cJSON *h = lc_schema_yaml_json(yh);
        if (!h || !cJSON_ReplaceItemInObjectCaseSensitive(out, "hyperopt", h)) {
            cJSON_Delete(h);
            cJSON_Delete(out);
            out = NULL;
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

/* Renders root (a parsed config tree, upgraded here, still the caller's). */
static lc_status render_tree(lc_ynode *root, const char *name, const char *output, FILE *notes,
                             lc_error *e)
{
    lc_config *cfg = NULL;
    lc_status st = lc_config_from_tree_flags(root, name, LC_CONFIG_RENDER, note_print, notes, &cfg,
                                             e);
    if (st)
        return st;
    return render_loaded(cfg, root, output, e);
}

lc_status lc_render_config(const char *config_path, const char *output, FILE *notes, lc_error *e)
{
    if (!config_path)
        return lc_error_set(e, LC_ERR_USAGE, "render_config needs --config");
    lc_ynode *root = NULL;
    lc_status st = lc_yaml_load(config_path, &root, e);
    if (!st)
        st = render_tree(root, config_path, output, notes, e);
    lc_ynode_free(root);
    return st;
}

lc_status lc_render_config_text(const char *text, size_t len, const char *name, const char *output,
                                FILE *notes, lc_error *e)
{
    lc_ynode *root = NULL;
    lc_status st = lc_yaml_parse(text, len, name, &root, e);
    if (!st)
        st = render_tree(root, name, output, notes, e);
    lc_ynode_free(root);
    return st;
}
