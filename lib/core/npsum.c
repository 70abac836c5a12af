/* npsum.c - numpy's pairwise summation in float32 and float64 (lc_npsum.h): one body, written
 * once, instantiated for each element type. */
#include "lc_npsum.h"

#define LC_NP_PAIRWISE(name, T)                                                                \
    T name(const T *a, size_t n)                                                               \
    {                                                                                          \
        if (n < 8) {                                                                           \
            T r = 0;                                                                           \
            for (size_t i = 0; i < n; i++)                                                     \
                r += a[i];                                                                     \
            return r;                                                                          \
        }                                                                                      \
        if (n <= 128) {                                                                        \
            T r[8];                                                                            \
            size_t i;                                                                          \
            for (int j = 0; j < 8; j++)                                                        \
                r[j] = a[j];                                                                   \
            for (i = 8; i < n - n % 8; i += 8)                                                 \
                for (int j = 0; j < 8; j++)                                                    \
                    r[j] += a[i + (size_t)j];                                                  \
            T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));         \
            for (; i < n; i++)                                                                 \
                res += a[i];                                                                   \
            return res;                                                                        \
        }                                                                                      \
        size_t n2 = n / 2;                                                                     \
        n2 -= n2 % 8;                                                                          \
        return name(a, n2) + name(a + n2, n - n2);                                             \
    }

LC_NP_PAIRWISE(lc_np_pairwise_f32, float)
LC_NP_PAIRWISE(lc_np_pairwise_f64, double)
