/* lc_dist.h - the processes of a data-parallel run (backend horovod): MPI ranks when ludwig-c is
 * built with OpenMPI (LC_HAVE_MPI) and started by an MPI launcher (mpirun, srun), otherwise one
 * process. A NULL lc_dist is that one process: rank 0 of 1, every collective a copy.
 *
 * Collectives move bytes only and never add: every sum of a data-parallel run is computed by
 * lc_dp.h in one fixed order from exchanged parts, so the results do not depend on the number of
 * ranks. Every rank calls each collective with the same sizes. A failing MPI call returns an
 * error naming it; a rank that dies is the launcher's to report (mpirun ends the others). */
#ifndef LC_DIST_H
#define LC_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "lc_error.h"

#include "ludwig_c.h" /* lc_dist, lc_dist_init, _finalize, _abort, _rank, _size, _compiled */

/* lc_dist_launched_size reads the launcher's environment (Open MPI's OMPI_COMM_WORLD_SIZE,
 * PMI/PMIx's PMI_SIZE). lc_dist_init joins the processes (MPI_Init_thread, funneled: only the
 * calling thread talks) and is an error for a binary built without MPI (each process would
 * train alone and write the same outputs). */

/* all = the ranks' parts in rank order; bytes[r] is rank r's part size (the same array on every
 * rank), mine is this rank's part. */
lc_status lc_dist_allgatherv(const lc_dist *d, const void *mine, void *all, const size_t *bytes,
                             lc_error *e);
/* The same with every part bytes long. */
lc_status lc_dist_allgather(const lc_dist *d, const void *mine, void *all, size_t bytes,
                            lc_error *e);
/* Sends send's part r (sbytes[r] bytes, in rank order) to rank r; recv gets rank q's part for this
 * rank at its place in rank order (rbytes[q] bytes). */
lc_status lc_dist_alltoallv(const lc_dist *d, const void *send, const size_t *sbytes, void *recv,
                            const size_t *rbytes, lc_error *e);
/* Rank root's bytes to every rank. */
lc_status lc_dist_bcast(const lc_dist *d, void *buf, size_t bytes, int root, lc_error *e);

/* Every rank's status after a stage some rank may fail alone (reading, decoding, writing): when
 * any failed, every rank returns the lowest failing rank's error (its message prefixed with the
 * rank when not 0) and lc_dist_failed_together says so; else st (LC_OK). */
lc_status lc_dist_agree(const lc_dist *d, lc_status st, lc_error *e);

/* What the collectives cost this process: bytes sent and received, seconds spent in them. */
typedef struct lc_dist_stats {
    uint64_t bytes_sent, bytes_received, calls;
    double seconds;
} lc_dist_stats;
lc_dist_stats lc_dist_get_stats(const lc_dist *d);

#endif
