/* test_pool.c - the thread pool (lc_pool_run): every task runs exactly once, on a thread index
 * in [0, threads) that no other running task holds; jobs of any size back to back, on pools of
 * fewer and more threads than CPUs, two pools driven at once (as concurrent hyperopt trials);
 * and more threads than CPUs cost little (issue 18: a 64-thread pool on 2 CPUs was many times
 * slower than a 2-thread one, its idle workers spinning and every job waking them all). */
#include "check.h"
#include "lc_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TASKS 1031
#define MAX_THREADS 96

typedef struct {
    int threads;
    atomic_int runs[MAX_TASKS];
    atomic_int busy[MAX_THREADS]; /* a task is running on this thread index */
    atomic_int bad_thread, shared_thread;
} job_ctx;

static void count_task(void *ctx, int task, int thread)
{
    job_ctx *c = ctx;
    if (thread < 0 || thread >= c->threads) {
        atomic_fetch_add(&c->bad_thread, 1);
        return;
    }
    if (atomic_exchange(&c->busy[thread], 1))
        atomic_fetch_add(&c->shared_thread, 1);
    /* a little work, so tasks overlap */
    volatile uint64_t h = (uint64_t)task;
    for (int i = 0; i < 200; i++)
        h = h * 6364136223846793005ull + 1442695040888963407ull;
    atomic_fetch_add(&c->runs[task], 1);
    atomic_store(&c->busy[thread], 0);
}

/* runs jobs of several sizes on p; returns the number of failures */
static int exercise(lc_pool *p, int reps)
{
    static const int sizes[] = {1, 2, 3, 5, 64, 257, MAX_TASKS, 7};
    int fails = 0;
    job_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return 1;
    c->threads = lc_pool_threads(p);
    for (int r = 0; r < reps; r++)
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            int n = sizes[s];
            for (int t = 0; t < n; t++)
                atomic_store(&c->runs[t], 0);
            lc_pool_run(p, n, count_task, c);
            for (int t = 0; t < n; t++)
                fails += atomic_load(&c->runs[t]) != 1;
        }
    fails += atomic_load(&c->bad_thread) + atomic_load(&c->shared_thread);
    free(c);
    return fails;
}

static void *drive(void *arg)
{
    lc_pool *p = arg;
    return (void *)(intptr_t)exercise(p, 30);
}

static void tiny_task(void *ctx, int task, int thread)
{
    atomic_int *sum = ctx;
    atomic_fetch_add_explicit(sum, task, memory_order_relaxed);
    (void)thread;
}

static double seconds_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + 1e-9 * (double)(b.tv_nsec - a->tv_nsec);
}

/* seconds for `jobs` jobs of 16 tiny tasks on a pool of n threads, or a little over `give_up` */
static double time_jobs(int n, int jobs, double give_up)
{
    lc_pool *p = lc_pool_create(n);
    if (!p)
        return 1e9;
    atomic_int sum = 0;
    struct timespec a;
    clock_gettime(CLOCK_MONOTONIC, &a);
    double t = 0.0;
    for (int j = 0; j < jobs; j++) {
        lc_pool_run(p, 16, tiny_task, &sum);
        if ((j & 63) == 63 && (t = seconds_since(&a)) > give_up)
            break;
    }
    t = seconds_since(&a);
    lc_pool_destroy(p);
    return t;
}

int main(void)
{
    int cpus = lc_cpu_count();
    CHECK(cpus >= 1);
    int counts[] = {1, 2, 3, cpus, cpus + 1, 4 * cpus, 64};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        int n = counts[i] < MAX_THREADS ? counts[i] : MAX_THREADS;
        lc_pool *p = lc_pool_create(n);
        CHECK(p && lc_pool_threads(p) == n);
        if (!p)
            continue;
        CHECK_MSG(exercise(p, 40) == 0, "%d thread(s)", n);
        lc_pool_destroy(p);
    }
    /* a NULL pool runs inline */
    CHECK(exercise(NULL, 2) == 0);

    /* two pools at once, each driven by its own thread, one oversubscribed */
    lc_pool *p1 = lc_pool_create(2), *p2 = lc_pool_create(3 * cpus + 1);
    CHECK(p1 && p2);
    if (p1 && p2) {
        pthread_t t1, t2;
        void *r1 = (void *)1, *r2 = (void *)1;
        if (pthread_create(&t1, NULL, drive, p1) == 0) {
            if (pthread_create(&t2, NULL, drive, p2) == 0)
                pthread_join(t2, &r2);
            pthread_join(t1, &r1);
        }
        CHECK(r1 == NULL && r2 == NULL);
    }
    lc_pool_destroy(p1);
    lc_pool_destroy(p2);

    /* many short jobs: 64 threads cost little more than as many threads as CPUs */
    int jobs = 20000;
    double base = time_jobs(cpus < 64 ? cpus : 64, jobs, 1e9);
    double limit = 4 * (base > 0.1 ? base : 0.1), over = time_jobs(64, jobs, limit);
    fprintf(stderr, "test_pool: %d jobs of 16 tasks: %.3f s on %d thread(s), %.3f s on 64 (limit %.3f s)\n",
            jobs, base, cpus, over, limit);
    CHECK_MSG(over < limit, "64 threads on %d CPU(s): %.3f s, on %d: %.3f s", cpus, over, cpus, base);
    return check_exit("test_pool");
}
