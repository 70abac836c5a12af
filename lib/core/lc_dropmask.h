/* lc_dropmask.h - dropout keep masks (all-ones = kept) for elements [0, n) of one sample whose
 * key is key (lc_dropout_key), by lc_layers.h's scheme; vector versions picked at run time. */
#ifndef LC_DROPMASK_H
#define LC_DROPMASK_H

#include <stddef.h>
#include <stdint.h>

void lc_keep_masks_avx512(uint64_t key, size_t n, uint32_t thr, uint32_t *km);
void lc_keep_masks_avx2(uint64_t key, size_t n, uint32_t thr, uint32_t *km);

#endif
