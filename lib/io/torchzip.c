/* torchzip.c - a state_dict file as torch.save writes one (see lc_torchzip.h). */
#include "lc_torchzip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* a growing byte buffer for the pickle */
typedef struct pbuf {
    unsigned char *b;
    size_t n, cap;
    int oom;
} pbuf;

static void put(pbuf *p, const void *src, size_t n)
{
    if (p->oom)
        return;
    if (p->n + n > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->n + n)
            cap *= 2;
        unsigned char *nb = realloc(p->b, cap);
        if (!nb) {
            p->oom = 1;
            return;
        }
        p->b = nb;
        p->cap = cap;
    }
    memcpy(p->b + p->n, src, n);
    p->n += n;
}

static void op(pbuf *p, unsigned char c) { put(p, &c, 1); }

/* GLOBAL: 'c' module '\n' name '\n' */
static void global(pbuf *p, const char *module, const char *name)
{
    op(p, 'c');
    put(p, module, strlen(module));
    op(p, '\n');
    put(p, name, strlen(name));
    op(p, '\n');
}

/* BINUNICODE: 'X', 4-byte little-endian length, UTF-8 bytes */
static void str(pbuf *p, const char *s)
{
    size_t n = strlen(s);
    unsigned char h[5] = {'X', (unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                          (unsigned char)(n >> 24)};
    put(p, h, 5);
    put(p, s, n);
}

/* a non-negative integer: BININT1 / BININT2 / BININT (< 2^31), else LONG1 with 8 bytes */
static void pint(pbuf *p, int64_t v)
{
    if (v < 256) {
        unsigned char h[2] = {'K', (unsigned char)v};
        put(p, h, 2);
    } else if (v < 65536) {
        unsigned char h[3] = {'M', (unsigned char)v, (unsigned char)(v >> 8)};
        put(p, h, 3);
    } else if (v < 2147483647) {
        unsigned char h[5] = {'J', (unsigned char)v, (unsigned char)(v >> 8),
                              (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
        put(p, h, 5);
    } else {
        unsigned char h[10] = {0x8a, 8};
        for (int i = 0; i < 8; i++)
            h[2 + i] = (unsigned char)((uint64_t)v >> (8 * i));
        put(p, h, 10);
    }
}

/* (a, b, ...) of n integers: EMPTY_TUPLE, TUPLE1..3, or MARK ... TUPLE */
static void int_tuple(pbuf *p, const int64_t *v, int n)
{
    if (n == 0) {
        op(p, ')');
        return;
    }
    if (n > 3)
        op(p, '(');
    for (int i = 0; i < n; i++)
        pint(p, v[i]);
    op(p, n == 1 ? 0x85 : n == 2 ? 0x86 : n == 3 ? 0x87 : 't');
}

static size_t elem_size(lc_tdtype d) { return d == LC_TD_I64 ? 8 : 4; }

lc_status lc_torch_save(const char *path, const char *prefix, const lc_ttensor *t, int n,
                        lc_error *e)
{
    pbuf p = {0};
    int64_t *numel = calloc((size_t)(n > 0 ? n : 1), sizeof *numel);
    if (!numel)
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", path);
    /* the pickle: OrderedDict(), then MARK, name, tensor, ... SETITEMS, STOP */
    op(&p, 0x80);
    op(&p, 2);
    global(&p, "collections", "OrderedDict");
    op(&p, ')');
    op(&p, 'R');
    if (n > 0)
        op(&p, '(');
    for (int i = 0; i < n; i++) {
        const lc_ttensor *x = &t[i];
        if (x->ndim < 0 || x->ndim > 8) {
            free(numel);
            free(p.b);
            return lc_error_set(e, LC_ERR_INTERNAL, "%s: tensor %s has %d dimensions", path,
                                x->name, x->ndim);
        }
        int64_t stride[8], ne = 1;
        for (int d = x->ndim - 1; d >= 0; d--) {
            stride[d] = ne;
            ne *= x->shape[d];
        }
        numel[i] = ne;
        char key[24];
        snprintf(key, sizeof key, "%d", i);
        str(&p, x->name);
        global(&p, "torch._utils", "_rebuild_tensor_v2");
        op(&p, '(');
        op(&p, '(');
        str(&p, "storage");
        global(&p, "torch", x->dtype == LC_TD_I64 ? "LongStorage" : "FloatStorage");
        str(&p, key);
        str(&p, "cpu");
        pint(&p, ne);
        op(&p, 't');
        op(&p, 'Q'); /* BINPERSID */
        pint(&p, 0); /* storage offset */
        int_tuple(&p, x->shape, x->ndim);
        int_tuple(&p, stride, x->ndim);
        op(&p, 0x89); /* requires_grad False */
        global(&p, "collections", "OrderedDict");
        op(&p, ')');
        op(&p, 'R'); /* backward hooks: OrderedDict() */
        op(&p, 't');
        op(&p, 'R');
    }
    if (n > 0)
        op(&p, 'u'); /* SETITEMS */
    op(&p, '.');
    if (p.oom) {
        free(numel);
        free(p.b);
        return lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", path);
    }

    int code = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        lc_status st = lc_error_set(e, LC_ERR_IO, "%s: cannot create it (%s)", path,
                                    zip_error_strerror(&ze));
        zip_error_fini(&ze);
        free(numel);
        free(p.b);
        return st;
    }
    static const char version[] = "3\n";
    char name[512];
    int bad = 0;
    /* add one record, stored; buffers stay ours until zip_close */
#define ADD(NAME, BUF, LEN)                                                                      \
    do {                                                                                         \
        zip_source_t *s_ = zip_source_buffer(z, (BUF), (zip_uint64_t)(LEN), 0);                   \
        zip_int64_t i_ = s_ ? zip_file_add(z, (NAME), s_, ZIP_FL_ENC_UTF_8) : -1;                 \
        if (i_ < 0) {                                                                            \
            if (s_)                                                                              \
                zip_source_free(s_);                                                             \
            bad = 1;                                                                             \
        } else if (zip_set_file_compression(z, (zip_uint64_t)i_, ZIP_CM_STORE, 0) < 0) {        \
            bad = 1;                                                                             \
        }                                                                                        \
    } while (0)
    snprintf(name, sizeof name, "%s/data.pkl", prefix);
    ADD(name, p.b, p.n);
    for (int i = 0; i < n && !bad; i++) {
        snprintf(name, sizeof name, "%s/data/%d", prefix, i);
        ADD(name, t[i].data, (size_t)numel[i] * elem_size(t[i].dtype));
    }
    if (!bad) {
        snprintf(name, sizeof name, "%s/version", prefix);
        ADD(name, version, sizeof version - 1);
    }
#undef ADD
    lc_status st = LC_OK;
    if (bad) {
        st = lc_error_set(e, LC_ERR_IO, "%s: cannot add a record (%s)", path,
                          zip_error_strerror(zip_get_error(z)));
        zip_discard(z);
    } else if (zip_close(z) < 0) {
        st = lc_error_set(e, LC_ERR_IO, "%s: cannot write it (%s)", path,
                          zip_error_strerror(zip_get_error(z)));
        zip_discard(z);
    }
    free(numel);
    free(p.b);
    return st;
}
