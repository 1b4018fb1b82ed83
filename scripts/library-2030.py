#!/usr/bin/env python3
"""Runs every bundled scenario and prints (or writes) its December-2030 city values.

    scripts/library-2030.py --civitas target/release/civitas --out /tmp/lib \
        --agents 50000 --replicates 10 [--csv FILE] [--markdown]

Each scenario of scenarios/*.toml is run with `civitas run` at the given agents and
replicates (parameter priors on, the scenario's own seed) into OUT, then the mean of
each indicator below for the city in 2030-12 is read from OUT/<name>/summary.csv and, for
each target of 2030, the probability met from OUT/<name>/targets.csv. `--csv` writes one
row per scenario; `--markdown` prints the table the README's "2030 answers" is made from.
"""
import argparse
import csv
import glob
import os
import subprocess
import sys

INDICATORS = [
    "adoption_rate",
    "online_service_rate",
    "one_trip_rate",
    "satisfaction",
    "satisfied_share",
    "complaints_per_1000",
    "hotline_contacts_per_1000",
    "mean_resolution_days",
    "cost_per_request",
    "digital_divide_gap",
    "system_availability",
    "data_sharing_rate",
    "digital_core_share",
    "enterprise_maturity",
    "numerical_control_rate",
    "digital_rd_tools_rate",
    "cloud_rate",
    "enterprise_one_trip_rate",
]


def scenario_name(path):
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("name") and "=" in line:
            return line.split("=", 1)[1].strip().strip('"')
    return os.path.splitext(os.path.basename(path))[0]


def values_2030(folder, date="2030-12"):
    out = {}
    with open(os.path.join(folder, "summary.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["scope"] == "city" and row["date"] == date and row["mean"] not in ("", "NaN"):
                out[row["indicator"]] = float(row["mean"])
    return out


def targets_2030(folder):
    rows = []
    with open(os.path.join(folder, "targets.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row.get("year") == "2030":
                rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--civitas", default="target/release/civitas")
    ap.add_argument("--out", required=True)
    ap.add_argument("--agents", type=int, default=50000)
    ap.add_argument("--replicates", type=int, default=10)
    ap.add_argument("--csv")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--no-run", action="store_true", help="only read OUT")
    args = ap.parse_args()
    files = sorted(glob.glob("scenarios/*.toml"))
    table = []
    for path in files:
        name = scenario_name(path)
        if not args.no_run:
            subprocess.run(
                [args.civitas, "run", path, "--agents", str(args.agents),
                 "--replicates", str(args.replicates), "--out", args.out, "--force"],
                check=True, stdout=subprocess.DEVNULL)
        vals = values_2030(os.path.join(args.out, name))
        table.append((name, vals, targets_2030(os.path.join(args.out, name))))
    present = [i for i in INDICATORS if any(i in v for _, v, _ in table)]
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["scenario"] + present)
            for name, vals, _ in table:
                w.writerow([name] + [f"{vals[i]:.4f}" if i in vals else "" for i in present])
    if args.markdown:
        print("| scenario | " + " | ".join(present) + " | 2030 targets met (p ≥ 0.9) / missed (p ≤ 0.1) |")
        print("|---" * (len(present) + 2) + "|")
        for name, vals, targets in table:
            met = [t for t in targets if t.get("status") == "met"]
            missed = [t for t in targets if t.get("status") == "missed"]
            cells = [f"{vals[i]:.3f}" if i in vals else "" for i in present]
            print(f"| `{name}` | " + " | ".join(cells) + f" | {len(met)} / {len(missed)} of {len(targets)} |")
    else:
        for name, vals, _ in table:
            print(name, " ".join(f"{i}={vals[i]:.4f}" for i in present if i in vals))


if __name__ == "__main__":
    sys.exit(main())
