/* lc_fs.h - the two directory operations the writers share: create a path with its parents, and
 * remove a tree (a staging directory a failed run leaves). */
#ifndef LC_FS_H
#define LC_FS_H

#include "lc_error.h"

/* mkdir -p: every missing component of path, mode 0755. */
lc_status lc_mkdir_p(const char *path, lc_error *e);
/* rm -rf without following symbolic links; best effort. */
void lc_rm_tree(const char *path);

#endif
