/* augment.c - Ludwig's image augmentation operations on uint8 (C, H, W) images (lc_augment.h),
 * with torchvision 0.14 / torch 1.13's float32 arithmetic.
 *
 * Which operations torch rounds, fuses or reorders was read from torchvision's functional_tensor.py
 * and checked against torch's outputs (tests/unit/test_augment.c): every multiply and add here is
 * a separate float32 operation unless written as fmaf, so the file is compiled without
 * contraction.
 */
#include "lc_augment.h"

#include "lc_mem.h"

#include <math.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

static lc_status check_image(int C, int H, int W, int c_lo, int c_hi, const char *what,
                             lc_error *e)
{
    if (H < 1 || W < 1 || H > LC_AUG_SIZE_MAX || W > LC_AUG_SIZE_MAX)
        return lc_error_set(e, LC_ERR_DATA, "%s: an image of %d x %d pixels (each side must be 1..%d)",
                            what, H, W, LC_AUG_SIZE_MAX);
    if (C < c_lo || C > c_hi) {
        if (c_lo == 1 && c_hi == LC_AUG_CHANNELS_MAX)
            return lc_error_set(e, LC_ERR_DATA, "%s: an image of %d channels (1..%d supported)",
                                what, C, LC_AUG_CHANNELS_MAX);
        return lc_error_set(e, LC_ERR_DATA,
                            "%s: an image of %d channels; torchvision accepts 1 or 3 here", what, C);
    }
    return LC_OK;
}

void lc_aug_hflip(uint8_t *img, int C, int H, int W)
{
    if (C < 1 || H < 1 || W < 1)
        return;
    for (size_t r = 0; r < (size_t)C * H; r++) {
        uint8_t *p = img + r * W;
        for (int a = 0, b = W - 1; a < b; a++, b--) {
            uint8_t t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
    }
}

void lc_aug_vflip(uint8_t *img, int C, int H, int W)
{
    if (C < 1 || H < 1 || W < 1)
        return;
    for (int c = 0; c < C; c++) {
        uint8_t *plane = img + (size_t)c * H * W;
        for (int a = 0, b = H - 1; a < b; a++, b--) {
            uint8_t *pa = plane + (size_t)a * W, *pb = plane + (size_t)b * W;
            for (int x = 0; x < W; x++) {
                uint8_t t = pa[x];
                pa[x] = pb[x];
                pb[x] = t;
            }
        }
    }
}

/* _gen_affine_grid then grid_sample of theta t (float32, torchvision's inverse affine matrix
 * rounded): base (x, y, 1) with x = i - (W - 1) / 2 and y = j - (H - 1) / 2 (exact), theta's
 * columns divided by (W / 2, H / 2) in float32, the grid a float32 product summed x term, y term,
 * constant term without fusion (the reference BLAS torch calls). grid_sample (align_corners=False,
 * nearest, zeros): ix = (gx + 1) * (W / 2) - 0.5, rounded half to even, outside [0, W - 1]
 * reads 0. */
void lc_aug_grid_nearest(const uint8_t *src, uint8_t *dst, int C, int H, int W, const float t[6])
{
    float hw = (float)(0.5 * W), hh = (float)(0.5 * H);
    float r00 = t[0] / hw, r10 = t[1] / hw, r20 = t[2] / hw;
    float r01 = t[3] / hh, r11 = t[4] / hh, r21 = t[5] / hh;
    float sw = (float)W / 2.0f, sh = (float)H / 2.0f;
    size_t plane = (size_t)H * W;
    for (int j = 0; j < H; j++) {
        float y = (float)j - (float)(H - 1) * 0.5f;
        float y0 = y * r10, y1 = y * r11;
        for (int i = 0; i < W; i++) {
            float x = (float)i - (float)(W - 1) * 0.5f;
            float gx = x * r00 + y0;
            gx = gx + r20;
            float gy = x * r01 + y1;
            gy = gy + r21;
            float ix = (gx + 1.0f) * sw;
            ix = ix - 0.5f;
            float iy = (gy + 1.0f) * sh;
            iy = iy - 0.5f;
            float xn = nearbyintf(ix), yn = nearbyintf(iy);
            size_t o = (size_t)j * W + i;
            if (xn >= 0.0f && xn <= (float)(W - 1) && yn >= 0.0f && yn <= (float)(H - 1)) {
                size_t s = (size_t)yn * W + (size_t)xn;
                for (int c = 0; c < C; c++)
                    dst[c * plane + o] = src[c * plane + s];
            } else {
                for (int c = 0; c < C; c++)
                    dst[c * plane + o] = 0;
            }
        }
    }
}

/* F.rotate: _get_inverse_affine_matrix(center 0, -angle, no translation, scale 1, no shear) in
 * double is [cos r, sin r, 0, -sin r, cos r, 0] with r = radians(-angle) (the shear terms add
 * signed zeros only), rounded to float32 (theta), then lc_aug_grid_nearest. */
lc_status lc_aug_rotate(const uint8_t *src, uint8_t *dst, int C, int H, int W, double angle_deg,
                        lc_error *e)
{
    lc_status st = check_image(C, H, W, 1, LC_AUG_CHANNELS_MAX, "rotate", e);
    if (st != LC_OK)
        return st;
    if (!isfinite(angle_deg))
        return lc_error_set(e, LC_ERR_DATA, "rotate: the angle %g is not a finite number", angle_deg);
    double rot = -angle_deg * (M_PI / 180.0);
    float cs = (float)cos(rot), sn = (float)sin(rot);
    const float t[6] = {cs, sn, 0.0f, -sn, cs, 0.0f};
    lc_aug_grid_nearest(src, dst, C, H, W, t);
    return LC_OK;
}

static lc_status check_factor(double f, const char *what, lc_error *e)
{
    if (!(f >= 0.0) || !isfinite(f))
        return lc_error_set(e, LC_ERR_DATA, "%s: the factor %g is not a non-negative number", what, f);
    return LC_OK;
}

/* _blend(img, other, ratio) for one value: ratio * img and (1 - ratio) * other as float32
 * products (1 - ratio in double), their float32 sum, clamped to [0, 255], cast by truncation */
static inline uint8_t blend(uint8_t v, float ratio, float other_term)
{
    float r = ratio * (float)v;
    r = r + other_term;
    if (r < 0.0f)
        r = 0.0f;
    if (r > 255.0f)
        r = 255.0f;
    return (uint8_t)r;
}

void lc_aug_brightness(uint8_t *img, int C, int H, int W, double factor)
{
    if (C < 1 || H < 1 || W < 1)
        return;
    float ratio = (float)factor;
    float other = (float)(1.0 - factor) * 0.0f;
    size_t n = (size_t)C * H * W;
    for (size_t i = 0; i < n; i++)
        img[i] = blend(img[i], ratio, other);
}

/* torch 1.13's cascade_sum of n contiguous float32 values on one thread with 8-float vectors
 * (SumKernel.cpp: vectorized_inner_sum -> row_sum (4 vector rows interleaved) -> multi_row_sum
 * (chunked levels); under 8 values the scalar row_sum). Lanes are kept as arrays. */
#define SUM_LANES 8
#define SUM_ILP 4
#define SUM_LEVELS 4

static int ceil_log2(int64_t x)
{
    if (x <= 2)
        return 1;
    uint64_t v = (uint64_t)x - 1;
    int last = 63 - __builtin_clzll(v);
    return last + 1;
}

/* multi_row_sum over `size` rows of SUM_ILP units; a unit is `lanes` consecutive floats, row r
 * unit k starts at v + (r * SUM_ILP + k) * lanes; out[k][l] */
static void multi_row_sum(const float *v, int64_t size, int lanes, float out[SUM_ILP][SUM_LANES])
{
    int level_power = ceil_log2(size) / SUM_LEVELS;
    if (level_power < 4)
        level_power = 4;
    int64_t level_step = (int64_t)1 << level_power, level_mask = level_step - 1;
    float acc[SUM_LEVELS][SUM_ILP][SUM_LANES];
    memset(acc, 0, sizeof acc);
    int64_t i = 0;
    while (i + level_step <= size) {
        for (int64_t j = 0; j < level_step; j++, i++)
            for (int k = 0; k < SUM_ILP; k++)
                for (int l = 0; l < lanes; l++)
                    acc[0][k][l] += v[(i * SUM_ILP + k) * lanes + l];
        for (int j = 1; j < SUM_LEVELS; j++) {
            for (int k = 0; k < SUM_ILP; k++)
                for (int l = 0; l < lanes; l++) {
                    acc[j][k][l] += acc[j - 1][k][l];
                    acc[j - 1][k][l] = 0.0f;
                }
            if ((i & (level_mask << (j * level_power))) != 0)
                break;
        }
    }
    for (; i < size; i++)
        for (int k = 0; k < SUM_ILP; k++)
            for (int l = 0; l < lanes; l++)
                acc[0][k][l] += v[(i * SUM_ILP + k) * lanes + l];
    for (int j = 1; j < SUM_LEVELS; j++)
        for (int k = 0; k < SUM_ILP; k++)
            for (int l = 0; l < lanes; l++)
                acc[0][k][l] += acc[j][k][l];
    memcpy(out, acc[0], sizeof acc[0]);
}

/* row_sum over `units` units of `lanes` floats: the lane-wise partial sums in out[0][..] */
static void row_sum(const float *v, int64_t units, int lanes, float out[SUM_LANES])
{
    float part[SUM_ILP][SUM_LANES];
    int64_t size_ilp = units / SUM_ILP;
    multi_row_sum(v, size_ilp, lanes, part);
    for (int64_t i = size_ilp * SUM_ILP; i < units; i++)
        for (int l = 0; l < lanes; l++)
            part[0][l] += v[i * lanes + l];
    for (int k = 1; k < SUM_ILP; k++)
        for (int l = 0; l < lanes; l++)
            part[0][l] += part[k][l];
    memcpy(out, part[0], sizeof part[0]);
}

static float torch_sum(const float *v, int64_t n)
{
    float lane[SUM_LANES];
    if (n < SUM_LANES) { /* scalar row_sum */
        row_sum(v, n, 1, lane);
        return lane[0];
    }
    int64_t units = n / SUM_LANES;
    row_sum(v, units, SUM_LANES, lane);
    float acc = 0.0f;
    for (int64_t k = units * SUM_LANES; k < n; k++)
        acc += v[k];
    for (int l = 0; l < SUM_LANES; l++)
        acc += lane[l];
    return acc;
}

lc_status lc_aug_contrast(uint8_t *img, int C, int H, int W, double factor, lc_error *e)
{
    lc_status st = check_image(C, H, W, 1, 3, "contrast", e);
    if (st == LC_OK && C == 2)
        st = check_image(C, H, W, 1, 1, "contrast", e);
    if (st == LC_OK)
        st = check_factor(factor, "contrast", e);
    if (st != LC_OK)
        return st;
    size_t n = (size_t)H * W;
    float *grey = lc_alloc(n, sizeof(float));
    if (!grey)
        return lc_error_set(e, LC_ERR_NOMEM, "contrast: no memory for a %d x %d image", H, W);
    if (C == 3) { /* rgb_to_grayscale: (0.2989 r + 0.587 g) + 0.114 b in float32, truncated */
        const uint8_t *r = img, *g = img + n, *b = img + 2 * n;
        for (size_t i = 0; i < n; i++) {
            float l = 0.2989f * (float)r[i];
            l = l + 0.587f * (float)g[i];
            l = l + 0.114f * (float)b[i];
            grey[i] = (float)(uint8_t)l;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            grey[i] = (float)img[i];
    }
    float mean = torch_sum(grey, (int64_t)n) / (float)n;
    lc_free(grey);
    float ratio = (float)factor;
    float other = (float)(1.0 - factor) * mean;
    size_t total = (size_t)C * n;
    for (size_t i = 0; i < total; i++)
        img[i] = blend(img[i], ratio, other);
    return LC_OK;
}

/* exp as torch 1.13 computes it for a float32 tensor on an AVX2 machine: Vectorized<float>::exp
 * is SLEEF's expf (1-ulp variant, FMA build), for every element, the short tail included. The
 * algorithm: q = rint(d / ln 2); s = d - q ln 2 with ln 2 split in two parts (fused); a degree-5
 * polynomial in s by Horner with fused multiply-adds; 1 + (s + s^2 u); times 2^q. */
static float sleef_expf(float d)
{
    float qf = nearbyintf(d * 1.442695040888963407359924681001892137f);
    int q = (int)qf;
    float s = fmaf(qf, -0.693145751953125f, d);
    s = fmaf(qf, -1.428606765330187045e-06f, s);
    float u = 0.000198527617612853646278381f;
    u = fmaf(u, s, 0.00139304355252534151077271f);
    u = fmaf(u, s, 0.00833336077630519866943359f);
    u = fmaf(u, s, 0.0416664853692054748535156f);
    u = fmaf(u, s, 0.166666671633720397949219f);
    u = fmaf(u, s, 0.5f);
    u = 1.0f + fmaf(s * s, u, s);
    u = ldexpf(u, q);
    if (d < -104.0f)
        u = 0.0f;
    return u;
}

/* torchvision's 1-d gaussian kernel: x = i - (k - 1) / 2 (exact), pdf = exp(-0.5 (x / s)^2) in
 * float32 with s = float(0.15 k + 0.35), divided by torch's float sum of pdf */
static void gaussian_kernel(int k, float *w)
{
    float s = (float)(k * 0.15 + 0.35);
    for (int i = 0; i < k; i++) {
        float x = (float)i - (float)(k - 1) * 0.5f;
        float q = x / s;
        q = q * q;
        w[i] = sleef_expf(-0.5f * q);
    }
    float sum = torch_sum(w, k);
    for (int i = 0; i < k; i++)
        w[i] = w[i] / sum;
}

/* acc[x] (+)= p[x] * w over n values: fused (oneDNN) or not (reference BLAS) */
static void taps_plain(float *acc, const float *p, float w, int n)
{
    for (int x = 0; x < n; x++)
        acc[x] = acc[x] + w * p[x];
}

static void taps_fused_libm(float *acc, const float *p, float w, int n)
{
    for (int x = 0; x < n; x++)
        acc[x] = fmaf(p[x], w, acc[x]);
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define AUG_FMA_DISPATCH 1
__attribute__((target("avx2,fma"))) static void taps_fused_fma(float *acc, const float *p, float w,
                                                              int n)
{
    for (int x = 0; x < n; x++)
        acc[x] = fmaf(p[x], w, acc[x]);
}
#endif

lc_status lc_aug_blur_batch(uint8_t *img, int C, int H, int W, int kernel_size, int batch_n,
                            lc_error *e)
{
    lc_status st = check_image(C, H, W, 1, LC_AUG_CHANNELS_MAX, "blur", e);
    if (st != LC_OK)
        return st;
    int k = kernel_size;
    if (k < 1 || k % 2 == 0)
        return lc_error_set(e, LC_ERR_DATA,
                            "blur: kernel_size %d: torchvision requires an odd positive kernel size", k);
    int p = k / 2;
    if (p >= H || p >= W)
        return lc_error_set(e, LC_ERR_DATA,
                            "blur: kernel_size %d needs reflect padding of %d, which an image of %d x %d pixels cannot give (padding must be less than each side)",
                            k, p, H, W);
    if (k == 1)
        return LC_OK; /* a kernel of 1.0: x * 1 rounds back to x */
    int Hp = H + 2 * p, Wp = W + 2 * p;
    size_t padn = (size_t)Hp * Wp;
    float *pad = lc_alloc(padn + (size_t)W + (size_t)k, sizeof(float));
    if (!pad)
        return lc_error_set(e, LC_ERR_NOMEM, "blur: no memory for a %d x %d image", H, W);
    float *acc = pad + padn, *g = acc + W;
    gaussian_kernel(k, g);
    int slow = batch_n <= 1 && C == 1 && k == 3 && (long)Hp * Wp <= 20480;
    void (*taps)(float *, const float *, float, int) = slow ? taps_plain : taps_fused_libm;
#ifdef AUG_FMA_DISPATCH
    if (!slow && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        taps = taps_fused_fma;
#endif
    for (int c = 0; c < C; c++) {
        uint8_t *plane = img + (size_t)c * H * W;
        for (int y = 0; y < Hp; y++) { /* reflect: -1 -> 1, H -> H - 2 */
            int sy = y - p;
            sy = sy < 0 ? -sy : sy >= H ? 2 * (H - 1) - sy : sy;
            const uint8_t *srow = plane + (size_t)sy * W;
            float *prow = pad + (size_t)y * Wp;
            for (int x = 0; x < Wp; x++) {
                int sx = x - p;
                sx = sx < 0 ? -sx : sx >= W ? 2 * (W - 1) - sx : sx;
                prow[x] = (float)srow[sx];
            }
        }
        for (int y = 0; y < H; y++) {
            memset(acc, 0, (size_t)W * sizeof(float));
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    taps(acc, pad + (size_t)(y + i) * Wp + j, g[i] * g[j], W); /* torch.mm(ky, kx) */
            uint8_t *orow = plane + (size_t)y * W;
            for (int x = 0; x < W; x++) {
                float r = nearbyintf(acc[x]);
                orow[x] = (uint8_t)(r < 0.0f ? 0.0f : r > 255.0f ? 255.0f : r);
            }
        }
    }
    lc_free(pad);
    return LC_OK;
}

lc_status lc_aug_blur(uint8_t *img, int C, int H, int W, int kernel_size, lc_error *e)
{
    return lc_aug_blur_batch(img, C, H, W, kernel_size, 2, e);
}
