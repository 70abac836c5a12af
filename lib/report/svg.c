/* svg.c - the report's charts as standalone SVG documents built with libxml2's tree API (so
 * every label is escaped): line charts over epochs, horizontal bars, Ludwig's double-axis
 * line plot, x-y charts (curves, scatter points, reference lines) and histograms. Axes, ticks,
 * grid, legend and title are drawn here; the caller embeds the text (report.c uses it as an
 * <img> data URI). Palette: Okabe & Ito, with dash patterns so series
 * stay apart in greyscale too. Not here: which numbers to plot (report.c picks them). */
#include "report_int.h"

#include <libxml/tree.h>
#include <libxml/parser.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVG_W 640
#define FONT 15
#define TITLE_FONT 17

typedef struct svg {
    xmlDocPtr doc;
    xmlNodePtr root;
    int oom;
} svg;

static const char *const series_color[3] = {REP_BLUE, REP_ORANGE, REP_GREEN};
static const char *const series_dash[3] = {NULL, "9 5", "2 4"};

static xmlNodePtr el(svg *s, xmlNodePtr parent, const char *name)
{
    xmlNodePtr n = parent ? xmlNewChild(parent, NULL, BAD_CAST name, NULL) : NULL;
    if (!n)
        s->oom = 1;
    return n;
}

static void attr(svg *s, xmlNodePtr n, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void attr(svg *s, xmlNodePtr n, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (rep_xml_vpropf(n, name, fmt, ap) != 0)
        s->oom = 1;
    va_end(ap);
}

int rep_xml_vpropf(xmlNodePtr n, const char *name, const char *fmt, va_list ap)
{
    char buf[256];
    vsnprintf(buf, sizeof buf, fmt, ap);
    return n && xmlNewProp(n, BAD_CAST name, BAD_CAST buf) ? 0 : -1;
}

/* Text at (x, y); anchor "start", "middle" or "end"; rotate in degrees about (x, y). */
static xmlNodePtr text(svg *s, xmlNodePtr parent, double x, double y, const char *anchor,
                       int size, double rotate, const char *str)
{
    xmlNodePtr t = el(s, parent, "text");
    attr(s, t, "x", "%.1f", x);
    attr(s, t, "y", "%.1f", y);
    if (strcmp(anchor, "start") != 0)
        attr(s, t, "text-anchor", "%s", anchor);
    if (size != FONT)
        attr(s, t, "font-size", "%d", size);
    if (rotate != 0)
        attr(s, t, "transform", "rotate(%.0f %.1f %.1f)", rotate, x, y);
    if (t)
        xmlNodeAddContent(t, BAD_CAST str);
    return t;
}

static void line(svg *s, xmlNodePtr parent, double x1, double y1, double x2, double y2,
                 const char *color, double width, const char *dash)
{
    xmlNodePtr l = el(s, parent, "line");
    attr(s, l, "x1", "%.1f", x1);
    attr(s, l, "y1", "%.1f", y1);
    attr(s, l, "x2", "%.1f", x2);
    attr(s, l, "y2", "%.1f", y2);
    attr(s, l, "stroke", "%s", color);
    if (width != 1)
        attr(s, l, "stroke-width", "%g", width);
    if (dash)
        attr(s, l, "stroke-dasharray", "%s", dash);
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

void rep_xml_init(void)
{
    pthread_once(&xml_once, xmlInitParser);
}

static void svg_begin(svg *s, int height, const char *title)
{
    rep_xml_init();
    s->oom = 0;
    s->doc = xmlNewDoc(BAD_CAST "1.0");
    s->root = s->doc ? xmlNewNode(NULL, BAD_CAST "svg") : NULL;
    if (!s->root) {
        s->oom = 1;
        return;
    }
    xmlDocSetRootElement(s->doc, s->root);
    attr(s, s->root, "xmlns", "http://www.w3.org/2000/svg");
    attr(s, s->root, "viewBox", "0 0 %d %d", SVG_W, height);
    attr(s, s->root, "width", "%d", SVG_W);
    attr(s, s->root, "height", "%d", height);
    attr(s, s->root, "font-family", "DejaVu Sans, Verdana, Arial, sans-serif");
    attr(s, s->root, "font-size", "%d", FONT);
    attr(s, s->root, "fill", "#222");
    xmlNodePtr bg = el(s, s->root, "rect");
    attr(s, bg, "width", "100%%");
    attr(s, bg, "height", "100%%");
    attr(s, bg, "fill", "#fff");
    xmlNodePtr t = el(s, s->root, "title");
    if (t)
        xmlNodeAddContent(t, BAD_CAST title);
    t = text(s, s->root, SVG_W / 2.0, 24, "middle", TITLE_FONT, 0, title);
    attr(s, t, "font-weight", "bold");
}

static char *svg_end(svg *s)
{
    char *out = NULL;
    if (!s->oom && s->root) {
        xmlBufferPtr b = xmlBufferCreate();
        if (b && xmlNodeDump(b, s->doc, s->root, 0, 0) >= 0) {
            size_t n = (size_t)xmlBufferLength(b);
            out = malloc(n + 1);
            if (out) {
                memcpy(out, xmlBufferContent(b), n);
                out[n] = '\0';
            }
        }
        if (b)
            xmlBufferFree(b);
    }
    if (s->doc)
        xmlFreeDoc(s->doc);
    return out;
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) for about `target` intervals. */
static double nice_step(double range, int target)
{
    if (!(range > 0) || !isfinite(range))
        return 1;
    double raw = range / target, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static int step_decimals(double step)
{
    int d = (int)ceil(-log10(step) - 1e-9);
    return d < 0 ? 0 : d > 6 ? 6 : d;
}

static void finite_range(const double *v, int n, double *lo, double *hi)
{
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) {
            if (v[i] < *lo)
                *lo = v[i];
            if (v[i] > *hi)
                *hi = v[i];
        }
}

/* Plot box. */
typedef struct box {
    double x0, y0, x1, y1; /* pixels: left, top, right, bottom */
    double xlo, xhi, ylo, yhi;
} box;

static double px(const box *b, double x)
{
    return b->x0 + (x - b->xlo) / (b->xhi - b->xlo) * (b->x1 - b->x0);
}

static double py(const box *b, double y)
{
    return b->y1 - (y - b->ylo) / (b->yhi - b->ylo) * (b->y1 - b->y0);
}

/* Horizontal grid lines and tick labels for the y range [ylo, yhi] at `step`, on the left
 * (side 0) or the right (side 1) in `color`. */
static void y_ticks(svg *s, xmlNodePtr g, const box *b, double step, int side, const char *color,
                    int grid)
{
    int d = step_decimals(step);
    double first = ceil(b->ylo / step - 1e-9) * step;
    for (int i = 0; i < 50; i++) {
        double v = first + i * step;
        if (v > b->yhi + step * 1e-6)
            break;
        double y = py(b, v);
        if (grid)
            line(s, g, b->x0, y, b->x1, y, "#e3e3e3", 1, NULL);
        char lab[48];
        snprintf(lab, sizeof lab, "%.*f", d, fabs(v) < step * 1e-9 ? 0.0 : v);
        xmlNodePtr t = side ? text(s, g, b->x1 + 6, y + 5, "start", FONT, 0, lab)
                            : text(s, g, b->x0 - 6, y + 5, "end", FONT, 0, lab);
        if (color)
            attr(s, t, "fill", "%s", color);
    }
}

static void frame(svg *s, xmlNodePtr g, const box *b)
{
    xmlNodePtr r = el(s, g, "rect");
    attr(s, r, "x", "%.1f", b->x0);
    attr(s, r, "y", "%.1f", b->y0);
    attr(s, r, "width", "%.1f", b->x1 - b->x0);
    attr(s, r, "height", "%.1f", b->y1 - b->y0);
    attr(s, r, "fill", "none");
    attr(s, r, "stroke", "#999");
}

/* A legend row of (swatch, name) pairs centred at y. */
static void legend(svg *s, xmlNodePtr g, double y, int n, const char *const *names,
                   const char *const *colors, const char *const *dashes, const double *widths)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += 34 + 8.5 * (double)strlen(names[i]) + 18;
    double x = (SVG_W - total) / 2;
    for (int i = 0; i < n; i++) {
        line(s, g, x, y - 5, x + 28, y - 5, colors[i], widths[i], dashes[i]);
        text(s, g, x + 34, y, "start", FONT, 0, names[i]);
        x += 34 + 8.5 * (double)strlen(names[i]) + 18;
    }
}

/* One stroked polyline of points pts ("x,y x,y ..."): round joins, no fill, dashed when dash is
 * non-NULL, at opacity < 1 when asked. */
static void polyline(svg *s, xmlNodePtr g, const char *pts, const char *color, double width,
                     const char *dash, double opacity)
{
    xmlNodePtr p = el(s, g, "polyline");
    attr(s, p, "fill", "none");
    attr(s, p, "stroke", "%s", color);
    attr(s, p, "stroke-width", "%g", width);
    attr(s, p, "stroke-linejoin", "round");
    if (opacity < 1)
        attr(s, p, "stroke-opacity", "%g", opacity);
    if (dash)
        attr(s, p, "stroke-dasharray", "%s", dash);
    if (p && !xmlNewProp(p, BAD_CAST "points", BAD_CAST pts))
        s->oom = 1;
}

/* Polyline(s) through the finite points of y over x = x_of(i); gaps at non-finite values. */
static void series_path(svg *s, xmlNodePtr g, const box *b, const double *y, int n,
                        double x_first, double x_step, const char *color, double width,
                        const char *dash, int markers)
{
    size_t cap = (size_t)n * 24 + 1;
    char *pts = malloc(cap);
    if (!pts) {
        s->oom = 1;
        return;
    }
    size_t len = 0;
    for (int i = 0; i <= n; i++) {
        if (i < n && isfinite(y[i])) {
            len += (size_t)snprintf(pts + len, cap - len, "%s%.1f,%.1f", len ? " " : "",
                                    px(b, x_first + i * x_step), py(b, y[i]));
            continue;
        }
        if (len) {
            polyline(s, g, pts, color, width, dash, 1);
            len = 0;
        }
    }
    free(pts);
    if (!markers)
        return;
    for (int i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            continue;
        xmlNodePtr c = el(s, g, "circle");
        attr(s, c, "cx", "%.1f", px(b, x_first + i * x_step));
        attr(s, c, "cy", "%.1f", py(b, y[i]));
        attr(s, c, "r", "3.5");
        attr(s, c, "fill", "%s", color);
    }
}

char *rep_svg_lines(const char *title, const char *xlabel, const char *ylabel,
                    const rep_series *sr, int ns, int mark_x)
{
    svg s;
    const int H = 420;
    svg_begin(&s, H, title);
    if (ns > 3)
        ns = 3;
    int n = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < ns; i++) {
        if (sr[i].n > n)
            n = sr[i].n;
        finite_range(sr[i].y, sr[i].n, &lo, &hi);
    }
    if (!(lo <= hi)) {
        lo = 0;
        hi = 1;
    }
    if (hi - lo < 1e-12) {
        double pad = fabs(lo) > 1e-12 ? fabs(lo) * 0.05 : 0.5;
        lo -= pad;
        hi += pad;
    }
    double ystep = nice_step(hi - lo, 6);
    box b = {78, 84, SVG_W - 24, H - 62, 1, n > 1 ? n : 2, floor(lo / ystep) * ystep,
             ceil(hi / ystep) * ystep};
    if (n <= 1) {
        b.xlo = 0.5;
        b.xhi = 1.5;
    }
    xmlNodePtr g = s.root;
    y_ticks(&s, g, &b, ystep, 0, NULL, 1);
    /* x ticks: whole epochs */
    double xstep = nice_step(n > 1 ? n - 1 : 1, 8);
    if (xstep < 1)
        xstep = 1;
    for (double x = 1; x <= (n > 1 ? n : 1) + 1e-9; x += xstep) {
        char lab[32];
        snprintf(lab, sizeof lab, "%.0f", x);
        line(&s, g, px(&b, x), b.y1, px(&b, x), b.y1 + 5, "#999", 1, NULL);
        text(&s, g, px(&b, x), b.y1 + 22, "middle", FONT, 0, lab);
    }
    frame(&s, g, &b);
    text(&s, g, (b.x0 + b.x1) / 2, H - 14, "middle", FONT, 0, xlabel);
    text(&s, g, 20, (b.y0 + b.y1) / 2, "middle", FONT, -90, ylabel);
    const char *names[4], *colors[4], *dashes[4];
    double widths[4];
    int nl = 0;
    if (mark_x >= 1 && mark_x <= (n > 1 ? n : 1)) {
        line(&s, g, px(&b, mark_x), b.y0, px(&b, mark_x), b.y1, REP_GREY, 1.5, "4 3");
        char lab[48];
        snprintf(lab, sizeof lab, "best epoch %d", mark_x);
        int right_half = px(&b, mark_x) > (b.x0 + b.x1) / 2;
        xmlNodePtr t = text(&s, g, px(&b, mark_x), b.y0 - 6,
                            right_half ? "end" : "start", FONT - 2, 0, lab);
        attr(&s, t, "fill", REP_GREY);
    }
    for (int i = 0; i < ns; i++) {
        int st = sr[i].style >= 0 && sr[i].style < 3 ? sr[i].style : i;
        series_path(&s, g, &b, sr[i].y, sr[i].n, 1, 1, series_color[st], 2.5, series_dash[st],
                    sr[i].n <= 60);
        names[nl] = sr[i].name;
        colors[nl] = series_color[st];
        dashes[nl] = series_dash[st];
        widths[nl++] = 2.5;
    }
    if (mark_x >= 1 && mark_x <= (n > 1 ? n : 1)) {
        names[nl] = "best epoch";
        colors[nl] = REP_GREY;
        dashes[nl] = "4 3";
        widths[nl++] = 1.5;
    }
    legend(&s, g, 52, nl, names, colors, dashes, widths);
    return svg_end(&s);
}

/* Label text for a category axis: long names are cut (the tables carry them in full). */
/* in cut to at most max characters (bytes) with an ellipsis. */
static void short_label_n(const char *in, char *out, size_t n, size_t max)
{
    size_t len = strlen(in);
    if (len <= max) {
        snprintf(out, n, "%s", in);
        return;
    }
    size_t cut = max - 1;
    while (cut > 0 && ((unsigned char)in[cut] & 0xC0) == 0x80) /* not inside a UTF-8 sequence */
        cut--;
    snprintf(out, n, "%.*s\xE2\x80\xA6", (int)cut, in);
}

static void short_label(const char *in, char *out, size_t n)
{
    short_label_n(in, out, n, 14);
}

char *rep_svg_hbars(const char *title, const char *xlabel, const char *const *labels,
                    const double *v, int n, int decimals)
{
    svg s;
    const int row = 30;
    int H = 64 + (n > 0 ? n : 1) * row + 56;
    svg_begin(&s, H, title);
    double hi = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]) && v[i] > hi)
            hi = v[i];
    double step = nice_step(hi > 0 ? hi : 1, 5);
    /* the label column grows with the longest label, up to 40 characters */
    size_t longest = 14;
    for (int i = 0; i < n; i++)
        if (strlen(labels[i]) > longest)
            longest = strlen(labels[i]) > 40 ? 40 : strlen(labels[i]);
    double x0 = longest > 14 ? 16 + 7.4 * (double)longest : 140;
    box b = {x0, 48, SVG_W - 30, 48 + (n > 0 ? n : 1) * row, 0,
             ceil((hi > 0 ? hi : 1) / step - 1e-9) * step, 0, 1};
    xmlNodePtr g = s.root;
    int d = step_decimals(step);
    for (int i = 0; i < 60; i++) {
        double x = i * step;
        if (x > b.xhi + step * 1e-6)
            break;
        line(&s, g, px(&b, x), b.y0, px(&b, x), b.y1, "#e3e3e3", 1, NULL);
        char lab[48];
        snprintf(lab, sizeof lab, "%.*f", d, x);
        text(&s, g, px(&b, x), b.y1 + 22, "middle", FONT, 0, lab);
    }
    for (int i = 0; i < n; i++) {
        double y = b.y0 + i * row;
        double val = isfinite(v[i]) ? v[i] : 0;
        double w = px(&b, val) - b.x0;
        xmlNodePtr r = el(&s, g, "rect");
        attr(&s, r, "x", "%.1f", b.x0);
        attr(&s, r, "y", "%.1f", y + 5);
        attr(&s, r, "width", "%.1f", w);
        attr(&s, r, "height", "%d", row - 10);
        attr(&s, r, "fill", REP_BLUE);
        char lab[160];
        short_label_n(labels[i], lab, sizeof lab, longest);
        text(&s, g, b.x0 - 8, y + row / 2.0 + 5, "end", FONT, 0, lab);
        char num[48];
        snprintf(num, sizeof num, "%.*f", decimals, v[i]);
        int inside = w > 90;
        xmlNodePtr t = text(&s, g, inside ? b.x0 + w - 6 : b.x0 + w + 6, y + row / 2.0 + 5,
                            inside ? "end" : "start", FONT, 0, num);
        if (inside)
            attr(&s, t, "fill", "#fff");
    }
    frame(&s, g, &b);
    text(&s, g, (b.x0 + b.x1) / 2, H - 12, "middle", FONT, 0, xlabel);
    return svg_end(&s);
}

char *rep_svg_dual(const char *title, const char *xlabel, const char *const *labels, int n,
                   const double *y1, const char *y1_name, const double *y2, const char *y2_name)
{
    svg s;
    const int H = 440;
    svg_begin(&s, H, title);
    double lo1 = INFINITY, hi1 = -INFINITY, lo2 = INFINITY, hi2 = -INFINITY;
    finite_range(y1, n, &lo1, &hi1);
    finite_range(y2, n, &lo2, &hi2);
    if (!(lo1 <= hi1))
        lo1 = 0, hi1 = 1;
    if (!(lo2 <= hi2))
        lo2 = 0, hi2 = 1;
    if (hi1 - lo1 < 1e-12)
        lo1 -= 0.5, hi1 += 0.5;
    if (hi2 - lo2 < 1e-12)
        lo2 -= 0.5, hi2 += 0.5;
    box b1 = {78, 64, SVG_W - 78, H - 110, 0, n > 1 ? n - 1 : 1, lo1, hi1};
    box b2 = b1;
    b2.ylo = lo2;
    b2.yhi = hi2;
    xmlNodePtr g = s.root;
    y_ticks(&s, g, &b1, nice_step(hi1 - lo1, 5), 0, REP_VERMILLION, 1);
    y_ticks(&s, g, &b2, nice_step(hi2 - lo2, 5), 1, REP_BLUE, 0);
    int every = n > 30 ? (n + 29) / 30 : 1;
    for (int i = 0; i < n; i += every) {
        char lab[64];
        short_label(labels[i], lab, sizeof lab);
        double x = px(&b1, i);
        line(&s, g, x, b1.y1, x, b1.y1 + 5, "#999", 1, NULL);
        text(&s, g, x + 4, b1.y1 + 18, "end", FONT, -45, lab);
    }
    frame(&s, g, &b1);
    text(&s, g, (b1.x0 + b1.x1) / 2, H - 10, "middle", FONT, 0, xlabel);
    xmlNodePtr t = text(&s, g, 18, (b1.y0 + b1.y1) / 2, "middle", FONT, -90, y1_name);
    attr(&s, t, "fill", REP_VERMILLION);
    t = text(&s, g, SVG_W - 14, (b1.y0 + b1.y1) / 2, "middle", FONT, 90, y2_name);
    attr(&s, t, "fill", REP_BLUE);
    series_path(&s, g, &b1, y1, n, 0, 1, REP_VERMILLION, 4, NULL, 1);
    series_path(&s, g, &b2, y2, n, 0, 1, REP_BLUE, 3, "9 5", 1);
    const char *names[2] = {y1_name, y2_name}, *colors[2] = {REP_VERMILLION, REP_BLUE};
    const char *dashes[2] = {NULL, "9 5"};
    double widths[2] = {4, 3};
    legend(&s, g, 48, 2, names, colors, dashes, widths);
    return svg_end(&s);
}

/* Axis ticks and grid for a numeric x axis at the bottom of b. */
static void x_ticks(svg *s, xmlNodePtr g, const box *b, double step)
{
    int d = step_decimals(step);
    double first = ceil(b->xlo / step - 1e-9) * step;
    for (int i = 0; i < 50; i++) {
        double v = first + i * step;
        if (v > b->xhi + step * 1e-6)
            break;
        double x = px(b, v);
        line(s, g, x, b->y0, x, b->y1, "#e3e3e3", 1, NULL);
        line(s, g, x, b->y1, x, b->y1 + 5, "#999", 1, NULL);
        char lab[48];
        snprintf(lab, sizeof lab, "%.*f", d, fabs(v) < step * 1e-9 ? 0.0 : v);
        text(s, g, x, b->y1 + 22, "middle", FONT, 0, lab);
    }
}

/* An axis range padded by 4 % and widened when empty or a single value. */
static void pad_range(double *lo, double *hi)
{
    if (!(*lo <= *hi)) {
        *lo = 0;
        *hi = 1;
    }
    double w = *hi - *lo;
    if (w < 1e-12)
        w = fabs(*lo) > 1e-12 ? fabs(*lo) * 0.1 : 1;
    *lo -= w * 0.04;
    *hi += w * 0.04;
}

static const char *const xy_color[4] = {REP_BLUE, REP_ORANGE, REP_GREEN, REP_GREY};
static const char *const xy_dash[4] = {NULL, "9 5", "2 4", "6 4"};

/* Points as one path of zero-length round-capped segments: a dot per point, 14 bytes each. */
static void xy_points(svg *s, xmlNodePtr g, const box *b, const rep_xy *r, const char *color)
{
    size_t cap = (size_t)r->n * 28 + 1;
    char *d = malloc(cap);
    if (!d) {
        s->oom = 1;
        return;
    }
    size_t len = 0;
    for (int i = 0; i < r->n; i++)
        if (isfinite(r->x[i]) && isfinite(r->y[i]))
            len += (size_t)snprintf(d + len, cap - len, "M%.1f %.1fh0", px(b, r->x[i]),
                                    py(b, r->y[i]));
    if (len) {
        xmlNodePtr p = el(s, g, "path");
        attr(s, p, "fill", "none");
        attr(s, p, "stroke", "%s", color);
        attr(s, p, "stroke-width", "%d", r->n > 300 ? 6 : 8);
        attr(s, p, "stroke-linecap", "round");
        if (r->n > 50)
            attr(s, p, "stroke-opacity", "0.5");
        if (p && !xmlNewProp(p, BAD_CAST "d", BAD_CAST d))
            s->oom = 1;
    }
    free(d);
}

static void xy_line(svg *s, xmlNodePtr g, const box *b, const rep_xy *r, const char *color,
                    const char *dash)
{
    size_t cap = (size_t)r->n * 48 + 1;
    char *pts = malloc(cap);
    if (!pts) {
        s->oom = 1;
        return;
    }
    size_t len = 0;
    double prev_y = NAN;
    for (int i = 0; i < r->n; i++) {
        if (!isfinite(r->x[i]) || !isfinite(r->y[i]))
            continue;
        if (r->kind == REP_XY_STEP && isfinite(prev_y)) /* hold the previous y up to this x */
            len += (size_t)snprintf(pts + len, cap - len, " %.1f,%.1f", px(b, r->x[i]),
                                    py(b, prev_y));
        len += (size_t)snprintf(pts + len, cap - len, "%s%.1f,%.1f", len ? " " : "",
                                px(b, r->x[i]), py(b, r->y[i]));
        prev_y = r->y[i];
    }
    if (len)
        polyline(s, g, pts, color, r->style == 3 ? 1.5 : 2.5, dash, 1);
    free(pts);
}

char *rep_svg_xy(const char *title, const char *xlabel, const char *ylabel, const rep_xy *sr,
                 int ns, const double *range)
{
    svg s;
    const int H = 480;
    svg_begin(&s, H, title);
    if (ns > 6)
        ns = 6;
    box b = {86, 84, SVG_W - 24, H - 62, 0, 1, 0, 1};
    if (range) {
        b.xlo = range[0];
        b.xhi = range[1];
        b.ylo = range[2];
        b.yhi = range[3];
    } else {
        double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
        for (int i = 0; i < ns; i++) {
            if (sr[i].style == 3) /* reference lines follow the data, not the other way */
                continue;
            for (int k = 0; k < sr[i].n; k++)
                if (isfinite(sr[i].x[k]) && isfinite(sr[i].y[k])) {
                    xlo = fmin(xlo, sr[i].x[k]);
                    xhi = fmax(xhi, sr[i].x[k]);
                    ylo = fmin(ylo, sr[i].y[k]);
                    yhi = fmax(yhi, sr[i].y[k]);
                }
        }
        pad_range(&xlo, &xhi);
        pad_range(&ylo, &yhi);
        b.xlo = xlo;
        b.xhi = xhi;
        b.ylo = ylo;
        b.yhi = yhi;
    }
    xmlNodePtr g = s.root;
    y_ticks(&s, g, &b, nice_step(b.yhi - b.ylo, 6), 0, NULL, 1);
    x_ticks(&s, g, &b, nice_step(b.xhi - b.xlo, 7));
    frame(&s, g, &b);
    text(&s, g, (b.x0 + b.x1) / 2, H - 14, "middle", FONT, 0, xlabel);
    text(&s, g, 20, (b.y0 + b.y1) / 2, "middle", FONT, -90, ylabel);
    /* data outside a fixed range is clipped to the plot box */
    xmlNodePtr defs = el(&s, g, "defs");
    xmlNodePtr cp = el(&s, defs, "clipPath");
    attr(&s, cp, "id", "plot");
    xmlNodePtr cr = el(&s, cp, "rect");
    attr(&s, cr, "x", "%.1f", b.x0);
    attr(&s, cr, "y", "%.1f", b.y0);
    attr(&s, cr, "width", "%.1f", b.x1 - b.x0);
    attr(&s, cr, "height", "%.1f", b.y1 - b.y0);
    xmlNodePtr pg = el(&s, g, "g");
    attr(&s, pg, "clip-path", "url(#plot)");
    const char *names[6], *colors[6], *dashes[6];
    double widths[6];
    int nl = 0;
    for (int i = 0; i < ns; i++) {
        int st = sr[i].style >= 0 && sr[i].style < 4 ? sr[i].style : 0;
        const char *dash = sr[i].kind == REP_XY_POINTS ? NULL : xy_dash[st];
        if (sr[i].kind == REP_XY_POINTS)
            xy_points(&s, pg, &b, &sr[i], xy_color[st]);
        else
            xy_line(&s, pg, &b, &sr[i], xy_color[st], dash);
        for (int k = 0; sr[i].labels && k < sr[i].n; k++)
            if (isfinite(sr[i].x[k]) && isfinite(sr[i].y[k]) && sr[i].labels[k])
                attr(&s, text(&s, g, px(&b, sr[i].x[k]) + 7, py(&b, sr[i].y[k]) - 7, "start",
                              FONT - 3, 0, sr[i].labels[k]),
                     "fill", "%s", REP_GREY);
        if (sr[i].name) {
            names[nl] = sr[i].name;
            colors[nl] = xy_color[st];
            dashes[nl] = dash;
            widths[nl++] = sr[i].kind == REP_XY_POINTS ? 8 : st == 3 ? 1.5 : 2.5;
        }
    }
    legend(&s, g, 52, nl, names, colors, dashes, widths);
    return svg_end(&s);
}

char *rep_svg_histogram(const char *title, const char *xlabel, const double *edges,
                        const int64_t *counts, int nb)
{
    svg s;
    const int H = 420;
    svg_begin(&s, H, title);
    int64_t mx = 0;
    for (int i = 0; i < nb; i++)
        mx = counts[i] > mx ? counts[i] : mx;
    double ystep = nice_step(mx > 0 ? (double)mx : 1, 5);
    if (ystep < 1)
        ystep = 1;
    box b = {78, 52, SVG_W - 24, H - 62, edges[0], edges[nb], 0,
             ceil((mx > 0 ? (double)mx : 1) / ystep - 1e-9) * ystep};
    if (!(b.xhi > b.xlo))
        b.xhi = b.xlo + 1;
    xmlNodePtr g = s.root;
    y_ticks(&s, g, &b, ystep, 0, NULL, 1);
    x_ticks(&s, g, &b, nice_step(b.xhi - b.xlo, 7));
    for (int i = 0; i < nb; i++) {
        if (!counts[i])
            continue;
        double x0 = px(&b, edges[i]), x1 = px(&b, edges[i + 1]), y = py(&b, (double)counts[i]);
        xmlNodePtr r = el(&s, g, "rect");
        attr(&s, r, "x", "%.1f", x0);
        attr(&s, r, "y", "%.1f", y);
        attr(&s, r, "width", "%.1f", x1 - x0 > 1 ? x1 - x0 - 1 : x1 - x0);
        attr(&s, r, "height", "%.1f", b.y1 - y);
        attr(&s, r, "fill", REP_BLUE);
    }
    frame(&s, g, &b);
    text(&s, g, (b.x0 + b.x1) / 2, H - 14, "middle", FONT, 0, xlabel);
    text(&s, g, 20, (b.y0 + b.y1) / 2, "middle", FONT, -90, "rows");
    return svg_end(&s);
}

char *rep_svg_heatmap(const char *title, const char *xlabel, const char *ylabel,
                      const char *const *xlabels, int nx, const char *const *ylabels, int ny,
                      const double *v, int lower_is_better)
{
    svg s;
    if (nx < 1 || ny < 1)
        return NULL;
    double cell_h = ny > 12 ? 24 : 34;
    int H = (int)(110 + cell_h * ny + 40);
    svg_begin(&s, H, title);
    double x0 = 190, x1 = SVG_W - 30, y0 = 60, cw = (x1 - x0) / nx;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < nx * ny; i++)
        if (isfinite(v[i]))
            lo = fmin(lo, v[i]), hi = fmax(hi, v[i]);
    xmlNodePtr g = s.root;
    char buf[64], lab[80];
    for (int r = 0; r < ny; r++) {
        short_label(ylabels[r], lab, sizeof lab);
        text(&s, g, x0 - 8, y0 + cell_h * r + cell_h / 2 + 4, "end", FONT - 2, 0, lab);
        for (int c = 0; c < nx; c++) {
            double val = v[(size_t)r * nx + c];
            xmlNodePtr rc = el(&s, g, "rect");
            attr(&s, rc, "x", "%.1f", x0 + cw * c);
            attr(&s, rc, "y", "%.1f", y0 + cell_h * r);
            attr(&s, rc, "width", "%.1f", cw - 2);
            attr(&s, rc, "height", "%.1f", cell_h - 2);
            if (!isfinite(val)) {
                attr(&s, rc, "fill", "#eeeeee");
                continue;
            }
            /* darker = better */
            double t = hi > lo ? (val - lo) / (hi - lo) : 1;
            if (lower_is_better)
                t = 1 - t;
            int R = (int)lround(0xf7 + (0x21 - 0xf7) * t), G = (int)lround(0xfb + (0x71 - 0xfb) * t),
                B = (int)lround(0xff + (0xb5 - 0xff) * t);
            attr(&s, rc, "fill", "#%02x%02x%02x", R, G, B);
            snprintf(buf, sizeof buf, "%.4g", val);
            xmlNodePtr tx = text(&s, g, x0 + cw * c + cw / 2 - 1, y0 + cell_h * r + cell_h / 2 + 4,
                                 "middle", FONT - 3, 0, buf);
            attr(&s, tx, "fill", t > 0.6 ? "#fff" : "#222");
        }
    }
    for (int c = 0; c < nx; c++) {
        short_label(xlabels[c], lab, sizeof lab);
        text(&s, g, x0 + cw * c + cw / 2, y0 + cell_h * ny + 16, "middle", FONT - 3, 0, lab);
    }
    short_label_n(xlabel, lab, sizeof lab, 60);
    text(&s, g, (x0 + x1) / 2, H - 12, "middle", FONT, 0, lab);
    short_label_n(ylabel, lab, sizeof lab, cell_h * ny > 200 ? 30 : 20);
    text(&s, g, 20, y0 + cell_h * ny / 2, "middle", FONT, -90, lab);
    return svg_end(&s);
}

/* ---- charts of ludwig visualize's per-row views (viz_rows.c) ---- */

/* rep_svg_xy_many's colours (REP_XYM's colour index): Okabe & Ito's palette. */
static const char *const many_color[8] = {REP_BLUE, REP_ORANGE, REP_GREEN, REP_GREY,
                                          REP_VERMILLION, "#56B4E9", "#CC79A7", "#000000"};
static const char *const many_dash[4] = {NULL, "9 5", "2 4", NULL};

/* A LINE or STEP series as polylines broken at each non-finite point (matplotlib's gaps). */
static void many_line(svg *s, xmlNodePtr g, const box *b, const rep_xy *r, const char *color,
                      const char *dash, double width, int thin)
{
    size_t cap = (size_t)r->n * 48 + 1;
    char *pts = malloc(cap);
    if (!pts) {
        s->oom = 1;
        return;
    }
    size_t len = 0;
    double prev_y = 0;
    for (int i = 0; i <= r->n; i++) {
        if (i < r->n && isfinite(r->x[i]) && isfinite(r->y[i])) {
            if (r->kind == REP_XY_STEP && len) /* hold the previous y up to this x */
                len += (size_t)snprintf(pts + len, cap - len, " %.1f,%.1f", px(b, r->x[i]),
                                        py(b, prev_y));
            len += (size_t)snprintf(pts + len, cap - len, "%s%.1f,%.1f", len ? " " : "",
                                    px(b, r->x[i]), py(b, r->y[i]));
            prev_y = r->y[i];
            continue;
        }
        if (!len)
            continue;
        polyline(s, g, pts, color, width, dash, thin ? 0.35 : 1);
        len = 0;
    }
    free(pts);
}

char *rep_svg_xy_many(const char *title, const char *xlabel, const char *ylabel,
                      const rep_xy *sr, int ns, const double *range)
{
    svg s;
    /* the legend's rows come first: they push the plot box down */
    int rows = 0;
    double row_w = 0;
    for (int i = 0; i < ns; i++) {
        if (!sr[i].name)
            continue;
        double ew = 34 + 8.5 * (double)strlen(sr[i].name) + 18;
        if (rows == 0 || row_w + ew > SVG_W - 40) {
            rows++;
            row_w = 0;
        }
        row_w += ew;
    }
    int extra = rows > 1 ? (rows - 1) * 22 : 0;
    const int H = 480 + extra;
    svg_begin(&s, H, title);
    box b = {86, 84 + extra, SVG_W - 24, H - 62, 0, 1, 0, 1};
    if (range) {
        b.xlo = range[0];
        b.xhi = range[1];
        b.ylo = range[2];
        b.yhi = range[3];
    } else {
        double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
        for (int i = 0; i < ns; i++) {
            if ((sr[i].style & 7) == 3) /* reference lines follow the data */
                continue;
            for (int k = 0; k < sr[i].n; k++)
                if (isfinite(sr[i].x[k]) && isfinite(sr[i].y[k])) {
                    xlo = fmin(xlo, sr[i].x[k]);
                    xhi = fmax(xhi, sr[i].x[k]);
                    ylo = fmin(ylo, sr[i].y[k]);
                    yhi = fmax(yhi, sr[i].y[k]);
                }
        }
        pad_range(&xlo, &xhi);
        pad_range(&ylo, &yhi);
        b.xlo = xlo, b.xhi = xhi, b.ylo = ylo, b.yhi = yhi;
    }
    if (!(b.xhi > b.xlo))
        b.xhi = b.xlo + 1;
    if (!(b.yhi > b.ylo))
        b.yhi = b.ylo + 1;
    xmlNodePtr g = s.root;
    y_ticks(&s, g, &b, nice_step(b.yhi - b.ylo, 6), 0, NULL, 1);
    x_ticks(&s, g, &b, nice_step(b.xhi - b.xlo, 7));
    frame(&s, g, &b);
    /* the frame carries the axes' ranges, so that a reader can map points back to values */
    attr(&s, g->last, "data-range", "%.17g %.17g %.17g %.17g", b.xlo, b.xhi, b.ylo, b.yhi);
    text(&s, g, (b.x0 + b.x1) / 2, H - 14, "middle", FONT, 0, xlabel);
    text(&s, g, 20, (b.y0 + b.y1) / 2, "middle", FONT, -90, ylabel);
    xmlNodePtr defs = el(&s, g, "defs");
    xmlNodePtr cp = el(&s, defs, "clipPath");
    attr(&s, cp, "id", "plot");
    xmlNodePtr cr = el(&s, cp, "rect");
    attr(&s, cr, "x", "%.1f", b.x0);
    attr(&s, cr, "y", "%.1f", b.y0);
    attr(&s, cr, "width", "%.1f", b.x1 - b.x0);
    attr(&s, cr, "height", "%.1f", b.y1 - b.y0);
    xmlNodePtr pg = el(&s, g, "g");
    attr(&s, pg, "clip-path", "url(#plot)");
    const char **names = malloc((size_t)(ns > 0 ? ns : 1) * sizeof *names);
    const char **colors = malloc((size_t)(ns > 0 ? ns : 1) * sizeof *colors);
    const char **dashes = malloc((size_t)(ns > 0 ? ns : 1) * sizeof *dashes);
    double *widths = malloc((size_t)(ns > 0 ? ns : 1) * sizeof *widths);
    if (!names || !colors || !dashes || !widths)
        s.oom = 1;
    int nl = 0;
    for (int i = 0; i < ns && !s.oom; i++) {
        int col = sr[i].style & 7, thin = (sr[i].style >> 5) & 1;
        const char *color = many_color[col];
        const char *dash = sr[i].kind == REP_XY_POINTS ? NULL : many_dash[(sr[i].style >> 3) & 3];
        double width = thin ? 1 : col == 3 ? 1.5 : 2.5;
        if (sr[i].kind == REP_XY_POINTS)
            xy_points(&s, pg, &b, &sr[i], color);
        else
            many_line(&s, pg, &b, &sr[i], color, dash, width, thin);
        for (int k = 0; sr[i].labels && k < sr[i].n; k++)
            if (isfinite(sr[i].x[k]) && isfinite(sr[i].y[k]) && sr[i].labels[k])
                attr(&s, text(&s, g, px(&b, sr[i].x[k]) + 7, py(&b, sr[i].y[k]) - 7, "start",
                              FONT - 3, 0, sr[i].labels[k]),
                     "fill", "%s", REP_GREY);
        if (sr[i].name) {
            names[nl] = sr[i].name;
            colors[nl] = color;
            dashes[nl] = dash;
            widths[nl++] = sr[i].kind == REP_XY_POINTS ? 8 : width;
        }
    }
    /* the legend, row by row as laid out above */
    for (int first = 0, r = 0; first < nl && !s.oom; r++) {
        int cnt = 0;
        double w = 0;
        while (first + cnt < nl) {
            double ew = 34 + 8.5 * (double)strlen(names[first + cnt]) + 18;
            if (cnt && w + ew > SVG_W - 40)
                break;
            w += ew;
            cnt++;
        }
        legend(&s, g, 52 + 22 * r, cnt, names + first, colors + first, dashes + first,
               widths + first);
        first += cnt;
    }
    free(names), free(colors), free(dashes), free(widths);
    return svg_end(&s);
}

char *rep_svg_grid(const char *title, const char *xlabel, const char *ylabel,
                   const char *const *xlabels, int nx, const char *const *ylabels, int ny,
                   const double *v, double lo, double hi, int every)
{
    svg s;
    if (nx < 1 || ny < 1)
        return NULL;
    if (every < 1)
        every = 1;
    /* whole-pixel cells, so that neighbours meet without hairline gaps */
    double x0 = 96, y0 = 48, cw = floor(fmin((SVG_W - x0 - 100) / nx, 36));
    double ch = floor(fmin(cw, 420.0 / ny));
    if (cw < 1)
        cw = 1;
    if (ch < 1)
        ch = 1;
    int H = (int)(y0 + ch * ny + 66);
    svg_begin(&s, H, title);
    xmlNodePtr g = s.root;
    char buf[64], lab[80];
    for (int r = 0; r < ny; r++)
        for (int c = 0; c < nx; c++) {
            double val = v[(size_t)r * nx + c];
            xmlNodePtr rc = el(&s, g, "rect");
            attr(&s, rc, "x", "%.1f", x0 + cw * c);
            attr(&s, rc, "y", "%.1f", y0 + ch * r);
            attr(&s, rc, "width", "%.1f", cw);
            attr(&s, rc, "height", "%.1f", ch);
            if (isfinite(val)) {
                double t = hi > lo ? (val - lo) / (hi - lo) : 1;
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                attr(&s, rc, "fill", "#%02x%02x%02x", (int)lround(0xf7 + (0x21 - 0xf7) * t),
                     (int)lround(0xfb + (0x71 - 0xfb) * t), (int)lround(0xff + (0xb5 - 0xff) * t));
                snprintf(buf, sizeof buf, "%.6g", val);
            } else {
                attr(&s, rc, "fill", "#eeeeee");
                snprintf(buf, sizeof buf, "nan");
            }
            xmlNodePtr tt = el(&s, rc, "title"); /* the value, as a tooltip */
            if (tt)
                xmlNodeAddContent(tt, BAD_CAST buf);
        }
    for (int r = 0; r < ny; r += every) {
        short_label_n(ylabels[r], lab, sizeof lab, 10);
        text(&s, g, x0 - 6, y0 + ch * r + ch / 2 + 4, "end", FONT - 3, 0, lab);
    }
    for (int c = 0; c < nx; c += every) {
        short_label_n(xlabels[c], lab, sizeof lab, 10);
        text(&s, g, x0 + cw * c + cw / 2, y0 + ch * ny + 16, "middle", FONT - 3, 0, lab);
    }
    box fb = {x0, y0, x0 + cw * nx, y0 + ch * ny, 0, 1, 0, 1};
    frame(&s, g, &fb);
    short_label_n(xlabel, lab, sizeof lab, 60);
    text(&s, g, (x0 + fb.x1) / 2, H - 14, "middle", FONT, 0, lab);
    short_label_n(ylabel, lab, sizeof lab, 40);
    text(&s, g, 20, y0 + ch * ny / 2, "middle", FONT, -90, lab);
    /* the colour bar: lo at the bottom, hi at the top */
    double bx = fb.x1 + 18, bh = ch * ny;
    for (int k = 0; k < 32; k++) {
        double t = (k + 0.5) / 32;
        xmlNodePtr rc = el(&s, g, "rect");
        attr(&s, rc, "x", "%.1f", bx);
        attr(&s, rc, "y", "%.1f", y0 + bh * (1 - (k + 1) / 32.0));
        attr(&s, rc, "width", "14");
        attr(&s, rc, "height", "%.1f", bh / 32 + 0.5);
        attr(&s, rc, "fill", "#%02x%02x%02x", (int)lround(0xf7 + (0x21 - 0xf7) * t),
             (int)lround(0xfb + (0x71 - 0xfb) * t), (int)lround(0xff + (0xb5 - 0xff) * t));
    }
    box bb = {bx, y0, bx + 14, y0 + bh, 0, 1, 0, 1};
    frame(&s, g, &bb);
    for (int k = 0; k <= 2; k++) {
        snprintf(buf, sizeof buf, "%.4g", lo + (hi - lo) * k / 2);
        text(&s, g, bx + 20, y0 + bh * (1 - k / 2.0) + 5, "start", FONT - 3, 0, buf);
    }
    return svg_end(&s);
}
