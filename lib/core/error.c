/* error.c - the error context: first failure wins, optional hint, contextual prefixes. */
#include "lc_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lc_error_clear(lc_error *e)
{
    if (!e)
        return;
    e->status = LC_OK;
    e->msg[0] = '\0';
    e->hint[0] = '\0';
}

/* A message longer than the buffer (a very long path in it) keeps its beginning and its end,
 * which says what went wrong, with " ... " between, cut on UTF-8 character boundaries. */
static void fit_message(char *dst, size_t cap, const char *src, size_t n)
{
    if (n < cap) {
        memcpy(dst, src, n + 1);
        return;
    }
    static const char gap[] = " ... ";
    size_t head = (cap - sizeof gap) / 3, tail = cap - sizeof gap - head;
    while (head > 0 && ((unsigned char)src[head] & 0xC0) == 0x80)
        head--;
    const char *t = src + n - tail;
    while (*t && ((unsigned char)*t & 0xC0) == 0x80)
        t++;
    snprintf(dst, cap, "%.*s%s%s", (int)head, src, gap, t);
}

lc_status lc_error_set(lc_error *e, lc_status st, const char *fmt, ...)
{
    if (!e || e->status != LC_OK)
        return st;
    e->status = st;
    va_list ap;
    va_start(ap, fmt);
    char *full = NULL;
    int n = vasprintf(&full, fmt, ap);
    va_end(ap);
    if (n < 0 || !full) { /* no memory for the whole: what fits */
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        return st;
    }
    fit_message(e->msg, sizeof e->msg, full, (size_t)n);
    free(full);
    return st;
}

void lc_error_hint(lc_error *e, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof e->hint, fmt, ap);
    va_end(ap);
}

void lc_error_prefix(lc_error *e, const char *fmt, ...)
{
    if (!e || e->status == LC_OK)
        return;
    char pre[512], old[LC_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    char both[sizeof pre + sizeof old];
    int n = snprintf(both, sizeof both, "%s%s", pre, old);
    fit_message(e->msg, sizeof e->msg, both, n < 0 ? 0 : (size_t)n);
}

const char *lc_status_name(lc_status st)
{
    switch (st) {
    case LC_OK: return "ok";
    case LC_ERR_USAGE: return "usage";
    case LC_ERR_CONFIG: return "config";
    case LC_ERR_DATA: return "data";
    case LC_ERR_IO: return "io";
    case LC_ERR_NOMEM: return "out of memory";
    case LC_ERR_DIVERGED: return "diverged";
    case LC_ERR_INTERRUPTED: return "interrupted";
    case LC_ERR_INTERNAL: return "internal";
    }
    return "unknown";
}
