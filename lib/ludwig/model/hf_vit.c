/* hf_vit.c - a pretrained HuggingFace ViT from the local hub cache (lc_hf.h): where the snapshot
 * is, its config.json's architecture, its weights under Ludwig's names. Downloading, and the
 * network itself (model.c plan_vit_legacy), are left to others. */
#include "lc_hf.h"
#include "lc_safetensors.h"
#include "lc_torchzip.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_file(const char *p)
{
    struct stat s;
    return stat(p, &s) == 0 && S_ISREG(s.st_mode);
}

/* the cache directory transformers uses */
static void hub_cache(char *out, size_t n)
{
    static const char *const vars[] = {"TRANSFORMERS_CACHE", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"};
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) {
            snprintf(out, n, "%s", v);
            return;
        }
    }
    const char *hh = getenv("HF_HOME"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (hh && *hh)
        snprintf(out, n, "%s/hub", hh);
    else if (xdg && *xdg)
        snprintf(out, n, "%s/huggingface/hub", xdg);
    else
        snprintf(out, n, "%s/.cache/huggingface/hub", home && *home ? home : ".");
}

static lc_status missing(lc_error *e, const char *model, const char *what, const char *root,
                         const char *repo)
{
    lc_error_set(e, LC_ERR_USAGE,
                 "encoder _vit_legacy with use_pretrained: true needs HuggingFace's %s from the local cache, and %s is not there",
                 model, what);
    lc_error_hint(e, "ludwig-c never downloads: on a machine with internet, `huggingface-cli download %s` (or transformers' from_pretrained) fills %s (refs/main, snapshots/<revision>/ with config.json and model.safetensors or pytorch_model.bin); copy that directory into %s (TRANSFORMERS_CACHE, HF_HUB_CACHE or HF_HOME/hub choose it, else ~/.cache/huggingface/hub), or set use_pretrained: false to train the ViT from scratch",
                  model, repo, root);
    return LC_ERR_USAGE;
}

lc_status lc_hf_snapshot(const char *model, char *dir, size_t n, lc_error *e)
{
    char p[4096], root[2048], repo[3072], rev[256] = "";
    snprintf(p, sizeof p, "%s/config.json", model);
    if (is_file(p)) { /* a local directory, as from_pretrained takes one */
        snprintf(dir, n, "%s", model);
        return LC_OK;
    }
    hub_cache(root, sizeof root);
    int w = snprintf(repo, sizeof repo, "%s/models--", root);
    for (const char *c = model; *c && w > 0 && (size_t)w + 3 < sizeof repo; c++)
        w += *c == '/' ? snprintf(repo + w, sizeof repo - (size_t)w, "--")
                       : snprintf(repo + w, sizeof repo - (size_t)w, "%c", *c);
    snprintf(p, sizeof p, "%s/refs/main", repo);
    FILE *f = fopen(p, "r");
    if (!f)
        return missing(e, model, p, root, repo);
    int ok = fgets(rev, sizeof rev, f) != NULL;
    fclose(f);
    rev[strcspn(rev, "\r\n")] = '\0';
    if (!ok || !rev[0] || strchr(rev, '/') || strcmp(rev, "..") == 0)
        return lc_error_set(e, LC_ERR_USAGE, "%s: expected a revision (the snapshot's directory name)", p);
    snprintf(p, sizeof p, "%s/snapshots/%s/config.json", repo, rev);
    if (!is_file(p))
        return missing(e, model, p, root, repo);
    if (snprintf(dir, n, "%s/snapshots/%s", repo, rev) >= (int)n)
        return lc_error_set(e, LC_ERR_USAGE, "%s: the path is too long", repo);
    return LC_OK;
}

static double num(const cJSON *c, const char *k, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, k);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

lc_status lc_hf_vit_config(const char *dir, lc_input_spec *sp, lc_error *e)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/config.json", dir);
    FILE *f = fopen(p, "rb");
    if (!f)
        return lc_error_set(e, LC_ERR_IO, "%s: cannot open: %m", p);
    char buf[1 << 16];
    size_t r = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[r] = '\0';
    cJSON *c = cJSON_Parse(buf);
    if (!cJSON_IsObject(c)) {
        cJSON_Delete(c);
        return lc_error_set(e, LC_ERR_DATA, "%s: not a JSON object", p);
    }
    lc_status st = LC_OK;
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(c, "hidden_act");
    const char *a = cJSON_IsString(act) ? act->valuestring : "gelu";
    const cJSON *qkv = cJSON_GetObjectItemCaseSensitive(c, "qkv_bias");
    /* ViTConfig's defaults */
    sp->vl_hidden = (int)num(c, "hidden_size", 768);
    sp->vl_layers = (int)num(c, "num_hidden_layers", 12);
    sp->vl_heads = (int)num(c, "num_attention_heads", 12);
    sp->vl_inter = (int)num(c, "intermediate_size", 3072);
    sp->vl_drop = (float)num(c, "hidden_dropout_prob", 0.0);
    sp->vl_attn_drop = (float)num(c, "attention_probs_dropout_prob", 0.0);
    sp->vl_init_range = (float)num(c, "initializer_range", 0.02);
    sp->vl_ln_eps = (float)num(c, "layer_norm_eps", 1e-12);
    sp->vl_patch = (int)num(c, "patch_size", 16);
    sp->vl_image = (int)num(c, "image_size", 224);
    sp->vl_channels = (int)num(c, "num_channels", 3);
    if (strcmp(a, "gelu") == 0)
        sp->vl_act = LC_ACT_GELU;
    else if (strcmp(a, "relu") == 0)
        sp->vl_act = LC_ACT_RELU;
    else if (strcmp(a, "selu") == 0)
        sp->vl_act = LC_ACT_SELU;
    else if (strcmp(a, "gelu_new") == 0)
        sp->vl_act = LC_ACT_GELU_TANH;
    else
        st = lc_error_set(e, LC_ERR_DATA, "%s: hidden_act '%s' is not one ludwig-c builds (gelu, relu, selu, gelu_new)", p, a);
    if (!st && qkv && !cJSON_IsTrue(qkv))
        st = lc_error_set(e, LC_ERR_DATA, "%s: qkv_bias false is not built by ludwig-c", p);
    if (!st && (sp->vl_hidden < 1 || sp->vl_layers < 1 || sp->vl_heads < 1 || sp->vl_inter < 1 ||
                sp->vl_patch < 1 || sp->vl_hidden % sp->vl_heads || sp->vl_drop < 0 ||
                sp->vl_drop > 1 || sp->vl_attn_drop < 0 || sp->vl_attn_drop > 1))
        st = lc_error_set(e, LC_ERR_DATA, "%s: not a ViT configuration ludwig-c can build (sizes, heads dividing hidden_size, dropouts in [0, 1])", p);
    cJSON_Delete(c);
    return st;
}

lc_status lc_hf_load_vit(lc_model *m, int feature, const char *dir, char *path, size_t n,
                         lc_error *e)
{
    snprintf(path, n, "%s/model.safetensors", dir);
    int st_fmt = is_file(path);
    if (!st_fmt)
        snprintf(path, n, "%s/pytorch_model.bin", dir);
    if (!st_fmt && !is_file(path))
        return lc_error_set(e, LC_ERR_USAGE, "%s: has neither model.safetensors nor pytorch_model.bin", dir);
    int nt = lc_model_tensors(m, NULL, 0);
    lc_tensor_info *ts = calloc((size_t)nt + 1, sizeof *ts);
    if (!ts)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    nt = lc_model_tensors(m, ts, nt + 1);
    char prefix[300], key[400];
    snprintf(prefix, sizeof prefix, "input_features.module_dict.%s__ludwig.encoder_obj.transformer.module.",
             m->in_names[feature]);
    size_t pl = strlen(prefix);
    lc_tfile *f = NULL;
    lc_status st = st_fmt ? lc_safetensors_load(path, &f, e) : lc_torch_load(path, &f, e);
    char *used = st ? NULL : calloc((size_t)f->n + 1, 1);
    if (!st && !used)
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < nt && !st; i++) {
        lc_tensor_info *t = &ts[i];
        if (strncmp(t->name, prefix, pl) != 0)
            continue;
        const char *rest = t->name + pl;
        int k = -1;
        for (int pass = 0; pass < 2 && k < 0; pass++) {
            snprintf(key, sizeof key, "%s%s", pass ? "" : "vit.", rest);
            for (int j = 0; j < f->n && k < 0; j++)
                if (strcmp(f->t[j].name, key) == 0)
                    k = j;
        }
        if (k < 0) {
            if (strncmp(rest, "pooler.", 7) == 0) /* transformers initialises it */
                continue;
            st = lc_error_set(e, LC_ERR_DATA, "%s: has no tensor 'vit.%s', which the encoder needs: is it the file of another model?",
                              path, rest);
            break;
        }
        const lc_ttensor *x = &f->t[k];
        int same = x->dtype == LC_TD_F32 && x->ndim == t->ndim;
        for (int d = 0; same && d < t->ndim; d++)
            same = x->shape[d] == t->shape[d];
        if (!same) {
            st = lc_error_set(e, LC_ERR_DATA, "%s: tensor '%s' is not float32 of the shape the encoder needs (config.json and the weights disagree?)",
                              path, x->name);
            break;
        }
        memcpy((void *)t->data, x->data, t->n * sizeof(float));
        used[k] = 1;
    }
    /* the classification head of a ViTForImageClassification file is left, as from_pretrained
     * leaves it for a ViTModel */
    for (int k = 0; k < (f ? f->n : 0) && !st; k++)
        if (!used[k] && f->t[k].dtype == LC_TD_F32 && strncmp(f->t[k].name, "classifier.", 11) != 0)
            st = lc_error_set(e, LC_ERR_DATA, "%s: holds a tensor '%s' that the encoder does not have: is it the file of another model?",
                              path, f->t[k].name);
    free(used);
    lc_tfile_free(f);
    free(ts);
    return st;
}
