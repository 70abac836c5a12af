/* gemm.c - single-precision GEMM: the plain-C reference (oracle and fallback), the blocked
 * driver shared by the vector ISAs (B packing, k/n blocking, edge handling) and the run-time ISA
 * choice (CPU check, LC_ISA=ref|avx2|avx512, lc_gemm_force_isa).
 *
 * The micro-kernels themselves live in gemm_avx2.c / gemm_avx512.c. Threading is the caller's
 * job: lc_sgemm is single-threaded and uses only a stack buffer (about 250 KB) for packing.
 * The k blocking (LC_GEMM_KC) is a compile-time constant, so for a given ISA every element of C
 * is accumulated in the same order whatever its position, the shape split or the thread count.
 */
#include "lc_gemm.h"

#include "gemm_kernels.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

void lc_sgemm_ref(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                  const float *B, int ldb, float beta, float *C, int ldc)
{
    ptrdiff_t ars = ta ? 1 : lda, acs = ta ? lda : 1; /* op(A)(i,k) = A[i*ars + k*acs] */
    ptrdiff_t brs = tb ? 1 : ldb, bcs = tb ? ldb : 1; /* op(B)(k,j) = B[k*brs + j*bcs] */
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            float acc = 0.0f;
            for (int k = 0; k < K; k++)
                acc += A[i * ars + k * acs] * B[k * brs + j * bcs];
            float *c = &C[(ptrdiff_t)i * ldc + j];
            *c = beta == 0.0f ? alpha * acc : alpha * acc + beta * *c;
        }
    }
}

/* ---- ISA choice ---- */

/* The one piece of process state in the GEMM: the ISA in use (-1 until first use). It is set
 * once from the CPU and LC_ISA, and only changed by lc_gemm_force_isa (tests, benchmarks). */
static atomic_int g_isa = -1;

static int cpu_has(lc_isa isa)
{
    switch (isa) {
    case LC_ISA_REF:
        return 1;
    case LC_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case LC_ISA_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
               __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    }
    return 0;
}

static lc_isa detect_isa(void)
{
    lc_isa best = cpu_has(LC_ISA_AVX512) ? LC_ISA_AVX512
                  : cpu_has(LC_ISA_AVX2) ? LC_ISA_AVX2
                                         : LC_ISA_REF;
    const char *env = getenv("LC_ISA");
    if (env) {
        /* an ISA the CPU lacks is ignored rather than crashing on an illegal instruction */
        if (strcmp(env, "ref") == 0)
            return LC_ISA_REF;
        if (strcmp(env, "avx2") == 0 && cpu_has(LC_ISA_AVX2))
            return LC_ISA_AVX2;
        if (strcmp(env, "avx512") == 0 && cpu_has(LC_ISA_AVX512))
            return LC_ISA_AVX512;
    }
    return best;
}

lc_isa lc_gemm_isa(void)
{
    int isa = atomic_load_explicit(&g_isa, memory_order_relaxed);
    if (isa < 0) {
        isa = (int)detect_isa();
        atomic_store_explicit(&g_isa, isa, memory_order_relaxed);
    }
    return (lc_isa)isa;
}

const char *lc_isa_name(lc_isa isa)
{
    switch (isa) {
    case LC_ISA_REF:
        return "ref";
    case LC_ISA_AVX2:
        return "avx2";
    case LC_ISA_AVX512:
        return "avx512";
    }
    return "unknown";
}

int lc_gemm_force_isa(lc_isa isa)
{
    if ((int)isa < LC_ISA_REF || (int)isa > LC_ISA_AVX512 || !cpu_has(isa))
        return -1;
    atomic_store_explicit(&g_isa, (int)isa, memory_order_relaxed);
    return 0;
}

/* ---- blocked driver ---- */

typedef struct kernel_desc {
    int mr, nr;
    lc_sgemm_kernel_fn *fn;
    lc_sgemm_kernel2d_fn *fn2d;
} kernel_desc;

/* Packs op(B)(k0:k0+kc, j0:j0+nc) into NR-wide panels: panel p holds, for each k, NR consecutive
 * columns; columns past nc are zero. */
static inline __attribute__((always_inline)) void pack_b(int tb, int kc, int nc, const float *B, int ldb, int k0, int j0, int NR,
                   float *dst /* (ceil(nc/NR), kc, NR) */)
{
    for (int jp = 0; jp < nc; jp += NR) {
        int w = nc - jp < NR ? nc - jp : NR;
        float *d = dst + (ptrdiff_t)jp * kc;
        if (!tb) {
            const float *s = B + (ptrdiff_t)k0 * ldb + j0 + jp;
            for (int k = 0; k < kc; k++) {
                float *dk = d + (ptrdiff_t)k * NR;
                const float *sk = s + (ptrdiff_t)k * ldb;
                for (int j = 0; j < w; j++)
                    dk[j] = sk[j];
                for (int j = w; j < NR; j++)
                    dk[j] = 0.0f;
            }
        } else {
            const float *s = B + (ptrdiff_t)(j0 + jp) * ldb + k0;
            /* 8 source rows at a time, 8x8 register transposes (only vector ISAs get here) */
            int j = 0;
            for (; j + 8 <= w; j += 8)
                lc_sgemm_pack_bt8_avx2(kc, s + (ptrdiff_t)j * ldb, ldb, d + j, NR);
            for (; j < w; j++) {
                const float *sj = s + (ptrdiff_t)j * ldb;
                for (int k = 0; k < kc; k++)
                    d[(ptrdiff_t)k * NR + j] = sj[k];
            }
            if (w < NR)
                for (int k = 0; k < kc; k++)
                    for (int jj = w; jj < NR; jj++)
                        d[(ptrdiff_t)k * NR + jj] = 0.0f;
        }
    }
}

/* bpk, when not NULL: op(B) already packed whole (lc_sgemm_pack_bt's layout), read in place */
static void sgemm_blocked(const kernel_desc *kd, int ta, int tb, int M, int N, int K, float alpha,
                          const float *A, int lda, const float *B, int ldb,
                          const lc_gemm_bsrc *bsrc, const float *bpk, float beta, float *C,
                          int ldc)
{
    _Alignas(64) float bp[LC_GEMM_KC * LC_GEMM_NC];
    _Alignas(64) float ap[LC_GEMM_KC * LC_GEMM_MAX_MR]; /* zero-padded last row panel */
    const int MR = kd->mr, NR = kd->nr;
    ptrdiff_t rs = ta ? 1 : lda, cs = ta ? lda : 1; /* op(A)(i,k) = A[i*rs + k*cs] */
    int mfull = M - M % MR;

    for (int jc = 0; jc < N; jc += LC_GEMM_NC) {
        int nc = N - jc < LC_GEMM_NC ? N - jc : LC_GEMM_NC;
        for (int pc = 0; pc < K; pc += LC_GEMM_KC) {
            int kc = K - pc < LC_GEMM_KC ? K - pc : LC_GEMM_KC;
            float bt = pc == 0 ? beta : 1.0f; /* later k blocks accumulate into C */
            if (bpk)
                ; /* panels read in place below */
            else if (bsrc)
                bsrc->pack(bsrc->ctx, pc, kc, jc, nc, NR, bp);
            else
                pack_b(tb, kc, nc, B, ldb, pc, jc, NR, bp);
            for (int ir = 0; ir < M; ir += MR) {
                const float *a = A + ir * rs + pc * cs;
                ptrdiff_t ars = rs, acs = cs;
                int mr = MR;
                if (ir >= mfull) {
                    mr = M - ir;
                    for (int r = 0; r < MR; r++) {
                        const float *ar = a + r * rs;
                        if (r < mr)
                            for (int k = 0; k < kc; k++)
                                ap[k * MR + r] = ar[k * cs];
                        else
                            for (int k = 0; k < kc; k++)
                                ap[k * MR + r] = 0.0f;
                    }
                    a = ap;
                    ars = 1;
                    acs = MR;
                }
                float *c = C + (ptrdiff_t)ir * ldc + jc;
                for (int jr = 0; jr < nc; jr += NR) {
                    int nr = nc - jr < NR ? nc - jr : NR;
                    const float *bpan = bpk ? bpk + (ptrdiff_t)(jc + jr) * K + (ptrdiff_t)pc * NR
                                            : bp + (ptrdiff_t)jr * kc;
                    kd->fn(kc, a, ars, acs, bpan, c + jr, ldc, mr, nr, alpha, bt);
                }
            }
        }
    }
}

static const kernel_desc kernels[] = {
    [LC_ISA_AVX2] = {LC_GEMM_AVX2_MR, LC_GEMM_AVX2_NR, lc_sgemm_kernel_avx2,
                     lc_sgemm_kernel2d_avx2},
    [LC_ISA_AVX512] = {LC_GEMM_AVX512_MR, LC_GEMM_AVX512_NR, lc_sgemm_kernel_avx512,
                       lc_sgemm_kernel2d_avx512},
};

/* The micro-kernels read rows 0 .. mr of A and no more for these mr (gemm_kernels.h) */
static int rows_exact(int MR, int mr)
{
    return MR == LC_GEMM_AVX512_MR ? mr == 4 || mr == 8 : mr == 3;
}

int lc_sgemm_bpacked_img(int ntap, const ptrdiff_t *tap, int M, int N, int K,
                         const lc_gemm_img *img, const float *bpk, float beta, float *C, int ldc)
{
    lc_isa isa = lc_gemm_isa();
    if (isa == LC_ISA_REF || ntap <= 0 || M <= 0 || N <= 0 || K <= 0 || img->L <= 0)
        return -1;
    const kernel_desc *kd = &kernels[isa];
    const int MR = kd->mr, NR = kd->nr, L = img->L;
    _Alignas(64) float ap[LC_GEMM_KC * LC_GEMM_MAX_MR]; /* zero-padded last row panel */
    for (int jc = 0; jc < N; jc += LC_GEMM_NC) {
        int nc = N - jc < LC_GEMM_NC ? N - jc : LC_GEMM_NC;
        for (int pc = 0; pc < K; pc += LC_GEMM_KC) {
            int kc = K - pc < LC_GEMM_KC ? K - pc : LC_GEMM_KC;
            float bt = pc == 0 ? beta : 1.0f; /* later k blocks accumulate into C */
            for (int t = 0; t < ntap; t++) /* the packed block is read once per tap */
                for (int ir = 0; ir < M; ir += MR) {
                    /* the row of A's k where the block starts */
                    const float *a = img->a + tap[t] + ir * img->rs + (ptrdiff_t)(pc / L) * img->row;
                    int col0 = pc % L, mr = M - ir < MR ? M - ir : MR;
                    /* a last panel of rows the kernel reads beyond mr: a zero-padded copy */
                    int pack = mr < MR && !rows_exact(MR, mr) && !img->zrows;
                    for (int r = 0; pack && r < MR; r++) {
                        const float *ar = a + r * img->rs;
                        for (int k = 0, col = col0; k < kc; col = 0, ar += img->row)
                            for (; col < L && k < kc; col++, k++)
                                ap[k * MR + r] = r < mr ? ar[col * img->cs] : 0.0f;
                    }
                    float *c = C + ((ptrdiff_t)t * M + ir) * ldc + jc;
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = nc - jr < NR ? nc - jr : NR;
                        const float *bpan = bpk + (ptrdiff_t)(jc + jr) * K + (ptrdiff_t)pc * NR;
                        if (pack)
                            kd->fn(kc, ap, 1, MR, bpan, c + jr, ldc, mr, nr, 1.0f, bt);
                        else
                            kd->fn2d(kc, a, img->rs, img->cs, L, col0, img->row, bpan, c + jr,
                                     ldc, mr, nr, 1.0f, bt);
                    }
                }
        }
    }
    return 0;
}

int lc_sgemm_bsrc(int M, int N, int K, const float *A, int lda, const lc_gemm_bsrc *b, float beta,
                  float *C, int ldc)
{
    lc_isa isa = lc_gemm_isa();
    if (isa == LC_ISA_REF)
        return -1;
    if (M <= 0 || N <= 0 || K <= 0)
        return -1;
    sgemm_blocked(&kernels[isa], 0, 0, M, N, K, 1.0f, A, lda, NULL, 0, b, NULL, beta, C, ldc);
    return 0;
}

int lc_sgemm_bpacked(int M, int N, int K, const float *A, int lda, const float *bpk, float beta,
                     float *C, int ldc)
{
    lc_isa isa = lc_gemm_isa();
    if (isa == LC_ISA_REF || M <= 0 || N <= 0 || K <= 0)
        return -1;
    sgemm_blocked(&kernels[isa], 0, 0, M, N, K, 1.0f, A, lda, NULL, 0, NULL, bpk, beta, C, ldc);
    return 0;
}

int lc_sgemm_nr(void)
{
    lc_isa isa = lc_gemm_isa();
    return isa == LC_ISA_REF ? 0 : kernels[isa].nr;
}

int lc_sgemm_pack_bt(int K, int N, const float *B, int ldb, float *dst)
{
    int nr = lc_sgemm_nr();
    if (!nr || K <= 0 || N <= 0)
        return -1;
    pack_b(1, K, N, B, ldb, 0, 0, nr, dst);
    return 0;
}

void lc_sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
              const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0 || alpha == 0.0f) {
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                float *c = &C[(ptrdiff_t)i * ldc + j];
                *c = beta == 0.0f ? 0.0f : beta * *c;
            }
        return;
    }
    lc_isa isa = lc_gemm_isa();
    if (isa == LC_ISA_REF) {
        lc_sgemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    sgemm_blocked(&kernels[isa], ta, tb, M, N, K, alpha, A, lda, B, ldb, NULL, NULL, beta, C,
                  ldc);
}
