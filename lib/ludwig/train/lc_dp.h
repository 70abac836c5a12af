/* lc_dp.h - data parallelism with results that do not depend on the number of processes.
 *
 * A data-parallel step (backend horovod) splits its batch into G groups (G a power of two, the
 * same for every run that is to give the same bits; LC_DP_GROUPS by default), group g taking
 * its rows from its own shard of the training rows (lc_dp_shard_groups). Each group runs
 * forward and backward as a batch of its own; its gradient, scaled by its share of the batch, is
 * a leaf of one fixed binary tree of G leaves, and the step's gradient is that tree's sum (each
 * inner node = left + right, element by element). Rank r of R computes the groups
 * [G r / R, G (r+1) / R) and sums its leaves into the tree's largest aligned subtrees inside its
 * range; the ranks then finish the tree slice by slice (a reduce-scatter: rank s adds up slice s
 * of every rank's subtrees in the tree's order) and gather the slices. Every node is the same
 * sum of the same leaves whichever rank computes it, so the step's gradient has the same bits for
 * any R <= G and any thread count, including one process alone (R = 1). Bytes moved per step and
 * rank: about 2 (R-1)/R of the gradient when R divides G, as a ring allreduce moves. */
#ifndef LC_DP_H
#define LC_DP_H

#include <stddef.h>

#include "lc_dist.h"
#include "lc_error.h"

#define LC_DP_GROUPS 16
#define LC_DP_MAX_LEVELS 16 /* G up to 2^15 */

typedef struct lc_dp {
    const lc_dist *dist;
    int G, R, rank, g0, g1; /* this rank computes groups [g0, g1) */
    size_t n;               /* floats in one gradient */
    float *nodes;           /* (LC_DP_MAX_LEVELS + 1, n): the pending subtrees, then a leaf */
    int lvl[LC_DP_MAX_LEVELS + 1], first[LC_DP_MAX_LEVELS + 1], top;
    float *send, *recv;     /* the reduce-scatter's buffers */
    size_t *sbytes, *rbytes, *gbytes;
} lc_dp;

/* Groups [*g0, *g1) of rank r of R. */
void lc_dp_groups_of(int G, int R, int r, int *g0, int *g1);
/* Sizes of group g of a batch of B rows split G ways (they differ by at most one). */
int lc_dp_group_rows(int B, int G, int g);
int lc_dp_group_start(int B, int G, int g);

/* The training rows' shards: the split's rows (in file order) are dealt in turn to the groups
 * that get rows in a batch of B (all G when B >= G); group g's rows of a step come from its
 * shard, so a rank trains on its groups' shards only. Fills groups[] with those groups in order
 * and returns their number; training position i belongs to groups[i % count]. */
int lc_dp_shard_groups(int B, int G, int *groups);

lc_status lc_dp_init(lc_dp *t, const lc_dist *dist, int G, size_t n, lc_error *e);
void lc_dp_free(lc_dp *t);

/* A step: lc_dp_begin, then for each of this rank's groups in order, fill lc_dp_leaf(t) with its
 * (scaled) gradient and lc_dp_push(t, g); then lc_dp_reduce. */
void lc_dp_begin(lc_dp *t);
float *lc_dp_leaf(lc_dp *t);
void lc_dp_push(lc_dp *t, int g);
/* The tree's sum into out (n floats) on every rank. */
lc_status lc_dp_reduce(lc_dp *t, float *out, lc_error *e);

#endif
