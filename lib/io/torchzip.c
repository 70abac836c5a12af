/* torchzip.c - a state_dict file as torch.save writes one (see lc_torchzip.h). */
#include "lc_torchzip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

size_t lc_tdtype_size(lc_tdtype d) { return d == LC_TD_I64 ? 8 : 4; }

const char *lc_tdtype_name(lc_tdtype d)
{
    return d == LC_TD_I64 ? "int64" : d == LC_TD_I32 ? "int32" : "float32";
}

/* every record's time: 1980-01-01 00:00 (the zip format's first day, as a DOS date: year - 1980,
 * month, day in 7, 4, 5 bits), whatever the time zone, so the same tensors make the same bytes */
#define DOS_1980 ((zip_uint16_t)((1 << 5) | 1))

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
        global(&p, "torch", x->dtype == LC_TD_I64   ? "LongStorage"
                            : x->dtype == LC_TD_I32 ? "IntStorage"
                                                    : "FloatStorage");
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
        } else if (zip_set_file_compression(z, (zip_uint64_t)i_, ZIP_CM_STORE, 0) < 0 ||        \
                   zip_file_set_dostime(z, (zip_uint64_t)i_, 0, DOS_1980, 0) < 0) {              \
            bad = 1;                                                                             \
        }                                                                                        \
    } while (0)
    snprintf(name, sizeof name, "%s/data.pkl", prefix);
    ADD(name, p.b, p.n);
    for (int i = 0; i < n && !bad; i++) {
        snprintf(name, sizeof name, "%s/data/%d", prefix, i);
        ADD(name, t[i].data, (size_t)numel[i] * lc_tdtype_size(t[i].dtype));
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

/* ---- reading ------------------------------------------------------------------------------ */

enum { MAX_MEMO = 1 << 20, MAX_DEPTH = 1 << 16 };

typedef enum vkind { V_MARK, V_NONE, V_BOOL, V_INT, V_STR, V_TUPLE, V_GLOBAL, V_DICT, V_STORAGE, V_TENSOR } vkind;
typedef enum gid { G_ODICT, G_REBUILD, G_FLOAT, G_LONG, G_INT } gid;

typedef struct pval pval;
struct pval {
    vkind k;
    int64_t i;      /* INT, BOOL; GLOBAL: its gid */
    char *s;        /* STR; STORAGE: its key */
    pval **items;   /* TUPLE items; DICT keys and values, interleaved */
    int n, cap;
    lc_tdtype dt;   /* STORAGE, TENSOR */
    int64_t numel;  /* STORAGE */
    pval *st;       /* TENSOR: its storage */
    int64_t off;
    int ndim;
    int64_t shape[8], stride[8];
    pval *next;     /* every value, for freeing */
};

typedef struct vm {
    const unsigned char *b;
    size_t n, at;
    pval **stack;
    int sp, scap;
    pval **memo;
    size_t nmemo, nset; /* slots, and entries set */
    pval *all;
    const char *name;
    lc_error *e;
    int nomem;
} vm;

static pval *newv(vm *m, vkind k)
{
    pval *v = calloc(1, sizeof *v);
    if (!v) {
        m->nomem = 1;
        return NULL;
    }
    v->k = k;
    v->next = m->all;
    m->all = v;
    return v;
}

static void free_vals(vm *m)
{
    for (pval *v = m->all, *nx; v; v = nx) {
        nx = v->next;
        free(v->s);
        free(v->items);
        free(v);
    }
    free(m->stack);
    free(m->memo);
}

static int push(vm *m, pval *v)
{
    if (!v)
        return -1;
    if (m->sp == m->scap) {
        int cap = m->scap ? m->scap * 2 : 64;
        if (cap > MAX_DEPTH)
            return -1;
        pval **ns = realloc(m->stack, (size_t)cap * sizeof *ns);
        if (!ns) {
            m->nomem = 1;
            return -1;
        }
        m->stack = ns;
        m->scap = cap;
    }
    m->stack[m->sp++] = v;
    return 0;
}

static pval *pop(vm *m) { return m->sp > 0 ? m->stack[--m->sp] : NULL; }

static int add_item(vm *m, pval *c, pval *v)
{
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 4;
        pval **ni = realloc(c->items, (size_t)cap * sizeof *ni);
        if (!ni) {
            m->nomem = 1;
            return -1;
        }
        c->items = ni;
        c->cap = cap;
    }
    c->items[c->n++] = v;
    return 0;
}

/* the stack position just above the topmost MARK, or -1 */
static int marker(const vm *m)
{
    for (int i = m->sp - 1; i >= 0; i--)
        if (m->stack[i]->k == V_MARK)
            return i;
    return -1;
}

static int need(vm *m, size_t k) { return m->at + k <= m->n; }

static uint64_t rd_le(const unsigned char *p, int k)
{
    uint64_t v = 0;
    for (int i = k - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static lc_status bad(vm *m, const char *what)
{
    if (m->nomem)
        return lc_error_set(m->e, LC_ERR_NOMEM, "%s: out of memory reading the weights", m->name);
    return lc_error_set(m->e, LC_ERR_DATA, "%s: data.pkl is not a state_dict as torch.save writes it: %s (byte %zu)",
                        m->name, what, m->at);
}

static int memo_put(vm *m, size_t idx, pval *v)
{
    if (!v || idx >= MAX_MEMO)
        return -1;
    if (idx >= m->nmemo) {
        size_t nm = idx + 1 > m->nmemo * 2 ? idx + 1 : m->nmemo * 2;
        if (nm > MAX_MEMO)
            nm = MAX_MEMO;
        pval **mm = realloc(m->memo, nm * sizeof *mm);
        if (!mm) {
            m->nomem = 1;
            return -1;
        }
        memset(mm + m->nmemo, 0, (nm - m->nmemo) * sizeof *mm);
        m->memo = mm;
        m->nmemo = nm;
    }
    m->nset += m->memo[idx] == NULL;
    m->memo[idx] = v;
    return 0;
}

static pval *tuple_from(vm *m, int from)
{
    pval *t = newv(m, V_TUPLE);
    for (int i = from; t && i < m->sp; i++)
        if (add_item(m, t, m->stack[i]))
            return NULL;
    m->sp = from;
    return t;
}

static int int_list(const pval *t, int64_t *out, int max, int *n)
{
    if (!t || t->k != V_TUPLE || t->n > max)
        return -1;
    for (int i = 0; i < t->n; i++) {
        if (t->items[i]->k != V_INT || t->items[i]->i < 0)
            return -1;
        out[i] = t->items[i]->i;
    }
    *n = t->n;
    return 0;
}

/* the pickle program: the top-level value on STOP */
static lc_status run(vm *m, pval **result)
{
    while (m->at < m->n) {
        unsigned char opc = m->b[m->at++];
        switch (opc) {
        case 0x80: /* PROTO */
            if (!need(m, 1) || m->b[m->at] > 5)
                return bad(m, "an unknown pickle protocol");
            m->at++;
            break;
        case 0x95: /* FRAME */
            if (!need(m, 8))
                return bad(m, "a truncated frame");
            m->at += 8;
            break;
        case '(':
            if (push(m, newv(m, V_MARK)))
                return bad(m, "too deep");
            break;
        case ')':
            if (push(m, newv(m, V_TUPLE)))
                return bad(m, "too deep");
            break;
        case '}':
            if (push(m, newv(m, V_DICT)))
                return bad(m, "too deep");
            break;
        case 'N':
        case 0x88:
        case 0x89: {
            pval *v = newv(m, opc == 'N' ? V_NONE : V_BOOL);
            if (v)
                v->i = opc == 0x88;
            if (push(m, v))
                return bad(m, "too deep");
            break;
        }
        case 0x85:
        case 0x86:
        case 0x87:
        case 't': {
            int mk = opc == 't' ? marker(m) : -1;
            int from = opc == 't' ? mk + 1 : m->sp - (opc - 0x84);
            if ((opc == 't' && mk < 0) || from < 0)
                return bad(m, "a tuple without its items");
            pval *t = tuple_from(m, from);
            if (opc == 't')
                m->sp = mk; /* the mark */
            if (!t || push(m, t))
                return bad(m, "too deep");
            break;
        }
        case 'K':
        case 'M':
        case 'J':
        case 0x8a: {
            int k = opc == 'K' ? 1 : opc == 'M' ? 2 : opc == 'J' ? 4 : -1;
            if (k < 0) { /* LONG1: a length, then that many little-endian bytes */
                if (!need(m, 1) || m->b[m->at] > 8)
                    return bad(m, "an integer over 64 bits");
                k = m->b[m->at++];
            }
            if (!need(m, (size_t)k))
                return bad(m, "a truncated integer");
            uint64_t u = rd_le(m->b + m->at, k);
            if ((opc == 'J' || opc == 0x8a) && k > 0 && k < 8 && (m->b[m->at + k - 1] & 0x80))
                u |= ~(uint64_t)0 << (8 * k); /* sign-extend */
            m->at += (size_t)k;
            pval *v = newv(m, V_INT);
            if (v)
                v->i = (int64_t)u;
            if (push(m, v))
                return bad(m, "too deep");
            break;
        }
        case 'X':
        case 0x8c: {
            int k = opc == 'X' ? 4 : 1;
            if (!need(m, (size_t)k))
                return bad(m, "a truncated string");
            uint64_t len = rd_le(m->b + m->at, k);
            m->at += (size_t)k;
            if (len > 1 << 20 || !need(m, len))
                return bad(m, "a truncated string");
            pval *v = newv(m, V_STR);
            if (v && (v->s = malloc(len + 1))) {
                memcpy(v->s, m->b + m->at, len);
                v->s[len] = 0;
            } else {
                m->nomem = 1;
                return bad(m, "");
            }
            m->at += len;
            if (push(m, v))
                return bad(m, "too deep");
            break;
        }
        case 'c': { /* GLOBAL module\nname\n: only the four a state_dict uses */
            const char *p0 = (const char *)m->b + m->at;
            const char *nl1 = memchr(p0, '\n', m->n - m->at);
            const char *nl2 = nl1 ? memchr(nl1 + 1, '\n', m->n - m->at - (size_t)(nl1 + 1 - p0)) : NULL;
            if (!nl2)
                return bad(m, "a truncated global");
            char g[160];
            size_t ml = (size_t)(nl1 - p0), nl = (size_t)(nl2 - nl1 - 1);
            if (ml + nl + 2 > sizeof g)
                return bad(m, "a global with a long name");
            memcpy(g, p0, ml);
            g[ml] = '.';
            memcpy(g + ml + 1, nl1 + 1, nl);
            g[ml + 1 + nl] = 0;
            m->at += ml + nl + 2;
            int id = strcmp(g, "collections.OrderedDict") == 0          ? G_ODICT
                     : strcmp(g, "torch._utils._rebuild_tensor_v2") == 0 ? G_REBUILD
                     : strcmp(g, "torch.FloatStorage") == 0              ? G_FLOAT
                     : strcmp(g, "torch.LongStorage") == 0               ? G_LONG
                     : strcmp(g, "torch.IntStorage") == 0                ? G_INT
                                                                          : -1;
            if (id < 0) {
                char msg[320];
                snprintf(msg, sizeof msg, "it names %s, which a state_dict of float32, int64 and int32 tensors does not (nothing it names is run)", g);
                return bad(m, msg);
            }
            pval *v = newv(m, V_GLOBAL);
            if (v)
                v->i = id;
            if (push(m, v))
                return bad(m, "too deep");
            break;
        }
        case 'q':
        case 'r':
        case 0x94: {
            size_t idx = m->nmemo;
            if (opc != 0x94) {
                int k = opc == 'q' ? 1 : 4;
                if (!need(m, (size_t)k))
                    return bad(m, "a truncated memo index");
                idx = (size_t)rd_le(m->b + m->at, k);
                m->at += (size_t)k;
            } else {
                idx = m->nset; /* MEMOIZE: the memo's length so far */
            }
            if (m->sp < 1 || memo_put(m, idx, m->stack[m->sp - 1]))
                return bad(m, "a memo entry out of range");
            break;
        }
        case 'h':
        case 'j': {
            int k = opc == 'h' ? 1 : 4;
            if (!need(m, (size_t)k))
                return bad(m, "a truncated memo index");
            size_t idx = (size_t)rd_le(m->b + m->at, k);
            m->at += (size_t)k;
            if (idx >= m->nmemo || !m->memo[idx])
                return bad(m, "a memo entry that was never set");
            if (push(m, m->memo[idx]))
                return bad(m, "too deep");
            break;
        }
        case 'Q': { /* BINPERSID: ('storage', Float|Long|IntStorage, key, location, numel) */
            pval *t = pop(m);
            if (!t || t->k != V_TUPLE || t->n != 5 || t->items[0]->k != V_STR ||
                strcmp(t->items[0]->s, "storage") != 0 || t->items[1]->k != V_GLOBAL ||
                (t->items[1]->i != G_FLOAT && t->items[1]->i != G_LONG && t->items[1]->i != G_INT) ||
                t->items[2]->k != V_STR || t->items[3]->k != V_STR || t->items[4]->k != V_INT ||
                t->items[4]->i < 0)
                return bad(m, "a persistent id that is not a float32, int64 or int32 storage");
            pval *v = newv(m, V_STORAGE);
            if (!v || !(v->s = malloc(strlen(t->items[2]->s) + 1)))
                return m->nomem = 1, bad(m, "");
            strcpy(v->s, t->items[2]->s);
            v->dt = t->items[1]->i == G_LONG ? LC_TD_I64 : t->items[1]->i == G_INT ? LC_TD_I32 : LC_TD_F32;
            v->numel = t->items[4]->i;
            if (push(m, v))
                return bad(m, "too deep");
            break;
        }
        case 'R': { /* REDUCE: OrderedDict() or _rebuild_tensor_v2(...) */
            pval *args = pop(m), *fn = pop(m);
            if (!args || !fn || args->k != V_TUPLE || fn->k != V_GLOBAL)
                return bad(m, "a call of something that is not a known global");
            pval *v = NULL;
            if (fn->i == G_ODICT && args->n == 0) {
                v = newv(m, V_DICT);
            } else if (fn->i == G_REBUILD && args->n == 6 && args->items[0]->k == V_STORAGE &&
                       args->items[1]->k == V_INT && args->items[4]->k == V_BOOL) {
                v = newv(m, V_TENSOR);
                int ns = 0, nt = 0;
                if (v && (int_list(args->items[2], v->shape, 8, &ns) ||
                          int_list(args->items[3], v->stride, 8, &nt) || ns != nt ||
                          args->items[1]->i < 0))
                    return bad(m, "a tensor whose size or stride is not a tuple of up to 8 counts");
                if (v) {
                    v->st = args->items[0];
                    v->dt = v->st->dt;
                    v->off = args->items[1]->i;
                    v->ndim = ns;
                }
            } else {
                return bad(m, "a call with arguments a state_dict does not use");
            }
            if (push(m, v))
                return bad(m, "too deep");
            break;
        }
        case 's':
        case 'u': {
            /* SETITEMS: MARK's items onto the dict below the MARK; SETITEM: two onto the one
             * below them */
            int from = opc == 'u' ? marker(m) + 1 : m->sp - 2;
            int di = opc == 'u' ? from - 2 : from - 1;
            if (from < 1 || di < 0 || (m->sp - from) % 2)
                return bad(m, "dictionary items without their dictionary");
            pval *d = m->stack[di];
            if (d->k != V_DICT)
                return bad(m, "items set on something that is not a dictionary");
            for (int i = from; i < m->sp; i++)
                if (add_item(m, d, m->stack[i]))
                    return bad(m, "");
            m->sp = opc == 'u' ? from - 1 : from;
            break;
        }
        case 'b': { /* BUILD: the OrderedDict's attributes (_metadata): not needed */
            pval *state = pop(m);
            if (!state || m->sp < 1 || m->stack[m->sp - 1]->k != V_DICT ||
                (state->k != V_DICT && state->k != V_NONE))
                return bad(m, "state set on something that is not a dictionary");
            break;
        }
        case '.':
            if (m->sp != 1)
                return bad(m, "a stack of other than one value at the end");
            *result = m->stack[0];
            return LC_OK;
        default: {
            char msg[64];
            snprintf(msg, sizeof msg, "the opcode 0x%02x", opc);
            m->at--;
            return bad(m, msg);
        }
        }
    }
    return bad(m, "no STOP: it is truncated");
}

/* the whole record at name, in a new buffer. Its size is checked before anything is allocated:
 * `expect` bytes when the caller knows them (a storage: its values times their size), and never
 * more than the archive could hold (a stored record is its own size in the archive, a deflated one
 * at most 1,032 times; `total` is the archive's size), so a damaged or hostile file cannot make
 * the reader allocate what the file does not contain. */
static unsigned char *read_record(zip_t *z, const char *name, zip_uint64_t total,
                                  zip_uint64_t expect, zip_uint64_t *len)
{
    zip_stat_t st;
    if (zip_stat(z, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        !(st.valid & ZIP_STAT_COMP_SIZE) || !(st.valid & ZIP_STAT_COMP_METHOD) ||
        st.comp_size > total || (expect != (zip_uint64_t)-1 && st.size != expect))
        return NULL;
    if (st.comp_method == ZIP_CM_STORE ? st.size != st.comp_size
                                       : st.size / 1032 > st.comp_size)
        return NULL;
    unsigned char *b = malloc(st.size ? st.size : 1);
    zip_file_t *f = b ? zip_fopen(z, name, 0) : NULL;
    zip_int64_t got = f ? zip_fread(f, b, st.size) : -1;
    if (f)
        zip_fclose(f);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(b);
        return NULL;
    }
    *len = st.size;
    return b;
}

void lc_tfile_free(lc_tfile *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++) {
        free((char *)f->t[i].name);
        free((void *)f->t[i].data);
    }
    free(f->t);
    free(f);
}

static lc_status load_zip(zip_t *z, const char *name, zip_uint64_t total, lc_tfile **out,
                          lc_error *e)
{
    /* the one <prefix>/data.pkl */
    zip_int64_t ne = zip_get_num_entries(z, 0);
    char prefix[256] = "";
    int found = 0;
    for (zip_int64_t i = 0; i < ne; i++) {
        const char *en = zip_get_name(z, (zip_uint64_t)i, 0);
        const char *sl = en ? strchr(en, '/') : NULL;
        if (sl && strcmp(sl, "/data.pkl") == 0 && (size_t)(sl - en) < sizeof prefix) {
            memcpy(prefix, en, (size_t)(sl - en));
            prefix[sl - en] = 0;
            found++;
        }
    }
    if (found != 1)
        return lc_error_set(e, LC_ERR_DATA, "%s: not a PyTorch file (%s <folder>/data.pkl)", name,
                            found ? "more than one" : "no");
    char rn[320];
    snprintf(rn, sizeof rn, "%s/data.pkl", prefix);
    zip_uint64_t plen = 0;
    unsigned char *pk = read_record(z, rn, total, (zip_uint64_t)-1, &plen);
    if (!pk)
        return lc_error_set(e, LC_ERR_DATA, "%s: cannot read %s (a truncated or damaged archive)", name, rn);
    vm m = {.b = pk, .n = plen, .name = name, .e = e};
    pval *top = NULL;
    lc_status st = run(&m, &top);
    lc_tfile *f = NULL;
    if (!st && top->k != V_DICT)
        st = bad(&m, "its value is not a dictionary");
    if (!st) {
        f = calloc(1, sizeof *f);
        if (!f || !(f->t = calloc((size_t)(top->n / 2 + 1), sizeof *f->t)))
            st = lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", name);
    }
    for (int i = 0; !st && i + 1 < top->n; i += 2) {
        pval *k = top->items[i], *v = top->items[i + 1];
        if (k->k != V_STR || v->k != V_TENSOR) {
            st = bad(&m, "an entry that is not a name and a tensor");
            break;
        }
        lc_ttensor *t = &f->t[f->n];
        size_t es = lc_tdtype_size(v->dt);
        /* contiguous row-major within its storage */
        int64_t want = 1, numel = 1;
        int contiguous = 1;
        for (int d = v->ndim - 1; d >= 0; d--) {
            if (v->shape[d] != 1 && v->stride[d] != want)
                contiguous = 0;
            if (v->shape[d] > ((int64_t)1 << 40) / (want ? want : 1))
                contiguous = 0;
            want *= v->shape[d];
        }
        numel = want;
        if (!contiguous || v->off > v->st->numel || numel > v->st->numel - v->off) {
            st = lc_error_set(e, LC_ERR_DATA, "%s: tensor %s is not a contiguous slice of its storage (%lld values at %lld of %lld)",
                              name, k->s, (long long)numel, (long long)v->off, (long long)v->st->numel);
            break;
        }
        snprintf(rn, sizeof rn, "%s/data/%s", prefix, v->st->s);
        zip_uint64_t dlen = 0;
        unsigned char *data = read_record(z, rn, total, (zip_uint64_t)v->st->numel * es, &dlen);
        if (!data) {
            free(data);
            st = lc_error_set(e, LC_ERR_DATA, "%s: tensor %s: its storage %s is missing or not %lld values long",
                              name, k->s, rn, (long long)v->st->numel);
            break;
        }
        void *vals = malloc(numel ? (size_t)numel * es : 1);
        char *nm = malloc(strlen(k->s) + 1);
        if (!vals || !nm) {
            free(vals), free(nm), free(data);
            st = lc_error_set(e, LC_ERR_NOMEM, "%s: out of memory", name);
            break;
        }
        memcpy(vals, data + (size_t)v->off * es, (size_t)numel * es);
        free(data);
        strcpy(nm, k->s);
        t->name = nm;
        t->data = vals;
        t->dtype = v->dt;
        t->ndim = v->ndim;
        memcpy(t->shape, v->shape, sizeof t->shape);
        f->n++;
    }
    free_vals(&m);
    free(pk);
    if (st) {
        lc_tfile_free(f);
        return st;
    }
    *out = f;
    return LC_OK;
}

lc_status lc_torch_load(const char *path, lc_tfile **out, lc_error *e)
{
    *out = NULL;
    int code = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &code);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        lc_status st = lc_error_set(e, code == ZIP_ER_NOENT || code == ZIP_ER_OPEN ? LC_ERR_IO : LC_ERR_DATA,
                                    "%s: cannot open it as a PyTorch file (%s)", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return st;
    }
    struct stat sb;
    zip_uint64_t total = stat(path, &sb) == 0 && sb.st_size > 0 ? (zip_uint64_t)sb.st_size : 0;
    lc_status st = load_zip(z, path, total, out, e);
    zip_discard(z);
    return st;
}

lc_status lc_torch_load_mem(const void *buf, size_t n, const char *name, lc_tfile **out,
                            lc_error *e)
{
    *out = NULL;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(buf, n, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z) {
        lc_status st = lc_error_set(e, LC_ERR_DATA, "%s: not a zip archive (%s)", name, zip_error_strerror(&ze));
        if (src)
            zip_source_free(src);
        zip_error_fini(&ze);
        return st;
    }
    zip_error_fini(&ze);
    lc_status st = load_zip(z, name, (zip_uint64_t)n, out, e);
    zip_discard(z);
    return st;
}
