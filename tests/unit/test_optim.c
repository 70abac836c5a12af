/* test_optim.c - the optimizers against torch.optim 1.13 trajectories (tests/fixtures/optim_*.bin,
 * written by tests/gen_fixtures_optim.py), plus gradient norm, scaling and thread-count
 * determinism. Run from the repository root. */
#include "check.h"
#include "lc_gemm.h"
#include "lc_layers.h"
#include "lc_mem.h"
#include "lc_pool.h"
#include "lc_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const CASES[] = {
    "sgd_plain_wd", "sgd_nesterov", "sgd_dampening", "adam", "adam_wd_amsgrad", "adamw",
    "adamw_amsgrad", "adagrad", "rmsprop", "rmsprop_centered_momentum", "adamax", "nadam",
};

enum { HEAD = 17, MAXN = 256, MAXSTEPS = 16 };

static int read_floats(FILE *f, float *dst, size_t n)
{
    unsigned char buf[4];
    for (size_t i = 0; i < n; i++) {
        if (fread(buf, 1, 4, f) != 4)
            return -1;
        uint32_t u = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
                     (uint32_t)buf[3] << 24;
        memcpy(&dst[i], &u, 4);
    }
    return 0;
}

static void check_fixture(const char *name, int *n_exact, int *n_total)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fixtures/optim_%s.bin", name);
    FILE *f = fopen(path, "rb");
    CHECK_MSG(f != NULL, "cannot open %s (run the tests from the repository root)", path);
    if (!f)
        return;
    float h[HEAD];
    if (read_floats(f, h, HEAD) != 0) {
        CHECK_MSG(0, "%s: short header", path);
        fclose(f);
        return;
    }
    int n = (int)h[0], steps = (int)h[1];
    CHECK(n > 0 && n <= MAXN && steps > 0 && steps <= MAXSTEPS);
    if (!(n > 0 && n <= MAXN && steps > 0 && steps <= MAXSTEPS)) {
        fclose(f);
        return;
    }
    lc_optim o = {0};
    o.type = (lc_opt_type)(int)h[2];
    o.lr = h[3], o.beta1 = h[4], o.beta2 = h[5], o.eps = h[6], o.weight_decay = h[7];
    o.amsgrad = (int)h[8], o.momentum = h[9], o.dampening = h[10], o.nesterov = (int)h[11];
    o.alpha = h[12], o.centered = (int)h[13], o.initial_accumulator_value = h[14];
    o.lr_decay = h[15], o.momentum_decay = h[16];

    float params[MAXN], grad[MAXN], want[MAXN], state[3 * MAXN];
    int ok = read_floats(f, params, (size_t)n) == 0;
    int sp = lc_optim_state_per_param(&o);
    CHECK(sp >= 0 && sp <= 3);
    lc_optim_init_state(&o, (size_t)n, state);
    double worst = 0.0;
    int exact = 0, total = 0;
    for (int t = 1; t <= steps && ok; t++) {
        ok = read_floats(f, grad, (size_t)n) == 0 && read_floats(f, want, (size_t)n) == 0;
        if (!ok)
            break;
        lc_optim_step(NULL, &o, t, (size_t)n, params, grad, state);
        for (int i = 0; i < n; i++) {
            /* error in units of the tolerance 1e-7 + 1e-6 |want| (params are O(1)) */
            double d = fabs((double)params[i] - want[i]) / (1e-7 + 1e-6 * fabs(want[i]));
            if (d > worst)
                worst = d;
            exact += params[i] == want[i];
            total++;
        }
    }
    CHECK_MSG(ok, "%s: short file", path);
    fclose(f);
    /* optim.c mirrors torch's operation order and matched every value bit for bit when the
     * fixtures were made; a libm with different rounding may move a few ulps, which passes */
    CHECK_MSG(worst <= 1.0, "%s: error %.3g times the tolerance", name, worst);
    *n_exact += exact;
    *n_total += total;
}

static void fill(float *v, size_t n, uint64_t key, float scale)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (lc_u01f(lc_rng_hash(7, LC_STREAM_TEST, key, i)) - 0.5f) * 2.0f * scale;
}

/* every optimizer with every option on, 1 vs N threads, bitwise */
static void check_threads(void)
{
    const size_t n = 100003;
    float *p0 = lc_alloc(n, sizeof(float)), *g = lc_alloc(n, sizeof(float));
    float *pa = lc_alloc(n, sizeof(float)), *pb = lc_alloc(n, sizeof(float));
    float *sa = lc_alloc(3 * n, sizeof(float)), *sb = lc_alloc(3 * n, sizeof(float));
    CHECK(p0 && g && pa && pb && sa && sb);
    if (!(p0 && g && pa && pb && sa && sb))
        goto out;
    fill(p0, n, 1, 1.0f);
    const int nts[] = {2, 3, 16};
    for (int type = LC_OPT_SGD; type <= LC_OPT_NADAM; type++) {
        lc_optim o = {(lc_opt_type)type, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f, 1, 0.9f, 0.1f, 1,
                      0.99f, 1, 0.1f, 0.01f, 4e-3f};
        if (type == LC_OPT_SGD)
            o.dampening = 0.0f;
        lc_optim_init_state(&o, n, sa);
        memcpy(pa, p0, n * sizeof(float));
        for (int t = 1; t <= 3; t++) {
            fill(g, n, 100 + (uint64_t)t, 0.5f);
            lc_optim_step(NULL, &o, t, n, pa, g, sa);
        }
        for (int k = 0; k < 3; k++) {
            lc_pool *pool = lc_pool_create(nts[k]);
            CHECK(pool != NULL);
            lc_optim_init_state(&o, n, sb);
            memcpy(pb, p0, n * sizeof(float));
            for (int t = 1; t <= 3; t++) {
                fill(g, n, 100 + (uint64_t)t, 0.5f);
                lc_optim_step(pool, &o, t, n, pb, g, sb);
            }
            size_t ns = (size_t)lc_optim_state_per_param(&o) * n;
            CHECK_MSG(memcmp(pa, pb, n * sizeof(float)) == 0 &&
                          memcmp(sa, sb, ns * sizeof(float)) == 0,
                      "optimizer %d differs with %d threads", type, nts[k]);
            double na = lc_grad_norm(NULL, n, g), nb = lc_grad_norm(pool, n, g);
            CHECK(memcmp(&na, &nb, sizeof na) == 0);
            lc_pool_destroy(pool);
        }
    }
out:
    lc_free(p0), lc_free(g), lc_free(pa), lc_free(pb), lc_free(sa), lc_free(sb);
}

/* the vector Adam (AVX2 or AVX-512, no weight decay, no amsgrad) against the scalar loop,
 * bitwise */
static void test_adam_isa(lc_isa isa)
{
    enum { N = 1037, STEPS = 5 };
    static float p0[N], p1[N], g[N], s0[2 * N], s1[2 * N];
    lc_optim o = {.type = LC_OPT_ADAM, .lr = 1e-3f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f};
    fill(p0, N, 91, 1.0f);
    memcpy(p1, p0, sizeof p0);
    lc_optim_init_state(&o, N, s0);
    lc_optim_init_state(&o, N, s1);
    lc_isa best = lc_gemm_isa();
    if (lc_gemm_force_isa(isa) != 0) {
        fprintf(stderr, "test_optim: no %s, its vector Adam not tested\n", lc_isa_name(isa));
        return;
    }
    for (int t = 1; t <= STEPS; t++) {
        fill(g, N, 100 + (uint64_t)t, 0.1f);
        lc_gemm_force_isa(LC_ISA_REF);
        lc_optim_step(NULL, &o, t, N, p0, g, s0);
        lc_gemm_force_isa(isa);
        lc_optim_step(NULL, &o, t, N, p1, g, s1);
    }
    lc_gemm_force_isa(best);
    CHECK_MSG(memcmp(p0, p1, sizeof p0) == 0 && memcmp(s0, s1, sizeof s0) == 0,
              "vector Adam under %s differs from the scalar loop", lc_isa_name(isa));
}

/* lc_optim_step_ranges: the kept ranges (one across a task chunk's edge, odd ends) step as
 * lc_optim_step steps them, bit for bit; every other parameter and its state stays as it was,
 * weight decay on (a frozen encoder's parameters under AdamW) and off (Adam's vector path) */
static void check_ranges(void)
{
    const size_t n = 100003, keep[] = {3, 5001, 8190, 8203, 50001, 100003};
    float *p0 = lc_alloc(n, sizeof(float)), *g = lc_alloc(n, sizeof(float));
    float *pa = lc_alloc(n, sizeof(float)), *pb = lc_alloc(n, sizeof(float));
    float *sa = lc_alloc(3 * n, sizeof(float)), *sb = lc_alloc(3 * n, sizeof(float));
    float *s0 = lc_alloc(3 * n, sizeof(float));
    lc_pool *pool = lc_pool_create(3);
    CHECK(p0 && g && pa && pb && sa && sb && s0 && pool);
    if (!(p0 && g && pa && pb && sa && sb && s0 && pool))
        goto out;
    fill(p0, n, 2, 1.0f);
    for (int type = LC_OPT_SGD; type <= LC_OPT_NADAM + 1; type++) {
        lc_optim o = {(lc_opt_type)type, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f, 1, 0.9f, 0.1f, 1,
                      0.99f, 1, 0.1f, 0.01f, 4e-3f};
        if (type == LC_OPT_SGD)
            o.dampening = 0.0f;
        if (type > LC_OPT_NADAM) /* plain Adam: no weight decay, no amsgrad */
            o = (lc_optim){.type = LC_OPT_ADAM, .lr = 0.01f, .beta1 = 0.9f, .beta2 = 0.999f,
                           .eps = 1e-8f};
        size_t ns = (size_t)lc_optim_state_per_param(&o);
        lc_optim_init_state(&o, n, sa);
        lc_optim_init_state(&o, n, sb);
        lc_optim_init_state(&o, n, s0);
        memcpy(pa, p0, n * sizeof(float));
        memcpy(pb, p0, n * sizeof(float));
        for (int t = 1; t <= 3; t++) {
            fill(g, n, 200 + (uint64_t)t, 0.5f);
            lc_optim_step(NULL, &o, t, n, pa, g, sa);
            lc_optim_step_ranges(pool, &o, t, n, pb, g, sb, keep, 3);
        }
        size_t bad = 0, moved = 0;
        for (size_t i = 0; i < n; i++) {
            int in = (i >= keep[0] && i < keep[1]) || (i >= keep[2] && i < keep[3]) ||
                     (i >= keep[4] && i < keep[5]);
            const float *wp = in ? pa : p0, *ws = in ? sa : s0;
            bad += memcmp(&pb[i], &wp[i], sizeof(float)) != 0;
            for (size_t j = 0; j < ns; j++)
                bad += memcmp(&sb[j * n + i], &ws[j * n + i], sizeof(float)) != 0;
            moved += in && pa[i] != p0[i];
        }
        CHECK_MSG(bad == 0, "optimizer %d: %zu values differ from the ranges' rule", type, bad);
        CHECK_MSG(moved > 50000, "optimizer %d: only %zu kept parameters moved", type, moved);
    }
out:
    lc_pool_destroy(pool);
    lc_free(p0), lc_free(g), lc_free(pa), lc_free(pb), lc_free(sa), lc_free(sb), lc_free(s0);
}

/* lc_optim_step_scaled: the bits of lc_scale then lc_optim_step_ranges, parameters, state and the
 * gradients left scaled, for every optimizer (a scale of 1 would let a missed scaling pass). */
static void check_scaled(void)
{
    const size_t n = 50021, keep[] = {0, 20000, 20007, 50021};
    float *p0 = lc_alloc(n, sizeof(float)), *ga = lc_alloc(n, sizeof(float));
    float *gb = lc_alloc(n, sizeof(float)), *pa = lc_alloc(n, sizeof(float));
    float *pb = lc_alloc(n, sizeof(float)), *sa = lc_alloc(3 * n, sizeof(float));
    float *sb = lc_alloc(3 * n, sizeof(float));
    lc_pool *pool = lc_pool_create(2);
    CHECK(p0 && ga && gb && pa && pb && sa && sb && pool);
    if (!(p0 && ga && gb && pa && pb && sa && sb && pool))
        goto out;
    fill(p0, n, 3, 1.0f);
    for (int type = LC_OPT_SGD; type <= LC_OPT_NADAM; type++) {
        lc_optim o = {(lc_opt_type)type, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f, 1, 0.9f, 0.1f, 1,
                      0.99f, 1, 0.1f, 0.01f, 4e-3f};
        size_t ns = (size_t)lc_optim_state_per_param(&o), bad = 0;
        lc_optim_init_state(&o, n, sa);
        lc_optim_init_state(&o, n, sb);
        memcpy(pa, p0, n * sizeof(float));
        memcpy(pb, p0, n * sizeof(float));
        for (int t = 1; t <= 3; t++) {
            fill(ga, n, 300 + (uint64_t)t, 0.5f);
            memcpy(gb, ga, n * sizeof(float));
            float sc = 0.3f + 0.1f * (float)t;
            lc_scale(pool, n, sc, ga);
            lc_optim_step_ranges(pool, &o, t, n, pa, ga, sa, keep, 2);
            lc_optim_step_scaled(pool, &o, t, n, pb, gb, sc, sb, keep, 2);
            bad += memcmp(ga, gb, n * sizeof(float)) != 0;
        }
        bad += memcmp(pa, pb, n * sizeof(float)) != 0;
        bad += memcmp(sa, sb, ns * n * sizeof(float)) != 0;
        CHECK_MSG(bad == 0, "optimizer %d: the scaled step differs from lc_scale then the step",
                  type);
    }
out:
    lc_pool_destroy(pool);
    lc_free(p0), lc_free(ga), lc_free(gb), lc_free(pa), lc_free(pb), lc_free(sa), lc_free(sb);
}

int main(void)
{
    int n_exact = 0, n_total = 0;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        check_fixture(CASES[i], &n_exact, &n_total);
    CHECK(n_total > 0);
    fprintf(stderr, "test_optim: %d of %d torch fixture values bitwise equal\n", n_exact, n_total);
    test_adam_isa(LC_ISA_AVX2);
    test_adam_isa(LC_ISA_AVX512);
    check_ranges();
    check_scaled();

    /* state sizes */
    lc_optim o = {0};
    o.type = LC_OPT_SGD;
    CHECK(lc_optim_state_per_param(&o) == 0);
    o.momentum = 0.9f;
    CHECK(lc_optim_state_per_param(&o) == 1);
    o.type = LC_OPT_ADAM;
    CHECK(lc_optim_state_per_param(&o) == 2);
    o.amsgrad = 1;
    CHECK(lc_optim_state_per_param(&o) == 3);
    o.type = LC_OPT_RMSPROP;
    o.centered = 1;
    CHECK(lc_optim_state_per_param(&o) == 3);
    o.type = LC_OPT_ADAGRAD;
    o.initial_accumulator_value = 0.25f;
    float st[4];
    lc_optim_init_state(&o, 4, st);
    CHECK(st[0] == 0.25f && st[3] == 0.25f);

    /* NAdam long run: mu_product underflows to 0 and the update stays finite */
    {
        lc_optim nd = {0};
        nd.type = LC_OPT_NADAM, nd.lr = 0.002f, nd.beta1 = 0.9f, nd.beta2 = 0.999f;
        nd.eps = 1e-8f, nd.momentum_decay = 4e-3f;
        float p[3] = {1.0f, -1.0f, 0.5f}, g[3] = {0.1f, -0.2f, 0.0f}, s[6] = {0};
        for (long t = 1; t <= 400; t++)
            lc_optim_step(NULL, &nd, t, 3, p, g, s);
        CHECK(isfinite(p[0]) && isfinite(p[1]) && p[2] == 0.5f && p[0] < 1.0f && p[1] > -1.0f);
    }

    /* gradient norm and scale */
    {
        float g[1000];
        double ref = 0.0;
        for (int i = 0; i < 1000; i++) {
            g[i] = (float)((i % 17) - 8) * 0.125f;
            ref += (double)g[i] * g[i];
        }
        CHECK_CLOSE(lc_grad_norm(NULL, 1000, g), sqrt(ref), 0.0, 1e-14);
        CHECK(lc_grad_norm(NULL, 0, g) == 0.0);
        CHECK_CLOSE(lc_grad_norm(NULL, 3, g), sqrt(64.0 + 49.0 + 36.0) * 0.125, 0.0, 1e-15);
        lc_scale(NULL, 1000, 0.5f, g);
        CHECK(g[0] == -0.5f && g[16] == 0.5f);
    }

    check_threads();
    return check_exit("test_optim");
}
