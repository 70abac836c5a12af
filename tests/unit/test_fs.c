/* test_fs.c - lc_rm_tree and lc_abort_cleanup (lib/io/fs.c).
 *
 * lc_abort_cleanup runs while the process's other threads may still be writing into the very
 * directories it removes (a second SIGTERM during a hyperopt search: the trials keep training,
 * checkpointing and creating their directories). Those writers are stopped before anything is
 * removed, so nothing they write lands after the removal: a CI run once found a trial's
 * params.json left behind. Each case runs in a child process, which ends right after the
 * cleanup as the tool's signal thread does. */
#include "check.h"
#include "lc_fs.h"
#include "ludwig_c.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char g_root[256];
static atomic_int g_writes;

static int exists(const char *p)
{
    struct stat sb;
    return lstat(p, &sb) == 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A trial: makes its directory (recreating the parents, as lc_stage_open's lc_mkdir_p does),
 * writes files into it, again and again. */
static void *writer(void *arg)
{
    long id = (long)(intptr_t)arg;
    for (unsigned n = 0;; n++) {
        char d[512], f[600];
        snprintf(d, sizeof d, "%s/search/trial_%ld/model/sub_%u", g_root, id, n % 7);
        lc_error e;
        memset(&e, 0, sizeof e);
        if (lc_mkdir_p(d, &e) != LC_OK)
            continue;
        snprintf(f, sizeof f, "%s/f_%u.json", d, n % 5);
        int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            if (write(fd, "{}\n", 3) < 0) {
                /* the next round tries again */
            }
            close(fd);
        }
        atomic_fetch_add(&g_writes, 1);
    }
    return NULL;
}

/* The child: writers busy in root/search (registered for cleanup), then the abrupt stop. */
static void abort_with_writers(int nwriters)
{
    char search[300];
    snprintf(search, sizeof search, "%s/search", g_root);
    lc_error e;
    memset(&e, 0, sizeof e);
    if (lc_mkdir_p(search, &e) != LC_OK)
        _exit(3);
    lc_cleanup_add(search);
    for (long i = 0; i < nwriters; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, writer, (void *)(intptr_t)i) != 0)
            _exit(4);
        pthread_detach(t);
    }
    while (atomic_load(&g_writes) < 200)
        sleep_ms(1);
    lc_abort_cleanup();
    sleep_ms(30); /* the process ends a little later (its message, a loaded machine) */
    _exit(0);
}

static int run_child(int nwriters)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        abort_with_writers(nwriters);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_abort_with_writers(void)
{
    int left = 0, bad = 0;
    for (int round = 0; round < 20; round++) {
        int rc = run_child(round % 2 ? 4 : 1);
        bad += rc != 0;
        char search[300];
        snprintf(search, sizeof search, "%s/search", g_root);
        if (exists(search)) {
            left++;
            lc_rm_tree(search);
        }
    }
    CHECK_MSG(bad == 0, "%d of 20 children did not end with status 0", bad);
    CHECK_MSG(left == 0, "%d of 20 abrupt stops left the search directory behind", left);
}

/* lc_rm_tree: files, nested directories, a symlink (removed, never followed), and a missing path. */
static void test_rm_tree(void)
{
    char p[700], keep[400], tree[300];
    snprintf(tree, sizeof tree, "%s/tree", g_root);
    snprintf(keep, sizeof keep, "%s/keep", g_root);
    lc_error e;
    memset(&e, 0, sizeof e);
    CHECK(lc_mkdir_p(keep, &e) == LC_OK);
    snprintf(p, sizeof p, "%s/kept.txt", keep);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    /* 50 levels: as deep as lc_rm_tree promises to go with its frames on a 64 KiB stack */
    char deep[4096];
    int len = snprintf(deep, sizeof deep, "%s", tree);
    for (int i = 0; i < 50; i++)
        len += snprintf(deep + len, sizeof deep - (size_t)len, "/d%d", i);
    CHECK(lc_mkdir_p(deep, &e) == LC_OK);
    for (int i = 0; i < 300; i++) {
        snprintf(p, sizeof p, "%s/file_with_a_long_name_%04d.bin", tree, i);
        f = fopen(p, "w");
        if (f)
            fclose(f);
    }
    snprintf(p, sizeof p, "%s/link_to_keep", tree);
    CHECK(symlink(keep, p) == 0);
    lc_rm_tree(tree);
    CHECK_MSG(!exists(tree), "lc_rm_tree left %s", tree);
    snprintf(p, sizeof p, "%s/kept.txt", keep);
    CHECK_MSG(exists(p), "lc_rm_tree followed a symlink out of the tree");
    lc_rm_tree(tree); /* missing: nothing happens */
    /* deeper than it goes: it returns, leaving what it could not reach */
    len = snprintf(deep, sizeof deep, "%s", tree);
    for (int i = 0; i < 80; i++)
        len += snprintf(deep + len, sizeof deep - (size_t)len, "/e%d", i);
    CHECK(lc_mkdir_p(deep, &e) == LC_OK);
    lc_rm_tree(tree);
    CHECK(exists(tree));
    char mid[4096];
    len = snprintf(mid, sizeof mid, "%s", tree);
    for (int i = 0; i < 40; i++)
        len += snprintf(mid + len, sizeof mid - (size_t)len, "/e%d", i);
    char top[400];
    snprintf(top, sizeof top, "%s/moved", g_root);
    CHECK(rename(mid, top) == 0); /* the deep half moved up: both halves within reach */
    lc_rm_tree(tree);
    lc_rm_tree(top);
    CHECK(!exists(tree) && !exists(top));
    lc_rm_tree(keep);
    CHECK(!exists(keep));
}

int main(void)
{
    snprintf(g_root, sizeof g_root, "/tmp/lc_test_fs_XXXXXX");
    if (!mkdtemp(g_root)) {
        perror("mkdtemp");
        return 1;
    }
    test_rm_tree();
    test_abort_with_writers();
    lc_rm_tree(g_root);
    return check_exit("test_fs");
}
