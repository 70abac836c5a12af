/* dataset.c - turns dataset file(s) + images into the tensors training needs, with Ludwig's
 * preprocessing rules (see lc_dataset.h). Reading files and decoding images is lib/io's job. */
#include "lc_dataset.h"

#include <ctype.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lc_image.h"
#include "lc_json.h"
#include "lc_mem.h"
#include "lc_rng.h"
#include "lc_table.h"

void lc_dataset_free(lc_dataset *d)
{
    if (!d)
        return;
    lc_free(d->images);
    free(d->labels);
    free(d->split);
    free(d->line);
    for (int s = 0; s < 3; s++)
        free(d->idx[s]);
    for (int i = 0; i < d->nclasses; i++)
        free(d->idx2str[i]);
    free(d->idx2str);
    free(d->freq);
    free(d->src);
    free(d);
}

/* Ludwig strips label strings (str.strip()) and optionally lowercases them. */
static char *clean_label(const char *s, int lowercase)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *r = lc_strndup(s, n);
    if (r && lowercase)
        for (char *p = r; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    return r;
}

int lc_dataset_label_index(const lc_dataset *d, const char *s)
{
    for (int i = 0; i < d->nclasses; i++)
        if (strcmp(d->idx2str[i], s) == 0)
            return i;
    return -1;
}

typedef struct row_ref {
    const lc_table *t;
    size_t row;
    int split; /* -1 = from the split column */
} row_ref;

typedef struct vocab_entry {
    char *s;
    int64_t count;
    size_t first;
} vocab_entry;

static int cmp_vocab(const void *a, const void *b)
{
    const vocab_entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* A metadata number as an int in [lo, hi], or -1 when it is not one (NaN, fractions, out of range). */
static int meta_int(const cJSON *v, int lo, int hi)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi) ||
        v->valuedouble != floor(v->valuedouble))
        return -1;
    return (int)v->valuedouble;
}

lc_status lc_dataset_read_metadata(const char *path, const char *feature, const char *img_feature,
                                   lc_dataset *d, int *h, int *w, int *c, lc_error *e)
{
    *h = *w = *c = 0;
    cJSON *m = lc_json_read_file(path, e);
    if (!m)
        return e ? e->status : LC_ERR_DATA;
    lc_status st = LC_OK;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(m, feature);
    const cJSON *i2s = f ? cJSON_GetObjectItemCaseSensitive(f, "idx2str") : NULL;
    if (!cJSON_IsArray(i2s) || cJSON_GetArraySize(i2s) < 2) {
        st = lc_error_set(e, LC_ERR_DATA,
                          "%s: training set metadata has no vocabulary (idx2str with at least two labels) for output feature '%s'",
                          path, feature);
        lc_error_hint(e, "--training_set_metadata must be the training_set_metadata.json of a run with the same output feature");
        goto done;
    }
    d->nclasses = cJSON_GetArraySize(i2s);
    d->idx2str = calloc((size_t)d->nclasses, sizeof *d->idx2str);
    d->freq = calloc((size_t)d->nclasses, sizeof *d->freq);
    if (!d->idx2str || !d->freq) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    const cJSON *s2f = cJSON_GetObjectItemCaseSensitive(f, "str2freq");
    int i = 0;
    for (const cJSON *v = i2s->child; v && i < d->nclasses; v = v->next, i++) {
        if (!cJSON_IsString(v)) {
            st = lc_error_set(e, LC_ERR_DATA, "%s: %s.idx2str[%d] is not a string", path, feature,
                              i);
            goto done;
        }
        for (int k = 0; k < i; k++)
            if (strcmp(d->idx2str[k], v->valuestring) == 0) {
                st = lc_error_set(e, LC_ERR_DATA, "%s: %s.idx2str[%d] repeats the label '%s' of idx2str[%d]",
                                  path, feature, i, v->valuestring, k);
                goto done;
            }
        d->idx2str[i] = lc_strdup(v->valuestring);
        if (!d->idx2str[i]) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        const cJSON *fr = s2f ? cJSON_GetObjectItemCaseSensitive(s2f, v->valuestring) : NULL;
        /* only used to pick the most frequent class; anything unusable counts as 0 */
        d->freq[i] = cJSON_IsNumber(fr) && fr->valuedouble >= 0 && fr->valuedouble < 9e18
                         ? (int64_t)fr->valuedouble
                         : 0;
    }
    const cJSON *im = cJSON_GetObjectItemCaseSensitive(m, img_feature);
    const cJSON *pre = im ? cJSON_GetObjectItemCaseSensitive(im, "preprocessing") : NULL;
    const cJSON *hh = pre ? cJSON_GetObjectItemCaseSensitive(pre, "height") : NULL;
    const cJSON *ww = pre ? cJSON_GetObjectItemCaseSensitive(pre, "width") : NULL;
    const cJSON *cc = pre ? cJSON_GetObjectItemCaseSensitive(pre, "num_channels") : NULL;
    if ((hh && !cJSON_IsNull(hh)) || (ww && !cJSON_IsNull(ww)) || (cc && !cJSON_IsNull(cc))) {
        int H = meta_int(hh, 1, LC_IMAGE_SIDE_MAX), W = meta_int(ww, 1, LC_IMAGE_SIDE_MAX);
        int C = meta_int(cc, 1, 4);
        if (H < 0 || W < 0 || C < 0) {
            st = lc_error_set(e, LC_ERR_DATA,
                              "%s: %s.preprocessing needs whole numbers height and width in 1..%d and num_channels in 1..4",
                              path, img_feature, LC_IMAGE_SIDE_MAX);
            goto done;
        }
        *h = H;
        *w = W;
        *c = C;
    }
done:
    cJSON_Delete(m);
    return st;
}

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

static int is_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
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
    char **labels = NULL;
    const char **paths = NULL;
    long *lines = NULL;
    vocab_entry *voc = NULL;
    size_t nvoc = 0, nrows = 0;
    lc_image_source *src = NULL;
    lc_status st = read_tables(o, tabs, d, e);
    if (st)
        goto fail;
    /* 1. rows, with their split and cleaned label; rows with a missing label are dropped
     *    (missing_value_strategy drop_row, Ludwig's default for category outputs) */
    size_t total = 0;
    for (int i = 0; i < 4; i++)
        total += tabs[i] ? lc_table_nrows(tabs[i]) : 0;
    rows = calloc(total + 1, sizeof *rows);
    labels = calloc(total + 1, sizeof *labels);
    if (!rows || !labels) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto fail;
    }
    size_t dropped_label = 0, dropped_split = 0;
    for (int i = 0; i < 4; i++) {
        const lc_table *t = tabs[i];
        if (!t)
            continue;
        int ci, cl, cs = -1;
        if ((st = need_col(t, cfg->in_column, "the image input feature", &ci, e)))
            goto fail;
        cl = o->mode == LC_DATASET_PREDICT ? lc_table_col(t, cfg->out_column) : -1;
        if (o->mode != LC_DATASET_PREDICT &&
            (st = need_col(t, cfg->out_column, "the category output feature", &cl, e)))
            goto fail;
        if (i == 0 && cfg->split == LC_SPLIT_FIXED &&
            (st = need_col(t, cfg->split_column, "preprocessing.split.column", &cs, e)))
            goto fail;
        for (size_t r = 0; r < lc_table_nrows(t); r++) {
            const char *lab = cl >= 0 ? lc_table_cell(t, r, cl) : "";
            if (is_blank(lab) && o->mode != LC_DATASET_PREDICT) {
                dropped_label++;
                continue;
            }
            int sp = i == 0 ? -1 : i - 1;
            if (i == 0 && cfg->split == LC_SPLIT_FIXED) {
                const char *sv = lc_table_cell(t, r, cs);
                char *end;
                long v = strtol(sv, &end, 10);
                while (*end && isspace((unsigned char)*end))
                    end++;
                if (end == sv || *end) {
                    /* Ludwig casts the split column to int8: a non-integer is an error */
                    st = lc_error_set(e, LC_ERR_DATA,
                                      "%s: line %ld: split column '%s' holds '%s'; expected 0 (train), 1 (validation) or 2 (test)",
                                      lc_table_name(t), lc_table_row_line(t, r),
                                      cfg->split_column, sv);
                    goto fail;
                }
                if (v < 0 || v > 2) {
                    dropped_split++;
                    continue;
                }
                sp = (int)v;
            }
            labels[nrows] = clean_label(lab, cfg->lowercase);
            if (!labels[nrows]) {
                st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
                goto fail;
            }
            rows[nrows].t = t;
            rows[nrows].row = r;
            rows[nrows].split = sp;
            nrows++;
        }
    }
    if (o->log && dropped_label)
        fprintf(o->log, "ludwig-c: note: dropped %zu row(s) with an empty '%s' (missing_value_strategy drop_row)\n",
                dropped_label, cfg->out_column);
    if (o->log && dropped_split)
        fprintf(o->log, "ludwig-c: note: dropped %zu row(s) whose split value is not 0, 1 or 2 (as Ludwig does)\n",
                dropped_split);
    if (nrows == 0) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: the dataset has no rows with a label",
                          lc_table_name(tabs[o->dataset ? 0 : 1]));
        goto fail;
    }
    /* 2. random and stratified splits (fixed splits were assigned above): shuffle with the seed,
     *    then cut at ceil(p0 n) and + int(p1 n) - over all rows, or within each class of the
     *    stratify column (a class with a single row goes to training, as Ludwig does) */
    if (o->dataset && cfg->split != LC_SPLIT_FIXED) {
        int strat_col = -1;
        if (cfg->split == LC_SPLIT_STRATIFY &&
            (st = need_col(tabs[0], cfg->split_column, "preprocessing.split.column", &strat_col, e)))
            goto fail;
        int32_t *perm = malloc(nrows * sizeof *perm);
        char *done_row = calloc(nrows, 1);
        if (!perm || !done_row) {
            free(perm);
            free(done_row);
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto fail;
        }
        for (size_t first = 0; first < nrows; first++) {
            if (done_row[first])
                continue;
            /* the group: every row (random) or the rows sharing first's class (stratify) */
            const char *cls = strat_col >= 0 ? lc_table_cell(tabs[0], rows[first].row, strat_col) : NULL;
            size_t g = 0;
            for (size_t i = first; i < nrows; i++)
                if (!done_row[i] && (!cls || strcmp(lc_table_cell(tabs[0], rows[i].row, strat_col), cls) == 0)) {
                    perm[g++] = (int32_t)i;
                    done_row[i] = 1;
                }
            lc_rng r;
            lc_rng_init(&r, o->seed, LC_STREAM_SPLIT, first);
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
        free(perm);
        free(done_row);
    }
    /* 3. vocabulary: by frequency over the whole column, most frequent first, ties in order of
     *    first appearance; <UNK> only when there are more distinct values than most_common */
    int mh = 0, mw = 0, mc = 0;
    if (o->metadata_path) {
        if ((st = lc_dataset_read_metadata(o->metadata_path, cfg->out_name, cfg->in_name, d,
                                           &mh, &mw, &mc, e)))
            goto fail;
    } else {
        voc = calloc(nrows, sizeof *voc);
        if (!voc) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < nrows; i++) {
            size_t k;
            for (k = 0; k < nvoc; k++)
                if (strcmp(voc[k].s, labels[i]) == 0)
                    break;
            if (k == nvoc) {
                voc[nvoc].s = labels[i];
                voc[nvoc].first = i;
                nvoc++;
            }
            voc[k].count++;
        }
        qsort(voc, nvoc, sizeof *voc, cmp_vocab);
        int unk = (long)nvoc > cfg->most_common;
        size_t keep = unk ? (size_t)cfg->most_common : nvoc;
        d->nclasses = (int)keep + unk;
        d->idx2str = calloc((size_t)d->nclasses, sizeof *d->idx2str);
        d->freq = calloc((size_t)d->nclasses, sizeof *d->freq);
        if (!d->idx2str || !d->freq) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto fail;
        }
        if (unk)
            d->idx2str[0] = lc_strdup("<UNK>");
        for (size_t k = 0; k < keep; k++) {
            d->idx2str[k + unk] = lc_strdup(voc[k].s);
            d->freq[k + unk] = voc[k].count;
        }
        for (int k = 0; k < d->nclasses; k++)
            if (!d->idx2str[k]) {
                st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
                goto fail;
            }
        if (d->nclasses < 2) {
            st = lc_error_set(e, LC_ERR_DATA,
                              "%s: column '%s' has a single class ('%s'); a category output needs at least two",
                              d->src, cfg->out_column, d->idx2str[0]);
            goto fail;
        }
    }
    /* 4. per-row tensors */
    d->n = nrows;
    d->labels = malloc(nrows * sizeof *d->labels);
    d->split = malloc(nrows * sizeof *d->split);
    d->line = malloc(nrows * sizeof *d->line);
    paths = malloc(nrows * sizeof *paths);
    lines = malloc(nrows * sizeof *lines);
    if (!d->labels || !d->split || !d->line || !paths || !lines) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto fail;
    }
    int unk_idx = lc_dataset_label_index(d, "<UNK>");
    int most_freq = 0;
    for (int k = 1; k < d->nclasses; k++)
        if (d->freq[k] > d->freq[most_freq])
            most_freq = k;
    size_t unseen = 0;
    const char *first_unseen = NULL;
    for (size_t i = 0; i < nrows; i++) {
        int ci = lc_table_col(rows[i].t, cfg->in_column);
        paths[i] = lc_table_cell(rows[i].t, rows[i].row, ci);
        lines[i] = lc_table_row_line(rows[i].t, rows[i].row);
        d->line[i] = lines[i];
        d->split[i] = (int8_t)rows[i].split;
        int li = lc_dataset_label_index(d, labels[i]);
        if (li < 0 && o->mode == LC_DATASET_PREDICT) {
            li = 0;
        } else if (li < 0) {
            /* Ludwig maps an unknown label to <UNK>, or to the most frequent class */
            li = unk_idx >= 0 ? unk_idx : most_freq;
            if (!unseen++)
                first_unseen = labels[i];
        }
        d->labels[i] = li;
        d->count[d->split[i]]++;
    }
    if (unseen && o->log)
        fprintf(o->log, "ludwig-c: warning: %zu row(s) have labels not in the training set metadata (first: '%s'); they count as '%s', as Ludwig does\n",
                unseen, first_unseen, d->idx2str[unk_idx >= 0 ? unk_idx : most_freq]);
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
    /* 5. images: blank paths are filled from the next row (bfill, Ludwig's default) */
    for (size_t i = nrows; i-- > 0;) {
        if (is_blank(paths[i])) {
            if (i + 1 < nrows && !is_blank(paths[i + 1])) {
                paths[i] = paths[i + 1];
            } else {
                st = lc_error_set(e, LC_ERR_DATA,
                                  "%s: line %ld: column '%s' is empty and no later row has an image to fill it from",
                                  lc_table_name(rows[i].t), lines[i], cfg->in_column);
                goto fail;
            }
        }
    }
    if (o->raw_data) {
        st = lc_image_source_open_zip(o->raw_data, &src, e);
    } else {
        char *tmp = lc_strdup(d->src);
        if (!tmp) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto fail;
        }
        st = lc_image_source_open_dir(dirname(tmp), &src, e);
        free(tmp);
    }
    if (st)
        goto fail;
    int H = cfg->img_height, W = cfg->img_width, C = cfg->img_channels;
    if (mh && !H) {
        H = mh;
        W = mw;
    }
    if (mc && !C)
        C = mc;
    if (!H || !C) {
        size_t ns = nrows < (size_t)cfg->infer_sample ? nrows : (size_t)cfg->infer_sample;
        lc_image_dims *dims = calloc(ns, sizeof *dims);
        if (!dims) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto fail;
        }
        st = lc_image_sniff(src, paths, lines, ns, dims, e);
        if (st)
            lc_error_prefix(e, "%s ", lc_table_name(rows[0].t));
        if (!st) {
            int ah, aw, fc, modec;
            lc_image_dims_summary(dims, ns, &ah, &aw, &fc, &modec);
            if (!H) {
                H = ah < cfg->infer_max_h ? ah : cfg->infer_max_h;
                W = aw < cfg->infer_max_w ? aw : cfg->infer_max_w;
            }
            if (!C) {
                /* Ludwig: 1 if most sampled images have 1 channel, else 2, else 4, else 3 */
                size_t cnt[5] = {0};
                for (size_t i = 0; i < ns; i++)
                    if (dims[i].c >= 1 && dims[i].c <= 4)
                        cnt[dims[i].c]++;
                C = 2 * cnt[1] > ns ? 1 : 2 * cnt[2] > ns ? 2 : 2 * cnt[4] > ns ? 4 : 3;
            }
        }
        free(dims);
        if (st)
            goto fail;
    }
    if (cfg->requires_equal_dims && H != W)
        H = W = H < W ? H : W;
    d->C = C;
    d->H = H;
    d->W = W;
    if (H < 1 || W < 1 || H > LC_IMAGE_SIDE_MAX || W > LC_IMAGE_SIDE_MAX ||
        (size_t)H * (size_t)W > LC_IMAGE_PIXELS_MAX) {
        st = lc_error_set(e, LC_ERR_CONFIG,
                          "%s: input feature '%s': preprocessing height x width is %dx%d; images are limited to %dx%d and %zu pixels",
                          cfg->path, cfg->in_name, H, W, LC_IMAGE_SIDE_MAX, LC_IMAGE_SIDE_MAX,
                          LC_IMAGE_PIXELS_MAX);
        goto fail;
    }
    size_t per = (size_t)C * H * W;
    /* every image is held decoded: refuse up front what cannot fit, rather than be killed */
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double need = (double)nrows * (double)per, have = (double)pages * (double)page;
    if (pages > 0 && page > 0 && need > 0.8 * have) {
        st = lc_error_set(e, LC_ERR_NOMEM,
                          "%s: %zu images of %dx%dx%d need %.1f GiB decoded, more than this machine's memory (%.1f GiB)",
                          d->src, nrows, C, H, W, need / (1 << 30), have / (1 << 30));
        lc_error_hint(e, "lower the input feature's preprocessing height and width, or use fewer rows");
        goto fail;
    }
    d->images = lc_alloc(nrows, per);
    if (!d->images) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory for %zu images of %dx%dx%d", nrows, C,
                          H, W);
        goto fail;
    }
    lc_image_spec spec = {.height = H, .width = W, .channels = C,
                          .resize = cfg->crop_or_pad ? LC_RESIZE_CROP_OR_PAD
                                                     : LC_RESIZE_INTERPOLATE};
    if ((st = lc_image_load_batch(src, paths, lines, nrows, &spec, pool, d->images, e))) {
        lc_error_prefix(e, "%s ", d->src);
        goto fail;
    }
    *out = d;
    d = NULL;
fail:
    lc_image_source_close(src);
    free(paths);
    free(lines);
    free(voc);
    if (labels)
        for (size_t i = 0; i < nrows; i++)
            free(labels[i]);
    free(labels);
    free(rows);
    for (int i = 0; i < 4; i++)
        lc_table_free(tabs[i]);
    lc_dataset_free(d);
    return st;
}
