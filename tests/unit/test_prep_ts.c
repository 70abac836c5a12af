/* test_prep_ts.c - Ludwig 0.10.3's timeseries column preprocessing (lc_prep_tab.h, timeseries.c)
 * on hand-worked cases, each value as ludwig/features/timeseries_feature.py computes it:
 * str.strip() and split with empty tokens dropped, max_timeseries_length = min(limit, longest),
 * NaN tokens -> padding_value, right / left padding (left keeps the first `limit` tokens,
 * right-aligned), missing cells filled ("" gives an all-padding row; bfill; drop_row), the
 * computed_fill_value recorded, stored metadata applied (longer rows cut), window_size's
 * column-major windows, and the errors. */
#include "check.h"
#include "lc_prep_tab.h"

#include <stdlib.h>
#include <string.h>

static int same(const float *a, const float *b, int n)
{
    for (int i = 0; i < n; i++)
        if (!(a[i] == b[i]))
            return 0;
    return 1;
}

static void test_fit(void)
{
    const char *cells[] = {" 1 2  3 ", "4 nan 6 7 8", NULL, "1e1", "-inf 5"};
    long lines[] = {2, 3, 4, 5, 6};
    lc_prep_column col = {"ts", cells, lines, 5};
    lc_prep_timeseries_opts o;
    lc_prep_timeseries_defaults(&o);
    o.limit = 4;
    o.padding_value = -1.0f;
    cJSON *pre = cJSON_CreateObject();
    lc_prep_timeseries r;
    lc_error e = {0};
    CHECK(lc_prep_timeseries_run(&col, &o, pre, &r, &e) == LC_OK);
    CHECK(r.T == 4 && r.n_kept == 5);
    const float want[5][4] = {{1, 2, 3, -1}, {4, -1, 6, 7}, {-1, -1, -1, -1}, {10, -1, -1, -1},
                              {-INFINITY, 5, -1, -1}};
    for (int i = 0; i < 5; i++)
        CHECK_MSG(same(r.values + i * 4, want[i], 4), "row %d", i);
    CHECK(cJSON_GetObjectItemCaseSensitive(r.meta, "max_timeseries_length")->valueint == 4);
    CHECK(strcmp(cJSON_GetObjectItemCaseSensitive(pre, "computed_fill_value")->valuestring, "") == 0);
    lc_prep_timeseries_free(&r);

    /* left padding keeps the first T tokens, right-aligned */
    o.pad_left = 1;
    CHECK(lc_prep_timeseries_run(&col, &o, NULL, &r, &e) == LC_OK);
    const float l0[4] = {-1, 1, 2, 3}, l1[4] = {4, -1, 6, 7}, l4[4] = {-1, -1, -INFINITY, 5};
    CHECK(same(r.values, l0, 4) && same(r.values + 4, l1, 4) && same(r.values + 16, l4, 4));
    lc_prep_timeseries_free(&r);

    /* stored metadata: T from it (rows cut to 2), the stored fill value */
    cJSON *meta = cJSON_Parse("{\"max_timeseries_length\": 2, \"preprocessing\": {\"computed_fill_value\": \"9 9 9\"}}");
    o.pad_left = 0;
    CHECK(lc_prep_timeseries_apply(&col, &o, meta, &r, &e) == LC_OK);
    const float a1[2] = {4, -1}, a2[2] = {9, 9};
    CHECK(r.T == 2 && same(r.values + 2, a1, 2) && same(r.values + 4, a2, 2));
    lc_prep_timeseries_free(&r);
    cJSON_Delete(meta);
    cJSON_Delete(pre);
}

static void test_strategies_and_errors(void)
{
    const char *cells[] = {"1,2", NULL, "3,4,5"};
    lc_prep_column col = {"ts", cells, NULL, 3};
    lc_prep_timeseries_opts o;
    lc_prep_timeseries_defaults(&o);
    o.sep = ',';
    lc_prep_timeseries r;
    lc_error e = {0};
    o.missing = LC_MISS_BFILL; /* the next row's series */
    CHECK(lc_prep_timeseries_run(&col, &o, NULL, &r, &e) == LC_OK);
    const float b1[3] = {3, 4, 5};
    CHECK(r.T == 3 && same(r.values + 3, b1, 3));
    lc_prep_timeseries_free(&r);
    o.missing = LC_MISS_DROP_ROW;
    CHECK(lc_prep_timeseries_run(&col, &o, NULL, &r, &e) == LC_OK);
    CHECK(r.n_kept == 2 && !r.keep[1]);
    lc_prep_timeseries_free(&r);

    /* a token that is not a number: its line (header + 1 when no lines), token and place */
    const char *bad[] = {"1 2", "3 x4 5"};
    lc_prep_column cb = {"temp", bad, NULL, 2};
    lc_prep_timeseries_defaults(&o);
    CHECK(lc_prep_timeseries_run(&cb, &o, NULL, &r, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "line 3: timeseries column 'temp' holds the token 'x4' (value 2 of the row)"),
              "%s", e.msg);
    /* no values anywhere */
    const char *none[] = {"", "  ", NULL};
    lc_prep_column cn = {"temp", none, NULL, 3};
    lc_error_clear(&e);
    CHECK(lc_prep_timeseries_run(&cn, &o, NULL, &r, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "has no values in any row"), "%s", e.msg);
    /* stored metadata without a length */
    cJSON *meta = cJSON_Parse("{\"preprocessing\": {}}");
    lc_error_clear(&e);
    CHECK(lc_prep_timeseries_apply(&col, &o, meta, &r, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "max_timeseries_length"), "%s", e.msg);
    cJSON_Delete(meta);
    CHECK(lc_prep_timeseries_length(NULL) == -1);
}

/* window_size: one number per row; row i holds its window ending at itself, padded before the
 * first row and at missing cells */
static void test_window(void)
{
    const char *cells[] = {"1", " 2 ", NULL, "4"};
    lc_prep_column col = {"t", cells, NULL, 4};
    lc_prep_timeseries_opts o;
    lc_prep_timeseries_defaults(&o);
    o.window = 3;
    o.padding_value = -1.0f;
    lc_prep_timeseries r;
    lc_error e = {0};
    CHECK(lc_prep_timeseries_run(&col, &o, NULL, &r, &e) == LC_OK);
    const float want[4][3] = {{-1, -1, 1}, {-1, 1, 2}, {1, 2, -1}, {2, -1, 4}};
    CHECK(r.T == 3 && r.n_kept == 4);
    for (int i = 0; i < 4 && r.T == 3; i++)
        CHECK_MSG(same(r.values + i * 3, want[i], 3), "window row %d", i);
    CHECK(cJSON_GetObjectItemCaseSensitive(r.meta, "max_timeseries_length")->valueint == 3);
    lc_prep_timeseries_free(&r);
    const char *bad[] = {"1", "2 3"};
    lc_prep_column cb = {"t", bad, NULL, 2};
    CHECK(lc_prep_timeseries_run(&cb, &o, NULL, &r, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "line 3: timeseries column 't' (window_size 3: one number per row) holds '2 3'"),
              "%s", e.msg);
}

int main(void)
{
    test_fit();
    test_window();
    test_strategies_and_errors();
    return check_exit("test_prep_ts");
}
