/* lc_autoaug.h - Ludwig 0.10.3's `auto_augmentation` (ludwig/features/image_feature.py, class
 * AutoAugment): torchvision 0.14's TrivialAugmentWide (method trivial_augment, the default),
 * AutoAugment with the ImageNet policy (auto_augment) and RandAugment with num_ops 2, magnitude 9
 * and 31 bins (rand_augment), all with NEAREST interpolation and no fill (zeros outside).
 *
 * Ludwig hands torchvision the whole training batch as one uint8 (B, C, H, W) tensor, so one draw
 * (the operations and their magnitudes) serves every image of the batch, and each operation then
 * works image by image. lc_autoaug_draw makes that draw from ludwig-c's own generator;
 * lc_autoaug_apply applies one operation to one image (C, H, W) with torchvision.transforms.
 * functional's arithmetic on uint8 tensors (functional_tensor.py):
 *
 *   ShearX/Y, TranslateX/Y, Rotate  F.affine / F.rotate: torchvision's inverse affine matrix in
 *        double (shear about the top-left corner: center [0, 0]; translation int(magnitude)),
 *        rounded to float32, its affine grid and grid_sample's nearest lookup as lc_aug_rotate
 *        computes them: equal to torchvision's output;
 *   Brightness, Contrast  lc_aug_brightness / lc_aug_contrast with factor 1 + magnitude;
 *   Color    F.adjust_saturation: a 1-channel image unchanged; else _blend with the uint8 grey
 *        image: exact;
 *   Sharpness  F.adjust_sharpness: the 3x3 kernel (1, 5 in the centre) / 13 in float32 over the
 *        interior, accumulated tap by tap with fused multiply-adds (oneDNN; a lone small 1-channel
 *        image: torch's slow convolution, unfused), rounded half to even; the border kept; then
 *        _blend with the image; images of a side of 2 or less unchanged;
 *   Posterize  img & -(2^(8 - bits)), bits = int(magnitude): exact;
 *   Solarize   255 - v where v >= threshold (compared in float32): exact;
 *   AutoContrast  per channel (v - min) * (255 / (max - min)) in float32, clamped, truncated;
 *        a flat channel unchanged: exact;
 *   Equalize  per channel torchvision's histogram, step and lookup table in integers: exact;
 *   Invert    255 - v: exact;   Identity  nothing.
 *
 * Channels: 1 or 3 (torchvision asserts this in all but the geometric operations).
 * Magnitude tables are torch.linspace's float32 values as torch 1.13 computes them on an AVX2
 * build (8-float vectors, fused scalar multiply-adds); torch on an AVX-512 machine (16-float
 * vectors) can differ in the last bit of some 31-bin values.
 *
 * Threads: no globals; one image per thread is safe.
 */
#ifndef LC_AUTOAUG_H
#define LC_AUTOAUG_H

#include "lc_error.h"
#include "lc_rng.h"

#include <stdint.h>

typedef enum lc_autoaug_method {
    LC_AUTOAUG_TRIVIAL = 0, /* trivial_augment: TrivialAugmentWide() */
    LC_AUTOAUG_AUTO,        /* auto_augment: AutoAugment() (AutoAugmentPolicy.IMAGENET) */
    LC_AUTOAUG_RAND         /* rand_augment: RandAugment() */
} lc_autoaug_method;

#define LC_AUTOAUG_METHOD_NAMES "trivial_augment, auto_augment, rand_augment"

typedef enum lc_autoaug_op {
    LC_AA_IDENTITY = 0,
    LC_AA_SHEAR_X,
    LC_AA_SHEAR_Y,
    LC_AA_TRANSLATE_X,
    LC_AA_TRANSLATE_Y,
    LC_AA_ROTATE,
    LC_AA_BRIGHTNESS,
    LC_AA_COLOR,
    LC_AA_CONTRAST,
    LC_AA_SHARPNESS,
    LC_AA_POSTERIZE,
    LC_AA_SOLARIZE,
    LC_AA_AUTOCONTRAST,
    LC_AA_EQUALIZE,
    LC_AA_INVERT,
    LC_AA_COUNT
} lc_autoaug_op;

/* torchvision's name of an operation ("ShearX", ...); NULL out of range */
const char *lc_autoaug_op_name(lc_autoaug_op op);
/* "trivial_augment", ... ; NULL out of range */
const char *lc_autoaug_method_name(lc_autoaug_method m);
/* 0 and *m set when s names a method, -1 otherwise */
int lc_autoaug_method_parse(const char *s, lc_autoaug_method *m);

/* The method's augmentation space in torchvision's order (its _augmentation_space keys): the
 * count, the operations in ops[0..count) (ops may be NULL). */
int lc_autoaug_space(lc_autoaug_method m, lc_autoaug_op *ops);
/* The number of magnitude bins of the method's space: 31, 10 (AutoAugment), 31. */
int lc_autoaug_bins(lc_autoaug_method m);
/* Whether op's magnitudes have a table (torchvision: magnitudes.ndim > 0) and are signed. */
int lc_autoaug_has_magnitudes(lc_autoaug_op op);
int lc_autoaug_signed(lc_autoaug_op op);
/* float(magnitudes[bin]) of op in the method's space for an H x W image (the translations of
 * AutoAugment and RandAugment scale with the image); 0 for an operation without a table. */
double lc_autoaug_magnitude(lc_autoaug_method m, lc_autoaug_op op, int bin, int H, int W);

/* AutoAugment's ImageNet policy: 25 sub-policies of two (operation, probability, magnitude bin or
 * -1 for None). */
typedef struct lc_autoaug_step {
    lc_autoaug_op op;
    double prob;
    int bin;
} lc_autoaug_step;
#define LC_AUTOAUG_POLICIES 25
extern const lc_autoaug_step lc_autoaug_imagenet[LC_AUTOAUG_POLICIES][2];

/* One batch's draw: the operations applied in order with their (signed) magnitudes. */
typedef struct lc_autoaug_plan {
    int n;
    lc_autoaug_op op[2];
    double magnitude[2];
    int policy; /* auto_augment: the sub-policy drawn; -1 otherwise */
} lc_autoaug_plan;

/* Draws the plan for a batch of H x W images from r, as torchvision's forward draws it:
 * trivial_augment one operation of 14, a bin of 31 and a sign; auto_augment a sub-policy of 25,
 * two probabilities and two signs; rand_augment two operations of 14, each with a sign. As in
 * torchvision, a sign is drawn only for a signed operation, so the number of draws depends on
 * the operations drawn; each batch has its own generator (seed, step), so nothing shifts. */
void lc_autoaug_draw(lc_autoaug_method m, int H, int W, lc_rng *r, lc_autoaug_plan *plan);

/* img = _apply_op(img, op, magnitude) for one image (C, H, W) of a batch of batch_n images
 * (batch_n decides torch's convolution for Sharpness only), in place; tmp: C H W bytes of
 * scratch. Errors (LC_ERR_DATA): C not 1 or 3, a size out of range (lc_augment.h), a magnitude
 * torchvision would refuse (a factor below 0, bits outside 0..8, a threshold above 255, not
 * finite); LC_ERR_NOMEM. */
lc_status lc_autoaug_apply(uint8_t *img, uint8_t *tmp, int C, int H, int W, lc_autoaug_op op,
                           double magnitude, int batch_n, lc_error *e);

#endif
