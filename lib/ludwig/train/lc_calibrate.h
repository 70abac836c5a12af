/* lc_calibrate.h - Ludwig's calibration phase (ludwig/models/calibrator.py, called by
 * LudwigModel.train after training and before the model is saved): every binary or category
 * output with `calibration: true` gets a temperature fitted by temperature scaling (lc_calib.h)
 * on the final model's logits of the validation split, or of the training split when the
 * validation split has fewer than 3 rows (Ludwig's MIN_DATASET_SPLIT_ROWS). From then on its
 * probabilities, and the binary predictions drawn from them, are those of logits / temperature;
 * the temperature is saved with the weights. */
#ifndef LC_CALIBRATE_H
#define LC_CALIBRATE_H

#include <stdio.h>

#include "lc_calib.h"
#include "lc_config.h"
#include "lc_dataset.h"
#include "lc_model.h"
#include "lc_pool.h"

typedef struct lc_calibration {
    int split;              /* the split fitted on (0 training, 1 validation); -1: no output
                             * asks for calibration */
    size_t rows;            /* its rows */
    lc_calib_result *res;   /* (nout), meaningful for the calibrated outputs */
} lc_calibration;

/* The split lc_calibrate fits on (1 validation, or 0 training when validation has fewer than 3
 * rows), or -1 when no output is calibrated. */
int lc_calibration_split(const lc_model *m, const lc_dataset *d);
/* Fits and sets the temperature of every calibrated head of m; prints one line per output to
 * progress (may be NULL). */
lc_status lc_calibrate(lc_model *m, lc_pool *p, const lc_config *cfg, const lc_dataset *d,
                       int eval_bs, FILE *progress, lc_calibration *c, lc_error *e);
void lc_calibration_free(lc_calibration *c);

/* One sentence on output o's calibration for the log and the report: the fit c made (c may be
 * NULL), else the temperature a loaded model m carries; "" when o is not calibrated. */
void lc_calibration_describe(const lc_calibration *c, const lc_model *m, int o, char *buf,
                             size_t n);

#endif
