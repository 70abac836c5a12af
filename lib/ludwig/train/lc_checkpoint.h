/* lc_checkpoint.h - training checkpoints: everything the trainer needs to continue a run exactly
 * where it stopped, in model/training_checkpoints/latest.ckpt as upstream Ludwig names it (the
 * content is ludwig-c's own format, not a torch pickle).
 *
 * File layout (little-endian): magic "LCCKPT01"; uint64 fingerprint; int32 epochs completed,
 * int32 best epoch, int32 flags (1 = training finished, 2 = early stopped); int64 step, best steps;
 * float64 best value, training seconds; uint64 nparams, nbuffers, nstate; float32 params[nparams],
 * buffers[nbuffers], optimizer state[nstate], best params[nparams], best buffers[nbuffers];
 * uint64 JSON length, the JSON text ({"stats", "progress", "best": [train, validation, test]});
 * uint64 FNV-1a hash of every byte before it (so a damaged or truncated file is refused).
 * Written to a temporary name, fsynced and renamed, so latest.ckpt is always a whole checkpoint.
 */
#ifndef LC_CHECKPOINT_H
#define LC_CHECKPOINT_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "lc_error.h"

#define LC_CHECKPOINT_DIR "training_checkpoints"
#define LC_CHECKPOINT_FILE "latest.ckpt"
#define LC_CHECKPOINT_MAGIC "LCCKPT01"

enum { LC_CKPT_FINISHED = 1, LC_CKPT_EARLY_STOPPED = 2 };

typedef struct lc_checkpoint {
    uint64_t fingerprint; /* of the config, dataset, seed and model (train.c decides) */
    int epoch;            /* epochs completed */
    int best_epoch;
    int flags;
    long step, best_steps;
    double best_value, train_seconds;
    size_t nparams, nbuffers, nstate;
    /* (nparams), (nbuffers), (nstate), (nparams), (nbuffers): read when saving, filled when
     * loading (the caller allocates them with the sizes above) */
    float *params, *buffers, *state, *best_params, *best_buffers;
    cJSON *json;          /* saving: borrowed; loading: new, the caller frees it */
} lc_checkpoint;

/* FNV-1a 64 of n bytes, continuing from h (start with LC_FNV_INIT). */
#define LC_FNV_INIT 0xcbf29ce484222325ULL
uint64_t lc_fnv1a(uint64_t h, const void *p, size_t n);

/* Writes dir/latest.ckpt atomically (dir must exist). */
lc_status lc_checkpoint_save(const char *dir, const lc_checkpoint *c, lc_error *e);

/* Reads path into c. c->fingerprint, the three sizes and the five buffers must be set by the
 * caller; a file with another fingerprint or other sizes is refused (LC_ERR_DATA) naming the
 * path and what differs, as is a damaged one. On failure the buffers may be partly overwritten. */
lc_status lc_checkpoint_load(const char *path, lc_checkpoint *c, lc_error *e);

/* After an interrupted run whose staging directory is <od>/.<name>.partial-<pid>: moves its
 * model/training_checkpoints/ to <od>/<name>.interrupted/model/ (or .interrupted_0, _1, ... when
 * that name is taken, unless the taken one is resumed_dir, which is replaced), so the checkpoint
 * survives while nothing that looks like a result does. Returns the new run directory (free()),
 * or NULL when there was no checkpoint or it could not be moved. */
char *lc_checkpoint_keep(const char *staging, const char *resumed_dir);

/* After a successful run resumed from dir: if dir is an <name>.interrupted[_N] directory left by
 * lc_checkpoint_keep, its checkpoint is deleted and the emptied directories removed (anything else
 * the user put there is left alone). */
void lc_checkpoint_discard_interrupted(const char *dir);

#endif
