/* experiment.c - `ludwig experiment`: load the config, preprocess, train, evaluate the eval split
 * and write Ludwig's files. Everything is written into a staging directory inside the output
 * directory and renamed into place only when complete, so a failed or interrupted run leaves no
 * half-written result. */
#include "ludwig_c.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lc_calibrate.h"
#include "lc_checkpoint.h"
#include "lc_commands.h"
#include "lc_config.h"
#include "lc_dataset.h"
#include "lc_dp.h"
#include "lc_fs.h"
#include "lc_ftypes.h"
#include "lc_hf.h"
#include "lc_json.h"
#include "lc_kfold.h"
#include "lc_mem.h"
#include "lc_model.h"
#include "lc_outputs.h"
#include "lc_prep_tab.h"
#include "lc_report.h"
#include "lc_train.h"
#include "lc_weights.h"

const char *lc_version(void)
{
    return LC_VERSION;
}

void lc_experiment_opts_init(lc_experiment_opts *o)
{
    memset(o, 0, sizeof *o);
    o->random_seed = 42;
    o->threads = 1;
}

typedef struct note_sink {
    FILE *f;
    char seen[16][64]; /* legacy key names already explained */
    int nseen;
} note_sink;

/* Prints config notes, explaining each legacy key name once rather than at every use. */
static void note_to(void *arg, const char *msg)
{
    note_sink *ns = arg;
    if (!ns->f)
        return;
    const char *q = strstr(msg, "silently ignores '");
    if (q) {
        char key[64];
        q += strlen("silently ignores '");
        size_t n = strcspn(q, "'");
        snprintf(key, sizeof key, "%.*s", (int)(n < 63 ? n : 63), q);
        for (int i = 0; i < ns->nseen; i++)
            if (strcmp(ns->seen[i], key) == 0)
                return;
        if (ns->nseen < 16)
            snprintf(ns->seen[ns->nseen++], sizeof ns->seen[0], "%s", key);
    }
    fprintf(ns->f, "ludwig-c: note: %s\n", msg);
}

/* The saved config: the filled config updated with what training learned (image size, classes,
 * vocabularies, sizes, batch sizes), as Ludwig's update_config_with_metadata and batch-size
 * tuning do. */
/* obj[key] = item where obj has key (the encoder's own keys only); item is freed otherwise */
static void replace_key(cJSON *obj, const char *key, cJSON *item)
{
    if (!item || !cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item))
        cJSON_Delete(item);
}

static cJSON *hyperparameters_json(const lc_config *cfg, const lc_dataset *d, const lc_model *m,
                                   const lc_train_result *tr)
{
    cJSON *h = cJSON_Duplicate(cfg->full, 1);
    cJSON *ins = cJSON_GetObjectItemCaseSensitive(h, "input_features");
    for (int k = 0; k < cfg->nin; k++) {
        cJSON *fin = cJSON_GetArrayItem(ins, k);
        cJSON *enc = cJSON_GetObjectItemCaseSensitive(fin, "encoder");
        const lc_column *c = &d->in[k];
        if (lc_enc_is_tv(&cfg->in[k].enc)) /* Ludwig's set_saved_weights_in_checkpoint_flag:
                                                   * a reload takes the weights from the model */
            replace_key(enc, "saved_weights_in_checkpoint", cJSON_CreateTrue());
        if (cfg->in[k].enc.enc == LC_ENC_VIT_LEGACY) { /* the flag, and the metadata's sizes */
            replace_key(enc, "saved_weights_in_checkpoint", cJSON_CreateTrue());
            replace_key(enc, "height", lc_json_int(c->H));
            replace_key(enc, "width", lc_json_int(c->W));
        }
        if (cfg->in[k].type == LC_FT_IMAGE && (cfg->in[k].enc.enc == LC_ENC_STACKED_CNN ||
                                                 cfg->in[k].enc.enc == LC_ENC_MLP_MIXER ||
                                                 cfg->in[k].enc.enc == LC_ENC_RESNET_LEGACY)) {
            replace_key(enc, "height", lc_json_int(c->H));
            replace_key(enc, "width", lc_json_int(c->W));
            replace_key(enc, "num_channels", lc_json_int(c->C));
        } else if (cfg->in[k].type == LC_FT_TIMESERIES) {
            /* TimeseriesInputFeature: no embedding, one value per step; the sizes from the
             * metadata; Ludwig marks the weights as saved with the model */
            replace_key(enc, "embedding_size", lc_json_int(1));
            replace_key(enc, "should_embed", cJSON_CreateFalse());
            replace_key(enc, "input_size", lc_json_int(c->T));
            replace_key(enc, "max_sequence_length", lc_json_int(c->T));
            cJSON_DeleteItemFromObjectCaseSensitive(enc, "saved_weights_in_checkpoint");
            cJSON_AddTrueToObject(enc, "saved_weights_in_checkpoint");
        } else if (cfg->in[k].type == LC_FT_TEXT) {
            /* TextInputFeature.update_config_with_metadata, and Ludwig's saved-weights flag */
            const cJSON *meta = c->meta;
            const char *keys[] = {"vocab", "vocab_size", "max_sequence_length", "pad_idx",
                                  "num_tokens", "str2freq", "str2idf",
                                  "saved_weights_in_checkpoint"};
            cJSON *vals[] = {
                cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(meta, "idx2str"), 1),
                lc_json_int(c->nclasses),
                lc_json_int(c->T),
                cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(meta, "pad_idx"), 1),
                lc_json_int(c->nclasses),
                cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(meta, "str2freq"), 1),
                cJSON_CreateNull(),
                cJSON_CreateTrue()};
            for (size_t j = 0; j < sizeof keys / sizeof *keys; j++) {
                cJSON_DeleteItemFromObjectCaseSensitive(enc, keys[j]);
                if (vals[j])
                    cJSON_AddItemToObject(enc, keys[j], vals[j]);
            }
        } else if (cfg->in[k].type == LC_FT_VECTOR) {
            replace_key(enc, "input_size", lc_json_int(c->T)); /* vector_size */
        } else if (cfg->in[k].type == LC_FT_SET || cfg->in[k].type == LC_FT_BAG) {
            /* Set/BagInputFeature.update_config_with_metadata: the vocabulary */
            cJSON_DeleteItemFromObjectCaseSensitive(enc, "vocab");
            cJSON_AddItemToObject(enc, "vocab", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c->meta, "idx2str"), 1));
        } else if (cfg->in[k].type == LC_FT_CATEGORY && cfg->in[k].enc.enc != LC_ENC_PASSTHROUGH) {
            /* CategoryInputFeature.update_config_with_metadata sets encoder.vocab; the
             * passthrough encoder's config has no such field, so Ludwig does not save it */
            cJSON *v = cJSON_CreateArray();
            for (int j = 0; j < c->nclasses; j++)
                cJSON_AddItemToArray(v, cJSON_CreateString(c->idx2str[j]));
            cJSON_DeleteItemFromObjectCaseSensitive(enc, "vocab");
            cJSON_AddItemToObject(enc, "vocab", v);
        }
    }
    cJSON *outs = cJSON_GetObjectItemCaseSensitive(h, "output_features");
    for (int o = 0; o < cfg->nout; o++) {
        cJSON *fout = cJSON_GetArrayItem(outs, o);
        cJSON *dec = cJSON_GetObjectItemCaseSensitive(fout, "decoder");
        int dec_in = m->layers[m->heads[o].layer].u.dense.in;
        replace_key(fout, "input_size", lc_json_int((long long)m->comb_n));
        replace_key(dec, "input_size", lc_json_int(dec_in));
        if (cfg->out[o].type == LC_FT_CATEGORY) {
            int C = d->out[o].nclasses;
            replace_key(fout, "num_classes", lc_json_int(C));
            int top_k = cfg->out[o].top_k < C ? cfg->out[o].top_k : C;
            replace_key(fout, "top_k", lc_json_int(top_k));
            replace_key(dec, "num_classes", lc_json_int(C));
        } else if (cfg->out[o].type == LC_FT_TIMESERIES) {
            replace_key(fout, "horizon", lc_json_int(d->out[o].nclasses));
            replace_key(dec, "output_size", lc_json_int(d->out[o].nclasses));
        } else if (cfg->out[o].type == LC_FT_VECTOR) {
            replace_key(fout, "vector_size", lc_json_int(d->out[o].nclasses));
            replace_key(dec, "output_size", lc_json_int(d->out[o].nclasses));
        } else if (cfg->out[o].type == LC_FT_SET) {
            replace_key(fout, "num_classes", lc_json_int(d->out[o].nclasses));
            replace_key(dec, "num_classes", lc_json_int(d->out[o].nclasses));
        }
    }
    cJSON *trn = cJSON_GetObjectItemCaseSensitive(h, "trainer");
    replace_key(trn, "batch_size", lc_json_int(tr->batch_size));
    replace_key(trn, "eval_batch_size",
                                           lc_json_int(tr->eval_batch_size));
    return h;
}

/* Everything an experiment holds between its stages. */
typedef struct exp_run {
    const lc_experiment_opts *o;
    lc_config *cfg;
    lc_dataset *ds;
    lc_model *m;
    lc_pool *pool;
    lc_train_result tr;
    lc_calibration cal;      /* the temperatures fitted after training */
    lc_eval ev;
    cJSON *test_stats;
    int32_t *preds, *eidx;   /* the eval split's rows and first output's classes */
    const char *eval_split;
    int eval_s;              /* 0 training, 1 validation, 2 test, 3 full */
    char resume_ckpt[4096];
    const char *od, *en, *mn;
    lc_stage stage;          /* <od>/.<experiment>_<model>.partial-XXXXXX ("" once published) */
    char *final_dir;         /* <od>/<experiment>_<model>[_k] */
    double t_begin;
    int writer;              /* this process writes the outputs (rank 0 of o->dist) */
    int dp_groups;           /* backend horovod: the groups of a step (lc_dp.h); 0 local */
    int defer;               /* several ranks: each decodes the images of its rows only */
} exp_run;

/* The backend: --backend, else the config's, else horovod when an MPI launcher started several
 * processes (as Ludwig picks horovod under horovodrun). Several processes need horovod. */
static lc_status setup_backend(exp_run *X, lc_error *e)
{
    const lc_experiment_opts *o = X->o;
    int R = lc_dist_size(o->dist);
    int hv = o->backend ? strcmp(o->backend, "horovod") == 0
                        : X->cfg->backend == LC_BACKEND_HOROVOD ||
                              (X->cfg->backend == LC_BACKEND_NONE && R > 1);
    X->writer = lc_dist_rank(o->dist) == 0;
    if (!hv && R > 1) {
        lc_error_set(e, LC_ERR_USAGE, "%d MPI ranks, but the backend is local (%s): each rank would train the whole run alone",
                     R, o->backend ? "--backend local" : "the config's backend");
        lc_error_hint(e, "use --backend horovod (or backend: {type: horovod} in the config) to share the run among the ranks");
        return LC_ERR_USAGE;
    }
    if (!hv)
        return LC_OK;
    X->defer = !o->k_fold; /* one process too: the same checkpoint identity as several */
    if (o->k_fold && R > 1)
        return lc_error_set(e, LC_ERR_USAGE, "--k_fold with %d MPI ranks: ludwig-c shares one training run among ranks, not the folds of a cross validation; run --k_fold without mpirun", R);
    X->dp_groups = LC_DP_GROUPS;
    const char *env = getenv("LUDWIG_C_DP_GROUPS");
    if (env && *env) {
        char *end;
        long g = strtol(env, &end, 10);
        if (*end || g < 1 || g > (1L << (LC_DP_MAX_LEVELS - 1)) || (g & (g - 1)))
            return lc_error_set(e, LC_ERR_USAGE, "LUDWIG_C_DP_GROUPS=%s: the groups of a data-parallel step must be a power of two from 1 to %d",
                                env, 1 << (LC_DP_MAX_LEVELS - 1));
        X->dp_groups = (int)g;
    }
    if (R > X->dp_groups) {
        lc_error_set(e, LC_ERR_USAGE, "%d MPI ranks, but a step's batch is split into %d groups: at most %d ranks can share it",
                     R, X->dp_groups, X->dp_groups);
        lc_error_hint(e, "start at most %d ranks, or set LUDWIG_C_DP_GROUPS to a power of two at least the ranks (a different number of groups gives different results)",
                      X->dp_groups);
        return LC_ERR_USAGE;
    }
    if (o->progress)
        fprintf(o->progress, "ludwig-c: backend horovod: %d process(es) x %d thread(s); each step's batch in %d groups (LUDWIG_C_DP_GROUPS), the same results for any number of processes\n",
                R, o->threads, X->dp_groups);
    return LC_OK;
}

static lc_status check_args(exp_run *X, lc_error *e)
{
    const lc_experiment_opts *o = X->o;
    if (o->k_fold) {
        /* Ludwig's kfold_cross_validate folds the rows of --dataset and trains on nothing else */
        if (!o->dataset || o->training_set || o->validation_set || o->test_set)
            return lc_error_set(e, LC_ERR_USAGE,
                                "--k_fold folds the rows of --dataset: give --dataset (and no --training_set, --validation_set or --test_set)");
        if (o->k_fold < 2)
            return lc_error_set(e, LC_ERR_USAGE, "--k_fold %d: k-fold cross validation needs at least 2 folds", o->k_fold);
        if (o->model_resume_path)
            return lc_error_set(e, LC_ERR_USAGE, "--k_fold trains a new model per fold: --model_resume_path cannot be given with it");
    }
    if (o->model_resume_path) {
        snprintf(X->resume_ckpt, sizeof X->resume_ckpt, "%s/model/%s/%s", o->model_resume_path,
                 LC_CHECKPOINT_DIR, LC_CHECKPOINT_FILE);
        if (access(X->resume_ckpt, R_OK) != 0) {
            lc_error_set(e, LC_ERR_USAGE, "--model_resume_path %s: no training checkpoint to resume from (%s: %m)",
                         o->model_resume_path, X->resume_ckpt);
            lc_error_hint(e, "give the directory of an earlier run (e.g. results/experiment_run, or the results/experiment_run.interrupted an interrupted run leaves) trained without --skip_save_progress");
            return LC_ERR_USAGE;
        }
    }
    static const char *const names[4] = {"training", "validation", "test", "full"};
    X->eval_split = o->eval_split ? o->eval_split : "test";
    X->eval_s = -1;
    for (int k = 0; k < 4; k++)
        if (strcmp(X->eval_split, names[k]) == 0)
            X->eval_s = k;
    if (X->eval_s < 0)
        return lc_error_set(e, LC_ERR_USAGE,
                            "--eval_split must be training, validation, test or full (got '%s')",
                            X->eval_split);
    X->od = o->output_directory ? o->output_directory : "results";
    X->en = o->experiment_name ? o->experiment_name : "experiment";
    X->mn = o->model_name ? o->model_name : "run";
    if (strchr(X->en, '/') || strchr(X->mn, '/') || !*X->en || !*X->mn)
        return lc_error_set(e, LC_ERR_USAGE, "--experiment_name and --model_name must be plain names without '/'");
    return LC_OK;
}

/* Config, threads, data, and the model (initialised, or loaded from --model_load_path). */
/* The embedding matrix of each text, set or bag input with pretrained_embeddings (the token
 * embeddings of a transformer), from its GloVe file. */
static lc_status pretrained_embeddings(exp_run *X, lc_error *e)
{
    for (int k = 0; k < X->cfg->nin; k++) {
        const char *path = X->cfg->in[k].tx_pretrained;
        if (!path)
            continue;
        for (int i = 0; i < X->m->nlayers; i++) {
            const lc_layer *l = &X->m->layers[i];
            int seq = l->type == LC_L_EMBED &&
                      (l->part == LC_PART_ENC_EMBED_SEQ || l->part == LC_PART_ENC_TOKEN_EMBED);
            if (!(seq || l->type == LC_L_EMBED_SUM) || l->feature != k) /* text, set, bag */
                continue;
            const cJSON *i2s = cJSON_GetObjectItemCaseSensitive(X->ds->in[k].meta, "idx2str");
            lc_status st = lc_glove_fill(path, i2s, l->u.embed.D, X->m->params + l->w_off,
                                         X->o->random_seed, e);
            if (st)
                return st;
        }
    }
    return LC_OK;
}

/* use_pretrained: a torchvision backbone's weights from torchvision's cache (Galaxy jobs have
 * no internet: an admin puts the files there); not when the weights come from a model or a
 * checkpoint */
/* input feature k's pretrained torchvision file into path (0: it needs none); an error naming
 * the file, the directory and where to get it when it is not there */
static lc_status backbone_file(const exp_run *X, int k, char *path, size_t n, lc_error *e)
{
    const lc_feature *f = &X->cfg->in[k];
    path[0] = '\0';
    if (X->o->model_load_path || X->resume_ckpt[0] || !lc_enc_is_tv(&f->enc) || !f->tv_pretrained)
        return LC_OK;
    const char *file = lc_tv_file(&f->enc, NULL);
    char var[16];
    lc_tv_variant(&f->enc, var, sizeof var);
    lc_status st = lc_tv_weights_path(f->tv_cache_dir, file, path, n, e);
    if (st)
        return st;
    if (access(path, R_OK) != 0) {
        st = lc_error_set(e, LC_ERR_USAGE,
                          "input feature '%s': encoder %s %s with use_pretrained: true needs torchvision's weights file %s, which is not there (%m)",
                          f->name, lc_tv_type(&f->enc), var, path);
        int dl = (int)(strrchr(path, '/') - path);
        lc_error_hint(e, "ludwig-c never downloads: put %s (https://download.pytorch.org/models/%s) in %.*s/ (the encoder's model_cache_dir, else TORCH_HOME, chooses the directory above hub/checkpoints), or set use_pretrained: false to train from scratch",
                      file, file, dl, path);
    }
    return st;
}

/* use_pretrained: a torchvision backbone's weights from torchvision's cache (Galaxy jobs have
 * no internet: an admin puts the files there); not when the weights come from a model or a
 * checkpoint. prepare() checked the files are there before reading any data. */
static lc_status pretrained_backbones(exp_run *X, lc_error *e)
{
    for (int k = 0; k < X->cfg->nin; k++) {
        const lc_feature *f = &X->cfg->in[k];
        char path[4096], var[16];
        lc_status st = backbone_file(X, k, path, sizeof path, e);
        if (st)
            return st;
        if (f->enc.enc == LC_ENC_VIT_LEGACY && f->vl_snapshot) {
            if ((st = lc_hf_load_vit(X->m, k, f->tv_cache_dir, path, sizeof path, e)))
                return st;
            if (X->o->progress)
                fprintf(X->o->progress, "ludwig-c: input feature '%s': _vit_legacy weights from %s%s\n",
                        f->name, path, f->enc.tv_frozen ? " (frozen: trainable false)" : "");
            continue;
        }
        if (!path[0])
            continue;
        if ((st = lc_weights_load_tv(X->m, k, path, e)))
            return st;
        if (X->o->progress)
            fprintf(X->o->progress, "ludwig-c: input feature '%s': %s %s weights from %s%s\n",
                    f->name, lc_tv_type(&f->enc), lc_tv_variant(&f->enc, var, sizeof var), path,
                    f->enc.tv_frozen ? " (frozen: trainable false)" : "");
    }
    return LC_OK;
}

static lc_status build_model(exp_run *X, lc_error *e);

/* _vit_legacy with use_pretrained (not from a model or a checkpoint): HuggingFace's snapshot in
 * the local cache; its config.json's architecture replaces the config's keys, as
 * ViTModel.from_pretrained's does */
static lc_status hf_snapshot(exp_run *X, int k, lc_error *e)
{
    lc_feature *f = &X->cfg->in[k];
    if (X->o->model_load_path || X->resume_ckpt[0] || f->enc.enc != LC_ENC_VIT_LEGACY ||
        !f->tv_pretrained || !f->tv_cache_dir)
        return LC_OK;
    char dir[4096];
    lc_status st = lc_hf_snapshot(f->tv_cache_dir, dir, sizeof dir, e);
    if (!st)
        st = lc_hf_vit_config(dir, &f->enc, e);
    if (st) {
        lc_error_prefix(e, "input feature '%s': ", f->name);
        return st;
    }
    char *d = strdup(dir);
    if (!d)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    free(f->tv_cache_dir);
    f->tv_cache_dir = d;
    f->vl_snapshot = 1;
    return LC_OK;
}

static lc_status prepare(exp_run *X, note_sink *notes, lc_error *e)
{
    const lc_experiment_opts *o = X->o;
    lc_status st = X->cfg ? LC_OK : lc_config_load(o->config_path, &X->cfg, note_to, notes, e);
    if (st || (st = setup_backend(X, e)))
        return st;
    if (!(X->pool = lc_pool_create(o->threads)))
        return lc_error_set(e, LC_ERR_NOMEM, "cannot start %d threads", o->threads);
    if (o->progress)
        fprintf(o->progress, "ludwig-c %s: %d thread(s), random seed %llu\n", lc_version(),
                o->threads, (unsigned long long)o->random_seed);
    for (int k = 0; k < X->cfg->nin; k++) { /* a missing pretrained file before any image */
        char path[4096];
        if ((st = backbone_file(X, k, path, sizeof path, e)))
            return st;
        if ((st = hf_snapshot(X, k, e)))
            return st;
    }
    lc_dataset_opts dopts = {.dataset = o->dataset,
                             .training_set = o->training_set,
                             .validation_set = o->validation_set,
                             .test_set = o->test_set,
                             .data_format = o->data_format,
                             .raw_data = o->raw_data,
                             .metadata_path = o->training_set_metadata,
                             .seed = o->random_seed,
                             .log = o->progress,
                             .config_path = o->config_path,
                             .stop = o->stop_flag,
                             .defer_images = X->defer};
    if ((st = lc_dataset_build(X->cfg, &dopts, X->pool, &X->ds, e)))
        return st;
    /* pretrained embeddings: the GloVe file's size is the embedding's */
    for (int k = 0; k < X->cfg->nin; k++)
        if (X->cfg->in[k].tx_pretrained &&
            (st = lc_glove_dim(X->cfg->in[k].tx_pretrained, &X->cfg->in[k].enc.embed_size, e)))
            return st;
    return o->k_fold ? LC_OK : build_model(X, e); /* k-fold builds one per fold */
}

/* The rows the final evaluation of the eval split reads (none for `train`): *n of them, in a new
 * array (NULL: out of memory). */
static int32_t *eval_rows(const exp_run *X, size_t *n)
{
    const lc_dataset *ds = X->ds;
    *n = X->o->train_only ? 0 : X->eval_s == 3 ? ds->n : ds->count[X->eval_s];
    int32_t *r = malloc((*n + 1) * sizeof *r);
    for (size_t i = 0; r && i < *n; i++)
        r[i] = X->eval_s == 3 ? (int32_t)i : ds->idx[X->eval_s][i];
    return r;
}

/* Several ranks: each decodes the images of the rows it uses (lc_dp_rows_needed), then all agree
 * that every rank could. */
static lc_status decode_share(exp_run *X, lc_error *e)
{
    const lc_experiment_opts *o = X->o;
    lc_dataset *ds = X->ds;
    int EB = 0;
    lc_status st = lc_train_eval_batch(X->cfg, ds, X->m, X->dp_groups, &EB, e);
    size_t nfin;
    int32_t *fin = eval_rows(X, &nfin);
    unsigned char *want = malloc(ds->n + 1);
    if (!st && (!want || !fin))
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    size_t dec = 0;
    if (!st)
        st = lc_dp_rows_needed(X->cfg, ds, X->m, X->dp_groups, EB, fin, nfin,
                               lc_calibration_split(X->m, ds), want, e);
    if (!st)
        st = lc_dataset_decode_images(ds, want, X->pool, &dec, e);
    free(want);
    free(fin);
    st = lc_dist_agree(o->dist, st, e);
    if (!st && o->progress && lc_dist_size(o->dist) > 1) {
        size_t rows = 0;
        for (int k = 0; k < ds->nin + ds->nout; k++)
            rows += (k < ds->nin ? ds->in[k].type : ds->out[k - ds->nin].type) == LC_FT_IMAGE ? ds->n : 0;
        if (rows)
            fprintf(o->progress, "ludwig-c: MPI: rank 0 decoded %zu of the %zu images, the rows it trains and evaluates on\n",
                    dec, rows);
    }
    return st;
}

/* The model for the dataset's training split: initialised with the seed, its pretrained
 * embeddings, or --model_load_path's weights. */
static lc_status build_model(exp_run *X, lc_error *e)
{
    const lc_experiment_opts *o = X->o;
    char path[4096];
    lc_status st;
    const lc_config *cfg = X->cfg;
    const lc_dataset *ds = X->ds;
    int B = lc_train_batch_size(cfg, ds->count[0]);
    int EB = lc_eval_batch_size(cfg, B);
    /* Ludwig's --model_load_path model is LudwigModel.load's, built from the saved config
     * (saved_weights_in_checkpoint): googlenet's and inceptionv3's transform_input off */
    for (int k = 0; o->model_load_path && k < cfg->nin; k++)
        X->cfg->in[k].enc.tv_transform_input = 0;
    /* the training batch always; an automatic eval_batch_size as memory allows (Ludwig tunes it
     * to the machine too) */
    if ((st = lc_model_build(cfg, ds, B > EB ? B : EB, cfg->eval_batch_size > 0 && EB > B ? EB : B,
                             o->threads, 0, &X->m, e)))
        return st;
    lc_model_init_params(X->m, o->random_seed);
    X->m->dist = o->dist;
    if ((st = pretrained_embeddings(X, e)) || (st = pretrained_backbones(X, e)))
        return st;
    if (o->model_load_path) {
        snprintf(path, sizeof path, "%s/model_weights", o->model_load_path);
        if ((st = lc_weights_load(X->m, path, e)))
            return st;
    }
    if (o->progress) {
        fprintf(o->progress, "ludwig-c: model: %zu parameters, %d input(s), %d output(s)",
                X->m->nparams, cfg->nin, cfg->nout);
        if (cfg->nin == 1 && cfg->in[0].type == LC_FT_IMAGE)
            fprintf(o->progress, ", input %dx%dx%d", ds->in[0].C, ds->in[0].H, ds->in[0].W);
        if (cfg->nout == 1 && cfg->out[0].type == LC_FT_CATEGORY)
            fprintf(o->progress, ", %d classes", ds->out[0].nclasses);
        fputc('\n', o->progress);
    }
    return LC_OK;
}

/* A staging directory a killed run left (lc_stage_open's sweep): its last epoch's checkpoint is
 * kept as <name>.interrupted, as an interrupted run's is. */
static void salvage_checkpoint(const char *dir, void *log)
{
    char *kept = lc_checkpoint_keep(dir, NULL);
    if (kept && log)
        fprintf(log, "ludwig-c: note: the last completed epoch of a run that was killed is in %s (resume it with --model_resume_path)\n",
                kept);
    free(kept);
}

/* The staging directory (with model/) and description.json, written before training as Ludwig
 * does. */
static lc_status stage_and_describe(exp_run *X, lc_error *e)
{
    const lc_experiment_opts *o = X->o;
    char path[4096];
    lc_status st;
    if (!X->writer) /* rank 0 writes */
        return LC_OK;
    snprintf(path, sizeof path, "%s_%s", X->en, X->mn);
    if ((st = lc_stage_open(&X->stage, X->od, path, salvage_checkpoint, o->progress, o->progress, e)))
        return st;
    snprintf(path, sizeof path, "%s/model", X->stage.dir);
    if ((st = lc_mkdir_p(path, e)))
        return st;
    if (o->skip_save_training_description)
        return LC_OK;
    cJSON *desc = cJSON_CreateObject();
    cJSON_AddStringToObject(desc, "command", o->command_line ? o->command_line : "ludwig-c experiment");
    cJSON *compute = cJSON_AddObjectToObject(desc, "compute");
    cJSON_AddItemToObject(compute, "num_nodes", lc_json_int(lc_dist_size(o->dist)));
    cJSON_AddItemToObject(compute, "threads", lc_json_int(o->threads));
    cJSON_AddItemToObject(desc, "config", cJSON_Duplicate(X->cfg->full, 1));
    cJSON_AddStringToObject(desc, "data_format", X->ds->data_format);
    if (o->dataset)
        cJSON_AddStringToObject(desc, "dataset", o->dataset);
    if (o->training_set)
        cJSON_AddStringToObject(desc, "training_set", o->training_set);
    if (o->validation_set)
        cJSON_AddStringToObject(desc, "validation_set", o->validation_set);
    if (o->test_set)
        cJSON_AddStringToObject(desc, "test_set", o->test_set);
    if (o->training_set_metadata)
        cJSON_AddStringToObject(desc, "training_set_metadata", o->training_set_metadata);
    cJSON_AddStringToObject(desc, "ludwig_c_version", lc_version());
    cJSON_AddStringToObject(desc, "ludwig_version", "0.10.3");
    cJSON_AddItemToObject(desc, "random_seed", lc_json_int((long long)o->random_seed));
    snprintf(path, sizeof path, "%s/description.json", X->stage.dir);
    st = lc_json_write_file(desc, path, e);
    cJSON_Delete(desc);
    return st;
}

static lc_status train(exp_run *X, lc_error *e)
{
    const lc_experiment_opts *o = X->o;
    lc_train_opts topts = {.seed = o->random_seed, .pool = X->pool, .progress = o->progress,
                           .stop = o->stop_flag,
                           .resume_from = X->resume_ckpt[0] ? X->resume_ckpt : NULL,
                           .dp_groups = X->dp_groups};
    char ckpt_dir[4096];
    if (!o->skip_save_progress && X->writer) {
        snprintf(ckpt_dir, sizeof ckpt_dir, "%s/model/%s", X->stage.dir, LC_CHECKPOINT_DIR);
        lc_status st = lc_mkdir_p(ckpt_dir, e);
        if (st)
            return st;
        topts.checkpoint_dir = ckpt_dir;
    }
    return lc_train(X->cfg, X->ds, X->m, &topts, &X->tr, e);
}

/* The eval split with the final model: test_statistics.json and the predictions (`ludwig train`
 * evaluates nothing). */
static lc_status evaluate(exp_run *X, lc_error *e)
{
    const lc_experiment_opts *o = X->o;
    const lc_dataset *ds = X->ds;
    char path[4096];
    size_t n;
    if (!(X->eidx = eval_rows(X, &n)))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for predictions");
    if (n == 0) {
        if (o->progress && !o->train_only)
            fprintf(o->progress, "ludwig-c: warning: the %s split is empty: no test statistics or predictions are written\n",
                    X->eval_split);
        return LC_OK;
    }
    if (!(X->preds = malloc(n * sizeof *X->preds)))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for predictions");
    double te = lc_now_s();
    lc_status st = lc_eval_run(X->cfg, ds, X->m, X->pool, X->eidx, n, X->tr.eval_batch_size,
                               &X->ev, e);
    if (st)
        return st;
    X->tr.eval_seconds += lc_now_s() - te;
    X->tr.eval_samples += n;
    if (!X->writer)
        return LC_OK;
    if (X->cfg->out[0].type == LC_FT_CATEGORY)
        lc_eval_argmax(&X->ev, 0, X->preds);
    if ((st = lc_eval_statistics(X->cfg, &X->ev, 1, &X->test_stats, e)))
        return st;
    if (!o->skip_save_eval_stats && !o->skip_save_test_statistics) {
        snprintf(path, sizeof path, "%s/test_statistics.json", X->stage.dir);
        if ((st = lc_json_write_file(X->test_stats, path, e)))
            return st;
    }
    if (o->skip_save_predictions)
        return LC_OK;
    snprintf(path, sizeof path, "%s/predictions_parquet.csv", X->stage.dir);
    if ((st = lc_eval_write_predictions(path, X->cfg, ds, &X->ev, e)))
        return st;
    cJSON *shapes = cJSON_CreateObject();
    snprintf(path, sizeof path, "%s/predictions.shapes.json", X->stage.dir);
    st = shapes ? lc_json_write_file(shapes, path, e) : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    cJSON_Delete(shapes);
    return st;
}

/* model_weights with the loss modules' weights Ludwig registers (ludwig/modules/loss_modules.py):
 * a category output's class_weights as CrossEntropyLoss.weight, a set's as
 * BCEWithLogitsLoss.pos_weight, a binary output's positive_class_weight as its pos_weight. */
static lc_status save_weights(const exp_run *X, const char *path, lc_error *e)
{
    const lc_config *cfg = X->cfg;
    lc_extra_tensor *x = calloc((size_t)cfg->nout + 1, sizeof *x);
    float **own = calloc((size_t)cfg->nout + 1, sizeof *own);
    float *pos = calloc((size_t)cfg->nout + 1, sizeof *pos);
    lc_status st = x && own && pos ? LC_OK : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    int nx = 0;
    for (int o = 0; o < cfg->nout && !st; o++) {
        const lc_feature *f = &cfg->out[o];
        const char *buf = NULL;
        int n = 0;
        const float *data = NULL;
        if (f->type == LC_FT_CATEGORY || f->type == LC_FT_SET) {
            st = lc_category_class_weights(cfg, f, &X->ds->out[o], &own[o], e);
            buf = f->type == LC_FT_CATEGORY ? "weight" : "pos_weight";
            n = X->ds->out[o].nclasses;
            data = own[o];
        } else if (f->type == LC_FT_BINARY && f->positive_class_weight > 0) {
            pos[o] = (float)f->positive_class_weight;
            buf = "pos_weight", n = 1, data = &pos[o];
        }
        if (!st && data) {
            snprintf(x[nx].name, sizeof x[nx].name,
                     "output_features.module_dict.%s__ludwig." LC_WEIGHTS_LOSS_MODULE ".%s", f->name, buf);
            x[nx].n = n;
            x[nx++].data = data;
        }
    }
    if (!st)
        st = lc_weights_save(X->m, path, x, nx, e);
    for (int o = 0; own && o < cfg->nout; o++)
        free(own[o]);
    free(own);
    free(pos);
    free(x);
    return st;
}

/* training_statistics.json and model/: metadata, the saved config, progress, weights. */
static lc_status write_model(exp_run *X, lc_error *e)
{
    char path[4096];
    lc_status st = LC_OK;
    if (!X->o->skip_save_training_statistics) {
        snprintf(path, sizeof path, "%s/training_statistics.json", X->stage.dir);
        if ((st = lc_json_write_file(X->tr.stats, path, e)))
            return st;
    }
    cJSON *meta = lc_dataset_metadata(X->cfg, X->ds);
    cJSON *hyper = hyperparameters_json(X->cfg, X->ds, X->m, &X->tr);
    snprintf(path, sizeof path, "%s/model/training_set_metadata.json", X->stage.dir);
    if (!meta || !hyper)
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    if (!st)
        st = lc_json_write_file(meta, path, e);
    snprintf(path, sizeof path, "%s/model/model_hyperparameters.json", X->stage.dir);
    if (!st)
        st = lc_json_write_file(hyper, path, e);
    cJSON_Delete(meta);
    cJSON_Delete(hyper);
    snprintf(path, sizeof path, "%s/model/training_progress.json", X->stage.dir);
    if (!st)
        st = lc_json_write_file(X->tr.progress, path, e);
    snprintf(path, sizeof path, "%s/model/model_weights", X->stage.dir);
    if (!st && !X->o->skip_save_model)
        st = save_weights(X, path, e);
    return st;
}

static const char *report_name(const exp_run *X)
{
    return X->o->train_only ? "ludwig_train_report.html" : "ludwig_experiment_report.html";
}

/* The report into the staging directory (published next to the run directory, where the
 * Galaxy wrapper collects it). */
static lc_status write_report(exp_run *X, lc_error *e)
{
    const lc_experiment_opts *o = X->o;
    const lc_train_result *tr = &X->tr;
    const lc_dataset *ds = X->ds;
    double wall = lc_now_s() - X->t_begin;
    cJSON *summary = cJSON_CreateObject();
    if (!summary)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    cJSON_AddItemToObject(summary, "training rows", lc_json_int((long long)ds->count[0]));
    cJSON_AddItemToObject(summary, "validation rows", lc_json_int((long long)ds->count[1]));
    cJSON_AddItemToObject(summary, "test rows", lc_json_int((long long)ds->count[2]));
    if (X->cfg->nout == 1 && X->cfg->out[0].type == LC_FT_CATEGORY)
        cJSON_AddItemToObject(summary, "classes", lc_json_int(ds->out[0].nclasses));
    cJSON_AddItemToObject(summary, "epochs run", lc_json_int(tr->epochs_run));
    cJSON_AddItemToObject(summary, "best epoch", lc_json_int(tr->best_epoch));
    cJSON_AddBoolToObject(summary, "early stopped", tr->early_stopped);
    cJSON_AddItemToObject(summary, "batch size", lc_json_int(tr->batch_size));
    cJSON_AddItemToObject(summary, "random seed", lc_json_int((long long)o->random_seed));
    cJSON_AddItemToObject(summary, "threads", lc_json_int(o->threads));
    cJSON_AddItemToObject(summary, "training samples/s", lc_json_float(round(tr->samples_per_second)));
    if (tr->eval_seconds > 0)
        cJSON_AddItemToObject(summary, "evaluation samples/s",
                              lc_json_float(round((double)tr->eval_samples / tr->eval_seconds)));
    cJSON_AddItemToObject(summary, "wall time (s)", lc_json_float(round(wall * 10) / 10));
    cJSON_AddStringToObject(summary, "ludwig-c version", lc_version());
    if (X->defer && X->test_stats && X->preds && X->eidx && X->ev.labels && X->ev.labels[0]) {
        /* the report's gallery of misclassified images: rows other ranks evaluated too */
        unsigned char *want = calloc(ds->n + 1, 1);
        size_t dec = 0;
        lc_status st = want ? LC_OK : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; want && i < X->ev.n; i++)
            if (X->preds[i] != X->ev.labels[0][i])
                want[X->eidx[i]] = 1;
        if (!st)
            st = lc_dataset_decode_images(X->ds, want, X->pool, &dec, e);
        free(want);
        if (st) {
            cJSON_Delete(summary);
            return st;
        }
    }
    lc_report_info ri = {.title = o->train_only ? "Ludwig Train" : "Ludwig Experiment",
                         .eval_split = X->eval_split, .test_stats = X->test_stats,
                         .train_stats = tr->stats, .summary = summary,
                         .best_epoch = tr->best_epoch};
    lc_report_fill(&ri, X->cfg, ds, X->test_stats ? &X->ev : NULL, X->preds, X->m, &X->cal);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", X->stage.dir, report_name(X));
    lc_status st = lc_report_write(path, &ri, e);
    lc_report_release(&ri);
    cJSON_Delete(summary);
    return st;
}

/* Renames the staging directory to the first free run name (Ludwig's name, name_0, name_1, ...)
 * without ever replacing one (renameat2 RENAME_NOREPLACE: two runs publishing at once each get
 * their own name), then the report next to it. */
static lc_status publish(exp_run *X, lc_error *e)
{
    char path[4096];
    int done = 0;
    for (int k = -1; k < 10000 && !done; k++) {
        if (k < 0)
            snprintf(path, sizeof path, "%s/%s_%s", X->od, X->en, X->mn);
        else
            snprintf(path, sizeof path, "%s/%s_%s_%d", X->od, X->en, X->mn, k);
        if (renameat2(AT_FDCWD, X->stage.dir, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
            done = 1;
        else if (errno != EEXIST && errno != ENOTEMPTY)
            return lc_error_set(e, LC_ERR_IO, "%s: cannot publish the results: %m", path);
    }
    if (!done)
        return lc_error_set(e, LC_ERR_IO, "%s: no free run name to publish the results under", X->od);
    lc_stage_release(&X->stage);
    if (!(X->final_dir = lc_strdup(path)))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    /* the run directory keeps its own report; the one beside it (where the Galaxy wrapper
     * collects it) is replaced in one rename by a hard link, so it is always some run's whole
     * report, never missing */
    char rep_src[4096], rep_tmp[4096], rep_dst[4096];
    snprintf(rep_src, sizeof rep_src, "%s/%s", X->final_dir, report_name(X));
    snprintf(rep_tmp, sizeof rep_tmp, "%s.%s.tmp", X->final_dir, report_name(X));
    snprintf(rep_dst, sizeof rep_dst, "%s/%s", X->od, report_name(X));
    if (link(rep_src, rep_tmp) != 0 || rename(rep_tmp, rep_dst) != 0) {
        unlink(rep_tmp);
        return lc_error_set(e, LC_ERR_IO, "%s: cannot publish the report: %m", rep_dst);
    }
    return LC_OK;
}

/* ---- k-fold cross validation ---- */

/* Every number in v (a number, or lists of them), appended to vals; 0 when v holds anything else */
static int numeric_leaves(const cJSON *v, double **vals, size_t *n, size_t *cap)
{
    if (cJSON_IsNumber(v)) {
        if (*n == *cap) {
            size_t c = *cap ? *cap * 2 : 16;
            double *nv = realloc(*vals, c * sizeof *nv);
            if (!nv)
                return 0;
            *vals = nv, *cap = c;
        }
        (*vals)[(*n)++] = v->valuedouble;
        return 1;
    }
    if (!cJSON_IsArray(v))
        return 0;
    for (const cJSON *it = v->child; it; it = it->next)
        if (!numeric_leaves(it, vals, n, cap))
            return 0;
    return 1;
}

/* kfold_cross_validate's `overall`: for each output (and combined) and each metric of the folds'
 * test statistics but the curves, matrices and per-class tables, <metric>_mean and <metric>_std
 * (numpy's mean and population std, over every number the folds give for it) */
static cJSON *kfold_overall(const cJSON *stats, int k)
{
    static const char *const skip[] = {"predictions", "probabilities", "confusion_matrix",
                                       "overall_stats", "per_class_stats", "roc_curve",
                                       "precision_recall_curve"};
    cJSON *overall = cJSON_CreateObject();
    char key[80];
    snprintf(key, sizeof key, "fold_1");
    const cJSON *first = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(stats, key), "fold_eval_stats");
    for (const cJSON *of = first ? first->child : NULL; overall && of; of = of->next) {
        cJSON *o = cJSON_AddObjectToObject(overall, of->string);
        for (const cJSON *mt = of->child; o && mt; mt = mt->next) {
            int skipped = 0;
            for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
                skipped |= strcmp(mt->string, skip[i]) == 0;
            if (skipped)
                continue;
            double *vals = NULL;
            size_t n = 0, cap = 0;
            int ok = 1;
            for (int f = 1; f <= k && ok; f++) {
                snprintf(key, sizeof key, "fold_%d", f);
                const cJSON *fe = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(stats, key), "fold_eval_stats");
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(fe, of->string), mt->string);
                ok = v && numeric_leaves(v, &vals, &n, &cap);
            }
            if (ok && n) {
                double mean = 0, var = 0;
                for (size_t i = 0; i < n; i++)
                    mean += vals[i];
                mean /= (double)n;
                for (size_t i = 0; i < n; i++)
                    var += (vals[i] - mean) * (vals[i] - mean);
                snprintf(key, sizeof key, "%s_mean", mt->string);
                cJSON_AddItemToObject(o, key, cJSON_CreateNumber(mean));
                snprintf(key, sizeof key, "%s_std", mt->string);
                cJSON_AddItemToObject(o, key, cJSON_CreateNumber(sqrt(var / (double)n)));
            }
            free(vals);
        }
    }
    return overall;
}

/* Ludwig's k-fold cross validation (ludwig/api.py kfold_cross_validate, ludwig/experiment.py):
 * the rows of --dataset in k folds (lc_kfold.h, over every row read, as Ludwig folds data_df);
 * for each, a new model trained on the other folds' rows (no validation rows) and tested on the
 * fold's; kfold_training_statistics.json (fold_<i>: its training statistics and
 * fold_eval_stats; overall: each metric's mean and std) and kfold_split_indices.json (the rows
 * of each fold, unless --skip_save_k_fold_split_indices) in the output directory. The
 * preprocessing (vocabularies, normalisation) is fitted once on all rows, as each of Ludwig's
 * folds fits it on its training and test rows together. No model is kept, as in Ludwig. */
static lc_status kfold(exp_run *X, lc_error *e)
{
    const lc_experiment_opts *o = X->o;
    lc_dataset *ds = X->ds;
    const int k = o->k_fold;
    char path[4096], key[32];
    int *fold = malloc((ds->nall + 1) * sizeof *fold);
    cJSON *stats = cJSON_CreateObject(), *indices = cJSON_CreateObject();
    lc_status st = fold && stats && indices ? LC_OK : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    if (!st)
        st = lc_kfold_assign(ds->nall, k, (uint32_t)o->random_seed, fold, e);
    for (int s = 0; s < 3 && !st; s++) {
        int32_t *ni = realloc(ds->idx[s], (ds->n + 1) * sizeof *ni);
        if (!ni)
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        else
            ds->idx[s] = ni;
    }
    for (int f = 0; f < k && !st; f++) {
        /* the fold's rows test, the others train */
        ds->count[0] = ds->count[1] = ds->count[2] = 0;
        for (size_t i = 0; i < ds->n; i++) {
            ds->split[i] = fold[ds->row[i]] == f ? 2 : 0;
            ds->idx[ds->split[i]][ds->count[ds->split[i]]++] = (int32_t)i;
        }
        snprintf(key, sizeof key, "fold_%d", f + 1);
        cJSON *fi = cJSON_AddObjectToObject(indices, key);
        cJSON *tri = cJSON_AddArrayToObject(fi, "training_indices");
        cJSON *tei = cJSON_AddArrayToObject(fi, "test_indices");
        for (size_t r = 0; r < ds->nall && tri && tei; r++)
            cJSON_AddItemToArray(fold[r] == f ? tei : tri, lc_json_int((long long)r));
        if (o->progress)
            fprintf(o->progress, "ludwig-c: fold %d of %d: training on %zu row(s), testing on %zu\n",
                    f + 1, k, ds->count[0], ds->count[2]);
        if (ds->count[0] == 0 || ds->count[2] == 0) {
            st = lc_error_set(e, LC_ERR_DATA, "%s: fold %d of %d has %s rows left after rows with missing values were dropped",
                              ds->src, f + 1, k, ds->count[0] ? "no test" : "no training");
            break;
        }
        lc_model_free(X->m);
        X->m = NULL;
        lc_train_result_free(&X->tr);
        memset(&X->tr, 0, sizeof X->tr);
        lc_calibration_free(&X->cal);
        memset(&X->cal, 0, sizeof X->cal);
        if ((st = build_model(X, e)))
            break;
        lc_train_opts topts = {.seed = o->random_seed, .pool = X->pool, .progress = o->progress,
                               .stop = o->stop_flag};
        if ((st = lc_train(X->cfg, ds, X->m, &topts, &X->tr, e)) ||
            (st = lc_calibrate(X->m, X->pool, X->cfg, ds, X->tr.eval_batch_size, o->progress, &X->cal, e)))
            break;
        lc_eval ev;
        memset(&ev, 0, sizeof ev);
        cJSON *ts = NULL;
        st = lc_eval_run(X->cfg, ds, X->m, X->pool, ds->idx[2], ds->count[2], X->tr.eval_batch_size, &ev, e);
        if (!st)
            st = lc_eval_statistics(X->cfg, &ev, 1, &ts, e);
        lc_eval_free(&ev);
        if (st)
            break;
        cJSON *fs = cJSON_Duplicate(X->tr.stats, 1);
        if (!fs) {
            cJSON_Delete(ts);
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            break;
        }
        cJSON_AddItemToObject(fs, "fold_eval_stats", ts);
        cJSON_AddItemToObject(stats, key, fs);
    }
    if (!st) {
        cJSON *overall = kfold_overall(stats, k);
        if (!overall)
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        else
            cJSON_AddItemToObject(stats, "overall", overall);
    }
    if (!st)
        st = lc_mkdir_p(X->od, e);
    snprintf(path, sizeof path, "%s/kfold_training_statistics.json", X->od);
    if (!st)
        st = lc_json_write_file(stats, path, e);
    snprintf(path, sizeof path, "%s/kfold_split_indices.json", X->od);
    if (!st && !o->skip_save_k_fold_split_indices)
        st = lc_json_write_file(indices, path, e);
    if (!st) { /* the report: the run's facts and the cross-validation tables */
        cJSON *summary = cJSON_CreateObject();
        lc_report_info ri = {.title = "Ludwig Experiment", .summary = summary, .kfold = stats};
        if (summary) {
            cJSON_AddItemToObject(summary, "folds", lc_json_int(k));
            cJSON_AddItemToObject(summary, "rows", lc_json_int((long long)ds->n));
            if (ds->nall != ds->n)
                cJSON_AddItemToObject(summary, "rows dropped (missing values)",
                                      lc_json_int((long long)(ds->nall - ds->n)));
            cJSON_AddStringToObject(summary, "dataset", o->dataset);
            cJSON_AddStringToObject(summary, "config", o->config_path);
            cJSON_AddItemToObject(summary, "random seed", lc_json_int((long long)o->random_seed));
            cJSON_AddItemToObject(summary, "threads", lc_json_int(o->threads));
            cJSON_AddItemToObject(summary, "seconds", cJSON_CreateNumber(round((lc_now_s() - X->t_begin) * 10) / 10));
        }
        snprintf(path, sizeof path, "%s/%s", X->od, report_name(X));
        st = summary ? lc_report_write(path, &ri, e) : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        cJSON_Delete(summary);
    }
    if (!st && o->progress) {
        const cJSON *ov = cJSON_GetObjectItemCaseSensitive(stats, "overall");
        for (const cJSON *of = ov ? ov->child : NULL; of; of = of->next) {
            const char *name = of->string;
            const lc_feature *F = NULL;
            for (int q = 0; q < X->cfg->nout; q++)
                if (strcmp(X->cfg->out[q].name, name) == 0)
                    F = &X->cfg->out[q];
            const char *metric = F && F->type == LC_FT_NUMBER ? "mean_squared_error" : "accuracy";
            if (!F)
                metric = "loss";
            char mk[96], sk[96];
            snprintf(mk, sizeof mk, "%s_mean", metric);
            snprintf(sk, sizeof sk, "%s_std", metric);
            const cJSON *mv = cJSON_GetObjectItemCaseSensitive(of, mk), *sv = cJSON_GetObjectItemCaseSensitive(of, sk);
            if (cJSON_IsNumber(mv) && cJSON_IsNumber(sv))
                fprintf(o->progress, "ludwig-c: %d-fold %s %s: %.4f (std %.4f)\n", k, name, metric,
                        mv->valuedouble, sv->valuedouble);
        }
    }
    cJSON_Delete(stats);
    cJSON_Delete(indices);
    free(fold);
    return st;
}

lc_status lc_experiment(const lc_experiment_opts *o, char **run_dir_out, lc_error *e)
{
    return lc_experiment_with_config(o, NULL, run_dir_out, NULL, NULL, e);
}

lc_status lc_experiment_with_config(const lc_experiment_opts *o, lc_config *cfg,
                                    char **run_dir_out, cJSON **train_stats, cJSON **eval_stats,
                                    lc_error *e)
{
    exp_run X = {.o = o, .cfg = cfg, .t_begin = lc_now_s()};
    if (run_dir_out)
        *run_dir_out = NULL;
    if (train_stats)
        *train_stats = NULL;
    if (eval_stats)
        *eval_stats = NULL;
    note_sink notes = {.f = o->progress};
    lc_status st = check_args(&X, e);
    if (!st)
        st = prepare(&X, &notes, e);
    /* every rank read and built the same, or all stop (a rank may fail alone: memory) */
    st = lc_dist_agree(o->dist, st, e);
    if (!st && X.defer)
        st = decode_share(&X, e);
    if (!st && o->k_fold) {
        st = kfold(&X, e);
        if (!st && run_dir_out && !(*run_dir_out = lc_strdup(X.od)))
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (!st)
        st = lc_dist_agree(o->dist, stage_and_describe(&X, e), e); /* rank 0's files */
    if (!st)
        st = train(&X, e);
    if (!st && lc_dist_size(o->dist) > 1 && o->progress && X.tr.steps > 0) {
        lc_dist_stats ds = lc_dist_get_stats(o->dist);
        double steps = (double)X.tr.steps; /* the evaluations' exchanges are counted in */
        fprintf(o->progress,
                "ludwig-c: MPI: %d ranks; rank 0 sent %.2f MB and received %.2f MB per training step (gradients, rows, evaluations), %.2f ms per step in collectives (%.0f%% of the training time)\n",
                lc_dist_size(o->dist), (double)ds.bytes_sent / steps / 1e6,
                (double)ds.bytes_received / steps / 1e6, 1e3 * ds.seconds / steps,
                X.tr.train_seconds > 0 ? 100.0 * ds.seconds / X.tr.train_seconds : 0.0);
    }
    if (!st) /* Ludwig calibrates after training, before saving and evaluating the model */
        st = lc_calibrate(X.m, X.pool, X.cfg, X.ds, X.tr.eval_batch_size, o->progress, &X.cal, e);
    if (!st)
        st = evaluate(&X, e);
    if (!st && X.writer)
        st = write_model(&X, e);
    if (!st && X.writer)
        st = write_report(&X, e);
    if (!st && X.writer)
        st = publish(&X, e);
    if (!st) {
        const lc_train_result *tr = &X.tr;
        if (o->progress)
            fprintf(o->progress,
                    "ludwig-c: done in %.1fs (training %.1fs, %.0f samples/s; evaluation %.1fs, %.0f samples/s)\n",
                    lc_now_s() - X.t_begin, tr->train_seconds, tr->samples_per_second,
                    tr->eval_seconds,
                    tr->eval_seconds > 0 ? (double)tr->eval_samples / tr->eval_seconds : 0.0);
        if (o->model_resume_path)
            lc_checkpoint_discard_interrupted(o->model_resume_path);
        if (run_dir_out) {
            *run_dir_out = X.final_dir;
            X.final_dir = NULL;
        }
        if (train_stats)
            *train_stats = X.tr.stats, X.tr.stats = NULL;
        if (eval_stats)
            *eval_stats = X.test_stats, X.test_stats = NULL;
    } else if (X.stage.dir[0] && st == LC_ERR_INTERRUPTED) {
        /* keep the last epoch's checkpoint (only that) so the run can be resumed */
        char *kept = lc_checkpoint_keep(X.stage.dir, o->model_resume_path);
        if (kept)
            lc_error_hint(e, "the last completed epoch was saved: rerun the same command with --model_resume_path %s to continue",
                          kept);
        free(kept);
    }
cleanup:
    lc_stage_remove(&X.stage);
    free(X.final_dir);
    cJSON_Delete(X.test_stats);
    lc_eval_free(&X.ev);
    free(X.preds);
    free(X.eidx);
    lc_train_result_free(&X.tr);
    lc_calibration_free(&X.cal);
    lc_model_free(X.m);
    lc_dataset_free(X.ds);
    lc_pool_destroy(X.pool);
    lc_config_free(X.cfg);
    return st;
}
