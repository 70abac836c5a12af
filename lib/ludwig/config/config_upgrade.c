/* config_upgrade.c - Ludwig 0.10.3's backward-compatibility transformations
 * (ludwig/utils/backward_compatibility.py) applied to the YAML tree, in the order Ludwig sorts them
 * (by version; whole-config transformations before section ones; sections alphabetically), each
 * change reported as one note. Where Ludwig asks a schema which keys belong where, the answer is a
 * table below, copied from ludwig/schema at v0.10.3.
 *
 * Left to others: typing and validating the values (config.c); a part of the tree that is not the
 * shape a transformation needs is left untouched for the validator to report. Three of Ludwig's
 * insertions of schema defaults are skipped because they change nothing once defaults are filled:
 * hyperopt's executor {type: ray} and search_alg {type: variant_generator}, and
 * loss.class_weights: null. One removal Ludwig makes later, while loading the schema, is done here
 * because old configs (Ludwig's own dataset configs among them) still carry it: the pre-0.5 key
 * fc_size, which no 0.10.3 schema has and which marshmallow drops with a warning.
 */
#include "lc_config_upgrade.h"
#include "lc_strtab.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lc_mem.h"

typedef struct {
    const char *file;
    void (*note)(void *arg, const char *msg);
    void *arg;
    lc_error *e;
    int from[3];   /* the config's ludwig_version, 0.0.0 when absent */
    int from_later; /* a post/fourth component: later than from[] itself */
} uctx;

/* ---- notes and errors ---- */

static void note(uctx *u, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void note(uctx *u, int line, int col, const char *fmt, ...)
{
    if (!u->note)
        return;
    char what[768], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof msg, "%s:%d:%d: %s (as Ludwig 0.10.3 does)", u->file, line, col, what);
    u->note(u->arg, msg);
}

static lc_status nomem(uctx *u)
{
    return lc_error_set(u->e, LC_ERR_NOMEM, "%s: out of memory while upgrading the config",
                        u->file);
}

/* old: the legacy key's entry; newname: where its value belongs; at: the value already there. */
static lc_status conflict(uctx *u, const lc_yentry *old, const char *oldname, const char *newname,
                          const lc_ynode *at)
{
    return lc_error_set(u->e, LC_ERR_CONFIG,
                        "%s:%d:%d: '%s' belongs in '%s', which is also given (line %d) with a different value; keep one of them",
                        u->file, old->line, old->col, oldname, newname, at->line);
}

/* ---- scalars ---- */

static int is_map(const lc_ynode *n) { return n && n->kind == LC_YMAP; }

/* A scalar Python would load as a str equal to s (type names are matched case-insensitively
 * where Ludwig looks them up in a registry, which lowercases). */
static int is_str(const lc_ynode *n, const char *s)
{
    return n && n->kind == LC_YSCALAR && !lc_yscalar_is_null(n) && strcmp(n->str, s) == 0;
}

/* YAML 1.1 booleans as PyYAML (Ludwig's loader) reads them. */
static int plain_bool(const lc_ynode *n, int *v)
{
    static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
    static const char *const f[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
    if (!n || n->kind != LC_YSCALAR || !n->plain)
        return 0;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (strcmp(n->str, t[i]) == 0)
            return *v = 1, 1;
        if (strcmp(n->str, f[i]) == 0)
            return *v = 0, 1;
    }
    return 0;
}

static int plain_number(const lc_ynode *n, double *v)
{
    if (!n || n->kind != LC_YSCALAR || !n->plain || !n->str[0])
        return 0;
    if (strspn(n->str, "0123456789+-.eE") != strlen(n->str) || !strpbrk(n->str, "0123456789"))
        return 0;
    char *end;
    *v = strtod(n->str, &end);
    return *end == '\0';
}

static int scalar_equal(const lc_ynode *a, const lc_ynode *b)
{
    int an = lc_yscalar_is_null(a), bn = lc_yscalar_is_null(b);
    if (an || bn)
        return an && bn;
    double x, y;
    int xn = plain_number(a, &x), yn = plain_number(b, &y);
    if (xn || yn)
        return xn && yn && x == y;
    int p, q;
    int pb = plain_bool(a, &p), qb = plain_bool(b, &q);
    if (pb || qb)
        return pb && qb && p == q;
    return strcmp(a->str, b->str) == 0;
}

/* Equal as Python compares the loaded values (maps regardless of key order). */
static int ynode_equal(const lc_ynode *a, const lc_ynode *b)
{
    if (a->kind != b->kind || (a->kind != LC_YSCALAR && a->n != b->n))
        return 0;
    switch (a->kind) {
    case LC_YSCALAR:
        return scalar_equal(a, b);
    case LC_YSEQ:
        for (size_t i = 0; i < a->n; i++)
            if (!ynode_equal(a->items[i], b->items[i]))
                return 0;
        return 1;
    case LC_YMAP:
        for (size_t i = 0; i < a->n; i++) {
            const lc_ynode *o = lc_ymap_get(b, a->entries[i].key);
            if (!o || !ynode_equal(a->entries[i].value, o))
                return 0;
        }
        return 1;
    }
    return 0;
}

/* ---- building and editing the tree (nodes allocated as yaml.c does, freed by lc_ynode_free) ---- */

static lc_ynode *node_new(lc_ykind kind, int line, int col)
{
    lc_ynode *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->line = line;
        n->col = col;
    }
    return n;
}

static lc_ynode *scalar_new(const char *s, int plain, int line, int col)
{
    lc_ynode *n = node_new(LC_YSCALAR, line, col);
    if (n && !(n->str = lc_strdup(s))) {
        free(n);
        return NULL;
    }
    if (n)
        n->plain = plain;
    return n;
}

static lc_ynode *ynode_dup(const lc_ynode *n)
{
    lc_ynode *d = node_new(n->kind, n->line, n->col);
    if (!d)
        return NULL;
    d->plain = n->plain;
    if (n->str && !(d->str = lc_strdup(n->str)))
        goto fail;
    if (n->kind == LC_YMAP && n->n) {
        if (!(d->entries = lc_realloc_array(NULL, n->n, sizeof *d->entries)))
            goto fail;
        for (size_t i = 0; i < n->n; i++) {
            lc_yentry *t = &d->entries[i];
            *t = n->entries[i];
            t->key = lc_strdup(n->entries[i].key);
            t->value = t->key ? ynode_dup(n->entries[i].value) : NULL;
            d->n = i + 1;
            if (!t->value)
                goto fail;
        }
    } else if (n->kind == LC_YSEQ && n->n) {
        if (!(d->items = lc_realloc_array(NULL, n->n, sizeof *d->items)))
            goto fail;
        for (size_t i = 0; i < n->n; i++) {
            d->items[i] = ynode_dup(n->items[i]);
            d->n = i + 1;
            if (!d->items[i])
                goto fail;
        }
    }
    return d;
fail:
    lc_ynode_free(d);
    return NULL;
}

static long map_find(const lc_ynode *m, const char *key)
{
    if (!is_map(m))
        return -1;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->entries[i].key, key) == 0)
            return (long)i;
    return -1;
}

/* Removes entry i and hands back its value. */
static lc_ynode *map_take(lc_ynode *m, size_t i)
{
    lc_ynode *v = m->entries[i].value;
    free(m->entries[i].key);
    memmove(&m->entries[i], &m->entries[i + 1], (m->n - i - 1) * sizeof *m->entries);
    m->n--;
    return v;
}

static void map_drop(lc_ynode *m, size_t i) { lc_ynode_free(map_take(m, i)); }

/* Appends key: v (v is owned by m afterwards, or freed on failure; NULL v means a failed
 * allocation upstream). */
static lc_status map_add(uctx *u, lc_ynode *m, const char *key, int line, int col, lc_ynode *v)
{
    char *k = v ? lc_strdup(key) : NULL;
    lc_yentry *g = k ? lc_realloc_array(m->entries, m->n + 1, sizeof *g) : NULL;
    if (!g) {
        free(k);
        lc_ynode_free(v);
        return nomem(u);
    }
    m->entries = g;
    g[m->n] = (lc_yentry){.key = k, .line = line, .col = col, .value = v};
    m->n++;
    return LC_OK;
}

static lc_status map_rename(uctx *u, lc_ynode *m, size_t i, const char *key)
{
    char *k = lc_strdup(key);
    if (!k)
        return nomem(u);
    free(m->entries[i].key);
    m->entries[i].key = k;
    return LC_OK;
}

static lc_status scalar_set(uctx *u, lc_ynode *n, const char *s, int plain)
{
    char *c = lc_strdup(s);
    if (!c)
        return nomem(u);
    free(n->str);
    n->str = c;
    n->plain = plain;
    return LC_OK;
}

/* Finds key in m, creating an empty map there if absent; NULL (with no error) when m[key] is not
 * a map, or on allocation failure (then *st is set). */
static lc_ynode *map_child(uctx *u, lc_ynode *m, const char *key, int line, int col,
                           lc_status *st)
{
    long i = map_find(m, key);
    if (i >= 0)
        return is_map(m->entries[i].value) ? m->entries[i].value : NULL;
    lc_ynode *c = node_new(LC_YMAP, line, col);
    *st = map_add(u, m, key, line, col, c);
    return *st ? NULL : c;
}

/* m[old] renamed to m[new]; if both are there the old one goes when the values agree, and it is
 * a conflict otherwise. where: the map's path for notes ("trainer", "input_features[0]"). */
static lc_status rename_or_merge(uctx *u, lc_ynode *m, const char *where, const char *old,
                                 const char *new_)
{
    long i = map_find(m, old);
    if (i < 0)
        return LC_OK;
    const lc_yentry *en = &m->entries[i];
    int line = en->line, col = en->col;
    char o[256], nw[256];
    snprintf(o, sizeof o, "%s%s%s", where, *where ? "." : "", old);
    snprintf(nw, sizeof nw, "%s%s%s", where, *where ? "." : "", new_);
    long j = map_find(m, new_);
    if (j >= 0) {
        if (!ynode_equal(en->value, m->entries[j].value))
            return conflict(u, en, o, nw, m->entries[j].value);
        map_drop(m, (size_t)i);
        note(u, line, col, "'%s' removed: '%s' is already given with the same value", o, nw);
        return LC_OK;
    }
    lc_status st = map_rename(u, m, (size_t)i, new_);
    if (!st)
        note(u, line, col, "'%s' renamed to '%s'", o, nw);
    return st;
}

/* Moves entry i of src to dst[key] (dst a map); same value already there: the old one is dropped;
 * different: conflict. Notes "'<what>' moved to '<to>'<how>" (how may be NULL). */
static lc_status move_entry(uctx *u, lc_ynode *src, size_t i, lc_ynode *dst, const char *key,
                            const char *what, const char *to, const char *how)
{
    const lc_yentry *en = &src->entries[i];
    int line = en->line, col = en->col;
    long j = map_find(dst, key);
    if (j >= 0) {
        if (!ynode_equal(en->value, dst->entries[j].value))
            return conflict(u, en, what, to, dst->entries[j].value);
        map_drop(src, i);
        note(u, line, col, "'%s' removed: '%s' is already given with the same value", what, to);
        return LC_OK;
    }
    lc_ynode *v = map_take(src, i);
    lc_status st = map_add(u, dst, key, line, col, v);
    if (!st)
        note(u, line, col, "'%s' moved to '%s'%s", what, to, how ? how : "");
    return st;
}

/* Merges map src into map dst, recursing into maps present in both; src's entries are consumed.
 * where/dwhere: paths of src and dst for messages. */
static lc_status merge_maps(uctx *u, lc_ynode *dst, lc_ynode *src, const char *where,
                            const char *dwhere)
{
    while (src->n) {
        lc_yentry *en = &src->entries[0];
        char w[256], d[256];
        snprintf(w, sizeof w, "%s.%s", where, en->key);
        snprintf(d, sizeof d, "%s.%s", dwhere, en->key);
        long j = map_find(dst, en->key);
        if (j >= 0 && is_map(dst->entries[j].value) && is_map(en->value)) {
            lc_status st = merge_maps(u, dst->entries[j].value, en->value, w, d);
            if (st)
                return st;
            map_drop(src, 0);
            continue;
        }
        if (j >= 0 && !ynode_equal(en->value, dst->entries[j].value))
            return conflict(u, en, w, d, dst->entries[j].value);
        if (j >= 0) {
            map_drop(src, 0);
            continue;
        }
        int line = en->line, col = en->col;
        char *key = en->key;
        en->key = NULL;
        lc_ynode *v = map_take(src, 0);
        lc_status st = map_add(u, dst, key, line, col, v);
        free(key);
        if (st)
            return st;
    }
    return LC_OK;
}

/* ---- what the schema says (ludwig/schema at v0.10.3) ---- */

typedef struct {
    const char *type;
    int input;               /* in get_input_type_registry() */
    int output;              /* in get_output_type_registry() */
    const char *out_own[3];  /* fields of <Type>OutputFeatureConfig beyond the common ones */
    const char *decoder;     /* the default decoder of the output feature */
} ftype_info;

static const ftype_info ftypes[] = {
    {"audio", 1, 0, {NULL}, NULL},
    {"bag", 1, 0, {NULL}, NULL},
    {"binary", 1, 1, {"calibration", "threshold", NULL}, "regressor"},
    {"category", 1, 1, {"calibration", "top_k", NULL}, "classifier"},
    {"date", 1, 0, {NULL}, NULL},
    {"h3", 1, 0, {NULL}, NULL},
    {"image", 1, 1, {NULL}, "unet"},
    {"number", 1, 1, {"clip", NULL}, "regressor"},
    {"sequence", 1, 1, {NULL}, "generator"},
    {"set", 1, 1, {"threshold", NULL}, "classifier"},
    {"text", 1, 1, {"class_similarities", NULL}, "generator"},
    {"timeseries", 1, 1, {"horizon", NULL}, "projector"},
    {"vector", 1, 1, {"softmax", "vector_size", NULL}, "projector"},
};

/* get_base_type_registry(): the feature types a preprocessing subsection may be named after. */
static int is_base_type(const char *s)
{
    for (size_t i = 0; i < sizeof ftypes / sizeof ftypes[0]; i++)
        if (strcmp(ftypes[i].type, s) == 0)
            return 1;
    return strcmp(s, "category_distribution") == 0;
}

static const ftype_info *ftype_of(const lc_ynode *feature)
{
    const lc_ynode *t = lc_ymap_get(feature, "type");
    if (!t || t->kind != LC_YSCALAR || lc_yscalar_is_null(t))
        return NULL;
    for (size_t i = 0; i < sizeof ftypes / sizeof ftypes[0]; i++)
        if (strcasecmp(ftypes[i].type, t->str) == 0)
            return &ftypes[i];
    return NULL;
}

static int in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

/* BaseFeatureConfig + BaseInputFeatureConfig + the input mixins. */
static const char *const input_feature_fields[] = {
    "active", "name", "type", "column", "proc_column", "tied", "preprocessing", "encoder", NULL};
/* BaseFeatureConfig + BaseOutputFeatureConfig + the output mixins. */
static const char *const output_feature_fields[] = {
    "active", "name", "type", "column", "proc_column", "reduce_input",
    "default_validation_metric", "dependencies", "reduce_dependencies", "input_size",
    "num_classes", "decoder", "loss", "preprocessing", NULL};

static int is_feature_field(const ftype_info *ft, int input, const char *key)
{
    if (input)
        return in_list(input_feature_fields, key) ||
               (strcmp(ft->type, "image") == 0 && strcmp(key, "augmentation") == 0);
    return in_list(output_feature_fields, key) || in_list(ft->out_own, key);
}

/* Keys Ludwig renames to fc_<key> when it nests them under decoder. */
static const char *const fc_layer_keys[] = {"fc_layers", "output_size", "use_bias",
                                            "weights_initializer", "bias_initializer", "norm",
                                            "norm_params", "activation", "dropout", NULL};

/* For each decoder, which un-prefixed fc_layer_keys it has as fields of its own (every decoder
 * has the fc_ ones from BaseDecoderConfig, except fc_fc_layers, which none has). */
static const struct {
    const char *type;
    const char *own[6];
} decoder_own[] = {
    {"regressor", {"use_bias", "weights_initializer", "bias_initializer", NULL}},
    {"projector", {"output_size", "use_bias", "weights_initializer", "bias_initializer",
                   "activation", NULL}},
    {"classifier", {"use_bias", "weights_initializer", "bias_initializer", NULL}},
    {"tagger", {"use_bias", NULL}},
    {"generator", {NULL}},
    {"unet", {NULL}},
    {"passthrough", {NULL}},
};

/* Legacy image encoders: the fields only the legacy config has, and those only the torchvision
 * config of the same name has (legacy minus new, new minus legacy). */
static const struct {
    const char *type, *legacy;
    const char *removed[22];
    const char *added[6];
} legacy_image[] = {
    {"resnet", "_resnet_legacy",
     {"dropout", "activation", "height", "width", "resnet_size", "num_channels", "out_channels",
      "kernel_size", "conv_stride", "first_pool_kernel_size", "first_pool_stride",
      "batch_norm_momentum", "batch_norm_epsilon", "use_bias", "bias_initializer",
      "weights_initializer", "output_size", "norm", "norm_params", "num_fc_layers", "fc_layers",
      NULL},
     {"use_pretrained", "model_cache_dir", "saved_weights_in_checkpoint", "trainable",
      "model_variant", NULL}},
    {"vit", "_vit_legacy",
     {"height", "width", "num_hidden_layers", "hidden_size", "hidden_act", "hidden_dropout_prob",
      "num_attention_heads", "attention_probs_dropout_prob", "intermediate_size",
      "initializer_range", "layer_norm_eps", "gradient_checkpointing", "patch_size",
      "pretrained_model", NULL},
     {"model_cache_dir", "model_variant", NULL}},
};

/* ---- versions ---- */

/* Whether a transformation first needed in major.minor applies to a config written by
 * ludwig_version from (Ludwig: from <= version). */
static int since(const uctx *u, int major, int minor)
{
    if (major != u->from[0])
        return major > u->from[0];
    if (minor != u->from[1])
        return minor > u->from[1];
    return u->from[2] == 0 && !u->from_later;
}

static void read_version(uctx *u, const lc_ynode *root)
{
    const lc_ynode *v = lc_ymap_get(root, "ludwig_version");
    if (!v || v->kind != LC_YSCALAR || lc_yscalar_is_null(v))
        return;
    const char *s = v->str;
    int part[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        if (!isdigit((unsigned char)*s))
            return; /* not a version: every transformation applies, the validator judges it */
        part[k] = (int)strtol(s, (char **)&s, 10);
        if (*s != '.' || !isdigit((unsigned char)s[1]) || k == 2)
            break;
        s++;
    }
    memcpy(u->from, part, sizeof part);
    u->from_later = strstr(s, "post") != NULL || (s[0] == '.' && strtol(s + 1, NULL, 10) > 0);
}

/* ---- the transformations, in Ludwig's order ---- */

/* 0.4 _update_level_metadata: per-level preprocessing names of sequence-like features. */
static const char *const level_renames[][2] = {
    {"sequence_length_limit", "max_sequence_length"},
    {"word_most_common", "most_common"},
    {"word_sequence_length_limit", "max_sequence_length"},
    {"word_tokenizer", "tokenizer"},
    {"word_vocab_file", "vocab_file"},
    {"char_most_common", "most_common"},
    {"char_sequence_length_limit", "max_sequence_length"},
    {"char_tokenizer", "tokenizer"},
    {"char_vocab_file", "vocab_file"},
};
static const char *const sequence_types[] = {"sequence", "text", "audio", "timeseries", NULL};

static lc_status level_params(uctx *u, lc_ynode *pre, const char *where)
{
    if (!is_map(pre))
        return LC_OK;
    for (size_t i = 0; i < sizeof level_renames / sizeof level_renames[0]; i++) {
        lc_status st = rename_or_merge(u, pre, where, level_renames[i][0], level_renames[i][1]);
        if (st)
            return st;
    }
    return LC_OK;
}

static lc_status up_level_metadata(uctx *u, lc_ynode *root)
{
    lc_ynode *pre = lc_ymap_get(root, "preprocessing");
    char w[256];
    for (const char *const *t = sequence_types; *t; t++) {
        snprintf(w, sizeof w, "preprocessing.%s", *t);
        lc_status st = level_params(u, lc_ymap_get(pre, *t), w);
        if (st)
            return st;
    }
    lc_ynode *in = lc_ymap_get(root, "input_features");
    if (!in || in->kind != LC_YSEQ)
        return LC_OK;
    for (size_t i = 0; i < in->n; i++) {
        const lc_ynode *t = lc_ymap_get(in->items[i], "type");
        if (!t || t->kind != LC_YSCALAR || lc_yscalar_is_null(t) || !in_list(sequence_types, t->str))
            continue;
        snprintf(w, sizeof w, "input_features[%zu].preprocessing", i);
        lc_status st = level_params(u, lc_ymap_get(in->items[i], "preprocessing"), w);
        if (st)
            return st;
    }
    return LC_OK;
}

/* 0.5 rename_training_to_trainer (update_training repeats it). */
static lc_status up_training(uctx *u, lc_ynode *root)
{
    return rename_or_merge(u, root, "", "training", "trainer");
}

/* Lifts preprocessing.audio_feature's entries into preprocessing (upgrade_audio_preprocessing). */
static lc_status unnest_audio_feature(uctx *u, lc_ynode *pre, const char *where)
{
    long i = map_find(pre, "audio_feature");
    if (i < 0 || !is_map(pre->entries[i].value))
        return LC_OK;
    int line = pre->entries[i].line, col = pre->entries[i].col;
    lc_ynode *af = map_take(pre, (size_t)i);
    char w[256];
    snprintf(w, sizeof w, "%s.audio_feature", where);
    lc_status st = merge_maps(u, pre, af, w, where);
    lc_ynode_free(af);
    if (!st)
        note(u, line, col, "the entries of '%s' moved up into '%s'", w, where);
    return st;
}

/* 0.5 _upgrade_preprocessing_defaults: preprocessing.<feature type> -> defaults.<type>.preprocessing. */
static lc_status up_preprocessing_defaults(uctx *u, lc_ynode *root)
{
    long pi = map_find(root, "preprocessing");
    if (pi < 0 || !is_map(root->entries[pi].value))
        return LC_OK;
    lc_ynode *pre = root->entries[pi].value;
    long di = map_find(root, "defaults");
    if (di >= 0 && !is_map(root->entries[di].value))
        return LC_OK;
    int moved = 0;
    for (size_t i = 0; i < pre->n;) {
        char key[128], type[128];
        snprintf(key, sizeof key, "%s", pre->entries[i].key);
        if (!is_base_type(key) && strcmp(key, "numerical") != 0) {
            i++;
            continue;
        }
        snprintf(type, sizeof type, "%s", strcmp(key, "numerical") == 0 ? "number" : key);
        lc_status st = LC_OK;
        int line = pre->entries[i].line, col = pre->entries[i].col;
        lc_ynode *defaults = lc_ymap_get(root, "defaults");
        if (!defaults) {
            defaults = node_new(LC_YMAP, line, col);
            if ((st = map_add(u, root, "defaults", line, col, defaults)))
                return st;
        }
        long ti = map_find(defaults, type);
        lc_ynode *tdef = ti >= 0 ? defaults->entries[ti].value : NULL;
        long tpi = map_find(tdef, "preprocessing");
        if ((tdef && !is_map(tdef)) || (tpi >= 0 && !is_map(tdef->entries[tpi].value))) {
            i++; /* defaults.<type> is not a map to merge into: leave both for the validator */
            continue;
        }
        char w[256], d[256];
        snprintf(w, sizeof w, "preprocessing.%s", key);
        snprintf(d, sizeof d, "defaults.%s.preprocessing", type);
        lc_ynode *val = map_take(pre, i);
        long inner = map_find(val, "preprocessing");
        if (inner >= 0) { /* Ludwig keeps only a nested preprocessing: section */
            lc_ynode *in = map_take(val, (size_t)inner);
            lc_ynode_free(val);
            val = in;
        }
        if (strcmp(type, "audio") == 0 && is_map(val) && (st = unnest_audio_feature(u, val, w))) {
            lc_ynode_free(val);
            return st;
        }
        if (!tdef) {
            tdef = node_new(LC_YMAP, line, col);
            if ((st = map_add(u, defaults, type, line, col, tdef))) {
                lc_ynode_free(val);
                return st;
            }
        }
        if (tpi < 0) {
            st = map_add(u, tdef, "preprocessing", line, col, val);
        } else {
            lc_ynode *dst = tdef->entries[tpi].value;
            if (is_map(val)) {
                st = merge_maps(u, dst, val, w, d);
            } else if (!ynode_equal(val, dst)) {
                lc_yentry en = {.key = key, .line = line, .col = col, .value = val};
                st = conflict(u, &en, w, d, dst);
            }
            lc_ynode_free(val);
        }
        if (st)
            return st;
        note(u, line, col, "'%s' moved to '%s'", w, d);
        moved = 1;
    }
    pi = map_find(root, "preprocessing");
    if (moved && pi >= 0 && root->entries[pi].value->n == 0)
        map_drop(root, (size_t)pi);
    return LC_OK;
}

/* A string where Ludwig accepts {type: <string>}: made that map in place. */
static lc_status scalar_to_type_map(uctx *u, lc_ynode **slot)
{
    lc_ynode *s = *slot;
    if (!s || s->kind != LC_YSCALAR || lc_yscalar_is_null(s))
        return LC_OK;
    lc_ynode *m = node_new(LC_YMAP, s->line, s->col);
    if (!m)
        return nomem(u);
    lc_status st = map_add(u, m, "type", s->line, s->col, s);
    if (st) {
        *slot = NULL; /* s was freed by map_add */
        free(m);
        return st;
    }
    *slot = m;
    return LC_OK;
}

/* Moves `key` of `from` (a map inside hyperopt) to hyperopt's top level or executor. */
static lc_status hyperopt_lift(uctx *u, lc_ynode *from, const char *fromname, const char *key,
                               lc_ynode *to, const char *toname, int typed)
{
    long i = map_find(from, key);
    if (i < 0)
        return LC_OK;
    char w[256], d[256];
    snprintf(w, sizeof w, "hyperopt.%s.%s", fromname, key);
    snprintf(d, sizeof d, "%s.%s", toname, key);
    if (typed) {
        lc_status st = scalar_to_type_map(u, &from->entries[i].value);
        if (st)
            return st;
    }
    return move_entry(u, from, (size_t)i, to, key, w, d, NULL);
}

/* 0.5 _upgrade_hyperopt. */
static lc_status up_hyperopt(uctx *u, lc_ynode *root)
{
    lc_ynode *h = lc_ymap_get(root, "hyperopt");
    if (!is_map(h) || h->n == 0)
        return LC_OK;
    lc_status st;
    lc_ynode *params = lc_ymap_get(h, "parameters");
    if (is_map(params)) {
        for (size_t i = 0; i < params->n; i++) {
            const char *k = params->entries[i].key;
            if (strncmp(k, "training.", 9) != 0)
                continue;
            char nk[512];
            snprintf(nk, sizeof nk, "trainer.%s", k + 9);
            size_t before = params->n;
            if ((st = rename_or_merge(u, params, "hyperopt.parameters", k, nk)))
                return st;
            if (params->n < before)
                i--;
        }
    }
    lc_ynode *ex = lc_ymap_get(h, "executor");
    if (is_map(ex)) {
        long ti = map_find(ex, "type");
        lc_ynode *t = ti >= 0 ? ex->entries[ti].value : NULL;
        if (t && t->kind == LC_YSCALAR && !lc_yscalar_is_null(t) && strcmp(t->str, "ray") != 0) {
            note(u, t->line, t->col, "hyperopt executor type '%s' replaced by 'ray'", t->str);
            if ((st = scalar_set(u, t, "ray", 1)))
                return st;
        }
        if ((st = hyperopt_lift(u, ex, "executor", "search_alg", h, "hyperopt", 1)))
            return st;
    }
    long si = map_find(h, "sampler");
    if (si >= 0 && is_map(h->entries[si].value)) {
        lc_ynode *sa = h->entries[si].value;
        int line = h->entries[si].line, col = h->entries[si].col;
        if ((st = hyperopt_lift(u, sa, "sampler", "search_alg", h, "hyperopt", 1)))
            return st;
        long ei = map_find(h, "executor");
        if ((map_find(sa, "num_samples") >= 0 || map_find(sa, "scheduler") >= 0) &&
            (ei < 0 || is_map(h->entries[ei].value))) {
            st = LC_OK;
            lc_ynode *exm = map_child(u, h, "executor", line, col, &st);
            if (st)
                return st;
            {
                if ((st = hyperopt_lift(u, sa, "sampler", "num_samples", exm, "hyperopt.executor", 0)))
                    return st;
                if ((st = hyperopt_lift(u, sa, "sampler", "scheduler", exm, "hyperopt.executor", 0)))
                    return st;
                long sc = map_find(exm, "scheduler");
                if (sc >= 0 && is_map(exm->entries[sc].value) && exm->entries[sc].value->n == 0) {
                    note(u, exm->entries[sc].line, exm->entries[sc].col,
                         "empty 'hyperopt.executor.scheduler' removed");
                    map_drop(exm, (size_t)sc);
                }
            }
        }
        si = map_find(h, "sampler");
        map_drop(h, (size_t)si);
        note(u, line, col, "legacy section 'hyperopt.sampler' removed");
    }
    return LC_OK;
}

/* 0.5 _upgrade_use_bias_in_features: bias spellings in every map of a feature, leaves first. */
static lc_status bias_walk(uctx *u, lc_ynode *n, const char *path)
{
    char p[512];
    if (n->kind == LC_YSEQ) {
        for (size_t i = 0; i < n->n; i++) {
            snprintf(p, sizeof p, "%s[%zu]", path, i);
            lc_status st = bias_walk(u, n->items[i], p);
            if (st)
                return st;
        }
        return LC_OK;
    }
    if (n->kind != LC_YMAP)
        return LC_OK;
    for (size_t i = 0; i < n->n; i++) {
        snprintf(p, sizeof p, "%s.%s", path, n->entries[i].key);
        lc_status st = bias_walk(u, n->entries[i].value, p);
        if (st)
            return st;
    }
    static const char *const ren[][2] = {
        {"bias", "use_bias"}, {"conv_bias", "conv_use_bias"}, {"default_bias", "default_use_bias"}};
    for (size_t k = 0; k < 3; k++) {
        lc_status st = rename_or_merge(u, n, path, ren[k][0], ren[k][1]);
        if (st)
            return st;
    }
    return LC_OK;
}

typedef lc_status (*feature_fn)(uctx *u, lc_ynode *root, lc_ynode *f, const char *path, int input);

/* Runs fn on each map in input_features (input = 1) and/or output_features, as Ludwig's section
 * prefixes do (a list's elements that are not dicts are skipped). */
static lc_status each_feature(uctx *u, lc_ynode *root, int inputs, int outputs, feature_fn fn)
{
    for (int pass = 0; pass < 2; pass++) {
        if ((pass == 0 && !inputs) || (pass == 1 && !outputs))
            continue;
        const char *sec = pass == 0 ? "input_features" : "output_features";
        lc_ynode *l = lc_ymap_get(root, sec);
        if (!l || l->kind != LC_YSEQ)
            continue;
        for (size_t i = 0; i < l->n; i++) {
            if (!is_map(l->items[i]))
                continue;
            char p[64];
            snprintf(p, sizeof p, "%s[%zu]", sec, i);
            lc_status st = fn(u, root, l->items[i], p, pass == 0);
            if (st)
                return st;
        }
    }
    return LC_OK;
}

static lc_status feat_bias(uctx *u, lc_ynode *root, lc_ynode *f, const char *path, int input)
{
    (void)root;
    (void)input;
    return bias_walk(u, f, path);
}

/* 0.5 _upgrade_feature: type numerical -> number; audio preprocessing.audio_feature unnested. */
static lc_status feat_type(uctx *u, lc_ynode *root, lc_ynode *f, const char *path, int input)
{
    (void)root;
    (void)input;
    lc_ynode *t = lc_ymap_get(f, "type");
    if (is_str(t, "numerical")) {
        note(u, t->line, t->col, "%s: feature type 'numerical' renamed to 'number'", path);
        return scalar_set(u, t, "number", 1);
    }
    if (is_str(t, "audio")) {
        char w[256];
        snprintf(w, sizeof w, "%s.preprocessing", path);
        lc_ynode *pre = lc_ymap_get(f, "preprocessing");
        if (is_map(pre))
            return unnest_audio_feature(u, pre, w);
    }
    return LC_OK;
}

/* 0.5 _upgrade_preprocessing_split: force_split / split_probabilities / stratify -> split. */
static lc_status up_split(uctx *u, lc_ynode *root)
{
    lc_ynode *pre = lc_ymap_get(root, "preprocessing");
    if (!is_map(pre) || pre->n == 0)
        return LC_OK;
    static const char *const legacy[] = {"force_split", "split_probabilities", "stratify"};
    lc_yentry got[3] = {{0}};
    int any = 0;
    for (int k = 0; k < 3; k++) {
        long i = map_find(pre, legacy[k]);
        if (i < 0)
            continue;
        got[k] = pre->entries[i];
        any = 1;
    }
    if (!any)
        return LC_OK;
    lc_status st = LC_OK;
    const lc_yentry *fs = got[0].value ? &got[0] : NULL, *sp = got[1].value ? &got[1] : NULL,
                    *sf = got[2].value ? &got[2] : NULL;
    const lc_yentry *first = sf ? sf : sp ? sp : fs;
    lc_ynode *split = node_new(LC_YMAP, first->line, first->col);
    if (!split)
        return nomem(u);
    if (sp && !lc_yscalar_is_null(sp->value) &&
        (st = map_add(u, split, "probabilities", sp->line, sp->col, ynode_dup(sp->value))))
        goto fail;
    if (sf && !lc_yscalar_is_null(sf->value) &&
        ((st = map_add(u, split, "type", sf->line, sf->col,
                       scalar_new("stratify", 1, sf->line, sf->col))) ||
         (st = map_add(u, split, "column", sf->line, sf->col, ynode_dup(sf->value)))))
        goto fail;
    if (fs && !lc_yscalar_is_null(fs->value) && map_find(split, "type") < 0 &&
        (st = map_add(u, split, "type", fs->line, fs->col,
                      scalar_new("random", 1, fs->line, fs->col))))
        goto fail;
    long si = map_find(pre, "split");
    if (split->n && si >= 0) {
        const lc_yentry *ex = &pre->entries[si];
        if (!ynode_equal(split, ex->value)) {
            st = conflict(u, first, first == sf ? "preprocessing.stratify"
                                   : first == sp ? "preprocessing.split_probabilities"
                                                 : "preprocessing.force_split",
                          "preprocessing.split", ex->value);
            goto fail;
        }
    }
    for (int k = 0; k < 3; k++) {
        if (!got[k].value)
            continue;
        const lc_yentry *en = &got[k];
        if (lc_yscalar_is_null(en->value))
            note(u, en->line, en->col, "'preprocessing.%s: null' removed", legacy[k]);
        else if (k == 1)
            note(u, en->line, en->col,
                 "'preprocessing.split_probabilities' moved to 'preprocessing.split.probabilities'");
        else if (k == 2)
            note(u, en->line, en->col,
                 "'preprocessing.stratify: %s' replaced by 'preprocessing.split' with type 'stratify' and column '%s'",
                 en->value->kind == LC_YSCALAR ? en->value->str : "...",
                 en->value->kind == LC_YSCALAR ? en->value->str : "...");
        else if (sf && !lc_yscalar_is_null(sf->value))
            note(u, en->line, en->col,
                 "'preprocessing.force_split' removed: the split type is 'stratify'");
        else
            note(u, en->line, en->col,
                 "'preprocessing.force_split' replaced by 'preprocessing.split.type: random'");
    }
    for (int k = 0; k < 3; k++)
        if (got[k].value)
            map_drop(pre, (size_t)map_find(pre, legacy[k]));
    si = map_find(pre, "split");
    if (split->n && si < 0)
        return map_add(u, pre, "split", split->line, split->col, split);
    lc_ynode_free(split);
    return LC_OK;
fail:
    lc_ynode_free(split);
    return st;
}

/* 0.5 _upgrade_trainer: eval_batch_size 0 -> null. */
static lc_status up_eval_batch_size(uctx *u, lc_ynode *root)
{
    lc_ynode *tr = lc_ymap_get(root, "trainer");
    lc_ynode *v = lc_ymap_get(tr, "eval_batch_size");
    double x;
    int b;
    if (!v || !((plain_number(v, &x) && x == 0) || (plain_bool(v, &b) && !b)))
        return LC_OK;
    note(u, v->line, v->col, "'trainer.eval_batch_size: %s' replaced by null", v->str);
    return scalar_set(u, v, "null", 1);
}

/* 0.6 upgrade_missing_value_strategy: backfill -> bfill, pad -> ffill. */
static lc_status old_mvs(uctx *u, lc_ynode *m, const char *path)
{
    lc_ynode *v = lc_ymap_get(lc_ymap_get(m, "preprocessing"), "missing_value_strategy");
    const char *nw = is_str(v, "backfill") ? "bfill" : is_str(v, "pad") ? "ffill" : NULL;
    if (!nw)
        return LC_OK;
    note(u, v->line, v->col, "'%s.preprocessing.missing_value_strategy: %s' replaced by '%s'",
         path, v->str, nw);
    return scalar_set(u, v, nw, 1);
}

static lc_status feat_mvs(uctx *u, lc_ynode *root, lc_ynode *f, const char *path, int input)
{
    (void)root;
    (void)input;
    return old_mvs(u, f, path);
}

static lc_status up_missing_value_strategy(uctx *u, lc_ynode *root)
{
    lc_status st = each_feature(u, root, 1, 1, feat_mvs);
    lc_ynode *d = lc_ymap_get(root, "defaults");
    for (size_t i = 0; !st && is_map(d) && i < d->n; i++) {
        char p[256];
        snprintf(p, sizeof p, "defaults.%s", d->entries[i].key);
        st = old_mvs(u, d->entries[i].value, p);
    }
    return st;
}

/* 0.6 remove_trainer_type (not for LLMs, whose trainers have types). */
static lc_status up_trainer_type(uctx *u, lc_ynode *root)
{
    if (is_str(lc_ymap_get(root, "model_type"), "llm"))
        return LC_OK;
    lc_ynode *tr = lc_ymap_get(root, "trainer");
    long i = map_find(tr, "type");
    if (i < 0)
        return LC_OK;
    note(u, tr->entries[i].line, tr->entries[i].col,
         "'trainer.type' removed: the trainer follows the top-level model_type");
    map_drop(tr, (size_t)i);
    return LC_OK;
}

/* 0.6 _update_backend_cache_credentials. */
static lc_status up_backend(uctx *u, lc_ynode *root)
{
    lc_ynode *b = lc_ymap_get(root, "backend");
    long i = map_find(b, "cache_credentials");
    if (i < 0)
        return LC_OK;
    long ci = map_find(b, "credentials");
    if (ci >= 0 && !is_map(b->entries[ci].value))
        return LC_OK;
    lc_status st = LC_OK;
    lc_ynode *cred = map_child(u, b, "credentials", b->entries[i].line, b->entries[i].col, &st);
    if (st)
        return st;
    i = map_find(b, "cache_credentials");
    return move_entry(u, b, (size_t)i, cred, "cache", "backend.cache_credentials",
                      "backend.credentials.cache", NULL);
}

static const char *decoder_type(const lc_ynode *root, const lc_ynode *f, const ftype_info *ft)
{
    const lc_ynode *t = lc_ymap_get(lc_ymap_get(f, "decoder"), "type");
    if (!t)
        t = lc_ymap_get(lc_ymap_get(lc_ymap_get(lc_ymap_get(root, "defaults"), ft->type), "decoder"),
                        "type");
    if (t && t->kind == LC_YSCALAR && !lc_yscalar_is_null(t))
        return t->str;
    return ft->decoder;
}

/* 0.6 _upgrade_encoder_params / _upgrade_decoder_params: a feature's keys that are not fields of
 * its feature config move under encoder: (inputs) or decoder: (outputs); `encoder: rnn` becomes
 * `encoder: {type: rnn}`. Decoders receive fc_layer_keys as fc_<key> too; of <key> and fc_<key>,
 * only those the decoder has are kept (the others Ludwig's schema drops). */

/* Appends key: v to m, whose entries have room for it (reserved by the caller); key and v are
 * m's afterwards, or freed when either is NULL (a failed allocation). */
static lc_status append_entry(uctx *u, lc_ynode *m, char *key, int line, int col, lc_ynode *v)
{
    if (!key || !v) {
        free(key);
        lc_ynode_free(v);
        return nomem(u);
    }
    m->entries[m->n++] = (lc_yentry){.key = key, .line = line, .col = col, .value = v};
    return LC_OK;
}

static const char *entry_key(const void *m, size_t i)
{
    return ((const lc_ynode *)m)->entries[i].key;
}

/* Moves every key of feature f that is not the feature's own field into m, its encoder or
 * decoder map, in one pass: kept entries slide down in place and m's keys are looked up in a
 * hashed index (one move at a time, with a linear lookup and a memmove each, took 80 s for
 * 100,000 keys). A key m has already is dropped when the values agree and is a conflict
 * otherwise. An output's fc layer key goes to the decoder as itself, as fc_<key>, or both
 * (dknown: its decoder type's entry in decoder_own, or -1). */
static lc_status move_feature_keys(uctx *u, lc_ynode *f, lc_ynode *m, const ftype_info *ft,
                                   int input, const char *path, const char *mod, int dknown)
{
    lc_strtab t;
    lc_strtab_init(&t, entry_key, m);
    lc_status st = LC_OK;
    for (size_t k = 0; k < m->n && !st; k++)
        if (lc_strtab_add(&t, k, NULL) < 0)
            st = nomem(u);
    /* room for every key that may arrive (an fc layer key brings two) at once: growing m one
     * entry at a time copies it each time where realloc cannot grow in place */
    size_t room = m->n;
    for (size_t k = 0; k < f->n; k++)
        room += is_feature_field(ft, input, f->entries[k].key) ? 0 : 2;
    lc_yentry *g = st ? NULL : lc_realloc_array(m->entries, room ? room : 1, sizeof *g);
    if (!st && !g)
        st = nomem(u);
    if (g)
        m->entries = g;
    size_t w = 0, i = 0;
    for (; i < f->n && !st; i++) {
        lc_yentry en = f->entries[i];
        if (is_feature_field(ft, input, en.key) || en.value == m) {
            f->entries[w++] = en;
            continue;
        }
        char wh[256], to[256];
        snprintf(wh, sizeof wh, "%s.%s", path, en.key);
        if (!input && in_list(fc_layer_keys, en.key)) {
            char fk[136];
            snprintf(fk, sizeof fk, "fc_%s", en.key);
            int keep_plain = dknown < 0 || in_list(decoder_own[dknown].own, en.key);
            int keep_fc = strcmp(en.key, "fc_layers") != 0;
            if (!keep_plain && !keep_fc)
                keep_plain = 1;
            const char *targets[2] = {keep_plain ? en.key : NULL, keep_fc ? fk : NULL};
            long long j[2] = {-1, -1};
            for (int k = 0; k < 2 && !st; k++) {
                j[k] = targets[k] ? lc_strtab_find(&t, targets[k], strlen(targets[k])) : -1;
                if (j[k] >= 0 && !ynode_equal(en.value, m->entries[j[k]].value)) {
                    snprintf(to, sizeof to, "%s.decoder.%s", path, targets[k]);
                    st = conflict(u, &en, wh, to, m->entries[j[k]].value);
                }
            }
            for (int k = 0; k < 2 && !st; k++) {
                if (!targets[k] || j[k] >= 0)
                    continue;
                if (!(st = append_entry(u, m, lc_strdup(targets[k]), en.line, en.col,
                                        ynode_dup(en.value))) &&
                    lc_strtab_add(&t, m->n - 1, NULL) < 0)
                    st = nomem(u);
            }
            if (st) {
                f->entries[w++] = en; /* still f's, freed with it */
                continue;
            }
            if (keep_plain && keep_fc)
                note(u, en.line, en.col, "'%s' moved to '%s.decoder.%s' and '%s.decoder.%s'", wh,
                     path, en.key, path, fk);
            else
                note(u, en.line, en.col, "'%s' moved to '%s.decoder.%s'", wh, path,
                     keep_fc ? fk : en.key);
            free(en.key);
            lc_ynode_free(en.value);
            continue;
        }
        snprintf(to, sizeof to, "%s.%s.%s", path, mod, en.key);
        long long j = lc_strtab_find(&t, en.key, strlen(en.key));
        if (j >= 0) {
            if (!ynode_equal(en.value, m->entries[j].value)) {
                st = conflict(u, &en, wh, to, m->entries[j].value);
                f->entries[w++] = en; /* still f's, freed with it */
                continue;
            }
            note(u, en.line, en.col, "'%s' removed: '%s' is already given with the same value", wh, to);
            free(en.key);
            lc_ynode_free(en.value);
            continue;
        }
        st = append_entry(u, m, en.key, en.line, en.col, en.value); /* the key and value move */
        if (!st && lc_strtab_add(&t, m->n - 1, NULL) < 0)
            st = nomem(u);
        if (!st)
            note(u, en.line, en.col, "'%s' moved to '%s'", wh, to);
    }
    /* after a failure the entries not looked at stay, after the kept ones */
    memmove(&f->entries[w], &f->entries[i], (f->n - i) * sizeof *f->entries);
    f->n = w + (f->n - i);
    lc_strtab_free(&t);
    return st;
}

static lc_status feat_nest(uctx *u, lc_ynode *root, lc_ynode *f, const char *path, int input)
{
    const ftype_info *ft = ftype_of(f);
    if (!ft || (input ? !ft->input : !ft->output))
        return LC_OK;
    const char *mod = input ? "encoder" : "decoder";
    lc_status st = LC_OK;
    long mi = map_find(f, mod);
    if (mi >= 0) {
        lc_ynode *m = f->entries[mi].value;
        if (m->kind == LC_YSCALAR && !lc_yscalar_is_null(m)) {
            note(u, m->line, m->col, "'%s.%s: %s' written as '%s: {type: %s}'", path, mod, m->str,
                 mod, m->str);
            if ((st = scalar_to_type_map(u, &f->entries[mi].value)))
                return st;
        }
    }
    int pending = 0;
    for (size_t i = 0; i < f->n; i++)
        pending += !is_feature_field(ft, input, f->entries[i].key);
    if (!pending)
        return LC_OK;
    mi = map_find(f, mod);
    if (mi >= 0 && !is_map(f->entries[mi].value))
        return LC_OK; /* encoder: null or a list: nothing to nest into, the validator reports it */
    const char *dtype = input ? NULL : decoder_type(root, f, ft);
    int dknown = -1;
    for (size_t d = 0; dtype && d < sizeof decoder_own / sizeof decoder_own[0]; d++)
        if (strcmp(decoder_own[d].type, dtype) == 0)
            dknown = (int)d;
    /* the encoder (decoder) map, created at the first key that goes into it */
    size_t first = 0;
    while (first < f->n && is_feature_field(ft, input, f->entries[first].key))
        first++;
    lc_ynode *m = map_child(u, f, mod, f->entries[first].line, f->entries[first].col, &st);
    if (!m)
        return st;
    if ((st = move_feature_keys(u, f, m, ft, input, path, mod, dknown)))
        return st;
    return LC_OK;
}

/* 0.6 update_class_weights_in_features: class_weights other than a list or a map become null. */
static lc_status feat_class_weights(uctx *u, lc_ynode *root, lc_ynode *f, const char *path,
                                    int input)
{
    (void)root;
    (void)input;
    lc_ynode *cw = lc_ymap_get(lc_ymap_get(f, "loss"), "class_weights");
    if (!cw || cw->kind != LC_YSCALAR || lc_yscalar_is_null(cw))
        return LC_OK;
    note(u, cw->line, cw->col,
         "'%s.loss.class_weights: %s' replaced by null: class weights are a list or a map", path,
         cw->str);
    return scalar_set(u, cw, "null", 1);
}

/* 0.6 _upgrade_max_batch_size. */
static lc_status up_max_batch_size(uctx *u, lc_ynode *root)
{
    lc_ynode *tr = lc_ymap_get(root, "trainer");
    if (!is_map(tr))
        return LC_OK;
    return rename_or_merge(u, tr, "trainer", "increase_batch_size_on_plateau_max",
                           "max_batch_size");
}

/* 0.7 upgrade_missing_hyperopt: hyperopt: {} (Ludwig wants null). */
static lc_status up_empty_hyperopt(uctx *u, lc_ynode *root)
{
    long i = map_find(root, "hyperopt");
    if (i < 0 || !is_map(root->entries[i].value) || root->entries[i].value->n)
        return LC_OK;
    note(u, root->entries[i].line, root->entries[i].col, "empty 'hyperopt: {}' removed");
    map_drop(root, (size_t)i);
    return LC_OK;
}

/* 0.7 upgrade_defaults_config_for_gbm: GBM defaults are for binary, category and number only,
 * and have no decoder or loss. */
static lc_status up_gbm_defaults(uctx *u, lc_ynode *root)
{
    static const char *const gbm_types[] = {"binary", "category", "number", NULL};
    if (!is_str(lc_ymap_get(root, "model_type"), "gbm"))
        return LC_OK;
    lc_ynode *d = lc_ymap_get(root, "defaults");
    if (!is_map(d))
        return LC_OK;
    for (size_t i = 0; i < d->n;) {
        lc_yentry *en = &d->entries[i];
        if (!in_list(gbm_types, en->key)) {
            note(u, en->line, en->col,
                 "'defaults.%s' removed: GBM models take defaults for binary, category and number features only",
                 en->key);
            map_drop(d, i);
            continue;
        }
        static const char *const ecd_only[] = {"decoder", "loss"};
        for (int k = 0; k < 2; k++) {
            long j = map_find(en->value, ecd_only[k]);
            if (j < 0)
                continue;
            note(u, en->value->entries[j].line, en->value->entries[j].col,
                 "'defaults.%s.%s' removed: GBM models have none", en->key, ecd_only[k]);
            map_drop(en->value, (size_t)j);
        }
        i++;
    }
    return LC_OK;
}

/* 0.7 remove_extra_type_param_in_defaults_config. */
static lc_status up_defaults_type(uctx *u, lc_ynode *root)
{
    lc_ynode *d = lc_ymap_get(root, "defaults");
    for (size_t i = 0; is_map(d) && i < d->n; i++) {
        lc_ynode *t = d->entries[i].value;
        long j = map_find(t, "type");
        if (j < 0)
            continue;
        note(u, t->entries[j].line, t->entries[j].col, "'defaults.%s.type' removed",
             d->entries[i].key);
        map_drop(t, (size_t)j);
    }
    return LC_OK;
}

/* 0.7 _upgrade_legacy_image_encoders: resnet / vit given the old encoders' parameters. */
static lc_status feat_legacy_image(uctx *u, lc_ynode *root, lc_ynode *f, const char *path,
                                   int input)
{
    (void)root;
    (void)input;
    if (!is_str(lc_ymap_get(f, "type"), "image"))
        return LC_OK;
    lc_ynode *enc = lc_ymap_get(f, "encoder");
    lc_ynode *t = lc_ymap_get(enc, "type");
    for (size_t k = 0; k < sizeof legacy_image / sizeof legacy_image[0]; k++) {
        if (!is_str(t, legacy_image[k].type))
            continue;
        const lc_yentry *old = NULL, *nw = NULL;
        for (size_t i = 0; i < enc->n; i++) {
            const lc_yentry *en = &enc->entries[i];
            if (!old && in_list(legacy_image[k].removed, en->key))
                old = en;
            if (!nw && in_list(legacy_image[k].added, en->key))
                nw = en;
        }
        if (!old)
            return LC_OK;
        if (nw)
            return lc_error_set(u->e, LC_ERR_CONFIG,
                                "%s:%d:%d: %s.encoder: '%s' is a parameter of the legacy encoder '%s' and '%s' (line %d) one of the encoder '%s'; keep the parameters of one of them",
                                u->file, old->line, old->col, path, old->key, legacy_image[k].legacy,
                                nw->key, nw->line, legacy_image[k].type);
        note(u, t->line, t->col,
             "%s.encoder: type '%s' given the legacy parameter '%s' renamed to '%s'", path,
             t->str, old->key, legacy_image[k].legacy);
        return scalar_set(u, t, legacy_image[k].legacy, 1);
    }
    return LC_OK;
}

/* 0.7 learning_rate_scheduler: trainer keys moved into trainer.learning_rate_scheduler. */
static lc_status up_lr_scheduler(uctx *u, lc_ynode *root)
{
    static const char *const map[][2] = {
        {"reduce_learning_rate_on_plateau", "reduce_on_plateau"},
        {"reduce_learning_rate_on_plateau_patience", "reduce_on_plateau_patience"},
        {"reduce_learning_rate_on_plateau_rate", "reduce_on_plateau_rate"},
        {"reduce_learning_rate_eval_metric", "reduce_eval_metric"},
        {"reduce_learning_rate_eval_split", "reduce_eval_split"},
        {"decay", "decay"},
        {"decay_steps", "decay_steps"},
        {"decay_rate", "decay_rate"},
        {"staircase", "staircase"},
        {"learning_rate_warmup_epochs", "warmup_evaluations"},
    };
    lc_ynode *tr = lc_ymap_get(root, "trainer");
    if (!is_map(tr) || tr->n == 0)
        return LC_OK;
    long li = map_find(tr, "learning_rate_scheduler");
    if (li >= 0 && !is_map(tr->entries[li].value))
        return LC_OK;
    lc_status st = LC_OK;
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
        long i = map_find(tr, map[k][0]);
        if (i < 0)
            continue;
        lc_yentry *en = &tr->entries[i];
        int line = en->line, col = en->col;
        lc_ynode *v = en->value;
        /* decay was a bool and is now a schedule name; reduce_on_plateau a count (int(value)) */
        int b;
        double x;
        char buf[32], how[96] = "";
        const char *conv = NULL;
        if (k == 5 && plain_bool(v, &b))
            conv = b ? "exponential" : "null";
        else if (k == 0 && plain_bool(v, &b))
            conv = b ? "1" : "0";
        else if (k == 0 && plain_number(v, &x) && x > -1e15 && x < 1e15) {
            snprintf(buf, sizeof buf, "%lld", (long long)x);
            conv = buf;
        }
        if (conv && strcmp(conv, v->str) != 0) {
            snprintf(how, sizeof how, ", its value %s written as %s", v->str, conv);
            if ((st = scalar_set(u, v, conv, 1)))
                return st;
        }
        lc_ynode *lrs = map_child(u, tr, "learning_rate_scheduler", line, col, &st);
        if (!lrs)
            return st;
        i = map_find(tr, map[k][0]);
        char w[256], to[256];
        snprintf(w, sizeof w, "trainer.%s", map[k][0]);
        snprintf(to, sizeof to, "trainer.learning_rate_scheduler.%s", map[k][1]);
        if ((st = move_entry(u, tr, (size_t)i, lrs, map[k][1], w, to, how)))
            return st;
    }
    return LC_OK;
}

/* ludwig-c: fc_size, the pre-0.5 spelling of output_size, which no 0.10.3 schema has and which
 * Ludwig's schema load drops with a warning, so a 0.10.3 run uses output_size's default. */
static lc_status drop_fc_size(uctx *u, lc_ynode *m, const char *path)
{
    long i = map_find(m, "fc_size");
    if (i < 0)
        return LC_OK;
    note(u, m->entries[i].line, m->entries[i].col,
         "'%s.fc_size' removed: Ludwig 0.10.3 ignores it, the size is output_size", path);
    map_drop(m, (size_t)i);
    return LC_OK;
}

static lc_status feat_fc_size(uctx *u, lc_ynode *root, lc_ynode *f, const char *path, int input)
{
    (void)root;
    char p[256];
    const char *mod = input ? "encoder" : "decoder";
    snprintf(p, sizeof p, "%s.%s", path, mod);
    return drop_fc_size(u, lc_ymap_get(f, mod), p);
}

static lc_status up_fc_size(uctx *u, lc_ynode *root)
{
    lc_status st = drop_fc_size(u, lc_ymap_get(root, "combiner"), "combiner");
    if (!st)
        st = each_feature(u, root, 1, 1, feat_fc_size);
    lc_ynode *d = lc_ymap_get(root, "defaults");
    for (size_t i = 0; !st && is_map(d) && i < d->n; i++) {
        static const char *const mods[] = {"encoder", "decoder"};
        for (int k = 0; !st && k < 2; k++) {
            char p[256];
            snprintf(p, sizeof p, "defaults.%s.%s", d->entries[i].key, mods[k]);
            st = drop_fc_size(u, lc_ymap_get(d->entries[i].value, mods[k]), p);
        }
    }
    return st;
}

/* Section transformations run only when the section is present and not empty (as Ludwig's
 * prefixes). */
static int has_section(const lc_ynode *root, const char *key)
{
    const lc_ynode *s = lc_ymap_get(root, key);
    return s && !lc_yscalar_is_null(s) && s->n != 0;
}

static lc_status feats(uctx *u, lc_ynode *root, int inputs, int outputs, feature_fn fn)
{
    return each_feature(u, root, inputs && has_section(root, "input_features"),
                        outputs && has_section(root, "output_features"), fn);
}

lc_status lc_config_upgrade(lc_ynode *root, const char *file,
                            void (*note_fn)(void *arg, const char *msg), void *note_arg,
                            lc_error *e)
{
    uctx u = {.file = file ? file : "config", .note = note_fn, .arg = note_arg, .e = e};
    if (!is_map(root))
        return LC_OK;
    read_version(&u, root);
    lc_status st = LC_OK;
#define STEP(maj, min, call)                                                                       \
    do {                                                                                           \
        if (!st && since(&u, maj, min))                                                            \
            st = (call);                                                                           \
    } while (0)
    STEP(0, 4, up_level_metadata(&u, root));
    STEP(0, 5, up_training(&u, root));
    STEP(0, 5, up_preprocessing_defaults(&u, root));
    STEP(0, 5, up_hyperopt(&u, root));
    STEP(0, 5, feats(&u, root, 1, 1, feat_bias));
    STEP(0, 5, feats(&u, root, 1, 1, feat_type));
    STEP(0, 5, up_split(&u, root));
    STEP(0, 5, has_section(root, "trainer") ? up_eval_batch_size(&u, root) : LC_OK);
    STEP(0, 6, up_missing_value_strategy(&u, root));
    STEP(0, 6, up_trainer_type(&u, root));
    STEP(0, 6, has_section(root, "backend") ? up_backend(&u, root) : LC_OK);
    STEP(0, 6, feats(&u, root, 1, 0, feat_nest));
    STEP(0, 6, feats(&u, root, 0, 1, feat_class_weights));
    STEP(0, 6, feats(&u, root, 0, 1, feat_nest));
    STEP(0, 6, up_max_batch_size(&u, root));
    STEP(0, 7, up_empty_hyperopt(&u, root));
    STEP(0, 7, up_gbm_defaults(&u, root));
    STEP(0, 7, up_defaults_type(&u, root));
    STEP(0, 7, feats(&u, root, 1, 0, feat_legacy_image));
    STEP(0, 7, up_lr_scheduler(&u, root));
#undef STEP
    if (!st)
        st = up_fc_size(&u, root);
    return st;
}
