/* pool.c - a small pthreads pool: workers sleep on a condition variable between jobs and pull
 * task indices from an atomic counter while a job runs. */
#include "lc_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

struct lc_pool {
    int nthreads;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t start_cv, done_cv;
    unsigned long generation; /* bumped for each job */
    int stop;
    int active;               /* workers still inside the current job */
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
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->generation == seen)
            pthread_cond_wait(&p->start_cv, &p->mu);
        if (p->stop) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);
        drain(p, index);
        pthread_mutex_lock(&p->mu);
        if (--p->active == 0)
            pthread_cond_signal(&p->done_cv);
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
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
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
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->ntasks = ntasks;
    atomic_store(&p->next, 0);
    p->active = p->nthreads - 1;
    p->generation++;
    pthread_cond_broadcast(&p->start_cv);
    pthread_mutex_unlock(&p->mu);
    drain(p, 0);
    pthread_mutex_lock(&p->mu);
    while (p->active > 0)
        pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

int lc_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}
