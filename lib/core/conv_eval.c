/* conv_eval.c - planning and dispatch of the evaluation-only forward of a fused conv block
 * (lc_conv_eval.h); the arithmetic is in conv_eval_avx512.c and conv_eval_avx2.c. */
#include "lc_conv_eval.h"
#include "lc_conv_isa.h"

#include "gemm_kernels.h"
#include "lc_gemm.h"
#include "lc_layers.h"
#include "lc_mem.h"

#include <stdint.h>
#include <string.h>

/* a * b * c * d, or SIZE_MAX on overflow */
static size_t mul4(size_t a, size_t b, size_t c, size_t d)
{
    size_t t, u;
    if (lc_size_mul(a, b, &t) != 0 || lc_size_mul(t, c, &u) != 0 || lc_size_mul(u, d, &t) != 0 ||
        t > SIZE_MAX / 64)
        return SIZE_MAX;
    return t;
}

/* offsets of n consecutive parts of the given sizes; SIZE_MAX on overflow */
static size_t lay(size_t *off, const size_t *len, int n)
{
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        if (len[i] == SIZE_MAX || at > SIZE_MAX / 2 - lc_round16(len[i]))
            return SIZE_MAX;
        off[i] = at;
        at += lc_round16(len[i]);
    }
    return at;
}

/* floats of transformed weights (U) that the caches hold: past them, lc_conv_eval.pb */
#ifndef WINO_U_CACHED
#define WINO_U_CACHED (512 * 1024)
#endif

/* floats of transformed weights (U) past which the transform streams them to memory */
#ifndef WINO_U_STREAM
#define WINO_U_STREAM (2 * 1024 * 1024)
#endif

/* the smallest unpooled output rows and columns that Winograd takes in 4x4 tiles */
#ifndef WINO_F4_MIN
#define WINO_F4_MIN 7
#endif

/* samples a group of a map of at most 4 tiles may hold where U outgrows the caches (resnet's
 * 7x7 maps): a whole batch in one group whose output channels the threads share, so that U is
 * read once per call instead of once per group (chain_plan_for) */
#ifndef WINO_SPLIT_G
#define WINO_SPLIT_G 16
#endif

/* a Winograd block on a map of at most 4 tiles whose U outgrows the caches (resnet18's layer4
 * at 7x7): its groups may hold WINO_SPLIT_G samples, and a batch that fits one goes as one group
 * whose output channels the threads share (chain_plan_for) */
static int shares_channels(const lc_conv_eval *e)
{
    return e->kind == LC_CONV_EVAL_WINOGRAD && !e->pool && e->TH * e->TW <= 4 &&
           e->u != SIZE_MAX && e->u > WINO_U_CACHED;
}

/* the plan for the micro-kernel geometry of isa (AVX2 or AVX-512) */
static void plan_isa(const lc_conv2d *c, const lc_conv_fuse *f, int G, lc_isa isa, int tiles4,
                     lc_conv_eval *e)
{
    const int MR = isa == LC_ISA_AVX512 ? LC_GEMM_AVX512_MR : LC_GEMM_AVX2_MR;
    const int NR = isa == LC_ISA_AVX512 ? LC_GEMM_AVX512_NR : LC_GEMM_AVX2_NR;
    memset(e, 0, sizeof *e);
    e->isa = isa;
    e->mr = MR;
    e->nr = NR;
    if (c->KH != 3 || c->KW != 3 || c->sh != 1 || c->sw != 1 || c->dh != 1 || c->dw != 1 ||
        c->OH < 1 || c->OW < 1)
        return;
    if (f->pool && (f->pkh != 2 || f->pkw != 2 || f->POH < 1 || f->POW < 1))
        return;
    e->pool = f->pool != 0;
    size_t len[7], off[7] = {0, 0, 0, 0, 0, 0, 0};
    if (c->C <= LC_CONV_EVAL_DIRECT_MAX_C) {
        e->kind = LC_CONV_EVAL_DIRECT;
        e->G = G > 0 ? G : 1;
        e->TH = e->pool ? f->POH : c->OH; /* rows and columns of the block output */
        e->TW = e->pool ? f->POW : c->OW;
        e->Hp = c->H + 2 * c->ph;
        e->Wp = c->W + 2 * c->pw;
        len[0] = c->ph || c->pw ? mul4((size_t)c->C, (size_t)e->Hp, (size_t)e->Wp, 1) : 0;
        e->thread = lay(off, len, 1);
        e->xh = off[0];
    } else {
        e->kind = LC_CONV_EVAL_WINOGRAD;
        /* 2x2 tiles over the outputs (pooled: one window each); 4x4 tiles over a large
         * unpooled map */
        e->wm = tiles4 && !e->pool && c->OH >= WINO_F4_MIN && c->OW >= WINO_F4_MIN ? 4 : 2;
        e->npos = (e->wm + 2) * (e->wm + 2);
        e->TH = e->pool ? f->POH : (c->OH + e->wm - 1) / e->wm;
        e->TW = e->pool ? f->POW : (c->OW + e->wm - 1) / e->wm;
        e->Hp = e->wm * e->TH + 2;
        e->Wp = e->wm * e->TW + 2;
        size_t T = (size_t)e->TH * e->TW;
        /* about 96 2x2 tiles per task: 8 of AVX-512's 12-row panels, 16 of AVX2's 6-row
         * ones; about 48 4x4 tiles, each 2.25 times the products */
        const size_t per = e->wm == 4 ? 48 : 96;
        e->NP = (c->OC + NR - 1) / NR;
        e->u = mul4((size_t)e->npos, (size_t)e->NP, (size_t)c->C, (size_t)NR);
        e->G = G > 0 ? G : T >= per ? 1 : (int)((per + T - 1) / T);
        if (G <= 0 && shares_channels(e) && e->G < WINO_SPLIT_G)
            e->G = WINO_SPLIT_G;
        size_t P = e->pool ? (size_t)f->POH * f->POW : (size_t)c->OH * c->OW;
        /* U past WINO_U_CACHED floats: every panel of the task's tiles against each block of U
         * in turn (U read once per task, not once per panel of MR tiles) */
        e->pb = e->u != SIZE_MAX && e->u > WINO_U_CACHED ? (int)((e->G * T + MR - 1) / MR) : 1;
        len[0] = mul4((size_t)e->G, (size_t)e->Hp, (size_t)e->Wp, (size_t)c->C);
        len[1] = mul4((size_t)e->npos, (size_t)MR, (size_t)c->C, (size_t)e->pb);
        len[2] = mul4((size_t)MR, (size_t)e->npos * NR + 16, (size_t)e->pb, 1);
        len[3] = mul4((size_t)e->G, P, (size_t)c->OC, 1);
        /* training: the group's keep masks (full output layout) and window offsets (bytes) */
        len[4] = mul4((size_t)e->G, (size_t)c->OC, (size_t)c->OH, (size_t)c->OW);
        len[5] = len[3] == SIZE_MAX ? SIZE_MAX : (len[3] + 3) / 4;
        /* AVX2: one sample's keep masks as drawn, before their transpose to channels last */
        len[6] = isa == LC_ISA_AVX2 ? mul4((size_t)c->OC, (size_t)c->OH, (size_t)c->OW, 1) : 0;
        e->thread = lay(off, len, 7);
        e->xh = off[0];
        e->v = off[1];
        e->mp = off[2];
        e->st = off[3];
        e->km = off[4];
        e->sa = off[5];
        e->kd = off[6];
        if (e->u == SIZE_MAX)
            e->thread = SIZE_MAX;
    }
    if (e->thread == SIZE_MAX)
        e->kind = LC_CONV_EVAL_NONE;
}

void lc_conv_eval_plan_tiles(const lc_conv2d *c, const lc_conv_fuse *f, int G, int tiles4,
                             lc_conv_eval *e)
{
    plan_isa(c, f, G, lc_gemm_isa() == LC_ISA_AVX512 ? LC_ISA_AVX512 : LC_ISA_AVX2, tiles4, e);
}

void lc_conv_eval_plan(const lc_conv2d *c, const lc_conv_fuse *f, int G, lc_conv_eval *e)
{
    lc_conv_eval_plan_tiles(c, f, G, 0, e);
}

void lc_conv_eval_pad_planes(const lc_conv2d *c, const float *x, float *xp)
{
    int Hp = c->H + 2 * c->ph, Wp = c->W + 2 * c->pw;
    memset(xp, 0, (size_t)c->C * Hp * Wp * sizeof *xp);
    for (int ci = 0; ci < c->C; ci++)
        for (int r = 0; r < c->H; r++)
            memcpy(xp + ((size_t)ci * Hp + r + c->ph) * Wp + c->pw,
                   x + ((size_t)ci * c->H + r) * c->W, (size_t)c->W * sizeof *xp);
}

/* the busiest of nthreads threads' samples when B samples go in groups of g, each group to the
 * thread with the fewest so far (as the pool's threads take tasks in turn) */
static int busiest(int B, int g, int nthreads)
{
    int load[64] = {0}, nt = nthreads < 64 ? nthreads : 64, most = 0;
    for (int s0 = 0; s0 < B; s0 += g) {
        int least = 0;
        for (int t = 1; t < nt; t++)
            if (load[t] < load[least])
                least = t;
        load[least] += B - s0 < g ? B - s0 : g;
        if (load[least] > most)
            most = load[least];
    }
    return most;
}

static int balanced_group(int B, int G, int nthreads)
{
    int best = G, most = busiest(B, G, nthreads);
    for (int g = G - 1; g >= 1; g--) {
        int m = busiest(B, g, nthreads);
        if (m < most) {
            best = g;
            most = m;
        }
    }
    return best;
}

/* plans every block for isa with the chain's G (the largest any block asks for); 0 when one
 * has no path */
static int chain_plan_for(int n, const lc_conv_eval_block *blk, lc_isa isa, int B, int nthreads,
                          lc_conv_eval *e, int *split)
{
    int G = 1;
    *split = 1;
    if (n < 1 || n > LC_CONV_EVAL_MAX_CHAIN)
        return 0;
    for (int i = 0; i < n; i++) {
        plan_isa(blk[i].c, blk[i].f, 0, isa, blk[i].tiles4, &e[i]);
        if (e[i].kind == LC_CONV_EVAL_NONE ||
            (blk[i].linear && (e[i].kind != LC_CONV_EVAL_WINOGRAD || e[i].pool)) ||
            (blk[i].acc && !blk[i].linear))
            return 0;
        if (e[i].G > G)
            G = e[i].G;
    }
    /* One block on a map of a few tiles whose U outgrows the caches (resnet18's layer4 at 7x7:
     * 37.7 MB in F(4x4) tiles) and a batch that fits one group: one group, its output channels
     * shared by the threads, so that U is read once.
     * Otherwise B samples in groups of G can leave threads idle (resnet18's layer4 at batch 16
     * in groups of 6: 3 tasks on 2 threads, 10 samples on one, 6 on the other): the group size
     * up to G (the workspace was sized for G) whose tasks, taken in turn by the least loaded
     * thread, give the busiest thread the fewest samples; the largest such. A sample's outputs
     * depend neither on its group nor on which task computes which of its channels: the same
     * bits. */
    if (n == 1 && B > 0 && nthreads > 1 && shares_channels(&e[0]) && B <= G && e[0].NP >= 2) {
        G = B;
        *split = nthreads < e[0].NP ? nthreads : e[0].NP;
    } else if (B > 0 && nthreads > 1)
        G = balanced_group(B, G, nthreads);
    for (int i = 0; i < n; i++) {
        plan_isa(blk[i].c, blk[i].f, G, isa, blk[i].tiles4, &e[i]);
        if (e[i].kind == LC_CONV_EVAL_NONE)
            return 0;
        e[i].linear = blk[i].linear != 0;
        e[i].acc = blk[i].acc != 0;
    }
    return G;
}

static int chain_plan(int n, const lc_conv_eval_block *blk, lc_isa isa, lc_conv_eval *e)
{
    int split;
    return chain_plan_for(n, blk, isa, 0, 1, e, &split);
}

/* the chain's workspace: each Winograd block's weights, then per thread every block's scratch
 * (a block may write into the next one's) */
static size_t chain_ws(int n, const lc_conv_eval *e, int nthreads, size_t *u_off)
{
    size_t at = 0, scratch = 0, t;
    for (int i = 0; i < n; i++) {
        u_off[i] = at;
        if (e[i].u == SIZE_MAX || at > SIZE_MAX / 2 - lc_round16(e[i].u) ||
            e[i].thread > SIZE_MAX / 2 - scratch)
            return SIZE_MAX;
        at += lc_round16(e[i].u);
        scratch += e[i].thread;
    }
    if (lc_size_mul(scratch, (size_t)(nthreads < 1 ? 1 : nthreads), &t) != 0 ||
        t > SIZE_MAX / 2 - at)
        return SIZE_MAX;
    return at + t;
}

size_t lc_conv_eval_chain_ws_floats(int n, const lc_conv_eval_block *blk, int nthreads)
{
    /* the larger of the two vector ISAs' needs (AVX-512's wider tiles), so that a workspace
     * sized once fits whichever runs */
    lc_conv_eval e[LC_CONV_EVAL_MAX_CHAIN];
    size_t u_off[LC_CONV_EVAL_MAX_CHAIN], best = 0;
    static const lc_isa isas[] = {LC_ISA_AVX2, LC_ISA_AVX512};
    for (int i = 0; i < 2; i++) {
        if (!chain_plan(n, blk, isas[i], e))
            return 0;
        size_t t = chain_ws(n, e, nthreads, u_off);
        if (t > best)
            best = t;
    }
    return best;
}

size_t lc_conv_eval_ws_floats(const lc_conv2d *c, int nthreads)
{
    size_t best = 0;
    for (int pool = 0; pool < 2; pool++) {
        lc_conv_fuse f = {.pool = pool, .pkh = 2, .pkw = 2};
        if (pool && lc_conv_fuse_plan(c, &f) != 0)
            continue;
        for (int tiles4 = 0; tiles4 < 2; tiles4++) {
            lc_conv_eval_block blk = {.c = c, .f = &f, .tiles4 = tiles4};
            size_t t = lc_conv_eval_chain_ws_floats(1, &blk, nthreads);
            if (t > best)
                best = t;
        }
    }
    return best;
}

/* Per input channel, the panel's filters are first copied tap-major (g[tap][q]), so that the
 * transform below runs along q, lanes of vectors in each clone (GCC's target_clones at -O3),
 * with the same operations per element as one filter at a time: the same bits (conv_eval.c is
 * built at -O3 for it). */
__attribute__((target_clones("avx512f", "avx2", "default"))) void
lc_conv_eval_wino_weights(const lc_conv2d *c, const lc_conv_eval *e, const float *w, int wflip,
                          int np, int ci0, int ci1, float *u)
{
    enum { NRM = LC_GEMM_AVX512_NR };
    const int C = c->C, NR = e->nr, n = e->wm + 2; /* n x n positions */
    const int nq = c->OC - np * NR < NR ? c->OC - np * NR : NR; /* filters in this panel */
    float g[9][NRM], t[6][3][NRM];
    float panel[36][NRM]; /* one input channel of one panel, all positions */
    const float third = 1.0f / 3.0f, fifteenth = 1.0f / 15.0f;
    /* a U past what the caches keep (resnet18's layer4: 16.8 MB) goes to memory with streaming
     * stores: the lines are not read first (write-allocate) nor evict what the caches hold; the
     * GEMM reads it back from memory either way */
    const int stream = e->isa == LC_ISA_AVX512 && NR == 32 && e->u > WINO_U_STREAM &&
                       ((uintptr_t)u & 63) == 0;
    for (int ci = ci0; ci < ci1; ci++) {
        for (int q = 0; q < NRM; q++) /* zero past OC (and past NR) */
            for (int k = 0; k < 9; k++)
                g[k][q] = q >= nq ? 0.0f
                          : wflip ? w[((size_t)ci * c->OC + np * NR + q) * 9 + 8 - k]
                                  : w[((size_t)(np * NR + q) * C + ci) * 9 + k];
        if (n == 4) {
            for (int j = 0; j < 3; j++) /* G g: rows g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2 */
                for (int q = 0; q < NRM; q++) {
                    t[0][j][q] = g[j][q];
                    t[1][j][q] = 0.5f * (g[j][q] + g[3 + j][q] + g[6 + j][q]);
                    t[2][j][q] = 0.5f * (g[j][q] - g[3 + j][q] + g[6 + j][q]);
                    t[3][j][q] = g[6 + j][q];
                }
            for (int i = 0; i < 4; i++) /* (G g) G^T */
                for (int q = 0; q < NRM; q++) {
                    panel[i * 4 + 0][q] = t[i][0][q];
                    panel[i * 4 + 1][q] = 0.5f * (t[i][0][q] + t[i][1][q] + t[i][2][q]);
                    panel[i * 4 + 2][q] = 0.5f * (t[i][0][q] - t[i][1][q] + t[i][2][q]);
                    panel[i * 4 + 3][q] = t[i][2][q];
                }
        } else {
            /* F(4x4, 3x3)'s G for the points 0, 1, -1, 1/2, -2 (conv_eval_avx512.c's
             * tr6_in): rows g0, (g0+g1+g2)/3, -(g0-g1+g2)/3, -(16g0+8g1+4g2)/15,
             * (g0-2g1+4g2)/15, g2 */
            for (int j = 0; j < 3; j++)
                for (int q = 0; q < NRM; q++) {
                    float g0 = g[j][q], g1 = g[3 + j][q], g2 = g[6 + j][q];
                    t[0][j][q] = g0;
                    t[1][j][q] = (g0 + g1 + g2) * third;
                    t[2][j][q] = (g0 - g1 + g2) * -third;
                    t[3][j][q] = (16.0f * g0 + 8.0f * g1 + 4.0f * g2) * -fifteenth;
                    t[4][j][q] = (g0 - 2.0f * g1 + 4.0f * g2) * fifteenth;
                    t[5][j][q] = g2;
                }
            for (int i = 0; i < 6; i++)
                for (int q = 0; q < NRM; q++) {
                    float g0 = t[i][0][q], g1 = t[i][1][q], g2 = t[i][2][q];
                    panel[i * 6 + 0][q] = g0;
                    panel[i * 6 + 1][q] = (g0 + g1 + g2) * third;
                    panel[i * 6 + 2][q] = (g0 - g1 + g2) * -third;
                    panel[i * 6 + 3][q] = (16.0f * g0 + 8.0f * g1 + 4.0f * g2) * -fifteenth;
                    panel[i * 6 + 4][q] = (g0 - 2.0f * g1 + 4.0f * g2) * fifteenth;
                    panel[i * 6 + 5][q] = g2;
                }
        }
        for (int pos = 0; pos < n * n; pos++) {
            float *dst = u + (((size_t)pos * e->NP + np) * C + ci) * NR;
            if (stream)
                lc_stream_panel_avx512(dst, panel[pos]);
            else
                memcpy(dst, panel[pos], (size_t)NR * sizeof panel[pos][0]);
        }
    }
    if (stream)
        lc_stream_fence_avx512();
}

enum { WEIGHT_CHANNELS = 8 }; /* input channels per weight-transform task */

typedef struct weights_ctx {
    const lc_conv2d *c;
    const lc_conv_eval *e;
    const float *w;
    float *u;
    int nchunk, wflip;
} weights_ctx;

static void weights_task(void *vctx, int t, int thread)
{
    const weights_ctx *k = vctx;
    int ci0 = t % k->nchunk * WEIGHT_CHANNELS;
    int ci1 = ci0 + WEIGHT_CHANNELS < k->c->C ? ci0 + WEIGHT_CHANNELS : k->c->C;
    (void)thread;
    lc_conv_eval_wino_weights(k->c, k->e, k->w, k->wflip, t / k->nchunk, ci0, ci1, k->u);
}

/* U of a Winograd block (lc_conv_eval_wino_weights), on the pool */
static void wino_weights(lc_pool *p, const lc_conv2d *c, const lc_conv_eval *e, const float *w,
                         int wflip, float *u)
{
    weights_ctx k = {c, e, w, u, (c->C + WEIGHT_CHANNELS - 1) / WEIGHT_CHANNELS, wflip};
    lc_pool_run(p, e->NP * k.nchunk, weights_task, &k);
}

void lc_conv_eval_ucache_free(lc_conv_eval_ucache *uc)
{
    if (!uc)
        return;
    lc_free(uc->u);
    *uc = (lc_conv_eval_ucache){0};
}

/* A Winograd block's U: the kept one where it was made for this plan, else transformed into the
 * block's cache (grown as needed) or, without one or the memory for it, into ws */
static const float *block_u(lc_pool *p, const lc_conv_eval_block *blk, const lc_conv_eval *e,
                            float *ws)
{
    lc_conv_eval_ucache *uc = blk->uc;
    if (uc && uc->valid && uc->isa == e->isa && uc->wm == e->wm && uc->nr == e->nr &&
        uc->NP == e->NP && uc->C == blk->c->C)
        return uc->u;
    if (uc) {
        uc->valid = 0;
        if (uc->cap < e->u) {
            lc_free(uc->u);
            uc->u = lc_alloc(e->u, sizeof(float));
            uc->cap = uc->u ? e->u : 0;
        }
        if (uc->u)
            ws = uc->u;
    }
    wino_weights(p, blk->c, e, blk->w, blk->wflip, ws);
    if (uc && ws == uc->u)
        *uc = (lc_conv_eval_ucache){.u = uc->u, .cap = uc->cap, .valid = 1, .isa = e->isa,
                                    .wm = e->wm, .nr = e->nr, .NP = e->NP, .C = blk->c->C};
    return ws;
}

typedef struct chain_ctx {
    int n, B, G;
    int split; /* tasks per group, each a share of its output channels (one block only) */
    const lc_conv_eval_block *blk;
    const lc_conv_eval *e;
    const float *x, *u[LC_CONV_EVAL_MAX_CHAIN];
    float *scratch;
    size_t thread;                        /* scratch floats per thread */
    size_t at[LC_CONV_EVAL_MAX_CHAIN];    /* block i's scratch within a thread's */
    int handoff[LC_CONV_EVAL_MAX_CHAIN];  /* block i writes into block i+1's images */
} chain_ctx;

static void chain_task(void *vctx, int task, int thread)
{
    const chain_ctx *k = vctx;
    int part = task % k->split, s0 = task / k->split * k->G;
    int G = k->B - s0 < k->G ? k->B - s0 : k->G;
    lc_conv_eval share;
    if (k->split > 1) { /* this task's panels of the one block's output channels */
        share = k->e[0];
        share.np0 = (int)((long)part * share.NP / k->split);
        share.np1 = (int)((long)(part + 1) * share.NP / k->split);
    }
    const float *x = k->x;
    float *scratch = k->scratch + (size_t)thread * k->thread;
    for (int i = 0; i < k->n; i++) {
        const lc_conv2d *c = k->blk[i].c;
        const lc_conv_eval *e = k->split > 1 ? &share : &k->e[i];
        size_t in = (size_t)c->C * c->H * c->W;
        size_t on = lc_conv_fuse_out_floats(c, k->blk[i].f);
        lc_conv_eval_hwc hwc;
        if (k->handoff[i]) {
            const lc_conv2d *nc = k->blk[i + 1].c;
            const lc_conv_eval *ne = &k->e[i + 1];
            hwc = (lc_conv_eval_hwc){
                .xh = scratch + k->at[i + 1] + ne->xh,
                .img = (size_t)ne->Hp * ne->Wp * nc->C,
                .Wp = ne->Wp,
                .C = nc->C,
                .oy = nc->ph,
                .ox = nc->pw,
                .rows = ne->Hp - nc->ph < c->OH / 2 ? ne->Hp - nc->ph : c->OH / 2,
                .cols = ne->Wp - nc->pw < c->OW / 2 ? ne->Wp - nc->pw : c->OW / 2,
                .zero = nc->ph || nc->pw || ne->Hp > nc->H || ne->Wp > nc->W};
        }
        int fed = i > 0 && k->handoff[i - 1];
        (e->isa == LC_ISA_AVX512 ? lc_conv_eval_group_avx512 : lc_conv_eval_group_avx2)(
            c, e, G, fed ? NULL : x + (size_t)s0 * in, k->blk[i].w, k->blk[i].b, k->u[i],
            k->blk[i].y + (size_t)s0 * on, k->handoff[i] ? &hwc : NULL, scratch + k->at[i]);
        x = k->blk[i].y;
    }
}

int lc_conv_eval_chain(lc_pool *p, int n, const lc_conv_eval_block *blk, int B, const float *x,
                       float *ws)
{
    lc_conv_eval e[LC_CONV_EVAL_MAX_CHAIN];
    size_t u_off[LC_CONV_EVAL_MAX_CHAIN];
    lc_isa isa = lc_gemm_isa();
    if (isa == LC_ISA_REF || B <= 0)
        return 0;
    int split;
    int G = chain_plan_for(n, blk, isa, B, lc_pool_threads(p), e, &split);
    size_t total = G ? chain_ws(n, e, lc_pool_threads(p), u_off) : SIZE_MAX;
    if (total == SIZE_MAX)
        return 0;
    chain_ctx k = {.n = n, .B = B, .G = G, .split = split, .blk = blk, .e = e, .x = x};
    size_t scratch_at = 0;
    for (int i = 0; i < n; i++) {
        k.u[i] = NULL;
        if (e[i].kind == LC_CONV_EVAL_WINOGRAD)
            k.u[i] = block_u(p, &blk[i], &e[i], ws + u_off[i]);
        scratch_at = u_off[i] + lc_round16(e[i].u);
        k.at[i] = k.thread;
        k.thread += e[i].thread;
        k.handoff[i] = e[i].kind == LC_CONV_EVAL_DIRECT && e[i].pool && i + 1 < n &&
                       e[i + 1].kind == LC_CONV_EVAL_WINOGRAD;
    }
    k.scratch = ws + scratch_at;
    lc_pool_run(p, (B + G - 1) / G * split, chain_task, &k);
    return 1;
}

int lc_conv_eval_forward(lc_pool *p, const lc_conv2d *c, const lc_conv_fuse *f, int B,
                         const float *x, const float *w, const float *b, float *y, float *ws,
                         int tiles4)
{
    lc_conv_eval_block blk = {.c = c, .f = f, .w = w, .b = b, .y = y, .tiles4 = tiles4};
    return lc_conv_eval_chain(p, 1, &blk, B, x, ws);
}

int lc_conv_eval_forward_linear(lc_pool *p, const lc_conv2d *c, int B, const float *x,
                                const float *w, const float *b, float *y, float *ws,
                                int tiles4, lc_conv_eval_ucache *uc)
{
    lc_conv_fuse f = {.pool = 0, .POH = c->OH, .POW = c->OW}; /* as lc_conv_fuse_plan sets it */
    lc_conv_eval_block blk = {.c = c, .f = &f, .w = w, .b = b, .y = y, .linear = 1,
                              .tiles4 = tiles4, .uc = uc};
    return lc_conv_eval_chain(p, 1, &blk, B, x, ws);
}

int lc_conv_eval_transposed(lc_pool *p, const lc_conv2d *c, int B, const float *dy,
                            const float *w, float *dx, float *ws, int tiles4, int acc)
{
    lc_conv_fuse f = {.pool = 0, .POH = c->OH, .POW = c->OW};
    lc_conv_eval_block blk = {.c = c, .f = &f, .w = w, .y = dx, .linear = 1, .acc = acc,
                              .tiles4 = tiles4, .wflip = 1};
    return lc_conv_eval_chain(p, 1, &blk, B, dy, ws);
}

int lc_conv_eval_forward_relu(lc_pool *p, const lc_conv2d *c, int B, const float *x,
                              const float *w, const float *b, float *y, float *ws, int tiles4,
                              lc_conv_eval_ucache *uc)
{
    lc_conv_fuse f = {.pool = 0, .POH = c->OH, .POW = c->OW};
    lc_conv_eval_block blk = {.c = c, .f = &f, .w = w, .b = b, .y = y, .tiles4 = tiles4,
                              .uc = uc};
    return lc_conv_eval_chain(p, 1, &blk, B, x, ws);
}

typedef struct train_ctx {
    const lc_conv2d *c;
    const lc_conv_fuse *f;
    const lc_conv_eval *e;
    int B;
    const float *x, *w, *b, *u;
    lc_conv_eval_drop d;
    float *y, *scratch;
    unsigned char *am;
} train_ctx;

static void train_task(void *vctx, int task, int thread)
{
    const train_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    const lc_conv_eval *e = k->e;
    int s0 = task * e->G, G = k->B - s0 < e->G ? k->B - s0 : e->G;
    size_t in = (size_t)c->C * c->H * c->W, on = lc_conv_fuse_out_floats(c, k->f);
    float *scratch = k->scratch + (size_t)thread * e->thread;
    if (e->kind == LC_CONV_EVAL_DIRECT) {
        for (int s = s0; s < s0 + G; s++)
            (e->isa == LC_ISA_AVX512 ? lc_conv_direct_train_avx512 : lc_conv_direct_train_avx2)(
                c, e, k->x + (size_t)s * in, k->w, k->b, k->y + (size_t)s * on,
                k->am + (size_t)s * on, scratch);
        return;
    }
    lc_conv_eval_drop d = k->d;
    d.s0 = s0;
    (e->isa == LC_ISA_AVX512 ? lc_conv_wino_train_avx512 : lc_conv_wino_train_avx2)(
        c, e, G, k->x + (size_t)s0 * in, k->b, k->u, &d, k->y + (size_t)s0 * on,
        k->am + (size_t)s0 * on, scratch);
}

int lc_conv_eval_train(lc_pool *p, const lc_conv2d *c, const lc_conv_fuse *f, int B,
                       const float *x, const float *w, const float *b, float rate,
                       uint64_t seed, uint64_t layer, uint64_t step, float *y, unsigned char *am,
                       float *ws)
{
    lc_conv_eval e;
    if (lc_gemm_isa() == LC_ISA_REF || B <= 0 || !f->pool || rate >= 1.0f)
        return 0;
    lc_conv_eval_plan(c, f, 0, &e);
    /* the direct kernel has no dropout masks */
    if (e.kind == LC_CONV_EVAL_NONE || (e.kind == LC_CONV_EVAL_DIRECT && rate > 0.0f))
        return 0;
    train_ctx k = {.c = c, .f = f, .e = &e, .B = B, .x = x, .w = w, .b = b, .y = y, .am = am,
                   .scratch = ws + lc_round16(e.u),
                   .d = {.rate = rate, .seed = seed, .layer = layer, .step = step}};
    if (e.kind == LC_CONV_EVAL_WINOGRAD) {
        wino_weights(p, c, &e, w, 0, ws);
        k.u = ws;
    }
    if (rate > 0.0f) {
        k.d.scale = lc_dropout_scale(rate);
        k.d.thr = lc_dropout_threshold(rate);
    }
    lc_pool_run(p, (B + e.G - 1) / e.G, train_task, &k);
    return 1;
}
