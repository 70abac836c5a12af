/* train.c - the training loop (see lc_train.h). Metric definitions live in metrics.c, numerics in
 * lib/core; this file sequences them the way Ludwig 0.10.3's trainer does. */
#include "lc_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lc_checkpoint.h"
#include "lc_heads.h"
#include "lc_json.h"
#include "lc_mem.h"
#include "lc_metrics.h"
#include "lc_pixels.h"
#include "lc_rng.h"

double lc_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int lc_train_batch_size(const lc_config *cfg, size_t ntrain)
{
    if (cfg->batch_size > 0)
        return cfg->batch_size;
    size_t cap = ntrain / 5; /* 20% of the training rows */
    if (cap > 128)
        cap = 128;
    int b = 1;
    while ((size_t)b * 2 <= cap)
        b *= 2;
    return b;
}

int lc_eval_batch_size(const lc_config *cfg, int batch_size)
{
    int eb = cfg->eval_batch_size > 0 ? cfg->eval_batch_size : 128;
    return eb > batch_size ? eb : batch_size;
}

typedef struct gather_ctx {
    lc_model *m;
    const lc_feature *f;
    const lc_column *col;
    int slot;
    const int32_t *idx;
    int B;
} gather_ctx;

enum { GATHER_SAMPLES = 16 }; /* per task */

static void gather_task(void *vctx, int t, int thread)
{
    const gather_ctx *g = vctx;
    lc_model *m = g->m;
    const lc_column *c = g->col;
    size_t per = m->in_ns[g->slot];
    size_t hw = (size_t)c->H * c->W;
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, sd[3] = {0.229f, 0.224f, 0.225f};
    (void)thread;
    int end = (t + 1) * GATHER_SAMPLES < g->B ? (t + 1) * GATHER_SAMPLES : g->B;
    for (int b = t * GATHER_SAMPLES; b < end; b++) {
        const unsigned char *src = c->images + (size_t)g->idx[b] * per;
        float *dst = m->inputs[g->slot] + (size_t)b * per;
        lc_pixels_to_unit(src, dst, per);
        if (g->f->standardize_imagenet && c->C == 3)
            for (int ch = 0; ch < 3; ch++)
                for (size_t k = 0; k < hw; k++)
                    dst[ch * hw + k] = (dst[ch * hw + k] - mean[ch]) / sd[ch];
    }
}

/* The batch's inputs into the model's slots (pixels scaled to [0, 1] and standardised, on the
 * pool; numbers, binaries and category indices as they are) and its targets into the heads. */
static void gather(lc_model *m, lc_pool *p, const lc_config *cfg, const lc_dataset *d,
                   const lc_head_ctx *heads, const int32_t *idx, int B)
{
    for (int k = 0; k < cfg->nin; k++) {
        if (cfg->in[k].type == LC_FT_IMAGE) {
            gather_ctx g = {m, &cfg->in[k], &d->in[k], k, idx, B};
            lc_pool_run(p, (B + GATHER_SAMPLES - 1) / GATHER_SAMPLES, gather_task, &g);
        } else {
            const float *v = d->in[k].values;
            float *dst = m->inputs[k];
            for (int b = 0; b < B; b++)
                dst[b] = v[idx[b]];
        }
    }
    if (heads)
        for (int o = 0; o < cfg->nout; o++)
            lc_head_gather(&heads[o], m, o, idx, B);
}

void lc_evaluate(lc_model *m, lc_pool *p, const lc_config *cfg, const lc_dataset *d,
                 const lc_head_ctx *heads, const int32_t *idx, size_t n, int eval_bs,
                 float *const *rows, double *loss)
{
    size_t nb = 0;
    for (int o = 0; o < cfg->nout; o++)
        loss[o] = 0.0;
    for (size_t at = 0; at < n; at += (size_t)eval_bs) {
        int B = (int)(n - at < (size_t)eval_bs ? n - at : (size_t)eval_bs);
        gather(m, p, cfg, d, heads, idx + at, B);
        lc_model_forward(m, p, B, 0, 0, 0);
        for (int o = 0; o < cfg->nout; o++) {
            loss[o] += lc_head_loss(&heads[o], m, o, B);
            lc_head_rows(&heads[o], m, o, B, rows[o] + at * (size_t)lc_head_width(&heads[o]));
        }
        nb++;
    }
    for (int o = 0; o < cfg->nout; o++)
        loss[o] = nb ? loss[o] / (double)nb : 0.0;
}

/* torch.nn.utils.clip_grad_norm_: scale all gradients by max/(norm + 1e-6) when that is < 1 */
static void clip_global_norm(lc_model *m, lc_pool *p, double max_norm)
{
    double norm = lc_grad_norm(p, m->nparams, m->grads);
    double coef = max_norm / (norm + 1e-6);
    if (coef < 1.0)
        lc_scale(p, m->nparams, (float)coef, m->grads);
}

static const char *split_key[3] = {"training", "validation", "test"};

/* appends v to stats[split][feature][metric] */
static void push_stat(cJSON *stats, const char *split, const char *feature, const char *metric,
                      cJSON *v)
{
    cJSON *s = cJSON_GetObjectItemCaseSensitive(stats, split);
    cJSON *f = cJSON_GetObjectItemCaseSensitive(s, feature);
    if (!f)
        f = cJSON_AddObjectToObject(s, feature);
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(f, metric);
    if (!arr)
        arr = cJSON_AddArrayToObject(f, metric);
    cJSON_AddItemToArray(arr, v);
}

/* appends [epoch, step, value] to progress[key][feature][metric] */
static void push_progress(cJSON *prog, const char *key, const char *feature, const char *metric,
                          int epoch, long step, const cJSON *v)
{
    cJSON *s = cJSON_GetObjectItemCaseSensitive(prog, key);
    cJSON *f = cJSON_GetObjectItemCaseSensitive(s, feature);
    if (!f)
        f = cJSON_AddObjectToObject(s, feature);
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(f, metric);
    if (!arr)
        arr = cJSON_AddArrayToObject(f, metric);
    cJSON *t = cJSON_CreateArray();
    cJSON_AddItemToArray(t, lc_json_int(epoch));
    cJSON_AddItemToArray(t, lc_json_int(step));
    cJSON_AddItemToArray(t, cJSON_Duplicate(v, 1));
    cJSON_AddItemToArray(arr, t);
}

void lc_train_result_free(lc_train_result *r)
{
    cJSON_Delete(r->stats);
    cJSON_Delete(r->progress);
    r->stats = r->progress = NULL;
}

static void fmt_eta(double s, char *buf, size_t n)
{
    if (s < 60)
        snprintf(buf, n, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
}

/* What a checkpoint must match to be resumed: the config (all but trainer.epochs), the seed, the
 * preprocessed data (every column, splits, vocabularies) and the model's sizes. */
static uint64_t run_fingerprint(const lc_config *cfg, const lc_dataset *d, const lc_model *m,
                                uint64_t seed)
{
    uint64_t h = LC_FNV_INIT;
    cJSON *full = cJSON_Duplicate(cfg->full, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(full, "trainer"), "epochs");
    char *txt = full ? lc_json_print_py(full) : NULL;
    if (txt)
        h = lc_fnv1a(h, txt, strlen(txt));
    free(txt);
    cJSON_Delete(full);
    uint64_t sizes[5] = {seed, d->n, (uint64_t)(d->nin + d->nout), m->nparams, m->nbuffers};
    h = lc_fnv1a(h, sizes, sizeof sizes);
    for (int k = 0; k < d->nin + d->nout; k++) {
        const lc_column *c = k < d->nin ? &d->in[k] : &d->out[k - d->nin];
        for (int j = 0; j < c->nclasses; j++)
            h = lc_fnv1a(h, c->idx2str[j], strlen(c->idx2str[j]) + 1);
        if (c->values)
            h = lc_fnv1a(h, c->values, d->n * sizeof *c->values);
        if (c->images)
            h = lc_fnv1a(h, c->images, d->n * (size_t)c->C * c->H * c->W);
    }
    return lc_fnv1a(h, d->split, d->n * sizeof *d->split);
}

/* {"stats", "progress", "best": [train, validation, test]}: the JSON part of a checkpoint
 * (borrowed items, detached again by ckpt_json_release) */
static cJSON *ckpt_json(cJSON *stats, cJSON *progress, cJSON *const best[3])
{
    cJSON *j = cJSON_CreateObject(), *b = cJSON_CreateArray();
    if (!j || !b) {
        cJSON_Delete(j);
        cJSON_Delete(b);
        return NULL;
    }
    cJSON_AddItemReferenceToObject(j, "stats", stats);
    cJSON_AddItemReferenceToObject(j, "progress", progress);
    for (int s = 0; s < 3; s++)
        cJSON_AddItemReferenceToArray(b, best[s]);
    cJSON_AddItemToObject(j, "best", b);
    return j;
}

/* Restores the JSON state of a checkpoint: stats, progress and best metrics replace the fresh
 * ones (ownership moves to r and best). */
static lc_status ckpt_json_take(cJSON *j, const char *path, lc_train_result *r, cJSON *best[3],
                                lc_error *e)
{
    cJSON *stats = cJSON_DetachItemFromObjectCaseSensitive(j, "stats");
    cJSON *prog = cJSON_DetachItemFromObjectCaseSensitive(j, "progress");
    cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "best");
    int ok = cJSON_IsObject(stats) && cJSON_IsObject(prog) && cJSON_GetArraySize(b) == 3;
    for (int s = 0; s < 3 && ok; s++) {
        static const char *const pk[3] = {"train_metrics", "validation_metrics", "test_metrics"};
        ok = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(stats, split_key[s])) &&
             cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(prog, pk[s])) &&
             cJSON_IsObject(cJSON_GetArrayItem(b, s));
    }
    if (!ok) {
        cJSON_Delete(stats);
        cJSON_Delete(prog);
        return lc_error_set(e, LC_ERR_DATA, "%s: the training checkpoint lacks its statistics", path);
    }
    cJSON_Delete(r->stats);
    cJSON_Delete(r->progress);
    r->stats = stats;
    r->progress = prog;
    for (int s = 0; s < 3; s++) {
        cJSON_Delete(best[s]);
        best[s] = cJSON_DetachItemFromArray(b, 0);
    }
    return LC_OK;
}

/* Ludwig's reg_loss gradient added to every trained parameter: lambda * sign(p) (l1),
 * lambda * 2p (l2), both for l1_l2 (torch's gradient of abs at 0 is 0). */
static void add_regularization(lc_model *m, int type, float lambda)
{
    for (int i = 0; i < m->nlayers; i++) {
        const lc_layer *l = &m->layers[i];
        if (l->frozen)
            continue;
        size_t offs[2] = {l->w_off, l->b_off}, ns[2] = {l->w_n, l->b_n};
        for (int k = 0; k < 2; k++) {
            if (offs[k] == (size_t)-1)
                continue;
            const float *w = m->params + offs[k];
            float *g = m->grads + offs[k];
            for (size_t j = 0; j < ns[k]; j++) {
                if (type & 1)
                    g[j] += lambda * (float)((w[j] > 0) - (w[j] < 0));
                if (type & 2)
                    g[j] += lambda * (2.0f * w[j]);
            }
        }
    }
}

/* Floats after the optimizer state that hold the scheduler in a checkpoint. */
#define SCHED_FLOATS ((sizeof(lc_lr_sched) + sizeof(float) - 1) / sizeof(float))

/* Per output, what an epoch or an evaluation collects: per-row values and targets. */
typedef struct collect {
    float *rows;       /* (n, width) */
    int32_t *labels;   /* (n) category */
    float *values;     /* (n) binary, number */
} collect;

static void collect_free(int nout, collect *c)
{
    for (int o = 0; c && o < nout; o++) {
        lc_free(c[o].rows);
        free(c[o].labels);
        free(c[o].values);
    }
    free(c);
}

static collect *collect_alloc(int nout, const lc_head_ctx *heads, size_t n)
{
    collect *c = calloc((size_t)nout, sizeof *c);
    if (!c)
        return NULL;
    for (int o = 0; o < nout; o++)
        if (!(c[o].rows = lc_alloc(n + 1, (size_t)lc_head_width(&heads[o]) * sizeof(float))) ||
            !(c[o].labels = malloc((n + 1) * sizeof *c[o].labels)) ||
            !(c[o].values = malloc((n + 1) * sizeof *c[o].values))) {
            collect_free(nout, c);
            return NULL;
        }
    return c;
}

lc_status lc_train(const lc_config *cfg, const lc_dataset *d, lc_model *m,
                   const lc_train_opts *o, lc_train_result *r, lc_error *e)
{
    memset(r, 0, sizeof *r);
    lc_pool *p = o->pool;
    const int NO = cfg->nout;
    const size_t ntr = d->count[0];
    const int B = lc_train_batch_size(cfg, ntr);
    const int EB = lc_eval_batch_size(cfg, B);
    r->batch_size = B;
    r->eval_batch_size = EB;
    if (B > m->max_batch || EB > m->max_batch)
        return lc_error_set(e, LC_ERR_INTERNAL, "model planned for batch %d, needs %d",
                            m->max_batch, B > EB ? B : EB);
    const int has_val = d->count[1] > 0;
    const int use_combined = strcmp(cfg->validation_field, "combined") == 0;
    int vo = 0; /* the output whose metric picks the best model */
    for (int k = 0; k < NO; k++)
        if (strcmp(cfg->out[k].name, cfg->validation_field) == 0)
            vo = k;
    lc_status st = LC_OK;
    cJSON *best_metrics[3] = {NULL, NULL, NULL};
    size_t nmax = d->count[0];
    for (int s = 1; s < 3; s++)
        if (d->count[s] > nmax)
            nmax = d->count[s];
    lc_head_ctx *heads = calloc((size_t)NO, sizeof *heads);
    collect *seen = NULL, *ev = NULL;
    float **evrows = calloc((size_t)NO, sizeof *evrows);
    double *loss_sum = calloc((size_t)NO, sizeof *loss_sum);
    double *split_loss = calloc(3 * (size_t)NO + 3, sizeof *split_loss);
    int32_t *perm = malloc((ntr + 1) * sizeof *perm);
    float *best_params = lc_alloc(m->nparams, sizeof(float));
    float *best_buffers = lc_alloc(m->nbuffers + 1, sizeof(float));
    lc_optim opt = cfg->optim;
    int per = lc_optim_state_per_param(&opt);
    float *state = lc_alloc((size_t)per * m->nparams + SCHED_FLOATS, sizeof(float));
    lc_lr_sched sched;
    r->stats = cJSON_CreateObject();
    r->progress = cJSON_CreateObject();
    if (!heads || !evrows || !loss_sum || !split_loss || !perm || !best_params ||
        !best_buffers || !state || !r->stats || !r->progress) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory setting up training");
        goto done;
    }
    if ((st = lc_heads_init(cfg, d, heads, e)))
        goto done;
    const int higher = use_combined ? 0 : lc_head_higher_is_better(&heads[vo], cfg->validation_metric);
    /* the scheduler's plateau watches reduce_eval_metric of reduce_eval_split for the
     * validation field */
    const int reduce_split = strcmp(cfg->reduce_eval_split, "validation") == 0 ? 1
                             : strcmp(cfg->reduce_eval_split, "test") == 0     ? 2
                                                                               : 0;
    lc_lr_sched_config scfg = cfg->lr_sched;
    scfg.reduce_higher_is_better =
        use_combined ? 0 : lc_head_higher_is_better(&heads[vo], cfg->reduce_eval_metric) == 1;
    if (!(seen = collect_alloc(NO, heads, ntr)) || !(ev = collect_alloc(NO, heads, nmax))) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory setting up training");
        goto done;
    }
    for (int k = 0; k < NO; k++)
        evrows[k] = ev[k].rows;
    lc_optim_init_state(&opt, m->nparams, state);
    cJSON *ef = cJSON_AddObjectToObject(r->stats, "evaluation_frequency");
    cJSON_AddItemToObject(ef, "frequency", lc_json_int(1));
    cJSON_AddStringToObject(ef, "period", "epoch");
    for (int s = 0; s < 3; s++)
        cJSON_AddObjectToObject(r->stats, split_key[s]);
    cJSON_AddObjectToObject(r->progress, "train_metrics");
    cJSON_AddObjectToObject(r->progress, "validation_metrics");
    cJSON_AddObjectToObject(r->progress, "test_metrics");
    for (int s = 0; s < 3; s++)
        best_metrics[s] = cJSON_CreateObject();
    double best_value = higher ? -INFINITY : INFINITY;
    int best_epoch = 0;
    long best_steps = 0, step = 0;
    const long steps_per_epoch = (long)((ntr + (size_t)B - 1) / (size_t)B);
    int epochs = cfg->epochs;
    if (cfg->train_steps > 0)
        epochs = (int)((cfg->train_steps + steps_per_epoch - 1) / steps_per_epoch);
    {
        int64_t total = cfg->train_steps > 0 ? cfg->train_steps : (int64_t)epochs * steps_per_epoch;
        int64_t spc = steps_per_epoch < total ? steps_per_epoch : total;
        if ((st = lc_lr_sched_init(&sched, &scfg, cfg->learning_rate, spc > 0 ? spc : 1,
                                   total > 0 ? total : 1, e)))
            goto done;
    }
    double last_lr = lc_lr_sched_lr(&sched);
    double t_start = lc_now_s(), t_train = 0.0;
    int epoch, start_epoch = 0, finished = 0;
    lc_checkpoint ck = {.nparams = m->nparams, .nbuffers = m->nbuffers,
                        .nstate = (size_t)per * m->nparams + SCHED_FLOATS, .params = m->params,
                        .buffers = m->buffers, .state = state, .best_params = best_params,
                        .best_buffers = best_buffers};
    if (o->checkpoint_dir || o->resume_from)
        ck.fingerprint = run_fingerprint(cfg, d, m, o->seed);
    if (o->resume_from) {
        if ((st = lc_checkpoint_load(o->resume_from, &ck, e)))
            goto done;
        st = ckpt_json_take(ck.json, o->resume_from, r, best_metrics, e);
        cJSON_Delete(ck.json);
        ck.json = NULL;
        if (st)
            goto done;
        memcpy(&sched, state + (size_t)per * m->nparams, sizeof sched);
        start_epoch = r->resumed_epochs = ck.epoch;
        step = ck.step;
        best_epoch = ck.best_epoch;
        best_steps = ck.best_steps;
        best_value = ck.best_value;
        t_train = ck.train_seconds;
        finished = ck.flags & LC_CKPT_FINISHED;
        r->early_stopped = (ck.flags & LC_CKPT_EARLY_STOPPED) != 0;
        if (o->progress)
            fprintf(o->progress, "ludwig-c: resuming from %s after epoch %d (step %ld)%s\n",
                    o->resume_from, ck.epoch, ck.step,
                    finished ? "; that run had finished, so there is nothing left to train" : "");
    }
    if (o->progress)
        fprintf(o->progress,
                "ludwig-c: training on %zu rows (validation %zu, test %zu), batch size %d, %d epoch(s), %d thread(s)\n",
                ntr, d->count[1], d->count[2], B, epochs, lc_pool_threads(p));
    for (epoch = start_epoch; epoch < epochs && !finished; epoch++) {
        double t0 = lc_now_s();
        for (size_t i = 0; i < ntr; i++)
            perm[i] = d->idx[0][i];
        if (cfg->should_shuffle) {
            lc_rng rg;
            lc_rng_init(&rg, o->seed, LC_STREAM_SHUFFLE, (uint64_t)epoch);
            lc_rng_shuffle(&rg, perm, (int64_t)ntr);
        }
        for (int k = 0; k < NO; k++)
            loss_sum[k] = 0.0;
        long nb = 0;
        size_t nseen = 0;
        for (size_t at = 0; at < ntr; at += (size_t)B) {
            int Bc = (int)(ntr - at < (size_t)B ? ntr - at : (size_t)B);
            if (Bc == 1 && B > 1 && at > 0)
                break; /* Ludwig drops a last batch of a single sample */
            if (cfg->train_steps > 0 && step >= cfg->train_steps)
                break;
            if (o->stop && *o->stop) {
                st = lc_error_set(e, LC_ERR_INTERRUPTED,
                                  "interrupted during epoch %d (step %ld); no results were written",
                                  epoch + 1, step);
                goto done_metrics;
            }
            gather(m, p, cfg, d, heads, perm + at, Bc);
            lc_model_forward(m, p, Bc, 1, o->seed, (uint64_t)step);
            double loss = 0.0;
            for (int k = 0; k < NO; k++) {
                double lk = lc_head_loss(&heads[k], m, k, Bc);
                loss += cfg->out[k].loss_weight * lk;
                loss_sum[k] += lk;
            }
            if (!isfinite(loss)) {
                st = lc_error_set(e, LC_ERR_DIVERGED,
                                  "training diverged: the loss became %s at epoch %d, step %ld (learning rate %g)",
                                  isnan(loss) ? "NaN" : "infinite", epoch + 1, step + 1,
                                  cfg->learning_rate);
                lc_error_hint(e, "lower trainer.learning_rate (e.g. by 10x) or check the input data");
                goto done_metrics;
            }
            nb++;
            for (int k = 0; k < NO; k++) {
                lc_head_rows(&heads[k], m, k, Bc,
                             seen[k].rows + nseen * (size_t)lc_head_width(&heads[k]));
                lc_head_targets(&heads[k], perm + at, (size_t)Bc, seen[k].labels + nseen,
                                seen[k].values + nseen);
                lc_head_backward(&heads[k], m, k, Bc);
            }
            nseen += (size_t)Bc;
            lc_model_backward(m, p, Bc);
            if (cfg->regularization_lambda > 0)
                add_regularization(m, cfg->regularization_type,
                                   (float)cfg->regularization_lambda);
            if (cfg->clipglobalnorm > 0)
                clip_global_norm(m, p, cfg->clipglobalnorm);
            if (cfg->clipnorm > 0)
                clip_global_norm(m, p, cfg->clipnorm);
            if (cfg->clipvalue > 0) {
                float cv = (float)cfg->clipvalue;
                for (size_t k = 0; k < m->nparams; k++)
                    m->grads[k] = m->grads[k] > cv ? cv : m->grads[k] < -cv ? -cv : m->grads[k];
            }
            step++;
            last_lr = lc_lr_sched_lr(&sched);
            opt.lr = (float)last_lr;
            lc_optim_step(p, &opt, step, m->nparams, m->params, m->grads, state);
            lc_lr_sched_step(&sched);
        }
        t_train += lc_now_s() - t0;
        /* ---- evaluation at the end of the epoch ---- */
        cJSON *latest[3] = {NULL, NULL, NULL}; /* {feature: metrics, ..., combined: {loss}} */
        for (int s = 0; s < 3; s++) {
            if (d->count[s] == 0)
                continue;
            size_t n;
            collect *src;
            double *sl = split_loss + (size_t)s * NO;
            if (s == 0 && !cfg->evaluate_training_set) {
                /* Ludwig's default: metrics accumulated over the epoch's training batches */
                n = nseen;
                src = seen;
                for (int k = 0; k < NO; k++)
                    sl[k] = nb ? loss_sum[k] / (double)nb : 0.0;
            } else {
                n = d->count[s];
                src = ev;
                double te = lc_now_s();
                lc_evaluate(m, p, cfg, d, heads, d->idx[s], n, EB, evrows, sl);
                r->eval_seconds += lc_now_s() - te;
                r->eval_samples += n;
                for (int k = 0; k < NO; k++)
                    lc_head_targets(&heads[k], d->idx[s], n, ev[k].labels, ev[k].values);
            }
            latest[s] = cJSON_CreateObject();
            const char *pk = s == 0 ? "train_metrics" : s == 1 ? "validation_metrics"
                                                               : "test_metrics";
            double comb = 0.0;
            for (int k = 0; k < NO && latest[s]; k++) {
                const char *feat = cfg->out[k].name;
                cJSON *mk = lc_head_metrics(&heads[k], n, src[k].rows, src[k].labels,
                                            src[k].values, sl[k], s == 0 && !cfg->evaluate_training_set ? B : EB);
                if (!mk) {
                    cJSON_Delete(latest[s]);
                    latest[s] = NULL;
                    break;
                }
                for (cJSON *mv = mk->child; mv; mv = mv->next) {
                    push_stat(r->stats, split_key[s], feat, mv->string, cJSON_Duplicate(mv, 1));
                    push_progress(r->progress, pk, feat, mv->string, epoch + 1, step, mv);
                }
                cJSON_AddItemToObject(latest[s], feat, mk);
                comb += cfg->out[k].loss_weight * sl[k];
            }
            if (!latest[s]) {
                st = lc_error_set(e, LC_ERR_NOMEM, "out of memory computing metrics");
                goto done_metrics;
            }
            split_loss[3 * (size_t)NO + (size_t)s] = comb;
            cJSON *cl = lc_json_float((double)(float)comb);
            push_stat(r->stats, split_key[s], "combined", "loss", cJSON_Duplicate(cl, 1));
            push_progress(r->progress, pk, "combined", "loss", epoch + 1, step, cl);
            cJSON *co = cJSON_AddObjectToObject(latest[s], "combined");
            cJSON_AddItemToObject(co, "loss", cl);
        }
        if (has_val) {
            const cJSON *rs = latest[reduce_split];
            double rv = use_combined ? split_loss[3 * (size_t)NO + (size_t)reduce_split]
                                     : lc_metric_value(cJSON_GetObjectItemCaseSensitive(rs, cfg->validation_field),
                                                       cfg->reduce_eval_metric);
            lc_lr_sched_eval(&sched, rs ? rv : NAN, step);
        }
        int improved = 0;
        if (has_val) {
            double v = use_combined
                           ? split_loss[3 * (size_t)NO + 1]
                           : lc_metric_value(cJSON_GetObjectItemCaseSensitive(latest[1], cfg->validation_field),
                                             cfg->validation_metric);
            if (isnan(v))
                v = 0.0;
            improved = higher ? v > best_value : v < best_value;
            if (improved) {
                best_value = v;
                best_epoch = epoch + 1;
                best_steps = step;
                memcpy(best_params, m->params, m->nparams * sizeof(float));
                memcpy(best_buffers, m->buffers, m->nbuffers * sizeof(float));
                for (int s = 0; s < 3; s++) {
                    cJSON_Delete(best_metrics[s]);
                    best_metrics[s] = latest[s] ? cJSON_Duplicate(latest[s], 1) : cJSON_CreateObject();
                }
            }
        }
        if (o->progress) {
            double el = lc_now_s() - t_start;
            char eta[32];
            fmt_eta(el / (epoch + 1 - start_epoch) * (epochs - epoch - 1), eta, sizeof eta);
            fprintf(o->progress, "epoch %*d/%d", epochs >= 100 ? 3 : epochs >= 10 ? 2 : 1,
                    epoch + 1, epochs);
            const char *pm = lc_head_progress_metric(&heads[0]);
            const char *pshort = strcmp(pm, "mean_absolute_error") == 0 ? "mae" : "acc";
            for (int s = 0; s < 3; s++)
                if (latest[s])
                    fprintf(o->progress, "  %s loss %.4f %s %.4f", s == 0 ? "train" : s == 1 ? "val" : "test",
                            split_loss[3 * (size_t)NO + (size_t)s], pshort,
                            lc_metric_value(cJSON_GetObjectItemCaseSensitive(latest[s], cfg->out[0].name), pm));
            fprintf(o->progress, "  %.1fs (%.0f samples/s)  ETA %s%s\n", lc_now_s() - t0,
                    (double)nseen / (t_train > 0 ? (lc_now_s() - t0) : 1), eta,
                    improved ? "  *best*" : "");
            fflush(o->progress);
        }
        for (int s = 0; s < 3; s++)
            cJSON_Delete(latest[s]);
        int early = has_val && cfg->early_stop > 0 &&
                    step - best_steps >= (long)cfg->early_stop * steps_per_epoch;
        int steps_done = cfg->train_steps > 0 && step >= cfg->train_steps;
        if (o->checkpoint_dir) {
            ck.epoch = epoch + 1;
            ck.step = step;
            ck.best_epoch = best_epoch;
            ck.best_steps = best_steps;
            ck.best_value = best_value;
            ck.train_seconds = t_train;
            ck.flags = (early || steps_done ? LC_CKPT_FINISHED : 0) | (early ? LC_CKPT_EARLY_STOPPED : 0);
            memcpy(state + (size_t)per * m->nparams, &sched, sizeof sched);
            ck.json = ckpt_json(r->stats, r->progress, best_metrics);
            st = ck.json ? lc_checkpoint_save(o->checkpoint_dir, &ck, e)
                         : lc_error_set(e, LC_ERR_NOMEM, "out of memory writing a checkpoint");
            cJSON_Delete(ck.json);
            ck.json = NULL;
            if (st) {
                epoch++;
                goto done_metrics;
            }
        }
        if (early) {
            r->early_stopped = 1;
            epoch++;
            if (o->progress)
                fprintf(o->progress,
                        "ludwig-c: early stopping: no improvement of validation %s for %d epoch(s); best epoch %d\n",
                        cfg->validation_metric, cfg->early_stop, best_epoch);
            break;
        }
        if (steps_done) {
            epoch++;
            break;
        }
    }
    r->epochs_run = epoch;
    r->steps = step;
    r->train_seconds = t_train;
    r->samples_per_second = t_train > 0 ? (double)step * B / t_train : 0;
    if (has_val && best_epoch > 0) {
        memcpy(m->params, best_params, m->nparams * sizeof(float));
        memcpy(m->buffers, best_buffers, m->nbuffers * sizeof(float));
    }
    r->best_epoch = has_val ? best_epoch : r->epochs_run;
    /* training_progress.json scalars */
    cJSON *pr = r->progress;
    cJSON_AddItemToObject(pr, "batch_size", lc_json_int(B));
    cJSON_AddItemToObject(pr, "best_eval_metric_checkpoint_number", lc_json_int(has_val ? 2L * best_epoch - 1 : 0));
    cJSON_AddItemToObject(pr, "best_eval_metric_epoch", lc_json_int(has_val ? best_epoch : 0));
    cJSON_AddItemToObject(pr, "best_eval_metric_steps", lc_json_int(has_val ? best_steps : 0));
    cJSON_AddItemToObject(pr, "best_eval_metric_value", lc_json_float(best_value));
    cJSON_AddItemToObject(pr, "best_eval_test_metrics", best_metrics[2]);
    cJSON_AddItemToObject(pr, "best_eval_train_metrics", best_metrics[0]);
    cJSON_AddItemToObject(pr, "best_eval_validation_metrics", best_metrics[1]);
    best_metrics[0] = best_metrics[1] = best_metrics[2] = NULL;
    cJSON_AddItemToObject(pr, "best_increase_batch_size_eval_metric", lc_json_float(INFINITY));
    cJSON_AddItemToObject(pr, "checkpoint_number", lc_json_int(2L * r->epochs_run));
    cJSON *c2e = cJSON_AddObjectToObject(pr, "checkpoint_to_epoch");
    cJSON *c2s = cJSON_AddObjectToObject(pr, "checkpoint_to_step");
    for (int k = 1; k <= 2 * r->epochs_run; k++) {
        char key[24];
        snprintf(key, sizeof key, "%d", k);
        long ep = (k + 1) / 2;
        cJSON_AddItemToObject(c2e, key, lc_json_int(ep));
        long st_at = ep * steps_per_epoch < step ? ep * steps_per_epoch : step;
        cJSON_AddItemToObject(c2s, key, lc_json_int(st_at));
    }
    cJSON_AddItemToObject(pr, "epoch", lc_json_int(r->epochs_run));
    cJSON_AddItemToObject(pr, "last_improvement_steps", lc_json_int(has_val ? step - best_steps : 0));
    cJSON_AddItemToObject(pr, "last_increase_batch_size", lc_json_int(0));
    cJSON_AddItemToObject(pr, "last_increase_batch_size_eval_metric_improvement", lc_json_int(0));
    cJSON_AddItemToObject(pr, "last_increase_batch_size_steps", lc_json_int(0));
    cJSON_AddItemToObject(pr, "last_learning_rate_reduction", lc_json_int(sched.last_reduction));
    cJSON_AddItemToObject(pr, "last_learning_rate_reduction_steps",
                          lc_json_int(sched.last_reduction_steps));
    cJSON_AddItemToObject(pr, "learning_rate", lc_json_float(last_lr));
    cJSON_AddObjectToObject(pr, "llm_eval_examples");
    cJSON_AddItemToObject(pr, "num_increases_batch_size", lc_json_int(0));
    cJSON_AddItemToObject(pr, "num_reductions_learning_rate", lc_json_int(sched.num_reductions));
    cJSON_AddItemToObject(pr, "steps", lc_json_int(step));
    size_t in_floats = 0;
    for (int k = 0; k < m->nin; k++)
        in_floats += m->in_ns[k];
    cJSON_AddItemToObject(pr, "total_tokens_used",
                          lc_json_int((long long)step * B * (long long)(in_floats + (size_t)NO)));
    cJSON_AddItemToObject(pr, "tune_checkpoint_num", lc_json_int(0));
    if (!has_val) {
        cJSON *vm = cJSON_GetObjectItemCaseSensitive(pr, "validation_metrics");
        cJSON_AddObjectToObject(vm, "combined");
        for (int k = 0; k < NO; k++)
            cJSON_AddObjectToObject(vm, cfg->out[k].name);
    }
    goto done;
done_metrics:
    r->epochs_run = epoch;
done:
    for (int s = 0; s < 3; s++)
        cJSON_Delete(best_metrics[s]);
    lc_heads_free(NO, heads);
    free(heads);
    collect_free(NO, seen);
    collect_free(NO, ev);
    free(evrows);
    free(loss_sum);
    free(split_loss);
    free(perm);
    lc_free(best_params);
    lc_free(best_buffers);
    lc_free(state);
    if (st)
        lc_train_result_free(r);
    return st;
}
