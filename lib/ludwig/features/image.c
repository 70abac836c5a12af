/* image.c - the image feature type (inputs): Ludwig 0.10.3's image column (paths filled from a
 * neighbouring row as bfill/ffill, the size from the config, the stored metadata or a sample of
 * the images, decoded once for the kept rows from a zip or the dataset's directory by lib/io) with
 * its metadata, and the batch gathering (pixels scaled to [0, 1], ImageNet standardisation when
 * asked). */
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lc_ftypes.h"
#include "lc_image.h"
#include "lc_mem.h"
#include "lc_pixels.h"
#include "lc_prep_tab.h"
#include "lc_tvtransform.h"
#include "lc_augment.h"
#include "lc_autoaug.h"
#include "lc_rng.h"

/* a whole number in [lo, hi], else -1 */
static int meta_int(const cJSON *v, int lo, int hi)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi) ||
        v->valuedouble != floor(v->valuedouble))
        return -1;
    return (int)v->valuedouble;
}

lc_status lc_image_dims_from_meta(const cJSON *meta, const char *path, const char *feature,
                                  int *h, int *w, int *c, lc_error *e)
{
    *h = *w = *c = 0;
    const cJSON *pre = meta ? cJSON_GetObjectItemCaseSensitive(meta, "preprocessing") : NULL;
    const cJSON *hh = pre ? cJSON_GetObjectItemCaseSensitive(pre, "height") : NULL;
    const cJSON *ww = pre ? cJSON_GetObjectItemCaseSensitive(pre, "width") : NULL;
    const cJSON *cc = pre ? cJSON_GetObjectItemCaseSensitive(pre, "num_channels") : NULL;
    if ((hh && !cJSON_IsNull(hh)) || (ww && !cJSON_IsNull(ww)) || (cc && !cJSON_IsNull(cc))) {
        *h = meta_int(hh, 1, LC_IMAGE_SIDE_MAX);
        *w = meta_int(ww, 1, LC_IMAGE_SIDE_MAX);
        *c = meta_int(cc, 1, 4);
        if (*h < 0 || *w < 0 || *c < 0)
            return lc_error_set(e, LC_ERR_DATA,
                                "%s: %s.preprocessing needs whole numbers height and width in 1..%d and num_channels in 1..4",
                                path, feature, LC_IMAGE_SIDE_MAX);
        /* Ludwig writes the same size twice: preprocessing and reshape [channels, height, width] */
        const cJSON *rs = cJSON_GetObjectItemCaseSensitive(meta, "reshape");
        if (rs && cJSON_IsArray(rs)) {
            int r[3] = {-1, -1, -1};
            int nr = cJSON_GetArraySize(rs);
            for (int i = 0; i < 3 && i < nr; i++)
                r[i] = meta_int(cJSON_GetArrayItem(rs, i), 1, LC_IMAGE_SIDE_MAX);
            if (nr != 3 || r[0] != *c || r[1] != *h || r[2] != *w)
                return lc_error_set(e, LC_ERR_DATA,
                                    "%s: %s: preprocessing says %d channel(s) of %dx%d (height x width) but reshape says otherwise (it must be [%d, %d, %d]): the metadata was edited or damaged",
                                    path, feature, *c, *h, *w, *c, *h, *w);
        }
    }
    return LC_OK;
}

int lc_enc_is_tv(const lc_input_spec *s)
{
    return s->enc == LC_ENC_TV_RESNET || s->enc == LC_ENC_TV_MOBILENETV3 ||
           s->enc == LC_ENC_TV_EFFICIENTNET || s->enc == LC_ENC_TV_VIT ||
           s->enc == LC_ENC_TV_RESNEXT || s->enc == LC_ENC_TV_MOBILENETV2 ||
           s->enc == LC_ENC_TV_DENSENET || s->enc == LC_ENC_TV_SQUEEZENET ||
           s->enc == LC_ENC_TV_REGNET || s->enc == LC_ENC_TV_MNASNET ||
           s->enc == LC_ENC_TV_VGG || s->enc == LC_ENC_TV_ALEXNET ||
           s->enc == LC_ENC_TV_SHUFFLENETV2 ||
           s->enc == LC_ENC_TV_SWIN ||
           s->enc == LC_ENC_TV_CONVNEXT ||
           s->enc == LC_ENC_TV_GOOGLENET || s->enc == LC_ENC_TV_INCEPTIONV3 ||
           s->enc == LC_ENC_TV_MAXVIT;
}

const char *lc_tv_type(const lc_input_spec *s)
{
    return s->enc == LC_ENC_TV_MOBILENETV3    ? "mobilenetv3"
           : s->enc == LC_ENC_TV_EFFICIENTNET ? "efficientnet"
           : s->enc == LC_ENC_TV_VIT          ? "vit"
           : s->enc == LC_ENC_TV_RESNEXT      ? "resnext"
           : s->enc == LC_ENC_TV_MOBILENETV2  ? "mobilenetv2"
           : s->enc == LC_ENC_TV_DENSENET     ? "densenet"
           : s->enc == LC_ENC_TV_SQUEEZENET   ? "squeezenet"
           : s->enc == LC_ENC_TV_REGNET       ? "regnet"
           : s->enc == LC_ENC_TV_MNASNET      ? "mnasnet"
           : s->enc == LC_ENC_TV_VGG          ? "vgg"
           : s->enc == LC_ENC_TV_ALEXNET      ? "alexnet"
           : s->enc == LC_ENC_TV_SHUFFLENETV2 ? "shufflenet_v2"
           : s->enc == LC_ENC_TV_SWIN         ? "swin_transformer"
           : s->enc == LC_ENC_TV_CONVNEXT     ? "convnext"
           : s->enc == LC_ENC_TV_GOOGLENET    ? "googlenet"
           : s->enc == LC_ENC_TV_INCEPTIONV3  ? "inceptionv3"
           : s->enc == LC_ENC_TV_MAXVIT       ? "maxvit"
           : s->tv_wide                       ? "wide_resnet"
                                              : "resnet";
}

const char *lc_tv_variant(const lc_input_spec *s, char *buf, size_t n)
{
    if (s->enc == LC_ENC_TV_MOBILENETV3)
        snprintf(buf, n, "%s", s->tv_variant == 1 ? "large" : "small");
    else if (s->enc == LC_ENC_TV_MOBILENETV2 || s->enc == LC_ENC_TV_ALEXNET ||
             s->enc == LC_ENC_TV_GOOGLENET || s->enc == LC_ENC_TV_INCEPTIONV3)
        snprintf(buf, n, "base");
    else if (s->enc == LC_ENC_TV_RESNEXT)
        snprintf(buf, n, "%s", s->tv_variant >= 0 && s->tv_variant < 3 ? lc_tv_resnext_variants[s->tv_variant] : "?");
    else if (s->enc == LC_ENC_TV_VIT)
        snprintf(buf, n, "%s", s->tv_variant >= 0 && s->tv_variant < 5 ? lc_tv_vit_variants[s->tv_variant] : "?");
    else if (s->enc == LC_ENC_TV_EFFICIENTNET)
        snprintf(buf, n, "%s", s->tv_variant >= 0 && s->tv_variant < 11 ? lc_tv_efficientnet_variants[s->tv_variant] : "?");
    else if (s->enc == LC_ENC_TV_SQUEEZENET)
        snprintf(buf, n, "%s", s->tv_variant >= 0 && s->tv_variant < 2 ? lc_tv_squeezenet_variants[s->tv_variant] : "?");
    else if (s->enc == LC_ENC_TV_REGNET)
        snprintf(buf, n, "%s", s->tv_variant >= 0 && s->tv_variant < 15 ? lc_tv_regnet_variants[s->tv_variant] : "?");
    else if (s->enc == LC_ENC_TV_MNASNET)
        snprintf(buf, n, "%s", s->tv_variant >= 0 && s->tv_variant < 4 ? lc_tv_mnasnet_variants[s->tv_variant] : "?");
    else if (s->enc == LC_ENC_TV_VGG)
        snprintf(buf, n, "%s", s->tv_variant >= 0 && s->tv_variant < 8 ? lc_tv_vgg_variants[s->tv_variant] : "?");
    else if (s->enc == LC_ENC_TV_SHUFFLENETV2)
        snprintf(buf, n, "%s", s->tv_variant >= 0 && s->tv_variant < 4 ? lc_tv_shufflenetv2_variants[s->tv_variant] : "?");
    else if (s->enc == LC_ENC_TV_SWIN)
        snprintf(buf, n, "%s", s->tv_variant >= 0 && s->tv_variant < 3 ? lc_tv_swin_variants[s->tv_variant] : "?");
    else if (s->enc == LC_ENC_TV_CONVNEXT)
        snprintf(buf, n, "%s", s->tv_variant >= 0 && s->tv_variant < 4 ? lc_tv_convnext_variants[s->tv_variant] : "?");
    else if (s->enc == LC_ENC_TV_MAXVIT)
        snprintf(buf, n, "%s", s->tv_variant == 0 ? lc_tv_maxvit_variants[0] : "?");
    else
        snprintf(buf, n, "%d%s", s->tv_variant, s->tv_wide ? "_2" : "");
    return buf;
}

/* The weights Ludwig 0.10.3 asks torchvision for (each variant's .DEFAULT: ResNet 18 and 34
 * IMAGENET1K_V1, 50 and up IMAGENET1K_V2; MobileNetV3 small V1, large V2): their file and the
 * transform that goes with them */
const char *lc_tv_file(const lc_input_spec *s, lc_tv_transform *t)
{
    enum { BL = LC_TV_BILINEAR, BC = LC_TV_BICUBIC };
    static const struct {
        lc_enc_type enc;
        int v, wide, resize, crop, interp;
        const char *file;
    } tab[] = {{LC_ENC_TV_RESNET, 18, 0, 256, 224, BL, "resnet18-f37072fd.pth"},
               {LC_ENC_TV_RESNET, 34, 0, 256, 224, BL, "resnet34-b627a593.pth"},
               {LC_ENC_TV_RESNET, 50, 0, 232, 224, BL, "resnet50-11ad3fa6.pth"},
               {LC_ENC_TV_RESNET, 101, 0, 232, 224, BL, "resnet101-cd907fc2.pth"},
               {LC_ENC_TV_RESNET, 152, 0, 232, 224, BL, "resnet152-f82ba261.pth"},
               {LC_ENC_TV_RESNET, 50, 1, 232, 224, BL, "wide_resnet50_2-9ba9bcbe.pth"},
               {LC_ENC_TV_RESNET, 101, 1, 232, 224, BL, "wide_resnet101_2-d733dc28.pth"},
               {LC_ENC_TV_MOBILENETV3, 0, 0, 256, 224, BL, "mobilenet_v3_small-047dcff4.pth"},
               {LC_ENC_TV_MOBILENETV3, 1, 0, 232, 224, BL, "mobilenet_v3_large-5c1a4163.pth"},
               /* EfficientNet: b1's DEFAULT is IMAGENET1K_V2, the others' V1 */
               {LC_ENC_TV_EFFICIENTNET, 0, 0, 256, 224, BC, "efficientnet_b0_rwightman-3dd342df.pth"},
               {LC_ENC_TV_EFFICIENTNET, 1, 0, 255, 240, BL, "efficientnet_b1-c27df63c.pth"},
               {LC_ENC_TV_EFFICIENTNET, 2, 0, 288, 288, BC, "efficientnet_b2_rwightman-bcdf34b7.pth"},
               {LC_ENC_TV_EFFICIENTNET, 3, 0, 320, 300, BC, "efficientnet_b3_rwightman-cf984f9c.pth"},
               {LC_ENC_TV_EFFICIENTNET, 4, 0, 384, 380, BC, "efficientnet_b4_rwightman-7eb33cd5.pth"},
               {LC_ENC_TV_EFFICIENTNET, 5, 0, 456, 456, BC, "efficientnet_b5_lukemelas-b6417697.pth"},
               {LC_ENC_TV_EFFICIENTNET, 6, 0, 528, 528, BC, "efficientnet_b6_lukemelas-c76e70fd.pth"},
               {LC_ENC_TV_EFFICIENTNET, 7, 0, 600, 600, BC, "efficientnet_b7_lukemelas-dcc49843.pth"},
               {LC_ENC_TV_EFFICIENTNET, 8, 0, 384, 384, BL, "efficientnet_v2_s-dd5fe13b.pth"},
               {LC_ENC_TV_EFFICIENTNET, 9, 0, 480, 480, BL, "efficientnet_v2_m-dc08266a.pth"},
               {LC_ENC_TV_EFFICIENTNET, 10, 0, 480, 480, BC, "efficientnet_v2_l-59c71312.pth"},
               {LC_ENC_TV_MOBILENETV2, 0, 0, 232, 224, BL, "mobilenet_v2-7ebf99e0.pth"},
               {LC_ENC_TV_RESNEXT, 0, 0, 232, 224, BL, "resnext50_32x4d-1a0047aa.pth"},
               {LC_ENC_TV_RESNEXT, 1, 0, 232, 224, BL, "resnext101_32x8d-110c445d.pth"},
               {LC_ENC_TV_RESNEXT, 2, 0, 232, 224, BL, "resnext101_64x4d-173b62eb.pth"},
               /* ViT: h_14's DEFAULT is the SWAG weights at 518 */
               {LC_ENC_TV_VIT, 0, 0, 256, 224, BL, "vit_b_16-c867db91.pth"},
               {LC_ENC_TV_VIT, 1, 0, 256, 224, BL, "vit_b_32-d86f8d99.pth"},
               {LC_ENC_TV_VIT, 2, 0, 242, 224, BL, "vit_l_16-852ce7e3.pth"},
               {LC_ENC_TV_VIT, 3, 0, 256, 224, BL, "vit_l_32-c7638314.pth"},
               {LC_ENC_TV_VIT, 4, 0, 518, 518, BC, "vit_h_14_swag-80465313.pth"},
               /* DenseNet and SqueezeNet: IMAGENET1K_V1, ImageClassification(crop_size=224) */
               {LC_ENC_TV_DENSENET, 121, 0, 256, 224, BL, "densenet121-a639ec97.pth"},
               {LC_ENC_TV_DENSENET, 161, 0, 256, 224, BL, "densenet161-8d451a50.pth"},
               {LC_ENC_TV_DENSENET, 169, 0, 256, 224, BL, "densenet169-b2777c0a.pth"},
               {LC_ENC_TV_DENSENET, 201, 0, 256, 224, BL, "densenet201-c1103571.pth"},
               {LC_ENC_TV_SQUEEZENET, 0, 0, 256, 224, BL, "squeezenet1_0-b66bff10.pth"},
               {LC_ENC_TV_SQUEEZENET, 1, 0, 256, 224, BL, "squeezenet1_1-b8a52dc0.pth"},
               /* RegNet: IMAGENET1K_V2 (resize 232), y_128gf's DEFAULT the SWAG weights at 384 */
               {LC_ENC_TV_REGNET, 0, 0, 232, 224, BL, "regnet_x_400mf-62229a5f.pth"},
               {LC_ENC_TV_REGNET, 1, 0, 232, 224, BL, "regnet_x_800mf-94a99ebd.pth"},
               {LC_ENC_TV_REGNET, 2, 0, 232, 224, BL, "regnet_x_1_6gf-a12f2b72.pth"},
               {LC_ENC_TV_REGNET, 3, 0, 232, 224, BL, "regnet_x_3_2gf-7071aa85.pth"},
               {LC_ENC_TV_REGNET, 4, 0, 232, 224, BL, "regnet_x_8gf-2b70d774.pth"},
               {LC_ENC_TV_REGNET, 5, 0, 232, 224, BL, "regnet_x_16gf-ba3796d7.pth"},
               {LC_ENC_TV_REGNET, 6, 0, 232, 224, BL, "regnet_x_32gf-6eb8fdc6.pth"},
               {LC_ENC_TV_REGNET, 7, 0, 232, 224, BL, "regnet_y_400mf-e6988f5f.pth"},
               {LC_ENC_TV_REGNET, 8, 0, 232, 224, BL, "regnet_y_800mf-58fc7688.pth"},
               {LC_ENC_TV_REGNET, 9, 0, 232, 224, BL, "regnet_y_1_6gf-0d7bc02a.pth"},
               {LC_ENC_TV_REGNET, 10, 0, 232, 224, BL, "regnet_y_3_2gf-9180c971.pth"},
               {LC_ENC_TV_REGNET, 11, 0, 232, 224, BL, "regnet_y_8gf-dc2b1b54.pth"},
               {LC_ENC_TV_REGNET, 12, 0, 232, 224, BL, "regnet_y_16gf-3e4a00f9.pth"},
               {LC_ENC_TV_REGNET, 13, 0, 232, 224, BL, "regnet_y_32gf-8db6d4b5.pth"},
               {LC_ENC_TV_REGNET, 14, 0, 384, 384, BC, "regnet_y_128gf_swag-c8ce3e52.pth"},
               /* MNASNet: IMAGENET1K_V1 (0_5 and 1_0 resize 256, 0_75 and 1_3 232) */
               {LC_ENC_TV_MNASNET, 0, 0, 256, 224, BL, "mnasnet0.5_top1_67.823-3ffadce67e.pth"},
               {LC_ENC_TV_MNASNET, 1, 0, 232, 224, BL, "mnasnet0_75-7090bc5f.pth"},
               {LC_ENC_TV_MNASNET, 2, 0, 256, 224, BL, "mnasnet1.0_top1_73.512-f206786ef8.pth"},
               {LC_ENC_TV_MNASNET, 3, 0, 232, 224, BL, "mnasnet1_3-a4c69d6f.pth"},
               /* VGG: IMAGENET1K_V1 (vgg16's DEFAULT, not its IMAGENET1K_FEATURES) */
               {LC_ENC_TV_VGG, 0, 0, 256, 224, BL, "vgg11-8a719046.pth"},
               {LC_ENC_TV_VGG, 1, 0, 256, 224, BL, "vgg11_bn-6002323d.pth"},
               {LC_ENC_TV_VGG, 2, 0, 256, 224, BL, "vgg13-19584684.pth"},
               {LC_ENC_TV_VGG, 3, 0, 256, 224, BL, "vgg13_bn-abd245e5.pth"},
               {LC_ENC_TV_VGG, 4, 0, 256, 224, BL, "vgg16-397923af.pth"},
               {LC_ENC_TV_VGG, 5, 0, 256, 224, BL, "vgg16_bn-6c64b313.pth"},
               {LC_ENC_TV_VGG, 6, 0, 256, 224, BL, "vgg19-dcbb9e9d.pth"},
               {LC_ENC_TV_VGG, 7, 0, 256, 224, BL, "vgg19_bn-c79401a0.pth"},
               {LC_ENC_TV_ALEXNET, 0, 0, 256, 224, BL, "alexnet-owt-7be5be79.pth"},
               /* ShuffleNetV2: IMAGENET1K_V1 (x0_5 and x1_0 resize 256, x1_5 and x2_0 232) */
               {LC_ENC_TV_SHUFFLENETV2, 0, 0, 256, 224, BL, "shufflenetv2_x0.5-f707e7126e.pth"},
               {LC_ENC_TV_SHUFFLENETV2, 1, 0, 256, 224, BL, "shufflenetv2_x1-5666bf0f80.pth"},
               {LC_ENC_TV_SHUFFLENETV2, 2, 0, 232, 224, BL, "shufflenetv2_x1_5-3c479a10.pth"},
               {LC_ENC_TV_SHUFFLENETV2, 3, 0, 232, 224, BL, "shufflenetv2_x2_0-8be3c8ee.pth"},
               /* Swin (v1): IMAGENET1K_V1, resize 232 / 246 / 238, crop 224, bicubic */
               {LC_ENC_TV_SWIN, 0, 0, 232, 224, BC, "swin_t-704ceda3.pth"},
               {LC_ENC_TV_SWIN, 1, 0, 246, 224, BC, "swin_s-5e29d889.pth"},
               {LC_ENC_TV_SWIN, 2, 0, 238, 224, BC, "swin_b-68c6b09e.pth"},
               /* ConvNeXt: IMAGENET1K_V1, resize 236 / 230 / 232 / 232, crop 224 */
               {LC_ENC_TV_CONVNEXT, 0, 0, 236, 224, BL, "convnext_tiny-983f1562.pth"},
               {LC_ENC_TV_CONVNEXT, 1, 0, 230, 224, BL, "convnext_small-0c510722.pth"},
               {LC_ENC_TV_CONVNEXT, 2, 0, 232, 224, BL, "convnext_base-6075fbad.pth"},
               {LC_ENC_TV_CONVNEXT, 3, 0, 232, 224, BL, "convnext_large-ea097f82.pth"},
               /* GoogLeNet: IMAGENET1K_V1, ImageClassification(crop_size=224) */
               {LC_ENC_TV_GOOGLENET, 0, 0, 256, 224, BL, "googlenet-1378be20.pth"},
               /* Inception v3: IMAGENET1K_V1, ImageClassification(crop_size=299, resize_size=342) */
               {LC_ENC_TV_INCEPTIONV3, 0, 0, 342, 299, BL, "inception_v3_google-0cc3c7bd.pth"},
               /* MaxViT: IMAGENET1K_V1, resize 224, crop 224, bicubic */
               {LC_ENC_TV_MAXVIT, 0, 0, 224, 224, BC, "maxvit_t-bc5ab103.pth"}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (tab[i].enc == s->enc && tab[i].v == s->tv_variant && tab[i].wide == (s->tv_wide != 0)) {
            if (t)
                lc_tv_transform_imagenet(t, tab[i].resize, tab[i].crop,
                                         tab[i].interp == BC ? LC_TV_BICUBIC : LC_TV_BILINEAR);
            return tab[i].file;
        }
    return NULL;
}

/* The images: the zip raw_data, or else the directory of the dataset file src_path. */
static lc_status open_source(const char *raw_data, const char *src_path, lc_image_source **src,
                             lc_error *e)
{
    if (raw_data)
        return lc_image_source_open_zip(raw_data, src, e);
    char *tmp = lc_strdup(src_path);
    lc_status st = tmp ? lc_image_source_open_dir(dirname(tmp), src, e)
                       : lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    free(tmp);
    return st;
}

/* Every image is held decoded: refuse up front what cannot fit, rather than be killed. */
static lc_status images_fit(size_t n, const lc_column *col, int tv, const char *src_path,
                            lc_error *e)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double need = (double)n * (double)col->C * col->H * col->W, have = (double)pages * (double)page;
    if (pages > 0 && page > 0 && need > 0.8 * have) {
        lc_error_set(e, LC_ERR_NOMEM,
                     "%s: %zu images of %dx%dx%d need %.1f GiB decoded, more than this machine's memory (%.1f GiB)",
                     src_path, n, col->C, col->H, col->W, need / (1 << 30), have / (1 << 30));
        lc_error_hint(e, tv ? "use fewer rows (the encoder's images are 3x224x224)"
                            : "lower the input feature's preprocessing height and width, or use fewer rows");
        return LC_ERR_NOMEM;
    }
    return LC_OK;
}

/* What decoding later needs: the paths, the target spec (with its own copy of the transform),
 * where the images are. */
struct lc_image_defer {
    char **paths;
    unsigned char *done; /* (n) decoded already */
    size_t n;
    lc_image_spec spec;
    lc_tv_transform tv;
    char *zip, *src_path;
};

void lc_image_defer_free(struct lc_image_defer *d)
{
    if (!d)
        return;
    for (size_t i = 0; d->paths && i < d->n; i++)
        free(d->paths[i]);
    free(d->paths);
    free(d->done);
    free(d->zip);
    free(d->src_path);
    free(d);
}

static lc_status defer_keep(lc_column *col, const lc_image_cells *c, const lc_image_spec *spec,
                            const char *raw_data, const char *src_path, lc_error *e)
{
    struct lc_image_defer *d = calloc(1, sizeof *d);
    if (!d)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    col->defer = d;
    d->spec = *spec;
    if (spec->tv) {
        d->tv = *spec->tv;
        d->spec.tv = &d->tv;
    }
    if (!(d->paths = calloc(c->n + 1, sizeof *d->paths)) || !(d->done = calloc(c->n + 1, 1)) ||
        (raw_data && !(d->zip = lc_strdup(raw_data))) || !(d->src_path = lc_strdup(src_path)))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    for (; d->n < c->n; d->n++)
        if (!(d->paths[d->n] = lc_strdup(c->v[d->n])))
            return lc_error_set(e, LC_ERR_NOMEM, "out of memory for %zu image paths", c->n);
    return LC_OK;
}

enum { DECODE_CHUNK = 256 }; /* images decoded per call, then placed at their rows */

lc_status lc_image_decode_rows(lc_column *col, const long *lines, const unsigned char *want,
                               lc_pool *pool, size_t *decoded, lc_error *e)
{
    struct lc_image_defer *d = col->defer;
    const size_t per = (size_t)col->C * col->H * col->W;
    size_t k = 0;
    *decoded = 0;
    for (size_t i = 0; i < d->n; i++)
        k += (!want || want[i]) && !d->done[i];
    if (k == 0)
        return LC_OK;
    lc_status st = images_fit(k, col, d->spec.tv != NULL, d->src_path, e);
    if (st)
        return st;
    /* every row's place; the rows not decoded are never written, so their pages stay unmapped */
    if (!col->images && !(col->images = lc_alloc(d->n, per)))
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for %zu images of %dx%dx%d", d->n,
                            col->C, col->H, col->W);
    lc_image_source *src = NULL;
    if ((st = open_source(d->zip, d->src_path, &src, e)))
        return st;
    const char *paths[DECODE_CHUNK];
    long lns[DECODE_CHUNK];
    size_t rows[DECODE_CHUNK];
    unsigned char *tmp = lc_alloc(DECODE_CHUNK, per);
    if (!tmp)
        st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < d->n;) {
        size_t m = 0;
        for (; i < d->n && m < DECODE_CHUNK; i++)
            if ((!want || want[i]) && !d->done[i]) {
                paths[m] = d->paths[i];
                lns[m] = lines[i];
                rows[m++] = i;
            }
        if (m && (st = lc_image_load_batch(src, paths, lns, m, &d->spec, pool, tmp, e))) {
            lc_error_prefix(e, "%s ", d->src_path);
            break;
        }
        for (size_t j = 0; j < m; j++) {
            memcpy(col->images + rows[j] * per, tmp + j * per, per);
            d->done[rows[j]] = 1;
        }
        *decoded += m;
    }
    lc_free(tmp);
    lc_image_source_close(src);
    return st;
}

const char *const *lc_image_defer_paths(const struct lc_image_defer *d, size_t *n)
{
    *n = d->n;
    return (const char *const *)d->paths;
}

lc_status lc_image_column(const lc_feature *f, lc_image_cells *c, const cJSON *meta,
                          const char *meta_path, const char *raw_data, const char *config_path,
                          const char *src_path, lc_pool *pool, lc_column *col, lc_error *e)
{
    lc_status st;
    lc_image_source *src = NULL;
    /* blank paths are filled from the next row (bfill, Ludwig's default), or the previous */
    for (size_t i = c->n; i-- > 0;) {
        if (!lc_cell_is_missing(c->v[i]))
            continue;
        int back = f->missing == LC_MISS_BFILL;
        if (back && i + 1 < c->n && !lc_cell_is_missing(c->v[i + 1]))
            c->v[i] = c->v[i + 1];
        else if (!back && i > 0 && !lc_cell_is_missing(c->v[i - 1]))
            c->v[i] = c->v[i - 1];
    }
    for (size_t i = 0; i < c->n; i++)
        if (lc_cell_is_missing(c->v[i]) && f->missing == LC_MISS_FFILL && i > 0)
            c->v[i] = c->v[i - 1];
    for (size_t i = 0; i < c->n; i++)
        if (lc_cell_is_missing(c->v[i]))
            return lc_error_set(e, LC_ERR_DATA,
                                "%s: line %ld: column '%s' is empty and no %s row has an image to fill it from",
                                c->file, c->lines[i], f->column,
                                f->missing == LC_MISS_FFILL ? "earlier" : "later");
    int mh = 0, mw = 0, mc = 0;
    if ((st = lc_image_dims_from_meta(meta, meta_path, f->name, &mh, &mw, &mc, e)))
        return st;
    if ((st = open_source(raw_data, src_path, &src, e)))
        return st;
    int H = f->img_height, W = f->img_width, C = f->img_channels;
    /* a torchvision encoder: every image decoded as stored, then ResizeChannels(3), the
     * variant's resize and center crop (the feature's own sizing keys are not used, as in
     * Ludwig) */
    lc_tv_transform t;
    int tv = lc_enc_is_tv(&f->enc);
    if (tv) {
        if (!lc_tv_file(&f->enc, &t)) {
            st = lc_error_set(e, LC_ERR_INTERNAL, "input feature '%s': no transform for %s %d",
                              f->name, lc_tv_type(&f->enc), f->enc.tv_variant);
            goto done;
        }
        C = 3;
        H = W = t.crop_size;
    }
    if (mh && !H) {
        H = mh;
        W = mw;
    }
    if (mc && !C)
        C = mc;
    if (!H || !C) {
        size_t ns = c->n < (size_t)f->infer_sample ? c->n : (size_t)f->infer_sample;
        lc_image_dims *dims = calloc(ns + 1, sizeof *dims);
        if (!dims) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory");
            goto done;
        }
        st = lc_image_sniff(src, c->v, c->lines, ns, dims, e);
        if (st)
            lc_error_prefix(e, "%s ", c->file);
        if (!st) {
            int ah, aw, fc, modec;
            lc_image_dims_summary(dims, ns, &ah, &aw, &fc, &modec);
            if (!H) {
                H = ah < f->infer_max_h ? ah : f->infer_max_h;
                W = aw < f->infer_max_w ? aw : f->infer_max_w;
            }
            if (!C) {
                /* Ludwig: 1 if most sampled images have 1 channel, else 2, else 4, else 3 */
                size_t cnt[5] = {0};
                for (size_t i = 0; i < ns; i++)
                    if (dims[i].c >= 1 && dims[i].c <= 4)
                        cnt[dims[i].c]++;
                C = 2 * cnt[1] > ns ? 1 : 2 * cnt[2] > ns ? 2 : 2 * cnt[4] > ns ? 4 : 3;
            }
        }
        free(dims);
        if (st)
            goto done;
    }
    if (f->requires_equal_dims && H != W)
        H = W = H < W ? H : W;
    col->C = C;
    col->H = H;
    col->W = W;
    if (H < 1 || W < 1 || H > LC_IMAGE_SIDE_MAX || W > LC_IMAGE_SIDE_MAX ||
        (size_t)H * (size_t)W > LC_IMAGE_PIXELS_MAX) {
        st = lc_error_set(e, LC_ERR_CONFIG,
                          "%s: input feature '%s': preprocessing height x width is %dx%d; images are limited to %dx%d and %zu pixels",
                          config_path ? config_path : "config", f->name, H, W,
                          LC_IMAGE_SIDE_MAX, LC_IMAGE_SIDE_MAX, LC_IMAGE_PIXELS_MAX);
        goto done;
    }
    lc_image_spec spec = {.height = H, .width = W, .channels = C,
                          .resize = f->crop_or_pad ? LC_RESIZE_CROP_OR_PAD
                                                   : LC_RESIZE_INTERPOLATE,
                          .tv = tv ? &t : NULL};
    if (c->defer) {
        if ((st = defer_keep(col, c, &spec, raw_data, src_path, e)))
            goto done;
    } else {
        if ((st = images_fit(c->n, col, tv, src_path, e)))
            goto done;
        col->images = lc_alloc(c->n, (size_t)C * H * W);
        if (!col->images) {
            st = lc_error_set(e, LC_ERR_NOMEM, "out of memory for %zu images of %dx%dx%d", c->n,
                              C, H, W);
            goto done;
        }
        if ((st = lc_image_load_batch(src, c->v, c->lines, c->n, &spec, pool, col->images, e))) {
            lc_error_prefix(e, "%s ", src_path);
            goto done;
        }
    }
    /* metadata as Ludwig writes it */
    col->meta = cJSON_CreateObject();
    cJSON *pre = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(f->json, "preprocessing"), 1);
    cJSON_ReplaceItemInObjectCaseSensitive(pre, "height", lc_json_int(H));
    cJSON_ReplaceItemInObjectCaseSensitive(pre, "width", lc_json_int(W));
    cJSON_ReplaceItemInObjectCaseSensitive(pre, "num_channels", lc_json_int(C));
    if (tv && f->enc.enc == LC_ENC_TV_DENSENET) { /* an integer model_variant, as resnet's */
        cJSON_AddStringToObject(pre, "torchvision_model_type", "densenet");
        cJSON_AddItemToObject(pre, "torchvision_model_variant", lc_json_int(f->enc.tv_variant));
    } else if (tv && (f->enc.tv_wide || f->enc.enc != LC_ENC_TV_RESNET)) {
        /* the torchvision model's identity, as Ludwig keeps it */
        char v[16];
        cJSON_AddStringToObject(pre, "torchvision_model_type", lc_tv_type(&f->enc));
        lc_tv_variant(&f->enc, v, sizeof v);
        if (f->enc.enc == LC_ENC_TV_VGG && !strchr(v, '_')) /* vgg 11, 13, 16, 19: integers */
            cJSON_AddItemToObject(pre, "torchvision_model_variant", lc_json_int(atoi(v)));
        else
            cJSON_AddStringToObject(pre, "torchvision_model_variant", v);
    } else if (tv) {
        cJSON_AddStringToObject(pre, "torchvision_model_type", "resnet");
        cJSON_AddItemToObject(pre, "torchvision_model_variant", lc_json_int(f->enc.tv_variant));
    } else {
        cJSON_ReplaceItemInObjectCaseSensitive(pre, "num_classes", lc_json_int(0));
        cJSON_AddItemToObject(pre, "channel_class_map", cJSON_CreateArray());
    }
    cJSON_AddItemToObject(col->meta, "preprocessing", pre);
    cJSON *rs = cJSON_AddArrayToObject(col->meta, "reshape");
    cJSON_AddItemToArray(rs, lc_json_int(C));
    cJSON_AddItemToArray(rs, lc_json_int(H));
    cJSON_AddItemToArray(rs, lc_json_int(W));
done:
    lc_image_source_close(src);
    return st;
}

typedef struct gather_ctx {
    lc_model *m;
    const lc_feature *f;
    const lc_column *col;
    int slot;
    const int32_t *idx;
    int B;
    const lc_tv_transform *tv;
} gather_ctx;

enum { GATHER_SAMPLES = 16 }; /* per task */

static void gather_task(void *vctx, int t, int thread)
{
    const gather_ctx *g = vctx;
    lc_model *m = g->m;
    const lc_column *c = g->col;
    size_t per = m->in_ns[g->slot];
    size_t hw = (size_t)c->H * c->W;
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, sd[3] = {0.229f, 0.224f, 0.225f};
    (void)thread;
    int end = (t + 1) * GATHER_SAMPLES < g->B ? (t + 1) * GATHER_SAMPLES : g->B;
    for (int b = t * GATHER_SAMPLES; b < end; b++) {
        const unsigned char *src = c->images + (size_t)g->idx[b] * per;
        float *dst = m->inputs[g->slot] + (size_t)b * per;
        if (g->tv) { /* torchvision's convert_image_dtype and normalize */
            lc_tv_normalize(src, 1, g->tv, dst);
            continue;
        }
        lc_pixels_to_unit(src, dst, per);
        if (g->f->standardize_imagenet && c->C == 3)
            for (int ch = 0; ch < 3; ch++)
                for (size_t k = 0; k < hw; k++)
                    dst[ch * hw + k] = (dst[ch * hw + k] - mean[ch]) / sd[ch];
    }
}

void lc_image_gather(lc_model *m, lc_pool *p, const lc_feature *f, const lc_column *col, int slot,
                     const int32_t *idx, int B)
{
    lc_tv_transform t;
    int tv = lc_enc_is_tv(&f->enc) && lc_tv_file(&f->enc, &t);
    gather_ctx g = {m, f, col, slot, idx, B, tv ? &t : NULL};
    lc_pool_run(p, (B + GATHER_SAMPLES - 1) / GATHER_SAMPLES, gather_task, &g);
}

/* ---- augmentation (Ludwig's ImageAugmentation, applied to training batches) ---- */

typedef struct aug_ctx {
    lc_model *m;
    const lc_column *col;
    int slot, B;
    const float *mean, *std; /* NULL: the batch is p / 255 without normalisation */
    const lc_aug_op *ops;
    const int *apply;        /* per op: 1 when this batch gets it */
    const float *param;      /* per op: its angle or factor */
    const lc_autoaug_plan *plan; /* per op: auto_augmentation's draw for the batch */
    int nops;
    lc_status *st;           /* per image: the first failure (the batch is then left) */
} aug_ctx;

static void aug_task(void *vctx, int b, int thread)
{
    const aug_ctx *a = vctx;
    const lc_column *c = a->col;
    const int C = c->C, H = c->H, W = c->W;
    const size_t hw = (size_t)H * W, per = (size_t)C * hw;
    float *x = a->m->inputs[a->slot] + (size_t)b * per;
    uint8_t *u = malloc(2 * per), *tmp = u ? u + per : NULL;
    lc_error e;
    (void)thread;
    if (!u) {
        a->st[b] = LC_ERR_NOMEM;
        return;
    }
    /* back to uint8 as Ludwig does: (x std + mean) 255, truncated (torch's .type(uint8)) */
    for (int ch = 0; ch < C; ch++)
        for (size_t k = 0; k < hw; k++) {
            float v = x[ch * hw + k];
            if (a->mean)
                v = v * a->std[ch] + a->mean[ch];
            v *= 255.0f;
            u[ch * hw + k] = (uint8_t)(v <= 0.0f ? 0.0f : v >= 255.0f ? 255.0f : v);
        }
    lc_status st = LC_OK;
    for (int i = 0; i < a->nops && !st; i++) {
        if (!a->apply[i])
            continue;
        switch (a->ops[i].type) {
        case LC_AUG_HFLIP:
            lc_aug_hflip(u, C, H, W);
            break;
        case LC_AUG_VFLIP:
            lc_aug_vflip(u, C, H, W);
            break;
        case LC_AUG_ROTATE:
            st = lc_aug_rotate(u, tmp, C, H, W, a->param[i], &e);
            if (!st)
                memcpy(u, tmp, per);
            break;
        case LC_AUG_BLUR:
            st = lc_aug_blur(u, C, H, W, a->ops[i].kernel_size, &e);
            break;
        case LC_AUG_BRIGHTNESS:
            lc_aug_brightness(u, C, H, W, a->param[i]);
            break;
        case LC_AUG_CONTRAST:
            st = lc_aug_contrast(u, C, H, W, a->param[i], &e);
            break;
        case LC_AUG_AUTO:
            for (int j = 0; j < a->plan[i].n && !st; j++)
                st = lc_autoaug_apply(u, tmp, C, H, W, a->plan[i].op[j], a->plan[i].magnitude[j],
                                      a->B, &e);
            break;
        }
    }
    /* and to float again: u / 255, then (- mean) / std */
    for (int ch = 0; ch < C && !st; ch++)
        for (size_t k = 0; k < hw; k++) {
            float v = (float)u[ch * hw + k] / 255.0f;
            x[ch * hw + k] = a->mean ? (v - a->mean[ch]) / a->std[ch] : v;
        }
    a->st[b] = st;
    free(u);
}

lc_status lc_image_augment(lc_model *m, lc_pool *p, const lc_feature *f, const lc_column *col,
                           int slot, int B, uint64_t seed, uint64_t step, lc_error *e)
{
    if (f->naug == 0 || B < 1)
        return LC_OK;
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, sd[3] = {0.229f, 0.224f, 0.225f};
    int norm = col->C == 3 && (lc_enc_is_tv(&f->enc) || f->standardize_imagenet);
    /* what torchvision's functions refuse, refused before the first batch */
    for (int i = 0; i < f->naug; i++) {
        const lc_aug_op *op = &f->aug[i];
        if (op->type == LC_AUG_CONTRAST && col->C != 1 && col->C != 3)
            return lc_error_set(e, LC_ERR_CONFIG, "input feature '%s': random_contrast takes 1- or 3-channel images (torchvision's adjust_contrast), these have %d", f->name, col->C);
        if (op->type == LC_AUG_AUTO && col->C != 1 && col->C != 3)
            return lc_error_set(e, LC_ERR_CONFIG, "input feature '%s': auto_augmentation takes 1- or 3-channel images (torchvision's operations), these have %d", f->name, col->C);
        if (op->type == LC_AUG_BLUR && (op->kernel_size / 2 >= col->H || op->kernel_size / 2 >= col->W))
            return lc_error_set(e, LC_ERR_CONFIG, "input feature '%s': random_blur kernel_size %d is too large for %dx%d images (torch's reflect padding needs kernel_size / 2 below each side)", f->name, op->kernel_size, col->H, col->W);
    }
    /* one decision and one value per operation for the whole batch, as Ludwig draws them: a
     * pure function of (seed, step), whatever the thread count */
    int apply[LC_AUG_MAX];
    float param[LC_AUG_MAX];
    lc_autoaug_plan plan[LC_AUG_MAX];
    lc_rng r;
    lc_rng_init(&r, seed, LC_STREAM_AUGMENT, step);
    for (int i = 0; i < f->naug; i++) {
        const lc_aug_op *op = &f->aug[i];
        apply[i] = lc_u01d(lc_rng_next(&r)) < 0.5;
        double u = lc_u01d(lc_rng_next(&r));
        param[i] = op->type == LC_AUG_ROTATE ? (float)(u * 2.0 * op->degree - op->degree)
                                             : (float)(u * (op->max - op->min) + op->min);
        plan[i].n = 0;
        if (op->type == LC_AUG_AUTO) { /* always applied (Ludwig's AutoAugment has no 0.5) */
            apply[i] = 1;
            lc_autoaug_draw((lc_autoaug_method)op->method, col->H, col->W, &r, &plan[i]);
        }
    }
    lc_status *st = calloc((size_t)B, sizeof *st);
    if (!st)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory augmenting a batch");
    aug_ctx a = {m, col, slot, B, norm ? mean : NULL, norm ? sd : NULL, f->aug, apply, param,
                 plan, f->naug, st};
    lc_pool_run(p, B, aug_task, &a);
    lc_status worst = LC_OK;
    for (int b = 0; b < B && !worst; b++)
        worst = st[b];
    free(st);
    if (worst)
        return lc_error_set(e, worst, "input feature '%s': augmenting a training batch of %dx%dx%d images failed (%s)",
                            f->name, col->C, col->H, col->W,
                            worst == LC_ERR_NOMEM ? "out of memory" : "an operation refused the image size");
    return LC_OK;
}
