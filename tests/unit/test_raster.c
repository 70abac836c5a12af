/* test_raster.c - rep_svg_to_png (raster.c): a handmade SVG's pixels (a rect exactly red inside
 * and white outside, a blue line, a round dot, dashes, a translucent stroke blended once where its
 * dots overlap, a clip rect, a nested svg whose 100% is its own viewport), text centred on its
 * anchor and rotated text running vertically (skipped, with the reason, when DejaVu Sans is not
 * installed), real charts of svg.c that stb_image decodes to twice their SVG size, and refusals
 * of what is not an SVG. */
#include "check.h"
#include "report_int.h"

#include <stb_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct img {
    unsigned char *p; /* (H, W, 3) */
    int w, h;
} img;

/* Rasterises svg and decodes the PNG; p NULL on failure (err says why). */
static img render(const char *svg, char *err, size_t errlen)
{
    img m = {0};
    size_t len = 0;
    unsigned char *png = rep_svg_to_png(svg, &len, err, errlen);
    if (!png)
        return m;
    int c = 0;
    m.p = stbi_load_from_memory(png, (int)len, &m.w, &m.h, &c, 3);
    free(png);
    return m;
}

static const unsigned char *at(const img *m, double x, double y) /* SVG units at 2x */
{
    int px = (int)(x * 2), py = (int)(y * 2);
    return m->p + ((size_t)py * (size_t)m->w + (size_t)px) * 3;
}

static int is_rgb(const unsigned char *p, int r, int g, int b)
{
    return p[0] == r && p[1] == g && p[2] == b;
}

/* Bounding box (device pixels) of the dark pixels in the SVG-unit box; 0 when there is none. */
static int dark_box(const img *m, double x0, double y0, double x1, double y1, int box[4])
{
    box[0] = box[1] = 1 << 30, box[2] = box[3] = -1;
    for (int y = (int)(y0 * 2); y < (int)(y1 * 2); y++)
        for (int x = (int)(x0 * 2); x < (int)(x1 * 2); x++) {
            const unsigned char *p = m->p + ((size_t)y * (size_t)m->w + (size_t)x) * 3;
            if (p[0] < 160 && p[1] < 160 && p[2] < 160) { /* grey to black, not a pure colour */
                box[0] = x < box[0] ? x : box[0], box[1] = y < box[1] ? y : box[1];
                box[2] = x > box[2] ? x : box[2], box[3] = y > box[3] ? y : box[3];
            }
        }
    return box[2] >= 0;
}

#define SHAPES                                                                                     \
    "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"                                         \
    "<rect x=\"10\" y=\"10\" width=\"40\" height=\"30\" fill=\"#ff0000\"/>"                        \
    "<line x1=\"60\" y1=\"20\" x2=\"150\" y2=\"20\" stroke=\"#0072B2\" stroke-width=\"3\"/>"       \
    "<path d=\"M170 20h0\" fill=\"none\" stroke=\"#0a0\" stroke-width=\"8\" "                      \
    "stroke-linecap=\"round\"/>"                                                                   \
    "<path d=\"M120 50h0M126 50h0\" fill=\"none\" stroke=\"#000\" stroke-width=\"10\" "            \
    "stroke-linecap=\"round\" stroke-opacity=\"0.5\"/>"                                            \
    "<line x1=\"40\" y1=\"140\" x2=\"200\" y2=\"140\" stroke=\"#000\" stroke-width=\"2\" "         \
    "stroke-dasharray=\"10 10\"/>"                                                                 \
    "<defs><clipPath id=\"c\"><rect x=\"180\" y=\"40\" width=\"20\" height=\"20\"/></clipPath></defs>" \
    "<g clip-path=\"url(#c)\"><rect x=\"170\" y=\"30\" width=\"60\" height=\"60\" fill=\"#00f\"/></g>" \
    "<g transform=\"translate(0,200)\"><svg width=\"100\" height=\"50\">"                          \
    "<rect width=\"100%\" height=\"100%\" fill=\"#0f0\"/></svg></g>"

#define HEAD "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"240\" height=\"260\" font-size=\"15\" fill=\"#222\">"

static void test_shapes(void)
{
    char err[256];
    img m = render(HEAD SHAPES "</svg>", err, sizeof err);
    CHECK_MSG(m.p, "%s", err);
    if (!m.p)
        return;
    CHECK(m.w == 480 && m.h == 520);
    int red = 1;
    for (double y = 10; y < 40; y += 0.5)
        for (double x = 10; x < 50; x += 0.5)
            red &= is_rgb(at(&m, x, y), 255, 0, 0);
    CHECK_MSG(red, "the rect's interior is exactly red");
    CHECK(is_rgb(at(&m, 9.5, 20), 255, 255, 255) && is_rgb(at(&m, 50, 20), 255, 255, 255));
    CHECK(is_rgb(at(&m, 30, 9.5), 255, 255, 255) && is_rgb(at(&m, 30, 40), 255, 255, 255));
    CHECK(is_rgb(at(&m, 5, 5), 255, 255, 255) && is_rgb(at(&m, 100, 100), 255, 255, 255));
    const unsigned char *l = at(&m, 100, 20); /* #0072B2 */
    CHECK_MSG(l[0] < 20 && l[1] > 90 && l[1] < 130 && l[2] > 160, "line pixel %d %d %d", l[0], l[1], l[2]);
    CHECK(is_rgb(at(&m, 100, 23), 255, 255, 255) && is_rgb(at(&m, 100, 16.5), 255, 255, 255));
    const unsigned char *d = at(&m, 170, 20);
    CHECK_MSG(d[0] == 0 && d[1] == 0xaa && d[2] == 0, "dot %d %d %d", d[0], d[1], d[2]);
    CHECK(is_rgb(at(&m, 175, 20), 255, 255, 255) && is_rgb(at(&m, 170, 25), 255, 255, 255));
    /* one translucent stroke: its overlapping dots are blended once */
    const unsigned char *a = at(&m, 118, 50), *b = at(&m, 123, 50);
    CHECK_MSG(abs(a[0] - 128) <= 2 && a[0] == b[0], "translucent %d, overlap %d", a[0], b[0]);
    CHECK(at(&m, 45, 140)[0] < 10 && is_rgb(at(&m, 55, 140), 255, 255, 255) && at(&m, 65, 140)[0] < 10);
    CHECK(is_rgb(at(&m, 190, 50), 0, 0, 255) && is_rgb(at(&m, 175, 50), 255, 255, 255) &&
          is_rgb(at(&m, 190, 65), 255, 255, 255));
    CHECK(is_rgb(at(&m, 50, 225), 0, 255, 0) && is_rgb(at(&m, 150, 225), 255, 255, 255) &&
          is_rgb(at(&m, 50, 255), 255, 255, 255));
    free(m.p);
}

static void test_text(void)
{
    char err[256];
    img m = render(HEAD SHAPES "<text x=\"100\" y=\"90\" text-anchor=\"middle\">Hello, Ludwig</text>"
                               "<text x=\"16\" y=\"160\" text-anchor=\"middle\" font-weight=\"bold\" "
                               "transform=\"rotate(-90 16 160)\">Vertical axis</text></svg>",
                   err, sizeof err);
    if (!m.p && strstr(err, "fonts-dejavu-core")) {
        printf("test_raster: text checks skipped: %s\n", err);
        return;
    }
    CHECK_MSG(m.p, "%s", err);
    if (!m.p)
        return;
    int t[4], r[4];
    CHECK(dark_box(&m, 55, 65, 145, 100, t));
    CHECK_MSG(abs((t[0] + t[2]) / 2 - 200) <= 4, "text spans %d..%d, anchor 200", t[0], t[2]);
    CHECK_MSG(t[2] - t[0] > 150 && t[2] - t[0] < 220 && t[3] - t[1] < 40, "text box %d %d %d %d", t[0], t[1], t[2], t[3]);
    CHECK_MSG(t[3] >= 180 && t[3] <= 190, "baseline 180, text bottom %d", t[3]); /* g and the comma descend */
    CHECK(dark_box(&m, 0, 100, 30, 220, r));
    CHECK_MSG(r[3] - r[1] > 3 * (r[2] - r[0]), "rotated box %d %d %d %d", r[0], r[1], r[2], r[3]);
    CHECK_MSG(abs((r[1] + r[3]) / 2 - 320) <= 4, "rotated text spans %d..%d, anchor 320", r[1], r[3]);
    CHECK_MSG(r[2] <= 34 && r[2] >= 28, "rotated baseline 32, glyphs end at %d", r[2]);
    free(m.p);
}

static int svg_height(const char *svg)
{
    const char *h = strstr(svg, "height=\"");
    return h ? atoi(h + 8) : 0;
}

static void test_charts(void)
{
    double x[200], y[200], lx[2] = {0, 1}, ly[2] = {0, 1};
    for (int i = 0; i < 200; i++)
        x[i] = i / 199.0, y[i] = x[i] * x[i] + 0.05 * ((i * 37) % 11 - 5) / 5.0;
    rep_xy s[2] = {{.name = "rows", .x = x, .y = y, .n = 200, .kind = REP_XY_POINTS, .style = 0},
                   {.name = "ideal", .x = lx, .y = ly, .n = 2, .kind = REP_XY_LINE, .style = 3}};
    char *svg = rep_svg_xy("Predictions vs truth", "truth", "prediction", s, 2, NULL);
    CHECK(svg);
    if (!svg)
        return;
    int h = svg_height(svg);
    char err[256];
    img m = render(svg, err, sizeof err);
    if (!m.p && strstr(err, "fonts-dejavu-core")) {
        printf("test_raster: chart checks skipped: %s\n", err);
        free(svg);
        return;
    }
    CHECK_MSG(m.p && m.w == 1280 && m.h == 2 * h, "%s: %d x %d for 640 x %d", err, m.w, m.h, h);
    free(m.p);
    /* stacked charts as hyperopt_pair_plot draws them: nested svg documents under translate */
    size_t cap = 2 * strlen(svg) + 256;
    char *all = malloc(cap);
    CHECK(all);
    if (all) {
        snprintf(all, cap, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"%d\">"
                 "<g transform=\"translate(0,0)\">%s</g><g transform=\"translate(0,%d)\">%s</g></svg>",
                 2 * h, svg, h, svg);
        m = render(all, err, sizeof err);
        CHECK_MSG(m.p && m.w == 1440 && m.h == 4 * h, "%s", err);
        int t1[4], t2[4];
        CHECK(m.p && dark_box(&m, 200, 5, 440, 30, t1) && dark_box(&m, 200, h + 5, 440, h + 30, t2));
        CHECK(m.p && t2[1] - t1[1] == 2 * h && t1[0] == t2[0]);
        CHECK(m.p && is_rgb(at(&m, 700, h / 2.0), 255, 255, 255)); /* right of the 640 viewport */
        free(m.p);
        free(all);
    }
    free(svg);
}

static void test_refusals(void)
{
    char err[256];
    size_t len = 1;
    CHECK(!rep_svg_to_png("not xml", &len, err, sizeof err) && len == 0 && err[0]);
    CHECK(!rep_svg_to_png("<html/>", &len, err, sizeof err) && strstr(err, "not an SVG"));
    CHECK(!rep_svg_to_png("<svg width=\"0\" height=\"10\"/>", &len, err, sizeof err));
    unsigned char *p = rep_svg_to_png("<svg width=\"3\" height=\"2\"/>", &len, err, sizeof err);
    CHECK(p && len > 8 && memcmp(p, "\x89PNG", 4) == 0);
    free(p);
}

int main(void)
{
    test_shapes();
    test_text();
    test_charts();
    test_refusals();
    return check_exit("test_raster");
}
