/* config.c - loads a Ludwig YAML config: validates it against the schema tables, fills Ludwig
 * 0.10.3's defaults (the `full` JSON) and extracts the typed settings the trainer and model use.
 * Feature types and sections ludwig-c does not implement are refused by name. */
#include "lc_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_config_schema.h"
#include "lc_mem.h"
#include "lc_yaml.h"

typedef struct cfg_ctx {
    lc_schema_ctx s;
    lc_config *c;
    const lc_ynode *root;
    cJSON *defaults; /* user `defaults:` section, validated, unfilled */
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

static lc_status fc_layer_spec(cfg_ctx *x, const lc_ynode *at, const cJSON *enc,
                               const cJSON *layer, const char *where, lc_fc_spec *fs)
{
    memset(fs, 0, sizeof *fs);
    fs->out = (int)(jhas(layer, "output_size") ? jnum(layer, "output_size", 1)
                                               : jnum(enc, "output_size", 128));
    fs->use_bias = jhas(layer, "use_bias") ? jbool(layer, "use_bias", 1)
                                           : jbool(enc, "fc_use_bias", 1);
    const char *wi = jhas(layer, "weights_initializer") ? jstr(layer, "weights_initializer")
                                                        : jstr(enc, "fc_weights_initializer");
    const char *bi = jhas(layer, "bias_initializer") ? jstr(layer, "bias_initializer")
                                                     : jstr(enc, "fc_bias_initializer");
    if (parse_init(wi, &fs->w_init))
        return cerr(x, at, "%s: weights_initializer '%s' is not supported by ludwig-c yet", where, wi);
    if (parse_init(bi, &fs->b_init))
        return cerr(x, at, "%s: bias_initializer '%s' is not supported by ludwig-c yet", where, bi);
    const char *norm = jhas(layer, "norm") ? jstr(layer, "norm") : jstr(enc, "fc_norm");
    const cJSON *np = jhas(layer, "norm_params") ? jget(layer, "norm_params")
                                                 : jget(enc, "fc_norm_params");
    lc_status st = norm_spec(x, at, norm, np, where, &fs->norm);
    if (st)
        return st;
    const char *act = jhas(layer, "activation") ? jstr(layer, "activation")
                                                : jstr(enc, "fc_activation");
    if (parse_act(act, &fs->act))
        return cerr(x, at, "%s: activation '%s' is not supported inside the network by ludwig-c", where, act);
    fs->dropout = (float)(jhas(layer, "dropout") ? jnum(layer, "dropout", 0)
                                                 : jnum(enc, "fc_dropout", 0));
    if (fs->dropout >= 1.0f)
        return cerr(x, at, "%s: dropout must be below 1", where, NULL);
    return LC_OK;
}

static lc_status encoder_spec(cfg_ctx *x, const lc_ynode *yenc, const cJSON *enc)
{
    lc_model_spec *sp = &x->c->spec;
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
    if (!jnull(enc, "fc_norm") || jnum(enc, "fc_dropout", 0) > 0)
        return cerr(x, ynode_at(yenc, jnull(enc, "fc_norm") ? "fc_dropout" : "fc_norm", NULL),
                    "encoder: encoder-level fc_norm/fc_dropout (which Ludwig also applies to the flattened conv output) are not supported by ludwig-c yet; set dropout/norm per entry of fc_layers", NULL, NULL);
    const cJSON *fl = jget(enc, "fc_layers");
    const lc_ynode *at = ynode_at(yenc, "fc_layers", NULL);
    if (fl && cJSON_IsArray(fl)) {
        sp->nfc = cJSON_GetArraySize(fl);
    } else {
        sp->nfc = (int)jnum(enc, "num_fc_layers", 1);
        fl = NULL;
    }
    if (sp->nfc > 0) {
        sp->fc = calloc((size_t)sp->nfc, sizeof *sp->fc);
        if (!sp->fc)
            return lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < sp->nfc; i++) {
        char where[64];
        snprintf(where, sizeof where, "fc_layers[%d]", i);
        st = fc_layer_spec(x, at, enc, fl ? cJSON_GetArrayItem(fl, i) : NULL, where, &sp->fc[i]);
        if (st)
            return st;
    }
    return LC_OK;
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

static lc_status input_feature(cfg_ctx *x, const lc_ynode *f, int idx, cJSON **out)
{
    char path[64];
    snprintf(path, sizeof path, "input_features[%d]", idx);
    *out = NULL;
    if (f->kind != LC_YMAP)
        return cerr(x, f, "%s: expected a mapping with name and type", path, NULL);
    const lc_ynode *name = lc_ymap_get(f, "name"), *type = lc_ymap_get(f, "type");
    if (!name || name->kind != LC_YSCALAR || !*name->str)
        return cerr(x, f, "%s: every input feature needs a 'name'", path, NULL);
    if (!type || type->kind != LC_YSCALAR)
        return cerr(x, f, "%s: input feature '%s' needs a 'type'", path, name->str);
    if (strcmp(type->str, "image") != 0) {
        lc_error_set(x->s.e, LC_ERR_CONFIG,
                     "%s:%d:%d: %s.type: input feature type '%s' is not supported by ludwig-c yet (supported: image)",
                     x->s.file, type->line, type->col, path, type->str);
        return LC_ERR_CONFIG;
    }
    lc_ynode fv, ev;
    lc_status st = split_legacy_encoder(x, f, &lc_sec_image_feature, &lc_sec_stacked_cnn, &fv,
                                        &ev, path);
    const lc_ynode *yenc = NULL;
    lc_ynode enc_scalar_view;
    cJSON *feat = NULL, *enc = NULL;
    const cJSON *dimg = jget(x->defaults, "image");
    if (st)
        goto done;
    st = lc_schema_fill(&x->s, &lc_sec_image_feature, &fv, path, dimg, 1, &feat);
    if (st)
        goto done;
    yenc = lc_ymap_get(f, "encoder");
    if (yenc && ev.n) {
        st = cerr(x, &ev, "%s: encoder settings are given both under 'encoder' and directly on the feature; move them under 'encoder'", path, NULL);
        goto done;
    }
    if (yenc && yenc->kind == LC_YSCALAR) {
        /* legacy `encoder: stacked_cnn` */
        memset(&enc_scalar_view, 0, sizeof enc_scalar_view);
        enc_scalar_view.kind = LC_YMAP;
        enc_scalar_view.line = yenc->line;
        enc_scalar_view.col = yenc->col;
        lc_yentry te = {"type", yenc->line, yenc->col, (lc_ynode *)yenc};
        enc_scalar_view.entries = &te;
        enc_scalar_view.n = 1;
        yenc = &enc_scalar_view;
        char epath[96];
        snprintf(epath, sizeof epath, "%s.encoder", path);
        st = lc_schema_fill(&x->s, &lc_sec_stacked_cnn, yenc, epath, jget(dimg, "encoder"), 1,
                            &enc);
        yenc = NULL;
    } else {
        if (!yenc)
            yenc = &ev;
        const lc_ynode *et = lc_ymap_get(yenc, "type");
        if (et && et->kind == LC_YSCALAR && strcmp(et->str, "stacked_cnn") != 0) {
            st = lc_error_set(x->s.e, LC_ERR_CONFIG,
                              "%s:%d:%d: %s.encoder.type: image encoder '%s' is not supported by ludwig-c yet (supported: stacked_cnn)",
                              x->s.file, et->line, et->col, path, et->str);
            goto done;
        }
        char epath[96];
        snprintf(epath, sizeof epath, "%s.encoder", path);
        st = lc_schema_fill(&x->s, &lc_sec_stacked_cnn, yenc, epath, jget(dimg, "encoder"), 1,
                            &enc);
    }
    if (st)
        goto done;
    st = encoder_spec(x, yenc ? yenc : f, enc);
    if (st)
        goto done;
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

static lc_status output_feature(cfg_ctx *x, const lc_ynode *f, int idx, cJSON **out)
{
    char path[64];
    snprintf(path, sizeof path, "output_features[%d]", idx);
    *out = NULL;
    if (f->kind != LC_YMAP)
        return cerr(x, f, "%s: expected a mapping with name and type", path, NULL);
    const lc_ynode *name = lc_ymap_get(f, "name"), *type = lc_ymap_get(f, "type");
    if (!name || name->kind != LC_YSCALAR || !*name->str)
        return cerr(x, f, "%s: every output feature needs a 'name'", path, NULL);
    if (!type || type->kind != LC_YSCALAR)
        return cerr(x, f, "%s: output feature '%s' needs a 'type'", path, name->str);
    if (strcmp(type->str, "category") != 0)
        return lc_error_set(x->s.e, LC_ERR_CONFIG,
                            "%s:%d:%d: %s.type: output feature type '%s' is not supported by ludwig-c yet (supported: category)",
                            x->s.file, type->line, type->col, path, type->str);
    const lc_ynode *dec = lc_ymap_get(f, "decoder");
    if (dec && dec->kind == LC_YMAP) {
        const lc_ynode *dt = lc_ymap_get(dec, "type");
        if (dt && dt->kind == LC_YSCALAR && strcmp(dt->str, "classifier") != 0)
            return lc_error_set(x->s.e, LC_ERR_CONFIG,
                                "%s:%d:%d: %s.decoder.type: decoder '%s' is not supported for category outputs (supported: classifier)",
                                x->s.file, dt->line, dt->col, path, dt->str);
    }
    cJSON *feat = NULL;
    lc_status st = lc_schema_fill(&x->s, &lc_sec_category_output, f, path,
                                  jget(x->defaults, "category"), 1, &feat);
    if (st)
        return st;
    if (!jhas(feat, "column"))
        cJSON_AddStringToObject(feat, "column", jstr(feat, "name"));
    *out = feat;
    return LC_OK;
}

static const char *const category_metrics[] = {"accuracy", "accuracy_micro", "hits_at_k", "loss",
                                               "roc_auc"};

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
    }
    o->eps = (float)jnum(opt, "eps", 1e-8);
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

static lc_status trainer_typed(cfg_ctx *x, cJSON *tr, const lc_ynode *ytr, const cJSON *outf)
{
    lc_config *c = x->c;
    c->epochs = (int)jnum(tr, "epochs", 100);
    const cJSON *bs = jget(tr, "batch_size");
    c->batch_size = cJSON_IsNumber(bs) ? (int)bs->valuedouble : 0;
    const cJSON *ebs = jget(tr, "eval_batch_size");
    c->eval_batch_size = cJSON_IsNumber(ebs) ? (int)ebs->valuedouble : 0;
    c->learning_rate = jnum(tr, "learning_rate", 0.001);
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
    /* validation field/metric: Ludwig defaults to the first output feature and its
     * default_validation_metric */
    const char *out_name = jstr(outf, "name");
    const char *vf = jstr(tr, "validation_field"), *vm = jstr(tr, "validation_metric");
    if (!vf && !vm) {
        vf = out_name;
        vm = jstr(outf, "default_validation_metric");
    } else if (!vf) {
        vf = out_name;
    } else if (!vm) {
        vm = strcmp(vf, "combined") == 0 ? "loss" : jstr(outf, "default_validation_metric");
    }
    if (strcmp(vf, "combined") != 0 && strcmp(vf, out_name) != 0)
        return lc_error_set(x->s.e, LC_ERR_CONFIG,
                            "%s: trainer.validation_field: '%s' is neither 'combined' nor an output feature (the output feature is '%s')",
                            x->s.file, vf, out_name);
    int ok = 0;
    if (strcmp(vf, "combined") == 0)
        ok = strcmp(vm, "loss") == 0;
    else
        for (size_t i = 0; i < sizeof category_metrics / sizeof *category_metrics; i++)
            ok |= strcmp(vm, category_metrics[i]) == 0;
    if (!ok) {
        const char *near = lc_nearest_word(category_metrics, 5, vm);
        lc_error_set(x->s.e, LC_ERR_CONFIG,
                     "%s: trainer.validation_metric: '%s' is not a metric of '%s' (choose from: %s)",
                     x->s.file, vm, vf,
                     strcmp(vf, "combined") == 0 ? "loss"
                                                 : "accuracy, accuracy_micro, hits_at_k, loss, roc_auc");
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
    if (strcmp(type, "random") != 0 && strcmp(type, "stratify") != 0)
        return cerr(x, ynode_at(ysp, "type", NULL), "preprocessing.split.type: '%s' splits are not supported by ludwig-c yet (supported: fixed, random, stratify)", type, NULL);
    if (strcmp(type, "stratify") == 0) {
        c->split = LC_SPLIT_STRATIFY;
        if (jnull(sp, "column"))
            return cerr(x, ysp, "preprocessing.split: a stratify split needs 'column' (the category column whose class balance each split keeps)", NULL, NULL);
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

static lc_status image_pre_typed(cfg_ctx *x, const cJSON *feat)
{
    lc_config *c = x->c;
    const cJSON *pre = jget(feat, "preprocessing");
    /* Ludwig forces height/width to be inferred for stacked_cnn; a user value is honoured by
     * ludwig-c (resizing to it) because silently discarding it would surprise the user. */
    c->img_height = jnull(pre, "height") ? 0 : (int)jnum(pre, "height", 0);
    c->img_width = jnull(pre, "width") ? 0 : (int)jnum(pre, "width", 0);
    c->img_channels = jnull(pre, "num_channels") ? 0 : (int)jnum(pre, "num_channels", 0);
    if ((c->img_height == 0) != (c->img_width == 0))
        return cerr(x, NULL, "input feature '%s': preprocessing needs both height and width, or neither", jstr(feat, "name"), NULL);
    c->crop_or_pad = strcmp(jstr(pre, "resize_method"), "crop_or_pad") == 0;
    c->infer_dims = jbool(pre, "infer_image_dimensions", 1);
    c->infer_max_h = (int)jnum(pre, "infer_image_max_height", 256);
    c->infer_max_w = (int)jnum(pre, "infer_image_max_width", 256);
    c->infer_sample = (int)jnum(pre, "infer_image_sample_size", 100);
    c->standardize_imagenet = !jnull(pre, "standardize_image");
    c->requires_equal_dims = jbool(pre, "requires_equal_dimensions", 0);
    const char *mvs = jstr(pre, "missing_value_strategy");
    if (strcmp(mvs, "bfill") != 0 && strcmp(mvs, "ffill") != 0 && strcmp(mvs, "drop_row") != 0)
        return cerr(x, NULL, "input feature image: missing_value_strategy '%s' is not supported for images by ludwig-c (use bfill, ffill or drop_row)", mvs, NULL);
    c->in_name = lc_strdup(jstr(feat, "name"));
    c->in_column = lc_strdup(jstr(feat, "column"));
    return c->in_name && c->in_column ? LC_OK : lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
}

static lc_status output_typed(cfg_ctx *x, const cJSON *feat)
{
    lc_config *c = x->c;
    c->top_k = (int)jnum(feat, "top_k", 3);
    const cJSON *pre = jget(feat, "preprocessing"), *loss = jget(feat, "loss");
    const cJSON *dec = jget(feat, "decoder");
    c->most_common = (int)jnum(pre, "most_common", 10000);
    c->lowercase = jbool(pre, "lowercase", 0);
    const char *mvs = jstr(pre, "missing_value_strategy");
    if (strcmp(mvs, "drop_row") != 0 && strcmp(mvs, "fill_with_const") != 0 &&
        strcmp(mvs, "fill_with_mode") != 0)
        return cerr(x, NULL, "output feature: missing_value_strategy '%s' is not supported for category outputs by ludwig-c (use drop_row, fill_with_const or fill_with_mode)", mvs, NULL);
    c->loss_weight = jnum(loss, "weight", 1.0);
    if (!jnull(loss, "class_weights"))
        return cerr(x, NULL, "output feature '%s': loss.class_weights is not supported by ludwig-c yet", jstr(feat, "name"), NULL);
    c->spec.out_use_bias = jbool(dec, "use_bias", 1);
    if (parse_init(jstr(dec, "weights_initializer"), &c->spec.out_w_init))
        return cerr(x, NULL, "decoder.weights_initializer '%s' is not supported by ludwig-c yet", jstr(dec, "weights_initializer"), NULL);
    if (parse_init(jstr(dec, "bias_initializer"), &c->spec.out_b_init))
        return cerr(x, NULL, "decoder.bias_initializer '%s' is not supported by ludwig-c yet", jstr(dec, "bias_initializer"), NULL);
    c->out_name = lc_strdup(jstr(feat, "name"));
    c->out_column = lc_strdup(jstr(feat, "column"));
    return c->out_name && c->out_column ? LC_OK : lc_error_set(x->s.e, LC_ERR_NOMEM, "out of memory");
}

static lc_status build(cfg_ctx *x)
{
    const lc_ynode *root = x->root;
    lc_config *c = x->c;
    lc_status st;
    if (root->kind != LC_YMAP)
        return cerr(x, root, "the config must be a mapping with input_features and output_features", NULL, NULL);
    /* unknown top-level keys first, with suggestions */
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
    if (ydef && (st = lc_schema_fill(&x->s, &lc_sec_defaults, ydef, "defaults", NULL, 0,
                                     &x->defaults)))
        return st;
    const lc_ynode *yin = lc_ymap_get(root, "input_features");
    const lc_ynode *yout = lc_ymap_get(root, "output_features");
    if (!yin || yin->kind != LC_YSEQ || yin->n == 0)
        return cerr(x, yin ? yin : root, "input_features: the config needs a non-empty list of input features", NULL, NULL);
    if (!yout || yout->kind != LC_YSEQ || yout->n == 0)
        return cerr(x, yout ? yout : root, "output_features: the config needs a non-empty list of output features (e.g. - name: label, type: category)", NULL, NULL);
    if (yin->n > 1)
        return cerr(x, yin->items[1], "input_features: ludwig-c supports one input feature for now (an image); got more", NULL, NULL);
    if (yout->n > 1)
        return cerr(x, yout->items[1], "output_features: ludwig-c supports one output feature for now (a category); got more", NULL, NULL);
    cJSON *full = cJSON_CreateObject();
    c->full = full;
    cJSON *fin = NULL, *fout = NULL, *sec = NULL;
    if ((st = input_feature(x, yin->items[0], 0, &fin)))
        return st;
    cJSON *arr = cJSON_AddArrayToObject(full, "input_features");
    cJSON_AddItemToArray(arr, fin);
    if ((st = output_feature(x, yout->items[0], 0, &fout)))
        return st;
    arr = cJSON_AddArrayToObject(full, "output_features");
    cJSON_AddItemToArray(arr, fout);
    if (strcmp(jstr(fin, "name"), jstr(fout, "name")) == 0)
        return cerr(x, yout->items[0], "output_features[0]: the name '%s' is already used by an input feature", jstr(fout, "name"), NULL);
    if ((st = lc_schema_fill(&x->s, &lc_sec_combiner, lc_ymap_get(root, "combiner"), "combiner",
                             NULL, 1, &sec)))
        return st;
    cJSON_AddItemToObject(full, "combiner", sec);
    const lc_ynode *ytr = lc_ymap_get(root, "trainer");
    if (ytr && lc_ymap_get(root, "training"))
        return cerr(x, lc_ymap_get(root, "training"), "give 'trainer' or its legacy name 'training', not both", NULL, NULL);
    if (!ytr)
        ytr = lc_ymap_get(root, "training");
    if ((st = lc_schema_fill(&x->s, &lc_sec_trainer, ytr, "trainer", NULL, 1, &sec)))
        return st;
    cJSON_AddItemToObject(full, "trainer", sec);
    if ((st = trainer_typed(x, sec, ytr, fout)))
        return st;
    const lc_ynode *ypre = lc_ymap_get(root, "preprocessing");
    if ((st = lc_schema_fill(&x->s, &lc_sec_preprocessing, ypre, "preprocessing", NULL, 1, &sec)))
        return st;
    cJSON_AddItemToObject(full, "preprocessing", sec);
    if ((st = split_typed(x, sec, ypre)))
        return st;
    /* the defaults section as Ludwig saves it: schema defaults updated by the user's */
    cJSON *defs = cJSON_AddObjectToObject(full, "defaults");
    cJSON *img = cJSON_AddObjectToObject(defs, "image");
    cJSON *cat = cJSON_AddObjectToObject(defs, "category");
    const cJSON *ui = jget(x->defaults, "image"), *uc = jget(x->defaults, "category");
    cJSON *v;
    if ((st = lc_schema_fill(&x->s, &lc_sec_image_pre, NULL, "defaults.image.preprocessing",
                             jget(ui, "preprocessing"), 1, &v)))
        return st;
    cJSON_AddItemToObject(img, "preprocessing", v);
    if ((st = lc_schema_fill(&x->s, &lc_sec_stacked_cnn, NULL, "defaults.image.encoder",
                             jget(ui, "encoder"), 1, &v)))
        return st;
    cJSON_AddItemToObject(img, "encoder", v);
    cJSON_AddItemToObject(img, "augmentation", cJSON_CreateArray());
    if ((st = lc_schema_fill(&x->s, &lc_sec_category_pre, NULL, "defaults.category.preprocessing",
                             jget(uc, "preprocessing"), 1, &v)))
        return st;
    cJSON_AddItemToObject(cat, "preprocessing", v);
    if ((st = lc_schema_fill(&x->s, &lc_sec_classifier, NULL, "defaults.category.decoder",
                             jget(uc, "decoder"), 1, &v)))
        return st;
    cJSON_AddItemToObject(cat, "decoder", v);
    if ((st = lc_schema_fill(&x->s, &lc_sec_xent, NULL, "defaults.category.loss", jget(uc, "loss"),
                             1, &v)))
        return st;
    cJSON_AddItemToObject(cat, "loss", v);
    cJSON_AddNullToObject(full, "backend");
    cJSON_AddNullToObject(full, "hyperopt");
    cJSON_AddStringToObject(full, "ludwig_version", "0.10.3");
    cJSON_AddStringToObject(full, "model_type", "ecd");
    if ((st = image_pre_typed(x, fin)))
        return st;
    return output_typed(x, fout);
}

void lc_config_free(lc_config *c)
{
    if (!c)
        return;
    free(c->path);
    cJSON_Delete(c->full);
    free(c->in_name);
    free(c->in_column);
    free(c->spec.conv);
    free(c->spec.fc);
    free(c->out_name);
    free(c->out_column);
    free(c->validation_field);
    free(c->validation_metric);
    free(c->split_column);
    free(c);
}

lc_status lc_config_load(const char *path, lc_config **out, void (*note)(void *, const char *),
                         void *note_arg, lc_error *e)
{
    *out = NULL;
    lc_ynode *root = NULL;
    lc_status st = lc_yaml_load(path, &root, e);
    if (st)
        return st;
    lc_config *c = calloc(1, sizeof *c);
    if (!c) {
        lc_ynode_free(root);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    cfg_ctx x = {.s = {.file = path, .e = e, .note = note, .note_arg = note_arg},
                 .c = c,
                 .root = root};
    c->path = lc_strdup(path);
    st = c->path ? build(&x) : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    cJSON_Delete(x.defaults);
    lc_ynode_free(root);
    if (st) {
        lc_config_free(c);
        return st;
    }
    *out = c;
    return LC_OK;
}
