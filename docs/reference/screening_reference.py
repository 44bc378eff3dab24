#!/usr/bin/env python3
# Reference values for ecolens's prioritised screening (core/src/stopping.rs, corpus/src/rank).
# python3 -m venv v && v/bin/pip install buscarpy==0.0.2 scipy==1.12.0 numpy==1.26.4 scikit-learn==1.9.1
# v/bin/python screening_reference.py
# Prints Rust constants to paste into the tests.
from scipy.stats import hypergeom
import buscarpy

print("// stopping::tests::REFERENCE_CDF")
cases = [(0, 100, 5, 10), (2, 100, 5, 10), (1, 5000, 40, 300), (0, 5000, 3, 2000),
         (7, 60000, 120, 4000), (3, 250, 30, 25), (12, 1000, 50, 400), (0, 10, 10, 1)]
for k, M, n, N in cases:
    print(f"    ({k}, {M}, {n}, {N}, {hypergeom.cdf(k, M, n, N)!r}),")

print("// stopping::tests::REFERENCE_H0")
# (screened in order: the pattern then that many irrelevant records, total, target recall)
h0 = [("1101101001000100" + "0" * 300, 2000, 0.95),
      ("1101101001000100" + "0" * 300, 2000, 0.8),
      ("11110111011010010001000010000000" + "0" * 900, 6000, 0.95),
      ("0" * 50 + "1" + "0" * 400, 1000, 0.95),
      ("1" * 10 + "0" * 90, 120, 0.99),
      ("1011" + "0" * 40 + "1" + "0" * 500, 3000, 0.9),
      ("1101101001000100" + "0" * 1500, 2000, 0.95),
      ("11110111011010010001000010000000" + "0" * 3500, 6000, 0.95),
      ("11110111011010010001000010000000" + "0" * 2500, 6000, 0.9),
      ("1" * 30 + "0" * 10 + "1" * 10 + "0" * 4000, 6000, 0.95),
      ("1" * 60 + "01" * 10 + "0" * 2000, 5000, 0.95)]
for pattern, total, target in h0:
    labels = [int(c) for c in pattern]
    p = buscarpy.calculate_h0(labels, total, target)
    short = pattern.rstrip("0")
    zeros = len(pattern) - len(short)
    print(f'    ("{short}", {zeros}, {total}, {target}, {float(p)!r}),')

# --- The model on ASReview's labelled sample -------------------------------------------------
# corpus/tests/data/asreview_demo_data.csv is ASReview 3.0.8's tests/demo_data.json (Apache-2.0;
# 100 records of a real review, van der Waal et al. 2022, its 10 includes on every tenth row)
# shuffled with a fixed seed: `screening_reference.py --sample DEMO_DATA.json` writes it.
import csv
import json
import os
import re
import sys

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

here = os.path.dirname(os.path.abspath(__file__))
sample = os.path.join(here, "..", "..", "corpus", "tests", "data", "asreview_demo_data.csv")
if len(sys.argv) == 3 and sys.argv[1] == "--sample":
    rows = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8")]
    order = np.random.default_rng(20261206).permutation(len(rows))
    with open(sample, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["title", "abstract", "label_included"])
        for i in order:
            row = rows[i]
            writer.writerow([row["title"], row.get("abstract") or "", row["label_included"]])

records = list(csv.DictReader(open(sample, encoding="utf-8")))
def analyse(record):
    """ecolens's terms: words of 2+ word characters, lower-cased (function words kept), and
    pairs of neighbouring words, title and abstract one text, as ASReview joins them."""
    words = re.findall(r"(?u)\b\w\w+\b", (record["title"] + " " + record["abstract"]).lower())
    return words + [a + " " + b for a, b in zip(words, words[1:])]


vectorizer = TfidfVectorizer(analyzer=analyse, sublinear_tf=True, max_df=0.95)
X = vectorizer.fit_transform(records)
y = np.array([int(r["label_included"]) for r in records])
print("// rank::tests: terms", len(vectorizer.vocabulary_), "stored", X.nnz)
print("// first row's weights, sorted:", repr(sorted(X[0].data.tolist())[-3:]))
# Train on the first 40 records (ASReview's balanced weights, ratio 9.8), score all 100.
train = list(range(40))
yt = y[train]
n, n1, n0 = len(yt), (yt == 1).sum(), (yt == 0).sum()
weights = np.where(yt == 1, 1.0, n1 / (9.8 * n0))
weights = weights * (n / weights.sum())
svm = LinearSVC(loss="squared_hinge", C=0.11, tol=1e-9, max_iter=1000000, dual=True)
svm.fit(X[train], yt, sample_weight=weights)
print("// rank::tests::REFERENCE_SCORES (decision_function of records 0..100)")
print("    " + ", ".join(repr(float(s)) for s in svm.decision_function(X)))
