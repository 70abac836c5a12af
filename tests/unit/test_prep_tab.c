/* test_prep_tab.c - number / binary / category column preprocessing against
 * tests/fixtures/prep_tab_cases.json (written by tests/gen_fixtures_prep_tab.py with pandas,
 * numpy and torch following Ludwig 0.10.3's code): every processed value (float32 exactly, log1p
 * and expm1 within 2 ulp), the metadata and the updated preprocessing object byte for byte as
 * json.dump writes them, the inverse normalization, and error messages by substring. The
 * stored-metadata functions (*_apply) must reproduce every run's rows from the metadata it wrote,
 * and handle hand-made entries (stored fill values, unknown labels, unmappable cells). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lc_json.h"
#include "lc_prep_tab.h"

#define FIXTURE "tests/fixtures/prep_tab_cases.json"

typedef struct col_buf {
    const char **cells;
    long *lines;
    lc_prep_column col;
} col_buf;

static void col_from_json(col_buf *b, const char *name, const cJSON *cells)
{
    size_t n = (size_t)cJSON_GetArraySize(cells);
    b->cells = calloc(n ? n : 1, sizeof *b->cells);
    b->lines = calloc(n ? n : 1, sizeof *b->lines);
    size_t i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cells)
    {
        b->cells[i] = cJSON_GetStringValue(c);
        b->lines[i] = (long)i + 2;
        i++;
    }
    b->col = (lc_prep_column){name, b->cells, b->lines, n};
}

static void col_free(col_buf *b)
{
    free(b->cells);
    free(b->lines);
}

static const char *jstr(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static double jnum(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static lc_missing jmissing(const cJSON *o, const char *k)
{
    lc_missing m = LC_MISS_FILL_CONST;
    CHECK(lc_missing_from_name(jstr(o, k), &m) == 0);
    return m;
}

static void check_json_text(const cJSON *tree, const cJSON *case_, const char *key, const char *name)
{
    const char *want = jstr(case_, key);
    char *got = lc_json_print_py(tree);
    CHECK_MSG(want && got && strcmp(want, got) == 0, "%s %s:\n got %s\nwant %s", name, key, got ? got : "(null)",
              want ? want : "(null)");
    free(got);
}

/* |got - want| within ulps float32 steps of want (exact when ulps == 0). */
static int f32_close(float got, double want, int ulps)
{
    float w = (float)want;
    if (isinf(w) || ulps == 0)
        return got == w || (isnan(got) && isnan(w));
    return fabsf(got - w) <= (float)ulps * (nextafterf(fabsf(w), INFINITY) - fabsf(w));
}

static void check_error(lc_status st, const lc_error *e, const cJSON *case_, const char *name)
{
    const char *want = jstr(case_, "error");
    CHECK_MSG(st != LC_OK && strstr(e->msg, want) != NULL, "%s: status %d message '%s', want '%s'", name, (int)st,
              e->msg, want);
}

/* The metadata entry a run stores: its meta plus "preprocessing", both read back from the JSON text
 * the fixture holds (so the stored numbers are what the file would hold). */
static cJSON *stored_entry(const cJSON *case_, const char *name)
{
    lc_error e;
    lc_error_clear(&e);
    const char *mt = jstr(case_, "meta_json"), *pt = jstr(case_, "preproc_json");
    cJSON *m = lc_json_parse(mt, strlen(mt), name, &e);
    cJSON *p = lc_json_parse(pt, strlen(pt), name, &e);
    CHECK_MSG(m && p, "%s: %s", name, e.msg);
    if (m && p)
        cJSON_AddItemToObject(m, "preprocessing", p);
    else
        cJSON_Delete(p);
    return m;
}

/* *_apply with the stored entry must reproduce the run's rows: the kept rows and their values. */
static void check_same_rows(const char *name, const char *what, const unsigned char *keep_run, const unsigned char *keep_app,
                            const void *val_run, const void *val_app, size_t width, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        CHECK_MSG(keep_run[i] == keep_app[i], "%s %s row %zu: keep %d, applied %d", name, what, i, keep_run[i],
                  keep_app[i]);
        if (keep_run[i] && keep_app[i])
            CHECK_MSG(memcmp((const char *)val_run + i * width, (const char *)val_app + i * width, width) == 0,
                      "%s %s row %zu: the applied value differs", name, what, i);
    }
}

static void number_cases(const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const char *name = jstr(c, "name");
        const cJSON *pin = cJSON_GetObjectItemCaseSensitive(c, "preproc_in");
        lc_prep_number_opts o;
        lc_prep_number_defaults(&o, 1);
        o.missing = jmissing(pin, "missing_value_strategy");
        o.fill_value = jnum(pin, "fill_value");
        CHECK(lc_norm_from_name(jstr(pin, "normalization"), &o.normalization) == 0);
        o.has_outlier_strategy = jstr(pin, "outlier_strategy") != NULL;
        if (o.has_outlier_strategy)
            o.outlier_strategy = jmissing(pin, "outlier_strategy");
        o.outlier_threshold = jnum(pin, "outlier_threshold");
        int ulps = o.normalization == LC_NUMNORM_LOG1P ? 2 : 0;

        col_buf b;
        col_from_json(&b, name, cJSON_GetObjectItemCaseSensitive(c, "cells"));
        cJSON *pp = cJSON_Duplicate(pin, 1);
        lc_prep_number r;
        lc_error e;
        lc_error_clear(&e);
        lc_status st = lc_prep_number_run(&b.col, &o, pp, &r, &e);
        if (cJSON_GetObjectItemCaseSensitive(c, "error")) {
            check_error(st, &e, c, name);
            CHECK(r.values == NULL && r.meta == NULL);
        } else {
            CHECK_MSG(st == LC_OK, "%s: %s", name, e.msg);
            if (st == LC_OK) {
                size_t i = 0, kept = 0;
                const cJSON *v;
                cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(c, "values"))
                {
                    if (cJSON_IsNull(v)) {
                        CHECK_MSG(!r.keep[i], "%s row %zu should be dropped", name, i);
                    } else {
                        kept++;
                        CHECK_MSG(r.keep[i] && f32_close(r.values[i], v->valuedouble, ulps),
                                  "%s row %zu: keep %d value %.9g want %.9g", name, i, r.keep[i], (double)r.values[i],
                                  v->valuedouble);
                    }
                    i++;
                }
                CHECK(r.n_kept == kept);
                check_json_text(r.meta, c, "meta_json", name);
                check_json_text(pp, c, "preproc_json", name);

                /* the normalization read back from the metadata, and its inverse */
                lc_number_norm nm;
                cJSON *meta = lc_json_parse(jstr(c, "meta_json"), strlen(jstr(c, "meta_json")), name, &e);
                CHECK(lc_number_norm_from_meta(meta, o.normalization, name, &nm, &e) == LC_OK);
                CHECK(memcmp(&nm, &r.norm, sizeof nm) == 0 || o.has_outlier_strategy);
                cJSON_Delete(meta);
                const cJSON *inv = cJSON_GetObjectItemCaseSensitive(c, "inverse");
                float *x = calloc(b.col.n ? b.col.n : 1, sizeof *x);
                size_t k = 0;
                for (i = 0; i < b.col.n; i++)
                    if (r.keep[i])
                        x[k++] = r.values[i];
                CHECK(k == kept);
                lc_number_norm_inverse(&r.norm, x, kept);
                k = 0;
                cJSON_ArrayForEach(v, inv)
                {
                    CHECK_MSG(k < kept && f32_close(x[k], v->valuedouble, ulps), "%s inverse %zu: %.9g want %.9g",
                              name, k, (double)x[k], v->valuedouble);
                    k++;
                }
                CHECK(k == kept || (!inv && kept == 0));
                free(x);

                cJSON *stored = stored_entry(c, name);
                lc_prep_number a;
                lc_status sa = lc_prep_number_apply(&b.col, &o, stored, &a, &e);
                CHECK_MSG(sa == LC_OK, "%s apply: %s", name, e.msg);
                if (sa == LC_OK) {
                    check_same_rows(name, "number", r.keep, a.keep, r.values, a.values, sizeof *a.values, b.col.n);
                    CHECK(a.n_kept == r.n_kept && a.n_coerced == r.n_coerced && a.meta == NULL);
                }
                lc_prep_number_free(&a);
                cJSON_Delete(stored);
            }
        }
        if (strcmp(name, "zscore_awkward") == 0) { /* "abc" (row 4, line 6) and "1_000" coerced */
            CHECK(r.n_coerced == 2 && r.coerced_line == 6 && strcmp(r.coerced_text, "abc") == 0);
        }
        if (strcmp(name, "err_mean_text") == 0)
            CHECK(strstr(e.msg, "line 3:") != NULL);
        if (strcmp(name, "err_log1p") == 0)
            CHECK(strstr(e.msg, "line 3:") != NULL);
        lc_prep_number_free(&r);
        cJSON_Delete(pp);
        col_free(&b);
    }
}

static void binary_cases(const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const char *name = jstr(c, "name");
        const cJSON *pin = cJSON_GetObjectItemCaseSensitive(c, "preproc_in");
        lc_prep_binary_opts o;
        lc_prep_binary_defaults(&o, 1);
        o.missing = jmissing(pin, "missing_value_strategy");
        o.fallback_true_label = jstr(pin, "fallback_true_label");
        col_buf b;
        col_from_json(&b, name, cJSON_GetObjectItemCaseSensitive(c, "cells"));
        cJSON *pp = cJSON_Duplicate(pin, 1);
        lc_prep_binary r;
        lc_error e;
        lc_error_clear(&e);
        lc_status st = lc_prep_binary_run(&b.col, &o, pp, &r, &e);
        if (cJSON_GetObjectItemCaseSensitive(c, "error")) {
            check_error(st, &e, c, name);
        } else {
            CHECK_MSG(st == LC_OK, "%s: %s", name, e.msg);
            if (st == LC_OK) {
                size_t i = 0;
                const cJSON *v;
                cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(c, "values"))
                {
                    if (cJSON_IsNull(v))
                        CHECK_MSG(!r.keep[i], "%s row %zu should be dropped", name, i);
                    else
                        CHECK_MSG(r.keep[i] && r.values[i] == (unsigned char)v->valueint, "%s row %zu: %d want %d", name,
                                  i, r.values[i], v->valueint);
                    i++;
                }
                check_json_text(r.meta, c, "meta_json", name);
                check_json_text(pp, c, "preproc_json", name);

                cJSON *stored = stored_entry(c, name);
                lc_prep_binary a;
                lc_status sa = lc_prep_binary_apply(&b.col, &o, stored, &a, &e);
                CHECK_MSG(sa == LC_OK, "%s apply: %s", name, e.msg);
                if (sa == LC_OK)
                    check_same_rows(name, "binary", r.keep, a.keep, r.values, a.values, sizeof *a.values, b.col.n);
                lc_prep_binary_free(&a);
                cJSON_Delete(stored);
            }
        }
        if (strcmp(name, "human_bot") == 0)
            CHECK(r.unconventional == 1);
        if (strcmp(name, "conventional") == 0)
            CHECK(r.unconventional == 0);
        if (strcmp(name, "err_out_three") == 0) /* "bird" is the third value, row 4 */
            CHECK(strstr(e.msg, "line 6:") != NULL);
        lc_prep_binary_free(&r);
        cJSON_Delete(pp);
        col_free(&b);
    }
}

static void category_cases(const cJSON *cases)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const char *name = jstr(c, "name");
        const cJSON *pin = cJSON_GetObjectItemCaseSensitive(c, "preproc_in");
        int is_input = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "is_input"));
        lc_prep_category_opts o;
        lc_prep_category_defaults(&o, is_input);
        o.missing = jmissing(pin, "missing_value_strategy");
        o.fill_value = jstr(pin, "fill_value");
        o.most_common = (long)jnum(pin, "most_common");
        col_buf b;
        col_from_json(&b, name, cJSON_GetObjectItemCaseSensitive(c, "cells"));
        cJSON *pp = cJSON_Duplicate(pin, 1);
        lc_prep_category r;
        lc_error e;
        lc_error_clear(&e);
        lc_status st = lc_prep_category_run(&b.col, &o, pp, &r, &e);
        if (cJSON_GetObjectItemCaseSensitive(c, "error")) {
            check_error(st, &e, c, name);
        } else {
            CHECK_MSG(st == LC_OK, "%s: %s", name, e.msg);
            if (st == LC_OK) {
                size_t i = 0;
                const cJSON *v;
                cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(c, "values"))
                {
                    if (cJSON_IsNull(v))
                        CHECK_MSG(!r.keep[i], "%s row %zu should be dropped", name, i);
                    else
                        CHECK_MSG(r.keep[i] && r.values[i] == v->valueint, "%s row %zu: %d want %d", name, i,
                                  r.values[i], v->valueint);
                    i++;
                }
                check_json_text(r.meta, c, "meta_json", name);
                check_json_text(pp, c, "preproc_json", name);
                const cJSON *u, *ui = cJSON_GetObjectItemCaseSensitive(c, "unknown_idx");
                i = 0;
                cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(c, "unknown"))
                {
                    int want = cJSON_GetArrayItem(ui, (int)i++)->valueint;
                    CHECK_MSG(lc_prep_category_index(&r, u->valuestring) == want, "%s: index of '%s' %d want %d", name,
                              u->valuestring, lc_prep_category_index(&r, u->valuestring), want);
                }

                cJSON *stored = stored_entry(c, name);
                lc_prep_category a;
                lc_status sa = lc_prep_category_apply(&b.col, &o, stored, &a, &e);
                CHECK_MSG(sa == LC_OK, "%s apply: %s", name, e.msg);
                if (sa == LC_OK) {
                    check_same_rows(name, "category", r.keep, a.keep, r.values, a.values, sizeof *a.values, b.col.n);
                    CHECK(a.fallback_idx == r.fallback_idx && a.n_idx2str == r.n_idx2str);
                    for (i = 0; i < a.n_idx2str && i < r.n_idx2str; i++)
                        CHECK(strcmp(a.idx2str[i], r.idx2str[i]) == 0 && a.freq[i] == r.freq[i]);
                }
                lc_prep_category_free(&a);
                cJSON_Delete(stored);
            }
        }
        lc_prep_category_free(&r);
        cJSON_Delete(pp);
        col_free(&b);
    }
}

/* The 20000-row column of gen_fixtures_prep_tab.py's lcg_cells: statistics over 8192-element
 * reduction blocks. */
static void long_case(const cJSON *root, const char *key, lc_numnorm norm)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, key);
    CHECK(c != NULL);
    if (!c)
        return;
    size_t n = (size_t)jnum(c, "n");
    uint64_t x = (uint64_t)jnum(c, "seed");
    char *text = calloc(n, 24);
    const char **cells = calloc(n, sizeof *cells);
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        long long v = (long long)((x >> 33) % 2000001) - 1000000;
        snprintf(text + 24 * i, 24, "%llde-3", v);
        cells[i] = text + 24 * i;
    }
    lc_prep_column col = {key, cells, NULL, n};
    lc_prep_number_opts o;
    lc_prep_number_defaults(&o, 1);
    o.normalization = norm;
    lc_prep_number r;
    lc_error e;
    lc_error_clear(&e);
    CHECK_MSG(lc_prep_number_run(&col, &o, NULL, &r, &e) == LC_OK, "%s: %s", key, e.msg);
    if (r.meta) {
        check_json_text(r.meta, c, "meta_json", key);
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(c, "samples"))
        {
            size_t i = (size_t)strtoul(s->string, NULL, 10);
            CHECK_MSG(r.keep[i] && f32_close(r.values[i], s->valuedouble, 0), "%s row %zu: %.9g want %.9g", key, i,
                      (double)r.values[i], s->valuedouble);
        }
    }
    lc_prep_number_free(&r);
    free(cells);
    free(text);
}

static void basics(void)
{
    const char *na[] = {"", "nan", "NaN", "-nan", "None", "null", "NULL", "NA", "N/A", "n/a", "<NA>", "#N/A", "#NA",
                        "-1.#IND", "1.#QNAN"};
    for (size_t i = 0; i < sizeof na / sizeof *na; i++)
        CHECK_MSG(lc_prep_is_missing(na[i]), "'%s' is missing", na[i]);
    const char *not_na[] = {" ", "none", "Nan", "NAN", " nan", "na", "0", "inf", "-"};
    for (size_t i = 0; i < sizeof not_na / sizeof *not_na; i++)
        CHECK_MSG(!lc_prep_is_missing(not_na[i]), "'%s' is a value", not_na[i]);
    CHECK(lc_prep_is_missing(NULL));

    int b = -1;
    CHECK(lc_binary_str2bool("YES", NULL, &b) == 0 && b == 1);
    CHECK(lc_binary_str2bool("-1.0", NULL, &b) == 0 && b == 0);
    CHECK(lc_binary_str2bool("F", NULL, &b) == 0 && b == 0);
    CHECK(lc_binary_str2bool(" yes", NULL, &b) == -1);
    CHECK(lc_binary_str2bool("Human", "human", &b) == 0 && b == 0);
    CHECK(lc_binary_str2bool("human", "human", &b) == 0 && b == 1);

    for (int m = LC_MISS_FILL_CONST; m <= LC_MISS_DROP_ROW; m++) {
        lc_missing back;
        CHECK(lc_missing_from_name(lc_missing_name((lc_missing)m), &back) == 0 && back == (lc_missing)m);
    }
    lc_missing mm;
    CHECK(lc_missing_from_name("fill_with_median", &mm) == -1);
    lc_numnorm k;
    CHECK(lc_norm_from_name(NULL, &k) == 0 && k == LC_NUMNORM_NONE);
    CHECK(lc_norm_from_name("iq", &k) == 0 && k == LC_NUMNORM_IQ);
    CHECK(lc_norm_from_name("std", &k) == -1);

    /* a strategy the type lacks is a config error */
    const char *cells[] = {"1", "2"};
    lc_prep_column col = {"x", cells, NULL, 2};
    lc_prep_category_opts co;
    lc_prep_category_defaults(&co, 1);
    co.missing = LC_MISS_FILL_MEAN;
    lc_prep_category cr;
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_prep_category_run(&col, &co, NULL, &cr, &e) == LC_ERR_CONFIG && strstr(e.msg, "fill_with_mean"));
    lc_prep_category_free(&cr);
}

static cJSON *parse(const char *text)
{
    lc_error e;
    lc_error_clear(&e);
    cJSON *j = lc_json_parse(text, strlen(text), "test", &e);
    CHECK_MSG(j != NULL, "%s", e.msg);
    return j;
}

/* The stored-metadata path on hand-made entries: the stored fill value and statistics are used,
 * unknown labels fall back and are counted, and what cannot be mapped is an error. */
static void apply_cases(void)
{
    lc_error e;
    lc_error_clear(&e);
    long lines[] = {2, 3, 4, 5};

    /* number: NA filled with the stored 6.0 (not the config's 0), zscore with the stored mean/std */
    const char *nc[] = {"NA", "10", " 4 ", "abc"};
    lc_prep_column ncol = {"n", nc, lines, 4};
    lc_prep_number_opts no;
    lc_prep_number_defaults(&no, 1);
    cJSON *nm = parse("{\"mean\": 2.0, \"std\": 4.0, \"preprocessing\": {\"computed_fill_value\": 6.0}}");
    lc_prep_number nr;
    CHECK(lc_prep_number_apply(&ncol, &no, nm, &nr, &e) == LC_OK);
    CHECK(nr.keep[0] && nr.values[0] == 1.0f && nr.values[1] == 2.0f && nr.values[2] == 0.5f);
    /* "abc" is coerced to NaN, then filled as Ludwig fills it; the caller learns where it was */
    CHECK(nr.n_coerced == 1 && nr.coerced_row == 3 && nr.coerced_line == 5 && strcmp(nr.coerced_text, "abc") == 0 && nr.values[3] == 1.0f);
    lc_prep_number_free(&nr);
    cJSON_Delete(nm);
    nm = parse("{\"min\": 0.0, \"max\": 1.0}");
    lc_error_clear(&e);
    CHECK(lc_prep_number_apply(&ncol, &no, nm, &nr, &e) == LC_ERR_DATA && strstr(e.msg, "no number 'mean'"));
    cJSON_Delete(nm);
    no.missing = LC_MISS_FILL_MEAN;
    nm = parse("{\"mean\": 2.0, \"std\": 4.0, \"preprocessing\": {}}");
    lc_error_clear(&e);
    CHECK(lc_prep_number_apply(&ncol, &no, nm, &nr, &e) == LC_ERR_DATA &&
          strstr(e.msg, "no preprocessing.computed_fill_value for missing_value_strategy fill_with_mean"));
    cJSON_Delete(nm);

    /* binary: the stored str2bool, then str2bool with the stored fallback */
    const char *bc[] = {"human", "bot", "YES", "alien"};
    lc_prep_column bcol = {"b", bc, lines, 4};
    lc_prep_binary_opts bo;
    lc_prep_binary_defaults(&bo, 1);
    cJSON *bm = parse("{\"str2bool\": {\"bot\": false, \"human\": true}, \"bool2str\": [\"bot\", \"human\"], \"fallback_true_label\": \"human\"}");
    lc_prep_binary br;
    CHECK(lc_prep_binary_apply(&bcol, &bo, bm, &br, &e) == LC_OK);
    CHECK(br.n_kept == 4 && br.values[0] == 1 && br.values[1] == 0 && br.values[2] == 1 && br.values[3] == 0);
    lc_prep_binary_free(&br);
    cJSON_Delete(bm);
    bm = parse("{}"); /* trained on numbers: no fallback, so "human" cannot be mapped */
    lc_error_clear(&e);
    CHECK(lc_prep_binary_apply(&bcol, &bo, bm, &br, &e) == LC_ERR_DATA && strstr(e.msg, "line 2:") &&
          strstr(e.msg, "holds 'human'"));
    cJSON_Delete(bm);

    /* category: unknown values go to <UNK>, or to the most frequent label when there is none */
    const char *cc[] = {" a", "NA", "zz", "b "};
    lc_prep_column ccol = {"c", cc, lines, 4};
    lc_prep_category_opts co;
    lc_prep_category_defaults(&co, 1);
    cJSON *cm = parse("{\"idx2str\": [\"<UNK>\", \"a\", \"b\"], \"preprocessing\": {\"computed_fill_value\": \"b\"}}");
    lc_prep_category cr;
    CHECK(lc_prep_category_apply(&ccol, &co, cm, &cr, &e) == LC_OK);
    CHECK(cr.values[0] == 1 && cr.values[1] == 2 && cr.values[2] == 0 && cr.values[3] == 2);
    CHECK(cr.n_unknown == 1 && cr.unknown_row == 2 && cr.unknown_line == 4 && strcmp(cr.unknown_text, "zz") == 0);
    lc_prep_category_free(&cr);
    cJSON_Delete(cm);
    cm = parse("{\"idx2str\": [\"a\", \"b\"], \"str2freq\": {\"a\": 1, \"b\": 5}}");
    CHECK(lc_prep_category_apply(&ccol, &co, cm, &cr, &e) == LC_OK);
    CHECK(cr.values[1] == 1 && cr.values[2] == 1 && cr.n_unknown == 2 && cr.unknown_line == 3 &&
          strcmp(cr.unknown_text, "<UNK>") == 0); /* NA filled with the config's <UNK>, which is unknown */
    lc_prep_category_free(&cr);
    cJSON_Delete(cm);
    cm = parse("{\"idx2str\": [\"7\", \"1\", \"3\", \"1\", \"7\"]}");
    lc_error_clear(&e);
    CHECK(lc_prep_category_from_meta(cm, "label", &cr, &e) == LC_ERR_DATA &&
          strstr(e.msg, "label.idx2str[3] repeats the label '1' of idx2str[1]"));
    cJSON_Delete(cm);
    cm = parse("{\"idx2str\": []}");
    lc_error_clear(&e);
    CHECK(lc_prep_category_from_meta(cm, "label", &cr, &e) == LC_ERR_DATA && strstr(e.msg, "no vocabulary (idx2str)"));
    cJSON_Delete(cm);
}

int main(void)
{
    lc_error e;
    lc_error_clear(&e);
    cJSON *root = lc_json_read_file(FIXTURE, &e);
    CHECK_MSG(root != NULL, "%s", e.msg);
    basics();
    apply_cases();
    if (root) {
        number_cases(cJSON_GetObjectItemCaseSensitive(root, "number"));
        binary_cases(cJSON_GetObjectItemCaseSensitive(root, "binary"));
        category_cases(cJSON_GetObjectItemCaseSensitive(root, "category"));
        long_case(root, "number_long_zscore", LC_NUMNORM_ZSCORE);
        long_case(root, "number_long_iq", LC_NUMNORM_IQ);
    }
    cJSON_Delete(root);
    return check_exit("test_prep_tab");
}
