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

/* The inherited presentation state (svgstyle.c) and where the page's top is. */
typedef struct style {
    rep_svg_style s;
    double page_h; /* SVG y grows down, PDF y up */
} style;

static void set_stroke(pbuf *b, const style *st)
{
    const rep_svg_style *v = &st->s;
    put(b, "%.3f %.3f %.3f RG %.2f w %d J ", v->stroke[0] / 255.0, v->stroke[1] / 255.0,
        v->stroke[2] / 255.0, v->width > 0 ? v->width : 1, v->cap_round ? 1 : 0);
    put(b, "[");
    for (int i = 0; i < v->ndash; i++)
        put(b, "%s%.1f", i ? " " : "", v->dash[i]);
    put(b, "] 0 d ");
    put(b, "%s ", v->stroke_opacity * v->opacity < 1 ? "/GSh gs" : "/GSo gs");
}

#define X(v) ((v) + st->s.tx)
#define Y(v) (st->page_h - ((v) + st->s.ty))

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
    double x = rep_svg_len(n, "x", 0, st->s.vw), y = rep_svg_len(n, "y", 0, st->s.vh), rot = 0, rx, ry;
    char buf[128];
    const char *tr = rep_svg_prop(n, "transform", buf, sizeof buf);
    if (tr && sscanf(tr, "rotate(%lf %lf %lf)", &rot, &rx, &ry) < 1)
        rot = 0;
    pbuf tmp = {0};
    double wem = 0;
    pdf_string(&tmp, (const char *)t, &wem);
    double w = wem * st->s.font;
    double shift = strcmp(st->s.anchor, "middle") == 0 ? w / 2 : strcmp(st->s.anchor, "end") == 0 ? w : 0;
    double a = -rot * M_PI / 180, c = cos(a), s = sin(a);
    double px = X(x) - shift * c, py = Y(y) - shift * s;
    static const unsigned char black[3] = {0, 0, 0};
    const unsigned char *col = st->s.has_fill ? st->s.fill : black;
    put(b, "BT %.3f %.3f %.3f rg /%s %.1f Tf %.4f %.4f %.4f %.4f %.2f %.2f Tm %s Tj ET\n",
        col[0] / 255.0, col[1] / 255.0, col[2] / 255.0, st->s.bold ? "F2" : "F1", st->s.font, c, s,
        -s, c, px, py,
        tmp.p ? tmp.p : "()");
    free(tmp.p);
    xmlFree(t);
}

static void paint(pbuf *b, const style *st, int closed)
{
    const unsigned char *f = st->s.fill;
    if (st->s.has_fill && closed && st->s.has_stroke) {
        put(b, "%.3f %.3f %.3f rg ", f[0] / 255.0, f[1] / 255.0, f[2] / 255.0);
        set_stroke(b, st);
        put(b, "B\n");
    } else if (st->s.has_fill && closed) {
        put(b, "%.3f %.3f %.3f rg f\n", f[0] / 255.0, f[1] / 255.0, f[2] / 255.0);
    } else if (st->s.has_stroke) {
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
        rep_svg_inherit(c, &s2.s);
        const style *stp = &s2;
        double vw = st->s.vw, vh = st->s.vh;
        if (strcmp(name, "svg") == 0) { /* a nested chart: its own viewport for percentages */
            s2.s.tx += rep_svg_len(c, "x", 0, vw), s2.s.ty += rep_svg_len(c, "y", 0, vh);
            s2.s.vw = rep_svg_len(c, "width", vw, vw), s2.s.vh = rep_svg_len(c, "height", vh, vh);
        }
        if (strcmp(name, "g") == 0 || strcmp(name, "svg") == 0) {
            walk(b, c, &s2);
        } else if (strcmp(name, "rect") == 0) {
            double x = rep_svg_len(c, "x", 0, vw), y = rep_svg_len(c, "y", 0, vh),
                   w = rep_svg_len(c, "width", 0, vw), h = rep_svg_len(c, "height", 0, vh);
            put(b, "%.2f %.2f %.2f %.2f re ", X(x), Y(y) - h, w, h);
            paint(b, stp, 1);
        } else if (strcmp(name, "line") == 0) {
            put(b, "%.2f %.2f m %.2f %.2f l ", X(rep_svg_len(c, "x1", 0, vw)), Y(rep_svg_len(c, "y1", 0, vh)),
                X(rep_svg_len(c, "x2", 0, vw)), Y(rep_svg_len(c, "y2", 0, vh)));
            s2.s.has_fill = 0;
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
                s2.s.has_fill = 0;
                paint(b, &s2, 0);
            }
        } else if (strcmp(name, "path") == 0) {
            xmlChar *d = xmlGetProp(c, BAD_CAST "d");
            if (d) {
                draw_path(b, (const char *)d, stp);
                xmlFree(d);
            }
        } else if (strcmp(name, "circle") == 0) {
            double cx = X(rep_svg_len(c, "cx", 0, vw)), cy = Y(rep_svg_len(c, "cy", 0, vh)),
                   r = rep_svg_len(c, "r", 0, vw), k = 0.5523 * r;
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
    rep_xml_init();
    *len = 0;
    xmlDocPtr doc = xmlReadMemory(svg_text, (int)strlen(svg_text), "chart.svg", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return NULL;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    double W = rep_svg_len(root, "width", 720, 720), H = rep_svg_len(root, "height", 480, 480);
    if (W <= 0)
        W = 720;
    if (H <= 0)
        H = 480;
    style st = {.s = {.has_fill = 1, .width = 1, .font = 12, .stroke_opacity = 1,
                      .fill_opacity = 1, .opacity = 1, .anchor = "start", .vw = W, .vh = H},
                .page_h = H};
    rep_svg_inherit(root, &st.s);
    st.s.tx = st.s.ty = 0;
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
