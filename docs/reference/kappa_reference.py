#!/usr/bin/env python3
# Reference values for ecolens' agreement statistics (core/src/agreement.rs tests).
# pip install scikit-learn==1.9.1 statsmodels==0.15.0; python3 kappa_reference.py
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa
import numpy as np
labels = list("abcdef")
# Two reviewers classifying 20 papers on the a–f scale.
r1 = list("abbcdcbadcbbacdcbbad")
r2 = list("abccdbbadcbcaccdbaad")
for w in [None, "linear", "quadratic"]:
    print("cohen", w, repr(cohen_kappa_score(r1, r2, labels=labels, weights=w)))
print("percent", sum(a == b for a, b in zip(r1, r2)) / len(r1))
# Screening decisions (nominal).
s1 = ["include","exclude","exclude","maybe","include","exclude","exclude","include","maybe","exclude","exclude","include"]
s2 = ["include","exclude","include","exclude","include","exclude","maybe","include","maybe","exclude","exclude","exclude"]
print("cohen screening", repr(cohen_kappa_score(s1, s2)))
# Fleiss: 10 papers, 4 reviewers each, categories include/exclude/maybe (counts per paper).
table = np.array([[4,0,0],[3,1,0],[0,4,0],[1,2,1],[2,2,0],[0,3,1],[4,0,0],[0,0,4],[1,3,0],[2,1,1]])
print("fleiss", repr(fleiss_kappa(table, method="fleiss")))
# Fleiss on a–f with 3 raters, 8 papers.
t2 = np.array([[3,0,0,0,0,0],[0,2,1,0,0,0],[0,0,3,0,0,0],[1,1,1,0,0,0],[0,0,0,3,0,0],[0,1,2,0,0,0],[0,0,1,2,0,0],[2,1,0,0,0,0]])
print("fleiss af", repr(fleiss_kappa(t2, method="fleiss")))

# Agreement with missing ratings (core/src/agreement.rs, krippendorff_alpha and gwet_ac).
# pip install krippendorff==0.9.0 irrCAC==0.4.4 pandas==2.3.3
import krippendorff
import pandas as pd
from irrCAC.raw import CAC
nan = float("nan")
# Screening by three reviewers who saw different subsets (prioritised dual screening):
# 0 = exclude, 1 = include, 2 = maybe; rows are reviewers, columns records.
screening = [
    [0, 0, 1, nan, 0, 1, nan, 0, 0, 2, nan, 0, 1, 0, nan],
    [0, 1, 1, 0, nan, 1, 0, nan, 0, 2, 0, nan, 1, 0, 0],
    [nan, 0, 1, 0, 0, nan, 0, 0, nan, 0, 0, 0, nan, nan, 0],
]
print("alpha nominal", repr(krippendorff.alpha(reliability_data=screening, level_of_measurement="nominal")))
frame = pd.DataFrame(screening).T
print("ac1", repr(CAC(frame, categories=[0, 1, 2], digits=17).gwet()["est"]["coefficient_value"]))
# a–f by four reviewers with gaps (0 = a … 5 = f).
af = [
    [0, 1, 2, 2, nan, 3, 1, nan, 4, 2, 1, 0],
    [0, 1, 3, nan, 2, 3, 1, 1, 5, nan, 1, 1],
    [nan, 2, 2, 2, 2, nan, 0, 1, 4, 2, nan, 0],
    [1, nan, 2, 3, 2, 4, nan, 1, nan, 3, 2, nan],
]
print("alpha ordinal", repr(krippendorff.alpha(reliability_data=af, level_of_measurement="ordinal", value_domain=[0, 1, 2, 3, 4, 5])))
print("alpha nominal af", repr(krippendorff.alpha(reliability_data=af, level_of_measurement="nominal")))
frame = pd.DataFrame(af).T
print("ac2 ordinal", repr(CAC(frame, weights="ordinal", categories=[0, 1, 2, 3, 4, 5], digits=17).gwet()["est"]["coefficient_value"]))
print("ac1 af", repr(CAC(frame, categories=[0, 1, 2, 3, 4, 5], digits=17).gwet()["est"]["coefficient_value"]))
