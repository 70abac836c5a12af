/* mem.c - overflow-checked, aligned allocation. */
#include "lc_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <pthread.h>
#include <sys/mman.h>
#endif

/* Blocks of at least LC_HUGE_MIN bytes (a model's arena, a layer's workspace) are aligned to 2 MiB
 * and offered to the kernel's transparent huge pages: the first touch of each faults a page in
 * 512 times less often (on this project's VMs a 4 KiB fault costs several microseconds: a
 * resnet18 arena of about 1 GiB took 2 s of faults). Where THP is off or unsupported the advice
 * is a no-op. On Linux they are mapped on their own (anonymous memory, zero until written), so
 * they are not zeroed here: a page is only ever touched by what uses it, and the parts a run
 * never uses (a workspace's backward buffers in predict, say) never become resident. */
#define LC_HUGE_PAGE ((size_t)2 << 20)
#ifndef LC_HUGE_MIN /* -D for an audit build: every block mapped, so a free() of one crashes */
#define LC_HUGE_MIN ((size_t)8 << 20)
#endif

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

#if defined(__linux__)
/* the blocks mapped on their own, so that lc_free unmaps them (a run holds a few dozen) */
#ifndef MAPPED_MAX
#define MAPPED_MAX 256
#endif
static struct {
    void *p;
    size_t n;
} mapped[MAPPED_MAX];
static int nmapped;
static pthread_mutex_t mapped_lock = PTHREAD_MUTEX_INITIALIZER;

/* rounded bytes (a multiple of LC_HUGE_PAGE), 2 MiB-aligned, zero; NULL when no mapping or no
 * slot to record it (the caller then allocates from the heap) */
static void *map_block(size_t rounded)
{
    if (rounded > SIZE_MAX - LC_HUGE_PAGE)
        return NULL;
    size_t len = rounded + LC_HUGE_PAGE;
    char *q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED)
        return NULL;
    char *a = (char *)(((uintptr_t)q + LC_HUGE_PAGE - 1) & ~(uintptr_t)(LC_HUGE_PAGE - 1));
    if (a > q)
        munmap(q, (size_t)(a - q));
    if (q + len > a + rounded)
        munmap(a + rounded, (size_t)(q + len - (a + rounded)));
#if defined(MADV_HUGEPAGE)
    (void)madvise(a, rounded, MADV_HUGEPAGE);
#endif
    pthread_mutex_lock(&mapped_lock);
    int ok = nmapped < MAPPED_MAX;
    if (ok) {
        mapped[nmapped].p = a;
        mapped[nmapped].n = rounded;
        nmapped++;
    }
    pthread_mutex_unlock(&mapped_lock);
    if (!ok) {
        munmap(a, rounded);
        return NULL;
    }
    return a;
}

/* unmaps p when map_block made it; returns 0 when it did not */
static int unmap_block(void *p)
{
    size_t n = 0;
    pthread_mutex_lock(&mapped_lock);
    for (int i = 0; i < nmapped; i++)
        if (mapped[i].p == p) {
            n = mapped[i].n;
            mapped[i] = mapped[--nmapped];
            break;
        }
    pthread_mutex_unlock(&mapped_lock);
    if (n)
        munmap(p, n);
    return n != 0;
}
#endif

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
    size_t align = LC_ALIGN;
    if (rounded >= LC_HUGE_MIN) {
        if (rounded > SIZE_MAX - LC_HUGE_PAGE)
            return NULL;
        align = LC_HUGE_PAGE;
        rounded = (rounded + LC_HUGE_PAGE - 1) & ~(LC_HUGE_PAGE - 1);
#if defined(__linux__)
        void *m = map_block(rounded);
        if (m)
            return m;
#endif
    }
    void *p = aligned_alloc(align, rounded);
    if (!p)
        return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == LC_HUGE_PAGE)
        (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
    memset(p, 0, rounded);
    return p;
}

void lc_free(void *p)
{
#if defined(__linux__)
    if (p && unmap_block(p))
        return;
#endif
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
