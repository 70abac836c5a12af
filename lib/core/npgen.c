/* npgen.c - numpy's default_rng stream (SeedSequence -> PCG64 -> Generator methods); see
 * lc_npgen.h. The constants are those of the published algorithms: SeedSequence's hash
 * (numpy.random.bit_generator), PCG's 128-bit multiplier and XSL-RR output, Lemire's bounded
 * integers, and the 256-layer normal ziggurat (r = 3.6541528853610088, each layer's area that of the base
 * strip and tail). */
#include "lc_npgen.h"

#include <math.h>
#include <pthread.h>

typedef unsigned __int128 u128;

/* ---- SeedSequence(seed).generate_state(4, uint64) ---- */

#define SS_INIT_A 0x43b0d7e5u
#define SS_MULT_A 0x931e8875u
#define SS_INIT_B 0x8b51f9ddu
#define SS_MULT_B 0x58f38dedu
#define SS_MIX_L 0xca01f9ddu
#define SS_MIX_R 0x4973f715u

static uint32_t hashmix(uint32_t v, uint32_t *h)
{
    v ^= *h;
    *h *= SS_MULT_A;
    v *= *h;
    return v ^ (v >> 16);
}

static uint32_t mix(uint32_t x, uint32_t y)
{
    uint32_t r = SS_MIX_L * x - SS_MIX_R * y;
    return r ^ (r >> 16);
}

static void seed_state(uint64_t seed, uint64_t out[4])
{
    uint32_t ent[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    int nent = ent[1] ? 2 : 1; /* the seed as little-endian 32-bit words, at least one */
    uint32_t pool[4], h = SS_INIT_A;
    for (int i = 0; i < 4; i++)
        pool[i] = hashmix(i < nent ? ent[i] : 0, &h);
    for (int s = 0; s < 4; s++)
        for (int d = 0; d < 4; d++)
            if (s != d)
                pool[d] = mix(pool[d], hashmix(pool[s], &h));
    uint32_t words[8], hb = SS_INIT_B;
    for (int i = 0; i < 8; i++) {
        uint32_t v = pool[i % 4] ^ hb;
        hb *= SS_MULT_B;
        v *= hb;
        words[i] = v ^ (v >> 16);
    }
    for (int i = 0; i < 4; i++)
        out[i] = words[2 * i] | (uint64_t)words[2 * i + 1] << 32;
}

/* ---- PCG64 (setseq 128, XSL-RR 64) ---- */

static const u128 PCG_MULT = ((u128)2549297995355413924ULL << 64) | 4865540595714422341ULL;

static void pcg_step(lc_npgen *g)
{
    u128 s = ((u128)g->state_hi << 64) | g->state_lo;
    u128 inc = ((u128)g->inc_hi << 64) | g->inc_lo;
    s = s * PCG_MULT + inc;
    g->state_hi = (uint64_t)(s >> 64);
    g->state_lo = (uint64_t)s;
}

void lc_npgen_seed(lc_npgen *g, uint64_t seed)
{
    uint64_t v[4];
    seed_state(seed, v);
    u128 initstate = ((u128)v[0] << 64) | v[1];
    u128 inc = ((((u128)v[2] << 64) | v[3]) << 1) | 1u;
    g->state_hi = g->state_lo = 0;
    g->inc_hi = (uint64_t)(inc >> 64);
    g->inc_lo = (uint64_t)inc;
    pcg_step(g);
    u128 s = (((u128)g->state_hi << 64) | g->state_lo) + initstate;
    g->state_hi = (uint64_t)(s >> 64);
    g->state_lo = (uint64_t)s;
    pcg_step(g);
    g->has_uint32 = 0;
    g->uinteger = 0;
}

uint64_t lc_npgen_next64(lc_npgen *g)
{
    pcg_step(g);
    uint64_t x = g->state_hi ^ g->state_lo;
    unsigned rot = (unsigned)(g->state_hi >> 58);
    return (x >> rot) | (x << ((64 - rot) & 63));
}

uint32_t lc_npgen_next32(lc_npgen *g)
{
    if (g->has_uint32) {
        g->has_uint32 = 0;
        return g->uinteger;
    }
    uint64_t v = lc_npgen_next64(g);
    g->has_uint32 = 1;
    g->uinteger = (uint32_t)(v >> 32);
    return (uint32_t)v;
}

double lc_npgen_random(lc_npgen *g)
{
    return (double)(lc_npgen_next64(g) >> 11) * (1.0 / 9007199254740992.0);
}

double lc_npgen_uniform(lc_npgen *g, double lo, double hi)
{
    return lo + (hi - lo) * lc_npgen_random(g);
}

int64_t lc_npgen_integers(lc_npgen *g, int64_t lo, int64_t hi)
{
    uint64_t rng = (uint64_t)hi - (uint64_t)lo - 1; /* the inclusive range */
    if (hi - lo <= 1)
        return lo;
    if (rng <= 0xFFFFFFFFu) {
        if (rng == 0xFFFFFFFFu)
            return lo + (int64_t)lc_npgen_next32(g);
        uint32_t excl = (uint32_t)rng + 1;
        uint64_t m = (uint64_t)lc_npgen_next32(g) * excl;
        uint32_t left = (uint32_t)m;
        if (left < excl) {
            uint32_t thr = (UINT32_MAX - (uint32_t)rng) % excl;
            while (left < thr) {
                m = (uint64_t)lc_npgen_next32(g) * excl;
                left = (uint32_t)m;
            }
        }
        return lo + (int64_t)(m >> 32);
    }
    if (rng == UINT64_MAX)
        return (int64_t)((uint64_t)lo + lc_npgen_next64(g));
    uint64_t excl = rng + 1;
    u128 m = (u128)lc_npgen_next64(g) * excl;
    uint64_t left = (uint64_t)m;
    if (left < excl) {
        uint64_t thr = (UINT64_MAX - rng) % excl;
        while (left < thr) {
            m = (u128)lc_npgen_next64(g) * excl;
            left = (uint64_t)m;
        }
    }
    return (int64_t)((uint64_t)lo + (uint64_t)(m >> 64));
}

/* ---- the normal ziggurat: 255 rectangles of equal area v over f(x) = exp(-x^2/2) and a base
 * strip with the tail beyond r. Layer i (1..255) has width x_i, x_255 = r, each narrower layer
 * above it by x_{i-1} = sqrt(-2 log(v / x_i + f(x_i))); layer 0 is the base, of pseudo-width
 * v / f(r). ki: the accept-at-once threshold on the 52-bit draw, wi: the width per unit of it,
 * fi: f at the layer's edge. ---- */

#define ZIG_R 3.6541528853610088
#define ZIG_INV_R 0.27366123732975828

static uint64_t zig_k[256];
static double zig_w[256], zig_f[256];
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

static void zig_build(void)
{
    const double m = 4503599627370496.0; /* 2^52 */
    double x[256];
    /* the area of each layer: the base strip's rectangle plus the tail beyond r */
    const double ZIG_V = ZIG_R * exp(-0.5 * ZIG_R * ZIG_R) + sqrt(M_PI / 2) * erfc(ZIG_R / M_SQRT2);
    x[255] = ZIG_R;
    for (int i = 255; i > 1; i--)
        x[i - 1] = sqrt(-2.0 * log(ZIG_V / x[i] + exp(-0.5 * x[i] * x[i])));
    double fr = exp(-0.5 * ZIG_R * ZIG_R);
    zig_k[0] = (uint64_t)(ZIG_R * fr / ZIG_V * m);
    zig_w[0] = ZIG_V / fr / m;
    zig_f[0] = 1.0;
    for (int i = 1; i < 256; i++) {
        zig_k[i] = (uint64_t)((i > 1 ? x[i - 1] : 0.0) / x[i] * m);
        zig_w[i] = x[i] / m;
        zig_f[i] = exp(-0.5 * x[i] * x[i]);
    }
}

static double standard_normal(lc_npgen *g)
{
    pthread_once(&zig_once, zig_build);
    for (;;) {
        uint64_t r = lc_npgen_next64(g);
        int idx = (int)(r & 0xff);
        r >>= 8;
        int sign = (int)(r & 1);
        uint64_t rabs = (r >> 1) & 0x000fffffffffffffULL;
        double x = (double)rabs * zig_w[idx];
        if (sign)
            x = -x;
        if (rabs < zig_k[idx])
            return x;
        if (idx == 0) {
            for (;;) {
                double xx = -ZIG_INV_R * log1p(-lc_npgen_random(g));
                double yy = -log1p(-lc_npgen_random(g));
                if (yy + yy > xx * xx)
                    return ((rabs >> 8) & 1) ? -(ZIG_R + xx) : ZIG_R + xx;
            }
        }
        if ((zig_f[idx - 1] - zig_f[idx]) * lc_npgen_random(g) + zig_f[idx] < exp(-0.5 * x * x))
            return x;
    }
}

double lc_npgen_normal(lc_npgen *g, double mean, double sd)
{
    return mean + sd * standard_normal(g);
}
