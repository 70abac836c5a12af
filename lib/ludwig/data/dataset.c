/* dataset.c - turns dataset file(s) into one preprocessed column per feature (see lc_dataset.h).
 * Which rows are kept and how they are split is decided here; what a number, binary or category
 * column becomes (fill values, casts, statistics, normalization, vocabularies, the metadata) is
 * lc_prep_tab.h's, run here over every row of every file as Ludwig computes its metadata (each
 * feature drops only its own missing rows; a row any feature drops is then dropped from all).
 * Images are decoded for the kept rows only (features/image.c). Reading files and decoding images
 * is lib/io's job. */
#include "lc_dataset.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lc_ftypes.h"
#include "lc_hash.h"
#include "lc_image.h"
#include "lc_json.h"
#include "lc_mem.h"
#include "lc_prep_tab.h"
#include "lc_rng.h"
#include "lc_table.h"

static void column_free(lc_column *c)
{
    free(c->values);
    free(c->labels);
    for (int i = 0; c->idx2str && i < c->nclasses; i++)
        free(c->idx2str[i]);
    free(c->idx2str);
    free(c->freq);
    free(c->bool2str[0]);
    free(c->bool2str[1]);
    lc_free(c->images);
    lc_image_defer_free(c->defer);
    cJSON_Delete(c->meta);
}

lc_status lc_dataset_decode_images(lc_dataset *d, const unsigned char *want, lc_pool *pool,
                                   size_t *decoded, lc_error *e)
{
    *decoded = 0;
    for (int k = 0; k < d->nin + d->nout; k++) {
        lc_column *c = k < d->nin ? &d->in[k] : &d->out[k - d->nin];
        size_t n = 0;
        lc_status st = c->defer ? lc_image_decode_rows(c, d->line, want, pool, &n, e) : LC_OK;
        if (st)
            return st;
        *decoded += n;
    }
    return LC_OK;
}

void lc_dataset_free(lc_dataset *d)
{
    if (!d)
        return;
    for (int i = 0; d->in && i < d->nin; i++)
        column_free(&d->in[i]);
    for (int i = 0; d->out && i < d->nout; i++)
        column_free(&d->out[i]);
    free(d->in);
    free(d->out);
    free(d->split);
    free(d->line);
    free(d->row);
    for (int s = 0; s < 3; s++)
        free(d->idx[s]);
    free(d->src);
    free(d);
}

int lc_column_label_index(const lc_column *c, const char *s)
{
    for (int i = 0; i < c->nclasses; i++)
        if (strcmp(c->idx2str[i], s) == 0)
            return i;
    return -1;
}

typedef struct row_ref {
    const lc_table *t;
    int tab;   /* which of the (up to 4) tables */
    size_t row;
    int split; /* -1 = from the split column */
} row_ref;

static lc_status read_tables(const lc_dataset_opts *o, lc_table **tabs,
                             lc_dataset *d, lc_error *e)
{
    lc_table_format fmt = LC_TABLE_AUTO;
    lc_status st;
    if (o->data_format && (st = lc_table_format_parse(o->data_format, &fmt, e)))
        return st;
    const char *files[4] = {o->dataset, o->training_set, o->validation_set, o->test_set};
    if (!o->dataset && !o->training_set)
        return lc_error_set(e, LC_ERR_USAGE,
                            "no data: give --dataset (one file with a split column) or --training_set");
    if (o->dataset && (o->training_set || o->validation_set || o->test_set))
        return lc_error_set(e, LC_ERR_USAGE,
                            "give either --dataset or --training_set/--validation_set/--test_set, not both");
    for (int i = 0; i < 4; i++) {
        tabs[i] = NULL;
        if (!files[i])
            continue;
        if ((st = lc_table_read(files[i], fmt, &tabs[i], e)))
            return st;
    }
    d->src = lc_strdup(o->dataset ? o->dataset : o->training_set);
    lc_table_format f = lc_table_format_of(tabs[o->dataset ? 0 : 1]);
    d->data_format = f == LC_TABLE_TSV ? "tsv" : f == LC_TABLE_JSON ? "json" : "csv";
    return d->src ? LC_OK : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
}

static lc_status need_col(const lc_table *t, const char *col, const char *what, int *out,
                          lc_error *e)
{
    *out = lc_table_col(t, col);
    if (*out >= 0)
        return LC_OK;
    char have[512] = "";
    size_t len = 0;
    for (int i = 0; i < lc_table_ncols(t) && len < sizeof have - 64; i++)
        len += (size_t)snprintf(have + len, sizeof have - len, "%s'%s'", i ? ", " : "",
                                lc_table_col_name(t, i));
    lc_error_set(e, LC_ERR_DATA, "%s: no column '%s' (%s); the columns are %s", lc_table_name(t),
                 col, what, have);
    lc_error_hint(e, "the config's feature names (or their 'column' keys) must match the dataset header");
    return LC_ERR_DATA;
}


/* Moves a vocabulary built by lc_prep_tab into col (idx2str is taken over, freq copied). */
static lc_status vocab_to_column(lc_prep_category *pc, lc_column *col, lc_error *e)
{
    if (pc->n_idx2str > INT32_MAX)
        return lc_error_set(e, LC_ERR_NOMEM, "a vocabulary of %zu labels is too large", pc->n_idx2str);
    col->freq = lc_realloc_array(NULL, pc->n_idx2str ? pc->n_idx2str : 1, sizeof *col->freq);
    if (!col->freq)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < pc->n_idx2str; i++)
        col->freq[i] = (int64_t)pc->freq[i];
    col->idx2str = pc->idx2str;
    col->nclasses = (int)pc->n_idx2str;
    pc->idx2str = NULL;
    pc->n_idx2str = 0;
    return LC_OK;
}

/* A set output's labels from its metadata (idx2str, str2freq) into col. */
static lc_status set_labels_to_column(const cJSON *meta, lc_column *col, lc_error *e)
{
    const cJSON *i2s = meta ? cJSON_GetObjectItemCaseSensitive(meta, "idx2str") : NULL;
    const cJSON *s2f = meta ? cJSON_GetObjectItemCaseSensitive(meta, "str2freq") : NULL;
    int n = cJSON_GetArraySize(i2s);
    if (!cJSON_IsArray(i2s) || n < 1)
        return lc_error_set(e, LC_ERR_DATA, "the set feature's metadata has no idx2str");
    col->idx2str = calloc((size_t)n, sizeof *col->idx2str);
    col->freq = calloc((size_t)n, sizeof *col->freq);
    if (!col->idx2str || !col->freq)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    col->nclasses = n;
    int k = 0;
    for (const cJSON *it = i2s->child; it; it = it->next, k++) {
        if (!cJSON_IsString(it))
            return lc_error_set(e, LC_ERR_DATA, "the set feature's idx2str holds a label that is not a string");
        if (!(col->idx2str[k] = lc_strdup(it->valuestring)))
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        const cJSON *fq = cJSON_GetObjectItemCaseSensitive(s2f, it->valuestring);
        col->freq[k] = cJSON_IsNumber(fq) ? (int64_t)fq->valuedouble : 0;
    }
    return LC_OK;
}

/* Prediction labels of a binary output: the metadata's bool2str when it holds two strings (a
 * column of strings), else Python's False/True. */
static lc_status bool2str_to_column(const cJSON *meta, lc_column *col, lc_error *e)
{
    const cJSON *b2s = meta ? cJSON_GetObjectItemCaseSensitive(meta, "bool2str") : NULL;
    const cJSON *a = cJSON_GetArrayItem(b2s, 0), *b = cJSON_GetArrayItem(b2s, 1);
    int strings = cJSON_GetArraySize(b2s) == 2 && cJSON_IsString(a) && cJSON_IsString(b);
    col->bool2str[0] = lc_strdup(strings ? a->valuestring : "False");
    col->bool2str[1] = lc_strdup(strings ? b->valuestring : "True");
    return col->bool2str[0] && col->bool2str[1] ? LC_OK : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------------------------------------ */
/* image */



lc_status lc_dataset_read_metadata(const char *path, const char *feature, const char *img_feature,
                                   lc_column *col, int *h, int *w, int *c, lc_error *e)
{
    *h = *w = *c = 0;
    cJSON *m = lc_json_read_file(path, e);
    if (!m)
        return e ? e->status : LC_ERR_DATA;
    lc_prep_category pc;
    lc_status st = lc_prep_category_from_meta(cJSON_GetObjectItemCaseSensitive(m, feature), feature, &pc, e);
    if (st)
        lc_error_prefix(e, "%s: ", path);
    if (!st && pc.n_idx2str < 2)
        st = lc_error_set(e, LC_ERR_DATA, "%s: training set metadata for output feature '%s' has fewer than two labels",
                          path, feature);
    if (!st)
        st = vocab_to_column(&pc, col, e);
    lc_prep_category_free(&pc);
    if (!st)
        st = lc_image_dims_from_meta(cJSON_GetObjectItemCaseSensitive(m, img_feature), path,
                                  img_feature, h, w, c, e);
    cJSON_Delete(m);
    return st;
}

void lc_column_free(lc_column *c)
{
    column_free(c);
    memset(c, 0, sizeof *c);
}



/* ------------------------------------------------------------------------------------------ */
/* number, binary and category columns (lc_prep_tab.h), one pool task per feature */

static const cJSON *pre_item(const cJSON *pre, const char *key)
{
    return pre ? cJSON_GetObjectItemCaseSensitive(pre, key) : NULL;
}

/* The options a feature is preprocessed with are the config's; with stored metadata, the stored
 * preprocessing object's keys win (Ludwig then reads metadata[feature].preprocessing), and keys it
 * lacks keep the config's value. */
static lc_missing opts_missing(const lc_feature *f, const cJSON *pre)
{
    lc_missing m;
    return lc_missing_from_name(cJSON_GetStringValue(pre_item(pre, "missing_value_strategy")), &m) == 0 ? m
                                                                                                       : f->missing;
}

static void number_opts(const lc_feature *f, const cJSON *pre, lc_prep_number_opts *o)
{
    lc_prep_number_defaults(o, !f->is_output);
    o->missing = opts_missing(f, pre);
    const cJSON *fv = pre_item(cJSON_GetObjectItemCaseSensitive(f->json, "preprocessing"), "fill_value");
    o->fill_value = cJSON_IsNumber(fv) ? fv->valuedouble : f->fill_value ? strtod(f->fill_value, NULL) : 0.0;
    o->normalization = f->normalization;
    o->has_outlier_strategy = f->outlier_strategy >= 0;
    if (o->has_outlier_strategy)
        o->outlier_strategy = (lc_missing)f->outlier_strategy;
    o->outlier_threshold = f->outlier_threshold;
    const cJSON *v = pre_item(pre, "normalization");
    lc_numnorm k;
    if ((cJSON_IsNull(v) || cJSON_IsString(v)) && lc_norm_from_name(cJSON_GetStringValue(v), &k) == 0)
        o->normalization = k;
    v = pre_item(pre, "outlier_strategy");
    lc_missing m;
    if (cJSON_IsNull(v))
        o->has_outlier_strategy = 0;
    else if (lc_missing_from_name(cJSON_GetStringValue(v), &m) == 0)
        o->has_outlier_strategy = 1, o->outlier_strategy = m;
    v = pre_item(pre, "outlier_threshold");
    if (cJSON_IsNumber(v))
        o->outlier_threshold = v->valuedouble;
}

static void binary_opts(const lc_feature *f, const cJSON *pre, lc_prep_binary_opts *o)
{
    lc_prep_binary_defaults(o, !f->is_output);
    o->missing = opts_missing(f, pre);
    const char *fb = cJSON_GetStringValue(pre_item(pre, "fallback_true_label"));
    o->fallback_true_label = fb ? fb : f->fallback_true_label;
}

static void category_opts(const lc_feature *f, const cJSON *pre, lc_prep_category_opts *o)
{
    /* is_input = 1 for outputs too: the two-label rule of outputs is checked by the caller, which
     * names the file and column. Ludwig ignores preprocessing.lowercase for category features
     * (only its text tokenizers read it), and so does lc_prep_tab. */
    lc_prep_category_defaults(o, 1);
    o->missing = opts_missing(f, pre);
    const char *fv = cJSON_GetStringValue(pre_item(pre, "fill_value"));
    o->fill_value = fv ? fv : f->fill_value ? f->fill_value : "<UNK>";
    o->most_common = f->most_common;
    o->classes = f->is_output;
}

static void timeseries_opts(const lc_feature *f, const cJSON *pre, lc_prep_timeseries_opts *o)
{
    lc_prep_timeseries_defaults(o);
    o->missing = opts_missing(f, pre);
    const char *fv = cJSON_GetStringValue(pre_item(pre, "fill_value"));
    o->fill_value = fv ? fv : f->fill_value ? f->fill_value : "";
    o->sep = f->ts_sep ? f->ts_sep : ' ';
    o->limit = f->ts_limit > 0 ? f->ts_limit : 256;
    o->padding_value = f->ts_padding_value;
    o->pad_left = f->ts_pad_left;
    o->window = f->ts_window;
    if (f->is_output) {
        const cJSON *hz = pre_item(pre, "horizon");
        o->window = 0;
        o->horizon = cJSON_IsNumber(hz) ? hz->valueint : f->ts_horizon;
    }
    if (f->type == LC_FT_VECTOR) {
        const cJSON *vs = pre_item(pre, "vector_size");
        o->vector = 1;
        o->window = 0;
        o->vector_size = cJSON_IsNumber(vs) ? vs->valueint : f->vec_size;
    }
}

static void text_opts(const lc_feature *f, const cJSON *pre, lc_prep_text_opts *o)
{
    lc_prep_text_defaults(o);
    o->missing = opts_missing(f, pre);
    const char *fv = cJSON_GetStringValue(pre_item(pre, "fill_value"));
    o->fill_value = fv ? fv : f->fill_value ? f->fill_value : "<UNK>";
    o->tokenizer = (lc_tokenizer)f->tx_tokenizer;
    o->most_common = f->most_common;
    o->max_sequence_length = f->tx_max_len;
    o->sequence_length = f->tx_seq_len;
    o->lowercase = f->lowercase;
    o->pad_left = f->tx_pad_left;
    if (f->tx_pad_symbol)
        o->padding_symbol = f->tx_pad_symbol;
    if (f->tx_unk_symbol)
        o->unknown_symbol = f->tx_unk_symbol;
    o->vocab_file = f->tx_vocab_file;
    o->kind = f->type == LC_FT_SET ? LC_SEQ_SET : f->type == LC_FT_BAG ? LC_SEQ_BAG : LC_SEQ_TEXT;
    if (o->kind != LC_SEQ_TEXT)
        o->vocab_file = NULL;
}

/* The stored metadata entry a feature is applied with, checked before any row is read so that a
 * bad entry is reported against the metadata file: the vocabulary, the statistics. */
static lc_status check_stored(const lc_feature *f, const cJSON *meta, const char *path, lc_error *e)
{
    lc_status st = LC_OK;
    const cJSON *pre = pre_item(meta, "preprocessing");
    switch (f->type) {
    case LC_FT_CATEGORY: {
        lc_prep_category pc;
        st = lc_prep_category_from_meta(meta, f->name, &pc, e);
        if (!st && f->is_output && pc.n_idx2str < 2)
            st = lc_error_set(e, LC_ERR_DATA, "training set metadata for output feature '%s' has fewer than two labels",
                              f->name);
        lc_prep_category_free(&pc);
        break;
    }
    case LC_FT_NUMBER: {
        lc_prep_number_opts o;
        lc_number_norm nm;
        number_opts(f, pre, &o);
        st = lc_number_norm_from_meta(meta, o.normalization, f->name, &nm, e);
        if (!st && o.has_outlier_strategy)
            st = lc_number_norm_from_meta(meta, LC_NUMNORM_ZSCORE, f->name, &nm, e);
        break;
    }
    case LC_FT_SET:
    case LC_FT_BAG:
        if (!cJSON_IsArray(pre_item(meta, "idx2str")) || cJSON_GetArraySize(pre_item(meta, "idx2str")) < 1)
            st = lc_error_set(e, LC_ERR_DATA, "training set metadata for input feature '%s' needs idx2str",
                              f->name);
        break;
    case LC_FT_TEXT: {
        const cJSON *i2s = pre_item(meta, "idx2str"), *w = pre_item(meta, "max_sequence_length");
        if (!cJSON_IsArray(i2s) || cJSON_GetArraySize(i2s) < 4 || !cJSON_IsNumber(w) || w->valuedouble < 1)
            st = lc_error_set(e, LC_ERR_DATA, "training set metadata for input feature '%s' needs idx2str (with the 4 special symbols) and max_sequence_length",
                              f->name);
        break;
    }
    case LC_FT_TIMESERIES:
        if (lc_prep_timeseries_length(meta) < 1)
            st = lc_error_set(e, LC_ERR_DATA, "training set metadata for input feature '%s' has no max_timeseries_length (a whole number >= 1)",
                              f->name);
        break;
    case LC_FT_VECTOR:
        if (lc_prep_vector_size(meta) < 1)
            st = lc_error_set(e, LC_ERR_DATA, "training set metadata for feature '%s' has no vector_size (a whole number >= 1)",
                              f->name);
        break;
    case LC_FT_BINARY:
    case LC_FT_IMAGE:
    case LC_FT_DATE:
        break;
    }
    if (st) {
        lc_error_prefix(e, "%s: ", path);
        lc_error_hint(e, "--training_set_metadata must be the training_set_metadata.json of a run with the same features");
    }
    return st;
}

typedef struct tab_job {
    const lc_feature *f;
    int k;                 /* feature index: inputs, then outputs */
    const cJSON *meta;     /* the stored metadata entry (apply), or NULL (fit) */
    cJSON *preproc;        /* fit: the rendered preprocessing, completed by lc_prep_tab */
    size_t n_present;      /* cells that are not missing */
    lc_status st;
    lc_error e;
    union {
        lc_prep_number num;
        lc_prep_binary bin;
        lc_prep_category cat;
        lc_prep_timeseries ts;
        lc_prep_text tx;
    } r;
} tab_job;

typedef struct tab_ctx {
    tab_job *jobs;
    const row_ref *rows;   /* (nall) every row of every file */
    const long *lines;     /* (nall) */
    size_t nall;
    const int *colidx;     /* (4, nf) */
    int nf;
    int njobs, group;      /* a task runs jobs [task * group, + group) */
} tab_ctx;

enum { LC_TAB_GROUP_MAX = 8 }; /* features packed together (their packed columns are held together) */

/* A job's column packed for lc_prep_tab: every row's cell (NULL when missing) in one buffer. */
typedef struct packed {
    const char **cv; /* (nall) */
    size_t *off;     /* (nall) offset into buf while packing, SIZE_MAX = missing */
    char *buf;
    size_t cap, used;
} packed;

static void packed_free(packed *p)
{
    free(p->cv);
    free(p->off);
    free(p->buf);
    memset(p, 0, sizeof *p);
}

/* Packs the columns of jobs [0, nj) in one pass over the rows in table order: a column's cells
 * lie a table row apart, so reading several columns row by row touches each row's memory once,
 * and lc_prep_tab's several passes then run over contiguous memory. */
static lc_status pack_columns(const tab_ctx *c, tab_job *jobs, int nj, packed *pk /* (nj) */)
{
    for (int g = 0; g < nj; g++) {
        pk[g].cap = c->nall * 8 + 64;
        pk[g].off = malloc((c->nall + 1) * sizeof *pk[g].off);
        pk[g].cv = malloc((c->nall + 1) * sizeof *pk[g].cv);
        pk[g].buf = malloc(pk[g].cap);
        if (!pk[g].off || !pk[g].cv || !pk[g].buf)
            return LC_ERR_NOMEM;
        jobs[g].n_present = 0;
    }
    for (size_t i = 0; i < c->nall; i++) {
        const row_ref *r = &c->rows[i];
        for (int g = 0; g < nj; g++) {
            packed *p = &pk[g];
            int ci = c->colidx[r->tab * c->nf + jobs[g].k];
            const char *s = ci >= 0 ? lc_table_cell(r->t, r->row, ci) : NULL;
            p->off[i] = SIZE_MAX;
            if (!s || lc_cell_is_missing(s))
                continue;
            size_t len = strlen(s) + 1;
            if (p->used + len > p->cap) {
                size_t ncap = p->cap * 2 + len;
                char *nb = realloc(p->buf, ncap);
                if (!nb)
                    return LC_ERR_NOMEM;
                p->buf = nb;
                p->cap = ncap;
            }
            memcpy(p->buf + p->used, s, len);
            p->off[i] = p->used;
            p->used += len;
            jobs[g].n_present++;
        }
    }
    for (int g = 0; g < nj; g++) {
        for (size_t i = 0; i < c->nall; i++)
            pk[g].cv[i] = pk[g].off[i] == SIZE_MAX ? NULL : pk[g].buf + pk[g].off[i];
        free(pk[g].off);
        pk[g].off = NULL;
    }
    return LC_OK;
}

/* One feature's fitting or application over its packed cells. */
static void tab_run(const tab_ctx *c, tab_job *j, const char *const *cv /* (nall) */)
{
    lc_error_clear(&j->e);
    lc_prep_column col = {j->f->name, cv, c->lines, c->nall};
    const cJSON *pre = j->meta ? cJSON_GetObjectItemCaseSensitive(j->meta, "preprocessing") : NULL;
    switch (j->f->type) {
    case LC_FT_NUMBER: {
        lc_prep_number_opts o;
        number_opts(j->f, pre, &o);
        j->st = j->meta ? lc_prep_number_apply(&col, &o, j->meta, &j->r.num, &j->e)
                        : lc_prep_number_run(&col, &o, j->preproc, &j->r.num, &j->e);
        break;
    }
    case LC_FT_BINARY: {
        lc_prep_binary_opts o;
        binary_opts(j->f, pre, &o);
        j->st = j->meta ? lc_prep_binary_apply(&col, &o, j->meta, &j->r.bin, &j->e)
                        : lc_prep_binary_run(&col, &o, j->preproc, &j->r.bin, &j->e);
        break;
    }
    case LC_FT_CATEGORY: {
        lc_prep_category_opts o;
        category_opts(j->f, pre, &o);
        j->st = j->meta ? lc_prep_category_apply(&col, &o, j->meta, &j->r.cat, &j->e)
                        : lc_prep_category_run(&col, &o, j->preproc, &j->r.cat, &j->e);
        break;
    }
    case LC_FT_SET:
    case LC_FT_BAG:
    case LC_FT_TEXT: {
        lc_prep_text_opts o;
        text_opts(j->f, pre, &o);
        j->st = j->meta ? lc_prep_text_apply(&col, &o, j->meta, &j->r.tx, &j->e)
                        : lc_prep_text_run(&col, &o, j->preproc, &j->r.tx, &j->e);
        break;
    }
    case LC_FT_DATE: {
        lc_prep_date_opts o = {.missing = opts_missing(j->f, pre)};
        const char *fv = cJSON_GetStringValue(pre_item(pre, "fill_value"));
        const char *df = cJSON_GetStringValue(pre_item(pre, "datetime_format"));
        o.fill_value = fv ? fv : j->f->fill_value ? j->f->fill_value : "";
        o.datetime_format = pre ? df : j->f->date_format;
        j->st = j->meta ? lc_prep_date_apply(&col, &o, j->meta, &j->r.ts, &j->e)
                        : lc_prep_date_run(&col, &o, j->preproc, &j->r.ts, &j->e);
        break;
    }
    case LC_FT_VECTOR:
    case LC_FT_TIMESERIES: {
        lc_prep_timeseries_opts o;
        timeseries_opts(j->f, pre, &o);
        j->st = j->meta ? lc_prep_timeseries_apply(&col, &o, j->meta, &j->r.ts, &j->e)
                        : lc_prep_timeseries_run(&col, &o, j->preproc, &j->r.ts, &j->e);
        break;
    }
    case LC_FT_IMAGE:
        break;
    }
}

/* A task: a group of features, packed together, then run one after the other. */
static void tab_task(void *arg, int task, int thread)
{
    (void)thread;
    const tab_ctx *c = arg;
    int g0 = task * c->group, gn = c->njobs - g0 < c->group ? c->njobs - g0 : c->group;
    packed pk[LC_TAB_GROUP_MAX];
    memset(pk, 0, sizeof pk);
    tab_job *jobs = c->jobs + g0;
    lc_status st = pack_columns(c, jobs, gn, pk);
    for (int g = 0; g < gn; g++) {
        if (st) {
            lc_error_clear(&jobs[g].e);
            jobs[g].st = lc_error_set(&jobs[g].e, LC_ERR_NOMEM, "out of memory for the column of feature '%s'",
                                      jobs[g].f->name);
        } else {
            tab_run(c, &jobs[g], pk[g].cv);
        }
        packed_free(&pk[g]);
    }
}

static void tab_job_free(tab_job *j)
{
    switch (j->f ? j->f->type : LC_FT_IMAGE) {
    case LC_FT_NUMBER: lc_prep_number_free(&j->r.num); break;
    case LC_FT_BINARY: lc_prep_binary_free(&j->r.bin); break;
    case LC_FT_CATEGORY: lc_prep_category_free(&j->r.cat); break;
    case LC_FT_VECTOR:
    case LC_FT_DATE:
    case LC_FT_TIMESERIES: lc_prep_timeseries_free(&j->r.ts); break;
    case LC_FT_SET:
    case LC_FT_BAG:
    case LC_FT_TEXT: lc_prep_text_free(&j->r.tx); break;
    case LC_FT_IMAGE: break;
    }
    cJSON_Delete(j->preproc);
    j->preproc = NULL;
}

static const unsigned char *tab_keep(const tab_job *j)
{
    switch (j->f->type) {
    case LC_FT_NUMBER: return j->r.num.keep;
    case LC_FT_BINARY: return j->r.bin.keep;
    case LC_FT_CATEGORY: return j->r.cat.keep;
    case LC_FT_VECTOR:
    case LC_FT_DATE:
    case LC_FT_TIMESERIES: return j->r.ts.keep;
    case LC_FT_SET:
    case LC_FT_BAG:
    case LC_FT_TEXT: return j->r.tx.keep;
    case LC_FT_IMAGE: break;
    }
    return NULL;
}

/* The checks on a finished job that need the files' names (errors in e, notes to log). */
static lc_status tab_check(const tab_job *j, const row_ref *rows, const long *lines, const char *files,
                           FILE *log, lc_error *e)
{
    const lc_feature *f = j->f;
    if (f->is_output && j->n_present == 0) {
        lc_error_set(e, LC_ERR_DATA, "%s: column '%s' of the %s output feature '%s' is empty: every cell is missing",
                     files, f->column, lc_ftype_name(f->type), f->name);
        lc_error_hint(e, "an output feature needs values to learn from; check the column name and the file");
        return LC_ERR_DATA;
    }
    if (j->st) {
        if (e)
            *e = j->e;
        lc_error_prefix(e, "%s: ", files);
        return j->st;
    }
    if (f->type == LC_FT_NUMBER && j->r.num.n_coerced) {
        /* Ludwig makes such a cell missing (pd.to_numeric(errors="coerce")) and fills or drops it
         * silently; ludwig-c refuses it on purpose, since it is nearly always a wrong column or
         * a stray text in the file */
        size_t i = j->r.num.coerced_row;
        lc_error_set(e, LC_ERR_DATA, "%s: line %ld: column '%s' of number feature '%s' holds '%s', which is not a number",
                     lc_table_name(rows[i].t), lines[i], f->column, f->name, j->r.num.coerced_text);
        if (j->r.num.n_coerced > 1)
            lc_error_hint(e, "%zu cells of the column are not numbers; write missing values as empty cells or NA",
                          j->r.num.n_coerced);
        else
            lc_error_hint(e, "write missing values as empty cells or NA");
        return LC_ERR_DATA;
    }
    if (f->type == LC_FT_CATEGORY && f->is_output && !j->meta && j->r.cat.vocab_size < 2) {
        lc_error_set(e, LC_ERR_DATA, "%s: column '%s' has a single class ('%s'); a category output needs at least two",
                     files, f->column, j->r.cat.n_idx2str ? j->r.cat.idx2str[0] : "");
        return LC_ERR_DATA;
    }
    if (f->type == LC_FT_CATEGORY && j->r.cat.n_unknown && log) {
        const lc_prep_category *c = &j->r.cat;
        fprintf(log, "ludwig-c: warning: %zu row(s) have labels not in the training set metadata (first: '%s'); they count as '%s', as Ludwig does (feature '%s'; first at %s line %ld)\n",
                c->n_unknown, c->unknown_text, c->idx2str[c->fallback_idx], f->name,
                lc_table_name(rows[c->unknown_row].t), c->unknown_line);
    }
    return LC_OK;
}

/* The column of a finished job over the kept rows (kept[j] is the row index among all rows);
 * the job's arrays and metadata are taken over or freed. */
static lc_status tab_column(tab_job *j, const size_t *kept, size_t n, lc_column *col, lc_error *e)
{
    lc_status st;
    col->type = j->f->type;
    col->present = 1;
    col->T = j->f->type == LC_FT_TIMESERIES || j->f->type == LC_FT_VECTOR || j->f->type == LC_FT_DATE ? j->r.ts.T : j->f->type == LC_FT_TEXT || j->f->type == LC_FT_SET || j->f->type == LC_FT_BAG ? j->r.tx.width : 1;
    size_t nv;
    if (lc_size_mul(n + 1, (size_t)col->T, &nv) ||
        !(col->values = malloc(nv * sizeof *col->values)))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    cJSON *meta = NULL;
    switch (j->f->type) {
    case LC_FT_NUMBER:
        for (size_t i = 0; i < n; i++)
            col->values[i] = j->r.num.values[kept[i]];
        col->norm = j->r.num.norm;
        meta = j->r.num.meta;
        j->r.num.meta = NULL;
        break;
    case LC_FT_BINARY:
        for (size_t i = 0; i < n; i++)
            col->values[i] = j->r.bin.values[kept[i]] ? 1.0f : 0.0f;
        meta = j->r.bin.meta;
        j->r.bin.meta = NULL;
        break;
    case LC_FT_CATEGORY:
        col->labels = malloc((n + 1) * sizeof *col->labels);
        if (!col->labels)
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            col->labels[i] = j->r.cat.values[kept[i]];
            col->values[i] = (float)col->labels[i];
        }
        if ((st = vocab_to_column(&j->r.cat, col, e)))
            return st;
        meta = j->r.cat.meta;
        j->r.cat.meta = NULL;
        break;
    case LC_FT_VECTOR:
    case LC_FT_DATE:
    case LC_FT_TIMESERIES:
        col->nclasses = j->r.ts.T; /* vector_size, max_timeseries_length: an output's width */
        for (size_t i = 0; i < n; i++)
            memcpy(col->values + i * (size_t)col->T, j->r.ts.values + kept[i] * (size_t)col->T,
                   (size_t)col->T * sizeof *col->values);
        meta = j->r.ts.meta;
        j->r.ts.meta = NULL;
        break;
    case LC_FT_SET:
    case LC_FT_BAG:
    case LC_FT_TEXT:
        for (size_t i = 0; i < n; i++)
            memcpy(col->values + i * (size_t)col->T, j->r.tx.values + kept[i] * (size_t)col->T,
                   (size_t)col->T * sizeof *col->values);
        col->nclasses = j->r.tx.vocab_size; /* the embedding's rows */
        meta = j->r.tx.meta;
        j->r.tx.meta = NULL;
        break;
    case LC_FT_IMAGE:
        return lc_error_set(e, LC_ERR_INTERNAL, "an image feature is not a tabular column");
    }
    if (j->meta) { /* stored metadata: written back as it was read */
        cJSON_Delete(meta);
        meta = cJSON_Duplicate(j->meta, 1);
    } else if (meta && j->preproc) { /* Ludwig's entry: the metadata plus the completed preprocessing */
        cJSON_AddItemToObject(meta, "preprocessing", j->preproc);
        j->preproc = NULL;
    }
    col->meta = meta;
    if (!col->meta)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    if (j->f->type == LC_FT_SET && j->f->is_output)
        return set_labels_to_column(col->meta, col, e);
    return j->f->type == LC_FT_BINARY ? bool2str_to_column(col->meta, col, e) : LC_OK;
}

/* An output column PREDICT mode does not read: what the stored metadata says about it (the
 * vocabulary, the binary labels, the normalization to undo). */
static lc_status unread_output(const lc_feature *f, const cJSON *meta, const char *path, lc_column *col,
                               lc_error *e)
{
    lc_status st = LC_OK;
    col->type = f->type;
    switch (f->type) {
    case LC_FT_CATEGORY: {
        lc_prep_category pc;
        if ((st = lc_prep_category_from_meta(meta, f->name, &pc, e))) {
            lc_error_prefix(e, "%s: ", path);
            lc_error_hint(e, "--training_set_metadata must be the training_set_metadata.json of a run with the same features");
            return st;
        }
        st = vocab_to_column(&pc, col, e);
        lc_prep_category_free(&pc);
        break;
    }
    case LC_FT_BINARY:
        st = bool2str_to_column(meta, col, e);
        break;
    case LC_FT_NUMBER: {
        lc_prep_number_opts o;
        number_opts(f, pre_item(meta, "preprocessing"), &o);
        if ((st = lc_number_norm_from_meta(meta, o.normalization, f->name, &col->norm, e)))
            lc_error_prefix(e, "%s: ", path);
        break;
    }
    case LC_FT_SET:
        if ((st = set_labels_to_column(meta, col, e)))
            lc_error_prefix(e, "%s: ", path);
        break;
    case LC_FT_VECTOR:
        col->nclasses = col->T = lc_prep_vector_size(meta);
        if (col->nclasses < 1)
            st = lc_error_set(e, LC_ERR_DATA, "%s: the metadata of output feature '%s' has no vector_size", path, f->name);
        break;
    case LC_FT_TIMESERIES:
        col->nclasses = col->T = lc_prep_timeseries_length(meta);
        if (col->nclasses < 1)
            st = lc_error_set(e, LC_ERR_DATA, "%s: the metadata of output feature '%s' has no max_timeseries_length", path, f->name);
        break;
    case LC_FT_IMAGE: /* inputs only */
    case LC_FT_DATE:
    case LC_FT_BAG:
    case LC_FT_TEXT:
        break;
    }
    if (!st && meta && !(col->meta = cJSON_Duplicate(meta, 1)))
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    return st;
}

cJSON *lc_dataset_metadata(const lc_config *cfg, const lc_dataset *d)
{
    cJSON *m = cJSON_CreateObject();
    for (int i = 0; i < cfg->nin; i++)
        if (d->in[i].meta)
            cJSON_AddItemToObject(m, cfg->in[i].name, cJSON_Duplicate(d->in[i].meta, 1));
    for (int i = 0; i < cfg->nout; i++)
        if (d->out[i].meta)
            cJSON_AddItemToObject(m, cfg->out[i].name, cJSON_Duplicate(d->out[i].meta, 1));
    cJSON_AddNullToObject(m, "data_train_hdf5_fp");
    cJSON_AddStringToObject(m, "dataset_src", d->src);
    return m;
}


typedef struct strat_item {
    const char *s;
    size_t i;
} strat_item;

/* Ludwig's hash split (HashSplitter): the split of a row is a function of its value alone,
 * crc32(base64(md5(json.dumps({"value": v})), altchars "__")) against the cumulative
 * probabilities times 2^32; a missing cell is NaN to json.dumps. */
static int hash_split(const lc_config *cfg, const char *cell, int *out)
{
    char *js = lc_cell_is_missing(cell) ? NULL : lc_json_py_string(cell);
    if (!lc_cell_is_missing(cell) && !js)
        return -1;
    char buf[64];
    const char *val = js ? js : "NaN";
    size_t need = strlen(val) + 16;
    char *doc = need <= sizeof buf ? buf : malloc(need);
    if (!doc) {
        free(js);
        return -1;
    }
    size_t len = (size_t)snprintf(doc, need, "{\"value\": %s}", val);
    unsigned char md[16];
    lc_md5(doc, len, md);
    if (doc != buf)
        free(doc);
    free(js);
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789__";
    char enc[24];
    for (int i = 0, o = 0; i < 16; i += 3) {
        uint32_t v = (uint32_t)md[i] << 16 | (i + 1 < 16 ? (uint32_t)md[i + 1] << 8 : 0) |
                     (i + 2 < 16 ? md[i + 2] : 0);
        enc[o++] = b64[v >> 18 & 63];
        enc[o++] = b64[v >> 12 & 63];
        enc[o++] = i + 1 < 16 ? b64[v >> 6 & 63] : '=';
        enc[o++] = i + 2 < 16 ? b64[v & 63] : '=';
    }
    double h = (double)lc_crc32(enc, sizeof enc), t0 = cfg->split_probs[0] * 4294967296.0,
           t1 = cfg->split_probs[1] * 4294967296.0;
    *out = h < t0 ? 0 : h < t0 + t1 ? 1 : 2;
    return 0;
}

/* A date and time as pandas.to_datetime reads the common forms (ISO 8601 "YYYY-MM-DD", with
 * " " or "T" and "HH:MM[:SS[.frac]]"; "YYYY/MM/DD"; month-first "MM/DD/YYYY"), as seconds since
 * 1970 (any monotonic number orders rows the same). -1 when the text is none of these. */
static int parse_datetime(const char *s, double *out)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, n = 0;
    double sec = 0;
    while (*s == ' ')
        s++;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 ||
        sscanf(s, "%4d/%2d/%2d%n", &y, &mo, &d, &n) == 3) {
        /* year first */
    } else if (sscanf(s, "%2d/%2d/%4d%n", &mo, &d, &y, &n) == 3) {
        /* month first, pandas' default for slashes */
    } else {
        return -1;
    }
    s += n;
    if (*s == ' ' || *s == 'T') {
        int m2 = 0;
        if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &m2) != 2)
            return -1;
        s += 1 + m2;
        if (*s == ':') {
            char *end;
            sec = strtod(s + 1, &end);
            s = end;
        }
    }
    while (*s == ' ')
        s++;
    if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec >= 61)
        return -1;
    /* days since 1970-01-01 (civil calendar) */
    int yy = y - (mo <= 2), era = (yy >= 0 ? yy : yy - 399) / 400, yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    double days = (double)era * 146097 + doe - 719468;
    *out = days * 86400 + h * 3600 + mi * 60 + sec;
    return 0;
}

typedef struct dt_item {
    double t;
    size_t i;
} dt_item;

static int cmp_dt(const void *a, const void *b)
{
    const dt_item *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Ludwig's DatetimeSplitter: rows sorted by the column's time, then cut into the first
 * int(p0 n), the next int(p1 n) and the next int(p2 n) rows (split_by_slices); rows past those
 * get split 3 (Ludwig leaves them out). */
static lc_status datetime_splits(const lc_config *cfg, const lc_table *t, int col, row_ref *rows,
                                 size_t n, lc_error *e)
{
    dt_item *it = malloc((n + 1) * sizeof *it);
    if (!it)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *c = lc_table_cell(t, rows[i].row, col);
        it[i].i = i;
        if (parse_datetime(c, &it[i].t)) {
            free(it);
            return lc_error_set(e, LC_ERR_DATA, "%s: line %ld: split column '%s' holds '%s', which is not a date and time ludwig-c reads (YYYY-MM-DD[ HH:MM[:SS]], YYYY/MM/DD, MM/DD/YYYY)",
                                lc_table_name(t), lc_table_row_line(t, rows[i].row),
                                cfg->split_column, c);
        }
    }
    qsort(it, n, sizeof *it, cmp_dt);
    size_t c0 = (size_t)(cfg->split_probs[0] * (double)n), c1 = (size_t)(cfg->split_probs[1] * (double)n),
           c2 = (size_t)(cfg->split_probs[2] * (double)n);
    for (size_t k = 0; k < n; k++)
        rows[it[k].i].split = k < c0 ? 0 : k < c0 + c1 ? 1 : k < c0 + c1 + c2 ? 2 : 3;
    free(it);
    return LC_OK;
}

static int cmp_strat(const void *a, const void *b)
{
    const strat_item *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Random and stratified splits (fixed splits are read from the column): the rows (all, or each
 * class of the stratify column) are shuffled with a stream keyed by the group's first row, then
 * cut at ceil(p0 n) and + int(p1 n); a class with a single row goes to training, as Ludwig does. */
static lc_status assign_splits(const lc_config *cfg, const lc_table *t, int strat_col, row_ref *rows, size_t n,
                               uint64_t seed, lc_error *e)
{
    strat_item *it = malloc((n + 1) * sizeof *it);
    int32_t *perm = malloc((n + 1) * sizeof *perm);
    if (!it || !perm) {
        free(it);
        free(perm);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        it[i] = (strat_item){strat_col >= 0 ? lc_table_cell(t, rows[i].row, strat_col) : "", i};
    if (strat_col >= 0)
        qsort(it, n, sizeof *it, cmp_strat);
    for (size_t a = 0, b; a < n; a = b) {
        /* the group: rows a..b-1 of it, in row order; its first row keys the stream */
        for (b = a + 1; b < n && strcmp(it[b].s, it[a].s) == 0; b++)
            ;
        size_t g = b - a;
        for (size_t i = 0; i < g; i++)
            perm[i] = (int32_t)it[a + i].i;
        lc_rng r;
        lc_rng_init(&r, seed, LC_STREAM_SPLIT, it[a].i);
        lc_rng_shuffle(&r, perm, (int64_t)g);
        size_t d1 = (size_t)ceil(cfg->split_probs[0] * (double)g);
        size_t d2 = d1 + (size_t)(cfg->split_probs[1] * (double)g);
        if (cfg->split_probs[2] == 0.0 || d2 > g)
            d2 = g;
        if (d1 > g || g == 1)
            d1 = g;
        for (size_t i = 0; i < g; i++)
            rows[perm[i]].split = i < d1 ? 0 : i < d2 ? 1 : 2;
    }
    free(it);
    free(perm);
    return LC_OK;
}

/* Python's round(): halves to even (the current rounding mode, round-to-nearest). */
static size_t py_round(double v)
{
    return v <= 0 ? 0 : (size_t)nearbyint(v);
}

/* sample_ratio, then sample_size, over every row before anything is computed (Ludwig's
 * _get_sampled_dataset_df, training only): round(frac * n) rows chosen with the seed, kept in
 * file order (pandas' sample returns them shuffled; ludwig-c's splits shuffle on their own).
 * Compacts rows, lines and dropper in place; *n becomes the sample's size. */
static lc_status sample_rows(const lc_config *cfg, uint64_t seed, row_ref *rows, long *lines,
                             int32_t *dropper, size_t *n, FILE *log, const char *file, lc_error *e)
{
    size_t want = *n;
    if (cfg->sample_ratio < 1.0) {
        if ((double)*n * cfg->sample_ratio < 1)
            return lc_error_set(e, LC_ERR_CONFIG, "%s: preprocessing.sample_ratio %g is too small for a dataset of %zu rows (Ludwig refuses it too)",
                                cfg->path, cfg->sample_ratio, *n);
        want = py_round(cfg->sample_ratio * (double)*n);
    }
    if (cfg->sample_size > 0) {
        /* Ludwig samples frac = sample_size / (rows before sample_ratio) of what is left */
        if ((size_t)cfg->sample_size < *n)
            want = py_round((double)cfg->sample_size / (double)*n * (double)want);
        else if (log)
            fprintf(log, "ludwig-c: warning: preprocessing.sample_size %ld is not below the %zu rows: it is ignored (as Ludwig does)\n",
                    cfg->sample_size, *n);
    }
    if (want >= *n)
        return LC_OK;
    int32_t *perm = malloc((*n + 1) * sizeof *perm);
    unsigned char *take = calloc(*n + 1, 1);
    if (!perm || !take) {
        free(perm);
        free(take);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < *n; i++)
        perm[i] = (int32_t)i;
    lc_rng r;
    lc_rng_init(&r, seed, LC_STREAM_SAMPLE, 0);
    lc_rng_shuffle(&r, perm, (int64_t)*n);
    for (size_t i = 0; i < want; i++)
        take[perm[i]] = 1;
    size_t m = 0;
    for (size_t i = 0; i < *n; i++)
        if (take[i]) {
            rows[m] = rows[i];
            lines[m] = lines[i];
            dropper[m] = dropper[i];
            m++;
        }
    if (log)
        fprintf(log, "ludwig-c: note: %s: sampled %zu of %zu rows (preprocessing.sample_ratio / sample_size)\n",
                file, m, *n);
    *n = m;
    free(perm);
    free(take);
    return LC_OK;
}

/* oversample_minority / undersample_majority on the training split of the binary output
 * (Ludwig's balance_data): the minority class resampled with replacement to
 * round(len(majority) * ratio) rows, or the majority without replacement to
 * int(len(minority) / ratio) rows; the training rows become minority then majority. */
static lc_status balance_training(const lc_config *cfg, lc_dataset *d, uint64_t seed, FILE *log,
                                  lc_error *e)
{
    const float *y = d->out[0].values;
    size_t n = d->count[0], cnt[2] = {0, 0};
    for (size_t i = 0; i < n; i++)
        cnt[y[d->idx[0][i]] > 0.5f]++;
    if (!cnt[0] || !cnt[1])
        return lc_error_set(e, LC_ERR_DATA, "%s: the training split has one class of '%s' only; there is nothing to balance",
                            d->src, cfg->out[0].name);
    /* the majority is the more frequent value (ties: the first value in the training rows) */
    int first = y[d->idx[0][0]] > 0.5f;
    int maj = cnt[1] > cnt[0] ? 1 : cnt[0] > cnt[1] ? 0 : first, min = 1 - maj;
    size_t nmin = cnt[min], nmaj = cnt[maj], newmin = nmin, newmaj = nmaj;
    if (cfg->oversample_minority > 0)
        newmin = py_round((double)nmaj * cfg->oversample_minority / (double)nmin * (double)nmin);
    else
        newmaj = py_round((double)(size_t)((double)nmin / cfg->undersample_majority) /
                          (double)nmaj * (double)nmaj);
    if (newmaj > nmaj)
        return lc_error_set(e, LC_ERR_CONFIG, "%s: preprocessing.undersample_majority %g would keep %zu of the %zu majority rows of '%s' (the training split has %zu minority rows); use a value of at least %g (Ludwig fails here too)",
                            cfg->path, cfg->undersample_majority, newmaj, nmaj, cfg->out[0].name,
                            nmin, (double)nmin / (double)nmaj);
    int32_t *minr = malloc((nmin + 1) * sizeof *minr), *majr = malloc((nmaj + 1) * sizeof *majr);
    int32_t *out = malloc((newmin + newmaj + 1) * sizeof *out);
    if (!minr || !majr || !out) {
        free(minr);
        free(majr);
        free(out);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    size_t a = 0, b = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t r = d->idx[0][i];
        if ((y[r] > 0.5f) == maj)
            majr[b++] = r;
        else
            minr[a++] = r;
    }
    lc_rng r;
    lc_rng_init(&r, seed, LC_STREAM_SAMPLE, 1);
    size_t m = 0;
    if (cfg->oversample_minority > 0) {
        for (size_t i = 0; i < newmin; i++) /* with replacement */
            out[m++] = minr[lc_rng_next(&r) % nmin];
        for (size_t i = 0; i < nmaj; i++)
            out[m++] = majr[i];
    } else {
        lc_rng_shuffle(&r, majr, (int64_t)nmaj);
        for (size_t i = 0; i < nmin; i++)
            out[m++] = minr[i];
        for (size_t i = 0; i < newmaj; i++)
            out[m++] = majr[i];
    }
    if (log)
        fprintf(log, "ludwig-c: note: balanced the training split of '%s': %zu minority + %zu majority rows (was %zu + %zu)\n",
                cfg->out[0].name, cfg->oversample_minority > 0 ? newmin : nmin,
                cfg->oversample_minority > 0 ? nmaj : newmaj, nmin, nmaj);
    free(minr);
    free(majr);
    free(d->idx[0]);
    d->idx[0] = out;
    d->count[0] = m;
    return LC_OK;
}

lc_status lc_dataset_build(const lc_config *cfg, const lc_dataset_opts *o, lc_pool *pool,
                           lc_dataset **out, lc_error *e)
{
    *out = NULL;
    lc_dataset *d = calloc(1, sizeof *d);
    if (!d)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_table *tabs[4] = {NULL, NULL, NULL, NULL};
    row_ref *rows = NULL;
    cJSON *meta_root = NULL;
    const char **cellv = NULL;
    long *lines = NULL;
    int nf = cfg->nin + cfg->nout;
    int *colidx = NULL; /* (4, nf) */
    size_t *dropped = NULL;
    int32_t *dropper = NULL; /* (nall) the first feature (in processing order) that drops a row */
    size_t *kept = NULL;
    tab_job *jobs = NULL;
    int njobs = 0;
    int *order = NULL; /* (nf) processing order: outputs, then inputs */
    char files[1024] = "";
    const int predict = o->mode == LC_DATASET_PREDICT;
    lc_status st = read_tables(o, tabs, d, e);
    if (st)
        goto fail;
#define STOP_POINT(what)                                                                          \
    do {                                                                                          \
        if (o->stop && *o->stop) {                                                                \
            st = lc_error_set(e, LC_ERR_INTERRUPTED, "interrupted while %s; no results were written", what); \
            goto fail;                                                                            \
        }                                                                                         \
    } while (0)
    STOP_POINT("reading the dataset");
    for (int t = 0, len = 0; t < 4; t++)
        if (tabs[t] && len < (int)sizeof files)
            len += snprintf(files + len, sizeof files - (size_t)len, "%s%s", len ? ", " : "", lc_table_name(tabs[t]));
    d->nin = cfg->nin;
    d->nout = cfg->nout;
    d->in = calloc((size_t)cfg->nin, sizeof *d->in);
    d->out = calloc((size_t)cfg->nout, sizeof *d->out);
    colidx = calloc(4 * (size_t)nf, sizeof *colidx);
    dropped = calloc((size_t)nf + 1, sizeof *dropped);
    jobs = calloc((size_t)nf, sizeof *jobs);
    order = malloc((size_t)nf * sizeof *order);
    size_t nall = 0;
    for (int i = 0; i < 4; i++)
        nall += tabs[i] ? lc_table_nrows(tabs[i]) : 0;
    rows = calloc(nall + 1, sizeof *rows);
    lines = malloc((nall + 1) * sizeof *lines);
    dropper = malloc((nall + 1) * sizeof *dropper);
    if (!d->in || !d->out || !colidx || !dropped || !jobs || !order || !rows || !lines || !dropper) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto fail;
    }
    /* 1. the columns of every feature in every file */
    for (int t = 0; t < 4; t++) {
        if (!tabs[t])
            continue;
        for (int k = 0; k < nf; k++) {
            const lc_feature *f = k < cfg->nin ? &cfg->in[k] : &cfg->out[k - cfg->nin];
            char what[160];
            snprintf(what, sizeof what, "the %s %s feature", lc_ftype_name(f->type),
                     f->is_output ? "output" : "input");
            if (f->is_output && predict)
                colidx[t * nf + k] = lc_table_col(tabs[t], f->column);
            else if ((st = need_col(tabs[t], f->column, what, &colidx[t * nf + k], e)))
                goto fail;
        }
    }
    for (int k = cfg->nin; k < nf; k++)
        d->out[k - cfg->nin].present = colidx[(o->dataset ? 0 : 1) * nf + k] >= 0;
    /* 2. every row, with its split (a fixed split's value is checked here, out-of-range values
     *    are dropped after the metadata is computed, as Ludwig's splitter leaves them out) */
    size_t dropped_split = 0;
    nall = 0;
    for (int t = 0; t < 4; t++) {
        const lc_table *tb = tabs[t];
        if (!tb)
            continue;
        int cs = -1;
        if (t == 0 && cfg->split == LC_SPLIT_FIXED &&
            (st = need_col(tb, cfg->split_column, "preprocessing.split.column", &cs, e)))
            goto fail;
        for (size_t r = 0; r < lc_table_nrows(tb); r++) {
            int sp = t == 0 ? -1 : t - 1;
            dropper[nall] = INT32_MAX;
            if (t == 0 && cfg->split == LC_SPLIT_FIXED) {
                const char *sv = lc_table_cell(tb, r, cs);
                char *end;
                long v = strtol(sv, &end, 10);
                while (*end && isspace((unsigned char)*end))
                    end++;
                if (end == sv || *end) {
                    /* Ludwig casts the split column to int8: a non-integer is an error */
                    st = lc_error_set(e, LC_ERR_DATA,
                                      "%s: line %ld: split column '%s' holds '%s'; expected 0 (train), 1 (validation) or 2 (test)",
                                      lc_table_name(tb), lc_table_row_line(tb, r),
                                      cfg->split_column, sv);
                    goto fail;
                }
                if (v < 0 || v > 2)
                    dropper[nall] = nf; /* after every feature */
                sp = v < 0 || v > 2 ? 0 : (int)v;
            }
            rows[nall] = (row_ref){.t = tb, .tab = t, .row = r, .split = sp};
            lines[nall] = lc_table_row_line(tb, r);
            nall++;
        }
    }
    if (o->mode == LC_DATASET_TRAIN && (cfg->sample_ratio < 1.0 || cfg->sample_size > 0) &&
        (st = sample_rows(cfg, o->seed, rows, lines, dropper, &nall, o->log, d->src, e)))
        goto fail;
    /* 3. the number, binary and category columns over every row, one task per feature (the
     *    fitting or the stored metadata's application); then, in processing order (outputs
     *    first), their errors and the rows they drop */
    if (o->metadata_path && !(meta_root = lc_json_read_file(o->metadata_path, e))) {
        st = e ? e->status : LC_ERR_DATA;
        goto fail;
    }
    for (int kk = 0; kk < nf; kk++)
        order[kk] = kk < cfg->nout ? cfg->nin + kk : kk - cfg->nout;
    for (int kk = 0; kk < nf; kk++) {
        int k = order[kk];
        const lc_feature *f = k < cfg->nin ? &cfg->in[k] : &cfg->out[k - cfg->nin];
        if (f->type == LC_FT_IMAGE || (f->is_output && predict))
            continue;
        tab_job *j = &jobs[njobs++];
        j->f = f;
        j->k = k;
        j->meta = meta_root ? cJSON_GetObjectItemCaseSensitive(meta_root, f->name) : NULL;
        if (meta_root && !j->meta && o->mode != LC_DATASET_TRAIN) {
            st = lc_error_set(e, LC_ERR_DATA, "%s: training set metadata has no entry for feature '%s'",
                              o->metadata_path, f->name);
            lc_error_hint(e, "the model's training_set_metadata.json must come from a run with the same features");
            goto fail;
        }
        if (j->meta && (st = check_stored(f, j->meta, o->metadata_path, e)))
            goto fail;
        if (!j->meta) {
            const cJSON *pre = cJSON_GetObjectItemCaseSensitive(f->json, "preprocessing");
            j->preproc = pre ? cJSON_Duplicate(pre, 1) : cJSON_CreateObject();
            if (!j->preproc) {
                st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
                goto fail;
            }
        }
    }
    /* a pool task packs a group of columns (reading the table row by row) and runs their
     * features; groups are small enough to give every thread a task */
    if (njobs) {
        int T = lc_pool_threads(pool), group = (njobs + T - 1) / T;
        group = group > LC_TAB_GROUP_MAX ? LC_TAB_GROUP_MAX : group;
        tab_ctx ctx = {.jobs = jobs, .rows = rows, .lines = lines, .nall = nall, .colidx = colidx, .nf = nf,
                       .njobs = njobs, .group = group};
        lc_pool_run(pool, (njobs + group - 1) / group, tab_task, &ctx);
    }
    for (int kk = 0, ji = 0; kk < nf; kk++) {
        int k = order[kk];
        const lc_feature *f = k < cfg->nin ? &cfg->in[k] : &cfg->out[k - cfg->nin];
        if (f->type == LC_FT_IMAGE) {
            if (f->missing != LC_MISS_DROP_ROW)
                continue;
            for (size_t i = 0; i < nall; i++) {
                int ci = colidx[rows[i].tab * nf + k];
                if (ci >= 0 && lc_cell_is_missing(lc_table_cell(rows[i].t, rows[i].row, ci)) && dropper[i] > kk)
                    dropper[i] = kk;
            }
            continue;
        }
        if (f->is_output && predict)
            continue;
        tab_job *j = &jobs[ji++];
        if ((st = tab_check(j, rows, lines, files, o->log, e)))
            goto fail;
        const unsigned char *keep = tab_keep(j);
        for (size_t i = 0; i < nall; i++)
            if (!keep[i] && dropper[i] > kk)
                dropper[i] = kk;
    }
    STOP_POINT("preprocessing the columns");
    /* 4. the kept rows */
    size_t nrows = 0;
    kept = malloc((nall + 1) * sizeof *kept);
    if (!kept) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nall; i++) {
        if (dropper[i] == INT32_MAX) {
            kept[nrows] = i;
            rows[nrows++] = rows[i];
        } else if (dropper[i] == nf) {
            dropped_split++;
        } else {
            dropped[dropper[i]]++;
        }
    }
    for (int kk = 0; kk < nf && o->log; kk++) {
        int k = order[kk];
        const lc_feature *f = k < cfg->nin ? &cfg->in[k] : &cfg->out[k - cfg->nin];
        if (dropped[kk])
            fprintf(o->log, "ludwig-c: note: dropped %zu row(s) with a missing '%s' (missing_value_strategy %s)\n",
                    dropped[kk], f->column, lc_missing_name(f->missing));
    }
    if (o->log && dropped_split)
        fprintf(o->log, "ludwig-c: note: dropped %zu row(s) whose split value is not 0, 1 or 2 (as Ludwig does)\n",
                dropped_split);
    if (nrows == 0) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: the dataset has no rows left after dropping rows with missing values",
                          lc_table_name(tabs[o->dataset ? 0 : 1]));
        goto fail;
    }
    /* 5. random, stratified, hash and datetime splits, over the kept rows */
    if (o->dataset && cfg->split != LC_SPLIT_FIXED) {
        int split_col = -1;
        if (cfg->split != LC_SPLIT_RANDOM &&
            (st = need_col(tabs[0], cfg->split_column, "preprocessing.split.column", &split_col, e)))
            goto fail;
        if (cfg->split == LC_SPLIT_HASH) {
            for (size_t i = 0; i < nrows; i++)
                if (hash_split(cfg, lc_table_cell(tabs[0], rows[i].row, split_col), &rows[i].split)) {
                    st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
                    goto fail;
                }
        } else if (cfg->split == LC_SPLIT_DATETIME) {
            if ((st = datetime_splits(cfg, tabs[0], split_col, rows, nrows, e)))
                goto fail;
            size_t m = 0; /* the rows past the three slices are left out, as Ludwig does */
            for (size_t i = 0; i < nrows; i++)
                if (rows[i].split <= 2) {
                    kept[m] = kept[i];
                    rows[m++] = rows[i];
                }
            if (o->log && m < nrows)
                fprintf(o->log, "ludwig-c: note: the datetime split leaves out the %zu latest row(s) past int(p * n) per split (as Ludwig does)\n",
                        nrows - m);
            nrows = m;
        } else if ((st = assign_splits(cfg, tabs[0], cfg->split == LC_SPLIT_STRATIFY ? split_col : -1,
                                       rows, nrows, o->seed, e))) {
            goto fail;
        }
    }
    /* 6. per-row bookkeeping */
    d->n = nrows;
    d->split = malloc(nrows * sizeof *d->split);
    d->line = malloc(nrows * sizeof *d->line);
    d->row = malloc(nrows * sizeof *d->row);
    d->nall = nall;
    cellv = malloc(nrows * sizeof *cellv);
    if (!d->split || !d->line || !d->row || !cellv) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nrows; i++) {
        d->line[i] = lines[kept[i]];
        d->row[i] = kept[i];
        d->split[i] = (int8_t)rows[i].split;
        d->count[d->split[i]]++;
    }
    for (int s = 0; s < 3; s++) {
        d->idx[s] = malloc((d->count[s] + 1) * sizeof(int32_t));
        if (!d->idx[s]) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto fail;
        }
        d->count[s] = 0;
    }
    for (size_t i = 0; i < nrows; i++)
        d->idx[d->split[i]][d->count[d->split[i]]++] = (int32_t)i;
    if (d->count[0] == 0 && o->mode == LC_DATASET_TRAIN) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: the training split is empty (no rows with split 0)",
                          d->src);
        lc_error_hint(e, "a fixed split reads the split column: 0 = train, 1 = validation, 2 = test");
        goto fail;
    }
    STOP_POINT("preprocessing the columns");
    /* 7. each feature's column over the kept rows, in processing order */
    for (int kk = 0, ji = 0; kk < nf; kk++) {
        int k = order[kk];
        const lc_feature *f = k < cfg->nin ? &cfg->in[k] : &cfg->out[k - cfg->nin];
        lc_column *col = k < cfg->nin ? &d->in[k] : &d->out[k - cfg->nin];
        if (f->is_output && predict) {
            int present = col->present;
            const cJSON *meta = meta_root ? cJSON_GetObjectItemCaseSensitive(meta_root, f->name) : NULL;
            if ((st = unread_output(f, meta, o->metadata_path, col, e)))
                goto fail;
            col->present = present;
            continue;
        }
        if (f->type != LC_FT_IMAGE) {
            tab_job *j = &jobs[ji++];
            st = tab_column(j, kept, nrows, col, e);
            tab_job_free(j);
            if (st)
                goto fail;
            continue;
        }
        for (size_t i = 0; i < nrows; i++) {
            int ci = colidx[rows[i].tab * nf + k];
            cellv[i] = lc_table_cell(rows[i].t, rows[i].row, ci);
        }
        lc_image_cells c = {.v = cellv, .lines = d->line, .n = nrows,
                            .file = lc_table_name(tabs[o->dataset ? 0 : 1]),
                            .defer = o->defer_images};
        col->type = f->type;
        col->present = 1;
        const cJSON *meta = meta_root ? cJSON_GetObjectItemCaseSensitive(meta_root, f->name) : NULL;
        if ((st = lc_image_column(f, &c, meta, o->metadata_path, o->raw_data, o->config_path,
                                  d->src, pool, col, e)))
            goto fail;
    }
    STOP_POINT("preparing the dataset");
#undef STOP_POINT
    if (o->mode == LC_DATASET_TRAIN &&
        (cfg->oversample_minority > 0 || cfg->undersample_majority > 0) &&
        (st = balance_training(cfg, d, o->seed, o->log, e)))
        goto fail;
    *out = d;
    d = NULL;
fail:
    for (int i = 0; jobs && i < njobs; i++)
        tab_job_free(&jobs[i]);
    free(jobs);
    free(order);
    cJSON_Delete(meta_root);
    free(cellv);
    free(lines);
    free(colidx);
    free(dropped);
    free(dropper);
    free(kept);
    free(rows);
    for (int i = 0; i < 4; i++)
        lc_table_free(tabs[i]);
    lc_dataset_free(d);
    return st;
}
