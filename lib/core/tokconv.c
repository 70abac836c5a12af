/* tokconv.c - Conv1d over embedded tokens, per distinct token (see lc_tokconv.h). */
#include "lc_tokconv.h"

#include <math.h>
#include <string.h>

#include "lc_gemm.h"

enum {
    DROWS = 64,  /* distinct ids per gather and scatter task */
    MB = 256,    /* a GEMM task's block of output rows ... */
    NB = 128,    /* ... and columns: each task packs only its slices of the operands */
    GCOLS = 32,  /* filters per bias-reduction and unpacking task */
    GROUP = 8,  /* rows per bias-gradient partial */
};

/* the element-wise sums, vectorised for the CPU at load time (GCC's target_clones); each output
 * element is summed in one fixed order, so every clone gives the same bits */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define TK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define TK_CLONES
#endif

static int ngroups(int B) { return (B + GROUP - 1) / GROUP; }

/* GEMM tasks over an (M, N) output in MB x NB blocks */
static int blocks(int M, int N) { return ((M + MB - 1) / MB) * ((N + NB - 1) / NB); }


int lc_tok_unique(int n, int V, const float *idx, int32_t *map, int32_t *cid, int32_t *uniq)
{
    int D = 0, bad = -1;
    for (int i = 0; i < n; i++) {
        float v = idx[i];
        if (!(v >= 0.0f && v < (float)V) || v != floorf(v)) {
            if (bad < 0) {
                bad = D;
                uniq[D++] = -1;
            }
            cid[i] = bad;
            continue;
        }
        int id = (int)v;
        if (map[id] < 0) {
            map[id] = D;
            uniq[D++] = id;
        }
        cid[i] = map[id];
    }
    for (int d = 0; d < D; d++)
        if (uniq[d] >= 0)
            map[uniq[d]] = -1;
    return D;
}

typedef struct tk_ctx {
    const lc_conv1d *c;
    int B, D, ys, yo;
    const int32_t *cid, *uniq;
    const float *xd, *w, *bias, *dy, *emb;
    float *y, *demb, *dw, *db;
    float *wp, *dwp, *pg, *dxd, *pb;
    int32_t *start, *steps; /* id d's steps (b L + s, ascending): steps[start[d] .. start[d + 1]) */
    /* the ReLU-and-sum fusion: the reduced output, the steps' ReLU masks and the reduced
     * gradient (divided by the steps for a mean) */
    float *yr;
    uint8_t *mask;
    const uint8_t *cmask;
    const float *gr;
    float *gm; /* ws: the mean's reduced gradient / steps */
    int mean;
} tk_ctx;

static void gather_task(void *vctx, int task, int thread)
{
    const tk_ctx *k = vctx;
    const int E = k->c->E;
    int d0 = task * DROWS, d1 = d0 + DROWS < k->D ? d0 + DROWS : k->D;
    (void)thread;
    for (int d = d0; d < d1; d++) {
        float *row = (float *)k->xd + (size_t)d * E;
        if (k->uniq[d] < 0)
            for (int e = 0; e < E; e++)
                row[e] = NAN;
        else
            memcpy(row, k->emb + (size_t)k->uniq[d] * E, (size_t)E * sizeof *row);
    }
}

void lc_tok_gather(lc_pool *p, int D, int E, const int32_t *uniq, const float *emb, float *xd)
{
    lc_conv1d c = {.E = E};
    tk_ctx k = {.c = &c, .D = D, .uniq = uniq, .emb = emb, .xd = xd};
    lc_pool_run(p, (D + DROWS - 1) / DROWS, gather_task, &k);
}

/* ws: W' and dW' (k F, E), P or G (D, k F), d xd (D, E), the bias partials (ngroups, F), the
 * ids' steps grouped by id (int32: D + 1 starts, B L steps), then a mean's reduced gradient
 * divided by the steps (B, F) */
size_t lc_tokconv_ws_floats(const lc_conv1d *c, int B, int Dmax)
{
    size_t kf = (size_t)c->k * (size_t)c->F, d = Dmax > 0 ? (size_t)Dmax : 1;
    size_t n = (size_t)(B > 0 ? B : 1) * (size_t)c->L;
    return 2 * kf * (size_t)c->E + d * (kf + (size_t)c->E) + (size_t)ngroups(B) * c->F + d + 1 + n +
           (size_t)(B > 0 ? B : 1) * (size_t)c->F;
}

/* wp (k F, E): row j F + f is W[f, :, j] (W is (F, E, k)) */
static void pack_w(const lc_conv1d *c, const float *w, float *wp)
{
    const int F = c->F, E = c->E, K = c->k;
    for (int j = 0; j < K; j++)
        for (int f = 0; f < F; f++) {
            float *row = wp + ((size_t)j * F + f) * E;
            const float *src = w + (size_t)f * E * K + j;
            for (int e = 0; e < E; e++)
                row[e] = src[(size_t)e * K];
        }
}

static void layout(tk_ctx *k, float *ws)
{
    size_t kfe = (size_t)k->c->k * k->c->F * k->c->E;
    k->wp = ws;
    k->dwp = ws + kfe;
    k->pg = ws + 2 * kfe;
    k->dxd = k->pg + (size_t)k->D * k->c->k * k->c->F;
    k->pb = k->dxd + (size_t)k->D * k->c->E;
    k->start = (int32_t *)(k->pb + (size_t)ngroups(k->B) * k->c->F);
    k->steps = k->start + k->D + 1;
    k->gm = (float *)(k->steps + (size_t)k->B * k->c->L);
}

/* P rows [d0, d1) = xd W' ^T */
static void proj_task(void *vctx, int task, int thread)
{
    const tk_ctx *k = vctx;
    const int E = k->c->E, KF = k->c->k * k->c->F, nc = (KF + NB - 1) / NB;
    int d0 = (task / nc) * MB, d1 = d0 + MB < k->D ? d0 + MB : k->D;
    int c0 = (task % nc) * NB, c1 = c0 + NB < KF ? c0 + NB : KF;
    (void)thread;
    lc_sgemm(0, 1, d1 - d0, c1 - c0, E, 1.0f, k->xd + (size_t)d0 * E, E, k->wp + (size_t)c0 * E, E,
             0.0f, k->pg + (size_t)d0 * KF + c0, KF);
}

static TK_CLONES void vadd(float *restrict y, const float *restrict x, int n)
{
    for (int i = 0; i < n; i++)
        y[i] += x[i];
}

/* y += m ? x : 0 (a ReLU's gradient of the summed steps) */
static TK_CLONES void vadd_masked(float *restrict y, const float *restrict x,
                                  const uint8_t *restrict m, int n)
{
    for (int i = 0; i < n; i++)
        y[i] += m[i] ? x[i] : 0.0f;
}

/* acc += relu(row), m = row > 0 */
static TK_CLONES void relu_acc(const float *restrict row, float *restrict acc,
                               uint8_t *restrict m, int n)
{
    for (int i = 0; i < n; i++) {
        int pos = row[i] > 0.0f;
        acc[i] += pos ? row[i] : 0.0f;
        m[i] = (uint8_t)pos;
    }
}

/* the conv's gradient at (b, t) added to y: dy's row, or with the fusion the reduced gradient
 * where the step's ReLU passed */
static void add_dy(const tk_ctx *k, float *y, int b, int t, int f0, int n)
{
    const int F = k->c->F, Lo = lc_conv1d_out_len(k->c);
    if (k->cmask)
        vadd_masked(y, k->gr + (size_t)b * F + f0, k->cmask + ((size_t)b * Lo + t) * F + f0, n);
    else
        vadd(y, k->dy + ((size_t)b * Lo + t) * k->ys + k->yo + f0, n);
}

/* whether step t's window holds the ids of step t - 1's */
static int same_window(const lc_conv1d *c, const int32_t *ids, int t)
{
    const int L = c->L, st = lc_conv1d_stride(c), dl = lc_conv1d_dilation(c), pd = lc_conv1d_pad(c);
    if (t == 0)
        return 0;
    for (int j = 0; j < c->k; j++) {
        int s = t * st + j * dl - pd, s0 = s - st;
        int in = s >= 0 && s < L, in0 = s0 >= 0 && s0 < L;
        if (in != in0 || (in && ids[s] != ids[s0]))
            return 0;
    }
    return 1;
}

/* step t of the row with ids: its filters [f0, f0 + n), the bias then the k rows of P in kernel
 * order, into out */
static void step_sums(const tk_ctx *k, const int32_t *ids, int t, int f0, int n, float *out)
{
    const lc_conv1d *c = k->c;
    const int L = c->L, F = c->F, KF = c->k * F;
    const int st = lc_conv1d_stride(c), dl = lc_conv1d_dilation(c), pd = lc_conv1d_pad(c);
    if (k->bias)
        memcpy(out, k->bias + f0, (size_t)n * sizeof *out);
    else
        memset(out, 0, (size_t)n * sizeof *out);
    for (int j = 0; j < c->k; j++) {
        int s = t * st + j * dl - pd;
        if (s >= 0 && s < L)
            vadd(out, k->pg + (size_t)ids[s] * KF + (size_t)j * F + f0, n);
    }
}

/* Row b fused with the ReLU and the sum over the steps: per block of filters, each step's sums
 * (a repeated window keeps the block's row), its ReLU added to the row's total and its mask kept.
 * Each total is summed in step order, as the separate layers sum it. */
static void sum_relu_task(void *vctx, int b, int thread)
{
    const tk_ctx *k = vctx;
    const lc_conv1d *c = k->c;
    const int F = c->F, Lo = lc_conv1d_out_len(c);
    const int32_t *ids = k->cid + (size_t)b * c->L;
    float *yr = k->yr + (size_t)b * F;
    (void)thread;
    memset(yr, 0, (size_t)F * sizeof *yr);
    for (int f0 = 0; f0 < F; f0 += 256) {
        const int n = F - f0 < 256 ? F - f0 : 256;
        float row[256];
        for (int t = 0; t < Lo; t++) {
            if (!same_window(c, ids, t))
                step_sums(k, ids, t, f0, n, row);
            relu_acc(row, yr + f0, k->mask + ((size_t)b * Lo + t) * F + f0, n);
        }
    }
    if (k->mean)
        for (int f = 0; f < F; f++)
            yr[f] /= (float)Lo;
}

/* row b's output: each step's sums; a step whose window holds the same ids as the step before (a
 * run of padding) copies that step's */
static void sum_task(void *vctx, int b, int thread)
{
    const tk_ctx *k = vctx;
    const lc_conv1d *c = k->c;
    const int F = c->F, Lo = lc_conv1d_out_len(c);
    const int32_t *ids = k->cid + (size_t)b * c->L;
    (void)thread;
    for (int t = 0; t < Lo; t++) {
        float *yt = k->y + ((size_t)b * Lo + t) * k->ys + k->yo;
        if (same_window(c, ids, t))
            memcpy(yt, yt - k->ys, (size_t)F * sizeof *yt);
        else
            step_sums(k, ids, t, 0, F, yt);
    }
}

/* the distinct ids' projections P = xd W'^T, into ws */
static void project(lc_pool *p, tk_ctx *k, float *ws)
{
    layout(k, ws);
    pack_w(k->c, k->w, k->wp);
    lc_pool_run(p, blocks(k->D, k->c->k * k->c->F), proj_task, k);
}

void lc_tokconv_forward(lc_pool *p, const lc_conv1d *c, int B, int D, const int32_t *cid,
                        const float *xd, const float *w, const float *bias, float *y, int ys,
                        int yo, float *ws)
{
    if (B <= 0 || D <= 0)
        return;
    tk_ctx k = {.c = c, .B = B, .D = D, .ys = ys, .yo = yo, .cid = cid, .xd = xd, .w = w,
                .bias = bias, .y = y};
    project(p, &k, ws);
    lc_pool_run(p, B, sum_task, &k);
}

void lc_tokconv_relu_sum_forward(lc_pool *p, const lc_conv1d *c, int B, int D,
                                 const int32_t *cid, const float *xd, const float *w,
                                 const float *bias, int mean, float *yr, uint8_t *mask, float *ws)
{
    if (B <= 0 || D <= 0)
        return;
    tk_ctx k = {.c = c, .B = B, .D = D, .cid = cid, .xd = xd, .w = w, .bias = bias, .yr = yr,
                .mask = mask, .mean = mean};
    project(p, &k, ws);
    lc_pool_run(p, B, sum_relu_task, &k);
}

/* G's rows [d0, d1) at kernel offset j: zeroed, then each id's steps' dy added in step order */
static void scatter_task(void *vctx, int task, int thread)
{
    const tk_ctx *k = vctx;
    const lc_conv1d *c = k->c;
    const int L = c->L, F = c->F, K = c->k, KF = K * F, Lo = lc_conv1d_out_len(c);
    const int st = lc_conv1d_stride(c), dl = lc_conv1d_dilation(c), pd = lc_conv1d_pad(c);
    int j = task % K, d0 = (task / K) * DROWS, d1 = d0 + DROWS < k->D ? d0 + DROWS : k->D;
    (void)thread;
    for (int d = d0; d < d1; d++) {
        float *g = k->pg + (size_t)d * KF + (size_t)j * F;
        memset(g, 0, (size_t)F * sizeof *g);
        for (int32_t q = k->start[d]; q < k->start[d + 1]; q++) {
            int b = k->steps[q] / L, sp = k->steps[q] % L;
            int u = sp + pd - j * dl; /* t st = u */
            if (u < 0 || u % st)
                continue;
            int t = u / st;
            if (t >= Lo)
                continue;
            add_dy(k, g, b, t, 0, F);
        }
    }
}

/* group g's bias-gradient partial: dy summed over its rows and steps in order */
static void bias_task(void *vctx, int g, int thread)
{
    const tk_ctx *k = vctx;
    const int F = k->c->F, Lo = lc_conv1d_out_len(k->c);
    int b0 = g * GROUP, b1 = b0 + GROUP < k->B ? b0 + GROUP : k->B;
    float *pb = k->pb + (size_t)g * F;
    (void)thread;
    memset(pb, 0, (size_t)F * sizeof *pb);
    for (int b = b0; b < b1; b++)
        for (int t = 0; t < Lo; t++)
            add_dy(k, pb, b, t, 0, F);
}

/* db[f0, f1): the groups' partials in group order */
static void bias_reduce_task(void *vctx, int task, int thread)
{
    const tk_ctx *k = vctx;
    const int F = k->c->F, G = ngroups(k->B);
    int f0 = task * GCOLS, f1 = f0 + GCOLS < F ? f0 + GCOLS : F;
    (void)thread;
    for (int f = f0; f < f1; f++) {
        float acc = 0.0f;
        for (int g = 0; g < G; g++)
            acc += k->pb[(size_t)g * F + f];
        k->db[f] = acc;
    }
}

/* dW' rows [r0, r1) = G^T xd */
static void dw_task(void *vctx, int task, int thread)
{
    const tk_ctx *k = vctx;
    const int E = k->c->E, KF = k->c->k * k->c->F, nc = (E + NB - 1) / NB;
    int r0 = (task / nc) * MB, r1 = r0 + MB < KF ? r0 + MB : KF;
    int c0 = (task % nc) * NB, c1 = c0 + NB < E ? c0 + NB : E;
    (void)thread;
    lc_sgemm(1, 0, r1 - r0, c1 - c0, k->D, 1.0f, k->pg + r0, KF, k->xd + c0, E, 0.0f,
             k->dwp + (size_t)r0 * E + c0, E);
}

/* dw rows [f0, f1) in torch's (F, E, k) layout from dW' */
static void unpack_task(void *vctx, int task, int thread)
{
    const tk_ctx *k = vctx;
    const int F = k->c->F, E = k->c->E, K = k->c->k;
    int f0 = task * GCOLS, f1 = f0 + GCOLS < F ? f0 + GCOLS : F;
    (void)thread;
    for (int f = f0; f < f1; f++)
        for (int j = 0; j < K; j++) {
            const float *src = k->dwp + ((size_t)j * F + f) * E;
            float *dst = k->dw + (size_t)f * E * K + j;
            for (int e = 0; e < E; e++)
                dst[(size_t)e * K] = src[e];
        }
}

/* rows [d0, d1) of d xd = G W', added to their embedding rows (distinct ids: no two tasks
 * touch one row) */
static void demb_task(void *vctx, int task, int thread)
{
    const tk_ctx *k = vctx;
    const int E = k->c->E, KF = k->c->k * k->c->F, nc = (E + NB - 1) / NB;
    int d0 = (task / nc) * MB, d1 = d0 + MB < k->D ? d0 + MB : k->D;
    int c0 = (task % nc) * NB, c1 = c0 + NB < E ? c0 + NB : E;
    (void)thread;
    float *dx = k->dxd + (size_t)d0 * E + c0;
    lc_sgemm(0, 0, d1 - d0, c1 - c0, KF, 1.0f, k->pg + (size_t)d0 * KF, KF, k->wp + c0, E, 0.0f,
             dx, E);
    for (int d = d0; d < d1; d++) {
        if (k->uniq[d] < 0)
            continue;
        vadd(k->demb + (size_t)k->uniq[d] * E + c0, dx + (size_t)(d - d0) * E, c1 - c0);
    }
}

/* The backward pass once the gradient's source is set (dy, or the fused ReLU's). */
static void backward(lc_pool *p, tk_ctx *k)
{
    const lc_conv1d *c = k->c;
    const int B = k->B, D = k->D, F = c->F, KF = c->k * F, nfb = (F + GCOLS - 1) / GCOLS;
    const int32_t *cid = k->cid;
    if (k->db) {
        lc_pool_run(p, ngroups(B), bias_task, k);
        lc_pool_run(p, nfb, bias_reduce_task, k);
    }
    if (!k->dw && !k->demb)
        return;
    /* the steps of each id, in step order (a counting sort) */
    const int n = B * c->L;
    memset(k->start, 0, (size_t)(D + 1) * sizeof *k->start);
    for (int i = 0; i < n; i++)
        k->start[cid[i] + 1]++;
    for (int d = 0; d < D; d++)
        k->start[d + 1] += k->start[d];
    for (int i = 0; i < n; i++)
        k->steps[k->start[cid[i]]++] = i;
    for (int d = D; d > 0; d--) /* each start moved to the next one's: shift back */
        k->start[d] = k->start[d - 1];
    k->start[0] = 0;
    lc_pool_run(p, c->k * ((D + DROWS - 1) / DROWS), scatter_task, k);
    if (k->dw) {
        lc_pool_run(p, blocks(KF, c->E), dw_task, k);
        lc_pool_run(p, nfb, unpack_task, k);
    }
    if (k->demb) {
        pack_w(c, k->w, k->wp);
        lc_pool_run(p, blocks(D, c->E), demb_task, k);
    }
}

void lc_tokconv_backward(lc_pool *p, const lc_conv1d *c, int B, int D, const int32_t *cid,
                         const int32_t *uniq, const float *xd, const float *w, const float *dy,
                         int ys, int yo, float *demb, float *dw, float *db, float *ws)
{
    if (B <= 0 || D <= 0)
        return;
    tk_ctx k = {.c = c, .B = B, .D = D, .ys = ys, .yo = yo, .cid = cid, .uniq = uniq, .xd = xd,
                .w = w, .dy = dy, .demb = demb, .dw = dw, .db = db};
    layout(&k, ws);
    backward(p, &k);
}

void lc_tokconv_relu_sum_backward(lc_pool *p, const lc_conv1d *c, int B, int D,
                                  const int32_t *cid, const int32_t *uniq, const float *xd,
                                  const float *w, const float *dyr, const uint8_t *mask, int mean,
                                  float *demb, float *dw, float *db, float *ws)
{
    if (B <= 0 || D <= 0)
        return;
    tk_ctx k = {.c = c, .B = B, .D = D, .cid = cid, .uniq = uniq, .xd = xd, .w = w,
                .demb = demb, .dw = dw, .db = db, .cmask = mask, .gr = dyr, .mean = mean};
    layout(&k, ws);
    if (mean) { /* the mean's gradient per step: dyr / steps, as the reduction passes it */
        const int Lo = lc_conv1d_out_len(c);
        for (size_t i = 0; i < (size_t)B * c->F; i++)
            k.gm[i] = dyr[i] / (float)Lo;
        k.gr = k.gm;
    }
    backward(p, &k);
}

