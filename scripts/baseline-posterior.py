#!/usr/bin/env python3
"""Writes data/posterior/baseline-2024.csv: the history fit's posterior carried to 2024,
in the baseline's parameters.

    scripts/baseline-posterior.py > data/posterior/baseline-2024.csv

Reads data/posterior/history-2015.csv (the posterior of `civitas calibrate
scenarios/history-2015.toml --observed data/observed/cnnic.csv`) and, draw by draw (so
the parameters keep their joint posterior), writes the rates the baseline takes from it:

* device uptake and Bass imitation q of the three bands, as fitted;
* Bass innovation p of each band: the history's p (scenarios/history-2015.toml takes
  the baseline's point values 0.05, 0.04, 0.02 of the young, middle and senior bands,
  not fitted) plus the health code's lasting boost (`policies[name=health-code].
  adoption_boost`): in the history every resident carries it from 2020 on, so in 2024
  it is part of everyone's innovation rate.

The starting devices and adoption of 2015 are the history's own and are left out.
"""
import collections
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HISTORY = os.path.join(HERE, "..", "data", "posterior", "history-2015.csv")
BANDS = ("young", "middle", "senior")


def main():
    draws = collections.defaultdict(dict)
    with open(HISTORY, newline="") as f:
        for row in csv.DictReader(f):
            draws[int(row["draw"])][row["path"]] = float(row["value"])
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["draw", "path", "value"])
    for d in sorted(draws):
        values = draws[d]
        for band in BANDS:
            for field in ("device_uptake_per_year", "bass_q"):
                path = f"population.bands.{band}.{field}"
                out.writerow([d, path, repr(values[path])])


if __name__ == "__main__":
    main()
