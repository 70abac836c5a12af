/* autoaug.c - Ludwig's auto_augmentation (lc_autoaug.h): torchvision 0.14's TrivialAugmentWide,
 * AutoAugment (ImageNet policy) and RandAugment on uint8 (C, H, W) images, with the float32
 * arithmetic of torchvision.transforms.functional_tensor on torch 1.13 (checked against it by
 * tests/unit/test_autoaug.c). Every multiply and add is a separate float32 operation unless
 * written as fmaf, so the file is compiled without contraction.
 */
#include "lc_autoaug.h"

#include "lc_augment.h"
#include "lc_mem.h"

#include <math.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

static const char *const OP_NAMES[LC_AA_COUNT] = {
    "Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color",
    "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize", "Invert"};
static const char *const METHOD_NAMES[3] = {"trivial_augment", "auto_augment", "rand_augment"};

const char *lc_autoaug_op_name(lc_autoaug_op op)
{
    return op >= 0 && op < LC_AA_COUNT ? OP_NAMES[op] : NULL;
}

const char *lc_autoaug_method_name(lc_autoaug_method m)
{
    return m >= 0 && m <= LC_AUTOAUG_RAND ? METHOD_NAMES[m] : NULL;
}

int lc_autoaug_method_parse(const char *s, lc_autoaug_method *m)
{
    for (int k = 0; s && k < 3; k++)
        if (strcmp(s, METHOD_NAMES[k]) == 0) {
            *m = (lc_autoaug_method)k;
            return 0;
        }
    return -1;
}

int lc_autoaug_space(lc_autoaug_method m, lc_autoaug_op *ops)
{
    /* TrivialAugmentWide and RandAugment: Identity, then ShearX .. Equalize; AutoAugment:
     * ShearX .. Equalize, then Invert */
    int n = 0;
    if (m != LC_AUTOAUG_AUTO) {
        if (ops)
            ops[n] = LC_AA_IDENTITY;
        n++;
    }
    for (int k = LC_AA_SHEAR_X; k <= LC_AA_EQUALIZE; k++, n++)
        if (ops)
            ops[n] = (lc_autoaug_op)k;
    if (m == LC_AUTOAUG_AUTO) {
        if (ops)
            ops[n] = LC_AA_INVERT;
        n++;
    }
    return n;
}

int lc_autoaug_bins(lc_autoaug_method m)
{
    return m == LC_AUTOAUG_AUTO ? 10 : 31;
}

int lc_autoaug_has_magnitudes(lc_autoaug_op op)
{
    return op >= LC_AA_SHEAR_X && op <= LC_AA_SOLARIZE;
}

int lc_autoaug_signed(lc_autoaug_op op)
{
    return op >= LC_AA_SHEAR_X && op <= LC_AA_SHARPNESS;
}

/* torch.linspace(start, end, steps)[idx] in float32 as torch 1.13's CPU kernel computes it on an
 * AVX2 build: step = (end - start) / (steps - 1); the first half start + step idx, the second
 * end - step (steps - idx - 1), each a fused multiply-add (the kernel's file is compiled with FMA
 * and contraction); 8-float vectors, two per iteration while 16 values remain, each lane l being
 * base + l step (unfused vector operations) from its first index's value; the rest one by one. */
static float tv_linspace(float start, float end, int steps, int idx)
{
    if (steps == 1)
        return start;
    float step = (end - start) / (float)(steps - 1);
    int halfway = steps / 2;
    int nvec = steps / 16 * 16;
    int b = idx < nvec ? idx - idx % 8 : idx;
    float base = b < halfway ? fmaf(step, (float)b, start) : fmaf(-step, (float)(steps - b - 1), end);
    if (idx < nvec)
        return base + (float)(idx % 8) * step;
    return base;
}

double lc_autoaug_magnitude(lc_autoaug_method m, lc_autoaug_op op, int bin, int H, int W)
{
    int bins = lc_autoaug_bins(m);
    if (!lc_autoaug_has_magnitudes(op) || bin < 0 || bin >= bins)
        return 0.0;
    int wide = m == LC_AUTOAUG_TRIVIAL;
    switch (op) {
    case LC_AA_SHEAR_X:
    case LC_AA_SHEAR_Y:
        return tv_linspace(0.0f, wide ? 0.99f : 0.3f, bins, bin);
    case LC_AA_TRANSLATE_X:
    case LC_AA_TRANSLATE_Y: {
        int side = op == LC_AA_TRANSLATE_X ? W : H;
        return tv_linspace(0.0f, wide ? 32.0f : (float)(150.0 / 331.0 * side), bins, bin);
    }
    case LC_AA_ROTATE:
        return tv_linspace(0.0f, wide ? 135.0f : 30.0f, bins, bin);
    case LC_AA_POSTERIZE: { /* 8 - (arange(bins) / ((bins - 1) / k)).round().int() */
        float q = (float)bin / (float)((bins - 1) / (wide ? 6.0 : 4.0));
        return 8.0 - (double)nearbyintf(q);
    }
    case LC_AA_SOLARIZE:
        return tv_linspace(255.0f, 0.0f, bins, bin);
    default: /* Brightness, Color, Contrast, Sharpness */
        return tv_linspace(0.0f, wide ? 0.99f : 0.9f, bins, bin);
    }
}

#define S(o, p, b) {LC_AA_##o, p, b}
const lc_autoaug_step lc_autoaug_imagenet[LC_AUTOAUG_POLICIES][2] = {
    {S(POSTERIZE, 0.4, 8), S(ROTATE, 0.6, 9)},
    {S(SOLARIZE, 0.6, 5), S(AUTOCONTRAST, 0.6, -1)},
    {S(EQUALIZE, 0.8, -1), S(EQUALIZE, 0.6, -1)},
    {S(POSTERIZE, 0.6, 7), S(POSTERIZE, 0.6, 6)},
    {S(EQUALIZE, 0.4, -1), S(SOLARIZE, 0.2, 4)},
    {S(EQUALIZE, 0.4, -1), S(ROTATE, 0.8, 8)},
    {S(SOLARIZE, 0.6, 3), S(EQUALIZE, 0.6, -1)},
    {S(POSTERIZE, 0.8, 5), S(EQUALIZE, 1.0, -1)},
    {S(ROTATE, 0.2, 3), S(SOLARIZE, 0.6, 8)},
    {S(EQUALIZE, 0.6, -1), S(POSTERIZE, 0.4, 6)},
    {S(ROTATE, 0.8, 8), S(COLOR, 0.4, 0)},
    {S(ROTATE, 0.4, 9), S(EQUALIZE, 0.6, -1)},
    {S(EQUALIZE, 0.0, -1), S(EQUALIZE, 0.8, -1)},
    {S(INVERT, 0.6, -1), S(EQUALIZE, 1.0, -1)},
    {S(COLOR, 0.6, 4), S(CONTRAST, 1.0, 8)},
    {S(ROTATE, 0.8, 8), S(COLOR, 1.0, 2)},
    {S(COLOR, 0.8, 8), S(SOLARIZE, 0.8, 7)},
    {S(SHARPNESS, 0.4, 7), S(INVERT, 0.6, -1)},
    {S(SHEAR_X, 0.6, 5), S(EQUALIZE, 1.0, -1)},
    {S(COLOR, 0.4, 0), S(EQUALIZE, 0.6, -1)},
    {S(EQUALIZE, 0.4, -1), S(SOLARIZE, 0.2, 4)},
    {S(SOLARIZE, 0.6, 5), S(AUTOCONTRAST, 0.6, -1)},
    {S(INVERT, 0.6, -1), S(EQUALIZE, 1.0, -1)},
    {S(COLOR, 0.6, 4), S(CONTRAST, 1.0, 8)},
    {S(EQUALIZE, 0.8, -1), S(EQUALIZE, 0.6, -1)},
};
#undef S

static int below(lc_rng *r, int n)
{
    return (int)lc_rng_below(r, (uint64_t)n);
}

void lc_autoaug_draw(lc_autoaug_method m, int H, int W, lc_rng *r, lc_autoaug_plan *plan)
{
    lc_autoaug_op space[LC_AA_COUNT];
    int nops = lc_autoaug_space(m, space), bins = lc_autoaug_bins(m);
    memset(plan, 0, sizeof *plan);
    plan->policy = -1;
    if (m == LC_AUTOAUG_AUTO) { /* get_params: the sub-policy, two probabilities, two signs */
        int id = below(r, LC_AUTOAUG_POLICIES);
        float prob[2];
        int sign[2];
        for (int i = 0; i < 2; i++)
            prob[i] = lc_u01f(lc_rng_next(r));
        for (int i = 0; i < 2; i++)
            sign[i] = below(r, 2);
        plan->policy = id;
        for (int i = 0; i < 2; i++) {
            const lc_autoaug_step *s = &lc_autoaug_imagenet[id][i];
            if (!(prob[i] <= (float)s->prob))
                continue;
            double mag = s->bin >= 0 ? lc_autoaug_magnitude(m, s->op, s->bin, H, W) : 0.0;
            if (lc_autoaug_signed(s->op) && sign[i] == 0)
                mag = -mag;
            plan->op[plan->n] = s->op;
            plan->magnitude[plan->n++] = mag;
        }
        return;
    }
    int rounds = m == LC_AUTOAUG_RAND ? 2 : 1;
    for (int i = 0; i < rounds; i++) {
        lc_autoaug_op op = space[below(r, nops)];
        int bin = m == LC_AUTOAUG_RAND ? 9 : below(r, bins);
        double mag = lc_autoaug_magnitude(m, op, bin, H, W);
        if (lc_autoaug_signed(op) && below(r, 2))
            mag = -mag;
        plan->op[plan->n] = op;
        plan->magnitude[plan->n++] = mag;
    }
}

/* ---- the operations ---- */

/* torchvision's _get_inverse_affine_matrix(center, angle, translate, scale 1, shear) in double,
 * the operations in Python's order */
static void inverse_affine(double cx, double cy, double angle, double tx, double ty, double shx,
                           double shy, double m[6])
{
    const double d2r = M_PI / 180.0;
    double rot = d2r * angle, sx = d2r * shx, sy = d2r * shy;
    double a = cos(rot - sy) / cos(sy);
    double b = -cos(rot - sy) * tan(sx) / cos(sy) - sin(rot);
    double c = sin(rot - sy) / cos(sy);
    double d = -sin(rot - sy) * tan(sx) / cos(sy) + cos(rot);
    m[0] = d / 1.0;
    m[1] = -b / 1.0;
    m[2] = 0.0 / 1.0;
    m[3] = -c / 1.0;
    m[4] = a / 1.0;
    m[5] = 0.0 / 1.0;
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
    m[2] += cx;
    m[5] += cy;
}

/* F_t.affine / F_t.rotate (expand=False) with the matrix m: theta in float32, then the grid and
 * nearest sampling of lc_aug_rotate */
static void grid_transform(const uint8_t *src, uint8_t *dst, int C, int H, int W, const double m[6])
{
    float t[6];
    for (int k = 0; k < 6; k++)
        t[k] = (float)m[k];
    lc_aug_grid_nearest(src, dst, C, H, W, t);
}

/* _blend(img1, img2, ratio) for one value: float32(ratio) v1 + float32(1 - ratio) v2, clamped to
 * [0, 255], truncated */
static inline uint8_t blend2(uint8_t v1, uint8_t v2, float ratio, float rest)
{
    float a = ratio * (float)v1, b = rest * (float)v2;
    float r = a + b;
    r = r < 0.0f ? 0.0f : r > 255.0f ? 255.0f : r;
    return (uint8_t)r;
}

static uint8_t grey_of(uint8_t r, uint8_t g, uint8_t b)
{
    float l = 0.2989f * (float)r;
    l = l + 0.587f * (float)g;
    l = l + 0.114f * (float)b;
    return (uint8_t)l;
}

static void saturation(uint8_t *img, int C, int H, int W, double factor)
{
    if (C != 3)
        return; /* torchvision leaves a 1-channel image as it is */
    size_t n = (size_t)H * W;
    float ratio = (float)factor, rest = (float)(1.0 - factor);
    for (size_t i = 0; i < n; i++) {
        uint8_t g = grey_of(img[i], img[n + i], img[2 * n + i]);
        for (int c = 0; c < 3; c++)
            img[c * n + i] = blend2(img[c * n + i], g, ratio, rest);
    }
}

/* 3x3 taps accumulated into acc (fused or not) */
static float taps9_plain(const float *p, int stride, const float *w)
{
    float acc = 0.0f;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            acc = acc + w[i * 3 + j] * p[i * stride + j];
    return acc;
}

static float taps9_fused(const float *p, int stride, const float *w)
{
    float acc = 0.0f;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            acc = fmaf(p[i * stride + j], w[i * 3 + j], acc);
    return acc;
}

static lc_status sharpness(uint8_t *img, uint8_t *tmp, int C, int H, int W, double factor,
                           int batch_n, lc_error *e)
{
    if (H <= 2 || W <= 2)
        return LC_OK;
    size_t n = (size_t)H * W;
    float *pl = lc_alloc(n, sizeof(float));
    if (!pl)
        return lc_error_set(e, LC_ERR_NOMEM, "Sharpness: no memory for a %d x %d image", H, W);
    float w[9], one = 1.0f / 13.0f, five = 5.0f / 13.0f;
    for (int k = 0; k < 9; k++)
        w[k] = k == 4 ? five : one;
    /* torch's slow convolution (unfused) for a lone 1-channel image of at most 20480 values,
     * oneDNN's otherwise */
    int slow = batch_n <= 1 && C == 1 && (long)H * W <= 20480;
    float (*taps)(const float *, int, const float *) = slow ? taps9_plain : taps9_fused;
    memcpy(tmp, img, (size_t)C * n);
    for (int c = 0; c < C; c++) {
        const uint8_t *src = img + (size_t)c * n;
        uint8_t *dst = tmp + (size_t)c * n;
        for (size_t k = 0; k < n; k++)
            pl[k] = (float)src[k];
        for (int y = 1; y < H - 1; y++)
            for (int x = 1; x < W - 1; x++) {
                float v = nearbyintf(taps(pl + (size_t)(y - 1) * W + (x - 1), W, w));
                dst[(size_t)y * W + x] = (uint8_t)(v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v);
            }
    }
    lc_free(pl);
    float ratio = (float)factor, rest = (float)(1.0 - factor);
    for (size_t k = 0; k < (size_t)C * n; k++)
        img[k] = blend2(img[k], tmp[k], ratio, rest);
    return LC_OK;
}

static void autocontrast(uint8_t *img, int C, int H, int W)
{
    size_t n = (size_t)H * W;
    for (int c = 0; c < C; c++) {
        uint8_t *p = img + (size_t)c * n;
        uint8_t lo = 255, hi = 0;
        for (size_t k = 0; k < n; k++) {
            lo = p[k] < lo ? p[k] : lo;
            hi = p[k] > hi ? p[k] : hi;
        }
        /* bound / (max - min): torch's __rtruediv__ is reciprocal(max - min) * bound */
        float mn = (float)lo, scale = (1.0f / ((float)hi - (float)lo)) * 255.0f;
        if (!isfinite(scale)) {
            mn = 0.0f;
            scale = 1.0f;
        }
        for (size_t k = 0; k < n; k++) {
            float v = ((float)p[k] - mn) * scale;
            v = v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v;
            p[k] = (uint8_t)v;
        }
    }
}

static void equalize(uint8_t *img, int C, int H, int W)
{
    size_t n = (size_t)H * W;
    for (int c = 0; c < C; c++) {
        uint8_t *p = img + (size_t)c * n;
        int64_t hist[256] = {0};
        for (size_t k = 0; k < n; k++)
            hist[p[k]]++;
        /* the sum of the non-zero bins but the last, floor-divided by 255 */
        int last = 255;
        while (last > 0 && hist[last] == 0)
            last--;
        int64_t total = 0;
        for (int v = 0; v < last; v++)
            total += hist[v];
        int64_t step = total / 255;
        if (step == 0)
            continue;
        uint8_t lut[256];
        int64_t cum = 0;
        lut[0] = 0;
        for (int v = 1; v < 256; v++) {
            cum += hist[v - 1];
            int64_t l = (cum + step / 2) / step;
            lut[v] = (uint8_t)(l > 255 ? 255 : l);
        }
        for (size_t k = 0; k < n; k++)
            p[k] = lut[p[k]];
    }
}

lc_status lc_autoaug_apply(uint8_t *img, uint8_t *tmp, int C, int H, int W, lc_autoaug_op op,
                           double magnitude, int batch_n, lc_error *e)
{
    const char *name = lc_autoaug_op_name(op);
    if (!name)
        return lc_error_set(e, LC_ERR_DATA, "auto_augmentation: operation %d is not one of torchvision's", (int)op);
    if (H < 1 || W < 1 || H > LC_AUG_SIZE_MAX || W > LC_AUG_SIZE_MAX)
        return lc_error_set(e, LC_ERR_DATA, "%s: an image of %d x %d pixels (each side must be 1..%d)",
                            name, H, W, LC_AUG_SIZE_MAX);
    if (C != 1 && C != 3)
        return lc_error_set(e, LC_ERR_DATA, "%s: an image of %d channels; torchvision's auto augmentation takes 1 or 3", name, C);
    if (!isfinite(magnitude))
        return lc_error_set(e, LC_ERR_DATA, "%s: the magnitude %g is not a finite number", name, magnitude);
    double factor = 1.0 + magnitude;
    if ((op == LC_AA_BRIGHTNESS || op == LC_AA_COLOR || op == LC_AA_CONTRAST ||
         op == LC_AA_SHARPNESS) && factor < 0.0)
        return lc_error_set(e, LC_ERR_DATA, "%s: the factor %g is negative", name, factor);
    size_t n = (size_t)C * H * W;
    double m[6];
    switch (op) {
    case LC_AA_IDENTITY:
        return LC_OK;
    case LC_AA_SHEAR_X:
    case LC_AA_SHEAR_Y: { /* shear [degrees(atan(magnitude)), 0] about center [0, 0] */
        double deg = (180.0 / M_PI) * atan(magnitude);
        inverse_affine(0.0 - W * 0.5, 0.0 - H * 0.5, 0.0, 0.0, 0.0, op == LC_AA_SHEAR_X ? deg : 0.0,
                       op == LC_AA_SHEAR_Y ? deg : 0.0, m);
        break;
    }
    case LC_AA_TRANSLATE_X:
    case LC_AA_TRANSLATE_Y: { /* translate [int(magnitude), 0], the image centre */
        double t = trunc(magnitude);
        inverse_affine(0.0, 0.0, 0.0, op == LC_AA_TRANSLATE_X ? t : 0.0,
                       op == LC_AA_TRANSLATE_Y ? t : 0.0, 0.0, 0.0, m);
        break;
    }
    case LC_AA_ROTATE: /* F.rotate: the matrix of -angle */
        inverse_affine(0.0, 0.0, -magnitude, 0.0, 0.0, 0.0, 0.0, m);
        break;
    case LC_AA_BRIGHTNESS:
        lc_aug_brightness(img, C, H, W, factor);
        return LC_OK;
    case LC_AA_COLOR:
        saturation(img, C, H, W, factor);
        return LC_OK;
    case LC_AA_CONTRAST:
        return lc_aug_contrast(img, C, H, W, factor, e);
    case LC_AA_SHARPNESS:
        return sharpness(img, tmp, C, H, W, factor, batch_n, e);
    case LC_AA_POSTERIZE: {
        int bits = (int)magnitude;
        if (bits < 0 || bits > 8)
            return lc_error_set(e, LC_ERR_DATA, "Posterize: %d bits (0..8)", bits);
        uint8_t mask = (uint8_t)(-(1 << (8 - bits)) & 0xff);
        for (size_t k = 0; k < n; k++)
            img[k] &= mask;
        return LC_OK;
    }
    case LC_AA_SOLARIZE: {
        if (magnitude > 255.0)
            return lc_error_set(e, LC_ERR_DATA, "Solarize: threshold %g above 255", magnitude);
        float th = (float)magnitude;
        for (size_t k = 0; k < n; k++)
            if ((float)img[k] >= th)
                img[k] = (uint8_t)(255 - img[k]);
        return LC_OK;
    }
    case LC_AA_AUTOCONTRAST:
        autocontrast(img, C, H, W);
        return LC_OK;
    case LC_AA_EQUALIZE:
        equalize(img, C, H, W);
        return LC_OK;
    case LC_AA_INVERT:
        for (size_t k = 0; k < n; k++)
            img[k] = (uint8_t)(255 - img[k]);
        return LC_OK;
    default:
        return LC_OK;
    }
    grid_transform(img, tmp, C, H, W, m);
    memcpy(img, tmp, n);
    return LC_OK;
}
