/* lc_weights.h - the model_weights file: every parameter and buffer tensor under its PyTorch
 * state_dict name, in PyTorch's own format (lc_torchzip.h; README.md, "model_weights"); the
 * older LCWTS001 files ludwig-c wrote still load. */
#ifndef LC_WEIGHTS_H
#define LC_WEIGHTS_H

#include "lc_error.h"
#include "lc_model.h"

#define LC_WEIGHTS_MAGIC "LCWTS001"

/* Writes path in PyTorch's format, atomically (a temporary name, then rename). */
lc_status lc_weights_save(const lc_model *m, const char *path, lc_error *e);
/* Loads tensors into m (either format), checking every name and shape. */
lc_status lc_weights_load(lc_model *m, const char *path, lc_error *e);

#endif
