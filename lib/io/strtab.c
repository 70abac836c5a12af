/* strtab.c - the hashed string index, SipHash and the UTF-8 check of lc_strtab.h. The strings
 * themselves, and what a duplicate or an invalid byte means, are the callers'. */
#include "lc_strtab.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lc_mem.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = ROTL(v[1], 13);
    v[1] ^= v[0];
    v[0] = ROTL(v[0], 32);
    v[2] += v[3];
    v[3] = ROTL(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = ROTL(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = ROTL(v[1], 17);
    v[1] ^= v[2];
    v[2] = ROTL(v[2], 32);
}

uint64_t lc_siphash(uint64_t k0, uint64_t k1, const void *p, size_t n, int c, int d)
{
    const unsigned char *in = p;
    uint64_t v[4] = {0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1,
                     0x6c7967656e657261ULL ^ k0, 0x7465646279746573ULL ^ k1};
    size_t full = n & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = 0;
        for (int b = 7; b >= 0; b--)
            m = m << 8 | in[i + (size_t)b];
        v[3] ^= m;
        for (int r = 0; r < c; r++)
            sip_round(v);
        v[0] ^= m;
    }
    uint64_t m = (uint64_t)n << 56;
    for (size_t b = n - full; b > 0; b--)
        m |= (uint64_t)in[full + b - 1] << (8 * (b - 1));
    v[3] ^= m;
    for (int r = 0; r < c; r++)
        sip_round(v);
    v[0] ^= m;
    v[2] ^= 0xff;
    for (int r = 0; r < d; r++)
        sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

void lc_strtab_init(lc_strtab *t, lc_strtab_get get, const void *ctx)
{
    memset(t, 0, sizeof *t);
    t->get = get;
    t->ctx = ctx;
}

void lc_hash_key(uint64_t *k0, uint64_t *k1)
{
    uint64_t k[2];
    if (getrandom(k, sizeof k, GRND_NONBLOCK) != (ssize_t)sizeof k) {
        /* no entropy yet (early boot): the addresses still differ from run to run (ASLR) */
        k[0] = (uint64_t)(uintptr_t)&k ^ 0x9e3779b97f4a7c15ULL;
        k[1] = (uint64_t)(uintptr_t)lc_hash_key ^ 0xc2b2ae3d27d4eb4fULL;
    }
    *k0 = k[0];
    *k1 = k[1];
}

void lc_strtab_free(lc_strtab *t)
{
    free(t->slot);
    t->slot = NULL;
    t->cap = t->n = 0;
}

static uint64_t str_hash(const lc_strtab *t, const char *s, size_t len)
{
    return lc_siphash(t->k0, t->k1, s, len, 1, 3);
}

/* Doubles the slots (or makes the first 16), placing every entry again by its stored hash. */
static int grow(lc_strtab *t)
{
    size_t cap = t->cap ? t->cap * 2 : 16;
    if (cap < t->cap)
        return -1;
    lc_strtab_slot *s = lc_realloc_array(NULL, cap, sizeof *s);
    if (!s)
        return -1;
    memset(s, 0, cap * sizeof *s);
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slot[i].pos1)
            continue;
        size_t p = (size_t)t->slot[i].hash & (cap - 1);
        while (s[p].pos1)
            p = (p + 1) & (cap - 1);
        s[p] = t->slot[i];
    }
    free(t->slot);
    t->slot = s;
    if (!t->cap) /* the key, drawn with the first slots: an index left empty costs no syscall */
        lc_hash_key(&t->k0, &t->k1);
    t->cap = cap;
    return 0;
}

/* The slot holding s[0..len) (hash h), or the empty slot where it would go. */
static size_t probe(const lc_strtab *t, const char *s, size_t len, uint64_t h)
{
    size_t p = (size_t)h & (t->cap - 1);
    for (; t->slot[p].pos1; p = (p + 1) & (t->cap - 1)) {
        if (t->slot[p].hash != h)
            continue;
        const char *o = t->get(t->ctx, t->slot[p].pos1 - 1);
        if (strncmp(o, s, len) == 0 && o[len] == '\0')
            break;
    }
    return p;
}

int lc_strtab_add(lc_strtab *t, size_t i, size_t *prev)
{
    if (2 * (t->n + 1) > t->cap && grow(t))
        return -1;
    const char *s = t->get(t->ctx, i);
    size_t len = strlen(s);
    uint64_t h = str_hash(t, s, len);
    size_t p = probe(t, s, len, h);
    if (t->slot[p].pos1) {
        if (prev)
            *prev = t->slot[p].pos1 - 1;
        return 1;
    }
    t->slot[p].hash = h;
    t->slot[p].pos1 = i + 1;
    t->n++;
    return 0;
}

long long lc_strtab_find(const lc_strtab *t, const char *s, size_t len)
{
    if (!t->n)
        return -1;
    size_t p = probe(t, s, len, str_hash(t, s, len));
    return t->slot[p].pos1 ? (long long)(t->slot[p].pos1 - 1) : -1;
}

size_t lc_utf8_invalid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        /* eight ASCII bytes at a time */
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xbf; /* the allowed range of the second byte (Unicode table 3-7) */
        if (c >= 0xc2 && c <= 0xdf)
            need = 1;
        else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0)
                lo = 0xa0; /* overlong */
            else if (c == 0xed)
                hi = 0x9f; /* surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0)
                lo = 0x90; /* overlong */
            else if (c == 0xf4)
                hi = 0x8f; /* above U+10FFFF */
        } else
            return i;
        if (n - i <= need || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
        i += need + 1;
    }
    return n;
}
