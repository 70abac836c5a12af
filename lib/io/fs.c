/* fs.c - the atomic file, mkdir -p and rm -rf for the output writers (lc_fs.h). */
#include "lc_fs.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
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

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void lc_rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
