/* test_image.c - lc_image: PNG/JPEG decode (grey, RGB, RGBA) and channel conversion, directory and
 * zip sources (lookup rules, path traversal refused, missing entry, corrupt/empty/truncated
 * images), resize (constant stays constant, known downscale, upstream crop_or_pad geometry),
 * NCHW layout, first-failure-in-row-order reporting and 1 vs 3 thread determinism.
 * Every input is generated here, in a temporary directory (JPEG bytes come from
 * tests/data/io/jpeg_samples.h). */
#include "check.h"
#include "lc_error.h"
#include "lc_image.h"
#include "lc_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include <stb_image_write.h>
#pragma GCC diagnostic pop

#include "../data/io/jpeg_samples.h" /* stbi_write_jpg is not UBSan-clean, so JPEGs are embedded */

static char tmpdir[] = "/tmp/lc_test_image_XXXXXX";

static const char *tmp(const char *name)
{
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", tmpdir, name);
    return path[k];
}

/* Deterministic test pattern (h, w, c). */
static unsigned char *pattern(int h, int w, int c, int seed)
{
    unsigned char *p = malloc((size_t)h * w * c);
    for (int i = 0; i < h * w * c; i++)
        p[i] = (unsigned char)((i * 37 + seed * 101 + (i / c) * 13) & 0xff);
    return p;
}

static unsigned char *png_mem(const unsigned char *px, int h, int w, int c, int *len)
{
    return stbi_write_png_to_mem(px, w * c, w, h, c, len);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fwrite(data, 1, len, f);
    fclose(f);
}

static lc_status read_decode(lc_image_source *s, const char *path, int channels, lc_image *im, lc_error *e)
{
    unsigned char *b = NULL;
    size_t n = 0;
    lc_error_clear(e);
    memset(im, 0, sizeof *im);
    lc_status st = lc_image_source_read(s, 0, path, &b, &n, e);
    if (st == LC_OK)
        st = lc_image_decode(b, n, channels, path, im, e);
    free(b);
    return st;
}

static void test_decode_dir(void)
{
    int h = 5, w = 7;
    unsigned char *g = pattern(h, w, 1, 1), *rgb = pattern(h, w, 3, 2), *rgba = pattern(h, w, 4, 3);
    CHECK(stbi_write_png(tmp("g.png"), w, h, 1, g, w));
    CHECK(stbi_write_png(tmp("rgb.png"), w, h, 3, rgb, w * 3));
    CHECK(stbi_write_png(tmp("rgba.png"), w, h, 4, rgba, w * 4));
    write_bytes(tmp("flat.jpg"), jpeg_flat_rgb, sizeof jpeg_flat_rgb);
    write_bytes(tmp("ramp.jpg"), jpeg_ramp_grey, sizeof jpeg_ramp_grey);

    lc_error e;
    lc_error_clear(&e);
    lc_image_source *s = NULL;
    CHECK(lc_image_source_open_dir(tmpdir, &s, &e) == LC_OK);
    if (!s)
        goto free_patterns;
    lc_image im;
    CHECK(read_decode(s, "g.png", 0, &im, &e) == LC_OK);
    CHECK(im.h == h && im.w == w && im.c == 1 && memcmp(im.px, g, (size_t)h * w) == 0);
    lc_image_free(&im);
    CHECK(read_decode(s, "rgb.png", 0, &im, &e) == LC_OK);
    CHECK(im.c == 3 && memcmp(im.px, rgb, (size_t)h * w * 3) == 0);
    lc_image_free(&im);
    CHECK(read_decode(s, "rgba.png", 0, &im, &e) == LC_OK);
    CHECK(im.c == 4 && memcmp(im.px, rgba, (size_t)h * w * 4) == 0);
    lc_image_free(&im);

    /* channel conversion (stb's): RGB -> grey is (77R + 150G + 29B) >> 8 */
    CHECK(read_decode(s, "rgb.png", 1, &im, &e) == LC_OK);
    int ok = im.c == 1;
    for (int i = 0; ok && i < h * w; i++)
        ok = im.px[i] == ((77 * rgb[i * 3] + 150 * rgb[i * 3 + 1] + 29 * rgb[i * 3 + 2]) >> 8);
    CHECK(ok);
    lc_image_free(&im);
    CHECK(read_decode(s, "g.png", 3, &im, &e) == LC_OK); /* grey replicated */
    ok = im.c == 3;
    for (int i = 0; ok && i < h * w; i++)
        ok = im.px[i * 3] == g[i] && im.px[i * 3 + 1] == g[i] && im.px[i * 3 + 2] == g[i];
    CHECK(ok);
    lc_image_free(&im);
    CHECK(read_decode(s, "rgba.png", 3, &im, &e) == LC_OK); /* alpha dropped */
    ok = im.c == 3;
    for (int i = 0; ok && i < h * w; i++)
        ok = memcmp(im.px + i * 3, rgba + i * 4, 3) == 0;
    CHECK(ok);
    lc_image_free(&im);
    CHECK(read_decode(s, "g.png", 4, &im, &e) == LC_OK); /* opaque alpha added */
    CHECK(im.c == 4 && im.px[3] == 255 && im.px[0] == g[0]);
    lc_image_free(&im);

    /* JPEG: lossy, so a flat colour within a few levels */
    CHECK(read_decode(s, "flat.jpg", 0, &im, &e) == LC_OK);
    CHECK(im.c == 3 && im.h == 8 && im.w == 8);
    if (im.px) {
        CHECK_CLOSE(im.px[0], 200, 3, 0);
        CHECK_CLOSE(im.px[1], 100, 3, 0);
        CHECK_CLOSE(im.px[2], 50, 3, 0);
        CHECK_CLOSE(im.px[(5 * 8 + 6) * 3 + 1], 100, 3, 0);
    }
    lc_image_free(&im);
    CHECK(read_decode(s, "ramp.jpg", 1, &im, &e) == LC_OK); /* stored as YCbCr, read as grey */
    CHECK(im.c == 1 && im.h == 8 && im.w == 8);
    for (int i = 0; im.px && i < 64; i++)
        CHECK_CLOSE(im.px[i], 40 + 20 * (i % 8), 6, 0);
    lc_image_free(&im);
    CHECK(read_decode(s, "ramp.jpg", 3, &im, &e) == LC_OK);
    CHECK(im.c == 3 && im.px && abs(im.px[3 * 3] - im.px[3 * 3 + 2]) <= 3);
    lc_image_free(&im);

    /* header-only info */
    unsigned char *b;
    size_t n;
    int ih, iw, ic;
    lc_error_clear(&e);
    CHECK(lc_image_source_read(s, 0, "rgba.png", &b, &n, &e) == LC_OK);
    CHECK(lc_image_info(b, n, "'rgba.png'", &ih, &iw, &ic, &e) == LC_OK && ih == h && iw == w && ic == 4);
    free(b);

    /* errors */
    write_bytes(tmp("empty.png"), "", 0);
    write_bytes(tmp("text.png"), "hello, not an image\n", 20);
    int plen;
    unsigned char *png = png_mem(rgb, h, w, 3, &plen);
    write_bytes(tmp("trunc.png"), png, (size_t)plen / 2);
    free(png);
    unsigned char *wide = calloc(8193, 1);
    CHECK(stbi_write_png(tmp("wide.png"), 8193, 1, 1, wide, 8193));
    free(wide);
    CHECK(read_decode(s, "empty.png", 0, &im, &e) == LC_ERR_DATA && strstr(e.msg, "is empty (0 bytes)"));
    CHECK(read_decode(s, "text.png", 0, &im, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "not a readable image: unknown image type"), "%s", e.msg);
    CHECK(read_decode(s, "trunc.png", 0, &im, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "trunc.png cannot be decoded:"), "%s", e.msg);
    CHECK(read_decode(s, "wide.png", 0, &im, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "is 8193x1 (width x height); images are limited to 8192x8192"), "%s", e.msg);
    CHECK(read_decode(s, "nope.png", 0, &im, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "image 'nope.png' not found"), "%s", e.msg);
    CHECK(read_decode(s, "", 0, &im, &e) == LC_ERR_DATA && strstr(e.msg, "empty image path"));
    lc_image_source_close(s);

    lc_error_clear(&e);
    CHECK(lc_image_source_open_dir(tmp("no_such_dir"), &s, &e) == LC_ERR_IO && s == NULL);
    CHECK(strstr(e.msg, "cannot be used") != NULL);
free_patterns:
    free(g);
    free(rgb);
    free(rgba);
}

static void add_entry(zip_t *z, const char *name, const void *data, size_t len, int take)
{
    zip_source_t *src = zip_source_buffer(z, data, len, take);
    if (!src || zip_file_add(z, name, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0) {
        fprintf(stderr, "zip_add %s: %s\n", name, zip_strerror(z));
        zip_source_free(src);
    }
}

static const char *make_zip(const char *name, const char *prefix)
{
    const char *path = tmp(name);
    int err;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z)
        return path;
    static const char junk[] = "definitely not a png file";
    char full[128];
    for (int d = 0; d < 3; d++) {
        unsigned char *px = pattern(6 + d, 4 + d, 1, d);
        int len;
        unsigned char *png = png_mem(px, 6 + d, 4 + d, 1, &len);
        snprintf(full, sizeof full, "%straining/%d/%d.png", prefix, d, d * 10);
        add_entry(z, full, png, (size_t)len, 1);
        free(px);
    }
    snprintf(full, sizeof full, "%s../evil.png", prefix);
    add_entry(z, full, junk, sizeof junk, 0);
    snprintf(full, sizeof full, "%sbad.png", prefix);
    add_entry(z, full, junk, sizeof junk, 0);
    snprintf(full, sizeof full, "%sempty.png", prefix);
    add_entry(z, full, junk, 0, 0);
    if (zip_close(z) != 0) {
        fprintf(stderr, "zip_close: %s\n", zip_strerror(z));
        zip_discard(z);
    }
    return path;
}

static void test_zip(void)
{
    const char *path = make_zip("imgs.zip", "");
    lc_error e;
    lc_error_clear(&e);
    lc_image_source *s = NULL;
    CHECK(lc_image_source_open_zip(path, &s, &e) == LC_OK);
    if (!s)
        return;
    CHECK(strcmp(lc_image_source_name(s), "imgs.zip") == 0);
    lc_image im;
    CHECK(read_decode(s, "training/1/10.png", 0, &im, &e) == LC_OK);
    CHECK(im.h == 7 && im.w == 5 && im.c == 1);
    lc_image_free(&im);
    CHECK(read_decode(s, "./training/2/20.png", 0, &im, &e) == LC_OK && im.h == 8);
    lc_image_free(&im);
    CHECK(read_decode(s, "training/3/12.png", 0, &im, &e) == LC_ERR_DATA);
    CHECK_MSG(strcmp(e.msg, "image 'training/3/12.png' not found in imgs.zip") == 0, "%s", e.msg);
    CHECK(read_decode(s, "../evil.png", 0, &im, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "image path '../evil.png' is absolute or contains '..'"), "%s", e.msg);
    CHECK(read_decode(s, "training/../../evil.png", 0, &im, &e) == LC_ERR_DATA && strstr(e.msg, "contains '..'"));
    CHECK(read_decode(s, "/etc/passwd", 0, &im, &e) == LC_ERR_DATA && strstr(e.msg, "is absolute"));
    CHECK(read_decode(s, "bad.png", 0, &im, &e) == LC_ERR_DATA);
    CHECK_MSG(strstr(e.msg, "bad.png is not a readable image: unknown image type"), "%s", e.msg);
    CHECK(read_decode(s, "empty.png", 0, &im, &e) == LC_ERR_DATA && strstr(e.msg, "empty (0 bytes)"));

    /* sniff + summary: sizes 6x4, 7x5, 8x6 */
    const char *paths[3] = {"training/0/0.png", "training/1/10.png", "training/2/20.png"};
    lc_image_dims d[3];
    lc_error_clear(&e);
    CHECK(lc_image_sniff(s, paths, NULL, 3, d, &e) == LC_OK);
    CHECK(d[0].h == 6 && d[0].w == 4 && d[2].h == 8 && d[2].c == 1);
    int mh, mw, fc, mc;
    lc_image_dims_summary(d, 3, &mh, &mw, &fc, &mc);
    CHECK(mh == 7 && mw == 5 && fc == 1 && mc == 1);
    lc_image_dims two[2] = {{3, 3, 3}, {4, 4, 1}}; /* mean 3.5 rounds half to even */
    lc_image_dims_summary(two, 2, &mh, &mw, &fc, &mc);
    CHECK(mh == 4 && mw == 4 && fc == 3 && mc == 1);
    const char *bad[2] = {"training/0/0.png", "nope.png"};
    long rows[2] = {41, 42};
    lc_error_clear(&e);
    CHECK(lc_image_sniff(s, bad, rows, 2, d, &e) == LC_ERR_DATA);
    CHECK_MSG(strcmp(e.msg, "line 42: image 'nope.png' not found in imgs.zip") == 0, "%s", e.msg);
    lc_image_source_close(s);

    /* a zip made from a folder: entries under "mnist/" still match "training/..." */
    path = make_zip("folder.zip", "mnist/");
    lc_error_clear(&e);
    CHECK(lc_image_source_open_zip(path, &s, &e) == LC_OK);
    if (s) {
        CHECK(read_decode(s, "training/0/0.png", 0, &im, &e) == LC_OK && im.h == 6);
        lc_image_free(&im);
        CHECK(read_decode(s, "mnist/training/0/0.png", 0, &im, &e) == LC_OK);
        lc_image_free(&im);
        lc_image_source_close(s);
    }

    write_bytes(tmp("notzip.zip"), "this is not a zip", 17);
    lc_error_clear(&e);
    CHECK(lc_image_source_open_zip(tmp("notzip.zip"), &s, &e) == LC_ERR_DATA && s == NULL);
    CHECK_MSG(strstr(e.msg, "notzip.zip: cannot open the image archive: Not a zip archive"), "%s", e.msg);
    lc_error_clear(&e);
    CHECK(lc_image_source_open_zip(tmp("missing.zip"), &s, &e) == LC_ERR_IO && s == NULL);
}

static void test_resize(void)
{
    lc_error e;
    lc_error_clear(&e);
    /* constant image stays constant, up and down, any channel count */
    unsigned char cpx[9 * 13 * 3];
    memset(cpx, 77, sizeof cpx);
    lc_image c = {9, 13, 3, cpx}, out;
    int sizes[3][2] = {{4, 5}, {20, 31}, {9, 6}};
    for (int k = 0; k < 3; k++) {
        CHECK(lc_image_resize(&c, sizes[k][0], sizes[k][1], LC_RESIZE_INTERPOLATE, &out, &e) == LC_OK);
        int ok = out.h == sizes[k][0] && out.w == sizes[k][1] && out.c == 3;
        for (int i = 0; ok && i < out.h * out.w * 3; i++)
            ok = out.px[i] == 77;
        CHECK(ok);
        lc_image_free(&out);
    }
    /* 4x4, top half 0, bottom half 200, halved: the tent filter weighs rows 1/8, 3/8, 3/8, 1/8
     * (edge clamped) -> 25 and 175 */
    unsigned char half[16];
    for (int i = 0; i < 16; i++)
        half[i] = i < 8 ? 0 : 200;
    lc_image hi = {4, 4, 1, half};
    CHECK(lc_image_resize(&hi, 2, 2, LC_RESIZE_INTERPOLATE, &out, &e) == LC_OK);
    if (out.px) {
        CHECK_CLOSE(out.px[0], 25, 1, 0);
        CHECK_CLOSE(out.px[1], 25, 1, 0);
        CHECK_CLOSE(out.px[2], 175, 1, 0);
        CHECK_CLOSE(out.px[3], 175, 1, 0);
    }
    lc_image_free(&out);
    /* a horizontal ramp 10 * x halved: interior pixels sample the ramp at 2i + 0.5 */
    unsigned char ramp[2 * 16];
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 16; x++)
            ramp[y * 16 + x] = (unsigned char)(10 * x);
    lc_image r = {2, 16, 1, ramp};
    CHECK(lc_image_resize(&r, 2, 8, LC_RESIZE_INTERPOLATE, &out, &e) == LC_OK);
    for (int i = 1; out.px && i < 7; i++)
        CHECK_CLOSE(out.px[8 + i], 20 * i + 5, 1, 0);
    lc_image_free(&out);

    /* crop_or_pad, square: 2x2 -> 4x4 edge pad by one on every side */
    unsigned char sq[4] = {1, 2, 3, 4};
    lc_image s2 = {2, 2, 1, sq};
    CHECK(lc_image_resize(&s2, 4, 4, LC_RESIZE_CROP_OR_PAD, &out, &e) == LC_OK);
    static const unsigned char pad4[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    CHECK(out.px && memcmp(out.px, pad4, 16) == 0);
    lc_image_free(&out);
    /* 6x6 -> 3x3: offset round(1.5) = 2; 4x4 -> 3x3: offset round(0.5) = 0 (half to even) */
    unsigned char six[36];
    for (int i = 0; i < 36; i++)
        six[i] = (unsigned char)i;
    lc_image s6 = {6, 6, 1, six};
    CHECK(lc_image_resize(&s6, 3, 3, LC_RESIZE_CROP_OR_PAD, &out, &e) == LC_OK);
    CHECK(out.px && out.px[0] == 2 * 6 + 2 && out.px[8] == 4 * 6 + 4);
    lc_image_free(&out);
    lc_image s4 = {4, 4, 1, six};
    CHECK(lc_image_resize(&s4, 3, 3, LC_RESIZE_CROP_OR_PAD, &out, &e) == LC_OK);
    CHECK(out.px && out.px[0] == 0 && out.px[4] == 5);
    lc_image_free(&out);
    /* non-square, as upstream: 2x4 -> 4x4 pads left/right by the height difference, then
     * center_crop zero-fills the missing rows */
    unsigned char r24[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    lc_image s24 = {2, 4, 1, r24};
    CHECK(lc_image_resize(&s24, 4, 4, LC_RESIZE_CROP_OR_PAD, &out, &e) == LC_OK);
    static const unsigned char q24[16] = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0};
    CHECK(out.px && memcmp(out.px, q24, 16) == 0);
    lc_image_free(&out);

    CHECK(lc_image_resize(&s2, 0, 4, LC_RESIZE_CROP_OR_PAD, &out, &e) == LC_ERR_DATA && out.px == NULL);
}

/* A zip of n images of varying size and colour; entry 'i.png'. */
static const char *make_batch_zip(int n)
{
    const char *path = tmp("batch.zip");
    int err;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z)
        return path;
    for (int i = 0; i < n; i++) {
        int h = 8 + i % 5, w = 9 + (i * 3) % 5, c = 1 + i % 4;
        unsigned char *px = pattern(h, w, c, i);
        int len;
        unsigned char *png = png_mem(px, h, w, c, &len);
        char name[32];
        snprintf(name, sizeof name, "%d.png", i);
        add_entry(z, name, png, (size_t)len, 1);
        free(px);
    }
    if (zip_close(z) != 0)
        zip_discard(z);
    return path;
}

static void test_batch(void)
{
    enum { N = 60, H = 10, W = 10 };
    const char *zpath = make_batch_zip(N);
    lc_error e;
    lc_error_clear(&e);
    lc_image_source *s = NULL;
    CHECK(lc_image_source_open_zip(zpath, &s, &e) == LC_OK);
    if (!s)
        return;
    char names[N][16];
    const char *paths[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "%d.png", i);
        paths[i] = names[i];
    }
    lc_image_spec spec = {H, W, 3, LC_RESIZE_INTERPOLATE, NULL};
    unsigned char *a = malloc((size_t)N * 3 * H * W), *b = malloc((size_t)N * 3 * H * W);
    CHECK(lc_image_load_batch(s, paths, NULL, N, &spec, NULL, a, &e) == LC_OK);
    lc_pool *pool = lc_pool_create(3);
    memset(b, 0xAB, (size_t)N * 3 * H * W);
    CHECK(lc_image_load_batch(s, paths, NULL, N, &spec, pool, b, &e) == LC_OK);
    CHECK(memcmp(a, b, (size_t)N * 3 * H * W) == 0);
    spec.resize = LC_RESIZE_CROP_OR_PAD;
    CHECK(lc_image_load_batch(s, paths, NULL, N, &spec, NULL, a, &e) == LC_OK);
    CHECK(lc_image_load_batch(s, paths, NULL, N, &spec, pool, b, &e) == LC_OK);
    CHECK(memcmp(a, b, (size_t)N * 3 * H * W) == 0);

    /* NCHW: an image stored as 10x10 RGB lands unchanged, channel planes first */
    int pick = -1;
    for (int i = 0; i < N && pick < 0; i++)
        if (8 + i % 5 == H && 9 + (i * 3) % 5 == W && 1 + i % 4 == 3)
            pick = i;
    CHECK(pick >= 0);
    if (pick >= 0) {
        unsigned char *px = pattern(H, W, 3, pick);
        int ok = 1;
        for (int ch = 0; ch < 3; ch++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    ok &= b[(((size_t)pick * 3 + ch) * H + y) * W + x] == px[(y * W + x) * 3 + ch];
        CHECK(ok);
        free(px);
    }

    /* first failure in row order, whatever the thread count */
    paths[41] = "missing/41.png";
    paths[7] = "training/3/12.png";
    paths[23] = "../23.png";
    long rows[N];
    for (int i = 0; i < N; i++)
        rows[i] = 100 + i;
    for (int k = 0; k < 2; k++) {
        lc_error_clear(&e);
        CHECK(lc_image_load_batch(s, paths, rows, N, &spec, k ? pool : NULL, b, &e) == LC_ERR_DATA);
        CHECK_MSG(strcmp(e.msg, "line 107: image 'training/3/12.png' not found in batch.zip") == 0, "%s", e.msg);
    }
    spec.channels = 5;
    lc_error_clear(&e);
    CHECK(lc_image_load_batch(s, paths, rows, N, &spec, pool, b, &e) == LC_ERR_INTERNAL);
    lc_pool_destroy(pool);
    lc_image_source_close(s);
    free(a);
    free(b);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_decode_dir();
    test_zip();
    test_resize();
    test_batch();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_exit("test_image");
}
