/* experiment.c - `ludwig experiment`: load the config, preprocess, train, evaluate the eval split
 * and write Ludwig's files. Everything is written into a staging directory inside the output
 * directory and renamed into place only when complete, so a failed or interrupted run leaves no
 * half-written result. */
#include "ludwig_c.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lc_checkpoint.h"
#include "lc_config.h"
#include "lc_dataset.h"
#include "lc_fs.h"
#include "lc_json.h"
#include "lc_mem.h"
#include "lc_model.h"
#include "lc_predict.h"
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
static cJSON *hyperparameters_json(const lc_config *cfg, const lc_dataset *d, const lc_model *m,
                                   const lc_train_result *tr)
{
    cJSON *h = cJSON_Duplicate(cfg->full, 1);
    cJSON *ins = cJSON_GetObjectItemCaseSensitive(h, "input_features");
    for (int k = 0; k < cfg->nin; k++) {
        cJSON *fin = cJSON_GetArrayItem(ins, k);
        cJSON *enc = cJSON_GetObjectItemCaseSensitive(fin, "encoder");
        const lc_column *c = &d->in[k];
        if (cfg->in[k].type == LC_FT_IMAGE) {
            cJSON_ReplaceItemInObjectCaseSensitive(enc, "height", lc_json_int(c->H));
            cJSON_ReplaceItemInObjectCaseSensitive(enc, "width", lc_json_int(c->W));
            cJSON_ReplaceItemInObjectCaseSensitive(enc, "num_channels", lc_json_int(c->C));
        } else if (cfg->in[k].type == LC_FT_CATEGORY) {
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
        cJSON_ReplaceItemInObjectCaseSensitive(fout, "input_size", lc_json_int((long long)m->comb_n));
        cJSON_ReplaceItemInObjectCaseSensitive(dec, "input_size", lc_json_int(dec_in));
        if (cfg->out[o].type == LC_FT_CATEGORY) {
            int C = d->out[o].nclasses;
            cJSON_ReplaceItemInObjectCaseSensitive(fout, "num_classes", lc_json_int(C));
            int top_k = cfg->out[o].top_k < C ? cfg->out[o].top_k : C;
            cJSON_ReplaceItemInObjectCaseSensitive(fout, "top_k", lc_json_int(top_k));
            cJSON_ReplaceItemInObjectCaseSensitive(dec, "num_classes", lc_json_int(C));
        }
    }
    cJSON *trn = cJSON_GetObjectItemCaseSensitive(h, "trainer");
    cJSON_ReplaceItemInObjectCaseSensitive(trn, "batch_size", lc_json_int(tr->batch_size));
    cJSON_ReplaceItemInObjectCaseSensitive(trn, "eval_batch_size",
                                           lc_json_int(tr->eval_batch_size));
    return h;
}

typedef struct run_state {
    char *staging;     /* <od>/.<name>.partial-<pid> */
    char *final_dir;   /* <od>/<name> */
    char *report_tmp;
} run_state;

lc_status lc_experiment(const lc_experiment_opts *o, char **run_dir_out, lc_error *e)
{
    double t_begin = lc_now_s();
    if (run_dir_out)
        *run_dir_out = NULL;
    if (o->k_fold)
        return lc_error_set(e, LC_ERR_USAGE,
                            "--k_fold cross validation is not supported by ludwig-c yet");
    char resume_ckpt[4096] = "";
    if (o->model_resume_path) {
        snprintf(resume_ckpt, sizeof resume_ckpt, "%s/model/%s/%s", o->model_resume_path,
                 LC_CHECKPOINT_DIR, LC_CHECKPOINT_FILE);
        if (access(resume_ckpt, R_OK) != 0) {
            lc_error_set(e, LC_ERR_USAGE, "--model_resume_path %s: no training checkpoint to resume from (%s: %m)",
                         o->model_resume_path, resume_ckpt);
            lc_error_hint(e, "give the directory of an earlier run (e.g. results/experiment_run, or the results/experiment_run.interrupted an interrupted run leaves) trained without --skip_save_progress");
            return LC_ERR_USAGE;
        }
    }
    const char *eval_split = o->eval_split ? o->eval_split : "test";
    int eval_s;
    if (strcmp(eval_split, "training") == 0)
        eval_s = 0;
    else if (strcmp(eval_split, "validation") == 0)
        eval_s = 1;
    else if (strcmp(eval_split, "test") == 0)
        eval_s = 2;
    else if (strcmp(eval_split, "full") == 0)
        eval_s = 3;
    else
        return lc_error_set(e, LC_ERR_USAGE,
                            "--eval_split must be training, validation, test or full (got '%s')",
                            eval_split);
    lc_config *cfg = NULL;
    lc_dataset *ds = NULL;
    lc_model *m = NULL;
    lc_pool *pool = NULL;
    lc_train_result tr = {0};
    run_state rs = {0};
    cJSON *test_stats = NULL, *desc = NULL, *meta = NULL, *hyper = NULL, *summary = NULL;
    lc_eval ev = {0};
    int32_t *preds = NULL, *eidx = NULL;
    char path[4096];
    note_sink notes = {.f = o->progress};
    lc_status st = lc_config_load(o->config_path, &cfg, note_to, &notes, e);
    if (st)
        goto fail;
    pool = lc_pool_create(o->threads);
    if (!pool) {
        st = lc_error_set(e, LC_ERR_NOMEM, "cannot start %d threads", o->threads);
        goto fail;
    }
    if (o->progress)
        fprintf(o->progress, "ludwig-c %s: %d thread(s), random seed %llu\n", lc_version(),
                o->threads, (unsigned long long)o->random_seed);
    lc_dataset_opts dopts = {.dataset = o->dataset,
                             .training_set = o->training_set,
                             .validation_set = o->validation_set,
                             .test_set = o->test_set,
                             .data_format = o->data_format,
                             .raw_data = o->raw_data,
                             .metadata_path = o->training_set_metadata,
                             .seed = o->random_seed,
                             .log = o->progress,
                             .config_path = o->config_path};
    if ((st = lc_dataset_build(cfg, &dopts, pool, &ds, e)))
        goto fail;
    /* the model */
    int B = lc_train_batch_size(cfg, ds->count[0]);
    int EB = lc_eval_batch_size(cfg, B);
    if ((st = lc_model_build(cfg, ds, B > EB ? B : EB, o->threads, &m, e)))
        goto fail;
    lc_model_init_params(m, o->random_seed);
    if (o->model_load_path) {
        snprintf(path, sizeof path, "%s/model_weights", o->model_load_path);
        if ((st = lc_weights_load(m, path, e)))
            goto fail;
    }
    if (o->progress) {
        fprintf(o->progress, "ludwig-c: model: %zu parameters, %d input(s), %d output(s)",
                m->nparams, cfg->nin, cfg->nout);
        if (cfg->nin == 1 && cfg->in[0].type == LC_FT_IMAGE)
            fprintf(o->progress, ", input %dx%dx%d", ds->in[0].C, ds->in[0].H, ds->in[0].W);
        if (cfg->nout == 1 && cfg->out[0].type == LC_FT_CATEGORY)
            fprintf(o->progress, ", %d classes", ds->out[0].nclasses);
        fputc('\n', o->progress);
    }
    /* staging directory */
    const char *od = o->output_directory ? o->output_directory : "results";
    if ((st = lc_mkdir_p(od, e)))
        goto fail;
    const char *en = o->experiment_name ? o->experiment_name : "experiment";
    const char *mn = o->model_name ? o->model_name : "run";
    if (strchr(en, '/') || strchr(mn, '/') || !*en || !*mn) {
        st = lc_error_set(e, LC_ERR_USAGE, "--experiment_name and --model_name must be plain names without '/'");
        goto fail;
    }
    snprintf(path, sizeof path, "%s/.%s_%s.partial-%ld", od, en, mn, (long)getpid());
    rs.staging = lc_strdup(path);
    if (!rs.staging || mkdir(rs.staging, 0755) != 0) {
        st = lc_error_set(e, LC_ERR_IO, "%s: cannot create the staging directory: %m", path);
        free(rs.staging);
        rs.staging = NULL;
        goto fail;
    }
    snprintf(path, sizeof path, "%s/model", rs.staging);
    if ((st = lc_mkdir_p(path, e)))
        goto fail;
    /* description.json is written before training, as Ludwig does */
    desc = cJSON_CreateObject();
    cJSON_AddStringToObject(desc, "command", o->command_line ? o->command_line : "ludwig-c experiment");
    cJSON *compute = cJSON_AddObjectToObject(desc, "compute");
    cJSON_AddItemToObject(compute, "num_nodes", lc_json_int(1));
    cJSON_AddItemToObject(compute, "threads", lc_json_int(o->threads));
    cJSON_AddItemToObject(desc, "config", cJSON_Duplicate(cfg->full, 1));
    cJSON_AddStringToObject(desc, "data_format", ds->data_format);
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
    if (!o->skip_save_training_description) {
        snprintf(path, sizeof path, "%s/description.json", rs.staging);
        if ((st = lc_json_write_file(desc, path, e)))
            goto fail;
    }
    /* train */
    lc_train_opts topts = {.seed = o->random_seed, .pool = pool, .progress = o->progress,
                           .stop = o->stop_flag, .resume_from = resume_ckpt[0] ? resume_ckpt : NULL};
    char ckpt_dir[4096];
    if (!o->skip_save_progress) {
        snprintf(ckpt_dir, sizeof ckpt_dir, "%s/model/%s", rs.staging, LC_CHECKPOINT_DIR);
        if ((st = lc_mkdir_p(ckpt_dir, e)))
            goto fail;
        topts.checkpoint_dir = ckpt_dir;
    }
    if ((st = lc_train(cfg, ds, m, &topts, &tr, e)))
        goto fail;
    /* evaluate the eval split with the final model (`ludwig train`: no evaluation, and the report
     * is ludwig_train_report.html, as the Galaxy train tool collects it) */
    const char *rep_name = o->train_only ? "ludwig_train_report.html" : "ludwig_experiment_report.html";
    size_t en_rows = o->train_only ? 0 : eval_s == 3 ? ds->n : ds->count[eval_s];
    if (en_rows > 0) {
        eidx = malloc(en_rows * sizeof *eidx);
        preds = malloc(en_rows * sizeof *preds);
        if (!eidx || !preds) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory for predictions");
            goto fail;
        }
        for (size_t i = 0; i < en_rows; i++)
            eidx[i] = eval_s == 3 ? (int32_t)i : ds->idx[eval_s][i];
        double te = lc_now_s();
        if ((st = lc_eval_run(cfg, ds, m, pool, eidx, en_rows, tr.eval_batch_size, &ev, e)))
            goto fail;
        tr.eval_seconds += lc_now_s() - te;
        tr.eval_samples += en_rows;
        if (cfg->out[0].type == LC_FT_CATEGORY)
            lc_eval_argmax(&ev, 0, preds);
        if ((st = lc_eval_statistics(cfg, &ev, 1, &test_stats, e)))
            goto fail;
        if (!o->skip_save_eval_stats && !o->skip_save_test_statistics) {
            snprintf(path, sizeof path, "%s/test_statistics.json", rs.staging);
            if ((st = lc_json_write_file(test_stats, path, e)))
                goto fail;
        }
        if (!o->skip_save_predictions) {
            snprintf(path, sizeof path, "%s/predictions_parquet.csv", rs.staging);
            if ((st = lc_eval_write_predictions(path, cfg, ds, &ev, e)))
                goto fail;
            cJSON *shapes = cJSON_CreateObject();
            snprintf(path, sizeof path, "%s/predictions.shapes.json", rs.staging);
            st = lc_json_write_file(shapes, path, e);
            cJSON_Delete(shapes);
            if (st)
                goto fail;
        }
    } else if (o->progress && !o->train_only) {
        fprintf(o->progress, "ludwig-c: warning: the %s split is empty: no test statistics or predictions are written\n",
                eval_split);
    }
    if (!o->skip_save_training_statistics) {
        snprintf(path, sizeof path, "%s/training_statistics.json", rs.staging);
        if ((st = lc_json_write_file(tr.stats, path, e)))
            goto fail;
    }
    meta = lc_dataset_metadata(cfg, ds);
    hyper = hyperparameters_json(cfg, ds, m, &tr);
    snprintf(path, sizeof path, "%s/model/training_set_metadata.json", rs.staging);
    if ((st = lc_json_write_file(meta, path, e)))
        goto fail;
    snprintf(path, sizeof path, "%s/model/model_hyperparameters.json", rs.staging);
    if ((st = lc_json_write_file(hyper, path, e)))
        goto fail;
    snprintf(path, sizeof path, "%s/model/training_progress.json", rs.staging);
    if ((st = lc_json_write_file(tr.progress, path, e)))
        goto fail;
    if (!o->skip_save_model) {
        snprintf(path, sizeof path, "%s/model/model_weights", rs.staging);
        if ((st = lc_weights_save(m, path, e)))
            goto fail;
    }
    /* the report, next to experiment_run as the Galaxy wrapper collects it */
    double wall = lc_now_s() - t_begin;
    summary = cJSON_CreateObject();
    cJSON_AddItemToObject(summary, "training rows", lc_json_int((long long)ds->count[0]));
    cJSON_AddItemToObject(summary, "validation rows", lc_json_int((long long)ds->count[1]));
    cJSON_AddItemToObject(summary, "test rows", lc_json_int((long long)ds->count[2]));
    if (cfg->nout == 1 && cfg->out[0].type == LC_FT_CATEGORY)
        cJSON_AddItemToObject(summary, "classes", lc_json_int(ds->out[0].nclasses));
    cJSON_AddItemToObject(summary, "epochs run", lc_json_int(tr.epochs_run));
    cJSON_AddItemToObject(summary, "best epoch", lc_json_int(tr.best_epoch));
    cJSON_AddBoolToObject(summary, "early stopped", tr.early_stopped);
    cJSON_AddItemToObject(summary, "batch size", lc_json_int(tr.batch_size));
    cJSON_AddItemToObject(summary, "random seed", lc_json_int((long long)o->random_seed));
    cJSON_AddItemToObject(summary, "threads", lc_json_int(o->threads));
    cJSON_AddItemToObject(summary, "training samples/s", lc_json_float(round(tr.samples_per_second)));
    if (tr.eval_seconds > 0)
        cJSON_AddItemToObject(summary, "evaluation samples/s",
                              lc_json_float(round((double)tr.eval_samples / tr.eval_seconds)));
    cJSON_AddItemToObject(summary, "wall time (s)", lc_json_float(round(wall * 10) / 10));
    cJSON_AddStringToObject(summary, "ludwig-c version", lc_version());
    lc_report_info ri = {.title = o->train_only ? "Ludwig Train" : "Ludwig Experiment",
                         .eval_split = eval_split, .test_stats = test_stats,
                         .train_stats = tr.stats, .summary = summary,
                         .best_epoch = tr.best_epoch};
    lc_report_fill(&ri, cfg, ds, test_stats ? &ev : NULL, preds);
    snprintf(path, sizeof path, "%s/%s", rs.staging, rep_name);
    if ((st = lc_report_write(path, &ri, e)))
        goto fail;
    /* publish: the run directory (with a free name, as Ludwig: name, name_0, name_1, ...) */
    for (int k = -1; k < 10000; k++) {
        if (k < 0)
            snprintf(path, sizeof path, "%s/%s_%s", od, en, mn);
        else
            snprintf(path, sizeof path, "%s/%s_%s_%d", od, en, mn, k);
        if (access(path, F_OK) != 0)
            break;
    }
    rs.final_dir = lc_strdup(path);
    char rep_src[4096], rep_dst[4096];
    snprintf(rep_src, sizeof rep_src, "%s/%s", rs.staging, rep_name);
    snprintf(rep_dst, sizeof rep_dst, "%s/%s", od, rep_name);
    if (!rs.final_dir || rename(rep_src, rep_dst) != 0) {
        st = lc_error_set(e, LC_ERR_IO, "%s: cannot publish the report: %m", rep_dst);
        goto fail;
    }
    if (rename(rs.staging, rs.final_dir) != 0) {
        unlink(rep_dst);
        st = lc_error_set(e, LC_ERR_IO, "%s: cannot publish the results: %m", rs.final_dir);
        goto fail;
    }
    if (o->progress)
        fprintf(o->progress,
                "ludwig-c: done in %.1fs (training %.1fs, %.0f samples/s; evaluation %.1fs, %.0f samples/s)\n",
                wall, tr.train_seconds, tr.samples_per_second, tr.eval_seconds,
                tr.eval_seconds > 0 ? (double)tr.eval_samples / tr.eval_seconds : 0.0);
    if (o->model_resume_path)
        lc_checkpoint_discard_interrupted(o->model_resume_path);
    if (run_dir_out) {
        *run_dir_out = rs.final_dir;
        rs.final_dir = NULL;
    }
    goto done;
fail:
    if (rs.staging && st == LC_ERR_INTERRUPTED) {
        /* keep the last epoch's checkpoint (only that) so the run can be resumed */
        char *kept = lc_checkpoint_keep(rs.staging, o->model_resume_path);
        if (kept)
            lc_error_hint(e, "the last completed epoch was saved: rerun the same command with --model_resume_path %s to continue",
                          kept);
        free(kept);
    }
    if (rs.staging)
        lc_rm_tree(rs.staging);
done:
    free(rs.staging);
    free(rs.final_dir);
    cJSON_Delete(test_stats);
    cJSON_Delete(desc);
    cJSON_Delete(meta);
    cJSON_Delete(hyper);
    cJSON_Delete(summary);
    lc_eval_free(&ev);
    free(preds);
    free(eidx);
    lc_train_result_free(&tr);
    lc_model_free(m);
    lc_dataset_free(ds);
    lc_pool_destroy(pool);
    lc_config_free(cfg);
    return st;
}
