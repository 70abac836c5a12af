/* train.c - the training loop (see lc_train.h). Metric definitions live in metrics.c, numerics in
 * lib/core; this file sequences them the way Ludwig 0.10.3's trainer does. */
#include "lc_train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lc_checkpoint.h"
#include "lc_dp.h"
#include "lc_ftypes.h"
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

lc_status lc_train_eval_batch(const lc_config *cfg, const lc_dataset *d, const lc_model *m,
                              int dp_groups, int *EB, lc_error *e)
{
    int B = lc_train_batch_size(cfg, d->count[0]);
    *EB = lc_eval_batch_size(cfg, B);
    if (cfg->eval_batch_size <= 0 && *EB > m->max_batch && (size_t)m->max_batch < d->n)
        *EB = m->max_batch > B ? m->max_batch : B; /* automatic: as memory allows */
    if (dp_groups <= 0 || lc_dist_size(m->dist) <= 1)
        return LC_OK;
    /* the ranks evaluate the same batches: the smallest any rank's memory allows (the automatic
     * size follows each machine's memory) */
    int nr = lc_dist_size(m->dist);
    int32_t mine = *EB, *all = calloc((size_t)nr, sizeof *all);
    lc_status st = all ? lc_dist_allgather(m->dist, &mine, all, sizeof mine, e)
                       : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    for (int q = 0; !st && q < nr; q++)
        if (all[q] < *EB)
            *EB = all[q];
    free(all);
    return st;
}

/* rows idx[0..n) evaluated in batches of eb: mark this rank's run of batches */
static void want_batches(const lc_dist *dist, const int32_t *idx, size_t n, int eb,
                         unsigned char *want)
{
    size_t nb = (n + (size_t)eb - 1) / (size_t)eb, R = (size_t)lc_dist_size(dist),
           r = (size_t)lc_dist_rank(dist);
    size_t lo = nb * r / R * (size_t)eb, hi = nb * (r + 1) / R * (size_t)eb;
    for (size_t i = lo; i < hi && i < n; i++)
        want[idx[i]] = 1;
}

lc_status lc_dp_rows_needed(const lc_config *cfg, const lc_dataset *d, const lc_model *m,
                            int dp_groups, int eval_bs, const int32_t *final_rows,
                            size_t nfinal, int calib_split, unsigned char *want, lc_error *e)
{
    memset(want, 0, d->n);
    int B = lc_train_batch_size(cfg, d->count[0]), G = dp_groups, g0, g1;
    int *sg = calloc((size_t)G, sizeof *sg);
    if (!sg)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    int ns = lc_dp_shard_groups(B, G, sg);
    lc_dp_groups_of(G, lc_dist_size(m->dist), lc_dist_rank(m->dist), &g0, &g1);
    for (size_t i = 0; i < d->count[0]; i++) { /* the training shards of this rank's groups */
        int g = sg[i % (size_t)ns];
        if (g >= g0 && g < g1)
            want[d->idx[0][i]] = 1;
    }
    free(sg);
    for (int s = 0; s < 3; s++) /* each epoch's evaluations */
        if (d->count[s] && (s > 0 || cfg->evaluate_training_set))
            want_batches(m->dist, d->idx[s], d->count[s], eval_bs, want);
    if (final_rows)
        want_batches(m->dist, final_rows, nfinal, eval_bs, want);
    for (size_t i = 0; calib_split >= 0 && i < d->count[calib_split]; i++)
        want[d->idx[calib_split][i]] = 1; /* calibration runs on every rank */
    return LC_OK;
}

/* The batch's inputs into the model's slots (pixels scaled to [0, 1] and standardised, on the
 * pool; numbers, binaries and category indices as they are) and its targets into the heads. */
static void gather(lc_model *m, lc_pool *p, const lc_config *cfg, const lc_dataset *d,
                   const lc_head_ctx *heads, const int32_t *idx, int B)
{
    for (int k = 0; k < cfg->nin; k++) {
        if (cfg->in[k].type == LC_FT_IMAGE) {
            lc_image_gather(m, p, &cfg->in[k], &d->in[k], k, idx, B);
        } else {
            const float *v = d->in[k].values;
            float *dst = m->inputs[k];
            size_t T = d->in[k].T > 1 ? (size_t)d->in[k].T : 1; /* a timeseries' steps */
            if (T == 1)
                for (int b = 0; b < B; b++)
                    dst[b] = v[idx[b]];
            else
                for (int b = 0; b < B; b++)
                    memcpy(dst + (size_t)b * T, v + (size_t)idx[b] * T, T * sizeof *dst);
        }
    }
    if (heads)
        for (int o = 0; o < cfg->nout; o++)
            lc_head_gather(&heads[o], m, o, idx, B);
}

/* Batches [b0, b1) of an evaluation: rows and per-batch losses (bl, (nb, nout)) */
static void evaluate_batches(lc_model *m, lc_pool *p, const lc_config *cfg, const lc_dataset *d,
                             const lc_head_ctx *heads, const int32_t *idx, size_t n, int eval_bs,
                             size_t b0, size_t b1, float *const *rows, double *bl)
{
    lc_model_keep_weights(m, LC_KEEP_EVAL, 1); /* the weights transformed at the first batch */
    for (size_t j = b0; j < b1; j++) {
        size_t at = j * (size_t)eval_bs;
        int B = (int)(n - at < (size_t)eval_bs ? n - at : (size_t)eval_bs);
        gather(m, p, cfg, d, heads, idx + at, B);
        lc_model_forward(m, p, B, 0, 0, 0);
        for (int o = 0; o < cfg->nout; o++) {
            bl[j * (size_t)cfg->nout + (size_t)o] = lc_head_loss(&heads[o], m, o, B);
            lc_head_rows(&heads[o], m, o, B, rows[o] + at * (size_t)lc_head_width(&heads[o]));
        }
    }
    lc_model_keep_weights(m, LC_KEEP_EVAL, 0);
}

/* The ranks of m->dist evaluate contiguous runs of whole batches (each batch the one a single
 * process evaluates, so the same bits) and gather every row and batch loss. */
static lc_status evaluate_shared(lc_model *m, lc_pool *p, const lc_config *cfg,
                                 const lc_dataset *d, const lc_head_ctx *heads, const int32_t *idx,
                                 size_t n, int eval_bs, size_t nb, float *const *rows, double *bl,
                                 lc_error *e)
{
    const int R = lc_dist_size(m->dist), me = lc_dist_rank(m->dist), NO = cfg->nout;
    size_t *bytes = calloc((size_t)R, sizeof *bytes);
    size_t b0 = nb * (size_t)me / (size_t)R, b1 = nb * (size_t)(me + 1) / (size_t)R, wmax = 0;
    for (int o = 0; o < NO; o++)
        if ((size_t)lc_head_width(&heads[o]) > wmax)
            wmax = (size_t)lc_head_width(&heads[o]);
    size_t mine_rows = (b1 * (size_t)eval_bs < n ? b1 * (size_t)eval_bs : n) - b0 * (size_t)eval_bs;
    void *tmp = malloc((mine_rows * wmax + 1) * sizeof(float) + (b1 - b0 + 1) * NO * sizeof(double));
    if (!bytes || !tmp) {
        free(bytes);
        free(tmp);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for a shared evaluation");
    }
    evaluate_batches(m, p, cfg, d, heads, idx, n, eval_bs, b0, b1, rows, bl);
    lc_status st = LC_OK;
    for (int o = 0; o < NO && !st; o++) { /* each head's rows, then the batch losses */
        size_t w = (size_t)lc_head_width(&heads[o]) * sizeof(float);
        for (int q = 0; q < R; q++) {
            size_t q0 = nb * (size_t)q / (size_t)R * (size_t)eval_bs,
                   q1 = nb * (size_t)(q + 1) / (size_t)R * (size_t)eval_bs;
            bytes[q] = ((q1 < n ? q1 : n) - (q0 < n ? q0 : n)) * w;
        }
        memcpy(tmp, rows[o] + b0 * (size_t)eval_bs * (w / sizeof(float)), bytes[me]);
        st = lc_dist_allgatherv(m->dist, tmp, rows[o], bytes, e);
    }
    if (!st) {
        for (int q = 0; q < R; q++)
            bytes[q] = (nb * (size_t)(q + 1) / (size_t)R - nb * (size_t)q / (size_t)R) * NO * sizeof(double);
        memcpy(tmp, bl + b0 * NO, bytes[me]);
        st = lc_dist_allgatherv(m->dist, tmp, bl, bytes, e);
    }
    free(tmp);
    free(bytes);
    return st;
}

lc_status lc_evaluate(lc_model *m, lc_pool *p, const lc_config *cfg, const lc_dataset *d,
                      const lc_head_ctx *heads, const int32_t *idx, size_t n, int eval_bs,
                      float *const *rows, double *loss, lc_error *e)
{
    const int NO = cfg->nout;
    size_t nb = (n + (size_t)eval_bs - 1) / (size_t)eval_bs;
    double *bl = malloc((nb * (size_t)NO + 1) * sizeof *bl);
    if (!bl)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for an evaluation");
    lc_status st = LC_OK;
    if (lc_dist_size(m->dist) > 1)
        st = evaluate_shared(m, p, cfg, d, heads, idx, n, eval_bs, nb, rows, bl, e);
    else
        evaluate_batches(m, p, cfg, d, heads, idx, n, eval_bs, 0, nb, rows, bl);
    for (int o = 0; o < NO; o++) {
        loss[o] = 0.0;
        for (size_t j = 0; j < nb; j++)
            loss[o] += bl[j * (size_t)NO + (size_t)o];
        loss[o] = nb ? loss[o] / (double)nb : 0.0;
    }
    free(bl);
    return st;
}

void lc_forward_logits(lc_model *m, lc_pool *p, const lc_config *cfg, const lc_dataset *d,
                       const int32_t *idx, size_t n, int eval_bs, float *const *logits)
{
    lc_model_keep_weights(m, LC_KEEP_EVAL, 1);
    for (size_t at = 0; at < n; at += (size_t)eval_bs) {
        int B = (int)(n - at < (size_t)eval_bs ? n - at : (size_t)eval_bs);
        gather(m, p, cfg, d, NULL, idx + at, B);
        lc_model_forward(m, p, B, 0, 0, 0);
        for (int o = 0; o < cfg->nout; o++)
            if (logits[o])
                memcpy(logits[o] + at * (size_t)m->heads[o].K, lc_model_head_out(m, o),
                       (size_t)B * (size_t)m->heads[o].K * sizeof(float));
    }
    lc_model_keep_weights(m, LC_KEEP_EVAL, 0);
}

/* torch.nn.utils.clip_grad_norm_'s factor: max/(norm + 1e-6) when that is < 1, else 1 */
static float clip_coef(lc_model *m, lc_pool *p, double max_norm)
{
    double norm = lc_grad_norm(p, m->nparams, m->grads);
    double coef = max_norm / (norm + 1e-6);
    return coef < 1.0 ? (float)coef : 1.0f;
}

/* torch.nn.utils.clip_grad_norm_: scale all gradients by max/(norm + 1e-6) when that is < 1 */
static void clip_global_norm(lc_model *m, lc_pool *p, double max_norm)
{
    float coef = clip_coef(m, p, max_norm);
    if (coef != 1.0f)
        lc_scale(p, m->nparams, coef, m->grads);
}

static const char *split_key[3] = {"training", "validation", "test"};

/* root[key][feature][metric], the list, created when absent */
static cJSON *metric_list(cJSON *root, const char *key, const char *feature, const char *metric)
{
    cJSON *s = cJSON_GetObjectItemCaseSensitive(root, key);
    cJSON *f = cJSON_GetObjectItemCaseSensitive(s, feature);
    if (!f)
        f = cJSON_AddObjectToObject(s, feature);
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(f, metric);
    return arr ? arr : cJSON_AddArrayToObject(f, metric);
}

/* appends v to stats[split][feature][metric] */
static void push_stat(cJSON *stats, const char *split, const char *feature, const char *metric,
                      cJSON *v)
{
    cJSON_AddItemToArray(metric_list(stats, split, feature, metric), v);
}

/* appends [epoch, step, value] to progress[key][feature][metric] */
static void push_progress(cJSON *prog, const char *key, const char *feature, const char *metric,
                          int epoch, long step, const cJSON *v)
{
    cJSON *arr = metric_list(prog, key, feature, metric);
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
        for (int j = 0; c->idx2str && j < c->nclasses; j++)
            h = lc_fnv1a(h, c->idx2str[j], strlen(c->idx2str[j]) + 1);
        if (c->values)
            h = lc_fnv1a(h, c->values, d->n * (size_t)(c->T > 1 ? c->T : 1) * sizeof *c->values);
        if (c->defer) { /* the images a rank decodes are its share: their paths name them */
            size_t np;
            const char *const *paths = lc_image_defer_paths(c->defer, &np);
            for (size_t i = 0; i < np; i++)
                h = lc_fnv1a(h, paths[i], strlen(paths[i]) + 1);
        }
        else if (c->images)
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

static int cmp_range(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The optimizer's ranges of m's parameters when some layers are frozen (trainable: false, a
 * frozen embedding): every parameter outside the frozen layers' weights and biases, which
 * torch.optim never steps (no gradient), so that weight decay leaves them alone too. *keep
 * NULL when nothing is frozen; -1 out of memory. */
static int trained_ranges(const lc_model *m, size_t **keep, int *nkeep)
{
    size_t nf = 0, *fr = NULL;
    *keep = NULL;
    *nkeep = 0;
    for (int i = 0; i < m->nlayers; i++)
        nf += m->layers[i].frozen ? 2 : 0;
    if (nf == 0)
        return 0;
    if (!(fr = malloc(2 * nf * sizeof *fr)) || !(*keep = malloc((2 * nf + 2) * sizeof **keep))) {
        free(fr);
        return -1;
    }
    nf = 0;
    for (int i = 0; i < m->nlayers; i++) {
        const lc_layer *l = &m->layers[i];
        if (!l->frozen)
            continue;
        if (l->w_off != (size_t)-1 && l->w_n > 0) {
            fr[2 * nf] = l->w_off;
            fr[2 * nf++ + 1] = l->w_off + l->w_n;
        }
        if (l->b_off != (size_t)-1 && l->b_n > 0) {
            fr[2 * nf] = l->b_off;
            fr[2 * nf++ + 1] = l->b_off + l->b_n;
        }
    }
    qsort(fr, nf, 2 * sizeof *fr, cmp_range);
    size_t at = 0; /* the complement of the frozen ranges in [0, nparams) */
    for (size_t k = 0; k < nf; k++) {
        if (fr[2 * k] > at) {
            (*keep)[2 * *nkeep] = at;
            (*keep)[2 * (*nkeep)++ + 1] = fr[2 * k];
        }
        if (fr[2 * k + 1] > at)
            at = fr[2 * k + 1];
    }
    if (at < m->nparams) {
        (*keep)[2 * *nkeep] = at;
        (*keep)[2 * (*nkeep)++ + 1] = m->nparams;
    }
    free(fr);
    return 0;
}

/* Below this many floating-point operations per training step the step runs on the calling
 * thread. */
#define LC_SMALL_STEP_FLOPS 3e7

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

/* Everything a training run keeps between its stages. */
typedef struct run {
    const lc_config *cfg;
    const lc_dataset *d;
    lc_model *m;
    const lc_train_opts *o;
    lc_train_result *r;
    lc_pool *p;
    int NO, B, EB, has_val, use_combined, vo, higher, reduce_split, per;
    size_t ntr;
    long steps_per_epoch, step, best_steps;
    int epochs, best_epoch;
    double best_value, t_start, t_train, last_lr;
    lc_head_ctx *heads;
    collect *seen, *ev;          /* the epoch's training rows; an evaluated split */
    float **evrows;
    double *loss_sum;            /* (NO) per-batch losses summed over the epoch */
    double *split_loss;          /* (3, NO) per output, then (3) combined */
    int32_t *perm;
    float *best_params, *best_buffers, *state;
    size_t *keep; /* the trained parameters' ranges ([lo, hi) pairs), NULL: all of them */
    int nkeep;
    lc_optim opt;
    lc_lr_sched sched;
    cJSON *best_metrics[3];
    long nb;                     /* the epoch's batches and rows */
    size_t nseen;
    double rows_trained;         /* over the run (this process), for samples/s */
    double *lk;                  /* (NO) the step's per-output losses */
    /* backend horovod (lc_dp.h): G groups per step; the step's exchange of each group's
     * losses, batch-norm statistics and rows (group_rec_bytes) */
    int G;
    lc_dp dp;
    size_t roww, rec_fixed;      /* floats per row over the outputs; a record's fixed bytes */
    unsigned char *xmine, *xall;
    size_t *xbytes;
    /* the groups' shards of the training rows (lc_dp_shard_groups): shard g is
     * shard[soff[g] .. soff[g + 1]), shuffled each epoch into sperm; a step's rows per group */
    int32_t *shard, *sperm, *steprows;
    size_t *soff;
    int *gcnt, *gstart;
} run;

static size_t group_rec_bytes(const run *R, int rows)
{
    return R->rec_fixed + ((size_t)rows * R->roww * sizeof(float) + 7) / 8 * 8;
}

static void run_free(run *R)
{
    for (int s = 0; s < 3; s++)
        cJSON_Delete(R->best_metrics[s]);
    lc_heads_free(R->NO, R->heads);
    free(R->heads);
    collect_free(R->NO, R->seen);
    collect_free(R->NO, R->ev);
    free(R->evrows);
    free(R->loss_sum);
    free(R->split_loss);
    free(R->perm);
    lc_free(R->best_params);
    lc_free(R->best_buffers);
    lc_free(R->state);
    free(R->keep);
    free(R->lk);
    lc_dp_free(&R->dp);
    free(R->xmine);
    free(R->xall);
    free(R->xbytes);
    free(R->shard);
    free(R->sperm);
    free(R->steprows);
    free(R->soff);
    free(R->gcnt);
    free(R->gstart);
    lc_free(R->m->bn_rec);
    free(R->m->bn_rec_set);
    R->m->bn_rec = NULL;
    R->m->bn_rec_set = NULL;
}

/* Backend horovod's state: the gradient tree, batch-norm recording, the exchange buffers. */
static lc_status dp_setup(run *R, lc_error *e)
{
    lc_model *m = R->m;
    R->G = R->o->dp_groups;
    lc_status st = lc_dp_init(&R->dp, m->dist, R->G, m->nparams, e);
    if (st)
        return st;
    for (int k = 0; k < R->NO; k++)
        R->roww += (size_t)lc_head_width(&R->heads[k]);
    R->rec_fixed = ((size_t)R->NO + m->nbuffers) * sizeof(double) + ((size_t)m->nlayers + 7) / 8 * 8;
    size_t most = group_rec_bytes(R, R->B / R->G + 1);
    R->xmine = malloc((size_t)(R->dp.g1 - R->dp.g0) * most + 8);
    R->xall = malloc((size_t)R->G * most + 8);
    R->xbytes = calloc((size_t)R->dp.R, sizeof *R->xbytes);
    m->bn_rec = lc_alloc(m->nbuffers + 1, sizeof(double));
    m->bn_rec_set = calloc((size_t)m->nlayers + 1, 1);
    const int G = R->G;
    R->shard = malloc((R->ntr + 1) * sizeof *R->shard);
    R->sperm = malloc((R->ntr + 1) * sizeof *R->sperm);
    R->steprows = malloc(((size_t)R->B + 1) * sizeof *R->steprows);
    R->soff = calloc((size_t)G + 1, sizeof *R->soff);
    R->gcnt = calloc((size_t)G, sizeof *R->gcnt);
    R->gstart = calloc((size_t)G, sizeof *R->gstart);
    int *sg = calloc((size_t)G, sizeof *sg);
    if (!R->xmine || !R->xall || !R->xbytes || !m->bn_rec || !m->bn_rec_set || !R->shard ||
        !R->sperm || !R->steprows || !R->soff || !R->gcnt || !R->gstart || !sg) {
        free(sg);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for data-parallel training");
    }
    /* the shards: training position i to group sg[i % ns], each shard in file order */
    int ns = lc_dp_shard_groups(R->B, G, sg);
    for (size_t i = 0; i < R->ntr; i++)
        R->soff[sg[i % (size_t)ns] + 1]++;
    for (int g = 0; g < G; g++)
        R->soff[g + 1] += R->soff[g];
    for (size_t i = 0; i < R->ntr; i++) { /* soff[g] runs ahead as shard g fills */
        int g = sg[i % (size_t)ns];
        R->shard[R->soff[g]++] = R->d->idx[0][i];
    }
    for (int g = G; g > 0; g--) /* and back: shard g starts where shard g - 1 ended */
        R->soff[g] = R->soff[g - 1];
    R->soff[0] = 0;
    free(sg);
    /* an epoch: as many steps as the slowest shard needs at its rows per step */
    long steps = 0;
    for (int g = 0; g < G; g++) {
        long bg = lc_dp_group_rows(R->B, G, g), ng = (long)(R->soff[g + 1] - R->soff[g]);
        if (bg > 0 && (ng + bg - 1) / bg > steps)
            steps = (ng + bg - 1) / bg;
    }
    R->steps_per_epoch = steps > 0 ? steps : 1;
    return LC_OK;
}

/* Step k's rows of a data-parallel epoch: group g's next rows of its shuffled shard, the groups in
 * order into R->steprows (R->gstart, R->gcnt); returns their number. */
static int dp_batch(run *R, long k)
{
    int n = 0;
    for (int g = 0; g < R->G; g++) {
        long bg = lc_dp_group_rows(R->B, R->G, g), ng = (long)(R->soff[g + 1] - R->soff[g]);
        long lo = k * bg < ng ? k * bg : ng, hi = (k + 1) * bg < ng ? (k + 1) * bg : ng;
        R->gstart[g] = n;
        R->gcnt[g] = (int)(hi - lo);
        memcpy(R->steprows + n, R->sperm + R->soff[g] + lo, (size_t)(hi - lo) * sizeof *R->steprows);
        n += (int)(hi - lo);
    }
    return n;
}

/* One data-parallel step on rows[0..Bc) (see lc_dp.h): this rank's groups forward and backward
 * as batches of their own, the gradient tree into m->grads, then every group's record from every
 * rank, applied in group order: the step's losses into R->lk, the batch norms' running
 * statistics, the rows for the training metrics. */
static lc_status dp_step(run *R, const int32_t *rows, int Bc, lc_error *e)
{
    const lc_config *cfg = R->cfg;
    lc_model *m = R->m;
    lc_pool *p = R->p;
    lc_dp *t = &R->dp;
    const int G = R->G, NO = R->NO;
    const size_t nbuf = m->nbuffers, nlay = (size_t)m->nlayers;
    unsigned char *xp = R->xmine;
    lc_dp_begin(t);
    for (int g = t->g0; g < t->g1; g++) {
        int s0 = R->gstart[g], bg = R->gcnt[g];
        size_t rb = group_rec_bytes(R, bg);
        float *leaf = lc_dp_leaf(t);
        memset(xp, 0, rb);
        if (bg == 0) {
            memset(leaf, 0, m->nparams * sizeof *leaf);
            lc_dp_push(t, g);
            xp += rb;
            continue;
        }
        uint64_t gstep = (uint64_t)R->step * (uint64_t)G + (uint64_t)g; /* the group's masks */
        gather(m, p, cfg, R->d, R->heads, rows + s0, bg);
        for (int k = 0; k < cfg->nin; k++)
            if (cfg->in[k].type == LC_FT_IMAGE && cfg->in[k].naug > 0) {
                lc_status ast = lc_image_augment(m, p, &cfg->in[k], &R->d->in[k], k, bg,
                                                 R->o->seed, gstep, e);
                if (ast)
                    return ast;
            }
        memset(m->bn_rec_set, 0, nlay);
        lc_model_forward(m, p, bg, 1, R->o->seed, gstep);
        double *xl = (double *)(void *)xp;
        for (int k = 0; k < NO; k++)
            xl[k] = lc_head_loss(&R->heads[k], m, k, bg);
        memcpy(xl + NO, m->bn_rec, nbuf * sizeof(double));
        memcpy(xl + NO + nbuf, m->bn_rec_set, nlay);
        float *xr = (float *)(void *)(xp + R->rec_fixed);
        /* the group's share of the batch's mean loss: its heads' gradients scaled by bg / Bc,
         * and the backward pass writing the tree's leaf */
        float sc = (float)((double)bg / (double)Bc);
        for (int k = 0; k < NO; k++) {
            lc_head_rows(&R->heads[k], m, k, bg, xr);
            xr += (size_t)bg * (size_t)lc_head_width(&R->heads[k]);
            lc_head_backward(&R->heads[k], m, k, bg);
            float *dl = m->heads[k].dlogits;
            for (size_t i = 0, nd = (size_t)bg * m->layers[m->heads[k].layer].out_n; i < nd; i++)
                dl[i] *= sc;
        }
        float *grads = m->grads;
        m->grads = leaf;
        lc_model_backward(m, p, bg);
        m->grads = grads;
        lc_dp_push(t, g);
        xp += rb;
    }
    lc_status st = lc_dp_reduce(t, m->grads, e);
    if (st)
        return st;
    for (int q = 0; q < t->R; q++) {
        int g0, g1;
        lc_dp_groups_of(G, t->R, q, &g0, &g1);
        R->xbytes[q] = 0;
        for (int g = g0; g < g1; g++)
            R->xbytes[q] += group_rec_bytes(R, R->gcnt[g]);
    }
    if ((st = lc_dist_allgatherv(m->dist, R->xmine, R->xall, R->xbytes, e)))
        return st;
    for (int k = 0; k < NO; k++)
        R->lk[k] = 0.0;
    xp = R->xall;
    for (int g = 0; g < G; g++) {
        int s0 = R->gstart[g], bg = R->gcnt[g];
        const double *xl = (const double *)(const void *)xp;
        const unsigned char *set = (const unsigned char *)(xl + NO + nbuf);
        const float *xr = (const float *)(const void *)(xp + R->rec_fixed);
        xp += group_rec_bytes(R, bg);
        if (bg == 0)
            continue;
        double w = (double)bg / (double)Bc;
        for (int k = 0; k < NO; k++)
            R->lk[k] += w * xl[k];
        for (size_t i = 0; i < nlay; i++)
            if (set[i]) {
                const lc_layer *l = &m->layers[i];
                float *rm = m->buffers + l->buf_off;
                lc_batchnorm_running_update(l->u.norm.C, l->u.norm.momentum,
                                            xl + NO + l->buf_off, rm, rm + l->u.norm.C);
            }
        for (int k = 0; k < NO; k++) {
            size_t wk = (size_t)lc_head_width(&R->heads[k]);
            memcpy(R->seen[k].rows + (R->nseen + (size_t)s0) * wk, xr, (size_t)bg * wk * sizeof *xr);
            xr += (size_t)bg * wk;
        }
    }
    return LC_OK;
}

/* Sizes, buffers, heads, optimizer and scheduler state, empty statistics. */
static lc_status run_setup(run *R, lc_error *e)
{
    const lc_config *cfg = R->cfg;
    const lc_dataset *d = R->d;
    lc_model *m = R->m;
    lc_train_result *r = R->r;
    /* a network whose training step is a few million floating-point operations (small tabular
     * ones) runs on the calling thread: dispatching its many tiny operations to the pool costs
     * more than they do. Results are the same bits either way. */
    R->p = R->o->pool;
    R->NO = cfg->nout;
    R->ntr = d->count[0];
    R->B = lc_train_batch_size(cfg, R->ntr);
    lc_status est = lc_train_eval_batch(cfg, d, m, R->o->dp_groups, &R->EB, e);
    if (est)
        return est;
    if (m->flops * 3.0 * R->B < LC_SMALL_STEP_FLOPS)
        R->p = NULL;
    r->batch_size = R->B;
    r->eval_batch_size = R->EB;
    size_t need = (size_t)(R->B > R->EB ? R->B : R->EB); /* rows in the largest batch */
    if (need > d->n)
        need = d->n;
    if (need > (size_t)m->max_batch)
        return lc_error_set(e, LC_ERR_INTERNAL, "model planned for batch %d, needs %zu",
                            m->max_batch, need);
    R->has_val = d->count[1] > 0;
    R->use_combined = strcmp(cfg->validation_field, "combined") == 0;
    for (int k = 0; k < R->NO; k++) /* the output whose metric picks the best model */
        if (strcmp(cfg->out[k].name, cfg->validation_field) == 0)
            R->vo = k;
    size_t nmax = d->count[0];
    for (int s = 1; s < 3; s++)
        if (d->count[s] > nmax)
            nmax = d->count[s];
    R->opt = cfg->optim;
    R->per = lc_optim_state_per_param(&R->opt);
    R->heads = calloc((size_t)R->NO, sizeof *R->heads);
    R->evrows = calloc((size_t)R->NO, sizeof *R->evrows);
    R->loss_sum = calloc((size_t)R->NO, sizeof *R->loss_sum);
    R->split_loss = calloc(3 * (size_t)R->NO + 3, sizeof *R->split_loss);
    R->perm = malloc((R->ntr + 1) * sizeof *R->perm);
    R->lk = calloc((size_t)R->NO + 1, sizeof *R->lk);
    R->best_params = lc_alloc(m->nparams, sizeof(float));
    R->best_buffers = lc_alloc(m->nbuffers + 1, sizeof(float));
    R->state = lc_alloc((size_t)R->per * m->nparams + SCHED_FLOATS, sizeof(float));
    r->stats = cJSON_CreateObject();
    r->progress = cJSON_CreateObject();
    if (!R->heads || !R->evrows || !R->loss_sum || !R->split_loss || !R->perm || !R->lk ||
        !R->best_params || !R->best_buffers || !R->state || !r->stats || !r->progress)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory setting up training");
    lc_status st = lc_heads_init(cfg, d, R->heads, e);
    if (st)
        return st;
    R->higher = R->use_combined ? 0
                                : lc_head_higher_is_better(&R->heads[R->vo], cfg->validation_metric);
    /* the scheduler's plateau watches reduce_eval_metric of reduce_eval_split for the
     * validation field */
    R->reduce_split = strcmp(cfg->reduce_eval_split, "validation") == 0 ? 1
                      : strcmp(cfg->reduce_eval_split, "test") == 0     ? 2
                                                                        : 0;
    lc_lr_sched_config scfg = cfg->lr_sched;
    scfg.reduce_higher_is_better =
        !R->use_combined &&
        lc_head_higher_is_better(&R->heads[R->vo], cfg->reduce_eval_metric) == 1;
    if (!(R->seen = collect_alloc(R->NO, R->heads, R->ntr)) ||
        !(R->ev = collect_alloc(R->NO, R->heads, nmax)))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory setting up training");
    for (int k = 0; k < R->NO; k++)
        R->evrows[k] = R->ev[k].rows;
    if (R->o->dp_groups > 0 && (st = dp_setup(R, e)))
        return st;
    lc_optim_init_state(&R->opt, m->nparams, R->state);
    if (trained_ranges(m, &R->keep, &R->nkeep) != 0)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory setting up training");
    cJSON *ef = cJSON_AddObjectToObject(r->stats, "evaluation_frequency");
    cJSON_AddItemToObject(ef, "frequency", lc_json_int(1));
    cJSON_AddStringToObject(ef, "period", "epoch");
    for (int s = 0; s < 3; s++)
        cJSON_AddObjectToObject(r->stats, split_key[s]);
    cJSON_AddObjectToObject(r->progress, "train_metrics");
    cJSON_AddObjectToObject(r->progress, "validation_metrics");
    cJSON_AddObjectToObject(r->progress, "test_metrics");
    for (int s = 0; s < 3; s++)
        if (!(R->best_metrics[s] = cJSON_CreateObject()))
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory setting up training");
    R->best_value = R->higher ? -INFINITY : INFINITY;
    if (R->G == 0) /* backend horovod's epochs: dp_setup */
        R->steps_per_epoch = (long)((R->ntr + (size_t)R->B - 1) / (size_t)R->B);
    R->epochs = cfg->epochs;
    if (cfg->train_steps > 0)
        R->epochs = (int)((cfg->train_steps + R->steps_per_epoch - 1) / R->steps_per_epoch);
    int64_t total = cfg->train_steps > 0 ? cfg->train_steps : (int64_t)R->epochs * R->steps_per_epoch;
    int64_t spc = R->steps_per_epoch < total ? R->steps_per_epoch : total;
    if ((st = lc_lr_sched_init(&R->sched, &scfg, cfg->learning_rate, spc > 0 ? spc : 1,
                               total > 0 ? total : 1, e)))
        return st;
    R->last_lr = lc_lr_sched_lr(&R->sched);
    return LC_OK;
}

/* One epoch of shuffled batches: forward, losses, backward, regularization, clipping, the
 * optimizer at the scheduler's rate. Keeps every batch's per-row values for the training
 * metrics. */
static lc_status train_epoch(run *R, int epoch, lc_error *e)
{
    const lc_config *cfg = R->cfg;
    lc_model *m = R->m;
    lc_pool *p = R->p;
    const int B = R->B;
    if (R->G == 0) {
        for (size_t i = 0; i < R->ntr; i++)
            R->perm[i] = R->d->idx[0][i];
        if (cfg->should_shuffle) {
            lc_rng rg;
            lc_rng_init(&rg, R->o->seed, LC_STREAM_SHUFFLE, (uint64_t)epoch);
            lc_rng_shuffle(&rg, R->perm, (int64_t)R->ntr);
        }
    } else { /* each group's shard shuffled on its own */
        memcpy(R->sperm, R->shard, R->ntr * sizeof *R->sperm);
        for (int g = 0; cfg->should_shuffle && g < R->G; g++) {
            lc_rng rg;
            lc_rng_init(&rg, R->o->seed, LC_STREAM_SHUFFLE,
                        (uint64_t)epoch * (uint64_t)R->G + (uint64_t)g);
            lc_rng_shuffle(&rg, R->sperm + R->soff[g], (int64_t)(R->soff[g + 1] - R->soff[g]));
        }
    }
    for (int k = 0; k < R->NO; k++)
        R->loss_sum[k] = 0.0;
    R->nb = 0;
    R->nseen = 0;
    for (long sk = 0; sk < R->steps_per_epoch; sk++) {
        size_t at = (size_t)sk * (size_t)B;
        int Bc = R->G > 0 ? dp_batch(R, sk)
                          : (int)(R->ntr - at < (size_t)B ? R->ntr - at : (size_t)B);
        const int32_t *rows = R->G > 0 ? R->steprows : R->perm + at;
        if (Bc == 1 && B > 1 && sk > 0)
            break; /* Ludwig drops a last batch of a single sample */
        if (Bc == 0)
            break;
        if (cfg->train_steps > 0 && R->step >= cfg->train_steps)
            break;
        if (R->o->stop && *R->o->stop)
            return lc_error_set(e, LC_ERR_INTERRUPTED,
                                "interrupted during epoch %d (step %ld); no results were written",
                                epoch + 1, R->step);
        if (R->G > 0) {
            lc_status dst = dp_step(R, rows, Bc, e);
            if (dst)
                return dst;
        } else {
            gather(m, p, cfg, R->d, R->heads, rows, Bc);
            for (int k = 0; k < cfg->nin; k++)
                if (cfg->in[k].type == LC_FT_IMAGE && cfg->in[k].naug > 0) {
                    lc_status ast = lc_image_augment(m, p, &cfg->in[k], &R->d->in[k], k, Bc,
                                                     R->o->seed, (uint64_t)R->step, e);
                    if (ast)
                        return ast;
                }
            lc_model_forward(m, p, Bc, 1, R->o->seed, (uint64_t)R->step);
            for (int k = 0; k < R->NO; k++) {
                R->lk[k] = lc_head_loss(&R->heads[k], m, k, Bc);
                lc_head_rows(&R->heads[k], m, k, Bc,
                             R->seen[k].rows + R->nseen * (size_t)lc_head_width(&R->heads[k]));
                lc_head_backward(&R->heads[k], m, k, Bc);
            }
            lc_model_backward(m, p, Bc);
        }
        double loss = 0.0;
        for (int k = 0; k < R->NO; k++) {
            loss += cfg->out[k].loss_weight * R->lk[k];
            R->loss_sum[k] += R->lk[k];
        }
        if (!isfinite(loss)) {
            lc_error_set(e, LC_ERR_DIVERGED,
                         "training diverged: the loss became %s at epoch %d, step %ld (learning rate %g)",
                         isnan(loss) ? "NaN" : "infinite", epoch + 1, R->step + 1, R->last_lr);
            lc_error_hint(e, "lower trainer.learning_rate (e.g. by 10x) or check the input data");
            return LC_ERR_DIVERGED;
        }
        R->nb++;
        for (int k = 0; k < R->NO; k++)
            lc_head_targets(&R->heads[k], rows, (size_t)Bc, R->seen[k].labels + R->nseen,
                            R->seen[k].values + R->nseen);
        R->nseen += (size_t)Bc;
        if (cfg->regularization_lambda > 0)
            add_regularization(m, cfg->regularization_type, (float)cfg->regularization_lambda);
        /* a single norm clip (Ludwig's default, clipglobalnorm 0.5) scales the gradients within
         * the optimizer's pass (lc_optim_step_scaled: the same bits); more clips in turn */
        float gscale = 1.0f;
        if (cfg->clipglobalnorm > 0 && cfg->clipnorm <= 0 && cfg->clipvalue <= 0)
            gscale = clip_coef(m, p, cfg->clipglobalnorm);
        else if (cfg->clipglobalnorm > 0)
            clip_global_norm(m, p, cfg->clipglobalnorm);
        if (cfg->clipnorm > 0)
            clip_global_norm(m, p, cfg->clipnorm);
        if (cfg->clipvalue > 0) {
            float cv = (float)cfg->clipvalue;
            for (size_t k = 0; k < m->nparams; k++)
                m->grads[k] = m->grads[k] > cv ? cv : m->grads[k] < -cv ? -cv : m->grads[k];
        }
        R->step++;
        R->last_lr = lc_lr_sched_lr(&R->sched);
        R->opt.lr = (float)R->last_lr;
        lc_optim_step_scaled(p, &R->opt, R->step, m->nparams, m->params, m->grads, gscale,
                             R->state, R->keep, R->nkeep);
        lc_lr_sched_step(&R->sched);
    }
    return LC_OK;
}

/* The end-of-epoch evaluation of every split (the training split from the epoch's batches
 * unless evaluate_training_set), appended to the statistics; latest[s] receives
 * {feature: metrics, ..., combined: {loss}} of split s (NULL for an empty split). */
static lc_status eval_epoch(run *R, int epoch, cJSON *latest[3], lc_error *e)
{
    const lc_config *cfg = R->cfg;
    const lc_dataset *d = R->d;
    lc_train_result *r = R->r;
    const int NO = R->NO;
    for (int s = 0; s < 3; s++) {
        if (d->count[s] == 0)
            continue;
        size_t n;
        collect *src;
        double *sl = R->split_loss + (size_t)s * NO;
        int from_epoch = s == 0 && !cfg->evaluate_training_set;
        if (from_epoch) {
            /* Ludwig's default: metrics accumulated over the epoch's training batches */
            n = R->nseen;
            src = R->seen;
            for (int k = 0; k < NO; k++)
                sl[k] = R->nb ? R->loss_sum[k] / (double)R->nb : 0.0;
        } else {
            n = d->count[s];
            src = R->ev;
            double te = lc_now_s();
            lc_status est = lc_evaluate(R->m, R->p, cfg, d, R->heads, d->idx[s], n, R->EB,
                                        R->evrows, sl, e);
            if (est)
                return est;
            r->eval_seconds += lc_now_s() - te;
            r->eval_samples += n;
            for (int k = 0; k < NO; k++)
                lc_head_targets(&R->heads[k], d->idx[s], n, R->ev[k].labels, R->ev[k].values);
        }
        latest[s] = cJSON_CreateObject();
        const char *pk = s == 0 ? "train_metrics" : s == 1 ? "validation_metrics"
                                                           : "test_metrics";
        double comb = 0.0;
        for (int k = 0; k < NO && latest[s]; k++) {
            const char *feat = cfg->out[k].name;
            cJSON *mk = lc_head_metrics(&R->heads[k], n, src[k].rows, src[k].labels,
                                        src[k].values, sl[k], from_epoch ? R->B : R->EB);
            if (!mk) {
                cJSON_Delete(latest[s]);
                latest[s] = NULL;
                break;
            }
            for (cJSON *mv = mk->child; mv; mv = mv->next) {
                push_stat(r->stats, split_key[s], feat, mv->string, cJSON_Duplicate(mv, 1));
                push_progress(r->progress, pk, feat, mv->string, epoch + 1, R->step, mv);
            }
            cJSON_AddItemToObject(latest[s], feat, mk);
            comb += cfg->out[k].loss_weight * sl[k];
        }
        if (!latest[s])
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory computing metrics");
        R->split_loss[3 * (size_t)NO + (size_t)s] = comb;
        cJSON *cl = lc_json_float((double)(float)comb);
        push_stat(r->stats, split_key[s], "combined", "loss", cJSON_Duplicate(cl, 1));
        push_progress(r->progress, pk, "combined", "loss", epoch + 1, R->step, cl);
        cJSON *co = cJSON_AddObjectToObject(latest[s], "combined");
        cJSON_AddItemToObject(co, "loss", cl);
    }
    return LC_OK;
}

/* After an evaluation: the scheduler's plateau step, and the best model on the validation
 * metric. Returns 1 when this epoch is the new best. */
static int track_best(run *R, int epoch, cJSON *const latest[3])
{
    const lc_config *cfg = R->cfg;
    const size_t NO = (size_t)R->NO;
    if (!R->has_val)
        return 0;
    const cJSON *rs = latest[R->reduce_split];
    double rv = R->use_combined
                    ? R->split_loss[3 * NO + (size_t)R->reduce_split]
                    : lc_metric_value(cJSON_GetObjectItemCaseSensitive(rs, cfg->validation_field),
                                      cfg->reduce_eval_metric);
    lc_lr_sched_eval(&R->sched, rs ? rv : NAN, R->step);
    double v = R->use_combined
                   ? R->split_loss[3 * NO + 1]
                   : lc_metric_value(cJSON_GetObjectItemCaseSensitive(latest[1], cfg->validation_field),
                                     cfg->validation_metric);
    if (isnan(v))
        v = 0.0;
    int improved = R->higher ? v > R->best_value : v < R->best_value;
    if (!improved)
        return 0;
    R->best_value = v;
    R->best_epoch = epoch + 1;
    R->best_steps = R->step;
    memcpy(R->best_params, R->m->params, R->m->nparams * sizeof(float));
    memcpy(R->best_buffers, R->m->buffers, R->m->nbuffers * sizeof(float));
    for (int s = 0; s < 3; s++) {
        cJSON_Delete(R->best_metrics[s]);
        R->best_metrics[s] = latest[s] ? cJSON_Duplicate(latest[s], 1) : cJSON_CreateObject();
    }
    return 1;
}

/* The per-epoch line: losses and the first output's main metric per split, the epoch's time
 * (t0 its start) and its training time (t_ep: forward, backward and optimizer steps, without
 * the evaluation of the splits after it) with the training samples/s, ETA. */
static void print_epoch(const run *R, int epoch, int start_epoch, double t0, double t_ep,
                        cJSON *const latest[3], int improved)
{
    FILE *f = R->o->progress;
    if (!f)
        return;
    double el = lc_now_s() - R->t_start;
    char eta[32];
    fmt_eta(el / (epoch + 1 - start_epoch) * (R->epochs - epoch - 1), eta, sizeof eta);
    fprintf(f, "epoch %*d/%d", R->epochs >= 100 ? 3 : R->epochs >= 10 ? 2 : 1, epoch + 1,
            R->epochs);
    const char *pm = lc_head_progress_metric(&R->heads[0]);
    const char *pshort = strcmp(pm, "mean_absolute_error") == 0 ? "mae"
                         : strcmp(pm, "jaccard") == 0           ? "jaccard"
                                                                : "acc";
    for (int s = 0; s < 3; s++)
        if (latest[s])
            fprintf(f, "  %s loss %.4f %s %.4f", s == 0 ? "train" : s == 1 ? "val" : "test",
                    R->split_loss[3 * (size_t)R->NO + (size_t)s], pshort,
                    lc_metric_value(cJSON_GetObjectItemCaseSensitive(latest[s], R->cfg->out[0].name), pm));
    fprintf(f, "  %.1fs (training %.1fs, %.0f samples/s)  ETA %s%s\n", lc_now_s() - t0, t_ep,
            t_ep > 0.0 ? (double)R->nseen / t_ep : 0.0, eta, improved ? "  *best*" : "");
    fflush(f);
}

/* training_progress.json's scalars, as Ludwig's ProgressTracker writes them. */
static void progress_finish(run *R)
{
    lc_train_result *r = R->r;
    const int has_val = R->has_val;
    cJSON *pr = r->progress;
    cJSON_AddItemToObject(pr, "batch_size", lc_json_int(R->B));
    cJSON_AddItemToObject(pr, "best_eval_metric_checkpoint_number", lc_json_int(has_val ? 2L * R->best_epoch - 1 : 0));
    cJSON_AddItemToObject(pr, "best_eval_metric_epoch", lc_json_int(has_val ? R->best_epoch : 0));
    cJSON_AddItemToObject(pr, "best_eval_metric_steps", lc_json_int(has_val ? R->best_steps : 0));
    cJSON_AddItemToObject(pr, "best_eval_metric_value", lc_json_float(R->best_value));
    cJSON_AddItemToObject(pr, "best_eval_test_metrics", R->best_metrics[2]);
    cJSON_AddItemToObject(pr, "best_eval_train_metrics", R->best_metrics[0]);
    cJSON_AddItemToObject(pr, "best_eval_validation_metrics", R->best_metrics[1]);
    R->best_metrics[0] = R->best_metrics[1] = R->best_metrics[2] = NULL;
    cJSON_AddItemToObject(pr, "best_increase_batch_size_eval_metric", lc_json_float(INFINITY));
    cJSON_AddItemToObject(pr, "checkpoint_number", lc_json_int(2L * r->epochs_run));
    cJSON *c2e = cJSON_AddObjectToObject(pr, "checkpoint_to_epoch");
    cJSON *c2s = cJSON_AddObjectToObject(pr, "checkpoint_to_step");
    for (int k = 1; k <= 2 * r->epochs_run; k++) {
        char key[24];
        snprintf(key, sizeof key, "%d", k);
        long ep = (k + 1) / 2;
        cJSON_AddItemToObject(c2e, key, lc_json_int(ep));
        long st_at = ep * R->steps_per_epoch < R->step ? ep * R->steps_per_epoch : R->step;
        cJSON_AddItemToObject(c2s, key, lc_json_int(st_at));
    }
    cJSON_AddItemToObject(pr, "epoch", lc_json_int(r->epochs_run));
    cJSON_AddItemToObject(pr, "last_improvement_steps", lc_json_int(has_val ? R->step - R->best_steps : 0));
    cJSON_AddItemToObject(pr, "last_increase_batch_size", lc_json_int(0));
    cJSON_AddItemToObject(pr, "last_increase_batch_size_eval_metric_improvement", lc_json_int(0));
    cJSON_AddItemToObject(pr, "last_increase_batch_size_steps", lc_json_int(0));
    cJSON_AddItemToObject(pr, "last_learning_rate_reduction", lc_json_int(R->sched.last_reduction));
    cJSON_AddItemToObject(pr, "last_learning_rate_reduction_steps",
                          lc_json_int(R->sched.last_reduction_steps));
    cJSON_AddItemToObject(pr, "learning_rate", lc_json_float(R->last_lr));
    cJSON_AddObjectToObject(pr, "llm_eval_examples");
    cJSON_AddItemToObject(pr, "num_increases_batch_size", lc_json_int(0));
    cJSON_AddItemToObject(pr, "num_reductions_learning_rate", lc_json_int(R->sched.num_reductions));
    cJSON_AddItemToObject(pr, "steps", lc_json_int(R->step));
    size_t in_floats = 0;
    for (int k = 0; k < R->m->nin; k++)
        in_floats += R->m->in_ns[k];
    cJSON_AddItemToObject(pr, "total_tokens_used",
                          lc_json_int((long long)R->step * R->B * (long long)(in_floats + (size_t)R->NO)));
    cJSON_AddItemToObject(pr, "tune_checkpoint_num", lc_json_int(0));
    if (!has_val) {
        cJSON *vm = cJSON_GetObjectItemCaseSensitive(pr, "validation_metrics");
        cJSON_AddObjectToObject(vm, "combined");
        for (int k = 0; k < R->NO; k++)
            cJSON_AddObjectToObject(vm, R->cfg->out[k].name);
    }
}

lc_status lc_train(const lc_config *cfg, const lc_dataset *d, lc_model *m,
                   const lc_train_opts *o, lc_train_result *r, lc_error *e)
{
    memset(r, 0, sizeof *r);
    run R = {.cfg = cfg, .d = d, .m = m, .o = o, .r = r};
    int epoch = 0, start_epoch = 0, finished = 0;
    double t_prior = 0.0; /* training seconds of the run resumed from */
    lc_status st = run_setup(&R, e);
    if (st)
        goto done;
    R.t_start = lc_now_s();
    lc_checkpoint ck = {.nparams = m->nparams, .nbuffers = m->nbuffers,
                        .nstate = (size_t)R.per * m->nparams + SCHED_FLOATS, .params = m->params,
                        .buffers = m->buffers, .state = R.state, .best_params = R.best_params,
                        .best_buffers = R.best_buffers};
    if (o->checkpoint_dir || o->resume_from)
        ck.fingerprint = run_fingerprint(cfg, d, m, o->seed);
    if (o->resume_from) {
        if ((st = lc_checkpoint_load(o->resume_from, &ck, e)))
            goto done;
        st = ckpt_json_take(ck.json, o->resume_from, r, R.best_metrics, e);
        cJSON_Delete(ck.json);
        ck.json = NULL;
        if (st)
            goto done;
        /* a checkpoint's numbers must agree with what its run did: its statistics hold one
         * evaluation per epoch and its steps fill its epochs (the checksum is no defence
         * against a crafted file, and an epoch of 3,000,000 would be written out per epoch) */
        const cJSON *loss = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->stats, "training"),
                                             "combined"),
            "loss");
        int nev = cJSON_IsArray(loss) ? cJSON_GetArraySize(loss) : -1;
        if (nev != ck.epoch || ck.step > (long)ck.epoch * R.steps_per_epoch ||
            (ck.epoch > 0 && ck.step <= (long)(ck.epoch - 1) * R.steps_per_epoch)) {
            st = lc_error_set(e, LC_ERR_DATA,
                              "%s: the training checkpoint says epoch %d, step %ld, but its statistics cover %d epoch(s) of %ld steps each: it was altered, not written by a run",
                              o->resume_from, ck.epoch, ck.step, nev < 0 ? 0 : nev, R.steps_per_epoch);
            goto done;
        }
        memcpy(&R.sched, R.state + (size_t)R.per * m->nparams, sizeof R.sched);
        start_epoch = r->resumed_epochs = ck.epoch;
        R.step = ck.step;
        R.best_epoch = ck.best_epoch;
        R.best_steps = ck.best_steps;
        R.best_value = ck.best_value;
        R.t_train = t_prior = ck.train_seconds;
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
                R.ntr, d->count[1], d->count[2], R.B, R.epochs, lc_pool_threads(o->pool));
    double ckpt_end = 0.0, ckpt_cost = 0.0;
    /* frozen convolutions keep their transformed weights from step to step (their parameters
     * are never stepped); closed before the best parameters are copied back */
    lc_model_keep_weights(m, LC_KEEP_FROZEN, 1);
    for (epoch = start_epoch; epoch < R.epochs && !finished; epoch++) {
        double t0 = lc_now_s();
        if ((st = train_epoch(&R, epoch, e)))
            goto done_metrics;
        const double t_ep = lc_now_s() - t0;
        R.t_train += t_ep;
        R.rows_trained += (double)R.nseen;
        cJSON *latest[3] = {NULL, NULL, NULL};
        st = eval_epoch(&R, epoch, latest, e);
        int improved = st ? 0 : track_best(&R, epoch, latest);
        if (!st)
            print_epoch(&R, epoch, start_epoch, t0, t_ep, latest, improved);
        for (int s = 0; s < 3; s++)
            cJSON_Delete(latest[s]);
        if (st)
            goto done_metrics;
        int early = R.has_val && cfg->early_stop > 0 &&
                    R.step - R.best_steps >= (long)cfg->early_stop * R.steps_per_epoch;
        int steps_done = cfg->train_steps > 0 && R.step >= cfg->train_steps;
        /* a checkpoint after every epoch, unless writing it would cost more than a fifth of
         * the training time since the last one (tiny epochs: the statistics it holds grow
         * with every epoch); always at the end of training */
        double now = lc_now_s();
        int last = early || steps_done || epoch + 1 == R.epochs;
        if (o->checkpoint_dir && (last || now - ckpt_end >= 4.0 * ckpt_cost)) {
            ck.epoch = epoch + 1;
            ck.step = R.step;
            ck.best_epoch = R.best_epoch;
            ck.best_steps = R.best_steps;
            ck.best_value = R.best_value;
            ck.train_seconds = R.t_train;
            ck.flags = (early || steps_done ? LC_CKPT_FINISHED : 0) | (early ? LC_CKPT_EARLY_STOPPED : 0);
            memcpy(R.state + (size_t)R.per * m->nparams, &R.sched, sizeof R.sched);
            ck.json = ckpt_json(r->stats, r->progress, R.best_metrics);
            st = ck.json ? lc_checkpoint_save(o->checkpoint_dir, &ck, e)
                         : lc_error_set(e, LC_ERR_NOMEM, "out of memory writing a checkpoint");
            cJSON_Delete(ck.json);
            ck.json = NULL;
            ckpt_end = lc_now_s();
            ckpt_cost = ckpt_end - now;
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
                        cfg->validation_metric, cfg->early_stop, R.best_epoch);
            break;
        }
        if (steps_done) {
            epoch++;
            break;
        }
    }
    r->epochs_run = epoch;
    r->steps = R.step;
    r->train_seconds = R.t_train;
    /* rows trained over training time (of this process: a resumed run counts what it trained) */
    double t_here = R.t_train - t_prior;
    r->samples_per_second = t_here > 0 ? R.rows_trained / t_here : 0;
    lc_model_keep_weights(m, LC_KEEP_FROZEN, 0);
    if (R.has_val && R.best_epoch > 0) {
        memcpy(m->params, R.best_params, m->nparams * sizeof(float));
        memcpy(m->buffers, R.best_buffers, m->nbuffers * sizeof(float));
    }
    r->best_epoch = R.has_val ? R.best_epoch : r->epochs_run;
    progress_finish(&R);
    goto done;
done_metrics:
    r->epochs_run = epoch;
done:
    lc_model_keep_weights(m, LC_KEEP_FROZEN, 0);
    run_free(&R);
    if (st)
        lc_train_result_free(r);
    return st;
}
