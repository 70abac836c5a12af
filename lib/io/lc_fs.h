/* lc_fs.h - what every file writer shares: the atomic file (written under a temporary name in
 * the same directory, flushed to disk, then renamed over the final name, so a reader sees the old
 * file or the whole new one, never a part), create a path with its parents, and remove a tree (a
 * staging directory a failed run leaves). */
#ifndef LC_FS_H
#define LC_FS_H

#include <stdio.h>

#include "lc_error.h"

typedef struct lc_afile {
    FILE *f;            /* write here between open and commit */
    char tmp[4096];     /* the temporary name: ".<name>.tmp" beside path */
    char path[4096];
} lc_afile;

/* Opens the temporary file for path (binary mode). */
lc_status lc_afile_open(lc_afile *a, const char *path, lc_error *e);
/* Flushes, syncs and closes the file, then renames it to path. `bad` non-zero (a write the caller
 * saw fail) or any failure here removes the temporary file and returns LC_ERR_IO naming path
 * (`what` says what the file is, e.g. "the model weights"). */
lc_status lc_afile_commit(lc_afile *a, int bad, const char *what, lc_error *e);
/* Closes and removes the temporary file (after an error of the caller's). */
void lc_afile_abort(lc_afile *a);

/* mkdir -p: every missing component of path, mode 0755. */
lc_status lc_mkdir_p(const char *path, lc_error *e);
/* rm -rf without following symbolic links; best effort. */
void lc_rm_tree(const char *path);

#endif
