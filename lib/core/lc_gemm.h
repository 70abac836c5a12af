/* lc_gemm.h - single-precision GEMM: a plain-C reference (the oracle and fallback) and blocked
 * kernels per ISA (AVX2+FMA, AVX-512) chosen once at run time.
 *
 * Row-major. C(M,N) = alpha * op(A)(M,K) * op(B)(K,N) + beta * C, op = transpose when ta/tb != 0.
 * lc_sgemm is single-threaded and deterministic for a given ISA: callers parallelise by splitting
 * M or N (or the batch) into a fixed number of tasks, so results never depend on thread count.
 * beta == 0 means C is not read (may hold NaN).
 */
#ifndef LC_GEMM_H
#define LC_GEMM_H

#include <stddef.h>

typedef enum lc_isa { LC_ISA_REF = 0, LC_ISA_AVX2 = 1, LC_ISA_AVX512 = 2 } lc_isa;

void lc_sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
              const float *B, int ldb, float beta, float *C, int ldc);
void lc_sgemm_ref(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc);

/* C = A op(B) + beta C where op(B) (K x N) is never stored: pack() writes its block
 * (k0:k0+kc, j0:j0+nc) as NR-wide panels - panel p at dst + p*NR*kc holds, for each k, NR
 * consecutive columns, zero past nc - straight from the caller's data (e.g. an image, for a
 * convolution without an im2col matrix). For a given ISA the result is bitwise that of lc_sgemm
 * on the stored matrix. Returns -1 (nothing done) under the reference ISA, which has no packing. */
typedef struct lc_gemm_bsrc {
    void (*pack)(const void *ctx, int k0, int kc, int j0, int nc, int NR, float *dst);
    const void *ctx;
} lc_gemm_bsrc;
int lc_sgemm_bsrc(int M, int N, int K, const float *A, int lda, const lc_gemm_bsrc *b, float beta,
                  float *C, int ldc);

/* The width of the current ISA's B panels (NR; 0 under the reference ISA). */
int lc_sgemm_nr(void);
/* op(B) = B^T (K x N, B stored N x K with row stride ldb) packed whole, as the blocked GEMM packs
 * its B blocks: panel p (columns p*NR .. p*NR + NR, zero past N) at dst + p*NR*K, NR floats per
 * k. ceil(N/NR) * NR * K floats. A bsrc pack() can then copy any block of it
 * (dst + p*NR*K + k0*NR, kc*NR floats per panel). Returns -1 (nothing packed) under the
 * reference ISA. */
int lc_sgemm_pack_bt(int K, int N, const float *B, int ldb, float *dst);
/* C = A op(B) + beta C with op(B) (K x N) packed by lc_sgemm_pack_bt under the current ISA, read
 * in place: bitwise lc_sgemm's result on the stored matrix. Returns -1 (nothing done) under the
 * reference ISA. */
int lc_sgemm_bpacked(int M, int N, int K, const float *A, int lda, const float *bpk, float beta,
                     float *C, int ldc);
/* An image read in place as the rows of an im2col matrix (no copy): A(r, k) =
 * a[r*rs + (k / L)*row + (k % L)*cs], e.g. r an input channel, k an output pixel of L per row,
 * cs the stride, row the distance of two output rows' first inputs. */
typedef struct lc_gemm_img {
    const float *a;
    ptrdiff_t rs, cs, row;
    int L;
    int zrows; /* rows past M, up to a whole row panel of the kernel (LC_GEMM_MAX_MR), are
                * there to read and zero: the last panel is read in place, not packed */
} lc_gemm_img;
/* For each of ntap taps t: C rows t*M .. t*M + M = A_t op(B) + beta C, A_t (M x K) the image at
 * img->a + tap[t], op(B) packed by lc_sgemm_pack_bt and read in place; every element the sum
 * lc_sgemm_bpacked computes from the same matrix stored (the same bits). Returns -1 (nothing
 * done) under the reference ISA. */
int lc_sgemm_bpacked_img(int ntap, const ptrdiff_t *tap, int M, int N, int K,
                         const lc_gemm_img *img, const float *bpk, float beta, float *C, int ldc);
/* The ISA lc_sgemm uses now; the best the CPU supports unless forced. */
lc_isa lc_gemm_isa(void);
const char *lc_isa_name(lc_isa isa);
/* Force an ISA (tests, benchmarks, LC_ISA env var); returns 0, or -1 if the CPU lacks it. */
int lc_gemm_force_isa(lc_isa isa);

#endif
