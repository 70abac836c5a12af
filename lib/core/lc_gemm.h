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

typedef enum lc_isa { LC_ISA_REF = 0, LC_ISA_AVX2 = 1, LC_ISA_AVX512 = 2 } lc_isa;

void lc_sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
              const float *B, int ldb, float beta, float *C, int ldc);
void lc_sgemm_ref(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc);

/* The ISA lc_sgemm uses now; the best the CPU supports unless forced. */
lc_isa lc_gemm_isa(void);
const char *lc_isa_name(lc_isa isa);
/* Force an ISA (tests, benchmarks, LC_ISA env var); returns 0, or -1 if the CPU lacks it. */
int lc_gemm_force_isa(lc_isa isa);

#endif
