/* rnn.c - torch.nn.RNN / GRU / LSTM, one direction of one layer (see lc_rnn.h). */
#include "lc_rnn.h"

#include <math.h>
#include <string.h>

int lc_rnn_gates(lc_rnn_cell cell)
{
    return cell == LC_RNN_LSTM ? 4 : cell == LC_RNN_GRU ? 3 : 1;
}

size_t lc_rnn_cache_floats(const lc_rnn *r)
{
    size_t per = r->cell == LC_RNN_LSTM ? 5 : r->cell == LC_RNN_GRU ? 4 : 0;
    return per * (size_t)r->T * (size_t)r->H;
}

size_t lc_rnn_ws_floats(const lc_rnn *r, int B)
{
    size_t GH = (size_t)lc_rnn_gates(r->cell) * (size_t)r->H;
    return (size_t)B * ((size_t)r->T * 2 * GH + 3 * (size_t)r->H);
}

static float sigm(float v) { return 1.0f / (1.0f + expf(-v)); }

/* w (rows, n) row k dotted with v (n), in index order */
static float dot(const float *w, int k, int n, const float *v)
{
    const float *row = w + (size_t)k * n;
    float s = 0.0f;
    for (int j = 0; j < n; j++)
        s += row[j] * v[j];
    return s;
}

typedef struct rnn_ctx {
    const lc_rnn *r;
    int B;
    const float *x, *wih, *whh, *bih, *bhh, *y, *cache, *dy;
    float *yw, *cw, *dx, *ws;
    float *dwih, *dwhh, *dbih, *dbhh;
    int ys, yo;
} rnn_ctx;

/* the step processed s-th and the one before it (-1 at the first) */
static int step_t(const lc_rnn *r, int s) { return r->reverse ? r->T - 1 - s : s; }

static void fwd_task(void *vctx, int b, int thread)
{
    const rnn_ctx *c = vctx;
    const lc_rnn *r = c->r;
    const int T = r->T, I = r->I, H = r->H;
    const size_t per = lc_rnn_cache_floats(r);
    const float *xb = c->x + (size_t)b * T * I;
    float *yb = c->yw + (size_t)b * T * c->ys;
    float *cb = c->cw + (size_t)b * per;
    (void)thread;
    for (int s = 0; s < T; s++) {
        int t = step_t(r, s), tp = s ? step_t(r, s - 1) : -1;
        const float *xt = xb + (size_t)t * I;
        const float *hp = tp >= 0 ? yb + (size_t)tp * c->ys + c->yo : NULL;
        float *ht = yb + (size_t)t * c->ys + c->yo;
#define GI(k) (dot(c->wih, (k), I, xt) + (c->bih ? c->bih[k] : 0.0f))
#define GH(k) ((hp ? dot(c->whh, (k), H, hp) : 0.0f) + (c->bhh ? c->bhh[k] : 0.0f))
        switch (r->cell) {
        case LC_RNN_TANH:
            for (int k = 0; k < H; k++)
                ht[k] = tanhf(GI(k) + GH(k));
            break;
        case LC_RNN_GRU: {
            float *rg = cb + (size_t)t * 4 * H, *zg = rg + H, *ng = zg + H, *hn = ng + H;
            for (int k = 0; k < H; k++) {
                rg[k] = sigm(GI(k) + GH(k));
                zg[k] = sigm(GI(H + k) + GH(H + k));
                hn[k] = GH(2 * H + k);
            }
            for (int k = 0; k < H; k++) {
                ng[k] = tanhf(GI(2 * H + k) + rg[k] * hn[k]);
                ht[k] = (1.0f - zg[k]) * ng[k] + zg[k] * (hp ? hp[k] : 0.0f);
            }
            break;
        }
        case LC_RNN_LSTM: {
            float *ig = cb + (size_t)t * 5 * H, *fg = ig + H, *gg = fg + H, *og = gg + H;
            float *ct = og + H;
            const float *cp = tp >= 0 ? cb + (size_t)tp * 5 * H + 4 * H : NULL;
            for (int k = 0; k < H; k++) {
                ig[k] = sigm(GI(k) + GH(k));
                fg[k] = sigm(GI(H + k) + GH(H + k));
                gg[k] = tanhf(GI(2 * H + k) + GH(2 * H + k));
                og[k] = sigm(GI(3 * H + k) + GH(3 * H + k));
            }
            for (int k = 0; k < H; k++) {
                ct[k] = fg[k] * (cp ? cp[k] : 0.0f) + ig[k] * gg[k];
                ht[k] = og[k] * tanhf(ct[k]);
            }
            break;
        }
        }
#undef GI
#undef GH
    }
}

void lc_rnn_forward(lc_pool *p, const lc_rnn *r, int B, const float *x, const float *wih,
                    const float *whh, const float *bih, const float *bhh, float *y, int ys,
                    int yo, float *cache)
{
    rnn_ctx c = {.r = r, .x = x, .wih = wih, .whh = whh, .bih = bih, .bhh = bhh, .yw = y,
                 .cw = cache, .ys = ys, .yo = yo};
    lc_pool_run(p, B, fwd_task, &c);
}

/* Backward through time for sample b: the pre-activation gradients of every step into its
 * block of ws (per step: input side dgi then hidden side dgh, G H each; they differ only for the
 * GRU's new gate), dx added. The sample's temporaries (dh, dh from the next step, dc from the
 * next step) follow all samples' blocks. */
static void bptt_task(void *vctx, int b, int thread)
{
    const rnn_ctx *c = vctx;
    const lc_rnn *r = c->r;
    const int T = r->T, I = r->I, H = r->H, GH = lc_rnn_gates(r->cell) * H;
    const size_t per = lc_rnn_cache_floats(r);
    const float *xb = c->x + (size_t)b * T * I;
    const float *yb = c->y + (size_t)b * T * c->ys;
    const float *dyb = c->dy + (size_t)b * T * c->ys;
    const float *cb = c->cache + (size_t)b * per;
    float *gb = c->ws + (size_t)b * T * 2 * GH;
    float *dh = c->ws + (size_t)c->B * T * 2 * GH + (size_t)b * 3 * H, *dhn = dh + H, *dcn = dhn + H;
    float *dxb = c->dx ? c->dx + (size_t)b * T * I : NULL;
    (void)thread;
    (void)xb;
    memset(dhn, 0, 2 * (size_t)H * sizeof *dhn);
    for (int s = T - 1; s >= 0; s--) {
        int t = step_t(r, s), tp = s ? step_t(r, s - 1) : -1;
        const float *ht = yb + (size_t)t * c->ys + c->yo;
        const float *hp = tp >= 0 ? yb + (size_t)tp * c->ys + c->yo : NULL;
        float *dgi = gb + (size_t)t * 2 * GH, *dgh = dgi + GH;
        for (int k = 0; k < H; k++)
            dh[k] = dyb[(size_t)t * c->ys + c->yo + k] + dhn[k];
        switch (r->cell) {
        case LC_RNN_TANH:
            for (int k = 0; k < H; k++)
                dgi[k] = dgh[k] = dh[k] * (1.0f - ht[k] * ht[k]);
            break;
        case LC_RNN_GRU: {
            const float *rg = cb + (size_t)t * 4 * H, *zg = rg + H, *ng = zg + H, *hn = ng + H;
            for (int k = 0; k < H; k++) {
                float hpk = hp ? hp[k] : 0.0f;
                float dn = dh[k] * (1.0f - zg[k]), dz = dh[k] * (hpk - ng[k]);
                float dan = dn * (1.0f - ng[k] * ng[k]);
                float dr = dan * hn[k];
                float dar = dr * rg[k] * (1.0f - rg[k]), daz = dz * zg[k] * (1.0f - zg[k]);
                dgi[k] = dgh[k] = dar;
                dgi[H + k] = dgh[H + k] = daz;
                dgi[2 * H + k] = dan;
                dgh[2 * H + k] = dan * rg[k];
            }
            break;
        }
        case LC_RNN_LSTM: {
            const float *ig = cb + (size_t)t * 5 * H, *fg = ig + H, *gg = fg + H, *og = gg + H;
            const float *ct = og + H;
            const float *cp = tp >= 0 ? cb + (size_t)tp * 5 * H + 4 * H : NULL;
            for (int k = 0; k < H; k++) {
                float tc = tanhf(ct[k]);
                float dok = dh[k] * tc;
                float dc = dcn[k] + dh[k] * og[k] * (1.0f - tc * tc);
                float di = dc * gg[k], dg = dc * ig[k], df = dc * (cp ? cp[k] : 0.0f);
                dcn[k] = dc * fg[k];
                dgi[k] = dgh[k] = di * ig[k] * (1.0f - ig[k]);
                dgi[H + k] = dgh[H + k] = df * fg[k] * (1.0f - fg[k]);
                dgi[2 * H + k] = dgh[2 * H + k] = dg * (1.0f - gg[k] * gg[k]);
                dgi[3 * H + k] = dgh[3 * H + k] = dok * og[k] * (1.0f - og[k]);
            }
            break;
        }
        }
        /* the gradient reaching h_{t-1}: through W_hh, and the GRU's z * h_prev term */
        for (int j = 0; j < H; j++) {
            float sacc = 0.0f;
            for (int k = 0; k < GH; k++)
                sacc += c->whh[(size_t)k * H + j] * dgh[k];
            dhn[j] = sacc;
        }
        if (r->cell == LC_RNN_GRU) {
            const float *zg = cb + (size_t)t * 4 * H + H;
            for (int j = 0; j < H; j++)
                dhn[j] += dh[j] * zg[j];
        }
        if (dxb)
            for (int i = 0; i < I; i++) {
                float sacc = 0.0f;
                for (int k = 0; k < GH; k++)
                    sacc += c->wih[(size_t)k * I + i] * dgi[k];
                dxb[(size_t)t * I + i] += sacc;
            }
    }
}

enum { WROWS = 8 }; /* weight rows per task */

/* Weight and bias gradients of rows [k0, k0 + WROWS): sums over samples, then steps in
 * processing order. */
static void wgrad_task(void *vctx, int task, int thread)
{
    const rnn_ctx *c = vctx;
    const lc_rnn *r = c->r;
    const int T = r->T, I = r->I, H = r->H, GH = lc_rnn_gates(r->cell) * H;
    int k0 = task * WROWS, k1 = k0 + WROWS < GH ? k0 + WROWS : GH;
    (void)thread;
    for (int k = k0; k < k1; k++) {
        float *wi = c->dwih ? c->dwih + (size_t)k * I : NULL;
        float *wh = c->dwhh ? c->dwhh + (size_t)k * H : NULL;
        float bi = 0.0f, bh = 0.0f;
        if (wi)
            memset(wi, 0, (size_t)I * sizeof *wi);
        if (wh)
            memset(wh, 0, (size_t)H * sizeof *wh);
        for (int b = 0; b < c->B; b++) {
            const float *xb = c->x + (size_t)b * T * I;
            const float *yb = c->y + (size_t)b * T * c->ys;
            const float *gb = c->ws + (size_t)b * T * 2 * GH;
            for (int s = 0; s < T; s++) {
                int t = step_t(r, s), tp = s ? step_t(r, s - 1) : -1;
                float gi = gb[(size_t)t * 2 * GH + k], gh = gb[(size_t)t * 2 * GH + GH + k];
                bi += gi;
                bh += gh;
                if (wi)
                    for (int i = 0; i < I; i++)
                        wi[i] += gi * xb[(size_t)t * I + i];
                if (wh && tp >= 0) {
                    const float *hp = yb + (size_t)tp * c->ys + c->yo;
                    for (int j = 0; j < H; j++)
                        wh[j] += gh * hp[j];
                }
            }
        }
        if (c->dbih)
            c->dbih[k] = bi;
        if (c->dbhh)
            c->dbhh[k] = bh;
    }
}

void lc_rnn_backward(lc_pool *p, const lc_rnn *r, int B, const float *x, const float *wih,
                     const float *whh, const float *y, int ys, int yo, const float *cache,
                     const float *dy, float *dx, float *dwih, float *dwhh, float *dbih,
                     float *dbhh, float *ws)
{
    rnn_ctx c = {.r = r, .B = B, .x = x, .wih = wih, .whh = whh, .y = y, .cache = cache,
                 .dy = dy, .dx = dx, .dwih = dwih, .dwhh = dwhh, .dbih = dbih, .dbhh = dbhh,
                 .ws = ws, .ys = ys, .yo = yo};
    lc_pool_run(p, B, bptt_task, &c);
    int GH = lc_rnn_gates(r->cell) * r->H;
    lc_pool_run(p, (GH + WROWS - 1) / WROWS, wgrad_task, &c);
}
