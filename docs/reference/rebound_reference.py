"""The smart-building example after rebound, computed independently of ecolens: the scenario
TOML read with Python's own tomllib, its distributions drawn with Python's `random`, the French
electricity factors read from the shipped digital4better table. For `core/src/lca/tests.rs`'s
`the_smart_building_after_rebound_matches_an_independent_computation`.

    python3 docs/reference/rebound_reference.py

Standard library only (Python 3.11 or newer). Printed here (Python 3.11.7, 400,000 runs,
seed 20261207):

    central  gwp delta -20267.8 after -13101 break-even 0.989809
    central  adpe delta 0.0351983 after 0.0424996 break-even none
    central  pe delta -700969 after -451541 break-even 0.983609
    central  ctue delta 29.5332 after 546.388 break-even none
    p_net_benefit gwp 1.0000 adpe 0.0011 pe 1.0000 ctue 0.1799
    p_m2_better gwp 1.0000 adpe 0.0067 pe 1.0000 ctue 0.5063
"""

import csv
import math
import random
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = tomllib.loads((ROOT / "core/data/scenarios/smart-building.toml").read_text())
D4B = ROOT / "core/data/factors/digital4better/d4b_electricity_factors_country_yearly.csv"
ISO2 = {"FRA": "FR"}

with open(D4B) as f:
    ELECTRICITY = {
        (row["country"], int(row["year"])): {k: float(v) for k, v in row.items() if k not in ("country", "year")}
        for row in csv.DictReader(f)
    }


def distribution(text):
    """(central, draw) of a number or a distribution as the scenario writes it."""
    if isinstance(text, (int, float)):
        return float(text), lambda rng: float(text)
    text = text.strip()
    try:
        value = float(text)
        return value, lambda rng: value
    except ValueError:
        pass
    name, args = re.fullmatch(r"(\w+)\((.*)\)", text).groups()
    a = [float(x) for x in args.split(",")]
    if name == "normal":
        return a[0], lambda rng: rng.gauss(a[0], a[1])
    if name == "triangular":  # low, mode, high; Python's order is low, high, mode
        return a[1], lambda rng: rng.triangular(a[0], a[2], a[1])
    if name == "lognormal":  # median, sigma of the logarithm
        return a[0], lambda rng: math.exp(rng.gauss(math.log(a[0]), a[1]))
    if name == "uniform":
        return (a[0] + a[1]) / 2, lambda rng: rng.uniform(a[0], a[1])
    raise ValueError(text)


PARAMETERS = {name: distribution(p["value"]) for name, p in SCENARIO["parameters"].items()}


def product(terms, values, inline):
    """A product of terms at parameter `values`; inline distributions are drawn by `inline`."""
    if not isinstance(terms, list):
        terms = [terms]
    out = 1.0
    for term in terms:
        if isinstance(term, str) and term.startswith("1/$"):
            out /= values[term[3:]]
        elif isinstance(term, str) and term.startswith("$"):
            out *= values[term[1:]]
        else:
            out *= inline(term)
    return out


def totals(values, inline, criteria):
    """M1 and M2 totals per criterion, and the saving lines' total per criterion."""
    year = SCENARIO.get("year", 2024)
    saving_lines = SCENARIO["rebound"]["saving_lines"]
    result = {v["id"]: {c: 0.0 for c in criteria} for v in SCENARIO["variant"]}
    saving = {c: 0.0 for c in criteria}
    for v in SCENARIO["variant"]:
        for line in v["line"]:
            amount = product(line["amount"], values, inline)
            factors = {c: product(f, values, inline) for c, f in line.get("factors", {}).items()}
            if "electricity" in line:
                grid = ELECTRICITY[(ISO2[line["electricity"]], year)]
                for c in criteria:
                    factors.setdefault(c, grid.get(c, 0.0))
            for c in criteria:
                value = amount * factors.get(c, 0.0)
                result[v["id"]][c] += value
                if v["id"] == "M2" and line["name"] in saving_lines:
                    saving[c] += value
    return result, saving


def after_rebound(result, saving, direct, c):
    delta = result["M2"][c] - result["M1"][c]
    # No indirect part in the example: Δ(r) = Δ − r·S, zero at r = Δ / S.
    even = delta / saving[c] if delta < 0 and saving[c] < 0 else None
    return delta, delta - direct * saving[c], even


criteria = SCENARIO["criteria"]
central = {name: c for name, (c, _) in PARAMETERS.items()}
direct_central, direct_draw = distribution(SCENARIO["rebound"]["direct"])
result, saving = totals(central, lambda t: distribution(t)[0], criteria)
for c in criteria:
    delta, after, even = after_rebound(result, saving, direct_central, c)
    print(f"central  {c} delta {delta:.6g} after {after:.6g} break-even "
          + (f"{even:.6f}" if even is not None else "none"))

rng = random.Random(20261207)
runs = 400_000
net = {c: 0 for c in criteria}
better = {c: 0 for c in criteria}
for _ in range(runs):
    values = {name: draw(rng) for name, (_, draw) in PARAMETERS.items()}
    direct = direct_draw(rng)
    result, saving = totals(values, lambda t: distribution(t)[1](rng), criteria)
    for c in criteria:
        delta, after, _ = after_rebound(result, saving, direct, c)
        better[c] += delta < 0
        net[c] += after < 0
print("p_net_benefit " + " ".join(f"{c} {net[c] / runs:.4f}" for c in criteria))
print("p_m2_better " + " ".join(f"{c} {better[c] / runs:.4f}" for c in criteria))
