/* conv.c - 2-D convolution over a batch: im2col + the blocked GEMM, on the thread pool. (Under
 * AVX2 or AVX-512 the fused block's forward pass hands 3x3 stride-1 shapes to lc_conv_eval.h's
 * kernels.)
 *
 * Forward: one task per sample (im2col into the thread's buffer, y_b = W col + b).
 * Backward: one task per sample for dx = col2im(W^T dy) (or Winograd), then one task per block
 * of filter taps for dW = sum_s dy_s col_s^T, the samples in order (dw_tile_task). The fused
 * block's backward instead splits the batch into LC_REDUCE_CHUNKS fixed slices, each
 * accumulating [dW^T; db] in its own workspace partial, summed in chunk order. Either way the
 * work is split by the shapes alone, so results are bitwise identical for any thread count.
 * Activation, pooling and the caller's workspace allocation are left to others
 * (lc_conv2d_ws_floats says how much).
 */
#include "lc_conv.h"

#include "lc_conv_eval.h"
#include "lc_conv_isa.h"
#include "lc_dropmask.h"
#include "gemm_kernels.h"
#include "lc_gemm.h"
#include "lc_layers.h"
#include "lc_mem.h"

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- workspace layout (floats, every part a multiple of 16 so each stays 64-byte aligned) ----
 *   [thread t]  col (CKK+1, OHW): im2col plus a row of ones that turns the bias into one more
 *               k step of the GEMM (forward) and db into one more output row (backward);
 *               dcol (CKK, OHW); z (OC, OHW), the fused block's conv output or its
 *               gradient; km (OC, OHW), its dropout keep masks; tile, a block of dW^T
 *               (lc_conv2d_backward)                                 for t in [0, nthreads)
 *   wb          [w | b] (OC, CKK+1), the forward GEMM's A when there is a bias
 *   [chunk j]   [dW^T; db] partial (CKK+1, OC)                       for j in [0, LC_REDUCE_CHUNKS)
 *               (the fused block's backward); lc_conv2d_backward puts the batch's packed dy^T
 *               here instead (B, ceil(OC/NR) NR, OHW), over what follows when it is larger
 * dW is computed transposed (col dy^T) so that B, the packed operand, is the small dy. */

/* the weight gradient's tiles: whole input channels, about DW_TILE filter taps (plan_dw) */
enum { DW_TILE = 72 };

/* The weight gradient's split, from the shapes alone: tiles of cpt input channels (n = cpt KK
 * rows of dW^T; read from the image in place, dw_img_cpt's, else dw_col_cpt's: 160 rows at most,
 * the fewest left idle in the micro-kernel's last row panel of 12 (AVX-512's; AVX2's 6 divides
 * it), then the nearest to DW_TILE: 147 for a 7x7 stem of 3 channels), and, when there are fewer
 * than DW_TASKS tiles, the batch in kp fixed parts per tile (their partial tiles then summed in
 * part order) so that there are about DW_TASKS tasks. */
enum { DW_TASKS = 16, DW_ROWS_MAX = 160, DW_MR = 12 };

typedef struct dw_plan {
    int cpt, n, ntile, kp;
} dw_plan;

static int is_pointwise(const lc_conv2d *c);

/* Channels per row panel of the weight gradient read from the image in place (dw_img), and
 * the most filter taps it takes */
enum { DW_IMG_CH = 12, DW_IMG_TAPS = 64 };

/* Its tiles' channels: whole panels of DW_IMG_CH per tap, about DW_TILE rows in all, twice
 * that while the tile (rows x OC) stays within DW_IMG_TILE floats (fewer, larger tasks read
 * the packed dy^T fewer times: resnet18's layer1 weight gradient 11.3 -> 10.5 ms; beyond,
 * layer3's stride-2 convolution, 6.0 -> 6.8 ms) */
enum { DW_IMG_TILE = 64 * 1024 };
static int dw_img_cpt(const lc_conv2d *c)
{
    int kk = c->KH * c->KW, per = DW_TILE / (DW_IMG_CH * kk), cpt = DW_IMG_CH * (per > 1 ? per : 1);
    return (size_t)2 * cpt * kk * (size_t)c->OC <= DW_IMG_TILE ? 2 * cpt : cpt;
}

/* The weight gradient's A read from the (padded) image in place, tap by tap, each tap's rows
 * the tile's channels (lc_sgemm_bpacked_img), instead of from im2col rows built per sample: for
 * a dense convolution with enough channels, no dilation, stride 1 or 2 (pad_for_packing's
 * shapes, its padded copy of a tile's channels fitting the col buffer) and not pointwise at
 * stride 1 (whose image already is its col matrix). Under the vector ISAs only; the tiles are
 * the same under the reference ISA (plan_dw). */
static int dw_img(const lc_conv2d *c)
{
    size_t padded = (size_t)dw_img_cpt(c) * (size_t)(c->H + 2 * c->ph) * (size_t)(c->W + 2 * c->pw);
    return c->groups <= 1 && c->C >= DW_IMG_CH && c->KH * c->KW <= DW_IMG_TAPS && c->dh == 1 &&
           c->dw == 1 && c->sh == c->sw && (c->sh == 1 || c->sh == 2) && !is_pointwise(c) &&
           padded <= ((size_t)c->C * c->KH * c->KW + 1) * (size_t)c->OH * c->OW;
}

/* The im2col tiles' channels (see above) */
static int dw_col_cpt(const lc_conv2d *c)
{
    const int kk = c->KH * c->KW;
    int most = DW_ROWS_MAX / kk, cpt = 1, best_idle = -1, best_dist = 0;
    most = most < 1 ? 1 : most > c->C ? c->C : most;
    for (int t = 1; t <= most; t++) {
        int n = t * kk, idle = ((n + DW_MR - 1) / DW_MR * DW_MR - n) * 1000 / n;
        int dist = n > DW_TILE ? n - DW_TILE : DW_TILE - n;
        if (best_idle < 0 || idle < best_idle || (idle == best_idle && dist < best_dist)) {
            cpt = t;
            best_idle = idle;
            best_dist = dist;
        }
    }
    return cpt;
}

enum { DW_VROWS_PAD = LC_GEMM_MAX_MR }; /* the tallest row panel of any ISA's kernel */

/* Z's planes: C KH, and zero ones up to a whole row panel (the GEMM reads its last panel in
 * place: lc_gemm_img.zrows) */
static size_t dw_vrows_planes(const lc_conv2d *c)
{
    return ((size_t)c->C * c->KH + DW_VROWS_PAD - 1) / DW_VROWS_PAD * DW_VROWS_PAD;
}

/* A convolution with too few channels for dw_img (an RGB stem: 3 channels, 7x7, stride 2) whose
 * weight gradient is one tile of all its channels: its A read in place from a copy of the rows
 * the windows read, (channel, kernel row) pairs as the panels' rows (3 x 7 = 21 of them), one
 * input row per output row, the kernel's columns as the taps (dw_vrows_image). The copy is a
 * fraction of im2col's (21 x 112 x 230 floats a sample against 147 x 12544) and the GEMM runs on
 * lc_sgemm_bpacked_img's kernels. Its tile's rows come out (kernel column, channel, kernel row):
 * tap-major with KW taps, that is dW's own order per tap. */
static int dw_vrows(const lc_conv2d *c)
{
    const int Wp = c->W + 2 * c->pw;
    return c->groups <= 1 && !dw_img(c) && c->C * c->KH >= DW_IMG_CH && c->KW <= DW_IMG_TAPS &&
           c->dh == 1 && c->dw == 1 && c->sh == c->sw && (c->sh == 1 || c->sh == 2) &&
           !is_pointwise(c) && dw_col_cpt(c) >= c->C &&
           dw_vrows_planes(c) * c->OH * Wp <=
               ((size_t)c->C * c->KH * c->KW + 1) * (size_t)c->OH * c->OW;
}

/* Z (dw_vrows_planes planes of OH rows of Wp = W + 2 pw floats): plane (ci, kh), row oh is the
 * padded input row oh sh + kh of channel ci (zeros outside the image), then zero planes */
static void dw_vrows_image(const lc_conv2d *c, const float *x, float *z)
{
    const int Wp = c->W + 2 * c->pw;
    const size_t plane = (size_t)c->OH * Wp, used = (size_t)c->C * c->KH;
    memset(z + used * plane, 0, (dw_vrows_planes(c) - used) * plane * sizeof *z);
    for (int ci = 0; ci < c->C; ci++)
        for (int kh = 0; kh < c->KH; kh++)
            for (int oh = 0; oh < c->OH; oh++) {
                float *zr = z + (((size_t)ci * c->KH + kh) * c->OH + oh) * Wp;
                int ih = oh * c->sh + kh - c->ph;
                if (ih < 0 || ih >= c->H) {
                    memset(zr, 0, (size_t)Wp * sizeof *zr);
                    continue;
                }
                memset(zr, 0, (size_t)c->pw * sizeof *zr);
                memcpy(zr + c->pw, x + ((size_t)ci * c->H + ih) * c->W, (size_t)c->W * sizeof *zr);
                memset(zr + c->pw + c->W, 0, (size_t)(Wp - c->pw - c->W) * sizeof *zr);
            }
}

static dw_plan plan_dw(const lc_conv2d *c, int B)
{
    const int cpt = dw_img(c) ? dw_img_cpt(c) : dw_col_cpt(c);
    dw_plan d = {cpt, 0, (c->C + cpt - 1) / cpt, 1};
    d.n = cpt * c->KH * c->KW;
    if (d.ntile < DW_TASKS)
        d.kp = (DW_TASKS + d.ntile - 1) / d.ntile;
    if (B >= 1 && d.kp > B)
        d.kp = B;
    return d;
}

/* floats of the partial tiles (ntile kp blocks of (n, OC)) for any batch; 0 without parts */
static size_t dw_parts_floats(const lc_conv2d *c)
{
    dw_plan d = plan_dw(c, 0);
    size_t t;
    if (d.kp == 1)
        return 0;
    if (lc_size_mul((size_t)d.ntile * d.kp, (size_t)d.n, &t) != 0 ||
        lc_size_mul(t, (size_t)c->OC, &t) != 0 || t > SIZE_MAX / 8)
        return SIZE_MAX;
    return lc_round16(t);
}

typedef struct ws_layout {
    size_t col;    /* one col buffer */
    size_t thread; /* per-thread stride */
    size_t z;      /* offset of z within a thread's part */
    size_t km;     /* offset of the fused dropout's keep masks (OC, OHW) within a thread's part */
    size_t tile;   /* offset of the weight gradient's tile (plan_dw's n taps, OC) */
    size_t wb;     /* offset of [w | b] */
    size_t chunk;  /* per-chunk stride */
    size_t parts;  /* offset of the chunk partials */
} ws_layout;

static int layout(const lc_conv2d *c, int nthreads, ws_layout *l)
{
    size_t ckk1 = (size_t)c->C * c->KH * c->KW + 1, ohw = (size_t)c->OH * c->OW, t;
    if (lc_size_mul(ckk1, ohw, &t) != 0 || t > SIZE_MAX / 8)
        return -1;
    l->col = lc_round16(t);
    l->z = 2 * l->col;
    if (lc_size_mul((size_t)c->OC, ohw, &t) != 0 || t > SIZE_MAX / 8 || l->z > SIZE_MAX / 8)
        return -1;
    l->km = l->z + lc_round16(t);
    l->tile = l->km + lc_round16(t);
    if (lc_size_mul((size_t)plan_dw(c, 0).n, (size_t)c->OC, &t) != 0 ||
        t > SIZE_MAX / 8 || l->tile > SIZE_MAX / 8)
        return -1;
    l->thread = l->tile + lc_round16(t);
    if (lc_size_mul(ckk1, (size_t)c->OC, &t) != 0 || t > SIZE_MAX / 8)
        return -1;
    l->chunk = lc_round16(t);
    if (lc_size_mul(l->thread, (size_t)(nthreads < 1 ? 1 : nthreads), &l->wb) != 0 ||
        lc_size_add(l->wb, l->chunk, &l->parts) != 0)
        return -1;
    return 0;
}

/* floats before the evaluation forward's part (lc_conv_eval.h), which comes last */
static size_t exact_floats(const lc_conv2d *c, int nthreads)
{
    ws_layout l;
    size_t parts, total;
    if (layout(c, nthreads, &l) != 0 || lc_size_mul(l.chunk, LC_REDUCE_CHUNKS, &parts) != 0 ||
        lc_size_add(l.parts, parts, &total) != 0 || total > SIZE_MAX - 16)
        return SIZE_MAX;
    return lc_round16(total);
}

/* The convolution whose forward pass is c's input gradient, where Winograd can run it: a 3x3
 * stride-1 convolution with padding 1 has dx = conv(dy, w'), w' (C, OC, 3, 3) the filters
 * flipped and their channels swapped (which the weight transform reads from w in place,
 * lc_conv_eval_transposed), padding 1 again. 0 and *t planned, or -1. */
static int dgrad_conv(const lc_conv2d *c, lc_conv2d *t)
{
    if (c->groups > 1 || c->KH != 3 || c->KW != 3 || c->sh != 1 || c->sw != 1 || c->dh != 1 ||
        c->dw != 1 || c->ph != 1 || c->pw != 1 || c->OC <= LC_CONV_EVAL_DIRECT_MAX_C)
        return -1;
    *t = (lc_conv2d){.C = c->OC, .H = c->OH, .W = c->OW, .OC = c->C, .KH = 3, .KW = 3, .sh = 1,
                     .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1};
    return lc_conv2d_plan(t) == 0 && t->OH == c->H && t->OW == c->W ? 0 : -1;
}

/* floats of one sample's packed dy^T (lc_sgemm_pack_bt: (OHW, ceil(OC/NR) NR)) for the widest
 * NR of any ISA, so that the workspace fits whichever runs; SIZE_MAX on overflow */
static size_t dy_pack_floats1(const lc_conv2d *c)
{
    const int nr = LC_GEMM_AVX512_NR;
    size_t ocp = (size_t)(c->OC + nr - 1) / nr * nr, t;
    return lc_size_mul(ocp, (size_t)c->OH * c->OW, &t) != 0 || t > SIZE_MAX / 8 ? SIZE_MAX
                                                                                 : lc_round16(t);
}

static size_t dy_pack_floats(const lc_conv2d *c, int B)
{
    size_t one = dy_pack_floats1(c), t;
    return one == SIZE_MAX || lc_size_mul(one, (size_t)B, &t) != 0 ? SIZE_MAX : t;
}

size_t lc_conv2d_ws_floats(const lc_conv2d *c, int B, int nthreads)
{
    if (c->groups > 1)
        return 0; /* computed directly */
    size_t exact = exact_floats(c, nthreads), ev = lc_conv_eval_ws_floats(c, nthreads), total;
    lc_conv2d t;
    if (ev != SIZE_MAX && dgrad_conv(c, &t) == 0) {
        /* the backward pass's Winograd input gradient: its evaluation workspace (the
         * forward's part, unused by then) */
        size_t dg = lc_conv_eval_ws_floats(&t, nthreads);
        if (dg == SIZE_MAX)
            return SIZE_MAX;
        ev = dg > ev ? dg : ev;
    }
    if (exact == SIZE_MAX || ev == SIZE_MAX || lc_size_add(exact, ev, &total) != 0)
        return SIZE_MAX; /* no allocation can satisfy it */
    /* lc_conv2d_backward's packed dy^T from the partials' offset on */
    ws_layout l;
    size_t dyp = dy_pack_floats(c, B < 1 ? 1 : B), dwp = dw_parts_floats(c), end;
    if (layout(c, nthreads, &l) != 0 || dyp == SIZE_MAX || dwp == SIZE_MAX ||
        lc_size_add(l.parts, dyp, &end) != 0 || lc_size_add(end, dwp, &end) != 0)
        return SIZE_MAX;
    /* or the Winograd weight gradient's, from the start (the input gradient done by then) */
    size_t wg = lc_conv_wgrad_wino_floats(c, B < 1 ? 1 : B, nthreads);
    if (wg > end)
        end = wg;
    return end > total ? end : total;
}

/* ---- im2col / col2im ---- */

/* dst[0:n) = src[0:n): rows here are short (a feature map's width), so fixed-size copies that the
 * compiler inlines beat a call to memcpy */
static inline void copy_row(float *restrict dst, const float *restrict src, int n)
{
    for (; n >= 8; n -= 8, dst += 8, src += 8)
        memcpy(dst, src, 8 * sizeof *dst);
    if (n & 4) {
        memcpy(dst, src, 4 * sizeof *dst);
        dst += 4;
        src += 4;
    }
    if (n & 2) {
        memcpy(dst, src, 2 * sizeof *dst);
        dst += 2;
        src += 2;
    }
    if (n & 1)
        *dst = *src;
}

/* dst[0:n) += src[0:n) */
static inline void add_row(float *restrict dst, const float *restrict src, int n)
{
    for (; n >= 8; n -= 8, dst += 8, src += 8)
        for (int q = 0; q < 8; q++)
            dst[q] += src[q];
    for (int q = 0; q < n; q++)
        dst[q] += src[q];
}


void lc_im2col(const lc_conv2d *c, const float *x /* (C,H,W) */, float *col /* (CKK, OHW) */)
{
    const int OH = c->OH, OW = c->OW, sw = c->sw;
    if (c->sh == 1 && sw == 1 && c->ph == 0 && c->pw == 0 && c->dh == 1 && c->dw == 1 &&
        lc_gemm_isa() != LC_ISA_REF) {
        if (lc_gemm_isa() == LC_ISA_AVX512)
            lc_im2col_simple_avx512(c->C, c->H, c->W, c->KH, c->KW, OH, OW, x, col);
        else
            lc_im2col_simple_avx2(c->C, c->H, c->W, c->KH, c->KW, OH, OW, x, col);
        return;
    }
    if (c->sh == 1 && sw == 1 && c->ph == 0 && c->pw == 0 && c->dh == 1 && c->dw == 1) {
        /* the common case: every row of col is OH slices of OW consecutive inputs */
        for (int ci = 0; ci < c->C; ci++)
            for (int kh = 0; kh < c->KH; kh++)
                for (int kw = 0; kw < c->KW; kw++) {
                    const float *src = x + ((size_t)ci * c->H + kh) * c->W + kw;
                    for (int oh = 0; oh < OH; oh++, col += OW)
                        copy_row(col, src + (size_t)oh * c->W, OW);
                }
        return;
    }
    for (int ci = 0; ci < c->C; ci++)
        for (int kh = 0; kh < c->KH; kh++)
            for (int kw = 0; kw < c->KW; kw++) {
                float *row = col + ((size_t)(ci * c->KH + kh) * c->KW + kw) * OH * OW;
                int d = kw * c->dw - c->pw, lo, hi; /* input column of ow is ow*sw + d */
                lc_conv_valid_cols(OW, c->W, sw, d, &lo, &hi);
                for (int oh = 0; oh < OH; oh++) {
                    float *restrict r = row + (size_t)oh * OW;
                    int ih = oh * c->sh - c->ph + kh * c->dh;
                    if (ih < 0 || ih >= c->H) {
                        for (int ow = 0; ow < OW; ow++)
                            r[ow] = 0.0f;
                        continue;
                    }
                    const float *restrict xr = x + ((size_t)ci * c->H + ih) * c->W;
                    for (int ow = 0; ow < lo; ow++)
                        r[ow] = 0.0f;
                    if (sw == 1 && hi > lo)
                        copy_row(r + lo, xr + lo + d, hi - lo);
                    else
                        for (int ow = lo; ow < hi; ow++)
                            r[ow] = xr[ow * sw + d];
                    for (int ow = hi; ow < OW; ow++)
                        r[ow] = 0.0f;
                }
            }
}

void lc_col2im(const lc_conv2d *c, const float *col /* (CKK, OHW) */, float *x /* (C,H,W) */)
{
    const int OH = c->OH, OW = c->OW, sw = c->sw;
    if (c->sh == 1 && sw == 1 && c->ph == 0 && c->pw == 0 && c->dh == 1 && c->dw == 1 &&
        lc_gemm_isa() != LC_ISA_REF) {
        if (lc_gemm_isa() == LC_ISA_AVX512)
            lc_col2im_simple_avx512(c->C, c->H, c->W, c->KH, c->KW, OH, OW, col, x);
        else
            lc_col2im_simple_avx2(c->C, c->H, c->W, c->KH, c->KW, OH, OW, col, x);
        return;
    }
    for (int ci = 0; ci < c->C; ci++)
        for (int kh = 0; kh < c->KH; kh++)
            for (int kw = 0; kw < c->KW; kw++) {
                const float *row = col + ((size_t)(ci * c->KH + kh) * c->KW + kw) * OH * OW;
                int d = kw * c->dw - c->pw, lo, hi;
                lc_conv_valid_cols(OW, c->W, sw, d, &lo, &hi);
                for (int oh = 0; oh < OH; oh++) {
                    int ih = oh * c->sh - c->ph + kh * c->dh;
                    if (ih < 0 || ih >= c->H)
                        continue;
                    const float *restrict r = row + (size_t)oh * OW;
                    float *restrict xr = x + ((size_t)ci * c->H + ih) * c->W;
                    if (sw == 1 && hi > lo)
                        add_row(xr + lo + d, r + lo, hi - lo);
                    else
                        for (int ow = lo; ow < hi; ow++)
                            xr[ow * sw + d] += r[ow];
                }
            }
}

/* 1x1, stride 1, no padding: the input plane already is the col matrix (unless the fused
 * block cropped the output to its 2x2 windows: then the output plane is smaller) */
static int is_pointwise(const lc_conv2d *c)
{
    return c->KH == 1 && c->KW == 1 && c->sh == 1 && c->sw == 1 && c->ph == 0 && c->pw == 0 &&
           c->OH == c->H && c->OW == c->W;
}

/* Fills the thread's col buffer for sample xs, plus the row of ones when ones != 0. */
static void fill_col(const lc_conv2d *c, const float *xs, float *col, int ones)
{
    size_t ckk = (size_t)c->C * c->KH * c->KW, ohw = (size_t)c->OH * c->OW;
    if (is_pointwise(c))
        memcpy(col, xs, ckk * ohw * sizeof *col);
    else
        lc_im2col(c, xs, col);
    if (ones)
        for (size_t i = 0; i < ohw; i++)
            col[ckk * ohw + i] = 1.0f;
}

/* ---- im2col fused into the GEMM's packing ---- */

typedef struct col_src {
    const lc_conv2d *c;
    const float *x; /* (C,H,W) of one sample */
    int ckk;        /* rows of col; row ckk (when bias) is all ones */
} col_src;

/* Writes col(k, p0 .. p0+w) for one k straight from the image: col row k = (ci, kh, kw), column
 * p = (oh, ow) holds x[ci][oh*sh - ph + kh*dh][ow*sw - pw + kw*dw], 0 outside the image. */
static void col_row_segment(const col_src *cs, int k, int p0, int w, float *restrict d)
{
    const lc_conv2d *c = cs->c;
    if (k == cs->ckk) {
        for (int j = 0; j < w; j++)
            d[j] = 1.0f;
        return;
    }
    const int OW = c->OW, kw = k % c->KW, kh = k / c->KW % c->KH, ci = k / (c->KW * c->KH);
    const float *plane = cs->x + (size_t)ci * c->H * c->W;
    int oh = p0 / OW, ow = p0 % OW, done = 0;
    const int simple = c->sh == 1 && c->sw == 1 && c->ph == 0 && c->pw == 0 && c->dh == 1 &&
                       c->dw == 1;
    /* output columns [lo, hi) read inside the image (input column ow sw + off); the others are
     * the zero padding */
    const int off = kw * c->dw - c->pw;
    int lo, hi;
    lc_conv_valid_cols(OW, c->W, c->sw, off, &lo, &hi);
    while (done < w) {
        int run = OW - ow < w - done ? OW - ow : w - done;
        float *restrict r = d + done;
        if (simple) {
            copy_row(r, plane + (size_t)(oh + kh) * c->W + ow + kw, run);
        } else {
            int ih = oh * c->sh - c->ph + kh * c->dh;
            /* this run's columns inside the image: [a, b) of [ow, ow + run) */
            int a = lo > ow ? lo : ow, b = hi < ow + run ? hi : ow + run;
            if (ih < 0 || ih >= c->H || b <= a)
                a = b = ow + run;
            for (int j = 0; j < a - ow; j++)
                r[j] = 0.0f;
            if (b > a) {
                const float *xr = plane + (size_t)ih * c->W;
                if (c->sw == 1)
                    copy_row(r + (a - ow), xr + a + off, b - a);
                else
                    for (int q = a; q < b; q++)
                        r[q - ow] = xr[q * c->sw + off];
            }
            for (int j = b - ow; j < run; j++)
                r[j] = 0.0f;
        }
        done += run;
        oh++;
        ow = 0;
    }
}

static void col_pack(const void *vctx, int k0, int kc, int j0, int nc, int NR, float *dst)
{
    const col_src *cs = vctx;
    const lc_conv2d *c = cs->c;
    const int simple = c->sh == 1 && c->sw == 1 && c->ph == 0 && c->pw == 0 && c->dh == 1 &&
                       c->dw == 1;
    /* unpadded and undilated, stride 1 or 2 both ways: the vector packers */
    const int S = c->sh == c->sw && (c->sh == 1 || c->sh == 2) && c->ph == 0 && c->pw == 0 &&
                          c->dh == 1 && c->dw == 1
                      ? c->sh
                      : 0;
    if (S && NR == 32 && lc_gemm_isa() == LC_ISA_AVX512) {
        lc_col_pack_simple_avx512(cs->x, c->H, c->W, c->KH, c->KW, c->OW, S, cs->ckk, k0, kc, j0,
                                  nc, dst);
        return;
    }
    if (S && NR == 16 && lc_gemm_isa() == LC_ISA_AVX2) {
        lc_col_pack_simple_avx2(cs->x, c->H, c->W, c->KH, c->KW, c->OW, S, cs->ckk, k0, kc, j0, nc,
                                dst);
        return;
    }
    for (int jp = 0; jp < nc; jp += NR) {
        int w = nc - jp < NR ? nc - jp : NR;
        float *d = dst + (size_t)jp * kc;
        if (!simple) {
            for (int k = 0; k < kc; k++, d += NR) {
                col_row_segment(cs, k0 + k, j0 + jp, w, d);
                for (int j = w; j < NR; j++)
                    d[j] = 0.0f;
            }
            continue;
        }
        /* stride 1, no padding: the panel's pixels are a few runs of one row each; walk k
         * = (ci, kh, kw) incrementally, without divisions */
        const int OW = c->OW, W = c->W, p0 = j0 + jp;
        const int oh0 = p0 / OW, ow0 = p0 % OW, first = OW - ow0 < w ? OW - ow0 : w;
        int kw = k0 % c->KW, kh = k0 / c->KW % c->KH, ci = k0 / (c->KW * c->KH);
        for (int k = 0; k < kc; k++, d += NR) {
            if (k0 + k == cs->ckk) {
                for (int j = 0; j < w; j++)
                    d[j] = 1.0f;
            } else {
                const float *src =
                    cs->x + ((size_t)ci * c->H + oh0 + kh) * W + ow0 + kw;
                copy_row(d, src, first);
                int done = first;
                src += W - ow0;
                while (done < w) {
                    int run = OW < w - done ? OW : w - done;
                    copy_row(d + done, src, run);
                    done += run;
                    src += W;
                }
                if (++kw == c->KW) {
                    kw = 0;
                    if (++kh == c->KH) {
                        kh = 0;
                        ci++;
                    }
                }
            }
            for (int j = w; j < NR; j++)
                d[j] = 0.0f;
        }
    }
}

/* A stride-1 or 2 convolution with zero padding, as one without: the sample's image copied into
 * buf with its padding around it (the direct path's lc_conv_eval_pad_planes), and *u the same
 * convolution of that larger image without padding (the same output size). Its columns are the
 * same numbers, which the ISA's packer then copies in runs instead of testing every element
 * against the image's edges. Returns the image to read, xs itself when the shape does not apply
 * or buf (bufn floats) is too small. */
static const float *pad_for_packing(const lc_conv2d *c, const float *xs, float *buf, size_t bufn,
                                    lc_conv2d *u)
{
    const int Hp = c->H + 2 * c->ph, Wp = c->W + 2 * c->pw;
    if (c->sh != c->sw || (c->sh != 1 && c->sh != 2) || c->dh != 1 || c->dw != 1 ||
        (c->ph == 0 && c->pw == 0) || lc_gemm_isa() == LC_ISA_REF ||
        (size_t)c->C * Hp * Wp > bufn)
        return xs;
    lc_conv_eval_pad_planes(c, xs, buf);
    *u = *c;
    u->H = Hp;
    u->W = Wp;
    u->ph = u->pw = 0;
    return buf;
}

/* z (OC, OHW) = A [col; 1] for sample xs, packing col straight from the image when the ISA
 * packs (a padded image first copied into the thread's col buffer, colbufn floats, with its
 * padding); otherwise through the col buffer. Same bits either way for a given ISA. */
static void conv_gemm_fwd(const lc_conv2d *c, const float *xs, const float *a, int kb,
                          float *colbuf, size_t colbufn, float *z)
{
    int OHW = c->OH * c->OW, ckk = c->C * c->KH * c->KW;
    if (is_pointwise(c) && kb == ckk) {
        lc_sgemm(0, 0, c->OC, OHW, kb, 1.0f, a, kb, xs, OHW, 0.0f, z, OHW);
        return;
    }
    lc_conv2d u;
    const float *xp = pad_for_packing(c, xs, colbuf, colbufn, &u);
    col_src cs = {xp == xs ? c : &u, xp, ckk};
    lc_gemm_bsrc src = {col_pack, &cs};
    if (lc_sgemm_bsrc(c->OC, OHW, kb, a, kb, &src, 0.0f, z, OHW) == 0)
        return;
    fill_col(c, xs, colbuf, kb > ckk);
    lc_sgemm(0, 0, c->OC, OHW, kb, 1.0f, a, kb, colbuf, OHW, 0.0f, z, OHW);
}

/* ---- forward ---- */

typedef struct fwd_ctx {
    const lc_conv2d *c;
    const float *x, *a; /* a: w (OC, CKK) or [w | b] (OC, CKK+1) */
    int kb;             /* GEMM k: CKK, or CKK+1 with the bias */
    float *y, *ws;
    ws_layout l;
} fwd_ctx;

static void fwd_task(void *vctx, int s, int thread)
{
    const fwd_ctx *f = vctx;
    const lc_conv2d *c = f->c;
    int OHW = c->OH * c->OW;
    const float *xs = f->x + (size_t)s * c->C * c->H * c->W;
    float *ys = f->y + (size_t)s * c->OC * OHW;
    conv_gemm_fwd(c, xs, f->a, f->kb, f->ws + (size_t)thread * f->l.thread, f->l.col, ys);
}

/* [w | b] into the workspace when there is a bias; returns the GEMM's A and sets *kb */
static const float *weights_with_bias(const lc_conv2d *c, const float *w, const float *b,
                                      float *wb, int *kb)
{
    int ckk = c->C * c->KH * c->KW;
    *kb = ckk;
    if (!b)
        return w;
    for (int oc = 0; oc < c->OC; oc++) {
        memcpy(wb + (size_t)oc * (ckk + 1), w + (size_t)oc * ckk, (size_t)ckk * sizeof *wb);
        wb[(size_t)oc * (ckk + 1) + ckk] = b[oc];
    }
    *kb = ckk + 1;
    return wb;
}

void lc_conv2d_forward(lc_pool *p, const lc_conv2d *c, int B, const float *x /* (B,C,H,W) */,
                       const float *w /* (OC,C,KH,KW) */, const float *b /* (OC) */,
                       float *y /* (B,OC,OH,OW) */, float *ws)
{
    if (c->groups > 1) {
        lc_gconv2d_forward(p, c, B, x, w, b, y);
        return;
    }
    fwd_ctx f = {c, x, w, 0, y, ws, {0}};
    if (B <= 0 || layout(c, lc_pool_threads(p), &f.l) != 0)
        return;
    /* y = [w | b] [col; 1]: the bias is the GEMM's last k step */
    f.a = weights_with_bias(c, w, b, ws + f.l.wb, &f.kb);
    lc_pool_run(p, B, fwd_task, &f);
}

void lc_conv2d_forward_winograd(lc_pool *p, const lc_conv2d *c, int B, const float *x,
                                const float *w, const float *b, float *y, float *ws,
                                int training, lc_conv_eval_ucache *uc)
{
    if (c->groups <= 1 && B > 0 &&
        lc_conv_eval_forward_linear(p, c, B, x, w, b, y, ws + exact_floats(c, lc_pool_threads(p)),
                                    !training, uc))
        return;
    lc_conv2d_forward(p, c, B, x, w, b, y, ws);
}

int lc_conv2d_forward_relu(lc_pool *p, const lc_conv2d *c, int B, const float *x,
                           const float *w, const float *b, float *y, float *ws,
                           lc_conv_eval_ucache *uc)
{
    return c->groups <= 1 && B > 0 &&
           lc_conv_eval_forward_relu(p, c, B, x, w, b, y,
                                     ws + exact_floats(c, lc_pool_threads(p)), 1, uc);
}

/* ---- backward ---- */

typedef struct bwd_ctx {
    const lc_conv2d *c;
    int B;
    const float *x, *w, *dy;
    float *dx, *dw, *db, *ws;
    ws_layout l;
    int nred;   /* element blocks of the final partial reduction (fused block) */
    size_t dyp; /* floats of the packed dy^T (lc_conv2d_backward) */
    int img;    /* the weight gradient's tiles are tap-major, read from the image (dw_img) */
    int acc;    /* dx += the input gradient (lc_conv2d_backward_acc) */
    int vrows;  /* the weight gradient read from dw_vrows_image's copy (dw_vrows) */
} bwd_ctx;

#define CKK_OF(c) ((c)->C * (c)->KH * (c)->KW)

/* Sample xs's share of a backward chunk: [dW^T; db] (CKK+1, OC) = (first) or += [col; 1]
 * (CKK+1, OHW) dy^T (OHW, OC), and, when dxs is given, dxs = (acc: +=) col2im(W^T dy). */
static void bwd_sample(const lc_conv2d *c, const float *xs, const float *w, const float *dys,
                       float *dxs, int acc, int wgrad, int bias, int first, float *col,
                       float *dcol, float *part)
{
    int CKK = c->C * c->KH * c->KW, OHW = c->OH * c->OW;
    if (wgrad) {
        fill_col(c, xs, col, bias);
        lc_sgemm(0, 1, CKK + (bias ? 1 : 0), c->OC, OHW, 1.0f, col, OHW, dys, OHW,
                 first ? 0.0f : 1.0f, part, c->OC);
    }
    if (!dxs)
        return;
    if (is_pointwise(c)) {
        lc_sgemm(1, 0, CKK, OHW, c->OC, 1.0f, w, CKK, dys, OHW, acc ? 1.0f : 0.0f, dxs, OHW);
        return;
    }
    lc_sgemm(1, 0, CKK, OHW, c->OC, 1.0f, w, CKK, dys, OHW, 0.0f, dcol, OHW);
    if (!acc)
        memset(dxs, 0, (size_t)c->C * c->H * c->W * sizeof *dxs);
    lc_col2im(c, dcol, dxs);
}

/* The input gradient of sample s (the weight gradient comes from dw_tile_task) */
static void dx_task(void *vctx, int s, int thread)
{
    const bwd_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    size_t xsz = (size_t)c->C * c->H * c->W, ysz = (size_t)c->OC * c->OH * c->OW;
    float *col = k->ws + (size_t)thread * k->l.thread;
    bwd_sample(c, NULL, k->w, k->dy + (size_t)s * ysz, k->dx + (size_t)s * xsz, k->acc, 0, 0,
               0, col, col + k->l.col, NULL);
}

/* The weight gradient's tiles: dW^T (CKK, OC) = sum over samples of col_s (CKK, OHW) dy_s^T, one
 * task per block of input channels (plan_dw: rows of dW^T), the samples in order (or in kp fixed
 * parts). A task builds only its channels' rows of col (from a padded copy of those channels
 * where the packing copies do), multiplies them with the sample's dy^T, packed once for every
 * task (dy_pack_task) and read in place (lc_sgemm_bpacked), and accumulates into its own block
 * of dW^T in the workspace, in cache; then writes that block into dW. No per-chunk partials of
 * the whole dW to write and sum. Each element of dW is one task's (or its parts', summed in
 * order), in an order fixed by the shapes: the same bits on any thread count. The last task
 * sums db (samples in order, pixels in 16 lanes, then pairwise). */
static void dy_pack_task(void *vctx, int s, int thread)
{
    const bwd_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    const int OHW = c->OH * c->OW;
    (void)thread;
    lc_sgemm_pack_bt(OHW, c->OC, k->dy + (size_t)s * c->OC * OHW, OHW,
                     k->ws + k->l.parts + (size_t)s * dy_pack_floats1(c));
}

/* A block of dW^T (n taps from q0, OC) written into dW (OC, CKK); its rows tap-major (tap t,
 * channel i at t * (n / KK) + i) when k->img. Under AVX-512 or AVX2 by register transposes: the
 * tile's rows read a line at a time (one element per line, OC floats apart, was 2% of a resnet18
 * training step), tap-major tiles one channel's KK rows (n / KK rows apart) at a time. */
static void tile_to_dw(const bwd_ctx *k, int q0, int n, const float *tile)
{
    /* (dw_vrows: the taps are the kernel's columns, the channels (channel, kernel row) pairs) */
    const int OC = k->c->OC, CKK = CKK_OF(k->c);
    const int KK = k->vrows ? k->c->KW : k->c->KH * k->c->KW, nc = n / KK;
    const lc_isa isa = lc_gemm_isa();
    if (isa != LC_ISA_REF) {
        void (*tr)(const float *, size_t, int, int, float *, size_t) =
            isa == LC_ISA_AVX512 ? lc_transpose_avx512 : lc_transpose_avx2;
        if (!k->img && !k->vrows)
            tr(tile, (size_t)OC, n, OC, k->dw + q0, (size_t)CKK);
        else
            for (int ci = 0; ci < nc; ci++)
                tr(tile + (size_t)ci * OC, (size_t)nc * OC, KK, OC, k->dw + q0 + ci * KK,
                   (size_t)CKK);
        return;
    }
    if (!k->img && !k->vrows) {
        for (int oc = 0; oc < OC; oc++)
            for (int i = 0; i < n; i++)
                k->dw[(size_t)oc * CKK + q0 + i] = tile[(size_t)i * OC + oc];
        return;
    }
    for (int oc = 0; oc < OC; oc++) {
        float *d = k->dw + (size_t)oc * CKK + q0;
        for (int ci = 0; ci < nc; ci++)
            for (int t = 0; t < KK; t++)
                d[ci * KK + t] = tile[((size_t)t * nc + ci) * OC + oc];
    }
}

static void dw_tile_task(void *vctx, int t, int thread)
{
    const bwd_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    const int OC = c->OC, OHW = c->OH * c->OW, KK = c->KH * c->KW;
    const size_t xsz = (size_t)c->C * c->H * c->W, ysz = (size_t)OC * OHW;
    const dw_plan d = plan_dw(c, k->B);
    if (t == d.ntile * d.kp) { /* db */
        for (int oc = 0; k->db && oc < OC; oc++) {
            float lane[16] = {0};
            for (int s = 0; s < k->B; s++) {
                const float *r = k->dy + s * ysz + (size_t)oc * OHW;
                int p = 0;
                for (; p + 16 <= OHW; p += 16)
                    for (int i = 0; i < 16; i++)
                        lane[i] += r[p + i];
                for (int i = 0; p + i < OHW; i++)
                    lane[i] += r[p + i];
            }
            for (int h = 8; h > 0; h /= 2) /* pairwise: lanes i and i + h */
                for (int i = 0; i < h; i++)
                    lane[i] += lane[i + h];
            k->db[oc] = lane[0];
        }
        return;
    }
    const int tl = t / d.kp, part = t % d.kp, ci0 = tl * d.cpt;
    const int s0 = (int)((long)k->B * part / d.kp), s1 = (int)((long)k->B * (part + 1) / d.kp);
    lc_conv2d sub = *c; /* this tile's channels alone */
    sub.C = c->C - ci0 < d.cpt ? c->C - ci0 : d.cpt;
    const int q0 = ci0 * KK, n = sub.C * KK;
    float *col = k->ws + (size_t)thread * k->l.thread; /* (n, OHW) */
    float *pad = col + k->l.col;                        /* the padded channels, in dcol's place */
    float *tile = d.kp == 1 ? col + k->l.tile           /* (n, OC) */
                            : k->ws + k->l.parts + k->dyp + (size_t)t * d.n * OC;
    const int packed = lc_sgemm_nr() != 0;
    for (int s = s0; s < s1; s++) {
        const float *xs = k->x + s * xsz + (size_t)ci0 * c->H * c->W;
        const float *dyp = k->ws + k->l.parts + (size_t)s * dy_pack_floats1(c);
        float beta = s > s0 ? 1.0f : 0.0f;
        if (k->img) { /* the image read in place, tap by tap */
            lc_conv2d u = sub;
            const float *xp = pad_for_packing(&sub, xs, pad, k->l.col, &u);
            ptrdiff_t tap[DW_IMG_TAPS];
            for (int q = 0; q < KK; q++)
                tap[q] = (ptrdiff_t)(q / c->KW) * u.W + q % c->KW;
            lc_gemm_img img = {.a = xp, .rs = (ptrdiff_t)u.H * u.W, .cs = c->sw,
                               .row = (ptrdiff_t)c->sh * u.W, .L = c->OW};
            lc_sgemm_bpacked_img(KK, tap, sub.C, OC, OHW, &img, dyp, beta, tile, OC);
            continue;
        }
        if (k->vrows) { /* one tile of every channel: the windows' rows copied, read in place */
            const int Wp = c->W + 2 * c->pw;
            ptrdiff_t tap[DW_IMG_TAPS];
            for (int q = 0; q < c->KW; q++)
                tap[q] = q;
            dw_vrows_image(c, xs, col);
            lc_gemm_img img = {.a = col, .rs = (ptrdiff_t)c->OH * Wp, .cs = c->sw,
                               .row = Wp, .L = c->OW, .zrows = 1};
            lc_sgemm_bpacked_img(c->KW, tap, c->C * c->KH, OC, OHW, &img, dyp, beta, tile, OC);
            continue;
        }
        const float *rows = xs; /* col is the image itself for a pointwise convolution */
        if (!is_pointwise(c)) {
            lc_conv2d u;
            const float *xp = pad_for_packing(&sub, xs, pad, k->l.col, &u);
            lc_im2col(xp == xs ? &sub : &u, xp, col);
            rows = col;
        }
        if (!packed || lc_sgemm_bpacked(n, OC, OHW, rows, OHW, dyp, beta, tile, OC) != 0)
            lc_sgemm(0, 1, n, OC, OHW, 1.0f, rows, OHW, k->dy + s * ysz, OHW, beta, tile, OC);
    }
    if (s0 == s1)
        memset(tile, 0, (size_t)n * OC * sizeof *tile);
    if (d.kp == 1)
        tile_to_dw(k, q0, n, tile);
}

/* A tile's kp partial blocks summed in part order into dW */
static void dw_sum_task(void *vctx, int tl, int thread)
{
    const bwd_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    const int OC = c->OC, KK = c->KH * c->KW;
    const dw_plan d = plan_dw(c, k->B);
    const int ci0 = tl * d.cpt, n = (c->C - ci0 < d.cpt ? c->C - ci0 : d.cpt) * KK;
    const float *base = k->ws + k->l.parts + k->dyp + (size_t)tl * d.kp * d.n * OC;
    float *acc = k->ws + (size_t)thread * k->l.thread + k->l.tile; /* (n, OC) */
    memcpy(acc, base, (size_t)n * OC * sizeof *acc);
    for (int j = 1; j < d.kp; j++) {
        const float *pj = base + (size_t)j * d.n * OC;
        for (size_t e = 0; e < (size_t)n * OC; e++)
            acc[e] += pj[e];
    }
    tile_to_dw(k, ci0 * KK, n, acc);
}

/* Sums the chunk partials in chunk order (each element: chunk 0, then + 1, ..., + 15): task
 * t < nred covers a block of the partials' rows (dW's columns, the CKK filter taps), task nred db.
 * The partials are (CKK+1, OC): the sums run along their rows, 8 taps by 256 channels at a time,
 * and each tile is written out transposed once (reading them down the columns, stride OC, took
 * 40% of a resnet's training step). */
enum { RED_TQ = 8, RED_TO = 256 };

static void bwd_reduce_task(void *vctx, int t, int thread)
{
    const bwd_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    const int OC = c->OC, CKK = c->C * c->KH * c->KW;
    const float *base = k->ws + k->l.parts;
    (void)thread;
    if (t == k->nred) {
        if (k->db)
            for (int oc = 0; oc < OC; oc++) {
                float sum = base[(size_t)CKK * OC + oc];
                for (int j = 1; j < LC_REDUCE_CHUNKS; j++)
                    sum += base[(size_t)j * k->l.chunk + (size_t)CKK * OC + oc];
                k->db[oc] = sum;
            }
        return;
    }
    if (!k->dw)
        return;
    int q0 = (int)((long)CKK * t / k->nred), q1 = (int)((long)CKK * (t + 1) / k->nred);
    float acc[RED_TQ][RED_TO];
    for (int qb = q0; qb < q1; qb += RED_TQ) {
        int nq = q1 - qb < RED_TQ ? q1 - qb : RED_TQ;
        for (int ob = 0; ob < OC; ob += RED_TO) {
            int no = OC - ob < RED_TO ? OC - ob : RED_TO;
            for (int qi = 0; qi < nq; qi++)
                memcpy(acc[qi], base + (size_t)(qb + qi) * OC + ob, (size_t)no * sizeof(float));
            for (int j = 1; j < LC_REDUCE_CHUNKS; j++) {
                const float *pj = base + (size_t)j * k->l.chunk;
                for (int qi = 0; qi < nq; qi++) {
                    const float *src = pj + (size_t)(qb + qi) * OC + ob;
                    float *a = acc[qi];
                    for (int o = 0; o < no; o++)
                        a[o] += src[o];
                }
            }
            for (int o = 0; o < no; o++) {
                float *dst = k->dw + (size_t)(ob + o) * CKK + qb;
                for (int qi = 0; qi < nq; qi++)
                    dst[qi] = acc[qi][o];
            }
        }
    }
}

static void conv2d_backward(lc_pool *p, const lc_conv2d *c, int B, const float *x,
                            const float *w, const float *dy, float *dx, int acc, float *dw,
                            float *db, float *ws)
{
    if (c->groups > 1) {
        lc_gconv2d_backward(p, c, B, x, w, dy, dx, dw, db);
        return;
    }
    bwd_ctx k = {c, B < 0 ? 0 : B, x, w, dy, dx, dw, db, ws, {0}, 0, 0,
                 dw_img(c) && lc_sgemm_nr() != 0, acc, dw_vrows(c) && lc_sgemm_nr() != 0};
    if (layout(c, lc_pool_threads(p), &k.l) != 0)
        return;
    if (!dx && !dw && !db)
        return;
    if (k.B == 0) { /* no samples: zero gradients */
        if (dw)
            memset(dw, 0, (size_t)c->OC * CKK_OF(c) * sizeof *dw);
        if (db)
            memset(db, 0, (size_t)c->OC * sizeof *db);
        return;
    }
    /* the input gradient of a 3x3 stride-1 convolution through Winograd where the ISA has it
     * (dgrad_conv; its scratch lies past the chunks' buffers): the chunks then compute dw
     * and db only. F(4x4, 3x3) on large maps: unlike the training forward's (lc_conv_eval.h),
     * it left test_tvresnet's gradients where they were (resnet50: 0.0086 of float64's) */
    lc_conv2d t;
    if (dx && k.B > 0 && lc_gemm_isa() != LC_ISA_REF && dgrad_conv(c, &t) == 0 &&
        lc_conv_eval_transposed(p, &t, k.B, dy, w, dx, ws + exact_floats(c, lc_pool_threads(p)),
                                1, acc))
        k.dx = NULL;
    if (k.dx)
        lc_pool_run(p, k.B, dx_task, &k);
    /* a small map's weight gradient through Winograd (conv_wgrad.c): then db alone below */
    if (dw && lc_conv_wgrad_wino(p, c, k.B, x, dy, dw, ws))
        dw = NULL;
    if (dw && lc_sgemm_nr() != 0) /* dy^T packed once for every tile */
        lc_pool_run(p, k.B, dy_pack_task, &k);
    /* a frozen convolution (dw and db NULL) passes its input gradient only */
    dw_plan d = plan_dw(c, k.B);
    k.dyp = dy_pack_floats(c, k.B); /* the partial tiles follow the packed dy^T */
    int nt = d.ntile * d.kp;        /* dW's tasks, then db's */
    if (dw) {
        lc_pool_run(p, db ? nt + 1 : nt, dw_tile_task, &k);
        if (d.kp > 1)
            lc_pool_run(p, d.ntile, dw_sum_task, &k);
    } else if (db) {
        dw_tile_task(&k, nt, 0);
    }
}

void lc_conv2d_backward(lc_pool *p, const lc_conv2d *c, int B, const float *x /* (B,C,H,W) */,
                        const float *w /* (OC,C,KH,KW) */, const float *dy /* (B,OC,OH,OW) */,
                        float *dx /* (B,C,H,W) */, float *dw /* (OC,C,KH,KW) */,
                        float *db /* (OC) */, float *ws)
{
    conv2d_backward(p, c, B, x, w, dy, dx, 0, dw, db, ws);
}

int lc_conv2d_backward_acc(lc_pool *p, const lc_conv2d *c, int B, const float *x, const float *w,
                           const float *dy, float *dx, float *dw, float *db, float *ws)
{
    if (c->groups > 1 || B < 1)
        return 0;
    conv2d_backward(p, c, B, x, w, dy, dx, 1, dw, db, ws);
    return 1;
}

/* ---- the fused block: conv -> ReLU -> dropout -> max-pool ---- */

typedef struct fused_ctx {
    const lc_conv2d *c;    /* the convolution as computed: cropped to the pooled windows */
    const lc_conv2d *full; /* as planned: dropout masks are indexed in its output layout */
    const lc_conv_fuse *f;
    int B, kb, nred;
    const float *x, *a, *w, *y, *dy;
    float *yo, *dx, *dw, *db, *ws;
    unsigned char *am;
    const unsigned char *am_in;
    float rate, scale;
    uint32_t thr;
    uint64_t seed, layer, step;
    ws_layout l;
} fused_ctx;

static inline uint32_t f2u(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static inline float u2f(uint32_t u)
{
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* Sample s's dropout keep masks: all-ones where element i (order as lc_dropout_forward) is kept,
 * zero where dropped. */
static void fused_keep_masks(const fused_ctx *k, int s, uint32_t *restrict km, size_t n)
{
    uint64_t key = lc_dropout_key(k->seed, k->layer, k->step, (uint64_t)s);
    const uint32_t thr = k->thr;
    if (lc_gemm_isa() == LC_ISA_AVX512) {
        lc_keep_masks_avx512(key, n, thr, km);
        return;
    }
    if (lc_gemm_isa() == LC_ISA_AVX2) {
        lc_keep_masks_avx2(key, n, thr, km);
        return;
    }
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        uint64_t h = lc_splitmix_at(key, i >> 1);
        km[i] = -(uint32_t)((uint32_t)h >= thr);
        km[i + 1] = -(uint32_t)((uint32_t)(h >> 32) >= thr);
    }
    if (i < n)
        km[i] = -(uint32_t)((uint32_t)lc_splitmix_at(key, i >> 1) >= thr);
}

/* ReLU then dropout of one conv output: the bits of v * scale where v > 0 and the element is
 * kept, +0 otherwise - exactly what lc_act_forward then lc_dropout_forward compute. Without
 * dropout scale is 1 and keep all-ones. Branch-free: the keep bits are random. */
static inline uint32_t act1(float v, float scale, uint32_t keep)
{
    return f2u(v * scale) & keep & -(uint32_t)(v > 0.0f);
}

/* z (OC*OHW) -> ReLU, dropout, in place */
static void fused_act_drop(float *restrict z, const uint32_t *km, float scale, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128 zero = _mm_setzero_ps(), vs = _mm_set1_ps(scale);
    const __m128 ones = _mm_castsi128_ps(_mm_set1_epi32(-1));
    for (; i + 4 <= n; i += 4) {
        __m128 v = _mm_loadu_ps(z + i);
        __m128 keep = km ? _mm_loadu_ps((const float *)(km + i)) : ones;
        __m128 r = _mm_and_ps(_mm_and_ps(_mm_mul_ps(v, vs), keep), _mm_cmpgt_ps(v, zero));
        _mm_storeu_ps(z + i, r);
    }
#endif
    for (; i < n; i++)
        z[i] = u2f(act1(z[i], scale, km ? km[i] : ~0u));
}

/* ReLU, dropout and a 2x2 stride-2 max-pool of z (OC, OH, OW) in one pass. After ReLU every
 * value is +0, positive or +inf, and their order is that of their bit patterns as (signed or
 * unsigned) integers, so the comparisons run on integers, without branches; the first maximum
 * wins, as torch. Windows of 4 come in one vector step (even and odd columns deinterleaved). */
static void fused_pool2x2(const lc_conv2d *c, const lc_conv_fuse *f, const float *z,
                          const uint32_t *km, int kOW, int kOHW, float scale,
                          float *y /* (OC, POH, POW) */, unsigned char *am)
{
    const int OW = c->OW, OHW = c->OH * c->OW, POW = f->POW;
    if (lc_gemm_isa() == LC_ISA_AVX512) {
        lc_pool2x2_act_avx512(c->OC, OW, OHW, f->POH, POW, z, km, kOW, kOHW, scale, y, am);
        return;
    }
    if (lc_gemm_isa() == LC_ISA_AVX2) {
        lc_pool2x2_act_avx2(c->OC, OW, OHW, f->POH, POW, z, km, kOW, kOHW, scale, y, am);
        return;
    }
#ifdef __SSE2__
    const __m128 zero = _mm_setzero_ps(), vs = _mm_set1_ps(scale);
    const __m128 ones = _mm_castsi128_ps(_mm_set1_epi32(-1));
    const __m128i two = _mm_set1_epi32(2);
#endif
    for (int oc = 0; oc < c->OC; oc++)
        for (int ph = 0; ph < f->POH; ph++) {
            size_t r0 = (size_t)oc * OHW + (size_t)(2 * ph) * OW, r1 = r0 + OW;
            size_t k0 = (size_t)oc * kOHW + (size_t)(2 * ph) * kOW, k1 = k0 + kOW; /* in km */
            int pw = 0;
#ifdef __SSE2__
            /* steps of 4 windows; a ragged end is one more step over the last 4 windows
             * (recomputing a few: the same values land in the same places) */
            while (pw < POW && POW >= 4) {
                if (pw + 4 > POW) {
                    y -= pw - (POW - 4);
                    am -= pw - (POW - 4);
                    pw = POW - 4;
                }
                size_t q0 = r0 + 2 * (size_t)pw, q1 = r1 + 2 * (size_t)pw;
                __m128 l0 = _mm_loadu_ps(z + q0), h0 = _mm_loadu_ps(z + q0 + 4);
                __m128 l1 = _mm_loadu_ps(z + q1), h1 = _mm_loadu_ps(z + q1 + 4);
                __m128 va = _mm_shuffle_ps(l0, h0, _MM_SHUFFLE(2, 0, 2, 0));
                __m128 vb = _mm_shuffle_ps(l0, h0, _MM_SHUFFLE(3, 1, 3, 1));
                __m128 vc = _mm_shuffle_ps(l1, h1, _MM_SHUFFLE(2, 0, 2, 0));
                __m128 vd = _mm_shuffle_ps(l1, h1, _MM_SHUFFLE(3, 1, 3, 1));
                __m128 ka = ones, kb = ones, kc = ones, kd = ones;
                if (km) {
                    const uint32_t *c0 = km + k0 + 2 * (size_t)pw, *c1 = km + k1 + 2 * (size_t)pw;
                    __m128 m0 = _mm_loadu_ps((const float *)c0);
                    __m128 n0 = _mm_loadu_ps((const float *)(c0 + 4));
                    __m128 m1 = _mm_loadu_ps((const float *)c1);
                    __m128 n1 = _mm_loadu_ps((const float *)(c1 + 4));
                    ka = _mm_shuffle_ps(m0, n0, _MM_SHUFFLE(2, 0, 2, 0));
                    kb = _mm_shuffle_ps(m0, n0, _MM_SHUFFLE(3, 1, 3, 1));
                    kc = _mm_shuffle_ps(m1, n1, _MM_SHUFFLE(2, 0, 2, 0));
                    kd = _mm_shuffle_ps(m1, n1, _MM_SHUFFLE(3, 1, 3, 1));
                }
#define LC_ACT4(v, k) _mm_castps_si128(_mm_and_ps(_mm_and_ps(_mm_mul_ps(v, vs), k), _mm_cmpgt_ps(v, zero)))
                __m128i a = LC_ACT4(va, ka), b = LC_ACT4(vb, kb);
                __m128i cc = LC_ACT4(vc, kc), d = LC_ACT4(vd, kd);
#undef LC_ACT4
                __m128i i1 = _mm_cmpgt_epi32(b, a), i2 = _mm_cmpgt_epi32(d, cc);
                __m128i m1 = _mm_or_si128(_mm_and_si128(i1, b), _mm_andnot_si128(i1, a));
                __m128i m2 = _mm_or_si128(_mm_and_si128(i2, d), _mm_andnot_si128(i2, cc));
                __m128i i3 = _mm_cmpgt_epi32(m2, m1);
                __m128i m = _mm_or_si128(_mm_and_si128(i3, m2), _mm_andnot_si128(i3, m1));
                /* offsets: i3 ? 2 + [d > c] : [b > a]; the masks are -1 or 0 */
                __m128i idx = _mm_or_si128(_mm_and_si128(i3, _mm_sub_epi32(two, i2)),
                                           _mm_andnot_si128(i3, _mm_sub_epi32(_mm_setzero_si128(), i1)));
                _mm_storeu_ps(y, _mm_castsi128_ps(m));
                __m128i bytes = _mm_packus_epi16(_mm_packs_epi32(idx, idx), _mm_setzero_si128());
                uint32_t packed = (uint32_t)_mm_cvtsi128_si32(bytes);
                memcpy(am, &packed, 4);
                pw += 4;
                y += 4;
                am += 4;
            }
#endif
            for (; pw < POW; pw++) {
                size_t q0 = r0 + 2 * (size_t)pw, q1 = r1 + 2 * (size_t)pw;
                size_t e0 = k0 + 2 * (size_t)pw, e1 = k1 + 2 * (size_t)pw;
                uint32_t a = act1(z[q0], scale, km ? km[e0] : ~0u);
                uint32_t b = act1(z[q0 + 1], scale, km ? km[e0 + 1] : ~0u);
                uint32_t cc = act1(z[q1], scale, km ? km[e1] : ~0u);
                uint32_t d = act1(z[q1 + 1], scale, km ? km[e1 + 1] : ~0u);
                uint32_t i1 = b > a, i2 = d > cc;
                uint32_t m1 = i1 ? b : a, m2 = i2 ? d : cc;
                uint32_t i3 = m2 > m1;
                *y++ = u2f(i3 ? m2 : m1);
                *am++ = (unsigned char)(i3 ? 2 + i2 : i1);
            }
        }
}

/* the general non-overlapping max-pool of z (already through ReLU and dropout) */
static void fused_pool(const lc_conv2d *c, const lc_conv_fuse *f, const float *z,
                       float *y /* (OC, POH, POW) */, unsigned char *am)
{
    const int OW = c->OW, OHW = c->OH * c->OW, pkh = f->pkh, pkw = f->pkw;
    for (int oc = 0; oc < c->OC; oc++) {
        const float *zc = z + (size_t)oc * OHW;
        for (int ph = 0; ph < f->POH; ph++)
            for (int pw = 0; pw < f->POW; pw++) {
                const float *win = zc + (size_t)(ph * pkh) * OW + pw * pkw;
                uint32_t m = f2u(win[0]);
                int mi = 0;
                for (int kh = 0; kh < pkh; kh++)
                    for (int kw = 0; kw < pkw; kw++) {
                        uint32_t v = f2u(win[(size_t)kh * OW + kw]);
                        int gt = v > m;
                        m = gt ? v : m;
                        mi = gt ? kh * pkw + kw : mi;
                    }
                *y++ = u2f(m);
                *am++ = (unsigned char)mi;
            }
    }
}

static void fused_fwd_task(void *vctx, int s, int thread)
{
    const fused_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    const lc_conv_fuse *f = k->f;
    const lc_conv2d *full = k->full;
    size_t n = (size_t)full->OC * full->OH * full->OW, on = lc_conv_fuse_out_floats(c, f);
    const float *xs = k->x + (size_t)s * c->C * c->H * c->W;
    float *part = k->ws + (size_t)thread * k->l.thread;
    float *z = f->pool ? part + k->l.z : k->yo + (size_t)s * on; /* without pooling z is y */
    /* no argmax (evaluation, rate 0): the offsets go to the unused keep-mask buffer */
    unsigned char *am = k->am ? k->am + (size_t)s * on : (unsigned char *)(part + k->l.km);
    conv_gemm_fwd(c, xs, k->a, k->kb, part, k->l.col, z);
    if (k->rate >= 1.0f) { /* everything dropped */
        memset(k->yo + (size_t)s * on, 0, on * sizeof(float));
        if (f->pool)
            memset(am, 0, on);
        return;
    }
    uint32_t *km = NULL;
    float scale = 1.0f;
    if (k->rate > 0.0f) {
        km = (uint32_t *)(part + k->l.km);
        fused_keep_masks(k, s, km, n);
        scale = k->scale;
    }
    if (f->pool && f->pkh == 2 && f->pkw == 2) {
        fused_pool2x2(c, f, z, km, full->OW, full->OH * full->OW, scale, k->yo + (size_t)s * on,
                      am);
        return;
    }
    fused_act_drop(z, km, scale, n);
    if (f->pool)
        fused_pool(c, f, z, k->yo + (size_t)s * on, am);
}

/* With a 2x2 pool the outputs outside every window (the last row and column of an odd-sized
 * map) are never used: the convolution computes only the windows' rows and columns (a 13x13
 * input to a 3x3 conv then costs 10x10 outputs, not 11x11). Same values where computed. */
static lc_conv2d cropped(const lc_conv2d *c, const lc_conv_fuse *f)
{
    lc_conv2d cc = *c;
    if (f->pool && f->pkh == 2 && f->pkw == 2) {
        cc.OH = 2 * f->POH;
        cc.OW = 2 * f->POW;
    }
    return cc;
}

void lc_conv2d_forward_fused(lc_pool *p, const lc_conv2d *c, const lc_conv_fuse *f, int B,
                             const float *x, const float *w, const float *b, float rate,
                             uint64_t seed, uint64_t layer, uint64_t step, float *y,
                             unsigned char *argmax, float *ws)
{
    if (!argmax)
        rate = 0.0f;
    if (!argmax && B > 0 &&
        lc_conv_eval_forward(p, c, f, B, x, w, b, y, ws + exact_floats(c, lc_pool_threads(p)), 1))
        return;
    if (argmax && lc_conv_eval_train(p, c, f, B, x, w, b, rate, seed, layer, step, y, argmax,
                                     ws + exact_floats(c, lc_pool_threads(p))))
        return;
    lc_conv2d cc = cropped(c, f);
    fused_ctx k = {.c = &cc, .full = c, .f = f, .B = B, .x = x, .yo = y, .am = argmax, .ws = ws,
                   .rate = rate, .seed = seed, .layer = layer, .step = step};
    if (B <= 0 || layout(c, lc_pool_threads(p), &k.l) != 0)
        return;
    if (rate > 0.0f && rate < 1.0f) {
        k.scale = lc_dropout_scale(rate);
        k.thr = lc_dropout_threshold(rate);
    }
    k.a = weights_with_bias(c, w, b, ws + k.l.wb, &k.kb);
    lc_pool_run(p, B, fused_fwd_task, &k);
}

/* dz (OC, OH, OW) of sample s from the block's output and its gradient */
static void fused_dz(const fused_ctx *k, int s, float *dz)
{
    const lc_conv2d *c = k->c;
    const lc_conv_fuse *f = k->f;
    size_t on = lc_conv_fuse_out_floats(c, f);
    const float *ys = k->y + (size_t)s * on, *dys = k->dy + (size_t)s * on;
    const float scale = k->scale;
    if (!f->pool) {
        for (size_t i = 0; i < on; i++)
            dz[i] = u2f(f2u(dys[i] * scale) & -(uint32_t)(ys[i] > 0.0f));
        return;
    }
    const unsigned char *am = k->am_in + (size_t)s * on;
    const int OW = c->OW, OHW = c->OH * c->OW;
    if (f->pkh == 2 && f->pkw == 2 && OW == 2 * f->POW && c->OH == 2 * f->POH &&
        lc_gemm_isa() != LC_ISA_REF) {
        if (lc_gemm_isa() == LC_ISA_AVX512)
            lc_pool2x2_dz_avx512(c->OC, OW, OHW, f->POH, f->POW, ys, dys, am, scale, dz);
        else
            lc_pool2x2_dz_avx2(c->OC, OW, OHW, f->POH, f->POW, ys, dys, am, scale, dz);
        return;
    }
    if (f->pkh == 2 && f->pkw == 2) {
        /* every position of every window is written: the maximum its gradient (or +0 when the
         * output is not positive), the others +0; only rows and columns outside every window
         * (odd OH or OW) need clearing */
        const int POW = f->POW;
        size_t o = 0;
        for (int oc = 0; oc < c->OC; oc++) {
            float *zc = dz + (size_t)oc * OHW;
            for (int ph = 0; ph < f->POH; ph++) {
                float *r0 = zc + (size_t)(2 * ph) * OW, *r1 = r0 + OW;
                for (int pw = 0; pw < POW; pw++, o++) {
                    uint32_t g = f2u(dys[o] * scale) & -(uint32_t)(ys[o] > 0.0f);
                    unsigned a = am[o];
                    r0[2 * pw] = u2f(g & -(uint32_t)(a == 0));
                    r0[2 * pw + 1] = u2f(g & -(uint32_t)(a == 1));
                    r1[2 * pw] = u2f(g & -(uint32_t)(a == 2));
                    r1[2 * pw + 1] = u2f(g & -(uint32_t)(a == 3));
                }
                if (OW > 2 * POW) {
                    r0[OW - 1] = 0.0f;
                    r1[OW - 1] = 0.0f;
                }
            }
            if (c->OH > 2 * f->POH)
                memset(zc + (size_t)(OHW - OW), 0, (size_t)OW * sizeof *dz);
        }
        return;
    }
    memset(dz, 0, (size_t)c->OC * OHW * sizeof *dz);
    size_t o = 0;
    for (int oc = 0; oc < c->OC; oc++)
        for (int ph = 0; ph < f->POH; ph++)
            for (int pw = 0; pw < f->POW; pw++, o++) {
                /* every window's maximum gets its gradient, or +0 when the output is not
                 * positive (the window's positions are distinct, so writing +0 is harmless) */
                int kh = am[o] / f->pkw, kw = am[o] % f->pkw;
                dz[(size_t)oc * OHW + (size_t)(ph * f->pkh + kh) * OW + pw * f->pkw + kw] =
                    u2f(f2u(dys[o] * scale) & -(uint32_t)(ys[o] > 0.0f));
            }
}

static void fused_bwd_chunk_task(void *vctx, int j, int thread)
{
    const fused_ctx *k = vctx;
    const lc_conv2d *c = k->c;
    int CKK = c->C * c->KH * c->KW;
    size_t xsz = (size_t)c->C * c->H * c->W;
    int s0 = (int)((long)k->B * j / LC_REDUCE_CHUNKS);
    int s1 = (int)((long)k->B * (j + 1) / LC_REDUCE_CHUNKS);
    float *part = k->ws + k->l.parts + (size_t)j * k->l.chunk; /* (CKK+1, OC) */
    float *col = k->ws + (size_t)thread * k->l.thread;         /* (CKK+1, OHW) */
    float *dcol = col + k->l.col;                              /* (CKK, OHW) */
    float *dz = col + k->l.z;                                  /* (OC, OHW) */
    if (s0 == s1) {
        memset(part, 0, (size_t)(CKK + 1) * c->OC * sizeof *part);
        return;
    }
    for (int s = s0; s < s1; s++) {
        fused_dz(k, s, dz);
        bwd_sample(c, k->x + (size_t)s * xsz, k->w, dz, k->dx ? k->dx + (size_t)s * xsz : NULL,
                   0, 1, k->db != NULL, s == s0, col, dcol, part);
    }
}

void lc_conv2d_backward_fused(lc_pool *p, const lc_conv2d *c, const lc_conv_fuse *f, int B,
                              const float *x, const float *w, const float *y,
                              const unsigned char *argmax, float rate, const float *dy,
                              float *dx, float *dw, float *db, float *ws)
{
    /* dW's GEMM runs over k = the conv's pixels in blocks of LC_GEMM_KC: cropping a map of more
     * than one block would regroup its sums (other bits than the separate layers), so only a
     * map within one block is cropped (there the dropped pixels only add exact zeros) */
    lc_conv2d cc = (size_t)c->OH * c->OW <= LC_GEMM_KC ? cropped(c, f) : *c;
    fused_ctx k = {.c = &cc, .full = c, .f = f, .B = B < 0 ? 0 : B, .x = x, .w = w, .y = y, .dy = dy,
                   .dx = dx, .dw = dw, .db = db, .ws = ws, .am_in = argmax, .rate = rate,
                   .scale = rate > 0.0f && rate < 1.0f ? lc_dropout_scale(rate) : 1.0f};
    if (layout(c, lc_pool_threads(p), &k.l) != 0)
        return;
    bwd_ctx r = {c, k.B, x, w, dy, dx, dw, db, ws, k.l, 0, 0, 0, 0, 0};
    r.nred = CKK_OF(c) < LC_REDUCE_CHUNKS ? CKK_OF(c) : LC_REDUCE_CHUNKS;
    lc_pool_run(p, LC_REDUCE_CHUNKS, fused_bwd_chunk_task, &k);
    lc_pool_run(p, r.nred + 1, bwd_reduce_task, &r);
}
