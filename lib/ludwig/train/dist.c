/* dist.c - the processes of a data-parallel run (see lc_dist.h): thin wrappers over MPI's
 * byte-moving collectives when built with LC_HAVE_MPI, plain copies for one process. */
#include "lc_dist.h"
#include "lc_train.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#ifdef LC_HAVE_MPI
#include <mpi.h>
#endif

struct lc_dist {
    int rank, size;
    int failed_together; /* an error all ranks hold (lc_dist_agree) */
    lc_dist_stats stats;
};

int lc_dist_compiled(void)
{
#ifdef LC_HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

int lc_dist_launched_size(void)
{
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end == '\0' && n >= 1 && n <= INT_MAX)
                return (int)n;
        }
    }
    return 0;
}

lc_status lc_dist_init(lc_dist **out, lc_error *e)
{
    *out = NULL;
    int launched = lc_dist_launched_size();
    if (!launched)
        return LC_OK;
#ifdef LC_HAVE_MPI
    int provided = 0, flag = 0;
    MPI_Initialized(&flag);
    if (!flag && MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return lc_error_set(e, LC_ERR_IO, "MPI_Init_thread failed: cannot join the MPI launcher's processes");
    lc_dist *d = calloc(1, sizeof *d);
    if (!d)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    MPI_Comm_rank(MPI_COMM_WORLD, &d->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &d->size);
    *out = d;
    return LC_OK;
#else
    if (launched == 1)
        return LC_OK;
    lc_error_set(e, LC_ERR_USAGE,
                 "started by an MPI launcher as one of %d processes, but this ludwig-c was built without MPI: each would train alone",
                 launched);
    lc_error_hint(e, "install libopenmpi-dev and rebuild (make; `ludwig-c version` says mpi: yes), or run one process with --threads");
    return LC_ERR_USAGE;
#endif
}

void lc_dist_finalize(lc_dist *d)
{
    if (!d)
        return;
#ifdef LC_HAVE_MPI
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin)
        MPI_Finalize();
#endif
    free(d);
}

void lc_dist_abort(const lc_dist *d, int code)
{
    if (!d)
        return;
#ifdef LC_HAVE_MPI
    MPI_Abort(MPI_COMM_WORLD, code);
#else
    (void)code;
#endif
}

int lc_dist_rank(const lc_dist *d) { return d ? d->rank : 0; }
int lc_dist_size(const lc_dist *d) { return d ? d->size : 1; }

lc_dist_stats lc_dist_get_stats(const lc_dist *d)
{
    lc_dist_stats s = {0};
    return d ? d->stats : s;
}

#ifdef LC_HAVE_MPI
/* byte counts and displacements as MPI's ints; an error when a part or the whole does not fit */
static lc_status int_counts(const size_t *bytes, int n, int *cnt, int *disp, const char *what,
                            lc_error *e)
{
    size_t at = 0;
    for (int r = 0; r < n; r++) {
        if (bytes[r] > INT_MAX || at > INT_MAX)
            return lc_error_set(e, LC_ERR_NOMEM, "%s: %zu bytes at rank %d is more than one MPI call moves",
                                what, bytes[r], r);
        cnt[r] = (int)bytes[r];
        disp[r] = (int)at;
        at += bytes[r];
    }
    return LC_OK;
}

/* After a collective started at t0: its cost into the stats, and its error (rc) as ours. */
static lc_status mpi_done(const lc_dist *d, double t0, uint64_t sent, uint64_t received, int rc,
                          const char *what, lc_error *e)
{
    lc_dist *w = (lc_dist *)d; /* the stats are bookkeeping, not the communicator's state */
    w->stats.seconds += lc_now_s() - t0;
    w->stats.calls++;
    w->stats.bytes_sent += sent;
    w->stats.bytes_received += received;
    if (rc == MPI_SUCCESS)
        return LC_OK;
    char msg[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    return lc_error_set(e, LC_ERR_IO, "%s failed between the MPI ranks: %s", what, msg);
}
#endif

lc_status lc_dist_allgatherv(const lc_dist *d, const void *mine, void *all, const size_t *bytes,
                             lc_error *e)
{
    if (!d || d->size == 1) {
        if (bytes[0] && all != mine)
            memmove(all, mine, bytes[0]);
        return LC_OK;
    }
#ifdef LC_HAVE_MPI
    int *cnt = malloc(2 * (size_t)d->size * sizeof *cnt);
    if (!cnt)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_status st = int_counts(bytes, d->size, cnt, cnt + d->size, "allgather", e);
    if (!st) {
        uint64_t in = 0;
        for (int r = 0; r < d->size; r++)
            in += r != d->rank ? bytes[r] : 0;
        double t = lc_now_s();
        int rc = MPI_Allgatherv(mine, cnt[d->rank], MPI_BYTE, all, cnt, cnt + d->size, MPI_BYTE,
                                MPI_COMM_WORLD);
        st = mpi_done(d, t, (uint64_t)(d->size - 1) * bytes[d->rank], in, rc, "MPI_Allgatherv", e);
    }
    free(cnt);
    return st;
#else
    return lc_error_set(e, LC_ERR_INTERNAL, "a collective of %d ranks without MPI", d->size);
#endif
}

lc_status lc_dist_allgather(const lc_dist *d, const void *mine, void *all, size_t bytes,
                            lc_error *e)
{
    int n = lc_dist_size(d);
    size_t *each = malloc((size_t)n * sizeof *each);
    if (!each)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    for (int q = 0; q < n; q++)
        each[q] = bytes;
    lc_status st = lc_dist_allgatherv(d, mine, all, each, e);
    free(each);
    return st;
}

lc_status lc_dist_alltoallv(const lc_dist *d, const void *send, const size_t *sbytes, void *recv,
                            const size_t *rbytes, lc_error *e)
{
    if (!d || d->size == 1) {
        if (sbytes[0] != rbytes[0])
            return lc_error_set(e, LC_ERR_INTERNAL, "alltoall: %zu bytes sent, %zu expected",
                                sbytes[0], rbytes[0]);
        if (sbytes[0] && recv != send)
            memmove(recv, send, sbytes[0]);
        return LC_OK;
    }
#ifdef LC_HAVE_MPI
    int *cnt = malloc(4 * (size_t)d->size * sizeof *cnt);
    if (!cnt)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    int *sc = cnt, *sd = cnt + d->size, *rc_ = cnt + 2 * d->size, *rd = cnt + 3 * d->size;
    lc_status st = int_counts(sbytes, d->size, sc, sd, "alltoall", e);
    if (!st)
        st = int_counts(rbytes, d->size, rc_, rd, "alltoall", e);
    if (!st) {
        uint64_t out = 0, in = 0;
        for (int r = 0; r < d->size; r++)
            if (r != d->rank)
                out += sbytes[r], in += rbytes[r];
        double t = lc_now_s();
        int rc = MPI_Alltoallv(send, sc, sd, MPI_BYTE, recv, rc_, rd, MPI_BYTE, MPI_COMM_WORLD);
        st = mpi_done(d, t, out, in, rc, "MPI_Alltoallv", e);
    }
    free(cnt);
    return st;
#else
    return lc_error_set(e, LC_ERR_INTERNAL, "a collective of %d ranks without MPI", d->size);
#endif
}

lc_status lc_dist_bcast(const lc_dist *d, void *buf, size_t bytes, int root, lc_error *e)
{
    if (!d || d->size == 1)
        return LC_OK;
#ifdef LC_HAVE_MPI
    if (bytes > INT_MAX)
        return lc_error_set(e, LC_ERR_NOMEM, "broadcast: %zu bytes is more than one MPI call moves", bytes);
    double t = lc_now_s();
    int rc = MPI_Bcast(buf, (int)bytes, MPI_BYTE, root, MPI_COMM_WORLD);
    return mpi_done(d, t, d->rank == root ? bytes : 0, d->rank == root ? 0 : bytes, rc,
                    "MPI_Bcast", e);
#else
    (void)buf, (void)bytes, (void)root;
    return lc_error_set(e, LC_ERR_INTERNAL, "a collective of %d ranks without MPI", d->size);
#endif
}

lc_status lc_dist_agree(const lc_dist *d, lc_status st, lc_error *e)
{
    if (!d || d->size == 1)
        return st;
    lc_error *all = calloc((size_t)d->size, sizeof *all);
    lc_error mine;
    lc_error_clear(&mine);
    if (st) {
        mine = *e;
        mine.status = st;
    }
    if (!all)
        return lc_error_set(e, LC_ERR_NOMEM, "out of memory");
    lc_error ce;
    lc_error_clear(&ce);
    lc_status cst = lc_dist_allgather(d, &mine, all, sizeof mine, &ce);
    int first = -1;
    for (int q = 0; !cst && q < d->size && first < 0; q++)
        if (all[q].status != LC_OK)
            first = q;
    if (cst) {
        *e = ce;
        st = cst;
    } else if (first >= 0) {
        lc_error_clear(e);
        if (first == 0)
            lc_error_set(e, all[0].status, "%s", all[0].msg);
        else
            lc_error_set(e, all[first].status, "MPI rank %d: %s", first, all[first].msg);
        if (all[first].hint[0])
            lc_error_hint(e, "%s", all[first].hint);
        st = all[first].status;
        ((lc_dist *)d)->failed_together = 1;
    }
    free(all);
    return st;
}

int lc_dist_failed_together(const lc_dist *d) { return d ? d->failed_together : 0; }
