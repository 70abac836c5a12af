/* test_augment.c - Ludwig's image augmentation operations (lc_augment.h) against the
 * torchvision.transforms.functional calls Ludwig 0.10.3 makes, as Debian's torchvision 0.14 /
 * torch 1.13 compute them on one thread (tests/unit/augment_check.py), on real images: the
 * photographs of test-data/tv_* (see test-data/README.md: a portrait JPEG 600 x 512, a landscape
 * JPEG 300 x 451, a grey PNG 157 x 203, an RGBA PNG 114 x 171), two 28 x 28 grey MNIST digits from
 * test-data/mnist_images.zip, and cuts of them with odd, even and non-square sides (37 x 53,
 * 64 x 48, 13 x 200, 2 x 3, 1 x 1).
 *
 * Every image gets hflip, vflip, rotate by 0, 15, -15, 90, 33.3 and 180 degrees, and blur with
 * k = 3, 5, 7 inside a batch of two (oneDNN's convolution in torch) where its sides allow the
 * reflect padding (and 9, 21 on the 157 x 203, 114 x 171 and 300 x 451 ones); grey images also
 * blur with k = 3 alone (torch's slow convolution when small); 1- and 3-channel images get
 * brightness and contrast by 0.5, 1.3, 2.0, 0 and 0.77. Rotation also by -123.456. Asserted: flips,
 * rotate and brightness equal to torchvision's in every value; contrast and blur at most one
 * level off in under 0.1% of the values (the counts are printed; they are 0 on the reference
 * machine). Without torchvision, the results' FNV-1a hashes written down from a torchvision run.
 * Bad arguments are refused with a message. Run from the repository root. */
#include "check.h"
#include "lc_augment.h"
#include "lc_image.h"
#include "lc_mem.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OP_HFLIP, OP_VFLIP, OP_ROTATE, OP_BRIGHT, OP_CONTRAST, OP_BLUR, OP_COUNT };
static const char *op_name[OP_COUNT] = {"hflip", "vflip", "rotate", "brightness", "contrast", "blur"};

typedef struct aug_case {
    const char *name;
    int op, C, H, W;
    int k, batch_n;  /* blur */
    double param;    /* rotate, brightness, contrast */
    uint8_t *chw;    /* (C, H, W), owned by the image table */
} aug_case;

#define MAX_CASES 512
#define MAX_IMAGES 32

static aug_case cases[MAX_CASES];
static int ncases;
static uint8_t *images[MAX_IMAGES];
static int nimages;

static void add(const char *name, const uint8_t *chw, int C, int H, int W, int op, double param,
                int k, int batch_n)
{
    if (ncases == MAX_CASES)
        return;
    aug_case *c = &cases[ncases++];
    c->name = name;
    c->op = op;
    c->C = C;
    c->H = H;
    c->W = W;
    c->param = param;
    c->k = k;
    c->batch_n = batch_n;
    c->chw = (uint8_t *)chw;
}

/* all the cases for one image (hwc as decoded), cut at (y0, x0) to (H, W) */
static void add_image(const char *name, const lc_image *im, int y0, int x0, int H, int W)
{
    if (nimages == MAX_IMAGES)
        return;
    int C = im->c;
    uint8_t *chw = malloc((size_t)C * H * W);
    images[nimages++] = chw;
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                chw[((size_t)c * H + y) * W + x] = im->px[((size_t)(y0 + y) * im->w + x0 + x) * C + c];
    add(name, chw, C, H, W, OP_HFLIP, 0, 0, 0);
    add(name, chw, C, H, W, OP_VFLIP, 0, 0, 0);
    static const double angles[] = {0, 15, -15, 90, 33.3, 180, -123.456};
    for (size_t i = 0; i < sizeof angles / sizeof angles[0]; i++)
        add(name, chw, C, H, W, OP_ROTATE, angles[i], 0, 0);
    for (int k = 3; k <= 7; k += 2)
        if (k / 2 < H && k / 2 < W)
            add(name, chw, C, H, W, OP_BLUR, 0, k, 2);
    if (C == 1 && H > 1 && W > 1)
        add(name, chw, C, H, W, OP_BLUR, 0, 3, 1);
    if (H >= 100 && W >= 100 && H <= 300) { /* kernels of 8 taps or more: torch's vector sum */
        add(name, chw, C, H, W, OP_BLUR, 0, 9, 2);
        add(name, chw, C, H, W, OP_BLUR, 0, 21, 1);
    }
    if (C == 1 || C == 3) {
        static const double factors[] = {0.5, 1.3, 2.0, 0.0, 0.77};
        for (int i = 0; i < 5; i++) {
            add(name, chw, C, H, W, OP_BRIGHT, factors[i], 0, 0);
            add(name, chw, C, H, W, OP_CONTRAST, factors[i], 0, 0);
        }
    }
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

static int load_zip(lc_image_source *src, const char *member, lc_image *im)
{
    unsigned char *bytes = NULL;
    size_t n = 0;
    lc_error e = {0};
    lc_status st = lc_image_source_read(src, 0, member, &bytes, &n, &e);
    if (st == LC_OK)
        st = lc_image_decode(bytes, n, 0, member, im, &e);
    lc_free(bytes);
    CHECK_MSG(st == LC_OK, "%s: %s", member, e.msg);
    return st == LC_OK;
}

static void build_cases(void)
{
    lc_image hop, cat, cam, cof, d0, d1;
    lc_image_source *zip = NULL;
    lc_error e = {0};
    if (!load("test-data/tv_grace_hopper.jpg", 0, &hop) || !load("test-data/tv_chelsea.jpg", 0, &cat) ||
        !load("test-data/tv_camera_gray.png", 0, &cam) || !load("test-data/tv_coffee_rgba.png", 0, &cof))
        return;
    lc_status st = lc_image_source_open_zip("test-data/mnist_images.zip", &zip, &e);
    CHECK_MSG(st == LC_OK, "%s", e.msg);
    if (st != LC_OK || !load_zip(zip, "training/7/0.png", &d0) || !load_zip(zip, "training/3/4.png", &d1))
        return;
    lc_image_source_close(zip);
    CHECK(hop.c == 3 && hop.h == 600 && hop.w == 512 && cat.c == 3 && cat.h == 300 && cat.w == 451);
    CHECK(cam.c == 1 && cam.h == 157 && cam.w == 203 && cof.c == 4 && cof.h == 114 && cof.w == 171);
    CHECK(d0.c == 1 && d0.h == 28 && d0.w == 28 && d1.c == 1 && d1.h == 28 && d1.w == 28);
    add_image("mnist 7 28x28 grey", &d0, 0, 0, 28, 28);
    add_image("mnist 3 28x28 grey", &d1, 0, 0, 28, 28);
    add_image("camera 157x203 grey", &cam, 0, 0, 157, 203);
    add_image("camera cut 13x200 grey", &cam, 70, 2, 13, 200);
    add_image("camera cut 2x3 grey", &cam, 80, 90, 2, 3);
    add_image("camera cut 1x1 grey", &cam, 80, 90, 1, 1);
    add_image("chelsea 300x451 RGB", &cat, 0, 0, 300, 451);
    add_image("grace_hopper 600x512 RGB", &hop, 0, 0, 600, 512);
    add_image("hopper cut 37x53 RGB", &hop, 101, 203, 37, 53);
    add_image("hopper cut 64x48 RGB", &hop, 200, 150, 64, 48);
    add_image("hopper cut 1x1 RGB", &hop, 300, 200, 1, 1);
    add_image("coffee 114x171 RGBA", &cof, 0, 0, 114, 171);
    lc_image_free(&hop);
    lc_image_free(&cat);
    lc_image_free(&cam);
    lc_image_free(&cof);
    lc_image_free(&d0);
    lc_image_free(&d1);
}

/* torchvision's result for every case, from augment_check.py; 0 when unavailable */
static int run_torchvision(uint8_t **want)
{
    char in[128], out[128], cmd[512];
    snprintf(in, sizeof in, "/tmp/lc_augment_in_%d.bin", (int)getpid());
    snprintf(out, sizeof out, "/tmp/lc_augment_out_%d.bin", (int)getpid());
    FILE *f = fopen(in, "wb");
    if (!f)
        return 0;
    for (int i = 0; i < ncases; i++) {
        const aug_case *k = &cases[i];
        int32_t hdr[5] = {k->op, k->C, k->H, k->W, k->batch_n * 1000 + k->k};
        fwrite(hdr, sizeof hdr, 1, f);
        fwrite(&k->param, sizeof k->param, 1, f);
        fwrite(k->chw, 1, (size_t)k->C * k->H * k->W, f);
    }
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/unit/augment_check.py %s %s 2>/dev/null", in, out);
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
    CHECK_MSG(rc != 0 || ok, "augment_check.py ran but its output is short");
    return ok;
}

/* our result for case k in got (C, H, W) */
static lc_status run_case(const aug_case *k, uint8_t *got, lc_error *e)
{
    size_t n = (size_t)k->C * k->H * k->W;
    memcpy(got, k->chw, n);
    switch (k->op) {
    case OP_HFLIP:
        lc_aug_hflip(got, k->C, k->H, k->W);
        return LC_OK;
    case OP_VFLIP:
        lc_aug_vflip(got, k->C, k->H, k->W);
        return LC_OK;
    case OP_ROTATE:
        return lc_aug_rotate(k->chw, got, k->C, k->H, k->W, k->param, e);
    case OP_BRIGHT:
        lc_aug_brightness(got, k->C, k->H, k->W, k->param);
        return LC_OK;
    case OP_CONTRAST:
        return lc_aug_contrast(got, k->C, k->H, k->W, k->param, e);
    default:
        if (k->batch_n > 1)
            return lc_aug_blur(got, k->C, k->H, k->W, k->k, e);
        return lc_aug_blur_batch(got, k->C, k->H, k->W, k->k, k->batch_n, e);
    }
}

/* FNV-1a of torchvision's result for each case, in case order, written down from torchvision
 * 0.14 / torch 1.13 (Debian 12, AVX2 kernels, one thread) */
static const uint64_t want_hash[] = {
    0xb32ec0d01e96eba3ULL, 0x8f69aafb8a1003b3ULL, 0x6332ac2605acf5a3ULL,
    0x7ef4af336d9f0affULL, 0x1850d4731e30ee1fULL, 0x7f66c242e9989865ULL,
    0x1d375d4d37f1bb4eULL, 0x781f5708037cc153ULL, 0xed0a7000d1b34612ULL,
    0x87ae6e2cd0988658ULL, 0x76ede05648220579ULL, 0xdec4f19e59f7f1eaULL,
    0x87ae6e2cd0988658ULL, 0xe378cc96b89a3907ULL, 0x2cbb46325c707407ULL,
    0xbdc340f3209bd9aeULL, 0x8d272f81cbe0e23fULL, 0x0ebb44e560c64921ULL,
    0xc1e9420e6430047eULL, 0xacce919f8e9b2065ULL, 0xb960025da1cd3735ULL,
    0x3bfd46cf60d548d7ULL, 0x5b66d084000524acULL, 0x0dd5f3977354a085ULL,
    0x8d3343d00b5efb7dULL, 0x672cd886698b5591ULL, 0x1ee5716eaf8b4072ULL,
    0xbb47073328a16187ULL, 0x6ae96deedd1eb0fbULL, 0x2f43169aeb82d687ULL,
    0xe11fe05cf56d8aa9ULL, 0xc940f0b7203a20ceULL, 0x55ee082f8bdd0cf1ULL,
    0x9a471f9e0c9e80e2ULL, 0x89ad27328016042cULL, 0x55ee082f8bdd0cf1ULL,
    0x8b2218576c563191ULL, 0x1fb2c187bc2cff31ULL, 0x73d4a589c49c18e8ULL,
    0x1509874f79f99835ULL, 0x2d2529b66d5d0f5dULL, 0x2eb4fdd92c648c4bULL,
    0xacce919f8e9b2065ULL, 0x3a942ea1ee4d1065ULL, 0x76a42522b5a2b284ULL,
    0x7c5ce96ab2b3ce0bULL, 0x196236d829f23b64ULL, 0x763299f97fec88b0ULL,
    0x79268d82a128fdf8ULL, 0xdb7836d7e708095aULL, 0x9288eb8c10331ba7ULL,
    0xabd9fd8a66d1a178ULL, 0xffd837e251db1b85ULL, 0xd66e775ab877e6acULL,
    0xca76808f2e8b170dULL, 0x27304c66641097b9ULL, 0x0ed9f317b742cecaULL,
    0xae1b556a1020490cULL, 0x27304c66641097b9ULL, 0x4c6acc873657a467ULL,
    0x314796e5ebf9e35eULL, 0xf2745dac425ce563ULL, 0xd163b1f83e84a99eULL,
    0xab95a236b27b1798ULL, 0x1aaff8fe61864302ULL, 0xb9312dee5fb49a8dULL,
    0xfe70506d1dbde14bULL, 0x8561756d173009c7ULL, 0xb7b6f655f440fb3eULL,
    0x7f21b0f2c0919a2eULL, 0xa1b5f3abd2057c0cULL, 0x328c9af390caef13ULL,
    0x6edc7cf709387223ULL, 0xb8dcd57a518e088fULL, 0xa4e4cf9d93035601ULL,
    0x51c91175d85861baULL, 0x1f8a48ea753aebb8ULL, 0x826d5170bcefff2cULL,
    0x765918701f642a3fULL, 0x42c82b6ac6ca2bb8ULL, 0xba0a1a01a1fe74bfULL,
    0x009b057bffc86d0eULL, 0x22c5beab03b5f63dULL, 0xba0a1a01a1fe74bfULL,
    0xa2fc03ab7b46ce3fULL, 0x2bfde8a6070bb847ULL, 0xb293648afa1e3c23ULL,
    0x01bafed759d8fda8ULL, 0x2c45948c64a242e0ULL, 0xbfc2744f400aa6c4ULL,
    0xc8b96b75ce132445ULL, 0xf02dde435ed68aa5ULL, 0x76ea4df92d22ad36ULL,
    0x450dbcd34a37d723ULL, 0x2a743bfd4300ba3cULL, 0xa36d0b0ecaa08e26ULL,
    0x032b9046e2bda7acULL, 0x032b9046e2bda7acULL, 0x032b9046e2bda7acULL,
    0x9b000e63b65f15fdULL, 0x2f01c23e6ee9f6e9ULL, 0xe45b9c18186519aeULL,
    0x41d74159f71dbd3eULL, 0x49774977904673e7ULL, 0x49774977904673e7ULL,
    0x4646bf31e17ad798ULL, 0xfd9d4b14b5e7d0f4ULL, 0x176d2796a8fa8aa5ULL,
    0x6cc01c556b4dfc77ULL, 0x94b60eb59e63e903ULL, 0xa9f8ea9e2c0714adULL,
    0xd7e4fcfa299d713dULL, 0x7d2ec1df1455959dULL, 0x810a155e488e3ba2ULL,
    0x2ef77b3e6ee129bfULL, 0xaf63c84c8601ca90ULL, 0xaf63c84c8601ca90ULL,
    0xaf63c84c8601ca90ULL, 0xaf63c84c8601ca90ULL, 0xaf63c84c8601ca90ULL,
    0xaf63c84c8601ca90ULL, 0xaf63c84c8601ca90ULL, 0xaf63c84c8601ca90ULL,
    0xaf63c84c8601ca90ULL, 0xaf63c74c8601c8ddULL, 0xaf63c84c8601ca90ULL,
    0xaf63d64c8601e25aULL, 0xaf63c84c8601ca90ULL, 0xaf63a74c8601927dULL,
    0xaf63c84c8601ca90ULL, 0xaf63bd4c8601b7dfULL, 0xaf63c84c8601ca90ULL,
    0xaf63cd4c8601d30fULL, 0xaf63c84c8601ca90ULL, 0x79b492d8d9ec906fULL,
    0xf26d2a06e77061ffULL, 0xfb509eb0435dd347ULL, 0x0c82693434bc979cULL,
    0x60d7d58035d91ac1ULL, 0x7aa5e95ae7569ce3ULL, 0xdb26b790c9754ebeULL,
    0x01f684c9f66d9837ULL, 0x30c4cd68745219adULL, 0x666e333e26c609a7ULL,
    0xc1e1972ef3e83086ULL, 0x4bc04cd6334b99eeULL, 0x4712e9025f525808ULL,
    0x93a43dc9c7ca3832ULL, 0x2b0bdcf28e3ec3d1ULL, 0x643fffea576bd3cdULL,
    0x9f838068999496e2ULL, 0xef1a56b491ac0d3cULL, 0x2662bfe8e0363d93ULL,
    0x76fc92ba7e123f9dULL, 0xcf5be913edc52295ULL, 0x44e81abaaddbfe95ULL,
    0x2da4f660c951db4fULL, 0x5e7ce26fbf086250ULL, 0xef93dd43597c3ce0ULL,
    0x9a47ec4a5c91dc1eULL, 0x2c84f7e1ad7baac2ULL, 0x2a418dae343f8e89ULL,
    0xccbc50bc5e35674fULL, 0x4921f9986a9421eaULL, 0x527bca9e1540d106ULL,
    0xa8c431b78286d39cULL, 0xffada9d4ac178a65ULL, 0x65e9e52bf94c5dfcULL,
    0xb6bea50a1475ab03ULL, 0x0a28c41a066576fdULL, 0xa9abb48339038359ULL,
    0x004b82698bd9c339ULL, 0x798a3476f91c6b2cULL, 0xde0fc6983a35c166ULL,
    0x00c4ac1098c75ea7ULL, 0x428b0098b2ddb495ULL, 0x4bd87a07a4536325ULL,
    0x569e0d26dd832325ULL, 0x7a87240fc170f9f8ULL, 0xf6ddb9bcaaf353c8ULL,
    0x7a2f3d48d66b9afdULL, 0x9850ffcb034b7331ULL, 0x587546922284892dULL,
    0xf818dd0160d7c6b6ULL, 0xc4236cbe2448fcb7ULL, 0x7b4b498e40addc71ULL,
    0xcccb43c307d9d79dULL, 0x26dc556bc3ffcc51ULL, 0x091c8a224c85bc98ULL,
    0x3eb1a877f6b24393ULL, 0xbd124f1b62e65870ULL, 0x23ebd485c5041aa5ULL,
    0x93d6558b421cad6aULL, 0xc74606d7db1cebf4ULL, 0x59a56cdbb576eec5ULL,
    0x5b6d69b4b4629a25ULL, 0xab48a079aaad137eULL, 0x18b8b990c04f3ae6ULL,
    0x28e64c5fde1472d7ULL, 0xa8a82f6aa20774b2ULL, 0x7edce948926afa83ULL,
    0x15804d4928e9de2aULL, 0x2a0a9ed9ccd4aedaULL, 0x039e1d25e9a40688ULL,
    0xaeec3d51cc543f78ULL, 0x6d38722f8906718fULL, 0xca3026c7739c97ceULL,
    0x91a13922a7ab0696ULL, 0xdaf2df14dbfdcb25ULL, 0x5bcfec1be6d30a52ULL,
    0xde1b414431c03ecdULL, 0xabfaef7b7f9096ffULL, 0x4a4ad57c1a89ea70ULL,
    0x9f42e4d1ac6161faULL, 0xaeb9daffacdcbfedULL, 0xceca1f771e88ad0dULL,
    0xbe33399901fc0fb8ULL, 0x437f4cef87c72010ULL, 0x63cc22eefc5ee5a8ULL,
    0xdebd2ed1aaf67efdULL, 0xf3fb6a6deb5af325ULL, 0x91a840155f66f325ULL,
    0xf76c94b8db2bafc1ULL, 0xabb23d3407ba9ca0ULL, 0xd4a56d18fa76dcd7ULL,
    0xd4a56d18fa76dcd7ULL, 0xd4a56d18fa76dcd7ULL, 0xd4a56d18fa76dcd7ULL,
    0xd4a56d18fa76dcd7ULL, 0xd4a56d18fa76dcd7ULL, 0xd4a56d18fa76dcd7ULL,
    0xd4a56d18fa76dcd7ULL, 0xd4a56d18fa76dcd7ULL, 0x5776a818228b7b84ULL,
    0x5abe2f19d780fdb0ULL, 0x031dc71ac7da5f4fULL, 0xbe9656197efd10e3ULL,
    0x8cfe8c1c38030023ULL, 0x10351d1a3e299455ULL, 0xd94d12186c0f2fb7ULL,
    0xde7cc417de1b3246ULL, 0x2ec83919be6b7a35ULL, 0xcabd0c1a16c40337ULL,
    0xc1b3d9e4decd4ad6ULL, 0xb81870ea4551cbc8ULL, 0xea45ecaaf3e99aaaULL,
    0xe8c992f3177d3d33ULL, 0x9f82d882417dbb95ULL, 0x6500d73ed2b4ac17ULL,
    0x6390dc031bd2eabaULL, 0x0ee6bd90ba12ca3cULL, 0x3b1dc4654d6d4232ULL,
    0x8593174e4dd75843ULL, 0x1af3836f4f4412c6ULL, 0x808c375045f2b07eULL,
    0xda19caa13af522f7ULL, 0x1ef9fb6312697d9aULL,
};

static void refusals(void)
{
    uint8_t px[4 * 9 * 9] = {0}, out[4 * 9 * 9];
    lc_error e = {0};
#define REFUSED(call, text)                                                                   \
    do {                                                                                      \
        lc_error_clear(&e);                                                                   \
        lc_status st_ = (call);                                                               \
        CHECK_MSG(st_ == LC_ERR_DATA && strstr(e.msg, text) != NULL, "%s: %d '%s'", #call,  \
                  (int)st_, e.msg);                                                           \
    } while (0)
    REFUSED(lc_aug_blur(px, 1, 9, 9, 4, &e), "odd positive");
    REFUSED(lc_aug_blur(px, 1, 9, 9, 0, &e), "odd positive");
    REFUSED(lc_aug_blur_batch(px, 1, 9, 9, -3, 1, &e), "odd positive");
    REFUSED(lc_aug_blur(px, 3, 9, 4, 9, &e), "padding of 4");
    REFUSED(lc_aug_blur_batch(px, 1, 1, 1, 3, 1, &e), "1 x 1 pixels");
    REFUSED(lc_aug_blur(px, 5, 9, 9, 3, &e), "5 channels");
    REFUSED(lc_aug_contrast(px, 4, 9, 9, 1.5, &e), "1 or 3");
    REFUSED(lc_aug_contrast(px, 2, 9, 9, 1.5, &e), "1 or 3");
    REFUSED(lc_aug_contrast(px, 1, 9, 9, -0.5, &e), "non-negative");
    REFUSED(lc_aug_contrast(px, 1, 9, 9, NAN, &e), "non-negative");
    REFUSED(lc_aug_rotate(px, out, 1, 9, 9, INFINITY, &e), "finite");
    REFUSED(lc_aug_rotate(px, out, 0, 9, 9, 10, &e), "0 channels");
    REFUSED(lc_aug_rotate(px, out, 1, 0, 9, 10, &e), "0 x 9 pixels");
    REFUSED(lc_aug_contrast(px, 1, LC_AUG_SIZE_MAX + 1, 1, 1, &e), "each side");
#undef REFUSED
    /* k = 1: torchvision's identity blur; factor 1: the image itself */
    for (int i = 0; i < 81; i++)
        px[i] = (uint8_t)(i * 37);
    memcpy(out, px, 81);
    CHECK(lc_aug_blur(out, 1, 9, 9, 1, &e) == LC_OK && memcmp(out, px, 81) == 0);
    lc_aug_brightness(out, 1, 9, 9, 1.0);
    CHECK(memcmp(out, px, 81) == 0);
    CHECK(lc_aug_contrast(out, 1, 9, 9, 1.0, &e) == LC_OK && memcmp(out, px, 81) == 0);
    lc_aug_hflip(out, 1, 9, 9);
    lc_aug_hflip(out, 1, 9, 9);
    lc_aug_vflip(out, 1, 9, 9);
    lc_aug_vflip(out, 1, 9, 9);
    CHECK(memcmp(out, px, 81) == 0);
}

int main(void)
{
    refusals();
    build_cases();
    uint8_t *want[MAX_CASES] = {0};
    int have_tv = ncases > 0 && run_torchvision(want);
    int nhash = (int)(sizeof want_hash / sizeof want_hash[0]);
    int hashes_ok = nhash == ncases;
    CHECK_MSG(hashes_ok || have_tv, "%d hashes written down for %d cases", nhash, ncases);
    long total[OP_COUNT] = {0}, diff[OP_COUNT] = {0};
    int worst[OP_COUNT] = {0};
    int print_hashes = have_tv && !hashes_ok;
    for (int i = 0; i < ncases; i++) {
        const aug_case *k = &cases[i];
        size_t n = (size_t)k->C * k->H * k->W;
        uint8_t *got = malloc(n);
        lc_error e = {0};
        lc_status st = run_case(k, got, &e);
        CHECK_MSG(st == LC_OK, "%s %s: %s", k->name, op_name[k->op], e.msg);
        uint64_t h = check_fnv1a(got, n);
        if (have_tv) {
            long d = 0;
            int w = 0;
            for (size_t j = 0; j < n; j++) {
                int a = abs((int)got[j] - (int)want[i][j]);
                d += a != 0;
                w = a > w ? a : w;
            }
            total[k->op] += (long)n;
            diff[k->op] += d;
            worst[k->op] = w > worst[k->op] ? w : worst[k->op];
            int exact = k->op != OP_CONTRAST && k->op != OP_BLUR;
            CHECK_MSG(exact ? d == 0 : (w <= 1 && d * 1000 < (long)n),
                      "%s %s (param %g, k %d, batch %d): %ld of %zu values differ from torchvision's, by up to %d",
                      k->name, op_name[k->op], k->param, k->k, k->batch_n, d, n, w);
            uint64_t th = check_fnv1a(want[i], n);
            if (hashes_ok && want_hash[i] != th)
                fprintf(stderr, "test_augment: case %d (%s %s): torchvision's result hashes to 0x%016llxULL, written down 0x%016llxULL\n",
                        i, k->name, op_name[k->op], (unsigned long long)th,
                        (unsigned long long)want_hash[i]);
            if (print_hashes)
                fprintf(stderr, "0x%016llxULL,%s", (unsigned long long)th, i % 3 == 2 ? "\n" : " ");
        } else {
            CHECK_MSG(!hashes_ok || h == want_hash[i], "%s %s (param %g, k %d, batch %d): hash 0x%016llx, torchvision's 0x%016llx",
                      k->name, op_name[k->op], k->param, k->k, k->batch_n, (unsigned long long)h,
                      (unsigned long long)(hashes_ok ? want_hash[i] : 0));
        }
        /* rotate's source is left as it was; a rotation by 0 is the image itself */
        if (k->op == OP_ROTATE && k->param == 0)
            CHECK_MSG(memcmp(got, k->chw, n) == 0, "%s: rotate by 0 changed the image", k->name);
        free(got);
    }
    if (print_hashes)
        fprintf(stderr, "\ntest_augment: %d cases; the hashes above belong in want_hash\n", ncases);
    if (have_tv) {
        printf("test_augment: %d cases against torchvision:", ncases);
        for (int o = 0; o < OP_COUNT; o++)
            printf(" %s %ld/%ld differ (max %d)%s", op_name[o], diff[o], total[o], worst[o],
                   o + 1 < OP_COUNT ? ";" : "\n");
    } else {
        printf("test_augment: torchvision is not installed: %d cases against written-down hashes\n",
               ncases);
    }
    for (int i = 0; i < ncases; i++)
        free(want[i]);
    for (int i = 0; i < nimages; i++)
        free(images[i]);
    return check_exit("test_augment");
}
