/* test_npgen.c - lc_npgen against numpy's np.random.default_rng: the draws tests/unit/npgen_check.py
 * (Debian's python3-numpy) writes for 8 seeds (one word, two words, 2^63 - 1) and a script of
 * random, uniform, integers (32- and 64-bit ranges, negative bounds) and normal calls, where numpy
 * is installed. random, uniform and integers must be equal bit for bit; normal within 1e-12 (the
 * ziggurat's tables are built here, numpy ships its own). Without numpy, the first draws of seed
 * 42 written down from numpy 1.24 (Ray Tune's first learning rates in upstream's
 * temperature_hyperopt_statistics.json are 0.0001 + 0.0999 times these). Run from the repository
 * root. */
#include "check.h"
#include "lc_npgen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    lc_npgen g;
    lc_npgen_seed(&g, 42);
    double r0 = lc_npgen_random(&g);
    double r1 = lc_npgen_random(&g);
    CHECK_MSG(r0 == 0.7739560485559633 && r1 == 0.4388784397520523, "seed 42: %.17g %.17g", r0, r1);
    lc_npgen_seed(&g, 42);
    int64_t a = lc_npgen_integers(&g, 5, 10);
    int64_t b = lc_npgen_integers(&g, 0, 3);
    int64_t c = lc_npgen_integers(&g, 0, 4);
    CHECK_MSG(a == 5 && b == 2 && c == 2, "seed 42 integers: %lld %lld %lld", (long long)a,
              (long long)b, (long long)c);
    CHECK(lc_npgen_integers(&g, 3, 4) == 3 && lc_npgen_integers(&g, 3, 3) == 3);

    FILE *p = popen("/usr/bin/python3 tests/unit/npgen_check.py 2>/dev/null", "r");
    char line[512];
    unsigned long long cur = ~0ULL;
    long n = 0, bad = 0;
    double worst = 0;
    while (p && fgets(line, sizeof line, p)) {
        unsigned long long seed;
        char op[16], sa[64], sb[64], sv[64];
        if (sscanf(line, "%llu %15s %63s %63s %63s", &seed, op, sa, sb, sv) != 5)
            break;
        if (seed != cur) {
            lc_npgen_seed(&g, seed);
            cur = seed;
        }
        int ok;
        if (strcmp(op, "integers") == 0) {
            long long got = lc_npgen_integers(&g, strtoll(sa, NULL, 10), strtoll(sb, NULL, 10));
            ok = got == strtoll(sv, NULL, 10);
        } else {
            double want = strtod(sv, NULL), got;
            if (strcmp(op, "random") == 0)
                got = lc_npgen_random(&g);
            else if (strcmp(op, "uniform") == 0)
                got = lc_npgen_uniform(&g, strtod(sa, NULL), strtod(sb, NULL));
            else
                got = lc_npgen_normal(&g, strtod(sa, NULL), strtod(sb, NULL));
            if (strcmp(op, "normal") == 0) {
                double d = fabs(got - want) / (fabs(want) > 1 ? fabs(want) : 1);
                worst = d > worst ? d : worst;
                ok = d <= 1e-12;
            } else {
                ok = got == want;
            }
        }
        if (!ok && bad++ < 5)
            CHECK_MSG(0, "draw %ld (seed %llu, %s %s %s): numpy gave %s", n, seed, op, sa, sb, sv);
        n++;
    }
    int rc = p ? pclose(p) : -1;
    CHECK(bad == 0);
    if (n)
        printf("test_npgen: %ld draws equal numpy's default_rng (normal within %.1e)\n", n, worst);
    else
        printf("test_npgen: numpy is not installed (rc %d): the written-down draws only\n", rc);
    return check_exit("test_npgen");
}
