/* dataset.c - turns dataset file(s) into one preprocessed column per feature (see lc_dataset.h):
 * the rows (drop_row, splits) are decided here; each column's values and metadata are the feature
 * type's business (the per-type functions below, dispatched by a switch on lc_ftype). Reading
 * files and decoding images is lib/io's job. */
#include "lc_dataset.h"

#include <ctype.h>
#include <errno.h>
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

static void column_free(lc_column *c)
{
    free(c->values);
    free(c->labels);
    for (int i = 0; i < c->nclasses; i++)
        free(c->idx2str[i]);
    free(c->idx2str);
    free(c->freq);
    free(c->bool2str[0]);
    free(c->bool2str[1]);
    lc_free(c->images);
    cJSON_Delete(c->meta);
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
    for (int s = 0; s < 3; s++)
        free(d->idx[s]);
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

/* What a column builder sees: the cells of the kept rows, their source lines, and where they
 * come from (for messages). */
typedef struct cells {
    const char **v;   /* (n) */
    const long *lines;
    size_t n;
    const char *file;
    const int8_t *split;
} cells;

/* ------------------------------------------------------------------------------------------ */
/* Missing values shared by the tabular types: blank cells filled in place (cells.v entries are
 * repointed; `owned` keeps strings this function allocated). */

static lc_status fill_missing(const lc_feature *f, cells *c, const char *mode_value,
                              const char *mean_text, lc_error *e)
{
    const char *fill = NULL;
    switch (f->missing) {
    case LC_MISS_FILL_CONST:
        fill = f->fill_value ? f->fill_value : "";
        break;
    case LC_MISS_FILL_MODE:
        fill = mode_value;
        break;
    case LC_MISS_FILL_MEAN:
        fill = mean_text;
        break;
    case LC_MISS_FILL_FALSE:
        fill = "false";
        break;
    case LC_MISS_FILL_TRUE:
        fill = "true";
        break;
    case LC_MISS_BFILL:
        for (size_t i = c->n; i-- > 0;)
            if (is_blank(c->v[i]) && i + 1 < c->n)
                c->v[i] = c->v[i + 1];
        /* Ludwig fills what bfill leaves with ffill's value, then the fill value */
        for (size_t i = 1; i < c->n; i++)
            if (is_blank(c->v[i]))
                c->v[i] = c->v[i - 1];
        break;
    case LC_MISS_FFILL:
        for (size_t i = 1; i < c->n; i++)
            if (is_blank(c->v[i]))
                c->v[i] = c->v[i - 1];
        for (size_t i = c->n; i-- > 0;)
            if (is_blank(c->v[i]) && i + 1 < c->n)
                c->v[i] = c->v[i + 1];
        break;
    case LC_MISS_DROP_ROW:
        break;
    }
    if (fill)
        for (size_t i = 0; i < c->n; i++)
            if (is_blank(c->v[i]))
                c->v[i] = fill;
    for (size_t i = 0; i < c->n; i++)
        if (is_blank(c->v[i]) && f->missing != LC_MISS_FILL_CONST)
            return lc_error_set(e, LC_ERR_DATA, "%s: line %ld: column '%s' is empty and its missing_value_strategy could not fill it",
                                c->file, c->lines[i], f->column);
    return LC_OK;
}

/* The most frequent non-blank cell (ties: first seen), or NULL. */
static const char *mode_of(const cells *c)
{
    const char *best = NULL;
    size_t bestn = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (is_blank(c->v[i]))
            continue;
        size_t k = 0;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(c->v[j], c->v[i]) == 0;
        if (seen)
            continue;
        for (size_t j = i; j < c->n; j++)
            k += strcmp(c->v[j], c->v[i]) == 0;
        if (k > bestn) {
            bestn = k;
            best = c->v[i];
        }
    }
    return best;
}

/* ------------------------------------------------------------------------------------------ */
/* number */

static int parse_number(const char *s, double *out)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s)
        return -1;
    while (*end && isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

static lc_status number_column(const lc_feature *f, cells *c, const cJSON *meta, lc_column *col,
                               lc_error *e)
{
    lc_status st;
    double sum = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < c->n; i++) {
        double v;
        if (!is_blank(c->v[i]) && parse_number(c->v[i], &v) == 0) {
            sum += v;
            cnt++;
        }
    }
    char mean_text[64];
    snprintf(mean_text, sizeof mean_text, "%.17g", cnt ? sum / (double)cnt : 0.0);
    if ((st = fill_missing(f, c, mode_of(c), mean_text, e)))
        return st;
    double *raw = malloc((c->n + 1) * sizeof *raw);
    col->values = malloc((c->n + 1) * sizeof *col->values);
    if (!raw || !col->values) {
        free(raw);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < c->n; i++) {
        const char *s = is_blank(c->v[i]) ? "0" : c->v[i];
        if (parse_number(s, &raw[i])) {
            lc_error_set(e, LC_ERR_DATA, "%s: line %ld: column '%s' of number feature '%s' holds '%s', which is not a number",
                         c->file, c->lines[i], f->column, f->name, c->v[i]);
            free(raw);
            return LC_ERR_DATA;
        }
    }
    if (meta) {
        col->mean = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(meta, "mean"));
        col->std = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(meta, "std"));
        col->min = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(meta, "min"));
        col->max = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(meta, "max"));
        col->meta = cJSON_Duplicate(meta, 1);
    } else {
        double s1 = 0, mn = INFINITY, mx = -INFINITY;
        for (size_t i = 0; i < c->n; i++) {
            s1 += raw[i];
            mn = raw[i] < mn ? raw[i] : mn;
            mx = raw[i] > mx ? raw[i] : mx;
        }
        double mean = c->n ? s1 / (double)c->n : 0, ss = 0;
        for (size_t i = 0; i < c->n; i++)
            ss += (raw[i] - mean) * (raw[i] - mean);
        col->mean = mean;
        col->std = c->n > 1 ? sqrt(ss / (double)(c->n - 1)) : 0;
        col->min = mn;
        col->max = mx;
        col->meta = cJSON_CreateObject();
        cJSON_AddItemToObject(col->meta, "max", lc_json_float(mx));
        cJSON_AddItemToObject(col->meta, "mean", lc_json_float(mean));
        cJSON_AddItemToObject(col->meta, "min", lc_json_float(mn));
        cJSON_AddItemToObject(col->meta, "std", lc_json_float(col->std));
    }
    if (f->normalization == LC_NUMNORM_ZSCORE && !(col->std > 0)) {
        free(raw);
        return lc_error_set(e, LC_ERR_DATA, "%s: column '%s' of number feature '%s' is constant (standard deviation 0): zscore normalization is undefined",
                            c->file, f->column, f->name);
    }
    for (size_t i = 0; i < c->n; i++) {
        double v = raw[i];
        switch (f->normalization) {
        case LC_NUMNORM_ZSCORE:
            v = (v - col->mean) / col->std;
            break;
        case LC_NUMNORM_MINMAX:
            v = col->max > col->min ? (v - col->min) / (col->max - col->min) : 0;
            break;
        case LC_NUMNORM_LOG1P:
            v = log1p(v);
            break;
        case LC_NUMNORM_IQ:
        case LC_NUMNORM_NONE:
            break;
        }
        col->values[i] = (float)v;
    }
    free(raw);
    return LC_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* binary */

static int str_ieq(const char *a, const char *b)
{
    while (*a && *b && tolower((unsigned char)*a) == tolower((unsigned char)*b))
        a++, b++;
    return *a == *b;
}

/* Ludwig's str2bool: -1 when s is neither a true nor a false string. */
static int str2bool(const char *s)
{
    static const char *const t[] = {"yes", "y", "true", "t", "1", "1.0"};
    static const char *const fl[] = {"no", "n", "false", "f", "0", "0.0", "-1", "-1.0"};
    for (size_t i = 0; i < 6; i++)
        if (str_ieq(s, t[i]))
            return 1;
    for (size_t i = 0; i < 8; i++)
        if (str_ieq(s, fl[i]))
            return 0;
    return -1;
}

static lc_status binary_column(const lc_feature *f, cells *c, const cJSON *meta, lc_column *col,
                               lc_error *e)
{
    lc_status st = fill_missing(f, c, mode_of(c), NULL, e);
    if (st)
        return st;
    col->values = malloc((c->n + 1) * sizeof *col->values);
    if (!col->values)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    char *clean[2] = {NULL, NULL};
    int ndist = 0, conventional = 1;
    for (size_t i = 0; i < c->n; i++) {
        char *v = clean_label(c->v[i], 0);
        if (!v)
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        int k;
        for (k = 0; k < ndist; k++)
            if (strcmp(clean[k], v) == 0)
                break;
        if (k == ndist) {
            if (ndist == 2) {
                lc_error_set(e, LC_ERR_DATA, "%s: line %ld: binary feature '%s' has a third distinct value '%s' (after '%s' and '%s')",
                             c->file, c->lines[i], f->name, v, clean[0], clean[1]);
                free(v);
                free(clean[0]);
                free(clean[1]);
                return LC_ERR_DATA;
            }
            clean[ndist++] = v;
            conventional &= str2bool(v) >= 0;
        } else {
            free(v);
        }
    }
    /* the labels: Ludwig's bool2str for unconventional strings is [false, true] with the
     * fallback_true_label (or the first in sorted order) as true */
    const cJSON *b2s = meta ? cJSON_GetObjectItemCaseSensitive(meta, "bool2str") : NULL;
    if (cJSON_GetArraySize(b2s) == 2) {
        col->bool2str[0] = lc_strdup(cJSON_GetArrayItem(b2s, 0)->valuestring);
        col->bool2str[1] = lc_strdup(cJSON_GetArrayItem(b2s, 1)->valuestring);
        conventional = 0;
    } else if (!conventional) {
        int ti = 0;
        if (f->fallback_true_label)
            ti = ndist > 1 && strcmp(clean[1], f->fallback_true_label) == 0;
        else if (ndist > 1)
            ti = strcmp(clean[1], clean[0]) < 0;
        col->bool2str[1] = lc_strdup(clean[ti]);
        col->bool2str[0] = lc_strdup(ndist > 1 ? clean[1 - ti] : "");
    }
    for (size_t i = 0; i < c->n; i++) {
        int b;
        if (conventional || !col->bool2str[1]) {
            b = str2bool(c->v[i]);
        } else {
            char *v = clean_label(c->v[i], 0);
            b = v && strcmp(v, col->bool2str[1]) == 0;
            free(v);
        }
        col->values[i] = b > 0 ? 1.0f : 0.0f;
    }
    free(clean[0]);
    free(clean[1]);
    col->meta = meta ? cJSON_Duplicate(meta, 1) : cJSON_CreateObject();
    if (!meta && col->bool2str[1]) {
        cJSON *arr = cJSON_AddArrayToObject(col->meta, "bool2str");
        cJSON_AddItemToArray(arr, cJSON_CreateString(col->bool2str[0]));
        cJSON_AddItemToArray(arr, cJSON_CreateString(col->bool2str[1]));
        cJSON_AddStringToObject(col->meta, "fallback_true_label", col->bool2str[1]);
        cJSON *s2b = cJSON_AddObjectToObject(col->meta, "str2bool");
        cJSON_AddBoolToObject(s2b, col->bool2str[0], 0);
        cJSON_AddBoolToObject(s2b, col->bool2str[1], 1);
    }
    if (!col->bool2str[0]) {
        col->bool2str[0] = lc_strdup("False");
        col->bool2str[1] = lc_strdup("True");
    }
    return col->bool2str[0] && col->bool2str[1] && col->meta ? LC_OK
                                                             : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------------------------------------ */
/* category */

/* Vocabulary from metadata (idx2str, str2freq). */
static lc_status vocab_from_meta(const cJSON *m, const char *path, const char *feature,
                                 lc_column *col, lc_error *e)
{
    const cJSON *i2s = cJSON_GetObjectItemCaseSensitive(m, "idx2str");
    if (!cJSON_IsArray(i2s) || cJSON_GetArraySize(i2s) < 1) {
        lc_error_set(e, LC_ERR_DATA,
                     "%s: training set metadata has no vocabulary (idx2str) for feature '%s'",
                     path, feature);
        lc_error_hint(e, "--training_set_metadata must be the training_set_metadata.json of a run with the same features");
        return LC_ERR_DATA;
    }
    col->nclasses = cJSON_GetArraySize(i2s);
    col->idx2str = calloc((size_t)col->nclasses, sizeof *col->idx2str);
    col->freq = calloc((size_t)col->nclasses, sizeof *col->freq);
    if (!col->idx2str || !col->freq)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    const cJSON *s2f = cJSON_GetObjectItemCaseSensitive(m, "str2freq");
    int i = 0;
    for (const cJSON *v = i2s->child; v && i < col->nclasses; v = v->next, i++) {
        if (!cJSON_IsString(v))
            return lc_error_set(e, LC_ERR_DATA, "%s: %s.idx2str[%d] is not a string", path, feature, i);
        for (int k = 0; k < i; k++)
            if (strcmp(col->idx2str[k], v->valuestring) == 0)
                return lc_error_set(e, LC_ERR_DATA, "%s: %s.idx2str[%d] repeats the label '%s' of idx2str[%d]",
                                    path, feature, i, v->valuestring, k);
        col->idx2str[i] = lc_strdup(v->valuestring);
        if (!col->idx2str[i])
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        const cJSON *fr = s2f ? cJSON_GetObjectItemCaseSensitive(s2f, v->valuestring) : NULL;
        /* only used to pick the most frequent class; anything unusable counts as 0 */
        col->freq[i] = cJSON_IsNumber(fr) && fr->valuedouble >= 0 && fr->valuedouble < 9e18
                           ? (int64_t)fr->valuedouble
                           : 0;
    }
    return LC_OK;
}

static lc_status category_column(const lc_feature *f, cells *c, const cJSON *meta,
                                 const char *meta_path, int predict, lc_column *col, FILE *log,
                                 lc_error *e)
{
    lc_status st = LC_OK;
    if (!(predict && f->is_output) && (st = fill_missing(f, c, mode_of(c), NULL, e)))
        return st;
    char **labels = calloc(c->n + 1, sizeof *labels);
    vocab_entry *voc = NULL;
    size_t nvoc = 0;
    if (!labels)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < c->n; i++)
        if (!(labels[i] = clean_label(c->v[i], f->lowercase))) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
    if (meta) {
        if ((st = vocab_from_meta(meta, meta_path, f->name, col, e)))
            goto done;
        if (f->is_output && col->nclasses < 2) {
            st = lc_error_set(e, LC_ERR_DATA, "%s: training set metadata for output feature '%s' has fewer than two labels",
                              meta_path, f->name);
            goto done;
        }
    } else {
        /* by frequency over the whole column, most frequent first, ties in order of first
         * appearance; <UNK> only when there are more distinct values than most_common */
        voc = calloc(c->n + 1, sizeof *voc);
        if (!voc) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < c->n; i++) {
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
        int unk = (long)nvoc > f->most_common;
        size_t keep = unk ? (size_t)f->most_common : nvoc;
        col->nclasses = (int)keep + unk;
        col->idx2str = calloc((size_t)col->nclasses + 1, sizeof *col->idx2str);
        col->freq = calloc((size_t)col->nclasses + 1, sizeof *col->freq);
        if (!col->idx2str || !col->freq) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        if (unk)
            col->idx2str[0] = lc_strdup("<UNK>");
        for (size_t k = 0; k < keep; k++) {
            col->idx2str[k + unk] = lc_strdup(voc[k].s);
            col->freq[k + unk] = voc[k].count;
        }
        for (int k = 0; k < col->nclasses; k++)
            if (!col->idx2str[k]) {
                st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
                goto done;
            }
        if (f->is_output && col->nclasses < 2) {
            st = lc_error_set(e, LC_ERR_DATA,
                              "%s: column '%s' has a single class ('%s'); a category output needs at least two",
                              c->file, f->column, col->idx2str[0]);
            goto done;
        }
    }
    col->labels = malloc((c->n + 1) * sizeof *col->labels);
    col->values = malloc((c->n + 1) * sizeof *col->values);
    if (!col->labels || !col->values) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    int unk_idx = lc_column_label_index(col, "<UNK>");
    int most_freq = 0;
    for (int k = 1; k < col->nclasses; k++)
        if (col->freq[k] > col->freq[most_freq])
            most_freq = k;
    size_t unseen = 0;
    const char *first_unseen = NULL;
    for (size_t i = 0; i < c->n; i++) {
        int li = lc_column_label_index(col, labels[i]);
        if (li < 0 && predict && f->is_output) {
            li = 0;
        } else if (li < 0) {
            /* Ludwig maps an unknown label to <UNK>, or to the most frequent class */
            li = unk_idx >= 0 ? unk_idx : most_freq;
            if (!unseen++)
                first_unseen = c->v[i];
        }
        col->labels[i] = li;
        col->values[i] = (float)li;
    }
    if (unseen && log)
        fprintf(log, "ludwig-c: warning: %zu row(s) have labels not in the training set metadata (first: '%s'); they count as '%s', as Ludwig does (feature '%s')\n",
                unseen, first_unseen, col->idx2str[unk_idx >= 0 ? unk_idx : most_freq], f->name);
    /* metadata as Ludwig writes it */
    col->meta = cJSON_CreateObject();
    cJSON *i2s = cJSON_AddArrayToObject(col->meta, "idx2str");
    cJSON *s2i = cJSON_CreateObject(), *s2f = cJSON_CreateObject();
    for (int k = 0; k < col->nclasses; k++) {
        cJSON_AddItemToArray(i2s, cJSON_CreateString(col->idx2str[k]));
        cJSON_AddItemToObject(s2i, col->idx2str[k], lc_json_int(k));
        cJSON_AddItemToObject(s2f, col->idx2str[k], lc_json_int(col->freq[k]));
    }
    cJSON_AddItemToObject(col->meta, "preprocessing",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f->json, "preprocessing"), 1));
    cJSON_AddItemToObject(col->meta, "str2freq", s2f);
    cJSON_AddItemToObject(col->meta, "str2idx", s2i);
    cJSON_AddItemToObject(col->meta, "vocab_size", lc_json_int(col->nclasses));
done:
    free(voc);
    for (size_t i = 0; i < c->n; i++)
        free(labels[i]);
    free(labels);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* image */

/* The image size an earlier run recorded (0 when absent). */
static lc_status image_dims_from_meta(const cJSON *meta, const char *path, const char *feature,
                                      int *h, int *w, int *c, lc_error *e)
{
    *h = *w = *c = 0;
    const cJSON *pre = meta ? cJSON_GetObjectItemCaseSensitive(meta, "preprocessing") : NULL;
    const cJSON *hh = pre ? cJSON_GetObjectItemCaseSensitive(pre, "height") : NULL;
    const cJSON *ww = pre ? cJSON_GetObjectItemCaseSensitive(pre, "width") : NULL;
    const cJSON *cc = pre ? cJSON_GetObjectItemCaseSensitive(pre, "num_channels") : NULL;
    if ((hh && !cJSON_IsNull(hh)) || (ww && !cJSON_IsNull(ww)) || (cc && !cJSON_IsNull(cc))) {
        *h = meta_int(hh, 1, LC_IMAGE_SIDE_MAX);
        *w = meta_int(ww, 1, LC_IMAGE_SIDE_MAX);
        *c = meta_int(cc, 1, 4);
        if (*h < 0 || *w < 0 || *c < 0)
            return lc_error_set(e, LC_ERR_DATA,
                                "%s: %s.preprocessing needs whole numbers height and width in 1..%d and num_channels in 1..4",
                                path, feature, LC_IMAGE_SIDE_MAX);
    }
    return LC_OK;
}

lc_status lc_dataset_read_metadata(const char *path, const char *feature, const char *img_feature,
                                   lc_column *col, int *h, int *w, int *c, lc_error *e)
{
    *h = *w = *c = 0;
    cJSON *m = lc_json_read_file(path, e);
    if (!m)
        return e ? e->status : LC_ERR_DATA;
    lc_status st = vocab_from_meta(cJSON_GetObjectItemCaseSensitive(m, feature), path, feature,
                                   col, e);
    if (!st && col->nclasses < 2)
        st = lc_error_set(e, LC_ERR_DATA, "%s: training set metadata for output feature '%s' has fewer than two labels",
                          path, feature);
    if (!st)
        st = image_dims_from_meta(cJSON_GetObjectItemCaseSensitive(m, img_feature), path,
                                  img_feature, h, w, c, e);
    cJSON_Delete(m);
    return st;
}

void lc_column_free(lc_column *c)
{
    column_free(c);
    memset(c, 0, sizeof *c);
}

static lc_status image_column(const lc_feature *f, cells *c, const cJSON *meta,
                              const char *meta_path, const lc_dataset_opts *o, const char *src_path,
                              lc_pool *pool, lc_column *col, lc_error *e)
{
    lc_status st;
    lc_image_source *src = NULL;
    /* blank paths are filled from the next row (bfill, Ludwig's default), or the previous */
    for (size_t i = c->n; i-- > 0;) {
        if (!is_blank(c->v[i]))
            continue;
        int back = f->missing == LC_MISS_BFILL;
        if (back && i + 1 < c->n && !is_blank(c->v[i + 1]))
            c->v[i] = c->v[i + 1];
        else if (!back && i > 0 && !is_blank(c->v[i - 1]))
            c->v[i] = c->v[i - 1];
    }
    for (size_t i = 0; i < c->n; i++)
        if (is_blank(c->v[i]) && f->missing == LC_MISS_FFILL && i > 0)
            c->v[i] = c->v[i - 1];
    for (size_t i = 0; i < c->n; i++)
        if (is_blank(c->v[i]))
            return lc_error_set(e, LC_ERR_DATA,
                                "%s: line %ld: column '%s' is empty and no %s row has an image to fill it from",
                                c->file, c->lines[i], f->column,
                                f->missing == LC_MISS_FFILL ? "earlier" : "later");
    int mh = 0, mw = 0, mc = 0;
    if ((st = image_dims_from_meta(meta, meta_path, f->name, &mh, &mw, &mc, e)))
        return st;
    if (o->raw_data) {
        st = lc_image_source_open_zip(o->raw_data, &src, e);
    } else {
        char *tmp = lc_strdup(src_path);
        if (!tmp)
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        st = lc_image_source_open_dir(dirname(tmp), &src, e);
        free(tmp);
    }
    if (st)
        return st;
    int H = f->img_height, W = f->img_width, C = f->img_channels;
    if (mh && !H) {
        H = mh;
        W = mw;
    }
    if (mc && !C)
        C = mc;
    if (!H || !C) {
        size_t ns = c->n < (size_t)f->infer_sample ? c->n : (size_t)f->infer_sample;
        lc_image_dims *dims = calloc(ns + 1, sizeof *dims);
        if (!dims) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        st = lc_image_sniff(src, c->v, c->lines, ns, dims, e);
        if (st)
            lc_error_prefix(e, "%s ", c->file);
        if (!st) {
            int ah, aw, fc, modec;
            lc_image_dims_summary(dims, ns, &ah, &aw, &fc, &modec);
            if (!H) {
                H = ah < f->infer_max_h ? ah : f->infer_max_h;
                W = aw < f->infer_max_w ? aw : f->infer_max_w;
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
            goto done;
    }
    if (f->requires_equal_dims && H != W)
        H = W = H < W ? H : W;
    col->C = C;
    col->H = H;
    col->W = W;
    if (H < 1 || W < 1 || H > LC_IMAGE_SIDE_MAX || W > LC_IMAGE_SIDE_MAX ||
        (size_t)H * (size_t)W > LC_IMAGE_PIXELS_MAX) {
        st = lc_error_set(e, LC_ERR_CONFIG,
                          "%s: input feature '%s': preprocessing height x width is %dx%d; images are limited to %dx%d and %zu pixels",
                          o->config_path ? o->config_path : "config", f->name, H, W,
                          LC_IMAGE_SIDE_MAX, LC_IMAGE_SIDE_MAX, LC_IMAGE_PIXELS_MAX);
        goto done;
    }
    size_t per = (size_t)C * H * W;
    /* every image is held decoded: refuse up front what cannot fit, rather than be killed */
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double need = (double)c->n * (double)per, have = (double)pages * (double)page;
    if (pages > 0 && page > 0 && need > 0.8 * have) {
        st = lc_error_set(e, LC_ERR_NOMEM,
                          "%s: %zu images of %dx%dx%d need %.1f GiB decoded, more than this machine's memory (%.1f GiB)",
                          src_path, c->n, C, H, W, need / (1 << 30), have / (1 << 30));
        lc_error_hint(e, "lower the input feature's preprocessing height and width, or use fewer rows");
        goto done;
    }
    col->images = lc_alloc(c->n, per);
    if (!col->images) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory for %zu images of %dx%dx%d", c->n, C,
                          H, W);
        goto done;
    }
    lc_image_spec spec = {.height = H, .width = W, .channels = C,
                          .resize = f->crop_or_pad ? LC_RESIZE_CROP_OR_PAD
                                                   : LC_RESIZE_INTERPOLATE};
    if ((st = lc_image_load_batch(src, c->v, c->lines, c->n, &spec, pool, col->images, e))) {
        lc_error_prefix(e, "%s ", src_path);
        goto done;
    }
    /* metadata as Ludwig writes it */
    col->meta = cJSON_CreateObject();
    cJSON *pre = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f->json, "preprocessing"), 1);
    cJSON_ReplaceItemInObjectCaseSensitive(pre, "height", lc_json_int(H));
    cJSON_ReplaceItemInObjectCaseSensitive(pre, "width", lc_json_int(W));
    cJSON_ReplaceItemInObjectCaseSensitive(pre, "num_channels", lc_json_int(C));
    cJSON_ReplaceItemInObjectCaseSensitive(pre, "num_classes", lc_json_int(0));
    cJSON_AddItemToObject(pre, "channel_class_map", cJSON_CreateArray());
    cJSON_AddItemToObject(col->meta, "preprocessing", pre);
    cJSON *rs = cJSON_AddArrayToObject(col->meta, "reshape");
    cJSON_AddItemToArray(rs, lc_json_int(C));
    cJSON_AddItemToArray(rs, lc_json_int(H));
    cJSON_AddItemToArray(rs, lc_json_int(W));
done:
    lc_image_source_close(src);
    return st;
}

/* ------------------------------------------------------------------------------------------ */

static lc_status build_column(const lc_feature *f, cells *c, const cJSON *meta_root,
                              const lc_dataset_opts *o, const char *src_path, lc_pool *pool,
                              lc_column *col, lc_error *e)
{
    col->type = f->type;
    col->present = 1;
    const cJSON *meta = meta_root ? cJSON_GetObjectItemCaseSensitive(meta_root, f->name) : NULL;
    if (meta_root && !meta && f->type == LC_FT_CATEGORY) {
        lc_error_set(e, LC_ERR_DATA, "%s: training set metadata has no entry for feature '%s'",
                     o->metadata_path, f->name);
        lc_error_hint(e, "--training_set_metadata must be the training_set_metadata.json of a run with the same features");
        return LC_ERR_DATA;
    }
    switch (f->type) {
    case LC_FT_IMAGE:
        return image_column(f, c, meta, o->metadata_path, o, src_path, pool, col, e);
    case LC_FT_NUMBER:
        return number_column(f, c, meta, col, e);
    case LC_FT_BINARY:
        return binary_column(f, c, meta, col, e);
    case LC_FT_CATEGORY:
        return category_column(f, c, meta, o->metadata_path, o->mode == LC_DATASET_PREDICT, col,
                               o->log, e);
    }
    return lc_error_set(e, LC_ERR_INTERNAL, "unknown feature type");
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
    size_t nrows = 0;
    const int predict = o->mode == LC_DATASET_PREDICT;
    lc_status st = read_tables(o, tabs, d, e);
    if (st)
        goto fail;
    d->nin = cfg->nin;
    d->nout = cfg->nout;
    d->in = calloc((size_t)cfg->nin, sizeof *d->in);
    d->out = calloc((size_t)cfg->nout, sizeof *d->out);
    colidx = calloc(4 * (size_t)nf, sizeof *colidx);
    dropped = calloc((size_t)nf + 1, sizeof *dropped);
    size_t total = 0;
    for (int i = 0; i < 4; i++)
        total += tabs[i] ? lc_table_nrows(tabs[i]) : 0;
    rows = calloc(total + 1, sizeof *rows);
    if (!d->in || !d->out || !colidx || !dropped || !rows) {
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
    /* 2. rows, with their split; rows missing a drop_row feature are dropped */
    size_t dropped_split = 0;
    for (int t = 0; t < 4; t++) {
        const lc_table *tb = tabs[t];
        if (!tb)
            continue;
        int cs = -1;
        if (t == 0 && cfg->split == LC_SPLIT_FIXED &&
            (st = need_col(tb, cfg->split_column, "preprocessing.split.column", &cs, e)))
            goto fail;
        for (size_t r = 0; r < lc_table_nrows(tb); r++) {
            int drop = -1;
            for (int k = 0; k < nf && drop < 0; k++) {
                const lc_feature *f = k < cfg->nin ? &cfg->in[k] : &cfg->out[k - cfg->nin];
                int ci = colidx[t * nf + k];
                if (ci < 0 || (f->is_output && predict))
                    continue;
                if (f->missing == LC_MISS_DROP_ROW && is_blank(lc_table_cell(tb, r, ci)))
                    drop = k;
            }
            if (drop >= 0) {
                dropped[drop]++;
                continue;
            }
            int sp = t == 0 ? -1 : t - 1;
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
                if (v < 0 || v > 2) {
                    dropped_split++;
                    continue;
                }
                sp = (int)v;
            }
            rows[nrows].t = tb;
            rows[nrows].tab = t;
            rows[nrows].row = r;
            rows[nrows].split = sp;
            nrows++;
        }
    }
    for (int k = 0; k < nf && o->log; k++) {
        const lc_feature *f = k < cfg->nin ? &cfg->in[k] : &cfg->out[k - cfg->nin];
        if (dropped[k])
            fprintf(o->log, "ludwig-c: note: dropped %zu row(s) with an empty '%s' (missing_value_strategy drop_row)\n",
                    dropped[k], f->column);
    }
    if (o->log && dropped_split)
        fprintf(o->log, "ludwig-c: note: dropped %zu row(s) whose split value is not 0, 1 or 2 (as Ludwig does)\n",
                dropped_split);
    if (nrows == 0) {
        st = lc_error_set(e, LC_ERR_DATA, "%s: the dataset has no rows left after dropping rows with missing values",
                          lc_table_name(tabs[o->dataset ? 0 : 1]));
        goto fail;
    }
    /* 3. random and stratified splits (fixed splits were assigned above): shuffle with the seed,
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
    /* 4. per-row bookkeeping */
    d->n = nrows;
    d->split = malloc(nrows * sizeof *d->split);
    d->line = malloc(nrows * sizeof *d->line);
    cellv = malloc(nrows * sizeof *cellv);
    lines = malloc(nrows * sizeof *lines);
    if (!d->split || !d->line || !cellv || !lines) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nrows; i++) {
        lines[i] = d->line[i] = lc_table_row_line(rows[i].t, rows[i].row);
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
    /* 5. each feature's column, in config order (outputs first: a bad label is cheaper to
     *    report than after decoding every image) */
    if (o->metadata_path && !(meta_root = lc_json_read_file(o->metadata_path, e))) {
        st = e ? e->status : LC_ERR_DATA;
        goto fail;
    }
    for (int kk = 0; kk < nf; kk++) {
        int k = kk < cfg->nout ? cfg->nin + kk : kk - cfg->nout;
        const lc_feature *f = k < cfg->nin ? &cfg->in[k] : &cfg->out[k - cfg->nin];
        lc_column *col = k < cfg->nin ? &d->in[k] : &d->out[k - cfg->nin];
        if (f->is_output && !col->present) {
            col->type = f->type;
            /* predict without the output column: metadata still gives the vocabulary */
            const cJSON *meta = meta_root ? cJSON_GetObjectItemCaseSensitive(meta_root, f->name) : NULL;
            if (meta && f->type == LC_FT_CATEGORY &&
                (st = vocab_from_meta(meta, o->metadata_path, f->name, col, e)))
                goto fail;
            if (meta && f->type == LC_FT_BINARY) {
                cells none = {.v = cellv, .lines = lines, .n = 0, .file = d->src};
                if ((st = binary_column(f, &none, meta, col, e)))
                    goto fail;
            }
            if (meta && f->type == LC_FT_NUMBER) {
                col->mean = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(meta, "mean"));
                col->std = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(meta, "std"));
                col->min = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(meta, "min"));
                col->max = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(meta, "max"));
            }
            if (meta && !col->meta)
                col->meta = cJSON_Duplicate(meta, 1);
            continue;
        }
        for (size_t i = 0; i < nrows; i++) {
            int ci = colidx[rows[i].tab * nf + k];
            cellv[i] = ci >= 0 ? lc_table_cell(rows[i].t, rows[i].row, ci) : "";
        }
        cells c = {.v = cellv, .lines = lines, .n = nrows,
                   .file = lc_table_name(tabs[o->dataset ? 0 : 1]), .split = d->split};
        if ((st = build_column(f, &c, meta_root, o, d->src, pool, col, e)))
            goto fail;
    }
    *out = d;
    d = NULL;
fail:
    cJSON_Delete(meta_root);
    free(cellv);
    free(lines);
    free(colidx);
    free(dropped);
    free(rows);
    for (int i = 0; i < 4; i++)
        lc_table_free(tabs[i]);
    lc_dataset_free(d);
    return st;
}
