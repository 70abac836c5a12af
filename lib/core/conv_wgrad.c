/* conv_wgrad.c - the weight gradient of a 3x3 stride-1 convolution on small maps (resnet18's
 * layer3 and layer4: 14x14 and 7x7) through Winograd F(2x2, 3x3).
 *
 * The forward pass is y = A^T [(G g G^T) . (B^T d B)] A per 2x2 output tile, d its 4x4 input
 * tile; so the gradient of the filter g is G^T [sum over tiles (B^T d B) . (A dy A^T)] G (Lavin
 * & Gray, 2016): 16 GEMMs, one per tile position, of (C, tiles) by (tiles, OC), 16 products per
 * 2x2 outputs instead of 36. On small maps the transformed tiles are few (16 MB for 16 samples of
 * a 7x7x512 map, input and output gradient together) and are written whole, then multiplied: on
 * larger maps their traffic outweighs the products saved (resnet18's 28x28x128: even with the
 * direct weight gradient; 56x56x64: 1.35x slower). The transforms only add, subtract and halve:
 * the result differs from the direct sums by rounding only (test_conv bounds it).
 *
 * Every element is one task's (a sample's tiles, one position's GEMM, one filter's transform),
 * summed in an order fixed by the shapes: the same bits on any thread count. */
#include "lc_conv.h"
#include "lc_conv_isa.h"
#include "lc_gemm.h"
#include "lc_mem.h"

#include <string.h>

/* the largest output map (rows and columns) taken, and the fewest channels either side */
enum { WG_MAX_HW = 16, WG_MIN_C = 32, WG_POS = 16 };

typedef struct {
    const lc_conv2d *c;
    int B, TH, TW, T; /* tiles per side, all tiles (B TH TW) */
    const float *x, *dy;
    float *v, *m, *u, *dw, *sc; /* sc: each thread's scratch, sc_floats apart */
    size_t sc_floats;
} wg_ctx;

int lc_conv_wgrad_wino_ok(const lc_conv2d *c)
{
    return c->groups <= 1 && c->KH == 3 && c->KW == 3 && c->sh == 1 && c->sw == 1 &&
           c->ph == 1 && c->pw == 1 && c->dh == 1 && c->dw == 1 && c->OH == c->H &&
           c->OW == c->W && c->OH <= WG_MAX_HW && c->OW <= WG_MAX_HW && c->C >= WG_MIN_C &&
           c->OC >= WG_MIN_C && c->C % 16 == 0 && c->OC % 16 == 0;
}

/* a thread's scratch: the larger of a sample's padded input and output gradient channels last */
static size_t scratch_floats(const lc_conv2d *c)
{
    size_t TH = (size_t)(c->OH + 1) / 2, TW = (size_t)(c->OW + 1) / 2;
    size_t in = (2 * TH + 2) * (2 * TW + 2) * (size_t)c->C, out = 4 * TH * TW * (size_t)c->OC;
    return lc_round16(in > out ? in : out);
}

size_t lc_conv_wgrad_wino_floats(const lc_conv2d *c, int B, int nthreads)
{
    if (!lc_conv_wgrad_wino_ok(c) || B < 1)
        return 0;
    size_t T = (size_t)B * (size_t)((c->OH + 1) / 2) * (size_t)((c->OW + 1) / 2);
    return WG_POS * T * ((size_t)c->C + (size_t)c->OC) + WG_POS * (size_t)c->C * (size_t)c->OC +
           (size_t)(nthreads < 1 ? 1 : nthreads) * scratch_floats(c);
}

#define WG_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

enum { WG_L = 16 }; /* channels a transform takes at once, along the vector */

/* the thread's scratch: one sample's map channels last, zero-bordered */
static float *scratch(const wg_ctx *k, int thread)
{
    return k->sc + (size_t)thread * k->sc_floats;
}

/* src (n, H, W) into dst (Hp, Wp, n) at row oy, column ox, zeros elsewhere (register
 * transposes: only the vector ISAs get here) */
static void to_hwc(const float *src, int n, int H, int W, float *dst, int Hp, int Wp, int oy,
                   int ox)
{
    void (*tr)(const float *, size_t, int, int, float *, size_t) =
        lc_gemm_isa() == LC_ISA_AVX512 ? lc_transpose_avx512 : lc_transpose_avx2;
    memset(dst, 0, (size_t)Hp * Wp * n * sizeof *dst);
    for (int h = 0; h < H; h++)
        tr(src + (size_t)h * W, (size_t)H * W, n, W, dst + ((size_t)(h + oy) * Wp + ox) * n,
           (size_t)n);
}

/* V[pos][t][c] = (B^T d B)[pos] for sample s's tiles, d the 4x4 input tile, WG_L channels at a
 * time from the sample's map turned channels last */
WG_CLONES static void v_task(void *vctx, int s, int thread)
{
    const wg_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    const int C = c->C, TW = k->TW, Wp = 2 * TW + 2;
    const size_t TC = (size_t)k->T * C;
    float *xh = scratch(k, thread);
    to_hwc(k->x + (size_t)s * C * c->H * c->W, C, c->H, c->W, xh, 2 * k->TH + 2, Wp, 1, 1);
    for (int ty = 0; ty < k->TH; ty++)
        for (int tx = 0; tx < TW; tx++) {
            const size_t t = (size_t)s * k->TH * TW + (size_t)ty * TW + tx;
            const float *tile = xh + ((size_t)2 * ty * Wp + 2 * tx) * C;
            for (int c0 = 0; c0 < C; c0 += WG_L) { /* C a multiple of WG_L */
                float r[4][4][WG_L];
                for (int j = 0; j < 4; j++) { /* B^T d: rows */
                    const float *d0 = tile + (size_t)j * C + c0, *d1 = d0 + (size_t)Wp * C;
                    const float *d2 = d1 + (size_t)Wp * C, *d3 = d2 + (size_t)Wp * C;
                    for (int l = 0; l < WG_L; l++) {
                        r[0][j][l] = d0[l] - d2[l];
                        r[1][j][l] = d1[l] + d2[l];
                        r[2][j][l] = d2[l] - d1[l];
                        r[3][j][l] = d1[l] - d3[l];
                    }
                }
                for (int i = 0; i < 4; i++) { /* (B^T d) B: columns */
                    float *o = k->v + (size_t)(4 * i) * TC + t * C + c0;
                    for (int l = 0; l < WG_L; l++) {
                        o[l] = r[i][0][l] - r[i][2][l];
                        o[TC + l] = r[i][1][l] + r[i][2][l];
                        o[2 * TC + l] = r[i][2][l] - r[i][1][l];
                        o[3 * TC + l] = r[i][1][l] - r[i][3][l];
                    }
                }
            }
        }
}

/* M[pos][t][oc] = (A dy A^T)[pos] for sample s's tiles, dy the 2x2 output gradient tile (zero
 * past the map), WG_L filters at a time */
WG_CLONES static void m_task(void *vctx, int s, int thread)
{
    const wg_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    const int OC = c->OC, TW = k->TW, Wp = 2 * TW;
    const size_t TO = (size_t)k->T * OC;
    float *gh = scratch(k, thread);
    to_hwc(k->dy + (size_t)s * OC * c->OH * c->OW, OC, c->OH, c->OW, gh, 2 * k->TH, Wp, 0, 0);
    for (int ty = 0; ty < k->TH; ty++)
        for (int tx = 0; tx < TW; tx++) {
            const size_t t = (size_t)s * k->TH * TW + (size_t)ty * TW + tx;
            const float *tile = gh + ((size_t)2 * ty * Wp + 2 * tx) * OC;
            for (int o0 = 0; o0 < OC; o0 += WG_L) { /* OC a multiple of WG_L */
                float u[4][2][WG_L];
                for (int j = 0; j < 2; j++) { /* A dy: rows */
                    const float *y0 = tile + (size_t)j * OC + o0, *y1 = y0 + (size_t)Wp * OC;
                    for (int l = 0; l < WG_L; l++) {
                        u[0][j][l] = y0[l];
                        u[1][j][l] = y0[l] + y1[l];
                        u[2][j][l] = y0[l] - y1[l];
                        u[3][j][l] = -y1[l];
                    }
                }
                for (int i = 0; i < 4; i++) { /* (A dy) A^T: columns */
                    float *o = k->m + (size_t)(4 * i) * TO + t * OC + o0;
                    for (int l = 0; l < WG_L; l++) {
                        o[l] = u[i][0][l];
                        o[TO + l] = u[i][0][l] + u[i][1][l];
                        o[2 * TO + l] = u[i][0][l] - u[i][1][l];
                        o[3 * TO + l] = -u[i][1][l];
                    }
                }
            }
        }
}

/* U[pos] (C, OC) = V[pos]^T (C, T) M[pos] (T, OC) */
static void gemm_task(void *vctx, int pos, int thread)
{
    const wg_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    const size_t T = (size_t)k->T;
    (void)thread;
    lc_sgemm(1, 0, c->C, c->OC, k->T, 1.0f, k->v + (size_t)pos * T * c->C, c->C,
             k->m + (size_t)pos * T * c->OC, c->OC, 0.0f, k->u + (size_t)pos * c->C * c->OC,
             c->OC);
}

enum { WG_CB = 16, WG_OB = 16 }; /* input channels per filter-transform task; filters a pass */

/* dW[oc][ci] = G^T U[.][ci][oc] G, G = (1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1), for the
 * task's WG_CB input channels, WG_OB filters at a time along the vector (U's rows read along
 * oc), then each filter's 9 WG_CB taps written together */
WG_CLONES static void dw_task(void *vctx, int task, int thread)
{
    const wg_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    const int OC = c->OC, ci0 = task * WG_CB;
    const int nc = c->C - ci0 < WG_CB ? c->C - ci0 : WG_CB;
    const size_t CO = (size_t)c->C * OC;
    (void)thread;
    for (int o0 = 0; o0 < OC; o0 += WG_OB) { /* OC a multiple of WG_OB (lc_conv_wgrad_wino_ok) */
        float out[9][WG_CB][WG_OB];
        for (int q = 0; q < nc; q++) {
            const float *up = k->u + (size_t)(ci0 + q) * OC + o0;
            float t[3][4][WG_OB];
            for (int j = 0; j < 4; j++) /* G^T m: rows */
                for (int o = 0; o < WG_OB; o++) {
                    const float m0 = up[(size_t)j * CO + o], m1 = up[(size_t)(4 + j) * CO + o];
                    const float m2 = up[(size_t)(8 + j) * CO + o], m3 = up[(size_t)(12 + j) * CO + o];
                    float h = 0.5f * (m1 + m2), d = 0.5f * (m1 - m2);
                    t[0][j][o] = m0 + h;
                    t[1][j][o] = d;
                    t[2][j][o] = h + m3;
                }
            for (int a = 0; a < 3; a++) /* (G^T m) G: columns */
                for (int o = 0; o < WG_OB; o++) {
                    float h = 0.5f * (t[a][1][o] + t[a][2][o]);
                    float d = 0.5f * (t[a][1][o] - t[a][2][o]);
                    out[3 * a + 0][q][o] = t[a][0][o] + h;
                    out[3 * a + 1][q][o] = d;
                    out[3 * a + 2][q][o] = h + t[a][3][o];
                }
        }
        for (int o = 0; o < WG_OB; o++) {
            float *d = k->dw + ((size_t)(o0 + o) * c->C + ci0) * 9;
            for (int q = 0; q < nc; q++)
                for (int e = 0; e < 9; e++)
                    d[q * 9 + e] = out[e][q][o];
        }
    }
}

int lc_conv_wgrad_wino(lc_pool *p, const lc_conv2d *c, int B, const float *x, const float *dy,
                       float *dw, float *ws)
{
    if (!lc_conv_wgrad_wino_ok(c) || B < 1 || lc_gemm_isa() == LC_ISA_REF)
        return 0;
    wg_ctx k = {.c = c, .B = B, .TH = (c->OH + 1) / 2, .TW = (c->OW + 1) / 2, .x = x, .dy = dy,
                .dw = dw};
    k.T = B * k.TH * k.TW;
    const size_t T = (size_t)k.T;
    k.v = ws;
    k.m = k.v + WG_POS * T * c->C;
    k.u = k.m + WG_POS * T * c->OC;
    k.sc = k.u + WG_POS * (size_t)c->C * c->OC;
    k.sc_floats = scratch_floats(c);
    lc_pool_run(p, B, v_task, &k);
    lc_pool_run(p, B, m_task, &k);
    lc_pool_run(p, WG_POS, gemm_task, &k);
    lc_pool_run(p, (c->C + WG_CB - 1) / WG_CB, dw_task, &k);
    return 1;
}
