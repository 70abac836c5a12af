/* lc_weights.h - the model_weights file: every parameter and buffer tensor under its PyTorch
 * state_dict name, in PyTorch's own format (lc_torchzip.h; README.md, "model_weights"); the
 * older LCWTS001 files ludwig-c wrote still load. */
#ifndef LC_WEIGHTS_H
#define LC_WEIGHTS_H

#include "lc_error.h"
#include "lc_model.h"

#define LC_WEIGHTS_MAGIC "LCWTS001"

/* The module an output feature's loss weights live in, under
 * output_features.module_dict.<name>__ludwig. */
#define LC_WEIGHTS_LOSS_MODULE "train_loss_function.loss_fn"

/* A float32 vector Ludwig keeps in the state_dict beside the model's own tensors: a loss module's
 * weights (CrossEntropyLoss.weight, BCEWithLogitsLoss.pos_weight under LC_WEIGHTS_LOSS_MODULE). */
typedef struct lc_extra_tensor {
    char name[288];
    int n;
    const float *data;
} lc_extra_tensor;

/* Writes path in PyTorch's format, atomically (a temporary name, then rename): the model's
 * tensors, then the nx extra ones. */
lc_status lc_weights_save(const lc_model *m, const char *path, const lc_extra_tensor *x, int nx,
                          lc_error *e);
/* Loads tensors into m (either format), checking every name and shape. */
lc_status lc_weights_load(lc_model *m, const char *path, lc_error *e);

/* Where torchvision keeps a pretrained file: <dir>/hub/checkpoints/<file>, dir being
 * model_cache_dir when given (Ludwig sets TORCH_HOME to it), else $TORCH_HOME, else
 * $XDG_CACHE_HOME/torch, else ~/.cache/torch (torch.hub's order). */
lc_status lc_tv_weights_path(const char *model_cache_dir, const char *file, char *out, size_t n,
                             lc_error *e);

/* Loads a torchvision state_dict file (torch.save of the model, as torchvision's pretrained
 * .pth files are) into input feature `feature`'s torchvision encoder: every tensor under
 * encoder_obj.model. by its torchvision name and shape. The classifier Ludwig removes (fc.*)
 * and integer buffers (num_batches_tracked) are skipped; anything else missing, extra or of
 * another shape is an error naming the file and the tensor. */
lc_status lc_weights_load_tv(lc_model *m, int feature, const char *path, lc_error *e);

#endif
