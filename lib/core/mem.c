/* mem.c - overflow-checked, aligned allocation. */
#include "lc_mem.h"

#include <stdlib.h>
#include <string.h>

int lc_size_mul(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

int lc_size_add(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a)
        return -1;
    *out = a + b;
    return 0;
}

void *lc_alloc(size_t n, size_t size)
{
    size_t bytes;
    if (lc_size_mul(n, size, &bytes) != 0)
        return NULL;
    if (bytes == 0)
        bytes = LC_ALIGN;
    size_t rounded;
    if (lc_size_add(bytes, LC_ALIGN - 1, &rounded) != 0)
        return NULL;
    rounded &= ~(size_t)(LC_ALIGN - 1);
    void *p = aligned_alloc(LC_ALIGN, rounded);
    if (p)
        memset(p, 0, rounded);
    return p;
}

void lc_free(void *p)
{
    free(p);
}

void *lc_realloc_array(void *p, size_t n, size_t size)
{
    size_t bytes;
    if (lc_size_mul(n, size, &bytes) != 0)
        return NULL;
    return realloc(p, bytes ? bytes : 1);
}

char *lc_strdup(const char *s)
{
    return lc_strndup(s, strlen(s));
}

char *lc_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}
