/* conv_plan.c - the shapes of a convolution and of a fused conv block (lc_conv.h): output size
 * from input, filter, stride, padding and dilation; the pooled size of a fused block. Shared by the
 * GEMM path (conv.c) and the direct and Winograd kernels (conv_eval.c), which depend on it and not
 * on each other. Computing anything is left to them. */
#include "lc_conv.h"

int lc_conv2d_plan(lc_conv2d *c)
{
    if (c->C < 1 || c->H < 1 || c->W < 1 || c->OC < 1 || c->KH < 1 || c->KW < 1 || c->sh < 1 ||
        c->sw < 1 || c->ph < 0 || c->pw < 0 || c->dh < 1 || c->dw < 1 || c->groups < 0 ||
        (c->groups > 1 && (c->C % c->groups || c->OC % c->groups)))
        return -1;
    long eh = (long)c->H + 2L * c->ph - (long)c->dh * (c->KH - 1) - 1;
    long ew = (long)c->W + 2L * c->pw - (long)c->dw * (c->KW - 1) - 1;
    if (eh < 0 || ew < 0)
        return -1;
    c->OH = (int)(eh / c->sh + 1);
    c->OW = (int)(ew / c->sw + 1);
    return 0;
}

int lc_conv_fuse_plan(const lc_conv2d *c, lc_conv_fuse *f)
{
    if (!f->pool) {
        f->POH = c->OH;
        f->POW = c->OW;
        return 0;
    }
    if (f->pkh < 1 || f->pkw < 1 || f->pkh * f->pkw > 256 || f->pkh > c->OH || f->pkw > c->OW)
        return -1;
    f->POH = c->OH / f->pkh;
    f->POW = c->OW / f->pkw;
    return 0;
}

size_t lc_conv_fuse_out_floats(const lc_conv2d *c, const lc_conv_fuse *f)
{
    return (size_t)c->OC * f->POH * f->POW;
}
