/* lc_predict.h - internal helpers shared by experiment.c and predict.c: the predictions table
 * Ludwig's Galaxy wrapper writes as predictions_parquet.csv. */
#ifndef LC_PREDICT_H
#define LC_PREDICT_H

#include <stddef.h>
#include <stdint.h>

#include "lc_error.h"

/* Writes path atomically: header <feat>_predictions, <feat>_probabilities, <feat>_probability,
 * <feat>_probabilities_<class>... then one row per prediction, floats as pandas writes float32
 * values widened to double. preds (n) are vocabulary indices, probs (n, nclasses). */
lc_status lc_predictions_write_csv(const char *path, const char *feat, int nclasses,
                                   char *const *idx2str, const int32_t *preds,
                                   const float *probs, size_t n, lc_error *e);

#endif
