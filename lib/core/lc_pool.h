/* lc_pool.h - the one thread pool used by every hot loop.
 *
 * lc_pool_run(p, ntasks, fn, ctx) calls fn(ctx, task, thread) once for every task in [0, ntasks)
 * and returns when all are done. Tasks are handed out dynamically, so a task must write only its
 * own outputs: determinism comes from callers fixing the task split independently of the thread
 * count, never from which thread ran what. `thread` in [0, lc_pool_threads(p)) indexes per-thread
 * scratch. The calling thread works too. A NULL pool runs everything inline on thread 0. At most
 * min(threads, lc_cpu_count()) threads work on one job (each worker on a job it claims), the
 * others sleep: a pool of more threads than CPUs costs little more than one of as many as CPUs.
 * Not re-entrant: fn must not call lc_pool_run on the same pool.
 */
#ifndef LC_POOL_H
#define LC_POOL_H

typedef struct lc_pool lc_pool;
typedef void (*lc_task_fn)(void *ctx, int task, int thread);

/* nthreads >= 1; returns NULL on failure (no threads left running). */
lc_pool *lc_pool_create(int nthreads);
void lc_pool_destroy(lc_pool *p);
int lc_pool_threads(const lc_pool *p);
void lc_pool_run(lc_pool *p, int ntasks, lc_task_fn fn, void *ctx);

/* The CPUs this process may use (>= 1): the online ones, fewer when its CPU affinity (taskset,
 * the batch system's binding) or a cgroup v2 CPU quota allows fewer. */
int lc_cpu_count(void);

#endif
