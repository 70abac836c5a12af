/* lc_strtab.h - strings from untrusted files, handled in linear time: a hashed index for lookups
 * and duplicate checks (column names, mapping keys, labels), and UTF-8 validation.
 *
 * The index stores only hashes and positions: the strings stay in the caller's storage and are
 * fetched through a callback, so that storage may move (a growing arena, a reallocated array).
 * The hash is SipHash-1-3 under a key drawn per index from getrandom(), so a file crafted to
 * collide cannot make the lookups quadratic; the key only places slots and never changes a
 * result (nothing iterates the slots).
 * Thread safety: an index is used by one thread at a time; lookups (const) may be shared.
 */
#ifndef LC_STRTAB_H
#define LC_STRTAB_H

#include <stddef.h>
#include <stdint.h>

/* The NUL-terminated string at position i of the caller's storage ctx. */
typedef const char *(*lc_strtab_get)(const void *ctx, size_t i);

typedef struct lc_strtab_slot {
    uint64_t hash;
    size_t pos1; /* position + 1; 0 = empty */
} lc_strtab_slot;

typedef struct lc_strtab {
    lc_strtab_get get;
    const void *ctx;
    uint64_t k0, k1;      /* the hash key */
    lc_strtab_slot *slot; /* (cap) open addressing, linear probing, at most half full */
    size_t cap, n;
} lc_strtab;

/* An empty index over ctx (allocates nothing until the first add). */
void lc_strtab_init(lc_strtab *t, lc_strtab_get get, const void *ctx);
void lc_strtab_free(lc_strtab *t);
/* Adds position i (its string is get(ctx, i)) unless an equal string is indexed already:
 * returns 0 when added, 1 when not added because position *prev holds the same string,
 * -1 when out of memory. */
int lc_strtab_add(lc_strtab *t, size_t i, size_t *prev);
/* The indexed position whose string is s[0..len) (no NUL inside), or -1. */
long long lc_strtab_find(const lc_strtab *t, const char *s, size_t len);

/* A fresh hash key from getrandom() (from the addresses of the stack and of the code when the
 * kernel has no entropy yet), for a caller's own table of the same kind. */
void lc_hash_key(uint64_t *k0, uint64_t *k1);

/* SipHash with c compression and d finalization rounds (2, 4: SipHash-2-4 of the paper;
 * 1, 3: the index's) of p[0..n) under the key (k0, k1), bytes read little-endian. */
uint64_t lc_siphash(uint64_t k0, uint64_t k1, const void *p, size_t n, int c, int d);

/* Offset of the first byte of s[0..n) that does not start or continue a well-formed UTF-8
 * sequence (as Python's strict decoder judges: no overlong forms, no surrogates, nothing above
 * U+10FFFF, no truncated sequence), or n when all of it is UTF-8. */
size_t lc_utf8_invalid(const char *s, size_t n);

#endif
