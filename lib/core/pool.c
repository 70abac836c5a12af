/* pool.c - a small pthreads pool. Between jobs a worker first spins on the job generation for
 * a short while (LC_POOL_SPIN_US; hot loops start jobs back to back, and waking a sleeping
 * thread costs a system call and, on a virtual machine, an inter-processor interrupt), then
 * sleeps on a condition variable. While a job runs, task indices come from an atomic counter.
 * The caller waits for the last worker the same way: spin, then sleep. */
#include "lc_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define LC_POOL_SPIN_US 100

struct lc_pool {
    int nthreads;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t start_cv, done_cv;
    atomic_ulong generation; /* bumped for each job (and to stop) */
    atomic_int stop;
    atomic_int active;       /* workers still inside the current job */
    atomic_int sleepers;     /* workers asleep (or about to be) on start_cv */
    atomic_int caller_waits; /* the caller is asleep (or about to be) on done_cv */
    /* current job */
    lc_task_fn fn;
    void *ctx;
    int ntasks;
    atomic_int next;
};

typedef struct {
    lc_pool *p;
    int index;
} worker_arg;

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return 1e6 * (double)t.tv_sec + 1e-3 * (double)t.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* one spin iteration (the i-th): 1 once LC_POOL_SPIN_US have passed since the first */
static int spun_out(unsigned i, double *until)
{
    cpu_relax();
    if ((i & 63) != 63)
        return 0;
    double t = now_us();
    if (*until == 0.0)
        *until = t + LC_POOL_SPIN_US;
    return t > *until;
}

/* spins until *v != old (returns 1) or LC_POOL_SPIN_US pass (returns 0) */
static int spin_ulong(atomic_ulong *v, unsigned long old)
{
    double until = 0.0;
    for (unsigned i = 0; atomic_load_explicit(v, memory_order_acquire) == old; i++)
        if (spun_out(i, &until))
            return 0;
    return 1;
}

/* spins until *v == 0 (returns 1) or LC_POOL_SPIN_US pass (returns 0) */
static int spin_zero(atomic_int *v)
{
    double until = 0.0;
    for (unsigned i = 0; atomic_load_explicit(v, memory_order_acquire) != 0; i++)
        if (spun_out(i, &until))
            return 0;
    return 1;
}

static void drain(lc_pool *p, int thread)
{
    for (;;) {
        int t = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (t >= p->ntasks)
            break;
        p->fn(p->ctx, t, thread);
    }
}

static void *worker(void *arg)
{
    worker_arg *wa = arg;
    lc_pool *p = wa->p;
    int index = wa->index;
    free(wa);
    unsigned long seen = 0;
    for (;;) {
        if (!spin_ulong(&p->generation, seen)) {
            pthread_mutex_lock(&p->mu);
            /* sleepers, then generation; the caller stores generation, then reads sleepers: one
             * of the two sees the other's write (all seq_cst), so no wake-up is lost */
            atomic_fetch_add(&p->sleepers, 1);
            while (atomic_load(&p->generation) == seen)
                pthread_cond_wait(&p->start_cv, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
        }
        seen = atomic_load(&p->generation);
        if (atomic_load(&p->stop))
            return NULL;
        drain(p, index);
        if (atomic_fetch_sub(&p->active, 1) == 1 && atomic_load(&p->caller_waits)) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done_cv);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

static void wake_workers(lc_pool *p)
{
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->start_cv);
        pthread_mutex_unlock(&p->mu);
    }
}

lc_pool *lc_pool_create(int nthreads)
{
    if (nthreads < 1)
        nthreads = 1;
    lc_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->nthreads = nthreads;
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        goto fail_free;
    if (pthread_cond_init(&p->start_cv, NULL) != 0)
        goto fail_mutex;
    if (pthread_cond_init(&p->done_cv, NULL) != 0)
        goto fail_start_cv;
    p->threads = calloc((size_t)nthreads, sizeof *p->threads);
    if (!p->threads)
        goto fail_done_cv;
    int started = 0;
    for (int i = 1; i < nthreads; i++) {
        worker_arg *wa = malloc(sizeof *wa);
        if (!wa)
            break;
        wa->p = p;
        wa->index = i;
        if (pthread_create(&p->threads[i], NULL, worker, wa) != 0) {
            free(wa);
            break;
        }
        started++;
    }
    if (started != nthreads - 1) {
        p->nthreads = started + 1;
        lc_pool_destroy(p);
        return NULL;
    }
    return p;

fail_done_cv:
    pthread_cond_destroy(&p->done_cv);
fail_start_cv:
    pthread_cond_destroy(&p->start_cv);
fail_mutex:
    pthread_mutex_destroy(&p->mu);
fail_free:
    free(p);
    return NULL;
}

void lc_pool_destroy(lc_pool *p)
{
    if (!p)
        return;
    atomic_store(&p->stop, 1);
    atomic_fetch_add(&p->generation, 1);
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->start_cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    pthread_cond_destroy(&p->done_cv);
    pthread_cond_destroy(&p->start_cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int lc_pool_threads(const lc_pool *p)
{
    return p ? p->nthreads : 1;
}

void lc_pool_run(lc_pool *p, int ntasks, lc_task_fn fn, void *ctx)
{
    if (ntasks <= 0)
        return;
    if (!p || p->nthreads == 1 || ntasks == 1) {
        for (int t = 0; t < ntasks; t++)
            fn(ctx, t, 0);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    p->ntasks = ntasks;
    atomic_store(&p->next, 0);
    atomic_store(&p->active, p->nthreads - 1);
    atomic_fetch_add(&p->generation, 1); /* publishes the job */
    wake_workers(p);
    drain(p, 0);
    if (!spin_zero(&p->active)) {
        pthread_mutex_lock(&p->mu);
        atomic_store(&p->caller_waits, 1); /* then active; the last worker: active, then this */
        while (atomic_load(&p->active) > 0)
            pthread_cond_wait(&p->done_cv, &p->mu);
        atomic_store(&p->caller_waits, 0);
        pthread_mutex_unlock(&p->mu);
    }
}

int lc_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    /* the CPUs this process may run on (taskset, a batch system's binding) */
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) >= 1 && CPU_COUNT(&set) < n)
        n = CPU_COUNT(&set);
    /* a cgroup v2 CPU quota ("max" or "<quota> <period>" in microseconds), as a container or a
     * Galaxy slot's cgroup sets it: the quota's CPUs, rounded up */
    FILE *f = fopen("/sys/fs/cgroup/cpu.max", "r");
    if (f) {
        long long quota, period;
        if (fscanf(f, "%lld %lld", &quota, &period) == 2 && quota > 0 && period > 0) {
            long q = (long)((quota + period - 1) / period);
            if (q >= 1 && q < n)
                n = q;
        }
        fclose(f);
    }
    return (int)n;
}
