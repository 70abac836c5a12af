/* report_int.h - internals of the report shared by its files: SVG charts (svg.c), PNG thumbnails
 * and data URIs (png.c), formatted XML attributes, and the statistics the report derives from
 * evaluated rows (rowstats.c: calibration bins, threshold table, histogram, subsample). Not a
 * public API: only report.c calls these. Functions returning pointers return malloc'd memory
 * (free()) or NULL on allocation failure. */
#ifndef LC_REPORT_INT_H
#define LC_REPORT_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>
#include <libxml/tree.h>

/* libxml2's global state, set up once before any thread builds or reads a document: libxml2
 * initialises it lazily otherwise, and two threads doing so at once (hyperopt's concurrent trials
 * writing their reports) deadlock in its dictionary's random seed. Every entry point that makes
 * or parses a document calls it. */
void rep_xml_init(void);

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

/* A series of an x-y chart: a polyline, a step line (steps-post, as matplotlib draws sklearn's
 * precision-recall curve) or points. */
typedef enum rep_xy_kind { REP_XY_LINE = 0, REP_XY_STEP, REP_XY_POINTS } rep_xy_kind;

typedef struct rep_xy {
    const char *name;     /* legend text; NULL: not in the legend */
    const double *x, *y;  /* (n) points; non-finite ones are skipped */
    int n;
    rep_xy_kind kind;
    int style;            /* 0 blue solid, 1 orange dashed, 2 green dotted, 3 grey reference */
    const char *const *labels; /* (n) text drawn next to each point, or NULL */
} rep_xy;

/* Chart of up to 6 series over numeric x and y axes. range (4: xlo, xhi, ylo, yhi) fixes the axes
 * (e.g. [0, 1] for rates); NULL takes the range of the data with a margin. */
char *rep_svg_xy(const char *title, const char *xlabel, const char *ylabel, const rep_xy *s,
                 int ns, const double *range);

/* Heat map of v (ny rows, nx columns; NaN: an empty cell) with each cell's value written in it;
 * darker is better (lower values when lower_is_better). */
char *rep_svg_heatmap(const char *title, const char *xlabel, const char *ylabel,
                      const char *const *xlabels, int nx, const char *const *ylabels, int ny,
                      const double *v /* (ny, nx) */, int lower_is_better);

/* The presentation state of an SVG element as the painters (pdf.c, raster.c) read our charts:
 * what it inherits from its parents and its own attributes (svgstyle.c). */
typedef struct rep_svg_style {
    unsigned char fill[3], stroke[3];
    int has_fill, has_stroke;
    double width, font, stroke_opacity, fill_opacity, opacity;
    int bold, cap_round, join; /* join: 0 miter, 1 round, 2 bevel */
    char anchor[8];
    double dash[8];
    int ndash;
    double tx, ty;   /* translation, SVG units */
    double clip[4];  /* raster.c: device pixels x0, y0, x1, y1 */
    double vw, vh;   /* viewport size for percentages */
} rep_svg_style;

/* Attribute name of n into buf (cap bytes); NULL when absent. */
const char *rep_svg_prop(xmlNodePtr n, const char *name, char *buf, size_t cap);
/* A length attribute ("50%" is that share of whole); dflt when absent. */
double rep_svg_len(xmlNodePtr n, const char *name, double dflt, double whole);
/* A colour into rgb: 1, or 0 for none. */
int rep_svg_color(const char *s, unsigned char rgb[3]);
/* n's presentation attributes over the state st inherited from its parents. */
void rep_svg_inherit(xmlNodePtr n, rep_svg_style *st);

/* A chart of svg.c as a one-page PDF (vector, base fonts); *len its size; NULL on failure. */
unsigned char *rep_svg_to_pdf(const char *svg_text, size_t *len);

/* Indices 0..n-1 ordered as numpy's argsort(v)[::-1]: descending, ties in descending index
 * order (numpy sorts small arrays stably; the reversal flips tied indices). */
void rep_argsort_desc(const double *v /* (n) */, int n, int *idx /* (n) */);

/* v as text into buf: a string as it is, anything else as Python's json writes it ("null" for
 * NULL). */
void rep_json_text(const cJSON *v, char *buf, size_t n);

/* Histogram bars: counts (nb) over edges (nb + 1). */
char *rep_svg_histogram(const char *title, const char *xlabel, const double *edges,
                        const int64_t *counts, int nb);

/* Reliability of probabilities p against 0/1 targets y in nb uniform bins, as sklearn's
 * calibration_curve(strategy="uniform") bins them: [0, 1/nb], (1/nb, 2/nb], ..., the edges being
 * k * (1 / nb) in double. Per bin: rows, mean probability and share of positives (both NaN when
 * the bin is empty). */
void rep_calibration(const float *p /* (n) */, const float *y /* (n) */, size_t n, int nb,
                     int64_t *count /* (nb) */, double *mean_p /* (nb) */,
                     double *observed /* (nb) */);

/* The confusion counts of predicting true when p >= t, and accuracy, precision, recall and F1 from
 * them (precision, recall and F1 are 0 when undefined, as sklearn's zero_division=0). */
typedef struct rep_confusion {
    int64_t tp, fp, tn, fn;
    double accuracy, precision, recall, f1;
} rep_confusion;
void rep_threshold(const float *p /* (n) */, const float *y /* (n) */, size_t n, double t,
                   rep_confusion *c);

/* numpy.histogram(v, bins=nb): nb equal bins over [min, max] of the finite values (min - 0.5,
 * max + 0.5 when they are all equal; [0, 1] when there is none), the last bin closed, a value
 * on an inner edge counted in the bin to its right. */
void rep_histogram(const double *v /* (n) */, size_t n, int nb, double *edges /* (nb + 1) */,
                   int64_t *counts /* (nb) */);

/* Rows to plot when there are too many: k = min(n, max) indices i * n / k (i = 0..k-1), spread
 * evenly over 0..n-1 in order. Returns k. */
size_t rep_subsample(size_t n, size_t max, size_t *idx /* (min(n, max)) */);

/* Sets attribute name of n to the printf-style value (at most 255 bytes); -1 when n is NULL or
 * memory runs out (the caller's out-of-memory flag), 0 otherwise. */
int rep_xml_vpropf(xmlNodePtr n, const char *name, const char *fmt, va_list ap);

/* A PNG (stored deflate blocks, no compression library) of one planar image (C, H, W), C in
 * 1..4 (grey, grey+alpha, RGB, RGBA), box-downscaled so that neither side exceeds max_side.
 * Returns the bytes and their count in *len. */
unsigned char *rep_png(const unsigned char *chw, int C, int H, int W, int max_side, size_t *len);

/* "<prefix>" followed by the base64 of p[0..n). */
char *rep_data_uri(const char *prefix, const unsigned char *p, size_t n);

/* Charts of ludwig visualize's per-row views (viz_rows.c). */

/* rep_svg_xy_many's series style: a colour (0 blue, 1 orange, 2 green, 3 grey reference, 4
 * vermillion, 5 sky blue, 6 reddish purple, 7 black), a dash (0 solid, 1 dashed, 2 dotted) and
 * thin (1: a thin translucent line, one of a bundle). */
#define REP_XYM(colour, dash, thin) ((colour) | ((dash) << 3) | ((thin) << 5))

/* rep_svg_xy for any number of series, styled with REP_XYM (not rep_svg_xy's styles): lines
 * break at non-finite points (matplotlib's gaps), the legend of the named series wraps onto as
 * many rows as it needs, and the frame carries data-range="xlo xhi ylo yhi". range (4) or NULL as
 * for rep_svg_xy (grey series do not set the range). */
char *rep_svg_xy_many(const char *title, const char *xlabel, const char *ylabel,
                      const rep_xy *s, int ns, const double *range);

/* Heat map of a grid too dense to write its values in the cells: v (ny rows, the first at the
 * top, nx columns; NaN: an empty cell) coloured on the fixed scale [lo, hi] shown by a colour
 * bar, each cell's value in its tooltip (<title>), every `every`-th row and column labelled. */
char *rep_svg_grid(const char *title, const char *xlabel, const char *ylabel,
                   const char *const *xlabels, int nx, const char *const *ylabels, int ny,
                   const double *v /* (ny, nx) */, double lo, double hi, int every);

/* A chart of svg.c as a PNG (RGB, twice the SVG's width and height; 1x when that would pass 16
 * million pixels), anti-aliased, text in DejaVu Sans read from the system at run time; *len its
 * size. NULL on failure with the reason in err (errlen bytes), e.g. no font installed. */
unsigned char *rep_svg_to_png(const char *svg_text, size_t *len, char *err, size_t errlen);

#endif
