/* text.c - the text feature type (inputs): Ludwig 0.10.3's preprocessing of a text column
 * (ludwig/features/text_feature.py, ludwig/utils/strings_utils.py; facts in
 * docs/ludwig-0.10.3-text.md): missing cells filled ("<UNK>" by default), each cell tokenized
 * (space_punct by default), the vocabulary built over all rows (<EOS>, <SOS>, <PAD>, <UNK> at
 * 0..3, then the most_common data tokens by count, ties in order of first appearance),
 * max_sequence_length = min(longest row + 2, max_sequence_length) (or sequence_length), each row
 * [<SOS>, ids..., <EOS>] padded with <PAD> (right, or left) and cut to that width, unknown tokens
 * <UNK>. Its metadata is Ludwig's entry (idx2str, str2idx, str2freq, str2idf, vocab_size,
 * max_sequence_length, max_sequence_length_99ptile, pad_idx, padding_symbol, unknown_symbol,
 * prompt_template_num_tokens). See lc_prep_tab.h. */
#include "prep_int.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lc_json.h"
#include "lc_mem.h"
#include "lc_rng.h"
#include "lc_strtab.h"

enum { SYM_EOS = 0, SYM_SOS, SYM_PAD, SYM_UNK, NSYM };

void lc_prep_text_defaults(lc_prep_text_opts *o)
{
    memset(o, 0, sizeof *o);
    o->missing = LC_MISS_FILL_CONST;
    o->fill_value = "<UNK>";
    o->tokenizer = LC_TOK_SPACE_PUNCT;
    o->most_common = 20000;
    o->max_sequence_length = 256;
    o->padding_symbol = "<PAD>";
    o->unknown_symbol = "<UNK>";
}


/* ---- tokenizers (ludwig/utils/tokenizers.py) ---- */

typedef int (*tok_fn)(void *ctx, const char *t, size_t len);

/* A character of a word for space_punct: str.isalnum() or '_'. Bytes >= 0x80 (UTF-8 sequences of
 * letters in the common case) count as word characters. */
static int word_char(unsigned char c) { return c >= 0x80 || isalnum(c) || c == '_'; }
static int space_char(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Calls fn on each token of s; returns the count, or -1 when fn failed. */
static long tokenize(lc_tokenizer tk, const char *s, tok_fn fn, void *ctx)
{
    long n = 0;
    size_t L = strlen(s);
    switch (tk) {
    case LC_TOK_SPACE_PUNCT:
        for (size_t i = 0; i < L;) {
            unsigned char c = (unsigned char)s[i];
            if (space_char(c)) {
                i++;
                continue;
            }
            size_t j = i + 1;
            if (word_char(c))
                while (j < L && word_char((unsigned char)s[j]))
                    j++;
            else if (c >= 0x80) /* not reached: non-ASCII bytes are word characters */
                j = i + 1;
            if (fn && fn(ctx, s + i, j - i))
                return -1;
            n++;
            i = j;
        }
        return n;
    case LC_TOK_CHARACTERS: /* one token per UTF-8 character, spaces included */
        for (size_t i = 0; i < L;) {
            size_t j = i + 1;
            while (j < L && ((unsigned char)s[j] & 0xc0) == 0x80)
                j++;
            if (fn && fn(ctx, s + i, j - i))
                return -1;
            n++;
            i = j;
        }
        return n;
    case LC_TOK_UNTOKENIZED:
        if (fn && fn(ctx, s, L))
            return -1;
        return 1;
    case LC_TOK_STRIPPED: {
        size_t a, len;
        lc_tab_py_strip(s, &a, &len);
        if (fn && fn(ctx, s + a, len))
            return -1;
        return 1;
    }
    case LC_TOK_NGRAM: { /* str.strip().split(" "): the non-empty pieces, then pairs */
        size_t a, len;
        lc_tab_py_strip(s, &a, &len);
        const char *p = s + a, *end = s + a + len;
        for (int pass = 0; pass < 2; pass++) {
            const char *prev = NULL;
            size_t prev_len = 0;
            for (const char *q = p; q <= end;) {
                const char *r = memchr(q, ' ', (size_t)(end - q));
                if (!r)
                    r = end;
                size_t plen = (size_t)(r - q);
                if (pass == 0 && plen > 0) {
                    if (fn && fn(ctx, q, plen))
                        return -1;
                    n++;
                } else if (pass == 1 && prev) { /* prev and q are neighbours in the string */
                    if (fn && fn(ctx, prev, prev_len + 1 + plen))
                        return -1;
                    n++;
                }
                prev = q;
                prev_len = plen;
                q = r + 1;
            }
        }
        return n;
    }
    default: { /* space, underscore, comma: strip, split on the character, drop empty tokens */
        char sep = tk == LC_TOK_UNDERSCORE ? '_' : tk == LC_TOK_COMMA ? ',' : ' ';
        size_t a, len;
        lc_tab_py_strip(s, &a, &len);
        const char *p = s + a, *end = s + a + len;
        while (p <= end) {
            const char *q = memchr(p, sep, (size_t)(end - p));
            if (!q)
                q = end;
            if (q > p) {
                if (fn && fn(ctx, p, (size_t)(q - p)))
                    return -1;
                n++;
            }
            p = q + 1;
        }
        return n;
    }
    }
}

/* ---- token counting: a hash table of distinct tokens in order of first appearance ---- */

typedef struct vocab_tab {
    char **tok;        /* (n) */
    long *count;       /* (n) */
    size_t n, cap;
    size_t *slot;      /* (nslot) index + 1, 0 empty */
    size_t nslot;
    uint64_t k0, k1;   /* the hash key, drawn with the first slots */
} vocab_tab;

/* keyed (lc_strtab.h), so tokens crafted to collide cannot make the counting quadratic */
static uint64_t hash_bytes(const vocab_tab *v, const char *s, size_t len)
{
    return lc_siphash(v->k0, v->k1, s, len, 1, 3);
}

static void vt_free(vocab_tab *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->tok[i]);
    free(v->tok);
    free(v->count);
    free(v->slot);
    memset(v, 0, sizeof *v);
}

/* index of token (s, len), or -1; with add, added when absent (-2: out of memory) */
static long vt_find(vocab_tab *v, const char *s, size_t len, int add)
{
    if (add && (v->n + 1) * 2 > v->nslot) {
        size_t ns = v->nslot ? v->nslot * 2 : 1024;
        size_t *sl = calloc(ns, sizeof *sl);
        if (!sl)
            return -2;
        if (!v->nslot)
            lc_hash_key(&v->k0, &v->k1);
        for (size_t i = 0; i < v->n; i++) {
            size_t h = (size_t)hash_bytes(v, v->tok[i], strlen(v->tok[i])) & (ns - 1);
            while (sl[h])
                h = (h + 1) & (ns - 1);
            sl[h] = i + 1;
        }
        free(v->slot);
        v->slot = sl;
        v->nslot = ns;
    }
    if (!v->nslot)
        return -1;
    size_t h = (size_t)hash_bytes(v, s, len) & (v->nslot - 1);
    while (v->slot[h]) {
        const char *t = v->tok[v->slot[h] - 1];
        if (strlen(t) == len && memcmp(t, s, len) == 0)
            return (long)(v->slot[h] - 1);
        h = (h + 1) & (v->nslot - 1);
    }
    if (!add)
        return -1;
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 256;
        char **t = lc_realloc_array(v->tok, cap, sizeof *t);
        if (!t)
            return -2;
        v->tok = t;
        long *c = lc_realloc_array(v->count, cap, sizeof *c);
        if (!c)
            return -2;
        v->count = c;
        v->cap = cap;
    }
    if (!(v->tok[v->n] = lc_strndup(s, len)))
        return -2;
    v->count[v->n] = 0;
    v->slot[h] = v->n + 1;
    return (long)v->n++;
}

typedef struct count_ctx {
    vocab_tab *v;
} count_ctx;

static int count_token(void *vctx, const char *t, size_t len)
{
    count_ctx *c = vctx;
    long k = vt_find(c->v, t, len, 1);
    if (k < 0)
        return -1;
    c->v->count[k]++;
    return 0;
}

/* the cell as the tokenizer sees it (lowercased when asked; ASCII letters only) */
static char *prepared(const char *s, int lower)
{
    char *d = lc_strdup(s);
    if (d && lower)
        for (char *p = d; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    return d;
}

typedef struct order_item {
    long count;
    size_t first; /* order of first appearance */
} order_item;

static int cmp_order(const void *a, const void *b)
{
    const order_item *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

/* pandas' Series.quantile(q) (linear interpolation) of n sorted values */
static double quantile_sorted(const long *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    double frac = pos - (double)lo;
    return (double)v[lo] + ((double)v[hi] - (double)v[lo]) * frac;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* ---- ids ---- */

typedef struct ids_ctx {
    const lc_prep_text *t;
    float *row;
    int width, k;
} ids_ctx;

static int put_id(void *vctx, const char *tok, size_t len)
{
    ids_ctx *c = vctx;
    if (c->k < c->width) {
        long id = vt_find(c->t->vocab, tok, len, 0);
        c->row[c->k] = (float)(id >= 0 ? id : c->t->unk_idx);
    }
    c->k++;
    return 0;
}

/* row i's ids: <SOS>, the tokens' ids, <EOS>, cut to width, padded (right or left) */
static int row_ids(const lc_prep_text *t, const lc_prep_text_opts *o, const char *cell,
                   float *dst, float *tmp)
{
    char *s = prepared(cell, o->lowercase);
    if (!s)
        return -1;
    int W = t->width;
    tmp[0] = (float)SYM_SOS;
    ids_ctx c = {t, tmp + 1, W - 1, 0};
    tokenize(o->tokenizer, s, put_id, &c);
    free(s);
    int len = 1 + (c.k < W - 1 ? c.k : W - 1);
    if (len < W)
        tmp[len++] = (float)SYM_EOS;
    for (int k = 0; k < W; k++)
        dst[k] = (float)t->pad_idx;
    memcpy(dst + (o->pad_left ? W - len : 0), tmp, (size_t)len * sizeof *dst);
    return 0;
}

static const char *cell_text(const raw_col *r, size_t i)
{
    return r->st[i] == CELL_STR ? r->s[i] : "nan";
}

static lc_status build_rows(const lc_prep_column *col, const lc_prep_text_opts *o,
                            const raw_col *r, lc_prep_text *out, lc_error *e)
{
    size_t n1 = col->n ? col->n : 1, cells;
    float *tmp = malloc(((size_t)out->width + 2) * sizeof *tmp);
    if (!tmp || lc_size_mul(n1, (size_t)out->width, &cells) ||
        !(out->values = lc_alloc(cells, sizeof *out->values)) ||
        !(out->keep = lc_alloc(n1, sizeof *out->keep))) {
        free(tmp);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for the text column '%s' (%zu rows of %d tokens)",
                            col->name, col->n, out->width);
    }
    for (size_t i = 0; i < r->n; i++) {
        if (r->st[i] == CELL_DROP)
            continue;
        if (row_ids(out, o, cell_text(r, i), out->values + i * (size_t)out->width, tmp)) {
            free(tmp);
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        }
        out->keep[i] = 1;
        out->n_kept++;
    }
    free(tmp);
    return LC_OK;
}

/* ---- set and bag rows ---- */

static const char *kind_name(const lc_prep_text_opts *o)
{
    return o->kind == LC_SEQ_SET ? "set" : o->kind == LC_SEQ_BAG ? "bag" : "text";
}

typedef struct set_ctx {
    const lc_prep_text *t;
    long *ids;   /* (cap) the row's ids */
    long n, cap;
} set_ctx;

static int set_put(void *vctx, const char *tok, size_t len)
{
    set_ctx *c = vctx;
    if (c->n == c->cap) {
        long cap = c->cap ? 2 * c->cap : 64, *d = realloc(c->ids, (size_t)cap * sizeof *d);
        if (!d)
            return -1;
        c->ids = d;
        c->cap = cap;
    }
    long id = vt_find(c->t->vocab, tok, len, 0);
    c->ids[c->n++] = id >= 0 ? id : c->t->unk_idx;
    return 0;
}

/* the row's distinct ids ascending, each with its count (in place; returns how many) */
static long set_distinct(long *ids, long n, long *cnt)
{
    qsort(ids, (size_t)n, sizeof *ids, cmp_long);
    long m = 0;
    for (long k = 0; k < n; k++) {
        if (m && ids[m - 1] == ids[k]) {
            cnt[m - 1]++;
            continue;
        }
        ids[m] = ids[k];
        cnt[m++] = 1;
    }
    return m;
}

/* every kept row's (ids, weights), W = the most distinct ids of a row (at least 1) */
static lc_status set_build_rows(const lc_prep_column *col, const lc_prep_text_opts *o,
                                const raw_col *r, lc_prep_text *out, lc_error *e)
{
    set_ctx c = {.t = out};
    long W = 1, *cnt = NULL;
    lc_status st = LC_OK;
    for (int pass = 0; pass < 2 && !st; pass++) {
        if (pass == 1) {
            size_t n1 = col->n ? col->n : 1, cells;
            out->width = (int)(2 * W);
            if (lc_size_mul(n1, (size_t)out->width, &cells) ||
                !(out->values = lc_alloc(cells, sizeof *out->values)) ||
                !(out->keep = lc_alloc(n1, sizeof *out->keep)) ||
                !(cnt = malloc((size_t)(c.cap > 0 ? c.cap : 1) * sizeof *cnt))) {
                st = lc_error_set(e, LC_ERR_NOMEM, "out of memory for the %s column '%s' (%zu rows of %ld tokens)",
                                  o->kind == LC_SEQ_SET ? "set" : "bag", col->name, col->n, W);
                break;
            }
        }
        for (size_t i = 0; i < r->n && !st; i++) {
            if (r->st[i] == CELL_DROP)
                continue;
            c.n = 0;
            if (tokenize(o->tokenizer, cell_text(r, i), set_put, &c) < 0) {
                st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
                break;
            }
            if (pass == 0) {
                long *tmp = malloc((size_t)(c.n > 0 ? c.n : 1) * sizeof *tmp);
                if (!tmp) {
                    st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
                    break;
                }
                long m = set_distinct(c.ids, c.n, tmp);
                free(tmp);
                W = m > W ? m : W;
                continue;
            }
            long m = set_distinct(c.ids, c.n, cnt);
            float *row = out->values + i * (size_t)out->width;
            for (long k = 0; k < W; k++) {
                row[k] = k < m ? (float)c.ids[k] : -1.0f;
                row[W + k] = k >= m ? 0.0f : o->kind == LC_SEQ_SET ? (float)c.ids[k] : (float)cnt[k];
            }
            out->keep[i] = 1;
            out->n_kept++;
        }
    }
    free(c.ids);
    free(cnt);
    return st;
}

static cJSON *set_meta(const lc_prep_text *t, const long *freq, long max_set_size)
{
    const vocab_tab *v = t->vocab;
    cJSON *m = cJSON_CreateObject(), *i2s = cJSON_AddArrayToObject(m, "idx2str");
    cJSON *s2i = cJSON_AddObjectToObject(m, "str2idx"), *s2f = cJSON_AddObjectToObject(m, "str2freq");
    if (!m || !i2s || !s2i || !s2f) {
        cJSON_Delete(m);
        return NULL;
    }
    for (size_t k = 0; k < v->n; k++) {
        cJSON_AddItemToArray(i2s, cJSON_CreateString(v->tok[k]));
        cJSON_AddItemToObject(s2i, v->tok[k], lc_json_int((long long)k));
        cJSON_AddItemToObject(s2f, v->tok[k], lc_json_int(freq[k]));
    }
    cJSON_AddItemToObject(m, "vocab_size", lc_json_int((long long)v->n));
    cJSON_AddItemToObject(m, "max_set_size", lc_json_int(max_set_size));
    return m;
}

/* Ludwig's metadata entry, without "preprocessing" */
static cJSON *text_meta(const lc_prep_text *t, const long *freq, double p99, int p99_capped)
{
    const vocab_tab *v = t->vocab;
    cJSON *m = cJSON_CreateObject(), *i2s = cJSON_AddArrayToObject(m, "idx2str");
    cJSON *s2i = cJSON_AddObjectToObject(m, "str2idx"), *s2f = cJSON_AddObjectToObject(m, "str2freq");
    if (!m || !i2s || !s2i || !s2f) {
        cJSON_Delete(m);
        return NULL;
    }
    for (size_t k = 0; k < v->n; k++) {
        cJSON_AddItemToArray(i2s, cJSON_CreateString(v->tok[k]));
        cJSON_AddItemToObject(s2i, v->tok[k], lc_json_int((long long)k));
        cJSON_AddItemToObject(s2f, v->tok[k], lc_json_int(freq[k]));
    }
    cJSON_AddNullToObject(m, "str2idf");
    cJSON_AddItemToObject(m, "vocab_size", lc_json_int((long long)v->n));
    cJSON_AddItemToObject(m, "max_sequence_length", lc_json_int(t->width));
    /* Python's min(p99 + 2, max_sequence_length) gives the int limit when the data is longer */
    cJSON_AddItemToObject(m, "max_sequence_length_99ptile",
                          p99_capped ? lc_json_int((long long)p99) : lc_json_float(p99));
    cJSON_AddItemToObject(m, "pad_idx", lc_json_int(t->pad_idx));
    cJSON_AddStringToObject(m, "padding_symbol", v->tok[t->pad_idx]);
    cJSON_AddStringToObject(m, "unknown_symbol", v->tok[t->unk_idx]);
    cJSON_AddItemToObject(m, "prompt_template_num_tokens", lc_json_int(-1));
    return m;
}

/* idx2str with the special symbols: each removed where the list has it (its count kept), then
 * inserted at its index, as add_or_move_symbol; list and cnt have room for NSYM more and are
 * taken over (the strings are borrowed). */
static lc_status with_specials(const lc_prep_text_opts *o, const char **list, long *cnt, size_t n,
                               vocab_tab *v, long **freq_out, lc_error *e)
{
    const char *spec[NSYM] = {"<EOS>", "<SOS>", o->padding_symbol, o->unknown_symbol};
    for (int s = o->kind == LC_SEQ_SET ? SYM_UNK : 0; s < NSYM; s++) {
        long c = 0; /* a data token spelled as the symbol keeps its count */
        for (size_t k = 0; k < n; k++)
            if (strcmp(list[k], spec[s]) == 0) {
                c = cnt[k];
                memmove(list + k, list + k + 1, (n - k - 1) * sizeof *list);
                memmove(cnt + k, cnt + k + 1, (n - k - 1) * sizeof *cnt);
                n--;
                break;
            }
        size_t at = (size_t)s < n ? (size_t)s : n; /* list.insert(index, symbol) */
        memmove(list + at + 1, list + at, (n - at) * sizeof *list);
        memmove(cnt + at + 1, cnt + at, (n - at) * sizeof *cnt);
        list[at] = spec[s];
        cnt[at] = c;
        n++;
    }
    for (size_t k = 0; k < n; k++)
        if (vt_find(v, list[k], strlen(list[k]), 1) < 0)
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    *freq_out = cnt;
    return LC_OK;
}

/* vocab_file (strings_utils.load_vocabulary): one entry per line, stripped, cut at its first
 * space (each a new string; the list has room for the NSYM symbols); the data's counts as
 * str2freq. A missing or unreadable file, or an entry listed twice
 * (Ludwig would give it the later index), is an error naming the file and line. */
static lc_status load_vocab_file(const char *path, const vocab_tab *data, char ***list_out,
                                 long **cnt_out, size_t *n_out, lc_error *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return lc_error_set(e, LC_ERR_IO, "vocab_file %s: cannot open it: %m", path);
    vocab_tab seen = {0};
    char **list = NULL;
    long *cnt = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    long lineno = 0;
    lc_status st = LC_OK;
    ssize_t len;
    while (!st && (len = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        size_t a, l;
        lc_tab_py_strip(line, &a, &l);
        char *sp = memchr(line + a, ' ', l);
        if (sp)
            l = (size_t)(sp - (line + a));
        long k = vt_find(&seen, line + a, l, 0);
        if (k >= 0) {
            char shown[LC_PREP_TEXT_MAX], *t = lc_strndup(line + a, l);
            lc_tab_quote_text(shown, sizeof shown, t ? t : "");
            free(t);
            st = lc_error_set(e, LC_ERR_DATA, "vocab_file %s: line %ld: '%s' is listed twice", path,
                              lineno, shown);
            break;
        }
        if (n + NSYM + 1 > cap) {
            size_t nc = cap ? cap * 2 : 1024;
            char **nl = lc_realloc_array(list, nc, sizeof *nl);
            long *ncn = nl ? lc_realloc_array(cnt, nc, sizeof *ncn) : NULL;
            if (nl)
                list = nl;
            if (ncn)
                cnt = ncn;
            if (!nl || !ncn) {
                st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
                break;
            }
            cap = nc;
        }
        k = vt_find(&seen, line + a, l, 1);
        if (k < 0) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            break;
        }
        if (!(list[n] = lc_strndup(line + a, l))) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            break;
        }
        long dk = vt_find((vocab_tab *)data, line + a, l, 0);
        cnt[n] = dk >= 0 ? data->count[dk] : 0;
        n++;
    }
    if (!st && ferror(f))
        st = lc_error_set(e, LC_ERR_IO, "vocab_file %s: read error", path);
    free(line);
    fclose(f);
    if (!st && n == 0)
        st = lc_error_set(e, LC_ERR_DATA, "vocab_file %s: no entries", path);
    vt_free(&seen);
    if (st) {
        for (size_t k = 0; k < n; k++)
            free(list[k]);
        free(list);
        free(cnt);
        return st;
    }
    *list_out = list;
    *cnt_out = cnt;
    *n_out = n;
    return LC_OK;
}

lc_status lc_prep_text_run(const lc_prep_column *col, const lc_prep_text_opts *o, cJSON *preproc,
                           lc_prep_text *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    raw_col r;
    fill f = {0};
    vocab_tab data = {0};
    order_item *ord = NULL;
    char **flist = NULL; /* vocab_file entries (owned) */
    size_t nf = 0;
    long *lens = NULL, *freq = NULL;
    if (lc_tab_raw_init(&r, col))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_status st = lc_tab_string_fill(col, o->missing, o->fill_value ? o->fill_value : "<UNK>", kind_name(o), &r, &f, e);
    if (st)
        goto done;
    lc_tab_raw_fill(&r, o->missing, &f);
    /* count tokens over every kept row; each row's length */
    lens = malloc((r.n + 1) * sizeof *lens);
    if (!lens) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t nrows = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (r.st[i] == CELL_DROP)
            continue;
        char *s = prepared(cell_text(&r, i), o->lowercase);
        count_ctx cc = {&data};
        long k = s ? tokenize(o->tokenizer, s, count_token, &cc) : -1;
        free(s);
        if (k < 0) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        lens[nrows++] = k;
    }
    if (nrows == 0 || data.n == 0) {
        st = lc_error_set(e, LC_ERR_DATA, "%s column '%s' has no tokens in any row", kind_name(o),
                          col->name);
        goto done;
    }
    /* most_common: by count, ties in order of first appearance */
    ord = malloc(data.n * sizeof *ord);
    if (!ord) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < data.n; k++)
        ord[k] = (order_item){data.count[k], k};
    qsort(ord, data.n, sizeof *ord, cmp_order);
    vocab_tab *v = calloc(1, sizeof *v);
    if (!v) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    out->vocab = v;
    if (o->vocab_file) {
        char **list = NULL;
        if ((st = load_vocab_file(o->vocab_file, &data, &list, &freq, &nf, e)))
            goto done;
        /* the file's strings, freed at the end (with_specials reorders list) */
        if (!(flist = malloc((nf + 1) * sizeof *flist))) {
            for (size_t k = 0; k < nf; k++)
                free(list[k]);
            free(list);
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        memcpy(flist, list, nf * sizeof *flist);
        st = with_specials(o, (const char **)list, freq, nf, v, &freq, e);
        free(list);
    } else {
        size_t keep = data.n < (size_t)o->most_common ? data.n : (size_t)o->most_common;
        const char **list = calloc(keep + NSYM + 1, sizeof *list);
        freq = calloc(keep + NSYM + 1, sizeof *freq);
        if (!list || !freq) {
            free(list);
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < keep; k++) {
            list[k] = data.tok[ord[k].first];
            freq[k] = data.count[ord[k].first];
        }
        st = with_specials(o, list, freq, keep, v, &freq, e);
        free(list);
    }
    if (st)
        goto done;
    out->vocab_size = (int)v->n;
    out->pad_idx = SYM_PAD;
    out->unk_idx = SYM_UNK;
    if (o->kind != LC_SEQ_TEXT) {
        /* set / bag: max_set_size is the longest row + 2, as create_vocabulary counts it */
        long longest = 0;
        for (size_t k = 0; k < nrows; k++)
            longest = lens[k] > longest ? lens[k] : longest;
        if (o->kind == LC_SEQ_SET)
            out->unk_idx = (int)vt_find(v, o->unknown_symbol, strlen(o->unknown_symbol), 0);
        if ((st = set_build_rows(col, o, &r, out, e)))
            goto done;
        if (!(out->meta = set_meta(out, freq, longest + 2)))
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        else
            st = lc_tab_record_string_fill(preproc, &f, e);
        goto done;
    }
    /* the width: sequence_length, else min(longest + 2, max_sequence_length) */
    qsort(lens, nrows, sizeof *lens, cmp_long);
    long longest = lens[nrows - 1] + 2;
    double p99 = quantile_sorted(lens, nrows, 0.99) + 2.0;
    int p99_int = 0;
    if (o->sequence_length > 0) {
        longest = o->sequence_length;
        p99 = o->sequence_length;
        p99_int = 1;
    } else if (o->max_sequence_length > 0) {
        longest = longest < o->max_sequence_length ? longest : o->max_sequence_length;
        if (p99 > o->max_sequence_length) {
            p99 = o->max_sequence_length;
            p99_int = 1;
        }
    }
    out->width = (int)longest;
    if ((st = build_rows(col, o, &r, out, e)))
        goto done;
    if (!(out->meta = text_meta(out, freq, p99, p99_int))) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        goto done;
    }
    st = lc_tab_record_string_fill(preproc, &f, e);
done:
    lc_tab_raw_free(&r);
    vt_free(&data);
    free(ord);
    for (size_t k = 0; flist && k < nf; k++)
        free(flist[k]);
    free(flist);
    free(lens);
    free(freq);
    if (st)
        lc_prep_text_free(out);
    return st;
}

lc_status lc_prep_text_apply(const lc_prep_column *col, const lc_prep_text_opts *o,
                             const cJSON *meta, lc_prep_text *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    const cJSON *i2s = meta ? cJSON_GetObjectItemCaseSensitive(meta, "idx2str") : NULL;
    const cJSON *w = meta ? cJSON_GetObjectItemCaseSensitive(meta, "max_sequence_length") : NULL;
    if (o->kind != LC_SEQ_TEXT && (!cJSON_IsArray(i2s) || cJSON_GetArraySize(i2s) < 1))
        return lc_error_set(e, LC_ERR_DATA, "%s feature '%s': the training set metadata needs idx2str",
                            o->kind == LC_SEQ_SET ? "set" : "bag", col->name);
    if (o->kind == LC_SEQ_TEXT &&
        (!cJSON_IsArray(i2s) || cJSON_GetArraySize(i2s) < NSYM || !cJSON_IsNumber(w) ||
         w->valuedouble < 1 || w->valuedouble > 1e6 || w->valuedouble != floor(w->valuedouble)))
        return lc_error_set(e, LC_ERR_DATA, "text feature '%s': the training set metadata needs idx2str (at least the 4 special symbols) and max_sequence_length (a whole number >= 1)",
                            col->name);
    vocab_tab *v = calloc(1, sizeof *v);
    if (!v)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    out->vocab = v;
    lc_status st = LC_OK;
    for (const cJSON *it = i2s->child; it && !st; it = it->next) {
        if (!cJSON_IsString(it) || vt_find(v, it->valuestring, strlen(it->valuestring), 0) >= 0)
            st = lc_error_set(e, LC_ERR_DATA, "text feature '%s': the training set metadata's idx2str holds a label that is not a string or is listed twice",
                              col->name);
        else if (vt_find(v, it->valuestring, strlen(it->valuestring), 1) < 0)
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    if (st) {
        lc_prep_text_free(out);
        return st;
    }
    out->vocab_size = (int)v->n;
    out->width = o->kind == LC_SEQ_TEXT ? (int)w->valuedouble : 0;
    const cJSON *pi = cJSON_GetObjectItemCaseSensitive(meta, "pad_idx");
    out->pad_idx = cJSON_IsNumber(pi) && pi->valuedouble >= 0 && pi->valuedouble < v->n ? pi->valueint : SYM_PAD;
    long uk = vt_find(v, o->unknown_symbol, strlen(o->unknown_symbol), 0);
    out->unk_idx = uk >= 0 ? (int)uk : o->kind == LC_SEQ_SET ? 0 : SYM_UNK;
    raw_col r;
    fill f = {0}, fc = {.kind = CELL_STR, .s = o->fill_value ? o->fill_value : "<UNK>"};
    if (lc_tab_raw_init(&r, col)) {
        lc_prep_text_free(out);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    }
    if (o->missing == LC_MISS_FILL_MEAN || o->missing == LC_MISS_FILL_FALSE ||
        o->missing == LC_MISS_FILL_TRUE)
        st = lc_tab_string_fill(col, o->missing, o->fill_value ? o->fill_value : "<UNK>", kind_name(o), &r, &f, e);
    else
        st = lc_tab_stored_fill_for(meta, "computed_fill_value", o->missing, &fc, kind_name(o),
                                    col->name, &f, e);
    if (!st && f.kind == CELL_NUM)
        f.kind = CELL_STR, f.s = "nan";
    if (!st) {
        lc_tab_raw_fill(&r, o->missing, &f);
        st = o->kind == LC_SEQ_TEXT ? build_rows(col, o, &r, out, e)
                                    : set_build_rows(col, o, &r, out, e);
    }
    lc_tab_raw_free(&r);
    if (st)
        lc_prep_text_free(out);
    return st;
}

void lc_prep_text_free(lc_prep_text *r)
{
    vocab_tab *v = r->vocab;
    if (v) {
        vt_free(v);
        free(v);
    }
    lc_free(r->values);
    lc_free(r->keep);
    cJSON_Delete(r->meta);
    memset(r, 0, sizeof *r);
}

/* ---- pretrained_embeddings (data_utils.load_glove / load_pretrained_embeddings) ---- */

/* the fields of a GloVe line: a word then numbers, separated by whitespace */
static int glove_fields(const char *line, const char **start, size_t *len, int cap)
{
    int n = 0;
    const char *p = line;
    while (*p) {
        while (*p && space_char((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *q = p;
        while (*q && !space_char((unsigned char)*q))
            q++;
        if (n < cap) {
            start[n] = p;
            len[n] = (size_t)(q - p);
        }
        n++;
        p = q;
    }
    return n;
}

lc_status lc_glove_dim(const char *path, int *dim, lc_error *e)
{
    *dim = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return lc_error_set(e, LC_ERR_IO, "pretrained_embeddings %s: cannot open it: %m", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        int n = glove_fields(line, NULL, NULL, 0);
        if (n > 0) { /* Ludwig: the first non-empty line sets the size */
            *dim = n - 1;
            break;
        }
    }
    free(line);
    fclose(f);
    if (*dim < 1)
        return lc_error_set(e, LC_ERR_DATA, "pretrained_embeddings %s: no line of the GloVe format (a word, then its numbers)",
                            path);
    return LC_OK;
}

lc_status lc_glove_fill(const char *path, const cJSON *idx2str, int E, float *w,
                        uint64_t seed, lc_error *e)
{
    int V = cJSON_GetArraySize(idx2str);
    vocab_tab words = {0};
    for (const cJSON *it = idx2str ? idx2str->child : NULL; it; it = it->next)
        if (!cJSON_IsString(it) || vt_find(&words, it->valuestring, strlen(it->valuestring), 1) < 0) {
            vt_free(&words);
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        }
    unsigned char *found = calloc((size_t)V + 1, 1);
    FILE *f = fopen(path, "r");
    if (!found || !f) {
        free(found);
        vt_free(&words);
        if (f)
            fclose(f);
        return f ? lc_error_set(e, LC_ERR_NOMEM, "out of memory")
                 : lc_error_set(e, LC_ERR_IO, "pretrained_embeddings %s: cannot open it: %m", path);
    }
    const char **start = malloc(((size_t)E + 2) * sizeof *start);
    size_t *flen = malloc(((size_t)E + 2) * sizeof *flen);
    char *line = NULL, num[64];
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    lc_status st = start && flen ? LC_OK : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    while (!st && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        int n = glove_fields(line, start, flen, E + 2);
        if (n == 0)
            continue;
        if (n != E + 1) {
            st = lc_error_set(e, LC_ERR_DATA, "pretrained_embeddings %s: line %ld has %d numbers, the first line %d (every line: a word, then the same number of values)",
                              path, lineno, n - 1, E);
            break;
        }
        long k = vt_find(&words, start[0], flen[0], 0);
        if (k < 0 || found[k])
            continue;
        float *row = w + (size_t)k * E;
        for (int j = 0; j < E && !st; j++) {
            double v;
            if (flen[j + 1] >= sizeof num) {
                st = LC_ERR_DATA;
            } else {
                memcpy(num, start[j + 1], flen[j + 1]);
                num[flen[j + 1]] = '\0';
                if (lc_tab_py_float(num, &v))
                    row[j] = (float)v;
                else
                    st = LC_ERR_DATA;
            }
            if (st)
                lc_error_set(e, LC_ERR_DATA, "pretrained_embeddings %s: line %ld: value %d is not a number",
                             path, lineno, j + 1);
        }
        found[k] = 1;
    }
    free(line);
    free(start);
    free(flen);
    fclose(f);
    if (!st) {
        /* the words it lacks: the average of the found ones plus U(-0.01, 0.01) noise */
        double *avg = calloc((size_t)E, sizeof *avg);
        long nf = 0;
        for (int k = 0; k < V; k++)
            if (found[k]) {
                nf++;
                for (int j = 0; j < E; j++)
                    avg[j] += w[(size_t)k * E + j];
            }
        if (!avg)
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
        else if (nf == 0)
            st = lc_error_set(e, LC_ERR_DATA, "pretrained_embeddings %s: none of the %d vocabulary entries is in the file",
                              path, V);
        for (int k = 0; !st && k < V; k++) {
            if (found[k])
                continue;
            lc_rng r;
            lc_rng_init(&r, seed, LC_STREAM_INIT, 0x676c6f7665ULL + (uint64_t)k);
            for (int j = 0; j < E; j++)
                w[(size_t)k * E + j] = (float)(avg[j] / (double)nf +
                                               (2.0 * lc_u01d(lc_rng_next(&r)) - 1.0) * 0.01);
        }
        free(avg);
    }
    free(found);
    vt_free(&words);
    return st;
}
