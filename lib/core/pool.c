/* pool.c - a small pthreads pool. A job is offered to at most min(tasks, threads, CPUs) - 1
 * helpers: each worker that sees the job claims a helper slot, drains task indices from an
 * atomic counter and leaves; the caller drains too, then closes the job to further claims and
 * waits only for the helpers that claimed (so a worker that never woke up is never waited for,
 * and more threads than CPUs cost little: the ones beyond the CPUs mostly sleep).
 *
 * Between jobs a worker spins on the job word for a short while (LC_POOL_SPIN_US; hot loops start
 * jobs back to back, and waking a sleeping thread costs a system call and, on a virtual machine,
 * an inter-processor interrupt), then sleeps on a condition variable. At most
 * min(threads, CPUs) - 1 workers spin at once, so spinning never takes a CPU from a thread with
 * work (on one CPU nothing spins and every job runs on the caller). The caller waits for the
 * last helper the same way: spin, then sleep. */
#include "lc_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define LC_POOL_SPIN_US 100

/* The job word: generation (bumped for each job, and to stop) << 32 | open helper slots << 16 |
 * helpers inside the job. One word, so a claim (slots - 1, helpers + 1) only succeeds on the job
 * it saw, and closing the job (slots = 0) returns the helpers it must wait for. */
#define JOB_GEN 0x100000000ull
#define JOB_SLOT 0x10000ull
#define JOB_ACTIVE 1ull
#define JOB_SLOTS_MASK 0xffff0000ull
#define JOB_MAX_HELPERS 0xffff
#define job_gen(w) ((unsigned long)((w) >> 32))
#define job_slots(w) ((int)(((w) >> 16) & 0xffff))
#define job_active(w) ((int)((w) & 0xffff))

struct lc_pool {
    int nthreads;
    int max_helpers;         /* min(threads, CPUs) - 1: helpers per job, and workers spinning */
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t start_cv, done_cv;
    atomic_ullong job;
    atomic_int stop;
    atomic_int spinners;     /* workers spinning on the job word */
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

/* spins until the job generation is not old (returns 1) or LC_POOL_SPIN_US pass (returns 0);
 * returns 0 at once when max_helpers workers spin already */
static int spin_gen(lc_pool *p, unsigned long old)
{
    if (atomic_fetch_add(&p->spinners, 1) >= p->max_helpers) {
        atomic_fetch_sub(&p->spinners, 1);
        return 0;
    }
    double until = 0.0;
    int changed = 1;
    for (unsigned i = 0; job_gen(atomic_load_explicit(&p->job, memory_order_acquire)) == old; i++)
        if (spun_out(i, &until)) {
            changed = 0;
            break;
        }
    atomic_fetch_sub(&p->spinners, 1);
    return changed;
}

/* spins until no helper is inside the job (returns 1) or LC_POOL_SPIN_US pass (returns 0) */
static int spin_idle(lc_pool *p)
{
    double until = 0.0;
    for (unsigned i = 0; job_active(atomic_load_explicit(&p->job, memory_order_acquire)) != 0; i++)
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

/* takes a helper slot of job w (generation gen): 1 if taken, 0 if the job is full or closed */
static int claim(lc_pool *p, unsigned long long w, unsigned long gen)
{
    while (job_gen(w) == gen && job_slots(w) > 0)
        if (atomic_compare_exchange_weak(&p->job, &w, w - JOB_SLOT + JOB_ACTIVE))
            return 1;
    return 0;
}

static void *worker(void *arg)
{
    worker_arg *wa = arg;
    lc_pool *p = wa->p;
    int index = wa->index;
    free(wa);
    unsigned long seen = 0;
    for (;;) {
        if (!spin_gen(p, seen)) {
            pthread_mutex_lock(&p->mu);
            /* sleepers, then the job word; the caller stores the job word, then reads sleepers:
             * one of the two sees the other's write (all seq_cst), so no wake-up is lost */
            atomic_fetch_add(&p->sleepers, 1);
            while (job_gen(atomic_load(&p->job)) == seen)
                pthread_cond_wait(&p->start_cv, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
        }
        unsigned long long w = atomic_load(&p->job);
        seen = job_gen(w);
        if (atomic_load(&p->stop))
            return NULL;
        if (!claim(p, w, seen))
            continue;
        drain(p, index);
        /* helpers, then caller_waits; the caller (once the job is closed): caller_waits, then
         * helpers. A late signal for an earlier job only makes the caller check again. */
        w = atomic_fetch_sub(&p->job, JOB_ACTIVE);
        if (job_active(w) == 1 && job_slots(w) == 0 && atomic_load(&p->caller_waits)) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done_cv);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

/* wakes enough sleeping workers to fill the helper slots the spinning ones will not */
static void wake_workers(lc_pool *p, int helpers)
{
    int sleepers = atomic_load(&p->sleepers);
    if (sleepers <= 0)
        return;
    int n = helpers - atomic_load(&p->spinners);
    if (n <= 0)
        return;
    pthread_mutex_lock(&p->mu);
    if (n >= sleepers)
        pthread_cond_broadcast(&p->start_cv);
    else
        for (int i = 0; i < n; i++)
            pthread_cond_signal(&p->start_cv);
    pthread_mutex_unlock(&p->mu);
}

lc_pool *lc_pool_create(int nthreads)
{
    if (nthreads < 1)
        nthreads = 1;
    lc_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->nthreads = nthreads;
    int cpus = lc_cpu_count();
    p->max_helpers = (nthreads < cpus ? nthreads : cpus) - 1;
    if (p->max_helpers > JOB_MAX_HELPERS)
        p->max_helpers = JOB_MAX_HELPERS;
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
    atomic_fetch_add(&p->job, JOB_GEN);
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
    int helpers = p ? (ntasks - 1 < p->max_helpers ? ntasks - 1 : p->max_helpers) : 0;
    if (helpers <= 0) {
        for (int t = 0; t < ntasks; t++)
            fn(ctx, t, 0);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    p->ntasks = ntasks;
    atomic_store(&p->next, 0);
    /* the last job ended closed with no helper inside: a new generation with `helpers` slots */
    unsigned long long w = atomic_load(&p->job);
    atomic_store(&p->job, (w & ~(JOB_GEN - 1)) + JOB_GEN + (unsigned long long)helpers * JOB_SLOT);
    wake_workers(p, helpers);
    drain(p, 0);
    /* every task is taken: close the job and wait for the helpers that claimed it */
    w = atomic_fetch_and(&p->job, ~JOB_SLOTS_MASK);
    if (job_active(w) == 0 || spin_idle(p))
        return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->caller_waits, 1); /* then helpers; the last helper: helpers, then this */
    while (job_active(atomic_load(&p->job)) > 0)
        pthread_cond_wait(&p->done_cv, &p->mu);
    atomic_store(&p->caller_waits, 0);
    pthread_mutex_unlock(&p->mu);
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
