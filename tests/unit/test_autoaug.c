/* test_autoaug.c - Ludwig's auto_augmentation (lc_autoaug.h) against torchvision 0.14's
 * TrivialAugmentWide, AutoAugment and RandAugment (torch 1.13, one thread; tests/gen_autoaug.py):
 *
 *  - the tables: each method's augmentation space (operations in torchvision's order, signed or
 *    not, with or without magnitudes), every magnitude of every bin as float32 bits for eight image
 *    sizes (the translations scale with the image), the methods' defaults (31 bins; RandAugment's
 *    2 operations at bin 9) and AutoAugment's 25 ImageNet sub-policies (operation, probability,
 *    bin): all equal;
 *  - every operation at several magnitudes (the tables' smallest, largest and middle bins with
 *    both signs, RandAugment's and the ImageNet policy's) on real photographs (test-data/tv_*: a
 *    portrait JPEG, a landscape JPEG, a grey PNG), an MNIST digit, cuts with odd and tiny sides and
 *    a flat grey image, each inside a batch of two as Ludwig hands torchvision a 4-D batch
 *    (Sharpness also alone, torch's slow convolution): every value equal to torchvision's except
 *    Contrast (the float mean, lc_augment.h) and Sharpness (oneDNN's float accumulation), which may
 *    be one level off in under 0.1% of the values (the counts are printed);
 *    without torchvision, one FNV-1a hash per operation written down from a torchvision run;
 *  - the draws: every operation, bin, sign and sub-policy occurs, the probabilities hold, the
 *    plan is a function of (seed, step);
 *  - lc_image_augment with auto_augmentation on a batch of MNIST digits: the same bytes on 1 and 2
 *    threads, other bytes than the unaugmented batch, for each method;
 *  - refusals: channels other than 1 or 3, bad magnitudes.
 * Run from the repository root. */
#include "check.h"
#include "lc_autoaug.h"
#include "lc_config.h"
#include "lc_ftypes.h"
#include "lc_image.h"
#include "lc_mem.h"
#include "lc_model.h"
#include "lc_pool.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- tables ---- */

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
    for (int k = 0; k < 8; k++) {
        h ^= (v >> (8 * k)) & 0xff;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint32_t f32bits(double v)
{
    float f = (float)v;
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* FNV-1a over the (method, H, W, op, bin, float32 bits) of every magnitude, the space entries and
 * the policy, from a torchvision run (Debian 12, AVX2 kernels) */
#define WANT_TABLE_HASH 0x4ce6734140926689ULL

static int method_of(const char *s)
{
    lc_autoaug_method m;
    return lc_autoaug_method_parse(s, &m) == 0 ? (int)m : -1;
}

static uint64_t own_tables_hash(void)
{
    static const int sizes[][2] = {{28, 28}, {157, 203}, {300, 451}, {1, 1}, {600, 512}, {37, 53}, {224, 224}, {13, 200}};
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int m = 0; m < 3; m++) {
            lc_autoaug_op ops[LC_AA_COUNT];
            int n = lc_autoaug_space((lc_autoaug_method)m, ops);
            for (int k = 0; k < n; k++) {
                h = fnv_u64(h, ((uint64_t)m << 48) | ((uint64_t)k << 40) | ((uint64_t)ops[k] << 32) |
                                   (uint64_t)(lc_autoaug_signed(ops[k]) * 2 + lc_autoaug_has_magnitudes(ops[k])));
                if (!lc_autoaug_has_magnitudes(ops[k]))
                    continue;
                for (int b = 0; b < lc_autoaug_bins((lc_autoaug_method)m); b++)
                    h = fnv_u64(h, ((uint64_t)sizes[s][0] << 48) ^ ((uint64_t)sizes[s][1] << 32) ^
                                       ((uint64_t)b << 40) ^
                                       f32bits(lc_autoaug_magnitude((lc_autoaug_method)m, ops[k], b, sizes[s][0], sizes[s][1])));
            }
        }
    for (int i = 0; i < LC_AUTOAUG_POLICIES; i++)
        for (int j = 0; j < 2; j++) {
            const lc_autoaug_step *st = &lc_autoaug_imagenet[i][j];
            h = fnv_u64(h, ((uint64_t)st->op << 32) | (uint64_t)(st->bin + 1));
            h = fnv_u64(h, f32bits(st->prob));
        }
    return h;
}

static void check_tables(void)
{
    char out[128], cmd[512];
    snprintf(out, sizeof out, "/tmp/lc_autoaug_tab_%d.txt", (int)getpid());
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/gen_autoaug.py tables %s 2>/dev/null", out);
    int rc = system(cmd);
    FILE *f = rc == 0 ? fopen(out, "r") : NULL;
    uint64_t own = own_tables_hash();
    if (!f) {
        printf("test_autoaug: no torchvision: the tables against the hash written down\n");
        CHECK_MSG(own == WANT_TABLE_HASH, "tables hash 0x%016llx, written down 0x%016llx",
                  (unsigned long long)own, (unsigned long long)WANT_TABLE_HASH);
        return;
    }
    char line[512];
    int nmag = 0, nspace = 0, npol = 0, ndef = 0, space_len[3][8] = {{0}};
    static const int sizes[][2] = {{28, 28}, {157, 203}, {300, 451}, {1, 1}, {600, 512}, {37, 53}, {224, 224}, {13, 200}};
    while (fgets(line, sizeof line, f)) {
        char meth[32];
        int H, W, k, op, sg, nd, b;
        unsigned bits;
        double p;
        if (line[0] == 'S' && sscanf(line, "S %31s %d %d %d %d %d %d", meth, &H, &W, &k, &op, &sg, &nd) == 7) {
            int m = method_of(meth);
            lc_autoaug_op ops[LC_AA_COUNT];
            int n = m >= 0 ? lc_autoaug_space((lc_autoaug_method)m, ops) : 0;
            CHECK_MSG(m >= 0 && k < n && (int)ops[k] == op, "%s: space entry %d is %s in torchvision, %s here",
                      meth, k, lc_autoaug_op_name((lc_autoaug_op)op), k < n ? lc_autoaug_op_name(ops[k]) : "none");
            CHECK_MSG(lc_autoaug_signed((lc_autoaug_op)op) == sg && lc_autoaug_has_magnitudes((lc_autoaug_op)op) == nd,
                      "%s: signed %d / magnitudes %d in torchvision", lc_autoaug_op_name((lc_autoaug_op)op), sg, nd);
            for (int s = 0; s < 8; s++)
                if (m >= 0 && sizes[s][0] == H && sizes[s][1] == W)
                    space_len[m][s]++;
            nspace++;
        } else if (line[0] == 'M' && sscanf(line, "M %31s %d %d %d %d %u %lf", meth, &H, &W, &op, &b, &bits, &p) == 7) {
            int m = method_of(meth);
            double v = m >= 0 ? lc_autoaug_magnitude((lc_autoaug_method)m, (lc_autoaug_op)op, b, H, W) : NAN;
            CHECK_MSG(f32bits(v) == bits && (float)v == (float)p, "%s %s bin %d (%dx%d): %.9g here, torchvision %.9g",
                      meth, lc_autoaug_op_name((lc_autoaug_op)op), b, H, W, v, p);
            nmag++;
        } else if (line[0] == 'P' && sscanf(line, "P %d %d %d %lf %d", &k, &b, &op, &p, &nd) == 5) {
            const lc_autoaug_step *st = k < LC_AUTOAUG_POLICIES && b < 2 ? &lc_autoaug_imagenet[k][b] : NULL;
            CHECK_MSG(st && (int)st->op == op && st->prob == p && st->bin == nd,
                      "ImageNet policy %d.%d: torchvision (%s, %g, %d)", k, b, lc_autoaug_op_name((lc_autoaug_op)op), p, nd);
            npol++;
        } else if (line[0] == 'D') {
            int a1, a2, a3;
            if (sscanf(line, "D trivial_augment bins %d", &a1) == 1) {
                CHECK(a1 == lc_autoaug_bins(LC_AUTOAUG_TRIVIAL));
                ndef++;
            } else if (sscanf(line, "D rand_augment num_ops %d magnitude %d bins %d", &a1, &a2, &a3) == 3) {
                /* the draw's 2 operations at bin 9 are checked in check_draws */
                CHECK(a1 == 2 && a2 == 9 && a3 == lc_autoaug_bins(LC_AUTOAUG_RAND));
                ndef++;
            }
        }
    }
    fclose(f);
    remove(out);
    for (int m = 0; m < 3; m++)
        for (int s = 0; s < 8; s++)
            CHECK_MSG(space_len[m][s] == lc_autoaug_space((lc_autoaug_method)m, NULL),
                      "%s: torchvision's space has %d operations", lc_autoaug_method_name((lc_autoaug_method)m), space_len[m][s]);
    CHECK_MSG(npol == 2 * LC_AUTOAUG_POLICIES && ndef == 2 && nmag > 1000, "%d policy steps, %d defaults, %d magnitudes read", npol, ndef, nmag);
    printf("test_autoaug: tables: %d space entries, %d magnitudes, %d policy steps equal to torchvision's\n",
           nspace, nmag, npol);
    if (own != WANT_TABLE_HASH)
        printf("test_autoaug: tables hash 0x%016llxULL (written down 0x%016llxULL)\n",
               (unsigned long long)own, (unsigned long long)WANT_TABLE_HASH);
}

/* ---- the operations against torchvision ---- */

typedef struct aa_case {
    const char *name;
    int op, C, H, W, batch_n;
    double mag;
    const uint8_t *chw;
} aa_case;

#define MAX_CASES 4096
#define MAX_IMAGES 16
static aa_case cases[MAX_CASES];
static int ncases;
static uint8_t *images[MAX_IMAGES];
static int nimages;

static void add(const char *name, const uint8_t *chw, int C, int H, int W, int op, double mag, int bn)
{
    for (int i = 0; i < ncases; i++) /* the tables repeat values: one case each */
        if (cases[i].chw == chw && cases[i].op == op && cases[i].mag == mag && cases[i].batch_n == bn)
            return;
    CHECK_MSG(ncases < MAX_CASES, "more than %d cases", MAX_CASES);
    if (ncases == MAX_CASES)
        return;
    cases[ncases++] = (aa_case){name, op, C, H, W, bn, mag, chw};
}

/* every operation on the image: the magnitudes of TrivialAugmentWide's bins tbins, AutoAugment's
 * abins and RandAugment's bin 9, both signs where signed (large images: fewer bins) */
static void add_image(const char *name, const uint8_t *chw, int C, int H, int W)
{
    static const int tbins_all[] = {0, 1, 5, 12, 15, 30}, abins_all[] = {0, 2, 3, 4, 5, 7, 8, 9};
    static const int tbins_few[] = {1, 15, 30}, abins_few[] = {5, 8};
    int large = (long)H * W > 20000;
    const int *tbins = large ? tbins_few : tbins_all, *abins = large ? abins_few : abins_all;
    int nt = large ? 3 : 6, na = large ? 2 : 8;
    for (int op = 0; op < LC_AA_COUNT; op++) {
        if (!lc_autoaug_has_magnitudes((lc_autoaug_op)op)) {
            add(name, chw, C, H, W, op, 0.0, 2);
            continue;
        }
        for (int sgn = 0; sgn < 2; sgn++) {
            if (sgn && !lc_autoaug_signed((lc_autoaug_op)op))
                continue;
            double s = sgn ? -1.0 : 1.0;
            for (int i = 0; i < nt; i++)
                add(name, chw, C, H, W, op, s * lc_autoaug_magnitude(LC_AUTOAUG_TRIVIAL, (lc_autoaug_op)op, tbins[i], H, W), 2);
            for (int i = 0; i < na; i++)
                add(name, chw, C, H, W, op, s * lc_autoaug_magnitude(LC_AUTOAUG_AUTO, (lc_autoaug_op)op, abins[i], H, W), 2);
            add(name, chw, C, H, W, op, s * lc_autoaug_magnitude(LC_AUTOAUG_RAND, (lc_autoaug_op)op, 9, H, W), 2);
        }
    }
    if (C == 1) { /* alone: torch's slow convolution when small */
        add(name, chw, C, H, W, LC_AA_SHARPNESS, 0.99, 1);
        add(name, chw, C, H, W, LC_AA_SHARPNESS, -0.6, 1);
    }
    add(name, chw, C, H, W, LC_AA_POSTERIZE, 1.0, 2);
    add(name, chw, C, H, W, LC_AA_POSTERIZE, 0.0, 2);
    add(name, chw, C, H, W, LC_AA_SOLARIZE, 127.5, 2);
}

static uint8_t *cut(const lc_image *im, int y0, int x0, int H, int W)
{
    if (nimages == MAX_IMAGES)
        return NULL;
    int C = im->c;
    uint8_t *chw = malloc((size_t)C * H * W);
    images[nimages++] = chw;
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                chw[((size_t)c * H + y) * W + x] = im->px[((size_t)(y0 + y) * im->w + x0 + x) * C + c];
    return chw;
}

static int load(const char *path, lc_image *im)
{
    size_t n = 0;
    char *bytes = check_slurp(path, &n);
    lc_error e = {0};
    lc_status st = bytes ? lc_image_decode((unsigned char *)bytes, n, 0, path, im, &e) : LC_ERR_IO;
    CHECK_MSG(st == LC_OK, "%s: %s", path, bytes ? e.msg : "cannot be read");
    free(bytes);
    return st == LC_OK;
}

static int load_zip(const char *member, lc_image *im)
{
    lc_image_source *zip = NULL;
    unsigned char *bytes = NULL;
    size_t n = 0;
    lc_error e = {0};
    lc_status st = lc_image_source_open_zip("test-data/mnist_images.zip", &zip, &e);
    if (st == LC_OK)
        st = lc_image_source_read(zip, 0, member, &bytes, &n, &e);
    if (st == LC_OK)
        st = lc_image_decode(bytes, n, 0, member, im, &e);
    lc_free(bytes);
    if (zip)
        lc_image_source_close(zip);
    CHECK_MSG(st == LC_OK, "%s: %s", member, e.msg);
    return st == LC_OK;
}

static void build_cases(void)
{
    lc_image hop, cat, cam, d0;
    if (!load("test-data/tv_grace_hopper.jpg", &hop) || !load("test-data/tv_chelsea.jpg", &cat) ||
        !load("test-data/tv_camera_gray.png", &cam) || !load_zip("training/7/0.png", &d0))
        return;
    CHECK(hop.c == 3 && hop.h == 600 && hop.w == 512 && cat.c == 3 && cat.h == 300 && cat.w == 451);
    CHECK(cam.c == 1 && cam.h == 157 && cam.w == 203 && d0.c == 1 && d0.h == 28 && d0.w == 28);
    add_image("mnist 7 28x28 grey", cut(&d0, 0, 0, 28, 28), 1, 28, 28);
    add_image("camera 157x203 grey", cut(&cam, 0, 0, 157, 203), 1, 157, 203);
    add_image("camera cut 2x3 grey", cut(&cam, 80, 90, 2, 3), 1, 2, 3);
    add_image("chelsea 300x451 RGB", cut(&cat, 0, 0, 300, 451), 3, 300, 451);
    add_image("hopper cut 64x48 RGB", cut(&hop, 200, 150, 64, 48), 3, 64, 48);
    add_image("hopper cut 37x53 RGB", cut(&hop, 101, 203, 37, 53), 3, 37, 53);
    add_image("hopper cut 1x1 RGB", cut(&hop, 300, 200, 1, 1), 3, 1, 1);
    uint8_t *flat = cut(&hop, 0, 0, 5, 7); /* one value: AutoContrast's and Equalize's no-ops */
    if (flat)
        memset(flat, 128, 3 * 5 * 7);
    add_image("flat 5x7 RGB", flat, 3, 5, 7);
    lc_image_free(&hop);
    lc_image_free(&cat);
    lc_image_free(&cam);
    lc_image_free(&d0);
}

static int run_torchvision(uint8_t **want)
{
    char in[128], out[128], cmd[512];
    snprintf(in, sizeof in, "/tmp/lc_autoaug_in_%d.bin", (int)getpid());
    snprintf(out, sizeof out, "/tmp/lc_autoaug_out_%d.bin", (int)getpid());
    FILE *f = fopen(in, "wb");
    if (!f)
        return 0;
    for (int i = 0; i < ncases; i++) {
        const aa_case *k = &cases[i];
        int32_t hdr[5] = {k->op, k->C, k->H, k->W, k->batch_n};
        fwrite(hdr, sizeof hdr, 1, f);
        fwrite(&k->mag, sizeof k->mag, 1, f);
        fwrite(k->chw, 1, (size_t)k->C * k->H * k->W, f);
    }
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/gen_autoaug.py ops %s %s 2>/dev/null", in, out);
    int rc = system(cmd);
    remove(in);
    f = rc == 0 ? fopen(out, "rb") : NULL;
    int ok = f != NULL;
    for (int i = 0; ok && i < ncases; i++) {
        size_t n = (size_t)cases[i].C * cases[i].H * cases[i].W;
        want[i] = malloc(n);
        ok = fread(want[i], 1, n, f) == n;
    }
    if (f)
        fclose(f);
    remove(out);
    CHECK_MSG(rc != 0 || ok, "gen_autoaug.py ran but its output is short");
    return ok;
}

/* FNV-1a over torchvision's results of each operation, in case order (Debian 12, torch 1.13,
 * AVX2 kernels, one thread) */
static const uint64_t want_op_hash[LC_AA_COUNT] = {
    0xa2d4cbab59447412ULL, 0xe1739a9361fec6b3ULL, 0x9244227a82b67096ULL, /* Identity, ShearX/Y */
    0x7ae28df7c52594c1ULL, 0x899cd0e2326d42e9ULL, 0x4c4062f06cfe2997ULL, /* TranslateX/Y, Rotate */
    0xda860e5a385fdf60ULL, 0xa9a44e0de3b86bfbULL, 0xe2b6e1b9b750339dULL, /* Brightness, Color, Contrast */
    0xe2bc916e79e73a5fULL, 0xea3d017c6d8a0448ULL, 0xd224bc2878609a73ULL, /* Sharpness, Posterize, Solarize */
    0xd07f3388433edd8fULL, 0xf1baa5c11f22322eULL, 0x44332e3ce2ca460aULL, /* AutoContrast, Equalize, Invert */
};

static void check_ops(void)
{
    build_cases();
    static uint8_t *want[MAX_CASES];
    int have_tv = ncases > 0 && run_torchvision(want);
    long total[LC_AA_COUNT] = {0}, diff[LC_AA_COUNT] = {0};
    int worst[LC_AA_COUNT] = {0}, count[LC_AA_COUNT] = {0};
    uint64_t own_h[LC_AA_COUNT], tv_h[LC_AA_COUNT];
    for (int o = 0; o < LC_AA_COUNT; o++)
        own_h[o] = tv_h[o] = 0xcbf29ce484222325ULL;
    for (int i = 0; i < ncases; i++) {
        const aa_case *k = &cases[i];
        size_t n = (size_t)k->C * k->H * k->W;
        uint8_t *got = malloc(2 * n);
        memcpy(got, k->chw, n);
        lc_error e = {0};
        lc_status st = lc_autoaug_apply(got, got + n, k->C, k->H, k->W, (lc_autoaug_op)k->op, k->mag, k->batch_n, &e);
        CHECK_MSG(st == LC_OK, "%s %s %g: %s", k->name, lc_autoaug_op_name((lc_autoaug_op)k->op), k->mag, e.msg);
        count[k->op]++;
        for (size_t j = 0; j < n; j++)
            own_h[k->op] = (own_h[k->op] ^ got[j]) * 0x100000001b3ULL;
        if (have_tv) {
            long d = 0;
            int w = 0;
            for (size_t j = 0; j < n; j++) {
                int a = abs((int)got[j] - (int)want[i][j]);
                d += a != 0;
                w = a > w ? a : w;
                tv_h[k->op] = (tv_h[k->op] ^ want[i][j]) * 0x100000001b3ULL;
            }
            total[k->op] += (long)n;
            diff[k->op] += d;
            worst[k->op] = w > worst[k->op] ? w : worst[k->op];
            int exact = k->op != LC_AA_CONTRAST && k->op != LC_AA_SHARPNESS;
            CHECK_MSG(exact ? d == 0 : (w <= 1 && d * 1000 <= (long)n),
                      "%s %s (magnitude %.9g, batch %d): %ld of %zu values differ from torchvision's, by up to %d",
                      k->name, lc_autoaug_op_name((lc_autoaug_op)k->op), k->mag, k->batch_n, d, n, w);
            free(want[i]);
        }
        free(got);
    }
    for (int o = 0; o < LC_AA_COUNT; o++) {
        if (have_tv) {
            printf("test_autoaug: %-12s %3d cases, %8ld values, %ld differ from torchvision's (max %d)\n",
                   lc_autoaug_op_name((lc_autoaug_op)o), count[o], total[o], diff[o], worst[o]);
            if (tv_h[o] != want_op_hash[o])
                printf("test_autoaug: %s: torchvision's results hash to 0x%016llxULL (written down 0x%016llxULL)\n",
                       lc_autoaug_op_name((lc_autoaug_op)o), (unsigned long long)tv_h[o],
                       (unsigned long long)want_op_hash[o]);
        } else {
            CHECK_MSG(own_h[o] == want_op_hash[o], "%s: results hash 0x%016llx, torchvision's 0x%016llx",
                      lc_autoaug_op_name((lc_autoaug_op)o), (unsigned long long)own_h[o],
                      (unsigned long long)want_op_hash[o]);
        }
    }
    if (!have_tv)
        printf("test_autoaug: no torchvision: %d cases against the hashes written down\n", ncases);
    for (int i = 0; i < nimages; i++)
        free(images[i]);
}

/* ---- the draws ---- */

static void check_draws(void)
{
    const int N = 20000;
    for (int m = 0; m < 3; m++) {
        lc_autoaug_op space[LC_AA_COUNT];
        int nops = lc_autoaug_space((lc_autoaug_method)m, space);
        int seen_op[LC_AA_COUNT] = {0}, seen_bin[31] = {0}, seen_neg = 0, seen_pos = 0;
        int pol_n[LC_AUTOAUG_POLICIES] = {0}, pol_applied[LC_AUTOAUG_POLICIES][2] = {{0}};
        int bad = 0;
        for (int s = 0; s < N; s++) {
            lc_rng r, r2;
            lc_autoaug_plan p, p2;
            lc_rng_init(&r, 42, LC_STREAM_AUGMENT, (uint64_t)s);
            lc_rng_init(&r2, 42, LC_STREAM_AUGMENT, (uint64_t)s);
            lc_autoaug_draw((lc_autoaug_method)m, 64, 48, &r, &p);
            lc_autoaug_draw((lc_autoaug_method)m, 64, 48, &r2, &p2);
            bad += memcmp(&p, &p2, sizeof p) != 0;
            if (m == LC_AUTOAUG_AUTO) {
                bad += p.policy < 0 || p.policy >= LC_AUTOAUG_POLICIES;
                if (p.policy < 0 || p.policy >= LC_AUTOAUG_POLICIES)
                    continue;
                pol_n[p.policy]++;
                int j = 0;
                for (int i = 0; i < 2 && j < p.n; i++) {
                    const lc_autoaug_step *st = &lc_autoaug_imagenet[p.policy][i];
                    if (p.op[j] != st->op)
                        continue; /* this step was skipped (the same op twice: counted once) */
                    double mag = st->bin >= 0 ? lc_autoaug_magnitude(LC_AUTOAUG_AUTO, st->op, st->bin, 64, 48) : 0.0;
                    bad += fabs(p.magnitude[j]) != mag;
                    seen_neg += p.magnitude[j] < 0;
                    pol_applied[p.policy][i]++;
                    j++;
                }
                continue;
            }
            bad += p.n != (m == LC_AUTOAUG_RAND ? 2 : 1);
            for (int j = 0; j < p.n; j++) {
                seen_op[p.op[j]]++;
                if (!lc_autoaug_has_magnitudes(p.op[j])) {
                    bad += p.magnitude[j] != 0.0;
                    continue;
                }
                if (m == LC_AUTOAUG_RAND) { /* RandAugment: always bin 9 */
                    bad += fabs(p.magnitude[j]) != lc_autoaug_magnitude(LC_AUTOAUG_RAND, p.op[j], 9, 64, 48);
                } else if (p.op[j] == LC_AA_ROTATE) { /* distinct values: the bin shows */
                    int found = -1;
                    for (int b = 0; b < 31 && found < 0; b++)
                        if (fabs(p.magnitude[j]) == lc_autoaug_magnitude(LC_AUTOAUG_TRIVIAL, LC_AA_ROTATE, b, 64, 48))
                            found = b;
                    bad += found < 0;
                    if (found >= 0)
                        seen_bin[found]++;
                }
                if (lc_autoaug_signed(p.op[j]) && p.magnitude[j] != 0.0) {
                    seen_neg += p.magnitude[j] < 0;
                    seen_pos += p.magnitude[j] > 0;
                }
                bad += !lc_autoaug_signed(p.op[j]) && p.magnitude[j] < 0;
            }
        }
        CHECK_MSG(bad == 0, "%s: %d bad draws", lc_autoaug_method_name((lc_autoaug_method)m), bad);
        if (m == LC_AUTOAUG_AUTO) {
            for (int i = 0; i < LC_AUTOAUG_POLICIES; i++) {
                CHECK_MSG(pol_n[i] > N / 25 / 2, "sub-policy %d drawn %d times of %d", i, pol_n[i], N);
                const lc_autoaug_step *st = lc_autoaug_imagenet[i];
                if (st[0].op == st[1].op)
                    continue;
                for (int k = 0; k < 2; k++) {
                    double fr = pol_n[i] ? (double)pol_applied[i][k] / pol_n[i] : 0;
                    CHECK_MSG(fabs(fr - st[k].prob) < 0.08, "sub-policy %d step %d applied %.3f of the time, p %.1f", i, k, fr, st[k].prob);
                }
            }
            CHECK(seen_neg > 0);
            continue;
        }
        for (int k = 0; k < nops; k++)
            CHECK_MSG(seen_op[space[k]] > N / nops / 2, "%s: %s drawn %d times", lc_autoaug_method_name((lc_autoaug_method)m),
                      lc_autoaug_op_name(space[k]), seen_op[space[k]]);
        for (int b = 0; b < 31 && m == LC_AUTOAUG_TRIVIAL; b++)
            CHECK_MSG(seen_bin[b] > 0, "trivial_augment: Rotate's bin %d never drawn", b);
        CHECK(seen_neg > N / 10 && seen_pos > N / 10);
    }
    lc_rng r;
    lc_autoaug_plan a, b;
    int differ = 0;
    for (int s = 0; s < 8; s++) {
        lc_rng_init(&r, 42, LC_STREAM_AUGMENT, (uint64_t)s);
        lc_autoaug_draw(LC_AUTOAUG_TRIVIAL, 28, 28, &r, &a);
        lc_rng_init(&r, 42, LC_STREAM_AUGMENT, (uint64_t)s + 1);
        lc_autoaug_draw(LC_AUTOAUG_TRIVIAL, 28, 28, &r, &b);
        differ += a.op[0] != b.op[0] || a.magnitude[0] != b.magnitude[0];
    }
    CHECK_MSG(differ >= 5, "consecutive steps drew the same operation %d of 8 times", 8 - differ);
}

/* ---- lc_image_augment: 1 vs 2 threads, against the unaugmented batch ---- */

static void check_batches(void)
{
    enum { B = 12, H = 28, W = 28 };
    lc_image d[B];
    static const char *const digits[B] = {"7/0", "8/1", "6/2", "1/3", "3/4", "9/5", "4/6", "1/7", "1/8", "6/9", "2/10", "5/11"};
    float *plain = malloc(sizeof(float) * B * H * W), *x1 = malloc(sizeof(float) * B * H * W),
          *x2 = malloc(sizeof(float) * B * H * W);
    char member[64];
    for (int b = 0; b < B; b++) {
        snprintf(member, sizeof member, "training/%s.png", digits[b]);
        if (!load_zip(member, &d[b]))
            return;
        for (int k = 0; k < H * W; k++)
            plain[b * H * W + k] = (float)d[b].px[k] / 255.0f;
        lc_image_free(&d[b]);
    }
    lc_model *m = calloc(1, sizeof *m);
    float *slot[1];
    m->inputs = slot;
    lc_feature f;
    memset(&f, 0, sizeof f);
    f.name = "image_path";
    f.naug = 1;
    f.aug[0].type = LC_AUG_AUTO;
    lc_column col;
    memset(&col, 0, sizeof col);
    col.C = 1;
    col.H = H;
    col.W = W;
    lc_pool *p1 = lc_pool_create(1), *p2 = lc_pool_create(2);
    for (int meth = 0; meth < 3; meth++) {
        f.aug[0].method = meth;
        int changed = 0, same = 1;
        for (uint64_t step = 0; step < 6; step++) {
            lc_error e = {0};
            memcpy(x1, plain, sizeof(float) * B * H * W);
            memcpy(x2, plain, sizeof(float) * B * H * W);
            slot[0] = x1;
            lc_status s1 = lc_image_augment(m, p1, &f, &col, 0, B, 42, step, &e);
            slot[0] = x2;
            lc_status s2 = lc_image_augment(m, p2, &f, &col, 0, B, 42, step, &e);
            CHECK_MSG(s1 == LC_OK && s2 == LC_OK, "%s", e.msg);
            same &= memcmp(x1, x2, sizeof(float) * B * H * W) == 0;
            changed += memcmp(x1, plain, sizeof(float) * B * H * W) != 0;
        }
        CHECK_MSG(same, "%s: 1 and 2 threads gave other batches", lc_autoaug_method_name((lc_autoaug_method)meth));
        CHECK_MSG(changed >= 3, "%s: only %d of 6 batches changed", lc_autoaug_method_name((lc_autoaug_method)meth), changed);
        printf("test_autoaug: lc_image_augment %s: 6 batches of %d digits equal on 1 and 2 threads, %d of them changed\n",
               lc_autoaug_method_name((lc_autoaug_method)meth), B, changed);
    }
    col.C = 2; /* refused before the first batch */
    lc_error e = {0};
    CHECK(lc_image_augment(m, p1, &f, &col, 0, B, 42, 0, &e) == LC_ERR_CONFIG && strstr(e.msg, "1- or 3-channel"));
    lc_pool_destroy(p1);
    lc_pool_destroy(p2);
    free(m);
    free(plain);
    free(x1);
    free(x2);
}

static void refusals(void)
{
    uint8_t px[4 * 9 * 9] = {0}, tmp[4 * 9 * 9];
    lc_error e = {0};
#define REFUSED(call, text)                                                                   \
    do {                                                                                      \
        lc_error_clear(&e);                                                                   \
        lc_status st_ = (call);                                                               \
        CHECK_MSG(st_ == LC_ERR_DATA && strstr(e.msg, text) != NULL, "%s: %d '%s'", #call,  \
                  (int)st_, e.msg);                                                           \
    } while (0)
    REFUSED(lc_autoaug_apply(px, tmp, 4, 9, 9, LC_AA_IDENTITY, 0, 2, &e), "1 or 3");
    REFUSED(lc_autoaug_apply(px, tmp, 2, 9, 9, LC_AA_SHEAR_X, 0.3, 2, &e), "1 or 3");
    REFUSED(lc_autoaug_apply(px, tmp, 1, 0, 9, LC_AA_INVERT, 0, 2, &e), "0 x 9");
    REFUSED(lc_autoaug_apply(px, tmp, 1, 9, 9, LC_AA_ROTATE, NAN, 2, &e), "finite");
    REFUSED(lc_autoaug_apply(px, tmp, 1, 9, 9, LC_AA_BRIGHTNESS, -1.5, 2, &e), "negative");
    REFUSED(lc_autoaug_apply(px, tmp, 1, 9, 9, LC_AA_POSTERIZE, 9, 2, &e), "0..8");
    REFUSED(lc_autoaug_apply(px, tmp, 1, 9, 9, LC_AA_SOLARIZE, 256, 2, &e), "above 255");
    REFUSED(lc_autoaug_apply(px, tmp, 1, 9, 9, (lc_autoaug_op)LC_AA_COUNT, 0, 2, &e), "not one of");
#undef REFUSED
    lc_autoaug_method m;
    CHECK(lc_autoaug_method_parse("rand_augment", &m) == 0 && m == LC_AUTOAUG_RAND);
    CHECK(lc_autoaug_method_parse("augmix", &m) != 0 && lc_autoaug_method_parse(NULL, &m) != 0);
    CHECK(lc_autoaug_magnitude(LC_AUTOAUG_TRIVIAL, LC_AA_ROTATE, 31, 9, 9) == 0.0);
}

int main(void)
{
    refusals();
    check_tables();
    check_draws();
    check_batches();
    check_ops();
    return check_exit("test_autoaug");
}
