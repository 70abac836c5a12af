/* predict.c - `ludwig predict` and `ludwig evaluate` with a saved model directory: the config is
 * the saved model_hyperparameters.json, the vocabulary and image size come from
 * training_set_metadata.json, the parameters from model_weights. The dataset is preprocessed the
 * way Ludwig's preprocess_for_prediction does (no new vocabulary; the split column is read only
 * when a split other than full is asked for), every row of the split is run in eval mode, and the
 * files Ludwig writes into the output directory are written there: first into a staging directory
 * inside it, then renamed into place together, so a failed run adds no file.
 * The outputs stage (evaluation, statistics, predictions) is outputs.c's, shared with the
 * experiment; training lives in train.c and experiment.c; the report layout in lib/report. */
#include "ludwig_c.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lc_config.h"
#include "lc_dataset.h"
#include "lc_fs.h"
#include "lc_json.h"
#include "lc_mem.h"
#include "lc_model.h"
#include "lc_outputs.h"
#include "lc_prep_tab.h"
#include "lc_report.h"
#include "lc_train.h"
#include "lc_weights.h"

void lc_predict_opts_init(lc_predict_opts *o)
{
    memset(o, 0, sizeof *o);
    o->batch_size = 128;
    o->threads = 1;
}

/* Output files are written into a staging directory in <od> (lc_stage) and moved into <od>
 * together: under the directory's publishing lock (so two runs into one directory never mix their
 * files), each file that would be replaced is first kept aside in the staging directory, and a
 * failure half-way puts every one of them back. */
typedef struct out_stage {
    char od[2048];
    lc_stage s;
    const char *names[4];
    int n;
} out_stage;

static lc_status stage_open(out_stage *st, const char *od, FILE *log, lc_error *e)
{
    memset(st, 0, sizeof *st);
    if (snprintf(st->od, sizeof st->od, "%s", od) >= (int)sizeof st->od)
        return lc_error_set(e, LC_ERR_USAGE, "--output_directory is too long (%zu bytes; at most %zu)",
                            strlen(od), sizeof st->od - 1);
    return lc_stage_open(&st->s, od, "ludwig-c", NULL, NULL, log, e);
}

/* The staging path of output file name (a string literal), remembered for publishing. */
static const char *stage_path(out_stage *st, const char *name, char *buf, size_t cap)
{
    if (st->n < 4)
        st->names[st->n++] = name;
    snprintf(buf, cap, "%s/%s", st->s.dir, name);
    return buf;
}

static lc_status stage_publish(out_stage *st, lc_error *e)
{
    char from[4096], to[4096], old[4096];
    int had[4] = {0}, i, err = 0;
    int lock = lc_dir_lock(st->od);
    for (i = 0; i < st->n && !err; i++) {
        snprintf(from, sizeof from, "%s/%s", st->s.dir, st->names[i]);
        snprintf(to, sizeof to, "%s/%s", st->od, st->names[i]);
        snprintf(old, sizeof old, "%s/.old-%s", st->s.dir, st->names[i]);
        had[i] = link(to, old) == 0;
        if (!had[i] && errno != ENOENT)
            err = errno;
        else if (rename(from, to) != 0)
            err = errno;
    }
    if (err) { /* put back what was there: each published file, newest first */
        snprintf(to, sizeof to, "%s/%s", st->od, st->names[i - 1]);
        for (int j = i - 1; j >= 0; j--) {
            char dst[4096];
            snprintf(dst, sizeof dst, "%s/%s", st->od, st->names[j]);
            snprintf(old, sizeof old, "%s/.old-%s", st->s.dir, st->names[j]);
            snprintf(from, sizeof from, "%s/%s", st->s.dir, st->names[j]);
            if (access(from, F_OK) == 0) /* this one was not moved */
                continue;
            if (had[j])
                rename(old, dst);
            else
                unlink(dst);
        }
    }
    lc_dir_unlock(lock);
    if (err)
        return lc_error_set(e, LC_ERR_IO, "%s: cannot publish: %s (nothing was published)", to,
                            strerror(err));
    lc_stage_remove(&st->s);
    return LC_OK;
}

static void stage_abort(out_stage *st)
{
    lc_stage_remove(&st->s);
}

/* The model directory must hold the three files a ludwig_model dataset requires. */
static lc_status check_model_dir(const char *dir, lc_error *e)
{
    static const char *need[3] = {"model_hyperparameters.json", "training_set_metadata.json",
                                  "model_weights"};
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        lc_error_set(e, LC_ERR_USAGE, "--model_path %s: not a directory", dir);
        lc_error_hint(e, "give the model directory an experiment or train run wrote (<output_directory>/experiment_run/model)");
        return LC_ERR_USAGE;
    }
    for (int i = 0; i < 3; i++) {
        char p[4096];
        if (snprintf(p, sizeof p, "%s/%s", dir, need[i]) >= (int)sizeof p)
            return lc_error_set(e, LC_ERR_USAGE, "--model_path %s: path too long", dir);
        if (access(p, R_OK) != 0) {
            lc_error_set(e, LC_ERR_DATA, "--model_path %s: %s is missing (%s)", dir, need[i],
                         strerror(errno));
            lc_error_hint(e, "a saved model holds model_hyperparameters.json, training_set_metadata.json and model_weights");
            return LC_ERR_DATA;
        }
    }
    return LC_OK;
}

typedef struct run_ctx {
    lc_config *cfg;
    lc_dataset *ds;
    lc_model *m;
    lc_pool *pool;
    int32_t *idx;   /* (n) rows of the split */
    int32_t *preds; /* (n) first output's predicted class (category) */
    size_t n;
    lc_eval ev;
} run_ctx;

static void run_free(run_ctx *r)
{
    free(r->idx);
    free(r->preds);
    lc_eval_free(&r->ev);
    lc_model_free(r->m);
    lc_dataset_free(r->ds);
    lc_pool_destroy(r->pool);
    lc_config_free(r->cfg);
}

static void quiet_note(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

/* Loads the model, preprocesses the dataset and runs every row of the split. */
static lc_status run_model(const lc_predict_opts *o, int mode, run_ctx *r, lc_error *e)
{
    char path[4096];
    lc_status st;
    if (!o->model_path)
        return lc_error_set(e, LC_ERR_USAGE, "--model_path is required");
    if (!o->dataset)
        return lc_error_set(e, LC_ERR_USAGE, "--dataset is required");
    if (o->batch_size < 1)
        return lc_error_set(e, LC_ERR_USAGE, "--batch_size must be at least 1 (got %d)",
                            o->batch_size);
    const char *split = o->split ? o->split : "full";
    int s;
    if (strcmp(split, "training") == 0)
        s = 0;
    else if (strcmp(split, "validation") == 0)
        s = 1;
    else if (strcmp(split, "test") == 0)
        s = 2;
    else if (strcmp(split, "full") == 0)
        s = 3;
    else
        return lc_error_set(e, LC_ERR_USAGE,
                            "--split must be training, validation, test or full (got '%s')", split);
    if ((st = check_model_dir(o->model_path, e)))
        return st;
    /* the saved config: notes about it were shown when the model was trained */
    snprintf(path, sizeof path, "%s/model_hyperparameters.json", o->model_path);
    if ((st = lc_config_load_flags(path, LC_CONFIG_INFERENCE, &r->cfg, quiet_note, NULL, e)))
        return st;
    /* Ludwig splits the rows only when a split other than full is asked for: with full, a
     * fixed-split config does not need the split column */
    if (s == 3 && r->cfg->split == LC_SPLIT_FIXED)
        r->cfg->split = LC_SPLIT_RANDOM;
    r->pool = lc_pool_create(o->threads);
    if (!r->pool)
        return lc_error_set(e, LC_ERR_NOMEM, "cannot start %d threads", o->threads);
    if (o->progress)
        fprintf(o->progress, "ludwig-c %s: %d thread(s), model %s\n", lc_version(), o->threads,
                o->model_path);
    snprintf(path, sizeof path, "%s/training_set_metadata.json", o->model_path);
    lc_dataset_opts dopts = {.dataset = o->dataset,
                             .data_format = o->data_format,
                             .raw_data = o->raw_data,
                             .metadata_path = path,
                             .seed = 42, /* Ludwig's default random_seed for prediction splits */
                             .log = o->progress,
                             .config_path = r->cfg->path,
                             .stop = o->stop_flag,
                             .mode = mode};
    if ((st = lc_dataset_build(r->cfg, &dopts, r->pool, &r->ds, e)))
        return st;
    if (o->stop_flag && *o->stop_flag)
        return lc_error_set(e, LC_ERR_INTERRUPTED, "interrupted");
    /* pretrained embeddings: their size is the GloVe file's, as Ludwig reads it again */
    for (int k = 0; k < r->cfg->nin; k++)
        if (r->cfg->in[k].tx_pretrained &&
            (st = lc_glove_dim(r->cfg->in[k].tx_pretrained, &r->cfg->in[k].enc.embed_size, e)))
            return st;
    if ((st = lc_model_build(r->cfg, r->ds, o->batch_size, 1, o->threads, 1, &r->m, e))) {
        char pre[4096];
        snprintf(pre, sizeof pre, "%s/model_hyperparameters.json", o->model_path);
        if (strncmp(e->msg, pre, strlen(pre)) != 0) /* the message may name it already */
            lc_error_prefix(e, "%s: ", pre);
        return st;
    }
    snprintf(path, sizeof path, "%s/model_weights", o->model_path);
    if ((st = lc_weights_load(r->m, path, e)))
        return st;
    r->n = s == 3 ? r->ds->n : r->ds->count[s];
    if (r->n == 0)
        return lc_error_set(e, LC_ERR_DATA, "%s: the %s split has no rows", o->dataset, split);
    r->idx = malloc(r->n * sizeof *r->idx);
    r->preds = malloc(r->n * sizeof *r->preds);
    if (!r->idx || !r->preds)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for %zu predictions", r->n);
    for (size_t i = 0; i < r->n; i++)
        r->idx[i] = s == 3 ? (int32_t)i : r->ds->idx[s][i];
    int batch = o->batch_size;
    if (batch > r->m->max_batch && (size_t)r->m->max_batch < r->n) {
        if (o->progress)
            fprintf(o->progress, "ludwig-c: note: batches of %d rows, not %d: the model's activations for %d would take more than an eighth of this machine's memory (or 1 GiB)\n",
                    r->m->max_batch, batch, batch);
        batch = r->m->max_batch;
    }
    if (o->progress)
        fprintf(o->progress, "ludwig-c: %s %zu row(s) (%s split), batch size %d\n",
                mode == LC_DATASET_PREDICT ? "predicting" : "evaluating", r->n, split, batch);
    if ((st = lc_eval_run(r->cfg, r->ds, r->m, r->pool, r->idx, r->n, batch, &r->ev, e)))
        return st;
    if (r->cfg->out[0].type == LC_FT_CATEGORY)
        lc_eval_argmax(&r->ev, 0, r->preds);
    if (o->stop_flag && *o->stop_flag)
        return lc_error_set(e, LC_ERR_INTERRUPTED, "interrupted");
    return LC_OK;
}

static lc_status write_predictions(out_stage *stg, const run_ctx *r, lc_error *e)
{
    char path[4096];
    stage_path(stg, "predictions_parquet.csv", path, sizeof path);
    lc_status st = lc_eval_write_predictions(path, r->cfg, r->ds, &r->ev, e);
    if (st)
        return st;
    cJSON *shapes = cJSON_CreateObject();
    stage_path(stg, "predictions.shapes.json", path, sizeof path);
    st = shapes ? lc_json_write_file(shapes, path, e)
                : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    cJSON_Delete(shapes);
    return st;
}

lc_status lc_predict_run(const lc_predict_opts *o, lc_error *e)
{
    run_ctx r = {0};
    out_stage stg = {0};
    lc_status st = run_model(o, LC_DATASET_PREDICT, &r, e);
    const char *od = o->output_directory ? o->output_directory : "results";
    if (!st && !o->skip_save_predictions && !(st = stage_open(&stg, od, o->progress, e)) &&
        !(st = write_predictions(&stg, &r, e)))
        st = stage_publish(&stg, e);
    stage_abort(&stg);
    if (!st && o->progress)
        fprintf(o->progress, "ludwig-c: predictions in %s\n", od);
    run_free(&r);
    return st;
}

lc_status lc_evaluate_run(const lc_predict_opts *o, lc_error *e)
{
    run_ctx r = {0};
    out_stage stg = {0};
    cJSON *stats = NULL, *summary = NULL;
    char path[4096];
    const char *od = o->output_directory ? o->output_directory : "results";
    lc_status st = run_model(o, LC_DATASET_EVALUATE, &r, e);
    if (st)
        goto done;
    /* test_statistics.json as Ludwig's evaluate writes it: combined loss, the feature's metrics,
     * and (unless skipped) the overall statistics from the collected predictions */
    if ((st = lc_eval_statistics(r.cfg, &r.ev, !o->skip_collect_overall_stats, &stats, e)))
        goto done;
    if ((st = stage_open(&stg, od, o->progress, e)))
        goto done;
    if (!o->skip_collect_predictions && !o->skip_save_predictions &&
        (st = write_predictions(&stg, &r, e)))
        goto done;
    if (!o->skip_save_eval_stats) {
        stage_path(&stg, "test_statistics.json", path, sizeof path);
        if ((st = lc_json_write_file(stats, path, e)))
            goto done;
    }
    summary = cJSON_CreateObject();
    cJSON_AddStringToObject(summary, "model", o->model_path);
    cJSON_AddStringToObject(summary, "dataset", o->dataset);
    cJSON_AddStringToObject(summary, "split", o->split ? o->split : "full");
    cJSON_AddItemToObject(summary, "rows evaluated", lc_json_int((long long)r.n));
    if (r.cfg->nout == 1 && r.cfg->out[0].type == LC_FT_CATEGORY)
        cJSON_AddItemToObject(summary, "classes", lc_json_int(r.ds->out[0].nclasses));
    cJSON_AddItemToObject(summary, "batch size", lc_json_int(o->batch_size));
    cJSON_AddItemToObject(summary, "threads", lc_json_int(o->threads));
    cJSON_AddStringToObject(summary, "ludwig-c version", lc_version());
    /* class_freq: the training vocabulary's frequencies (from the model's metadata) */
    lc_report_info ri = {.title = "Ludwig Evaluate", .eval_split = o->split ? o->split : "full",
                         .test_stats = stats, .train_stats = NULL, .summary = summary};
    lc_report_fill(&ri, r.cfg, r.ds, &r.ev, r.preds, r.m, NULL);
    stage_path(&stg, "ludwig_evaluate_report.html", path, sizeof path);
    st = lc_report_write(path, &ri, e);
    lc_report_release(&ri);
    if (st || (st = stage_publish(&stg, e)))
        goto done;
    if (o->progress)
        fprintf(o->progress, "ludwig-c: evaluation in %s (loss %.4f)\n", od, r.ev.combined);
done:
    stage_abort(&stg);
    cJSON_Delete(stats);
    cJSON_Delete(summary);
    run_free(&r);
    return st;
}
