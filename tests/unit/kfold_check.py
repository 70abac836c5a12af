#!/usr/bin/python3
"""kfold_check.py - test_kfold's reference: for several (n, k, seed), the fold that tests each row
under scikit-learn's KFold(n_splits=k, shuffle=True, random_state=seed), the splitter of Ludwig's
generate_kfold_splits. One line per case: n k seed fold_0 ... fold_{n-1}."""
from sklearn.model_selection import KFold

for n, k, seed in [(10, 3, 42), (569, 5, 42), (344, 10, 7), (1000, 2, 123), (17, 17, 0), (4097, 4, 2 ** 32 - 1)]:
    fold = [0] * n
    for f, (_, test) in enumerate(KFold(n_splits=k, shuffle=True, random_state=seed).split(range(n))):
        for i in test:
            fold[i] = f
    print(n, k, seed, " ".join(map(str, fold)))
