/* config.c - loads a Ludwig YAML config: validates it against the schema tables, fills Ludwig
 * 0.10.3's defaults (the `full` JSON) and extracts the typed settings the trainer and model use.
 * Feature types and sections ludwig-c does not implement are refused by name. */
#include "lc_autoaug.h"
#include "lc_config.h"
#include "lc_strtab.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_config_schema.h"
#include "lc_config_schema_tab.h"
#include "lc_config_upgrade.h"
#include "lc_json.h"
#include "lc_mem.h"
#include "lc_yaml.h"

typedef struct cfg_ctx {
    lc_schema_ctx s;
    lc_config *c;
    const lc_ynode *root;
    cJSON *defaults; /* user `defaults:` section, validated, unfilled */
    int flatten;     /* combiner.flatten_inputs: reduce_output null becomes the flattened steps */
    unsigned flags;  /* LC_CONFIG_* */
} cfg_ctx;

static lc_status cerr(cfg_ctx *x, const lc_ynode *at, const char *fmt, const char *a,
                      const char *b)
{
    char msg[1024];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    if (at)
        return lc_error_set(x->s.e, LC_ERR_CONFIG, "%s:%d:%d: %s", x->s.file, at->line, at->col,
                            msg);
    return lc_error_set(x->s.e, LC_ERR_CONFIG, "%s: %s", x->s.file, msg);
}

/* ---- JSON accessors for the filled config ---- */
static const cJSON *jget(const cJSON *o, const char *k)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}
static int jhas(const cJSON *o, const char *k)
{
    return jget(o, k) != NULL;
}
static double jnum(const cJSON *o, const char *k, double dflt)
{
    const cJSON *v = jget(o, k);
    if (v && cJSON_IsNumber(v))
        return v->valuedouble;
    if (v && cJSON_IsRaw(v))
        return strtod(v->valuestring, NULL);
    return dflt;
}
static int jbool(const cJSON *o, const char *k, int dflt)
{
    const cJSON *v = jget(o, k);
    return v && cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}
static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return v && cJSON_IsString(v) ? v->valuestring : NULL;
}
static int jnull(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return !v || cJSON_IsNull(v);
}
/* int or [a, b] pair */
static void jpair(const cJSON *v, int *a, int *b)
{
    if (cJSON_IsArray(v)) {
        int n = cJSON_GetArraySize(v);
        *a = n > 0 ? (int)cJSON_GetArrayItem(v, 0)->valuedouble : 1;
        *b = n > 1 ? (int)cJSON_GetArrayItem(v, 1)->valuedouble : *a;
    } else {
        *a = *b = (int)v->valuedouble;
    }
}

static int parse_act(const char *s, lc_act *out)
{
    if (!s) {
        *out = LC_ACT_LINEAR;
        return 0;
    }
    static const struct {
        const char *n;
        lc_act a;
    } t[] = {{"relu", LC_ACT_RELU},       {"tanh", LC_ACT_TANH},
             {"sigmoid", LC_ACT_SIGMOID}, {"elu", LC_ACT_ELU},
             {"leakyRelu", LC_ACT_LEAKY_RELU}, {"logSigmoid", LC_ACT_LOG_SIGMOID}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(s, t[i].n) == 0) {
            *out = t[i].a;
            return 0;
        }
    return -1; /* softmax as a hidden activation */
}

static int parse_init(const char *s, lc_init *out)
{
    static const struct {
        const char *n;
        lc_init i;
    } t[] = {{"zeros", LC_INIT_ZEROS},
             {"ones", LC_INIT_ONES},
             {"xavier_uniform", LC_INIT_XAVIER_UNIFORM},
             {"xavier_normal", LC_INIT_XAVIER_NORMAL},
             {"kaiming_uniform", LC_INIT_KAIMING_UNIFORM},
             {"kaiming_normal", LC_INIT_KAIMING_NORMAL},
             {"uniform", LC_INIT_UNIFORM},
             {"normal", LC_INIT_NORMAL}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (strcmp(s, t[i].n) == 0) {
            *out = t[i].i;
            return 0;
        }
    return -1;
}

/* Locates the YAML node at a dotted path below `from` for error positions (best effort). */
static const lc_ynode *ynode_at(const lc_ynode *from, const char *k1, const char *k2)
{
    const lc_ynode *n = lc_ymap_get(from, k1);
    if (n && k2) {
        const lc_ynode *m = lc_ymap_get(n, k2);
        return m ? m : n;
    }
    return n ? n : from;
}

static lc_status norm_spec(cfg_ctx *x, const lc_ynode *at, const char *norm, const cJSON *params,
                           const char *where, lc_norm_spec *out)
{
    out->type = LC_NORM_NONE;
    out->eps = 1e-5f;
    out->momentum = 0.1f;
    if (!norm)
        return LC_OK;
    if (strcmp(norm, "batch") != 0 && strcmp(norm, "layer") != 0)
        return cerr(x, at, "%s: norm '%s' is not supported by ludwig-c yet (supported: batch, layer)", where, norm);
    out->type = strcmp(norm, "batch") == 0 ? LC_NORM_BATCH : LC_NORM_LAYER;
    for (const cJSON *p = params && cJSON_IsObject(params) ? params->child : NULL; p; p = p->next) {
        if (strcmp(p->string, "eps") == 0 && cJSON_IsNumber(p) && p->valuedouble > 0)
            out->eps = (float)p->valuedouble;
        else if (strcmp(p->string, "momentum") == 0 && out->type == LC_NORM_BATCH &&
                 cJSON_IsNumber(p) && p->valuedouble >= 0 && p->valuedouble <= 1)
            out->momentum = (float)p->valuedouble;
        else
            return cerr(x, at, "%s: norm_params key '%s' is not supported (ludwig-c accepts eps, and momentum for batch norm)", where, p->string);
    }
    return LC_OK;
}

static lc_status conv_layer_spec(cfg_ctx *x, const lc_ynode *yenc, const cJSON *enc,
                                 const cJSON *layer, int i, lc_conv_spec *cs)
{
    char where[64];
    snprintf(where, sizeof where, "conv_layers[%d]", i);
    const lc_ynode *at = ynode_at(yenc, "conv_layers", NULL);
#define PICK(lk, ek) (jhas(layer, lk) ? jget(layer, lk) : jget(enc, ek))
    memset(cs, 0, sizeof *cs);
    const cJSON *v = PICK("out_channels", "out_channels");
    cs->out_channels = (int)v->valuedouble;
    jpair(PICK("kernel_size", "kernel_size"), &cs->kh, &cs->kw);
    jpair(PICK("stride", "stride"), &cs->sh, &cs->sw);
    v = PICK("dilation", "dilation");
    if (!v || cJSON_IsNull(v))
        cs->dh = cs->dw = 1;
    else
        jpair(v, &cs->dh, &cs->dw);
    v = PICK("padding", "padding");
    if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && strcmp(v->valuestring, "valid") == 0))
        cs->ph = cs->pw = 0;
    else if (cJSON_IsString(v))
        cs->same_padding = 1;
    else
        jpair(v, &cs->ph, &cs->pw);
    cs->use_bias = jhas(layer, "use_bias") ? jbool(layer, "use_bias", 1)
                                           : jbool(enc, "conv_use_bias", 1);
    const char *norm = jhas(layer, "norm") ? jstr(layer, "norm") : jstr(enc, "conv_norm");
    const cJSON *np = jhas(layer, "norm_params") ? jget(layer, "norm_params")
                                                 : jget(enc, "conv_norm_params");
    if (norm && strcmp(norm, "layer") == 0)
        return cerr(x, at, "%s: norm 'layer' in conv layers is not supported by ludwig-c yet; use 'batch' or null", where, NULL);
    lc_status st = norm_spec(x, at, norm, np, where, &cs->norm);
    if (st)
        return st;
    const char *act = jhas(layer, "activation") ? jstr(layer, "activation")
                                                : jstr(enc, "conv_activation");
    if (parse_act(act, &cs->act))
        return cerr(x, at, "%s: activation '%s' is not supported inside the network by ludwig-c", where, act);
    cs->dropout = (float)(jhas(layer, "dropout") ? jnum(layer, "dropout", 0)
                                                 : jnum(enc, "conv_dropout", 0));
    if (cs->dropout >= 1.0f)
        return cerr(x, at, "%s: dropout must be below 1", where, NULL);
    const char *pf = jhas(layer, "pool_function") ? jstr(layer, "pool_function")
                                                  : jstr(enc, "pool_function");
    const cJSON *pk = PICK("pool_kernel_size", "pool_kernel_size");
    if (!pk || cJSON_IsNull(pk)) {
        cs->pool = LC_POOLFN_NONE;
    } else {
        cs->pool = (pf && strcmp(pf, "max") != 0) ? LC_POOLFN_AVG : LC_POOLFN_MAX;
        jpair(pk, &cs->pkh, &cs->pkw);
        const cJSON *ps = PICK("pool_stride", "pool_stride");
        if (!ps || cJSON_IsNull(ps) || (cJSON_IsNumber(ps) && ps->valuedouble == 0)) {
            cs->psh = cs->pkh;
            cs->psw = cs->pkw;
        } else {
            jpair(ps, &cs->psh, &cs->psw);
        }
        const cJSON *pp = PICK("pool_padding", "pool_padding");
        if (pp && !cJSON_IsNull(pp))
            jpair(pp, &cs->pph, &cs->ppw);
        const cJSON *pd = PICK("pool_dilation", "pool_dilation");
        if (pd && !cJSON_IsNull(pd))
            jpair(pd, &cs->pdh, &cs->pdw);
        else
            cs->pdh = cs->pdw = 1;
        if (cs->pool == LC_POOLFN_AVG)
            cs->pdh = cs->pdw = 1; /* Ludwig does not pass dilation to AvgPool2d */
        if (cs->pph * 2 > cs->pkh || cs->ppw * 2 > cs->pkw)
            return cerr(x, at, "%s: pool_padding must be at most half of pool_kernel_size", where, NULL);
    }
    cs->w_init = cs->b_init = LC_INIT_TORCH_DEFAULT;
    const char *wi = jstr(layer, "weights_initializer"), *bi = jstr(layer, "bias_initializer");
    if (wi && parse_init(wi, &cs->w_init))
        return cerr(x, at, "%s: weights_initializer '%s' is not supported by ludwig-c yet", where, wi);
    if (bi && parse_init(bi, &cs->b_init))
        return cerr(x, at, "%s: bias_initializer '%s' is not supported by ludwig-c yet", where, bi);
#undef PICK
    return LC_OK;
}

/* The names under which an FCStack's defaults are written in a section: the stacked_cnn encoder
 * uses fc_* names, the combiner and the dense encoder plain ones, a decoder fc_* with
 * fc_output_size. */
typedef struct stack_keys {
    const char *size, *bias, *wi, *bi, *norm, *norm_params, *act, *dropout, *num;
    int default_num;
} stack_keys;
static const stack_keys SK_CNN = {"output_size", "fc_use_bias", "fc_weights_initializer",
                                  "fc_bias_initializer", "fc_norm", "fc_norm_params",
                                  "fc_activation", "fc_dropout", "num_fc_layers", 1};
static const stack_keys SK_PLAIN = {"output_size", "use_bias", "weights_initializer",
                                    "bias_initializer", "norm", "norm_params", "activation",
                                    "dropout", "num_fc_layers", 0};
static const stack_keys SK_DENSE = {"output_size", "use_bias", "weights_initializer",
                                    "bias_initializer", "norm", "norm_params", "activation",
                                    "dropout", "num_layers", 1};
/* StackedRNN's FCStack after the reduction */
static const stack_keys SK_RNN = {"output_size", "use_bias", "weights_initializer",
                                  "bias_initializer", "norm", "norm_params", "fc_activation",
                                  "fc_dropout", "num_fc_layers", 0};
static const stack_keys SK_DECODER = {"fc_output_size", "fc_use_bias", "fc_weights_initializer",
                                      "fc_bias_initializer", "fc_norm", "fc_norm_params",
                                      "fc_activation", "fc_dropout", "num_fc_layers", 0};

static lc_status fc_layer_spec(cfg_ctx *x, const lc_ynode *at, const cJSON *enc,
                               const stack_keys *k, const cJSON *layer, const char *where,
                               lc_fc_spec *fs)
{
    memset(fs, 0, sizeof *fs);
    fs->out = (int)(jhas(layer, "output_size") ? jnum(layer, "output_size", 1)
                                               : jnum(enc, k->size, 256));
    fs->use_bias = jhas(layer, "use_bias") ? jbool(layer, "use_bias", 1) : jbool(enc, k->bias, 1);
    const char *wi = jhas(layer, "weights_initializer") ? jstr(layer, "weights_initializer")
                                                        : jstr(enc, k->wi);
    const char *bi = jhas(layer, "bias_initializer") ? jstr(layer, "bias_initializer")
                                                     : jstr(enc, k->bi);
    if (!wi)
        wi = "xavier_uniform";
    if (!bi)
        bi = "zeros";
    if (parse_init(wi, &fs->w_init))
        return cerr(x, at, "%s: weights_initializer '%s' is not supported by ludwig-c yet", where, wi);
    if (parse_init(bi, &fs->b_init))
        return cerr(x, at, "%s: bias_initializer '%s' is not supported by ludwig-c yet", where, bi);
    const char *norm = jhas(layer, "norm") ? jstr(layer, "norm") : jstr(enc, k->norm);
    const cJSON *np = jhas(layer, "norm_params") ? jget(layer, "norm_params")
                                                 : jget(enc, k->norm_params);
    lc_status st = norm_spec(x, at, norm, np, where, &fs->norm);
    if (st)
        return st;
    const char *act = jhas(layer, "activation") ? jstr(layer, "activation") : jstr(enc, k->act);
    if (jhas(layer, "activation") ? 0 : !jhas(enc, k->act))
        act = "relu";
    if (parse_act(act, &fs->act))
        return cerr(x, at, "%s: activation '%s' is not supported inside the network by ludwig-c", where, act);
    fs->dropout = (float)(jhas(layer, "dropout") ? jnum(layer, "dropout", 0)
                                                 : jnum(enc, k->dropout, 0));
    if (fs->dropout >= 1.0f)
        return cerr(x, at, "%s: dropout must be below 1", where, NULL);
    return LC_OK;
}

/* An FCStack from section `sec` (its fc_layers or num_* layers with the section's defaults, and
 * the stack-level norm and dropout Ludwig also applies to the stack's input). */
static lc_status fc_stack_spec(cfg_ctx *x, const lc_ynode *ysec, const cJSON *sec,
                               const stack_keys *k, const char *what, lc_fc_stack_spec *out)
{
    memset(out, 0, sizeof *out);
    const cJSON *fl = jget(sec, "fc_layers");
    const lc_ynode *at = ynode_at(ysec, "fc_layers", NULL);
    if (fl && cJSON_IsArray(fl)) {
        out->n = cJSON_GetArraySize(fl);
    } else {
        out->n = (int)jnum(sec, k->num, k->default_num);
        fl = NULL;
    }
    lc_status st = norm_spec(x, ynode_at(ysec, k->norm, NULL), jstr(sec, k->norm),
                             jget(sec, k->norm_params), what, &out->norm);
    if (st)
        return st;
    out->dropout = (float)jnum(sec, k->dropout, 0);
    out->residual = jbool(sec, "residual", 0);
    if (out->n > 0) {
        out->layers = calloc((size_t)out->n, sizeof *out->layers);
        if (!out->layers)
            return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < out->n; i++) {
        char where[96];
        snprintf(where, sizeof where, "%s.fc_layers[%d]", what, i);
        st = fc_layer_spec(x, at, sec, k, fl ? cJSON_GetArrayItem(fl, i) : NULL, where,
                           &out->layers[i]);
        if (st)
            return st;
    }
    return LC_OK;
}

static lc_status encoder_spec(cfg_ctx *x, const lc_ynode *yenc, const cJSON *enc,
                              lc_input_spec *sp)
{
    const cJSON *cl = jget(enc, "conv_layers");
    int has_cl = cl && cJSON_IsArray(cl);
    int ncl = jnull(enc, "num_conv_layers") ? -1 : (int)jnum(enc, "num_conv_layers", 0);
    if (has_cl && ncl >= 0)
        return cerr(x, ynode_at(yenc, "num_conv_layers", NULL),
                    "encoder: give either conv_layers or num_conv_layers, not both (Ludwig fails on this too)", NULL, NULL);
    cJSON *dflt_layers = NULL;
    if (!has_cl) {
        /* Ludwig's built-in stack: two layers of 32 then 64 filters, or N default layers */
        dflt_layers = cJSON_CreateArray();
        int n = ncl >= 0 ? ncl : 2;
        for (int i = 0; i < n; i++) {
            cJSON *l = cJSON_CreateObject();
            if (ncl < 0)
                cJSON_AddNumberToObject(l, "out_channels", i == 0 ? 32 : 64);
            cJSON_AddItemToArray(dflt_layers, l);
        }
        cl = dflt_layers;
    }
    sp->enc = LC_ENC_STACKED_CNN;
    sp->nconv = cJSON_GetArraySize(cl);
    lc_status st = LC_OK;
    if (sp->nconv > 0) {
        sp->conv = calloc((size_t)sp->nconv, sizeof *sp->conv);
        if (!sp->conv) {
            cJSON_Delete(dflt_layers);
            return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
        }
    }
    for (int i = 0; i < sp->nconv && !st; i++)
        st = conv_layer_spec(x, yenc, enc, cJSON_GetArrayItem(cl, i), i, &sp->conv[i]);
    cJSON_Delete(dflt_layers);
    if (st)
        return st;
    return fc_stack_spec(x, yenc, enc, &SK_CNN, "encoder", &sp->fc);
}

/* A feature map whose keys are split: those of `sec` stay, stacked_cnn keys (the legacy
 * un-nested form) go to `enc_out`. Shallow views: free only the arrays. */
static lc_status split_legacy_encoder(cfg_ctx *x, const lc_ynode *f, const lc_section *sec,
                                      const lc_section *enc_sec, lc_ynode *feat_view,
                                      lc_ynode *enc_view, const char *path)
{
    memset(feat_view, 0, sizeof *feat_view);
    memset(enc_view, 0, sizeof *enc_view);
    feat_view->kind = enc_view->kind = LC_YMAP;
    feat_view->line = enc_view->line = f->line;
    feat_view->col = enc_view->col = f->col;
    feat_view->entries = calloc(f->n + 1, sizeof(lc_yentry));
    enc_view->entries = calloc(f->n + 1, sizeof(lc_yentry));
    if (!feat_view->entries || !enc_view->entries)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < f->n; i++) {
        const lc_yentry *en = &f->entries[i];
        int in_sec = 0, in_enc = 0;
        for (const lc_key *k = sec->keys; k->name; k++)
            in_sec |= strcmp(k->name, en->key) == 0;
        if (enc_sec && !in_sec)
            for (const lc_key *k = enc_sec->keys; k->name; k++)
                in_enc |= strcmp(k->name, en->key) == 0;
        if (strcmp(en->key, "encoder") == 0)
            continue; /* validated on its own */
        if (in_enc && strcmp(en->key, "type") != 0)
            enc_view->entries[enc_view->n++] = *en;
        else
            feat_view->entries[feat_view->n++] = *en;
    }
    (void)path;
    return LC_OK;
}

const char *lc_ftype_name(lc_ftype t)
{
    switch (t) {
    case LC_FT_IMAGE:
        return "image";
    case LC_FT_NUMBER:
        return "number";
    case LC_FT_BINARY:
        return "binary";
    case LC_FT_CATEGORY:
        return "category";
    case LC_FT_TIMESERIES:
        return "timeseries";
    case LC_FT_TEXT:
        return "text";
    case LC_FT_SET:
        return "set";
    case LC_FT_BAG:
        return "bag";
    case LC_FT_VECTOR:
        return "vector";
    case LC_FT_DATE:
        return "date";
    }
    return "?";
}

static int ftype_parse(const char *s, lc_ftype *t)
{
    for (int k = LC_FT_IMAGE; k <= LC_FT_DATE; k++)
        if (strcmp(s, lc_ftype_name((lc_ftype)k)) == 0) {
            *t = (lc_ftype)k;
            return 0;
        }
    return -1;
}

static const char *encoders_of(lc_ftype t)
{
    return t == LC_FT_IMAGE ? "stacked_cnn, resnet, wide_resnet, resnext, mobilenetv2, mobilenetv3, efficientnet, vit, densenet, squeezenet, regnet, mnasnet, vgg, alexnet, shufflenet_v2, swin_transformer, convnext, googlenet, inceptionv3, mlp_mixer, _resnet_legacy, _vit_legacy, maxvit" : lc_encoder_names(lc_ftype_name(t));
}

/* ---- image augmentation (Ludwig's schema/features/augmentation/image.py) ---- */

static const char *const AUG_NAMES[] = {"random_horizontal_flip", "random_vertical_flip",
                                        "random_rotate", "random_blur", "random_brightness",
                                        "random_contrast", "auto_augmentation"};
#define AUG_COUNT 7
#define AUG_NAMES_TEXT                                                                             \
    "random_horizontal_flip, random_vertical_flip, random_rotate, random_blur, random_brightness, random_contrast, auto_augmentation"

/* feat.augmentation as Ludwig's config holds it: true becomes its default list (a horizontal flip
 * and a 15-degree rotation), false an empty list, and each operation gets its parameters'
 * defaults; an unknown operation or parameter or a bad value is an error naming the line. */
static lc_status augmentation_full(cfg_ctx *x, const lc_ynode *f, cJSON *feat, const char *path)
{
    cJSON *aug = cJSON_GetObjectItemCaseSensitive(feat, "augmentation");
    const lc_ynode *ya = ynode_at(f, "augmentation", NULL);
    if (!aug)
        return LC_OK;
    if (!lc_ymap_get(f, "augmentation")) { /* taken from defaults.image: name it there */
        const lc_ynode *yd = lc_ymap_get(lc_ymap_get(lc_ymap_get(x->root, "defaults"), "image"),
                                         "augmentation");
        if (yd) {
            ya = yd;
            path = "defaults.image";
        }
    }
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    if (cJSON_IsTrue(aug)) {
        cJSON *a = cJSON_CreateObject(), *b = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "type", "random_horizontal_flip");
        cJSON_AddStringToObject(b, "type", "random_rotate");
        cJSON_AddItemToObject(b, "degree", lc_json_int(15));
        cJSON_AddItemToArray(list, a);
        cJSON_AddItemToArray(list, b);
    } else if (cJSON_IsArray(aug)) {
        int i = 0;
        for (const cJSON *op = aug->child; op; op = op->next, i++) {
            const lc_ynode *yop = ya && ya->kind == LC_YSEQ && (size_t)i < ya->n ? ya->items[i] : ya;
            char where[128];
            snprintf(where, sizeof where, "%s.augmentation[%d]", path, i);
            const char *type = jstr(op, "type");
            int t = -1;
            for (int k = 0; type && k < AUG_COUNT; k++)
                if (strcmp(type, AUG_NAMES[k]) == 0)
                    t = k;
            if (!type) {
                cJSON_Delete(list);
                return cerr(x, yop, "%s: an operation needs its 'type', one of " AUG_NAMES_TEXT, where, NULL);
            }
            if (t < 0) {
                cJSON_Delete(list);
                return cerr(x, yop, "%s: augmentation type '%s' is not one of " AUG_NAMES_TEXT, where, type);
            }
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "type", type);
            cJSON_AddItemToArray(list, o);
            for (const cJSON *kv = op->child; kv; kv = kv->next) {
                const char *k = kv->string;
                int ok = strcmp(k, "type") == 0 ||
                         (t == LC_AUG_ROTATE && strcmp(k, "degree") == 0) ||
                         (t == LC_AUG_BLUR && strcmp(k, "kernel_size") == 0) ||
                         ((t == LC_AUG_BRIGHTNESS || t == LC_AUG_CONTRAST) &&
                          (strcmp(k, "min") == 0 || strcmp(k, "max") == 0)) ||
                         (t == LC_AUG_AUTO && strcmp(k, "method") == 0);
                if (!ok) {
                    cJSON_Delete(list);
                    return cerr(x, ynode_at(yop, k, NULL) ? ynode_at(yop, k, NULL) : yop,
                                "%s: '%s' is not a parameter of this operation", where, k);
                }
                if (strcmp(k, "method") == 0 && !cJSON_IsString(kv)) {
                    cJSON_Delete(list);
                    return cerr(x, ynode_at(yop, k, NULL) ? ynode_at(yop, k, NULL) : yop,
                                "%s.%s: expected one of " LC_AUTOAUG_METHOD_NAMES, where, k);
                }
                if (strcmp(k, "type") != 0 && strcmp(k, "method") != 0 && !cJSON_IsNumber(kv)) {
                    cJSON_Delete(list);
                    return cerr(x, ynode_at(yop, k, NULL) ? ynode_at(yop, k, NULL) : yop,
                                "%s.%s: expected a number", where, k);
                }
            }
            if (t == LC_AUG_ROTATE)
                cJSON_AddItemToObject(o, "degree", lc_json_int((long)jnum(op, "degree", 15)));
            if (t == LC_AUG_BLUR)
                cJSON_AddItemToObject(o, "kernel_size", lc_json_int((long)jnum(op, "kernel_size", 3)));
            if (t == LC_AUG_BRIGHTNESS || t == LC_AUG_CONTRAST) {
                cJSON_AddNumberToObject(o, "min", jnum(op, "min", 0.5));
                cJSON_AddNumberToObject(o, "max", jnum(op, "max", 2.0));
            }
            if (t == LC_AUG_AUTO) /* Ludwig's AutoAugmentationConfig: trivial_augment */
                cJSON_AddStringToObject(o, "method", jstr(op, "method") ? jstr(op, "method") : "trivial_augment");
        }
    } else if (!cJSON_IsFalse(aug)) {
        cJSON_Delete(list);
        return cerr(x, ya, "%s.augmentation: expected true, false or a list of operations", path, NULL);
    }
    cJSON_ReplaceItemInObjectCaseSensitive(feat, "augmentation", list);
    return LC_OK;
}

/* The typed operations of feat.augmentation (already normalised by augmentation_full). */
static lc_status augmentation_typed(cfg_ctx *x, const lc_ynode *yf, const cJSON *feat,
                                    lc_feature *F)
{
    const cJSON *aug = jget(feat, "augmentation");
    const lc_ynode *ya = ynode_at(yf, "augmentation", NULL);
    F->naug = 0;
    int i = 0, after_auto = 0;
    for (const cJSON *op = aug ? aug->child : NULL; op; op = op->next, i++) {
        const lc_ynode *yop = ya && ya->kind == LC_YSEQ && (size_t)i < ya->n ? ya->items[i] : ya;
        if (F->naug == LC_AUG_MAX)
            return cerr(x, yop, "input feature '%s': more than 32 augmentation operations", F->name, NULL);
        lc_aug_op *a = &F->aug[F->naug++];
        memset(a, 0, sizeof *a);
        const char *type = jstr(op, "type");
        for (int k = 0; k < AUG_COUNT; k++)
            if (strcmp(type, AUG_NAMES[k]) == 0)
                a->type = (lc_aug_type)k;
        if (a->type == LC_AUG_AUTO) {
            const char *method = jstr(op, "method");
            lc_autoaug_method am = LC_AUTOAUG_TRIVIAL;
            if (method && lc_autoaug_method_parse(method, &am) != 0)
                return cerr(x, ynode_at(yop, "method", NULL) ? ynode_at(yop, "method", NULL) : yop,
                            "auto_augmentation: method '%s' is not one of " LC_AUTOAUG_METHOD_NAMES, method, NULL);
            a->method = (int)am;
            after_auto = 1;
        } else if (after_auto && (a->type == LC_AUG_BLUR || a->type == LC_AUG_BRIGHTNESS ||
                                  a->type == LC_AUG_CONTRAST)) {
            /* Ludwig's AutoAugment returns the batch as float32 0..255 values; torchvision's
             * blur then keeps fractions, and brightness and contrast clamp to 1.0 (a float
             * image's bound): not the operation as written */
            return cerr(x, yop, "%s after auto_augmentation: Ludwig hands it float values 0..255 there (torchvision then clamps brightness and contrast to 1.0 and leaves the blur unrounded); put it before auto_augmentation", type, NULL);
        }
        double deg = jnum(op, "degree", 15), ks = jnum(op, "kernel_size", 3);
        a->min = (float)jnum(op, "min", 0.5);
        a->max = (float)jnum(op, "max", 2.0);
        char buf[160];
        if (a->type == LC_AUG_ROTATE) {
            if (!(deg >= 0 && deg <= 360) || deg != floor(deg)) {
                snprintf(buf, sizeof buf, "%g", deg);
                return cerr(x, ynode_at(yop, "degree", NULL) ? ynode_at(yop, "degree", NULL) : yop,
                            "random_rotate: degree %s must be a whole number of degrees in 0..360", buf, NULL);
            }
            a->degree = (int)deg;
        }
        if (a->type == LC_AUG_BLUR) {
            if (!(ks >= 1 && ks <= 255) || ks != floor(ks) || ((int)ks) % 2 == 0) {
                snprintf(buf, sizeof buf, "%g", ks);
                return cerr(x, ynode_at(yop, "kernel_size", NULL) ? ynode_at(yop, "kernel_size", NULL) : yop,
                            "random_blur: kernel_size %s must be an odd whole number (torchvision's gaussian_blur takes no other)", buf, NULL);
            }
            a->kernel_size = (int)ks;
        }
        if ((a->type == LC_AUG_BRIGHTNESS || a->type == LC_AUG_CONTRAST) &&
            !(a->min >= 0.0f && a->max >= a->min && isfinite(a->max))) {
            snprintf(buf, sizeof buf, "min %g, max %g", (double)a->min, (double)a->max);
            return cerr(x, yop, "%s: %s: factors must be 0 <= min <= max", type, buf);
        }
    }
    return LC_OK;
}

static lc_status input_feature(cfg_ctx *x, const lc_ynode *f, int idx, cJSON **out)
{
    char path[64];
    snprintf(path, sizeof path, "input_features[%d]", idx);
    *out = NULL;
    if (f->kind != LC_YMAP)
        return cerr(x, f, "%s: expected a mapping with name and type", path, NULL);
    const lc_ynode *name = lc_ymap_get(f, "name"), *type = lc_ymap_get(f, "type");
    if (!name || name->kind != LC_YSCALAR)
        return cerr(x, f, "%s: every input feature needs a 'name'", path, NULL);
    if (!*name->str && !(x->flags & LC_CONFIG_RENDER))
        return cerr(x, name, "%s.name: the name is empty; give the feature a name (render_config accepts an empty name as a placeholder, training does not)", path, NULL);
    if (!type || type->kind != LC_YSCALAR)
        return cerr(x, f, "%s: input feature '%s' needs a 'type'", path, name->str);
    lc_ftype ft;
    if (ftype_parse(type->str, &ft)) {
        lc_error_set(x->s.e, LC_ERR_CONFIG,
                     "%s:%d:%d: %s.type: input feature type '%s' is not supported by ludwig-c yet (supported: image, number, binary, category, timeseries, text, set, bag, vector, date)",
                     x->s.file, type->line, type->col, path, type->str);
        return LC_ERR_CONFIG;
    }
    if (ft != LC_FT_IMAGE) {
        cJSON *feat = NULL;
        lc_status st = lc_tab_feature_fill(&x->s, type->str, 0, f, path,
                                           jget(x->defaults, type->str), &feat);
        if (st)
            return st;
        if (!jhas(feat, "column"))
            cJSON_AddStringToObject(feat, "column", jstr(feat, "name"));
        *out = feat;
        return LC_OK;
    }
    const lc_section *fsec = &lc_sec_image_feature;
    /* the encoder's name: `encoder: {type: x}`, `encoder: x`, or the type's default */
    const lc_ynode *yenc = lc_ymap_get(f, "encoder");
    const char *ename = "stacked_cnn";
    const lc_ynode *et = yenc && yenc->kind == LC_YMAP ? lc_ymap_get(yenc, "type")
                         : yenc && yenc->kind == LC_YSCALAR ? yenc : NULL;
    const cJSON *dft = jget(x->defaults, lc_ftype_name(ft));
    const char *dft_enc = jstr(jget(dft, "encoder"), "type");
    if (et && et->kind == LC_YSCALAR)
        ename = et->str;
    else if (dft_enc)
        ename = dft_enc;
    const lc_section *esec = strcmp(ename, "stacked_cnn") == 0 ? &lc_sec_stacked_cnn
                             : strcmp(ename, "resnet") == 0    ? &lc_sec_tv_resnet
                             : strcmp(ename, "wide_resnet") == 0 ? &lc_sec_tv_wide_resnet
                             : strcmp(ename, "mobilenetv3") == 0 ? &lc_sec_tv_mobilenetv3
                             : strcmp(ename, "efficientnet") == 0 ? &lc_sec_tv_efficientnet
                             : strcmp(ename, "vit") == 0 ? &lc_sec_tv_vit
                             : strcmp(ename, "resnext") == 0 ? &lc_sec_tv_resnext
                             : strcmp(ename, "mobilenetv2") == 0 ? &lc_sec_tv_mobilenetv2
                             : strcmp(ename, "densenet") == 0 ? &lc_sec_tv_densenet
                             : strcmp(ename, "squeezenet") == 0 ? &lc_sec_tv_squeezenet
                             : strcmp(ename, "regnet") == 0 ? &lc_sec_tv_regnet
                             : strcmp(ename, "mnasnet") == 0 ? &lc_sec_tv_mnasnet
                             : strcmp(ename, "vgg") == 0 ? &lc_sec_tv_vgg
                             : strcmp(ename, "alexnet") == 0 ? &lc_sec_tv_alexnet
                             : strcmp(ename, "shufflenet_v2") == 0 ? &lc_sec_tv_shufflenetv2
                             : strcmp(ename, "swin_transformer") == 0 ? &lc_sec_tv_swin
                             : strcmp(ename, "convnext") == 0 ? &lc_sec_tv_convnext
                             : strcmp(ename, "googlenet") == 0 ? &lc_sec_tv_googlenet
                             : strcmp(ename, "inceptionv3") == 0 ? &lc_sec_tv_inceptionv3
                             : strcmp(ename, "mlp_mixer") == 0 ? &lc_sec_mlp_mixer
                             : strcmp(ename, "_resnet_legacy") == 0 ? &lc_sec_resnet_legacy
                             : strcmp(ename, "_vit_legacy") == 0 ? &lc_sec_vit_legacy
                             : strcmp(ename, "maxvit") == 0 ? &lc_sec_tv_maxvit
                                                                 : NULL;
    if (!esec) {
        if (et)
            return lc_error_set(x->s.e, LC_ERR_CONFIG,
                                "%s:%d:%d: %s.encoder.type: %s encoder '%s' is not supported by ludwig-c yet (supported: %s)",
                                x->s.file, et->line, et->col, path, lc_ftype_name(ft), ename,
                                encoders_of(ft));
        return cerr(x, f, "%s: encoder '%s' (from defaults) is not supported by ludwig-c yet", path, ename);
    }
    lc_ynode fv, ev;
    lc_status st = split_legacy_encoder(x, f, fsec, esec, &fv, &ev, path);
    lc_ynode enc_scalar_view;
    cJSON *feat = NULL, *enc = NULL;
    if (st)
        goto done;
    st = lc_schema_fill(&x->s, fsec, &fv, path, dft, 1, &feat);
    if (st)
        goto done;
    if ((st = augmentation_full(x, f, feat, path)))
        goto done;
    if (yenc && ev.n) {
        st = cerr(x, &ev, "%s: encoder settings are given both under 'encoder' and directly on the feature; move them under 'encoder'", path, NULL);
        goto done;
    }
    lc_yentry te;
    if (yenc && yenc->kind == LC_YSCALAR) {
        /* legacy `encoder: stacked_cnn` */
        memset(&enc_scalar_view, 0, sizeof enc_scalar_view);
        enc_scalar_view.kind = LC_YMAP;
        enc_scalar_view.line = yenc->line;
        enc_scalar_view.col = yenc->col;
        te = (lc_yentry){"type", yenc->line, yenc->col, (lc_ynode *)yenc};
        enc_scalar_view.entries = &te;
        enc_scalar_view.n = 1;
        yenc = &enc_scalar_view;
    } else if (!yenc) {
        yenc = &ev;
    }
    char epath[96];
    snprintf(epath, sizeof epath, "%s.encoder", path);
    /* the type's defaults apply to the encoder only when they name the same encoder */
    const cJSON *denc = jget(dft, "encoder");
    if (denc && jstr(denc, "type") && strcmp(jstr(denc, "type"), ename) != 0)
        denc = NULL;
    st = lc_schema_fill(&x->s, esec, yenc, epath, denc, 1, &enc);
    if (st)
        goto done;
    if (!jhas(enc, "type"))
        cJSON_AddStringToObject(enc, "type", ename);
    cJSON_DeleteItemFromObjectCaseSensitive(feat, "encoder");
    cJSON_AddItemToObject(feat, "encoder", enc);
    enc = NULL;
    if (!jhas(feat, "column"))
        cJSON_AddStringToObject(feat, "column", jstr(feat, "name"));
    *out = feat;
    feat = NULL;
done:
    cJSON_Delete(feat);
    cJSON_Delete(enc);
    free(fv.entries);
    free(ev.entries);
    return st;
}

static const char *decoders_of(lc_ftype t)
{
    return t == LC_FT_CATEGORY || t == LC_FT_SET ? "classifier"
           : t == LC_FT_VECTOR || t == LC_FT_TIMESERIES ? "projector"
                                                 : "regressor";
}

static lc_status output_feature(cfg_ctx *x, const lc_ynode *f, int idx, cJSON **out)
{
    char path[64];
    snprintf(path, sizeof path, "output_features[%d]", idx);
    *out = NULL;
    if (f->kind != LC_YMAP)
        return cerr(x, f, "%s: expected a mapping with name and type", path, NULL);
    const lc_ynode *name = lc_ymap_get(f, "name"), *type = lc_ymap_get(f, "type");
    if (!name || name->kind != LC_YSCALAR)
        return cerr(x, f, "%s: every output feature needs a 'name'", path, NULL);
    if (!*name->str && !(x->flags & LC_CONFIG_RENDER))
        return cerr(x, name, "%s.name: the name is empty; give the feature a name (render_config accepts an empty name as a placeholder, training does not)", path, NULL);
    if (!type || type->kind != LC_YSCALAR)
        return cerr(x, f, "%s: output feature '%s' needs a 'type'", path, name->str);
    lc_ftype ft;
    if (ftype_parse(type->str, &ft) || ft == LC_FT_IMAGE ||
        ft == LC_FT_TEXT || ft == LC_FT_BAG || ft == LC_FT_DATE)
        return lc_error_set(x->s.e, LC_ERR_CONFIG,
                            "%s:%d:%d: %s.type: output feature type '%s' is not supported by ludwig-c yet (supported: category, binary, number, set, vector, timeseries)",
                            x->s.file, type->line, type->col, path, type->str);
    const lc_ynode *dec = lc_ymap_get(f, "decoder");
    if (dec && dec->kind == LC_YMAP) {
        const lc_ynode *dt = lc_ymap_get(dec, "type");
        if (dt && dt->kind == LC_YSCALAR && strcmp(dt->str, decoders_of(ft)) != 0)
            return lc_error_set(x->s.e, LC_ERR_CONFIG,
                                "%s:%d:%d: %s.decoder.type: decoder '%s' is not supported for %s outputs (supported: %s)",
                                x->s.file, dt->line, dt->col, path, dt->str, lc_ftype_name(ft),
                                decoders_of(ft));
    }
    cJSON *feat = NULL;
    lc_status st = lc_tab_feature_fill(&x->s, type->str, 1, f, path, jget(x->defaults, type->str),
                                       &feat);
    if (st)
        return st;
    if (!jhas(feat, "column"))
        cJSON_AddStringToObject(feat, "column", jstr(feat, "name"));
    *out = feat;
    return LC_OK;
}

/* The metrics Ludwig 0.10.3 reports for an output feature of type t (breadth §1f). */
static int type_metrics(lc_ftype t, const char *const **out)
{
    static const char *const cat[] = {"accuracy", "accuracy_micro", "hits_at_k", "loss", "roc_auc"};
    static const char *const bin[] = {"accuracy", "loss", "precision", "recall", "roc_auc",
                                      "specificity"};
    static const char *const set[] = {"jaccard", "loss"};
    static const char *const vec[] = {"loss", "mean_absolute_error", "mean_absolute_percentage_error",
                                      "mean_squared_error", "r2"};
    static const char *const num[] = {"loss", "mean_absolute_error",
                                      "mean_absolute_percentage_error", "mean_squared_error", "r2",
                                      "root_mean_squared_error",
                                      "root_mean_squared_percentage_error"};
    switch (t) {
    case LC_FT_BINARY:
        *out = bin;
        return 6;
    case LC_FT_NUMBER:
        *out = num;
        return 7;
    case LC_FT_SET:
        *out = set;
        return 2;
    case LC_FT_VECTOR:
    case LC_FT_TIMESERIES:
        *out = vec;
        return 5;
    default:
        *out = cat;
        return 5;
    }
}

static lc_status optimizer_fill(cfg_ctx *x, cJSON *opt, const lc_ynode *yopt)
{
    const char *type = jstr(opt, "type");
    static const struct {
        const char *type, *keys;
    } allowed[] = {
        {"adam", "betas=[0.9,0.999] eps=1e-08 weight_decay=0.0 amsgrad=false"},
        {"adamw", "betas=[0.9,0.999] eps=1e-08 weight_decay=0.0 amsgrad=false"},
        {"adamax", "betas=[0.9,0.999] eps=1e-08 weight_decay=0.0"},
        {"nadam", "betas=[0.9,0.999] eps=1e-08 weight_decay=0.0 momentum_decay=0.004"},
        {"sgd", "momentum=0.0 weight_decay=0.0 dampening=0.0 nesterov=false"},
        {"adagrad", "initial_accumulator_value=0 lr_decay=0 weight_decay=0 eps=1e-10"},
        {"rmsprop", "momentum=0.0 alpha=0.99 eps=1e-08 centered=false weight_decay=0.0"},
    };
    const char *keys = NULL;
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        if (strcmp(allowed[i].type, type) == 0)
            keys = allowed[i].keys;
    for (cJSON *p = opt->child; p; p = p->next) {
        if (strcmp(p->string, "type") == 0)
            continue;
        char pat[64];
        snprintf(pat, sizeof pat, "%s=", p->string);
        if (!strstr(keys, pat) || (strstr(keys, pat) != keys && strstr(keys, pat)[-1] != ' ')) {
            const lc_ynode *at = ynode_at(yopt, p->string, NULL);
            return lc_error_set(x->s.e, LC_ERR_CONFIG,
                                "%s:%d:%d: trainer.optimizer.%s: not a parameter of optimizer '%s' (it takes: %s)",
                                x->s.file, at ? at->line : 0, at ? at->col : 0, p->string, type,
                                keys);
        }
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", keys);
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
        char *eq = strchr(tok, '=');
        *eq = '\0';
        if (!jhas(opt, tok))
            cJSON_AddItemToObject(opt, tok, cJSON_Parse(eq + 1));
    }
    lc_optim *o = &x->c->optim;
    memset(o, 0, sizeof *o);
    o->type = strcmp(type, "sgd") == 0       ? LC_OPT_SGD
              : strcmp(type, "adamw") == 0   ? LC_OPT_ADAMW
              : strcmp(type, "adagrad") == 0 ? LC_OPT_ADAGRAD
              : strcmp(type, "rmsprop") == 0 ? LC_OPT_RMSPROP
              : strcmp(type, "adamax") == 0  ? LC_OPT_ADAMAX
              : strcmp(type, "nadam") == 0   ? LC_OPT_NADAM
                                             : LC_OPT_ADAM;
    const cJSON *betas = jget(opt, "betas");
    if (betas) {
        if (cJSON_GetArraySize(betas) != 2)
            return cerr(x, ynode_at(yopt, "betas", NULL), "trainer.optimizer.betas: expected two numbers in [0, 1)", NULL, NULL);
        o->beta1 = (float)cJSON_GetArrayItem(betas, 0)->valuedouble;
        o->beta2 = (float)cJSON_GetArrayItem(betas, 1)->valuedouble;
        for (int i = 0; i < 2; i++) {
            char msg[160];
            double b = cJSON_GetArrayItem(betas, i)->valuedouble;
            snprintf(msg, sizeof msg, "trainer.optimizer.betas[%d]: %g must be below 1 (PyTorch refuses beta %g: the moment estimates would never change)",
                     i, b, b);
            if (b >= 1)
                return cerr(x, ynode_at(yopt, "betas", NULL), "%s", msg, NULL);
        }
    }
    o->eps = (float)jnum(opt, "eps", 1e-8);
    if (o->eps == 0 && o->type != LC_OPT_SGD)
        return cerr(x, ynode_at(yopt, "eps", NULL),
                    "trainer.optimizer.eps: 0 divides 0 by 0 for every weight whose gradient is 0 (the %s update divides by sqrt(v) + eps), and the weights become NaN; use a positive eps (Ludwig's default is 1e-08)",
                    type, NULL);
    o->weight_decay = (float)jnum(opt, "weight_decay", 0);
    o->amsgrad = jbool(opt, "amsgrad", 0);
    o->momentum = (float)jnum(opt, "momentum", 0);
    o->dampening = (float)jnum(opt, "dampening", 0);
    o->nesterov = jbool(opt, "nesterov", 0);
    o->alpha = (float)jnum(opt, "alpha", 0.99);
    o->centered = jbool(opt, "centered", 0);
    o->initial_accumulator_value = (float)jnum(opt, "initial_accumulator_value", 0);
    o->lr_decay = (float)jnum(opt, "lr_decay", 0);
    o->momentum_decay = (float)jnum(opt, "momentum_decay", 0.004);
    return LC_OK;
}

/* trainer.learning_rate_scheduler into lc_lr_sched_config (the metric's direction is resolved
 * once the outputs are known, by the trainer). */
static lc_status lr_sched_typed(cfg_ctx *x, const cJSON *ls, const lc_ynode *yls)
{
    lc_lr_sched_config *k = &x->c->lr_sched;
    lc_lr_sched_config_default(k);
    const char *d = jstr(ls, "decay");
    k->decay = !d                              ? LC_LR_DECAY_NONE
               : strcmp(d, "linear") == 0      ? LC_LR_DECAY_LINEAR
               : strcmp(d, "exponential") == 0 ? LC_LR_DECAY_EXPONENTIAL
                                               : LC_LR_DECAY_COSINE;
    k->staircase = jbool(ls, "staircase", 0);
    k->decay_rate = jnum(ls, "decay_rate", 0.96);
    k->decay_steps = (int64_t)jnum(ls, "decay_steps", 10000);
    k->reduce_on_plateau = (int64_t)jnum(ls, "reduce_on_plateau", 0);
    k->reduce_on_plateau_patience = (int64_t)jnum(ls, "reduce_on_plateau_patience", 10);
    k->reduce_on_plateau_rate = jnum(ls, "reduce_on_plateau_rate", 0.1);
    k->warmup_evaluations = jnum(ls, "warmup_evaluations", 0);
    k->warmup_fraction = jnum(ls, "warmup_fraction", 0);
    k->t_0 = jnull(ls, "t_0") ? 0 : (int64_t)jnum(ls, "t_0", 0);
    k->t_mult = (int64_t)jnum(ls, "t_mult", 1);
    k->eta_min = jnum(ls, "eta_min", 0);
    if (k->reduce_on_plateau > 0 && !(k->reduce_on_plateau_rate < 1))
        return cerr(x, ynode_at(yls, "reduce_on_plateau_rate", NULL), "trainer.learning_rate_scheduler.reduce_on_plateau_rate must be below 1 (torch refuses a factor >= 1)", NULL, NULL);
    x->c->reduce_eval_metric = lc_strdup(jstr(ls, "reduce_eval_metric") ? jstr(ls, "reduce_eval_metric") : "loss");
    x->c->reduce_eval_split = lc_strdup(jstr(ls, "reduce_eval_split") ? jstr(ls, "reduce_eval_split") : "training");
    if (!x->c->reduce_eval_metric || !x->c->reduce_eval_split)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    return LC_OK;
}

static lc_status trainer_typed(cfg_ctx *x, cJSON *tr, const lc_ynode *ytr)
{
    lc_config *c = x->c;
    c->epochs = (int)jnum(tr, "epochs", 100);
    const cJSON *bs = jget(tr, "batch_size");
    c->batch_size = cJSON_IsNumber(bs) ? (int)bs->valuedouble : 0;
    const cJSON *ebs = jget(tr, "eval_batch_size");
    c->eval_batch_size = cJSON_IsNumber(ebs) ? (int)ebs->valuedouble : 0;
    const cJSON *lr = jget(tr, "learning_rate");
    if (lr && cJSON_IsString(lr)) {
        /* Ludwig's heuristic (utils/heuristics.py): 1e-4 when an input is text, image, sequence
         * or timeseries (none pretrained here), else 1e-3 */
        c->learning_rate = 1e-3;
        for (const cJSON *f = jget(c->full, "input_features") ? jget(c->full, "input_features")->child : NULL;
             f; f = f->next) {
            const char *t = jstr(f, "type");
            if (t && (!strcmp(t, "text") || !strcmp(t, "image") || !strcmp(t, "sequence") ||
                      !strcmp(t, "timeseries")))
                c->learning_rate = 1e-4;
        }
        if (x->s.note) {
            char msg[160];
            snprintf(msg, sizeof msg, "trainer.learning_rate: auto is %g for these inputs (Ludwig's heuristic)", c->learning_rate);
            x->s.note(x->s.note_arg, msg);
        }
    } else {
        c->learning_rate = jnum(tr, "learning_rate", 0.001);
    }
    c->early_stop = (int)jnum(tr, "early_stop", 5);
    c->evaluate_training_set = jbool(tr, "evaluate_training_set", 0);
    c->should_shuffle = jbool(tr, "should_shuffle", 1);
    c->regularization_lambda = jnum(tr, "regularization_lambda", 0);
    const char *rt = jstr(tr, "regularization_type");
    c->regularization_type = strcmp(rt, "l1") == 0 ? 1 : strcmp(rt, "l2") == 0 ? 2 : 3;
    c->train_steps = jnull(tr, "train_steps") ? 0 : (long)jnum(tr, "train_steps", 0);
    c->steps_per_checkpoint = (int)jnum(tr, "steps_per_checkpoint", 0);
    c->checkpoints_per_epoch = (int)jnum(tr, "checkpoints_per_epoch", 0);
    if (c->steps_per_checkpoint && c->checkpoints_per_epoch)
        return cerr(x, ynode_at(ytr, "checkpoints_per_epoch", NULL), "trainer: give steps_per_checkpoint or checkpoints_per_epoch, not both", NULL, NULL);
    const cJSON *gc = jget(tr, "gradient_clipping");
    c->clipglobalnorm = jnull(gc, "clipglobalnorm") ? -1 : jnum(gc, "clipglobalnorm", -1);
    c->clipnorm = jnull(gc, "clipnorm") ? -1 : jnum(gc, "clipnorm", -1);
    c->clipvalue = jnull(gc, "clipvalue") ? -1 : jnum(gc, "clipvalue", -1);
    lc_status st = optimizer_fill(x, (cJSON *)jget(tr, "optimizer"),
                                  ynode_at(ytr, "optimizer", NULL));
    if (st)
        return st;
    c->optim.lr = (float)c->learning_rate;
    if ((st = lr_sched_typed(x, jget(tr, "learning_rate_scheduler"),
                             ynode_at(ytr, "learning_rate_scheduler", NULL))))
        return st;
    /* validation field/metric: Ludwig defaults to the first output feature and its
     * default_validation_metric */
    const cJSON *outs = jget(x->c->full, "output_features");
    const cJSON *outf = cJSON_GetArrayItem(outs, 0);
    const char *out_name = jstr(outf, "name");
    const char *vf = jstr(tr, "validation_field"), *vm = jstr(tr, "validation_metric");
    if (!vf)
        vf = out_name;
    const cJSON *vfeat = NULL;
    for (const cJSON *o = outs ? outs->child : NULL; o; o = o->next)
        if (strcmp(jstr(o, "name"), vf) == 0)
            vfeat = o;
    if (strcmp(vf, "combined") != 0 && !vfeat) {
        char names[512] = "";
        size_t len = 0;
        for (const cJSON *o = outs ? outs->child : NULL; o && len < sizeof names - 80; o = o->next)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s'%s'", len ? ", " : "",
                                    jstr(o, "name"));
        return lc_error_set(x->s.e, LC_ERR_CONFIG,
                            "%s: trainer.validation_field: '%s' is neither 'combined' nor an output feature (the output features are %s)",
                            x->s.file, vf, names);
    }
    if (!vm)
        vm = strcmp(vf, "combined") == 0 ? "loss" : jstr(vfeat, "default_validation_metric");
    const char *const *mets;
    lc_ftype vt = LC_FT_CATEGORY;
    if (vfeat)
        ftype_parse(jstr(vfeat, "type"), &vt);
    int nm = type_metrics(vt, &mets);
    int ok = 0;
    if (strcmp(vf, "combined") == 0)
        ok = strcmp(vm, "loss") == 0;
    else
        for (int i = 0; i < nm; i++)
            ok |= strcmp(vm, mets[i]) == 0;
    if (!ok) {
        char list[512] = "";
        size_t len = 0;
        for (int i = 0; i < nm; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", mets[i]);
        const char *near = lc_nearest_word(mets, nm, vm);
        lc_error_set(x->s.e, LC_ERR_CONFIG,
                     "%s: trainer.validation_metric: '%s' is not a metric of '%s' (choose from: %s)",
                     x->s.file, vm, vf, strcmp(vf, "combined") == 0 ? "loss" : list);
        if (near)
            lc_error_hint(x->s.e, "did you mean '%s'?", near);
        return LC_ERR_CONFIG;
    }
    /* copy first: vf and vm may point into the items replaced below */
    c->validation_field = lc_strdup(vf);
    c->validation_metric = lc_strdup(vm);
    if (!c->validation_field || !c->validation_metric)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    cJSON_ReplaceItemInObjectCaseSensitive(tr, "validation_field", cJSON_CreateString(c->validation_field));
    cJSON_ReplaceItemInObjectCaseSensitive(tr, "validation_metric", cJSON_CreateString(c->validation_metric));
    return LC_OK;
}

static lc_status split_typed(cfg_ctx *x, cJSON *pre, const lc_ynode *ypre)
{
    lc_config *c = x->c;
    cJSON *sp = (cJSON *)jget(pre, "split");
    const char *type = jstr(sp, "type");
    const lc_ynode *ysp = ynode_at(ypre, "split", NULL);
    c->sample_ratio = jnum(pre, "sample_ratio", 1.0);
    c->sample_size = jnull(pre, "sample_size") ? 0 : (long)jnum(pre, "sample_size", 0);
    c->oversample_minority = jnull(pre, "oversample_minority") ? 0 : jnum(pre, "oversample_minority", 0);
    c->undersample_majority = jnull(pre, "undersample_majority") ? 0 : jnum(pre, "undersample_majority", 0);
    if (c->oversample_minority > 0 || c->undersample_majority > 0) {
        /* Ludwig's config checks: one binary output, and not both */
        const char *k = c->oversample_minority > 0 ? "oversample_minority" : "undersample_majority";
        if (c->oversample_minority > 0 && c->undersample_majority > 0)
            return cerr(x, ynode_at(ypre, "undersample_majority", NULL), "preprocessing: oversample_minority and undersample_majority cannot be combined (Ludwig refuses it too)", NULL, NULL);
        const cJSON *outs = jget(c->full, "output_features");
        if (cJSON_GetArraySize(outs) != 1 || !jstr(cJSON_GetArrayItem(outs, 0), "type") ||
            strcmp(jstr(cJSON_GetArrayItem(outs, 0), "type"), "binary") != 0)
            return cerr(x, ynode_at(ypre, k, NULL), "preprocessing.%s: balancing needs exactly one output feature, of type binary (as Ludwig checks)", k, NULL);
    }
    if (strcmp(type, "fixed") == 0) {
        c->split = LC_SPLIT_FIXED;
        if (jhas(sp, "probabilities"))
            return cerr(x, ynode_at(ysp, "probabilities", NULL), "preprocessing.split.probabilities: a fixed split takes no probabilities (the column says 0 train, 1 validation, 2 test)", NULL, NULL);
        if (jnull(sp, "column")) {
            cJSON_DeleteItemFromObjectCaseSensitive(sp, "column");
            cJSON_AddStringToObject(sp, "column", "split");
        }
        c->split_column = lc_strdup(jstr(sp, "column"));
        return c->split_column ? LC_OK : lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    }
    if (strcmp(type, "random") != 0 && strcmp(type, "stratify") != 0 &&
        strcmp(type, "hash") != 0 && strcmp(type, "datetime") != 0)
        return cerr(x, ynode_at(ysp, "type", NULL), "preprocessing.split.type: '%s' splits are not supported by ludwig-c yet (supported: fixed, random, stratify, hash, datetime)", type, NULL);
    if (strcmp(type, "random") != 0) {
        c->split = strcmp(type, "stratify") == 0 ? LC_SPLIT_STRATIFY
                   : strcmp(type, "hash") == 0   ? LC_SPLIT_HASH
                                                 : LC_SPLIT_DATETIME;
        if (jnull(sp, "column"))
            return cerr(x, ysp, "preprocessing.split: a %s split needs 'column' (the column it splits by)", type, NULL);
        c->split_column = lc_strdup(jstr(sp, "column"));
        if (!c->split_column)
            return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    } else {
        c->split = LC_SPLIT_RANDOM;
        if (jhas(sp, "column") && !jnull(sp, "column"))
            return cerr(x, ynode_at(ysp, "column", NULL), "preprocessing.split.column: a random split takes no column (use type: fixed to split by a column)", NULL, NULL);
        cJSON_DeleteItemFromObjectCaseSensitive(sp, "column");
    }
    if (!jhas(sp, "probabilities"))
        cJSON_AddItemToObject(sp, "probabilities", cJSON_Parse("[0.7, 0.1, 0.2]"));
    const cJSON *pr = jget(sp, "probabilities");
    if (cJSON_GetArraySize(pr) != 3)
        return cerr(x, ynode_at(ysp, "probabilities", NULL), "preprocessing.split.probabilities: expected three numbers (train, validation, test)", NULL, NULL);
    double sum = 0;
    for (int i = 0; i < 3; i++)
        sum += c->split_probs[i] = cJSON_GetArrayItem(pr, i)->valuedouble;
    if (fabs(sum - 1.0) > 1e-6)
        return cerr(x, ynode_at(ysp, "probabilities", NULL), "preprocessing.split.probabilities: must sum to 1", NULL, NULL);
    return LC_OK;
}

static int missing_parse(const char *s, lc_missing *out)
{
    static const char *const names[] = {"fill_with_const", "fill_with_mode", "fill_with_mean",
                                        "fill_with_false", "fill_with_true", "bfill", "ffill",
                                        "drop_row"};
    for (int k = 0; k < 8; k++)
        if (s && strcmp(s, names[k]) == 0) {
            *out = (lc_missing)k;
            return 0;
        }
    return -1;
}

/* The strategies Ludwig 0.10.3 allows per type (breadth §1d). */
static int missing_allowed(lc_ftype t, lc_missing m)
{
    switch (t) {
    case LC_FT_IMAGE:
        return m == LC_MISS_BFILL || m == LC_MISS_FFILL || m == LC_MISS_DROP_ROW;
    case LC_FT_NUMBER:
        return m != LC_MISS_FILL_FALSE && m != LC_MISS_FILL_TRUE;
    case LC_FT_BINARY:
        return m != LC_MISS_FILL_CONST && m != LC_MISS_FILL_MEAN;
    case LC_FT_CATEGORY:
    case LC_FT_TIMESERIES:
    case LC_FT_TEXT:
    case LC_FT_SET:
    case LC_FT_BAG:
    case LC_FT_VECTOR:
        return m != LC_MISS_FILL_MEAN && m != LC_MISS_FILL_FALSE && m != LC_MISS_FILL_TRUE;
    case LC_FT_DATE:
        return m == LC_MISS_FILL_CONST || m == LC_MISS_BFILL || m == LC_MISS_FFILL ||
               m == LC_MISS_DROP_ROW;
    }
    return 0;
}

/* Ludwig's own ResNet (`_resnet_legacy`): its settings, then its FCStack (plain key names). What
 * Ludwig would fail on is refused here with the key's line. */
static lc_status resnet_legacy_spec(cfg_ctx *x, const lc_ynode *at, const cJSON *enc,
                                    const char *fname, lc_input_spec *sp)
{
    lc_resnet_legacy_spec *r = &sp->rl;
    char vb[32];
    sp->enc = LC_ENC_RESNET_LEGACY;
    r->resnet_size = (int)jnum(enc, "resnet_size", 50);
    r->out_channels = (int)jnum(enc, "out_channels", 32);
    r->kernel_size = (int)jnum(enc, "kernel_size", 3);
    r->conv_stride = (int)jnum(enc, "conv_stride", 1);
    r->pool_kernel = jnull(enc, "first_pool_kernel_size") ? 0 : (int)jnum(enc, "first_pool_kernel_size", 0);
    r->pool_stride = jnull(enc, "first_pool_stride") ? 0 : (int)jnum(enc, "first_pool_stride", 0);
    r->bn_momentum = (float)jnum(enc, "batch_norm_momentum", 0.9);
    r->bn_eps = (float)jnum(enc, "batch_norm_epsilon", 0.001);
    static const int sizes[8] = {8, 14, 18, 34, 50, 101, 152, 200};
    int known = 0;
    for (int i = 0; i < 8; i++)
        known |= sizes[i] == r->resnet_size;
    if (!known) {
        snprintf(vb, sizeof vb, "%d", r->resnet_size);
        return cerr(x, ynode_at(at, "resnet_size", NULL),
                    "input feature '%s': encoder.resnet_size %s is not a size Ludwig builds (8, 14, 18, 34, 50, 101, 152 or 200)",
                    fname, vb);
    }
    if (r->conv_stride == 1 && r->kernel_size % 2 == 0) {
        snprintf(vb, sizeof vb, "%d", r->kernel_size);
        return cerr(x, ynode_at(at, "kernel_size", NULL),
                    "input feature '%s': encoder.kernel_size %s with conv_stride 1: Ludwig pads this convolution 'same', one row and column more after than before for an even kernel; ludwig-c pads evenly only: use an odd kernel_size or a conv_stride above 1",
                    fname, vb);
    }
    if (r->pool_kernel && !r->pool_stride)
        return cerr(x, ynode_at(at, "first_pool_kernel_size", NULL),
                    "input feature '%s': encoder.first_pool_kernel_size needs first_pool_stride too (Ludwig 0.10.3 fails without it when it sizes the pooled map)",
                    fname, NULL);
    if (r->pool_kernel == 1)
        return cerr(x, ynode_at(at, "first_pool_kernel_size", NULL),
                    "input feature '%s': encoder.first_pool_kernel_size 1: the first max pooling pads by 1, and torch's MaxPool2d refuses a padding above half its kernel; use 2 or more",
                    fname, NULL);
    return fc_stack_spec(x, at, enc, &SK_PLAIN, "encoder", &sp->fc);
}

/* Ludwig's _vit_legacy (HF ViTModel; model.c plan_vit_legacy) from its ViTConfig keys: the image
 * square (requires_equal_dimensions: Ludwig takes the smaller side), 224 x 224 when the encoder
 * is not trainable or use_pretrained is set (ViTConfig.set_fixed_preprocessing_params) */
static lc_status vit_legacy_typed(cfg_ctx *x, const lc_ynode *ye, const cJSON *enc, lc_feature *F)
{
    lc_input_spec *sp = &F->enc;
    char msg[320];
    sp->enc = LC_ENC_VIT_LEGACY;
    sp->vl_patch = (int)jnum(enc, "patch_size", 16);
    sp->vl_hidden = (int)jnum(enc, "hidden_size", 768);
    sp->vl_layers = (int)jnum(enc, "num_hidden_layers", 12);
    sp->vl_heads = (int)jnum(enc, "num_attention_heads", 12);
    sp->vl_inter = (int)jnum(enc, "intermediate_size", 3072);
    sp->vl_drop = (float)jnum(enc, "hidden_dropout_prob", 0.1);
    sp->vl_attn_drop = (float)jnum(enc, "attention_probs_dropout_prob", 0.1);
    sp->vl_init_range = (float)jnum(enc, "initializer_range", 0.02);
    sp->vl_ln_eps = (float)jnum(enc, "layer_norm_eps", 1e-12);
    const char *act = jstr(enc, "hidden_act");
    sp->vl_act = !act || strcmp(act, "gelu") == 0 ? LC_ACT_GELU
                 : strcmp(act, "relu") == 0       ? LC_ACT_RELU
                 : strcmp(act, "selu") == 0       ? LC_ACT_SELU
                                                  : LC_ACT_GELU_TANH;
    sp->tv_frozen = !jbool(enc, "trainable", 1);
    F->tv_pretrained = jbool(enc, "use_pretrained", 1) &&
                       !jbool(enc, "saved_weights_in_checkpoint", 0);
    if (sp->vl_hidden % sp->vl_heads && !F->tv_pretrained) { /* else config.json's sizes */
        snprintf(msg, sizeof msg, "input feature '%s': encoder.hidden_size %d is not a multiple of num_attention_heads %d (HF ViT splits the hidden size among the heads)",
                 F->name, sp->vl_hidden, sp->vl_heads);
        return cerr(x, ynode_at(ye, lc_ymap_get(ye, "hidden_size") ? "hidden_size" : "num_attention_heads", NULL), "%s", msg, NULL);
    }
    const cJSON *eh = jget(enc, "height"), *ew = jget(enc, "width");
    if (cJSON_IsNumber(eh) && cJSON_IsNumber(ew) && eh->valueint != ew->valueint) {
        snprintf(msg, sizeof msg, "input feature '%s': encoder height %d and width %d differ; the _vit_legacy encoder takes square images (ViTEncoder: img_height and img_width should be identical)",
                 F->name, eh->valueint, ew->valueint);
        return cerr(x, ynode_at(ye, "width", NULL), "%s", msg, NULL);
    }
    /* use_pretrained: the architecture and the weights come from the checkpoint (experiment.c
     * finds it in the HuggingFace cache, lc_hf.h); pretrained_model is kept here */
    const char *pm = jstr(enc, "pretrained_model");
    if (F->tv_pretrained && !(F->tv_cache_dir = strdup(pm ? pm : "google/vit-base-patch16-224")))
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    F->requires_equal_dims = 1;
    if (sp->tv_frozen || jbool(enc, "use_pretrained", 1))
        F->img_height = F->img_width = 224;
    return LC_OK;
}

static lc_status image_typed(cfg_ctx *x, const lc_ynode *yf, const cJSON *feat, lc_feature *F)
{
    const cJSON *pre = jget(feat, "preprocessing");
    /* Ludwig forces height/width to be inferred for stacked_cnn; a user value is honoured by
     * ludwig-c (resizing to it) because silently discarding it would surprise the user. */
    F->img_height = jnull(pre, "height") ? 0 : (int)jnum(pre, "height", 0);
    F->img_width = jnull(pre, "width") ? 0 : (int)jnum(pre, "width", 0);
    F->img_channels = jnull(pre, "num_channels") ? 0 : (int)jnum(pre, "num_channels", 0);
    if ((F->img_height == 0) != (F->img_width == 0))
        return cerr(x, NULL, "input feature '%s': preprocessing needs both height and width, or neither", F->name, NULL);
    F->crop_or_pad = strcmp(jstr(pre, "resize_method"), "crop_or_pad") == 0;
    F->infer_dims = jbool(pre, "infer_image_dimensions", 1);
    F->infer_max_h = (int)jnum(pre, "infer_image_max_height", 256);
    F->infer_max_w = (int)jnum(pre, "infer_image_max_width", 256);
    F->infer_sample = (int)jnum(pre, "infer_image_sample_size", 100);
    F->standardize_imagenet = !jnull(pre, "standardize_image");
    F->requires_equal_dims = jbool(pre, "requires_equal_dimensions", 0);
    lc_status ast = augmentation_typed(x, yf, feat, F);
    if (ast)
        return ast;
    const lc_ynode *yenc = lc_ymap_get(yf, "encoder");
    const cJSON *enc = jget(feat, "encoder");
    const char *etype = jstr(enc, "type");
    /* the torchvision families named by a model_variant string (the schema checked it) */
    static const char *const mnv3[] = {"small", "large"}, *const mnv2[] = {"base"};
    static const struct {
        const char *type;
        lc_enc_type enc;
        const char *const *variants;
        int n;
    } tv_str[] = {{"mobilenetv3", LC_ENC_TV_MOBILENETV3, mnv3, 2},
                  {"mobilenetv2", LC_ENC_TV_MOBILENETV2, mnv2, 1},
                  {"resnext", LC_ENC_TV_RESNEXT, lc_tv_resnext_variants, 3},
                  {"vit", LC_ENC_TV_VIT, lc_tv_vit_variants, 5},
                  {"efficientnet", LC_ENC_TV_EFFICIENTNET, lc_tv_efficientnet_variants, 11},
                  {"squeezenet", LC_ENC_TV_SQUEEZENET, lc_tv_squeezenet_variants, 2},
                  {"regnet", LC_ENC_TV_REGNET, lc_tv_regnet_variants, 15},
                  {"mnasnet", LC_ENC_TV_MNASNET, lc_tv_mnasnet_variants, 4},
                  {"alexnet", LC_ENC_TV_ALEXNET, mnv2, 1},
                  {"shufflenet_v2", LC_ENC_TV_SHUFFLENETV2, lc_tv_shufflenetv2_variants, 4},
                  {"swin_transformer", LC_ENC_TV_SWIN, lc_tv_swin_variants, 3},
                  {"convnext", LC_ENC_TV_CONVNEXT, lc_tv_convnext_variants, 4},
                  {"googlenet", LC_ENC_TV_GOOGLENET, mnv2, 1},
                  {"inceptionv3", LC_ENC_TV_INCEPTIONV3, mnv2, 1},
                  {"maxvit", LC_ENC_TV_MAXVIT, lc_tv_maxvit_variants, 1}};
    if (etype && strcmp(etype, "_vit_legacy") == 0)
        return vit_legacy_typed(x, yenc && yenc->kind == LC_YMAP ? yenc : yf, enc, F);
    for (size_t t = 0; etype && t < sizeof tv_str / sizeof tv_str[0]; t++)
        if (strcmp(etype, tv_str[t].type) == 0) {
            const char *mv = jstr(enc, "model_variant");
            F->enc.enc = tv_str[t].enc;
            F->enc.tv_variant = 0;
            for (int k = 0; k < tv_str[t].n; k++)
                if (mv && strcmp(mv, tv_str[t].variants[k]) == 0)
                    F->enc.tv_variant = k;
            goto tv_common;
        }
    if (etype && strcmp(etype, "mlp_mixer") == 0) {
        /* Ludwig's MLPMixer on the image as the feature's preprocessing makes it (as
         * stacked_cnn's); patch_size must divide its size: checked here when the config gives
         * the size, when the model is planned when the images give it */
        lc_input_spec *sp = &F->enc;
        sp->enc = LC_ENC_MLP_MIXER;
        sp->mx_patch = (int)jnum(enc, "patch_size", 16);
        sp->mx_embed = (int)jnum(enc, "embed_size", 512);
        sp->mx_token = (int)jnum(enc, "token_size", 2048);
        sp->mx_channel = (int)jnum(enc, "channel_dim", 256);
        sp->mx_layers = (int)jnum(enc, "num_layers", 8);
        sp->mx_dropout = (float)jnum(enc, "dropout", 0.0);
        sp->mx_avg_pool = jbool(enc, "avg_pool", 1);
        if (F->img_height > 0 && sp->mx_patch > 0 &&
            (F->img_height % sp->mx_patch || F->img_width % sp->mx_patch)) {
            /* the size the config gives (an inferred one is checked when the model is planned) */
            const char *side = F->img_height % sp->mx_patch ? "height" : "width";
            const lc_ynode *at = ynode_at(yf, "preprocessing", side);
            if (!at)
                at = ynode_at(yenc && yenc->kind == LC_YMAP ? yenc : yf, "patch_size", NULL);
            char msg[320];
            snprintf(msg, sizeof msg,
                     "input feature '%s': preprocessing %s %d is not a multiple of the mlp_mixer encoder's patch_size %d (Ludwig asserts that the height and the width both are); change the size or the patch_size",
                     F->name, side, F->img_height % sp->mx_patch ? F->img_height : F->img_width,
                     sp->mx_patch);
            return cerr(x, at ? at : yf, "%s", msg, NULL);
        }
        if (!sp->mx_avg_pool && !x->flatten)
            return cerr(x, ynode_at(yenc && yenc->kind == LC_YMAP ? yenc : yf, "avg_pool", NULL),
                        "input feature '%s': encoder.avg_pool false gives every patch's embedding, a (n_patches, embed_size) output, which Ludwig's concat combiner takes only with flatten_inputs: true (add combiner: {flatten_inputs: true}, or keep avg_pool true)",
                        F->name, NULL);
        return LC_OK;
    }
    if (etype && strcmp(etype, "densenet") == 0) {
        /* torchvision's DenseNet-BC; model_variant an integer as Ludwig's IntegerOptions */
        int v = (int)jnum(enc, "model_variant", 121);
        if (v != 121 && v != 161 && v != 169 && v != 201) {
            char vb[24];
            snprintf(vb, sizeof vb, "%d", v);
            return cerr(x, ynode_at(yenc && yenc->kind == LC_YMAP ? yenc : yf, "model_variant", NULL),
                        "input feature '%s': encoder.model_variant %s is not a densenet Ludwig builds (121, 161, 169 or 201)",
                        F->name, vb);
        }
        F->enc.enc = LC_ENC_TV_DENSENET;
        F->enc.tv_variant = v;
        goto tv_common;
    }
    if (etype && strcmp(etype, "vgg") == 0) {
        /* model_variant an integer (11, 13, 16, 19) or a string (11_bn, ...; the schema
         * checked it) */
        const cJSON *mvj = cJSON_GetObjectItemCaseSensitive(enc, "model_variant");
        char mv[24] = "11";
        if (cJSON_IsNumber(mvj))
            snprintf(mv, sizeof mv, "%d", mvj->valueint);
        else if (cJSON_IsString(mvj))
            snprintf(mv, sizeof mv, "%s", mvj->valuestring);
        F->enc.enc = LC_ENC_TV_VGG;
        F->enc.tv_variant = -1;
        for (int k = 0; k < 8; k++)
            if (strcmp(mv, lc_tv_vgg_variants[k]) == 0)
                F->enc.tv_variant = k;
        if (F->enc.tv_variant < 0)
            return cerr(x, ynode_at(yenc && yenc->kind == LC_YMAP ? yenc : yf, "model_variant", NULL),
                        "input feature '%s': encoder.model_variant %s is not a vgg Ludwig builds (11, 13, 16, 19, 11_bn, 13_bn, 16_bn or 19_bn)",
                        F->name, mv);
        goto tv_common;
    }
    if (etype && (strcmp(etype, "resnet") == 0 || strcmp(etype, "wide_resnet") == 0)) {
        /* torchvision's ResNet; the image is made as its pretrained weights expect
         * (image.c: 3 channels, resized and cropped by the variant's transform) */
        int wide = strcmp(etype, "wide_resnet") == 0;
        int v = wide ? (strcmp(jstr(enc, "model_variant") ? jstr(enc, "model_variant") : "", "101_2") == 0 ? 101 : 50)
                     : (int)jnum(enc, "model_variant", 50);
        F->enc.tv_wide = wide;
        if (v != 18 && v != 34 && v != 50 && v != 101 && v != 152) {
            char vb[24];
            snprintf(vb, sizeof vb, "%d", v);
            return cerr(x, ynode_at(yenc && yenc->kind == LC_YMAP ? yenc : yf, "model_variant", NULL),
                        "input feature '%s': encoder.model_variant %s is not a resnet Ludwig builds (18, 34, 50, 101 or 152)",
                        F->name, vb);
        }
        F->enc.enc = LC_ENC_TV_RESNET;
        F->enc.tv_variant = v;
    tv_common:
        F->enc.tv_frozen = !jbool(enc, "trainable", 1);
        F->tv_pretrained = jbool(enc, "use_pretrained", 1) &&
                           !jbool(enc, "saved_weights_in_checkpoint", 0);
        /* torchvision turns googlenet's and inception_v3's transform_input on when it loads
         * their weights: a model rebuilt from a saved config (saved_weights_in_checkpoint) has
         * it off */
        F->enc.tv_transform_input = F->tv_pretrained;
        const char *dir = jnull(enc, "model_cache_dir") ? NULL : jstr(enc, "model_cache_dir");
        if (dir && !(F->tv_cache_dir = strdup(dir)))
            return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
        return LC_OK;
    }
    if (etype && strcmp(etype, "_resnet_legacy") == 0)
        return resnet_legacy_spec(x, yenc && yenc->kind == LC_YMAP ? yenc : yf, enc, F->name,
                                  &F->enc);
    return encoder_spec(x, yenc && yenc->kind == LC_YMAP ? yenc : yf, enc, &F->enc);
}

/* reduce_output of a sequence encoder (the SequenceReducer modes ludwig-c builds). */
static lc_status reduce_spec(cfg_ctx *x, const lc_ynode *at, const cJSON *enc, const char *what,
                             lc_seq_reduce *out)
{
    const char *red = jstr(enc, "reduce_output");
    if (!red || strcmp(red, "none") == 0 || strcmp(red, "None") == 0) {
        /* the (steps, size) outputs unreduced: Ludwig's concat combiner sizes its first layer
         * for them flattened, which flatten_inputs does (then it is concat's (B, T F)) */
        if (x->flatten) {
            *out = LC_RED_CONCAT;
            return LC_OK;
        }
        return cerr(x, at, "%s: reduce_output null keeps every step, which Ludwig's concat combiner takes only with flatten_inputs: true (add combiner: {flatten_inputs: true}, or reduce with sum, mean, max, last, concat or attention)",
                    what, NULL);
    }
    *out = strcmp(red, "last") == 0        ? LC_RED_LAST
           : strcmp(red, "sum") == 0       ? LC_RED_SUM
           : strcmp(red, "max") == 0       ? LC_RED_MAX
           : strcmp(red, "concat") == 0    ? LC_RED_CONCAT
           : strcmp(red, "attention") == 0 ? LC_RED_ATTN
                                           : LC_RED_MEAN;
    return LC_OK;
}

/* The rnn encoder's RecurrentStack settings. */
static lc_status rnn_spec(cfg_ctx *x, const lc_ynode *at, const cJSON *enc, const char *what,
                          lc_input_spec *sp)
{
    const char *cell = jstr(enc, "cell_type");
    sp->enc = LC_ENC_RNN;
    sp->cell = cell && strcmp(cell, "lstm") == 0  ? LC_RNN_LSTM
               : cell && strcmp(cell, "gru") == 0 ? LC_RNN_GRU
                                                  : LC_RNN_TANH;
    sp->state_size = (int)jnum(enc, "state_size", 256);
    sp->num_layers = (int)jnum(enc, "num_layers", 1);
    sp->bidirectional = jbool(enc, "bidirectional", 0);
    sp->rnn_bias = jbool(enc, "use_bias", 1);
    sp->recurrent_dropout = (float)jnum(enc, "recurrent_dropout", 0);
    if (sp->recurrent_dropout >= 1.0f)
        return cerr(x, at, "%s: recurrent_dropout must be below 1", what, NULL);
    return LC_OK;
}

/* A Conv1DLayer's norm: the conv_layers entry's norm and norm_params, else the encoder's (Ludwig
 * passes them as the stack's defaults); batch norm only (Ludwig's layer norm there spans the
 * channels and the steps) */
static lc_status conv1d_norm_spec(cfg_ctx *x, const lc_ynode *at, const cJSON *enc,
                                  const cJSON *layer, const char *what, lc_norm_spec *out)
{
    const char *norm = layer && jhas(layer, "norm") ? jstr(layer, "norm") : jstr(enc, "norm");
    const cJSON *np = layer && jhas(layer, "norm_params") ? jget(layer, "norm_params")
                                                          : jget(enc, "norm_params");
    return norm_spec(x, at, norm, np, what, out);
}

/* Ludwig's ParallelCNN: conv_layers (or the four default layers of filter sizes 2, 3, 4, 5; also
 * when only num_conv_layers is set, as Ludwig does), each with filter_size, num_filters and
 * pool_size (the encoder's as defaults); activation and dropout; fc_layers, num_fc_layers x
 * output_size, or the default [512, 256]; each layer's norm (batch or layer). */
static lc_status parallel_cnn_spec(cfg_ctx *x, const lc_ynode *at, const cJSON *enc,
                                   const char *what, lc_input_spec *sp)
{
    sp->enc = LC_ENC_PARALLEL_CNN;
    /* pooling after each conv layer (ParallelConv1D: pool_size, stride pool_size, "same"
     * padding (pool_size - 1) / 2; max or average as pool_function says) */
    int dflt_pool = jnull(enc, "pool_size") ? 0 : (int)jnum(enc, "pool_size", 0);
    const char *pfn = jstr(enc, "pool_function");
    int pavg = pfn && strcmp(pfn, "max") != 0;
    if (parse_act(jstr(enc, "activation") ? jstr(enc, "activation") : "relu", &sp->pconv_act))
        return cerr(x, at, "%s: activation '%s' is not supported by ludwig-c yet", what, jstr(enc, "activation"));
    int dflt_k = (int)jnum(enc, "filter_size", 3), dflt_f = (int)jnum(enc, "num_filters", 256);
    const cJSON *cl = jget(enc, "conv_layers");
    if (cl && cJSON_IsArray(cl)) {
        sp->npconv = cJSON_GetArraySize(cl);
        if (sp->npconv < 1 || sp->npconv > 16)
            return cerr(x, at, "%s: conv_layers needs 1 to 16 layers", what, NULL);
        int i = 0;
        for (const cJSON *c = cl->child; c; c = c->next, i++) {
            for (const cJSON *kv = c->child; kv; kv = kv->next)
                if (strcmp(kv->string, "filter_size") != 0 && strcmp(kv->string, "num_filters") != 0 &&
                    strcmp(kv->string, "pool_size") != 0 && strcmp(kv->string, "norm") != 0 &&
                    strcmp(kv->string, "norm_params") != 0)
                    return cerr(x, at, "%s: conv_layers key '%s' is not supported by ludwig-c yet (supported: filter_size, num_filters, pool_size, norm, norm_params)",
                                what, kv->string);
            lc_status stn = conv1d_norm_spec(x, at, enc, c, what, &sp->pconv_norm[i]);
            if (stn)
                return stn;
            sp->pconv_k[i] = (int)jnum(c, "filter_size", dflt_k);
            sp->pconv_f[i] = (int)jnum(c, "num_filters", dflt_f);
            sp->scnn_pool[i] = jhas(c, "pool_size") ? (jnull(c, "pool_size") ? 0 : (int)jnum(c, "pool_size", 0))
                                                    : dflt_pool;
            if (sp->pconv_k[i] < 1 || sp->pconv_f[i] < 1)
                return cerr(x, at, "%s: every conv_layers entry needs filter_size and num_filters >= 1", what, NULL);
        }
    } else {
        sp->npconv = 4;
        for (int i = 0; i < 4; i++) {
            lc_status stn = conv1d_norm_spec(x, at, enc, NULL, what, &sp->pconv_norm[i]);
            if (stn)
                return stn;
            sp->pconv_k[i] = 2 + i;
            sp->pconv_f[i] = dflt_f;
            sp->scnn_pool[i] = dflt_pool;
        }
    }
    for (int i = 0; i < sp->npconv; i++) {
        if (sp->scnn_pool[i] < 0)
            return cerr(x, at, "%s: pool_size must be at least 1", what, NULL);
        sp->scnn_pool_stride[i] = sp->scnn_pool[i];
        sp->scnn_pool_pad[i] = sp->scnn_pool[i] > 0 ? (sp->scnn_pool[i] - 1) / 2 : 0;
        sp->scnn_pool_avg[i] = pavg;
    }
    /* the FCStack: fc_layers, else num_fc_layers x output_size, else [512, 256] */
    cJSON *e2 = cJSON_Duplicate(enc, 1);
    if (!e2)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    if (jnull(e2, "fc_layers") && jnull(e2, "num_fc_layers")) {
        cJSON *fl = cJSON_CreateArray(), *l1 = cJSON_CreateObject(), *l2 = cJSON_CreateObject();
        cJSON_AddNumberToObject(l1, "output_size", 512);
        cJSON_AddNumberToObject(l2, "output_size", 256);
        cJSON_AddItemToArray(fl, l1);
        cJSON_AddItemToArray(fl, l2);
        cJSON_ReplaceItemInObjectCaseSensitive(e2, "fc_layers", fl);
    }
    static const stack_keys SK_PCNN = {"output_size", "use_bias", "weights_initializer",
                                       "bias_initializer", "norm", "norm_params", "activation",
                                       "dropout", "num_fc_layers", 0};
    lc_status st = fc_stack_spec(x, at, e2, &SK_PCNN, what, &sp->fc);
    cJSON_Delete(e2);
    return st;
}

/* Ludwig's StackedCNN: conv_layers (or its six default layers: filter sizes 7, 7, 3, 3, 3, 3 with
 * pooling of 3 after the first two and the last; num_conv_layers alone leaves them, as Ludwig's
 * Conv1DStack is never given it), each with filter_size, num_filters, pool_size, pool_function,
 * pool_strides (default pool_size) and pool_padding (same: (pool_size - 1) / 2 on each side);
 * "same" convolutions of stride and dilation 1; activation and dropout after each; the reduction;
 * fc_layers, num_fc_layers x output_size, or [512, 256]. */
/* The Conv1DStack of stacked_cnn and cnnrnn: conv_layers, or the encoder's default layers (nd
 * filter sizes dk and pool sizes dp, 0 none); the encoder's filter_size (default dflt_k) and
 * pool_size (default dflt_pool) for entries that lack them; the layers' activation key. */
static lc_status conv_stack_spec(cfg_ctx *x, const lc_ynode *at, const cJSON *enc, const char *what,
                                 lc_input_spec *sp, int nd, const int *dk, const int *dp,
                                 int dflt_k0, int dflt_pool, const char *act_key)
{
    /* the conv layers' strides, dilation_rate and padding: the encoder's, else each entry's */
    int dflt_st = (int)jnum(enc, "strides", 1), dflt_dil = (int)jnum(enc, "dilation_rate", 1);
    const char *dflt_pad = jstr(enc, "padding") ? jstr(enc, "padding") : "same";
    if (parse_act(jstr(enc, act_key) ? jstr(enc, act_key) : "relu", &sp->pconv_act))
        return cerr(x, at, "%s: activation '%s' is not supported by ludwig-c yet", what, jstr(enc, act_key));
    int dflt_k = (int)jnum(enc, "filter_size", dflt_k0), dflt_f = (int)jnum(enc, "num_filters", 256);
    int dflt_p = jnull(enc, "pool_size") ? 0 : (int)jnum(enc, "pool_size", dflt_pool);
    int dflt_ps = jnull(enc, "pool_strides") ? 0 : (int)jnum(enc, "pool_strides", 0);
    const char *pf = jstr(enc, "pool_function"), *pp = jstr(enc, "pool_padding");
    int dflt_avg = pf && strcmp(pf, "max") != 0, dflt_same = !pp || strcmp(pp, "same") == 0;
    const cJSON *cl = jget(enc, "conv_layers");
    int custom = cl && cJSON_IsArray(cl);
    sp->npconv = custom ? cJSON_GetArraySize(cl) : nd;
    if (sp->npconv < 1 || sp->npconv > 16)
        return cerr(x, at, "%s: conv_layers needs 1 to 16 layers", what, NULL);
    for (int i = 0; i < sp->npconv; i++) {
        const cJSON *c = custom ? cJSON_GetArrayItem(cl, i) : NULL;
        for (const cJSON *kv = c ? c->child : NULL; kv; kv = kv->next)
            if (strcmp(kv->string, "filter_size") && strcmp(kv->string, "num_filters") &&
                strcmp(kv->string, "pool_size") && strcmp(kv->string, "pool_function") &&
                strcmp(kv->string, "pool_strides") && strcmp(kv->string, "pool_padding") &&
                strcmp(kv->string, "norm") && strcmp(kv->string, "norm_params") &&
                strcmp(kv->string, "strides") && strcmp(kv->string, "dilation_rate") &&
                strcmp(kv->string, "padding"))
                return cerr(x, at, "%s: conv_layers key '%s' is not supported by ludwig-c yet (supported: filter_size, num_filters, strides, dilation_rate, padding, pool_size, pool_function, pool_strides, pool_padding, norm, norm_params)",
                            what, kv->string);
        lc_status stn = conv1d_norm_spec(x, at, enc, c, what, &sp->pconv_norm[i]);
        if (stn)
            return stn;
        int cst = c && jhas(c, "strides") ? (int)jnum(c, "strides", 1) : dflt_st;
        int cdil = c && jhas(c, "dilation_rate") ? (int)jnum(c, "dilation_rate", 1) : dflt_dil;
        const char *cpad = c && jstr(c, "padding") ? jstr(c, "padding") : dflt_pad;
        if (cst < 1 || cdil < 1)
            return cerr(x, at, "%s: the conv layers' strides and dilation_rate must be at least 1", what, NULL);
        if (strcmp(cpad, "same") != 0 && strcmp(cpad, "valid") != 0)
            return cerr(x, at, "%s: padding '%s' is not one of same, valid", what, cpad);
        if (cst > 1 && strcmp(cpad, "same") == 0)
            return cerr(x, at, "%s: strides above 1 need padding 'valid' (torch's Conv1d, which Ludwig uses, has no 'same' padding for strided convolutions)", what, NULL);
        sp->pconv_stride[i] = cst;
        sp->pconv_dil[i] = cdil;
        sp->pconv_valid[i] = strcmp(cpad, "valid") == 0;
        sp->pconv_k[i] = c ? (int)jnum(c, "filter_size", dflt_k) : dk ? dk[i] : dflt_k;
        sp->pconv_f[i] = c ? (int)jnum(c, "num_filters", dflt_f) : dflt_f;
        sp->scnn_pool[i] = c ? (jhas(c, "pool_size") ? (jnull(c, "pool_size") ? 0 : (int)jnum(c, "pool_size", 0)) : dflt_p)
                             : dp[i];
        int ps = c && jhas(c, "pool_strides") && !jnull(c, "pool_strides") ? (int)jnum(c, "pool_strides", 0) : dflt_ps;
        sp->scnn_pool_stride[i] = ps > 0 ? ps : sp->scnn_pool[i];
        const char *cpf = c ? jstr(c, "pool_function") : NULL, *cpp = c ? jstr(c, "pool_padding") : NULL;
        sp->scnn_pool_avg[i] = cpf ? strcmp(cpf, "max") != 0 : dflt_avg;
        int same = cpp ? strcmp(cpp, "same") == 0 : dflt_same;
        sp->scnn_pool_pad[i] = same && sp->scnn_pool[i] > 0 ? (sp->scnn_pool[i] - 1) / 2 : 0;
        if (sp->pconv_k[i] < 1 || sp->pconv_f[i] < 1 || sp->scnn_pool[i] < 0)
            return cerr(x, at, "%s: every conv_layers entry needs filter_size and num_filters >= 1", what, NULL);
    }
    return LC_OK;
}

static lc_status stacked_cnn_spec(cfg_ctx *x, const lc_ynode *at, const cJSON *enc,
                                  const char *what, lc_input_spec *sp)
{
    sp->enc = LC_ENC_STACKED_CNN1D;
    sp->conv_dropout = (float)jnum(enc, "dropout", 0);
    static const int DK[6] = {7, 7, 3, 3, 3, 3}, DP[6] = {3, 3, 0, 0, 0, 3};
    lc_status st0 = conv_stack_spec(x, at, enc, what, sp, 6, DK, DP, 3, 0, "activation");
    if (st0)
        return st0;
    cJSON *e2 = cJSON_Duplicate(enc, 1);
    if (!e2)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    if (jnull(e2, "fc_layers") && jnull(e2, "num_fc_layers")) {
        cJSON *fl = cJSON_CreateArray(), *l1 = cJSON_CreateObject(), *l2 = cJSON_CreateObject();
        cJSON_AddNumberToObject(l1, "output_size", 512);
        cJSON_AddNumberToObject(l2, "output_size", 256);
        cJSON_AddItemToArray(fl, l1);
        cJSON_AddItemToArray(fl, l2);
        cJSON_ReplaceItemInObjectCaseSensitive(e2, "fc_layers", fl);
    }
    static const stack_keys SK_SCNN = {"output_size", "use_bias", "weights_initializer",
                                       "bias_initializer", "norm", "norm_params", "activation",
                                       "dropout", "num_fc_layers", 0};
    lc_status st = fc_stack_spec(x, at, e2, &SK_SCNN, what, &sp->fc);
    cJSON_Delete(e2);
    return st;
}

/* Ludwig's StackedParallelCNN: stacked_layers (lists of {filter_size, num_filters}), or its three
 * default stacks of filter sizes 2, 3, 4, 5 (also when only num_stacked_layers is set: Ludwig's
 * ParallelConv1DStack is never given it); batch norm, activation and dropout after each conv, and
 * its pooling (pool_size, pool_function, pool_strides, pool_padding); the reduction; fc_layers,
 * num_fc_layers x output_size, or [512, 256]. */
static lc_status stacked_pcnn_spec(cfg_ctx *x, const lc_ynode *at, const cJSON *enc,
                                   const char *what, lc_input_spec *sp)
{
    sp->enc = LC_ENC_STACKED_PCNN;
    sp->conv_dropout = (float)jnum(enc, "dropout", 0);
    /* the encoder's pool_size pools the last stack's layers only (as ParallelConv1DStack fills
     * in the layers' defaults: stride pool_size, "valid" padding); pool_function, norm and
     * norm_params are every layer's default */
    int dflt_pool = jnull(enc, "pool_size") ? 0 : (int)jnum(enc, "pool_size", 0);
    const char *dpf = jstr(enc, "pool_function");
    int dflt_avg = dpf && strcmp(dpf, "max") != 0;
    if (dflt_pool < 0)
        return cerr(x, at, "%s: pool_size must be at least 1", what, NULL);
    if (parse_act(jstr(enc, "activation") ? jstr(enc, "activation") : "relu", &sp->pconv_act))
        return cerr(x, at, "%s: activation '%s' is not supported by ludwig-c yet", what, jstr(enc, "activation"));
    int dflt_k = (int)jnum(enc, "filter_size", 3), dflt_f = (int)jnum(enc, "num_filters", 256);
    const cJSON *sl = jget(enc, "stacked_layers");
    int custom = sl && cJSON_IsArray(sl);
    sp->nstack = custom ? cJSON_GetArraySize(sl) : 3;
    if (sp->nstack < 1 || sp->nstack > 8)
        return cerr(x, at, "%s: stacked_layers needs 1 to 8 stacks", what, NULL);
    for (int i = 0; i < sp->nstack; i++) {
        const cJSON *st = custom ? cJSON_GetArrayItem(sl, i) : NULL;
        if (custom && !cJSON_IsArray(st))
            return cerr(x, at, "%s: each stacked_layers entry must be a list of layers", what, NULL);
        sp->nper[i] = custom ? cJSON_GetArraySize(st) : 4;
        if (sp->nper[i] < 1 || sp->nper[i] > 16)
            return cerr(x, at, "%s: each stack needs 1 to 16 layers", what, NULL);
        for (int j = 0; j < sp->nper[i]; j++) {
            const cJSON *c = custom ? cJSON_GetArrayItem(st, j) : NULL;
            for (const cJSON *kv = c ? c->child : NULL; kv; kv = kv->next)
                if (strcmp(kv->string, "filter_size") && strcmp(kv->string, "num_filters") &&
                    strcmp(kv->string, "pool_size") && strcmp(kv->string, "pool_function") &&
                    strcmp(kv->string, "pool_strides") && strcmp(kv->string, "pool_padding") &&
                    strcmp(kv->string, "norm") && strcmp(kv->string, "norm_params"))
                    return cerr(x, at, "%s: stacked_layers key '%s' is not supported by ludwig-c yet (supported: filter_size, num_filters, pool_size, pool_function, pool_strides, pool_padding, norm, norm_params)",
                                what, kv->string);
            sp->spk[i][j] = c ? (int)jnum(c, "filter_size", dflt_k) : 2 + j;
            sp->spf[i][j] = c ? (int)jnum(c, "num_filters", dflt_f) : dflt_f;
            if (sp->spk[i][j] < 1 || sp->spf[i][j] < 1)
                return cerr(x, at, "%s: every stacked_layers entry needs filter_size and num_filters >= 1", what, NULL);
            int last = i == sp->nstack - 1;
            int ps = c && jhas(c, "pool_size") ? (jnull(c, "pool_size") ? 0 : (int)jnum(c, "pool_size", 0))
                                               : last ? dflt_pool : 0;
            if (ps < 0)
                return cerr(x, at, "%s: pool_size must be at least 1", what, NULL);
            int pst = c && jhas(c, "pool_strides") && !jnull(c, "pool_strides") ? (int)jnum(c, "pool_strides", 0) : 0;
            const char *cpf = c ? jstr(c, "pool_function") : NULL, *cpp = c ? jstr(c, "pool_padding") : NULL;
            sp->sp_pool[i][j] = ps;
            sp->sp_pool_stride[i][j] = pst > 0 ? pst : ps;
            sp->sp_pool_pad[i][j] = cpp && strcmp(cpp, "same") == 0 && ps > 0 ? (ps - 1) / 2 : 0;
            sp->sp_pool_avg[i][j] = cpf ? strcmp(cpf, "max") != 0 : dflt_avg;
            lc_status stn = conv1d_norm_spec(x, at, enc, c, what, &sp->sp_norm[i][j]);
            if (stn)
                return stn;
        }
    }
    cJSON *e2 = cJSON_Duplicate(enc, 1);
    if (!e2)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    if (jnull(e2, "fc_layers") && jnull(e2, "num_fc_layers")) {
        cJSON *fl = cJSON_CreateArray(), *l1 = cJSON_CreateObject(), *l2 = cJSON_CreateObject();
        cJSON_AddNumberToObject(l1, "output_size", 512);
        cJSON_AddNumberToObject(l2, "output_size", 256);
        cJSON_AddItemToArray(fl, l1);
        cJSON_AddItemToArray(fl, l2);
        cJSON_ReplaceItemInObjectCaseSensitive(e2, "fc_layers", fl);
    }
    static const stack_keys SK_SPCNN = {"output_size", "use_bias", "weights_initializer",
                                        "bias_initializer", "norm", "norm_params", "activation",
                                        "dropout", "num_fc_layers", 0};
    lc_status st = fc_stack_spec(x, at, e2, &SK_SPCNN, what, &sp->fc);
    cJSON_Delete(e2);
    return st;
}

/* Ludwig's StackedCNNRNN: the Conv1DStack (conv_layers, or two layers of filter_size 5 with a
 * pooling of 3 after the first; conv_activation, conv_dropout), the RecurrentStack (cell_type,
 * num_rec_layers, state_size, bidirectional, recurrent_dropout, use_bias), the reduction (last by
 * default), the FCStack (num_fc_layers 0, fc_activation, fc_dropout). */
static lc_status cnnrnn_spec(cfg_ctx *x, const lc_ynode *at, const cJSON *enc, const char *what,
                             lc_input_spec *sp)
{
    static const int DP[2] = {3, 0};
    lc_status st = conv_stack_spec(x, at, enc, what, sp, 2, NULL, DP, 5, 2, "conv_activation");
    if (st || (st = rnn_spec(x, at, enc, what, sp)))
        return st;
    sp->enc = LC_ENC_CNNRNN;
    sp->num_layers = (int)jnum(enc, "num_rec_layers", 1);
    sp->conv_dropout = (float)jnum(enc, "conv_dropout", 0);
    if (sp->conv_dropout >= 1.0f)
        return cerr(x, at, "%s: conv_dropout must be below 1", what, NULL);
    return fc_stack_spec(x, at, enc, &SK_RNN, what, &sp->fc);
}

/* A timeseries input: its preprocessing, and the parallel_cnn (Ludwig's default), rnn or dense
 * encoder. */
static lc_status timeseries_typed(cfg_ctx *x, const lc_ynode *yf, const cJSON *feat,
                                  lc_feature *F)
{
    const cJSON *pre = jget(feat, "preprocessing"), *enc = jget(feat, "encoder");
    const char *tok = jstr(pre, "tokenizer");
    F->ts_sep = tok && strcmp(tok, "comma") == 0 ? ',' : tok && strcmp(tok, "underscore") == 0 ? '_' : ' ';
    F->ts_limit = (int)jnum(pre, "timeseries_length_limit", 256);
    F->ts_padding_value = jnull(pre, "padding_value") ? 0.0f : (float)jnum(pre, "padding_value", 0);
    F->ts_pad_left = jstr(pre, "padding") && strcmp(jstr(pre, "padding"), "left") == 0;
    F->ts_window = (int)jnum(pre, "window_size", 0);
    const char *type = jstr(enc, "type");
    const lc_ynode *at = ynode_at(yf, "encoder", NULL);
    char what[160];
    snprintf(what, sizeof what, "input feature '%s': encoder", F->name);
    if (type && strcmp(type, "passthrough") == 0) {
        /* Ludwig's SequencePassthroughEncoder: the series as (T, 1), reduced over the steps */
        F->enc.enc = LC_ENC_SEQ_PASSTHROUGH;
        const char *red = jstr(enc, "reduce_output");
        if (red && strcmp(red, "attention") == 0)
            return cerr(x, at, "%s: passthrough with reduce_output 'attention' has no encoding_size to attend over (Ludwig's FeedForwardAttentionReducer needs one); use sum, mean, max, last, concat or null",
                        what, NULL);
        return reduce_spec(x, at, enc, what, &F->enc.reduce);
    }
    if (type && strcmp(type, "dense") == 0) {
        /* Ludwig's DenseEncoder over the (T) series: an FCStack */
        F->enc.enc = LC_ENC_DENSE;
        return fc_stack_spec(x, at, enc, &SK_DENSE, what, &F->enc.fc);
    }
    if (!type || (strcmp(type, "rnn") != 0 && strcmp(type, "parallel_cnn") != 0 &&
                  strcmp(type, "stacked_cnn") != 0 && strcmp(type, "cnnrnn") != 0 &&
                  strcmp(type, "stacked_parallel_cnn") != 0 && strcmp(type, "transformer") != 0))
        return cerr(x, at ? at : yf,
                    "%s: timeseries encoder '%s' is not supported by ludwig-c yet (supported: parallel_cnn, stacked_cnn, stacked_parallel_cnn, rnn, cnnrnn, transformer, dense, passthrough)",
                    what, type ? type : "?");
    lc_status st = reduce_spec(x, at, enc, what, &F->enc.reduce);
    if (!st && strcmp(type, "stacked_cnn") == 0)
        return stacked_cnn_spec(x, at, enc, what, &F->enc);
    if (!st && strcmp(type, "cnnrnn") == 0)
        return cnnrnn_spec(x, at, enc, what, &F->enc);
    if (!st && strcmp(type, "stacked_parallel_cnn") == 0)
        return stacked_pcnn_spec(x, at, enc, what, &F->enc);
    if (!st && strcmp(type, "transformer") == 0) {
        /* no embeddings for a timeseries: project_to_hidden_size from one channel */
        F->enc.enc = LC_ENC_TRANSFORMER;
        F->enc.tf_layers = (int)jnum(enc, "num_layers", 1);
        F->enc.tf_hidden = (int)jnum(enc, "hidden_size", 256);
        F->enc.tf_heads = (int)jnum(enc, "num_heads", 8);
        F->enc.tf_ffn = (int)jnum(enc, "transformer_output_size", 256);
        F->enc.tf_dropout = (float)jnum(enc, "dropout", 0.1);
        if (F->enc.tf_heads < 1 || F->enc.tf_hidden % F->enc.tf_heads)
            return cerr(x, at, "%s: hidden_size must be divisible by num_heads (as Ludwig requires)", what, NULL);
        return fc_stack_spec(x, at, enc, &SK_RNN, what, &F->enc.fc);
    }
    if (!st && strcmp(type, "parallel_cnn") == 0) {
        /* no embedding (one value per step, embedding_size 1); dropout after each conv layer */
        F->enc.embed_dropout = (float)jnum(enc, "dropout", 0);
        if (F->enc.embed_dropout >= 1.0f)
            return cerr(x, at, "%s: dropout must be below 1", what, NULL);
        return parallel_cnn_spec(x, at, enc, what, &F->enc);
    }
    if (st || (st = rnn_spec(x, at, enc, what, &F->enc)))
        return st;
    /* the FCStack after the reduction: output_size, fc_activation, fc_dropout, norm ... */
    return fc_stack_spec(x, at, enc, &SK_RNN, what, &F->enc.fc);
}

/* A text input: its preprocessing, and the rnn (with embeddings) or embed encoder. */
static lc_status text_typed(cfg_ctx *x, const lc_ynode *yf, const cJSON *feat, lc_feature *F)
{
    const cJSON *pre = jget(feat, "preprocessing"), *enc = jget(feat, "encoder");
    static const char *const toks[] = {"space_punct", "space", "underscore", "comma",
                                       "characters", "untokenized", "stripped", "ngram"};
    const char *tok = jstr(pre, "tokenizer");
    F->tx_tokenizer = 0;
    for (int k = 0; k < 8; k++)
        if (tok && strcmp(tok, toks[k]) == 0)
            F->tx_tokenizer = k;
    /* Ludwig builds the vocabulary with ngram_size but maps the rows with the tokenizer's default
     * of 2: only 2 means one thing */
    if (tok && strcmp(tok, "ngram") == 0 && jnum(pre, "ngram_size", 2) != 2)
        return cerr(x, ynode_at(yf, "preprocessing", NULL),
                    "input feature '%s': preprocessing.ngram_size other than 2 is not supported by ludwig-c (Ludwig 0.10.3 maps rows with bigrams whatever its vocabulary holds)",
                    F->name, NULL);
    F->tx_max_len = jnull(pre, "max_sequence_length") ? 0 : (int)jnum(pre, "max_sequence_length", 256);
    F->tx_seq_len = jnull(pre, "sequence_length") ? 0 : (int)jnum(pre, "sequence_length", 0);
    F->tx_pad_left = jstr(pre, "padding") && strcmp(jstr(pre, "padding"), "left") == 0;
    F->most_common = (int)jnum(pre, "most_common", 20000);
    if (!(F->tx_pad_symbol = lc_strdup(jstr(pre, "padding_symbol") ? jstr(pre, "padding_symbol") : "<PAD>")) ||
        !(F->tx_unk_symbol = lc_strdup(jstr(pre, "unknown_symbol") ? jstr(pre, "unknown_symbol") : "<UNK>")))
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    if (!jnull(pre, "vocab_file") && jstr(pre, "vocab_file") &&
        !(F->tx_vocab_file = lc_strdup(jstr(pre, "vocab_file"))))
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    const char *type = jstr(enc, "type");
    const lc_ynode *at = ynode_at(yf, "encoder", NULL);
    char what[160];
    snprintf(what, sizeof what, "input feature '%s': encoder", F->name);
    if (!type || (strcmp(type, "rnn") != 0 && strcmp(type, "embed") != 0 &&
                  strcmp(type, "parallel_cnn") != 0 && strcmp(type, "stacked_cnn") != 0 &&
                  strcmp(type, "cnnrnn") != 0 && strcmp(type, "stacked_parallel_cnn") != 0 &&
                  strcmp(type, "transformer") != 0))
        return cerr(x, at ? at : yf,
                    "%s: text encoder '%s' is not supported by ludwig-c yet (supported: parallel_cnn, stacked_cnn, stacked_parallel_cnn, rnn, cnnrnn, transformer, embed)",
                    what, type ? type : "?");
    /* representation sparse: Ludwig's embedding_matrix makes it (vocab, vocab), the identity at
     * first, and ignores pretrained_embeddings */
    const char *rep = jstr(enc, "representation");
    int sparse = rep && strcmp(rep, "sparse") == 0;
    if (!sparse && !jnull(enc, "pretrained_embeddings") && jstr(enc, "pretrained_embeddings")) {
        /* the GloVe file gives the embedding size (read when the model is built for training) */
        if (!(F->tx_pretrained = lc_strdup(jstr(enc, "pretrained_embeddings"))))
            return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
        F->enc.embed_exact = 1;
    }
    F->enc.embed_size = (int)jnum(enc, "embedding_size", 256);
    F->enc.embed_trainable = jbool(enc, "embeddings_trainable", 1);
    F->enc.embed_dropout = (float)jnum(enc, "dropout", 0);
    if (F->enc.embed_dropout >= 1.0f)
        return cerr(x, at, "%s: dropout must be below 1", what, NULL);
    const char *wi = jstr(enc, "weights_initializer");
    F->enc.embed_init = LC_INIT_XAVIER_UNIFORM;
    if (wi && parse_init(wi, &F->enc.embed_init))
        return cerr(x, at, "%s: weights_initializer '%s' is not supported by ludwig-c yet", what, wi);
    if (sparse) {
        F->enc.embed_init = LC_INIT_EYE;
        F->enc.embed_sparse = 1;
    }
    F->enc.seq_embed = 1;
    lc_status st = reduce_spec(x, at, enc, what, &F->enc.reduce);
    if (st)
        return st;
    if (strcmp(type, "embed") == 0) {
        F->enc.enc = LC_ENC_SEQ_EMBED; /* no FC layers */
        return LC_OK;
    }
    if (strcmp(type, "parallel_cnn") == 0)
        return parallel_cnn_spec(x, at, enc, what, &F->enc);
    if (strcmp(type, "stacked_cnn") == 0)
        return stacked_cnn_spec(x, at, enc, what, &F->enc);
    if (strcmp(type, "cnnrnn") == 0)
        return cnnrnn_spec(x, at, enc, what, &F->enc);
    if (strcmp(type, "stacked_parallel_cnn") == 0)
        return stacked_pcnn_spec(x, at, enc, what, &F->enc);
    if (strcmp(type, "transformer") == 0) {
        /* StackedTransformer: its dropout is the embeddings' and the blocks' */
        F->enc.enc = LC_ENC_TRANSFORMER;
        F->enc.tf_layers = (int)jnum(enc, "num_layers", 1);
        F->enc.tf_hidden = (int)jnum(enc, "hidden_size", 256);
        F->enc.tf_heads = (int)jnum(enc, "num_heads", 8);
        F->enc.tf_ffn = (int)jnum(enc, "transformer_output_size", 256);
        F->enc.tf_dropout = F->enc.embed_dropout;
        if (F->enc.tf_heads < 1 || F->enc.tf_hidden % F->enc.tf_heads)
            return cerr(x, at, "%s: hidden_size must be divisible by num_heads (as Ludwig requires)", what, NULL);
        return fc_stack_spec(x, at, enc, &SK_RNN, what, &F->enc.fc);
    }
    if ((st = rnn_spec(x, at, enc, what, &F->enc)))
        return st;
    return fc_stack_spec(x, at, enc, &SK_RNN, what, &F->enc.fc);
}

/* A set or bag input: its preprocessing (tokenizer, most_common, lowercase, missing values) and
 * Ludwig's embed encoder (SetSparseEncoder / BagEmbedWeightedEncoder: the embeddings summed over
 * the row's tokens, dropout, an FCStack of num_fc_layers (default 0) x output_size). */
static lc_status set_typed(cfg_ctx *x, const lc_ynode *yf, const cJSON *feat, lc_feature *F)
{
    const cJSON *pre = jget(feat, "preprocessing"), *enc = jget(feat, "encoder");
    static const char *const toks[] = {"space_punct", "space", "underscore", "comma",
                                       "characters", "untokenized", "stripped", "ngram"};
    const char *tok = jstr(pre, "tokenizer");
    F->tx_tokenizer = 1; /* space */
    for (int k = 0; k < 8; k++)
        if (tok && strcmp(tok, toks[k]) == 0)
            F->tx_tokenizer = k;
    if (!(F->tx_pad_symbol = lc_strdup("<PAD>")) || !(F->tx_unk_symbol = lc_strdup("<UNK>")))
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    const char *type = jstr(enc, "type");
    const lc_ynode *at = ynode_at(yf, "encoder", NULL);
    char what[160];
    snprintf(what, sizeof what, "input feature '%s': encoder", F->name);
    if (type && strcmp(type, "embed") != 0)
        return cerr(x, at ? at : yf, "%s: %s encoder '%s' is not supported (Ludwig's is embed)", what,
                    type);
    const char *rep = jstr(enc, "representation"); /* sparse: as for text */
    int sparse = rep && strcmp(rep, "sparse") == 0;
    if (!sparse && !jnull(enc, "pretrained_embeddings") && jstr(enc, "pretrained_embeddings")) {
        /* a GloVe file, as for text: its size, its vectors (read when the model is built) */
        if (!(F->tx_pretrained = lc_strdup(jstr(enc, "pretrained_embeddings"))))
            return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
        F->enc.embed_exact = 1;
    }
    F->enc.enc = LC_ENC_SET_EMBED;
    F->enc.bag = F->type == LC_FT_BAG;
    F->enc.embed_size = (int)jnum(enc, "embedding_size", 50);
    F->enc.embed_trainable = jbool(enc, "embeddings_trainable", 1);
    F->enc.embed_dropout = (float)jnum(enc, "dropout", 0);
    if (F->enc.embed_dropout >= 1.0f)
        return cerr(x, at, "%s: dropout must be below 1", what, NULL);
    const char *wi = jstr(enc, "weights_initializer");
    F->enc.embed_init = LC_INIT_XAVIER_UNIFORM;
    if (wi && parse_init(wi, &F->enc.embed_init))
        return cerr(x, at, "%s: weights_initializer '%s' is not supported by ludwig-c yet", what, wi);
    if (sparse) {
        F->enc.embed_init = LC_INIT_EYE;
        F->enc.embed_sparse = 1;
    }
    static const stack_keys SK_SET = {"output_size", "use_bias", "weights_initializer",
                                      "bias_initializer", "norm", "norm_params", "activation",
                                      "dropout", "num_fc_layers", 0};
    return fc_stack_spec(x, at, enc, &SK_SET, what, &F->enc.fc);
}

/* A date input: datetime_format, and Ludwig's DateEmbed (default) or DateWave encoder. */
static lc_status date_typed(cfg_ctx *x, const lc_ynode *yf, const cJSON *feat, lc_feature *F)
{
    const cJSON *pre = jget(feat, "preprocessing"), *enc = jget(feat, "encoder");
    const char *fmt = jstr(pre, "datetime_format");
    if (fmt && !(F->date_format = lc_strdup(fmt)))
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    const char *type = jstr(enc, "type");
    const lc_ynode *at = ynode_at(yf, "encoder", NULL);
    char what[160];
    snprintf(what, sizeof what, "input feature '%s': encoder", F->name);
    int wave = type && strcmp(type, "wave") == 0;
    if (type && !wave && strcmp(type, "embed") != 0)
        return cerr(x, at ? at : yf, "%s: date encoder '%s' is not supported (Ludwig's are embed and wave)",
                    what, type);
    F->enc.enc = wave ? LC_ENC_DATE_WAVE : LC_ENC_DATE_EMBED;
    F->enc.embed_size = (int)jnum(enc, "embedding_size", 10);
    F->enc.embed_trainable = 1;
    F->enc.embed_dropout = (float)jnum(enc, "dropout", 0);
    if (F->enc.embed_dropout >= 1.0f)
        return cerr(x, at, "%s: dropout must be below 1", what, NULL);
    F->enc.date_use_bias = jbool(enc, "use_bias", 1);
    const char *wi = jstr(enc, "weights_initializer"), *bi = jstr(enc, "bias_initializer");
    F->enc.embed_init = F->enc.date_w_init = LC_INIT_XAVIER_UNIFORM;
    F->enc.date_b_init = LC_INIT_ZEROS;
    if (wi && parse_init(wi, &F->enc.date_w_init))
        return cerr(x, at, "%s: weights_initializer '%s' is not supported by ludwig-c yet", what, wi);
    if (bi && parse_init(bi, &F->enc.date_b_init))
        return cerr(x, at, "%s: bias_initializer '%s' is not supported by ludwig-c yet", what, bi);
    F->enc.embed_init = F->enc.date_w_init;
    static const stack_keys SK_DATE = {"output_size", "use_bias", "weights_initializer",
                                       "bias_initializer", "norm", "norm_params", "activation",
                                       "dropout", "num_fc_layers", 0};
    static const stack_keys SK_WAVE = {"output_size", "use_bias", "weights_initializer",
                                       "bias_initializer", "norm", "norm_params", "activation",
                                       "dropout", "num_fc_layers", 1};
    return fc_stack_spec(x, at, enc, wave ? &SK_WAVE : &SK_DATE, what, &F->enc.fc);
}

/* Encoders of number, binary and category inputs. */
static lc_status tab_encoder_typed(cfg_ctx *x, const lc_ynode *yf, const cJSON *feat,
                                   lc_feature *F)
{
    const cJSON *enc = jget(feat, "encoder");
    const char *type = jstr(enc, "type");
    const lc_ynode *at = ynode_at(yf, "encoder", NULL);
    char what[160];
    snprintf(what, sizeof what, "input feature '%s': encoder", F->name);
    if (strcmp(type, "passthrough") == 0) {
        F->enc.enc = LC_ENC_PASSTHROUGH;
        return LC_OK;
    }
    if (strcmp(type, "dense") == 0 && F->type != LC_FT_CATEGORY) {
        F->enc.enc = LC_ENC_DENSE;
        return fc_stack_spec(x, at, enc, &SK_DENSE, what, &F->enc.fc);
    }
    if (strcmp(type, "dense") == 0) {
        F->enc.enc = LC_ENC_EMBED;
        F->enc.embed_size = (int)jnum(enc, "embedding_size", 50);
        F->enc.embed_trainable = jbool(enc, "embeddings_trainable", 1);
        F->enc.embed_dropout = (float)jnum(enc, "dropout", 0);
        F->enc.embed_init = LC_INIT_UNIFORM_PM1;
        const char *ei = jstr(enc, "embedding_initializer");
        if (ei && parse_init(ei, &F->enc.embed_init))
            return cerr(x, at, "%s: embedding_initializer '%s' is not supported by ludwig-c yet", what, ei);
        if (F->enc.embed_dropout >= 1.0f)
            return cerr(x, at, "%s: dropout must be below 1", what, NULL);
        return LC_OK;
    }
    if (strcmp(type, "sparse") == 0) {
        /* CategoricalSparseEncoder: Embed with representation sparse, a (vocab, vocab) identity
         * that Ludwig keeps in the state_dict (embed.embeddings.weight) and trains only when
         * embeddings_trainable is set (false by default), then dropout */
        F->enc.enc = LC_ENC_EMBED;
        F->enc.embed_sparse = 1;
        F->enc.embed_init = LC_INIT_EYE;
        F->enc.embed_trainable = jbool(enc, "embeddings_trainable", 0);
        F->enc.embed_dropout = (float)jnum(enc, "dropout", 0);
        if (F->enc.embed_dropout >= 1.0f)
            return cerr(x, at, "%s: dropout must be below 1", what, NULL);
        return LC_OK;
    }
    /* onehot: the one-hot vector, no parameters */
    F->enc.enc = LC_ENC_ONEHOT;
    return LC_OK;
}

static lc_status loss_typed(cfg_ctx *x, const cJSON *feat, lc_feature *F)
{
    const cJSON *loss = jget(feat, "loss");
    const char *t = jstr(loss, "type");
    static const struct {
        const char *n;
        lc_loss_type t;
    } tab[] = {{"softmax_cross_entropy", LC_LOSS_SOFTMAX_XENT},
               {"binary_weighted_cross_entropy", LC_LOSS_BWCE},
               {"mean_squared_error", LC_LOSS_MSE},
               {"mean_absolute_error", LC_LOSS_MAE},
               {"root_mean_squared_error", LC_LOSS_RMSE},
               {"mean_absolute_percentage_error", LC_LOSS_MAPE},
               {"root_mean_squared_percentage_error", LC_LOSS_RMSPE},
               {"huber", LC_LOSS_HUBER},
               {"sigmoid_cross_entropy", LC_LOSS_SIGMOID_XENT}};
    int found = 0;
    for (size_t i = 0; i < sizeof tab / sizeof *tab; i++)
        if (t && strcmp(t, tab[i].n) == 0) {
            F->loss = tab[i].t;
            found = 1;
        }
    if (!found)
        return cerr(x, NULL, "output feature '%s': loss '%s' is not supported by ludwig-c yet", F->name, t ? t : "?");
    F->loss_weight = jnum(loss, "weight", 1.0);
    F->robust_lambda = jnum(loss, "robust_lambda", 0);
    F->confidence_penalty = jnum(loss, "confidence_penalty", 0);
    F->huber_delta = jnum(loss, "delta", 1.0);
    F->positive_class_weight = jnull(loss, "positive_class_weight") ? 0 : jnum(loss, "positive_class_weight", 0);
    const cJSON *cw = jget(loss, "class_weights");
    if (cw && cJSON_IsArray(cw)) {
        F->nclass_weights = cJSON_GetArraySize(cw);
        F->class_weights = calloc((size_t)F->nclass_weights + 1, sizeof *F->class_weights);
        if (!F->class_weights)
            return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
        int i = 0;
        for (const cJSON *v = cw->child; v; v = v->next)
            F->class_weights[i++] = v->valuedouble;
    } else if (cw && cJSON_IsObject(cw)) {
        F->class_weights_map = cJSON_Duplicate(cw, 1);
        if (!F->class_weights_map)
            return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    }
    return LC_OK;
}

static lc_status output_typed(cfg_ctx *x, const lc_ynode *yf, const cJSON *feat, lc_feature *F)
{
    const cJSON *dec = jget(feat, "decoder");
    char what[160];
    snprintf(what, sizeof what, "output feature '%s': decoder", F->name);
    lc_status st = fc_stack_spec(x, ynode_at(yf, "decoder", NULL), dec, &SK_DECODER, what,
                                 &F->dec.fc);
    if (st)
        return st;
    F->dec.name = F->name;
    F->dec.use_bias = jbool(dec, "use_bias", 1);
    if (parse_init(jstr(dec, "weights_initializer"), &F->dec.w_init))
        return cerr(x, NULL, "decoder.weights_initializer '%s' is not supported by ludwig-c yet", jstr(dec, "weights_initializer"), NULL);
    if (parse_init(jstr(dec, "bias_initializer"), &F->dec.b_init))
        return cerr(x, NULL, "decoder.bias_initializer '%s' is not supported by ludwig-c yet", jstr(dec, "bias_initializer"), NULL);
    F->dec.type = F->type == LC_FT_CATEGORY ? LC_HEAD_CATEGORY
                  : F->type == LC_FT_BINARY ? LC_HEAD_BINARY
                  : F->type == LC_FT_SET    ? LC_HEAD_SET
                  : F->type == LC_FT_VECTOR || F->type == LC_FT_TIMESERIES ? LC_HEAD_VECTOR
                                            : LC_HEAD_NUMBER;
    if (F->type == LC_FT_TIMESERIES) {
        const cJSON *pre = jget(feat, "preprocessing");
        const char *tok = jstr(pre, "tokenizer");
        F->ts_sep = tok && strcmp(tok, "comma") == 0 ? ',' : tok && strcmp(tok, "underscore") == 0 ? '_' : ' ';
        F->ts_limit = (int)jnum(pre, "timeseries_length_limit", 256);
        F->ts_padding_value = jnull(pre, "padding_value") ? 0.0f : (float)jnum(pre, "padding_value", 0);
        F->ts_pad_left = jstr(pre, "padding") && strcmp(jstr(pre, "padding"), "left") == 0;
        F->ts_horizon = (int)jnum(pre, "horizon", 0);
    }
    if (F->type == LC_FT_VECTOR || F->type == LC_FT_TIMESERIES) {
        /* the projector: a linear layer (activation, multiplier and clip not built yet) */
        const char *act = jstr(dec, "activation");
        if (act || jnum(dec, "multiplier", 1.0) != 1.0 || !jnull(dec, "clip"))
            return cerr(x, ynode_at(yf, "decoder", NULL),
                        "output feature '%s': the projector's activation, multiplier and clip are not supported by ludwig-c yet",
                        F->name, NULL);
        if (jbool(feat, "softmax", 0))
            return cerr(x, yf, "output feature '%s': softmax: true is not supported by ludwig-c yet", F->name, NULL);
    }
    if (F->type == LC_FT_SET) {
        /* the labels' tokenizer (space by default) */
        static const char *const toks[] = {"space_punct", "space", "underscore", "comma",
                                           "characters", "untokenized", "stripped", "ngram"};
        const char *tok = jstr(jget(feat, "preprocessing"), "tokenizer");
        F->tx_tokenizer = 1;
        for (int k = 0; k < 8; k++)
            if (tok && strcmp(tok, toks[k]) == 0)
                F->tx_tokenizer = k;
        if (!(F->tx_pad_symbol = lc_strdup("<PAD>")) || !(F->tx_unk_symbol = lc_strdup("<UNK>")))
            return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    }
    F->threshold = jnum(feat, "threshold", 0.5);
    const cJSON *clip = jget(feat, "clip");
    if (clip && cJSON_IsArray(clip)) {
        if (cJSON_GetArraySize(clip) != 2)
            return cerr(x, NULL, "output feature '%s': clip must be [min, max]", F->name, NULL);
        F->has_clip = 1;
        F->clip[0] = cJSON_GetArrayItem(clip, 0)->valuedouble;
        F->clip[1] = cJSON_GetArrayItem(clip, 1)->valuedouble;
        if (!(F->clip[0] <= F->clip[1]))
            return cerr(x, NULL, "output feature '%s': clip [min, max] needs min <= max", F->name, NULL);
    }
    return loss_typed(x, feat, F);
}

/* The typed settings of one feature from its filled JSON. */
static lc_status feature_typed(cfg_ctx *x, const lc_ynode *yf, const cJSON *feat, int is_output,
                               lc_feature *F)
{
    ftype_parse(jstr(feat, "type"), &F->type);
    F->is_output = is_output;
    F->json = feat;
    F->name = lc_strdup(jstr(feat, "name"));
    F->column = lc_strdup(jstr(feat, "column"));
    if (!F->name || !F->column)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    F->enc.name = F->name;
    const cJSON *pre = jget(feat, "preprocessing");
    const char *mvs = jstr(pre, "missing_value_strategy");
    if (missing_parse(mvs, &F->missing) || !missing_allowed(F->type, F->missing))
        return cerr(x, yf, "%s: preprocessing.missing_value_strategy '%s' is not one Ludwig allows for this feature type",
                    F->name, mvs ? mvs : "?");
    const cJSON *fv = jget(pre, "fill_value");
    if (fv && cJSON_IsString(fv))
        F->fill_value = lc_strdup(fv->valuestring);
    else if (fv && (cJSON_IsNumber(fv) || cJSON_IsRaw(fv) || cJSON_IsBool(fv)))
        F->fill_value = cJSON_PrintUnformatted(fv);
    F->most_common = (int)jnum(pre, "most_common", 10000);
    F->lowercase = jbool(pre, "lowercase", 0);
    F->top_k = (int)jnum(feat, "top_k", 3);
    F->vec_size = jnull(pre, "vector_size") ? 0 : (int)jnum(pre, "vector_size", 0);
    F->dec.calibration = jbool(feat, "calibration", 0);
    F->outlier_strategy = -1;
    F->outlier_threshold = jnum(pre, "outlier_threshold", 3.0);
    const char *os = jstr(pre, "outlier_strategy");
    lc_missing om;
    if (os && !missing_parse(os, &om))
        F->outlier_strategy = (int)om;
    const char *nz = jstr(pre, "normalization");
    F->normalization = !nz                             ? LC_NUMNORM_NONE
                       : strcmp(nz, "zscore") == 0     ? LC_NUMNORM_ZSCORE
                       : strcmp(nz, "minmax") == 0     ? LC_NUMNORM_MINMAX
                       : strcmp(nz, "log1p") == 0      ? LC_NUMNORM_LOG1P
                       : strcmp(nz, "iq") == 0         ? LC_NUMNORM_IQ
                                                       : LC_NUMNORM_NONE;
    const char *ftl = jstr(pre, "fallback_true_label");
    if (ftl && !(F->fallback_true_label = lc_strdup(ftl)))
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    if (is_output)
        return output_typed(x, yf, feat, F);
    if (F->type == LC_FT_IMAGE)
        return image_typed(x, yf, feat, F);
    if (F->type == LC_FT_TIMESERIES)
        return timeseries_typed(x, yf, feat, F);
    if (F->type == LC_FT_TEXT)
        return text_typed(x, yf, feat, F);
    if (F->type == LC_FT_SET || F->type == LC_FT_BAG)
        return set_typed(x, yf, feat, F);
    if (F->type == LC_FT_DATE)
        return date_typed(x, yf, feat, F);
    return tab_encoder_typed(x, yf, feat, F);
}

static lc_status combiner_typed(cfg_ctx *x, const cJSON *comb, const lc_ynode *ycomb)
{
    return fc_stack_spec(x, ycomb, comb, &SK_PLAIN, "combiner", &x->c->comb);
}

/* Ludwig 0.10.3's feature types, each with a `defaults.<type>` entry (ludwig/schema/defaults/
 * ecd.py); `output` when the type can be an output feature and so has a decoder and a loss. */
static const struct {
    const char *type;
    int output;
} ludwig_types[] = {{"audio", 0}, {"bag", 0},      {"binary", 1},   {"category", 1}, {"date", 0},
                    {"h3", 0},    {"image", 1},    {"number", 1},   {"sequence", 1}, {"set", 1},
                    {"text", 1},  {"timeseries", 1}, {"vector", 1}};
#define N_LUDWIG_TYPES (sizeof ludwig_types / sizeof *ludwig_types)

/* The preprocessing section of `defaults.<type>` for a type ludwig-c builds (NULL for the others:
 * audio, h3, sequence). */
static const lc_section *defaults_pre_section(const char *type)
{
    if (strcmp(type, "image") == 0)
        return &lc_sec_image_pre;
    if (strcmp(type, "category") == 0)
        return &lc_sec_category_in_pre;
    if (strcmp(type, "timeseries") == 0) /* rendered without cache_encoder_embeddings */
        return &lc_sec_timeseries_dft_pre;
    const lc_section *f = lc_tab_feature_section(type, 0);
    for (const lc_key *k = f ? f->keys : NULL; k && k->name; k++)
        if (strcmp(k->name, "preprocessing") == 0)
            return k->sub;
    return NULL;
}

/* the `type` a part of defaults names: `encoder: x` or `encoder: {type: x}` (NULL when none) */
static const char *part_type_named(const lc_ynode *y)
{
    if (y && y->kind == LC_YSCALAR && !lc_yscalar_is_null(y))
        return y->str;
    const lc_ynode *t = y && y->kind == LC_YMAP ? lc_ymap_get(y, "type") : NULL;
    return t && t->kind == LC_YSCALAR && !lc_yscalar_is_null(t) ? t->str : NULL;
}

/* 1 when ludwig-c has the tables of part (encoder, decoder, loss) of a feature of type whose
 * defaults name `named` (NULL: the type's default) */
static int tab_part_built(lc_tab_part part, const char *type, const char *named)
{
    const char *dflt = lc_tab_part_default(part, type);
    return dflt && lc_tab_part_section(part, type, named ? named : dflt) != NULL;
}

/* One part (encoder, decoder, loss) of defaults.<type>: validated by its own type when ludwig-c
 * builds it; kept as written otherwise (audio, a text generator decoder, an image resnet...),
 * for a feature that inherits it is refused where that feature is read. */
static lc_status defaults_part(cfg_ctx *x, const char *type, const char *key, const lc_ynode *y,
                               const char *path, cJSON **out)
{
    static const lc_key free_key = {"", T_MAP | T_STR | T_NULL, NULL, 0, 0, NULL, NULL, 0, NULL};
    const char *named = part_type_named(y);
    if (strcmp(type, "image") == 0) {
        if (strcmp(key, "encoder") == 0 && (!named || strcmp(named, "stacked_cnn") == 0) &&
            y->kind == LC_YMAP)
            return lc_schema_fill(&x->s, &lc_sec_stacked_cnn, y, path, NULL, 0, out);
        return lc_schema_value(&x->s, &free_key, y, path, out);
    }
    lc_tab_part part = strcmp(key, "encoder") == 0   ? LC_TAB_ENCODER
                       : strcmp(key, "decoder") == 0 ? LC_TAB_DECODER
                                                     : LC_TAB_LOSS;
    if (tab_part_built(part, type, named))
        return lc_tab_part_fill(&x->s, part, type, y, path, NULL, 0, out);
    return lc_schema_value(&x->s, &free_key, y, path, out);
}

/* The user's `defaults:` section, validated and unfilled: one mapping per Ludwig feature type
 * with its preprocessing, encoder, decoder and loss (image also augmentation). A saved model's
 * model_hyperparameters.json holds every type's, including types ludwig-c does not build. */
static lc_status defaults_read(cfg_ctx *x, const lc_ynode *ydef, cJSON **out)
{
    *out = NULL;
    if (lc_yscalar_is_null(ydef))
        return LC_OK;
    if (ydef->kind != LC_YMAP)
        return cerr(x, ydef, "defaults: expected a mapping of feature types (e.g. text:, category:)", NULL, NULL);
    cJSON *defs = cJSON_CreateObject();
    if (!defs)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory reading the config");
    lc_status st = LC_OK;
    for (size_t i = 0; i < ydef->n && !st; i++) {
        const lc_yentry *en = &ydef->entries[i];
        size_t t = 0;
        while (t < N_LUDWIG_TYPES && strcmp(ludwig_types[t].type, en->key) != 0)
            t++;
        if (t == N_LUDWIG_TYPES) {
            const char *words[N_LUDWIG_TYPES];
            for (size_t k = 0; k < N_LUDWIG_TYPES; k++)
                words[k] = ludwig_types[k].type;
            const char *near = lc_nearest_word(words, (int)N_LUDWIG_TYPES, en->key);
            st = lc_error_set(x->s.e, LC_ERR_CONFIG, "%s:%d:%d: defaults.%s: '%s' is not a Ludwig feature type%s%s%s",
                              x->s.file, en->line, en->col, en->key, en->key,
                              near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
            break;
        }
        const lc_ynode *y = en->value;
        if (lc_yscalar_is_null(y))
            continue;
        if (y->kind != LC_YMAP) {
            st = cerr(x, y, "defaults.%s: expected a mapping (preprocessing, encoder%s)", en->key,
                      ludwig_types[t].output ? ", decoder, loss" : "");
            break;
        }
        cJSON *tobj = cJSON_AddObjectToObject(defs, en->key);
        if (!tobj) {
            st = lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory reading the config");
            break;
        }
        for (size_t j = 0; j < y->n && !st; j++) {
            const lc_yentry *pe = &y->entries[j];
            char path[96];
            snprintf(path, sizeof path, "defaults.%s.%s", en->key, pe->key);
            cJSON *v = NULL;
            int is_pre = strcmp(pe->key, "preprocessing") == 0;
            int is_enc = strcmp(pe->key, "encoder") == 0;
            int is_out = strcmp(pe->key, "decoder") == 0 || strcmp(pe->key, "loss") == 0;
            int is_aug = strcmp(pe->key, "augmentation") == 0 && strcmp(en->key, "image") == 0;
            if (is_pre) {
                static const lc_key free_map = {"", T_MAP | T_NULL, NULL, 0, 0, NULL, NULL, 0, NULL};
                const lc_section *pre = defaults_pre_section(en->key);
                st = pre && pe->value->kind == LC_YMAP
                         ? lc_schema_fill(&x->s, pre, pe->value, path, NULL, 0, &v)
                         : lc_schema_value(&x->s, &free_map, pe->value, path, &v);
            } else if (is_enc || (is_out && ludwig_types[t].output)) {
                st = defaults_part(x, en->key, pe->key, pe->value, path, &v);
            } else if (is_aug) {
                static const lc_key aug = {"augmentation", T_BOOL | T_MAPLIST, NULL, 0, 0, NULL, NULL, 0, NULL};
                st = lc_schema_value(&x->s, &aug, pe->value, path, &v);
            } else {
                st = lc_error_set(x->s.e, LC_ERR_CONFIG, "%s:%d:%d: defaults.%s: unknown key '%s' (a %s feature's defaults take preprocessing, encoder%s%s)",
                                  x->s.file, pe->line, pe->col, en->key, pe->key, en->key,
                                  ludwig_types[t].output ? ", decoder, loss" : "",
                                  strcmp(en->key, "image") == 0 ? ", augmentation" : "");
            }
            if (!st)
                cJSON_AddItemToObject(tobj, pe->key, v);
        }
    }
    if (st)
        cJSON_Delete(defs);
    else
        *out = defs;
    return st;
}

/* defaults.image as Ludwig saves it (its encoder stacked_cnn unless the user names another) */
static lc_status image_defaults_full(cfg_ctx *x, cJSON *img)
{
    lc_status st;
    cJSON *v;
    const cJSON *ui = jget(x->defaults, "image");
    if ((st = lc_schema_fill(&x->s, &lc_sec_image_pre, NULL, "defaults.image.preprocessing",
                             jget(ui, "preprocessing"), 1, &v)))
        return st;
    cJSON_AddItemToObject(img, "preprocessing", v);
    const cJSON *uenc = jget(ui, "encoder");
    if (uenc && jstr(uenc, "type") && strcmp(jstr(uenc, "type"), "stacked_cnn") != 0)
        v = cJSON_Duplicate(uenc, 1);
    else if ((st = lc_schema_fill(&x->s, &lc_sec_stacked_cnn, NULL, "defaults.image.encoder",
                                  uenc, 1, &v)))
        return st;
    cJSON_AddItemToObject(img, "encoder", v);
    /* as Ludwig's ImageDefaultsConfig holds it (true: the default list); each image input without
     * its own augmentation took it when the defaults were merged into the features */
    const cJSON *uaug = jget(ui, "augmentation");
    cJSON *aug = uaug ? cJSON_Duplicate(uaug, 1) : cJSON_CreateArray();
    if (!aug)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    cJSON_AddItemToObject(img, "augmentation", aug);
    if ((st = augmentation_full(x, ynode_at(ynode_at(x->root, "defaults", NULL), "image", NULL), img,
                                "defaults.image")))
        return st;
    static const char *const out_parts[] = {"decoder", "loss"}; /* image outputs: as written */
    for (size_t i = 0; i < sizeof out_parts / sizeof *out_parts; i++)
        if (jget(ui, out_parts[i]))
            cJSON_AddItemToObject(img, out_parts[i], cJSON_Duplicate(jget(ui, out_parts[i]), 1));
    return LC_OK;
}

/* The `defaults` section as Ludwig saves it: for each type ludwig-c builds, the schema defaults
 * updated by the user's `defaults.<type>`; a part ludwig-c does not build (a type's decoder it has
 * no tables for, the other types) is saved as the user wrote it. */
static lc_status defaults_full(cfg_ctx *x, cJSON *defs)
{
    lc_status st;
    cJSON *v;
    for (size_t i = 0; i < N_LUDWIG_TYPES; i++) {
        const char *type = ludwig_types[i].type;
        const cJSON *u = jget(x->defaults, type);
        const lc_section *pre = defaults_pre_section(type);
        if (strcmp(type, "image") == 0) {
            cJSON *img = cJSON_AddObjectToObject(defs, "image");
            if (!img)
                return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
            if ((st = image_defaults_full(x, img)))
                return st;
            continue;
        }
        if (!pre) { /* a type ludwig-c does not build: as written */
            if (u)
                cJSON_AddItemToObject(defs, type, cJSON_Duplicate(u, 1));
            continue;
        }
        char path[64];
        cJSON *t = cJSON_AddObjectToObject(defs, type);
        snprintf(path, sizeof path, "defaults.%s.preprocessing", type);
        if ((st = lc_schema_fill(&x->s, pre, NULL, path, jget(u, "preprocessing"), 1, &v)))
            return st;
        lc_tab_tag_numbers(pre, v, NULL, jget(u, "preprocessing"));
        cJSON_AddItemToObject(t, "preprocessing", v);
        for (int part = LC_TAB_ENCODER; part <= LC_TAB_LOSS; part++) {
            const char *key = lc_tab_part_key((lc_tab_part)part);
            const cJSON *up = jget(u, key);
            if (!tab_part_built((lc_tab_part)part, type, jstr(up, "type"))) {
                if (up)
                    cJSON_AddItemToObject(t, key, cJSON_Duplicate(up, 1));
                continue;
            }
            snprintf(path, sizeof path, "defaults.%s.%s", type, key);
            if ((st = lc_tab_part_fill(&x->s, (lc_tab_part)part, type, NULL, path, up, 1, &v)))
                return st;
            cJSON_AddItemToObject(t, key, v);
        }
    }
    return LC_OK;
}

static const char *name_at(const void *ctx, size_t i)
{
    return ((const char *const *)ctx)[i];
}

/* Feature names are unique across inputs and outputs (Ludwig keys modules by name), checked
 * through a hashed index (a pairwise check of 10,000 features took minutes). When rendering, an
 * input and an output may both be the empty placeholder name, as Ludwig, which checks inputs and
 * outputs separately, allows. */
static lc_status unique_names(cfg_ctx *x, const cJSON *ins, const cJSON *outs, const lc_ynode *yin,
                              const lc_ynode *yout)
{
    size_t nin = yin->n, nf = yin->n + yout->n;
    const char **names = malloc((nf ? nf : 1) * sizeof *names);
    if (!names)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    size_t i = 0;
    for (const cJSON *f = ins->child; f && i < nin; f = f->next)
        names[i++] = jstr(f, "name");
    for (const cJSON *f = outs->child; f && i < nf; f = f->next)
        names[i++] = jstr(f, "name");
    lc_strtab t;
    lc_strtab_init(&t, name_at, names);
    int empty_seen[2] = {0, 0};
    lc_status st = LC_OK;
    for (i = 0; i < nf && !st; i++) {
        int is_in = i < nin, dup = 0;
        size_t prev = 0;
        if ((x->flags & LC_CONFIG_RENDER) && !*names[i])
            dup = empty_seen[is_in]++ > 0; /* one placeholder on each side */
        else if ((dup = lc_strtab_add(&t, i, &prev)) < 0)
            st = lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
        if (dup > 0) {
            const lc_ynode *at = is_in ? yin->items[i] : yout->items[i - nin];
            char where[64];
            snprintf(where, sizeof where, "%s[%zu]", is_in ? "input_features" : "output_features",
                     is_in ? i : i - nin);
            st = cerr(x, at, "%s: the name '%s' is already used by another feature; feature names must be unique", where, names[i]);
        }
    }
    lc_strtab_free(&t);
    free(names);
    return st;
}

static lc_status build(cfg_ctx *x)
{
    const lc_ynode *root = x->root;
    lc_config *c = x->c;
    lc_status st;
    if (root->kind != LC_YMAP)
        return cerr(x, root, "the config must be a mapping with input_features and output_features", NULL, NULL);
    /* the model type first: an LLM or GBM config fails on that, not on its other keys */
    const lc_ynode *mt = lc_ymap_get(root, "model_type");
    if (mt && (mt->kind != LC_YSCALAR || strcmp(mt->str, "ecd") != 0)) {
        const char *v = mt->kind == LC_YSCALAR ? mt->str : "";
        if (strcmp(v, "gbm") == 0)
            return cerr(x, mt, "model_type: gbm (LightGBM trees) is not supported by ludwig-c; remove model_type to train Ludwig's default ecd neural network on the same features", NULL, NULL);
        if (strcmp(v, "llm") == 0)
            return cerr(x, mt, "model_type: llm (fine-tuning a pretrained language model) is not supported by ludwig-c", NULL, NULL);
        return cerr(x, mt, "model_type: '%s' is not a Ludwig model type (ecd, gbm, llm); ludwig-c trains ecd", v, NULL);
    }
    static const char *const llm_keys[] = {"base_model", "adapter", "prompt", "quantization",
                                           "generation"};
    for (size_t i = 0; i < sizeof llm_keys / sizeof *llm_keys; i++)
        if (lc_ymap_get(root, llm_keys[i]))
            return cerr(x, lc_ymap_get(root, llm_keys[i]), "%s: a key of model_type: llm configs, which ludwig-c does not support (it trains model_type: ecd)", llm_keys[i], NULL);
    /* backend: a type name or {type: ...} (Ludwig turns the first into the second) */
    const lc_ynode *be = lc_ymap_get(root, "backend");
    if (be && !lc_yscalar_is_null(be)) {
        const lc_ynode *bt = be->kind == LC_YMAP ? lc_ymap_get(be, "type") : be;
        const char *name = bt && bt->kind == LC_YSCALAR ? bt->str : NULL;
        if (!name)
            return cerr(x, be, "backend: needs a type (local or horovod)", NULL, NULL);
        if (strcmp(name, "ray") == 0 || strcmp(name, "dask") == 0 || strcmp(name, "deepspeed") == 0)
            return cerr(x, bt, "backend: type '%s' is not supported by ludwig-c; to train across processes or nodes use type: horovod and start ludwig-c with mpirun -np N (one process: type local and --threads)", name, NULL);
        if (strcmp(name, "local") != 0 && strcmp(name, "horovod") != 0)
            return cerr(x, bt, "backend: unknown type '%s' (ludwig-c runs local and horovod)", name, NULL);
        c->backend = strcmp(name, "horovod") == 0 ? LC_BACKEND_HOROVOD : LC_BACKEND_LOCAL;
        for (size_t i = 0; be->kind == LC_YMAP && i < be->n; i++)
            if (strcmp(be->entries[i].key, "type") != 0)
                return cerr(x, be, "backend.%s: ludwig-c's backends take no settings (only type)", be->entries[i].key, NULL);
    }
    /* unknown top-level keys, with suggestions */
    for (size_t i = 0; i < root->n; i++) {
        const lc_yentry *en = &root->entries[i];
        int known = 0;
        for (const lc_key *k = lc_sec_top.keys; k->name; k++)
            known |= strcmp(k->name, en->key) == 0;
        if (!known) {
            const char *near = lc_schema_nearest(&lc_sec_top, en->key);
            return lc_error_set(x->s.e, LC_ERR_CONFIG, "%s:%d:%d: unknown top-level key '%s'%s%s%s",
                                x->s.file, en->line, en->col, en->key,
                                near ? "; did you mean '" : "", near ? near : "",
                                near ? "'?" : "");
        }
    }
    const lc_ynode *ydef = lc_ymap_get(root, "defaults");
    if (ydef && (st = defaults_read(x, ydef, &x->defaults)))
        return st;
    const lc_ynode *yin = lc_ymap_get(root, "input_features");
    const lc_ynode *yout = lc_ymap_get(root, "output_features");
    if (!yin || yin->kind != LC_YSEQ || yin->n == 0)
        return cerr(x, yin ? yin : root, "input_features: the config needs a non-empty list of input features", NULL, NULL);
    if (!yout || yout->kind != LC_YSEQ || yout->n == 0)
        return cerr(x, yout ? yout : root, "output_features: the config needs a non-empty list of output features (e.g. - name: label, type: category)", NULL, NULL);
    const lc_ynode *ycomb = lc_ymap_get(root, "combiner");
    const lc_ynode *yflat = ycomb && ycomb->kind == LC_YMAP ? lc_ymap_get(ycomb, "flatten_inputs") : NULL;
    int flat = 0; /* read before the combiner is filled: the features' reductions depend on it */
    x->flatten = yflat && yflat->kind == LC_YSCALAR && yflat->plain &&
                 lc_schema_yaml_bool(yflat->str, &flat) && flat;
    cJSON *full = cJSON_CreateObject();
    c->full = full;
    cJSON *sec = NULL;
    cJSON *ins = cJSON_AddArrayToObject(full, "input_features");
    for (size_t i = 0; i < yin->n; i++) {
        cJSON *f = NULL;
        if ((st = input_feature(x, yin->items[i], (int)i, &f)))
            return st;
        cJSON_AddItemToArray(ins, f);
    }
    cJSON *outs = cJSON_AddArrayToObject(full, "output_features");
    for (size_t i = 0; i < yout->n; i++) {
        cJSON *f = NULL;
        if ((st = output_feature(x, yout->items[i], (int)i, &f)))
            return st;
        cJSON_AddItemToArray(outs, f);
    }
    /* feature names are unique across inputs and outputs (Ludwig keys modules by name); when
     * rendering, an input and an output may both be the empty placeholder name, as Ludwig, which
     * checks inputs and outputs separately, allows */
    if ((st = unique_names(x, ins, outs, yin, yout)))
        return st;
    if ((st = lc_schema_fill(&x->s, &lc_sec_combiner, lc_ymap_get(root, "combiner"), "combiner",
                             NULL, 1, &sec)))
        return st;
    cJSON_AddItemToObject(full, "combiner", sec);
    if ((st = combiner_typed(x, sec, lc_ymap_get(root, "combiner"))))
        return st;
    const lc_ynode *ytr = lc_ymap_get(root, "trainer");
    if (ytr && lc_ymap_get(root, "training"))
        return cerr(x, lc_ymap_get(root, "training"), "give 'trainer' or its legacy name 'training', not both", NULL, NULL);
    if (!ytr)
        ytr = lc_ymap_get(root, "training");
    if ((st = lc_schema_fill(&x->s, &lc_sec_trainer, ytr, "trainer", NULL, 1, &sec)))
        return st;
    cJSON_AddItemToObject(full, "trainer", sec);
    if ((st = trainer_typed(x, sec, ytr)))
        return st;
    const lc_ynode *ypre = lc_ymap_get(root, "preprocessing");
    if ((st = lc_schema_fill(&x->s, &lc_sec_preprocessing, ypre, "preprocessing", NULL, 1, &sec)))
        return st;
    cJSON_AddItemToObject(full, "preprocessing", sec);
    if ((st = split_typed(x, sec, ypre)))
        return st;
    /* the defaults section as Ludwig saves it: schema defaults updated by the user's, per type */
    cJSON *defs = cJSON_AddObjectToObject(full, "defaults");
    if ((st = defaults_full(x, defs)))
        return st;
    if (be && !lc_yscalar_is_null(be)) {
        cJSON *b = cJSON_AddObjectToObject(full, "backend");
        cJSON_AddStringToObject(b, "type", c->backend == LC_BACKEND_HOROVOD ? "horovod" : "local");
    } else {
        cJSON_AddNullToObject(full, "backend");
    }
    cJSON_AddNullToObject(full, "hyperopt");
    cJSON_AddStringToObject(full, "ludwig_version", "0.10.3");
    cJSON_AddStringToObject(full, "model_type", "ecd");
    /* typed features */
    c->nin = (int)yin->n;
    c->nout = (int)yout->n;
    c->in = calloc(yin->n, sizeof *c->in);
    c->out = calloc(yout->n, sizeof *c->out);
    if (!c->in || !c->out)
        return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < c->nin; i++)
        if ((st = feature_typed(x, yin->items[i], cJSON_GetArrayItem(ins, i), 0, &c->in[i])))
            return st;
    for (int i = 0; i < c->nout; i++)
        if ((st = feature_typed(x, yout->items[i], cJSON_GetArrayItem(outs, i), 1, &c->out[i])))
            return st;
    return LC_OK;
}

const lc_feature *lc_config_feature(const lc_config *c, const char *name)
{
    for (int i = 0; i < c->nin; i++)
        if (strcmp(c->in[i].name, name) == 0)
            return &c->in[i];
    for (int i = 0; i < c->nout; i++)
        if (strcmp(c->out[i].name, name) == 0)
            return &c->out[i];
    return NULL;
}

static void feature_free(lc_feature *f)
{
    free(f->name);
    free(f->column);
    free(f->fill_value);
    free(f->tv_cache_dir);
    free(f->fallback_true_label);
    free(f->tx_pad_symbol);
    free(f->tx_vocab_file);
    free(f->date_format);
    free(f->tx_pretrained);
    free(f->tx_unk_symbol);
    free(f->enc.conv);
    free(f->enc.fc.layers);
    free(f->dec.fc.layers);
    free(f->class_weights);
    cJSON_Delete(f->class_weights_map);
}

void lc_config_free(lc_config *c)
{
    if (!c)
        return;
    free(c->path);
    cJSON_Delete(c->full);
    for (int i = 0; c->in && i < c->nin; i++)
        feature_free(&c->in[i]);
    for (int i = 0; c->out && i < c->nout; i++)
        feature_free(&c->out[i]);
    free(c->in);
    free(c->out);
    free(c->comb.layers);
    free(c->validation_field);
    free(c->validation_metric);
    free(c->reduce_eval_metric);
    free(c->reduce_eval_split);
    free(c->split_column);
    free(c);
}

lc_status lc_config_from_tree(lc_ynode *root, const char *path,
                             void (*note)(void *, const char *), void *note_arg, lc_config **out,
                             lc_error *e)
{
    return lc_config_from_tree_flags(root, path, 0, note, note_arg, out, e);
}

lc_status lc_config_from_tree_flags(lc_ynode *root, const char *path, unsigned flags,
                                   void (*note)(void *, const char *), void *note_arg,
                                   lc_config **out, lc_error *e)
{
    *out = NULL;
    lc_config *c = calloc(1, sizeof *c);
    if (!c)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    cfg_ctx x = {.s = {.file = path, .e = e, .note = note, .note_arg = note_arg},
                 .c = c,
                 .root = root,
                 .flags = flags};
    c->path = lc_strdup(path);
    lc_status st = c->path ? lc_config_upgrade(root, path, note, note_arg, e)
                           : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    if (!st)
        st = build(&x);
    cJSON_Delete(x.defaults);
    if (st) {
        lc_config_free(c);
        return st;
    }
    *out = c;
    return LC_OK;
}

lc_status lc_config_load_flags(const char *path, unsigned flags, lc_config **out,
                               void (*note)(void *, const char *), void *note_arg, lc_error *e)
{
    *out = NULL;
    lc_ynode *root = NULL;
    lc_status st = lc_yaml_load(path, &root, e);
    if (!st)
        st = lc_config_from_tree_flags(root, path, flags, note, note_arg, out, e);
    lc_ynode_free(root);
    return st;
}

lc_status lc_config_load(const char *path, lc_config **out, void (*note)(void *, const char *),
                         void *note_arg, lc_error *e)
{
    return lc_config_load_flags(path, 0, out, note, note_arg, e);
}
