/* report_int.h - internals of the report shared by its files: SVG charts (svg.c), PNG thumbnails
 * and data URIs (png.c), formatted XML attributes. Not a public API: only report.c calls these. Every function returns
 * malloc'd memory (free()) or NULL on allocation failure. */
#ifndef LC_REPORT_INT_H
#define LC_REPORT_INT_H

#include <stdarg.h>
#include <stddef.h>

#include <libxml/tree.h>

/* Colour-blind-safe palette (Okabe & Ito). */
#define REP_BLUE "#0072B2"
#define REP_ORANGE "#E69F00"
#define REP_GREEN "#009E73"
#define REP_VERMILLION "#D55E00"
#define REP_GREY "#666666"

typedef struct rep_series {
    const char *name;   /* legend text */
    const double *y;    /* (n) values; non-finite values leave a gap */
    int n;
    int style;          /* 0 blue solid, 1 orange dashed, 2 green dotted (one per split) */
} rep_series;

/* Line chart of up to 3 series over x = 1..n (epochs); a dashed vertical line marks mark_x
 * (0: none). */
char *rep_svg_lines(const char *title, const char *xlabel, const char *ylabel,
                    const rep_series *s, int ns, int mark_x);

/* Horizontal bars, labels top to bottom in the given order, each value written with `decimals`
 * decimals at the end of its bar. */
char *rep_svg_hbars(const char *title, const char *xlabel, const char *const *labels,
                    const double *v, int n, int decimals);

/* Two lines over the same categories with independent y axes, each axis spanning its series'
 * [min, max] as Ludwig's double_axis_line_plot does: y1 (left, vermillion, thick) and y2 (right,
 * blue). */
char *rep_svg_dual(const char *title, const char *xlabel, const char *const *labels, int n,
                   const double *y1, const char *y1_name, const double *y2, const char *y2_name);

/* Sets attribute name of n to the printf-style value (at most 255 bytes); -1 when n is NULL or
 * memory runs out (the caller's out-of-memory flag), 0 otherwise. */
int rep_xml_vpropf(xmlNodePtr n, const char *name, const char *fmt, va_list ap);

/* A PNG (stored deflate blocks, no compression library) of one planar image (C, H, W), C in
 * 1..4 (grey, grey+alpha, RGB, RGBA), box-downscaled so that neither side exceeds max_side.
 * Returns the bytes and their count in *len. */
unsigned char *rep_png(const unsigned char *chw, int C, int H, int W, int max_side, size_t *len);

/* "<prefix>" followed by the base64 of p[0..n). */
char *rep_data_uri(const char *prefix, const unsigned char *p, size_t n);

#endif
