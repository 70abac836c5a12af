/* tvtransform.c - Ludwig's ResizeChannels + torchvision's ImageClassification preset on uint8
 * images (lc_tvtransform.h): torch's antialiased separable resize restricted to the pixels the
 * center crop keeps, the crop's zero padding, and the float normalisation.
 *
 * Bit-for-bit fidelity to torch 1.13's CPU kernel is the point, so the arithmetic follows its
 * types: the scale is float32 (in / out), the filter centre and support are float32 values formed
 * from double products, the tap positions are float32 differences, each tap's weight is the
 * filter evaluated on a float32 argument, the weights of one output are summed in float32 in tap
 * order and divided by that sum, and an output is a float32 sum of tap * weight in tap order
 * (taps_dot: which of its multiply-adds are fused follows the machine code of Debian's AVX2
 * kernel), width first into a float32 intermediate, then height. Decoding and the policy of
 * which preset an encoder uses are left to the caller.
 */
#include "lc_tvtransform.h"

#include "lc_mem.h"

#include <math.h>
#include <string.h>

/* taps_dot decides which multiply-adds are fused; a build that lets GCC contract the others on
 * its own (-mfma with the default -ffp-contract=fast) would change results */
#if defined(__FMA__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

/* One axis of the resize: the taps of output positions [first, first + n) of a resize from
 * `in` to `out` samples. */
typedef struct axis_plan {
    int n, first;
    int *xmin;    /* (n) first input tap */
    int *xsize;   /* (n) taps */
    size_t *woff; /* (n) offset of the position's weights in w */
    float *w;     /* (sum of xsize) normalised weights */
    int lo, hi;   /* input samples any tap reads: [lo, hi) */
} axis_plan;

/* Where one axis of the crop comes from: output o <- resized o - pad + off, for o in
 * [pad, pad + count). */
typedef struct axis_crop {
    int pad, off, count;
} axis_crop;

static float filter_linear(float x)
{
    if (x < 0.0f)
        x = -x;
    if (x < 1.0f)
        return (float)(1.0 - x);
    return 0.0f;
}

/* Keys' cubic convolution with a = -0.5 (torch's antialiased bicubic). torch writes the inner
 * lobe with double literals (evaluated in double) and the outer lobe on the float argument with
 * integer constants (evaluated in float) times the double a; its AVX2 and AVX-512 kernels are
 * compiled with FMA contraction, which fuses the outer lobe's multiply-adds (the inner lobe's
 * fusion in double changes no float result). */
static float filter_cubic(float xf)
{
    float x = xf < 0.0f ? -xf : xf;
    if (x < 1.0f) {
        double d = x;
        return (float)((1.5 * d - 2.5) * d * d + 1.0);
    }
    if (x < 2.0f)
        return (float)((double)fmaf(fmaf(x - 5.0f, x, 8.0f), x, -4.0f) * -0.5);
    return 0.0f;
}

static void axis_plan_free(axis_plan *p)
{
    lc_free(p->xmin);
    lc_free(p->xsize);
    lc_free(p->woff);
    lc_free(p->w);
    memset(p, 0, sizeof *p);
}

static lc_status axis_plan_make(int in, int out, int first, int n, lc_tv_interp interp,
                                axis_plan *p, lc_error *e)
{
    memset(p, 0, sizeof *p);
    p->n = n;
    p->first = first;
    int taps = interp == LC_TV_BICUBIC ? 4 : 2; /* torch's interp_size */
    float scale = (float)in / (float)out;
    float support = scale >= 1.0f ? (float)((taps * 0.5) * (double)scale) : (float)(taps * 0.5);
    float invscale = scale >= 1.0f ? (float)(1.0 / (double)scale) : 1.0f;
    p->xmin = lc_alloc((size_t)n, sizeof *p->xmin);
    p->xsize = lc_alloc((size_t)n, sizeof *p->xsize);
    p->woff = lc_alloc((size_t)n, sizeof *p->woff);
    if (!p->xmin || !p->xsize || !p->woff)
        goto undo_plan;
    size_t total = 0;
    p->lo = in;
    p->hi = 0;
    for (int i = 0; i < n; i++) {
        float center = (float)((double)scale * ((double)(first + i) + 0.5));
        long long lo = (long long)((double)(center - support) + 0.5);
        long long hi = (long long)((double)(center + support) + 0.5);
        if (lo < 0)
            lo = 0;
        if (hi > in)
            hi = in;
        p->xmin[i] = (int)lo;
        p->xsize[i] = hi > lo ? (int)(hi - lo) : 0;
        p->woff[i] = total;
        total += (size_t)p->xsize[i];
        if (p->xsize[i] > 0 && p->xmin[i] < p->lo)
            p->lo = p->xmin[i];
        if (p->xsize[i] > 0 && p->xmin[i] + p->xsize[i] > p->hi)
            p->hi = p->xmin[i] + p->xsize[i];
    }
    if (p->hi < p->lo)
        p->lo = p->hi = 0;
    p->w = lc_alloc(total ? total : 1, sizeof *p->w);
    if (!p->w)
        goto undo_plan;
    for (int i = 0; i < n; i++) {
        float center = (float)((double)scale * ((double)(first + i) + 0.5));
        float *w = p->w + p->woff[i];
        float sum = 0.0f;
        for (int j = 0; j < p->xsize[i]; j++) {
            float d = (float)(j + p->xmin[i]) - center;
            float x = (float)(((double)d + 0.5) * (double)invscale);
            w[j] = interp == LC_TV_BICUBIC ? filter_cubic(x) : filter_linear(x);
            sum += w[j];
        }
        if (sum != 0.0f)
            for (int j = 0; j < p->xsize[i]; j++)
                w[j] /= sum;
    }
    return LC_OK;

undo_plan:
    axis_plan_free(p);
    return lc_error_set(e, LC_ERR_NOMEM, "out of memory for the resize weights of a %d to %d resize",
                        in, out);
}

/* Python's round() of (d / 2) for d >= 0: half to even */
static int half_to_even(int d)
{
    int h = d / 2;
    if ((d & 1) && (h & 1))
        h++;
    return h;
}

static void crop_axis(int resized, int crop, axis_crop *a)
{
    if (crop > resized) {
        a->pad = (crop - resized) / 2;
        a->off = 0;
        a->count = resized;
    } else {
        a->pad = 0;
        a->off = half_to_even(resized - crop);
        a->count = crop;
    }
}

void lc_tv_transform_imagenet(lc_tv_transform *t, int resize_size, int crop_size,
                              lc_tv_interp interpolation)
{
    static const float mean[3] = {0.485f, 0.456f, 0.406f};
    static const float std[3] = {0.229f, 0.224f, 0.225f};
    t->resize_size = resize_size;
    t->crop_size = crop_size;
    t->interpolation = interpolation;
    memcpy(t->mean, mean, sizeof mean);
    memcpy(t->std, std, sizeof std);
}

void lc_tv_resized_size(int H, int W, int resize_size, int *oh, int *ow)
{
    int s = W <= H ? W : H, l = W <= H ? H : W;
    /* Python's int(size * long / short): a correctly rounded true division, truncated */
    int nl = (int)((double)((long long)resize_size * l) / (double)s);
    *ow = W <= H ? resize_size : nl;
    *oh = W <= H ? nl : resize_size;
}

static int sizes_ok(int H, int W, const lc_tv_transform *t)
{
    return H >= 1 && W >= 1 && H <= LC_TV_SIZE_MAX && W <= LC_TV_SIZE_MAX && t->resize_size >= 1 &&
           t->resize_size <= LC_TV_SIZE_MAX && t->crop_size >= 1 && t->crop_size <= LC_TV_SIZE_MAX;
}

size_t lc_tv_scratch_bytes(int H, int W, const lc_tv_transform *t)
{
    if (!sizes_ok(H, W, t))
        return 0;
    int oh, ow;
    lc_tv_resized_size(H, W, t->resize_size, &oh, &ow);
    axis_crop cy, cx;
    crop_axis(oh, t->crop_size, &cy);
    crop_axis(ow, t->crop_size, &cx);
    /* the intermediate (at most every input row by the crop's columns) and the weight tables
     * (at most the taps of every kept position; a downscale's taps per position grow with the
     * factor, so this bound is generous) */
    int taps = t->interpolation == LC_TV_BICUBIC ? 4 : 2;
    double kx = ow < W ? ceil((double)W / ow * taps / 2) * 2 + 3 : 2 * taps + 1;
    double ky = oh < H ? ceil((double)H / oh * taps / 2) * 2 + 3 : 2 * taps + 1;
    double bytes = (double)H * cx.count * sizeof(float) + (double)(W + 17) * sizeof(float) +
                   (double)cx.count * (kx * sizeof(float) + 2 * sizeof(int) + sizeof(size_t)) +
                   (double)cy.count * (ky * sizeof(float) + 2 * sizeof(int) + sizeof(size_t)) +
                   8 * LC_ALIGN;
    return bytes > (double)SIZE_MAX / 2 ? 0 : (size_t)bytes;
}

/* One output of torch's AA kernel: the first product, then the remaining taps in groups of four
 * whose products are rounded and added in order, then the last (taps - 1) % 4 taps fused
 * (multiply-add with one rounding). This is the code GCC made of torch's plain loop
 * `out = t0 * w0; for (j = 1; j < n; j++) out += tj * wj` in Debian's AVX2 kernel: a 4-wide
 * in-order (fold-left) vectorisation whose scalar remainder got FMA-contracted. Measured on
 * torch 1.13: two-hot inputs show every step of the groups unfused and every remainder step
 * fused, for 2 to 60 taps, in both passes. */
static float taps_dot(const float *s, size_t stride, const float *w, int taps)
{
    if (taps <= 0)
        return 0.0f;
    float acc = s[0] * w[0];
    int rest = (taps - 1) % 4, j = 1;
    for (; j < taps - rest; j++) {
        float p = s[(size_t)j * stride] * w[j];
        acc += p;
    }
    for (; j < taps; j++)
        acc = fmaf(s[(size_t)j * stride], w[j], acc);
    return acc;
}

/* width pass of one channel: tmp[y - py.lo][x] for the rows the height pass reads; row is
 * scratch for one input row as float (torch resizes the image cast to float) */
static void pass_width(const uint8_t *src, ptrdiff_t sh, ptrdiff_t sw, const axis_plan *px,
                       const axis_plan *py, float *row /* (px.hi - px.lo) */,
                       float *tmp /* (py.hi - py.lo, px.n) */)
{
    for (int y = py->lo; y < py->hi; y++) {
        const uint8_t *s = src + (ptrdiff_t)y * sh;
        for (int x = px->lo; x < px->hi; x++)
            row[x - px->lo] = (float)s[(ptrdiff_t)x * sw];
        float *dst = tmp + (size_t)(y - py->lo) * (size_t)px->n;
        for (int i = 0; i < px->n; i++)
            dst[i] = taps_dot(row + (px->xmin[i] - px->lo), 1, px->w + px->woff[i], px->xsize[i]);
    }
}

/* height pass of one channel into the crop's rows, rounded back to uint8 */
static void pass_height(const float *tmp, const axis_plan *px, const axis_plan *py,
                        const axis_crop *cx, const axis_crop *cy, int S, int clamp,
                        uint8_t *out /* (S, S) */)
{
    for (int i = 0; i < py->n; i++) {
        const float *w = py->w + py->woff[i];
        const float *col0 = tmp + (size_t)(py->xmin[i] - py->lo) * (size_t)px->n;
        uint8_t *dst = out + (size_t)(cy->pad + i) * (size_t)S + (size_t)cx->pad;
        for (int x = 0; x < px->n; x++) {
            float acc = taps_dot(col0 + x, (size_t)px->n, w, py->xsize[i]);
            if (clamp)
                acc = acc < 0.0f ? 0.0f : acc > 255.0f ? 255.0f : acc;
            float r = rintf(acc); /* torch.round: half to even */
            dst[x] = (uint8_t)(r < 0.0f ? 0.0f : r > 255.0f ? 255.0f : r);
        }
    }
}

lc_status lc_tv_preprocess(const uint8_t *img, int C, int H, int W, lc_tv_layout layout,
                           const lc_tv_transform *t, uint8_t *out, lc_error *e)
{
    if (C < 1 || !sizes_ok(H, W, t))
        return lc_error_set(e, LC_ERR_DATA,
                            "image of %d x %d pixels and %d channels cannot be resized to %d and cropped to %d (sides must be 1 to %d pixels, at least 1 channel)",
                            H, W, C, t->resize_size, t->crop_size, LC_TV_SIZE_MAX);
    int S = t->crop_size, oh, ow;
    lc_tv_resized_size(H, W, t->resize_size, &oh, &ow);
    axis_crop cy, cx;
    crop_axis(oh, S, &cy);
    crop_axis(ow, S, &cx);
    axis_plan py, px;
    lc_status st = axis_plan_make(H, oh, cy.off, cy.count, t->interpolation, &py, e);
    if (st != LC_OK)
        return st;
    st = axis_plan_make(W, ow, cx.off, cx.count, t->interpolation, &px, e);
    if (st != LC_OK)
        goto undo_py;
    /* the intermediate, then one input row as float */
    size_t inter = lc_round16((size_t)(py.hi - py.lo) * (size_t)px.n);
    float *tmp = lc_alloc(inter + (size_t)(px.hi - px.lo) + 1, sizeof *tmp);
    if (!tmp) {
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory resizing a %d x %d image to %d x %d", H,
                          W, oh, ow);
        goto undo_px;
    }
    ptrdiff_t sc = layout == LC_TV_HWC ? 1 : (ptrdiff_t)H * W;
    ptrdiff_t sh = layout == LC_TV_HWC ? (ptrdiff_t)W * C : W;
    ptrdiff_t sw = layout == LC_TV_HWC ? C : 1;
    size_t plane = (size_t)S * (size_t)S;
    /* padding stays zero; ResizeChannels: grey -> (0, 0, 0), grey + alpha -> (0, 1, 0) */
    memset(out, 0, 3 * plane);
    static const int from[3][3] = {{0, 0, 0}, {0, 1, 0}, {0, 1, 2}};
    const int *map = from[C < 3 ? C - 1 : 2];
    for (int c = 0; c < 3; c++) {
        int dup = -1;
        for (int k = 0; k < c; k++)
            if (map[k] == map[c] && dup < 0)
                dup = k;
        if (dup >= 0) {
            memcpy(out + (size_t)c * plane, out + (size_t)dup * plane, plane);
            continue;
        }
        pass_width(img + (ptrdiff_t)map[c] * sc, sh, sw, &px, &py, tmp + inter, tmp);
        pass_height(tmp, &px, &py, &cx, &cy, S, t->interpolation == LC_TV_BICUBIC,
                    out + (size_t)c * plane);
    }
    lc_free(tmp);
undo_px:
    axis_plan_free(&px);
undo_py:
    axis_plan_free(&py);
    return st;
}

void lc_tv_normalize(const uint8_t *src, size_t n, const lc_tv_transform *t, float *dst)
{
    size_t plane = (size_t)t->crop_size * (size_t)t->crop_size;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++) {
            const uint8_t *s = src + (i * 3 + (size_t)c) * plane;
            float *d = dst + (i * 3 + (size_t)c) * plane;
            float m = t->mean[c], sd = t->std[c];
            for (size_t k = 0; k < plane; k++)
                d[k] = ((float)s[k] / 255.0f - m) / sd;
        }
}
