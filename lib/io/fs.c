/* fs.c - the atomic file, mkdir -p, rm -rf, staging directories and the publishing lock for the
 * output writers (lc_fs.h). */
#include "lc_fs.h"
#include "ludwig_c.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

lc_status lc_afile_open(lc_afile *a, const char *path, lc_error *e)
{
    memset(a, 0, sizeof *a);
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path + 1) : 0;
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path ||
        snprintf(a->tmp, sizeof a->tmp, "%.*s.%s.tmp", (int)dlen, path, path + dlen) >=
            (int)sizeof a->tmp)
        return lc_error_set(e, LC_ERR_IO, "%s: path too long", path);
    a->f = fopen(a->tmp, "wb");
    if (!a->f)
        return lc_error_set(e, LC_ERR_IO, "%s: cannot write: %s", a->path, strerror(errno));
    return LC_OK;
}

lc_status lc_afile_commit(lc_afile *a, int bad, const char *what, lc_error *e)
{
    if (!a->f)
        return lc_error_set(e, LC_ERR_INTERNAL, "%s: not open", a->path);
    int err = 0;
    if (!bad && (fflush(a->f) != 0 || fsync(fileno(a->f)) != 0))
        err = errno;
    if (fclose(a->f) != 0 && !err)
        err = errno;
    a->f = NULL;
    if (!bad && !err && rename(a->tmp, a->path) != 0)
        err = errno;
    if (bad || err) {
        unlink(a->tmp);
        return lc_error_set(e, LC_ERR_IO, "%s: cannot write %s (%s)", a->path, what,
                            err ? strerror(err) : "disk full?");
    }
    return LC_OK;
}

void lc_afile_abort(lc_afile *a)
{
    if (a->f) {
        fclose(a->f);
        a->f = NULL;
        unlink(a->tmp);
    }
}

lc_status lc_mkdir_p(const char *path, lc_error *e)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return lc_error_set(e, LC_ERR_USAGE, "path too long: %s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return lc_error_set(e, LC_ERR_IO, "%s: cannot create directory: %m", buf);
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return lc_error_set(e, LC_ERR_IO, "%s: cannot create directory: %m", buf);
    return LC_OK;
}

/* rm -rf of name under the directory dirfd, one getdents64 buffer per level and no allocation:
 * lc_abort_cleanup runs it after the process's other threads were stopped wherever they were,
 * possibly inside malloc or stdio. Deeper than RM_MAX_DEPTH levels is left (no run makes such a
 * tree; the removal is best effort). */
enum { RM_MAX_DEPTH = 64, RM_BUF = 512 };

static int rm_at(int dirfd, const char *name, int depth)
{
    if (unlinkat(dirfd, name, 0) == 0)
        return 1;
    if (errno != EISDIR && errno != EPERM)
        return 0;
    int fd = depth < RM_MAX_DEPTH ? openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    if (fd < 0)
        return 0;
    /* entries removed while reading may hide others from the same pass: read again from the
     * start until a pass removes nothing (a few times at most: something may be writing here) */
    for (int removed = 1, pass = 0; removed && pass < 8; pass++) {
        removed = 0;
        char buf[RM_BUF];
        ssize_t n;
        while ((n = getdents64(fd, buf, sizeof buf)) > 0)
            for (ssize_t off = 0; off < n;) {
                struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);
                off += d->d_reclen;
                if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
                    removed |= rm_at(fd, d->d_name, depth + 1);
            }
        if (n < 0 || lseek(fd, 0, SEEK_SET) != 0)
            break;
    }
    close(fd);
    return unlinkat(dirfd, name, AT_REMOVEDIR) == 0;
}

void lc_rm_tree(const char *path)
{
    (void)rm_at(AT_FDCWD, path, 0);
}

/* An entry of od that is a staging directory: ".<name>.partial-<suffix>", the suffix without a
 * dot (".partial-<suffix>.keep" is an interrupted run's checkpoint on its way out) */
static int is_staging_name(const char *n)
{
    const char *p = n[0] == '.' ? strstr(n + 1, ".partial-") : NULL;
    return p && p[9] && !strchr(p + 9, '.');
}

/* Removes od's staging directories that nobody holds (their run was killed). */
static void sweep_abandoned(const char *od, lc_stage_salvage_fn salvage, void *arg, FILE *log)
{
    DIR *d = opendir(od);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!is_staging_name(de->d_name))
            continue;
        char p[4096];
        if (snprintf(p, sizeof p, "%s/%s", od, de->d_name) >= (int)sizeof p)
            continue;
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            if (salvage)
                salvage(p, arg);
            lc_rm_tree(p);
            if (log)
                fprintf(log, "ludwig-c: note: removed %s, left by a run that was killed\n", p);
        }
        close(fd);
    }
    closedir(d);
}

/* ---- paths to remove on an abrupt stop ---- */

enum { CLEANUP_MAX = 64 };
static pthread_mutex_t g_cleanup_mu = PTHREAD_MUTEX_INITIALIZER;
static char *g_cleanup[CLEANUP_MAX];

int lc_cleanup_add(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    pthread_mutex_lock(&g_cleanup_mu);
    int h = -1;
    for (int i = 0; i < CLEANUP_MAX && h < 0; i++)
        if (!g_cleanup[i])
            g_cleanup[h = i] = p;
    pthread_mutex_unlock(&g_cleanup_mu);
    if (h < 0)
        free(p);
    return h;
}

void lc_cleanup_del(int h)
{
    if (h < 0 || h >= CLEANUP_MAX)
        return;
    pthread_mutex_lock(&g_cleanup_mu);
    free(g_cleanup[h]);
    g_cleanup[h] = NULL;
    pthread_mutex_unlock(&g_cleanup_mu);
}

/* Stopping the process's other threads. A run told to stop may not have (a trial busy in a
 * long step, or a second signal that did not wait): its threads go on creating directories and
 * writing checkpoints, and removing what they write while they write it leaves some of it behind.
 * Each other thread is sent LC_FREEZE_SIG, whose handler parks it for good; the process ends
 * right after the cleanup. */
#define LC_FREEZE_SIG (SIGRTMIN + 3)
enum { FREEZE_MAX = 4096, FREEZE_WAIT_MS = 1000 };
static atomic_int g_frozen;
static pid_t g_freeze_sent[FREEZE_MAX];

static void freeze_handler(int sig)
{
    (void)sig;
    atomic_fetch_add(&g_frozen, 1);
    for (;;)
        pause();
}

static int parse_tid(const char *s)
{
    long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 1000000000L)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return (int)v;
}

/* Signals every thread in /proc/self/task but the caller, again until a pass finds none new (a
 * thread may start another before it stops), then waits until they all stopped or the wait ran
 * out. Without /proc nothing is stopped and the removal is as good as it can be. */
static void freeze_other_threads(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = freeze_handler;
    sigfillset(&sa.sa_mask);
    if (sigaction(LC_FREEZE_SIG, &sa, NULL) != 0)
        return;
    pid_t pid = getpid(), self = gettid();
    int nsent = 0;
    for (int pass = 0, added = 1; added && pass < 64; pass++) {
        added = 0;
        int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            break;
        char buf[1024];
        ssize_t n;
        while ((n = getdents64(fd, buf, sizeof buf)) > 0)
            for (ssize_t off = 0; off < n;) {
                struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);
                off += d->d_reclen;
                int tid = parse_tid(d->d_name);
                if (tid <= 0 || tid == self)
                    continue;
                int seen = 0;
                for (int i = 0; i < nsent && !seen; i++)
                    seen = g_freeze_sent[i] == tid;
                if (!seen && nsent < FREEZE_MAX && tgkill(pid, tid, LC_FREEZE_SIG) == 0) {
                    g_freeze_sent[nsent++] = tid;
                    added = 1;
                }
            }
        close(fd);
    }
    /* a thread that ended between the listing and its signal never counts: the wait runs out */
    for (int ms = 0; ms < FREEZE_WAIT_MS && atomic_load(&g_frozen) < nsent; ms++) {
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
}

void lc_abort_cleanup(void)
{
    pthread_mutex_lock(&g_cleanup_mu);
    /* held from here: the process ends now, and no run may register or publish anything more */
    freeze_other_threads();
    for (int i = 0; i < CLEANUP_MAX; i++)
        if (g_cleanup[i])
            lc_rm_tree(g_cleanup[i]); /* not freed: a stopped thread may hold malloc's lock */
}

lc_status lc_stage_open(lc_stage *s, const char *od, const char *name, lc_stage_salvage_fn salvage,
                        void *salvage_arg, FILE *log, lc_error *e)
{
    s->dir[0] = '\0';
    s->fd = -1;
    s->cleanup = -1;
    lc_status st = lc_mkdir_p(od, e);
    if (st)
        return st;
    sweep_abandoned(od, salvage, salvage_arg, log);
    /* created under a name the sweep skips, held, then renamed to its staging name: a sweep
     * never sees one of these unheld */
    char tmp[sizeof s->dir];
    if (snprintf(tmp, sizeof tmp, "%s/.%s.creating-XXXXXX", od, name) >= (int)sizeof tmp)
        return lc_error_set(e, LC_ERR_USAGE,
                            "%s: the output directory's path is too long (%zu bytes; at most %zu here)",
                            od, strlen(od), sizeof tmp - strlen(name) - 20);
    if (!mkdtemp(tmp))
        return lc_error_set(e, LC_ERR_IO, "%s: cannot create a staging directory in it: %s", od,
                            strerror(errno));
    const char *suffix = tmp + strlen(tmp) - 6;
    size_t head = (size_t)(suffix - tmp) - strlen("creating-");
    memcpy(s->dir, tmp, head);
    snprintf(s->dir + head, sizeof s->dir - head, "partial-%s", suffix);
    s->fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->fd >= 0)
        (void)flock(s->fd, LOCK_EX | LOCK_NB); /* fails only where there is no flock: never swept */
    if (s->fd < 0 || rename(tmp, s->dir) != 0) {
        int err = errno;
        rmdir(tmp);
        if (s->fd >= 0)
            close(s->fd);
        s->fd = -1;
        s->dir[0] = '\0';
        return lc_error_set(e, LC_ERR_IO, "%s: cannot create a staging directory in it: %s", od,
                            strerror(err));
    }
    s->cleanup = lc_cleanup_add(s->dir);
    return LC_OK;
}

void lc_stage_release(lc_stage *s)
{
    if (!s->dir[0])
        return;
    lc_cleanup_del(s->cleanup);
    if (s->fd >= 0)
        close(s->fd);
    s->cleanup = -1;
    s->fd = -1;
    s->dir[0] = '\0';
}

void lc_stage_remove(lc_stage *s)
{
    if (s->dir[0])
        lc_rm_tree(s->dir);
    lc_stage_release(s);
}

int lc_dir_lock(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

void lc_dir_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}
