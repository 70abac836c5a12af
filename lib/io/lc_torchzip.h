/* lc_torchzip.h - a state_dict file as PyTorch's torch.save writes one (issue 14: model_weights
 * that torch.load opens).
 *
 * The format (torch/serialization.py, _save with the zip file serialization of PyTorch >= 1.6): a
 * zip archive of stored (uncompressed) records under one top-level folder,
 *   <prefix>/data.pkl    the pickled (protocol 2) collections.OrderedDict name -> tensor, each
 *                        tensor torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
 *                        requires_grad False, OrderedDict()) with its storage a persistent id
 *                        ('storage', torch.FloatStorage | LongStorage | IntStorage, key, 'cpu',
 *                        numel);
 *   <prefix>/data/<key>  each storage's bytes, little-endian;
 *   <prefix>/version     "3\n".
 * torch.load(path, weights_only=True) accepts these globals. Every record is dated
 * 1980-01-01, so the same tensors give the same bytes. libzip writes the archive to a temporary
 * file and renames it over path, so a failed save leaves no partial file. */
#ifndef LC_TORCHZIP_H
#define LC_TORCHZIP_H

#include <stddef.h>
#include <stdint.h>

#include "lc_error.h"

typedef enum lc_tdtype { LC_TD_F32 = 0, LC_TD_I64, LC_TD_I32 } lc_tdtype;

/* Bytes per value of d, and its torch name ("float32", "int64", "int32"). */
size_t lc_tdtype_size(lc_tdtype d);
const char *lc_tdtype_name(lc_tdtype d);

typedef struct lc_ttensor {
    const char *name;
    lc_tdtype dtype;
    int ndim;          /* 0 (a scalar) to 8 */
    int64_t shape[8];
    const void *data;  /* the row-major (contiguous) values: float, int64_t or int32_t */
} lc_ttensor;

/* Writes the n tensors, in order, as a state_dict under <prefix>/ (torch uses the file's base
 * name; any name loads). */
lc_status lc_torch_save(const char *path, const char *prefix, const lc_ttensor *t, int n,
                        lc_error *e);

/* A state_dict file read back: its tensors in file order, names and values owned. */
typedef struct lc_tfile {
    int n;
    lc_ttensor *t;
} lc_tfile;

/* Reads a file torch.save wrote for a state_dict (or lc_torch_save): the zip's one <prefix>/
 * data.pkl, whose pickle may use only the opcodes and the five globals above (and the dicts of
 * a state_dict's _metadata); its storages under <prefix>/data/. Nothing a pickle names is run or
 * imported: any other global, opcode, a storage of another type, a non-contiguous or
 * out-of-range tensor, or a truncated archive is an LC_ERR_DATA naming the file and what is
 * wrong. */
lc_status lc_torch_load(const char *path, lc_tfile **out, lc_error *e);
void lc_tfile_free(lc_tfile *f);

/* The same from the archive's bytes in memory (the fuzz target's entry point). */
lc_status lc_torch_load_mem(const void *buf, size_t n, const char *name, lc_tfile **out,
                            lc_error *e);

#endif
