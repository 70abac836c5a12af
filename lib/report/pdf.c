/* pdf.c - the report's SVG charts as one-page PDF files (ludwig visualize's default format): the
 * subset of SVG that svg.c draws (rect, line, polyline, path with M/L/H/V/Z, circle, text with
 * an anchor and a rotation, nested svg and g with translate) turned into PDF drawing operators,
 * with the PDF base fonts Helvetica and Helvetica-Bold (WinAnsi encoding; characters outside
 * Latin-1 become '?'). Text widths for centred and right-aligned labels come from Helvetica's
 * widths by character class, close enough for labels. Clip paths, titles and definitions are
 * left out (the charts' data are inside their frames). */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

typedef struct pbuf {
    char *p;
    size_t n, cap;
    int oom;
} pbuf;

static void put(pbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(pbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t nc = (b->cap ? b->cap * 2 : 4096) + (size_t)k;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np, b->cap = nc;
    }
}

typedef struct style {
    double fill[3], stroke[3];
    int has_fill, has_stroke;
    double width, font, opacity;
    int bold, cap_round;
    char anchor[8];
    char dash[32];
    double tx, ty; /* translation */
    double page_h; /* SVG y grows down, PDF y up */
} style;

static int parse_color(const char *s, double rgb[3])
{
    if (!s || strcmp(s, "none") == 0)
        return 0;
    unsigned v;
    size_t n = strlen(s);
    if (s[0] == '#' && n == 7 && sscanf(s + 1, "%x", &v) == 1) {
        rgb[0] = ((v >> 16) & 255) / 255.0, rgb[1] = ((v >> 8) & 255) / 255.0, rgb[2] = (v & 255) / 255.0;
        return 1;
    }
    if (s[0] == '#' && n == 4 && sscanf(s + 1, "%x", &v) == 1) {
        rgb[0] = ((v >> 8) & 15) / 15.0, rgb[1] = ((v >> 4) & 15) / 15.0, rgb[2] = (v & 15) / 15.0;
        return 1;
    }
    if (strcmp(s, "white") == 0) {
        rgb[0] = rgb[1] = rgb[2] = 1;
        return 1;
    }
    rgb[0] = rgb[1] = rgb[2] = 0; /* black and anything else */
    return 1;
}

static const char *prop_of(xmlNodePtr n, const char *name, char *buf, size_t cap)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    if (!v)
        return NULL;
    snprintf(buf, cap, "%s", (const char *)v);
    xmlFree(v);
    return buf;
}

static double num_of(xmlNodePtr n, const char *name, double dflt)
{
    char buf[64];
    const char *s = prop_of(n, name, buf, sizeof buf);
    if (!s)
        return dflt;
    if (strchr(s, '%'))
        return -1; /* "100%": the caller decides */
    return strtod(s, NULL);
}

static void inherit(xmlNodePtr n, style *st)
{
    char buf[128];
    const char *s;
    if ((s = prop_of(n, "fill", buf, sizeof buf)))
        st->has_fill = parse_color(s, st->fill);
    if ((s = prop_of(n, "stroke", buf, sizeof buf)))
        st->has_stroke = parse_color(s, st->stroke);
    if ((s = prop_of(n, "stroke-width", buf, sizeof buf)))
        st->width = strtod(s, NULL);
    if ((s = prop_of(n, "font-size", buf, sizeof buf)))
        st->font = strtod(s, NULL);
    if ((s = prop_of(n, "font-weight", buf, sizeof buf)))
        st->bold = strcmp(s, "bold") == 0;
    if ((s = prop_of(n, "text-anchor", buf, sizeof buf)))
        snprintf(st->anchor, sizeof st->anchor, "%.7s", s);
    if ((s = prop_of(n, "stroke-dasharray", buf, sizeof buf)))
        snprintf(st->dash, sizeof st->dash, "%.31s", s);
    if ((s = prop_of(n, "stroke-linecap", buf, sizeof buf)))
        st->cap_round = strcmp(s, "round") == 0;
    if ((s = prop_of(n, "stroke-opacity", buf, sizeof buf)))
        st->opacity = strtod(s, NULL);
    if ((s = prop_of(n, "transform", buf, sizeof buf))) {
        double x = 0, y = 0;
        if (sscanf(s, "translate(%lf,%lf)", &x, &y) == 2 || sscanf(s, "translate(%lf %lf)", &x, &y) == 2)
            st->tx += x, st->ty += y;
    }
}

static void set_stroke(pbuf *b, const style *st)
{
    put(b, "%.3f %.3f %.3f RG %.2f w %d J ", st->stroke[0], st->stroke[1], st->stroke[2],
        st->width > 0 ? st->width : 1, st->cap_round ? 1 : 0);
    if (st->dash[0]) {
        double d1 = 0, d2 = 0;
        if (sscanf(st->dash, "%lf %lf", &d1, &d2) == 2 || sscanf(st->dash, "%lf,%lf", &d1, &d2) == 2)
            put(b, "[%.1f %.1f] 0 d ", d1, d2);
    } else {
        put(b, "[] 0 d ");
    }
    put(b, "%s ", st->opacity < 1 ? "/GSh gs" : "/GSo gs");
}

#define X(v) ((v) + st->tx)
#define Y(v) (st->page_h - ((v) + st->ty))

/* Helvetica's width of a character, by class (thousandths of an em). */
static int char_width(unsigned char c)
{
    if (c == ' ' || c == '.' || c == ',' || c == ':' || c == ';' || c == '!' || c == '\'' ||
        c == '|' || c == 'i' || c == 'j' || c == 'l' || c == 'I')
        return 260;
    if (c == 'f' || c == 't' || c == 'r' || c == '(' || c == ')' || c == '[' || c == ']' ||
        c == '-' || c == '/')
        return 320;
    if (c == 'm' || c == 'w' || c == 'M' || c == 'W' || c == '@' || c == '%')
        return 860;
    if (c >= 'A' && c <= 'Z')
        return 680;
    return 556;
}

/* UTF-8 to WinAnsi (Latin-1) with PDF string escapes. */
static void pdf_string(pbuf *b, const char *s, double *width_em)
{
    double w = 0;
    put(b, "(");
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned c = *p++;
        if (c >= 0x80) {
            unsigned cp = 0;
            int more = 0;
            if ((c & 0xE0) == 0xC0)
                cp = c & 0x1F, more = 1;
            else if ((c & 0xF0) == 0xE0)
                cp = c & 0x0F, more = 2;
            else if ((c & 0xF8) == 0xF0)
                cp = c & 0x07, more = 3;
            for (; more && (*p & 0xC0) == 0x80; more--)
                cp = (cp << 6) | (*p++ & 0x3F);
            c = cp <= 0xFF ? cp : '?';
        }
        w += char_width((unsigned char)c) / 1000.0;
        if (c == '(' || c == ')' || c == '\\')
            put(b, "\\%c", (char)c);
        else if (c < 32 || c > 126)
            put(b, "\\%03o", c & 0xFF);
        else
            put(b, "%c", (char)c);
    }
    put(b, ")");
    *width_em = w;
}

static void draw_text(pbuf *b, xmlNodePtr n, const style *st)
{
    xmlChar *t = xmlNodeGetContent(n);
    if (!t)
        return;
    double x = num_of(n, "x", 0), y = num_of(n, "y", 0), rot = 0, rx, ry;
    char buf[128];
    const char *tr = prop_of(n, "transform", buf, sizeof buf);
    if (tr && sscanf(tr, "rotate(%lf %lf %lf)", &rot, &rx, &ry) < 1)
        rot = 0;
    pbuf tmp = {0};
    double wem = 0;
    pdf_string(&tmp, (const char *)t, &wem);
    double w = wem * st->font;
    double shift = strcmp(st->anchor, "middle") == 0 ? w / 2 : strcmp(st->anchor, "end") == 0 ? w : 0;
    double a = -rot * M_PI / 180, c = cos(a), s = sin(a);
    double px = X(x) - shift * c, py = Y(y) - shift * s;
    const double *col = st->has_fill ? st->fill : (const double[3]){0, 0, 0};
    put(b, "BT %.3f %.3f %.3f rg /%s %.1f Tf %.4f %.4f %.4f %.4f %.2f %.2f Tm %s Tj ET\n", col[0],
        col[1], col[2], st->bold ? "F2" : "F1", st->font, c, s, -s, c, px, py,
        tmp.p ? tmp.p : "()");
    free(tmp.p);
    xmlFree(t);
}

static void paint(pbuf *b, const style *st, int closed)
{
    if (st->has_fill && closed && st->has_stroke) {
        put(b, "%.3f %.3f %.3f rg ", st->fill[0], st->fill[1], st->fill[2]);
        set_stroke(b, st);
        put(b, "B\n");
    } else if (st->has_fill && closed) {
        put(b, "%.3f %.3f %.3f rg f\n", st->fill[0], st->fill[1], st->fill[2]);
    } else if (st->has_stroke) {
        set_stroke(b, st);
        put(b, "S\n");
    } else {
        put(b, "n\n");
    }
}

static void draw_path(pbuf *b, const char *d, const style *st)
{
    double cx = 0, cy = 0, sx = 0, sy = 0;
    char cmd = 0;
    const char *p = d;
    int closed = 0;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        if (strchr("MmLlHhVvZz", *p))
            cmd = *p++;
        char *end;
        double v1 = 0, v2 = 0;
        if (cmd == 'Z' || cmd == 'z') {
            put(b, "h ");
            cx = sx, cy = sy;
            closed = 1;
            cmd = 0;
            continue;
        }
        v1 = strtod(p, &end);
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
        switch (cmd) {
        case 'M': cx = v1, cy = v2, sx = cx, sy = cy; put(b, "%.2f %.2f m ", X(cx), Y(cy)); cmd = 'L'; break;
        case 'm': cx += v1, cy += v2, sx = cx, sy = cy; put(b, "%.2f %.2f m ", X(cx), Y(cy)); cmd = 'l'; break;
        case 'L': cx = v1, cy = v2; put(b, "%.2f %.2f l ", X(cx), Y(cy)); break;
        case 'l': cx += v1, cy += v2; put(b, "%.2f %.2f l ", X(cx), Y(cy)); break;
        case 'H': cx = v1; put(b, "%.2f %.2f l ", X(cx), Y(cy)); break;
        case 'h': cx += v1; put(b, "%.2f %.2f l ", X(cx), Y(cy)); break;
        case 'V': cy = v1; put(b, "%.2f %.2f l ", X(cx), Y(cy)); break;
        case 'v': cy += v1; put(b, "%.2f %.2f l ", X(cx), Y(cy)); break;
        default: return;
        }
    }
    paint(b, st, closed);
}

static void walk(pbuf *b, xmlNodePtr n, const style *st)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)c->name;
        if (strcmp(name, "title") == 0 || strcmp(name, "defs") == 0 || strcmp(name, "clipPath") == 0)
            continue;
        style s2 = *st;
        inherit(c, &s2);
        const style *stp = &s2;
        if (strcmp(name, "g") == 0 || strcmp(name, "svg") == 0) {
            walk(b, c, &s2);
        } else if (strcmp(name, "rect") == 0) {
            double x = num_of(c, "x", 0), y = num_of(c, "y", 0), w = num_of(c, "width", 0),
                   h = num_of(c, "height", 0);
            if (w < 0 || h < 0) /* "100%": the page */
                x = y = 0, w = 1e4, h = 1e4;
            put(b, "%.2f %.2f %.2f %.2f re ", X(x), Y(y) - h, w, h);
            paint(b, stp, 1);
        } else if (strcmp(name, "line") == 0) {
            put(b, "%.2f %.2f m %.2f %.2f l ", X(num_of(c, "x1", 0)), Y(num_of(c, "y1", 0)),
                X(num_of(c, "x2", 0)), Y(num_of(c, "y2", 0)));
            s2.has_fill = 0;
            paint(b, &s2, 0);
        } else if (strcmp(name, "polyline") == 0) {
            xmlChar *pts = xmlGetProp(c, BAD_CAST "points");
            if (pts) {
                const char *p = (const char *)pts;
                int first = 1;
                for (;;) {
                    char *end;
                    double x = strtod(p, &end);
                    if (end == p)
                        break;
                    p = end;
                    while (*p == ',' || *p == ' ')
                        p++;
                    double y = strtod(p, &end);
                    if (end == p)
                        break;
                    p = end;
                    put(b, "%.2f %.2f %c ", X(x), Y(y), first ? 'm' : 'l');
                    first = 0;
                }
                xmlFree(pts);
                s2.has_fill = 0;
                paint(b, &s2, 0);
            }
        } else if (strcmp(name, "path") == 0) {
            xmlChar *d = xmlGetProp(c, BAD_CAST "d");
            if (d) {
                draw_path(b, (const char *)d, stp);
                xmlFree(d);
            }
        } else if (strcmp(name, "circle") == 0) {
            double cx = X(num_of(c, "cx", 0)), cy = Y(num_of(c, "cy", 0)), r = num_of(c, "r", 0),
                   k = 0.5523 * r;
            put(b, "%.2f %.2f m %.2f %.2f %.2f %.2f %.2f %.2f c %.2f %.2f %.2f %.2f %.2f %.2f c "
                   "%.2f %.2f %.2f %.2f %.2f %.2f c %.2f %.2f %.2f %.2f %.2f %.2f c h ",
                cx + r, cy, cx + r, cy + k, cx + k, cy + r, cx, cy + r, cx - k, cy + r, cx - r,
                cy + k, cx - r, cy, cx - r, cy - k, cx - k, cy - r, cx, cy - r, cx + k, cy - r,
                cx + r, cy - k, cx + r, cy);
            paint(b, stp, 1);
        } else if (strcmp(name, "text") == 0) {
            draw_text(b, c, stp);
        }
    }
}

unsigned char *rep_svg_to_pdf(const char *svg_text, size_t *len)
{
    *len = 0;
    xmlDocPtr doc = xmlReadMemory(svg_text, (int)strlen(svg_text), "chart.svg", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    double W = num_of(root, "width", 720), H = num_of(root, "height", 480);
    if (W <= 0)
        W = 720;
    if (H <= 0)
        H = 480;
    style st = {.has_fill = 1, .width = 1, .font = 12, .opacity = 1, .anchor = "start", .page_h = H};
    inherit(root, &st);
    st.tx = st.ty = 0;
    pbuf content = {0};
    walk(&content, root, &st);
    xmlFreeDoc(doc);
    if (content.oom) {
        free(content.p);
        return NULL;
    }
    pbuf out = {0};
    size_t off[9];
    put(&out, "%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n");
    off[1] = out.n;
    put(&out, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = out.n;
    put(&out, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    off[3] = out.n;
    put(&out, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.0f %.0f] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> /ExtGState << /GSo 6 0 R /GSh 7 0 R >> >> /Contents 8 0 R >>\nendobj\n", W, H);
    off[4] = out.n;
    put(&out, "4 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>\nendobj\n");
    off[5] = out.n;
    put(&out, "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>\nendobj\n");
    off[6] = out.n;
    put(&out, "6 0 obj\n<< /Type /ExtGState /CA 1 /ca 1 >>\nendobj\n");
    off[7] = out.n;
    put(&out, "7 0 obj\n<< /Type /ExtGState /CA 0.5 /ca 0.5 >>\nendobj\n");
    off[8] = out.n;
    put(&out, "8 0 obj\n<< /Length %zu >>\nstream\n", content.n);
    if (!out.oom && content.n) {
        while (out.cap - out.n < content.n + 1) {
            char *np = realloc(out.p, out.cap * 2 + content.n);
            if (!np) {
                out.oom = 1;
                break;
            }
            out.p = np, out.cap = out.cap * 2 + content.n;
        }
        if (!out.oom) {
            memcpy(out.p + out.n, content.p, content.n);
            out.n += content.n;
        }
    }
    free(content.p);
    put(&out, "\nendstream\nendobj\n");
    size_t xref = out.n;
    put(&out, "xref\n0 9\n0000000000 65535 f \n");
    for (int i = 1; i <= 8; i++)
        put(&out, "%010zu 00000 n \n", off[i]);
    put(&out, "trailer\n<< /Size 9 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref);
    if (out.oom) {
        free(out.p);
        return NULL;
    }
    *len = out.n;
    return (unsigned char *)out.p;
}
