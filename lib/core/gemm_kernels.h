/* gemm_kernels.h - private contract between the blocked GEMM driver (gemm.c) and the per-ISA
 * register-blocked micro-kernels (gemm_avx2.c, gemm_avx512.c). Not part of the public API.
 *
 * A micro-kernel computes one MR x NR tile of C over kc steps of k:
 *   acc(r, j) = sum_k a[r*rs_a + k*cs_a] * b[k*NR + j]   (fused multiply-add, k ascending)
 *   C(r, j)   = alpha*acc + beta*C   (beta == 0: C not read), only for r < mr, j < nr.
 * A is read in place (any row/column stride, all MR rows must be readable: the driver packs a
 * zero-padded copy for the last partial row panel; except that for mr 4 or 8 (AVX-512) and 3
 * (AVX2) the kernels read rows 0 .. mr only); B is packed by the driver in NR-wide panels,
 * zero-padded. The arithmetic for an element never depends on its position in the tile or on
 * mr/nr, so a GEMM split into sub-blocks gives the same bits as the whole GEMM.
 */
#ifndef LC_GEMM_KERNELS_H
#define LC_GEMM_KERNELS_H

#include <stddef.h>

/* k and n blocking shared by the vector ISAs: a packed B block (KC x NC) stays in L2. */
#define LC_GEMM_KC 384
#define LC_GEMM_NC 160

#define LC_GEMM_AVX2_MR 6
#define LC_GEMM_AVX2_NR 16
#define LC_GEMM_AVX512_MR 12
#define LC_GEMM_AVX512_NR 32
#define LC_GEMM_MAX_MR 12

typedef void lc_sgemm_kernel_fn(int kc, const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                                const float *b, float *c, ptrdiff_t ldc, int mr, int nr,
                                float alpha, float beta);

void lc_sgemm_kernel_avx2(int kc, const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                          const float *b, float *c, ptrdiff_t ldc, int mr, int nr, float alpha,
                          float beta);
void lc_sgemm_kernel_avx512(int kc, const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a,
                            const float *b, float *c, ptrdiff_t ldc, int mr, int nr, float alpha,
                            float beta);

/* The same over an A whose k runs along rows of L elements: A(r, k) at
 * a[r*rs_a + q*row_a + j*cs_a] for the q-th row and j-th element from where the tile starts
 * (col0 of the first row; a points at that row's element 0), k ascending; every element's sum
 * is the plain kernel's over the same k (an image read in place as an im2col matrix's rows). */
typedef void lc_sgemm_kernel2d_fn(int kc, const float *a, ptrdiff_t rs_a, ptrdiff_t cs_a, int L,
                                  int col0, ptrdiff_t row_a, const float *b, float *c,
                                  ptrdiff_t ldc, int mr, int nr, float alpha, float beta);
lc_sgemm_kernel2d_fn lc_sgemm_kernel2d_avx2, lc_sgemm_kernel2d_avx512;

/* Packs 8 stored rows of B (B + j*ldb, k contiguous) as 8 adjacent columns of a packed panel:
 * dst[k*ldd + q] = src[q*ldb + k] for k < kc, q < 8 (ldd: the panel width NR). Needs AVX2 (every vector ISA has it). */
void lc_sgemm_pack_bt8_avx2(int kc, const float *src, ptrdiff_t ldb, float *dst, int ldd);

#endif
