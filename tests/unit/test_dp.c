/* test_dp.c - the fixed-order gradient tree of a data-parallel step (lc_dp.h). One process's sum
 * of G leaves is bitwise the recursive pairwise sum (left + right) of the same leaves, which a
 * left-to-right sum of the same data is not; each rank's share of the groups (every R up to G,
 * forged in one process) leaves subtrees that are bitwise the reference tree's nodes and tile its
 * groups; empty groups are zero leaves; group sizes split a batch; bad group counts are refused.
 * The exchange between real ranks is tests/e2e/test_mpi.sh's. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lc_dp.h"
#include "lc_mem.h"

#define N 257

static float frand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    float u = (float)((*s >> 40) & 0xffffff) / 16777216.0f * 2.0f - 1.0f;
    int e = (int)((*s >> 20) % 24) - 12; /* magnitudes 2^-12 .. 2^11: sums that round */
    return ldexpf(u, e);
}

/* the reference: node [lo, lo + size) = left + right, element by element */
static void tree(float *const *leaf, int lo, int size, float *out)
{
    if (size == 1) {
        memcpy(out, leaf[lo], N * sizeof *out);
        return;
    }
    float r[N];
    tree(leaf, lo, size / 2, out);
    tree(leaf, lo + size / 2, size / 2, r);
    for (int i = 0; i < N; i++)
        out[i] = out[i] + r[i];
}

static void one_process(int G, uint64_t seed, int zero_from)
{
    float **leaf = malloc((size_t)G * sizeof *leaf);
    for (int g = 0; g < G; g++) {
        leaf[g] = malloc(N * sizeof(float));
        for (int i = 0; i < N; i++)
            leaf[g][i] = g >= zero_from ? 0.0f : frand(&seed);
    }
    lc_dp t;
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_dp_init(&t, NULL, G, N, &e) == LC_OK);
    CHECK(t.g0 == 0 && t.g1 == G);
    float *out = lc_alloc(N, sizeof *out), ref[N], seq[N];
    lc_dp_begin(&t);
    for (int g = 0; g < G; g++) {
        memcpy(lc_dp_leaf(&t), leaf[g], N * sizeof(float));
        lc_dp_push(&t, g);
    }
    CHECK(lc_dp_reduce(&t, out, &e) == LC_OK);
    tree(leaf, 0, G, ref);
    CHECK_MSG(memcmp(out, ref, sizeof ref) == 0, "G=%d: not the pairwise tree's bits", G);
    /* the order matters: a left-to-right sum of the same leaves differs somewhere */
    memset(seq, 0, sizeof seq);
    for (int g = 0; g < G; g++)
        for (int i = 0; i < N; i++)
            seq[i] = seq[i] + leaf[g][i];
    if (G >= 8 && zero_from >= G)
        CHECK_MSG(memcmp(seq, ref, sizeof ref) != 0, "G=%d: the test data does not round", G);

    /* every split into R ranks: each rank's subtrees are the reference's nodes */
    for (int R = 1; R <= G; R++) {
        int covered = 0;
        for (int q = 0; q < R; q++) {
            lc_dp s = t; /* the same buffers; forged rank q of R */
            s.R = R, s.rank = q;
            lc_dp_groups_of(G, R, q, &s.g0, &s.g1);
            lc_dp_begin(&s);
            for (int g = s.g0; g < s.g1; g++) {
                memcpy(lc_dp_leaf(&s), leaf[g], N * sizeof(float));
                lc_dp_push(&s, g);
            }
            int at = s.g0;
            for (int j = 0; j < s.top; j++) {
                int size = 1 << s.lvl[j];
                CHECK_MSG(s.first[j] == at && s.first[j] % size == 0,
                          "G=%d R=%d rank %d: subtree %d starts at %d", G, R, q, j, s.first[j]);
                tree(leaf, s.first[j], size, ref);
                CHECK_MSG(memcmp(s.nodes + (size_t)j * N, ref, sizeof ref) == 0,
                          "G=%d R=%d rank %d: subtree [%d, %d) differs from the tree's node", G, R,
                          q, s.first[j], s.first[j] + size);
                at += size;
            }
            CHECK(at == s.g1);
            covered += s.g1 - s.g0;
        }
        CHECK(covered == G);
    }
    lc_dp_free(&t);
    lc_free(out);
    for (int g = 0; g < G; g++)
        free(leaf[g]);
    free(leaf);
}

int main(void)
{
    one_process(1, 1, 1);
    one_process(2, 2, 2);
    one_process(16, 3, 16);
    one_process(16, 4, 11); /* a short last batch: groups 11..15 empty */
    one_process(32, 5, 32);

    /* a batch of B rows in G groups: sizes differ by at most one and add up to B */
    static const int Bs[] = {1, 7, 16, 50, 128, 1000};
    for (size_t k = 0; k < sizeof Bs / sizeof *Bs; k++) {
        int total = 0, lo = Bs[k], hi = 0;
        for (int g = 0; g < 16; g++) {
            int r = lc_dp_group_rows(Bs[k], 16, g);
            CHECK(lc_dp_group_start(Bs[k], 16, g) == total);
            total += r;
            lo = r < lo ? r : lo;
            hi = r > hi ? r : hi;
        }
        CHECK(total == Bs[k] && hi - lo <= 1);
    }

    lc_dp t;
    lc_error e;
    lc_error_clear(&e);
    CHECK(lc_dp_init(&t, NULL, 12, 10, &e) == LC_ERR_USAGE);
    CHECK(strstr(e.msg, "power of two") != NULL);
    CHECK(lc_dp_init(&t, NULL, 0, 10, &e) == LC_ERR_USAGE);
    return check_exit("test_dp");
}
