/* test_tvtransform.c - lc_tv_preprocess and lc_tv_normalize (lc_tvtransform.h) against Ludwig's
 * torchvision preprocessing as Debian's torchvision 0.14 / torch 1.13 compute it
 * (tests/unit/tvtransform_check.py), on real photographs from Debian packages (test-data/tv_*,
 * see test-data/README.md): a portrait JPEG (600 x 512), a landscape JPEG (300 x 451), a grey PNG
 * smaller than the crop (157 x 203, upscaled), an RGBA PNG (114 x 171) and its grey + alpha
 * decode, odd cuts of the portrait (1 x 1, 13 x 500, 37 x 500, 224 x 224, 225 x 223, 257 x 255,
 * 599 x 3), under ResNet50's (232, 224, bilinear), ResNet18's / ViT's (256, 224, bilinear),
 * EfficientNet_B0's (256, 224, bicubic), EfficientNet_B3's (320, 300, bicubic) presets, sizes
 * where the crop is larger than the resized image (zero padding) or odd, and large downscales
 * (600 x 512 to 40 / 33: up to 36 taps per output).
 *
 * The images are decoded here (stb_image) and handed to torchvision as raw pixels, so decoders
 * play no part. Asserted: the uint8 crop equal to torchvision's in every value; the float stage
 * applied to torchvision's uint8 within 1e-6 of torchvision's floats (it is in fact equal); CHW
 * and HWC input give the same crop. Without torchvision, the crops' FNV-1a hashes written down
 * from a torchvision run. Sizes out of range are refused with a message. Run from the repository
 * root. */
#include "check.h"
#include "lc_image.h"
#include "lc_mem.h"
#include "lc_tvtransform.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct tv_case {
    const char *name;
    int C, H, W;
    uint8_t *chw; /* (C, H, W) */
    uint8_t *hwc; /* (H, W, C) */
    lc_tv_transform t;
} tv_case;

#define MAX_CASES 128

static tv_case cases[MAX_CASES];
static int ncases;

/* an image (h, w, c) HWC cut at (y0, x0) to (H, W) */
static lc_image cut(const lc_image *im, int y0, int x0, int H, int W)
{
    lc_image r = {H, W, im->c, malloc((size_t)H * W * im->c)};
    for (int y = 0; y < H; y++)
        memcpy(r.px + (size_t)y * W * im->c, im->px + ((size_t)(y0 + y) * im->w + x0) * im->c,
               (size_t)W * im->c);
    return r;
}

static void add_case(const char *name, const lc_image *im, int rs, int cs, lc_tv_interp interp)
{
    if (ncases == MAX_CASES)
        return;
    tv_case *k = &cases[ncases++];
    k->name = name;
    k->C = im->c;
    k->H = im->h;
    k->W = im->w;
    size_t n = (size_t)im->c * im->h * im->w;
    k->hwc = malloc(n);
    k->chw = malloc(n);
    memcpy(k->hwc, im->px, n);
    for (int c = 0; c < im->c; c++)
        for (size_t p = 0; p < (size_t)im->h * im->w; p++)
            k->chw[(size_t)c * im->h * im->w + p] = im->px[p * im->c + c];
    lc_tv_transform_imagenet(&k->t, rs, cs, interp);
}

/* every preset and a few awkward sizes on one image */
static void add_presets(const char *name, const lc_image *im)
{
    add_case(name, im, 232, 224, LC_TV_BILINEAR);
    add_case(name, im, 256, 224, LC_TV_BILINEAR);
    add_case(name, im, 256, 224, LC_TV_BICUBIC);
    add_case(name, im, 320, 300, LC_TV_BICUBIC);
}

static int load(const char *path, int channels, lc_image *im)
{
    size_t n = 0;
    char *bytes = check_slurp(path, &n);
    lc_error e = {0};
    lc_status st = bytes ? lc_image_decode((unsigned char *)bytes, n, channels, path, im, &e)
                         : LC_ERR_IO;
    CHECK_MSG(st == LC_OK, "%s: %s", path, bytes ? e.msg : "cannot be read");
    free(bytes);
    return st == LC_OK;
}

static void build_cases(void)
{
    lc_image hop, cat, cam, cof, ga;
    if (!load("test-data/tv_grace_hopper.jpg", 0, &hop) || !load("test-data/tv_chelsea.jpg", 0, &cat) ||
        !load("test-data/tv_camera_gray.png", 0, &cam) || !load("test-data/tv_coffee_rgba.png", 0, &cof) ||
        !load("test-data/tv_coffee_rgba.png", 2, &ga))
        return;
    CHECK(hop.c == 3 && hop.h == 600 && hop.w == 512 && cat.c == 3 && cat.h == 300 && cat.w == 451);
    CHECK(cam.c == 1 && cam.h == 157 && cam.w == 203 && cof.c == 4 && cof.h == 114 && cof.w == 171);
    add_presets("grace_hopper 600x512 RGB", &hop);
    add_presets("chelsea 300x451 RGB", &cat);
    add_presets("camera 157x203 grey", &cam);
    add_presets("coffee 114x171 RGBA", &cof);
    add_presets("coffee 114x171 grey+alpha", &ga);
    /* the crop larger than the resized image: zero padding on one or both sides */
    add_case("chelsea pad", &cat, 100, 160, LC_TV_BILINEAR);
    add_case("camera pad", &cam, 97, 131, LC_TV_BICUBIC);
    add_case("chelsea odd", &cat, 97, 61, LC_TV_BICUBIC);
    /* large downscales: 14 to 36 taps per output */
    add_case("grace_hopper 600x512 RGB", &hop, 40, 32, LC_TV_BICUBIC);
    add_case("grace_hopper 600x512 RGB", &hop, 33, 33, LC_TV_BILINEAR);
    static const struct { int y, x, h, w; const char *name; } cuts[] = {
        {300, 200, 1, 1, "hopper cut 1x1"},       {10, 5, 13, 500, "hopper cut 13x500"},
        {100, 3, 37, 500, "hopper cut 37x500"},   {200, 150, 224, 224, "hopper cut 224x224"},
        {51, 77, 225, 223, "hopper cut 225x223"}, {0, 0, 257, 255, "hopper cut 257x255"},
        {1, 400, 599, 3, "hopper cut 599x3"},     {0, 0, 600, 512, "hopper whole"}};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        lc_image c = cut(&hop, cuts[i].y, cuts[i].x, cuts[i].h, cuts[i].w);
        add_case(cuts[i].name, &c, 232, 224, LC_TV_BILINEAR);
        add_case(cuts[i].name, &c, 256, 224, LC_TV_BICUBIC);
        add_case(cuts[i].name, &c, 224, 224, LC_TV_BILINEAR);
        free(c.px);
    }
    lc_image_free(&hop);
    lc_image_free(&cat);
    lc_image_free(&cam);
    lc_image_free(&cof);
    lc_image_free(&ga);
}

/* torchvision's crops and floats for every case, from tvtransform_check.py; 0 when unavailable */
static int run_torchvision(uint8_t **want_u8, float **want_f)
{
    char in[128], out[128], cmd[512];
    snprintf(in, sizeof in, "/tmp/lc_tvtransform_in_%d.bin", (int)getpid());
    snprintf(out, sizeof out, "/tmp/lc_tvtransform_out_%d.bin", (int)getpid());
    FILE *f = fopen(in, "wb");
    if (!f)
        return 0;
    for (int i = 0; i < ncases; i++) {
        const tv_case *k = &cases[i];
        int32_t hdr[6] = {k->C, k->H, k->W, k->t.resize_size, k->t.crop_size,
                          k->t.interpolation == LC_TV_BICUBIC};
        fwrite(hdr, sizeof hdr, 1, f);
        fwrite(k->chw, 1, (size_t)k->C * k->H * k->W, f);
    }
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/unit/tvtransform_check.py %s %s 2>/dev/null",
             in, out);
    int rc = system(cmd);
    remove(in);
    f = rc == 0 ? fopen(out, "rb") : NULL;
    int ok = f != NULL;
    for (int i = 0; ok && i < ncases; i++) {
        size_t n = 3 * (size_t)cases[i].t.crop_size * cases[i].t.crop_size;
        want_u8[i] = malloc(n);
        want_f[i] = malloc(n * sizeof(float));
        ok = fread(want_u8[i], 1, n, f) == n && fread(want_f[i], sizeof(float), n, f) == n;
    }
    if (f)
        fclose(f);
    remove(out);
    CHECK_MSG(rc != 0 || ok, "tvtransform_check.py ran but its output is short");
    return ok;
}

/* FNV-1a of each case's uint8 crop, in case order, written down from torchvision 0.14 */
static const uint64_t want_hash[] = {
    0xa3737fe3ef48d93bULL, 0xfd443551593b3f9bULL, 0xd92a83e9dbf746bfULL,
    0x20bbdd0f49e2c532ULL, 0x1f7fe689bf4ddadeULL, 0x8c33942ac521d930ULL,
    0x738d79ea6024c92cULL, 0x921c0d1e588480d0ULL, 0x633befc8cd9a2fe3ULL,
    0x18de7358b0761909ULL, 0x3fe29d35a421ece4ULL, 0x05c5dba403857291ULL,
    0x2d9a2c1c743e3facULL, 0x8a66b279dc822e20ULL, 0x75603698f580baddULL,
    0x437cc9f509575b56ULL, 0x6179fb4c0b66003dULL, 0xa8854a733e34f521ULL,
    0xaa8a0f1c2487c385ULL, 0x7b27f8dc412feb95ULL, 0x3af276092cd80631ULL,
    0xaae52e5ee0fb0211ULL, 0xc70f53b101151242ULL, 0x918a0db36f12d32eULL,
    0xa904a688790e2dd9ULL, 0xb32cd3ba087f9b25ULL, 0xb32cd3ba087f9b25ULL,
    0xb32cd3ba087f9b25ULL, 0x711c9cd9feaa759fULL, 0x600b4de09d4174d4ULL,
    0x78724a2eec14d509ULL, 0x62ae165878d8ad12ULL, 0x37ab86f174e6bbd6ULL,
    0x1e3e235a970521f3ULL, 0xd5ee3be725b980a2ULL, 0xbdcb09b7ca82229bULL,
    0xbba75899d09cc9fdULL, 0xcbc55fdd4d147c17ULL, 0xb7c15f0baf497010ULL,
    0xf795aaac836a3cd4ULL, 0xd9c051d81b2efa3cULL, 0x72eab4383809427bULL,
    0xa563d34e351aba91ULL, 0x32c3f65a91374180ULL, 0xb4421f9bcb5f75ceULL,
    0x8ffa83100a1b3050ULL, 0xa3737fe3ef48d93bULL, 0xd92a83e9dbf746bfULL,
    0x76a72796f858237eULL,
};

static void refusals(void)
{
    lc_tv_transform t;
    lc_tv_transform_imagenet(&t, 256, 224, LC_TV_BILINEAR);
    uint8_t px[4] = {0}, out[16];
    lc_error e = {0};
    lc_status st = lc_tv_preprocess(px, 3, 0, 5, LC_TV_CHW, &t, out, &e);
    CHECK_MSG(st == LC_ERR_DATA && strstr(e.msg, "0 x 5 pixels") != NULL, "%d '%s'", (int)st, e.msg);
    lc_error_clear(&e);
    st = lc_tv_preprocess(px, 0, 1, 1, LC_TV_CHW, &t, out, &e);
    CHECK_MSG(st == LC_ERR_DATA && strstr(e.msg, "0 channels") != NULL, "%d '%s'", (int)st, e.msg);
    lc_error_clear(&e);
    lc_tv_transform_imagenet(&t, LC_TV_SIZE_MAX + 1, 224, LC_TV_BICUBIC);
    st = lc_tv_preprocess(px, 1, 2, 2, LC_TV_HWC, &t, out, &e);
    CHECK_MSG(st == LC_ERR_DATA && strstr(e.msg, "resized to 8193") != NULL, "%d '%s'", (int)st, e.msg);
    CHECK(lc_tv_scratch_bytes(0, 5, &t) == 0);
    int oh, ow;
    lc_tv_resized_size(225, 223, 232, &oh, &ow);
    CHECK(oh == 234 && ow == 232); /* int(232 * 225 / 223) */
    lc_tv_resized_size(300, 451, 256, &oh, &ow);
    CHECK(oh == 256 && ow == 384);
}

int main(void)
{
    refusals();
    build_cases();
    uint8_t *want_u8[MAX_CASES] = {0};
    float *want_f[MAX_CASES] = {0};
    int have_tv = ncases > 0 && run_torchvision(want_u8, want_f);
    int nhash = (int)(sizeof want_hash / sizeof want_hash[0]);
    CHECK_MSG(nhash == ncases, "%d hashes written down for %d cases", nhash, ncases);
    long u8_total = 0, u8_diff = 0, f_total = 0;
    int u8_max = 0;
    double f_max = 0, f_max_own = 0;
    for (int i = 0; i < ncases; i++) {
        const tv_case *k = &cases[i];
        int S = k->t.crop_size;
        size_t n = 3 * (size_t)S * S;
        uint8_t *got = malloc(n), *got_hwc = malloc(n);
        float *f = malloc(n * sizeof(float));
        lc_error e = {0};
        lc_status st = lc_tv_preprocess(k->chw, k->C, k->H, k->W, LC_TV_CHW, &k->t, got, &e);
        CHECK_MSG(st == LC_OK, "%s: %s", k->name, e.msg);
        st = lc_tv_preprocess(k->hwc, k->C, k->H, k->W, LC_TV_HWC, &k->t, got_hwc, &e);
        CHECK_MSG(st == LC_OK && memcmp(got, got_hwc, n) == 0, "%s: HWC differs from CHW", k->name);
        CHECK(lc_tv_scratch_bytes(k->H, k->W, &k->t) > 0);
        uint64_t h = check_fnv1a(got, n);
        if (have_tv) {
            long diff = 0;
            int worst = 0;
            for (size_t j = 0; j < n; j++) {
                int d = abs((int)got[j] - (int)want_u8[i][j]);
                diff += d != 0;
                worst = d > worst ? d : worst;
            }
            u8_total += (long)n;
            u8_diff += diff;
            u8_max = worst > u8_max ? worst : u8_max;
            CHECK_MSG(diff == 0, "%s (resize %d, crop %d, %s): %ld of %zu values differ from torchvision's, by up to %d",
                      k->name, k->t.resize_size, S,
                      k->t.interpolation == LC_TV_BICUBIC ? "bicubic" : "bilinear", diff, n, worst);
            /* the float stage on torchvision's own crop, then on ours */
            lc_tv_normalize(want_u8[i], 1, &k->t, f);
            for (size_t j = 0; j < n; j++) {
                double d = fabs((double)f[j] - (double)want_f[i][j]);
                f_max = d > f_max ? d : f_max;
            }
            lc_tv_normalize(got, 1, &k->t, f);
            for (size_t j = 0; j < n; j++) {
                double d = fabs((double)f[j] - (double)want_f[i][j]);
                f_max_own = d > f_max_own ? d : f_max_own;
            }
            f_total += (long)n;
            if (i < nhash && want_hash[i] != check_fnv1a(want_u8[i], n))
                fprintf(stderr, "test_tvtransform: case %d (%s): torchvision's crop hashes to 0x%016llxULL, written down 0x%016llxULL\n",
                        i, k->name, (unsigned long long)check_fnv1a(want_u8[i], n),
                        (unsigned long long)want_hash[i]);
        }
        CHECK_MSG(i >= nhash || h == want_hash[i], "%s (resize %d, crop %d): crop hash 0x%016llx, torchvision's 0x%016llx",
                  k->name, k->t.resize_size, S, (unsigned long long)h,
                  (unsigned long long)(i < nhash ? want_hash[i] : 0));
        free(got);
        free(got_hwc);
        free(f);
    }
    CHECK_MSG(f_max <= 1e-6, "float stage differs from torchvision's by %.3g", f_max);
    CHECK_MSG(f_max_own <= 1e-6, "our floats differ from torchvision's by %.3g", f_max_own);
    if (have_tv)
        printf("test_tvtransform: %d cases, %ld uint8 values: %ld differ from torchvision's (max %d); floats from torchvision's uint8 within %.3g (from ours %.3g) over %ld values\n",
               ncases, u8_total, u8_diff, u8_max, f_max, f_max_own, f_total);
    else
        printf("test_tvtransform: torchvision is not installed: %d cases against written-down hashes\n",
               ncases);
    for (int i = 0; i < ncases; i++) {
        free(cases[i].chw);
        free(cases[i].hwc);
        free(want_u8[i]);
        free(want_f[i]);
    }
    return check_exit("test_tvtransform");
}
