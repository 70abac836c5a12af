/* test_gemm.c - the blocked GEMM of every ISA this CPU supports against the plain-C reference:
 * awkward shapes, all four transpose combinations, alpha/beta (beta == 0 must not read C), padded
 * leading dimensions, and bitwise position independence (a sub-block gives the same bits). */
#include "check.h"
#include "lc_gemm.h"
#include "lc_mem.h"
#include "lc_rng.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static void fill(float *v, size_t n, uint64_t key)
{
    for (size_t i = 0; i < n; i++)
        v[i] = 2.0f * lc_u01f(lc_rng_hash(42, LC_STREAM_TEST, key, i)) - 1.0f;
}

/* max |C - Cref| relative to sum_k |a||b| (the natural error scale of a K-term dot product) */
static int compare(int ta, int tb, int M, int N, int K, float alpha, float beta, const char *isa)
{
    int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 5, ldc = N + 2;
    size_t na = (size_t)(ta ? K : M) * lda, nb = (size_t)(tb ? N : K) * ldb;
    size_t nc = (size_t)M * ldc;
    float *A = lc_alloc(na, sizeof *A), *B = lc_alloc(nb, sizeof *B);
    float *C = lc_alloc(nc, sizeof *C), *R = lc_alloc(nc, sizeof *R);
    int ok = 0;
    if (!A || !B || !C || !R)
        goto done;
    fill(A, na, 1000u + (uint64_t)M);
    fill(B, nb, 2000u + (uint64_t)N);
    fill(C, nc, 3000u + (uint64_t)K);
    if (beta == 0.0f)
        for (size_t i = 0; i < nc; i++)
            C[i] = NAN; /* beta == 0: C must not be read */
    memcpy(R, C, nc * sizeof *R);
    lc_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    lc_sgemm_ref(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, R, ldc);
    double worst = 0.0;
    ok = 1;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double d = fabs((double)C[(size_t)i * ldc + j] - R[(size_t)i * ldc + j]);
            /* |a|,|b| <= 1: the dot product's error scale is K*eps */
            double tol = 1e-6 + 4.0 * 1.2e-7 * (K + 2) * (fabs(alpha) + 1.0);
            if (!(d <= tol))
                ok = 0;
            if (d > worst || d != d)
                worst = d;
        }
    /* the padding columns of C are never written */
    for (int i = 0; i < M; i++)
        for (int j = N; j < ldc; j++)
            if (memcmp(&C[(size_t)i * ldc + j], &R[(size_t)i * ldc + j], sizeof(float)) != 0)
                ok = 0;
    CHECK_MSG(ok, "%s ta=%d tb=%d M=%d N=%d K=%d alpha=%g beta=%g worst=%g", isa, ta, tb, M, N,
              K, alpha, beta, worst);
done:
    lc_free(A);
    lc_free(B);
    lc_free(C);
    lc_free(R);
    return ok;
}

/* C(sub-block) computed alone must equal the same block of the whole product, bit for bit */
static void check_position_independence(const char *isa)
{
    int M = 37, N = 70, K = 400;
    float *A = lc_alloc((size_t)M * K, 4), *B = lc_alloc((size_t)K * N, 4);
    float *C = lc_alloc((size_t)M * N, 4), *S = lc_alloc((size_t)M * N, 4);
    if (!A || !B || !C || !S) {
        CHECK(0);
        goto done;
    }
    fill(A, (size_t)M * K, 7);
    fill(B, (size_t)K * N, 8);
    lc_sgemm(0, 0, M, N, K, 1.0f, A, K, B, N, 0.0f, C, N);
    int i0 = 5, j0 = 9, m = 20, n = 33;
    lc_sgemm(0, 0, m, n, K, 1.0f, A + (size_t)i0 * K, K, B + j0, N, 0.0f, S, n);
    int same = 1;
    for (int i = 0; i < m; i++)
        same &= memcmp(&S[(size_t)i * n], &C[(size_t)(i0 + i) * N + j0], (size_t)n * 4) == 0;
    CHECK_MSG(same, "%s: sub-block differs from the whole product", isa);
done:
    lc_free(A);
    lc_free(B);
    lc_free(C);
    lc_free(S);
}

/* op(B) = B^T packed whole by lc_sgemm_pack_bt and read in place by lc_sgemm_bpacked: bitwise
 * lc_sgemm(0, 1) on the stored B (N past a panel, K past a k block, M past a row panel, beta 0
 * and 1); both refuse the reference ISA */
static void check_bpacked(const char *isa, int M, int N, int K, float beta)
{
    int nr = lc_sgemm_nr(), np = nr ? (N + nr - 1) / nr : 0;
    float *A = lc_alloc((size_t)M * K, 4), *B = lc_alloc((size_t)N * K, 4);
    float *C = lc_alloc((size_t)M * N, 4), *R = lc_alloc((size_t)M * N, 4);
    float *P = lc_alloc((size_t)(np ? np : 1) * (nr ? nr : 1) * K, 4);
    if (!A || !B || !C || !R || !P) {
        CHECK(0);
        goto done;
    }
    fill(A, (size_t)M * K, 11);
    fill(B, (size_t)N * K, 12);
    fill(C, (size_t)M * N, 13);
    memcpy(R, C, (size_t)M * N * 4);
    if (lc_gemm_isa() == LC_ISA_REF) {
        CHECK(nr == 0 && lc_sgemm_pack_bt(K, N, B, K, P) == -1 &&
              lc_sgemm_bpacked(M, N, K, A, K, P, beta, C, N) == -1);
        goto done;
    }
    CHECK(lc_sgemm_pack_bt(K, N, B, K, P) == 0);
    CHECK(lc_sgemm_bpacked(M, N, K, A, K, P, beta, C, N) == 0);
    lc_sgemm(0, 1, M, N, K, 1.0f, A, K, B, K, beta, R, N);
    CHECK_MSG(memcmp(C, R, (size_t)M * N * 4) == 0, "%s: lc_sgemm_bpacked M%d N%d K%d differs",
              isa, M, N, K);
done:
    lc_free(A);
    lc_free(B);
    lc_free(C);
    lc_free(R);
    lc_free(P);
}

int main(void)
{
    static const int small[] = {1, 7, 17, 33};
    static const lc_isa isas[] = {LC_ISA_REF, LC_ISA_AVX2, LC_ISA_AVX512};
    for (size_t s = 0; s < sizeof isas / sizeof *isas; s++) {
        if (lc_gemm_force_isa(isas[s]) != 0) {
            fprintf(stderr, "test_gemm: CPU lacks %s, skipped\n", lc_isa_name(isas[s]));
            continue;
        }
        CHECK(lc_gemm_isa() == isas[s]);
        const char *name = lc_isa_name(isas[s]);
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                for (int a = 0; a < 4; a++)
                    for (int b = 0; b < 4; b++)
                        for (int c = 0; c < 4; c++)
                            compare(ta, tb, small[a], small[b], small[c], 1.0f, 0.0f, name);
                /* larger, with k blocking (K > 384) and n blocking (N > 160) */
                compare(ta, tb, 33, 288, 17, 0.5f, -1.5f, name);
                compare(ta, tb, 288, 33, 1600, 1.0f, 1.0f, name);
                compare(ta, tb, 17, 1600, 288, -2.0f, 0.0f, name);
                compare(ta, tb, 64, 121, 288, 1.0f, 0.0f, name);
                compare(ta, tb, 7, 1, 1600, 1.0f, 0.25f, name);
                compare(ta, tb, 1, 7, 33, 0.0f, 2.0f, name);
                compare(ta, tb, 13, 11, 0, 1.0f, 0.5f, name);
            }
        check_position_independence(name);
        check_bpacked(name, 72, 64, 3136, 0.0f);
        check_bpacked(name, 37, 200, 49, 1.0f);
        check_bpacked(name, 5, 17, 400, 1.0f);
    }
    return check_exit("test_gemm");
}
