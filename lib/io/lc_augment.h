/* lc_augment.h - the image augmentation operations of Ludwig 0.10.3 (ludwig/features/
 * image_feature.py: random_horizontal_flip, random_vertical_flip, random_rotate, random_contrast,
 * random_brightness, random_blur), one image at a time, on uint8 planar (C, H, W) images, with the
 * arithmetic of torchvision.transforms.functional on tensors (torchvision 0.14 / torch 1.13):
 *
 *   lc_aug_hflip / lc_aug_vflip  F.hflip / F.vflip: exact;
 *   lc_aug_rotate      F.rotate(img, angle): NEAREST, expand=False, center=None, fill=None (zeros
 *                      outside); torchvision's inverse affine matrix in double rounded to float32,
 *                      its affine grid (align_corners=False) and grid_sample's nearest lookup
 *                      (round half to even), all in float32 with torch's operation order: equal
 *                      to torchvision's output;
 *   lc_aug_brightness  F.adjust_brightness: _blend with zeros, clamp, truncating cast: exact;
 *   lc_aug_contrast    F.adjust_contrast: the mean of the grey image (rgb_to_grayscale cast back to
 *                      uint8, for 3 channels) or of the image (1 channel), summed in float32 the
 *                      way torch 1.13's cascade_sum does with 8-float (AVX2) vectors on one thread,
 *                      divided by the pixel count; then _blend, clamp, truncating cast;
 *   lc_aug_blur        F.gaussian_blur(img, [k, k]) with sigma = 0.15 k + 0.35: torchvision's
 *                      float32 kernel (x / sigma, squared, SLEEF's exp, normalised by torch's
 *                      float sum, outer product), reflect padding of k / 2, the convolution
 *                      accumulated in float32 row of taps by row of taps (kh outer, kw inner)
 *                      from zero, fused
 *                      multiply-adds as oneDNN's kernels do or unfused products as the reference
 *                      BLAS behind torch's slow path does (lc_aug_blur_batch), then rounded
 *                      half to even.
 *
 * The caller draws the random decisions and parameters (Ludwig: one draw per op per batch, the
 * same parameter for every image of the batch) and calls these per image. A factor or an angle is
 * a double because Ludwig hands torchvision a Python float (the .item() of a float32 draw):
 * torchvision computes 1 - factor and the rotation matrix in double before rounding to float32.
 *
 * Channels: C in 1..LC_AUG_CHANNELS_MAX for flips, rotate and blur; torchvision's brightness and
 * contrast accept only 1 or 3 channels (TypeError for others): lc_aug_contrast refuses the others,
 * lc_aug_brightness (which returns nothing) applies its arithmetic to every channel.
 *
 * Where torch's own result depends on the machine or the threads, values can differ from such a
 * torch run by one level in rare pixels: the contrast mean's float sum (torch with AVX-512 kernels,
 * or several threads on an image of more than 32768 pixels, sums in another order); the blur
 * kernel's exp (torch's SLEEF expf, reproduced here as its FMA build computes it on an AVX2
 * machine) and oneDNN's accumulation on a machine without FMA.
 *
 * Threads: no globals; lc_aug_contrast and lc_aug_blur allocate their scratch per call and free
 * it; one image per thread is safe.
 */
#ifndef LC_AUGMENT_H
#define LC_AUGMENT_H

#include "lc_error.h"

#include <stdint.h>

#define LC_AUG_SIZE_MAX 16384   /* each side at most this */
#define LC_AUG_CHANNELS_MAX 4

/* img = F.hflip(img) / F.vflip(img), in place. Nothing happens for a non-positive size. */
void lc_aug_hflip(uint8_t *img /* (C, H, W) */, int C, int H, int W);
void lc_aug_vflip(uint8_t *img /* (C, H, W) */, int C, int H, int W);

/* dst = F.rotate(src, angle_deg) (counter-clockwise degrees, about the image centre, pixels
 * whose source falls outside set to 0). src and dst must not overlap. Errors (LC_ERR_DATA): a
 * size or channel count out of range, a non-finite angle. */
/* The affine grid and nearest grid_sample of F.affine / F.rotate for the inverse matrix theta t
 * (float32), zeros outside (shared by lc_aug_rotate and auto augmentation's geometric ops). */
void lc_aug_grid_nearest(const uint8_t *src /* (C, H, W) */, uint8_t *dst /* (C, H, W) */, int C,
                         int H, int W, const float t[6]);
lc_status lc_aug_rotate(const uint8_t *src /* (C, H, W) */, uint8_t *dst /* (C, H, W) */, int C,
                        int H, int W, double angle_deg, lc_error *e);

/* img = F.adjust_brightness(img, factor), in place, on every channel. torchvision raises for C
 * other than 1 or 3 and for a negative factor; this function has no error to return and applies
 * the same arithmetic regardless (a negative factor gives black), so a caller mirroring
 * torchvision refuses such images or factors itself. Nothing happens for a non-positive size. */
void lc_aug_brightness(uint8_t *img /* (C, H, W) */, int C, int H, int W, double factor);

/* img = F.adjust_contrast(img, factor), in place. Errors (LC_ERR_DATA): C not 1 or 3 (as
 * torchvision), a negative or non-finite factor, a size out of range; no memory (LC_ERR_NOMEM;
 * 4 H W bytes of scratch). */
lc_status lc_aug_contrast(uint8_t *img /* (C, H, W) */, int C, int H, int W, double factor,
                          lc_error *e);

/* img = F.gaussian_blur(img, [k, k]), in place, as torch computes it for a batch of more than one
 * image (Ludwig blurs whole batches): oneDNN's convolution, fused multiply-adds. kernel_size must
 * be odd and positive (as torchvision requires; 1 leaves the image as it is) and kernel_size / 2
 * less than H and W (torch's reflect padding requires it); otherwise LC_ERR_DATA with a message.
 * Scratch: 4 ((H + k - 1) (W + k - 1) + W + k) bytes. Errors also: C or a size out of range, no
 * memory (LC_ERR_NOMEM). */
lc_status lc_aug_blur(uint8_t *img /* (C, H, W) */, int C, int H, int W, int kernel_size,
                      lc_error *e);

/* lc_aug_blur for an image that torchvision's call blurs together with batch_n - 1 others
 * (batch_n <= 1: alone): a lone 1-channel image with k = 3 and (H + 2) (W + 2) <= 20480 takes
 * torch's slow convolution (reference BLAS: unfused products summed in tap order), every other
 * call oneDNN's, which lc_aug_blur assumes. The two differ in float rounding only, rarely by one
 * level after rounding. */
lc_status lc_aug_blur_batch(uint8_t *img /* (C, H, W) */, int C, int H, int W, int kernel_size,
                            int batch_n, lc_error *e);

#endif
