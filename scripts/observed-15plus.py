#!/usr/bin/env python3
"""Writes data/observed/cnnic.csv: CNNIC's and NBS's published figures converted to the
model's denominator, residents aged 15+.

    scripts/observed-15plus.py > data/observed/cnnic.csv

CNNIC's internet penetration and online-government-service users are shares of the
*whole* population (netizens are counted from age 6); the model's `device_rate` and
`adoption_rate` are shares of residents aged 15+. With c the under-15 share of the
population and x_c the under-15s' rate, a published all-ages share x is
(1 - c) * x15 + c * x_c, so

    x15 = (x - c * x_c) / (1 - c).

* c = 0.17: children 0-14 were 16.5 % of the population in 2015 (NBS 1 % sample survey),
  17.95 % in the 2020 census and about 16 % in 2024 (NBS communique); +-0.01 moves x15 by
  less than 0.3 points.
* Internet penetration of the under-15s: x_c = f * m, f the share of the under-15s aged
  6-14 (CNNIC counts netizens from age 6; from the births of each year, NBS yearbooks:
  about 0.59 in 2015, rising to 0.70 by 2024 as births fell after 2017) and m the minors'
  (6-18) penetration: 94.9 % in 2020 (State Council white paper "China's Youth in the New
  Era", 2022, from CNNIC and the Communist Youth League's survey of minors' internet use),
  taken as 0.90 before 2018 and 0.97 from 2021. Its doubt, +-0.1 on x_c at 90 %, is
  folded into the sd in quadrature with the figure's own.
* Online government services: the under-15s' use a_c is not published. It lies between
  none (0) and the netizens' own rate (x_c times the share of netizens who use them, CNNIC:
  47.5 % 2018, 76.8 % Mar 2020, 85.3 % Dec 2020 = 843/989 M, 89.1 % 2023, 90.6 % 2024):
  the value is the middle of that range and its half-width a 90 % range, folded into the
  sd in quadrature with the figure's own.
* The 60+ penetration and the 60+ share need no conversion: the model's senior band is the
  60+, and the NBS share is already given of residents 15+ (docs/calibration.md).
"""
import csv
import math
import sys

C = 0.17
Z90 = 1.645


def minors(year):
    return 0.90 if year < 2018 else 0.949 if year <= 2020 else 0.97


def under15_penetration(year):
    f = min(0.70, 0.59 + (0.70 - 0.59) * (year - 2015) / 9.0)
    return f * minors(year)


def penetration(date, x, sd):
    year = int(date[:4])
    xc = under15_penetration(year)
    value = (x - C * xc) / (1 - C)
    conversion = C * 0.1 / (1 - C) / Z90
    return value, math.hypot(sd, conversion)


def adoption(date, x, sd, share_of_netizens):
    year = int(date[:4])
    most = under15_penetration(year) * share_of_netizens
    hi = x / (1 - C)
    lo = (x - C * most) / (1 - C)
    return (lo + hi) / 2, math.hypot(sd, (hi - lo) / 2 / Z90)


# indicator, scope, date, published share, its sd, source
PENETRATION = [
    ("city", "2015-12", 0.503, 0.01, "CNNIC Statistical Report 37 (internet penetration, all ages: 50.3 %)"),
    ("city", "2016-12", 0.532, 0.01, "CNNIC Statistical Report 39 (53.2 %)"),
    ("city", "2017-12", 0.558, 0.01, "CNNIC Statistical Report 41 (55.8 %)"),
    ("city", "2018-12", 0.596, 0.01, "CNNIC Statistical Report 43 (59.6 %)"),
    ("city", "2019-06", 0.612, 0.01, "CNNIC Statistical Report 44 (61.2 %)"),
    ("city", "2020-03", 0.645, 0.01, "CNNIC Statistical Report 45 (64.5 %)"),
    ("city", "2020-06", 0.670, 0.01, "CNNIC Statistical Report 46 (67.0 %)"),
    ("city", "2020-12", 0.704, 0.01, "CNNIC Statistical Report 47 (70.4 %)"),
    ("city", "2021-12", 0.730, 0.01, "CNNIC Statistical Report 49 (73.0 %)"),
    ("city", "2022-12", 0.756, 0.01, "CNNIC Statistical Report 51 (75.6 %)"),
    ("city", "2023-12", 0.775, 0.01, "CNNIC Statistical Report 53 (77.5 %)"),
    ("city", "2024-06", 0.780, 0.01, "CNNIC Statistical Report 54 (78.0 %)"),
    ("city", "2024-12", 0.786, 0.01, "CNNIC Statistical Report 55 (78.6 %)"),
    ("city", "2025-06", 0.797, 0.01, "CNNIC Statistical Report 56 (79.7 %)"),
    ("rural", "2016-06", 0.317, 0.015, "CNNIC Statistical Report 38 (rural internet penetration 31.7 %)"),
    ("rural", "2018-12", 0.384, 0.015, "CNNIC Statistical Report 43 (38.4 %)"),
    ("rural", "2020-06", 0.523, 0.015, "CNNIC Statistical Report 46 (52.3 %; rural +6 points in H1 2020: a jump the model does not generate)"),
    ("rural", "2020-12", 0.559, 0.015, "CNNIC Statistical Report 47 (55.9 %)"),
    ("rural", "2021-12", 0.576, 0.015, "CNNIC Statistical Report 49 (57.6 %)"),
    ("rural", "2023-12", 0.665, 0.015, "CNNIC Statistical Report 53 (66.5 %)"),
    ("rural", "2025-06", 0.692, 0.015, "CNNIC Statistical Report 56 (69.2 %)"),
    ("urban", "2018-12", 0.746, 0.015, "CNNIC Statistical Report 43 (urban internet penetration 74.6 %)"),
    ("urban", "2020-06", 0.764, 0.015, "CNNIC Statistical Report 46 (76.4 %)"),
    ("urban", "2020-12", 0.798, 0.015, "CNNIC Statistical Report 47 (79.8 %)"),
]
# date, share of the whole population, its sd, share of netizens, source
ADOPTION = [
    ("2018-12", 0.28, 0.02, 0.475, "CNNIC Statistical Report 43 (394 M online government-service users = 28 % of the population, 47.5 % of netizens)"),
    ("2020-03", 0.49, 0.02, 0.768, "CNNIC Statistical Report 45 (694 M = 49 %, 76.8 % of netizens; the health code of 2020 is a jump)"),
    ("2020-12", 0.60, 0.02, 0.853, "CNNIC Statistical Report 47 (843 M = 60 %, 85.3 % of netizens)"),
    ("2023-12", 0.69, 0.02, 0.891, "CNNIC Statistical Report 53 (973 M = 69 %, 89.1 % of netizens)"),
    ("2024-12", 0.713, 0.02, 0.906, "CNNIC Statistical Report 55 (1004 M = 71.3 %, 90.6 % of netizens)"),
]
UNCONVERTED = [
    ("device_rate", "band:senior", "2021-12", 0.432, 0.02, "CNNIC Statistical Report 49 (internet penetration aged 60+; the model's senior band: no conversion)"),
    ("device_rate", "band:senior", "2025-06", 0.520, 0.02, "CNNIC Statistical Report 56 (internet penetration aged 60+; no conversion)"),
    ("senior_share", "city", "2023-12", 0.25, 0.01, "NBS Statistical Communique 2023 (60+ share of residents aged 15+; docs/calibration.md)"),
    ("senior_share", "city", "2024-12", 0.26, 0.01, "NBS Statistical Communique 2024 (60+ share of residents aged 15+; docs/calibration.md)"),
]


def main():
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["indicator", "scope", "date", "value", "sd", "source"])
    note = " converted to residents 15+ by scripts/observed-15plus.py"
    for scope, date, x, sd, source in PENETRATION:
        value, s = penetration(date, x, sd)
        out.writerow(["device_rate", scope, date, f"{value:.3f}", f"{s:.3f}", source + note])
    for date, x, sd, share, source in ADOPTION:
        value, s = adoption(date, x, sd, share)
        out.writerow(["adoption_rate", "city", date, f"{value:.3f}", f"{s:.3f}", source + note])
    for indicator, scope, date, x, sd, source in UNCONVERTED:
        out.writerow([indicator, scope, date, f"{x:.3f}", f"{sd:.3f}", source])


if __name__ == "__main__":
    main()
