/* lc_conv_isa.h - vector versions of convolution helpers (private to lib/core). */
#ifndef LC_CONV_ISA_H
#define LC_CONV_ISA_H

#include <stddef.h>
#include <stdint.h>

/* Packs col(k0:k0+kc, j0:j0+nc) of an unpadded, undilated convolution of stride S (1 or 2, both
 * ways) of one sample x (C,H,W) with output width OW into 32-wide panels (zero past nc); row ckk
 * is all ones. */
void lc_col_pack_simple_avx512(const float *x, int H, int W, int KH, int KW, int OW, int S,
                               int ckk, int k0, int kc, int j0, int nc, float *dst);

/* ReLU, dropout (km all-ones = kept, NULL = none, indexed with row stride kOW and plane stride
 * kOHW) and 2x2 stride-2 max-pool of z (OC, OH, OW) into y (OC, POH, POW) and the window
 * offsets of the maxima, as conv.c's fused_pool2x2. */
void lc_pool2x2_act_avx512(int OC, int OW, int OHW, int POH, int POW, const float *z,
                           const uint32_t *km, int kOW, int kOHW, float scale, float *y,
                           unsigned char *am);

/* dz (OC, OH, OW) of a 2x2 pooled block from its output ys, gradient dys and window offsets am:
 * each window's maximum gets dys * scale where ys > 0, every other position +0 (as conv.c's
 * fused_dz); OH, OW are even (the cropped convolution). */
void lc_pool2x2_dz_avx512(int OC, int OW, int OHW, int POH, int POW, const float *ys,
                          const float *dys, const unsigned char *am, float scale, float *dz);

/* im2col / col2im (adding into x) of a stride-1, unpadded, undilated convolution. */
void lc_im2col_simple_avx512(int C, int H, int W, int KH, int KW, int OH, int OW, const float *x,
                             float *col);
void lc_col2im_simple_avx512(int C, int H, int W, int KH, int KW, int OH, int OW,
                             const float *col, float *x);

/* The same for AVX2 (+FMA): packing into 16-wide panels (LC_GEMM_AVX2_NR), the rest as above,
 * with the same results. */
void lc_col_pack_simple_avx2(const float *x, int H, int W, int KH, int KW, int OW, int S,
                             int ckk, int k0, int kc, int j0, int nc, float *dst);
void lc_pool2x2_act_avx2(int OC, int OW, int OHW, int POH, int POW, const float *z,
                         const uint32_t *km, int kOW, int kOHW, float scale, float *y,
                         unsigned char *am);
void lc_pool2x2_dz_avx2(int OC, int OW, int OHW, int POH, int POW, const float *ys,
                        const float *dys, const unsigned char *am, float scale, float *dz);
void lc_im2col_simple_avx2(int C, int H, int W, int KH, int KW, int OH, int OW, const float *x,
                           float *col);
void lc_col2im_simple_avx2(int C, int H, int W, int KH, int KW, int OH, int OW, const float *col,
                           float *x);

/* dst[j * lds + i] = src[i * ls + j] for i < ni, j < nj: in 16x16 (AVX-512) or 8x8 (AVX2) blocks
 * of register transposes, a line read and a line written per row of a block */
void lc_transpose_avx512(const float *src, size_t ls, int ni, int nj, float *dst, size_t lds);
void lc_transpose_avx2(const float *src, size_t ls, int ni, int nj, float *dst, size_t lds);

/* dst[0..32) = src[0..32) by streaming stores (dst 64-byte aligned), and the fence that orders
 * them before what follows (a task's last step: another thread reads them next) */
void lc_stream_panel_avx512(float *dst, const float *src);
void lc_stream_fence_avx512(void);

#endif
