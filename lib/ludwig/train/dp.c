/* dp.c - the fixed-order gradient tree of a data-parallel step (see lc_dp.h). */
#include "lc_dp.h"

#include <stdlib.h>
#include <string.h>

#include "lc_mem.h"

void lc_dp_groups_of(int G, int R, int r, int *g0, int *g1)
{
    *g0 = (int)((long)G * r / R);
    *g1 = (int)((long)G * (r + 1) / R);
}

int lc_dp_group_start(int B, int G, int g) { return (int)((long)B * g / G); }

int lc_dp_group_rows(int B, int G, int g)
{
    return lc_dp_group_start(B, G, g + 1) - lc_dp_group_start(B, G, g);
}

int lc_dp_shard_groups(int B, int G, int *groups)
{
    int n = 0;
    for (int g = 0; g < G; g++)
        if (lc_dp_group_rows(B, G, g) > 0)
            groups[n++] = g;
    return n;
}

static int log2i(int G)
{
    int k = 0;
    while ((1 << k) < G)
        k++;
    return k;
}

/* Sibling merge: the top two pending nodes are one subtree's halves when they have the same level
 * and the left one starts on a boundary of the parent's size. */
static int siblings(const int *lvl, const int *first, int top)
{
    return top >= 2 && lvl[top - 1] == lvl[top - 2] &&
           first[top - 2] % (2 << lvl[top - 2]) == 0;
}

static void add_into(float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = a[i] + b[i];
}

/* The subtrees rank r's leaves make (what its stack holds after its last push). */
static int subtrees_of(int G, int R, int r, int *lvl, int *first)
{
    int g0, g1, top = 0;
    lc_dp_groups_of(G, R, r, &g0, &g1);
    for (int g = g0; g < g1; g++) {
        lvl[top] = 0, first[top] = g, top++;
        while (siblings(lvl, first, top))
            lvl[top - 2]++, top--;
    }
    return top;
}

lc_status lc_dp_init(lc_dp *t, const lc_dist *dist, int G, size_t n, lc_error *e)
{
    memset(t, 0, sizeof *t);
    if (G < 1 || (G & (G - 1)) || log2i(G) >= LC_DP_MAX_LEVELS)
        return lc_error_set(e, LC_ERR_USAGE, "data-parallel groups: %d is not a power of two up to %d",
                            G, 1 << (LC_DP_MAX_LEVELS - 1));
    t->dist = dist;
    t->G = G;
    t->R = lc_dist_size(dist);
    t->rank = lc_dist_rank(dist);
    t->n = n;
    if (t->R > G) {
        lc_error_set(e, LC_ERR_USAGE, "%d MPI ranks, but a batch is split into %d groups: at most %d ranks can share it",
                     t->R, G, G);
        lc_error_hint(e, "start at most %d ranks, or set LUDWIG_C_DP_GROUPS to a power of two >= the ranks (it changes the results)", G);
        return LC_ERR_USAGE;
    }
    lc_dp_groups_of(G, t->R, t->rank, &t->g0, &t->g1);
    int lv[LC_DP_MAX_LEVELS + 1], fi[LC_DP_MAX_LEVELS + 1];
    size_t mine = (size_t)subtrees_of(G, t->R, t->rank, lv, fi);
    size_t nodes_all = 0;
    for (int q = 0; q < t->R; q++)
        nodes_all += (size_t)subtrees_of(G, t->R, q, lv, fi);
    size_t slice_max = n / (size_t)t->R + 1;
    t->nodes = lc_alloc(((size_t)log2i(G) + 2) * (n ? n : 1), sizeof(float));
    t->send = lc_alloc(mine * (n ? n : 1), sizeof(float));
    t->recv = lc_alloc(nodes_all * slice_max, sizeof(float));
    t->sbytes = calloc(3 * (size_t)t->R, sizeof *t->sbytes);
    if (!t->nodes || !t->send || !t->recv || !t->sbytes) {
        lc_dp_free(t);
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory for the data-parallel gradient tree (%zu parameters)", n);
    }
    t->rbytes = t->sbytes + t->R;
    t->gbytes = t->rbytes + t->R;
    return LC_OK;
}

void lc_dp_free(lc_dp *t)
{
    lc_free(t->nodes);
    lc_free(t->send);
    lc_free(t->recv);
    free(t->sbytes);
    memset(t, 0, sizeof *t);
}

void lc_dp_begin(lc_dp *t) { t->top = 0; }

float *lc_dp_leaf(lc_dp *t) { return t->nodes + (size_t)t->top * t->n; }

void lc_dp_push(lc_dp *t, int g)
{
    t->lvl[t->top] = 0, t->first[t->top] = g, t->top++;
    while (siblings(t->lvl, t->first, t->top)) {
        add_into(t->nodes + (size_t)(t->top - 2) * t->n, t->nodes + (size_t)(t->top - 1) * t->n,
                 t->n);
        t->lvl[t->top - 2]++, t->top--;
    }
}

static size_t slice_lo(size_t n, int R, int s) { return n * (size_t)s / (size_t)R; }

lc_status lc_dp_reduce(lc_dp *t, float *out, lc_error *e)
{
    const int R = t->R, me = t->rank;
    const size_t n = t->n;
    /* slice s of each of my subtrees to rank s */
    float *sp = t->send;
    for (int s = 0; s < R; s++) {
        size_t lo = slice_lo(n, R, s), len = slice_lo(n, R, s + 1) - lo;
        for (int j = 0; j < t->top; j++, sp += len)
            memcpy(sp, t->nodes + (size_t)j * n + lo, len * sizeof *sp);
        t->sbytes[s] = (size_t)t->top * len * sizeof(float);
    }
    size_t lo = slice_lo(n, R, me), len = slice_lo(n, R, me + 1) - lo;
    int lv[LC_DP_MAX_LEVELS + 1], fi[LC_DP_MAX_LEVELS + 1];
    for (int q = 0; q < R; q++)
        t->rbytes[q] = (size_t)subtrees_of(t->G, R, q, lv, fi) * len * sizeof(float);
    lc_status st = lc_dist_alltoallv(t->dist, t->send, t->sbytes, t->recv, t->rbytes, e);
    if (st)
        return st;
    /* finish the tree on my slice: the ranks' subtrees arrive in the tree's order */
    float *at[LC_DP_MAX_LEVELS + 2];
    int slv[LC_DP_MAX_LEVELS + 2], sfi[LC_DP_MAX_LEVELS + 2], top = 0;
    float *rp = t->recv;
    for (int q = 0; q < R; q++) {
        int k = subtrees_of(t->G, R, q, lv, fi);
        for (int j = 0; j < k; j++, rp += len) {
            at[top] = rp, slv[top] = lv[j], sfi[top] = fi[j], top++;
            while (siblings(slv, sfi, top)) {
                add_into(at[top - 2], at[top - 1], len);
                slv[top - 2]++, top--;
            }
        }
    }
    if (top != 1)
        return lc_error_set(e, LC_ERR_INTERNAL, "data-parallel tree: %d subtrees left", top);
    for (int s = 0; s < R; s++)
        t->gbytes[s] = (slice_lo(n, R, s + 1) - slice_lo(n, R, s)) * sizeof(float);
    return lc_dist_allgatherv(t->dist, at[0], out, t->gbytes, e);
}
