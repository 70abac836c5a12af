/* lc_hf.h - HuggingFace's pretrained ViT for the `_vit_legacy` encoder with use_pretrained, read
 * as transformers' ViTModel.from_pretrained reads it, from the local hub cache only (ludwig-c
 * never downloads): <cache>/models--<org>--<name>/refs/main holds the revision,
 * snapshots/<revision>/ holds config.json and model.safetensors or pytorch_model.bin. */
#ifndef LC_HF_H
#define LC_HF_H

#include "lc_error.h"
#include "lc_model.h"

/* The snapshot directory of `model` ("google/vit-base-patch16-224", or a directory holding
 * config.json) into dir: the cache is $TRANSFORMERS_CACHE, else $HF_HUB_CACHE, else
 * $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
 * ~/.cache/huggingface/hub. A missing entry is LC_ERR_USAGE naming the file expected, with a
 * hint saying how to fill the cache. */
lc_status lc_hf_snapshot(const char *model, char *dir, size_t n, lc_error *e);

/* The architecture config.json gives (ViTConfig's defaults where a key is absent) into sp's
 * vl_* settings: from_pretrained takes these, not the Ludwig config's keys. */
lc_status lc_hf_vit_config(const char *dir, lc_input_spec *sp, lc_error *e);

/* The snapshot's weights (model.safetensors, else pytorch_model.bin; the file read into path)
 * into input feature `feature`'s _vit_legacy encoder: each tensor under its ViTModel name, or
 * `vit.` and that name (a ViTForImageClassification checkpoint, whose classifier is left); a
 * pooler the file lacks keeps its initialisation, as transformers initialises it. Anything else
 * missing or of another shape is an error naming the file and the tensor. */
lc_status lc_hf_load_vit(lc_model *m, int feature, const char *dir, char *path, size_t n,
                         lc_error *e);

#endif
