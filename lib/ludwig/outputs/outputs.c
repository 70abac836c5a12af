/* outputs.c - the outputs stage shared by experiment, train, predict and evaluate (see
 * lc_outputs.h): the model from the config and data, evaluation of every output, the test
 * statistics and the predictions table. What each output type computes is lc_heads.h's. */
#include "lc_outputs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lc_calibrate.h"
#include "lc_fs.h"
#include "lc_ftypes.h"
#include "lc_json.h"
#include "lc_report.h"
#include "lc_mem.h"
#include "lc_prep_tab.h"
#include "lc_train.h"

/* the activations' budget: an eighth of the machine's memory, at most 1 GiB (beyond a few dozen
 * rows a batch evaluates no faster, and the arena is zeroed up front) */
static size_t act_budget(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double q = pages > 0 && page > 0 ? 0.125 * (double)pages * (double)page : (double)(1 << 30);
    return (size_t)(q < (double)(1 << 30) ? q : (double)(1 << 30));
}

lc_status lc_model_build(const lc_config *cfg, const lc_dataset *d, int max_batch, int min_batch,
                         int threads, int inference, lc_model **out, lc_error *e)
{
    *out = NULL;
    lc_input_spec *in = calloc((size_t)cfg->nin, sizeof *in);
    lc_output_spec *os = calloc((size_t)cfg->nout, sizeof *os);
    if (!in || !os) {
        free(in);
        free(os);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < cfg->nin; k++) {
        in[k] = cfg->in[k].enc;
        const lc_column *c = &d->in[k];
        if (cfg->in[k].type == LC_FT_IMAGE) {
            in[k].C = c->C;
            in[k].H = c->H;
            in[k].W = c->W;
        }
        if (cfg->in[k].type == LC_FT_TIMESERIES || cfg->in[k].type == LC_FT_TEXT ||
            cfg->in[k].type == LC_FT_SET || cfg->in[k].type == LC_FT_BAG ||
            cfg->in[k].type == LC_FT_VECTOR || cfg->in[k].type == LC_FT_DATE)
            in[k].T = c->T;
        in[k].vocab = c->nclasses;
        /* Ludwig: an embedding larger than the vocabulary is cut to the vocabulary's size */
        if ((in[k].enc == LC_ENC_EMBED || in[k].enc == LC_ENC_SET_EMBED || in[k].seq_embed) &&
            !in[k].embed_exact &&
            in[k].embed_size > c->nclasses)
            in[k].embed_size = c->nclasses;
        if (in[k].embed_sparse) /* representation sparse: one dimension per vocabulary entry */
            in[k].embed_size = c->nclasses;
    }
    for (int o = 0; o < cfg->nout; o++) {
        os[o] = cfg->out[o].dec;
        os[o].nclasses = d->out[o].nclasses;
    }
    lc_net_spec net = {.nin = cfg->nin, .in = in, .comb = cfg->comb, .nout = cfg->nout, .out = os,
                       .act_budget = act_budget(), .min_batch = min_batch,
                       .inference = inference};
    if ((size_t)max_batch > d->n)
        max_batch = (int)d->n;
    lc_status st = lc_model_create_net(&net, max_batch, threads, out, e);
    if (st)
        lc_error_prefix(e, "%s: ", cfg->path);
    free(in);
    free(os);
    return st;
}

void lc_eval_free(lc_eval *ev)
{
    for (int o = 0; o < ev->nout; o++) {
        if (ev->out)
            lc_free(ev->out[o]);
        if (ev->labels)
            free(ev->labels[o]);
        if (ev->values)
            free(ev->values[o]);
    }
    lc_heads_free(ev->nout, ev->heads);
    free(ev->heads);
    free(ev->out);
    free(ev->labels);
    free(ev->values);
    free(ev->loss);
    free(ev->rows);
    memset(ev, 0, sizeof *ev);
}

lc_status lc_eval_run(const lc_config *cfg, const lc_dataset *d, lc_model *m, lc_pool *p,
                      const int32_t *rows, size_t n, int batch, lc_eval *ev, lc_error *e)
{
    memset(ev, 0, sizeof *ev);
    int NO = cfg->nout;
    ev->n = n;
    ev->nout = NO;
    ev->batch = batch;
    if (!(ev->rows = malloc((n + 1) * sizeof *ev->rows)) ||
        !(ev->heads = calloc((size_t)NO, sizeof *ev->heads)) ||
        !(ev->out = calloc((size_t)NO, sizeof *ev->out)) ||
        !(ev->labels = calloc((size_t)NO, sizeof *ev->labels)) ||
        !(ev->values = calloc((size_t)NO, sizeof *ev->values)) ||
        !(ev->loss = calloc((size_t)NO, sizeof *ev->loss)))
        goto nomem;
    memcpy(ev->rows, rows, n * sizeof *rows);
    lc_status st = lc_heads_init(cfg, d, ev->heads, e);
    if (st) {
        lc_eval_free(ev);
        return st;
    }
    for (int o = 0; o < NO; o++) {
        int w = lc_head_width(&ev->heads[o]);
        if (!(ev->out[o] = lc_alloc(n + 1, (size_t)w * sizeof(float))) ||
            !(ev->labels[o] = malloc((n + 1) * sizeof(int32_t))) ||
            !(ev->values[o] = malloc((n + 1) * sizeof(float))))
            goto nomem;
        lc_head_targets(&ev->heads[o], ev->rows, n, ev->labels[o], ev->values[o]);
    }
    if ((st = lc_evaluate(m, p, cfg, d, ev->heads, ev->rows, n, batch, ev->out, ev->loss, e))) {
        lc_eval_free(ev);
        return st;
    }
    ev->combined = 0.0;
    for (int o = 0; o < NO; o++)
        ev->combined += cfg->out[o].loss_weight * ev->loss[o];
    return LC_OK;
nomem:
    lc_eval_free(ev);
    return lc_error_set(e, LC_ERR_NOMEM, "out of memory for %zu predictions", n);
}

lc_status lc_eval_statistics(const lc_config *cfg, const lc_eval *ev, int overall, cJSON **out,
                             lc_error *e)
{
    *out = NULL;
    cJSON *ts = cJSON_CreateObject();
    if (!ts)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory computing metrics");
    cJSON *comb = cJSON_AddObjectToObject(ts, "combined");
    cJSON_AddItemToObject(comb, "loss", lc_json_float((double)(float)ev->combined));
    for (int o = 0; o < ev->nout; o++) {
        cJSON *fm = lc_head_metrics(&ev->heads[o], ev->n, ev->out[o], ev->labels[o],
                                    ev->values[o], ev->loss[o], ev->batch);
        if (!fm) {
            cJSON_Delete(ts);
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory computing metrics");
        }
        cJSON_AddItemToObject(ts, cfg->out[o].name, fm);
        lc_status st;
        if (overall && (st = lc_head_overall(&ev->heads[o], ev->n, ev->out[o], ev->labels[o],
                                             ev->values[o], fm, e))) {
            cJSON_Delete(ts);
            return st;
        }
    }
    *out = ts;
    return LC_OK;
}

void lc_eval_argmax(const lc_eval *ev, int o, int32_t *preds)
{
    int C = lc_head_width(&ev->heads[o]);
    for (size_t i = 0; i < ev->n; i++) {
        const float *p = ev->out[o] + i * (size_t)C; /* (C) */
        int best = 0;
        for (int k = 1; k < C; k++)
            if (p[k] > p[best])
                best = k;
        preds[i] = best;
    }
}

lc_status lc_eval_write_predictions(const char *path, const lc_config *cfg, const lc_dataset *d,
                                    const lc_eval *ev, lc_error *e)
{
    int maxC = 2;
    for (int o = 0; o < ev->nout; o++)
        if (lc_head_width(&ev->heads[o]) > maxC)
            maxC = lc_head_width(&ev->heads[o]);
    char(*num)[LC_JSON_REPR_MAX] = lc_alloc((size_t)maxC, sizeof *num);
    if (!num)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory writing %s", path);
    lc_afile a;
    lc_status st = lc_afile_open(&a, path, e);
    if (st) {
        lc_free(num);
        return st;
    }
    FILE *f = a.f;
    for (int o = 0; o < ev->nout; o++) {
        const lc_feature *ft = &cfg->out[o];
        lc_pred_column_name(f, o == 0, ft->name, "_predictions", NULL);
        switch (ft->type) {
        case LC_FT_CATEGORY:
            lc_category_pred_header(f, ft, &d->out[o]);
            break;
        case LC_FT_BINARY:
            lc_binary_pred_header(f, ft, &d->out[o]);
            break;
        case LC_FT_SET:
            lc_set_pred_header(f, ft);
            break;
        case LC_FT_VECTOR:
        case LC_FT_NUMBER:
        case LC_FT_IMAGE:
        case LC_FT_TIMESERIES:
        case LC_FT_TEXT:
        case LC_FT_BAG:
        case LC_FT_DATE:
            break;
        }
    }
    fputc('\n', f);
    for (size_t i = 0; i < ev->n; i++) {
        for (int o = 0; o < ev->nout; o++) {
            const lc_feature *ft = &cfg->out[o];
            const lc_column *c = &d->out[o];
            if (o)
                fputc(',', f);
            switch (ft->type) {
            case LC_FT_CATEGORY:
                lc_category_pred_cells(f, c, ev->out[o] + i * (size_t)c->nclasses, num);
                break;
            case LC_FT_BINARY:
                lc_binary_pred_cells(f, ft, c, ev->out[o][i], num);
                break;
            case LC_FT_NUMBER:
                lc_number_pred_cells(f, c, ev->out[o][i], num);
                break;
            case LC_FT_VECTOR:
            case LC_FT_TIMESERIES:
                lc_vector_pred_cells(f, c, ev->out[o] + i * (size_t)c->nclasses, num);
                break;
            case LC_FT_SET:
                if (lc_set_pred_cells(f, ft, c, ev->out[o] + i * (size_t)c->nclasses)) {
                    lc_free(num);
                    lc_afile_abort(&a);
                    return lc_error_set(e, LC_ERR_NOMEM, "out of memory writing %s", path);
                }
                break;
            case LC_FT_IMAGE:
            case LC_FT_TEXT:
            case LC_FT_BAG:
            case LC_FT_DATE:
                break;
            }
        }
        fputc('\n', f);
    }
    lc_free(num);
    return lc_afile_commit(&a, ferror(f), "the predictions", e);
}

/* The report's view of every output feature in config order: its vocabulary or labels, the
 * evaluated rows (category predictions; number predictions and targets denormalised as the
 * predictions table writes them) and, for an image first input, the images. One allocation,
 * released by lc_report_write / lc_report_release. */
enum { CALIB_TEXT = 512 };

typedef struct tok_count {
    const char *tok;
    int64_t n;
    int k;
} tok_count;

static int cmp_tok_count(const void *a, const void *b)
{
    const tok_count *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

static int cmp_tok_name(const void *a, const void *b)
{
    return strcmp(((const tok_count *)a)->tok, ((const tok_count *)b)->tok);
}

/* The report's view of the text, set and bag inputs: their most frequent tokens (from the
 * metadata's str2freq, special symbols left out) and tokens per row (from the column). On
 * allocation failure the view is left out. */
static void fill_inputs(lc_report_info *ri, const lc_config *cfg, const lc_dataset *ds)
{
    ri->inputs = calloc((size_t)(cfg->nin > 0 ? cfg->nin : 1), sizeof *ri->inputs);
    if (!ri->inputs)
        return;
    ri->nin = cfg->nin;
    for (int k = 0; k < cfg->nin; k++) {
        const lc_feature *f = &cfg->in[k];
        const lc_column *c = &ds->in[k];
        lc_report_input *r = &ri->inputs[k];
        r->name = f->name;
        r->type = lc_ftype_name(f->type);
        if (f->type != LC_FT_TEXT && f->type != LC_FT_SET && f->type != LC_FT_BAG)
            continue;
        const cJSON *i2s = cJSON_GetObjectItemCaseSensitive(c->meta, "idx2str");
        const cJSON *s2f = cJSON_GetObjectItemCaseSensitive(c->meta, "str2freq");
        int V = cJSON_GetArraySize(i2s);
        tok_count *tc = V > 0 ? malloc((size_t)V * sizeof *tc) : NULL;
        if (!tc)
            continue;
        int n = 0, i = 0;
        for (const cJSON *it = i2s->child; it; it = it->next, i++) {
            const char *t = cJSON_GetStringValue(it);
            if (!t || !strcmp(t, "<EOS>") || !strcmp(t, "<SOS>") || !strcmp(t, "<PAD>") ||
                !strcmp(t, "<UNK>"))
                continue;
            tc[n++] = (tok_count){t, 0, i};
        }
        /* the counts: str2freq's entries matched by name (sorted, not one scan per token) */
        qsort(tc, (size_t)n, sizeof *tc, cmp_tok_name);
        for (const cJSON *fq = s2f ? s2f->child : NULL; fq; fq = fq->next) {
            tok_count key = {fq->string, 0, 0};
            tok_count *hit = fq->string && cJSON_IsNumber(fq)
                                 ? bsearch(&key, tc, (size_t)n, sizeof *tc, cmp_tok_name)
                                 : NULL;
            if (hit)
                hit->n = (int64_t)fq->valuedouble;
        }
        qsort(tc, (size_t)n, sizeof *tc, cmp_tok_count);
        r->vocab_size = V;
        r->ntop = n < LC_REPORT_TOP_TOKENS ? n : LC_REPORT_TOP_TOKENS;
        for (int j = 0; j < r->ntop; j++) {
            r->top[j] = tc[j].tok;
            r->top_count[j] = tc[j].n;
        }
        free(tc);
        if (!c->values || c->T < 1 || ds->n == 0)
            continue;
        r->tokens_per_row = malloc(ds->n * sizeof *r->tokens_per_row);
        if (!r->tokens_per_row)
            continue;
        r->nrows = ds->n;
        const cJSON *pi = cJSON_GetObjectItemCaseSensitive(c->meta, "pad_idx");
        float pad = cJSON_IsNumber(pi) ? (float)pi->valuedouble : 2.0f;
        int text = f->type == LC_FT_TEXT, W = text ? c->T : c->T / 2;
        r->width = text ? c->T : 0;
        for (size_t row = 0; row < ds->n; row++) {
            const float *v = c->values + row * (size_t)c->T;
            int cnt = 0;
            for (int j = 0; j < W; j++)
                cnt += text ? (v[j] != pad && v[j] != 0.0f && v[j] != 1.0f) : v[j] >= 0.0f;
            r->tokens_per_row[row] = cnt;
        }
    }
}

void lc_report_fill(lc_report_info *ri, const lc_config *cfg, const lc_dataset *ds,
                    const lc_eval *ev, const int32_t *preds, const lc_model *m,
                    const lc_calibration *cal)
{
    size_t n = ev ? ev->n : 0, bytes = 0, per = 0, head = 0;
    int NO = cfg->nout;
    /* (NO) outputs and their calibration sentences, then n floats or int32s per array: 2 per
     * number output, 1 per category output whose predictions the caller did not pass */
    size_t arrays = 0, set_bytes = 0;
    for (int o = 0; o < NO; o++) {
        arrays += cfg->out[o].type == LC_FT_NUMBER ? 2 : cfg->out[o].type == LC_FT_CATEGORY;
        if (cfg->out[o].type == LC_FT_SET) /* three int64 counts per label */
            set_bytes += 3 * sizeof(int64_t) * (size_t)(ds->out[o].nclasses > 0 ? ds->out[o].nclasses : 0);
        if ((cfg->out[o].type == LC_FT_VECTOR || cfg->out[o].type == LC_FT_TIMESERIES) &&
            ds->out[o].values) /* the true values, as floats */
            set_bytes += (n * (size_t)(ds->out[o].nclasses > 0 ? ds->out[o].nclasses : 0) * sizeof(float) + 7) & ~(size_t)7;
    }
    if (lc_size_mul((size_t)NO, sizeof(lc_report_output) + CALIB_TEXT, &head) ||
        lc_size_mul(n, sizeof(float), &per) || lc_size_mul(per, arrays, &bytes) ||
        lc_size_add(bytes, head, &bytes) || lc_size_add(bytes, set_bytes, &bytes) ||
        !(ri->owned = lc_alloc(bytes > 0 ? bytes : 1, 1))) {
        ri->fill_failed = 1;
        return;
    }
    lc_report_output *out = ri->owned;
    char *text = (char *)ri->owned + (size_t)NO * sizeof(lc_report_output);
    /* the set outputs' counts (8-byte aligned: head is a multiple of 8), then the arrays */
    char *setp = (char *)ri->owned + head;
    memset(setp, 0, set_bytes);
    char *next = setp + set_bytes;
    ri->nout = NO;
    ri->outputs = out;
    ri->input_feature = cfg->nin == 1 ? cfg->in[0].name : NULL;
    ri->row_lines = ds->line;
    if (n) {
        ri->n_eval = n;
        ri->eval_rows = ev->rows;
    }
    for (int o = 0; o < NO; o++) {
        const lc_feature *ft = &cfg->out[o];
        const lc_column *c = &ds->out[o];
        lc_report_output *r = &out[o];
        r->name = ft->name;
        lc_calibration_describe(cal, m, o, text + (size_t)o * CALIB_TEXT, CALIB_TEXT);
        r->calibration = text + (size_t)o * CALIB_TEXT;
        r->type = ft->type == LC_FT_BINARY   ? LC_REPORT_BINARY
                  : ft->type == LC_FT_NUMBER ? LC_REPORT_NUMBER
                  : ft->type == LC_FT_SET    ? LC_REPORT_SET
                  : ft->type == LC_FT_VECTOR ? LC_REPORT_VECTOR
                  : ft->type == LC_FT_TIMESERIES ? LC_REPORT_TIMESERIES
                                             : LC_REPORT_CATEGORY;
        switch (ft->type) {
        case LC_FT_CATEGORY:
            r->nclasses = c->nclasses;
            r->class_names = (const char *const *)c->idx2str;
            r->class_freq = c->freq;
            if (n) {
                int32_t *pr = (int32_t *)next;
                next += per;
                if (o == 0 && preds)
                    memcpy(pr, preds, per);
                else
                    lc_eval_argmax(ev, o, pr);
                r->labels = ev->labels[o];
                r->preds = pr;
                r->probs = ev->out[o];
            }
            break;
        case LC_FT_BINARY:
            r->bool_names[0] = c->bool2str[0];
            r->bool_names[1] = c->bool2str[1];
            r->threshold = ft->threshold;
            if (n) {
                r->probs = ev->out[o];
                r->targets = ev->values[o];
            }
            break;
        case LC_FT_NUMBER:
            r->normalization = lc_norm_name(ft->normalization);
            if (n) {
                float *pv = (float *)next, *tv = (float *)(next + per);
                next += 2 * per;
                for (size_t i = 0; i < n; i++) {
                    pv[i] = lc_number_denormalize(c, ev->out[o][i]);
                    tv[i] = lc_number_denormalize(c, ev->values[o][i]);
                }
                r->predictions = pv;
                r->targets = tv;
            }
            break;
        case LC_FT_SET: {
            int K = c->nclasses;
            r->nclasses = K;
            r->class_names = (const char *const *)c->idx2str;
            r->class_freq = c->freq;
            r->threshold = ft->threshold;
            if (n && K > 0) {
                int64_t *cnt = (int64_t *)(void *)setp;
                setp += 3 * sizeof(int64_t) * (size_t)K;
                int W = c->T / 2;
                for (size_t i = 0; i < n; i++) {
                    const float *pr = ev->out[o] + i * (size_t)K;
                    const float *ids = c->values + (size_t)ev->rows[i] * (size_t)c->T;
                    for (int k = 0; k < K; k++)
                        cnt[K + k] += pr[k] >= (float)ft->threshold;
                    for (int j = 0; j < W; j++) {
                        int k = ids[j] >= 0.0f && ids[j] < (float)K ? (int)ids[j] : -1;
                        if (k < 0)
                            continue;
                        cnt[k]++;
                        cnt[2 * K + k] += pr[k] >= (float)ft->threshold;
                    }
                }
                r->set_support = cnt;
                r->set_predicted = cnt + K;
                r->set_hits = cnt + 2 * K;
            }
            break;
        }
        case LC_FT_VECTOR:
        case LC_FT_TIMESERIES: {
            int K = c->nclasses;
            if (n && K > 0 && c->values && c->T == K) {
                float *t = (float *)(void *)setp;
                setp += (n * (size_t)K * sizeof(float) + 7) & ~(size_t)7;
                for (size_t i = 0; i < n; i++)
                    memcpy(t + i * (size_t)K, c->values + (size_t)ev->rows[i] * K, (size_t)K * sizeof *t);
                r->nclasses = K;
                r->vec_pred = ev->out[o];
                r->vec_true = t;
            }
            break;
        }
        case LC_FT_IMAGE:
        case LC_FT_TEXT:
        case LC_FT_BAG:
        case LC_FT_DATE:
            break;
        }
    }
    if (cfg->nin > 0 && cfg->in[0].type == LC_FT_IMAGE) {
        ri->images = ds->in[0].images;
        ri->C = ds->in[0].C;
        ri->H = ds->in[0].H;
        ri->W = ds->in[0].W;
    }
    fill_inputs(ri, cfg, ds);
}
