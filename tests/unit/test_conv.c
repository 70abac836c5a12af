/* test_conv.c - conv2d and dense layers: im2col/col2im adjointness, forward against a direct
 * double-precision convolution, backward against direct double-precision gradients and against
 * finite differences of our own forward, for every ISA; and bitwise-identical outputs and
 * gradients with 1, 2, 3 and 16 threads; and the fused conv -> ReLU -> dropout -> max-pool block
 * equal (==, element by element) to the same layers run one after the other, and the same bits
 * under AVX2 and AVX-512. */
#include "check.h"
#include "lc_conv.h"
#include "lc_conv_eval.h"
#include "lc_gemm.h"
#include "lc_layers.h"
#include "lc_mem.h"
#include "lc_pool.h"
#include "lc_rng.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static void fill(float *v, size_t n, uint64_t key)
{
    for (size_t i = 0; i < n; i++)
        v[i] = 2.0f * lc_u01f(lc_rng_hash(42, LC_STREAM_TEST, key, i)) - 1.0f;
}

static lc_conv2d make_conv(int C, int H, int W, int OC, int KH, int KW, int sh, int sw, int ph,
                           int pw, int dh, int dw)
{
    lc_conv2d c = {C, H, W, OC, KH, KW, sh, sw, ph, pw, dh, dw, 0, 0, 0};
    CHECK(lc_conv2d_plan(&c) == 0);
    return c;
}

static const lc_conv2d *configs(int *n)
{
    static lc_conv2d cs[16];
    cs[0] = make_conv(1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1);  /* conv1 of the tutorial */
    cs[1] = make_conv(32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1); /* conv2 */
    cs[2] = make_conv(3, 7, 9, 5, 3, 2, 2, 1, 1, 2, 1, 2);     /* stride, padding, dilation */
    cs[3] = make_conv(2, 6, 5, 3, 2, 3, 3, 2, 2, 1, 2, 1);
    cs[4] = make_conv(4, 5, 5, 7, 1, 1, 1, 1, 0, 0, 1, 1);     /* pointwise */
    cs[5] = make_conv(3, 4, 4, 2, 5, 5, 1, 1, 2, 2, 1, 1);     /* kernel wider than input */
    cs[6] = make_conv(17, 9, 8, 33, 3, 3, 2, 2, 1, 1, 1, 1);
    /* more than one k block of the GEMM (C*KH*KW > LC_GEMM_KC = 384), packed from the image */
    cs[7] = make_conv(48, 7, 9, 10, 3, 3, 1, 1, 0, 0, 1, 1);
    cs[8] = make_conv(45, 7, 6, 6, 3, 3, 1, 2, 1, 0, 1, 1);
    /* a 2-wide output: a 32-pixel panel is 16 row runs when packed from the image */
    cs[9] = make_conv(3, 20, 3, 4, 2, 2, 1, 1, 0, 0, 1, 1);
    /* the weight gradient read from the image in place (12-channel row panels, a partial one
     * after them): k blocks starting inside an output row, padded and at stride 2 */
    cs[10] = make_conv(16, 30, 30, 8, 3, 3, 1, 1, 1, 1, 1, 1);
    cs[11] = make_conv(13, 61, 61, 5, 1, 1, 2, 2, 0, 0, 1, 1);
    /* too few channels for that: the weight gradient from the windows' rows copied (dw_vrows),
     * (channel, kernel row) pairs as row panels: an RGB stem's 7x7 at stride 2, and 4 x 3 rows */
    cs[12] = make_conv(3, 23, 21, 10, 7, 7, 2, 2, 3, 3, 1, 1);
    cs[13] = make_conv(4, 15, 17, 6, 3, 3, 2, 2, 1, 1, 1, 1);
    /* small maps' weight gradient through Winograd F(2x2, 3x3) (lc_conv_wgrad_wino): odd and
     * unequal sides, a last tile half outside the map */
    cs[14] = make_conv(32, 7, 7, 48, 3, 3, 1, 1, 1, 1, 1, 1);
    cs[15] = make_conv(48, 9, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1);
    *n = 16;
    return cs;
}

/* ---- direct double-precision references ---- */

static double xat(const lc_conv2d *c, const float *x, int b, int ci, int ih, int iw)
{
    if (ih < 0 || ih >= c->H || iw < 0 || iw >= c->W)
        return 0.0;
    return x[(((size_t)b * c->C + ci) * c->H + ih) * c->W + iw];
}

static void direct_forward(const lc_conv2d *c, int B, const float *x, const float *w,
                           const float *bias, double *y)
{
    for (int b = 0; b < B; b++)
        for (int oc = 0; oc < c->OC; oc++)
            for (int oh = 0; oh < c->OH; oh++)
                for (int ow = 0; ow < c->OW; ow++) {
                    double s = bias ? bias[oc] : 0.0;
                    for (int ci = 0; ci < c->C; ci++)
                        for (int kh = 0; kh < c->KH; kh++)
                            for (int kw = 0; kw < c->KW; kw++)
                                s += w[((oc * c->C + ci) * c->KH + kh) * c->KW + kw] *
                                     xat(c, x, b, ci, oh * c->sh - c->ph + kh * c->dh,
                                         ow * c->sw - c->pw + kw * c->dw);
                    y[(((size_t)b * c->OC + oc) * c->OH + oh) * c->OW + ow] = s;
                }
}

static void direct_backward(const lc_conv2d *c, int B, const float *x, const float *w,
                            const float *dy, double *dx, double *dw, double *db)
{
    size_t nx = (size_t)B * c->C * c->H * c->W, nw = (size_t)c->OC * c->C * c->KH * c->KW;
    memset(dx, 0, nx * sizeof *dx);
    memset(dw, 0, nw * sizeof *dw);
    memset(db, 0, (size_t)c->OC * sizeof *db);
    for (int b = 0; b < B; b++)
        for (int oc = 0; oc < c->OC; oc++)
            for (int oh = 0; oh < c->OH; oh++)
                for (int ow = 0; ow < c->OW; ow++) {
                    double g = dy[(((size_t)b * c->OC + oc) * c->OH + oh) * c->OW + ow];
                    db[oc] += g;
                    for (int ci = 0; ci < c->C; ci++)
                        for (int kh = 0; kh < c->KH; kh++)
                            for (int kw = 0; kw < c->KW; kw++) {
                                int ih = oh * c->sh - c->ph + kh * c->dh;
                                int iw = ow * c->sw - c->pw + kw * c->dw;
                                if (ih < 0 || ih >= c->H || iw < 0 || iw >= c->W)
                                    continue;
                                size_t wi = (size_t)((oc * c->C + ci) * c->KH + kh) * c->KW + kw;
                                size_t xi = (((size_t)b * c->C + ci) * c->H + ih) * c->W + iw;
                                dw[wi] += g * x[xi];
                                dx[xi] += g * w[wi];
                            }
                }
}

/* max |a - ref| <= tol * (1 + max |ref|) */
static int close_all(const float *a, const double *ref, size_t n, double tol, double *err)
{
    double scale = 1.0, worst = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(ref[i]) > scale)
            scale = fabs(ref[i]);
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - ref[i]);
        if (!(d <= worst)) /* catches NaN */
            worst = d;
    }
    *err = worst / scale;
    return worst <= tol * scale;
}

/* the largest |a - b| over the largest |b| (1e-30 at least); NaN gives NaN's comparison: > any */
static double rel_worst(const float *a, const float *b, size_t n)
{
    double scale = 1e-30, worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = fabs((double)b[i]), d = fabs((double)a[i] - (double)b[i]);
        scale = v > scale ? v : scale;
        if (!(d <= worst))
            worst = d != d ? HUGE_VAL : d;
    }
    return worst / scale;
}

/* ---- im2col / col2im adjointness ---- */

static void test_adjoint(const lc_conv2d *c)
{
    size_t nx = (size_t)c->C * c->H * c->W;
    size_t ncol = (size_t)c->C * c->KH * c->KW * c->OH * c->OW;
    float *x = lc_alloc(nx, 4), *col = lc_alloc(ncol, 4), *ix = lc_alloc(ncol, 4);
    float *cx = lc_alloc(nx, 4);
    if (!x || !col || !ix || !cx) {
        CHECK(0);
        goto done;
    }
    fill(x, nx, 11);
    fill(col, ncol, 12);
    lc_im2col(c, x, ix);
    lc_col2im(c, col, cx); /* accumulates into zeroed cx */
    double l = 0.0, r = 0.0, mag = 0.0;
    for (size_t i = 0; i < ncol; i++) {
        l += (double)col[i] * ix[i];
        mag += fabs((double)col[i] * ix[i]);
    }
    for (size_t i = 0; i < nx; i++)
        r += (double)cx[i] * x[i];
    /* both sides are exact float products summed in double; col2im's float sums round */
    CHECK_MSG(fabs(l - r) <= 1e-6 * (1.0 + mag), "<col, im2col x> = %.12g, <col2im col, x> = %.12g",
              l, r);
done:
    lc_free(x);
    lc_free(col);
    lc_free(ix);
    lc_free(cx);
}

/* ---- the vector ISAs' im2col, col2im and packing from the image, bitwise ---- */

static int equal_all(const float *a, const float *b, size_t n, size_t *where);

/* Under isa, lc_im2col and lc_col2im write exactly what the portable loops (reference ISA)
 * write, and the forward convolution (its GEMM's B packed straight from the image) equals
 * lc_sgemm over [col; 1] with [w | b], bit for bit. */
static void test_isa_im2col(const lc_conv2d *c, lc_isa isa)
{
    enum { B = 2 };
    size_t nx = (size_t)c->C * c->H * c->W, ohw = (size_t)c->OH * c->OW;
    size_t ckk = (size_t)c->C * c->KH * c->KW, ncol = ckk * ohw;
    size_t nw = (size_t)c->OC * ckk, ny = (size_t)B * c->OC * ohw;
    size_t nws = lc_conv2d_ws_floats(c, B, 1);
    float *x = lc_alloc(B * nx, 4), *col = lc_alloc(ncol + ohw, 4), *col2 = lc_alloc(ncol, 4);
    float *cx = lc_alloc(nx, 4), *cx2 = lc_alloc(nx, 4), *w = lc_alloc(nw, 4);
    float *wb = lc_alloc(nw + c->OC, 4), *b = lc_alloc((size_t)c->OC, 4);
    float *y = lc_alloc(ny, 4), *y2 = lc_alloc(ny, 4), *ws = lc_alloc(nws, 4);
    size_t at = 0;
    if (!x || !col || !col2 || !cx || !cx2 || !w || !wb || !b || !y || !y2 || !ws) {
        CHECK(0);
        goto done;
    }
    fill(x, B * nx, 13);
    fill(w, nw, 14);
    fill(b, (size_t)c->OC, 15);
    fill(col2, ncol, 16);
    for (size_t i = 0; i < nx; i++) /* col2im adds into x: start from something else than 0 */
        cx[i] = (float)(i % 5) - 2.0f;
    memcpy(cx2, cx, nx * 4);
    lc_gemm_force_isa(LC_ISA_REF);
    lc_im2col(c, x, col);
    lc_col2im(c, col2, cx);
    CHECK(lc_gemm_force_isa(isa) == 0);
    lc_col2im(c, col2, cx2);
    CHECK_MSG(equal_all(cx2, cx, nx, &at), "%s col2im C=%d %dx%d K=%dx%d differs at %zu",
              lc_isa_name(isa), c->C, c->H, c->W, c->KH, c->KW, at);
    lc_im2col(c, x, col2);
    CHECK_MSG(equal_all(col2, col, ncol, &at), "%s im2col C=%d %dx%d K=%dx%d differs at %zu",
              lc_isa_name(isa), c->C, c->H, c->W, c->KH, c->KW, at);
    for (size_t o = 0; o < (size_t)c->OC; o++) {
        memcpy(wb + o * (ckk + 1), w + o * ckk, ckk * 4);
        wb[o * (ckk + 1) + ckk] = b[o];
    }
    for (size_t i = 0; i < ohw; i++)
        col[ncol + i] = 1.0f;
    lc_conv2d_forward(NULL, c, B, x, w, b, y, ws);
    for (int s = 0; s < B; s++) {
        if (s > 0)
            lc_im2col(c, x + (size_t)s * nx, col);
        lc_sgemm(0, 0, c->OC, (int)ohw, (int)ckk + 1, 1.0f, wb, (int)ckk + 1, col, (int)ohw,
                 0.0f, y2 + (size_t)s * c->OC * ohw, (int)ohw);
    }
    CHECK_MSG(equal_all(y, y2, ny, &at),
              "%s forward packed from the image C=%d %dx%d K=%dx%d differs at %zu",
              lc_isa_name(isa), c->C, c->H, c->W, c->KH, c->KW, at);
done:
    lc_free(x), lc_free(col), lc_free(col2), lc_free(cx), lc_free(cx2), lc_free(w);
    lc_free(wb), lc_free(b), lc_free(y), lc_free(y2), lc_free(ws);
}

static void test_isa_im2col_all(void)
{
    static const lc_isa isas[] = {LC_ISA_AVX2, LC_ISA_AVX512};
    lc_isa best = lc_gemm_isa();
    for (size_t s = 0; s < sizeof isas / sizeof *isas; s++) {
        if (lc_gemm_force_isa(isas[s]) != 0)
            continue;
        /* output widths around 8 and 16, rows with OW + KW - 1 at and past 16, 1x1 and wide
         * kernels, several channels and output-channel counts off the vector widths */
        static const int ows[] = {1, 2, 3, 7, 8, 9, 10, 13, 14, 15, 16, 17, 26, 33};
        static const int kws[] = {1, 2, 3, 5};
        for (size_t i = 0; i < sizeof ows / sizeof *ows; i++)
            for (size_t k = 0; k < sizeof kws / sizeof *kws; k++) {
                int kw = kws[k], kh = kw > 3 ? 3 : kw, C = 1 + (int)((i + k) % 3);
                lc_conv2d c = make_conv(C, 4 + kh, ows[i] + kw - 1, 5 + (int)i % 3, kh, kw, 1,
                                        1, 0, 0, 1, 1);
                test_isa_im2col(&c, isas[s]);
                /* stride 2 both ways (the packers' even elements), unpadded and padded */
                c = make_conv(C, 5 + 2 * kh, 2 * ows[i] + kw - 2, 5 + (int)i % 3, kh, kw, 2, 2, 0,
                              0, 1, 1);
                test_isa_im2col(&c, isas[s]);
                c = make_conv(C, 5 + 2 * kh, 2 * ows[i] + kw - 2, 4, kh, kw, 2, 2, kh / 2, kw / 2, 1,
                              1);
                test_isa_im2col(&c, isas[s]);
            }
        {   /* a 7x7 stride-2 stem with padding 3, output rows wider than a panel */
            lc_conv2d c = make_conv(3, 40, 70, 8, 7, 7, 2, 2, 3, 3, 1, 1);
            test_isa_im2col(&c, isas[s]);
        }
        /* the tutorial's two blocks, several GEMM k blocks, a non-simple shape */
        static const int more[4][12] = {{1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1},
                                        {32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1},
                                        {48, 7, 9, 10, 3, 3, 1, 1, 0, 0, 1, 1},
                                        {3, 9, 9, 4, 3, 3, 2, 1, 1, 0, 1, 1}};
        for (int i = 0; i < 4; i++) {
            const int *q = more[i];
            lc_conv2d c = make_conv(q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9],
                                    q[10], q[11]);
            test_isa_im2col(&c, isas[s]);
        }
    }
    lc_gemm_force_isa(best);
}

/* ---- forward and backward against the direct references ---- */

static void test_conv_vs_direct(const lc_conv2d *c, int B, lc_pool *p, const char *isa)
{
    size_t nx = (size_t)B * c->C * c->H * c->W, nw = (size_t)c->OC * c->C * c->KH * c->KW;
    size_t ny = (size_t)B * c->OC * c->OH * c->OW;
    size_t nws = lc_conv2d_ws_floats(c, B, lc_pool_threads(p));
    float *x = lc_alloc(nx, 4), *w = lc_alloc(nw, 4), *b = lc_alloc((size_t)c->OC, 4);
    float *y = lc_alloc(ny, 4), *dy = lc_alloc(ny, 4), *dx = lc_alloc(nx, 4);
    float *dw = lc_alloc(nw, 4), *db = lc_alloc((size_t)c->OC, 4), *ws = lc_alloc(nws, 4);
    double *ry = lc_alloc(ny, 8), *rdx = lc_alloc(nx, 8), *rdw = lc_alloc(nw, 8);
    double *rdb = lc_alloc((size_t)c->OC, 8), err;
    if (!x || !w || !b || !y || !dy || !dx || !dw || !db || !ws || !ry || !rdx || !rdw || !rdb) {
        CHECK(0);
        goto done;
    }
    fill(x, nx, 21);
    fill(w, nw, 22);
    fill(b, (size_t)c->OC, 23);
    fill(dy, ny, 24);
    lc_conv2d_forward(p, c, B, x, w, b, y, ws);
    direct_forward(c, B, x, w, b, ry);
    /* float accumulation of C*KH*KW terms of magnitude <= 1 */
    double tol = 1e-6 * (c->C * c->KH * c->KW + 4);
    CHECK_MSG(close_all(y, ry, ny, tol, &err), "%s conv C=%d OC=%d K=%dx%d forward err %g", isa,
              c->C, c->OC, c->KH, c->KW, err);
    lc_conv2d_backward(p, c, B, x, w, dy, dx, dw, db, ws);
    direct_backward(c, B, x, w, dy, rdx, rdw, rdb);
    double tolw = 1e-6 * ((double)B * c->OH * c->OW + 4);
    CHECK_MSG(close_all(dx, rdx, nx, tol + 1e-6 * c->OC * 4, &err), "%s conv dx err %g", isa, err);
    CHECK_MSG(close_all(dw, rdw, nw, tolw, &err), "%s conv dw err %g", isa, err);
    CHECK_MSG(close_all(db, rdb, (size_t)c->OC, tolw, &err), "%s conv db err %g", isa, err);
    /* lc_conv2d_backward_acc: dx added to what the buffer held (a rounding of base + dx: the
     * col2im path adds each sample's contributions one by one), dw and db the same bits */
    float *da = lc_alloc(nx, 4), *base = lc_alloc(nx, 4), *dw4 = lc_alloc(nw, 4);
    float *db4 = lc_alloc((size_t)c->OC, 4);
    if (da && base && dw4 && db4) {
        fill(base, nx, 25);
        memcpy(da, base, nx * 4);
        int did = lc_conv2d_backward_acc(p, c, B, x, w, dy, da, dw4, db4, ws);
        CHECK(did == (c->groups <= 1));
        if (did) {
            double worst = 0.0;
            for (size_t i = 0; i < nx; i++) {
                double e = fabs((double)da[i] - ((double)base[i] + dx[i]));
                worst = e > worst ? e : worst;
            }
            CHECK_MSG(worst <= tol, "%s conv dx added: err %g", isa, worst);
            CHECK(memcmp(dw, dw4, nw * 4) == 0 && memcmp(db, db4, (size_t)c->OC * 4) == 0);
        }
    } else
        CHECK(0);
    lc_free(da), lc_free(base), lc_free(dw4), lc_free(db4);
    /* dx == NULL and db == NULL are allowed and leave dw unchanged */
    float *dw2 = lc_alloc(nw, 4);
    if (dw2) {
        lc_conv2d_backward(p, c, B, x, w, dy, NULL, dw2, NULL, ws);
        CHECK(memcmp(dw, dw2, nw * 4) == 0);
        lc_free(dw2);
    }
done:
    lc_free(x);
    lc_free(w);
    lc_free(b);
    lc_free(y);
    lc_free(dy);
    lc_free(dx);
    lc_free(dw);
    lc_free(db);
    lc_free(ws);
    lc_free(ry);
    lc_free(rdx);
    lc_free(rdw);
    lc_free(rdb);
}

/* ---- finite differences of our own forward ----
 * L = sum(y * g) is linear in each of x, w and b, so a central difference with a large step has
 * no truncation error: what remains is float rounding of y, hence the relative tolerance 2e-3. */

static double conv_loss(const lc_conv2d *c, int B, const float *x, const float *w,
                        const float *b, const float *g, float *y, float *ws)
{
    lc_conv2d_forward(NULL, c, B, x, w, b, y, ws);
    double s = 0.0;
    size_t ny = (size_t)B * c->OC * c->OH * c->OW;
    for (size_t i = 0; i < ny; i++)
        s += (double)y[i] * g[i];
    return s;
}

static void fd_check(const char *what, float *v, size_t n, const float *grad, double scale,
                     double (*loss)(void *), void *ctx)
{
    const float h = 0.5f;
    int bad = 0, probes = n < 24 ? (int)n : 24;
    for (int t = 0; t < probes; t++) {
        size_t i = n < 24 ? (size_t)t : (size_t)(lc_rng_hash(7, LC_STREAM_TEST, n, t) % n);
        float keep = v[i];
        v[i] = keep + h;
        double lp = loss(ctx);
        v[i] = keep - h;
        double lm = loss(ctx);
        v[i] = keep;
        double fd = (lp - lm) / (2.0 * h);
        if (!(fabs(fd - grad[i]) <= 2e-3 * (scale + fabs(fd)))) {
            bad++;
            fprintf(stderr, "  %s[%zu]: finite difference %.7g, backward %.7g\n", what, i, fd,
                    (double)grad[i]);
        }
    }
    CHECK_MSG(bad == 0, "%s: %d of %d finite-difference probes off", what, bad, probes);
}

typedef struct conv_fd {
    const lc_conv2d *c;
    int B;
    float *x, *w, *b, *g, *y, *ws;
} conv_fd;

static double conv_fd_loss(void *ctx)
{
    conv_fd *f = ctx;
    return conv_loss(f->c, f->B, f->x, f->w, f->b, f->g, f->y, f->ws);
}

static void test_conv_fd(const lc_conv2d *c, int B)
{
    size_t nx = (size_t)B * c->C * c->H * c->W, nw = (size_t)c->OC * c->C * c->KH * c->KW;
    size_t ny = (size_t)B * c->OC * c->OH * c->OW, nws = lc_conv2d_ws_floats(c, B, 1);
    float *x = lc_alloc(nx, 4), *w = lc_alloc(nw, 4), *b = lc_alloc((size_t)c->OC, 4);
    float *g = lc_alloc(ny, 4), *y = lc_alloc(ny, 4), *dx = lc_alloc(nx, 4);
    float *dw = lc_alloc(nw, 4), *db = lc_alloc((size_t)c->OC, 4), *ws = lc_alloc(nws, 4);
    if (!x || !w || !b || !g || !y || !dx || !dw || !db || !ws) {
        CHECK(0);
        goto done;
    }
    fill(x, nx, 31);
    fill(w, nw, 32);
    fill(b, (size_t)c->OC, 33);
    fill(g, ny, 34);
    lc_conv2d_backward(NULL, c, B, x, w, g, dx, dw, db, ws);
    conv_fd f = {c, B, x, w, b, g, y, ws};
    /* rounding scale: |y| ~ sqrt(CKK), summed over the outputs an element touches */
    double s = 1e-2 * sqrt((double)c->C * c->KH * c->KW);
    fd_check("conv dx", x, nx, dx, s, conv_fd_loss, &f);
    fd_check("conv dw", w, nw, dw, s * sqrt((double)B * c->OH * c->OW), conv_fd_loss, &f);
    fd_check("conv db", b, (size_t)c->OC, db, s * sqrt((double)B * c->OH * c->OW), conv_fd_loss,
             &f);
done:
    lc_free(x);
    lc_free(w);
    lc_free(b);
    lc_free(g);
    lc_free(y);
    lc_free(dx);
    lc_free(dw);
    lc_free(db);
    lc_free(ws);
}

/* ---- dense ---- */

typedef struct dense_fd {
    lc_pool *p;
    int B, IN, OUT;
    float *x, *w, *b, *g, *y;
} dense_fd;

static double dense_fd_loss(void *ctx)
{
    dense_fd *f = ctx;
    lc_dense_forward(f->p, f->B, f->IN, f->OUT, f->x, f->w, f->b, f->y);
    double s = 0.0;
    for (size_t i = 0; i < (size_t)f->B * f->OUT; i++)
        s += (double)f->y[i] * f->g[i];
    return s;
}

static void test_dense(int B, int IN, int OUT, const char *isa)
{
    size_t nx = (size_t)B * IN, nw = (size_t)OUT * IN, ny = (size_t)B * OUT;
    float *x = lc_alloc(nx, 4), *w = lc_alloc(nw, 4), *b = lc_alloc((size_t)OUT, 4);
    float *g = lc_alloc(ny, 4), *y = lc_alloc(ny, 4), *dx = lc_alloc(nx, 4);
    float *dw = lc_alloc(nw, 4), *db = lc_alloc((size_t)OUT, 4);
    double *r = lc_alloc(nx > nw ? (nx > ny ? nx : ny) : (nw > ny ? nw : ny), 8), err;
    if (!x || !w || !b || !g || !y || !dx || !dw || !db || !r) {
        CHECK(0);
        goto done;
    }
    fill(x, nx, 41);
    fill(w, nw, 42);
    fill(b, (size_t)OUT, 43);
    fill(g, ny, 44);
    lc_dense_forward(NULL, B, IN, OUT, x, w, b, y);
    for (int i = 0; i < B; i++)
        for (int o = 0; o < OUT; o++) {
            double s = b[o];
            for (int k = 0; k < IN; k++)
                s += (double)x[(size_t)i * IN + k] * w[(size_t)o * IN + k];
            r[(size_t)i * OUT + o] = s;
        }
    CHECK_MSG(close_all(y, r, ny, 1e-6 * (IN + 4), &err), "%s dense %dx%dx%d forward err %g", isa,
              B, IN, OUT, err);
    lc_dense_backward(NULL, B, IN, OUT, x, w, g, dx, dw, db);
    for (int i = 0; i < B; i++)
        for (int k = 0; k < IN; k++) {
            double s = 0.0;
            for (int o = 0; o < OUT; o++)
                s += (double)g[(size_t)i * OUT + o] * w[(size_t)o * IN + k];
            r[(size_t)i * IN + k] = s;
        }
    CHECK_MSG(close_all(dx, r, nx, 1e-6 * (OUT + 4), &err), "%s dense dx err %g", isa, err);
    for (int o = 0; o < OUT; o++)
        for (int k = 0; k < IN; k++) {
            double s = 0.0;
            for (int i = 0; i < B; i++)
                s += (double)g[(size_t)i * OUT + o] * x[(size_t)i * IN + k];
            r[(size_t)o * IN + k] = s;
        }
    CHECK_MSG(close_all(dw, r, nw, 1e-6 * (B + 4), &err), "%s dense dw err %g", isa, err);
    for (int o = 0; o < OUT; o++) {
        double s = 0.0;
        for (int i = 0; i < B; i++)
            s += g[(size_t)i * OUT + o];
        r[o] = s;
    }
    CHECK_MSG(close_all(db, r, (size_t)OUT, 1e-6 * (B + 4), &err), "%s dense db err %g", isa, err);
    if (B * IN * OUT <= 200000) {
        dense_fd f = {NULL, B, IN, OUT, x, w, b, g, y};
        double s = 1e-2 * sqrt((double)IN);
        fd_check("dense dx", x, nx, dx, s * sqrt((double)OUT), dense_fd_loss, &f);
        fd_check("dense dw", w, nw, dw, s * sqrt((double)B), dense_fd_loss, &f);
        fd_check("dense db", b, (size_t)OUT, db, s * sqrt((double)B), dense_fd_loss, &f);
    }
done:
    lc_free(x);
    lc_free(w);
    lc_free(b);
    lc_free(g);
    lc_free(y);
    lc_free(dx);
    lc_free(dw);
    lc_free(db);
    lc_free(r);
}

/* ---- determinism across thread counts ---- */

typedef struct outs {
    float *y, *dx, *dw, *db, *dy2, *dx2, *dw2, *db2;
} outs;

static void run_all(lc_pool *p, const lc_conv2d *c, int B, int IN, int OUT, const float *x,
                    const float *w, const float *b, const float *dy, const float *x2,
                    const float *w2, const float *b2, const float *g2, const outs *o)
{
    size_t nws = lc_conv2d_ws_floats(c, B, lc_pool_threads(p));
    float *ws = lc_alloc(nws, 4);
    if (!ws) {
        CHECK(0);
        return;
    }
    lc_conv2d_forward(p, c, B, x, w, b, o->y, ws);
    lc_conv2d_backward(p, c, B, x, w, dy, o->dx, o->dw, o->db, ws);
    lc_dense_forward(p, B, IN, OUT, x2, w2, b2, o->dy2);
    lc_dense_backward(p, B, IN, OUT, x2, w2, g2, o->dx2, o->dw2, o->db2);
    lc_free(ws);
}

static void test_threads(const lc_conv2d *c, int B)
{
    const int IN = 1600, OUT = 128;
    size_t nx = (size_t)B * c->C * c->H * c->W, nw = (size_t)c->OC * c->C * c->KH * c->KW;
    size_t ny = (size_t)B * c->OC * c->OH * c->OW;
    size_t sizes[8] = {ny, nx, nw, (size_t)c->OC, (size_t)B * OUT, (size_t)B * IN,
                       (size_t)OUT * IN, (size_t)OUT};
    float *x = lc_alloc(nx, 4), *w = lc_alloc(nw, 4), *b = lc_alloc((size_t)c->OC, 4);
    float *dy = lc_alloc(ny, 4), *x2 = lc_alloc((size_t)B * IN, 4);
    float *w2 = lc_alloc((size_t)OUT * IN, 4), *b2 = lc_alloc((size_t)OUT, 4);
    float *g2 = lc_alloc((size_t)B * OUT, 4);
    float *bufs[2][8] = {{0}};
    int ok = x && w && b && dy && x2 && w2 && b2 && g2;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < 8; i++)
            ok = ok && (bufs[s][i] = lc_alloc(sizes[i], 4)) != NULL;
    if (!ok) {
        CHECK(0);
        goto done;
    }
    fill(x, nx, 51);
    fill(w, nw, 52);
    fill(b, (size_t)c->OC, 53);
    fill(dy, ny, 54);
    fill(x2, (size_t)B * IN, 55);
    fill(w2, (size_t)OUT * IN, 56);
    fill(b2, (size_t)OUT, 57);
    fill(g2, (size_t)B * OUT, 58);
    static const int nth[] = {1, 2, 3, 16};
    for (int t = 0; t < 4; t++) {
        lc_pool *p = lc_pool_create(nth[t]);
        CHECK(p != NULL);
        if (!p)
            continue;
        float **o = bufs[t == 0 ? 0 : 1];
        outs os = {o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]};
        run_all(p, c, B, IN, OUT, x, w, b, dy, x2, w2, b2, g2, &os);
        lc_pool_destroy(p);
        if (t == 0)
            continue;
        static const char *names[8] = {"conv y", "conv dx", "conv dw", "conv db",
                                       "dense y", "dense dx", "dense dw", "dense db"};
        for (int i = 0; i < 8; i++)
            CHECK_MSG(memcmp(bufs[0][i], bufs[1][i], sizes[i] * 4) == 0,
                      "%s with %d threads differs from 1 thread (B=%d)", names[i], nth[t], B);
    }
done:
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < 8; i++)
            lc_free(bufs[s][i]);
    lc_free(x);
    lc_free(w);
    lc_free(b);
    lc_free(dy);
    lc_free(x2);
    lc_free(w2);
    lc_free(b2);
    lc_free(g2);
}

static int equal_all(const float *a, const float *b, size_t n, size_t *where)
{
    for (size_t i = 0; i < n; i++)
        if (!(a[i] == b[i])) {
            *where = i;
            return 0;
        }
    return 1;
}

/* the fused block against conv, ReLU, dropout and max-pool run separately */
static void test_fused(lc_conv2d c, int pool, int pk_h, int pk_w, float rate, int B,
                       lc_pool *p)
{
    CHECK(lc_conv2d_plan(&c) == 0);
    lc_conv_fuse f = {.pool = pool, .pkh = pk_h, .pkw = pk_w};
    CHECK(lc_conv_fuse_plan(&c, &f) == 0);
    size_t nx = (size_t)B * c.C * c.H * c.W, nw = (size_t)c.OC * c.C * c.KH * c.KW;
    size_t nz = (size_t)B * c.OC * c.OH * c.OW, on = lc_conv_fuse_out_floats(&c, &f);
    size_t ny = (size_t)B * on, nws = lc_conv2d_ws_floats(&c, B, 3);
    float *x = lc_alloc(nx, 4), *w = lc_alloc(nw, 4), *b = lc_alloc((size_t)c.OC, 4);
    float *z = lc_alloc(nz, 4), *a = lc_alloc(nz, 4), *d = lc_alloc(nz, 4), *yc = lc_alloc(ny, 4);
    float *yf = lc_alloc(ny, 4), *yf3 = lc_alloc(ny, 4), *dy = lc_alloc(ny, 4);
    float *g1 = lc_alloc(nz, 4), *g2 = lc_alloc(nz, 4), *ws = lc_alloc(nws, 4);
    float *dxc = lc_alloc(nx, 4), *dwc = lc_alloc(nw, 4), *dbc = lc_alloc((size_t)c.OC, 4);
    float *dxf = lc_alloc(nx, 4), *dwf = lc_alloc(nw, 4), *dbf = lc_alloc((size_t)c.OC, 4);
    float *dxf3 = lc_alloc(nx, 4), *dwf3 = lc_alloc(nw, 4), *dbf3 = lc_alloc((size_t)c.OC, 4);
    int32_t *amc = lc_alloc(ny, 4);
    unsigned char *amf = lc_alloc(ny, 1), *amf3 = lc_alloc(ny, 1), *mask = lc_alloc(nz, 1);
    size_t at = 0;
    CHECK(x && w && b && z && a && d && yc && yf && yf3 && dy && g1 && g2 && ws && dxc && dwc &&
          dbc && dxf && dwf && dbf && dxf3 && dwf3 && dbf3 && amc && amf && amf3 && mask);
    if (!(x && w && b && z && a && d && yc && yf && yf3 && dy && g1 && g2 && ws && dxc && dwc &&
          dbc && dxf && dwf && dbf && dxf3 && dwf3 && dbf3 && amc && amf && amf3 && mask))
        goto done;
    fill(x, nx, 51);
    fill(w, nw, 52);
    fill(b, (size_t)c.OC, 53);
    fill(dy, ny, 54);
    lc_pool2d q = {.C = c.OC, .H = c.OH, .W = c.OW, .KH = pk_h, .KW = pk_w, .sh = pk_h,
                   .sw = pk_w, .dh = 1, .dw = 1, .is_max = 1};
    CHECK(!pool || (lc_pool2d_plan(&q) == 0 && q.OH == f.POH && q.OW == f.POW));
    /* separate layers */
    lc_conv2d_forward(NULL, &c, B, x, w, b, z, ws);
    lc_act_forward(NULL, LC_ACT_RELU, nz, z, a);
    lc_dropout_forward(NULL, B, nz / B, rate, 42, 7, 3, a, d, mask);
    if (pool)
        lc_pool2d_forward(NULL, &q, B, d, yc, amc);
    else
        memcpy(yc, d, ny * 4);
    /* fused, 1 and 3 threads */
    lc_conv2d_forward_fused(NULL, &c, &f, B, x, w, b, rate, 42, 7, 3, yf, amf, ws);
    lc_conv2d_forward_fused(p, &c, &f, B, x, w, b, rate, 42, 7, 3, yf3, amf3, ws);
    /* under AVX2 or AVX-512 a pooled 3x3 block with many input channels trains on Winograd's
     * convolution: within rounding of the GEMM path, with the same maxima and kept elements (so
     * the backward pass below is still bitwise that of the separate layers) */
    lc_conv_eval ev;
    lc_conv_eval_plan(&c, &f, 0, &ev);
    if (lc_gemm_isa() != LC_ISA_REF && ev.kind == LC_CONV_EVAL_WINOGRAD && pool &&
        rate < 1.0f) {
        double tol = 2e-7 * c.C * 9 * lc_dropout_scale(rate), worst = 0.0;
        int same_zero = 1;
        for (size_t i = 0; i < ny; i++) {
            double dd = fabs((double)yf[i] - (double)yc[i]);
            worst = dd > worst || dd != dd ? dd : worst;
            same_zero &= (yf[i] > 0.0f) == (yc[i] > 0.0f);
        }
        CHECK_MSG(worst <= tol && same_zero,
                  "Winograd training forward C=%d: %g from the GEMM path (tolerance %g)%s", c.C,
                  worst, tol, same_zero ? "" : ", a different ReLU/dropout zero pattern");
    } else {
        CHECK_MSG(equal_all(yf, yc, ny, &at), "fused forward differs at %zu (rate %.2f)", at,
                  (double)rate);
    }
    CHECK(memcmp(yf, yf3, ny * 4) == 0 && (!pool || memcmp(amf, amf3, ny) == 0));
    int am_ok = 1;
    for (size_t o = 0; pool && o < ny; o++) {
        size_t pw = o % f.POW, ph = o / f.POW % f.POH;
        int kh = amf[o] / pk_w, kw = amf[o] % pk_w;
        am_ok &= amc[o] == (int32_t)((ph * pk_h + kh) * c.OW + pw * pk_w + kw);
    }
    CHECK_MSG(am_ok, "fused max-pool picks another maximum than lc_pool2d_forward");
    /* backward */
    if (pool)
        lc_pool2d_backward(NULL, &q, B, dy, amc, g1);
    else
        memcpy(g1, dy, ny * 4);
    lc_dropout_backward(NULL, B, nz / B, rate, mask, g1, g2);
    lc_act_backward(NULL, LC_ACT_RELU, nz, z, a, g2, g1);
    lc_conv2d_backward(NULL, &c, B, x, w, g1, dxc, dwc, dbc, ws);
    lc_conv2d_backward_fused(NULL, &c, &f, B, x, w, yf, amf, rate, dy, dxf, dwf, dbf, ws);
    lc_conv2d_backward_fused(p, &c, &f, B, x, w, yf, amf, rate, dy, dxf3, dwf3, dbf3, ws);
    /* lc_conv2d_backward takes a 3x3 stride-1 padding-1 input gradient with more than 4 output
     * channels through Winograd under AVX2/AVX-512 (rounding apart); the fused block's GEMM
     * otherwise gives the same bits */
    if (lc_gemm_isa() != LC_ISA_REF && c.KH == 3 && c.KW == 3 && c.sh == 1 && c.sw == 1 &&
        c.dh == 1 && c.dw == 1 && c.ph == 1 && c.pw == 1 && c.OC > LC_CONV_EVAL_DIRECT_MAX_C) {
        double scale = 1e-30, dworst = 0.0;
        for (size_t i = 0; i < nx; i++) {
            double v = fabs((double)dxf[i]), dd = fabs((double)dxf[i] - (double)dxc[i]);
            scale = v > scale ? v : scale;
            dworst = dd > dworst || dd != dd ? dd : dworst;
        }
        CHECK_MSG(dworst <= 1e-5 * scale, "Winograd dx: %g of the largest from the GEMM's",
                  dworst / scale);
    } else {
        CHECK_MSG(equal_all(dxf, dxc, nx, &at), "fused dx differs at %zu", at);
    }
    /* dW and db: the fused block sums the batch in LC_REDUCE_CHUNKS partials, lc_conv2d_backward
     * per tile of taps over the samples in order (db in 16 lanes): other orders of the same
     * products, so equal within rounding */
    double rw = rel_worst(dwf, dwc, nw), rb = rel_worst(dbf, dbc, (size_t)c.OC);
    CHECK_MSG(rw <= 1e-5, "fused dw: %g of the largest from the plain path's", rw);
    CHECK_MSG(rb <= 1e-5, "fused db: %g of the largest from the plain path's", rb);
    CHECK(memcmp(dxf, dxf3, nx * 4) == 0 && memcmp(dwf, dwf3, nw * 4) == 0 &&
          memcmp(dbf, dbf3, (size_t)c.OC * 4) == 0);
done:
    lc_free(x), lc_free(w), lc_free(b), lc_free(z), lc_free(a), lc_free(d), lc_free(yc);
    lc_free(yf), lc_free(yf3), lc_free(dy), lc_free(g1), lc_free(g2), lc_free(ws);
    lc_free(dxc), lc_free(dwc), lc_free(dbc), lc_free(dxf), lc_free(dwf), lc_free(dbf);
    lc_free(dxf3), lc_free(dwf3), lc_free(dbf3), lc_free(amc), lc_free(amf), lc_free(amf3);
    lc_free(mask);
}

/* The evaluation path (argmax NULL): under AVX2 or AVX-512 a 3x3 stride-1 block runs direct
 * (bitwise the exact path) or Winograd (within rounding of it); elsewhere it is the exact path.
 * The same bits with 1 and 3 threads whatever the batch split. Returns the largest difference
 * seen. */
static double test_eval(lc_conv2d c, int pool, int B, lc_pool *p)
{
    CHECK(lc_conv2d_plan(&c) == 0);
    lc_conv_fuse f = {.pool = pool, .pkh = 2, .pkw = 2};
    CHECK(lc_conv_fuse_plan(&c, &f) == 0);
    lc_conv_eval e;
    lc_conv_eval_plan_tiles(&c, &f, 0, 1, &e); /* as evaluation plans it */
    int wino = lc_gemm_isa() != LC_ISA_REF && e.kind == LC_CONV_EVAL_WINOGRAD;
    size_t nx = (size_t)B * c.C * c.H * c.W, nw = (size_t)c.OC * c.C * c.KH * c.KW;
    size_t ny = (size_t)B * lc_conv_fuse_out_floats(&c, &f), nws = lc_conv2d_ws_floats(&c, B, 3);
    float *x = lc_alloc(nx, 4), *w = lc_alloc(nw, 4), *b = lc_alloc((size_t)c.OC, 4);
    float *y = lc_alloc(ny, 4), *y1 = lc_alloc(ny, 4), *y3 = lc_alloc(ny, 4);
    float *ws = lc_alloc(nws, 4);
    unsigned char *am = lc_alloc(ny, 1);
    double worst = 0.0;
    CHECK(x && w && b && y && y1 && y3 && ws && am);
    if (!(x && w && b && y && y1 && y3 && ws && am))
        goto done;
    fill(x, nx, 61);
    fill(w, nw, 62);
    fill(b, (size_t)c.OC, 63);
    lc_conv2d_forward_fused(NULL, &c, &f, B, x, w, b, 0.0f, 0, 0, 0, y, am, ws);
    memset(y1, 0xff, ny * 4); /* NaN: every output must be written */
    memset(y3, 0xff, ny * 4);
    lc_conv2d_forward_fused(NULL, &c, &f, B, x, w, b, 0.5f, 0, 0, 0, y1, NULL, ws);
    lc_conv2d_forward_fused(p, &c, &f, B, x, w, b, 0.0f, 0, 0, 0, y3, NULL, ws);
    CHECK_MSG(memcmp(y1, y3, ny * 4) == 0, "eval forward C=%d %dx%d: 1 and 3 threads differ", c.C,
              c.H, c.W);
    size_t at = 0;
    if (!wino) {
        CHECK_MSG(equal_all(y1, y, ny, &at), "eval forward C=%d %dx%d differs at %zu", c.C, c.H,
                  c.W, at);
        goto done;
    }
    /* Winograd: inputs and weights in [-1, 1), so each output sums C*9 products below 1;
     * F(4x4, 3x3)'s transforms scale by up to 5 and 8, F(2x2, 3x3)'s by 1 */
    double tol = (e.wm == 4 ? 6e-7 : 2e-7) * c.C * 9;
    for (size_t i = 0; i < ny; i++) {
        double d = fabs((double)y1[i] - (double)y[i]);
        if (!(d <= tol))
            at = i + 1;
        if (d > worst || d != d)
            worst = d;
    }
    CHECK_MSG(at == 0, "Winograd F(%dx%d) C=%d %dx%d OC=%d pool %d: %g at %zu exceeds %g", e.wm,
              e.wm, c.C, c.H, c.W, c.OC, pool, worst, at - 1, tol);
done:
    lc_free(x), lc_free(w), lc_free(b), lc_free(y), lc_free(y1), lc_free(y3), lc_free(ws);
    lc_free(am);
    return worst;
}

/* lc_conv2d_forward_winograd (Winograd F(2x2, 3x3) without a ReLU where the shape and ISA
 * allow, in evaluation F(4x4, 3x3) on maps of 7 x 7 and more, the GEMM otherwise) against the
 * double-precision sums, with and without a bias: negative outputs survive (no ReLU), the error
 * stays within rounding, and 1 and 3 threads give the same bits. */
static void test_forward_eval(lc_conv2d c, int B, int bias, int training, lc_pool *p3,
                              const char *isa)
{
    /* F(4x4, 3x3) (lc_conv_eval_plan_tiles: output maps of 7 x 7 and more) rounds about three
     * times as much */
    const int big = c.OH >= 7 && c.OW >= 7;
    const double fwd_tol = (big && !training ? 1.2e-6 : 4e-7) * c.C * 9;
    const double dx_tol = (big ? 1.2e-6 : 4e-7) * c.OC * 9;
    size_t nx = (size_t)B * c.C * c.H * c.W, nw = (size_t)c.OC * c.C * c.KH * c.KW;
    size_t ny = (size_t)B * c.OC * c.OH * c.OW, nws = lc_conv2d_ws_floats(&c, B, 3);
    float *x = lc_alloc(nx, 4), *w = lc_alloc(nw, 4), *b = lc_alloc((size_t)c.OC, 4);
    float *y1 = lc_alloc(ny, 4), *y3 = lc_alloc(ny, 4), *ws = lc_alloc(nws, 4);
    double *ref = lc_alloc(ny, sizeof(double));
    CHECK(x && w && b && y1 && y3 && ws && ref);
    if (x && w && b && y1 && y3 && ws && ref) {
        fill(x, nx, 200 + c.C);
        fill(w, nw, 300 + c.OC);
        fill(b, (size_t)c.OC, 400);
        direct_forward(&c, B, x, w, bias ? b : NULL, ref);
        lc_conv2d_forward_winograd(NULL, &c, B, x, w, bias ? b : NULL, y1, ws, training, NULL);
        lc_conv2d_forward_winograd(p3, &c, B, x, w, bias ? b : NULL, y3, ws, training, NULL);
        size_t at = 0, neg = 0;
        double err = 0.0;
        /* Winograd's transforms add up to 4x4 terms before the products: a few more roundings */
        int ok = close_all(y1, ref, ny, fwd_tol, &err);
        for (size_t i = 0; i < ny; i++)
            neg += y1[i] < 0.0f;
        CHECK_MSG(ok, "forward_eval %s C=%d %dx%d OC=%d pad %d bias %d training %d: error %g",
                  isa, c.C, c.H, c.W, c.OC, c.ph, bias, training, err);
        CHECK_MSG(neg > ny / 4, "forward_eval %s: %zu of %zu outputs negative (a ReLU?)", isa,
                  neg, ny);
        CHECK_MSG(equal_all(y1, y3, ny, &at), "forward_eval %s: 1 and 3 threads differ at %zu",
                  isa, at);
        /* the backward pass (its input gradient through Winograd where the forward's padding
         * is 1): dx, dw, db against the double sums, 1 and 3 threads the same bits */
        float *dy = lc_alloc(ny, 4), *dx1 = lc_alloc(nx, 4), *dx3 = lc_alloc(nx, 4);
        float *dw1 = lc_alloc(nw, 4), *dw3 = lc_alloc(nw, 4), *db1 = lc_alloc((size_t)c.OC, 4);
        double *rdx = lc_alloc(nx, sizeof(double)), *rdw = lc_alloc(nw, sizeof(double));
        double *rdb = lc_alloc((size_t)c.OC, sizeof(double));
        CHECK(dy && dx1 && dx3 && dw1 && dw3 && db1 && rdx && rdw && rdb);
        if (dy && dx1 && dx3 && dw1 && dw3 && db1 && rdx && rdw && rdb) {
            fill(dy, ny, 500 + c.OC);
            direct_backward(&c, B, x, w, dy, rdx, rdw, rdb);
            lc_conv2d_backward(NULL, &c, B, x, w, dy, dx1, dw1, db1, ws);
            lc_conv2d_backward(p3, &c, B, x, w, dy, dx3, dw3, NULL, ws);
            CHECK_MSG(close_all(dx1, rdx, nx, dx_tol, &err),
                      "backward %s C=%d OC=%d: dx %g", isa, c.C, c.OC, err);
            CHECK_MSG(close_all(dw1, rdw, nw, 2e-7 * B * c.OH * c.OW, &err),
                      "backward %s C=%d OC=%d: dw %g", isa, c.C, c.OC, err);
            CHECK(close_all(db1, rdb, (size_t)c.OC, 2e-7 * B * c.OH * c.OW, &err));
            CHECK_MSG(equal_all(dx1, dx3, nx, &at) && equal_all(dw1, dw3, nw, &at),
                      "backward %s: 1 and 3 threads differ", isa);
            /* input gradient only (a frozen convolution) */
            lc_conv2d_backward(p3, &c, B, x, w, dy, dx3, NULL, NULL, ws);
            CHECK_MSG(equal_all(dx1, dx3, nx, &at), "backward %s: dx alone differs at %zu",
                      isa, at);
        }
        lc_free(dy), lc_free(dx1), lc_free(dx3), lc_free(dw1), lc_free(dw3), lc_free(db1);
        lc_free(rdx), lc_free(rdw), lc_free(rdb);
    }
    lc_free(x), lc_free(w), lc_free(b), lc_free(y1), lc_free(y3), lc_free(ws), lc_free(ref);
}

/* Three blocks depth first (direct with C0 inputs and OC0 outputs handing its output to
 * Winograd, Winograd pooled and padded, Winograd plain) equal, bit for bit, the same blocks'
 * evaluation path run one by one, with 1 and 3 threads. */
static void test_eval_chain(lc_pool *p, int C0, int OC0)
{
    enum { B = 7 };
    lc_conv2d c[3] = {make_conv(C0, 20, 18, OC0, 3, 3, 1, 1, 0, 0, 1, 1),
                      make_conv(OC0, 9, 8, 20, 3, 3, 1, 1, 1, 1, 1, 1), {0}};
    lc_conv_fuse f[3] = {{.pool = 1, .pkh = 2, .pkw = 2}, {.pool = 1, .pkh = 2, .pkw = 2}, {0}};
    CHECK(lc_conv_fuse_plan(&c[0], &f[0]) == 0);
    CHECK(lc_conv_fuse_plan(&c[1], &f[1]) == 0);
    c[2] = make_conv(20, f[1].POH, f[1].POW, 6, 3, 3, 1, 1, 1, 1, 1, 1);
    CHECK(lc_conv_fuse_plan(&c[2], &f[2]) == 0);
    float *w[3], *b[3], *y1[3], *yc[3], *yc3[3];
    size_t ny[3], nws = 0;
    lc_conv_eval_block blk[3], blk3[3];
    int ok = 1;
    for (int i = 0; i < 3; i++) {
        size_t nw = (size_t)c[i].OC * c[i].C * 9, t = lc_conv2d_ws_floats(&c[i], B, 3);
        ny[i] = (size_t)B * lc_conv_fuse_out_floats(&c[i], &f[i]);
        w[i] = lc_alloc(nw, 4), b[i] = lc_alloc((size_t)c[i].OC, 4);
        y1[i] = lc_alloc(ny[i], 4), yc[i] = lc_alloc(ny[i], 4), yc3[i] = lc_alloc(ny[i], 4);
        ok &= w[i] && b[i] && y1[i] && yc[i] && yc3[i];
        if (w[i] && b[i]) {
            fill(w[i], nw, 70 + i);
            fill(b[i], (size_t)c[i].OC, 80 + i);
        }
        blk[i] = (lc_conv_eval_block){&c[i], &f[i], w[i], b[i], yc[i], 0, 1, 0, NULL, 0};
        blk3[i] = (lc_conv_eval_block){&c[i], &f[i], w[i], b[i], yc3[i], 0, 1, 0, NULL, 0};
        nws = t > nws ? t : nws;
    }
    size_t tc = lc_conv_eval_chain_ws_floats(3, blk, 3);
    CHECK(tc > 0 && tc != SIZE_MAX);
    nws = tc > nws && tc != SIZE_MAX ? tc : nws;
    size_t nx = (size_t)B * C0 * 20 * 18;
    float *x = lc_alloc(nx, 4), *ws = lc_alloc(nws, 4);
    CHECK(ok && x && ws);
    if (ok && x && ws) {
        fill(x, nx, 90);
        const float *in = x;
        for (int i = 0; i < 3; i++) {
            lc_conv2d_forward_fused(NULL, &c[i], &f[i], B, in, w[i], b[i], 0.0f, 0, 0, 0, y1[i],
                                    NULL, ws);
            in = y1[i];
        }
        int done1 = lc_conv_eval_chain(NULL, 3, blk, B, x, ws);
        int done3 = lc_conv_eval_chain(p, 3, blk3, B, x, ws);
        CHECK(done1 == done3 && done1 == (lc_gemm_isa() != LC_ISA_REF));
        /* earlier blocks may hand their output straight to the next: only the last y counts */
        CHECK_MSG(!done1 || (memcmp(y1[2], yc[2], ny[2] * 4) == 0 &&
                             memcmp(y1[2], yc3[2], ny[2] * 4) == 0),
                  "evaluation chain differs from the blocks run one by one");
    }
    for (int i = 0; i < 3; i++)
        lc_free(w[i]), lc_free(b[i]), lc_free(y1[i]), lc_free(yc[i]), lc_free(yc3[i]);
    lc_free(x), lc_free(ws);
}

/* AVX2 and AVX-512 run the same arithmetic per output (their GEMM micro-kernels, direct sums and
 * Winograd transforms differ only in width), so a fused block gives the same bits under both:
 * evaluation, training's forward (with and without dropout) and its backward pass. */
static void test_isa_same_bits(lc_conv2d c, float rate, int B, lc_pool *p)
{
    enum { NISA = 2 };
    static const lc_isa isas[NISA] = {LC_ISA_AVX2, LC_ISA_AVX512};
    lc_isa best = lc_gemm_isa();
    if (lc_gemm_force_isa(LC_ISA_AVX2) != 0 || lc_gemm_force_isa(LC_ISA_AVX512) != 0) {
        lc_gemm_force_isa(best);
        return;
    }
    CHECK(lc_conv2d_plan(&c) == 0);
    lc_conv_fuse f = {.pool = 1, .pkh = 2, .pkw = 2};
    CHECK(lc_conv_fuse_plan(&c, &f) == 0);
    size_t nx = (size_t)B * c.C * c.H * c.W, nw = (size_t)c.OC * c.C * c.KH * c.KW;
    size_t ny = (size_t)B * lc_conv_fuse_out_floats(&c, &f), nws = lc_conv2d_ws_floats(&c, B, 3);
    float *x = lc_alloc(nx, 4), *w = lc_alloc(nw, 4), *b = lc_alloc((size_t)c.OC, 4);
    float *dy = lc_alloc(ny, 4), *ws = lc_alloc(nws, 4), *out[NISA][5] = {{0}};
    unsigned char *am[NISA] = {0};
    size_t len[5] = {ny, ny, nx, nw, (size_t)c.OC};
    int ok = x && w && b && dy && ws;
    for (int i = 0; i < NISA; i++) {
        for (int k = 0; k < 5; k++)
            ok = ok && (out[i][k] = lc_alloc(len[k], 4)) != NULL;
        ok = ok && (am[i] = lc_alloc(ny, 1)) != NULL;
    }
    if (!ok) {
        CHECK(0);
        goto done;
    }
    fill(x, nx, 101);
    fill(w, nw, 102);
    fill(b, (size_t)c.OC, 103);
    fill(dy, ny, 104);
    for (int i = 0; i < NISA; i++) {
        float **o = out[i];
        lc_gemm_force_isa(isas[i]);
        lc_conv2d_forward_fused(p, &c, &f, B, x, w, b, 0.0f, 0, 0, 0, o[0], NULL, ws);
        lc_conv2d_forward_fused(p, &c, &f, B, x, w, b, rate, 5, 6, 7, o[1], am[i], ws);
        lc_conv2d_backward_fused(p, &c, &f, B, x, w, o[1], am[i], rate, dy, o[2], o[3], o[4], ws);
    }
    static const char *names[5] = {"evaluation y", "training y", "dx", "dw", "db"};
    for (int k = 0; k < 5; k++)
        CHECK_MSG(memcmp(out[0][k], out[1][k], len[k] * 4) == 0,
                  "C=%d %dx%d OC=%d rate %.2f: %s differs between AVX2 and AVX-512", c.C, c.H,
                  c.W, c.OC, (double)rate, names[k]);
    CHECK(memcmp(am[0], am[1], ny) == 0);
done:
    for (int i = 0; i < NISA; i++) {
        for (int k = 0; k < 5; k++)
            lc_free(out[i][k]);
        lc_free(am[i]);
    }
    lc_free(x), lc_free(w), lc_free(b), lc_free(dy), lc_free(ws);
    lc_gemm_force_isa(best);
}

/* The same for a plain (unfused) convolution: evaluation's forward (Winograd F(4x4, 3x3) on
 * large maps), training's (F(2x2, 3x3)) and the backward pass (its input gradient through
 * Winograd) give the same bits under AVX2 and AVX-512. */
static void test_isa_same_bits_plain(lc_conv2d c, int B, lc_pool *p)
{
    enum { NISA = 2, NOUT = 5 };
    static const lc_isa isas[NISA] = {LC_ISA_AVX2, LC_ISA_AVX512};
    lc_isa best = lc_gemm_isa();
    if (lc_gemm_force_isa(LC_ISA_AVX2) != 0 || lc_gemm_force_isa(LC_ISA_AVX512) != 0) {
        lc_gemm_force_isa(best);
        return;
    }
    CHECK(lc_conv2d_plan(&c) == 0);
    size_t nx = (size_t)B * c.C * c.H * c.W, nw = (size_t)c.OC * c.C * c.KH * c.KW;
    size_t ny = (size_t)B * c.OC * c.OH * c.OW, nws = lc_conv2d_ws_floats(&c, B, 3);
    float *x = lc_alloc(nx, 4), *w = lc_alloc(nw, 4), *b = lc_alloc((size_t)c.OC, 4);
    float *dy = lc_alloc(ny, 4), *ws = lc_alloc(nws, 4), *out[NISA][NOUT] = {{0}};
    size_t len[NOUT] = {ny, ny, nx, nw, (size_t)c.OC};
    int ok = x && w && b && dy && ws;
    for (int i = 0; i < NISA; i++)
        for (int k = 0; k < NOUT; k++)
            ok = ok && (out[i][k] = lc_alloc(len[k], 4)) != NULL;
    if (!ok) {
        CHECK(0);
        goto done;
    }
    fill(x, nx, 111);
    fill(w, nw, 112);
    fill(b, (size_t)c.OC, 113);
    fill(dy, ny, 114);
    for (int i = 0; i < NISA; i++) {
        float **o = out[i];
        lc_gemm_force_isa(isas[i]);
        lc_conv2d_forward_winograd(p, &c, B, x, w, b, o[0], ws, 0, NULL);
        lc_conv2d_forward_winograd(p, &c, B, x, w, b, o[1], ws, 1, NULL);
        lc_conv2d_backward(p, &c, B, x, w, dy, o[2], o[3], o[4], ws);
    }
    static const char *names[NOUT] = {"evaluation y", "training y", "dx", "dw", "db"};
    for (int k = 0; k < NOUT; k++)
        CHECK_MSG(memcmp(out[0][k], out[1][k], len[k] * 4) == 0,
                  "plain C=%d %dx%d OC=%d: %s differs between AVX2 and AVX-512", c.C, c.H, c.W,
                  c.OC, names[k]);
    /* evaluation's F(4x4, 3x3) is not training's F(2x2, 3x3): the two plans differ */
    CHECK_MSG(memcmp(out[1][0], out[1][1], ny * 4) != 0,
              "plain C=%d %dx%d: evaluation and training computed the same bits", c.C, c.H, c.W);
done:
    for (int i = 0; i < NISA; i++)
        for (int k = 0; k < NOUT; k++)
            lc_free(out[i][k]);
    lc_free(x), lc_free(w), lc_free(b), lc_free(dy), lc_free(ws);
    lc_gemm_force_isa(best);
}

int main(void)
{
    int n;
    const lc_conv2d *cs = configs(&n);

    lc_conv2d bad = {1, 2, 2, 1, 3, 3, 1, 1, 0, 0, 1, 1, 0, 0, 0};
    CHECK(lc_conv2d_plan(&bad) == -1);
    bad.ph = bad.pw = 1;
    CHECK(lc_conv2d_plan(&bad) == 0 && bad.OH == 2 && bad.OW == 2);

    for (int i = 0; i < n; i++)
        test_adjoint(&cs[i]);
    test_isa_im2col_all();

    static const lc_isa isas[] = {LC_ISA_REF, LC_ISA_AVX2, LC_ISA_AVX512};
    lc_pool *p2 = lc_pool_create(2);
    CHECK(p2 != NULL);
    for (size_t s = 0; s < sizeof isas / sizeof *isas; s++) {
        if (lc_gemm_force_isa(isas[s]) != 0) {
            fprintf(stderr, "test_conv: CPU lacks %s, skipped\n", lc_isa_name(isas[s]));
            continue;
        }
        const char *name = lc_isa_name(isas[s]);
        for (int i = 0; i < n; i++)
            test_conv_vs_direct(&cs[i], i < 2 ? 20 : 37, i % 2 ? p2 : NULL, name);
        test_dense(3, 17, 5, name);
        test_dense(33, 1600, 128, name);
        test_dense(128, 128, 10, name);
    }
    lc_gemm_force_isa(lc_gemm_isa()); /* keep the last one; finite differences on the best ISA */
    for (int i = 2; i < n; i++)
        test_conv_fd(&cs[i], 2);
    test_conv_fd(&cs[1], 1);
    test_dense(4, 9, 6, "fd");

    test_threads(&cs[1], 20);
    test_threads(&cs[2], 5);
    test_threads(&cs[0], 3); /* dW over several k blocks of pixels */
    CHECK(lc_conv_wgrad_wino_ok(&cs[14]) && lc_conv_wgrad_wino_ok(&cs[15]));
    test_threads(&cs[14], 5); /* dW through Winograd */

    lc_pool *p3 = lc_pool_create(3);
    CHECK(p3 != NULL);
    /* under every ISA (packing from the image, vector keep masks): the tutorial's two blocks,
     * then odd sizes, pooled widths below, at and above a vector step, other windows, padding,
     * no pool, rates 0 and 1 */
    for (size_t s = 0; s < sizeof isas / sizeof *isas; s++) {
        if (lc_gemm_force_isa(isas[s]) != 0)
            continue;
        test_fused(make_conv(1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.0f, 9, p3);
        test_fused(make_conv(32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.4f, 19, p3);
        test_fused(make_conv(3, 11, 9, 5, 3, 2, 1, 2, 1, 1, 1, 1), 1, 3, 2, 0.25f, 7, p3);
        test_fused(make_conv(2, 10, 10, 4, 3, 3, 2, 2, 1, 1, 2, 2), 0, 1, 1, 0.5f, 5, p3);
        test_fused(make_conv(4, 6, 6, 3, 1, 1, 1, 1, 0, 0, 1, 1), 1, 2, 3, 0.3f, 17, p3);
        test_fused(make_conv(2, 8, 8, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 1.0f, 3, p3);
        test_fused(make_conv(3, 9, 20, 6, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.4f, 4, p3);
        test_fused(make_conv(2, 7, 9, 5, 2, 2, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.6f, 3, p3);
        /* a cropped 27x27 map has more pixels than one GEMM k block (dW regrouped if cropped) */
        test_fused(make_conv(1, 29, 29, 4, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.3f, 2, p3);
        /* several k blocks forward; outputs 1..3 wide or 1 high; pooled widths 16, 17, 32, 33;
         * stride, padding and dilation with a 2x2 pool; batches 1, 15, 17; extreme rates */
        test_fused(make_conv(48, 6, 6, 5, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.3f, 2, p3);
        test_fused(make_conv(48, 7, 7, 5, 3, 3, 1, 1, 0, 0, 1, 1), 0, 1, 1, 0.3f, 2, p3);
        test_fused(make_conv(2, 5, 3, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 1, 1, 0.3f, 1, p3);
        test_fused(make_conv(2, 5, 4, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.3f, 15, p3);
        test_fused(make_conv(2, 5, 5, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.3f, 17, p3);
        test_fused(make_conv(2, 6, 36, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.3f, 2, p3);
        test_fused(make_conv(2, 6, 35, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.3f, 2, p3);
        test_fused(make_conv(2, 6, 67, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.3f, 2, p3);
        test_fused(make_conv(2, 6, 68, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.3f, 2, p3);
        test_fused(make_conv(2, 3, 40, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 1, 2, 0.3f, 2, p3);
        test_fused(make_conv(2, 3, 40, 3, 3, 3, 1, 1, 0, 0, 1, 1), 0, 1, 1, 0.3f, 2, p3);
        test_fused(make_conv(2, 15, 15, 3, 3, 3, 2, 2, 1, 1, 1, 1), 1, 2, 2, 0.3f, 2, p3);
        test_fused(make_conv(2, 15, 16, 3, 3, 3, 1, 1, 2, 1, 2, 1), 1, 2, 2, 0.3f, 2, p3);
        test_fused(make_conv(2, 9, 9, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 1e-9f, 2, p3);
        test_fused(make_conv(2, 9, 9, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.999999f, 2, p3);
        test_fused(make_conv(2, 9, 9, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 3, 3, 0.3f, 2, p3);
        test_fused(make_conv(2, 4, 2, 3, 3, 1, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.3f, 2, p3);
        test_fused(make_conv(20, 4, 4, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.3f, 2, p3);
        /* a 1x1 convolution of an odd map: the cropped map is not the input plane */
        test_fused(make_conv(3, 5, 5, 4, 1, 1, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.3f, 2, p3);
        test_fused(make_conv(3, 5, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.0f, 3, p3);
        /* no dropout, few input channels: AVX2 and AVX-512 sum the taps directly (odd channel
         * counts, padding, pooled widths past 16 and 32) */
        test_fused(make_conv(3, 11, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1), 1, 2, 2, 0.0f, 7, p3);
        test_fused(make_conv(4, 7, 68, 17, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, 2, 0.0f, 2, p3);
        test_fused(make_conv(2, 9, 37, 33, 3, 3, 1, 1, 1, 2, 1, 1), 1, 2, 2, 0.0f, 3, p3);
    }
    /* the evaluation path: the tutorial's blocks; padding; no pool with odd outputs; pooled and
     * plain widths past 16 and 32; channel counts off the vector width; batches not a multiple of
     * a task's samples; shapes it does not take (stride 2, 5x5, 3x2 windows) */
    for (size_t s = 0; s < sizeof isas / sizeof *isas; s++) {
        if (lc_gemm_force_isa(isas[s]) != 0)
            continue;
        double worst = 0.0, d;
#define EVAL(...) (d = test_eval(__VA_ARGS__), worst = d > worst ? d : worst)
        EVAL(make_conv(1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1), 1, 9, p3);
        EVAL(make_conv(32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1), 1, 19, p3);
        EVAL(make_conv(32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1), 0, 5, p3);
        EVAL(make_conv(3, 11, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1), 1, 7, p3);
        EVAL(make_conv(3, 11, 9, 5, 3, 3, 1, 1, 1, 2, 1, 1), 0, 3, p3);
        EVAL(make_conv(2, 9, 37, 17, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, p3);
        EVAL(make_conv(4, 9, 70, 3, 3, 3, 1, 1, 0, 0, 1, 1), 1, 2, p3);
        EVAL(make_conv(1, 5, 40, 3, 3, 3, 1, 1, 0, 0, 1, 1), 0, 2, p3);
        EVAL(make_conv(5, 7, 8, 33, 3, 3, 1, 1, 0, 0, 1, 1), 0, 3, p3);
        EVAL(make_conv(17, 8, 7, 70, 3, 3, 1, 1, 1, 1, 1, 1), 1, 11, p3);
        EVAL(make_conv(48, 6, 6, 5, 3, 3, 1, 1, 0, 0, 1, 1), 1, 1, p3);
        EVAL(make_conv(20, 3, 3, 4, 3, 3, 1, 1, 0, 0, 1, 1), 0, 13, p3);
        EVAL(make_conv(16, 40, 38, 16, 3, 3, 1, 1, 1, 1, 1, 1), 1, 2, p3);
        EVAL(make_conv(8, 9, 9, 4, 3, 3, 2, 2, 0, 0, 1, 1), 1, 3, p3);
        EVAL(make_conv(8, 9, 9, 4, 5, 5, 1, 1, 0, 0, 1, 1), 0, 3, p3);
        /* a 7x7 map in 4 tiles whose U outgrows the caches: one group, its output channels
         * shared by the 3 threads (unevenly: 4 panels under AVX-512, the last partial) */
        EVAL(make_conv(128, 7, 7, 120, 3, 3, 1, 1, 1, 1, 1, 1), 0, 5, p3);
#undef EVAL
        fprintf(stderr, "test_conv: evaluation path under %s, largest difference %.3g\n",
                lc_isa_name(isas[s]), worst);
        /* a ResNet's 3x3 convolutions (padded, no bias, batch norm after): odd maps, channel
         * counts off the vector widths, tiles past the map's edge; shapes the GEMM keeps (few
         * input channels, stride 2) */
        for (int tr = 0; tr < 2; tr++) {
            test_forward_eval(make_conv(16, 14, 14, 16, 3, 3, 1, 1, 1, 1, 1, 1), 3, 0, tr, p3,
                              lc_isa_name(isas[s]));
            test_forward_eval(make_conv(24, 13, 11, 40, 3, 3, 1, 1, 1, 1, 1, 1), 2, 1, tr, p3,
                              lc_isa_name(isas[s]));
            test_forward_eval(make_conv(20, 7, 9, 35, 3, 3, 1, 1, 1, 1, 1, 1), 5, 1, tr, p3,
                              lc_isa_name(isas[s]));
            test_forward_eval(make_conv(9, 8, 5, 7, 3, 3, 1, 1, 0, 0, 1, 1), 4, 1, tr, p3,
                              lc_isa_name(isas[s]));
            test_forward_eval(make_conv(3, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1), 2, 0, tr, p3,
                              lc_isa_name(isas[s]));
            test_forward_eval(make_conv(16, 9, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1), 2, 0, tr, p3,
                              lc_isa_name(isas[s]));
            /* resnet's layer4 in small: the evaluation and the input gradient in one group
             * whose output channels the threads share */
            test_forward_eval(make_conv(128, 7, 7, 120, 3, 3, 1, 1, 1, 1, 1, 1), 5, 1, tr, p3,
                              lc_isa_name(isas[s]));
        }
        test_eval_chain(p3, 1, 8);  /* one input channel, one vector of outputs */
        test_eval_chain(p3, 1, 20); /* two vectors, the second partial */
        test_eval_chain(p3, 3, 33); /* RGB, three vectors */
    }
    /* the tutorial's blocks (direct, then Winograd with dropout), padding, odd sizes, channel
     * counts off both vector widths */
    test_isa_same_bits(make_conv(1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1), 0.0f, 9, p3);
    test_isa_same_bits(make_conv(32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1), 0.4f, 19, p3);
    test_isa_same_bits(make_conv(3, 11, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1), 0.0f, 7, p3);
    test_isa_same_bits(make_conv(17, 8, 7, 70, 3, 3, 1, 1, 1, 1, 1, 1), 0.3f, 11, p3);
    test_isa_same_bits(make_conv(48, 9, 9, 5, 3, 3, 1, 1, 0, 0, 1, 1), 0.0f, 3, p3);
    /* a ResNet's: F(4x4, 3x3) tiles past the map's edge, channels off both vector widths */
    test_isa_same_bits_plain(make_conv(24, 13, 11, 40, 3, 3, 1, 1, 1, 1, 1, 1), 3, p3);
    test_isa_same_bits_plain(make_conv(64, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1), 2, p3);
    lc_gemm_force_isa(lc_gemm_isa());
    lc_pool_destroy(p3);
    lc_pool_destroy(p2);
    return check_exit("test_conv");
}
