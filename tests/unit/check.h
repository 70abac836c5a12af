/* check.h - the unit-test harness: CHECK macros count failures; main returns check_exit(). */
#ifndef CHECK_H
#define CHECK_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int check_failures;
extern int check_count;

#define CHECK(cond)                                                                         \
    do {                                                                                    \
        check_count++;                                                                      \
        if (!(cond)) {                                                                      \
            check_failures++;                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);        \
        }                                                                                   \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                \
    do {                                                                                    \
        check_count++;                                                                      \
        if (!(cond)) {                                                                      \
            check_failures++;                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);        \
            fprintf(stderr, __VA_ARGS__);                                                   \
            fputc('\n', stderr);                                                            \
        }                                                                                   \
    } while (0)

/* |a - b| <= atol + rtol * |b| */
#define CHECK_CLOSE(a, b, atol, rtol)                                                       \
    do {                                                                                    \
        double ca_ = (double)(a), cb_ = (double)(b);                                        \
        check_count++;                                                                      \
        if (!(fabs(ca_ - cb_) <= (atol) + (rtol) * fabs(cb_))) {                            \
            check_failures++;                                                               \
            fprintf(stderr, "%s:%d: CHECK_CLOSE failed: %s = %.9g vs %s = %.9g\n", __FILE__, \
                    __LINE__, #a, ca_, #b, cb_);                                            \
        }                                                                                   \
    } while (0)

/* The whole file, NUL-terminated (and its length in *len when len is not NULL); NULL when it
 * cannot be read. The caller frees it. */
char *check_slurp(const char *path, size_t *len);

/* Reads n little-endian 32-bit words (int32 or float32 values) from f into dst; 0 on success,
 * -1 when the file ends first. */
int check_read_words(FILE *f, void *dst, size_t n);
/* n float32 words from f in a new array (NULL at the end of the file or out of memory). */
float *check_read_f32(FILE *f, size_t n);

/* FNV-1a (64-bit) of n bytes: fixtures written down as hashes. */
uint64_t check_fnv1a(const uint8_t *p, size_t n);

/* Prints a summary line and returns the process exit status (non-zero on any failure). */
int check_exit(const char *name);

#endif
