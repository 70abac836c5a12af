/* lc_mem.h - the one allocation helper: overflow-checked sizes, 64-byte aligned, zero-filled.
 * Everything in lib/ allocates through here so a size overflow is a clean LC_ERR_NOMEM, never a
 * short buffer. */
#ifndef LC_MEM_H
#define LC_MEM_H

#include <stddef.h>
#include <stdint.h>

#define LC_ALIGN 64

/* n floats rounded up to whole 64-byte lines (16 floats): parts of a workspace laid out one
 * after another this way all stay LC_ALIGN-aligned. */
static inline size_t lc_round16(size_t n) { return (n + 15) & ~(size_t)15; }

/* *out = a * b; returns 0 on success, -1 on overflow. */
int lc_size_mul(size_t a, size_t b, size_t *out);
/* *out = a + b; returns 0 on success, -1 on overflow. */
int lc_size_add(size_t a, size_t b, size_t *out);

/* n * size bytes, 64-byte aligned, zeroed; NULL on overflow or failure. Free with lc_free. */
void *lc_alloc(size_t n, size_t size);
void lc_free(void *p);

/* Plain (unaligned) growable helpers for small bookkeeping: realloc to n * size, NULL on overflow. */
void *lc_realloc_array(void *p, size_t n, size_t size);

/* strdup that returns NULL on failure (never aborts). */
char *lc_strdup(const char *s);
char *lc_strndup(const char *s, size_t n);

#endif
