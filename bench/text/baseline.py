#!/usr/bin/python3
"""baseline.py FORTUNES.csv - the classical reference for the text classification table of
make_fortunes.py: TF-IDF (sklearn's TfidfVectorizer defaults) + logistic regression (C=10,
max_iter 2000), trained on the split-0 rows, scored on the split-2 rows. Prints the test accuracy
as JSON (bench/text/baselines.json holds the committed figure, read by tests/e2e/test_text.sh).
Needs Debian's python3-sklearn."""
import csv
import json
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

rows = list(csv.DictReader(open(sys.argv[1], newline="")))
tr = [r for r in rows if r["split"] == "0"]
te = [r for r in rows if r["split"] == "2"]
v = TfidfVectorizer()
m = LogisticRegression(max_iter=2000, C=10).fit(v.fit_transform([r["text"] for r in tr]),
                                                 [r["category"] for r in tr])
acc = m.score(v.transform([r["text"] for r in te]), [r["category"] for r in te])
print(json.dumps({"tfidf_logreg_test_accuracy": round(acc, 4), "train_rows": len(tr),
                  "test_rows": len(te)}))
