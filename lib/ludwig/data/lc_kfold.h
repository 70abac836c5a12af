/* lc_kfold.h - the folds of Ludwig's k-fold cross validation (ludwig/utils/data_utils.py
 * generate_kfold_splits): scikit-learn's KFold(n_splits=k, shuffle=True, random_state=seed) over
 * the dataset's rows. The rows 0..n-1 are shuffled as numpy's legacy RandomState(seed).shuffle
 * does (MT19937 seeded with init_genrand, each swap index drawn by masked rejection), then cut in
 * k consecutive pieces, the first n % k one row longer; fold f (0-based) tests the rows of piece
 * f and trains on all the others, both in ascending order, as KFold.split yields them. */
#ifndef LC_KFOLD_H
#define LC_KFOLD_H

#include <stddef.h>
#include <stdint.h>

#include "lc_error.h"

/* fold[i] = the fold (0..k-1) that tests row i. 2 <= k <= n, else LC_ERR_USAGE. */
lc_status lc_kfold_assign(size_t n, int k, uint32_t seed, int *fold, lc_error *e);

#endif
