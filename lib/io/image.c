/* image.c - decodes image bytes with stb_image, fits them to (H, W) like Ludwig's resize_image()
 * (stb_image_resize for 'interpolate', upstream's pad + center_crop for 'crop_or_pad'), and
 * loads many images in parallel into one (N, C, H, W) uint8 tensor.
 *
 * Holds the only stb_image / stb_image_resize implementation in the program. Where the bytes
 * come from is zipread.c's job; normalisation to float and augmentation belong to lib/ludwig.
 */
#include "lc_image.h"
#include "lc_tvtransform.h"

#include "lc_mem.h"

#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Third-party single-file libraries: their internals are not held to our warning set. */
#define STBI_NO_STDIO
#define STBI_NO_HDR
#define STBI_NO_LINEAR
/* zeroed allocations: stb_image 2.27 reads Huffman table entries a corrupt JPEG never defined
 * (and asserts on them), so their content must not depend on what the heap held before */
#define STBI_MALLOC(sz) calloc(1, (sz))
#define STBI_REALLOC(p, newsz) realloc((p), (newsz))
#define STBI_FREE(p) free(p)
#define STBI_NO_PSD /* rare formats with a history of decoder bugs; not accepted upstream either */
#define STBI_NO_PIC
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_STATIC
/* v0.97 asserts that a shrink's raw weights sum to within 10% of 1 before it renormalises them,
 * which fails for some non-integer ratios (e.g. 13 -> 5) although the renormalised result is
 * right; the check is evaluated and ignored. */
#define STBIR_ASSERT(x) ((void)(x))
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include <stb_image.h>
#include <stb_image_resize.h>
#pragma GCC diagnostic pop

/* ---- one image ---------------------------------------------------------------------------- */

/* stb_image 2.27 allocates the size a PNG IDAT chunk claims before reading it, so a few bytes
 * can ask for gigabytes. Walk the chunks as stb does and refuse one longer than what is left of
 * the file (stb would fail on it anyway, after the allocation). */
static const char *png_precheck(const unsigned char *b, size_t len)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (len < 8 || memcmp(b, sig, 8) != 0)
        return NULL;
    size_t p = 8;
    while (len - p >= 8) {
        size_t n = ((size_t)b[p] << 24) | ((size_t)b[p + 1] << 16) | ((size_t)b[p + 2] << 8) | b[p + 3];
        if (n > len - p - 8)
            return "corrupt PNG: a chunk is longer than the file (the file is truncated?)";
        if (memcmp(b + p + 4, "IEND", 4) == 0)
            break;
        p += 8 + n;
        if (len - p < 4)
            break;
        p += 4; /* CRC */
    }
    return NULL;
}

/* stb_image 2.27 reads the numbers of a PNM (P5/P6) header into an int without an overflow
 * check (undefined behaviour), and converts 16-bit PNM channels with its 8-bit code (a heap
 * overflow). Read the header the way stb does; refuse numbers over INT_MAX and 16-bit files. */
static const char *pnm_precheck(const unsigned char *b, size_t len)
{
    if (len < 2 || b[0] != 'P' || (b[1] != '5' && b[1] != '6'))
        return NULL;
    size_t p = 2;
    char c = p < len ? (char)b[p++] : 0;
    for (int k = 0; k < 3; k++) {
        for (;;) { /* whitespace and # comments */
            while (p < len && (c == ' ' || (c >= '\t' && c <= '\r')))
                c = (char)b[p++];
            if (p >= len || c != '#')
                break;
            while (p < len && c != '\n' && c != '\r')
                c = (char)b[p++];
        }
        long long v = 0;
        while (p < len && c >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            if (v > INT_MAX)
                return "corrupt PNM: a number in its header is too large";
            c = (char)b[p++];
        }
        if (k == 2 && v > 255) /* stb 2.27 converts 16-bit PNM channels with the 8-bit code */
            return "16-bit PNM images are not supported (save it as PNG)";
    }
    return NULL;
}

/* stb_image 2.27 (Debian's) builds a JPEG Huffman table from 16 code-length counts without
 * checking that they sum to at most 256, and then writes past its 256-entry tables. Walk the
 * markers the way stb reads them and refuse any DHT table with more than 256 codes before stb
 * sees it (newer stb versions refuse it too). Returns NULL or the reason. */
static const char *jpeg_precheck(const unsigned char *b, size_t len)
{
    size_t p = 0;
    while (p < len && b[p] == 0xFF) /* stb skips fill bytes before the SOI marker too */
        p++;
    if (p == 0 || p >= len || b[p] != 0xD8)
        return NULL;
    p++;
    while (p + 1 < len) {
        if (b[p] != 0xFF || b[p + 1] == 0xFF) {
            p++; /* entropy-coded data or fill bytes */
            continue;
        }
        unsigned m = b[p + 1];
        if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8)) {
            p += 2; /* stuffed 0xFF, TEM, RSTn, SOI: no length */
            continue;
        }
        if (m == 0xD9)
            break;
        if (p + 3 >= len)
            break;
        size_t seg = ((size_t)b[p + 2] << 8) | b[p + 3];
        if (m == 0xC4) {
            /* tables until the declared length is used up, reading zeros past the end as stb does */
            long left = (long)seg - 2;
            size_t q = p + 4;
            while (left > 0) {
                q++; /* class and id */
                size_t n = 0;
                for (int i = 0; i < 16; i++, q++)
                    n += q < len ? b[q] : 0;
                if (n > 256)
                    return "corrupt JPEG: a Huffman table (DHT) has more than 256 codes";
                q += n;
                left -= 17 + (long)n;
            }
        }
        p += 2 + seg;
    }
    return NULL;
}


static lc_status check_dims(int h, int w, const char *what, lc_error *e)
{
    if (h <= 0 || w <= 0 || h > LC_IMAGE_SIDE_MAX || w > LC_IMAGE_SIDE_MAX ||
        (size_t)h * (size_t)w > LC_IMAGE_PIXELS_MAX)
        return lc_error_set(e, LC_ERR_DATA,
                            "image %s is %dx%d (width x height); images are limited to %dx%d and %zu pixels",
                            what, w, h, LC_IMAGE_SIDE_MAX, LC_IMAGE_SIDE_MAX, LC_IMAGE_PIXELS_MAX);
    return LC_OK;
}

lc_status lc_image_info(const unsigned char *bytes, size_t len, const char *what, int *h, int *w,
                        int *c, lc_error *e)
{
    if (len == 0)
        return lc_error_set(e, LC_ERR_DATA, "image %s is empty (0 bytes)", what);
    if (len > INT_MAX)
        return lc_error_set(e, LC_ERR_DATA, "image %s is %zu bytes, too large to decode", what, len);
    const char *bad = jpeg_precheck(bytes, len);
    if (!bad)
        bad = png_precheck(bytes, len);
    if (!bad)
        bad = pnm_precheck(bytes, len);
    if (bad)
        return lc_error_set(e, LC_ERR_DATA, "image %s cannot be decoded: %s", what, bad);
    int W, H, C;
    if (!stbi_info_from_memory(bytes, (int)len, &W, &H, &C))
        return lc_error_set(e, LC_ERR_DATA, "image %s is not a readable image: %s (expected PNG, JPEG, BMP, GIF, TGA or PNM)",
                            what, stbi_failure_reason());
    lc_status st = check_dims(H, W, what, e);
    if (st != LC_OK)
        return st;
    *h = H;
    *w = W;
    *c = C;
    return LC_OK;
}

lc_status lc_image_decode(const unsigned char *bytes, size_t len, int channels, const char *what,
                          lc_image *out, lc_error *e)
{
    memset(out, 0, sizeof *out);
    if (channels < 0 || channels > 4)
        return lc_error_set(e, LC_ERR_INTERNAL, "image %s: requested %d channels; expected 1 to 4", what, channels);
    int h, w, c;
    lc_status st = lc_image_info(bytes, len, what, &h, &w, &c, e);
    if (st != LC_OK)
        return st;
    int stored;
    unsigned char *px = stbi_load_from_memory(bytes, (int)len, &w, &h, &stored, channels);
    if (!px)
        return lc_error_set(e, LC_ERR_DATA, "image %s cannot be decoded: %s (the file is corrupt or truncated)",
                            what, stbi_failure_reason());
    out->h = h;
    out->w = w;
    out->c = channels ? channels : stored;
    out->px = px;
    return LC_OK;
}

void lc_image_free(lc_image *im)
{
    if (!im)
        return;
    free(im->px); /* stb_image allocates with malloc */
    im->px = NULL;
}

/* Python's round(d / 2.0) for an integer d >= 0: halves go to the even neighbour. */
static int half_round_even(int d)
{
    int k = d / 2;
    return (d % 2 != 0 && k % 2 != 0) ? k + 1 : k;
}

/* One axis of upstream crop_or_pad: an edge pad of (before, after), then torchvision
 * center_crop to `target` (zero fill if still short). map[i] = source index, or -1 for zero. */
static void crop_or_pad_axis(int old, int before, int after, int target, int *map /* (target) */)
{
    int padded = old + before + after;
    int zero_before = target > padded ? (target - padded) / 2 : 0;
    int crop = target > padded ? 0 : half_round_even(padded - target);
    for (int i = 0; i < target; i++) {
        int p = i + crop - zero_before;
        if (p < 0 || p >= padded) {
            map[i] = -1;
            continue;
        }
        int s = p - before;
        map[i] = s < 0 ? 0 : s >= old ? old - 1 : s;
    }
}

/* in (ih, iw, c) -> out (H, W, c), both HWC. */
static lc_status fit_hwc(const unsigned char *in, int ih, int iw, int c, int H, int W,
                         lc_resize_method method, unsigned char *out, lc_error *e)
{
    if (ih == H && iw == W) {
        memcpy(out, in, (size_t)H * (size_t)W * (size_t)c);
        return LC_OK;
    }
    if (method == LC_RESIZE_INTERPOLATE) {
        if (!stbir_resize_uint8_generic(in, iw, ih, 0, out, W, H, 0, c, STBIR_ALPHA_CHANNEL_NONE, 0,
                                        STBIR_EDGE_CLAMP, STBIR_FILTER_TRIANGLE, STBIR_COLORSPACE_LINEAR,
                                        NULL))
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory resizing a %dx%d image to %dx%d", iw, ih, W, H);
        return LC_OK;
    }
    int *ymap = lc_alloc((size_t)H + (size_t)W, sizeof *ymap);
    if (!ymap)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory fitting an image to %dx%d", W, H);
    int *xmap = ymap + H;
    /* upstream pads left/right by the height difference and top/bottom by the width difference */
    int dh = H - ih, dw = W - iw;
    int pad_l = dh > 0 ? dh / 2 : 0, pad_r = dh > 0 ? (dh + 1) / 2 : 0;
    int pad_t = dw > 0 ? dw / 2 : 0, pad_b = dw > 0 ? (dw + 1) / 2 : 0;
    crop_or_pad_axis(ih, pad_t, pad_b, H, ymap);
    crop_or_pad_axis(iw, pad_l, pad_r, W, xmap);
    for (int y = 0; y < H; y++) {
        unsigned char *o = out + (size_t)y * W * c;
        for (int x = 0; x < W; x++, o += c) {
            if (ymap[y] < 0 || xmap[x] < 0)
                memset(o, 0, (size_t)c);
            else
                memcpy(o, in + ((size_t)ymap[y] * iw + (size_t)xmap[x]) * c, (size_t)c);
        }
    }
    lc_free(ymap);
    return LC_OK;
}

lc_status lc_image_resize(const lc_image *in, int h, int w, lc_resize_method method, lc_image *out,
                          lc_error *e)
{
    memset(out, 0, sizeof *out);
    lc_status st = check_dims(h, w, "target size", e);
    if (st != LC_OK)
        return st;
    unsigned char *px = malloc((size_t)h * (size_t)w * (size_t)in->c);
    if (!px)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory resizing an image to %dx%d", w, h);
    st = fit_hwc(in->px, in->h, in->w, in->c, h, w, method, px, e);
    if (st != LC_OK) {
        free(px);
        return st;
    }
    out->h = h;
    out->w = w;
    out->c = in->c;
    out->px = px;
    return LC_OK;
}

/* ---- many images ---------------------------------------------------------------------------- */

#define BATCH_CHUNK 16 /* images per pool task */

typedef struct batch_ctx {
    lc_image_source *src;
    const char *const *paths;
    const long *rows;
    size_t n;
    const lc_image_spec *spec;
    unsigned char *out; /* (n, C, H, W) */
    lc_error *errs;     /* (nthreads) the lowest failing image each thread saw */
    size_t *fail_at;    /* (nthreads) its index, n if none */
    atomic_size_t first_fail;
} batch_ctx;

static void describe(char *buf, size_t size, const lc_image_source *s, const char *path)
{
    const char *name = lc_image_source_name(s);
    if (strcmp(name, ".") == 0)
        snprintf(buf, size, "'%s'", path);
    else
        snprintf(buf, size, "'%s' in %s", path, name);
}

/* Decode image i into its (C, H, W) slot of the output. */
static lc_status load_one(batch_ctx *b, size_t i, int slot, lc_error *e)
{
    const lc_image_spec *sp = b->spec;
    const int C = sp->channels, H = sp->height, W = sp->width;
    unsigned char *bytes = NULL;
    size_t len = 0;
    lc_status st = lc_image_source_read(b->src, slot, b->paths[i], &bytes, &len, e);
    if (st != LC_OK)
        return st;
    char what[600];
    describe(what, sizeof what, b->src, b->paths[i]);
    lc_image im;
    st = lc_image_decode(bytes, len, sp->tv ? 0 : C, what, &im, e);
    lc_free(bytes);
    if (st != LC_OK)
        return st;
    if (sp->tv) {
        st = lc_tv_preprocess(im.px, im.c, im.h, im.w, LC_TV_HWC, sp->tv,
                              b->out + i * (size_t)C * H * W, e);
        if (st != LC_OK)
            lc_error_prefix(e, "image %s: ", what);
        lc_image_free(&im);
        return st;
    }
    const unsigned char *hwc = im.px; /* (H, W, C) once fitted */
    unsigned char *fitted = NULL;
    if (im.h != H || im.w != W) {
        if (!(fitted = malloc((size_t)H * W * C))) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory resizing image %s", what);
            goto free_image;
        }
        if ((st = fit_hwc(im.px, im.h, im.w, C, H, W, sp->resize, fitted, e)) != LC_OK)
            goto free_fitted;
        hwc = fitted;
    }
    unsigned char *dst = b->out + i * (size_t)C * H * W; /* (C, H, W) */
    const size_t plane = (size_t)H * W;
    for (size_t p = 0; p < plane; p++)
        for (int ch = 0; ch < C; ch++)
            dst[(size_t)ch * plane + p] = hwc[p * C + ch];
free_fitted:
    free(fitted);
free_image:
    lc_image_free(&im);
    return st;
}

static void batch_task(void *ctx, int task, int thread)
{
    batch_ctx *b = ctx;
    size_t lo = (size_t)task * BATCH_CHUNK;
    size_t hi = lo + BATCH_CHUNK < b->n ? lo + BATCH_CHUNK : b->n;
    for (size_t i = lo; i < hi; i++) {
        if (i > atomic_load(&b->first_fail))
            return; /* an earlier image already failed */
        lc_error err;
        lc_error_clear(&err);
        lc_status st = load_one(b, i, thread, &err);
        if (st == LC_OK)
            continue;
        if (i < b->fail_at[thread]) {
            b->fail_at[thread] = i;
            lc_error_clear(&b->errs[thread]);
            lc_error_set(&b->errs[thread], st, "line %ld: %s", b->rows ? b->rows[i] : (long)i + 1, err.msg);
            memcpy(b->errs[thread].hint, err.hint, sizeof err.hint);
        }
        size_t cur = atomic_load(&b->first_fail);
        while (i < cur && !atomic_compare_exchange_weak(&b->first_fail, &cur, i))
            ;
        return;
    }
}

lc_status lc_image_load_batch(lc_image_source *s, const char *const *paths, const long *rows, size_t n,
                              const lc_image_spec *spec, lc_pool *pool,
                              unsigned char *out /* (n, C, H, W) */, lc_error *e)
{
    if (spec->channels < 1 || spec->channels > 4)
        return lc_error_set(e, LC_ERR_INTERNAL, "image batch: %d channels requested; expected 1 to 4", spec->channels);
    lc_status st = check_dims(spec->height, spec->width, "target size", e);
    if (st != LC_OK)
        return st;
    if (n == 0)
        return LC_OK;
    if (n / BATCH_CHUNK >= (size_t)INT_MAX)
        return lc_error_set(e, LC_ERR_DATA, "image batch: %zu images is too many for one call", n);
    int nthreads = pool ? lc_pool_threads(pool) : 1;
    if ((st = lc_image_source_reserve(s, nthreads, e)) != LC_OK)
        return st;

    batch_ctx b = {.src = s, .paths = paths, .rows = rows, .n = n, .spec = spec, .out = out};
    atomic_init(&b.first_fail, n);
    b.errs = lc_alloc((size_t)nthreads, sizeof *b.errs);
    b.fail_at = lc_alloc((size_t)nthreads, sizeof *b.fail_at);
    if (!b.errs || !b.fail_at) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory preparing %d image readers", nthreads);
        goto free_ctx;
    }
    for (int t = 0; t < nthreads; t++) {
        lc_error_clear(&b.errs[t]);
        b.fail_at[t] = n;
    }
    lc_pool_run(pool, (int)((n + BATCH_CHUNK - 1) / BATCH_CHUNK), batch_task, &b);
    int worst = -1;
    for (int t = 0; t < nthreads; t++)
        if (b.fail_at[t] < n && (worst < 0 || b.fail_at[t] < b.fail_at[worst]))
            worst = t;
    if (worst >= 0) {
        st = lc_error_set(e, b.errs[worst].status, "%s", b.errs[worst].msg);
        if (b.errs[worst].hint[0])
            lc_error_hint(e, "%s", b.errs[worst].hint);
    }
free_ctx:
    lc_free(b.errs);
    lc_free(b.fail_at);
    return st;
}

lc_status lc_image_sniff(lc_image_source *s, const char *const *paths, const long *rows, size_t n,
                         lc_image_dims *dims, lc_error *e)
{
    for (size_t i = 0; i < n; i++) {
        lc_error err;
        lc_error_clear(&err);
        unsigned char *bytes = NULL;
        size_t len = 0;
        lc_status st = lc_image_source_read(s, 0, paths[i], &bytes, &len, &err);
        if (st == LC_OK) {
            char what[600];
            describe(what, sizeof what, s, paths[i]);
            st = lc_image_info(bytes, len, what, &dims[i].h, &dims[i].w, &dims[i].c, &err);
            lc_free(bytes);
        }
        if (st != LC_OK)
            return lc_error_set(e, st, "line %ld: %s", rows ? rows[i] : (long)i + 1, err.msg);
    }
    return LC_OK;
}

void lc_image_dims_summary(const lc_image_dims *dims, size_t n, int *mean_h, int *mean_w, int *first_c,
                           int *mode_c)
{
    double sh = 0, sw = 0;
    size_t count[5] = {0};
    for (size_t i = 0; i < n; i++) {
        sh += dims[i].h;
        sw += dims[i].w;
        if (dims[i].c >= 1 && dims[i].c <= 4)
            count[dims[i].c]++;
    }
    *mean_h = n ? (int)rint(sh / (double)n) : 0;
    *mean_w = n ? (int)rint(sw / (double)n) : 0;
    *first_c = n ? dims[0].c : 0;
    int best = 0; /* count[0] is always 0 */
    for (int c = 1; c <= 4; c++)
        if (count[c] > count[best])
            best = c;
    *mode_c = best;
}
