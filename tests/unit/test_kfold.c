/* test_kfold.c - lc_kfold_assign against scikit-learn's KFold(n_splits=k, shuffle=True,
 * random_state=seed), the splitter Ludwig's k-fold uses: the folds written by
 * tests/unit/kfold_check.py (Debian's python3-sklearn) for several sizes, fold counts and seeds
 * equal ours row for row, where it is installed; without it, the folds of n=10, k=3, seed 42
 * written down from sklearn 1.2.1. Each fold's size is n / k, the first n % k one more; k out of
 * range is refused. Run from the repository root. */
#include "check.h"
#include "lc_kfold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sizes_ok(const int *fold, size_t n, int k)
{
    size_t cnt[64] = {0};
    if (k > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (fold[i] < 0 || fold[i] >= k)
            return 0;
        cnt[fold[i]]++;
    }
    for (int f = 0; f < k; f++)
        if (cnt[f] != n / (size_t)k + ((size_t)f < n % (size_t)k))
            return 0;
    return 1;
}

int main(void)
{
    /* sklearn 1.2.1: KFold(3, shuffle=True, random_state=42).split(range(10)) tests rows
     * [0, 1, 5, 8], [2, 7, 9], [3, 4, 6]: the fold of each row */
    static const int want10[10] = {0, 0, 1, 2, 2, 0, 2, 1, 0, 1};
    int fold[10];
    lc_error e = {0};
    CHECK(lc_kfold_assign(10, 3, 42, fold, &e) == LC_OK);
    CHECK_MSG(memcmp(fold, want10, sizeof fold) == 0, "n=10 k=3 seed 42: %d %d %d %d %d %d %d %d %d %d",
              fold[0], fold[1], fold[2], fold[3], fold[4], fold[5], fold[6], fold[7], fold[8], fold[9]);
    CHECK(lc_kfold_assign(10, 1, 42, fold, &e) == LC_ERR_USAGE && strstr(e.msg, "--k_fold 1"));
    CHECK(lc_kfold_assign(3, 4, 42, fold, &e) == LC_ERR_USAGE);

    /* against sklearn itself, where it is installed */
    FILE *p = popen("/usr/bin/python3 tests/unit/kfold_check.py 2>/dev/null", "r");
    int cases = 0;
    char line[1 << 16];
    while (p && fgets(line, sizeof line, p)) {
        size_t n;
        int k;
        unsigned seed;
        int off = 0;
        if (sscanf(line, "%zu %d %u%n", &n, &k, &seed, &off) != 3 || n > 5000)
            break;
        int *got = malloc(n * sizeof *got);
        CHECK(got && lc_kfold_assign(n, k, seed, got, &e) == LC_OK);
        int same = got != NULL;
        const char *q = line + off;
        for (size_t i = 0; same && i < n; i++) {
            int v, used = 0;
            same = sscanf(q, "%d%n", &v, &used) == 1 && v == got[i];
            q += used;
        }
        CHECK_MSG(same, "n=%zu k=%d seed %u: the folds differ from sklearn's", n, k, seed);
        CHECK(got && sizes_ok(got, n, k));
        free(got);
        cases++;
    }
    int rc = p ? pclose(p) : -1;
    if (cases)
        printf("test_kfold: %d cases equal scikit-learn's KFold row for row\n", cases);
    else
        printf("test_kfold: scikit-learn is not installed (rc %d): the written-down case only\n", rc);
    return check_exit("test_kfold");
}
