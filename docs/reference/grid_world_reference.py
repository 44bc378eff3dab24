"""World-average grid intensities of the sources without a world row, computed independently
of ecolens from the shipped files, for `core/src/estimate.rs`'s defaults test.

Each country's value weighted by its generation (total_TWh) in CodeCarbon's
global_energy_mix.json; digital4better's country codes are ISO alpha-2, CodeCarbon's alpha-3,
matched with pycountry.

    python3 -m venv venv && venv/bin/pip install pycountry
    venv/bin/python docs/reference/grid_world_reference.py

Printed here (pycountry 26.2.16): digital4better 2024 477.1564917286166, 2021
513.0727908244404, CodeCarbon 480.61740136457183 gCO2e/kWh.
"""

import csv
import json
from pathlib import Path

import pycountry

FACTORS = Path(__file__).resolve().parents[2] / "core" / "data" / "factors"
mix = json.loads((FACTORS / "codecarbon" / "global_energy_mix.json").read_text())
d4b = {}
with open(FACTORS / "digital4better" / "d4b_electricity_factors_country_yearly.csv") as f:
    for row in csv.DictReader(f):
        d4b[(row["country"].upper(), int(row["year"]))] = float(row["gwp"])

for year in (2024, 2021):
    total = weight = 0.0
    for iso3, entry in mix.items():
        country = pycountry.countries.get(alpha_3=iso3)
        gwp = d4b.get((country.alpha_2, year)) if country else None
        if gwp is not None:
            total += gwp * 1000 * entry["total_TWh"]
            weight += entry["total_TWh"]
    print(f"digital4better {year}: {total / weight!r} gCO2e/kWh")
cc_total = sum(e["carbon_intensity"] * e["total_TWh"] for e in mix.values())
cc_weight = sum(e["total_TWh"] for e in mix.values())
print(f"CodeCarbon: {cc_total / cc_weight!r} gCO2e/kWh")
