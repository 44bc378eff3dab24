#!/usr/bin/env python3
# Reference values for the end-to-end review test (tests/it/review_flow.rs): the same votes and
# classifications the simulated reviewers give, scored by scikit-learn and statsmodels.
# pip install scikit-learn==1.9.1 statsmodels==0.15.0; python3 review_flow_reference.py
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa
import numpy as np

# Title/abstract votes on the first 24 records: I include, E exclude, M maybe.
emily_tiab = "IIIIIIIIIIIIIIEEEEEEEMII"
tomas_tiab = "IIIIIIIIIIIIIEEEEEEEIMMI"
# Full-text votes on the 16 records that moved on: A exclude (not_ai), B exclude
# (no_environmental_application); agreement counts both as "exclude".
emily_ft = "IIIIIIIIIIIAABBI"
tomas_ft = "IIIIIIIIIIAABBBM"
# a–f classifications of the 12 included studies by three reviewers.
emily_c = "abccdcbacbdc"
tomas_c = "abcccdbacbcc"
sara_c = "abbcdcbbcbdd"

def decisions(p):
    return [{"I": "include", "E": "exclude", "A": "exclude", "B": "exclude", "M": "maybe"}[c] for c in p]

for name, a, b in [("tiab", emily_tiab, tomas_tiab), ("fulltext", emily_ft, tomas_ft)]:
    x, y = decisions(a), decisions(b)
    k = cohen_kappa_score(x, y, labels=["include", "exclude", "maybe"])
    pct = sum(i == j for i, j in zip(x, y)) / len(x)
    print(name, "items", len(x), "percent", repr(pct), "kappa", repr(k))

labels = list("abcdef")
for (n1, r1), (n2, r2) in [(("Emily", emily_c), ("Tomas", tomas_c)), (("Emily", emily_c), ("Sara", sara_c)), (("Tomas", tomas_c), ("Sara", sara_c))]:
    ks = [cohen_kappa_score(list(r1), list(r2), labels=labels, weights=w) for w in [None, "linear", "quadratic"]]
    pct = sum(i == j for i, j in zip(r1, r2)) / len(r1)
    print("classification", n1, n2, "percent", repr(pct), "kappa", [repr(k) for k in ks])
table = np.zeros((len(emily_c), 6), dtype=int)
for r in (emily_c, tomas_c, sara_c):
    for i, c in enumerate(r):
        table[i, labels.index(c)] += 1
print("fleiss", repr(fleiss_kappa(table, method="fleiss")))
# The same classifications through the statistics that take missing ratings (none missing here).
# pip install krippendorff==0.9.0 irrCAC==0.4.4 pandas==2.3.3
import krippendorff
import pandas as pd
from irrCAC.raw import CAC
matrix = [[labels.index(c) for c in r] for r in (emily_c, tomas_c, sara_c)]
print("alpha ordinal", repr(krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal", value_domain=list(range(6)))))
print("ac2 ordinal", repr(CAC(pd.DataFrame(matrix).T, weights="ordinal", categories=list(range(6)), digits=17).gwet()["est"]["coefficient_value"]))
