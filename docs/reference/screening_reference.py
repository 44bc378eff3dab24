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
