/* category.c - the category feature type: Ludwig 0.10.3's preprocessing of a category column
 * (the vocabulary in value_counts() order with <UNK>, most_common, lowercase, the str2idx /
 * idx2str / str2freq metadata), fitted or applied from a stored entry (lc_prep_tab.h). */
#include "prep_int.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lc_json.h"
#include "lc_mem.h"
#include "lc_calib.h"
#include "lc_ftypes.h"
#include "lc_layers.h"
#include "lc_losses.h"
#include "lc_metrics.h"
#include "lc_table.h"

void lc_prep_category_defaults(lc_prep_category_opts *o, int is_input)
{
    o->missing = is_input ? LC_MISS_FILL_CONST : LC_MISS_DROP_ROW;
    o->fill_value = "<UNK>";
    o->most_common = 10000;
    o->is_input = is_input;
    o->classes = !is_input;
}

void lc_prep_category_free(lc_prep_category *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_idx2str; i++)
        free(c->idx2str ? c->idx2str[i] : NULL);
    free(c->idx2str);
    free(c->freq);
    free(c->keys); /* the key strings are idx2str's */
    free(c->key_idx);
    lc_free(c->values);
    lc_free(c->keep);
    cJSON_Delete(c->meta);
    memset(c, 0, sizeof *c);
}

/* Position of s[0..len) in c->keys, or n_keys when absent. */
static size_t find_pos(const lc_prep_category *c, const char *s, size_t len)
{
    size_t lo = 0, hi = c->n_keys;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int k = strncmp(c->keys[mid], s, len);
        if (k == 0)
            k = c->keys[mid][len] != '\0';
        if (k == 0)
            return mid;
        if (k < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return c->n_keys;
}

static int find_key(const lc_prep_category *c, const char *s, size_t len)
{
    size_t p = find_pos(c, s, len);
    return p < c->n_keys ? c->key_idx[p] : -1;
}

int lc_prep_category_index(const lc_prep_category *c, const char *cell)
{
    size_t a, n;
    lc_tab_py_strip(cell, &a, &n);
    int k = find_key(c, cell + a, n);
    return k >= 0 ? k : c->fallback_idx;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* str2idx, str2freq, vocab_size and the fallback index from idx2str (duplicates: last index wins,
 * as a dict comprehension over the list). */
static lc_status category_index(lc_prep_category *c)
{
    size_t n = c->n_idx2str;
    char **k = lc_realloc_array(NULL, n ? n : 1, sizeof *k);
    int *ki = lc_realloc_array(NULL, n ? n : 1, sizeof *ki);
    if (!k || !ki) {
        free(k), free(ki);
        return LC_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        k[i] = c->idx2str[i];
    qsort(k, n, sizeof *k, cmp_key);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || strcmp(k[i], k[m - 1]) != 0)
            k[m++] = k[i];
    c->keys = k;
    c->key_idx = ki;
    c->n_keys = m;
    for (size_t i = 0; i < n; i++) /* later entries overwrite earlier ones */
        ki[(size_t)((char **)bsearch(&c->idx2str[i], k, m, sizeof *k, cmp_key) - k)] = (int)i;
    c->vocab_size = m;
    int unk = find_key(c, "<UNK>", 5);
    if (unk >= 0) {
        c->fallback_idx = unk;
    } else {
        /* max(str2freq, key=str2freq.get): the first key (in idx2str order) with the top count */
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (c->freq[i] > c->freq[best])
                best = i;
        c->fallback_idx = n ? find_key(c, c->idx2str[best], strlen(c->idx2str[best])) : 0;
    }
    return LC_OK;
}

static lc_status category_meta(lc_prep_category *c)
{
    cJSON *m = cJSON_CreateObject();
    cJSON *i2s = cJSON_AddArrayToObject(m, "idx2str");
    cJSON *s2i = cJSON_AddObjectToObject(m, "str2idx");
    cJSON *s2f = cJSON_AddObjectToObject(m, "str2freq");
    unsigned char *seen = calloc(c->n_keys ? c->n_keys : 1, 1); /* (n_keys) key written */
    int ok = m && i2s && s2i && s2f && seen;
    for (size_t i = 0; ok && i < c->n_idx2str; i++)
        ok = cJSON_AddItemToArray(i2s, cJSON_CreateString(c->idx2str[i]));
    /* keys in first-insertion order, each with its final value */
    for (size_t i = 0; ok && i < c->n_idx2str; i++) {
        const char *s = c->idx2str[i];
        size_t p = find_pos(c, s, strlen(s));
        if (seen[p])
            continue;
        seen[p] = 1;
        ok = cJSON_AddItemToObject(s2i, s, lc_json_int(c->key_idx[p])) &&
             cJSON_AddItemToObject(s2f, s, lc_json_int(c->freq[i]));
    }
    free(seen);
    ok = ok && cJSON_AddItemToObject(m, "vocab_size", lc_json_int((long long)c->vocab_size));
    if (!ok) {
        cJSON_Delete(m);
        return LC_ERR_NOMEM;
    }
    c->meta = m;
    return LC_OK;
}

lc_status lc_prep_category_run(const lc_prep_column *col, const lc_prep_category_opts *o, cJSON *preproc,
                               lc_prep_category *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    raw_col r;
    fill f = {0};
    char *buf = NULL;
    const char **stripped = NULL;
    dist *d = NULL;
    size_t nd = 0;
    lc_status st = LC_OK;
    if (lc_tab_raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    switch (o->missing) {
    case LC_MISS_FILL_CONST:
        f.kind = CELL_STR;
        f.s = o->fill_value ? o->fill_value : "<UNK>";
        break;
    case LC_MISS_FILL_MODE: st = lc_tab_raw_mode(col, &r, "category", &f, e); break;
    case LC_MISS_BFILL:
    case LC_MISS_FFILL:
    case LC_MISS_DROP_ROW: break;
    case LC_MISS_FILL_MEAN:
    case LC_MISS_FILL_FALSE:
    case LC_MISS_FILL_TRUE:
        st = lc_error_set(e, LC_ERR_CONFIG, "category feature '%s': missing value strategy %s is not available for category features",
                          col->name, lc_missing_name(o->missing));
        break;
    }
    if (st)
        goto done;
    if (o->most_common < 0) {
        st = lc_error_set(e, LC_ERR_CONFIG, "category feature '%s': preprocessing.most_common must be positive", col->name);
        goto done;
    }
    lc_tab_raw_fill(&r, o->missing, &f);

    /* astype(str) (a NaN left by bfill/ffill becomes "nan"), then str.strip() */
    size_t total = 1, n1 = col->n ? col->n : 1;
    for (size_t i = 0; i < r.n; i++)
        if (r.st[i] != CELL_DROP && lc_size_add(total, (r.st[i] == CELL_STR ? strlen(r.s[i]) : 3) + 1, &total)) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
    buf = malloc(total);
    stripped = lc_realloc_array(NULL, n1, sizeof *stripped);
    out->values = lc_alloc(n1, sizeof *out->values);
    out->keep = lc_alloc(n1, sizeof *out->keep);
    if (!buf || !stripped || !out->values || !out->keep) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t used = 0;
    for (size_t i = 0; i < r.n; i++) {
        stripped[i] = NULL;
        if (r.st[i] == CELL_DROP)
            continue;
        const char *s = r.st[i] == CELL_STR ? r.s[i] : "nan";
        size_t a, len;
        lc_tab_py_strip(s, &a, &len);
        memcpy(buf + used, s + a, len);
        buf[used + len] = '\0';
        stripped[i] = buf + used;
        used += len + 1;
    }
    if (lc_tab_distinct(stripped, r.n, 1, &d, &nd)) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }

    /* the vocabulary: value_counts order; <UNK> first only when most_common cuts it */
    size_t keep_n = (size_t)o->most_common < nd ? (size_t)o->most_common : nd;
    int unk = (size_t)o->most_common < nd;
    /* a literal "<UNK>" among the values kept: Ludwig lists it twice ([<UNK>] + the top values)
     * and its str2idx keeps the second. An input's embedding just has a row never used, as
     * Ludwig's; an output's classes would hold one name twice (and Ludwig's own targets run past
     * its vocab_size classes), so there it is the added <UNK> itself: the classes are str2idx's
     * keys, vocab_size of them, as in Ludwig. */
    size_t data_unk = nd;
    for (size_t k = 0; unk && k < nd; k++)
        if (strcmp(stripped[d[k].first], "<UNK>") == 0)
            data_unk = k;
    int merge = (o->classes || !o->is_input) && data_unk < keep_n;
    out->n_idx2str = keep_n + (size_t)unk - (size_t)merge;
    out->idx2str = calloc(out->n_idx2str ? out->n_idx2str : 1, sizeof *out->idx2str);
    out->freq = calloc(out->n_idx2str ? out->n_idx2str : 1, sizeof *out->freq);
    if (!out->idx2str || !out->freq) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0, k = 0; i < out->n_idx2str; i++) {
        /* str2freq.get(s, 0): a data value's own count; "<UNK>" counts only if the data holds it */
        if (unk && i == 0) {
            out->idx2str[i] = lc_strdup("<UNK>");
            out->freq[i] = data_unk < nd ? (long long)d[data_unk].count : 0;
        } else {
            if (merge && k == data_unk)
                k++;
            out->idx2str[i] = lc_strdup(stripped[d[k].first]);
            out->freq[i] = (long long)d[k].count;
            k++;
        }
        if (!out->idx2str[i]) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
    }
    if (category_index(out) || category_meta(out)) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (!o->is_input && out->vocab_size <= 1) {
        st = lc_error_set(e, LC_ERR_DATA,
                          "Column \"%s\" as category feature: at least 2 distinct values are required for category output features, but column only contains [%s%s%s]",
                          col->name, out->n_idx2str ? "'" : "", out->n_idx2str ? out->idx2str[0] : "",
                          out->n_idx2str ? "'" : "");
        goto done;
    }
    for (size_t i = 0; i < r.n; i++) {
        if (!stripped[i])
            continue;
        out->values[i] = lc_prep_category_index(out, stripped[i]);
        out->keep[i] = 1;
        out->n_kept++;
    }
    if ((st = lc_tab_record_string_fill(preproc, &f, e)))
        goto done;
done:
    free(d);
    free(buf);
    free(stripped);
    lc_tab_raw_free(&r);
    if (st)
        lc_prep_category_free(out);
    return st;
}

/* obj's members sorted by (key, position), to find a key as cJSON_GetObjectItemCaseSensitive
 * does (the first member of that name) in O(log n) instead of O(n). */
typedef struct sorted_members {
    sort_item *it;      /* (n) key and position */
    const cJSON **item; /* (n) by position */
    size_t n;
} sorted_members;

static int members_sort(const cJSON *obj, sorted_members *m)
{
    memset(m, 0, sizeof *m);
    for (const cJSON *v = obj ? obj->child : NULL; v; v = v->next)
        m->n++;
    m->it = lc_realloc_array(NULL, m->n ? m->n : 1, sizeof *m->it);
    m->item = lc_realloc_array(NULL, m->n ? m->n : 1, sizeof *m->item);
    if (!m->it || !m->item)
        return -1;
    size_t k = 0;
    for (const cJSON *v = obj ? obj->child : NULL; v; v = v->next, k++) {
        m->it[k] = (sort_item){v->string ? v->string : "", k};
        m->item[k] = v;
    }
    qsort(m->it, m->n, sizeof *m->it, lc_tab_cmp_sort_item);
    return 0;
}

static const cJSON *members_get(const sorted_members *m, const char *key)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) { /* the first entry not below key */
        size_t mid = (lo + hi) / 2;
        if (strcmp(m->it[mid].s, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n && strcmp(m->it[lo].s, key) == 0 ? m->item[m->it[lo].i] : NULL;
}

static void members_free(sorted_members *m)
{
    free(m->it);
    free(m->item);
}

lc_status lc_prep_category_from_meta(const cJSON *meta, const char *name, lc_prep_category *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    const cJSON *i2s = meta ? cJSON_GetObjectItemCaseSensitive(meta, "idx2str") : NULL;
    if (!cJSON_IsArray(i2s) || cJSON_GetArraySize(i2s) < 1)
        return lc_error_set(e, LC_ERR_DATA, "training set metadata has no vocabulary (idx2str) for feature '%s'", name);
    size_t n = (size_t)cJSON_GetArraySize(i2s);
    sort_item *it = lc_realloc_array(NULL, n, sizeof *it);
    out->idx2str = calloc(n, sizeof *out->idx2str);
    out->freq = calloc(n, sizeof *out->freq);
    out->n_idx2str = n;
    lc_status st = LC_OK;
    sorted_members s2f;
    if (members_sort(cJSON_GetObjectItemCaseSensitive(meta, "str2freq"), &s2f) || !it || !out->idx2str ||
        !out->freq) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t i = 0;
    for (const cJSON *v = i2s->child; v && i < n; v = v->next, i++) {
        if (!cJSON_IsString(v)) {
            st = lc_error_set(e, LC_ERR_DATA, "%s.idx2str[%zu] is not a string", name, i);
            goto done;
        }
        if (!(out->idx2str[i] = lc_strdup(v->valuestring))) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        it[i] = (sort_item){out->idx2str[i], i};
        const cJSON *fr = members_get(&s2f, v->valuestring);
        /* only used to pick the most frequent class; anything unusable counts as 0 */
        out->freq[i] = cJSON_IsNumber(fr) && fr->valuedouble >= 0 && fr->valuedouble < 9e18 ? (long long)fr->valuedouble : 0;
    }
    /* a label listed twice: name the first index that repeats an earlier one */
    qsort(it, n, sizeof *it, lc_tab_cmp_sort_item);
    size_t rep = n, orig = 0;
    for (size_t k = 1; k < n; k++) {
        /* Ludwig itself lists "<UNK>" twice when most_common cuts the vocabulary and the data holds it */
        int second = strcmp(it[k].s, it[k - 1].s) == 0 && (k == 1 || strcmp(it[k - 1].s, it[k - 2].s) != 0) &&
                     strcmp(it[k].s, "<UNK>") != 0;
        if (second && it[k].i < rep) {
            rep = it[k].i;
            orig = it[k - 1].i;
        }
    }
    if (rep < n) {
        st = lc_error_set(e, LC_ERR_DATA, "%s.idx2str[%zu] repeats the label '%s' of idx2str[%zu]", name, rep,
                          out->idx2str[rep], orig);
        goto done;
    }
    if (category_index(out))
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
done:
    members_free(&s2f);
    free(it);
    if (st)
        lc_prep_category_free(out);
    return st;
}

lc_status lc_prep_category_apply(const lc_prep_column *col, const lc_prep_category_opts *o, const cJSON *meta,
                                 lc_prep_category *out, lc_error *e)
{
    raw_col r;
    fill f = {0}, fc = {.kind = CELL_STR, .s = o->fill_value ? o->fill_value : "<UNK>"};
    lc_status st = lc_prep_category_from_meta(meta, col->name, out, e);
    if (st)
        return st;
    /* Ludwig's vocabulary is at most the most_common values and <UNK>: a longer list was not
     * made for this config (50,000 listed labels drove a run to the OOM killer) */
    if (o->most_common >= 0 && out->n_idx2str > (size_t)o->most_common + 1) {
        st = lc_error_set(e, LC_ERR_DATA,
                          "training set metadata: category feature '%s' lists %zu classes, more than preprocessing.most_common (%ld) + 1 allows; Ludwig writes at most that many, so the metadata was not made for this config",
                          col->name, out->n_idx2str, o->most_common);
        lc_prep_category_free(out);
        return st;
    }
    if (lc_tab_raw_init(&r, col)) {
        lc_prep_category_free(out);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    if (o->missing == LC_MISS_FILL_MEAN || o->missing == LC_MISS_FILL_FALSE || o->missing == LC_MISS_FILL_TRUE) {
        st = lc_error_set(e, LC_ERR_CONFIG, "category feature '%s': missing value strategy %s is not available for category features",
                          col->name, lc_missing_name(o->missing));
        goto done;
    }
    if ((st = lc_tab_stored_fill_for(meta, "computed_fill_value", o->missing, &fc, "category", col->name, &f, e)))
        goto done;
    if (f.kind == CELL_NUM) { /* a number stored as the fill: astype(str) would spell it as repr */
        st = lc_error_set(e, LC_ERR_DATA, "category feature '%s': the training set metadata's preprocessing.computed_fill_value is not a string",
                          col->name);
        goto done;
    }
    lc_tab_raw_fill(&r, o->missing, &f);
    size_t n1 = col->n ? col->n : 1;
    out->values = lc_alloc(n1, sizeof *out->values);
    out->keep = lc_alloc(n1, sizeof *out->keep);
    if (!out->values || !out->keep) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < r.n; i++) {
        if (r.st[i] == CELL_DROP)
            continue;
        const char *s = r.st[i] == CELL_STR ? r.s[i] : "nan";
        size_t a, len;
        lc_tab_py_strip(s, &a, &len);
        int k = find_key(out, s + a, len);
        if (k < 0) {
            k = out->fallback_idx;
            if (out->n_unknown++ == 0) {
                out->unknown_row = i;
                out->unknown_line = lc_tab_line_of(col, i);
                char *t = lc_strndup(s + a, len);
                lc_tab_quote_text(out->unknown_text, sizeof out->unknown_text, t ? t : "");
                free(t);
            }
        }
        out->values[i] = k;
        out->keep[i] = 1;
        out->n_kept++;
    }
done:
    lc_tab_raw_free(&r);
    if (st)
        lc_prep_category_free(out);
    return st;
}

/* ------------------------------------------------------------------ the output head */

lc_status lc_category_class_weights(const lc_config *cfg, const lc_feature *f,
                                    const lc_column *col, float **out, lc_error *e)
{
    *out = NULL;
    if (!f->class_weights && !f->class_weights_map)
        return LC_OK;
    int C = col->nclasses;
    float *w = malloc((size_t)C * sizeof *w);
    if (!w)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    *out = w;
    if (f->class_weights) {
        if (f->nclass_weights != C)
            return lc_error_set(e, LC_ERR_CONFIG,
                                "%s: output feature '%s': loss.class_weights has %d weights but the feature has %d classes (%s%s)",
                                cfg->path, f->name, f->nclass_weights, C, col->idx2str[0],
                                C > 1 ? ", ..." : "");
        for (int k = 0; k < C; k++)
            w[k] = (float)f->class_weights[k];
        return LC_OK;
    }
    for (int k = 0; k < C; k++)
        w[k] = 1.0f;
    for (const cJSON *it = f->class_weights_map->child; it; it = it->next) {
        int k = lc_column_label_index(col, it->string);
        if (k < 0 || !cJSON_IsNumber(it))
            return lc_error_set(e, LC_ERR_CONFIG,
                                "%s: output feature '%s': loss.class_weights names '%s', which is not one of its classes",
                                cfg->path, f->name, it->string);
        w[k] = (float)it->valuedouble;
    }
    return LC_OK;
}

double lc_category_loss(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    lc_head *hd = &m->heads[o];
    const float *z = lc_model_head_out(m, o);
    if (h->class_weights)
        return lc_softmax_xent_weighted_forward(B, hd->K, z, hd->labels, h->class_weights,
                                                hd->probs, NULL);
    return lc_softmax_xent_forward(B, hd->K, z, hd->labels, hd->probs, NULL);
}

void lc_category_backward(const lc_head_ctx *h, lc_model *m, int o, int B)
{
    lc_head *hd = &m->heads[o];
    if (h->class_weights)
        lc_softmax_xent_weighted_backward(B, hd->K, hd->probs, hd->labels, h->class_weights,
                                          (float)h->f->loss_weight, hd->dlogits);
    else
        lc_softmax_xent_backward(B, hd->K, hd->probs, hd->labels, (float)(h->f->loss_weight / B),
                                 hd->dlogits);
}

void lc_category_rows(const lc_model *m, int o, int B, float *dst)
{
    const lc_head *hd = &m->heads[o];
    if (hd->temperature != 1.0f) /* calibrated: softmax(logits / T) */
        lc_calib_probs(B, hd->K, lc_model_head_out(m, o), hd->temperature, dst);
    else
        memcpy(dst, hd->probs, (size_t)B * hd->K * sizeof *dst);
}

cJSON *lc_category_metrics(const lc_head_ctx *h, size_t n, const float *rows,
                           const int32_t *labels, double loss)
{
    return lc_metrics_category(h->col->nclasses, (int64_t)n, labels, rows, loss, h->f->top_k);
}

lc_status lc_category_overall(const lc_head_ctx *h, size_t n, const float *rows,
                              const int32_t *labels, cJSON *feature_obj, lc_error *e)
{
    int C = h->col->nclasses;
    int32_t *preds = malloc((n + 1) * sizeof *preds);
    if (!preds)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const float *p = rows + i * (size_t)C;
        int best = 0;
        for (int k = 1; k < C; k++)
            if (p[k] > p[best])
                best = k;
        preds[i] = best;
    }
    lc_status st = lc_metrics_overall(C, (int64_t)n, labels, preds,
                                      (const char *const *)h->col->idx2str, feature_obj, e);
    free(preds);
    return st;
}

/* ------------------------------------------------------------------ prediction columns */

void lc_category_pred_header(FILE *f, const lc_feature *ft, const lc_column *c)
{
    lc_pred_column_name(f, 0, ft->name, "_probabilities", NULL);
    lc_pred_column_name(f, 0, ft->name, "_probability", NULL);
    for (int k = 0; k < c->nclasses; k++)
        lc_pred_column_name(f, 0, ft->name, "_probabilities_", c->idx2str[k]);
}

void lc_category_pred_cells(FILE *f, const lc_column *c, const float *p,
                            char (*num)[LC_JSON_REPR_MAX])
{
    int C = c->nclasses, best = 0;
    for (int k = 0; k < C; k++) {
        lc_json_float_repr(p[k], num[k], sizeof num[k]);
        if (p[k] > p[best])
            best = k;
    }
    lc_csv_field(f, c->idx2str[best]);
    fputs(",\"[", f);
    for (int k = 0; k < C; k++) {
        if (k)
            fputs(", ", f);
        fputs(num[k], f);
    }
    fputs("]\",", f);
    fputs(num[best], f);
    for (int k = 0; k < C; k++) {
        fputc(',', f);
        fputs(num[k], f);
    }
}
