/* rnn.c - torch.nn.RNN / GRU / LSTM, one direction of one layer (see lc_rnn.h). */
#include "lc_rnn.h"

#include <math.h>
#include <string.h>

#include "lc_gemm.h"
#include "lc_vmath.h"

int lc_rnn_gates(lc_rnn_cell cell)
{
    return cell == LC_RNN_LSTM ? 4 : cell == LC_RNN_GRU ? 3 : 1;
}

/* Per step and sample the cache holds the gate pre-activations then activations (G H), and the
 * GRU's W_hn h + b_hn or the LSTM's cell state (H). */
static size_t step_floats(const lc_rnn *r)
{
    size_t GH = (size_t)lc_rnn_gates(r->cell) * (size_t)r->H;
    return GH + (r->cell == LC_RNN_TANH ? 0 : (size_t)r->H);
}

size_t lc_rnn_cache_floats(const lc_rnn *r)
{
    return step_floats(r) * (size_t)r->T;
}

size_t lc_rnn_ws_floats(const lc_rnn *r, int B)
{
    size_t GH = (size_t)lc_rnn_gates(r->cell) * (size_t)r->H;
    size_t BT = (size_t)B * (size_t)r->T;
    /* gate gradients (B, T, 2 G H), the previous hidden state of every row (B, T, H), and per
     * sample dh, dh from the next step, dc from the next step (B, 3 H) */
    return BT * 2 * GH + BT * (size_t)r->H + (size_t)B * 3 * (size_t)r->H;
}


enum { RB = 32, WROWS = 64 }; /* samples per task; weight-gradient rows per task */

/* The tasks holding the cells' element-wise loops are built for AVX-512, AVX2 and the baseline,
 * chosen once at load time (GCC's target_clones): wider vectors for the gate functions. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define RNN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RNN_CLONES
#endif

static int nblk(int n, int b) { return n <= 0 ? 0 : (n + b - 1) / b; }

typedef struct rnn_ctx {
    const lc_rnn *r;
    int B;
    const float *x, *wih, *whh, *bih, *bhh, *y, *cache, *dy;
    float *yw, *cw, *dx, *ws;
    float *dwih, *dwhh, *dbih, *dbhh;
    int ys, yo;
} rnn_ctx;

/* The cells' backward element-wise parts, one pointer per gate: GCC vectorises these loops only
 * when every array is its own restrict parameter (offsets into one gate block defeat it). */
static inline void gru_bwd_cell(int H, const float *restrict rg, const float *restrict zg,
                                const float *restrict ng, const float *restrict hn,
                                const float *restrict hpr, const float *restrict dh,
                                float *restrict dar_, float *restrict daz_,
                                float *restrict dan_, float *restrict dhn_)
{
    for (int k = 0; k < H; k++) {
        float dn = dh[k] * (1.0f - zg[k]), dz = dh[k] * (hpr[k] - ng[k]);
        float dan = dn * (1.0f - ng[k] * ng[k]);
        dar_[k] = dan * hn[k] * rg[k] * (1.0f - rg[k]);
        daz_[k] = dz * zg[k] * (1.0f - zg[k]);
        dan_[k] = dan;
        dhn_[k] = dan * rg[k];
    }
}

static inline void lstm_bwd_cell(int H, const float *restrict ig, const float *restrict fg,
                                 const float *restrict gg, const float *restrict og,
                                 const float *restrict ct, const float *restrict cp,
                                 const float *restrict dh, float *restrict dcn,
                                 float *restrict di_, float *restrict df_, float *restrict dg_,
                                 float *restrict do_)
{
    for (int k = 0; k < H; k++) {
        float tc = lc_vtanhf(ct[k]);
        float dok = dh[k] * tc;
        float dc = dcn[k] + dh[k] * og[k] * (1.0f - tc * tc);
        float di = dc * gg[k], dg = dc * ig[k], df = dc * cp[k];
        dcn[k] = dc * fg[k];
        di_[k] = di * ig[k] * (1.0f - ig[k]);
        df_[k] = df * fg[k] * (1.0f - fg[k]);
        dg_[k] = dg * (1.0f - gg[k] * gg[k]);
        do_[k] = dok * og[k] * (1.0f - og[k]);
    }
}

/* Where the hidden-side gate gradients dgh start in a row of the gate gradients: only the GRU's
 * differ from the input side's (dgi); the others read dgi itself. */
static int hside(const lc_rnn *r) { return r->cell == LC_RNN_GRU ? lc_rnn_gates(r->cell) * r->H : 0; }

/* the step processed s-th */
static int step_t(const lc_rnn *r, int s) { return r->reverse ? r->T - 1 - s : s; }

/* Samples [b0, b0 + n): the input projections of every step in one GEMM, then per step the
 * recurrent projection of all n samples in one GEMM and the cell's element-wise part. */
RNN_CLONES static void fwd_task(void *vctx, int task, int thread)
{
    const rnn_ctx *c = vctx;
    const lc_rnn *r = c->r;
    const int T = r->T, I = r->I, H = r->H, GH = lc_rnn_gates(r->cell) * H;
    const int b0 = task * RB, n = c->B - b0 < RB ? c->B - b0 : RB;
    const int S = (int)step_floats(r), CS = S * T; /* cache floats per step, per sample */
    float *cb = c->cw + (size_t)b0 * CS;
    (void)thread;
    /* gates = x W_ih^T + b_ih (+ b_hh, except the GRU's new gate, whose b_hn goes with W_hn h);
     * without W_ih the cache holds x W_ih^T already */
    if (c->wih)
        lc_sgemm(0, 1, n * T, GH, I, 1.0f, c->x + (size_t)b0 * T * I, I, c->wih, I, 0.0f, cb, S);
    for (int i = 0; i < n * T; i++) {
        float *g = cb + (size_t)i * S;
        for (int k = 0; k < GH; k++) {
            float add = (c->bih ? c->bih[k] : 0.0f);
            if (c->bhh && !(r->cell == LC_RNN_GRU && k >= 2 * H))
                add += c->bhh[k];
            g[k] += add;
        }
    }
    for (int s = 0; s < T; s++) {
        int t = step_t(r, s), tp = s ? step_t(r, s - 1) : -1;
        float *gt = cb + (size_t)t * S; /* sample b's gates: gt + b CS */
        const float *hp = tp >= 0 ? c->yw + ((size_t)b0 * T + tp) * c->ys + c->yo : NULL;
        int ldh = T * c->ys; /* between samples in y */
        if (hp) {
            if (r->cell == LC_RNN_GRU) {
                lc_sgemm(0, 1, n, 2 * H, H, 1.0f, hp, ldh, c->whh, H, 1.0f, gt, CS);
                lc_sgemm(0, 1, n, H, H, 1.0f, hp, ldh, c->whh + (size_t)2 * H * H, H, 0.0f,
                         gt + GH, CS);
            } else {
                lc_sgemm(0, 1, n, GH, H, 1.0f, hp, ldh, c->whh, H, 1.0f, gt, CS);
            }
        } else if (r->cell == LC_RNN_GRU) {
            for (int b = 0; b < n; b++)
                memset(gt + (size_t)b * CS + GH, 0, (size_t)H * sizeof(float));
        }
        for (int b = 0; b < n; b++) {
            float *g = gt + (size_t)b * CS;
            float *ht = c->yw + ((size_t)(b0 + b) * T + t) * c->ys + c->yo;
            const float *hpb = hp ? hp + (size_t)b * ldh : NULL;
            switch (r->cell) {
            case LC_RNN_TANH:
                for (int k = 0; k < H; k++)
                    ht[k] = g[k] = lc_vtanhf(g[k]);
                break;
            case LC_RNN_GRU: {
                float *hn = g + GH;
                if (c->bhh)
                    for (int k = 0; k < H; k++)
                        hn[k] += c->bhh[2 * H + k];
                for (int k = 0; k < 2 * H; k++)
                    g[k] = lc_vsigmoidf(g[k]);
                for (int k = 0; k < H; k++)
                    g[2 * H + k] = lc_vtanhf(g[2 * H + k] + g[k] * hn[k]);
                for (int k = 0; k < H; k++)
                    ht[k] = (1.0f - g[H + k]) * g[2 * H + k];
                if (hpb)
                    for (int k = 0; k < H; k++)
                        ht[k] += g[H + k] * hpb[k];
                break;
            }
            case LC_RNN_LSTM: {
                float *ct = g + GH;
                const float *cp = tp >= 0 ? cb + (size_t)b * CS + (size_t)tp * S + GH : NULL;
                for (int k = 0; k < 2 * H; k++)
                    g[k] = lc_vsigmoidf(g[k]);
                for (int k = 2 * H; k < 3 * H; k++)
                    g[k] = lc_vtanhf(g[k]);
                for (int k = 3 * H; k < 4 * H; k++)
                    g[k] = lc_vsigmoidf(g[k]);
                for (int k = 0; k < H; k++)
                    ct[k] = g[k] * g[2 * H + k];
                if (cp)
                    for (int k = 0; k < H; k++)
                        ct[k] += g[H + k] * cp[k];
                for (int k = 0; k < H; k++)
                    ht[k] = g[3 * H + k] * lc_vtanhf(ct[k]);
                break;
            }
            }
        }
    }
}

void lc_rnn_forward(lc_pool *p, const lc_rnn *r, int B, const float *x, const float *wih,
                    const float *whh, const float *bih, const float *bhh, float *y, int ys,
                    int yo, float *cache)
{
    rnn_ctx c = {.r = r, .B = B, .x = x, .wih = wih, .whh = whh, .bih = bih, .bhh = bhh,
                 .yw = y, .cw = cache, .ys = ys, .yo = yo};
    lc_pool_run(p, nblk(B, RB), fwd_task, &c);
}

/* Backward through time for samples [b0, b0 + n): per step (last first) the gate gradients from
 * the cache, then the gradient reaching the previous step in one GEMM; afterwards dx in one
 * GEMM and every row's previous hidden state (for dW_hh). ws: the gate gradients (B, T, 2 G H:
 * input side dgi, then the GRU's hidden side dgh, which differs in the new gate; the other cells'
 * dgh is dgi and its half of the row stays unused), the previous states
 * (B, T, H), then per sample dh, dh from the next step, dc from the next step. */
RNN_CLONES static void bptt_task(void *vctx, int task, int thread)
{
    const rnn_ctx *c = vctx;
    const lc_rnn *r = c->r;
    const int T = r->T, I = r->I, H = r->H, GH = lc_rnn_gates(r->cell) * H;
    const int b0 = task * RB, n = c->B - b0 < RB ? c->B - b0 : RB;
    const int S = (int)step_floats(r), CS = S * T, G2 = 2 * GH;
    const size_t BT = (size_t)c->B * T;
    float *gw = c->ws + (size_t)b0 * T * G2;
    float *hprev = c->ws + BT * G2 + (size_t)b0 * T * H;
    float *tmp = c->ws + BT * G2 + BT * H + (size_t)b0 * 3 * H; /* (n, 3H) */
    (void)thread;
    for (int b = 0; b < n; b++)
        memset(tmp + (size_t)b * 3 * H + H, 0, 2 * (size_t)H * sizeof(float));
    for (int s = T - 1; s >= 0; s--) {
        int t = step_t(r, s), tp = s ? step_t(r, s - 1) : -1;
        for (int b = 0; b < n; b++) {
            const float *g = c->cache + (size_t)(b0 + b) * CS + (size_t)t * S;
            const float *ht = c->y + ((size_t)(b0 + b) * T + t) * c->ys + c->yo;
            const float *hp = tp >= 0 ? c->y + ((size_t)(b0 + b) * T + tp) * c->ys + c->yo : NULL;
            const float *dyt = c->dy + ((size_t)(b0 + b) * T + t) * c->ys + c->yo;
            /* disjoint ranges (restrict: the cells' loops vectorise) */
            float *restrict dh = tmp + (size_t)b * 3 * H, *restrict dhn = dh + H,
                            *restrict dcn = dhn + H;
            float *restrict dgi = gw + ((size_t)b * T + t) * G2, *restrict dgh = dgi + GH;
            /* h_{t-1} of this row, zeros at the first step: kept for dW_hh, read below */
            float *hpr = hprev + ((size_t)b * T + t) * H;
            if (hp)
                memcpy(hpr, hp, (size_t)H * sizeof *hpr);
            else
                memset(hpr, 0, (size_t)H * sizeof *hpr);
            for (int k = 0; k < H; k++)
                dh[k] = dyt[k] + dhn[k];
            switch (r->cell) {
            case LC_RNN_TANH:
                for (int k = 0; k < H; k++)
                    dgi[k] = dh[k] * (1.0f - ht[k] * ht[k]);
                break;
            case LC_RNN_GRU:
                /* dgi and dgh differ only in the new gate: dgh_n = dgi_n r */
                gru_bwd_cell(H, g, g + H, g + 2 * H, g + GH, hpr, dh, dgi, dgi + H, dgi + 2 * H,
                             dgh + 2 * H);
                memcpy(dgh, dgi, 2 * (size_t)H * sizeof *dgh);
                break;
            case LC_RNN_LSTM: {
                /* c_{t-1}, or zeros (hpr holds zeros at the first step) */
                const float *cp =
                    tp >= 0 ? c->cache + (size_t)(b0 + b) * CS + (size_t)tp * S + GH : hpr;
                lstm_bwd_cell(H, g, g + H, g + 2 * H, g + 3 * H, g + GH, cp, dh, dcn, dgi,
                              dgi + H, dgi + 2 * H, dgi + 3 * H);
                break;
            }
            }
        }
        if (s == 0)
            break;
        /* the gradient reaching h_{t-1}: dgh W_hh for all n samples (rows T G2 apart) */
        lc_sgemm(0, 0, n, H, GH, 1.0f, gw + (size_t)t * G2 + hside(r), T * G2, c->whh, H, 0.0f,
                 tmp + H, 3 * H);
        if (r->cell == LC_RNN_GRU)
            for (int b = 0; b < n; b++) {
                const float *zg = c->cache + (size_t)(b0 + b) * CS + (size_t)t * S + H;
                float *dh = tmp + (size_t)b * 3 * H;
                for (int j = 0; j < H; j++)
                    dh[H + j] += dh[j] * zg[j];
            }
    }
    if (c->dx) /* dx += dgi W_ih over every step of the block */
        lc_sgemm(0, 0, n * T, I, GH, 1.0f, gw, G2, c->wih, I, 1.0f,
                 c->dx + (size_t)b0 * T * I, I);
}

/* Weight and bias gradients of rows [k0, k0 + WROWS): GEMMs over all (sample, step) rows. */
static void wgrad_task(void *vctx, int task, int thread)
{
    const rnn_ctx *c = vctx;
    const lc_rnn *r = c->r;
    const int T = r->T, I = r->I, H = r->H, GH = lc_rnn_gates(r->cell) * H, G2 = 2 * GH;
    const int BT = c->B * T;
    int k0 = task * WROWS, m = GH - k0 < WROWS ? GH - k0 : WROWS;
    const float *hprev = c->ws + (size_t)BT * G2;
    const int hs = hside(r);
    (void)thread;
    if (c->dwih)
        lc_sgemm(1, 0, m, I, BT, 1.0f, c->ws + k0, G2, c->x, I, 0.0f, c->dwih + (size_t)k0 * I, I);
    if (c->dwhh)
        lc_sgemm(1, 0, m, H, BT, 1.0f, c->ws + hs + k0, G2, hprev, H, 0.0f,
                 c->dwhh + (size_t)k0 * H, H);
    /* bias gradients: column sums over the rows in order (vectorised across the columns) */
    float bi[WROWS], bh[WROWS];
    memset(bi, 0, sizeof bi);
    memset(bh, 0, sizeof bh);
    for (int i = 0; i < BT; i++) {
        const float *row = c->ws + (size_t)i * G2 + k0;
        for (int k = 0; k < m; k++) {
            bi[k] += row[k];
            bh[k] += row[hs + k];
        }
    }
    if (c->dbih)
        memcpy(c->dbih + k0, bi, (size_t)m * sizeof *bi);
    if (c->dbhh)
        memcpy(c->dbhh + k0, bh, (size_t)m * sizeof *bh);
}

void lc_rnn_backward(lc_pool *p, const lc_rnn *r, int B, const float *x, const float *wih,
                     const float *whh, const float *y, int ys, int yo, const float *cache,
                     const float *dy, float *dx, float *dwih, float *dwhh, float *dbih,
                     float *dbhh, float *ws)
{
    rnn_ctx c = {.r = r, .B = B, .x = x, .wih = wih, .whh = whh, .y = y, .cache = cache,
                 .dy = dy, .dx = dx, .dwih = dwih, .dwhh = dwhh, .dbih = dbih, .dbhh = dbhh,
                 .ws = ws, .ys = ys, .yo = yo};
    lc_pool_run(p, nblk(B, RB), bptt_task, &c);
    int GH = lc_rnn_gates(r->cell) * r->H;
    lc_pool_run(p, nblk(GH, WROWS), wgrad_task, &c);
}
