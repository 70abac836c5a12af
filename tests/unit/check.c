/* check.c - counters and the summary for check.h. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

int check_failures = 0;
int check_count = 0;

int check_exit(const char *name)
{
    if (check_count == 0) {
        fprintf(stderr, "%s: no checks ran\n", name);
        return 1;
    }
    fprintf(stderr, "%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

char *check_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = '\0';
            if (len)
                *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

int check_read_words(FILE *f, void *dst, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        unsigned char b[4];
        if (fread(b, 1, 4, f) != 4)
            return -1;
        uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                     (uint32_t)b[3] << 24;
        memcpy((char *)dst + 4 * k, &u, 4);
    }
    return 0;
}

float *check_read_f32(FILE *f, size_t n)
{
    float *a = malloc((n ? n : 1) * sizeof *a);
    if (a && check_read_words(f, a, n)) {
        free(a);
        a = NULL;
    }
    return a;
}

uint64_t check_fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}
