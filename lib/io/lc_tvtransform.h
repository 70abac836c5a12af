/* lc_tvtransform.h - the preprocessing Ludwig 0.10.3 applies in front of a torchvision image
 * encoder (resnet, efficientnet, vit, ...): Ludwig's ResizeChannels(num_channels=3), then
 * torchvision's ImageClassification preset (torchvision/transforms/_presets.py) on a uint8 tensor:
 *
 *   resize       the smaller edge to resize_size, the other to int(resize_size * long / short)
 *                (torchvision's _compute_resized_output_size), with torch's separable
 *                antialiased filter (_upsample_bilinear2d_aa / _upsample_bicubic2d_aa: a triangle
 *                or a Keys cubic with a = -0.5, widened by the downscale factor, weights
 *                normalised), computed in float32 on the image cast to float, width first, then
 *                rounded half to even back to uint8 (bicubic clamped to [0, 255] first);
 *                float results equal torch's bit for bit, including which multiply-adds its
 *                AVX2 kernel fuses (see tvtransform.c), so the uint8 values are equal;
 *   center_crop  crop_size x crop_size at torchvision's offsets (round half to even of
 *                (size - crop) / 2), zero padding where the resized image is smaller;
 *   to float     convert_image_dtype (p / 255), then normalize: (x - mean[c]) / std[c].
 *
 * The two stages are separate: lc_tv_preprocess makes the uint8 crop (what a caller keeps in
 * memory, 3 x crop x crop bytes per image) and lc_tv_normalize turns crops into floats per batch.
 * Resize and crop are fused: only the output pixels inside the crop are computed, which gives
 * the same values (each output pixel depends on the input alone).
 *
 * Matches torch 1.13 / torchvision 0.14 (Debian 12, AVX2 kernels) with antialias=True, which
 * torchvision >= 0.17 passes by default and which Ludwig 0.10.3's pipeline gets there;
 * torchvision 0.14's preset itself passes antialias=None, which it treats as False for tensors
 * (a caller wanting that must not use this module). Other torch builds (pip wheels, torch >= 2.1's
 * integer uint8 path, AVX-512 kernels) may round a few values differently, by one level. Decoding
 * and channel conversion of the file (ImageReadMode) are the caller's.
 *
 * Threads: no globals; every call allocates its own scratch (bounded by the input's rows times
 * the crop width, see lc_tv_scratch_bytes) and frees it, so one image per thread is safe.
 */
#ifndef LC_TVTRANSFORM_H
#define LC_TVTRANSFORM_H

#include "lc_error.h"

#include <stddef.h>
#include <stdint.h>

#define LC_TV_SIZE_MAX 8192 /* resize_size, crop_size and each input side at most this */

typedef enum lc_tv_interp {
    LC_TV_BILINEAR = 0, /* InterpolationMode.BILINEAR */
    LC_TV_BICUBIC       /* InterpolationMode.BICUBIC */
} lc_tv_interp;

typedef enum lc_tv_layout {
    LC_TV_CHW = 0, /* planar (C, H, W), as a torch tensor */
    LC_TV_HWC      /* interleaved (H, W, C), as lc_image_decode returns */
} lc_tv_layout;

typedef struct lc_tv_transform {
    int resize_size;            /* the smaller edge after resizing (torchvision's resize_size[0]) */
    int crop_size;              /* the square center crop (crop_size[0]) */
    lc_tv_interp interpolation;
    float mean[3], std[3];      /* per output channel, as torch holds them (float32) */
} lc_tv_transform;

/* t = the preset with ImageNet's mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225), the
 * values every torchvision classification weight uses, e.g. (232, 224, BILINEAR) for
 * ResNet50_Weights.DEFAULT, (256, 224, BICUBIC) for EfficientNet_B0_Weights.DEFAULT. */
void lc_tv_transform_imagenet(lc_tv_transform *t, int resize_size, int crop_size,
                              lc_tv_interp interpolation);

/* The size (*oh, *ow) torchvision resizes an H x W image to for resize_size. */
void lc_tv_resized_size(int H, int W, int resize_size, int *oh, int *ow);

/* Bytes of scratch one lc_tv_preprocess call allocates for this image (0 on a bad size). */
size_t lc_tv_scratch_bytes(int H, int W, const lc_tv_transform *t);

/* out = center_crop(resize(ResizeChannels(img))) as uint8, 3 output channels taken from img's
 * C channels the way Ludwig's ResizeChannels takes them: C = 1 -> (0, 0, 0), C = 2 -> (0, 1, 0),
 * C >= 3 -> (0, 1, 2). Errors: a size out of range (LC_ERR_DATA, naming it), no memory. */
lc_status lc_tv_preprocess(const uint8_t *img /* (C, H, W) or (H, W, C) per layout */, int C,
                           int H, int W, lc_tv_layout layout, const lc_tv_transform *t,
                           uint8_t *out /* (3, crop, crop) */, lc_error *e);

/* dst = (src / 255 - mean[c]) / std[c] in float32, for n crops of side S (t->crop_size). */
void lc_tv_normalize(const uint8_t *src /* (n, 3, S, S) */, size_t n, const lc_tv_transform *t,
                     float *dst /* (n, 3, S, S) */);

#endif
