/* jsonw.c - Python-compatible JSON output (json.dump(sort_keys=True, indent=4), ensure_ascii,
 * allow_nan) for cJSON trees, Python's float repr, atomic file writes, and a JSON reader that
 * accepts what Python writes (NaN/Infinity) and reports errors with line and column.
 * The contract (number tagging through valuestring) is in lc_json.h. What the trees mean is left
 * to lib/ludwig.
 */
#include "lc_json.h"
#include "lc_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TWO_POW_53 9007199254740992.0

/* ------------------------------------------------------------------------------------------ */
/* Python float repr                                                                          */

/* Shortest decimal digits that read back as a (> 0, finite): digits without trailing zeros and
 * the decimal exponent of the first digit. Among strings of the shortest length the one nearest
 * to a wins (what Python's dtoa mode 0 returns). glibc's printf and strtod are exact. */
/* Tries precision prec: the correctly rounded prec-digit decimal of a and its two neighbours, in
 * that order; on a round trip writes digits/exp10 and returns 1. */
static int digits_at(double a, int prec, char *digits, int *exp10)
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, a);
    char *ep = strchr(tmp, 'e');
    int e = atoi(ep + 1);
    unsigned long long m = 0;
    for (const char *p = tmp; p < ep; p++)
        if (*p >= '0' && *p <= '9')
            m = m * 10 + (unsigned long long)(*p - '0');
    int scale = e - (prec - 1); /* a ~ m * 10^scale */
    unsigned long long cand[3] = {m, m + 1, m - 1};
    for (int k = 0; k < 3; k++) {
        if (cand[k] == 0)
            continue;
        snprintf(tmp, sizeof tmp, "%llue%d", cand[k], scale);
        if (strtod(tmp, NULL) != a)
            continue;
        char ds[24];
        int nd = snprintf(ds, sizeof ds, "%llu", cand[k]);
        *exp10 = scale + nd - 1;
        while (nd > 1 && ds[nd - 1] == '0')
            nd--;
        memcpy(digits, ds, (size_t)nd);
        digits[nd] = '\0';
        return 1;
    }
    return 0;
}

/* Shortest decimal digits that read back as a (> 0, finite): digits without trailing zeros and
 * the decimal exponent of the first digit. Among strings of the shortest length the one nearest
 * to a wins (what Python's dtoa mode 0 returns). glibc's printf and strtod are exact.
 * If some prec-digit string reads back as a, the correctly rounded (prec+1)-digit one does too,
 * so the shortest precision is found by bisection over [1, 17] (17 always reads back). */
static void shortest_digits(double a, char *digits /* (18) */, int *exp10)
{
    int lo = 1, hi = 17; /* hi works, everything below lo fails */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        char d[24];
        int e;
        if (digits_at(a, mid, d, &e))
            hi = mid;
        else
            lo = mid + 1;
    }
    if (!digits_at(a, hi, digits, exp10)) { /* unreachable: 17 digits always read back */
        char tmp[48];
        snprintf(tmp, sizeof tmp, "%.16e", a);
        digits[0] = tmp[0];
        memcpy(digits + 1, tmp + 2, 16);
        digits[17] = '\0';
        *exp10 = atoi(strchr(tmp, 'e') + 1);
    }
}

size_t lc_json_float_repr(double v, char *buf, size_t n)
{
    char out[LC_JSON_REPR_MAX];
    size_t len = 0;
    if (isnan(v)) {
        len = (size_t)snprintf(out, sizeof out, "NaN");
    } else if (isinf(v)) {
        len = (size_t)snprintf(out, sizeof out, "%s", v < 0 ? "-Infinity" : "Infinity");
    } else if (v == 0) {
        len = (size_t)snprintf(out, sizeof out, "%s", signbit(v) ? "-0.0" : "0.0");
    } else {
        char d[24];
        int e;
        shortest_digits(fabs(v), d, &e);
        int nd = (int)strlen(d);
        char *o = out;
        if (v < 0)
            *o++ = '-';
        if (e < -4 || e >= 16) { /* d[0].d[1..]e+XX */
            *o++ = d[0];
            if (nd > 1) {
                *o++ = '.';
                memcpy(o, d + 1, (size_t)(nd - 1));
                o += nd - 1;
            }
            o += snprintf(o, (size_t)(out + sizeof out - o), "e%c%02d", e < 0 ? '-' : '+', abs(e));
        } else if (e >= 0) { /* integer part, then at least one fractional digit */
            for (int i = 0; i <= e; i++)
                *o++ = i < nd ? d[i] : '0';
            *o++ = '.';
            if (nd > e + 1) {
                memcpy(o, d + e + 1, (size_t)(nd - e - 1));
                o += nd - e - 1;
            } else {
                *o++ = '0';
            }
        } else { /* 0.000ddd */
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -e - 1; i++)
                *o++ = '0';
            memcpy(o, d, (size_t)nd);
            o += nd;
        }
        *o = '\0';
        len = (size_t)(o - out);
    }
    if (n > 0) {
        size_t c = len < n - 1 ? len : n - 1;
        memcpy(buf, out, c);
        buf[c] = '\0';
    }
    return len;
}

/* ------------------------------------------------------------------------------------------ */
/* Number items                                                                               */

static cJSON *number_with_text(double v, const char *text)
{
    cJSON *it = cJSON_CreateNumber(v);
    if (!it)
        return NULL;
    size_t len = strlen(text);
    char *s = cJSON_malloc(len + 1);
    if (!s) {
        cJSON_Delete(it);
        return NULL;
    }
    memcpy(s, text, len + 1);
    it->valuestring = s;
    return it;
}

cJSON *lc_json_float(double v)
{
    char r[LC_JSON_REPR_MAX];
    lc_json_float_repr(v, r, sizeof r);
    return number_with_text(v, r);
}

int lc_json_add_float(cJSON *obj, const char *key, double v)
{
    cJSON *it = lc_json_float(v);
    if (!it)
        return -1;
    if (!cJSON_AddItemToObject(obj, key, it)) {
        cJSON_Delete(it);
        return -1;
    }
    return 0;
}

cJSON *lc_json_int(long long v)
{
    double d = (double)v;
    if (fabs(d) < TWO_POW_53)
        return cJSON_CreateNumber(d);
    char t[32];
    snprintf(t, sizeof t, "%lld", v);
    return number_with_text(d, t);
}

static int text_is_float(const char *t)
{
    return strpbrk(t, ".eEIN") != NULL;
}

/* The tag is trusted only while it still reads back as valuedouble. */
static int tag_matches(const cJSON *it)
{
    double t = strtod(it->valuestring, NULL);
    double v = it->valuedouble;
    if (isnan(v) || isnan(t))
        return isnan(v) && isnan(t);
    return t == v && signbit(t) == signbit(v);
}

int lc_json_is_float(const cJSON *item)
{
    return item && cJSON_IsNumber(item) && item->valuestring && text_is_float(item->valuestring);
}

/* ------------------------------------------------------------------------------------------ */
/* Writer                                                                                     */

typedef struct obuf {
    char *p;
    size_t len, cap;
    int oom;
} obuf;

static void ob_put(obuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (n > SIZE_MAX - b->len - 1) {
        b->oom = 1;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap = cap > SIZE_MAX / 2 ? b->len + n + 1 : cap * 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void ob_str(obuf *b, const char *s)
{
    ob_put(b, s, strlen(s));
}

static void ob_indent(obuf *b, int level)
{
    static const char spaces[] = "                                                                ";
    size_t n = (size_t)level * 4;
    while (n > 0) {
        size_t c = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        ob_put(b, spaces, c);
        n -= c;
    }
}

/* Decodes one UTF-8 sequence at s (len bytes left); returns its length, or 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* A Python str as json.dumps(ensure_ascii=True) writes it. */
static void write_string(obuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p);
    char esc[16];
    ob_put(b, "\"", 1);
    size_t i = 0;
    while (i < len) {
        size_t run = i; /* copy plain printable ASCII in one go */
        while (run < len && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '"' && p[run] != '\\')
            run++;
        if (run > i) {
            ob_put(b, (const char *)p + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = p[i];
        const char *short_esc = NULL;
        switch (c) {
        case '"': short_esc = "\\\""; break;
        case '\\': short_esc = "\\\\"; break;
        case '\n': short_esc = "\\n"; break;
        case '\r': short_esc = "\\r"; break;
        case '\t': short_esc = "\\t"; break;
        case '\b': short_esc = "\\b"; break;
        case '\f': short_esc = "\\f"; break;
        default: break;
        }
        if (short_esc) {
            ob_str(b, short_esc);
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            cp = 0xFFFD;
            n = 1;
        }
        if (cp >= 0x10000) {
            uint32_t u = cp - 0x10000;
            snprintf(esc, sizeof esc, "\\u%04x\\u%04x", (unsigned)(0xD800 | (u >> 10)),
                     (unsigned)(0xDC00 | (u & 0x3FF)));
        } else {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
        }
        ob_str(b, esc);
        i += n;
    }
    ob_put(b, "\"", 1);
}

static void write_number(obuf *b, const cJSON *it)
{
    char r[LC_JSON_REPR_MAX];
    double v = it->valuedouble;
    if (it->valuestring) {
        if (tag_matches(it)) {
            ob_str(b, it->valuestring);
            return;
        }
        if (text_is_float(it->valuestring)) {
            lc_json_float_repr(v, r, sizeof r);
            ob_str(b, r);
            return;
        }
    }
    if (isfinite(v) && v == floor(v) && fabs(v) < TWO_POW_53) {
        snprintf(r, sizeof r, "%lld", (long long)v);
        ob_str(b, r);
    } else {
        lc_json_float_repr(v, r, sizeof r);
        ob_str(b, r);
    }
}

typedef struct keyed {
    const cJSON *item;
    size_t order;
} keyed;

/* Code point order (= UTF-8 byte order for valid text), an invalid byte counting as the U+FFFD
 * it is written as, so a file read back sorts the same way. */
static int key_cmp(const char *ka, const char *kb)
{
    const unsigned char *a = (const unsigned char *)ka, *b = (const unsigned char *)kb;
    size_t la = strlen(ka), lb = strlen(kb);
    while (la > 0 && lb > 0) {
        uint32_t ca, cb;
        size_t na = utf8_decode(a, la, &ca), nb = utf8_decode(b, lb, &cb);
        if (na == 0)
            ca = 0xFFFD, na = 1;
        if (nb == 0)
            cb = 0xFFFD, nb = 1;
        if (ca != cb)
            return ca < cb ? -1 : 1;
        a += na, la -= na;
        b += nb, lb -= nb;
    }
    return (la > 0) - (lb > 0);
}

static int keyed_cmp(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    int c = key_cmp(a->item->string ? a->item->string : "", b->item->string ? b->item->string : "");
    if (c)
        return c;
    return a->order < b->order ? -1 : a->order > b->order;
}

static void write_value(obuf *b, const cJSON *it, int level)
{
    if (b->oom)
        return;
    switch (it->type & 0xFF) {
    case cJSON_False: ob_str(b, "false"); break;
    case cJSON_True: ob_str(b, "true"); break;
    case cJSON_Number: write_number(b, it); break;
    case cJSON_String: write_string(b, it->valuestring); break;
    case cJSON_Raw: ob_str(b, it->valuestring ? it->valuestring : "null"); break;
    case cJSON_Array: {
        const cJSON *c = it->child;
        if (!c) {
            ob_str(b, "[]");
            break;
        }
        ob_str(b, "[\n");
        for (; c; c = c->next) {
            ob_indent(b, level + 1);
            write_value(b, c, level + 1);
            ob_str(b, c->next ? ",\n" : "\n");
        }
        ob_indent(b, level);
        ob_str(b, "]");
        break;
    }
    case cJSON_Object: {
        size_t n = 0;
        for (const cJSON *c = it->child; c; c = c->next)
            n++;
        if (n == 0) {
            ob_str(b, "{}");
            break;
        }
        keyed *ks = malloc(n * sizeof *ks);
        if (!ks) {
            b->oom = 1;
            break;
        }
        size_t i = 0;
        for (const cJSON *c = it->child; c; c = c->next, i++) {
            ks[i].item = c;
            ks[i].order = i;
        }
        qsort(ks, n, sizeof *ks, keyed_cmp);
        ob_str(b, "{\n");
        for (i = 0; i < n; i++) {
            ob_indent(b, level + 1);
            write_string(b, ks[i].item->string);
            ob_str(b, ": ");
            write_value(b, ks[i].item, level + 1);
            ob_str(b, i + 1 < n ? ",\n" : "\n");
        }
        free(ks);
        ob_indent(b, level);
        ob_str(b, "}");
        break;
    }
    default: ob_str(b, "null"); break; /* cJSON_NULL and invalid items */
    }
}

char *lc_json_print_py(const cJSON *root)
{
    obuf b = {0};
    if (root)
        write_value(&b, root, 0);
    else
        ob_str(&b, "null");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *lc_json_py_string(const char *s)
{
    obuf b = {0};
    write_string(&b, s);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

lc_status lc_json_write_file(const cJSON *root, const char *path, lc_error *e)
{
    char *text = lc_json_print_py(root);
    if (!text)
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory while formatting JSON", path);
    lc_afile a;
    lc_status st = lc_afile_open(&a, path, e);
    if (!st) {
        size_t len = strlen(text);
        st = lc_afile_commit(&a, fwrite(text, 1, len, a.f) != len, "JSON", e);
    }
    free(text);
    return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Reader                                                                                     */

typedef struct jparser {
    const char *s;
    size_t n, i;
    int depth;
    const char *err; /* static message */
    size_t err_at;
} jparser;

static cJSON *parse_value(jparser *p);

static void *jp_fail(jparser *p, size_t at, const char *msg)
{
    if (!p->err) {
        p->err = msg;
        p->err_at = at;
    }
    return NULL;
}

static void skip_ws(jparser *p)
{
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->i++;
    }
}

static int match_word(jparser *p, const char *w)
{
    size_t l = strlen(w);
    if (p->n - p->i >= l && memcmp(p->s + p->i, w, l) == 0) {
        p->i += l;
        return 1;
    }
    return 0;
}

static int hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t utf8_encode(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string starting at the opening quote; returns a malloc'd UTF-8 copy. The decoded text is
 * never longer than its escaped source, so one allocation of the source span suffices. */
static char *parse_string(jparser *p)
{
    size_t start = p->i++;
    size_t end = p->i;
    while (end < p->n && p->s[end] != '"') {
        if (p->s[end] == '\\')
            end++;
        end++;
    }
    if (end >= p->n)
        return jp_fail(p, start, "unterminated string");
    char *out = malloc(end - p->i + 1);
    if (!out)
        return jp_fail(p, start, "out of memory");
    size_t o = 0;
    while (p->i < end) {
        unsigned char c = (unsigned char)p->s[p->i];
        if (c < 0x20) {
            free(out);
            return jp_fail(p, p->i, "invalid control character in string");
        }
        if (c != '\\') {
            out[o++] = (char)c;
            p->i++;
            continue;
        }
        size_t esc_at = p->i;
        char k = p->s[p->i + 1];
        p->i += 2;
        switch (k) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '/': out[o++] = '/'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (end - p->i < 4 || hex4(p->s + p->i, &cp) != 0) {
                free(out);
                return jp_fail(p, esc_at, "invalid \\uXXXX escape");
            }
            p->i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (end - p->i >= 6 && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u' &&
                    hex4(p->s + p->i + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p->i += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            } else if (cp == 0) {
                free(out);
                return jp_fail(p, esc_at, "\\u0000 in a string is not supported");
            }
            o += utf8_encode(cp, out + o);
            break;
        }
        default:
            free(out);
            return jp_fail(p, esc_at, "invalid escape in string");
        }
    }
    out[o] = '\0';
    p->i = end + 1;
    return out;
}

static cJSON *parse_number(jparser *p)
{
    size_t start = p->i, i = p->i;
    int is_float = 0;
    if (i < p->n && p->s[i] == '-')
        i++;
    if (i < p->n && p->s[i] == '0') {
        i++;
    } else if (i < p->n && p->s[i] >= '1' && p->s[i] <= '9') {
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
            i++;
    } else {
        return jp_fail(p, start, "expecting a value");
    }
    if (i < p->n && p->s[i] == '.' && i + 1 < p->n && p->s[i + 1] >= '0' && p->s[i + 1] <= '9') {
        is_float = 1;
        i++;
        while (i < p->n && p->s[i] >= '0' && p->s[i] <= '9')
            i++;
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        size_t j = i + 1;
        if (j < p->n && (p->s[j] == '+' || p->s[j] == '-'))
            j++;
        if (j < p->n && p->s[j] >= '0' && p->s[j] <= '9') {
            is_float = 1;
            while (j < p->n && p->s[j] >= '0' && p->s[j] <= '9')
                j++;
            i = j;
        }
    }
    size_t len = i - start;
    char small[64];
    char *txt = len < sizeof small ? small : malloc(len + 1);
    if (!txt)
        return jp_fail(p, start, "out of memory");
    memcpy(txt, p->s + start, len);
    txt[len] = '\0';
    double v = strtod(txt, NULL);
    p->i = i;
    cJSON *it;
    if (is_float)
        it = lc_json_float(v);
    else if (fabs(v) >= TWO_POW_53)
        it = number_with_text(v, txt[0] == '-' && v == 0 ? "0" : txt);
    else
        it = cJSON_CreateNumber(v);
    if (txt != small)
        free(txt);
    return it ? it : jp_fail(p, start, "out of memory");
}

static cJSON *parse_container(jparser *p, int is_object)
{
    size_t open_at = p->i++;
    if (++p->depth > LC_JSON_DEPTH_MAX)
        return jp_fail(p, open_at, "nesting too deep");
    cJSON *c = is_object ? cJSON_CreateObject() : cJSON_CreateArray();
    if (!c)
        return jp_fail(p, open_at, "out of memory");
    char close = is_object ? '}' : ']';
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        p->depth--;
        return c;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(p);
        if (is_object) {
            if (p->i >= p->n || p->s[p->i] != '"') {
                jp_fail(p, p->i, "expecting a property name in double quotes");
                goto fail;
            }
            key = parse_string(p);
            if (!key)
                goto fail;
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                free(key);
                jp_fail(p, p->i, "expecting ':' delimiter");
                goto fail;
            }
            p->i++;
            skip_ws(p);
        }
        cJSON *v = parse_value(p);
        if (!v) {
            free(key);
            goto fail;
        }
        if (is_object) {
            cJSON_AddItemToObject(c, key, v);
            free(key);
        } else {
            cJSON_AddItemToArray(c, v);
        }
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            break;
        }
        jp_fail(p, p->i, is_object ? "expecting ',' or '}'" : "expecting ',' or ']'");
        goto fail;
    }
    p->depth--;
    return c;
fail:
    cJSON_Delete(c);
    return NULL;
}

static cJSON *parse_value(jparser *p)
{
    if (p->i >= p->n)
        return jp_fail(p, p->i, "expecting a value");
    char c = p->s[p->i];
    cJSON *it = NULL;
    switch (c) {
    case '{': return parse_container(p, 1);
    case '[': return parse_container(p, 0);
    case '"': {
        char *s = parse_string(p);
        if (!s)
            return NULL;
        it = cJSON_CreateString(s);
        free(s);
        return it ? it : jp_fail(p, p->i, "out of memory");
    }
    default: break;
    }
    size_t at = p->i;
    if (match_word(p, "true"))
        it = cJSON_CreateTrue();
    else if (match_word(p, "false"))
        it = cJSON_CreateFalse();
    else if (match_word(p, "null"))
        it = cJSON_CreateNull();
    else if (match_word(p, "NaN"))
        it = lc_json_float(NAN);
    else if (match_word(p, "Infinity"))
        it = lc_json_float(INFINITY);
    else if (match_word(p, "-Infinity"))
        it = lc_json_float(-INFINITY);
    else
        return parse_number(p);
    return it ? it : jp_fail(p, at, "out of memory");
}

cJSON *lc_json_parse(const char *text, size_t len, const char *name, lc_error *e)
{
    jparser p = {.s = text, .n = len};
    cJSON *root = NULL;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        jp_fail(&p, 0, "unexpected UTF-8 byte order mark");
    } else {
        skip_ws(&p);
        root = parse_value(&p);
        if (root) {
            skip_ws(&p);
            if (p.i < p.n) {
                jp_fail(&p, p.i, "extra data after the JSON value");
                cJSON_Delete(root);
                root = NULL;
            }
        }
    }
    if (root)
        return root;
    size_t line = 1, col = 1;
    for (size_t k = 0; k < p.err_at && k < len; k++) {
        if (text[k] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    if (!p.err)
        p.err = "out of memory";
    lc_status st = strcmp(p.err, "out of memory") == 0 ? LC_ERR_NOMEM : LC_ERR_DATA;
    lc_error_set(e, st, "%s:%zu:%zu: invalid JSON: %s (byte offset %zu)", name, line, col, p.err,
                 p.err_at);
    return NULL;
}

cJSON *lc_json_read_file(const char *path, lc_error *e)
{
    cJSON *root = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        lc_error_set(e, LC_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        lc_error_set(e, LC_ERR_IO, "cannot read %s: not a regular file", path);
        goto close_file;
    }
    if ((uint64_t)sb.st_size > LC_JSON_READ_MAX) {
        lc_error_set(e, LC_ERR_DATA, "%s: JSON file of %lld bytes is larger than the %zu-byte limit",
                     path, (long long)sb.st_size, LC_JSON_READ_MAX);
        goto close_file;
    }
    size_t size = (size_t)sb.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory reading %zu bytes", path, size);
        goto close_file;
    }
    size_t got = fread(buf, 1, size + 1, f);
    if (ferror(f)) {
        lc_error_set(e, LC_ERR_IO, "cannot read %s: %s", path, strerror(errno));
        goto free_buf;
    }
    if (got > size) {
        lc_error_set(e, LC_ERR_IO, "cannot read %s: the file grew while being read", path);
        goto free_buf;
    }
    root = lc_json_parse(buf, got, path, e);
free_buf:
    free(buf);
close_file:
    fclose(f);
    return root;
}
