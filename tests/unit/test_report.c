/* test_report.c - the report's parts and the whole page: base64 against RFC 4648's vectors; PNG
 * thumbnails decoded back (grey and RGB, box downscaling, odd sizes, several deflate blocks); SVG
 * charts are well-formed XML with escaped labels and gaps at non-finite values; a whole report
 * for 10, 30 and 200 classes with hostile class names (escaped, never markup), every section heading,
 * page weight under 1.5 MB and generation under 1 s for 10,000 evaluated rows; a write into a
 * missing directory fails with LC_ERR_IO and leaves nothing. Several outputs: a category, a binary
 * and a number output get their sections in config order with escaped names, their curves,
 * calibration, threshold table, scatter plots (at most 2000 points) and histogram, within the same
 * weight and time; the row statistics (rowstats.c) equal sklearn's and numpy's
 * (tests/report/rowstats_cases.json). */
#include "check.h"
#include "lc_image.h"
#include "lc_json.h"
#include "lc_mem.h"
#include "lc_report.h"
#include "report_int.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define LC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LC_SANITIZED 1
#endif
#endif

static char tmpdir[] = "/tmp/lc_test_report_XXXXXX";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_base64(void)
{
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"x:", "x:Zg==", "x:Zm8=", "x:Zm9v", "x:Zm9vYg==",
                                      "x:Zm9vYmE=", "x:Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char *s = rep_data_uri("x:", (const unsigned char *)in[i], strlen(in[i]));
        CHECK_MSG(s && strcmp(s, out[i]) == 0, "base64(%s) = %s", in[i], s ? s : "NULL");
        free(s);
    }
}

/* Encodes a planar (C, H, W) pattern, decodes the PNG and compares with the box average. */
static void png_roundtrip(int C, int H, int W, int max_side)
{
    unsigned char *chw = malloc((size_t)C * H * W);
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                chw[((size_t)c * H + y) * W + x] = (unsigned char)((x * 7 + y * 13 + c * 50) & 255);
    size_t len = 0;
    unsigned char *png = rep_png(chw, C, H, W, max_side, &len);
    CHECK(png != NULL);
    int f = 1;
    while ((H + f - 1) / f > max_side || (W + f - 1) / f > max_side)
        f++;
    int oh = (H + f - 1) / f, ow = (W + f - 1) / f;
    lc_image im = {0};
    lc_error e = {0};
    CHECK_MSG(png && lc_image_decode(png, len, 0, "thumbnail", &im, &e) == LC_OK, "%s", e.msg);
    CHECK_MSG(im.h == oh && im.w == ow && im.c == C, "%dx%dx%d, want %dx%dx%d", im.h, im.w, im.c,
              oh, ow, C);
    int bad = 0;
    for (int y = 0; y < oh && im.px && im.h == oh && im.w == ow && im.c == C; y++)
        for (int x = 0; x < ow; x++)
            for (int c = 0; c < C; c++) {
                unsigned sum = 0, cnt = 0;
                for (int dy = 0; dy < f && y * f + dy < H; dy++)
                    for (int dx = 0; dx < f && x * f + dx < W; dx++, cnt++)
                        sum += chw[((size_t)c * H + y * f + dy) * W + x * f + dx];
                bad += im.px[((size_t)y * ow + x) * C + c] != (sum + cnt / 2) / cnt;
            }
    CHECK_MSG(bad == 0, "%d pixels differ (C=%d %dx%d max %d)", bad, C, H, W, max_side);
    lc_image_free(&im);
    free(png);
    free(chw);
}

static void test_png(void)
{
    png_roundtrip(1, 28, 28, 64);   /* MNIST: as is */
    png_roundtrip(3, 70, 100, 64);  /* RGB, halved */
    png_roundtrip(3, 1, 1, 64);     /* one pixel */
    png_roundtrip(4, 13, 9, 4);     /* RGBA, factor 4 with ragged edges */
    png_roundtrip(2, 5, 7, 64);     /* grey + alpha */
    png_roundtrip(1, 300, 250, 300); /* > 65535 bytes: several stored blocks */
    size_t len;
    CHECK(rep_png((const unsigned char *)"x", 5, 1, 1, 64, &len) == NULL);
}

static int xml_ok(const char *s)
{
    xmlDocPtr d = xmlReadMemory(s, (int)strlen(s), "chart.svg", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    int ok = d != NULL;
    xmlFreeDoc(d);
    return ok;
}

static void test_svg(void)
{
    double a[5] = {1.0, 0.8, NAN, 0.5, 0.4}, b[5] = {1.1, 0.9, 0.7, 0.6, 0.55};
    rep_series s[2] = {{"training", a, 5, 0}, {"test <&>", b, 5, 2}};
    char *svg = rep_svg_lines("loss & <more>", "epoch", "loss", s, 2, 4);
    CHECK(svg && xml_ok(svg));
    CHECK(svg && strstr(svg, "loss &amp; &lt;more&gt;") && !strstr(svg, "<more>"));
    CHECK(svg && strstr(svg, "test &lt;&amp;&gt;"));
    CHECK_MSG(svg && strstr(svg, REP_GREEN) && !strstr(svg, REP_ORANGE), "colour follows the split");
    CHECK_MSG(svg && count(svg, "<polyline") == 3, "NaN splits the training line in two");
    CHECK(svg && strstr(svg, "best epoch 4"));
    free(svg);
    double one[1] = {0.5};
    rep_series s1 = {"training", one, 1, 0};
    svg = rep_svg_lines("one epoch", "epoch", "accuracy", &s1, 1, 1);
    CHECK(svg && xml_ok(svg));
    free(svg);
    const char *lab[3] = {"<b>", "a very long class name indeed", "\xc3\xa4\xc3\xb6\xc3\xbc"};
    double v[3] = {0.5, 0, 1.25};
    svg = rep_svg_hbars("entropy", "nats", lab, v, 3, 4);
    CHECK(svg && xml_ok(svg) && strstr(svg, "&lt;b&gt;") && strstr(svg, "1.2500"));
    free(svg);
    svg = rep_svg_dual("F1 vs frequency", "class", lab, 3, v, "F1 score", b, "frequency");
    CHECK(svg && xml_ok(svg));
    free(svg);
}

/* A synthetic run: K classes, N evaluated rows (every 7th wrong), E epochs. */
static void test_page(int K, size_t N, int E, int with_images, int with_names)
{
    char **names = calloc((size_t)K, sizeof *names);
    int64_t *freq = calloc((size_t)K, sizeof *freq);
    for (int k = 0; k < K; k++) {
        names[k] = malloc(64);
        if (k == 0)
            snprintf(names[k], 64, "<script>alert(1)</script>");
        else if (k == 1)
            snprintf(names[k], 64, "a&b \"quoted\"");
        else if (k == 3)
            snprintf(names[k], 64, "\xc3\xbcn\xc3\xaf"); /* UTF-8 stays UTF-8 */
        else
            snprintf(names[k], 64, "class_%d", k);
        freq[k] = 1000 - k;
    }
    int32_t *lab = malloc(N * sizeof *lab), *pred = malloc(N * sizeof *pred);
    int32_t *rows = malloc(N * sizeof *rows);
    long *lines = malloc(N * sizeof *lines);
    float *prob = calloc(N * (size_t)K, sizeof *prob);
    unsigned char *img = with_images ? malloc(N * 28 * 28) : NULL;
    cJSON *cm = cJSON_CreateArray();
    long long *cmv = calloc((size_t)K * K, sizeof *cmv);
    for (size_t i = 0; i < N; i++) {
        lab[i] = (int32_t)(i % (size_t)K);
        pred[i] = i % 7 == 0 ? (lab[i] + 1) % K : lab[i];
        rows[i] = (int32_t)i;
        lines[i] = (long)i + 2;
        for (int k = 0; k < K; k++)
            prob[i * K + k] = k == pred[i] ? 0.5f + (float)(i % 100) / 250 : 0.01f;
        cmv[(size_t)lab[i] * K + pred[i]]++;
        if (img)
            memset(img + i * 784, (int)(i & 255), 784);
    }
    cJSON *ts = cJSON_CreateObject(), *comb = cJSON_AddObjectToObject(ts, "combined");
    cJSON_AddItemToObject(comb, "loss", lc_json_float(0.25));
    cJSON *f = cJSON_AddObjectToObject(ts, "label");
    cJSON_AddItemToObject(f, "accuracy", lc_json_float(0.857142857));
    cJSON_AddItemToObject(f, "loss", lc_json_float(0.25));
    for (int i = 0; i < K; i++) {
        cJSON *r = cJSON_CreateArray();
        for (int j = 0; j < K; j++)
            cJSON_AddItemToArray(r, lc_json_int(cmv[(size_t)i * K + j]));
        cJSON_AddItemToArray(cm, r);
    }
    cJSON_AddItemToObject(f, "confusion_matrix", cm);
    cJSON *os = cJSON_AddObjectToObject(f, "overall_stats");
    cJSON_AddItemToObject(os, "kappa_score", lc_json_float(0.8));
    cJSON *pcs = cJSON_AddObjectToObject(f, "per_class_stats");
    for (int k = 0; k < K; k++) {
        cJSON *c = cJSON_AddObjectToObject(pcs, names[k]);
        cJSON_AddItemToObject(c, "f1_score", lc_json_float(k == 2 ? NAN : 0.5 + k * 0.01));
        cJSON_AddItemToObject(c, "precision", lc_json_float(0.5));
        cJSON_AddItemToObject(c, "recall", lc_json_float(0.5));
        cJSON_AddItemToObject(c, "specificity", lc_json_float(0.9));
        cJSON_AddItemToObject(c, "true_positives", lc_json_int(10));
        cJSON_AddItemToObject(c, "false_positives", lc_json_int(2));
        cJSON_AddItemToObject(c, "false_negatives", lc_json_int(3));
    }
    cJSON *tr = cJSON_CreateObject();
    static const char *const sp[3] = {"training", "validation", "test"};
    for (int s = 0; s < 3; s++) {
        cJSON *so = cJSON_AddObjectToObject(tr, sp[s]);
        cJSON *lf = cJSON_AddObjectToObject(so, "label"), *cf = cJSON_AddObjectToObject(so, "combined");
        cJSON *l1 = cJSON_AddArrayToObject(lf, "accuracy"), *l2 = cJSON_AddArrayToObject(lf, "loss");
        cJSON *l3 = cJSON_AddArrayToObject(cf, "loss");
        for (int ep = 0; ep < E; ep++) {
            cJSON_AddItemToArray(l1, lc_json_float(0.1 + 0.05 * ep + 0.01 * s));
            cJSON_AddItemToArray(l2, lc_json_float(2.0 / (ep + 1) + 0.1 * s));
            cJSON_AddItemToArray(l3, lc_json_float(2.0 / (ep + 1) + 0.1 * s));
        }
    }
    cJSON *summary = cJSON_CreateObject();
    cJSON_AddItemToObject(summary, "epochs run", lc_json_int(E));
    cJSON_AddStringToObject(summary, "dataset", "data <&> \"x\".csv");
    lc_report_output out0 = {.name = "label", .type = LC_REPORT_CATEGORY, .nclasses = K,
                             .class_names = (const char *const *)names, .class_freq = freq,
                             .labels = lab, .preds = pred, .probs = prob};
    lc_report_info in0 = {.title = "Ludwig Experiment", .input_feature = "image_path",
                         .eval_split = "test", .test_stats = ts, .train_stats = tr,
                         .summary = summary, .best_epoch = E - 1, .nout = 1, .outputs = &out0,
                         .n_eval = N, .eval_rows = rows, .row_lines = lines, .images = img,
                         .C = 1, .H = 28, .W = 28};
    /* without a vocabulary: indices, never guessed names */
    lc_report_output out1 = {.name = "label", .type = LC_REPORT_CATEGORY};
    lc_report_info in1 = {.title = "Ludwig Evaluate", .test_stats = ts, .summary = summary,
                          .nout = 1, .outputs = &out1};
    lc_report_info in = with_names ? in0 : in1;
    char path[512];
    snprintf(path, sizeof path, "%s/report_%d_%d.html", tmpdir, K, with_names);
    lc_error e = {0};
    double t0 = now_s();
    lc_status st = lc_report_write(path, &in, &e);
    double dt = now_s() - t0;
    CHECK_MSG(st == LC_OK, "%s", e.msg);
    size_t n = 0;
    char *html = check_slurp(path, &n);
    CHECK(html != NULL);
    printf("test_report: %d classes, %zu rows, %d epochs: %zu bytes in %.3f s\n", K, N, E, n, dt);
    CHECK_MSG(n < 1500000, "page weight %zu bytes", n);
#ifndef LC_SANITIZED
    CHECK_MSG(dt < 1.0, "report took %.3f s", dt);
#endif
    if (html && !with_names) {
        CHECK(strstr(html, ">#0<") && strstr(html, "Class names were not available"));
        CHECK(strstr(html, ">class_5<")); /* the per-class table keeps the stats' own keys */
        CHECK(!strstr(html, "frequency_vs_f1") && !strstr(html, "class=\"card\""));
        CHECK(!strstr(html, "<script>alert"));
        CHECK(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
    if (html && with_names) {
        CHECK(!strstr(html, "<script>alert"));
        CHECK(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
        CHECK(strstr(html, "a&amp;b \"quoted\"") || strstr(html, "a&amp;b &quot;quoted&quot;"));
        CHECK(strstr(html, "data &lt;&amp;&gt; \"x\".csv"));
        CHECK(strstr(html, ">\xc3\xbcn\xc3\xaf<"));
        CHECK(strstr(html, "charset=UTF-8"));
        CHECK(count(html, "<script") == 1); /* only the sort script, as a data: URL */
        CHECK(!strstr(html, "<style"));
        CHECK(!strstr(html, "<svg")); /* charts are images */
        CHECK(strstr(html, "<title>Ludwig Experiment</title>"));
        CHECK(strstr(html, "<h1>Ludwig Experiment</h1>"));
        static const char *const heads[] = {"Run summary", "Combined loss",
                                            "<h2>label (category)</h2>",
                                            "Test metrics", "Per-class statistics",
                                            "Confusion matrix", "F1 vs frequency",
                                            "learning_curves_combined_loss",
                                            "learning_curves_label_accuracy",
                                            "confusion_matrix__label_top10",
                                            "confusion_matrix_entropy__label_top10",
                                            "frequency_vs_f1__label",
                                            "Most confidently wrong predictions"};
        for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
            CHECK_MSG(strstr(html, heads[i]) != NULL, "missing %s", heads[i]);
        char all[64];
        snprintf(all, sizeof all, "all %d classes", K);
        CHECK((K > 10 && K <= 40) == (strstr(html, all) != NULL));
        CHECK((K > 40) == (strstr(html, "The whole ") != NULL)); /* n^2 cells only up to 40 */
        CHECK_MSG(count(html, "class=\"card\"") == (N / 7 + 1 < 24 ? N / 7 + 1 : 24), "gallery");
        CHECK((count(html, "data:image/png;base64,") > 0) == (img != NULL));
        /* F1 NaN shows as NaN in the table and counts as 0 for the F1 plot */
        CHECK(strstr(html, ">NaN<"));
    }
    free(html);
    /* a missing directory: LC_ERR_IO, nothing left behind */
    snprintf(path, sizeof path, "%s/absent/report.html", tmpdir);
    lc_error_clear(&e);
    CHECK(lc_report_write(path, &in, &e) == LC_ERR_IO);
    CHECK(strstr(e.msg, "absent/report.html") != NULL);
    CHECK(access(path, F_OK) != 0);
    cJSON_Delete(ts);
    cJSON_Delete(tr);
    cJSON_Delete(summary);
    for (int k = 0; k < K; k++)
        free(names[k]);
    free(names);
    free(freq);
    free(lab);
    free(pred);
    free(rows);
    free(lines);
    free(prob);
    free(img);
    free(cmv);
}

/* rowstats.c against sklearn / numpy (tests/report/rowstats_cases.json, from
 * tests/report/gen_fixtures_report.py). */
static void test_rowstats(void)
{
    lc_error e = {0};
    cJSON *root = lc_json_read_file("tests/report/rowstats_cases.json", &e);
    CHECK_MSG(root != NULL, "%s (run from the repo root)", e.msg);
    if (!root)
        return;
    const cJSON *c;
    int ncase = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "binary"))
    {
        const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
        const cJSON *pj = cJSON_GetObjectItem(c, "p"), *yj = cJSON_GetObjectItem(c, "y");
        size_t n = (size_t)cJSON_GetArraySize(pj);
        float *p = malloc(n * sizeof *p), *y = malloc(n * sizeof *y);
        for (size_t i = 0; i < n; i++) {
            p[i] = (float)cJSON_GetArrayItem(pj, (int)i)->valuedouble;
            y[i] = (float)cJSON_GetArrayItem(yj, (int)i)->valuedouble;
        }
        int64_t cnt[10];
        double mp[10], obs[10];
        rep_calibration(p, y, n, 10, cnt, mp, obs);
        /* sklearn returns the non-empty bins only */
        const cJSON *pt = cJSON_GetObjectItem(c, "prob_true");
        const cJSON *pp = cJSON_GetObjectItem(c, "prob_pred");
        const cJSON *cj = cJSON_GetObjectItem(c, "counts");
        int j = 0;
        for (int b = 0; b < 10; b++) {
            CHECK_MSG(cnt[b] == cJSON_GetArrayItem(cj, b)->valueint, "%s: bin %d has %lld rows",
                      name, b, (long long)cnt[b]);
            if (!cnt[b]) {
                CHECK(isnan(mp[b]) && isnan(obs[b]));
                continue;
            }
            CHECK_CLOSE(mp[b], cJSON_GetArrayItem(pp, j)->valuedouble, 0, 1e-15);
            CHECK_CLOSE(obs[b], cJSON_GetArrayItem(pt, j)->valuedouble, 0, 1e-15);
            j++;
        }
        CHECK_MSG(j == cJSON_GetArraySize(pt), "%s: %d non-empty bins", name, j);
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItem(c, "thresholds"))
        {
            rep_confusion r;
            double thr = cJSON_GetObjectItem(t, "t")->valuedouble;
            rep_threshold(p, y, n, thr, &r);
            CHECK_MSG(r.tp == cJSON_GetObjectItem(t, "tp")->valueint &&
                          r.fp == cJSON_GetObjectItem(t, "fp")->valueint &&
                          r.fn == cJSON_GetObjectItem(t, "fn")->valueint &&
                          r.tn == cJSON_GetObjectItem(t, "tn")->valueint,
                      "%s at %g: %lld %lld %lld %lld", name, thr, (long long)r.tp,
                      (long long)r.fp, (long long)r.fn, (long long)r.tn);
            CHECK_CLOSE(r.accuracy, cJSON_GetObjectItem(t, "accuracy")->valuedouble, 0, 1e-15);
            CHECK_CLOSE(r.precision, cJSON_GetObjectItem(t, "precision")->valuedouble, 0, 1e-15);
            CHECK_CLOSE(r.recall, cJSON_GetObjectItem(t, "recall")->valuedouble, 0, 1e-15);
            CHECK_CLOSE(r.f1, cJSON_GetObjectItem(t, "f1")->valuedouble, 0, 1e-15);
        }
        free(p);
        free(y);
        ncase++;
    }
    CHECK(ncase == 3);
    ncase = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "histogram"))
    {
        const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
        const cJSON *vj = cJSON_GetObjectItem(c, "v");
        size_t n = (size_t)cJSON_GetArraySize(vj);
        int nb = cJSON_GetObjectItem(c, "bins")->valueint;
        double *v = malloc(n * sizeof *v), *edges = malloc((size_t)(nb + 1) * sizeof *edges);
        int64_t *counts = malloc((size_t)nb * sizeof *counts);
        for (size_t i = 0; i < n; i++)
            v[i] = cJSON_GetArrayItem(vj, (int)i)->valuedouble;
        rep_histogram(v, n, nb, edges, counts);
        const cJSON *ej = cJSON_GetObjectItem(c, "edges"), *cj = cJSON_GetObjectItem(c, "counts");
        for (int b = 0; b <= nb; b++)
            CHECK_MSG(edges[b] == cJSON_GetArrayItem(ej, b)->valuedouble, "%s: edge %d = %.17g",
                      name, b, edges[b]);
        for (int b = 0; b < nb; b++)
            CHECK_MSG(counts[b] == cJSON_GetArrayItem(cj, b)->valueint, "%s: bin %d has %lld",
                      name, b, (long long)counts[b]);
        free(v);
        free(edges);
        free(counts);
        ncase++;
    }
    CHECK(ncase == 4);
    cJSON_Delete(root);
    /* subsample: all rows up to max, else max rows spread evenly, first row first */
    size_t idx[2000];
    CHECK(rep_subsample(5, 2000, idx) == 5 && idx[0] == 0 && idx[4] == 4);
    CHECK(rep_subsample(10000, 2000, idx) == 2000 && idx[0] == 0 && idx[1] == 5 &&
          idx[1999] == 9995);
    CHECK(rep_subsample(2001, 2000, idx) == 2000 && idx[1999] == 1999 && idx[1000] == 1000);
}

/* A run with a category, a binary and a number output (hostile names), N evaluated rows. */
static void test_outputs_page(size_t N)
{
    const char *cls[3] = {"a", "b<i>", "c"};
    int64_t freq[3] = {5, 4, 3};
    int32_t *lab = malloc(N * sizeof *lab), *pred = malloc(N * sizeof *pred);
    int32_t *rows = malloc(N * sizeof *rows);
    float *prob3 = malloc(N * 3 * sizeof *prob3), *pb = malloc(N * sizeof *pb);
    float *yb = malloc(N * sizeof *yb), *yn = malloc(N * sizeof *yn);
    float *pn = malloc(N * sizeof *pn);
    for (size_t i = 0; i < N; i++) {
        lab[i] = (int32_t)(i % 3);
        pred[i] = i % 5 == 0 ? (lab[i] + 1) % 3 : lab[i];
        for (int k = 0; k < 3; k++)
            prob3[i * 3 + k] = k == pred[i] ? 0.8f : 0.1f;
        rows[i] = (int32_t)i;
        yb[i] = (float)(i % 2);
        pb[i] = (float)((i * 37) % 101) / 100.0f;
        yn[i] = (float)(i % 50) * 2.5f;
        pn[i] = yn[i] + (float)((int)(i % 13) - 6);
    }
    cJSON *ts = cJSON_CreateObject();
    cJSON_AddItemToObject(cJSON_AddObjectToObject(ts, "combined"), "loss", lc_json_float(1.5));
    cJSON *fc = cJSON_AddObjectToObject(ts, "label");
    cJSON_AddItemToObject(fc, "accuracy", lc_json_float(0.8));
    cJSON *fb = cJSON_AddObjectToObject(ts, "is <b>");
    cJSON_AddItemToObject(fb, "accuracy", lc_json_float(0.5));
    cJSON_AddItemToObject(fb, "roc_auc", lc_json_float(0.625));
    cJSON_AddItemToObject(fb, "average_precision_macro", lc_json_float(0.5625));
    cJSON *cm = cJSON_AddArrayToObject(fb, "confusion_matrix");
    for (int i = 0; i < 2; i++) {
        cJSON *r = cJSON_CreateArray();
        cJSON_AddItemToArray(r, lc_json_int(10 + i));
        cJSON_AddItemToArray(r, lc_json_int(20 - i));
        cJSON_AddItemToArray(cm, r);
    }
    cJSON *roc = cJSON_AddObjectToObject(fb, "roc_curve");
    cJSON *fpr = cJSON_AddArrayToObject(roc, "false_positive_rate");
    cJSON *tpr = cJSON_AddArrayToObject(roc, "true_positive_rate");
    cJSON *prc = cJSON_AddObjectToObject(fb, "precision_recall_curve");
    cJSON *pr = cJSON_AddArrayToObject(prc, "precisions");
    cJSON *rc = cJSON_AddArrayToObject(prc, "recalls");
    for (int i = 0; i <= 4; i++) {
        cJSON_AddItemToArray(fpr, lc_json_float(i / 4.0));
        cJSON_AddItemToArray(tpr, lc_json_float(sqrt(i / 4.0)));
        cJSON_AddItemToArray(pr, lc_json_float(0.5 + i / 8.0));
        cJSON_AddItemToArray(rc, lc_json_float(1 - i / 4.0));
    }
    cJSON *fn = cJSON_AddObjectToObject(ts, "y&z");
    cJSON_AddItemToObject(fn, "mean_absolute_error", lc_json_float(3.25));
    cJSON_AddItemToObject(fn, "root_mean_squared_error", lc_json_float(3.75));
    cJSON_AddItemToObject(fn, "r2", lc_json_float(0.96875));
    cJSON *tr = cJSON_CreateObject();
    static const char *const sp[3] = {"training", "validation", "test"};
    static const char *const fe[4] = {"combined", "label", "is <b>", "y&z"};
    for (int s = 0; s < 3; s++) {
        cJSON *so = cJSON_AddObjectToObject(tr, sp[s]);
        for (int f = 0; f < 4; f++) {
            cJSON *l = cJSON_AddArrayToObject(cJSON_AddObjectToObject(so, fe[f]), "loss");
            for (int ep = 0; ep < 3; ep++)
                cJSON_AddItemToArray(l, lc_json_float(1.0 / (ep + 1) + f + 0.1 * s));
        }
    }
    lc_report_output outs[3] = {
        {.name = "label", .type = LC_REPORT_CATEGORY, .nclasses = 3, .class_names = cls,
         .class_freq = freq, .labels = lab, .preds = pred, .probs = prob3},
        {.name = "is <b>", .type = LC_REPORT_BINARY, .bool_names = {"no", "yes & <sure>"},
         .threshold = 0.5, .probs = pb, .targets = yb},
        {.name = "y&z", .type = LC_REPORT_NUMBER, .normalization = "zscore", .targets = yn,
         .predictions = pn}};
    lc_report_info in = {.title = "Ludwig Experiment", .eval_split = "test", .test_stats = ts,
                         .train_stats = tr, .best_epoch = 2, .nout = 3, .outputs = outs,
                         .n_eval = N, .eval_rows = rows};
    char path[512];
    snprintf(path, sizeof path, "%s/outputs_%zu.html", tmpdir, N);
    lc_error e = {0};
    double t0 = now_s();
    CHECK_MSG(lc_report_write(path, &in, &e) == LC_OK, "%s", e.msg);
    double dt = now_s() - t0;
    size_t n = 0;
    char *html = check_slurp(path, &n);
    CHECK(html != NULL);
    printf("test_report: 3 outputs, %zu rows: %zu bytes in %.3f s\n", N, n, dt);
    CHECK_MSG(n < 1500000, "page weight %zu bytes", n);
#ifndef LC_SANITIZED
    CHECK_MSG(dt < 1.0, "report took %.3f s", dt);
#endif
    if (html) {
        /* one section per output, config order, titled name (type), names escaped */
        const char *h_cat = strstr(html, "<h2>label (category)</h2>");
        const char *h_bin = strstr(html, "<h2>is &lt;b&gt; (binary)</h2>");
        const char *h_num = strstr(html, "<h2>y&amp;z (number)</h2>");
        CHECK(h_cat && h_bin && h_num && h_cat < h_bin && h_bin < h_num);
        CHECK(!strstr(html, "is <b>") && !strstr(html, "b<i>") && !strstr(html, "<sure>"));
        CHECK(strstr(html, "b&lt;i&gt;") && strstr(html, "yes &amp; &lt;sure&gt;"));
        CHECK(count(html, "id=\"o0\"") == 1 && count(html, "id=\"o1\"") == 1 &&
              count(html, "id=\"o2\"") == 1);
        CHECK(strstr(html, "href=\"#o2\""));
        static const char *const want[] = {
            "roc_curves_from_prediction_statistics",
            "precision_recall_curves_from_prediction_statistics", "Calibration (reliability)",
            "Threshold table", "0.5 (feature threshold)", "confusion_matrix__is &lt;b&gt;_top2",
            "predicted_vs_true__y&amp;z", "residuals__y&amp;z", "residual_histogram__y&amp;z",
            "MAE (mean_absolute_error)", "zscore-normalised", "learning_curves_y&amp;z_loss",
            "learning_curves_is &lt;b&gt;_loss", "learning_curves_combined_loss",
            "Most confidently wrong predictions"};
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
            CHECK_MSG(strstr(html, want[i]) != NULL, "missing %s", want[i]);
        /* ROC AUC in the chart title and its exact value in the table */
        CHECK(strstr(html, "title=\"0.625\""));
        CHECK(strstr(html, "title=\"3.25\"") && strstr(html, "title=\"0.96875\""));
        if (N > 2000)
            CHECK(strstr(html, "show 2000 of the"));
        else
            CHECK(!strstr(html, "show 2000 of the"));
        /* the accuracy wording of category outputs stays in the footer */
        CHECK(strstr(html, "macro average of per-class recall"));
    }
    free(html);
    /* a failed fill is an error */
    in.fill_failed = 1;
    lc_error_clear(&e);
    CHECK(lc_report_write(path, &in, &e) == LC_ERR_NOMEM);
    in.owned = lc_alloc(16, 1);
    in.fill_failed = 0;
    lc_report_release(&in);
    CHECK(in.owned == NULL && in.outputs == NULL && in.nout == 0);
    lc_report_release(&in);
    cJSON_Delete(ts);
    cJSON_Delete(tr);
    free(lab);
    free(pred);
    free(rows);
    free(prob3);
    free(pb);
    free(yb);
    free(yn);
    free(pn);
}

/* Scatter points are one path of zero-length segments: one "h0" per finite point. */
static void test_svg_xy(void)
{
    double x[5] = {0, 1, NAN, 3, 4}, y[5] = {1, 2, 3, INFINITY, 5};
    const char *lab[5] = {"n<1>", NULL, "c", "d", "e"};
    rep_xy s[2] = {{"rows & more", x, y, 5, REP_XY_POINTS, 0, lab},
                   {NULL, x, y, 5, REP_XY_STEP, 3, NULL}};
    char *svg = rep_svg_xy("x <y>", "x", "y", s, 2, NULL);
    CHECK(svg && xml_ok(svg));
    CHECK(svg && count(svg, "h0") == 3);
    CHECK(svg && strstr(svg, "n&lt;1&gt;") && strstr(svg, "rows &amp; more"));
    free(svg);
    double edges[4] = {-1, 0, 1, 2};
    int64_t counts[3] = {3, 0, 7};
    svg = rep_svg_histogram("h", "residual", edges, counts, 3);
    CHECK(svg && xml_ok(svg) && count(svg, "fill=\"" REP_BLUE "\"") == 2);
    free(svg);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_base64();
    test_png();
    test_svg();
    test_svg_xy();
    test_rowstats();
    test_page(10, 10000, 15, 1, 1);
    test_page(30, 500, 3, 0, 1);
    test_page(200, 1000, 2, 0, 1);
    test_page(12, 100, 2, 0, 0);
    test_outputs_page(300);
    test_outputs_page(10000);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_report: could not remove %s\n", tmpdir);
    return check_exit("test_report");
}
