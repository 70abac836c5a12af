/* gemm_bench.c - single-threaded GFLOP/s of lc_sgemm (each ISA the CPU has) against OpenBLAS
 * and BLIS cblas_sgemm on the MNIST tutorial net's hot shapes (batch 128, 28x28).
 * Both BLAS libraries are dlopen'ed with RTLD_LOCAL so their cblas_sgemm symbols do not clash;
 * a missing library is skipped.
 *
 * Build and run (from the repository root):
 *   make build/liblc.a
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Ilib/core -Ilib/include bench/gemm_bench.c build/liblc.a \
 *      -ldl -lm -pthread -o build/gemm_bench && build/gemm_bench
 * (or name lib/core/{gemm,gemm_avx2,gemm_avx512,mem}.c instead of the archive, with the ISA flags
 * of the Makefile for the _avx2/_avx512 files)
 */
#include "lc_conv.h"
#include "lc_gemm.h"
#include "lc_mem.h"

#include <dlfcn.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };
typedef void cblas_sgemm_fn(int order, int ta, int tb, int M, int N, int K, float alpha,
                            const float *A, int lda, const float *B, int ldb, float beta, float *C,
                            int ldc);

typedef struct shape {
    const char *name;
    int ta, tb, M, N, K;
} shape;

static const shape shapes[] = {
    {"conv1 fwd / sample", 0, 0, 32, 676, 9},
    {"conv2 fwd / sample", 0, 0, 64, 100, 289}, /* the 10x10 outputs the 2x2 pool uses */
    {"conv2 fwd batched", 0, 0, 64, 100 * 128, 288},
    {"conv1 dW^T,db / smp", 0, 1, 10, 32, 676},
    {"conv2 dW^T,db / smp", 0, 1, 289, 64, 100},
    {"conv2 dx / sample", 1, 0, 288, 100, 64},
    {"dense1 fwd", 0, 1, 128, 128, 1600},
    {"dense1 dx", 0, 0, 128, 1600, 128},
    {"dense1 dW", 1, 0, 128, 1600, 128},
    {"dense2 fwd", 0, 1, 128, 10, 128},
    {"square 512", 0, 0, 512, 512, 512},
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* best of 5 rounds of enough calls to last ~40 ms */
static double gflops(const shape *s, cblas_sgemm_fn *blas, const float *A, const float *B,
                     float *C)
{
    int lda = s->ta ? s->M : s->K, ldb = s->tb ? s->K : s->N;
    double flop = 2.0 * s->M * s->N * s->K, best = 0.0;
    int reps = 1;
    for (int round = 0; round < 6; round++) {
        double t0 = now();
        for (int r = 0; r < reps; r++) {
            if (blas)
                blas(CBLAS_ROW_MAJOR, s->ta ? CBLAS_TRANS : CBLAS_NO_TRANS,
                     s->tb ? CBLAS_TRANS : CBLAS_NO_TRANS, s->M, s->N, s->K, 1.0f, A, lda, B, ldb,
                     0.0f, C, s->N);
            else
                lc_sgemm(s->ta, s->tb, s->M, s->N, s->K, 1.0f, A, lda, B, ldb, 0.0f, C, s->N);
        }
        double dt = now() - t0;
        if (round == 0) { /* calibration */
            reps = (int)(0.04 / (dt > 1e-7 ? dt : 1e-7)) + 1;
            continue;
        }
        double g = flop * reps / dt * 1e-9;
        if (g > best)
            best = g;
    }
    return best;
}

/* The core's FP32 peak: 12 independent FMA chains (enough to cover the FMA latency on both
 * ports) for n iterations, in GFLOP/s; each ISA's loop is the same but for the vector type. */
#define FMA_LOOP(T, SET1, FMADD, FIRST, LANES)                                                  \
    T acc[12], m = SET1(0.999999f), a = SET1(1e-7f);                                             \
    for (int i = 0; i < 12; i++)                                                                 \
        acc[i] = SET1((float)i);                                                                 \
    double t0 = now();                                                                           \
    for (long it = 0; it < n; it++) {                                                            \
        _Pragma("GCC unroll 12") for (int i = 0; i < 12; i++) acc[i] = FMADD(acc[i], m, a);      \
    }                                                                                            \
    double dt = now() - t0;                                                                      \
    float sink = 0.0f;                                                                           \
    for (int i = 0; i < 12; i++)                                                                 \
        sink += FIRST(acc[i]);                                                                   \
    if (sink == 12345.0f) /* keeps the loop */                                                   \
        printf(" ");                                                                             \
    return 12.0 * 2.0 * LANES * (double)n / dt * 1e-9;

__attribute__((target("avx2,fma"))) static double fma_run_avx2(long n)
{
    FMA_LOOP(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_cvtss_f32, 8)
}

__attribute__((target("avx512f"))) static double fma_run_avx512(long n)
{
    FMA_LOOP(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_cvtss_f32, 16)
}

/* best of 5 runs of 20M iterations */
static double fma_peak(double (*run)(long))
{
    double best = 0.0;
    for (int round = 0; round < 5; round++) {
        double g = run(20000000);
        best = g > best ? g : best;
    }
    return best;
}

static cblas_sgemm_fn *load(const char *lib, void **handle)
{
    *handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (!*handle)
        return NULL;
    return (cblas_sgemm_fn *)(size_t)dlsym(*handle, "cblas_sgemm"); /* via size_t: ISO C */
}

/* whole layers at batch 128 (forward, backward) with 1 and 2 threads, on the best ISA */
static void bench_layers(void)
{
    lc_conv2d convs[2] = {{1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 0, 0},
                          {32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1, 0, 0}};
    const int B = 128;
    printf("\nlayers, batch %d, isa %s: ms per call (GFLOP/s)\n", B, lc_isa_name(lc_gemm_isa()));
    for (int nt = 1; nt <= 2; nt++) {
        lc_pool *p = lc_pool_create(nt);
        for (int i = 0; i < 3; i++) {
            lc_conv2d *c = &convs[i < 2 ? i : 0];
            int dense = i == 2;
            if (!dense)
                lc_conv2d_plan(c);
            size_t nx = dense ? (size_t)B * 1600 : (size_t)B * c->C * c->H * c->W;
            size_t nw = dense ? 128 * 1600 : (size_t)c->OC * c->C * 9;
            size_t ny = dense ? (size_t)B * 128 : (size_t)B * c->OC * c->OH * c->OW;
            size_t nws = dense ? 16 : lc_conv2d_ws_floats(c, B, nt);
            float *x = lc_alloc(nx, 4), *w = lc_alloc(nw, 4), *bb = lc_alloc(128, 4);
            float *y = lc_alloc(ny, 4), *dx = lc_alloc(nx, 4), *dw = lc_alloc(nw, 4);
            float *ws = lc_alloc(nws, 4);
            double flop = dense ? 2.0 * B * 1600 * 128 : 2.0 * ny * c->C * 9, tf = 1e9, tb = 1e9;
            for (int r = 0; r < 20; r++) {
                double t0 = now();
                if (dense)
                    lc_dense_forward(p, B, 1600, 128, x, w, bb, y);
                else
                    lc_conv2d_forward(p, c, B, x, w, bb, y, ws);
                double t1 = now();
                if (dense)
                    lc_dense_backward(p, B, 1600, 128, x, w, y, dx, dw, bb);
                else
                    lc_conv2d_backward(p, c, B, x, w, y, i == 0 ? NULL : dx, dw, bb, ws);
                double t2 = now();
                tf = t1 - t0 < tf ? t1 - t0 : tf;
                tb = t2 - t1 < tb ? t2 - t1 : tb;
            }
            double fb = i == 0 ? flop : 2 * flop; /* conv1 needs no dx */
            printf("  %d thread%s %-6s fwd %7.3f ms (%6.1f)  bwd %7.3f ms (%6.1f)\n", nt,
                   nt > 1 ? "s" : " ", dense ? "dense1" : i == 0 ? "conv1" : "conv2", tf * 1e3,
                   flop / tf * 1e-9, tb * 1e3, fb / tb * 1e-9);
            lc_free(x);
            lc_free(w);
            lc_free(bb);
            lc_free(y);
            lc_free(dx);
            lc_free(dw);
            lc_free(ws);
        }
        lc_pool_destroy(p);
    }
}

int main(void)
{
    setenv("OMP_NUM_THREADS", "1", 1);
    setenv("BLIS_NUM_THREADS", "1", 1);
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    void *ho = NULL, *hb = NULL;
    cblas_sgemm_fn *openblas = load("libopenblas.so.0", &ho);
    cblas_sgemm_fn *blis = load("libblis.so.4", &hb);
    if (ho) {
        void (*set)(int) = (void (*)(int))(size_t)dlsym(ho, "openblas_set_num_threads");
        if (set)
            set(1);
    }
    if (hb) {
        void (*set)(long) = (void (*)(long))(size_t)dlsym(hb, "bli_thread_set_num_threads");
        if (set)
            set(1);
    }
    static const lc_isa isas[] = {LC_ISA_AVX2, LC_ISA_AVX512};
    double peak[2] = {0.0, 0.0};
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        peak[0] = fma_peak(fma_run_avx2);
    if (__builtin_cpu_supports("avx512f"))
        peak[1] = fma_peak(fma_run_avx512);
    printf("FP32 FMA peak of one core: avx2 %.1f GFLOP/s, avx512 %.1f GFLOP/s\n\n", peak[0],
           peak[1]);
    printf("%-20s %2s %2s %5s %6s %5s |", "shape", "tA", "tB", "M", "N", "K");
    for (int i = 0; i < 2; i++)
        printf(" %8s", lc_isa_name(isas[i]));
    printf(" %8s %8s   (GFLOP/s, 1 thread; %% of that ISA's peak)\n", "openblas", "blis");
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        const shape *s = &shapes[i];
        size_t na = (size_t)s->M * s->K, nb = (size_t)s->K * s->N, nc = (size_t)s->M * s->N;
        float *A = lc_alloc(na, 4), *B = lc_alloc(nb, 4), *C = lc_alloc(nc, 4);
        if (!A || !B || !C)
            return 1;
        for (size_t j = 0; j < na; j++)
            A[j] = (float)(j % 17) * 0.01f;
        for (size_t j = 0; j < nb; j++)
            B[j] = (float)(j % 13) * 0.01f;
        printf("%-20s %2d %2d %5d %6d %5d |", s->name, s->ta, s->tb, s->M, s->N, s->K);
        for (int k = 0; k < 2; k++) {
            if (lc_gemm_force_isa(isas[k]) == 0) {
                double g = gflops(s, NULL, A, B, C);
                printf(" %5.1f %2.0f%%", g, peak[k] > 0 ? 100.0 * g / peak[k] : 0.0);
            } else {
                printf(" %8s", "-");
            }
        }
        printf(" %8.1f", openblas ? gflops(s, openblas, A, B, C) : 0.0);
        printf(" %8.1f\n", blis ? gflops(s, blis, A, B, C) : 0.0);
        fflush(stdout);
        lc_free(A);
        lc_free(B);
        lc_free(C);
    }
    if (lc_gemm_force_isa(LC_ISA_AVX512) != 0)
        lc_gemm_force_isa(LC_ISA_AVX2);
    bench_layers();
    if (ho)
        dlclose(ho);
    if (hb)
        dlclose(hb);
    return 0;
}
