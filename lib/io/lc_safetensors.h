/* lc_safetensors.h - a .safetensors file read into the same tensors as a torch.save state_dict
 * (lc_torchzip.h's lc_tfile): HuggingFace's model.safetensors.
 *
 * The format: an 8-byte little-endian header length N, N bytes of JSON (each tensor's name ->
 * {"dtype", "shape", "data_offsets": [begin, end]} into the data that follows; "__metadata__" a
 * map of strings), then the data. F32, I64 and I32 tensors are read; any other dtype, an offset
 * outside the data, a size that is not numel x the dtype's, or a malformed header is an
 * LC_ERR_DATA naming the file and what is wrong. */
#ifndef LC_SAFETENSORS_H
#define LC_SAFETENSORS_H

#include "lc_torchzip.h"

lc_status lc_safetensors_load(const char *path, lc_tfile **out, lc_error *e);
/* The same from the file's bytes in memory; name is the file's (for messages) */
lc_status lc_safetensors_load_mem(const void *buf, size_t n, const char *name, lc_tfile **out,
                                  lc_error *e);

#endif
