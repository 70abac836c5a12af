/* svgstyle.c - how the report's chart SVGs (svg.c) are read back by the two painters that turn
 * them into other formats, pdf.c and raster.c: attribute values, lengths (percentages of the
 * viewport), colours (#rrggbb, #rgb, a few names, none) and the presentation attributes a child
 * inherits from its parents (fill, stroke and their opacities, stroke width, dashes, caps and
 * joins, font size and weight, text anchor, translate). Drawing is the painters'. */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rep_svg_color(const char *s, unsigned char rgb[3])
{
    static const struct {
        const char *name;
        unsigned v;
    } named[] = {{"white", 0xffffff}, {"black", 0},       {"red", 0xff0000},
                 {"green", 0x008000}, {"blue", 0x0000ff}, {"gray", 0x808080},
                 {"grey", 0x808080},  {"orange", 0xffa500}};
    if (!s || strcmp(s, "none") == 0 || strcmp(s, "transparent") == 0)
        return 0;
    unsigned v = 0;
    size_t n = strlen(s);
    if (s[0] == '#' && n == 7 && sscanf(s + 1, "%x", &v) == 1) {
    } else if (s[0] == '#' && n == 4 && sscanf(s + 1, "%x", &v) == 1) {
        v = ((v >> 8) & 15) * 0x110000 + ((v >> 4) & 15) * 0x1100 + (v & 15) * 0x11;
    } else {
        v = 0; /* black and anything unknown */
        for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
            if (strcmp(s, named[i].name) == 0)
                v = named[i].v;
    }
    rgb[0] = (unsigned char)(v >> 16), rgb[1] = (unsigned char)(v >> 8), rgb[2] = (unsigned char)v;
    return 1;
}

const char *rep_svg_prop(xmlNodePtr n, const char *name, char *buf, size_t cap)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    if (!v)
        return NULL;
    snprintf(buf, cap, "%s", (const char *)v);
    xmlFree(v);
    return buf;
}

/* A length; "50%" is that share of `whole`. */
double rep_svg_len(xmlNodePtr n, const char *name, double dflt, double whole)
{
    char buf[64];
    const char *s = rep_svg_prop(n, name, buf, sizeof buf);
    if (!s)
        return dflt;
    double v = strtod(s, NULL);
    return strchr(s, '%') ? v / 100 * whole : v;
}

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static void parse_dash(const char *s, rep_svg_style *st)
{
    st->ndash = 0;
    double sum = 0;
    while (*s && st->ndash < 8) {
        while (*s == ' ' || *s == ',')
            s++;
        char *end;
        double v = strtod(s, &end);
        if (end == s)
            break;
        s = end;
        if (v < 0) {
            st->ndash = 0;
            return;
        }
        st->dash[st->ndash++] = v;
        sum += v;
    }
    if (st->ndash % 2 == 1 && st->ndash <= 4) { /* an odd list is repeated to make it even */
        for (int i = 0; i < st->ndash; i++)
            st->dash[st->ndash + i] = st->dash[i];
        st->ndash *= 2;
    } else if (st->ndash % 2 == 1) {
        st->ndash--;
    }
    if (!(sum > 0))
        st->ndash = 0; /* "none", "0" or nonsense: solid */
}

void rep_svg_inherit(xmlNodePtr n, rep_svg_style *st)
{
    char buf[128];
    const char *s;
    if ((s = rep_svg_prop(n, "fill", buf, sizeof buf)))
        st->has_fill = rep_svg_color(s, st->fill);
    if ((s = rep_svg_prop(n, "stroke", buf, sizeof buf)))
        st->has_stroke = rep_svg_color(s, st->stroke);
    if ((s = rep_svg_prop(n, "stroke-width", buf, sizeof buf)))
        st->width = strtod(s, NULL);
    if ((s = rep_svg_prop(n, "font-size", buf, sizeof buf)))
        st->font = strtod(s, NULL);
    if ((s = rep_svg_prop(n, "font-weight", buf, sizeof buf)))
        st->bold = strcmp(s, "bold") == 0 || strcmp(s, "bolder") == 0 || atoi(s) >= 600;
    if ((s = rep_svg_prop(n, "text-anchor", buf, sizeof buf)))
        snprintf(st->anchor, sizeof st->anchor, "%.7s", s);
    if ((s = rep_svg_prop(n, "stroke-dasharray", buf, sizeof buf)))
        parse_dash(s, st);
    if ((s = rep_svg_prop(n, "stroke-linecap", buf, sizeof buf)))
        st->cap_round = strcmp(s, "round") == 0;
    if ((s = rep_svg_prop(n, "stroke-linejoin", buf, sizeof buf)))
        st->join = strcmp(s, "round") == 0 ? 1 : strcmp(s, "bevel") == 0 ? 2 : 0;
    if ((s = rep_svg_prop(n, "stroke-opacity", buf, sizeof buf)))
        st->stroke_opacity = clamp01(strtod(s, NULL));
    if ((s = rep_svg_prop(n, "fill-opacity", buf, sizeof buf)))
        st->fill_opacity = clamp01(strtod(s, NULL));
    if ((s = rep_svg_prop(n, "opacity", buf, sizeof buf))) /* not inherited: it multiplies down */
        st->opacity *= clamp01(strtod(s, NULL));
    if ((s = rep_svg_prop(n, "transform", buf, sizeof buf))) {
        double x = 0, y = 0;
        if (sscanf(s, "translate(%lf,%lf)", &x, &y) >= 1 || sscanf(s, "translate(%lf %lf)", &x, &y) >= 1)
            st->tx += x, st->ty += y;
    }
}
