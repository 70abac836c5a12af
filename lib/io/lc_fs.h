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

/* A run's staging directory: <od>/.<name>.partial-XXXXXX, a fresh name each time (never the
 * process id, which repeats in containers), held with flock(2) on the directory for as long as
 * the run lives. A run killed outright (SIGKILL: the OOM killer, a wall-time limit) leaves its
 * staging directory behind unheld; the next run into the same output directory finds it,
 * passes it to `salvage` (which may keep what can be resumed) and removes it. Where the file
 * system has no flock (some NFS mounts) nothing is swept. */
typedef struct lc_stage {
    char dir[3072]; /* "" when there is none: a zero-initialised lc_stage is a closed one */
    int fd;         /* the held directory (meaningful while dir is set) */
    int cleanup;    /* its lc_cleanup_add handle, or -1 (meaningful while dir is set) */
} lc_stage;

typedef void (*lc_stage_salvage_fn)(const char *abandoned_dir, void *arg);

/* Creates od (mkdir -p), sweeps abandoned staging directories (a note for each to `log`, when
 * not NULL) and creates this run's. */
lc_status lc_stage_open(lc_stage *s, const char *od, const char *name, lc_stage_salvage_fn salvage,
                        void *salvage_arg, FILE *log, lc_error *e);
/* Releases the hold: after the directory was renamed into place, or before removing it. */
void lc_stage_release(lc_stage *s);
/* Removes the staging directory (if still there) and releases it. */
void lc_stage_remove(lc_stage *s);

/* What lc_abort_cleanup removes: paths a run in progress would remove itself on failure (its
 * staging directory, a hyperopt search's directory). Returns a handle for lc_cleanup_del, or -1
 * when the table is full (the path is then only removed by the run itself). */
int lc_cleanup_add(const char *path);
void lc_cleanup_del(int handle);

/* Serialises publishing into one output directory across processes: an exclusive flock on the
 * directory itself, so no lock file is left behind. Returns the descriptor to pass to
 * lc_dir_unlock, or -1 where the file system has no flock (publishing then goes unserialised). */
int lc_dir_lock(const char *dir);
void lc_dir_unlock(int fd);

#endif
