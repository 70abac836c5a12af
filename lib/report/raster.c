/* raster.c - the report's SVG charts as PNG images (ludwig visualize --file_format png): the
 * subset of SVG that svg.c draws (rect, line, polyline, polygon, path with M/L/H/V/Z, circle, text
 * with an anchor and a rotation by a multiple of 90 degrees, nested svg and g with translate,
 * clip-path to a rect) painted into an RGB image at twice the SVG's size and written as a
 * compressed PNG. Shapes are filled by a scanline rasteriser with exact horizontal coverage on
 * four sub-scanlines per pixel row and the non-zero rule, so each stroke (its segments, joins,
 * caps and dashes) is one shape and stroke-opacity is applied once where its pieces overlap, as a
 * browser does. Text is drawn with DejaVu Sans (regular and bold) read at run time from the system
 * (Debian's fonts-dejavu-core) through stb_truetype, with its advance widths and kerning.
 * Left out: font-family (always DejaVu Sans), transforms other than translate (and rotate on
 * text), viewBox scaling, curves, gradients, markers and CSS styles (the charts use none). */
#include "report_int.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Third-party single-file libraries, private to this file: their internals are not held to our
 * warning set. stb_image_write brings the deflate compressor rep_png deliberately lacks (a chart
 * at 1280x960 is 3.7 MB stored, a few tens of kB compressed). */
#define STBTT_STATIC
#define STB_TRUETYPE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include <stb_truetype.h>
#include <stb_image_write.h>
#pragma GCC diagnostic pop

#define SUB 4                      /* sub-scanlines per pixel row */
#define HI_RES_MAX_PIXELS 16000000 /* beyond this many output pixels at 2x, draw at 1x */
#define MAX_PIXELS 100000000       /* refuse larger images */
#define MITER_LIMIT 4.0            /* SVG's default stroke-miterlimit */

static const char *const font_path[2][4] = {
    {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/local/share/fonts/DejaVuSans.ttf"},
    {"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
     "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
     "/usr/local/share/fonts/DejaVuSans-Bold.ttf"},
};

typedef struct pt {
    double x, y;
} pt;

/* A polygon edge with y0 < y1; dir +1 when it went down in the original path, -1 up. */
typedef struct edge {
    float x0, y0, x1, y1;
    int dir;
} edge;

/* A shape to fill: edges in device pixels. */
typedef struct shape {
    edge *e;
    size_t n, cap;
    int oom;
} shape;

/* Points of one subpath. */
typedef struct ptbuf {
    pt *p;
    size_t n, cap;
    size_t base; /* start of the current run: duplicates are merged only within it */
    int oom;
} ptbuf;

typedef struct crossing {
    float x;
    int dir;
} crossing;

typedef struct canvas {
    unsigned char *rgb; /* (H, W, 3) */
    int W, H;
    double scale;        /* device pixels per SVG unit */
    float *cov;          /* (W + 1) coverage of one pixel row */
    size_t *act;         /* active edge indices */
    crossing *xs;        /* crossings of one sub-scanline */
    size_t act_cap;
    stbtt_fontinfo font[2];
    unsigned char *font_data[2];
    int font_state[2];   /* 0 not tried, 1 loaded, -1 missing */
    xmlNodePtr root;     /* for clip-path look-ups */
    int failed;          /* err holds why */
    char *err;
    size_t errlen;
} canvas;

typedef rep_svg_style style;

static void fail(canvas *c, const char *msg)
{
    if (!c->failed && c->err && c->errlen)
        snprintf(c->err, c->errlen, "%s", msg);
    c->failed = 1;
}

/* ---- shapes ---------------------------------------------------------------------------------- */

static void add_edge(shape *s, double x0, double y0, double x1, double y1, int dir)
{
    if (y0 == y1 || s->oom || !isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1))
        return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        edge *e = realloc(s->e, cap * sizeof *e);
        if (!e) {
            s->oom = 1;
            return;
        }
        s->e = e, s->cap = cap;
    }
    if (y0 > y1)
        s->e[s->n++] = (edge){(float)x1, (float)y1, (float)x0, (float)y0, -dir};
    else
        s->e[s->n++] = (edge){(float)x0, (float)y0, (float)x1, (float)y1, dir};
}

/* A closed polygon; oriented (each piece of a stroke counts once however they overlap) or as
 * drawn (a fill's own winding). */
static void add_poly(shape *s, const pt *p, size_t n, int oriented)
{
    if (n < 3)
        return;
    int dir = 1;
    if (oriented) {
        double a = 0;
        for (size_t i = 0; i < n; i++) {
            const pt *q = &p[(i + 1) % n];
            a += p[i].x * q->y - q->x * p[i].y;
        }
        dir = a < 0 ? -1 : 1;
    }
    for (size_t i = 0; i < n; i++) {
        const pt *q = &p[(i + 1) % n];
        add_edge(s, p[i].x, p[i].y, q->x, q->y, dir);
    }
}

/* Segments for a circle of radius r (device pixels): about one per pixel of circumference. */
static int circle_segments(double r)
{
    double n = ceil(2 * M_PI * r / 1.5);
    return n < 12 ? 12 : n > 256 ? 256 : (int)n;
}

static void add_circle(shape *s, double cx, double cy, double r)
{
    if (!(r > 0))
        return;
    pt p[256];
    int n = circle_segments(r);
    for (int i = 0; i < n; i++)
        p[i] = (pt){cx + r * cos(2 * M_PI * i / n), cy + r * sin(2 * M_PI * i / n)};
    add_poly(s, p, (size_t)n, 1);
}

/* The join at b between segments a->b and b->c, on the outer side of the turn. */
static void add_join(shape *s, pt a, pt b, pt c, double hw, int join)
{
    if (join == 1) {
        add_circle(s, b.x, b.y, hw);
        return;
    }
    double d1x = b.x - a.x, d1y = b.y - a.y, d2x = c.x - b.x, d2y = c.y - b.y;
    double l1 = hypot(d1x, d1y), l2 = hypot(d2x, d2y);
    if (!(l1 > 0) || !(l2 > 0))
        return;
    d1x /= l1, d1y /= l1, d2x /= l2, d2y /= l2;
    double n1x = -d1y, n1y = d1x, n2x = -d2y, n2y = d2x;
    if (n1x * d2x + n1y * d2y > 0) /* the outer side is the other one */
        n1x = -n1x, n1y = -n1y, n2x = -n2x, n2y = -n2y;
    pt q[4] = {b, {b.x + n1x * hw, b.y + n1y * hw}, {0, 0}, {b.x + n2x * hw, b.y + n2y * hw}};
    double mx = n1x + n2x, my = n1y + n2y, ml = hypot(mx, my);
    double cos_half = ml / 2; /* cos of half the angle between the normals */
    if (join == 0 && cos_half > 1e-9 && 1 / cos_half <= MITER_LIMIT) {
        q[2] = (pt){b.x + mx / ml * hw / cos_half, b.y + my / ml * hw / cos_half};
        add_poly(s, q, 4, 1);
    } else {
        q[2] = q[3];
        add_poly(s, q, 3, 1);
    }
}

/* A stroked run of points (device pixels; consecutive duplicates already removed). */
static void stroke_run(shape *s, const pt *p, size_t n, int closed, double hw, int cap_round,
                       int join)
{
    if (n == 1) {
        if (cap_round)
            add_circle(s, p[0].x, p[0].y, hw);
        return;
    }
    size_t segs = closed ? n : n - 1;
    for (size_t i = 0; i < segs; i++) {
        pt a = p[i], b = p[(i + 1) % n];
        double dx = b.x - a.x, dy = b.y - a.y, l = hypot(dx, dy);
        if (!(l > 0))
            continue;
        double nx = -dy / l * hw, ny = dx / l * hw;
        pt q[4] = {{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}};
        add_poly(s, q, 4, 1);
    }
    for (size_t i = closed ? 0 : 1; i < (closed ? n : n - 1); i++)
        add_join(s, p[(i + n - 1) % n], p[i], p[(i + 1) % n], hw, join);
    if (!closed && cap_round) {
        add_circle(s, p[0].x, p[0].y, hw);
        add_circle(s, p[n - 1].x, p[n - 1].y, hw);
    }
}

static void pb_push(ptbuf *b, double x, double y)
{
    if (b->oom)
        return;
    if (b->n > b->base && b->p[b->n - 1].x == x && b->p[b->n - 1].y == y)
        return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        pt *p = realloc(b->p, cap * sizeof *p);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p, b->cap = cap;
    }
    b->p[b->n++] = (pt){x, y};
}

/* A stroked subpath (device pixels), cut into dashes when the style has a dash pattern. */
static void stroke_path(shape *s, const pt *p, size_t n, int closed, const style *st, double scale)
{
    double hw = (st->width > 0 ? st->width : 0) * scale / 2;
    if (!(hw > 0) || n == 0)
        return;
    if (closed && n > 1 && p[n - 1].x == p[0].x && p[n - 1].y == p[0].y)
        n--; /* an explicit closing point: Z draws that segment */
    double period = 0;
    for (int i = 0; i < st->ndash; i++)
        period += st->dash[i] * scale;
    if (st->ndash == 0 || period < 1) { /* solid (a pattern under a pixel reads as solid) */
        stroke_run(s, p, n, closed && n > 2, hw, st->cap_round, st->join);
        return;
    }
    ptbuf d = {0};
    int k = 0, on = 1;
    double rem = st->dash[0] * scale;
    pb_push(&d, p[0].x, p[0].y);
    size_t segs = closed ? n : n - 1;
    for (size_t i = 0; i < segs && !d.oom; i++) {
        pt a = p[i], b = p[(i + 1) % n];
        double L = hypot(b.x - a.x, b.y - a.y), t = 0;
        while (L - t > rem) {
            t += rem;
            double x = a.x + (b.x - a.x) * t / L, y = a.y + (b.y - a.y) * t / L;
            if (on) {
                pb_push(&d, x, y);
                stroke_run(s, d.p, d.n, 0, hw, st->cap_round, st->join);
                d.n = 0;
            } else {
                pb_push(&d, x, y);
            }
            on = !on;
            k = (k + 1) % st->ndash;
            rem = st->dash[k] * scale;
        }
        rem -= L - t;
        if (on)
            pb_push(&d, b.x, b.y);
    }
    if (on && d.n)
        stroke_run(s, d.p, d.n, 0, hw, st->cap_round, st->join);
    if (d.oom)
        s->oom = 1;
    free(d.p);
}

/* ---- filling --------------------------------------------------------------------------------- */

static int cmp_edge(const void *a, const void *b)
{
    float ya = ((const edge *)a)->y0, yb = ((const edge *)b)->y0;
    return ya < yb ? -1 : ya > yb;
}

static int cmp_crossing(const void *a, const void *b)
{
    float xa = ((const crossing *)a)->x, xb = ((const crossing *)b)->x;
    return xa < xb ? -1 : xa > xb;
}

static double overlap(double a0, double a1, double b0, double b1)
{
    double lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
    return hi > lo ? hi - lo : 0;
}

static void blend(unsigned char *px, const unsigned char rgb[3], double a)
{
    for (int k = 0; k < 3; k++)
        px[k] = (unsigned char)lrint(px[k] + (rgb[k] - px[k]) * a);
}

/* Paints s (non-zero rule) in rgb at opacity alpha inside the clip rectangle, and empties s. */
static void fill_shape(canvas *c, shape *s, const unsigned char rgb[3], double alpha,
                       const double clip[4])
{
    if (s->oom) {
        fail(c, "out of memory rasterising the chart");
        s->n = 0, s->oom = 0;
        return;
    }
    if (s->n == 0 || !(alpha > 0))
        return;
    double bx0 = clip[0], by0 = clip[1], bx1 = clip[2], by1 = clip[3];
    float ex0 = s->e[0].x0, ex1 = ex0, ey0 = s->e[0].y0, ey1 = s->e[0].y1;
    for (size_t i = 0; i < s->n; i++) {
        const edge *e = &s->e[i];
        ex0 = fminf(ex0, fminf(e->x0, e->x1)), ex1 = fmaxf(ex1, fmaxf(e->x0, e->x1));
        ey0 = fminf(ey0, e->y0), ey1 = fmaxf(ey1, e->y1);
    }
    int x0 = (int)floor(fmax(bx0, ex0)), x1 = (int)ceil(fmin(bx1, ex1));
    int y0 = (int)floor(fmax(by0, ey0)), y1 = (int)ceil(fmin(by1, ey1));
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > c->W)
        x1 = c->W;
    if (y1 > c->H)
        y1 = c->H;
    if (x0 >= x1 || y0 >= y1) {
        s->n = 0;
        return;
    }
    if (c->act_cap < s->n) {
        size_t *act = realloc(c->act, s->n * sizeof *act);
        crossing *xs = act ? realloc(c->xs, s->n * sizeof *xs) : NULL;
        if (act)
            c->act = act;
        if (xs)
            c->xs = xs;
        if (!act || !xs) {
            fail(c, "out of memory rasterising the chart");
            s->n = 0;
            return;
        }
        c->act_cap = s->n;
    }
    qsort(s->e, s->n, sizeof *s->e, cmp_edge);
    size_t next = 0, nact = 0;
    float *cov = c->cov;
    for (int y = y0; y < y1; y++) {
        memset(cov + x0, 0, (size_t)(x1 - x0) * sizeof *cov);
        int any = 0;
        for (int k = 0; k < SUB; k++) {
            float sy = (float)y + ((float)k + 0.5f) / SUB;
            while (next < s->n && s->e[next].y0 <= sy)
                c->act[nact++] = next++;
            size_t m = 0, nx = 0;
            for (size_t i = 0; i < nact; i++) {
                const edge *e = &s->e[c->act[i]];
                if (e->y1 <= sy)
                    continue;
                c->act[m++] = c->act[i];
                c->xs[nx++] = (crossing){e->x0 + (sy - e->y0) * (e->x1 - e->x0) / (e->y1 - e->y0), e->dir};
            }
            nact = m;
            if (nx < 2)
                continue;
            if (nx < 16) {
                for (size_t i = 1; i < nx; i++)
                    for (size_t j = i; j > 0 && c->xs[j].x < c->xs[j - 1].x; j--) {
                        crossing t = c->xs[j];
                        c->xs[j] = c->xs[j - 1], c->xs[j - 1] = t;
                    }
            } else {
                qsort(c->xs, nx, sizeof *c->xs, cmp_crossing);
            }
            int wind = 0;
            for (size_t i = 0; i + 1 < nx; i++) {
                wind += c->xs[i].dir;
                if (wind == 0)
                    continue;
                double a = fmax(c->xs[i].x, x0), b = fmin(c->xs[i + 1].x, x1);
                if (!(b > a))
                    continue;
                int ia = (int)a, ib = (int)b;
                const float wgt = 1.0f / SUB;
                any = 1;
                if (ia == ib) {
                    cov[ia] += (float)(b - a) * wgt;
                    continue;
                }
                cov[ia] += (float)(ia + 1 - a) * wgt;
                for (int q = ia + 1; q < ib; q++)
                    cov[q] += wgt;
                if (ib < x1)
                    cov[ib] += (float)(b - ib) * wgt;
            }
        }
        if (!any)
            continue;
        double fy = overlap(y, y + 1, by0, by1);
        unsigned char *row = c->rgb + (size_t)y * (size_t)c->W * 3;
        for (int x = x0; x < x1; x++) {
            if (cov[x] <= 0)
                continue;
            double a = fmin(cov[x], 1) * alpha * fy * overlap(x, x + 1, bx0, bx1);
            if (a > 0)
                blend(row + (size_t)x * 3, rgb, a);
        }
    }
    s->n = 0;
}

/* Fills and strokes subpaths (SVG units; an array of runs given by starts) in the style. */
static void paint(canvas *c, shape *s, const style *st, ptbuf *pts, const size_t *start,
                  const int *closed, size_t nsub, int fillable)
{
    double k = c->scale;
    for (size_t i = 0; i < pts->n; i++)
        pts->p[i] = (pt){(pts->p[i].x + st->tx) * k, (pts->p[i].y + st->ty) * k};
    if (fillable && st->has_fill) {
        for (size_t j = 0; j < nsub; j++)
            add_poly(s, pts->p + start[j], start[j + 1] - start[j], 0);
        fill_shape(c, s, st->fill, st->fill_opacity * st->opacity, st->clip);
    }
    if (st->has_stroke) {
        for (size_t j = 0; j < nsub; j++)
            stroke_path(s, pts->p + start[j], start[j + 1] - start[j], closed[j], st, k);
        fill_shape(c, s, st->stroke, st->stroke_opacity * st->opacity, st->clip);
    }
}

/* One run of points (rect, line, polyline, polygon, circle). */
static void paint1(canvas *c, shape *s, const style *st, ptbuf *pts, int closed, int fillable)
{
    size_t start[2] = {0, pts->n};
    if (pts->oom) {
        fail(c, "out of memory rasterising the chart");
        return;
    }
    paint(c, s, st, pts, start, &closed, 1, fillable);
}

/* Subpath bounds of a path: run j is points start[j] .. start[j + 1] - 1. */
typedef struct subs {
    size_t *start;
    int *closed;
    size_t n, cap;
} subs;

static int sub_begin(subs *u, ptbuf *pts)
{
    if (u->n + 2 > u->cap) {
        size_t nc = u->cap ? u->cap * 2 : 16;
        size_t *ns = realloc(u->start, nc * sizeof *ns);
        if (!ns)
            return -1;
        u->start = ns;
        int *ncl = realloc(u->closed, nc * sizeof *ncl);
        if (!ncl)
            return -1;
        u->closed = ncl;
        u->cap = nc;
    }
    pts->base = pts->n;
    u->start[u->n] = pts->n;
    u->closed[u->n] = 0;
    u->n++;
    return 0;
}

/* Path data with M/L/H/V/Z (absolute and relative); a curve or an arc ends the path there. */
static void draw_path(canvas *c, shape *s, const char *d, const style *st)
{
    ptbuf pts = {0};
    subs u = {0};
    double cx = 0, cy = 0, sx = 0, sy = 0;
    char cmd = 0;
    const char *p = d;
    int oom = 0, open = 0; /* open: a subpath takes further points */
    for (;;) {
        while (*p == ' ' || *p == ',' || *p == '\n' || *p == '\t' || *p == '\r')
            p++;
        if (!*p)
            break;
        if (strchr("MmLlHhVvZz", *p))
            cmd = *p++;
        else if (!strchr("+-.0123456789", *p))
            break;
        if (cmd == 'Z' || cmd == 'z') {
            if (u.n)
                u.closed[u.n - 1] = 1;
            cx = sx, cy = sy;
            open = 0;
            cmd = 0;
            continue;
        }
        if (!cmd)
            break;
        char *end;
        double v1 = strtod(p, &end), v2 = 0;
        if (end == p)
            break;
        p = end;
        if (cmd == 'M' || cmd == 'm' || cmd == 'L' || cmd == 'l') {
            while (*p == ' ' || *p == ',')
                p++;
            v2 = strtod(p, &end);
            if (end == p)
                break;
            p = end;
        }
        if (cmd == 'M' || cmd == 'm') {
            cx = cmd == 'M' ? v1 : cx + v1, cy = cmd == 'M' ? v2 : cy + v2;
            sx = cx, sy = cy;
            if (sub_begin(&u, &pts) != 0) {
                oom = 1;
                break;
            }
            pb_push(&pts, cx, cy);
            open = 1;
            cmd = cmd == 'M' ? 'L' : 'l'; /* further pairs are line-tos */
            continue;
        }
        if (!open) { /* drawing on after Z (or without M) starts a subpath at the current point */
            if (sub_begin(&u, &pts) != 0) {
                oom = 1;
                break;
            }
            pb_push(&pts, cx, cy);
            open = 1;
        }
        switch (cmd) {
        case 'L': cx = v1, cy = v2; break;
        case 'l': cx += v1, cy += v2; break;
        case 'H': cx = v1; break;
        case 'h': cx += v1; break;
        case 'V': cy = v1; break;
        case 'v': cy += v1; break;
        default: break;
        }
        pb_push(&pts, cx, cy);
    }
    if (oom || pts.oom) {
        fail(c, "out of memory rasterising the chart");
    } else if (u.n) {
        u.start[u.n] = pts.n;
        paint(c, s, st, &pts, u.start, u.closed, u.n, 1);
    }
    free(pts.p), free(u.start), free(u.closed);
}

/* ---- text ------------------------------------------------------------------------------------ */

/* DejaVu Sans (bold: 1), read at the first text that needs it; NULL when no font is found (the
 * error says which package to install). */
static const stbtt_fontinfo *font_of(canvas *c, int bold)
{
    if (c->font_state[bold] == 0) {
        c->font_state[bold] = -1;
        for (size_t i = 0; i < sizeof font_path[0] / sizeof font_path[0][0]; i++) {
            FILE *f = fopen(font_path[bold][i], "rb");
            if (!f)
                continue;
            unsigned char *data = NULL;
            long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
            if (n > 0 && n < (64L << 20) && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n)) &&
                fread(data, 1, (size_t)n, f) == (size_t)n &&
                stbtt_InitFont(&c->font[bold], data, stbtt_GetFontOffsetForIndex(data, 0))) {
                c->font_data[bold] = data;
                c->font_state[bold] = 1;
                fclose(f);
                break;
            }
            free(data);
            fclose(f);
        }
    }
    if (c->font_state[bold] == 1)
        return &c->font[bold];
    if (bold)
        return font_of(c, 0); /* bold missing: regular */
    fail(c, "png output needs the DejaVu fonts: apt-get install fonts-dejavu-core");
    return NULL;
}

/* UTF-8 to code points (malformed bytes become U+FFFD); returns the count (at most cap). */
static int decode_utf8(const unsigned char *s, int *cp, int cap)
{
    int n = 0;
    while (*s && n < cap) {
        unsigned c = *s++;
        int more = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        unsigned v = more == 0 ? c : more == 1 ? c & 0x1F : more == 2 ? c & 0x0F : c & 0x07;
        for (int k = 0; k < more; k++) {
            if ((*s & 0xC0) != 0x80) {
                more = -1;
                break;
            }
            v = (v << 6) | (*s++ & 0x3F);
        }
        cp[n++] = more < 0 ? 0xFFFD : (int)v;
    }
    return n;
}

/* Where a point (u, v) of the unrotated text lands after `quarter` clockwise quarter turns about
 * (cx, cy), all in device pixels. */
static void turn(int quarter, double cx, double cy, double u, double v, double *x, double *y)
{
    switch (quarter) {
    case 1: *x = cx + cy - v, *y = u + cy - cx; break;
    case 2: *x = 2 * cx - u, *y = 2 * cy - v; break;
    case 3: *x = v + cx - cy, *y = cx + cy - u; break;
    default: *x = u, *y = v; break;
    }
}

#define MAX_GLYPHS 2048

/* A text element: its glyph run rendered unrotated into a coverage bitmap whose pixels land on
 * device pixels after the rotation, then blended in the fill colour. */
static void draw_text(canvas *c, xmlNodePtr n, const style *st)
{
    if (!st->has_fill || !(st->font > 0))
        return;
    xmlChar *t = xmlNodeGetContent(n);
    if (!t)
        return;
    int *cp = malloc(MAX_GLYPHS * sizeof *cp), *gl = malloc(MAX_GLYPHS * sizeof *gl);
    double *pen = malloc((MAX_GLYPHS + 1) * sizeof *pen);
    int ng = cp && gl && pen ? decode_utf8(t, cp, MAX_GLYPHS) : -1;
    xmlFree(t);
    const stbtt_fontinfo *f = ng > 0 ? font_of(c, st->bold) : NULL;
    unsigned char *bm = NULL;
    if (ng < 0)
        fail(c, "out of memory rasterising the chart");
    if (!f)
        goto done;
    double size = fmin(st->font * c->scale, 1000);
    double sc = stbtt_ScaleForMappingEmToPixels(f, (float)size);
    pen[0] = 0; /* pen[i]: where glyph i starts, with its advance widths and kerning */
    for (int i = 0; i < ng; i++) {
        gl[i] = stbtt_FindGlyphIndex(f, cp[i]);
        int adv, lsb;
        stbtt_GetGlyphHMetrics(f, gl[i], &adv, &lsb);
        if (i > 0)
            pen[i] += stbtt_GetGlyphKernAdvance(f, gl[i - 1], gl[i]) * sc;
        pen[i + 1] = pen[i] + adv * sc;
    }
    int asc, desc, gap;
    stbtt_GetFontVMetrics(f, &asc, &desc, &gap);
    double width = pen[ng], ascent = asc * sc, descent = -desc * sc, margin = 2 + size * 0.25;
    double shift = strcmp(st->anchor, "middle") == 0 ? width / 2 : strcmp(st->anchor, "end") == 0 ? width : 0;
    double k = c->scale;
    double X = (rep_svg_len(n, "x", 0, st->vw) + st->tx) * k, Y = (rep_svg_len(n, "y", 0, st->vh) + st->ty) * k;
    char buf[128];
    const char *tr = rep_svg_prop(n, "transform", buf, sizeof buf);
    double rot = 0, rx = 0, ry = 0;
    int quarter = 0;
    if (tr) {
        const char *r = strstr(tr, "rotate(");
        int got = r ? sscanf(r, "rotate(%lf %lf %lf)", &rot, &rx, &ry) : 0;
        if (got < 3)
            got = r ? sscanf(r, "rotate(%lf,%lf,%lf)", &rot, &rx, &ry) : 0;
        if (got == 1)
            rx = ry = 0;
        if (got == 1 || got == 3)
            quarter = (int)(((lround(rot / 90) % 4) + 4) % 4);
    }
    double cx = (rx + st->tx) * k, cy = (ry + st->ty) * k;
    double cu = 0, cv = 0; /* the grid offsets that put bitmap pixels on device pixels */
    if (quarter == 1)
        cu = cx - cy, cv = cx + cy;
    else if (quarter == 2)
        cu = 2 * cx, cv = 2 * cy;
    else if (quarter == 3)
        cu = cx + cy, cv = cy - cx;
    double u0 = X - shift - margin, v0 = Y - ascent - margin;
    double ox = floor(u0 - cu) + cu, oy = floor(v0 - cv) + cv;
    int bw = (int)fmin(ceil(width + 2 * margin) + 2, 32768), bh = (int)ceil(ascent + descent + 2 * margin) + 2;
    bm = calloc((size_t)bw * (size_t)bh, 1);
    if (!bm) {
        fail(c, "out of memory rasterising the chart");
        goto done;
    }
    for (int i = 0; i < ng; i++) {
        double bu = X - shift + pen[i] - ox, bv = Y - oy;
        double fu = floor(bu), fv = floor(bv);
        int gw = 0, gh = 0, xoff = 0, yoff = 0;
        unsigned char *g = stbtt_GetGlyphBitmapSubpixel(f, (float)sc, (float)sc, (float)(bu - fu),
                                                        (float)(bv - fv), gl[i], &gw, &gh, &xoff, &yoff);
        if (!g)
            continue;
        for (int yy = 0; yy < gh; yy++) {
            int by = (int)fv + yoff + yy;
            if (by < 0 || by >= bh)
                continue;
            for (int xx = 0; xx < gw; xx++) {
                int bx = (int)fu + xoff + xx;
                if (bx < 0 || bx >= bw)
                    continue;
                int v = bm[(size_t)by * bw + bx] + g[yy * gw + xx];
                bm[(size_t)by * bw + bx] = (unsigned char)(v > 255 ? 255 : v);
            }
        }
        stbtt_FreeBitmap(g, NULL);
    }
    double alpha = st->fill_opacity * st->opacity;
    for (int j = 0; j < bh; j++)
        for (int i = 0; i < bw; i++) {
            unsigned char a = bm[(size_t)j * bw + i];
            if (!a)
                continue;
            double dx, dy;
            turn(quarter, cx, cy, ox + i + 0.5, oy + j + 0.5, &dx, &dy);
            long px = lround(dx - 0.5), py = lround(dy - 0.5);
            if (px < 0 || py < 0 || px >= c->W || py >= c->H)
                continue;
            double w = a / 255.0 * alpha * overlap((double)px, px + 1.0, st->clip[0], st->clip[2]) *
                       overlap((double)py, py + 1.0, st->clip[1], st->clip[3]);
            if (w > 0)
                blend(c->rgb + ((size_t)py * (size_t)c->W + (size_t)px) * 3, st->fill, w);
        }
done:
    free(bm), free(cp), free(gl), free(pen);
}

/* ---- the tree -------------------------------------------------------------------------------- */

static xmlNodePtr find_clip(xmlNodePtr n, const char *id)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, "clipPath") == 0) {
            xmlChar *v = xmlGetProp(c, BAD_CAST "id");
            int hit = v && strcmp((const char *)v, id) == 0;
            xmlFree(v);
            if (hit)
                return c;
        }
        xmlNodePtr r = find_clip(c, id);
        if (r)
            return r;
    }
    return NULL;
}

/* Narrows the clip rectangle to x, y, w, h (SVG units in the style's translation). */
static void clip_to(style *st, double scale, double x, double y, double w, double h)
{
    double r[4] = {(x + st->tx) * scale, (y + st->ty) * scale, (x + w + st->tx) * scale,
                   (y + h + st->ty) * scale};
    st->clip[0] = fmax(st->clip[0], r[0]), st->clip[1] = fmax(st->clip[1], r[1]);
    st->clip[2] = fmin(st->clip[2], r[2]), st->clip[3] = fmin(st->clip[3], r[3]);
}

/* clip-path="url(#id)" naming a clipPath whose first rect is the clip (the document's first
 * clipPath of that id, as browsers take it). */
static void apply_clip(canvas *c, xmlNodePtr n, style *st)
{
    char buf[128], id[120];
    const char *s = rep_svg_prop(n, "clip-path", buf, sizeof buf);
    if (!s || sscanf(s, "url(#%119[^)])", id) != 1)
        return;
    xmlNodePtr cp = find_clip(c->root, id);
    for (xmlNodePtr r = cp ? cp->children : NULL; r; r = r->next)
        if (r->type == XML_ELEMENT_NODE && strcmp((const char *)r->name, "rect") == 0) {
            clip_to(st, c->scale, rep_svg_len(r, "x", 0, st->vw), rep_svg_len(r, "y", 0, st->vh),
                    rep_svg_len(r, "width", 0, st->vw), rep_svg_len(r, "height", 0, st->vh));
            return;
        }
}

/* "x,y x,y ..." */
static void parse_points(const char *p, ptbuf *b)
{
    for (;;) {
        char *end;
        double x = strtod(p, &end);
        if (end == p)
            break;
        p = end;
        while (*p == ',' || *p == ' ' || *p == '\n' || *p == '\t')
            p++;
        double y = strtod(p, &end);
        if (end == p)
            break;
        p = end;
        while (*p == ',' || *p == ' ' || *p == '\n' || *p == '\t')
            p++;
        pb_push(b, x, y);
    }
}

static void walk(canvas *c, shape *sh, xmlNodePtr n, const style *st)
{
    for (xmlNodePtr e = n->children; e && !c->failed; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)e->name;
        if (strcmp(name, "title") == 0 || strcmp(name, "defs") == 0 || strcmp(name, "clipPath") == 0 ||
            strcmp(name, "desc") == 0 || strcmp(name, "metadata") == 0 || strcmp(name, "style") == 0)
            continue;
        style s2 = *st;
        rep_svg_inherit(e, &s2);
        apply_clip(c, e, &s2);
        ptbuf pts = {0};
        if (strcmp(name, "g") == 0) {
            walk(c, sh, e, &s2);
        } else if (strcmp(name, "svg") == 0) { /* a nested chart: its own viewport, clipped */
            double x = rep_svg_len(e, "x", 0, st->vw), y = rep_svg_len(e, "y", 0, st->vh);
            s2.tx += x, s2.ty += y;
            s2.vw = rep_svg_len(e, "width", st->vw, st->vw), s2.vh = rep_svg_len(e, "height", st->vh, st->vh);
            clip_to(&s2, c->scale, 0, 0, s2.vw, s2.vh);
            walk(c, sh, e, &s2);
        } else if (strcmp(name, "rect") == 0) {
            double x = rep_svg_len(e, "x", 0, s2.vw), y = rep_svg_len(e, "y", 0, s2.vh),
                   w = rep_svg_len(e, "width", 0, s2.vw), h = rep_svg_len(e, "height", 0, s2.vh);
            if (w > 0 && h > 0) {
                pb_push(&pts, x, y), pb_push(&pts, x + w, y), pb_push(&pts, x + w, y + h),
                    pb_push(&pts, x, y + h);
                paint1(c, sh, &s2, &pts, 1, 1);
            }
        } else if (strcmp(name, "line") == 0) {
            pb_push(&pts, rep_svg_len(e, "x1", 0, s2.vw), rep_svg_len(e, "y1", 0, s2.vh));
            pb_push(&pts, rep_svg_len(e, "x2", 0, s2.vw), rep_svg_len(e, "y2", 0, s2.vh));
            paint1(c, sh, &s2, &pts, 0, 0);
        } else if (strcmp(name, "polyline") == 0 || strcmp(name, "polygon") == 0) {
            xmlChar *v = xmlGetProp(e, BAD_CAST "points");
            if (v) {
                parse_points((const char *)v, &pts);
                xmlFree(v);
                paint1(c, sh, &s2, &pts, name[4] == 'g', 1);
            }
        } else if (strcmp(name, "path") == 0) {
            xmlChar *d = xmlGetProp(e, BAD_CAST "d");
            if (d) {
                draw_path(c, sh, (const char *)d, &s2);
                xmlFree(d);
            }
        } else if (strcmp(name, "circle") == 0) {
            double cx = rep_svg_len(e, "cx", 0, s2.vw), cy = rep_svg_len(e, "cy", 0, s2.vh),
                   r = rep_svg_len(e, "r", 0, s2.vw);
            int m = circle_segments(r * c->scale);
            for (int i = 0; r > 0 && i < m; i++)
                pb_push(&pts, cx + r * cos(2 * M_PI * i / m), cy + r * sin(2 * M_PI * i / m));
            paint1(c, sh, &s2, &pts, 1, 1);
        } else if (strcmp(name, "text") == 0) {
            draw_text(c, e, &s2);
        }
        free(pts.p);
    }
}

/* Output pixels per SVG unit: 2 (crisp text and thin lines) unless the image would be huge. */
static double pick_scale(double W, double H)
{
    return W * H * 4 <= HI_RES_MAX_PIXELS ? 2 : 1;
}

unsigned char *rep_svg_to_png(const char *svg_text, size_t *len, char *err, size_t errlen)
{
    rep_xml_init();
    *len = 0;
    if (err && errlen)
        err[0] = '\0';
    canvas c = {.err = err, .errlen = errlen};
    size_t n = svg_text ? strlen(svg_text) : 0;
    xmlDocPtr doc = n && n < (size_t)1 << 30
                        ? xmlReadMemory(svg_text, (int)n, "chart.svg", NULL,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
                        : NULL;
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || strcmp((const char *)root->name, "svg") != 0) {
        fail(&c, "cannot rasterise the chart: not an SVG document");
        xmlFreeDoc(doc);
        return NULL;
    }
    double W = rep_svg_len(root, "width", 720, 720), H = rep_svg_len(root, "height", 480, 480);
    if (!(W >= 1) || !(H >= 1) || W * H > MAX_PIXELS) {
        fail(&c, "cannot rasterise the chart: its width or height is missing or out of range");
        xmlFreeDoc(doc);
        return NULL;
    }
    c.scale = pick_scale(W, H);
    c.W = (int)ceil(W * c.scale), c.H = (int)ceil(H * c.scale);
    c.root = root;
    c.rgb = malloc((size_t)c.W * (size_t)c.H * 3);
    c.cov = malloc(((size_t)c.W + 1) * sizeof *c.cov);
    unsigned char *png = NULL;
    if (!c.rgb || !c.cov) {
        fail(&c, "out of memory rasterising the chart");
    } else {
        memset(c.rgb, 255, (size_t)c.W * (size_t)c.H * 3); /* a white page, as a browser shows it */
        style st = {.has_fill = 1, .width = 1, .font = 16, .stroke_opacity = 1, .fill_opacity = 1,
                    .opacity = 1, .anchor = "start", .vw = W, .vh = H,
                    .clip = {0, 0, c.W, c.H}};
        rep_svg_inherit(root, &st);
        st.tx = st.ty = 0;
        shape sh = {0};
        walk(&c, &sh, root, &st);
        free(sh.e);
        if (!c.failed) {
            int out = 0;
            png = stbi_write_png_to_mem(c.rgb, c.W * 3, c.W, c.H, 3, &out);
            if (!png || out <= 0)
                fail(&c, "out of memory writing the PNG");
            else
                *len = (size_t)out;
        }
    }
    free(c.rgb), free(c.cov), free(c.act), free(c.xs);
    free(c.font_data[0]), free(c.font_data[1]);
    xmlFreeDoc(doc);
    if (c.failed) {
        free(png);
        *len = 0;
        return NULL;
    }
    return png;
}
